/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image's node of held interrupts
 * (irq_preserve/), part of the ABI between two kernels (abi/core.h). MSI-X
 * through Intel VT-d interrupt remapping only.
 *
 * A kept device's MSI-X stays enabled with its function mask set from the
 * hold (its VMM's close, or STOP) until its VMM arms its vectors again in
 * the next kernel: an interrupt it raises meanwhile waits in its Pending
 * Bit Array and is sent when its vector is unmasked.
 *
 * Node KEEPALIVE_IRQ_NODE, compatible KEEPALIVE_IRQ_COMPATIBLE, with one
 * subnode "device@<index>" per kept device, index 0, 1, ... All integers
 * are big endian, as FDT cells are; the structures are packed.
 *
 * device@<index>:
 *   segment, bus, devfn	u32 each: where it is (KEEPALIVE_PROP_PCI_*)
 *   msix		struct keepalive_irq_msix: its MSI-X capability
 *   armed		u64 cells, bit n of cell n / 64 for vector n
 *			(DIV_ROUND_UP(nr-vectors, 64) cells): the vectors
 *			unmasked when the hold began, i.e. those its VMM armed
 *   pending		u64 cells, as "armed": its Pending Bit Array at STOP
 *   vectors		struct keepalive_irq_vector per armed vector, by
 *			vector number: its message and remapping entry
 *   posted		struct keepalive_irq_posted per armed vector whose
 *			remapping entry is in posted mode (optional; this
 *			kernel writes none on a unit without posting)
 *   phys-ranges	optional <phys length> pairs: the pool memory of the
 *			preserved posted-interrupt descriptors
 *
 * Versioning, i.e. what to bump when this changes:
 * - An incompatible change to a node, a property or a structure (renamed,
 *   removed, resized or reinterpreted, a new one the reader must
 *   understand): bump the "-v<N>" of KEEPALIVE_IRQ_COMPATIBLE, and the
 *   static_asserts below with the sizes.
 * - A new optional property that older kernels may ignore: bump
 *   KEEPALIVE_ABI_MINOR (abi/core.h).
 */
#ifndef _LINUX_KEEPALIVE_ABI_IRQ_H
#define _LINUX_KEEPALIVE_ABI_IRQ_H

#include <linux/keepalive/abi/core.h>

#define KEEPALIVE_IRQ_COMPATIBLE	"keepalive,irq-msix-vtd-v1"

/* The participant's node, a child of the root. */
#define KEEPALIVE_IRQ_NODE		"irq"
/* Subnode name: a prefix, then the index in decimal. */
#define KEEPALIVE_IRQ_DEVICE_PREFIX	"device@"

/* and KEEPALIVE_PROP_PCI_SEGMENT, _BUS, _DEVFN (abi/core.h) */
#define KEEPALIVE_IRQ_PROP_MSIX		"msix"
#define KEEPALIVE_IRQ_PROP_ARMED	"armed"
#define KEEPALIVE_IRQ_PROP_PENDING	"pending"
#define KEEPALIVE_IRQ_PROP_VECTORS	"vectors"
#define KEEPALIVE_IRQ_PROP_POSTED	"posted"
/* and KEEPALIVE_PROP_RANGES (abi/core.h) */

/* struct keepalive_irq_msix.flags */
/* The unit's remapping entries are in x2APIC (extended) format. */
#define KEEPALIVE_IRQ_F_X2APIC		0x1

/**
 * struct keepalive_irq_msix - a kept device's MSI-X capability at the hold
 * @cap: config space offset of the capability
 * @control: its Message Control register, as the hold left it: enable and
 *	function mask set, the table size
 * @nr_vectors: the table's size (Message Control's table size + 1)
 * @flags: KEEPALIVE_IRQ_F_*
 * @table: its Table Offset/BIR register (BAR index in bits 2:0)
 * @pba: its PBA Offset/BIR register
 * @ir_reg_base: register base of the interrupt remapping unit (DRHD) that
 *	remaps its messages; 0 with no armed vector
 */
struct keepalive_irq_msix {
	__be16 cap;
	__be16 control;
	__be16 nr_vectors;
	__be16 flags;
	__be32 table;
	__be32 pba;
	__be64 ir_reg_base;
} __packed;
static_assert(sizeof(struct keepalive_irq_msix) == 24,
	      "keepalive_irq_msix is ABI");

/**
 * struct keepalive_irq_vector - an armed vector and its remapping entry
 * @vector: its MSI-X table index
 * @irte: the index of its interrupt remapping table entry (the handle of
 *	its remappable message plus the subhandle when SHV is set); the next
 *	kernel reserves it before any interrupt is allocated and gives it to
 *	the same vector when the VMM arms it again
 * @addr_lo: its message address, low 32 bits (remappable format)
 * @addr_hi: its message address, high 32 bits
 * @data: its message data
 * @reserved: zero
 * @irte_lo: the remapping entry's bits 63:0, as the hold found them
 * @irte_hi: its bits 127:64
 */
struct keepalive_irq_vector {
	__be32 vector;
	__be32 irte;
	__be32 addr_lo;
	__be32 addr_hi;
	__be32 data;
	__be32 reserved;
	__be64 irte_lo;
	__be64 irte_hi;
} __packed;
static_assert(sizeof(struct keepalive_irq_vector) == 40,
	      "keepalive_irq_vector is ABI");

/**
 * struct keepalive_irq_posted - a vector posted to a vCPU: its descriptor
 * @vector: its MSI-X table index (also in "vectors")
 * @irte: its remapping entry's index
 * @desc: physical address of the preserved copy of its posted-interrupt
 *	descriptor: 64-byte aligned, inside one "phys-ranges" pair
 * @nv: the descriptor's notification vector (>= 0x20)
 * @urgent: the entry's urgent bit
 * @reserved: zero
 * @ndst: the descriptor's notification destination (an APIC id)
 * @irte_lo: the posted entry's bits 63:0, re-pointed at @desc
 * @irte_hi: its bits 127:64, re-pointed at @desc
 */
struct keepalive_irq_posted {
	__be32 vector;
	__be32 irte;
	__be64 desc;
	__u8 nv;
	__u8 urgent;
	__be16 reserved;
	__be32 ndst;
	__be64 irte_lo;
	__be64 irte_hi;
} __packed;
static_assert(sizeof(struct keepalive_irq_posted) == 40,
	      "keepalive_irq_posted is ABI");

/* A posted-interrupt descriptor: its size and alignment (VT-d 9.11). */
#define KEEPALIVE_IRQ_PI_DESC_SIZE	64

/* The most kept devices a reader accepts in one image. */
#define KEEPALIVE_IRQ_MAX_DEVICES	256
/* The largest MSI-X table (PCI: table size is 11 bits). */
#define KEEPALIVE_IRQ_MAX_VECTORS	2048

#endif /* _LINUX_KEEPALIVE_ABI_IRQ_H */
