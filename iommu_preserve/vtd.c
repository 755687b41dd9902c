// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the Intel VT-d backend of iommu_preserve/, in
 * legacy (not scalable) mode. The only file of the directory that reads
 * the driver's private structures (struct intel_iommu, struct
 * device_domain_info, context entries, domain id bitmaps, registers).
 *
 * A context entry is replaced in one 128-bit write, then the context
 * cache is invalidated for the device and the IOTLB for the domain id the
 * entry had: the driver's attach and detach leave a held entry alone
 * (domain_context_mapping_one() and domain_context_clear_one() ask
 * keepalive_iommu_held()).
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/dmar.h>
#include <linux/iommu.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "intel/iommu.h"	/* drivers/iommu/, see Makefile */
#include "ipr.h"
#include "vtd_pgtable.h"

static u16 sid(u8 bus, u8 devfn)
{
	return (u16)bus << 8 | devfn;
}

static int count_alias(struct pci_dev *pdev, u16 alias, void *data)
{
	(*(int *)data)++;
	return 0;
}

/* Why @pdev's translation cannot be preserved, or NULL; its unit in @hw. */
static const char *vtd_dev_unsupported(struct pci_dev *pdev, void **hw)
{
	struct device_domain_info *info = dev_iommu_priv_get(&pdev->dev);
	struct intel_iommu *iommu = info ? info->iommu : NULL;
	int aliases = 0;

	if (!iommu)
		return "it is not behind a VT-d remapping unit";
	if (sm_supported(iommu))
		return "its unit is in scalable mode";
	if (!(iommu->gcmd & DMA_GCMD_TE))
		return "DMA translation is off on its unit";
	if (iommu->agaw < IPR_VTD_AGAW_MIN || iommu->agaw > IPR_VTD_AGAW_MAX)
		return "its unit's address width is not supported";
	if (!info->domain || info->domain->domain.type != IOMMU_DOMAIN_UNMANAGED)
		return "it is not attached to a VMM's domain (identity or kernel DMA domain)";
	pci_for_each_dma_alias(pdev, count_alias, &aliases);
	if (aliases != 1)
		return "it has DMA aliases";
	*hw = iommu;
	return NULL;
}

/* The ranges the VMM's domain @pdev is attached to maps, in a new array. */
static int vtd_vmm_ranges(struct pci_dev *pdev, struct ipr_ranges *out)
{
	struct device_domain_info *info = dev_iommu_priv_get(&pdev->dev);
	struct dmar_domain *dom = info ? info->domain : NULL;
	struct ipr_ranges rs = { .max = KEEPALIVE_IOMMU_MAX_RANGES };
	int ret;

	if (!dom || dom->domain.type != IOMMU_DOMAIN_UNMANAGED)
		return -EAGAIN;
	rs.r = kvmalloc_array(rs.max, sizeof(*rs.r), GFP_KERNEL);
	if (!rs.r)
		return -ENOMEM;
	ret = ipr_pgtable_walk(&ipr_vtd_pt, virt_to_phys(dom->pgd), dom->agaw,
			       ipr_live_table, NULL, ipr_ranges_add, &rs);
	if (ret)
		goto free_ranges;
	out->r = kmemdup(rs.r, array_size(rs.nr, sizeof(*rs.r)), GFP_KERNEL);
	if (rs.nr && !out->r) {
		ret = -ENOMEM;
		goto free_ranges;
	}
	out->nr = rs.nr;
	out->max = rs.nr;
free_ranges:
	kvfree(rs.r);
	return ret;
}

static void vtd_unit_describe(void *hw, struct ipr_unit *u)
{
	struct intel_iommu *iommu = hw;

	u->reg_base = iommu->reg_phys;
	u->cap = iommu->cap;
	u->ecap = iommu->ecap;
	u->agaw = iommu->agaw;
	u->sllps = cap_super_page_val(iommu->cap);
}

static const char *vtd_unit_name(void *hw)
{
	return ((struct intel_iommu *)hw)->name;
}

static unsigned long vtd_unit_id(void *hw)
{
	return ((struct intel_iommu *)hw)->seq_id;
}

static void vtd_tables_flush(void *hw, void *va, size_t len)
{
	if (!ecap_coherent(((struct intel_iommu *)hw)->ecap))
		clflush_cache_range(va, len);
}

static int vtd_did_alloc(void *hw, u16 *did)
{
	struct intel_iommu *iommu = hw;
	unsigned long ndoms = cap_ndoms(iommu->cap), n;

	spin_lock(&iommu->lock);
	n = find_first_zero_bit(iommu->domain_ids, ndoms);
	if (n < ndoms)
		set_bit(n, iommu->domain_ids);
	spin_unlock(&iommu->lock);
	if (n >= ndoms)
		return -ENOSPC;
	*did = n;
	return 0;
}

static void vtd_did_free(void *hw, u16 did)
{
	struct intel_iommu *iommu = hw;

	spin_lock(&iommu->lock);
	clear_bit(did, iommu->domain_ids);
	spin_unlock(&iommu->lock);
}

/* Write a live context entry in one 128-bit store when the CPU has one. */
static void ctx_write(struct context_entry *ctx, const struct ipr_ctx *ce)
{
	u64 lo, hi;

	if (system_has_cmpxchg_double()) {
		do {
			lo = READ_ONCE(ctx->lo);
			hi = READ_ONCE(ctx->hi);
		} while (!cmpxchg_double(&ctx->lo, &ctx->hi, lo, hi,
					 ce->lo, ce->hi));
		return;
	}
	/* Both domain ids are invalidated after this: a mixed read is harmless. */
	WRITE_ONCE(ctx->hi, ce->hi);
	WRITE_ONCE(ctx->lo, ce->lo);
}

static void flush_entry(struct intel_iommu *iommu, u8 bus, u8 devfn, u16 did)
{
	iommu->flush.flush_context(iommu, did, sid(bus, devfn),
				   DMA_CCMD_MASK_NOBIT, DMA_CCMD_DEVICE_INVL);
	iommu->flush.flush_iotlb(iommu, did, 0, 0, DMA_TLB_DSI_FLUSH);
}

static int vtd_entry_switch(void *hw, u8 bus, u8 devfn,
			    const struct ipr_entry *e, struct ipr_entry *prev,
			    u16 *old_did)
{
	struct ipr_ctx ce = ipr_vtd_ctx(e);
	struct intel_iommu *iommu = hw;
	struct context_entry *ctx;

	spin_lock(&iommu->lock);
	ctx = iommu_context_addr(iommu, bus, devfn, 0);
	if (!ctx || !context_present(ctx)) {
		spin_unlock(&iommu->lock);
		return -ENOENT;
	}
	*prev = ipr_vtd_entry((struct ipr_ctx) { .lo = ctx->lo, .hi = ctx->hi });
	ctx_write(ctx, &ce);
	__iommu_flush_cache(iommu, ctx, sizeof(*ctx));
	ipr_held_mark(iommu, bus, devfn, true);
	spin_unlock(&iommu->lock);
	*old_did = FIELD_GET(IPR_VTD_CTX_DID, prev->w[1]);
	flush_entry(iommu, bus, devfn, *old_did);
	return 0;
}

/* The context entry the driver wants for @dev now: its domain's, or none. */
static struct ipr_ctx target_entry(struct intel_iommu *iommu, struct device *dev)
{
	struct device_domain_info *info = dev ? dev_iommu_priv_get(dev) : NULL;
	struct dmar_domain *dom = info ? info->domain : NULL;
	struct dma_pte *pgd;
	int agaw;
	u16 did;

	if (!dom)
		return (struct ipr_ctx) {};
	did = domain_id_iommu(dom, iommu);
	if (dom->domain.type == IOMMU_DOMAIN_IDENTITY &&
	    ecap_pass_through(iommu->ecap))
		return (struct ipr_ctx) {
			.lo = FIELD_PREP(IPR_VTD_CTX_TT, CONTEXT_TT_PASS_THROUGH) |
			      IPR_VTD_CTX_PRESENT,
			.hi = FIELD_PREP(IPR_VTD_CTX_AW, iommu->msagaw) |
			      FIELD_PREP(IPR_VTD_CTX_DID, did),
		};
	pgd = dom->pgd;
	for (agaw = dom->agaw; agaw > iommu->agaw; agaw--) {
		pgd = phys_to_virt(dma_pte_addr(pgd));
		if (!dma_pte_present(pgd))
			return (struct ipr_ctx) {};
	}
	return (struct ipr_ctx) {
		.lo = virt_to_phys(pgd) | IPR_VTD_CTX_PRESENT |
		      FIELD_PREP(IPR_VTD_CTX_TT, info->ats_supported ?
				 CONTEXT_TT_DEV_IOTLB : CONTEXT_TT_MULTI_LEVEL),
		.hi = FIELD_PREP(IPR_VTD_CTX_AW, agaw) | FIELD_PREP(IPR_VTD_CTX_DID, did),
	};
}

static u16 vtd_entry_release(void *hw, u8 bus, u8 devfn, struct device *dev,
			     u16 did)
{
	struct intel_iommu *iommu = hw;
	struct context_entry *ctx;
	struct ipr_ctx ce;

	spin_lock(&iommu->lock);
	ce = target_entry(iommu, dev);
	ctx = iommu_context_addr(iommu, bus, devfn, 0);
	if (!WARN_ON_ONCE(!ctx)) {
		ctx_write(ctx, &ce);
		__iommu_flush_cache(iommu, ctx, sizeof(*ctx));
	}
	ipr_held_mark(iommu, bus, devfn, false);
	spin_unlock(&iommu->lock);
	flush_entry(iommu, bus, devfn, did);
	return FIELD_GET(IPR_VTD_CTX_DID, ce.hi);
}

static int vtd_entry_adopt(void *hw, u8 bus, u8 devfn,
			   const struct ipr_entry *e, u16 did)
{
	struct intel_iommu *iommu = hw;
	struct context_entry *ctx = iommu_context_addr(iommu, bus, devfn, 1);

	if (!ctx)
		return -ENOMEM;
	ctx->lo = e->w[0];
	ctx->hi = e->w[1];
	__iommu_flush_cache(iommu, ctx, sizeof(*ctx));
	set_bit(did, iommu->domain_ids);
	ipr_held_mark(iommu, bus, devfn, true);
	return 0;
}

static void vtd_unit_keep_on(void *hw, u64 root,
			     const struct ipr_arena *tables)
{
	struct intel_iommu *iommu = hw;
	unsigned long flags;
	u32 sts;

	raw_spin_lock_irqsave(&iommu->register_lock, flags);
	dmar_writeq(iommu->reg + DMAR_RTADDR_REG, root);
	writel(iommu->gcmd | DMA_GCMD_SRTP, iommu->reg + DMAR_GCMD_REG);
	IOMMU_WAIT_OP(iommu, DMAR_GSTS_REG, readl, (sts & DMA_GSTS_RTPS), sts);
	raw_spin_unlock_irqrestore(&iommu->register_lock, flags);
	iommu->flush.flush_context(iommu, 0, 0, 0, DMA_CCMD_GLOBAL_INVL);
	iommu->flush.flush_iotlb(iommu, 0, 0, 0, DMA_TLB_GLOBAL_FLUSH);
}

/* The live unit at @reg_base, if the DMAR table was parsed already. */
static void *vtd_unit_find(u64 reg_base)
{
	struct dmar_drhd_unit *drhd;
	struct intel_iommu *found = NULL;

	rcu_read_lock();
	for_each_drhd_unit(drhd)
		if (drhd->reg_base_addr == reg_base && drhd->iommu)
			found = drhd->iommu;
	rcu_read_unlock();
	return found;
}

static const char *vtd_unit_check(void *hw, const struct ipr_unit *u)
{
	struct intel_iommu *iommu = hw;

	if (iommu->cap != u->cap || iommu->ecap != u->ecap)
		return "the unit's capabilities differ";
	if (ecap_smts(u->ecap) && intel_iommu_sm)
		return "the unit would run in scalable mode";
	return NULL;
}

static u32 vtd_unit_segment(void *hw)
{
	return ((struct intel_iommu *)hw)->segment;
}

static const char *vtd_entry_check(const struct ipr_unit *u, u16 did,
				   int agaw)
{
	if (!did || did >= cap_ndoms(u->cap))
		return "its domain id is out of range or disagrees with its context entry";
	if (!(cap_sagaw(u->cap) & BIT(agaw)))
		return "its address width is not supported by the unit";
	return NULL;
}

/* A DMAR unit was found (interrupt remapping setup parses the table). */
static bool vtd_present(void)
{
	return !list_empty(&dmar_drhd_units);
}

const struct ipr_backend ipr_vtd_backend = {
	.name = "VT-d",
	.compatible = KEEPALIVE_IOMMU_COMPATIBLE,
	.translation_size = sizeof(struct keepalive_iommu_translation),
	.present = vtd_present,
	.pt = &ipr_vtd_pt,
	.dev_unsupported = vtd_dev_unsupported,
	.vmm_ranges = vtd_vmm_ranges,
	.unit_describe = vtd_unit_describe,
	.unit_name = vtd_unit_name,
	.unit_id = vtd_unit_id,
	.tables_flush = vtd_tables_flush,
	.did_alloc = vtd_did_alloc,
	.did_free = vtd_did_free,
	.entry_switch = vtd_entry_switch,
	.entry_release = vtd_entry_release,
	.entry_adopt = vtd_entry_adopt,
	.unit_keep_on = vtd_unit_keep_on,
	.unit_find = vtd_unit_find,
	.unit_check = vtd_unit_check,
	.unit_segment = vtd_unit_segment,
	.entry_check = vtd_entry_check,
	.entry_encode = ipr_vtd_entry_encode,
	.entry_decode = ipr_vtd_entry_decode,
	.entry_record = ipr_vtd_entry_record,
	.entry_parse = ipr_vtd_entry_parse,
	.root_pages = ipr_vtd_root_pages,
	.root_add = ipr_vtd_root_add,
	.root_check = ipr_vtd_root_check,
};
