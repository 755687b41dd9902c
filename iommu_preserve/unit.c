// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: a remapping unit's handover root.
 *
 * At STOP each unit that translates a held device gets a handover root in
 * the pool (VT-d: a root table and context tables; AMD-Vi: a device
 * table), laid out by the
 * backend (ipr_backend.root_pages() and .root_add()), with a present
 * entry for its held devices only. At the kexec the unit keeps
 * translation on and its root table address register is pointed there:
 * every kept device goes on through its handover tables, every other
 * device on the unit is blocked (VT-d: its context entry is not present;
 * AMD-Vi: its entry aborts DMA and interrupts), never left untranslated.
 * The next kernel's driver replaces that root (ipr_adopt(): VT-d's in
 * init_dmars(); ipr_early_adopt(): AMD-Vi's in early_enable_iommus()).
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/keepalive.h>
#include <linux/slab.h>

#include "ipr.h"

static void unit_tables_free(struct ipr_unit *u)
{
	if (!u->tables.va)
		return;
	keepalive_pool_free(u->tables.va,
			    (size_t)u->tables.pages * IPR_PAGE_SIZE);
	u->tables = (struct ipr_arena) {};
	u->root = 0;
	u->index = -1;
}

/* Source ids (bus << 8 | devfn) of a unit's held devices; ipr_lock. */
static DECLARE_BITMAP(unit_sids, 1 << 16);

/* Pages of @u's handover root: 0 when it has no held device. */
static unsigned int unit_pages(struct ipr_unit *u)
{
	struct ipr_dev *d;

	bitmap_zero(unit_sids, 1 << 16);
	list_for_each_entry(d, &ipr_devs, list)
		if (d->held && d->unit == u)
			__set_bit((u32)d->bus << 8 | d->devfn, unit_sids);
	return bitmap_empty(unit_sids, 1 << 16) ? 0 :
	       ipr_be->root_pages(unit_sids);
}

static int unit_build(struct ipr_unit *u, unsigned int pages)
{
	struct ipr_dev *d;
	phys_addr_t phys;
	int ret;

	u->tables.va = keepalive_pool_alloc((size_t)pages * IPR_PAGE_SIZE,
					    &phys);
	if (!u->tables.va)
		return -ENOSPC;
	u->tables.phys = phys;
	u->tables.pages = pages;
	u->tables.used = 1;
	memset(u->tables.va, 0, (size_t)pages * IPR_PAGE_SIZE);
	if (ipr_be->root_init)
		ipr_be->root_init(&u->tables);
	u->root = phys;
	list_for_each_entry(d, &ipr_devs, list) {
		struct ipr_entry e;

		if (!d->held || d->unit != u)
			continue;
		ipr_be->entry_encode(d->top, d->did, d->agaw, &e);
		ret = ipr_be->root_add(&u->tables, d->bus, d->devfn, &e);
		if (ret) {
			unit_tables_free(u);
			return ret;
		}
	}
	ipr_be->tables_flush(u->hw, u->tables.va, pages * IPR_PAGE_SIZE);
	return 0;
}

/**
 * ipr_units_build() - build the handover root of every unit with a held device
 *
 * Numbers the units that get one from 0, for the image.
 *
 * Context: Process context; ipr_lock held.
 * Return: 0, or -ENOSPC when the pool has no room (nothing is left
 * behind).
 */
int ipr_units_build(void)
{
	struct ipr_unit *u;
	int index = 0, ret;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry(u, &ipr_units, list) {
		unsigned int pages = unit_pages(u);

		if (!pages)
			continue;
		ret = unit_build(u, pages);
		if (ret) {
			ipr_units_free();
			return ret;
		}
		u->index = index++;
	}
	return 0;
}

/**
 * ipr_units_free() - free every unit's handover root
 *
 * Context: Process context; ipr_lock held.
 */
void ipr_units_free(void)
{
	struct ipr_unit *u;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry(u, &ipr_units, list)
		unit_tables_free(u);
}

/**
 * ipr_unit_put_unused() - forget the units no device refers to
 *
 * Context: Process context; ipr_lock held.
 */
void ipr_unit_put_unused(void)
{
	struct ipr_unit *u, *next;
	struct ipr_dev *d;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry_safe(u, next, &ipr_units, list) {
		bool used = false;

		list_for_each_entry(d, &ipr_devs, list)
			used |= d->unit == u;
		if (used)
			continue;
		unit_tables_free(u);
		list_del(&u->list);
		kfree(u);
	}
}

/**
 * ipr_unit_shutdown() - keep a unit translating across the kexec
 * @hw: a unit being shut down for a kexec
 *
 * When the kexec carries a handover and @hw translates kept devices,
 * point it at its handover root and invalidate every cache, with
 * translation left on.
 *
 * Context: the driver's shutdown: interrupts off, its global lock held,
 * the state machine in STOP (the units do not change any more).
 * Return: true when the unit stays on (the caller must not turn
 * translation off); false otherwise.
 */
bool ipr_unit_shutdown(void *hw)
{
	struct ipr_unit *u;

	if (!keepalive_kexec_handover())
		return false;
	list_for_each_entry(u, &ipr_units, list) {
		if (u->hw != hw || !u->root)
			continue;
		ipr_be->unit_keep_on(hw, u->root, &u->tables);
		pr_info("%s: translation kept on across the kexec, root %#llx\n",
			ipr_be->unit_name(hw), u->root);
		return true;
	}
	return false;
}
