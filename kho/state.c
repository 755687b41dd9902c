// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the handover state machine.
 *
 *   RUNNING --prepare--> PREPARE --pre-stop--> PRE-STOP --stop--> STOP
 *      ^                    |                      |                |
 *      +------abort---------+----------------------+----------------+
 *
 *   STOP --(kexec)--> RESUME --post-resume--> POST-RESUME --conclude--> RUNNING
 *
 * Forward callbacks run in list (priority) order. When one fails, the
 * participants that already completed the same transition are undone in
 * reverse order and the state does not change. ABORT undoes every step
 * taken since RUNNING, latest first. CONCLUDE releases in reverse order:
 * devices before the IOMMU and the memory they DMA into.
 *
 * This file holds the transitions, their undo and the list they run in;
 * resume.c the next kernel's resume in dependency order, and record.c the
 * lookup of another participant's incoming records.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/kernel.h>
#include <linux/libfdt.h>
#include <linux/lockdep.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <trace/events/keepalive.h>

#include "kho.h"

static const char * const state_names[] = {
	[KEEPALIVE_STATE_RUNNING]	= "running",
	[KEEPALIVE_STATE_PREPARE]	= "prepare",
	[KEEPALIVE_STATE_PRE_STOP]	= "pre-stop",
	[KEEPALIVE_STATE_STOP]		= "stop",
	[KEEPALIVE_STATE_RESUME]	= "resume",
	[KEEPALIVE_STATE_POST_RESUME]	= "post-resume",
	[KEEPALIVE_STATE_REBOOTING]	= "rebooting",
};

static const char * const event_names[] = {
	[KEEPALIVE_EV_PREPARE]		= "prepare",
	[KEEPALIVE_EV_PRE_STOP]		= "pre-stop",
	[KEEPALIVE_EV_STOP]		= "stop",
	[KEEPALIVE_EV_ABORT]		= "abort",
	[KEEPALIVE_EV_POST_RESUME]	= "post-resume",
	[KEEPALIVE_EV_CONCLUDE]		= "conclude",
};

/**
 * keepalive_state_name() - name of a state, as shown in sysfs
 * @state: the state
 *
 * Context: Any context.
 * Return: a static string; "invalid" for an unknown value.
 */
const char *keepalive_state_name(enum keepalive_state state)
{
	if (state >= ARRAY_SIZE(state_names) || !state_names[state])
		return "invalid";
	return state_names[state];
}

/**
 * keepalive_event_parse() - parse an event word written to sysfs
 * @buf: "prepare", "pre-stop", "stop", "abort", "post-resume" or
 *	"conclude", optionally followed by a newline
 * @ev: out: the event
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for any other word.
 */
int keepalive_event_parse(const char *buf, enum keepalive_event *ev)
{
	/* event_names[0] is a hole: match from the first event on. */
	int i = __sysfs_match_string(event_names + 1,
				     ARRAY_SIZE(event_names) - 1, buf);

	if (i < 0)
		return -EINVAL;
	*ev = i + 1;
	return 0;
}

/**
 * keepalive_sm_init() - initialise a state machine in RUNNING
 * @sm: the state machine
 * @image: how it builds its outgoing image
 * @should_fail: fault injection hook, or NULL
 *
 * Context: Process context.
 */
void keepalive_sm_init(struct keepalive_sm *sm,
		       const struct keepalive_image_ops *image,
		       bool (*should_fail)(void))
{
	mutex_init(&sm->lock);
	sm->state = KEEPALIVE_STATE_RUNNING;
	INIT_LIST_HEAD(&sm->participants);
	sm->image = image;
	sm->incoming = NULL;
	sm->should_fail = should_fail;
	sm->log = true;
	sm->frozen = false;
	sm->settled = false;
}

/* Forward callbacks, in list order; see for_each_step() */
enum step { STEP_PREPARE, STEP_PRE_STOP, STEP_STOP, STEP_POST_RESUME };

static const char * const step_names[] = {
	[STEP_PREPARE]		= "prepare",
	[STEP_PRE_STOP]		= "pre-stop",
	[STEP_STOP]		= "stop",
	[STEP_POST_RESUME]	= "post-resume",
};

static int call_step(struct keepalive_sm *sm, struct keepalive_participant *p,
		     enum step step, void *fdt)
{
	const struct keepalive_ops *ops = p->ops;
	int node;

	if (sm->should_fail && sm->should_fail())
		return -EIO;

	switch (step) {
	case STEP_PREPARE:
		return ops->prepare ? ops->prepare(p) : 0;
	case STEP_PRE_STOP:
		return ops->pre_stop ? ops->pre_stop(p) : 0;
	case STEP_STOP:
		node = fdt_add_subnode(fdt, 0, p->name);
		if (node < 0)
			return node == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
		if (fdt_setprop_string(fdt, node, KEEPALIVE_PROP_COMPATIBLE,
				       p->compatible))
			return -ENOSPC;
		return ops->stop ? ops->stop(p, fdt, node) : 0;
	case STEP_POST_RESUME:
		return ops->post_resume ? ops->post_resume(p) : 0;
	}
	return -EINVAL;
}

/* call_step(), traced as keepalive_step. */
static int run_step(struct keepalive_sm *sm, struct keepalive_participant *p,
		    enum step step, void *fdt)
{
	u64 t0 = local_clock();
	int ret = call_step(sm, p, step, fdt);

	trace_keepalive_step(p->name, step_names[step], ret,
			     local_clock() - t0);
	return ret;
}

static void undo_step(struct keepalive_participant *p, enum step step)
{
	const struct keepalive_ops *ops = p->ops;

	switch (step) {
	case STEP_PREPARE:
		if (ops->unprepare)
			ops->unprepare(p);
		break;
	case STEP_PRE_STOP:
		if (ops->unpre_stop)
			ops->unpre_stop(p);
		break;
	case STEP_STOP:
		if (ops->unstop)
			ops->unstop(p);
		break;
	case STEP_POST_RESUME:
		if (ops->unpost_resume)
			ops->unpost_resume(p);
		break;
	}
}

/* Undo @step for every participant, in reverse order. */
static void undo_all(struct keepalive_sm *sm, enum step step)
{
	struct keepalive_participant *p;

	list_for_each_entry_reverse(p, &sm->participants, list)
		undo_step(p, step);
}

/*
 * Run @step for every participant; on a failure undo the ones that
 * completed it, latest first, and report who failed.
 */
static int run_all(struct keepalive_sm *sm, enum step step, void *fdt,
		   struct keepalive_result *res)
{
	struct keepalive_participant *p;
	int ret;

	list_for_each_entry(p, &sm->participants, list) {
		ret = run_step(sm, p, step, fdt);
		if (!ret)
			continue;
		if (sm->log)
			pr_err("%s: participant %s failed: %d, undoing the %s of the others\n",
			       step_names[step], p->name, ret, step_names[step]);
		strscpy(res->participant, p->name, sizeof(res->participant));
		list_for_each_entry_continue_reverse(p, &sm->participants, list)
			undo_step(p, step);
		return ret;
	}
	return 0;
}

static int do_stop(struct keepalive_sm *sm, struct keepalive_result *res)
{
	void *fdt;
	u64 t0;
	int ret;

	if (sm->should_fail && sm->should_fail())
		ret = -ENOMEM;
	else
		ret = sm->image->begin(sm, &fdt);
	if (ret) {
		if (sm->log)
			pr_err("stop: cannot start the handover image: %d\n", ret);
		return ret;
	}
	ret = run_all(sm, STEP_STOP, fdt, res);
	if (ret)
		goto discard_image;
	t0 = local_clock();
	ret = sm->image->seal(sm, fdt);
	trace_keepalive_image_sealed(ret ? 0 : fdt_totalsize(fdt), ret,
				     local_clock() - t0);
	if (ret) {
		if (sm->log)
			pr_err("stop: cannot seal the handover image: %d\n", ret);
		goto undo_stop;
	}
	return 0;

undo_stop:
	undo_all(sm, STEP_STOP);
discard_image:
	sm->image->discard(sm);
	return ret;
}

static void do_abort(struct keepalive_sm *sm)
{
	switch (sm->state) {
	case KEEPALIVE_STATE_STOP:
		undo_all(sm, STEP_STOP);
		sm->image->discard(sm);
		fallthrough;
	case KEEPALIVE_STATE_PRE_STOP:
		undo_all(sm, STEP_PRE_STOP);
		fallthrough;
	case KEEPALIVE_STATE_PREPARE:
		undo_all(sm, STEP_PREPARE);
		break;
	default:
		WARN_ON_ONCE(1);
	}
}

static void do_conclude(struct keepalive_sm *sm)
{
	struct keepalive_participant *p;

	list_for_each_entry_reverse(p, &sm->participants, list) {
		u64 t0 = local_clock();

		if (p->ops->conclude)
			p->ops->conclude(p);
		trace_keepalive_step(p->name, "conclude", 0, local_clock() - t0);
		p->resume = KEEPALIVE_RESUME_IDLE;
	}
	sm->image->conclude(sm);
	sm->incoming = NULL;
}

/* The state a known event leads to from @from, or -EINVAL. */
static int next_state(enum keepalive_state from, enum keepalive_event ev)
{
	switch (ev) {
	case KEEPALIVE_EV_PREPARE:
		return from == KEEPALIVE_STATE_RUNNING ?
			KEEPALIVE_STATE_PREPARE : -EINVAL;
	case KEEPALIVE_EV_PRE_STOP:
		return from == KEEPALIVE_STATE_PREPARE ?
			KEEPALIVE_STATE_PRE_STOP : -EINVAL;
	case KEEPALIVE_EV_STOP:
		return from == KEEPALIVE_STATE_PRE_STOP ?
			KEEPALIVE_STATE_STOP : -EINVAL;
	case KEEPALIVE_EV_ABORT:
		return from == KEEPALIVE_STATE_PREPARE ||
		       from == KEEPALIVE_STATE_PRE_STOP ||
		       from == KEEPALIVE_STATE_STOP ?
			KEEPALIVE_STATE_RUNNING : -EINVAL;
	case KEEPALIVE_EV_POST_RESUME:
		return from == KEEPALIVE_STATE_RESUME ?
			KEEPALIVE_STATE_POST_RESUME : -EINVAL;
	case KEEPALIVE_EV_CONCLUDE:
		return from == KEEPALIVE_STATE_POST_RESUME ?
			KEEPALIVE_STATE_RUNNING : -EINVAL;
	}
	return -EINVAL;
}

/**
 * keepalive_sm_event() - make a transition
 * @sm: the state machine
 * @ev: the requested event
 * @res: out: the state afterwards and, on failure, who failed
 *
 * Context: Process context; takes @sm->lock, may sleep.
 * Return: 0 on success;
 * -EOPNOTSUPP for an unknown event;
 * -EINVAL when @ev is not allowed in the current state;
 * -EBUSY once a kexec has started;
 * otherwise the errno of the participant (named in @res) or of the core
 * step that failed, with the state unchanged and everything undone.
 */
int keepalive_sm_event(struct keepalive_sm *sm, enum keepalive_event ev,
		       struct keepalive_result *res)
{
	enum keepalive_state from;
	int next, ret = 0;
	u64 t0;

	memset(res, 0, sizeof(*res));
	mutex_lock(&sm->lock);
	t0 = local_clock();
	from = sm->state;
	if (ev < KEEPALIVE_EV_PREPARE || ev >= ARRAY_SIZE(event_names)) {
		ret = -EOPNOTSUPP;
		if (sm->log)
			pr_warn("unknown event %u refused\n", ev);
		goto out;
	}
	if (from == KEEPALIVE_STATE_REBOOTING) {
		ret = -EBUSY;
		if (sm->log)
			pr_warn("%s refused: a kexec is in progress\n",
				event_names[ev]);
		goto out;
	}
	next = next_state(from, ev);
	if (next < 0) {
		ret = next;
		if (sm->log)
			pr_warn("%s refused in state %s\n", event_names[ev],
				keepalive_state_name(from));
		goto out;
	}

	switch (ev) {
	case KEEPALIVE_EV_PREPARE:
		ret = run_all(sm, STEP_PREPARE, NULL, res);
		break;
	case KEEPALIVE_EV_PRE_STOP:
		/* Before the participants: see keepalive_sm_frozen(). */
		WRITE_ONCE(sm->frozen, true);
		ret = run_all(sm, STEP_PRE_STOP, NULL, res);
		if (ret)
			WRITE_ONCE(sm->frozen, false);
		break;
	case KEEPALIVE_EV_STOP:
		ret = do_stop(sm, res);
		break;
	case KEEPALIVE_EV_ABORT:
		do_abort(sm);
		WRITE_ONCE(sm->frozen, false);
		break;
	case KEEPALIVE_EV_POST_RESUME:
		ret = run_all(sm, STEP_POST_RESUME, NULL, res);
		break;
	case KEEPALIVE_EV_CONCLUDE:
		do_conclude(sm);
		break;
	}
	if (!ret) {
		sm->state = next;
		if (sm->log)
			pr_info("%s: %s -> %s\n", event_names[ev],
				keepalive_state_name(from),
				keepalive_state_name(next));
	}
out:
	res->state = sm->state;
	res->error = ret;
	trace_keepalive_transition(ev < ARRAY_SIZE(event_names) &&
				   event_names[ev] ? event_names[ev] : "unknown",
				   keepalive_state_name(from),
				   keepalive_state_name(sm->state), ret,
				   local_clock() - t0);
	mutex_unlock(&sm->lock);
	return ret;
}

/**
 * keepalive_sm_frozen() - may the set of preserved objects change?
 * @sm: the state machine
 * @what: what the caller is refusing, for the log ("create file a")
 *
 * The handover is frozen from the start of PRE-STOP until ABORT or the
 * kexec: what PRE-STOP copied and STOP serializes must not change under
 * it. The core sets the freeze before it calls the participants' @pre_stop,
 * so a participant that takes its own lock in @pre_stop sees every change
 * that passed this check under that lock.
 *
 * Context: Any context; call it under the lock that guards the change.
 * Return: 0, or -EBUSY (logged, rate-limited, with the state's name).
 */
int keepalive_sm_frozen(struct keepalive_sm *sm, const char *what)
{
	enum keepalive_state state = READ_ONCE(sm->state);

	if (!READ_ONCE(sm->frozen) && state != KEEPALIVE_STATE_REBOOTING)
		return 0;
	if (sm->log)
		pr_warn_ratelimited("%s refused: the handover is frozen (state %s) until abort or the kexec\n",
				    what, keepalive_state_name(state));
	return -EBUSY;
}

/**
 * keepalive_sm_kexec() - a kexec is starting: freeze the state machine
 * @sm: the state machine
 *
 * From now on every transition fails with -EBUSY. Waits for a transition
 * in progress to finish.
 *
 * Context: Process context; takes @sm->lock.
 * Return: the state the kexec happens in.
 */
enum keepalive_state keepalive_sm_kexec(struct keepalive_sm *sm)
{
	enum keepalive_state state;

	mutex_lock(&sm->lock);
	state = sm->state;
	sm->state = KEEPALIVE_STATE_REBOOTING;
	mutex_unlock(&sm->lock);
	return state;
}

/**
 * keepalive_sm_find() - a registered participant by name
 * @sm: the state machine
 * @name: its name
 *
 * Context: @sm->lock held, or boot (nothing unregisters).
 * Return: the participant, or NULL.
 */
struct keepalive_participant *keepalive_sm_find(struct keepalive_sm *sm,
						const char *name)
{
	struct keepalive_participant *p;

	list_for_each_entry(p, &sm->participants, list)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static bool depends_on(const struct keepalive_participant *p,
		       const char *name)
{
	const char * const *d;

	for (d = p->depends; d && *d; d++)
		if (!strcmp(*d, name))
			return true;
	return false;
}

/*
 * Do @p's priority and dependencies agree with those of the registered
 * participants? Forward callbacks run in priority order, so a participant
 * must not depend on one of a higher priority, in either direction of
 * registration. Return 0, or -EINVAL naming the two in the log.
 */
static int order_check(struct keepalive_sm *sm,
		       const struct keepalive_participant *p)
{
	const struct keepalive_participant *q, *dep, *dependent;

	list_for_each_entry(q, &sm->participants, list) {
		if (depends_on(p, q->name) && q->priority > p->priority) {
			dep = q;
			dependent = p;
		} else if (depends_on(q, p->name) && p->priority > q->priority) {
			dep = p;
			dependent = q;
		} else {
			continue;
		}
		if (sm->log)
			pr_err("register %s refused: %s (priority %u) depends on %s (priority %u), which would run after it\n",
			       p->name, dependent->name, dependent->priority,
			       dep->name, dep->priority);
		return -EINVAL;
	}
	return 0;
}

/*
 * Where @p goes: after the last one of lower or equal priority, but before
 * one of the same priority that depends on it (unless @p depends on that
 * one too: a cycle, which only resume can break, see resume.c).
 */
static struct list_head *insert_before(struct keepalive_sm *sm,
				       const struct keepalive_participant *p)
{
	struct keepalive_participant *pos;

	list_for_each_entry(pos, &sm->participants, list) {
		if (pos->priority > p->priority)
			break;
		if (pos->priority == p->priority && depends_on(pos, p->name) &&
		    !depends_on(p, pos->name))
			break;
	}
	return &pos->list;
}

/**
 * keepalive_sm_add() - add a participant
 * @sm: the state machine
 * @p: the participant, with @name, @compatible, @priority and @ops set
 *
 * In RESUME or POST-RESUME, @p resumes right away if its dependencies
 * have, or as soon as they do.
 *
 * Context: Process context; takes @sm->lock.
 * Return: 0;
 * -EINVAL for a participant without a compatible or ops, without a
 * name of 1 to 31 characters of [a-z0-9-], depending on itself or on
 * an empty name, depending on a registered participant of a higher
 * priority, or of a higher priority than a registered one that depends
 * on it (logged: forward callbacks run in priority order, and must run a
 * dependency first);
 * -EEXIST when a participant of that name is registered;
 * -EBUSY while a handover is being prepared (PREPARE to STOP) or a kexec
 * has started: a participant that missed the earlier steps cannot join.
 */
int keepalive_sm_add(struct keepalive_sm *sm, struct keepalive_participant *p)
{
	const char * const *dep;
	int ret = 0;

	if (!p->name || !p->compatible || !p->ops || !*p->name ||
	    strlen(p->name) >= sizeof(((struct keepalive_result *)0)->participant) ||
	    strspn(p->name, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(p->name))
		return -EINVAL;
	for (dep = p->depends; dep && *dep; dep++)
		if (!**dep || !strcmp(*dep, p->name))
			return -EINVAL;

	mutex_lock(&sm->lock);
	switch (sm->state) {
	case KEEPALIVE_STATE_RUNNING:
	case KEEPALIVE_STATE_RESUME:
	case KEEPALIVE_STATE_POST_RESUME:
		break;
	default:
		ret = -EBUSY;
		goto out;
	}
	if (keepalive_sm_find(sm, p->name)) {
		ret = -EEXIST;
		goto out;
	}
	ret = order_check(sm, p);
	if (ret)
		goto out;
	list_add_tail(&p->list, insert_before(sm, p));
	p->resume = KEEPALIVE_RESUME_IDLE;
	p->resume_err = 0;
	if (sm->incoming) {
		p->resume = KEEPALIVE_RESUME_WAITING;
		keepalive_sm_resume_pending(sm);
	}
out:
	mutex_unlock(&sm->lock);
	return ret;
}

/**
 * keepalive_sm_del() - remove a participant
 * @sm: the state machine
 * @p: a participant added with keepalive_sm_add()
 *
 * Only while no handover is being prepared: removing a participant in the
 * middle of one would leave its steps without their undo.
 *
 * Context: Process context; takes @sm->lock.
 */
void keepalive_sm_del(struct keepalive_sm *sm, struct keepalive_participant *p)
{
	mutex_lock(&sm->lock);
	WARN_ON_ONCE(sm->state == KEEPALIVE_STATE_PREPARE ||
		     sm->state == KEEPALIVE_STATE_PRE_STOP ||
		     sm->state == KEEPALIVE_STATE_STOP);
	list_del(&p->list);
	mutex_unlock(&sm->lock);
}
