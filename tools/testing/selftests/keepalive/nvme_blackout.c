// SPDX-License-Identifier: GPL-2.0
/*
 * nvme_blackout - the blackout of an NVMe controller across kexec, with
 * and without keepalive (a benchmark, not a test).
 *
 *   vmtest.sh -r '*:out/nvme_blackout' --stages 2 --no-kunit --qemu-opts "-smp 1"
 *   vmtest.sh -r '*:out/nvme_blackout' --stages 2 --no-kunit --qemu-opts "-smp 1" \
 *	-a kb_mode=cold
 *
 * kb_mode=keep (the default):
 * Stage 1  A VMM runs the controller, marks it kept and exits; PREPARE,
 *          PRE-STOP, STOP; kexec.
 * Stage 2  The VMM reclaims the controller and completes its first I/O on
 *          the queues of stage 1: the keepalive blackout, from the last
 *          I/O completed in stage 1 to this one, with its phases.
 *
 * kb_mode=cold:
 * Stage 1  The same VMM exits without keepalive; kexec from RUNNING.
 * Stage 2  The floor: from the last I/O of stage 1 to the point in
 *          userspace where the keepalive VMM begins to reclaim. Then the
 *          cold restart: the controller came up under the host driver; the
 *          VMM binds it to vfio-pci, resets and initialises it (identify,
 *          create queues) and completes its first I/O.
 *
 * One vCPU: with two, TCG's TSCs fail the kernel's sync check, the kernel
 * falls back to the HPET and boot times vary by seconds between runs.
 * make demo runs both and prints the ratios.
 *
 * Times come from the TSC, which runs on across kexec (under TCG it is the
 * host's), at the frequency the kernel calibrated. Kernel entry is
 * estimated as the TSC now minus CLOCK_MONOTONIC, which starts a few
 * milliseconds after entry; the adoption time is the timestamp of the
 * kernel's "keepalive: adopted" line. Under TCG absolute times are
 * inflated: compare the ratios. Prints "bench:" lines; exits non-zero if
 * a step failed, so that no figure is printed for a path that did not
 * work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ka_uapi.h"
#include "kt_util.h"
#include "nvme_vmm.h"

#define NR_LBAS	256
#define SEED	0xb1ac

static double khz;	/* TSC kHz */

static uint64_t tsc(void)
{
	return __builtin_ia32_rdtsc();
}

static double ms(uint64_t cycles)
{
	return cycles / khz;
}

/* The TSC frequency the kernel calibrated, in kHz. */
static double tsc_khz(void)
{
	static const char * const keys[] = {
		"Refined TSC clocksource calibration: ", "tsc: Detected ",
	};
	const char *klog = kt_klog(), *p;
	double mhz;

	for (int i = 0; i < 2; i++) {
		p = strstr(klog, keys[i]);
		if (p && sscanf(p + strlen(keys[i]), "%lf MHz", &mhz) == 1)
			return mhz * 1000;
	}
	return 0;
}

/* Seconds since boot of the first kernel log line containing @what. */
static double klog_time(const char *what)
{
	const char *klog = kt_klog(), *p = strstr(klog, what), *l;
	double t;

	if (!p)
		return -1;
	for (l = p; l > klog && l[-1] != '\n'; l--)
		;
	return sscanf(l, "<%*d>[%lf]", &t) == 1 ||
	       sscanf(l, "[%lf]", &t) == 1 ? t : -1;
}

/* The TSC at kernel entry, estimated from CLOCK_MONOTONIC. */
static uint64_t tsc_at_entry(void)
{
	struct timespec ts;
	uint64_t now = tsc();

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return now - (uint64_t)((ts.tv_sec * 1e3 + ts.tv_nsec / 1e6) * khz);
}

static uint64_t arg(const char *key)
{
	char val[32];

	if (kt_cmdline_get(key, val, sizeof(val))) {
		fprintf(stderr, "nvme_blackout: %s missing from the command line\n",
			key);
		exit(1);
	}
	return strtoull(val, NULL, 0);
}

static void pass_on(const char *key, uint64_t val)
{
	char w[64];

	snprintf(w, sizeof(w), "%s=%llu", key, (unsigned long long)val);
	if (kt_cmdline_append(w))
		exit(1);
}

#define CHECK(x) do {							\
	int __r = (x);							\
	if (__r) {							\
		fprintf(stderr, "nvme_blackout: %s: %d\n", #x, __r);	\
		exit(1);						\
	}								\
} while (0)

static void step(int kadev, enum keepalive_event ev, const char *key)
{
	uint64_t t0 = tsc();

	CHECK(ka_transition(kadev, ev, NULL));
	pass_on(key, tsc() - t0);
}

/* Run the controller; the TSC when its last I/O completed. */
static uint64_t run_vmm(struct vmm *v, int kadev)
{
	CHECK(vmm_start(v, kadev, 0, false));
	CHECK(vmm_io(v, true, 0, NR_LBAS, SEED));
	CHECK(vmm_io(v, false, 0, 128, SEED));	/* the last I/O */
	return tsc();
}

static void stage1(int kadev)
{
	struct vmm v;
	uint64_t t;

	pass_on("kb_last", run_vmm(&v, kadev));
	t = tsc();
	CHECK(vmm_save(&v));
	CHECK(vmm_keep(&v, true));
	vmm_exit(&v);
	pass_on("kb_exit", tsc() - t);
	step(kadev, KEEPALIVE_EV_PREPARE, "kb_prepare");
	step(kadev, KEEPALIVE_EV_PRE_STOP, "kb_pre_stop");
	step(kadev, KEEPALIVE_EV_STOP, "kb_stop");
	pass_on("kb_stopped", tsc());
}

static void stage2(int kadev)
{
	uint64_t user = tsc(), entry = tsc_at_entry(), reclaimed, first;
	uint64_t last1 = arg("kb_last"), stopped = arg("kb_stopped");
	double adopted = klog_time("keepalive: adopted");
	uint64_t adopt_tsc = entry + (uint64_t)(adopted * 1e3 * khz);
	struct vmm v;

	CHECK(adopted < 0);
	CHECK(vmm_reclaim(&v, kadev, 0, NULL));
	reclaimed = tsc();
	CHECK(vmm_io(&v, false, 0, 128, SEED));	/* the first I/O */
	first = tsc();
	CHECK(v.nv.admin_cmds != 0);

	printf("bench: keepalive blackout %.1f ms (last I/O before kexec to first I/O after)\n",
	       ms(first - last1));
	printf("bench:   VMM save, mark, exit      %8.2f ms\n", ms(arg("kb_exit")));
	printf("bench:   PREPARE                  %8.2f ms\n", ms(arg("kb_prepare")));
	printf("bench:   PRE-STOP                 %8.2f ms\n", ms(arg("kb_pre_stop")));
	printf("bench:   STOP                     %8.2f ms\n", ms(arg("kb_stop")));
	printf("bench:   STOP to kernel entry     %8.2f ms (shutdown, kexec, decompression)\n",
	       ms(entry - stopped));
	printf("bench:   entry to adoption        %8.2f ms (early boot, PCI enumeration)\n",
	       ms(adopt_tsc - entry));
	printf("bench:   adoption to userspace    %8.2f ms (rest of boot)\n",
	       ms(user - adopt_tsc));
	printf("bench:   VMM reclaim              %8.2f ms (files, open with token, restore)\n",
	       ms(reclaimed - user));
	printf("bench:   first I/O                %8.2f ms\n", ms(first - reclaimed));
	printf("bench-data: keep_blackout_ms=%.3f keep_user_ms=%.3f khz=%.0f "
	       "stopped=%llu entry=%llu\n",
	       ms(first - last1), ms(user - last1), khz,
	       (unsigned long long)stopped, (unsigned long long)entry);
	CHECK(ka_transition(kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	CHECK(ka_transition(kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	vmm_exit(&v);
}

/* Cold mode, stage 1: the VMM runs the controller and exits, not kept. */
static void cold1(int kadev)
{
	struct vmm v;
	uint64_t last = run_vmm(&v, kadev);

	vmm_exit(&v);
	pass_on("kb_last", last);
	pass_on("kb_exit", tsc() - last);
	pass_on("kb_stopped", tsc());
}

/* Cold mode, stage 2: the floor, then the cold restart. */
static void cold2(int kadev)
{
	uint64_t user = tsc(), entry = tsc_at_entry(), last = arg("kb_last");
	uint64_t first;
	struct vmm v;

	/* Rebind, reset, identify, create queues, first I/O. */
	CHECK(vmm_start(&v, kadev, 0, false));
	CHECK(v.nv.admin_cmds == 0);
	CHECK(vmm_io(&v, false, 0, 128, SEED));	/* the data survived */
	first = tsc();
	vmm_exit(&v);

	printf("bench: floor %.1f ms (plain kexec, nothing kept: "
	       "last I/O before kexec to userspace)\n",
	       ms(user - last));
	printf("bench:   VMM exit (vfio-pci resets) %8.2f ms\n", ms(arg("kb_exit")));
	printf("bench:   exit to kernel entry     %8.2f ms (shutdown, kexec, decompression)\n",
	       ms(entry - arg("kb_stopped")));
	printf("bench:   entry to userspace       %8.2f ms\n", ms(user - entry));
	printf("bench: cold restart blackout %.1f ms (last I/O before kexec to first I/O after)\n",
	       ms(first - last));
	printf("bench:   VMM: bind, reset, identify, create queues, first I/O "
	       "%.2f ms (%llu admin commands)\n",
	       ms(first - user), (unsigned long long)v.nv.admin_cmds);
	printf("bench-data: floor_ms=%.3f cold_blackout_ms=%.3f khz=%.0f "
	       "stopped=%llu entry=%llu\n",
	       ms(user - last), ms(first - last), khz,
	       (unsigned long long)arg("kb_stopped"), (unsigned long long)entry);
}

int main(void)
{
	int kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	char mode[16];

	setvbuf(stdout, NULL, _IOLBF, 0);
	khz = tsc_khz();
	if (kadev < 0 || khz <= 0) {
		fprintf(stderr, "nvme_blackout: no /dev/keepalive or no TSC frequency\n");
		return 1;
	}
	if (kt_cmdline_get("kb_mode", mode, sizeof(mode)))
		strcpy(mode, "keep");
	if (!strcmp(mode, "keep"))
		kt_stage() == 1 ? stage1(kadev) : stage2(kadev);
	else if (!strcmp(mode, "cold"))
		kt_stage() == 1 ? cold1(kadev) : cold2(kadev);
	else
		return 1;
	close(kadev);
	return 0;
}
