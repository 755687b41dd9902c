// SPDX-License-Identifier: GPL-2.0
/*
 * kho_uapi_test - the handover core's userspace API in one kernel:
 * transitions through sysfs and ioctl, refusals with their errno,
 * extensible structs, privileges, concurrency, preserved memory files,
 * ABORT from every state and a fault-injection sweep, each ending with the
 * pool back at its baseline usage; the trace event of every transition.
 *
 * Needs a kernel booted with keepalive.pool=SIZE (vmtest.sh passes one).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ka_uapi.h"
#include "kt_util.h"

#define MiB (1024ULL * 1024)

FIXTURE(ka)
{
	int dev;
	long long used0;
	long long objects0;
	uint8_t token[KEEPALIVE_TOKEN_SIZE];
};

FIXTURE_SETUP(ka)
{
	char state[32];

	self->dev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("open " KA_DEV ": %s", strerror(errno));
	ASSERT_EQ(0, ka_sysfs_state(state, sizeof(state)));
	ASSERT_STREQ("running", state);
	self->used0 = ka_sysfs_num("pool_used");
	self->objects0 = ka_sysfs_num("pool_objects");
	ASSERT_LT(0, ka_sysfs_num("pool_size"))
		TH_LOG("no pool: boot with keepalive.pool=SIZE");
	ka_token(self->token, 1);
}

FIXTURE_TEARDOWN(ka)
{
	char state[32] = "";

	ka_fail_nth(0);
	ka_sysfs_state(state, sizeof(state));
	if (strcmp(state, "running"))
		ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL);
	close(self->dev);
}

/* The pool is exactly as the test found it. */
#define ASSERT_BASELINE() do {						\
	ASSERT_EQ(self->used0, ka_sysfs_num("pool_used"));		\
	ASSERT_EQ(self->objects0, ka_sysfs_num("pool_objects"));	\
} while (0)

#define ASSERT_STATE(name) do {						\
	char __s[32];							\
	ASSERT_EQ(0, ka_sysfs_state(__s, sizeof(__s)));			\
	ASSERT_STREQ(name, __s);					\
} while (0)

TEST_F(ka, sysfs_walk_and_abort)
{
	static const char * const steps[] = { "prepare", "pre-stop", "stop" };
	static const char * const states[] = { "prepare", "pre-stop", "stop" };
	int n, i;

	/* Abort after 1, 2 and 3 steps. */
	for (n = 1; n <= 3; n++) {
		for (i = 0; i < n; i++) {
			ASSERT_EQ(0, ka_sysfs_event(steps[i]));
			ASSERT_STATE(states[i]);
		}
		ASSERT_EQ(0, ka_sysfs_event("abort\n"));
		ASSERT_STATE("running");
		ASSERT_BASELINE();
	}
}

TEST_F(ka, ioctl_walk_and_abort)
{
	static const enum keepalive_event steps[] = {
		KEEPALIVE_EV_PREPARE, KEEPALIVE_EV_PRE_STOP, KEEPALIVE_EV_STOP,
	};
	struct keepalive_transition t;
	int n, i;

	for (n = 1; n <= 3; n++) {
		for (i = 0; i < n; i++) {
			ASSERT_EQ(0, ka_transition(self->dev, steps[i], &t));
			ASSERT_EQ(steps[i], t.state);
			ASSERT_EQ(0, t.error);
			ASSERT_STREQ("", t.participant);
		}
		ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, &t));
		ASSERT_EQ(KEEPALIVE_STATE_RUNNING, t.state);
		ASSERT_BASELINE();
	}
}

TEST_F(ka, refused_transitions)
{
	static const enum keepalive_event from_running[] = {
		KEEPALIVE_EV_PRE_STOP, KEEPALIVE_EV_STOP, KEEPALIVE_EV_ABORT,
		KEEPALIVE_EV_POST_RESUME, KEEPALIVE_EV_CONCLUDE,
	};
	static const char * const words[] = {
		"pre-stop", "stop", "abort", "post-resume", "conclude",
	};
	struct keepalive_transition t;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(from_running); i++) {
		ASSERT_EQ(-EINVAL, ka_transition(self->dev, from_running[i], &t));
		ASSERT_EQ(KEEPALIVE_STATE_RUNNING, t.state);
		ASSERT_EQ(-EINVAL, t.error);
		ASSERT_EQ(-EINVAL, ka_sysfs_event(words[i]));
	}
	ASSERT_EQ(-EOPNOTSUPP, ka_transition(self->dev, 0, NULL));
	ASSERT_EQ(-EOPNOTSUPP, ka_transition(self->dev, 99, NULL));
	ASSERT_EQ(-EINVAL, ka_sysfs_event("reboot"));

	/* In PREPARE: no second prepare, no stop yet, no resume events. */
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_PREPARE, NULL));
	ASSERT_EQ(-EINVAL, ka_transition(self->dev, KEEPALIVE_EV_PREPARE, NULL));
	ASSERT_EQ(-EINVAL, ka_transition(self->dev, KEEPALIVE_EV_STOP, NULL));
	ASSERT_EQ(-EINVAL, ka_transition(self->dev, KEEPALIVE_EV_CONCLUDE, NULL));
	ASSERT_STATE("prepare");
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
	ASSERT_BASELINE();
}

TEST_F(ka, extensible_structs)
{
	struct {
		struct keepalive_transition t;
		uint64_t future;
	} big = { .t.event = KEEPALIVE_EV_PREPARE };
	struct keepalive_transition t = { .event = KEEPALIVE_EV_PREPARE };
	unsigned long big_cmd = KA_IOC_RESIZE(KEEPALIVE_IOC_TRANSITION,
					      sizeof(big));

	/* Unknown trailing bytes that are not zero: E2BIG. */
	big.future = 1;
	ASSERT_EQ(-1, ioctl(self->dev, big_cmd, &big));
	ASSERT_EQ(E2BIG, errno);
	/* Flags: EINVAL. */
	t.flags = 1;
	ASSERT_EQ(-1, ioctl(self->dev, KEEPALIVE_IOC_TRANSITION, &t));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_STATE("running");

	/* A newer, larger struct with zero trailing bytes is accepted. */
	big.future = 0;
	ASSERT_EQ(0, ioctl(self->dev, big_cmd, &big));
	ASSERT_EQ(KEEPALIVE_STATE_PREPARE, big.t.state);
	ASSERT_EQ(0, big.future);
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
	ASSERT_BASELINE();
}

/*
 * The argument size is in the ioctl number. For every ioctl: a size below
 * the struct's first version is EINVAL, and a larger size with a non-zero
 * byte past the struct the kernel knows is E2BIG; neither does anything.
 */
TEST_F(ka, ioctl_argument_sizes)
{
	static const struct {
		unsigned long cmd;
		size_t ver0;
		bool on_file;
	} ioc[] = {
		{ KEEPALIVE_IOC_TRANSITION, KEEPALIVE_TRANSITION_SIZE_VER0, false },
		{ KEEPALIVE_IOC_MEMFD_CREATE, KEEPALIVE_MEMFD_CREATE_SIZE_VER0, false },
		{ KEEPALIVE_IOC_MEMFD_RETRIEVE, KEEPALIVE_MEMFD_RETRIEVE_SIZE_VER0, false },
		{ KEEPALIVE_IOC_MEMFD_DESTROY, KEEPALIVE_MEMFD_RETRIEVE_SIZE_VER0, false },
		{ KEEPALIVE_IOC_MEMFD_LIST, KEEPALIVE_MEMFD_LIST_SIZE_VER0, false },
		{ KEEPALIVE_MEMFD_IOC_LAYOUT, KEEPALIVE_MEMFD_LAYOUT_SIZE_VER0, true },
	};
	uint8_t buf[512];
	unsigned int i;
	size_t ksize;
	int file, fd;

	file = ka_memfd_create(self->dev, "sizes", 4096, self->token);
	ASSERT_LE(0, file);
	for (i = 0; i < ARRAY_SIZE(ioc); i++) {
		fd = ioc[i].on_file ? file : self->dev;
		ksize = _IOC_SIZE(ioc[i].cmd);
		ASSERT_LE(ioc[i].ver0, ksize);
		ASSERT_GT(sizeof(buf), ksize + 8);

		memset(buf, 0, sizeof(buf));
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, KA_IOC_RESIZE(ioc[i].cmd, ioc[i].ver0 - 1),
				    buf)) TH_LOG("ioctl %u: short", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("ioctl %u: short", i);
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, KA_IOC_RESIZE(ioc[i].cmd, 0), buf))
			TH_LOG("ioctl %u: size 0", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("ioctl %u: size 0", i);

		buf[ksize + 7] = 1;
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, KA_IOC_RESIZE(ioc[i].cmd, ksize + 8),
				    buf)) TH_LOG("ioctl %u: long", i);
		EXPECT_EQ(E2BIG, errno) TH_LOG("ioctl %u: long", i);
	}
	ASSERT_STATE("running");
	ASSERT_EQ(1, ka_sysfs_num("files"));
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "sizes", self->token));
	close(file);
	ASSERT_BASELINE();
}

/* Commands that are not in the table of the descriptor: ENOTTY. */
TEST_F(ka, unknown_ioctls)
{
	const unsigned long dev_cmds[] = {
		/* Numbers without an ioctl, inside and past the table. */
		_IOWR(KEEPALIVE_IOC_MAGIC, 0x05, struct keepalive_transition),
		_IOWR(KEEPALIVE_IOC_MAGIC, 0x7f, struct keepalive_transition),
		/* A preserved file's ioctl. */
		KEEPALIVE_MEMFD_IOC_LAYOUT,
		/* Right number, wrong direction. */
		_IO(KEEPALIVE_IOC_MAGIC, 0x00),
		_IOR(KEEPALIVE_IOC_MAGIC, 0x00, struct keepalive_transition),
		_IOWR(KEEPALIVE_IOC_MAGIC, 0x01, struct keepalive_memfd_create),
		/* Right number and size, another type: the old 'K' numbers. */
		_IOWR('K', 0x00, struct keepalive_transition),
		_IO('K', 0x00),
		_IO('K', 0x7f),
	};
	const unsigned long file_cmds[] = {
		KEEPALIVE_IOC_TRANSITION,
		_IOWR(KEEPALIVE_IOC_MAGIC, 0x11, struct keepalive_memfd_layout),
		_IO('K', 0x10),
	};
	uint8_t buf[512] = { 0 };
	unsigned int i;
	int file;

	for (i = 0; i < ARRAY_SIZE(dev_cmds); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->dev, dev_cmds[i], buf))
			TH_LOG("device command %u", i);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("device command %u", i);
	}
	file = ka_memfd_create(self->dev, "unknown", 4096, self->token);
	ASSERT_LE(0, file);
	for (i = 0; i < ARRAY_SIZE(file_cmds); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(file, file_cmds[i], buf))
			TH_LOG("file command %u", i);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("file command %u", i);
	}
	ASSERT_STATE("running");
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "unknown", self->token));
	close(file);
	ASSERT_BASELINE();
}

TEST_F(ka, unprivileged_refused)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint8_t tok[KEEPALIVE_TOKEN_SIZE] = { 0 };

		if (setgid(65534) || setuid(65534))
			_exit(10);
		/* The open fd does not carry privilege: the ioctl checks. */
		if (ka_transition(self->dev, KEEPALIVE_EV_PREPARE, NULL) != -EPERM)
			_exit(11);
		if (ka_memfd_create(self->dev, "x", 4096, tok) != -EPERM)
			_exit(12);
		if (open(KA_DEV, O_RDWR) >= 0 || errno != EACCES)
			_exit(13);
		if (ka_sysfs_event("prepare") != -EACCES)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_STATE("running");
}

struct race {
	int dev;
	int ret;
};

static void *race_prepare(void *arg)
{
	struct race *r = arg;

	r->ret = ka_transition(r->dev, KEEPALIVE_EV_PREPARE, NULL);
	return NULL;
}

TEST_F(ka, concurrent_transitions_serialised)
{
	struct race r[4];
	pthread_t th[4];
	int i, ok = 0, refused = 0;

	for (i = 0; i < 4; i++) {
		r[i].dev = self->dev;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_prepare, &r[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		ok += r[i].ret == 0;
		refused += r[i].ret == -EINVAL;
	}
	/* Exactly one prepare wins; the others see PREPARE and are refused. */
	ASSERT_EQ(1, ok);
	ASSERT_EQ(3, refused);
	ASSERT_STATE("prepare");
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
	ASSERT_BASELINE();
}

TEST_F(ka, memfd_lifecycle)
{
	uint8_t wrong[KEEPALIVE_TOKEN_SIZE];
	uint64_t phys, phys2, len;
	const size_t size = 2 * MiB;
	char buf[64];
	void *map, *priv;
	int fd, fd2;

	ka_token(wrong, 2);
	fd = ka_memfd_create(self->dev, "lifecycle", size, self->token);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	ASSERT_EQ(1, ka_sysfs_num("files"));
	ASSERT_EQ(self->used0 + (long long)size, ka_sysfs_num("pool_used"));

	/* Same name again, bad sizes, bad names. */
	ASSERT_EQ(-EEXIST, ka_memfd_create(self->dev, "lifecycle", 4096, self->token));
	ASSERT_EQ(-EINVAL, ka_memfd_create(self->dev, "zero", 0, self->token));
	ASSERT_EQ(-EINVAL, ka_memfd_create(self->dev, "odd", 4097, self->token));
	ASSERT_EQ(-EINVAL, ka_memfd_create(self->dev, "", 4096, self->token));
	ASSERT_EQ(-ENOSPC, ka_memfd_create(self->dev, "huge", 1ULL << 40, self->token));

	/* Contents through mmap and read agree; private maps are refused. */
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ka_pattern(map, size, 42);
	ASSERT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 4096));
	ASSERT_EQ(0, memcmp(buf, (char *)map + 4096, sizeof(buf)));
	snprintf(buf, sizeof(buf), "hello");
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(map, buf, sizeof(buf)));
	ASSERT_EQ(-1, pwrite(fd, buf, 1, size));
	ASSERT_EQ(ENOSPC, errno);
	priv = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_EQ(MAP_FAILED, priv);
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 2 * size, PROT_READ, MAP_SHARED, fd, 0));

	/* Layout: one range inside the pool. */
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &len));
	ASSERT_EQ(size, len);
	ASSERT_EQ(0, phys % 4096);

	/* Retrieval: the token decides. */
	ASSERT_EQ(-EPERM, ka_memfd_retrieve(self->dev, "lifecycle", wrong));
	ASSERT_EQ(-ENOENT, ka_memfd_retrieve(self->dev, "nosuch", self->token));
	fd2 = ka_memfd_retrieve(self->dev, "lifecycle", self->token);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ka_memfd_phys(fd2, &phys2, &len));
	ASSERT_EQ(phys, phys2);
	close(fd2);

	/* Destroy: gone from the registry, memory freed with the last user. */
	ASSERT_EQ(-EPERM, ka_memfd_destroy(self->dev, "lifecycle", wrong));
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "lifecycle", self->token));
	ASSERT_EQ(-ENOENT, ka_memfd_retrieve(self->dev, "lifecycle", self->token));
	ASSERT_EQ(0, ka_sysfs_num("files"));
	ASSERT_EQ(self->used0 + (long long)size, ka_sysfs_num("pool_used"));
	munmap(map, size);
	close(fd);
	ASSERT_BASELINE();
}

/*
 * A file of 1 GiB or more starts on a 1 GiB boundary at the start or end
 * of free space (so that an IOMMU can map it with 1 GiB pages), and the
 * alignment costs no room: a second file that needs all the rest but a
 * few MiB still fits (on a 2 MiB boundary; a first fit at the 1 GiB
 * boundary inside the free space left no room for it). Needs a pool of at
 * least 2 GiB + 256 MiB (make check's kho_gib), skipped in a smaller one.
 */
TEST_F(ka, memfd_gib_aligned)
{
	uint64_t phys, len;
	int fd, fd2;

	if (ka_sysfs_num("pool_size") < (long long)(2304 * MiB))
		SKIP(return, "needs keepalive.pool=2304M or more");
	fd = ka_memfd_create(self->dev, "gib", 1024 * MiB, self->token);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	ASSERT_EQ(0, ka_memfd_phys(fd, &phys, &len));
	TH_LOG("1 GiB file at %#llx", (unsigned long long)phys);
	ASSERT_EQ(0, phys % (1024 * MiB));
	/* No 1 GiB boundary left at an end of free space: 2 MiB will do. */
	fd2 = ka_memfd_create(self->dev, "gib2", 1024 * MiB + 2 * MiB, self->token);
	ASSERT_LE(0, fd2) TH_LOG("create: %s", strerror(-fd2));
	ASSERT_EQ(0, ka_memfd_phys(fd2, &phys, &len));
	TH_LOG("1 GiB + 2 MiB file at %#llx", (unsigned long long)phys);
	ASSERT_EQ(0, phys % (2 * MiB));
	close(fd2);
	close(fd);
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "gib2", self->token));
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "gib", self->token));
	ASSERT_BASELINE();
}

TEST_F(ka, memfd_listing)
{
	struct keepalive_memfd_info info[3];
	struct keepalive_memfd_list l = { .flags = 1 };
	uint64_t phys, len;
	int fd1, fd2, n;

	ASSERT_EQ(0, ka_memfd_list(self->dev, info, 3));
	fd1 = ka_memfd_create(self->dev, "list-a", 4096, self->token);
	ASSERT_LE(0, fd1);
	fd2 = ka_memfd_create(self->dev, "list-b", 8192, self->token);
	ASSERT_LE(0, fd2);

	memset(info, 0xff, sizeof(info));
	n = ka_memfd_list(self->dev, info, 3);
	ASSERT_EQ(2, n);
	ASSERT_STREQ("list-a", info[0].name);
	ASSERT_EQ(4096, info[0].length);
	ASSERT_EQ(0, ka_memfd_phys(fd1, &phys, &len));
	ASSERT_EQ(phys, info[0].phys);
	ASSERT_EQ(0, info[0].flags);
	ASSERT_STREQ("list-b", info[1].name);
	ASSERT_EQ(8192, info[1].length);
	/* The third entry was not written. */
	ASSERT_EQ((char)0xff, info[2].name[0]);

	/* Too small an array: the count, and only what fits is written. */
	memset(info, 0, sizeof(info));
	ASSERT_EQ(2, ka_memfd_list(self->dev, info, 1));
	ASSERT_STREQ("list-a", info[0].name);
	ASSERT_EQ(0, info[1].name[0]);
	ASSERT_EQ(-1, ioctl(self->dev, KEEPALIVE_IOC_MEMFD_LIST, &l));
	ASSERT_EQ(EINVAL, errno);

	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "list-a", self->token));
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "list-b", self->token));
	close(fd1);
	close(fd2);
	ASSERT_BASELINE();
}

TEST_F(ka, pool_iomem_reserved)
{
	/*
	 * "Reserved" in the E820 view: kexec_file_load never places the next
	 * kernel's segments in the pool, and the E820 map handed on marks it.
	 */
	ASSERT_EQ(1, ka_pool_reserved_in_iomem());
}

TEST_F(ka, memfd_set_frozen_from_pre_stop)
{
	int fd, fd2;

	fd = ka_memfd_create(self->dev, "frozen", 4096, self->token);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_PREPARE, NULL));
	fd2 = ka_memfd_create(self->dev, "in-prepare", 4096, self->token);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "in-prepare", self->token));
	close(fd2);

	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_PRE_STOP, NULL));
	ASSERT_EQ(-EBUSY, ka_memfd_create(self->dev, "late", 4096, self->token));
	ASSERT_EQ(-EBUSY, ka_memfd_destroy(self->dev, "frozen", self->token));
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_STOP, NULL));
	ASSERT_EQ(-EBUSY, ka_memfd_destroy(self->dev, "frozen", self->token));

	/* ABORT thaws. */
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "frozen", self->token));
	close(fd);
	ASSERT_BASELINE();
}

TEST_F(ka, outgoing_image_only_in_stop)
{
	char hdr[8];
	int fd;

	fd = open(KA_DEBUGFS "outgoing", O_RDONLY);
	ASSERT_EQ(-1, fd);
	ASSERT_EQ(ENODATA, errno);
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_PREPARE, NULL));
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_PRE_STOP, NULL));
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_STOP, NULL));
	fd = open(KA_DEBUGFS "outgoing", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(hdr), read(fd, hdr, sizeof(hdr)));
	ASSERT_EQ(0, memcmp(hdr, "KAHANDV1", 8));
	close(fd);
	/* Corruption knob refused outside STOP. */
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
	ASSERT_EQ(-EINVAL, ka_debugfs_write("corrupt", "magic"));
	ASSERT_BASELINE();
}

/*
 * fail_nth sweep: fail the n-th fault-injection point on the way from
 * RUNNING to STOP, for n = 1, 2, ... until a run completes. Each failure
 * must leave the previous state with everything undone; the pool returns
 * to its baseline after ABORT.
 */
TEST_F(ka, fail_nth_sweep)
{
	static const enum keepalive_event steps[] = {
		KEEPALIVE_EV_PREPARE, KEEPALIVE_EV_PRE_STOP, KEEPALIVE_EV_STOP,
	};
	struct keepalive_transition t;
	unsigned int n, failed = 0;
	int fd, i, ret;

	/* A file makes the STOP step do real work. */
	fd = ka_memfd_create(self->dev, "sweep", 4096, self->token);
	ASSERT_LE(0, fd);
	self->used0 = ka_sysfs_num("pool_used");
	self->objects0 = ka_sysfs_num("pool_objects");

	for (n = 1; n < 100; n++) {
		ASSERT_EQ(0, ka_fail_nth(n));
		ret = 0;
		for (i = 0; i < 3 && !ret; i++) {
			ret = ka_transition(self->dev, steps[i], &t);
			if (ret) {
				/* The previous state, with the failure named. */
				ASSERT_EQ(i ? steps[i - 1] : 0, t.state);
				ASSERT_EQ(ret, t.error);
			}
		}
		ASSERT_EQ(0, ka_fail_nth(0));
		if (t.state != KEEPALIVE_STATE_RUNNING)
			ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
		ASSERT_STATE("running");
		ASSERT_BASELINE();
		if (!ret)
			break;
		failed++;
	}
	TH_LOG("%u injected failures before a clean run", failed);
	/* prepare, pre-stop and stop each consult it at least once. */
	ASSERT_LE(3, failed);
	ASSERT_GT(100, n);
	ASSERT_EQ(0, ka_memfd_destroy(self->dev, "sweep", self->token));
	close(fd);
}

/* Does the trace text @trace hold @what? */
static bool traced(const char *trace, const char *what)
{
	return strstr(trace, what);
}

/*
 * Every transition emits keepalive_transition, with its outcome and the
 * failing participant's keepalive_step; with the events off, nothing (the
 * control: the lines looked for are not in any trace by chance).
 */
TEST_F(ka, transitions_traced)
{
	static const char prepared[] =
		"keepalive_transition: event=prepare from=running to=prepare ret=0 ";
	struct keepalive_transition t;
	char line[160];
	const char *tr;
	int ret;

	ret = kt_trace_enable(true);
	ASSERT_EQ(0, ret) TH_LOG("keepalive trace events: %s", strerror(-ret));
	ASSERT_EQ(0, kt_trace_clear());

	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_PREPARE, NULL));
	ASSERT_EQ(-EINVAL, ka_transition(self->dev, KEEPALIVE_EV_STOP, NULL));
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
	/* A participant's step fails: its errno, in both events. */
	ASSERT_EQ(0, ka_fail_nth(1));
	ret = ka_transition(self->dev, KEEPALIVE_EV_PREPARE, &t);
	ASSERT_EQ(0, ka_fail_nth(0));
	ASSERT_GT(0, ret);
	ASSERT_STRNE("", t.participant);
	ASSERT_STATE("running");

	tr = kt_trace();
	ASSERT_TRUE(traced(tr, prepared)) TH_LOG("trace:\n%s", tr);
	ASSERT_TRUE(traced(tr, "keepalive_step: participant=memfd step=prepare ret=0 "));
	ASSERT_TRUE(traced(tr, "keepalive_transition: event=stop from=prepare to=prepare "
			       "ret=-22 "));
	ASSERT_TRUE(traced(tr, "keepalive_transition: event=abort from=prepare to=running ret=0 "));
	snprintf(line, sizeof(line),
		 "keepalive_transition: event=prepare from=running to=running ret=%d ",
		 ret);
	ASSERT_TRUE(traced(tr, line)) TH_LOG("no \"%s\" in:\n%s", line, tr);
	snprintf(line, sizeof(line), "keepalive_step: participant=%s step=prepare ret=%d ",
		 t.participant, ret);
	ASSERT_TRUE(traced(tr, line)) TH_LOG("no \"%s\" in:\n%s", line, tr);

	/* Control: the same transitions with the events off leave nothing. */
	ASSERT_EQ(0, kt_trace_enable(false));
	ASSERT_EQ(0, kt_trace_clear());
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_PREPARE, NULL));
	ASSERT_EQ(0, ka_transition(self->dev, KEEPALIVE_EV_ABORT, NULL));
	tr = kt_trace();
	ASSERT_FALSE(traced(tr, prepared));
	ASSERT_FALSE(traced(tr, "keepalive_"));
	ASSERT_BASELINE();
}

TEST_HARNESS_MAIN
