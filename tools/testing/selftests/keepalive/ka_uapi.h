/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin wrappers over /dev/keepalive and /sys/kernel/keepalive for the
 * selftests. Every function returns 0 (or a value) on success and -errno
 * on failure, never exits.
 */
#ifndef KA_UAPI_H
#define KA_UAPI_H

#include <stdint.h>
#include <stddef.h>
#include <linux/keepalive.h>

#define KA_DEV		"/dev/keepalive"
#define KA_SYSFS	"/sys/kernel/keepalive/"
#define KA_DEBUGFS	"/sys/kernel/debug/keepalive/"

/*
 * @cmd with its argument size replaced by @size: how a program built with
 * an older or newer struct issues it.
 */
#define KA_IOC_RESIZE(cmd, size) \
	(((cmd) & ~(unsigned long)IOCSIZE_MASK) | \
	 ((unsigned long)(size) << _IOC_SIZESHIFT))

/* Ioctl on an open /dev/keepalive; @res may be NULL. */
int ka_transition(int dev, enum keepalive_event ev,
		  struct keepalive_transition *res);
/* Write @word ("prepare", ...) to the sysfs state file. */
int ka_sysfs_event(const char *word);
/* Current state name from sysfs into @buf. */
int ka_sysfs_state(char *buf, size_t len);
/* A numeric attribute of /sys/kernel/keepalive, or -errno. */
long long ka_sysfs_num(const char *attr);

/* Token derived from @seed, so that stages agree without sharing files. */
void ka_token(uint8_t token[KEEPALIVE_TOKEN_SIZE], unsigned int seed);

/*
 * The token as a UUID string in byte order, for "BDF vf_token=UUID": how a
 * VMM names a device it kept when it reclaims it after kexec.
 */
#define KA_UUID_LEN	36
void ka_token_uuid(const uint8_t token[KEEPALIVE_TOKEN_SIZE],
		   char buf[KA_UUID_LEN + 1]);
/* "@bdf vf_token=UUID": the VFIO device name that reclaims @bdf. */
void ka_reclaim_name(const char *bdf,
		     const uint8_t token[KEEPALIVE_TOKEN_SIZE], char *buf,
		     size_t len);

int ka_memfd_create(int dev, const char *name, uint64_t length,
		    const uint8_t *token);
int ka_memfd_retrieve(int dev, const char *name, const uint8_t *token);
int ka_memfd_destroy(int dev, const char *name, const uint8_t *token);
/* Physical address of a preserved file (one range). */
int ka_memfd_phys(int fd, uint64_t *phys, uint64_t *length);

/* List preserved files into @info (capacity @nr); the count, or -errno. */
int ka_memfd_list(int dev, struct keepalive_memfd_info *info, unsigned int nr);

/* 1 when /proc/iomem shows the whole pool inside one "Reserved" range. */
int ka_pool_reserved_in_iomem(void);
/*
 * 1 when [@phys, @phys + @size) lies inside one top-level "Reserved" range
 * of /proc/iomem (the E820 map), 0 when not, -errno. Needs no keepalive.
 */
int ka_iomem_reserved(unsigned long long phys, unsigned long long size);

/* Fill @buf with a pattern from @seed; checksum of a buffer. */
void ka_pattern(void *buf, size_t len, uint64_t seed);
uint64_t ka_checksum(const void *buf, size_t len);

/* Make the n-th fail_keepalive consultation fail (0: never). */
int ka_fail_nth(unsigned int n);

/* Write a debugfs knob. */
int ka_debugfs_write(const char *file, const char *word);

#endif /* KA_UAPI_H */
