// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: preserved memory files.
 *
 * A preserved memory file is a named, physically contiguous piece of the
 * keepalive pool that a VMM maps (guest RAM, DMA queues, its own saved
 * state) and finds again by name after kexec, at the same physical
 * address with the same content. Creating or retrieving one needs
 * CAP_SYS_ADMIN and the file's token; only the token's SHA-256 is kept,
 * and only it is handed over.
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
 * pages are faulted into userspace as struct pages (pool.c), so such a
 * mapping pins them, and:
 * - destroying a file while any page of it is pinned fails with -EBUSY;
 * - a file whose last user goes while pages of it are still pinned (it
 *   was destroyed first, then mapped for DMA through a descriptor still
 *   open) does not give its memory back: it waits on memfd_quarantine
 *   until nothing but the pool references it, and is looked at again at
 *   every create and destroy.
 * Keepalive's own handover translation of a kept device holds the files
 * it maps (keepalive_memfd_hold()): a held file cannot be destroyed
 * either, and its memory stays until the hold goes, even when CONCLUDE
 * drops the file first.
 * Memory a device may still reach is never handed out again.
 *
 * Lock order: keepalive_sm.lock -> memfd_lock -> memfd_quarantine_lock.
 */
#define pr_fmt(fmt) "keepalive: memfd: " fmt

#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/kref.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ioctl.h"
#include "kho.h"

/**
 * struct keepalive_memfd - a preserved memory file
 * @ref: one for the registry, one per open file description, one per
 *	hold
 * @list: in memfd_list while registered, in memfd_quarantine after its
 *	last user went while some of its pages were still pinned
 * @name: unique name
 * @token_hash: SHA-256 of the token
 * @length: bytes
 * @phys: physical address of its contiguous memory
 * @va: kernel address of it
 * @incoming: handed over by the previous kernel
 * @retrieved: an incoming file that its owner retrieved
 * @holds: keepalive_memfd_hold()s not yet given back, under memfd_lock
 */
struct keepalive_memfd {
	struct kref ref;
	struct list_head list;
	char name[KEEPALIVE_NAME_MAX];
	u8 token_hash[SHA256_DIGEST_SIZE];
	u64 length;
	phys_addr_t phys;
	void *va;
	bool incoming;
	bool retrieved;
	unsigned int holds;
};

/* A file's node in the image: "file@<index>", any int index. */
#define MEMFD_NODE_NAME_MAX	sizeof(KEEPALIVE_MEMFD_FILE_PREFIX "-2147483648")
/* Its "phys-ranges": one <phys length> pair of u64 cells. */
#define MEMFD_RANGE_CELLS	2
/* The shortest "name" property: one byte and the NUL. */
#define MEMFD_NAME_PROP_MIN	2

static DEFINE_MUTEX(memfd_lock);
static LIST_HEAD(memfd_list);
static DEFINE_MUTEX(memfd_quarantine_lock);
static LIST_HEAD(memfd_quarantine);

static void memfd_free(struct keepalive_memfd *mf)
{
	keepalive_pool_free(mf->va, mf->length);
	kfree(mf);
}

static void memfd_release(struct kref *ref)
{
	struct keepalive_memfd *mf = container_of(ref, struct keepalive_memfd, ref);

	if (keepalive_pool_unused(mf->phys, mf->length)) {
		memfd_free(mf);
		return;
	}
	/* Pinned for DMA, or only held for a moment (a GUP in progress). */
	pr_warn("%s: still in use at its last close, %lu page(s) of it pinned for DMA: its memory stays out of the pool until nothing uses it\n",
		mf->name, keepalive_pool_pinned(mf->phys, mf->length));
	mutex_lock(&memfd_quarantine_lock);
	list_add_tail(&mf->list, &memfd_quarantine);
	mutex_unlock(&memfd_quarantine_lock);
}

/* Give back the memory of quarantined files that nobody pins any more. */
static void memfd_reap(void)
{
	struct keepalive_memfd *mf, *next;

	mutex_lock(&memfd_quarantine_lock);
	list_for_each_entry_safe(mf, next, &memfd_quarantine, list) {
		if (!keepalive_pool_unused(mf->phys, mf->length))
			continue;
		pr_info("%s: unpinned, its memory goes back to the pool\n",
			mf->name);
		list_del(&mf->list);
		memfd_free(mf);
	}
	mutex_unlock(&memfd_quarantine_lock);
}

static void memfd_put(struct keepalive_memfd *mf)
{
	kref_put(&mf->ref, memfd_release);
}

/* Take @mf out of the registry; it goes away with its last user. */
static void memfd_unregister(struct keepalive_memfd *mf)
{
	lockdep_assert_held(&memfd_lock);
	list_del(&mf->list);
	memfd_put(mf);
}

static struct keepalive_memfd *memfd_find(const char *name)
{
	struct keepalive_memfd *mf;

	lockdep_assert_held(&memfd_lock);
	list_for_each_entry(mf, &memfd_list, list)
		if (!strcmp(mf->name, name))
			return mf;
	return NULL;
}

static ssize_t memfd_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	struct keepalive_memfd *mf = file->private_data;

	return simple_read_from_buffer(buf, len, ppos, mf->va, mf->length);
}

static ssize_t memfd_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	struct keepalive_memfd *mf = file->private_data;

	if (*ppos >= mf->length && len)
		return -ENOSPC;
	return simple_write_to_buffer(mf->va, mf->length, ppos, buf, len);
}

static loff_t memfd_llseek(struct file *file, loff_t offset, int whence)
{
	struct keepalive_memfd *mf = file->private_data;

	return fixed_size_llseek(file, offset, whence, mf->length);
}

/*
 * Each page is faulted in with a reference of its own, which the mapping
 * holds until it is unmapped; whoever pins it (vfio's type1) holds a pin
 * until it unpins. See the top of this file.
 */
static vm_fault_t memfd_fault(struct vm_fault *vmf)
{
	struct keepalive_memfd *mf = vmf->vma->vm_file->private_data;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;

	if (off >= mf->length)
		return VM_FAULT_SIGBUS;
	vmf->page = keepalive_pool_page(mf->phys + off);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct memfd_vm_ops = {
	.fault = memfd_fault,
};

static int memfd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct keepalive_memfd *mf = file->private_data;
	unsigned long size = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;

	/* Shared only: the point is that the device sees these very pages. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= mf->length || size > mf->length - off)
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &memfd_vm_ops;
	return 0;
}

static long memfd_layout(struct file *file, void *arg)
{
	struct keepalive_memfd *mf = file->private_data;
	struct keepalive_memfd_layout *lay = arg;
	struct keepalive_range r;

	if (lay->flags)
		return -EINVAL;
	/*
	 * Physical addresses are for the administrator (as in
	 * /proc/PID/pagemap), not for whoever was handed the file's fd.
	 */
	if (!capable(CAP_SYS_ADMIN)) {
		pr_warn_ratelimited("layout of %s refused: it needs CAP_SYS_ADMIN\n",
				    mf->name);
		return -EPERM;
	}
	/* One range in this version; the ABI allows more. */
	if (lay->nr_ranges >= 1) {
		r.phys = mf->phys;
		r.length = mf->length;
		if (copy_to_user(u64_to_user_ptr(lay->ranges), &r, sizeof(r)))
			return -EFAULT;
	}
	lay->length = mf->length;
	lay->nr_ranges = 1;
	return 0;
}

KEEPALIVE_IOCTL_ARG_CHECK(struct keepalive_memfd_layout,
			  KEEPALIVE_MEMFD_LAYOUT_SIZE_VER0);

static const struct keepalive_ioctl memfd_ioctls[] = {
	[_IOC_NR(KEEPALIVE_MEMFD_IOC_LAYOUT)] = {
		.cmd = KEEPALIVE_MEMFD_IOC_LAYOUT,
		.min_size = KEEPALIVE_MEMFD_LAYOUT_SIZE_VER0,
		.copy_in = true,
		.copy_out = true,
		.handler = memfd_layout,
	},
};

static long memfd_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	return keepalive_ioctl_dispatch(memfd_ioctls, ARRAY_SIZE(memfd_ioctls),
					file, cmd, arg);
}

static int memfd_file_release(struct inode *inode, struct file *file)
{
	memfd_put(file->private_data);
	return 0;
}

static const struct file_operations memfd_fops = {
	.owner = THIS_MODULE,
	.read = memfd_read,
	.write = memfd_write,
	.llseek = memfd_llseek,
	.mmap = memfd_mmap,
	.unlocked_ioctl = memfd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = memfd_file_release,
};

/* A new O_RDWR | O_CLOEXEC descriptor on @mf, holding a reference. */
static int memfd_open_fd(struct keepalive_memfd *mf)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	kref_get(&mf->ref);
	file = anon_inode_getfile("[keepalive-memfd]", &memfd_fops, mf, O_RDWR);
	if (IS_ERR(file)) {
		memfd_put(mf);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	fd_install(fd, file);
	return fd;
}

static int check_name(const char *name)
{
	size_t len = strnlen(name, KEEPALIVE_NAME_MAX);

	if (!len || len == KEEPALIVE_NAME_MAX)
		return -EINVAL;
	return 0;
}

/**
 * keepalive_memfd_create() - create a preserved memory file
 * @arg: the request, already copied in
 *
 * Context: Process context; takes keepalive_sm.lock and memfd_lock.
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

	if (arg->flags || check_name(arg->name) || !arg->length ||
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
	mutex_lock(&memfd_lock);
	memfd_reap();
	snprintf(what, sizeof(what), "create %s", mf->name);
	ret = keepalive_freeze_check(what);
	if (ret)
		goto unlock;
	if (memfd_find(mf->name)) {
		ret = -EEXIST;
		goto unlock;
	}
	/*
	 * A file of 2 MiB or more starts on a 2 MiB boundary, so that an
	 * IOMMU translating a kept device into it can use 2 MiB pages: its
	 * handover tables then cost a few pages whatever its size.
	 */
	mf->va = keepalive_pool_alloc_aligned(mf->length,
					      mf->length >= SZ_2M ? SZ_2M :
					      PAGE_SIZE, &mf->phys);
	if (!mf->va) {
		pr_warn("create %s: no %llu contiguous bytes in the pool\n",
			mf->name, mf->length);
		ret = -ENOSPC;
		goto unlock;
	}
	ret = memfd_open_fd(mf);
	if (ret < 0)
		goto free_memory;
	list_add_tail(&mf->list, &memfd_list);
	mutex_unlock(&memfd_lock);
	mutex_unlock(&keepalive_sm.lock);
	return ret;

free_memory:
	keepalive_pool_free(mf->va, mf->length);
	mf->va = NULL;
unlock:
	mutex_unlock(&memfd_lock);
	mutex_unlock(&keepalive_sm.lock);
	kfree(mf);
	return ret;
}

/* Find @name and check @token; logs why not. */
static struct keepalive_memfd *
memfd_lookup(const struct keepalive_memfd_retrieve *arg, const char *op)
{
	u8 hash[SHA256_DIGEST_SIZE];
	struct keepalive_memfd *mf;

	lockdep_assert_held(&memfd_lock);
	mf = memfd_find(arg->name);
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
 * Context: Process context; takes memfd_lock.
 * Return: a new file descriptor;
 * -EINVAL for flags or a bad name;
 * -ENOENT when there is no such file;
 * -EPERM for a wrong token.
 */
int keepalive_memfd_retrieve(const struct keepalive_memfd_retrieve *arg)
{
	struct keepalive_memfd *mf;
	int ret;

	if (arg->flags || check_name(arg->name))
		return -EINVAL;
	mutex_lock(&memfd_lock);
	mf = memfd_lookup(arg, "retrieve");
	if (IS_ERR(mf)) {
		ret = PTR_ERR(mf);
		goto unlock;
	}
	ret = memfd_open_fd(mf);
	if (ret >= 0 && mf->incoming && !mf->retrieved) {
		mf->retrieved = true;
		pr_info("retrieved %s: %llu bytes at %pa\n", mf->name,
			mf->length, &mf->phys);
	}
unlock:
	mutex_unlock(&memfd_lock);
	return ret;
}

/**
 * keepalive_memfd_destroy() - remove a preserved memory file
 * @arg: the request, already copied in
 *
 * The memory is freed once the last descriptor and mapping are gone, and
 * no page of it is pinned.
 *
 * Context: Process context; takes keepalive_sm.lock and memfd_lock.
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

	if (arg->flags || check_name(arg->name))
		return -EINVAL;
	mutex_lock(&keepalive_sm.lock);
	mutex_lock(&memfd_lock);
	memfd_reap();
	mf = memfd_lookup(arg, "destroy");
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
	memfd_unregister(mf);
unlock:
	mutex_unlock(&memfd_lock);
	mutex_unlock(&keepalive_sm.lock);
	return ret;
}

/* Fill @info with up to @max files; return how many files there are. */
static u32 memfd_snapshot(struct keepalive_memfd_info *info, u32 max)
{
	struct keepalive_memfd *mf;
	u32 n = 0;

	lockdep_assert_held(&memfd_lock);
	list_for_each_entry(mf, &memfd_list, list) {
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
 * The entries are filled in a kernel copy under memfd_lock and copied out
 * after it is dropped: a fault on @entries takes mmap_lock, which must
 * not nest inside memfd_lock (keepalive_memfd_backs() takes memfd_lock
 * under locks that holders of mmap_lock take).
 *
 * Context: Process context; takes memfd_lock.
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
		mutex_lock(&memfd_lock);
		n = memfd_snapshot(info, want);
		mutex_unlock(&memfd_lock);
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
 * Context: Process context; takes memfd_lock.
 * Return: the count.
 */
unsigned int keepalive_memfd_count(void)
{
	struct keepalive_memfd *mf;
	unsigned int n = 0;

	mutex_lock(&memfd_lock);
	list_for_each_entry(mf, &memfd_list, list)
		n++;
	mutex_unlock(&memfd_lock);
	return n;
}

/**
 * keepalive_memfd_backs() - is this memory inside one preserved memory file?
 * @phys: physical address
 * @len: bytes
 *
 * For the IOMMU participant: a kept device may only reach memory the next
 * kernel gives back to its owner.
 *
 * Context: Process context; takes memfd_lock.
 * Return: true when [@phys, @phys + @len) lies inside one registered file.
 */
bool keepalive_memfd_backs(phys_addr_t phys, u64 len)
{
	struct keepalive_memfd *mf;
	bool found = false;

	mutex_lock(&memfd_lock);
	list_for_each_entry(mf, &memfd_list, list)
		if (phys >= mf->phys && len <= mf->length &&
		    phys - mf->phys <= mf->length - len)
			found = true;
	mutex_unlock(&memfd_lock);
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
 * Context: Process context; takes memfd_lock.
 * Return: the file, for keepalive_memfd_unhold(); NULL when
 * [@phys, @phys + @len) is not inside one registered file.
 */
struct keepalive_memfd *keepalive_memfd_hold(phys_addr_t phys, u64 len)
{
	struct keepalive_memfd *mf, *found = NULL;

	mutex_lock(&memfd_lock);
	list_for_each_entry(mf, &memfd_list, list) {
		if (phys >= mf->phys && len <= mf->length &&
		    phys - mf->phys <= mf->length - len) {
			found = mf;
			kref_get(&mf->ref);
			mf->holds++;
			break;
		}
	}
	mutex_unlock(&memfd_lock);
	return found;
}

/**
 * keepalive_memfd_unhold() - give back a keepalive_memfd_hold()
 * @mf: what it returned; NULL does nothing
 *
 * The file's memory goes back to the pool if this was its last user.
 *
 * Context: Process context; takes memfd_lock.
 */
void keepalive_memfd_unhold(struct keepalive_memfd *mf)
{
	if (!mf)
		return;
	mutex_lock(&memfd_lock);
	WARN_ON_ONCE(!mf->holds);
	mf->holds--;
	mutex_unlock(&memfd_lock);
	memfd_put(mf);
}

/* Participant callbacks: all under keepalive_sm.lock. */

static int memfd_serialize(void *fdt, int parent, int index,
			   const struct keepalive_memfd *mf)
{
	fdt64_t range[MEMFD_RANGE_CELLS] = {
		cpu_to_fdt64(mf->phys), cpu_to_fdt64(mf->length),
	};
	char node_name[MEMFD_NODE_NAME_MAX];
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

static int memfd_stop(struct keepalive_participant *p, void *fdt, int node)
{
	struct keepalive_memfd *mf;
	int ret = 0, i = 0;

	mutex_lock(&memfd_lock);
	list_for_each_entry(mf, &memfd_list, list) {
		ret = memfd_serialize(fdt, node, i++, mf);
		if (ret)
			break;
	}
	mutex_unlock(&memfd_lock);
	if (ret) {
		pr_err("stop: cannot record file %d: %s\n", i - 1,
		       fdt_strerror(ret));
		return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	}
	pr_info("stop: %d file(s) recorded\n", i);
	return 0;
}

/* Adopt one file node of the incoming image; logs and skips a bad one. */
static void memfd_adopt(const void *fdt, int node)
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
	if (!name || l_name < MEMFD_NAME_PROP_MIN || l_name > KEEPALIVE_NAME_MAX ||
	    name[l_name - 1] || strlen(name) != l_name - 1 ||
	    !hash || l_hash != SHA256_DIGEST_SIZE || !range ||
	    l_range != MEMFD_RANGE_CELLS * sizeof(*range)) {
		pr_err("resume: %s is malformed, dropped\n", nname);
		return;
	}
	mutex_lock(&memfd_lock);
	if (memfd_find(name)) {
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
	list_add_tail(&mf->list, &memfd_list);
unlock:
	mutex_unlock(&memfd_lock);
}

static int memfd_resume(struct keepalive_participant *p, const void *fdt,
			int node)
{
	int child;

	fdt_for_each_subnode(child, fdt, node)
		memfd_adopt(fdt, child);
	if (child != -FDT_ERR_NOTFOUND)
		return -EINVAL;
	pr_info("resume: %u file(s) adopted\n", keepalive_memfd_count());
	return 0;
}

static void memfd_conclude(struct keepalive_participant *p)
{
	struct keepalive_memfd *mf, *next;

	mutex_lock(&memfd_lock);
	list_for_each_entry_safe(mf, next, &memfd_list, list) {
		if (!mf->incoming || mf->retrieved)
			continue;
		pr_info("conclude: %s was not retrieved, freed\n", mf->name);
		memfd_unregister(mf);
	}
	list_for_each_entry(mf, &memfd_list, list)
		mf->incoming = false;
	mutex_unlock(&memfd_lock);
}

static const struct keepalive_ops memfd_ops = {
	.stop = memfd_stop,
	.resume = memfd_resume,
	.conclude = memfd_conclude,
};

static struct keepalive_participant memfd_participant = {
	.name = KEEPALIVE_MEMFD_NODE,
	.compatible = KEEPALIVE_MEMFD_COMPATIBLE,
	.priority = KEEPALIVE_PRIO_MEMORY,
	.ops = &memfd_ops,
};

/**
 * keepalive_memfd_init() - register preserved memory files as a participant
 *
 * Context: Process context, boot, after keepalive_handover_receive().
 * Return: 0 or the registration's errno.
 */
int __init keepalive_memfd_init(void)
{
	return keepalive_register(&memfd_participant);
}
