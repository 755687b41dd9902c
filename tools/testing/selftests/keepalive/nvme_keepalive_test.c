// SPDX-License-Identifier: GPL-2.0
/*
 * nvme_keepalive_test - an NVMe controller kept running across kexec.
 *
 * Stage 1 is a VMM: it binds the emulated NVMe controller to vfio-pci,
 * puts its queues and buffers in preserved memory files at a fixed IOVA,
 * writes a seeded pattern across NR_LBAS LBAs and reads it back, saves its
 * queue state into a preserved file, marks the device kept with its token
 * and exits; then PREPARE, PRE-STOP, STOP, and the harness kexecs. Stage 2
 * is the same VMM in the next kernel. What it must find depends on the
 * scenario on the command line (kt_scenario=, default "keep"):
 *
 * keep       The device was adopted at enumeration: bound to vfio-pci,
 *            bus master on. Opening it without its token, or with a wrong
 *            one, is refused with EPERM. With the right token the VMM
 *            restores its queue state and reads the pattern back on the
 *            same I/O queue pair, with zero admin commands and no write
 *            to CC; it writes and reads new data, and an I/O completion
 *            signals MSI-X vector 1 through its eventfd. CONCLUDE.
 * nokeep     Control: the same without marking the device. The host nvme
 *            driver binds it at boot; on vfio-pci again the controller is
 *            reset and the old queues are gone (restore: ENODEV, the
 *            admin queue registers cleared).
 * running    Control: marked, but the kexec is from RUNNING: it carries
 *            nothing and the device comes up as in nokeep.
 * unclaimed  The device is adopted but nobody reclaims it: CONCLUDE resets
 *            it and releases it, and the host nvme driver binds it.
 * two        Two controllers (--nvme 2), only the first kept: the first
 *            continues as in keep, the second comes up reset under the
 *            host driver as in nokeep.
 * mismatch   Kept, but after STOP its memory decoding is turned off behind
 *            keepalive's back: the next kernel finds it is not the device
 *            it recorded, resets it, says why, and it comes up as in
 *            nokeep.
 *
 * adoptfail  Kept, but the next kernel's adoption fails (an allocation,
 *            by fault injection from its command line): it resets the
 *            device, says why, and it comes up as in nokeep.
 * cycles     Kept across every kexec of the run (--stages N): each stage
 *            reclaims the controller, checks the previous stage's data,
 *            writes its own, concludes, marks it again and hands it over;
 *            the pool usage is the same in every stage.
 * early      Kept as in keep; stage 2's VMM resumes before it maps
 *            (issue 25): it opens the controller with its token, restores
 *            the queues and arms MSI-X again without mapping its DMA file,
 *            reads stage 1's pattern and takes an interrupt (the DMA goes
 *            through the handover tables); POST-RESUME is refused (EBUSY,
 *            the control) until it maps the file, then switches. Prints the
 *            pause (open to resumed) and the time to POST-RESUME.
 * soak       cycles, over many kexecs (--stages 21: 20 kexecs), an
 *            interrupt taken in each kernel, with the
 *            figures of each cycle printed ("# soak: cycle=N ..."): the
 *            image the previous kernel sealed (keepalive_receive), the
 *            handover table pages of this kernel's capture, the pool's
 *            usage after CONCLUDE, kmemleak's count of keepalive's leaks
 *            (first and last cycle, and every SOAK_LEAK_EVERY-th), the
 *            reclaim's time. Test soak_flat: each figure the same in every
 *            cycle as in the first, no leak.
 * soakgrow   Control of soak_flat: the VMM keeps one more 4 KiB preserved
 *            file each cycle (it retrieves the old ones): pool usage and
 *            image grow, and soak_flat must fail.
 * sweep      Kept as in keep, and the next kernel's kt_fail_nth-th fault
 *            consultation fails (keepalive.fail=1,100,N,1; none for 0).
 *            Whatever step that hits, from receiving the handover to
 *            CONCLUDE, the ending must be safe: either the controller was
 *            adopted, and its VMM reclaims it and continues with the same
 *            I/O queue (or, its reclaim refused, CONCLUDE resets and
 *            releases it),
 *            or it was not adopted and was reset at enumeration. That
 *            kernel has no nvme driver (initcall_blacklist), so the resets
 *            are read from the controller itself: only keepalive can have
 *            made them. Its files are retrieved intact or released at
 *            CONCLUDE, the pool is back to stage 1's usage. The test says
 *            whether the injection fired: scripts/check.sh's resume_sweep
 *            runs N = 1, 2, ... until it does not.
 *
 * ctl        Stage 1 as running; then keepalivectl update (vm/ctl_update.sh)
 *            walks the state machine and kexecs with kexec-tools' kexec -s:
 *            stage 2 as keep.
 * ctlabort   Stage 1 as running; keepalivectl update fails or is
 *            interrupted before the kexec and aborts (vm/ctl_abort.sh);
 *            the harness then kexecs from RUNNING: stage 2 as running.
 * kexecload  Stage 1 as running; a script walks to STOP and kexecs with
 *            kexec -c (kexec_load, vm/ctl_kexec_load.sh), which carries no
 *            handover: stage 2 as running.
 *
 * Run "keep" with --root-ports too: the kexec must keep bus mastering on
 * in the PCIe root port above the controller, or the next kernel refuses
 * to adopt it (its DMA was cut).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "ka_uapi.h"
#include "kt_harness.h"
#include "nvme_vmm.h"

#define NR_LBAS		2048	/* 1 MiB of 512-byte LBAs */
#define SEED		0x1234
#define SEED2		0x5678
#define SOAK_LEAK_EVERY	5	/* kmemleak scan every Nth cycle (about 10 s) */

/* Wait up to 10 s for @bdf to be bound to @drv. */
static bool wait_driver(const char *bdf, const char *drv)
{
	return kt_wait_driver(bdf, drv, 10000);
}

/* Wait up to 10 s for the host nvme driver to show @bdf's namespace 1. */
static bool wait_namespace(const char *bdf)
{
	char pattern[128];
	glob_t g;

	snprintf(pattern, sizeof(pattern),
		 "/sys/bus/pci/devices/%s/nvme/nvme*/nvme*n1", bdf);
	for (int i = 0; i < 1000; i++) {
		bool found = !glob(pattern, 0, NULL, &g);

		globfree(&g);
		if (found)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * Offset in the kernel log of the first line that names @bdf and says @what,
 * or -1 when there is none.
 */
static long klog_dev_line(const char *bdf, const char *what)
{
	const char *log = kt_klog(), *line = log, *end;

	for (; *line; line = *end ? end + 1 : end) {
		const char *w = strstr(line, what), *b = strstr(line, bdf);

		end = strchrnul(line, '\n');
		if (w && b && w < end && b < end)
			return line - log;
	}
	return -1;
}

/* @bdf was adopted at enumeration: vfio-pci's only, running, logged. */
static void assert_adopted(struct __test_metadata *_metadata, const char *bdf)
{
	char drv[32], ovr[32], path[128];
	int cmd = kt_pci_command(bdf, 0);

	ASSERT_LE(0, cmd);
	kt_pci_driver(bdf, drv, sizeof(drv));
	ASSERT_STREQ("vfio-pci", drv);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	ASSERT_EQ(0, kt_read_line(path, ovr, sizeof(ovr)));
	ASSERT_STREQ("vfio-pci", ovr);
	/* Nobody turned it off: not the kexec, not enumeration, not vfio. */
	ASSERT_EQ(PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY,
		  cmd & (PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY));
	ASSERT_LE(0, klog_dev_line(bdf, "keepalive: adopted"));
}

/*
 * Stage 1, sweep: pass on what stage 2 checks (the checksums of the
 * controller's files as saved, the pool usage with them), keep the nvme
 * driver out of the next kernel and arm its fault injection: its
 * kt_fail_nth-th consultation fails.
 */
static void sweep_arm(struct __test_metadata *_metadata, struct vmm *v)
{
	unsigned long long nth = kt_cmdline_num("kt_fail_nth", 0);
	char words[192];
	int n;

	n = snprintf(words, sizeof(words),
		     "kt_dma_sum=%#llx kt_state_sum=%#llx kt_used=%lld initcall_blacklist=nvme_init",
		     (unsigned long long)ka_checksum(v->mem.va, VMM_DMA_SIZE),
		     (unsigned long long)ka_checksum(v->state, VMM_STATE_SIZE),
		     ka_sysfs_num("pool_used"));
	if (nth)
		snprintf(words + n, sizeof(words) - n,
			 " keepalive.fail=1,100,%llu,1", nth);
	ASSERT_EQ(0, kt_cmdline_append(words));
}

/* Add a phrase to the sweep's account of what happened, and log it. */
static void sweep_note(struct __test_metadata *_metadata, char *acc,
		       size_t len, const char *fmt, ...)
{
	size_t n = strlen(acc);
	va_list ap;

	if (n && n + 2 < len) {
		strcpy(acc + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(acc + n, len - n, fmt, ap);
	va_end(ap);
	TH_LOG("%s", acc + n);
}

/*
 * Sweep: @bdf is bound to no driver (the kernel has none for it) and its
 * controller is disabled (CC.EN and CSTS.RDY clear, read through sysfs):
 * the controller that ran through the kexec was reset by keepalive.
 */
static void assert_stopped(struct __test_metadata *_metadata, const char *bdf)
{
	uint32_t cc = kt_pci_bar_rd32(bdf, 0, NVME_REG_CC);
	uint32_t csts = kt_pci_bar_rd32(bdf, 0, NVME_REG_CSTS);
	char drv[32];

	kt_pci_driver(bdf, drv, sizeof(drv));
	ASSERT_STREQ("", drv);
	ASSERT_NE(~0U, cc);
	ASSERT_EQ(0, cc & NVME_CC_EN)
		TH_LOG("%s is running: CC %#x, CSTS %#x", bdf, cc, csts);
	ASSERT_EQ(0, csts & NVME_CSTS_RDY);
}

/* A number of the fail_keepalive attribute in debugfs, or -1. */
static long long fault_attr(const char *knob)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), KA_DEBUGFS "fail_keepalive/%s", knob);
	return kt_read_line(path, val, sizeof(val)) ? -1 :
	       strtoll(val, NULL, 0);
}

FIXTURE(nk)
{
	int kadev;
	struct vmm v[2];
	char bdf[2][32];
	int nr;
};

/*
 * The scenarios above, as what each does: stage 1 (the first kernel) and
 * what stage 2 must find. In ctl, ctlabort and kexecload a script, not
 * this test, walks the state machine and kexecs (vm/ctl_*.sh): stage 1 is
 * running's (the device kept, no transition), stage 2 that of what the
 * kexec must have left.
 */
FIXTURE_VARIANT(nk)
{
	bool two;		/* two controllers, only the first kept */
	/* Stage 1 */
	bool keep;		/* the VMM marks controller 0 */
	bool stop;		/* then PREPARE, PRE-STOP, STOP */
	bool sweep;		/* arm the next kernel's fault injection */
	bool mismatch;		/* memory decoding off after STOP */
	const char *next_cmdline;	/* words for the next kernel */
	/* Stage 2 */
	bool adopted;		/* controller 0 adopted at enumeration */
	const char *not_adopted;	/* else the log says why */
	bool token_refused;	/* only its token opens it */
	bool cold;		/* the controller not kept came up reset */
	bool no_handover;	/* ...and the files are gone too */
	bool continues;		/* controller 0 goes on where it was */
	bool cycles;		/* handed over again in every stage */
	bool soak;		/* ...with figures, flat from cycle to cycle */
	bool early;		/* the VMM resumes before it maps its DMA file */
	bool grow;		/* ...and one more file every cycle (control) */
	bool unclaimed;		/* nobody reclaims it: CONCLUDE releases it */
};

FIXTURE_VARIANT_ADD(nk, keep) {
	.keep = true, .stop = true,
	.adopted = true, .token_refused = true, .continues = true,
};

FIXTURE_VARIANT_ADD(nk, nokeep) {
	.stop = true,
	.cold = true,
};

FIXTURE_VARIANT_ADD(nk, running) {
	.keep = true,
	.cold = true, .no_handover = true,
};

FIXTURE_VARIANT_ADD(nk, unclaimed) {
	.keep = true, .stop = true,
	.adopted = true, .unclaimed = true,
};

FIXTURE_VARIANT_ADD(nk, two) {
	.two = true, .keep = true, .stop = true,
	.adopted = true, .cold = true, .continues = true,
};

FIXTURE_VARIANT_ADD(nk, mismatch) {
	.keep = true, .stop = true, .mismatch = true,
	.not_adopted = "keepalive: not adopted: command register",
	.cold = true,
};

/*
 * The next kernel consults fail_keepalive at early receive (accept, copy,
 * ranges), before the memfd, iommu, irq and vfio resumes, at the records'
 * allocation, then at the adoption: make the 9th, the adoption, fail.
 */
FIXTURE_VARIANT_ADD(nk, adoptfail) {
	.keep = true, .stop = true,
	.next_cmdline = "keepalive.fail=1,100,9,1",
	.not_adopted = "keepalive: not adopted: out of memory",
	.cold = true,
};

FIXTURE_VARIANT_ADD(nk, cycles) {
	.keep = true, .stop = true,
	.adopted = true, .cycles = true,
};

FIXTURE_VARIANT_ADD(nk, early) {
	.keep = true, .stop = true,
	.adopted = true, .early = true,
};

FIXTURE_VARIANT_ADD(nk, soak) {
	.keep = true, .stop = true,
	.adopted = true, .cycles = true, .soak = true,
};

FIXTURE_VARIANT_ADD(nk, soakgrow) {
	.keep = true, .stop = true,
	.adopted = true, .cycles = true, .soak = true, .grow = true,
};

FIXTURE_VARIANT_ADD(nk, sweep) {
	.keep = true, .stop = true, .sweep = true,
};

FIXTURE_VARIANT_ADD(nk, ctl) {
	.keep = true,
	.adopted = true, .token_refused = true, .continues = true,
};

FIXTURE_VARIANT_ADD(nk, ctlabort) {
	.keep = true,
	.cold = true, .no_handover = true,
};

FIXTURE_VARIANT_ADD(nk, kexecload) {
	.keep = true,
	.cold = true, .no_handover = true,
};

FIXTURE_SETUP(nk)
{
	int i;

	self->kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kadev);
	self->nr = variant->two ? 2 : 1;
	for (i = 0; i < 2; i++)
		vmm_reset(&self->v[i], i);
	for (i = 0; i < self->nr; i++)
		ASSERT_EQ(0, kt_find_pci(0x1b36, 0x0010, i, self->bdf[i],
					 sizeof(self->bdf[i])))
			TH_LOG("NVMe controller %d is missing", i);
}

FIXTURE_TEARDOWN(nk)
{
	for (int i = 0; i < self->nr; i++)
		vmm_exit(&self->v[i]);
	close(self->kadev);
}

/* Stage 1: run the controllers, keep the first (unless a control), STOP. */
TEST_F(nk, handover)
{
	bool keep = variant->keep;
	struct keepalive_transition t;

	if (kt_stage() != 1)
		SKIP(return, "stage 1 only");
	for (int i = 0; i < self->nr; i++) {
		struct vmm *v = &self->v[i];

		ASSERT_EQ(0, vmm_start(v, self->kadev, i, true));
		ASSERT_EQ(0, vmm_io(v, true, 0, NR_LBAS, SEED + i));
		ASSERT_EQ(0, vmm_io(v, false, 0, NR_LBAS, SEED + i));
		ASSERT_EQ(0, vmm_save(v));
		if (keep && i == 0)
			ASSERT_EQ(0, vmm_keep(v, true));
		if (variant->sweep && i == 0)
			sweep_arm(_metadata, v);
		/* The VMM goes away; a kept controller runs on. */
		vmm_exit(v);
		ASSERT_EQ(keep && i == 0,
			  !!(kt_pci_command(self->bdf[i], 0) & PCI_COMMAND_MASTER));
	}
	if (!variant->stop)
		return;		/* kexec from RUNNING: no handover */
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t))
		TH_LOG("STOP failed in %s: %d", t.participant, t.error);
	if (variant->mismatch)
		ASSERT_LE(0, kt_pci_command(self->bdf[0], PCI_COMMAND_MEMORY));
	if (variant->next_cmdline)
		ASSERT_EQ(0, kt_cmdline_append(variant->next_cmdline));
	if (variant->soak)
		ASSERT_EQ(0, kt_cmdline_append(KT_TRACE_BOOT));
}

/* Stage 2: how the first controller came up. */
TEST_F(nk, enumeration)
{
	char drv[32];

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (variant->sweep)
		SKIP(return, "scenario sweep: see the test sweep_ends_safely");
	kt_pci_driver(self->bdf[0], drv, sizeof(drv));
	if (!variant->adopted) {
		/* Cold: the host driver has it. */
		ASSERT_TRUE(wait_driver(self->bdf[0], "nvme"))
			TH_LOG("driver is \"%s\"", drv);
		ASSERT_FALSE(kt_klog_has("keepalive: adopted"));
		if (variant->not_adopted)
			ASSERT_TRUE(kt_klog_has(variant->not_adopted));
		return;
	}
	assert_adopted(_metadata, self->bdf[0]);
}

/* Stage 2, keep: only the VMM's token opens the device. */
TEST_F(nk, token_refused)
{
	uint8_t wrong[KEEPALIVE_TOKEN_SIZE];
	struct nvme_vfio_dev dev;
	char name[128];

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->token_refused)
		SKIP(return, "scenario keep only");
	ASSERT_EQ(-EPERM, nvme_vfio_dev_open(&dev, self->bdf[0], false));
	ASSERT_TRUE(kt_klog_has("kept for its VMM: open it as"));
	vmm_token(1, wrong);
	snprintf(self->v[0].bdf, sizeof(self->v[0].bdf), "%s", self->bdf[0]);
	vmm_name(&self->v[0], wrong, name, sizeof(name));
	ASSERT_EQ(-EPERM, nvme_vfio_dev_open(&dev, name, false));
	ASSERT_TRUE(kt_klog_has("wrong token: open refused"));
	/* The right token, but taking the device fails: nothing changes. */
	vmm_name(&self->v[0], self->v[0].token, name, sizeof(name));
	ASSERT_EQ(0, ka_fail_nth(1));
	ASSERT_EQ(-EIO, nvme_vfio_dev_open(&dev, name, false));
	ASSERT_EQ(0, ka_fail_nth(0));
	ASSERT_TRUE(kt_klog_has("keepalive: cannot enable: -5"));
	/* The refusals cost nothing: the right token still works. */
	ASSERT_EQ(0, vmm_reclaim(&self->v[0], self->kadev, 0, NULL));
	ASSERT_EQ(0, vmm_io(&self->v[0], false, 0, 16, SEED));
	/* The queues moved on: save them for the next open (test). */
	ASSERT_EQ(0, vmm_save(&self->v[0]));
}

/* Stage 2: a controller that was not kept was reset; its queues are gone. */
TEST_F(nk, reset_without_keepalive)
{
	int i = self->nr - 1;	/* the controller not kept */
	struct vmm *v = &self->v[i];
	struct nvme_vfio_state *st;

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->cold)
		SKIP(return, "the controls only");
	ASSERT_TRUE(wait_driver(self->bdf[i], "nvme"));
	/* The host driver's identify and namespace scan did their DMA. */
	ASSERT_TRUE(wait_namespace(self->bdf[i]))
		TH_LOG("%s has no namespace under the host nvme driver",
		       self->bdf[i]);
	if (variant->no_handover) {
		/* No handover: the files are gone too. */
		ASSERT_EQ(-ENOENT, ka_memfd_retrieve(self->kadev, "nvme0-dma",
						     v->token));
		return;
	}
	ASSERT_LE(0, nvme_vfio_bind(self->bdf[i]));
	/* Not adopted: a plain open, as for any vfio-pci device. */
	ASSERT_EQ(-ENODEV, vmm_reclaim(v, self->kadev, i, self->bdf[i]));
	ASSERT_EQ(0, nvme_vfio_dev_open(&v->vdev, self->bdf[i], false));
	st = v->state;
	ASSERT_EQ(0, nvme_vfio_rd32(&v->vdev, NVME_REG_CC) & NVME_CC_EN);
	ASSERT_NE(VMM_DMA_IOVA + st->aq.sq_off,
		  nvme_vfio_rd64(&v->vdev, NVME_REG_ASQ));
	TH_LOG("%s was reset: restore refused (ENODEV), CC.EN 0, the old admin queue gone",
	       self->bdf[i]);
	if (variant->two) {
		/* Not kept, same IOMMU unit: its own DMA works as ever. */
		ASSERT_EQ(0, nvme_vfio_init(&v->nv, &v->vdev, &v->mem, NULL));
		v->buf = nvme_vfio_alloc(&v->nv, VMM_CHUNK);
		ASSERT_NE(NULL, v->buf);
		ASSERT_EQ(0, vmm_io(v, true, 0, 64, SEED2));
		ASSERT_EQ(0, vmm_io(v, false, 0, 64, SEED2));
		TH_LOG("%s, not kept, does I/O through its own domain",
		       self->bdf[i]);
	} else {
		/* Nothing adopted: the handover ends. */
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, NULL));
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	}
}

/* Stage 2, keep and two: the first controller carries on where it was. */
TEST_F(nk, continues)
{
	struct vmm *v = &self->v[0];
	uint16_t qid;

	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->continues)
		SKIP(return, "scenarios keep and two only");
	ASSERT_EQ(0, vmm_reclaim(v, self->kadev, 0, NULL));
	qid = v->nv.st.ioq.qid;
	ASSERT_EQ(1, qid);
	/* The pattern of stage 1, on stage 1's I/O queue pair. */
	ASSERT_EQ(0, vmm_io(v, false, 0, NR_LBAS, SEED));
	ASSERT_EQ(0, v->nv.admin_cmds);
	ASSERT_EQ(0, v->vdev.cc_writes);
	ASSERT_EQ(NR_LBAS * v->nv.st.lba_size / VMM_CHUNK, v->nv.io_done);
	ASSERT_EQ(v->nv.io_done, v->nv.io_cmds);
	TH_LOG("stage 1's %d LBAs read back on I/O queue %u: %llu reads, "
	       "%llu admin commands, %llu CC writes",
	       NR_LBAS, qid, (unsigned long long)v->nv.io_done,
	       (unsigned long long)v->nv.admin_cmds,
	       (unsigned long long)v->vdev.cc_writes);
	/* New data, then an interrupt. */
	ASSERT_EQ(0, vmm_io(v, true, 0, NR_LBAS / 2, SEED2));
	ASSERT_EQ(0, vmm_io(v, false, 0, NR_LBAS / 2, SEED2));
	ASSERT_EQ(0, vmm_io(v, false, NR_LBAS / 2, NR_LBAS / 2, SEED));
	ASSERT_EQ(0, vmm_irq_io(v, 0));
	ASSERT_EQ(0, v->nv.admin_cmds);
	TH_LOG("new data written and read back; MSI-X vector 1 signalled a completion");
	ASSERT_EQ(qid, v->nv.st.ioq.qid);

	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	ASSERT_TRUE(kt_klog_has("keepalive: handed over to its VMM"));
	/* Still the VMM's, still running. */
	ASSERT_EQ(0, vmm_io(v, false, 0, 16, SEED2));
}

/*
 * Stage 2, early: resumed before the DMA file is mapped, through the
 * handover tables; POST-RESUME waits for the mapping.
 */
TEST_F(nk, resume_before_map)
{
	struct vmm *v = &self->v[0];
	double t0, paused, mapped, post;

	if (kt_stage() != 2 || !variant->early)
		SKIP(return, "scenario early, stage 2 only");
	t0 = kt_now_ms();
	ASSERT_EQ(0, vmm_retrieve(v, self->kadev, 0));
	ASSERT_EQ(0, vmm_attach_unmapped(v, NULL));
	paused = kt_now_ms() - t0;
	ASSERT_FALSE(v->nv.mapped);
	/* Stage 1's pattern and an interrupt, on stage 1's queues. */
	ASSERT_EQ(0, vmm_io(v, false, 0, NR_LBAS, SEED));
	ASSERT_EQ(0, vmm_irq_io(v, 0));
	ASSERT_EQ(0, v->nv.admin_cmds);
	/* Control: the VMM's domain maps nothing yet, so no switch. */
	ASSERT_EQ(-EBUSY, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	ASSERT_TRUE(kt_klog_has("its VMM's domain does not map IOVA"));
	ASSERT_EQ(0, vmm_map(v));
	mapped = kt_now_ms() - t0;
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	post = kt_now_ms() - t0;
	/* Now through the VMM's own domain. */
	ASSERT_EQ(0, vmm_io(v, true, 0, NR_LBAS / 2, SEED2));
	ASSERT_EQ(0, vmm_io(v, false, 0, NR_LBAS / 2, SEED2));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	ASSERT_TRUE(kt_klog_has("keepalive: handed over to its VMM"));
	TH_LOG("pause (open to resumed) %.1f ms; mapped at %.1f ms, POST-RESUME at %.1f ms",
	       paused, mapped, post);
}

/*
 * One cycle's figures (soak); -1: not taken. Each test runs in a process
 * of its own: cycles_carry_on passes them to soak_flat in SOAK_FIGURES.
 */
struct soak_figures {
	long long image_bytes, table_pages, pool_used, files, leaks;
};

#define SOAK_FIGURES	"/tmp/kt-soak-figures"

/* The number after @key in the last kernel log line holding @key, or -1. */
static long long klog_last_num(const char *key, const char *after)
{
	const char *log = kt_klog(), *p = log, *hit = NULL, *n;

	while ((p = strstr(p, key)))
		hit = p++;
	if (!hit)
		return -1;
	n = after ? strstr(hit, after) : hit + strlen(key);
	return n ? strtoll(n + (after ? strlen(after) : 0), NULL, 10) : -1;
}

/* The trace holds "@event: dev=@bdf @rest" (soak: a kept device's events). */
static bool traced_dev(const char *event, const char *bdf, const char *rest)
{
	char line[160];

	snprintf(line, sizeof(line), "%s: dev=%s %s", event, bdf, rest);
	return strstr(kt_trace(), line);
}

/* The soakgrow control's VMM: keep its old files, and one more. */
static void soak_grow(struct __test_metadata *_metadata, int kadev, int k)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE];
	char name[32];
	int fd, j;

	vmm_token(0, token);
	for (j = 2; j < k; j++) {
		snprintf(name, sizeof(name), "grow-%d", j);
		fd = ka_memfd_retrieve(kadev, name, token);
		ASSERT_LE(0, fd) TH_LOG("retrieve %s: %s", name, strerror(-fd));
		close(fd);
	}
	snprintf(name, sizeof(name), "grow-%d", k);
	fd = ka_memfd_create(kadev, name, 4096, token);
	ASSERT_LE(0, fd) TH_LOG("create %s: %s", name, strerror(-fd));
	close(fd);
}

/* Stages 2..N, cycles: carry on, then hand the controller over again. */
TEST_F(nk, cycles_carry_on)
{
	struct soak_figures soak = { -1, -1, -1, -1, -1 };
	struct keepalive_transition t;
	struct vmm *v = &self->v[0];
	char words[64];
	int k = kt_stage();
	const char *rx;
	double t0;
	FILE *f;

	if (!variant->cycles || k < 2)
		SKIP(return, "scenario cycles, stages 2 and later only");
	t0 = kt_now_ms();
	ASSERT_EQ(0, vmm_reclaim(v, self->kadev, 0, NULL));
	t0 = kt_now_ms() - t0;
	ASSERT_EQ(0, vmm_io(v, false, 0, NR_LBAS, k == 2 ? SEED : SEED + k - 1));
	ASSERT_EQ(0, v->nv.admin_cmds);
	/* An interrupt too, its two vectors armed as in stage 1. */
	if (variant->soak)
		ASSERT_EQ(0, vmm_irq_io(v, 0));
	if (variant->grow)
		soak_grow(_metadata, self->kadev, k);
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	if (variant->soak) {
		/* This boot's adoption and the reclaim, each with its event. */
		ASSERT_TRUE(traced_dev("keepalive_adopt", self->bdf[0], "adopted=1 "));
		ASSERT_TRUE(traced_dev("keepalive_reclaim", self->bdf[0], "ret=0"));
		/* soak_flat compares them with the first cycle's. */
		rx = strstr(kt_trace(), "keepalive_receive: ");
		ASSERT_NE(NULL, rx) TH_LOG("no keepalive_receive event");
		rx = strstr(rx, " bytes=");
		soak.image_bytes = rx ? strtoll(rx + 7, NULL, 10) : -1;
		soak.pool_used = ka_sysfs_num("pool_used");
		soak.files = ka_sysfs_num("files");
		if (k == 2 || kt_is_last_stage() || k % SOAK_LEAK_EVERY == 0)
			soak.leaks = kt_kmemleak_ours(stderr);
	} else if (k == 2) {
		/* Nothing but the two files is left of the handover. */
		snprintf(words, sizeof(words), "kt_used=%lld",
			 ka_sysfs_num("pool_used"));
		ASSERT_EQ(0, kt_cmdline_append(words));
	} else {
		ASSERT_EQ((long long)kt_cmdline_num("kt_used", 0),
			  ka_sysfs_num("pool_used"));
	}
	if (!variant->soak)
		ASSERT_EQ(2, ka_sysfs_num("files"));
	if (!kt_is_last_stage()) {
		ASSERT_EQ(0, vmm_io(v, true, 0, NR_LBAS, SEED + k));
		ASSERT_EQ(0, vmm_save(v));
		ASSERT_EQ(0, vmm_keep(v, true));
		vmm_exit(v);
		/* The close captured each part of the device: its events. */
		if (variant->soak) {
			ASSERT_TRUE(traced_dev("keepalive_device_hold", self->bdf[0],
					       "part=iommu ret=0 "));
			ASSERT_TRUE(traced_dev("keepalive_device_hold", self->bdf[0],
					       "part=irq ret=0 "));
		}
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t))
			TH_LOG("STOP failed in %s: %d", t.participant, t.error);
		/* This kernel's capture: "..., N table page(s), ...". */
		soak.table_pages = klog_last_num("keepalive: handover translation: ",
						 "range(s), ");
	}
	if (!variant->soak)
		return;
	fprintf(stderr, "# soak: cycle=%d image_bytes=%lld table_pages=%lld "
		"pool_used=%lld files=%lld kmemleak=%lld reclaim_ms=%.1f "
		"uptime_ms=%.0f\n", k - 1, soak.image_bytes, soak.table_pages, soak.pool_used,
		soak.files, soak.leaks, t0, kt_now_ms());
	f = fopen(SOAK_FIGURES, "w");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fwrite(&soak, sizeof(soak), 1, f));
	ASSERT_EQ(0, fclose(f));
}

/*
 * soak: every figure of this cycle as in the first (passed on by the
 * command line), and no leak where kmemleak looked.
 */
TEST_F(nk, soak_flat)
{
	static const char * const keys[] = {
		"kt_soak_image", "kt_soak_tables", "kt_soak_used", "kt_soak_files",
	};
	struct soak_figures soak;
	long long now[4];
	char words[160];
	int k = kt_stage(), i;
	FILE *f;

	if (!variant->soak || k < 2)
		SKIP(return, "scenarios soak and soakgrow, stages 2 and later only");
	f = fopen(SOAK_FIGURES, "r");
	ASSERT_NE(NULL, f) TH_LOG("cycles_carry_on left no figures");
	ASSERT_EQ(1, fread(&soak, sizeof(soak), 1, f));
	fclose(f);
	now[0] = soak.image_bytes;
	now[1] = soak.table_pages;
	now[2] = soak.pool_used;
	now[3] = soak.files;
	if (soak.leaks >= 0)
		ASSERT_EQ(0, soak.leaks) TH_LOG("cycle %d: keepalive leaked", k - 1);
	if (k == 2) {
		/* The first cycle's figures, for every later one. */
		ASSERT_LT(0, soak.image_bytes);
		ASSERT_LT(0, soak.table_pages);
		snprintf(words, sizeof(words), "%s=%lld %s=%lld %s=%lld %s=%lld",
			 keys[0], now[0], keys[1], now[1], keys[2], now[2],
			 keys[3], now[3]);
		ASSERT_EQ(0, kt_cmdline_append(words));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		/* The last kernel captures nothing: no table pages. */
		if (i == 1 && kt_is_last_stage())
			continue;
		ASSERT_EQ((long long)kt_cmdline_num(keys[i], 0), now[i])
			TH_LOG("cycle %d: %s is %lld, it was %llu in the first cycle",
			       k - 1, keys[i] + 8, now[i],
			       kt_cmdline_num(keys[i], 0));
	}
}

/* Stage 2, unclaimed: CONCLUDE resets the device and gives it back. */
TEST_F(nk, conclude_releases)
{
	if (kt_stage() != 2)
		SKIP(return, "stage 2 only");
	if (!variant->unclaimed)
		SKIP(return, "scenario unclaimed only");
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	ASSERT_TRUE(kt_klog_has("nobody reclaimed it: reset and released"));
	ASSERT_TRUE(wait_driver(self->bdf[0], "nvme"));
	/* Files nobody retrieved are gone with the handover. */
	ASSERT_EQ(0, ka_sysfs_num("files"));
	ASSERT_EQ(4096, ka_sysfs_num("pool_used"));
	/* The host driver brought the controller up: its disk appears. */
	for (int i = 0; i < 500 && access("/sys/block/nvme0n1", F_OK); i++)
		usleep(10000);
	ASSERT_EQ(0, access("/sys/block/nvme0n1", F_OK));
}

/*
 * Stage 2, sweep: the kt_fail_nth-th fault consultation of this kernel
 * failed, if there were that many. Only a safe ending passes (see the top
 * of the file); the last line says whether the injection fired.
 */
TEST_F(nk, sweep_ends_safely)
{
	unsigned long long nth = kt_cmdline_num("kt_fail_nth", 0);
	struct vmm *v = &self->v[0];
	const char *bdf = self->bdf[0];
	bool adopted, files, reclaimed = false, retried = false, fired;
	long long times, space, used, nfiles;
	struct keepalive_transition t;
	char acc[512] = "", why[96] = "", status[160];
	const char *log;
	long cold;
	int ret;

	if (kt_stage() != 2 || !variant->sweep)
		SKIP(return, "scenario sweep, stage 2 only");

	/*
	 * A failure in the early receive rejects the handover as a whole:
	 * nothing is adopted, but the kept-device list, read on its own,
	 * still names the controller: it is stopped and reset at
	 * enumeration, before any driver or the IOMMU driver sees it.
	 */
	ASSERT_EQ(0, kt_read_line(KA_SYSFS "handover", status, sizeof(status)));
	if (!strncmp(status, "rejected", 8)) {
		ASSERT_GT(0, klog_dev_line(bdf, "keepalive: adopted"));
		ASSERT_LE(0, klog_dev_line(bdf,
					   "keepalive: not adopted: the handover was rejected"))
			TH_LOG("%s was neither adopted nor stopped at enumeration",
			       bdf);
		assert_stopped(_metadata, bdf);
		ASSERT_NE(0, vmm_retrieve(v, self->kadev, 0));
		ASSERT_EQ(0, ka_sysfs_num("pool_objects"));
		ASSERT_EQ(4096, ka_sysfs_num("pool_used"));
		adopted = false;
		sweep_note(_metadata, acc, sizeof(acc),
			   "handover %s: nothing adopted, nothing held, stopped at enumeration",
			   status);
		goto fired;
	}

	/* Enumeration: adopted, or reset before any driver saw it. */
	adopted = klog_dev_line(bdf, "keepalive: adopted") >= 0;
	if (adopted) {
		assert_adopted(_metadata, bdf);
		sweep_note(_metadata, acc, sizeof(acc), "adopted");
	} else {
		cold = klog_dev_line(bdf, "keepalive: not adopted: ");
		ASSERT_LE(0, cold)
			TH_LOG("%s was neither adopted nor reset at enumeration",
			       bdf);
		log = strstr(kt_klog() + cold, "not adopted: ") + 13;
		snprintf(why, sizeof(why), "%.*s", (int)strcspn(log, ";\n"),
			 log);
		assert_stopped(_metadata, bdf);
		sweep_note(_metadata, acc, sizeof(acc),
			   "not adopted (%s): reset at enumeration", why);
	}

	/* The VMM's files: retrieved intact, or released at CONCLUDE. */
	ret = vmm_retrieve(v, self->kadev, 0);
	files = !ret;
	if (files) {
		ASSERT_EQ(kt_cmdline_num("kt_dma_sum", 0),
			  ka_checksum(v->mem.va, VMM_DMA_SIZE));
		ASSERT_EQ(kt_cmdline_num("kt_state_sum", 0),
			  ka_checksum(v->state, VMM_STATE_SIZE));
		sweep_note(_metadata, acc, sizeof(acc), "files retrieved intact");
	} else {
		sweep_note(_metadata, acc, sizeof(acc),
			   "files not retrieved (%s)", strerror(-ret));
	}

	/* The controller: goes on where it was, or was reset. */
	if (adopted && files) {
		ret = vmm_attach(v, NULL);
		reclaimed = !ret;
		/* A refusal leaves it as it was: running, still the VMM's. */
		ASSERT_NE(-ENODEV, ret)
			TH_LOG("adopted, but the controller no longer runs");
		ASSERT_NE(-EPERM, ret) TH_LOG("its own token was refused");
	}
	if (reclaimed) {
		ASSERT_EQ(1, v->nv.st.ioq.qid);
		ASSERT_EQ(0, vmm_io(v, false, 0, NR_LBAS, SEED));
		ASSERT_EQ(0, v->nv.admin_cmds);
		ASSERT_EQ(0, v->vdev.cc_writes);
		sweep_note(_metadata, acc, sizeof(acc),
			   "reclaimed: stage 1's data read back on I/O queue 1, 0 admin commands");
	} else if (adopted) {
		sweep_note(_metadata, acc, sizeof(acc), "reclaim refused (%s)",
			   files ? strerror(-ret) : "no files");
	}

	/* POST-RESUME: a failure leaves RESUME and says who; then again. */
	ret = ka_transition(self->kadev, KEEPALIVE_EV_POST_RESUME, &t);
	if (ret) {
		ASSERT_EQ(KEEPALIVE_STATE_RESUME, t.state);
		retried = true;
		sweep_note(_metadata, acc, sizeof(acc),
			   "post-resume failed in %s (%s), still in resume; again",
			   t.participant[0] ? t.participant : "the core",
			   strerror(-ret));
		ASSERT_EQ(0, ka_transition(self->kadev,
					   KEEPALIVE_EV_POST_RESUME, &t));
	}
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_CONCLUDE, &t));
	if (reclaimed) {
		ASSERT_LE(0, klog_dev_line(bdf, "keepalive: handed over to its VMM"));
		ASSERT_EQ(0, vmm_io(v, false, 0, 16, SEED));
		sweep_note(_metadata, acc, sizeof(acc), "handed over at conclude");
	} else if (adopted) {
		ASSERT_LE(0, klog_dev_line(bdf, "nobody reclaimed it: reset and released"));
		/*
		 * CONCLUDE resets it at once; vfio-pci lets it go in a work
		 * item after the transition (vka_release_fn()).
		 */
		ASSERT_TRUE(kt_wait_driver(bdf, "", 10000))
			TH_LOG("%s still bound 10 s after CONCLUDE", bdf);
		assert_stopped(_metadata, bdf);
		sweep_note(_metadata, acc, sizeof(acc),
			   "reset and released at conclude");
	}

	/* Left: the files retrieved, nothing else of the handover. */
	nfiles = (v->dma_fd >= 0) + (v->state_fd >= 0);
	used = (v->dma_fd >= 0 ? VMM_DMA_SIZE : 0) +
	       (v->state_fd >= 0 ? VMM_STATE_SIZE : 0);
	ASSERT_EQ(nfiles, ka_sysfs_num("files"));
	ASSERT_EQ(nfiles, ka_sysfs_num("pool_objects"));
	ASSERT_EQ(4096 + used, ka_sysfs_num("pool_used"));
	if (nfiles == 2)
		ASSERT_EQ((long long)kt_cmdline_num("kt_used", 0),
			  ka_sysfs_num("pool_used"));
	/* The VMM exits and destroys them: the pool is empty. */
	vmm_exit(v);
	if (nfiles) {
		ka_memfd_destroy(self->kadev, "nvme0-dma", v->token);
		ka_memfd_destroy(self->kadev, "nvme0-state", v->token);
	}
	ASSERT_EQ(4096, ka_sysfs_num("pool_used"));
	ASSERT_EQ(0, ka_sysfs_num("pool_objects"));

fired:
	/* Did the injection fire? "times" is still 1 when it did not. */
	times = fault_attr("times");
	space = fault_attr("space");
	fired = nth && times == 0;
	if (nth && !fired)
		fprintf(stderr, "# sweep: nth=%llu fired=no times=%lld consultations=%lld: %s\n",
			nth, times, (long long)nth - space, acc);
	else
		fprintf(stderr, "# sweep: nth=%llu fired=%s times=%lld: %s\n",
			nth, fired ? "yes" : "no", times, acc);
	if (!fired) {
		/* No failure: exactly the keep scenario. */
		ASSERT_TRUE(adopted && reclaimed && !retried);
		if (nth)
			ASSERT_EQ(1, times);
	}
}

/* Last: whatever the scenario did, keepalive's code leaked nothing. */
TEST_F(nk, no_leaks)
{
	if (kt_stage() < 2 || !kt_is_last_stage())
		SKIP(return, "the last stage only");
	ASSERT_EQ(0, kt_kmemleak_ours(stderr));
}

int main(int argc, char **argv)
{
	return kt_harness_run(argc, argv, "keep");
}
