// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the incoming handover image.
 *
 * Early receive. setup_arch() calls keepalive_handover_early() once the
 * pool is reserved and memblock can allocate anywhere, before interrupt
 * remapping (enable_IR_x2apic()) and the IOMMU are set up. It takes the
 * header out of the pool and wipes it there (a crash or a later kexec must
 * not replay it), copies the payload out of the pool into memblock memory
 * (devices may still write the pool; the copy is what gets validated and
 * what every reader sees), and checks both (image.c). From then on the
 * answer is final: either a validated, immutable image until CONCLUDE, or
 * "no handover" for every reader, with the reason logged once.
 *
 * Boot stages, as participants see them:
 *   setup_arch           keepalive_handover_early(): the image is
 *                        validated; keepalive_incoming_node() works
 *   core_initcall        the pool allocator holds every range the image
 *                        names; RESUME; participants may register
 *   (registrations)      each participant resumes once its dependencies
 *                        have, whatever the registration order (state.c)
 *   late_initcall_sync   boot settles: a dependency that never registered
 *                        has failed; unclaimed ranges are held to CONCLUDE
 *   CONCLUDE             unclaimed ranges and the copy are freed
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/crash_dump.h>
#include <linux/init.h>
#include <linux/keepalive/boot.h>
#include <linux/io.h>
#include <linux/libfdt.h>
#include <linux/kmemleak.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/early_ioremap.h>
#include <asm/tsc.h>
#include <trace/events/keepalive.h>

#include "image.h"
#include "kho.h"

/* early_memremap() maps at most NR_FIX_BTMAPS pages at a time. */
#define EARLY_COPY_CHUNK	SZ_128K

/* States of an incoming range, in &struct keepalive_image_range.state */
enum { RANGE_PAYLOAD, RANGE_FREE, RANGE_HELD, RANGE_CLAIMED };

/**
 * struct keepalive_incoming - the incoming image
 * @hdr: the header as received (wiped in the pool)
 * @fdt: the validated copy of the payload, memblock memory, or NULL when
 *	no handover was accepted or after CONCLUDE
 * @copy_size: bytes allocated for @fdt
 * @ranges: every range the image names, sorted, the payload's own among
 *	them; their &keepalive_image_range.state says who has each
 * @nr_ranges: entries in @ranges
 * @lock: protects the state of @ranges
 * @generation: kexecs survived by what was handed over, 0 when nothing
 * @accepted: an image passed every check (set once, in setup_arch())
 * @status: what became of the incoming image, for sysfs and the log
 * @snapshot: header area and payload as received, for debugfs, or NULL
 * @snapshot_size: its size
 * @early_cycles: TSC cycles keepalive_handover_early() took
 * @validate_ns: the same in nanoseconds, once the TSC is calibrated
 * @accepted_at_ns: local_clock() when the core entered RESUME
 */
struct keepalive_incoming {
	struct keepalive_hdr hdr;
	void *fdt;
	size_t copy_size;
	struct keepalive_image_range *ranges;
	unsigned int nr_ranges;
	spinlock_t lock;	/* protects ranges[].state */
	u64 generation;
	bool accepted;
	char status[160];
	void *snapshot;
	size_t snapshot_size;
	u64 early_cycles;
	u64 validate_ns;
	u64 accepted_at_ns;
};

static struct keepalive_incoming in = {
	.lock = __SPIN_LOCK_UNLOCKED(in.lock),
	.status = "none: no pool",
};

#define status(fmt, ...) snprintf(in.status, sizeof(in.status), fmt, \
				  ##__VA_ARGS__)

/* Whole pages, so that CONCLUDE gives all of them back. */
static size_t ranges_size(size_t nr)
{
	return PAGE_ALIGN(nr * sizeof(struct keepalive_image_range));
}

static void __init copy_from_pool(void *dst, phys_addr_t src, size_t len)
{
	while (len) {
		size_t n = min_t(size_t, len, EARLY_COPY_CHUNK);
		void *va = early_memremap(src, n);

		memcpy(dst, va, n);
		early_memunmap(va, n);
		dst += n;
		src += n;
		len -= n;
	}
}

/**
 * keepalive_handover_early() - take, copy and validate the incoming image
 *
 * Called from setup_arch() after reserve_initrd(), before interrupt
 * remapping and the IOMMU are set up, so that every participant can read
 * its node at any boot stage from then on. Fault injection points: the
 * acceptance itself and each of the two copies.
 *
 * Context: Early boot, single threaded; memblock allocations only.
 */
void __init keepalive_handover_early(void)
{
	phys_addr_t pool_phys = keepalive_pool_place.phys;
	u64 pool_size = keepalive_pool_place.size;
	struct keepalive_hdr *hdr = &in.hdr;
	struct keepalive_image_range *ranges = NULL;
	u64 start = rdtsc_ordered();
	size_t fdt_size, nr = 0;
	struct keepalive_hdr *va;
	void *fdt = NULL;
	char why[128];
	int ret;

	if (!pool_size)
		return;
	va = early_memremap(pool_phys, sizeof(*va));
	if (!va) {
		status("rejected: cannot map the pool's header");
		pr_err("handover rejected, cold boot: cannot map the pool's header\n");
		return;
	}
	memcpy(hdr, va, sizeof(*hdr));
	memset(va, 0, sizeof(*va));
	early_memunmap(va, sizeof(*va));

	if (!keepalive_pool_place.inherited) {
		status("none: cold boot");
		return;
	}
	/* On its own, whatever becomes of the image. */
	keepalive_devlist_receive(pool_phys);
	ret = keepalive_hdr_check(hdr, pool_phys, pool_size, why, sizeof(why));
	if (ret == -ENOENT) {
		status("none: the previous kernel made no handover (no header)");
		pr_info("no handover: no header in the pool (no kexec from STOP, or the header was wiped)\n");
		return;
	}
	if (ret)
		goto reject;
	/* It dumps a crashed kernel: it adopts nothing, whatever is kept. */
	if (is_kdump_kernel()) {
		ret = -EPERM;
		snprintf(why, sizeof(why), "a kdump kernel never accepts a handover");
		goto reject;
	}
	if (keepalive_should_fail()) {
		ret = -EIO;
		snprintf(why, sizeof(why), "injected failure");
		goto reject;
	}
	fdt_size = le64_to_cpu(hdr->fdt_size);
	if (fdt_size > KEEPALIVE_FDT_MAX) {
		ret = -E2BIG;
		snprintf(why, sizeof(why), "payload of %zu bytes, at most %u",
			 fdt_size, KEEPALIVE_FDT_MAX);
		goto reject;
	}
	in.copy_size = PAGE_ALIGN(fdt_size);
	if (!keepalive_should_fail())
		fdt = memblock_alloc(in.copy_size, PAGE_SIZE);
	if (!fdt) {
		ret = -ENOMEM;
		snprintf(why, sizeof(why), "no memory to copy the payload");
		goto reject;
	}
	copy_from_pool(fdt, pool_phys + le64_to_cpu(hdr->fdt_offset),
		       fdt_size);
	ret = keepalive_fdt_check_payload(hdr, fdt, &nr, why, sizeof(why));
	if (ret)
		goto free_copy;
	if (!keepalive_should_fail())
		ranges = memblock_alloc(ranges_size(nr + 1), PAGE_SIZE);
	if (!ranges) {
		ret = -ENOMEM;
		snprintf(why, sizeof(why), "no memory to check %zu ranges", nr);
		goto free_copy;
	}
	ret = keepalive_fdt_check_ranges(hdr, fdt, ranges, nr, why,
					 sizeof(why));
	if (ret)
		goto free_ranges;

	in.fdt = fdt;
	in.ranges = ranges;
	in.nr_ranges = nr + 1;
	in.generation = le64_to_cpu(hdr->generation);
	in.accepted = true;
	in.early_cycles = rdtsc_ordered() - start;
	status("resumed: generation %llu", in.generation);
	pr_info("handover accepted: %zu bytes, %zu range(s), generation %llu\n",
		fdt_size, nr, in.generation);
	return;

free_ranges:
	memblock_free(ranges, ranges_size(nr + 1));
free_copy:
	memblock_free(fdt, in.copy_size);
reject:
	in.copy_size = 0;
	status("rejected: %s (%d)", why, ret);
	pr_err("handover rejected, cold boot: %s (%d)\n", why, ret);
}

/**
 * keepalive_handover_receive() - enter RESUME with the accepted image
 *
 * The pool's allocator exists: hold every range the image names for its
 * owner (keepalive_pool_claim() hands it over), then enter RESUME, where
 * participants resume as they register.
 *
 * Context: Process context, boot (core_initcall), after
 * keepalive_pool_init().
 */
void __init keepalive_handover_receive(void)
{
	u64 phys_payload = le64_to_cpu(in.hdr.pool_phys) +
			   le64_to_cpu(in.hdr.fdt_offset);
	unsigned int i, unheld = 0;

	if (!in.fdt)
		return;
	for (i = 0; i < in.nr_ranges; i++) {
		struct keepalive_image_range *r = &in.ranges[i];

		if (r->start == phys_payload) {
			/* Copied out: the pool's copy is free space. */
			r->state = RANGE_PAYLOAD;
			continue;
		}
		r->state = keepalive_pool_hold(r->start, r->end - r->start) ?
			   RANGE_FREE : RANGE_HELD;
		unheld += r->state == RANGE_FREE;
		if (r->state == RANGE_FREE)
			pr_err("cannot hold incoming range %#llx-%#llx for its owner\n",
			       r->start, r->end);
	}
	/* For debugfs and the decoder, also after CONCLUDE. */
	in.snapshot = keepalive_image_snapshot(&in.hdr, in.fdt,
					       &in.snapshot_size);
	in.validate_ns = tsc_khz ?
		div_u64(in.early_cycles * 1000000ULL, tsc_khz) : 0;
	in.accepted_at_ns = local_clock();
	/* Figures of setup_arch(), before the ring buffer existed. */
	trace_keepalive_receive(in.generation, fdt_totalsize(in.fdt),
				in.nr_ranges, unheld,
				keepalive_pool_reserve_ns(), in.validate_ns);
	keepalive_sm_resume(&keepalive_sm, in.fdt);
}

/**
 * keepalive_incoming_take() - hand a held incoming range to its claimant
 * @phys: start
 * @size: bytes
 *
 * Context: Any context; takes the incoming image's spinlock.
 * Return: 0 when [@phys, @phys + @size) is exactly a range of the incoming
 * image that the core holds: it is the claimant's now; -ENOENT when it
 * touches no range of the incoming image; -EBUSY when it was claimed
 * already, or overlaps one without being exactly it.
 */
int keepalive_incoming_take(phys_addr_t phys, u64 size)
{
	u64 end = phys + size;
	unsigned int i;
	int ret = -ENOENT;

	spin_lock(&in.lock);
	for (i = 0; in.fdt && i < in.nr_ranges; i++) {
		struct keepalive_image_range *r = &in.ranges[i];

		if (r->state == RANGE_PAYLOAD || end <= r->start ||
		    phys >= r->end)
			continue;
		if (r->start == phys && r->end == end &&
		    r->state == RANGE_HELD) {
			r->state = RANGE_CLAIMED;
			ret = 0;
		} else {
			ret = -EBUSY;
		}
		break;
	}
	spin_unlock(&in.lock);
	return ret;
}

/*
 * Give back whole pages that keepalive_handover_early() took from memblock,
 * after boot (memblock_free_late() is __init): they are reserved pages now.
 */
static void free_early_copy(void *va, size_t size)
{
	kmemleak_free_part_phys(__pa(va), size);
	free_reserved_area(va, va + size, -1, NULL);
}

/* End of boot: say what nobody claimed; it stays held until CONCLUDE. */
static int __init keepalive_incoming_settle(void)
{
	unsigned int i, held = 0;

	keepalive_sm_settle(&keepalive_sm);
	spin_lock(&in.lock);
	for (i = 0; in.fdt && i < in.nr_ranges; i++)
		held += in.ranges[i].state == RANGE_HELD;
	spin_unlock(&in.lock);
	if (held)
		pr_warn("%u range(s) of the handover were not claimed; held until conclude\n",
			held);
	return 0;
}
late_initcall_sync(keepalive_incoming_settle);

/**
 * keepalive_incoming_conclude() - CONCLUDE: free what the image held
 *
 * Frees the ranges nobody claimed (a device may have DMAed into them until
 * its participant released it, which it did before this) and the copy.
 *
 * Context: Process context, with keepalive_sm.lock held, after every
 * participant's @conclude.
 */
void keepalive_incoming_conclude(void)
{
	struct keepalive_image_range *ranges;
	unsigned int i, nr, n = 0;
	void *fdt;

	lockdep_assert_held(&keepalive_sm.lock);
	if (!in.fdt)
		return;
	for (i = 0; i < in.nr_ranges; i++) {
		struct keepalive_image_range *r = &in.ranges[i];

		if (r->state != RANGE_HELD)
			continue;
		keepalive_pool_free(keepalive_pool_va(r->start),
				    r->end - r->start);
		n++;
	}
	if (n)
		pr_info("conclude: released %u unclaimed range(s)\n", n);
	spin_lock(&in.lock);
	ranges = in.ranges;
	nr = in.nr_ranges;
	fdt = in.fdt;
	in.ranges = NULL;
	in.nr_ranges = 0;
	in.fdt = NULL;
	spin_unlock(&in.lock);
	free_early_copy(ranges, ranges_size(nr));
	free_early_copy(fdt, in.copy_size);
	in.copy_size = 0;
}

/**
 * keepalive_incoming_snapshot() - the incoming image for debugfs
 * @size: out: bytes
 *
 * Context: Process context.
 * Return: a kvmalloc()ed copy of the header area and the payload as
 * received, kept from boot on (also after CONCLUDE); NULL without an
 * incoming image, or without memory.
 */
void *keepalive_incoming_snapshot(size_t *size)
{
	void *buf;

	if (!in.snapshot)
		return NULL;
	buf = kvmalloc(in.snapshot_size, GFP_KERNEL);
	if (!buf)
		return NULL;
	memcpy(buf, in.snapshot, in.snapshot_size);
	*size = in.snapshot_size;
	return buf;
}

/**
 * keepalive_incoming_node() - a participant's node, at any boot stage
 * @name: the participant's name
 * @compatible: the version of its node the caller understands
 * @fdt: out: the incoming image
 *
 * For a participant that must read its records before it can register
 * (interrupt remapping is set up before any initcall): no lock, no state
 * machine, only the validated image. Another participant's records are
 * read with keepalive_incoming_record(), which also says whether their
 * owner adopted them.
 *
 * Context: Any context from setup_arch() on, until CONCLUDE; after boot
 * only under keepalive_sm.lock (a participant callback).
 * Return: the node's offset in *@fdt; -ENOENT without an incoming image
 * or when it has no node @name; -EPROTO when the node is not @compatible.
 */
int keepalive_incoming_node(const char *name, const char *compatible,
			    const void **fdt)
{
	int node;

	if (!in.fdt)
		return -ENOENT;
	node = fdt_subnode_offset(in.fdt, 0, name);
	if (node < 0)
		return -ENOENT;
	if (fdt_node_check_compatible(in.fdt, node, compatible))
		return -EPROTO;
	*fdt = in.fdt;
	return node;
}
EXPORT_SYMBOL_GPL(keepalive_incoming_node);

/**
 * keepalive_handover_status() - what became of the incoming image
 *
 * Context: Any context.
 * Return: a line of text, e.g. "resumed: generation 2" or the reason a
 * handover was refused.
 */
const char *keepalive_handover_status(void)
{
	return in.status;
}

/**
 * keepalive_handover_accepted() - was the incoming image accepted?
 *
 * Context: Any context.
 * Return: true from setup_arch() on when an image passed every check
 * (also after CONCLUDE); false after a cold boot or a refusal.
 */
bool keepalive_handover_accepted(void)
{
	return in.accepted;
}

/**
 * keepalive_handover_generation() - kexecs survived by the pool's contents
 *
 * Context: Any context.
 * Return: the incoming generation, 0 after a cold boot.
 */
u64 keepalive_handover_generation(void)
{
	return in.generation;
}

/**
 * keepalive_incoming_timings() - figures of the incoming image, for debugfs
 * @validate_ns: out: time taken to copy and validate it in early boot
 * @accepted_at_ns: out: local_clock() when the core entered RESUME
 * @fdt_bytes: out: size of its payload, 0 without one
 *
 * Context: Any context.
 */
void keepalive_incoming_timings(u64 *validate_ns, u64 *accepted_at_ns,
				u64 *fdt_bytes)
{
	*validate_ns = in.validate_ns;
	*accepted_at_ns = in.accepted_at_ns;
	*fdt_bytes = in.generation ? le64_to_cpu(in.hdr.fdt_size) : 0;
}
