// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the AMD-Vi interrupt formats irq_preserve/ reads and
 * writes (amd.c): the messages the AMD IOMMU driver writes, remapping
 * entries in the 32-bit and the 128-bit ("GA") format, the device table's
 * interrupt word of a handover table and the check of its record, and an
 * armed vector's record checked through the AMD-Vi backend.
 *
 * Our encoders are read back through the driver's own view of an entry
 * (union irte, struct irte_ga and the DTE_* masks of amd_iommu_types.h),
 * written independently of ours; every rule of the checks has a case that
 * breaks it and expects the exact reason.
 */
#include <kunit/test.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/pci.h>

#include "amd/amd_iommu_types.h"
#include "../irqp.h"

#define GA	KEEPALIVE_IRQ_F_AMD_GA
#define X2	KEEPALIVE_IRQ_F_X2APIC
#define TABLE	0x12345000ULL	/* a page-aligned handover table */
#define INTTYPE	"its entry's interrupt type is not fixed or arbitrated"
#define RSVD	"its entry has reserved bits set"

static void msi_index_driver_format(struct kunit *test)
{
	static const u32 idx[] = { 0, 1, 31, 32, 255, 256, MAX_IRQS_PER_TABLE - 1 };
	u32 got;
	int i;

	/* fill_msi_msg(): address 0xFEE00000, the index as the data */
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		KUNIT_ASSERT_EQ(test, 0,
				irqp_amd_msi_index(0xfee00000, 0, idx[i], &got));
		KUNIT_EXPECT_EQ(test, got, idx[i]);
	}
}

static void msi_index_refused(struct kunit *test)
{
	u32 got = 0x55;

	/* beyond the driver's table */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			irqp_amd_msi_index(0xfee00000, 0, MAX_IRQS_PER_TABLE, &got));
	/* data bits above the index (a compatibility-format message) */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_amd_msi_index(0xfee00000, 0, 0x4041, &got));
	/* a VT-d remappable address, a destination in the address */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_amd_msi_index(0xfee00010, 0, 1, &got));
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_amd_msi_index(0xfee01000, 0, 1, &got));
	/* not the interrupt range, high address set */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_amd_msi_index(0xfed00000, 0, 1, &got));
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_amd_msi_index(0xfee00000, 1, 1, &got));
	KUNIT_EXPECT_EQ(test, got, 0x55U);
}

/* Our 32-bit encoding, read through the driver's union irte. */
static void irte32_fields(struct kunit *test)
{
	struct irqp_irte e = irqp_amd_irte(0x41, 0x07, false);
	union irte k = { .val = lower_32_bits(e.lo) };

	KUNIT_EXPECT_EQ(test, e.hi, 0ULL);
	KUNIT_EXPECT_EQ(test, upper_32_bits(e.lo), 0U);
	KUNIT_EXPECT_EQ(test, (u64)k.fields.valid, 1ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.fields.no_fault, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.fields.int_type, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.fields.rq_eoi, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.fields.dm, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.fields.destination, 0x07ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.fields.vector, 0x41ULL);
	KUNIT_EXPECT_NULL(test, irqp_amd_entry_check(&e, 0, 0));
}

/* Our 128-bit encoding, read through the driver's struct irte_ga. */
static void irte_ga_fields(struct kunit *test)
{
	struct irqp_irte e = irqp_amd_irte(0xec, 0x12345678, true);
	struct irte_ga k = { .lo.val = e.lo, .hi.val = e.hi };

	KUNIT_EXPECT_EQ(test, (u64)k.lo.fields_remap.valid, 1ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.lo.fields_remap.guest_mode, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.lo.fields_remap.int_type, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.lo.fields_remap.destination, 0x345678ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.lo.fields_remap.ga_tag, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.hi.fields.vector, 0xecULL);
	KUNIT_EXPECT_EQ(test, (u64)k.hi.fields.destination, 0x12ULL);
	KUNIT_EXPECT_EQ(test, (u64)k.hi.fields.ga_root_ptr, 0ULL);
	/* a 32-bit destination needs x2APIC mode */
	KUNIT_EXPECT_NULL(test, irqp_amd_entry_check(&e, 0, GA | X2));
	KUNIT_EXPECT_STREQ(test, irqp_amd_entry_check(&e, 0, GA),
			   "its entry's destination is not an xAPIC id");
	e = irqp_amd_irte(0xec, 0x03, true);
	KUNIT_EXPECT_NULL(test, irqp_amd_entry_check(&e, 0, GA));
}

struct rule {
	u64 lo_set, lo_clear, hi_set;
	const char *why;
};

static void check_rules(struct kunit *test, bool ga, const struct rule *r,
			int n)
{
	struct irqp_irte good = irqp_amd_irte(0x41, 0x07, ga), e;
	u16 flags = ga ? GA : 0;
	int i;

	KUNIT_ASSERT_NULL(test, irqp_amd_entry_check(&good, 0, flags));
	for (i = 0; i < n; i++) {
		e = good;
		e.lo = (e.lo | r[i].lo_set) & ~r[i].lo_clear;
		e.hi |= r[i].hi_set;
		KUNIT_EXPECT_STREQ_MSG(test, irqp_amd_entry_check(&e, 0, flags),
				       r[i].why, "%s rule %d", ga ? "ga" : "32", i);
	}
}

static void irte32_rules(struct kunit *test)
{
	static const struct rule r[] = {
		{ .lo_clear = BIT(0), .why = "its entry is not present" },
		{ .lo_set = 2 << 2, .why = INTTYPE },
		{ .lo_set = BIT(5), .why = "its entry requests an EOI" },
		{ .lo_set = BIT(7), .why = RSVD },
		{ .lo_set = BIT(24), .why = RSVD },
		{ .lo_set = BIT_ULL(32), .why = RSVD },
		{ .hi_set = 1, .why = RSVD },
		{ .lo_clear = 0x41ULL << 16, .lo_set = 0x1fULL << 16,
		  .why = "its entry's vector is an exception's" },
	};
	struct irqp_irte e = irqp_amd_irte(0x41, 0x07, false);

	check_rules(test, false, r, ARRAY_SIZE(r));
	/* arbitrated delivery, logical destination, no fault report: fine */
	e.lo |= 1 << 2 | BIT(6) | BIT(1);
	KUNIT_EXPECT_NULL(test, irqp_amd_entry_check(&e, 0, 0));
	/* a 128-bit entry read as 32-bit: its vector is in the high half */
	e = irqp_amd_irte(0x41, 0x07, true);
	KUNIT_EXPECT_STREQ(test, irqp_amd_entry_check(&e, 0, 0),
			   "its entry has reserved bits set");
}

static void irte_ga_rules(struct kunit *test)
{
	static const struct rule r[] = {
		{ .lo_clear = BIT(0), .why = "its entry is not present" },
		{ .lo_set = BIT(7), .why = "its entry is in guest (posted) mode" },
		{ .lo_set = 3 << 2, .why = INTTYPE },
		{ .lo_set = BIT(5), .why = "its entry requests an EOI" },
		{ .lo_set = BIT_ULL(32), .why = RSVD },
		{ .hi_set = BIT(8), .why = RSVD },
		{ .hi_set = BIT(12), .why = RSVD },
		{ .hi_set = BIT_ULL(52), .why = RSVD },
		{ .hi_set = BIT_ULL(56), .why = "its entry's destination is not an xAPIC id" },
		{ .lo_set = BIT(16), .why = "its entry's destination is not an xAPIC id" },
	};
	struct irqp_irte e = irqp_amd_irte(0x10, 0, true);

	check_rules(test, true, r, ARRAY_SIZE(r));
	KUNIT_EXPECT_STREQ(test, irqp_amd_entry_check(&e, 0, GA),
			   "its entry's vector is an exception's");
	/* flags another vendor's reader would not know */
	e = irqp_amd_irte(0x41, 0, true);
	KUNIT_EXPECT_STREQ(test, irqp_amd_entry_check(&e, 0, GA | 0x4),
			   "its entries are not in an AMD-Vi format");
}

/* The word, as set_dte_irq_entry() composes it from the driver's masks. */
static void dte_word(struct kunit *test)
{
	u64 w = irqp_amd_dte_irq(TABLE);
	unsigned int entries = 0;

	KUNIT_EXPECT_EQ(test, w, TABLE | DTE_IRQ_REMAP_INTCTL | DTE_INTTABLEN |
			DTE_IRQ_REMAP_ENABLE);
	KUNIT_EXPECT_EQ(test, w & DTE_IRQ_PHYS_ADDR_MASK, TABLE);
	KUNIT_EXPECT_EQ(test, w & DTE_IRQ_REMAP_INTCTL_MASK, DTE_IRQ_REMAP_INTCTL);
	KUNIT_EXPECT_EQ(test, w & DTE_INTTABLEN_MASK, DTE_INTTABLEN);
	/* not 128-byte aligned, beyond the root field */
	KUNIT_EXPECT_EQ(test, irqp_amd_dte_irq(TABLE + 0x40), 0ULL);
	KUNIT_EXPECT_EQ(test, irqp_amd_dte_irq(BIT_ULL(52)), 0ULL);
	/* its record, either entry format */
	KUNIT_EXPECT_NULL(test, irqp_amd_table_check(w, TABLE, 2 * PAGE_SIZE,
						     &entries));
	KUNIT_EXPECT_EQ(test, entries, (unsigned int)MAX_IRQS_PER_TABLE);
	KUNIT_EXPECT_NULL(test, irqp_amd_table_check(w, TABLE, PAGE_SIZE,
						     &entries));
}

static void dte_word_refused(struct kunit *test)
{
	static const char word[] = "its device table interrupt word is not a remapping one";
	static const char range[] = "its table is not the pool range its interrupt word names";
	u64 w = irqp_amd_dte_irq(TABLE);
	unsigned int n;

	/* IV clear; IntCtl abort (00b) and forward unmapped (01b) */
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w & ~1ULL, TABLE, 2 * PAGE_SIZE, &n), word);
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w & ~DTE_IRQ_REMAP_INTCTL_MASK,
						      TABLE, 2 * PAGE_SIZE, &n), word);
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check((w & ~DTE_IRQ_REMAP_INTCTL_MASK) |
						      1ULL << 60, TABLE, 2 * PAGE_SIZE, &n),
			   word);
	/* a pass bit (InitPass, 56), IG (5), a table of 1 or 4096 entries */
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w | BIT_ULL(56), TABLE,
						      2 * PAGE_SIZE, &n), word);
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w | BIT(5), TABLE, 2 * PAGE_SIZE, &n), word);
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w & ~DTE_INTTABLEN_MASK, TABLE,
						      PAGE_SIZE, &n), word);
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check((w & ~DTE_INTTABLEN_MASK) | 12 << 1,
						      TABLE, 16 * PAGE_SIZE, &n), word);
	/* the range is not the table */
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w, TABLE + PAGE_SIZE, 2 * PAGE_SIZE, &n),
			   range);
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w, TABLE, 3 * PAGE_SIZE, &n), range);
	KUNIT_EXPECT_STREQ(test, irqp_amd_table_check(w | 0x80, TABLE + 0x80, 2 * PAGE_SIZE, &n),
			   range);
}

/* An armed vector's record, checked through the AMD-Vi backend. */
static void vector_record(struct kunit *test)
{
	const struct irqp_backend *was = irqp_hw;
	unsigned long armed = BIT(1);
	struct irqp_dev d = {
		.bus = 3, .devfn = PCI_DEVFN(0, 0), .nr = 2, .flags = GA,
		.armed = &armed,
	};
	struct irqp_vec v = {
		.vector = 1, .irte = 33, .addr_lo = 0xfee00000, .data = 33,
		.e = irqp_amd_irte(0x41, 0x01, true),
	};

	irqp_hw = &irqp_amd;
	KUNIT_EXPECT_NULL(test, irqp_vec_check(&d, &v));
	/* the same message read as VT-d's is not remappable */
	irqp_hw = &irqp_vtd;
	KUNIT_EXPECT_STREQ(test, irqp_vec_check(&d, &v),
			   "a vector's message is not remappable");
	irqp_hw = &irqp_amd;
	v.data = 34;
	KUNIT_EXPECT_STREQ(test, irqp_vec_check(&d, &v),
			   "a vector's message names another remapping entry");
	v.data = 33;
	v.addr_lo |= BIT(4);
	KUNIT_EXPECT_STREQ(test, irqp_vec_check(&d, &v),
			   "a vector's message is not remappable");
	v.addr_lo = 0xfee00000;
	/* a 32-bit record where this kernel uses 128-bit entries */
	d.flags = 0;
	KUNIT_EXPECT_STREQ(test, irqp_vec_check(&d, &v),
			   "its entry has reserved bits set");
	d.flags = GA;
	v.e.lo &= ~1ULL;
	KUNIT_EXPECT_STREQ(test, irqp_vec_check(&d, &v), "its entry is not present");
	irqp_hw = was;
}

static struct kunit_case keepalive_irq_amd_cases[] = {
	KUNIT_CASE(msi_index_driver_format),
	KUNIT_CASE(msi_index_refused),
	KUNIT_CASE(irte32_fields),
	KUNIT_CASE(irte_ga_fields),
	KUNIT_CASE(irte32_rules),
	KUNIT_CASE(irte_ga_rules),
	KUNIT_CASE(dte_word),
	KUNIT_CASE(dte_word_refused),
	KUNIT_CASE(vector_record),
	{}
};

static struct kunit_suite keepalive_irq_amd_suite = {
	.name = "keepalive_irq_amd",
	.test_cases = keepalive_irq_amd_cases,
};

kunit_test_suite(keepalive_irq_amd_suite);

MODULE_LICENSE("GPL");
