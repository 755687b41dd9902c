// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of kept-device records: written by the vfio participant's
 * STOP (vka_record_write() in vfio_keepalive/record.c) and read by the next
 * kernel (vka_records_parse() in vfio_keepalive/record.c).
 *
 * Every test writes records into a "vfio" node of an FDT buffer with the
 * real writer, possibly damages one (include/linux/keepalive/abi/vfio.h), and
 * checks what the reader makes of them: records read back identical; a
 * record not named for a device ("pci@<sbdf>" in its one spelling) left
 * out; a record whose place is readable but whose "state" is not kept with
 * "malformed" set, so that the device is reset rather than adopted; a mix
 * of them; no record at all; a full buffer; and what one record costs.
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
	V1_NAME,	/* "device@0", as vfio-pci-v1 named it */
	ZERO_NAME,	/* "pci@018": a leading zero */
	HEX_NAME,	/* "pci@0x18" */
	UPPER_NAME,	/* "pci@1A" */
	NO_STATE,
	SHORT_STATE,
	LONG_STATE,
	RESERVED,	/* non-zero reserved field */
	BAD_CLASS,	/* bits 31:24 of the class code set */
	BAD_TYPES,	/* a type for a seventh BAR */
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
static void rec_make(struct vka_record *r, int i, u32 bus, u32 devfn)
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
		r->bars[j] = 0xfe000000ULL + j * 0x4000 + i;
		r->bar_types[j] = KEEPALIVE_VFIO_BAR_MEM;
	}
	for (j = 0; j < SHA256_DIGEST_SIZE; j++)
		r->token_hash[j] = i * 16 + j;
}

/* @r's node in @f, by the name the writer gives it. */
static int rec_node(struct kunit *test, struct rec_fixture *f,
		    const struct vka_record *r)
{
	char name[KEEPALIVE_PCI_NODE_NAME_MAX];
	int node;

	snprintf(name, sizeof(name), KEEPALIVE_PCI_NODE_PREFIX "%x",
		 r->segment << 16 | r->bus << 8 | r->devfn);
	node = fdt_subnode_offset(f->fdt, f->node, name);
	KUNIT_ASSERT_GE_MSG(test, node, 0, "no node %s", name);
	return node;
}

/* Write @r with the real writer, then damage it as @d. */
static void rec_write(struct kunit *test, struct rec_fixture *f,
		      const struct vka_record *r, enum damage d)
{
	struct keepalive_vfio_state st, *w;
	u8 buf[sizeof(st) + 1] = {};
	int node, ret, len;

	KUNIT_ASSERT_EQ(test, 0, vka_record_write(f->fdt, f->node, r));
	node = rec_node(test, f, r);
	w = fdt_getprop_w(f->fdt, node, KEEPALIVE_VFIO_PROP_STATE, &len);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_EQ(test, sizeof(st), len);
	memcpy(&st, w, sizeof(st));
	switch (d) {
	case INTACT:
		return;
	case V1_NAME:
		ret = fdt_set_name(f->fdt, node, "device@0");
		break;
	case ZERO_NAME:
		ret = fdt_set_name(f->fdt, node, KEEPALIVE_PCI_NODE_PREFIX "018");
		break;
	case HEX_NAME:
		ret = fdt_set_name(f->fdt, node, KEEPALIVE_PCI_NODE_PREFIX "0x18");
		break;
	case UPPER_NAME:
		ret = fdt_set_name(f->fdt, node, KEEPALIVE_PCI_NODE_PREFIX "1A");
		break;
	case NO_STATE:
		ret = fdt_delprop(f->fdt, node, KEEPALIVE_VFIO_PROP_STATE);
		break;
	case SHORT_STATE:
	case LONG_STATE:
		memcpy(buf, &st, sizeof(st));
		ret = fdt_setprop(f->fdt, node, KEEPALIVE_VFIO_PROP_STATE, buf,
				  d == SHORT_STATE ? sizeof(st) - 1 : sizeof(buf));
		break;
	case RESERVED:
		w->reserved = cpu_to_be16(1);
		ret = 0;
		break;
	case BAD_CLASS:
		w->class = cpu_to_be32(0x01010802);
		ret = 0;
		break;
	case BAD_TYPES:
		w->bar_types = cpu_to_be32(KEEPALIVE_VFIO_BAR_MEM <<
					   (PCI_STD_NUM_BARS *
					    KEEPALIVE_VFIO_BAR_TYPE_BITS));
		ret = 0;
		break;
	default:
		ret = -1;
		break;
	}
	KUNIT_ASSERT_EQ(test, 0, ret);
}

/* Write record @i at @bus, @devfn, damaged as @d. */
static void rec_add(struct kunit *test, struct rec_fixture *f, int i,
		    u32 bus, u32 devfn, enum damage d)
{
	struct vka_record r;

	rec_make(&r, i, bus, devfn);
	rec_write(test, f, &r, d);
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
		KUNIT_EXPECT_EQ(test, want->bars[j], got->bars[j]);
		KUNIT_EXPECT_EQ(test, want->bar_types[j], got->bar_types[j]);
	}
	KUNIT_EXPECT_EQ(test, 0, memcmp(want->token_hash, got->token_hash,
					sizeof(want->token_hash)));
}

/*
 * Records written by vka_record_write() read back identical through
 * vka_records_parse(), with fields at the ends of their ranges.
 */
static void records_round_trip(struct kunit *test)
{
	struct vka_record want[3], *r;
	struct rec_fixture f;
	unsigned int n, i;
	int j;

	rec_make(&want[0], 0, 0x01, PCI_DEVFN(3, 0));
	rec_make(&want[1], 1, 0x02, PCI_DEVFN(0, 0));
	want[1].bars[5] = 0xc000;
	want[1].bar_types[5] = KEEPALIVE_VFIO_BAR_IO;
	want[1].bars[4] = 0;
	want[1].bar_types[4] = 0;
	rec_make(&want[2], 2, 0xff, 0xff);
	want[2].segment = 0xffff;
	want[2].vendor_device = 0x8086abcd;
	want[2].class = 0xffffff;
	want[2].command = 0xffff;
	for (j = 0; j < PCI_STD_NUM_BARS; j++) {
		want[2].bars[j] = 0xfffffff000000000ULL + j;
		want[2].bar_types[j] = vka_bar_type(IORESOURCE_MEM |
						    IORESOURCE_MEM_64 |
						    IORESOURCE_PREFETCH);
	}
	memset(want[2].token_hash, 0xff, sizeof(want[2].token_hash));

	rec_begin(test, &f);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		rec_write(test, &f, &want[i], INTACT);
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
 * small (-ENOSPC), a device recorded twice, a segment above 0xffff.
 */
static void records_write_errors(struct kunit *test)
{
	const size_t small = 192;	/* an empty tree fits, not a record */
	struct rec_fixture f;
	struct vka_record r;
	void *fdt;
	int node;

	rec_make(&r, 0, 0, PCI_DEVFN(3, 0));
	fdt = kunit_kzalloc(test, small, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fdt);
	KUNIT_ASSERT_EQ(test, 0, fdt_create_empty_tree(fdt, small));
	node = fdt_add_subnode(fdt, 0, KEEPALIVE_VFIO_NODE);
	KUNIT_ASSERT_GE(test, node, 0);
	KUNIT_EXPECT_EQ(test, -FDT_ERR_NOSPACE,
			vka_record_write(fdt, node, &r));

	rec_begin(test, &f);
	KUNIT_EXPECT_EQ(test, 0, vka_record_write(f.fdt, f.node, &r));
	KUNIT_EXPECT_EQ(test, -FDT_ERR_EXISTS,
			vka_record_write(f.fdt, f.node, &r));
	r.segment = 0x10000;
	KUNIT_EXPECT_EQ(test, -FDT_ERR_BADVALUE,
			vka_record_write(f.fdt, f.node, &r));
}

/*
 * What one kept device costs the image: its node and its "state", 124
 * bytes of the structure block for 0000:00:03.0 ("pci@18"), within the
 * 128 bytes per preserved object of the ABI (abi/core.h). Property names
 * are stored once per image in the strings block and are not counted.
 * vfio-pci-v1 took 292 bytes.
 */
static void records_size(struct kunit *test)
{
	struct rec_fixture f;
	struct vka_record r;
	int before;

	rec_make(&r, 0, 0, PCI_DEVFN(3, 0));
	rec_begin(test, &f);
	before = fdt_size_dt_struct(f.fdt);
	KUNIT_ASSERT_EQ(test, 0, vka_record_write(f.fdt, f.node, &r));
	KUNIT_EXPECT_EQ(test, 124, fdt_size_dt_struct(f.fdt) - before);
	KUNIT_EXPECT_LE(test, fdt_size_dt_struct(f.fdt) - before, 128);
}

/* The BAR types a record keeps: only those the adoption compares. */
static void records_bar_types(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0, vka_bar_type(0));
	KUNIT_EXPECT_EQ(test, 0, vka_bar_type(IORESOURCE_SIZEALIGN |
					      IORESOURCE_UNSET));
	KUNIT_EXPECT_EQ(test, KEEPALIVE_VFIO_BAR_IO, vka_bar_type(IORESOURCE_IO));
	KUNIT_EXPECT_EQ(test, KEEPALIVE_VFIO_BAR_MEM,
			vka_bar_type(IORESOURCE_MEM));
	KUNIT_EXPECT_EQ(test, KEEPALIVE_VFIO_BAR_MEM | KEEPALIVE_VFIO_BAR_MEM64 |
			KEEPALIVE_VFIO_BAR_PREFETCH,
			vka_bar_type(IORESOURCE_MEM | IORESOURCE_MEM_64 |
				     IORESOURCE_PREFETCH));
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
	static const enum damage cases[] = {
		V1_NAME, ZERO_NAME, HEX_NAME, UPPER_NAME,
	};
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
		NO_STATE, SHORT_STATE, LONG_STATE, RESERVED, BAD_CLASS,
		BAD_TYPES,
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
	rec_add(test, &f, 1, 0, PCI_DEVFN(4, 0), ZERO_NAME);
	rec_add(test, &f, 2, 2, PCI_DEVFN(0, 0), NO_STATE);
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
	KUNIT_EXPECT_EQ(test, 0xfe000000ULL, a->bars[0]);
	KUNIT_EXPECT_EQ(test, 0, a->token_hash[0]);
	KUNIT_EXPECT_EQ(test, 0xfe000003ULL, c->bars[0]);
	KUNIT_EXPECT_EQ(test, 3 * 16, c->token_hash[0]);
}

static struct kunit_case keepalive_vfio_records_cases[] = {
	KUNIT_CASE(records_round_trip),
	KUNIT_CASE(records_write_errors),
	KUNIT_CASE(records_size),
	KUNIT_CASE(records_bar_types),
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
