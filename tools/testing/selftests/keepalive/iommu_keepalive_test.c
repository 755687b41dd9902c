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
 * early         Control (--slow-nvme long enough for the read to end
 *               after the reclaim): as inflight, but right after the VMM
 *               attaches its container, with nothing mapped yet, the hold
 *               is released by force (debugfs iommu_release): the read's
 *               DMA faults, its data and completion are lost, and
 *               inflight_read_completed must fail.
 * corrupt       Kept, but after STOP the device's IOMMU record is damaged
 *               (debugfs corrupt "iommu": domain id 0): the next kernel
 *               says why, does not adopt the controller and resets it.
 * rejected      An ending off the supported path. Kept as in inflight,
 *               but after STOP the header's checksum is damaged (debugfs
 *               corrupt "hdr-crc"): the next kernel refuses the handover,
 *               and no participant adopts anything. The kept-device list
 *               still names the controller: it is stopped (bus master off,
 *               function reset) at enumeration, before the IOMMU driver
 *               turns translation off. The canary: both kernels boot with
 *               memmap=2M$0x40000000 (the VMM's IOVAs, CANARY_PHYS, as
 *               host memory nobody else uses), stage 1 fills it through
 *               /dev/mem, and once the read's latency has passed in the
 *               next kernel it must be intact: a read going on
 *               untranslated would land its completion there. Run with
 *               --mem 2G, so that it is RAM, and iommu=pt, so that the
 *               next kernel gives the controller an identity domain, as
 *               many hypervisor hosts do (with DMA domains its DMA would
 *               fault instead). Before the kept-device list, the
 *               completion landed in the canary.
 * skew          As rejected, but with the next kernel loaded before STOP,
 *               the vfio node is made another version of its format
 *               (corrupt "vfio-version") after STOP: the loaded kernel's
 *               boot note does not list that version, so the kexec
 *               carries no handover (a load after the damage is refused
 *               outright). Shutdown turns the controller's bus mastering
 *               off, and the next kernel, finding its place in the
 *               kept-device list, resets it at enumeration; the canary
 *               is intact. (A next kernel that takes the image but not
 *               that node falls back: KUnit keepalive_resume_order.)
 * abort         One kernel, a plain drive: the VMM keeps the controller
 *               open through PREPARE, PRE-STOP and STOP (at STOP the
 *               device is switched to its handover tables: I/O still
 *               works, the same mappings) and ABORT, which switches it
 *               back to the VMM's own domain id: I/O works on.
 * stopsweep     One kernel, a plain drive: the outgoing path's fault
 *               points swept. For N = 1, 2, ... the VMM opens and
 *               initialises the controller, marks it and closes it with
 *               the N-th fault consultation armed (the close's capture of
 *               the translation, then every callback of PREPARE, PRE-STOP
 *               and STOP), walks to STOP, and ABORTs. A failed capture
 *               leaves the controller unkept and stopped (bus master off);
 *               any other failure leaves it kept and running; every round
 *               ends in RUNNING with the pool as it was. The sweep ends at
 *               the first N that did not fire, and no object leaks.
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
#define FILL		0xa5
#define EARLY_WAIT_S	15		/* > the drive's latency in "early" */
/* Host memory at the VMM's IOVAs, reserved by memmap= in both kernels. */
#define CANARY_PHYS	VMM_DMA_IOVA
#define CANARY_SIZE	VMM_DMA_SIZE
#define CANARY		0x5a

FIXTURE(ik)
{
	int kadev;
	struct vmm v;
	char bdf[32];
};

/* The scenarios above, as what each does. */
FIXTURE_VARIANT(ik)
{
	bool handover;		/* stage 1 hands the controller over */
	bool keep;		/* the VMM marks it kept */
	bool load_first;	/* the next kernel loaded before STOP */
	const char *corrupt;	/* debugfs corrupt after STOP, or NULL */
	bool release_early;	/* iommu_release before the VMM maps */
	bool record_refused;	/* the next kernel refuses the IOMMU record */
	const char *ending;	/* off the supported path: the next kernel's word */
	bool abort;		/* one kernel: STOP with the VMM there, ABORT */
	bool stop_sweep;	/* one kernel: the outgoing fault points */
};

FIXTURE_VARIANT_ADD(ik, inflight) {
	.handover = true,
	.keep = true,
};

FIXTURE_VARIANT_ADD(ik, inflight_off) {
	.handover = true,
};

FIXTURE_VARIANT_ADD(ik, early) {
	.handover = true,
	.keep = true,
	.release_early = true,
};

FIXTURE_VARIANT_ADD(ik, corrupt) {
	.handover = true,
	.keep = true,
	.corrupt = "iommu",
	.record_refused = true,
};

FIXTURE_VARIANT_ADD(ik, rejected) {
	.handover = true,
	.keep = true,
	.corrupt = "hdr-crc",
	.ending = "not adopted: the handover was rejected",
};

FIXTURE_VARIANT_ADD(ik, skew) {
	.handover = true,
	.keep = true,
	.load_first = true,
	.corrupt = "vfio-version",
	.ending = "not adopted: the handover was none",
};

FIXTURE_VARIANT_ADD(ik, abort) {
	.abort = true,
};

FIXTURE_VARIANT_ADD(ik, stopsweep) {
	.stop_sweep = true,
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
	if (!variant->handover)
		SKIP(return, "not scenarios stopsweep and abort");
	if (variant->ending) {
		uint8_t *canary = malloc(CANARY_SIZE);

		ASSERT_NE(NULL, canary);
		memset(canary, CANARY, CANARY_SIZE);
		ASSERT_EQ(0, kt_devmem(CANARY_PHYS, canary, CANARY_SIZE, true))
			TH_LOG("no canary at %#llx: boot with memmap=2M$%#llx and --mem 2G",
			       CANARY_PHYS, CANARY_PHYS);
		free(canary);
	}
	ASSERT_EQ(0, vmm_start(v, self->kadev, 0, false));
	if (variant->keep)
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
	/* Loaded before the damage: the kexec itself must refuse to carry. */
	if (variant->load_first)
		ASSERT_EQ(0, kt_kexec_load_next());
	vmm_exit(v);
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t))
		TH_LOG("STOP failed in %s: %d", t.participant, t.error);
	if (variant->corrupt)
		ASSERT_EQ(0, ka_debugfs_write("corrupt", variant->corrupt));
}

static long long fault_times(void)
{
	char val[32];

	return kt_read_line(KA_DEBUGFS "fail_keepalive/times", val,
			    sizeof(val)) ? -1 : strtoll(val, NULL, 0);
}

/* The domain ids of the last "translated by its handover tables" line. */
static bool switched_dids(unsigned int *did, unsigned int *was)
{
	const char *log = kt_klog(), *p, *last = NULL;

	for (p = log; (p = strstr(p, "translated by its handover tables (domain id "));
	     p++)
		last = p;
	return last && sscanf(last, "translated by its handover tables (domain id %u, was %u)",
			      did, was) == 2;
}

/* Stage 1, abort: STOP with the VMM still there, then ABORT. */
TEST_F(ik, abort_restores_vmm_domain)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	unsigned int did, was, now;
	const char *rel;
	int n;

	if (!variant->abort)
		SKIP(return, "scenario abort only");
	ASSERT_EQ(0, vmm_start(v, self->kadev, 0, false));
	ASSERT_EQ(0, vmm_keep(v, true));
	ASSERT_EQ(0, vmm_io(v, true, 0, READ_LBAS, 1));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t));
	ASSERT_TRUE(switched_dids(&did, &was));
	ASSERT_NE(did, was);
	/* On the handover tables: the same mappings, the same data. */
	ASSERT_EQ(0, vmm_io(v, false, 0, READ_LBAS, 1));
	ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_ABORT, &t));
	rel = strstr(kt_klog(), "handover translation released (domain id ");
	ASSERT_NE(NULL, rel);
	n = sscanf(rel, "handover translation released (domain id %u", &now);
	ASSERT_EQ(1, n);
	ASSERT_EQ(was, now) TH_LOG("back on domain id %u, the VMM's was %u", now, was);
	ASSERT_EQ(0, vmm_io(v, true, 0, READ_LBAS, 2));
	ASSERT_EQ(0, vmm_io(v, false, 0, READ_LBAS, 2));
	TH_LOG("STOP moved the device from domain id %u to %u, ABORT back to %u; I/O throughout",
	       was, did, now);
}

/* Stage 1, stopsweep: every fault point from the close to STOP, in turn. */
TEST_F(ik, stop_sweep)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	long long used;
	unsigned int n;
	bool fired = true;
	char state[32];

	if (!variant->stop_sweep)
		SKIP(return, "scenario stopsweep only");
	ASSERT_EQ(0, vmm_start(v, self->kadev, 0, false));
	nvme_vfio_dev_close(&v->vdev);
	used = ka_sysfs_num("pool_used");
	for (n = 1; fired && n < 40; n++) {
		char name[128];
		bool kept;
		int ret;

		/*
		 * Opening releases a hold left by the last round (a failed
		 * PREPARE leaves the device marked, and a marked device opens
		 * only with its token): nothing else is held.
		 */
		ret = nvme_vfio_dev_open(&v->vdev, v->bdf, false);
		if (ret == -EPERM) {
			vmm_name(v, v->token, name, sizeof(name));
			ret = nvme_vfio_dev_open(&v->vdev, name, false);
		}
		ASSERT_EQ(0, ret);
		ASSERT_EQ(used, ka_sysfs_num("pool_used"))
			TH_LOG("round %u left pool memory behind", n - 1);
		ASSERT_EQ(0, nvme_vfio_init(&v->nv, &v->vdev, &v->mem, NULL));
		ASSERT_EQ(0, vmm_keep(v, true));
		ASSERT_EQ(0, ka_fail_nth(n));
		/* The mappings stay: the close captures them. */
		nvme_vfio_dev_close(&v->vdev);
		kept = kt_pci_command(self->bdf, 0) & PCI_COMMAND_MASTER;
		ret = ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t);
		if (!ret)
			ret = ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t);
		if (!ret)
			ret = ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t);
		fired = fault_times() == 0;
		ASSERT_EQ(0, ka_fail_nth(0));
		TH_LOG("n=%u fired=%d: %s%s%s", n, fired,
		       kept ? "kept" : "capture failed, not kept",
		       ret ? ", transition failed in " : "",
		       ret ? (t.participant[0] ? t.participant : "the core") : "");
		if (!kept)
			ASSERT_TRUE(kt_klog_has("cannot be held ("));
		ASSERT_TRUE(fired || (kept && !ret));
		ASSERT_EQ(0, ka_sysfs_state(state, sizeof(state)));
		if (strcmp(state, "running"))
			ASSERT_EQ(0, ka_transition(self->kadev,
						   KEEPALIVE_EV_ABORT, &t));
		ASSERT_EQ(0, ka_sysfs_state(state, sizeof(state)));
		ASSERT_STREQ("running", state);
	}
	ASSERT_FALSE(fired) TH_LOG("still firing after %u points", n - 1);
	/* The last round reached STOP and ABORTed: unmarked, released. */
	ASSERT_EQ(used, ka_sysfs_num("pool_used"));
	TH_LOG("%u fault points from the close to STOP, each undone", n - 2);
	ASSERT_EQ(0, kt_kmemleak_ours(stderr));
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
	if (variant->record_refused || variant->ending)
		SKIP(return, "not scenarios corrupt, rejected and skew");
	ASSERT_TRUE(kt_klog_has("keepalive: adopted"))
		TH_LOG("the controller was not adopted: the read is lost");
	ASSERT_EQ(0, vmm_retrieve(v, self->kadev, 0));
	vmm_name(v, v->token, name, sizeof(name));
	/* Container attached, nothing mapped: the device stays held. */
	ASSERT_EQ(0, nvme_vfio_dev_open(&v->vdev, name, false));
	if (variant->release_early) {
		/* The control: let go now, and let the read end meanwhile. */
		ASSERT_EQ(0, ka_debugfs_write("iommu_release", "1"));
		sleep(EARLY_WAIT_S);
	} else {
		ASSERT_EQ(-EBUSY, ka_transition(self->kadev,
						KEEPALIVE_EV_POST_RESUME, &t));
		ASSERT_STREQ("iommu", t.participant);
		ASSERT_TRUE(kt_klog_has("does not map IOVA"));
	}
	/* Map the memory: the completion is there already, no waiting. */
	ASSERT_EQ(0, nvme_vfio_restore(&v->nv, &v->vdev, &v->mem, v->state,
				       VMM_STATE_SIZE))
		TH_LOG("the controller is not running (or reports a fatal status)");
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
	ASSERT_TRUE(kt_klog_has("handover translation released"));
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
	if (!variant->record_refused)
		SKIP(return, "scenario corrupt only");
	ASSERT_TRUE(kt_klog_has("domain id is out of range"));
	ASSERT_TRUE(kt_klog_has("not adopted: its DMA translation was not handed over intact"));
	ASSERT_FALSE(kt_klog_has("keepalive: adopted"));
	cc = kt_pci_bar_rd32(self->bdf, 0, NVME_REG_CC);
	ASSERT_NE(~0U, cc);
	ASSERT_EQ(0, cc & NVME_CC_EN) TH_LOG("still running: CC %#x", cc);
}

/*
 * Stage 2, rejected and skew: the controller was stopped before anything
 * could turn its translation off, and nothing it did reached host memory.
 */
TEST_F(ik, ending_fail_safe)
{
	const char *why = variant->ending;
	uint8_t *canary;
	size_t i, bad = 0;
	uint32_t cc;
	int cmd;

	if (kt_stage() != 2 || !why)
		SKIP(return, "scenarios rejected and skew, stage 2 only");
	/* Had the controller gone on, its read would have ended by now. */
	sleep(EARLY_WAIT_S);
	/* First what matters: nothing reached host memory. */
	canary = malloc(CANARY_SIZE);
	ASSERT_NE(NULL, canary);
	ASSERT_EQ(0, kt_devmem(CANARY_PHYS, canary, CANARY_SIZE, false));
	for (i = 0; i < CANARY_SIZE; i++)
		bad += canary[i] != CANARY;
	for (i = 0; bad && canary[i] == CANARY; i++)
		;
	free(canary);
	ASSERT_EQ(0, bad)
		TH_LOG("%zu byte(s) of the canary overwritten, the first at %#llx: %s",
		       bad, CANARY_PHYS + i, "the controller's DMA went on untranslated");
	ASSERT_FALSE(kt_klog_has("keepalive: adopted"));
	ASSERT_TRUE(kt_klog_has(why)) TH_LOG("no \"%s\" in the log", why);
	cmd = kt_pci_command(self->bdf, 0);
	ASSERT_LE(0, cmd);
	ASSERT_EQ(0, cmd & PCI_COMMAND_MASTER) TH_LOG("bus master on: %#x", cmd);
	cc = kt_pci_bar_rd32(self->bdf, 0, NVME_REG_CC);
	ASSERT_NE(~0U, cc);
	ASSERT_EQ(0, cc & NVME_CC_EN) TH_LOG("still running: CC %#x", cc);

	TH_LOG("stopped at enumeration, canary intact after %d s", EARLY_WAIT_S);
}

int main(int argc, char **argv)
{
	return kt_harness_run(argc, argv, "inflight");
}
