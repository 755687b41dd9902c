// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the interrupt formats irq_preserve/ reads (irte.c):
 * remappable MSI messages, remapping entries in remapped and posted mode
 * and posted-interrupt descriptors.
 *
 * Our encoders are checked field by field against the kernel's own view of
 * an entry (struct irte's bit fields, include/linux/dmar.h), which is
 * written independently of ours; every rule of the checks has a case that
 * breaks it and expects the exact reason.
 */
#include <kunit/test.h>
#include <linux/dmar.h>

#include "../irte.h"

#define SID	0x0310		/* 03:02.0 */
#define DESC	0x12345678c0ULL	/* a 64-byte aligned descriptor */

static void msi_index_round_trip(struct kunit *test)
{
	static const u32 idx[] = { 0, 1, 5, 0x7fff, 0x8000, 0x8001, 0xffff };
	u32 lo, hi, data, got;
	int i;

	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		irqp_msi_compose(idx[i], &lo, &hi, &data);
		KUNIT_EXPECT_EQ(test, lo & 0xfff00000U, 0xfee00000U);
		KUNIT_EXPECT_TRUE(test, lo & BIT(4));
		KUNIT_EXPECT_FALSE(test, lo & BIT(3));
		KUNIT_ASSERT_EQ(test, 0, irqp_msi_index(lo, hi, data, &got));
		KUNIT_EXPECT_EQ(test, got, idx[i]);
	}
	/* handle 0x8002: bit 15 in address bit 2, bits 14:0 in 19:5 */
	irqp_msi_compose(0x8002, &lo, &hi, &data);
	KUNIT_EXPECT_EQ(test, lo, 0xfee00000U | 2 << 5 | BIT(4) | BIT(2));
	/* SHV: the data's subhandle is added to the handle */
	KUNIT_ASSERT_EQ(test, 0, irqp_msi_index(0xfee00000U | 8 << 5 | BIT(4) |
						BIT(3), 0, 0xabcd0003, &got));
	KUNIT_EXPECT_EQ(test, got, 11U);
}

static void msi_index_refused(struct kunit *test)
{
	u32 got = 0x55;

	/* compatibility format (bit 4 clear) */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_msi_index(0xfee01000, 0, 0x4041, &got));
	/* not the interrupt address range */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_msi_index(0xfed00010, 0, 0, &got));
	/* high address set */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_msi_index(0xfee00010, 1, 0, &got));
	/* handle + subhandle beyond the table */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			irqp_msi_index(0xfee00000U | 0x7fff << 5 | BIT(4) |
				       BIT(3) | BIT(2), 0, 1, &got));
	KUNIT_EXPECT_EQ(test, got, 0x55U);
}

/* Our encoding, read through the kernel's bit fields. */
static void irte_remapped_fields(struct kunit *test)
{
	struct irqp_irte e = irqp_irte_remapped(0x41, 3, SID, false);
	struct irte k = { .low = e.lo, .high = e.hi };

	KUNIT_EXPECT_EQ(test, (u64)k.present, (u64)1);
	KUNIT_EXPECT_EQ(test, (u64)k.fpd, (u64)0);
	KUNIT_EXPECT_EQ(test, (u64)k.pst, (u64)0);
	KUNIT_EXPECT_EQ(test, (u64)k.r_vector, (u64)0x41);
	KUNIT_EXPECT_EQ(test, (u64)k.dst_mode, (u64)0);
	KUNIT_EXPECT_EQ(test, (u64)k.dlvry_mode, (u64)0);
	KUNIT_EXPECT_EQ(test, (u64)k.sid, (u64)SID);
	KUNIT_EXPECT_EQ(test, (u64)k.sq, (u64)0);
	KUNIT_EXPECT_EQ(test, (u64)k.svt, (u64)1);
	KUNIT_EXPECT_EQ(test, (u64)k.dest_id, (u64)3U << 8);

	e = irqp_irte_remapped(0xef, 0x12345, SID, true);
	k = (struct irte) { .low = e.lo, .high = e.hi };
	KUNIT_EXPECT_EQ(test, (u64)k.r_vector, (u64)0xef);
	KUNIT_EXPECT_EQ(test, (u64)k.dest_id, (u64)0x12345U);

	/* And the other way round: the kernel's entry, our check. */
	k = (struct irte) {};
	k.present = 1;
	k.r_vector = 0x22;
	k.dlvry_mode = 1;
	k.dest_id = 7 << 8;
	k.sid = SID;
	k.svt = 1;
	e = (struct irqp_irte) { .lo = k.low, .hi = k.high };
	KUNIT_EXPECT_NULL(test, irqp_irte_check(&e, SID, false));
}

struct irte_case {
	const char *what;
	u64 lo_set, lo_clear, hi_set, hi_clear;
	bool x2apic;
	u16 sid;
	const char *why;
};

static const struct irte_case irte_cases[] = {
	{ "valid", 0, 0, 0, 0, false, SID, NULL },
	{ "valid x2apic", 0xabcdULL << 32, 0, 0, 0, true, SID, NULL },
	{ "not present", 0, IRQP_IRTE_P, 0, 0, false, SID,
	  "its entry is not present" },
	{ "posted", IRQP_IRTE_IM, 0, 0, 0, false, SID,
	  "its entry is posted, not remapped" },
	{ "reserved bit 12", BIT_ULL(12), 0, 0, 0, false, SID,
	  "its entry has a reserved bit set" },
	{ "reserved bit 31", BIT_ULL(31), 0, 0, 0, false, SID,
	  "its entry has a reserved bit set" },
	{ "reserved bit 84", 0, 0, BIT_ULL(20), 0, false, SID,
	  "its entry has a reserved bit set" },
	{ "SMI delivery", 2ULL << 5, 0, 0, 0, false, SID,
	  "its entry's delivery mode is not fixed or lowest priority" },
	{ "vector 0x1f", 0, 0x20ULL << 16, 0, 0, false, SID,
	  "its entry's vector is an exception vector" },
	{ "xAPIC id outside bits 47:40", BIT_ULL(32), 0, 0, 0, false, SID,
	  "its entry's destination is not valid in this APIC mode" },
	{ "x2APIC broadcast", 0xffffffffULL << 32, 0, 0, 0, true, SID,
	  "its entry's destination is not valid in this APIC mode" },
	{ "no source validation", 0, 0, 0, IRQP_IRTE_SVT, false, SID,
	  "its entry does not verify the full source id" },
	{ "source-id qualifier", 0, 0, 1ULL << 16, 0, false, SID,
	  "its entry does not verify the full source id" },
	{ "another device", 0, 0, 0, 0, false, SID + 1,
	  "its entry's source id is another device's" },
};

static void irte_check_rules(struct kunit *test)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(irte_cases); i++) {
		const struct irte_case *c = &irte_cases[i];
		/* vector 0x3f, so that clearing bit 21 gives 0x1f */
		struct irqp_irte e = irqp_irte_remapped(0x3f, 2, SID, c->x2apic);
		const char *why;

		e.lo = (e.lo & ~c->lo_clear) | c->lo_set;
		e.hi = (e.hi & ~c->hi_clear) | c->hi_set;
		why = irqp_irte_check(&e, c->sid, c->x2apic);
		if (c->why)
			KUNIT_EXPECT_STREQ_MSG(test, why ?: "(valid)", c->why,
					       "%s", c->what);
		else
			KUNIT_EXPECT_NULL_MSG(test, why, "%s", c->what);
	}
}

/* A posted entry as KVM's intel_ir_set_vcpu_affinity() writes one. */
static struct irqp_irte posted(u64 pda, u8 vector)
{
	struct irte k = {};

	k.p_present = 1;
	k.p_pst = 1;
	k.p_urgent = 0;
	k.p_vector = vector;
	k.pda_l = (pda >> (32 - PDA_LOW_BIT)) & ~(-1UL << PDA_LOW_BIT);
	k.pda_h = (pda >> 32) & ~(-1UL << PDA_HIGH_BIT);
	k.p_sid = SID;
	k.p_svt = 1;
	return (struct irqp_irte) { .lo = k.low, .hi = k.high };
}

static void irte_posted_repoint(struct kunit *test)
{
	struct irqp_irte e = posted(0xfedcba9840ULL, 0x35), r;
	struct irte k;

	KUNIT_EXPECT_EQ(test, irqp_irte_pda(&e), 0xfedcba9840ULL);
	r = e;
	KUNIT_ASSERT_EQ(test, 0, irqp_irte_repoint(&r, DESC));
	KUNIT_EXPECT_EQ(test, irqp_irte_pda(&r), DESC);
	/* Nothing but the address changed. */
	KUNIT_EXPECT_EQ(test, r.lo & ~IRQP_IRTE_PDA_LO, e.lo & ~IRQP_IRTE_PDA_LO);
	KUNIT_EXPECT_EQ(test, r.hi & ~IRQP_IRTE_PDA_HI, e.hi & ~IRQP_IRTE_PDA_HI);
	/* What the kernel's fields say. */
	k = (struct irte) { .low = r.lo, .high = r.hi };
	KUNIT_EXPECT_EQ(test, (u64)k.pda_l << 6 | (u64)k.pda_h << 32, DESC);
	KUNIT_EXPECT_EQ(test, (u64)k.p_vector, (u64)0x35);
	KUNIT_EXPECT_NULL(test, irqp_irte_posted_check(&r, SID, DESC));
	/* Refused: an unaligned descriptor, a remapped entry. */
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_irte_repoint(&r, DESC + 8));
	r = irqp_irte_remapped(0x40, 0, SID, false);
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_irte_repoint(&r, DESC));
}

static void irte_posted_rules(struct kunit *test)
{
	struct irqp_irte e = posted(DESC, 0x35), b;

	KUNIT_EXPECT_NULL(test, irqp_irte_posted_check(&e, SID, DESC));
	b = e;
	b.lo &= ~IRQP_IRTE_P;
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&b, SID, DESC),
			   "its entry is not present");
	b = irqp_irte_remapped(0x40, 0, SID, false);
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&b, SID, DESC),
			   "its entry is remapped, not posted");
	b = e;
	b.lo |= BIT_ULL(30);
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&b, SID, DESC),
			   "its entry has a reserved bit set");
	b = e;
	b.hi |= BIT_ULL(25);
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&b, SID, DESC),
			   "its entry has a reserved bit set");
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&e, SID, DESC + 64),
			   "its entry does not name its preserved descriptor");
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&e, SID, DESC + 4),
			   "its entry does not name its preserved descriptor");
	b = posted(DESC, 0x0f);
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&b, SID, DESC),
			   "its entry's guest vector is an exception vector");
	KUNIT_EXPECT_STREQ(test, irqp_irte_posted_check(&e, SID ^ 1, DESC),
			   "its entry's source id is another device's");
}

static void pi_desc_round_trip(struct kunit *test)
{
	struct irqp_pi_desc pi = {
		.pir = { 1, 0x8000000000000000ULL, 0, 0x10 },
		.on = true, .sn = false, .nv = 0xf2, .ndst = 0x0300,
	}, got;
	u8 raw[64];

	irqp_pi_encode(&pi, raw);
	/* KVM's struct pi_desc: PIR, then ON (bit 256), NV (byte 34), NDST. */
	KUNIT_EXPECT_EQ(test, raw[0], 1);
	KUNIT_EXPECT_EQ(test, raw[15], 0x80);
	KUNIT_EXPECT_EQ(test, raw[24], 0x10);
	KUNIT_EXPECT_EQ(test, raw[32], 1);
	KUNIT_EXPECT_EQ(test, raw[34], 0xf2);
	KUNIT_EXPECT_EQ(test, raw[36] | raw[37] << 8, 0x0300);
	KUNIT_ASSERT_EQ(test, 0, irqp_pi_decode(raw, &got));
	KUNIT_EXPECT_EQ(test, 0, memcmp(got.pir, pi.pir, sizeof(pi.pir)));
	KUNIT_EXPECT_EQ(test, got.on, true);
	KUNIT_EXPECT_EQ(test, got.sn, false);
	KUNIT_EXPECT_EQ(test, got.nv, 0xf2);
	KUNIT_EXPECT_EQ(test, got.ndst, 0x0300U);
	/* Refused: a reserved control bit, a reserved byte, NV 0x1f. */
	raw[33] = 0x40;
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_pi_decode(raw, &got));
	raw[33] = 0;
	raw[63] = 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_pi_decode(raw, &got));
	raw[63] = 0;
	raw[34] = 0x1f;
	KUNIT_EXPECT_EQ(test, -EINVAL, irqp_pi_decode(raw, &got));
}

static struct kunit_case keepalive_irq_format_cases[] = {
	KUNIT_CASE(msi_index_round_trip),
	KUNIT_CASE(msi_index_refused),
	KUNIT_CASE(irte_remapped_fields),
	KUNIT_CASE(irte_check_rules),
	KUNIT_CASE(irte_posted_repoint),
	KUNIT_CASE(irte_posted_rules),
	KUNIT_CASE(pi_desc_round_trip),
	{}
};

static struct kunit_suite keepalive_irq_format_suite = {
	.name = "keepalive_irq_formats",
	.test_cases = keepalive_irq_format_cases,
};

kunit_test_suite(keepalive_irq_format_suite);
