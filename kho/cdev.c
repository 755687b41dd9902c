// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: /dev/keepalive (include/uapi/linux/keepalive.h).
 *
 * Every ioctl needs CAP_SYS_ADMIN. Arguments are extensible structs with a
 * leading size, copied in with copy_struct_from_user().
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>

#include "kho.h"

/* Copy in an extensible struct of kernel size @ksize. */
static int copy_arg(void *karg, size_t ksize, void __user *uarg)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < sizeof(u32) * 2)
		return -EINVAL;
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

static long ioc_transition(void __user *uarg)
{
	struct keepalive_transition t;
	struct keepalive_result res;
	int ret;

	ret = copy_arg(&t, sizeof(t), uarg);
	if (ret)
		return ret;
	if (t.flags || t.__reserved)
		return -EINVAL;
	ret = keepalive_transition(t.event, &res);
	t.state = res.state;
	t.error = res.error;
	memcpy(t.participant, res.participant, sizeof(t.participant));
	if (copy_to_user(uarg, &t, min_t(size_t, t.size, sizeof(t))))
		return -EFAULT;
	return ret;
}

static long ioc_memfd_create(void __user *uarg)
{
	struct keepalive_memfd_create c;
	int ret;

	ret = copy_arg(&c, sizeof(c), uarg);
	return ret ?: keepalive_memfd_create(&c);
}

static long ioc_memfd_retrieve(void __user *uarg, bool destroy)
{
	struct keepalive_memfd_retrieve r;
	int ret;

	ret = copy_arg(&r, sizeof(r), uarg);
	if (ret)
		return ret;
	return destroy ? keepalive_memfd_destroy(&r) :
			 keepalive_memfd_retrieve(&r);
}

static long ioc_memfd_list(void __user *uarg)
{
	struct keepalive_memfd_list l;
	int ret;

	ret = copy_arg(&l, sizeof(l), uarg);
	if (ret)
		return ret;
	if (l.flags || l.__reserved)
		return -EINVAL;
	ret = keepalive_memfd_list(u64_to_user_ptr(l.entries), l.nr);
	if (ret < 0)
		return ret;
	l.nr = ret;
	if (copy_to_user(uarg, &l, min_t(size_t, l.size, sizeof(l))))
		return -EFAULT;
	return 0;
}

static long keepalive_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case KEEPALIVE_IOC_TRANSITION:
		return ioc_transition(uarg);
	case KEEPALIVE_IOC_MEMFD_CREATE:
		return ioc_memfd_create(uarg);
	case KEEPALIVE_IOC_MEMFD_RETRIEVE:
		return ioc_memfd_retrieve(uarg, false);
	case KEEPALIVE_IOC_MEMFD_DESTROY:
		return ioc_memfd_retrieve(uarg, true);
	case KEEPALIVE_IOC_MEMFD_LIST:
		return ioc_memfd_list(uarg);
	}
	return -ENOTTY;
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
