// SPDX-License-Identifier: GPL-2.0
/*
 * nvme_vmm - the part of a VMM that keeps an NVMe controller across kexec.
 * See nvme_vmm.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "kt_util.h"
#include "nvme_vmm.h"

#define VMM_SEED	0x6b61

void vmm_token(int idx, uint8_t token[KEEPALIVE_TOKEN_SIZE])
{
	ka_token(token, VMM_SEED + idx);
}

void vmm_name(const struct vmm *v, const uint8_t *token, char *name,
	      size_t len)
{
	ka_reclaim_name(v->bdf, token, name, len);
}

static void file_name(const struct vmm *v, const char *what, char *buf,
		      size_t len)
{
	snprintf(buf, len, "nvme%d-%s", v->idx, what);
}

static int fail(const struct vmm *v, const char *what, int err)
{
	fprintf(stderr, "vmm %s: %s: %s\n", v->bdf, what, strerror(-err));
	return err;
}

void vmm_reset(struct vmm *v, int idx)
{
	memset(v, 0, sizeof(*v));
	v->idx = idx;
	v->dma_fd = -1;
	v->state_fd = -1;
	v->vdev.container = -1;
	v->vdev.group = -1;
	v->vdev.device = -1;
	for (int i = 0; i < NVME_VFIO_MAX_IRQS; i++)
		v->vdev.irq_fd[i] = -1;
	vmm_token(idx, v->token);
}

/* Map both files; the DMA file at VMM_DMA_IOVA. */
static int map_files(struct vmm *v)
{
	int ret;

	ret = nvme_vfio_mem_map(&v->mem, v->dma_fd, 0, VMM_DMA_SIZE,
				VMM_DMA_IOVA);
	if (ret)
		return fail(v, "mmap of the DMA file", ret);
	v->state = mmap(NULL, VMM_STATE_SIZE, PROT_READ | PROT_WRITE,
			MAP_SHARED, v->state_fd, 0);
	if (v->state == MAP_FAILED) {
		v->state = NULL;
		return fail(v, "mmap of the state file", -errno);
	}
	return 0;
}

int vmm_start(struct vmm *v, int kadev, int idx, bool irq)
{
	struct nvme_vfio_opts opts = { .irq = irq };
	char name[32];
	int ret;

	vmm_reset(v, idx);
	ret = kt_find_pci(0x1b36, 0x0010, idx, v->bdf, sizeof(v->bdf));
	if (ret)
		return fail(v, "no such NVMe controller", ret);
	ret = nvme_vfio_bind(v->bdf);
	if (ret < 0)
		return fail(v, "bind to vfio-pci", ret);
	file_name(v, "dma", name, sizeof(name));
	v->dma_fd = ka_memfd_create(kadev, name, VMM_DMA_SIZE, v->token);
	if (v->dma_fd < 0)
		return fail(v, "create the DMA file", v->dma_fd);
	file_name(v, "state", name, sizeof(name));
	v->state_fd = ka_memfd_create(kadev, name, VMM_STATE_SIZE, v->token);
	if (v->state_fd < 0)
		return fail(v, "create the state file", v->state_fd);
	ret = map_files(v);
	if (ret)
		return ret;
	ret = nvme_vfio_dev_open(&v->vdev, v->bdf, false);
	if (ret)
		return fail(v, "open", ret);
	if (irq) {
		ret = nvme_vfio_irq_enable(&v->vdev, 2);
		if (ret)
			return fail(v, "MSI-X", ret);
	}
	ret = nvme_vfio_init(&v->nv, &v->vdev, &v->mem, &opts);
	if (ret)
		return fail(v, "controller init", ret < 0 ? ret : -EIO);
	v->buf = nvme_vfio_alloc(&v->nv, VMM_CHUNK);
	return v->buf ? 0 : fail(v, "buffer", -ENOMEM);
}

int vmm_save(struct vmm *v)
{
	int ret = nvme_vfio_save(&v->nv, v->state, VMM_STATE_SIZE);

	return ret < 0 ? fail(v, "save", ret) : 0;
}

int vmm_keep(struct vmm *v, bool keep)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_keepalive ka;
	} f = {
		.hdr.argsz = sizeof(f),
		.hdr.flags = VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_KEEPALIVE,
		.ka.flags = keep ? VFIO_KEEPALIVE_KEEP : 0,
	};

	/* Unmarking needs the token too. */
	memcpy(f.ka.token, v->token, sizeof(f.ka.token));
	if (ioctl(v->vdev.device, VFIO_DEVICE_FEATURE, &f))
		return fail(v, "VFIO_DEVICE_FEATURE_KEEPALIVE", -errno);
	v->kept = keep;
	return 0;
}

void vmm_exit(struct vmm *v)
{
	/*
	 * A kept controller goes on with its DMA: its mappings must stay
	 * until the close, which hands them to keepalive's handover tables.
	 */
	if (v->nv.mapped && !v->kept)
		nvme_vfio_detach(&v->nv);
	nvme_vfio_dev_close(&v->vdev);
	nvme_vfio_mem_unmap(&v->mem);
	if (v->state)
		munmap(v->state, VMM_STATE_SIZE);
	v->state = NULL;
	if (v->dma_fd >= 0)
		close(v->dma_fd);
	if (v->state_fd >= 0)
		close(v->state_fd);
	v->dma_fd = -1;
	v->state_fd = -1;
}

int vmm_retrieve(struct vmm *v, int kadev, int idx)
{
	char fname[32];
	int ret;

	vmm_reset(v, idx);
	ret = kt_find_pci(0x1b36, 0x0010, idx, v->bdf, sizeof(v->bdf));
	if (ret)
		return fail(v, "no such NVMe controller", ret);
	file_name(v, "dma", fname, sizeof(fname));
	v->dma_fd = ka_memfd_retrieve(kadev, fname, v->token);
	if (v->dma_fd < 0)
		return fail(v, "retrieve the DMA file", v->dma_fd);
	file_name(v, "state", fname, sizeof(fname));
	v->state_fd = ka_memfd_retrieve(kadev, fname, v->token);
	if (v->state_fd < 0)
		return fail(v, "retrieve the state file", v->state_fd);
	return map_files(v);
}

static int attach(struct vmm *v, const char *name, bool map)
{
	char dname[128];
	int ret;

	if (!name) {
		vmm_name(v, v->token, dname, sizeof(dname));
		name = dname;
	}
	ret = nvme_vfio_dev_open(&v->vdev, name, false);
	if (ret)
		return fail(v, "open", ret);
	ret = (map ? nvme_vfio_restore : nvme_vfio_restore_unmapped)
		(&v->nv, &v->vdev, &v->mem, v->state, VMM_STATE_SIZE);
	if (ret) {
		nvme_vfio_dev_close(&v->vdev);
		return fail(v, "restore", ret);
	}
	if (!map) {
		ret = nvme_vfio_irq_enable(&v->vdev, 2);
		if (ret) {
			nvme_vfio_dev_close(&v->vdev);
			return fail(v, "MSI-X", ret);
		}
	}
	v->buf = nvme_vfio_alloc(&v->nv, VMM_CHUNK);
	return v->buf ? 0 : fail(v, "buffer", -ENOMEM);
}

int vmm_attach(struct vmm *v, const char *name)
{
	return attach(v, name, true);
}

int vmm_attach_unmapped(struct vmm *v, const char *name)
{
	return attach(v, name, false);
}

int vmm_map(struct vmm *v)
{
	int ret = nvme_vfio_map(&v->nv);

	return ret ? fail(v, "map the DMA file", ret) : 0;
}

int vmm_reclaim(struct vmm *v, int kadev, int idx, const char *name)
{
	return vmm_retrieve(v, kadev, idx) ?: vmm_attach(v, name);
}

int vmm_io(struct vmm *v, bool write, uint64_t lba, uint32_t nr,
	   uint64_t seed)
{
	uint32_t lbasz = v->nv.st.lba_size, per = VMM_CHUNK / lbasz, n, i;
	static uint8_t want[VMM_CHUNK];
	int ret;

	for (; nr; nr -= n, lba += n) {
		n = nr < per ? nr : per;
		for (i = 0; i < n; i++)
			ka_pattern(want + i * lbasz, lbasz, seed ^ (lba + i));
		if (write) {
			memcpy(v->buf, want, n * lbasz);
			ret = nvme_vfio_write(&v->nv, lba, n, v->buf);
		} else {
			memset(v->buf, 0, n * lbasz);
			ret = nvme_vfio_read(&v->nv, lba, n, v->buf);
		}
		if (ret)
			return fail(v, write ? "write" : "read",
				    ret < 0 ? ret : -EIO);
		if (!write && memcmp(v->buf, want, n * lbasz)) {
			fprintf(stderr, "vmm %s: LBA %llu..%llu: wrong data\n",
				v->bdf, (unsigned long long)lba,
				(unsigned long long)(lba + n - 1));
			return -EILSEQ;
		}
	}
	return 0;
}

int vmm_irq_io(struct vmm *v, uint64_t lba)
{
	int ret;

	if (!v->vdev.nr_irqs) {
		ret = nvme_vfio_irq_enable(&v->vdev, 2);
		if (ret)
			return fail(v, "MSI-X", ret);
	}
	nvme_vfio_irq_wait(&v->vdev, 1, 0);	/* drain */
	ret = nvme_vfio_submit_io(&v->nv, false, lba, 1, v->buf);
	if (ret < 0)
		return fail(v, "submit", ret);
	ret = nvme_vfio_irq_wait(&v->vdev, 1, 5000);
	if (ret <= 0)
		return fail(v, "no interrupt on MSI-X vector 1",
			    ret ? ret : -ETIMEDOUT);
	ret = nvme_vfio_complete_io(&v->nv, 0);
	return ret ? fail(v, "completion", ret < 0 ? ret : -EIO) : 0;
}
