// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the interrupt participant's node in the handover
 * image (abi/irq.h), written at STOP and read and checked in the next
 * kernel before any interrupt is allocated.
 *
 * Nothing read is trusted. A record must describe an MSI-X capability the
 * hold left enabled and masked; each armed vector's message must name the
 * remapping entry recorded with it, and that entry must be one a kept
 * device may have (irqp_irte_check(): present, remapped, a vector of at
 * least 0x20, a destination valid in the recorded APIC mode, the device's
 * own source id); no entry may be named twice on a unit. A posted vector
 * must name its preserved descriptor. A device whose record fails is not
 * adopted: the vfio participant resets it at enumeration.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "irqp.h"

/* The incoming records were parsed (see irqp_record_read_once()). */
static bool read_done;

/* A bitmap of @nr bits as u64 words: vector n in bit n % 64 of word n / 64. */
static void put_bits(u8 *out, const unsigned long *bits, unsigned int nr)
{
	unsigned int i;
	u64 w;

	for (i = 0; i < KEEPALIVE_IRQ_MSIX_WORDS(nr); i++) {
		bitmap_to_arr64(&w, bits + BITS_TO_LONGS(64) * i,
				min(64U, nr - 64 * i));
		put_unaligned_be64(w, out + 8 * i);
	}
}

/**
 * irqp_vec_record() - the record of an armed vector
 * @v: the vector, as the hold found it
 * @out: out: its struct keepalive_irq_vector
 *
 * Context: Any context.
 * Return: 0; -EINVAL when its vector index is not below
 * KEEPALIVE_IRQ_MAX_VECTORS or its entry index does not fit in 16 bits
 * (@out is left alone).
 */
int irqp_vec_record(const struct irqp_vec *v, void *out)
{
	if (v->vector >= KEEPALIVE_IRQ_MAX_VECTORS || v->irte > U16_MAX)
		return -EINVAL;
	*(struct keepalive_irq_vector *)out = (struct keepalive_irq_vector) {
		.vector = cpu_to_be16(v->vector),
		.irte = cpu_to_be16(v->irte),
		.addr_lo = cpu_to_be32(v->addr_lo),
		.addr_hi = cpu_to_be32(v->addr_hi),
		.data = cpu_to_be32(v->data),
		.irte_lo = cpu_to_be64(v->e.lo),
		.irte_hi = cpu_to_be64(v->e.hi),
	};
	return 0;
}

static int write_dev(void *fdt, int parent, const struct irqp_dev *d)
{
	struct keepalive_irq_msix m = {
		.cap = cpu_to_be16(d->cap),
		.control = cpu_to_be16(d->control),
		.nr_vectors = cpu_to_be16(d->nr),
		.flags = cpu_to_be16(d->flags),
		.table = cpu_to_be32(d->table),
		.pba = cpu_to_be32(d->pba),
		.ir_reg_base = cpu_to_be64(d->ir_reg_base),
	};
	struct keepalive_irq_vector *v, one;
	unsigned int i;
	int node, ret;
	u8 *msix;

	/* The capture cannot make these: refuse before writing anything. */
	if (WARN_ON_ONCE(d->segment > 0xffff || !d->nr ||
			 d->nr > KEEPALIVE_IRQ_MAX_VECTORS))
		return -FDT_ERR_BADVALUE;
	for (i = 0; i < d->nr_vecs; i++)
		if (WARN_ON_ONCE(irqp_vec_record(&d->vecs[i], &one)))
			return -FDT_ERR_BADVALUE;

	node = keepalive_fdt_add_pci_node(fdt, parent, d->segment, d->bus,
					  d->devfn);
	if (node < 0)
		return node;
	ret = fdt_setprop_placeholder(fdt, node, KEEPALIVE_IRQ_PROP_MSIX,
				      KEEPALIVE_IRQ_MSIX_SIZE(d->nr),
				      (void **)&msix);
	if (ret)
		return ret;
	memcpy(msix, &m, sizeof(m));
	put_bits(msix + sizeof(m), d->armed, d->nr);
	put_bits(msix + sizeof(m) + 8 * KEEPALIVE_IRQ_MSIX_WORDS(d->nr),
		 d->pending, d->nr);
	ret = fdt_setprop_placeholder(fdt, node, KEEPALIVE_IRQ_PROP_VECTORS,
				      d->nr_vecs * sizeof(*v), (void **)&v);
	if (ret)
		return ret;
	for (i = 0; i < d->nr_vecs; i++)
		irqp_vec_record(&d->vecs[i], &v[i]);
	return 0;
}

/**
 * irqp_units_write() - record every unit's handover table at STOP
 * @fdt: the outgoing image
 * @node: the participant's node
 *
 * Context: Process context; irqp_lock held.
 * Return: 0, or a libfdt error (-FDT_ERR_NOSPACE when the image is full).
 */
int irqp_units_write(void *fdt, int node)
{
	struct irqp_unit *u;
	unsigned int n = 0;
	char name[32];
	int sub, ret;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry(u, &irqp_units, list) {
		fdt64_t r[2] = { cpu_to_fdt64(u->phys), cpu_to_fdt64(u->bytes) };

		if (u->incoming || !u->irta)
			continue;
		snprintf(name, sizeof(name), KEEPALIVE_IRQ_TABLE_NODE_PREFIX "%x",
			 n++);
		sub = fdt_add_subnode(fdt, node, name);
		if (sub < 0)
			return sub;
		ret = fdt_setprop_u64(fdt, sub, KEEPALIVE_IRQ_PROP_REG_BASE,
				      u->reg_base) ?:
		      fdt_setprop_u64(fdt, sub, KEEPALIVE_IRQ_PROP_IRTA, u->irta) ?:
		      fdt_setprop(fdt, sub, KEEPALIVE_PROP_RANGES, r, sizeof(r));
		if (!ret && irqp_hw->per_device)
			ret = fdt_setprop_u32(fdt, sub, KEEPALIVE_IRQ_PROP_DEVID,
					      u->devid);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * irqp_unit_read() - read and check a unit's handover table record
 * @fdt: the incoming image
 * @node: an "ir-table@<n>" subnode
 *
 * The table must be one range, as long as IRTA's size rounded up to pages,
 * starting where IRTA says; one per unit. The early receive checked that
 * every "phys-ranges" pair lies in the pool (this runs before the pool's
 * allocator exists).
 *
 * Context: Process context; irqp_lock held.
 * Return: 0, or -EINVAL (logged) when the record is refused, -ENOMEM.
 */
int irqp_unit_read(const void *fdt, int node)
{
	const fdt64_t *r = keepalive_fdt_prop(fdt, node, KEEPALIVE_PROP_RANGES,
					      2 * sizeof(fdt64_t));
	const char *why = NULL;
	struct irqp_unit *u, *o;
	u64 reg_base, irta, phys, len;
	unsigned int entries;
	u32 devid = 0;

	lockdep_assert_held(&irqp_lock);
	if (keepalive_fdt_u64(fdt, node, KEEPALIVE_IRQ_PROP_REG_BASE, &reg_base) ||
	    keepalive_fdt_u64(fdt, node, KEEPALIVE_IRQ_PROP_IRTA, &irta) || !r ||
	    (irqp_hw->per_device &&
	     (keepalive_fdt_u32(fdt, node, KEEPALIVE_IRQ_PROP_DEVID, &devid) ||
	      devid > U16_MAX))) {
		why = "a property is missing or malformed";
		goto out_refuse;
	}
	phys = fdt64_ld(&r[0]);
	len = fdt64_ld(&r[1]);
	why = irqp_hw->table_check(irta, phys, len, &entries);
	if (why)
		goto out_refuse;
	list_for_each_entry(o, &irqp_units, list)
		if (o->incoming && o->reg_base == reg_base && o->devid == devid)
			why = irqp_hw->per_device ? "a second table for its device" :
			      "a second table for its unit";
	if (why)
		goto out_refuse;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	*u = (struct irqp_unit) {
		.reg_base = reg_base, .devid = devid, .phys = phys, .bytes = len,
		.entries = entries, .irta = irta, .incoming = true,
	};
	list_add_tail(&u->list, &irqp_units);
	return 0;

out_refuse:
	pr_err("resume: %s: %s: interrupt remapping goes off until this kernel's table is set\n",
	       fdt_get_name(fdt, node, NULL) ?: "?", why);
	return -EINVAL;
}

/**
 * irqp_record_write() - record every held device at STOP
 * @fdt: the outgoing image
 * @node: the participant's node
 *
 * Each device gets its "pci@<sbdf>" subnode (abi/irq.h).
 *
 * Context: Process context; irqp_lock held.
 * Return: 0, or a libfdt error: -FDT_ERR_NOSPACE when the image is full,
 * -FDT_ERR_EXISTS when a device is held twice, -FDT_ERR_BADVALUE (with a
 * warning) when a device's place, table size, vector or entry index does
 * not fit the record.
 */
int irqp_record_write(void *fdt, int node)
{
	struct irqp_dev *d;
	int ret;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list) {
		if (!d->held || d->incoming)
			continue;
		ret = write_dev(fdt, node, d);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * irqp_vec_check() - may a recorded armed vector be a kept device's?
 * @d: the device's record (its place, its flags)
 * @v: the vector
 *
 * Its message must be remappable and name @v->irte, and its entry pass
 * irqp_irte_check() for the device's requester id in the recorded APIC
 * mode; a posted entry is checked with its descriptor instead.
 *
 * Context: Any context.
 * Return: NULL when it may; otherwise why not.
 */
const char *irqp_vec_check(const struct irqp_dev *d, const struct irqp_vec *v)
{
	u32 index;

	if (v->vector >= d->nr || !test_bit(v->vector, d->armed))
		return "a recorded vector is not an armed one";
	if (irqp_hw->msi_index(v->addr_lo, v->addr_hi, v->data, &index))
		return "a vector's message is not remappable";
	if (index != v->irte)
		return "a vector's message names another remapping entry";
	if (irqp_hw->entry_posted(&v->e))
		return NULL;	/* with its "posted" record */
	return irqp_hw->entry_check(&v->e, PCI_DEVID(d->bus, d->devfn),
				    d->flags);
}

/**
 * irqp_posted_check() - may a recorded posted vector be a kept device's?
 * @d: the device's record, its vectors read
 * @posted: its struct keepalive_irq_posted
 * @desc: the preserved descriptor's 64 bytes, read from inside the
 *	record's own "phys-ranges"
 *
 * The vector must be armed with a posted entry, the entry the record
 * re-pointed at the preserved descriptor (irqp_irte_posted_check()), and
 * the descriptor well formed with the recorded notification vector and
 * destination.
 *
 * Context: Any context.
 * Return: NULL when it may; otherwise why not.
 */
const char *irqp_posted_check(const struct irqp_dev *d, const void *posted,
			      const void *desc)
{
	const struct keepalive_irq_posted *p = posted;
	struct irqp_irte e = { be64_to_cpu(p->irte_lo), be64_to_cpu(p->irte_hi) };
	u32 vector = be32_to_cpu(p->vector);
	const struct irqp_vec *v = NULL;
	struct irqp_pi_desc pi;
	unsigned int i;
	const char *why;

	for (i = 0; i < d->nr_vecs; i++)
		if (d->vecs[i].vector == vector)
			v = &d->vecs[i];
	if (!v || v->irte != be32_to_cpu(p->irte))
		return "a posted vector is not an armed one";
	why = irqp_hw->posted_check(&v->e, &e, PCI_DEVID(d->bus, d->devfn),
				    be64_to_cpu(p->desc));
	if (why)
		return why;
	if (p->reserved || p->nv < IRQP_FIRST_VECTOR)
		return "a posted vector's record is malformed";
	if (irqp_hw->pi_decode(desc, &pi))
		return "a posted-interrupt descriptor is malformed";
	if (pi.nv != p->nv || pi.ndst != be32_to_cpu(p->ndst))
		return "a posted-interrupt descriptor disagrees with its record";
	return NULL;
}

/**
 * irqp_posted_record() - the record of a vector posted to a vCPU
 * @v: the vector, its entry (posted mode) as the hold found it
 * @desc: physical address of the preserved copy of its descriptor
 * @pi: that descriptor
 * @out: out: its struct keepalive_irq_posted, the entry re-pointed at
 *	@desc
 *
 * Context: Any context.
 * Return: 0; -EINVAL when the entry is not posted or @desc not aligned.
 */
int irqp_posted_record(const struct irqp_vec *v, u64 desc,
		       const struct irqp_pi_desc *pi, void *out)
{
	struct irqp_irte e = v->e;
	bool urgent;
	int ret = irqp_hw->posted_repoint(&e, desc, &urgent);

	if (ret)
		return ret;
	*(struct keepalive_irq_posted *)out = (struct keepalive_irq_posted) {
		.vector = cpu_to_be32(v->vector),
		.irte = cpu_to_be32(v->irte),
		.desc = cpu_to_be64(desc),
		.nv = pi->nv,
		.urgent = urgent,
		.ndst = cpu_to_be32(pi->ndst),
		.irte_lo = cpu_to_be64(e.lo),
		.irte_hi = cpu_to_be64(e.hi),
	};
	return 0;
}

/* A bitmap of @nr bits from u64 words; -EINVAL if a bit is set beyond. */
static int get_bits(const u8 *in, unsigned long *bits, unsigned int nr)
{
	unsigned int words = KEEPALIVE_IRQ_MSIX_WORDS(nr), i;
	u64 w;

	for (i = 0; i < words; i++) {
		w = get_unaligned_be64(in + 8 * i);
		if (i == words - 1 && nr % 64 && w >> (nr % 64))
			return -EINVAL;
		bitmap_from_arr64(bits + BITS_TO_LONGS(64) * i, &w,
				  min(64U, nr - 64 * i));
	}
	return 0;
}

/*
 * The "msix" property into @d: the structure, then the armed and pending
 * bitmaps (allocated here); why it is refused, or NULL.
 */
static const char *read_msix(const void *fdt, int node, struct irqp_dev *d)
{
	const u16 held = PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL;
	const struct keepalive_irq_msix *m;
	const u8 *bits;
	int len;

	m = fdt_getprop(fdt, node, KEEPALIVE_IRQ_PROP_MSIX, &len);
	if (!m || len < (int)sizeof(*m))
		return "its MSI-X record is malformed";
	d->cap = be16_to_cpu(m->cap);
	d->control = be16_to_cpu(m->control);
	d->nr = be16_to_cpu(m->nr_vectors);
	d->flags = be16_to_cpu(m->flags);
	d->table = be32_to_cpu(m->table);
	d->pba = be32_to_cpu(m->pba);
	d->ir_reg_base = be64_to_cpu(m->ir_reg_base);
	if (d->cap < PCI_STD_HEADER_SIZEOF || d->cap > 0xff - PCI_CAP_MSIX_SIZEOF ||
	    d->cap % 4 || !d->nr || d->nr > KEEPALIVE_IRQ_MAX_VECTORS ||
	    (d->control & PCI_MSIX_FLAGS_QSIZE) + 1 != d->nr ||
	    (d->control & held) != held ||
	    (d->flags & ~(KEEPALIVE_IRQ_F_X2APIC | KEEPALIVE_IRQ_F_AMD_GA)) ||
	    (d->table & PCI_MSIX_TABLE_BIR) >= PCI_STD_NUM_BARS ||
	    (d->pba & PCI_MSIX_PBA_BIR) >= PCI_STD_NUM_BARS ||
	    len != KEEPALIVE_IRQ_MSIX_SIZE(d->nr))
		return "its MSI-X record is malformed";
	d->armed = bitmap_zalloc(d->nr, GFP_KERNEL);
	d->pending = bitmap_zalloc(d->nr, GFP_KERNEL);
	if (!d->armed || !d->pending)
		return "out of memory";
	bits = (const u8 *)(m + 1);
	if (get_bits(bits, d->armed, d->nr) ||
	    get_bits(bits + 8 * KEEPALIVE_IRQ_MSIX_WORDS(d->nr), d->pending,
		     d->nr))
		return "its armed or pending vectors are malformed";
	return NULL;
}

/* The "vectors" into @d, each checked; why it is refused, or NULL. */
static const char *read_vectors(const void *fdt, int node, struct irqp_dev *d)
{
	const struct keepalive_irq_vector *rv;
	const char *why;
	unsigned int i;
	int len;

	d->nr_vecs = bitmap_weight(d->armed, d->nr);
	rv = fdt_getprop(fdt, node, KEEPALIVE_IRQ_PROP_VECTORS, &len);
	if (!rv || len != d->nr_vecs * sizeof(*rv))
		return "its vectors do not match its armed ones";
	if (d->nr_vecs && !d->ir_reg_base)
		return "its MSI-X record names no remapping unit";
	d->vecs = kcalloc(max(1U, d->nr_vecs), sizeof(*d->vecs), GFP_KERNEL);
	if (!d->vecs)
		return "out of memory";
	for (i = 0; i < d->nr_vecs; i++) {
		struct irqp_vec *v = &d->vecs[i];

		*v = (struct irqp_vec) {
			.vector = be16_to_cpu(rv[i].vector),
			.irte = be16_to_cpu(rv[i].irte),
			.addr_lo = be32_to_cpu(rv[i].addr_lo),
			.addr_hi = be32_to_cpu(rv[i].addr_hi),
			.data = be32_to_cpu(rv[i].data),
			.e.lo = be64_to_cpu(rv[i].irte_lo),
			.e.hi = be64_to_cpu(rv[i].irte_hi),
		};
		if (i && v->vector <= d->vecs[i - 1].vector)
			return "its vectors are malformed";
		why = irqp_vec_check(d, v);
		if (why)
			return why;
	}
	return NULL;
}

/*
 * Copy the preserved posted descriptor at @phys into @raw, if it lies
 * inside one of the record's "phys-ranges" pairs, inside the pool (mapped
 * for the copy only, with memremap()).
 */
static bool posted_desc(const void *fdt, int node, u64 phys,
			u8 raw[KEEPALIVE_IRQ_PI_DESC_SIZE])
{
	const fdt64_t *r;
	void *va;
	int len, i;

	r = fdt_getprop(fdt, node, KEEPALIVE_PROP_RANGES, &len);
	if (!r || len % (2 * sizeof(*r)))
		return false;
	for (i = 0; i < len / (int)sizeof(*r); i += 2) {
		u64 start = fdt64_ld(&r[i]), size = fdt64_ld(&r[i + 1]);

		if (phys < start || size < KEEPALIVE_IRQ_PI_DESC_SIZE ||
		    phys - start > size - KEEPALIVE_IRQ_PI_DESC_SIZE ||
		    !keepalive_pool_contains(phys, KEEPALIVE_IRQ_PI_DESC_SIZE))
			continue;
		va = memremap(phys, KEEPALIVE_IRQ_PI_DESC_SIZE, MEMREMAP_WB);
		if (!va)
			return false;
		memcpy(raw, va, KEEPALIVE_IRQ_PI_DESC_SIZE);
		memunmap(va);
		return true;
	}
	return false;
}

/* The optional "posted" records, each checked; why refused, or NULL. */
static const char *read_posted(const void *fdt, int node, struct irqp_dev *d)
{
	const struct keepalive_irq_posted *p;
	u8 desc[KEEPALIVE_IRQ_PI_DESC_SIZE];
	unsigned int i, n = 0;
	const char *why;
	int len;

	p = fdt_getprop(fdt, node, KEEPALIVE_IRQ_PROP_POSTED, &len);
	if (p && len % sizeof(*p))
		return "its posted vectors are malformed";
	if (p)
		n = len / sizeof(*p);
	for (i = 0; i < n; i++) {
		if (!posted_desc(fdt, node, be64_to_cpu(p[i].desc), desc))
			return "a posted-interrupt descriptor is not in its preserved memory";
		why = irqp_posted_check(d, &p[i], desc);
		if (why)
			return why;
	}
	for (i = 0; i < d->nr_vecs; i++) {
		bool found = false;
		unsigned int j;

		if (!irqp_hw->entry_posted(&d->vecs[i].e))
			continue;
		for (j = 0; j < n; j++)
			found |= be32_to_cpu(p[j].vector) == d->vecs[i].vector;
		if (!found)
			return "a posted vector has no descriptor";
	}
	return NULL;
}

/*
 * Is remapping entry @irte of @d's unit named by another device? Not with
 * a table per device (AMD-Vi), where each device has its own entries.
 */
static bool irte_taken(const struct irqp_dev *d, u32 irte)
{
	struct irqp_dev *o;
	unsigned int i;

	if (irqp_hw->per_device)
		return false;
	list_for_each_entry(o, &irqp_devs, list)
		for (i = 0; o->incoming && o->vecs && i < o->nr_vecs; i++)
			if (o->ir_reg_base == d->ir_reg_base &&
			    o->vecs[i].irte == irte)
				return true;
	return false;
}

static const char *check_dev(const void *fdt, int node, struct irqp_dev *d)
{
	const char *why;
	unsigned int i, j;

	why = read_msix(fdt, node, d) ?: read_vectors(fdt, node, d) ?:
	      read_posted(fdt, node, d);
	if (why)
		return why;
	for (i = 0; i < d->nr_vecs; i++) {
		for (j = 0; j < i; j++)
			if (d->vecs[j].irte == d->vecs[i].irte)
				return "two of its vectors name one remapping entry";
		if (irte_taken(d, d->vecs[i].irte))
			return "a remapping entry it names is another device's";
	}
	return NULL;
}

static void read_dev(const void *fdt, int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	u32 segment, bus, devfn;
	struct irqp_dev *d;

	if (keepalive_fdt_pci_place(fdt, node, &segment, &bus, &devfn)) {
		pr_err("resume: %s is malformed: its device is not adopted\n",
		       name);
		return;
	}
	if (irqp_find(segment, bus, devfn)) {
		pr_err("resume: %s: %04x:%02x:%02x.%d is recorded twice: not adopted\n",
		       name, segment, bus, PCI_SLOT(devfn), PCI_FUNC(devfn));
		return;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return;
	d->segment = segment;
	d->bus = bus;
	d->devfn = devfn;
	d->incoming = true;
	d->why = check_dev(fdt, node, d);
	d->valid = !d->why;
	d->held = d->valid;
	if (!d->valid) {
		/* Kept on the list, so that adoption can say why not. */
		d->nr_vecs = 0;
		pr_err("resume: %04x:%02x:%02x.%d: %s: not adopted\n", segment,
		       bus, PCI_SLOT(devfn), PCI_FUNC(devfn), d->why);
	} else {
		pr_info("resume: %04x:%02x:%02x.%d: %u armed vector(s), %u pending at STOP: valid\n",
			segment, bus, PCI_SLOT(devfn), PCI_FUNC(devfn),
			d->nr_vecs, bitmap_weight(d->pending, d->nr));
	}
	list_add_tail(&d->list, &irqp_devs);
}

/**
 * irqp_record_read() - read and check the incoming records
 * @fdt: the incoming image
 * @node: the participant's node
 *
 * Every device recorded gets an entry, valid or with the reason it is
 * not, so that adoption refuses it with that reason.
 *
 * Context: Process context, early boot (interrupt remapping setup) or
 * RESUME; irqp_lock held.
 * Return: 0, or -EINVAL when the node's subnodes cannot be walked.
 */
int irqp_record_read(const void *fdt, int node)
{
	int child, n = 0, tables = 0;

	lockdep_assert_held(&irqp_lock);
	fdt_for_each_subnode(child, fdt, node) {
		const char *name = fdt_get_name(fdt, child, NULL);

		if (name && !strncmp(name, KEEPALIVE_IRQ_TABLE_NODE_PREFIX,
				     strlen(KEEPALIVE_IRQ_TABLE_NODE_PREFIX))) {
			if (++tables <= (irqp_hw->per_device ?
					 KEEPALIVE_IRQ_MAX_DEVICES :
					 KEEPALIVE_IRQ_MAX_TABLES))
				irqp_unit_read(fdt, child);
			continue;
		}
		if (!name || strncmp(name, KEEPALIVE_PCI_NODE_PREFIX,
				     strlen(KEEPALIVE_PCI_NODE_PREFIX)))
			continue;
		if (++n > KEEPALIVE_IRQ_MAX_DEVICES) {
			pr_err("resume: more than %d devices: the rest are not adopted\n",
			       KEEPALIVE_IRQ_MAX_DEVICES);
			break;
		}
		read_dev(fdt, child);
	}
	return child == -FDT_ERR_NOTFOUND || n > KEEPALIVE_IRQ_MAX_DEVICES ?
	       0 : -EINVAL;
}

/**
 * irqp_record_read_once() - the one reader of the incoming records
 *
 * Parses the participant's incoming node into irqp_devs and irqp_units,
 * once: at the first of keepalive_irq_handed_over() and
 * keepalive_irq_reserve() (interrupt remapping setup, before any initcall
 * and any interrupt allocation), which every later caller's result is.
 * RESUME calls it too: it parses only when interrupt remapping is off
 * (no unit was set up, so the early callers never ran), and otherwise
 * uses what the early parse left.
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_record_read_once(void)
{
	const void *fdt;
	int node;

	lockdep_assert_held(&irqp_lock);
	if (read_done)
		return;
	read_done = true;
	node = keepalive_incoming_node(KEEPALIVE_IRQ_NODE,
				       irqp_hw->compatible, &fdt);
	if (node == -EPROTO)
		pr_err("resume: the interrupt records are not %s (another IOMMU's?): no device is adopted\n",
		       irqp_hw->compatible);
	if (node >= 0 && irqp_record_read(fdt, node))
		pr_err("resume: the interrupt records cannot be walked\n");
}
