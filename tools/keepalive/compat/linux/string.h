/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/string.h>: the libc one. */
#ifndef _KEEPALIVE_COMPAT_LINUX_STRING_H
#define _KEEPALIVE_COMPAT_LINUX_STRING_H

#include <string.h>

#endif /* _KEEPALIVE_COMPAT_LINUX_STRING_H */
