/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/mm.h> (PAGE_ALIGN()): see ../ka_kernel.h. */
#ifndef _KEEPALIVE_COMPAT_LINUX_MM_H
#define _KEEPALIVE_COMPAT_LINUX_MM_H

#include "../ka_kernel.h"

#endif /* _KEEPALIVE_COMPAT_LINUX_MM_H */
