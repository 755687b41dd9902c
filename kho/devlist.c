// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the kept-device list (abi/core.h).
 *
 * Outgoing: at STOP, once every participant wrote its node, the core puts
 * the place of every per-device record ("pci@<sbdf>") of every node into
 * the list in the pool's header page (keepalive_devlist_build()). It goes
 * with the header: wiped whenever the header is.
 *
 * Incoming: keepalive_devlist_receive() reads it in setup_arch(), before
 * and whatever the checks of the image, and wipes it in the pool. Each
 * listed device ends its enumeration in one of two ways:
 *
 * - a participant adopted it (keepalive_pci_kept_claim(): vfio_keepalive,
 *   with a valid record and every participant it depends on resumed);
 * - or it is stopped before the driver core sees it: bus master off, then
 *   a function reset (keepalive_pci_kept_stop()). A participant that
 *   refuses a device calls it itself, with its reason; whatever no
 *   participant looked at (the image was refused, its node could not be
 *   read, no participant reads that node) is stopped by
 *   keepalive_pci_enumerated(), which pci_device_add() calls after the
 *   participants' own hook.
 *
 * Until then the device's DMA goes through the previous kernel's handover
 * root, in the pool, which this kernel keeps reserved: PCI enumeration
 * (subsys_initcall) comes before the IOMMU driver (rootfs_initcall) can
 * turn translation off. The IOMMU participant asks
 * keepalive_pci_kept_unadopted() before it holds a device's entry, so
 * that the translation of a device that was stopped, or never enumerated,
 * is not kept for it.
 *
 * Lock order: a participant's own lock (vfio_keepalive's vka_lock, the
 * IOMMU participant's ipr_lock) -> devlist_lock.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/crc32.h>
#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/keepalive/pci.h>
#include <linux/libfdt.h>
#include <linux/memblock.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/early_ioremap.h>

#include "image.h"
#include "kho.h"

/* What became of a listed device in this kernel. */
enum kept_state {
	KEPT_LISTED,	/* not enumerated yet */
	KEPT_ADOPTED,	/* a participant adopted it */
	KEPT_STOPPED,	/* stopped and reset (or left stopped) */
	KEPT_ABSENT,	/* boot ended without it */
};

/**
 * struct kept_dev - a device the previous kernel kept
 * @sbdf: where it is
 * @state: what became of it, an enum kept_state
 */
struct kept_dev {
	u32 sbdf;
	u8 state;
};

static DEFINE_MUTEX(devlist_lock);
/* Read in setup_arch(), memblock memory; states under devlist_lock. */
static struct kept_dev *kept;
static unsigned int nr_kept;
static bool kept_settled;

/* keepalive_crc32() of @dl with @dl->crc32 taken as 0, without a copy. */
static u32 devlist_crc(const struct keepalive_devlist *dl)
{
	static const __le32 zero;
	u32 crc;

	crc = crc32_le(~0U, (const u8 *)dl,
		       offsetof(struct keepalive_devlist, crc32));
	crc = crc32_le(crc, (const u8 *)&zero, sizeof(zero));
	return ~crc32_le(crc, (const u8 *)dl->sbdf, sizeof(dl->sbdf));
}

/* Insert @sbdf into the ascending list @dl, once. */
static int devlist_insert(struct keepalive_devlist *dl, u32 sbdf)
{
	u32 n = le32_to_cpu(dl->count), i;

	for (i = 0; i < n && le32_to_cpu(dl->sbdf[i]) < sbdf; i++)
		;
	if (i < n && le32_to_cpu(dl->sbdf[i]) == sbdf)
		return 0;
	if (n == KEEPALIVE_DEVLIST_MAX)
		return -E2BIG;
	memmove(&dl->sbdf[i + 1], &dl->sbdf[i], (n - i) * sizeof(dl->sbdf[0]));
	dl->sbdf[i] = cpu_to_le32(sbdf);
	dl->count = cpu_to_le32(n + 1);
	return 0;
}

/**
 * keepalive_devlist_build() - list every device an outgoing image records
 * @fdt: the outgoing image, every participant's node written
 * @dl: out: the list, sealed (magic, CRC)
 *
 * Every subnode of a participant's node named as a PCI function
 * ("pci@<sbdf>", keepalive_fdt_pci_place()) is listed once, whichever
 * participants record it.
 *
 * Context: Any context.
 * Return: 0; -E2BIG when more than KEEPALIVE_DEVLIST_MAX devices are
 * recorded (@dl is then zeroed).
 */
int keepalive_devlist_build(const void *fdt, struct keepalive_devlist *dl)
{
	int parent, node;

	memset(dl, 0, sizeof(*dl));
	fdt_for_each_subnode(parent, fdt, 0) {
		fdt_for_each_subnode(node, fdt, parent) {
			u32 seg, bus, devfn;

			if (keepalive_fdt_pci_place(fdt, node, &seg, &bus,
						    &devfn))
				continue;
			if (devlist_insert(dl, seg << 16 | bus << 8 | devfn)) {
				memset(dl, 0, sizeof(*dl));
				return -E2BIG;
			}
		}
	}
	memcpy(dl->magic, KEEPALIVE_DEVLIST_MAGIC, KEEPALIVE_DEVLIST_MAGIC_LEN);
	dl->crc32 = cpu_to_le32(devlist_crc(dl));
	return 0;
}

/**
 * keepalive_devlist_check() - is a received kept-device list valid?
 * @dl: the list as received
 * @msg: out: what is wrong, for the log
 * @msg_len: size of @msg
 *
 * Context: Any context.
 * Return: the number of devices listed, 0 or more; -ENOENT when there is
 * no list (no magic: no handover, or a writer without one); -EINVAL when
 * it breaks a rule of struct keepalive_devlist; -EBADMSG for a CRC
 * mismatch.
 */
int keepalive_devlist_check(const struct keepalive_devlist *dl, char *msg,
			    size_t msg_len)
{
	u32 n = le32_to_cpu(dl->count), i, prev = 0;

	if (memcmp(dl->magic, KEEPALIVE_DEVLIST_MAGIC,
		   KEEPALIVE_DEVLIST_MAGIC_LEN)) {
		snprintf(msg, msg_len, "no kept-device list");
		return -ENOENT;
	}
	if (le32_to_cpu(dl->crc32) != devlist_crc(dl)) {
		snprintf(msg, msg_len, "kept-device list checksum %#x, computed %#x",
			 le32_to_cpu(dl->crc32), devlist_crc(dl));
		return -EBADMSG;
	}
	if (n > KEEPALIVE_DEVLIST_MAX) {
		snprintf(msg, msg_len, "kept-device list of %u entries, at most %u",
			 n, KEEPALIVE_DEVLIST_MAX);
		return -EINVAL;
	}
	for (i = 0; i < KEEPALIVE_DEVLIST_MAX; i++) {
		u32 sbdf = le32_to_cpu(dl->sbdf[i]);

		if (i >= n ? sbdf != 0 :
		    sbdf >> 16 > 0xffff || (i && sbdf <= prev)) {
			snprintf(msg, msg_len,
				 "kept-device list entry %u (%#x) is out of order or past the count",
				 i, sbdf);
			return -EINVAL;
		}
		prev = sbdf;
	}
	return n;
}

/**
 * keepalive_devlist_wipe() - forget the outgoing kept-device list
 *
 * With the header: a kexec that carries no handover carries no list.
 *
 * Context: Any context, with a pool.
 */
void keepalive_devlist_wipe(void)
{
	memset((void *)keepalive_pool_hdr() + KEEPALIVE_DEVLIST_OFFSET, 0,
	       sizeof(struct keepalive_devlist));
}

/**
 * keepalive_devlist_seal() - write the outgoing kept-device list
 * @fdt: the outgoing image, packed
 *
 * Context: STOP, with keepalive_sm.lock held.
 * Return: 0, or -E2BIG (logged) when too many devices are recorded.
 */
int keepalive_devlist_seal(const void *fdt)
{
	struct keepalive_devlist *dl = (void *)keepalive_pool_hdr() +
				       KEEPALIVE_DEVLIST_OFFSET;
	int ret;

	lockdep_assert_held(&keepalive_sm.lock);
	ret = keepalive_devlist_build(fdt, dl);
	if (ret)
		pr_err("stop: more than %u kept devices: the kept-device list cannot hold them\n",
		       KEEPALIVE_DEVLIST_MAX);
	return ret;
}

/**
 * keepalive_devlist_receive() - read the previous kernel's kept-device list
 * @pool_phys: the inherited pool
 *
 * Before the image is checked, and whatever the checks say: a refused image
 * still leaves its devices running. The list is wiped in the pool.
 *
 * Context: setup_arch(), single threaded; memblock allocations only.
 */
void __init keepalive_devlist_receive(phys_addr_t pool_phys)
{
	static struct keepalive_devlist dl __initdata;
	phys_addr_t at = pool_phys + KEEPALIVE_DEVLIST_OFFSET;
	struct keepalive_devlist *va;
	char why[96];
	int n, i;

	va = early_memremap(at, sizeof(*va));
	if (!va) {
		pr_err("cannot map the kept-device list: a kept device may run on unstopped\n");
		return;
	}
	memcpy(&dl, va, sizeof(dl));
	memset(va, 0, sizeof(*va));
	early_memunmap(va, sizeof(*va));

	n = keepalive_devlist_check(&dl, why, sizeof(why));
	if (n == -ENOENT)
		return;
	if (n < 0) {
		pr_err("%s (%d): no kept device can be stopped by its place\n",
		       why, n);
		return;
	}
	if (!n)
		return;
	kept = memblock_alloc(n * sizeof(*kept), SMP_CACHE_BYTES);
	if (!kept) {
		pr_err("no memory for %d kept device(s): none can be stopped by its place\n",
		       n);
		return;
	}
	for (i = 0; i < n; i++)
		kept[i].sbdf = le32_to_cpu(dl.sbdf[i]);
	nr_kept = n;
	pr_info("%d device(s) kept by the previous kernel: each is adopted or stopped at enumeration\n",
		n);
}

static u32 pdev_sbdf(struct pci_dev *pdev)
{
	return (u32)pci_domain_nr(pdev->bus) << 16 | pci_dev_id(pdev);
}

static struct kept_dev *kept_find(u32 sbdf)
{
	unsigned int i;

	lockdep_assert_held(&devlist_lock);
	for (i = 0; i < nr_kept; i++)
		if (kept[i].sbdf == sbdf)
			return &kept[i];
	return NULL;
}

/*
 * Stop @pdev: no DMA from now on, then a function reset. A device that
 * cannot be reset keeps bus mastering off, and no driver may bind it: a
 * driver's probe would turn bus mastering on under its running queues.
 */
static void kept_stop(struct pci_dev *pdev, const char *why)
{
	int ret;

	pci_warn(pdev, "keepalive: not adopted: %s; resetting it, it starts cold\n",
		 why);
	pci_clear_master(pdev);
	ret = pci_reset_function_locked(pdev);
	if (!ret)
		return;
	kfree(pdev->driver_override);
	pdev->driver_override = kstrdup("keepalive-stopped", GFP_KERNEL);
	pci_err(pdev, "keepalive: reset failed (%d): bus master stays off and no driver binds it (driver_override) until it is reset\n",
		ret);
}

/**
 * keepalive_pci_kept_claim() - a participant adopts a device it was handed
 * @pdev: a device being enumerated
 *
 * Called by the participant that leaves @pdev running for its owner, once
 * it has checked everything: keepalive_pci_enumerated() then leaves it
 * alone, and keepalive_pci_kept_unadopted() says false.
 *
 * Context: Process context, PCI enumeration; takes devlist_lock.
 */
void keepalive_pci_kept_claim(struct pci_dev *pdev)
{
	struct kept_dev *k;

	mutex_lock(&devlist_lock);
	k = kept_find(pdev_sbdf(pdev));
	if (k && k->state == KEPT_LISTED)
		k->state = KEPT_ADOPTED;
	mutex_unlock(&devlist_lock);
}
EXPORT_SYMBOL_GPL(keepalive_pci_kept_claim);

/**
 * keepalive_pci_kept_stop() - stop a device the previous kernel kept
 * @pdev: a device being enumerated, not yet added to the driver core
 * @why: why it is not adopted, for the log
 *
 * Bus mastering off, then a function reset; a device that cannot be reset
 * stays with bus mastering off and unbindable (driver_override), and says
 * so. For a participant that refuses a device it was handed, and for
 * keepalive_pci_enumerated().
 *
 * Context: Process context, PCI enumeration; takes devlist_lock.
 */
void keepalive_pci_kept_stop(struct pci_dev *pdev, const char *why)
{
	struct kept_dev *k;

	mutex_lock(&devlist_lock);
	k = kept_find(pdev_sbdf(pdev));
	if (k)
		k->state = KEPT_STOPPED;
	kept_stop(pdev, why);
	mutex_unlock(&devlist_lock);
}
EXPORT_SYMBOL_GPL(keepalive_pci_kept_stop);

/**
 * keepalive_pci_enumerated() - stop a kept device nobody adopted
 * @pdev: a device being enumerated: config header, BARs and capabilities
 *	read, participants' hooks run, not yet added to the driver core
 *
 * Called by pci_device_add() for every device. Does nothing unless the
 * previous kernel listed @pdev's place and no participant adopted or
 * stopped it since boot began: then @pdev is stopped (see
 * keepalive_pci_kept_stop()), with the reason the handover gave.
 *
 * Context: Process context, PCI enumeration; takes devlist_lock.
 */
void keepalive_pci_enumerated(struct pci_dev *pdev)
{
	struct kept_dev *k;
	char why[200];

	if (!nr_kept)
		return;
	mutex_lock(&devlist_lock);
	k = kept_find(pdev_sbdf(pdev));
	if (!k || k->state != KEPT_LISTED || kept_settled)
		goto unlock;
	if (keepalive_handover_accepted())
		snprintf(why, sizeof(why), "no participant adopted it (the handover was %s)",
			 keepalive_handover_status());
	else
		snprintf(why, sizeof(why), "the handover was %s",
			 keepalive_handover_status());
	k->state = KEPT_STOPPED;
	kept_stop(pdev, why);
unlock:
	mutex_unlock(&devlist_lock);
}

/**
 * keepalive_pci_kept_unadopted() - was a kept device refused, or not found?
 * @segment: PCI segment
 * @bus: bus number
 * @devfn: device and function
 *
 * For the IOMMU participant, before it holds a device's translation in
 * the next kernel: a device that was stopped, or never enumerated, must
 * not keep the previous kernel's translation (its next owner's domain
 * would never be attached).
 *
 * Context: Process context; takes devlist_lock.
 * Return: true when the previous kernel listed this place and no
 * participant adopted the device there; false when one did, and for a
 * place that was not listed (or without a list).
 */
bool keepalive_pci_kept_unadopted(u32 segment, u32 bus, u32 devfn)
{
	struct kept_dev *k;
	bool ret;

	mutex_lock(&devlist_lock);
	k = kept_find(segment << 16 | bus << 8 | devfn);
	ret = k && k->state != KEPT_ADOPTED;
	mutex_unlock(&devlist_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(keepalive_pci_kept_unadopted);

/**
 * keepalive_pci_kept_at() - the place of a device the previous kernel kept
 * @i: its index in the kept-device list, from 0
 * @sbdf: out: its segment << 16 | bus << 8 | devfn
 *
 * For an IOMMU driver whose init runs before PCI enumeration (AMD-Vi,
 * from interrupt remapping setup): it keeps every listed device it does
 * not adopt blocked until enumeration stops it, whatever became of the
 * image.
 *
 * Context: Any context from setup_arch() on; the list does not change.
 * Return: true with @sbdf set; false past the end of the list.
 */
bool keepalive_pci_kept_at(unsigned int i, u32 *sbdf)
{
	if (i >= READ_ONCE(nr_kept))
		return false;
	*sbdf = kept[i].sbdf;
	return true;
}

/* Boot is over: what was not enumerated is not there. */
static int __init keepalive_devlist_settle(void)
{
	unsigned int i;

	mutex_lock(&devlist_lock);
	for (i = 0; i < nr_kept; i++) {
		if (kept[i].state != KEPT_LISTED)
			continue;
		kept[i].state = KEPT_ABSENT;
		pr_warn("%04x:%02x:%02x.%d was kept by the previous kernel but was not found\n",
			kept[i].sbdf >> 16, kept[i].sbdf >> 8 & 0xff,
			PCI_SLOT(kept[i].sbdf & 0xff),
			PCI_FUNC(kept[i].sbdf & 0xff));
	}
	kept_settled = true;
	mutex_unlock(&devlist_lock);
	return 0;
}
late_initcall_sync(keepalive_devlist_settle);
