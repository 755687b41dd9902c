/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: the interrupt hooks, called from the PCI MSI
 * core (pci_msix_shutdown(), msix_capability_init()), from the Intel
 * interrupt remapping driver (intel_setup_irq_remapping(),
 * intel_irq_remapping_alloc()) and from the AMD IOMMU driver
 * (early_amd_iommu_init(), alloc_irq_table(), irq_remapping_alloc(),
 * disable_iommus()). The drivers' hooks
 * are static inline no-ops without CONFIG_KEEPALIVE_IRQ. See
 * Documentation/keepalive/irq.rst.
 */
#ifndef _LINUX_KEEPALIVE_IRQ_H
#define _LINUX_KEEPALIVE_IRQ_H

#include <linux/types.h>

struct amd_iommu;
struct intel_iommu;
struct irq_alloc_info;
struct irq_remap_table;
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
void keepalive_irq_amd_setup(void);
void keepalive_irq_amd_table(struct amd_iommu *iommu, u16 devid,
			     struct irq_remap_table *table);
int keepalive_irq_amd_irte(struct amd_iommu *iommu,
			   struct irq_alloc_info *info, unsigned int count);
void keepalive_irq_amd_shutdown(struct amd_iommu *iommu);
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

static inline void keepalive_irq_amd_setup(void)
{
}

static inline void keepalive_irq_amd_table(struct amd_iommu *iommu, u16 devid,
					   struct irq_remap_table *table)
{
}

static inline int keepalive_irq_amd_irte(struct amd_iommu *iommu,
					 struct irq_alloc_info *info,
					 unsigned int count)
{
	return -1;
}

static inline void keepalive_irq_amd_shutdown(struct amd_iommu *iommu)
{
}
#endif /* CONFIG_KEEPALIVE_IRQ */

#endif /* _LINUX_KEEPALIVE_IRQ_H */
