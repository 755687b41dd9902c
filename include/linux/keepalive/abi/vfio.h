/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image's node of kept vfio-pci
 * devices (vfio_keepalive/), part of the ABI between two kernels
 * (abi/core.h).
 *
 * Node KEEPALIVE_VFIO_NODE, compatible KEEPALIVE_VFIO_COMPATIBLE, with
 * one subnode per device in the order of marking, named for the device
 * ("pci@<sbdf>", KEEPALIVE_PCI_NODE_PREFIX in abi/core.h), with one
 * property:
 *   state		struct keepalive_vfio_state: what the next kernel
 *			checks the device against before adopting it, and
 *			the token its VMM must present
 * The node and its subnodes carry no phys-ranges.
 *
 * A device's subnode takes 124 bytes of image with a name of up to 7
 * characters ("pci@18"): 16 node, 12 + 96 state.
 *
 * History: vfio-pci-v1 named a device's subnode "device@<index>" and had
 * u32 "segment", "bus", "devfn", "vendor-device", "class" and "command",
 * "bars" (6 x <u64 start, u64 resource flags>), "msix" (<u32 control,
 * u32 table, u32 pba>, which no reader used: the interrupt participant
 * records MSI-X) and "token-sha256" properties. v2 packs them into
 * "state" and drops "msix".
 *
 * Versioning, i.e. what to bump when this changes:
 * - An incompatible change to the node or its subnodes (a property
 *   renamed, removed, resized or reinterpreted, a new one that the reader
 *   must understand): bump the "-v<N>" of KEEPALIVE_VFIO_COMPATIBLE, and
 *   the static_assert below with the size.
 * - A new optional property that older kernels may ignore: bump
 *   KEEPALIVE_ABI_MINOR (abi/core.h).
 */
#ifndef _LINUX_KEEPALIVE_ABI_VFIO_H
#define _LINUX_KEEPALIVE_ABI_VFIO_H

#include <linux/keepalive/abi/core.h>

#define KEEPALIVE_VFIO_COMPATIBLE	"keepalive,vfio-pci-v2"

/* The participant's node, a child of the root. */
#define KEEPALIVE_VFIO_NODE		"vfio"

#define KEEPALIVE_VFIO_PROP_STATE	"state"

/* A BAR's type in struct keepalive_vfio_state.bar_types, 4 bits per BAR. */
#define KEEPALIVE_VFIO_BAR_IO		0x1	/* I/O space */
#define KEEPALIVE_VFIO_BAR_MEM		0x2	/* memory space */
#define KEEPALIVE_VFIO_BAR_MEM64	0x4	/* 64-bit memory BAR */
#define KEEPALIVE_VFIO_BAR_PREFETCH	0x8	/* prefetchable memory */
#define KEEPALIVE_VFIO_BAR_TYPE_BITS	4
#define KEEPALIVE_VFIO_NR_BARS		6

/**
 * struct keepalive_vfio_state - a kept device as its kernel left it at STOP
 * @vendor_device: its vendor id << 16 | its device id
 * @class: its 24-bit class code (bits 31:24 zero)
 * @command: its PCI command register
 * @reserved: zero
 * @bar_types: the type of standard BAR n in bits 4n+3:4n,
 *	KEEPALIVE_VFIO_BAR_* (0: not implemented, or the upper half of a
 *	64-bit BAR); bits 31:24 zero
 * @bars: the start address of each standard BAR as its kernel enumerated
 *	it, 0 when @bar_types says it has none
 * @token_sha256: SHA-256 of the 16-byte token its VMM chose
 *
 * All integers are big endian.
 */
struct keepalive_vfio_state {
	__be32	vendor_device;
	__be32	class;
	__be16	command;
	__be16	reserved;
	__be32	bar_types;
	__be64	bars[KEEPALIVE_VFIO_NR_BARS];
	__u8	token_sha256[KEEPALIVE_TOKEN_HASH_SIZE];
} __packed;
static_assert(sizeof(struct keepalive_vfio_state) == 96,
	      "keepalive_vfio_state is ABI");

#endif /* _LINUX_KEEPALIVE_ABI_VFIO_H */
