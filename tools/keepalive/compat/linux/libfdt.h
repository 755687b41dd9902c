/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim for <linux/libfdt.h>: the system libfdt (libfdt-dev).
 *
 * The kernel's <linux/libfdt_env.h> also pulls in <linux/kernel.h> and
 * <linux/string.h>, which is where image.c gets snprintf(), the mem*()
 * functions and the errno values from; the libc headers stand in for them.
 */
#ifndef _KEEPALIVE_COMPAT_LINUX_LIBFDT_H
#define _KEEPALIVE_COMPAT_LINUX_LIBFDT_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

#endif /* _KEEPALIVE_COMPAT_LINUX_LIBFDT_H */
