/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: private header of vfio_keepalive/.
 *
 * Lock order: keepalive_sm.lock (participant callbacks) -> vka_lock.
 */
#ifndef _KEEPALIVE_VKA_H
#define _KEEPALIVE_VKA_H

#include <crypto/sha2.h>
#include <linux/list.h>
#include <linux/mutex.h>

struct pci_dev;

/**
 * struct vka_kept - a device marked for keepalive in this kernel
 * @list: in vka_kept_list
 * @pdev: the device, with a reference held
 * @token_hash: SHA-256 of its token
 */
struct vka_kept {
	struct list_head list;
	struct pci_dev *pdev;
	u8 token_hash[SHA256_DIGEST_SIZE];
};

extern struct mutex vka_lock;
extern struct list_head vka_kept_list;
/* Set from PRE-STOP until ABORT or the kexec: no device comes or goes. */
extern bool vka_frozen;

void vka_unkeep_all(void);

#endif /* _KEEPALIVE_VKA_H */
