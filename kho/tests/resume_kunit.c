// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the next kernel's resume order and of shared records
 * (kho/state.c).
 *
 * Each test runs its own struct keepalive_sm on an incoming image it
 * builds, with fake participants whose @resume and @fallback append
 * "who:op" (or "who:fallback(dep,err)") to a trace that the tests compare
 * exactly.
 *
 * Resume order: a participant resumes after everything it depends on,
 * whatever the registration order and whether it registers before or
 * after the image arrives; a failed dependency (its @resume failed, its
 * node is of another version, an injected failure, it never registered by
 * the time boot settles, a cycle, or a forced resolution) makes its
 * dependents fall back, transitively; a dependency without a node counts
 * as resumed; a participant without a node neither resumes nor falls back.
 *
 * Shared records: a participant reads another's node or per-device record
 * only when the image has it, in the version it asks for, and only once
 * the owner resumed (-EAGAIN before, -ENOLINK when the owner failed, fell
 * back or never registered); malformed device records match no device.
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/kernel.h>
#include <linux/libfdt.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../kho.h"

#define INCOMING_SIZE	SZ_4K
#define TRACE_SIZE	512
#define MAX_FAKES	5

struct rctx;

struct rfake {
	struct keepalive_participant p;
	struct rctx *ctx;
	const char *deps[MAX_FAKES];
	char compatible[48];
	int resume_err;		/* what ->resume returns */
};

struct rctx {
	struct kunit *test;
	struct keepalive_sm sm;
	void *incoming;
	struct rfake fakes[MAX_FAKES];
	unsigned int nr_fakes;
	char trace[TRACE_SIZE];
};

static void rtrace(struct rctx *ctx, const char *fmt, ...)
{
	size_t len = strlen(ctx->trace);
	va_list ap;

	if (len)
		len += scnprintf(ctx->trace + len, TRACE_SIZE - len, " ");
	va_start(ap, fmt);
	vscnprintf(ctx->trace + len, TRACE_SIZE - len, fmt, ap);
	va_end(ap);
}

/* A copy of @str that the test frees (6.1 has no kunit_kstrdup()). */
static char *rstrdup(struct rctx *ctx, const char *str)
{
	char *copy = kunit_kzalloc(ctx->test, strlen(str) + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(ctx->test, copy);
	strcpy(copy, str);
	return copy;
}

static struct rfake *to_rfake(struct keepalive_participant *p)
{
	return container_of(p, struct rfake, p);
}

static int rfake_resume(struct keepalive_participant *p, const void *fdt,
			int node)
{
	struct rfake *f = to_rfake(p);

	KUNIT_EXPECT_PTR_EQ(f->ctx->test, fdt, (const void *)f->ctx->incoming);
	KUNIT_EXPECT_STREQ(f->ctx->test, fdt_get_name(fdt, node, NULL),
			   p->name);
	rtrace(f->ctx, "%s:resume", p->name);
	return f->resume_err;
}

static int rfake_fallback(struct keepalive_participant *p, const void *fdt,
			  int node, const char *dep, int err)
{
	struct rfake *f = to_rfake(p);

	KUNIT_EXPECT_STREQ(f->ctx->test, fdt_get_name(fdt, node, NULL),
			   p->name);
	rtrace(f->ctx, "%s:fallback(%s,%d)", p->name, dep, err);
	return 0;
}

static const struct keepalive_ops rfake_ops = {
	.resume		= rfake_resume,
	.fallback	= rfake_fallback,
};

static const struct keepalive_ops rfake_ops_no_fallback = {
	.resume		= rfake_resume,
};

static void rimage_conclude(struct keepalive_sm *sm)
{
}

static const struct keepalive_image_ops rimage_ops = {
	.conclude	= rimage_conclude,
};

/*
 * A fake @name at @prio depending on the space-separated names in @deps
 * (or none), not registered yet.
 */
static struct rfake *rfake(struct rctx *ctx, const char *name,
			   unsigned int prio, const char *deps)
{
	struct rfake *f;
	char *copy, *tok;
	int n = 0;

	KUNIT_ASSERT_LT(ctx->test, ctx->nr_fakes, MAX_FAKES);
	f = &ctx->fakes[ctx->nr_fakes++];
	f->ctx = ctx;
	f->p.name = name;
	snprintf(f->compatible, sizeof(f->compatible), "keepalive,test-%s-v1",
		 name);
	f->p.compatible = f->compatible;
	f->p.priority = prio;
	f->p.ops = &rfake_ops;
	if (deps) {
		copy = rstrdup(ctx, deps);
		while ((tok = strsep(&copy, " ")) && n < MAX_FAKES - 1)
			f->deps[n++] = tok;
		f->p.depends = f->deps;
	}
	return f;
}

static void radd(struct rctx *ctx, struct rfake *f)
{
	KUNIT_ASSERT_EQ(ctx->test, keepalive_sm_add(&ctx->sm, &f->p), 0);
}

/* Incoming image with a node "<name>" per word of @names, version v1. */
static void rimage(struct rctx *ctx, const char *names)
{
	char *copy = rstrdup(ctx, names), *tok;
	char compatible[48];
	int node;

	KUNIT_ASSERT_EQ(ctx->test,
			fdt_create_empty_tree(ctx->incoming, INCOMING_SIZE), 0);
	while ((tok = strsep(&copy, " "))) {
		node = fdt_add_subnode(ctx->incoming, 0, tok);
		KUNIT_ASSERT_GE(ctx->test, node, 0);
		snprintf(compatible, sizeof(compatible),
			 "keepalive,test-%s-v1", tok);
		KUNIT_ASSERT_EQ(ctx->test, fdt_setprop_string(ctx->incoming, node,
							      KEEPALIVE_PROP_COMPATIBLE,
							      compatible), 0);
	}
}

static int rnode(struct rctx *ctx, const char *name)
{
	int node = fdt_subnode_offset(ctx->incoming, 0, name);

	KUNIT_ASSERT_GE(ctx->test, node, 0);
	return node;
}

static int resume_test_init(struct kunit *test)
{
	struct rctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->test = test;
	ctx->incoming = kunit_kzalloc(test, INCOMING_SIZE, GFP_KERNEL);
	if (!ctx->incoming)
		return -ENOMEM;
	keepalive_sm_init(&ctx->sm, &rimage_ops, NULL);
	ctx->sm.log = false;
	test->priv = ctx;
	return 0;
}

/* ---- resume order ---- */

/* Registered before the image: dependencies first, not list order. */
static void resume_deps_before_image(struct kunit *test)
{
	struct rctx *ctx = test->priv;

	/* dev depends on irq and mem; irq on mem; registered dev, irq, mem */
	radd(ctx, rfake(ctx, "dev", 300, "irq mem"));
	radd(ctx, rfake(ctx, "irq", 200, "mem"));
	radd(ctx, rfake(ctx, "mem", 100, NULL));
	rimage(ctx, "mem irq dev");
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "mem:resume irq:resume dev:resume");
	KUNIT_EXPECT_EQ(test, ctx->sm.state, KEEPALIVE_STATE_RESUME);
}

/* Registered after the image, dependents first: they wait. */
static void resume_deps_registered_late(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *dev = rfake(ctx, "dev", 400, "mem");
	struct rfake *mem = rfake(ctx, "mem", 100, NULL);

	rimage(ctx, "mem dev");
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	radd(ctx, dev);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "");
	KUNIT_EXPECT_EQ(test, dev->p.resume, KEEPALIVE_RESUME_WAITING);
	radd(ctx, mem);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "mem:resume dev:resume");
	KUNIT_EXPECT_EQ(test, dev->p.resume, KEEPALIVE_RESUME_DONE);
	KUNIT_EXPECT_EQ(test, mem->p.resume, KEEPALIVE_RESUME_DONE);
}

/*
 * A failed resume makes the participant itself fall back, and its
 * dependents, transitively.
 */
static void resume_failed_dep_falls_back(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *mem = rfake(ctx, "mem", 100, NULL);
	struct rfake *iommu = rfake(ctx, "iommu", 200, "mem");
	struct rfake *dev = rfake(ctx, "dev", 400, "iommu");
	struct rfake *other = rfake(ctx, "other", 400, NULL);

	mem->resume_err = -ENOMEM;
	rimage(ctx, "mem iommu dev other");
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	radd(ctx, dev);
	radd(ctx, other);
	radd(ctx, iommu);
	radd(ctx, mem);
	KUNIT_EXPECT_STREQ(test, ctx->trace,
			   "other:resume mem:resume mem:fallback(mem,-12) iommu:fallback(mem,-12) dev:fallback(iommu,-67)");
	KUNIT_EXPECT_EQ(test, mem->p.resume, KEEPALIVE_RESUME_FAILED);
	KUNIT_EXPECT_EQ(test, iommu->p.resume, KEEPALIVE_RESUME_FELL_BACK);
	KUNIT_EXPECT_EQ(test, dev->p.resume, KEEPALIVE_RESUME_FELL_BACK);
	KUNIT_EXPECT_EQ(test, other->p.resume, KEEPALIVE_RESUME_DONE);
}

/*
 * A node of another version counts as a failure: its own participant falls
 * back (what the previous kernel left running must be made safe), and so
 * do its dependents.
 */
static void resume_dep_other_version(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *mem = rfake(ctx, "mem", 100, NULL);

	rimage(ctx, "mem dev");
	/* The image has mem-v1; this kernel's mem reads v2 only. */
	strscpy(mem->compatible, "keepalive,test-mem-v2",
		sizeof(mem->compatible));
	radd(ctx, mem);
	radd(ctx, rfake(ctx, "dev", 400, "mem"));
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	KUNIT_EXPECT_STREQ(test, ctx->trace,
			   "mem:fallback(mem,-71) dev:fallback(mem,-71)");
	KUNIT_EXPECT_EQ(test, mem->p.resume, KEEPALIVE_RESUME_FAILED);
}

/* No node, nothing lost: neither the participant nor its dependents fail. */
static void resume_dep_without_node(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *mem = rfake(ctx, "mem", 100, NULL);

	rimage(ctx, "dev");
	radd(ctx, rfake(ctx, "dev", 400, "mem irq"));
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	/* irq has no node and is not registered: nothing to wait for. */
	KUNIT_EXPECT_STREQ(test, ctx->trace, "dev:resume");
	radd(ctx, mem);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "dev:resume");
	KUNIT_EXPECT_EQ(test, mem->p.resume, KEEPALIVE_RESUME_DONE);
}

/* A dependency with a node that never registers fails when boot settles. */
static void resume_dep_never_registers(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *dev = rfake(ctx, "dev", 400, "iommu");

	rimage(ctx, "iommu dev");
	radd(ctx, dev);
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "");
	keepalive_sm_settle(&ctx->sm);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "dev:fallback(iommu,-19)");
	KUNIT_EXPECT_EQ(test, dev->p.resume, KEEPALIVE_RESUME_FELL_BACK);
	/* A dependent registering after boot fails right away. */
	radd(ctx, rfake(ctx, "late", 500, "iommu"));
	KUNIT_EXPECT_STREQ(test, ctx->trace, "dev:fallback(iommu,-19)");
}

/* Participants waiting on each other fall back when boot settles. */
static void resume_cycle(struct kunit *test)
{
	struct rctx *ctx = test->priv;

	rimage(ctx, "x y z");
	radd(ctx, rfake(ctx, "x", 100, "y"));
	radd(ctx, rfake(ctx, "y", 100, "x"));
	radd(ctx, rfake(ctx, "z", 100, "y"));
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "");
	keepalive_sm_settle(&ctx->sm);
	KUNIT_EXPECT_STREQ(test, ctx->trace,
			   "x:fallback((cycle),-35) y:fallback(x,-67) z:fallback(y,-67)");
}

/* A participant needed now stops waiting for a dependency. */
static void resume_now_forces(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *dev = rfake(ctx, "dev", 400, "mem");
	struct rfake *mem = rfake(ctx, "mem", 100, NULL);

	rimage(ctx, "mem dev");
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	radd(ctx, dev);
	keepalive_sm_resume_now(&ctx->sm, &dev->p);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "dev:fallback(mem,-19)");
	/* Once resolved, nothing changes it. */
	keepalive_sm_resume_now(&ctx->sm, &dev->p);
	radd(ctx, mem);
	KUNIT_EXPECT_STREQ(test, ctx->trace, "dev:fallback(mem,-19) mem:resume");
	KUNIT_EXPECT_EQ(test, dev->p.resume, KEEPALIVE_RESUME_FELL_BACK);
}

/* Without a fallback the dependent's node is ignored, and it is failed. */
static void resume_no_fallback(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *mem = rfake(ctx, "mem", 100, NULL);
	struct rfake *dev = rfake(ctx, "dev", 400, "mem");
	struct rfake *top = rfake(ctx, "top", 500, "dev");

	mem->resume_err = -EIO;
	dev->p.ops = &rfake_ops_no_fallback;
	rimage(ctx, "mem dev top");
	radd(ctx, top);
	radd(ctx, dev);
	radd(ctx, mem);
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	KUNIT_EXPECT_STREQ(test, ctx->trace,
			   "mem:resume mem:fallback(mem,-5) top:fallback(dev,-67)");
	KUNIT_EXPECT_EQ(test, dev->p.resume, KEEPALIVE_RESUME_FELL_BACK);
}

static struct fault_attr resume_fault;

static bool resume_should_fail(void)
{
	return should_fail(&resume_fault, 1);
}

/* The fault attribute fails a resume like the participant would. */
static void resume_fault_injected(struct kunit *test)
{
	static const struct fault_attr init = FAULT_ATTR_INITIALIZER;
	struct rctx *ctx = test->priv;

	resume_fault = init;
	resume_fault.probability = 100;
	resume_fault.verbose = 0;
	atomic_set(&resume_fault.space, 2);	/* the 2nd consultation fails */
	keepalive_sm_init(&ctx->sm, &rimage_ops, resume_should_fail);
	ctx->sm.log = false;
	radd(ctx, rfake(ctx, "mem", 100, NULL));
	radd(ctx, rfake(ctx, "iommu", 200, NULL));
	radd(ctx, rfake(ctx, "dev", 400, "mem iommu"));
	rimage(ctx, "mem iommu dev");
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	/* iommu failed by injection: its ->resume was never called. */
	KUNIT_EXPECT_STREQ(test, ctx->trace,
			   "mem:resume iommu:fallback(iommu,-5) dev:fallback(iommu,-5)");
	KUNIT_EXPECT_EQ(test, atomic_read(&resume_fault.times), 0);
}

/* CONCLUDE makes every participant idle again. */
static void resume_conclude_resets(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct keepalive_result res;
	struct rfake *mem = rfake(ctx, "mem", 100, NULL);

	rimage(ctx, "mem");
	radd(ctx, mem);
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	KUNIT_EXPECT_EQ(test, mem->p.resume, KEEPALIVE_RESUME_DONE);
	KUNIT_EXPECT_EQ(test, 0, keepalive_sm_event(&ctx->sm,
						    KEEPALIVE_EV_POST_RESUME,
						    &res));
	KUNIT_EXPECT_EQ(test, 0, keepalive_sm_event(&ctx->sm,
						    KEEPALIVE_EV_CONCLUDE,
						    &res));
	KUNIT_EXPECT_EQ(test, mem->p.resume, KEEPALIVE_RESUME_IDLE);
	KUNIT_EXPECT_NULL(test, ctx->sm.incoming);
}

/* Bad dependency lists are refused at registration. */
static void resume_bad_depends(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *self = rfake(ctx, "self", 100, "self");
	struct rfake *empty = rfake(ctx, "empty", 100, NULL);
	static const char * const empty_dep[] = { "", NULL };

	empty->p.depends = empty_dep;
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &self->p), -EINVAL);
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &empty->p), -EINVAL);
}

/* The names of @ctx's participants in list (forward) order. */
static const char *rorder(struct rctx *ctx)
{
	struct keepalive_participant *p;
	char *buf = kunit_kzalloc(ctx->test, 128, GFP_KERNEL);
	size_t n = 0;

	KUNIT_ASSERT_NOT_NULL(ctx->test, buf);
	list_for_each_entry(p, &ctx->sm.participants, list)
		n += scnprintf(buf + n, 128 - n, "%s%s", n ? " " : "", p->name);
	return buf;
}

/*
 * Depending on a participant of a higher priority is refused, whichever
 * registers first: forward callbacks would run the dependency after.
 */
static void resume_depends_against_priority(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *iommu = rfake(ctx, "iommu", 200, NULL);
	struct rfake *mem = rfake(ctx, "mem", 300, NULL);
	struct rfake *dev = rfake(ctx, "dev", 100, "iommu");
	struct rfake *late = rfake(ctx, "late", 100, "mem");

	radd(ctx, iommu);
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &dev->p), -EINVAL);
	radd(ctx, late);
	KUNIT_EXPECT_EQ(test, keepalive_sm_add(&ctx->sm, &mem->p), -EINVAL);
	KUNIT_EXPECT_STREQ(test, rorder(ctx), "late iommu");
}

/*
 * A dependency of the same priority runs first, whichever registers
 * first; a lower one is fine in either order.
 */
static void resume_depends_same_priority(struct kunit *test)
{
	struct rctx *ctx = test->priv;

	radd(ctx, rfake(ctx, "dev", 400, "irq"));
	radd(ctx, rfake(ctx, "top", 400, "dev"));
	radd(ctx, rfake(ctx, "irq", 400, NULL));
	radd(ctx, rfake(ctx, "mem", 100, NULL));
	radd(ctx, rfake(ctx, "iommu", 200, "mem"));
	KUNIT_EXPECT_STREQ(test, rorder(ctx), "mem iommu irq dev top");
}

/* ---- shared records ---- */

/* keepalive_sm_record() of @owner's node, as "keepalive,test-<c>-v1" */
static int rec(struct rctx *ctx, const char *owner, const char *c,
	       const void **fdt)
{
	char compatible[48];

	snprintf(compatible, sizeof(compatible), "keepalive,test-%s", c);
	return keepalive_sm_record(&ctx->sm, owner, compatible, fdt);
}

/* keepalive_sm_pci_record() of iommu's record of @seg:@bus:@devfn */
static int pci_rec(struct rctx *ctx, u32 seg, u32 bus, u32 devfn,
		   const void **fdt)
{
	return keepalive_sm_pci_record(&ctx->sm, "iommu",
				       "keepalive,test-iommu-v1", seg, bus,
				       devfn, fdt);
}

/* "iommu" holds records of two devices, one of them malformed, one good. */
static void rimage_records(struct rctx *ctx)
{
	void *fdt = ctx->incoming;
	int node, dev;

	rimage(ctx, "iommu vfio");
	node = rnode(ctx, "iommu");
	/* 0000:00:03.0 misspelled (a leading zero): names nothing */
	dev = fdt_add_subnode(fdt, node, KEEPALIVE_PCI_NODE_PREFIX "018");
	KUNIT_ASSERT_GE(ctx->test, dev, 0);
	dev = keepalive_fdt_add_pci_node(fdt, node, 0, 1, 0x18);
	KUNIT_ASSERT_GE(ctx->test, dev, 0);
	KUNIT_ASSERT_EQ(ctx->test, fdt_setprop_u32(fdt, dev, "domain-id", 7), 0);
}

static void records_found_once_owner_resumed(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	const void *fdt = NULL;
	int node, len;
	const fdt32_t *did;

	rimage_records(ctx);
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	/* Not registered yet: it may still resume. */
	KUNIT_EXPECT_EQ(test, rec(ctx, "iommu", "iommu-v1", &fdt), -EAGAIN);
	radd(ctx, rfake(ctx, "iommu", 200, NULL));
	node = rec(ctx, "iommu", "iommu-v1", &fdt);
	KUNIT_EXPECT_EQ(test, node, rnode(ctx, "iommu"));
	KUNIT_EXPECT_PTR_EQ(test, fdt, (const void *)ctx->incoming);

	node = pci_rec(ctx, 0, 1, 0x18, &fdt);
	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_EXPECT_STREQ(test, fdt_get_name(fdt, node, NULL), "pci@118");
	did = fdt_getprop(fdt, node, "domain-id", &len);
	KUNIT_ASSERT_NOT_NULL(test, did);
	KUNIT_EXPECT_EQ(test, fdt32_ld(did), 7);
	/* The malformed record names no device; nor does a wrong place. */
	KUNIT_EXPECT_EQ(test, pci_rec(ctx, 0, 0, 0x18, &fdt), -ENOENT);
	KUNIT_EXPECT_EQ(test, pci_rec(ctx, 1, 1, 0x18, &fdt), -ENOENT);
}

/*
 * A per-device record is named "pci@<sbdf>" in exactly one spelling
 * (abi/core.h): what keepalive_fdt_add_pci_node() writes reads back
 * through keepalive_fdt_pci_place(), and nothing else names a device.
 */
static void records_pci_names(struct kunit *test)
{
	static const char * const bad[] = {
		"pci@", "pci@018", "pci@0x18", "PCI@18", "pci@1A", "pci@+18",
		"pci@18 ", "pci@-18", "pci@100000000", "device@18", "pci18",
	};
	struct rctx *ctx = test->priv;
	void *fdt = ctx->incoming;
	u32 seg, bus, devfn;
	unsigned int i;
	int node;

	KUNIT_ASSERT_EQ(test, fdt_create_empty_tree(fdt, INCOMING_SIZE), 0);
	node = keepalive_fdt_add_pci_node(fdt, 0, 0xffff, 0xff, 0xff);
	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_EXPECT_STREQ(test, fdt_get_name(fdt, node, NULL), "pci@ffffffff");
	KUNIT_EXPECT_EQ(test, keepalive_fdt_pci_place(fdt, node, &seg, &bus,
						      &devfn), 0);
	KUNIT_EXPECT_EQ(test, seg, 0xffff);
	KUNIT_EXPECT_EQ(test, bus, 0xff);
	KUNIT_EXPECT_EQ(test, devfn, 0xff);
	node = keepalive_fdt_add_pci_node(fdt, 0, 0, 0, 0);
	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_EXPECT_STREQ(test, fdt_get_name(fdt, node, NULL), "pci@0");
	KUNIT_EXPECT_EQ(test, keepalive_fdt_pci_place(fdt, node, &seg, &bus,
						      &devfn), 0);
	KUNIT_EXPECT_EQ(test, seg | bus | devfn, 0);
	/* The same device twice; numbers out of range. */
	KUNIT_EXPECT_EQ(test, keepalive_fdt_add_pci_node(fdt, 0, 0, 0, 0),
			-FDT_ERR_EXISTS);
	KUNIT_EXPECT_EQ(test, keepalive_fdt_add_pci_node(fdt, 0, 0x10000, 0, 0),
			-FDT_ERR_BADVALUE);
	KUNIT_EXPECT_EQ(test, keepalive_fdt_add_pci_node(fdt, 0, 0, 0x100, 0),
			-FDT_ERR_BADVALUE);
	KUNIT_EXPECT_EQ(test, keepalive_fdt_add_pci_node(fdt, 0, 0, 0, 0x100),
			-FDT_ERR_BADVALUE);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		node = fdt_add_subnode(fdt, 0, bad[i]);
		KUNIT_ASSERT_GE_MSG(test, node, 0, "%s", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, keepalive_fdt_pci_place(fdt, node, &seg,
								  &bus, &devfn),
				    -EINVAL, "%s", bad[i]);
	}
}

static void records_refused(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *iommu = rfake(ctx, "iommu", 200, NULL);
	const void *fdt = NULL;

	/* No incoming image at all. */
	KUNIT_EXPECT_EQ(test, rec(ctx, "iommu", "iommu-v1", &fdt), -ENOENT);
	rimage_records(ctx);
	iommu->resume_err = -EINVAL;
	radd(ctx, iommu);
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	/* No such node; another version; an owner that failed. */
	KUNIT_EXPECT_EQ(test, rec(ctx, "irq", "irq-v1", &fdt), -ENOENT);
	KUNIT_EXPECT_EQ(test, rec(ctx, "iommu", "iommu-v2", &fdt), -EPROTO);
	KUNIT_EXPECT_EQ(test, rec(ctx, "iommu", "iommu-v1", &fdt), -ENOLINK);
	KUNIT_EXPECT_EQ(test, pci_rec(ctx, 0, 1, 0x18, &fdt), -ENOLINK);
	/* An owner with a node that never registered, once boot settled. */
	KUNIT_EXPECT_EQ(test, rec(ctx, "vfio", "vfio-v1", &fdt), -EAGAIN);
	keepalive_sm_settle(&ctx->sm);
	KUNIT_EXPECT_EQ(test, rec(ctx, "vfio", "vfio-v1", &fdt), -ENOLINK);
	KUNIT_EXPECT_NULL(test, fdt);
}

/* A dependent reading its dependency's records in its own resume. */
static int reader_resume(struct keepalive_participant *p, const void *fdt,
			 int node)
{
	struct rfake *f = to_rfake(p);
	const void *blob;
	int found = pci_rec(f->ctx, 0, 1, 0x18, &blob);

	rtrace(f->ctx, "%s:sees(%d)", p->name, found >= 0 ? 0 : found);
	return 0;
}

static const struct keepalive_ops reader_ops = {
	.resume = reader_resume,
};

static void records_read_by_dependent(struct kunit *test)
{
	struct rctx *ctx = test->priv;
	struct rfake *vfio = rfake(ctx, "vfio", 400, "iommu");

	vfio->p.ops = &reader_ops;
	rimage_records(ctx);
	keepalive_sm_resume(&ctx->sm, ctx->incoming);
	radd(ctx, vfio);
	radd(ctx, rfake(ctx, "iommu", 200, NULL));
	KUNIT_EXPECT_STREQ(test, ctx->trace, "iommu:resume vfio:sees(0)");
}

static struct kunit_case resume_cases[] = {
	KUNIT_CASE(resume_deps_before_image),
	KUNIT_CASE(resume_deps_registered_late),
	KUNIT_CASE(resume_failed_dep_falls_back),
	KUNIT_CASE(resume_dep_other_version),
	KUNIT_CASE(resume_dep_without_node),
	KUNIT_CASE(resume_dep_never_registers),
	KUNIT_CASE(resume_cycle),
	KUNIT_CASE(resume_now_forces),
	KUNIT_CASE(resume_no_fallback),
	KUNIT_CASE(resume_fault_injected),
	KUNIT_CASE(resume_conclude_resets),
	KUNIT_CASE(resume_bad_depends),
	KUNIT_CASE(resume_depends_against_priority),
	KUNIT_CASE(resume_depends_same_priority),
	{}
};

static struct kunit_suite resume_suite = {
	.name = "keepalive_resume_order",
	.init = resume_test_init,
	.test_cases = resume_cases,
};

static struct kunit_case records_cases[] = {
	KUNIT_CASE(records_found_once_owner_resumed),
	KUNIT_CASE(records_pci_names),
	KUNIT_CASE(records_refused),
	KUNIT_CASE(records_read_by_dependent),
	{}
};

static struct kunit_suite records_suite = {
	.name = "keepalive_shared_records",
	.init = resume_test_init,
	.test_cases = records_cases,
};

kunit_test_suites(&resume_suite, &records_suite);
