// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the kept-device list (kho/devlist.c): built from an
 * image whose participants record devices in any order, some of them
 * twice, among other subnodes; read back; every rule of struct
 * keepalive_devlist broken in turn, each refused with its errno; and a
 * list that cannot hold every recorded device.
 */
#include <kunit/test.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/core.h>
#include <linux/libfdt.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../image.h"
#include "../kho.h"

#define FDT_SIZE	SZ_64K

struct dctx {
	void *fdt;
	struct keepalive_devlist *dl;
	char msg[128];
};

static int dl_init(struct kunit *test)
{
	struct dctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->fdt = kunit_kzalloc(test, FDT_SIZE, GFP_KERNEL);
	ctx->dl = kunit_kzalloc(test, sizeof(*ctx->dl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->fdt);
	KUNIT_ASSERT_NOT_NULL(test, ctx->dl);
	KUNIT_ASSERT_EQ(test, 0, fdt_create_empty_tree(ctx->fdt, FDT_SIZE));
	test->priv = ctx;
	return 0;
}

/* Add node @name under @parent, or find it. */
static int node(struct kunit *test, int parent, const char *name)
{
	struct dctx *ctx = test->priv;
	int n = fdt_subnode_offset(ctx->fdt, parent, name);

	if (n < 0)
		n = fdt_add_subnode(ctx->fdt, parent, name);
	KUNIT_ASSERT_LE(test, 0, n);
	return n;
}

static void record(struct kunit *test, const char *participant, u32 sbdf)
{
	struct dctx *ctx = test->priv;
	int p = node(test, 0, participant);

	KUNIT_ASSERT_LE(test, 0, keepalive_fdt_add_pci_node(ctx->fdt, p,
							    sbdf >> 16,
							    sbdf >> 8 & 0xff,
							    sbdf & 0xff));
}

static void devlist_built(struct kunit *test)
{
	struct dctx *ctx = test->priv;
	struct keepalive_devlist *dl = ctx->dl;

	/* vfio and iommu record the same devices; memfd records files. */
	record(test, "vfio", 0x10200);
	record(test, "vfio", 0x18);
	record(test, "iommu", 0x18);
	record(test, "iommu", 0x10200);
	record(test, "irq", 0x20);
	node(test, node(test, 0, "memfd"), "file@0");
	node(test, node(test, 0, "iommu"), "unit@0");
	/* Not canonical names: not devices. */
	node(test, node(test, 0, "vfio"), "pci@018");
	node(test, node(test, 0, "vfio"), "pci@0x30");

	KUNIT_ASSERT_EQ(test, 0, keepalive_devlist_build(ctx->fdt, dl));
	KUNIT_EXPECT_EQ(test, 3, keepalive_devlist_check(dl, ctx->msg,
							 sizeof(ctx->msg)));
	KUNIT_EXPECT_EQ(test, 3, le32_to_cpu(dl->count));
	KUNIT_EXPECT_EQ(test, 0x18, le32_to_cpu(dl->sbdf[0]));
	KUNIT_EXPECT_EQ(test, 0x20, le32_to_cpu(dl->sbdf[1]));
	KUNIT_EXPECT_EQ(test, 0x10200, le32_to_cpu(dl->sbdf[2]));
	KUNIT_EXPECT_EQ(test, 0, le32_to_cpu(dl->sbdf[3]));
}

static void devlist_empty(struct kunit *test)
{
	struct dctx *ctx = test->priv;

	node(test, node(test, 0, "memfd"), "file@0");
	KUNIT_ASSERT_EQ(test, 0, keepalive_devlist_build(ctx->fdt, ctx->dl));
	KUNIT_EXPECT_EQ(test, 0, keepalive_devlist_check(ctx->dl, ctx->msg,
							 sizeof(ctx->msg)));
}

static void expect_refused(struct kunit *test, int err, const char *reason)
{
	struct dctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, err, keepalive_devlist_check(ctx->dl, ctx->msg,
							   sizeof(ctx->msg)));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(ctx->msg, reason), "msg: %s",
				  ctx->msg);
}

/* Damage @dl, then seal it again with the right CRC for the damage. */
static void reseal(struct keepalive_devlist *dl)
{
	dl->crc32 = 0;
	dl->crc32 = cpu_to_le32(keepalive_crc32(dl, sizeof(*dl)));
}

static void devlist_refused(struct kunit *test)
{
	struct dctx *ctx = test->priv;
	struct keepalive_devlist *dl = ctx->dl;
	struct keepalive_devlist *good = kunit_kzalloc(test, sizeof(*good),
						       GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, good);
	record(test, "vfio", 0x18);
	record(test, "vfio", 0x20);
	KUNIT_ASSERT_EQ(test, 0, keepalive_devlist_build(ctx->fdt, dl));
	*good = *dl;

	/* The pool's first page of a kernel that wrote none: zeroes. */
	memset(dl, 0, sizeof(*dl));
	expect_refused(test, -ENOENT, "no kept-device list");
	/* One bit anywhere. */
	*dl = *good;
	dl->sbdf[0] ^= cpu_to_le32(1);
	expect_refused(test, -EBADMSG, "checksum");
	*dl = *good;
	dl->sbdf[KEEPALIVE_DEVLIST_MAX - 1] = cpu_to_le32(1 << 24);
	expect_refused(test, -EBADMSG, "checksum");
	/* Each rule, with a CRC that is right for it. */
	*dl = *good;
	dl->count = cpu_to_le32(KEEPALIVE_DEVLIST_MAX + 1);
	reseal(dl);
	expect_refused(test, -EINVAL, "entries, at most");
	*dl = *good;
	dl->sbdf[1] = dl->sbdf[0];
	reseal(dl);
	expect_refused(test, -EINVAL, "entry 1 (0x18) is out of order");
	*dl = *good;
	swap(dl->sbdf[0], dl->sbdf[1]);
	reseal(dl);
	expect_refused(test, -EINVAL, "entry 1 (0x18)");
	*dl = *good;
	dl->sbdf[2] = cpu_to_le32(0x28);
	reseal(dl);
	expect_refused(test, -EINVAL, "entry 2 (0x28)");
	*dl = *good;
	dl->count = cpu_to_le32(1);
	reseal(dl);
	expect_refused(test, -EINVAL, "past the count");
	/* The untouched list still reads. */
	*dl = *good;
	KUNIT_EXPECT_EQ(test, 2, keepalive_devlist_check(dl, ctx->msg,
							 sizeof(ctx->msg)));
}

static void devlist_full(struct kunit *test)
{
	struct dctx *ctx = test->priv;
	u32 i;

	for (i = 0; i < KEEPALIVE_DEVLIST_MAX; i++)
		record(test, "vfio", 0x100 + i);
	KUNIT_ASSERT_EQ(test, 0, keepalive_devlist_build(ctx->fdt, ctx->dl));
	KUNIT_EXPECT_EQ(test, KEEPALIVE_DEVLIST_MAX,
			keepalive_devlist_check(ctx->dl, ctx->msg,
						sizeof(ctx->msg)));
	/* The same device again is no new entry; one more is too many. */
	record(test, "iommu", 0x100);
	KUNIT_ASSERT_EQ(test, 0, keepalive_devlist_build(ctx->fdt, ctx->dl));
	record(test, "iommu", 0x100 + KEEPALIVE_DEVLIST_MAX);
	KUNIT_EXPECT_EQ(test, -E2BIG, keepalive_devlist_build(ctx->fdt, ctx->dl));
	KUNIT_EXPECT_EQ(test, -ENOENT, keepalive_devlist_check(ctx->dl, ctx->msg,
							       sizeof(ctx->msg)));
}

static struct kunit_case devlist_cases[] = {
	KUNIT_CASE(devlist_built),
	KUNIT_CASE(devlist_empty),
	KUNIT_CASE(devlist_refused),
	KUNIT_CASE(devlist_full),
	{}
};

static struct kunit_suite devlist_suite = {
	.name = "keepalive_devlist",
	.init = dl_init,
	.test_cases = devlist_cases,
};

kunit_test_suite(devlist_suite);

MODULE_LICENSE("GPL");
