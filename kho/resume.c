// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the next kernel's resume, in dependency order,
 * and the fallback of a participant whose dependency failed.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/kernel.h>
#include <linux/libfdt.h>
#include <linux/lockdep.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <trace/events/keepalive.h>

#include "kho.h"

/*
 * Resume order. In the next kernel a participant's @resume runs once every
 * participant it depends on is resolved, whatever the order in which they
 * register: keepalive_sm_resume_pending() runs to a fixed point whenever something
 * changes (the image arrives, a participant registers, boot settles). A
 * participant whose dependency failed gets @fallback instead, and counts
 * as failed for its own dependents.
 */

static bool incoming_has(struct keepalive_sm *sm, const char *name)
{
	return fdt_subnode_offset(sm->incoming, 0, name) >= 0;
}

/*
 * Are @p's dependencies resolved? 0 when each resumed or had nothing
 * handed over; -EAGAIN while one may still resume; otherwise the error of
 * the first that failed, named in *@dep. With @force, a dependency that
 * is still waiting counts as failed with -ETIMEDOUT.
 */
static int deps_status(struct keepalive_sm *sm,
		       struct keepalive_participant *p, const char **dep,
		       bool force)
{
	const char * const *d;

	for (d = p->depends; d && *d; d++) {
		struct keepalive_participant *q = keepalive_sm_find(sm, *d);

		*dep = *d;
		if (!q) {
			if (!incoming_has(sm, *d))
				continue;
			if (sm->settled || force)
				return -ENODEV;	/* never registered */
			return -EAGAIN;
		}
		switch (q->resume) {
		case KEEPALIVE_RESUME_DONE:
			continue;
		case KEEPALIVE_RESUME_FAILED:
		case KEEPALIVE_RESUME_FELL_BACK:
			return q->resume_err;
		default:
			return force ? -ETIMEDOUT : -EAGAIN;
		}
	}
	return 0;
}

static void resolved(struct keepalive_participant *p, int err)
{
	p->resume_err = err;
	p->resume = err ? KEEPALIVE_RESUME_FAILED : KEEPALIVE_RESUME_DONE;
}

/* Run @p's fallback, if it has one, because @dep failed with @err. */
static void fall_back(struct keepalive_sm *sm, struct keepalive_participant *p,
		      int node, const char *dep, int err)
{
	u64 t0 = local_clock();
	int ret;

	if (!p->ops->fallback)
		return;
	ret = p->ops->fallback(p, sm->incoming, node, dep, err);
	trace_keepalive_step(p->name, "fallback", ret, local_clock() - t0);
	if (ret && sm->log)
		pr_err("resume: %s: fallback failed: %d\n", p->name, ret);
}

/* Resume @p, or make it fall back when @dep failed with @dep_err. */
static void resume_one(struct keepalive_sm *sm, struct keepalive_participant *p,
		       const char *dep, int dep_err)
{
	const void *fdt = sm->incoming;
	int node, ret;
	u64 t0;

	lockdep_assert_held(&sm->lock);
	node = fdt_subnode_offset(fdt, 0, p->name);
	if (node < 0) {
		resolved(p, 0);		/* nothing was handed over */
		return;
	}
	if (fdt_node_check_compatible(fdt, node, p->compatible)) {
		if (sm->log)
			pr_warn("resume: %s: node is not \"%s\": not adopted, cold start%s\n",
				p->name, p->compatible,
				p->ops->fallback ? ", falling back" : "");
		resolved(p, -EPROTO);
		/*
		 * Another version of the node: what the previous kernel left
		 * running for it must be made safe all the same.
		 */
		fall_back(sm, p, node, p->name, -EPROTO);
		return;
	}
	if (dep_err) {
		if (sm->log)
			pr_err("resume: %s: its dependency %s failed (%d): %s\n",
			       p->name, dep, dep_err, p->ops->fallback ?
			       "falling back" : "no fallback, its node is ignored");
		fall_back(sm, p, node, dep, dep_err);
		p->resume = KEEPALIVE_RESUME_FELL_BACK;
		p->resume_err = -ENOLINK;
		return;
	}
	t0 = local_clock();
	if (sm->should_fail && sm->should_fail())
		ret = -EIO;
	else
		ret = p->ops->resume ? p->ops->resume(p, fdt, node) : 0;
	trace_keepalive_step(p->name, "resume", ret, local_clock() - t0);
	resolved(p, ret);
	if (!ret)
		return;
	if (sm->log)
		pr_err("resume: %s failed: %d, it starts cold%s\n", p->name, ret,
		       p->ops->fallback ? ", falling back" : "");
	/* What it did not adopt must not run on: same as for a dependency. */
	fall_back(sm, p, node, p->name, ret);
}

/**
 * keepalive_sm_resume_pending() - resume whoever can
 * @sm: the state machine, with an incoming image
 *
 * Resumes every waiting participant whose dependencies are resolved, to a
 * fixed point.
 *
 * Context: Process context; @sm->lock held.
 */
void keepalive_sm_resume_pending(struct keepalive_sm *sm)
{
	struct keepalive_participant *p;
	const char *dep = NULL;
	bool again;
	int err;

	do {
		again = false;
		list_for_each_entry(p, &sm->participants, list) {
			if (p->resume != KEEPALIVE_RESUME_WAITING)
				continue;
			err = deps_status(sm, p, &dep, false);
			if (err == -EAGAIN)
				continue;
			resume_one(sm, p, dep, err);
			again = true;
		}
	} while (again);
}

/**
 * keepalive_sm_resume() - enter RESUME with a validated incoming image
 * @sm: the state machine, in RUNNING
 * @fdt: the incoming image's FDT, validated; it must stay valid until
 *	CONCLUDE
 *
 * Registered participants resume now, in dependency order; later ones
 * when they register.
 *
 * Context: Process context; takes @sm->lock.
 */
void keepalive_sm_resume(struct keepalive_sm *sm, const void *fdt)
{
	struct keepalive_participant *p;

	mutex_lock(&sm->lock);
	if (WARN_ON_ONCE(sm->state != KEEPALIVE_STATE_RUNNING))
		goto out;
	sm->incoming = fdt;
	sm->state = KEEPALIVE_STATE_RESUME;
	list_for_each_entry(p, &sm->participants, list)
		p->resume = KEEPALIVE_RESUME_WAITING;
	keepalive_sm_resume_pending(sm);
out:
	mutex_unlock(&sm->lock);
}

/**
 * keepalive_sm_settle() - boot is over: resolve every waiting participant
 * @sm: the state machine
 *
 * Every participant that was going to register has. A dependency that
 * has a node in the image but never registered now counts as failed
 * (-ENODEV); participants still waiting after that wait on each other in
 * a cycle and fall back with -EDEADLK.
 *
 * Context: Process context; takes @sm->lock.
 */
void keepalive_sm_settle(struct keepalive_sm *sm)
{
	struct keepalive_participant *p;

	mutex_lock(&sm->lock);
	sm->settled = true;
	if (!sm->incoming)
		goto out;
	keepalive_sm_resume_pending(sm);
	/* Left waiting: a cycle. Break it at its first member, and go on. */
	list_for_each_entry(p, &sm->participants, list) {
		if (p->resume != KEEPALIVE_RESUME_WAITING)
			continue;
		if (sm->log)
			pr_err("resume: %s: its dependencies wait on each other\n",
			       p->name);
		resume_one(sm, p, "(cycle)", -EDEADLK);
		keepalive_sm_resume_pending(sm);
	}
out:
	mutex_unlock(&sm->lock);
}

/**
 * keepalive_sm_resume_now() - resolve one participant's resume right away
 * @sm: the state machine
 * @p: a registered participant
 *
 * For a participant that must act at a fixed boot stage (the vfio
 * participant at PCI enumeration): if @p is still waiting, each of its
 * dependencies that has not resumed yet counts as failed (-ETIMEDOUT, or
 * -ENODEV when it never registered) and @p falls back. Nothing happens
 * when @p is already resolved.
 *
 * Context: Process context; takes @sm->lock.
 */
void keepalive_sm_resume_now(struct keepalive_sm *sm,
			     struct keepalive_participant *p)
{
	const char *dep = NULL;
	int err;

	mutex_lock(&sm->lock);
	if (p->resume == KEEPALIVE_RESUME_WAITING) {
		err = deps_status(sm, p, &dep, true);
		resume_one(sm, p, dep, err);
		keepalive_sm_resume_pending(sm);
	}
	mutex_unlock(&sm->lock);
}
