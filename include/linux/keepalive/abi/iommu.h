/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image's node of preserved DMA
 * translations (iommu_preserve/), part of the ABI between two kernels
 * (abi/core.h). Intel VT-d in legacy (not scalable) mode only.
 *
 * Node KEEPALIVE_IOMMU_NODE, compatible KEEPALIVE_IOMMU_COMPATIBLE, with
 * one subnode "unit@<index>" per remapping unit that translates a kept
 * device, index 0, 1, ..., then one subnode "device@<index>" per kept
 * device. All cells are big endian, as FDT cells are.
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
 * device@<index>:
 *   segment, bus, devfn	u32 each: where it is (KEEPALIVE_PROP_PCI_*)
 *   unit		u32: the index of its unit@ node
 *   domain-id		u32: the domain id of its handover context entry,
 *			reserved on the unit until the next kernel switches
 *			the device to its VMM's domain
 *   context		<u64 lo, u64 hi>: its context entry in the handover
 *			root (present, multi-level, the domain id above,
 *			the address width and top table of the tables below)
 *   iova-ranges	KEEPALIVE_IOMMU_RANGE_CELLS u64 cells per range,
 *			<iova phys length prot>, sorted by IOVA, not
 *			overlapping, each inside one preserved memory file
 *			(abi/memfd.h): exactly what the tables map.
 *			prot is KEEPALIVE_IOMMU_PROT_READ | _WRITE.
 *   phys-ranges	one <phys length> pair: the pool memory of its
 *			second-level page tables
 *
 * Versioning, i.e. what to bump when this changes:
 * - An incompatible change to a node or a property (renamed, removed,
 *   resized or reinterpreted, a new one the reader must understand,
 *   another table format such as scalable mode): bump the "-v<N>" of
 *   KEEPALIVE_IOMMU_COMPATIBLE.
 * - A new optional property that older kernels may ignore: bump
 *   KEEPALIVE_ABI_MINOR (abi/core.h).
 */
#ifndef _LINUX_KEEPALIVE_ABI_IOMMU_H
#define _LINUX_KEEPALIVE_ABI_IOMMU_H

#include <linux/keepalive/abi/core.h>

#define KEEPALIVE_IOMMU_COMPATIBLE	"keepalive,iommu-vtd-v1"

/* The participant's node, a child of the root. */
#define KEEPALIVE_IOMMU_NODE		"iommu"
/* Subnode names: a prefix, then the index in decimal. */
#define KEEPALIVE_IOMMU_UNIT_PREFIX	"unit@"
#define KEEPALIVE_IOMMU_DEVICE_PREFIX	"device@"

#define KEEPALIVE_IOMMU_PROP_REG_BASE	"reg-base"
#define KEEPALIVE_IOMMU_PROP_CAP	"cap"
#define KEEPALIVE_IOMMU_PROP_ECAP	"ecap"
#define KEEPALIVE_IOMMU_PROP_ROOT	"root"
/* and KEEPALIVE_PROP_RANGES (abi/core.h) */

/* and KEEPALIVE_PROP_PCI_SEGMENT, _BUS, _DEVFN (abi/core.h) */
#define KEEPALIVE_IOMMU_PROP_UNIT	"unit"
#define KEEPALIVE_IOMMU_PROP_DOMAIN_ID	"domain-id"
#define KEEPALIVE_IOMMU_PROP_CONTEXT	"context"
#define KEEPALIVE_IOMMU_PROP_IOVA_RANGES	"iova-ranges"

/* Cells of one "iova-ranges" entry, and its prot bits. */
#define KEEPALIVE_IOMMU_RANGE_CELLS	4
#define KEEPALIVE_IOMMU_PROT_READ	0x1
#define KEEPALIVE_IOMMU_PROT_WRITE	0x2

/* The most units and kept devices a reader accepts in one image. */
#define KEEPALIVE_IOMMU_MAX_UNITS	64
#define KEEPALIVE_IOMMU_MAX_DEVICES	256
/* The most "iova-ranges" entries of one device. */
#define KEEPALIVE_IOMMU_MAX_RANGES	4096

#endif /* _LINUX_KEEPALIVE_ABI_IOMMU_H */
