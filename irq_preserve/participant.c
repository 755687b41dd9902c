// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: held interrupts as a state-machine participant,
 * "irq", and the hooks the PCI MSI core and vfio_keepalive call.
 *
 * First kernel: a kept device's hold begins at its VMM's close
 * (irqp_hold_device()) or, for one still open, at STOP, which also reads
 * every held device's Pending Bit Array and records them all. ABORT gives
 * the devices STOP held back their MSI-X as their VMM left it (a pending
 * interrupt is then sent to the VMM); a device held since its close is
 * let go when vfio_keepalive unmarks it.
 *
 * Next kernel: the records were read and the remapping entries reserved
 * at interrupt remapping setup (reserve.c); RESUME checks that every
 * valid record was reserved. Enumeration leaves a held device's MSI-X
 * enabled (keepalive_pci_msix_held()) and vfio_keepalive adopts it only
 * if its capability is as recorded (irqp_mismatch()). The hold
 * ends when its VMM arms MSI-X again: each vector takes back its entry and
 * the pending interrupts are sent as the vectors are unmasked. CONCLUDE
 * releases the entries nobody took back.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/dmar.h>
#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/device.h>
#include <linux/keepalive/irq.h>
#include <linux/keepalive/pci.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/seq_file.h>

#include "intel/iommu.h"	/* drivers/iommu/, see Makefile */
#include "irqp.h"

/* Forget @d: release its hold (first kernel) or its reservations. */
static void drop(struct irqp_dev *d, bool restore)
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

/*
 * Hold @pdev's interrupts, capturing them first unless they are held
 * already; a previous kernel's record of it gives way to a new capture.
 */
static int hold(struct pci_dev *pdev, bool by_close)
{
	struct irqp_dev *d;
	int ret = 0;

	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	if (d && d->incoming) {
		drop(d, false);
		d = NULL;
	}
	if (!d)
		ret = irqp_capture(pdev, &d);
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
	return hold(kd->pdev, false);
}

/* Undo STOP's holds: the devices still open get their MSI-X back. */
static void release_stop_holds(void)
{
	struct irqp_dev *d, *next;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry_safe(d, next, &irqp_devs, list)
		if (!d->incoming && !d->by_close)
			drop(d, true);
}

static int irqp_stop(struct keepalive_participant *p, void *fdt, int node)
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

static void irqp_unstop(struct keepalive_participant *p)
{
	mutex_lock(&irqp_lock);
	irqp_units_free();
	release_stop_holds();
	mutex_unlock(&irqp_lock);
}

/* ABORT: whatever vfio_keepalive did not let go of already. */
static void irqp_unprepare(struct keepalive_participant *p)
{
	struct irqp_dev *d, *next;

	mutex_lock(&irqp_lock);
	irqp_units_free();
	list_for_each_entry_safe(d, next, &irqp_devs, list)
		if (!d->incoming)
			drop(d, false);
	mutex_unlock(&irqp_lock);
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
	struct irqp_dev *d;

	mutex_lock(&irqp_lock);
	irqp_reserve_late();
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->incoming || !d->valid)
			continue;
		irqp_unreserve(d);
		d->valid = false;
		d->held = false;
		d->why = "a participant it depends on did not resume";
	}
	mutex_unlock(&irqp_lock);
	pr_err("resume: no interrupt adopted (%s: %d): kept devices are reset\n",
	       dep, err);
	return 0;
}

static void irqp_conclude(struct keepalive_participant *p)
{
	struct irqp_dev *d, *next;

	mutex_lock(&irqp_lock);
	list_for_each_entry_safe(d, next, &irqp_devs, list) {
		if (!d->incoming)
			continue;
		if (d->held && d->pdev && d->nr_vecs) {
			pci_warn(d->pdev, "keepalive: irq: its VMM did not arm MSI-X again: its interrupts stay masked\n");
		} else if (d->held && d->pdev) {
			/* No vector was armed: MSI-X off, as its VMM had it. */
			pci_write_config_word(d->pdev, d->cap + PCI_MSIX_FLAGS,
					      d->control & ~(PCI_MSIX_FLAGS_ENABLE |
							     PCI_MSIX_FLAGS_MASKALL));
			pci_intx(d->pdev, 1);
		}
		drop(d, false);
	}
	irqp_units_forget_incoming();
	mutex_unlock(&irqp_lock);
}

static const char * const irqp_depends[] = { KEEPALIVE_IOMMU_NODE, NULL };

static const struct keepalive_ops irqp_ops = {
	.stop = irqp_stop,
	.unstop = irqp_unstop,
	.unprepare = irqp_unprepare,
	.resume = irqp_resume,
	.fallback = irqp_fallback,
	.conclude = irqp_conclude,
};

static struct keepalive_participant irqp_participant = {
	.name = KEEPALIVE_IRQ_NODE,
	.compatible = KEEPALIVE_IRQ_COMPATIBLE,
	.priority = KEEPALIVE_PRIO_IRQ,
	.depends = irqp_depends,
	.ops = &irqp_ops,
};

/**
 * keepalive_pci_msix_held() - must MSI-X stay enabled on this device?
 * @pdev: a device whose MSI-X is being shut down, or being enumerated
 *
 * For pci_msix_shutdown() (a kept device's close) and pci_msix_init()
 * (enumeration in the next kernel): true while its interrupts are held,
 * i.e. MSI-X enabled and function-masked by keepalive.
 *
 * Context: Process context; takes irqp_lock.
 * Return: true when the caller must neither disable MSI-X nor enable INTx.
 */
bool keepalive_pci_msix_held(struct pci_dev *pdev)
{
	struct irqp_dev *d;
	bool held;

	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	held = d && d->held && (!d->incoming || d->valid);
	mutex_unlock(&irqp_lock);
	return held;
}

/**
 * keepalive_pci_msix_rearm() - MSI-X is being enabled on this device
 * @pdev: the device, in msix_capability_init()
 *
 * A held device's hold ends here: its vectors are written and unmasked
 * next, and each pending interrupt is sent when its vector is unmasked.
 *
 * Context: Process context; takes irqp_lock.
 */
void keepalive_pci_msix_rearm(struct pci_dev *pdev)
{
	struct irqp_dev *d;
	unsigned long *pba;

	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	if (!d || !d->held)
		goto out_unlock;
	d->held = false;
	if (!d->incoming) {
		pci_warn(pdev, "keepalive: irq: MSI-X armed again while held: its interrupts are not held any more\n");
		goto out_unlock;
	}
	pba = bitmap_zalloc(d->nr, GFP_KERNEL);
	if (pba && d->pdev && !irqp_read_pba(d, pba))
		pci_info(pdev, "keepalive: irq: MSI-X armed again: %u interrupt(s) pending since the hold (vectors %*pbl), sent as their vectors are unmasked\n",
			 bitmap_weight(pba, d->nr), d->nr, pba);
	bitmap_free(pba);
out_unlock:
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_check_device() - can this device's interrupts be held?
 * @pdev: a device being marked
 *
 * Context: Process context.
 * Return: 0; -EOPNOTSUPP (logged) when it has no MSI-X, uses MSI, or its
 * messages are not remapped.
 */
int irqp_check_device(struct pci_dev *pdev)
{
	struct dmar_drhd_unit *drhd;

	if (!pdev->msix_cap || pdev->msi_enabled) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: irq: %s: its interrupts cannot be held\n",
				     pdev->msix_cap ? "it uses MSI" : "it has no MSI-X");
		return -EOPNOTSUPP;
	}
	drhd = dmar_find_matched_drhd_unit(pdev);
	if (!drhd || !drhd->iommu || !drhd->iommu->ir_table) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: irq: interrupt remapping is off for it: its interrupts cannot be held\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * irqp_hold_device() - a kept device's VMM closes it: hold its interrupts
 * @pdev: the device, its vectors still as its VMM armed them
 *
 * Context: Process context (vfio-pci's close); vka_lock held; takes
 * irqp_lock.
 * Return: 0, or irqp_capture()'s error (the device cannot stay kept).
 */
int irqp_hold_device(struct pci_dev *pdev)
{
	return hold(pdev, true);
}

/**
 * irqp_release_device() - a device is not kept any more, or not adopted
 * @pdev: the device
 *
 * A first-kernel hold ends as the close it replaced would have ended it
 * (MSI-X off, INTx on); a next-kernel record's reservations are released.
 *
 * Context: Process context; vka_lock held; takes irqp_lock.
 */
void irqp_release_device(struct pci_dev *pdev)
{
	struct irqp_dev *d;

	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	if (d)
		drop(d, false);
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_reopen_device() - a VMM opens a device held since its close
 * @pdev: a device marked in this kernel
 *
 * Before STOP the hold ends (MSI-X off): the new VMM arms what it wants,
 * and STOP holds what it armed. From STOP on the record is written and
 * the hold stays.
 *
 * Context: Process context (vfio-pci's open); vka_lock held; takes
 * irqp_lock.
 */
void irqp_reopen_device(struct pci_dev *pdev)
{
	enum keepalive_state state = keepalive_get_state();
	struct irqp_dev *d;

	if (state >= KEEPALIVE_STATE_STOP)
		return;
	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	if (d && !d->incoming)
		drop(d, false);
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_mismatch() - may this recorded device be adopted?
 * @pdev: a device being enumerated, recorded by the vfio participant
 *
 * Context: Process context, PCI enumeration; takes irqp_lock.
 * Return: NULL when its interrupt record is valid, its entries reserved
 * and its MSI-X capability enabled and masked as recorded; otherwise why
 * not, for the log.
 */
const char *irqp_mismatch(struct pci_dev *pdev)
{
	struct irqp_dev *d;
	const char *why;

	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	why = !d || !d->incoming ? "it has no interrupt record" :
	      !d->valid ? d->why : irqp_matches(d, pdev);
	if (!why && !d->pdev)
		d->pdev = pci_dev_get(pdev);
	mutex_unlock(&irqp_lock);
	return why;
}

static int irqp_show(struct seq_file *m, void *v)
{
	struct irqp_dev *d;
	unsigned int i;

	mutex_lock(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list) {
		seq_printf(m, "%04x:%02x:%02x.%d %s%s%s vectors %u armed %*pbl pending %*pbl\n",
			   d->segment, d->bus, PCI_SLOT(d->devfn),
			   PCI_FUNC(d->devfn), d->incoming ? "incoming" : "outgoing",
			   d->held ? " held" : "", d->incoming && !d->valid ?
			   " invalid" : "", d->nr, d->nr, d->armed, d->nr,
			   d->pending);
		for (i = 0; i < d->nr_vecs; i++)
			seq_printf(m, "  vector %u irte %u%s%s\n",
				   d->vecs[i].vector, d->vecs[i].irte,
				   d->vecs[i].reserved ? " reserved" : "",
				   d->vecs[i].claimed ? " claimed" : "");
	}
	mutex_unlock(&irqp_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(irqp);

static int irqp_op_check(struct keepalive_device *kd)
{
	return irqp_check_device(kd->pdev);
}

static int irqp_op_hold(struct keepalive_device *kd)
{
	int ret = irqp_hold_device(kd->pdev);

	if (ret)
		pci_err(kd->pdev, "keepalive: its interrupts cannot be held (%d): no longer kept, stopped and reset\n",
			ret);
	return ret;
}

static void irqp_op_release(struct keepalive_device *kd)
{
	irqp_release_device(kd->pdev);
}

static void irqp_op_reopen(struct keepalive_device *kd)
{
	irqp_reopen_device(kd->pdev);
}

static const char *irqp_op_refusal(struct keepalive_device *kd, char *buf,
				   size_t len)
{
	const char *why = irqp_mismatch(kd->pdev);

	if (!why)
		return NULL;
	snprintf(buf, len, "its interrupts were not handed over intact: %s",
		 why);
	return buf;
}

static const struct keepalive_device_ops irqp_device_ops = {
	.name = "irq",
	.check = irqp_op_check,
	.hold = irqp_op_hold,
	.release = irqp_op_release,
	.reopen = irqp_op_reopen,
	.refusal = irqp_op_refusal,
};

/*
 * Before vfio_keepalive (arch_initcall, later in link order) and PCI
 * enumeration: a kept device is adopted only once its record is checked.
 */
static int __init irqp_init(void)
{
	struct dentry *dir = debugfs_lookup("keepalive", NULL);
	int ret;

	if (dir) {
		debugfs_create_file("irq", 0400, dir, NULL, &irqp_fops);
		dput(dir);
	}
	ret = keepalive_device_ops_register(KEEPALIVE_DEVICE_IRQ,
					    &irqp_device_ops);
	return ret ?: keepalive_register(&irqp_participant);
}
arch_initcall(irqp_init);
