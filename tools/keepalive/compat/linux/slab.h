/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim for <linux/slab.h>: kvmalloc_array() and kvfree() over
 * malloc(), so that ASan sees every allocation image.c makes.
 */
#ifndef _KEEPALIVE_COMPAT_LINUX_SLAB_H
#define _KEEPALIVE_COMPAT_LINUX_SLAB_H

#include <stdint.h>
#include <stdlib.h>

/* Allocation flags mean nothing here. */
#define GFP_KERNEL	0

/* Like the kernel's: NULL on multiplication overflow, memory not zeroed. */
static inline void *kvmalloc_array(size_t n, size_t size, int flags)
{
	(void)flags;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return malloc(n * size);
}

static inline void kvfree(void *p)
{
	free(p);
}

#endif /* _KEEPALIVE_COMPAT_LINUX_SLAB_H */
