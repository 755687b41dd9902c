// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: userspace unit test of the handover image code
 * (kho/image.c, built unchanged).
 *
 * Every test builds its image itself with libfdt and keepalive_hdr_seal(),
 * then damages exactly one thing: after any change that is not meant to
 * break a checksum, the checksums are recomputed, so that the check under
 * test, not a CRC check, is what has to reject the image.
 *
 * Output is TAP. "image_test -s DIR" also writes every test's snapshot
 * (header area + payload, as debugfs shows it) into DIR: the fuzzer's
 * seed corpus.
 *
 * Built with -DIMAGE_TEST_CONTROL, keepalive_fdt_check() is replaced by a
 * stub that accepts everything: that build must fail, which shows the
 * tests can.
 *
 * Inputs the fuzzer found are kept in testdata/ (KA_TESTDATA) and checked
 * as the fuzzer checked them. No check may run for WATCHDOG_SECONDS: one
 * that does is abandoned and returns ETIMEDOUT, which fails its test.
 *
 * A KNOWN_GAP() case is a behaviour of kho/image.c that differs from what
 * its comments promise: reported as TAP "# TODO", not counted as failed.
 */
#include <ctype.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/libfdt.h>

#include "image.h"
#include "errname.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define PAGE		KEEPALIVE_HDR_AREA
#define POOL_PHYS	0x100000000ULL
#define POOL_SIZE	0x1000000ULL		/* 16 MiB */
#define POOL_END	(POOL_PHYS + POOL_SIZE)
#define FDT_OFFSET	0x8000ULL
#define FDT_MAX		0x4000
#define GENERATION	3ULL
#define SNAP_MAX	(PAGE + FDT_MAX)
#define MEMFD_PATH	"/" KEEPALIVE_MEMFD_NODE
#define FILE_PATH	MEMFD_PATH "/" KEEPALIVE_MEMFD_FILE_PREFIX
#define FILE1_PATH	FILE_PATH "1"
/* Far beyond what checking a 16 KiB image takes: microseconds. */
#define WATCHDOG_SECONDS	5

#ifndef KA_TESTDATA
#define KA_TESTDATA	"testdata"
#endif

#ifdef IMAGE_TEST_CONTROL
int keepalive_fdt_check(const struct keepalive_hdr *hdr, const void *fdt,
			char *msg, size_t msg_len)
{
	(void)hdr;
	(void)fdt;
	snprintf(msg, msg_len, "control: payload not checked");
	return 0;
}
#endif

struct file_spec {
	const char *name;
	u64 ranges[6];
	int ranges_len;		/* bytes of @ranges to write, 0: none */
};

/* What a test image holds; build() turns it into a sealed snapshot. */
struct spec {
	const char *root_compatible;	/* NULL: no compatible */
	u64 root_ranges[2];
	int root_ranges_len;
	bool root_ranges_empty;		/* an empty phys-ranges on the root */
	struct file_spec file[2];
	int nest;			/* a chain of nodes this deep below the root */
};

static const struct spec good = {
	.root_compatible = KEEPALIVE_FDT_COMPATIBLE,
	.file = {
		{ "alpha",
		  { POOL_PHYS + 0x10000, 0x2000, POOL_PHYS + 0x20000, 0x1000 },
		  32 },
		{ "beta", { POOL_PHYS + 0x40000, 0x4000 }, 16 },
	},
};

static u8 *snap;		/* the snapshot under test, SNAP_MAX bytes */
static struct spec spec;	/* what build() builds */
static const char *seed_dir;
static int tests_run, tests_failed, tests_todo;
static sigjmp_buf watchdog_jmp;

static struct keepalive_hdr *hdr(void)
{
	return (struct keepalive_hdr *)snap;
}

static void *payload(void)
{
	return snap + PAGE;
}

static void bail(const char *what, int err)
{
	printf("Bail out! %s: %d\n", what, err);
	exit(2);
}

static void token(u8 *t, int i)
{
	int j;

	for (j = 0; j < KEEPALIVE_TOKEN_HASH_SIZE; j++)
		t[j] = j * 7 + i;
}

static int set_ranges(void *fdt, int node, const u64 *r, int len)
{
	fdt64_t be[6];
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(be); i++)
		be[i] = cpu_to_fdt64(r[i]);
	return fdt_setprop(fdt, node, KEEPALIVE_PROP_RANGES, be, len);
}

static int add_file(void *fdt, int memfd, int i)
{
	const struct file_spec *f = &spec.file[i];
	u8 t[KEEPALIVE_TOKEN_HASH_SIZE];
	char name[16];
	int node, err;

	snprintf(name, sizeof(name), KEEPALIVE_MEMFD_FILE_PREFIX "%d", i);
	node = fdt_add_subnode(fdt, memfd, name);
	if (node < 0)
		return node;
	token(t, i);
	err = fdt_setprop_string(fdt, node, KEEPALIVE_MEMFD_PROP_NAME,
				 f->name) ?:
	      fdt_setprop(fdt, node, KEEPALIVE_MEMFD_PROP_TOKEN_SHA256, t,
			  sizeof(t));
	if (!err && f->ranges_len)
		err = set_ranges(fdt, node, f->ranges, f->ranges_len);
	return err;
}

/* Build @spec into the snapshot and seal it, as the kernel does at STOP. */
static void build(void)
{
	void *fdt = payload();
	int i, memfd, node, err;

	memset(snap, 0, SNAP_MAX);
	err = fdt_create_empty_tree(fdt, FDT_MAX);
	if (!err && spec.root_compatible)
		err = fdt_setprop_string(fdt, 0, KEEPALIVE_PROP_COMPATIBLE,
					 spec.root_compatible);
	if (!err && (spec.root_ranges_len || spec.root_ranges_empty))
		err = set_ranges(fdt, 0, spec.root_ranges,
				 spec.root_ranges_len);
	for (i = 0, node = 0; !err && i < spec.nest; i++) {
		node = fdt_add_subnode(fdt, node, "nest");
		err = node < 0 ? node : 0;
	}
	if (err)
		bail("root", err);
	memfd = fdt_add_subnode(fdt, 0, KEEPALIVE_MEMFD_NODE);
	if (memfd < 0)
		bail("memfd node", memfd);
	err = fdt_setprop_string(fdt, memfd, KEEPALIVE_PROP_COMPATIBLE,
				 KEEPALIVE_MEMFD_COMPATIBLE);
	/* A new subnode goes first: add the files backwards. */
	for (i = ARRAY_SIZE(spec.file) - 1; !err && i >= 0; i--) {
		if (spec.file[i].name)
			err = add_file(fdt, memfd, i);
	}
	err = err ?: fdt_pack(fdt);
	if (err)
		bail("files", err);
	keepalive_hdr_seal(hdr(), POOL_PHYS, POOL_SIZE, FDT_OFFSET, fdt,
			   GENERATION);
}

/* After changing the header: make its CRC right again. */
static void reseal_hdr(void)
{
	hdr()->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(hdr()));
}

/* After changing the payload or its size: make both CRCs right again. */
static void reseal_all(void)
{
	u64 size = le64_to_cpu(hdr()->fdt_size);

	if (size > FDT_MAX)
		size = FDT_MAX;
	hdr()->fdt_crc32 = cpu_to_le32(keepalive_crc32(payload(), size));
	reseal_hdr();
}

/*
 * A check still running after WATCHDOG_SECONDS is abandoned: kho/image.c
 * and libfdt keep no state, and the copy it was checking is freed.
 */
static void watchdog(int sig)
{
	(void)sig;
	siglongjmp(watchdog_jmp, 1);
}

/* The kernel's order: the header against the pool, then the payload. */
static int check(u64 pool_phys, u64 pool_size, char *msg, size_t msg_len)
{
	u64 size = le64_to_cpu(hdr()->fdt_size);
	void *copy;
	int ret;

	msg[0] = '\0';
	ret = keepalive_hdr_check(hdr(), pool_phys, pool_size, msg, msg_len);
	if (ret)
		return ret;
	if (size > FDT_MAX)
		bail("fdt_size beyond the test buffer", (int)size);
	/* Exactly the payload's bytes, so that ASan sees an over-read. */
	copy = malloc(size);
	if (!copy)
		bail("malloc", (int)size);
	memcpy(copy, payload(), size);
	if (sigsetjmp(watchdog_jmp, 1)) {
		snprintf(msg, msg_len, "still running after %d s",
			 WATCHDOG_SECONDS);
		ret = -ETIMEDOUT;
	} else {
		alarm(WATCHDOG_SECONDS);
		ret = keepalive_fdt_check(hdr(), copy, msg, msg_len);
		alarm(0);
	}
	free(copy);
	return ret;
}

static void write_seed(const char *name)
{
	u64 size = le64_to_cpu(hdr()->fdt_size);
	char path[4096], *p;
	FILE *f;
	int n;

	if (!seed_dir)
		return;
	if (size > FDT_MAX)
		size = FDT_MAX;
	n = snprintf(path, sizeof(path), "%s/%02d-", seed_dir, tests_run);
	snprintf(path + n, sizeof(path) - n, "%s", name);
	/* A file name without blanks or punctuation. */
	for (p = path + n; *p; p++) {
		if (!isalnum((unsigned char)*p))
			*p = '-';
	}
	f = fopen(path, "wb");
	if (!f || fwrite(snap, 1, PAGE + size, f) != PAGE + size)
		bail("cannot write a seed", 0);
	fclose(f);
}

/* @todo: a known gap of kho/image.c; its failure is reported, not counted */
static void report(bool pass, const char *name, const char *todo)
{
	tests_run++;
	if (!pass && todo)
		tests_todo++;
	else if (!pass)
		tests_failed++;
	printf("%sok %d %s%s%s\n", pass ? "" : "not ", tests_run, name,
	       todo ? " # TODO " : "", todo ?: "");
	write_seed(name);
}

static void diag(const char *fmt, const char *a, const char *b,
		 const char *msg)
{
	printf("# ");
	printf(fmt, a, b);
	printf(": %s\n", msg);
}

/* ------------------------------------------------------------------ */
/* Tests with their own checks. */

static bool test_crc32(void)
{
	return keepalive_crc32("123456789", 9) == 0xcbf43926 &&
	       keepalive_crc32("", 0) == 0 &&
	       keepalive_crc32("a", 1) == 0xe8b7be43;
}

static bool test_good(void)
{
	char msg[160];
	int ret;

	spec = good;
	build();
	ret = check(POOL_PHYS, POOL_SIZE, msg, sizeof(msg));
	if (ret)
		diag("got %s, want %s", ka_errname(ret), "0", msg);
	return !ret;
}

static bool test_header_round_trip(void)
{
	const struct keepalive_hdr *h = hdr();

	spec = good;
	build();
	return !memcmp(h->magic, KEEPALIVE_HDR_MAGIC,
		       KEEPALIVE_HDR_MAGIC_LEN) &&
	       le16_to_cpu(h->abi_major) == KEEPALIVE_ABI_MAJOR &&
	       le16_to_cpu(h->abi_minor) == KEEPALIVE_ABI_MINOR &&
	       le32_to_cpu(h->hdr_size) == 64 &&
	       le64_to_cpu(h->pool_phys) == POOL_PHYS &&
	       le64_to_cpu(h->pool_size) == POOL_SIZE &&
	       le64_to_cpu(h->fdt_offset) == FDT_OFFSET &&
	       le64_to_cpu(h->fdt_size) == fdt_totalsize(payload()) &&
	       le64_to_cpu(h->generation) == GENERATION &&
	       le32_to_cpu(h->fdt_crc32) ==
			keepalive_crc32(payload(), fdt_totalsize(payload())) &&
	       le32_to_cpu(h->hdr_crc32) == keepalive_hdr_crc(h);
}

static u64 u64_at(const void *p)
{
	fdt64_t v;

	memcpy(&v, p, sizeof(v));
	return fdt64_to_cpu(v);
}

/* What the image says about file @i is what the spec said. */
static bool file_round_trip(const void *fdt, int i)
{
	const struct file_spec *f = &good.file[i];
	const void *name, *tok, *ranges;
	u8 t[KEEPALIVE_TOKEN_HASH_SIZE];
	int node, l_name, l_tok, l_ranges, j;
	char path[32];

	snprintf(path, sizeof(path), FILE_PATH "%d", i);
	node = fdt_path_offset(fdt, path);
	if (node < 0)
		return false;
	name = fdt_getprop(fdt, node, KEEPALIVE_MEMFD_PROP_NAME, &l_name);
	tok = fdt_getprop(fdt, node, KEEPALIVE_MEMFD_PROP_TOKEN_SHA256, &l_tok);
	ranges = fdt_getprop(fdt, node, KEEPALIVE_PROP_RANGES, &l_ranges);
	token(t, i);
	if (!name || l_name != (int)strlen(f->name) + 1 ||
	    strcmp(name, f->name) || !tok || l_tok != sizeof(t) ||
	    memcmp(tok, t, sizeof(t)) || !ranges ||
	    l_ranges != f->ranges_len)
		return false;
	for (j = 0; j < l_ranges / 8; j++) {
		if (u64_at((const u8 *)ranges + 8 * j) != f->ranges[j])
			return false;
	}
	return true;
}

static bool test_payload_round_trip(void)
{
	const void *fdt = payload();
	int memfd;

	spec = good;
	build();
	memfd = fdt_path_offset(fdt, MEMFD_PATH);
	return !fdt_check_full(fdt, fdt_totalsize(fdt)) &&
	       !fdt_node_check_compatible(fdt, 0, KEEPALIVE_FDT_COMPATIBLE) &&
	       memfd > 0 &&
	       !fdt_node_check_compatible(fdt, memfd,
					  KEEPALIVE_MEMFD_COMPATIBLE) &&
	       file_round_trip(fdt, 0) && file_round_trip(fdt, 1);
}

struct visit {
	u64 seen[8];
	int n;
	int stop_after;
};

static int visit_range(void *ctx, const fdt64_t *pair)
{
	struct visit *v = ctx;

	if (v->n + 2 > (int)ARRAY_SIZE(v->seen))
		return -E2BIG;
	v->seen[v->n++] = u64_at(&pair[0]);
	v->seen[v->n++] = u64_at(&pair[1]);
	return v->n / 2 == v->stop_after ? 42 : 0;
}

static bool test_range_walk(void)
{
	struct visit v = { };

	spec = good;
	build();
	return !keepalive_image_walk_ranges(payload(), visit_range, &v) &&
	       v.n == 6 &&
	       !memcmp(v.seen, good.file[0].ranges, 4 * sizeof(u64)) &&
	       !memcmp(v.seen + 4, good.file[1].ranges, 2 * sizeof(u64));
}

static bool test_range_walk_stops(void)
{
	struct visit v = { .stop_after = 2 };

	spec = good;
	build();
	return keepalive_image_walk_ranges(payload(), visit_range, &v) ==
	       42 && v.n == 4;
}

static const struct {
	const char *name;
	bool (*fn)(void);
} special[] = {
	{ "crc32 is zlib's crc32", test_crc32 },
	{ "good image validates", test_good },
	{ "round trip: header fields read back", test_header_round_trip },
	{ "round trip: payload nodes and properties read back",
	  test_payload_round_trip },
	{ "walk_ranges visits every pair in tree order",
	  test_range_walk },
	{ "walk_ranges stops at a non-zero return",
	  test_range_walk_stops },
};

/* ------------------------------------------------------------------ */
/*
 * Table tests: change the spec and/or damage the built image, then the
 * checks must return exactly @want. The pool the checks are given is
 * POOL_PHYS/POOL_SIZE unless a test changes these.
 */

static u64 check_phys = POOL_PHYS, check_size = POOL_SIZE;

#define F0	spec.file[0]
#define F1	spec.file[1]

/* Accepted edge cases. */
static void minor_bump(void)
{
	build();
	hdr()->abi_minor = cpu_to_le16(KEEPALIVE_ABI_MINOR + 7);
	reseal_hdr();
}

static void range_after_hdr(void)
{
	F1.ranges[0] = POOL_PHYS + PAGE;
	F1.ranges[1] = 0x1000;
	build();
}

static void range_at_pool_end(void)
{
	F1.ranges[0] = POOL_END - 0x4000;
	build();
}

static void ranges_adjacent(void)
{
	F1.ranges[0] = POOL_PHYS + 0x12000;	/* file@0: 0x10000-0x12000 */
	F1.ranges[1] = 0xe000;			/* up to file@0's 0x20000 */
	build();
}

static void range_adjacent_payload(void)
{
	F1.ranges[0] = POOL_PHYS + FDT_OFFSET - 0x4000;
	build();
}

static void no_ranges(void)
{
	F0.ranges_len = 0;
	F1.ranges_len = 0;
	build();
}

/* Header. */
static void bad_magic(void)
{
	build();
	hdr()->magic[7] = '2';
	reseal_hdr();
}

static void no_header(void)
{
	build();
	memset(hdr(), 0, sizeof(struct keepalive_hdr));
}

static void abi_major_next(void)
{
	build();
	hdr()->abi_major = cpu_to_le16(KEEPALIVE_ABI_MAJOR + 1);
	reseal_hdr();
}

static void abi_major_zero(void)
{
	build();
	hdr()->abi_major = 0;
	reseal_hdr();
}

static void hdr_size_big(void)
{
	build();
	hdr()->hdr_size = cpu_to_le32(sizeof(struct keepalive_hdr) + 8);
	reseal_hdr();
}

static void hdr_size_small(void)
{
	build();
	hdr()->hdr_size = cpu_to_le32(sizeof(struct keepalive_hdr) - 4);
	reseal_hdr();
}

static void hdr_crc_field(void)
{
	build();
	hdr()->generation = cpu_to_le64(GENERATION + 1);	/* not resealed */
}

static void hdr_crc_value(void)
{
	build();
	hdr()->hdr_crc32 ^= cpu_to_le32(0x100);
}

static void pool_phys_moved(void)
{
	build();
	check_phys = POOL_PHYS + 0x200000;
}

static void pool_size_differs(void)
{
	build();
	hdr()->pool_size = cpu_to_le64(POOL_SIZE * 2);
	reseal_hdr();
}

static void set_fdt_offset(u64 off)
{
	build();
	hdr()->fdt_offset = cpu_to_le64(off);
	reseal_hdr();
}

static void payload_at_zero(void)
{
	set_fdt_offset(0);
}

static void payload_in_hdr_page(void)
{
	set_fdt_offset(PAGE - 0x100);
}

static void payload_past_end(void)
{
	set_fdt_offset(POOL_SIZE - 0x100);
}

static void payload_wraps(void)
{
	set_fdt_offset(~0ULL - 0xff);
}

static void payload_tiny(void)
{
	build();
	hdr()->fdt_size = cpu_to_le64(sizeof(struct fdt_header) - 1);
	reseal_all();
}

static void payload_huge(void)
{
	build();
	hdr()->fdt_size = cpu_to_le64(POOL_SIZE);
	reseal_hdr();
}

/* Payload. */
static void fdt_crc_data(void)
{
	build();
	((u8 *)payload())[fdt_off_dt_strings(payload())] ^= 0x20;
}

static void fdt_crc_value(void)
{
	build();
	hdr()->fdt_crc32 ^= cpu_to_le32(1);
	reseal_hdr();
}

static void fdt_truncated(void)
{
	build();
	hdr()->fdt_size = cpu_to_le64(fdt_totalsize(payload()) - 8);
	reseal_all();
}

static void fdt_bad_magic(void)
{
	build();
	((fdt32_t *)payload())[0] = cpu_to_fdt32(0x0badf00d);
	reseal_all();
}

static void fdt_bad_version(void)
{
	build();
	fdt_set_version(payload(), 1);
	reseal_all();
}

static void fdt_totalsize_bigger(void)
{
	build();
	fdt_set_totalsize(payload(), fdt_totalsize(payload()) + 8);
	reseal_all();
}

static void fdt_bad_tag(void)
{
	void *fdt;
	int node;

	build();
	fdt = payload();
	node = fdt_path_offset(fdt, FILE1_PATH);
	if (node < 0)
		bail(FILE1_PATH, node);
	/* Its FDT_BEGIN_NODE becomes garbage. */
	*(fdt32_t *)((u8 *)fdt + fdt_off_dt_struct(fdt) + node) =
		cpu_to_fdt32(0x0badbad0);
	reseal_all();
}

static void fdt_bad_prop_name(void)
{
	void *fdt;
	int node, off;

	build();
	fdt = payload();
	node = fdt_path_offset(fdt, FILE1_PATH);
	off = fdt_first_property_offset(fdt, node);
	if (off < 0)
		bail(FILE1_PATH " property", off);
	/*
	 * The name offset of its first property, phys-ranges (libfdt adds
	 * properties in front), points nowhere: the range is hidden.
	 */
	*(fdt32_t *)((u8 *)fdt + fdt_off_dt_struct(fdt) + off + 8) =
		cpu_to_fdt32(0x7ffffff0);
	reseal_all();
}

static void fdt_bad_root_tag(void)
{
	void *fdt;

	build();
	fdt = payload();
	*(fdt32_t *)((u8 *)fdt + fdt_off_dt_struct(fdt)) =
		cpu_to_fdt32(0x0badbad0);
	reseal_all();
}

static void fdt_root_not_closed(void)
{
	void *fdt;

	build();
	fdt = payload();
	/* The root's FDT_END_NODE, before the final FDT_END, becomes one. */
	*(fdt32_t *)((u8 *)fdt + fdt_off_dt_struct(fdt) +
		     fdt_size_dt_struct(fdt) - 8) = cpu_to_fdt32(FDT_END);
	reseal_all();
}

/* The structure block at @off, in a built payload. */
static fdt32_t *struct_at(int off)
{
	void *fdt = payload();

	return (fdt32_t *)((u8 *)fdt + fdt_off_dt_struct(fdt) + off);
}

/* The first property of file@1 (phys-ranges: libfdt adds in front). */
static int file1_prop(void)
{
	int node, off;

	node = fdt_path_offset(payload(), FILE1_PATH);
	off = fdt_first_property_offset(payload(), node);
	if (off < 0)
		bail(FILE1_PATH " property", off);
	return off;
}

static void fdt_prop_len_onto_tag(void)
{
	build();
	/*
	 * libfdt 1.6.1 adds the 32-bit length to an int offset: -12 brings
	 * the next tag back onto this one. Its name is valid, so that even
	 * fdt_check_full() would walk it for ever.
	 */
	struct_at(file1_prop())[1] = cpu_to_fdt32(-12);
	reseal_all();
}

static void fdt_prop_len_past_block(void)
{
	build();
	struct_at(file1_prop())[1] = cpu_to_fdt32(0x7ffffff0);
	reseal_all();
}

static void fdt_node_name_past_block(void)
{
	int node;

	build();
	node = fdt_path_offset(payload(), FILE1_PATH);
	if (node < 0)
		bail(FILE1_PATH, node);
	/* The block ends inside "file@1". */
	fdt_set_size_dt_struct(payload(), node + 8);
	reseal_all();
}

static void fdt_no_root(void)
{
	build();
	*struct_at(0) = cpu_to_fdt32(FDT_NOP);
	reseal_all();
}

static void fdt_bytes_after_end(void)
{
	build();
	/* The first 4 bytes of the strings block become part of it. */
	fdt_set_size_dt_struct(payload(), fdt_size_dt_struct(payload()) + 4);
	reseal_all();
}

static void fdt_version_16(void)
{
	build();
	fdt_set_version(payload(), 16);
	reseal_all();
}

static void nest_deepest(void)
{
	spec.nest = KEEPALIVE_FDT_MAX_DEPTH - 1;	/* the root is depth 1 */
	build();
}

static void nest_too_deep(void)
{
	spec.nest = KEEPALIVE_FDT_MAX_DEPTH;
	build();
}

static void root_compatible_other(void)
{
	spec.root_compatible = "keepalive,handover-v2";
	build();
}

static void root_compatible_none(void)
{
	spec.root_compatible = NULL;
	build();
}

/* Ranges. */
static void range_at_pool_end_outside(void)
{
	F1.ranges[0] = POOL_END;
	build();
}

static void range_crosses_pool_end(void)
{
	F1.ranges[0] = POOL_END - 0x2000;
	build();
}

static void range_below_pool(void)
{
	F1.ranges[0] = POOL_PHYS - 0x4000;
	build();
}

static void range_in_hdr_page(void)
{
	F1.ranges[0] = POOL_PHYS;
	F1.ranges[1] = 0x1000;
	build();
}

static void range_over_hdr_page(void)
{
	F1.ranges[0] = POOL_PHYS;
	build();
}

static void range_unaligned_start(void)
{
	F1.ranges[0] = POOL_PHYS + 0x40800;
	build();
}

static void range_unaligned_length(void)
{
	F1.ranges[1] = 0x3ff8;
	build();
}

static void range_empty(void)
{
	F1.ranges[1] = 0;
	build();
}

static void range_wraps(void)
{
	F1.ranges[1] = -0x1000ULL;	/* ends at POOL_PHYS + 0x3f000 */
	build();
}

static void range_wraps_to_end(void)
{
	F1.ranges[1] = -F1.ranges[0];	/* ends at 0 */
	build();
}

static void ranges_overlap(void)
{
	F1.ranges[0] = POOL_PHYS + 0x11000;	/* file@0: 0x10000-0x12000 */
	build();
}

static void ranges_overlap_same_node(void)
{
	F0.ranges[2] = POOL_PHYS + 0x11000;
	build();
}

static void ranges_identical(void)
{
	F1.ranges[0] = F0.ranges[0];
	F1.ranges[1] = F0.ranges[1];
	build();
}

static void range_contains_other(void)
{
	F1.ranges[0] = POOL_PHYS + 0xf000;
	F1.ranges[1] = 0x14000;		/* 0xf000-0x23000: covers two */
	build();
}

static void range_over_payload(void)
{
	F1.ranges[0] = POOL_PHYS + FDT_OFFSET;
	F1.ranges[1] = 0x1000;
	build();
}

static void range_covers_payload(void)
{
	F1.ranges[0] = POOL_PHYS + FDT_OFFSET - 0x4000;
	F1.ranges[1] = 0x8000;
	build();
}

static void ranges_len_24(void)
{
	F1.ranges[2] = POOL_PHYS + 0x60000;
	F1.ranges_len = 24;
	build();
}

static void ranges_len_8(void)
{
	F1.ranges_len = 8;
	build();
}

static void ranges_len_0(void)
{
	spec.root_ranges_empty = true;
	build();
}

static void root_range_outside(void)
{
	spec.root_ranges[0] = POOL_END + 0x10000;
	spec.root_ranges[1] = 0x1000;
	spec.root_ranges_len = 16;
	build();
}

#define CASE(name, make, want)		{ name, make, want, NULL }
#define KNOWN_GAP(name, make, want, why)	{ name, make, want, why }

static const struct {
	const char *name;
	void (*make)(void);
	int want;
	const char *todo;	/* known gap of kho/image.c, see report() */
} cases[] = {
	CASE("accept: ABI minor of a newer writer", minor_bump, 0),
	CASE("accept: range right after the header page", range_after_hdr, 0),
	CASE("accept: range ending at the pool end", range_at_pool_end, 0),
	CASE("accept: adjacent ranges", ranges_adjacent, 0),
	CASE("accept: range ending where the payload starts",
	     range_adjacent_payload, 0),
	CASE("accept: no ranges at all", no_ranges, 0),
	CASE("accept: nodes nested KEEPALIVE_FDT_MAX_DEPTH deep", nest_deepest,
	     0),

	CASE("reject: bad magic", bad_magic, -ENOENT),
	CASE("reject: no header (zeroes)", no_header, -ENOENT),
	CASE("reject: next ABI major", abi_major_next, -EPROTO),
	CASE("reject: ABI major 0", abi_major_zero, -EPROTO),
	CASE("reject: header size too big", hdr_size_big, -EINVAL),
	CASE("reject: header size too small", hdr_size_small, -EINVAL),
	CASE("reject: header CRC (field changed)", hdr_crc_field, -EBADMSG),
	CASE("reject: header CRC (CRC changed)", hdr_crc_value, -EBADMSG),
	CASE("reject: pool at another address", pool_phys_moved, -EINVAL),
	CASE("reject: pool of another size", pool_size_differs, -EINVAL),
	CASE("reject: payload at offset 0", payload_at_zero, -ERANGE),
	CASE("reject: payload in the header page", payload_in_hdr_page,
	     -ERANGE),
	CASE("reject: payload past the pool end", payload_past_end, -ERANGE),
	CASE("reject: payload offset+size wraps", payload_wraps, -ERANGE),
	CASE("reject: payload smaller than an FDT header", payload_tiny,
	     -ERANGE),
	CASE("reject: payload size beyond the pool", payload_huge, -ERANGE),
	CASE("reject: payload CRC (data changed)", fdt_crc_data, -EBADMSG),
	CASE("reject: payload CRC (CRC changed)", fdt_crc_value, -EBADMSG),
	CASE("reject: FDT truncated", fdt_truncated, -EINVAL),
	CASE("reject: FDT totalsize beyond fdt_size", fdt_totalsize_bigger,
	     -EINVAL),
	CASE("reject: FDT magic garbled", fdt_bad_magic, -EINVAL),
	CASE("reject: FDT version 1", fdt_bad_version, -EINVAL),
	CASE("reject: FDT structure tag garbled", fdt_bad_tag, -EINVAL),
	CASE("reject: FDT property name offset garbled", fdt_bad_prop_name,
	     -EINVAL),
	CASE("reject: FDT root node tag garbled", fdt_bad_root_tag, -EINVAL),
	CASE("reject: FDT root node not closed", fdt_root_not_closed, -EINVAL),
	CASE("reject: FDT property length -12, its next tag itself",
	     fdt_prop_len_onto_tag, -EINVAL),
	CASE("reject: FDT property length past the structure block",
	     fdt_prop_len_past_block, -EINVAL),
	CASE("reject: FDT node name past the structure block",
	     fdt_node_name_past_block, -EINVAL),
	CASE("reject: FDT structure not starting with the root", fdt_no_root,
	     -EINVAL),
	CASE("reject: FDT structure block going on after its end tag",
	     fdt_bytes_after_end, -EINVAL),
	CASE("reject: FDT version 16", fdt_version_16, -EINVAL),
	CASE("reject: FDT nodes nested deeper than KEEPALIVE_FDT_MAX_DEPTH",
	     nest_too_deep, -EINVAL),
	CASE("reject: other root compatible", root_compatible_other, -EPROTO),
	CASE("reject: no root compatible", root_compatible_none, -EPROTO),
	CASE("reject: range just past the pool", range_at_pool_end_outside,
	     -ERANGE),
	CASE("reject: range crossing the pool end", range_crosses_pool_end,
	     -ERANGE),
	CASE("reject: range below the pool", range_below_pool, -ERANGE),
	CASE("reject: range in the header page", range_in_hdr_page, -ERANGE),
	CASE("reject: range over the header page", range_over_hdr_page,
	     -ERANGE),
	CASE("reject: unaligned range start", range_unaligned_start, -ERANGE),
	CASE("reject: unaligned range length", range_unaligned_length, -ERANGE),
	CASE("reject: zero-length range", range_empty, -ERANGE),
	CASE("reject: range wrapping around 2^64", range_wraps, -ERANGE),
	CASE("reject: range wrapping to 0", range_wraps_to_end, -ERANGE),
	CASE("reject: overlapping ranges of two files", ranges_overlap,
	     -EINVAL),
	CASE("reject: overlapping ranges of one file", ranges_overlap_same_node,
	     -EINVAL),
	CASE("reject: identical ranges", ranges_identical, -EINVAL),
	CASE("reject: range containing another", range_contains_other, -EINVAL),
	CASE("reject: range overlapping the payload", range_over_payload,
	     -EINVAL),
	CASE("reject: range containing the payload", range_covers_payload,
	     -EINVAL),
	CASE("reject: phys-ranges of 24 bytes", ranges_len_24, -EINVAL),
	CASE("reject: phys-ranges of 8 bytes", ranges_len_8, -EINVAL),
	CASE("reject: phys-ranges of 0 bytes", ranges_len_0, -EINVAL),
	CASE("reject: range on the root node outside the pool",
	     root_range_outside, -ERANGE),
};

static void run_case(int i)
{
	char msg[160];
	int ret;

	spec = good;
	check_phys = POOL_PHYS;
	check_size = POOL_SIZE;
	cases[i].make();
	ret = check(check_phys, check_size, msg, sizeof(msg));
	if (ret != cases[i].want)
		diag("got %s, want %s", ka_errname(ret),
		     ka_errname(cases[i].want), msg);
	report(ret == cases[i].want, cases[i].name, cases[i].todo);
}

/* ------------------------------------------------------------------ */
/*
 * Inputs the fuzzer found (testdata/). Each is a snapshot; like the fuzzer,
 * the test makes both CRCs right and checks it against the pool its header
 * names. The check must return @want.
 */
static const struct {
	const char *file;
	const char *name;
	int want;
} found[] = {
	{ "image-hang-0762d9a.bin",
	  "reject: fuzzer input image-hang-0762d9a.bin (root property of length -12: the check never ended)",
	  -EINVAL },
	{ "image-oob-aa21919.bin",
	  "reject: fuzzer input image-oob-aa21919.bin (a structure block whose size is not a multiple of 4: the walk read past it)",
	  -EINVAL },
};

static void run_found(int i)
{
	char path[4096], msg[160];
	struct timespec t0, t1;
	size_t size;
	u64 fdt_size;
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", KA_TESTDATA, found[i].file);
	f = fopen(path, "rb");
	if (!f)
		bail(path, -errno);
	memset(snap, 0, SNAP_MAX);
	size = fread(snap, 1, SNAP_MAX, f);
	if (!feof(f) || size < PAGE)
		bail("testdata file too big or too small", (int)size);
	fclose(f);
	fdt_size = le64_to_cpu(hdr()->fdt_size);
	if (fdt_size <= size - PAGE)
		hdr()->fdt_crc32 = cpu_to_le32(keepalive_crc32(payload(),
							       fdt_size));
	reseal_hdr();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = check(le64_to_cpu(hdr()->pool_phys),
		    le64_to_cpu(hdr()->pool_size), msg, sizeof(msg));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %s: %s in %ld us: %s\n", found[i].file, ka_errname(ret),
	       (t1.tv_sec - t0.tv_sec) * 1000000 +
	       (t1.tv_nsec - t0.tv_nsec) / 1000, msg);
	if (ret != found[i].want)
		diag("got %s, want %s", ka_errname(ret),
		     ka_errname(found[i].want), msg);
	report(ret == found[i].want, found[i].name, NULL);
}

int main(int argc, char **argv)
{
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "s:")) != -1) {
		if (opt != 's') {
			fprintf(stderr, "usage: %s [-s SEED_DIR]\n", argv[0]);
			return 2;
		}
		seed_dir = optarg;
	}
	snap = calloc(1, SNAP_MAX);
	if (!snap)
		bail("calloc", SNAP_MAX);
	signal(SIGALRM, watchdog);

	printf("TAP version 13\n");
	printf("1..%zu\n", ARRAY_SIZE(special) + ARRAY_SIZE(cases) +
	       ARRAY_SIZE(found));
	for (i = 0; i < ARRAY_SIZE(special); i++)
		report(special[i].fn(), special[i].name, NULL);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(i);
	for (i = 0; i < ARRAY_SIZE(found); i++)
		run_found(i);

	if (tests_todo)
		printf("# %d known gap(s) of kho/image.c failed as TODO\n",
		       tests_todo);
	printf("image_test: %d passed, %d failed\n",
	       tests_run - tests_failed - tests_todo, tests_failed);
	free(snap);
	return tests_failed ? 1 : 0;
}
