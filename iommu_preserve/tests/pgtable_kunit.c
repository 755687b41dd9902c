// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the page-table builder and walker iommu_preserve/ uses
 * (iommu_preserve/pgtable.c) in the VT-d format, and of the VT-d
 * structures (iommu_preserve/vtd_pgtable.c), on plain memory with made-up
 * physical addresses.
 *
 * Covered: root and context entry encodings bit by bit and every reason a
 * context entry is refused; the VT-d backend's entry ops and handover
 * root (its size, its layout, what its check refuses); the range checks;
 * the page-table builder and walker round trip at 3 and 4 levels, with
 * and without superpages, the page choice (1 GiB, 2 MiB, 4 KiB by
 * alignment), the page count being exactly what the build uses, a
 * too-small arena; the walker refusing a table outside what it may read
 * and a misaligned or misplaced superpage; the range collector's merging
 * and its capacity.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/sizes.h>

#include "../vtd_pgtable.h"
#include "pt_fixture.h"

#define ARENA_PAGES	IPR_PT_TEST_PAGES
#define FAKE_PHYS	IPR_PT_TEST_PHYS
#define RW		(KEEPALIVE_IOMMU_PROT_READ | KEEPALIVE_IOMMU_PROT_WRITE)
#define RO		KEEPALIVE_IOMMU_PROT_READ
#define PT		(&ipr_vtd_pt)	/* the format under test */

static const struct ipr_range mixed[] = {
	{ .iova = 0x1000, .phys = 0x5000, .len = 0x3000, .prot = RO },
	/* 2 MiB aligned on both sides: two 2 MiB pages */
	{ .iova = SZ_2M, .phys = SZ_1G, .len = SZ_4M, .prot = RW },
	/* 1 GiB aligned: one 1 GiB page, then two 4 KiB */
	{ .iova = SZ_1G, .phys = 2ULL * SZ_1G, .len = SZ_1G + SZ_8K, .prot = RW },
	/* congruent only modulo 4 KiB: 4 KiB pages */
	{ .iova = 3ULL * SZ_1G, .phys = SZ_4G + 0x1000, .len = SZ_2M, .prot = RW },
};

static void pgtable_round_trip_superpages(struct kunit *test)
{
	struct ipr_pt_test *c = test->priv;

	ipr_pt_test_round_trip(test, PT, mixed, ARRAY_SIZE(mixed), 1,
			       IPR_VTD_SLLPS_2M | IPR_VTD_SLLPS_1G);
	KUNIT_EXPECT_EQ(test, c->leaves[3], 1);
	KUNIT_EXPECT_EQ(test, c->leaves[2], 2);
	KUNIT_EXPECT_EQ(test, c->leaves[1], 3 + 2 + 512);
}

static void pgtable_round_trip_4k_only(struct kunit *test)
{
	static const struct ipr_range r[] = {
		{ .iova = SZ_2M, .phys = SZ_1G, .len = SZ_4M, .prot = RW },
		{ .iova = SZ_1G, .phys = SZ_2G, .len = SZ_8K, .prot = RO },
	};
	struct ipr_pt_test *c = test->priv;

	ipr_pt_test_round_trip(test, PT, r, ARRAY_SIZE(r), 1, 0);
	KUNIT_EXPECT_EQ(test, c->leaves[2], 0);
	KUNIT_EXPECT_EQ(test, c->leaves[1], 1024 + 2);
}

static void pgtable_round_trip_4level(struct kunit *test)
{
	static const struct ipr_range r[] = {
		{ .iova = 0, .phys = SZ_2M, .len = SZ_2M, .prot = RW },
		{ .iova = 1ULL << 40, .phys = SZ_1G, .len = SZ_1G, .prot = RW },
	};
	struct ipr_pt_test *c = test->priv;

	ipr_pt_test_round_trip(test, PT, r, ARRAY_SIZE(r), 2,
			       IPR_VTD_SLLPS_2M | IPR_VTD_SLLPS_1G);
	KUNIT_EXPECT_EQ(test, c->leaves[3], 1);
	KUNIT_EXPECT_EQ(test, c->leaves[2], 1);
	/* top, two level-3 tables, one level-2 table */
	KUNIT_EXPECT_EQ(test, c->a.used, 4);
}

/* A 1 GiB page fits in the top table of a 3-level tree: one page in all. */
static void pgtable_top_level_leaf(struct kunit *test)
{
	static const struct ipr_range r[] = {
		{ .iova = SZ_1G, .phys = SZ_1G, .len = SZ_1G, .prot = RW },
	};
	struct ipr_pt_test *c = test->priv;

	ipr_pt_test_round_trip(test, PT, r, ARRAY_SIZE(r), 1,
			       IPR_VTD_SLLPS_1G);
	KUNIT_EXPECT_EQ(test, c->a.used, 1);
}

static void pgtable_empty(struct kunit *test)
{
	struct ipr_pt_test *c = test->priv;

	ipr_pt_test_round_trip(test, PT, NULL, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, c->a.used, 1);
	KUNIT_EXPECT_EQ(test, c->rs.nr, 0);
}

static void pgtable_arena_too_small(struct kunit *test)
{
	struct ipr_pt_test *c = test->priv;
	unsigned int pages;
	u64 top = 0;

	KUNIT_ASSERT_EQ(test, ipr_pgtable_pages(PT, mixed, ARRAY_SIZE(mixed), 1,
						IPR_VTD_SLLPS_2M, &pages), 0);
	c->a.pages = pages - 1;
	KUNIT_EXPECT_EQ(test, ipr_pgtable_build(PT, &c->a, mixed, ARRAY_SIZE(mixed),
						1, IPR_VTD_SLLPS_2M, &top), -ENOSPC);
	KUNIT_EXPECT_EQ(test, top, 0);
}

static void pgtable_ranges_check(struct kunit *test)
{
	static const struct {
		struct ipr_range r[2];
		unsigned int nr;
	} bad[] = {
		{ { { .iova = 0, .phys = 0, .len = 0, .prot = RW } }, 1 },
		{ { { .iova = 0x800, .phys = 0, .len = SZ_4K, .prot = RW } }, 1 },
		{ { { .iova = 0, .phys = 0x10, .len = SZ_4K, .prot = RW } }, 1 },
		{ { { .iova = 0, .phys = 0, .len = 0x1800, .prot = RW } }, 1 },
		{ { { .iova = 0, .phys = 0, .len = SZ_4K, .prot = 0 } }, 1 },
		{ { { .iova = 0, .phys = 0, .len = SZ_4K, .prot = 4 } }, 1 },
		/* beyond 39 bits */
		{ { { .iova = 1ULL << 39, .phys = 0, .len = SZ_4K, .prot = RW } }, 1 },
		{ { { .iova = (1ULL << 39) - SZ_4K, .phys = 0, .len = SZ_8K,
		      .prot = RW } }, 1 },
		/* beyond 52-bit physical addresses */
		{ { { .iova = 0, .phys = 1ULL << 52, .len = SZ_4K, .prot = RW } }, 1 },
		/* unsorted, overlapping */
		{ { { .iova = SZ_8K, .phys = 0, .len = SZ_4K, .prot = RW },
		    { .iova = 0, .phys = 0, .len = SZ_4K, .prot = RW } }, 2 },
		{ { { .iova = 0, .phys = 0, .len = SZ_8K, .prot = RW },
		    { .iova = SZ_4K, .phys = 0, .len = SZ_4K, .prot = RW } }, 2 },
	};
	static const struct ipr_range edge[] = {
		{ .iova = 0, .phys = 0, .len = SZ_4K, .prot = RW },
		{ .iova = SZ_4K, .phys = 0, .len = (1ULL << 39) - SZ_4K,
		  .prot = RO },
	};
	unsigned int i, pages;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, ipr_ranges_check(PT, bad[i].r, bad[i].nr, 1),
				    -EINVAL, "case %u", i);
	KUNIT_EXPECT_EQ(test, ipr_ranges_check(PT, edge, ARRAY_SIZE(edge), 1), 0);
	KUNIT_EXPECT_EQ(test, ipr_ranges_check(PT, edge, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, ipr_ranges_check(PT, edge, 1, IPR_VTD_AGAW_MAX + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ipr_pgtable_pages(PT, bad[0].r, 1, 1, 0, &pages),
			-EINVAL);
}

static void pgtable_root_and_context(struct kunit *test)
{
	struct ipr_ctx ce = ipr_vtd_ctx_encode(0x12345000, 0xabcd, 1), bad;
	u64 top;
	u16 did;
	int agaw;

	KUNIT_EXPECT_EQ(test, ipr_vtd_root_encode(0x89abc000), 0x89abc001ULL);
	KUNIT_EXPECT_EQ(test, ce.lo, 0x12345001ULL);
	KUNIT_EXPECT_EQ(test, ce.hi, 0xabcd01ULL);
	KUNIT_ASSERT_EQ(test, ipr_vtd_ctx_decode(&ce, &top, &did, &agaw), 0);
	KUNIT_EXPECT_EQ(test, top, 0x12345000ULL);
	KUNIT_EXPECT_EQ(test, did, 0xabcd);
	KUNIT_EXPECT_EQ(test, agaw, 1);

	bad = ce;
	bad.lo &= ~IPR_VTD_CTX_PRESENT;
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx_decode(&bad, &top, &did, &agaw), -ENOENT);
	bad = ce;
	bad.lo |= 2ULL << 2;	/* pass-through */
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx_decode(&bad, &top, &did, &agaw),
			-EOPNOTSUPP);
	bad = ce;
	bad.hi = (bad.hi & ~IPR_VTD_CTX_AW) | 4;
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx_decode(&bad, &top, &did, &agaw),
			-EOPNOTSUPP);
	bad = ce;
	bad.hi &= ~IPR_VTD_CTX_AW;
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx_decode(&bad, &top, &did, &agaw),
			-EOPNOTSUPP);
	bad = ce;
	bad.lo |= IPR_VTD_CTX_FPD;
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx_decode(&bad, &top, &did, &agaw), -EINVAL);
	bad = ce;
	bad.lo |= BIT_ULL(5);
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx_decode(&bad, &top, &did, &agaw), -EINVAL);
	bad = ce;
	bad.hi |= BIT_ULL(40);
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx_decode(&bad, &top, &did, &agaw), -EINVAL);
}

/* The VT-d backend's entry and handover-root ops (vtd_pgtable.c). */
static void pgtable_vtd_entry_and_root(struct kunit *test)
{
	static const u8 place[][2] = { { 3, 0x10 }, { 3, 0x11 }, { 5, 0 } };
	struct keepalive_iommu_translation t = {};
	struct ipr_arena a = { .phys = FAKE_PHYS, .pages = 3, .used = 1 };
	unsigned long *sids;
	struct ipr_entry e;
	u64 *root, top;
	unsigned int i;
	u16 did;
	int agaw;

	ipr_vtd_entry_encode(0x12345000, 0xabcd, 1, &e);
	KUNIT_EXPECT_EQ(test, e.w[0], 0x12345001ULL);
	KUNIT_EXPECT_EQ(test, e.w[1], 0xabcd01ULL);
	KUNIT_EXPECT_EQ(test, e.w[2] | e.w[3], 0ULL);
	KUNIT_ASSERT_EQ(test, ipr_vtd_entry_decode(&e, &top, &did, &agaw), 0);
	KUNIT_EXPECT_EQ(test, top, 0x12345000ULL);
	KUNIT_EXPECT_EQ(test, did, 0xabcd);
	KUNIT_EXPECT_EQ(test, agaw, 1);
	ipr_vtd_entry_record(&e, &t);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(t.context_lo), 0x12345001ULL);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(t.context_hi), 0xabcd01ULL);
	e = (struct ipr_entry) {};
	ipr_vtd_entry_parse(&t, &e);
	KUNIT_EXPECT_EQ(test, e.w[0], 0x12345001ULL);
	KUNIT_EXPECT_EQ(test, e.w[1], 0xabcd01ULL);
	e.w[3] = 1;
	KUNIT_EXPECT_EQ(test, ipr_vtd_entry_decode(&e, &top, &did, &agaw),
			-EINVAL);

	/* Two devices on bus 3, one on bus 5: the root and two tables. */
	sids = kunit_kzalloc(test, BITS_TO_LONGS(1 << 16) * sizeof(long),
			     GFP_KERNEL);
	a.va = kunit_kzalloc(test, a.pages * IPR_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sids);
	KUNIT_ASSERT_NOT_NULL(test, a.va);
	for (i = 0; i < ARRAY_SIZE(place); i++)
		__set_bit(place[i][0] << 8 | place[i][1], sids);
	KUNIT_EXPECT_EQ(test, ipr_vtd_root_pages(sids), 3U);
	for (i = 0; i < ARRAY_SIZE(place); i++) {
		ipr_vtd_entry_encode(0x12345000, i + 1, 1, &e);
		KUNIT_ASSERT_EQ(test, ipr_vtd_root_add(&a, place[i][0],
						       place[i][1], &e), 0);
	}
	KUNIT_EXPECT_EQ(test, a.used, 3U);
	root = a.va;
	KUNIT_EXPECT_EQ(test, root[2 * 3], (FAKE_PHYS + IPR_PAGE_SIZE) | 1);
	KUNIT_EXPECT_EQ(test, root[2 * 5], (FAKE_PHYS + 2 * IPR_PAGE_SIZE) | 1);
	KUNIT_EXPECT_EQ(test, root[2 * 3 + 1] | root[2 * 4] | root[2 * 5 + 1],
			0ULL);
	for (i = 0; i < ARRAY_SIZE(place); i++) {
		ipr_vtd_entry_encode(0x12345000, i + 1, 1, &e);
		KUNIT_EXPECT_NULL(test, ipr_vtd_root_check(&a, FAKE_PHYS,
							   place[i][0],
							   place[i][1], &e));
	}
	KUNIT_EXPECT_STREQ(test, ipr_vtd_root_check(&a, FAKE_PHYS, 3, 0x12, &e),
			   "the handover root holds another context entry for it");
	KUNIT_EXPECT_STREQ(test, ipr_vtd_root_check(&a, FAKE_PHYS, 4, 0, &e),
			   "the handover root has no context table for its bus");
	root[2 * 5] = (FAKE_PHYS + 3 * IPR_PAGE_SIZE) | 1;	/* outside */
	KUNIT_EXPECT_STREQ(test, ipr_vtd_root_check(&a, FAKE_PHYS, 5, 0, &e),
			   "the handover root has no context table for its bus");
}

/* Build a 2 MiB range with 4 KiB pages; return the level-2 entry's table. */
static u64 *build_small(struct kunit *test, u64 *top)
{
	static const struct ipr_range r[] = {
		{ .iova = SZ_2M, .phys = SZ_4M, .len = SZ_2M, .prot = RW },
	};
	struct ipr_pt_test *c = test->priv;
	unsigned int pages;

	KUNIT_ASSERT_EQ(test, ipr_pgtable_pages(PT, r, 1, 1, 0, &pages), 0);
	KUNIT_ASSERT_EQ(test, pages, 3);
	KUNIT_ASSERT_EQ(test, ipr_pgtable_build(PT, &c->a, r, 1, 1, 0, top), 0);
	/* top -> level 2 (page 1) -> level 1 (page 2) */
	return c->a.va + IPR_PAGE_SIZE;
}

static void pgtable_walk_refuses_outside(struct kunit *test)
{
	struct ipr_pt_test *c = test->priv;
	u64 top, *l2 = build_small(test, &top);

	KUNIT_ASSERT_EQ(test, ipr_pgtable_walk(PT, top, 1, ipr_pt_test_read, &c->a,
					       ipr_pt_test_leaf, c), 0);
	KUNIT_EXPECT_EQ(test, c->rs.nr, 1);
	/* Point the level-2 entry past the arena. */
	l2[1] = (FAKE_PHYS + ARENA_PAGES * IPR_PAGE_SIZE) | IPR_VTD_PTE_READ;
	KUNIT_EXPECT_EQ(test, ipr_pgtable_walk(PT, top, 1, ipr_pt_test_read, &c->a,
					       ipr_pt_test_leaf, c), -EFAULT);
	KUNIT_EXPECT_EQ(test, ipr_pgtable_walk(PT, top, 0, ipr_pt_test_read, &c->a,
					       ipr_pt_test_leaf, c), -EOPNOTSUPP);
}

static void pgtable_walk_refuses_bad_superpage(struct kunit *test)
{
	struct ipr_pt_test *c = test->priv;
	u64 top, *l2 = build_small(test, &top);
	u64 *l3 = c->a.va;

	/* A 2 MiB page at a 4 KiB-aligned address. */
	l2[1] = (SZ_4M + SZ_4K) | IPR_VTD_PTE_LARGE | IPR_VTD_PTE_READ;
	KUNIT_EXPECT_EQ(test, ipr_pgtable_walk(PT, top, 1, ipr_pt_test_read, &c->a,
					       ipr_pt_test_leaf, c), -EINVAL);
	/* Aligned, it is fine. */
	l2[1] = SZ_4M | IPR_VTD_PTE_LARGE | IPR_VTD_PTE_READ;
	c->rs.nr = 0;
	KUNIT_EXPECT_EQ(test, ipr_pgtable_walk(PT, top, 1, ipr_pt_test_read, &c->a,
					       ipr_pt_test_leaf, c), 0);
	KUNIT_EXPECT_EQ(test, c->rs.nr, 1);
	KUNIT_EXPECT_EQ(test, c->rs.r[0].prot, RO);
	/* No superpage at level 4 of a 4-level tree. */
	l3[0] = 0 | IPR_VTD_PTE_LARGE | IPR_VTD_PTE_READ;
	KUNIT_EXPECT_EQ(test, ipr_pgtable_walk(PT, top, 2, ipr_pt_test_read, &c->a,
					       ipr_pt_test_leaf, c), -EINVAL);
}

static void pgtable_ranges_add(struct kunit *test)
{
	struct ipr_range r[2];
	struct ipr_ranges rs = { .r = r, .max = ARRAY_SIZE(r) };

	KUNIT_EXPECT_EQ(test, ipr_ranges_add(&rs, 0, SZ_1M, SZ_4K, RW), 0);
	KUNIT_EXPECT_EQ(test, ipr_ranges_add(&rs, SZ_4K, SZ_1M + SZ_4K, SZ_4K,
					     RW), 0);
	KUNIT_EXPECT_EQ(test, rs.nr, 1);
	KUNIT_EXPECT_EQ(test, r[0].len, SZ_8K);
	/* Contiguous IOVA, not physically: a new range. */
	KUNIT_EXPECT_EQ(test, ipr_ranges_add(&rs, SZ_8K, 0, SZ_4K, RW), 0);
	KUNIT_EXPECT_EQ(test, rs.nr, 2);
	/* Contiguous both ways but another access: full. */
	KUNIT_EXPECT_EQ(test, ipr_ranges_add(&rs, SZ_8K + SZ_4K, SZ_4K, SZ_4K,
					     RO), -E2BIG);
	KUNIT_EXPECT_FALSE(test, ipr_ranges_equal(r, 2, r, 1));
	KUNIT_EXPECT_TRUE(test, ipr_ranges_equal(r, 2, r, 2));
}

static struct kunit_case keepalive_iommu_pgtable_cases[] = {
	KUNIT_CASE(pgtable_root_and_context),
	KUNIT_CASE(pgtable_vtd_entry_and_root),
	KUNIT_CASE(pgtable_ranges_check),
	KUNIT_CASE(pgtable_round_trip_superpages),
	KUNIT_CASE(pgtable_round_trip_4k_only),
	KUNIT_CASE(pgtable_round_trip_4level),
	KUNIT_CASE(pgtable_top_level_leaf),
	KUNIT_CASE(pgtable_empty),
	KUNIT_CASE(pgtable_arena_too_small),
	KUNIT_CASE(pgtable_walk_refuses_outside),
	KUNIT_CASE(pgtable_walk_refuses_bad_superpage),
	KUNIT_CASE(pgtable_ranges_add),
	{}
};

static struct kunit_suite keepalive_iommu_pgtable_suite = {
	.name = "keepalive_iommu_pgtable",
	.init = ipr_pt_test_init,
	.test_cases = keepalive_iommu_pgtable_cases,
};

kunit_test_suite(keepalive_iommu_pgtable_suite);
