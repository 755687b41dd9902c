/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/pci.h>: see ../ka_kernel.h. */
#ifndef _KEEPALIVE_COMPAT_LINUX_PCI_H
#define _KEEPALIVE_COMPAT_LINUX_PCI_H

#include "../ka_kernel.h"

#endif /* _KEEPALIVE_COMPAT_LINUX_PCI_H */
