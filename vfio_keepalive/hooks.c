// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the hooks that drivers/pci/ and drivers/vfio/pci/
 * call into vfio_keepalive/ (include/linux/keepalive/pci.h). This is the
 * only file that defines them; each is a thin call into the participant:
 * marking, open and close and the kexec shutdown in capture.c, adoption at
 * enumeration in adopt.c.
 */
#include <linux/keepalive/pci.h>
#include <linux/pci.h>
#include <linux/vfio.h>

#include "vka.h"

/**
 * keepalive_vfio_feature() - VFIO_DEVICE_FEATURE_KEEPALIVE on a vfio-pci fd
 * @device: the vfio device of a vfio-pci core device
 * @flags: the VFIO_DEVICE_FEATURE flags
 * @arg: user pointer to struct vfio_device_feature_keepalive
 * @argsz: its size
 *
 * Context: Process context; takes vka_lock, never while it copies @arg.
 * Return: 0 (also for a PROBE);
 * -EINVAL for a bad @argsz, unknown flags or non-zero reserved bytes;
 * -EFAULT when @arg cannot be read or written;
 * -ENODEV without a keepalive pool;
 * -EBUSY once the handover is past PREPARE, or while CONCLUDE releases the
 * device;
 * -EPERM when a marked device is marked again or unmarked with another
 * token than the one it was marked with;
 * -EOPNOTSUPP for a device that cannot be kept;
 * -EXDEV when its IOMMU group, or the slot or bus a reset of it would
 * reset (its vfio dev_set), holds other devices;
 * -ENOMEM.
 */
int keepalive_vfio_feature(struct vfio_device *device, u32 flags,
			   void __user *arg, size_t argsz)
{
	return vka_feature(device, flags, arg, argsz);
}

/**
 * keepalive_vfio_match() - check the token of an open of a kept device
 * @pdev: the device that VFIO_GROUP_GET_DEVICE_FD names
 * @token: the UUID of its "vf_token=" argument, or NULL without one
 *
 * Called by vfio-pci's match before it checks an SR-IOV VF token. A kept
 * device, marked in this kernel or adopted from the previous one, is
 * opened only with the token it was marked with: nobody else may reach a
 * device whose queues and DMA are its VMM's, nor skip the reset that
 * vfio-pci's open does to any other device. The open of an adopted device
 * with its token reclaims it, as its last step (keepalive_vfio_opening()).
 *
 * Context: Process context; takes vka_lock.
 * Return: 1 when @pdev is kept and @token is its token (the token is used
 * up: vfio-pci must not take it for a VF token); 0 when @pdev is not kept
 * (vfio-pci goes on as usual); -EPERM without a token or with a wrong one;
 * -EBUSY while CONCLUDE resets and releases it.
 */
int keepalive_vfio_match(struct pci_dev *pdev, const uuid_t *token)
{
	return vka_match(pdev, token);
}

/**
 * keepalive_vfio_kept() - vfio-pci begins to open a device: is it kept alive?
 * @pdev: a device whose first vfio fd is opening; when it is kept, the
 *	open presented its token (keepalive_vfio_match())
 *
 * vfio-pci asks first, to leave a kept device running: no bus master
 * clearing and no reset. Nothing changes here: the device is still held
 * as its previous VMM's close left it until keepalive_vfio_opening(), the
 * last step of the open, takes it over. An open that fails before that
 * step leaves the device as it was.
 *
 * Context: Process context (vfio-pci's open); takes vka_lock.
 * Return: true when @pdev is marked, or was adopted from the previous
 * kernel and the handover is not concluded yet.
 */
bool keepalive_vfio_kept(struct pci_dev *pdev)
{
	return vka_is_kept(pdev);
}

/**
 * keepalive_vfio_opening() - the last step of vfio-pci's open of a kept device
 * @pdev: a device keepalive_vfio_kept() said is kept, its open otherwise
 *	complete
 *
 * A device its previous VMM closed while kept was held on its handover
 * translation and interrupt hold since: from this open on it is
 * translated by the domain of the container it is opened through and its
 * interrupts are its new VMM's, so a VMM that opens a running device again
 * maps its memory first. An adopted device open with its token is its
 * VMM's: POST-RESUME may switch it to the VMM's domain
 * (keepalive_device_claim()); its first such open reclaims it: keepalive
 * takes a PCI enable reference on it, so that the VMM's close does not
 * disable it before CONCLUDE.
 *
 * From PRE-STOP until ABORT or the kexec the handover is frozen: what
 * PRE-STOP captured and STOP records must not change, so a device held
 * since its close is not opened again (its hold would end under STOP).
 *
 * Context: Process context (vfio-pci's open); takes vka_lock.
 * Return: 0 when the device is its VMM's now; on an error nothing changed
 * (the device is still held, not open), and vfio-pci fails the open:
 * -EBUSY when the handover is frozen (logged), or when the device is not
 * kept any more (ABORT, or CONCLUDE releasing it, since
 * keepalive_vfio_kept()); the errno of pci_enable_device() (logged); -EIO
 * by fault injection.
 */
int keepalive_vfio_opening(struct pci_dev *pdev)
{
	return vka_opening(pdev);
}

/**
 * keepalive_vfio_closing() - vfio-pci closes a device: is it kept running?
 * @pdev: a device whose last vfio fd is closing, still attached to its
 *	VMM's IOMMU domain
 *
 * A kept device's translation is held from now on (its VMM's container
 * goes away next). If it cannot be, the device is no longer kept and
 * vfio-pci stops and resets it as usual: so is an adopted device that
 * POST-RESUME already switched to its VMM's domain. An adopted device
 * that is still held stays held, and CONCLUDE resets it unless its VMM
 * opens it again first.
 *
 * Context: Process context (vfio-pci's close); takes vka_lock.
 * Return: true when @pdev is kept and stays running.
 */
bool keepalive_vfio_closing(struct pci_dev *pdev)
{
	return vka_closing(pdev);
}

/**
 * keepalive_vfio_may_reset_set() - may a slot or bus reset reach a device?
 * @pdev: a device of the vfio dev_set that vfio-pci is about to reset
 *
 * For vfio-pci's VFIO_DEVICE_PCI_HOT_RESET and for the reset it tries
 * when the last device of a set closes: either would stop a kept device's
 * queues under its VMM, in this kernel or, adopted, in the next. Its VMM
 * unmarks it first if it wants the reset.
 *
 * Context: Process context, under the dev_set's lock; takes vka_lock.
 * Return: 0; -EBUSY when @pdev is kept (marked, adopted or being
 * released), with a rate-limited line.
 */
int keepalive_vfio_may_reset_set(struct pci_dev *pdev)
{
	return vka_may_reset_set(pdev);
}

/**
 * keepalive_pci_adopt() - adopt a device kept by the previous kernel
 * @pdev: a device being enumerated: its config header, BARs and
 *	capabilities read, not yet added to the driver core
 *
 * Called by pci_device_add() for every device. Does nothing unless the
 * incoming handover recorded a kept device at @pdev's place. If @pdev
 * matches the record it is adopted (see vfio_keepalive/adopt.c); if not,
 * it is reset now, before any driver can see it, with a log line saying
 * why.
 *
 * Context: Process context, PCI enumeration; takes vka_lock.
 */
void keepalive_pci_adopt(struct pci_dev *pdev)
{
	vka_adopt(pdev);
}

/**
 * keepalive_pci_keep_master() - may kexec shutdown leave bus mastering on?
 * @pdev: a PCI device being shut down for a kexec, after its driver's
 *	->shutdown()
 *
 * pci_device_shutdown() clears bus mastering on every device at kexec.
 * When the kexec carries a handover, a kept device must keep it, and so
 * must every bridge between it and its root port: the device's queues go
 * on with their DMA until the next kernel's VMM takes them over. A
 * bridge's driver may have turned it off in its own ->shutdown() (the
 * PCIe port driver disables the port): turn it back on. A kept device
 * whose VMM turned its bus mastering off is left as it is: it does no DMA,
 * and the next kernel does not adopt it (its record says master on).
 *
 * Context: Process context (device_shutdown()); takes vka_lock.
 * Return: true when @pdev is kept, or a bridge upstream of a kept device,
 * and the kexec carries a handover; false otherwise.
 */
bool keepalive_pci_keep_master(struct pci_dev *pdev)
{
	return vka_keep_master(pdev);
}
