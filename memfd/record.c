// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the handover record of a preserved memory file
 * (abi/memfd.h), written at STOP, read and checked in the next kernel.
 */
#define pr_fmt(fmt) "keepalive: memfd: " fmt

#include <linux/libfdt.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kamf.h"

/**
 * kamf_record_write() - record one file in the outgoing image
 * @fdt: the outgoing image
 * @parent: the participant's node
 * @index: the file's index, which names its node "file@<index>"
 * @mf: the file
 *
 * Context: Process context; kamf_lock held (from the participant's stop).
 * Return: 0, or a negative libfdt error (-FDT_ERR_NOSPACE when full).
 */
int kamf_record_write(void *fdt, int parent, int index,
		      const struct keepalive_memfd *mf)
{
	fdt64_t range[KAMF_RANGE_CELLS] = {
		cpu_to_fdt64(mf->phys), cpu_to_fdt64(mf->length),
	};
	char node_name[KAMF_NODE_NAME_MAX];
	int node;

	snprintf(node_name, sizeof(node_name),
		 KEEPALIVE_MEMFD_FILE_PREFIX "%d", index);
	node = fdt_add_subnode(fdt, parent, node_name);
	if (node < 0)
		return node;
	return fdt_setprop_string(fdt, node, KEEPALIVE_MEMFD_PROP_NAME,
				  mf->name) ?:
	       fdt_setprop(fdt, node, KEEPALIVE_MEMFD_PROP_TOKEN_SHA256,
			   mf->token_hash, sizeof(mf->token_hash)) ?:
	       fdt_setprop(fdt, node, KEEPALIVE_PROP_RANGES, range,
			   sizeof(range));
}

/**
 * kamf_record_adopt() - adopt one file node of the incoming image
 * @fdt: the incoming image
 * @node: a subnode of the participant's node
 *
 * Checks the node's properties, claims the file's memory from the pool
 * and registers the file as incoming. Logs and skips a bad node.
 *
 * Context: Process context (the participant's resume); takes kamf_lock.
 */
void kamf_record_adopt(const void *fdt, int node)
{
	const char *nname = fdt_get_name(fdt, node, NULL);
	const fdt64_t *range;
	struct keepalive_memfd *mf;
	const u8 *hash;
	const char *name;
	int l_name, l_hash, l_range;
	phys_addr_t phys;
	u64 length;
	void *va;

	name = fdt_getprop(fdt, node, KEEPALIVE_MEMFD_PROP_NAME, &l_name);
	hash = fdt_getprop(fdt, node, KEEPALIVE_MEMFD_PROP_TOKEN_SHA256,
			   &l_hash);
	range = fdt_getprop(fdt, node, KEEPALIVE_PROP_RANGES, &l_range);
	if (!name || l_name < KAMF_NAME_PROP_MIN || l_name > KEEPALIVE_NAME_MAX ||
	    name[l_name - 1] || strlen(name) != l_name - 1 ||
	    !hash || l_hash != SHA256_DIGEST_SIZE || !range ||
	    l_range != KAMF_RANGE_CELLS * sizeof(*range)) {
		pr_err("resume: %s is malformed, dropped\n", nname);
		return;
	}
	mutex_lock(&kamf_lock);
	if (kamf_find(name)) {
		pr_err("resume: %s: duplicate name %s, dropped\n", nname, name);
		goto unlock;
	}
	/*
	 * Allocate before claiming: a file dropped for want of memory leaves
	 * its range held by the core until CONCLUDE, when no kept device can
	 * write into it any more, instead of freeing it now.
	 */
	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		goto unlock;
	/* Property data is 4-byte aligned only: fdt64_ld() reads it safely. */
	length = fdt64_ld(&range[1]);
	phys = fdt64_ld(&range[0]);
	va = keepalive_pool_claim(phys, length);
	if (IS_ERR(va)) {
		pr_err("resume: %s: cannot claim its memory: %ld, dropped\n",
		       name, PTR_ERR(va));
		kfree(mf);
		goto unlock;
	}
	kref_init(&mf->ref);
	strscpy(mf->name, name, sizeof(mf->name));
	memcpy(mf->token_hash, hash, sizeof(mf->token_hash));
	mf->length = length;
	mf->phys = phys;
	mf->va = va;
	mf->incoming = true;
	list_add_tail(&mf->list, &kamf_list);
unlock:
	mutex_unlock(&kamf_lock);
}
