// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: held interrupts as a state-machine participant,
 * "irq", and the IRQ slot's per-device operations (keepalive_device_ops).
 *
 * First kernel (capture.c): a kept device's hold begins at its VMM's close
 * or at STOP, which records every held device; ABORT or the undo of STOP
 * lets the holds STOP began go.
 *
 * Next kernel (adopt.c): the records were read and the remapping entries
 * reserved at interrupt remapping setup; RESUME checks that every valid
 * record was reserved. Enumeration leaves a held device's MSI-X enabled
 * (keepalive_pci_msix_held()) and its owner adopts it only if its
 * capability is as recorded (->refusal). The hold ends when its VMM arms
 * MSI-X again; CONCLUDE releases the entries nobody took back.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/device.h>
#include <linux/pci.h>

#include "irqp.h"

static int irqp_stop(struct keepalive_participant *p, void *fdt, int node)
{
	return irqp_stop_hold(fdt, node);
}

static void irqp_unstop(struct keepalive_participant *p)
{
	irqp_stop_undo();
}

/* ABORT: whatever vfio_keepalive did not let go of already. */
static void irqp_unprepare(struct keepalive_participant *p)
{
	irqp_abort();
}

static int irqp_resume(struct keepalive_participant *p, const void *fdt,
		       int node)
{
	mutex_lock(&irqp_lock);
	irqp_reserve_late();
	mutex_unlock(&irqp_lock);
	return 0;
}

/* A dependency failed: nothing is adopted, every entry goes back. */
static int irqp_fallback(struct keepalive_participant *p, const void *fdt,
			 int node, const char *dep, int err)
{
	irqp_adopt_none(dep, err);
	return 0;
}

static void irqp_conclude(struct keepalive_participant *p)
{
	irqp_adopt_conclude();
}

static const char * const irqp_depends[] = { KEEPALIVE_IOMMU_NODE, NULL };

static const struct keepalive_ops irqp_ops = {
	.stop = irqp_stop,
	.unstop = irqp_unstop,
	.unprepare = irqp_unprepare,
	.resume = irqp_resume,
	.fallback = irqp_fallback,
	.conclude = irqp_conclude,
	.corrupt = IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION) ?
		   irqp_corrupt : NULL,
};

/* .compatible: the backend's, set at registration (irqp_init()). */
static struct keepalive_participant irqp_participant = {
	.name = KEEPALIVE_IRQ_NODE,
	.priority = KEEPALIVE_PRIO_IRQ,
	.depends = irqp_depends,
	.ops = &irqp_ops,
};

static int irqp_op_hold(struct keepalive_device *kd)
{
	int ret = irqp_hold_device(kd, true);

	if (ret)
		pci_err(kd->pdev, "keepalive: its interrupts cannot be held (%d): no longer kept, stopped and reset\n",
			ret);
	return ret;
}

static const char *irqp_op_refusal(struct keepalive_device *kd, char *buf,
				   size_t len)
{
	const char *why = irqp_mismatch(kd);

	if (!why)
		return NULL;
	snprintf(buf, len, "its interrupts were not handed over intact: %s",
		 why);
	return buf;
}

static const struct keepalive_device_ops irqp_device_ops = {
	.name = "irq",
	.check = irqp_check_device,
	.hold = irqp_op_hold,
	.release = irqp_release_device,
	.reopen = irqp_reopen_device,
	.refusal = irqp_op_refusal,
};

/*
 * Before vfio_keepalive (arch_initcall, later in link order) and PCI
 * enumeration: a kept device is adopted only once its record is checked.
 * Interrupt remapping setup chose the backend before any initcall: its
 * compatible is the node's.
 */
static int __init irqp_init(void)
{
	int ret;

	irqp_participant.compatible = irqp_hw->compatible;
	pr_info("interrupt remapping through %s: records %s\n", irqp_hw->name,
		irqp_hw->compatible);
	irqp_debugfs_init();
	ret = keepalive_device_ops_register(KEEPALIVE_DEVICE_IRQ,
					    &irqp_device_ops);
	return ret ?: keepalive_register(&irqp_participant);
}
arch_initcall(irqp_init);
