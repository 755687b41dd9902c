// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: writing a kept device's record into the handover
 * image (the "vfio" node's pci@<sbdf> subnodes, include/linux/keepalive/
 * abi/vfio.h). STOP fills a struct vka_record from the device; adopt.c reads
 * records back with vka_records_parse().
 */
#include <linux/kernel.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>

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
