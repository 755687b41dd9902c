// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the next kernel's side of a preserved
 * translation, and the per-device operations that concern an adopted
 * device.
 *
 * From the kexec until init_dmars() the unit translates through the
 * handover root the previous kernel left programmed. init_dmars() keeps
 * translation on (it asks keepalive_iommu_handed_over()) and,
 * instead of the kdump copy of every context entry, copies the entries of
 * the kept devices whose records were valid (ipr_adopt()),
 * reserves their domain ids and holds them, before it installs its new
 * root: every other device on the unit is blocked until its own domain is
 * attached, as on a cold boot, with no deferred attach.
 *
 * A held device stays on its handover tables while its VMM reclaims it,
 * attaches its container and maps its memory: the attach writes nothing.
 * At POST-RESUME each reclaimed device whose VMM's domain maps every
 * handover range is switched to that domain in one write (capture.c); the
 * others stay held until CONCLUDE, when vfio_keepalive has reset what
 * nobody reclaimed, and the handover tables are freed.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/io.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/device.h>
#include <linux/keepalive/pci.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "ipr.h"

/**
 * ipr_covered() - does the device's domain map all its handover ranges?
 * @d: a held device in the next kernel
 *
 * Context: Process context; ipr_lock held.
 * Return: 0 when the device is open with its token (ipr_claim_device())
 * and attached to an unmanaged (VMM's) domain that maps every handover
 * range to the same memory with at least the same access; -EAGAIN when it
 * is not open with its token, or on no such domain (not reclaimed);
 * -EBUSY (logged with the first IOVA missing) when the domain does not
 * map them yet; -ENOMEM.
 */
int ipr_covered(struct ipr_dev *d)
{
	struct ipr_ranges now = {};
	unsigned int i, j = 0;
	int ret;

	/*
	 * A container attach needs no token (vfio attaches the group before
	 * any device fd can be opened): only the domain of the VMM that holds
	 * the device open with its token may receive it.
	 */
	if (!d->claimed)
		return -EAGAIN;
	ret = ipr_be->vmm_ranges(d->pdev, &now);
	if (ret)
		return ret;
	for (i = 0; i < d->ranges.nr; i++) {
		const struct ipr_range *h = &d->ranges.r[i];

		while (j < now.nr && now.r[j].iova + now.r[j].len <= h->iova)
			j++;
		if (j == now.nr || now.r[j].iova > h->iova ||
		    now.r[j].iova + now.r[j].len < h->iova + h->len ||
		    now.r[j].phys - now.r[j].iova != h->phys - h->iova ||
		    (now.r[j].prot & h->prot) != h->prot) {
			pci_err(d->pdev, "keepalive: its VMM's domain does not map IOVA %#llx (%#llx bytes) as before the kexec\n",
				h->iova, h->len);
			ret = -EBUSY;
			break;
		}
	}
	kfree(now.r);
	return ret;
}

/**
 * ipr_adopt() - copy the valid kept devices' entries to a new root
 * @hw: a unit the previous kernel left translating, with its new (empty)
 *	root table allocated and not yet installed
 *
 * Context: init_dmars(), boot; dmar_global_lock held.
 */
void ipr_adopt(void *hw)
{
	const char *name = ipr_be->unit_name(hw);
	struct ipr_dev *d;
	unsigned int n = 0;

	mutex_lock(&ipr_lock);
	list_for_each_entry(d, &ipr_devs, list) {
		struct ipr_entry ce;

		if (!d->incoming || d->held || d->unit->hw != hw)
			continue;
		/* Stopped at enumeration, or not there: nothing to keep. */
		if (keepalive_pci_kept_unadopted(d->segment, d->bus,
						 d->devfn)) {
			pr_info("%s: %04x:%02x:%02x.%d was not adopted: its handover translation is not kept\n",
				name, d->segment, d->bus,
				PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
			continue;
		}
		ipr_be->entry_encode(d->top, d->did, d->agaw, &ce);
		if (ipr_held_map_prepare(hw) ||
		    ipr_be->entry_adopt(hw, d->bus, d->devfn, &ce, d->did)) {
			pr_err("%s: no memory for %02x:%02x.%d's entry: it is blocked\n",
			       name, d->bus, PCI_SLOT(d->devfn),
			       PCI_FUNC(d->devfn));
			continue;
		}
		d->did_reserved = true;
		d->held = true;
		n++;
	}
	mutex_unlock(&ipr_lock);
	pr_info("%s: translation kept on, %u kept device(s) held on their handover tables\n",
		name, n);
}

/**
 * ipr_confined() - is this kept device's DMA translated by us?
 * @kd: a kept or adopted device
 *
 * Context: Process context; takes ipr_lock.
 * Return: true when its DMA goes through handover tables: held in this
 * kernel, or handed over with a valid record (the previous kernel's root
 * translates it until init_dmars() adopts it).
 */
bool ipr_confined(struct keepalive_device *kd)
{
	struct ipr_dev *d;
	bool ret;

	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	ret = d && (d->held || d->incoming);
	mutex_unlock(&ipr_lock);
	return ret;
}

/**
 * ipr_claim_device() - a handed-over device is open by its VMM, or not
 * @kd: a device adopted in this kernel
 * @claimed: true when its VMM opened it with its token, false at its close
 *
 * POST-RESUME switches a held device only to the domain of the VMM that
 * holds it open with its token: a container attached without the token
 * (a group attach needs none) never receives it.
 *
 * Context: Process context (vfio-pci's open and close); takes ipr_lock.
 */
void ipr_claim_device(struct keepalive_device *kd, bool claimed)
{
	struct ipr_dev *d;

	mutex_lock(&ipr_lock);
	d = ipr_dev_of(kd);
	if (d && d->incoming)
		d->claimed = claimed;
	mutex_unlock(&ipr_lock);
}

/*
 * Early adoption, for a driver whose whole init runs from interrupt
 * remapping setup (AMD-Vi: enable_IR_x2apic(), before any initcall, so
 * before RESUME, the pool allocator and the memfd records). It installs
 * its new root then; the kept devices' entries must be in it. What can be
 * checked without an initcall is checked at once, on the pool memory the
 * records name, mapped only for the check: the unit's capabilities and
 * live root, each entry and domain id, that the handover root holds it,
 * and that the device's tables, inside its own range, map exactly its
 * recorded ranges, inside the pool. Each recorded device that fails is
 * blocked in the new root. RESUME then reads the records again with
 * every check (claims, preserved files) and settles: an early-adopted
 * device whose record fails then is blocked and its domain id freed
 * (ipr_early_settle()), and one that passes is held as ipr_adopt() would
 * have held it.
 */
struct ipr_early {
	struct list_head list;
	void *hw;
	u32 segment;
	u8 bus, devfn;
	u16 did;
};

/* Early adoptions not settled yet, and the units they were made on. */
static LIST_HEAD(ipr_early_list);
static void *ipr_early_units[KEEPALIVE_IOMMU_MAX_UNITS];
static unsigned int ipr_early_nr_units;

/* The participant's incoming node, before RESUME; negative when none. */
static int early_node(const void **fdt)
{
	static bool said;
	int node = keepalive_incoming_node(KEEPALIVE_IOMMU_NODE,
					   ipr_be->compatible, fdt);

	if (node == -EPROTO && !said) {
		said = true;
		pr_err("resume: the DMA translation records are not %s: no device is adopted\n",
		       ipr_be->compatible);
	}
	return node;
}

/* The unit@ node of @hw, by its register base, with its index. */
static int early_unit_node(const void *fdt, int node, void *hw, int *index)
{
	struct ipr_unit u = {};
	int child;

	ipr_be->unit_describe(hw, &u);
	fdt_for_each_subnode(child, fdt, node) {
		const char *name = fdt_get_name(fdt, child, NULL);
		u64 reg;

		if (!name || sscanf(name, KEEPALIVE_IOMMU_UNIT_PREFIX "%d",
				    index) != 1)
			continue;
		if (!keepalive_fdt_u64(fdt, child,
				       KEEPALIVE_IOMMU_PROP_REG_BASE, &reg) &&
		    reg == u.reg_base)
			return child;
	}
	return -ENOENT;
}

/* Map the one phys-ranges pair of @node, inside the pool, into @a. */
static int early_map(const void *fdt, int node, struct ipr_arena *a)
{
	const fdt64_t *r = keepalive_fdt_prop(fdt, node, KEEPALIVE_PROP_RANGES,
					      2 * sizeof(fdt64_t));
	u64 phys, len;

	if (!r)
		return -EINVAL;
	phys = fdt64_ld(&r[0]);
	len = fdt64_ld(&r[1]);
	if (!len || len % IPR_PAGE_SIZE || !IS_ALIGNED(phys, IPR_PAGE_SIZE) ||
	    len / IPR_PAGE_SIZE > UINT_MAX || !keepalive_pool_contains(phys, len))
		return -EINVAL;
	a->va = memremap(phys, len, MEMREMAP_WB);
	if (!a->va)
		return -ENOMEM;
	a->phys = phys;
	a->pages = len / IPR_PAGE_SIZE;
	a->used = a->pages;
	return 0;
}

static void early_unmap(struct ipr_arena *a)
{
	if (a->va)
		memunmap(a->va);
	*a = (struct ipr_arena) {};
}

/* Check @hw's unit@ node @unode into @u (its tables mapped); NULL if valid. */
static const char *early_unit(const void *fdt, int unode, void *hw,
			      struct ipr_unit *u)
{
	const char *why;

	if (keepalive_fdt_u64(fdt, unode, KEEPALIVE_IOMMU_PROP_REG_BASE, &u->reg_base) ||
	    keepalive_fdt_u64(fdt, unode, KEEPALIVE_IOMMU_PROP_CAP, &u->cap) ||
	    keepalive_fdt_u64(fdt, unode, KEEPALIVE_IOMMU_PROP_ECAP, &u->ecap) ||
	    keepalive_fdt_u64(fdt, unode, KEEPALIVE_IOMMU_PROP_ROOT, &u->root))
		return "malformed";
	why = ipr_be->unit_check(hw, u);
	if (why)
		return why;
	if (early_map(fdt, unode, &u->tables))
		return "its tables are not inside the pool";
	if (ipr_be->unit_root(hw) != u->root)
		return "the unit does not read its handover root";
	u->hw = hw;
	return NULL;
}

/* Check and adopt one recorded device of unit @u; NULL when adopted. */
static const char *early_dev(const void *fdt, int node, struct ipr_unit *u,
			     const struct ipr_dev_record *r)
{
	struct ipr_dev d = {
		.unit = u, .segment = r->segment, .bus = r->bus,
		.devfn = r->devfn,
	};
	struct ipr_early *e = NULL, *o;
	struct ipr_entry live;
	const char *why = NULL;

	list_for_each_entry(o, &ipr_early_list, list)
		if (o->hw == u->hw && (o->did == r->did ||
				       (o->bus == r->bus && o->devfn == r->devfn)))
			return "its domain id or its place is another record's";
	if (early_map(fdt, node, &d.tables))
		return "its tables are not inside the pool";
	if (ipr_record_read_ranges(fdt, node, &d))
		why = "its IOVA ranges are malformed";
	if (!why)
		why = ipr_dev_check(&d, &r->ce, r->did, keepalive_pool_contains);
	if (!why && ipr_be->root_read(&u->tables, u->root, r->bus, r->devfn,
				      &live))
		why = "the handover root cannot be read";
	if (!why && ipr_held_map_prepare(u->hw))
		why = "out of memory";
	if (!why) {
		e = kzalloc(sizeof(*e), GFP_KERNEL);
		if (!e)
			why = "out of memory";
	}
	if (!why && ipr_be->entry_adopt(u->hw, r->bus, r->devfn, &live,
					r->did)) {
		why = "its handover entry carries interrupts outside the pool";
		kfree(e);
	}
	if (!why) {
		*e = (struct ipr_early) {
			.hw = u->hw, .segment = r->segment, .bus = r->bus,
			.devfn = r->devfn, .did = r->did,
		};
		list_add_tail(&e->list, &ipr_early_list);
	}
	kfree(d.ranges.r);
	early_unmap(&d.tables);
	return why;
}

/**
 * ipr_early_handed_over() - before RESUME: was this unit left on for us?
 * @hw: a unit found translating at boot
 *
 * Context: Process context, early boot (before any initcall).
 * Return: true when the incoming image, of this backend's compatible,
 * has a unit@ record with @hw's register base (valid or not), or when the
 * kept-device list names a device on @hw's segment (the image refused, or
 * no node of ours): the unit stays on, and ipr_early_adopt() blocks every
 * kept device it does not adopt, never left to DMA untranslated.
 */
bool ipr_early_handed_over(void *hw)
{
	u32 segment = ipr_be->unit_segment(hw), sbdf;
	const void *fdt;
	int node, index;
	unsigned int i;

	node = early_node(&fdt);
	if (node >= 0 && early_unit_node(fdt, node, hw, &index) >= 0)
		return true;
	/* A kept device on its segment, whatever became of the image. */
	for (i = 0; keepalive_pci_kept_at(i, &sbdf); i++)
		if (sbdf >> 16 == segment)
			return true;
	return false;
}

/* Was the device at @bus/@devfn of @hw adopted early? */
static bool early_adopted(void *hw, u8 bus, u8 devfn)
{
	struct ipr_early *e;

	list_for_each_entry(e, &ipr_early_list, list)
		if (e->hw == hw && e->bus == bus && e->devfn == devfn)
			return true;
	return false;
}

/*
 * Block every device of @hw's segment the kept-device list names and no
 * record adopted: it may still be running, and stays blocked until PCI
 * enumeration stops it and its next owner's domain is attached.
 */
static unsigned int early_block_kept(void *hw)
{
	u32 segment = ipr_be->unit_segment(hw), sbdf;
	unsigned int i, n = 0;

	for (i = 0; keepalive_pci_kept_at(i, &sbdf); i++) {
		u8 bus = (sbdf >> 8) & 0xff, devfn = sbdf & 0xff;

		if (sbdf >> 16 != segment || early_adopted(hw, bus, devfn))
			continue;
		ipr_be->entry_block(hw, bus, devfn);
		n++;
	}
	return n;
}

/**
 * ipr_early_adopt() - before RESUME: copy the kept devices' entries
 * @hw: a unit ipr_early_handed_over() said yes for, its new root allocated
 *	and not yet installed
 *
 * Context: Process context, early boot (before any initcall); takes
 * ipr_lock.
 */
void ipr_early_adopt(void *hw)
{
	const char *name = ipr_be->unit_name(hw), *uwhy;
	unsigned int n = 0, blocked = 0;
	struct ipr_unit u = {};
	int node, unode, child;
	const void *fdt;

	node = early_node(&fdt);
	unode = node < 0 ? node : early_unit_node(fdt, node, hw, &u.index);
	mutex_lock(&ipr_lock);
	if (unode < 0)
		goto block_kept;
	if (ipr_early_nr_units < ARRAY_SIZE(ipr_early_units))
		ipr_early_units[ipr_early_nr_units++] = hw;
	uwhy = early_unit(fdt, unode, hw, &u);
	if (uwhy)
		pr_err("resume: %s: unit@%d: %s: its devices are blocked\n",
		       name, u.index, uwhy);
	fdt_for_each_subnode(child, fdt, node) {
		struct ipr_dev_record r = {};
		const char *why;

		if (child == unode ||
		    keepalive_fdt_pci_place(fdt, child, &r.segment, &r.bus,
					    &r.devfn))
			continue;
		if (r.segment != ipr_be->unit_segment(hw))
			continue;
		if (ipr_record_parse_dev(fdt, child, &r))
			why = "its record is malformed";
		else if (r.unit != u.index)
			continue;
		else
			why = uwhy ?: early_dev(fdt, child, &u, &r);
		if (!why) {
			n++;
			continue;
		}
		if (ipr_be->entry_block)
			ipr_be->entry_block(hw, r.bus, r.devfn);
		pr_err("resume: %04x:%02x:%02x.%d: %s: not adopted, blocked\n",
		       r.segment, r.bus, PCI_SLOT(r.devfn), PCI_FUNC(r.devfn),
		       why);
	}
	early_unmap(&u.tables);
block_kept:
	if (ipr_be->entry_block)
		blocked = early_block_kept(hw);
	mutex_unlock(&ipr_lock);
	pr_info("%s: translation kept on, %u kept device(s) held on their handover tables, %u blocked\n",
		name, n, blocked);
}

static bool early_unit_seen(void *hw)
{
	unsigned int i;

	for (i = 0; i < ipr_early_nr_units; i++)
		if (ipr_early_units[i] == hw)
			return true;
	return false;
}

/**
 * ipr_early_settle() - RESUME: square the early adoptions with the records
 *
 * After ipr_record_read() (or with nothing read, for the fallback): each
 * early-adopted device whose record passed every check is held, its
 * domain id reserved; any other is blocked, its domain id freed. A
 * device the records accept but that was not adopted early (it was
 * blocked then) is not adopted now either.
 *
 * Context: Process context; ipr_lock held.
 */
void ipr_early_settle(void)
{
	struct ipr_early *e, *next;
	struct ipr_dev *d, *dn;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry_safe(e, next, &ipr_early_list, list) {
		d = ipr_find(e->segment, e->bus, e->devfn);
		if (d && d->incoming && d->unit->hw == e->hw &&
		    d->did == e->did) {
			d->held = true;
			d->did_reserved = true;
		} else {
			ipr_be->entry_release(e->hw, e->bus, e->devfn, NULL,
					      e->did);
			ipr_be->did_free(e->hw, e->did);
			pr_err("resume: %04x:%02x:%02x.%d: its record fails the full checks: not adopted, blocked\n",
			       e->segment, e->bus, PCI_SLOT(e->devfn),
			       PCI_FUNC(e->devfn));
		}
		list_del(&e->list);
		kfree(e);
	}
	list_for_each_entry_safe(d, dn, &ipr_devs, list) {
		if (!d->incoming || d->held || !d->unit->hw ||
		    !early_unit_seen(d->unit->hw))
			continue;
		pr_err("resume: %04x:%02x:%02x.%d: blocked at the unit's setup: not adopted\n",
		       d->segment, d->bus, PCI_SLOT(d->devfn),
		       PCI_FUNC(d->devfn));
		list_del(&d->list);
		ipr_retire(d);
	}
}
