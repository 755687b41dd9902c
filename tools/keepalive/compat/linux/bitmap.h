/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/bitmap.h>: see ../ka_kernel.h. */
#ifndef _KEEPALIVE_COMPAT_LINUX_BITMAP_H
#define _KEEPALIVE_COMPAT_LINUX_BITMAP_H

#include "../ka_kernel.h"

#endif /* _KEEPALIVE_COMPAT_LINUX_BITMAP_H */
