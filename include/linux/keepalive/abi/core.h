/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the handover image, an ABI between two kernels.
 * This header is the core's part of it: the setup_data entry, the header,
 * the root of the payload and the properties any participant may use.
 * Each participant's own node is defined in a header of its own next to
 * this one: abi/memfd.h (preserved memory files), abi/vfio.h (kept
 * vfio-pci devices) and abi/iommu.h (their DMA translation). The
 * interrupt remapping participant will add abi/irq.h.
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
 *   participant's compatible string (in its own header). A kernel hands a
 *   node only to a participant with the exact same compatible.
 * - The root layout changes, or "phys-ranges" (which the core checks in
 *   every node): bump KEEPALIVE_FDT_COMPATIBLE.
 * - Another property defined here changes incompatibly: bump the
 *   compatible of every participant whose node uses it.
 *
 * These headers replace a single abi.h. The split changed no byte of the
 * image: the same strings, the same layout, the same versions. Moving a
 * definition between them needs no bump; changing its value does.
 *
 * History: version 2 of every participant's node (memfd-v2, vfio-pci-v2,
 * iommu-vtd-v2, irq-msix-vtd-v2) names a per-device record for its device
 * ("pci@<sbdf>", below) instead of three "segment", "bus" and "devfn"
 * properties, and packs each record's fields into one or two fixed
 * structures: at most 128 bytes of image per preserved object (a file, a
 * device's configuration, its DMA translation with one IOVA range, its
 * interrupts with one armed vector). The root's layout did not change.
 *
 * This header is also built in userspace (tools/keepalive/, the
 * selftests).
 */
#ifndef _LINUX_KEEPALIVE_ABI_CORE_H
#define _LINUX_KEEPALIVE_ABI_CORE_H

#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/build_bug.h>
#else
/* Userspace builders provide __packed, as tools/keepalive/compat does. */
#include <assert.h>
#endif

#define KEEPALIVE_ABI_MAJOR		1
/*
 * 1: struct keepalive_devlist in the header page
 * 2: the irq node's "ir-table@<n>" subnodes (abi/irq.h)
 */
#define KEEPALIVE_ABI_MINOR		2

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
#define KEEPALIVE_FDT_MAX		0x100000U	/* 1 MiB */

/* boot_params setup_data type: not a kernel.org type, chosen not to clash. */
#define SETUP_KEEPALIVE			0x4b41504cU	/* "KAPL" */

/* The root node's compatible. */
#define KEEPALIVE_FDT_COMPATIBLE	"keepalive,handover-v1"

/* Bump when struct keepalive_setup_data changes layout or meaning. */
#define KEEPALIVE_SETUP_DATA_VERSION	1

/*
 * The root node and every participant's node carry this property, a
 * string: KEEPALIVE_FDT_COMPATIBLE on the root, the participant's
 * versioned compatible on its node (written by the core).
 */
#define KEEPALIVE_PROP_COMPATIBLE	"compatible"

/*
 * Any node may carry this property: u64 pairs <phys length> of pool memory
 * the node's owner uses. The next kernel checks every pair before handing
 * out any node: non-empty, 4096-aligned, inside the pool and clear of the
 * header page, of the payload and of every other pair.
 */
#define KEEPALIVE_PROP_RANGES		"phys-ranges"

/*
 * A participant's per-PCI-device subnode is named for its device, as an
 * FDT unit address: "pci@<sbdf>", where <sbdf> is
 *   segment << 16 | bus << 8 | devfn
 * in lowercase hexadecimal without leading zeros (printf's "%x"): the
 * function 0000:00:03.0 is "pci@18", 0001:02:00.1 is "pci@10201". The
 * segment is at most 0xffff (VT-d's, and x86's, PCI segments are 16-bit).
 * Any other spelling of the same device is refused, so a node holds at
 * most one record per device (FDT names are unique among siblings), and
 * the core's shared-record lookup (keepalive_incoming_pci_record()) finds
 * it by name.
 */
#define KEEPALIVE_PCI_NODE_PREFIX	"pci@"
#define KEEPALIVE_PCI_NODE_NAME_MAX	sizeof(KEEPALIVE_PCI_NODE_PREFIX "ffffffff")

/*
 * Size of a participant's token hash property: the SHA-256 of the 16-byte
 * token a VMM chose, never the token itself.
 */
#define KEEPALIVE_TOKEN_HASH_SIZE	32

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

/*
 * The kept-device list: where every PCI function the handover records is,
 * read by the next kernel whatever becomes of the image.
 *
 * A kept device goes on mastering the bus through the kexec. When the
 * next kernel cannot take the handover (its header, payload or ranges are
 * refused; it lacks the participant of a node; a node has another
 * version), the image cannot say which devices those are, yet each must be
 * stopped before that kernel's IOMMU turns translation off or hands the
 * device to a driver. So the writer also puts the places of every
 * "pci@<sbdf>" record of every participant's node into this list, in the
 * header page behind struct keepalive_hdr, with a CRC of its own: the
 * next kernel reads it on its own, before and whatever the checks of the
 * image, and stops at enumeration every listed device that no participant
 * adopted (bus master off, then a function reset).
 *
 * Rules the reader checks: @magic, @count at most KEEPALIVE_DEVLIST_MAX,
 * the CRC, entries strictly ascending with a segment of at most 0xffff,
 * and every entry past @count zero. A list that fails them is ignored as
 * a whole (logged): the next kernel then knows no place to stop.
 *
 * What to bump: a change of layout or meaning changes the digit at the end
 * of KEEPALIVE_DEVLIST_MAGIC (an older reader then finds no list, as with
 * a writer that had none: it stops nothing, as before the list existed).
 * Its presence is ABI minor 1.
 */
#define KEEPALIVE_DEVLIST_MAGIC		"KADEVLS1"
#define KEEPALIVE_DEVLIST_MAGIC_LEN	8
/* Offset in the header page, clear of struct keepalive_hdr. */
#define KEEPALIVE_DEVLIST_OFFSET	2048
#define KEEPALIVE_DEVLIST_MAX		508

/**
 * struct keepalive_devlist - the kept-device list, in the header page
 * @magic: KEEPALIVE_DEVLIST_MAGIC, not NUL-terminated
 * @count: entries in @sbdf
 * @crc32: CRC-32 (as &keepalive_hdr.hdr_crc32) of the whole structure
 *	with @crc32 set to 0
 * @sbdf: segment << 16 | bus << 8 | devfn of each recorded function,
 *	strictly ascending; zero from @count on
 *
 * All fields are little endian.
 */
struct keepalive_devlist {
	__u8	magic[KEEPALIVE_DEVLIST_MAGIC_LEN];
	__le32	count;
	__le32	crc32;
	__le32	sbdf[KEEPALIVE_DEVLIST_MAX];
} __packed;
static_assert(sizeof(struct keepalive_devlist) == 2048,
	      "keepalive_devlist is ABI");
static_assert(sizeof(struct keepalive_hdr) <= KEEPALIVE_DEVLIST_OFFSET &&
	      sizeof(struct keepalive_devlist) <=
	      KEEPALIVE_HDR_AREA - KEEPALIVE_DEVLIST_OFFSET,
	      "keepalive_devlist is in the header page");

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
 * The boot note: what handover a kernel image can receive. A kernel built
 * with keepalive carries one struct keepalive_boot_note in its real-mode
 * setup code (arch/x86/boot/keepalive-note.c, filled by
 * KEEPALIVE_BOOT_NOTE_INIT in linux/keepalive/bootnote.h), which a bzImage
 * keeps uncompressed in its first (setup_sects + 1) * 512 bytes, so that
 * the kernel loading it with kexec_file_load can read it. A kexec carries
 * a handover only into an image whose note has the magic and the same
 * @abi_major, @setup_data_version and @fdt_compatible as the writer, and
 * lists in @participants the compatible of every participant node the
 * handover carries: any other kernel would not find the pool, or not read
 * it, or leave a kept device with no participant to adopt it.
 *
 * What to bump: the fields follow KEEPALIVE_ABI_MAJOR,
 * KEEPALIVE_SETUP_DATA_VERSION, KEEPALIVE_FDT_COMPATIBLE and each
 * participant's KEEPALIVE_*_COMPATIBLE, and change with them. A change to
 * this struct itself (a field added, resized or reinterpreted, more
 * participants) bumps the digit at the end of KEEPALIVE_BOOT_NOTE_MAGIC
 * and the static_assert below: a reader finds no note of its own layout
 * and refuses (-EPROTO when it sees "KEEPALIVE-NOTE-" with another digit).
 * A new participant needs no bump while @participants has room; its
 * compatible must fit KEEPALIVE_BOOT_NOTE_COMPAT_LEN bytes.
 *
 * History: KEEPALIVE-NOTE-1 (56 bytes) had no @participants, so a kernel
 * built without a participant was accepted and then could not adopt the
 * devices whose nodes it did not read.
 */
#define KEEPALIVE_BOOT_NOTE_MAGIC	"KEEPALIVE-NOTE-2"
#define KEEPALIVE_BOOT_NOTE_PREFIX	"KEEPALIVE-NOTE-"
#define KEEPALIVE_BOOT_NOTE_MAGIC_LEN	16
#define KEEPALIVE_BOOT_NOTE_COMPAT_LEN	32
#define KEEPALIVE_BOOT_NOTE_PARTICIPANTS 8

/**
 * struct keepalive_boot_note - the handover a kernel image can receive
 * @magic: KEEPALIVE_BOOT_NOTE_MAGIC, not NUL-terminated
 * @abi_major: the KEEPALIVE_ABI_MAJOR it accepts
 * @setup_data_version: the KEEPALIVE_SETUP_DATA_VERSION it reads
 * @fdt_compatible: the KEEPALIVE_FDT_COMPATIBLE it accepts, NUL-padded
 * @participants: the compatible of each participant built into it (whose
 *	node it reads), each NUL-padded (no NUL when it fills the slot), in
 *	any order; unused slots are all NUL
 *
 * All fields are little endian.
 */
struct keepalive_boot_note {
	char	magic[KEEPALIVE_BOOT_NOTE_MAGIC_LEN];
	__le32	abi_major;
	__le32	setup_data_version;
	char	fdt_compatible[KEEPALIVE_BOOT_NOTE_COMPAT_LEN];
	char	participants[KEEPALIVE_BOOT_NOTE_PARTICIPANTS]
			    [KEEPALIVE_BOOT_NOTE_COMPAT_LEN];
} __packed;
static_assert(sizeof(struct keepalive_boot_note) == 312,
	      "keepalive_boot_note is ABI");

#endif /* _LINUX_KEEPALIVE_ABI_CORE_H */
