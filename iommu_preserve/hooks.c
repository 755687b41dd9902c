// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the hooks the Intel VT-d driver calls
 * (include/linux/keepalive/iommu.h), each a thin call into the
 * driver-neutral part, which asks the backend (vtd.c) for whatever
 * touches the driver's structures; the AMD-Vi driver's are in
 * hooks_amd.c. The unit is passed on as the
 * backend's opaque unit.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/keepalive/iommu.h>

#include "ipr.h"

/**
 * keepalive_iommu_held() - does keepalive own this context entry?
 * @iommu: the unit
 * @bus: bus number
 * @devfn: device and function
 *
 * The Intel driver asks before it writes or clears a context entry: a held
 * entry translates a kept device through its handover tables and must not
 * change until keepalive releases it.
 *
 * Context: Any context; the caller holds @iommu->lock.
 * Return: true when the entry is held.
 */
bool keepalive_iommu_held(struct intel_iommu *iommu, u8 bus, u8 devfn)
{
	return ipr_held(iommu, bus, devfn);
}

/**
 * keepalive_iommu_shutdown() - keep a unit translating across the kexec
 * @iommu: a unit being shut down for a kexec
 *
 * When the kexec carries a handover and @iommu translates kept devices,
 * point its root table address register at the handover root and
 * invalidate every cache, with translation left on.
 *
 * Context: intel_iommu_shutdown(): interrupts off, dmar_global_lock held,
 * the state machine in STOP (the units do not change any more).
 * Return: true when the unit stays on (the caller must not turn
 * translation off); false otherwise.
 */
bool keepalive_iommu_shutdown(struct intel_iommu *iommu)
{
	return ipr_unit_shutdown(iommu);
}

/**
 * keepalive_iommu_handed_over() - did the previous kernel leave this unit on?
 * @iommu: a unit found translating at boot
 *
 * Context: init_dmars(), boot.
 * Return: true when this kernel received a handover with an IOMMU node:
 * the unit must keep translating (never turned off under a kept device)
 * and keepalive_iommu_adopt() decides which entries survive.
 */
bool keepalive_iommu_handed_over(struct intel_iommu *iommu)
{
	return READ_ONCE(ipr_incoming);
}

/**
 * keepalive_iommu_adopt() - copy the valid kept devices' entries to a new root
 * @iommu: a unit that keepalive_iommu_handed_over(), with its new (empty)
 *	root table allocated and not yet installed
 *
 * Context: init_dmars(), boot; dmar_global_lock held.
 */
void keepalive_iommu_adopt(struct intel_iommu *iommu)
{
	ipr_adopt(iommu);
}
