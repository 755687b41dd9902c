// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the AMD-Vi backend of iommu_preserve/, for
 * units whose domains use v1 I/O page tables. The only file of the
 * directory that reads the AMD driver's private structures (struct
 * amd_iommu, struct iommu_dev_data, struct protection_domain, the device
 * table, registers).
 *
 * A device's entry is its 32-byte device table entry. The switch writes
 * quadwords 1 and 0 of the live entry (quadword 2, interrupt remapping,
 * stays the driver's), then invalidates every cache of the unit
 * (iommu_flush_all_caches(): INVALIDATE_IOMMU_ALL, or every device table
 * entry, page and interrupt table, then a completion wait), which covers
 * the old domain id. The driver's writers leave a held entry alone
 * (set_dte_entry() and clear_dte_entry() ask keepalive_iommu_amd_held()).
 *
 * At the kexec (amd_iommu_shutdown()) a unit with held devices keeps
 * translating from the handover device table (unit.c), each kept entry's
 * quadword 2 taken from the live table at that moment, every other entry
 * blocking DMA and interrupts; its event, PPR and GA logs and its command
 * buffer are stopped, so that it writes nothing into memory the next
 * kernel reuses. The next kernel's driver runs its whole init from
 * interrupt remapping setup, before any initcall: it asks
 * keepalive_iommu_amd_handed_over() instead of turning translation off,
 * and keepalive_iommu_amd_adopt() copies the entries of the kept devices
 * whose records pass the checks that need no initcall (ipr_early_adopt())
 * into its new table before installing it; RESUME checks the records
 * fully and blocks whatever fails then (ipr_early_settle()).
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "amd/amd_iommu.h"	/* drivers/iommu/, see Makefile */
#include "amd_pgtable.h"
#include "ipr.h"

/* The unit's largest paging mode: EFR HATS 0, 1, 2 is 4, 5, 6 levels. */
#define IPR_AMD_EFR_HATS	GENMASK_ULL(11, 10)

static u16 sid(u8 bus, u8 devfn)
{
	return (u16)bus << 8 | devfn;
}

static bool amd_present(void)
{
	return !list_empty(&amd_iommu_list);
}

static int count_alias(struct pci_dev *pdev, u16 alias, void *data)
{
	(*(int *)data)++;
	return 0;
}

static struct amd_iommu *unit_of(struct pci_dev *pdev)
{
	struct amd_iommu *iommu;

	for_each_iommu(iommu)
		if (iommu->pci_seg->id == pci_domain_nr(pdev->bus) &&
		    iommu->pci_seg->rlookup_table &&
		    iommu->pci_seg->rlookup_table[pci_dev_id(pdev)] == iommu)
			return iommu;
	return NULL;
}

static bool unit_on(struct amd_iommu *iommu)
{
	return readq(iommu->mmio_base + MMIO_CONTROL_OFFSET) &
	       BIT_ULL(CONTROL_IOMMU_EN);
}

/* Why @pdev's translation cannot be preserved, or NULL; its unit in @hw. */
static const char *amd_dev_unsupported(struct pci_dev *pdev, void **hw)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv_get(&pdev->dev);
	struct amd_iommu *iommu = unit_of(pdev);
	struct protection_domain *dom;
	int aliases = 0;

	if (!iommu || !dev_data)
		return "it is not behind an AMD-Vi unit";
	if (!unit_on(iommu))
		return "DMA translation is off on its unit";
	if (amd_iommu_pgtable != AMD_IOMMU_V1)
		return "its unit uses v2 page tables";
	dom = dev_data->domain;
	if (!dom || dom->domain.type != IOMMU_DOMAIN_UNMANAGED)
		return "it is not attached to a VMM's domain (identity or kernel DMA domain)";
	if (dom->flags & PD_IOMMUV2_MASK || dev_data->ats.enabled ||
	    dev_data->iommu_v2)
		return "it uses ATS, PRI or guest translation";
	pci_for_each_dma_alias(pdev, count_alias, &aliases);
	if (aliases != 1)
		return "it has DMA aliases";
	*hw = iommu;
	return NULL;
}

static int amd_vmm_ranges(struct pci_dev *pdev, struct ipr_ranges *out)
{
	struct iommu_dev_data *dev_data = dev_iommu_priv_get(&pdev->dev);
	struct protection_domain *dom = dev_data ? dev_data->domain : NULL;
	struct ipr_ranges rs = { .max = KEEPALIVE_IOMMU_MAX_RANGES };
	int mode, ret;
	u64 *root;

	if (!dom || dom->domain.type != IOMMU_DOMAIN_UNMANAGED)
		return -EAGAIN;
	mode = READ_ONCE(dom->iop.mode);
	root = READ_ONCE(dom->iop.root);
	if (!root)
		return -EAGAIN;
	rs.r = kvmalloc_array(rs.max, sizeof(*rs.r), GFP_KERNEL);
	if (!rs.r)
		return -ENOMEM;
	ret = ipr_pgtable_walk(&ipr_amd_pt, virt_to_phys(root), mode,
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

/*
 * The Extended Feature Registers as the unit has them: the driver's copy
 * is the IVHD's until its PCI init, after the next kernel's adoption.
 */
static u64 unit_efr(struct amd_iommu *iommu)
{
	return readq(iommu->mmio_base + MMIO_EXT_FEATURES);
}

static u64 unit_efr2(struct amd_iommu *iommu)
{
	return readq(iommu->mmio_base + MMIO_EXT_FEATURES2);
}

static void amd_unit_describe(void *hw, struct ipr_unit *u)
{
	struct amd_iommu *iommu = hw;
	int hats = FIELD_GET(IPR_AMD_EFR_HATS, unit_efr(iommu));

	u->reg_base = iommu->mmio_phys;
	u->cap = unit_efr(iommu);
	u->ecap = unit_efr2(iommu);
	u->agaw = min(4 + (hats < 3 ? hats : 0), IPR_AMD_MODE_MAX);
	u->sllps = IPR_AMD_LP_2M | IPR_AMD_LP_1G;
}

static const char *amd_unit_name(void *hw)
{
	static char names[MAX_IOMMUS][sizeof("AMD-Vi") + 3];
	struct amd_iommu *iommu = hw;
	int i = iommu->index;

	if (i < 0 || i >= MAX_IOMMUS)
		return "AMD-Vi";
	if (!names[i][0])
		snprintf(names[i], sizeof(names[i]), "AMD-Vi%d", i);
	return names[i];
}

static unsigned long amd_unit_id(void *hw)
{
	return ((struct amd_iommu *)hw)->index;
}

/* The unit snoops the CPU's caches: nothing to flush. */
static void amd_tables_flush(void *hw, void *va, size_t len)
{
}

static int amd_did_alloc(void *hw, u16 *did)
{
	u16 id = domain_id_alloc();

	if (!id)
		return -ENOSPC;
	*did = id;
	return 0;
}

static void amd_did_free(void *hw, u16 did)
{
	domain_id_free(did);
}

static struct dev_table_entry *dte_of(struct amd_iommu *iommu, u8 bus,
				      u8 devfn)
{
	if (sid(bus, devfn) > iommu->pci_seg->last_bdf)
		return NULL;
	return &get_dev_table(iommu)[sid(bus, devfn)];
}

static struct ipr_entry dte_read(const struct dev_table_entry *dte)
{
	struct ipr_entry e;
	unsigned int i;

	for (i = 0; i < IPR_ENTRY_WORDS; i++)
		e.w[i] = READ_ONCE(dte->data[i]);
	return e;
}

/*
 * The device's driver data, with its domain's lock and its own taken in
 * the driver's order (attach_device()), or NULL. The domain is the one it
 * is attached to once both are held.
 */
static struct iommu_dev_data *dev_lock(struct amd_iommu *iommu, u8 bus,
				       u8 devfn, struct pci_dev **pdev,
				       unsigned long *flags)
{
	struct iommu_dev_data *dev_data;
	struct protection_domain *dom;

	*pdev = pci_get_domain_bus_and_slot(iommu->pci_seg->id, bus, devfn);
	dev_data = *pdev ? dev_iommu_priv_get(&(*pdev)->dev) : NULL;
	if (!dev_data) {
		pci_dev_put(*pdev);
		*pdev = NULL;
		return NULL;
	}
	for (;;) {
		dom = READ_ONCE(dev_data->domain);
		if (dom)
			spin_lock_irqsave(&dom->lock, *flags);
		else
			local_irq_save(*flags);
		spin_lock(&dev_data->lock);
		if (dev_data->domain == dom)
			return dev_data;
		spin_unlock(&dev_data->lock);
		if (dom)
			spin_unlock_irqrestore(&dom->lock, *flags);
		else
			local_irq_restore(*flags);
	}
}

static void dev_unlock(struct iommu_dev_data *dev_data, struct pci_dev *pdev,
		       unsigned long flags)
{
	struct protection_domain *dom = dev_data->domain;

	spin_unlock(&dev_data->lock);
	if (dom)
		spin_unlock_irqrestore(&dom->lock, flags);
	else
		local_irq_restore(flags);
	pci_dev_put(pdev);
}

static int amd_entry_switch(void *hw, u8 bus, u8 devfn,
			    const struct ipr_entry *e, struct ipr_entry *prev,
			    u16 *old_did)
{
	struct amd_iommu *iommu = hw;
	struct iommu_dev_data *dev_data;
	struct dev_table_entry *dte = dte_of(iommu, bus, devfn);
	struct pci_dev *pdev;
	unsigned long flags;

	dev_data = dte ? dev_lock(iommu, bus, devfn, &pdev, &flags) : NULL;
	if (!dev_data)
		return -ENOENT;
	*prev = dte_read(dte);
	if (!(prev->w[0] & IPR_AMD_DTE_V)) {
		dev_unlock(dev_data, pdev, flags);
		return -ENOENT;
	}
	/* Quadword 2 (interrupts) stays; 1 then 0, as set_dte_entry(). */
	WRITE_ONCE(dte->data[3], e->w[3]);
	WRITE_ONCE(dte->data[1], e->w[1]);
	WRITE_ONCE(dte->data[0], e->w[0]);
	ipr_held_mark(iommu, bus, devfn, true);
	dev_unlock(dev_data, pdev, flags);
	*old_did = FIELD_GET(IPR_AMD_DTE_DID, prev->w[1]);
	iommu_flush_all_caches(iommu);
	return 0;
}

static u16 amd_entry_release(void *hw, u8 bus, u8 devfn, struct device *dev,
			     u16 did)
{
	struct amd_iommu *iommu = hw;
	struct iommu_dev_data *dev_data;
	struct dev_table_entry *dte = dte_of(iommu, bus, devfn);
	struct protection_domain *dom;
	struct pci_dev *pdev;
	unsigned long flags;
	u16 now = 0;

	if (WARN_ON_ONCE(!dte))
		return 0;
	dev_data = dev ? dev_lock(iommu, bus, devfn, &pdev, &flags) : NULL;
	dom = dev_data ? dev_data->domain : NULL;
	ipr_held_mark(iommu, bus, devfn, false);
	if (dom) {
		/* The driver writes its entry for the domain, and flushes. */
		amd_iommu_update_and_flush_device_table(dom);
		amd_iommu_domain_flush_complete(dom);
		now = dom->id;
	} else {
		/* As clear_dte_entry(): blocked, interrupts left alone. */
		WRITE_ONCE(dte->data[0], IPR_AMD_DTE_V | IPR_AMD_DTE_TV);
		WRITE_ONCE(dte->data[1], dte->data[1] & DTE_FLAG_MASK);
		WRITE_ONCE(dte->data[3], 0);
	}
	if (dev_data)
		dev_unlock(dev_data, pdev, flags);
	iommu_flush_all_caches(iommu);
	return now;
}

/* Is quadword 2 of a kept device's entry something the next kernel keeps? */
static bool irq_word_ok(u64 w2)
{
	unsigned int len = FIELD_GET(IPR_AMD_DTE_INTTABLEN, w2);

	if (!(w2 & IPR_AMD_DTE_IV))
		return false;
	switch (FIELD_GET(IPR_AMD_DTE_INTCTL, w2)) {
	case 0:		/* abort */
		return true;
	case IPR_AMD_INTCTL_REMAP:
		/* At most 2^len 128-bit entries, in the pool. */
		return len <= 11 &&
		       keepalive_pool_contains(w2 & IPR_AMD_DTE_IRT_PTR,
					       16ULL << len);
	default:	/* passed through untranslated, or reserved */
		return false;
	}
}

static int amd_entry_adopt(void *hw, u8 bus, u8 devfn,
			   const struct ipr_entry *e, u16 did)
{
	struct amd_iommu *iommu = hw;
	struct dev_table_entry *dte = dte_of(iommu, bus, devfn);

	if (!dte || !irq_word_ok(e->w[2]))
		return -EINVAL;
	dte->data[0] = e->w[0];
	dte->data[1] = e->w[1];
	dte->data[2] = e->w[2];
	dte->data[3] = e->w[3];
	__set_bit(did, amd_iommu_pd_alloc_bitmap);
	ipr_held_mark(iommu, bus, devfn, true);
	return 0;
}

static void amd_entry_block(void *hw, u8 bus, u8 devfn)
{
	struct dev_table_entry *dte = dte_of(hw, bus, devfn);
	struct ipr_entry b;

	if (!dte)
		return;
	ipr_amd_dte_blocked(&b);
	dte->data[0] = b.w[0];
	dte->data[1] = b.w[1];
	dte->data[2] = b.w[2];
	dte->data[3] = b.w[3];
}

static void control_clear(struct amd_iommu *iommu, u64 bits)
{
	u64 ctrl = readq(iommu->mmio_base + MMIO_CONTROL_OFFSET);

	writeq(ctrl & ~bits, iommu->mmio_base + MMIO_CONTROL_OFFSET);
}

static void amd_unit_keep_on(void *hw, u64 root,
			     const struct ipr_arena *tables)
{
	struct amd_iommu *iommu = hw;
	struct ipr_entry *dt = tables->va;
	unsigned int i;
	u64 dtb;

	if (WARN_ON_ONCE(root != tables->phys ||
			 tables->pages != IPR_AMD_DT_PAGES))
		return;
	/* A kept device's interrupts as they are now, if the pool holds them. */
	for (i = 0; i <= iommu->pci_seg->last_bdf; i++) {
		u64 w2 = READ_ONCE(get_dev_table(iommu)[i].data[2]);

		if (dt[i].w[0] == (IPR_AMD_DTE_V | IPR_AMD_DTE_TV))
			continue;
		dt[i].w[2] = irq_word_ok(w2) ? w2 : IPR_AMD_DTE_IV;
	}
	dtb = root | (IPR_AMD_DT_PAGES - 1);
	memcpy_toio(iommu->mmio_base + MMIO_DEV_TABLE_OFFSET, &dtb, sizeof(dtb));
	iommu_flush_all_caches(iommu);
	/* Nothing more is written to this kernel's memory. */
	control_clear(iommu, BIT_ULL(CONTROL_EVT_LOG_EN) |
			     BIT_ULL(CONTROL_EVT_INT_EN) |
			     BIT_ULL(CONTROL_PPRLOG_EN) |
			     BIT_ULL(CONTROL_PPRINT_EN) |
			     BIT_ULL(CONTROL_GALOG_EN) |
			     BIT_ULL(CONTROL_GAINT_EN) |
			     BIT_ULL(CONTROL_COMWAIT_EN));
	control_clear(iommu, BIT_ULL(CONTROL_CMDBUF_EN));
}

static u64 amd_unit_root(void *hw)
{
	struct amd_iommu *iommu = hw;

	return readq(iommu->mmio_base + MMIO_DEV_TABLE_OFFSET) & PAGE_MASK;
}

static void *amd_unit_find(u64 reg_base)
{
	struct amd_iommu *iommu;

	for_each_iommu(iommu)
		if (iommu->mmio_phys == reg_base)
			return iommu;
	return NULL;
}

static const char *amd_unit_check(void *hw, const struct ipr_unit *u)
{
	struct amd_iommu *iommu = hw;

	if (unit_efr(iommu) != u->cap || unit_efr2(iommu) != u->ecap)
		return "the unit's extended features differ";
	if (amd_iommu_pgtable != AMD_IOMMU_V1)
		return "the unit would use v2 page tables";
	return NULL;
}

static u32 amd_unit_segment(void *hw)
{
	return ((struct amd_iommu *)hw)->pci_seg->id;
}

static const char *amd_entry_check(const struct ipr_unit *u, u16 did,
				   int mode)
{
	int hats = FIELD_GET(IPR_AMD_EFR_HATS, u->cap);

	if (!did)
		return "its domain id is out of range or disagrees with its device table entry";
	if (mode > 4 + (hats < 3 ? hats : 0))
		return "its paging mode is not supported by the unit";
	return NULL;
}

const struct ipr_backend ipr_amd_backend = {
	.name = "AMD-Vi",
	.compatible = KEEPALIVE_IOMMU_AMDVI_COMPATIBLE,
	.translation_size = sizeof(struct keepalive_iommu_amdvi_translation),
	.present = amd_present,
	.pt = &ipr_amd_pt,
	.dev_unsupported = amd_dev_unsupported,
	.vmm_ranges = amd_vmm_ranges,
	.unit_describe = amd_unit_describe,
	.unit_name = amd_unit_name,
	.unit_id = amd_unit_id,
	.tables_flush = amd_tables_flush,
	.did_alloc = amd_did_alloc,
	.did_free = amd_did_free,
	.entry_switch = amd_entry_switch,
	.entry_release = amd_entry_release,
	.entry_adopt = amd_entry_adopt,
	.entry_block = amd_entry_block,
	.unit_keep_on = amd_unit_keep_on,
	.unit_root = amd_unit_root,
	.unit_find = amd_unit_find,
	.unit_check = amd_unit_check,
	.unit_segment = amd_unit_segment,
	.entry_check = amd_entry_check,
	.entry_encode = ipr_amd_entry_encode,
	.entry_decode = ipr_amd_entry_decode,
	.entry_record = ipr_amd_entry_record,
	.entry_parse = ipr_amd_entry_parse,
	.root_read = ipr_amd_root_read,
	.root_pages = ipr_amd_root_pages,
	.root_init = ipr_amd_root_init,
	.root_add = ipr_amd_root_add,
	.root_check = ipr_amd_root_check,
};
