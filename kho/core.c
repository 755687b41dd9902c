// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the global state machine and boot sequence.
 *
 * Boot order (see also receive.c and Documentation/keepalive/core.rst):
 *   setup_arch()        keepalive_reserve_pool() (boot.c), then
 *                       keepalive_handover_early() (receive.c): the
 *                       incoming image is copied and validated
 *   core_initcall       allocator, debugfs, fault injection; the incoming
 *                       ranges are held; RESUME; the memfd participant
 *                       registers and resumes
 *   arch_initcall       the vfio participant registers (before PCI
 *                       enumeration, which adopts kept devices) and
 *                       resumes once memfd has
 *   device_initcall     /sys/kernel/keepalive, /dev/keepalive
 *   late_initcall_sync  boot settles: dependencies that never registered
 *                       have failed; unclaimed ranges held until CONCLUDE
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/init.h>
#include <linux/workqueue.h>

#include "kho.h"

struct keepalive_sm keepalive_sm;

/**
 * keepalive_register() - register a participant with the state machine
 * @p: the participant; @name, @compatible, @priority and @ops set
 *
 * In RESUME or POST-RESUME, @p's @resume callback runs before this
 * returns, if the incoming image has a node for it.
 *
 * Context: Process context; takes keepalive_sm.lock.
 * Return: 0; -EINVAL for an incomplete @p, or one whose depends and
 * priority disagree with a registered participant's; -EEXIST for a
 * duplicate name;
 * -EBUSY while a handover is being prepared or a kexec has started.
 */
int keepalive_register(struct keepalive_participant *p)
{
	return keepalive_sm_add(&keepalive_sm, p);
}
EXPORT_SYMBOL_GPL(keepalive_register);

/**
 * keepalive_unregister() - remove a participant
 * @p: a registered participant
 *
 * Not while a handover is being prepared (warns).
 *
 * Context: Process context; takes keepalive_sm.lock.
 */
void keepalive_unregister(struct keepalive_participant *p)
{
	keepalive_sm_del(&keepalive_sm, p);
}
EXPORT_SYMBOL_GPL(keepalive_unregister);

/**
 * keepalive_get_state() - the global state
 *
 * Context: Any context. The state may change right after; hold no
 * assumption across a sleep.
 * Return: the current state.
 */
enum keepalive_state keepalive_get_state(void)
{
	return READ_ONCE(keepalive_sm.state);
}
EXPORT_SYMBOL_GPL(keepalive_get_state);

/**
 * keepalive_state_before() - is this kernel's handover short of a step?
 * @step: KEEPALIVE_STATE_PREPARE, KEEPALIVE_STATE_PRE_STOP or
 *	KEEPALIVE_STATE_STOP
 *
 * The window check of a participant's action that is allowed only until
 * a step of the outgoing handover (a VMM reopening a held device gets its
 * new domain back only before PRE-STOP).
 *
 * Context: Any context. The state may change right after: the caller
 * holds the lock its callback for @step takes, or only uses the answer as
 * a second guard.
 * Return: true in RUNNING, and in the steps of the outgoing handover that
 * come before @step; false from @step on, in RESUME and POST-RESUME, and
 * once a kexec has started.
 */
bool keepalive_state_before(enum keepalive_state step)
{
	enum keepalive_state state = keepalive_get_state();

	return state <= KEEPALIVE_STATE_STOP && state < step;
}
EXPORT_SYMBOL_GPL(keepalive_state_before);

/**
 * keepalive_transition() - request a transition of the global state machine
 * @ev: the event
 * @res: out: the resulting state and who failed
 *
 * Context: Process context; takes keepalive_sm.lock.
 * Return: 0, or as keepalive_sm_event(); -ENODEV without a pool.
 */
int keepalive_transition(enum keepalive_event ev, struct keepalive_result *res)
{
	if (!keepalive_pool_ready()) {
		memset(res, 0, sizeof(*res));
		res->state = keepalive_sm.state;
		res->error = -ENODEV;
		pr_warn("no keepalive pool: boot with keepalive.pool=SIZE\n");
		return -ENODEV;
	}
	return keepalive_sm_event(&keepalive_sm, ev, res);
}

static const char *abort_why;

static void abort_fn(struct work_struct *work)
{
	struct keepalive_result res;
	int ret;

	ret = keepalive_transition(KEEPALIVE_EV_ABORT, &res);
	if (ret)
		pr_err("abort (%s) refused in %s: %d\n", READ_ONCE(abort_why),
		       keepalive_state_name(res.state), ret);
	else
		pr_warn("handover aborted: %s\n", READ_ONCE(abort_why));
}

static DECLARE_WORK(abort_work, abort_fn);

/**
 * keepalive_abort_async() - abort the handover being prepared, soon
 * @why: why, for the log; a string that outlives the work
 *
 * For a participant that finds its frozen state no longer true (a kept
 * device is gone) in a context that may not take the state machine's lock
 * (a device lock is held). ABORT runs from a work item, with the same
 * undo as one requested from userspace; from RUNNING, or once a kexec has
 * started, it is refused and logged. The caller makes its own state safe
 * first: ABORT comes after.
 *
 * Context: Any context.
 */
void keepalive_abort_async(const char *why)
{
	WRITE_ONCE(abort_why, why);
	queue_work(system_unbound_wq, &abort_work);
}
EXPORT_SYMBOL_GPL(keepalive_abort_async);

/**
 * keepalive_freeze_check() - may a participant's preserved set change now?
 * @what: what would change, for the log ("create file vm0")
 *
 * See keepalive_sm_frozen(): from the start of PRE-STOP until ABORT or the
 * kexec, nothing that PRE-STOP copied or STOP serializes may change.
 *
 * Context: Any context; under the lock that guards the change, which the
 * participant also takes in its @pre_stop.
 * Return: 0, or -EBUSY (logged, rate-limited, naming the state).
 */
int keepalive_freeze_check(const char *what)
{
	return keepalive_sm_frozen(&keepalive_sm, what);
}
EXPORT_SYMBOL_GPL(keepalive_freeze_check);

/**
 * keepalive_resume_now() - a participant must know its fate now
 * @p: a registered participant
 *
 * For a participant that acts at a fixed boot stage: if it still waits for
 * a dependency, stop waiting: it falls back (see keepalive_sm_resume_now()).
 *
 * Context: Process context; takes keepalive_sm.lock.
 */
void keepalive_resume_now(struct keepalive_participant *p)
{
	if (READ_ONCE(p->resume) == KEEPALIVE_RESUME_WAITING)
		keepalive_sm_resume_now(&keepalive_sm, p);
}
EXPORT_SYMBOL_GPL(keepalive_resume_now);

static int __init keepalive_core_init(void)
{
	int ret;

	/* No fault injection hook at all in a production build. */
	keepalive_sm_init(&keepalive_sm, &keepalive_pool_image_ops,
			  IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION) ?
			  keepalive_should_fail : NULL);
	keepalive_debugfs_init();
	keepalive_fault_init();
	ret = keepalive_pool_init();
	if (ret) {
		pr_err("cannot set up the pool allocator: %d\n", ret);
		return ret;
	}
	keepalive_handover_init();
	keepalive_handover_receive();
	/* The core's own participant, which the others depend on. */
	ret = keepalive_memfd_init();
	if (ret)
		pr_err("cannot register preserved memory files: %d\n", ret);
	return ret;
}
core_initcall(keepalive_core_init);
