// SPDX-License-Identifier: GPL-2.0
/*
 * safety_test - what keeps others away from a kept device and its memory
 * (Documentation/keepalive/core.rst, "Who may do what"). Scenarios
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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ka_uapi.h"
#include "kt_util.h"
#include "nvme_vmm.h"

static bool is(const char *sc)
{
	return !strcmp(kt_scenario("devmem"), sc);
}

static unsigned long long read_pool_phys(void)
{
	char val[32];

	return kt_read_line("/sys/kernel/keepalive/pool_phys", val, sizeof(val)) ?
	       0 : strtoull(val, NULL, 0);
}

/* 0 when /dev/mem gave @len bytes at @phys, or -errno. */
static int devmem_read(unsigned long long phys, size_t len)
{
	char buf[4096];
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

TEST(devmem_refused)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE] = { 0x5a };
	unsigned long long phys = read_pool_phys();
	long long size = ka_sysfs_num("pool_size");
	int kadev, fd;

	if (!is("devmem") || kt_stage() != 1)
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

/* Stage 1, kdump: a controller kept, STOP, the next kernel a kdump one. */
TEST(kdump_handover)
{
	struct keepalive_transition t;
	struct vmm v;
	int kadev;

	if (!is("kdump") || kt_stage() != 1)
		SKIP(return, "scenario kdump, stage 1 only");
	kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, kadev);
	ASSERT_EQ(0, vmm_start(&v, kadev, 0, false));
	ASSERT_EQ(0, vmm_keep(&v, true));
	ASSERT_EQ(0, vmm_save(&v));
	vmm_exit(&v);
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(kadev, KEEPALIVE_EV_STOP, &t));
	/* What makes a kernel a kdump kernel (is_kdump_kernel()). */
	ASSERT_EQ(0, kt_cmdline_append("elfcorehdr=0x1000"));
	close(kadev);
}

/* Stage 2, kdump: refused, nothing adopted. */
TEST(kdump_refuses)
{
	char status[160];

	if (!is("kdump") || kt_stage() != 2)
		SKIP(return, "scenario kdump, stage 2 only");
	ASSERT_NE(NULL, strstr(kt_klog(), "a kdump kernel never accepts a handover"))
		TH_LOG("the kdump kernel took the handover");
	ASSERT_EQ(NULL, strstr(kt_klog(), "keepalive: adopted"));
	ASSERT_EQ(0, kt_read_line("/sys/kernel/keepalive/handover", status,
				  sizeof(status)));
	ASSERT_NE(NULL, strstr(status, "rejected")) TH_LOG("handover: %s", status);
}

TEST_HARNESS_MAIN
