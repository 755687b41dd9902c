// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the debugfs "corrupt" knob, a test hook built
 * only with CONFIG_KEEPALIVE_FAULT_INJECTION.
 *
 * Writing a word damages the sealed outgoing image the way a bug or a
 * stray write could, so that tests can check the next kernel refuses it:
 * magic, abi, hdr-crc, fdt-crc, fdt, range (past the pool), overlap
 * (a range over the payload). Any other word goes to the participants'
 * &keepalive_ops.corrupt, which damage their own records: iommu
 * (iommu_preserve/fault.c), irq (irq_preserve/fault.c), vfio-version
 * (vfio_keepalive/fault.c).
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/libfdt.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include "image.h"
#include "kho.h"

static const char * const corruptions[] = {
	"magic", "abi", "hdr-crc", "fdt-crc", "fdt", "range", "overlap",
};

struct corrupt_ctx {
	phys_addr_t out_phys;
	bool overlap;
};

static int corrupt_pair(void *ctx, const fdt64_t *pair)
{
	struct corrupt_ctx *c = ctx;
	bool overlap = c->overlap;
	/* The outgoing image is ours to damage. */
	fdt64_t *p = (fdt64_t *)pair;

	/* Property data is only 4-byte aligned: no direct 8-byte stores. */
	if (overlap) {
		/* Inside the pool, on top of the payload's first page. */
		put_unaligned(cpu_to_fdt64(c->out_phys), &p[0]);
		put_unaligned(cpu_to_fdt64(PAGE_SIZE), &p[1]);
	} else {
		/* Just past the end of the pool. */
		put_unaligned(cpu_to_fdt64(keepalive_pool_phys() +
					   keepalive_pool_size()), &p[0]);
	}
	return 1;
}

static int corrupt_range(void *fdt, phys_addr_t out_phys, bool overlap)
{
	struct corrupt_ctx c = { .out_phys = out_phys, .overlap = overlap };

	return keepalive_image_walk_ranges(fdt, corrupt_pair, &c) ?
	       0 : -ENOENT;
}

/*
 * A participant's word: the first participant that knows @what damages
 * its records. -EINVAL when none does, as for an unknown word.
 */
static int corrupt_participant(void *fdt, const char *what)
{
	struct keepalive_participant *p;
	int ret;

	lockdep_assert_held(&keepalive_sm.lock);
	list_for_each_entry(p, &keepalive_sm.participants, list) {
		if (!p->ops->corrupt)
			continue;
		ret = p->ops->corrupt(p, fdt, fdt_subnode_offset(fdt, 0, p->name),
				      what);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	return -EINVAL;
}

static void reseal(void *fdt, phys_addr_t out_phys)
{
	keepalive_hdr_seal(keepalive_pool_hdr(), keepalive_pool_phys(),
			   keepalive_pool_size(),
			   out_phys - keepalive_pool_phys(), fdt,
			   keepalive_handover_generation() + 1);
}

static ssize_t corrupt_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct keepalive_hdr *hdr = keepalive_pool_hdr();
	phys_addr_t out_phys;
	char word[16];
	void *fdt;
	int what, ret = 0;

	if (len >= sizeof(word) || copy_from_user(word, ubuf, len))
		return -EINVAL;
	word[len] = '\0';
	/* -EINVAL for a word nobody knows, as sysfs_match_string(). */
	what = sysfs_match_string(corruptions, word);
	if (len && word[len - 1] == '\n')
		word[len - 1] = '\0';

	mutex_lock(&keepalive_sm.lock);
	fdt = keepalive_outgoing(&out_phys);
	if (keepalive_sm.state != KEEPALIVE_STATE_STOP || !fdt) {
		ret = -EINVAL;
		goto out;
	}
	/*
	 * Each damage comes with checksums that are right for it, but for
	 * the checksum damages themselves: only that one thing is wrong.
	 */
	switch (what) {
	case 0:
		hdr->magic[0] ^= 0xff;
		break;
	case 1:
		hdr->abi_major = cpu_to_le16(KEEPALIVE_ABI_MAJOR + 1);
		hdr->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(hdr));
		break;
	case 2:
		hdr->hdr_crc32 ^= cpu_to_le32(1);
		break;
	case 3:
		hdr->fdt_crc32 ^= cpu_to_le32(1);
		hdr->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(hdr));
		break;
	case 4:
		fdt_set_magic(fdt, ~FDT_MAGIC);
		reseal(fdt, out_phys);
		break;
	case 5:
	case 6:
		ret = corrupt_range(fdt, out_phys, what == 6);
		if (!ret)
			reseal(fdt, out_phys);
		break;
	default:
		ret = corrupt_participant(fdt, word);
		if (!ret)
			reseal(fdt, out_phys);
		break;
	}
	if (!ret)
		pr_warn("test: handover image corrupted (%s)\n",
			what >= 0 ? corruptions[what] : word);
out:
	mutex_unlock(&keepalive_sm.lock);
	return ret ?: len;
}

static const struct file_operations corrupt_fops = {
	.owner = THIS_MODULE,
	.write = corrupt_write,
};

/**
 * keepalive_corrupt_init() - create the corrupt knob
 *
 * Context: Process context, boot, after keepalive_debugfs_init().
 */
void __init keepalive_corrupt_init(void)
{
	debugfs_create_file("corrupt", 0200, keepalive_debugfs, NULL,
			    &corrupt_fops);
}
