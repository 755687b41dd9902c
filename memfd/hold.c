// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: holds on preserved memory files, for the IOMMU
 * participant, whose handover tables let a kept device reach a file's
 * memory without any pin (see the top of registry.c).
 */
#define pr_fmt(fmt) "keepalive: memfd: " fmt

#include "kamf.h"

/**
 * keepalive_memfd_backs() - is this memory inside one preserved memory file?
 * @phys: physical address
 * @len: bytes
 *
 * For the IOMMU participant: a kept device may only reach memory the next
 * kernel gives back to its owner.
 *
 * Context: Process context; takes kamf_lock.
 * Return: true when [@phys, @phys + @len) lies inside one registered file.
 */
bool keepalive_memfd_backs(phys_addr_t phys, u64 len)
{
	struct keepalive_memfd *mf;
	bool found = false;

	mutex_lock(&kamf_lock);
	list_for_each_entry(mf, &kamf_list, list)
		if (phys >= mf->phys && len <= mf->length &&
		    phys - mf->phys <= mf->length - len)
			found = true;
	mutex_unlock(&kamf_lock);
	return found;
}

/**
 * keepalive_memfd_hold() - hold the file that backs this memory
 * @phys: physical address
 * @len: bytes
 *
 * For the IOMMU participant, whose handover tables let a kept device
 * reach a file's memory without any pin: while held, the file cannot be
 * destroyed (-EBUSY), and its memory does not go back to the pool even
 * when CONCLUDE drops the file.
 *
 * Context: Process context; takes kamf_lock.
 * Return: the file, for keepalive_memfd_unhold(); NULL when
 * [@phys, @phys + @len) is not inside one registered file.
 */
struct keepalive_memfd *keepalive_memfd_hold(phys_addr_t phys, u64 len)
{
	struct keepalive_memfd *mf, *found = NULL;

	mutex_lock(&kamf_lock);
	list_for_each_entry(mf, &kamf_list, list) {
		if (phys >= mf->phys && len <= mf->length &&
		    phys - mf->phys <= mf->length - len) {
			found = mf;
			kref_get(&mf->ref);
			mf->holds++;
			break;
		}
	}
	mutex_unlock(&kamf_lock);
	return found;
}

/**
 * keepalive_memfd_unhold() - give back a keepalive_memfd_hold()
 * @mf: what it returned; NULL does nothing
 *
 * The file's memory goes back to the pool if this was its last user.
 *
 * Context: Process context; takes kamf_lock.
 */
void keepalive_memfd_unhold(struct keepalive_memfd *mf)
{
	if (!mf)
		return;
	mutex_lock(&kamf_lock);
	WARN_ON_ONCE(!mf->holds);
	mf->holds--;
	mutex_unlock(&kamf_lock);
	kamf_put(mf);
}
