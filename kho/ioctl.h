/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: table-driven ioctl dispatch for /dev/keepalive
 * and preserved memory files (kho/cdev.c).
 */
#ifndef _KEEPALIVE_KHO_IOCTL_H
#define _KEEPALIVE_KHO_IOCTL_H

#include <linux/build_bug.h>
#include <linux/ioctl.h>
#include <linux/types.h>

struct file;

/* Bytes of the largest argument struct any keepalive ioctl takes. */
#define KEEPALIVE_IOCTL_ARG_MAX		128

/**
 * struct keepalive_ioctl - one ioctl of a keepalive file
 * @cmd: the command as the uAPI header defines it: its size field is the
 *	size of the struct this kernel knows
 * @min_size: the smallest size accepted: that of the struct's first version
 * @copy_in: the argument is read from userspace before @handler runs
 *	(_IOC_WRITE); otherwise @handler gets it zeroed
 * @copy_out: the argument is written back after @handler ran, whether it
 *	succeeded or not (_IOC_READ), for at most the caller's size
 * @handler: does the work on the kernel copy of the argument. Return: a
 *	value >= 0 for the ioctl (a new descriptor only when !@copy_out), or
 *	a negative errno
 */
struct keepalive_ioctl {
	unsigned int cmd;
	u16 min_size;
	bool copy_in;
	bool copy_out;
	long (*handler)(struct file *file, void *arg);
};

/*
 * The argument struct @type of an ioctl, whose first version was @ver0
 * bytes, fits the dispatcher's buffer.
 */
#define KEEPALIVE_IOCTL_ARG_CHECK(type, ver0)				\
	static_assert(sizeof(type) >= (ver0) &&				\
		      sizeof(type) <= KEEPALIVE_IOCTL_ARG_MAX)

long keepalive_ioctl_dispatch(const struct keepalive_ioctl *table,
			      unsigned int nr, struct file *file,
			      unsigned int cmd, unsigned long arg);

#endif /* _KEEPALIVE_KHO_IOCTL_H */
