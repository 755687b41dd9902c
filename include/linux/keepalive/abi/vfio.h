/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image's node of kept vfio-pci
 * devices (vfio_keepalive/), part of the ABI between two kernels
 * (abi/core.h).
 *
 * Node KEEPALIVE_VFIO_NODE, compatible KEEPALIVE_VFIO_COMPATIBLE, with
 * one subnode "device@<index>" per device, index 0, 1, ... in the order
 * of marking, all cells big endian as FDT cells are:
 *   segment, bus, devfn	u32 each: where it is (KEEPALIVE_PROP_PCI_*,
 *				abi/core.h)
 *   vendor-device		u32: vendor << 16 | device
 *   class			u32: the 24-bit class code
 *   command			u32: the PCI command register at STOP
 *   bars			6 x <u64 start, u64 flags>, as enumerated
 *   msix			<u32 control, u32 table, u32 pba> (if MSI-X)
 *   token-sha256		KEEPALIVE_TOKEN_HASH_SIZE bytes, SHA-256 of
 *				the 16-byte token
 * The node and its subnodes carry no phys-ranges.
 *
 * Versioning, i.e. what to bump when this changes:
 * - An incompatible change to the node or its subnodes (a property
 *   renamed, removed, resized or reinterpreted, a new one that the reader
 *   must understand): bump the "-v<N>" of KEEPALIVE_VFIO_COMPATIBLE.
 * - A new optional property that older kernels may ignore: bump
 *   KEEPALIVE_ABI_MINOR (abi/core.h).
 */
#ifndef _LINUX_KEEPALIVE_ABI_VFIO_H
#define _LINUX_KEEPALIVE_ABI_VFIO_H

#include <linux/keepalive/abi/core.h>

#define KEEPALIVE_VFIO_COMPATIBLE	"keepalive,vfio-pci-v1"

/* The participant's node, a child of the root. */
#define KEEPALIVE_VFIO_NODE		"vfio"
/* Name of a device's subnode: this, then its index in decimal. */
#define KEEPALIVE_VFIO_DEVICE_PREFIX	"device@"

/* and KEEPALIVE_PROP_PCI_SEGMENT, _BUS, _DEVFN (abi/core.h) */
#define KEEPALIVE_VFIO_PROP_VENDOR_DEVICE	"vendor-device"
#define KEEPALIVE_VFIO_PROP_CLASS	"class"
#define KEEPALIVE_VFIO_PROP_COMMAND	"command"
#define KEEPALIVE_VFIO_PROP_BARS	"bars"
#define KEEPALIVE_VFIO_PROP_MSIX	"msix"
#define KEEPALIVE_VFIO_PROP_TOKEN_SHA256	"token-sha256"

#endif /* _LINUX_KEEPALIVE_ABI_VFIO_H */
