// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the keepalive pool allocator (kho/pool.c).
 *
 * They run against the real pool, so the kernel must be booted with one
 * (keepalive.pool=64M); without it every test is skipped. Covered: the
 * pool's geometry, its struct pages (mapping, references, pins),
 * allocations (page aligned, zeroed, inside the pool, disjoint, accounted
 * in the usage), exhaustion, fragmentation, claims of free, busy, partly
 * busy and invalid ranges, and the edge cases of
 * keepalive_pool_contains(). Every allocation and claim is tracked and
 * freed by the exit hook, which checks that the pool's usage is back where
 * the test found it.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <asm/pgtable_types.h>

#include "../kho.h"

#define POOL_MAX_OBJS	4096
#define FRAG_PIECE	SZ_64K
#define FRAG_MIN_HOLE	SZ_1M

struct pool_obj {
	void *va;
	size_t size;
};

struct pool_ctx {
	struct keepalive_pool_usage base;	/* usage when the test began */
	struct pool_obj *obj;			/* live allocations and claims */
	unsigned int nr;
};

static int pool_test_init(struct kunit *test)
{
	struct pool_ctx *ctx;

	if (!keepalive_pool_ready())
		kunit_skip(test, "no keepalive pool: boot with keepalive.pool=64M");
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->obj = kunit_kcalloc(test, POOL_MAX_OBJS, sizeof(*ctx->obj),
				 GFP_KERNEL);
	if (!ctx->obj)
		return -ENOMEM;
	keepalive_pool_usage(&ctx->base);
	test->priv = ctx;
	return 0;
}

static void pool_test_exit(struct kunit *test)
{
	struct pool_ctx *ctx = test->priv;
	struct keepalive_pool_usage u;

	if (!ctx)
		return;
	while (ctx->nr) {
		ctx->nr--;
		keepalive_pool_free(ctx->obj[ctx->nr].va, ctx->obj[ctx->nr].size);
	}
	keepalive_pool_usage(&u);
	KUNIT_EXPECT_EQ_MSG(test, u.used, ctx->base.used,
			    "pool usage not back to what it was");
	KUNIT_EXPECT_EQ_MSG(test, u.objects, ctx->base.objects,
			    "pool objects not back to what they were");
}

static struct pool_ctx *ctx_of(struct kunit *test)
{
	return test->priv;
}

/* keepalive_pool_alloc(), tracked for the exit hook */
static void *pool_alloc(struct kunit *test, size_t size, phys_addr_t *phys)
{
	struct pool_ctx *ctx = ctx_of(test);
	void *va;

	KUNIT_ASSERT_LT(test, ctx->nr, POOL_MAX_OBJS);
	va = keepalive_pool_alloc(size, phys);
	if (va)
		ctx->obj[ctx->nr++] = (struct pool_obj){ va, size };
	return va;
}

/* keepalive_pool_alloc_aligned(), tracked for the exit hook */
static void *pool_alloc_aligned(struct kunit *test, size_t size, size_t align,
				phys_addr_t *phys)
{
	struct pool_ctx *ctx = ctx_of(test);
	void *va;

	KUNIT_ASSERT_LT(test, ctx->nr, POOL_MAX_OBJS);
	va = keepalive_pool_alloc_aligned(size, align, phys);
	if (va)
		ctx->obj[ctx->nr++] = (struct pool_obj){ va, size };
	return va;
}

/* keepalive_pool_claim(), tracked for the exit hook when it succeeds */
static void *pool_claim(struct kunit *test, phys_addr_t phys, size_t size)
{
	struct pool_ctx *ctx = ctx_of(test);
	void *va;

	KUNIT_ASSERT_LT(test, ctx->nr, POOL_MAX_OBJS);
	va = keepalive_pool_claim(phys, size);
	if (!IS_ERR_OR_NULL(va))
		ctx->obj[ctx->nr++] = (struct pool_obj){ va, size };
	return va;
}

/* Free a tracked allocation or claim */
static void pool_free(struct kunit *test, void *va)
{
	struct pool_ctx *ctx = ctx_of(test);
	unsigned int i;

	for (i = 0; i < ctx->nr; i++) {
		if (ctx->obj[i].va != va)
			continue;
		keepalive_pool_free(va, ctx->obj[i].size);
		ctx->obj[i] = ctx->obj[--ctx->nr];
		return;
	}
	KUNIT_FAIL(test, "freeing %p, which the test does not hold", va);
}

/* Expect the usage to be the baseline plus @used bytes and @objects */
static void expect_usage(struct kunit *test, u64 used, unsigned long objects,
			 int line)
{
	struct pool_ctx *ctx = ctx_of(test);
	struct keepalive_pool_usage u;

	keepalive_pool_usage(&u);
	KUNIT_EXPECT_EQ_MSG(test, u.used, ctx->base.used + used,
			    "bytes in use, line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, u.objects, ctx->base.objects + objects,
			    "objects, line %d", line);
}

#define EXPECT_USAGE(test, used, objects) \
	expect_usage(test, used, objects, __LINE__)

/* Skip a test that needs more free pool than there is */
static void need_free(struct kunit *test, u64 bytes)
{
	struct pool_ctx *ctx = ctx_of(test);

	if (ctx->base.size - ctx->base.used < bytes)
		kunit_skip(test, "needs %llu KiB of free pool", bytes / SZ_1K);
}

/* The physical address of a pool kernel address */
static phys_addr_t pool_pa(const void *va)
{
	phys_addr_t base = keepalive_pool_phys();

	return base + (va - keepalive_pool_va(base));
}

/* The error a claim returned, 0 for success */
static long claim_err(void *va)
{
	return IS_ERR(va) ? PTR_ERR(va) : 0;
}

static void pool_geometry_test(struct kunit *test)
{
	struct pool_ctx *ctx = ctx_of(test);
	phys_addr_t phys = keepalive_pool_phys();
	u64 size = keepalive_pool_size();

	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(phys, KEEPALIVE_POOL_ALIGN));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(size, KEEPALIVE_POOL_ALIGN));
	KUNIT_EXPECT_GT(test, size, (u64)KEEPALIVE_HDR_AREA);
	KUNIT_EXPECT_EQ(test, ctx->base.size, size);
	/* The header page is always in use */
	KUNIT_EXPECT_GE(test, ctx->base.used, (u64)KEEPALIVE_HDR_AREA);
	KUNIT_EXPECT_LE(test, ctx->base.used, size);
	KUNIT_EXPECT_PTR_EQ(test, keepalive_pool_va(phys) + KEEPALIVE_HDR_AREA,
			    keepalive_pool_va(phys + KEEPALIVE_HDR_AREA));
}

/*
 * The pool's struct pages: its kernel mapping, 2 MiB folios with one
 * reference each (the pool's), not reserved; a reference or a pin is the
 * folio's, and keepalive_pool_unused() and keepalive_pool_pinned() see it
 * on every page of the folio.
 */
static void pool_pages_test(struct kunit *test)
{
	phys_addr_t phys = keepalive_pool_phys(), p;
	struct folio *folio;
	struct page *page;
	void *va;

	page = keepalive_pool_page(phys);
	KUNIT_EXPECT_EQ(test, page_to_phys(page), phys);
	KUNIT_EXPECT_PTR_EQ(test, page_address(page), keepalive_pool_va(phys));
	page = keepalive_pool_page(phys + keepalive_pool_size() - PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, page_address(page),
			    keepalive_pool_va(phys + keepalive_pool_size() -
					      PAGE_SIZE));
	folio = page_folio(page);
	KUNIT_EXPECT_EQ(test, folio_size(folio), SZ_2M);
	KUNIT_EXPECT_EQ(test, folio_pfn(folio),
			PHYS_PFN(phys + keepalive_pool_size() - SZ_2M));
	/*
	 * The memmap's tail pages past the first two pages of struct pages
	 * are one and the same memory (vmemmap_dedup.rst), 8 KiB per 2 MiB
	 * folio, which needs struct page to be a power of two in size (64
	 * bytes with MEMCG); except in a section that also holds boot RAM,
	 * whose memmap exists already (the pool of this test's VM starts in
	 * one: the scale benchmark measures the other case).
	 */
	KUNIT_EXPECT_TRUE(test, is_power_of_2(sizeof(struct page)));
	KUNIT_EXPECT_EQ(test,
			slow_virt_to_phys(folio_page(folio, 2 * PAGE_SIZE /
						     sizeof(struct page))) ==
			slow_virt_to_phys(folio_page(folio, 4 * PAGE_SIZE /
						     sizeof(struct page))),
			!early_section(__pfn_to_section(folio_pfn(folio))));
	KUNIT_EXPECT_NE(test, slow_virt_to_phys(folio_page(folio, 0)),
			slow_virt_to_phys(folio_page(folio, PAGE_SIZE /
							   sizeof(struct page))));

	va = pool_alloc(test, 2 * PAGE_SIZE, &p);
	KUNIT_ASSERT_NOT_NULL(test, va);
	page = keepalive_pool_page(p + PAGE_SIZE);
	folio = page_folio(page);
	KUNIT_EXPECT_FALSE(test, PageReserved(page));
	KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 1);
	KUNIT_EXPECT_TRUE(test, keepalive_pool_unused(p, 2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p, 2 * PAGE_SIZE), 0UL);

	/* A reference (a GUP) is a use of the whole folio, not a pin. */
	get_page(page);
	KUNIT_EXPECT_FALSE(test, keepalive_pool_unused(p, 2 * PAGE_SIZE));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_unused(p, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p, 2 * PAGE_SIZE), 0UL);
	/* A pin, as pin_user_pages() takes it: every page of its folio. */
	KUNIT_ASSERT_EQ(test, pin_device_page_range(page, 1), 0);
	KUNIT_EXPECT_TRUE(test, folio_maybe_dma_pinned(folio));
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p, 2 * PAGE_SIZE), 2UL);
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p, PAGE_SIZE), 1UL);
	unpin_user_page_range_dirty_lock(page, 1, false);
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p, 2 * PAGE_SIZE), 0UL);
	put_page(page);
	KUNIT_EXPECT_TRUE(test, keepalive_pool_unused(p, 2 * PAGE_SIZE));
	pool_free(test, va);
}

/*
 * A pin across folios (memfd/pin.c, for vfio's type1) pins each folio it
 * touches by the pages it covers there, and only those folios; memory
 * that is not device memory is refused.
 */
static void pool_pin_range_test(struct kunit *test)
{
	struct folio *first, *second;
	struct page *page, *ram;
	phys_addr_t p;
	void *va;

	va = pool_alloc_aligned(test, 3 * SZ_2M, SZ_2M, &p);
	KUNIT_ASSERT_NOT_NULL(test, va);
	page = keepalive_pool_page(p + SZ_1M);
	first = page_folio(keepalive_pool_page(p));
	second = page_folio(keepalive_pool_page(p + SZ_2M));
	KUNIT_ASSERT_PTR_NE(test, first, second);

	/* 1 MiB from the middle of the first folio into the second. */
	KUNIT_ASSERT_EQ(test, pin_device_page_range(page, SZ_2M >> PAGE_SHIFT),
			0);
	KUNIT_EXPECT_EQ(test, folio_ref_count(first), 1 + (SZ_1M >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, folio_ref_count(second), 1 + (SZ_1M >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p, 3 * SZ_2M),
			(unsigned long)(2 * SZ_2M) >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p + 2 * SZ_2M, SZ_2M), 0UL);
	/* Unpinned in two pieces, as an unmap of part of a mapping does. */
	unpin_user_page_range_dirty_lock(page, SZ_1M >> PAGE_SHIFT, true);
	KUNIT_EXPECT_EQ(test, folio_ref_count(first), 1);
	KUNIT_EXPECT_TRUE(test, folio_test_dirty(first));
	KUNIT_EXPECT_EQ(test, keepalive_pool_pinned(p, 3 * SZ_2M),
			(unsigned long)SZ_2M >> PAGE_SHIFT);
	unpin_user_page_range_dirty_lock(keepalive_pool_page(p + SZ_2M),
					 SZ_1M >> PAGE_SHIFT, false);
	KUNIT_EXPECT_TRUE(test, keepalive_pool_unused(p, 3 * SZ_2M));

	ram = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ram);
	KUNIT_EXPECT_EQ(test, pin_device_page_range(ram, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, page_ref_count(ram), 1);
	__free_page(ram);
	pool_free(test, va);
}

static void pool_alloc_test(struct kunit *test)
{
	size_t size = 3 * PAGE_SIZE + 100;
	phys_addr_t phys = 0;
	void *va;

	va = pool_alloc(test, size, &phys);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(va));
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(phys));
	KUNIT_EXPECT_TRUE(test, keepalive_pool_contains(phys, 4 * PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, va, keepalive_pool_va(phys));
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(va, 0, 4 * PAGE_SIZE), NULL);
	EXPECT_USAGE(test, 4 * PAGE_SIZE, 1);

	pool_free(test, va);
	EXPECT_USAGE(test, 0, 0);

	/* Nothing to allocate, nothing allocated */
	KUNIT_EXPECT_NULL(test, pool_alloc(test, 0, &phys));
	EXPECT_USAGE(test, 0, 0);
	keepalive_pool_free(NULL, PAGE_SIZE);
	EXPECT_USAGE(test, 0, 0);
}

static void pool_alloc_zeroes_test(struct kunit *test)
{
	size_t size = SZ_2M + 3 * PAGE_SIZE;	/* zeroed in two steps */
	phys_addr_t phys, phys2;
	void *va;

	need_free(test, size);
	va = pool_alloc(test, size, &phys);
	KUNIT_ASSERT_NOT_NULL(test, va);
	memset(va, 0xa5, size);
	pool_free(test, va);

	/* First fit: the same range again, dirty until zeroed */
	va = pool_alloc(test, size, &phys2);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_EQ(test, phys2, phys);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(va, 0, size), NULL);
	pool_free(test, va);
}

static void pool_alloc_disjoint_test(struct kunit *test)
{
	static const size_t sizes[] = {
		PAGE_SIZE, 1, 5 * PAGE_SIZE, SZ_64K + 1, 2 * PAGE_SIZE, SZ_1M,
	};
	phys_addr_t phys[ARRAY_SIZE(sizes)];
	void *va[ARRAY_SIZE(sizes)];
	u64 total = 0;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		total += PAGE_ALIGN(sizes[i]);
	need_free(test, total);
	total = 0;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		va[i] = pool_alloc(test, sizes[i], &phys[i]);
		KUNIT_ASSERT_NOT_NULL(test, va[i]);
		KUNIT_EXPECT_TRUE(test, keepalive_pool_contains(phys[i],
								PAGE_ALIGN(sizes[i])));
		total += PAGE_ALIGN(sizes[i]);
		EXPECT_USAGE(test, total, i + 1);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		for (j = i + 1; j < ARRAY_SIZE(sizes); j++)
			KUNIT_EXPECT_TRUE_MSG(test,
					      phys[i] + PAGE_ALIGN(sizes[i]) <= phys[j] ||
					      phys[j] + PAGE_ALIGN(sizes[j]) <= phys[i],
					      "allocations %u and %u overlap", i, j);

	/* Free out of order; the usage goes down by exactly each size */
	for (i = 1; i < ARRAY_SIZE(sizes); i += 2) {
		pool_free(test, va[i]);
		total -= PAGE_ALIGN(sizes[i]);
	}
	EXPECT_USAGE(test, total, ARRAY_SIZE(sizes) / 2);
	for (i = 0; i < ARRAY_SIZE(sizes); i += 2)
		pool_free(test, va[i]);
	EXPECT_USAGE(test, 0, 0);
}

/*
 * Allocate everything: chunks of 4 MiB, then of half that size and so on
 * down to a page, each until none is left. Return the bytes allocated.
 */
static u64 exhaust(struct kunit *test)
{
	phys_addr_t phys;
	u64 total = 0;
	size_t size;

	for (size = SZ_4M; size >= PAGE_SIZE; size /= 2)
		while (pool_alloc(test, size, &phys))
			total += size;
	return total;
}

/*
 * Aligned allocations land on their physical alignment, after a page that
 * puts the free space off it; a bad alignment is refused.
 */
static void pool_alloc_aligned_test(struct kunit *test)
{
	phys_addr_t phys, small;
	unsigned int i;

	need_free(test, 8 * SZ_2M);
	KUNIT_ASSERT_NOT_NULL(test, pool_alloc(test, PAGE_SIZE, &small));
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_NOT_NULL(test, pool_alloc_aligned(test, SZ_2M + PAGE_SIZE,
							       SZ_2M, &phys));
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED(phys, SZ_2M),
				      "%pa not 2 MiB aligned", &phys);
		KUNIT_EXPECT_TRUE(test, keepalive_pool_contains(phys, SZ_2M + PAGE_SIZE));
	}
	KUNIT_EXPECT_NULL(test, keepalive_pool_alloc_aligned(SZ_2M, SZ_2M + PAGE_SIZE,
							     &phys));
	KUNIT_EXPECT_NULL(test, keepalive_pool_alloc_aligned(SZ_2M, PAGE_SIZE / 2,
							     &phys));
}

static void pool_exhaustion_test(struct kunit *test)
{
	struct pool_ctx *ctx = ctx_of(test);
	u64 total = exhaust(test);
	unsigned int objects = ctx->nr;
	size_t biggest = ctx->nr ? ctx->obj[0].size : 0;
	phys_addr_t phys;

	KUNIT_EXPECT_GT(test, total, 0ULL);
	EXPECT_USAGE(test, total, objects);
	KUNIT_EXPECT_EQ(test, ctx->base.used + total, keepalive_pool_size());

	/* Exhausted: refused, and nothing changes */
	KUNIT_EXPECT_NULL(test, pool_alloc(test, PAGE_SIZE, &phys));
	KUNIT_EXPECT_NULL(test, pool_alloc(test, SZ_4M, &phys));
	EXPECT_USAGE(test, total, objects);
	KUNIT_EXPECT_EQ(test, claim_err(pool_claim(test, keepalive_pool_phys() +
						   KEEPALIVE_HDR_AREA, PAGE_SIZE)),
			(long)-EBUSY);
	EXPECT_USAGE(test, total, objects);

	while (ctx->nr)
		pool_free(test, ctx->obj[ctx->nr - 1].va);
	EXPECT_USAGE(test, 0, 0);

	/* And usable again */
	KUNIT_EXPECT_NOT_NULL(test, pool_alloc(test, biggest, &phys));
}

static void pool_fragmentation_test(struct kunit *test)
{
	struct pool_ctx *ctx = ctx_of(test);
	void *pieces[SZ_4M / FRAG_PIECE];
	unsigned int i, n, objects;
	phys_addr_t hole, phys;
	size_t span = 0;
	u64 total;

	total = exhaust(test);
	for (i = 0; i < ctx->nr; i++) {
		if (ctx->obj[i].size >= FRAG_MIN_HOLE) {
			span = ctx->obj[i].size;
			break;
		}
	}
	if (!span)
		kunit_skip(test, "pool too small for a %u KiB hole",
			   FRAG_MIN_HOLE / SZ_1K);
	KUNIT_ASSERT_LE(test, span / FRAG_PIECE, ARRAY_SIZE(pieces));
	hole = pool_pa(ctx->obj[i].va);

	/* Free one chunk, the only hole, and fill it with small pieces */
	pool_free(test, ctx->obj[i].va);
	for (n = 0; n < span / FRAG_PIECE; n++) {
		pieces[n] = pool_alloc(test, FRAG_PIECE, &phys);
		KUNIT_ASSERT_NOT_NULL(test, pieces[n]);
		KUNIT_ASSERT_TRUE(test, phys >= hole && phys < hole + span);
	}
	KUNIT_EXPECT_NULL(test, pool_alloc(test, PAGE_SIZE, &phys));

	/* Free every other piece: half the hole free, in 64 KiB holes */
	for (i = 0; i < n; i++) {
		phys = pool_pa(pieces[i]);
		if (((phys - hole) / FRAG_PIECE) % 2 == 0)
			pool_free(test, pieces[i]);
	}
	objects = ctx->nr;
	total -= span / 2;
	EXPECT_USAGE(test, total, objects);

	/* Bigger than the biggest hole: refused, usage unchanged */
	KUNIT_EXPECT_NULL(test, pool_alloc(test, 2 * FRAG_PIECE, &phys));
	KUNIT_EXPECT_NULL(test, pool_alloc(test, FRAG_PIECE + 1, &phys));
	EXPECT_USAGE(test, total, objects);

	/* The size of a hole fits, in one of the holes */
	KUNIT_ASSERT_NOT_NULL(test, pool_alloc(test, FRAG_PIECE, &phys));
	KUNIT_EXPECT_TRUE(test, phys >= hole && phys < hole + span);
	KUNIT_EXPECT_EQ(test, (phys - hole) % (2 * FRAG_PIECE), 0ULL);
	EXPECT_USAGE(test, total + FRAG_PIECE, objects + 1);
}

static void pool_claim_test(struct kunit *test)
{
	phys_addr_t phys, q;
	void *va, *claimed;

	/* A range known to be free */
	va = pool_alloc(test, 4 * PAGE_SIZE, &phys);
	KUNIT_ASSERT_NOT_NULL(test, va);
	pool_free(test, va);

	claimed = pool_claim(test, phys, 4 * PAGE_SIZE);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(claimed), "claim: %ld",
			       claim_err(claimed));
	KUNIT_EXPECT_PTR_EQ(test, claimed, keepalive_pool_va(phys));
	KUNIT_EXPECT_PTR_EQ(test, claimed, va);
	EXPECT_USAGE(test, 4 * PAGE_SIZE, 1);

	/* Claimed already, whole or in part */
	KUNIT_EXPECT_EQ(test, claim_err(pool_claim(test, phys, 4 * PAGE_SIZE)),
			(long)-EBUSY);
	KUNIT_EXPECT_EQ(test, claim_err(pool_claim(test, phys + PAGE_SIZE,
						   PAGE_SIZE)), (long)-EBUSY);
	EXPECT_USAGE(test, 4 * PAGE_SIZE, 1);

	/* Claimed memory is not handed out */
	va = pool_alloc(test, PAGE_SIZE, &q);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_TRUE(test,
			  q + PAGE_SIZE <= phys || q >= phys + 4 * PAGE_SIZE);
	pool_free(test, va);

	/* Freed like an allocation, then claimable again */
	pool_free(test, claimed);
	EXPECT_USAGE(test, 0, 0);
	va = pool_claim(test, phys, 4 * PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, va, claimed);
	if (!IS_ERR(va))
		pool_free(test, va);
	EXPECT_USAGE(test, 0, 0);
}

static void pool_claim_overlap_test(struct kunit *test)
{
	phys_addr_t p, q;
	void *va, *c;

	/* Eight free pages at p; claim the first four */
	va = pool_alloc(test, 8 * PAGE_SIZE, &p);
	KUNIT_ASSERT_NOT_NULL(test, va);
	pool_free(test, va);
	c = pool_claim(test, p, 4 * PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));

	/* Half on the claim, half free: refused, and takes nothing */
	KUNIT_EXPECT_EQ(test, claim_err(pool_claim(test, p + 2 * PAGE_SIZE,
						   4 * PAGE_SIZE)), (long)-EBUSY);
	EXPECT_USAGE(test, 4 * PAGE_SIZE, 1);
	va = pool_claim(test, p + 4 * PAGE_SIZE, 4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, claim_err(va), 0L);
	if (!IS_ERR(va))
		pool_free(test, va);
	pool_free(test, c);

	/* Partly over an allocation */
	va = pool_alloc(test, 2 * PAGE_SIZE, &q);
	KUNIT_ASSERT_NOT_NULL(test, va);
	KUNIT_EXPECT_EQ(test, claim_err(pool_claim(test, q + PAGE_SIZE,
						   2 * PAGE_SIZE)), (long)-EBUSY);
	KUNIT_EXPECT_EQ(test, claim_err(pool_claim(test, q, PAGE_SIZE)),
			(long)-EBUSY);
	EXPECT_USAGE(test, 2 * PAGE_SIZE, 1);
	pool_free(test, va);

	/* Once freed, the same range can be claimed */
	va = pool_claim(test, q, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, claim_err(va), 0L);
	if (!IS_ERR(va))
		pool_free(test, va);
	EXPECT_USAGE(test, 0, 0);
}

static void pool_claim_range_test(struct kunit *test)
{
	phys_addr_t base = keepalive_pool_phys();
	phys_addr_t end = base + keepalive_pool_size();
	phys_addr_t p;
	void *va;

	va = pool_alloc(test, 4 * PAGE_SIZE, &p);
	KUNIT_ASSERT_NOT_NULL(test, va);
	pool_free(test, va);

#define EXPECT_CLAIM_ERANGE(phys, size)					\
	KUNIT_EXPECT_EQ(test, claim_err(pool_claim(test, phys, size)),	\
			(long)-ERANGE)

	/* Unaligned, though free */
	EXPECT_CLAIM_ERANGE(p + 512, PAGE_SIZE);
	EXPECT_CLAIM_ERANGE(p, PAGE_SIZE + 512);
	EXPECT_CLAIM_ERANGE(p, PAGE_SIZE / 2);
	EXPECT_CLAIM_ERANGE(p, 0);
	/* The header page */
	EXPECT_CLAIM_ERANGE(base, PAGE_SIZE);
	EXPECT_CLAIM_ERANGE(base, 2 * PAGE_SIZE);
	/* Outside the pool, across its ends, wrapping */
	EXPECT_CLAIM_ERANGE(base - PAGE_SIZE, PAGE_SIZE);
	EXPECT_CLAIM_ERANGE(base - PAGE_SIZE, 3 * PAGE_SIZE);
	EXPECT_CLAIM_ERANGE(end, PAGE_SIZE);
	EXPECT_CLAIM_ERANGE(end - PAGE_SIZE, 2 * PAGE_SIZE);
	EXPECT_CLAIM_ERANGE(0, PAGE_SIZE);
	EXPECT_CLAIM_ERANGE((phys_addr_t)(U64_MAX & PAGE_MASK), 2 * PAGE_SIZE);
#undef EXPECT_CLAIM_ERANGE
	EXPECT_USAGE(test, 0, 0);

	/* The last page is in range: free or busy, never -ERANGE */
	va = pool_claim(test, end - PAGE_SIZE, PAGE_SIZE);
	if (IS_ERR(va)) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(va), (long)-EBUSY);
	} else {
		KUNIT_EXPECT_PTR_EQ(test, va, keepalive_pool_va(end - PAGE_SIZE));
		pool_free(test, va);
	}
	EXPECT_USAGE(test, 0, 0);
}

static void pool_contains_test(struct kunit *test)
{
	phys_addr_t base = keepalive_pool_phys();
	u64 size = keepalive_pool_size();
	phys_addr_t lo = base + KEEPALIVE_HDR_AREA, end = base + size;

	/* The whole allocatable part, and its first and last bytes */
	KUNIT_EXPECT_TRUE(test, keepalive_pool_contains(lo, size - KEEPALIVE_HDR_AREA));
	KUNIT_EXPECT_TRUE(test, keepalive_pool_contains(lo, 1));
	KUNIT_EXPECT_TRUE(test, keepalive_pool_contains(end - 1, 1));
	KUNIT_EXPECT_TRUE(test, keepalive_pool_contains(end - PAGE_SIZE, PAGE_SIZE));

	/* Empty */
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(lo, 0));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(end, 0));

	/* Past the exact end */
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(end, 1));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(end - PAGE_SIZE,
							 PAGE_SIZE + 1));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(lo, size));

	/* The header page, whole or in part */
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(base, 1));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(base, size));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(lo - 1, 1));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(lo - 1, 2));

	/* Below the pool */
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(0, end));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(base - 1, 2));

	/* Wrapping around */
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(lo, U64_MAX));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(end - PAGE_SIZE,
							 U64_MAX - (end - PAGE_SIZE) + 1));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(end - 1, U64_MAX - lo));
	KUNIT_EXPECT_FALSE(test, keepalive_pool_contains(U64_MAX & PAGE_MASK,
							 PAGE_SIZE));
}

static struct kunit_case keepalive_pool_test_cases[] = {
	KUNIT_CASE(pool_geometry_test),
	KUNIT_CASE(pool_pages_test),
	KUNIT_CASE(pool_pin_range_test),
	KUNIT_CASE(pool_alloc_test),
	KUNIT_CASE(pool_alloc_zeroes_test),
	KUNIT_CASE(pool_alloc_disjoint_test),
	KUNIT_CASE(pool_alloc_aligned_test),
	KUNIT_CASE(pool_exhaustion_test),
	KUNIT_CASE(pool_fragmentation_test),
	KUNIT_CASE(pool_claim_test),
	KUNIT_CASE(pool_claim_overlap_test),
	KUNIT_CASE(pool_claim_range_test),
	KUNIT_CASE(pool_contains_test),
	{}
};

static struct kunit_suite keepalive_pool_test_suite = {
	.name = "keepalive_pool",
	.init = pool_test_init,
	.exit = pool_test_exit,
	.test_cases = keepalive_pool_test_cases,
};

kunit_test_suite(keepalive_pool_test_suite);
