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

/**
 * struct ipr_ctx - a context entry, as the unit reads it
 * @lo: present, fault processing disable, translation type, top table
 * @hi: address width, domain id
 */
struct ipr_ctx {
	u64 lo;
	u64 hi;
};

static inline struct ipr_entry ipr_vtd_entry(struct ipr_ctx ce)
{
	return (struct ipr_entry) { .w = { ce.lo, ce.hi } };
}

static inline struct ipr_ctx ipr_vtd_ctx(const struct ipr_entry *e)
{
	return (struct ipr_ctx) { .lo = e->w[0], .hi = e->w[1] };
}

/* The second-level table format (vtd_pgtable.c). */
extern const struct ipr_pt_format ipr_vtd_pt;

u64 ipr_vtd_root_encode(u64 context_table);
struct ipr_ctx ipr_vtd_ctx_encode(u64 top, u16 did, int agaw);
int ipr_vtd_ctx_decode(const struct ipr_ctx *ce, u64 *top, u16 *did,
		       int *agaw);

/* The entry and handover-root ops of the VT-d backend (vtd_pgtable.c). */
void ipr_vtd_entry_encode(u64 top, u16 did, int agaw, struct ipr_entry *e);
int ipr_vtd_entry_decode(const struct ipr_entry *e, u64 *top, u16 *did,
			 int *agaw);
void ipr_vtd_entry_record(const struct ipr_entry *e, void *rec);
void ipr_vtd_entry_parse(const void *rec, struct ipr_entry *e);
unsigned int ipr_vtd_root_pages(const unsigned long *sids);
int ipr_vtd_root_add(struct ipr_arena *a, u8 bus, u8 devfn,
		     const struct ipr_entry *e);
const char *ipr_vtd_root_check(const struct ipr_arena *a, u64 root, u8 bus,
			       u8 devfn, const struct ipr_entry *e);

#endif /* _KEEPALIVE_IPR_VTD_PGTABLE_H */
