// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the registry of preserved memory files.
 *
 * A file lives in the registry until it is destroyed (KEEPALIVE_IOC_
 * MEMFD_DESTROY) or, for a file handed over by the previous kernel, until
 * CONCLUDE if nobody retrieved it; its memory is freed when it has also
 * been closed and unmapped everywhere. The set of files is frozen from
 * PRE-STOP on: no file is created or destroyed until ABORT or the kexec.
 *
 * A device may reach a file's memory through an IOMMU mapping that
 * outlives every descriptor and mmap() of it (vfio's type1 keeps its
 * mappings until VFIO_IOMMU_UNMAP_DMA or the container's end). The file's
 * memory has struct pages (kho/pool.c), which such a mapping pins, a folio
 * at a time (pin.c), and:
 * - destroying a file while any page of it is pinned fails with -EBUSY;
 * - a file whose last user goes while pages of it are still pinned (it
 *   was destroyed first, then mapped for DMA through a descriptor still
 *   open) does not give its memory back: it waits on kamf_quarantine
 *   until nothing but the pool references it, and is looked at again at
 *   every create and destroy.
 * Keepalive's own handover translation of a kept device holds the files
 * it maps (keepalive_memfd_hold(), hold.c): a held file cannot be
 * destroyed either, and its memory stays until the hold goes, even when
 * CONCLUDE drops the file first.
 * Memory a device may still reach is never handed out again.
 */
#define pr_fmt(fmt) "keepalive: memfd: " fmt

#include <crypto/algapi.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kamf.h"

/* Guards kamf_list and every file's @holds, @incoming and @retrieved. */
DEFINE_MUTEX(kamf_lock);
LIST_HEAD(kamf_list);
/* Guards kamf_quarantine; nests inside kamf_lock. */
static DEFINE_MUTEX(kamf_quarantine_lock);
static LIST_HEAD(kamf_quarantine);

static void kamf_free(struct keepalive_memfd *mf)
{
	keepalive_pool_free(mf->va, mf->length);
	kfree(mf);
}

static void kamf_release(struct kref *ref)
{
	struct keepalive_memfd *mf = container_of(ref, struct keepalive_memfd, ref);

	if (keepalive_pool_unused(mf->phys, mf->length)) {
		kamf_free(mf);
		return;
	}
	/* Pinned for DMA, or only held for a moment (a GUP in progress). */
	pr_warn("%s: still in use at its last close, %lu page(s) of it pinned for DMA: its memory stays out of the pool until nothing uses it\n",
		mf->name, keepalive_pool_pinned(mf->phys, mf->length));
	mutex_lock(&kamf_quarantine_lock);
	list_add_tail(&mf->list, &kamf_quarantine);
	mutex_unlock(&kamf_quarantine_lock);
}

/* Give back the memory of quarantined files that nobody pins any more. */
static void kamf_reap(void)
{
	struct keepalive_memfd *mf, *next;

	mutex_lock(&kamf_quarantine_lock);
	list_for_each_entry_safe(mf, next, &kamf_quarantine, list) {
		if (!keepalive_pool_unused(mf->phys, mf->length))
			continue;
		pr_info("%s: unpinned, its memory goes back to the pool\n",
			mf->name);
		list_del(&mf->list);
		kamf_free(mf);
	}
	mutex_unlock(&kamf_quarantine_lock);
}

/**
 * kamf_put() - drop a reference to a file
 * @mf: the file
 *
 * With the last reference the file's memory goes back to the pool, or,
 * while pages of it are still pinned for DMA, into the quarantine.
 *
 * Context: Process context; takes kamf_quarantine_lock.
 */
void kamf_put(struct keepalive_memfd *mf)
{
	kref_put(&mf->ref, kamf_release);
}

/**
 * kamf_unregister() - take a file out of the registry
 * @mf: a registered file
 *
 * It goes away with its last user.
 *
 * Context: Process context; kamf_lock held.
 */
void kamf_unregister(struct keepalive_memfd *mf)
{
	lockdep_assert_held(&kamf_lock);
	list_del(&mf->list);
	kamf_put(mf);
}

/**
 * kamf_find() - a registered file by name
 * @name: its name
 *
 * Context: kamf_lock held.
 * Return: the file, or NULL.
 */
struct keepalive_memfd *kamf_find(const char *name)
{
	struct keepalive_memfd *mf;

	lockdep_assert_held(&kamf_lock);
	list_for_each_entry(mf, &kamf_list, list)
		if (!strcmp(mf->name, name))
			return mf;
	return NULL;
}

static int kamf_check_name(const char *name)
{
	size_t len = strnlen(name, KEEPALIVE_NAME_MAX);

	if (!len || len == KEEPALIVE_NAME_MAX)
		return -EINVAL;
	return 0;
}

/*
 * A file's memory. One of 2 MiB or more starts on a 2 MiB boundary, and
 * one of 1 GiB or more on a 1 GiB boundary where the pool has one at the
 * start or the end of a free extent (keepalive_pool_alloc_snug(): the
 * alignment costs no room), so that an IOMMU translating a kept device
 * into it can use pages as large as the file and its IOVA allow: its
 * handover tables then cost a few pages whatever its size.
 */
static void *kamf_alloc(u64 length, phys_addr_t *phys)
{
	void *va = NULL;

	if (length >= SZ_1G)
		va = keepalive_pool_alloc_snug(length, SZ_1G, phys);
	return va ?: keepalive_pool_alloc_aligned(length, length >= SZ_2M ?
						  SZ_2M : PAGE_SIZE, phys);
}

/**
 * keepalive_memfd_create() - create a preserved memory file
 * @arg: the request, already copied in
 *
 * Context: Process context; takes keepalive_sm.lock and kamf_lock.
 * Return: a new file descriptor;
 * -EINVAL for flags, an empty or unterminated name, or a length that is 0
 * or not page aligned;
 * -EEXIST when a file of that name exists;
 * -EBUSY from PRE-STOP to the kexec (the set of files is frozen);
 * -ENOSPC when the pool has no contiguous room (or there is no pool);
 * -EMFILE and friends from the descriptor allocation.
 */
int keepalive_memfd_create(const struct keepalive_memfd_create *arg)
{
	char what[16 + KEEPALIVE_NAME_MAX];
	struct keepalive_memfd *mf;
	int ret;

	if (arg->flags || kamf_check_name(arg->name) || !arg->length ||
	    !PAGE_ALIGNED(arg->length)) {
		pr_warn("create: invalid flags, name or length\n");
		return -EINVAL;
	}
	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	kref_init(&mf->ref);
	strscpy(mf->name, arg->name, sizeof(mf->name));
	sha256(arg->token, sizeof(arg->token), mf->token_hash);
	mf->length = arg->length;

	mutex_lock(&keepalive_sm.lock);
	mutex_lock(&kamf_lock);
	kamf_reap();
	snprintf(what, sizeof(what), "create %s", mf->name);
	ret = keepalive_freeze_check(what);
	if (ret)
		goto unlock;
	if (kamf_find(mf->name)) {
		ret = -EEXIST;
		goto unlock;
	}
	mf->va = kamf_alloc(mf->length, &mf->phys);
	if (!mf->va) {
		pr_warn("create %s: no %llu contiguous bytes in the pool\n",
			mf->name, mf->length);
		ret = -ENOSPC;
		goto unlock;
	}
	ret = kamf_open_fd(mf);
	if (ret < 0)
		goto free_memory;
	list_add_tail(&mf->list, &kamf_list);
	mutex_unlock(&kamf_lock);
	mutex_unlock(&keepalive_sm.lock);
	return ret;

free_memory:
	keepalive_pool_free(mf->va, mf->length);
	mf->va = NULL;
unlock:
	mutex_unlock(&kamf_lock);
	mutex_unlock(&keepalive_sm.lock);
	kfree(mf);
	return ret;
}

/* Find @name and check @token; logs why not. */
static struct keepalive_memfd *
kamf_lookup(const struct keepalive_memfd_retrieve *arg, const char *op)
{
	u8 hash[SHA256_DIGEST_SIZE];
	struct keepalive_memfd *mf;

	lockdep_assert_held(&kamf_lock);
	mf = kamf_find(arg->name);
	if (!mf) {
		pr_info("%s %.*s: no such file\n", op, KEEPALIVE_NAME_MAX,
			arg->name);
		return ERR_PTR(-ENOENT);
	}
	sha256(arg->token, sizeof(arg->token), hash);
	if (crypto_memneq(hash, mf->token_hash, sizeof(hash))) {
		pr_warn("%s %s: wrong token\n", op, mf->name);
		return ERR_PTR(-EPERM);
	}
	return mf;
}

/**
 * keepalive_memfd_retrieve() - open a preserved memory file by name
 * @arg: the request, already copied in
 *
 * Context: Process context; takes kamf_lock.
 * Return: a new file descriptor;
 * -EINVAL for flags or a bad name;
 * -ENOENT when there is no such file;
 * -EPERM for a wrong token.
 */
int keepalive_memfd_retrieve(const struct keepalive_memfd_retrieve *arg)
{
	struct keepalive_memfd *mf;
	int ret;

	if (arg->flags || kamf_check_name(arg->name))
		return -EINVAL;
	mutex_lock(&kamf_lock);
	mf = kamf_lookup(arg, "retrieve");
	if (IS_ERR(mf)) {
		ret = PTR_ERR(mf);
		goto unlock;
	}
	ret = kamf_open_fd(mf);
	if (ret >= 0 && mf->incoming && !mf->retrieved) {
		mf->retrieved = true;
		pr_info("retrieved %s: %llu bytes at %pa\n", mf->name,
			mf->length, &mf->phys);
	}
unlock:
	mutex_unlock(&kamf_lock);
	return ret;
}

/**
 * keepalive_memfd_destroy() - remove a preserved memory file
 * @arg: the request, already copied in
 *
 * The memory is freed once the last descriptor and mapping are gone, and
 * no page of it is pinned.
 *
 * Context: Process context; takes keepalive_sm.lock and kamf_lock.
 * Return: 0;
 * -EINVAL for flags or a bad name;
 * -ENOENT when there is no such file;
 * -EPERM for a wrong token;
 * -EBUSY from PRE-STOP to the kexec, while a kept device's handover
 * translation maps the file, or while any page of it is pinned (mapped for
 * DMA by an IOMMU).
 */
int keepalive_memfd_destroy(const struct keepalive_memfd_retrieve *arg)
{
	struct keepalive_memfd *mf;
	char what[16 + KEEPALIVE_NAME_MAX];
	unsigned long pinned;
	int ret = 0;

	if (arg->flags || kamf_check_name(arg->name))
		return -EINVAL;
	mutex_lock(&keepalive_sm.lock);
	mutex_lock(&kamf_lock);
	kamf_reap();
	mf = kamf_lookup(arg, "destroy");
	if (IS_ERR(mf)) {
		ret = PTR_ERR(mf);
		goto unlock;
	}
	snprintf(what, sizeof(what), "destroy %s", mf->name);
	ret = keepalive_freeze_check(what);
	if (ret)
		goto unlock;
	if (mf->holds) {
		pr_warn("destroy %s refused: a kept device's handover translation maps it\n",
			mf->name);
		ret = -EBUSY;
		goto unlock;
	}
	pinned = keepalive_pool_pinned(mf->phys, mf->length);
	if (pinned) {
		pr_warn("destroy %s refused: %lu page(s) of it pinned for DMA; unmap them first\n",
			mf->name, pinned);
		ret = -EBUSY;
		goto unlock;
	}
	kamf_unregister(mf);
unlock:
	mutex_unlock(&kamf_lock);
	mutex_unlock(&keepalive_sm.lock);
	return ret;
}

/* Fill @info with up to @max files; return how many files there are. */
static u32 kamf_snapshot(struct keepalive_memfd_info *info, u32 max)
{
	struct keepalive_memfd *mf;
	u32 n = 0;

	lockdep_assert_held(&kamf_lock);
	list_for_each_entry(mf, &kamf_list, list) {
		if (n < max) {
			strscpy(info[n].name, mf->name, sizeof(info[n].name));
			info[n].length = mf->length;
			info[n].phys = mf->phys;
			info[n].flags = (mf->incoming ? KEEPALIVE_MEMFD_INCOMING : 0) |
					(mf->retrieved ? KEEPALIVE_MEMFD_RETRIEVED : 0);
		}
		n++;
	}
	return n;
}

/**
 * keepalive_memfd_list() - describe the registered files
 * @entries: user array of @nr entries
 * @nr: its capacity
 *
 * The entries are filled in a kernel copy under kamf_lock and copied out
 * after it is dropped: a fault on @entries takes mmap_lock, which must
 * not nest inside kamf_lock (keepalive_memfd_backs() takes kamf_lock
 * under locks that holders of mmap_lock take).
 *
 * Context: Process context; takes kamf_lock.
 * Return: the number of registered files (more than @nr when @entries was
 * too small; only @nr are written), -ENOMEM or -EFAULT.
 */
int keepalive_memfd_list(struct keepalive_memfd_info __user *entries, u32 nr)
{
	struct keepalive_memfd_info *info;
	u32 want, n;
	int ret = 0;

	for (;;) {
		want = min_t(u32, nr, keepalive_memfd_count());
		info = want ? kvcalloc(want, sizeof(*info), GFP_KERNEL) : NULL;
		if (want && !info)
			return -ENOMEM;
		mutex_lock(&kamf_lock);
		n = kamf_snapshot(info, want);
		mutex_unlock(&kamf_lock);
		/* Files were added meanwhile, and there is room for them. */
		if (n <= want || want == nr)
			break;
		kvfree(info);
	}
	want = min(want, n);
	if (want && copy_to_user(entries, info, want * sizeof(*info)))
		ret = -EFAULT;
	kvfree(info);
	return ret ?: n;
}

/**
 * keepalive_memfd_count() - number of registered files
 *
 * Context: Process context; takes kamf_lock.
 * Return: the count.
 */
unsigned int keepalive_memfd_count(void)
{
	struct keepalive_memfd *mf;
	unsigned int n = 0;

	mutex_lock(&kamf_lock);
	list_for_each_entry(mf, &kamf_list, list)
		n++;
	mutex_unlock(&kamf_lock);
	return n;
}
