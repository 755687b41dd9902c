// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of how the next kernel reads kept-device records
 * (vka_records_parse() in vfio_keepalive/adopt.c).
 *
 * Every test builds a vfio node in an FDT buffer with device@N subnodes
 * as the vfio participant's STOP writes them (include/linux/keepalive/
 * abi/vfio.h), possibly damaged, and checks what comes out: a complete record
 * read back field by field; a record whose place is unreadable left out;
 * a record whose place is readable but whose identity is not kept with
 * "malformed" set, so that the device is reset rather than adopted; a mix
 * of them; no record at all.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "../vka.h"

#define FDT_SIZE	8192

/* What to leave out of, or damage in, a record. */
enum damage {
	INTACT,
	NO_BUS,
	BAD_BUS,	/* 256: not a bus number */
	BAD_DEVFN,	/* 256 */
	NO_BARS,
	SHORT_BARS,
	NO_HASH,
	LONG_HASH,
	NO_CLASS,
};

struct rec_fixture {
	void *fdt;
	int node;
};

static void rec_begin(struct kunit *test, struct rec_fixture *f)
{
	f->fdt = kunit_kzalloc(test, FDT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->fdt);
	KUNIT_ASSERT_EQ(test, 0, fdt_create_empty_tree(f->fdt, FDT_SIZE));
	f->node = fdt_add_subnode(f->fdt, 0, KEEPALIVE_VFIO_NODE);
	KUNIT_ASSERT_GE(test, f->node, 0);
}

/* Add a subnode device@<i> at @bus, @devfn, damaged as @d. */
static void rec_add(struct kunit *test, struct rec_fixture *f, int i,
		    u32 bus, u32 devfn, enum damage d)
{
	fdt64_t bars[PCI_STD_NUM_BARS * 2];
	u8 hash[SHA256_DIGEST_SIZE + 1];
	char name[16];
	int node, j, ret;

	for (j = 0; j < PCI_STD_NUM_BARS; j++) {
		bars[2 * j] = cpu_to_fdt64(0xfe000000ULL + j * 0x4000 + i);
		bars[2 * j + 1] = cpu_to_fdt64(IORESOURCE_MEM);
	}
	for (j = 0; j < sizeof(hash); j++)
		hash[j] = i * 16 + j;
	snprintf(name, sizeof(name), KEEPALIVE_VFIO_DEVICE_PREFIX "%d", i);
	node = fdt_add_subnode(f->fdt, f->node, name);
	KUNIT_ASSERT_GE(test, node, 0);
	ret = fdt_setprop_u32(f->fdt, node, KEEPALIVE_PROP_PCI_SEGMENT, 0);
	if (!ret && d != NO_BUS)
		ret = fdt_setprop_u32(f->fdt, node, KEEPALIVE_PROP_PCI_BUS,
				      d == BAD_BUS ? 256 : bus);
	if (!ret)
		ret = fdt_setprop_u32(f->fdt, node, KEEPALIVE_PROP_PCI_DEVFN,
				      d == BAD_DEVFN ? 256 : devfn);
	if (!ret)
		ret = fdt_setprop_u32(f->fdt, node,
				      KEEPALIVE_VFIO_PROP_VENDOR_DEVICE,
				      0x1b360010);
	if (!ret && d != NO_CLASS)
		ret = fdt_setprop_u32(f->fdt, node, KEEPALIVE_VFIO_PROP_CLASS,
				      0x010802);
	if (!ret)
		ret = fdt_setprop_u32(f->fdt, node,
				      KEEPALIVE_VFIO_PROP_COMMAND, 0x0106);
	if (!ret && d != NO_BARS)
		ret = fdt_setprop(f->fdt, node, KEEPALIVE_VFIO_PROP_BARS, bars,
				  d == SHORT_BARS ? sizeof(bars) - 8 :
				  sizeof(bars));
	if (!ret && d != NO_HASH)
		ret = fdt_setprop(f->fdt, node,
				  KEEPALIVE_VFIO_PROP_TOKEN_SHA256, hash,
				  d == LONG_HASH ? sizeof(hash) :
				  SHA256_DIGEST_SIZE);
	KUNIT_ASSERT_EQ(test, 0, ret);
}

static int rec_res_init(struct kunit_resource *res, void *records)
{
	res->data = records;
	return 0;
}

static void rec_res_free(struct kunit_resource *res)
{
	kfree(res->data);
}

/* Parse; the records are freed with the test, whatever its outcome. */
static void rec_parse(struct kunit *test, struct rec_fixture *f,
		      struct vka_record **r, unsigned int *n)
{
	KUNIT_ASSERT_EQ(test, 0, vka_records_parse(f->fdt, f->node, r, n));
	if (*r)
		kunit_alloc_resource(test, rec_res_init, rec_res_free,
				     GFP_KERNEL, *r);
}

static void records_round_trip(struct kunit *test)
{
	struct rec_fixture f;
	struct vka_record *r;
	unsigned int n;
	int j;

	rec_begin(test, &f);
	rec_add(test, &f, 0, 0x01, PCI_DEVFN(3, 0), INTACT);
	rec_parse(test, &f, &r, &n);
	KUNIT_ASSERT_EQ(test, 1, n);
	KUNIT_EXPECT_FALSE(test, r[0].malformed);
	KUNIT_EXPECT_FALSE(test, r[0].seen);
	KUNIT_EXPECT_EQ(test, 0, r[0].segment);
	KUNIT_EXPECT_EQ(test, 0x01, r[0].bus);
	KUNIT_EXPECT_EQ(test, PCI_DEVFN(3, 0), r[0].devfn);
	KUNIT_EXPECT_EQ(test, 0x1b360010, r[0].vendor_device);
	KUNIT_EXPECT_EQ(test, 0x010802, r[0].class);
	KUNIT_EXPECT_EQ(test, 0x0106, r[0].command);
	for (j = 0; j < PCI_STD_NUM_BARS; j++) {
		KUNIT_EXPECT_EQ(test, 0xfe000000ULL + j * 0x4000, r[0].bars[j][0]);
		KUNIT_EXPECT_EQ(test, (u64)IORESOURCE_MEM, r[0].bars[j][1]);
	}
	for (j = 0; j < SHA256_DIGEST_SIZE; j++)
		KUNIT_EXPECT_EQ(test, j, r[0].token_hash[j]);
}

static void records_none(struct kunit *test)
{
	struct rec_fixture f;
	struct vka_record *r;
	unsigned int n;

	rec_begin(test, &f);
	rec_parse(test, &f, &r, &n);
	KUNIT_EXPECT_EQ(test, 0, n);
	KUNIT_EXPECT_NULL(test, r);
}

/* Where the device is cannot be read: the record is left out. */
static void records_place_unreadable(struct kunit *test)
{
	static const enum damage cases[] = { NO_BUS, BAD_BUS, BAD_DEVFN };
	struct rec_fixture f;
	struct vka_record *r;
	unsigned int n, i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		rec_begin(test, &f);
		rec_add(test, &f, 0, 0, PCI_DEVFN(3, 0), cases[i]);
		rec_parse(test, &f, &r, &n);
		KUNIT_EXPECT_EQ_MSG(test, 0, n, "damage %u", cases[i]);
		KUNIT_EXPECT_NULL_MSG(test, r, "damage %u", cases[i]);
	}
}

/* Where it is can be read, what it is cannot: reset, not adopted. */
static void records_identity_unreadable(struct kunit *test)
{
	static const enum damage cases[] = {
		NO_BARS, SHORT_BARS, NO_HASH, LONG_HASH, NO_CLASS,
	};
	struct rec_fixture f;
	struct vka_record *r;
	unsigned int n, i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		rec_begin(test, &f);
		rec_add(test, &f, 0, 0, PCI_DEVFN(4, 1), cases[i]);
		rec_parse(test, &f, &r, &n);
		KUNIT_ASSERT_EQ_MSG(test, 1, n, "damage %u", cases[i]);
		KUNIT_EXPECT_TRUE_MSG(test, r[0].malformed, "damage %u", cases[i]);
		KUNIT_EXPECT_EQ(test, 0, r[0].bus);
		KUNIT_EXPECT_EQ(test, PCI_DEVFN(4, 1), r[0].devfn);
	}
}

static const struct vka_record *
rec_at(const struct vka_record *r, unsigned int n, u32 bus, u32 devfn)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].bus == bus && r[i].devfn == devfn)
			return &r[i];
	return NULL;
}

/*
 * A mix: the placeable ones in, each with its own fields, the unplaceable
 * one left out. (Their order is the FDT's, which libfdt does not promise
 * to be the order of fdt_add_subnode(): records are found by place.)
 */
static void records_mixed(struct kunit *test)
{
	const struct vka_record *a, *b, *c;
	struct rec_fixture f;
	struct vka_record *r;
	unsigned int n;

	rec_begin(test, &f);
	rec_add(test, &f, 0, 0, PCI_DEVFN(3, 0), INTACT);
	rec_add(test, &f, 1, 0, PCI_DEVFN(4, 0), BAD_BUS);
	rec_add(test, &f, 2, 2, PCI_DEVFN(0, 0), NO_HASH);
	rec_add(test, &f, 3, 3, PCI_DEVFN(0, 1), INTACT);
	rec_parse(test, &f, &r, &n);
	KUNIT_ASSERT_EQ(test, 3, n);
	a = rec_at(r, n, 0, PCI_DEVFN(3, 0));
	b = rec_at(r, n, 2, PCI_DEVFN(0, 0));
	c = rec_at(r, n, 3, PCI_DEVFN(0, 1));
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_NULL(test, rec_at(r, n, 0, PCI_DEVFN(4, 0)));
	KUNIT_EXPECT_FALSE(test, a->malformed);
	KUNIT_EXPECT_TRUE(test, b->malformed);
	KUNIT_EXPECT_FALSE(test, c->malformed);
	/* Each record's own BARs and hash, not its neighbour's. */
	KUNIT_EXPECT_EQ(test, 0xfe000000ULL, a->bars[0][0]);
	KUNIT_EXPECT_EQ(test, 0, a->token_hash[0]);
	KUNIT_EXPECT_EQ(test, 0xfe000003ULL, c->bars[0][0]);
	KUNIT_EXPECT_EQ(test, 3 * 16, c->token_hash[0]);
}

static struct kunit_case keepalive_vfio_records_cases[] = {
	KUNIT_CASE(records_round_trip),
	KUNIT_CASE(records_none),
	KUNIT_CASE(records_place_unreadable),
	KUNIT_CASE(records_identity_unreadable),
	KUNIT_CASE(records_mixed),
	{}
};

static struct kunit_suite keepalive_vfio_records_suite = {
	.name = "keepalive_vfio_records",
	.test_cases = keepalive_vfio_records_cases,
};

kunit_test_suite(keepalive_vfio_records_suite);
