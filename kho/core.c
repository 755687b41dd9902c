// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the global state machine and boot sequence.
 *
 * Boot order:
 *   setup_arch()        keepalive_reserve_pool()          (pool.c)
 *   core_initcall       allocator, debugfs, fault injection, incoming
 *                       image validated -> RESUME           (this file)
 *   arch_initcall       the vfio participant registers (before PCI
 *                       enumeration, which adopts kept devices)
 *   subsys_initcall     the other participants register; in RESUME each
 *                       gets its node of the incoming image when it does
 *   device_initcall     /sys/kernel/keepalive, /dev/keepalive
 *   late_initcall_sync  unclaimed incoming ranges held until CONCLUDE
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>

#include "kho.h"

struct keepalive_sm keepalive_sm;
struct dentry *keepalive_debugfs;

/**
 * keepalive_register() - register a participant with the state machine
 * @p: the participant; @name, @compatible, @priority and @ops set
 *
 * In RESUME or POST-RESUME, @p's @resume callback runs before this
 * returns, if the incoming image has a node for it.
 *
 * Context: Process context; takes keepalive_sm.lock.
 * Return: 0; -EINVAL for an incomplete @p; -EEXIST for a duplicate name;
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

static int __init keepalive_core_init(void)
{
	int ret;

	/* No fault injection hook at all in a production build. */
	keepalive_sm_init(&keepalive_sm, &keepalive_pool_image_ops,
			  IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION) ?
			  keepalive_should_fail : NULL);
	keepalive_debugfs = debugfs_create_dir("keepalive", NULL);
	keepalive_fault_init();
	ret = keepalive_pool_init();
	if (ret) {
		pr_err("cannot set up the pool allocator: %d\n", ret);
		return ret;
	}
	keepalive_handover_init();
	keepalive_handover_receive();
	return 0;
}
core_initcall(keepalive_core_init);

static int __init keepalive_participants_init(void)
{
	int ret = keepalive_memfd_init();

	if (ret)
		pr_err("cannot register preserved memory files: %d\n", ret);
	return ret;
}
subsys_initcall(keepalive_participants_init);
