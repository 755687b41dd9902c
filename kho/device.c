// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the per-device operations of the participants,
 * run for the owner of a kept device (include/linux/keepalive/device.h).
 *
 * The core only dispatches: it keeps no device and takes no lock. Forward
 * operations run in slot order (DMA, then IRQ), and release runs in
 * reverse, so that a device's interrupts are let go before the translation
 * their messages go through.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/pci.h>
#include <linux/printk.h>
#include <linux/sched/clock.h>
#include <linux/keepalive/device.h>
#include <trace/events/keepalive.h>

static const struct keepalive_device_ops *slots[KEEPALIVE_DEVICE_NR_SLOTS];
static const struct keepalive_device_owner *owner;

/**
 * keepalive_device_ops_register() - a participant keeps a part of kept devices
 * @slot: the part it keeps
 * @ops: its operations, static: they are never unregistered
 *
 * Context: Process context, at arch_initcall, before any device is marked
 * or adopted.
 * Return: 0; -EINVAL for a slot out of range, or -EBUSY when the slot is
 * taken (both logged).
 */
int keepalive_device_ops_register(enum keepalive_device_slot slot,
				  const struct keepalive_device_ops *ops)
{
	if (WARN_ON_ONCE(slot >= KEEPALIVE_DEVICE_NR_SLOTS || !ops)) {
		pr_err("device ops: slot %d is not a slot\n", slot);
		return -EINVAL;
	}
	if (slots[slot]) {
		pr_err("device ops: %s cannot take slot %d: %s has it\n",
		       ops->name, slot, slots[slot]->name);
		return -EBUSY;
	}
	slots[slot] = ops;
	return 0;
}
EXPORT_SYMBOL_GPL(keepalive_device_ops_register);

/**
 * keepalive_device_owner_register() - the participant kept devices belong to
 * @o: its walk, static: it is never unregistered
 *
 * Context: Process context, at arch_initcall.
 * Return: 0, or -EBUSY when another owner is registered (logged).
 */
int keepalive_device_owner_register(const struct keepalive_device_owner *o)
{
	if (owner) {
		pr_err("device ops: a second owner of kept devices is refused\n");
		return -EBUSY;
	}
	owner = o;
	return 0;
}
EXPORT_SYMBOL_GPL(keepalive_device_owner_register);

/**
 * keepalive_device_walk() - call @fn for each device marked in this kernel
 * @fn: called under the owner's lock; a non-zero return ends the walk
 * @data: its argument
 *
 * Context: Process context; the owner takes its lock, so the caller must
 * not hold it.
 * Return: 0 (also with no owner: then nothing is kept), or the first
 * non-zero return of @fn.
 */
int keepalive_device_walk(keepalive_device_fn fn, void *data)
{
	return owner ? owner->walk(fn, data) : 0;
}
EXPORT_SYMBOL_GPL(keepalive_device_walk);

/**
 * keepalive_device_check() - can every part of @kd be kept?
 * @kd: a device a VMM is marking, not kept yet
 *
 * Context: Process context, the owner's lock held.
 * Return: 0; -EOPNOTSUPP when a slot has no participant (logged), or the
 * first slot's error (which it logs).
 */
int keepalive_device_check(struct keepalive_device *kd)
{
	int i, ret;

	for (i = 0; i < KEEPALIVE_DEVICE_NR_SLOTS; i++) {
		if (!slots[i]) {
			dev_warn_ratelimited(&kd->pdev->dev, "keepalive: no participant keeps part %d of a device\n",
					     i);
			return -EOPNOTSUPP;
		}
		ret = slots[i]->check ? slots[i]->check(kd) : 0;
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(keepalive_device_check);

/**
 * keepalive_device_hold() - hold every part of @kd: its VMM closes it
 * @kd: a kept device, still attached to its VMM's domain
 *
 * On an error, the parts held before the failing one stay held: the
 * owner lets the device go with keepalive_device_release(), which undoes
 * them all.
 *
 * Context: Process context, the owner's lock held.
 * Return: 0, or the first slot's error.
 */
int keepalive_device_hold(struct keepalive_device *kd)
{
	int i, ret;

	for (i = 0; i < KEEPALIVE_DEVICE_NR_SLOTS; i++) {
		u64 t0 = local_clock();

		if (!slots[i] || !slots[i]->hold)
			continue;
		ret = slots[i]->hold(kd);
		trace_keepalive_device_hold(pci_name(kd->pdev), slots[i]->name,
					    ret, local_clock() - t0);
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(keepalive_device_hold);

/**
 * keepalive_device_release() - let every part of @kd go, the last first
 * @kd: a device that is no longer kept
 *
 * Context: Process context, the owner's lock held.
 */
void keepalive_device_release(struct keepalive_device *kd)
{
	int i;

	for (i = KEEPALIVE_DEVICE_NR_SLOTS - 1; i >= 0; i--)
		if (slots[i] && slots[i]->release)
			slots[i]->release(kd);
}
EXPORT_SYMBOL_GPL(keepalive_device_release);

/**
 * keepalive_device_reopen() - a VMM of this kernel opens a kept device again
 * @kd: the device, marked in this kernel
 *
 * Context: Process context, the owner's lock held.
 */
void keepalive_device_reopen(struct keepalive_device *kd)
{
	int i;

	for (i = 0; i < KEEPALIVE_DEVICE_NR_SLOTS; i++)
		if (slots[i] && slots[i]->reopen)
			slots[i]->reopen(kd);
}
EXPORT_SYMBOL_GPL(keepalive_device_reopen);

/**
 * keepalive_device_claim() - an adopted device is opened or closed by its VMM
 * @kd: the device, adopted
 * @claimed: opened (true) or closed (false)
 *
 * Context: Process context, the owner's lock held.
 */
void keepalive_device_claim(struct keepalive_device *kd, bool claimed)
{
	int i;

	for (i = 0; i < KEEPALIVE_DEVICE_NR_SLOTS; i++)
		if (slots[i] && slots[i]->claim)
			slots[i]->claim(kd, claimed);
}
EXPORT_SYMBOL_GPL(keepalive_device_claim);

/**
 * keepalive_device_refusal() - was every part of a recorded device handed over?
 * @kd: the device being adopted at enumeration
 * @buf: room for a slot's reason
 * @len: its size
 *
 * Context: Process context (PCI enumeration), the owner's lock held.
 * Return: NULL when every slot says its part is intact, else the first
 * slot's reason.
 */
const char *keepalive_device_refusal(struct keepalive_device *kd, char *buf,
				     size_t len)
{
	const char *why;
	int i;

	for (i = 0; i < KEEPALIVE_DEVICE_NR_SLOTS; i++) {
		if (!slots[i])
			return "a part of it has no participant";
		why = slots[i]->refusal ? slots[i]->refusal(kd, buf, len) : NULL;
		if (why)
			return why;
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(keepalive_device_refusal);

/**
 * keepalive_device_confined() - is @kd's DMA translated by handover tables?
 * @kd: a kept device, at kexec shutdown
 *
 * Never bus mastering without our translation in front: with no DMA
 * participant, nothing is confined.
 *
 * Context: Process context (device_shutdown()), the owner's lock held.
 * Return: true when the DMA slot says so.
 */
bool keepalive_device_confined(struct keepalive_device *kd)
{
	const struct keepalive_device_ops *dma = slots[KEEPALIVE_DEVICE_DMA];

	return dma && dma->confined && dma->confined(kd);
}
EXPORT_SYMBOL_GPL(keepalive_device_confined);
