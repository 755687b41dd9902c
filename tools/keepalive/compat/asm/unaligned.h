/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <asm/unaligned.h>: see ../ka_kernel.h. */
#ifndef _KEEPALIVE_COMPAT_ASM_UNALIGNED_H
#define _KEEPALIVE_COMPAT_ASM_UNALIGNED_H

#include "../ka_kernel.h"

#endif /* _KEEPALIVE_COMPAT_ASM_UNALIGNED_H */
