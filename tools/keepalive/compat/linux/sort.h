/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim for <linux/sort.h>: sort() over qsort(). Neither is
 * stable. Only the default swap (a NULL @swap_func) is supported.
 */
#ifndef _KEEPALIVE_COMPAT_LINUX_SORT_H
#define _KEEPALIVE_COMPAT_LINUX_SORT_H

#include <stdlib.h>

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp_func)(const void *, const void *),
			void (*swap_func)(void *, void *, int))
{
	if (swap_func)
		abort();
	qsort(base, num, size, cmp_func);
}

#endif /* _KEEPALIVE_COMPAT_LINUX_SORT_H */
