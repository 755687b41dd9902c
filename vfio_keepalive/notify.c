// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: a kept device that vfio-pci lets go of.
 *
 * A kept device belongs to vfio-pci, and through it to its VMM, until its
 * keep ends (unmark, ABORT, CONCLUDE). The driver core can take it away
 * all the same: its driver is unbound (sysfs unbind, a driver_override
 * and drivers_probe, remove_id), or the device is removed (sysfs remove,
 * a surprise hot-unplug). Nobody can reclaim it then, and its translation
 * and interrupt holds are keyed by its place on the bus: whatever is bound
 * at that place next, the same device or another, would find it running,
 * or have its own domain's attach skipped and its DMA go through the old
 * VMM's handover tables.
 *
 * So a bus notifier ends the keep of such a device, in either kernel:
 * bus mastering goes off at once, then its holds are released
 * (vka_drop()) and it is reset, before its driver's remove runs. While the
 * handover is frozen (keepalive_freeze_check(): from the start of PRE-STOP
 * until ABORT or the kexec) the set of kept devices may not change under
 * the participants: the device is stopped and reset
 * now, and the handover is aborted (keepalive_abort_async()), whose undo
 * releases its holds; the image would otherwise hand over a device that
 * is gone. A device CONCLUDE is releasing is that work's own.
 *
 * Lock order: the device lock (held by the driver core around
 * BUS_NOTIFY_UNBIND_DRIVER) -> vka_lock, as for vfio-pci's open and close.
 */
#define pr_fmt(fmt) "keepalive: vfio: " fmt

#include <linux/device.h>
#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/notifier.h>
#include <linux/pci.h>

#include "vka.h"

/*
 * End the keep of @pdev, which its driver or the bus is letting go of
 * (@how, for the log). Return: true when it was kept and is stopped now.
 */
static bool vka_gone(struct pci_dev *pdev, const char *how)
{
	enum keepalive_state state;
	struct vka_kept *k;
	char what[64];
	bool frozen;

	mutex_lock(&vka_lock);
	k = vka_find(pdev);
	if (!k || k->releasing) {
		mutex_unlock(&vka_lock);
		return false;
	}
	/* No DMA from now on, whoever binds this place next. */
	pci_clear_master(pdev);
	/*
	 * The core's freeze, not the state: it is set before PRE-STOP's
	 * callbacks run, while the state still reads PREPARE. Under vka_lock,
	 * as for an open: PRE-STOP's walk sees the device, or we the freeze.
	 */
	snprintf(what, sizeof(what), "dropping %s from the kept set",
		 pci_name(pdev));
	frozen = keepalive_freeze_check(what);
	if (frozen) {
		state = keepalive_get_state();
		pci_warn(pdev, "keepalive: %s while the handover is frozen (%s): stopped and reset; aborting the handover\n",
			 how, state == KEEPALIVE_STATE_STOP ? "stop" :
			 state == KEEPALIVE_STATE_REBOOTING ? "rebooting" :
			 "pre-stop");
	} else {
		pci_warn(pdev, "keepalive: %s: no longer kept, stopped and reset\n",
			 how);
		vka_drop(k);
	}
	mutex_unlock(&vka_lock);
	if (frozen)
		keepalive_abort_async("a kept device left vfio-pci");
	return true;
}

static int vka_bus_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	int ret;

	switch (action) {
	case BUS_NOTIFY_UNBIND_DRIVER:
		/* Under the device lock, before the driver's remove. */
		if (!vka_gone(pdev, "its driver is being unbound"))
			break;
		ret = pci_reset_function_locked(pdev);
		if (ret)
			pci_warn(pdev, "keepalive: reset failed (%d): bus master stays off\n",
				 ret);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		/* Kept with no driver bound (adopted, not yet bound). */
		if (vka_gone(pdev, "it is being removed"))
			pci_reset_function(pdev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vka_bus_nb = {
	.notifier_call = vka_bus_notify,
};

/* Before PCI enumeration, so that an adopted device is watched too. */
static int __init vka_notify_init(void)
{
	return bus_register_notifier(&pci_bus_type, &vka_bus_nb);
}
arch_initcall(vka_notify_init);
