/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: one kept device, and the per-device operations
 * of the participants that keep a part of it.
 *
 * A kept device has one owner, the participant that a VMM marks it
 * through (vfio_keepalive: struct keepalive_device is embedded in its
 * entry). Other participants keep a part of the device: its DMA
 * translation (iommu_preserve) and its interrupts (irq_preserve). They do
 * not know the owner: each registers a struct keepalive_device_ops in its
 * slot, and the owner runs every slot's op through the helpers below,
 * forward in slot order and undone in reverse. Each part's state for the
 * device hangs off keepalive_device.part[], so one lookup of the owner's
 * entry finds all of it.
 *
 *   owner (vfio_keepalive)  --keepalive_device_*()-->  core (kho/device.c)
 *                                                          |
 *             slot order: DMA, then IRQ; undone IRQ, then DMA
 *                                                          v
 *           iommu_preserve (KEEPALIVE_DEVICE_DMA)  irq_preserve (_IRQ)
 *
 * The walk goes the other way without naming the owner:
 * keepalive_device_walk() calls the owner's walk, registered with
 * keepalive_device_owner_register().
 *
 * Locking: the owner calls every op, and every walk callback, under its
 * own lock (for vfio_keepalive, vka_lock); an op must not call back into
 * the owner. Each slot's ops and the owner are registered once, at
 * arch_initcall, before any device can be marked or adopted, and never
 * unregistered: the helpers read them without a lock.
 */
#ifndef _LINUX_KEEPALIVE_DEVICE_H
#define _LINUX_KEEPALIVE_DEVICE_H

#include <linux/types.h>

struct pci_dev;

/**
 * enum keepalive_device_slot - the parts of a kept device, in run order
 * @KEEPALIVE_DEVICE_DMA: its DMA translation (iommu_preserve)
 * @KEEPALIVE_DEVICE_IRQ: its interrupts (irq_preserve)
 * @KEEPALIVE_DEVICE_NR_SLOTS: the number of slots
 *
 * Every slot must be registered before a device can be kept: a device
 * whose DMA or interrupts nobody keeps is refused at marking.
 */
enum keepalive_device_slot {
	KEEPALIVE_DEVICE_DMA,
	KEEPALIVE_DEVICE_IRQ,
	KEEPALIVE_DEVICE_NR_SLOTS,
};

/**
 * struct keepalive_device - a device kept alive, in this kernel or from the
 *	previous one
 * @pdev: the device; the owner holds a reference for the object's life
 * @adopted: handed over by the previous kernel and adopted at enumeration
 *	(not marked in this kernel)
 * @part: each slot's state for this device, the slot's own (NULL until
 *	the slot sets it, and the slot frees it in its ->release())
 *
 * Embedded in the owner's entry for the device, which it allocates zeroed.
 */
struct keepalive_device {
	struct pci_dev *pdev;
	bool adopted;
	void *part[KEEPALIVE_DEVICE_NR_SLOTS];
};

/**
 * struct keepalive_device_ops - what a slot does for each kept device
 *
 * Every op is optional, and every op is called in process context with
 * the owner's lock held (for @refusal, during PCI enumeration; for
 * @confined, from device_shutdown() at kexec); ops may sleep and must not
 * call back into the owner.
 *
 * @name: the slot's name in log lines ("iommu", "irq")
 * @check: a VMM marks @kd: can this part of it be kept? Nothing is
 *	held yet. Returns 0, or a negative errno that refuses the marking
 *	(the op logs why; -EOPNOTSUPP when the device's hardware or
 *	configuration cannot be kept).
 * @hold: @kd's VMM closes it, still attached to its domain: hold this
 *	part from now on. Returns 0, or a negative errno (the op logs it):
 *	the owner then releases every slot (keepalive_device_release()) and
 *	stops and resets the device.
 * @release: @kd is let go (unmarked, dropped, refused, or concluded):
 *	forget this part, and free @kd->part[slot]. Called for every slot
 *	whatever the slot did before, so it must do nothing for a device it
 *	has nothing for.
 * @reopen: a VMM of this kernel opens @kd again: this part is its VMM's
 *	again. Not for an adopted device (see @claim).
 * @claim: an adopted @kd is opened (@claimed true) or closed (false) by
 *	its VMM.
 * @refusal: is this part of an adopted @kd handed over intact? Asked at
 *	enumeration, before the owner adopts the device. Returns NULL when
 *	it is, else why not for the owner's log line: a string written in
 *	@buf (@len bytes) or a constant one.
 * @confined: are @kd's DMA requests translated by tables this kernel built
 *	for its handover, and only those? Asked at kexec shutdown: a device
 *	whose DMA is not confined loses bus mastering. Only the DMA slot
 *	implements it; returns true when they are.
 */
struct keepalive_device_ops {
	const char *name;
	int (*check)(struct keepalive_device *kd);
	int (*hold)(struct keepalive_device *kd);
	void (*release)(struct keepalive_device *kd);
	void (*reopen)(struct keepalive_device *kd);
	void (*claim)(struct keepalive_device *kd, bool claimed);
	const char *(*refusal)(struct keepalive_device *kd, char *buf,
			       size_t len);
	bool (*confined)(struct keepalive_device *kd);
};

/**
 * typedef keepalive_device_fn - called for each kept device of a walk
 * @kd: the device
 * @data: the walk's argument
 *
 * Return: 0 to go on, anything else to end the walk with it.
 */
typedef int (*keepalive_device_fn)(struct keepalive_device *kd, void *data);

/**
 * struct keepalive_device_owner - the participant that kept devices belong to
 * @walk: call @fn under the owner's lock for each device marked in this
 *	kernel (not the adopted ones), in marking order, until it returns
 *	non-zero.
 *	Context: process context; takes the owner's lock.
 *	Return: 0, or the first non-zero return of @fn.
 */
struct keepalive_device_owner {
	int (*walk)(keepalive_device_fn fn, void *data);
};

int keepalive_device_ops_register(enum keepalive_device_slot slot,
				  const struct keepalive_device_ops *ops);
int keepalive_device_owner_register(const struct keepalive_device_owner *owner);

int keepalive_device_walk(keepalive_device_fn fn, void *data);

int keepalive_device_check(struct keepalive_device *kd);
int keepalive_device_hold(struct keepalive_device *kd);
void keepalive_device_release(struct keepalive_device *kd);
void keepalive_device_reopen(struct keepalive_device *kd);
void keepalive_device_claim(struct keepalive_device *kd, bool claimed);
const char *keepalive_device_refusal(struct keepalive_device *kd, char *buf,
				     size_t len);
bool keepalive_device_confined(struct keepalive_device *kd);

#endif /* _LINUX_KEEPALIVE_DEVICE_H */
