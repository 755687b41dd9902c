// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the next kernel's side of a preserved
 * translation, and the per-device operations that concern an adopted
 * device.
 *
 * From the kexec until init_dmars() the unit translates through the
 * handover root the previous kernel left programmed. init_dmars() keeps
 * translation on (it asks keepalive_iommu_handed_over()) and,
 * instead of the kdump copy of every context entry, copies the entries of
 * the kept devices whose records were valid (ipr_adopt()),
 * reserves their domain ids and holds them, before it installs its new
 * root: every other device on the unit is blocked until its own domain is
 * attached, as on a cold boot, with no deferred attach.
 *
 * A held device stays on its handover tables while its VMM reclaims it,
 * attaches its container and maps its memory: the attach writes nothing.
 * At POST-RESUME each reclaimed device whose VMM's domain maps every
 * handover range is switched to that domain in one write (capture.c); the
 * others stay held until CONCLUDE, when vfio_keepalive has reset what
 * nobody reclaimed, and the handover tables are freed.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/device.h>
#include <linux/keepalive/pci.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "ipr.h"

/**
 * ipr_covered() - does the device's domain map all its handover ranges?
 * @d: a held device in the next kernel
 *
 * Context: Process context; ipr_lock held.
 * Return: 0 when the device is open with its token (ipr_claim_device())
 * and attached to an unmanaged (VMM's) domain that maps every handover
 * range to the same memory with at least the same access; -EAGAIN when it
 * is not open with its token, or on no such domain (not reclaimed);
 * -EBUSY (logged with the first IOVA missing) when the domain does not
 * map them yet; -ENOMEM.
 */
int ipr_covered(struct ipr_dev *d)
{
	struct ipr_ranges now = {};
	unsigned int i, j = 0;
	int ret;

	/*
	 * A container attach needs no token (vfio attaches the group before
	 * any device fd can be opened): only the domain of the VMM that holds
	 * the device open with its token may receive it.
	 */
	if (!d->claimed)
		return -EAGAIN;
	ret = ipr_be->vmm_ranges(d->pdev, &now);
	if (ret)
		return ret;
	for (i = 0; i < d->ranges.nr; i++) {
		const struct ipr_range *h = &d->ranges.r[i];

		while (j < now.nr && now.r[j].iova + now.r[j].len <= h->iova)
			j++;
		if (j == now.nr || now.r[j].iova > h->iova ||
		    now.r[j].iova + now.r[j].len < h->iova + h->len ||
		    now.r[j].phys - now.r[j].iova != h->phys - h->iova ||
		    (now.r[j].prot & h->prot) != h->prot) {
			pci_err(d->pdev, "keepalive: its VMM's domain does not map IOVA %#llx (%#llx bytes) as before the kexec\n",
				h->iova, h->len);
			ret = -EBUSY;
			break;
		}
	}
	kfree(now.r);
	return ret;
}

/**
 * ipr_adopt() - copy the valid kept devices' entries to a new root
 * @hw: a unit the previous kernel left translating, with its new (empty)
 *	root table allocated and not yet installed
 *
 * Context: init_dmars(), boot; dmar_global_lock held.
 */
void ipr_adopt(void *hw)
{
	const char *name = ipr_be->unit_name(hw);
	struct ipr_dev *d;
	unsigned int n = 0;

	mutex_lock(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list) {
		struct ipr_entry ce;

		if (!d->incoming || d->held || d->unit->hw != hw)
			continue;
		/* Stopped at enumeration, or not there: nothing to keep. */
		if (keepalive_pci_kept_unadopted(d->segment, d->bus,
						 d->devfn)) {
			pr_info("%s: %04x:%02x:%02x.%d was not adopted: its handover translation is not kept\n",
				name, d->segment, d->bus,
				PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
			continue;
		}
		ipr_be->entry_encode(d->top, d->did, d->agaw, &ce);
		if (ipr_held_map_prepare(hw) ||
		    ipr_be->entry_adopt(hw, d->bus, d->devfn, &ce, d->did)) {
			pr_err("%s: no memory for %02x:%02x.%d's entry: it is blocked\n",
			       name, d->bus, PCI_SLOT(d->devfn),
			       PCI_FUNC(d->devfn));
			continue;
		}
		d->did_reserved = true;
		d->held = true;
		n++;
	}
	mutex_unlock(&ipr_lock);
	pr_info("%s: translation kept on, %u kept device(s) held on their handover tables\n",
		name, n);
}

/**
 * ipr_confined() - is this kept device's DMA translated by us?
 * @kd: a kept or adopted device
 *
 * Context: Process context; takes ipr_lock.
 * Return: true when its DMA goes through handover tables: held in this
 * kernel, or handed over with a valid record (the previous kernel's root
 * translates it until init_dmars() adopts it).
 */
bool ipr_confined(struct keepalive_device *kd)
{
	struct ipr_dev *d;
	bool ret;

	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	ret = d && (d->held || d->incoming);
	mutex_unlock(&ipr_lock);
	return ret;
}

/**
 * ipr_claim_device() - a handed-over device is open by its VMM, or not
 * @kd: a device adopted in this kernel
 * @claimed: true when its VMM opened it with its token, false at its close
 *
 * POST-RESUME switches a held device only to the domain of the VMM that
 * holds it open with its token: a container attached without the token
 * (a group attach needs none) never receives it.
 *
 * Context: Process context (vfio-pci's open and close); takes ipr_lock.
 */
void ipr_claim_device(struct keepalive_device *kd, bool claimed)
{
	struct ipr_dev *d;

	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	if (d && d->incoming)
		d->claimed = claimed;
	mutex_unlock(&ipr_lock);
}
