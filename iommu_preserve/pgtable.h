/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the driver-neutral page-table builder and walker
 * of iommu_preserve/ (pgtable.c), and the page-table format descriptor a
 * backend gives it (struct ipr_pt_format). Kept free of any driver's
 * private header so that KUnit can exercise it on plain memory.
 */
#ifndef _KEEPALIVE_IPR_PGTABLE_H
#define _KEEPALIVE_IPR_PGTABLE_H

#include <linux/bits.h>
#include <linux/types.h>

/*
 * Table geometry shared by the formats this code knows (VT-d second-level
 * tables, AMD-Vi v1 tables): 64-bit entries, 512 per 4 KiB table, each
 * level 9 more bits of IOVA.
 */
#define IPR_PAGE_SHIFT		12
#define IPR_PAGE_SIZE		BIT_ULL(IPR_PAGE_SHIFT)
#define IPR_LEVEL_STRIDE	9
#define IPR_PTES		BIT(IPR_LEVEL_STRIDE)
/* The most levels a tree may have, in any format. */
#define IPR_PT_LEVELS_MAX	6

/* Bytes one entry at @level maps (level 1: 4 KiB). */
static inline u64 ipr_level_size(int level)
{
	return 1ULL << (IPR_PAGE_SHIFT + IPR_LEVEL_STRIDE * (level - 1));
}

/* What ipr_pt_format.pte_decode() found in an entry. */
enum ipr_pte_kind {
	IPR_PTE_NONE,
	IPR_PTE_TABLE,
	IPR_PTE_LEAF,
};

/**
 * struct ipr_pt_format - a page-table entry format, as a backend reads it
 *
 * The builder and walker of pgtable.c are written against this: a backend
 * names its format in struct ipr_backend and its tables are built and
 * read through it. Every op is called in any context and must not sleep.
 *
 * @name: the format's name, for log lines
 * @aw_min: the smallest address width (the backend's own encoding, e.g.
 *	VT-d's AGAW) the format builds and reads
 * @aw_max: the largest
 * @levels: how many levels a tree of address width @aw has, at most
 *	IPR_PT_LEVELS_MAX, for @aw from @aw_min to @aw_max.
 * @addr_mask: the output address bits of an entry; the largest physical
 *	address a leaf may map is @addr_mask + IPR_PAGE_SIZE - 1
 * @leaf_ok: may a leaf sit at @level (2: 2 MiB, 3: 1 GiB, ...), given
 *	@sizes, the unit's large-page sizes in the backend's own encoding
 *	(struct ipr_unit.sllps)? Only asked for @level above 1.
 * @table_encode: the entry at @level that points at the table @next of
 *	level @level - 1, readable and writable below.
 * @leaf_encode: the leaf entry at @level that maps @phys, aligned to
 *	ipr_level_size(@level), with @prot (KEEPALIVE_IOMMU_PROT_READ |
 *	_WRITE).
 * @pte_decode: what entry @pte at @level, the slot of the first IOVA
 *	@iova, is. Returns IPR_PTE_NONE when it is not present;
 *	IPR_PTE_TABLE with the next table in @addr; IPR_PTE_LEAF with the
 *	output address of that slot in @addr (a page larger than the slot,
 *	as AMD-Vi writes, translates @iova to its part of it) and its access
 *	in @prot; -EINVAL for a leaf misaligned or at a level that has none,
 *	or a table not one level down.
 */
struct ipr_pt_format {
	const char *name;
	int aw_min, aw_max;
	int (*levels)(int aw);
	u64 addr_mask;
	bool (*leaf_ok)(int level, u32 sizes);
	u64 (*table_encode)(u64 next, int level);
	u64 (*leaf_encode)(u64 phys, int level, u32 prot);
	int (*pte_decode)(u64 pte, int level, u64 iova, u64 *addr,
			  u32 *prot);
};

/* The largest per-device entry of any backend, in 64-bit words. */
#define IPR_ENTRY_WORDS		4

/**
 * struct ipr_entry - a per-device entry, opaque outside its backend
 * @w: the entry as the backend lays it out (VT-d: a context entry, low
 *	word first), the words it does not use zero
 */
struct ipr_entry {
	u64 w[IPR_ENTRY_WORDS];
};

/**
 * struct ipr_range - one contiguous translation
 * @iova: first I/O virtual address, 4 KiB aligned
 * @phys: physical address @iova translates to, 4 KiB aligned
 * @len: bytes, a non-zero multiple of 4 KiB
 * @prot: KEEPALIVE_IOMMU_PROT_READ | _WRITE
 */
struct ipr_range {
	u64 iova;
	u64 phys;
	u64 len;
	u32 prot;
};

/**
 * struct ipr_arena - physically contiguous, zeroed pages for a table tree
 * @va: kernel address of the first page
 * @phys: its physical address
 * @pages: pages in the arena
 * @used: pages handed out
 */
struct ipr_arena {
	void *va;
	u64 phys;
	unsigned int pages;
	unsigned int used;
};

/* Do @len bytes at @phys lie inside arena @a? */
static inline bool ipr_in_arena(const struct ipr_arena *a, u64 phys, u64 len)
{
	u64 size = (u64)a->pages * IPR_PAGE_SIZE;

	return phys >= a->phys && len <= size && phys - a->phys <= size - len;
}

/**
 * typedef ipr_table_fn - where a walker reads a table
 * @ctx: the walker's caller's context
 * @phys: physical address of a 4 KiB table, as found in an entry
 * @table: the table's kernel address
 *
 * Return: true with @table set; false when the walk must not read there
 * (outside the memory the caller trusts).
 */
typedef bool (*ipr_table_fn)(void *ctx, u64 phys, const u64 **table);

/**
 * typedef ipr_leaf_fn - called for each leaf a walk finds, in IOVA order
 * @ctx: the caller's context
 * @iova: first IOVA the leaf maps
 * @phys: where it translates to
 * @size: bytes, 4 KiB, 2 MiB or 1 GiB
 * @prot: KEEPALIVE_IOMMU_PROT_READ | _WRITE
 *
 * Return: 0 to go on, or a negative errno that ends the walk.
 */
typedef int (*ipr_leaf_fn)(void *ctx, u64 iova, u64 phys, u64 size,
			   u32 prot);

/**
 * struct ipr_ranges - ranges collected from a walk, merged when contiguous
 * @r: the ranges, sorted by IOVA
 * @nr: ranges in @r
 * @max: capacity of @r; a walk that needs more fails with -E2BIG
 */
struct ipr_ranges {
	struct ipr_range *r;
	unsigned int nr;
	unsigned int max;
};

/**
 * typedef ipr_leaf_visit - the builder's view of one leaf it writes
 * @ctx: the builder's context
 * @iova: first IOVA of the leaf
 * @phys: where it translates to
 * @level: its level: 1 (4 KiB), 2 (2 MiB) or 3 (1 GiB)
 * @prot: KEEPALIVE_IOMMU_PROT_READ | _WRITE
 *
 * Return: 0 to go on, or a negative errno that ends the build.
 */
typedef int (*ipr_leaf_visit)(void *ctx, u64 iova, u64 phys, int level,
			      u32 prot);

int ipr_ranges_check(const struct ipr_pt_format *f, const struct ipr_range *r,
		     unsigned int nr, int aw);
int ipr_pgtable_pages(const struct ipr_pt_format *f, const struct ipr_range *r,
		      unsigned int nr, int aw, u32 sizes, unsigned int *pages);
int ipr_pgtable_build(const struct ipr_pt_format *f, struct ipr_arena *a,
		      const struct ipr_range *r, unsigned int nr, int aw,
		      u32 sizes, u64 *top);
int ipr_pgtable_walk(const struct ipr_pt_format *f, u64 top, int aw,
		     ipr_table_fn table, void *tctx, ipr_leaf_fn leaf,
		     void *lctx);
int ipr_ranges_add(void *ranges, u64 iova, u64 phys, u64 size, u32 prot);
bool ipr_ranges_equal(const struct ipr_range *a, unsigned int na,
		      const struct ipr_range *b, unsigned int nb);

#endif /* _KEEPALIVE_IPR_PGTABLE_H */
