// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: pins of a preserved file's memory, for vfio's
 * type1.
 *
 * type1 pins what a VMM maps for DMA with pin_user_pages(), 512 pages per
 * call, walking the page tables page by page: 1M walks for a 4 GiB guest.
 * A preserved file is one physically contiguous range of the pool, whose
 * folios are 2 MiB, so the pins its mapping would give are taken straight
 * on the folios (pin_device_page_range()), a folio at a time, and dropped
 * the same way at unmap. They are the same pins, counted the same way:
 * keepalive_pool_pinned() sees them, and a file stays unfreeable while
 * any is held (registry.c).
 */
#define pr_fmt(fmt) "keepalive: memfd: " fmt

#include <linux/keepalive/memfd.h>
#include <linux/mm.h>

#include "kamf.h"

/**
 * keepalive_memfd_pin_user() - pin a mapped preserved file a folio at a time
 * @mm: the address space, current's
 * @vaddr: page-aligned user address
 * @npages: pages wanted from @vaddr on
 * @write: the device will write (FOLL_WRITE)
 * @pfn: out: the page frame of @vaddr
 *
 * When @vaddr lies in a mapping of a preserved memory file, pins from
 * @vaddr to the end of that mapping, or @npages, as pin_user_pages() with
 * FOLL_LONGTERM would pin each page through the mapping, without walking
 * or faulting it in. The pages are physically contiguous from @pfn.
 * Undo with keepalive_memfd_unpin().
 *
 * Context: Process context; takes @mm's mmap_lock for read.
 * Return: the number of pages pinned (1 to @npages); -EINVAL when
 * @npages is 0; -ENOENT when @vaddr is not in a preserved file's mapping
 * (pin it the usual way); -EFAULT when the mapping does not allow the
 * access (no VM_READ, or no VM_WRITE for @write); -ENOMEM when a folio
 * could not be pinned.
 */
long keepalive_memfd_pin_user(struct mm_struct *mm, unsigned long vaddr,
			      unsigned long npages, bool write,
			      unsigned long *pfn)
{
	struct vm_area_struct *vma;
	struct keepalive_memfd *mf;
	phys_addr_t phys;
	long ret = -ENOENT;

	if (!npages)
		return -EINVAL;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, vaddr);
	mf = vma ? kamf_vma(vma) : NULL;
	if (!mf)
		goto unlock;
	ret = -EFAULT;
	if (!(vma->vm_flags & VM_READ) || (write && !(vma->vm_flags & VM_WRITE)))
		goto unlock;
	/* kamf_mmap() keeps the mapping inside the file. */
	phys = mf->phys + ((u64)vma->vm_pgoff << PAGE_SHIFT) +
	       (vaddr - vma->vm_start);
	npages = min(npages, (vma->vm_end - vaddr) >> PAGE_SHIFT);
	ret = pin_device_page_range(keepalive_pool_page(phys), npages);
	if (!ret) {
		*pfn = PHYS_PFN(phys);
		ret = npages;
	}
unlock:
	mmap_read_unlock(mm);
	return ret;
}
EXPORT_SYMBOL_GPL(keepalive_memfd_pin_user);

/**
 * keepalive_memfd_unpin() - unpin pool memory a folio at a time
 * @pfn: the first page frame
 * @npages: how many
 * @dirty: mark them dirty (the device may have written)
 *
 * Drops one pin per page, as unpin_user_pages_dirty_lock() would, for
 * pins that keepalive_memfd_pin_user() or pin_user_pages() took.
 *
 * Context: Process context.
 * Return: true when the range lies in the pool and was unpinned; false
 * when it does not (unpin it the usual way).
 */
bool keepalive_memfd_unpin(unsigned long pfn, unsigned long npages,
			   bool dirty)
{
	if (!keepalive_pool_contains(PFN_PHYS(pfn), (u64)npages << PAGE_SHIFT))
		return false;
	unpin_user_page_range_dirty_lock(pfn_to_page(pfn), npages, dirty);
	return true;
}
EXPORT_SYMBOL_GPL(keepalive_memfd_unpin);
