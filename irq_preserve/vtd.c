// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the Intel VT-d backend of irq_preserve/, the
 * only file that knows the driver's private structures (struct
 * intel_iommu, struct ir_table, its registers).
 *
 * It gives the driver-neutral part its units (struct intel_iommu, named
 * by their register base in records), their live remapping entries, the
 * entry formats (irte.c) and the reservations in the driver's table
 * bitmap, and runs the driver's hooks (keepalive_irq_*(), hooks.c): the
 * handover table installed at the kexec (SIRTP, interrupt entry cache
 * flush), the check of the table the previous kernel left, and the entry
 * a vector takes back. The AMD-Vi backend (its own entry formats, a table
 * per device) is amd.c.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/dmar.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/irq.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <asm/apic.h>
#include <asm/hw_irq.h>

#include "intel/iommu.h"	/* drivers/iommu/, see Makefile */
#include "irqp.h"

static void *vtd_dev_unit(struct pci_dev *pdev)
{
	struct dmar_drhd_unit *drhd = dmar_find_matched_drhd_unit(pdev);

	if (!drhd || !drhd->iommu || !drhd->iommu->ir_table)
		return NULL;
	return drhd->iommu;
}

/* The unit at @reg_base, if interrupt remapping set it up. */
static void *vtd_unit_at(u64 reg_base)
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

static u64 vtd_unit_reg_base(void *hw)
{
	return ((struct intel_iommu *)hw)->reg_phys;
}

static const char *vtd_unit_name(void *hw)
{
	return ((struct intel_iommu *)hw)->name;
}

static u16 vtd_unit_flags(void *hw)
{
	return x2apic_mode ? KEEPALIVE_IRQ_F_X2APIC : 0;
}

static int vtd_entry_read(void *hw, u16 devid, u32 index,
			  struct irqp_irte *e)
{
	struct intel_iommu *iommu = hw;
	struct irte *live;

	if (index >= INTR_REMAP_TABLE_ENTRIES)
		return -ERANGE;
	live = &iommu->ir_table->base[index];
	*e = (struct irqp_irte) { .lo = READ_ONCE(live->low),
				  .hi = READ_ONCE(live->high) };
	return 0;
}

static const char *vtd_entry_check(const struct irqp_irte *e, u16 sid,
				   u16 flags)
{
	if (flags & ~KEEPALIVE_IRQ_F_X2APIC)
		return "its entries are not in a VT-d format";
	return irqp_irte_check(e, sid, flags & KEEPALIVE_IRQ_F_X2APIC);
}

static bool vtd_entry_posted(const struct irqp_irte *e)
{
	return (e->lo & IRQP_IRTE_IM) && (e->lo & IRQP_IRTE_P);
}

static const char *vtd_posted_check(const struct irqp_irte *held,
				    const struct irqp_irte *rec, u16 sid,
				    u64 desc)
{
	if (!(held->lo & IRQP_IRTE_IM) ||
	    (held->hi & ~IRQP_IRTE_PDA_HI) != (rec->hi & ~IRQP_IRTE_PDA_HI) ||
	    (held->lo & ~IRQP_IRTE_PDA_LO) != (rec->lo & ~IRQP_IRTE_PDA_LO))
		return "a posted vector's entry is not the recorded one";
	return irqp_irte_posted_check(rec, sid, desc);
}

static int vtd_posted_repoint(struct irqp_irte *e, u64 desc, bool *urgent)
{
	int ret = irqp_irte_repoint(e, desc);

	*urgent = !!(e->lo & IRQP_IRTE_URGENT);
	return ret;
}

static int vtd_reserve(void *hw, u16 devid, u32 index)
{
	struct intel_iommu *iommu = hw;

	return test_and_set_bit(index, iommu->ir_table->bitmap) ? -EBUSY : 0;
}

static void vtd_release(void *hw, u16 devid, u32 index)
{
	intel_ir_keepalive_release(hw, index);
}

static u64 vtd_table_irta(void *hw)
{
	return dmar_readq(((struct intel_iommu *)hw)->reg + DMAR_IRTA_REG);
}

static void vtd_table_flush(void *hw, void *va, size_t bytes)
{
	if (!ecap_coherent(((struct intel_iommu *)hw)->ecap))
		clflush_cache_range(va, bytes);
}

const struct irqp_backend irqp_vtd = {
	.name = "vt-d",
	.compatible = KEEPALIVE_IRQ_COMPATIBLE,
	.dev_unit = vtd_dev_unit,
	.unit_at = vtd_unit_at,
	.unit_reg_base = vtd_unit_reg_base,
	.unit_name = vtd_unit_name,
	.unit_flags = vtd_unit_flags,
	.msi_index = irqp_msi_index,
	.entry_read = vtd_entry_read,
	.entry_posted = vtd_entry_posted,
	.entry_check = vtd_entry_check,
	.posted_check = vtd_posted_check,
	.posted_repoint = vtd_posted_repoint,
	.pi_decode = irqp_pi_decode,
	.reserve = vtd_reserve,
	.release = vtd_release,
	.table_irta = vtd_table_irta,
	.table_flush = vtd_table_flush,
	.table_check = irqp_irta_check,
};

/* The VT-d backend unless the AMD-Vi driver chose its own. */
const struct irqp_backend *irqp_hw = &irqp_vtd;

/**
 * irqp_vtd_reserve() - keepalive_irq_reserve() for a VT-d unit
 * @iommu: a unit whose remapping table was just allocated
 *
 * Context: Process context, early boot (enable_IR_x2apic()); takes
 * irqp_lock.
 */
void irqp_vtd_reserve(struct intel_iommu *iommu)
{
	irqp_reserve_unit(iommu);
}

/**
 * irqp_vtd_handed_over() - keepalive_irq_handed_over() for a VT-d unit
 * @iommu: a unit whose interrupt remapping the previous kernel left on
 *
 * Context: Process context, early boot (enable_IR_x2apic()); takes
 * irqp_lock.
 * Return: true when interrupt remapping must stay on.
 */
bool irqp_vtd_handed_over(struct intel_iommu *iommu)
{
	return irqp_unit_handed_over(iommu, vtd_table_irta(iommu));
}

/**
 * irqp_vtd_shutdown() - keepalive_irq_shutdown() for a VT-d unit
 * @iommu: a unit being shut down for a kexec
 *
 * Points IRTA at the unit's handover table (SIRTP), interrupt remapping
 * left on, and invalidates the interrupt entry cache.
 *
 * Context: intel_iommu_shutdown(): interrupts off, dmar_global_lock held;
 * takes no mutex.
 */
void irqp_vtd_shutdown(struct intel_iommu *iommu)
{
	u64 irta = irqp_unit_handover(iommu);
	unsigned long flags;
	u32 sts;

	if (!irta)
		return;
	raw_spin_lock_irqsave(&iommu->register_lock, flags);
	dmar_writeq(iommu->reg + DMAR_IRTA_REG, irta);
	writel(iommu->gcmd | DMA_GCMD_SIRTP, iommu->reg + DMAR_GCMD_REG);
	IOMMU_WAIT_OP(iommu, DMAR_GSTS_REG, readl, (sts & DMA_GSTS_IRTPS), sts);
	raw_spin_unlock_irqrestore(&iommu->register_lock, flags);
	if (!cap_esirtps(iommu->cap))
		qi_global_iec(iommu);
	pr_info("%s: interrupt remapping kept on across the kexec, table %#llx\n",
		iommu->name, irta);
}

/**
 * irqp_vtd_irte() - keepalive_irq_irte() for a VT-d unit
 * @iommu: the unit allocating a remapping entry
 * @info: what for
 * @count: how many entries
 *
 * Context: Process context (interrupt allocation); takes irqp_lock when
 * entries are reserved.
 * Return: the entry's index, or -1: allocate a free one.
 */
int irqp_vtd_irte(struct intel_iommu *iommu, struct irq_alloc_info *info,
		  unsigned int count)
{
	if (!info || info->type != X86_IRQ_ALLOC_TYPE_PCI_MSIX || count != 1 ||
	    !info->desc)
		return -1;
	return irqp_take_back(iommu->reg_phys, msi_desc_to_pci_dev(info->desc),
			      info->desc->msi_index);
}
