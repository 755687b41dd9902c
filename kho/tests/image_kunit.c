// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the handover image encoder and validator (kho/image.c).
 *
 * Every test builds an image in a test buffer that stands for a fake pool
 * of IMG_POOL_SIZE bytes at IMG_POOL_PHYS: the header in its first page,
 * the payload FDT after it, KEEPALIVE_PROP_RANGES pairs pointing into the
 * fake pool. Covered: the CRC, a round trip through keepalive_hdr_seal()
 * and both checks (fields read back, every range visited in order), valid
 * edge cases (payload right after the header or at the very end of the
 * pool, a newer ABI minor, no ranges at all), and a table of corruptions,
 * each rejected by the right check with its exact errno and a message.
 * An input the fuzzer found is kept here byte for byte.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/libfdt.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "../image.h"

#define IMG_POOL_PHYS	0x100000000ULL
#define IMG_POOL_SIZE	SZ_1M
#define IMG_FDT_OFFSET	KEEPALIVE_HDR_AREA	/* right after the header */
#define IMG_FDT_MAX	SZ_8K
#define IMG_MAX_PAIRS	16
#define IMG_MSG_LEN	160

struct range_spec {
	u64 off;	/* from IMG_POOL_PHYS; may wrap below it */
	u64 len;
};

/*
 * A node of the payload. @path is "/name" or "/name/sub". Its
 * KEEPALIVE_PROP_RANGES holds the @nr pairs of @ranges less @cut bytes from
 * the end; no property when @nr is 0.
 */
struct node_spec {
	const char *path;
	const struct range_spec *ranges;
	unsigned int nr;
	unsigned int cut;
};

static const struct range_spec alpha_ranges[] = {
	{ 0x10000, 0x2000 }, { 0x20000, 0x1000 },
};

static const struct range_spec beta_ranges[] = {
	{ 0x12000, 0x1000 },		/* touches alpha's first one */
};

static const struct range_spec sub_ranges[] = {
	{ 0x40000, 0x10000 },
};

static const struct range_spec delta_ranges[] = {
	{ IMG_POOL_SIZE - 0x1000, 0x1000 },	/* ends at the pool's end */
};

/* In tree order, which is the order keepalive_image_walk_ranges() walks */
static const struct node_spec default_nodes[] = {
	{ .path = "/alpha", .ranges = alpha_ranges, .nr = ARRAY_SIZE(alpha_ranges) },
	{ .path = "/beta", .ranges = beta_ranges, .nr = ARRAY_SIZE(beta_ranges) },
	{ .path = "/beta/sub@0", .ranges = sub_ranges, .nr = ARRAY_SIZE(sub_ranges) },
	{ .path = "/gamma" },
	{ .path = "/delta", .ranges = delta_ranges, .nr = ARRAY_SIZE(delta_ranges) },
};

/* The same without delta, so that the payload can end the pool */
#define NR_NODES_NO_DELTA	(ARRAY_SIZE(default_nodes) - 1)

struct image {
	u8 *pool;			/* IMG_POOL_SIZE bytes */
	struct keepalive_hdr *hdr;	/* at the start of @pool */
	void *fdt;			/* where the header says */
	char msg[IMG_MSG_LEN];
};

static u64 img_phys(u64 off)
{
	return IMG_POOL_PHYS + off;
}

static int node_depth(const char *path)
{
	int depth = 0;

	for (; *path; path++)
		depth += *path == '/';
	return depth;
}

static void add_nodes(struct kunit *test, void *fdt,
		      const struct node_spec *nodes, unsigned int nr,
		      const struct node_spec *extra)
{
	unsigned int total = nr + !!extra;
	const struct node_spec *n;
	int depth, i, parent, off;

	/*
	 * fdt_add_subnode() puts a node before its existing siblings: add
	 * them last to first, parents before children.
	 */
	for (depth = 1; depth <= 2; depth++) {
		for (i = total - 1; i >= 0; i--) {
			n = i < nr ? &nodes[i] : extra;
			if (node_depth(n->path) != depth)
				continue;
			parent = 0;
			if (depth > 1)
				parent = fdt_path_offset_namelen(fdt, n->path,
								 strrchr(n->path, '/') - n->path);
			KUNIT_ASSERT_GE_MSG(test, parent, 0, "parent of %s", n->path);
			off = fdt_add_subnode(fdt, parent,
					      strrchr(n->path, '/') + 1);
			KUNIT_ASSERT_GE_MSG(test, off, 0, "adding %s", n->path);
		}
	}
}

static void set_node_props(struct kunit *test, void *fdt,
			   const struct node_spec *n)
{
	fdt64_t pairs[2 * IMG_MAX_PAIRS];
	unsigned int i;
	int off;

	off = fdt_path_offset(fdt, n->path);
	KUNIT_ASSERT_GE_MSG(test, off, 0, "finding %s", n->path);
	KUNIT_ASSERT_EQ(test, fdt_setprop_string(fdt, off,
						 KEEPALIVE_PROP_COMPATIBLE,
						 "keepalive,test-v1"), 0);
	if (!n->nr)
		return;
	KUNIT_ASSERT_LE(test, n->nr, IMG_MAX_PAIRS);
	KUNIT_ASSERT_LE(test, n->cut, n->nr * sizeof(pairs[0]) * 2);
	for (i = 0; i < n->nr; i++) {
		pairs[2 * i] = cpu_to_fdt64(img_phys(n->ranges[i].off));
		pairs[2 * i + 1] = cpu_to_fdt64(n->ranges[i].len);
	}
	KUNIT_ASSERT_EQ(test, fdt_setprop(fdt, off, KEEPALIVE_PROP_RANGES, pairs,
					  n->nr * sizeof(pairs[0]) * 2 - n->cut),
			0);
}

/*
 * Build a payload with @nodes (and @extra, last) in a scratch buffer,
 * pack it, copy it to @fdt_off in a fresh fake pool and seal the header.
 * @fdt_off < 0 puts the payload as close to the end of the pool as its
 * alignment allows.
 */
static void build_image(struct kunit *test, struct image *img,
			const struct node_spec *nodes, unsigned int nr,
			const struct node_spec *extra, long fdt_off)
{
	void *fdt;
	unsigned int i;
	u32 size;

	img->pool = kunit_kzalloc(test, IMG_POOL_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, img->pool);
	fdt = kunit_kzalloc(test, IMG_FDT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fdt);

	KUNIT_ASSERT_EQ(test, fdt_create_empty_tree(fdt, IMG_FDT_MAX), 0);
	KUNIT_ASSERT_EQ(test, fdt_setprop_string(fdt, 0,
						 KEEPALIVE_PROP_COMPATIBLE,
						 KEEPALIVE_FDT_COMPATIBLE), 0);
	add_nodes(test, fdt, nodes, nr, extra);
	for (i = 0; i < nr; i++)
		set_node_props(test, fdt, &nodes[i]);
	if (extra)
		set_node_props(test, fdt, extra);
	KUNIT_ASSERT_EQ(test, fdt_setprop_u32(fdt, fdt_path_offset(fdt, "/gamma"),
					      "value", 0x5a5a), 0);
	KUNIT_ASSERT_EQ(test, fdt_pack(fdt), 0);

	size = fdt_totalsize(fdt);
	if (fdt_off < 0)	/* libfdt wants 8-byte aligned trees */
		fdt_off = ALIGN_DOWN(IMG_POOL_SIZE - size, 8);
	KUNIT_ASSERT_LE(test, fdt_off + size, IMG_POOL_SIZE);
	img->hdr = (struct keepalive_hdr *)img->pool;
	img->fdt = img->pool + fdt_off;
	memcpy(img->fdt, fdt, size);
	keepalive_hdr_seal(img->hdr, IMG_POOL_PHYS, IMG_POOL_SIZE, fdt_off,
			   img->fdt, 42);
}

static void build_default(struct kunit *test, struct image *img)
{
	build_image(test, img, default_nodes, ARRAY_SIZE(default_nodes), NULL,
		    IMG_FDT_OFFSET);
}

static int hdr_check(struct image *img)
{
	img->msg[0] = '\0';
	return keepalive_hdr_check(img->hdr, IMG_POOL_PHYS, IMG_POOL_SIZE,
				   img->msg, sizeof(img->msg));
}

static int fdt_check(struct image *img)
{
	img->msg[0] = '\0';
	return keepalive_fdt_check(img->hdr, img->fdt, img->msg,
				   sizeof(img->msg));
}

struct pairs {
	u64 phys[IMG_MAX_PAIRS];
	u64 len[IMG_MAX_PAIRS];
	unsigned int n;
	unsigned int stop_at;	/* return 1 at this visit, if not 0 */
};

static int collect_pair(void *ctx, const fdt64_t *pair)
{
	struct pairs *p = ctx;

	if (p->n >= IMG_MAX_PAIRS)
		return -E2BIG;
	p->phys[p->n] = fdt64_to_cpu(pair[0]);
	p->len[p->n] = fdt64_to_cpu(pair[1]);
	if (++p->n == p->stop_at)
		return 1;
	return 0;
}

/* Expect exactly the pairs of @nodes, in order */
static void expect_pairs(struct kunit *test, const struct pairs *p,
			 const struct node_spec *nodes, unsigned int nr)
{
	unsigned int i, j, k = 0;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < nodes[i].nr; j++, k++) {
			if (k >= p->n)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, p->phys[k],
					    img_phys(nodes[i].ranges[j].off),
					    "pair %u (%s)", k, nodes[i].path);
			KUNIT_EXPECT_EQ_MSG(test, p->len[k],
					    nodes[i].ranges[j].len,
					    "pair %u (%s)", k, nodes[i].path);
		}
	}
	KUNIT_EXPECT_EQ(test, p->n, k);
}

static void image_crc32_test(struct kunit *test)
{
	static const char check[] = "123456789";

	/* The CRC-32 check value, as zlib's crc32() computes it */
	KUNIT_EXPECT_EQ(test, keepalive_crc32(check, 9), 0xcbf43926U);
	KUNIT_EXPECT_EQ(test, keepalive_crc32(check, 0), 0U);
}

static void image_round_trip_test(struct kunit *test)
{
	struct image img;
	struct keepalive_hdr *hdr;
	struct pairs p = { };
	u32 size;

	build_default(test, &img);
	hdr = img.hdr;
	size = fdt_totalsize(img.fdt);

	KUNIT_EXPECT_EQ_MSG(test, hdr_check(&img), 0, "%s", img.msg);
	KUNIT_EXPECT_EQ_MSG(test, fdt_check(&img), 0, "%s", img.msg);

	KUNIT_EXPECT_EQ(test, memcmp(hdr->magic, KEEPALIVE_HDR_MAGIC,
				     KEEPALIVE_HDR_MAGIC_LEN), 0);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(hdr->abi_major), KEEPALIVE_ABI_MAJOR);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(hdr->abi_minor), KEEPALIVE_ABI_MINOR);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(hdr->hdr_size), 64U);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(hdr->pool_phys), IMG_POOL_PHYS);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(hdr->pool_size), (u64)IMG_POOL_SIZE);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(hdr->fdt_offset), (u64)IMG_FDT_OFFSET);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(hdr->fdt_size), (u64)size);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(hdr->generation), 42ULL);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(hdr->fdt_crc32),
			keepalive_crc32(img.fdt, size));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(hdr->hdr_crc32),
			keepalive_hdr_crc(hdr));

	/* The payload is the tree that was written */
	KUNIT_EXPECT_EQ(test, fdt_node_check_compatible(img.fdt, 0,
							KEEPALIVE_FDT_COMPATIBLE), 0);
	KUNIT_EXPECT_GE(test, fdt_path_offset(img.fdt, "/beta/sub@0"), 0);
	KUNIT_EXPECT_GE(test, fdt_path_offset(img.fdt, "/gamma"), 0);

	KUNIT_EXPECT_EQ(test, keepalive_image_walk_ranges(img.fdt, collect_pair, &p), 0);
	expect_pairs(test, &p, default_nodes, ARRAY_SIZE(default_nodes));
	KUNIT_EXPECT_EQ(test, p.n, 5U);
}

static void image_range_walk_stop_test(struct kunit *test)
{
	struct image img;
	struct pairs p = { .stop_at = 3 };

	build_default(test, &img);
	KUNIT_EXPECT_EQ(test, keepalive_image_walk_ranges(img.fdt, collect_pair, &p), 1);
	KUNIT_EXPECT_EQ(test, p.n, 3U);
	KUNIT_EXPECT_EQ(test, p.phys[2], img_phys(beta_ranges[0].off));
}

static void image_no_ranges_test(struct kunit *test)
{
	static const struct node_spec bare[] = { { .path = "/gamma" } };
	struct image img;
	struct pairs p = { };

	build_image(test, &img, bare, ARRAY_SIZE(bare), NULL, IMG_FDT_OFFSET);
	KUNIT_EXPECT_EQ_MSG(test, hdr_check(&img), 0, "%s", img.msg);
	KUNIT_EXPECT_EQ_MSG(test, fdt_check(&img), 0, "%s", img.msg);
	KUNIT_EXPECT_EQ(test, keepalive_image_walk_ranges(img.fdt, collect_pair, &p), 0);
	KUNIT_EXPECT_EQ(test, p.n, 0U);
}

static void image_payload_at_pool_end_test(struct kunit *test)
{
	struct image img;
	u64 off;

	/* The payload area ends the pool: the FDT and a few bytes of slack */
	build_image(test, &img, default_nodes, NR_NODES_NO_DELTA, NULL, -1);
	off = le64_to_cpu(img.hdr->fdt_offset);
	img.hdr->fdt_size = cpu_to_le64(IMG_POOL_SIZE - off);
	img.hdr->fdt_crc32 = cpu_to_le32(keepalive_crc32(img.fdt,
							 IMG_POOL_SIZE - off));
	img.hdr->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(img.hdr));
	KUNIT_EXPECT_EQ_MSG(test, hdr_check(&img), 0, "%s", img.msg);
	KUNIT_EXPECT_EQ_MSG(test, fdt_check(&img), 0, "%s", img.msg);
}

static void image_newer_minor_test(struct kunit *test)
{
	struct image img;

	build_default(test, &img);
	img.hdr->abi_minor = cpu_to_le16(KEEPALIVE_ABI_MINOR + 7);
	img.hdr->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(img.hdr));
	KUNIT_EXPECT_EQ_MSG(test, hdr_check(&img), 0, "%s", img.msg);
	KUNIT_EXPECT_EQ_MSG(test, fdt_check(&img), 0, "%s", img.msg);
}

static void image_payload_slack_test(struct kunit *test)
{
	struct image img;
	u64 size;

	/* A payload area bigger than the FDT's totalsize is fine */
	build_default(test, &img);
	size = le64_to_cpu(img.hdr->fdt_size) + 100;
	img.hdr->fdt_size = cpu_to_le64(size);
	img.hdr->fdt_crc32 = cpu_to_le32(keepalive_crc32(img.fdt, size));
	img.hdr->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(img.hdr));
	KUNIT_EXPECT_EQ_MSG(test, hdr_check(&img), 0, "%s", img.msg);
	KUNIT_EXPECT_EQ_MSG(test, fdt_check(&img), 0, "%s", img.msg);
}

static void image_msg_bounded_test(struct kunit *test)
{
	struct image img;
	char msg[16];

	build_default(test, &img);
	img.hdr->magic[0] ^= 0xff;
	memset(msg, 0x5a, sizeof(msg));
	KUNIT_EXPECT_EQ(test, keepalive_hdr_check(img.hdr, IMG_POOL_PHYS,
						  IMG_POOL_SIZE, msg, 8),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, strnlen(msg, 8), 7U);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(msg + 8, 0x5a, 8), NULL);

	build_default(test, &img);
	img.hdr->fdt_crc32 ^= cpu_to_le32(1);
	memset(msg, 0x5a, sizeof(msg));
	KUNIT_EXPECT_EQ(test, keepalive_fdt_check(img.hdr, img.fdt, msg, 8),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, strnlen(msg, 8), 7U);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(msg + 8, 0x5a, 8), NULL);
}

/*
 * The payload of tools/keepalive/testdata/image-hang-0762d9a.bin, the 429
 * bytes its header's fdt_size names: the root's first property has a
 * length of 0xfffffff4 (-12), which libfdt's tag walk (Linux 6.1's copy)
 * turns into a next tag at the property's own offset. The check ran for
 * ever on it before keepalive_fdt_check_struct().
 */
static const u8 fuzz_hang_payload[] = {
	0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x01, 0xad, 0x00, 0x00, 0x00, 0x38,
	0x00, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x11,
	0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x29,
	0x00, 0x00, 0x01, 0x4c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0xff, 0xf4,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x16, 0x00,
	0x00, 0x00, 0x00, 0x6b, 0x65, 0x65, 0x70, 0x61, 0x6c, 0x69, 0x76, 0x65,
	0x2c, 0x68, 0x61, 0x6e, 0x64, 0x6f, 0x76, 0x65, 0x72, 0x2d, 0x76, 0x31,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x6d, 0x65, 0x6d, 0x66, 0x64,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x13, 0x00,
	0x00, 0x00, 0x00, 0x6b, 0x65, 0x65, 0x70, 0x61, 0x6c, 0x69, 0x76, 0x65,
	0x2c, 0x6d, 0x65, 0x6d, 0x66, 0x64, 0x2d, 0x76, 0x32, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x66, 0x69, 0x6c, 0x65, 0x40, 0x30, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x1d, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x07, 0x0e, 0x15, 0x1c,
	0x23, 0x2a, 0x31, 0x38, 0x3f, 0x46, 0x4d, 0x54, 0x5b, 0x62, 0x69, 0x70,
	0x77, 0x7e, 0x85, 0x8c, 0x93, 0x9a, 0xa1, 0xa8, 0xaf, 0xb6, 0xbd, 0xc4,
	0xcb, 0xd2, 0xd9, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x06, 0x00,
	0x00, 0x00, 0x0b, 0x61, 0x6c, 0x70, 0x68, 0x61, 0x00, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x66, 0x69, 0x6c, 0x65, 0x40,
	0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x1d, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
	0x00, 0x00, 0xd8, 0x00, 0x00, 0x00, 0x10, 0x01, 0x08, 0x0f, 0x16, 0x1d,
	0x24, 0x2b, 0x32, 0x39, 0x40, 0x47, 0x4e, 0x55, 0x5c,
};

static void image_fuzz_hang_test(struct kunit *test)
{
	struct image img;

	build_default(test, &img);
	KUNIT_ASSERT_EQ(test, fdt_totalsize(fuzz_hang_payload),
			sizeof(fuzz_hang_payload));
	memcpy(img.fdt, fuzz_hang_payload, sizeof(fuzz_hang_payload));
	keepalive_hdr_seal(img.hdr, IMG_POOL_PHYS, IMG_POOL_SIZE,
			   IMG_FDT_OFFSET, img.fdt, 42);
	KUNIT_ASSERT_EQ_MSG(test, hdr_check(&img), 0, "%s", img.msg);
	KUNIT_EXPECT_EQ_MSG(test, fdt_check(&img), -EINVAL, "%s", img.msg);
	KUNIT_EXPECT_NE_MSG(test, img.msg[0], '\0', "no message");
}

/* ---- corruptions ---- */

#define NO_FIX_HDR	BIT(0)	/* leave the header CRC as it is */
#define NO_FIX_FDT	BIT(1)	/* leave the payload CRC as it is */

/**
 * struct corruption - one way an image can be wrong
 * @desc: what is wrong
 * @corrupt: damage done after sealing, or NULL
 * @keep: NO_FIX_* flags; by default both CRCs are made right again after
 *	@corrupt, so that only the intended fault is present
 * @path: path of a node added to the default payload before sealing,
 *	"/zz-bad" when NULL; added when @nr is not 0
 * @ranges: its KEEPALIVE_PROP_RANGES pairs
 * @nr: how many
 * @cut: bytes cut from the end of its KEEPALIVE_PROP_RANGES
 * @in_hdr: keepalive_hdr_check() rejects it (else keepalive_fdt_check())
 * @err: the errno expected
 */
struct corruption {
	const char *desc;
	void (*corrupt)(struct image *img);
	unsigned int keep;
	const char *path;
	struct range_spec ranges[2];
	unsigned int nr;
	unsigned int cut;
	bool in_hdr;
	int err;
};

static void bad_magic(struct image *img)
{
	img->hdr->magic[7] = '2';
}

static void no_header(struct image *img)
{
	memset(img->hdr, 0, KEEPALIVE_HDR_AREA);
}

static void major_next(struct image *img)
{
	img->hdr->abi_major = cpu_to_le16(KEEPALIVE_ABI_MAJOR + 1);
}

static void major_zero(struct image *img)
{
	img->hdr->abi_major = 0;
}

static void hdr_size_small(struct image *img)
{
	img->hdr->hdr_size = cpu_to_le32(sizeof(*img->hdr) - 1);
}

static void hdr_size_big(struct image *img)
{
	img->hdr->hdr_size = cpu_to_le32(KEEPALIVE_HDR_AREA);
}

static void hdr_crc_flip(struct image *img)
{
	img->hdr->hdr_crc32 ^= cpu_to_le32(0x80);
}

static void generation_bump(struct image *img)
{
	le64_add_cpu(&img->hdr->generation, 1);
}

static void pool_phys_moved(struct image *img)
{
	le64_add_cpu(&img->hdr->pool_phys, SZ_2M);
}

static void pool_size_grown(struct image *img)
{
	le64_add_cpu(&img->hdr->pool_size, PAGE_SIZE);
}

static void fdt_offset_zero(struct image *img)
{
	img->hdr->fdt_offset = 0;
}

static void fdt_offset_in_hdr(struct image *img)
{
	img->hdr->fdt_offset = cpu_to_le64(KEEPALIVE_HDR_AREA - 8);
}

static void fdt_past_end(struct image *img)
{
	u64 size = le64_to_cpu(img->hdr->fdt_size);

	img->hdr->fdt_offset = cpu_to_le64(IMG_POOL_SIZE - size + 1);
}

static void fdt_offset_at_end(struct image *img)
{
	img->hdr->fdt_offset = cpu_to_le64(IMG_POOL_SIZE);
}

static void fdt_size_wraps(struct image *img)
{
	img->hdr->fdt_size = cpu_to_le64(U64_MAX - 0x800);
}

static void fdt_offset_wraps(struct image *img)
{
	img->hdr->fdt_offset = cpu_to_le64(U64_MAX & ~0xfffULL);
}

static void fdt_size_tiny(struct image *img)
{
	img->hdr->fdt_size = cpu_to_le64(sizeof(struct fdt_header) - 1);
}

static void fdt_crc_flip(struct image *img)
{
	img->hdr->fdt_crc32 ^= cpu_to_le32(1);
}

static void fdt_byte_flip(struct image *img)
{
	((u8 *)img->fdt)[fdt_totalsize(img->fdt) - 2] ^= 0x20;
}

static void fdt_truncated(struct image *img)
{
	img->hdr->fdt_size = cpu_to_le64(fdt_totalsize(img->fdt) - 4);
}

static void fdt_unaligned(struct image *img)
{
	memmove(img->fdt + 4, img->fdt, fdt_totalsize(img->fdt));
	img->fdt += 4;
	le64_add_cpu(&img->hdr->fdt_offset, 4);
}

static void fdt_bad_magic(struct image *img)
{
	fdt_set_magic(img->fdt, 0xd00dfeee);
}

static void fdt_bad_version(struct image *img)
{
	fdt_set_version(img->fdt, 1);
}

static void fdt_bad_struct_offset(struct image *img)
{
	fdt_set_off_dt_struct(img->fdt, fdt_totalsize(img->fdt) + 8);
}

/* The structure block at @off */
static fdt32_t *struct_at(struct image *img, int off)
{
	return (fdt32_t *)(img->fdt + fdt_off_dt_struct(img->fdt) + off);
}

/* The length of /beta's first property */
static fdt32_t *beta_prop_len(struct image *img)
{
	int off;

	off = fdt_first_property_offset(img->fdt,
					fdt_path_offset(img->fdt, "/beta"));
	return struct_at(img, off < 0 ? 0 : off + 4);
}

static void prop_len_onto_tag(struct image *img)
{
	/* offset + 12 + len wraps to the property's own tag in libfdt */
	*beta_prop_len(img) = cpu_to_fdt32(-12);
}

static void prop_len_past_struct(struct image *img)
{
	*beta_prop_len(img) = cpu_to_fdt32(fdt_size_dt_struct(img->fdt));
}

static void struct_no_root(struct image *img)
{
	*struct_at(img, 0) = cpu_to_fdt32(FDT_NOP);
}

static void struct_after_end(struct image *img)
{
	/* The strings block's first bytes become part of it */
	fdt_set_size_dt_struct(img->fdt, fdt_size_dt_struct(img->fdt) + 4);
}

static void fdt_version_16(struct image *img)
{
	fdt_set_version(img->fdt, 16);
}

static void root_other_compatible(struct image *img)
{
	/* Same length: the packed tree needs no room */
	fdt_setprop_string(img->fdt, 0, KEEPALIVE_PROP_COMPATIBLE,
			   "keepalive,handover-v2");
}

static void root_no_compatible(struct image *img)
{
	fdt_delprop(img->fdt, 0, KEEPALIVE_PROP_COMPATIBLE);
}

static const struct corruption corruptions[] = {
	{
		.desc = "bad magic",
		.corrupt = bad_magic,
		.in_hdr = true,
		.err = -ENOENT,
	},
	{
		.desc = "no header at all",
		.corrupt = no_header,
		.keep = NO_FIX_HDR,
		.in_hdr = true,
		.err = -ENOENT,
	},
	{
		.desc = "next ABI major",
		.corrupt = major_next,
		.in_hdr = true,
		.err = -EPROTO,
	},
	{
		.desc = "ABI major 0",
		.corrupt = major_zero,
		.in_hdr = true,
		.err = -EPROTO,
	},
	{
		.desc = "header size too small",
		.corrupt = hdr_size_small,
		.in_hdr = true,
		.err = -EINVAL,
	},
	{
		.desc = "header size too big",
		.corrupt = hdr_size_big,
		.in_hdr = true,
		.err = -EINVAL,
	},
	{
		.desc = "header CRC flipped",
		.corrupt = hdr_crc_flip,
		.keep = NO_FIX_HDR,
		.in_hdr = true,
		.err = -EBADMSG,
	},
	{
		.desc = "header changed after sealing",
		.corrupt = generation_bump,
		.keep = NO_FIX_HDR,
		.in_hdr = true,
		.err = -EBADMSG,
	},
	{
		.desc = "pool address mismatch",
		.corrupt = pool_phys_moved,
		.in_hdr = true,
		.err = -EINVAL,
	},
	{
		.desc = "pool size mismatch",
		.corrupt = pool_size_grown,
		.in_hdr = true,
		.err = -EINVAL,
	},
	{
		.desc = "payload at offset 0",
		.corrupt = fdt_offset_zero,
		.in_hdr = true,
		.err = -ERANGE,
	},
	{
		.desc = "payload overlaps the header area",
		.corrupt = fdt_offset_in_hdr,
		.in_hdr = true,
		.err = -ERANGE,
	},
	{
		.desc = "payload past the pool end",
		.corrupt = fdt_past_end,
		.in_hdr = true,
		.err = -ERANGE,
	},
	{
		.desc = "payload at the pool end",
		.corrupt = fdt_offset_at_end,
		.in_hdr = true,
		.err = -ERANGE,
	},
	{
		.desc = "payload size wraps",
		.corrupt = fdt_size_wraps,
		.in_hdr = true,
		.err = -ERANGE,
	},
	{
		.desc = "payload offset wraps",
		.corrupt = fdt_offset_wraps,
		.in_hdr = true,
		.err = -ERANGE,
	},
	{
		.desc = "payload smaller than an FDT header",
		.corrupt = fdt_size_tiny,
		.in_hdr = true,
		.err = -ERANGE,
	},
	{
		.desc = "payload CRC flipped",
		.corrupt = fdt_crc_flip,
		.keep = NO_FIX_FDT,
		.err = -EBADMSG,
	},
	{
		.desc = "payload changed after sealing",
		.corrupt = fdt_byte_flip,
		.keep = NO_FIX_FDT,
		.err = -EBADMSG,
	},
	{
		.desc = "FDT truncated",
		.corrupt = fdt_truncated,
		.err = -EINVAL,
	},
	{
		.desc = "FDT not 8-byte aligned",
		.corrupt = fdt_unaligned,
		.err = -EINVAL,
	},
	{
		.desc = "FDT magic garbled",
		.corrupt = fdt_bad_magic,
		.err = -EINVAL,
	},
	{
		.desc = "FDT version garbled",
		.corrupt = fdt_bad_version,
		.err = -EINVAL,
	},
	{
		.desc = "FDT struct offset garbled",
		.corrupt = fdt_bad_struct_offset,
		.err = -EINVAL,
	},
	{
		.desc = "FDT property length -12: its next tag is itself",
		.corrupt = prop_len_onto_tag,
		.err = -EINVAL,
	},
	{
		.desc = "FDT property length past the structure block",
		.corrupt = prop_len_past_struct,
		.err = -EINVAL,
	},
	{
		.desc = "FDT structure not starting with the root",
		.corrupt = struct_no_root,
		.err = -EINVAL,
	},
	{
		.desc = "FDT structure going on after its end tag",
		.corrupt = struct_after_end,
		.err = -EINVAL,
	},
	{
		.desc = "FDT version 16",
		.corrupt = fdt_version_16,
		.err = -EINVAL,
	},
	{
		.desc = "root of another compatible",
		.corrupt = root_other_compatible,
		.err = -EPROTO,
	},
	{
		.desc = "root without compatible",
		.corrupt = root_no_compatible,
		.err = -EPROTO,
	},
	{
		.desc = "range beyond the pool end",
		.ranges = { { IMG_POOL_SIZE, 0x1000 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range across the pool end",
		.ranges = { { IMG_POOL_SIZE - 0x1000, 0x2000 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range below the pool",
		.ranges = { { -0x1000ULL, 0x1000 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range in the header page",
		.ranges = { { 0, 0x1000 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range from the header page on",
		.ranges = { { 0, 0x3000 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range start unaligned",
		.ranges = { { 0x30800, 0x1000 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range length unaligned",
		.ranges = { { 0x30000, 0x1800 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range empty",
		.ranges = { { 0x30000, 0 } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range wraps",
		.ranges = { { 0x30000, -0x10000ULL } },
		.nr = 1,
		.err = -ERANGE,
	},
	{
		.desc = "range overlaps another node's",
		.ranges = { { 0x11000, 0x1000 } },
		.nr = 1,
		.err = -EINVAL,
	},
	{
		.desc = "range equals another node's",
		.ranges = { { 0x40000, 0x10000 } },
		.nr = 1,
		.err = -EINVAL,
	},
	{
		.desc = "range covers another node's",
		.ranges = { { 0x3f000, 0x20000 } },
		.nr = 1,
		.err = -EINVAL,
	},
	{
		.desc = "ranges of one node overlap",
		.ranges = { { 0x60000, 0x2000 }, { 0x61000, 0x1000 } },
		.nr = 2,
		.err = -EINVAL,
	},
	{
		.desc = "range overlaps the payload",
		.ranges = { { IMG_FDT_OFFSET, 0x1000 } },
		.nr = 1,
		.err = -EINVAL,
	},
	{
		.desc = "phys-ranges of 24 bytes",
		.ranges = { { 0x60000, 0x1000 }, { 0x70000, 0x1000 } },
		.nr = 2,
		.cut = 8,
		.err = -EINVAL,
	},
	{
		.desc = "phys-ranges of 8 bytes",
		.ranges = { { 0x60000, 0x1000 } },
		.nr = 1,
		.cut = 8,
		.err = -EINVAL,
	},
	{
		.desc = "phys-ranges empty",
		.ranges = { { 0x60000, 0x1000 } },
		.nr = 1,
		.cut = 16,
		.err = -EINVAL,
	},
	{
		.desc = "phys-ranges of 12 bytes in a subnode",
		.path = "/beta/zz-bad",
		.ranges = { { 0x60000, 0x1000 } },
		.nr = 1,
		.cut = 4,
		.err = -EINVAL,
	},
};

static void corruption_desc(const struct corruption *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(corruption, corruptions, corruption_desc);

/* Make the CRCs right again, where the header says where the payload is */
static void fix_crcs(struct image *img, unsigned int keep)
{
	u64 off = le64_to_cpu(img->hdr->fdt_offset);
	u64 size = le64_to_cpu(img->hdr->fdt_size);

	if (!(keep & NO_FIX_FDT) && off <= IMG_POOL_SIZE &&
	    size <= IMG_POOL_SIZE - off)
		img->hdr->fdt_crc32 = cpu_to_le32(keepalive_crc32(img->pool + off,
								  size));
	if (!(keep & NO_FIX_HDR))
		img->hdr->hdr_crc32 = cpu_to_le32(keepalive_hdr_crc(img->hdr));
}

static void image_corruption_test(struct kunit *test)
{
	const struct corruption *c = test->param_value;
	struct node_spec extra = {
		.path = c->path ?: "/zz-bad",
		.ranges = c->ranges,
		.nr = c->nr,
		.cut = c->cut,
	};
	struct image img;
	int ret;

	build_image(test, &img, default_nodes, ARRAY_SIZE(default_nodes),
		    c->nr ? &extra : NULL, IMG_FDT_OFFSET);
	if (c->corrupt) {
		c->corrupt(&img);
		fix_crcs(&img, c->keep);
	}

	ret = hdr_check(&img);
	if (c->in_hdr) {
		KUNIT_EXPECT_EQ_MSG(test, ret, c->err, "%s", img.msg);
		KUNIT_EXPECT_NE_MSG(test, img.msg[0], '\0', "no message");
		return;
	}
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "header rejected: %s", img.msg);
	ret = fdt_check(&img);
	KUNIT_EXPECT_EQ_MSG(test, ret, c->err, "%s", img.msg);
	KUNIT_EXPECT_NE_MSG(test, img.msg[0], '\0', "no message");
}

static struct kunit_case keepalive_image_test_cases[] = {
	KUNIT_CASE(image_crc32_test),
	KUNIT_CASE(image_round_trip_test),
	KUNIT_CASE(image_range_walk_stop_test),
	KUNIT_CASE(image_no_ranges_test),
	KUNIT_CASE(image_payload_at_pool_end_test),
	KUNIT_CASE(image_newer_minor_test),
	KUNIT_CASE(image_payload_slack_test),
	KUNIT_CASE(image_msg_bounded_test),
	KUNIT_CASE(image_fuzz_hang_test),
	KUNIT_CASE_PARAM(image_corruption_test, corruption_gen_params),
	{}
};

static struct kunit_suite keepalive_image_test_suite = {
	.name = "keepalive_image",
	.test_cases = keepalive_image_test_cases,
};

kunit_test_suite(keepalive_image_test_suite);
