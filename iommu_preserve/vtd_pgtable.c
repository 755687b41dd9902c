// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: VT-d legacy-mode formats of the VT-d backend:
 * second-level page-table entries (ipr_vtd_pt, for the builder and walker
 * of pgtable.c), context entries (a device's struct ipr_entry) and the
 * handover root (a root table and one context table per bus, in the
 * unit's pool range). No driver header: KUnit exercises them on plain
 * memory.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/kernel.h>

#include "vtd_pgtable.h"

/**
 * ipr_vtd_root_encode() - a present root entry
 * @context_table: physical address of the bus's context table, 4 KiB
 *	aligned
 *
 * Context: Any context.
 * Return: the root entry's low word.
 */
u64 ipr_vtd_root_encode(u64 context_table)
{
	return (context_table & IPR_VTD_ROOT_CTP) | IPR_VTD_ROOT_PRESENT;
}

/**
 * ipr_vtd_ctx_encode() - a present, multi-level context entry
 * @top: physical address of the top table, 4 KiB aligned
 * @did: domain id
 * @agaw: adjusted guest address width (1: 39 bits, 3 levels)
 *
 * Context: Any context.
 * Return: the entry, with fault reporting enabled.
 */
struct ipr_ctx ipr_vtd_ctx_encode(u64 top, u16 did, int agaw)
{
	return (struct ipr_ctx) {
		.lo = (top & IPR_VTD_CTX_SLPTPTR) | IPR_VTD_CTX_PRESENT,
		.hi = FIELD_PREP(IPR_VTD_CTX_AW, agaw) | FIELD_PREP(IPR_VTD_CTX_DID, did),
	};
}

/**
 * ipr_vtd_ctx_decode() - check a context entry this code could have written
 * @ce: the entry
 * @top: its top table
 * @did: its domain id
 * @agaw: its address width
 *
 * Context: Any context.
 * Return: 0; -ENOENT when not present; -EOPNOTSUPP for another translation
 * type or address width; -EINVAL when a reserved bit is set or fault
 * reporting is disabled.
 */
int ipr_vtd_ctx_decode(const struct ipr_ctx *ce, u64 *top, u16 *did, int *agaw)
{
	int aw = FIELD_GET(IPR_VTD_CTX_AW, ce->hi);

	if (!(ce->lo & IPR_VTD_CTX_PRESENT))
		return -ENOENT;
	if (FIELD_GET(IPR_VTD_CTX_TT, ce->lo) || aw < IPR_VTD_AGAW_MIN ||
	    aw > IPR_VTD_AGAW_MAX)
		return -EOPNOTSUPP;
	if ((ce->lo & (IPR_VTD_CTX_LO_RSVD | IPR_VTD_CTX_FPD)) ||
	    (ce->hi & IPR_VTD_CTX_HI_RSVD))
		return -EINVAL;
	*top = ce->lo & IPR_VTD_CTX_SLPTPTR;
	*did = FIELD_GET(IPR_VTD_CTX_DID, ce->hi);
	*agaw = aw;
	return 0;
}

static u64 prot_to_pte(u32 prot)
{
	return (prot & KEEPALIVE_IOMMU_PROT_READ ? IPR_VTD_PTE_READ : 0) |
	       (prot & KEEPALIVE_IOMMU_PROT_WRITE ? IPR_VTD_PTE_WRITE : 0);
}

static u32 pte_to_prot(u64 pte)
{
	return (pte & IPR_VTD_PTE_READ ? KEEPALIVE_IOMMU_PROT_READ : 0) |
	       (pte & IPR_VTD_PTE_WRITE ? KEEPALIVE_IOMMU_PROT_WRITE : 0);
}

static int vtd_levels(int agaw)
{
	return agaw + 2;
}

/* Superpages exist at levels 2 (2 MiB) and 3 (1 GiB) only, per SLLPS. */
static bool vtd_leaf_ok(int level, u32 sllps)
{
	return level <= 3 && (sllps & BIT(level - 2));
}

static u64 vtd_table_encode(u64 next, int level)
{
	return next | IPR_VTD_PTE_READ | IPR_VTD_PTE_WRITE;
}

static u64 vtd_leaf_encode(u64 phys, int level, u32 prot)
{
	return phys | prot_to_pte(prot) | (level > 1 ? IPR_VTD_PTE_LARGE : 0);
}

static int vtd_pte_decode(u64 pte, int level, u64 iova, u64 *addr,
			  u32 *prot)
{
	if (!(pte & (IPR_VTD_PTE_READ | IPR_VTD_PTE_WRITE)))
		return IPR_PTE_NONE;
	*addr = pte & IPR_VTD_PTE_ADDR;
	if (level > 1 && !(pte & IPR_VTD_PTE_LARGE))
		return IPR_PTE_TABLE;
	if (level > 3 || !IS_ALIGNED(*addr, ipr_level_size(level)))
		return -EINVAL;
	*prot = pte_to_prot(pte);
	return IPR_PTE_LEAF;
}

/* VT-d second-level tables, 3 to 5 levels (AGAW 1 to 3). */
const struct ipr_pt_format ipr_vtd_pt = {
	.name = "VT-d second-level",
	.aw_min = IPR_VTD_AGAW_MIN,
	.aw_max = IPR_VTD_AGAW_MAX,
	.levels = vtd_levels,
	.addr_mask = IPR_VTD_PTE_ADDR,
	.leaf_ok = vtd_leaf_ok,
	.table_encode = vtd_table_encode,
	.leaf_encode = vtd_leaf_encode,
	.pte_decode = vtd_pte_decode,
};

/**
 * ipr_vtd_entry_encode() - the handover context entry, as an ipr_entry
 * @top: physical address of the top table, 4 KiB aligned
 * @did: domain id
 * @agaw: adjusted guest address width
 * @e: out: the entry (ipr_vtd_ctx_encode()), the other words zero
 *
 * Context: Any context.
 */
void ipr_vtd_entry_encode(u64 top, u16 did, int agaw, struct ipr_entry *e)
{
	*e = ipr_vtd_entry(ipr_vtd_ctx_encode(top, did, agaw));
}

/**
 * ipr_vtd_entry_decode() - check an entry this code could have written
 * @e: the entry
 * @top: its top table
 * @did: its domain id
 * @agaw: its address width
 *
 * Context: Any context.
 * Return: as ipr_vtd_ctx_decode(); -EINVAL also when a word a context
 * entry does not have is not zero.
 */
int ipr_vtd_entry_decode(const struct ipr_entry *e, u64 *top, u16 *did,
			 int *agaw)
{
	struct ipr_ctx ce = ipr_vtd_ctx(e);
	int ret = ipr_vtd_ctx_decode(&ce, top, did, agaw);

	if (!ret && (e->w[2] || e->w[3]))
		return -EINVAL;
	return ret;
}

/**
 * ipr_vtd_entry_record() - an entry into a record's "translation"
 * @e: the entry
 * @rec: the record, a struct keepalive_iommu_translation: its
 *	context_lo and context_hi are set
 *
 * Context: Any context.
 */
void ipr_vtd_entry_record(const struct ipr_entry *e, void *rec)
{
	struct keepalive_iommu_translation *t = rec;

	t->context_lo = cpu_to_be64(e->w[0]);
	t->context_hi = cpu_to_be64(e->w[1]);
}

/**
 * ipr_vtd_entry_parse() - the entry a record's "translation" holds
 * @rec: the record, a struct keepalive_iommu_translation
 * @e: out: its context entry, not checked
 *
 * Context: Any context.
 */
void ipr_vtd_entry_parse(const void *rec, struct ipr_entry *e)
{
	const struct keepalive_iommu_translation *t = rec;

	*e = ipr_vtd_entry((struct ipr_ctx) {
		.lo = be64_to_cpu(t->context_lo),
		.hi = be64_to_cpu(t->context_hi),
	});
}

/**
 * ipr_vtd_root_pages() - pages of a handover root for these devices
 * @sids: bitmap of the held devices' source ids (bus << 8 | devfn), not
 *	empty
 *
 * Context: Any context.
 * Return: one page for the root table and one per bus with a device.
 */
unsigned int ipr_vtd_root_pages(const unsigned long *sids)
{
	unsigned int bus, n = 1;

	for (bus = 0; bus < 256; bus++)
		if (find_next_bit(sids, (bus + 1) << 8, bus << 8) <
		    (bus + 1) << 8)
			n++;
	return n;
}

/**
 * ipr_vtd_root_add() - put a device's entry in a handover root
 * @a: the unit's tables, zeroed, the root table in its first page; pages
 *	past @a->used are given to context tables
 * @bus: the device's bus
 * @devfn: its device and function
 * @e: its entry
 *
 * Context: Any context.
 * Return: 0, or -ENOSPC when @a has no page left for the bus's context
 * table (ipr_vtd_root_pages() was not asked).
 */
int ipr_vtd_root_add(struct ipr_arena *a, u8 bus, u8 devfn,
		     const struct ipr_entry *e)
{
	u64 *re = (u64 *)a->va + 2 * bus;	/* 128-bit entries, low word */
	struct ipr_ctx *ctx;

	if (!*re) {
		if (WARN_ON_ONCE(a->used >= a->pages))
			return -ENOSPC;
		*re = ipr_vtd_root_encode(a->phys + (u64)a->used *
					  IPR_PAGE_SIZE);
		a->used++;
	}
	ctx = a->va + ((*re & IPR_VTD_ROOT_CTP) - a->phys);
	ctx[devfn] = ipr_vtd_ctx(e);
	return 0;
}

/**
 * ipr_vtd_root_check() - does a handover root hold exactly this entry?
 * @a: the unit's tables, as claimed
 * @root: the root table, a page inside @a
 * @bus: the device's bus
 * @devfn: its device and function
 * @e: its recorded entry
 *
 * Reads the root only inside @a.
 *
 * Context: Any context.
 * Return: NULL when it does; otherwise why not, for the log.
 */
const char *ipr_vtd_root_check(const struct ipr_arena *a, u64 root, u8 bus,
			       u8 devfn, const struct ipr_entry *e)
{
	const u64 *rt = a->va + (root - a->phys);
	const struct ipr_ctx *ctx;
	struct ipr_ctx ce = ipr_vtd_ctx(e);
	u64 re = rt[2 * bus];

	if (!(re & IPR_VTD_ROOT_PRESENT) ||
	    !ipr_in_arena(a, re & IPR_VTD_ROOT_CTP, IPR_PAGE_SIZE))
		return "the handover root has no context table for its bus";
	ctx = a->va + ((re & IPR_VTD_ROOT_CTP) - a->phys);
	if (ctx[devfn].lo != ce.lo || ctx[devfn].hi != ce.hi)
		return "the handover root holds another context entry for it";
	return NULL;
}
