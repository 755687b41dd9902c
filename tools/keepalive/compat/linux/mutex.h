/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/mutex.h>: see ../ka_kernel.h. */
#ifndef _KEEPALIVE_COMPAT_LINUX_MUTEX_H
#define _KEEPALIVE_COMPAT_LINUX_MUTEX_H

#include "../ka_kernel.h"

#endif /* _KEEPALIVE_COMPAT_LINUX_MUTEX_H */
