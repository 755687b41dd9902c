// SPDX-License-Identifier: GPL-2.0
/*
 * nvme_vfio - a small polled userspace NVMe driver over VFIO, see nvme_vfio.h.
 *
 * NVMe structures are little endian, like the x86 hosts this runs on, so
 * they are used as they are. Register and completion queue accesses go
 * through __atomic loads and stores so that the compiler neither merges nor
 * elides them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kt_util.h"
#include "nvme_vfio.h"

#define NV_MAGIC	0x6e766d65	/* "nvme" */
#define NV_VERSION	2
#define NV_PAGE		4096ULL		/* memory page size, CC.MPS = 0 */
#define NV_ALIGN(x)	(((x) + NV_PAGE - 1) & ~(NV_PAGE - 1))

/* Opcodes: admin, then NVM I/O. */
#define NV_ADM_CREATE_SQ	0x01
#define NV_ADM_CREATE_CQ	0x05
#define NV_ADM_IDENTIFY		0x06
#define NV_ADM_SET_FEATURES	0x09
#define NV_IO_WRITE		0x01
#define NV_IO_READ		0x02
#define NV_FEAT_NUM_QUEUES	0x07

/* Submission queue entry (64 bytes, CC.IOSQES = 6). */
struct nv_sqe {
	uint8_t opc, flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd, mptr, prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/* Completion queue entry (16 bytes, CC.IOCQES = 4). */
struct nv_cqe {
	uint32_t dw0, dw1;
	uint16_t sqhd, sqid, cid;
	uint16_t status;	/* bit 0: phase tag, 15:1: status field */
};

static uint64_t nv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Last component of the symlink /sys/bus/pci/devices/@bdf/@link. */
int nvme_vfio_bind(const char *bdf)
{
	char path[128], drv[64] = "", grp[16];
	uint64_t end;
	int ret;

	kt_pci_link(bdf, "driver", drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci")) {
		if (drv[0]) {
			snprintf(path, sizeof(path),
				 "/sys/bus/pci/devices/%s/driver/unbind", bdf);
			ret = kt_write_str(path, bdf);
			if (ret)
				return ret;
		}
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/driver_override", bdf);
		ret = kt_write_str(path, "vfio-pci");
		if (!ret)
			ret = kt_write_str("/sys/bus/pci/drivers_probe", bdf);
		if (ret)
			return ret;
		if (kt_pci_link(bdf, "driver", drv, sizeof(drv)) ||
		    strcmp(drv, "vfio-pci"))
			return -ENODEV;
	}
	ret = kt_pci_link(bdf, "iommu_group", grp, sizeof(grp));
	if (ret)
		return ret;
	/* devtmpfs creates the node asynchronously, without udev. */
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	for (end = nv_now_ms() + 2000; access(path, F_OK); usleep(10000))
		if (nv_now_ms() > end)
			return -ENOENT;
	return atoi(grp);
}

uint32_t nvme_vfio_rd32(struct nvme_vfio_dev *dev, uint32_t reg)
{
	uint32_t val;

	if (dev->bar)
		return __atomic_load_n((uint32_t *)(dev->bar + reg),
				       __ATOMIC_RELAXED);
	if (pread(dev->device, &val, 4, dev->bar_off + reg) != 4)
		return ~0U;
	return val;
}

/* 64-bit registers as two 32-bit accesses, low half first. */
uint64_t nvme_vfio_rd64(struct nvme_vfio_dev *dev, uint32_t reg)
{
	uint64_t lo = nvme_vfio_rd32(dev, reg);

	return lo | (uint64_t)nvme_vfio_rd32(dev, reg + 4) << 32;
}

void nvme_vfio_wr32(struct nvme_vfio_dev *dev, uint32_t reg, uint32_t val)
{
	if (dev->bar)
		__atomic_store_n((uint32_t *)(dev->bar + reg), val,
				 __ATOMIC_RELAXED);
	else if (pwrite(dev->device, &val, 4, dev->bar_off + reg) != 4)
		fprintf(stderr, "nvme_vfio: BAR0 write at %#x failed\n", reg);
}

static void nv_wr64(struct nvme_vfio_dev *dev, uint32_t reg, uint64_t val)
{
	nvme_vfio_wr32(dev, reg, val);
	nvme_vfio_wr32(dev, reg + 4, val >> 32);
}

static void nv_cc_write(struct nvme_vfio_dev *dev, uint32_t cc)
{
	dev->cc_writes++;
	nvme_vfio_wr32(dev, NVME_REG_CC, cc);
}

int nvme_vfio_cfg(struct nvme_vfio_dev *dev, bool write, unsigned int off,
		  void *buf, size_t len)
{
	ssize_t n = write ? pwrite(dev->device, buf, len, dev->cfg_off + off) :
			    pread(dev->device, buf, len, dev->cfg_off + off);

	return n == (ssize_t)len ? 0 : -EIO;
}

/* Get the device fd from the group; map BAR0; enable bus mastering. */
static int nv_dev_attach(struct nvme_vfio_dev *dev)
{
	struct vfio_region_info reg = {
		.argsz = sizeof(reg), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	uint16_t cmd;
	void *p;

	/* The name is passed as it is, "BDF vf_token=UUID" included. */
	dev->device = ioctl(dev->group, VFIO_GROUP_GET_DEVICE_FD, dev->name);
	if (dev->device < 0)
		return -errno;
	if (ioctl(dev->device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	dev->bar_off = reg.offset;
	dev->bar_size = reg.size;
	if (!dev->no_mmap && (reg.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 dev->device, reg.offset);
		dev->bar = p == MAP_FAILED ? NULL : p;
	}
	reg.argsz = sizeof(reg);
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(dev->device, VFIO_DEVICE_GET_REGION_INFO, &reg))
		return -errno;
	dev->cfg_off = reg.offset;

	/* vfio-pci clears Bus Master Enable whenever the device is opened. */
	if (nvme_vfio_cfg(dev, false, PCI_COMMAND, &cmd, sizeof(cmd)))
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	return nvme_vfio_cfg(dev, true, PCI_COMMAND, &cmd, sizeof(cmd));
}

static void nv_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void nv_dev_detach(struct nvme_vfio_dev *dev)
{
	int i;

	for (i = 0; i < NVME_VFIO_MAX_IRQS; i++)
		nv_close(&dev->irq_fd[i]);
	dev->nr_irqs = 0;
	if (dev->bar)
		munmap(dev->bar, dev->bar_size);
	dev->bar = NULL;
	nv_close(&dev->device);
}

int nvme_vfio_dev_open(struct nvme_vfio_dev *dev, const char *name,
		       bool no_mmap)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char bdf[64], grp[16], path[32];
	int i, type, ret;

	memset(dev, 0, sizeof(*dev));
	dev->container = -1;
	dev->group = -1;
	dev->device = -1;
	for (i = 0; i < NVME_VFIO_MAX_IRQS; i++)
		dev->irq_fd[i] = -1;
	dev->no_mmap = no_mmap;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	snprintf(bdf, sizeof(bdf), "%.*s", (int)strcspn(name, " "), name);

	ret = kt_pci_link(bdf, "iommu_group", grp, sizeof(grp));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	dev->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ret = -ENODEV;
	if (ioctl(dev->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		goto err;
	dev->group = open(path, O_RDWR | O_CLOEXEC);
	if (dev->group < 0) {
		ret = -errno;	/* EBUSY: the group is open elsewhere */
		goto err;
	}
	ret = -EBUSY;	/* another device of the group is not on vfio */
	if (ioctl(dev->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		goto err;
	type = ioctl(dev->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) ?
	       VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	if (ioctl(dev->group, VFIO_GROUP_SET_CONTAINER, &dev->container) ||
	    ioctl(dev->container, VFIO_SET_IOMMU, type)) {
		ret = -errno;
		goto err;
	}
	ret = nv_dev_attach(dev);
	if (!ret)
		return 0;
err:
	nvme_vfio_dev_close(dev);
	return ret;
}

int nvme_vfio_dev_reopen(struct nvme_vfio_dev *dev)
{
	nv_dev_detach(dev);
	return nv_dev_attach(dev);
}

void nvme_vfio_dev_close(struct nvme_vfio_dev *dev)
{
	nv_dev_detach(dev);
	nv_close(&dev->group);
	nv_close(&dev->container);
}

int nvme_vfio_irq_enable(struct nvme_vfio_dev *dev, int n)
{
	struct vfio_irq_info info = {
		.argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX,
	};
	char buf[sizeof(struct vfio_irq_set) + 4 * NVME_VFIO_MAX_IRQS];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t *fds = (int32_t *)set->data;
	int i;

	if (n < 1 || n > NVME_VFIO_MAX_IRQS || dev->nr_irqs)
		return -EINVAL;
	if (ioctl(dev->device, VFIO_DEVICE_GET_IRQ_INFO, &info))
		return -errno;
	if (info.count < (unsigned int)n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		dev->irq_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->irq_fd[i] < 0)
			return -errno;
		fds[i] = dev->irq_fd[i];
	}
	set->argsz = sizeof(*set) + 4 * n;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = 0;
	set->count = n;
	if (ioctl(dev->device, VFIO_DEVICE_SET_IRQS, set))
		return -errno;
	dev->nr_irqs = n;
	return 0;
}

int nvme_vfio_irq_wait(struct nvme_vfio_dev *dev, int vector, int timeout_ms)
{
	struct pollfd pfd = { .events = POLLIN };
	uint64_t count;
	int ret;

	if (vector < 0 || vector >= dev->nr_irqs)
		return -EINVAL;
	pfd.fd = dev->irq_fd[vector];
	ret = poll(&pfd, 1, timeout_ms);
	if (ret <= 0)
		return ret ? -errno : 0;
	if (read(pfd.fd, &count, sizeof(count)) != sizeof(count))
		return -errno;
	return count;
}

/* Wait for CSTS.RDY to become @rdy. */
static int nv_wait_rdy(struct nvme_vfio_dev *dev, bool rdy, uint32_t ms)
{
	uint64_t end = nv_now_ms() + ms;
	uint32_t csts;

	for (;;) {
		csts = nvme_vfio_rd32(dev, NVME_REG_CSTS);
		if (csts == ~0U)
			return -ENODEV;
		if (!!(csts & NVME_CSTS_RDY) == rdy)
			return 0;
		if (rdy && (csts & NVME_CSTS_CFS))
			return -EIO;
		if (nv_now_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

/* CAP.TO: worst case time for CSTS.RDY to change, in 500 ms units. */
static uint32_t nv_timeout_ms(struct nvme_vfio_dev *dev)
{
	uint32_t to = (nvme_vfio_rd64(dev, NVME_REG_CAP) >> 24) & 0xff;

	return (to ? to : 1) * 500;
}

int nvme_vfio_disable(struct nvme_vfio_dev *dev)
{
	uint32_t cc = nvme_vfio_rd32(dev, NVME_REG_CC);

	if (cc == ~0U)
		return -ENODEV;
	if (cc & NVME_CC_EN)
		nv_cc_write(dev, cc & ~NVME_CC_EN);
	return nv_wait_rdy(dev, false, nv_timeout_ms(dev));
}

int nvme_vfio_mem_map(struct nvme_vfio_mem *mem, int fd, uint64_t offset,
		      size_t size, uint64_t iova)
{
	int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED;
	void *va = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, offset);

	if (va == MAP_FAILED)
		return -errno;
	mem->va = va;
	mem->iova = iova;
	mem->size = size;
	return 0;
}

void nvme_vfio_mem_unmap(struct nvme_vfio_mem *mem)
{
	if (mem->va)
		munmap(mem->va, mem->size);
	mem->va = NULL;
}

static int nv_dma_map(struct nvme_vfio *nv)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)nv->mem.va,
		.iova = nv->mem.iova,
		.size = nv->mem.size,
	};

	if ((map.iova | map.size) & (NV_PAGE - 1))
		return -EINVAL;
	if (ioctl(nv->dev->container, VFIO_IOMMU_MAP_DMA, &map))
		return -errno;
	nv->mapped = true;
	return 0;
}

void nvme_vfio_detach(struct nvme_vfio *nv)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = nv->mem.iova,
		.size = nv->mem.size,
	};

	if (nv->mapped)
		ioctl(nv->dev->container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	nv->mapped = false;
}

int nvme_vfio_shutdown(struct nvme_vfio *nv)
{
	int ret = nvme_vfio_disable(nv->dev);

	nvme_vfio_detach(nv);
	return ret;
}

static void *nv_va(struct nvme_vfio *nv, uint64_t off)
{
	return (uint8_t *)nv->mem.va + off;
}

static uint64_t nv_iova(struct nvme_vfio *nv, uint64_t off)
{
	return nv->mem.iova + off;
}

/* Bump allocator: page aligned, zeroed; its top is part of the state. */
static int nv_alloc_off(struct nvme_vfio *nv, size_t size, uint64_t *off)
{
	uint64_t start = NV_ALIGN(nv->st.used);

	if (!size || start + NV_ALIGN(size) > nv->mem.size)
		return -ENOMEM;
	nv->st.used = start + NV_ALIGN(size);
	memset(nv_va(nv, start), 0, NV_ALIGN(size));
	*off = start;
	return 0;
}

void *nvme_vfio_alloc(struct nvme_vfio *nv, size_t size)
{
	uint64_t off;

	return nv_alloc_off(nv, size, &off) ? NULL : nv_va(nv, off);
}

static int nv_queue_alloc(struct nvme_vfio *nv, struct nvme_vfio_queue *q,
			  uint16_t qid, uint16_t size)
{
	q->qid = qid;
	q->size = size;
	/* A fresh CQ is zeroed: the controller posts phase 1 first. */
	q->phase = 1;
	if (nv_alloc_off(nv, size * sizeof(struct nv_sqe), &q->sq_off) ||
	    nv_alloc_off(nv, size * sizeof(struct nv_cqe), &q->cq_off))
		return -ENOMEM;
	return 0;
}

/*
 * Doorbells start at 0x1000 and are (4 << CAP.DSTRD) bytes apart: SQ y tail
 * is doorbell 2y, CQ y head is doorbell 2y + 1.
 */
static void nv_doorbell(struct nvme_vfio *nv, uint16_t qid, bool cq,
			uint16_t val)
{
	nvme_vfio_wr32(nv->dev, 0x1000 + (2 * qid + cq) * nv->st.dstrd, val);
}

/* Copy @cmd into the SQ, ring the tail doorbell; the command id. */
static int nv_submit(struct nvme_vfio *nv, struct nvme_vfio_queue *q,
		     struct nv_sqe *cmd)
{
	struct nv_sqe *sq = nv_va(nv, q->sq_off);
	uint16_t tail = (q->sq_tail + 1) % q->size;

	/* Full when the tail would catch up with the head. */
	if (tail == q->sq_head)
		return -EBUSY;
	cmd->cid = nv->st.cid++;
	sq[q->sq_tail] = *cmd;
	q->sq_tail = tail;
	/* The entry must be in memory before the controller sees the tail. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	nv_doorbell(nv, q->qid, false, tail);
	return cmd->cid;
}

/*
 * Poll the CQ head for command @cid. A CQE is new when its phase tag is the
 * queue's current phase; the controller inverts the tag on each pass over
 * the ring, so the expected phase flips whenever the head wraps to 0.
 */
static int nv_reap(struct nvme_vfio *nv, struct nvme_vfio_queue *q, int cid,
		   uint32_t *dw0, int timeout_ms)
{
	struct nv_cqe *cqe = (struct nv_cqe *)nv_va(nv, q->cq_off) + q->cq_head;
	uint64_t end = nv_now_ms() + timeout_ms;
	uint16_t status;

	for (;;) {
		status = __atomic_load_n(&cqe->status, __ATOMIC_ACQUIRE);
		if ((status & 1) == q->phase)
			break;
		if (nv_now_ms() > end)
			return -ETIMEDOUT;
		usleep(20);
	}
	if (dw0)
		*dw0 = cqe->dw0;
	q->sq_head = cqe->sqhd;
	if (++q->cq_head == q->size) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	nv_doorbell(nv, q->qid, true, q->cq_head);
	if (cqe->cid != cid)
		return -EIO;
	return status >> 1;
}

static int nv_admin(struct nvme_vfio *nv, struct nv_sqe *cmd, uint32_t *dw0)
{
	int cid = nv_submit(nv, &nv->st.aq, cmd);

	if (cid < 0)
		return cid;
	nv->admin_cmds++;
	nv->admin_op[cmd->opc]++;
	cid = nv_reap(nv, &nv->st.aq, cid, dw0, nv->st.timeout_ms);
	if (cid > 0)
		fprintf(stderr, "nvme_vfio: admin opcode %#x: status %#x\n",
			cmd->opc, cid);
	return cid > 0 ? -EIO : cid;
}

static int nv_identify(struct nvme_vfio *nv, uint32_t nsid, uint32_t cns)
{
	struct nv_sqe cmd = {
		.opc = NV_ADM_IDENTIFY, .nsid = nsid, .cdw10 = cns,
		.prp1 = nv_iova(nv, nv->st.id_off),
	};

	return nv_admin(nv, &cmd, NULL);
}

/* Create the CQ, then the SQ, of queue pair @q (physically contiguous). */
static int nv_create_ioq(struct nvme_vfio *nv, struct nvme_vfio_queue *q)
{
	struct nv_sqe cq = {
		.opc = NV_ADM_CREATE_CQ, .prp1 = nv_iova(nv, q->cq_off),
		.cdw10 = (q->size - 1) << 16 | q->qid,
		/* PC, and IEN with IV = 1 when interrupts are wanted */
		.cdw11 = nv->st.irq ? 1 << 16 | 1 << 1 | 1 : 1,
	};
	struct nv_sqe sq = {
		.opc = NV_ADM_CREATE_SQ, .prp1 = nv_iova(nv, q->sq_off),
		.cdw10 = (q->size - 1) << 16 | q->qid,
		.cdw11 = (uint32_t)q->qid << 16 | 1,	/* CQID, PC */
	};

	return nv_admin(nv, &cq, NULL) ?: nv_admin(nv, &sq, NULL);
}

int nvme_vfio_init(struct nvme_vfio *nv, struct nvme_vfio_dev *dev,
		   const struct nvme_vfio_mem *mem,
		   const struct nvme_vfio_opts *opts)
{
	struct nvme_vfio_opts o = { 0 };
	struct nvme_vfio_state *st = &nv->st;
	struct nv_sqe nq = {
		.opc = NV_ADM_SET_FEATURES, .cdw10 = NV_FEAT_NUM_QUEUES,
		.cdw11 = 0,	/* one SQ, one CQ: both counts are 0's based */
	};
	unsigned int mqes;
	uint8_t *id;
	uint64_t cap;
	int ret;

	if (opts)
		o = *opts;
	memset(nv, 0, sizeof(*nv));
	nv->dev = dev;
	nv->mem = *mem;
	cap = nvme_vfio_rd64(dev, NVME_REG_CAP);
	if (cap == ~0ULL)
		return -ENODEV;
	/* CAP.MPSMIN must allow 4 KiB pages: PRPs and queues assume them. */
	if ((cap >> 48) & 0xf)
		return -EOPNOTSUPP;
	mqes = (cap & 0xffff) + 1;	/* CAP.MQES is 0's based */
	o.aq_size = o.aq_size ? o.aq_size : 32;
	o.ioq_size = o.ioq_size ? o.ioq_size : 16;
	if (o.aq_size < 2 || o.ioq_size < 2 || o.aq_size > mqes ||
	    o.ioq_size > mqes || o.aq_size > 4096)
		return -EINVAL;
	/* A CQ on vector 1 is refused (Invalid Interrupt Vector) without it. */
	if (o.irq && dev->nr_irqs < 2)
		return -EINVAL;

	st->magic = NV_MAGIC;
	st->version = NV_VERSION;
	st->iova = mem->iova;
	st->size = mem->size;
	st->dstrd = 4 << ((cap >> 32) & 0xf);
	st->timeout_ms = nv_timeout_ms(dev);
	st->irq = o.irq;
	ret = nvme_vfio_disable(dev);
	if (ret)
		return ret;
	ret = nv_dma_map(nv);
	if (ret)
		return ret;
	if (nv_queue_alloc(nv, &st->aq, 0, o.aq_size) ||
	    nv_queue_alloc(nv, &st->ioq, 1, o.ioq_size) ||
	    nv_alloc_off(nv, NV_PAGE, &st->id_off) ||
	    nv_alloc_off(nv, NV_PAGE, &st->prp_off)) {
		ret = -ENOMEM;
		goto err;
	}

	/* AQA: ACQS in 27:16, ASQS in 11:0, both 0's based. */
	nvme_vfio_wr32(dev, NVME_REG_AQA, (o.aq_size - 1) << 16 | (o.aq_size - 1));
	nv_wr64(dev, NVME_REG_ASQ, nv_iova(nv, st->aq.sq_off));
	nv_wr64(dev, NVME_REG_ACQ, nv_iova(nv, st->aq.cq_off));
	/* CC: IOCQES 4 (16 B), IOSQES 6 (64 B), MPS 0 (4 KiB), CSS 0 (NVM). */
	nv_cc_write(dev, 4 << 20 | 6 << 16 | NVME_CC_EN);
	ret = nv_wait_rdy(dev, true, st->timeout_ms);
	if (ret)
		goto err;

	id = nv_va(nv, st->id_off);
	ret = nv_identify(nv, 0, 1);		/* CNS 1: controller */
	if (ret)
		goto err;
	/* MDTS (byte 77): max transfer, in units of 2^n minimum pages. */
	st->max_xfer = 512 * NV_PAGE;		/* one PRP list page */
	if (id[77] && id[77] < 9)
		st->max_xfer = NV_PAGE << id[77];
	st->nsid = 1;
	ret = nv_identify(nv, st->nsid, 0);	/* CNS 0: namespace */
	if (ret)
		goto err;
	/* NSZE at 0; FLBAS (26) picks an LBA format at 128, LBADS in 23:16. */
	memcpy(&st->nsze, id, sizeof(st->nsze));
	st->lba_size = 1U << id[128 + 4 * (id[26] & 0xf) + 2];
	if (!st->nsze || st->lba_size < 512) {
		ret = -ENODEV;
		goto err;
	}
	ret = nv_admin(nv, &nq, NULL) ?: nv_create_ioq(nv, &st->ioq);
	if (!ret)
		return 0;
err:
	nvme_vfio_detach(nv);
	return ret;
}

/*
 * PRP rules with 4 KiB pages: PRP1 may point anywhere in the first page
 * (dword aligned); when the transfer ends in the next page, PRP2 is that
 * page; beyond two pages PRP2 points to a PRP list of the remaining page
 * addresses, each page aligned. One list page (512 entries), no chaining.
 */
static int nv_prp(struct nvme_vfio *nv, const void *buf, size_t len,
		  struct nv_sqe *cmd)
{
	uint64_t off = (const uint8_t *)buf - (const uint8_t *)nv->mem.va;
	uint64_t *list = nv_va(nv, nv->st.prp_off);
	uint64_t first, iova, n, i;

	if ((uintptr_t)buf < (uintptr_t)nv->mem.va || off + len > nv->st.used ||
	    (off & 3))
		return -EINVAL;
	iova = nv_iova(nv, off);
	cmd->prp1 = iova;
	first = NV_PAGE - (iova & (NV_PAGE - 1));
	if (len <= first)
		return 0;
	iova += first;
	len -= first;
	if (len <= NV_PAGE) {
		cmd->prp2 = iova;
		return 0;
	}
	n = (len + NV_PAGE - 1) / NV_PAGE;
	if (n > NV_PAGE / 8)
		return -EINVAL;
	for (i = 0; i < n; i++)
		list[i] = iova + i * NV_PAGE;
	cmd->prp2 = nv_iova(nv, nv->st.prp_off);
	return 0;
}

int nvme_vfio_submit_io(struct nvme_vfio *nv, bool write, uint64_t lba,
			uint32_t nlb, void *buf)
{
	size_t len = (size_t)nlb * nv->st.lba_size;
	struct nv_sqe cmd = {
		.opc = write ? NV_IO_WRITE : NV_IO_READ, .nsid = nv->st.nsid,
		.cdw10 = lba, .cdw11 = lba >> 32,
		.cdw12 = nlb - 1,	/* NLB is 0's based */
	};
	int ret;

	if (nv->io_cmds != nv->io_done)
		return -EBUSY;
	if (!nlb || nlb > 0x10000 || len > nv->st.max_xfer ||
	    lba + nlb > nv->st.nsze)
		return -EINVAL;
	ret = nv_prp(nv, buf, len, &cmd);
	if (ret)
		return ret;
	ret = nv_submit(nv, &nv->st.ioq, &cmd);
	if (ret >= 0)
		nv->io_cmds++;
	return ret;
}

int nvme_vfio_submit_read_at(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
			     uint64_t iova)
{
	struct nv_sqe cmd = {
		.opc = NV_IO_READ, .nsid = nv->st.nsid,
		.cdw10 = lba, .cdw11 = lba >> 32,
		.cdw12 = nlb - 1,	/* NLB is 0's based */
		.prp1 = iova,
	};
	int ret;

	if (nv->io_cmds != nv->io_done)
		return -EBUSY;
	/* One page from @iova, which nothing needs to map. */
	if (!nlb || (uint64_t)nlb * nv->st.lba_size > NV_PAGE - (iova & (NV_PAGE - 1)) ||
	    lba + nlb > nv->st.nsze || (iova & 3))
		return -EINVAL;
	ret = nv_submit(nv, &nv->st.ioq, &cmd);
	if (ret >= 0)
		nv->io_cmds++;
	return ret;
}

int nvme_vfio_complete_io(struct nvme_vfio *nv, int timeout_ms)
{
	int ret;

	if (nv->io_cmds == nv->io_done)
		return -EINVAL;
	/* The command in flight is the last one submitted. */
	ret = nv_reap(nv, &nv->st.ioq, (uint16_t)(nv->st.cid - 1), NULL,
		      timeout_ms);
	if (ret != -ETIMEDOUT)
		nv->io_done++;
	return ret;
}

int nvme_vfio_read(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
		   void *buf)
{
	int ret = nvme_vfio_submit_io(nv, false, lba, nlb, buf);

	return ret < 0 ? ret : nvme_vfio_complete_io(nv, NVME_VFIO_TIMEOUT_MS);
}

int nvme_vfio_write(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
		    const void *buf)
{
	int ret = nvme_vfio_submit_io(nv, true, lba, nlb, (void *)buf);

	return ret < 0 ? ret : nvme_vfio_complete_io(nv, NVME_VFIO_TIMEOUT_MS);
}

int nvme_vfio_save(struct nvme_vfio *nv, void *buf, size_t len)
{
	if (len < sizeof(nv->st))
		return -ENOSPC;
	nv->st.inflight = nv->io_cmds != nv->io_done;
	memcpy(buf, &nv->st, sizeof(nv->st));
	return sizeof(nv->st);
}

int nvme_vfio_restore_unmapped(struct nvme_vfio *nv, struct nvme_vfio_dev *dev,
			       const struct nvme_vfio_mem *mem, const void *buf,
			       size_t len)
{
	const struct nvme_vfio_state *st = buf;
	uint32_t cc, csts;

	if (len < sizeof(*st) || st->magic != NV_MAGIC ||
	    st->version != NV_VERSION || st->iova != mem->iova ||
	    st->size != mem->size || st->used > mem->size)
		return -EINVAL;
	memset(nv, 0, sizeof(*nv));
	nv->dev = dev;
	nv->mem = *mem;
	nv->st = *st;
	nv->io_cmds = st->inflight;
	/* The only controller accesses: is it still enabled and ready? */
	csts = nvme_vfio_rd32(dev, NVME_REG_CSTS);
	cc = nvme_vfio_rd32(dev, NVME_REG_CC);
	if (csts == ~0U || !(cc & NVME_CC_EN) || !(csts & NVME_CSTS_RDY) ||
	    (csts & NVME_CSTS_CFS))
		return -ENODEV;
	return 0;
}

int nvme_vfio_map(struct nvme_vfio *nv)
{
	return nv_dma_map(nv);
}

int nvme_vfio_restore(struct nvme_vfio *nv, struct nvme_vfio_dev *dev,
		      const struct nvme_vfio_mem *mem, const void *buf,
		      size_t len)
{
	return nvme_vfio_restore_unmapped(nv, dev, mem, buf, len) ?:
	       nv_dma_map(nv);
}
