// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: VT-d second-level page tables, root and context
 * entries, built into and read from preserved memory.
 *
 * The builder maps a sorted list of ranges with the largest page each
 * range's alignment allows (1 GiB, 2 MiB, 4 KiB), so that a preserved file,
 * physically contiguous, costs a few table pages whatever its size. It
 * allocates from an arena of contiguous pages sized beforehand by
 * ipr_pgtable_pages(), which runs the same page choice without writing:
 * one pool range per table tree, exact, never grown.
 *
 * The walker reads any table tree in this format, ours or the Intel
 * driver's, through a callback that maps each table's physical address and
 * refuses the ones outside what the caller trusts: the same code collects
 * a VMM's mappings in the first kernel and checks a handed-over tree in
 * the next.
 */
#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "pgtable.h"

/**
 * ipr_root_encode() - a present root entry
 * @context_table: physical address of the bus's context table, 4 KiB
 *	aligned
 *
 * Context: Any context.
 * Return: the root entry's low word.
 */
u64 ipr_root_encode(u64 context_table)
{
	return (context_table & IPR_ROOT_CTP) | IPR_ROOT_PRESENT;
}

/**
 * ipr_ctx_encode() - a present, multi-level context entry
 * @top: physical address of the top table, 4 KiB aligned
 * @did: domain id
 * @agaw: adjusted guest address width (1: 39 bits, 3 levels)
 *
 * Context: Any context.
 * Return: the entry, with fault reporting enabled.
 */
struct ipr_ctx ipr_ctx_encode(u64 top, u16 did, int agaw)
{
	return (struct ipr_ctx) {
		.lo = (top & IPR_CTX_SLPTPTR) | IPR_CTX_PRESENT,
		.hi = FIELD_PREP(IPR_CTX_AW, agaw) | FIELD_PREP(IPR_CTX_DID, did),
	};
}

/**
 * ipr_ctx_decode() - check a context entry this code could have written
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
int ipr_ctx_decode(const struct ipr_ctx *ce, u64 *top, u16 *did, int *agaw)
{
	int aw = FIELD_GET(IPR_CTX_AW, ce->hi);

	if (!(ce->lo & IPR_CTX_PRESENT))
		return -ENOENT;
	if (FIELD_GET(IPR_CTX_TT, ce->lo) || aw < IPR_AGAW_MIN ||
	    aw > IPR_AGAW_MAX)
		return -EOPNOTSUPP;
	if ((ce->lo & (IPR_CTX_LO_RSVD | IPR_CTX_FPD)) ||
	    (ce->hi & IPR_CTX_HI_RSVD))
		return -EINVAL;
	*top = ce->lo & IPR_CTX_SLPTPTR;
	*did = FIELD_GET(IPR_CTX_DID, ce->hi);
	*agaw = aw;
	return 0;
}

static u64 prot_to_pte(u32 prot)
{
	return (prot & KEEPALIVE_IOMMU_PROT_READ ? IPR_PTE_READ : 0) |
	       (prot & KEEPALIVE_IOMMU_PROT_WRITE ? IPR_PTE_WRITE : 0);
}

static u32 pte_to_prot(u64 pte)
{
	return (pte & IPR_PTE_READ ? KEEPALIVE_IOMMU_PROT_READ : 0) |
	       (pte & IPR_PTE_WRITE ? KEEPALIVE_IOMMU_PROT_WRITE : 0);
}

static unsigned int pte_index(u64 iova, int level)
{
	return (iova >> (IPR_PAGE_SHIFT + IPR_LEVEL_STRIDE * (level - 1))) &
	       (IPR_PTES - 1);
}

/**
 * ipr_ranges_check() - are these ranges something a table tree can map?
 * @r: ranges
 * @nr: how many
 * @agaw: address width of the tree
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when a range is empty, not 4 KiB aligned, without
 * access, beyond the address width or its physical address space, not
 * after the previous one, or overlaps it.
 */
int ipr_ranges_check(const struct ipr_range *r, unsigned int nr, int agaw)
{
	u64 limit = 1ULL << ipr_agaw_width(agaw);
	u64 plimit = IPR_PTE_ADDR + IPR_PAGE_SIZE;
	u64 next = 0;
	unsigned int i;

	if (agaw < IPR_AGAW_MIN || agaw > IPR_AGAW_MAX)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if (!r[i].len || !IS_ALIGNED(r[i].iova | r[i].phys | r[i].len,
					     IPR_PAGE_SIZE) ||
		    !r[i].prot || r[i].prot & ~(KEEPALIVE_IOMMU_PROT_READ |
						KEEPALIVE_IOMMU_PROT_WRITE) ||
		    r[i].iova < next || r[i].iova > limit ||
		    r[i].len > limit - r[i].iova ||
		    r[i].phys > plimit || r[i].len > plimit - r[i].phys)
			return -EINVAL;
		next = r[i].iova + r[i].len;
	}
	return 0;
}

/* The level of the largest leaf that maps @iova onward for @len bytes. */
static int leaf_level(u64 iova, u64 phys, u64 len, int levels, u32 sllps)
{
	int level;

	for (level = min(levels, 3); level > 1; level--) {
		u64 size = ipr_level_size(level);

		if ((sllps & BIT(level - 2)) && IS_ALIGNED(iova | phys, size) &&
		    len >= size)
			return level;
	}
	return 1;
}

/*
 * Calls @fn for each leaf the builder writes for @r, in IOVA order: the
 * single definition of the page choice, shared by the count and the build.
 */
static int leaves_of(const struct ipr_range *r, unsigned int nr, int levels,
		     u32 sllps, ipr_leaf_visit fn, void *ctx)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		u64 iova = r[i].iova, phys = r[i].phys, left = r[i].len;

		while (left) {
			int level = leaf_level(iova, phys, left, levels, sllps);
			u64 size = ipr_level_size(level);

			ret = fn(ctx, iova, phys, level, r[i].prot);
			if (ret)
				return ret;
			iova += size;
			phys += size;
			left -= size;
		}
	}
	return 0;
}

struct count_ctx {
	int levels;
	unsigned int pages;
	u64 last[IPR_AGAW_MAX + 2];	/* per level: last table's IOVA block + 1 */
};

static int count_leaf(void *ctx, u64 iova, u64 phys, int level, u32 prot)
{
	struct count_ctx *c = ctx;
	int l;

	/* A leaf at @level needs one table at each level from @level up. */
	for (l = level; l < c->levels; l++) {
		u64 block = (iova >> (IPR_PAGE_SHIFT + IPR_LEVEL_STRIDE * l)) + 1;

		if (c->last[l] != block) {
			c->last[l] = block;
			c->pages++;
		}
	}
	return 0;
}

/**
 * ipr_pgtable_pages() - table pages a tree mapping @r needs
 * @r: ranges, sorted by IOVA, not overlapping (ipr_ranges_check())
 * @nr: how many
 * @agaw: address width of the tree
 * @sllps: superpage sizes the unit supports (IPR_SLLPS_*)
 * @pages: the count, top table included
 *
 * Context: Any context.
 * Return: 0, or -EINVAL from ipr_ranges_check().
 */
int ipr_pgtable_pages(const struct ipr_range *r, unsigned int nr, int agaw,
		      u32 sllps, unsigned int *pages)
{
	struct count_ctx c = { .levels = ipr_agaw_levels(agaw), .pages = 1 };
	int ret = ipr_ranges_check(r, nr, agaw);

	if (ret)
		return ret;
	leaves_of(r, nr, c.levels, sllps, count_leaf, &c);
	*pages = c.pages;
	return 0;
}

static u64 *arena_alloc(struct ipr_arena *a, u64 *phys)
{
	void *va;

	if (a->used >= a->pages)
		return NULL;
	va = a->va + (size_t)a->used * IPR_PAGE_SIZE;
	*phys = a->phys + (u64)a->used * IPR_PAGE_SIZE;
	a->used++;
	memset(va, 0, IPR_PAGE_SIZE);
	return va;
}

static u64 *arena_table(struct ipr_arena *a, u64 phys)
{
	return a->va + (phys - a->phys);
}

struct build_ctx {
	struct ipr_arena *a;
	int levels;
	u64 top;
};

static int build_leaf(void *ctx, u64 iova, u64 phys, int level, u32 prot)
{
	struct build_ctx *b = ctx;
	u64 *table = arena_table(b->a, b->top);
	int l;

	for (l = b->levels; l > level; l--) {
		u64 *pte = &table[pte_index(iova, l)];
		u64 next;

		if (!*pte) {
			if (!arena_alloc(b->a, &next))
				return -ENOSPC;
			*pte = next | IPR_PTE_READ | IPR_PTE_WRITE;
		} else if (*pte & IPR_PTE_LARGE) {
			return -EEXIST;
		}
		table = arena_table(b->a, *pte & IPR_PTE_ADDR);
	}
	table += pte_index(iova, level);
	if (*table)
		return -EEXIST;
	*table = phys | prot_to_pte(prot) | (level > 1 ? IPR_PTE_LARGE : 0);
	return 0;
}

/**
 * ipr_pgtable_build() - write a table tree that maps exactly @r
 * @a: the arena, of at least ipr_pgtable_pages() pages, none used
 * @r: ranges, sorted by IOVA, not overlapping
 * @nr: how many
 * @agaw: address width of the tree
 * @sllps: superpage sizes to use (IPR_SLLPS_*)
 * @top: physical address of the top table
 *
 * Context: Any context. The caller makes the tables visible to a
 * non-coherent unit (clflush) before pointing a context entry at @top.
 * Return: 0; -EINVAL from ipr_ranges_check(); -ENOSPC when the arena is
 * too small (nothing points at what was written).
 */
int ipr_pgtable_build(struct ipr_arena *a, const struct ipr_range *r,
		      unsigned int nr, int agaw, u32 sllps, u64 *top)
{
	struct build_ctx b = { .a = a, .levels = ipr_agaw_levels(agaw) };
	int ret = ipr_ranges_check(r, nr, agaw);

	if (ret)
		return ret;
	if (!arena_alloc(a, &b.top))
		return -ENOSPC;
	ret = leaves_of(r, nr, b.levels, sllps, build_leaf, &b);
	if (ret)
		return ret;
	*top = b.top;
	return 0;
}

struct walk_ctx {
	ipr_table_fn table;
	void *tctx;
	ipr_leaf_fn leaf;
	void *lctx;
};

static int walk_table(struct walk_ctx *w, u64 phys, int level, u64 base)
{
	const u64 *table;
	unsigned int i;
	int ret;

	if (!w->table(w->tctx, phys, &table))
		return -EFAULT;
	for (i = 0; i < IPR_PTES; i++) {
		u64 pte = READ_ONCE(table[i]);
		u64 iova = base + i * ipr_level_size(level);
		u64 addr = pte & IPR_PTE_ADDR;

		if (!(pte & (IPR_PTE_READ | IPR_PTE_WRITE)))
			continue;
		if (level == 1 || (pte & IPR_PTE_LARGE)) {
			/* Superpages exist at levels 2 and 3 only. */
			if (level > 3 ||
			    !IS_ALIGNED(addr, ipr_level_size(level)))
				return -EINVAL;
			ret = w->leaf(w->lctx, iova, addr,
				      ipr_level_size(level), pte_to_prot(pte));
		} else {
			ret = walk_table(w, addr, level - 1, iova);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ipr_pgtable_walk() - every leaf of a table tree, in IOVA order
 * @top: physical address of the top table
 * @agaw: address width of the tree
 * @table: maps a table's physical address, or refuses it
 * @tctx: @table's context
 * @leaf: called for each present leaf
 * @lctx: @leaf's context
 *
 * Recursion depth is the tree's level count, at most five.
 *
 * Context: Any context @table and @leaf allow.
 * Return: 0; -EFAULT when @table refused a table; -EINVAL for a
 * misaligned superpage or one at a level that has none; -EOPNOTSUPP for an
 * address width this code does not read; or @leaf's error.
 */
int ipr_pgtable_walk(u64 top, int agaw, ipr_table_fn table, void *tctx,
		     ipr_leaf_fn leaf, void *lctx)
{
	struct walk_ctx w = {
		.table = table, .tctx = tctx, .leaf = leaf, .lctx = lctx,
	};

	if (agaw < IPR_AGAW_MIN || agaw > IPR_AGAW_MAX)
		return -EOPNOTSUPP;
	return walk_table(&w, top, ipr_agaw_levels(agaw), 0);
}

/**
 * ipr_ranges_add() - an ipr_leaf_fn that collects leaves into ranges
 * @ranges: a struct ipr_ranges
 * @iova: first IOVA of the leaf
 * @phys: where it translates to
 * @size: its size
 * @prot: its access
 *
 * A leaf that continues the last range in IOVA, physical address and
 * access extends it; any other starts a new range.
 *
 * Context: Any context.
 * Return: 0, or -E2BIG when the ranges are full.
 */
int ipr_ranges_add(void *ranges, u64 iova, u64 phys, u64 size, u32 prot)
{
	struct ipr_ranges *rs = ranges;
	struct ipr_range *last = rs->nr ? &rs->r[rs->nr - 1] : NULL;

	if (last && last->iova + last->len == iova &&
	    last->phys + last->len == phys && last->prot == prot) {
		last->len += size;
		return 0;
	}
	if (rs->nr == rs->max)
		return -E2BIG;
	rs->r[rs->nr++] = (struct ipr_range) {
		.iova = iova, .phys = phys, .len = size, .prot = prot,
	};
	return 0;
}

/**
 * ipr_ranges_equal() - do two range lists translate alike?
 * @a: ranges
 * @na: how many
 * @b: ranges
 * @nb: how many
 *
 * Context: Any context.
 * Return: true when both have the same ranges, in the same order.
 */
bool ipr_ranges_equal(const struct ipr_range *a, unsigned int na,
		      const struct ipr_range *b, unsigned int nb)
{
	unsigned int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].iova != b[i].iova || a[i].phys != b[i].phys ||
		    a[i].len != b[i].len || a[i].prot != b[i].prot)
			return false;
	return true;
}
