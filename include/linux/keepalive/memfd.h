/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the pin hooks of preserved memory files, called
 * from vfio's type1 (vfio_pin_pages_remote(), vfio_unpin_pages_remote()).
 * A preserved file is physically contiguous, so a DMA mapping of it is
 * pinned a folio at a time instead of a page-table walk per page. Static
 * inline no-ops without CONFIG_KEEPALIVE. See
 * Documentation/keepalive/core.rst.
 */
#ifndef _LINUX_KEEPALIVE_MEMFD_H
#define _LINUX_KEEPALIVE_MEMFD_H

#include <linux/errno.h>
#include <linux/types.h>

struct mm_struct;

#if IS_ENABLED(CONFIG_KEEPALIVE)
long keepalive_memfd_pin_user(struct mm_struct *mm, unsigned long vaddr,
			      unsigned long npages, bool write,
			      unsigned long *pfn);
bool keepalive_memfd_unpin(unsigned long pfn, unsigned long npages,
			   bool dirty);
#else
static inline long keepalive_memfd_pin_user(struct mm_struct *mm,
					    unsigned long vaddr,
					    unsigned long npages, bool write,
					    unsigned long *pfn)
{
	return -ENOENT;
}

static inline bool keepalive_memfd_unpin(unsigned long pfn,
					 unsigned long npages, bool dirty)
{
	return false;
}
#endif /* CONFIG_KEEPALIVE */

#endif /* _LINUX_KEEPALIVE_MEMFD_H */
