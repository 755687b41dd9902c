// SPDX-License-Identifier: GPL-2.0
/*
 * safety_test - what keeps others away from a kept device and its memory
 * (Documentation/keepalive/security.rst). Scenarios
 * (kt_scenario=):
 *
 * devmem  One kernel: /dev/mem (as distributions build it, STRICT_DEVMEM)
 *         can neither read nor map the pool: its header page, the
 *         handover image, or a preserved file's pages. The control reads
 *         the legacy BIOS area through the same /dev/mem.
 * kdump   Two kernels: a controller is kept and STOP reached, and the next
 *         kernel is booted as a kdump kernel would be (elfcorehdr= on its
 *         command line): it refuses the handover, saying why, and adopts
 *         nothing.
 * owner   One kernel, six ways around the token, the locks and the
 *         memory's lifetime:
 *         - a marked controller its VMM closed opens only with its token
 *           (EPERM without one or with another), and with it the queues
 *           are intact;
 *         - ABORT stops (bus master off) and resets a marked controller
 *           its VMM had closed: it never runs on unowned;
 *         - a mark whose argument sits in a userfaultfd page nobody
 *           serves holds no lock: PREPARE and PRE-STOP go through while
 *           it waits;
 *         - a preserved file's physical layout needs CAP_SYS_ADMIN, not
 *           just its fd;
 *         - a file mapped for DMA in a vfio container cannot be destroyed
 *           (EBUSY) until it is unmapped there;
 *         - a file that a kept controller's handover translation maps
 *           (its VMM exited, so nothing pins it) cannot be destroyed;
 *         - a file destroyed, then mapped for DMA through a descriptor
 *           still open, and closed, does not give its memory back to the
 *           pool while the container maps it: the next file is placed
 *           elsewhere, and after the unmap the memory is reused.
 * reset   One kernel, the controller behind a PCIe root port (so that
 *         vfio-pci can reset its bus): VFIO_DEVICE_PCI_HOT_RESET of a
 *         kept controller is refused with EBUSY, its queues running; the
 *         control, unmarked, is reset by the same call.
 * attach  Two kernels: a controller kept with a read in flight; in the
 *         next kernel an intruder, without the token, opens its group,
 *         attaches a container and maps the very same preserved file at
 *         the same IOVA (a group attach needs no token in vfio). Its
 *         device open is refused, and POST-RESUME does not switch the
 *         controller to the intruder's domain (it stays on its handover
 *         tables); CONCLUDE resets it, nobody having reclaimed it.
 * nextkernel One kernel: only a kernel whose boot note says it reads this
 *         handover may be loaded once one is sealed. With a controller
 *         kept and STOP reached, kexec_file_load() refuses a copy of the
 *         next kernel without its note (ENOEXEC: a kernel built without
 *         keepalive) and one whose note names another handover format
 *         (EPROTO), and the controller runs on, the preserved file
 *         intact. With such a kernel loaded first, STOP is refused. The
 *         real kernel loads, and STOP goes through.
 * nextcmdline One kernel: a next kernel whose command line turns the
 *         IOMMU off (intel_iommu=off) would turn translation off under a
 *         kept controller. With one kept and STOP reached,
 *         kexec_file_load() of the next kernel with intel_iommu=off
 *         appended is refused (EPERM), and the controller runs on; the
 *         same kernel with its command line as it is loads. Loaded first
 *         with intel_iommu=off, STOP is refused (EPERM); loaded again
 *         without it, STOP goes through.
 * nextnote One kernel: a next kernel built without the vfio participant
 *         (a copy of the next kernel with the vfio compatible taken out of
 *         its boot note's participants) could not adopt a kept
 *         controller. With one kept and STOP reached, kexec_file_load()
 *         refuses it (EPROTO, the log naming the missing compatible), and
 *         the controller runs on; the unmodified kernel loads. Loaded
 *         first, STOP is refused (EPROTO); the real kernel loaded, STOP
 *         goes through.
 * conclude Two kernels: nobody reclaims the controller, and an intruder
 *         without the token tries to open it again and again, from before
 *         CONCLUDE until it is released: every open is refused (EPERM,
 *         then EBUSY while it is reset and released), and CONCLUDE does
 *         not wait on the intruder.
 * plainkernel Two kernels, the second built without keepalive from the
 *         same tree (scripts/plainkernel.sh, given as /ka/user/bzImage):
 *         with a controller kept and STOP reached, kexec_file_load()
 *         refuses that kernel (ENOEXEC: it has no boot note) and the
 *         controller runs on; ABORT stops it; the harness then kexecs
 *         into that kernel from RUNNING. There the pool is still reserved
 *         in the E820 map, a preserved file's bytes (read through
 *         /dev/mem, which that kernel does not fence) are unchanged, and
 *         the controller was not kept.
 * vmmdies Two kernels: the VMM reclaims the controller with its token,
 *         POST-RESUME switches it to the VMM's domain, and the VMM exits
 *         before CONCLUDE: its close stops the controller at once (its
 *         translation, the VMM's domain, goes with the VMM), and
 *         CONCLUDE does not hand it over to anyone.
 * reopen  One kernel, a kept controller its VMM closed (held on its
 *         handover translation and interrupt hold):
 *         - fail-nth on the reopen path: for n = 1, 2, ... its VMM opens
 *           it again with its token while the n-th fault-injection point
 *           fails, until one n does not fire. Each failed open returns
 *           the injected errno and leaves the controller as it was: bus
 *           master on, still held (debugfs "irq", no "released" line of
 *           its translation or interrupts), not open. The open that no
 *           fault fails restores the queues, and I/O goes on with no
 *           admin command;
 *         - an open from PRE-STOP on is refused (EBUSY, "the handover is
 *           frozen"), and STOP goes through with the controller still
 *           held (no WARN: the harness fails a run on one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <linux/vfio.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/kexec.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The handover image's ABI is not a uAPI header: its userspace builders
 * provide __packed (include/linux/keepalive/abi/core.h).
 */
#define __packed	__attribute__((__packed__))
#include <linux/keepalive/abi/vfio.h>

#include "ka_uapi.h"
#include "kt_harness.h"
#include "nvme_vmm.h"

/* No state: each test opens what it needs. */
FIXTURE(sf)
{
	char unused;
};

FIXTURE_SETUP(sf)
{
}

FIXTURE_TEARDOWN(sf)
{
}

/* The scenarios above: which of the tests below each runs. */
FIXTURE_VARIANT(sf)
{
	bool devmem;
	bool kdump;
	bool kept_to_stop;	/* stage 1: a controller kept, STOP */
	bool owner;
	bool reopen;
	bool reset;
	bool attach;
	bool conclude;
	bool vmmdies;
	bool nextkernel;
	bool nextcmdline;
	bool nextnote;
	bool plainkernel;
};

FIXTURE_VARIANT_ADD(sf, devmem) { .devmem = true, };
FIXTURE_VARIANT_ADD(sf, kdump) { .kdump = true, };
FIXTURE_VARIANT_ADD(sf, owner) { .owner = true, };
FIXTURE_VARIANT_ADD(sf, reopen) { .reopen = true, };
FIXTURE_VARIANT_ADD(sf, reset) { .reset = true, };
FIXTURE_VARIANT_ADD(sf, attach) { .kept_to_stop = true, .attach = true, };
FIXTURE_VARIANT_ADD(sf, conclude) { .kept_to_stop = true, .conclude = true, };
FIXTURE_VARIANT_ADD(sf, vmmdies) { .kept_to_stop = true, .vmmdies = true, };
FIXTURE_VARIANT_ADD(sf, nextkernel) { .nextkernel = true, };
FIXTURE_VARIANT_ADD(sf, nextcmdline) { .nextcmdline = true, };
FIXTURE_VARIANT_ADD(sf, nextnote) { .nextnote = true, };
FIXTURE_VARIANT_ADD(sf, plainkernel) { .plainkernel = true, };

static unsigned long long read_pool_phys(void)
{
	char val[32];

	return kt_read_line("/sys/kernel/keepalive/pool_phys", val, sizeof(val)) ?
	       0 : strtoull(val, NULL, 0);
}

/* 0 when /dev/mem gave @len bytes at @phys into @buf, or -errno. */
static int devmem_read_buf(unsigned long long phys, void *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, phys);
	err = errno;
	close(fd);
	return n == (ssize_t)len ? 0 : n < 0 ? -err : -EIO;
}

/* 0 when /dev/mem gave @len (at most a page) bytes at @phys, or -errno. */
static int devmem_read(unsigned long long phys, size_t len)
{
	char buf[4096];

	return devmem_read_buf(phys, buf, len);
}

static int devmem_map(unsigned long long phys)
{
	void *p;
	int fd, err = 0;

	fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, phys);
	if (p == MAP_FAILED)
		err = -errno;
	else
		munmap(p, 4096);
	close(fd);
	return err;
}

TEST_F(sf, devmem_refused)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE] = { 0x5a };
	unsigned long long phys = read_pool_phys();
	long long size = ka_sysfs_num("pool_size");
	int kadev, fd;

	if (!variant->devmem || kt_stage() != 1)
		SKIP(return, "scenario devmem, stage 1 only");
	ASSERT_NE(0, phys);
	ASSERT_LT(0, size);
	/* Control: /dev/mem works, where it may. */
	ASSERT_EQ(0, devmem_read(0xf0000, 4096));
	/* A preserved file somewhere in the pool, and an image (STOP). */
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	fd = ka_memfd_create(kadev, "devmem", 1 << 20, token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EPERM, devmem_read(phys, 4096))
		TH_LOG("the pool's header page is readable through /dev/mem");
	ASSERT_EQ(-EPERM, devmem_read(phys + 4096, 4096));
	ASSERT_EQ(-EPERM, devmem_read(phys + size - 4096, 4096));
	ASSERT_EQ(-EPERM, devmem_map(phys));
	ASSERT_EQ(-EPERM, devmem_map(phys + size / 2));
	close(fd);
	close(kadev);
}

/*
 * @v runs controller 0, writes 16 LBAs from @seed, marks it kept and saves
 * its queues; its fds stay open.
 */
static void start_kept(struct __test_metadata *_metadata, int kadev,
		       struct vmm *v, uint64_t seed)
{
	ASSERT_EQ(0, vmm_start(v, kadev, 0, false));
	ASSERT_EQ(0, vmm_io(v, true, 0, 16, seed));
	ASSERT_EQ(0, vmm_keep(v, true));
	ASSERT_EQ(0, vmm_save(v));
}

/*
 * Stage 1 of the two-kernel scenarios, and the start of nextkernel: @v
 * runs controller 0, writes, marks it kept, saves and exits; PREPARE,
 * PRE-STOP, STOP.
 */
static void keep_to_stop(struct __test_metadata *_metadata, int kadev,
			 struct vmm *v)
{
	start_kept(_metadata, kadev, v, 7);
	vmm_exit(v);
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PREPARE, NULL));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PRE_STOP, NULL));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_STOP, NULL));
}

/* Stage 1, kdump: a controller kept, STOP, the next kernel a kdump one. */
TEST_F(sf, kdump_handover)
{
	struct vmm v;
	int kadev;

	if (!variant->kdump || kt_stage() != 1)
		SKIP(return, "scenario kdump, stage 1 only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	keep_to_stop(_metadata, kadev, &v);
	/* What makes a kernel a kdump kernel (is_kdump_kernel()). */
	ASSERT_EQ(0, kt_cmdline_append("elfcorehdr=0x1000"));
	close(kadev);
}

/* Stage 2, kdump: refused, nothing adopted. */
TEST_F(sf, kdump_refuses)
{
	char status[160];

	if (!variant->kdump || kt_stage() != 2)
		SKIP(return, "scenario kdump, stage 2 only");
	ASSERT_NE(NULL, strstr(kt_klog(), "a kdump kernel never accepts a handover"))
		TH_LOG("the kdump kernel took the handover");
	ASSERT_EQ(NULL, strstr(kt_klog(), "keepalive: adopted"));
	ASSERT_EQ(0, kt_read_line("/sys/kernel/keepalive/handover", status,
				  sizeof(status)));
	ASSERT_NE(NULL, strstr(status, "rejected")) TH_LOG("handover: %s", status);
}

/* Stage 1 of the two-kernel scenarios: a controller kept, STOP. */
TEST_F(sf, kept_to_stop)
{
	struct vmm v;
	int kadev;

	if (!variant->kept_to_stop || kt_stage() != 1)
		SKIP(return, "scenarios attach, vmmdies and conclude, stage 1 only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	keep_to_stop(_metadata, kadev, &v);
	close(kadev);
}

static bool master_on(const char *bdf)
{
	int cmd = kt_pci_command(bdf, 0);

	return cmd > 0 && (cmd & PCI_COMMAND_MASTER);
}

/* The one-kernel scenarios run one after the other: free the VMM's files. */
static int destroy_files(int kadev, const struct vmm *v)
{
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "nvme%d-dma", v->idx);
	ret = ka_memfd_destroy(kadev, name, v->token);
	snprintf(name, sizeof(name), "nvme%d-state", v->idx);
	return ret ?: ka_memfd_destroy(kadev, name, v->token);
}

/* owner: a marked controller its VMM closed opens only with its token. */
TEST_F(sf, owner_open_needs_token)
{
	uint8_t other[KEEPALIVE_TOKEN_SIZE];
	char name[128];
	struct vmm v;
	int kadev;

	if (!variant->owner)
		SKIP(return, "scenario owner only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	start_kept(_metadata, kadev, &v, 11);
	nvme_vfio_dev_close(&v.vdev);	/* the files stay mapped */
	ASSERT_TRUE(master_on(v.bdf));

	ASSERT_EQ(-EPERM, nvme_vfio_dev_open(&v.vdev, v.bdf, false))
		TH_LOG("a kept controller opened without its token");
	memcpy(other, v.token, sizeof(other));
	other[3] ^= 0x40;
	ka_reclaim_name(v.bdf, other, name, sizeof(name));
	ASSERT_EQ(-EPERM, nvme_vfio_dev_open(&v.vdev, name, false));
	ASSERT_NE(NULL, strstr(kt_klog(), "wrong token: open refused"));
	ASSERT_TRUE(master_on(v.bdf));

	/* Its token: the same queues, no admin command. */
	ASSERT_EQ(0, vmm_attach(&v, NULL));
	ASSERT_EQ(0, vmm_io(&v, false, 0, 16, 11));
	ASSERT_EQ(0, v.nv.admin_cmds);
	ASSERT_EQ(0, vmm_keep(&v, false));
	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* owner: ABORT stops and resets a kept controller nobody holds open. */
TEST_F(sf, owner_abort_stops_closed)
{
	struct keepalive_transition t;
	struct vmm v;
	int kadev;

	if (!variant->owner)
		SKIP(return, "scenario owner only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_start(&v, kadev, 0, false));
	ASSERT_EQ(0, vmm_keep(&v, true));
	ASSERT_EQ(0, vmm_save(&v));
	nvme_vfio_dev_close(&v.vdev);
	ASSERT_TRUE(master_on(v.bdf));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));
	ASSERT_FALSE(master_on(v.bdf))
		TH_LOG("unmarked by ABORT, closed, and still a bus master");
	/* Reset at ABORT, not at some later open: its controller is off. */
	ASSERT_EQ(0, kt_pci_bar_rd32(v.bdf, 0, NVME_REG_CC) & NVME_CC_EN)
		TH_LOG("unmarked by ABORT, and its queues still run");
	ASSERT_NE(NULL, strstr(kt_klog(), "closed by its VMM: stopped and reset"));
	/* An ordinary device again: a plain open, and the queues are gone. */
	ASSERT_EQ(-ENODEV, vmm_attach(&v, v.bdf));
	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* fail_keepalive's times: 0 once the armed fault fired, -1 unreadable. */
static long long fault_times(void)
{
	char val[32];

	return kt_read_line(KA_DEBUGFS "fail_keepalive/times", val,
			    sizeof(val)) ? -1 : strtoll(val, NULL, 0);
}

/* How many times @what is in the kernel log. */
static unsigned int klog_count(const char *what)
{
	const char *p = kt_klog();
	unsigned int n = 0;

	while (p && (p = strstr(p, what))) {
		n++;
		p += strlen(what);
	}
	return n;
}

/* Does debugfs "irq" list @bdf's interrupts as held by us? */
static bool irq_held(const char *bdf)
{
	char buf[4096], want[64];
	ssize_t n;
	int fd;

	fd = open(KA_DEBUGFS "irq", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "%s outgoing held ", bdf);
	return strstr(buf, want);
}

/*
 * reopen: the controller of @v, closed by its VMM while kept, is as that
 * close left it: bus master on, its interrupts held, neither its
 * translation nor its interrupts released since @released and @irq_rel
 * (klog_count()).
 */
static void assert_held(struct __test_metadata *_metadata,
			const struct vmm *v, unsigned int released,
			unsigned int irq_rel)
{
	ASSERT_TRUE(master_on(v->bdf)) TH_LOG("stopped");
	ASSERT_TRUE(irq_held(v->bdf)) TH_LOG("its interrupts are not held");
	ASSERT_EQ(released, klog_count("handover translation released"))
		TH_LOG("its handover translation was released");
	ASSERT_EQ(irq_rel, klog_count("keepalive: irq: released"))
		TH_LOG("its interrupt hold was released");
}

/* reopen: fail-nth on the reopen path; each failed open undoes nothing. */
TEST_F(sf, reopen_fail_nth)
{
	unsigned int n, released, irq_rel;
	bool fired = true;
	struct vmm v;
	int kadev, ret = -1;

	if (!variant->reopen)
		SKIP(return, "scenario reopen only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	start_kept(_metadata, kadev, &v, 21);
	nvme_vfio_dev_close(&v.vdev);	/* the files stay mapped */
	released = klog_count("handover translation released");
	irq_rel = klog_count("keepalive: irq: released");
	assert_held(_metadata, &v, released, irq_rel);

	for (n = 1; fired && n < 20; n++) {
		ASSERT_EQ(0, ka_fail_nth(n));
		ret = vmm_attach(&v, NULL);
		fired = fault_times() == 0;
		ASSERT_EQ(0, ka_fail_nth(0));
		TH_LOG("n=%u fired=%d: open %d", n, fired, ret);
		if (!fired)
			break;
		ASSERT_EQ(-EIO, ret) TH_LOG("the failed open said %d", ret);
		assert_held(_metadata, &v, released, irq_rel);
	}
	ASSERT_FALSE(fired) TH_LOG("still firing after %u points", n - 1);
	ASSERT_LT(1, n) TH_LOG("no fault-injection point on the reopen path");
	/* The open no fault failed: the same queues, no admin command. */
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vmm_io(&v, false, 0, 16, 21));
	ASSERT_EQ(0, vmm_io(&v, true, 16, 16, 22));
	ASSERT_EQ(0, vmm_io(&v, false, 16, 16, 22));
	ASSERT_EQ(0, v.nv.admin_cmds);
	TH_LOG("%u fault point(s) on the reopen path, each a clean failure",
	       n - 1);
	ASSERT_EQ(0, vmm_keep(&v, false));
	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* reopen: from PRE-STOP on, a held controller is not opened again. */
TEST_F(sf, reopen_pre_stop)
{
	unsigned int released, irq_rel;
	struct keepalive_transition t;
	char name[128];
	struct vmm v;
	int kadev;

	if (!variant->reopen)
		SKIP(return, "scenario reopen only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	start_kept(_metadata, kadev, &v, 23);
	nvme_vfio_dev_close(&v.vdev);
	released = klog_count("handover translation released");
	irq_rel = klog_count("keepalive: irq: released");
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PRE_STOP, &t));
	vmm_name(&v, v.token, name, sizeof(name));
	ASSERT_EQ(-EBUSY, nvme_vfio_dev_open(&v.vdev, name, false))
		TH_LOG("a held controller opened again after PRE-STOP");
	ASSERT_NE(NULL, strstr(kt_klog(), "refused: the handover is frozen"));
	assert_held(_metadata, &v, released, irq_rel);
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_STOP, &t));
	assert_held(_metadata, &v, released, irq_rel);
	/* ABORT stops and resets it, nobody holding it (owner). */
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));
	ASSERT_FALSE(master_on(v.bdf));
	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* Map @fd's first @len bytes for DMA at @iova in @container; 0 or -errno. */
static int dma_map_file(int container, int fd, size_t len, uint64_t iova)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = iova,
		.size = len,
	};
	void *va;
	int ret;

	va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (va == MAP_FAILED)
		return -errno;
	map.vaddr = (uintptr_t)va;
	ret = ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
	/* The IOMMU mapping outlives the process's own. */
	munmap(va, len);
	return ret;
}

static int dma_unmap(int container, size_t len, uint64_t iova)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = len,
	};

	return ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

/*
 * owner: memory a device may still reach through an IOMMU mapping is
 * neither destroyed nor handed out again.
 */
TEST_F(sf, owner_dma_mapped_memory)
{
	const uint8_t token[KEEPALIVE_TOKEN_SIZE] = { 0x44 };
	const uint64_t iova = VMM_DMA_IOVA + (64u << 20);
	const size_t len = 2u << 20;
	uint64_t phys, again, flen;
	char name[32];
	struct vmm v;
	int kadev, fd;

	if (!variant->owner)
		SKIP(return, "scenario owner only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_start(&v, kadev, 0, false));

	/* The VMM's DMA file is mapped in its container: it stays. */
	snprintf(name, sizeof(name), "nvme%d-dma", v.idx);
	ASSERT_EQ(-EBUSY, ka_memfd_destroy(kadev, name, v.token))
		TH_LOG("a file mapped for DMA was destroyed");
	ASSERT_NE(NULL, strstr(kt_klog(), "pinned for DMA; unmap them first"));
	ASSERT_EQ(0, vmm_io(&v, true, 0, 16, 21));
	ASSERT_EQ(0, vmm_io(&v, false, 0, 16, 21));

	/* Destroyed first, then mapped for DMA, then closed. */
	fd = ka_memfd_create(kadev, "pinned", len, token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &flen));
	ASSERT_EQ(0, ka_memfd_destroy(kadev, "pinned", token));
	ASSERT_EQ(0, dma_map_file(v.vdev.container, fd, len, iova));
	close(fd);
	ASSERT_NE(NULL, strstr(kt_klog(), "still in use at its last close"));
	fd = ka_memfd_create(kadev, "next", len, token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ka_memfd_phys(fd, &again, &flen));
	ASSERT_NE(phys, again)
		TH_LOG("memory a container still maps went to the next file");
	close(fd);
	ASSERT_EQ(0, ka_memfd_destroy(kadev, "next", token));

	/* Unmapped: the next creation gives it back and may reuse it. */
	ASSERT_EQ(0, dma_unmap(v.vdev.container, len, iova));
	fd = ka_memfd_create(kadev, "next", len, token);
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, strstr(kt_klog(), "pinned: unpinned, its memory goes back"));
	ASSERT_EQ(0, ka_memfd_phys(fd, &again, &flen));
	ASSERT_EQ(phys, again);
	close(fd);
	ASSERT_EQ(0, ka_memfd_destroy(kadev, "next", token));

	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* Minor faults this process takes reading a byte of each page at @va. */
static long read_faults(const uint8_t *va, size_t len)
{
	struct rusage a, b;
	size_t off;

	getrusage(RUSAGE_SELF, &a);
	for (off = 0; off < len; off += 4096)
		(void)__atomic_load_n(va + off, __ATOMIC_RELAXED);
	getrusage(RUSAGE_SELF, &b);
	return b.ru_minflt - a.ru_minflt;
}

/* The pattern word of a file's page @off. */
static uint64_t page_word(size_t off)
{
	return 0x6b65657061000000ull ^ off;
}

/*
 * owner: a file of 2 MiB or more maps with 2 MiB entries, a fault per
 * 2 MiB, as the next control shows against 4 KiB ones. Unmapping part of
 * such a mapping leaves the rest as it was, and a DMA mapping of it pins
 * it: the file is not destroyed while a container maps it, whatever
 * became of the process's own mapping.
 */
TEST_F(sf, owner_huge_mapping)
{
	const uint8_t token[KEEPALIVE_TOKEN_SIZE] = { 0x45 };
	const uint64_t iova = VMM_DMA_IOVA + (96u << 20);
	const size_t two_m = 2u << 20, len = 8u << 20;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = iova,
		.size = len,
	};
	size_t hole = two_m + 3 * 4096, off;
	uint64_t phys, again, flen, word;
	uint8_t *base, *va, *va4k;
	struct vmm v;
	long faults;
	int kadev, fd;

	if (!variant->owner)
		SKIP(return, "scenario owner only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_start(&v, kadev, 0, false));
	fd = ka_memfd_create(kadev, "huge", len, token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &flen));
	ASSERT_EQ(0, phys % two_m);

	/* At a 2 MiB boundary, as a VMM places guest memory. */
	base = mmap(NULL, len + two_m, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, base);
	va = (uint8_t *)(((uintptr_t)base + two_m - 1) & ~(uintptr_t)(two_m - 1));
	ASSERT_EQ(va, mmap(va, len, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_FIXED, fd, 0));
	faults = read_faults(va, len);
	ASSERT_GE(len / two_m, faults)
		TH_LOG("%ld faults for %zu MiB: not mapped with 2 MiB entries",
		       faults, len >> 20);
	for (off = 0; off < len; off += 4096)
		memcpy(va + off, &(uint64_t){ page_word(off) }, 8);
	/*
	 * Control: 4 KiB into the file at a 2 MiB boundary, where no 2 MiB
	 * entry fits (given no address, the kernel would pick one where they
	 * fit, 4 KiB past a boundary).
	 */
	va4k = mmap(va, len - 4096, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 4096);
	ASSERT_EQ(va, va4k);
	faults = read_faults(va4k, len - 4096);
	ASSERT_LE((long)(len / 4096) - 1, faults)
		TH_LOG("%ld faults for %zu pages with 4 KiB entries", faults,
		       len / 4096 - 1);
	ASSERT_EQ(va, mmap(va, len, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_FIXED, fd, 0));
	ASSERT_GE(len / two_m, read_faults(va, len));

	/* Mapped for DMA, then a page in the middle of a 2 MiB entry goes. */
	map.vaddr = (uintptr_t)va;
	ASSERT_EQ(0, ioctl(v.vdev.container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, munmap(va + hole, 4096));
	for (off = 0; off < len; off += 4096) {
		if (off == hole)
			continue;
		memcpy(&word, va + off, 8);
		ASSERT_EQ(page_word(off), word)
			TH_LOG("page %#zx changed after a partial unmap", off);
	}
	ASSERT_EQ(8, pread(fd, &word, 8, hole));
	ASSERT_EQ(page_word(hole), word);
	ASSERT_EQ(-EBUSY, ka_memfd_destroy(kadev, "huge", token))
		TH_LOG("a file mapped for DMA was destroyed");
	ASSERT_NE(NULL, strstr(kt_klog(), "pinned for DMA; unmap them first"));
	/* The process's mapping gone, the container's pins stay. */
	ASSERT_EQ(0, munmap(base, len + two_m));
	ASSERT_EQ(-EBUSY, ka_memfd_destroy(kadev, "huge", token));

	/* Unmapped for DMA: every pin goes, and so does the memory. */
	ASSERT_EQ(0, dma_unmap(v.vdev.container, len, iova));
	ASSERT_EQ(0, ka_memfd_destroy(kadev, "huge", token));
	close(fd);
	fd = ka_memfd_create(kadev, "huge", len, token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ka_memfd_phys(fd, &again, &flen));
	ASSERT_EQ(phys, again)
		TH_LOG("the memory of an unpinned, destroyed file did not come back");
	close(fd);
	ASSERT_EQ(0, ka_memfd_destroy(kadev, "huge", token));

	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* owner: what a kept controller's handover tables map stays. */
TEST_F(sf, owner_held_memory)
{
	char name[32];
	struct vmm v;
	int kadev;

	if (!variant->owner)
		SKIP(return, "scenario owner only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	start_kept(_metadata, kadev, &v, 41);
	/* Its container is gone: only keepalive's tables reach its files. */
	vmm_exit(&v);
	ASSERT_TRUE(master_on(v.bdf));
	snprintf(name, sizeof(name), "nvme%d-dma", v.idx);
	ASSERT_EQ(-EBUSY, ka_memfd_destroy(kadev, name, v.token))
		TH_LOG("a file a kept controller's handover tables map was destroyed");
	ASSERT_NE(NULL, strstr(kt_klog(), "handover translation maps it"));

	/* Its VMM comes back to the same queues, and lets it go. */
	ASSERT_EQ(0, vmm_reclaim(&v, kadev, 0, NULL));
	ASSERT_EQ(0, vmm_io(&v, false, 0, 16, 41));
	ASSERT_EQ(0, vmm_keep(&v, false));
	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* reset: no slot or bus reset under a kept controller. */
TEST_F(sf, reset_refused_while_kept)
{
	struct vfio_pci_hot_reset *rst;
	struct vmm v;
	int kadev, ret;

	if (!variant->reset)
		SKIP(return, "scenario reset only");
	rst = calloc(1, sizeof(*rst) + sizeof(int32_t));
	ASSERT_NE(NULL, rst);
	rst->argsz = sizeof(*rst) + sizeof(int32_t);
	rst->count = 1;
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_start(&v, kadev, 0, false));
	rst->group_fds[0] = v.vdev.group;
	ASSERT_EQ(0, vmm_io(&v, true, 0, 16, 31));
	ASSERT_EQ(0, vmm_keep(&v, true));

	ret = ioctl(v.vdev.device, VFIO_DEVICE_PCI_HOT_RESET, rst) ? errno : 0;
	ASSERT_EQ(NVME_CC_EN, nvme_vfio_rd32(&v.vdev, NVME_REG_CC) & NVME_CC_EN)
		TH_LOG("a kept controller's bus was reset");
	ASSERT_EQ(EBUSY, ret);
	ASSERT_NE(NULL, strstr(kt_klog(), "slot or bus reset refused"));
	ASSERT_EQ(0, vmm_io(&v, false, 0, 16, 31));

	/*
	 * The control: unmarked, the same call resets it. QEMU's root port
	 * never reports its link active again after the secondary bus
	 * reset, so the call may end with ENOTTY after the reset was done:
	 * what counts is that the controller is off.
	 */
	ASSERT_EQ(0, vmm_keep(&v, false));
	if (ioctl(v.vdev.device, VFIO_DEVICE_PCI_HOT_RESET, rst))
		ASSERT_EQ(ENOTTY, errno) TH_LOG("hot reset: %s", strerror(errno));
	ASSERT_EQ(0, nvme_vfio_rd32(&v.vdev, NVME_REG_CC) & NVME_CC_EN)
		TH_LOG("the control was not reset: the test cannot tell");
	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	free(rst);
	close(kadev);
}

/* owner: where a file is in physical memory is for the administrator. */
TEST_F(sf, owner_layout_needs_admin)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE] = { 0x33 };
	uint64_t phys, len;
	int kadev, fd, status;
	pid_t pid;

	if (!variant->owner)
		SKIP(return, "scenario owner only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	fd = ka_memfd_create(kadev, "layout", 1 << 20, token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &len));	/* the control */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A VMM handed the fd, without CAP_SYS_ADMIN. */
		if (setuid(65534))
			_exit(2);
		_exit(ka_memfd_phys(fd, &phys, &len) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("an unprivileged holder of the fd read its physical address");
	close(fd);
	ASSERT_EQ(0, ka_memfd_destroy(kadev, "layout", token));
	close(kadev);
}

struct blocked_mark {
	int device;
	void *arg;
	int ret;
};

static void *mark_thread(void *p)
{
	struct blocked_mark *b = p;

	b->ret = ioctl(b->device, VFIO_DEVICE_FEATURE, b->arg) ? -errno : 0;
	return NULL;
}

/* Walk PREPARE and PRE-STOP in a child; its exit status, or -ETIMEDOUT. */
/*
 * Transitions @ev[0..@n) in a child, which must be done in @timeout_s:
 * 0, 1 when one failed, -ETIMEDOUT when they hung.
 */
static int walk_in_child(int kadev, const enum keepalive_event *ev, int n,
			 int timeout_s)
{
	int status, i;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		for (i = 0; i < n; i++)
			if (ka_transition(kadev, ev[i], NULL))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < timeout_s * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

/* owner: a user copy that never ends holds no lock the handover needs. */
TEST_F(sf, owner_userfaultfd_holds_no_lock)
{
	struct vfio_device_feature *hdr;
	struct vfio_device_feature_keepalive ka = { .flags = VFIO_KEEPALIVE_KEEP };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy copy = { 0 };
	struct blocked_mark b;
	struct pollfd pfd;
	pthread_t th;
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *area, *src;
	struct vmm v;
	int kadev, uffd, walked;

	if (!variant->owner)
		SKIP(return, "scenario owner only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_start(&v, kadev, 0, false));

	/* The header in an ordinary page, the keepalive argument after it. */
	area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	hdr = (void *)(area + page - sizeof(*hdr));
	hdr->argsz = sizeof(*hdr) + sizeof(ka);
	hdr->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_KEEPALIVE;
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	reg.range.start = (unsigned long)area + page;
	reg.range.len = page;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	b.device = v.vdev.device;
	b.arg = hdr;
	ASSERT_EQ(0, pthread_create(&th, NULL, mark_thread, &b));
	/* The mark is now in its copy, waiting on the fault. */
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));

	walked = walk_in_child(kadev, (const enum keepalive_event[]){
				KEEPALIVE_EV_PREPARE, KEEPALIVE_EV_PRE_STOP }, 2, 10);

	/* Serve the fault: the mark goes on, and finds the set frozen. */
	src = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, src);
	memcpy(ka.token, v.token, sizeof(ka.token));
	memcpy(src, &ka, sizeof(ka));
	copy.dst = reg.range.start;
	copy.src = (unsigned long)src;
	copy.len = page;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	ASSERT_EQ(0, pthread_join(th, NULL));

	ASSERT_EQ(0, walked)
		TH_LOG("PREPARE and PRE-STOP %s while a mark waited on user memory",
		       walked == -ETIMEDOUT ? "hung" : "failed");
	ASSERT_EQ(-EBUSY, b.ret) TH_LOG("the mark: %s", strerror(-b.ret));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, NULL));
	close(uffd);
	munmap(src, page);
	munmap(area, 2 * page);
	vmm_exit(&v);
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/*
 * attach, stage 2: an intruder without the token attaches the group to
 * its own container and maps the same preserved file at the same IOVA.
 */
TEST_F(sf, attach_without_token)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char grp[16], path[40];
	int kadev, container, group, dev;
	struct vmm v;

	if (!variant->attach || kt_stage() != 2)
		SKIP(return, "scenario attach, stage 2 only");
	ASSERT_NE(NULL, strstr(kt_klog(), "keepalive: adopted"));
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_retrieve(&v, kadev, 0));

	ASSERT_EQ(0, kt_pci_link(v.bdf, "iommu_group", grp, sizeof(grp)));
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, container);
	group = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, group);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_GET_STATUS, &st));
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)v.mem.va;
	map.iova = VMM_DMA_IOVA;
	map.size = VMM_DMA_SIZE;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map));
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, v.bdf);
	ASSERT_EQ(-1, dev);
	ASSERT_EQ(EPERM, errno);

	/* Its domain maps all the handover ranges: it still gets nothing. */
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	ASSERT_EQ(NULL, strstr(kt_klog(), "handover translation released"))
		TH_LOG("POST-RESUME switched the kept controller to the intruder's domain");
	ASSERT_TRUE(master_on(v.bdf));
	close(group);
	close(container);

	/*
	 * Reset under CONCLUDE. Bus mastering is not looked at afterwards:
	 * the release work may already have given the controller to nvme,
	 * whose reset work turns it on again.
	 */
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	ASSERT_NE(NULL, strstr(kt_klog(), "nobody reclaimed it: reset and released"));
	vmm_exit(&v);
	close(kadev);
}

/*
 * The intruder of scenario conclude: tokenless opens of @bdf through
 * @group every 2 ms for @seconds, or until one fails for another reason
 * than the device being kept (EPERM) or released (EBUSY). A byte on @tell
 * after the first attempt. Exits 1, after holding it as a VMM would, if
 * an open ever succeeded.
 */
static void intrude(int group, const char *bdf, int tell, int seconds)
{
	int i, dev;

	for (i = 0; i < seconds * 500; i++) {
		dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
		if (dev >= 0) {
			sleep(5);
			_exit(1);
		}
		if (!i && write(tell, "x", 1) != 1)
			_exit(2);
		if (errno != EPERM && errno != EBUSY)
			break;
		usleep(2000);
	}
	_exit(0);
}

/* conclude, stage 2: no tokenless open gets in while CONCLUDE releases. */
TEST_F(sf, conclude_race)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int kadev, container, group, tell[2], status;
	char grp[16], path[40], bdf[32], drv[32];
	pid_t pid;
	char c;

	if (!variant->conclude || kt_stage() != 2)
		SKIP(return, "scenario conclude, stage 2 only");
	ASSERT_NE(NULL, strstr(kt_klog(), "keepalive: adopted"));
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, bdf, sizeof(bdf)));
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_POST_RESUME, NULL));

	ASSERT_EQ(0, kt_pci_link(bdf, "iommu_group", grp, sizeof(grp)));
	snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, container);
	group = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, group);
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_GET_STATUS, &st));
	ASSERT_EQ(0, ioctl(group, VFIO_GROUP_SET_CONTAINER, &container));
	ASSERT_EQ(0, ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	ASSERT_EQ(0, pipe(tell));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		intrude(group, bdf, tell[1], 10);
	close(group);
	close(container);
	ASSERT_EQ(1, read(tell[0], &c, 1));

	/* CONCLUDE releases it while the intruder is at it, and never waits. */
	ASSERT_EQ(0, walk_in_child(kadev, (const enum keepalive_event[]){
					KEEPALIVE_EV_CONCLUDE }, 1, 4))
		TH_LOG("CONCLUDE hung behind an open");
	/*
	 * Reset under CONCLUDE; bus mastering is not looked at: the release
	 * work may already have given the controller to nvme, which turns
	 * it on again.
	 */
	ASSERT_NE(NULL, strstr(kt_klog(), "nobody reclaimed it: reset and released"));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("an open without the token got the device");
	/* Released: vfio-pci let it go. */
	ASSERT_TRUE(kt_pci_link(bdf, "driver", drv, sizeof(drv)) ||
		    strcmp(drv, "vfio-pci"));
	close(tell[0]);
	close(tell[1]);
	close(kadev);
}

/* vmmdies, stage 2: reclaimed, switched, and its VMM exits: stopped. */
TEST_F(sf, vmm_dies_after_reclaim)
{
	struct keepalive_transition t;
	struct vmm v;
	int kadev;

	if (!variant->vmmdies || kt_stage() != 2)
		SKIP(return, "scenario vmmdies, stage 2 only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_reclaim(&v, kadev, 0, NULL));
	ASSERT_EQ(0, vmm_io(&v, false, 0, 16, 7));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_POST_RESUME, &t));
	ASSERT_NE(NULL, strstr(kt_klog(), "handover translation released"));
	vmm_exit(&v);
	ASSERT_FALSE(master_on(v.bdf))
		TH_LOG("its VMM is gone and it is still a bus master");
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_CONCLUDE, &t));
	ASSERT_EQ(NULL, strstr(kt_klog(), "handed over to its VMM"))
		TH_LOG("handed over to a VMM that is gone");
	/* Released to nvme now, maybe already a bus master again: not looked at. */
	close(kadev);
}

#define NEXT_KERNEL	"/boot/bzImage"

/*
 * Copy the next kernel to @path with its boot note changed: @what 0 takes
 * the note away (a kernel built without keepalive), 1 names another
 * handover format, 2 takes the vfio participant out of its list (a
 * kernel built without CONFIG_KEEPALIVE_VFIO). 0, or -errno.
 */
static int kernel_variant(const char *path, int what)
{
	const size_t vlen = sizeof(KEEPALIVE_VFIO_COMPATIBLE);
	struct keepalive_boot_note *n;
	struct stat st;
	int fd, ret = -ENOENT;
	size_t i, j;
	char *buf;

	fd = open(NEXT_KERNEL, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		return -errno;
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		return -EIO;
	close(fd);
	/* The note is in the setup code, the first 64 KiB at most. */
	for (i = 0; i + sizeof(*n) <= (size_t)st.st_size && i < 65536; i++) {
		if (memcmp(buf + i, KEEPALIVE_BOOT_NOTE_MAGIC,
			   KEEPALIVE_BOOT_NOTE_MAGIC_LEN))
			continue;
		n = (void *)(buf + i);
		if (what == 0) {
			n->magic[0] = 'k';
			ret = 0;
		} else if (what == 1) {
			memcpy(n->fdt_compatible, "keepalive,handover-v9", 21);
			ret = 0;
		}
		for (j = 0; what == 2 && j < KEEPALIVE_BOOT_NOTE_PARTICIPANTS; j++) {
			if (memcmp(n->participants[j], KEEPALIVE_VFIO_COMPATIBLE, vlen))
				continue;
			memset(n->participants[j], 0, sizeof(n->participants[j]));
			ret = 0;
		}
		break;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!ret && (fd < 0 || write(fd, buf, st.st_size) != st.st_size))
		ret = -EIO;
	close(fd);
	free(buf);
	return ret;
}

/* kexec_file_load() of @path with @cmdline, no initramfs: 0 or -errno. */
static int kexec_load_cmdline(const char *path, const char *cmdline)
{
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_kexec_file_load, fd, -1, strlen(cmdline) + 1, cmdline,
		    (unsigned long)KEXEC_FILE_NO_INITRAMFS))
		ret = -errno;
	close(fd);
	return ret;
}

/* kexec_file_load() of @path, no initramfs: 0 or -errno. */
static int kexec_load_file(const char *path)
{
	return kexec_load_cmdline(path, "console=ttyS0");
}

static int kexec_unload(void)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0, NULL,
		       (unsigned long)KEXEC_FILE_UNLOAD) ? -errno : 0;
}

TEST_F(sf, nextkernel_must_read_the_handover)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE] = { 0x77 };
	struct keepalive_transition t;
	uint64_t sum;
	uint8_t *p;
	struct vmm v;
	int kadev, fd;

	if (!variant->nextkernel)
		SKIP(return, "scenario nextkernel only");
	ASSERT_EQ(0, kernel_variant("/tmp/nonote", 0));
	ASSERT_EQ(0, kernel_variant("/tmp/v9", 1));
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	fd = ka_memfd_create(kadev, "guarded", 1 << 20, token);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ka_pattern(p, 1 << 20, 99);
	sum = ka_checksum(p, 1 << 20);
	/* Sealed: only a kernel that reads it may be loaded. */
	keep_to_stop(_metadata, kadev, &v);
	ASSERT_EQ(-ENOEXEC, kexec_load_file("/tmp/nonote"))
		TH_LOG("a kernel without keepalive was loaded over a sealed handover");
	ASSERT_NE(NULL, strstr(kt_klog(), "it has no keepalive boot note"));
	ASSERT_EQ(-EPROTO, kexec_load_file("/tmp/v9"));
	ASSERT_NE(NULL, strstr(kt_klog(), "names another handover format"));
	ASSERT_TRUE(master_on(v.bdf));
	ASSERT_EQ(sum, ka_checksum(p, 1 << 20));
	ASSERT_EQ(0, kexec_load_file(NEXT_KERNEL));
	ASSERT_EQ(0, kexec_unload());
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));

	/* Loaded first, a kernel that cannot read it: STOP is refused. */
	ASSERT_EQ(0, kexec_load_file("/tmp/v9"));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(-EPROTO, ka_transition(kadev, KEEPALIVE_EV_STOP, &t));
	ASSERT_NE(NULL, strstr(kt_klog(), "cannot receive a handover"));
	ASSERT_EQ(0, kexec_load_file(NEXT_KERNEL));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_STOP, &t));
	ASSERT_EQ(0, kexec_unload());
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));
	ASSERT_EQ(sum, ka_checksum(p, 1 << 20));
	munmap(p, 1 << 20);
	close(fd);
	ASSERT_EQ(0, ka_memfd_destroy(kadev, "guarded", token));
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

/* A next-kernel command line that turns DMA remapping off. */
#define IOMMU_OFF	"console=ttyS0 intel_iommu=off"
/* What STOP and kexec_file_load() say of a kernel that cannot take it. */
#define STOP_REFUSED	"stop: the kernel loaded for kexec cannot receive a handover: "
#define CMDLINE_OFF	"its command line turns the IOMMU or interrupt remapping off: "
#define NOTE_LACKS	"its keepalive boot note lacks participant "

TEST_F(sf, nextkernel_keeps_the_iommu_on)
{
	struct keepalive_transition t;
	struct vmm v;
	int kadev;

	if (!variant->nextcmdline)
		SKIP(return, "scenario nextcmdline only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	/* Sealed: no kernel that would turn translation off under it. */
	keep_to_stop(_metadata, kadev, &v);
	ASSERT_EQ(-EPERM, kexec_load_cmdline(NEXT_KERNEL, IOMMU_OFF))
		TH_LOG("a kernel booting with intel_iommu=off was loaded over a sealed handover");
	ASSERT_NE(NULL, strstr(kt_klog(), CMDLINE_OFF "intel_iommu=off"));
	ASSERT_TRUE(master_on(v.bdf));
	/* The control: the same kernel, the IOMMU left on. */
	ASSERT_EQ(0, kexec_load_file(NEXT_KERNEL));
	ASSERT_EQ(0, kexec_unload());
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));

	/* Loaded first with intel_iommu=off: STOP is refused. */
	ASSERT_EQ(0, kexec_load_cmdline(NEXT_KERNEL, IOMMU_OFF));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(-EPERM, ka_transition(kadev, KEEPALIVE_EV_STOP, &t))
		TH_LOG("STOP sealed a handover for a kernel booting with intel_iommu=off");
	ASSERT_NE(NULL, strstr(kt_klog(), STOP_REFUSED CMDLINE_OFF "intel_iommu=off"));
	ASSERT_EQ(0, kexec_load_file(NEXT_KERNEL));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_STOP, &t));
	ASSERT_EQ(0, kexec_unload());
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

TEST_F(sf, nextkernel_reads_every_participant)
{
	struct keepalive_transition t;
	struct vmm v;
	int kadev;

	if (!variant->nextnote)
		SKIP(return, "scenario nextnote only");
	ASSERT_EQ(0, kernel_variant("/tmp/novfio", 2));
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	/* Sealed: no kernel that could not adopt the kept controller. */
	keep_to_stop(_metadata, kadev, &v);
	ASSERT_EQ(-EPROTO, kexec_load_file("/tmp/novfio"))
		TH_LOG("a kernel without the vfio participant was loaded over a sealed handover");
	ASSERT_NE(NULL, strstr(kt_klog(), NOTE_LACKS KEEPALIVE_VFIO_COMPATIBLE));
	ASSERT_TRUE(master_on(v.bdf));
	/* The control: the unmodified kernel. */
	ASSERT_EQ(0, kexec_load_file(NEXT_KERNEL));
	ASSERT_EQ(0, kexec_unload());
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));

	/* Loaded first: STOP is refused. */
	ASSERT_EQ(0, kexec_load_file("/tmp/novfio"));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(-EPROTO, ka_transition(kadev, KEEPALIVE_EV_STOP, &t))
		TH_LOG("STOP sealed a handover for a kernel without the vfio participant");
	ASSERT_NE(NULL, strstr(kt_klog(), STOP_REFUSED NOTE_LACKS KEEPALIVE_VFIO_COMPATIBLE));
	ASSERT_EQ(0, kexec_load_file(NEXT_KERNEL));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_STOP, &t));
	ASSERT_EQ(0, kexec_unload());
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, &t));
	ASSERT_EQ(0, destroy_files(kadev, &v));
	close(kadev);
}

#define PLAIN_KERNEL	"/ka/user/bzImage"

/* The harness boots @path next ($KT_RUN/next-kernel, vm/init). */
static int next_kernel(const char *path)
{
	const char *run = getenv("KT_RUN");
	char name[256];
	FILE *f;

	snprintf(name, sizeof(name), "%s/next-kernel", run ? run : "/tmp");
	f = fopen(name, "w");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", path);
	return fclose(f) ? -errno : 0;
}

/* plainkernel, stage 1: refused while sealed; booted after ABORT. */
TEST_F(sf, plainkernel_refused_then_booted)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE] = { 0x78 };
	uint64_t sum, phys, len;
	char words[200];
	uint8_t *p;
	struct vmm v;
	int kadev, fd;

	if (!variant->plainkernel || kt_stage() != 1)
		SKIP(return, "scenario plainkernel, stage 1 only");
	ASSERT_EQ(0, access(PLAIN_KERNEL, R_OK))
		TH_LOG("no kernel built without keepalive at %s", PLAIN_KERNEL);
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	fd = ka_memfd_create(kadev, "guarded", 1 << 20, token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &len));
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ka_pattern(p, 1 << 20, 98);
	sum = ka_checksum(p, 1 << 20);
	keep_to_stop(_metadata, kadev, &v);

	ASSERT_EQ(-ENOEXEC, kexec_load_file(PLAIN_KERNEL))
		TH_LOG("a kernel built without keepalive was loaded over a sealed handover");
	ASSERT_NE(NULL, strstr(kt_klog(), "kexec: loading refused"));
	ASSERT_TRUE(master_on(v.bdf));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_ABORT, NULL));
	ASSERT_FALSE(master_on(v.bdf));
	ASSERT_EQ(sum, ka_checksum(p, 1 << 20));

	/* Booted from RUNNING, it must leave the pool alone. */
	snprintf(words, sizeof(words),
		 "kt_file=%#llx kt_sum=%#llx kt_pool=%#llx kt_pool_size=%#llx",
		 (unsigned long long)phys, (unsigned long long)sum,
		 read_pool_phys(), (unsigned long long)ka_sysfs_num("pool_size"));
	ASSERT_EQ(0, kt_cmdline_append(words));
	ASSERT_EQ(0, next_kernel(PLAIN_KERNEL));
	munmap(p, 1 << 20);
	close(fd);
	close(kadev);
}

/* plainkernel, stage 2: a kernel without keepalive, the pool untouched. */
TEST_F(sf, plainkernel_leaves_the_pool)
{
	unsigned long long pool, pool_size, file, sum;
	char bdf[32], drv[32];
	uint8_t *buf;

	if (!variant->plainkernel || kt_stage() != 2)
		SKIP(return, "scenario plainkernel, stage 2 only");
	ASSERT_NE(0, access("/sys/kernel/keepalive", F_OK))
		TH_LOG("the second kernel has keepalive");
	pool = kt_cmdline_num("kt_pool", 0);
	pool_size = kt_cmdline_num("kt_pool_size", 0);
	file = kt_cmdline_num("kt_file", 0);
	sum = kt_cmdline_num("kt_sum", 0);
	ASSERT_NE(0, pool);
	ASSERT_EQ(1, ka_iomem_reserved(pool, pool_size))
		TH_LOG("the pool is not reserved in this kernel's E820 map");
	buf = malloc(1 << 20);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, devmem_read_buf(file, buf, 1 << 20));
	ASSERT_EQ(sum, ka_checksum(buf, 1 << 20))
		TH_LOG("the preserved file changed under a kernel without keepalive");
	free(buf);
	/* Stopped and reset at ABORT: its host driver has it, from scratch. */
	ASSERT_EQ(NULL, strstr(kt_klog(), "keepalive: adopted"));
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, bdf, sizeof(bdf)));
	ASSERT_EQ(0, kt_pci_link(bdf, "driver", drv, sizeof(drv)));
	ASSERT_STREQ("nvme", drv);
}

int main(int argc, char **argv)
{
	return kt_harness_run(argc, argv, "devmem");
}
