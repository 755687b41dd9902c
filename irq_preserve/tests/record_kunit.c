// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the interrupt records (irq_preserve/record.c): a record
 * written at STOP reads back field for field, and each rule the next
 * kernel applies refuses a record that breaks it, with its exact reason.
 *
 * The records are written and read through the participant's own list
 * (held aside meanwhile, each step under irqp_lock) into a small image in
 * plain memory; no device is touched.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "../irqp.h"

#define BUS	3
#define DEVFN	0x10
#define NR	4
#define FDT_SIZE 4096

struct rc {
	void *fdt;
	int node;
	struct list_head saved;
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
	int node = fdt_subnode_offset(rc->fdt, rc->node, "device@0");
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
	int node = fdt_subnode_offset(rc->fdt, rc->node, "device@0");

	KUNIT_ASSERT_EQ(test, 0, fdt_setprop(rc->fdt, node, name, v, len));
}

static void round_trip(struct kunit *test)
{
	struct irqp_dev *d;

	write_and_forget(test, false);
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

static void msix_not_held(struct kunit *test)
{
	struct keepalive_irq_msix m;
	int len;

	write_and_forget(test, false);
	memcpy(&m, dev_prop(test, KEEPALIVE_IRQ_PROP_MSIX, &len), sizeof(m));
	m.control = cpu_to_be16(PCI_MSIX_FLAGS_ENABLE | (NR - 1));
	set_prop(test, KEEPALIVE_IRQ_PROP_MSIX, &m, sizeof(m));
	expect_refused(test, "its MSI-X record is malformed");
}

static void msix_bad_bir(struct kunit *test)
{
	struct keepalive_irq_msix m;
	int len;

	write_and_forget(test, false);
	memcpy(&m, dev_prop(test, KEEPALIVE_IRQ_PROP_MSIX, &len), sizeof(m));
	m.table = cpu_to_be32(0x2000 | 6);
	set_prop(test, KEEPALIVE_IRQ_PROP_MSIX, &m, sizeof(m));
	expect_refused(test, "its MSI-X record is malformed");
}

static void armed_beyond_table(struct kunit *test)
{
	fdt64_t c = cpu_to_fdt64(0xaULL | BIT_ULL(NR));

	write_and_forget(test, false);
	set_prop(test, KEEPALIVE_IRQ_PROP_ARMED, &c, sizeof(c));
	expect_refused(test, "its armed or pending vectors are malformed");
}

static void vectors_not_armed(struct kunit *test)
{
	fdt64_t c = cpu_to_fdt64(0xbULL);	/* vector 0 armed too */

	write_and_forget(test, false);
	set_prop(test, KEEPALIVE_IRQ_PROP_ARMED, &c, sizeof(c));
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
	v->vector = cpu_to_be32(2);
}

static void to_irte_8(struct keepalive_irq_vector *v)
{
	v->irte = cpu_to_be32(8);
}

static void to_irte_7(struct keepalive_irq_vector *v)
{
	u32 lo, hi, data;

	irqp_msi_compose(7, &lo, &hi, &data);
	v->irte = cpu_to_be32(7);
	v->addr_lo = cpu_to_be32(lo);
}

static void to_compat_format(struct keepalive_irq_vector *v)
{
	v->addr_lo = cpu_to_be32(0xfee01000);
}

static void to_other_sid(struct keepalive_irq_vector *v)
{
	v->irte_hi = cpu_to_be64(be64_to_cpu(v->irte_hi) ^ 1);
}

static void to_vector_0x10(struct keepalive_irq_vector *v)
{
	v->irte_lo = cpu_to_be64((be64_to_cpu(v->irte_lo) & ~IRQP_IRTE_VECTOR) |
				 0x10ULL << 16);
}

static void to_reserved(struct keepalive_irq_vector *v)
{
	v->reserved = cpu_to_be32(1);
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
	vector_case(test, 0, to_reserved, "its vectors are malformed");
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

static struct kunit_case keepalive_irq_record_cases[] = {
	KUNIT_CASE(round_trip),
	KUNIT_CASE(msix_not_held),
	KUNIT_CASE(msix_bad_bir),
	KUNIT_CASE(armed_beyond_table),
	KUNIT_CASE(vectors_not_armed),
	KUNIT_CASE(vector_rules),
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
