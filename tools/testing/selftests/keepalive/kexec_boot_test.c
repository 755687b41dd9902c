// SPDX-License-Identifier: GPL-2.0
/*
 * kexec_boot_test - proves that the VM harness crosses a real kexec.
 *
 * Runs in every stage of a multi-stage run. Each stage checks the kernel it
 * runs in and hands its boot id to the next one on the kernel command line,
 * so stage N > 1 can assert that it really is a different kernel, booted by
 * kexec from stage N - 1, with the NVMe controller and the VT-d IOMMU (DMA
 * and interrupt remapping) present again.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "kt_util.h"

TEST(boot_chain)
{
	char self[64], key[32], prev[64], line[128];
	int stage = kt_stage();

	ASSERT_EQ(0, kt_read_line("/proc/sys/kernel/random/boot_id", self,
				  sizeof(self)));
	ASSERT_EQ(36U, strlen(self));

	if (stage > 1) {
		snprintf(key, sizeof(key), "kt_bootid_%d", stage - 1);
		ASSERT_EQ(0, kt_cmdline_get(key, prev, sizeof(prev)))
			TH_LOG("stage %d: no %s= on the command line", stage, key);
		ASSERT_STRNE(self, prev)
			TH_LOG("boot id unchanged: this is not a new kernel");
		TH_LOG("stage %d: previous kernel %s, this kernel %s", stage,
		       prev, self);
	} else {
		ASSERT_NE(0, kt_cmdline_get("kt_bootid_1", prev, sizeof(prev)));
	}

	snprintf(line, sizeof(line), "kt_bootid_%d=%s", stage, self);
	ASSERT_EQ(0, kt_cmdline_append(line));
}

TEST(stage_marker)
{
	char val[16];

	/* Stage 1 is the cold boot: only kexec'd kernels carry a marker. */
	if (kt_stage() == 1) {
		ASSERT_NE(0, kt_cmdline_get("kt_stage", val, sizeof(val)))
			TH_LOG("the cold boot must not carry kt_stage=");
		return;
	}
	ASSERT_EQ(0, kt_cmdline_get("kt_stage", val, sizeof(val)));
	ASSERT_EQ(kt_stage(), atoi(val));
}

TEST(nvme_present)
{
	char bdf[32];

	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, bdf, sizeof(bdf)))
		TH_LOG("no emulated NVMe controller (1b36:0010) enumerated");
	ASSERT_EQ(0x010802, kt_pci_attr(bdf, "class"));
}

TEST(iommu_present)
{
	char line[256];
	bool remapped = false;
	struct dirent *de;
	int groups = 0;
	FILE *f;
	DIR *d;

	/* DMA remapping: a DMAR unit registered, and devices in groups. */
	ASSERT_EQ(0, access("/sys/class/iommu/dmar0", F_OK))
		TH_LOG("no VT-d unit: is intel-iommu on the QEMU command line?");
	d = opendir("/sys/kernel/iommu_groups");
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		groups += de->d_name[0] != '.';
	closedir(d);
	ASSERT_LT(0, groups);

	/* Interrupt remapping: MSI domains are the IR-* ones. */
	f = fopen("/proc/interrupts", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		remapped |= !!strstr(line, "IR-PCI-MSI");
	fclose(f);
	ASSERT_TRUE(remapped) TH_LOG("no IR-PCI-MSI interrupt: interrupt remapping is off");
}

TEST_HARNESS_MAIN
