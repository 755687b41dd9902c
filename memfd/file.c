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
 * Each page is faulted in with a reference of its own, which the mapping
 * holds until it is unmapped; whoever pins it (vfio's type1) holds a pin
 * until it unpins. See the top of registry.c.
 */
static vm_fault_t kamf_fault(struct vm_fault *vmf)
{
	struct keepalive_memfd *mf = vmf->vma->vm_file->private_data;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;

	if (off >= mf->length)
		return VM_FAULT_SIGBUS;
	vmf->page = keepalive_pool_page(mf->phys + off);
	get_page(vmf->page);
	return 0;
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
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &kamf_vm_ops;
	return 0;
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
