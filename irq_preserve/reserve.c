// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the next kernel's remapping entries of kept
 * devices.
 *
 * A held device's vectors still carry messages that name remapping
 * entries of the previous kernel's table. Interrupt remapping setup
 * (enable_IR_x2apic(), before any initcall and before any interrupt is
 * allocated) gives each unit a new, empty table; keepalive_irq_reserve(),
 * called there (patch 0012), reads the incoming records at once and marks
 * every entry a valid record names as in use on its unit. No other
 * interrupt can be given one of them, so a message the device still holds
 * can never raise someone else's interrupt: while the entry is empty, the
 * unit blocks it. When the VMM arms the vectors again, each vector is
 * given back its own entry (keepalive_irq_irte()), which the driver then
 * writes for the new vector; the entries nobody took back are released at
 * CONCLUDE or when the device is not adopted.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/irq.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <asm/hw_irq.h>

#include "intel/iommu.h"	/* drivers/iommu/, see Makefile */
#include "irqp.h"

/* The records were read (early, or at RESUME when remapping is off). */
static bool irqp_read_done;
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
 * irqp_read_once() - read the incoming records, once
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_read_once(void)
{
	const void *fdt;
	int node;

	lockdep_assert_held(&irqp_lock);
	if (irqp_read_done)
		return;
	irqp_read_done = true;
	node = keepalive_incoming_node(KEEPALIVE_IRQ_NODE,
				       KEEPALIVE_IRQ_COMPATIBLE, &fdt);
	if (node == -EPROTO)
		pr_err("resume: the interrupt records are not %s: no device is adopted\n",
		       KEEPALIVE_IRQ_COMPATIBLE);
	if (node >= 0 && irqp_record_read(fdt, node))
		pr_err("resume: the interrupt records cannot be walked\n");
}

/**
 * keepalive_irq_reserve() - reserve the kept devices' remapping entries
 * @iommu: a unit whose remapping table was just allocated, before any
 *	interrupt is allocated from it
 *
 * For intel_setup_irq_remapping(). Nothing else touches the unit's table
 * bitmap yet.
 *
 * Context: Process context, early boot (enable_IR_x2apic()).
 */
void keepalive_irq_reserve(struct intel_iommu *iommu)
{
	struct irqp_dev *d;
	unsigned int i;

	mutex_lock(&irqp_lock);
	irqp_read_once();
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->incoming || !d->valid || d->ir_reg_base != iommu->reg_phys)
			continue;
		for (i = 0; i < d->nr_vecs; i++) {
			if (test_and_set_bit(d->vecs[i].irte,
					     iommu->ir_table->bitmap)) {
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
			d->reserved, d->reserved == 1 ? "y" : "ies", iommu->name);
	}
	mutex_unlock(&irqp_lock);
}

/* The unit at @reg_base, if interrupt remapping set it up. */
static struct intel_iommu *ir_unit(u64 reg_base)
{
	struct dmar_drhd_unit *drhd;
	struct intel_iommu *found = NULL;

	rcu_read_lock();
	for_each_drhd_unit(drhd)
		if (drhd->reg_base_addr == reg_base && drhd->iommu &&
		    drhd->iommu->ir_table)
			found = drhd->iommu;
	rcu_read_unlock();
	return found;
}

/**
 * irqp_unreserve() - release the entries of @d nobody took back
 * @d: an incoming entry
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_unreserve(struct irqp_dev *d)
{
	struct intel_iommu *iommu;
	unsigned int i;

	lockdep_assert_held(&irqp_lock);
	if (!d->reserved)
		return;
	iommu = ir_unit(d->ir_reg_base);
	if (WARN_ON_ONCE(!iommu))
		return;
	for (i = 0; i < d->nr_vecs; i++) {
		if (!d->vecs[i].reserved)
			continue;
		intel_ir_keepalive_release(iommu, d->vecs[i].irte);
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
	irqp_read_once();
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
 * keepalive_irq_irte() - a reserved entry for the vector being allocated?
 * @iommu: the unit allocating a remapping entry
 * @info: what for
 * @count: how many entries (1 for an MSI-X vector)
 *
 * For intel_irq_remapping_alloc(): an adopted device's MSI-X vector gets
 * back the entry its message named in the previous kernel.
 *
 * Context: Process context (interrupt allocation; the vector's msi_desc
 * lock and dmar_global_lock held); takes irqp_lock.
 * Return: the entry's index, or -1: allocate a free one.
 */
int keepalive_irq_irte(struct intel_iommu *iommu, struct irq_alloc_info *info,
		       unsigned int count)
{
	struct pci_dev *pdev;
	struct irqp_dev *d;
	unsigned int i;
	int index = -1;

	if (!info || info->type != X86_IRQ_ALLOC_TYPE_PCI_MSIX || count != 1 ||
	    !info->desc || !READ_ONCE(irqp_nr_reserved))
		return -1;
	pdev = msi_desc_to_pci_dev(info->desc);
	mutex_lock(&irqp_lock);
	d = irqp_find_pdev(pdev);
	if (d && d->incoming && d->reserved &&
	    d->ir_reg_base == iommu->reg_phys) {
		for (i = 0; i < d->nr_vecs; i++) {
			struct irqp_vec *v = &d->vecs[i];

			if (v->vector != info->desc->msi_index || !v->reserved)
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
