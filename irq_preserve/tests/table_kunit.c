// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the handover interrupt remapping table (irq_preserve/table.c):
 * its size, its IRTA value, and what it holds.
 */
#include <kunit/test.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/list.h>
#include <linux/slab.h>

#include "../irqp.h"

#define UNIT	0xfed90000ULL
#define OTHER	0xfed91000ULL

static void table_entries(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, irqp_table_entries(0), 2U);
	KUNIT_EXPECT_EQ(test, irqp_table_entries(1), 2U);
	KUNIT_EXPECT_EQ(test, irqp_table_entries(2), 4U);
	KUNIT_EXPECT_EQ(test, irqp_table_entries(17), 32U);
	KUNIT_EXPECT_EQ(test, irqp_table_entries(31), 32U);
	KUNIT_EXPECT_EQ(test, irqp_table_entries(32), 64U);
	KUNIT_EXPECT_EQ(test, irqp_table_entries(65535), 65536U);
	KUNIT_EXPECT_EQ(test, irqp_table_entries(65536), 0U);
}

static void table_irta(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, irqp_irta(0x37906000, 32, false), 0x37906004ULL);
	KUNIT_EXPECT_EQ(test, irqp_irta(0x37906000, 2, true), 0x37906800ULL);
	KUNIT_EXPECT_EQ(test, irqp_irta(0x200000, 65536, false), 0x20000fULL);
	/* Misaligned, not a power of two, out of range. */
	KUNIT_EXPECT_EQ(test, irqp_irta(0x37906010, 32, false), 0ULL);
	KUNIT_EXPECT_EQ(test, irqp_irta(0x37906000, 24, false), 0ULL);
	KUNIT_EXPECT_EQ(test, irqp_irta(0x37906000, 1, false), 0ULL);
	KUNIT_EXPECT_EQ(test, irqp_irta(0x37906000, 131072, false), 0ULL);
	KUNIT_EXPECT_EQ(test, irqp_irta_entries(0x37906004), 32U);
	KUNIT_EXPECT_EQ(test, irqp_irta_entries(0x20000f), 65536U);
	KUNIT_EXPECT_EQ(test, irqp_irta_entries(irqp_irta(0x1000, 8, true)), 8U);
}

static void add(struct list_head *devs, struct irqp_dev *d, u64 unit,
		bool incoming, struct irqp_vec *v, unsigned int n)
{
	*d = (struct irqp_dev) {
		.held = true, .incoming = incoming, .ir_reg_base = unit,
		.vecs = v, .nr_vecs = n,
	};
	list_add_tail(&d->list, devs);
}

static struct irqp_vec vec(u32 irte, u64 lo)
{
	return (struct irqp_vec) {
		.irte = irte, .e = { .lo = lo, .hi = 0x4001aULL | irte << 20 },
	};
}

static void table_fill(struct kunit *test)
{
	struct irqp_dev *d = kunit_kcalloc(test, 4, sizeof(*d), GFP_KERNEL);
	struct irqp_vec *v = kunit_kcalloc(test, 5, sizeof(*v), GFP_KERNEL);
	struct irqp_irte *t = kunit_kcalloc(test, 32, sizeof(*t), GFP_KERNEL);
	unsigned int i;
	LIST_HEAD(devs);

	KUNIT_ASSERT_TRUE(test, d && v && t);
	memset(t, 0xa5, 32 * sizeof(*t));
	v[0] = vec(17, 0x2100001);
	v[1] = vec(18, 0x2200001);
	v[2] = vec(5, 0x2300001);	/* another unit's */
	v[3] = vec(6, 0x2400001);	/* a record of the previous kernel */
	add(&devs, &d[0], UNIT, false, &v[0], 2);
	add(&devs, &d[1], OTHER, false, &v[2], 1);
	add(&devs, &d[2], UNIT, true, &v[3], 1);
	add(&devs, &d[3], UNIT, false, NULL, 0);	/* nothing armed */
	d[3].held = true;
	KUNIT_ASSERT_EQ(test, irqp_table_fill(t, 32, &devs, UNIT), 0);
	for (i = 0; i < 32; i++) {
		if (i == 17 || i == 18)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, t[i].lo | t[i].hi, 0ULL,
				    "entry %u is not empty", i);
	}
	KUNIT_EXPECT_EQ(test, t[17].lo, v[0].e.lo);
	KUNIT_EXPECT_EQ(test, t[17].hi, v[0].e.hi);
	KUNIT_EXPECT_EQ(test, t[18].lo, v[1].e.lo);

	/* A device not held any more is left out. */
	d[0].held = false;
	KUNIT_ASSERT_EQ(test, irqp_table_fill(t, 32, &devs, UNIT), 0);
	KUNIT_EXPECT_EQ(test, t[17].lo | t[18].lo, 0ULL);
	d[0].held = true;

	/* An entry beyond the table; two vectors naming one entry. */
	KUNIT_EXPECT_EQ(test, irqp_table_fill(t, 16, &devs, UNIT), -ERANGE);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, t[i].lo | t[i].hi, 0ULL);
	v[1].irte = 17;
	KUNIT_EXPECT_EQ(test, irqp_table_fill(t, 32, &devs, UNIT), -EEXIST);
	KUNIT_EXPECT_EQ(test, t[17].lo, 0ULL);
}

static struct kunit_case keepalive_irq_table_cases[] = {
	KUNIT_CASE(table_entries),
	KUNIT_CASE(table_irta),
	KUNIT_CASE(table_fill),
	{}
};

static struct kunit_suite keepalive_irq_table_suite = {
	.name = "keepalive_irq_table",
	.test_cases = keepalive_irq_table_cases,
};

kunit_test_suite(keepalive_irq_table_suite);

MODULE_LICENSE("GPL");
