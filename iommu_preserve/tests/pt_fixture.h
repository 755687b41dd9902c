/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the page-table KUnit suites share (pgtable_kunit.c in the
 * VT-d format, amd_kunit.c in the AMD-Vi v1 format): an arena of plain
 * memory that pretends to sit at IPR_PT_TEST_PHYS, a walker callback that
 * reads only the part of it a build used, and a leaf callback that
 * collects what a walk finds, counted by page size.
 */
#ifndef _IPR_TESTS_PT_FIXTURE_H
#define _IPR_TESTS_PT_FIXTURE_H

#include <kunit/test.h>

#include "../pgtable.h"

#define IPR_PT_TEST_PAGES	64
#define IPR_PT_TEST_PHYS	0x7f000000ULL	/* where the arena "is" */

/**
 * struct ipr_pt_test - a test's arena and what a walk of it found
 * @a:      the arena: IPR_PT_TEST_PAGES pages at IPR_PT_TEST_PHYS
 * @got:    the ranges the walk collected, merged
 * @rs:     the collector over @got
 * @leaves: the leaves the walk visited, by level (1: 4 KiB, 2: 2 MiB,
 *          3: 1 GiB)
 */
struct ipr_pt_test {
	struct ipr_arena a;
	struct ipr_range got[32];
	struct ipr_ranges rs;
	unsigned int leaves[4];
};

int ipr_pt_test_init(struct kunit *test);
bool ipr_pt_test_read(void *ctx, u64 phys, const u64 **table);
int ipr_pt_test_leaf(void *ctx, u64 iova, u64 phys, u64 size, u32 prot);
void ipr_pt_test_round_trip(struct kunit *test, const struct ipr_pt_format *f,
			    const struct ipr_range *r, unsigned int nr,
			    int aw, u32 sizes);

#endif /* _IPR_TESTS_PT_FIXTURE_H */
