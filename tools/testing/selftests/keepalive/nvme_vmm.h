/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme_vmm - the part of a VMM that keeps an NVMe controller across kexec.
 *
 * What a VMM does with the keepalive uAPI around the nvme_vfio driver, for
 * the end-to-end test and the blackout benchmark:
 *
 *   first kernel                         next kernel
 *   vmm_start()   bind vfio-pci, open,   vmm_reclaim()  retrieve the files,
 *                 preserved files for                   open the device with
 *                 DMA and saved state,                  "BDF vf_token=UUID",
 *                 controller init                       map the DMA file at
 *   vmm_io()      reads and writes                      the same IOVA,
 *   vmm_save()    queue state into the                  restore the queues
 *                 state file                            (no admin command)
 *   vmm_keep()    VFIO_DEVICE_FEATURE_   vmm_io()       carry on
 *                 KEEPALIVE with the token
 *   vmm_exit()    the VMM goes away: every fd closes
 *
 * Controller @idx (the idx-th emulated NVMe) uses the files
 * "nvme<idx>-dma" and "nvme<idx>-state" and the token ka_token(SEED + idx).
 * Functions return 0 or -errno and say on stderr what failed.
 */
#ifndef NVME_VMM_H
#define NVME_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "ka_uapi.h"
#include "nvme_vfio.h"

#define VMM_DMA_SIZE	(2u << 20)
#define VMM_DMA_IOVA	0x40000000ULL
#define VMM_STATE_SIZE	4096u
#define VMM_CHUNK	(64u << 10)	/* bytes per I/O command */

struct vmm {
	int idx;
	char bdf[32];
	uint8_t token[KEEPALIVE_TOKEN_SIZE];
	struct nvme_vfio_dev vdev;
	struct nvme_vfio nv;
	struct nvme_vfio_mem mem;
	int dma_fd, state_fd;
	void *state;			/* the state file, mapped */
	uint8_t *buf;			/* VMM_CHUNK of the DMA file */
	bool kept;			/* marked: its DMA stays mapped */
};

/* An idle @v for controller @idx: no fd open, vmm_exit() does nothing. */
void vmm_reset(struct vmm *v, int idx);

/* The token of controller @idx, and its "BDF vf_token=UUID" name. */
void vmm_token(int idx, uint8_t token[KEEPALIVE_TOKEN_SIZE]);
void vmm_name(const struct vmm *v, const uint8_t *token, char *name,
	      size_t len);

/*
 * First kernel: bind controller @idx to vfio-pci, create its preserved
 * files, initialise it (reset, identify, I/O queue pair 1 with MSI-X
 * vector 1 when @irq).
 */
int vmm_start(struct vmm *v, int kadev, int idx, bool irq);
/* Save the queue state into the state file. */
int vmm_save(struct vmm *v);
/* Mark (@keep) or unmark the device with its token. */
int vmm_keep(struct vmm *v, bool keep);
/* The VMM exits: unmap DMA, close the device, group, container, files. */
void vmm_exit(struct vmm *v);

/*
 * Next kernel: retrieve the files, open the device as @name (NULL: with
 * its token), restore the queues. Returns what the open or the restore
 * said: -EPERM for a refused open, -ENODEV for a controller that is not
 * running any more. On failure everything is closed again, but the files
 * stay retrieved in @v (vmm_exit() closes them).
 */
int vmm_reclaim(struct vmm *v, int kadev, int idx, const char *name);
/*
 * vmm_reclaim() in its two steps: retrieve and map the files of controller
 * @idx; then open the device as @name (NULL: with its token) and restore
 * the queues. On failure what was retrieved stays in @v.
 */
int vmm_retrieve(struct vmm *v, int kadev, int idx);
int vmm_attach(struct vmm *v, const char *name);
/*
 * vmm_attach() that resumes before it maps (issue 25): open with the token,
 * restore the queues without mapping the DMA file, arm MSI-X again. The
 * controller's DMA goes through keepalive's handover tables meanwhile;
 * vmm_map() maps the DMA file afterwards, and only then can POST-RESUME
 * switch the device to the VMM's domain.
 */
int vmm_attach_unmapped(struct vmm *v, const char *name);
int vmm_map(struct vmm *v);

/*
 * Write (@write) or check @nr LBAs from @lba, the content derived from
 * @seed and each LBA. Checking returns -EILSEQ on a mismatch.
 */
int vmm_io(struct vmm *v, bool write, uint64_t lba, uint32_t nr,
	   uint64_t seed);

/* One read with MSI-X: 0 when vector 1 signalled its completion. */
int vmm_irq_io(struct vmm *v, uint64_t lba);

#endif /* NVME_VMM_H */
