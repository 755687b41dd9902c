// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the participant's word of the core's debugfs
 * "corrupt" knob, a test hook built only with
 * CONFIG_KEEPALIVE_FAULT_INJECTION.
 */
#define pr_fmt(fmt) "keepalive: vfio: " fmt

#include <linux/keepalive.h>
#include <linux/keepalive/abi/core.h>
#include <linux/libfdt.h>
#include <linux/string.h>

#include "vka.h"

/**
 * vka_corrupt() - the "vfio-version" word of the debugfs corrupt knob
 * @p: this participant
 * @fdt: the sealed outgoing image
 * @node: this participant's node in it, or a negative libfdt error
 * @what: the word written
 *
 * The node says it is another version of its format: its compatible ends
 * in "-v<N>", and N becomes N + 1 (a digit). The next kernel accepts the
 * image, not that node.
 *
 * Context: Process context; keepalive_sm.lock held, in STOP.
 * Return: 0; -EOPNOTSUPP for another word; -ENOENT without the node or
 * without a version digit below 9.
 */
int vka_corrupt(struct keepalive_participant *p, void *fdt, int node,
		const char *what)
{
	char *compat;
	int len;

	if (strcmp(what, "vfio-version"))
		return -EOPNOTSUPP;
	if (node < 0)
		return -ENOENT;
	compat = fdt_getprop_w(fdt, node, KEEPALIVE_PROP_COMPATIBLE, &len);
	/* A string: its NUL, and at least one character before it. */
	if (!compat || len < 2 || compat[len - 2] < '0' ||
	    compat[len - 2] >= '9')
		return -ENOENT;
	compat[len - 2]++;
	return 0;
}
