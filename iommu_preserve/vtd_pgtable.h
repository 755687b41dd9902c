/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: VT-d legacy-mode translation structures, as the
 * VT-d backend of iommu_preserve/ builds and reads them (vtd_pgtable.c).
 * Hardware formats, not ours: Intel VT-d specification, "Root Entry",
 * "Context Entry" and "Second-Level Paging Entries". Kept free of the
 * Intel driver's private header so that KUnit can exercise them on plain
 * memory.
 */
#ifndef _KEEPALIVE_IPR_VTD_PGTABLE_H
#define _KEEPALIVE_IPR_VTD_PGTABLE_H

#include <linux/bits.h>
#include <linux/types.h>

#include "pgtable.h"

/* Second-level paging entries (geometry in pgtable.h). */
#define IPR_VTD_PTE_READ	BIT_ULL(0)
#define IPR_VTD_PTE_WRITE	BIT_ULL(1)
#define IPR_VTD_PTE_LARGE	BIT_ULL(7)	/* a leaf above level 1 */
#define IPR_VTD_PTE_ADDR	GENMASK_ULL(51, 12)

/* Root entry, low word (the high word is reserved in legacy mode). */
#define IPR_VTD_ROOT_PRESENT	BIT_ULL(0)
#define IPR_VTD_ROOT_CTP	GENMASK_ULL(63, 12)

/* Context entry: low and high words. */
#define IPR_VTD_CTX_PRESENT	BIT_ULL(0)
#define IPR_VTD_CTX_FPD		BIT_ULL(1)	/* fault processing disable */
#define IPR_VTD_CTX_TT		GENMASK_ULL(3, 2)	/* 0: multi-level */
#define IPR_VTD_CTX_SLPTPTR	GENMASK_ULL(63, 12)
#define IPR_VTD_CTX_LO_RSVD	GENMASK_ULL(11, 4)
#define IPR_VTD_CTX_AW		GENMASK_ULL(2, 0)
#define IPR_VTD_CTX_DID		GENMASK_ULL(23, 8)
#define IPR_VTD_CTX_HI_RSVD	(GENMASK_ULL(63, 24) | GENMASK_ULL(7, 7))

/* The address widths this code builds and reads: 3-, 4- and 5-level. */
#define IPR_VTD_AGAW_MIN	1
#define IPR_VTD_AGAW_MAX	3

/* Superpage support (CAP.SLLPS): bit 0 2 MiB, bit 1 1 GiB. */
#define IPR_VTD_SLLPS_2M	BIT(0)
#define IPR_VTD_SLLPS_1G	BIT(1)

/* The second-level table format (vtd_pgtable.c). */
extern const struct ipr_pt_format ipr_vtd_pt;

u64 ipr_vtd_root_encode(u64 context_table);
struct ipr_ctx ipr_vtd_ctx_encode(u64 top, u16 did, int agaw);
int ipr_vtd_ctx_decode(const struct ipr_ctx *ce, u64 *top, u16 *did,
		       int *agaw);

#endif /* _KEEPALIVE_IPR_VTD_PGTABLE_H */
