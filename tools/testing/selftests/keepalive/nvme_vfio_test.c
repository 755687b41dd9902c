// SPDX-License-Identifier: GPL-2.0
/*
 * nvme_vfio_test - the userspace NVMe driver (nvme_vfio.c) on the VM's
 * emulated controller, in one boot:
 *   - data written with a seeded pattern reads back (PRP1/PRP2/PRP lists);
 *   - an I/O CQ with interrupts signals its MSI-X eventfd;
 *   - the queue state saved and restored into a new context, with the
 *     memory mapped again at a new VA and the same IOVA, goes on with the
 *     same I/O queue pair and no admin command;
 *   - restore refuses a controller that was reset (the negative control),
 *     and what vfio-pci does to the controller when its fd is reopened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kt_util.h"
#include "nvme_vfio.h"

#define MEM_SIZE	0x100000
#define MEM_IOVA	0x10000000ULL
#define LBA0		1024		/* first LBA the tests write */

/* A pattern that depends on the seed, the LBA and the offset in it. */
static void pattern(void *buf, uint64_t lba, uint32_t nlb, uint32_t lbasz,
		    uint64_t seed)
{
	uint64_t *p = buf;
	size_t i, n = (size_t)nlb * lbasz / 8;

	for (i = 0; i < n; i++)
		p[i] = (seed ^ ((lba + i * 8 / lbasz) << 32 | (i * 8 % lbasz))) *
		       0x9e3779b97f4a7c15ULL;
}

/* Index of the first LBA of @buf that does not hold the pattern, or -1. */
static long mismatch(const void *buf, uint64_t lba, uint32_t nlb,
		     uint32_t lbasz, uint64_t seed)
{
	void *want = malloc((size_t)nlb * lbasz);
	long i, bad = -1;

	pattern(want, lba, nlb, lbasz, seed);
	for (i = 0; i < nlb && bad < 0; i++)
		if (memcmp((char *)buf + i * lbasz, (char *)want + i * lbasz,
			   lbasz))
			bad = i;
	free(want);
	return bad;
}

static uint64_t new_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec + getpid();
}

FIXTURE(nvme) {
	char bdf[32];
	struct nvme_vfio_dev dev;
	struct nvme_vfio_mem mem;	/* a MAP_SHARED mapping of memfd */
	int memfd;
	struct nvme_vfio nv;
	uint8_t saved[512];
};

FIXTURE_SETUP(nvme)
{
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, self->bdf,
				 sizeof(self->bdf)))
		TH_LOG("no emulated NVMe controller (1b36:0010)");
	ASSERT_LE(0, nvme_vfio_bind(self->bdf));
	/* A memfd stands for the preserved memory file of the kexec test. */
	self->memfd = memfd_create("nvme_vfio", MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, MEM_SIZE));
	ASSERT_EQ(0, nvme_vfio_mem_map(&self->mem, self->memfd, 0, MEM_SIZE,
				       MEM_IOVA));
	ASSERT_EQ(0, nvme_vfio_dev_open(&self->dev, self->bdf, false));
}

FIXTURE_TEARDOWN(nvme)
{
	nvme_vfio_dev_close(&self->dev);
	nvme_vfio_mem_unmap(&self->mem);
	close(self->memfd);
}

/* Transfer @nlb LBAs from @lba in commands of at most @chunk LBAs. */
static int rw_chunks(struct nvme_vfio *nv, bool write, uint64_t lba,
		     uint32_t nlb, uint32_t chunk, uint8_t *buf)
{
	uint32_t lbasz = nv->st.lba_size, i, n;
	uint8_t *p;
	int ret;

	for (i = 0; i < nlb; i += n) {
		n = nlb - i < chunk ? nlb - i : chunk;
		p = buf + (size_t)i * lbasz;
		ret = write ? nvme_vfio_write(nv, lba + i, n, p) :
			      nvme_vfio_read(nv, lba + i, n, p);
		if (ret)
			return ret;
	}
	return 0;
}

/* Write a seeded pattern over @nlb LBAs from @lba. */
static int write_chunks(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
			uint32_t chunk, uint8_t *buf, uint64_t seed)
{
	pattern(buf, lba, nlb, nv->st.lba_size, seed);
	return rw_chunks(nv, true, lba, nlb, chunk, buf);
}

static int read_chunks(struct nvme_vfio *nv, uint64_t lba, uint32_t nlb,
		       uint32_t chunk, uint8_t *buf)
{
	memset(buf, 0, (size_t)nlb * nv->st.lba_size);
	return rw_chunks(nv, false, lba, nlb, chunk, buf);
}

TEST(bind_idempotent)
{
	char bdf[32], path[128], drv[128];
	int grp;
	ssize_t n;

	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, bdf, sizeof(bdf)));
	grp = nvme_vfio_bind(bdf);
	ASSERT_LE(0, grp);
	ASSERT_EQ(grp, nvme_vfio_bind(bdf));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, drv, sizeof(drv) - 1);
	ASSERT_LT(0, n);
	drv[n] = '\0';
	ASSERT_NE(NULL, strstr(drv, "/vfio-pci"));
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	ASSERT_EQ(0, access(path, F_OK));
}

TEST_F(nvme, io_pattern)
{
	/* 256 LBAs in commands of 1 to 122 LBAs: one or two pages, or lists */
	static const uint32_t chunks[] = { 1, 3, 8, 9, 17, 32, 64, 122 };
	struct nvme_vfio *nv = &self->nv;
	uint64_t seed = new_seed(), lba = LBA0;
	uint8_t *wbuf, *rbuf;
	uint32_t lbasz, i;

	ASSERT_EQ(0, nvme_vfio_init(nv, &self->dev, &self->mem, NULL));
	lbasz = nv->st.lba_size;
	TH_LOG("%s: %u-byte LBAs, %llu LBAs, max transfer %u, doorbell stride %u",
	       self->bdf, lbasz, (unsigned long long)nv->st.nsze,
	       nv->st.max_xfer, nv->st.dstrd);
	/* Identify x2, Set Features, Create I/O CQ, Create I/O SQ. */
	ASSERT_EQ(5, nv->admin_cmds);
	ASSERT_EQ(2, nv->admin_op[0x06]);
	ASSERT_EQ(1, nv->admin_op[0x09]);
	ASSERT_EQ(1, nv->admin_op[0x05]);
	ASSERT_EQ(1, nv->admin_op[0x01]);
	ASSERT_EQ(1, self->dev.cc_writes);

	/* Both buffers off page alignment: PRP1 carries an offset. */
	wbuf = nvme_vfio_alloc(nv, 256 * lbasz + 4096);
	rbuf = nvme_vfio_alloc(nv, 256 * lbasz + 4096);
	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	wbuf += 512;
	rbuf += 1024;

	/* The disk must not hold this pattern yet, or the check is void. */
	ASSERT_EQ(0, nvme_vfio_read(nv, lba, 256, rbuf));
	ASSERT_EQ(0, mismatch(rbuf, lba, 256, lbasz, seed));

	pattern(wbuf, lba, 256, lbasz, seed);
	for (i = 0; i < ARRAY_SIZE(chunks); lba += chunks[i++])
		ASSERT_EQ(0, nvme_vfio_write(nv, lba, chunks[i],
					     wbuf + (lba - LBA0) * lbasz))
			TH_LOG("write of %u LBAs at %llu", chunks[i],
			       (unsigned long long)lba);
	ASSERT_EQ(LBA0 + 256, lba);

	/* One read of all (a PRP list), then LBA by LBA: 256 more commands. */
	memset(rbuf, 0, 256 * lbasz);
	ASSERT_EQ(0, nvme_vfio_read(nv, LBA0, 256, rbuf));
	ASSERT_EQ(-1, mismatch(rbuf, LBA0, 256, lbasz, seed));
	ASSERT_EQ(0, read_chunks(nv, LBA0, 256, 1, rbuf));
	ASSERT_EQ(-1, mismatch(rbuf, LBA0, 256, lbasz, seed));

	/* The I/O queue (16 entries) wrapped: phase tags were followed. */
	ASSERT_EQ(2 + ARRAY_SIZE(chunks) + 256, nv->io_cmds);
	ASSERT_EQ(nv->io_cmds % 16, nv->st.ioq.sq_tail);
	ASSERT_EQ(nv->io_cmds / 16 % 2 ? 0 : 1, nv->st.ioq.phase);
	ASSERT_EQ(5, nv->admin_cmds);
	ASSERT_EQ(0, nvme_vfio_shutdown(nv));
	ASSERT_EQ(0, nvme_vfio_rd32(&self->dev, NVME_REG_CSTS) & NVME_CSTS_RDY);
}

TEST_F(nvme, msix)
{
	struct nvme_vfio_opts opts = { .irq = true };
	struct nvme_vfio *nv = &self->nv;
	uint8_t *buf;
	int i;

	ASSERT_EQ(-EINVAL, nvme_vfio_init(nv, &self->dev, &self->mem, &opts));
	ASSERT_EQ(0, nvme_vfio_irq_enable(&self->dev, 2));
	ASSERT_EQ(0, nvme_vfio_init(nv, &self->dev, &self->mem, &opts));
	buf = nvme_vfio_alloc(nv, 64 * 1024);
	ASSERT_NE(NULL, buf);
	nvme_vfio_irq_wait(&self->dev, 1, 0);	/* drain */

	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, nvme_vfio_submit_io(nv, false, LBA0, 16, buf));
		ASSERT_LT(0, nvme_vfio_irq_wait(&self->dev, 1, 5000))
			TH_LOG("read %d: no interrupt on MSI-X vector 1", i);
		/* The CQE is there when the interrupt is: no polling needed. */
		ASSERT_EQ(0, nvme_vfio_complete_io(nv, 0));
	}
	/* Nothing in flight, nothing signalled. */
	ASSERT_EQ(0, nvme_vfio_irq_wait(&self->dev, 1, 200));
	ASSERT_EQ(0, nvme_vfio_shutdown(nv));
}

/* Init, write 64 LBAs, read them (21 commands: the 16-entry queue wraps). */
static void prime(struct __test_metadata *_metadata,
		  struct _test_data_nvme *self, uint64_t seed)
{
	struct nvme_vfio *nv = &self->nv;
	uint8_t *buf;
	uint32_t lbasz;

	ASSERT_EQ(0, nvme_vfio_init(nv, &self->dev, &self->mem, NULL));
	lbasz = nv->st.lba_size;
	buf = nvme_vfio_alloc(nv, 64 * lbasz);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, write_chunks(nv, LBA0, 64, 4, buf, seed));
	ASSERT_EQ(0, read_chunks(nv, LBA0, 64, 13, buf));
	ASSERT_EQ(-1, mismatch(buf, LBA0, 64, lbasz, seed));
	ASSERT_EQ(21, nv->io_cmds);
	ASSERT_EQ(5, nv->st.ioq.sq_tail);
	ASSERT_EQ(0, nv->st.ioq.phase);
	ASSERT_EQ((int)sizeof(nv->st),
		  nvme_vfio_save(nv, self->saved, sizeof(self->saved)));
	nvme_vfio_detach(nv);
}

TEST_F(nvme, save_restore)
{
	struct nvme_vfio nv2 = { 0 };
	struct nvme_vfio_mem mem2;
	uint64_t seed = new_seed(), seed2 = ~seed, cc_writes;
	uint8_t *buf;
	uint32_t lbasz;

	prime(_metadata, self, seed);
	lbasz = self->nv.st.lba_size;
	cc_writes = self->dev.cc_writes;

	/* A new context: same pages, another VA, same IOVA, fresh struct. */
	ASSERT_EQ(0, nvme_vfio_mem_map(&mem2, self->memfd, 0, MEM_SIZE,
				       MEM_IOVA));
	ASSERT_NE(self->mem.va, mem2.va);
	nvme_vfio_mem_unmap(&self->mem);
	self->mem = mem2;
	memset(&self->nv, 0xa5, sizeof(self->nv));

	ASSERT_EQ(0, nvme_vfio_restore(&nv2, &self->dev, &mem2, self->saved,
				       sizeof(self->saved)));
	ASSERT_EQ(0, memcmp(&nv2.st, self->saved, sizeof(nv2.st)));
	ASSERT_EQ(0, nv2.admin_cmds);
	ASSERT_EQ(cc_writes, self->dev.cc_writes);

	/* What stage 1 wrote reads back, through the same queue pair. */
	buf = nvme_vfio_alloc(&nv2, 64 * lbasz);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, read_chunks(&nv2, LBA0, 64, 64, buf));
	ASSERT_EQ(-1, mismatch(buf, LBA0, 64, lbasz, seed));
	/* New data, 32 commands: the queue wraps twice more. */
	ASSERT_EQ(0, write_chunks(&nv2, LBA0, 64, 2, buf, seed2));
	ASSERT_EQ(0, read_chunks(&nv2, LBA0, 64, 64, buf));
	ASSERT_EQ(-1, mismatch(buf, LBA0, 64, lbasz, seed2));
	ASSERT_EQ(34, nv2.io_cmds);
	ASSERT_EQ((5 + 34) % 16, nv2.st.ioq.sq_tail);
	ASSERT_EQ(0, nv2.st.ioq.phase);	/* (21 + 34) / 16 = 3 wraps */

	/* Zero admin commands and no controller configuration since. */
	ASSERT_EQ(0, nv2.admin_cmds);
	ASSERT_EQ(cc_writes, self->dev.cc_writes);
	nvme_vfio_detach(&nv2);
}

TEST_F(nvme, restore_rejects_reset_controller)
{
	struct nvme_vfio nv2 = { 0 };
	uint8_t bad[sizeof(self->saved)];

	prime(_metadata, self, new_seed());

	/* Wrong IOVA or a damaged state: refused before any access. */
	self->mem.iova += 1 << 20;
	ASSERT_EQ(-EINVAL, nvme_vfio_restore(&nv2, &self->dev, &self->mem,
					     self->saved, sizeof(self->saved)));
	self->mem.iova -= 1 << 20;
	memcpy(bad, self->saved, sizeof(bad));
	bad[0] ^= 1;
	ASSERT_EQ(-EINVAL, nvme_vfio_restore(&nv2, &self->dev, &self->mem,
					     bad, sizeof(bad)));

	/* The controller is reset behind the saved state's back. */
	ASSERT_EQ(0, nvme_vfio_disable(&self->dev));
	ASSERT_EQ(0, nvme_vfio_rd32(&self->dev, NVME_REG_CSTS) & NVME_CSTS_RDY);
	ASSERT_EQ(-ENODEV, nvme_vfio_restore(&nv2, &self->dev, &self->mem,
					     self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, nv2.admin_cmds);
	ASSERT_FALSE(nv2.mapped);
}

/*
 * What vfio-pci (6.1) does to a running controller when the device fd is
 * closed and opened again in the same boot: it resets the function (FLR)
 * in vfio_pci_core_disable() on close and in vfio_pci_core_enable() on
 * open, so the queues are gone and restore must refuse. These tests pin
 * that down; the in-boot save_restore test keeps the fd open instead.
 */
static void reopen_check(struct __test_metadata *_metadata,
			 struct _test_data_nvme *self, bool whole)
{
	struct nvme_vfio nv2 = { 0 };
	uint32_t cc, csts;

	prime(_metadata, self, new_seed());
	ASSERT_EQ(NVME_CC_EN, nvme_vfio_rd32(&self->dev, NVME_REG_CC) & 1);
	ASSERT_EQ(NVME_CC_EN, kt_pci_bar_rd32(self->bdf, 0, NVME_REG_CC) & 1);
	if (whole) {
		nvme_vfio_dev_close(&self->dev);
		/* Closed, before any reopen: the reset happened on close. */
		cc = kt_pci_bar_rd32(self->bdf, 0, NVME_REG_CC);
		csts = kt_pci_bar_rd32(self->bdf, 0, NVME_REG_CSTS);
		TH_LOG("closed: CC %#x CSTS %#x", cc, csts);
		ASSERT_EQ(0, cc & NVME_CC_EN);
		ASSERT_EQ(0, csts & NVME_CSTS_RDY);
		ASSERT_EQ(0, nvme_vfio_dev_open(&self->dev, self->bdf, false));
	} else {
		ASSERT_EQ(0, nvme_vfio_dev_reopen(&self->dev));
	}
	cc = nvme_vfio_rd32(&self->dev, NVME_REG_CC);
	csts = nvme_vfio_rd32(&self->dev, NVME_REG_CSTS);
	TH_LOG("reopened: CC %#x CSTS %#x", cc, csts);
	ASSERT_EQ(0, cc & NVME_CC_EN);
	ASSERT_EQ(0, csts & NVME_CSTS_RDY);
	ASSERT_EQ(-ENODEV, nvme_vfio_restore(&nv2, &self->dev, &self->mem,
					     self->saved, sizeof(self->saved)));
	ASSERT_EQ(0, nv2.admin_cmds);
}

TEST_F(nvme, reopen_device_fd_resets)
{
	reopen_check(_metadata, self, false);
}

TEST_F(nvme, close_resets)
{
	reopen_check(_metadata, self, true);
}

TEST_F(nvme, bar_pread_pwrite)
{
	struct nvme_vfio *nv = &self->nv;
	uint64_t seed = new_seed();
	struct nvme_vfio_mem anon;
	uint8_t *buf;

	/* BAR0 through pread/pwrite, memory from an anonymous mapping. */
	nvme_vfio_dev_close(&self->dev);
	ASSERT_EQ(0, nvme_vfio_dev_open(&self->dev, self->bdf, true));
	ASSERT_EQ(NULL, self->dev.bar);
	ASSERT_EQ(0, nvme_vfio_mem_anon(&anon, MEM_SIZE, MEM_IOVA));
	ASSERT_EQ(0, nvme_vfio_init(nv, &self->dev, &anon, NULL));
	buf = nvme_vfio_alloc(nv, 32 * nv->st.lba_size);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, write_chunks(nv, LBA0 + 512, 32, 32, buf, seed));
	ASSERT_EQ(0, read_chunks(nv, LBA0 + 512, 32, 32, buf));
	ASSERT_EQ(-1, mismatch(buf, LBA0 + 512, 32, nv->st.lba_size, seed));
	ASSERT_EQ(0, nvme_vfio_shutdown(nv));
	nvme_vfio_mem_unmap(&anon);
}

TEST_HARNESS_MAIN
