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
 * enumeration (keepalive_pci_msix_held() leaves MSI-X enabled), and ends when the VMM
 * arms MSI-X again (msix_capability_init(), keepalive_pci_msix_rearm()).
 *
 * The next kernel reserves the remapping entries the device's messages
 * name before any interrupt is allocated (keepalive_irq_reserve(), from
 * interrupt remapping setup) and gives each back to the same vector when
 * the VMM arms it (keepalive_irq_irte()).
 *
 * Lock order (outermost first):
 *   keepalive_sm.lock -> vka_lock -> irqp_lock
 *   vfio_device_set.lock (vfio-pci's close) -> vka_lock -> irqp_lock
 *   msi_desc lock (pci_disable_msix(), msix_capability_init()) -> irqp_lock
 *   irqp_lock -> irq_2_ir_lock (intel_ir_unreserve())
 *   irq_domain_mutex -> dmar_global_lock -> irqp_lock (keepalive_irq_irte())
 *   dmar_global_lock -> irqp_lock (keepalive_irq_reserve(),
 *	keepalive_irq_handed_over())
 *   irq_domain_mutex -> irqp_lock (keepalive_irq_amd_irte(),
 *	keepalive_irq_amd_table(): alloc_irq_table() calls it outside
 *	iommu_table_lock)
 *   irqp_lock -> irq_remap_table.lock (the AMD-Vi backend's reserve and
 *	release, a raw spinlock)
 *   keepalive_irq_shutdown() and keepalive_irq_amd_shutdown() take no
 *	lock: irqp_units is fixed from STOP on
 */
#ifndef _KEEPALIVE_IRQP_H
#define _KEEPALIVE_IRQP_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "irte.h"

struct keepalive_device;
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
 * @list: in irqp_devs, for the walks (STOP, the units, debugfs) and for
 *	the incoming records, read before any struct keepalive_device exists
 * @kd: first kernel: the kept device whose part[KEEPALIVE_DEVICE_IRQ] this
 *	is (irqp_lock), NULL for an incoming record
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
	struct keepalive_device *kd;
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
 * @hw: first kernel: the backend's unit (struct intel_iommu for VT-d)
 * @name: first kernel: the unit's name, for the log
 * @reg_base: its register base
 * @devid: the device whose table it is, for a backend with a table per
 *	device (AMD-Vi); 0 otherwise
 * @va: first kernel: the table, in the pool
 * @phys: the table's physical address
 * @bytes: its pool range, whole pages
 * @entries: the size IRTA gives it
 * @irta: the unit's IRTA value with the table live (AMD-Vi: the interrupt
 *	word of the device's table entry, data[2])
 * @incoming: next kernel: recorded by the previous kernel (the pool range
 *	stays the core's until CONCLUDE)
 */
struct irqp_unit {
	struct list_head list;
	void *hw;
	const char *name;
	u64 reg_base;
	u16 devid;
	void *va;
	phys_addr_t phys;
	size_t bytes;
	unsigned int entries;
	u64 irta;
	bool incoming;
};

/**
 * struct irqp_backend - an IOMMU driver's interrupt remapping, as
 *	irq_preserve/ uses it
 *
 * The driver-neutral part (records, the MSI-X hold, the reservations'
 * bookkeeping, the handover tables' sizing) reaches the hardware and the
 * driver only through these. A unit is named by its register base in
 * records and by the backend's own pointer (@hw, struct intel_iommu for
 * VT-d) while it is up. The formats are the backend's: an entry is 128
 * bits (struct irqp_irte), a table's register value is VT-d's IRTA layout
 * (abi/irq.h). Every op is called in process context, irqp_lock held
 * unless said otherwise, and must not sleep.
 *
 * @name: the backend's name
 * @compatible: the compatible of its records (abi/irq.h)
 * @per_device: each device has a remapping table of its own (AMD-Vi): an
 *	entry index means something only with the device's id, and a held
 *	device gets a handover table of its own
 * @dev_unit: the unit that remaps @pdev's interrupts. Returns it, or NULL
 *	when its interrupts are not remapped.
 * @unit_at: the unit at register base @reg_base, when its interrupt
 *	remapping is set up. Returns it, or NULL.
 * @unit_reg_base: @hw's register base, as records name it.
 * @unit_name: @hw's name, for the log.
 * @unit_flags: the KEEPALIVE_IRQ_F_* of @hw's entries (APIC mode,
 *	format). Any context.
 * @msi_index: the remapping entry a device's MSI message names. Returns
 *	0, or -EINVAL when the message is not remappable. Any context.
 * @entry_read: @hw's live remapping entry at @index (of device @devid's
 *	table with @per_device) into @e. Returns 0, -ERANGE when @index is
 *	beyond its table, -ENOENT when the device has no table.
 * @entry_posted: is @e a present entry posting to a vCPU? Any context.
 * @entry_check: may remapped entry @e be a kept device's, with source id
 *	@sid, for a unit whose entries are @flags (KEEPALIVE_IRQ_F_*)?
 *	Returns NULL when it may, else why not. Any context.
 * @posted_check: may posted entry @rec, re-pointed at the preserved
 *	descriptor @desc, be the one @held (as the hold found it) became,
 *	for source id @sid? Returns NULL when it may, else why not. Any
 *	context.
 * @posted_repoint: re-point posted entry @e at the descriptor at @desc;
 *	@urgent is set to its urgent bit. Returns 0, or -EINVAL when @e is
 *	not posted or @desc is not aligned. Any context.
 * @pi_decode: decode a posted-interrupt descriptor's 64 bytes @raw into
 *	@pi. Returns 0, or -EINVAL when it is malformed. Any context.
 * @reserve: mark entry @index of @hw (of device @devid's table with
 *	@per_device) in use, before any interrupt is allocated from it.
 *	Returns 0, or -EBUSY when it is in use already. Context: early boot.
 * @release: free entry @index of @hw (device @devid) that @reserve marked
 *	and no interrupt took back.
 * @table_irta: @hw's table register (IRTA) as it is now. Any context.
 * @table_flush: make the handover table at @va (@bytes) visible to @hw.
 * @table_build: allocate and fill handover table @u, whose @hw, @reg_base
 *	and @devid are set, from irqp_devs (NULL: the VT-d layout of
 *	table.c). Returns 0, -ENOSPC, -ERANGE, -EEXIST or -EINVAL.
 * @table_check: may an incoming table record of register value @irta at
 *	@phys, @len bytes long, be a handover table? Returns NULL when it
 *	may, else why not; sets *@entries. Any context.
 */
struct irqp_backend {
	const char *name;
	const char *compatible;
	bool per_device;
	void *(*dev_unit)(struct pci_dev *pdev);
	void *(*unit_at)(u64 reg_base);
	u64 (*unit_reg_base)(void *hw);
	const char *(*unit_name)(void *hw);
	u16 (*unit_flags)(void *hw);
	int (*msi_index)(u32 addr_lo, u32 addr_hi, u32 data, u32 *index);
	int (*entry_read)(void *hw, u16 devid, u32 index, struct irqp_irte *e);
	bool (*entry_posted)(const struct irqp_irte *e);
	const char *(*entry_check)(const struct irqp_irte *e, u16 sid,
				   u16 flags);
	const char *(*posted_check)(const struct irqp_irte *held,
				    const struct irqp_irte *rec, u16 sid,
				    u64 desc);
	int (*posted_repoint)(struct irqp_irte *e, u64 desc, bool *urgent);
	int (*pi_decode)(const u8 *raw, struct irqp_pi_desc *pi);
	int (*reserve)(void *hw, u16 devid, u32 index);
	void (*release)(void *hw, u16 devid, u32 index);
	u64 (*table_irta)(void *hw);
	void (*table_flush)(void *hw, void *va, size_t bytes);
	int (*table_build)(struct irqp_unit *u);
	const char *(*table_check)(u64 irta, u64 phys, u64 len,
				   unsigned int *entries);
};

/*
 * The backend of the IOMMU driver in use: VT-d (vtd.c) unless the AMD-Vi
 * driver's first hook chose AMD-Vi (amd.c, irqp_amd_choose()), at
 * interrupt remapping setup, before any initcall. A host has one vendor.
 */
extern const struct irqp_backend irqp_vtd;
extern const struct irqp_backend irqp_amd;
extern const struct irqp_backend *irqp_hw;

extern struct mutex irqp_lock;
extern struct list_head irqp_devs;
extern struct list_head irqp_units;

/* msix.c: the device's MSI-X side, in either kernel */
struct irqp_dev *irqp_find(u32 segment, u8 bus, u8 devfn);
struct irqp_dev *irqp_find_pdev(struct pci_dev *pdev);
struct irqp_dev *irqp_of(struct keepalive_device *kd);
int irqp_capture(struct pci_dev *pdev, struct irqp_dev **out);
void irqp_hold(struct irqp_dev *d);
void irqp_release(struct irqp_dev *d, bool restore);
int irqp_read_pba(struct irqp_dev *d, unsigned long *pba);
void irqp_free(struct irqp_dev *d);
const char *irqp_matches(struct irqp_dev *d, struct pci_dev *pdev);
void irqp_debugfs_init(void);

/* capture.c: the first kernel */
void irqp_drop(struct irqp_dev *d, bool restore);
int irqp_check_device(struct keepalive_device *kd);
int irqp_hold_device(struct keepalive_device *kd, bool by_close);
void irqp_release_device(struct keepalive_device *kd);
void irqp_reopen_device(struct keepalive_device *kd);
int irqp_stop_hold(void *fdt, int node);
void irqp_stop_undo(void);
void irqp_abort(void);
bool irqp_msix_held(struct pci_dev *pdev);

/* adopt.c: the next kernel */
void irqp_reserve_unit(void *hw);
void irqp_unreserve(struct irqp_dev *d);
void irqp_reserve_late(void);
int irqp_take_back(u64 reg_base, struct pci_dev *pdev, unsigned int vector);
const char *irqp_mismatch(struct keepalive_device *kd);
void irqp_msix_rearm(struct pci_dev *pdev);
void irqp_adopt_none(const char *dep, int err);
void irqp_adopt_conclude(void);

/* record.c: the image, both ways */
void irqp_record_read_once(void);
int irqp_record_write(void *fdt, int node);
int irqp_record_read(const void *fdt, int node);
const char *irqp_vec_check(const struct irqp_dev *d, const struct irqp_vec *v);
int irqp_vec_record(const struct irqp_vec *v, void *out);
int irqp_posted_record(const struct irqp_vec *v, u64 desc,
		       const struct irqp_pi_desc *pi, void *out);
const char *irqp_posted_check(const struct irqp_dev *d, const void *posted,
			      const void *desc);
int irqp_units_write(void *fdt, int node);
int irqp_unit_read(const void *fdt, int node);

/* table.c: each unit's handover remapping table */
int irqp_table_fill(struct irqp_irte *base, unsigned int entries,
		    const struct list_head *devs, u64 reg_base);
int irqp_units_build(void);
void irqp_units_free(void);
void irqp_units_forget_incoming(void);
u64 irqp_unit_handover(void *hw);
bool irqp_unit_handed_over(void *hw, u64 irta);

/* vtd.c: the VT-d driver's hooks, behind hooks.c */
struct intel_iommu;
struct irq_alloc_info;
void irqp_vtd_reserve(struct intel_iommu *iommu);
bool irqp_vtd_handed_over(struct intel_iommu *iommu);
void irqp_vtd_shutdown(struct intel_iommu *iommu);
int irqp_vtd_irte(struct intel_iommu *iommu, struct irq_alloc_info *info,
		  unsigned int count);

/* amd.c: the AMD-Vi backend's formats, for KUnit */
int irqp_amd_msi_index(u32 addr_lo, u32 addr_hi, u32 data, u32 *index);
const char *irqp_amd_entry_check(const struct irqp_irte *e, u16 sid,
				 u16 flags);
struct irqp_irte irqp_amd_irte(u8 vector, u32 dest, bool ga);
u64 irqp_amd_dte_irq(phys_addr_t phys);
const char *irqp_amd_table_check(u64 word, u64 phys, u64 len,
				 unsigned int *entries);

/* fault.c: test hook */
struct keepalive_participant;
int irqp_corrupt(struct keepalive_participant *p, void *fdt, int node,
		 const char *what);

#endif /* _KEEPALIVE_IRQP_H */
