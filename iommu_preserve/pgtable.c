// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: page tables built into and read from preserved
 * memory, in the format the backend names (struct ipr_pt_format; VT-d's
 * is vtd_pgtable.c).
 *
 * The builder maps a sorted list of ranges with the largest page each
 * range's alignment allows (1 GiB, 2 MiB, 4 KiB), so that a preserved file,
 * physically contiguous, costs a few table pages whatever its size. It
 * allocates from an arena of contiguous pages sized beforehand by
 * ipr_pgtable_pages(), which runs the same page choice without writing:
 * one pool range per table tree, exact, never grown.
 *
 * The walker reads any table tree in that format, ours or the IOMMU
 * driver's, through a callback that maps each table's physical address and
 * refuses the ones outside what the caller trusts: the same code collects
 * a VMM's mappings in the first kernel and checks a handed-over tree in
 * the next.
 */
#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "pgtable.h"

static unsigned int pte_index(u64 iova, int level)
{
	return (iova >> (IPR_PAGE_SHIFT + IPR_LEVEL_STRIDE * (level - 1))) &
	       (IPR_PTES - 1);
}

/* Is @aw an address width @f builds and reads? */
static bool aw_ok(const struct ipr_pt_format *f, int aw)
{
	return aw >= f->aw_min && aw <= f->aw_max &&
	       !WARN_ON_ONCE(f->levels(aw) < 1 ||
			     f->levels(aw) > IPR_PT_LEVELS_MAX);
}

/**
 * ipr_ranges_check() - are these ranges something a table tree can map?
 * @f: the table format
 * @r: ranges
 * @nr: how many
 * @aw: address width of the tree, in @f's encoding
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when a range is empty, not 4 KiB aligned, without
 * access, beyond the address width or its physical address space, not
 * after the previous one, or overlaps it.
 */
int ipr_ranges_check(const struct ipr_pt_format *f, const struct ipr_range *r,
		     unsigned int nr, int aw)
{
	u64 plimit = f->addr_mask + IPR_PAGE_SIZE;
	u64 next = 0, limit;
	unsigned int i, width;

	if (!aw_ok(f, aw))
		return -EINVAL;
	width = IPR_PAGE_SHIFT + IPR_LEVEL_STRIDE * f->levels(aw);
	limit = width < 64 ? 1ULL << width : U64_MAX;
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
static int leaf_level(const struct ipr_pt_format *f, u64 iova, u64 phys,
		      u64 len, int levels, u32 sizes)
{
	int level;

	for (level = levels; level > 1; level--) {
		u64 size = ipr_level_size(level);

		if (f->leaf_ok(level, sizes) && IS_ALIGNED(iova | phys, size) &&
		    len >= size)
			return level;
	}
	return 1;
}

/*
 * Calls @fn for each leaf the builder writes for @r, in IOVA order: the
 * single definition of the page choice, shared by the count and the build.
 */
static int leaves_of(const struct ipr_pt_format *f, const struct ipr_range *r,
		     unsigned int nr, int levels, u32 sizes, ipr_leaf_visit fn,
		     void *ctx)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		u64 iova = r[i].iova, phys = r[i].phys, left = r[i].len;

		while (left) {
			int level = leaf_level(f, iova, phys, left, levels,
					       sizes);
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
	u64 last[IPR_PT_LEVELS_MAX];	/* per level: last table's IOVA block + 1 */
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
 * @f: the table format
 * @r: ranges, sorted by IOVA, not overlapping (ipr_ranges_check())
 * @nr: how many
 * @aw: address width of the tree, in @f's encoding
 * @sizes: large-page sizes the unit supports, in @f's encoding
 *	(ipr_pt_format.leaf_ok())
 * @pages: the count, top table included
 *
 * Context: Any context.
 * Return: 0, or -EINVAL from ipr_ranges_check().
 */
int ipr_pgtable_pages(const struct ipr_pt_format *f, const struct ipr_range *r,
		      unsigned int nr, int aw, u32 sizes, unsigned int *pages)
{
	struct count_ctx c = { .pages = 1 };
	int ret = ipr_ranges_check(f, r, nr, aw);

	if (ret)
		return ret;
	c.levels = f->levels(aw);
	leaves_of(f, r, nr, c.levels, sizes, count_leaf, &c);
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
	const struct ipr_pt_format *f;
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
		u32 p;

		if (!*pte) {
			if (!arena_alloc(b->a, &next))
				return -ENOSPC;
			*pte = b->f->table_encode(next, l);
		} else if (b->f->pte_decode(*pte, l, iova, &next, &p) !=
			   IPR_PTE_TABLE) {
			return -EEXIST;
		}
		table = arena_table(b->a, next);
	}
	table += pte_index(iova, level);
	if (*table)
		return -EEXIST;
	*table = b->f->leaf_encode(phys, level, prot);
	return 0;
}

/**
 * ipr_pgtable_build() - write a table tree that maps exactly @r
 * @f: the table format
 * @a: the arena, of at least ipr_pgtable_pages() pages, none used
 * @r: ranges, sorted by IOVA, not overlapping
 * @nr: how many
 * @aw: address width of the tree, in @f's encoding
 * @sizes: large-page sizes to use, in @f's encoding
 * @top: physical address of the top table
 *
 * Context: Any context. The caller makes the tables visible to a
 * non-coherent unit (clflush) before pointing a context entry at @top.
 * Return: 0; -EINVAL from ipr_ranges_check(); -ENOSPC when the arena is
 * too small (nothing points at what was written).
 */
int ipr_pgtable_build(const struct ipr_pt_format *f, struct ipr_arena *a,
		      const struct ipr_range *r, unsigned int nr, int aw,
		      u32 sizes, u64 *top)
{
	struct build_ctx b = { .f = f, .a = a };
	int ret = ipr_ranges_check(f, r, nr, aw);

	if (ret)
		return ret;
	b.levels = f->levels(aw);
	if (!arena_alloc(a, &b.top))
		return -ENOSPC;
	ret = leaves_of(f, r, nr, b.levels, sizes, build_leaf, &b);
	if (ret)
		return ret;
	*top = b.top;
	return 0;
}

struct walk_ctx {
	const struct ipr_pt_format *f;
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
		u64 iova = base + i * ipr_level_size(level);
		u64 addr;
		u32 prot;
		int kind;

		kind = w->f->pte_decode(READ_ONCE(table[i]), level, iova,
					&addr, &prot);
		if (kind == IPR_PTE_NONE)
			continue;
		if (kind == IPR_PTE_LEAF)
			ret = w->leaf(w->lctx, iova, addr,
				      ipr_level_size(level), prot);
		else if (kind == IPR_PTE_TABLE && level > 1)
			ret = walk_table(w, addr, level - 1, iova);
		else
			ret = kind < 0 ? kind : -EINVAL;
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ipr_pgtable_walk() - every leaf of a table tree, in IOVA order
 * @f: the table format
 * @top: physical address of the top table
 * @aw: address width of the tree, in @f's encoding
 * @table: maps a table's physical address, or refuses it
 * @tctx: @table's context
 * @leaf: called for each present leaf
 * @lctx: @leaf's context
 *
 * Recursion depth is the tree's level count, at most IPR_PT_LEVELS_MAX.
 *
 * Context: Any context @table and @leaf allow.
 * Return: 0; -EFAULT when @table refused a table; -EINVAL for a
 * misaligned superpage or one at a level that has none; -EOPNOTSUPP for an
 * address width this code does not read; or @leaf's error.
 */
int ipr_pgtable_walk(const struct ipr_pt_format *f, u64 top, int aw,
		     ipr_table_fn table, void *tctx, ipr_leaf_fn leaf,
		     void *lctx)
{
	struct walk_ctx w = {
		.f = f, .table = table, .tctx = tctx, .leaf = leaf,
		.lctx = lctx,
	};

	if (!aw_ok(f, aw))
		return -EOPNOTSUPP;
	return walk_table(&w, top, f->levels(aw), 0);
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
