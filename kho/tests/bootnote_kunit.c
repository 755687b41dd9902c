// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the boot note and command line readers (kho/bootnote.c):
 * a fake bzImage whose setup code holds a note where the real one would
 * be, read back; every way a note can fail to match, each with its errno
 * and reason, an old KEEPALIVE-NOTE-1 among them; the note at the very end
 * of the setup code and just past it; the setup_sects rules (0 means 4;
 * setup code longer than the image); the participants a note lists,
 * against a handover image that needs one it lacks and one it has them
 * all for; and the command lines that turn the IOMMU off, as the kernel
 * parses them.
 */
#include <kunit/test.h>
#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "../kho.h"

#define BZ_SECTS	8			/* setup_sects of the fake */
#define BZ_SETUP	((BZ_SECTS + 1) * 512)	/* its setup code */
#define BZ_SIZE		(BZ_SETUP + 4096)	/* and some payload */

static u8 bz[BZ_SIZE];

static struct keepalive_boot_note *fake(size_t at)
{
	struct keepalive_boot_note n = {
		.magic = KEEPALIVE_BOOT_NOTE_MAGIC,
		.abi_major = cpu_to_le32(KEEPALIVE_ABI_MAJOR),
		.setup_data_version = cpu_to_le32(KEEPALIVE_SETUP_DATA_VERSION),
		.fdt_compatible = KEEPALIVE_FDT_COMPATIBLE,
		.participants = {
			KEEPALIVE_IRQ_COMPATIBLE,
			KEEPALIVE_MEMFD_COMPATIBLE,
			KEEPALIVE_VFIO_COMPATIBLE,
			KEEPALIVE_IOMMU_COMPATIBLE,
		},
	};

	memset(bz, 0xcc, sizeof(bz));
	bz[0x1f1] = BZ_SECTS;
	memcpy(bz + at, &n, sizeof(n));
	return (void *)(bz + at);
}

static void note_matches(struct kunit *test)
{
	const char *why = NULL;

	struct keepalive_boot_note got;

	/* Unaligned on purpose: the reader must not care. */
	memset(&got, 0, sizeof(got));
	fake(0x321);
	KUNIT_EXPECT_EQ(test, 0,
			keepalive_boot_note_check(bz, sizeof(bz), &got, &why));
	KUNIT_EXPECT_EQ(test, 0, memcmp(&got, bz + 0x321, sizeof(got)));
	/* The last place it fits in the setup code. */
	fake(BZ_SETUP - sizeof(struct keepalive_boot_note));
	KUNIT_EXPECT_EQ(test, 0,
			keepalive_boot_note_check(bz, sizeof(bz), NULL, NULL));
}

static void check_refused(struct kunit *test, int err, const char *reason)
{
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, err,
			keepalive_boot_note_check(bz, sizeof(bz), NULL, &why));
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, reason), "why: %s", why);
}

static void note_refused(struct kunit *test)
{
	struct keepalive_boot_note *n;

	/* No note: a kernel built without keepalive. */
	fake(0x400)->magic[0] = 'k';
	check_refused(test, -ENOEXEC, "no keepalive boot note");
	/* Another layout of the note (its magic's digit). */
	fake(0x400)->magic[KEEPALIVE_BOOT_NOTE_MAGIC_LEN - 1]++;
	check_refused(test, -EPROTO, "another layout");
	/* Past the setup code: in the compressed kernel, not a note. */
	fake(BZ_SETUP - sizeof(struct keepalive_boot_note) + 1);
	check_refused(test, -ENOEXEC, "no keepalive boot note");

	n = fake(0x400);
	n->abi_major = cpu_to_le32(KEEPALIVE_ABI_MAJOR + 1);
	check_refused(test, -EPROTO, "another handover ABI major");
	n = fake(0x400);
	n->setup_data_version = cpu_to_le32(KEEPALIVE_SETUP_DATA_VERSION + 1);
	check_refused(test, -EPROTO, "another setup_data version");
	n = fake(0x400);
	n->fdt_compatible[strlen(KEEPALIVE_FDT_COMPATIBLE) - 1]++;
	check_refused(test, -EPROTO, "another handover format");
	/* A compatible that fills the field, with no NUL: still compared. */
	n = fake(0x400);
	memset(n->fdt_compatible, 'x', sizeof(n->fdt_compatible));
	check_refused(test, -EPROTO, "another handover format");
}

static void setup_sects_rules(struct kunit *test)
{
	const char *why = NULL;

	/* setup_sects 0 means 4: a note in sector 5 is past the setup code. */
	fake(5 * 512 + 16);
	bz[0x1f1] = 0;
	check_refused(test, -ENOEXEC, "no keepalive boot note");
	fake(4 * 512 + 16);
	bz[0x1f1] = 0;
	KUNIT_EXPECT_EQ(test, 0,
			keepalive_boot_note_check(bz, sizeof(bz), NULL, NULL));
	/* Setup code longer than the image. */
	fake(0x400);
	KUNIT_EXPECT_EQ(test, -ENOEXEC,
			keepalive_boot_note_check(bz, BZ_SETUP - 1, NULL, &why));
	KUNIT_EXPECT_STREQ(test, why, "its setup code is truncated");
	KUNIT_EXPECT_EQ(test, -ENOEXEC,
			keepalive_boot_note_check(bz, 0x1f1, NULL, &why));
	KUNIT_EXPECT_STREQ(test, why, "not a bzImage");
}

/*
 * A kernel of the first note layout (KEEPALIVE-NOTE-1: no participants),
 * otherwise matching: it cannot say which participants it reads.
 */
static void old_note_refused(struct kunit *test)
{
	static const char v1[] = "KEEPALIVE-NOTE-1";
	u8 *n;

	memset(bz, 0xcc, sizeof(bz));
	bz[0x1f1] = BZ_SECTS;
	n = bz + 0x400;
	memcpy(n, v1, KEEPALIVE_BOOT_NOTE_MAGIC_LEN);
	put_unaligned_le32(KEEPALIVE_ABI_MAJOR, n + 16);
	put_unaligned_le32(KEEPALIVE_SETUP_DATA_VERSION, n + 20);
	memset(n + 24, 0, KEEPALIVE_BOOT_NOTE_COMPAT_LEN);
	memcpy(n + 24, KEEPALIVE_FDT_COMPATIBLE, strlen(KEEPALIVE_FDT_COMPATIBLE));
	check_refused(test, -EPROTO, "another layout");
	/* Just as refused at the very end of the setup code (56 bytes). */
	memmove(bz + BZ_SETUP - 56, n, 56);
	memset(n, 0xcc, 56);
	check_refused(test, -EPROTO, "another layout");
}

/* 32 characters: a compatible that fills a slot. */
#define X32	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* Which participants a note lists: exact compatibles only. */
static void note_participants(struct kunit *test)
{
	struct keepalive_boot_note *n = fake(0x400);

	KUNIT_EXPECT_TRUE(test, keepalive_boot_note_reads(n, KEEPALIVE_MEMFD_COMPATIBLE));
	KUNIT_EXPECT_TRUE(test, keepalive_boot_note_reads(n, KEEPALIVE_VFIO_COMPATIBLE));
	KUNIT_EXPECT_TRUE(test, keepalive_boot_note_reads(n, KEEPALIVE_IOMMU_COMPATIBLE));
	KUNIT_EXPECT_TRUE(test, keepalive_boot_note_reads(n, KEEPALIVE_IRQ_COMPATIBLE));
	KUNIT_EXPECT_FALSE(test, keepalive_boot_note_reads(n, ""));
	KUNIT_EXPECT_FALSE(test, keepalive_boot_note_reads(n, "keepalive,vfio-pci-v"));
	KUNIT_EXPECT_FALSE(test, keepalive_boot_note_reads(n, "keepalive,vfio-pci-v22"));
	KUNIT_EXPECT_FALSE(test, keepalive_boot_note_reads(n, "keepalive,vfio-pci-v1"));
	/* A compatible that fills its slot, with no NUL. */
	memset(n->participants[7], 'x', KEEPALIVE_BOOT_NOTE_COMPAT_LEN);
	KUNIT_EXPECT_TRUE(test, keepalive_boot_note_reads(n, X32));
	KUNIT_EXPECT_FALSE(test, keepalive_boot_note_reads(n, X32 "x"));
	KUNIT_EXPECT_FALSE(test, keepalive_boot_note_reads(n, "xxxx"));
	/* The vfio participant not built in: its slot left empty. */
	memset(n->participants[2], 0, KEEPALIVE_BOOT_NOTE_COMPAT_LEN);
	KUNIT_EXPECT_FALSE(test, keepalive_boot_note_reads(n, KEEPALIVE_VFIO_COMPATIBLE));
	KUNIT_EXPECT_TRUE(test, keepalive_boot_note_reads(n, KEEPALIVE_IOMMU_COMPATIBLE));
}

static char img[1024];

/* A handover image with a node per participant, @nocompat without one. */
static void *handover(struct kunit *test, const char *nocompat)
{
	static const char * const nodes[][2] = {
		{ "memfd", KEEPALIVE_MEMFD_COMPATIBLE },
		{ "iommu", KEEPALIVE_IOMMU_COMPATIBLE },
		{ "irq", KEEPALIVE_IRQ_COMPATIBLE },
		{ "vfio", KEEPALIVE_VFIO_COMPATIBLE },
	};
	unsigned int i;
	int node;

	KUNIT_ASSERT_EQ(test, 0, fdt_create_empty_tree(img, sizeof(img)));
	for (i = 0; i < ARRAY_SIZE(nodes); i++) {
		node = fdt_add_subnode(img, 0, nodes[i][0]);
		KUNIT_ASSERT_LE(test, 0, node);
		if (nocompat && !strcmp(nocompat, nodes[i][0]))
			continue;
		KUNIT_ASSERT_EQ(test, 0, fdt_setprop_string(img, node, "compatible",
							    nodes[i][1]));
	}
	return img;
}

static void note_covers_handover(struct kunit *test)
{
	struct keepalive_boot_note *n = fake(0x400);
	struct keepalive_boot_note got;
	const char *missing = NULL;
	void *fdt = handover(test, NULL);

	/* Complete: accepted. */
	KUNIT_ASSERT_EQ(test, 0,
			keepalive_boot_note_check(bz, sizeof(bz), &got, NULL));
	KUNIT_EXPECT_EQ(test, 0, keepalive_boot_note_covers(&got, fdt, &missing));
	KUNIT_EXPECT_NULL(test, missing);
	/* A participant missing (the vfio one, anywhere in the list). */
	memset(n->participants[2], 0, KEEPALIVE_BOOT_NOTE_COMPAT_LEN);
	KUNIT_ASSERT_EQ(test, 0,
			keepalive_boot_note_check(bz, sizeof(bz), &got, NULL));
	KUNIT_EXPECT_EQ(test, -EPROTO,
			keepalive_boot_note_covers(&got, fdt, &missing));
	KUNIT_ASSERT_NOT_NULL(test, missing);
	KUNIT_EXPECT_STREQ(test, missing, KEEPALIVE_VFIO_COMPATIBLE);
	/* Of another version of it. */
	n = fake(0x400);
	n->participants[2][strlen(KEEPALIVE_VFIO_COMPATIBLE) - 1]++;
	KUNIT_ASSERT_EQ(test, 0,
			keepalive_boot_note_check(bz, sizeof(bz), &got, NULL));
	KUNIT_EXPECT_EQ(test, -EPROTO,
			keepalive_boot_note_covers(&got, fdt, &missing));
	KUNIT_EXPECT_STREQ(test, missing, KEEPALIVE_VFIO_COMPATIBLE);
	/* A node without a compatible; then no vfio node, so not needed. */
	fdt = handover(test, "vfio");
	KUNIT_EXPECT_EQ(test, -EPROTO,
			keepalive_boot_note_covers(&got, fdt, &missing));
	KUNIT_EXPECT_STREQ(test, missing, "(no compatible)");
	KUNIT_ASSERT_EQ(test, 0, fdt_del_node(fdt, fdt_subnode_offset(fdt, 0, "vfio")));
	KUNIT_EXPECT_EQ(test, 0, keepalive_boot_note_covers(&got, fdt, &missing));
	/*
	 * No FDT any more (damaged after STOP): nothing to match; the next
	 * kernel refuses it whole and stops its devices by their list.
	 */
	fdt_set_magic(fdt, ~FDT_MAGIC);
	KUNIT_EXPECT_EQ(test, 0, keepalive_boot_note_covers(&got, fdt, &missing));
}

struct cmdline_case {
	const char *cmdline;
	int err;
	const char *word;	/* when refused */
};

static const struct cmdline_case cmdline_cases[] = {
	{ "", 0 },
	{ "console=ttyS0 root=/dev/vda", 0 },
	{ "  console=ttyS0   ", 0 },
	{ "intel_iommu=on iommu=pt", 0 },
	{ "intel_iommu=off", -EPERM, "intel_iommu=off" },
	{ "console=ttyS0 intel_iommu=off quiet", -EPERM, "intel_iommu=off" },
	/* '-' and '_' are one in a name. */
	{ "intel-iommu=off", -EPERM, "intel-iommu=off" },
	/* The last of on and off wins, in a list and across duplicates. */
	{ "intel_iommu=on,off", -EPERM, "intel_iommu=on,off" },
	{ "intel_iommu=off,on", 0 },
	{ "intel_iommu=off,,sm_on,on", 0 },
	{ "intel_iommu=off intel_iommu=on", 0 },
	{ "intel_iommu=on intel_iommu=igfx_off,off", -EPERM,
	  "intel_iommu=igfx_off,off" },
	{ "intel_iommu=sp_off,igfx_off,sm_off", 0 },
	/* As the kernel's strncmp() reads them. */
	{ "intel_iommu=offline", -EPERM, "intel_iommu=offline" },
	{ "intel_iommu intel_iommu= intel_iommux=off xintel_iommu=off", 0 },
	/* Quotes come off, spaces inside them do not split. */
	{ "intel_iommu=\"off\"", -EPERM, "intel_iommu=off" },
	{ "\"intel_iommu=off\"", -EPERM, "intel_iommu=off" },
	{ "dyndbg=\"a intel_iommu=off b\"", 0 },
	/* After "--", words go to init. */
	{ "console=ttyS0 -- intel_iommu=off", 0 },
	{ "intel_iommu=off --", -EPERM, "intel_iommu=off" },
	{ "--x intel_iommu=off", -EPERM, "intel_iommu=off" },
	/* iommu=: "off" sticks, "usedac" ends the list, "pt" is fine. */
	{ "iommu=pt", 0 },
	{ "iommu=nopt,pt,soft,nomerge", 0 },
	{ "iommu=off", -EPERM, "iommu=off" },
	{ "iommu=pt,off", -EPERM, "iommu=pt,off" },
	{ "iommu=off iommu=pt", -EPERM, "iommu=off" },
	{ "iommu=usedac,off", 0 },
	{ "iommu", 0 },
	/* Interrupt remapping. */
	{ "intremap=off", -EPERM, "intremap=off" },
	{ "intremap=nosid,off", -EPERM, "intremap=nosid,off" },
	{ "intremap=off intremap=on", 0 },
	{ "intremap=nosid,nopost", 0 },
	{ "nointremap", -EPERM, "nointremap" },
	{ "nointremap=1", -EPERM, "nointremap=1" },
	{ "nointremap intremap=on", 0 },
	{ "intremap=on nointremap", -EPERM, "nointremap" },
	/* AMD-Vi. */
	{ "amd_iommu=off", -EPERM, "amd_iommu=off" },
	{ "amd_iommu=fullflush,off amd_iommu=force_enable", -EPERM,
	  "amd_iommu=fullflush,off" },
	{ "amd_iommu=force_isolation", 0 },
	/* DMA remapping off is named before interrupt remapping. */
	{ "intremap=off intel_iommu=off", -EPERM, "intel_iommu=off" },
};

static void cmdline_iommu(struct kunit *test)
{
	char word[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmdline_cases); i++) {
		const struct cmdline_case *c = &cmdline_cases[i];
		const char *cl = c->cmdline;
		int ret;

		ret = keepalive_cmdline_check(cl, strlen(cl) + 1, word,
					      sizeof(word));
		KUNIT_EXPECT_EQ_MSG(test, c->err, ret, "cmdline: %s", cl);
		KUNIT_EXPECT_STREQ_MSG(test, word, c->err ? c->word : "",
				       "cmdline: %s", cl);
	}
	/* No command line; one that ends before its last word. */
	KUNIT_EXPECT_EQ(test, 0, keepalive_cmdline_check(NULL, 0, word, 8));
	KUNIT_EXPECT_EQ(test, 0,
			keepalive_cmdline_check("intel_iommu=off", 11, word,
						sizeof(word)));
	KUNIT_EXPECT_EQ(test, -EPERM,
			keepalive_cmdline_check("iommu=off\0intremap=on", 22,
						word, sizeof(word)));
	/* The word truncated to the room given. */
	KUNIT_EXPECT_EQ(test, -EPERM,
			keepalive_cmdline_check("intel_iommu=off", 16, word, 6));
	KUNIT_EXPECT_STREQ(test, word, "intel");
}

static struct kunit_case bootnote_cases[] = {
	KUNIT_CASE(note_matches),
	KUNIT_CASE(note_refused),
	KUNIT_CASE(setup_sects_rules),
	KUNIT_CASE(old_note_refused),
	KUNIT_CASE(note_participants),
	KUNIT_CASE(note_covers_handover),
	KUNIT_CASE(cmdline_iommu),
	{}
};

static struct kunit_suite bootnote_suite = {
	.name = "keepalive_boot_note",
	.test_cases = bootnote_cases,
};

kunit_test_suite(bootnote_suite);

MODULE_LICENSE("GPL");
