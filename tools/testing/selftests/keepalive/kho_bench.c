// SPDX-License-Identifier: GPL-2.0
/*
 * kho_bench - figures for the handover core, across kexec (not a test).
 *
 * Stage k (1..3) preserves a total of 16 MiB, 256 MiB and 1 GiB in 16 MiB
 * files, times PREPARE, PRE-STOP and STOP and records the outgoing image
 * size; stage k + 1 reads what the kernel measured while booting (pool
 * reservation, image validation, when it was accepted), times retrieval,
 * POST-RESUME and CONCLUDE, and frees everything. Run it with
 *
 *   vmtest.sh -r '*:out/kho_bench' --stages 4 --mem 3G --pool 1100M
 *
 * and read the "bench:" lines. Under TCG absolute times are inflated:
 * what matters is how they scale with the preserved size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ka_uapi.h"
#include "kt_util.h"

#define FILE_SIZE	(16ULL << 20)

static const unsigned int nr_files[] = { 1, 16, 64 };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long long timing(const char *key)
{
	char line[128], name[64];
	long long val, ret = -1;
	FILE *f;

	f = fopen(KA_DEBUGFS "timings", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", name, &val) == 2 &&
		    !strcmp(name, key))
			ret = val;
	fclose(f);
	return ret;
}

static int step(int dev, enum keepalive_event ev, double *us)
{
	struct keepalive_transition t;
	double t0 = now_us();
	int ret = ka_transition(dev, ev, &t);

	*us = now_us() - t0;
	if (ret)
		fprintf(stderr, "bench: event %d failed in %s: %d\n", ev,
			t.participant, ret);
	return ret;
}

static int resume_side(int dev, unsigned int files)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE];
	double t0, retrieve_us, post_us, conclude_us;
	long long fdt_bytes = timing("incoming_fdt_bytes");
	char name[32];
	unsigned int i;
	int fd;

	printf("bench: resume total_mib=%llu files=%u", files * FILE_SIZE >> 20,
	       files);
	printf(" reserve_us=%.1f validate_us=%.1f accepted_at_ms=%.1f",
	       timing("reserve_ns") / 1e3, timing("validate_ns") / 1e3,
	       timing("accepted_at_ns") / 1e6);
	printf(" meta_bytes=%lld meta_bytes_per_file=%.0f\n", fdt_bytes,
	       (double)fdt_bytes / files);
	t0 = now_us();
	for (i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "bench-%u", i);
		ka_token(token, i);
		fd = ka_memfd_retrieve(dev, name, token);
		if (fd < 0) {
			fprintf(stderr, "bench: retrieve %s: %d\n", name, fd);
			return 1;
		}
		close(fd);
	}
	retrieve_us = now_us() - t0;
	if (step(dev, KEEPALIVE_EV_POST_RESUME, &post_us) ||
	    step(dev, KEEPALIVE_EV_CONCLUDE, &conclude_us))
		return 1;
	for (i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "bench-%u", i);
		ka_token(token, i);
		ka_memfd_destroy(dev, name, token);
	}
	printf("bench: resume total_mib=%llu retrieve_us=%.1f", files * FILE_SIZE >> 20,
	       retrieve_us);
	printf(" post_resume_us=%.1f conclude_us=%.1f pool_used_after=%lld\n",
	       post_us, conclude_us, ka_sysfs_num("pool_used"));
	return 0;
}

static int stop_side(int dev, unsigned int files)
{
	uint8_t token[KEEPALIVE_TOKEN_SIZE];
	double t0, create_us, prep_us, pre_us, stop_us;
	char name[32];
	unsigned int i;
	int fd;

	t0 = now_us();
	for (i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "bench-%u", i);
		ka_token(token, i);
		fd = ka_memfd_create(dev, name, FILE_SIZE, token);
		if (fd < 0) {
			fprintf(stderr, "bench: create %s: %d\n", name, fd);
			return 1;
		}
		close(fd);
	}
	create_us = now_us() - t0;
	if (step(dev, KEEPALIVE_EV_PREPARE, &prep_us) ||
	    step(dev, KEEPALIVE_EV_PRE_STOP, &pre_us) ||
	    step(dev, KEEPALIVE_EV_STOP, &stop_us))
		return 1;
	printf("bench: stop total_mib=%llu files=%u create_ms=%.1f",
	       files * FILE_SIZE >> 20, files, create_us / 1e3);
	printf(" prepare_us=%.1f pre_stop_us=%.1f stop_us=%.1f\n", prep_us,
	       pre_us, stop_us);
	return 0;
}

int main(void)
{
	int stage = kt_stage(), dev, ret = 0;

	dev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror(KA_DEV);
		return 1;
	}
	if (stage > 1 && stage <= 4)
		ret = resume_side(dev, nr_files[stage - 2]);
	if (!ret && stage <= 3)
		ret = stop_side(dev, nr_files[stage - 1]);
	close(dev);
	return ret;
}
