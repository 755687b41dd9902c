// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: preserved memory files as a participant.
 *
 * STOP records every registered file (record.c); the next kernel adopts
 * them at resume, and CONCLUDE frees those nobody retrieved. Callbacks
 * all run under keepalive_sm.lock.
 */
#define pr_fmt(fmt) "keepalive: memfd: " fmt

#include <linux/init.h>
#include <linux/libfdt.h>

#include "kamf.h"

static int kamf_stop(struct keepalive_participant *p, void *fdt, int node)
{
	struct keepalive_memfd *mf;
	int ret = 0, i = 0;

	mutex_lock(&kamf_lock);
	list_for_each_entry(mf, &kamf_list, list) {
		ret = kamf_record_write(fdt, node, i++, mf);
		if (ret)
			break;
	}
	mutex_unlock(&kamf_lock);
	if (ret) {
		pr_err("stop: cannot record file %d: %s\n", i - 1,
		       fdt_strerror(ret));
		return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	}
	pr_info("stop: %d file(s) recorded\n", i);
	return 0;
}

static int kamf_resume(struct keepalive_participant *p, const void *fdt,
		       int node)
{
	int child;

	fdt_for_each_subnode(child, fdt, node)
		kamf_record_adopt(fdt, child);
	if (child != -FDT_ERR_NOTFOUND)
		return -EINVAL;
	pr_info("resume: %u file(s) adopted\n", keepalive_memfd_count());
	return 0;
}

static void kamf_conclude(struct keepalive_participant *p)
{
	struct keepalive_memfd *mf, *next;

	mutex_lock(&kamf_lock);
	list_for_each_entry_safe(mf, next, &kamf_list, list) {
		if (!mf->incoming || mf->retrieved)
			continue;
		pr_info("conclude: %s was not retrieved, freed\n", mf->name);
		kamf_unregister(mf);
	}
	list_for_each_entry(mf, &kamf_list, list)
		mf->incoming = false;
	mutex_unlock(&kamf_lock);
}

static const struct keepalive_ops kamf_ops = {
	.stop = kamf_stop,
	.resume = kamf_resume,
	.conclude = kamf_conclude,
};

static struct keepalive_participant kamf_participant = {
	.name = KEEPALIVE_MEMFD_NODE,
	.compatible = KEEPALIVE_MEMFD_COMPATIBLE,
	.priority = KEEPALIVE_PRIO_MEMORY,
	.ops = &kamf_ops,
};

/**
 * keepalive_memfd_init() - register preserved memory files as a participant
 *
 * Context: Process context, boot, after keepalive_handover_receive().
 * Return: 0 or the registration's errno.
 */
int __init keepalive_memfd_init(void)
{
	return keepalive_register(&kamf_participant);
}
