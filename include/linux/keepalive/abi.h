/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image, an ABI between two kernels.
 *
 * The keepalive pool is one physically contiguous range. Its first page
 * holds struct keepalive_hdr; the header points at a flattened device tree
 * (the payload) elsewhere in the pool:
 *
 *   / {
 *       compatible = "keepalive,handover-v1";
 *       <participant> {                   one node per participant
 *           compatible = "keepalive,<participant>-v<N>";
 *           ...                           the participant's own ABI
 *       };
 *   };
 *
 * Every address in the payload is a physical address inside the pool.
 * The next kernel learns where the pool is from a SETUP_KEEPALIVE
 * setup_data entry that kexec_file_load adds to boot_params, and trusts
 * nothing before it has checked the header (magic, ABI major, sizes, both
 * CRCs), the FDT structure and every range.
 *
 * Versioning, i.e. what to bump when this changes:
 * - struct keepalive_hdr changes layout or meaning: bump
 *   KEEPALIVE_ABI_MAJOR. Kernels refuse a different major.
 * - struct keepalive_setup_data changes: bump KEEPALIVE_SETUP_DATA_VERSION
 *   (it is read before the header, so it carries its own version).
 * - A new optional node or property that older kernels may ignore: bump
 *   KEEPALIVE_ABI_MINOR. Kernels accept any minor.
 * - A participant's node changes incompatibly: bump the "-v<N>" of that
 *   participant's compatible string. A kernel hands a node only to a
 *   participant with the exact same compatible.
 * - The root layout changes: bump KEEPALIVE_FDT_COMPATIBLE.
 *
 * This header is also built in userspace (tools/keepalive/).
 */
#ifndef _LINUX_KEEPALIVE_ABI_H
#define _LINUX_KEEPALIVE_ABI_H

#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/build_bug.h>
#else
/* Userspace builders provide __packed, as tools/keepalive/compat does. */
#include <assert.h>
#endif

#define KEEPALIVE_ABI_MAJOR		1
#define KEEPALIVE_ABI_MINOR		0

/* The eight bytes at the start of the pool when it carries a handover. */
#define KEEPALIVE_HDR_MAGIC		"KAHANDV1"
#define KEEPALIVE_HDR_MAGIC_LEN		8

/* The header occupies the first page of the pool. */
#define KEEPALIVE_HDR_AREA		4096

/*
 * The largest payload a kernel writes, and accepts: its metadata is per
 * object, not per page. Raising it needs a new ABI minor (older kernels
 * refuse a larger payload).
 */
#define KEEPALIVE_FDT_MAX		(1U << 20)

/* boot_params setup_data type: not a kernel.org type, chosen not to clash. */
#define SETUP_KEEPALIVE			0x4b41504cU	/* "KAPL" */

#define KEEPALIVE_FDT_COMPATIBLE	"keepalive,handover-v1"

/* Bump when struct keepalive_setup_data changes layout or meaning. */
#define KEEPALIVE_SETUP_DATA_VERSION	1

/*
 * Any node may carry this property: u64 pairs <phys length> of pool memory
 * the node's owner uses. The next kernel checks every pair before handing
 * out any node: non-empty, 4096-aligned, inside the pool and clear of the
 * header page, of the payload and of every other pair.
 */
#define KEEPALIVE_PROP_RANGES		"phys-ranges"

/*
 * Any participant's subnode that describes one PCI device names it with
 * these three u32 properties; the core's shared-record lookup
 * (keepalive_incoming_pci_record()) matches on them.
 */
#define KEEPALIVE_PROP_PCI_SEGMENT	"segment"
#define KEEPALIVE_PROP_PCI_BUS		"bus"
#define KEEPALIVE_PROP_PCI_DEVFN	"devfn"

/**
 * struct keepalive_hdr - header at the start of the keepalive pool
 * @magic: KEEPALIVE_HDR_MAGIC, not NUL-terminated
 * @abi_major: KEEPALIVE_ABI_MAJOR of the writer
 * @abi_minor: KEEPALIVE_ABI_MINOR of the writer
 * @hdr_size: sizeof(struct keepalive_hdr) of the writer
 * @pool_phys: physical address of the pool (and of this header)
 * @pool_size: size of the pool in bytes
 * @fdt_offset: offset of the payload FDT from @pool_phys, a multiple of 8
 *	(libfdt reads it in place)
 * @fdt_size: size of the payload FDT in bytes (its totalsize)
 * @generation: number of kexecs this pool's contents have survived,
 *	counting the one this header is written for
 * @fdt_crc32: CRC-32 (IEEE 802.3, as zlib's crc32()) of the payload
 * @hdr_crc32: CRC-32 of this header with @hdr_crc32 set to 0
 *
 * All fields are little endian.
 */
struct keepalive_hdr {
	__u8	magic[KEEPALIVE_HDR_MAGIC_LEN];
	__le16	abi_major;
	__le16	abi_minor;
	__le32	hdr_size;
	__le64	pool_phys;
	__le64	pool_size;
	__le64	fdt_offset;
	__le64	fdt_size;
	__le64	generation;
	__le32	fdt_crc32;
	__le32	hdr_crc32;
} __packed;
static_assert(sizeof(struct keepalive_hdr) == 64, "keepalive_hdr is ABI");

/**
 * struct keepalive_setup_data - payload of the SETUP_KEEPALIVE setup_data
 * @version: KEEPALIVE_SETUP_DATA_VERSION; a kernel ignores an entry of
 *	another version (and boots without the previous pool)
 * @reserved: 0
 * @pool_phys: physical address of the keepalive pool
 * @pool_size: its size in bytes
 *
 * Present whenever the previous kernel had a pool, whether or not a
 * handover was made: the pool stays reserved in the E820 map handed over,
 * and a kernel with keepalive takes it over at the same place.
 */
struct keepalive_setup_data {
	__le32	version;
	__le32	reserved;
	__le64	pool_phys;
	__le64	pool_size;
} __packed;
static_assert(sizeof(struct keepalive_setup_data) == 24,
	      "keepalive_setup_data is ABI");

/*
 * Preserved memory files: node "memfd", one subnode "file@<index>" per file:
 *   name		string, at most KEEPALIVE_NAME_MAX - 1 bytes
 *   length		u64, bytes, a multiple of 4096
 *   token-sha256	32 bytes, SHA-256 of the 16-byte token
 *   phys-ranges	one u64 pair <phys length> with length equal to
 *			"length" (memfd-v1 files are contiguous; more
 *			pairs would need memfd-v2)
 */
#define KEEPALIVE_MEMFD_COMPATIBLE	"keepalive,memfd-v1"
#define KEEPALIVE_TOKEN_HASH_SIZE	32

/*
 * Kept vfio-pci devices: node "vfio", one subnode "device@<index>" per
 * device, all cells big endian as FDT cells are:
 *   segment, bus, devfn	u32 each: where it is
 *   vendor-device		u32: vendor << 16 | device
 *   class			u32: the 24-bit class code
 *   command			u32: the PCI command register at STOP
 *   bars			6 x <u64 start, u64 flags>, as enumerated
 *   msix			<u32 control, u32 table, u32 pba> (if MSI-X)
 *   token-sha256		32 bytes, SHA-256 of the 16-byte token
 */
#define KEEPALIVE_VFIO_COMPATIBLE	"keepalive,vfio-pci-v1"

#endif /* _LINUX_KEEPALIVE_ABI_H */
