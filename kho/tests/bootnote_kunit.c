// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the boot note reader (kho/bootnote.c): a fake bzImage
 * whose setup code holds a note where the real one would be, read back;
 * every way a note can fail to match, each with its errno and reason; the
 * note at the very end of the setup code and just past it; and the
 * setup_sects rules (0 means 4; setup code longer than the image).
 */
#include <kunit/test.h>
#include <linux/keepalive/abi/core.h>
#include <linux/string.h>

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
	};

	memset(bz, 0xcc, sizeof(bz));
	bz[0x1f1] = BZ_SECTS;
	memcpy(bz + at, &n, sizeof(n));
	return (void *)(bz + at);
}

static void note_matches(struct kunit *test)
{
	const char *why = NULL;

	/* Unaligned on purpose: the reader must not care. */
	fake(0x321);
	KUNIT_EXPECT_EQ(test, 0, keepalive_boot_note_check(bz, sizeof(bz), &why));
	/* The last place it fits in the setup code. */
	fake(BZ_SETUP - sizeof(struct keepalive_boot_note));
	KUNIT_EXPECT_EQ(test, 0, keepalive_boot_note_check(bz, sizeof(bz), NULL));
}

static void check_refused(struct kunit *test, int err, const char *reason)
{
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, err, keepalive_boot_note_check(bz, sizeof(bz), &why));
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
	check_refused(test, -ENOEXEC, "no keepalive boot note");
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
	KUNIT_EXPECT_EQ(test, 0, keepalive_boot_note_check(bz, sizeof(bz), NULL));
	/* Setup code longer than the image. */
	fake(0x400);
	KUNIT_EXPECT_EQ(test, -ENOEXEC,
			keepalive_boot_note_check(bz, BZ_SETUP - 1, &why));
	KUNIT_EXPECT_STREQ(test, why, "its setup code is truncated");
	KUNIT_EXPECT_EQ(test, -ENOEXEC, keepalive_boot_note_check(bz, 0x1f1, &why));
	KUNIT_EXPECT_STREQ(test, why, "not a bzImage");
}

static struct kunit_case bootnote_cases[] = {
	KUNIT_CASE(note_matches),
	KUNIT_CASE(note_refused),
	KUNIT_CASE(setup_sects_rules),
	{}
};

static struct kunit_suite bootnote_suite = {
	.name = "keepalive_boot_note",
	.test_cases = bootnote_cases,
};

kunit_test_suite(bootnote_suite);

MODULE_LICENSE("GPL");
