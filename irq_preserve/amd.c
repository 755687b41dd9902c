// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the AMD-Vi backend of irq_preserve/, the only
 * file that knows the AMD IOMMU driver's private structures (struct
 * amd_iommu, its device table, struct irq_remap_table).
 *
 * AMD-Vi remaps interrupts per device: the interrupt word of a device's
 * device table entry (DTE bits 191:128) names the device's own remapping
 * table, of 2^IntTabLen entries, 32-bit or 128-bit ("GA") as the driver
 * chose for every table (amd_iommu_guest_ir). A vector's message names
 * its entry by its data's low bits. So here:
 * - a held device's handover table is a copy of its remapping table in the
 *   pool, its held vectors' entries at their indices and every other entry
 *   0 (RemapEn clear: the unit aborts such a request), built at STOP;
 * - at the kexec (the driver's shutdown, keepalive_irq_amd_shutdown())
 *   the device's live DTE is pointed at that copy; the IOMMU side copies
 *   the DTE's interrupt word into its handover device table when it has
 *   one, so that the copy stays live until the next kernel's own table;
 * - the next kernel checks the records and the copies at interrupt
 *   remapping setup (keepalive_irq_amd_setup(), before any initcall) and
 *   marks the recorded entries in use in the device's new table the
 *   moment the driver allocates it (keepalive_irq_amd_table()), before
 *   any interrupt is allocated from it; each vector takes its entry back
 *   when its VMM arms it (keepalive_irq_amd_irte()), and the driver then
 *   points the DTE at its own table.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/irq.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <asm/apic.h>
#include <asm/hw_irq.h>
#include <asm/irq_remapping.h>

#include "amd/amd_iommu_types.h"	/* drivers/iommu/, see Makefile */
#include "amd/amd_iommu.h"
#include "irqp.h"

/* Remapping entry bits, 32-bit format (the low half of the 128-bit one). */
#define AMD_IRTE_REMAPEN	BIT_ULL(0)
#define AMD_IRTE_SUPIOPF	BIT_ULL(1)
#define AMD_IRTE_INTTYPE	GENMASK_ULL(4, 2)
#define AMD_IRTE_RQEOI		BIT_ULL(5)
#define AMD_IRTE_DM		BIT_ULL(6)
#define AMD_IRTE_GUEST		BIT_ULL(7)	/* 128-bit: guest (posted) mode */
#define AMD_IRTE32_DEST		GENMASK_ULL(15, 8)
#define AMD_IRTE32_VECTOR	GENMASK_ULL(23, 16)
/* 128-bit format: low half */
#define AMD_IRTE_GA_DEST_LO	GENMASK_ULL(31, 8)
/* 128-bit format: high half */
#define AMD_IRTE_GA_VECTOR	GENMASK_ULL(7, 0)
#define AMD_IRTE_GA_DEST_HI	GENMASK_ULL(63, 56)
/* Interrupt types a device's entry may have: fixed, arbitrated. */
#define AMD_INTTYPE_ARBITRATED	1
/* A vector's message: data bits 10:0 index its device's table. */
#define AMD_MSI_INDEX		GENMASK(10, 0)
#define AMD_MSI_ADDR		0xfee00000U

/* The DTE interrupt word fields keepalive writes; the pass bits stay. */
#define AMD_DTE_IRQ_FIELDS	(KEEPALIVE_IRQ_AMD_DTE_IV | \
				 KEEPALIVE_IRQ_AMD_DTE_LEN | BIT_ULL(5) | \
				 KEEPALIVE_IRQ_AMD_DTE_ROOT | \
				 KEEPALIVE_IRQ_AMD_DTE_INTCTL)

/**
 * irqp_amd_msi_index() - the entry an AMD-Vi device's MSI message names
 * @addr_lo: its message address, low half
 * @addr_hi: its message address, high half
 * @data: its message data
 * @index: out: the entry's index in the device's table
 *
 * The AMD IOMMU driver writes address 0xFEE00000 and the entry's index as
 * the data (fill_msi_msg()); an index is below MAX_IRQS_PER_TABLE.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when the message is not one the driver writes.
 */
int irqp_amd_msi_index(u32 addr_lo, u32 addr_hi, u32 data, u32 *index)
{
	if (addr_hi || addr_lo != AMD_MSI_ADDR || data >= MAX_IRQS_PER_TABLE)
		return -EINVAL;
	*index = data & AMD_MSI_INDEX;
	return 0;
}

/**
 * irqp_amd_irte() - a remapped AMD-Vi entry, as the driver writes one
 * @vector: its vector
 * @dest: its destination APIC id
 * @ga: 128-bit format (else 32-bit)
 *
 * Fixed delivery, physical destination (irte_prepare(), irte_ga_prepare()).
 *
 * Context: Any context.
 * Return: the entry.
 */
struct irqp_irte irqp_amd_irte(u8 vector, u32 dest, bool ga)
{
	if (!ga)
		return (struct irqp_irte) {
			.lo = AMD_IRTE_REMAPEN |
			      FIELD_PREP(AMD_IRTE32_DEST, dest & 0xff) |
			      FIELD_PREP(AMD_IRTE32_VECTOR, vector),
		};
	return (struct irqp_irte) {
		.lo = AMD_IRTE_REMAPEN |
		      FIELD_PREP(AMD_IRTE_GA_DEST_LO, dest & 0xffffff),
		.hi = FIELD_PREP(AMD_IRTE_GA_VECTOR, vector) |
		      FIELD_PREP(AMD_IRTE_GA_DEST_HI, dest >> 24),
	};
}

/**
 * irqp_amd_entry_check() - may an AMD-Vi entry be a kept device's?
 * @e: the entry: a 128-bit one as its halves, a 32-bit one in @e->lo
 * @sid: the device's requester id (unused: its table is its own)
 * @flags: KEEPALIVE_IRQ_F_AMD_GA for a 128-bit entry, and
 *	KEEPALIVE_IRQ_F_X2APIC in x2APIC mode
 *
 * Remapped (RemapEn), not in guest mode, fixed or arbitrated delivery,
 * no EOI request, a vector of at least 0x20, a destination that fits the
 * APIC mode, every reserved bit clear.
 *
 * Context: Any context.
 * Return: NULL when it may; otherwise why not.
 */
const char *irqp_amd_entry_check(const struct irqp_irte *e, u16 sid,
				 u16 flags)
{
	bool ga = flags & KEEPALIVE_IRQ_F_AMD_GA;
	u64 lo_ok, hi_ok;
	u32 dest;
	u8 vector;

	if (flags & ~(KEEPALIVE_IRQ_F_AMD_GA | KEEPALIVE_IRQ_F_X2APIC))
		return "its entries are not in an AMD-Vi format";
	if (!(e->lo & AMD_IRTE_REMAPEN))
		return "its entry is not present";
	if (ga && (e->lo & AMD_IRTE_GUEST))
		return "its entry is in guest (posted) mode";
	if (FIELD_GET(AMD_IRTE_INTTYPE, e->lo) > AMD_INTTYPE_ARBITRATED)
		return "its entry's interrupt type is not fixed or arbitrated";
	if (e->lo & AMD_IRTE_RQEOI)
		return "its entry requests an EOI";
	lo_ok = AMD_IRTE_REMAPEN | AMD_IRTE_SUPIOPF | AMD_IRTE_INTTYPE |
		AMD_IRTE_DM;
	if (ga) {
		lo_ok |= AMD_IRTE_GA_DEST_LO;
		hi_ok = AMD_IRTE_GA_VECTOR | AMD_IRTE_GA_DEST_HI;
		vector = FIELD_GET(AMD_IRTE_GA_VECTOR, e->hi);
		dest = FIELD_GET(AMD_IRTE_GA_DEST_LO, e->lo) |
		       FIELD_GET(AMD_IRTE_GA_DEST_HI, e->hi) << 24;
	} else {
		lo_ok |= AMD_IRTE32_DEST | AMD_IRTE32_VECTOR;
		hi_ok = 0;
		vector = FIELD_GET(AMD_IRTE32_VECTOR, e->lo);
		dest = FIELD_GET(AMD_IRTE32_DEST, e->lo);
	}
	if ((e->lo & ~lo_ok) || (e->hi & ~hi_ok))
		return "its entry has reserved bits set";
	if (vector < IRQP_FIRST_VECTOR)
		return "its entry's vector is an exception's";
	if (!(flags & KEEPALIVE_IRQ_F_X2APIC) && dest > 0xff)
		return "its entry's destination is not an xAPIC id";
	return NULL;
}

/**
 * irqp_amd_dte_irq() - the DTE interrupt word for a handover table
 * @phys: the table, 128-byte aligned (DTE_INTTAB_ALIGNMENT),
 *	MAX_IRQS_PER_TABLE entries
 *
 * Context: Any context.
 * Return: the word (as set_dte_irq_entry() composes it), or 0 when @phys
 * is not aligned or out of the field's range.
 */
u64 irqp_amd_dte_irq(phys_addr_t phys)
{
	if (phys & ~KEEPALIVE_IRQ_AMD_DTE_ROOT ||
	    !IS_ALIGNED(phys, DTE_INTTAB_ALIGNMENT))
		return 0;
	return phys | KEEPALIVE_IRQ_AMD_DTE_INTCTL_REMAP |
	       ((u64)ilog2(MAX_IRQS_PER_TABLE) << KEEPALIVE_IRQ_AMD_DTE_LEN_SHIFT) |
	       KEEPALIVE_IRQ_AMD_DTE_IV;
}

/**
 * irqp_amd_table_check() - may an incoming AMD-Vi table record be a
 *	handover table?
 * @word: its DTE interrupt word
 * @phys: the start of its pool range
 * @len: its length
 * @entries: out: the table's size
 *
 * The word must be exactly a remapping one (IV, IntCtl remapped, a size
 * from 2 to 2048 entries, no other bit), naming the start of the range,
 * which is the table rounded up to pages in either entry format.
 *
 * Context: Any context.
 * Return: NULL when it may; otherwise why not.
 */
const char *irqp_amd_table_check(u64 word, u64 phys, u64 len,
				 unsigned int *entries)
{
	unsigned int bits = (word & KEEPALIVE_IRQ_AMD_DTE_LEN) >>
			    KEEPALIVE_IRQ_AMD_DTE_LEN_SHIFT;

	*entries = 1U << bits;
	if (!(word & KEEPALIVE_IRQ_AMD_DTE_IV) ||
	    (word & KEEPALIVE_IRQ_AMD_DTE_INTCTL) !=
	    KEEPALIVE_IRQ_AMD_DTE_INTCTL_REMAP ||
	    (word & ~(KEEPALIVE_IRQ_AMD_DTE_IV | KEEPALIVE_IRQ_AMD_DTE_LEN |
		      KEEPALIVE_IRQ_AMD_DTE_ROOT |
		      KEEPALIVE_IRQ_AMD_DTE_INTCTL)) ||
	    !bits || bits > 11)
		return "its device table interrupt word is not a remapping one";
	if (phys != (word & KEEPALIVE_IRQ_AMD_DTE_ROOT) || phys & ~PAGE_MASK ||
	    (len != PAGE_ALIGN((u64)*entries * 16) &&
	     len != PAGE_ALIGN((u64)*entries * 4)))
		return "its table is not the pool range its interrupt word names";
	return NULL;
}

static bool amd_ga(void)
{
	return AMD_IOMMU_GUEST_IR_GA(amd_iommu_guest_ir);
}

static struct amd_iommu *amd_iommu_of(u16 seg, u16 devid)
{
	struct amd_iommu *iommu;

	for_each_iommu(iommu)
		if (iommu->pci_seg->id == seg &&
		    iommu->pci_seg->rlookup_table[devid] == iommu)
			return iommu;
	return NULL;
}

/* @pdev's unit, when its interrupts are remapped and it has no alias. */
static void *amd_dev_unit(struct pci_dev *pdev)
{
	u16 devid = pci_dev_id(pdev);
	struct amd_iommu *iommu;

	if (!amd_iommu_irq_remap)
		return NULL;
	iommu = amd_iommu_of(pci_domain_nr(pdev->bus), devid);
	if (!iommu || !iommu->pci_seg->irq_lookup_table ||
	    iommu->pci_seg->alias_table[devid] != devid)
		return NULL;
	return iommu;
}

static void *amd_unit_at(u64 reg_base)
{
	struct amd_iommu *iommu;

	if (!amd_iommu_irq_remap)
		return NULL;
	for_each_iommu(iommu)
		if (iommu->mmio_phys == reg_base)
			return iommu;
	return NULL;
}

static u64 amd_unit_reg_base(void *hw)
{
	return ((struct amd_iommu *)hw)->mmio_phys;
}

/*
 * A unit's name, as sysfs gives it ("ivhd<index>"): its PCI function is
 * not looked up yet at interrupt remapping setup.
 */
static char amd_names[MAX_IOMMUS][8];

static const char *amd_unit_name(void *hw)
{
	struct amd_iommu *iommu = hw;

	if (WARN_ON_ONCE(iommu->index >= MAX_IOMMUS))
		return "ivhd?";
	snprintf(amd_names[iommu->index], sizeof(amd_names[0]), "ivhd%d",
		 iommu->index);
	return amd_names[iommu->index];
}

static u16 amd_unit_flags(void *hw)
{
	return (amd_ga() ? KEEPALIVE_IRQ_F_AMD_GA : 0) |
	       (x2apic_mode ? KEEPALIVE_IRQ_F_X2APIC : 0);
}

static struct irq_remap_table *amd_table(struct amd_iommu *iommu, u16 devid)
{
	return iommu->pci_seg->irq_lookup_table[devid];
}

static int amd_entry_read(void *hw, u16 devid, u32 index, struct irqp_irte *e)
{
	struct irq_remap_table *table = amd_table(hw, devid);

	if (!table)
		return -ENOENT;
	if (index >= MAX_IRQS_PER_TABLE)
		return -ERANGE;
	if (amd_ga()) {
		struct irte_ga *live = (struct irte_ga *)table->table + index;

		*e = (struct irqp_irte) { .lo = READ_ONCE(live->lo.val),
					  .hi = READ_ONCE(live->hi.val) };
	} else {
		*e = (struct irqp_irte) { .lo = READ_ONCE(table->table[index]) };
	}
	return 0;
}

static bool amd_entry_posted(const struct irqp_irte *e)
{
	return (e->lo & AMD_IRTE_REMAPEN) && (e->lo & AMD_IRTE_GUEST);
}

static const char *amd_posted_check(const struct irqp_irte *held,
				    const struct irqp_irte *rec, u16 sid,
				    u64 desc)
{
	return "AMD-Vi guest-mode vectors are not held";
}

static int amd_posted_repoint(struct irqp_irte *e, u64 desc, bool *urgent)
{
	return -EINVAL;
}

static int amd_pi_decode(const u8 *raw, struct irqp_pi_desc *pi)
{
	return -EINVAL;
}

/*
 * Reservations are per device and its table does not exist yet at
 * interrupt remapping setup: an entry is marked in use when the driver
 * allocates the table (keepalive_irq_amd_table()). One that exists
 * already must have the entry free.
 */
static int amd_reserve(void *hw, u16 devid, u32 index)
{
	struct amd_iommu *iommu = hw;
	struct irq_remap_table *table = amd_table(iommu, devid);
	unsigned long flags;
	int ret = 0;

	lockdep_assert_held(&irqp_lock);
	if (index >= MAX_IRQS_PER_TABLE)
		return -EBUSY;
	if (!table)
		return 0;
	raw_spin_lock_irqsave(&table->lock, flags);
	if (iommu->irte_ops->is_allocated(table, index))
		ret = -EBUSY;
	else
		iommu->irte_ops->set_allocated(table, index);
	raw_spin_unlock_irqrestore(&table->lock, flags);
	return ret;
}

/* The entry was only marked (never written valid): no flush is due. */
static void amd_release(void *hw, u16 devid, u32 index)
{
	struct amd_iommu *iommu = hw;
	struct irq_remap_table *table = amd_table(iommu, devid);
	unsigned long flags;

	lockdep_assert_held(&irqp_lock);
	if (!table || index >= MAX_IRQS_PER_TABLE)
		return;
	raw_spin_lock_irqsave(&table->lock, flags);
	iommu->irte_ops->clear_allocated(table, index);
	raw_spin_unlock_irqrestore(&table->lock, flags);
}

/* No table register: a unit's tables are named by its device table. */
static u64 amd_table_irta(void *hw)
{
	return 0;
}

/* The IOMMU reads remapping tables coherently (the driver flushes none). */
static void amd_table_flush(void *hw, void *va, size_t bytes)
{
}

static void amd_table_put(void *base, bool ga, u32 index,
			  const struct irqp_irte *e)
{
	if (ga)
		((struct irqp_irte *)base)[index] = *e;
	else
		((u32 *)base)[index] = lower_32_bits(e->lo);
}

static bool amd_table_used(const void *base, bool ga, u32 index)
{
	if (ga)
		return ((const struct irqp_irte *)base)[index].lo ||
		       ((const struct irqp_irte *)base)[index].hi;
	return ((const u32 *)base)[index];
}

/* The held device of handover table @u, first kernel. */
static struct irqp_dev *amd_table_dev(const struct irqp_unit *u)
{
	struct irqp_dev *d;

	list_for_each_entry(d, &irqp_devs, list)
		if (!d->incoming && d->held && d->ir_reg_base == u->reg_base &&
		    PCI_DEVID(d->bus, d->devfn) == u->devid)
			return d;
	return NULL;
}

/*
 * STOP: a copy of a held device's remapping table in the pool, its held
 * vectors' entries at their indices, every other entry 0.
 */
static int amd_table_build(struct irqp_unit *u)
{
	struct irqp_dev *d = amd_table_dev(u);
	bool ga = amd_ga();
	size_t es = ga ? sizeof(struct irqp_irte) : sizeof(u32);
	phys_addr_t phys;
	unsigned int i;

	if (WARN_ON_ONCE(!d))
		return -EINVAL;
	u->entries = MAX_IRQS_PER_TABLE;
	u->bytes = PAGE_ALIGN(u->entries * es);
	u->va = keepalive_should_fail() ? NULL :
		keepalive_pool_alloc(u->bytes, &phys);
	if (!u->va)
		return -ENOSPC;
	u->phys = phys;
	memset(u->va, 0, u->bytes);
	for (i = 0; i < d->nr_vecs; i++) {
		const struct irqp_vec *v = &d->vecs[i];

		if (v->irte >= u->entries)
			return -ERANGE;
		if (amd_table_used(u->va, ga, v->irte))
			return -EEXIST;
		amd_table_put(u->va, ga, v->irte, &v->e);
	}
	u->irta = irqp_amd_dte_irq(phys);
	return u->irta ? 0 : -EINVAL;
}

const struct irqp_backend irqp_amd = {
	.name = "amd-vi",
	.compatible = KEEPALIVE_IRQ_AMD_COMPATIBLE,
	.per_device = true,
	.dev_unit = amd_dev_unit,
	.unit_at = amd_unit_at,
	.unit_reg_base = amd_unit_reg_base,
	.unit_name = amd_unit_name,
	.unit_flags = amd_unit_flags,
	.msi_index = irqp_amd_msi_index,
	.entry_read = amd_entry_read,
	.entry_posted = amd_entry_posted,
	.entry_check = irqp_amd_entry_check,
	.posted_check = amd_posted_check,
	.posted_repoint = amd_posted_repoint,
	.pi_decode = amd_pi_decode,
	.reserve = amd_reserve,
	.release = amd_release,
	.table_irta = amd_table_irta,
	.table_flush = amd_table_flush,
	.table_build = amd_table_build,
	.table_check = irqp_amd_table_check,
};

/*
 * Next kernel: is @d's handover table (@u) in this kernel's entry format,
 * with exactly its recorded entries? Why not, or NULL.
 */
static const char *amd_table_verify(const struct irqp_unit *u,
				    const struct irqp_dev *d)
{
	bool ga = d->flags & KEEPALIVE_IRQ_F_AMD_GA;
	const char *why = NULL;
	unsigned int i, j;
	void *va;

	if (ga != amd_ga())
		return "its remapping entries are not in this kernel's AMD-Vi format";
	if (u->entries != MAX_IRQS_PER_TABLE ||
	    u->bytes != PAGE_ALIGN(u->entries * (ga ? 16 : 4)))
		return "its handover remapping table is not this kernel's size";
	va = memremap(u->phys, u->bytes, MEMREMAP_WB);
	if (!va)
		return "its handover remapping table cannot be mapped";
	for (i = 0; i < u->entries && !why; i++) {
		struct irqp_irte e = {}, want = {};

		if (ga)
			e = ((struct irqp_irte *)va)[i];
		else
			e.lo = ((u32 *)va)[i];
		for (j = 0; j < d->nr_vecs; j++)
			if (d->vecs[j].irte == i)
				want = d->vecs[j].e;
		if (e.lo != want.lo || e.hi != want.hi)
			why = "its handover remapping table is not its recorded entries";
	}
	memunmap(va);
	return why;
}

/* Next kernel: check every incoming device of @iommu against its table. */
static void amd_tables_verify(struct amd_iommu *iommu)
{
	struct irqp_unit *u;
	struct irqp_dev *d;
	const char *why;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->incoming || !d->valid || d->ir_reg_base != iommu->mmio_phys)
			continue;
		why = "it has no handover remapping table";
		list_for_each_entry(u, &irqp_units, list)
			if (u->incoming && u->reg_base == d->ir_reg_base &&
			    u->devid == PCI_DEVID(d->bus, d->devfn))
				why = amd_table_verify(u, d);
		if (!why && d->segment != iommu->pci_seg->id)
			why = "its segment is not its unit's";
		if (!why)
			continue;
		d->why = why;
		d->valid = false;
		d->held = false;
		pr_err("resume: %04x:%02x:%02x.%d: %s: not adopted\n",
		       d->segment, d->bus, PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
		       why);
	}
}

/**
 * keepalive_irq_amd_setup() - AMD-Vi interrupt remapping is being set up
 *
 * For early_amd_iommu_init(), the units' remapping lookup tables
 * allocated, before any interrupt is allocated: makes AMD-Vi
 * irq_preserve's backend, reads the incoming records (once), checks each
 * kept device's handover table against its record and takes the entries
 * of the valid ones for reservation in their tables
 * (keepalive_irq_amd_table()).
 *
 * Context: Process context, early boot (enable_IR_x2apic()); takes
 * irqp_lock.
 */
void keepalive_irq_amd_setup(void)
{
	struct amd_iommu *iommu;

	irqp_hw = &irqp_amd;
	if (!amd_iommu_irq_remap)
		return;
	mutex_lock(&irqp_lock);
	irqp_record_read_once();
	for_each_iommu(iommu)
		amd_tables_verify(iommu);
	mutex_unlock(&irqp_lock);
	for_each_iommu(iommu)
		irqp_reserve_unit(iommu);
}

/**
 * keepalive_irq_amd_table() - a device's remapping table is allocated
 * @iommu: its unit
 * @devid: the device
 * @table: its new table, not installed yet
 *
 * For alloc_irq_table(): the entries a kept device's vectors took in the
 * previous kernel are marked in use in it, before any interrupt is
 * allocated from it.
 *
 * Context: Process context (interrupt allocation, no spinlock held);
 * takes irqp_lock.
 */
void keepalive_irq_amd_table(struct amd_iommu *iommu, u16 devid,
			     struct irq_remap_table *table)
{
	struct irqp_dev *d;
	unsigned int i, n = 0;

	mutex_lock(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->incoming || !d->valid || !d->reserved ||
		    d->ir_reg_base != iommu->mmio_phys ||
		    d->segment != iommu->pci_seg->id ||
		    PCI_DEVID(d->bus, d->devfn) != devid)
			continue;
		for (i = 0; i < d->nr_vecs; i++) {
			if (!d->vecs[i].reserved)
				continue;
			iommu->irte_ops->set_allocated(table, d->vecs[i].irte);
			n++;
		}
		pr_info("resume: %04x:%02x:%02x.%d: %u remapping entr%s marked in use in its new table\n",
			d->segment, d->bus, PCI_SLOT(d->devfn),
			PCI_FUNC(d->devfn), n, n == 1 ? "y" : "ies");
	}
	mutex_unlock(&irqp_lock);
}

/**
 * keepalive_irq_amd_irte() - a reserved entry for the vector being allocated?
 * @iommu: the unit allocating a remapping entry
 * @info: what for
 * @count: how many entries (1 for an MSI-X vector)
 *
 * For irq_remapping_alloc(), the device's table allocated: an adopted
 * device's MSI-X vector gets back the entry its message named in the
 * previous kernel.
 *
 * Context: Process context (interrupt allocation); takes irqp_lock when
 * entries are reserved.
 * Return: the entry's index, or -1: allocate a free one.
 */
int keepalive_irq_amd_irte(struct amd_iommu *iommu,
			   struct irq_alloc_info *info, unsigned int count)
{
	if (!info || info->type != X86_IRQ_ALLOC_TYPE_PCI_MSIX || count != 1 ||
	    !info->desc)
		return -1;
	return irqp_take_back(iommu->mmio_phys, msi_desc_to_pci_dev(info->desc),
			      info->desc->msi_index);
}

/**
 * keepalive_irq_amd_shutdown() - point held devices at their handover tables
 * @iommu: a unit being shut down for a kexec
 *
 * When the kexec carries a handover, the interrupt word of each held
 * device's live device table entry is pointed at the device's handover
 * table in the pool (its interrupt pass bits kept), and the unit's caches
 * are flushed. The IOMMU side then copies that word into its handover
 * device table. Call before the unit is disabled or switched.
 *
 * Context: disable_iommus(): interrupts off, the state machine in STOP
 * (irqp_units does not change any more, so it is read without irqp_lock,
 * which may not be taken here).
 */
void keepalive_irq_amd_shutdown(struct amd_iommu *iommu)
{
	struct dev_table_entry *dte;
	struct irqp_unit *u;
	unsigned int n = 0;

	if (irqp_hw != &irqp_amd || !keepalive_kexec_handover())
		return;
	list_for_each_entry(u, &irqp_units, list) {
		if (u->incoming || u->hw != iommu || !u->irta)
			continue;
		dte = &iommu->pci_seg->dev_table[u->devid];
		WRITE_ONCE(dte->data[2],
			   (dte->data[2] & ~AMD_DTE_IRQ_FIELDS) | u->irta);
		n++;
	}
	if (!n)
		return;
	iommu_flush_all_caches(iommu);
	pr_info("%s: %u held device(s) remapped through their handover tables across the kexec\n",
		amd_unit_name(iommu), n);
}
