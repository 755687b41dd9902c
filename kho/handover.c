// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the outgoing and incoming handover images.
 *
 * Outgoing: at STOP the core takes an FDT buffer from the pool, lets every
 * participant add its node, packs it and writes the header into the pool's
 * first page. At kexec, the header stays only if the state is STOP; in any
 * other state it is wiped and the kexec carries nothing.
 *
 * Incoming: at boot, a kernel that took over its pool from the previous
 * kernel checks the header and the payload (image.c), claims the payload,
 * wipes the header (so that a later crash or kexec cannot replay it) and
 * enters RESUME. Every range of the image that no participant claimed by
 * the end of boot is held until CONCLUDE, because a device may still DMA
 * into it. A rejected image means a cold boot: the reason is logged and
 * the pool starts empty.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kexec.h>
#include <linux/libfdt.h>
#include <linux/reboot.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/unaligned.h>

#include "image.h"
#include "kho.h"

/* Room for the outgoing payload; its metadata is per object, not per page. */
#define KEEPALIVE_FDT_MAX	SZ_1M

/**
 * struct keepalive_handover - the images, under keepalive_sm.lock
 * @out_fdt: outgoing payload while in STOP, or NULL
 * @out_phys: its physical address
 * @in_fdt: incoming payload until CONCLUDE, or NULL
 * @in_size: its size
 * @in_snapshot: header area + payload as received, for debugfs
 * @in_snapshot_size: its size
 * @in_generation: kexecs survived by what was handed over, 0 when nothing
 * @status: what happened to the incoming image, for sysfs and the log
 * @orphans: ranges of the incoming image nobody claimed, held until
 *	CONCLUDE
 * @nr_orphans: entries in @orphans
 * @validate_ns: time taken to validate and adopt the incoming image
 * @accepted_at_ns: local_clock() when it was accepted (time since boot)
 * @carrying: set by the reboot notifier when the kexec under way starts
 *	from STOP and carries the sealed image; never cleared (the state
 *	machine is frozen in REBOOTING from then on)
 */
struct keepalive_handover {
	void *out_fdt;
	phys_addr_t out_phys;
	void *in_fdt;
	size_t in_size;
	void *in_snapshot;
	size_t in_snapshot_size;
	u64 in_generation;
	char status[160];
	struct { void *va; size_t size; } *orphans;
	unsigned int nr_orphans;
	u64 validate_ns;
	u64 accepted_at_ns;
	bool carrying;
};

static struct keepalive_handover ho;

static struct keepalive_hdr *pool_hdr(void)
{
	return keepalive_pool_va(keepalive_pool_phys());
}

static int image_begin(struct keepalive_sm *sm, void **fdt)
{
	void *buf;
	int ret;

	buf = keepalive_pool_alloc(KEEPALIVE_FDT_MAX, &ho.out_phys);
	if (!buf)
		return -ENOSPC;
	ret = fdt_create_empty_tree(buf, KEEPALIVE_FDT_MAX);
	if (!ret)
		ret = fdt_setprop_string(buf, 0, KEEPALIVE_PROP_COMPATIBLE,
					 KEEPALIVE_FDT_COMPATIBLE);
	if (ret) {
		keepalive_pool_free(buf, KEEPALIVE_FDT_MAX);
		return -EINVAL;
	}
	ho.out_fdt = buf;
	*fdt = buf;
	return 0;
}

static int image_seal(struct keepalive_sm *sm, void *fdt)
{
	if (fdt_pack(fdt))
		return -EINVAL;
	keepalive_hdr_seal(pool_hdr(), keepalive_pool_phys(),
			   keepalive_pool_size(),
			   ho.out_phys - keepalive_pool_phys(), fdt,
			   ho.in_generation + 1);
	pr_info("stop: handover image sealed: %u bytes, generation %llu\n",
		fdt_totalsize(fdt), ho.in_generation + 1);
	return 0;
}

static void image_discard(struct keepalive_sm *sm)
{
	memset(pool_hdr(), 0, sizeof(struct keepalive_hdr));
	keepalive_pool_free(ho.out_fdt, KEEPALIVE_FDT_MAX);
	ho.out_fdt = NULL;
}

static void image_conclude(struct keepalive_sm *sm)
{
	unsigned int i;

	for (i = 0; i < ho.nr_orphans; i++)
		keepalive_pool_free(ho.orphans[i].va, ho.orphans[i].size);
	if (ho.nr_orphans)
		pr_info("conclude: released %u unclaimed range(s)\n",
			ho.nr_orphans);
	kfree(ho.orphans);
	ho.orphans = NULL;
	ho.nr_orphans = 0;
	keepalive_pool_free(ho.in_fdt, ho.in_size);
	ho.in_fdt = NULL;
}

const struct keepalive_image_ops keepalive_pool_image_ops = {
	.begin = image_begin,
	.seal = image_seal,
	.discard = image_discard,
	.conclude = image_conclude,
};

/**
 * keepalive_handover_status() - what became of the incoming image
 *
 * Context: Any context.
 * Return: a line of text, e.g. "resumed: generation 2" or the reason a
 * handover was refused.
 */
const char *keepalive_handover_status(void)
{
	return ho.status;
}

/**
 * keepalive_handover_generation() - kexecs survived by the pool's contents
 *
 * Context: Any context.
 * Return: the incoming generation, 0 after a cold boot.
 */
u64 keepalive_handover_generation(void)
{
	return ho.in_generation;
}

static void *snapshot(const struct keepalive_hdr *hdr, const void *fdt,
		      size_t fdt_size, size_t *size)
{
	void *buf = kvzalloc(KEEPALIVE_HDR_AREA + fdt_size, GFP_KERNEL);

	if (!buf)
		return NULL;
	memcpy(buf, hdr, sizeof(*hdr));
	memcpy(buf + KEEPALIVE_HDR_AREA, fdt, fdt_size);
	*size = KEEPALIVE_HDR_AREA + fdt_size;
	return buf;
}

/**
 * keepalive_handover_receive() - validate and take the incoming image
 *
 * Called once at boot, before any participant registers. On success the
 * global state machine is in RESUME.
 *
 * Context: Process context, boot.
 */
void __init keepalive_handover_receive(void)
{
	struct keepalive_hdr *hdr = pool_hdr();
	phys_addr_t fdt_phys;
	size_t fdt_size;
	u64 start = local_clock();
	char why[128];
	void *fdt;
	int ret;

	if (!keepalive_pool_ready()) {
		snprintf(ho.status, sizeof(ho.status), "none: no pool");
		return;
	}
	if (!keepalive_pool_inherited()) {
		snprintf(ho.status, sizeof(ho.status), "none: cold boot");
		goto wipe;
	}
	ret = keepalive_hdr_check(hdr, keepalive_pool_phys(),
				  keepalive_pool_size(), why, sizeof(why));
	if (ret == -ENOENT) {
		snprintf(ho.status, sizeof(ho.status),
			 "none: the previous kernel made no handover (no header)");
		pr_info("no handover: no header in the pool (no kexec from STOP, or the header was wiped)\n");
		goto wipe;
	}
	if (ret)
		goto reject;
	fdt_phys = keepalive_pool_phys() + le64_to_cpu(hdr->fdt_offset);
	fdt_size = le64_to_cpu(hdr->fdt_size);
	fdt = keepalive_pool_va(fdt_phys);
	ret = keepalive_fdt_check(hdr, fdt, why, sizeof(why));
	if (ret)
		goto reject;
	fdt = keepalive_pool_claim(fdt_phys & PAGE_MASK,
				   PAGE_ALIGN(fdt_size + offset_in_page(fdt_phys)));
	if (IS_ERR(fdt)) {
		ret = PTR_ERR(fdt);
		snprintf(why, sizeof(why), "cannot claim the payload: %d", ret);
		goto reject;
	}
	ho.in_fdt = fdt;
	ho.in_size = PAGE_ALIGN(fdt_size + offset_in_page(fdt_phys));
	fdt += offset_in_page(fdt_phys);
	ho.in_generation = le64_to_cpu(hdr->generation);
	ho.in_snapshot = snapshot(hdr, fdt, fdt_size, &ho.in_snapshot_size);
	snprintf(ho.status, sizeof(ho.status), "resumed: generation %llu",
		 ho.in_generation);
	pr_info("handover accepted: %zu bytes, generation %llu\n", fdt_size,
		ho.in_generation);
	memset(hdr, 0, sizeof(*hdr));
	ho.accepted_at_ns = local_clock();
	ho.validate_ns = ho.accepted_at_ns - start;
	keepalive_sm_resume(&keepalive_sm, fdt);
	return;

reject:
	snprintf(ho.status, sizeof(ho.status), "rejected: %s (%d)", why, ret);
	pr_err("handover rejected, cold boot: %s (%d)\n", why, ret);
wipe:
	memset(hdr, 0, sizeof(*hdr));
}

static int count_pair(void *ctx, const fdt64_t *pair)
{
	(*(unsigned int *)ctx)++;
	return 0;
}

static int hold_orphan(void *ctx, const fdt64_t *pair)
{
	u64 phys = fdt64_ld(&pair[0]), len = fdt64_ld(&pair[1]);
	void *va = keepalive_pool_claim(phys, len);

	if (IS_ERR(va))
		return 0;	/* a participant owns it */
	ho.orphans[ho.nr_orphans].va = va;
	ho.orphans[ho.nr_orphans].size = len;
	ho.nr_orphans++;
	return 0;
}

/*
 * End of boot: every participant that will ever register has, and has
 * claimed what it adopted. Hold the rest until CONCLUDE.
 */
static int __init keepalive_hold_orphans(void)
{
	const void *fdt = keepalive_sm.incoming;
	unsigned int n = 0;

	if (!fdt)
		return 0;
	keepalive_image_walk_ranges(fdt, count_pair, &n);
	ho.orphans = kcalloc(n, sizeof(*ho.orphans), GFP_KERNEL);
	if (n && !ho.orphans) {
		pr_err("cannot track unclaimed ranges: they stay allocated\n");
		return 0;
	}
	keepalive_image_walk_ranges(fdt, hold_orphan, NULL);
	if (ho.nr_orphans)
		pr_warn("%u range(s) of the handover were not claimed; held until conclude\n",
			ho.nr_orphans);
	return 0;
}
late_initcall_sync(keepalive_hold_orphans);

/* kexec: keep the sealed image only when kexecing from STOP. */
static int keepalive_reboot(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	enum keepalive_state state;
	bool file_loaded;

	if (!kexec_in_progress || !keepalive_pool_ready())
		return NOTIFY_DONE;
	state = keepalive_sm_kexec(&keepalive_sm);
	/*
	 * Only kexec_file_load() tells the next kernel where the pool is
	 * (SETUP_KEEPALIVE) and hands it the E820 map with the pool reserved.
	 * A kernel loaded with kexec_load() boots with the boot parameters
	 * and the firmware memory map userspace gave it, and may reuse the
	 * pool: nothing may go on running into it.
	 */
	file_loaded = kexec_image && kexec_image->file_mode;
	if (state == KEEPALIVE_STATE_STOP && file_loaded) {
		WRITE_ONCE(ho.carrying, true);
		pr_info("kexec from stop: carrying the handover image (generation %llu)\n",
			ho.in_generation + 1);
	} else {
		memset(pool_hdr(), 0, sizeof(struct keepalive_hdr));
		pr_info("kexec from %s: no handover%s\n",
			keepalive_state_name(state), file_loaded ? "" :
			": the next kernel was loaded with kexec_load(), which does not pass the pool on");
	}
	return NOTIFY_DONE;
}

/**
 * keepalive_kexec_handover() - does the kexec under way carry a handover?
 *
 * For the shutdown paths of participants (a kept device keeps its bus
 * master bit only when its record goes with the kexec). The answer is
 * known once the reboot notifiers ran, which is before device_shutdown().
 *
 * Context: Any context.
 * Return: true from the reboot notifier of a kexec from STOP onwards,
 * false before it and for any other reboot or kexec.
 */
bool keepalive_kexec_handover(void)
{
	return READ_ONCE(ho.carrying);
}

static struct notifier_block keepalive_reboot_nb = {
	.notifier_call = keepalive_reboot,
};

/* debugfs: the images as "header area + payload", for tools/keepalive. */
static int image_open(struct inode *inode, struct file *file)
{
	bool outgoing = inode->i_private;
	void *buf = NULL;
	size_t size = 0;

	mutex_lock(&keepalive_sm.lock);
	if (outgoing && keepalive_sm.state == KEEPALIVE_STATE_STOP) {
		buf = snapshot(pool_hdr(), ho.out_fdt,
			       le64_to_cpu(pool_hdr()->fdt_size), &size);
	} else if (!outgoing && ho.in_snapshot) {
		size = ho.in_snapshot_size;
		buf = kvmalloc(size, GFP_KERNEL);
		if (buf)
			memcpy(buf, ho.in_snapshot, size);
	}
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

	keepalive_pool_usage(&u);
	seq_printf(m, "reserve_ns %llu\n", keepalive_pool_reserve_ns());
	seq_printf(m, "validate_ns %llu\n", ho.validate_ns);
	seq_printf(m, "accepted_at_ns %llu\n", ho.accepted_at_ns);
	seq_printf(m, "incoming_fdt_bytes %llu\n", ho.in_snapshot_size ?
		   (u64)ho.in_snapshot_size - KEEPALIVE_HDR_AREA : 0);
	seq_printf(m, "pool_objects %lu\n", u.objects);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(timings);

/*
 * Test knob: damage the sealed outgoing image the way a bug or a stray
 * write could, so that tests can check the next kernel refuses it.
 */
static const char * const corruptions[] = {
	"magic", "abi", "hdr-crc", "fdt-crc", "fdt", "range", "overlap",
};

static int corrupt_pair(void *ctx, const fdt64_t *pair)
{
	bool overlap = *(bool *)ctx;
	/* The outgoing image is ours to damage. */
	fdt64_t *p = (fdt64_t *)pair;

	/* Property data is only 4-byte aligned: no direct 8-byte stores. */
	if (overlap) {
		/* Inside the pool, on top of the payload's first page. */
		put_unaligned(cpu_to_fdt64(ho.out_phys), &p[0]);
		put_unaligned(cpu_to_fdt64(PAGE_SIZE), &p[1]);
	} else {
		/* Just past the end of the pool. */
		put_unaligned(cpu_to_fdt64(keepalive_pool_phys() +
					   keepalive_pool_size()), &p[0]);
	}
	return 1;
}

static int corrupt_range(void *fdt, bool overlap)
{
	return keepalive_image_walk_ranges(fdt, corrupt_pair, &overlap) ?
	       0 : -ENOENT;
}

static void reseal(void)
{
	keepalive_hdr_seal(pool_hdr(), keepalive_pool_phys(),
			   keepalive_pool_size(),
			   ho.out_phys - keepalive_pool_phys(), ho.out_fdt,
			   ho.in_generation + 1);
}

static ssize_t corrupt_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct keepalive_hdr *hdr = pool_hdr();
	char word[16];
	int what, ret = 0;

	if (len >= sizeof(word) || copy_from_user(word, ubuf, len))
		return -EINVAL;
	word[len] = '\0';
	what = sysfs_match_string(corruptions, word);
	if (what < 0)
		return what;

	mutex_lock(&keepalive_sm.lock);
	if (keepalive_sm.state != KEEPALIVE_STATE_STOP) {
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
		fdt_set_magic(ho.out_fdt, ~FDT_MAGIC);
		reseal();
		break;
	case 5:
	case 6:
		ret = corrupt_range(ho.out_fdt, what == 6);
		if (!ret)
			reseal();
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
 * keepalive_handover_init() - reboot notifier and debugfs files
 *
 * Context: Process context, boot.
 */
void __init keepalive_handover_init(void)
{
	register_reboot_notifier(&keepalive_reboot_nb);
	debugfs_create_file("outgoing", 0400, keepalive_debugfs, (void *)1,
			    &image_fops);
	debugfs_create_file("incoming", 0400, keepalive_debugfs, NULL,
			    &image_fops);
	debugfs_create_file("corrupt", 0200, keepalive_debugfs, NULL,
			    &corrupt_fops);
	debugfs_create_file("timings", 0400, keepalive_debugfs, NULL,
			    &timings_fops);
}
