// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: preserved DMA translations as a state-machine
 * participant, "iommu".
 *
 * PRE-STOP captures the translation of every kept device still open (a
 * device its VMM closed was captured and held then); STOP checks that no
 * mapping changed, switches each device to its handover tables, builds
 * every unit's handover root and records units and devices. ABORT undoes
 * it in reverse: the devices go back to their VMM's domain.
 *
 * In the next kernel RESUME reads and checks the records (record.c) before
 * PCI enumeration, so that vfio_keepalive adopts only a device whose
 * translation is valid; POST-RESUME and CONCLUDE are in adopt.c's terms.
 *
 * The per-device operations (ipr_device_ops) work on the kept device's
 * struct ipr_dev, in its part[KEEPALIVE_DEVICE_DMA] (ipr_dev_of()).
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/keepalive/device.h>
#include <linux/keepalive/iommu.h>
#include <linux/keepalive/pci.h>
#include <linux/libfdt.h>
#include <linux/pci.h>

#include "ipr.h"

/* This kernel received an IOMMU node: the units must stay translating. */
bool ipr_incoming;

/*
 * The backend of the units that translate kept devices: VT-d unless the
 * AMD-Vi driver runs (ipr_backend_pick()) or calls a hook first.
 */
const struct ipr_backend *ipr_be = IS_ENABLED(CONFIG_INTEL_IOMMU) ?
				   &ipr_vtd_backend : &ipr_amd_backend;

/**
 * ipr_backend_use() - make @be the backend in use
 * @be: the backend of the IOMMU driver that runs
 *
 * A host has one IOMMU vendor: the first of the driver's hooks, or the
 * participant's registration, decides, before any record is read or
 * written.
 *
 * Context: Any context, before RESUME and any capture.
 */
void ipr_backend_use(const struct ipr_backend *be)
{
	if (ipr_be != be)
		pr_info("DMA translation through %s\n", be->name);
	WRITE_ONCE(ipr_be, be);
}

/* At registration: the backend whose driver found its units. */
static void ipr_backend_pick(void)
{
	if (IS_ENABLED(CONFIG_AMD_IOMMU) && ipr_amd_backend.present())
		ipr_backend_use(&ipr_amd_backend);
	else if (IS_ENABLED(CONFIG_INTEL_IOMMU) && ipr_vtd_backend.present())
		ipr_backend_use(&ipr_vtd_backend);
}

/* Forget every capture that is not held (PRE-STOP's, undone). */
static void drop_unheld(void)
{
	struct ipr_dev *d, *next;

	mutex_lock(&ipr_lock);
	list_for_each_entry_safe(d, next, &ipr_devs, list)
		if (!d->held && !d->incoming)
			ipr_free(d);
	ipr_unit_put_unused();
	mutex_unlock(&ipr_lock);
}

static int capture_one(struct keepalive_device *kd, void *data)
{
	struct ipr_dev *d;
	int ret = 0;

	mutex_lock(&ipr_lock);
	if (!ipr_dev_of(kd))
		ret = ipr_capture(kd, &d);
	mutex_unlock(&ipr_lock);
	return ret;
}

static int ipr_pre_stop(struct keepalive_participant *p)
{
	int ret = keepalive_device_walk(capture_one, NULL);

	if (ret)
		drop_unheld();
	return ret;
}

static void ipr_unpre_stop(struct keepalive_participant *p)
{
	drop_unheld();
}

static int switch_one(struct keepalive_device *kd, void *data)
{
	struct ipr_dev *d;
	int ret = 0;

	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	if (WARN_ON_ONCE(!d))
		ret = -ENOENT;
	else if (!d->held)
		ret = ipr_verify(d) ?: ipr_switch(d);
	mutex_unlock(&ipr_lock);
	return ret;
}

/*
 * Back to their VMM's domain: the devices STOP held while their VMM still
 * had them open. Those held since their VMM's close stay held until
 * vfio_keepalive lets them go.
 */
static void release_open(void)
{
	struct ipr_dev *d;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list)
		if (d->held && !d->incoming && !d->by_close)
			ipr_release(d);
}

static int ipr_stop(struct keepalive_participant *p, void *fdt, int node)
{
	int ret = keepalive_device_walk(switch_one, NULL);

	mutex_lock(&ipr_lock);
	if (!ret)
		ret = ipr_units_build();
	if (!ret) {
		ret = ipr_record_write(fdt, node);
		if (ret) {
			pr_err("stop: cannot record the translations: %s\n",
			       fdt_strerror(ret));
			ret = ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
		}
	}
	if (ret) {
		ipr_units_free();
		release_open();
	}
	mutex_unlock(&ipr_lock);
	return ret;
}

static void ipr_unstop(struct keepalive_participant *p)
{
	mutex_lock(&ipr_lock);
	ipr_units_free();
	release_open();
	mutex_unlock(&ipr_lock);
}

/* Release and free every translation, then every unit. */
static void release_all(void)
{
	struct ipr_dev *d, *next;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry_safe(d, next, &ipr_devs, list) {
		ipr_release(d);
		ipr_free(d);
	}
	ipr_retired_free();
	ipr_unit_put_unused();
}

/* ABORT: whatever vfio_keepalive did not let go of already. */
static void ipr_unprepare(struct keepalive_participant *p)
{
	mutex_lock(&ipr_lock);
	release_all();
	mutex_unlock(&ipr_lock);
}

static int ipr_resume(struct keepalive_participant *p, const void *fdt,
		      int node)
{
	int ret;

	mutex_lock(&ipr_lock);
	WRITE_ONCE(ipr_incoming, true);
	ret = ipr_record_read(fdt, node);
	ipr_early_settle();
	mutex_unlock(&ipr_lock);
	return ret;
}

/*
 * Nothing is adopted; the units still keep translating (every kept device
 * blocked) and the vfio participant, which depends on this one, resets the
 * devices.
 */
static int ipr_fallback(struct keepalive_participant *p, const void *fdt,
			int node, const char *dep, int err)
{
	struct ipr_dev *d, *next;

	mutex_lock(&ipr_lock);
	WRITE_ONCE(ipr_incoming, true);
	list_for_each_entry_safe(d, next, &ipr_devs, list)
		if (!d->held)
			ipr_free(d);
	ipr_early_settle();
	mutex_unlock(&ipr_lock);
	pr_err("resume: no translation adopted (%s: %d): kept devices are blocked and reset\n",
	       dep, err);
	return 0;
}

static int ipr_post_resume(struct keepalive_participant *p)
{
	struct ipr_dev *d;
	int ret = 0;

	mutex_lock(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list) {
		if (!d->held)
			continue;
		if (!d->pdev)
			d->pdev = pci_get_domain_bus_and_slot(d->segment, d->bus,
							      d->devfn);
		d->covered = d->pdev ? ipr_covered(d) : -ENODEV;
		if (d->covered != -EAGAIN && d->covered != -ENODEV && !ret)
			ret = d->covered;
	}
	list_for_each_entry(d, &ipr_devs, list)
		if (!ret && d->held && !d->covered)
			ipr_release(d);
	mutex_unlock(&ipr_lock);
	return ret;
}

static void ipr_unpost_resume(struct keepalive_participant *p)
{
	struct ipr_dev *d;

	mutex_lock(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list)
		if (!d->held && d->incoming && !d->covered)
			WARN_ON_ONCE(ipr_switch(d));
	mutex_unlock(&ipr_lock);
}

static void ipr_conclude(struct keepalive_participant *p)
{
	mutex_lock(&ipr_lock);
	release_all();
	WRITE_ONCE(ipr_incoming, false);
	mutex_unlock(&ipr_lock);
}

static const char * const ipr_depends[] = { KEEPALIVE_MEMFD_NODE, NULL };

static const struct keepalive_ops ipr_ops = {
	.pre_stop = ipr_pre_stop,
	.unpre_stop = ipr_unpre_stop,
	.stop = ipr_stop,
	.unstop = ipr_unstop,
	.unprepare = ipr_unprepare,
	.resume = ipr_resume,
	.fallback = ipr_fallback,
	.post_resume = ipr_post_resume,
	.unpost_resume = ipr_unpost_resume,
	.conclude = ipr_conclude,
	.corrupt = IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION) ?
		   ipr_corrupt : NULL,
};

static struct keepalive_participant ipr_participant = {
	.name = KEEPALIVE_IOMMU_NODE,
	.compatible = KEEPALIVE_IOMMU_COMPATIBLE,	/* or the backend's */
	.priority = KEEPALIVE_PRIO_IOMMU,
	.depends = ipr_depends,
	.ops = &ipr_ops,
};

static int ipr_op_hold(struct keepalive_device *kd)
{
	int ret = ipr_hold_device(kd);

	if (ret)
		pci_err(kd->pdev, "keepalive: its translation cannot be held (%d): no longer kept, stopped and reset\n",
			ret);
	return ret;
}

static const char *ipr_op_refusal(struct keepalive_device *kd, char *buf,
				  size_t len)
{
	return ipr_confined(kd) ? NULL :
	       "its DMA translation was not handed over intact";
}

static const struct keepalive_device_ops ipr_device_ops = {
	.name = "iommu",
	.check = ipr_check_device,
	.hold = ipr_op_hold,
	.release = ipr_release_device,
	.reopen = ipr_reopen_device,
	.claim = ipr_claim_device,
	.refusal = ipr_op_refusal,
	.confined = ipr_confined,
};

/*
 * Before vfio_keepalive (arch_initcall, later in link order) and PCI
 * enumeration: a kept device is adopted only once its record is checked.
 */
static int __init ipr_init(void)
{
	int ret;

	ipr_fault_init();
	ipr_backend_pick();
	ipr_participant.compatible = ipr_be->compatible;
	ret = keepalive_device_ops_register(KEEPALIVE_DEVICE_DMA,
					    &ipr_device_ops);
	return ret ?: keepalive_register(&ipr_participant);
}
arch_initcall(ipr_init);
