/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: VT-d legacy-mode translation structures, as
 * iommu_preserve/ builds and reads them (pgtable.c). Hardware formats, not
 * ours: Intel VT-d specification, "Root Entry", "Context Entry" and
 * "Second-Level Paging Entries". Kept free of the Intel driver's private
 * header so that KUnit can exercise them on plain memory.
 */
#ifndef _KEEPALIVE_IPR_PGTABLE_H
#define _KEEPALIVE_IPR_PGTABLE_H

#include <linux/bits.h>
#include <linux/types.h>

/* Second-level paging entries, 64 bits each, 512 per 4 KiB table. */
#define IPR_PAGE_SHIFT		12
#define IPR_PAGE_SIZE		BIT_ULL(IPR_PAGE_SHIFT)
#define IPR_LEVEL_STRIDE	9
#define IPR_PTES		BIT(IPR_LEVEL_STRIDE)
#define IPR_PTE_READ		BIT_ULL(0)
#define IPR_PTE_WRITE		BIT_ULL(1)
#define IPR_PTE_LARGE		BIT_ULL(7)	/* a leaf above level 1 */
#define IPR_PTE_ADDR		GENMASK_ULL(51, 12)

/* Root entry, low word (the high word is reserved in legacy mode). */
#define IPR_ROOT_PRESENT	BIT_ULL(0)
#define IPR_ROOT_CTP		GENMASK_ULL(63, 12)

/* Context entry: low and high words. */
#define IPR_CTX_PRESENT		BIT_ULL(0)
#define IPR_CTX_FPD		BIT_ULL(1)	/* fault processing disable */
#define IPR_CTX_TT		GENMASK_ULL(3, 2)	/* 0: multi-level */
#define IPR_CTX_SLPTPTR		GENMASK_ULL(63, 12)
#define IPR_CTX_LO_RSVD		GENMASK_ULL(11, 4)
#define IPR_CTX_AW		GENMASK_ULL(2, 0)
#define IPR_CTX_DID		GENMASK_ULL(23, 8)
#define IPR_CTX_HI_RSVD		(GENMASK_ULL(63, 24) | GENMASK_ULL(7, 7))

/* The address widths this code builds and reads: 3-, 4- and 5-level. */
#define IPR_AGAW_MIN		1
#define IPR_AGAW_MAX		3

/* Superpage support (CAP.SLLPS): bit 0 2 MiB, bit 1 1 GiB. */
#define IPR_SLLPS_2M		BIT(0)
#define IPR_SLLPS_1G		BIT(1)

static inline int ipr_agaw_levels(int agaw)
{
	return agaw + 2;
}

static inline int ipr_agaw_width(int agaw)
{
	return 30 + IPR_LEVEL_STRIDE * agaw;
}

/* Bytes one entry at @level maps (level 1: 4 KiB). */
static inline u64 ipr_level_size(int level)
{
	return 1ULL << (IPR_PAGE_SHIFT + IPR_LEVEL_STRIDE * (level - 1));
}

/**
 * struct ipr_ctx - a context entry, as the unit reads it
 * @lo: present, fault processing disable, translation type, top table
 * @hi: address width, domain id
 */
struct ipr_ctx {
	u64 lo;
	u64 hi;
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

u64 ipr_root_encode(u64 context_table);
struct ipr_ctx ipr_ctx_encode(u64 top, u16 did, int agaw);
int ipr_ctx_decode(const struct ipr_ctx *ce, u64 *top, u16 *did, int *agaw);

int ipr_ranges_check(const struct ipr_range *r, unsigned int nr, int agaw);
int ipr_pgtable_pages(const struct ipr_range *r, unsigned int nr, int agaw,
		      u32 sllps, unsigned int *pages);
int ipr_pgtable_build(struct ipr_arena *a, const struct ipr_range *r,
		      unsigned int nr, int agaw, u32 sllps, u64 *top);
int ipr_pgtable_walk(u64 top, int agaw, ipr_table_fn table, void *tctx,
		     ipr_leaf_fn leaf, void *lctx);
int ipr_ranges_add(void *ranges, u64 iova, u64 phys, u64 size, u32 prot);
bool ipr_ranges_equal(const struct ipr_range *a, unsigned int na,
		      const struct ipr_range *b, unsigned int nb);

#endif /* _KEEPALIVE_IPR_PGTABLE_H */
