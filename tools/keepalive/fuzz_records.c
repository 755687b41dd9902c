// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the participants' record readers under the
 * fuzzer. fuzz_image.c hands every image that keepalive_fdt_check()
 * accepts to fuzz_records(), which runs each participant's node through
 * the reader the next kernel runs, built unchanged from the kernel tree:
 *
 *   vfio    vka_records_parse(), vka_records_name() and, for each record
 *           read, vka_record_mismatch() against a device that is not it
 *           (vfio_keepalive/record.c)
 *   memfd   kamf_record_adopt() for each subnode (memfd/record.c)
 *   iommu   ipr_record_read(): units, then devices through
 *           ipr_record_parse_dev() and ipr_dev_check(), with the page
 *           table walk of iommu_preserve/pgtable.c (iommu_preserve/record.c)
 *   irq     irqp_record_read(): tables, MSI-X, vectors, posted vectors,
 *           with the entry and table checks of irq_preserve/irte.c
 *           (irq_preserve/record.c)
 *
 * and the core's record helpers they call (kho/record.c). A node is read
 * whatever its "compatible", so that a mutation need not keep it right.
 *
 * What the kernel asks of the machine is stood in for here: the pool is
 * the one the header describes, and its bytes past its header page are
 * the input's past the payload (zeros past the input's end), so that the
 * fuzzer also writes what a record points at; a claim must be aligned,
 * inside the pool and overlap no other claim; every IOMMU unit and
 * interrupt remapping unit named is there and has the recorded
 * capabilities; every range is backed by a preserved file. So a record
 * gets as far as its own bytes can take it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>

#include "../../kho/kho.h"
#include "../../vfio_keepalive/vka.h"
#include "../../memfd/kamf.h"
#include "../../iommu_preserve/ipr.h"
#include "../../iommu_preserve/vtd_pgtable.h"
#include "../../irq_preserve/irqp.h"
#include "fuzz_records.h"
#include "../../kho/image.h"
#include "../../kho/tests/image_cases.h"

#define POOL_PAGE	4096
/* A claim larger than this is refused, as if the pool were out of room. */
#define MAX_CLAIM	0x100000
#define MAX_CLAIMS	256

int ka_fuzz_log;

static struct {
	const u8 *data;
	size_t size;
	u64 pool_phys, pool_size;
	struct {
		u64 phys, len;
		void *va;
	} claim[MAX_CLAIMS];
	unsigned int nr;
} pool;

/* Pool bytes: the input's past the payload, from the header page's end. */
static void pool_read(u64 phys, void *va, u64 len)
{
	u64 off = phys - pool.pool_phys - POOL_PAGE;

	memset(va, 0, len);
	if (off < pool.size)
		memcpy(va, pool.data + off, min(len, pool.size - off));
}

static bool pool_in(u64 phys, u64 len)
{
	return phys >= pool.pool_phys && len <= pool.pool_size &&
	       phys - pool.pool_phys <= pool.pool_size - len;
}

void *keepalive_pool_claim(phys_addr_t phys, size_t size)
{
	unsigned int i;
	void *va;

	if (!size || (phys | size) % POOL_PAGE || !pool_in(phys, size) ||
	    phys - pool.pool_phys < POOL_PAGE)
		return ERR_PTR(-EINVAL);
	for (i = 0; i < pool.nr; i++)
		if (phys < pool.claim[i].phys + pool.claim[i].len &&
		    pool.claim[i].phys < phys + size)
			return ERR_PTR(-EBUSY);
	if (size > MAX_CLAIM || pool.nr == MAX_CLAIMS)
		return ERR_PTR(-ENOMEM);
	va = malloc(size);
	if (!va)
		return ERR_PTR(-ENOMEM);
	pool_read(phys, va, size);
	pool.claim[pool.nr].phys = phys;
	pool.claim[pool.nr].len = size;
	pool.claim[pool.nr].va = va;
	pool.nr++;
	return va;
}

void keepalive_pool_free(void *addr, size_t size)
{
	unsigned int i;

	for (i = 0; i < pool.nr; i++) {
		if (pool.claim[i].va != addr)
			continue;
		if (pool.claim[i].len != size) {
			fprintf(stderr, "fuzz_records: pool free of %zu bytes, claimed %llu\n",
				size, (unsigned long long)pool.claim[i].len);
			abort();
		}
		free(addr);
		pool.claim[i] = pool.claim[--pool.nr];
		return;
	}
	fprintf(stderr, "fuzz_records: pool free of an unclaimed address\n");
	abort();
}

bool keepalive_pool_contains(phys_addr_t phys, u64 size)
{
	return pool_in(phys, size);
}

bool keepalive_memfd_backs(phys_addr_t phys, u64 len)
{
	return true;
}

/* irq_preserve/record.c maps a posted descriptor, 64 bytes, to copy it. */
void *memremap(u64 phys, size_t size, unsigned long flags)
{
	void *va = malloc(size);

	if (va && phys - pool.pool_phys >= POOL_PAGE)
		pool_read(phys, va, size);
	else if (va)
		memset(va, 0, size);
	return va;
}

void memunmap(void *va)
{
	free(va);
}

/* kho/record.c: the state machine's lookups, never reached here. */
struct keepalive_sm keepalive_sm;

struct keepalive_participant *keepalive_sm_find(struct keepalive_sm *sm,
						const char *name)
{
	return NULL;
}

int keepalive_incoming_node(const char *name, const char *compatible,
			    const void **fdt)
{
	return -ENOENT;
}

/* memfd/registry.c's kamf_find(), over this file's list. */
DEFINE_MUTEX(kamf_lock);
struct list_head kamf_list = { &kamf_list, &kamf_list };

struct keepalive_memfd *kamf_find(const char *name)
{
	struct keepalive_memfd *mf;

	list_for_each_entry(mf, &kamf_list, list)
		if (!strcmp(mf->name, name))
			return mf;
	return NULL;
}

/* iommu_preserve/: every unit is here, as recorded. */
DEFINE_MUTEX(ipr_lock);
struct list_head ipr_units = { &ipr_units, &ipr_units };
struct list_head ipr_devs = { &ipr_devs, &ipr_devs };

static void *unit_find(u64 reg_base)
{
	return (void *)&ipr_units;
}

static const char *unit_check(void *hw, const struct ipr_unit *u)
{
	return NULL;
}

static u32 unit_segment(void *hw)
{
	return 0;
}

/* vtd_entry_check() of iommu_preserve/vtd.c, without the VT-d headers. */
static const char *entry_check(const struct ipr_unit *u, u16 did, int agaw)
{
	if (!did || did >= 1U << (4 + 2 * (u->cap & 7)))
		return "its domain id is out of range or disagrees with its context entry";
	if (!((u->cap >> 8 & 0x1f) & BIT(agaw)))
		return "its address width is not supported by the unit";
	return NULL;
}

/* The VT-d formats (vtd_pgtable.c) are pure: they are built in as they are. */
static const struct ipr_backend fuzz_ipr_backend = {
	.name = "fuzz",
	.compatible = KEEPALIVE_IOMMU_COMPATIBLE,
	.translation_size = sizeof(struct keepalive_iommu_translation),
	.pt = &ipr_vtd_pt,
	.unit_find = unit_find,
	.unit_check = unit_check,
	.unit_segment = unit_segment,
	.entry_check = entry_check,
	.entry_encode = ipr_vtd_entry_encode,
	.entry_decode = ipr_vtd_entry_decode,
	.entry_record = ipr_vtd_entry_record,
	.entry_parse = ipr_vtd_entry_parse,
	.root_pages = ipr_vtd_root_pages,
	.root_add = ipr_vtd_root_add,
	.root_check = ipr_vtd_root_check,
};

const struct ipr_backend *ipr_be = &fuzz_ipr_backend;

struct ipr_dev *ipr_find(u32 segment, u8 bus, u8 devfn)
{
	struct ipr_dev *d;

	list_for_each_entry(d, &ipr_devs, list)
		if (d->segment == segment && d->bus == bus && d->devfn == devfn)
			return d;
	return NULL;
}

int ipr_files_hold(struct ipr_dev *d, struct pci_dev *pdev)
{
	return 0;
}

static void ipr_dev_free(struct ipr_dev *d)
{
	if (d->tables.va)
		keepalive_pool_free(d->tables.va,
				    (size_t)d->tables.pages * IPR_PAGE_SIZE);
	free(d->ranges.r);
	free(d);
}

void ipr_retire(struct ipr_dev *d)
{
	ipr_dev_free(d);
}

/* irq_preserve/: irqp_vtd with the VT-d driver's parts left out. */
DEFINE_MUTEX(irqp_lock);
struct list_head irqp_devs = { &irqp_devs, &irqp_devs };
struct list_head irqp_units = { &irqp_units, &irqp_units };

/* vtd_entry_posted() and vtd_posted_check() of irq_preserve/vtd.c. */
static bool entry_posted(const struct irqp_irte *e)
{
	return (e->lo & IRQP_IRTE_IM) && (e->lo & IRQP_IRTE_P);
}

static const char *posted_check(const struct irqp_irte *held,
				const struct irqp_irte *rec, u16 sid, u64 desc)
{
	if (!(held->lo & IRQP_IRTE_IM) ||
	    (held->hi & ~IRQP_IRTE_PDA_HI) != (rec->hi & ~IRQP_IRTE_PDA_HI) ||
	    (held->lo & ~IRQP_IRTE_PDA_LO) != (rec->lo & ~IRQP_IRTE_PDA_LO))
		return "a posted vector's entry is not the recorded one";
	return irqp_irte_posted_check(rec, sid, desc);
}

/* vtd_entry_check() of irq_preserve/vtd.c. */
static const char *irq_entry_check(const struct irqp_irte *e, u16 sid,
				   u16 flags)
{
	if (flags & ~KEEPALIVE_IRQ_F_X2APIC)
		return "its entries are not in a VT-d format";
	return irqp_irte_check(e, sid, flags & KEEPALIVE_IRQ_F_X2APIC);
}

const struct irqp_backend irqp_vtd = {
	.name = "fuzz",
	.compatible = KEEPALIVE_IRQ_COMPATIBLE,
	.msi_index = irqp_msi_index,
	.entry_posted = entry_posted,
	.entry_check = irq_entry_check,
	.posted_check = posted_check,
	.pi_decode = irqp_pi_decode,
	.table_check = irqp_irta_check,
};

const struct irqp_backend *irqp_hw = &irqp_vtd;

struct irqp_dev *irqp_find(u32 segment, u8 bus, u8 devfn)
{
	struct irqp_dev *d;

	list_for_each_entry(d, &irqp_devs, list)
		if (d->segment == segment && d->bus == bus && d->devfn == devfn)
			return d;
	return NULL;
}

static void fail(const char *what, long a)
{
	fprintf(stderr, "fuzz_records: %s (%ld)\n", what, a);
	abort();
}

static int subnodes(const void *fdt, int node)
{
	int child, n = 0;

	fdt_for_each_subnode(child, fdt, node)
		n++;
	return child == -FDT_ERR_NOTFOUND ? n : -1;
}

static void read_vfio(const void *fdt, int node)
{
	struct pci_bus bus = { 0 };
	struct pci_dev pdev = { .bus = &bus };
	struct vka_record *r;
	unsigned int nr, i;
	char why[128];
	int ret;

	ret = vka_records_parse(fdt, node, &r, &nr);
	if (ret && ret != -EINVAL && ret != -ENOMEM)
		fail("vka_records_parse: unexpected errno", ret);
	if (ret) {
		vka_records_name(fdt, node, &pdev);
		return;
	}
	if ((int)nr > subnodes(fdt, node) || !nr != !r)
		fail("vka_records_parse: more records than subnodes", nr);
	for (i = 0; i < nr; i++) {
		if (r[i].segment > 0xffff || r[i].bus > 0xff || r[i].devfn > 0xff)
			fail("vka_records_parse: a place out of range", i);
		if (!r[i].malformed)
			vka_record_mismatch(&pdev, &r[i], why, sizeof(why));
	}
	free(r);
}

static void read_memfd(const void *fdt, int node)
{
	struct keepalive_memfd *mf;
	int child;

	fdt_for_each_subnode(child, fdt, node)
		kamf_record_adopt(fdt, child);
	list_for_each_entry(mf, &kamf_list, list) {
		if (!mf->name[0] || mf->length == 0)
			fail("kamf_record_adopt: adopted an empty file", 0);
		list_del(&mf->list);
		keepalive_pool_free(mf->va, mf->length);
		free(mf);
	}
}

static void read_iommu(const void *fdt, int node)
{
	struct ipr_unit *u;
	struct ipr_dev *d;
	int ret;

	ret = ipr_record_read(fdt, node);
	if (ret && ret != -EINVAL && ret != -ENOMEM)
		fail("ipr_record_read: unexpected errno", ret);
	list_for_each_entry(d, &ipr_devs, list) {
		if (!d->unit || d->unit->hw != unit_find(0) || !d->did)
			fail("ipr_record_read: adopted a device without a unit", 0);
		list_del(&d->list);
		ipr_dev_free(d);
	}
	list_for_each_entry(u, &ipr_units, list) {
		list_del(&u->list);
		if (u->tables.va)
			keepalive_pool_free(u->tables.va,
					    (size_t)u->tables.pages * IPR_PAGE_SIZE);
		free(u);
	}
}

static void read_irq(const void *fdt, int node)
{
	struct irqp_unit *u;
	struct irqp_dev *d;
	int ret;

	ret = irqp_record_read(fdt, node);
	if (ret && ret != -EINVAL)
		fail("irqp_record_read: unexpected errno", ret);
	list_for_each_entry(d, &irqp_devs, list) {
		if (d->valid && (!d->nr || d->nr > KEEPALIVE_IRQ_MAX_VECTORS ||
				 d->nr_vecs > d->nr))
			fail("irqp_record_read: a valid device out of range", d->nr);
		list_del(&d->list);
		bitmap_free(d->armed);
		bitmap_free(d->pending);
		free(d->vecs);
		free(d);
	}
	list_for_each_entry(u, &irqp_units, list) {
		list_del(&u->list);
		free(u);
	}
}

void fuzz_records(const void *fdt, const void *pool_bytes, size_t size,
		  u64 pool_phys, u64 pool_size)
{
	static const struct {
		const char *name;
		void (*read)(const void *fdt, int node);
	} readers[] = {
		{ KEEPALIVE_MEMFD_NODE, read_memfd },
		{ KEEPALIVE_IOMMU_NODE, read_iommu },
		{ KEEPALIVE_IRQ_NODE, read_irq },
		{ KEEPALIVE_VFIO_NODE, read_vfio },
	};
	unsigned int i;
	int node;

	pool.data = pool_bytes;
	pool.size = size;
	pool.pool_phys = pool_phys;
	pool.pool_size = pool_size;
	pool.nr = 0;
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		node = fdt_subnode_offset(fdt, 0, readers[i].name);
		if (node >= 0)
			readers[i].read(fdt, node);
	}
	if (pool.nr)
		fail("a claim was not given back", pool.nr);
}

/*
 * The seeds: the good image of kho/tests/image_cases.c with a record of
 * one device (0000:00:01.0) by every participant, written by their own
 * writers, and the pool bytes its IOMMU record points at: a root table
 * whose entry for bus 0 points at itself as the context table, holding
 * the device's entry, and an empty top page table. The readers accept it.
 */
#define SEED_DEVFN	8
#define SEED_REG_BASE	0xfed90000ULL
#define SEED_ROOT	(KA_IMG_POOL_PHYS + POOL_PAGE)
#define SEED_TOP	(KA_IMG_POOL_PHYS + 2 * POOL_PAGE)
#define SEED_IRT	(KA_IMG_POOL_PHYS + 3 * POOL_PAGE)

static int seed_node(void *fdt, const char *name, const char *compatible)
{
	int node = fdt_add_subnode(fdt, 0, name);

	if (node < 0)
		return node;
	return fdt_setprop_string(fdt, node, KEEPALIVE_PROP_COMPATIBLE,
				  compatible) ?: node;
}

static int seed_records(void *fdt)
{
	struct vka_record vr = {
		.devfn = SEED_DEVFN, .vendor_device = 0x8086abcd,
		.class = 0x020000, .command = PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY,
		.bars = { 0xfe000000 },
		.bar_types = { KEEPALIVE_VFIO_BAR_MEM },
	};
	struct ipr_unit iu = {
		.index = 0, .reg_base = SEED_REG_BASE,
		/* 256 domain ids, 4-level tables (agaw 2) */
		.cap = 2 | 4 << 8, .root = SEED_ROOT,
		.tables = { .phys = SEED_ROOT, .pages = 1 },
	};
	struct ipr_dev id = {
		.unit = &iu, .devfn = SEED_DEVFN, .did = 1, .agaw = 2,
		.top = SEED_TOP, .tables = { .phys = SEED_TOP, .pages = 1 },
		.held = true,
	};
	struct irqp_unit qu = {
		.reg_base = SEED_REG_BASE, .phys = SEED_IRT, .bytes = POOL_PAGE,
		.irta = SEED_IRT, .entries = 2,
	};
	unsigned long armed = 1, pending = 0;
	struct irqp_vec vec = {
		.e = irqp_irte_remapped(0x30, 0, PCI_DEVID(0, SEED_DEVFN), false),
	};
	struct irqp_dev qd = {
		.devfn = SEED_DEVFN, .cap = 0x40,
		.control = PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
		.nr = 1, .pba = 0x800, .ir_reg_base = SEED_REG_BASE,
		.armed = &armed, .pending = &pending, .vecs = &vec, .nr_vecs = 1,
		.held = true,
	};
	int node, ret;

	irqp_msi_compose(0, &vec.addr_lo, &vec.addr_hi, &vec.data);
	list_add_tail(&iu.list, &ipr_units);
	list_add_tail(&id.list, &ipr_devs);
	list_add_tail(&qu.list, &irqp_units);
	list_add_tail(&qd.list, &irqp_devs);
	node = seed_node(fdt, KEEPALIVE_VFIO_NODE, KEEPALIVE_VFIO_COMPATIBLE);
	ret = node < 0 ? node : vka_record_write(fdt, node, &vr);
	if (!ret) {
		node = seed_node(fdt, KEEPALIVE_IOMMU_NODE,
				 KEEPALIVE_IOMMU_COMPATIBLE);
		ret = node < 0 ? node : ipr_record_write(fdt, node);
	}
	if (!ret) {
		node = seed_node(fdt, KEEPALIVE_IRQ_NODE, KEEPALIVE_IRQ_COMPATIBLE);
		ret = node < 0 ? node : irqp_units_write(fdt, node) ?:
					irqp_record_write(fdt, node);
	}
	INIT_LIST_HEAD(&ipr_units);
	INIT_LIST_HEAD(&ipr_devs);
	INIT_LIST_HEAD(&irqp_units);
	INIT_LIST_HEAD(&irqp_devs);
	return ret;
}

int fuzz_records_seeds(const char *dir)
{
	static u8 snap[KA_IMG_SNAP_MAX + 2 * POOL_PAGE];
	struct ka_img img = { .snap = snap };
	struct ipr_ctx ce = ipr_vtd_ctx_encode(SEED_TOP, 1, 2);
	u64 root[2] = { SEED_ROOT | IPR_VTD_ROOT_PRESENT, 0 };
	char path[4096];
	size_t size, fdt_size;
	void *fdt;
	FILE *f;
	int ret;

	ka_img_reset(&img);
	ret = ka_img_build(&img);
	fdt = ka_img_fdt(&img);
	ret = ret ?: fdt_open_into(fdt, fdt, KA_IMG_FDT_MAX) ?:
	      seed_records(fdt) ?: fdt_pack(fdt);
	if (ret) {
		fprintf(stderr, "fuzz_records: seed: %s\n", fdt_strerror(ret));
		return 1;
	}
	keepalive_hdr_seal(ka_img_hdr(&img), KA_IMG_POOL_PHYS, KA_IMG_POOL_SIZE,
			   KA_IMG_FDT_OFFSET, fdt, KA_IMG_GENERATION);
	fdt_size = fdt_totalsize(fdt);
	size = KEEPALIVE_HDR_AREA + fdt_size;
	/* Pool bytes from SEED_ROOT on: the root/context page, the top page. */
	memcpy(snap + size, root, sizeof(root));
	memcpy(snap + size + SEED_DEVFN * sizeof(ce), &ce, sizeof(ce));
	size += 2 * POOL_PAGE;
	snprintf(path, sizeof(path), "%s/records-all", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(snap, 1, size, f) != size || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}
