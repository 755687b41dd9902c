/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/log2.h>: see ../ka_kernel.h. */
#ifndef _KEEPALIVE_COMPAT_LINUX_LOG2_H
#define _KEEPALIVE_COMPAT_LINUX_LOG2_H

#include "../ka_kernel.h"

#endif /* _KEEPALIVE_COMPAT_LINUX_LOG2_H */
