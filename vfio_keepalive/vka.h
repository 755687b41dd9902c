/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: private header of vfio_keepalive/.
 *
 * Lock order (outermost first):
 *   keepalive_sm.lock (participant callbacks) -> vka_lock
 *   vfio_group.device_lock (vfio-pci's match) -> vka_lock
 *   vfio_device_set.lock (vfio-pci's open and close, its slot or bus
 *     resets) -> vka_lock
 *   the device lock (the driver core's unbind notification, notify.c)
 *     -> vka_lock
 *   vka_lock -> the core's devlist_lock (adoption at enumeration)
 * vka_lock is never held while taking a device lock, calling into the
 * driver core or copying user memory: ABORT and CONCLUDE collect what they
 * reset under vka_lock and reset it after dropping the lock, and
 * CONCLUDE's release work reprobes each device off every keepalive lock.
 */
#ifndef _KEEPALIVE_VKA_H
#define _KEEPALIVE_VKA_H

#include <crypto/sha2.h>
#include <linux/keepalive/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/uuid.h>

/**
 * struct vka_kept - a device kept alive, in this kernel or from the last
 * @list: in vka_kept_list
 * @kd: the kept device (its pci_dev, with a reference held, whether it was
 *	adopted, and the other participants' parts of it)
 * @token_hash: SHA-256 of its token
 * @reclaimed: adopted, and a VMM presented the token
 * @open: a vfio fd of the device is open (vfio-pci's first open to its
 *	last close). Every open of a kept device presents its token
 *	(keepalive_vfio_match()); a device is marked while it is open.
 * @releasing: CONCLUDE is resetting and releasing it (adopted, and not
 *	open at CONCLUDE): every open is refused until it is off the list
 *
 * Every entry holds a runtime PM reference, so that vfio-pci never idles
 * the device in D3hot while it is kept. A marked or reclaimed entry also
 * holds a pci_enable_device() reference (vka_enabled()), so that the close
 * of the VMM's fds does not turn bus mastering off; an adopted entry takes
 * it when it is reclaimed.
 */
struct vka_kept {
	struct list_head list;
	struct keepalive_device kd;
	u8 token_hash[SHA256_DIGEST_SIZE];
	bool reclaimed;
	bool open;
	bool releasing;
};

/* Does @k hold a pci_enable_device() reference? */
static inline bool vka_enabled(const struct vka_kept *k)
{
	return !k->kd.adopted || k->reclaimed;
}

/**
 * struct vka_record - a device recorded by the previous kernel
 * @segment: PCI segment (domain)
 * @bus: bus number
 * @devfn: device and function
 * @vendor_device: vendor << 16 | device
 * @class: 24-bit class code
 * @command: PCI command register at STOP
 * @bars: start of each standard BAR
 * @bar_types: type of each, KEEPALIVE_VFIO_BAR_* (vka_bar_type())
 * @token_hash: SHA-256 of the token
 * @malformed: where the device is could be read, the rest could not: the
 *	device is reset when it is enumerated (not written, only read)
 * @seen: the device was enumerated (not written, only read)
 */
struct vka_record {
	u32 segment, bus, devfn;
	u32 vendor_device, class, command;
	u64 bars[PCI_STD_NUM_BARS];
	u8 bar_types[PCI_STD_NUM_BARS];
	u8 token_hash[SHA256_DIGEST_SIZE];
	bool malformed;
	bool seen;
};

struct keepalive_participant;
struct vfio_device;

extern struct mutex vka_lock;
extern struct list_head vka_kept_list;
extern struct keepalive_participant vka_participant;

/* capture.c: the first kernel */
struct vka_kept *vka_find(struct pci_dev *pdev);
void vka_drop(struct vka_kept *k);
void vka_unkeep_all(void);
void vka_reset_put(struct pci_dev **pdevs, unsigned int n);
int vka_stop_record(void *fdt, int node);
extern const struct keepalive_device_owner vka_owner;
int vka_feature(struct vfio_device *device, u32 flags, void __user *arg,
		size_t argsz);
int vka_match(struct pci_dev *pdev, const uuid_t *token);
bool vka_is_kept(struct pci_dev *pdev);
int vka_opening(struct pci_dev *pdev);
bool vka_closing(struct pci_dev *pdev);
int vka_may_reset_set(struct pci_dev *pdev);
bool vka_keep_master(struct pci_dev *pdev);

/* record.c: abi/vfio.h, both ways */
u8 vka_bar_type(unsigned long flags);
void vka_record_fill(const struct vka_kept *k, struct vka_record *r);
int vka_record_write(void *fdt, int parent, const struct vka_record *r);
int vka_records_parse(const void *fdt, int node, struct vka_record **out,
		      unsigned int *nr);
bool vka_records_name(const void *fdt, int node, struct pci_dev *pdev);
const char *vka_record_mismatch(struct pci_dev *pdev,
				const struct vka_record *r, char *buf,
				size_t len);

/* adopt.c: the next kernel */
int vka_records_load(const void *fdt, int node, const char *refuse);
void vka_adopt(struct pci_dev *pdev);
void vka_conclude(void);

/* fault.c: test hook */
int vka_corrupt(struct keepalive_participant *p, void *fdt, int node,
		const char *what);

#endif /* _KEEPALIVE_VKA_H */
