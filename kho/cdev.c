// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: /dev/keepalive (include/uapi/linux/keepalive.h),
 * and the ioctl dispatch that it shares with preserved memory files.
 *
 * Every ioctl on /dev/keepalive needs CAP_SYS_ADMIN. The ioctls are a table
 * indexed by _IOC_NR(): each command's number encodes the size of its
 * argument struct, which one helper copies in with copy_struct_from_user()
 * semantics (keepalive_ioctl_dispatch()).
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/bug.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>

#include "ioctl.h"
#include "kho.h"

/*
 * Copy in the argument of @cmd, whose size is in the command number: at
 * least @min_size bytes, zero-filled up to @ksize, and zero beyond @ksize.
 */
static int keepalive_copy_arg(void *karg, size_t ksize, size_t min_size,
			      unsigned int cmd, const void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);

	if (usize < min_size)
		return -EINVAL;
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

/**
 * keepalive_ioctl_dispatch() - run an ioctl from a table of them
 * @table: the file's ioctls, each at the index _IOC_NR() of its command
 * @nr: entries in @table
 * @file: the file the ioctl was issued on
 * @cmd: the command; its size field may differ from the table's (an older
 *	or newer struct)
 * @arg: the user pointer to the argument
 *
 * Finds @cmd's entry, copies the argument in (smaller structs are
 * zero-filled, larger ones must be zero beyond what the kernel knows),
 * calls the handler and copies the argument back out for the caller's
 * size.
 *
 * Context: Process context; the handler's.
 * Return: the handler's value; -ENOTTY for a command that is not in
 * @table (unknown number, another ioctl type or direction); -EINVAL for an
 * argument smaller than the struct's first version; -E2BIG for a larger
 * one with non-zero bytes beyond the struct this kernel knows; -EFAULT
 * when the argument cannot be read or written back; or the handler's
 * negative errno.
 */
long keepalive_ioctl_dispatch(const struct keepalive_ioctl *table,
			      unsigned int nr, struct file *file,
			      unsigned int cmd, unsigned long arg)
{
	u64 karg[KEEPALIVE_IOCTL_ARG_MAX / sizeof(u64)];
	void __user *uarg = (void __user *)arg;
	const struct keepalive_ioctl *ioc;
	size_t ksize;
	long ret;

	if (_IOC_NR(cmd) >= nr)
		return -ENOTTY;
	ioc = &table[_IOC_NR(cmd)];
	if (!ioc->handler || (cmd & ~IOCSIZE_MASK) != (ioc->cmd & ~IOCSIZE_MASK))
		return -ENOTTY;
	ksize = _IOC_SIZE(ioc->cmd);
	if (WARN_ON_ONCE(ksize > sizeof(karg)))
		return -ENOTTY;
	if (ioc->copy_in) {
		ret = keepalive_copy_arg(karg, ksize, ioc->min_size, cmd, uarg);
		if (ret)
			return ret;
	} else {
		/* Nothing to read, but the caller's struct must be one. */
		if (_IOC_SIZE(cmd) < ioc->min_size)
			return -EINVAL;
		memset(karg, 0, ksize);
	}
	ret = ioc->handler(file, karg);
	if (ioc->copy_out &&
	    copy_to_user(uarg, karg, min_t(size_t, _IOC_SIZE(cmd), ksize)))
		return ret < 0 ? ret : -EFAULT;
	return ret;
}

/* Out fields are written back whether the transition succeeded or not. */
static long ioc_transition(struct file *file, void *arg)
{
	struct keepalive_transition *t = arg;
	struct keepalive_result res;
	long ret;

	BUILD_BUG_ON(sizeof(t->participant) != sizeof(res.participant));
	if (t->flags)
		return -EINVAL;
	ret = keepalive_transition(t->event, &res);
	t->state = res.state;
	t->error = res.error;
	memcpy(t->participant, res.participant, sizeof(t->participant));
	return ret;
}

static long ioc_memfd_create(struct file *file, void *arg)
{
	return keepalive_memfd_create(arg);
}

static long ioc_memfd_retrieve(struct file *file, void *arg)
{
	return keepalive_memfd_retrieve(arg);
}

static long ioc_memfd_destroy(struct file *file, void *arg)
{
	return keepalive_memfd_destroy(arg);
}

static long ioc_memfd_list(struct file *file, void *arg)
{
	struct keepalive_memfd_list *l = arg;
	int ret;

	if (l->flags)
		return -EINVAL;
	ret = keepalive_memfd_list(u64_to_user_ptr(l->entries), l->nr);
	if (ret < 0)
		return ret;
	l->nr = ret;
	return 0;
}

KEEPALIVE_IOCTL_ARG_CHECK(struct keepalive_transition,
			  KEEPALIVE_TRANSITION_SIZE_VER0);
KEEPALIVE_IOCTL_ARG_CHECK(struct keepalive_memfd_create,
			  KEEPALIVE_MEMFD_CREATE_SIZE_VER0);
KEEPALIVE_IOCTL_ARG_CHECK(struct keepalive_memfd_retrieve,
			  KEEPALIVE_MEMFD_RETRIEVE_SIZE_VER0);
KEEPALIVE_IOCTL_ARG_CHECK(struct keepalive_memfd_list,
			  KEEPALIVE_MEMFD_LIST_SIZE_VER0);

static const struct keepalive_ioctl keepalive_ioctls[] = {
	[_IOC_NR(KEEPALIVE_IOC_TRANSITION)] = {
		.cmd = KEEPALIVE_IOC_TRANSITION,
		.min_size = KEEPALIVE_TRANSITION_SIZE_VER0,
		.copy_in = true,
		.copy_out = true,
		.handler = ioc_transition,
	},
	[_IOC_NR(KEEPALIVE_IOC_MEMFD_CREATE)] = {
		.cmd = KEEPALIVE_IOC_MEMFD_CREATE,
		.min_size = KEEPALIVE_MEMFD_CREATE_SIZE_VER0,
		.copy_in = true,
		.handler = ioc_memfd_create,
	},
	[_IOC_NR(KEEPALIVE_IOC_MEMFD_RETRIEVE)] = {
		.cmd = KEEPALIVE_IOC_MEMFD_RETRIEVE,
		.min_size = KEEPALIVE_MEMFD_RETRIEVE_SIZE_VER0,
		.copy_in = true,
		.handler = ioc_memfd_retrieve,
	},
	[_IOC_NR(KEEPALIVE_IOC_MEMFD_DESTROY)] = {
		.cmd = KEEPALIVE_IOC_MEMFD_DESTROY,
		.min_size = KEEPALIVE_MEMFD_RETRIEVE_SIZE_VER0,
		.copy_in = true,
		.handler = ioc_memfd_destroy,
	},
	[_IOC_NR(KEEPALIVE_IOC_MEMFD_LIST)] = {
		.cmd = KEEPALIVE_IOC_MEMFD_LIST,
		.min_size = KEEPALIVE_MEMFD_LIST_SIZE_VER0,
		.copy_in = true,
		.copy_out = true,
		.handler = ioc_memfd_list,
	},
};

static long keepalive_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return keepalive_ioctl_dispatch(keepalive_ioctls,
					ARRAY_SIZE(keepalive_ioctls), file, cmd,
					arg);
}

static const struct file_operations keepalive_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = keepalive_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice keepalive_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "keepalive",
	.fops = &keepalive_fops,
	.mode = 0600,
};

static int __init keepalive_cdev_init(void)
{
	int ret = misc_register(&keepalive_misc);

	if (ret)
		pr_err("cannot register /dev/keepalive: %d\n", ret);
	return ret;
}
device_initcall(keepalive_cdev_init);
