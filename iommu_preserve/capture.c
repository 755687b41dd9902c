// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: a kept device's handover translation, captured
 * from its VMM's domain, switched in, and released back to whatever domain
 * the IOMMU driver has attached it to; and the per-device operations of a
 * device marked in this kernel.
 *
 * Capture (PRE-STOP, or the VMM's close of the device if that comes first)
 * walks the device's domain and builds, in the pool, tables that map
 * exactly the same IOVAs onto the same preserved memory, with a domain id
 * of our own. A mapping not backed by a preserved memory file cannot be
 * kept: the capture fails with -EXDEV and names the IOVA.
 *
 * The switch (STOP, or that close) replaces the device's context entry in
 * one write, and invalidates the caches for the domain id it replaced
 * (ipr_backend.entry_switch). From then the device is held: the driver's
 * attach and detach leave its entry alone (keepalive_iommu_held()), so the VMM
 * closing its container changes nothing for the device.
 *
 * The release (ABORT, POST-RESUME, CONCLUDE, or a kept device let go)
 * writes the entry the driver would have written for the domain the device
 * is attached to now, in one write, and invalidates our domain id, which
 * stays reserved until the tables are freed.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "ipr.h"

/* Protects ipr_units, ipr_devs and every entry on them. */
DEFINE_MUTEX(ipr_lock);
LIST_HEAD(ipr_units);
LIST_HEAD(ipr_devs);

/*
 * Per unit (ipr_backend.unit_id), a bitmap of held source ids (bus << 8 |
 * devfn). Allocated the first time a device of the unit is held and kept
 * for the life of the kernel, so that the driver's check needs no lock of
 * ours: xa_load() is RCU-safe, the bits change under the driver's lock.
 */
static DEFINE_XARRAY(ipr_held_maps);

#define IPR_SIDS	BIT(16)

static u16 sid(u8 bus, u8 devfn)
{
	return (u16)bus << 8 | devfn;
}

/**
 * ipr_held() - does keepalive own this context entry?
 * @hw: the unit
 * @bus: bus number
 * @devfn: device and function
 *
 * Context: Any context; the caller holds the driver's lock of @hw.
 * Return: true when the entry is held.
 */
bool ipr_held(void *hw, u8 bus, u8 devfn)
{
	unsigned long *map = xa_load(&ipr_held_maps, ipr_be->unit_id(hw));

	return map && test_bit(sid(bus, devfn), map);
}

/**
 * ipr_held_mark() - mark a context entry held or not
 * @hw: the unit
 * @bus: bus number
 * @devfn: device and function
 * @held: the new state
 *
 * Context: Process context, to mark held; any context to clear (the
 * bitmap exists then). Takes and releases nothing: the caller holds the
 * driver's lock of @hw when the entry is live.
 * Return: 0, or -ENOMEM when the unit's bitmap cannot be allocated.
 */
int ipr_held_mark(void *hw, u8 bus, u8 devfn, bool held)
{
	unsigned long *map = xa_load(&ipr_held_maps, ipr_be->unit_id(hw));

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
 * @hw: the unit
 *
 * Context: Process context.
 * Return: 0 or -ENOMEM.
 */
int ipr_held_map_prepare(void *hw)
{
	unsigned long id = ipr_be->unit_id(hw);
	unsigned long *map;
	void *old;

	if (xa_load(&ipr_held_maps, id))
		return 0;
	map = bitmap_zalloc(IPR_SIDS, GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	old = xa_cmpxchg(&ipr_held_maps, id, NULL, map, GFP_KERNEL);
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
 * ipr_dev_of() - the handover translation of a kept device
 * @kd: the device
 *
 * A device marked in this kernel has it in its part[KEEPALIVE_DEVICE_DMA]
 * from its capture on; an incoming one (handed over by the previous
 * kernel, read before any keepalive_device existed) is found by its
 * place.
 *
 * Context: ipr_lock held.
 * Return: the entry, or NULL.
 */
struct ipr_dev *ipr_dev_of(struct keepalive_device *kd)
{
	struct pci_dev *pdev = kd->pdev;
	struct ipr_dev *d = kd->part[KEEPALIVE_DEVICE_DMA];

	lockdep_assert_held(&ipr_lock);
	if (d)
		return d;
	d = ipr_find(pci_domain_nr(pdev->bus), pdev->bus->number,
		     pdev->devfn);
	return d && d->incoming ? d : NULL;
}

static struct ipr_unit *unit_get(void *hw)
{
	struct ipr_unit *u;

	list_for_each_entry(u, &ipr_units, list)
		if (u->hw == hw)
			return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return NULL;
	u->hw = hw;
	u->index = -1;
	ipr_be->unit_describe(hw, u);
	list_add_tail(&u->list, &ipr_units);
	return u;
}

/**
 * ipr_check_device() - can this device's DMA translation be kept?
 * @kd: a vfio-pci device a VMM asks to keep, maybe a temporary one
 *
 * Context: Process context.
 * Return: 0, or -EOPNOTSUPP (logged with the reason) when the device is
 * not translated by a unit the backend keeps (VT-d: legacy mode,
 * translation on), not on an unmanaged (VMM's) domain, or has DMA aliases.
 */
int ipr_check_device(struct keepalive_device *kd)
{
	struct pci_dev *pdev = kd->pdev;
	void *hw;
	const char *why = ipr_be->dev_unsupported(pdev, &hw);

	if (!why)
		return 0;
	dev_warn_ratelimited(&pdev->dev, "keepalive: cannot be kept: %s\n", why);
	return -EOPNOTSUPP;
}

/**
 * ipr_files_hold() - hold the preserved file behind each of a device's ranges
 * @d: a device whose @ranges are read, not yet on ipr_devs
 * @pdev: the device, to log which range is not backed; NULL for no log
 *
 * Context: Process context; takes kamf_lock (memfd/).
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
 * Context: Process context; takes kamf_lock (memfd/).
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

/**
 * ipr_capture() - build a device's handover translation from its domain
 * @kd: a kept device, attached to its VMM's domain, with no translation
 *	captured yet
 * @out: the new entry, on ipr_devs and in @kd->part[KEEPALIVE_DEVICE_DMA],
 *	not held
 *
 * Context: Process context; ipr_lock held.
 * Return: 0; -EOPNOTSUPP when the translation cannot be preserved;
 * -EXDEV when a mapping is not backed by a preserved memory file; -E2BIG
 * for more than KEEPALIVE_IOMMU_MAX_RANGES ranges; -EINVAL for mappings
 * beyond the unit's address width; -ENOSPC when the unit has no free
 * domain id or the pool no room; -ENOMEM; -EIO (fault injection). On
 * error nothing is left behind.
 */
int ipr_capture(struct keepalive_device *kd, struct ipr_dev **out)
{
	struct pci_dev *pdev = kd->pdev;
	void *hw;
	const char *why = ipr_be->dev_unsupported(pdev, &hw);
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
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->segment = pci_domain_nr(pdev->bus);
	d->bus = pdev->bus->number;
	d->devfn = pdev->devfn;
	ret = -ENOMEM;
	d->unit = unit_get(hw);
	if (!d->unit)
		goto free_dev;
	d->agaw = d->unit->agaw;
	ret = ipr_held_map_prepare(hw);
	if (ret)
		goto free_dev;
	ret = ipr_be->vmm_ranges(pdev, &d->ranges);
	if (ret) {
		pci_err(pdev, "keepalive: cannot read its domain's mappings: %d\n",
			ret);
		goto free_dev;
	}
	ret = ipr_files_hold(d, pdev);
	if (ret)
		goto free_ranges;
	ret = ipr_pgtable_pages(ipr_be->pt, d->ranges.r, d->ranges.nr,
				d->agaw, d->unit->sllps, &pages);
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
	ret = ipr_pgtable_build(ipr_be->pt, &d->tables, d->ranges.r,
				d->ranges.nr, d->agaw, d->unit->sllps, &d->top);
	if (WARN_ON_ONCE(ret))
		goto free_tables;
	ipr_be->tables_flush(hw, d->tables.va, pages * IPR_PAGE_SIZE);
	ret = ipr_be->did_alloc(hw, &d->did);
	d->did_reserved = !ret;
	if (ret) {
		pci_err(pdev, "keepalive: cannot be kept: no free domain id on %s\n",
			ipr_be->unit_name(hw));
		goto free_tables;
	}
	d->pdev = pci_dev_get(pdev);
	d->kd = kd;
	kd->part[KEEPALIVE_DEVICE_DMA] = d;
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
	struct ipr_ranges now = {};
	bool same;
	void *hw;
	int ret;

	if (ipr_be->dev_unsupported(d->pdev, &hw)) {
		pci_err(d->pdev, "keepalive: its domain changed since PRE-STOP\n");
		return -EBUSY;
	}
	ret = ipr_be->vmm_ranges(d->pdev, &now);
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

/**
 * ipr_switch() - translate a captured device through its handover tables
 * @d: a captured device, not held
 *
 * Context: Process context; ipr_lock held.
 * Return: 0, or -ENOENT when the device has no context entry.
 */
int ipr_switch(struct ipr_dev *d)
{
	struct ipr_entry ce;
	u16 old;

	ipr_be->entry_encode(d->top, d->did, d->agaw, &ce);
	if (ipr_be->entry_switch(d->unit->hw, d->bus, d->devfn, &ce, &d->prev,
				 &old)) {
		pci_err(d->pdev, "keepalive: has no context entry to switch\n");
		return -ENOENT;
	}
	d->held = true;
	pci_info_ratelimited(d->pdev, "keepalive: translated by its handover tables (domain id %u, was %u)\n",
			     d->did, old);
	return 0;
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
	struct pci_dev *pdev = d->pdev;
	u16 now;

	if (!d->held)
		return;
	if (!pdev)
		pdev = pci_get_domain_bus_and_slot(d->segment, d->bus, d->devfn);
	now = ipr_be->entry_release(d->unit->hw, d->bus, d->devfn,
				    pdev ? &pdev->dev : NULL, d->did);
	d->held = false;
	if (pdev)
		pci_info_ratelimited(pdev, "keepalive: handover translation released (domain id %u now)\n",
				     now);
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
 * @d: an entry, released or never held; unlinked from its kept device
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
	if (d->kd) {
		d->kd->part[KEEPALIVE_DEVICE_DMA] = NULL;
		d->kd = NULL;
	}
	if (d->incoming && !d->did_reserved) {
		ipr_retire(d);
		return;
	}
	if (d->did_reserved)
		ipr_be->did_free(d->unit->hw, d->did);
	if (d->tables.va)
		keepalive_pool_free(d->tables.va,
				    (size_t)d->tables.pages * IPR_PAGE_SIZE);
	ipr_files_unhold(d);
	kfree(d->ranges.r);
	pci_dev_put(d->pdev);
	kfree(d);
}

/**
 * ipr_hold_device() - a kept device's VMM closes it: hold it now
 * @kd: a kept device, still attached to its VMM's domain
 *
 * The VMM's container goes away after this: capture the device's
 * translation (unless PRE-STOP did, then check it did not change) and
 * switch the device to it, so that it never falls back to the kernel's
 * default domain.
 *
 * Context: Process context (vfio-pci's close); takes ipr_lock.
 * Return: 0 when the device is held (or was handed over and is held
 * still); -EBUSY for a handed-over device POST-RESUME already switched to
 * its VMM's domain; an errno of ipr_capture(), ipr_verify() or
 * ipr_switch() otherwise. On an error the device must not go on running.
 */
int ipr_hold_device(struct keepalive_device *kd)
{
	struct ipr_dev *d;
	bool fresh = false;
	int ret = 0;

	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	if (d && d->incoming) {
		/*
		 * Handed over: still held, or already switched to its VMM's
		 * domain, which goes away with the VMM's container.
		 */
		d->by_close |= d->held;
		ret = d->held ? 0 : -EBUSY;
		goto unlock;
	}
	if (d && d->held) {
		d->by_close = true;
		goto unlock;
	}
	if (d) {
		ret = ipr_verify(d);
	} else {
		ret = ipr_capture(kd, &d);
		fresh = !ret;
	}
	if (!ret)
		ret = ipr_switch(d);
	if (!ret)
		d->by_close = true;
	if (ret && fresh)
		ipr_free(d);
	if (ret)
		ipr_unit_put_unused();
unlock:
	mutex_unlock(&ipr_lock);
	return ret;
}

/**
 * ipr_release_device() - a kept device is let go: forget its translation
 * @kd: a device whose keep ends with it stopped or reset (ABORT, or
 *	CONCLUDE for a device nobody reclaimed)
 *
 * A held device's context entry goes back to the driver (the domain it is
 * attached to now) and its handover tables are freed, which empties
 * @kd->part[KEEPALIVE_DEVICE_DMA]. Before init_dmars() in the next kernel,
 * the device's record is only dropped: the new root will not carry it.
 *
 * Context: Process context; takes ipr_lock.
 */
void ipr_release_device(struct keepalive_device *kd)
{
	struct ipr_dev *d;

	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	if (d) {
		ipr_release(d);
		ipr_free(d);
		if (!ipr_incoming)
			ipr_unit_put_unused();
	}
	mutex_unlock(&ipr_lock);
}

/**
 * ipr_reopen_device() - a VMM opens a kept device again, this kernel
 * @kd: a device marked in this kernel
 *
 * Before PRE-STOP, a device held since its previous VMM closed it goes to
 * the domain its new VMM's container attached: the driver's entry is
 * written, the handover translation freed (the next close captures
 * again). From PRE-STOP on it stays held: the handover root built at
 * STOP points at its tables (vfio_keepalive refuses such an open while
 * the handover is frozen; the state check here is a second guard).
 *
 * Context: Process context (vfio-pci's open); takes ipr_lock.
 */
void ipr_reopen_device(struct keepalive_device *kd)
{
	struct ipr_dev *d;

	if (!keepalive_state_before(KEEPALIVE_STATE_PRE_STOP))
		return;
	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	if (d && d->by_close && !d->incoming) {
		ipr_release(d);
		ipr_free(d);
		ipr_unit_put_unused();
	}
	mutex_unlock(&ipr_lock);
}

/**
 * ipr_live_table() - walk reader for the live tables of a VMM's domain
 * @ctx: unused
 * @phys: physical address of a table, as found in an entry
 * @table: its kernel address, on success
 *
 * RAM only, so that a table the VMM's unmap freed under the walk cannot
 * send the walk into MMIO. Both backends' vmm_ranges() read through it.
 *
 * Context: Any context.
 * Return: true with @table set when @phys is RAM; false otherwise.
 */
bool ipr_live_table(void *ctx, u64 phys, const u64 **table)
{
	if (!pfn_valid(PHYS_PFN(phys)))
		return false;
	*table = phys_to_virt(phys);
	return true;
}
