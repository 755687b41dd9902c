// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: writing a kept device's record into the handover
 * image (the "vfio" node's device@<index> subnodes, include/linux/keepalive/
 * abi/vfio.h). STOP fills a struct vka_record from the device; adopt.c reads
 * records back with vka_records_parse().
 */
#include <linux/kernel.h>
#include <linux/keepalive/abi/core.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>

#include "vka.h"

/* A record's node: "device@<index>", any int index. */
#define VKA_NODE_NAME_MAX	sizeof(KEEPALIVE_VFIO_DEVICE_PREFIX "-2147483648")

/**
 * vka_record_write() - write one kept device's record
 * @fdt: the outgoing image's FDT, open for writing
 * @parent: the vfio participant's node in it
 * @index: the record's index: its node is "device@<@index>"
 * @r: the record; @r->malformed and @r->seen are not written
 *
 * Writes every property of the on-image format, "msix" only when
 * @r->has_msix.
 *
 * Context: Any context; the caller serialises access to @fdt.
 * Return: 0, or a negative libfdt error (-FDT_ERR_NOSPACE when @fdt is
 * full, -FDT_ERR_EXISTS when @parent already has a node of that name).
 */
int vka_record_write(void *fdt, int parent, int index,
		     const struct vka_record *r)
{
	fdt64_t bars[PCI_STD_NUM_BARS * 2];
	fdt32_t msix[VKA_MSIX_CELLS];
	char name[VKA_NODE_NAME_MAX];
	int node, i, ret;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		bars[2 * i] = cpu_to_fdt64(r->bars[i][0]);
		bars[2 * i + 1] = cpu_to_fdt64(r->bars[i][1]);
	}
	snprintf(name, sizeof(name), KEEPALIVE_VFIO_DEVICE_PREFIX "%d", index);
	node = fdt_add_subnode(fdt, parent, name);
	if (node < 0)
		return node;
	ret = fdt_setprop_u32(fdt, node, KEEPALIVE_PROP_PCI_SEGMENT, r->segment) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_PROP_PCI_BUS, r->bus) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_PROP_PCI_DEVFN, r->devfn) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_VFIO_PROP_VENDOR_DEVICE, r->vendor_device) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_VFIO_PROP_CLASS, r->class) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_VFIO_PROP_COMMAND, r->command) ?:
	      fdt_setprop(fdt, node, KEEPALIVE_VFIO_PROP_BARS, bars, sizeof(bars)) ?:
	      fdt_setprop(fdt, node, KEEPALIVE_VFIO_PROP_TOKEN_SHA256, r->token_hash,
			  sizeof(r->token_hash));
	if (ret || !r->has_msix)
		return ret;
	msix[0] = cpu_to_fdt32(r->msix.control);
	msix[1] = cpu_to_fdt32(r->msix.table);
	msix[2] = cpu_to_fdt32(r->msix.pba);
	return fdt_setprop(fdt, node, KEEPALIVE_VFIO_PROP_MSIX, msix, sizeof(msix));
}
