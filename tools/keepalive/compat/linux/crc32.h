/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim for <linux/crc32.h>: crc32_le() only.
 *
 * The reflected CRC-32 (IEEE 802.3, polynomial 0xedb88320) with the
 * kernel's convention: @crc is the running value, with no inversion on
 * entry or exit, so that ~crc32_le(~0, p, len) is zlib's crc32(0, p, len).
 * Bitwise, since the images checked here are small.
 */
#ifndef _KEEPALIVE_COMPAT_LINUX_CRC32_H
#define _KEEPALIVE_COMPAT_LINUX_CRC32_H

#include <linux/types.h>

static inline u32 crc32_le(u32 crc, const void *p, size_t len)
{
	const u8 *b = p;
	int i;

	while (len--) {
		crc ^= *b++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return crc;
}

#endif /* _KEEPALIVE_COMPAT_LINUX_CRC32_H */
