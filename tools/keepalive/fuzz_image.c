// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: libFuzzer target for the handover image checks
 * (kho/image.c, built unchanged).
 *
 * The input is a snapshot as debugfs shows it: a 4096-byte header area
 * with struct keepalive_hdr at its start, then the payload. Each input is
 * checked twice: as it is, and with both CRCs made right, since random
 * bytes almost never carry a right CRC and everything behind the CRC
 * checks would go unexplored. The pool is the one the header describes.
 *
 * Beyond "no crash, no leak, no out-of-bounds access" (the payload is a
 * heap copy of exactly hdr.fdt_size bytes, so ASan sees any over-read),
 * an accepted image must really be what keepalive_fdt_check() promises:
 * every range is checked again here, independently, and a violation
 * aborts. With KA_FUZZ_STRICT=1 in the environment, an accepted payload
 * with an unreadable node or property name aborts too.
 *
 * An accepted image then goes through every participant's record reader
 * (fuzz_records.c), as the next kernel would read it. With KA_FUZZ_LOG=1,
 * the readers' log lines go to stderr; with KA_FUZZ_SEEDS=DIR, the binary
 * writes the records' seed image into DIR and exits.
 *
 * fuzz_init() and fuzz_one() are libFuzzer's LLVMFuzzerInitialize() and
 * LLVMFuzzerTestOneInput(): the Makefile renames them (-D), which keeps
 * checkpatch's CamelCase check quiet.
 *
 * The Makefile builds the kernel's own copy of libfdt in, instrumented,
 * when the kernel tree is there (build/linux): then ASan also sees what
 * libfdt reads, and the fuzzer is guided through it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/keepalive/abi/core.h>
#include <linux/libfdt.h>

#include "image.h"
#include "fuzz_records.h"

#define PAGE		KEEPALIVE_HDR_AREA
#define MAX_RANGES	4096

static bool strict;

struct oracle {
	u64 pool_phys, pool_end;	/* the pool, not wrapping */
	u64 r[MAX_RANGES][2];		/* [start, end) */
	size_t n;
	bool overflow;
};

static void fail(const char *what, u64 a, u64 b)
{
	fprintf(stderr, "fuzz_image: %s (%#llx %#llx)\n", what,
		(unsigned long long)a, (unsigned long long)b);
	abort();
}

/* Each range, checked without trusting any sum not to wrap. */
static int oracle_range(void *ctx, const fdt64_t *pair)
{
	struct oracle *o = ctx;
	fdt64_t v[2];
	u64 phys, len;

	memcpy(v, pair, sizeof(v));	/* property data is 4-byte aligned */
	phys = fdt64_to_cpu(v[0]);
	len = fdt64_to_cpu(v[1]);
	if (!len)
		fail("accepted an empty range", phys, len);
	if ((phys | len) & (PAGE - 1))
		fail("accepted an unaligned range", phys, len);
	if (phys < o->pool_phys || phys - o->pool_phys < PAGE)
		fail("accepted a range below the pool or in its header page", phys, len);
	if (phys > o->pool_end || len > o->pool_end - phys)
		fail("accepted a range beyond the pool", phys, len);
	if (o->n == MAX_RANGES) {
		o->overflow = true;
		return 0;
	}
	o->r[o->n][0] = phys;
	o->r[o->n][1] = phys + len;
	o->n++;
	return 0;
}

/*
 * What "well-formed" adds to what the participants' lookups need: every
 * node and every property has a readable name. (fdt_check_full() says
 * more, but the kernel's libfdt does not have it.)
 */
static int malformed(const void *fdt)
{
	int node, depth = 0, prop, len;
	const char *name;

	for (node = 0; node >= 0 && depth >= 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (!fdt_get_name(fdt, node, &len))
			return len;
		/* With @namep, libfdt checks the name offset too. */
		fdt_for_each_property_offset(prop, fdt, node) {
			if (!fdt_getprop_by_offset(fdt, prop, &name, &len))
				return len;
		}
		if (prop != -FDT_ERR_NOTFOUND)
			return prop;
	}
	return node < 0 && node != -FDT_ERR_NOTFOUND ? node : 0;
}

static void oracle_check(const struct keepalive_hdr *hdr, const void *fdt,
			 u64 fdt_size)
{
	static struct oracle o;
	u64 fdt_start;
	size_t i, j;
	int ret;

	ret = strict ? malformed(fdt) : 0;
	if (ret)
		fail("accepted a malformed payload", -ret, 0);

	o.pool_phys = le64_to_cpu(hdr->pool_phys);
	o.pool_end = o.pool_phys + le64_to_cpu(hdr->pool_size);
	o.n = 0;
	o.overflow = false;
	/* No real pool wraps; such a header is checked for crashes only. */
	if (o.pool_end < o.pool_phys)
		return;
	ret = keepalive_image_walk_ranges(fdt, oracle_range, &o);
	if (ret)
		fail("the range walk fails on an accepted payload", -ret, 0);
	fdt_start = o.pool_phys + le64_to_cpu(hdr->fdt_offset);
	for (i = 0; i < o.n; i++) {
		if (o.r[i][0] < fdt_start + fdt_size &&
		    fdt_start < o.r[i][1])
			fail("accepted a range over the payload", o.r[i][0],
			     o.r[i][1]);
		for (j = 0; j < i; j++) {
			if (o.r[i][0] < o.r[j][1] && o.r[j][0] < o.r[i][1])
				fail("accepted overlapping ranges", o.r[i][0], o.r[j][0]);
		}
	}
}

static bool known_errno(int ret)
{
	return ret == -ENOENT || ret == -EPROTO || ret == -EBADMSG ||
	       ret == -EINVAL || ret == -ERANGE || ret == -ENOMEM;
}

static void check(const uint8_t *data, size_t size, bool fix_crcs)
{
	struct keepalive_hdr hdr;
	size_t avail = size > PAGE ? size - PAGE : 0;
	char msg[128];
	u64 fdt_size;
	void *fdt;
	int ret;

	if (size < sizeof(hdr))
		return;
	memcpy(&hdr, data, sizeof(hdr));
	fdt_size = le64_to_cpu(hdr.fdt_size);
	if (fix_crcs) {
		if (fdt_size <= avail)
			hdr.fdt_crc32 = cpu_to_le32(keepalive_crc32(data + PAGE,
								    fdt_size));
		hdr.hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(&hdr));
	}
	msg[0] = '\0';
	ret = keepalive_hdr_check(&hdr, le64_to_cpu(hdr.pool_phys),
				  le64_to_cpu(hdr.pool_size), msg, sizeof(msg));
	if (ret && (!known_errno(ret) || !msg[0] || !memchr(msg, 0, sizeof(msg))))
		fail("header rejected without a known errno or a reason", -ret, 0);
	if (ret || fdt_size > avail)
		return;

	/* Exactly the payload's bytes: reading past them is a bug. */
	fdt = malloc(fdt_size);
	if (!fdt)
		return;
	memcpy(fdt, data + PAGE, fdt_size);
	msg[0] = '\0';
	ret = keepalive_fdt_check(&hdr, fdt, msg, sizeof(msg));
	if (ret && (!known_errno(ret) || !msg[0] || !memchr(msg, 0, sizeof(msg))))
		fail("payload rejected without a known errno or a reason", -ret, 0);
	if (!ret) {
		oracle_check(&hdr, fdt, fdt_size);
		fuzz_records(fdt, data + PAGE + fdt_size, avail - fdt_size,
			     le64_to_cpu(hdr.pool_phys),
			     le64_to_cpu(hdr.pool_size));
	}
	free(fdt);
}

int fuzz_init(int *argc, char ***argv)
{
	const char *s = getenv("KA_FUZZ_STRICT");
	const char *log = getenv("KA_FUZZ_LOG");
	const char *seeds = getenv("KA_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	strict = s && *s == '1';
	ka_fuzz_log = log && *log == '1';
	/* KA_FUZZ_SEEDS=DIR: write the records' seeds there, and no more. */
	if (seeds)
		exit(fuzz_records_seeds(seeds));
	return 0;
}

int fuzz_one(const uint8_t *data, size_t size)
{
	check(data, size, false);
	check(data, size, true);
	return 0;
}
