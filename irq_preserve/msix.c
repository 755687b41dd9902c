// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: a kept device's MSI-X capability, captured and
 * held (see irqp.h).
 *
 * The capture reads the capability, the vector table and, for each armed
 * vector, the remapping entry its message names, and checks that entry:
 * a message the hold cannot account for is refused, and the device is not
 * kept. The hold sets enable and the function mask; nothing else of the
 * device changes, its vectors' addresses and masks included.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/device.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/apic.h>

#include "irqp.h"

/* Guards irqp_devs and every entry on it; see irqp.h for the lock order. */
DEFINE_MUTEX(irqp_lock);
LIST_HEAD(irqp_devs);

/**
 * irqp_find() - the held interrupts of the device at a place
 * @segment: PCI segment
 * @bus: bus number
 * @devfn: device and function
 *
 * Context: irqp_lock held.
 * Return: the entry, or NULL.
 */
struct irqp_dev *irqp_find(u32 segment, u8 bus, u8 devfn)
{
	struct irqp_dev *d;

	lockdep_assert_held(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list)
		if (d->segment == segment && d->bus == bus && d->devfn == devfn)
			return d;
	return NULL;
}

/**
 * irqp_find_pdev() - the held interrupts of @pdev
 * @pdev: a device
 *
 * Context: irqp_lock held.
 * Return: the entry, or NULL.
 */
struct irqp_dev *irqp_find_pdev(struct pci_dev *pdev)
{
	return irqp_find(pci_domain_nr(pdev->bus), pdev->bus->number,
			 pdev->devfn);
}

/**
 * irqp_of() - the held interrupts of a kept device
 * @kd: the device, in this kernel or adopted
 *
 * Its part[KEEPALIVE_DEVICE_IRQ] when it has one (a hold of this kernel);
 * otherwise the entry at its place on irqp_devs, for an incoming record
 * (read before any struct keepalive_device exists, and looked up at the
 * device's place since the owner may ask with a @kd that is not its
 * entry's own).
 *
 * Context: irqp_lock held.
 * Return: the entry, or NULL.
 */
struct irqp_dev *irqp_of(struct keepalive_device *kd)
{
	lockdep_assert_held(&irqp_lock);
	return kd->part[KEEPALIVE_DEVICE_IRQ] ?: irqp_find_pdev(kd->pdev);
}

static void __iomem *map_bir(struct pci_dev *pdev, u32 reg, size_t len)
{
	unsigned int bir = reg & PCI_MSIX_TABLE_BIR;
	resource_size_t start = pci_resource_start(pdev, bir);
	u32 off = reg & PCI_MSIX_TABLE_OFFSET;

	if (bir >= PCI_STD_NUM_BARS || !start ||
	    (u64)off + len > pci_resource_len(pdev, bir))
		return NULL;
	return ioremap(start + off, len);
}

/* Read the armed vectors' messages and remapping entries into @d. */
static int capture_vectors(struct pci_dev *pdev, struct irqp_dev *d,
			   void __iomem *table)
{
	void *hw = irqp_hw->dev_unit(pdev);
	unsigned int n, i = 0;
	const char *why;

	if (!hw) {
		pci_warn(pdev, "keepalive: irq: its vectors are not remapped: they cannot be held\n");
		return -EOPNOTSUPP;
	}
	d->ir_reg_base = irqp_hw->unit_reg_base(hw);
	d->flags = irqp_hw->unit_flags(hw);
	for_each_set_bit(n, d->armed, d->nr) {
		void __iomem *entry = table + n * PCI_MSIX_ENTRY_SIZE;
		struct irqp_vec *v = &d->vecs[i++];

		v->vector = n;
		v->addr_lo = readl(entry + PCI_MSIX_ENTRY_LOWER_ADDR);
		v->addr_hi = readl(entry + PCI_MSIX_ENTRY_UPPER_ADDR);
		v->data = readl(entry + PCI_MSIX_ENTRY_DATA);
		if (irqp_hw->msi_index(v->addr_lo, v->addr_hi, v->data,
				       &v->irte) ||
		    irqp_hw->entry_read(hw, pci_dev_id(pdev), v->irte, &v->e)) {
			pci_warn(pdev, "keepalive: irq: vector %u's message %#x:%#x is not remappable\n",
				 n, v->addr_hi, v->addr_lo);
			return -EOPNOTSUPP;
		}
		if (irqp_hw->entry_posted(&v->e)) {
			pci_warn(pdev, "keepalive: irq: vector %u is posted to a vCPU: this kernel does not hold posted vectors\n",
				 n);
			return -EOPNOTSUPP;
		}
		why = irqp_hw->entry_check(&v->e, pci_dev_id(pdev), d->flags);
		if (why) {
			pci_warn(pdev, "keepalive: irq: vector %u, remapping entry %u: %s\n",
				 n, v->irte, why);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * irqp_capture() - read a kept device's MSI-X state, before the hold
 * @pdev: the device, MSI-X enabled or not, not held
 * @out: out: its new entry, on irqp_devs, not held yet
 *
 * Context: Process context; irqp_lock held.
 * Return: 0; -EOPNOTSUPP (logged) when the device has no MSI-X, uses MSI,
 * or an armed vector is not remapped or is posted; -EINVAL (logged) when
 * an armed vector's remapping entry fails irqp_irte_check(); -ENOMEM;
 * -EIO when its vector table cannot be mapped.
 */
int irqp_capture(struct pci_dev *pdev, struct irqp_dev **out)
{
	void __iomem *table = NULL;
	struct irqp_dev *d;
	unsigned int n;
	void *hw;
	u16 ctrl;
	int ret;

	lockdep_assert_held(&irqp_lock);
	if (!pdev->msix_cap || pdev->msi_enabled) {
		pci_warn(pdev, "keepalive: irq: %s: its interrupts cannot be held\n",
			 pdev->msix_cap ? "it uses MSI" : "it has no MSI-X");
		return -EOPNOTSUPP;
	}
	d = keepalive_should_fail() ? NULL : kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->segment = pci_domain_nr(pdev->bus);
	d->bus = pdev->bus->number;
	d->devfn = pdev->devfn;
	d->cap = pdev->msix_cap;
	pci_read_config_word(pdev, d->cap + PCI_MSIX_FLAGS, &ctrl);
	pci_read_config_dword(pdev, d->cap + PCI_MSIX_TABLE, &d->table);
	pci_read_config_dword(pdev, d->cap + PCI_MSIX_PBA, &d->pba);
	d->was = ctrl;
	d->nr = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	d->flags = x2apic_mode ? KEEPALIVE_IRQ_F_X2APIC : 0;
	ret = -ENOMEM;
	d->armed = bitmap_zalloc(d->nr, GFP_KERNEL);
	d->pending = bitmap_zalloc(d->nr, GFP_KERNEL);
	if (!d->armed || !d->pending)
		goto out_free;
	if (ctrl & PCI_MSIX_FLAGS_ENABLE) {
		ret = -EIO;
		table = map_bir(pdev, d->table, d->nr * PCI_MSIX_ENTRY_SIZE);
		if (!table)
			goto out_free;
		for (n = 0; n < d->nr; n++)
			if (!(readl(table + n * PCI_MSIX_ENTRY_SIZE +
				    PCI_MSIX_ENTRY_VECTOR_CTRL) &
			      PCI_MSIX_ENTRY_CTRL_MASKBIT))
				__set_bit(n, d->armed);
	}
	d->nr_vecs = bitmap_weight(d->armed, d->nr);
	/*
	 * A per-device table (AMD-Vi) is built at STOP for a held device
	 * even with no armed vector: it is found by its unit.
	 */
	hw = irqp_hw->per_device ? irqp_hw->dev_unit(pdev) : NULL;
	if (hw) {
		d->ir_reg_base = irqp_hw->unit_reg_base(hw);
		d->flags = irqp_hw->unit_flags(hw);
	}
	ret = -ENOMEM;
	d->vecs = kcalloc(max(1U, d->nr_vecs), sizeof(*d->vecs), GFP_KERNEL);
	if (!d->vecs)
		goto out_unmap;
	if (d->nr_vecs) {
		ret = capture_vectors(pdev, d, table);
		if (ret)
			goto out_unmap;
	}
	if (table)
		iounmap(table);
	d->pdev = pci_dev_get(pdev);
	list_add_tail(&d->list, &irqp_devs);
	*out = d;
	return 0;

out_unmap:
	if (table)
		iounmap(table);
out_free:
	kfree(d->vecs);
	bitmap_free(d->pending);
	bitmap_free(d->armed);
	kfree(d);
	return ret;
}

/**
 * irqp_hold() - from now on, the device's interrupts wait in its PBA
 * @d: a captured entry, its device present
 *
 * Sets MSI-X enable and the function mask; nothing else.
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_hold(struct irqp_dev *d)
{
	lockdep_assert_held(&irqp_lock);
	d->control = d->was | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL;
	pci_write_config_word(d->pdev, d->cap + PCI_MSIX_FLAGS, d->control);
	d->held = true;
	pci_info_ratelimited(d->pdev, "keepalive: irq: held: MSI-X enabled and masked, %u armed vector(s)%s\n",
			     d->nr_vecs, d->was & PCI_MSIX_FLAGS_ENABLE ? "" : " (MSI-X was off)");
}

/**
 * irqp_release() - the hold ends, in the first kernel
 * @d: a held entry, its device present
 * @restore: give the device back its Message Control as its VMM left it
 *	(ABORT of a hold STOP began on an open device: a pending interrupt is
 *	sent now to the VMM's vector); false: disable MSI-X and enable INTx,
 *	as the close the hold replaced would have (the device is stopped,
 *	reset or opened again)
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_release(struct irqp_dev *d, bool restore)
{
	lockdep_assert_held(&irqp_lock);
	if (!d->held)
		return;
	if (restore) {
		pci_write_config_word(d->pdev, d->cap + PCI_MSIX_FLAGS, d->was);
	} else {
		pci_write_config_word(d->pdev, d->cap + PCI_MSIX_FLAGS,
				      d->was & ~(PCI_MSIX_FLAGS_ENABLE |
						 PCI_MSIX_FLAGS_MASKALL));
		pci_intx(d->pdev, 1);
	}
	d->held = false;
	pci_info_ratelimited(d->pdev, "keepalive: irq: released%s\n",
			     restore ? ": MSI-X as its VMM left it" : "");
}

/**
 * irqp_read_pba() - the device's Pending Bit Array now
 * @d: an entry, its device present
 * @pba: out: @d->nr bits
 *
 * Context: Process context.
 * Return: 0, or -EIO when the PBA cannot be mapped.
 */
int irqp_read_pba(struct irqp_dev *d, unsigned long *pba)
{
	unsigned int words = DIV_ROUND_UP(d->nr, 64), i;
	void __iomem *p = map_bir(d->pdev, d->pba, words * 8);

	if (!p)
		return -EIO;
	bitmap_zero(pba, d->nr);
	for (i = 0; i < words; i++) {
		u64 w = readl(p + 8 * i) | (u64)readl(p + 8 * i + 4) << 32;

		bitmap_from_arr64(pba + BITS_TO_LONGS(64) * i, &w,
				  min(64U, d->nr - 64 * i));
	}
	iounmap(p);
	return 0;
}

/**
 * irqp_free() - forget an entry (not held, its entries unreserved)
 * @d: the entry, on irqp_devs
 *
 * Context: Process context; irqp_lock held.
 */
void irqp_free(struct irqp_dev *d)
{
	lockdep_assert_held(&irqp_lock);
	WARN_ON_ONCE(d->held && d->pdev && !d->incoming);
	if (d->kd)
		d->kd->part[KEEPALIVE_DEVICE_IRQ] = NULL;
	list_del(&d->list);
	pci_dev_put(d->pdev);
	kfree(d->vecs);
	bitmap_free(d->pending);
	bitmap_free(d->armed);
	kfree(d);
}

/**
 * irqp_matches() - is the enumerated device still held as recorded?
 * @d: a valid incoming entry
 * @pdev: the device at its place
 *
 * Context: Process context, PCI enumeration; irqp_lock held.
 * Return: NULL when its MSI-X capability is where and as the record says,
 * enabled and masked; otherwise why not.
 */
const char *irqp_matches(struct irqp_dev *d, struct pci_dev *pdev)
{
	u32 table, pba;
	u16 ctrl;

	if (pdev->msix_cap != d->cap)
		return "its MSI-X capability moved";
	pci_read_config_word(pdev, d->cap + PCI_MSIX_FLAGS, &ctrl);
	pci_read_config_dword(pdev, d->cap + PCI_MSIX_TABLE, &table);
	pci_read_config_dword(pdev, d->cap + PCI_MSIX_PBA, &pba);
	if ((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1 != d->nr || table != d->table ||
	    pba != d->pba)
		return "its MSI-X table is not the recorded one";
	if ((ctrl & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)) !=
	    (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL))
		return "its MSI-X is not enabled and masked (was it reset?)";
	return NULL;
}

static int irqp_show(struct seq_file *m, void *v)
{
	struct irqp_dev *d;
	unsigned int i;

	mutex_lock(&irqp_lock);
	list_for_each_entry(d, &irqp_devs, list) {
		seq_printf(m, "%04x:%02x:%02x.%d %s%s%s vectors %u armed %*pbl pending %*pbl\n",
			   d->segment, d->bus, PCI_SLOT(d->devfn),
			   PCI_FUNC(d->devfn), d->incoming ? "incoming" : "outgoing",
			   d->held ? " held" : "", d->incoming && !d->valid ?
			   " invalid" : "", d->nr, d->nr, d->armed, d->nr,
			   d->pending);
		for (i = 0; i < d->nr_vecs; i++)
			seq_printf(m, "  vector %u irte %u%s%s\n",
				   d->vecs[i].vector, d->vecs[i].irte,
				   d->vecs[i].reserved ? " reserved" : "",
				   d->vecs[i].claimed ? " claimed" : "");
	}
	mutex_unlock(&irqp_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(irqp);

/**
 * irqp_debugfs_init() - keepalive/irq in debugfs: every entry of irqp_devs
 *
 * Context: Process context, boot.
 */
void irqp_debugfs_init(void)
{
	struct dentry *dir = debugfs_lookup("keepalive", NULL);

	if (dir) {
		debugfs_create_file("irq", 0400, dir, NULL, &irqp_fops);
		dput(dir);
	}
}
