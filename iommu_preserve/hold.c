// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: a kept device's handover translation, captured
 * from its VMM's domain, switched in, and released back to whatever domain
 * the Intel driver has attached it to.
 *
 * Capture (PRE-STOP, or the VMM's close of the device if that comes first)
 * walks the device's domain and builds, in the pool, tables that map
 * exactly the same IOVAs onto the same preserved memory, with a domain id
 * of our own. A mapping not backed by a preserved memory file cannot be
 * kept: the capture fails with -EXDEV and names the IOVA.
 *
 * The switch (STOP, or that close) replaces the device's context entry in
 * one 128-bit write, then invalidates the context cache for the device and
 * the IOTLB for the domain id it replaced. From then the device is held:
 * the driver's attach and detach leave its entry alone (patch 0010), so the
 * VMM closing its container changes nothing for the device.
 *
 * The release (ABORT, POST-RESUME, CONCLUDE, or a kept device let go)
 * writes the entry the driver would have written for the domain the device
 * is attached to now, in one write, and invalidates our domain id, which
 * stays reserved until the tables are freed.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/dmar.h>
#include <linux/iommu.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "intel/iommu.h"	/* drivers/iommu/, see Makefile */
#include "ipr.h"

/* Protects ipr_units, ipr_devs and every entry on them. */
DEFINE_MUTEX(ipr_lock);
LIST_HEAD(ipr_units);
LIST_HEAD(ipr_devs);

/*
 * Per unit (intel_iommu.seq_id), a bitmap of held source ids (bus << 8 |
 * devfn). Allocated the first time a device of the unit is held and kept
 * for the life of the kernel, so that the driver's check needs no lock of
 * ours: xa_load() is RCU-safe, the bits change under intel_iommu.lock.
 */
static DEFINE_XARRAY(ipr_held_maps);

#define IPR_SIDS	BIT(16)

static u16 sid(u8 bus, u8 devfn)
{
	return (u16)bus << 8 | devfn;
}

/**
 * keepalive_iommu_held() - does keepalive own this context entry?
 * @iommu: the unit
 * @bus: bus number
 * @devfn: device and function
 *
 * The Intel driver asks before it writes or clears a context entry: a held
 * entry translates a kept device through its handover tables and must not
 * change until keepalive releases it.
 *
 * Context: Any context; the caller holds @iommu->lock.
 * Return: true when the entry is held.
 */
bool keepalive_iommu_held(struct intel_iommu *iommu, u8 bus, u8 devfn)
{
	unsigned long *map = xa_load(&ipr_held_maps, iommu->seq_id);

	return map && test_bit(sid(bus, devfn), map);
}

/**
 * ipr_held_mark() - mark a context entry held or not
 * @iommu: the unit
 * @bus: bus number
 * @devfn: device and function
 * @held: the new state
 *
 * Context: Process context, to mark held; any context to clear (the
 * bitmap exists then). Takes and releases nothing: the caller holds
 * @iommu->lock when the entry is live.
 * Return: 0, or -ENOMEM when the unit's bitmap cannot be allocated.
 */
int ipr_held_mark(struct intel_iommu *iommu, u8 bus, u8 devfn, bool held)
{
	unsigned long *map = xa_load(&ipr_held_maps, iommu->seq_id);

	if (!map && held)
		return -ENOMEM;
	if (held)
		set_bit(sid(bus, devfn), map);
	else if (map)
		clear_bit(sid(bus, devfn), map);
	return 0;
}

/**
 * ipr_held_map_prepare() - allocate a unit's held bitmap, if it has none yet
 * @iommu: the unit
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int ipr_held_map_prepare(struct intel_iommu *iommu)
{
	unsigned long *map;
	void *old;

	if (xa_load(&ipr_held_maps, iommu->seq_id))
		return 0;
	map = bitmap_zalloc(IPR_SIDS, GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	old = xa_cmpxchg(&ipr_held_maps, iommu->seq_id, NULL, map, GFP_KERNEL);
	if (old)
		bitmap_free(map);
	return xa_is_err(old) ? xa_err(old) : 0;
}

/**
 * ipr_find() - the handover translation of a device
 * @segment: PCI segment
 * @bus: bus number
 * @devfn: device and function
 *
 * Context: ipr_lock held.
 * Return: the entry, or NULL.
 */
struct ipr_dev *ipr_find(u32 segment, u8 bus, u8 devfn)
{
	struct ipr_dev *d;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list)
		if (d->segment == segment && d->bus == bus && d->devfn == devfn)
			return d;
	return NULL;
}

/**
 * ipr_find_pdev() - the handover translation of a PCI device
 * @pdev: the device
 *
 * Context: ipr_lock held.
 * Return: the entry, or NULL.
 */
struct ipr_dev *ipr_find_pdev(struct pci_dev *pdev)
{
	return ipr_find(pci_domain_nr(pdev->bus), pdev->bus->number,
			pdev->devfn);
}

static struct ipr_unit *unit_get(struct intel_iommu *iommu)
{
	struct ipr_unit *u;

	list_for_each_entry(u, &ipr_units, list)
		if (u->iommu == iommu)
			return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return NULL;
	u->iommu = iommu;
	u->index = -1;
	u->reg_base = iommu->reg_phys;
	u->cap = iommu->cap;
	u->ecap = iommu->ecap;
	list_add_tail(&u->list, &ipr_units);
	return u;
}

static int count_alias(struct pci_dev *pdev, u16 alias, void *data)
{
	(*(int *)data)++;
	return 0;
}

/* Why @pdev's translation cannot be preserved, or NULL; its unit in @out. */
static const char *unsupported(struct pci_dev *pdev,
			       struct device_domain_info **out)
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
	if (iommu->agaw < IPR_AGAW_MIN || iommu->agaw > IPR_AGAW_MAX)
		return "its unit's address width is not supported";
	if (!info->domain || info->domain->domain.type != IOMMU_DOMAIN_UNMANAGED)
		return "it is not attached to a VMM's domain (identity or kernel DMA domain)";
	pci_for_each_dma_alias(pdev, count_alias, &aliases);
	if (aliases != 1)
		return "it has DMA aliases";
	*out = info;
	return NULL;
}

/**
 * ipr_check_device() - can this device's DMA translation be kept?
 * @pdev: a vfio-pci device a VMM asks to keep
 *
 * Context: Process context.
 * Return: 0, or -EOPNOTSUPP (logged with the reason) when the device is
 * not translated by a VT-d unit in legacy mode with translation on, not
 * on an unmanaged (VMM's) domain, or has DMA aliases.
 */
int ipr_check_device(struct pci_dev *pdev)
{
	struct device_domain_info *info;
	const char *why = unsupported(pdev, &info);

	if (!why)
		return 0;
	dev_warn_ratelimited(&pdev->dev, "keepalive: cannot be kept: %s\n", why);
	return -EOPNOTSUPP;
}

/*
 * Walk reader for the live tables of a domain: RAM only, so that a table
 * the VMM's unmap freed under the walk cannot send it into MMIO.
 */
static bool domain_table(void *ctx, u64 phys, const u64 **table)
{
	if (!pfn_valid(PHYS_PFN(phys)))
		return false;
	*table = phys_to_virt(phys);
	return true;
}

/* The ranges the domain @info is attached to maps, in a new array. */
static int domain_ranges(struct device_domain_info *info,
			 struct ipr_ranges *out)
{
	struct dmar_domain *dom = info->domain;
	struct ipr_ranges rs = { .max = KEEPALIVE_IOMMU_MAX_RANGES };
	int ret;

	rs.r = kvmalloc_array(rs.max, sizeof(*rs.r), GFP_KERNEL);
	if (!rs.r)
		return -ENOMEM;
	ret = ipr_pgtable_walk(virt_to_phys(dom->pgd), dom->agaw, domain_table,
			       NULL, ipr_ranges_add, &rs);
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

/**
 * ipr_files_hold() - hold the preserved file behind each of a device's ranges
 * @d: a device whose @ranges are read, not yet on ipr_devs
 * @pdev: the device, to log which range is not backed; NULL for no log
 *
 * Context: Process context; takes memfd_lock.
 * Return: 0; -EXDEV when a range is not inside one preserved file, nothing
 * then held; -ENOMEM.
 */
int ipr_files_hold(struct ipr_dev *d, struct pci_dev *pdev)
{
	unsigned int i;

	if (!d->ranges.nr)
		return 0;
	d->files = kcalloc(d->ranges.nr, sizeof(*d->files), GFP_KERNEL);
	if (!d->files)
		return -ENOMEM;
	for (i = 0; i < d->ranges.nr; i++) {
		const struct ipr_range *r = &d->ranges.r[i];

		d->files[i] = keepalive_memfd_hold(r->phys, r->len);
		if (d->files[i])
			continue;
		if (pdev)
			pci_err(pdev, "keepalive: cannot be kept: IOVA %#llx (%#llx bytes) is not backed by a preserved memory file\n",
				r->iova, r->len);
		ipr_files_unhold(d);
		return -EXDEV;
	}
	return 0;
}

/**
 * ipr_files_unhold() - give back what ipr_files_hold() held
 * @d: a device; one that holds nothing is left alone
 *
 * Context: Process context; takes memfd_lock.
 */
void ipr_files_unhold(struct ipr_dev *d)
{
	unsigned int i;

	if (!d->files)
		return;
	for (i = 0; i < d->ranges.nr; i++)
		keepalive_memfd_unhold(d->files[i]);
	kfree(d->files);
	d->files = NULL;
}

static int did_reserve(struct intel_iommu *iommu, u16 *did)
{
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

static void did_release(struct intel_iommu *iommu, u16 did)
{
	spin_lock(&iommu->lock);
	clear_bit(did, iommu->domain_ids);
	spin_unlock(&iommu->lock);
}

/**
 * ipr_capture() - build a device's handover translation from its domain
 * @pdev: a kept device, attached to its VMM's domain
 * @out: the new entry, on ipr_devs, not held
 *
 * Context: Process context; ipr_lock held.
 * Return: 0; -EOPNOTSUPP when the translation cannot be preserved;
 * -EXDEV when a mapping is not backed by a preserved memory file; -E2BIG
 * for more than KEEPALIVE_IOMMU_MAX_RANGES ranges; -EINVAL for mappings
 * beyond the unit's address width; -ENOSPC when the unit has no free
 * domain id or the pool no room; -ENOMEM; -EIO (fault injection). On
 * error nothing is left behind.
 */
int ipr_capture(struct pci_dev *pdev, struct ipr_dev **out)
{
	struct device_domain_info *info;
	struct intel_iommu *iommu;
	const char *why = unsupported(pdev, &info);
	struct ipr_dev *d;
	unsigned int pages;
	phys_addr_t phys;
	int ret;

	lockdep_assert_held(&ipr_lock);
	if (why) {
		pci_err(pdev, "keepalive: cannot be kept: %s\n", why);
		return -EOPNOTSUPP;
	}
	if (keepalive_should_fail())
		return -EIO;
	iommu = info->iommu;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->segment = pci_domain_nr(pdev->bus);
	d->bus = pdev->bus->number;
	d->devfn = pdev->devfn;
	d->agaw = iommu->agaw;
	ret = -ENOMEM;
	d->unit = unit_get(iommu);
	if (!d->unit)
		goto free_dev;
	ret = ipr_held_map_prepare(iommu);
	if (ret)
		goto free_dev;
	ret = domain_ranges(info, &d->ranges);
	if (ret) {
		pci_err(pdev, "keepalive: cannot read its domain's mappings: %d\n",
			ret);
		goto free_dev;
	}
	ret = ipr_files_hold(d, pdev);
	if (ret)
		goto free_ranges;
	ret = ipr_pgtable_pages(d->ranges.r, d->ranges.nr, d->agaw,
				cap_super_page_val(iommu->cap), &pages);
	if (ret)
		goto unhold_files;
	d->tables.va = keepalive_pool_alloc((size_t)pages * IPR_PAGE_SIZE,
					    &phys);
	if (!d->tables.va) {
		ret = -ENOSPC;
		goto unhold_files;
	}
	d->tables.phys = phys;
	d->tables.pages = pages;
	ret = ipr_pgtable_build(&d->tables, d->ranges.r, d->ranges.nr,
				d->agaw, cap_super_page_val(iommu->cap),
				&d->top);
	if (WARN_ON_ONCE(ret))
		goto free_tables;
	if (!ecap_coherent(iommu->ecap))
		clflush_cache_range(d->tables.va, pages * IPR_PAGE_SIZE);
	ret = did_reserve(iommu, &d->did);
	d->did_reserved = !ret;
	if (ret) {
		pci_err(pdev, "keepalive: cannot be kept: no free domain id on %s\n",
			iommu->name);
		goto free_tables;
	}
	d->pdev = pci_dev_get(pdev);
	list_add_tail(&d->list, &ipr_devs);
	pci_info_ratelimited(pdev, "keepalive: handover translation: %u range(s), %u table page(s), domain id %u\n",
			     d->ranges.nr, pages, d->did);
	*out = d;
	return 0;

free_tables:
	keepalive_pool_free(d->tables.va, (size_t)pages * IPR_PAGE_SIZE);
unhold_files:
	ipr_files_unhold(d);
free_ranges:
	kfree(d->ranges.r);
free_dev:
	kfree(d);
	return ret;
}

/**
 * ipr_verify() - does the device's domain still map what was captured?
 * @d: a captured, not yet held, device
 *
 * Context: Process context; ipr_lock held.
 * Return: 0; -EBUSY (logged) when the VMM changed its mappings, or its
 * domain, since the capture; -ENOMEM.
 */
int ipr_verify(struct ipr_dev *d)
{
	struct device_domain_info *info;
	struct ipr_ranges now = {};
	bool same;
	int ret;

	if (unsupported(d->pdev, &info)) {
		pci_err(d->pdev, "keepalive: its domain changed since PRE-STOP\n");
		return -EBUSY;
	}
	ret = domain_ranges(info, &now);
	if (ret)
		return ret;
	same = ipr_ranges_equal(now.r, now.nr, d->ranges.r, d->ranges.nr);
	kfree(now.r);
	if (!same) {
		pci_err(d->pdev, "keepalive: its VMM changed its DMA mappings since PRE-STOP\n");
		return -EBUSY;
	}
	return 0;
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

/**
 * ipr_switch() - translate a captured device through its handover tables
 * @d: a captured device, not held
 *
 * Context: Process context; ipr_lock held.
 * Return: 0, or -ENOENT when the device has no context entry.
 */
int ipr_switch(struct ipr_dev *d)
{
	struct intel_iommu *iommu = d->unit->iommu;
	struct ipr_ctx ce = ipr_ctx_encode(d->top, d->did, d->agaw);
	struct context_entry *ctx;
	u16 old;

	spin_lock(&iommu->lock);
	ctx = iommu_context_addr(iommu, d->bus, d->devfn, 0);
	if (!ctx || !context_present(ctx)) {
		spin_unlock(&iommu->lock);
		pci_err(d->pdev, "keepalive: has no context entry to switch\n");
		return -ENOENT;
	}
	d->prev = (struct ipr_ctx) { .lo = ctx->lo, .hi = ctx->hi };
	ctx_write(ctx, &ce);
	__iommu_flush_cache(iommu, ctx, sizeof(*ctx));
	ipr_held_mark(iommu, d->bus, d->devfn, true);
	spin_unlock(&iommu->lock);
	old = FIELD_GET(IPR_CTX_DID, d->prev.hi);
	flush_entry(iommu, d->bus, d->devfn, old);
	d->held = true;
	pci_info_ratelimited(d->pdev, "keepalive: translated by its handover tables (domain id %u, was %u)\n",
			     d->did, old);
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
			.lo = FIELD_PREP(IPR_CTX_TT, CONTEXT_TT_PASS_THROUGH) |
			      IPR_CTX_PRESENT,
			.hi = FIELD_PREP(IPR_CTX_AW, iommu->msagaw) |
			      FIELD_PREP(IPR_CTX_DID, did),
		};
	pgd = dom->pgd;
	for (agaw = dom->agaw; agaw > iommu->agaw; agaw--) {
		pgd = phys_to_virt(dma_pte_addr(pgd));
		if (!dma_pte_present(pgd))
			return (struct ipr_ctx) {};
	}
	return (struct ipr_ctx) {
		.lo = virt_to_phys(pgd) | IPR_CTX_PRESENT |
		      FIELD_PREP(IPR_CTX_TT, info->ats_supported ?
				 CONTEXT_TT_DEV_IOTLB : CONTEXT_TT_MULTI_LEVEL),
		.hi = FIELD_PREP(IPR_CTX_AW, agaw) | FIELD_PREP(IPR_CTX_DID, did),
	};
}

/**
 * ipr_release() - hand a held device's context entry back to the driver
 * @d: a held device
 *
 * Writes the entry for the domain the driver has attached the device to
 * (none: not present) and invalidates the handover domain id. The tables
 * and the domain id stay until ipr_free().
 *
 * Context: Process context; ipr_lock held.
 */
void ipr_release(struct ipr_dev *d)
{
	struct intel_iommu *iommu = d->unit->iommu;
	struct pci_dev *pdev = d->pdev;
	struct context_entry *ctx;
	struct ipr_ctx ce;

	if (!d->held)
		return;
	if (!pdev)
		pdev = pci_get_domain_bus_and_slot(d->segment, d->bus, d->devfn);
	spin_lock(&iommu->lock);
	ce = target_entry(iommu, pdev ? &pdev->dev : NULL);
	ctx = iommu_context_addr(iommu, d->bus, d->devfn, 0);
	if (!WARN_ON_ONCE(!ctx)) {
		ctx_write(ctx, &ce);
		__iommu_flush_cache(iommu, ctx, sizeof(*ctx));
	}
	ipr_held_mark(iommu, d->bus, d->devfn, false);
	spin_unlock(&iommu->lock);
	flush_entry(iommu, d->bus, d->devfn, d->did);
	d->held = false;
	if (pdev)
		pci_info_ratelimited(pdev, "keepalive: handover translation released (domain id %llu now)\n",
				     FIELD_GET(IPR_CTX_DID, ce.hi));
	if (pdev != d->pdev)
		pci_dev_put(pdev);
}

/*
 * Next kernel: incoming devices whose entry this kernel never installed
 * (refused, stopped at enumeration, let go before init_dmars()). Until
 * init_dmars() replaces it, the previous kernel's root, which the unit
 * still walks, points at their tables: those stay allocated until
 * CONCLUDE (ipr_retired_free()), so that nothing else is put there.
 */
static LIST_HEAD(ipr_retired);

/**
 * ipr_retire() - keep an incoming device's tables until CONCLUDE
 * @d: an incoming entry on no list, never installed in this kernel's root
 *
 * Its files are let go and everything else freed but its tables.
 *
 * Context: Process context; ipr_lock held.
 */
void ipr_retire(struct ipr_dev *d)
{
	lockdep_assert_held(&ipr_lock);
	ipr_files_unhold(d);
	kfree(d->ranges.r);
	d->ranges.r = NULL;
	d->ranges.nr = 0;
	pci_dev_put(d->pdev);
	d->pdev = NULL;
	if (!d->tables.va) {
		kfree(d);
		return;
	}
	list_add_tail(&d->list, &ipr_retired);
}

/**
 * ipr_retired_free() - CONCLUDE: free the tables ipr_retire() kept
 *
 * Context: Process context; ipr_lock held.
 */
void ipr_retired_free(void)
{
	struct ipr_dev *d, *next;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry_safe(d, next, &ipr_retired, list) {
		list_del(&d->list);
		keepalive_pool_free(d->tables.va,
				    (size_t)d->tables.pages * IPR_PAGE_SIZE);
		kfree(d);
	}
}

/**
 * ipr_free() - forget a device's handover translation
 * @d: an entry, released or never held
 *
 * An incoming entry whose tables the previous kernel's root may still
 * reach is retired instead (ipr_retire()).
 *
 * Context: Process context; ipr_lock held.
 */
void ipr_free(struct ipr_dev *d)
{
	if (WARN_ON_ONCE(d->held))
		return;
	list_del(&d->list);
	if (d->incoming && !d->did_reserved) {
		ipr_retire(d);
		return;
	}
	if (d->did_reserved)
		did_release(d->unit->iommu, d->did);
	if (d->tables.va)
		keepalive_pool_free(d->tables.va,
				    (size_t)d->tables.pages * IPR_PAGE_SIZE);
	ipr_files_unhold(d);
	kfree(d->ranges.r);
	pci_dev_put(d->pdev);
	kfree(d);
}

/**
 * ipr_covered() - does the device's domain map all its handover ranges?
 * @d: a held device in the next kernel
 *
 * Context: Process context; ipr_lock held.
 * Return: 0 when the device is open with its token (ipr_claim_device())
 * and attached to an unmanaged (VMM's) domain that maps every handover
 * range to the same memory with at least the same access; -EAGAIN when it
 * is not open with its token, or on no such domain (not reclaimed);
 * -EBUSY (logged with the first IOVA missing) when the domain does not
 * map them yet; -ENOMEM.
 */
int ipr_covered(struct ipr_dev *d)
{
	struct device_domain_info *info = dev_iommu_priv_get(&d->pdev->dev);
	struct ipr_ranges now = {};
	unsigned int i, j = 0;
	int ret;

	/*
	 * A container attach needs no token (vfio attaches the group before
	 * any device fd can be opened): only the domain of the VMM that holds
	 * the device open with its token may receive it.
	 */
	if (!d->claimed || !info || !info->domain ||
	    info->domain->domain.type != IOMMU_DOMAIN_UNMANAGED)
		return -EAGAIN;
	ret = domain_ranges(info, &now);
	if (ret)
		return ret;
	for (i = 0; i < d->ranges.nr; i++) {
		const struct ipr_range *h = &d->ranges.r[i];

		while (j < now.nr && now.r[j].iova + now.r[j].len <= h->iova)
			j++;
		if (j == now.nr || now.r[j].iova > h->iova ||
		    now.r[j].iova + now.r[j].len < h->iova + h->len ||
		    now.r[j].phys - now.r[j].iova != h->phys - h->iova ||
		    (now.r[j].prot & h->prot) != h->prot) {
			pci_err(d->pdev, "keepalive: its VMM's domain does not map IOVA %#llx (%#llx bytes) as before the kexec\n",
				h->iova, h->len);
			ret = -EBUSY;
			break;
		}
	}
	kfree(now.r);
	return ret;
}
