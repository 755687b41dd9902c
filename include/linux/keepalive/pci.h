/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the PCI and vfio-pci hooks, called from
 * drivers/pci/ and drivers/vfio/pci/ (patches/) into vfio_keepalive/, each
 * a static inline no-op without CONFIG_KEEPALIVE_VFIO; and the core's
 * kept-device list (kho/devlist.c), a no-op without CONFIG_KEEPALIVE. See
 * Documentation/keepalive/participants.rst.
 */
#ifndef _LINUX_KEEPALIVE_PCI_H
#define _LINUX_KEEPALIVE_PCI_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <uapi/linux/keepalive.h>	/* VFIO_DEVICE_FEATURE_KEEPALIVE */

struct pci_dev;
struct vfio_device;

#if IS_ENABLED(CONFIG_KEEPALIVE_VFIO)
int keepalive_vfio_feature(struct vfio_device *device, u32 flags,
			   void __user *arg, size_t argsz);
bool keepalive_vfio_kept(struct pci_dev *pdev);
int keepalive_vfio_opening(struct pci_dev *pdev);
bool keepalive_vfio_closing(struct pci_dev *pdev);
int keepalive_vfio_match(struct pci_dev *pdev, const uuid_t *token);
int keepalive_vfio_may_reset_set(struct pci_dev *pdev);
void keepalive_pci_adopt(struct pci_dev *pdev);
bool keepalive_pci_keep_master(struct pci_dev *pdev);
#else
static inline int keepalive_vfio_feature(struct vfio_device *device,
					 u32 flags, void __user *arg,
					 size_t argsz)
{
	return -ENOTTY;
}

static inline bool keepalive_vfio_kept(struct pci_dev *pdev)
{
	return false;
}

static inline int keepalive_vfio_opening(struct pci_dev *pdev)
{
	return 0;
}

static inline bool keepalive_vfio_closing(struct pci_dev *pdev)
{
	return false;
}

static inline int keepalive_vfio_match(struct pci_dev *pdev,
				       const uuid_t *token)
{
	return 0;
}

static inline int keepalive_vfio_may_reset_set(struct pci_dev *pdev)
{
	return 0;
}

static inline void keepalive_pci_adopt(struct pci_dev *pdev)
{
}

static inline bool keepalive_pci_keep_master(struct pci_dev *pdev)
{
	return false;
}
#endif /* CONFIG_KEEPALIVE_VFIO */

#if IS_ENABLED(CONFIG_KEEPALIVE)
void keepalive_pci_enumerated(struct pci_dev *pdev);
void keepalive_pci_kept_claim(struct pci_dev *pdev);
void keepalive_pci_kept_stop(struct pci_dev *pdev, const char *why);
bool keepalive_pci_kept_unadopted(u32 segment, u32 bus, u32 devfn);
bool keepalive_pci_kept_at(unsigned int i, u32 *sbdf);
#else
static inline void keepalive_pci_enumerated(struct pci_dev *pdev)
{
}

static inline void keepalive_pci_kept_claim(struct pci_dev *pdev)
{
}

static inline void keepalive_pci_kept_stop(struct pci_dev *pdev,
					   const char *why)
{
}

static inline bool keepalive_pci_kept_unadopted(u32 segment, u32 bus,
						u32 devfn)
{
	return false;
}

static inline bool keepalive_pci_kept_at(unsigned int i, u32 *sbdf)
{
	return false;
}
#endif /* CONFIG_KEEPALIVE */

#endif /* _LINUX_KEEPALIVE_PCI_H */
