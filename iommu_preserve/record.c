// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the IOMMU participant's node in the handover
 * image (abi/iommu.h), written at STOP and read, checked and claimed at
 * RESUME.
 *
 * Nothing read is trusted. A unit must be this machine's (same register
 * base, same capabilities, legacy mode) and its tables inside the pool; a
 * device's context entry must be the one its unit's handover root holds,
 * with a domain id and an address width the unit supports, and its tables
 * must lie inside its own pool range and map exactly its recorded ranges,
 * each inside a preserved memory file. A device that fails any check is
 * not adopted: the vfio participant resets it at enumeration.
 */
#define pr_fmt(fmt) "keepalive: iommu: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "ipr.h"

/* "unit@" and an int index. */
#define IPR_UNIT_NAME_MAX	sizeof(KEEPALIVE_IOMMU_UNIT_PREFIX "-2147483648")

static int set_range(void *fdt, int node, const struct ipr_arena *a)
{
	fdt64_t r[2] = {
		cpu_to_fdt64(a->phys),
		cpu_to_fdt64((u64)a->pages * IPR_PAGE_SIZE),
	};

	return fdt_setprop(fdt, node, KEEPALIVE_PROP_RANGES, r, sizeof(r));
}

static int write_unit(void *fdt, int parent, const struct ipr_unit *u)
{
	char name[IPR_UNIT_NAME_MAX];
	int node;

	snprintf(name, sizeof(name), KEEPALIVE_IOMMU_UNIT_PREFIX "%d", u->index);
	node = fdt_add_subnode(fdt, parent, name);
	if (node < 0)
		return node;
	return fdt_setprop_u64(fdt, node, KEEPALIVE_IOMMU_PROP_REG_BASE,
			       u->reg_base) ?:
	       fdt_setprop_u64(fdt, node, KEEPALIVE_IOMMU_PROP_CAP, u->cap) ?:
	       fdt_setprop_u64(fdt, node, KEEPALIVE_IOMMU_PROP_ECAP, u->ecap) ?:
	       fdt_setprop_u64(fdt, node, KEEPALIVE_IOMMU_PROP_ROOT, u->root) ?:
	       set_range(fdt, node, &u->tables);
}

/**
 * ipr_record_write_dev() - record one held device's translation
 * @fdt: the outgoing image
 * @parent: the participant's node
 * @d: the device, held, its unit with its unit@ index
 *
 * Adds the device's subnode "pci@<sbdf>" with its "translation",
 * "phys-ranges" and "iova-ranges" (abi/iommu.h).
 *
 * Context: Process context; ipr_lock held, or @d private to the caller.
 * Return: 0, or a libfdt error: -FDT_ERR_NOSPACE when the image is full,
 * -FDT_ERR_EXISTS when @parent already has a record of the device,
 * -FDT_ERR_BADVALUE when its place is out of range.
 */
int ipr_record_write_dev(void *fdt, int parent, const struct ipr_dev *d)
{
	u8 buf[sizeof(struct keepalive_iommu_amdvi_translation)] = {};
	struct keepalive_iommu_translation *t = (void *)buf;
	struct ipr_entry ce;
	fdt64_t *cells;
	unsigned int i;
	int node, ret;

	if (WARN_ON_ONCE(ipr_be->translation_size > sizeof(buf)))
		return -FDT_ERR_BADVALUE;
	/* Every translation begins with the fields of the VT-d one. */
	t->unit = cpu_to_be32(d->unit->index);
	t->domain_id = cpu_to_be16(d->did);
	ipr_be->entry_encode(d->top, d->did, d->agaw, &ce);
	ipr_be->entry_record(&ce, buf);

	node = keepalive_fdt_add_pci_node(fdt, parent, d->segment, d->bus,
					  d->devfn);
	if (node < 0)
		return node;
	ret = fdt_setprop(fdt, node, KEEPALIVE_IOMMU_PROP_TRANSLATION, buf,
			  ipr_be->translation_size) ?:
	      set_range(fdt, node, &d->tables);
	if (ret)
		return ret;
	ret = fdt_setprop_placeholder(fdt, node, KEEPALIVE_IOMMU_PROP_IOVA_RANGES,
				      d->ranges.nr * KEEPALIVE_IOMMU_RANGE_CELLS *
				      sizeof(*cells), (void **)&cells);
	if (ret)
		return ret;
	for (i = 0; i < d->ranges.nr; i++, cells += KEEPALIVE_IOMMU_RANGE_CELLS) {
		cells[0] = cpu_to_fdt64(d->ranges.r[i].iova);
		cells[1] = cpu_to_fdt64(d->ranges.r[i].phys);
		cells[2] = cpu_to_fdt64(d->ranges.r[i].len);
		cells[3] = cpu_to_fdt64(d->ranges.r[i].prot);
	}
	return 0;
}

/**
 * ipr_record_write() - record every unit's handover root and held device
 * @fdt: the outgoing image
 * @node: the participant's node
 *
 * Context: Process context; ipr_lock held; after ipr_units_build().
 * Return: 0, or a libfdt error (-FDT_ERR_NOSPACE when the image is full).
 */
int ipr_record_write(void *fdt, int node)
{
	struct ipr_unit *u;
	struct ipr_dev *d;
	int ret;

	lockdep_assert_held(&ipr_lock);
	list_for_each_entry(u, &ipr_units, list) {
		if (u->index < 0)
			continue;
		ret = write_unit(fdt, node, u);
		if (ret)
			return ret;
	}
	list_for_each_entry(d, &ipr_devs, list) {
		if (!d->held)
			continue;
		ret = ipr_record_write_dev(fdt, node, d);
		if (ret)
			return ret;
	}
	return 0;
}

/* Claim the one phys-ranges pair of @node into @a. */
static int claim_range(const void *fdt, int node, struct ipr_arena *a)
{
	const fdt64_t *r = keepalive_fdt_prop(fdt, node, KEEPALIVE_PROP_RANGES,
				2 * sizeof(fdt64_t));
	u64 phys, len;
	void *va;

	if (!r)
		return -EINVAL;
	phys = fdt64_ld(&r[0]);
	len = fdt64_ld(&r[1]);
	if (!len || len % IPR_PAGE_SIZE || len / IPR_PAGE_SIZE > UINT_MAX)
		return -EINVAL;
	va = keepalive_pool_claim(phys, len);
	if (IS_ERR(va))
		return PTR_ERR(va);
	*a = (struct ipr_arena) {
		.va = va, .phys = phys, .pages = len / IPR_PAGE_SIZE,
		.used = len / IPR_PAGE_SIZE,
	};
	return 0;
}

static void arena_free(struct ipr_arena *a)
{
	if (a->va)
		keepalive_pool_free(a->va, (size_t)a->pages * IPR_PAGE_SIZE);
	*a = (struct ipr_arena) {};
}

static bool arena_table(void *ctx, u64 phys, const u64 **table)
{
	struct ipr_arena *a = ctx;

	if (!IS_ALIGNED(phys, IPR_PAGE_SIZE) ||
	    !ipr_in_arena(a, phys, IPR_PAGE_SIZE))
		return false;
	*table = a->va + (phys - a->phys);
	return true;
}

static const char *read_unit(const void *fdt, int node, struct ipr_unit *u)
{
	const char *why;
	void *hw;

	if (keepalive_fdt_u64(fdt, node, KEEPALIVE_IOMMU_PROP_REG_BASE, &u->reg_base) ||
	    keepalive_fdt_u64(fdt, node, KEEPALIVE_IOMMU_PROP_CAP, &u->cap) ||
	    keepalive_fdt_u64(fdt, node, KEEPALIVE_IOMMU_PROP_ECAP, &u->ecap) ||
	    keepalive_fdt_u64(fdt, node, KEEPALIVE_IOMMU_PROP_ROOT, &u->root))
		return "malformed";
	hw = ipr_be->unit_find(u->reg_base);
	if (!hw)
		return "no such unit here (or DMAR not parsed yet: interrupt remapping off)";
	why = ipr_be->unit_check(hw, u);
	if (why)
		return why;
	if (claim_range(fdt, node, &u->tables))
		return "its tables are not a free pool range";
	if (!ipr_in_arena(&u->tables, u->root, IPR_PAGE_SIZE) ||
	    !IS_ALIGNED(u->root, IPR_PAGE_SIZE)) {
		arena_free(&u->tables);
		return "its root is outside its tables";
	}
	u->hw = hw;
	return NULL;
}

static struct ipr_unit *unit_at(int index)
{
	struct ipr_unit *u;

	list_for_each_entry(u, &ipr_units, list)
		if (u->index == index)
			return u;
	return NULL;
}

/**
 * ipr_record_read_ranges() - a device's recorded IOVA ranges, not checked
 * @fdt: an image
 * @node: the device's subnode
 * @d: the device: its ranges are set, in a new array
 *
 * Context: Process context.
 * Return: 0; -EINVAL when "iova-ranges" is missing or not whole entries;
 * -E2BIG beyond KEEPALIVE_IOMMU_MAX_RANGES; -ENOMEM.
 */
int ipr_record_read_ranges(const void *fdt, int node, struct ipr_dev *d)
{
	const fdt64_t *c;
	unsigned int i, n;
	int len;

	c = fdt_getprop(fdt, node, KEEPALIVE_IOMMU_PROP_IOVA_RANGES, &len);
	if (!c || len % (KEEPALIVE_IOMMU_RANGE_CELLS * sizeof(*c)))
		return -EINVAL;
	n = len / (KEEPALIVE_IOMMU_RANGE_CELLS * sizeof(*c));
	if (n > KEEPALIVE_IOMMU_MAX_RANGES)
		return -E2BIG;
	d->ranges.r = kcalloc(n, sizeof(*d->ranges.r), GFP_KERNEL);
	if (n && !d->ranges.r)
		return -ENOMEM;
	for (i = 0; i < n; i++, c += KEEPALIVE_IOMMU_RANGE_CELLS)
		d->ranges.r[i] = (struct ipr_range) {
			.iova = fdt64_ld(&c[0]), .phys = fdt64_ld(&c[1]),
			.len = fdt64_ld(&c[2]), .prot = fdt64_ld(&c[3]),
		};
	d->ranges.nr = n;
	d->ranges.max = n;
	return 0;
}

/**
 * ipr_dev_check() - may a handed-over device's translation be adopted?
 * @d: the device: its unit with the unit's tables claimed, its place, its
 *	own tables claimed and its recorded ranges
 * @ce: its recorded entry (VT-d: context entry)
 * @did: its recorded domain id
 * @backs: whether a physical range lies inside one preserved memory file
 *
 * Checks the entry, the domain id and the address width against the
 * unit's recorded capabilities, that the handover root holds exactly this
 * entry, and that the tables, read only inside the device's own range,
 * map exactly the recorded ranges, each inside a preserved file. Sets
 * @d->top and @d->agaw.
 *
 * Context: Process context.
 * Return: NULL when the device may be adopted; otherwise why not, for the
 * log.
 */
const char *ipr_dev_check(struct ipr_dev *d, const struct ipr_entry *ce,
			  u32 did, ipr_backs_fn backs)
{
	struct ipr_unit *u = d->unit;
	struct ipr_ranges walked = {};
	const char *why;
	unsigned int i;
	u16 cdid;
	int ret;

	if (ipr_be->entry_decode(ce, &d->top, &cdid, &d->agaw))
		return "its context entry is not one this kernel adopts";
	if (cdid != did)
		return "its domain id is out of range or disagrees with its context entry";
	why = ipr_be->entry_check(u, did, d->agaw);
	if (why)
		return why;
	why = ipr_be->root_check(&u->tables, u->root, d->bus, d->devfn, ce);
	if (why)
		return why;
	if (ipr_ranges_check(ipr_be->pt, d->ranges.r, d->ranges.nr, d->agaw))
		return "its IOVA ranges are malformed";
	walked.max = d->ranges.nr;
	walked.r = kcalloc(max(1U, walked.max), sizeof(*walked.r), GFP_KERNEL);
	if (!walked.r)
		return "out of memory";
	ret = ipr_pgtable_walk(ipr_be->pt, d->top, d->agaw, arena_table,
			       &d->tables, ipr_ranges_add, &walked);
	if (!ret && !ipr_ranges_equal(walked.r, walked.nr, d->ranges.r,
				      d->ranges.nr))
		ret = -EINVAL;
	kfree(walked.r);
	if (ret)
		return "its tables do not map exactly its IOVA ranges from its own range";
	for (i = 0; i < d->ranges.nr; i++)
		if (!backs(d->ranges.r[i].phys, d->ranges.r[i].len))
			return "a range is not inside a preserved memory file";
	return NULL;
}

/* Check one device's record against its unit; NULL when it may be adopted. */
static const char *check_dev(const void *fdt, int node, struct ipr_dev *d,
			     const struct ipr_entry *ce, u32 did)
{
	const char *why;
	struct ipr_dev *o;

	if (claim_range(fdt, node, &d->tables))
		return "its tables are not a free pool range";
	if (ipr_record_read_ranges(fdt, node, d))
		return "its IOVA ranges are malformed";
	why = ipr_dev_check(d, ce, did, keepalive_memfd_backs);
	if (why)
		return why;
	list_for_each_entry(o, &ipr_devs, list)
		if (o->unit == d->unit && o->did == did)
			return "its domain id is another device's";
	return NULL;
}

/**
 * ipr_record_parse_dev() - what a device's record says, not checked yet
 * @fdt: an image
 * @node: a subnode of the participant's node that is not a unit@ one
 * @r: out: the device's place, unit index, domain id and context entry
 *
 * The place comes from the node's name, which must be the canonical
 * "pci@<sbdf>" (keepalive_fdt_pci_place()); the rest from its
 * "translation", which must be exactly one of the backend's (struct
 * keepalive_iommu_translation, or its AMD-Vi variant), its reserved field
 * zero and its unit index an int. Nothing is checked against the machine or the tables:
 * ipr_dev_check() does that.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when the name or the "translation" is malformed.
 */
int ipr_record_parse_dev(const void *fdt, int node, struct ipr_dev_record *r)
{
	const struct keepalive_iommu_translation *t;

	t = keepalive_fdt_prop(fdt, node, KEEPALIVE_IOMMU_PROP_TRANSLATION,
			       ipr_be->translation_size);
	if (!t || keepalive_fdt_pci_place(fdt, node, &r->segment, &r->bus,
					  &r->devfn) ||
	    t->reserved || be32_to_cpu(t->unit) > INT_MAX)
		return -EINVAL;
	r->unit = be32_to_cpu(t->unit);
	r->did = be16_to_cpu(t->domain_id);
	ipr_be->entry_parse(t, &r->ce);
	return 0;
}

static void read_dev(const void *fdt, int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	struct ipr_dev_record r;
	struct ipr_dev *d;
	const char *why;

	if (ipr_record_parse_dev(fdt, node, &r)) {
		pr_err("resume: %s is malformed: its device is not adopted\n",
		       name);
		return;
	}
	if (ipr_find(r.segment, r.bus, r.devfn)) {
		pr_err("resume: %s: %04x:%02x:%02x.%d is recorded twice: not adopted\n",
		       name, r.segment, r.bus, PCI_SLOT(r.devfn),
		       PCI_FUNC(r.devfn));
		return;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return;
	d->segment = r.segment;
	d->bus = r.bus;
	d->devfn = r.devfn;
	d->unit = unit_at(r.unit);
	if (!d->unit || !d->unit->hw)
		why = "its unit was not adopted";
	else if (r.segment != ipr_be->unit_segment(d->unit->hw))
		why = "its unit is on another PCI segment";
	else
		why = check_dev(fdt, node, d, &r.ce, r.did);
	/* Its files can be neither destroyed nor reused while it is held. */
	if (!why && ipr_files_hold(d, NULL))
		why = "its files cannot be held";
	if (why) {
		pr_err("resume: %04x:%02x:%02x.%d: %s: not adopted\n", r.segment,
		       r.bus, PCI_SLOT(r.devfn), PCI_FUNC(r.devfn), why);
		/* The previous kernel's root may point at its tables still. */
		ipr_retire(d);
		return;
	}
	d->did = r.did;
	d->incoming = true;
	list_add_tail(&d->list, &ipr_devs);
	pr_info("resume: %04x:%02x:%02x.%d: %u range(s), domain id %u: valid\n",
		r.segment, r.bus, PCI_SLOT(r.devfn), PCI_FUNC(r.devfn),
		d->ranges.nr, r.did);
}

/**
 * ipr_record_read() - read, check and claim the incoming units and devices
 * @fdt: the incoming image
 * @node: the participant's node
 *
 * A unit or device that fails a check is logged and left out: its devices
 * are not adopted. So is a subnode that is neither a unit@ nor a
 * canonical "pci@<sbdf>" one.
 *
 * Context: Process context, boot; ipr_lock held.
 * Return: 0, or -EINVAL when the node's subnodes cannot be walked.
 */
int ipr_record_read(const void *fdt, int node)
{
	int child, index;

	lockdep_assert_held(&ipr_lock);
	fdt_for_each_subnode(child, fdt, node) {
		const char *name = fdt_get_name(fdt, child, NULL);
		struct ipr_unit *u;
		const char *why;

		if (!name || sscanf(name, KEEPALIVE_IOMMU_UNIT_PREFIX "%d",
				    &index) != 1)
			continue;
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (!u)
			return -ENOMEM;
		u->index = index;
		why = index < 0 || unit_at(index) ? "duplicate index" :
		      read_unit(fdt, child, u);
		if (why) {
			pr_err("resume: %s: %s: its devices are not adopted\n",
			       name, why);
			u->hw = NULL;
		}
		list_add_tail(&u->list, &ipr_units);
	}
	if (child != -FDT_ERR_NOTFOUND)
		return -EINVAL;
	/* Every other subnode is a device's, or malformed. */
	fdt_for_each_subnode(child, fdt, node) {
		const char *name = fdt_get_name(fdt, child, NULL);

		if (!name || sscanf(name, KEEPALIVE_IOMMU_UNIT_PREFIX "%d",
				    &index) != 1)
			read_dev(fdt, child);
	}
	return 0;
}
