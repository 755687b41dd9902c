// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: what the next kernel does with a kept device's
 * interrupts: its remapping entries reserved early, the device adopted,
 * its hold ended by its VMM, the rest released at CONCLUDE.
 *
 * A held device's vectors still carry messages that name remapping
 * entries of the previous kernel's table. Interrupt remapping setup
 * (enable_IR_x2apic(), before any initcall and before any interrupt is
 * allocated) gives each unit a new, empty table; keepalive_irq_reserve(),
 * called there, reads the incoming records at once and marks
 * every entry a valid record names as in use on its unit. No other
 * interrupt can be given one of them, so a message the device still holds
 * can never raise someone else's interrupt: while the entry is empty, the
 * unit blocks it. When the VMM arms the vectors again, each vector is
 * given back its own entry (keepalive_irq_irte()), which the driver then
 * writes for the new vector; the entries nobody took back are released at
 * CONCLUDE or when the device is not adopted.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/bitmap.h>
#include <linux/keepalive.h>
#include <linux/keepalive/device.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "irqp.h"

/*
 * Entries reserved and not taken back yet, over every device; irqp_lock.
 * Read without it by keepalive_irq_irte(), so that interrupt allocation
 * takes irqp_lock only while there is something to take back.
 */
static unsigned int irqp_nr_reserved;

/* One entry of @d more (@n = 1) or less (@n = -1) reserved. */
static void reserved_add(struct irqp_dev *d, int n)
{
	lockdep_assert_held(&irqp_lock);
	d->reserved += n;
	WRITE_ONCE(irqp_nr_reserved, irqp_nr_reserved + n);
}

/**
 * irqp_reserve_unit() - reserve the kept devices' remapping entries
 * @hw: the backend's unit, its remapping table just allocated, before any
 *	interrupt is allocated from it
 *
 * The first call parses the incoming records (irqp_record_read_once()).
 * Nothing else touches the unit's table yet.
 *
 * Context: Process context, early boot (enable_IR_x2apic()); takes
 * irqp_lock.
 */
void irqp_reserve_unit(void *hw)
{
	u64 reg_base = irqp_hw->unit_reg_base(hw);
	struct irqp_dev *d;
	unsigned int i;

	mutex_lock(&irqp_lock);
	irqp_record_read_once();
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->incoming || !d->valid || d->ir_reg_base != reg_base)
			continue;
		for (i = 0; i < d->nr_vecs; i++) {
			if (irqp_hw->reserve(hw, PCI_DEVID(d->bus, d->devfn),
					     d->vecs[i].irte)) {
				d->why = "a remapping entry it names is in use already";
				d->valid = false;
				break;
			}
			d->vecs[i].reserved = true;
			reserved_add(d, 1);
		}
		if (!d->valid) {
			pr_err("resume: %04x:%02x:%02x.%d: %s: not adopted\n",
			       d->segment, d->bus, PCI_SLOT(d->devfn),
			       PCI_FUNC(d->devfn), d->why);
			irqp_unreserve(d);
			continue;
		}
		pr_info("resume: %04x:%02x:%02x.%d: %u remapping entr%s reserved on %s\n",
			d->segment, d->bus, PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
			d->reserved, d->reserved == 1 ? "y" : "ies",
			irqp_hw->unit_name(hw));
	}
	mutex_unlock(&irqp_lock);
}

/**
 * irqp_unreserve() - release the entries of @d nobody took back
 * @d: an incoming entry
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_unreserve(struct irqp_dev *d)
{
	unsigned int i;
	void *hw;

	lockdep_assert_held(&irqp_lock);
	if (!d->reserved)
		return;
	hw = irqp_hw->unit_at(d->ir_reg_base);
	if (WARN_ON_ONCE(!hw))
		return;
	for (i = 0; i < d->nr_vecs; i++) {
		if (!d->vecs[i].reserved)
			continue;
		irqp_hw->release(hw, PCI_DEVID(d->bus, d->devfn),
				 d->vecs[i].irte);
		d->vecs[i].reserved = false;
		reserved_add(d, -1);
	}
	WARN_ON_ONCE(d->reserved);
}

/**
 * irqp_reserve_late() - RESUME: check every valid record was reserved
 *
 * With interrupt remapping off nothing was reserved, and a device whose
 * vectors name entries cannot be adopted.
 *
 * Context: Process context, boot (RESUME); irqp_lock held.
 */
void irqp_reserve_late(void)
{
	struct irqp_dev *d;

	lockdep_assert_held(&irqp_lock);
	irqp_record_read_once();
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->incoming || !d->valid || d->reserved == d->nr_vecs)
			continue;
		/* Some units reserved theirs, another never came up. */
		d->why = "its remapping entries were not reserved (interrupt remapping off?)";
		d->valid = false;
		d->held = false;
		pr_err("resume: %04x:%02x:%02x.%d: %s: not adopted\n",
		       d->segment, d->bus, PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
		       d->why);
		irqp_unreserve(d);
	}
}

/**
 * irqp_take_back() - a reserved entry for the vector being allocated?
 * @reg_base: the unit allocating a remapping entry
 * @pdev: the device, for an MSI-X vector
 * @vector: its MSI-X table index
 *
 * An adopted device's MSI-X vector gets back the entry its message named
 * in the previous kernel.
 *
 * Context: Process context (interrupt allocation; the vector's msi_desc
 * lock and the driver's lock held); takes irqp_lock while entries are
 * reserved.
 * Return: the entry's index, or -1: allocate a free one.
 */
int irqp_take_back(u64 reg_base, struct pci_dev *pdev, unsigned int vector)
{
	struct irqp_dev *d;
	unsigned int i;
	int index = -1;

	if (!READ_ONCE(irqp_nr_reserved))
		return -1;
	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	if (d && d->incoming && d->reserved && d->ir_reg_base == reg_base) {
		for (i = 0; i < d->nr_vecs; i++) {
			struct irqp_vec *v = &d->vecs[i];

			if (v->vector != vector || !v->reserved)
				continue;
			v->reserved = false;
			v->claimed = true;
			reserved_add(d, -1);
			index = v->irte;
			pci_info(pdev, "keepalive: irq: vector %u takes back remapping entry %u\n",
				 v->vector, v->irte);
		}
	}
	mutex_unlock(&irqp_lock);
	return index;
}

/**
 * irqp_mismatch() - may this recorded device be adopted?
 * @kd: a device being enumerated, recorded by its owner (maybe not the
 *	owner's entry itself: the record is found at its place)
 *
 * Context: Process context, PCI enumeration; takes irqp_lock.
 * Return: NULL when its interrupt record is valid, its entries reserved
 * and its MSI-X capability enabled and masked as recorded; otherwise why
 * not, for the log.
 */
const char *irqp_mismatch(struct keepalive_device *kd)
{
	struct pci_dev *pdev = kd->pdev;
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

/**
 * irqp_msix_rearm() - keepalive_pci_msix_rearm(): the hold ends
 * @pdev: the device, in msix_capability_init()
 *
 * Its vectors are written and unmasked next, and each pending interrupt
 * is sent when its vector is unmasked.
 *
 * Context: Process context; takes irqp_lock.
 */
void irqp_msix_rearm(struct pci_dev *pdev)
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
 * irqp_adopt_none() - a dependency failed: every entry goes back
 * @dep: the participant that failed
 * @err: its error
 *
 * Context: Process context, boot (RESUME); takes irqp_lock.
 */
void irqp_adopt_none(const char *dep, int err)
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
}

/**
 * irqp_adopt_conclude() - CONCLUDE: forget every incoming record
 *
 * A device still held keeps its interrupts masked; one with no armed
 * vector gets MSI-X off, as its VMM had it. The entries nobody took back
 * are released.
 *
 * Context: Process context; takes irqp_lock.
 */
void irqp_adopt_conclude(void)
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
		irqp_drop(d, false);
	}
	irqp_units_forget_incoming();
	mutex_unlock(&irqp_lock);
}
