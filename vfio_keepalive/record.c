// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: a kept device's record in the handover image
 * (the "vfio" node's pci@<sbdf> subnodes, include/linux/keepalive/abi/
 * vfio.h), both ways. STOP fills a struct vka_record from the device
 * (vka_record_fill()) and writes it (vka_record_write()); the next kernel
 * reads the records back (vka_records_parse()) and checks a device it
 * enumerates against its record (vka_record_mismatch()).
 */
#define pr_fmt(fmt) "keepalive: vfio: " fmt

#include <linux/kernel.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "vka.h"

/**
 * vka_bar_type() - a BAR's type as a record holds it
 * @flags: the BAR's resource flags (pci_resource_flags())
 *
 * Context: Any context.
 * Return: KEEPALIVE_VFIO_BAR_* bits; 0 for a BAR the device does not have.
 */
u8 vka_bar_type(unsigned long flags)
{
	return (flags & IORESOURCE_IO ? KEEPALIVE_VFIO_BAR_IO : 0) |
	       (flags & IORESOURCE_MEM ? KEEPALIVE_VFIO_BAR_MEM : 0) |
	       (flags & IORESOURCE_MEM_64 ? KEEPALIVE_VFIO_BAR_MEM64 : 0) |
	       (flags & IORESOURCE_PREFETCH ? KEEPALIVE_VFIO_BAR_PREFETCH : 0);
}

/**
 * vka_record_write() - write one kept device's record
 * @fdt: the outgoing image's FDT, open for writing
 * @parent: the vfio participant's node in it
 * @r: the record; @r->malformed and @r->seen are not written
 *
 * Writes the subnode "pci@<sbdf>" of @r's device and its "state".
 *
 * Context: Any context; the caller serialises access to @fdt.
 * Return: 0, or a negative libfdt error (-FDT_ERR_NOSPACE when @fdt is
 * full, -FDT_ERR_EXISTS when @parent already has a record of the device,
 * -FDT_ERR_BADVALUE when its segment does not fit).
 */
int vka_record_write(void *fdt, int parent, const struct vka_record *r)
{
	struct keepalive_vfio_state st = {
		.vendor_device = cpu_to_be32(r->vendor_device),
		.class = cpu_to_be32(r->class),
		.command = cpu_to_be16(r->command),
	};
	u32 types = 0;
	int node, i;

	BUILD_BUG_ON(KEEPALIVE_VFIO_NR_BARS != PCI_STD_NUM_BARS);
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		st.bars[i] = cpu_to_be64(r->bars[i]);
		types |= (u32)r->bar_types[i] << (i * KEEPALIVE_VFIO_BAR_TYPE_BITS);
	}
	st.bar_types = cpu_to_be32(types);
	memcpy(st.token_sha256, r->token_hash, sizeof(st.token_sha256));
	node = keepalive_fdt_add_pci_node(fdt, parent, r->segment, r->bus,
					  r->devfn);
	if (node < 0)
		return node;
	return fdt_setprop(fdt, node, KEEPALIVE_VFIO_PROP_STATE, &st, sizeof(st));
}

/**
 * vka_record_fill() - what STOP records of a kept device
 * @k: the entry of a device marked in this kernel
 * @r: filled with where and what the device is, now
 *
 * Context: Process context, vka_lock held.
 */
void vka_record_fill(const struct vka_kept *k, struct vka_record *r)
{
	struct pci_dev *pdev = k->kd.pdev;
	u16 cmd;
	int i;

	memset(r, 0, sizeof(*r));
	r->segment = pci_domain_nr(pdev->bus);
	r->bus = pdev->bus->number;
	r->devfn = pdev->devfn;
	r->vendor_device = (u32)pdev->vendor << 16 | pdev->device;
	r->class = pdev->class;
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	r->command = cmd;
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		r->bars[i] = pci_resource_start(pdev, i);
		r->bar_types[i] = vka_bar_type(pci_resource_flags(pdev, i));
	}
	memcpy(r->token_hash, k->token_hash, sizeof(r->token_hash));
}

/* Read one record; false when not even where the device is can be read. */
static bool vka_record_read(const void *fdt, int node, struct vka_record *r)
{
	const struct keepalive_vfio_state *st;
	u32 types;
	int i;

	if (keepalive_fdt_pci_place(fdt, node, &r->segment, &r->bus, &r->devfn))
		return false;

	st = keepalive_fdt_prop(fdt, node, KEEPALIVE_VFIO_PROP_STATE,
				sizeof(*st));
	types = st ? be32_to_cpu(st->bar_types) : 0;
	if (!st || st->reserved || be32_to_cpu(st->class) >> 24 ||
	    types >> (PCI_STD_NUM_BARS * KEEPALIVE_VFIO_BAR_TYPE_BITS)) {
		r->malformed = true;
		return true;
	}
	/* Property data is 4-byte aligned only: the u64s are read unaligned. */
	r->vendor_device = be32_to_cpu(st->vendor_device);
	r->class = be32_to_cpu(st->class);
	r->command = be16_to_cpu(st->command);
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		r->bars[i] = get_unaligned_be64(&st->bars[i]);
		r->bar_types[i] = types >> (i * KEEPALIVE_VFIO_BAR_TYPE_BITS) &
				  GENMASK(KEEPALIVE_VFIO_BAR_TYPE_BITS - 1, 0);
	}
	memcpy(r->token_hash, st->token_sha256, sizeof(r->token_hash));
	return true;
}

/**
 * vka_records_parse() - read the records of the vfio participant's node
 * @fdt: a validated image
 * @node: the vfio participant's node in it
 * @out: the records, kcalloc()ed, or NULL when there are none
 * @nr: how many
 *
 * A record whose name is not a device's ("pci@<sbdf>") is logged and
 * left out: the device, wherever it is, is enumerated cold. A record whose
 * place can be read but not the rest is kept with @malformed set: the
 * device there is reset when it is enumerated.
 *
 * Context: Process context.
 * Return: 0; -ENOMEM; -EINVAL when the node's subnodes cannot be walked.
 */
int vka_records_parse(const void *fdt, int node, struct vka_record **out,
		      unsigned int *nr)
{
	struct vka_record *r;
	unsigned int n = 0;
	int child;

	*out = NULL;
	*nr = 0;
	fdt_for_each_subnode(child, fdt, node)
		n++;
	if (child != -FDT_ERR_NOTFOUND)
		return -EINVAL;
	if (!n)
		return 0;
	r = keepalive_should_fail() ? NULL : kcalloc(n, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;

	n = 0;
	fdt_for_each_subnode(child, fdt, node) {
		if (!vka_record_read(fdt, child, &r[n])) {
			pr_err("resume: %s: not named for a PCI device (pci@<sbdf>): record ignored\n",
			       fdt_get_name(fdt, child, NULL));
			continue;
		}
		pr_info("resume: %04x:%02x:%02x.%d was kept%s\n", r[n].segment,
			r[n].bus, PCI_SLOT(r[n].devfn), PCI_FUNC(r[n].devfn),
			r[n].malformed ? ", but its record is malformed" : "");
		n++;
	}
	if (!n) {
		kfree(r);
		r = NULL;
	}
	*out = r;
	*nr = n;
	return 0;
}

/**
 * vka_records_name() - does a record of a node name a device's place?
 * @fdt: a validated image
 * @node: the vfio participant's node in it, whose records could not be
 *	parsed as a whole (vka_records_parse())
 * @pdev: a device being enumerated
 *
 * Context: Any context.
 * Return: true when a subnode whose place can be read names @pdev's.
 */
bool vka_records_name(const void *fdt, int node, struct pci_dev *pdev)
{
	struct vka_record r = {};
	int child;

	fdt_for_each_subnode(child, fdt, node)
		if (vka_record_read(fdt, child, &r) &&
		    r.segment == pci_domain_nr(pdev->bus) &&
		    r.bus == pdev->bus->number && r.devfn == pdev->devfn)
			return true;
	return false;
}

/**
 * vka_record_mismatch() - why a device is not the one its record describes
 * @pdev: a device being enumerated at the place @r names
 * @r: its record, not malformed
 * @buf: room for the reason
 * @len: its size
 *
 * Compares what the device is (identity, class, BARs), then whether it
 * still runs: bus mastering on in every bridge above it and in the device,
 * and its memory decoding as recorded.
 *
 * Context: Process context (PCI enumeration).
 * Return: NULL when @pdev matches @r, else why not (written in @buf).
 */
const char *vka_record_mismatch(struct pci_dev *pdev,
				const struct vka_record *r, char *buf,
				size_t len)
{
	struct pci_dev *up;
	u16 cmd;
	int i;

	if (r->vendor_device != ((u32)pdev->vendor << 16 | pdev->device)) {
		snprintf(buf, len, "it is %04x:%04x, the record says %04x:%04x",
			 pdev->vendor, pdev->device, r->vendor_device >> 16,
			 r->vendor_device & 0xffff);
		return buf;
	}
	if (r->class != pdev->class) {
		snprintf(buf, len, "class %06x, the record says %06x",
			 pdev->class, r->class);
		return buf;
	}
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (r->bars[i] != pci_resource_start(pdev, i) ||
		    r->bar_types[i] != vka_bar_type(pci_resource_flags(pdev, i))) {
			snprintf(buf, len, "BAR %d is at %#llx, the record says %#llx",
				 i, (u64)pci_resource_start(pdev, i),
				 r->bars[i]);
			return buf;
		}
	}
	/* Bridges are enumerated first: their drivers have not run yet. */
	for (up = pci_upstream_bridge(pdev); up; up = pci_upstream_bridge(up)) {
		pci_read_config_word(up, PCI_COMMAND, &cmd);
		if (!(cmd & PCI_COMMAND_MASTER)) {
			snprintf(buf, len, "bridge %s above it has bus master off: DMA was cut",
				 pci_name(up));
			return buf;
		}
	}
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MASTER) ||
	    (cmd & PCI_COMMAND_MEMORY) != (r->command & PCI_COMMAND_MEMORY)) {
		snprintf(buf, len, "command register %#06x, the record says %#06x (was it reset?)",
			 cmd, r->command);
		return buf;
	}
	return NULL;
}
