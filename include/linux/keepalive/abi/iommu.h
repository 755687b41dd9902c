/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image's node of preserved DMA
 * translations (iommu_preserve/), part of the ABI between two kernels
 * (abi/core.h). Intel VT-d in legacy (not scalable) mode; AMD-Vi's
 * variant is at the end.
 *
 * Node KEEPALIVE_IOMMU_NODE, compatible KEEPALIVE_IOMMU_COMPATIBLE, with
 * one subnode "unit@<index>" per remapping unit that translates a kept
 * device, index 0, 1, ..., then one subnode per kept device named for the
 * device ("pci@<sbdf>", KEEPALIVE_PCI_NODE_PREFIX in abi/core.h). All
 * cells are big endian, as FDT cells are; the structure is packed.
 *
 * unit@<index>:
 *   reg-base		u64: the unit's register base (its DRHD's address)
 *   cap, ecap		u64 each: its capability registers at STOP
 *   root		u64: physical address of the handover root table,
 *			which the unit's root table address register holds
 *			from the kexec until the next kernel replaces it
 *   phys-ranges	one <phys length> pair: the pool memory of the root
 *			table and of the context tables it points to
 *
 * pci@<sbdf>:
 *   translation	struct keepalive_iommu_translation: the index of its
 *			unit@ node, its domain id and its context entry in
 *			the handover root
 *   iova-ranges	KEEPALIVE_IOMMU_RANGE_CELLS u64 cells per range,
 *			<iova phys length prot>, sorted by IOVA, not
 *			overlapping, each inside one preserved memory file
 *			(abi/memfd.h): exactly what the tables map.
 *			prot is KEEPALIVE_IOMMU_PROT_READ | _WRITE.
 *   phys-ranges	one <phys length> pair: the pool memory of its
 *			second-level page tables
 * A reader refuses any other subnode name, and a "pci@" name that is not
 * the canonical spelling of its device.
 *
 * A device's subnode takes 124 bytes of the image's structure block with
 * one IOVA range and a name of up to 7 characters ("pci@18"): 16 node,
 * 12 + 24 translation, 12 + 32 iova-ranges, 12 + 16 phys-ranges. A name
 * of up to 11 characters (any device on a segment below 0x1000) takes 4
 * more, 128; one of 12 characters ("pci@ffffffff") 8 more. Each further
 * range adds 32. (Property names are stored once per image, in its
 * strings block, and not counted.)
 *
 * History: iommu-vtd-v1 named a device's subnode "device@<index>" and had
 * u32 "segment", "bus", "devfn", "unit" and "domain-id" properties and a
 * "context" of <u64 lo, u64 hi>: 200 bytes per device with one range. v2
 * names the subnode for its device and packs "unit", "domain-id" (now 16
 * bits, as VT-d's domain ids are) and "context" into "translation".
 *
 * Versioning, i.e. what to bump when this changes:
 * - An incompatible change to a node or a property (renamed, removed,
 *   resized or reinterpreted, a new one the reader must understand,
 *   another table format such as scalable mode): bump the "-v<N>" of
 *   KEEPALIVE_IOMMU_COMPATIBLE, and the static_assert below with the
 *   size.
 * - A new optional property that older kernels may ignore: bump
 *   KEEPALIVE_ABI_MINOR (abi/core.h).
 */
#ifndef _LINUX_KEEPALIVE_ABI_IOMMU_H
#define _LINUX_KEEPALIVE_ABI_IOMMU_H

#include <linux/keepalive/abi/core.h>

#define KEEPALIVE_IOMMU_COMPATIBLE	"keepalive,iommu-vtd-v2"

/* The participant's node, a child of the root. */
#define KEEPALIVE_IOMMU_NODE		"iommu"
/* A unit's subnode name: the prefix, then the index in decimal. */
#define KEEPALIVE_IOMMU_UNIT_PREFIX	"unit@"

#define KEEPALIVE_IOMMU_PROP_REG_BASE	"reg-base"
#define KEEPALIVE_IOMMU_PROP_CAP	"cap"
#define KEEPALIVE_IOMMU_PROP_ECAP	"ecap"
#define KEEPALIVE_IOMMU_PROP_ROOT	"root"
/* and KEEPALIVE_PROP_RANGES (abi/core.h) */

/* A device's subnode: named by KEEPALIVE_PCI_NODE_PREFIX (abi/core.h) */
#define KEEPALIVE_IOMMU_PROP_TRANSLATION	"translation"
#define KEEPALIVE_IOMMU_PROP_IOVA_RANGES	"iova-ranges"
/* and KEEPALIVE_PROP_RANGES */

/* Cells of one "iova-ranges" entry, and its prot bits. */
#define KEEPALIVE_IOMMU_RANGE_CELLS	4
#define KEEPALIVE_IOMMU_PROT_READ	0x1
#define KEEPALIVE_IOMMU_PROT_WRITE	0x2

/* The most units and kept devices a reader accepts in one image. */
#define KEEPALIVE_IOMMU_MAX_UNITS	64
#define KEEPALIVE_IOMMU_MAX_DEVICES	256
/* The most "iova-ranges" entries of one device. */
#define KEEPALIVE_IOMMU_MAX_RANGES	4096

/**
 * struct keepalive_iommu_translation - how a kept device's DMA is translated
 * @unit: the index of its unit@ node
 * @domain_id: the domain id of its handover context entry, reserved on the
 *	unit until the next kernel switches the device to its VMM's domain;
 *	never 0 (VT-d domain ids are 16-bit)
 * @reserved: zero; a reader refuses a record where it is not
 * @context_lo: its context entry in the handover root, bits 63:0: present,
 *	fault reporting on, multi-level, the top table of its second-level
 *	tables
 * @context_hi: bits 127:64 of that entry: the address width of its tables
 *	and @domain_id again
 *
 * All integers are big endian.
 */
struct keepalive_iommu_translation {
	__be32	unit;
	__be16	domain_id;
	__be16	reserved;
	__be64	context_lo;
	__be64	context_hi;
} __packed;
static_assert(sizeof(struct keepalive_iommu_translation) == 24,
	      "keepalive_iommu_translation is ABI");

/*
 * AMD-Vi (amd_iommu, v1 I/O page tables): the same node, subnodes and
 * properties, with these differences, under KEEPALIVE_IOMMU_AMDVI_COMPATIBLE
 * (a reader of one compatible refuses the other's node):
 *   unit@<index>: reg-base is the unit's MMIO base (its IVHD's), cap and
 *	ecap its Extended Feature Registers 1 and 2, root the handover
 *	device table (65536 entries of 32 bytes, 2 MiB, in phys-ranges)
 *	that the Device Table Base register holds from the kexec until the
 *	next kernel replaces it. In it every entry but the kept devices'
 *	blocks DMA (V, TV, mode 0, no IR/IW) and interrupts (IV, IntCtl
 *	abort).
 *   pci@<sbdf>: translation is struct keepalive_iommu_amdvi_translation;
 *	its device table entry's quadword 2 (interrupt remapping) is
 *	recorded as zero: the handover table's own holds the live one,
 *	copied at the kexec, and its checks are irq_preserve's.
 * A device's subnode takes 140 bytes with one IOVA range (16 more than
 * VT-d's: a 40-byte translation).
 *
 * Versioning as above, with the "-v<N>" of KEEPALIVE_IOMMU_AMDVI_COMPATIBLE.
 */
#define KEEPALIVE_IOMMU_AMDVI_COMPATIBLE	"keepalive,iommu-amdvi-v1"

/**
 * struct keepalive_iommu_amdvi_translation - a kept device's DMA on AMD-Vi
 * @unit: the index of its unit@ node
 * @domain_id: the domain id of its handover device table entry, reserved
 *	until the next kernel switches the device to its VMM's domain;
 *	never 0
 * @reserved: zero; a reader refuses a record where it is not
 * @dte: its device table entry in the handover device table, quadwords 0
 *	to 3: quadword 0 valid, translation valid, paging mode, the top
 *	table of its v1 page tables, IR and IW; quadword 1 @domain_id
 *	again; quadwords 2 and 3 zero
 *
 * The first three fields are those of struct keepalive_iommu_translation.
 * All integers are big endian.
 */
struct keepalive_iommu_amdvi_translation {
	__be32	unit;
	__be16	domain_id;
	__be16	reserved;
	__be64	dte[4];
} __packed;
static_assert(sizeof(struct keepalive_iommu_amdvi_translation) == 40,
	      "keepalive_iommu_amdvi_translation is ABI");

#endif /* _LINUX_KEEPALIVE_ABI_IOMMU_H */
