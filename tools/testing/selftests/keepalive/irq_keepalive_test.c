// SPDX-License-Identifier: GPL-2.0
/*
 * irq_keepalive_test - an interrupt a kept NVMe controller raises during
 * the kexec is held in the device and delivered to its VMM's eventfd when
 * the VMM arms its vectors again in the next kernel.
 *
 * Run with vmtest.sh --slow-nvme NS: controller 0 is backed by a null-co
 * drive on which every request takes NS nanoseconds and reads zeroes.
 *
 * Stage 1 is a VMM: it binds the controller to vfio-pci, arms MSI-X
 * vectors 0 and 1 (eventfds), creates its I/O completion queue with
 * interrupts on vector 1, marks the controller kept, submits one read and
 * checks it is still in flight, saves its queue state and exits: its
 * close holds the controller's interrupts (MSI-X enabled, function
 * masked). Then PREPARE, PRE-STOP, STOP and the harness kexecs; the read
 * completes meanwhile and the controller latches its interrupt in its
 * Pending Bit Array. The next kernel has no nvme driver. Scenarios
 * (kt_scenario=):
 *
 * held      In the next kernel the controller was adopted with MSI-X
 *           enabled and masked, and the PBA bit of vector 1 reads 1. The
 *           VMM opens it with its token, maps its memory and arms its
 *           vectors (VFIO_DEVICE_SET_IRQS): the eventfd of vector 1 fires
 *           with no I/O submitted, and vector 0's does not; the read's
 *           completion is in the queue. Vector 1 took back the remapping
 *           entry its message named in the first kernel (the index the
 *           first kernel's debugfs "irq" and the device's MSI-X table
 *           showed). Interrupts flow for new I/O. scripts/check.sh also
 *           checks QEMU's trace: no INTx from the controller, MSI-X never
 *           disabled from the hold to the re-arm, an MSI-X interrupt
 *           raised (and latched) during the blackout.
 * msiwin    As held, but the read's buffer is IOVA 0xFEE00000 (nothing
 *           maps it: vfio type1 reserves the MSI window, and the unit
 *           takes any write there for interrupt requests, 1024 of them
 *           for the 4 KiB of zeroes, naming entries 0 to 127 and 32768
 *           to 32895). scripts/check.sh then checks QEMU's trace
 *           (vm/irte_trace.sh): every such request from the kexec on is
 *           looked up in the handover table in the pool, never in the
 *           previous kernel's table. Stage 2 checks the controller was
 *           adopted.
 * held_off  Control: the same without marking the controller. It is not
 *           adopted and the interrupt is lost: pending_interrupt_delivered
 *           must fail, and the trace must be dirty.
 * corrupt   Kept, but after STOP the device's interrupt record is
 *           damaged (debugfs corrupt "irq": vector 0's remapping entry
 *           names another source id): the next kernel says why, does not
 *           adopt the controller and resets it.
 * abort     One kernel, a plain drive: the VMM keeps the controller open
 *           with its vectors armed through PREPARE, PRE-STOP and STOP
 *           (the hold masks the function), does a read: it completes but
 *           its eventfd stays silent and the PBA bit is set; ABORT gives
 *           the VMM its MSI-X back and the eventfd fires with no new I/O;
 *           interrupts flow on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "ka_uapi.h"
#include "kt_harness.h"
#include "nvme_vmm.h"

#define READ_LBAS	64		/* 32 KiB of 512-byte LBAs */
#define VEC		1		/* the I/O queue's vector */
#define FIRE_MS		3000		/* an armed pending vector fires by then */
#define MSIWIN_IOVA	0xfee00000ULL	/* scenario msiwin's read buffer */
#define MSIWIN_LBAS	8		/* 4 KiB */

/* The remapping entry debugfs "irq" lists for vector @n, or -1. */
static long debugfs_irte(int n)
{
	char buf[4096], pat[32];
	const char *p;
	long idx = -1;
	int fd, len;

	fd = open(KA_DEBUGFS "irq", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	snprintf(pat, sizeof(pat), "vector %d irte ", n);
	p = strstr(buf, pat);
	if (p)
		idx = strtol(p + strlen(pat), NULL, 10);
	return idx;
}

FIXTURE(iq)
{
	int kadev;
	struct vmm v;
	char bdf[32];
	struct kt_msix m;
};

/* The scenarios above, as what each does. */
FIXTURE_VARIANT(iq)
{
	bool handover;		/* stage 1 hands the controller over */
	bool keep;		/* the VMM marks it kept */
	bool msiwin;		/* the read's buffer is the MSI window */
	bool delivered;		/* stage 2: the VMM gets the held interrupt */
	const char *corrupt;	/* debugfs corrupt after STOP, or NULL */
	bool abort;		/* one kernel: STOP with the VMM there, ABORT */
};

FIXTURE_VARIANT_ADD(iq, held) {
	.handover = true,
	.keep = true,
	.delivered = true,
};

FIXTURE_VARIANT_ADD(iq, msiwin) {
	.handover = true,
	.keep = true,
	.msiwin = true,
};

FIXTURE_VARIANT_ADD(iq, held_off) {
	.handover = true,
	.delivered = true,
};

FIXTURE_VARIANT_ADD(iq, corrupt) {
	.handover = true,
	.keep = true,
	.corrupt = "irq",
};

FIXTURE_VARIANT_ADD(iq, abort) {
	.abort = true,
};

FIXTURE_SETUP(iq)
{
	self->kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kadev);
	vmm_reset(&self->v, 0);
	ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, 0, self->bdf,
				 sizeof(self->bdf)));
	ASSERT_EQ(0, kt_msix_read(self->bdf, &self->m));
}

FIXTURE_TEARDOWN(iq)
{
	vmm_exit(&self->v);
	close(self->kadev);
}

/* Stage 1: a read in flight, interrupts on vector 1, kept (or not), STOP. */
TEST_F(iq, handover)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	long irte, dbg;
	char words[96];

	if (kt_stage() != 1)
		SKIP(return, "stage 1 only");
	if (!variant->handover)
		SKIP(return, "not scenario abort");
	ASSERT_EQ(0, vmm_start(v, self->kadev, 0, true));
	if (variant->keep)
		ASSERT_EQ(0, vmm_keep(v, true));
	if (variant->msiwin) {
		ASSERT_LE(0, nvme_vfio_submit_read_at(&v->nv, 0, MSIWIN_LBAS,
						      MSIWIN_IOVA));
	} else {
		ASSERT_LE(0, nvme_vfio_submit_io(&v->nv, false, 0, READ_LBAS,
						 v->buf));
	}
	ASSERT_EQ(-ETIMEDOUT, nvme_vfio_complete_io(&v->nv, 0));
	ASSERT_EQ(0, vmm_save(v));
	/* The entry its armed message names (the close zeroes the message). */
	irte = kt_msix_irte(self->bdf, &self->m, VEC);
	ASSERT_LE(0, irte) TH_LOG("vector %d's message: %#x data %#x", VEC,
				  kt_pci_bar_rd32(self->bdf, 0, self->m.table + 16 * VEC),
				  kt_pci_bar_rd32(self->bdf, 0, self->m.table + 16 * VEC + 8));
	vmm_exit(v);
	/* Held: enabled and masked; the message still names its entry. */
	ASSERT_EQ(0, kt_msix_read(self->bdf, &self->m));
	if (variant->keep) {
		ASSERT_EQ(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
			  self->m.ctrl & (PCI_MSIX_FLAGS_ENABLE |
					  PCI_MSIX_FLAGS_MASKALL))
			TH_LOG("MSI-X control %#x after the close", self->m.ctrl);
	}

	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t))
		TH_LOG("STOP failed in %s: %d", t.participant, t.error);
	if (variant->keep) {
		dbg = debugfs_irte(VEC);
		ASSERT_EQ(irte, dbg) TH_LOG("the record says entry %ld", dbg);
	}
	TH_LOG("vector %d's message names remapping entry %ld", VEC, irte);
	snprintf(words, sizeof(words), "initcall_blacklist=nvme_init kt_irte=%ld",
		 irte);
	ASSERT_EQ(0, kt_cmdline_append(words));
	if (variant->corrupt)
		ASSERT_EQ(0, ka_debugfs_write("corrupt", variant->corrupt));
}

/* Stage 2, held: the PBA holds it, arming the vectors delivers it. */
TEST_F(iq, pending_interrupt_delivered)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	uint32_t pba;
	char name[128], line[96];

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->delivered)
		SKIP(return, "not scenario corrupt or msiwin");
	ASSERT_TRUE(kt_klog_has("keepalive: adopted"))
		TH_LOG("the controller was not adopted: its interrupt is lost");
	ASSERT_EQ(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
		  self->m.ctrl & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL))
		TH_LOG("MSI-X control %#x at enumeration", self->m.ctrl);
	pba = kt_pci_bar_rd32(self->bdf, 0, self->m.pba);
	ASSERT_NE(0, pba & 1 << VEC) TH_LOG("PBA %#x: the interrupt was not held", pba);
	ASSERT_EQ(0, pba & 1) TH_LOG("PBA %#x: vector 0 pending", pba);
	ASSERT_EQ(0, vmm_retrieve(v, self->kadev, 0));
	vmm_name(v, v->token, name, sizeof(name));
	ASSERT_EQ(0, nvme_vfio_dev_open(&v->vdev, name, false));
	ASSERT_EQ(0, nvme_vfio_restore(&v->nv, &v->vdev, &v->mem, v->state,
				       VMM_STATE_SIZE));
	ASSERT_EQ(1, v->nv.st.inflight);
	/* Arm the vectors; nothing is submitted. */
	ASSERT_EQ(0, nvme_vfio_irq_enable(&v->vdev, 2));
	ASSERT_LT(0, nvme_vfio_irq_wait(&v->vdev, VEC, FIRE_MS))
		TH_LOG("vector %d did not fire after it was armed", VEC);
	ASSERT_EQ(0, nvme_vfio_irq_wait(&v->vdev, 0, 0))
		TH_LOG("vector 0 fired: it had nothing pending");
	ASSERT_EQ(0, nvme_vfio_complete_io(&v->nv, 0))
		TH_LOG("no completion for the read in flight at the kexec");
	ASSERT_EQ(0, v->nv.admin_cmds);
	snprintf(line, sizeof(line), "vector %d takes back remapping entry %llu",
		 VEC, kt_cmdline_num("kt_irte", ~0ULL));
	ASSERT_TRUE(kt_klog_has(line)) TH_LOG("no \"%s\" in the log", line);
	TH_LOG("the interrupt raised during the kexec reached the VMM's eventfd; %s",
	       line);
	/* Interrupts flow on. */
	v->buf = nvme_vfio_alloc(&v->nv, VMM_CHUNK);
	ASSERT_NE(NULL, v->buf);
	ASSERT_EQ(0, vmm_irq_io(v, READ_LBAS));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, &t))
		TH_LOG("POST-RESUME failed in %s: %d", t.participant, t.error);
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, &t));
	ASSERT_EQ(0, vmm_irq_io(v, 0));
}

/* Stage 2, msiwin: adopted; the trace tells where the requests went. */
TEST_F(iq, msi_window_read_adopted)
{
	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->msiwin)
		SKIP(return, "scenario msiwin only");
	ASSERT_TRUE(kt_klog_has("keepalive: adopted"))
		TH_LOG("the controller was not adopted");
	TH_LOG("handover table: %s",
	       kt_klog_has("interrupt remapping kept on, on the handover table") ?
	       "kept on until this kernel's own" : "none");
}

/* Stage 2, corrupt: a damaged interrupt record: not adopted, reset. */
TEST_F(iq, corrupt_record_refused)
{
	uint32_t cc;

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->corrupt)
		SKIP(return, "scenario corrupt only");
	/* VT-d: the entry's source id; AMD-Vi: its vector, in the table copy */
	ASSERT_TRUE(kt_klog_has("its entry's source id is another device's") ||
		    kt_klog_has("its handover remapping table is not its recorded entries"));
	ASSERT_TRUE(kt_klog_has("not adopted: its interrupts were not handed over intact"));
	ASSERT_FALSE(kt_klog_has("keepalive: adopted"));
	cc = kt_pci_bar_rd32(self->bdf, 0, NVME_REG_CC);
	ASSERT_NE(~0U, cc);
	ASSERT_EQ(0, cc & NVME_CC_EN) TH_LOG("still running: CC %#x", cc);
	ASSERT_EQ(0, self->m.ctrl & PCI_MSIX_FLAGS_ENABLE)
		TH_LOG("MSI-X still enabled after the reset: %#x", self->m.ctrl);
}

/* Stage 1, abort: STOP holds an open device's interrupts, ABORT frees them. */
TEST_F(iq, abort_delivers)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	uint32_t pba;

	if (!variant->abort)
		SKIP(return, "scenario abort only");
	ASSERT_EQ(0, vmm_start(v, self->kadev, 0, true));
	ASSERT_EQ(0, vmm_keep(v, true));
	ASSERT_EQ(0, vmm_irq_io(v, 0));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t));
	ASSERT_EQ(0, kt_msix_read(self->bdf, &self->m));
	ASSERT_NE(0, self->m.ctrl & PCI_MSIX_FLAGS_MASKALL);
	/* A read completes; its interrupt waits in the device. */
	nvme_vfio_irq_wait(&v->vdev, VEC, 0);
	ASSERT_LE(0, nvme_vfio_submit_io(&v->nv, false, 0, READ_LBAS, v->buf));
	ASSERT_EQ(0, nvme_vfio_complete_io(&v->nv, 5000));
	ASSERT_EQ(0, nvme_vfio_irq_wait(&v->vdev, VEC, 500))
		TH_LOG("an interrupt reached the VMM while held");
	pba = nvme_vfio_rd32(&v->vdev, self->m.pba);
	ASSERT_NE(0, pba & 1 << VEC) TH_LOG("PBA %#x", pba);
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_ABORT, &t));
	ASSERT_LT(0, nvme_vfio_irq_wait(&v->vdev, VEC, FIRE_MS))
		TH_LOG("ABORT did not deliver the held interrupt");
	ASSERT_EQ(0, kt_msix_read(self->bdf, &self->m));
	ASSERT_EQ(0, self->m.ctrl & PCI_MSIX_FLAGS_MASKALL);
	ASSERT_NE(0, self->m.ctrl & PCI_MSIX_FLAGS_ENABLE);
	ASSERT_EQ(0, vmm_irq_io(v, READ_LBAS));
	TH_LOG("held from STOP (PBA %#x), delivered at ABORT, interrupts flow on",
	       pba);
}

int main(int argc, char **argv)
{
	return kt_harness_run(argc, argv, "held");
}
