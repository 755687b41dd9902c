// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: what the first kernel does with a kept device's
 * interrupts.
 *
 * A kept device's hold begins at its VMM's close (irqp_hold_device()) or,
 * for one still open, at STOP (irqp_stop_hold()), which also reads every
 * held device's Pending Bit Array, builds the handover remapping tables and
 * records them all. ABORT gives the devices STOP held back their MSI-X as
 * their VMM left it (a pending interrupt is then sent to the VMM); a
 * device held since its close is let go when its owner releases it.
 *
 * The device's struct irqp_dev is its kd->part[KEEPALIVE_DEVICE_IRQ] from
 * the capture until it is dropped; irqp_devs lists it for the walks.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/bitmap.h>
#include <linux/keepalive.h>
#include <linux/keepalive/device.h>
#include <linux/libfdt.h>
#include <linux/pci.h>

#include "irqp.h"

/**
 * irqp_drop() - forget an entry: release its hold (first kernel) or its
 *	reservations (next kernel), then free it
 * @d: the entry
 * @restore: for a hold of this kernel, see irqp_release()
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_drop(struct irqp_dev *d, bool restore)
{
	lockdep_assert_held(&irqp_lock);
	if (d->incoming) {
		irqp_unreserve(d);
		d->held = false;
	} else {
		irqp_release(d, restore);
	}
	irqp_free(d);
}

/**
 * irqp_hold_device() - hold a kept device's interrupts
 * @kd: the device, its vectors still as its VMM armed them
 * @by_close: its VMM closes it (false: STOP holds it open)
 *
 * Captures them first unless they are held already; a previous kernel's
 * record of it gives way to a new capture.
 *
 * Context: Process context; the owner's lock held; takes irqp_lock.
 * Return: 0, or irqp_capture()'s error (the device cannot stay kept).
 */
int irqp_hold_device(struct keepalive_device *kd, bool by_close)
{
	struct irqp_dev *d;
	int ret = 0;

	mutex_lock(&irqp_lock);
	d = irqp_of(kd);
	if (d && d->incoming) {
		irqp_drop(d, false);
		d = NULL;
	}
	if (!d) {
		ret = irqp_capture(kd->pdev, &d);
		if (!ret) {
			d->kd = kd;
			kd->part[KEEPALIVE_DEVICE_IRQ] = d;
		}
	}
	if (!ret) {
		d->by_close |= by_close;
		if (!d->held)
			irqp_hold(d);
	}
	mutex_unlock(&irqp_lock);
	return ret;
}

static int hold_one(struct keepalive_device *kd, void *data)
{
	return irqp_hold_device(kd, false);
}

/* Undo STOP's holds: the devices still open get their MSI-X back. */
static void release_stop_holds(void)
{
	struct irqp_dev *d, *next;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry_safe(d, next, &irqp_devs, list)
		if (!d->incoming && !d->by_close)
			irqp_drop(d, true);
}

/**
 * irqp_stop_hold() - STOP: hold every kept device and record them
 * @fdt: the outgoing image
 * @node: the participant's node
 *
 * Context: Process context; takes the owner's lock, then irqp_lock.
 * Return: 0; irqp_capture()'s error, -EIO when a Pending Bit Array cannot
 * be read, irqp_units_build()'s error, -ENOSPC when the image is full,
 * -EINVAL. Nothing is left held by STOP on error.
 */
int irqp_stop_hold(void *fdt, int node)
{
	int ret = keepalive_device_walk(hold_one, NULL);
	struct irqp_dev *d;

	mutex_lock(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list) {
		if (ret)
			break;
		if (d->held && !d->incoming)
			ret = keepalive_should_fail() ? -EIO :
			      irqp_read_pba(d, d->pending);
		if (ret)
			pci_err(d->pdev, "keepalive: irq: stop: cannot read its pending bits: %d\n",
				ret);
	}
	if (!ret) {
		ret = irqp_units_build();
		if (ret)
			pr_err("stop: cannot build the handover remapping tables: %d\n",
			       ret);
	}
	if (!ret) {
		ret = irqp_record_write(fdt, node) ?: irqp_units_write(fdt, node);
		if (ret) {
			pr_err("stop: cannot record the held interrupts: %s\n",
			       fdt_strerror(ret));
			ret = ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
		}
	}
	if (!ret) {
		unsigned int devs = 0, pending = 0;

		list_for_each_entry(d, &irqp_devs, list) {
			if (!d->held || d->incoming)
				continue;
			devs++;
			pending += bitmap_weight(d->pending, d->nr);
		}
		pr_info("stop: %u device(s) held, %u interrupt(s) pending\n",
			devs, pending);
	}
	if (ret) {
		irqp_units_free();
		release_stop_holds();
	}
	mutex_unlock(&irqp_lock);
	return ret;
}

/**
 * irqp_stop_undo() - undo STOP: free the tables, end STOP's holds
 *
 * Context: Process context; takes irqp_lock.
 */
void irqp_stop_undo(void)
{
	mutex_lock(&irqp_lock);
	irqp_units_free();
	release_stop_holds();
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_abort() - ABORT: whatever the owner did not let go of already
 *
 * Context: Process context; takes irqp_lock.
 */
void irqp_abort(void)
{
	struct irqp_dev *d, *next;

	mutex_lock(&irqp_lock);
	irqp_units_free();
	list_for_each_entry_safe(d, next, &irqp_devs, list)
		if (!d->incoming)
			irqp_drop(d, false);
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_check_device() - can this device's interrupts be held?
 * @kd: a device being marked (maybe a temporary one: nothing is set)
 *
 * Context: Process context.
 * Return: 0; -EOPNOTSUPP (logged) when it has no MSI-X, uses MSI, or its
 * messages are not remapped.
 */
int irqp_check_device(struct keepalive_device *kd)
{
	struct pci_dev *pdev = kd->pdev;

	if (!pdev->msix_cap || pdev->msi_enabled) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: irq: %s: its interrupts cannot be held\n",
				     pdev->msix_cap ? "it uses MSI" : "it has no MSI-X");
		return -EOPNOTSUPP;
	}
	if (!irqp_hw->dev_unit(pdev)) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: irq: interrupt remapping is off for it: its interrupts cannot be held\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * irqp_release_device() - a device is not kept any more, or not adopted
 * @kd: the device
 *
 * A first-kernel hold ends as the close it replaced would have ended it
 * (MSI-X off, INTx on); a next-kernel record's reservations are released.
 * Its part[KEEPALIVE_DEVICE_IRQ] is freed; nothing happens for a device
 * irq_preserve has nothing for.
 *
 * Context: Process context; the owner's lock held; takes irqp_lock.
 */
void irqp_release_device(struct keepalive_device *kd)
{
	struct irqp_dev *d;

	mutex_lock(&irqp_lock);
	d = irqp_of(kd);
	if (d)
		irqp_drop(d, false);
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_reopen_device() - a VMM opens a device held since its close
 * @kd: a device marked in this kernel
 *
 * Before STOP the hold ends (MSI-X off): the new VMM arms what it wants,
 * and STOP holds what it armed. From STOP on the record is written and
 * the hold stays.
 *
 * Context: Process context (vfio-pci's open); the owner's lock held;
 * takes irqp_lock.
 */
void irqp_reopen_device(struct keepalive_device *kd)
{
	struct irqp_dev *d;

	if (!keepalive_state_before(KEEPALIVE_STATE_STOP))
		return;
	mutex_lock(&irqp_lock);
	d = irqp_of(kd);
	if (d && !d->incoming)
		irqp_drop(d, false);
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_msix_held() - keepalive_pci_msix_held()
 * @pdev: a device whose MSI-X is being shut down, or being enumerated
 *
 * Context: Process context; takes irqp_lock.
 * Return: true while its interrupts are held.
 */
bool irqp_msix_held(struct pci_dev *pdev)
{
	struct irqp_dev *d;
	bool held;

	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	held = d && d->held && (!d->incoming || d->valid);
	mutex_unlock(&irqp_lock);
	return held;
}
