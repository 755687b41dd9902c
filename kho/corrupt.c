// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the debugfs "corrupt" knob, a test hook built
 * only with CONFIG_KEEPALIVE_FAULT_INJECTION.
 *
 * Writing a word damages the sealed outgoing image the way a bug or a
 * stray write could, so that tests can check the next kernel refuses it:
 * magic, abi, hdr-crc, fdt-crc, fdt, range (past the pool), overlap
 * (a range over the payload), iommu (the first kept device's IOMMU
 * record names domain id 0, which no context entry may use), irq, or
 * vfio-version (the vfio node says it is another version of its format:
 * the image is accepted, that node is not).
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/libfdt.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/abi/vfio.h>

#include "image.h"
#include "kho.h"

static const char * const corruptions[] = {
	"magic", "abi", "hdr-crc", "fdt-crc", "fdt", "range", "overlap",
	"iommu", "irq", "vfio-version",
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

/* The first per-device record ("pci@<sbdf>") of participant node @name. */
static int first_device(void *fdt, const char *name)
{
	int parent = fdt_subnode_offset(fdt, 0, name);
	u32 seg, bus, devfn;
	int node;

	if (parent < 0)
		return -ENOENT;
	fdt_for_each_subnode(node, fdt, parent)
		if (!keepalive_fdt_pci_place(fdt, node, &seg, &bus, &devfn))
			return node;
	return -ENOENT;
}

static int corrupt_iommu(void *fdt)
{
	struct keepalive_iommu_translation *t;
	int node = first_device(fdt, KEEPALIVE_IOMMU_NODE);
	int len;

	if (node < 0)
		return -ENOENT;
	t = fdt_getprop_w(fdt, node, KEEPALIVE_IOMMU_PROP_TRANSLATION, &len);
	if (!t || len != sizeof(*t))
		return -ENOENT;
	t->domain_id = 0;
	return 0;
}

/* The first device's first vector: its entry's source id, another device's. */
static int corrupt_irq(void *fdt)
{
	int node = first_device(fdt, KEEPALIVE_IRQ_NODE);
	struct keepalive_irq_vector *v;
	int len;

	if (node < 0)
		return -ENOENT;
	v = fdt_getprop_w(fdt, node, KEEPALIVE_IRQ_PROP_VECTORS, &len);
	if (!v || len < (int)sizeof(*v))
		return -ENOENT;
	put_unaligned(cpu_to_be64(get_unaligned_be64(&v->irte_hi) ^ 1),
		      &v->irte_hi);
	return 0;
}

/* Node @name's compatible ends in "-v<N>": make it N + 1 (a digit). */
static int corrupt_version(void *fdt, const char *name)
{
	int node = fdt_subnode_offset(fdt, 0, name);
	char *compat;
	int len;

	if (node < 0)
		return -ENOENT;
	compat = fdt_getprop_w(fdt, node, KEEPALIVE_PROP_COMPATIBLE, &len);
	/* A string: its NUL, and at least one character before it. */
	if (!compat || len < 2 || compat[len - 2] < '0' ||
	    compat[len - 2] >= '9')
		return -ENOENT;
	compat[len - 2]++;
	return 0;
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
	what = sysfs_match_string(corruptions, word);
	if (what < 0)
		return what;

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
	case 7:
	case 8:
		ret = what == 7 ? corrupt_iommu(fdt) : corrupt_irq(fdt);
		if (!ret)
			reseal(fdt, out_phys);
		break;
	case 9:
		ret = corrupt_version(fdt, KEEPALIVE_VFIO_NODE);
		if (!ret)
			reseal(fdt, out_phys);
		break;
	}
	if (!ret)
		pr_warn("test: handover image corrupted (%s)\n", corruptions[what]);
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
