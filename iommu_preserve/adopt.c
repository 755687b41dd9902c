// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the next kernel's side of a preserved
 * translation, and the calls vfio_keepalive makes in either kernel.
 *
 * From the kexec until init_dmars() the unit translates through the
 * handover root the previous kernel left programmed. init_dmars() keeps
 * translation on (patch 0010 asks keepalive_iommu_handed_over()) and,
 * instead of the kdump copy of every context entry, copies the entries of
 * the kept devices whose records were valid (keepalive_iommu_adopt()),
 * reserves their domain ids and holds them, before it installs its new
 * root: every other device on the unit is blocked until its own domain is
 * attached, as on a cold boot, with no deferred attach.
 *
 * A held device stays on its handover tables while its VMM reclaims it,
 * attaches its container and maps its memory: the attach writes nothing.
 * At POST-RESUME each reclaimed device whose VMM's domain maps every
 * handover range is switched to that domain in one write (hold.c); the
 * others stay held until CONCLUDE, when vfio_keepalive has reset what
 * nobody reclaimed, and the handover tables are freed.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/iommu.h>
#include <linux/keepalive/pci.h>
#include <linux/pci.h>

#include "intel/iommu.h"	/* drivers/iommu/, see Makefile */
#include "ipr.h"

/**
 * keepalive_iommu_handed_over() - did the previous kernel leave this unit on?
 * @iommu: a unit found translating at boot
 *
 * Context: init_dmars(), boot.
 * Return: true when this kernel received a handover with an IOMMU node:
 * the unit must keep translating (never turned off under a kept device)
 * and keepalive_iommu_adopt() decides which entries survive.
 */
bool keepalive_iommu_handed_over(struct intel_iommu *iommu)
{
	return READ_ONCE(ipr_incoming);
}

/**
 * keepalive_iommu_adopt() - copy the valid kept devices' entries to a new root
 * @iommu: a unit that keepalive_iommu_handed_over(), with its new (empty)
 *	root table allocated and not yet installed
 *
 * Context: init_dmars(), boot; dmar_global_lock held.
 */
void keepalive_iommu_adopt(struct intel_iommu *iommu)
{
	struct ipr_dev *d;
	unsigned int n = 0;

	mutex_lock(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list) {
		struct ipr_ctx ce = ipr_ctx_encode(d->top, d->did, d->agaw);
		struct context_entry *ctx;

		if (!d->incoming || d->held || d->unit->iommu != iommu)
			continue;
		/* Stopped at enumeration, or not there: nothing to keep. */
		if (keepalive_pci_kept_unadopted(d->segment, d->bus,
						 d->devfn)) {
			pr_info("%s: %04x:%02x:%02x.%d was not adopted: its handover translation is not kept\n",
				iommu->name, d->segment, d->bus,
				PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
			continue;
		}
		ctx = ipr_held_map_prepare(iommu) ? NULL :
		      iommu_context_addr(iommu, d->bus, d->devfn, 1);
		if (!ctx) {
			pr_err("%s: no memory for %02x:%02x.%d's entry: it is blocked\n",
			       iommu->name, d->bus, PCI_SLOT(d->devfn),
			       PCI_FUNC(d->devfn));
			continue;
		}
		ctx->lo = ce.lo;
		ctx->hi = ce.hi;
		__iommu_flush_cache(iommu, ctx, sizeof(*ctx));
		set_bit(d->did, iommu->domain_ids);
		d->did_reserved = true;
		ipr_held_mark(iommu, d->bus, d->devfn, true);
		d->held = true;
		n++;
	}
	mutex_unlock(&ipr_lock);
	pr_info("%s: translation kept on, %u kept device(s) held on their handover tables\n",
		iommu->name, n);
}

/**
 * ipr_confined() - is this kept device's DMA translated by us?
 * @pdev: a kept or recorded device
 *
 * Context: Process context; takes ipr_lock.
 * Return: true when its DMA goes through handover tables: held in this
 * kernel, or handed over with a valid record (the previous kernel's root
 * translates it until init_dmars() adopts it).
 */
bool ipr_confined(struct pci_dev *pdev)
{
	struct ipr_dev *d;
	bool ret;

	mutex_lock(&ipr_lock);
	d = ipr_find_pdev(pdev);
	ret = d && (d->held || d->incoming);
	mutex_unlock(&ipr_lock);
	return ret;
}

/**
 * ipr_claim_device() - a handed-over device is open by its VMM, or not
 * @pdev: a device adopted in this kernel
 * @claimed: true when its VMM opened it with its token, false at its close
 *
 * POST-RESUME switches a held device only to the domain of the VMM that
 * holds it open with its token: a container attached without the token
 * (a group attach needs none) never receives it.
 *
 * Context: Process context (vfio-pci's open and close); takes ipr_lock.
 */
void ipr_claim_device(struct pci_dev *pdev, bool claimed)
{
	struct ipr_dev *d;

	mutex_lock(&ipr_lock);
	d = ipr_find_pdev(pdev);
	if (d && d->incoming)
		d->claimed = claimed;
	mutex_unlock(&ipr_lock);
}

/**
 * ipr_hold_device() - a kept device's VMM closes it: hold it now
 * @pdev: a kept device, still attached to its VMM's domain
 *
 * The VMM's container goes away after this: capture the device's
 * translation (unless PRE-STOP did, then check it did not change) and
 * switch the device to it, so that it never falls back to the kernel's
 * default domain.
 *
 * Context: Process context (vfio-pci's close); takes ipr_lock.
 * Return: 0 when the device is held (or was handed over and is held
 * still); -EBUSY for a handed-over device POST-RESUME already switched to
 * its VMM's domain; an errno of ipr_capture(), ipr_verify() or
 * ipr_switch() otherwise. On an error the device must not go on running.
 */
int ipr_hold_device(struct pci_dev *pdev)
{
	struct ipr_dev *d;
	bool fresh = false;
	int ret = 0;

	mutex_lock(&ipr_lock);
	d = ipr_find_pdev(pdev);
	if (d && d->incoming) {
		/*
		 * Handed over: still held, or already switched to its VMM's
		 * domain, which goes away with the VMM's container.
		 */
		d->by_close |= d->held;
		ret = d->held ? 0 : -EBUSY;
		goto unlock;
	}
	if (d && d->held) {
		d->by_close = true;
		goto unlock;
	}
	if (d) {
		ret = ipr_verify(d);
	} else {
		ret = ipr_capture(pdev, &d);
		fresh = !ret;
	}
	if (!ret)
		ret = ipr_switch(d);
	if (!ret)
		d->by_close = true;
	if (ret && fresh)
		ipr_free(d);
	if (ret)
		ipr_unit_put_unused();
unlock:
	mutex_unlock(&ipr_lock);
	return ret;
}

/**
 * ipr_release_device() - a kept device is let go: forget its translation
 * @pdev: a device whose keep ends with it stopped or reset (ABORT, or
 *	CONCLUDE for a device nobody reclaimed)
 *
 * A held device's context entry goes back to the driver (the domain it is
 * attached to now) and its handover tables are freed. Before init_dmars()
 * in the next kernel, the device's record is only dropped: the new root
 * will not carry it.
 *
 * Context: Process context; takes ipr_lock.
 */
void ipr_release_device(struct pci_dev *pdev)
{
	struct ipr_dev *d;

	mutex_lock(&ipr_lock);
	d = ipr_find_pdev(pdev);
	if (d) {
		ipr_release(d);
		ipr_free(d);
		if (!ipr_incoming)
			ipr_unit_put_unused();
	}
	mutex_unlock(&ipr_lock);
}

/**
 * ipr_reopen_device() - a VMM opens a kept device again, this kernel
 * @pdev: a device marked in this kernel
 *
 * Before PRE-STOP, a device held since its previous VMM closed it goes to
 * the domain its new VMM's container attached: the driver's entry is
 * written, the handover translation freed (the next close captures
 * again). From PRE-STOP on it stays held: the handover root built at
 * STOP points at its tables (vfio_keepalive refuses such an open while
 * the handover is frozen; the state check here is a second guard).
 *
 * Context: Process context (vfio-pci's open); takes ipr_lock.
 */
void ipr_reopen_device(struct pci_dev *pdev)
{
	enum keepalive_state state = keepalive_get_state();
	struct ipr_dev *d;

	if (state != KEEPALIVE_STATE_RUNNING && state != KEEPALIVE_STATE_PREPARE)
		return;
	mutex_lock(&ipr_lock);
	d = ipr_find_pdev(pdev);
	if (d && d->by_close && !d->incoming) {
		ipr_release(d);
		ipr_free(d);
		ipr_unit_put_unused();
	}
	mutex_unlock(&ipr_lock);
}
