// SPDX-License-Identifier: GPL-2.0
/*
 * Thin wrappers over /dev/keepalive and /sys/kernel/keepalive, see
 * ka_uapi.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ka_uapi.h"
#include "kt_util.h"

int ka_transition(int dev, enum keepalive_event ev,
		  struct keepalive_transition *res)
{
	struct keepalive_transition t = { .event = ev };
	int ret;

	ret = ioctl(dev, KEEPALIVE_IOC_TRANSITION, &t) ? -errno : 0;
	if (res)
		*res = t;
	return ret;
}

int ka_sysfs_event(const char *word)
{
	return kt_write_str(KA_SYSFS "state", word);
}

int ka_sysfs_state(char *buf, size_t len)
{
	return kt_read_line(KA_SYSFS "state", buf, len);
}

long long ka_sysfs_num(const char *attr)
{
	char path[128], val[32];
	int ret;

	snprintf(path, sizeof(path), KA_SYSFS "%s", attr);
	ret = kt_read_line(path, val, sizeof(val));
	return ret ? ret : strtoll(val, NULL, 0);
}

void ka_token(uint8_t token[KEEPALIVE_TOKEN_SIZE], unsigned int seed)
{
	for (int i = 0; i < KEEPALIVE_TOKEN_SIZE; i++)
		token[i] = (uint8_t)(seed * 131 + i * 7 + 1);
}

void ka_token_uuid(const uint8_t token[KEEPALIVE_TOKEN_SIZE],
		   char buf[KA_UUID_LEN + 1])
{
	char *p = buf;

	for (int i = 0; i < KEEPALIVE_TOKEN_SIZE; i++) {
		p += sprintf(p, "%02x", token[i]);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			*p++ = '-';
	}
	*p = 0;
}

void ka_reclaim_name(const char *bdf,
		     const uint8_t token[KEEPALIVE_TOKEN_SIZE], char *buf,
		     size_t len)
{
	char uuid[KA_UUID_LEN + 1];

	ka_token_uuid(token, uuid);
	snprintf(buf, len, "%s vf_token=%s", bdf, uuid);
}

int ka_memfd_create(int dev, const char *name, uint64_t length,
		    const uint8_t *token)
{
	struct keepalive_memfd_create c = { .length = length };
	int fd;

	snprintf(c.name, sizeof(c.name), "%s", name);
	memcpy(c.token, token, sizeof(c.token));
	fd = ioctl(dev, KEEPALIVE_IOC_MEMFD_CREATE, &c);
	return fd < 0 ? -errno : fd;
}

static int memfd_named(int dev, unsigned long cmd, const char *name,
		       const uint8_t *token)
{
	struct keepalive_memfd_retrieve r = { 0 };
	int ret;

	snprintf(r.name, sizeof(r.name), "%s", name);
	memcpy(r.token, token, sizeof(r.token));
	ret = ioctl(dev, cmd, &r);
	return ret < 0 ? -errno : ret;
}

int ka_memfd_retrieve(int dev, const char *name, const uint8_t *token)
{
	return memfd_named(dev, KEEPALIVE_IOC_MEMFD_RETRIEVE, name, token);
}

int ka_memfd_destroy(int dev, const char *name, const uint8_t *token)
{
	return memfd_named(dev, KEEPALIVE_IOC_MEMFD_DESTROY, name, token);
}

int ka_memfd_phys(int fd, uint64_t *phys, uint64_t *length)
{
	struct keepalive_range r = { 0 };
	struct keepalive_memfd_layout lay = {
		.nr_ranges = 1,
		.ranges = (uintptr_t)&r,
	};

	if (ioctl(fd, KEEPALIVE_MEMFD_IOC_LAYOUT, &lay))
		return -errno;
	if (lay.nr_ranges != 1)
		return -EINVAL;
	*phys = r.phys;
	*length = lay.length;
	return 0;
}

int ka_memfd_list(int dev, struct keepalive_memfd_info *info, unsigned int nr)
{
	struct keepalive_memfd_list l = {
		.nr = nr,
		.entries = (uintptr_t)info,
	};

	if (ioctl(dev, KEEPALIVE_IOC_MEMFD_LIST, &l))
		return -errno;
	return l.nr;
}

int ka_pool_reserved_in_iomem(void)
{
	return ka_iomem_reserved(ka_sysfs_num("pool_phys"),
				 ka_sysfs_num("pool_size"));
}

int ka_iomem_reserved(unsigned long long phys, unsigned long long size)
{
	unsigned long long end = phys + size, a, b;
	char line[256], name[128];
	int found = 0;
	FILE *f;

	f = fopen("/proc/iomem", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* Top level only: the E820 view, not what drivers claimed. */
		if (line[0] == ' ')
			continue;
		if (sscanf(line, "%llx-%llx : %127[^\n]", &a, &b, name) != 3)
			continue;
		if (a <= phys && b + 1 >= end && !strcmp(name, "Reserved"))
			found = 1;
	}
	fclose(f);
	return found;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void ka_pattern(void *buf, size_t len, uint64_t seed)
{
	uint64_t *p = buf, s = seed | 1;

	for (size_t i = 0; i < len / sizeof(*p); i++)
		p[i] = xorshift(&s) ^ i;
}

uint64_t ka_checksum(const void *buf, size_t len)
{
	const uint64_t *p = buf;
	uint64_t sum = 0;

	for (size_t i = 0; i < len / sizeof(*p); i++)
		sum = (sum ^ p[i]) * 0x100000001b3ULL;
	return sum;
}

int ka_debugfs_write(const char *file, const char *word)
{
	char path[160];

	snprintf(path, sizeof(path), KA_DEBUGFS "%s", file);
	return kt_write_str(path, word);
}

int ka_fail_nth(unsigned int n)
{
	char val[16];
	int ret;

	snprintf(val, sizeof(val), "%u", n);
	ret = ka_debugfs_write("fail_keepalive/probability", n ? "100" : "0");
	if (!ret)
		ret = ka_debugfs_write("fail_keepalive/space", val);
	if (!ret)
		ret = ka_debugfs_write("fail_keepalive/times", n ? "1" : "0");
	if (!ret)
		ret = ka_debugfs_write("fail_keepalive/verbose", "0");
	return ret;
}
