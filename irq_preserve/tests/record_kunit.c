// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the interrupt records (irq_preserve/record.c): a record
 * written at STOP reads back field for field, and each rule the next
 * kernel applies refuses a record that breaks it, with its exact reason.
 *
 * The records are written and read through the participant's own list
 * (held aside meanwhile, each step under irqp_lock) into a small image in
 * plain memory; no device is touched. The image's layout is checked too:
 * a record's name, its "msix" bytes, and its size.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "../irqp.h"

#define BUS	3
#define DEVFN	0x10
/* The record of 0000:03:02.0: segment << 16 | bus << 8 | devfn, in hex. */
#define DEV_NODE "pci@310"
#define NR	4
#define FDT_SIZE 4096
/* Offsets in "msix" of the armed and pending words, for NR vectors. */
#define ARMED	sizeof(struct keepalive_irq_msix)
#define PENDING	(ARMED + 8)

struct rc {
	void *fdt;
	int node;
	struct list_head saved;
	const struct irqp_backend *hw;
};

/* A held outgoing device: vectors 1 and 3 armed, entries 7 and 9. */
static struct irqp_dev *make_dev(struct kunit *test, u8 devfn, u32 irte1,
				 u32 irte3)
{
	struct irqp_dev *d = kzalloc(sizeof(*d), GFP_KERNEL);
	u32 irte[2] = { irte1, irte3 };
	int i;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->bus = BUS;
	d->devfn = devfn;
	d->cap = 0x70;
	d->nr = NR;
	d->control = PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (NR - 1);
	d->table = 0x2000;
	d->pba = 0x3000;
	d->ir_reg_base = 0xfed90000;
	d->armed = bitmap_zalloc(NR, GFP_KERNEL);
	d->pending = bitmap_zalloc(NR, GFP_KERNEL);
	d->vecs = kcalloc(2, sizeof(*d->vecs), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, d->armed && d->pending && d->vecs);
	__set_bit(1, d->armed);
	__set_bit(3, d->armed);
	__set_bit(1, d->pending);
	d->nr_vecs = 2;
	for (i = 0; i < 2; i++) {
		struct irqp_vec *v = &d->vecs[i];

		v->vector = 1 + 2 * i;
		v->irte = irte[i];
		irqp_msi_compose(v->irte, &v->addr_lo, &v->addr_hi, &v->data);
		v->e = irqp_irte_remapped(0x30 + i, 1, PCI_DEVID(BUS, devfn),
					  false);
	}
	d->held = true;
	mutex_lock(&irqp_lock);
	list_add_tail(&d->list, &irqp_devs);
	mutex_unlock(&irqp_lock);
	return d;
}

static void free_all(void)
{
	struct irqp_dev *d, *next;

	mutex_lock(&irqp_lock);
	list_for_each_entry_safe(d, next, &irqp_devs, list) {
		d->held = false;
		irqp_free(d);
	}
	mutex_unlock(&irqp_lock);
}

/* A new empty image with the participant's node, nothing in the list. */
static void reset(struct kunit *test)
{
	struct rc *rc = test->priv;

	free_all();
	KUNIT_ASSERT_EQ(test, 0, fdt_create_empty_tree(rc->fdt, FDT_SIZE));
	rc->node = fdt_add_subnode(rc->fdt, 0, KEEPALIVE_IRQ_NODE);
	KUNIT_ASSERT_LE(test, 0, rc->node);
}

static int rc_init(struct kunit *test)
{
	struct rc *rc = kunit_kzalloc(test, sizeof(*rc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rc);
	rc->fdt = kunit_kzalloc(test, FDT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rc->fdt);
	INIT_LIST_HEAD(&rc->saved);
	mutex_lock(&irqp_lock);
	list_splice_init(&irqp_devs, &rc->saved);
	/* These records are VT-d's, whichever IOMMU the VM has. */
	rc->hw = irqp_hw;
	irqp_hw = &irqp_vtd;
	mutex_unlock(&irqp_lock);
	test->priv = rc;
	reset(test);
	return 0;
}

static void rc_exit(struct kunit *test)
{
	struct rc *rc = test->priv;

	free_all();
	mutex_lock(&irqp_lock);
	list_splice(&rc->saved, &irqp_devs);
	irqp_hw = rc->hw;
	mutex_unlock(&irqp_lock);
}

/* Write one device (two with @other), forget it, read the image back. */
static void write_and_forget(struct kunit *test, bool other)
{
	struct rc *rc = test->priv;

	int ret;

	make_dev(test, DEVFN, 7, 9);
	if (other)
		make_dev(test, DEVFN + 1, 11, 9);
	mutex_lock(&irqp_lock);
	ret = irqp_record_write(rc->fdt, rc->node);
	mutex_unlock(&irqp_lock);
	KUNIT_ASSERT_EQ(test, 0, ret);
	free_all();
}

static struct irqp_dev *read_back(struct kunit *test, u8 devfn)
{
	struct rc *rc = test->priv;
	struct irqp_dev *d;
	int ret;

	mutex_lock(&irqp_lock);
	ret = irqp_record_read(rc->fdt, rc->node);
	d = irqp_find(0, BUS, devfn);
	mutex_unlock(&irqp_lock);
	KUNIT_ASSERT_EQ(test, 0, ret);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_TRUE(test, d->incoming);
	return d;
}

static const void *dev_prop(struct kunit *test, const char *name, int *len)
{
	struct rc *rc = test->priv;
	int node = fdt_subnode_offset(rc->fdt, rc->node, DEV_NODE);
	const void *p;

	KUNIT_ASSERT_LE(test, 0, node);
	p = fdt_getprop(rc->fdt, node, name, len);
	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

static void set_prop(struct kunit *test, const char *name, const void *v,
		     int len)
{
	struct rc *rc = test->priv;
	int node = fdt_subnode_offset(rc->fdt, rc->node, DEV_NODE);

	KUNIT_ASSERT_LE(test, 0, node);
	KUNIT_ASSERT_EQ(test, 0, fdt_setprop(rc->fdt, node, name, v, len));
}

static void round_trip(struct kunit *test)
{
	struct rc *rc = test->priv;
	struct irqp_dev *d;
	const u8 *msix;
	int len;

	write_and_forget(test, false);
	/* Named for its device; v1's index name and place are gone. */
	KUNIT_EXPECT_LE(test, 0, fdt_subnode_offset(rc->fdt, rc->node, DEV_NODE));
	KUNIT_EXPECT_EQ(test, -FDT_ERR_NOTFOUND,
			fdt_subnode_offset(rc->fdt, rc->node, "device@0"));
	/* "msix": the structure, then one armed word, one pending word. */
	msix = dev_prop(test, KEEPALIVE_IRQ_PROP_MSIX, &len);
	KUNIT_ASSERT_EQ(test, len, (int)KEEPALIVE_IRQ_MSIX_SIZE(NR));
	KUNIT_EXPECT_EQ(test, len, 40);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(msix + 4), NR);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(msix + ARMED), 0xaULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(msix + PENDING), 0x2ULL);
	d = read_back(test, DEVFN);
	KUNIT_EXPECT_NULL(test, d->why);
	KUNIT_EXPECT_TRUE(test, d->valid);
	KUNIT_EXPECT_TRUE(test, d->held);
	KUNIT_EXPECT_EQ(test, d->cap, 0x70);
	KUNIT_EXPECT_EQ(test, d->nr, NR);
	KUNIT_EXPECT_EQ(test, d->table, 0x2000U);
	KUNIT_EXPECT_EQ(test, d->pba, 0x3000U);
	KUNIT_EXPECT_EQ(test, d->ir_reg_base, 0xfed90000ULL);
	KUNIT_EXPECT_EQ(test, *d->armed, 0xaUL);
	KUNIT_EXPECT_EQ(test, *d->pending, 0x2UL);
	KUNIT_ASSERT_EQ(test, d->nr_vecs, 2U);
	KUNIT_EXPECT_EQ(test, d->vecs[0].vector, 1U);
	KUNIT_EXPECT_EQ(test, d->vecs[0].irte, 7U);
	KUNIT_EXPECT_EQ(test, d->vecs[1].vector, 3U);
	KUNIT_EXPECT_EQ(test, d->vecs[1].irte, 9U);
	KUNIT_EXPECT_EQ(test, d->vecs[1].e.lo,
			irqp_irte_remapped(0x31, 1, PCI_DEVID(BUS, DEVFN), false).lo);
}

static void expect_refused(struct kunit *test, const char *why)
{
	struct irqp_dev *d = read_back(test, DEVFN);

	KUNIT_EXPECT_FALSE(test, d->valid);
	KUNIT_EXPECT_STREQ(test, d->why ?: "(valid)", why);
}

/* Resize and mutate the record's "msix" with @fn, then expect @why. */
static void msix_case(struct kunit *test, int len,
		      void (*fn)(struct keepalive_irq_msix *m, u8 *bits),
		      const char *why)
{
	u8 buf[KEEPALIVE_IRQ_MSIX_SIZE(NR) + 8] = {};
	const void *p;
	int old;

	KUNIT_ASSERT_LE(test, len, (int)sizeof(buf));
	write_and_forget(test, false);
	p = dev_prop(test, KEEPALIVE_IRQ_PROP_MSIX, &old);
	KUNIT_ASSERT_EQ(test, old, (int)KEEPALIVE_IRQ_MSIX_SIZE(NR));
	memcpy(buf, p, old);
	if (fn)
		fn((struct keepalive_irq_msix *)buf, buf + ARMED);
	set_prop(test, KEEPALIVE_IRQ_PROP_MSIX, buf, len);
	expect_refused(test, why);
}

static void to_not_held(struct keepalive_irq_msix *m, u8 *bits)
{
	m->control = cpu_to_be16(PCI_MSIX_FLAGS_ENABLE | (NR - 1));
}

static void to_bad_bir(struct keepalive_irq_msix *m, u8 *bits)
{
	m->table = cpu_to_be32(0x2000 | 6);
}

/* 65 vectors: two words per bitmap, which the 40 bytes do not have. */
static void to_65_vectors(struct keepalive_irq_msix *m, u8 *bits)
{
	m->control = cpu_to_be16(PCI_MSIX_FLAGS_ENABLE |
				 PCI_MSIX_FLAGS_MASKALL | 64);
	m->nr_vectors = cpu_to_be16(65);
}

static void armed_beyond_table(struct keepalive_irq_msix *m, u8 *bits)
{
	put_unaligned_be64(0xaULL | BIT_ULL(NR), bits);
}

static void pending_beyond_table(struct keepalive_irq_msix *m, u8 *bits)
{
	put_unaligned_be64(BIT_ULL(63), bits + 8);
}

static void armed_vector_0(struct keepalive_irq_msix *m, u8 *bits)
{
	put_unaligned_be64(0xbULL, bits);
}

static void msix_rules(struct kunit *test)
{
	const int size = KEEPALIVE_IRQ_MSIX_SIZE(NR);
	const char *bad = "its MSI-X record is malformed";

	msix_case(test, size, to_not_held, bad);
	reset(test);
	msix_case(test, size, to_bad_bir, bad);
	reset(test);
	msix_case(test, size, to_65_vectors, bad);
	reset(test);
	/* v1's "msix": the structure alone, its bitmaps elsewhere */
	msix_case(test, sizeof(struct keepalive_irq_msix), NULL, bad);
	reset(test);
	msix_case(test, sizeof(struct keepalive_irq_msix) - 1, NULL, bad);
	reset(test);
	msix_case(test, size - 8, NULL, bad);	/* no pending word */
	reset(test);
	msix_case(test, size - 4, NULL, bad);
	reset(test);
	msix_case(test, size + 8, NULL, bad);	/* a word too many */
	reset(test);
	msix_case(test, size + 4, NULL, bad);
	reset(test);
	msix_case(test, size, armed_beyond_table,
		  "its armed or pending vectors are malformed");
	reset(test);
	msix_case(test, size, pending_beyond_table,
		  "its armed or pending vectors are malformed");
	reset(test);
	msix_case(test, size, armed_vector_0,
		  "its vectors do not match its armed ones");
}

/* v1's 40-byte vectors: the size no longer matches the armed ones. */
static void vectors_v1_size(struct kunit *test)
{
	u8 v1[2 * 40] = {};

	write_and_forget(test, false);
	set_prop(test, KEEPALIVE_IRQ_PROP_VECTORS, v1, sizeof(v1));
	expect_refused(test, "its vectors do not match its armed ones");
}

/* Mutate vector @i of the record with @fn, then expect @why. */
static void vector_case(struct kunit *test, int i,
			void (*fn)(struct keepalive_irq_vector *v),
			const char *why)
{
	struct keepalive_irq_vector v[2];
	int len;

	write_and_forget(test, false);
	memcpy(v, dev_prop(test, KEEPALIVE_IRQ_PROP_VECTORS, &len), sizeof(v));
	KUNIT_ASSERT_EQ(test, len, (int)sizeof(v));
	fn(&v[i]);
	set_prop(test, KEEPALIVE_IRQ_PROP_VECTORS, v, sizeof(v));
	expect_refused(test, why);
}

static void to_vector_2(struct keepalive_irq_vector *v)
{
	v->vector = cpu_to_be16(2);
}

/* Beyond the table (and beyond any table: at least 2048). */
static void to_vector_0xffff(struct keepalive_irq_vector *v)
{
	v->vector = cpu_to_be16(0xffff);
}

/* The second vector's number on the first: not in increasing order. */
static void to_vector_3(struct keepalive_irq_vector *v)
{
	v->vector = cpu_to_be16(3);
}

static void to_irte_8(struct keepalive_irq_vector *v)
{
	v->irte = cpu_to_be16(8);
}

static void to_irte_7(struct keepalive_irq_vector *v)
{
	u32 lo, hi, data;

	irqp_msi_compose(7, &lo, &hi, &data);
	v->irte = cpu_to_be16(7);
	v->addr_lo = cpu_to_be32(lo);
}

static void to_compat_format(struct keepalive_irq_vector *v)
{
	v->addr_lo = cpu_to_be32(0xfee01000);
}

static void to_other_sid(struct keepalive_irq_vector *v)
{
	/* as kho/corrupt.c does: the 64-bit fields are not 8-byte aligned */
	put_unaligned_be64(get_unaligned_be64(&v->irte_hi) ^ 1, &v->irte_hi);
}

static void to_vector_0x10(struct keepalive_irq_vector *v)
{
	v->irte_lo = cpu_to_be64((be64_to_cpu(v->irte_lo) & ~IRQP_IRTE_VECTOR) |
				 0x10ULL << 16);
}

static void vector_rules(struct kunit *test)
{
	vector_case(test, 0, to_vector_2, "a recorded vector is not an armed one");
	reset(test);
	vector_case(test, 1, to_irte_8, "a vector's message names another remapping entry");
	reset(test);
	vector_case(test, 1, to_irte_7, "two of its vectors name one remapping entry");
	reset(test);
	vector_case(test, 0, to_compat_format, "a vector's message is not remappable");
	reset(test);
	vector_case(test, 0, to_other_sid, "its entry's source id is another device's");
	reset(test);
	vector_case(test, 1, to_vector_0x10, "its entry's vector is an exception vector");
	reset(test);
	vector_case(test, 0, to_vector_3, "its vectors are malformed");
	reset(test);
	vector_case(test, 1, to_vector_0xffff, "a recorded vector is not an armed one");
}

static void entry_of_another_device(struct kunit *test)
{
	struct irqp_dev *a, *b;

	/* Both devices name entry 9: whichever is read second is refused. */
	write_and_forget(test, true);
	a = read_back(test, DEVFN);
	mutex_lock(&irqp_lock);
	b = irqp_find(0, BUS, DEVFN + 1);
	mutex_unlock(&irqp_lock);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_NE(test, a->valid, b->valid);
	KUNIT_EXPECT_STREQ(test, (a->valid ? b : a)->why ?: "(valid)",
			   "a remapping entry it names is another device's");
}

/* A posted vector: its record and descriptor checked together. */
static void posted_rules(struct kunit *test)
{
	u64 desc = 0x7654321c0ULL;
	struct irqp_pi_desc pi = { .nv = 0xf2, .ndst = 2 };
	struct keepalive_irq_posted p;
	struct irqp_irte e;
	struct irqp_dev *d;
	u8 raw[64];

	d = make_dev(test, DEVFN, 7, 9);
	/* vector 3 is posted: its entry, re-pointed at the preserved copy */
	e = (struct irqp_irte) {
		.lo = IRQP_IRTE_P | IRQP_IRTE_IM | 0x51ULL << 16,
		.hi = FIELD_PREP(IRQP_IRTE_SID, PCI_DEVID(BUS, DEVFN)) |
		      FIELD_PREP(IRQP_IRTE_SVT, IRQP_SVT_SID),
	};
	d->vecs[1].e = e;
	KUNIT_ASSERT_EQ(test, 0, irqp_irte_repoint(&e, desc));
	KUNIT_EXPECT_NULL(test, irqp_vec_check(d, &d->vecs[1]));
	irqp_pi_encode(&pi, raw);
	/* The serializer: the record, the entry re-pointed at the copy. */
	KUNIT_ASSERT_EQ(test, 0, irqp_posted_record(&d->vecs[1], desc, &pi, &p));
	KUNIT_EXPECT_EQ(test, be32_to_cpu(p.vector), 3U);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(p.irte), 9U);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(p.desc), desc);
	KUNIT_EXPECT_EQ(test, p.nv, 0xf2);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(p.ndst), 2U);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(p.irte_lo), e.lo);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(p.irte_hi), e.hi);
	KUNIT_EXPECT_EQ(test, -EINVAL,
			irqp_posted_record(&d->vecs[0], desc, &pi, &p));
	KUNIT_ASSERT_EQ(test, 0, irqp_posted_record(&d->vecs[1], desc, &pi, &p));
	KUNIT_EXPECT_NULL(test, irqp_posted_check(d, &p, raw));
	p.vector = cpu_to_be32(1);
	KUNIT_EXPECT_STREQ(test, irqp_posted_check(d, &p, raw),
			   "a posted vector is not an armed one");
	p.vector = cpu_to_be32(3);
	p.desc = cpu_to_be64(desc + 64);
	KUNIT_EXPECT_STREQ(test, irqp_posted_check(d, &p, raw),
			   "its entry does not name its preserved descriptor");
	p.desc = cpu_to_be64(desc);
	p.irte_lo = cpu_to_be64(e.lo ^ BIT_ULL(16));
	KUNIT_EXPECT_STREQ(test, irqp_posted_check(d, &p, raw),
			   "a posted vector's entry is not the recorded one");
	p.irte_lo = cpu_to_be64(e.lo);
	p.nv = 0x10;
	KUNIT_EXPECT_STREQ(test, irqp_posted_check(d, &p, raw),
			   "a posted vector's record is malformed");
	p.nv = 0xf3;
	KUNIT_EXPECT_STREQ(test, irqp_posted_check(d, &p, raw),
			   "a posted-interrupt descriptor disagrees with its record");
	p.nv = 0xf2;
	raw[40] = 1;
	KUNIT_EXPECT_STREQ(test, irqp_posted_check(d, &p, raw),
			   "a posted-interrupt descriptor is malformed");
}

/*
 * The writer refuses, with a warning, a vector whose number or entry does
 * not fit the record; irqp_vec_record() says so without one.
 */
static void vector_ranges(struct kunit *test)
{
	struct irqp_vec v = {
		.vector = KEEPALIVE_IRQ_MAX_VECTORS - 1, .irte = U16_MAX,
		.addr_lo = 0x11223344, .addr_hi = 0x55667788, .data = 0x99aabbcc,
		.e = { .lo = 0x0102030405060708ULL, .hi = 0x1112131415161718ULL },
	};
	struct keepalive_irq_vector rv;
	const u8 *b = (const u8 *)&rv;

	KUNIT_ASSERT_EQ(test, 0, irqp_vec_record(&v, &rv));
	/* The layout, byte for byte: 2 + 2 + 4 + 4 + 4 + 8 + 8. */
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(b), 2047);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(b + 2), 0xffff);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(b + 4), 0x11223344U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(b + 8), 0x55667788U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(b + 12), 0x99aabbccU);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(b + 16), v.e.lo);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(b + 24), v.e.hi);
	v.vector = KEEPALIVE_IRQ_MAX_VECTORS;
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_vec_record(&v, &rv));
	v.vector = 0x10001;	/* would read back as vector 1 */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_vec_record(&v, &rv));
	v.vector = 1;
	v.irte = U16_MAX + 1;	/* would read back as entry 0 */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_vec_record(&v, &rv));
}

/* Write what the list holds; how many bytes the structure block grew. */
static int write_size(struct kunit *test)
{
	struct rc *rc = test->priv;
	int before = fdt_size_dt_struct(rc->fdt), ret;

	mutex_lock(&irqp_lock);
	ret = irqp_record_write(rc->fdt, rc->node);
	mutex_unlock(&irqp_lock);
	KUNIT_ASSERT_EQ(test, 0, ret);
	return fdt_size_dt_struct(rc->fdt) - before;
}

/*
 * One armed vector of a table of at most 64 costs 112 bytes of the FDT's
 * structure block for 0000:00:03.0 ("pci@18"): node 16 + "msix" (12 + 24
 * + 2 * 8) + "vectors" (12 + 32), and at most 128 for any device (120
 * for "pci@ffffffff"). Property names are strings, stored once per image
 * in the strings block whatever the number of records: they are not
 * counted. (Version 1 took 196 bytes.)
 */
static void record_size(struct kunit *test)
{
	struct rc *rc = test->priv;
	struct irqp_dev *d;
	int size;

	d = make_dev(test, 0x18, 7, 9);
	d->bus = 0;
	__clear_bit(3, d->armed);
	d->nr_vecs = 1;
	d->vecs[0].e = irqp_irte_remapped(0x30, 1, PCI_DEVID(0, 0x18), false);
	size = write_size(test);
	KUNIT_EXPECT_EQ(test, size, 112);
	KUNIT_EXPECT_LE(test, size, 128);
	KUNIT_EXPECT_LE(test, 0, fdt_subnode_offset(rc->fdt, rc->node, "pci@18"));
	/* and it reads back, valid */
	free_all();
	mutex_lock(&irqp_lock);
	KUNIT_EXPECT_EQ(test, 0, irqp_record_read(rc->fdt, rc->node));
	d = irqp_find(0, 0, 0x18);
	KUNIT_EXPECT_TRUE(test, d && d->valid && d->nr_vecs == 1);
	mutex_unlock(&irqp_lock);

	/* The longest name: 0xffff:ff:1f.7. */
	reset(test);
	d = make_dev(test, 0xff, 7, 9);
	d->segment = 0xffff;
	d->bus = 0xff;
	__clear_bit(3, d->armed);
	d->nr_vecs = 1;
	size = write_size(test);
	KUNIT_EXPECT_EQ(test, size, 120);
	KUNIT_EXPECT_LE(test, size, 128);
	KUNIT_EXPECT_LE(test, 0,
			fdt_subnode_offset(rc->fdt, rc->node, "pci@ffffffff"));

	/* Each further armed vector: 32 bytes. */
	reset(test);
	make_dev(test, DEVFN, 7, 9);
	KUNIT_EXPECT_EQ(test, write_size(test), 112 + 32);
}

/*
 * A table of 100 vectors: two words per bitmap, armed then pending, and
 * 16 bytes more than a table of at most 64.
 */
static void wide_table(struct kunit *test)
{
	struct irqp_dev *d = make_dev(test, DEVFN, 7, 9);
	const unsigned int nr = 100;
	const u8 *msix;
	int len;

	d->nr = nr;
	d->control = PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (nr - 1);
	bitmap_free(d->armed);
	bitmap_free(d->pending);
	d->armed = bitmap_zalloc(nr, GFP_KERNEL);
	d->pending = bitmap_zalloc(nr, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, d->armed && d->pending);
	__set_bit(1, d->armed);
	__set_bit(70, d->armed);
	d->vecs[1].vector = 70;
	__set_bit(64, d->pending);
	__set_bit(99, d->pending);
	KUNIT_EXPECT_EQ(test, write_size(test), 112 + 32 + 16);
	free_all();

	msix = dev_prop(test, KEEPALIVE_IRQ_PROP_MSIX, &len);
	KUNIT_ASSERT_EQ(test, len, 24 + 4 * 8);
	KUNIT_EXPECT_EQ(test, len, (int)KEEPALIVE_IRQ_MSIX_SIZE(nr));
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(msix + 24), BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(msix + 32), BIT_ULL(6));
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(msix + 40), 0ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(msix + 48),
			BIT_ULL(0) | BIT_ULL(35));

	d = read_back(test, DEVFN);
	KUNIT_EXPECT_NULL(test, d->why);
	KUNIT_EXPECT_EQ(test, d->nr, nr);
	KUNIT_EXPECT_EQ(test, bitmap_weight(d->armed, nr), 2U);
	KUNIT_EXPECT_TRUE(test, test_bit(1, d->armed) && test_bit(70, d->armed));
	KUNIT_EXPECT_EQ(test, bitmap_weight(d->pending, nr), 2U);
	KUNIT_EXPECT_TRUE(test, test_bit(64, d->pending) &&
			  test_bit(99, d->pending));
	KUNIT_ASSERT_EQ(test, d->nr_vecs, 2U);
	KUNIT_EXPECT_EQ(test, d->vecs[1].vector, 70U);
}

/*
 * A subnode with the "pci@" prefix whose name is not the canonical one is
 * logged and left out: no entry, its device is reset at enumeration. A
 * subnode without the prefix (v1's "device@0" included) is ignored.
 */
static void bad_names(struct kunit *test)
{
	static const char * const names[] = {
		"pci@0310", "pci@0x310", "pci@31A", "pci@", "pci@+310",
		"pci@310,0", "pci@100000000", "device@0", "PCI@310",
	};
	struct rc *rc = test->priv;
	unsigned int i;
	int node, ret;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		reset(test);
		write_and_forget(test, false);
		node = fdt_subnode_offset(rc->fdt, rc->node, DEV_NODE);
		KUNIT_ASSERT_LE(test, 0, node);
		KUNIT_ASSERT_EQ(test, 0, fdt_set_name(rc->fdt, node, names[i]));
		mutex_lock(&irqp_lock);
		ret = irqp_record_read(rc->fdt, rc->node);
		KUNIT_EXPECT_TRUE_MSG(test, list_empty(&irqp_devs),
				      "\"%s\" read as a record", names[i]);
		mutex_unlock(&irqp_lock);
		KUNIT_EXPECT_EQ(test, 0, ret);
	}
}

/* Two records of one device: the first is read, the second left out. */
static void recorded_twice(struct kunit *test)
{
	struct rc *rc = test->priv;
	struct irqp_dev *d;
	int node, n = 0;

	/*
	 * The writer puts 03:02.1 first; 03:02.0's record renamed after it
	 * is the second record of 03:02.1.
	 */
	write_and_forget(test, true);
	node = fdt_subnode_offset(rc->fdt, rc->node, DEV_NODE);
	KUNIT_ASSERT_LE(test, 0, node);
	KUNIT_ASSERT_EQ(test, 0, fdt_set_name(rc->fdt, node, "pci@311"));
	mutex_lock(&irqp_lock);
	KUNIT_EXPECT_EQ(test, 0, irqp_record_read(rc->fdt, rc->node));
	list_for_each_entry(d, &irqp_devs, list)
		n++;
	d = irqp_find(0, BUS, DEVFN + 1);
	KUNIT_EXPECT_TRUE(test, d && d->valid);
	mutex_unlock(&irqp_lock);
	KUNIT_EXPECT_EQ(test, n, 1);
}

static struct kunit_case keepalive_irq_record_cases[] = {
	KUNIT_CASE(round_trip),
	KUNIT_CASE(msix_rules),
	KUNIT_CASE(vectors_v1_size),
	KUNIT_CASE(vector_rules),
	KUNIT_CASE(vector_ranges),
	KUNIT_CASE(record_size),
	KUNIT_CASE(wide_table),
	KUNIT_CASE(bad_names),
	KUNIT_CASE(recorded_twice),
	KUNIT_CASE(entry_of_another_device),
	KUNIT_CASE(posted_rules),
	{}
};

static struct kunit_suite keepalive_irq_record_suite = {
	.name = "keepalive_irq_records",
	.init = rc_init,
	.exit = rc_exit,
	.test_cases = keepalive_irq_record_cases,
};

kunit_test_suite(keepalive_irq_record_suite);
