/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim for <linux/kernel.h>, for building kho/tests/image_cases.c
 * in tools/keepalive/: ARRAY_SIZE() and snprintf().
 */
#ifndef _KEEPALIVE_COMPAT_LINUX_KERNEL_H
#define _KEEPALIVE_COMPAT_LINUX_KERNEL_H

#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* _KEEPALIVE_COMPAT_LINUX_KERNEL_H */
