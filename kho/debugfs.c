// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: debugfs.
 *
 *   /sys/kernel/debug/keepalive/outgoing   the sealed image, in STOP
 *   /sys/kernel/debug/keepalive/incoming   the received image, until CONCLUDE
 *   /sys/kernel/debug/keepalive/timings    figures for kho_bench
 *
 * The images read as "header area + payload", what tools/keepalive/kadecode
 * decodes. Fault injection adds fail_keepalive and corrupt (fault.c,
 * corrupt.c).
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/libfdt.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "kho.h"

struct dentry *keepalive_debugfs;

/**
 * keepalive_image_snapshot() - an image as "header area + payload"
 * @hdr: its header
 * @fdt: its payload, @hdr->fdt_size bytes
 * @size: out: bytes of the snapshot
 *
 * The layout tools/keepalive/kadecode reads, for debugfs.
 *
 * Context: Process context.
 * Return: a kvmalloc()ed snapshot, or NULL without memory.
 */
void *keepalive_image_snapshot(const struct keepalive_hdr *hdr,
			       const void *fdt, size_t *size)
{
	size_t fdt_size = le64_to_cpu(hdr->fdt_size);
	void *buf = kvzalloc(KEEPALIVE_HDR_AREA + fdt_size, GFP_KERNEL);

	if (!buf)
		return NULL;
	memcpy(buf, hdr, sizeof(*hdr));
	memcpy(buf + KEEPALIVE_HDR_AREA, fdt, fdt_size);
	*size = KEEPALIVE_HDR_AREA + fdt_size;
	return buf;
}

/* The sealed outgoing image. */
static void *outgoing_snapshot(size_t *size)
{
	phys_addr_t phys;
	void *fdt = keepalive_outgoing(&phys);

	return fdt ? keepalive_image_snapshot(keepalive_pool_hdr(), fdt, size) :
	       NULL;
}

/* debugfs: the images as "header area + payload", for tools/keepalive. */
static int image_open(struct inode *inode, struct file *file)
{
	bool outgoing = inode->i_private;
	void *buf = NULL;
	size_t size = 0;

	mutex_lock(&keepalive_sm.lock);
	if (outgoing && keepalive_sm.state == KEEPALIVE_STATE_STOP)
		buf = outgoing_snapshot(&size);
	else if (!outgoing)
		buf = keepalive_incoming_snapshot(&size);
	mutex_unlock(&keepalive_sm.lock);
	if (!buf)
		return -ENODATA;
	file->private_data = buf;
	i_size_write(file_inode(file), size);
	return 0;
}

static ssize_t image_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	return simple_read_from_buffer(ubuf, len, ppos, file->private_data,
				       i_size_read(file_inode(file)));
}

static int image_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static const struct file_operations image_fops = {
	.owner = THIS_MODULE,
	.open = image_open,
	.read = image_read,
	.release = image_release,
	.llseek = default_llseek,
};

/* Figures for tools/testing/selftests/keepalive/kho_bench. */
static int timings_show(struct seq_file *m, void *unused)
{
	struct keepalive_pool_usage u;
	u64 validate_ns, accepted_at_ns, fdt_bytes;

	keepalive_pool_usage(&u);
	keepalive_incoming_timings(&validate_ns, &accepted_at_ns, &fdt_bytes);
	seq_printf(m, "reserve_ns %llu\n", keepalive_pool_reserve_ns());
	seq_printf(m, "validate_ns %llu\n", validate_ns);
	seq_printf(m, "accepted_at_ns %llu\n", accepted_at_ns);
	seq_printf(m, "incoming_fdt_bytes %llu\n", fdt_bytes);
	seq_printf(m, "pool_objects %lu\n", u.objects);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(timings);

/**
 * keepalive_debugfs_init() - the debugfs directory and its files
 *
 * Context: Process context, boot.
 */
void __init keepalive_debugfs_init(void)
{
	keepalive_debugfs = debugfs_create_dir("keepalive", NULL);
	debugfs_create_file("outgoing", 0400, keepalive_debugfs, (void *)1,
			    &image_fops);
	debugfs_create_file("incoming", 0400, keepalive_debugfs, NULL,
			    &image_fops);
	debugfs_create_file("timings", 0400, keepalive_debugfs, NULL,
			    &timings_fops);
}
