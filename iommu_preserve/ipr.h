/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kexec device keepalive: private header of iommu_preserve/.
 *
 * A kept device's handover translation (struct ipr_dev) is a tree of
 * second-level page tables in the pool that maps exactly its VMM's IOVAs
 * onto preserved memory, and a domain id of its own on its unit. The
 * device is "held" while the context entry the unit reads for it points at
 * that tree: the Intel driver then neither writes nor clears the entry
 * (domain_context_mapping_one() and domain_context_clear_one() ask
 * keepalive_iommu_held()), whatever domain it attaches.
 *
 * What this directory does is driver-neutral: records (record.c), the
 * page-table builder and walker (pgtable.c), capture and hold bookkeeping
 * (capture.c, adopt.c, unit.c). Whatever touches the IOMMU driver's own
 * structures or formats (page-table entries, per-device entries, the
 * handover root's layout, domain ids, unit registers) goes through one
 * struct ipr_backend: VT-d's is vtd.c, AMD-Vi's amd.c, the only files that
 * include a driver's private header, with their formats in vtd_pgtable.c
 * and amd_pgtable.c. The backend in use (ipr_be) is the one whose driver
 * runs (ipr_backend.present()), or whose hooks are called. A unit is
 * an opaque pointer (@hw) to the backend's own unit structure, a device's
 * entry an opaque struct ipr_entry.
 *
 * A device marked in this kernel keeps its struct ipr_dev in its
 * keepalive_device's part[KEEPALIVE_DEVICE_DMA] from its capture to its
 * release; an incoming one exists before its keepalive_device and is
 * found by its place (ipr_dev_of()).
 *
 * Lock order (outermost first):
 *   keepalive_sm.lock -> vka_lock -> ipr_lock -> intel_iommu.lock
 *   keepalive_sm.lock -> vka_lock -> ipr_lock -> protection_domain.lock
 *	-> iommu_dev_data.lock (AMD-Vi)
 *   vfio_device_set.lock (vfio-pci's close) -> vka_lock -> ipr_lock
 * The held bitmaps are read under intel_iommu.lock (the driver's context
 * writes) and written under ipr_lock and intel_iommu.lock; on AMD-Vi read
 * under the device's iommu_dev_data.lock (set_dte_entry() and
 * clear_dte_entry() run under it, or under its domain's lock) and written
 * under ipr_lock and both.
 */
#ifndef _KEEPALIVE_IPR_H
#define _KEEPALIVE_IPR_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "pgtable.h"

struct device;
struct keepalive_device;
struct keepalive_iommu_translation;
struct pci_dev;

/**
 * struct ipr_unit - a remapping unit that translates kept devices
 * @list: in ipr_units
 * @hw: the backend's unit (VT-d: struct intel_iommu); NULL in the next
 *	kernel for a recorded unit that was not adopted
 * @index: its unit@ index in the image being written or read
 * @tables: pool pages of the handover root (VT-d: root and context
 *	tables): built at STOP (first kernel), claimed at RESUME (next kernel)
 * @root: physical address of the handover root, the first page of @tables
 *	when built here
 * @reg_base: register base (next kernel: as recorded)
 * @cap: capability register (AMD-Vi: extended features; next kernel: as
 *	recorded)
 * @ecap: extended capability register (AMD-Vi: extended features 2; next
 *	kernel: as recorded)
 * @agaw: first kernel: the address width of the tables built for its
 *	devices, in the encoding of the backend's table format
 * @sllps: first kernel: its large-page sizes, in the encoding of the
 *	backend's table format (ipr_pt_format.leaf_ok())
 */
struct ipr_unit {
	struct list_head list;
	void *hw;
	int index;
	struct ipr_arena tables;
	u64 root;
	u64 reg_base, cap, ecap;
	int agaw;
	u32 sllps;
};

/**
 * struct ipr_dev - a kept device's handover translation
 * @list: in ipr_devs
 * @kd: first kernel: the kept device whose part[KEEPALIVE_DEVICE_DMA]
 *	points here, from its capture to ipr_free(); NULL for an incoming one
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
 * @did: the domain id of its handover entry
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
	struct keepalive_device *kd;
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
	struct ipr_entry prev;
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
 * @ce: its recorded entry (VT-d: context entry)
 */
struct ipr_dev_record {
	u32 segment, bus, devfn;
	int unit;
	u16 did;
	struct ipr_entry ce;
};

/**
 * struct ipr_backend - what the neutral part asks of one IOMMU driver
 *
 * @hw is the backend's unit. Unless said otherwise an op is called in
 * process context with ipr_lock held, and may take the driver's locks.
 *
 * @name: the driver's name, for log lines
 * @compatible: the compatible string of the participant's node when this
 *	backend writes it (abi/iommu.h); a node of another is refused
 * @translation_size: bytes of a device's "translation" property: a struct
 *	that begins with the fields of struct keepalive_iommu_translation
 *	before its entry
 * @present: does this backend's driver run on this machine? Asked at
 *	registration, and before that by the driver's early hooks. No lock.
 * @pt: the format of the page tables the backend's units read, which
 *	pgtable.c builds and walks; its address widths are @u->agaw's and
 *	its large-page sizes @u->sllps's encoding.
 * @dev_unsupported: why @pdev's translation cannot be kept (not behind a
 *	unit the backend handles, unit not translating or in a mode it does
 *	not keep, not on a VMM's domain, DMA aliases), or NULL with its unit
 *	in @hw. No lock needed.
 * @vmm_ranges: what the VMM's (unmanaged) domain @pdev is attached to
 *	maps now, in a new array in @out. Returns 0; -EAGAIN when @pdev is
 *	on no such domain; -E2BIG, -EINVAL or -ENOMEM from the walk.
 * @unit_describe: fill @u's registers, capabilities, address width and
 *	superpage sizes from @hw, for tables built in this kernel.
 * @unit_name: @hw's name, for log lines.
 * @unit_id: a small number unique to @hw for the life of the kernel.
 *	Any context.
 * @tables_flush: make @len bytes of tables at @va visible to @hw, when it
 *	does not snoop the CPU's caches.
 * @did_alloc: reserve a free domain id of @hw in @did. Returns 0 or
 *	-ENOSPC.
 * @did_free: give back a domain id @did_alloc or @entry_adopt reserved.
 * @entry_switch: replace the live entry of @bus/@devfn with @ce in one
 *	write, mark it held (ipr_held_mark()) under the driver's lock, and
 *	invalidate the caches for the domain id it replaced. Returns 0 with
 *	the old entry in @prev and its domain id in @old_did, or -ENOENT
 *	when there is no present entry.
 * @entry_release: write the entry the driver wants for @dev now (its
 *	domain's; none for a NULL @dev) in one write, clear the held mark,
 *	and invalidate the caches for @did. Returns the domain id of the
 *	entry written (0: none).
 * @entry_adopt: next kernel, boot: put @ce in @hw's new root (not yet
 *	installed), reserve @did and mark the entry held. Returns 0;
 *	-ENOMEM; -EINVAL when @ce carries something the backend does not
 *	accept (AMD-Vi: an interrupt table outside the pool). Called with
 *	the driver's boot locks held.
 * @entry_block: optional, next kernel, boot: make the entry of
 *	@bus/@devfn in @hw's new root (not yet installed) block the device,
 *	for a backend whose new root does not block every device it was not
 *	told about (AMD-Vi: an entry left zero passes DMA through).
 * @unit_keep_on: kexec shutdown: point @hw at the handover root @root,
 *	the first page of @tables, with translation left on, and invalidate
 *	every cache. Interrupts off, ipr_lock not taken.
 * @unit_root: next kernel, boot: the handover root @hw reads now (before
 *	the driver installs its own). No lock needed.
 * @unit_find: next kernel: the live unit at @reg_base, or NULL. No lock
 *	needed.
 * @unit_check: next kernel: why recorded unit @u cannot be @hw (other
 *	capabilities, another mode), or NULL.
 * @unit_segment: @hw's PCI segment.
 * @entry_check: why domain id @did and address width @agaw do not fit
 *	the recorded capabilities of @u, or NULL. Any context.
 * @entry_encode: the handover entry in @e of a device translated by the
 *	tables at @top of address width @agaw (@pt's encoding), with domain
 *	id @did. Any context.
 * @entry_decode: the top table, domain id and address width of an entry
 *	@entry_encode could have written. Returns 0; -ENOENT when @e is not
 *	present; -EOPNOTSUPP for another translation type or address width;
 *	-EINVAL when a reserved bit is set. Any context.
 * @entry_record: write @e into the record @t, of @translation_size
 *	bytes (VT-d: its context_lo and context_hi), exactly as abi/iommu.h
 *	lays it out. Any context.
 * @entry_parse: the entry the record @t holds, into @e, not checked. Any
 *	context.
 * @root_read: optional: the entry of @bus/@devfn in the handover root at
 *	@root, read only inside @a, as the unit reads it. Returns 0, or
 *	-EINVAL when @root is not where the backend lays it out in @a. Any
 *	context.
 * @root_pages: pages of a handover root for the held devices whose source
 *	ids (bus << 8 | devfn) are set in @sids, not empty. Any context.
 * @root_add: put entry @e of @bus/@devfn into the handover root being
 *	built in @a: zeroed, @root_pages() pages, the root in its first page,
 *	@a->used pages handed out so far. Returns 0, or -ENOSPC when @a is
 *	too small. Any context.
 * @root_init: optional: fill a new handover root in @a (zeroed,
 *	@root_pages() pages) before any @root_add(), for a format in which
 *	a zero entry does not block its device. Any context.
 * @root_check: why the handover root at @root, read only inside @a, does
 *	not hold exactly entry @e for @bus/@devfn, or NULL. Any context.
 */
struct ipr_backend {
	const char *name;
	const char *compatible;
	size_t translation_size;
	bool (*present)(void);
	const struct ipr_pt_format *pt;
	const char *(*dev_unsupported)(struct pci_dev *pdev, void **hw);
	int (*vmm_ranges)(struct pci_dev *pdev, struct ipr_ranges *out);
	void (*unit_describe)(void *hw, struct ipr_unit *u);
	const char *(*unit_name)(void *hw);
	unsigned long (*unit_id)(void *hw);
	void (*tables_flush)(void *hw, void *va, size_t len);
	int (*did_alloc)(void *hw, u16 *did);
	void (*did_free)(void *hw, u16 did);
	int (*entry_switch)(void *hw, u8 bus, u8 devfn,
			    const struct ipr_entry *ce, struct ipr_entry *prev,
			    u16 *old_did);
	u16 (*entry_release)(void *hw, u8 bus, u8 devfn, struct device *dev,
			     u16 did);
	int (*entry_adopt)(void *hw, u8 bus, u8 devfn,
			   const struct ipr_entry *ce, u16 did);
	void (*entry_block)(void *hw, u8 bus, u8 devfn);
	void (*unit_keep_on)(void *hw, u64 root,
			     const struct ipr_arena *tables);
	u64 (*unit_root)(void *hw);
	void *(*unit_find)(u64 reg_base);
	const char *(*unit_check)(void *hw, const struct ipr_unit *u);
	u32 (*unit_segment)(void *hw);
	const char *(*entry_check)(const struct ipr_unit *u, u16 did,
				   int agaw);
	void (*entry_encode)(u64 top, u16 did, int agaw, struct ipr_entry *e);
	int (*entry_decode)(const struct ipr_entry *e, u64 *top, u16 *did,
			    int *agaw);
	void (*entry_record)(const struct ipr_entry *e, void *t);
	void (*entry_parse)(const void *t, struct ipr_entry *e);
	int (*root_read)(const struct ipr_arena *a, u64 root, u8 bus,
			 u8 devfn, struct ipr_entry *e);
	unsigned int (*root_pages)(const unsigned long *sids);
	void (*root_init)(struct ipr_arena *a);
	int (*root_add)(struct ipr_arena *a, u8 bus, u8 devfn,
			const struct ipr_entry *e);
	const char *(*root_check)(const struct ipr_arena *a, u64 root, u8 bus,
				  u8 devfn, const struct ipr_entry *e);
};

/* vtd.c: Intel VT-d in legacy mode */
extern const struct ipr_backend ipr_vtd_backend;
/* amd.c: AMD-Vi with v1 page tables */
extern const struct ipr_backend ipr_amd_backend;
/* participant.c: the backend in use, and its choice */
extern const struct ipr_backend *ipr_be;
void ipr_backend_use(const struct ipr_backend *be);

extern struct mutex ipr_lock;
extern struct list_head ipr_units;
extern struct list_head ipr_devs;

/* capture.c: capture, switch and release, in either kernel */
struct ipr_dev *ipr_find(u32 segment, u8 bus, u8 devfn);
struct ipr_dev *ipr_dev_of(struct keepalive_device *kd);
int ipr_capture(struct keepalive_device *kd, struct ipr_dev **out);
int ipr_verify(struct ipr_dev *d);
int ipr_switch(struct ipr_dev *d);
void ipr_release(struct ipr_dev *d);
void ipr_free(struct ipr_dev *d);
void ipr_retire(struct ipr_dev *d);
void ipr_retired_free(void);
int ipr_files_hold(struct ipr_dev *d, struct pci_dev *pdev);
void ipr_files_unhold(struct ipr_dev *d);
bool ipr_held(void *hw, u8 bus, u8 devfn);
int ipr_held_map_prepare(void *hw);
int ipr_held_mark(void *hw, u8 bus, u8 devfn, bool held);
bool ipr_live_table(void *ctx, u64 phys, const u64 **table);

/* Per-device operations (ipr_device_ops), first kernel: capture.c */
int ipr_check_device(struct keepalive_device *kd);
int ipr_hold_device(struct keepalive_device *kd);
void ipr_release_device(struct keepalive_device *kd);
void ipr_reopen_device(struct keepalive_device *kd);

/* adopt.c: the next kernel, and the ops that concern it */
int ipr_covered(struct ipr_dev *d);
void ipr_adopt(void *hw);
bool ipr_early_handed_over(void *hw);
void ipr_early_adopt(void *hw);
void ipr_early_settle(void);
void ipr_claim_device(struct keepalive_device *kd, bool claimed);
bool ipr_confined(struct keepalive_device *kd);

/* unit.c: the handover root of a unit */
int ipr_units_build(void);
void ipr_units_free(void);
void ipr_unit_put_unused(void);
bool ipr_unit_shutdown(void *hw);

/**
 * typedef ipr_backs_fn - is this memory inside one preserved memory file?
 * @phys: physical address
 * @len: bytes
 *
 * Return: true when it is (keepalive_memfd_backs()).
 */
typedef bool (*ipr_backs_fn)(phys_addr_t phys, u64 len);

/* record.c: the image */
const char *ipr_dev_check(struct ipr_dev *d, const struct ipr_entry *ce,
			  u32 did, ipr_backs_fn backs);
int ipr_record_write_dev(void *fdt, int parent, const struct ipr_dev *d);
int ipr_record_write(void *fdt, int node);
int ipr_record_parse_dev(const void *fdt, int node, struct ipr_dev_record *r);
int ipr_record_read_ranges(const void *fdt, int node, struct ipr_dev *d);
int ipr_record_read(const void *fdt, int node);

/* participant.c */
extern bool ipr_incoming;

/* fault.c: test hooks */
struct keepalive_participant;
int ipr_corrupt(struct keepalive_participant *p, void *fdt, int node,
		const char *what);
#if IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION)
void ipr_fault_init(void);
#else
static inline void ipr_fault_init(void)
{
}
#endif

#endif /* _KEEPALIVE_IPR_H */
