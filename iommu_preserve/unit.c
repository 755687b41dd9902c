// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: a remapping unit's handover root.
 *
 * At STOP each unit that translates a held device gets a root table and
 * context tables in the pool, with a present entry for its held devices
 * only. At the kexec the unit keeps translation on and its root table
 * address register is pointed there: every kept device goes on through its
 * handover tables, every other device on the unit is blocked (its context
 * entry is not present), never left untranslated. The next kernel's Intel
 * driver replaces that root in init_dmars() (adopt.c).
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/dmar.h>
#include <linux/keepalive.h>
#include <linux/keepalive/iommu.h>
#include <linux/slab.h>

#include "intel/iommu.h"	/* drivers/iommu/, see Makefile */
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

/* Pages of @u's root and context tables: the root, one per bus held. */
static unsigned int unit_pages(struct ipr_unit *u)
{
	DECLARE_BITMAP(buses, 256) = {};
	struct ipr_dev *d;

	list_for_each_entry(d, &ipr_devs, list)
		if (d->held && d->unit == u)
			__set_bit(d->bus, buses);
	return bitmap_empty(buses, 256) ? 0 : 1 + bitmap_weight(buses, 256);
}

static int unit_build(struct ipr_unit *u, unsigned int pages)
{
	struct ipr_dev *d;
	phys_addr_t phys;
	u64 *root;

	u->tables.va = keepalive_pool_alloc((size_t)pages * IPR_PAGE_SIZE,
					    &phys);
	if (!u->tables.va)
		return -ENOSPC;
	u->tables.phys = phys;
	u->tables.pages = pages;
	u->tables.used = 1;
	memset(u->tables.va, 0, (size_t)pages * IPR_PAGE_SIZE);
	u->root = phys;
	root = u->tables.va;
	list_for_each_entry(d, &ipr_devs, list) {
		struct ipr_ctx *ctx, ce;
		u64 *re = &root[2 * d->bus];	/* 128-bit entries, low word */

		if (!d->held || d->unit != u)
			continue;
		if (!*re) {
			*re = ipr_root_encode(phys + (u64)u->tables.used *
					      IPR_PAGE_SIZE);
			u->tables.used++;
		}
		ctx = u->tables.va + ((*re & IPR_ROOT_CTP) - phys);
		ce = ipr_ctx_encode(d->top, d->did, d->agaw);
		ctx[d->devfn] = ce;
	}
	if (!ecap_coherent(u->iommu->ecap))
		clflush_cache_range(u->tables.va, pages * IPR_PAGE_SIZE);
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
 * keepalive_iommu_shutdown() - keep a unit translating across the kexec
 * @iommu: a unit being shut down for a kexec
 *
 * When the kexec carries a handover and @iommu translates kept devices,
 * point its root table address register at the handover root and
 * invalidate every cache, with translation left on.
 *
 * Context: intel_iommu_shutdown(): interrupts off, dmar_global_lock held,
 * the state machine in STOP (the units do not change any more).
 * Return: true when the unit stays on (the caller must not turn
 * translation off); false otherwise.
 */
bool keepalive_iommu_shutdown(struct intel_iommu *iommu)
{
	struct ipr_unit *u;
	unsigned long flags;
	u32 sts;

	if (!keepalive_kexec_handover())
		return false;
	list_for_each_entry(u, &ipr_units, list) {
		if (u->iommu != iommu || !u->root)
			continue;
		raw_spin_lock_irqsave(&iommu->register_lock, flags);
		dmar_writeq(iommu->reg + DMAR_RTADDR_REG, u->root);
		writel(iommu->gcmd | DMA_GCMD_SRTP, iommu->reg + DMAR_GCMD_REG);
		IOMMU_WAIT_OP(iommu, DMAR_GSTS_REG, readl,
			      (sts & DMA_GSTS_RTPS), sts);
		raw_spin_unlock_irqrestore(&iommu->register_lock, flags);
		iommu->flush.flush_context(iommu, 0, 0, 0,
					   DMA_CCMD_GLOBAL_INVL);
		iommu->flush.flush_iotlb(iommu, 0, 0, 0, DMA_TLB_GLOBAL_FLUSH);
		pr_info("%s: translation kept on across the kexec, root %#llx\n",
			iommu->name, u->root);
		return true;
	}
	return false;
}
