/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the x86 boot and kexec hooks, called from
 * arch/x86/kernel/setup.c and kexec-bzimage64.c (patches/). Each is a
 * static inline no-op without CONFIG_KEEPALIVE. See
 * Documentation/keepalive/core.rst, "Boot order".
 */
#ifndef _LINUX_KEEPALIVE_BOOT_H
#define _LINUX_KEEPALIVE_BOOT_H

#include <linux/init.h>
#include <linux/keepalive/abi/core.h>	/* SETUP_KEEPALIVE */
#include <linux/types.h>

struct boot_params;
struct kimage;

#if IS_ENABLED(CONFIG_KEEPALIVE)

void keepalive_parse_setup_data(u64 pa_data, u32 data_len);
void keepalive_reserve_pool(void);
/**
 * keepalive_handover_early() - find, copy and validate the incoming image
 *
 * Find, copy and validate the incoming handover image; called from
 * setup_arch() after reserve_initrd(), before enable_IR_x2apic(), so that
 * the interrupt remapping and IOMMU participants can read their records
 * at any stage of the boot.
 *
 * Context: Early boot, single threaded.
 */
void keepalive_handover_early(void);
unsigned long keepalive_kexec_setup_data_size(void);
void keepalive_kexec_setup_data(struct boot_params *params,
				unsigned long params_load_addr,
				unsigned int offset);
int keepalive_kexec_image_check(const struct kimage *image, const void *kernel,
				unsigned long len, const char *cmdline,
				unsigned long cmdline_len);

#else

static inline void keepalive_parse_setup_data(u64 pa_data, u32 data_len)
{
}

static inline void keepalive_reserve_pool(void)
{
}

static inline void keepalive_handover_early(void)
{
}

static inline unsigned long keepalive_kexec_setup_data_size(void)
{
	return 0;
}

static inline void keepalive_kexec_setup_data(struct boot_params *params,
					      unsigned long params_load_addr,
					      unsigned int offset)
{
}

static inline int keepalive_kexec_image_check(const struct kimage *image,
					      const void *kernel,
					      unsigned long len,
					      const char *cmdline,
					      unsigned long cmdline_len)
{
	return 0;
}

#endif /* CONFIG_KEEPALIVE */

#endif /* _LINUX_KEEPALIVE_BOOT_H */
