/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the interrupt formats irq_preserve/ reads and
 * checks (Intel VT-d specification, chapter 5 and 9.10-9.11), as plain
 * functions on integers so that KUnit can test them bit by bit.
 *
 * A remappable MSI message (5.1.5.2): address bits 31:20 are 0xfee, bit 4
 * is the format bit (1: remappable), bits 19:5 and bit 2 are the 16-bit
 * handle, bit 3 says the data's low 16 bits are a subhandle (SHV) added to
 * the handle to give the remapping entry's index.
 *
 * A remapping entry (IRTE, 128 bits, 9.10) in remapped mode (bit 15 IM=0):
 * present, fault processing disable, destination mode, redirection hint,
 * trigger mode, delivery mode, vector (23:16), destination id (63:32; an
 * xAPIC id in bits 47:40 only), and in the high half the source id
 * (79:64), source-id qualifier (81:80) and validation type (83:82). In
 * posted mode (IM=1, 9.11): the urgent bit (14), the vCPU's vector and the
 * 64-byte aligned posted-interrupt descriptor address (bits 63:38 hold its
 * address bits 31:6, bits 127:96 its bits 63:32).
 *
 * A posted-interrupt descriptor (64 bytes): 256 request bits (PIR), then
 * outstanding notification (bit 256), suppress notification (257), the
 * notification vector (279:272) and destination (319:288).
 *
 * The Interrupt Remapping Table Address register (IRTA, 10.4.29): the
 * table's 4 KiB aligned address, the x2APIC mode enable (EIME, bit 11)
 * and its size S (bits 3:0) for 2^(S + 1) entries.
 */
#ifndef _KEEPALIVE_IRQ_IRTE_H
#define _KEEPALIVE_IRQ_IRTE_H

#include <linux/bits.h>
#include <linux/types.h>

/* Remappable MSI address. */
#define IRQP_MSI_BASE_MASK	GENMASK(31, 20)
#define IRQP_MSI_BASE		0xfee00000U
#define IRQP_MSI_HANDLE_LO	GENMASK(19, 5)
#define IRQP_MSI_REMAPPABLE	BIT(4)
#define IRQP_MSI_SHV		BIT(3)
#define IRQP_MSI_HANDLE_HI	BIT(2)

/* IRTE, low half. */
#define IRQP_IRTE_P		BIT_ULL(0)
#define IRQP_IRTE_FPD		BIT_ULL(1)
#define IRQP_IRTE_DM		BIT_ULL(2)
#define IRQP_IRTE_RH		BIT_ULL(3)
#define IRQP_IRTE_TM		BIT_ULL(4)
#define IRQP_IRTE_DLM		GENMASK_ULL(7, 5)
#define IRQP_IRTE_AVAIL		GENMASK_ULL(11, 8)
#define IRQP_IRTE_URGENT	BIT_ULL(14)	/* posted */
#define IRQP_IRTE_IM		BIT_ULL(15)
#define IRQP_IRTE_VECTOR	GENMASK_ULL(23, 16)
#define IRQP_IRTE_DST		GENMASK_ULL(63, 32)	/* remapped */
#define IRQP_IRTE_PDA_LO	GENMASK_ULL(63, 38)	/* posted */
/* Bits a remapped / posted entry's low half must have clear. */
#define IRQP_IRTE_R_RSVD	(GENMASK_ULL(14, 12) | GENMASK_ULL(31, 24))
#define IRQP_IRTE_P_RSVD	(GENMASK_ULL(7, 2) | GENMASK_ULL(13, 12) | \
				 GENMASK_ULL(37, 24))
/* IRTE, high half. */
#define IRQP_IRTE_SID		GENMASK_ULL(15, 0)
#define IRQP_IRTE_SQ		GENMASK_ULL(17, 16)
#define IRQP_IRTE_SVT		GENMASK_ULL(19, 18)
#define IRQP_IRTE_PDA_HI	GENMASK_ULL(63, 32)	/* posted */
#define IRQP_IRTE_R_HI_RSVD	GENMASK_ULL(63, 20)
#define IRQP_IRTE_P_HI_RSVD	GENMASK_ULL(31, 20)

/* Delivery modes a device message may use: fixed, lowest priority. */
#define IRQP_DLM_FIXED		0
#define IRQP_DLM_LOWPRI		1
/* SVT 1: verify the full source id, SQ 0: all 16 bits compared. */
#define IRQP_SVT_SID		1
/* The lowest vector a device may be given (the rest are exceptions). */
#define IRQP_FIRST_VECTOR	0x20
/* The number of entries of a remapping table (65536). */
#define IRQP_IRTE_ENTRIES	BIT(16)

/* Posted-interrupt descriptor control word (bits 319:256). */
#define IRQP_PI_ON		BIT_ULL(0)
#define IRQP_PI_SN		BIT_ULL(1)
#define IRQP_PI_NV		GENMASK_ULL(23, 16)
#define IRQP_PI_NDST		GENMASK_ULL(63, 32)
#define IRQP_PI_RSVD		(GENMASK_ULL(15, 2) | GENMASK_ULL(31, 24))

/**
 * struct irqp_irte - a remapping entry as two 64-bit halves
 * @lo: bits 63:0
 * @hi: bits 127:64
 */
struct irqp_irte {
	u64 lo, hi;
};

/**
 * struct irqp_pi_desc - a posted-interrupt descriptor, decoded
 * @pir: the 256 posted-interrupt request bits, vector n in bit n % 64 of
 *	@pir[n / 64]
 * @on: outstanding notification
 * @sn: suppress notification
 * @nv: notification vector
 * @ndst: notification destination (APIC id)
 */
struct irqp_pi_desc {
	u64 pir[4];
	bool on, sn;
	u8 nv;
	u32 ndst;
};

int irqp_msi_index(u32 addr_lo, u32 addr_hi, u32 data, u32 *index);
void irqp_msi_compose(u32 index, u32 *addr_lo, u32 *addr_hi, u32 *data);
struct irqp_irte irqp_irte_remapped(u8 vector, u32 dest, u16 sid, bool x2apic);
const char *irqp_irte_check(const struct irqp_irte *e, u16 sid, bool x2apic);
u64 irqp_irte_pda(const struct irqp_irte *e);
int irqp_irte_repoint(struct irqp_irte *e, u64 desc);
const char *irqp_irte_posted_check(const struct irqp_irte *e, u16 sid,
				   u64 desc);
void irqp_pi_encode(const struct irqp_pi_desc *pi, u8 raw[64]);
int irqp_pi_decode(const u8 raw[64], struct irqp_pi_desc *pi);
unsigned int irqp_table_entries(u32 max);
u64 irqp_irta(phys_addr_t phys, unsigned int entries, bool x2apic);
const char *irqp_irta_check(u64 irta, u64 phys, u64 len,
			    unsigned int *entries);
unsigned int irqp_irta_entries(u64 irta);

#endif /* _KEEPALIVE_IRQ_IRTE_H */
