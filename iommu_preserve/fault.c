// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the debugfs "iommu_release" knob, a test hook
 * built only with CONFIG_KEEPALIVE_FAULT_INJECTION.
 *
 * Writing 1 releases every held device at once, whether or not the domain
 * it is attached to maps its memory yet: the bug the hold exists to
 * prevent, so that a test can show what it would cost (DMA remapping
 * faults, a lost completion).
 *
 * Also the participant's word of the core's "corrupt" knob: "iommu"
 * damages the first kept device's record (see ipr_corrupt()).
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/libfdt.h>

#include "ipr.h"

static ssize_t release_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct ipr_dev *d;
	bool yes;
	int ret;

	ret = kstrtobool_from_user(ubuf, len, &yes);
	if (ret)
		return ret;
	if (!yes)
		return -EINVAL;
	mutex_lock(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list)
		ipr_release(d);
	mutex_unlock(&ipr_lock);
	pr_warn("test: every held translation released early\n");
	return len;
}

static const struct file_operations release_fops = {
	.owner = THIS_MODULE,
	.write = release_write,
};

/**
 * ipr_fault_init() - create the iommu_release knob
 *
 * Context: Process context, boot, after the core's debugfs directory.
 */
void __init ipr_fault_init(void)
{
	struct dentry *dir = debugfs_lookup("keepalive", NULL);

	if (!dir)
		return;
	debugfs_create_file("iommu_release", 0200, dir, NULL, &release_fops);
	dput(dir);
}

/**
 * ipr_corrupt() - the "iommu" word of the debugfs corrupt knob
 * @p: this participant
 * @fdt: the sealed outgoing image
 * @node: this participant's node in it, or a negative libfdt error
 * @what: the word written
 *
 * The first kept device's record names domain id 0, which no context
 * entry may use: the next kernel must refuse it.
 *
 * Context: Process context; keepalive_sm.lock held, in STOP.
 * Return: 0; -EOPNOTSUPP for another word; -ENOENT without such a record.
 */
int ipr_corrupt(struct keepalive_participant *p, void *fdt, int node,
		const char *what)
{
	struct keepalive_iommu_translation *t;
	int dev, len;

	if (strcmp(what, "iommu"))
		return -EOPNOTSUPP;
	dev = keepalive_fdt_first_pci(fdt, node);
	if (dev < 0)
		return dev;
	t = fdt_getprop_w(fdt, dev, KEEPALIVE_IOMMU_PROP_TRANSLATION, &len);
	if (!t || len != ipr_be->translation_size)
		return -ENOENT;
	t->domain_id = 0;
	return 0;
}
