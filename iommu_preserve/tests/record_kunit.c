// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the next kernel's check of a handed-over device's
 * translation (ipr_dev_check(), iommu_preserve/record.c), on plain memory
 * with made-up physical addresses.
 *
 * Each case starts from a valid record: a unit whose handover root has a
 * context table for the device's bus holding its entry, and the device's
 * own tables mapping its two recorded ranges. The valid record passes;
 * each case then damages one thing and expects the exact reason the
 * device is refused: an entry of another type, a domain id that is 0,
 * out of range or disagrees with the entry, an address width the unit
 * does not support, no context table for the bus or one outside the
 * unit's tables, another entry in the root, malformed ranges, tables that
 * map more or less than the record, a top table or a table pointer outside
 * the device's own range, memory that is not a preserved file.
 */
#include <kunit/test.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/sizes.h>

#include "../ipr.h"

#define UNIT_PHYS	0x10000000ULL	/* root, then the bus's context table */
#define DEV_PHYS	0x20000000ULL	/* the device's tables */
#define DEV_PAGES	8
#define BUS		3
#define DEVFN		0x10
#define DID		5
/* 256 domain ids (ND = 2), 3-level tables only (SAGAW bit 1). */
#define CAP		((u64)BIT(1) << 8 | 2)
#define RW		(KEEPALIVE_IOMMU_PROT_READ | KEEPALIVE_IOMMU_PROT_WRITE)

struct rc {
	struct ipr_unit u;
	struct ipr_dev d;
	struct ipr_ctx ce;
	struct ipr_range r[2];
	u64 *root;
	struct ipr_ctx *ctx;
	u64 top;
};

static bool backs_all(phys_addr_t phys, u64 len)
{
	return phys >= 0x40000000 && phys + len <= 0x60000000;
}

static bool backs_none(phys_addr_t phys, u64 len)
{
	return false;
}

static int rc_init(struct kunit *test)
{
	static const struct ipr_range r[2] = {
		{ .iova = SZ_1M, .phys = 0x40000000, .len = SZ_2M, .prot = RW },
		{ .iova = SZ_4M, .phys = 0x50001000, .len = SZ_8K,
		  .prot = KEEPALIVE_IOMMU_PROT_READ },
	};
	struct rc *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int pages;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->u.tables.va = kunit_kzalloc(test, 2 * IPR_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->u.tables.va);
	c->u.tables.phys = UNIT_PHYS;
	c->u.tables.pages = 2;
	c->u.tables.used = 2;
	c->u.root = UNIT_PHYS;
	c->u.cap = CAP;

	c->d.tables.va = kunit_kzalloc(test, DEV_PAGES * IPR_PAGE_SIZE,
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->d.tables.va);
	c->d.tables.phys = DEV_PHYS;
	KUNIT_ASSERT_EQ(test, ipr_pgtable_pages(r, 2, 1, IPR_SLLPS_2M, &pages),
			0);
	KUNIT_ASSERT_LE(test, pages, DEV_PAGES);
	c->d.tables.pages = pages;
	KUNIT_ASSERT_EQ(test, ipr_pgtable_build(&c->d.tables, r, 2, 1,
						IPR_SLLPS_2M, &c->top), 0);
	c->d.unit = &c->u;
	c->d.bus = BUS;
	c->d.devfn = DEVFN;
	memcpy(c->r, r, sizeof(r));
	c->d.ranges = (struct ipr_ranges) { .r = c->r, .nr = 2, .max = 2 };

	c->ce = ipr_ctx_encode(c->top, DID, 1);
	c->root = c->u.tables.va;
	c->ctx = c->u.tables.va + IPR_PAGE_SIZE;
	c->root[2 * BUS] = ipr_root_encode(UNIT_PHYS + IPR_PAGE_SIZE);
	c->ctx[DEVFN] = c->ce;
	test->priv = c;
	return 0;
}

static const char *check(struct rc *c, u32 did, ipr_backs_fn backs)
{
	return ipr_dev_check(&c->d, &c->ce, did, backs);
}

/* Record and root both carry @ce. */
static void set_entry(struct rc *c, struct ipr_ctx ce)
{
	c->ce = ce;
	c->ctx[DEVFN] = ce;
}

static void record_valid(struct kunit *test)
{
	struct rc *c = test->priv;

	KUNIT_EXPECT_NULL(test, check(c, DID, backs_all));
	KUNIT_EXPECT_EQ(test, c->d.top, c->top);
	KUNIT_EXPECT_EQ(test, c->d.agaw, 1);
}

static void record_bad_entry(struct kunit *test)
{
	static const char why[] = "its context entry is not one this kernel adopts";
	struct rc *c = test->priv;
	struct ipr_ctx ce = c->ce;

	ce.lo &= ~IPR_CTX_PRESENT;
	set_entry(c, ce);
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	ce = ipr_ctx_encode(c->top, DID, 1);
	ce.lo |= 2ULL << 2;	/* pass-through: no tables to check */
	set_entry(c, ce);
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
}

static void record_bad_domain_id(struct kunit *test)
{
	static const char why[] =
		"its domain id is out of range or disagrees with its context entry";
	struct rc *c = test->priv;

	KUNIT_EXPECT_STREQ(test, check(c, DID + 1, backs_all), why);
	set_entry(c, ipr_ctx_encode(c->top, 0, 1));
	KUNIT_EXPECT_STREQ(test, check(c, 0, backs_all), why);
	set_entry(c, ipr_ctx_encode(c->top, 256, 1));
	KUNIT_EXPECT_STREQ(test, check(c, 256, backs_all), why);
	set_entry(c, ipr_ctx_encode(c->top, 255, 1));
	KUNIT_EXPECT_NULL(test, check(c, 255, backs_all));
}

static void record_bad_width(struct kunit *test)
{
	struct rc *c = test->priv;

	c->u.cap = (u64)BIT(2) << 8 | 2;	/* 4-level tables only */
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all),
			   "its address width is not supported by the unit");
}

static void record_bad_root(struct kunit *test)
{
	static const char why[] = "the handover root has no context table for its bus";
	struct rc *c = test->priv;

	c->root[2 * BUS] = 0;
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* A context table outside the unit's tables: never read. */
	c->root[2 * BUS] = ipr_root_encode(DEV_PHYS);
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* The table of another bus. */
	c->root[2 * BUS] = 0;
	c->root[2 * (BUS + 1)] = ipr_root_encode(UNIT_PHYS + IPR_PAGE_SIZE);
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
}

static void record_other_entry_in_root(struct kunit *test)
{
	struct rc *c = test->priv;

	c->ctx[DEVFN].hi ^= 1ULL << 8;	/* another domain id */
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all),
			   "the handover root holds another context entry for it");
	c->ctx[DEVFN] = c->ce;
	c->ctx[DEVFN + 1] = c->ce;
	c->ctx[DEVFN] = (struct ipr_ctx) {};	/* at the next devfn only */
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all),
			   "the handover root holds another context entry for it");
}

static void record_bad_ranges(struct kunit *test)
{
	struct rc *c = test->priv;

	c->r[1].iova = SZ_1M + SZ_4K;	/* overlaps the first */
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all),
			   "its IOVA ranges are malformed");
	c->r[1].iova = SZ_4M;
	c->r[1].prot = 0;
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all),
			   "its IOVA ranges are malformed");
}

static void record_tables_disagree(struct kunit *test)
{
	static const char why[] =
		"its tables do not map exactly its IOVA ranges from its own range";
	struct rc *c = test->priv;

	/* The tables map a range the record does not have. */
	c->d.ranges.nr = 1;
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* The record has less of a range than the tables map. */
	c->d.ranges.nr = 2;
	c->r[0].len = SZ_1M;
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* Same sizes, another physical address. */
	c->r[0].len = SZ_2M;
	c->r[0].phys += SZ_2M;
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* Same mapping, other access. */
	c->r[0].phys -= SZ_2M;
	c->r[0].prot = KEEPALIVE_IOMMU_PROT_READ;
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
}

static void record_tables_outside(struct kunit *test)
{
	static const char why[] =
		"its tables do not map exactly its IOVA ranges from its own range";
	struct rc *c = test->priv;
	u64 *top = c->d.tables.va + (c->top - DEV_PHYS);

	/* The top table in the unit's range, not the device's. */
	set_entry(c, ipr_ctx_encode(UNIT_PHYS, DID, 1));
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* A table pointer into the unit's range. */
	set_entry(c, ipr_ctx_encode(c->top, DID, 1));
	top[0] = UNIT_PHYS | IPR_PTE_READ | IPR_PTE_WRITE;
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
}

static void record_not_preserved(struct kunit *test)
{
	struct rc *c = test->priv;

	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_none),
			   "a range is not inside a preserved memory file");
}

static struct kunit_case keepalive_iommu_record_cases[] = {
	KUNIT_CASE(record_valid),
	KUNIT_CASE(record_bad_entry),
	KUNIT_CASE(record_bad_domain_id),
	KUNIT_CASE(record_bad_width),
	KUNIT_CASE(record_bad_root),
	KUNIT_CASE(record_other_entry_in_root),
	KUNIT_CASE(record_bad_ranges),
	KUNIT_CASE(record_tables_disagree),
	KUNIT_CASE(record_tables_outside),
	KUNIT_CASE(record_not_preserved),
	{}
};

static struct kunit_suite keepalive_iommu_record_suite = {
	.name = "keepalive_iommu_records",
	.init = rc_init,
	.test_cases = keepalive_iommu_record_cases,
};

kunit_test_suite(keepalive_iommu_record_suite);
