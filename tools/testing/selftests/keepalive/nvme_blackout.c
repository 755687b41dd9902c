// SPDX-License-Identifier: GPL-2.0
/*
 * nvme_blackout - the blackout of an NVMe controller across kexec, with
 * and without keepalive (a benchmark, not a test). scripts/blackout.sh
 * runs it, alternating the modes, and turns what it prints into figures.
 *
 *   vmtest.sh -r '*:out/nvme_blackout' --stages 2 --no-kunit --qemu-opts "-smp 1"
 *   vmtest.sh -r '*:out/nvme_blackout' --stages 2 --no-kunit --qemu-opts "-smp 1" \
 *	-a kb_mode=cold
 *   vmtest.sh -r '1:out/nvme_blackout' --stages 1 --no-kunit --qemu-opts "-smp 1" \
 *	-a kb_mode=boot [--pool 0]
 *
 * In stage 1 of keep and cold, the next kernel is loaded (kexec_file_load,
 * the initramfs packed as the harness would) while the VMM still runs,
 * before its last I/O, as an operator loads it before stopping anything:
 * the window measured holds no load. The harness then only reboots
 * (vm/init, $KT_RUN/kexec-loaded).
 *
 * kb_mode=keep (the default):
 * Stage 1  A VMM runs the controller, marks it kept and exits; PREPARE,
 *          PRE-STOP, STOP; kexec.
 * Stage 2  The VMM reclaims the controller and completes its first I/O on
 *          the queues of stage 1.
 *
 * kb_mode=cold:
 * Stage 1  The same VMM exits without keepalive; kexec from RUNNING.
 * Stage 2  The VMM binds the controller to vfio-pci, resets and
 *          initialises it (identify, create queues) and completes its
 *          first I/O: the cold restart. Its userspace start is the floor
 *          (a plain kexec, nothing kept).
 *
 * kb_mode=boot: stage 1 only, the time from kernel entry to userspace (the
 * cost of a pool when nothing is kept, against --pool 0), and the memory
 * in use then (MemTotal - MemFree: the pool's struct pages, against
 * --pool 0).
 *
 * kb_mode=scale, kb_devices=D, kb_mem=M (vmtest -n D, a pool and a VM
 * large enough): D controllers kept, and M MiB more of preserved memory in
 * one file that controller 0's VMM maps for DMA at SCALE_IOVA. Stage 1
 * times PRE-STOP and STOP and reads the handover image's size and table
 * pages; stage 2 reads the pool's reservation and the image's validation,
 * the time from kernel entry to the last adoption, and times the pause
 * (every VMM back, before it maps), the mapping and pinning of every
 * file, the time to POST-RESUME, POST-RESUME and CONCLUDE (scale2()).
 *
 * Each stage prints one "bench-data:" line of raw TSC values (the TSC runs
 * on across kexec; under TCG it is the host's) and the TSC frequency the
 * kernel calibrated: the blackout spans two kernels, so the figures are
 * made outside, from both lines and the harness's "KT: TSC" report.
 * Kernel entry is estimated as the TSC now minus CLOCK_MONOTONIC, which
 * starts a few milliseconds after entry; adoption is the timestamp of the
 * last keepalive_adopt trace event, and the kernel's own figures (the
 * pool's reservation, the image's validation, each transition's time
 * under its lock, the image's size) are the fields of the keepalive trace
 * events. Under TCG absolute times are
 * inflated: compare the ratios. Exits non-zero if a step failed, so that
 * no figure is made of a path that did not work.
 *
 * One vCPU: with two, TCG's TSCs fail the kernel's sync check, the kernel
 * falls back to the HPET and boot times vary by seconds between runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ka_uapi.h"
#include "kt_util.h"
#include "nvme_vmm.h"

#include <linux/vfio.h>

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

/* The TSC at kernel entry, estimated from CLOCK_MONOTONIC. */
static uint64_t tsc_at_entry(void)
{
	struct timespec ts;
	uint64_t now = tsc();

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return now - (uint64_t)((ts.tv_sec * 1e3 + ts.tv_nsec / 1e6) * khz);
}

#define CHECK(x) do {							\
	int __r = (x);							\
	if (__r) {							\
		fprintf(stderr, "nvme_blackout: %s: %d\n", #x, __r);	\
		exit(1);						\
	}								\
} while (0)

/*
 * The kernel-side figures come from the keepalive trace events
 * (include/trace/events/keepalive.h), enabled in stage 1 through tracefs
 * and in stage 2 from its boot on (KT_TRACE_BOOT on its command line), as
 * perf or trace-cmd would take them on a host.
 *
 * The line of the last event @event ("keepalive_receive") whose text
 * holds @with ("" for any), or NULL.
 */
static const char *trace_last(const char *event, const char *with)
{
	const char *tr = kt_trace(), *p = tr, *hit = NULL, *eol;
	char key[64];

	snprintf(key, sizeof(key), " %s: ", event);
	while ((p = strstr(p, key))) {
		eol = strchrnul(p, '\n');
		if (!*with || memmem(p, eol - p, with, strlen(with)))
			hit = p;
		p = eol;
	}
	return hit;
}

/* The number after "@key=" on the line at @line, or 0. */
static unsigned long long trace_num(const char *line, const char *key)
{
	char k[40];
	const char *p, *eol;

	if (!line)
		return 0;
	eol = strchrnul(line, '\n');
	snprintf(k, sizeof(k), " %s=", key);
	p = memmem(line, eol - line, k, strlen(k));
	return p ? strtoull(p + strlen(k), NULL, 10) : 0;
}

/* Seconds since boot (local_clock) of the event at @line, or -1. */
static double trace_time(const char *line)
{
	const char *tr = kt_trace(), *p;

	if (!line)
		return -1;
	/* "...  12.345678: keepalive_adopt: ...": back over ": " to the number. */
	for (p = line; p > tr && p[-1] != ' '; p--)
		;
	return strtod(p, NULL) ?: -1;
}

/* A transition's own time in the kernel, in ns, from its event. */
static unsigned long long transition_ns(const char *event)
{
	char with[48];

	snprintf(with, sizeof(with), "event=%s ", event);
	return trace_num(trace_last("keepalive_transition", with), "ns");
}

/*
 * Run the controller; load the next kernel before the last I/O. The TSC
 * when that I/O completed.
 */
static uint64_t run_vmm(struct vmm *v, int kadev, double *load_ms)
{
	uint64_t t;

	CHECK(vmm_start(v, kadev, 0, false));
	CHECK(vmm_io(v, true, 0, NR_LBAS, SEED));
	t = tsc();
	CHECK(kt_kexec_load_next());
	*load_ms = ms(tsc() - t);
	CHECK(vmm_io(v, false, 0, 128, SEED));	/* the last I/O */
	return tsc();
}

static uint64_t step(int kadev, enum keepalive_event ev)
{
	uint64_t t0 = tsc();

	CHECK(ka_transition(kadev, ev, NULL));
	return tsc() - t0;
}

static void stage1(int kadev, bool keep)
{
	uint64_t user = tsc(), entry = tsc_at_entry();
	uint64_t last, t, exit_c, prep = 0, pre_stop = 0, stop = 0;
	double load_ms;
	struct vmm v;

	last = run_vmm(&v, kadev, &load_ms);
	t = tsc();
	if (keep) {
		CHECK(vmm_save(&v));
		CHECK(vmm_keep(&v, true));
	}
	vmm_exit(&v);
	exit_c = tsc() - t;
	if (keep) {
		prep = step(kadev, KEEPALIVE_EV_PREPARE);
		pre_stop = step(kadev, KEEPALIVE_EV_PRE_STOP);
		stop = step(kadev, KEEPALIVE_EV_STOP);
	}
	printf("bench-data: stage=1 mode=%s khz=%.0f boot_ms=%.3f load_ms=%.3f "
	       "last=%llu exit=%llu prepare=%llu pre_stop=%llu stop=%llu "
	       "stopped=%llu k_prepare_ns=%llu k_pre_stop_ns=%llu "
	       "k_stop_ns=%llu\n", keep ? "keep" : "cold", khz,
	       ms(user - entry), load_ms, (unsigned long long)last,
	       (unsigned long long)exit_c, (unsigned long long)prep,
	       (unsigned long long)pre_stop, (unsigned long long)stop,
	       (unsigned long long)tsc(), transition_ns("prepare"),
	       transition_ns("pre-stop"), transition_ns("stop"));
}

static void stage2_keep(int kadev)
{
	uint64_t user = tsc(), entry = tsc_at_entry(), reclaimed, first;
	double adopted = trace_time(trace_last("keepalive_adopt", "adopted=1 "));
	const char *rx = trace_last("keepalive_receive", "");
	struct vmm v;

	CHECK(adopted < 0);
	CHECK(!rx);
	CHECK(vmm_reclaim(&v, kadev, 0, NULL));
	reclaimed = tsc();
	CHECK(vmm_io(&v, false, 0, 128, SEED));	/* the first I/O */
	first = tsc();
	CHECK(v.nv.admin_cmds != 0);
	printf("bench-data: stage=2 mode=keep khz=%.0f entry=%llu adopted=%llu "
	       "user=%llu reclaimed=%llu first=%llu reserve_ns=%llu "
	       "validate_ns=%llu\n", khz, (unsigned long long)entry,
	       (unsigned long long)(entry + (uint64_t)(adopted * 1e3 * khz)),
	       (unsigned long long)user, (unsigned long long)reclaimed,
	       (unsigned long long)first, trace_num(rx, "reserve_ns"),
	       trace_num(rx, "validate_ns"));
	CHECK(ka_transition(kadev, KEEPALIVE_EV_POST_RESUME, NULL));
	CHECK(ka_transition(kadev, KEEPALIVE_EV_CONCLUDE, NULL));
	vmm_exit(&v);
}

static void stage2_cold(int kadev)
{
	uint64_t user = tsc(), entry = tsc_at_entry(), first;
	struct vmm v;

	/* Rebind, reset, identify, create queues, first I/O. */
	CHECK(vmm_start(&v, kadev, 0, false));
	CHECK(v.nv.admin_cmds == 0);
	CHECK(vmm_io(&v, false, 0, 128, SEED));	/* the data survived */
	first = tsc();
	printf("bench-data: stage=2 mode=cold khz=%.0f entry=%llu user=%llu "
	       "first=%llu admin_cmds=%llu\n", khz, (unsigned long long)entry,
	       (unsigned long long)user, (unsigned long long)first,
	       (unsigned long long)v.nv.admin_cmds);
	vmm_exit(&v);
}

#define SCALE_MAX	8
#define SCALE_IOVA	0x100000000ULL	/* above the VMM's own IOVAs */
#define SCALE_FILE	"bulk"

/* Map @len bytes of @fd for DMA in @container at SCALE_IOVA. */
static int map_bulk(int container, int fd, uint64_t len, void **va)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = SCALE_IOVA,
		.size = len,
	};

	*va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*va == MAP_FAILED)
		return -errno;
	map.vaddr = (uintptr_t)*va;
	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static uint8_t scale_token[KEEPALIVE_TOKEN_SIZE] = { 0x5c };

/*
 * Memory in use, MemTotal - MemFree, in kB: against a boot without a pool,
 * what the pool costs in RAM (its struct pages, mostly; the pool itself
 * is not RAM to the kernel). -1 when /proc/meminfo cannot be read.
 */
static long long used_kb(void)
{
	long long total = -1, free = -1, v;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %lld kB", &v) == 1)
			total = v;
		else if (sscanf(line, "MemFree: %lld kB", &v) == 1)
			free = v;
	}
	fclose(f);
	return total < 0 || free < 0 ? -1 : total - free;
}

/* used_kb() as the program starts, before it allocates anything. */
static long long used_at_start;

/*
 * The handover table pages of every capture of this kernel, from the
 * kernel log ("keepalive: handover translation: N range(s), P table
 * page(s)").
 */
static unsigned long long table_pages(void)
{
	static const char key[] = "keepalive: handover translation: ";
	const char *p = kt_klog();
	unsigned long long sum = 0, pages;
	unsigned int ranges;

	while ((p = strstr(p, key))) {
		p += strlen(key);
		if (sscanf(p, "%u range(s), %llu table page", &ranges, &pages) == 2)
			sum += pages;
	}
	return sum;
}

static void scale1(int kadev)
{
	unsigned int d = kt_cmdline_num("kb_devices", 1), i;
	uint64_t mem = kt_cmdline_num("kb_mem", 64) << 20, pre_stop, stop;
	static struct vmm v[SCALE_MAX];
	void *va;
	int fd;

	CHECK(d < 1 || d > SCALE_MAX);
	for (i = 0; i < d; i++) {
		CHECK(vmm_start(&v[i], kadev, i, false));
		CHECK(vmm_io(&v[i], true, 0, 16, SEED + i));
		CHECK(vmm_save(&v[i]));
		CHECK(vmm_keep(&v[i], true));
	}
	fd = ka_memfd_create(kadev, SCALE_FILE, mem, scale_token);
	CHECK(fd < 0);
	CHECK(map_bulk(v[0].vdev.container, fd, mem, &va));
	for (i = 0; i < d; i++)
		vmm_exit(&v[i]);
	munmap(va, mem);
	close(fd);
	CHECK(ka_transition(kadev, KEEPALIVE_EV_PREPARE, NULL));
	pre_stop = step(kadev, KEEPALIVE_EV_PRE_STOP);
	stop = step(kadev, KEEPALIVE_EV_STOP);
	printf("bench-data: stage=1 mode=scale khz=%.0f devices=%u mem_mb=%llu "
	       "pre_stop=%llu stop=%llu fdt_bytes=%llu files=%lld "
	       "k_pre_stop_ns=%llu k_stop_ns=%llu table_pages=%llu "
	       "pool=%lld used_kb=%lld\n", khz, d,
	       (unsigned long long)(mem >> 20), (unsigned long long)pre_stop,
	       (unsigned long long)stop,
	       trace_num(trace_last("keepalive_image_sealed", "ret=0 "), "bytes"),
	       ka_sysfs_num("files"), transition_ns("pre-stop"),
	       transition_ns("stop"), table_pages(), ka_sysfs_num("pool_size"),
	       used_at_start);
}

/*
 * Stage 2 of scale: the VMMs resume before they map (issue 25). The pause
 * is each VMM's retrieve of its files, open with its token, restore and
 * MSI-X: the guest could run from there, its DMA on the handover tables
 * (a read of each controller checks it). Then the mapping and pinning of
 * every file (map+pin), and POST-RESUME, which switches the devices once
 * their VMM's mapping covers the handover ranges.
 */
static void scale2(int kadev)
{
	unsigned int d = kt_cmdline_num("kb_devices", 1), i;
	uint64_t mem = kt_cmdline_num("kb_mem", 64) << 20;
	uint64_t t, tm, pause, reclaim, post, to_post, concl;
	/* local_clock: from kernel start, as near to entry as it gets. */
	double adopted = trace_time(trace_last("keepalive_adopt", "adopted=1 "));
	const char *rx = trace_last("keepalive_receive", "");
	unsigned long long reserve_ns = trace_num(rx, "reserve_ns");
	unsigned long long validate_ns = trace_num(rx, "validate_ns");
	static struct vmm v[SCALE_MAX];
	void *va;
	int fd;

	CHECK(adopted < 0);
	CHECK(!rx);
	t = tsc();
	for (i = 0; i < d; i++) {
		CHECK(vmm_retrieve(&v[i], kadev, i));
		CHECK(vmm_attach_unmapped(&v[i], NULL));
	}
	pause = tsc() - t;
	for (i = 0; i < d; i++)
		CHECK(vmm_io(&v[i], false, 0, 16, SEED + i));
	tm = tsc();
	fd = ka_memfd_retrieve(kadev, SCALE_FILE, scale_token);
	CHECK(fd < 0);
	for (i = 0; i < d; i++)
		CHECK(vmm_map(&v[i]));
	CHECK(map_bulk(v[0].vdev.container, fd, mem, &va));
	reclaim = tsc() - tm;
	post = step(kadev, KEEPALIVE_EV_POST_RESUME);
	to_post = tsc() - t;
	concl = step(kadev, KEEPALIVE_EV_CONCLUDE);
	for (i = 0; i < d; i++)
		CHECK(vmm_io(&v[i], false, 0, 16, SEED + i));
	printf("bench-data: stage=2 mode=scale khz=%.0f devices=%u mem_mb=%llu "
	       "reserve_ns=%llu validate_ns=%llu last_adoption_ms=%.3f "
	       "pause=%llu reclaim=%llu post_resume=%llu to_post_resume=%llu "
	       "conclude=%llu k_post_resume_ns=%llu k_conclude_ns=%llu\n",
	       khz, d, (unsigned long long)(mem >> 20), reserve_ns, validate_ns,
	       adopted * 1e3, (unsigned long long)pause,
	       (unsigned long long)reclaim, (unsigned long long)post,
	       (unsigned long long)to_post, (unsigned long long)concl,
	       transition_ns("post-resume"), transition_ns("conclude"));
	for (i = 0; i < d; i++)
		vmm_exit(&v[i]);
	munmap(va, mem);
	close(fd);
}

int main(void)
{
	uint64_t user = tsc();
	int kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	char mode[16];

	used_at_start = used_kb();

	setvbuf(stdout, NULL, _IOLBF, 0);
	khz = tsc_khz();
	if (khz <= 0) {
		fprintf(stderr, "nvme_blackout: no TSC frequency\n");
		return 1;
	}
	if (kt_cmdline_get("kb_mode", mode, sizeof(mode)))
		strcpy(mode, "keep");
	/* The kernel-side figures: this kernel's events, and the next boot's. */
	if (kt_stage() == 1 && strcmp(mode, "boot") &&
	    (kt_trace_enable(true) || kt_cmdline_append(KT_TRACE_BOOT))) {
		fprintf(stderr, "nvme_blackout: no keepalive trace events\n");
		return 1;
	}
	if (!strcmp(mode, "boot")) {
		printf("bench-data: stage=1 mode=boot khz=%.0f boot_ms=%.3f "
		       "pool=%lld used_kb=%lld\n", khz, ms(user - tsc_at_entry()),
		       ka_sysfs_num("pool_size"), used_at_start);
		return 0;
	}
	if (kadev < 0) {
		fprintf(stderr, "nvme_blackout: no /dev/keepalive\n");
		return 1;
	}
	if (!strcmp(mode, "scale")) {
		kt_stage() == 1 ? scale1(kadev) : scale2(kadev);
		close(kadev);
		return 0;
	}
	if (strcmp(mode, "keep") && strcmp(mode, "cold"))
		return 1;
	if (kt_stage() == 1)
		stage1(kadev, !strcmp(mode, "keep"));
	else if (!strcmp(mode, "keep"))
		stage2_keep(kadev);
	else
		stage2_cold(kadev);
	close(kadev);
	return 0;
}
