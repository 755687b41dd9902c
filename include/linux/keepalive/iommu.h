/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the DMA remapping hooks, called from the Intel
 * VT-d driver (intel_iommu_shutdown(), init_dmars() and the context entry
 * writers) and the AMD-Vi driver (its kexec shutdown, init_iommu_one_late(),
 * early_enable_iommus() and the device table entry writers).
 * The driver's hooks are static inline no-ops without
 * CONFIG_KEEPALIVE_IOMMU. See Documentation/keepalive/iommu.rst.
 */
#ifndef _LINUX_KEEPALIVE_IOMMU_H
#define _LINUX_KEEPALIVE_IOMMU_H

#include <linux/types.h>

struct amd_iommu;
struct intel_iommu;
struct pci_dev;

#if IS_ENABLED(CONFIG_KEEPALIVE_IOMMU)
bool keepalive_iommu_held(struct intel_iommu *iommu, u8 bus, u8 devfn);
bool keepalive_iommu_shutdown(struct intel_iommu *iommu);
bool keepalive_iommu_handed_over(struct intel_iommu *iommu);
void keepalive_iommu_adopt(struct intel_iommu *iommu);
bool keepalive_iommu_amd_held(struct amd_iommu *iommu, u16 devid);
bool keepalive_iommu_amd_shutdown(struct amd_iommu *iommu);
bool keepalive_iommu_amd_handed_over(struct amd_iommu *iommu);
void keepalive_iommu_amd_adopt(struct amd_iommu *iommu);
#else
static inline bool keepalive_iommu_held(struct intel_iommu *iommu, u8 bus,
					u8 devfn)
{
	return false;
}

static inline bool keepalive_iommu_shutdown(struct intel_iommu *iommu)
{
	return false;
}

static inline bool keepalive_iommu_handed_over(struct intel_iommu *iommu)
{
	return false;
}

static inline void keepalive_iommu_adopt(struct intel_iommu *iommu)
{
}

static inline bool keepalive_iommu_amd_held(struct amd_iommu *iommu,
					    u16 devid)
{
	return false;
}

static inline bool keepalive_iommu_amd_shutdown(struct amd_iommu *iommu)
{
	return false;
}

static inline bool keepalive_iommu_amd_handed_over(struct amd_iommu *iommu)
{
	return false;
}

static inline void keepalive_iommu_amd_adopt(struct amd_iommu *iommu)
{
}
#endif /* CONFIG_KEEPALIVE_IOMMU */

#endif /* _LINUX_KEEPALIVE_IOMMU_H */
