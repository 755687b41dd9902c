// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the incoming handover image in early boot.
 */
#include <linux/init.h>
#include <linux/keepalive/boot.h>

/**
 * keepalive_handover_early() - find, copy and validate the incoming image
 *
 * Called from setup_arch() after reserve_initrd(), before
 * enable_IR_x2apic(). Does nothing yet: the incoming image is still
 * validated at core_initcall (keepalive_handover_receive()).
 *
 * Context: Early boot, single threaded.
 */
void __init keepalive_handover_early(void)
{
}
