// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: AMD-Vi formats of the AMD-Vi backend: v1 I/O
 * page-table entries (ipr_amd_pt, for the builder and walker of
 * pgtable.c), device table entries (a device's struct ipr_entry) and the
 * handover device table (every device id of the segment, in the unit's
 * pool range). No driver header: KUnit exercises them on plain memory.
 *
 * Large pages: the builder writes a 2 MiB or 1 GiB page as a level-2 or
 * level-3 entry with NextLevel 0, as the AMD driver does. The walker also
 * reads the driver's other sizes (8 KiB to 512 MiB and so on), which it
 * writes as NextLevel 7 entries repeated over every slot the page covers,
 * the size encoded in the low address bits.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "amd_pgtable.h"

static u64 prot_to_pte(u32 prot)
{
	return (prot & KEEPALIVE_IOMMU_PROT_READ ? IPR_AMD_PTE_IR : 0) |
	       (prot & KEEPALIVE_IOMMU_PROT_WRITE ? IPR_AMD_PTE_IW : 0);
}

static u32 pte_to_prot(u64 pte)
{
	return (pte & IPR_AMD_PTE_IR ? KEEPALIVE_IOMMU_PROT_READ : 0) |
	       (pte & IPR_AMD_PTE_IW ? KEEPALIVE_IOMMU_PROT_WRITE : 0);
}

/* The paging mode is the number of levels. */
static int amd_levels(int mode)
{
	return mode;
}

static bool amd_leaf_ok(int level, u32 sizes)
{
	return level <= 3 && (sizes & BIT(level - 2));
}

static u64 amd_table_encode(u64 next, int level)
{
	return next | FIELD_PREP(IPR_AMD_PTE_NEXT, level - 1) | IPR_AMD_PTE_PR |
	       IPR_AMD_PTE_IR | IPR_AMD_PTE_IW;
}

static u64 amd_leaf_encode(u64 phys, int level, u32 prot)
{
	return phys | IPR_AMD_PTE_PR | IPR_AMD_PTE_FC | prot_to_pte(prot);
}

/*
 * A NextLevel 7 entry at @level: a page of the size its address encodes
 * (the lowest clear address bit, plus one), larger than one entry of
 * @level and smaller than one of the level above; each slot it covers
 * holds the same entry. The slot at @iova translates to its part of it.
 */
static int large_decode(u64 pte, int level, u64 iova, u64 *addr)
{
	u64 a = pte & IPR_AMD_PTE_ADDR;
	u64 size = BIT_ULL(ffz(a | (IPR_PAGE_SIZE - 1)) + 1);

	if (size <= ipr_level_size(level) || size >= ipr_level_size(level + 1))
		return -EINVAL;
	*addr = (a & ~(size - 1)) + (iova & (size - 1));
	return IPR_PTE_LEAF;
}

static int amd_pte_decode(u64 pte, int level, u64 iova, u64 *addr, u32 *prot)
{
	int next = FIELD_GET(IPR_AMD_PTE_NEXT, pte);
	int ret = IPR_PTE_LEAF;

	if (!(pte & IPR_AMD_PTE_PR))
		return IPR_PTE_NONE;
	*addr = pte & IPR_AMD_PTE_ADDR;
	if (next && next != IPR_AMD_NEXT_LARGE) {
		/* A table, one level down: no level is skipped. */
		return next == level - 1 ? IPR_PTE_TABLE : -EINVAL;
	}
	if (level > 3)
		return -EINVAL;
	if (next == IPR_AMD_NEXT_LARGE)
		ret = large_decode(pte, level, iova, addr);
	else if (!IS_ALIGNED(*addr, ipr_level_size(level)))
		ret = -EINVAL;
	*prot = pte_to_prot(pte);
	return ret;
}

/* AMD-Vi v1 I/O page tables, 1 to 6 levels (paging mode 1 to 6). */
const struct ipr_pt_format ipr_amd_pt = {
	.name = "AMD-Vi v1",
	.aw_min = IPR_AMD_MODE_MIN,
	.aw_max = IPR_AMD_MODE_MAX,
	.levels = amd_levels,
	.addr_mask = IPR_AMD_PTE_ADDR,
	.leaf_ok = amd_leaf_ok,
	.table_encode = amd_table_encode,
	.leaf_encode = amd_leaf_encode,
	.pte_decode = amd_pte_decode,
};

/**
 * ipr_amd_dte_blocked() - a device table entry that blocks its device
 * @e: out: valid, translation valid, mode 0 without IR or IW (every DMA
 *	aborted, no page walk), interrupts remapped through no table with
 *	IntCtl abort
 *
 * Context: Any context.
 */
void ipr_amd_dte_blocked(struct ipr_entry *e)
{
	*e = (struct ipr_entry) {
		.w = { IPR_AMD_DTE_V | IPR_AMD_DTE_TV, 0, IPR_AMD_DTE_IV, 0 },
	};
}

/**
 * ipr_amd_entry_encode() - the handover device table entry of a device
 * @top: physical address of the top table, 4 KiB aligned
 * @did: domain id
 * @mode: paging mode (levels)
 * @e: out: the entry, quadwords 2 and 3 zero
 *
 * Context: Any context.
 */
void ipr_amd_entry_encode(u64 top, u16 did, int mode, struct ipr_entry *e)
{
	*e = (struct ipr_entry) {
		.w = {
			(top & IPR_AMD_DTE_PTR) | FIELD_PREP(IPR_AMD_DTE_MODE, mode) |
			IPR_AMD_DTE_V | IPR_AMD_DTE_TV | IPR_AMD_DTE_IR |
			IPR_AMD_DTE_IW,
			FIELD_PREP(IPR_AMD_DTE_DID, did),
		},
	};
}

/**
 * ipr_amd_entry_decode() - check an entry ipr_amd_entry_encode() could write
 * @e: the entry; its quadword 2 (interrupt remapping) is not looked at
 * @top: its top table
 * @did: its domain id
 * @mode: its paging mode
 *
 * Context: Any context.
 * Return: 0; -ENOENT when not valid; -EOPNOTSUPP when it does not
 * translate (TV clear, mode 0 or 7) or has a mode this code does not
 * read; -EINVAL when any other bit is set (guest translation, ATS, I/O
 * control, system management, no read or write, ...).
 */
int ipr_amd_entry_decode(const struct ipr_entry *e, u64 *top, u16 *did,
			 int *mode)
{
	const u64 w0_ours = IPR_AMD_DTE_V | IPR_AMD_DTE_TV | IPR_AMD_DTE_MODE |
			    IPR_AMD_DTE_PTR | IPR_AMD_DTE_IR | IPR_AMD_DTE_IW;
	int m = FIELD_GET(IPR_AMD_DTE_MODE, e->w[0]);

	if (!(e->w[0] & IPR_AMD_DTE_V))
		return -ENOENT;
	if (!(e->w[0] & IPR_AMD_DTE_TV) || m < IPR_AMD_MODE_MIN ||
	    m > IPR_AMD_MODE_MAX)
		return -EOPNOTSUPP;
	if ((e->w[0] & ~w0_ours) || !(e->w[0] & IPR_AMD_DTE_IR) ||
	    !(e->w[0] & IPR_AMD_DTE_IW) || (e->w[1] & ~IPR_AMD_DTE_DID) ||
	    e->w[3])
		return -EINVAL;
	*top = e->w[0] & IPR_AMD_DTE_PTR;
	*did = FIELD_GET(IPR_AMD_DTE_DID, e->w[1]);
	*mode = m;
	return 0;
}

/**
 * ipr_amd_entry_record() - an entry into a record's "translation"
 * @e: the entry
 * @t: the record, a struct keepalive_iommu_amdvi_translation: its dte is
 *	set, quadword 2 zero (the live one is the handover table's)
 *
 * Context: Any context.
 */
void ipr_amd_entry_record(const struct ipr_entry *e, void *t)
{
	struct keepalive_iommu_amdvi_translation *at = t;

	at->dte[0] = cpu_to_be64(e->w[0]);
	at->dte[1] = cpu_to_be64(e->w[1]);
	at->dte[2] = 0;
	at->dte[3] = cpu_to_be64(e->w[3]);
}

/**
 * ipr_amd_entry_parse() - the entry a record's "translation" holds
 * @t: the record, a struct keepalive_iommu_amdvi_translation
 * @e: out: its device table entry, not checked
 *
 * Context: Any context.
 */
void ipr_amd_entry_parse(const void *t, struct ipr_entry *e)
{
	const struct keepalive_iommu_amdvi_translation *at = t;
	unsigned int i;

	for (i = 0; i < IPR_ENTRY_WORDS; i++)
		e->w[i] = be64_to_cpu(at->dte[i]);
}

/**
 * ipr_amd_root_pages() - pages of a handover device table
 * @sids: the held devices' ids; any set
 *
 * Context: Any context.
 * Return: IPR_AMD_DT_PAGES: one entry for every device id, so that no
 * device id lies past the table.
 */
unsigned int ipr_amd_root_pages(const unsigned long *sids)
{
	return IPR_AMD_DT_PAGES;
}

/**
 * ipr_amd_root_init() - block every device in a new handover device table
 * @a: its arena, of ipr_amd_root_pages() pages
 *
 * Context: Any context.
 */
void ipr_amd_root_init(struct ipr_arena *a)
{
	struct ipr_entry *dt = a->va, blocked;
	unsigned int i;

	if (WARN_ON_ONCE(a->pages < IPR_AMD_DT_PAGES))
		return;
	ipr_amd_dte_blocked(&blocked);
	for (i = 0; i < IPR_AMD_DT_ENTRIES; i++)
		dt[i] = blocked;
	a->used = IPR_AMD_DT_PAGES;
}

/**
 * ipr_amd_root_add() - put a device's entry in a handover device table
 * @a: the table, ipr_amd_root_init() done
 * @bus: the device's bus
 * @devfn: its device and function
 * @e: its entry
 *
 * Context: Any context.
 * Return: 0, or -ENOSPC when @a is smaller than a device table.
 */
int ipr_amd_root_add(struct ipr_arena *a, u8 bus, u8 devfn,
		     const struct ipr_entry *e)
{
	struct ipr_entry *dt = a->va;

	if (WARN_ON_ONCE(a->pages < IPR_AMD_DT_PAGES))
		return -ENOSPC;
	dt[(u32)bus << 8 | devfn] = *e;
	return 0;
}

/**
 * ipr_amd_root_read() - a device's entry in a handover device table
 * @a: the unit's tables, as claimed or mapped
 * @root: the device table, which must be all of @a
 * @bus: the device's bus
 * @devfn: its device and function
 * @e: out: its entry, all four quadwords as the unit reads them
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when @root is not a device table filling @a.
 */
int ipr_amd_root_read(const struct ipr_arena *a, u64 root, u8 bus, u8 devfn,
		      struct ipr_entry *e)
{
	const struct ipr_entry *dt = a->va;

	if (root != a->phys || a->pages != IPR_AMD_DT_PAGES)
		return -EINVAL;
	*e = dt[(u32)bus << 8 | devfn];
	return 0;
}

/**
 * ipr_amd_root_check() - does a handover device table hold this entry?
 * @a: the unit's tables, as claimed or mapped
 * @root: the device table, which must be all of @a
 * @bus: the device's bus
 * @devfn: its device and function
 * @e: its recorded entry
 *
 * Quadword 2 (interrupt remapping) is not compared: the handover table's
 * is the live one, copied at the kexec after the record was written.
 *
 * Context: Any context.
 * Return: NULL when it does; otherwise why not, for the log.
 */
const char *ipr_amd_root_check(const struct ipr_arena *a, u64 root, u8 bus,
			       u8 devfn, const struct ipr_entry *e)
{
	struct ipr_entry dte;

	if (ipr_amd_root_read(a, root, bus, devfn, &dte))
		return "the handover device table is not its unit's whole range";
	if (dte.w[0] != e->w[0] || dte.w[1] != e->w[1] || dte.w[3] != e->w[3])
		return "the handover device table holds another entry for it";
	return NULL;
}
