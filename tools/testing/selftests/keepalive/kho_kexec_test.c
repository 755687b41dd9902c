// SPDX-License-Identifier: GPL-2.0
/*
 * kho_kexec_test - the handover core across real kexecs.
 *
 * Runs in every stage of a vmtest.sh run; what a stage does depends on the
 * scenario on the kernel command line (kt_scenario=, default "preserve"):
 *
 * preserve  Stage 1 creates a 64 MiB preserved file filled with a seeded
 *           pattern, records its physical address and checksum, and goes
 *           to STOP. Every later stage finds the kernel in RESUME, refuses
 *           a wrong token, retrieves the file at the same physical address
 *           with the same content, concludes with the pool usage of stage
 *           1, and (but the last) hands over again. Run with --stages 6
 *           for five kexecs in a row.
 * running   Negative control: stage 1 creates the file but kexecs from
 *           RUNNING. Stage 2 finds no handover and no file.
 * unclaimed Stage 1 hands the file over; stage 2 concludes without
 *           retrieving it: the file is freed and the pool is empty again.
 * corrupt   Stage N damages the sealed image (magic, abi, hdr-crc,
 *           fdt-crc, fdt, range, overlap in turn) through debugfs; stage
 *           N + 1 must boot cold, with the reason logged, and no file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ka_uapi.h"
#include "kt_harness.h"

#define FILE_NAME	"guest-ram"
#define FILE_SIZE	(64ULL << 20)
#define SEED		0x5eed

static const char * const corruptions[] = {
	"magic", "abi", "hdr-crc", "fdt-crc", "fdt", "range", "overlap",
};

/* What the next kernel must log for each corruption. */
static const char * const reasons[] = {
	"made no handover",
	"this kernel reads major 1",
	"header checksum",
	"payload checksum",
	"FDT header",
	"outside the pool",
	"overlap",
};

FIXTURE(kx)
{
	int dev;
	uint8_t token[KEEPALIVE_TOKEN_SIZE];
};

/* What a stage after the first finds */
enum kx_find {
	KX_RETRIEVED,		/* the file, retrieved at the same place */
	KX_NONE,		/* no handover, no file */
	KX_UNCLAIMED,		/* the file, freed at CONCLUDE */
	KX_DAMAGED,		/* a cold boot for the damage done */
};

/* The scenarios above, as what each does. */
FIXTURE_VARIANT(kx)
{
	bool carried;		/* one file, from stage 1 on (else one a stage) */
	bool stop;		/* handed over at STOP (else a kexec from RUNNING) */
	bool damage;		/* the sealed image damaged, one way a stage */
	enum kx_find find;
};

FIXTURE_VARIANT_ADD(kx, preserve) {
	.carried = true,
	.stop = true,
	.find = KX_RETRIEVED,
};

FIXTURE_VARIANT_ADD(kx, running) {
	.find = KX_NONE,
};

FIXTURE_VARIANT_ADD(kx, unclaimed) {
	.stop = true,
	.find = KX_UNCLAIMED,
};

FIXTURE_VARIANT_ADD(kx, corrupt) {
	.stop = true,
	.damage = true,
	.find = KX_DAMAGED,
};

FIXTURE_SETUP(kx)
{
	self->dev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ka_token(self->token, SEED);
}

FIXTURE_TEARDOWN(kx)
{
	close(self->dev);
}

/* Create the file with its pattern; pass phys, checksum and usage on. */
static void create_file(struct __test_metadata *_metadata, int dev,
			const uint8_t *token)
{
	uint64_t phys, len;
	char words[160];
	void *map;
	int fd;

	fd = ka_memfd_create(dev, FILE_NAME, FILE_SIZE, token);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	map = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ka_pattern(map, FILE_SIZE, SEED);
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &len));
	snprintf(words, sizeof(words), "kt_phys=%#llx kt_sum=%#llx kt_used=%lld",
		 (unsigned long long)phys,
		 (unsigned long long)ka_checksum(map, FILE_SIZE),
		 ka_sysfs_num("pool_used"));
	ASSERT_EQ(0, kt_cmdline_append(words));
	munmap(map, FILE_SIZE);
	close(fd);
}

static void handover(struct __test_metadata *_metadata, int dev)
{
	struct keepalive_transition t;

	ASSERT_EQ(0, ka_transition(dev, KEEPALIVE_EV_PREPARE, &t));
	ASSERT_EQ(0, ka_transition(dev, KEEPALIVE_EV_PRE_STOP, &t));
	ASSERT_EQ(0, ka_transition(dev, KEEPALIVE_EV_STOP, &t))
		TH_LOG("stop failed in %s: %d", t.participant, t.error);
}

/* The kernel booted cold: no handover, no file, an empty pool. */
static void assert_cold(struct __test_metadata *_metadata, int dev,
			const uint8_t *token, const char *why)
{
	char state[32], status[192];

	ASSERT_EQ(0, ka_sysfs_state(state, sizeof(state)));
	ASSERT_STREQ("running", state);
	ASSERT_EQ(0, kt_read_line(KA_SYSFS "handover", status, sizeof(status)));
	TH_LOG("stage %d: handover: %s", kt_stage(), status);
	ASSERT_NE(NULL, strstr(status, why))
		TH_LOG("expected \"%s\" in the handover status", why);
	ASSERT_EQ(-ENOENT, ka_memfd_retrieve(dev, FILE_NAME, token));
	ASSERT_EQ(0, ka_sysfs_num("files"));
	ASSERT_EQ(4096, ka_sysfs_num("pool_used"));
	ASSERT_EQ(0, ka_sysfs_num("generation"));
	/* Enabled from the boot on, and nothing was received. */
	ASSERT_TRUE(kt_trace_enabled("keepalive_receive"));
	ASSERT_EQ(NULL, strstr(kt_trace(), "keepalive_receive:"));
}

/*
 * The boot's trace events (KT_TRACE_BOOT): the image received, of this
 * generation, and memfd's resume.
 */
static void assert_received(struct __test_metadata *_metadata)
{
	const char *tr = kt_trace();
	char line[80];

	ASSERT_TRUE(kt_trace_enabled("keepalive_receive"));
	snprintf(line, sizeof(line), "keepalive_receive: generation=%d ",
		 kt_stage() - 1);
	ASSERT_NE(NULL, strstr(tr, line)) TH_LOG("no \"%s\" in:\n%s", line, tr);
	ASSERT_NE(NULL, strstr(tr, " unheld=0 "));
	ASSERT_NE(NULL, strstr(tr, "keepalive_step: participant=memfd step=resume ret=0 "));
}

/* POST-RESUME and CONCLUDE, each with its event. */
static void assert_concluded_traced(struct __test_metadata *_metadata)
{
	const char *tr = kt_trace();

	ASSERT_NE(NULL, strstr(tr, "keepalive_transition: event=post-resume from=resume "
				   "to=post-resume ret=0 "))
		TH_LOG("trace:\n%s", tr);
	ASSERT_NE(NULL, strstr(tr, "keepalive_step: participant=memfd step=post-resume ret=0 "));
	ASSERT_NE(NULL, strstr(tr, "keepalive_transition: event=conclude from=post-resume "
				   "to=running ret=0 "));
	ASSERT_NE(NULL, strstr(tr, "keepalive_step: participant=memfd step=conclude ret=0 "));
}

/* Stage > 1: verify what the previous stage handed over. */
TEST_F(kx, verify)
{
	uint8_t wrong[KEEPALIVE_TOKEN_SIZE];
	struct keepalive_memfd_info info;
	uint64_t phys, len;
	char state[32];
	void *map;
	int fd, k;

	if (kt_stage() == 1) {
		ASSERT_EQ(0, ka_sysfs_num("generation"));
		return;
	}
	if (variant->find == KX_NONE) {
		assert_cold(_metadata, self->dev, self->token,
			    "the previous kernel made no handover");
		return;
	}
	if (variant->find == KX_UNCLAIMED) {
		ASSERT_EQ(0, ka_sysfs_state(state, sizeof(state)));
		ASSERT_STREQ("resume", state);
		assert_received(_metadata);
		ASSERT_EQ(1, ka_sysfs_num("files"));
		ASSERT_LT(4096, ka_sysfs_num("pool_used"));
		ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_POST_RESUME, NULL));
		ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_CONCLUDE, NULL));
		assert_concluded_traced(_metadata);
		ASSERT_EQ(-ENOENT, ka_memfd_retrieve(self->dev, FILE_NAME, self->token));
		ASSERT_EQ(0, ka_sysfs_num("files"));
		ASSERT_EQ(4096, ka_sysfs_num("pool_used"));
		ASSERT_EQ(0, ka_sysfs_num("pool_objects"));
		return;
	}
	if (variant->find == KX_DAMAGED) {
		k = kt_stage() - 2;
		ASSERT_GT(ARRAY_SIZE(corruptions), k);
		/* Damaged magic reads as "no handover at all". */
		assert_cold(_metadata, self->dev, self->token,
			    k ? "rejected: " : "none: ");
		assert_cold(_metadata, self->dev, self->token, reasons[k]);
		return;
	}

	ASSERT_EQ(0, ka_sysfs_state(state, sizeof(state)));
	ASSERT_STREQ("resume", state);
	assert_received(_metadata);
	/* The pool came in reserved in the E820 map the kexec handed over. */
	ASSERT_EQ(1, ka_pool_reserved_in_iomem());
	ASSERT_EQ(1, ka_memfd_list(self->dev, &info, 1));
	ASSERT_STREQ(FILE_NAME, info.name);
	ASSERT_EQ(KEEPALIVE_MEMFD_INCOMING, info.flags);
	ASSERT_EQ(kt_stage() - 1, ka_sysfs_num("generation"));
	ka_token(wrong, SEED + 1);
	ASSERT_EQ(-EPERM, ka_memfd_retrieve(self->dev, FILE_NAME, wrong));
	fd = ka_memfd_retrieve(self->dev, FILE_NAME, self->token);
	ASSERT_LE(0, fd) TH_LOG("retrieve: %s", strerror(-fd));
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &len));
	ASSERT_EQ(FILE_SIZE, len);
	ASSERT_EQ(kt_cmdline_num("kt_phys", 0), phys)
		TH_LOG("the file moved: %#llx", (unsigned long long)phys);
	map = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(kt_cmdline_num("kt_sum", 0), ka_checksum(map, FILE_SIZE));
	munmap(map, FILE_SIZE);
	close(fd);
	ASSERT_EQ(1, ka_memfd_list(self->dev, &info, 1));
	ASSERT_EQ(KEEPALIVE_MEMFD_INCOMING | KEEPALIVE_MEMFD_RETRIEVED, info.flags);

	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_POST_RESUME, NULL));
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_CONCLUDE, NULL));
	assert_concluded_traced(_metadata);
	/* Only the file itself is left: no metadata leaked across kexecs. */
	ASSERT_EQ((long long)kt_cmdline_num("kt_used", 0), ka_sysfs_num("pool_used"));
	ASSERT_EQ(1, ka_sysfs_num("files"));
	if (kt_is_last_stage()) {
		ASSERT_EQ(0, ka_memfd_destroy(self->dev, FILE_NAME, self->token));
		ASSERT_EQ(4096, ka_sysfs_num("pool_used"));
	}
}

/* Every stage but the last: set up and hand over (or not). */
TEST_F(kx, handover)
{
	int k;

	char on[8];

	if (kt_is_last_stage())
		return;
	/* The next kernel's boot events, for verify. */
	if (kt_cmdline_get("trace_event", on, sizeof(on)))
		ASSERT_EQ(0, kt_cmdline_append(KT_TRACE_BOOT));
	if (!variant->carried || kt_stage() == 1)
		create_file(_metadata, self->dev, self->token);
	if (!variant->stop)
		return;		/* kexec from RUNNING: carries nothing */
	handover(_metadata, self->dev);
	if (variant->damage) {
		k = kt_stage() - 1;
		ASSERT_GT(ARRAY_SIZE(corruptions), k);
		ASSERT_EQ(0, ka_debugfs_write("corrupt", corruptions[k]));
	}
}

int main(int argc, char **argv)
{
	return kt_harness_run(argc, argv, "preserve");
}
