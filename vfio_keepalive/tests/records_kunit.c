// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of kept-device records: written by the vfio participant's
 * STOP (vka_record_write() in vfio_keepalive/record.c) and read by the next
 * kernel (vka_records_parse() in vfio_keepalive/adopt.c).
 *
 * Every test writes records into a "vfio" node of an FDT buffer with the
 * real writer, possibly damages one (include/linux/keepalive/abi/vfio.h), and
 * checks what the reader makes of them: records read back identical, with
 * or without MSI-X; a record whose place is unreadable left out; a record
 * whose place is readable but whose identity is not kept with "malformed"
 * set, so that the device is reset rather than adopted; a mix of them; no
 * record at all; a full buffer.
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

/* What to leave out of, or damage in, a record once written. */
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
	SHORT_MSIX,	/* two cells of three */
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

/* Record @i of a test: at @bus, @devfn, every other field its own. */
static void rec_make(struct vka_record *r, int i, u32 bus, u32 devfn,
		     bool msix)
{
	int j;

	memset(r, 0, sizeof(*r));
	r->segment = 0;
	r->bus = bus;
	r->devfn = devfn;
	r->vendor_device = 0x1b360010;
	r->class = 0x010802;
	r->command = 0x0106;
	for (j = 0; j < PCI_STD_NUM_BARS; j++) {
		r->bars[j][0] = 0xfe000000ULL + j * 0x4000 + i;
		r->bars[j][1] = IORESOURCE_MEM;
	}
	for (j = 0; j < SHA256_DIGEST_SIZE; j++)
		r->token_hash[j] = i * 16 + j;
	if (msix) {
		r->has_msix = true;
		r->msix.control = PCI_MSIX_FLAGS_ENABLE | (i + 1);
		r->msix.table = 0x2000 | i;
		r->msix.pba = 0x3000 | i;
	}
}

/* Write @r as device@<i> with the real writer, then damage it as @d. */
static void rec_write(struct kunit *test, struct rec_fixture *f, int i,
		      const struct vka_record *r, enum damage d)
{
	static const u8 zeroes[sizeof(r->bars) + SHA256_DIGEST_SIZE + 1];
	char name[16];
	int node, ret;

	KUNIT_ASSERT_EQ(test, 0, vka_record_write(f->fdt, f->node, i, r));
	snprintf(name, sizeof(name), KEEPALIVE_VFIO_DEVICE_PREFIX "%d", i);
	node = fdt_subnode_offset(f->fdt, f->node, name);
	KUNIT_ASSERT_GE(test, node, 0);
	switch (d) {
	case INTACT:
		return;
	case NO_BUS:
		ret = fdt_delprop(f->fdt, node, KEEPALIVE_PROP_PCI_BUS);
		break;
	case BAD_BUS:
		ret = fdt_setprop_u32(f->fdt, node, KEEPALIVE_PROP_PCI_BUS, 256);
		break;
	case BAD_DEVFN:
		ret = fdt_setprop_u32(f->fdt, node, KEEPALIVE_PROP_PCI_DEVFN, 256);
		break;
	case NO_BARS:
		ret = fdt_delprop(f->fdt, node, KEEPALIVE_VFIO_PROP_BARS);
		break;
	case SHORT_BARS:
		ret = fdt_setprop(f->fdt, node, KEEPALIVE_VFIO_PROP_BARS, zeroes,
				  sizeof(r->bars) - sizeof(u64));
		break;
	case NO_HASH:
		ret = fdt_delprop(f->fdt, node, KEEPALIVE_VFIO_PROP_TOKEN_SHA256);
		break;
	case LONG_HASH:
		ret = fdt_setprop(f->fdt, node, KEEPALIVE_VFIO_PROP_TOKEN_SHA256, zeroes,
				  SHA256_DIGEST_SIZE + 1);
		break;
	case NO_CLASS:
		ret = fdt_delprop(f->fdt, node, KEEPALIVE_VFIO_PROP_CLASS);
		break;
	case SHORT_MSIX:
		ret = fdt_setprop(f->fdt, node, KEEPALIVE_VFIO_PROP_MSIX, zeroes,
				  (VKA_MSIX_CELLS - 1) * sizeof(u32));
		break;
	default:
		ret = -1;
		break;
	}
	KUNIT_ASSERT_EQ(test, 0, ret);
}

/* Write record @i at @bus, @devfn, without MSI-X, damaged as @d. */
static void rec_add(struct kunit *test, struct rec_fixture *f, int i,
		    u32 bus, u32 devfn, enum damage d)
{
	struct vka_record r;

	rec_make(&r, i, bus, devfn, d == SHORT_MSIX);
	rec_write(test, f, i, &r, d);
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

static const struct vka_record *
rec_at(const struct vka_record *r, unsigned int n, u32 bus, u32 devfn)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].bus == bus && r[i].devfn == devfn)
			return &r[i];
	return NULL;
}

/* @got is @want as read back: every field written, nothing else set. */
static void rec_expect_same(struct kunit *test, const struct vka_record *want,
			    const struct vka_record *got)
{
	int j;

	KUNIT_EXPECT_FALSE(test, got->malformed);
	KUNIT_EXPECT_FALSE(test, got->seen);
	KUNIT_EXPECT_EQ(test, want->segment, got->segment);
	KUNIT_EXPECT_EQ(test, want->bus, got->bus);
	KUNIT_EXPECT_EQ(test, want->devfn, got->devfn);
	KUNIT_EXPECT_EQ(test, want->vendor_device, got->vendor_device);
	KUNIT_EXPECT_EQ(test, want->class, got->class);
	KUNIT_EXPECT_EQ(test, want->command, got->command);
	for (j = 0; j < PCI_STD_NUM_BARS; j++) {
		KUNIT_EXPECT_EQ(test, want->bars[j][0], got->bars[j][0]);
		KUNIT_EXPECT_EQ(test, want->bars[j][1], got->bars[j][1]);
	}
	KUNIT_EXPECT_EQ(test, want->has_msix, got->has_msix);
	KUNIT_EXPECT_EQ(test, want->msix.control, got->msix.control);
	KUNIT_EXPECT_EQ(test, want->msix.table, got->msix.table);
	KUNIT_EXPECT_EQ(test, want->msix.pba, got->msix.pba);
	KUNIT_EXPECT_EQ(test, 0, memcmp(want->token_hash, got->token_hash,
					sizeof(want->token_hash)));
}

/*
 * Records written by vka_record_write() read back identical through
 * vka_records_parse(), with and without MSI-X, with fields at the ends of
 * their ranges.
 */
static void records_round_trip(struct kunit *test)
{
	struct vka_record want[3], *r;
	struct rec_fixture f;
	unsigned int n, i;
	int j;

	rec_make(&want[0], 0, 0x01, PCI_DEVFN(3, 0), true);
	rec_make(&want[1], 1, 0x02, PCI_DEVFN(0, 0), false);
	rec_make(&want[2], 2, 0xff, 0xff, true);
	want[2].segment = 0xffff;
	want[2].vendor_device = 0x8086abcd;
	want[2].class = 0xffffff;
	want[2].command = 0xffff;
	want[2].msix.control = 0xffff;
	want[2].msix.table = 0xfffffff8 | 5;
	want[2].msix.pba = 0xffffffff;
	for (j = 0; j < PCI_STD_NUM_BARS; j++) {
		want[2].bars[j][0] = 0xfffffff000000000ULL + j;
		want[2].bars[j][1] = IORESOURCE_MEM | IORESOURCE_MEM_64 |
				     IORESOURCE_PREFETCH;
	}
	memset(want[2].token_hash, 0xff, sizeof(want[2].token_hash));

	rec_begin(test, &f);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		rec_write(test, &f, i, &want[i], INTACT);
	rec_parse(test, &f, &r, &n);
	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(want), n);
	for (i = 0; i < n; i++) {
		const struct vka_record *got =
			rec_at(r, n, want[i].bus, want[i].devfn);

		KUNIT_ASSERT_NOT_NULL_MSG(test, got, "record %u", i);
		rec_expect_same(test, &want[i], got);
	}
}

/*
 * The writer's failures, which STOP turns into its errno: an image too
 * small (-ENOSPC), and a record index written twice.
 */
static void records_write_errors(struct kunit *test)
{
	const size_t small = 256;
	struct rec_fixture f;
	struct vka_record r;
	void *fdt;
	int node;

	rec_make(&r, 0, 0, PCI_DEVFN(3, 0), true);
	fdt = kunit_kzalloc(test, small, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fdt);
	KUNIT_ASSERT_EQ(test, 0, fdt_create_empty_tree(fdt, small));
	node = fdt_add_subnode(fdt, 0, KEEPALIVE_VFIO_NODE);
	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_EXPECT_EQ(test, -FDT_ERR_NOSPACE,
			vka_record_write(fdt, node, 0, &r));

	rec_begin(test, &f);
	KUNIT_EXPECT_EQ(test, 0, vka_record_write(f.fdt, f.node, 0, &r));
	KUNIT_EXPECT_EQ(test, -FDT_ERR_EXISTS,
			vka_record_write(f.fdt, f.node, 0, &r));
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
		NO_BARS, SHORT_BARS, NO_HASH, LONG_HASH, NO_CLASS, SHORT_MSIX,
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
	KUNIT_CASE(records_write_errors),
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
