// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the hooks the AMD-Vi driver calls
 * (include/linux/keepalive/iommu.h), each a thin call into the
 * driver-neutral part, which asks the AMD-Vi backend (amd.c) for whatever
 * touches the driver's structures. The unit is passed on as the backend's
 * opaque unit. Built with CONFIG_AMD_IOMMU only.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/keepalive/iommu.h>

#include "ipr.h"

/*
 * The driver's init runs from interrupt remapping setup (enable_IR_x2apic()),
 * before any initcall: the first of its hooks makes AMD-Vi the backend in
 * use.
 */
static void *amd_unit(struct amd_iommu *iommu)
{
	if (ipr_be != &ipr_amd_backend)
		ipr_backend_use(&ipr_amd_backend);
	return iommu;
}

/**
 * keepalive_iommu_amd_held() - does keepalive own this device table entry?
 * @iommu: the unit
 * @devid: the device's id on the unit's segment (bus << 8 | devfn)
 *
 * The AMD driver asks before it writes or clears the translation of a
 * device table entry (set_dte_entry(), clear_dte_entry()): a held entry
 * translates a kept device through its handover tables and must not
 * change until keepalive releases it.
 *
 * Context: Any context; the caller holds the device's iommu_dev_data.lock
 * or its domain's lock.
 * Return: true when the entry is held.
 */
bool keepalive_iommu_amd_held(struct amd_iommu *iommu, u16 devid)
{
	return ipr_be == &ipr_amd_backend &&
	       ipr_held(iommu, devid >> 8, devid & 0xff);
}

/**
 * keepalive_iommu_amd_shutdown() - keep a unit translating across the kexec
 * @iommu: a unit being shut down for a kexec
 *
 * When the kexec carries a handover and @iommu translates kept devices,
 * point its Device Table Base register at the handover device table,
 * invalidate every cache and stop its logs and command buffer, with
 * translation left on.
 *
 * Context: amd_iommu_shutdown() (x86_platform.iommu_shutdown): interrupts
 * off, the state machine in STOP.
 * Return: true when the unit stays on (the caller must not disable it);
 * false otherwise.
 */
bool keepalive_iommu_amd_shutdown(struct amd_iommu *iommu)
{
	return ipr_unit_shutdown(amd_unit(iommu));
}

/**
 * keepalive_iommu_amd_handed_over() - did the previous kernel leave it on?
 * @iommu: a unit found translating at boot
 *
 * Context: init_iommu_one_late(), boot, before any initcall (or, with
 * interrupt remapping off, after RESUME).
 * Return: true when the incoming image records a handover device table
 * for @iommu: the unit must keep translating, and
 * keepalive_iommu_amd_adopt() decides which entries survive.
 */
bool keepalive_iommu_amd_handed_over(struct amd_iommu *iommu)
{
	void *hw = amd_unit(iommu);

	if (READ_ONCE(ipr_incoming))
		return true;
	return ipr_early_handed_over(hw);
}

/**
 * keepalive_iommu_amd_adopt() - copy the kept devices' entries to a new table
 * @iommu: a unit that keepalive_iommu_amd_handed_over(), its new device
 *	table allocated and not yet installed
 *
 * Each kept device whose record passes the checks is given its handover
 * entry, all four quadwords, in the new table, held, its domain id
 * reserved; each recorded device that does not is blocked there.
 *
 * Context: early_enable_iommus(), boot, before the new table is
 * installed and its caches flushed.
 */
void keepalive_iommu_amd_adopt(struct amd_iommu *iommu)
{
	void *hw = amd_unit(iommu);

	if (READ_ONCE(ipr_incoming))
		ipr_adopt(hw);
	else
		ipr_early_adopt(hw);
}
