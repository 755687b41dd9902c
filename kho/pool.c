// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the keepalive pool.
 *
 * One physically contiguous range, reserved in early boot and never given
 * to the page allocator. Its first page is the handover header; the rest
 * is handed out by a genalloc allocator to the core (the handover FDT) and
 * to participants (page-table copies, preserved memory files).
 *
 * Where it is, and how it survives a kexec, is decided in early boot
 * (boot.c). It is not RAM to the page allocator, in either kernel: E820
 * says reserved and memblock never had it. It gets struct pages here, as
 * device memory (ZONE_DEVICE, MEMORY_DEVICE_GENERIC, memremap_pages()),
 * and with them its kernel mapping. They are compound: one folio per
 * 2 MiB (vmemmap_shift), as device-dax makes them, so that the memmap
 * keeps two pages of struct pages per folio instead of eight (the rest
 * repeat the first tail page, Documentation/mm/vmemmap_dedup.rst) and a
 * file maps and pins a folio at a time. Each folio has one reference, the
 * pool's own, for the kernel's lifetime; it never reaches a page
 * allocator. The pages are not PageReserved: whoever pins a preserved
 * file's memory for DMA (vfio's type1) holds a real pin, which it drops
 * at unmap, and the file's owner can tell whether a device may still
 * reach it (keepalive_pool_pinned()). A reserved page would be pinned but
 * never unpinned by type1, and a VM_PFNMAP mapping not pinned at all.
 *
 * A reference or a pin is the folio's, not the page's: what the pool
 * tells about a range (keepalive_pool_unused(), keepalive_pool_pinned())
 * is about the folios the range touches, so a small file sharing its
 * folio with a pinned one looks pinned too. That errs only the safe way.
 * A tail page's struct page is never written but at init: with the
 * shared memmap, most of them are one and the same memory.
 *
 * The pool is an exclusive iomem resource ("keepalive pool"), so that
 * /dev/mem, whose STRICT_DEVMEM check lets through reserved memory that
 * is not exclusive, can neither read nor write the handover image or the
 * preserved files.
 *
 * In a kernel that received a handover, every range the incoming image
 * names ("phys-ranges") is held by the core from the moment the allocator
 * exists, so that no allocation lands on memory a device may still DMA
 * into; a participant's keepalive_pool_claim() of such a range takes it
 * over, and CONCLUDE frees the ranges nobody claimed (receive.c).
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/bitmap.h>
#include <linux/genalloc.h>
#include <linux/ioport.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/keepalive/boot.h>
#include <linux/memblock.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <asm/bootparam.h>
#include <asm/e820/api.h>
#include <asm/tsc.h>

#include "kho.h"

static_assert(IS_ALIGNED(KEEPALIVE_POOL_ALIGN,
			 1UL << KEEPALIVE_POOL_FOLIO_SHIFT));

/**
 * struct keepalive_pool - the pool's allocator
 * @phys: physical address, 0 when there is no pool
 * @size: bytes
 * @va: kernel mapping of the whole pool
 * @res: the pool's exclusive iomem resource
 * @pgmap: its struct pages (ZONE_DEVICE)
 * @gen: allocator over everything but the header page
 * @lock: protects @objects (genalloc has its own locking)
 * @objects: allocations and claims currently live
 */
struct keepalive_pool {
	phys_addr_t phys;
	u64 size;
	void *va;
	struct resource *res;
	struct dev_pagemap pgmap;
	struct gen_pool *gen;
	spinlock_t lock;	/* protects @objects */
	unsigned long objects;
};

static struct keepalive_pool pool = {
	.lock = __SPIN_LOCK_UNLOCKED(pool.lock),
};

/* Give the pool struct pages and a kernel mapping; see the top of file. */
static int __init pool_map_pages(void)
{
	unsigned long pfn;
	void *va;

	pool.pgmap.type = MEMORY_DEVICE_GENERIC;
	pool.pgmap.range.start = pool.phys;
	pool.pgmap.range.end = pool.phys + pool.size - 1;
	pool.pgmap.nr_range = 1;
	pool.pgmap.vmemmap_shift = KEEPALIVE_POOL_FOLIO_SHIFT - PAGE_SHIFT;
	va = memremap_pages(&pool.pgmap, NUMA_NO_NODE);
	if (IS_ERR(va)) {
		pr_err("pool: no struct pages for %#llx+%#llx: %pe\n",
		       (u64)pool.phys, pool.size, va);
		return PTR_ERR(va);
	}
	/*
	 * ZONE_DEVICE pages start reserved, a folio with one reference.
	 * Unreserved, they are pinned and unpinned like RAM by
	 * get/pin_user_pages() users that skip reserved pages (vfio's
	 * type1). PG_reserved is a flag of each page, tails included: a
	 * shared tail struct page is cleared more than once, to the same
	 * value.
	 */
	for (pfn = PHYS_PFN(pool.phys); pfn < PHYS_PFN(pool.phys + pool.size);
	     pfn++) {
		ClearPageReserved(pfn_to_page(pfn));
		if (!(pfn % (SZ_1G >> PAGE_SHIFT)))
			cond_resched();
	}
	pool.va = va;
	return 0;
}

/**
 * keepalive_pool_init() - set up the allocator over the reserved pool
 *
 * Context: Process context, boot, before any pool user.
 * Return: 0 (also without a pool); -EBUSY when its iomem range is claimed
 * already; -EINVAL when it is not on 2 MiB boundaries (struct pages are
 * added by 2 MiB subsections); -ENOMEM, -ENXIO from memremap_pages().
 */
int __init keepalive_pool_init(void)
{
	struct gen_pool *gen;
	int ret;

	pool.phys = keepalive_pool_place.phys;
	pool.size = keepalive_pool_place.size;
	if (!pool.size)
		return 0;
	/* No /dev/mem access: see the top of this file. */
	pool.res = request_mem_region_exclusive(pool.phys, pool.size,
						"keepalive pool");
	if (!pool.res) {
		pr_err("pool: %#llx+%#llx is claimed already: no pool\n",
		       (u64)pool.phys, pool.size);
		return -EBUSY;
	}
	if (!IS_ALIGNED(pool.phys | pool.size, KEEPALIVE_POOL_ALIGN)) {
		pr_err("pool: %#llx+%#llx is not on 2 MiB boundaries: no pool\n",
		       (u64)pool.phys, pool.size);
		ret = -EINVAL;
		goto release_res;
	}
	ret = pool_map_pages();
	if (ret)
		goto release_res;
	ret = -ENOMEM;
	gen = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!gen)
		goto unmap_pages;
	if (gen_pool_add_virt(gen, (unsigned long)pool.va + KEEPALIVE_HDR_AREA,
			      pool.phys + KEEPALIVE_HDR_AREA,
			      pool.size - KEEPALIVE_HDR_AREA, NUMA_NO_NODE))
		goto destroy_gen;
	pool.gen = gen;
	return 0;

destroy_gen:
	gen_pool_destroy(gen);
unmap_pages:
	memunmap_pages(&pool.pgmap);
	pool.va = NULL;
release_res:
	release_mem_region(pool.phys, pool.size);
	pool.res = NULL;
	return ret;
}

/**
 * keepalive_pool_ready() - is there a pool to allocate from?
 *
 * Context: Any context.
 * Return: true once the pool's allocator is set up.
 */
bool keepalive_pool_ready(void)
{
	return pool.gen;
}

/**
 * keepalive_pool_phys() - physical address of the pool (its header)
 *
 * Context: Any context.
 * Return: the address, or 0 without a pool.
 */
phys_addr_t keepalive_pool_phys(void)
{
	return pool.phys;
}

/**
 * keepalive_pool_size() - size of the pool
 *
 * Context: Any context.
 * Return: bytes, 0 without a pool.
 */
u64 keepalive_pool_size(void)
{
	return pool.size;
}

/**
 * keepalive_pool_inherited() - was the pool taken over from a kexec?
 *
 * Context: Any context.
 * Return: true when the previous kernel handed this pool over.
 */
bool keepalive_pool_inherited(void)
{
	return keepalive_pool_place.inherited;
}

/**
 * keepalive_pool_contains() - is a range inside the pool's allocatable part?
 * @phys: start
 * @size: bytes
 *
 * Works from setup_arch() on, where the pool is placed, before its
 * allocator exists: an IOMMU driver's early init checks handed-over
 * tables with it before any initcall.
 *
 * Context: Any context.
 * Return: true when [@phys, @phys + @size) lies inside the pool and clear
 * of its header page, without wrapping.
 */
bool keepalive_pool_contains(phys_addr_t phys, u64 size)
{
	phys_addr_t base = keepalive_pool_place.phys;
	u64 len = keepalive_pool_place.size;

	return len && size && phys >= base + KEEPALIVE_HDR_AREA &&
	       phys + size > phys && phys + size <= base + len;
}

/**
 * keepalive_pool_va() - kernel address of a pool address
 * @phys: an address inside the pool
 *
 * Context: Any context.
 * Return: its kernel address.
 */
void *keepalive_pool_va(phys_addr_t phys)
{
	return pool.va + (phys - pool.phys);
}

/**
 * keepalive_pool_page() - the struct page of a pool address
 * @phys: an address inside the pool
 *
 * Context: Any context.
 * Return: its page.
 */
struct page *keepalive_pool_page(phys_addr_t phys)
{
	return pfn_to_page(PHYS_PFN(phys));
}

/* The folio of a pool page, and how many pages of it [@off, @end) covers. */
static struct folio *pool_folio(phys_addr_t phys, u64 off, u64 end,
				u64 *pages)
{
	struct page *page = keepalive_pool_page(phys + off);
	struct folio *folio = page_folio(page);
	u64 rest = folio_nr_pages(folio) - folio_page_idx(folio, page);

	*pages = min_t(u64, rest, (end - off) >> PAGE_SHIFT);
	return folio;
}

/**
 * keepalive_pool_pinned() - how many pages of a range may be pinned
 * @phys: page-aligned start, inside the pool
 * @size: bytes
 *
 * A pinned page is one that pin_user_pages() took (vfio's type1 for an
 * IOMMU mapping, O_DIRECT I/O in flight): a device may reach it. A pin is
 * counted on the folio, so every page of a pinned folio counts, and like
 * folio_maybe_dma_pinned() this may count a folio mapped in very many
 * places as pinned; never the other way round.
 *
 * Context: Process context (it walks the range a folio at a time).
 * Return: the number of pages of the range that may be pinned.
 */
unsigned long keepalive_pool_pinned(phys_addr_t phys, u64 size)
{
	unsigned long n = 0;
	u64 off, pages;

	for (off = 0; off < size; off += pages << PAGE_SHIFT) {
		if (folio_maybe_dma_pinned(pool_folio(phys, off, size, &pages)))
			n += pages;
		if (!(off % SZ_1G))
			cond_resched();
	}
	return n;
}

/**
 * keepalive_pool_unused() - does nothing but the pool reference a range?
 * @phys: page-aligned start, inside the pool
 * @size: bytes
 *
 * Context: Process context (it walks the range a folio at a time).
 * Return: true when no folio the range touches is pinned or otherwise
 * referenced by anybody but the pool.
 */
bool keepalive_pool_unused(phys_addr_t phys, u64 size)
{
	u64 off, pages;

	for (off = 0; off < size; off += pages << PAGE_SHIFT) {
		if (folio_ref_count(pool_folio(phys, off, size, &pages)) != 1)
			return false;
		if (!(off % SZ_1G))
			cond_resched();
	}
	return true;
}

/*
 * The bitmap mask of alignment *(size_t *)@data, and in *@off the bit
 * offset that makes it physical: the pool's mapping need not be congruent
 * with its physical addresses (the next kernel may map it outside the
 * direct map), so the alignment is taken on the physical address of the
 * pool's one chunk, which starts after the header page.
 */
static unsigned long pool_fit_mask(void *data, struct gen_pool *gen,
				   unsigned long *off)
{
	unsigned long mask = (*(size_t *)data >> gen->min_alloc_order) - 1;

	*off = ((pool.phys + KEEPALIVE_HDR_AREA) >> gen->min_alloc_order) &
	       mask;
	return mask;
}

/* First fit at a physical address aligned to *(size_t *)data. */
static unsigned long pool_fit_phys_aligned(unsigned long *map,
					   unsigned long size,
					   unsigned long start,
					   unsigned int nr, void *data,
					   struct gen_pool *gen,
					   unsigned long start_addr)
{
	unsigned long off, mask = pool_fit_mask(data, gen, &off);

	/* @size is the chunk's bitmap, @nr the bits wanted */
	return bitmap_find_next_zero_area_off(map, size, start, nr, mask, off);
}

/*
 * As pool_fit_phys_aligned(), but only where the allocation begins or ends
 * a free extent: it shortens free space and splits none, so a large
 * alignment costs no room for later allocations. Past @size: no such place.
 */
static unsigned long pool_fit_phys_snug(unsigned long *map,
					unsigned long size,
					unsigned long start,
					unsigned int nr, void *data,
					struct gen_pool *gen,
					unsigned long start_addr)
{
	unsigned long off, mask = pool_fit_mask(data, gen, &off);
	unsigned long s, e;

	for (s = find_next_zero_bit(map, size, start); s < size;
	     s = find_next_zero_bit(map, size, e)) {
		e = find_next_bit(map, size, s);
		if (e - s < nr)
			continue;
		if (!((s + off) & mask))
			return s;
		if (!((e - nr + off) & mask))
			return e - nr;
	}
	return size;
}

static void *pool_alloc(size_t size, size_t align, genpool_algo_t algo,
			phys_addr_t *phys)
{
	unsigned long va;

	if (!pool.gen || !size || align < PAGE_SIZE || !is_power_of_2(align) ||
	    keepalive_should_fail())
		return NULL;
	size = PAGE_ALIGN(size);
	va = align == PAGE_SIZE ? gen_pool_alloc(pool.gen, size) :
	     gen_pool_alloc_algo(pool.gen, size, algo, &align);
	if (!va)
		return NULL;
	*phys = gen_pool_virt_to_phys(pool.gen, va);
	spin_lock(&pool.lock);
	pool.objects++;
	spin_unlock(&pool.lock);
	/* Large files: zero page by page, letting others run. */
	for (size_t off = 0; off < size; off += SZ_2M) {
		memset((void *)va + off, 0, min_t(size_t, SZ_2M, size - off));
		cond_resched();
	}
	return (void *)va;
}

/**
 * keepalive_pool_alloc_aligned() - allocate zeroed, contiguous pool memory
 * @size: bytes, rounded up to pages
 * @align: alignment of the physical address, a power of two of at least
 *	PAGE_SIZE (a file that an IOMMU maps with 2 MiB pages needs 2 MiB)
 * @phys: out: physical address
 *
 * A fault injection point (fail_keepalive).
 *
 * Context: Process context; may sleep (zeroing large ranges).
 * Return: kernel address, or NULL when there is no pool, it is exhausted
 * or too fragmented for @size at @align, @align is not a power of two of
 * at least PAGE_SIZE, or a fault was injected.
 */
void *keepalive_pool_alloc_aligned(size_t size, size_t align,
				   phys_addr_t *phys)
{
	return pool_alloc(size, align, pool_fit_phys_aligned, phys);
}

/**
 * keepalive_pool_alloc_snug() - aligned pool memory that splits no free space
 * @size: bytes, rounded up to pages
 * @align: alignment of the physical address, a power of two of at least
 *	PAGE_SIZE
 * @phys: out: physical address
 *
 * As keepalive_pool_alloc_aligned(), but only at the start or the end of
 * a free extent, so that a large alignment (1 GiB for a file an IOMMU can
 * map with 1 GiB pages) leaves the free space in one piece. The caller
 * falls back to a smaller alignment when there is no such place.
 *
 * A fault injection point (fail_keepalive).
 *
 * Context: Process context; may sleep (zeroing large ranges).
 * Return: kernel address, or NULL when no free extent has room for @size
 * at @align at its start or end, there is no pool, @align is not a power
 * of two of at least PAGE_SIZE, or a fault was injected.
 */
void *keepalive_pool_alloc_snug(size_t size, size_t align, phys_addr_t *phys)
{
	return pool_alloc(size, align, pool_fit_phys_snug, phys);
}

/**
 * keepalive_pool_alloc() - allocate zeroed, contiguous pool memory
 * @size: bytes, rounded up to pages
 * @phys: out: physical address
 *
 * keepalive_pool_alloc_aligned() at page alignment.
 *
 * Context: Process context; may sleep (zeroing large ranges).
 * Return: kernel address, or NULL when there is no pool, it is exhausted
 * or too fragmented, or a fault was injected.
 */
void *keepalive_pool_alloc(size_t size, phys_addr_t *phys)
{
	return keepalive_pool_alloc_aligned(size, PAGE_SIZE, phys);
}

/**
 * keepalive_pool_hold() - allocate a given range of the pool
 * @phys: page-aligned start, inside the pool's allocatable part
 * @size: bytes, page-aligned
 *
 * For the core, which holds the ranges of the incoming image for their
 * owners. Free with keepalive_pool_free().
 *
 * Context: Process context.
 * Return: 0; -ERANGE for a range that is not page aligned or not inside
 * the allocatable part; -EBUSY when any of it is allocated; -ENODEV
 * without a pool.
 */
int keepalive_pool_hold(phys_addr_t phys, u64 size)
{
	struct genpool_data_fixed fixed;
	unsigned long va, want;

	if (!pool.gen)
		return -ENODEV;
	if (!PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    !keepalive_pool_contains(phys, size))
		return -ERANGE;
	want = (unsigned long)keepalive_pool_va(phys);
	fixed.offset = phys - (pool.phys + KEEPALIVE_HDR_AREA);
	va = gen_pool_alloc_algo(pool.gen, size, gen_pool_fixed_alloc, &fixed);
	if (!va)
		return -EBUSY;
	if (WARN_ON_ONCE(va != want)) {
		gen_pool_free(pool.gen, va, size);
		return -EBUSY;
	}
	spin_lock(&pool.lock);
	pool.objects++;
	spin_unlock(&pool.lock);
	return 0;
}

/**
 * keepalive_pool_claim() - take over a range the previous kernel allocated
 * @phys: page-aligned start, inside the pool
 * @size: bytes, page-aligned
 *
 * For a participant's @resume: marks the range allocated, so that it is
 * neither handed out again nor claimed twice. A range the incoming image
 * names is claimed whole, as named. Free it with keepalive_pool_free()
 * like an allocation.
 *
 * Context: Process context.
 * Return: kernel address; ERR_PTR(-ERANGE) when the range is not page
 * aligned or not inside the pool's allocatable part, ERR_PTR(-EBUSY) when
 * any of it is already allocated or claimed, or when it is part of, but
 * not exactly, a range of the incoming image; ERR_PTR(-ENODEV) without a
 * pool.
 */
void *keepalive_pool_claim(phys_addr_t phys, size_t size)
{
	int ret;

	if (!pool.gen)
		return ERR_PTR(-ENODEV);
	if (!PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    !keepalive_pool_contains(phys, size))
		return ERR_PTR(-ERANGE);
	/* A range of the incoming image: the core holds it for its owner. */
	ret = keepalive_incoming_take(phys, size);
	if (ret == -ENOENT)
		ret = keepalive_pool_hold(phys, size);
	return ret ? ERR_PTR(ret) : keepalive_pool_va(phys);
}

/**
 * keepalive_pool_free() - free an allocation or a claim
 * @addr: kernel address returned by keepalive_pool_alloc() or
 *	keepalive_pool_claim()
 * @size: the size given then
 *
 * Context: Any context.
 */
void keepalive_pool_free(void *addr, size_t size)
{
	if (!addr)
		return;
	gen_pool_free(pool.gen, (unsigned long)addr, PAGE_ALIGN(size));
	spin_lock(&pool.lock);
	WARN_ON_ONCE(!pool.objects);
	pool.objects--;
	spin_unlock(&pool.lock);
}

/**
 * keepalive_pool_usage() - the pool's usage, for sysfs and tests
 * @u: out: size, bytes in use (the header page included) and live objects
 *
 * Context: Any context.
 */
void keepalive_pool_usage(struct keepalive_pool_usage *u)
{
	u->size = pool.size;
	u->used = 0;
	if (pool.gen)
		u->used = KEEPALIVE_HDR_AREA + gen_pool_size(pool.gen) -
			  gen_pool_avail(pool.gen);
	spin_lock(&pool.lock);
	u->objects = pool.objects;
	spin_unlock(&pool.lock);
}
