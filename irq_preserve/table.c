// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the handover interrupt remapping table of each
 * unit of a held device.
 *
 * A kept device that masters the bus can write to 0xFEEx_xxxx whatever
 * its MSI-X mask says, and the unit takes such a write for an interrupt
 * request: it looks the request up in the table its Interrupt Remapping
 * Table Address register (IRTA) names. Left alone, that is the previous
 * kernel's table, ordinary memory the next kernel reuses as soon as it
 * boots. So at STOP each unit with a held device gets a table in the pool
 * holding only the held devices' entries (as their records have them),
 * every other entry not present; at the kexec the unit's IRTA is pointed
 * at it, with interrupt remapping left on (keepalive_irq_shutdown(), from
 * intel_iommu_shutdown()). The next kernel keeps interrupt remapping on
 * while it sets its own table up (keepalive_irq_handed_over()), so that
 * the unit goes from this table to that one in one register write, never
 * through "remapping off"; the core holds the table's pool range until
 * CONCLUDE.
 *
 * The table is not live before the kexec: ABORT, or the undo of STOP,
 * only frees it. IRTA keeps naming the kernel's own table throughout.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "irqp.h"

LIST_HEAD(irqp_units);

/**
 * irqp_table_fill() - write a unit's handover table
 * @base: the table, @entries entries of 16 bytes
 * @entries: its size
 * @devs: the devices, struct irqp_dev in a list
 * @reg_base: the unit's register base
 *
 * Every entry is cleared (not present), then each vector of each device
 * held in this kernel whose entry is on @reg_base gets its entry as the
 * hold found it.
 *
 * Context: Any context; irqp_lock held, or @devs private.
 * Return: 0; -ERANGE when an entry index is not below @entries; -EEXIST
 * when two vectors name one entry. The table is then all not present.
 */
int irqp_table_fill(struct irqp_irte *base, unsigned int entries,
		    const struct list_head *devs, u64 reg_base)
{
	const struct irqp_dev *d;
	unsigned int i;

	memset(base, 0, (size_t)entries * sizeof(*base));
	list_for_each_entry(d, devs, list) {
		if (!d->held || d->incoming || d->ir_reg_base != reg_base)
			continue;
		for (i = 0; i < d->nr_vecs; i++) {
			const struct irqp_vec *v = &d->vecs[i];
			int ret = 0;

			if (v->irte >= entries)
				ret = -ERANGE;
			else if (base[v->irte].lo || base[v->irte].hi)
				ret = -EEXIST;
			if (ret) {
				memset(base, 0, (size_t)entries * sizeof(*base));
				return ret;
			}
			base[v->irte] = v->e;
		}
	}
	return 0;
}

static void unit_free(struct irqp_unit *u)
{
	u64 irta;

	lockdep_assert_held(&irqp_lock);
	if (u->va) {
		/* Only the kexec points the unit at it: never live here. */
		irta = irqp_hw->table_irta(u->hw);
		WARN_ON_ONCE((irta & KEEPALIVE_IRQ_IRTA_ADDR) == u->phys);
		keepalive_pool_free(u->va, u->bytes);
	}
	list_del(&u->list);
	kfree(u);
}

/**
 * irqp_units_free() - forget every unit's handover table (first kernel)
 *
 * For ABORT and the undo of STOP: the tables were never live, and each
 * unit's IRTA still names the kernel's own table.
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_units_free(void)
{
	struct irqp_unit *u, *next;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry_safe(u, next, &irqp_units, list)
		if (!u->incoming)
			unit_free(u);
}

/**
 * irqp_units_forget_incoming() - CONCLUDE: forget the previous kernel's tables
 *
 * Their pool ranges are the core's, which frees them at CONCLUDE.
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_units_forget_incoming(void)
{
	struct irqp_unit *u, *next;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry_safe(u, next, &irqp_units, list) {
		if (!u->incoming)
			continue;
		list_del(&u->list);
		kfree(u);
	}
}

/*
 * The table of unit @reg_base (and device @devid, with a table per
 * device) in irqp_units, incoming or not.
 */
static struct irqp_unit *unit_find(u64 reg_base, u16 devid, bool incoming)
{
	struct irqp_unit *u;

	list_for_each_entry(u, &irqp_units, list)
		if (u->reg_base == reg_base && u->devid == devid &&
		    u->incoming == incoming)
			return u;
	return NULL;
}

/* The unit of a held device: its vectors' unit, or its DRHD's. */
static void *dev_unit(struct irqp_dev *d)
{
	void *hw;

	if (!d->pdev)
		return NULL;
	hw = irqp_hw->dev_unit(d->pdev);
	if (!hw)
		return NULL;
	if (d->ir_reg_base && d->ir_reg_base != irqp_hw->unit_reg_base(hw))
		return NULL;
	return hw;
}

/* Size and allocate @u's table from the pool, then fill it. */
static int unit_build(struct irqp_unit *u)
{
	unsigned int entries, max = 0, i;
	struct irqp_dev *d;
	phys_addr_t phys;
	u64 irta;
	int ret;

	if (irqp_hw->table_build)
		return irqp_hw->table_build(u);
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->held || d->incoming || d->ir_reg_base != u->reg_base)
			continue;
		for (i = 0; i < d->nr_vecs; i++)
			max = max_t(u32, max, d->vecs[i].irte);
	}
	entries = irqp_table_entries(max);
	if (WARN_ON_ONCE(!entries))
		return -EINVAL;
	irta = irqp_hw->table_irta(u->hw);
	u->bytes = PAGE_ALIGN((size_t)entries * sizeof(struct irqp_irte));
	u->va = keepalive_should_fail() ? NULL :
		keepalive_pool_alloc(u->bytes, &phys);
	if (!u->va)
		return -ENOSPC;
	u->phys = phys;
	u->entries = entries;
	u->irta = irqp_irta(phys, entries, irta & KEEPALIVE_IRQ_IRTA_EIME);
	ret = irqp_table_fill(u->va, u->bytes / sizeof(struct irqp_irte),
			      &irqp_devs, u->reg_base);
	if (WARN_ON_ONCE(!u->irta) || ret)
		return ret ?: -EINVAL;
	irqp_hw->table_flush(u->hw, u->va, u->bytes);
	return 0;
}

/**
 * irqp_units_build() - STOP: a handover table for each unit of a held device
 *
 * Context: Process context; irqp_lock held.
 * Return: 0; -ENOSPC when the pool has no room, -ENODEV when a held
 * device's unit has no interrupt remapping, -ENOMEM, or irqp_table_fill()'s
 * error. Nothing is left behind on error.
 */
int irqp_units_build(void)
{
	struct irqp_unit *u;
	struct irqp_dev *d;
	u16 devid;
	void *hw;
	int ret;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->held || d->incoming)
			continue;
		hw = dev_unit(d);
		if (!hw) {
			pci_err(d->pdev, "keepalive: irq: stop: no interrupt remapping unit for it\n");
			ret = -ENODEV;
			goto out_free_units;
		}
		/* A device with no armed vector still has a unit. */
		devid = irqp_hw->per_device ? PCI_DEVID(d->bus, d->devfn) : 0;
		if (unit_find(irqp_hw->unit_reg_base(hw), devid, false))
			continue;
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u) {
			ret = -ENOMEM;
			goto out_free_units;
		}
		u->hw = hw;
		u->name = irqp_hw->unit_name(hw);
		u->reg_base = irqp_hw->unit_reg_base(hw);
		u->devid = devid;
		list_add_tail(&u->list, &irqp_units);
	}
	list_for_each_entry(u, &irqp_units, list) {
		if (u->incoming)
			continue;
		ret = unit_build(u);
		if (ret)
			goto out_free_units;
		pr_info("stop: %s: handover remapping table at %pa, %u entries\n",
			u->name, &u->phys, u->entries);
	}
	return 0;

out_free_units:
	irqp_units_free();
	return ret;
}

/**
 * irqp_unit_handover() - the table a unit is pointed at for the kexec
 * @hw: the backend's unit, being shut down for a kexec
 *
 * Context: the unit's shutdown: interrupts off, the state machine in STOP
 * (irqp_units does not change any more, so it is read without irqp_lock,
 * which may not be taken here).
 * Return: the unit's table register value for its handover table, or 0
 * when the kexec carries no handover or @hw remaps no held device.
 */
u64 irqp_unit_handover(void *hw)
{
	struct irqp_unit *u;

	if (!keepalive_kexec_handover())
		return 0;
	list_for_each_entry(u, &irqp_units, list)
		if (!u->incoming && u->hw == hw && u->irta)
			return u->irta;
	return 0;
}

/**
 * irqp_unit_handed_over() - is this unit on a handover table?
 * @hw: the backend's unit, its interrupt remapping left on by the
 *	previous kernel
 * @irta: its table register as it is now
 *
 * True when the incoming image records a handover table for @hw and
 * @irta names exactly that table: the driver then leaves interrupt
 * remapping on while it installs its own table, so that the unit never
 * remaps through no table at all. The first call parses the incoming
 * records (irqp_record_read_once()).
 *
 * Context: Process context, early boot (enable_IR_x2apic()); takes
 * irqp_lock.
 * Return: true when interrupt remapping must stay on.
 */
bool irqp_unit_handed_over(void *hw, u64 irta)
{
	const char *name = irqp_hw->unit_name(hw);
	struct irqp_unit *u;
	bool ret = false;

	mutex_lock(&irqp_lock);
	irqp_record_read_once();
	u = unit_find(irqp_hw->unit_reg_base(hw), 0, true);
	if (u && u->irta == irta) {
		pr_info("resume: %s: interrupt remapping kept on, on the handover table %#llx until this kernel's own\n",
			name, irta);
		ret = true;
	} else if (u) {
		pr_err("resume: %s: IRTA %#llx is not the handover table %#llx\n",
		       name, irta, u->irta);
	}
	mutex_unlock(&irqp_lock);
	return ret;
}
