// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: remappable MSI messages, interrupt remapping
 * entries and posted-interrupt descriptors (see irte.h for the formats).
 *
 * Everything here is a pure function of its arguments: the checks return
 * the reason an entry is refused, worded for the log, or NULL.
 */
#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "irte.h"

/**
 * irqp_msi_index() - the remapping entry a remappable MSI message names
 * @addr_lo: the message address, low 32 bits
 * @addr_hi: the message address, high 32 bits
 * @data: the message data
 * @index: out: handle, plus the data's subhandle when SHV is set
 *
 * Context: Any context.
 * Return: 0; -EINVAL when the message is not in remappable format or
 * names no entry of a 65536-entry table.
 */
int irqp_msi_index(u32 addr_lo, u32 addr_hi, u32 data, u32 *index)
{
	u32 i;

	if (addr_hi || (addr_lo & IRQP_MSI_BASE_MASK) != IRQP_MSI_BASE ||
	    !(addr_lo & IRQP_MSI_REMAPPABLE))
		return -EINVAL;
	i = FIELD_GET(IRQP_MSI_HANDLE_LO, addr_lo) |
	    (addr_lo & IRQP_MSI_HANDLE_HI ? BIT(15) : 0);
	if (addr_lo & IRQP_MSI_SHV)
		i += data & 0xffff;
	if (i >= IRQP_IRTE_ENTRIES)
		return -EINVAL;
	*index = i;
	return 0;
}

/**
 * irqp_msi_compose() - the remappable message for entry @index
 * @index: a remapping entry, below 65536
 * @addr_lo: out: address, low 32 bits (handle format, no subhandle)
 * @addr_hi: out: address, high 32 bits (0)
 * @data: out: data (0)
 *
 * Context: Any context.
 */
void irqp_msi_compose(u32 index, u32 *addr_lo, u32 *addr_hi, u32 *data)
{
	*addr_lo = IRQP_MSI_BASE | IRQP_MSI_REMAPPABLE |
		   FIELD_PREP(IRQP_MSI_HANDLE_LO, index & 0x7fff) |
		   (index & BIT(15) ? IRQP_MSI_HANDLE_HI : 0);
	*addr_hi = 0;
	*data = 0;
}

/**
 * irqp_irte_remapped() - a present remapped entry, as Linux writes one
 * @vector: the CPU vector
 * @dest: the destination APIC id
 * @sid: the requester id allowed to use it
 * @x2apic: extended (x2APIC) destination format
 *
 * Physical destination, fixed delivery, edge, source id verified in full.
 *
 * Context: Any context.
 * Return: the entry.
 */
struct irqp_irte irqp_irte_remapped(u8 vector, u32 dest, u16 sid, bool x2apic)
{
	return (struct irqp_irte) {
		.lo = IRQP_IRTE_P | FIELD_PREP(IRQP_IRTE_VECTOR, vector) |
		      FIELD_PREP(IRQP_IRTE_DLM, IRQP_DLM_FIXED) |
		      FIELD_PREP(IRQP_IRTE_DST, x2apic ? dest : (dest & 0xff) << 8),
		.hi = FIELD_PREP(IRQP_IRTE_SID, sid) |
		      FIELD_PREP(IRQP_IRTE_SVT, IRQP_SVT_SID),
	};
}

/* Source validation: the entry is usable by @sid, and only by it. */
static const char *check_sid(u64 hi, u16 sid)
{
	if (FIELD_GET(IRQP_IRTE_SVT, hi) != IRQP_SVT_SID ||
	    FIELD_GET(IRQP_IRTE_SQ, hi))
		return "its entry does not verify the full source id";
	if (FIELD_GET(IRQP_IRTE_SID, hi) != sid)
		return "its entry's source id is another device's";
	return NULL;
}

/**
 * irqp_irte_check() - may this remapped entry be a kept device's?
 * @e: the entry
 * @sid: the device's requester id (bus << 8 | devfn)
 * @x2apic: the unit remaps in x2APIC (extended) format
 *
 * Present, remapped mode, no reserved bit, fixed or lowest-priority
 * delivery, a vector of at least 0x20, a destination valid for the APIC
 * mode (an 8-bit xAPIC id in bits 47:40; not the x2APIC broadcast id),
 * and a source id verified in full that is the device's.
 *
 * Context: Any context.
 * Return: NULL when it may; otherwise why not.
 */
const char *irqp_irte_check(const struct irqp_irte *e, u16 sid, bool x2apic)
{
	u32 dest = FIELD_GET(IRQP_IRTE_DST, e->lo);

	if (!(e->lo & IRQP_IRTE_P))
		return "its entry is not present";
	if (e->lo & IRQP_IRTE_IM)
		return "its entry is posted, not remapped";
	if ((e->lo & IRQP_IRTE_R_RSVD) || (e->hi & IRQP_IRTE_R_HI_RSVD))
		return "its entry has a reserved bit set";
	if (FIELD_GET(IRQP_IRTE_DLM, e->lo) > IRQP_DLM_LOWPRI)
		return "its entry's delivery mode is not fixed or lowest priority";
	if (FIELD_GET(IRQP_IRTE_VECTOR, e->lo) < IRQP_FIRST_VECTOR)
		return "its entry's vector is an exception vector";
	if (x2apic ? dest == U32_MAX : dest & ~0xff00U)
		return "its entry's destination is not valid in this APIC mode";
	return check_sid(e->hi, sid);
}

/**
 * irqp_irte_pda() - the descriptor address of a posted entry
 * @e: the entry (posted mode)
 *
 * Context: Any context.
 * Return: the 64-byte aligned physical address it names.
 */
u64 irqp_irte_pda(const struct irqp_irte *e)
{
	return FIELD_GET(IRQP_IRTE_PDA_LO, e->lo) << 6 |
	       FIELD_GET(IRQP_IRTE_PDA_HI, e->hi) << 32;
}

/**
 * irqp_irte_repoint() - point a posted entry at another descriptor
 * @e: the entry (posted mode); only its descriptor address changes
 * @desc: the physical address of the descriptor, 64-byte aligned
 *
 * How a posted entry is moved onto the preserved copy of its descriptor.
 *
 * Context: Any context.
 * Return: 0; -EINVAL when @e is not a posted entry or @desc is not
 * aligned.
 */
int irqp_irte_repoint(struct irqp_irte *e, u64 desc)
{
	if (!(e->lo & IRQP_IRTE_IM) || !IS_ALIGNED(desc, 64))
		return -EINVAL;
	e->lo = (e->lo & ~IRQP_IRTE_PDA_LO) |
		FIELD_PREP(IRQP_IRTE_PDA_LO, (desc >> 6) & GENMASK_ULL(25, 0));
	e->hi = (e->hi & ~IRQP_IRTE_PDA_HI) |
		FIELD_PREP(IRQP_IRTE_PDA_HI, desc >> 32);
	return 0;
}

/**
 * irqp_irte_posted_check() - may this posted entry be a kept device's?
 * @e: the entry
 * @sid: the device's requester id
 * @desc: the physical address of the preserved descriptor it must name
 *
 * Present, posted mode, no reserved bit, @desc aligned and named by the
 * entry, a vector of at least 0x10 (a guest's), the device's source id.
 *
 * Context: Any context.
 * Return: NULL when it may; otherwise why not.
 */
const char *irqp_irte_posted_check(const struct irqp_irte *e, u16 sid,
				   u64 desc)
{
	if (!(e->lo & IRQP_IRTE_P))
		return "its entry is not present";
	if (!(e->lo & IRQP_IRTE_IM))
		return "its entry is remapped, not posted";
	if ((e->lo & IRQP_IRTE_P_RSVD) || (e->hi & IRQP_IRTE_P_HI_RSVD))
		return "its entry has a reserved bit set";
	if (!IS_ALIGNED(desc, 64) || irqp_irte_pda(e) != desc)
		return "its entry does not name its preserved descriptor";
	if (FIELD_GET(IRQP_IRTE_VECTOR, e->lo) < 0x10)
		return "its entry's guest vector is an exception vector";
	return check_sid(e->hi, sid);
}

/**
 * irqp_pi_encode() - a posted-interrupt descriptor as the hardware reads it
 * @pi: the descriptor
 * @raw: out: its 64 bytes (little endian, reserved bytes zero)
 *
 * Context: Any context.
 */
void irqp_pi_encode(const struct irqp_pi_desc *pi, u8 raw[64])
{
	int i;

	memset(raw, 0, 64);
	for (i = 0; i < 4; i++)
		put_unaligned_le64(pi->pir[i], raw + 8 * i);
	put_unaligned_le64((pi->on ? IRQP_PI_ON : 0) |
			   (pi->sn ? IRQP_PI_SN : 0) |
			   FIELD_PREP(IRQP_PI_NV, pi->nv) |
			   FIELD_PREP(IRQP_PI_NDST, pi->ndst), raw + 32);
}

/**
 * irqp_pi_decode() - read a posted-interrupt descriptor
 * @raw: its 64 bytes
 * @pi: out: the descriptor
 *
 * Context: Any context.
 * Return: 0; -EINVAL when a reserved bit is set or the notification
 * vector is below 0x20.
 */
int irqp_pi_decode(const u8 raw[64], struct irqp_pi_desc *pi)
{
	u64 ctl = get_unaligned_le64(raw + 32);
	int i;

	if (ctl & IRQP_PI_RSVD || memchr_inv(raw + 40, 0, 24))
		return -EINVAL;
	if (FIELD_GET(IRQP_PI_NV, ctl) < IRQP_FIRST_VECTOR)
		return -EINVAL;
	for (i = 0; i < 4; i++)
		pi->pir[i] = get_unaligned_le64(raw + 8 * i);
	pi->on = ctl & IRQP_PI_ON;
	pi->sn = ctl & IRQP_PI_SN;
	pi->nv = FIELD_GET(IRQP_PI_NV, ctl);
	pi->ndst = FIELD_GET(IRQP_PI_NDST, ctl);
	return 0;
}

/**
 * irqp_table_entries() - the entries of a table that holds index @max
 * @max: the highest entry index it must hold
 *
 * IRTA gives a table's size as 2^(S + 1) entries, S from 0 to 15.
 *
 * Context: Any context.
 * Return: the smallest power of two above @max, at least 2; 0 when @max
 * is above 65535.
 */
unsigned int irqp_table_entries(u32 max)
{
	if (max > U16_MAX)
		return 0;
	return max < 2 ? 2 : roundup_pow_of_two(max + 1);
}

/**
 * irqp_irta() - the IRTA register value for a table
 * @phys: the table's physical address, 4 KiB aligned
 * @entries: its size, a power of two from 2 to 65536
 * @x2apic: its entries are in x2APIC format
 *
 * Context: Any context.
 * Return: the value; 0 when @phys is not aligned or @entries is not a
 * valid size.
 */
u64 irqp_irta(phys_addr_t phys, unsigned int entries, bool x2apic)
{
	if (phys & ~KEEPALIVE_IRQ_IRTA_ADDR || entries < 2 ||
	    entries > U16_MAX + 1 ||
	    !is_power_of_2(entries))
		return 0;
	return phys | (x2apic ? KEEPALIVE_IRQ_IRTA_EIME : 0) |
	       (ilog2(entries) - 1);
}

/**
 * irqp_irta_check() - may an incoming VT-d table record be a handover table?
 * @irta: its IRTA value
 * @phys: the start of its pool range
 * @len: its length
 * @entries: out: the table's size
 *
 * The table must be one range, as long as IRTA's size rounded up to
 * pages, starting where IRTA says.
 *
 * Context: Any context.
 * Return: NULL when it may; otherwise why not.
 */
const char *irqp_irta_check(u64 irta, u64 phys, u64 len,
			    unsigned int *entries)
{
	*entries = irqp_irta_entries(irta);
	if (phys != (irta & KEEPALIVE_IRQ_IRTA_ADDR) ||
	    len != PAGE_ALIGN((u64)*entries * 16) ||
	    (irta & ~(KEEPALIVE_IRQ_IRTA_ADDR | KEEPALIVE_IRQ_IRTA_EIME |
		      KEEPALIVE_IRQ_IRTA_S)))
		return "its table is not the pool range IRTA names";
	return NULL;
}

/**
 * irqp_irta_entries() - the size an IRTA register value gives its table
 * @irta: the value
 *
 * Context: Any context.
 * Return: 2^(S + 1).
 */
unsigned int irqp_irta_entries(u64 irta)
{
	return 2U << (irta & KEEPALIVE_IRQ_IRTA_S);
}
