// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the file operations of a preserved memory file.
 *
 * A descriptor reads, writes and maps the file's contiguous pool memory;
 * KEEPALIVE_MEMFD_IOC_LAYOUT tells the administrator where it is.
 */
#define pr_fmt(fmt) "keepalive: memfd: " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>
#include <linux/uaccess.h>

#include "../kho/ioctl.h"
#include "kamf.h"

static ssize_t kamf_read(struct file *file, char __user *buf, size_t len,
			 loff_t *ppos)
{
	struct keepalive_memfd *mf = file->private_data;

	return simple_read_from_buffer(buf, len, ppos, mf->va, mf->length);
}

static ssize_t kamf_write(struct file *file, const char __user *buf,
			  size_t len, loff_t *ppos)
{
	struct keepalive_memfd *mf = file->private_data;

	if (*ppos >= mf->length && len)
		return -ENOSPC;
	return simple_write_to_buffer(mf->va, mf->length, ppos, buf, len);
}

static loff_t kamf_llseek(struct file *file, loff_t offset, int whence)
{
	struct keepalive_memfd *mf = file->private_data;

	return fixed_size_llseek(file, offset, whence, mf->length);
}

/*
 * The file is mapped the way device-dax maps its memory: each fault
 * inserts the pfn as device memory (PFN_DEV | PFN_MAP, a pte or pmd with
 * _PAGE_DEVMAP), a whole 2 MiB folio with one pmd where it fits. A
 * mapping holds no page reference; the vma holds the file, and with it
 * the memory (registry.c). pin_user_pages() still pins the folio, so a
 * DMA mapping (vfio's type1) is seen by keepalive_pool_pinned(). The vma
 * is VM_MIXEDMAP, which tells the rest of mm that its huge entries have
 * no rmap or reference to drop: unmapping part of one clears it, and the
 * rest faults in again (vma_is_special_huge()).
 *
 * 6.1 calls ->huge_fault only for DAX vmas (hugepage_vma_check()), so
 * the pmd is inserted from ->fault, where the pte table is not there yet,
 * as finish_fault() does for a page cache THP (do_set_pmd()). Without
 * CONFIG_TRANSPARENT_HUGEPAGE, or for a pud, there are ptes.
 */
static bool kamf_fault_pmd(struct vm_fault *vmf, struct keepalive_memfd *mf,
			   phys_addr_t *phys)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & PMD_MASK;
	u64 hoff = ((u64)vma->vm_pgoff << PAGE_SHIFT) + (haddr - vma->vm_start);

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) || !pmd_none(*vmf->pmd))
		return false;
	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end ||
	    hoff + PMD_SIZE > mf->length || !IS_ALIGNED(mf->phys + hoff, PMD_SIZE))
		return false;
	*phys = mf->phys + hoff;
	return true;
}

static vm_fault_t kamf_fault(struct vm_fault *vmf)
{
	struct keepalive_memfd *mf = vmf->vma->vm_file->private_data;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	phys_addr_t phys;
	vm_fault_t ret;
	pfn_t pfn;

	if (off >= mf->length)
		return VM_FAULT_SIGBUS;
	if (kamf_fault_pmd(vmf, mf, &phys)) {
		ret = vmf_insert_pfn_pmd(vmf, phys_to_pfn_t(phys, PFN_DEV | PFN_MAP),
					 write);
		if (ret != VM_FAULT_FALLBACK)
			return ret;
	}
	pfn = phys_to_pfn_t(mf->phys + off, PFN_DEV | PFN_MAP);
	return write ? vmf_insert_mixed_mkwrite(vmf->vma, vmf->address, pfn) :
		       vmf_insert_mixed(vmf->vma, vmf->address, pfn);
}

static const struct vm_operations_struct kamf_vm_ops = {
	.fault = kamf_fault,
};

static int kamf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct keepalive_memfd *mf = file->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;

	/* Shared only: the point is that the device sees these very pages. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= mf->length || size > mf->length - off)
		return -EINVAL;
	vma->vm_flags |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &kamf_vm_ops;
	return 0;
}

/**
 * kamf_vma() - the preserved memory file a vma maps
 * @vma: a vma, mmap_lock held
 *
 * Context: Any context; mmap_lock held for @vma.
 * Return: the file, valid while @vma is, or NULL when @vma maps none.
 */
struct keepalive_memfd *kamf_vma(struct vm_area_struct *vma)
{
	return vma->vm_ops == &kamf_vm_ops ? vma->vm_file->private_data : NULL;
}

static long kamf_layout(struct file *file, void *arg)
{
	struct keepalive_memfd *mf = file->private_data;
	struct keepalive_memfd_layout *lay = arg;
	struct keepalive_range r;

	if (lay->flags)
		return -EINVAL;
	/*
	 * Physical addresses are for the administrator (as in
	 * /proc/PID/pagemap), not for whoever was handed the file's fd.
	 */
	if (!capable(CAP_SYS_ADMIN)) {
		pr_warn_ratelimited("layout of %s refused: it needs CAP_SYS_ADMIN\n",
				    mf->name);
		return -EPERM;
	}
	/* One range in this version; the ABI allows more. */
	if (lay->nr_ranges >= 1) {
		r.phys = mf->phys;
		r.length = mf->length;
		if (copy_to_user(u64_to_user_ptr(lay->ranges), &r, sizeof(r)))
			return -EFAULT;
	}
	lay->length = mf->length;
	lay->nr_ranges = 1;
	return 0;
}

KEEPALIVE_IOCTL_ARG_CHECK(struct keepalive_memfd_layout,
			  KEEPALIVE_MEMFD_LAYOUT_SIZE_VER0);

static const struct keepalive_ioctl kamf_ioctls[] = {
	[_IOC_NR(KEEPALIVE_MEMFD_IOC_LAYOUT)] = {
		.cmd = KEEPALIVE_MEMFD_IOC_LAYOUT,
		.min_size = KEEPALIVE_MEMFD_LAYOUT_SIZE_VER0,
		.copy_in = true,
		.copy_out = true,
		.handler = kamf_layout,
	},
};

static long kamf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return keepalive_ioctl_dispatch(kamf_ioctls, ARRAY_SIZE(kamf_ioctls),
					file, cmd, arg);
}

static int kamf_file_release(struct inode *inode, struct file *file)
{
	kamf_put(file->private_data);
	return 0;
}

static const struct file_operations kamf_fops = {
	.owner = THIS_MODULE,
	.read = kamf_read,
	.write = kamf_write,
	.llseek = kamf_llseek,
	.mmap = kamf_mmap,
	/* Where a 2 MiB entry fits: see kamf_fault_pmd(). */
	.get_unmapped_area = thp_get_unmapped_area,
	.unlocked_ioctl = kamf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = kamf_file_release,
};

/**
 * kamf_open_fd() - a new descriptor on a file
 * @mf: the file
 *
 * The descriptor is O_RDWR | O_CLOEXEC and holds a reference to @mf.
 *
 * Context: Process context.
 * Return: the descriptor, or -EMFILE and friends.
 */
int kamf_open_fd(struct keepalive_memfd *mf)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	kref_get(&mf->ref);
	file = anon_inode_getfile("[keepalive-memfd]", &kamf_fops, mf, O_RDWR);
	if (IS_ERR(file)) {
		kamf_put(mf);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	fd_install(fd, file);
	return fd;
}
