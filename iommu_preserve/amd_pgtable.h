/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: AMD-Vi translation structures, as the AMD-Vi
 * backend of iommu_preserve/ builds and reads them (amd_pgtable.c).
 * Hardware formats, not ours: AMD I/O Virtualization Technology (IOMMU)
 * Specification, "Device Table Entry Format" and "I/O Page Tables for
 * Host Translations" (v1). Kept free of the AMD driver's private headers
 * so that KUnit can exercise them on plain memory.
 */
#ifndef _KEEPALIVE_IPR_AMD_PGTABLE_H
#define _KEEPALIVE_IPR_AMD_PGTABLE_H

#include <linux/bits.h>
#include <linux/types.h>

#include "pgtable.h"

/* v1 page-table entries (geometry in pgtable.h). */
#define IPR_AMD_PTE_PR		BIT_ULL(0)
#define IPR_AMD_PTE_NEXT	GENMASK_ULL(11, 9)	/* 0: a page, 7: large */
#define IPR_AMD_PTE_ADDR	GENMASK_ULL(51, 12)
#define IPR_AMD_PTE_FC		BIT_ULL(60)	/* force coherent */
#define IPR_AMD_PTE_IR		BIT_ULL(61)
#define IPR_AMD_PTE_IW		BIT_ULL(62)
#define IPR_AMD_NEXT_LARGE	7

/* Device table entry, quadword 0. */
#define IPR_AMD_DTE_V		BIT_ULL(0)
#define IPR_AMD_DTE_TV		BIT_ULL(1)
#define IPR_AMD_DTE_MODE	GENMASK_ULL(11, 9)
#define IPR_AMD_DTE_PTR		GENMASK_ULL(51, 12)
#define IPR_AMD_DTE_IR		BIT_ULL(61)
#define IPR_AMD_DTE_IW		BIT_ULL(62)
/* Quadword 1. */
#define IPR_AMD_DTE_DID		GENMASK_ULL(15, 0)
/* Quadword 2: interrupt remapping. */
#define IPR_AMD_DTE_IV		BIT_ULL(0)
#define IPR_AMD_DTE_INTTABLEN	GENMASK_ULL(4, 1)
#define IPR_AMD_DTE_IRT_PTR	GENMASK_ULL(51, 6)
#define IPR_AMD_DTE_INTCTL	GENMASK_ULL(61, 60)	/* 0: abort, 2: remap */
#define IPR_AMD_INTCTL_REMAP	2

/* The handover device table: every device id of a segment, 32 bytes each. */
#define IPR_AMD_DTE_BYTES	32
#define IPR_AMD_DT_ENTRIES	BIT(16)
#define IPR_AMD_DT_PAGES	(IPR_AMD_DT_ENTRIES * IPR_AMD_DTE_BYTES / \
				 IPR_PAGE_SIZE)

/* Paging modes (levels) this code builds and reads. */
#define IPR_AMD_MODE_MIN	1
#define IPR_AMD_MODE_MAX	6

/* Large pages it builds: bit 0 2 MiB, bit 1 1 GiB (struct ipr_unit.sllps). */
#define IPR_AMD_LP_2M		BIT(0)
#define IPR_AMD_LP_1G		BIT(1)

/* The v1 page-table format (amd_pgtable.c). */
extern const struct ipr_pt_format ipr_amd_pt;

void ipr_amd_dte_blocked(struct ipr_entry *e);
void ipr_amd_entry_encode(u64 top, u16 did, int mode, struct ipr_entry *e);
int ipr_amd_entry_decode(const struct ipr_entry *e, u64 *top, u16 *did,
			 int *mode);
void ipr_amd_entry_record(const struct ipr_entry *e, void *t);
void ipr_amd_entry_parse(const void *t, struct ipr_entry *e);
unsigned int ipr_amd_root_pages(const unsigned long *sids);
void ipr_amd_root_init(struct ipr_arena *a);
int ipr_amd_root_add(struct ipr_arena *a, u8 bus, u8 devfn,
		     const struct ipr_entry *e);
const char *ipr_amd_root_check(const struct ipr_arena *a, u64 root, u8 bus,
			       u8 devfn, const struct ipr_entry *e);
int ipr_amd_root_read(const struct ipr_arena *a, u64 root, u8 bus, u8 devfn,
		      struct ipr_entry *e);

#endif /* _KEEPALIVE_IPR_AMD_PGTABLE_H */
