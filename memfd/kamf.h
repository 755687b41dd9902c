/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: private header of preserved memory files.
 *
 * A preserved memory file is a named, physically contiguous piece of the
 * keepalive pool that a VMM maps (guest RAM, DMA queues, its own saved
 * state) and finds again by name after kexec, at the same physical
 * address with the same content. Creating or retrieving one needs
 * CAP_SYS_ADMIN and the file's token; only the token's SHA-256 is kept,
 * and only it is handed over.
 *
 *   registry.c     the files by name: create, retrieve, destroy, list,
 *                  and the quarantine of files still pinned for DMA
 *   file.c         a file's descriptor: read, write, mmap, layout
 *   hold.c         keepalive_memfd_hold() and friends, for the IOMMU
 *                  participant
 *   pin.c          keepalive_memfd_pin_user() and _unpin(), for vfio's
 *                  type1: a DMA mapping pinned a folio at a time
 *   record.c       a file's node in the handover image (abi/memfd.h):
 *                  written at STOP, read and checked at resume
 *   participant.c  the participant's callbacks and its registration
 *
 * memfd is the core's own participant: /dev/keepalive serves its ioctls
 * and keepalive_core_init() registers it, and its files live in the pool,
 * so it uses the core's private interfaces (kho/kho.h, kho/ioctl.h).
 *
 * Lock order: keepalive_sm.lock -> kamf_lock -> kamf_quarantine_lock.
 */
#ifndef _KEEPALIVE_KAMF_H
#define _KEEPALIVE_KAMF_H

#include <crypto/sha2.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include "../kho/kho.h"

struct vm_area_struct;

/**
 * struct keepalive_memfd - a preserved memory file
 * @ref: one for the registry, one per open file description, one per
 *	hold
 * @list: in kamf_list while registered, in kamf_quarantine after its
 *	last user went while some of its pages were still pinned
 * @name: unique name
 * @token_hash: SHA-256 of the token
 * @length: bytes
 * @phys: physical address of its contiguous memory
 * @va: kernel address of it
 * @incoming: handed over by the previous kernel
 * @retrieved: an incoming file that its owner retrieved
 * @holds: keepalive_memfd_hold()s not yet given back, under kamf_lock
 */
struct keepalive_memfd {
	struct kref ref;
	struct list_head list;
	char name[KEEPALIVE_NAME_MAX];
	u8 token_hash[SHA256_DIGEST_SIZE];
	u64 length;
	phys_addr_t phys;
	void *va;
	bool incoming;
	bool retrieved;
	unsigned int holds;
};

/* A file's node in the image: "file@<index>", any int index. */
#define KAMF_NODE_NAME_MAX	sizeof(KEEPALIVE_MEMFD_FILE_PREFIX "-2147483648")
/* Its "phys-ranges": one <phys length> pair of u64 cells. */
#define KAMF_RANGE_CELLS	2
/* The shortest "name" property: one byte and the NUL. */
#define KAMF_NAME_PROP_MIN	2

/* registry.c */
extern struct mutex kamf_lock;
extern struct list_head kamf_list;
void kamf_put(struct keepalive_memfd *mf);
void kamf_unregister(struct keepalive_memfd *mf);
struct keepalive_memfd *kamf_find(const char *name);

/* file.c */
int kamf_open_fd(struct keepalive_memfd *mf);
struct keepalive_memfd *kamf_vma(struct vm_area_struct *vma);

/* record.c */
int kamf_record_write(void *fdt, int parent, int index,
		      const struct keepalive_memfd *mf);
void kamf_record_adopt(const void *fdt, int node);

#endif /* _KEEPALIVE_KAMF_H */
