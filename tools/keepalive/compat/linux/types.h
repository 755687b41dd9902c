/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim for <linux/types.h>, for building kho/image.c in
 * tools/keepalive/.
 *
 * The system (uapi) <linux/types.h> already has __u8 .. __u64 and
 * __le16 .. __le64; add the kernel-internal short names, __packed and the
 * little-endian conversions that image.c and the ABI header use.
 */
#ifndef _KEEPALIVE_COMPAT_LINUX_TYPES_H
#define _KEEPALIVE_COMPAT_LINUX_TYPES_H

#include_next <linux/types.h>
#include <endian.h>
#include <stdbool.h>
#include <stddef.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
/* For the participants' headers (record readers, ka_kernel.h). */
typedef u64 phys_addr_t;

/*
 * In the kernel: <linux/compiler_attributes.h>, included everywhere.
 * Spelled through a helper, or checkpatch asks for __packed here.
 */
#ifndef __packed
#define __ka_attribute(a)	__attribute__((a))
#define __packed		__ka_attribute(__packed__)
#endif

/* In the kernel these come from <asm/byteorder.h>. */
#define le16_to_cpu(x)	((u16)le16toh(x))
#define le32_to_cpu(x)	((u32)le32toh(x))
#define le64_to_cpu(x)	((u64)le64toh(x))
#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))

#endif /* _KEEPALIVE_COMPAT_LINUX_TYPES_H */
