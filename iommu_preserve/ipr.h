/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: private header of iommu_preserve/.
 *
 * A kept device's handover translation (struct ipr_dev) is a tree of
 * second-level page tables in the pool that maps exactly its VMM's IOVAs
 * onto preserved memory, and a domain id of its own on its unit. The
 * device is "held" while the context entry the unit reads for it points at
 * that tree: the Intel driver then neither writes nor clears the entry
 * (patch 0010 asks keepalive_iommu_held()), whatever domain it attaches.
 *
 * Lock order (outermost first):
 *   keepalive_sm.lock -> vka_lock -> ipr_lock -> intel_iommu.lock
 *   vfio_device_set.lock (vfio-pci's close) -> vka_lock -> ipr_lock
 * The held bitmaps are read under intel_iommu.lock (the driver's context
 * writes) and written under ipr_lock and intel_iommu.lock.
 */
#ifndef _KEEPALIVE_IPR_H
#define _KEEPALIVE_IPR_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "pgtable.h"

struct intel_iommu;
struct pci_dev;

/**
 * struct ipr_unit - a remapping unit that translates kept devices
 * @list: in ipr_units
 * @iommu: the unit
 * @index: its unit@ index in the image being written or read
 * @tables: pool pages of the handover root and context tables: built at
 *	STOP (first kernel), claimed at RESUME (next kernel)
 * @root: physical address of the handover root table
 * @reg_base: register base (next kernel: as recorded)
 * @cap: capability register (next kernel: as recorded)
 * @ecap: extended capability register (next kernel: as recorded)
 */
struct ipr_unit {
	struct list_head list;
	struct intel_iommu *iommu;
	int index;
	struct ipr_arena tables;
	u64 root;
	u64 reg_base, cap, ecap;
};

/**
 * struct ipr_dev - a kept device's handover translation
 * @list: in ipr_devs
 * @pdev: the device, referenced (first kernel; NULL in the next until it
 *	is enumerated)
 * @unit: its unit
 * @segment: its PCI segment
 * @bus: its bus number
 * @devfn: its device and function
 * @ranges: what its tables map, sorted by IOVA
 * @files: the preserved file behind each of @ranges, held
 *	(keepalive_memfd_hold()) while the device is on ipr_devs, so that
 *	none is destroyed or reused while its tables map it
 * @tables: pool pages of its second-level tables
 * @top: its top table
 * @agaw: address width of its tables
 * @did: the domain id of its handover context entry
 * @did_reserved: @did is reserved on the unit until ipr_free()
 * @prev: first kernel: the entry the switch replaced, for the record
 * @held: the unit translates the device through @tables
 * @by_close: first kernel: held since its VMM closed it, not by STOP
 * @covered: next kernel, POST-RESUME: ipr_covered()'s answer
 * @incoming: next kernel: handed over by the previous kernel and valid
 * @claimed: next kernel: open by its VMM with its token; only then may
 *	POST-RESUME switch it to the domain it is attached to
 */
struct ipr_dev {
	struct list_head list;
	struct pci_dev *pdev;
	struct ipr_unit *unit;
	u32 segment;
	u8 bus, devfn;
	struct ipr_ranges ranges;
	struct keepalive_memfd **files;
	struct ipr_arena tables;
	u64 top;
	int agaw;
	u16 did;
	bool did_reserved;
	struct ipr_ctx prev;
	bool held;
	bool by_close;
	int covered;
	bool incoming;
	bool claimed;
};

/**
 * struct ipr_dev_record - a device's record as read, before any check
 * @segment: its PCI segment, from its node's name
 * @bus: its bus number, from its node's name
 * @devfn: its device and function, from its node's name
 * @unit: the index of its unit@ node
 * @did: its recorded domain id
 * @ce: its recorded context entry
 */
struct ipr_dev_record {
	u32 segment, bus, devfn;
	int unit;
	u16 did;
	struct ipr_ctx ce;
};

extern struct mutex ipr_lock;
extern struct list_head ipr_units;
extern struct list_head ipr_devs;

/* hold.c: capture, switch and release, in either kernel */
struct ipr_dev *ipr_find(u32 segment, u8 bus, u8 devfn);
struct ipr_dev *ipr_find_pdev(struct pci_dev *pdev);
int ipr_capture(struct pci_dev *pdev, struct ipr_dev **out);
int ipr_verify(struct ipr_dev *d);
int ipr_switch(struct ipr_dev *d);
void ipr_release(struct ipr_dev *d);
void ipr_free(struct ipr_dev *d);
void ipr_retire(struct ipr_dev *d);
void ipr_retired_free(void);
int ipr_files_hold(struct ipr_dev *d, struct pci_dev *pdev);
void ipr_files_unhold(struct ipr_dev *d);
int ipr_held_map_prepare(struct intel_iommu *iommu);
int ipr_held_mark(struct intel_iommu *iommu, u8 bus, u8 devfn, bool held);
int ipr_covered(struct ipr_dev *d);

/* Per-device operations (ipr_device_ops), by the device's pci_dev. */
int ipr_check_device(struct pci_dev *pdev);
int ipr_hold_device(struct pci_dev *pdev);
void ipr_release_device(struct pci_dev *pdev);
void ipr_reopen_device(struct pci_dev *pdev);
void ipr_claim_device(struct pci_dev *pdev, bool claimed);
bool ipr_confined(struct pci_dev *pdev);

/* unit.c: the handover root of a unit */
int ipr_units_build(void);
void ipr_units_free(void);
void ipr_unit_put_unused(void);

/**
 * typedef ipr_backs_fn - is this memory inside one preserved memory file?
 * @phys: physical address
 * @len: bytes
 *
 * Return: true when it is (keepalive_memfd_backs()).
 */
typedef bool (*ipr_backs_fn)(phys_addr_t phys, u64 len);

/* record.c: the image */
const char *ipr_dev_check(struct ipr_dev *d, const struct ipr_ctx *ce,
			  u32 did, ipr_backs_fn backs);
int ipr_record_write_dev(void *fdt, int parent, const struct ipr_dev *d);
int ipr_record_write(void *fdt, int node);
int ipr_record_parse_dev(const void *fdt, int node, struct ipr_dev_record *r);
int ipr_record_read(const void *fdt, int node);

/* participant.c */
extern bool ipr_incoming;

/* fault.c: test hooks */
#if IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION)
void ipr_fault_init(void);
#else
static inline void ipr_fault_init(void)
{
}
#endif

#endif /* _KEEPALIVE_IPR_H */
