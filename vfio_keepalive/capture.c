// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: what the first kernel does for kept vfio-pci
 * devices: marking them, their opens and closes while kept, recording them
 * at STOP (record.c writes each record), and leaving their bus mastering
 * on at the kexec.
 *
 * A VMM holding a vfio-pci device fd marks the device with
 * VFIO_DEVICE_FEATURE_KEEPALIVE and a token, or clears the mark. Only the
 * token's SHA-256 is kept. Marks can change until PRE-STOP; the set of
 * kept devices is then frozen until ABORT or the kexec.
 *
 * While a device is kept, keepalive holds a PCI enable reference and a
 * runtime PM reference on it, and vfio-pci's open and close
 * (vfio_pci_core_enable(), vfio_pci_core_disable()) skip its reset, bus
 * master clearing and config restore: when the VMM's fds close, the
 * device stays enabled, bus master on, in D0, with its queues running.
 */
#define pr_fmt(fmt) "keepalive: vfio: " fmt

#include <crypto/algapi.h>
#include <linux/iommu.h>
#include <linux/keepalive.h>
#include <linux/keepalive/device.h>
#include <linux/keepalive/pci.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <trace/events/keepalive.h>

#include "vka.h"

/* Protects vka_kept_list. */
DEFINE_MUTEX(vka_lock);
LIST_HEAD(vka_kept_list);

/**
 * vka_find() - the entry of a kept device
 * @pdev: a PCI device
 *
 * Context: vka_lock held.
 * Return: the entry, or NULL when @pdev is not kept.
 */
struct vka_kept *vka_find(struct pci_dev *pdev)
{
	struct vka_kept *k;

	lockdep_assert_held(&vka_lock);
	list_for_each_entry(k, &vka_kept_list, list)
		if (k->kd.pdev == pdev)
			return k;
	return NULL;
}

static int count_dev(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

/*
 * Why the device of @vdev cannot be kept, as an errno, with a rate-limited
 * line; or 0.
 */
static int vka_check_device(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	struct iommu_group *group;
	unsigned int n = 0;

	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL || pdev->is_virtfn) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: only physical endpoint functions can be kept\n");
		return -EOPNOTSUPP;
	}
	/*
	 * Its VMM's open skips the SR-IOV VF token check: the token slot is
	 * the keep's. A PF whose VFs are vfio's would go unguarded.
	 */
	if (pdev->is_physfn) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: an SR-IOV physical function cannot be kept (its VF token would not be checked)\n");
		return -EOPNOTSUPP;
	}
	if (pdev->current_state != PCI_D0) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: not in D0 (D%d)\n",
				     pdev->current_state);
		return -EOPNOTSUPP;
	}
	/*
	 * Every ending off the supported path stops a kept device with a
	 * function reset, in either kernel: one that has none cannot be kept.
	 */
	if (!vdev->reset_works) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: it has no function reset, which every unplanned ending needs\n");
		return -EOPNOTSUPP;
	}
	group = iommu_group_get(&pdev->dev);
	if (!group) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: not behind an IOMMU\n");
		return -EOPNOTSUPP;
	}
	iommu_group_for_each_dev(group, &n, count_dev);
	iommu_group_put(group);
	if (n != 1) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: its IOMMU group holds %u devices\n",
				     n);
		return -EXDEV;
	}
	/*
	 * vfio-pci resets a slot or a bus for the whole set of its devices
	 * that it spans (VFIO_DEVICE_PCI_HOT_RESET, or when the last of them
	 * closes): a kept device must be alone in its set. A device bound
	 * to vfio-pci later joins the set; keepalive_vfio_may_reset_set()
	 * refuses those resets.
	 */
	n = READ_ONCE(vdev->vdev.dev_set->device_count);
	if (n != 1) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: its reset scope (slot or bus) holds %u vfio devices\n",
				     n);
		return -EXDEV;
	}
	return 0;
}

/*
 * Does @token hash to @k's? Only its holder may mark a marked device
 * again or unmark it (rate-limited log line otherwise).
 */
static bool vka_token_ok(struct vka_kept *k, const u8 *token, const char *what)
{
	u8 hash[SHA256_DIGEST_SIZE];
	bool ok;

	sha256(token, KEEPALIVE_TOKEN_SIZE, hash);
	ok = !crypto_memneq(hash, k->token_hash, sizeof(hash));
	memzero_explicit(hash, sizeof(hash));
	if (!ok)
		dev_warn_ratelimited(&k->kd.pdev->dev, "keepalive: wrong token: %s refused\n",
				     what);
	return ok;
}

/* Is @pdev an adopted device that CONCLUDE is releasing? */
static bool vka_releasing(struct pci_dev *pdev)
{
	struct vka_kept *k = vka_find(pdev);

	return k && k->releasing;
}

static int vka_keep(struct vfio_pci_core_device *vdev, const u8 *token)
{
	struct pci_dev *pdev = vdev->pdev;
	struct keepalive_device marking = { .pdev = pdev };
	struct vka_kept *k;
	int ret;

	ret = vka_check_device(vdev) ?: keepalive_device_check(&marking);
	if (ret)
		return ret;
	k = vka_find(pdev);
	if (k)
		return vka_token_ok(k, token, "marking again") ? 0 : -EPERM;
	k = keepalive_should_fail() ? NULL : kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	/* Already enabled by vfio-pci: this only takes a reference. */
	ret = pci_enable_device(pdev);
	if (ret) {
		kfree(k);
		return ret;
	}
	pm_runtime_get_noresume(&pdev->dev);
	k->kd.pdev = pci_dev_get(pdev);
	/* Marked through a vfio fd of the device: it is open. */
	k->open = true;
	list_add_tail(&k->list, &vka_kept_list);
	sha256(token, KEEPALIVE_TOKEN_SIZE, k->token_hash);
	pci_info_ratelimited(pdev, "keepalive: kept across the next kexec\n");
	return 0;
}

/**
 * vka_drop() - forget a kept device: drop its entry and its references
 * @k: the entry, on vka_kept_list
 *
 * The device is an ordinary vfio-pci device again: vfio-pci resets it at
 * its next close.
 *
 * Context: vka_lock held.
 */
void vka_drop(struct vka_kept *k)
{
	struct pci_dev *pdev = k->kd.pdev;

	lockdep_assert_held(&vka_lock);
	list_del(&k->list);
	keepalive_device_release(&k->kd);
	pm_runtime_put(&pdev->dev);
	if (vka_enabled(k))
		pci_disable_device(pdev);
	kfree(k);
	pci_dev_put(pdev);
}

static int vka_unkeep(struct pci_dev *pdev, const u8 *token)
{
	struct vka_kept *k = vka_find(pdev);

	if (!k)
		return 0;
	if (!vka_token_ok(k, token, "unmarking"))
		return -EPERM;
	vka_drop(k);
	pci_info_ratelimited(pdev, "keepalive: no longer kept\n");
	return 0;
}

/**
 * vka_unkeep_all() - ABORT: forget every mark, the devices are ordinary again
 *
 * A device that is open goes on with its VMM, and vfio-pci resets it at
 * its last close as any other. A device whose VMM closed it while it was
 * kept has run since on its held translation: it is stopped (bus master
 * off) before that hold goes, then reset, as its close would have done.
 * Devices adopted from the previous kernel are CONCLUDE's, not ABORT's.
 *
 * Context: Process context; takes vka_lock, and device locks without it.
 */
void vka_unkeep_all(void)
{
	struct vka_kept *k, *next;
	struct pci_dev *stopped[8];
	unsigned int n = 0;

again:
	mutex_lock(&vka_lock);
	list_for_each_entry_safe(k, next, &vka_kept_list, list) {
		if (k->kd.adopted)
			continue;
		if (!k->open) {
			if (n == ARRAY_SIZE(stopped))
				break;
			pci_clear_master(k->kd.pdev);
			stopped[n++] = pci_dev_get(k->kd.pdev);
		}
		pci_info(k->kd.pdev, "keepalive: no longer kept%s\n",
			 k->open ? "" : "; closed by its VMM: stopped and reset");
		vka_drop(k);
	}
	mutex_unlock(&vka_lock);
	/* Quiet now: reset without vka_lock (pci_reset_function() locks). */
	vka_reset_put(stopped, n);
	if (n == ARRAY_SIZE(stopped)) {
		n = 0;
		goto again;
	}
}

/*
 * The next kernel binds an adopted device to vfio-pci and lets only vfio-pci
 * open it: a kept device must still be there now. (Unbinding does not drop
 * a mark; a host driver's probe would have reset the device.)
 */
static bool vka_on_vfio_pci(struct pci_dev *pdev)
{
	struct device_driver *drv = READ_ONCE(pdev->dev.driver);

	return drv && !strcmp(drv->name, "vfio-pci");
}

/**
 * vka_stop_record() - STOP: record each device marked in this kernel
 * @fdt: the outgoing image's FDT, open for writing
 * @node: the vfio participant's node in it
 *
 * Context: Process context (STOP, under the state machine's lock); takes
 * vka_lock.
 * Return: 0; -EBUSY when a kept device is no longer bound to vfio-pci;
 * -ENOSPC when @fdt is full; -EINVAL when a record cannot be written
 * (each logged).
 */
int vka_stop_record(void *fdt, int node)
{
	struct vka_record r;
	struct vka_kept *k;
	int ret = 0, i = 0;

	mutex_lock(&vka_lock);
	list_for_each_entry(k, &vka_kept_list, list) {
		/* The last handover's, still being released after CONCLUDE */
		if (k->kd.adopted)
			continue;
		if (!vka_on_vfio_pci(k->kd.pdev)) {
			pci_err(k->kd.pdev, "keepalive: kept, but no longer bound to vfio-pci: cannot hand it over\n");
			ret = -EBUSY;
			break;
		}
		vka_record_fill(k, &r);
		ret = vka_record_write(fdt, node, &r);
		if (ret) {
			pci_err(k->kd.pdev, "keepalive: cannot record: %s\n",
				fdt_strerror(ret));
			ret = ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
			break;
		}
		i++;
	}
	mutex_unlock(&vka_lock);
	if (ret)
		return ret;
	pr_info("stop: %d device(s) recorded\n", i);
	return 0;
}

/**
 * vka_reset_put() - reset stopped devices, and drop their references
 * @pdevs: devices whose bus mastering is off, each with a reference
 * @n: how many
 *
 * For ABORT and CONCLUDE, which collect under vka_lock what they stop and
 * reset it after dropping the lock (pci_reset_function() takes the device
 * lock). Each is in D0: its entry held a runtime PM reference.
 *
 * Context: Process context; vka_lock not held.
 */
void vka_reset_put(struct pci_dev **pdevs, unsigned int n)
{
	unsigned int i;
	int ret;

	lockdep_assert_not_held(&vka_lock);
	for (i = 0; i < n; i++) {
		ret = pci_reset_function(pdevs[i]);
		if (ret)
			pci_warn(pdevs[i], "keepalive: reset failed (%d)\n", ret);
		pci_dev_put(pdevs[i]);
	}
}

/**
 * vka_match() - keepalive_vfio_match()
 * @pdev: as for keepalive_vfio_match()
 * @token: as for keepalive_vfio_match()
 *
 * Context: as for keepalive_vfio_match().
 * Return: as for keepalive_vfio_match().
 */
int vka_match(struct pci_dev *pdev, const uuid_t *token)
{
	struct vka_kept *k;
	int ret = 0;

	BUILD_BUG_ON(sizeof(token->b) != KEEPALIVE_TOKEN_SIZE);
	mutex_lock(&vka_lock);
	k = vka_find(pdev);
	if (!k)
		goto unlock;
	ret = -EBUSY;
	if (k->releasing) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: being reset and released: open refused\n");
		goto unlock;
	}
	ret = -EPERM;
	if (!token) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: kept for its VMM: open it as \"%s vf_token=<token>\"\n",
				     pci_name(pdev));
		goto unlock;
	}
	if (!vka_token_ok(k, token->b, "open"))
		goto unlock;
	ret = 1;
unlock:
	mutex_unlock(&vka_lock);
	return ret;
}

/**
 * vka_may_reset_set() - keepalive_vfio_may_reset_set()
 * @pdev: as for keepalive_vfio_may_reset_set()
 *
 * Context: as for keepalive_vfio_may_reset_set().
 * Return: as for keepalive_vfio_may_reset_set().
 */
int vka_may_reset_set(struct pci_dev *pdev)
{
	bool kept;

	mutex_lock(&vka_lock);
	kept = vka_find(pdev);
	mutex_unlock(&vka_lock);
	if (!kept)
		return 0;
	dev_warn_ratelimited(&pdev->dev, "keepalive: slot or bus reset refused: the device is kept alive for kexec\n");
	return -EBUSY;
}

/**
 * vka_is_kept() - keepalive_vfio_kept()
 * @pdev: as for keepalive_vfio_kept()
 *
 * Context: as for keepalive_vfio_kept().
 * Return: as for keepalive_vfio_kept().
 */
bool vka_is_kept(struct pci_dev *pdev)
{
	struct vka_kept *k;
	bool kept;

	mutex_lock(&vka_lock);
	k = vka_find(pdev);
	/* Matched before CONCLUDE began to release it: reset it as usual. */
	kept = k && !k->releasing;
	mutex_unlock(&vka_lock);
	return kept;
}

/**
 * vka_opening() - keepalive_vfio_opening()
 * @pdev: as for keepalive_vfio_opening()
 *
 * Context: as for keepalive_vfio_opening().
 * Return: as for keepalive_vfio_opening().
 */
int vka_opening(struct pci_dev *pdev)
{
	struct vka_kept *k;
	bool reclaim = false;
	char what[48];
	int ret = -EBUSY;

	mutex_lock(&vka_lock);
	k = vka_find(pdev);
	if (!k || k->releasing) {
		dev_warn_ratelimited(&pdev->dev, "keepalive: no longer kept: open refused, try again\n");
		goto unlock;
	}
	if (!k->kd.adopted) {
		/* Under vka_lock: PRE-STOP's walk sees the open, or we the freeze. */
		snprintf(what, sizeof(what), "opening %s", pci_name(pdev));
		ret = keepalive_freeze_check(what);
		if (ret)
			goto unlock;
	}
	reclaim = k->kd.adopted && !k->reclaimed;
	if (reclaim) {
		/* The reference that keeps it running through closes. */
		ret = keepalive_should_fail() ? -EIO : pci_enable_device(pdev);
		if (ret) {
			pci_err(pdev, "keepalive: cannot enable: %d\n", ret);
			goto unlock;
		}
	}
	/* Nothing may fail after this point: the hold ends below. */
	ret = -EIO;
	if (keepalive_should_fail())
		goto disable;
	ret = 0;
	k->open = true;
	if (reclaim) {
		k->reclaimed = true;
		pci_info(pdev, "keepalive: reclaimed by its VMM\n");
	}
	if (k->kd.adopted)
		keepalive_device_claim(&k->kd, true);
	else
		keepalive_device_reopen(&k->kd);
	goto unlock;

disable:
	if (reclaim)
		pci_disable_device(pdev);
unlock:
	if (reclaim)
		trace_keepalive_reclaim(pci_name(pdev), ret);
	mutex_unlock(&vka_lock);
	return ret;
}

/**
 * vka_closing() - keepalive_vfio_closing()
 * @pdev: as for keepalive_vfio_closing()
 *
 * Context: as for keepalive_vfio_closing().
 * Return: as for keepalive_vfio_closing().
 */
bool vka_closing(struct pci_dev *pdev)
{
	struct vka_kept *k;
	bool kept = false;
	int ret;

	mutex_lock(&vka_lock);
	k = vka_find(pdev);
	if (k && !k->releasing) {
		k->open = false;
		if (k->kd.adopted)
			keepalive_device_claim(&k->kd, false);
		ret = keepalive_device_hold(&k->kd);
		kept = !ret;
		if (ret)
			vka_drop(k);
	}
	mutex_unlock(&vka_lock);
	return kept;
}

/*
 * The owner's walk (keepalive_device_walk()): each device marked here, not
 * the adopted ones (the previous kernel's). For the IOMMU and interrupt
 * participants, from PRE-STOP on, when the set is frozen.
 */
static int vka_walk(keepalive_device_fn fn, void *data)
{
	struct vka_kept *k;
	int ret = 0;

	mutex_lock(&vka_lock);
	list_for_each_entry(k, &vka_kept_list, list) {
		if (k->kd.adopted)
			continue;
		ret = fn(&k->kd, data);
		if (ret)
			break;
	}
	mutex_unlock(&vka_lock);
	return ret;
}

const struct keepalive_device_owner vka_owner = {
	.walk = vka_walk,
};

/**
 * vka_keep_master() - keepalive_pci_keep_master()
 * @pdev: as for keepalive_pci_keep_master()
 *
 * Context: as for keepalive_pci_keep_master().
 * Return: as for keepalive_pci_keep_master().
 */
bool vka_keep_master(struct pci_dev *pdev)
{
	struct vka_kept *k;
	struct pci_dev *up;
	bool keep = false, endpoint = false;
	u16 cmd;

	if (!keepalive_kexec_handover())
		return false;
	mutex_lock(&vka_lock);
	list_for_each_entry(k, &vka_kept_list, list) {
		if (k->releasing)
			continue;
		if (k->kd.pdev == pdev)
			endpoint = true;
		for (up = k->kd.pdev; up; up = pci_upstream_bridge(up))
			if (up == pdev)
				keep = true;
		/* Never bus mastering without our translation in front. */
		if (k->kd.pdev == pdev && !keepalive_device_confined(&k->kd)) {
			pci_err(pdev, "keepalive: its DMA is not held by handover tables: bus master off for the kexec\n");
			keep = false;
			break;
		}
	}
	mutex_unlock(&vka_lock);
	if (!keep)
		return false;
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MASTER) && endpoint) {
		/* Its VMM turned it off: it stays off (and is not adopted). */
		pci_info(pdev, "keepalive: bus master off, as its VMM left it\n");
	} else if (!(cmd & PCI_COMMAND_MASTER)) {
		pci_write_config_word(pdev, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
		pci_info(pdev, "keepalive: bus master turned back on for the kexec: a kept device is below\n");
	} else {
		pci_info(pdev, "keepalive: bus master kept on for the kexec\n");
	}
	return true;
}

/**
 * vka_feature() - keepalive_vfio_feature()
 * @device: as for keepalive_vfio_feature()
 * @flags: as for keepalive_vfio_feature()
 * @arg: as for keepalive_vfio_feature()
 * @argsz: as for keepalive_vfio_feature()
 *
 * Context: as for keepalive_vfio_feature().
 * Return: as for keepalive_vfio_feature().
 */
int vka_feature(struct vfio_device *device, u32 flags, void __user *arg,
		size_t argsz)
{
	struct vfio_pci_core_device *vdev =
		container_of(device, struct vfio_pci_core_device, vdev);
	struct vfio_device_feature_keepalive ka;
	enum keepalive_state state;
	int ret;

	ret = vfio_check_feature(flags, argsz,
				 VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET,
				 sizeof(ka));
	if (ret != 1)
		return ret;

	/*
	 * User memory is copied without vka_lock: every vfio-pci open and
	 * close, PRE-STOP and the kexec take it, and a copy can block for as
	 * long as its user wants (userfaultfd, FUSE).
	 */
	memset(&ka, 0, sizeof(ka));
	if (flags & VFIO_DEVICE_FEATURE_GET) {
		mutex_lock(&vka_lock);
		ka.flags = vka_find(vdev->pdev) ? VFIO_KEEPALIVE_KEEP : 0;
		mutex_unlock(&vka_lock);
		return copy_to_user(arg, &ka, sizeof(ka)) ? -EFAULT : 0;
	}
	if (copy_from_user(&ka, arg, sizeof(ka))) {
		ret = -EFAULT;
		goto out;
	}
	if (ka.flags & ~VFIO_KEEPALIVE_KEEP || ka.__reserved) {
		ret = -EINVAL;
		goto out;
	}
	mutex_lock(&vka_lock);
	state = keepalive_get_state();
	if (!keepalive_pool_ready()) {
		dev_warn_ratelimited(&vdev->pdev->dev, "keepalive: no pool (keepalive.pool=)\n");
		ret = -ENODEV;
		goto unlock;
	}
	/* Frozen from PRE-STOP on: vka_pre_stop() waits for vka_lock. */
	ret = keepalive_freeze_check("marking for keepalive");
	if (ret)
		goto unlock;
	if (!keepalive_state_before(KEEPALIVE_STATE_PRE_STOP)) {
		dev_warn_ratelimited(&vdev->pdev->dev, "keepalive: marking refused in state %s: only before pre-stop\n",
				     state == KEEPALIVE_STATE_RESUME ? "resume" :
				     "post-resume");
		ret = -EBUSY;
	} else if (vka_releasing(vdev->pdev)) {
		/* Opened as CONCLUDE began to release it: its work owns it. */
		ret = -EBUSY;
	} else if (ka.flags & VFIO_KEEPALIVE_KEEP) {
		ret = vka_keep(vdev, ka.token);
	} else {
		ret = vka_unkeep(vdev->pdev, ka.token);
	}
unlock:
	mutex_unlock(&vka_lock);
out:
	memzero_explicit(&ka, sizeof(ka));
	return ret;
}
