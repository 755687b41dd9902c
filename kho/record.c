// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: records in the handover image. A participant
 * finds another's incoming node or per-device record ("pci@<sbdf>",
 * abi/core.h), and reads and writes their properties with the helpers
 * below. A participant's own node comes with its @resume, or, before it
 * can register, from keepalive_incoming_node() (receive.c).
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/libfdt.h>
#include <linux/lockdep.h>
#include <linux/string.h>

#include "kho.h"

/*
 * Shared records: one participant reads another's incoming node. The
 * image is immutable from its validation to CONCLUDE, so the lookup takes
 * no lock, but after boot it must run under @sm->lock (from a participant
 * callback), so that CONCLUDE cannot free the image underneath.
 */
static void assert_incoming_stable(struct keepalive_sm *sm)
{
	if (system_state == SYSTEM_RUNNING)
		lockdep_assert_held(&sm->lock);
}

/**
 * keepalive_sm_record() - find another participant's incoming node
 * @sm: the state machine
 * @owner: the participant that wrote the node
 * @compatible: the version of its records the caller understands
 * @fdt: out: the incoming image
 *
 * Context: Boot, or with @sm->lock held (a participant callback).
 * Return: the node's offset in *@fdt;
 * -ENOENT without an incoming image or when it has no node for @owner;
 * -EPROTO when the node is of another version than @compatible;
 * -EAGAIN when @owner has not resumed yet (register after it, or depend
 * on it);
 * -ENOLINK when @owner failed to resume, fell back or never registered:
 * its records describe state nobody adopted.
 */
int keepalive_sm_record(struct keepalive_sm *sm, const char *owner,
			const char *compatible, const void **fdt)
{
	struct keepalive_participant *q;
	int node;

	assert_incoming_stable(sm);
	if (!sm->incoming)
		return -ENOENT;
	node = fdt_subnode_offset(sm->incoming, 0, owner);
	if (node < 0)
		return -ENOENT;
	if (fdt_node_check_compatible(sm->incoming, node, compatible))
		return -EPROTO;
	q = keepalive_sm_find(sm, owner);
	if (!q)
		return sm->settled ? -ENOLINK : -EAGAIN;
	switch (q->resume) {
	case KEEPALIVE_RESUME_DONE:
		break;
	case KEEPALIVE_RESUME_FAILED:
	case KEEPALIVE_RESUME_FELL_BACK:
		return -ENOLINK;
	default:
		return -EAGAIN;
	}
	*fdt = sm->incoming;
	return node;
}

/**
 * keepalive_sm_pci_record() - find another participant's record of a device
 * @sm: the state machine
 * @owner: the participant that wrote the record
 * @compatible: the version of its records the caller understands
 * @segment: PCI segment of the device
 * @bus: its bus number
 * @devfn: its device and function
 * @fdt: out: the incoming image
 *
 * Looks for the subnode of @owner's node named for the device,
 * "pci@<sbdf>" (abi/core.h). A subnode of any other name does not name
 * any device.
 *
 * Context: Boot, or with @sm->lock held (a participant callback).
 * Return: the subnode's offset in *@fdt; -ENOENT when @owner holds no
 * record of that device; otherwise as keepalive_sm_record().
 */
int keepalive_sm_pci_record(struct keepalive_sm *sm, const char *owner,
			    const char *compatible, u32 segment, u32 bus,
			    u32 devfn, const void **fdt)
{
	const void *blob;
	int node, child;
	u32 s, b, df;

	node = keepalive_sm_record(sm, owner, compatible, &blob);
	if (node < 0)
		return node;
	fdt_for_each_subnode(child, blob, node) {
		if (!keepalive_fdt_pci_place(blob, child, &s, &b, &df) &&
		    s == segment && b == bus && df == devfn) {
			*fdt = blob;
			return child;
		}
	}
	return -ENOENT;
}

/**
 * keepalive_incoming_record() - another participant's incoming node
 * @owner: the participant that wrote it
 * @compatible: the version of its records the caller understands
 * @fdt: out: the incoming image
 *
 * Context: Boot, or under keepalive_sm.lock (a participant callback).
 * Return: the node's offset in *@fdt, or as keepalive_sm_record():
 * -ENOENT, -EPROTO, -EAGAIN (@owner has not resumed yet), -ENOLINK (@owner
 * failed, fell back or never registered).
 */
int keepalive_incoming_record(const char *owner, const char *compatible,
			      const void **fdt)
{
	return keepalive_sm_record(&keepalive_sm, owner, compatible, fdt);
}
EXPORT_SYMBOL_GPL(keepalive_incoming_record);

/**
 * keepalive_incoming_pci_record() - another participant's record of a device
 * @owner: the participant that wrote it
 * @compatible: the version of its records the caller understands
 * @segment: PCI segment of the device
 * @bus: its bus number
 * @devfn: its device and function
 * @fdt: out: the incoming image
 *
 * E.g. the vfio participant asking whether the IOMMU participant holds a
 * domain for 0000:00:03.0.
 *
 * Context: Boot, or under keepalive_sm.lock (a participant callback).
 * Return: the record's offset in *@fdt, or as keepalive_sm_pci_record():
 * -ENOENT, -EPROTO, -EAGAIN, -ENOLINK.
 */
int keepalive_incoming_pci_record(const char *owner, const char *compatible,
				  u32 segment, u32 bus, u32 devfn,
				  const void **fdt)
{
	return keepalive_sm_pci_record(&keepalive_sm, owner, compatible,
				       segment, bus, devfn, fdt);
}
EXPORT_SYMBOL_GPL(keepalive_incoming_pci_record);

/**
 * keepalive_fdt_prop() - a property of exactly the size a reader expects
 * @fdt: an image
 * @node: a node of it
 * @name: the property
 * @len: its size in bytes
 *
 * Context: Any context.
 * Return: its value, or NULL when @node has no property @name of exactly
 * @len bytes.
 */
const void *keepalive_fdt_prop(const void *fdt, int node, const char *name,
			       int len)
{
	int l;
	const void *p = fdt_getprop(fdt, node, name, &l);

	return p && l == len ? p : NULL;
}

/**
 * keepalive_fdt_u32() - a u32 property (one big-endian cell)
 * @fdt: an image
 * @node: a node of it
 * @name: the property
 * @v: out: its value
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when @node has no 4-byte property @name.
 */
int keepalive_fdt_u32(const void *fdt, int node, const char *name, u32 *v)
{
	const fdt32_t *p = keepalive_fdt_prop(fdt, node, name, sizeof(*p));

	if (!p)
		return -EINVAL;
	*v = fdt32_ld(p);
	return 0;
}

/**
 * keepalive_fdt_u64() - a u64 property (two big-endian cells)
 * @fdt: an image
 * @node: a node of it
 * @name: the property
 * @v: out: its value
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when @node has no 8-byte property @name.
 */
int keepalive_fdt_u64(const void *fdt, int node, const char *name, u64 *v)
{
	const fdt64_t *p = keepalive_fdt_prop(fdt, node, name, sizeof(*p));

	if (!p)
		return -EINVAL;
	*v = fdt64_ld(p);
	return 0;
}

/**
 * keepalive_fdt_pci_place() - where a per-device record's device is
 * @fdt: an image
 * @node: a record naming a PCI function: "pci@<sbdf>" (abi/core.h)
 * @segment: out: its PCI segment, at most 0xffff
 * @bus: out: its bus number
 * @devfn: out: its device and function
 *
 * Only the canonical spelling is accepted (lowercase hexadecimal, no
 * leading zero, no sign), so that one device has one possible name.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when @node's name is not a canonical "pci@<sbdf>".
 */
int keepalive_fdt_pci_place(const void *fdt, int node, u32 *segment,
			    u32 *bus, u32 *devfn)
{
	const size_t plen = strlen(KEEPALIVE_PCI_NODE_PREFIX);
	char canon[KEEPALIVE_PCI_NODE_NAME_MAX];
	const char *name = fdt_get_name(fdt, node, NULL);
	u32 sbdf;

	if (!name || strncmp(name, KEEPALIVE_PCI_NODE_PREFIX, plen) ||
	    kstrtou32(name + plen, 16, &sbdf))
		return -EINVAL;
	/* kstrtou32() also takes "0x", leading zeros and a newline. */
	snprintf(canon, sizeof(canon), KEEPALIVE_PCI_NODE_PREFIX "%x", sbdf);
	if (strcmp(canon, name))
		return -EINVAL;
	*segment = sbdf >> 16;
	*bus = (sbdf >> 8) & 0xff;
	*devfn = sbdf & 0xff;
	return 0;
}

/**
 * keepalive_fdt_first_pci() - a participant's first per-device record
 * @fdt: an image
 * @node: a participant's node in it, or a negative offset (no node)
 *
 * Context: Any context.
 * Return: the offset of @node's first subnode named "pci@<sbdf>"
 * (keepalive_fdt_pci_place()), or -ENOENT when it has none or @node is
 * negative.
 */
int keepalive_fdt_first_pci(const void *fdt, int node)
{
	u32 segment, bus, devfn;
	int dev;

	if (node < 0)
		return -ENOENT;
	fdt_for_each_subnode(dev, fdt, node)
		if (!keepalive_fdt_pci_place(fdt, dev, &segment, &bus, &devfn))
			return dev;
	return -ENOENT;
}

/**
 * keepalive_fdt_add_pci_node() - add a participant's record of a PCI function
 * @fdt: the outgoing image's FDT, open for writing
 * @parent: the participant's node in it
 * @segment: the function's PCI segment, at most 0xffff
 * @bus: its bus number, at most 255
 * @devfn: its device and function, at most 255
 *
 * Adds the subnode "pci@<sbdf>" (abi/core.h) that keepalive_fdt_pci_place()
 * reads back.
 *
 * Context: Any context; the caller serialises access to @fdt.
 * Return: the new node's offset, or a negative libfdt error:
 * -FDT_ERR_BADVALUE when a number is out of range, -FDT_ERR_EXISTS when
 * @parent already holds a record of that function, -FDT_ERR_NOSPACE when
 * @fdt is full.
 */
int keepalive_fdt_add_pci_node(void *fdt, int parent, u32 segment, u32 bus,
			       u32 devfn)
{
	char name[KEEPALIVE_PCI_NODE_NAME_MAX];

	if (segment > 0xffff || bus > 0xff || devfn > 0xff)
		return -FDT_ERR_BADVALUE;
	snprintf(name, sizeof(name), KEEPALIVE_PCI_NODE_PREFIX "%x",
		 segment << 16 | bus << 8 | devfn);
	return fdt_add_subnode(fdt, parent, name);
}
