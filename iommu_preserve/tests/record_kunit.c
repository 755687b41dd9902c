// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of a kept device's handover record (iommu_preserve/record.c,
 * abi/iommu.h), on plain memory with made-up physical addresses.
 *
 * The first suite tests the next kernel's check of a handed-over device's
 * translation (ipr_dev_check()).
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
 *
 * The second suite writes a device's record into a small image with the
 * real writer (ipr_record_write_dev()) and reads it back with the real
 * parser (ipr_record_parse_dev()): the record reads back field for field,
 * takes at most 128 bytes of the image (124 for "pci@18"), and the parser
 * refuses a "translation" of another size or with its reserved field set,
 * a unit index beyond INT_MAX, and any name but the canonical "pci@<sbdf>";
 * the writer refuses a second record of the same device.
 */
#include <kunit/test.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/libfdt.h>
#include <linux/sizes.h>

#include "../ipr.h"
#include "../vtd_pgtable.h"

#define UNIT_PHYS	0x10000000ULL	/* root, then the bus's context table */
#define DEV_PHYS	0x20000000ULL	/* the device's tables */
#define DEV_PAGES	8
#define BUS		3
#define DEVFN		0x10
#define DID		5
/* 256 domain ids (ND = 2), 3-level tables only (SAGAW bit 1). */
#define CAP		((u64)BIT(1) << 8 | 2)
#define RW		(KEEPALIVE_IOMMU_PROT_READ | KEEPALIVE_IOMMU_PROT_WRITE)
#define PT		(&ipr_vtd_pt)	/* the format under test */

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
	KUNIT_ASSERT_EQ(test, ipr_pgtable_pages(PT, r, 2, 1, IPR_VTD_SLLPS_2M, &pages),
			0);
	KUNIT_ASSERT_LE(test, pages, DEV_PAGES);
	c->d.tables.pages = pages;
	KUNIT_ASSERT_EQ(test, ipr_pgtable_build(PT, &c->d.tables, r, 2, 1,
						IPR_VTD_SLLPS_2M, &c->top), 0);
	c->d.unit = &c->u;
	c->d.bus = BUS;
	c->d.devfn = DEVFN;
	memcpy(c->r, r, sizeof(r));
	c->d.ranges = (struct ipr_ranges) { .r = c->r, .nr = 2, .max = 2 };

	c->ce = ipr_vtd_ctx_encode(c->top, DID, 1);
	c->root = c->u.tables.va;
	c->ctx = c->u.tables.va + IPR_PAGE_SIZE;
	c->root[2 * BUS] = ipr_vtd_root_encode(UNIT_PHYS + IPR_PAGE_SIZE);
	c->ctx[DEVFN] = c->ce;
	test->priv = c;
	return 0;
}

static const char *check(struct rc *c, u32 did, ipr_backs_fn backs)
{
	struct ipr_entry e = ipr_vtd_entry(c->ce);

	return ipr_dev_check(&c->d, &e, did, backs);
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

	ce.lo &= ~IPR_VTD_CTX_PRESENT;
	set_entry(c, ce);
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	ce = ipr_vtd_ctx_encode(c->top, DID, 1);
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
	set_entry(c, ipr_vtd_ctx_encode(c->top, 0, 1));
	KUNIT_EXPECT_STREQ(test, check(c, 0, backs_all), why);
	set_entry(c, ipr_vtd_ctx_encode(c->top, 256, 1));
	KUNIT_EXPECT_STREQ(test, check(c, 256, backs_all), why);
	set_entry(c, ipr_vtd_ctx_encode(c->top, 255, 1));
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
	c->root[2 * BUS] = ipr_vtd_root_encode(DEV_PHYS);
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* The table of another bus. */
	c->root[2 * BUS] = 0;
	c->root[2 * (BUS + 1)] = ipr_vtd_root_encode(UNIT_PHYS + IPR_PAGE_SIZE);
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
	set_entry(c, ipr_vtd_ctx_encode(UNIT_PHYS, DID, 1));
	KUNIT_EXPECT_STREQ(test, check(c, DID, backs_all), why);
	/* A table pointer into the unit's range. */
	set_entry(c, ipr_vtd_ctx_encode(c->top, DID, 1));
	top[0] = UNIT_PHYS | IPR_VTD_PTE_READ | IPR_VTD_PTE_WRITE;
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

/*
 * These records are VT-d's: the backend in use is VT-d's while the suites
 * run, whichever IOMMU the machine has (AMD-Vi's are amd_kunit.c's).
 */
static const struct ipr_backend *saved_be;

static int vtd_suite_init(struct kunit_suite *suite)
{
	saved_be = ipr_be;
	ipr_backend_use(&ipr_vtd_backend);
	return 0;
}

static void vtd_suite_exit(struct kunit_suite *suite)
{
	ipr_backend_use(saved_be);
}

static struct kunit_suite keepalive_iommu_record_suite = {
	.name = "keepalive_iommu_records",
	.suite_init = vtd_suite_init,
	.suite_exit = vtd_suite_exit,
	.init = rc_init,
	.test_cases = keepalive_iommu_record_cases,
};

#define FDT_SIZE	4096
#define FDT_UNIT	7
#define FDT_TOP		0x20003000ULL

/* An image with the participant's node, and a held device to write in it. */
struct rf {
	void *fdt;
	int node;
	struct ipr_unit u;
	struct ipr_dev d;
	struct ipr_range r;
};

static int rf_init(struct kunit *test)
{
	struct rf *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->fdt = kunit_kzalloc(test, FDT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->fdt);
	KUNIT_ASSERT_EQ(test, fdt_create_empty_tree(f->fdt, FDT_SIZE), 0);
	f->node = fdt_add_subnode(f->fdt, 0, KEEPALIVE_IOMMU_NODE);
	KUNIT_ASSERT_GE(test, f->node, 0);

	f->u.index = FDT_UNIT;
	f->r = (struct ipr_range) {
		.iova = SZ_1M, .phys = 0x40000000, .len = SZ_2M, .prot = RW,
	};
	/* 0000:00:03.0, whose record is "pci@18". */
	f->d = (struct ipr_dev) {
		.unit = &f->u, .segment = 0, .bus = 0, .devfn = 0x18,
		.ranges = { .r = &f->r, .nr = 1, .max = 1 },
		.tables = { .phys = DEV_PHYS, .pages = 3 },
		.top = FDT_TOP, .agaw = 1, .did = DID, .held = true,
	};
	test->priv = f;
	return 0;
}

/* Write the device's record; its node's offset. */
static int rf_write(struct kunit *test, struct rf *f)
{
	int node;

	KUNIT_ASSERT_EQ(test, ipr_record_write_dev(f->fdt, f->node, &f->d), 0);
	node = fdt_subnode_offset(f->fdt, f->node, "pci@18");
	KUNIT_ASSERT_GE(test, node, 0);
	return node;
}

static struct keepalive_iommu_translation *rf_translation(struct kunit *test,
							  struct rf *f,
							  int node)
{
	struct keepalive_iommu_translation *t;
	int len;

	t = fdt_getprop_w(f->fdt, node, KEEPALIVE_IOMMU_PROP_TRANSLATION, &len);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, len, (int)sizeof(*t));
	return t;
}

static void fdt_record_reads_back(struct kunit *test)
{
	struct ipr_ctx ce = ipr_vtd_ctx_encode(FDT_TOP, DID, 1);
	struct rf *f = test->priv;
	struct ipr_dev_record r;
	const fdt64_t *c;
	int node = rf_write(test, f), len;

	KUNIT_ASSERT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), 0);
	KUNIT_EXPECT_EQ(test, r.segment, 0);
	KUNIT_EXPECT_EQ(test, r.bus, 0);
	KUNIT_EXPECT_EQ(test, r.devfn, 0x18);
	KUNIT_EXPECT_EQ(test, r.unit, FDT_UNIT);
	KUNIT_EXPECT_EQ(test, r.did, DID);
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx(&r.ce).lo, ce.lo);
	KUNIT_EXPECT_EQ(test, ipr_vtd_ctx(&r.ce).hi, ce.hi);
	c = fdt_getprop(f->fdt, node, KEEPALIVE_IOMMU_PROP_IOVA_RANGES, &len);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, len, KEEPALIVE_IOMMU_RANGE_CELLS * 8);
	KUNIT_EXPECT_EQ(test, fdt64_ld(&c[0]), (u64)SZ_1M);
	KUNIT_EXPECT_EQ(test, fdt64_ld(&c[1]), 0x40000000ULL);
	KUNIT_EXPECT_EQ(test, fdt64_ld(&c[2]), (u64)SZ_2M);
	KUNIT_EXPECT_EQ(test, fdt64_ld(&c[3]), (u64)RW);
	c = fdt_getprop(f->fdt, node, KEEPALIVE_PROP_RANGES, &len);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, len, 16);
	KUNIT_EXPECT_EQ(test, fdt64_ld(&c[0]), DEV_PHYS);
	KUNIT_EXPECT_EQ(test, fdt64_ld(&c[1]), 3ULL * IPR_PAGE_SIZE);

	/* A place with a segment and letters reads back from the name. */
	f->d.segment = 0xabc;
	f->d.bus = 0xde;
	f->d.devfn = 0xf1;
	KUNIT_ASSERT_EQ(test, ipr_record_write_dev(f->fdt, f->node, &f->d), 0);
	node = fdt_subnode_offset(f->fdt, f->node, "pci@abcdef1");
	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_ASSERT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), 0);
	KUNIT_EXPECT_EQ(test, r.segment, 0xabc);
	KUNIT_EXPECT_EQ(test, r.bus, 0xde);
	KUNIT_EXPECT_EQ(test, r.devfn, 0xf1);
}

/*
 * The format's budget: one device's record with one IOVA range grows the
 * image's structure block by at most 128 bytes, exactly 124 for "pci@18"
 * (16 node, 12 + 24 translation, 12 + 32 iova-ranges, 12 + 16
 * phys-ranges). Property names go to the strings block, stored once per
 * image whatever the number of records, and are not counted. The v1
 * record took 200 bytes.
 */
static void fdt_record_size(struct kunit *test)
{
	struct rf *f = test->priv;
	int before = fdt_size_dt_struct(f->fdt);
	int size;

	rf_write(test, f);
	size = fdt_size_dt_struct(f->fdt) - before;
	KUNIT_EXPECT_LE(test, size, 128);
	KUNIT_EXPECT_EQ(test, size, 124);

	/* The longest name of a segment below 0x1000: "pci@fffffff". */
	f->d.segment = 0xfff;
	f->d.bus = 0xff;
	f->d.devfn = 0xff;
	before = fdt_size_dt_struct(f->fdt);
	KUNIT_ASSERT_EQ(test, ipr_record_write_dev(f->fdt, f->node, &f->d), 0);
	KUNIT_EXPECT_LE(test, (int)fdt_size_dt_struct(f->fdt) - before, 128);
}

static void fdt_record_bad_translation(struct kunit *test)
{
	struct rf *f = test->priv;
	struct keepalive_iommu_translation *t;
	struct ipr_dev_record r;
	u8 buf[sizeof(*t) + 4] = {};
	int node = rf_write(test, f);

	/* Short, long, missing. */
	memcpy(buf, rf_translation(test, f, node), sizeof(*t));
	KUNIT_ASSERT_EQ(test, fdt_setprop(f->fdt, node,
					  KEEPALIVE_IOMMU_PROP_TRANSLATION,
					  buf, sizeof(*t) - 4), 0);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), -EINVAL);
	KUNIT_ASSERT_EQ(test, fdt_setprop(f->fdt, node,
					  KEEPALIVE_IOMMU_PROP_TRANSLATION,
					  buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), -EINVAL);
	KUNIT_ASSERT_EQ(test, fdt_delprop(f->fdt, node,
					  KEEPALIVE_IOMMU_PROP_TRANSLATION), 0);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), -EINVAL);

	/* Back to exact size: valid again, then reserved bits. */
	KUNIT_ASSERT_EQ(test, fdt_setprop(f->fdt, node,
					  KEEPALIVE_IOMMU_PROP_TRANSLATION,
					  buf, sizeof(*t)), 0);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), 0);
	t = rf_translation(test, f, node);
	t->reserved = cpu_to_be16(0x8000);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), -EINVAL);
	t->reserved = cpu_to_be16(1);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), -EINVAL);

	/* A unit index that is not an int. */
	t->reserved = 0;
	t->unit = cpu_to_be32((u32)INT_MAX + 1);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), -EINVAL);
	t->unit = cpu_to_be32(INT_MAX);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), 0);
	KUNIT_EXPECT_EQ(test, r.unit, INT_MAX);
}

static void fdt_record_bad_name(struct kunit *test)
{
	static const char * const bad[] = {
		"pci@018", "pci@0x18", "pci@+18", "pci@ 18", "pci@18 ",
		"pci@", "pci@1A", "PCI@18", "pci18", "pci@100000000",
		"device@0", "unit", "iommu",
	};
	struct rf *f = test->priv;
	struct ipr_dev_record r;
	int node = rf_write(test, f);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_ASSERT_EQ(test, fdt_set_name(f->fdt, node, bad[i]), 0);
		KUNIT_EXPECT_EQ_MSG(test, ipr_record_parse_dev(f->fdt, node, &r),
				    -EINVAL, "name %s", bad[i]);
	}
	/* The same record under its canonical name, and another device's. */
	KUNIT_ASSERT_EQ(test, fdt_set_name(f->fdt, node, "pci@18"), 0);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), 0);
	KUNIT_ASSERT_EQ(test, fdt_set_name(f->fdt, node, "pci@1a"), 0);
	KUNIT_EXPECT_EQ(test, ipr_record_parse_dev(f->fdt, node, &r), 0);
	KUNIT_EXPECT_EQ(test, r.devfn, 0x1a);
}

static void fdt_record_duplicate(struct kunit *test)
{
	struct rf *f = test->priv;
	int size;

	rf_write(test, f);
	size = fdt_size_dt_struct(f->fdt);
	/* One record per device: the name is the place. */
	KUNIT_EXPECT_EQ(test, ipr_record_write_dev(f->fdt, f->node, &f->d),
			-FDT_ERR_EXISTS);
	KUNIT_EXPECT_EQ(test, (int)fdt_size_dt_struct(f->fdt), size);
	/* Another function of the same device is another record. */
	f->d.devfn = 0x19;
	KUNIT_EXPECT_EQ(test, ipr_record_write_dev(f->fdt, f->node, &f->d), 0);
	/* A place that has no name. */
	f->d.segment = 0x10000;
	KUNIT_EXPECT_EQ(test, ipr_record_write_dev(f->fdt, f->node, &f->d),
			-FDT_ERR_BADVALUE);
}

static struct kunit_case keepalive_iommu_record_fdt_cases[] = {
	KUNIT_CASE(fdt_record_reads_back),
	KUNIT_CASE(fdt_record_size),
	KUNIT_CASE(fdt_record_bad_translation),
	KUNIT_CASE(fdt_record_bad_name),
	KUNIT_CASE(fdt_record_duplicate),
	{}
};

static struct kunit_suite keepalive_iommu_record_fdt_suite = {
	.name = "keepalive_iommu_record_fdt",
	.suite_init = vtd_suite_init,
	.suite_exit = vtd_suite_exit,
	.init = rf_init,
	.test_cases = keepalive_iommu_record_fdt_cases,
};

kunit_test_suites(&keepalive_iommu_record_suite,
		  &keepalive_iommu_record_fdt_suite);
