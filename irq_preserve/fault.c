// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the participant's word of the core's debugfs
 * "corrupt" knob, a test hook built only with
 * CONFIG_KEEPALIVE_FAULT_INJECTION.
 */
#define pr_fmt(fmt) "keepalive: irq: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/libfdt.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "irqp.h"

/**
 * irqp_corrupt() - the "irq" word of the debugfs corrupt knob
 * @p: this participant
 * @fdt: the sealed outgoing image
 * @node: this participant's node in it, or a negative libfdt error
 * @what: the word written
 *
 * The first kept device's first vector: its entry's source id becomes
 * another device's, which the next kernel must refuse.
 *
 * Context: Process context; keepalive_sm.lock held, in STOP.
 * Return: 0; -EOPNOTSUPP for another word; -ENOENT without such a record.
 */
int irqp_corrupt(struct keepalive_participant *p, void *fdt, int node,
		 const char *what)
{
	struct keepalive_irq_vector *v;
	int dev, len;

	if (strcmp(what, "irq"))
		return -EOPNOTSUPP;
	dev = keepalive_fdt_first_pci(fdt, node);
	if (dev < 0)
		return dev;
	v = fdt_getprop_w(fdt, dev, KEEPALIVE_IRQ_PROP_VECTORS, &len);
	if (!v || len < (int)sizeof(*v))
		return -ENOENT;
	put_unaligned(cpu_to_be64(get_unaligned_be64(&v->irte_hi) ^ 1),
		      &v->irte_hi);
	return 0;
}
