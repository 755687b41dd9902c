// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the keepalive handover state machine (kho/state.c).
 *
 * Every test drives its own struct keepalive_sm with three fake
 * participants, "a" (memory), "b" (IOMMU) and "c" (device), registered in
 * the order c, a, b, and with fake image callbacks that build the outgoing
 * FDT in a test buffer. Every callback appends "who:op" to a trace, and
 * the tests compare traces exactly. Covered: the forward and resume paths,
 * ABORT from each state, every refused event in every state, the freeze
 * after kexec, a failure injected at each participant and image step (by
 * the fakes and through the fault attribute), registration and the
 * state and event names.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/fault-inject.h>
#include <linux/kernel.h>
#include <linux/libfdt.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../kho.h"

#define IMAGE_SIZE	SZ_16K
#define INCOMING_SIZE	SZ_4K
#define TRACE_SIZE	512
#define NR_FAKES	3

struct state_ctx;

struct fake {
	struct keepalive_participant p;
	struct state_ctx *ctx;
	int resume_node;		/* node given to ->resume, or -1 */
	char compatible[48];
};

struct state_ctx {
	struct kunit *test;
	struct keepalive_sm sm;
	struct fault_attr *fault;	/* behind sm.should_fail, if set */
	struct keepalive_result res;
	void *image;			/* outgoing image buffer */
	int image_size;			/* size begin() gives the FDT */
	void *incoming;			/* incoming image buffer */
	struct fake *fake[NR_FAKES];	/* a, b, c */
	/* The one callback that fails, and how */
	const char *fail_who;
	const char *fail_op;
	int fail_err;
	char trace[TRACE_SIZE];
};

/* A node of an incoming image */
struct node_spec {
	const char *name;
	const char *compatible;
};

/* a: resumed; b: node of another version, ignored; c: no node */
static const struct node_spec default_incoming[] = {
	{ "a", "keepalive,test-a-v1" },
	{ "b", "keepalive,test-b-v0" },
	{ "d", "keepalive,test-d-v1" },
	{ "f", "keepalive,test-x-v1" },
	{ "other", "keepalive,other-v1" },
};

/* ---- the trace and the injected failure ---- */

static void trace(struct state_ctx *ctx, const char *who, const char *op)
{
	size_t len = strlen(ctx->trace);

	KUNIT_EXPECT_LT(ctx->test, len + strlen(who) + strlen(op) + 2,
			sizeof(ctx->trace));
	scnprintf(ctx->trace + len, sizeof(ctx->trace) - len, "%s%s:%s",
		  len ? " " : "", who, op);
}

/* Trace a forward step; return the injected error if it is this one. */
static int hit(struct state_ctx *ctx, const char *who, const char *op)
{
	trace(ctx, who, op);
	if (ctx->fail_who && !strcmp(ctx->fail_who, who) &&
	    !strcmp(ctx->fail_op, op))
		return ctx->fail_err;
	return 0;
}

static void fail_at(struct state_ctx *ctx, const char *who, const char *op,
		    int err)
{
	ctx->fail_who = who;
	ctx->fail_op = op;
	ctx->fail_err = err;
}

/* ---- fake participants ---- */

static struct fake *to_fake(struct keepalive_participant *p)
{
	return container_of(p, struct fake, p);
}

static int fake_fwd(struct keepalive_participant *p, const char *op)
{
	return hit(to_fake(p)->ctx, p->name, op);
}

static void fake_undo(struct keepalive_participant *p, const char *op)
{
	trace(to_fake(p)->ctx, p->name, op);
}

static int fake_prepare(struct keepalive_participant *p)
{
	return fake_fwd(p, "prepare");
}

static void fake_unprepare(struct keepalive_participant *p)
{
	fake_undo(p, "unprepare");
}

static int fake_pre_stop(struct keepalive_participant *p)
{
	return fake_fwd(p, "pre_stop");
}

static void fake_unpre_stop(struct keepalive_participant *p)
{
	fake_undo(p, "unpre_stop");
}

/* Check the node the core made, and leave a property in it. */
static int fake_stop(struct keepalive_participant *p, void *fdt, int node)
{
	struct state_ctx *ctx = to_fake(p)->ctx;
	struct kunit *test = ctx->test;

	KUNIT_EXPECT_PTR_EQ(test, fdt, ctx->image);
	KUNIT_EXPECT_STREQ(test, fdt_get_name(fdt, node, NULL), p->name);
	KUNIT_EXPECT_EQ(test,
			fdt_node_check_compatible(fdt, node, p->compatible), 0);
	KUNIT_EXPECT_EQ(test, fdt_setprop_string(fdt, node, "owner", p->name),
			0);
	return fake_fwd(p, "stop");
}

static void fake_unstop(struct keepalive_participant *p)
{
	fake_undo(p, "unstop");
}

static int fake_resume(struct keepalive_participant *p, const void *fdt,
		       int node)
{
	struct fake *f = to_fake(p);

	KUNIT_EXPECT_PTR_EQ(f->ctx->test, fdt, (const void *)f->ctx->incoming);
	f->resume_node = node;
	return fake_fwd(p, "resume");
}

static int fake_post_resume(struct keepalive_participant *p)
{
	return fake_fwd(p, "post_resume");
}

static void fake_unpost_resume(struct keepalive_participant *p)
{
	fake_undo(p, "unpost_resume");
}

static void fake_conclude(struct keepalive_participant *p)
{
	fake_undo(p, "conclude");
}

static const struct keepalive_ops fake_ops = {
	.prepare	= fake_prepare,
	.unprepare	= fake_unprepare,
	.pre_stop	= fake_pre_stop,
	.unpre_stop	= fake_unpre_stop,
	.stop		= fake_stop,
	.unstop		= fake_unstop,
	.resume		= fake_resume,
	.post_resume	= fake_post_resume,
	.unpost_resume	= fake_unpost_resume,
	.conclude	= fake_conclude,
};

/* A fake named @name, compatible "keepalive,test-<name>-v1", unregistered */
static struct fake *new_fake(struct state_ctx *ctx, const char *name,
			     unsigned int priority)
{
	struct fake *f = kunit_kzalloc(ctx->test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(ctx->test, f);
	f->p.name = name;
	snprintf(f->compatible, sizeof(f->compatible), "keepalive,test-%s-v1",
		 name);
	f->p.compatible = f->compatible;
	f->p.priority = priority;
	f->p.ops = &fake_ops;
	f->ctx = ctx;
	f->resume_node = -1;
	return f;
}

static struct fake *add_fake(struct state_ctx *ctx, const char *name,
			     unsigned int priority)
{
	struct fake *f = new_fake(ctx, name, priority);

	KUNIT_ASSERT_EQ(ctx->test, keepalive_sm_add(&ctx->sm, &f->p), 0);
	return f;
}

/* Names of the registered participants, in list order, e.g. "a b c". */
static const char *order(struct state_ctx *ctx)
{
	struct keepalive_participant *p;
	char *buf = kunit_kzalloc(ctx->test, TRACE_SIZE, GFP_KERNEL);
	size_t len = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(ctx->test, buf);
	list_for_each_entry(p, &ctx->sm.participants, list)
		len += scnprintf(buf + len, TRACE_SIZE - len, "%s%s",
				 len ? " " : "", p->name);
	return buf;
}

/* ---- fake image ---- */

static struct state_ctx *sm_ctx(struct keepalive_sm *sm)
{
	return container_of(sm, struct state_ctx, sm);
}

static int image_begin(struct keepalive_sm *sm, void **fdt)
{
	struct state_ctx *ctx = sm_ctx(sm);
	int ret = hit(ctx, "image", "begin");

	if (ret)
		return ret;
	/* No KUNIT_ASSERT here: it would leave with sm->lock held. */
	ret = fdt_create_empty_tree(ctx->image, IMAGE_SIZE) ?:
	      fdt_pack(ctx->image) ?:
	      fdt_open_into(ctx->image, ctx->image, ctx->image_size);
	KUNIT_EXPECT_EQ(ctx->test, ret, 0);
	if (ret)
		return -EINVAL;
	*fdt = ctx->image;
	return 0;
}

static int image_seal(struct keepalive_sm *sm, void *fdt)
{
	struct state_ctx *ctx = sm_ctx(sm);

	KUNIT_EXPECT_PTR_EQ(ctx->test, fdt, ctx->image);
	return hit(ctx, "image", "seal");
}

static void image_discard(struct keepalive_sm *sm)
{
	trace(sm_ctx(sm), "image", "discard");
}

static void image_conclude(struct keepalive_sm *sm)
{
	trace(sm_ctx(sm), "image", "conclude");
}

static const struct keepalive_image_ops fake_image_ops = {
	.begin		= image_begin,
	.seal		= image_seal,
	.discard	= image_discard,
	.conclude	= image_conclude,
};

/* ---- setup and driving ---- */

/* (Re)start the state machine with a, b, c registered as c, a, b. */
static void init_sm(struct state_ctx *ctx, bool (*should_fail)(void))
{
	keepalive_sm_init(&ctx->sm, &fake_image_ops, should_fail);
	ctx->sm.log = false;
	ctx->fake[2] = add_fake(ctx, "c", KEEPALIVE_PRIO_DEVICE);
	ctx->fake[0] = add_fake(ctx, "a", KEEPALIVE_PRIO_MEMORY);
	ctx->fake[1] = add_fake(ctx, "b", KEEPALIVE_PRIO_IOMMU);
	KUNIT_ASSERT_STREQ(ctx->test, order(ctx), "a b c");
}

static int state_test_init(struct kunit *test)
{
	struct state_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->test = test;
	ctx->image_size = IMAGE_SIZE;
	ctx->image = kunit_kzalloc(test, IMAGE_SIZE, GFP_KERNEL);
	ctx->incoming = kunit_kzalloc(test, INCOMING_SIZE, GFP_KERNEL);
	if (!ctx->image || !ctx->incoming)
		return -ENOMEM;
	test->priv = ctx;
	init_sm(ctx, NULL);
	return 0;
}

/*
 * Send @ev and check what every request must get right: @res agrees with
 * the return value and the state, and names a participant only on failure.
 */
static int sm_event(struct state_ctx *ctx, enum keepalive_event ev)
{
	struct kunit *test = ctx->test;
	int ret;

	memset(&ctx->res, 0xa5, sizeof(ctx->res));
	ret = keepalive_sm_event(&ctx->sm, ev, &ctx->res);
	KUNIT_EXPECT_EQ(test, ctx->res.error, ret);
	KUNIT_EXPECT_EQ(test, ctx->res.state, ctx->sm.state);
	KUNIT_EXPECT_NE(test, strnlen(ctx->res.participant,
				      sizeof(ctx->res.participant)),
			sizeof(ctx->res.participant));
	if (!ret)
		KUNIT_EXPECT_STREQ(test, ctx->res.participant, "");
	return ret;
}

/* @ev succeeds, ends in @state and runs exactly @expect. */
static void expect_step(struct state_ctx *ctx, enum keepalive_event ev,
			enum keepalive_state state, const char *expect)
{
	ctx->trace[0] = '\0';
	KUNIT_ASSERT_EQ(ctx->test, sm_event(ctx, ev), 0);
	KUNIT_EXPECT_EQ(ctx->test, ctx->sm.state, state);
	KUNIT_EXPECT_STREQ(ctx->test, ctx->trace, expect);
}

/* @ev fails with @err from @who (NULL: the core), state and @res as before. */
static void expect_failure(struct state_ctx *ctx, enum keepalive_event ev,
			   int err, const char *who, const char *expect)
{
	enum keepalive_state from = ctx->sm.state;

	ctx->trace[0] = '\0';
	KUNIT_EXPECT_EQ(ctx->test, sm_event(ctx, ev), err);
	KUNIT_EXPECT_EQ(ctx->test, ctx->sm.state, from);
	KUNIT_EXPECT_EQ(ctx->test, ctx->res.state, from);
	KUNIT_EXPECT_STREQ(ctx->test, ctx->res.participant, who ?: "");
	KUNIT_EXPECT_STREQ(ctx->test, ctx->trace, expect);
}

/* Build an incoming image with @n nodes. */
static void *build_incoming(struct state_ctx *ctx,
			    const struct node_spec *nodes, int n)
{
	struct kunit *test = ctx->test;
	void *fdt = ctx->incoming;
	int i, node;

	KUNIT_ASSERT_EQ(test, fdt_create_empty_tree(fdt, INCOMING_SIZE), 0);
	for (i = 0; i < n; i++) {
		node = fdt_add_subnode(fdt, 0, nodes[i].name);
		KUNIT_ASSERT_GE(test, node, 0);
		KUNIT_ASSERT_EQ(test,
				fdt_setprop_string(fdt, node,
						   KEEPALIVE_PROP_COMPATIBLE,
						   nodes[i].compatible),
				0);
	}
	return fdt;
}

static int incoming_node(struct state_ctx *ctx, const char *name)
{
	return fdt_subnode_offset(ctx->incoming, 0, name);
}

static void enter_resume(struct state_ctx *ctx, const struct node_spec *nodes,
			 int n)
{
	void *fdt = build_incoming(ctx, nodes, n);

	keepalive_sm_resume(&ctx->sm, fdt);
	KUNIT_ASSERT_EQ(ctx->test, ctx->sm.state, KEEPALIVE_STATE_RESUME);
	KUNIT_EXPECT_PTR_EQ(ctx->test, ctx->sm.incoming, (const void *)fdt);
}

/* Drive a fresh machine from RUNNING to @state the shortest way. */
static void advance_to(struct state_ctx *ctx, enum keepalive_state state)
{
	static const enum keepalive_event handover[] = {
		KEEPALIVE_EV_PREPARE, KEEPALIVE_EV_PRE_STOP, KEEPALIVE_EV_STOP,
	};
	int i;

	KUNIT_ASSERT_EQ(ctx->test, ctx->sm.state, KEEPALIVE_STATE_RUNNING);
	switch (state) {
	case KEEPALIVE_STATE_RUNNING:
		break;
	case KEEPALIVE_STATE_PREPARE:
	case KEEPALIVE_STATE_PRE_STOP:
	case KEEPALIVE_STATE_STOP:
		for (i = 0; ctx->sm.state != state; i++)
			KUNIT_ASSERT_EQ(ctx->test, sm_event(ctx, handover[i]),
					0);
		break;
	case KEEPALIVE_STATE_RESUME:
	case KEEPALIVE_STATE_POST_RESUME:
		enter_resume(ctx, default_incoming,
			     ARRAY_SIZE(default_incoming));
		if (state == KEEPALIVE_STATE_POST_RESUME)
			KUNIT_ASSERT_EQ(ctx->test,
					sm_event(ctx, KEEPALIVE_EV_POST_RESUME),
					0);
		break;
	case KEEPALIVE_STATE_REBOOTING:
		keepalive_sm_kexec(&ctx->sm);
		break;
	}
	KUNIT_ASSERT_EQ(ctx->test, ctx->sm.state, state);
	ctx->trace[0] = '\0';
}

/* ---- the handover path ---- */

static void expect_image_node(struct state_ctx *ctx, struct fake *f)
{
	struct kunit *test = ctx->test;
	int node = fdt_subnode_offset(ctx->image, 0, f->p.name);
	const char *owner;

	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_EXPECT_EQ(test, fdt_node_check_compatible(ctx->image, node,
							f->p.compatible), 0);
	owner = fdt_getprop(ctx->image, node, "owner", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, owner);
	KUNIT_EXPECT_STREQ(test, owner, f->p.name);
}

/* RUNNING -> PREPARE -> PRE-STOP -> STOP, with the log on */
static void state_test_handover(struct kunit *test)
{
	struct state_ctx *ctx = test->priv;
	int i;

	ctx->sm.log = true;
	expect_step(ctx, KEEPALIVE_EV_PREPARE, KEEPALIVE_STATE_PREPARE,
		    "a:prepare b:prepare c:prepare");
	expect_step(ctx, KEEPALIVE_EV_PRE_STOP, KEEPALIVE_STATE_PRE_STOP,
		    "a:pre_stop b:pre_stop c:pre_stop");
	expect_step(ctx, KEEPALIVE_EV_STOP, KEEPALIVE_STATE_STOP,
		    "image:begin a:stop b:stop c:stop image:seal");

	/* The sealed image: the root and one node per participant */
	KUNIT_EXPECT_EQ(test, fdt_check_header(ctx->image), 0);
	for (i = 0; i < NR_FAKES; i++)
		expect_image_node(ctx, ctx->fake[i]);
	KUNIT_EXPECT_EQ(test, fdt_subnode_offset(ctx->image, 0, "other"),
			-FDT_ERR_NOTFOUND);
}

/* ABORT from a handover state undoes every step taken, latest first. */
struct abort_case {
	const char *desc;
	enum keepalive_state from;
	const char *expect;
};

static const struct abort_case abort_cases[] = {
	{ "from-prepare", KEEPALIVE_STATE_PREPARE,
	  "c:unprepare b:unprepare a:unprepare" },
	{ "from-pre-stop", KEEPALIVE_STATE_PRE_STOP,
	  "c:unpre_stop b:unpre_stop a:unpre_stop c:unprepare b:unprepare a:unprepare" },
	{ "from-stop", KEEPALIVE_STATE_STOP,
	  "c:unstop b:unstop a:unstop image:discard c:unpre_stop b:unpre_stop a:unpre_stop c:unprepare b:unprepare a:unprepare",
	},
};

static void abort_case_desc(const struct abort_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(abort, abort_cases, abort_case_desc);

static void state_test_abort(struct kunit *test)
{
	const struct abort_case *c = test->param_value;
	struct state_ctx *ctx = test->priv;

	ctx->sm.log = true;
	advance_to(ctx, c->from);
	expect_step(ctx, KEEPALIVE_EV_ABORT, KEEPALIVE_STATE_RUNNING,
		    c->expect);
	/* And a new handover can start. */
	expect_step(ctx, KEEPALIVE_EV_PREPARE, KEEPALIVE_STATE_PREPARE,
		    "a:prepare b:prepare c:prepare");
}

/* ---- the resume path ---- */

/* Only a participant with a node of its compatible is resumed, with it. */
static void state_test_resume(struct kunit *test)
{
	struct state_ctx *ctx = test->priv;

	enter_resume(ctx, default_incoming, ARRAY_SIZE(default_incoming));
	KUNIT_EXPECT_STREQ(test, ctx->trace, "a:resume");
	KUNIT_EXPECT_GE(test, ctx->fake[0]->resume_node, 0);
	KUNIT_EXPECT_EQ(test, ctx->fake[0]->resume_node,
			incoming_node(ctx, "a"));
	KUNIT_EXPECT_EQ(test, ctx->fake[1]->resume_node, -1);
	KUNIT_EXPECT_EQ(test, ctx->fake[2]->resume_node, -1);
}

/* A failing ->resume is the participant's business: the others go on. */
static void state_test_resume_failure(struct kunit *test)
{
	static const struct node_spec nodes[] = {
		{ "c", "keepalive,test-c-v1" },
		{ "a", "keepalive,test-a-v1" },
	};
	struct state_ctx *ctx = test->priv;

	fail_at(ctx, "a", "resume", -EINVAL);
	enter_resume(ctx, nodes, ARRAY_SIZE(nodes));
	KUNIT_EXPECT_STREQ(test, ctx->trace, "a:resume c:resume");
	KUNIT_EXPECT_EQ(test, ctx->fake[0]->resume_node,
			incoming_node(ctx, "a"));
	KUNIT_EXPECT_EQ(test, ctx->fake[2]->resume_node,
			incoming_node(ctx, "c"));
	expect_step(ctx, KEEPALIVE_EV_POST_RESUME, KEEPALIVE_STATE_POST_RESUME,
		    "a:post_resume b:post_resume c:post_resume");
}

/* RESUME -> POST-RESUME -> RUNNING, then a normal machine again */
static void state_test_post_resume_conclude(struct kunit *test)
{
	struct state_ctx *ctx = test->priv;

	advance_to(ctx, KEEPALIVE_STATE_RESUME);
	expect_step(ctx, KEEPALIVE_EV_POST_RESUME, KEEPALIVE_STATE_POST_RESUME,
		    "a:post_resume b:post_resume c:post_resume");
	KUNIT_EXPECT_PTR_EQ(test, ctx->sm.incoming,
			    (const void *)ctx->incoming);
	expect_step(ctx, KEEPALIVE_EV_CONCLUDE, KEEPALIVE_STATE_RUNNING,
		    "c:conclude b:conclude a:conclude image:conclude");
	KUNIT_EXPECT_NULL(test, ctx->sm.incoming);
	expect_step(ctx, KEEPALIVE_EV_PREPARE, KEEPALIVE_STATE_PREPARE,
		    "a:prepare b:prepare c:prepare");
}

/* ---- refused events ---- */

struct state_case {
	const char *desc;
	enum keepalive_state state;
	unsigned int allowed;	/* BIT(event) for every allowed event */
};

static const struct state_case state_cases[] = {
	{ "running", KEEPALIVE_STATE_RUNNING, BIT(KEEPALIVE_EV_PREPARE) },
	{ "prepare", KEEPALIVE_STATE_PREPARE,
	  BIT(KEEPALIVE_EV_PRE_STOP) | BIT(KEEPALIVE_EV_ABORT) },
	{ "pre-stop", KEEPALIVE_STATE_PRE_STOP,
	  BIT(KEEPALIVE_EV_STOP) | BIT(KEEPALIVE_EV_ABORT) },
	{ "stop", KEEPALIVE_STATE_STOP, BIT(KEEPALIVE_EV_ABORT) },
	{ "resume", KEEPALIVE_STATE_RESUME, BIT(KEEPALIVE_EV_POST_RESUME) },
	{ "post-resume", KEEPALIVE_STATE_POST_RESUME,
	  BIT(KEEPALIVE_EV_CONCLUDE) },
};

static void state_case_desc(const struct state_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(state, state_cases, state_case_desc);

/* @ev is refused with @err and changes nothing. */
static void expect_refused(struct state_ctx *ctx, enum keepalive_event ev,
			   int err)
{
	struct kunit *test = ctx->test;
	enum keepalive_state state = ctx->sm.state;

	ctx->trace[0] = '\0';
	KUNIT_EXPECT_EQ_MSG(test, sm_event(ctx, ev), err, "event %u", ev);
	KUNIT_EXPECT_EQ_MSG(test, ctx->sm.state, state, "event %u", ev);
	KUNIT_EXPECT_STREQ_MSG(test, ctx->res.participant, "", "event %u", ev);
	KUNIT_EXPECT_STREQ_MSG(test, ctx->trace, "", "event %u", ev);
}

static const unsigned int unknown_events[] = { 0, 7, 99, 0x80000000 };

static void state_test_refused(struct kunit *test)
{
	const struct state_case *c = test->param_value;
	struct state_ctx *ctx = test->priv;
	enum keepalive_event ev;
	int i;

	advance_to(ctx, c->state);
	for (ev = KEEPALIVE_EV_PREPARE; ev <= KEEPALIVE_EV_CONCLUDE; ev++)
		if (!(c->allowed & BIT(ev)))
			expect_refused(ctx, ev, -EINVAL);
	for (i = 0; i < ARRAY_SIZE(unknown_events); i++)
		expect_refused(ctx, unknown_events[i], -EOPNOTSUPP);
}

/* After keepalive_sm_kexec(), from any state, nothing moves any more. */
static void state_test_kexec(struct kunit *test)
{
	const struct state_case *c = test->param_value;
	struct state_ctx *ctx = test->priv;
	struct fake *late = new_fake(ctx, "late", KEEPALIVE_PRIO_DEVICE);
	enum keepalive_event ev;

	advance_to(ctx, c->state);
	keepalive_sm_kexec(&ctx->sm);
	KUNIT_EXPECT_EQ(test, ctx->sm.state, KEEPALIVE_STATE_REBOOTING);
	for (ev = KEEPALIVE_EV_PREPARE; ev <= KEEPALIVE_EV_CONCLUDE; ev++)
		expect_refused(ctx, ev, -EBUSY);
	KUNIT_EXPECT_EQ(test, ctx->res.state, KEEPALIVE_STATE_REBOOTING);
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &late->p), -EBUSY);
	KUNIT_EXPECT_STREQ(test, order(ctx), "a b c");
}

/* ---- failures ---- */

struct fail_case {
	const char *desc;
	enum keepalive_state from;
	enum keepalive_event ev;
	const char *who;	/* "a", "b", "c" or "image" */
	const char *op;
	int err;
	const char *expect;
};

static const struct fail_case fail_cases[] = {
	{ "prepare-a", KEEPALIVE_STATE_RUNNING, KEEPALIVE_EV_PREPARE,
	  "a", "prepare", -ENOMEM, "a:prepare" },
	{ "prepare-b", KEEPALIVE_STATE_RUNNING, KEEPALIVE_EV_PREPARE,
	  "b", "prepare", -ENOSPC, "a:prepare b:prepare a:unprepare" },
	{ "prepare-c", KEEPALIVE_STATE_RUNNING, KEEPALIVE_EV_PREPARE,
	  "c", "prepare", -ENODEV,
	  "a:prepare b:prepare c:prepare b:unprepare a:unprepare" },
	{ "pre-stop-a", KEEPALIVE_STATE_PREPARE, KEEPALIVE_EV_PRE_STOP,
	  "a", "pre_stop", -EAGAIN, "a:pre_stop" },
	{ "pre-stop-b", KEEPALIVE_STATE_PREPARE, KEEPALIVE_EV_PRE_STOP,
	  "b", "pre_stop", -EBUSY, "a:pre_stop b:pre_stop a:unpre_stop" },
	{ "pre-stop-c", KEEPALIVE_STATE_PREPARE, KEEPALIVE_EV_PRE_STOP,
	  "c", "pre_stop", -ETIMEDOUT,
	  "a:pre_stop b:pre_stop c:pre_stop b:unpre_stop a:unpre_stop" },
	{ "stop-a", KEEPALIVE_STATE_PRE_STOP, KEEPALIVE_EV_STOP,
	  "a", "stop", -ENOSPC, "image:begin a:stop image:discard" },
	{ "stop-b", KEEPALIVE_STATE_PRE_STOP, KEEPALIVE_EV_STOP,
	  "b", "stop", -EFAULT,
	  "image:begin a:stop b:stop a:unstop image:discard" },
	{ "stop-c", KEEPALIVE_STATE_PRE_STOP, KEEPALIVE_EV_STOP,
	  "c", "stop", -EINVAL,
	  "image:begin a:stop b:stop c:stop b:unstop a:unstop image:discard" },
	{ "stop-image-begin", KEEPALIVE_STATE_PRE_STOP, KEEPALIVE_EV_STOP,
	  "image", "begin", -ENOMEM, "image:begin" },
	{ "stop-image-seal", KEEPALIVE_STATE_PRE_STOP, KEEPALIVE_EV_STOP,
	  "image", "seal", -E2BIG,
	  "image:begin a:stop b:stop c:stop image:seal c:unstop b:unstop a:unstop image:discard" },
	{ "post-resume-a", KEEPALIVE_STATE_RESUME, KEEPALIVE_EV_POST_RESUME,
	  "a", "post_resume", -ENXIO, "a:post_resume" },
	{ "post-resume-b", KEEPALIVE_STATE_RESUME, KEEPALIVE_EV_POST_RESUME,
	  "b", "post_resume", -EIO,
	  "a:post_resume b:post_resume a:unpost_resume" },
	{ "post-resume-c", KEEPALIVE_STATE_RESUME, KEEPALIVE_EV_POST_RESUME,
	  "c", "post_resume", -EPERM,
	  "a:post_resume b:post_resume c:post_resume b:unpost_resume a:unpost_resume" },
};

static void fail_case_desc(const struct fail_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fail, fail_cases, fail_case_desc);

static bool is_image(const char *who)
{
	return !strcmp(who, "image");
}

/*
 * A failing step undoes exactly the participants that completed it, in
 * reverse order, and leaves the state alone; the same event then succeeds.
 */
static void state_test_failure(struct kunit *test)
{
	const struct fail_case *c = test->param_value;
	struct state_ctx *ctx = test->priv;
	int i;

	advance_to(ctx, c->from);
	fail_at(ctx, c->who, c->op, c->err);
	expect_failure(ctx, c->ev, c->err, is_image(c->who) ? NULL : c->who,
		       c->expect);

	fail_at(ctx, NULL, NULL, 0);
	ctx->trace[0] = '\0';
	KUNIT_ASSERT_EQ(test, sm_event(ctx, c->ev), 0);
	if (c->ev == KEEPALIVE_EV_STOP)
		for (i = 0; i < NR_FAKES; i++)
			expect_image_node(ctx, ctx->fake[i]);
}

/* A node that does not fit in the image fails its participant's stop. */
static void state_test_image_full(struct kunit *test)
{
	struct state_ctx *ctx = test->priv;

	/* Room for the empty tree and nothing more */
	KUNIT_ASSERT_EQ(test, fdt_create_empty_tree(ctx->image, IMAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, fdt_pack(ctx->image), 0);
	ctx->image_size = fdt_totalsize(ctx->image);

	advance_to(ctx, KEEPALIVE_STATE_PRE_STOP);
	expect_failure(ctx, KEEPALIVE_EV_STOP, -ENOSPC, "a",
		       "image:begin image:discard");
}

/* ---- fault injection through a fault attribute ---- */

/*
 * With probability 100 and times 1, should_fail() counts @space down and
 * fails the call that finds it at 1: @space = n fails the n-th call. The
 * calls: one before each participant's forward callback, one before the
 * image's begin (which fails with -ENOMEM), and one before each resume of
 * a participant that has a node of its version (here only a).
 */
struct fault_case {
	const char *desc;
	int nth;
	enum keepalive_event ev;	/* event that fails, or 0 for none */
	int err;
	const char *who;
	const char *expect;
};

static const struct fault_case fault_cases[] = {
	{ "1-prepare-a", 1, KEEPALIVE_EV_PREPARE, -EIO, "a", "" },
	{ "2-prepare-b", 2, KEEPALIVE_EV_PREPARE, -EIO, "b",
	  "a:prepare a:unprepare" },
	{ "3-prepare-c", 3, KEEPALIVE_EV_PREPARE, -EIO, "c",
	  "a:prepare b:prepare b:unprepare a:unprepare" },
	{ "4-pre-stop-a", 4, KEEPALIVE_EV_PRE_STOP, -EIO, "a", "" },
	{ "5-pre-stop-b", 5, KEEPALIVE_EV_PRE_STOP, -EIO, "b",
	  "a:pre_stop a:unpre_stop" },
	{ "6-pre-stop-c", 6, KEEPALIVE_EV_PRE_STOP, -EIO, "c",
	  "a:pre_stop b:pre_stop b:unpre_stop a:unpre_stop" },
	{ "7-stop-image", 7, KEEPALIVE_EV_STOP, -ENOMEM, NULL, "" },
	{ "8-stop-a", 8, KEEPALIVE_EV_STOP, -EIO, "a",
	  "image:begin image:discard" },
	{ "9-stop-b", 9, KEEPALIVE_EV_STOP, -EIO, "b",
	  "image:begin a:stop a:unstop image:discard" },
	{ "10-stop-c", 10, KEEPALIVE_EV_STOP, -EIO, "c",
	  "image:begin a:stop b:stop b:unstop a:unstop image:discard" },
	{ "11-none", 11, 0, 0, NULL, NULL },
	/* Entering RESUME consults it once, before a's resume. */
	{ "2-post-resume-a", 2, KEEPALIVE_EV_POST_RESUME, -EIO, "a", "" },
	{ "3-post-resume-b", 3, KEEPALIVE_EV_POST_RESUME, -EIO, "b",
	  "a:post_resume a:unpost_resume" },
	{ "4-post-resume-c", 4, KEEPALIVE_EV_POST_RESUME, -EIO, "c",
	  "a:post_resume b:post_resume b:unpost_resume a:unpost_resume" },
};

static void fault_case_desc(const struct fault_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault, fault_cases, fault_case_desc);

/* The hook takes no argument: find the attribute through the test. */
static bool state_test_should_fail(void)
{
	struct state_ctx *ctx = current->kunit_test->priv;

	return should_fail(ctx->fault, 1);
}

/* Start over with a machine whose @nth forward step fails. */
static void arm_fault(struct state_ctx *ctx, int nth)
{
	static const struct fault_attr init = FAULT_ATTR_INITIALIZER;

	ctx->fault = kunit_kmalloc(ctx->test, sizeof(*ctx->fault), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(ctx->test, ctx->fault);
	*ctx->fault = init;
	ctx->fault->probability = 100;
	ctx->fault->verbose = 0;
	atomic_set(&ctx->fault->space, nth);
	init_sm(ctx, state_test_should_fail);
}

/*
 * Drive the handover path (or post-resume) with the n-th forward step
 * failing: that event fails with everything undone, the ones before it
 * succeed, and, the failure spent, retrying it succeeds.
 */
static void state_test_fault(struct kunit *test)
{
	static const enum keepalive_event handover[] = {
		KEEPALIVE_EV_PREPARE, KEEPALIVE_EV_PRE_STOP, KEEPALIVE_EV_STOP,
	};
	const struct fault_case *c = test->param_value;
	struct state_ctx *ctx = test->priv;
	const enum keepalive_event *path = handover;
	int i, n = ARRAY_SIZE(handover);

	arm_fault(ctx, c->nth);
	if (c->ev == KEEPALIVE_EV_POST_RESUME) {
		enter_resume(ctx, default_incoming,
			     ARRAY_SIZE(default_incoming));
		path = &c->ev;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		if (path[i] == c->ev) {
			expect_failure(ctx, c->ev, c->err, c->who, c->expect);
			KUNIT_EXPECT_EQ(test, atomic_read(&ctx->fault->times), 0);
		}
		KUNIT_ASSERT_EQ(test, sm_event(ctx, path[i]), 0);
	}
	KUNIT_EXPECT_EQ(test, ctx->sm.state, c->ev == KEEPALIVE_EV_POST_RESUME ?
			KEEPALIVE_STATE_POST_RESUME : KEEPALIVE_STATE_STOP);
	if (!c->ev)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->fault->times), 1);
}

/* ---- registration ---- */

/* Priority order; ties in registration order */
static void state_test_register_order(struct kunit *test)
{
	struct state_ctx *ctx = test->priv;

	add_fake(ctx, "d", KEEPALIVE_PRIO_IOMMU);
	add_fake(ctx, "e", KEEPALIVE_PRIO_MEMORY);
	add_fake(ctx, "f", KEEPALIVE_PRIO_MEMORY - 1);
	add_fake(ctx, "g", KEEPALIVE_PRIO_DEVICE + 1);
	add_fake(ctx, "h", KEEPALIVE_PRIO_IOMMU);
	KUNIT_EXPECT_STREQ(test, order(ctx), "f a e b d h c g");
	expect_step(ctx, KEEPALIVE_EV_PREPARE, KEEPALIVE_STATE_PREPARE,
		    "f:prepare a:prepare e:prepare b:prepare d:prepare h:prepare c:prepare g:prepare");
}

static void expect_add(struct state_ctx *ctx, struct fake *f, int err)
{
	KUNIT_EXPECT_EQ(ctx->test, keepalive_sm_add(&ctx->sm, &f->p), err);
	KUNIT_EXPECT_STREQ(ctx->test, order(ctx), "a b c");
}

static void state_test_register_invalid(struct kunit *test)
{
	static const struct keepalive_ops no_ops = {};
	struct state_ctx *ctx = test->priv;
	struct fake *f;

	expect_add(ctx, new_fake(ctx, "b", KEEPALIVE_PRIO_DEVICE), -EEXIST);

	f = new_fake(ctx, "x", KEEPALIVE_PRIO_DEVICE);
	f->p.name = NULL;
	expect_add(ctx, f, -EINVAL);

	f = new_fake(ctx, "x", KEEPALIVE_PRIO_DEVICE);
	f->p.compatible = NULL;
	expect_add(ctx, f, -EINVAL);

	f = new_fake(ctx, "x", KEEPALIVE_PRIO_DEVICE);
	f->p.ops = NULL;
	expect_add(ctx, f, -EINVAL);

	/* Node names: [a-z0-9-] only, not empty. */
	expect_add(ctx, new_fake(ctx, "", KEEPALIVE_PRIO_DEVICE), -EINVAL);
	expect_add(ctx, new_fake(ctx, "Upper", KEEPALIVE_PRIO_DEVICE), -EINVAL);
	expect_add(ctx, new_fake(ctx, "a/b", KEEPALIVE_PRIO_DEVICE), -EINVAL);
	expect_add(ctx, new_fake(ctx, "a@1", KEEPALIVE_PRIO_DEVICE), -EINVAL);

	/* 32 characters do not fit in keepalive_result.participant */
	expect_add(ctx, new_fake(ctx, "abcdefghijklmnopqrstuvwxyz-12345",
				 KEEPALIVE_PRIO_DEVICE), -EINVAL);

	/* No callback at all is valid: the steps just skip it. */
	f = new_fake(ctx, "abcdefghijklmnopqrstuvwxyz-1234", 0);
	f->p.ops = &no_ops;
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &f->p), 0);
	advance_to(ctx, KEEPALIVE_STATE_STOP);
	KUNIT_EXPECT_GE(test, fdt_subnode_offset(ctx->image, 0, f->p.name), 0);
	expect_step(ctx, KEEPALIVE_EV_ABORT, KEEPALIVE_STATE_RUNNING,
		    "c:unstop b:unstop a:unstop image:discard c:unpre_stop b:unpre_stop a:unpre_stop c:unprepare b:unprepare a:unprepare");
}

struct register_case {
	const char *desc;
	enum keepalive_state state;
	int err;
};

static const struct register_case register_cases[] = {
	{ "running", KEEPALIVE_STATE_RUNNING, 0 },
	{ "prepare", KEEPALIVE_STATE_PREPARE, -EBUSY },
	{ "pre-stop", KEEPALIVE_STATE_PRE_STOP, -EBUSY },
	{ "stop", KEEPALIVE_STATE_STOP, -EBUSY },
	{ "resume", KEEPALIVE_STATE_RESUME, 0 },
	{ "post-resume", KEEPALIVE_STATE_POST_RESUME, 0 },
	{ "rebooting", KEEPALIVE_STATE_REBOOTING, -EBUSY },
};

static void register_case_desc(const struct register_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(register_state, register_cases, register_case_desc);

/* Nobody joins a handover in progress. */
static void state_test_register_state(struct kunit *test)
{
	const struct register_case *c = test->param_value;
	struct state_ctx *ctx = test->priv;
	struct fake *f = new_fake(ctx, "e", KEEPALIVE_PRIO_IOMMU);

	advance_to(ctx, c->state);
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &f->p), c->err);
	KUNIT_EXPECT_STREQ(test, order(ctx), c->err ? "a b c" : "a b e c");
	KUNIT_EXPECT_EQ(test, ctx->sm.state, c->state);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "");
}

/* A late participant gets its incoming node when it registers. */
static void state_test_register_resume(struct kunit *test)
{
	struct state_ctx *ctx = test->priv;
	struct fake *d, *e, *f, *g;

	advance_to(ctx, KEEPALIVE_STATE_RESUME);
	d = add_fake(ctx, "d", KEEPALIVE_PRIO_DEVICE);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "d:resume");
	KUNIT_EXPECT_EQ(test, d->resume_node, incoming_node(ctx, "d"));

	/* No node, or a node of another compatible: a cold start */
	ctx->trace[0] = '\0';
	e = add_fake(ctx, "e", KEEPALIVE_PRIO_DEVICE);
	f = add_fake(ctx, "f", KEEPALIVE_PRIO_DEVICE);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "");
	KUNIT_EXPECT_EQ(test, e->resume_node, -1);
	KUNIT_EXPECT_EQ(test, f->resume_node, -1);

	/* Still in POST-RESUME; no longer once concluded */
	expect_step(ctx, KEEPALIVE_EV_POST_RESUME, KEEPALIVE_STATE_POST_RESUME,
		    "a:post_resume b:post_resume c:post_resume d:post_resume e:post_resume f:post_resume");
	keepalive_sm_del(&ctx->sm, &d->p);
	ctx->trace[0] = '\0';
	d = add_fake(ctx, "d", KEEPALIVE_PRIO_MEMORY);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "d:resume");
	expect_step(ctx, KEEPALIVE_EV_CONCLUDE, KEEPALIVE_STATE_RUNNING,
		    "f:conclude e:conclude c:conclude b:conclude d:conclude a:conclude image:conclude");
	keepalive_sm_del(&ctx->sm, &d->p);
	ctx->trace[0] = '\0';
	g = new_fake(ctx, "d", KEEPALIVE_PRIO_MEMORY);
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &g->p), 0);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "");
	KUNIT_EXPECT_EQ(test, g->resume_node, -1);
}

/* A removed participant takes no further part. */
static void state_test_unregister(struct kunit *test)
{
	struct state_ctx *ctx = test->priv;

	keepalive_sm_del(&ctx->sm, &ctx->fake[1]->p);
	KUNIT_EXPECT_STREQ(test, order(ctx), "a c");
	expect_step(ctx, KEEPALIVE_EV_PREPARE, KEEPALIVE_STATE_PREPARE,
		    "a:prepare c:prepare");
	expect_step(ctx, KEEPALIVE_EV_ABORT, KEEPALIVE_STATE_RUNNING,
		    "c:unprepare a:unprepare");
	/* Its name is free again. */
	add_fake(ctx, "b", KEEPALIVE_PRIO_IOMMU);
	KUNIT_EXPECT_STREQ(test, order(ctx), "a b c");
}

/* ---- names ---- */

static void state_test_names(struct kunit *test)
{
	static const char * const states[] = {
		"running", "prepare", "pre-stop", "stop", "resume",
		"post-resume", "rebooting",
	};
	static const char * const events[] = {
		NULL, "prepare", "pre-stop", "stop", "abort", "post-resume",
		"conclude",
	};
	static const char * const bad[] = {
		"", "\n", "running", "Prepare", "prepare-", "pre_stop",
		"abort\n\n", " abort",
	};
	enum keepalive_event ev;
	char buf[16];
	int i;

	for (i = 0; i < ARRAY_SIZE(states); i++)
		KUNIT_EXPECT_STREQ(test, keepalive_state_name(i), states[i]);
	KUNIT_EXPECT_STREQ(test, keepalive_state_name(ARRAY_SIZE(states)),
			   "invalid");
	KUNIT_EXPECT_STREQ(test, keepalive_state_name(-1), "invalid");

	for (i = KEEPALIVE_EV_PREPARE; i < ARRAY_SIZE(events); i++) {
		ev = 0;
		KUNIT_EXPECT_EQ_MSG(test, keepalive_event_parse(events[i], &ev),
				    0, "\"%s\"", events[i]);
		KUNIT_EXPECT_EQ_MSG(test, ev, i, "\"%s\"", events[i]);
		snprintf(buf, sizeof(buf), "%s\n", events[i]);
		ev = 0;
		KUNIT_EXPECT_EQ_MSG(test, keepalive_event_parse(buf, &ev), 0,
				    "\"%s\\n\"", events[i]);
		KUNIT_EXPECT_EQ_MSG(test, ev, i, "\"%s\\n\"", events[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ev = 0;
		KUNIT_EXPECT_EQ_MSG(test, keepalive_event_parse(bad[i], &ev),
				    -EINVAL, "\"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, ev, 0);
	}
}

static struct kunit_case state_test_cases[] = {
	KUNIT_CASE(state_test_handover),
	KUNIT_CASE_PARAM(state_test_abort, abort_gen_params),
	KUNIT_CASE(state_test_resume),
	KUNIT_CASE(state_test_resume_failure),
	KUNIT_CASE(state_test_post_resume_conclude),
	KUNIT_CASE_PARAM(state_test_refused, state_gen_params),
	KUNIT_CASE_PARAM(state_test_kexec, state_gen_params),
	KUNIT_CASE_PARAM(state_test_failure, fail_gen_params),
	KUNIT_CASE(state_test_image_full),
	KUNIT_CASE_PARAM(state_test_fault, fault_gen_params),
	KUNIT_CASE(state_test_register_order),
	KUNIT_CASE(state_test_register_invalid),
	KUNIT_CASE_PARAM(state_test_register_state, register_state_gen_params),
	KUNIT_CASE(state_test_register_resume),
	KUNIT_CASE(state_test_unregister),
	KUNIT_CASE(state_test_names),
	{}
};

static struct kunit_suite state_test_suite = {
	.name = "keepalive_state",
	.init = state_test_init,
	.test_cases = state_test_cases,
};

kunit_test_suite(state_test_suite);
