/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the interrupt hooks, called from the PCI MSI
 * core (pci_msix_shutdown(), msix_capability_init()) and from the Intel
 * interrupt remapping driver (intel_setup_irq_remapping(),
 * intel_irq_remapping_alloc()). The drivers' hooks
 * are static inline no-ops without CONFIG_KEEPALIVE_IRQ. See
 * Documentation/keepalive/irq.rst.
 */
#ifndef _LINUX_KEEPALIVE_IRQ_H
#define _LINUX_KEEPALIVE_IRQ_H

#include <linux/types.h>

struct intel_iommu;
struct irq_alloc_info;
struct pci_dev;

/* Provided by the VT-d interrupt remapping driver (irq_remapping.c). */
void intel_ir_keepalive_release(struct intel_iommu *iommu, unsigned int index);

#if IS_ENABLED(CONFIG_KEEPALIVE_IRQ)
bool keepalive_pci_msix_held(struct pci_dev *pdev);
void keepalive_pci_msix_rearm(struct pci_dev *pdev);
void keepalive_irq_reserve(struct intel_iommu *iommu);
bool keepalive_irq_handed_over(struct intel_iommu *iommu);
void keepalive_irq_shutdown(struct intel_iommu *iommu);
int keepalive_irq_irte(struct intel_iommu *iommu, struct irq_alloc_info *info,
		       unsigned int count);
#else
static inline bool keepalive_pci_msix_held(struct pci_dev *pdev)
{
	return false;
}

static inline void keepalive_pci_msix_rearm(struct pci_dev *pdev)
{
}

static inline void keepalive_irq_reserve(struct intel_iommu *iommu)
{
}

static inline bool keepalive_irq_handed_over(struct intel_iommu *iommu)
{
	return false;
}

static inline void keepalive_irq_shutdown(struct intel_iommu *iommu)
{
}

static inline int keepalive_irq_irte(struct intel_iommu *iommu,
				     struct irq_alloc_info *info,
				     unsigned int count)
{
	return -1;
}
#endif /* CONFIG_KEEPALIVE_IRQ */

#endif /* _LINUX_KEEPALIVE_IRQ_H */
