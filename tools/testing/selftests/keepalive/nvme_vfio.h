/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvme_vfio - a small polled userspace NVMe driver over VFIO, for tests.
 *
 * One admin queue pair and one I/O queue pair (qid 1), namespace 1, one
 * command in flight at a time. All DMA memory (queues, PRP list, identify
 * buffer, data buffers) is carved from one area that the caller provides at
 * a fixed IOVA, and the driver's whole queue state can be saved into a
 * caller buffer and restored later without touching the controller: no
 * register write and no admin command. This is what a kexec keepalive test
 * needs: save into a preserved memory file, kexec, restore, carry on with
 * the same I/O queue pair.
 *
 * Functions return 0 (or a value) on success and -errno on failure; NVMe
 * command functions return the NVMe status (0: success, else SCT << 8 | SC).
 */
#ifndef NVME_VFIO_H
#define NVME_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NVME_VFIO_MAX_IRQS	4
#define NVME_VFIO_TIMEOUT_MS	10000	/* one command, polled or by IRQ */

/* Controller registers (NVMe base spec, 3.1). */
#define NVME_REG_CAP	0x00
#define NVME_REG_VS	0x08
#define NVME_REG_CC	0x14
#define NVME_REG_CSTS	0x1c
#define NVME_REG_AQA	0x24
#define NVME_REG_ASQ	0x28
#define NVME_REG_ACQ	0x30
#define NVME_CC_EN	0x1
#define NVME_CSTS_RDY	0x1
#define NVME_CSTS_CFS	0x2

/* An open VFIO device: container, group, device, BAR0, MSI-X eventfds. */
struct nvme_vfio_dev {
	char name[128];			/* "BDF" or "BDF vf_token=UUID" */
	int container, group, device;
	uint8_t *bar;			/* BAR0 mmap, or NULL: pread/pwrite */
	uint64_t bar_off, bar_size;	/* BAR0 region in the device fd */
	uint64_t cfg_off;		/* config space region */
	bool no_mmap;			/* force the pread/pwrite path */
	int irq_fd[NVME_VFIO_MAX_IRQS];
	int nr_irqs;
	uint64_t cc_writes;		/* writes to CC by this library */
};

/*
 * A DMA memory area: @size bytes at @va, seen by the device at @iova. Any
 * mapping works: nvme_vfio_mem_anon() makes an anonymous one; a preserved
 * memory file is used the same way, with nvme_vfio_mem_map() (a MAP_SHARED
 * mmap of the fd), which is also how a later context maps the same pages
 * again at a new @va but the same @iova.
 */
struct nvme_vfio_mem {
	void *va;
	uint64_t iova;
	size_t size;
};

/* A queue pair; offsets are from the start of the memory area. */
struct nvme_vfio_queue {
	uint64_t sq_off, cq_off;
	uint16_t qid, size;		/* entries, the same for SQ and CQ */
	uint16_t sq_tail, sq_head;	/* sq_head as last reported (SQHD) */
	uint16_t cq_head;
	uint8_t phase;			/* phase tag of the next new CQE */
	uint8_t pad[5];
};

/* Everything nvme_vfio_save() writes, and restore reads back. */
struct nvme_vfio_state {
	uint32_t magic, version;
	uint64_t iova, size, used;	/* the area and its bump allocator */
	uint64_t prp_off, id_off;	/* PRP list page, identify buffer */
	struct nvme_vfio_queue aq, ioq;
	uint32_t dstrd;			/* doorbell stride: 4 << CAP.DSTRD */
	uint32_t timeout_ms;		/* from CAP.TO */
	uint32_t nsid, lba_size;
	uint64_t nsze;			/* namespace size in LBAs */
	uint32_t max_xfer;		/* bytes per command */
	uint16_t cid;			/* next command id */
	uint16_t irq;			/* I/O CQ signals MSI-X vector 1 */
	uint16_t inflight;		/* an I/O command (cid - 1) in flight */
};

struct nvme_vfio_opts {
	uint16_t aq_size;		/* admin queue entries (default 32) */
	uint16_t ioq_size;		/* I/O queue entries (default 16) */
	bool irq;			/* I/O CQ interrupts on vector 1: */
					/* nvme_vfio_irq_enable(dev, 2) first */
};

struct nvme_vfio {
	struct nvme_vfio_dev *dev;
	struct nvme_vfio_mem mem;
	struct nvme_vfio_state st;
	bool mapped;			/* mem is mapped for DMA */
	/* Counters of this context (not saved). */
	uint64_t admin_cmds;
	uint64_t io_cmds, io_done;	/* submitted, completed */
	uint64_t admin_op[256];		/* admin commands by opcode */
};

/*
 * Bind PCI function @bdf to vfio-pci (unbinding its driver, idempotent).
 * Return: its IOMMU group number, whose /dev/vfio/N exists.
 */
int nvme_vfio_bind(const char *bdf);

/* Open @name ("BDF" or "BDF vf_token=UUID") of a function on vfio-pci. */
int nvme_vfio_dev_open(struct nvme_vfio_dev *dev, const char *name,
		       bool no_mmap);
/* Close the device fd only and get it again (container, group kept). */
int nvme_vfio_dev_reopen(struct nvme_vfio_dev *dev);
/* Close every fd; the device is left as it is (vfio-pci may reset it). */
void nvme_vfio_dev_close(struct nvme_vfio_dev *dev);

uint32_t nvme_vfio_rd32(struct nvme_vfio_dev *dev, uint32_t reg);
uint64_t nvme_vfio_rd64(struct nvme_vfio_dev *dev, uint32_t reg);
void nvme_vfio_wr32(struct nvme_vfio_dev *dev, uint32_t reg, uint32_t val);
/* Read or write @len bytes of config space at @off (vfio's view of it). */
int nvme_vfio_cfg(struct nvme_vfio_dev *dev, bool write, unsigned int off,
		  void *buf, size_t len);

/* MSI-X vectors 0..@n-1 to eventfds; 0 or -errno. */
int nvme_vfio_irq_enable(struct nvme_vfio_dev *dev, int n);
/* Wait for @vector: its count (> 0), 0 on timeout, or -errno. */
int nvme_vfio_irq_wait(struct nvme_vfio_dev *dev, int vector, int timeout_ms);

/* Clear CC.EN and wait for CSTS.RDY = 0: a controller reset. */
int nvme_vfio_disable(struct nvme_vfio_dev *dev);

/* mmap @size bytes of @fd at @offset (MAP_SHARED), or anonymous if @fd < 0. */
int nvme_vfio_mem_map(struct nvme_vfio_mem *mem, int fd, uint64_t offset,
		      size_t size, uint64_t iova);
void nvme_vfio_mem_unmap(struct nvme_vfio_mem *mem);

static inline int nvme_vfio_mem_anon(struct nvme_vfio_mem *mem, size_t size,
				     uint64_t iova)
{
	return nvme_vfio_mem_map(mem, -1, 0, size, iova);
}

/*
 * Map @mem for DMA, reset and enable the controller, identify it and
 * namespace 1, create I/O queue pair 1. @opts may be NULL.
 */
int nvme_vfio_init(struct nvme_vfio *nv, struct nvme_vfio_dev *dev,
		   const struct nvme_vfio_mem *mem,
		   const struct nvme_vfio_opts *opts);
/* @size bytes, page aligned, from the memory area; NULL when full. */
void *nvme_vfio_alloc(struct nvme_vfio *nv, size_t size);

/* Submit a read or write of @nlb LBAs at @lba to/from @buf (in the area). */
int nvme_vfio_submit_io(struct nvme_vfio *nv, bool write, uint64_t lba,
			uint32_t nlb, void *buf);
/* Reap the completion of the command in flight: its status or -errno. */
/*
 * A read of @nlb blocks into one page at @iova, which need not be mapped
 * (a device write to 0xFEEx_xxxx is an interrupt request, never DMA).
 */
int nvme_vfio_submit_read_at(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
			     uint64_t iova);
int nvme_vfio_complete_io(struct nvme_vfio *nv, int timeout_ms);
int nvme_vfio_read(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
		   void *buf);
int nvme_vfio_write(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
		    const void *buf);

/*
 * Save the state into @buf: its size, or -ENOSPC. An I/O command may be
 * in flight: the restored context reaps it with nvme_vfio_complete_io().
 */
int nvme_vfio_save(struct nvme_vfio *nv, void *buf, size_t len);
/*
 * Take over a running controller from a saved state: map @mem (same IOVA,
 * any VA) for DMA and check CC.EN = 1, CSTS.RDY = 1 and CSTS.CFS = 0 (two
 * register reads). Nothing is written to the controller. -ENODEV when it
 * is not running, -EINVAL when @buf or @mem do not match. Counters start
 * at 0. MSI-X eventfds belong to @dev: enable them again on a new one.
 */
int nvme_vfio_restore(struct nvme_vfio *nv, struct nvme_vfio_dev *dev,
		      const struct nvme_vfio_mem *mem, const void *buf,
		      size_t len);
/*
 * nvme_vfio_restore() without the DMA mapping: for a device kept across
 * kexec, which goes on DMAing through keepalive's handover tables until
 * POST-RESUME switches it to this container's domain. The VMM resumes at
 * once and maps afterwards, with nvme_vfio_map(); POST-RESUME is refused
 * (EBUSY) until it has.
 */
int nvme_vfio_restore_unmapped(struct nvme_vfio *nv, struct nvme_vfio_dev *dev,
			       const struct nvme_vfio_mem *mem, const void *buf,
			       size_t len);
/* Map the restored area for DMA in the container: 0 or -errno. */
int nvme_vfio_map(struct nvme_vfio *nv);
/* Unmap the area from the IOMMU; the controller keeps running. */
void nvme_vfio_detach(struct nvme_vfio *nv);
/* Disable the controller, then detach. */
int nvme_vfio_shutdown(struct nvme_vfio *nv);

#endif /* NVME_VFIO_H */
