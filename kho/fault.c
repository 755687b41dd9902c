// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: fault injection.
 *
 * /sys/kernel/debug/keepalive/fail_keepalive/ is a standard fault
 * attribute (Documentation/fault-injection/fault-injection.rst). It is
 * consulted at every pool allocation and before every participant
 * callback on the transition paths, so a test can fail the n-th step:
 *
 *   echo 1 > .../fail_keepalive/times
 *   echo 100 > .../fail_keepalive/probability
 *   echo $n > .../fail_keepalive/space   (the n-th consultation fails)
 *
 * Participants consult it at their own allocations and hardware steps
 * through keepalive_should_fail(). For the steps of a boot (adoption of a
 * kept device), the same attribute is set from the command line:
 * keepalive.fail=<interval>,<probability>,<space>,<times>.
 */
#include <linux/debugfs.h>
#include <linux/fault-inject.h>

#include "kho.h"

static DECLARE_FAULT_ATTR(keepalive_fault);

/* keepalive.fail=<interval>,<probability>,<space>,<times> */
static int __init keepalive_fault_setup(char *str)
{
	return setup_fault_attr(&keepalive_fault, str) ? 0 : -EINVAL;
}
early_param("keepalive.fail", keepalive_fault_setup);

/**
 * keepalive_should_fail() - should this step fail by injection?
 *
 * For the core and for participants: call it before every allocation and
 * hardware step of a preserve or restore path, and fail that step (with
 * the errno it would have) when it returns true.
 *
 * Context: Any context.
 * Return: true when the fail_keepalive attribute says so.
 */
bool keepalive_should_fail(void)
{
	return should_fail(&keepalive_fault, 1);
}

/**
 * keepalive_fault_init() - create fail_keepalive in our debugfs directory
 *
 * Context: Process context, boot.
 */
void __init keepalive_fault_init(void)
{
	fault_create_debugfs_attr("fail_keepalive", keepalive_debugfs,
				  &keepalive_fault);
	keepalive_corrupt_init();
}
