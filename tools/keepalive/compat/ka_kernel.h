/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shims for building the participants' record readers
 * (the record.c files) in tools/keepalive/, unchanged: the little of the kernel's
 * API they use (lists, locks that lock nothing, allocation over malloc()
 * so that ASan sees it, byte order, bitmaps, and the PCI definitions
 * their writers name). The thin headers next to this one include it.
 */
#ifndef _KEEPALIVE_COMPAT_KA_KERNEL_H
#define _KEEPALIVE_COMPAT_KA_KERNEL_H

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <linux/types.h>
#include <linux/slab.h>
#include <linux/kernel.h>

/* <linux/compiler.h>, <linux/kernel.h>, <linux/minmax.h> */
#define READ_ONCE(x)		(x)
#define WARN_ON_ONCE(c)		({ int __c = !!(c); __c; })
#define BUILD_BUG_ON(c)		((void)sizeof(char[1 - 2 * !!(c)]))
#define min(a, b)		ka_min(a, b)
#define max(a, b)		ka_max(a, b)
#define U16_MAX			((u16)~0U)
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define PAGE_SIZE		4096UL
#define PAGE_ALIGN(x)		ka_page_align(x)

static inline u64 ka_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 ka_max(u64 a, u64 b)
{
	return a > b ? a : b;
}

static inline u64 ka_page_align(u64 x)
{
	return (x + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
}

/* <linux/log2.h>, for the values the records use (below 2^32). */
#define is_power_of_2(n)	ka_is_power_of_2(n)
#define ilog2(n)		ka_ilog2(n)
#define roundup_pow_of_two(n)	ka_roundup_pow_of_two(n)

static inline bool ka_is_power_of_2(u64 n)
{
	return n && !(n & (n - 1));
}

static inline int ka_ilog2(u64 n)
{
	return 63 - __builtin_clzll(n);
}

static inline u64 ka_roundup_pow_of_two(u64 n)
{
	return n < 2 ? 1 : 1ULL << (64 - __builtin_clzll(n - 1));
}

/*
 * <linux/kconfig.h>: the Makefile sets CONFIG_KEEPALIVE=1 (what the
 * headers declare for a keepalive kernel), nothing else.
 */
#define __ARG_PLACEHOLDER_1	0,
#define __take_second_arg(__ignored, val, ...)	val
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define ___is_defined(val)	____is_defined(__ARG_PLACEHOLDER_##val)
#define IS_ENABLED		ka_is_enabled
#define ka_is_enabled(opt)	___is_defined(opt)
#define __user
#define ka_export(sym)		extern int ka_exported_##sym
#define EXPORT_SYMBOL_GPL	ka_export

/* <linux/kernel.h>: boot is over. */
enum system_states { SYSTEM_BOOTING, SYSTEM_RUNNING };
#define system_state		SYSTEM_RUNNING
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)

/* <linux/bitfield.h> */
#define FIELD_GET(mask, v)	(((v) & (mask)) >> __builtin_ctzll(mask))
#define FIELD_PREP(mask, v)	(((typeof(mask))(v) << __builtin_ctzll(mask)) & (mask))

/* <linux/printk.h>: quiet, unless KA_FUZZ_LOG is set (see fuzz_image.c). */
extern int ka_fuzz_log;
#define pr_err(fmt, ...)					\
	do {							\
		if (ka_fuzz_log)				\
			fprintf(stderr, pr_fmt(fmt), ##__VA_ARGS__); \
	} while (0)
#define pr_info(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#ifndef pr_fmt
#define pr_fmt(fmt)		fmt
#endif

/* <linux/err.h> */
#define MAX_ERRNO		4095
#define IS_ERR(p)		((unsigned long)(p) >= (unsigned long)-MAX_ERRNO)
#define PTR_ERR(p)		((long)(p))
#define ERR_PTR(e)		((void *)(long)(e))

/* <linux/bits.h>, <linux/bitops.h>, <linux/bitmap.h> */
#define BITS_PER_LONG		64
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define GENMASK(h, l)		((~0UL << (l)) & (~0UL >> (63 - (h))))
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

static inline bool test_bit(unsigned long n, const unsigned long *b)
{
	return b[n / BITS_PER_LONG] >> (n % BITS_PER_LONG) & 1;
}

static inline unsigned long find_next_bit(const unsigned long *b,
					  unsigned long size,
					  unsigned long n)
{
	while (n < size && !test_bit(n, b))
		n++;
	return n < size ? n : size;
}

static inline unsigned long *bitmap_zalloc(unsigned int nr, int flags)
{
	(void)flags;
	return calloc(BITS_TO_LONGS(nr) ?: 1, sizeof(unsigned long));
}

static inline void bitmap_free(unsigned long *b)
{
	free(b);
}

static inline void bitmap_from_arr64(unsigned long *b, const u64 *a,
				     unsigned int nr)
{
	b[0] = nr < 64 ? a[0] & ((1ULL << nr) - 1) : a[0];
}

static inline void bitmap_to_arr64(u64 *a, const unsigned long *b,
				   unsigned int nr)
{
	a[0] = nr < 64 ? b[0] & ((1ULL << nr) - 1) : b[0];
}

static inline unsigned int bitmap_weight(const unsigned long *b,
					 unsigned int nr)
{
	unsigned int i, w = 0;

	for (i = 0; i < nr; i++)
		w += test_bit(i, b);
	return w;
}

/* <linux/slab.h> beyond compat/linux/slab.h */
static inline void *kcalloc(size_t n, size_t size, int flags)
{
	(void)flags;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return calloc(n ?: 1, size ?: 1);
}

static inline void *kzalloc(size_t size, int flags)
{
	return kcalloc(1, size, flags);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

/* <linux/string.h> */
static inline ssize_t strscpy(char *d, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	if (!n)
		return -E2BIG;
	if (l == n) {
		memcpy(d, s, n - 1);
		d[n - 1] = '\0';
		return -E2BIG;
	}
	memcpy(d, s, l + 1);
	return l;
}

static inline void *memchr_inv(const void *s, int c, size_t n)
{
	const u8 *p = s;

	for (; n; n--, p++)
		if (*p != (u8)c)
			return (void *)p;
	return NULL;
}

/* <linux/kstrtox.h>: the kernel's rules: optional "0x" for base 16, one
 * trailing newline, no sign, no overflow.
 */
static inline int kstrtou32(const char *s, unsigned int base, u32 *res)
{
	unsigned long long v = 0;
	const char *p = s;
	int d;

	if (*p == '+')
		p++;
	if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!*p || *p == '\n')
		return -EINVAL;
	for (; *p && *p != '\n'; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if (d >= (int)base)
			return -EINVAL;
		v = v * base + d;
		if (v > UINT_MAX)
			return -ERANGE;
	}
	if (*p == '\n' && p[1])
		return -EINVAL;
	*res = v;
	return 0;
}

/* <asm/byteorder.h> */
#define be16_to_cpu(x)		((u16)be16toh(x))
#define be32_to_cpu(x)		((u32)be32toh(x))
#define be64_to_cpu(x)		((u64)be64toh(x))
#define cpu_to_be16(x)		((__be16)htobe16(x))
#define cpu_to_be32(x)		((__be32)htobe32(x))
#define cpu_to_be64(x)		((__be64)htobe64(x))

/* <asm/unaligned.h> */
static inline u64 get_unaligned_be64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void put_unaligned_le64(u64 v, void *p)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_unaligned_be64(u64 v, void *p)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

/* <linux/list.h> */
struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

/*
 * The walks, through an iterator that writes the entry through a pointer
 * to @pos: each argument is named once. It reads the next entry before
 * the body runs, so that the body may delete the entry it is at.
 */
struct ka_list_iter {
	void *pos;
	struct list_head *head, *next;
	size_t off;
};

static inline struct ka_list_iter ka_list_begin(void *pos, struct list_head *head,
						size_t off)
{
	return (struct ka_list_iter) {
		.pos = pos, .head = head, .next = head->next, .off = off,
	};
}

static inline bool ka_list_step(struct ka_list_iter *it)
{
	void *entry = (char *)it->next - it->off;

	if (it->next == it->head)
		return false;
	memcpy(it->pos, &entry, sizeof(entry));
	it->next = it->next->next;
	return true;
}

#define list_for_each_entry(pos, head, m)				\
	for (struct ka_list_iter __ka_it =				\
		ka_list_begin(&(pos), head,			\
			      offsetof(typeof(*(typeof(pos))0), m));	\
	     ka_list_step(&__ka_it);)

/* <linux/mutex.h>, <linux/lockdep.h>, <linux/kref.h>: single-threaded. */
struct mutex {
	int locked;
};

#define DEFINE_MUTEX(n)		struct mutex n = { 0 }
#define mutex_lock(m)		((m)->locked++)
#define mutex_unlock(m)		((m)->locked--)
#define lockdep_assert_held(m)	((void)(m))

struct kref {
	int refcount;
};

static inline void kref_init(struct kref *k)
{
	k->refcount = 1;
}

/* <linux/io.h>: the pool is the harness's (keepalive_pool_va()). */
#define MEMREMAP_WB		1
void *memremap(u64 phys, size_t size, unsigned long flags);
void memunmap(void *va);

/* <crypto/sha2.h>, <linux/uuid.h> */
#define SHA256_DIGEST_SIZE	32
typedef struct {
	u8 b[16];
} uuid_t;

/* <linux/pci.h>: what the records name; a device is never there. */
#define PCI_STD_NUM_BARS	6
#define PCI_STD_HEADER_SIZEOF	64
#define PCI_CAP_MSIX_SIZEOF	12
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4
#define PCI_MSIX_FLAGS_QSIZE	0x07ff
#define PCI_MSIX_FLAGS_MASKALL	0x4000
#define PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE_BIR	0x00000007
#define PCI_MSIX_PBA_BIR	0x00000007
#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 0x07)
#define PCI_DEVID(bus, devfn)	((((u16)(bus)) << 8) | (devfn))
#define IORESOURCE_IO		0x00000100
#define IORESOURCE_MEM		0x00000200
#define IORESOURCE_PREFETCH	0x00002000
#define IORESOURCE_MEM_64	0x00100000

struct pci_bus {
	int domain;
	unsigned char number;
};

struct pci_dev {
	struct pci_bus *bus;
	unsigned int devfn;
	unsigned short vendor, device;
	unsigned int class;
	u64 start[PCI_STD_NUM_BARS];
	unsigned long flags[PCI_STD_NUM_BARS];
	u16 command;
	struct pci_dev *upstream;
};

#define pci_domain_nr(b)		((b)->domain)
#define pci_resource_start(p, i)	((p)->start[i])
#define pci_resource_flags(p, i)	((p)->flags[i])
#define pci_upstream_bridge(p)		((p)->upstream)
#define pci_name(p)			"0000:00:00.0"

static inline int pci_read_config_word(struct pci_dev *p, int where, u16 *v)
{
	(void)where;
	*v = p->command;
	return 0;
}

#endif /* _KEEPALIVE_COMPAT_KA_KERNEL_H */
