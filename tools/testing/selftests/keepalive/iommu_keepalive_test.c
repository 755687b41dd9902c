// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_keepalive_test - a kept NVMe controller's DMA goes on through the
 * kexec, translated by the same mappings, and lands in preserved memory.
 *
 * Run with vmtest.sh --slow-nvme NS: controller 0 is backed by a null-co
 * drive on which every request takes NS nanoseconds and reads zeroes.
 *
 * Stage 1 is a VMM: it binds the controller to vfio-pci with its queues
 * and buffers in preserved memory files, marks it kept, fills a buffer
 * with 0xa5 and submits one read into it, checks the read is still in
 * flight, saves its queue state with the read in flight and exits (its
 * fds close: keepalive holds the device's translation from now on); then
 * PREPARE, PRE-STOP, STOP, and the harness kexecs. The next kernel has no
 * nvme driver (initcall_blacklist), so what happens to the controller is
 * keepalive's doing. Scenarios (kt_scenario=):
 *
 * inflight      The read completes during the blackout. In the next kernel
 *               the controller was adopted; the VMM retrieves its files
 *               and opens the device with its token, attaching its
 *               container with nothing mapped yet: POST-RESUME is refused
 *               with EBUSY by the iommu participant (the VMM's domain does
 *               not map the handover IOVAs yet) and the device is not
 *               switched. The VMM then maps its memory at the same IOVA:
 *               the read's completion is already in its completion queue
 *               (status 0, the phase it expects), the buffer holds the
 *               zeroes the drive returned, a new read completes;
 *               POST-RESUME switches the device to the VMM's domain, and
 *               I/O goes on after CONCLUDE. scripts/check.sh also checks
 *               QEMU's trace: not one DMA remapping fault, translation
 *               never turned off before the last kernel's power-off.
 * inflight_off  Control: the same without marking the controller. It is
 *               not adopted and the read is lost: the test
 *               inflight_read_completed must fail.
 * corrupt       Kept, but after STOP the device's IOMMU record is damaged
 *               (debugfs corrupt "iommu": domain id 0): the next kernel
 *               says why, does not adopt the controller and resets it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ka_uapi.h"
#include "kt_util.h"
#include "nvme_vmm.h"

#define READ_LBAS	64		/* 32 KiB of 512-byte LBAs */
#define FILL		0xa5

static bool is(const char *sc)
{
	return !strcmp(kt_scenario("inflight"), sc);
}

static bool klog_has(const char *what)
{
	return strstr(kt_klog(), what);
}

FIXTURE(ik)
{
	int kadev;
	struct vmm v;
	char bdf[32];
};

FIXTURE_SETUP(ik)
{
	self->kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kadev);
	vmm_reset(&self->v, 0);
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, self->bdf,
				 sizeof(self->bdf)));
}

FIXTURE_TEARDOWN(ik)
{
	vmm_exit(&self->v);
	close(self->kadev);
}

/* Stage 1: a read in flight, the device kept (unless the control), STOP. */
TEST_F(ik, handover)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	size_t len;
	char words[96];

	if (kt_stage() != 1)
		SKIP(return, "stage 1 only");
	ASSERT_EQ(0, vmm_start(v, self->kadev, 0, false));
	if (!is("inflight_off"))
		ASSERT_EQ(0, vmm_keep(v, true));
	len = READ_LBAS * v->nv.st.lba_size;
	ASSERT_GE(VMM_CHUNK, len);
	memset(v->buf, FILL, len);
	ASSERT_LE(0, nvme_vfio_submit_io(&v->nv, false, 0, READ_LBAS, v->buf));
	/* Not done yet: the drive takes seconds. */
	ASSERT_EQ(-ETIMEDOUT, nvme_vfio_complete_io(&v->nv, 0));
	ASSERT_EQ(0, vmm_save(v));
	snprintf(words, sizeof(words), "initcall_blacklist=nvme_init kt_buf=%#lx",
		 (unsigned long)((uint8_t *)v->buf - (uint8_t *)v->mem.va));
	ASSERT_EQ(0, kt_cmdline_append(words));
	vmm_exit(v);
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t))
		TH_LOG("STOP failed in %s: %d", t.participant, t.error);
	if (is("corrupt"))
		ASSERT_EQ(0, ka_debugfs_write("corrupt", "iommu"));
}

/* Stage 2, inflight: the read finished during the blackout, into our file. */
TEST_F(ik, inflight_read_completed)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	char name[128];
	uint8_t *buf, *buf2;
	size_t i, len;

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (is("corrupt"))
		SKIP(return, "not scenario corrupt");
	ASSERT_TRUE(klog_has("keepalive: adopted"))
		TH_LOG("the controller was not adopted: the read is lost");
	ASSERT_EQ(0, vmm_retrieve(v, self->kadev, 0));
	vmm_name(v, v->token, name, sizeof(name));
	/* Container attached, nothing mapped: the device stays held. */
	ASSERT_EQ(0, nvme_vfio_dev_open(&v->vdev, name, false));
	ASSERT_EQ(-EBUSY, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME,
					&t));
	ASSERT_STREQ("iommu", t.participant);
	ASSERT_TRUE(klog_has("does not map IOVA"));
	/* Map the memory: the completion is there already, no waiting. */
	ASSERT_EQ(0, nvme_vfio_restore(&v->nv, &v->vdev, &v->mem, v->state,
				       VMM_STATE_SIZE));
	ASSERT_EQ(1, v->nv.st.inflight);
	ASSERT_EQ(0, nvme_vfio_complete_io(&v->nv, 0))
		TH_LOG("no completion for the read in flight at the kexec");
	buf = (uint8_t *)v->mem.va + kt_cmdline_num("kt_buf", 0);
	len = READ_LBAS * v->nv.st.lba_size;
	for (i = 0; i < len; i++)
		ASSERT_EQ(0, buf[i]) TH_LOG("byte %zu of the read not written", i);
	TH_LOG("the read in flight at the kexec completed into the preserved buffer");
	/* The queue goes on. */
	buf2 = nvme_vfio_alloc(&v->nv, VMM_CHUNK);
	ASSERT_NE(NULL, buf2);
	memset(buf2, FILL, len);
	ASSERT_EQ(0, nvme_vfio_read(&v->nv, READ_LBAS, READ_LBAS, buf2));
	ASSERT_EQ(0, buf2[len - 1]);
	ASSERT_EQ(0, v->nv.admin_cmds);
	/* Now the VMM's domain maps everything: switch to it. */
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, &t))
		TH_LOG("POST-RESUME failed in %s: %d", t.participant, t.error);
	ASSERT_TRUE(klog_has("handover translation released"));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, &t));
	memset(buf2, FILL, len);
	ASSERT_EQ(0, nvme_vfio_read(&v->nv, 0, READ_LBAS, buf2));
	ASSERT_EQ(0, buf2[0]);
}

/* Stage 2, corrupt: a damaged IOMMU record: not adopted, reset. */
TEST_F(ik, corrupt_record_refused)
{
	uint32_t cc;

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!is("corrupt"))
		SKIP(return, "scenario corrupt only");
	ASSERT_TRUE(klog_has("domain id is out of range"));
	ASSERT_TRUE(klog_has("not adopted: its DMA translation was not handed over intact"));
	ASSERT_FALSE(klog_has("keepalive: adopted"));
	cc = kt_pci_bar_rd32(self->bdf, 0, NVME_REG_CC);
	ASSERT_NE(~0U, cc);
	ASSERT_EQ(0, cc & NVME_CC_EN) TH_LOG("still running: CC %#x", cc);
}

TEST_HARNESS_MAIN
