// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the outgoing and incoming handover images.
 *
 * Outgoing: at STOP the core takes an FDT buffer from the pool, lets every
 * participant add its node, packs it and writes the header into the pool's
 * first page. At kexec, the header stays only if the state is STOP and the
 * kernel being kexec'd can receive it (its boot note, bootnote.c); in any
 * other case it is wiped and the kexec carries nothing.
 *
 * The incoming image is received in early boot: receive.c.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/kexec.h>
#include <linux/libfdt.h>
#include <linux/lockdep.h>
#include <linux/reboot.h>

#include "image.h"
#include "kho.h"

/**
 * struct keepalive_handover - the outgoing image, under keepalive_sm.lock
 * @out_fdt: outgoing payload while in STOP, or NULL
 * @out_phys: its physical address
 * @carrying: set by the reboot notifier when the kexec under way starts
 *	from STOP and carries the sealed image; never cleared (the state
 *	machine is frozen in REBOOTING from then on)
 */
struct keepalive_handover {
	void *out_fdt;
	phys_addr_t out_phys;
	bool carrying;
};

static struct keepalive_handover ho;

/**
 * keepalive_pool_hdr() - the header page of the pool
 *
 * Context: Any context, with a pool.
 * Return: its kernel address.
 */
struct keepalive_hdr *keepalive_pool_hdr(void)
{
	return keepalive_pool_va(keepalive_pool_phys());
}

/**
 * keepalive_outgoing() - the outgoing payload, for debugfs and tests
 * @phys: out: its physical address
 *
 * Context: With keepalive_sm.lock held.
 * Return: the payload while in STOP, or NULL.
 */
void *keepalive_outgoing(phys_addr_t *phys)
{
	lockdep_assert_held(&keepalive_sm.lock);
	*phys = ho.out_phys;
	return ho.out_fdt;
}

static int image_begin(struct keepalive_sm *sm, void **fdt)
{
	char why[160];
	void *buf;
	int ret;

	/*
	 * Never seal a handover for a kernel that could not receive it: one
	 * that lacks the participant of a node about to be written, or that
	 * boots with the IOMMU off, included.
	 */
	ret = keepalive_kexec_image_readable(sm, NULL, why, sizeof(why));
	if (ret) {
		pr_err("stop: the kernel loaded for kexec cannot receive a handover: %s (%d); load one that can\n",
		       why, ret);
		return ret;
	}
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
	int ret;

	if (fdt_pack(fdt))
		return -EINVAL;
	/* Read by the next kernel whatever it makes of the image. */
	ret = keepalive_devlist_seal(fdt);
	if (ret)
		return ret;
	keepalive_hdr_seal(keepalive_pool_hdr(), keepalive_pool_phys(),
			   keepalive_pool_size(),
			   ho.out_phys - keepalive_pool_phys(), fdt,
			   keepalive_handover_generation() + 1);
	pr_info("stop: handover image sealed: %u bytes, generation %llu\n",
		fdt_totalsize(fdt), keepalive_handover_generation() + 1);
	return 0;
}

static void image_discard(struct keepalive_sm *sm)
{
	memset(keepalive_pool_hdr(), 0, sizeof(struct keepalive_hdr));
	keepalive_devlist_wipe();
	keepalive_pool_free(ho.out_fdt, KEEPALIVE_FDT_MAX);
	ho.out_fdt = NULL;
}

static void image_conclude(struct keepalive_sm *sm)
{
	keepalive_incoming_conclude();
}

const struct keepalive_image_ops keepalive_pool_image_ops = {
	.begin = image_begin,
	.seal = image_seal,
	.discard = image_discard,
	.conclude = image_conclude,
};

static const char stopped_why[] =
	"; kept devices are stopped, and reset by a next kernel that reads their list";

static const char kexec_load_why[] =
	"the next kernel was loaded with kexec_load(), which does not pass the pool on";

/* kexec: keep the sealed image only when kexecing from STOP. */
static int keepalive_reboot(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	enum keepalive_state state;
	char why[160] = "";
	bool file_loaded;
	int readable;

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
	/*
	 * And only a kernel whose boot note says it reads this handover and
	 * each of its participant nodes reserves the pool and adopts the
	 * devices, and only with the IOMMU on does it keep them translated:
	 * any other would reuse the memory kept devices write into, or let
	 * their DMA through. Their bus mastering then goes at shutdown. The
	 * state machine is frozen from here: the sealed image stays.
	 */
	readable = file_loaded ?
		keepalive_kexec_image_readable(NULL,
					       state == KEEPALIVE_STATE_STOP ?
					       ho.out_fdt : NULL,
					       why, sizeof(why)) : -ENOEXEC;
	if (state == KEEPALIVE_STATE_STOP && !readable) {
		WRITE_ONCE(ho.carrying, true);
		pr_info("kexec from stop: carrying the handover image (generation %llu)\n",
			keepalive_handover_generation() + 1);
	} else {
		memset(keepalive_pool_hdr(), 0, sizeof(struct keepalive_hdr));
		/*
		 * From STOP the kept-device list stays: shutdown only turns
		 * bus mastering off, and a next kernel with keepalive also
		 * resets every listed device at enumeration, before a driver
		 * could turn it on again under the running queues.
		 */
		if (state != KEEPALIVE_STATE_STOP)
			keepalive_devlist_wipe();
		pr_info("kexec from %s: no handover%s%s%s\n",
			keepalive_state_name(state), readable ? ": " : "",
			!readable ? "" : file_loaded ? why : kexec_load_why,
			state == KEEPALIVE_STATE_STOP ? stopped_why : "");
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

/**
 * keepalive_handover_init() - the reboot notifier
 *
 * Context: Process context, boot.
 */
void __init keepalive_handover_init(void)
{
	register_reboot_notifier(&keepalive_reboot_nb);
}
