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
 * subnode per kept device, named for the device: "pci@<sbdf>"
 * (KEEPALIVE_PCI_NODE_PREFIX, abi/core.h; 0000:00:03.0 is "pci@18"). A
 * reader takes every subnode with that prefix for a device record, and
 * ignores any other. All integers are big endian, as FDT cells are; the
 * structures are packed. A property's data is only 4-byte aligned in the
 * image: its 64-bit words are read with unaligned loads.
 *
 * pci@<sbdf>:
 *   msix		struct keepalive_irq_msix, its MSI-X capability,
 *			immediately followed by two bitmaps of
 *			KEEPALIVE_IRQ_MSIX_WORDS(nr_vectors) u64 words each,
 *			bit n % 64 of word n / 64 for vector n: first "armed",
 *			the vectors unmasked when the hold began (i.e. those
 *			its VMM armed), then "pending", its Pending Bit Array
 *			at STOP. Exactly KEEPALIVE_IRQ_MSIX_SIZE(nr_vectors)
 *			bytes; no bit at or beyond nr_vectors is set.
 *   vectors		struct keepalive_irq_vector per armed vector, by
 *			vector number: its message and remapping entry
 *   posted		struct keepalive_irq_posted per armed vector whose
 *			remapping entry is in posted mode (optional; this
 *			kernel writes none on a unit without posting)
 *   phys-ranges	optional <phys length> pairs: the pool memory of the
 *			preserved posted-interrupt descriptors
 *
 * ir-table@<n>	one subnode per remapping unit of a held device
 *			(n = 0, 1, ... in hexadecimal): the interrupt
 *			remapping table the unit reads from the kexec on, in
 *			the pool, holding the held devices' entries only
 *			(each as its "vectors" record has it), every other
 *			entry not present. A reader takes every subnode with
 *			the prefix KEEPALIVE_IRQ_TABLE_NODE_PREFIX for one.
 *   reg-base		u64, the unit's register base (DRHD)
 *   irta		u64, the value of the unit's Interrupt Remapping
 *			Table Address register at the kexec: the table's
 *			address, KEEPALIVE_IRQ_IRTA_EIME in x2APIC mode,
 *			and in KEEPALIVE_IRQ_IRTA_S the size: 2^(S + 1)
 *			entries of 16 bytes
 *   phys-ranges	one <phys length> pair: the table's pool range,
 *			starting at the table, whole pages
 *
 * Size of a record in the FDT's structure block (the property names are
 * strings stored once per image, not per record): the node takes 16
 * bytes for a name of up to 7 characters (segment 0, bus 0 to 0xf:
 * "pci@18"), 20 for up to 11, 24 for the longest ("pci@ffffffff");
 * a property takes 12 bytes and its data, padded to 4 bytes. So a device
 * with a table of at most 64 vectors and one armed vector takes
 *   node 16 + msix (12 + 24 + 2 * 8) + vectors (12 + 32) = 112 bytes
 * ("pci@18"), at most 120: under the 128 bytes per preserved object of
 * abi/core.h. Each further armed vector adds 32 bytes, each further 64
 * vectors of table size 16; a posted vector adds 40 to a "posted"
 * property (itself 12: 52 for the first), and the "phys-ranges" of the
 * descriptors 12 and 16 per pair.
 *
 * History: version 1 ("keepalive,irq-msix-vtd-v1") named each device's
 * subnode "device@<index>" (index 0, 1, ... in list order) and gave its
 * place in three u32 properties "segment", "bus" and "devfn"; it held the
 * armed and pending bitmaps in properties of their own, "armed" and
 * "pending", after "msix"; and its struct keepalive_irq_vector was 40
 * bytes: a 32-bit vector and entry index, and a 32-bit zero "reserved"
 * word after the message data. A device with one armed vector took 196
 * bytes. Version 2 carries the same information, checked the same way
 * (but for v1's "reserved" word, gone).
 *
 * The "ir-table@<n>" subnodes came in ABI minor 2 (abi/core.h), without a
 * new compatible: a reader of this version that does not know them takes
 * only the "pci@" subnodes and ignores them; the core still holds their
 * "phys-ranges" until CONCLUDE, so the table stays out of its allocator
 * while the unit may read it, and that kernel's interrupt remapping setup
 * replaces it as it replaces any table a previous kernel left.
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

#define KEEPALIVE_IRQ_COMPATIBLE	"keepalive,irq-msix-vtd-v2"

/*
 * The same node through AMD-Vi interrupt remapping (below, "AMD-Vi"): a
 * kernel reads only its own IOMMU's compatible and adopts no device from
 * the other's.
 */
#define KEEPALIVE_IRQ_AMD_COMPATIBLE	"keepalive,irq-msix-amdvi-v1"

/* The participant's node, a child of the root. */
#define KEEPALIVE_IRQ_NODE		"irq"

/* A device's subnode: KEEPALIVE_PCI_NODE_PREFIX "<sbdf>" (abi/core.h). */
#define KEEPALIVE_IRQ_PROP_MSIX		"msix"
#define KEEPALIVE_IRQ_PROP_VECTORS	"vectors"
#define KEEPALIVE_IRQ_PROP_POSTED	"posted"
/* and KEEPALIVE_PROP_RANGES (abi/core.h) */

/* A unit's handover remapping table: "ir-table@<n>" (ABI minor 2). */
#define KEEPALIVE_IRQ_TABLE_NODE_PREFIX	"ir-table@"
#define KEEPALIVE_IRQ_PROP_REG_BASE	"reg-base"
#define KEEPALIVE_IRQ_PROP_IRTA		"irta"
/* Interrupt Remapping Table Address register fields (VT-d 11.4.9.1). */
#define KEEPALIVE_IRQ_IRTA_ADDR		0xfffffffffffff000ULL
#define KEEPALIVE_IRQ_IRTA_EIME		0x800ULL
#define KEEPALIVE_IRQ_IRTA_S		0xfULL
/* The most units a reader accepts in one image. */
#define KEEPALIVE_IRQ_MAX_TABLES	64

/*
 * AMD-Vi (KEEPALIVE_IRQ_AMD_COMPATIBLE, version 1): the same nodes,
 * properties and structures, with these differences.
 * - Each device has a remapping table of its own (the interrupt fields of
 *   its device table entry, DTE bits 191:128). A vector's entry index is
 *   its message data's bits 10:0; its message address is 0xFEE00000 with
 *   bits 19:2 ignored, the high half 0. Two devices may both use an index.
 * - struct keepalive_irq_vector's irte_lo/irte_hi: a 128-bit entry
 *   (KEEPALIVE_IRQ_F_AMD_GA, the "GA" format in its remapped, non-guest
 *   mode) as its two halves; a 32-bit entry in irte_lo's low half, the
 *   rest 0.
 * - One "ir-table@<n>" per held device, not per unit: the copy of its
 *   remapping table in the pool that its device table entry names from
 *   the kexec on (the IOMMU driver's shutdown), its held vectors' entries
 *   at their indices, every other entry 0 (RemapEn clear: aborted).
 *   reg-base	u64, the unit's register base (IVHD)
 *   devid	u32, the device's requester id, bus << 8 | devfn
 *   irta	u64, the interrupt word of its device table entry (bits
 *		191:128): KEEPALIVE_IRQ_AMD_DTE_IV, IntTabLen
 *		KEEPALIVE_IRQ_AMD_DTE_LEN (2^LEN entries), the table's address
 *		(KEEPALIVE_IRQ_AMD_DTE_ROOT, 128-byte aligned) and IntCtl
 *		KEEPALIVE_IRQ_AMD_DTE_INTCTL_REMAP; no other bit
 *   phys-ranges	one <phys length> pair: the table's pool range,
 *		starting at the table, whole pages
 *   A reader takes up to KEEPALIVE_IRQ_MAX_DEVICES of them.
 */
#define KEEPALIVE_IRQ_PROP_DEVID	"devid"
#define KEEPALIVE_IRQ_AMD_DTE_IV	0x1ULL
#define KEEPALIVE_IRQ_AMD_DTE_LEN	0x1eULL
#define KEEPALIVE_IRQ_AMD_DTE_LEN_SHIFT	1
#define KEEPALIVE_IRQ_AMD_DTE_ROOT	0x000fffffffffffc0ULL
#define KEEPALIVE_IRQ_AMD_DTE_INTCTL	0x3000000000000000ULL
#define KEEPALIVE_IRQ_AMD_DTE_INTCTL_REMAP 0x2000000000000000ULL

/* struct keepalive_irq_msix.flags */
/* The unit's remapping entries are in x2APIC (extended) format. */
#define KEEPALIVE_IRQ_F_X2APIC		0x1
/* AMD-Vi: its entries are 128-bit (GA), not 32-bit. */
#define KEEPALIVE_IRQ_F_AMD_GA		0x2

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

/*
 * The u64 words of each of the two bitmaps that follow struct
 * keepalive_irq_msix in "msix", for a table of @nr vectors, and the size
 * of the whole "msix" property in bytes.
 */
#define KEEPALIVE_IRQ_MSIX_WORDS(nr)	(((nr) + 63) / 64)
#define KEEPALIVE_IRQ_MSIX_SIZE(nr)	(sizeof(struct keepalive_irq_msix) + \
					 2 * 8 * KEEPALIVE_IRQ_MSIX_WORDS(nr))

/**
 * struct keepalive_irq_vector - an armed vector and its remapping entry
 * @vector: its MSI-X table index, below KEEPALIVE_IRQ_MAX_VECTORS
 * @irte: the index of its interrupt remapping table entry (the handle of
 *	its remappable message plus the subhandle when SHV is set; a VT-d
 *	table has at most 65536 entries); the next kernel reserves it before
 *	any interrupt is allocated and gives it to the same vector when the
 *	VMM arms it again
 * @addr_lo: its message address, low 32 bits (remappable format)
 * @addr_hi: its message address, high 32 bits
 * @data: its message data
 * @irte_lo: the remapping entry's bits 63:0, as the hold found them
 * @irte_hi: its bits 127:64
 */
struct keepalive_irq_vector {
	__be16 vector;
	__be16 irte;
	__be32 addr_lo;
	__be32 addr_hi;
	__be32 data;
	__be64 irte_lo;
	__be64 irte_hi;
} __packed;
static_assert(sizeof(struct keepalive_irq_vector) == 32,
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
