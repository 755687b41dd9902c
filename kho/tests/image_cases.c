// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handover image test cases (see image_cases.h), built in the kernel
 * for KUnit and in userspace for tools/keepalive/image_test.
 *
 * The good image: a root with the handover compatible, and a memfd node
 * with two files, "alpha" with two ranges and "beta" with one, far from
 * the header page and the payload.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/libfdt.h>
#include <linux/string.h>

#include "../image.h"
#include "image_cases.h"

#define PAGE		KEEPALIVE_HDR_AREA
#define POOL_PHYS	KA_IMG_POOL_PHYS
#define POOL_SIZE	KA_IMG_POOL_SIZE
#define POOL_END	KA_IMG_POOL_END
#define FDT_OFFSET	KA_IMG_FDT_OFFSET
#define FDT_MAX		KA_IMG_FDT_MAX
#define GENERATION	KA_IMG_GENERATION
#define MEMFD_PATH	"/" KEEPALIVE_MEMFD_NODE
#define FILE_PATH	MEMFD_PATH "/" KEEPALIVE_MEMFD_FILE_PREFIX
#define FILE1_PATH	FILE_PATH "1"
#define NR_FILES	KA_IMG_NR_FILES

const struct ka_img_spec ka_img_good = {
	.root_compatible = KEEPALIVE_FDT_COMPATIBLE,
	.file = {
		{ "alpha",
		  { POOL_PHYS + 0x10000, 0x2000, POOL_PHYS + 0x20000, 0x1000 },
		  32 },
		{ "beta", { POOL_PHYS + 0x40000, 0x4000 }, 16 },
	},
};

static struct keepalive_hdr *hdr(struct ka_img *img)
{
	return ka_img_hdr(img);
}

static void *payload(struct ka_img *img)
{
	return ka_img_fdt(img);
}

/* File @i's token: bytes that tell the files apart */
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

	for (i = 0; i < 6; i++)
		be[i] = cpu_to_fdt64(r[i]);
	return fdt_setprop(fdt, node, KEEPALIVE_PROP_RANGES, be, len);
}

static int add_file(struct ka_img *img, void *fdt, int memfd, int i)
{
	const struct ka_img_file *f = &img->spec.file[i];
	u8 t[KEEPALIVE_TOKEN_HASH_SIZE];
	char name[16];
	int node, sub, err;

	snprintf(name, sizeof(name), KEEPALIVE_MEMFD_FILE_PREFIX "%d", i);
	node = fdt_add_subnode(fdt, memfd, name);
	if (node < 0)
		return node;
	token(t, i);
	err = fdt_setprop_string(fdt, node, KEEPALIVE_MEMFD_PROP_NAME,
				 f->name);
	if (!err)
		err = fdt_setprop(fdt, node, KEEPALIVE_MEMFD_PROP_TOKEN_SHA256,
				  t, sizeof(t));
	if (!err && f->ranges_len)
		err = set_ranges(fdt, node, f->ranges, f->ranges_len);
	if (!err && i == 1 && img->spec.sub_ranges_len) {
		sub = fdt_add_subnode(fdt, node, "sub");
		err = sub < 0 ? sub :
		      set_ranges(fdt, sub, img->spec.sub_ranges,
				 img->spec.sub_ranges_len);
	}
	return err;
}

/**
 * ka_img_reset() - the good spec, the right pool, nothing built
 * @img: the test image, its @snap allocated
 *
 * Context: Any context.
 */
void ka_img_reset(struct ka_img *img)
{
	memset(img->snap, 0, KA_IMG_SNAP_MAX);
	img->spec = ka_img_good;
	img->check_phys = POOL_PHYS;
	img->check_size = POOL_SIZE;
	img->fdt_shift = 0;
}

/**
 * ka_img_build() - build @img->spec into the snapshot and seal it
 * @img: the test image
 *
 * As the kernel does at STOP: the payload at FDT_OFFSET in the pool.
 *
 * Context: Any context.
 * Return: 0, or the libfdt error that stopped the build.
 */
int ka_img_build(struct ka_img *img)
{
	const struct ka_img_spec *spec = &img->spec;
	void *fdt = payload(img);
	int i, memfd, node, err;

	memset(img->snap, 0, KA_IMG_SNAP_MAX);
	err = fdt_create_empty_tree(fdt, FDT_MAX);
	if (!err && spec->root_compatible)
		err = fdt_setprop_string(fdt, 0, KEEPALIVE_PROP_COMPATIBLE,
					 spec->root_compatible);
	if (!err && (spec->root_ranges_len || spec->root_ranges_empty))
		err = set_ranges(fdt, 0, spec->root_ranges,
				 spec->root_ranges_len);
	for (i = 0, node = 0; !err && i < spec->nest; i++) {
		node = fdt_add_subnode(fdt, node, "nest");
		err = node < 0 ? node : 0;
	}
	if (err)
		return err;
	memfd = fdt_add_subnode(fdt, 0, KEEPALIVE_MEMFD_NODE);
	if (memfd < 0)
		return memfd;
	err = fdt_setprop_string(fdt, memfd, KEEPALIVE_PROP_COMPATIBLE,
				 KEEPALIVE_MEMFD_COMPATIBLE);
	/* A new subnode goes first: add the files backwards. */
	for (i = NR_FILES - 1; !err && i >= 0; i--) {
		if (spec->file[i].name)
			err = add_file(img, fdt, memfd, i);
	}
	if (!err)
		err = fdt_pack(fdt);
	if (err)
		return err;
	keepalive_hdr_seal(hdr(img), POOL_PHYS, POOL_SIZE, FDT_OFFSET, fdt,
			   GENERATION);
	return 0;
}

/**
 * ka_img_reseal_hdr() - make the header CRC right again
 * @img: the test image, its header changed
 *
 * Context: Any context.
 */
void ka_img_reseal_hdr(struct ka_img *img)
{
	hdr(img)->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(hdr(img)));
}

/**
 * ka_img_reseal_all() - make both CRCs right again
 * @img: the test image, its payload or its size changed
 *
 * The payload CRC covers what the snapshot holds of it.
 *
 * Context: Any context.
 */
void ka_img_reseal_all(struct ka_img *img)
{
	u64 size = le64_to_cpu(hdr(img)->fdt_size);

	if (size > FDT_MAX)
		size = FDT_MAX;
	hdr(img)->fdt_crc32 = cpu_to_le32(keepalive_crc32(payload(img), size));
	ka_img_reseal_hdr(img);
}

/**
 * ka_img_case_passed() - whether the checks answered what @c wants
 * @c: the case
 * @ret: what the checks returned
 * @where: which check returned it (KA_IMG_ACCEPT: both passed)
 * @msg: their message
 *
 * A rejection must come from the check @c names, with a message.
 *
 * Context: Any context.
 * Return: true when it did.
 */
bool ka_img_case_passed(const struct ka_img_case *c, int ret,
			enum ka_img_where where, const char *msg)
{
	if (ret != c->want)
		return false;
	return c->where == KA_IMG_ACCEPT || (where == c->where && msg[0]);
}

/* ------------------------------------------------------------------ */
/* Tests with their own checks. */

static bool test_crc32(struct ka_img *img)
{
	return keepalive_crc32("123456789", 9) == 0xcbf43926 &&
	       keepalive_crc32("", 0) == 0 &&
	       keepalive_crc32("a", 1) == 0xe8b7be43;
}

static bool test_header_round_trip(struct ka_img *img)
{
	const struct keepalive_hdr *h = hdr(img);

	return !ka_img_build(img) &&
	       !memcmp(h->magic, KEEPALIVE_HDR_MAGIC,
		       KEEPALIVE_HDR_MAGIC_LEN) &&
	       le16_to_cpu(h->abi_major) == KEEPALIVE_ABI_MAJOR &&
	       le16_to_cpu(h->abi_minor) == KEEPALIVE_ABI_MINOR &&
	       le32_to_cpu(h->hdr_size) == 64 &&
	       le64_to_cpu(h->pool_phys) == POOL_PHYS &&
	       le64_to_cpu(h->pool_size) == POOL_SIZE &&
	       le64_to_cpu(h->fdt_offset) == FDT_OFFSET &&
	       le64_to_cpu(h->fdt_size) == fdt_totalsize(payload(img)) &&
	       le64_to_cpu(h->generation) == GENERATION &&
	       le32_to_cpu(h->fdt_crc32) ==
			keepalive_crc32(payload(img),
					fdt_totalsize(payload(img))) &&
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
	const struct ka_img_file *f = &ka_img_good.file[i];
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

static bool test_payload_round_trip(struct ka_img *img)
{
	const void *fdt = payload(img);
	char msg[KA_IMG_MSG_LEN];
	int memfd;

	if (ka_img_build(img))
		return false;
	memfd = fdt_path_offset(fdt, MEMFD_PATH);
	return !keepalive_fdt_check_struct(fdt, fdt_totalsize(fdt), msg,
					   sizeof(msg)) &&
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

	if (v->n + 2 > 8)
		return -E2BIG;
	v->seen[v->n++] = u64_at(&pair[0]);
	v->seen[v->n++] = u64_at(&pair[1]);
	return v->n / 2 == v->stop_after ? 42 : 0;
}

/* Tree order: a node's pairs, then its subnodes' (file@1's "sub") */
static bool test_range_walk(struct ka_img *img)
{
	struct visit v = { };

	img->spec.sub_ranges[0] = POOL_PHYS + 0x60000;
	img->spec.sub_ranges[1] = 0x1000;
	img->spec.sub_ranges_len = 16;
	return !ka_img_build(img) &&
	       !keepalive_image_walk_ranges(payload(img), visit_range, &v) &&
	       v.n == 8 &&
	       !memcmp(v.seen, ka_img_good.file[0].ranges, 4 * sizeof(u64)) &&
	       !memcmp(v.seen + 4, ka_img_good.file[1].ranges,
		       2 * sizeof(u64)) &&
	       !memcmp(v.seen + 6, img->spec.sub_ranges, 2 * sizeof(u64));
}

static bool test_range_walk_stops(struct ka_img *img)
{
	struct visit v = { .stop_after = 2 };

	return !ka_img_build(img) &&
	       keepalive_image_walk_ranges(payload(img), visit_range, &v) ==
	       42 && v.n == 4;
}

/* @msg[@len..] untouched, @msg[..@len - 1] a terminated string */
static bool msg_bounded(const char *msg, size_t len, size_t size)
{
	size_t i;

	if (strnlen(msg, len) != len - 1)
		return false;
	for (i = len; i < size; i++) {
		if (msg[i] != 0x5a)
			return false;
	}
	return true;
}

static bool test_msg_bounded(struct ka_img *img)
{
	char msg[16];

	if (ka_img_build(img))
		return false;
	hdr(img)->magic[0] ^= 0xff;
	memset(msg, 0x5a, sizeof(msg));
	if (keepalive_hdr_check(hdr(img), POOL_PHYS, POOL_SIZE, msg, 8) !=
	    -ENOENT || !msg_bounded(msg, 8, sizeof(msg)))
		return false;

	if (ka_img_build(img))
		return false;
	hdr(img)->fdt_crc32 ^= cpu_to_le32(1);
	memset(msg, 0x5a, sizeof(msg));
	return keepalive_fdt_check(hdr(img), payload(img), msg, 8) ==
	       -EBADMSG && msg_bounded(msg, 8, sizeof(msg));
}

const struct ka_img_check ka_img_checks[] = {
	{ "crc32 is zlib's crc32", test_crc32 },
	{ "round trip: header fields read back", test_header_round_trip },
	{ "round trip: payload nodes and properties read back",
	  test_payload_round_trip },
	{ "walk_ranges visits every pair in tree order", test_range_walk },
	{ "walk_ranges stops at a non-zero return", test_range_walk_stops },
	{ "messages are bounded by msg_len", test_msg_bounded },
};

const unsigned int ka_img_nr_checks = ARRAY_SIZE(ka_img_checks);

/* ------------------------------------------------------------------ */
/*
 * The table: change the spec and/or damage the built image; the checks
 * must return exactly what the case wants. The pool the checks are given
 * is POOL_PHYS/POOL_SIZE unless a case changes these.
 */

#define F0	img->spec.file[0]
#define F1	img->spec.file[1]

static int good(struct ka_img *img)
{
	return ka_img_build(img);
}

/* Accepted edge cases. */
static int minor_bump(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->abi_minor = cpu_to_le16(KEEPALIVE_ABI_MINOR + 7);
	ka_img_reseal_hdr(img);
	return err;
}

static int range_after_hdr(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + PAGE;
	F1.ranges[1] = 0x1000;
	return ka_img_build(img);
}

static int range_at_pool_end(struct ka_img *img)
{
	F1.ranges[0] = POOL_END - 0x4000;
	return ka_img_build(img);
}

static int ranges_adjacent(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + 0x12000;	/* file@0: 0x10000-0x12000 */
	F1.ranges[1] = 0xe000;			/* up to file@0's 0x20000 */
	return ka_img_build(img);
}

static int range_adjacent_payload(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + FDT_OFFSET - 0x4000;
	return ka_img_build(img);
}

static int no_ranges(struct ka_img *img)
{
	F0.ranges_len = 0;
	F1.ranges_len = 0;
	return ka_img_build(img);
}

static int nest_deepest(struct ka_img *img)
{
	img->spec.nest = KEEPALIVE_FDT_MAX_DEPTH - 1;	/* the root is depth 1 */
	return ka_img_build(img);
}

static int subnode_ranges(struct ka_img *img)
{
	img->spec.sub_ranges[0] = POOL_PHYS + 0x60000;
	img->spec.sub_ranges[1] = 0x1000;
	img->spec.sub_ranges_len = 16;
	return ka_img_build(img);
}

/* The payload area ends the pool: the FDT and zeroes after it */
static int payload_ends_pool(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_offset = cpu_to_le64(POOL_SIZE - FDT_MAX);
	hdr(img)->fdt_size = cpu_to_le64(FDT_MAX);
	ka_img_reseal_all(img);
	return err;
}

/* A payload area bigger than the FDT's totalsize */
static int payload_slack(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_size = cpu_to_le64(le64_to_cpu(hdr(img)->fdt_size) + 100);
	ka_img_reseal_all(img);
	return err;
}

/* Header. */
static int bad_magic(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->magic[7] = '2';
	ka_img_reseal_hdr(img);
	return err;
}

static int no_header(struct ka_img *img)
{
	int err = ka_img_build(img);

	memset(hdr(img), 0, sizeof(struct keepalive_hdr));
	return err;
}

static int abi_major_next(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->abi_major = cpu_to_le16(KEEPALIVE_ABI_MAJOR + 1);
	ka_img_reseal_hdr(img);
	return err;
}

static int abi_major_zero(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->abi_major = 0;
	ka_img_reseal_hdr(img);
	return err;
}

static int hdr_size_big(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->hdr_size = cpu_to_le32(sizeof(struct keepalive_hdr) + 8);
	ka_img_reseal_hdr(img);
	return err;
}

static int hdr_size_small(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->hdr_size = cpu_to_le32(sizeof(struct keepalive_hdr) - 4);
	ka_img_reseal_hdr(img);
	return err;
}

static int hdr_crc_field(struct ka_img *img)
{
	int err = ka_img_build(img);

	/* not resealed */
	hdr(img)->generation = cpu_to_le64(GENERATION + 1);
	return err;
}

static int hdr_crc_value(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->hdr_crc32 ^= cpu_to_le32(0x100);
	return err;
}

static int pool_phys_moved(struct ka_img *img)
{
	img->check_phys = POOL_PHYS + 0x200000;
	return ka_img_build(img);
}

static int pool_size_differs(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->pool_size = cpu_to_le64(POOL_SIZE * 2);
	ka_img_reseal_hdr(img);
	return err;
}

static int set_fdt_offset(struct ka_img *img, u64 off)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_offset = cpu_to_le64(off);
	ka_img_reseal_hdr(img);
	return err;
}

static int payload_at_zero(struct ka_img *img)
{
	return set_fdt_offset(img, 0);
}

static int payload_in_hdr_page(struct ka_img *img)
{
	return set_fdt_offset(img, PAGE - 0x100);
}

static int payload_past_end(struct ka_img *img)
{
	return set_fdt_offset(img, POOL_SIZE - 0x100);
}

static int payload_at_pool_end(struct ka_img *img)
{
	return set_fdt_offset(img, POOL_SIZE);
}

static int payload_wraps(struct ka_img *img)
{
	return set_fdt_offset(img, ~0ULL - 0xff);
}

static int payload_tiny(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_size = cpu_to_le64(sizeof(struct fdt_header) - 1);
	ka_img_reseal_all(img);
	return err;
}

static int payload_huge(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_size = cpu_to_le64(POOL_SIZE);
	ka_img_reseal_hdr(img);
	return err;
}

static int payload_size_wraps(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_size = cpu_to_le64(~0ULL - 0x800);
	ka_img_reseal_hdr(img);
	return err;
}

/* Payload. */
static int fdt_crc_data(struct ka_img *img)
{
	int err = ka_img_build(img);

	((u8 *)payload(img))[fdt_off_dt_strings(payload(img))] ^= 0x20;
	return err;
}

static int fdt_crc_value(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_crc32 ^= cpu_to_le32(1);
	ka_img_reseal_hdr(img);
	return err;
}

static int fdt_truncated(struct ka_img *img)
{
	int err = ka_img_build(img);

	hdr(img)->fdt_size = cpu_to_le64(fdt_totalsize(payload(img)) - 8);
	ka_img_reseal_all(img);
	return err;
}

/* The payload moved 4 bytes off its 8-byte alignment, its offset with it */
static int fdt_unaligned(struct ka_img *img)
{
	int err = ka_img_build(img);

	memmove((u8 *)payload(img) + 4, payload(img),
		fdt_totalsize(payload(img)));
	img->fdt_shift = 4;
	hdr(img)->fdt_offset = cpu_to_le64(FDT_OFFSET + 4);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_bad_magic(struct ka_img *img)
{
	int err = ka_img_build(img);

	((fdt32_t *)payload(img))[0] = cpu_to_fdt32(0x0badf00d);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_bad_version(struct ka_img *img)
{
	int err = ka_img_build(img);

	fdt_set_version(payload(img), 1);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_totalsize_bigger(struct ka_img *img)
{
	int err = ka_img_build(img);

	fdt_set_totalsize(payload(img), fdt_totalsize(payload(img)) + 8);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_bad_struct_offset(struct ka_img *img)
{
	int err = ka_img_build(img);

	fdt_set_off_dt_struct(payload(img), fdt_totalsize(payload(img)) + 8);
	ka_img_reseal_all(img);
	return err;
}

/* The structure block at @off, in a built payload. */
static fdt32_t *struct_at(struct ka_img *img, int off)
{
	void *fdt = payload(img);

	return (fdt32_t *)((u8 *)fdt + fdt_off_dt_struct(fdt) + off);
}

static int fdt_bad_tag(struct ka_img *img)
{
	int node, err = ka_img_build(img);

	if (err)
		return err;
	node = fdt_path_offset(payload(img), FILE1_PATH);
	if (node < 0)
		return node;
	/* Its FDT_BEGIN_NODE becomes garbage. */
	*struct_at(img, node) = cpu_to_fdt32(0x0badbad0);
	ka_img_reseal_all(img);
	return 0;
}

/* The first property of file@1 (phys-ranges: libfdt adds in front). */
static int file1_prop(struct ka_img *img)
{
	int node = fdt_path_offset(payload(img), FILE1_PATH);

	return node < 0 ? node : fdt_first_property_offset(payload(img), node);
}

static int fdt_bad_prop_name(struct ka_img *img)
{
	int off, err = ka_img_build(img);

	if (err)
		return err;
	off = file1_prop(img);
	if (off < 0)
		return off;
	/* The name offset of phys-ranges points nowhere: the range is hidden */
	struct_at(img, off)[2] = cpu_to_fdt32(0x7ffffff0);
	ka_img_reseal_all(img);
	return 0;
}

static int fdt_bad_root_tag(struct ka_img *img)
{
	int err = ka_img_build(img);

	*struct_at(img, 0) = cpu_to_fdt32(0x0badbad0);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_root_not_closed(struct ka_img *img)
{
	int err = ka_img_build(img);

	/* The root's FDT_END_NODE, before the final FDT_END, becomes one. */
	*struct_at(img, fdt_size_dt_struct(payload(img)) - 8) =
		cpu_to_fdt32(FDT_END);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_prop_len_onto_tag(struct ka_img *img)
{
	int off, err = ka_img_build(img);

	if (err)
		return err;
	off = file1_prop(img);
	if (off < 0)
		return off;
	/*
	 * libfdt 1.6.1 adds the 32-bit length to an int offset: -12 brings
	 * the next tag back onto this one. Its name is valid, so that even
	 * fdt_check_full() would walk it for ever.
	 */
	struct_at(img, off)[1] = cpu_to_fdt32(-12);
	ka_img_reseal_all(img);
	return 0;
}

static int fdt_prop_len_past_block(struct ka_img *img)
{
	int off, err = ka_img_build(img);

	if (err)
		return err;
	off = file1_prop(img);
	if (off < 0)
		return off;
	struct_at(img, off)[1] = cpu_to_fdt32(0x7ffffff0);
	ka_img_reseal_all(img);
	return 0;
}

static int fdt_node_name_past_block(struct ka_img *img)
{
	int node, err = ka_img_build(img);

	if (err)
		return err;
	node = fdt_path_offset(payload(img), FILE1_PATH);
	if (node < 0)
		return node;
	/* The block ends inside "file@1". */
	fdt_set_size_dt_struct(payload(img), node + 8);
	ka_img_reseal_all(img);
	return 0;
}

static int fdt_no_root(struct ka_img *img)
{
	int err = ka_img_build(img);

	*struct_at(img, 0) = cpu_to_fdt32(FDT_NOP);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_bytes_after_end(struct ka_img *img)
{
	int err = ka_img_build(img);

	/* The first 4 bytes of the strings block become part of it. */
	fdt_set_size_dt_struct(payload(img),
			       fdt_size_dt_struct(payload(img)) + 4);
	ka_img_reseal_all(img);
	return err;
}

static int fdt_version_16(struct ka_img *img)
{
	int err = ka_img_build(img);

	fdt_set_version(payload(img), 16);
	ka_img_reseal_all(img);
	return err;
}

static int nest_too_deep(struct ka_img *img)
{
	img->spec.nest = KEEPALIVE_FDT_MAX_DEPTH;
	return ka_img_build(img);
}

static int root_compatible_other(struct ka_img *img)
{
	img->spec.root_compatible = "keepalive,handover-v2";
	return ka_img_build(img);
}

static int root_compatible_none(struct ka_img *img)
{
	img->spec.root_compatible = NULL;
	return ka_img_build(img);
}

/* Ranges. */
static int range_at_pool_end_outside(struct ka_img *img)
{
	F1.ranges[0] = POOL_END;
	return ka_img_build(img);
}

static int range_crosses_pool_end(struct ka_img *img)
{
	F1.ranges[0] = POOL_END - 0x2000;
	return ka_img_build(img);
}

static int range_below_pool(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS - 0x4000;
	return ka_img_build(img);
}

static int range_in_hdr_page(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS;
	F1.ranges[1] = 0x1000;
	return ka_img_build(img);
}

static int range_over_hdr_page(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS;
	return ka_img_build(img);
}

static int range_unaligned_start(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + 0x40800;
	return ka_img_build(img);
}

static int range_unaligned_length(struct ka_img *img)
{
	F1.ranges[1] = 0x3ff8;
	return ka_img_build(img);
}

static int range_empty(struct ka_img *img)
{
	F1.ranges[1] = 0;
	return ka_img_build(img);
}

static int range_wraps(struct ka_img *img)
{
	F1.ranges[1] = -0x1000ULL;	/* ends at POOL_PHYS + 0x3f000 */
	return ka_img_build(img);
}

static int range_wraps_to_end(struct ka_img *img)
{
	F1.ranges[1] = -F1.ranges[0];	/* ends at 0 */
	return ka_img_build(img);
}

static int ranges_overlap(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + 0x11000;	/* file@0: 0x10000-0x12000 */
	return ka_img_build(img);
}

static int ranges_overlap_same_node(struct ka_img *img)
{
	F0.ranges[2] = POOL_PHYS + 0x11000;
	return ka_img_build(img);
}

static int ranges_identical(struct ka_img *img)
{
	F1.ranges[0] = F0.ranges[0];
	F1.ranges[1] = F0.ranges[1];
	return ka_img_build(img);
}

static int range_contains_other(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + 0xf000;
	F1.ranges[1] = 0x14000;		/* 0xf000-0x23000: covers two */
	return ka_img_build(img);
}

static int range_over_payload(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + FDT_OFFSET;
	F1.ranges[1] = 0x1000;
	return ka_img_build(img);
}

static int range_covers_payload(struct ka_img *img)
{
	F1.ranges[0] = POOL_PHYS + FDT_OFFSET - 0x4000;
	F1.ranges[1] = 0x8000;
	return ka_img_build(img);
}

static int ranges_len_24(struct ka_img *img)
{
	F1.ranges[2] = POOL_PHYS + 0x60000;
	F1.ranges_len = 24;
	return ka_img_build(img);
}

static int ranges_len_8(struct ka_img *img)
{
	F1.ranges_len = 8;
	return ka_img_build(img);
}

static int ranges_len_0(struct ka_img *img)
{
	img->spec.root_ranges_empty = true;
	return ka_img_build(img);
}

static int ranges_len_12_subnode(struct ka_img *img)
{
	img->spec.sub_ranges[0] = POOL_PHYS + 0x60000;
	img->spec.sub_ranges[1] = 0x1000;
	img->spec.sub_ranges_len = 12;
	return ka_img_build(img);
}

static int root_range_outside(struct ka_img *img)
{
	img->spec.root_ranges[0] = POOL_END + 0x10000;
	img->spec.root_ranges[1] = 0x1000;
	img->spec.root_ranges_len = 16;
	return ka_img_build(img);
}

#define ACCEPT(name, make)		{ name, make, 0, KA_IMG_ACCEPT }
#define REJECT_HDR(name, make, want)	{ name, make, want, KA_IMG_HDR }
#define REJECT_FDT(name, make, want)	{ name, make, want, KA_IMG_FDT }

const struct ka_img_case ka_img_cases[] = {
	ACCEPT("good image validates", good),
	ACCEPT("accept: ABI minor of a newer writer", minor_bump),
	ACCEPT("accept: range right after the header page", range_after_hdr),
	ACCEPT("accept: range ending at the pool end", range_at_pool_end),
	ACCEPT("accept: adjacent ranges", ranges_adjacent),
	ACCEPT("accept: range ending where the payload starts",
	       range_adjacent_payload),
	ACCEPT("accept: no ranges at all", no_ranges),
	ACCEPT("accept: nodes nested KEEPALIVE_FDT_MAX_DEPTH deep",
	       nest_deepest),
	ACCEPT("accept: ranges in a subnode of a file", subnode_ranges),
	ACCEPT("accept: payload area ending the pool", payload_ends_pool),
	ACCEPT("accept: payload area bigger than the FDT", payload_slack),

	REJECT_HDR("reject: bad magic", bad_magic, -ENOENT),
	REJECT_HDR("reject: no header (zeroes)", no_header, -ENOENT),
	REJECT_HDR("reject: next ABI major", abi_major_next, -EPROTO),
	REJECT_HDR("reject: ABI major 0", abi_major_zero, -EPROTO),
	REJECT_HDR("reject: header size too big", hdr_size_big, -EINVAL),
	REJECT_HDR("reject: header size too small", hdr_size_small, -EINVAL),
	REJECT_HDR("reject: header CRC (field changed)", hdr_crc_field,
		   -EBADMSG),
	REJECT_HDR("reject: header CRC (CRC changed)", hdr_crc_value,
		   -EBADMSG),
	REJECT_HDR("reject: pool at another address", pool_phys_moved,
		   -EINVAL),
	REJECT_HDR("reject: pool of another size", pool_size_differs,
		   -EINVAL),
	REJECT_HDR("reject: payload at offset 0", payload_at_zero, -ERANGE),
	REJECT_HDR("reject: payload in the header page", payload_in_hdr_page,
		   -ERANGE),
	REJECT_HDR("reject: payload past the pool end", payload_past_end,
		   -ERANGE),
	REJECT_HDR("reject: payload at the pool end", payload_at_pool_end,
		   -ERANGE),
	REJECT_HDR("reject: payload offset+size wraps", payload_wraps,
		   -ERANGE),
	REJECT_HDR("reject: payload size wraps", payload_size_wraps, -ERANGE),
	REJECT_HDR("reject: payload smaller than an FDT header", payload_tiny,
		   -ERANGE),
	REJECT_HDR("reject: payload size beyond the pool", payload_huge,
		   -ERANGE),
	REJECT_FDT("reject: payload CRC (data changed)", fdt_crc_data,
		   -EBADMSG),
	REJECT_FDT("reject: payload CRC (CRC changed)", fdt_crc_value,
		   -EBADMSG),
	REJECT_FDT("reject: FDT truncated", fdt_truncated, -EINVAL),
	REJECT_FDT("reject: FDT not 8-byte aligned", fdt_unaligned, -EINVAL),
	REJECT_FDT("reject: FDT totalsize beyond fdt_size",
		   fdt_totalsize_bigger, -EINVAL),
	REJECT_FDT("reject: FDT magic garbled", fdt_bad_magic, -EINVAL),
	REJECT_FDT("reject: FDT version 1", fdt_bad_version, -EINVAL),
	REJECT_FDT("reject: FDT struct offset garbled", fdt_bad_struct_offset,
		   -EINVAL),
	REJECT_FDT("reject: FDT structure tag garbled", fdt_bad_tag, -EINVAL),
	REJECT_FDT("reject: FDT property name offset garbled",
		   fdt_bad_prop_name, -EINVAL),
	REJECT_FDT("reject: FDT root node tag garbled", fdt_bad_root_tag,
		   -EINVAL),
	REJECT_FDT("reject: FDT root node not closed", fdt_root_not_closed,
		   -EINVAL),
	REJECT_FDT("reject: FDT property length -12, its next tag itself",
		   fdt_prop_len_onto_tag, -EINVAL),
	REJECT_FDT("reject: FDT property length past the structure block",
		   fdt_prop_len_past_block, -EINVAL),
	REJECT_FDT("reject: FDT node name past the structure block",
		   fdt_node_name_past_block, -EINVAL),
	REJECT_FDT("reject: FDT structure not starting with the root",
		   fdt_no_root, -EINVAL),
	REJECT_FDT("reject: FDT structure block going on after its end tag",
		   fdt_bytes_after_end, -EINVAL),
	REJECT_FDT("reject: FDT version 16", fdt_version_16, -EINVAL),
	REJECT_FDT("reject: FDT nodes nested deeper than KEEPALIVE_FDT_MAX_DEPTH",
		   nest_too_deep, -EINVAL),
	REJECT_FDT("reject: other root compatible", root_compatible_other,
		   -EPROTO),
	REJECT_FDT("reject: no root compatible", root_compatible_none,
		   -EPROTO),
	REJECT_FDT("reject: range just past the pool",
		   range_at_pool_end_outside, -ERANGE),
	REJECT_FDT("reject: range crossing the pool end",
		   range_crosses_pool_end, -ERANGE),
	REJECT_FDT("reject: range below the pool", range_below_pool, -ERANGE),
	REJECT_FDT("reject: range in the header page", range_in_hdr_page,
		   -ERANGE),
	REJECT_FDT("reject: range over the header page", range_over_hdr_page,
		   -ERANGE),
	REJECT_FDT("reject: unaligned range start", range_unaligned_start,
		   -ERANGE),
	REJECT_FDT("reject: unaligned range length", range_unaligned_length,
		   -ERANGE),
	REJECT_FDT("reject: zero-length range", range_empty, -ERANGE),
	REJECT_FDT("reject: range wrapping around 2^64", range_wraps, -ERANGE),
	REJECT_FDT("reject: range wrapping to 0", range_wraps_to_end, -ERANGE),
	REJECT_FDT("reject: overlapping ranges of two files", ranges_overlap,
		   -EINVAL),
	REJECT_FDT("reject: overlapping ranges of one file",
		   ranges_overlap_same_node, -EINVAL),
	REJECT_FDT("reject: identical ranges", ranges_identical, -EINVAL),
	REJECT_FDT("reject: range containing another", range_contains_other,
		   -EINVAL),
	REJECT_FDT("reject: range overlapping the payload", range_over_payload,
		   -EINVAL),
	REJECT_FDT("reject: range containing the payload",
		   range_covers_payload, -EINVAL),
	REJECT_FDT("reject: phys-ranges of 24 bytes", ranges_len_24, -EINVAL),
	REJECT_FDT("reject: phys-ranges of 8 bytes", ranges_len_8, -EINVAL),
	REJECT_FDT("reject: phys-ranges of 0 bytes", ranges_len_0, -EINVAL),
	REJECT_FDT("reject: phys-ranges of 12 bytes in a subnode",
		   ranges_len_12_subnode, -EINVAL),
	REJECT_FDT("reject: range on the root node outside the pool",
		   root_range_outside, -ERANGE),
};

const unsigned int ka_img_nr_cases = ARRAY_SIZE(ka_img_cases);
