/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: private header of irq_preserve/.
 *
 * A kept device's interrupts are *held* while its MSI-X capability is
 * enabled with the function mask set by us: the device sends no message
 * and latches each interrupt in its Pending Bit Array; the first unmask of
 * a vector after its VMM arms it again sends the pending message. A hold
 * begins at the VMM's close of a kept device (irqp_hold_device()) or at
 * STOP for one still open, lasts through the kexec and the next kernel's
 * enumeration (patch 0011 leaves MSI-X enabled), and ends when the VMM
 * arms MSI-X again (msix_capability_init(), keepalive_pci_msix_rearm()).
 *
 * The next kernel reserves the remapping entries the device's messages
 * name before any interrupt is allocated (keepalive_irq_reserve(), from
 * interrupt remapping setup) and gives each back to the same vector when
 * the VMM arms it (keepalive_irq_irte(), patch 0012).
 *
 * Lock order (outermost first):
 *   keepalive_sm.lock -> vka_lock -> irqp_lock
 *   vfio_device_set.lock (vfio-pci's close) -> vka_lock -> irqp_lock
 *   msi_desc lock (pci_disable_msix(), msix_capability_init()) -> irqp_lock
 *   irqp_lock -> irq_2_ir_lock (intel_ir_unreserve())
 *   irq_domain_mutex -> dmar_global_lock -> irqp_lock (keepalive_irq_irte())
 *   dmar_global_lock -> irqp_lock (keepalive_irq_reserve(),
 *	keepalive_irq_handed_over())
 *   keepalive_irq_shutdown() takes no lock: irqp_units is fixed from STOP on
 */
#ifndef _KEEPALIVE_IRQP_H
#define _KEEPALIVE_IRQP_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "irte.h"

struct intel_iommu;
struct pci_dev;

/**
 * struct irqp_vec - an armed vector at the hold
 * @vector: its MSI-X table index
 * @irte: the remapping entry its message names
 * @addr_lo: its message address, low half
 * @addr_hi: its message address, high half
 * @data: its message data
 * @e: the entry, as the hold found it
 * @reserved: next kernel: the entry is marked in use on its unit, for
 *	the vector only
 * @claimed: next kernel: the entry was given back to the vector
 */
struct irqp_vec {
	u32 vector, irte;
	u32 addr_lo, addr_hi, data;
	struct irqp_irte e;
	bool reserved, claimed;
};

/**
 * struct irqp_dev - a kept device's held interrupts
 * @list: in irqp_devs
 * @pdev: the device, referenced (first kernel; NULL in the next until it
 *	is enumerated)
 * @segment: its PCI segment
 * @bus: its bus number
 * @devfn: its device and function
 * @cap: config offset of its MSI-X capability
 * @control: Message Control as the hold left it
 * @was: first kernel: Message Control before the hold, for ABORT
 * @nr: table size
 * @flags: KEEPALIVE_IRQ_F_*
 * @table: Table Offset/BIR
 * @pba: PBA Offset/BIR
 * @ir_reg_base: register base of the remapping unit of its vectors
 * @armed: vectors unmasked at the hold (@nr bits)
 * @pending: its Pending Bit Array at STOP (@nr bits)
 * @vecs: one per armed vector, by vector number
 * @nr_vecs: entries of @vecs
 * @held: the function mask is ours: set by the hold, not released yet
 * @by_close: first kernel: held since its VMM closed it, not by STOP
 * @incoming: next kernel: handed over by the previous kernel
 * @valid: next kernel: its record passed every check
 * @why: next kernel: why it is not valid, for the adoption's log
 * @reserved: next kernel: how many of its vectors' entries are reserved
 */
struct irqp_dev {
	struct list_head list;
	struct pci_dev *pdev;
	u32 segment;
	u8 bus, devfn;
	u16 cap, control, was, nr, flags;
	u32 table, pba;
	u64 ir_reg_base;
	unsigned long *armed, *pending;
	struct irqp_vec *vecs;
	unsigned int nr_vecs;
	bool held, by_close, incoming, valid;
	const char *why;
	unsigned int reserved;
};

/**
 * struct irqp_unit - a remapping unit's handover table
 * @list: in irqp_units
 * @iommu: the unit (first kernel)
 * @reg_base: its register base
 * @va: first kernel: the table, in the pool
 * @phys: the table's physical address
 * @bytes: its pool range, whole pages
 * @entries: the size IRTA gives it
 * @irta: the unit's IRTA value with the table live
 * @incoming: next kernel: recorded by the previous kernel (the pool range
 *	stays the core's until CONCLUDE)
 */
struct irqp_unit {
	struct list_head list;
	struct intel_iommu *iommu;
	u64 reg_base;
	void *va;
	phys_addr_t phys;
	size_t bytes;
	unsigned int entries;
	u64 irta;
	bool incoming;
};

extern struct mutex irqp_lock;
extern struct list_head irqp_devs;
extern struct list_head irqp_units;

/* msix.c: the device's side, in either kernel */
struct irqp_dev *irqp_find(u32 segment, u8 bus, u8 devfn);
struct irqp_dev *irqp_find_pdev(struct pci_dev *pdev);
int irqp_capture(struct pci_dev *pdev, struct irqp_dev **out);
void irqp_hold(struct irqp_dev *d);
void irqp_release(struct irqp_dev *d, bool restore);
int irqp_read_pba(struct irqp_dev *d, unsigned long *pba);
void irqp_free(struct irqp_dev *d);
const char *irqp_matches(struct irqp_dev *d, struct pci_dev *pdev);

/* Per-device operations (irqp_device_ops), by the device's pci_dev. */
int irqp_check_device(struct pci_dev *pdev);
int irqp_hold_device(struct pci_dev *pdev);
void irqp_release_device(struct pci_dev *pdev);
void irqp_reopen_device(struct pci_dev *pdev);
const char *irqp_mismatch(struct pci_dev *pdev);

/* record.c: the image */
int irqp_record_write(void *fdt, int node);
int irqp_record_read(const void *fdt, int node);
const char *irqp_vec_check(const struct irqp_dev *d, const struct irqp_vec *v);
int irqp_vec_record(const struct irqp_vec *v, void *out);
int irqp_posted_record(const struct irqp_vec *v, u64 desc,
		       const struct irqp_pi_desc *pi, void *out);
const char *irqp_posted_check(const struct irqp_dev *d, const void *posted,
			      const void *desc);

/* reserve.c: the next kernel's remapping entries */
void irqp_read_once(void);
void irqp_unreserve(struct irqp_dev *d);
void irqp_reserve_late(void);

/* table.c: each unit's handover remapping table */
unsigned int irqp_table_entries(u32 max);
u64 irqp_irta(phys_addr_t phys, unsigned int entries, bool x2apic);
unsigned int irqp_irta_entries(u64 irta);
int irqp_table_fill(struct irqp_irte *base, unsigned int entries,
		    const struct list_head *devs, u64 reg_base);
int irqp_units_build(void);
void irqp_units_free(void);
void irqp_units_forget_incoming(void);
int irqp_units_write(void *fdt, int node);
int irqp_unit_read(const void *fdt, int node);

#endif /* _KEEPALIVE_IRQP_H */
