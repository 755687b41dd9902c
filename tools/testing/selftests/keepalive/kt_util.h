/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the keepalive selftests: the stage protocol of the VM
 * harness (vm/init) and small sysfs/procfs readers.
 */
#ifndef KT_UTIL_H
#define KT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The stage this boot runs (KT_STAGE from vm/init, 1 outside the VM). */
int kt_stage(void);

/* The kt_scenario= word of the command line, or @dflt without one. */
const char *kt_scenario(const char *dflt);

/* Is this the last stage of the run (KT_STAGES; true outside the VM)? */
bool kt_is_last_stage(void);

/*
 * Last component of the symlink /sys/bus/pci/devices/@bdf/@link ("driver",
 * "iommu_group") into @buf. 0 or -errno (-ENOENT: no such link).
 */
int kt_pci_link(const char *bdf, const char *link, char *buf, size_t len);

/* Write @s to the file @path (sysfs, /dev/kmsg). 0 or -errno. */
int kt_write_str(const char *path, const char *s);

/* The driver bound to PCI function @bdf into @buf ("" when none). */
void kt_pci_driver(const char *bdf, char *buf, size_t len);

/* Wait up to @ms for @bdf to be bound to @drv ("" for no driver). */
bool kt_wait_driver(const char *bdf, const char *drv, int ms);

/* The kernel log buffer as text (empty when it cannot be read). */
const char *kt_klog(void);

/* Does the kernel log buffer hold @what? */
bool kt_klog_has(const char *what);

/* Read the first line of @path into @buf without its newline. 0 or -errno. */
int kt_read_line(const char *path, char *buf, size_t len);

/* Value of @key=... on /proc/cmdline into @buf. 0, -ENOENT or -errno. */
int kt_cmdline_get(const char *key, char *buf, size_t len);

/* Numeric value of @key=... on /proc/cmdline (strtoull base 0), or @dflt. */
unsigned long long kt_cmdline_num(const char *key, unsigned long long dflt);

/* Append "key=value" words to the next kernel's command line. 0 or -errno. */
int kt_cmdline_append(const char *words);

/*
 * Find the @nth (from 0) PCI function with @vendor:@device; its address
 * ("0000:00:03.0") goes to @bdf. 0 or -ENOENT.
 */
int kt_find_pci(unsigned int vendor, unsigned int device, int nth,
		char *bdf, size_t len);

/* Numeric sysfs attribute @attr of PCI function @bdf, or -1. */
long kt_pci_attr(const char *bdf, const char *attr);

/*
 * The PCI command register of @bdf through sysfs (no vfio involved), after
 * clearing the bits in @clear (0: only read). The value, or -errno.
 */
int kt_pci_command(const char *bdf, uint16_t clear);

/*
 * The first 256 bytes of @bdf's config space through sysfs into @cfg.
 * 0 or -errno.
 */
int kt_pci_config(const char *bdf, uint8_t cfg[256]);

/* The offset of capability @id in @cfg (kt_pci_config()), or 0. */
unsigned int kt_pci_find_cap(const uint8_t cfg[256], uint8_t id);

/* The MSI-X capability of a PCI function, read from sysfs config space. */
struct kt_msix {
	unsigned int cap;	/* its offset in config space */
	uint16_t ctrl;		/* Message Control */
	uint32_t table, pba;	/* offsets in BAR 0 */
};

/*
 * @bdf's MSI-X capability into @m. 0; -ENOENT without one; -EOPNOTSUPP
 * when its table or PBA is not in BAR 0; or -errno.
 */
int kt_msix_read(const char *bdf, struct kt_msix *m);

/*
 * The interrupt remapping entry vector @n's message names, read from
 * @bdf's MSI-X table through sysfs: on VT-d (/sys/class/iommu/dmar*) a
 * remappable message's handle (plus its subhandle), on AMD-Vi (ivhd*) its
 * data, an index in the device's own table. -1 when the message names
 * none.
 */
long kt_msix_irte(const char *bdf, const struct kt_msix *m, int n);

/*
 * The 32-bit register at @off of memory BAR @bar of @bdf, read through
 * sysfs resourceN (no driver, no vfio involved); ~0 when it cannot be.
 */
uint32_t kt_pci_bar_rd32(const char *bdf, int bar, uint32_t off);

/*
 * @len bytes of host memory at @phys through /dev/mem (STRICT_DEVMEM: a
 * range the kernel does not use as RAM, e.g. one memmap=SIZE$ADDR
 * reserves), read into @buf or, with @write, written from it. 0, or
 * -errno.
 */
int kt_devmem(unsigned long long phys, void *buf, size_t len, bool write);

/*
 * Load the next stage's kernel now, as vm/init would at the end of the
 * stage (this initramfs repacked, the command line with the next stage
 * number), and tell vm/init to kexec it as loaded. 0 or -errno.
 */
int kt_kexec_load_next(void);

/*
 * Leaks of keepalive's kernel code: waits out kmemleak's minimum object
 * age, scans twice, and counts the unreferenced objects whose allocation
 * backtrace goes through keepalive's functions (each printed to @log as a
 * TAP comment, if given). The count, or -errno (-ENOENT without kmemleak).
 */
int kt_kmemleak_ours(FILE *log);

/*
 * The keepalive trace events (include/trace/events/keepalive.h) through
 * tracefs, mounted at /sys/kernel/tracing if it is not yet.
 * kt_trace_enable() turns them all on or off (0 or -errno; -ENOENT when the
 * kernel has no such events), kt_trace_clear() empties the buffer, and
 * kt_trace() returns its text ("" when it cannot be read).
 * KT_TRACE_BOOT are the command-line words that enable them from the next
 * kernel's boot on (kt_cmdline_append()). trace_clock=local: on a sched
 * clock the kernel finds unstable (TCG's), it otherwise switches the trace
 * clock to "global" at late_initcall, which empties the buffer of every
 * boot event.
 */
#define KT_TRACE_BOOT "trace_event=keepalive: trace_clock=local"
int kt_trace_enable(bool on);
int kt_trace_clear(void);
const char *kt_trace(void);

/* CLOCK_MONOTONIC in milliseconds: since this kernel's boot. */
double kt_now_ms(void);

/* Is the keepalive trace event @name enabled (its tracefs "enable" is 1)? */
bool kt_trace_enabled(const char *name);

#endif /* KT_UTIL_H */
