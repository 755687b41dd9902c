// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the interrupt hooks the kernel calls, from the
 * PCI MSI core (keepalive_pci_msix_*()) and from the VT-d interrupt
 * remapping driver (keepalive_irq_*()), each a call into irq_preserve/.
 * See include/linux/keepalive/irq.h and Documentation/keepalive/irq.rst.
 */
#include <linux/keepalive/irq.h>

#include "irqp.h"

/**
 * keepalive_pci_msix_held() - must MSI-X stay enabled on this device?
 * @pdev: a device whose MSI-X is being shut down, or being enumerated
 *
 * For pci_msix_shutdown() (a kept device's close) and pci_msix_init()
 * (enumeration in the next kernel): true while its interrupts are held,
 * i.e. MSI-X enabled and function-masked by keepalive.
 *
 * Context: Process context; takes irqp_lock.
 * Return: true when the caller must neither disable MSI-X nor enable INTx.
 */
bool keepalive_pci_msix_held(struct pci_dev *pdev)
{
	return irqp_msix_held(pdev);
}

/**
 * keepalive_pci_msix_rearm() - MSI-X is being enabled on this device
 * @pdev: the device, in msix_capability_init()
 *
 * A held device's hold ends here: its vectors are written and unmasked
 * next, and each pending interrupt is sent when its vector is unmasked.
 *
 * Context: Process context; takes irqp_lock.
 */
void keepalive_pci_msix_rearm(struct pci_dev *pdev)
{
	irqp_msix_rearm(pdev);
}

/**
 * keepalive_irq_reserve() - reserve the kept devices' remapping entries
 * @iommu: a unit whose remapping table was just allocated, before any
 *	interrupt is allocated from it
 *
 * For intel_setup_irq_remapping(). Nothing else touches the unit's table
 * bitmap yet.
 *
 * Context: Process context, early boot (enable_IR_x2apic()).
 */
void keepalive_irq_reserve(struct intel_iommu *iommu)
{
	irqp_vtd_reserve(iommu);
}

/**
 * keepalive_irq_handed_over() - is this unit on a handover table?
 * @iommu: a unit whose interrupt remapping the previous kernel left on
 *
 * For intel_setup_irq_remapping(): true when the incoming image records a
 * handover table for @iommu and its IRTA names exactly that table. The
 * caller then leaves interrupt remapping on while it installs its own
 * table, so that the unit never remaps through no table at all.
 *
 * Context: Process context, early boot (enable_IR_x2apic()); takes
 * irqp_lock.
 * Return: true when interrupt remapping must stay on.
 */
bool keepalive_irq_handed_over(struct intel_iommu *iommu)
{
	return irqp_vtd_handed_over(iommu);
}

/**
 * keepalive_irq_shutdown() - point a unit at its handover table for the kexec
 * @iommu: a unit being shut down for a kexec
 *
 * When the kexec carries a handover and @iommu remaps a held device's
 * interrupts, its IRTA is pointed at the unit's handover table (SIRTP),
 * with interrupt remapping left on, and its interrupt entry cache is
 * invalidated.
 *
 * Context: intel_iommu_shutdown(): interrupts off, dmar_global_lock held,
 * the state machine in STOP (irqp_units does not change any more, so it
 * is read without irqp_lock, which may not be taken here).
 */
void keepalive_irq_shutdown(struct intel_iommu *iommu)
{
	irqp_vtd_shutdown(iommu);
}

/**
 * keepalive_irq_irte() - a reserved entry for the vector being allocated?
 * @iommu: the unit allocating a remapping entry
 * @info: what for
 * @count: how many entries (1 for an MSI-X vector)
 *
 * For intel_irq_remapping_alloc(): an adopted device's MSI-X vector gets
 * back the entry its message named in the previous kernel.
 *
 * Context: Process context (interrupt allocation; the vector's msi_desc
 * lock and dmar_global_lock held); takes irqp_lock.
 * Return: the entry's index, or -1: allocate a free one.
 */
int keepalive_irq_irte(struct intel_iommu *iommu, struct irq_alloc_info *info,
		       unsigned int count)
{
	return irqp_vtd_irte(iommu, info, count);
}
