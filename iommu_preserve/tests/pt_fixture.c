// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page-table suites' shared fixture (see pt_fixture.h).
 */
#include <linux/gfp.h>
#include <linux/sizes.h>

#include "pt_fixture.h"

/**
 * ipr_pt_test_init() - the suites' .init: a zeroed arena in test->priv
 * @test: the test case
 *
 * Context: KUnit test context; may sleep.
 * Return: 0 (an allocation failure fails the test).
 */
int ipr_pt_test_init(struct kunit *test)
{
	struct ipr_pt_test *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->a.va = kunit_kzalloc(test, IPR_PT_TEST_PAGES * IPR_PAGE_SIZE,
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->a.va);
	c->a.phys = IPR_PT_TEST_PHYS;
	c->a.pages = IPR_PT_TEST_PAGES;
	c->rs = (struct ipr_ranges) { .r = c->got, .max = ARRAY_SIZE(c->got) };
	test->priv = c;
	return 0;
}

/**
 * ipr_pt_test_read() - the walker's table reader over an arena
 * @ctx:   the struct ipr_arena
 * @phys:  the table's made-up physical address
 * @table: its memory, when it is in the arena's used part
 *
 * Context: any.
 * Return: whether @phys is in a page the arena has handed out.
 */
bool ipr_pt_test_read(void *ctx, u64 phys, const u64 **table)
{
	struct ipr_arena *a = ctx;

	if (phys < a->phys || phys >= a->phys + (u64)a->used * IPR_PAGE_SIZE)
		return false;
	*table = a->va + (phys - a->phys);
	return true;
}

/**
 * ipr_pt_test_leaf() - the walker's leaf visitor: count and collect
 * @ctx:  the struct ipr_pt_test
 * @iova: the leaf's input address
 * @phys: where it translates to
 * @size: its page size
 * @prot: its KEEPALIVE_IOMMU_PROT_* access
 *
 * Context: any.
 * Return: 0, or -ENOSPC when the collector is full.
 */
int ipr_pt_test_leaf(void *ctx, u64 iova, u64 phys, u64 size, u32 prot)
{
	struct ipr_pt_test *c = ctx;

	c->leaves[size == SZ_1G ? 3 : size == SZ_2M ? 2 : 1]++;
	return ipr_ranges_add(&c->rs, iova, phys, size, prot);
}

/**
 * ipr_pt_test_round_trip() - build @r in format @f, walk it back, compare
 * @test:   the test case, with ipr_pt_test_init() run
 * @f:      the page-table format
 * @r:      the ranges
 * @nr:     how many
 * @aw:     the format's depth argument (VT-d AGAW, AMD-Vi paging mode)
 * @sizes:  the large pages it may use (the format's own bits)
 *
 * The build must use exactly the pages ipr_pgtable_pages() counted, with
 * the top table first, and the walk must find @r again, merged.
 *
 * Context: KUnit test context.
 */
void ipr_pt_test_round_trip(struct kunit *test, const struct ipr_pt_format *f,
			    const struct ipr_range *r, unsigned int nr,
			    int aw, u32 sizes)
{
	struct ipr_pt_test *c = test->priv;
	unsigned int pages;
	u64 top;

	KUNIT_ASSERT_EQ(test, ipr_pgtable_pages(f, r, nr, aw, sizes, &pages),
			0);
	KUNIT_ASSERT_LE(test, pages, IPR_PT_TEST_PAGES);
	c->a.pages = pages;
	KUNIT_ASSERT_EQ(test, ipr_pgtable_build(f, &c->a, r, nr, aw, sizes,
						&top), 0);
	KUNIT_EXPECT_EQ(test, c->a.used, pages);
	KUNIT_EXPECT_EQ(test, top, IPR_PT_TEST_PHYS);
	KUNIT_ASSERT_EQ(test, ipr_pgtable_walk(f, top, aw, ipr_pt_test_read,
					       &c->a, ipr_pt_test_leaf, c), 0);
	KUNIT_EXPECT_TRUE(test, ipr_ranges_equal(c->rs.r, c->rs.nr, r, nr));
}
