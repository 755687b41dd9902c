// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the keepalive selftests, see kt_util.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "kt_util.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

int kt_stage(void)
{
	const char *s = getenv("KT_STAGE");

	return s ? atoi(s) : 1;
}

int kt_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return ret;
}

int kt_cmdline_get(const char *key, char *buf, size_t len)
{
	char line[4096], *tok, *save;
	size_t klen = strlen(key);
	int ret;

	ret = kt_read_line("/proc/cmdline", line, sizeof(line));
	if (ret)
		return ret;
	for (tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, key, klen) || tok[klen] != '=')
			continue;
		snprintf(buf, len, "%s", tok + klen + 1);
		return 0;
	}
	return -ENOENT;
}

unsigned long long kt_cmdline_num(const char *key, unsigned long long dflt)
{
	char val[32];

	if (kt_cmdline_get(key, val, sizeof(val)))
		return dflt;
	return strtoull(val, NULL, 0);
}

int kt_cmdline_append(const char *words)
{
	const char *run = getenv("KT_RUN");
	char path[256];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/cmdline-append", run ? run : "/tmp");
	f = fopen(path, "a");
	if (!f)
		return -errno;
	if (fprintf(f, " %s", words) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

long kt_pci_attr(const char *bdf, const char *attr)
{
	char path[256], val[64];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	if (kt_read_line(path, val, sizeof(val)))
		return -1;
	return strtol(val, NULL, 0);
}

int kt_find_pci(unsigned int vendor, unsigned int device, int nth,
		char *bdf, size_t len)
{
	struct dirent **ents;
	int i, n, ret = -ENOENT;

	/* Sorted, so that "the nth controller" is stable across boots. */
	n = scandir("/sys/bus/pci/devices", &ents, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (ret && name[0] != '.' &&
		    kt_pci_attr(name, "vendor") == vendor &&
		    kt_pci_attr(name, "device") == device && nth-- == 0) {
			snprintf(bdf, len, "%s", name);
			ret = 0;
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

/* Does a kmemleak backtrace line name one of keepalive's functions? */
static bool kt_ours(const char *line)
{
	static const char * const ours[] = {
		"] vka_", "] keepalive_", "] adopt+", "] snapshot+",
		"] hold_orphan+", "] pool_", "] memfd_", "] image_",
	};

	for (size_t i = 0; i < ARRAY_SIZE(ours); i++)
		if (strstr(line, ours[i]))
			return true;
	return false;
}

static int kt_kmemleak_write(const char *word)
{
	int fd = open("/sys/kernel/debug/kmemleak", O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, word, strlen(word));
	close(fd);
	return n < 0 ? -errno : 0;
}

int kt_kmemleak_ours(FILE *log)
{
	char line[256], obj[256] = "";
	bool counted = false;
	int ret, leaks = 0;
	FILE *f;

	/* Reported objects must be older than kmemleak's 5 s minimum age. */
	sleep(6);
	for (int i = 0; i < 2; i++) {
		ret = kt_kmemleak_write("scan");
		if (ret)
			return ret;
	}
	f = fopen("/sys/kernel/debug/kmemleak", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "unreferenced object", 19)) {
			snprintf(obj, sizeof(obj), "%s", line);
			counted = false;
		} else if (!counted && kt_ours(line)) {
			counted = true;
			leaks++;
			if (log)
				fprintf(log, "# leak: %s#   from %s", obj, line);
		}
	}
	fclose(f);
	return leaks;
}

int kt_pci_command(const char *bdf, uint16_t clear)
{
	char path[128];
	uint16_t cmd;
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, clear ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return -errno;
	ret = pread(fd, &cmd, sizeof(cmd), 4) == sizeof(cmd) ? 0 : -EIO;
	if (!ret && clear) {
		cmd &= ~clear;
		if (pwrite(fd, &cmd, sizeof(cmd), 4) != sizeof(cmd))
			ret = -EIO;
	}
	close(fd);
	return ret ? ret : cmd;
}

int kt_pci_config(const char *bdf, uint8_t cfg[256])
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, cfg, 256, 0);
	close(fd);
	return n == 256 ? 0 : -EIO;
}

unsigned int kt_pci_find_cap(const uint8_t cfg[256], uint8_t id)
{
	unsigned int pos, hops = 0;

	for (pos = cfg[PCI_CAPABILITY_LIST] & ~3; pos && hops++ < 48;
	     pos = cfg[pos + PCI_CAP_LIST_NEXT] & ~3)
		if (cfg[pos] == id)
			return pos;
	return 0;
}

int kt_msix_read(const char *bdf, struct kt_msix *m)
{
	uint8_t cfg[256];
	int ret = kt_pci_config(bdf, cfg);

	if (ret)
		return ret;
	m->cap = kt_pci_find_cap(cfg, PCI_CAP_ID_MSIX);
	if (!m->cap)
		return -ENOENT;
	memcpy(&m->ctrl, cfg + m->cap + PCI_MSIX_FLAGS, 2);
	memcpy(&m->table, cfg + m->cap + PCI_MSIX_TABLE, 4);
	memcpy(&m->pba, cfg + m->cap + PCI_MSIX_PBA, 4);
	if ((m->table & PCI_MSIX_TABLE_BIR) || (m->pba & PCI_MSIX_PBA_BIR))
		return -EOPNOTSUPP;
	return 0;
}

long kt_msix_irte(const char *bdf, const struct kt_msix *m, int n)
{
	uint32_t lo = kt_pci_bar_rd32(bdf, 0, m->table + 16 * n);
	uint32_t data = kt_pci_bar_rd32(bdf, 0, m->table + 16 * n + 8);
	long idx;

	if (!access("/sys/class/iommu/ivhd0", F_OK))
		return lo == 0xfee00000 && data < 2048 ? (long)data : -1;
	if ((lo & 0xfff00000) != 0xfee00000 || !(lo & 0x10))
		return -1;
	idx = (lo >> 5 & 0x7fff) | (lo & 4 ? 0x8000 : 0);
	return lo & 8 ? idx + (data & 0xffff) : idx;
}

uint32_t kt_pci_bar_rd32(const char *bdf, int bar, uint32_t off)
{
	long page = sysconf(_SC_PAGESIZE);
	long base = off & ~(page - 1);
	uint32_t val = ~0U;
	char path[128];
	void *map;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", bdf,
		 bar);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return val;
	map = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, base);
	if (map != MAP_FAILED) {
		val = __atomic_load_n((uint32_t *)((char *)map + off - base),
				      __ATOMIC_RELAXED);
		munmap(map, page);
	}
	close(fd);
	return val;
}

const char *kt_scenario(const char *dflt)
{
	static char buf[32];

	return kt_cmdline_get("kt_scenario", buf, sizeof(buf)) ? dflt : buf;
}

bool kt_is_last_stage(void)
{
	const char *s = getenv("KT_STAGES");

	return !s || kt_stage() >= atoi(s);
}

int kt_pci_link(const char *bdf, const char *link, char *buf, size_t len)
{
	char path[128], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	snprintf(buf, len, "%s", strrchr(target, '/') + 1);
	return 0;
}

int kt_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = errno;
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : n < 0 ? -err : -EIO;
}

void kt_pci_driver(const char *bdf, char *buf, size_t len)
{
	if (kt_pci_link(bdf, "driver", buf, len))
		buf[0] = '\0';
}

bool kt_wait_driver(const char *bdf, const char *drv, int ms)
{
	char cur[32];

	for (; ms > 0; ms -= 10) {
		kt_pci_driver(bdf, cur, sizeof(cur));
		if (!strcmp(cur, drv))
			return true;
		usleep(10000);
	}
	return false;
}

const char *kt_klog(void)
{
	static char log[1 << 17];
	int n = klogctl(3, log, sizeof(log) - 1);	/* SYSLOG_ACTION_READ_ALL */

	log[n < 0 ? 0 : n] = '\0';
	return log;
}

bool kt_klog_has(const char *what)
{
	return strstr(kt_klog(), what);
}

int kt_devmem(unsigned long long phys, void *buf, size_t len, bool write)
{
	ssize_t n;
	int fd, err;

	fd = open("/dev/mem", (write ? O_RDWR | O_SYNC : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, len, phys) : pread(fd, buf, len, phys);
	err = errno;
	close(fd);
	return n == (ssize_t)len ? 0 : n < 0 ? -err : -EIO;
}

/*
 * Load the next stage's kernel as vm/init would: this initramfs repacked,
 * the command line with the next stage number and $KT_RUN/cmdline-append.
 */
int kt_kexec_load_next(void)
{
	const char *run = getenv("KT_RUN");
	char cmdline[4096] = "", buf[4096], path[256], cmd[512], *w, *save;
	int kfd, ifd, fd, n, ret = 0;
	FILE *f;

	if (!run)
		return -EINVAL;
	f = fopen("/proc/cmdline", "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -EIO;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strncmp(w, "kt_stage=", 9) ||
		    !strncmp(w, "kunit.filter_glob=", 18))
			continue;
		n = strlen(cmdline);
		snprintf(cmdline + n, sizeof(cmdline) - n, "%s ", w);
	}
	n = strlen(cmdline);
	snprintf(cmdline + n, sizeof(cmdline) - n,
		 "kt_stage=%d kunit.filter_glob=kt_none", kt_stage() + 1);
	/* And the words a program of this stage asked for. */
	snprintf(path, sizeof(path), "%s/cmdline-append", run);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		n = strlen(cmdline);
		if (n + 1 + strlen(buf) >= sizeof(cmdline)) {
			fclose(f);
			return -E2BIG;
		}
		cmdline[n] = ' ';
		strcpy(cmdline + n + 1, buf);
	}
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/initrd.cpio", run);
	snprintf(cmd, sizeof(cmd),
		 "cd / && find . -xdev | cpio -o -H newc 2>/dev/null >%s", path);
	if (system(cmd))
		return -EIO;
	kfd = open("/boot/bzImage", O_RDONLY | O_CLOEXEC);
	ifd = open(path, O_RDONLY | O_CLOEXEC);
	if (kfd < 0 || ifd < 0)
		return -ENOENT;
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, 0UL))
		ret = -errno;
	close(kfd);
	close(ifd);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/kexec-loaded", run);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

#define KT_TRACEFS "/sys/kernel/tracing"

/* tracefs, mounted if it is not: 0 or -errno. */
static int kt_tracefs(void)
{
	if (!access(KT_TRACEFS "/trace", F_OK))
		return 0;
	if (mount("tracefs", KT_TRACEFS, "tracefs", 0, NULL))
		return -errno;
	return 0;
}

int kt_trace_enable(bool on)
{
	int ret = kt_tracefs();

	if (ret)
		return ret;
	if (access(KT_TRACEFS "/events/keepalive/enable", F_OK))
		return -ENOENT;
	return kt_write_str(KT_TRACEFS "/events/keepalive/enable", on ? "1" : "0");
}

int kt_trace_clear(void)
{
	int fd, ret = kt_tracefs();

	if (ret)
		return ret;
	/* Opening "trace" for writing with O_TRUNC empties the buffer. */
	fd = open(KT_TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

const char *kt_trace(void)
{
	static char text[1 << 18];
	size_t n = 0;
	ssize_t r;
	int fd;

	text[0] = '\0';
	if (kt_tracefs())
		return text;
	fd = open(KT_TRACEFS "/trace", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return text;
	while (n < sizeof(text) - 1 &&
	       (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += r;
	close(fd);
	text[n] = '\0';
	return text;
}

bool kt_trace_enabled(const char *name)
{
	char path[256], val[8];

	if (kt_tracefs())
		return false;
	snprintf(path, sizeof(path), KT_TRACEFS "/events/keepalive/%s/enable",
		 name);
	return !kt_read_line(path, val, sizeof(val)) && !strcmp(val, "1");
}

double kt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
