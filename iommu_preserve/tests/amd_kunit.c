// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the AMD-Vi formats of iommu_preserve/ (amd_pgtable.c),
 * on plain memory with made-up physical addresses, through the same
 * builder and walker (pgtable.c) the backend uses.
 *
 * Covered: v1 page-table entries (a table entry's NextLevel and
 * permissions, a leaf at levels 1 to 3, the refusals: a skipped level, a
 * table at level 1, a misaligned or too high leaf, a NextLevel 7 size out
 * of its level's range), the driver's repeated NextLevel 7 pages read slot
 * by slot; a build and walk round trip at 3, 4 and 6 levels with 2 MiB
 * and 1 GiB pages; the device table entry encoding bit by bit and every
 * reason it is refused; the record's translation; the handover device
 * table (its size, every other entry blocked, what its check refuses).
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/sizes.h>

#include "../amd_pgtable.h"
#include "pt_fixture.h"

#define ARENA_PAGES	IPR_PT_TEST_PAGES
#define FAKE_PHYS	IPR_PT_TEST_PHYS
#define RW		(KEEPALIVE_IOMMU_PROT_READ | KEEPALIVE_IOMMU_PROT_WRITE)
#define RO		KEEPALIVE_IOMMU_PROT_READ
#define PT		(&ipr_amd_pt)
#define LP		(IPR_AMD_LP_2M | IPR_AMD_LP_1G)

static void amd_pte_encodings(struct kunit *test)
{
	u64 addr;
	u32 prot;

	/* A table entry names the level below, readable and writable. */
	KUNIT_EXPECT_EQ(test, PT->table_encode(0x12345000, 3),
			0x12345000ULL | 2 << 9 | BIT_ULL(0) | BIT_ULL(61) |
			BIT_ULL(62));
	KUNIT_EXPECT_EQ(test, PT->pte_decode(PT->table_encode(0x12345000, 3), 3,
					     0, &addr, &prot), IPR_PTE_TABLE);
	KUNIT_EXPECT_EQ(test, addr, 0x12345000ULL);
	/* A leaf: NextLevel 0, force coherent, its access only. */
	KUNIT_EXPECT_EQ(test, PT->leaf_encode(SZ_2M, 2, RO),
			(u64)SZ_2M | BIT_ULL(0) | BIT_ULL(60) | BIT_ULL(61));
	KUNIT_EXPECT_EQ(test, PT->pte_decode(PT->leaf_encode(SZ_1G, 3, RW), 3,
					     SZ_1G, &addr, &prot), IPR_PTE_LEAF);
	KUNIT_EXPECT_EQ(test, addr, (u64)SZ_1G);
	KUNIT_EXPECT_EQ(test, prot, RW);
	/* Not present. */
	KUNIT_EXPECT_EQ(test, PT->pte_decode(SZ_1G | BIT_ULL(61), 3, 0, &addr,
					     &prot), IPR_PTE_NONE);
	/* Refused: a skipped level, a table at level 1, a misaligned leaf,
	 * a leaf above 1 GiB.
	 */
	KUNIT_EXPECT_EQ(test, PT->pte_decode((PT->table_encode(0x5000, 3) &
					      ~(7ULL << 9)) | 1ULL << 9, 3, 0,
					     &addr, &prot), -EINVAL);
	KUNIT_EXPECT_EQ(test, PT->pte_decode(0x5000 | 1ULL << 9 | 1, 1, 0,
					     &addr, &prot), -EINVAL);
	KUNIT_EXPECT_EQ(test, PT->pte_decode(PT->leaf_encode(SZ_1M, 2, RW), 2,
					     0, &addr, &prot), -EINVAL);
	KUNIT_EXPECT_EQ(test, PT->pte_decode(PT->leaf_encode(0, 4, RW), 4, 0,
					     &addr, &prot), -EINVAL);
	KUNIT_EXPECT_TRUE(test, PT->leaf_ok(2, IPR_AMD_LP_2M));
	KUNIT_EXPECT_FALSE(test, PT->leaf_ok(3, IPR_AMD_LP_2M));
	KUNIT_EXPECT_FALSE(test, PT->leaf_ok(4, LP));
}

/* The driver's 64 KiB page: 16 level-1 slots, each NextLevel 7. */
static void amd_pte_repeated_page(struct kunit *test)
{
	u64 base = 0x40000000, pte, addr;
	u32 prot;
	int i;

	/* PAGE_SIZE_PTE(): the bits below the size's top bit set, 0 there. */
	pte = (base | (SZ_64K - 1) >> 1) & ~((u64)SZ_64K >> 1);
	pte = (pte & ~0xfffULL) | 7ULL << 9 | BIT_ULL(0) | BIT_ULL(61);
	for (i = 0; i < 16; i++) {
		KUNIT_ASSERT_EQ(test, PT->pte_decode(pte, 1, 0x10000 + i * SZ_4K,
						     &addr, &prot), IPR_PTE_LEAF);
		KUNIT_EXPECT_EQ(test, addr, base + i * SZ_4K);
		KUNIT_EXPECT_EQ(test, prot, RO);
	}
	/* An 8 KiB page is not a level-2 one, a 2 MiB one not a level-1. */
	KUNIT_EXPECT_EQ(test, PT->pte_decode(base | 7ULL << 9 | 1, 2, 0, &addr,
					     &prot), -EINVAL);
	pte = (base | (SZ_2M - 1) >> 1) & ~((u64)SZ_2M >> 1);
	KUNIT_EXPECT_EQ(test, PT->pte_decode((pte & ~0xfffULL) | 7ULL << 9 | 1,
					     1, 0, &addr, &prot), -EINVAL);
}

static const struct ipr_range mixed[] = {
	{ .iova = 0x1000, .phys = 0x5000, .len = 0x3000, .prot = RO },
	{ .iova = SZ_2M, .phys = SZ_1G, .len = SZ_4M, .prot = RW },
	{ .iova = SZ_1G, .phys = 2ULL * SZ_1G, .len = SZ_1G + SZ_8K, .prot = RW },
};

static void amd_round_trip(struct kunit *test)
{
	struct ipr_pt_test *c = test->priv;

	ipr_pt_test_round_trip(test, PT, mixed, ARRAY_SIZE(mixed), 3, LP);
	KUNIT_EXPECT_EQ(test, c->leaves[3], 1);
	KUNIT_EXPECT_EQ(test, c->leaves[2], 2);
	KUNIT_EXPECT_EQ(test, c->leaves[1], 3 + 2);
}

static void amd_round_trip_6level(struct kunit *test)
{
	static const struct ipr_range high[] = {
		{ .iova = 1ULL << 56, .phys = SZ_1G, .len = SZ_2M, .prot = RW },
	};

	ipr_pt_test_round_trip(test, PT, high, ARRAY_SIZE(high), 6, LP);
	/* Beyond 4 levels' 48 bits: refused there. */
	KUNIT_EXPECT_EQ(test, ipr_ranges_check(PT, high, 1, 4), -EINVAL);
}

static void amd_dte(struct kunit *test)
{
	struct ipr_entry e, bad;
	u64 top;
	u16 did;
	int mode;

	ipr_amd_entry_encode(0x12345000, 0xabcd, 4, &e);
	KUNIT_EXPECT_EQ(test, e.w[0], 0x12345000ULL | 4 << 9 | 3 |
			BIT_ULL(61) | BIT_ULL(62));
	KUNIT_EXPECT_EQ(test, e.w[1], 0xabcdULL);
	KUNIT_EXPECT_EQ(test, e.w[2] | e.w[3], 0ULL);
	KUNIT_ASSERT_EQ(test, ipr_amd_entry_decode(&e, &top, &did, &mode), 0);
	KUNIT_EXPECT_EQ(test, top, 0x12345000ULL);
	KUNIT_EXPECT_EQ(test, did, 0xabcd);
	KUNIT_EXPECT_EQ(test, mode, 4);
	/* Quadword 2 is the interrupt side's: not looked at. */
	bad = e;
	bad.w[2] = 0x123456789ULL;
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode), 0);
	/* Every refusal. */
	bad = e;
	bad.w[0] &= ~IPR_AMD_DTE_V;
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode), -ENOENT);
	bad = e;
	bad.w[0] &= ~IPR_AMD_DTE_TV;
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode),
			-EOPNOTSUPP);
	bad = e;
	bad.w[0] &= ~IPR_AMD_DTE_MODE;
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode),
			-EOPNOTSUPP);
	bad.w[0] |= FIELD_PREP(IPR_AMD_DTE_MODE, 7);
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode),
			-EOPNOTSUPP);
	bad = e;
	bad.w[0] &= ~IPR_AMD_DTE_IW;
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode), -EINVAL);
	bad = e;
	bad.w[0] |= BIT_ULL(55);	/* guest translation */
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode), -EINVAL);
	bad = e;
	bad.w[1] |= BIT_ULL(32);	/* ATS */
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode), -EINVAL);
	bad = e;
	bad.w[3] = 1;
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode), -EINVAL);
	/* A blocked entry: valid, no translation. */
	ipr_amd_dte_blocked(&bad);
	KUNIT_EXPECT_EQ(test, ipr_amd_entry_decode(&bad, &top, &did, &mode),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, bad.w[2], IPR_AMD_DTE_IV);
}

static void amd_translation_record(struct kunit *test)
{
	struct keepalive_iommu_amdvi_translation t = {};
	struct ipr_entry e, back;

	ipr_amd_entry_encode(0x12345000, 7, 3, &e);
	e.w[2] = 0xdead0001;	/* live interrupts: never recorded */
	ipr_amd_entry_record(&e, &t);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(t.dte[0]), e.w[0]);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(t.dte[1]), 7ULL);
	KUNIT_EXPECT_EQ(test, t.dte[2], 0ULL);
	ipr_amd_entry_parse(&t, &back);
	KUNIT_EXPECT_EQ(test, back.w[0], e.w[0]);
	KUNIT_EXPECT_EQ(test, back.w[2], 0ULL);
}

static void amd_handover_table(struct kunit *test)
{
	struct ipr_arena a = { .phys = FAKE_PHYS, .pages = IPR_AMD_DT_PAGES };
	struct ipr_entry e, got, blocked;
	unsigned int i, other = 0;

	KUNIT_EXPECT_EQ(test, ipr_amd_root_pages(NULL), 512U);
	a.va = kunit_kzalloc(test, a.pages * IPR_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a.va);
	ipr_amd_root_init(&a);
	KUNIT_EXPECT_EQ(test, a.used, a.pages);
	ipr_amd_entry_encode(0x12345000, 9, 3, &e);
	KUNIT_ASSERT_EQ(test, ipr_amd_root_add(&a, 0, 0x20, &e), 0);
	/* Every other device id is blocked, interrupts aborted. */
	ipr_amd_dte_blocked(&blocked);
	for (i = 0; i < IPR_AMD_DT_ENTRIES; i++) {
		const struct ipr_entry *dt = a.va;

		if (i != 0x20 && memcmp(&dt[i], &blocked, sizeof(blocked)))
			other++;
	}
	KUNIT_EXPECT_EQ(test, other, 0U);
	KUNIT_EXPECT_NULL(test, ipr_amd_root_check(&a, FAKE_PHYS, 0, 0x20, &e));
	KUNIT_ASSERT_EQ(test, ipr_amd_root_read(&a, FAKE_PHYS, 0, 0x20, &got), 0);
	KUNIT_EXPECT_EQ(test, got.w[0], e.w[0]);
	/* A live interrupt word, copied at the kexec, is not compared. */
	((struct ipr_entry *)a.va)[0x20].w[2] = 0x30000001ULL;
	KUNIT_EXPECT_NULL(test, ipr_amd_root_check(&a, FAKE_PHYS, 0, 0x20, &e));
	/* Refused: another device's place, another entry, a root elsewhere,
	 * a table smaller than every device id.
	 */
	KUNIT_EXPECT_NOT_NULL(test, ipr_amd_root_check(&a, FAKE_PHYS, 0, 0x21, &e));
	ipr_amd_entry_encode(0x12345000, 10, 3, &got);
	KUNIT_EXPECT_NOT_NULL(test, ipr_amd_root_check(&a, FAKE_PHYS, 0, 0x20,
						       &got));
	KUNIT_EXPECT_NOT_NULL(test, ipr_amd_root_check(&a, FAKE_PHYS + SZ_4K, 0,
						       0x20, &e));
	a.pages--;
	KUNIT_EXPECT_NOT_NULL(test, ipr_amd_root_check(&a, FAKE_PHYS, 0, 0x20, &e));
}

static struct kunit_case keepalive_iommu_amd_cases[] = {
	KUNIT_CASE(amd_pte_encodings),
	KUNIT_CASE(amd_pte_repeated_page),
	KUNIT_CASE(amd_round_trip),
	KUNIT_CASE(amd_round_trip_6level),
	KUNIT_CASE(amd_dte),
	KUNIT_CASE(amd_translation_record),
	KUNIT_CASE(amd_handover_table),
	{}
};

static struct kunit_suite keepalive_iommu_amd_suite = {
	.name = "keepalive_iommu_amd",
	.init = ipr_pt_test_init,
	.test_cases = keepalive_iommu_amd_cases,
};

kunit_test_suite(keepalive_iommu_amd_suite);
