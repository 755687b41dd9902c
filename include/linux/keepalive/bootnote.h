/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: this kernel's boot note (struct
 * keepalive_boot_note, abi/core.h), as arch/x86/boot/keepalive-note.c
 * puts it in the real-mode setup code. Besides the handover
 * versions it lists the compatible of every participant built into this
 * kernel: the kernel that loads it refuses it over a handover that
 * carries the node of a participant it lacks (kho/bootnote.c).
 *
 * Only this header and keepalive-note.c look at the configuration; a
 * participant added to Kbuild gets a line here.
 */
#ifndef _LINUX_KEEPALIVE_BOOTNOTE_H
#define _LINUX_KEEPALIVE_BOOTNOTE_H

#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/keepalive/abi/vfio.h>

/* A slot of the note holds a compatible, its NUL only when there is room. */
#define KEEPALIVE_NOTE_FITS(c)	(sizeof(c) - 1 <= KEEPALIVE_BOOT_NOTE_COMPAT_LEN)
static_assert(KEEPALIVE_NOTE_FITS(KEEPALIVE_FDT_COMPATIBLE));
static_assert(KEEPALIVE_NOTE_FITS(KEEPALIVE_MEMFD_COMPATIBLE));
static_assert(KEEPALIVE_NOTE_FITS(KEEPALIVE_VFIO_COMPATIBLE));
static_assert(KEEPALIVE_NOTE_FITS(KEEPALIVE_IOMMU_COMPATIBLE));
static_assert(KEEPALIVE_NOTE_FITS(KEEPALIVE_IRQ_COMPATIBLE));
static_assert(KEEPALIVE_NOTE_FITS(KEEPALIVE_IRQ_AMD_COMPATIBLE));
static_assert(KEEPALIVE_NOTE_FITS(KEEPALIVE_IOMMU_AMDVI_COMPATIBLE));

/* The preserved memory files are part of the core: always listed. */
#if IS_ENABLED(CONFIG_KEEPALIVE_VFIO)
#define KEEPALIVE_NOTE_VFIO	KEEPALIVE_VFIO_COMPATIBLE
#else
#define KEEPALIVE_NOTE_VFIO	""
#endif

#if IS_ENABLED(CONFIG_KEEPALIVE_IOMMU)
#define KEEPALIVE_NOTE_IOMMU	KEEPALIVE_IOMMU_COMPATIBLE
#else
#define KEEPALIVE_NOTE_IOMMU	""
#endif

/* The IOMMU participant writes the node of the driver that runs. */
#if IS_ENABLED(CONFIG_KEEPALIVE_IOMMU) && IS_ENABLED(CONFIG_AMD_IOMMU)
#define KEEPALIVE_NOTE_IOMMU_AMDVI	KEEPALIVE_IOMMU_AMDVI_COMPATIBLE
#else
#define KEEPALIVE_NOTE_IOMMU_AMDVI	""
#endif

#if IS_ENABLED(CONFIG_KEEPALIVE_IRQ)
#define KEEPALIVE_NOTE_IRQ	KEEPALIVE_IRQ_COMPATIBLE
#else
#define KEEPALIVE_NOTE_IRQ	""
#endif

#if IS_ENABLED(CONFIG_KEEPALIVE_IRQ) && IS_ENABLED(CONFIG_AMD_IOMMU)
#define KEEPALIVE_NOTE_IRQ_AMD	KEEPALIVE_IRQ_AMD_COMPATIBLE
#else
#define KEEPALIVE_NOTE_IRQ_AMD	""
#endif

/*
 * The note's initializer. x86 is little endian: the __le32 fields are
 * stored as they are. Empty strings leave their slot all NUL.
 */
#define KEEPALIVE_BOOT_NOTE_INIT {					\
	.magic			= KEEPALIVE_BOOT_NOTE_MAGIC,		\
	.abi_major		= (__force __le32)KEEPALIVE_ABI_MAJOR,	\
	.setup_data_version	=					\
		(__force __le32)KEEPALIVE_SETUP_DATA_VERSION,		\
	.fdt_compatible		= KEEPALIVE_FDT_COMPATIBLE,		\
	.participants		= {					\
		KEEPALIVE_MEMFD_COMPATIBLE,				\
		KEEPALIVE_NOTE_VFIO,					\
		KEEPALIVE_NOTE_IOMMU,					\
		KEEPALIVE_NOTE_IRQ,					\
		KEEPALIVE_NOTE_IRQ_AMD,					\
		KEEPALIVE_NOTE_IOMMU_AMDVI,				\
	},								\
}

#endif /* _LINUX_KEEPALIVE_BOOTNOTE_H */
