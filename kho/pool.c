// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: the keepalive pool.
 *
 * One physically contiguous range, reserved in early boot and never given
 * to the page allocator. Its first page is the handover header; the rest
 * is handed out by a genalloc allocator to the core (the handover FDT) and
 * to participants (page-table copies, preserved memory files).
 *
 * Where it is:
 * - a cold-booted kernel allocates it from memblock, sized by
 *   keepalive.pool=SIZE[@ADDR] or CONFIG_KEEPALIVE_POOL_SIZE_MB;
 * - a kexec'd kernel takes over the previous kernel's pool at the same
 *   place, learnt from the SETUP_KEEPALIVE setup_data, whatever its own
 *   parameters say.
 * Either way the pool is marked reserved in the E820 table (so /proc/iomem
 * shows it as "Reserved" and kexec_file_load never places a segment in it)
 * and in the E820 table handed to the next kernel (so that a kernel
 * without keepalive never uses it). The kernel reaches it through one
 * memremap() mapping; userspace through remap_pfn_range(). Nothing relies
 * on struct pages for it: a kexec'd kernel has none there.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/genalloc.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/keepalive/boot.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <asm/bootparam.h>
#include <asm/e820/api.h>
#include <asm/tsc.h>

#include "kho.h"

/**
 * struct keepalive_pool - the pool and its allocator
 * @phys: physical address, 0 when there is no pool
 * @size: bytes
 * @inherited: taken over from the previous kernel
 * @va: kernel mapping of the whole pool
 * @gen: allocator over everything but the header page
 * @lock: protects @objects (genalloc has its own locking)
 * @objects: allocations and claims currently live
 * @reserve_cycles: TSC cycles keepalive_reserve_pool() took
 */
struct keepalive_pool {
	phys_addr_t phys;
	u64 size;
	bool inherited;
	void *va;
	struct gen_pool *gen;
	spinlock_t lock;	/* protects @objects */
	unsigned long objects;
	u64 reserve_cycles;
};

static struct keepalive_pool pool = {
	.lock = __SPIN_LOCK_UNLOCKED(pool.lock),
};

static u64 param_size __initdata = (u64)CONFIG_KEEPALIVE_POOL_SIZE_MB << 20;
static phys_addr_t param_addr __initdata;
static struct keepalive_setup_data inherited __initdata;

static int __init keepalive_pool_param(char *arg)
{
	char *end;

	if (!arg)
		return -EINVAL;
	param_size = memparse(arg, &end);
	if (*end == '@')
		param_addr = memparse(end + 1, &end);
	if (*end) {
		pr_err("keepalive.pool=%s: expected SIZE[@ADDR]\n", arg);
		param_size = 0;
		return -EINVAL;
	}
	return 0;
}
early_param("keepalive.pool", keepalive_pool_param);

/**
 * keepalive_parse_setup_data() - note where the previous kernel's pool is
 * @pa_data: physical address of the SETUP_KEEPALIVE setup_data entry
 * @data_len: its length, header included
 *
 * Called from parse_setup_data(), before memblock is set up.
 *
 * Context: Early boot, single threaded.
 */
void __init keepalive_parse_setup_data(u64 pa_data, u32 data_len)
{
	struct setup_data *sd;

	if (data_len < sizeof(*sd) + sizeof(inherited)) {
		pr_err("SETUP_KEEPALIVE entry too short (%u bytes), ignored\n",
		       data_len);
		return;
	}
	sd = early_memremap(pa_data, data_len);
	if (!sd) {
		pr_err("cannot map the SETUP_KEEPALIVE entry\n");
		return;
	}
	memcpy(&inherited, sd->data, sizeof(inherited));
	early_memunmap(sd, data_len);
	if (le32_to_cpu(inherited.version) != KEEPALIVE_SETUP_DATA_VERSION) {
		pr_err("SETUP_KEEPALIVE version %u, this kernel reads %u: previous pool ignored\n",
		       le32_to_cpu(inherited.version), KEEPALIVE_SETUP_DATA_VERSION);
		memset(&inherited, 0, sizeof(inherited));
	}
}

static phys_addr_t __init pool_allocate(u64 size, phys_addr_t addr)
{
	phys_addr_t phys;

	if (addr)
		return memblock_phys_alloc_range(size, PAGE_SIZE, addr,
						 addr + size);
	/* Keep it out of the DMA32 zone when there is memory above it. */
	phys = memblock_phys_alloc_range(size, SZ_2M, SZ_4G,
					 MEMBLOCK_ALLOC_ANYWHERE);
	if (!phys)
		phys = memblock_phys_alloc_range(size, SZ_2M, SZ_16M,
						 MEMBLOCK_ALLOC_ANYWHERE);
	return phys;
}

static bool __init pool_take_over(phys_addr_t phys, u64 size)
{
	if (!size || !PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    phys + size < phys) {
		pr_err("inherited pool %pa+%#llx is malformed, ignored\n",
		       &phys, size);
		return false;
	}
	if (!e820__mapped_all(phys, phys + size, E820_TYPE_RESERVED)) {
		pr_err("inherited pool %pa+%#llx is not reserved in the E820 map, ignored\n",
		       &phys, size);
		return false;
	}
	/* Not in memblock.memory: nothing can allocate from it. */
	return true;
}

/**
 * keepalive_reserve_pool() - reserve the keepalive pool
 *
 * Called from setup_arch() right after e820__memblock_setup(), before
 * anything allocates from memblock.
 *
 * Context: Early boot, single threaded.
 */
void __init keepalive_reserve_pool(void)
{
	phys_addr_t phys = le64_to_cpu(inherited.pool_phys);
	u64 size = le64_to_cpu(inherited.pool_size);
	u64 start = rdtsc_ordered();

	if (size && pool_take_over(phys, size)) {
		if (param_size && param_size != size)
			pr_info("keepalive.pool size ignored: the inherited pool is kept\n");
		pool.inherited = true;
	} else {
		size = PAGE_ALIGN(param_size);
		if (!size)
			return;
		if (size <= KEEPALIVE_HDR_AREA) {
			pr_err("pool of %llu bytes is too small\n", size);
			return;
		}
		phys = pool_allocate(size, param_addr);
		if (!phys) {
			pr_err("cannot reserve a pool of %llu MiB%s\n",
			       size >> 20, param_addr ? " at the given address" : "");
			return;
		}
		/*
		 * Make it what a kexec'd kernel finds: reserved in E820 and
		 * absent from memblock.memory. Left in memblock.memory it
		 * would be direct-mapped as RAM while E820 says reserved,
		 * and init_mem_mapping() would tear down early mappings of it.
		 */
		memblock_phys_free(phys, size);
		memblock_remove(phys, size);
		e820__range_update(phys, size, E820_TYPE_RAM, E820_TYPE_RESERVED);
		e820__range_update_kexec(phys, size, E820_TYPE_RAM,
					 E820_TYPE_RESERVED);
		e820__update_table(e820_table);
		e820__update_table(e820_table_kexec);
	}
	pool.phys = phys;
	pool.size = size;
	pool.reserve_cycles = rdtsc_ordered() - start;
	pr_info("pool at %pa, %llu MiB%s\n", &phys, size >> 20,
		pool.inherited ? ", inherited from the previous kernel" : "");
}

/**
 * keepalive_kexec_setup_data_size() - room needed in boot_params
 *
 * Context: Process context (kexec_file_load).
 * Return: bytes of the SETUP_KEEPALIVE entry, or 0 without a pool.
 */
unsigned long keepalive_kexec_setup_data_size(void)
{
	if (!pool.size)
		return 0;
	return sizeof(struct setup_data) + sizeof(struct keepalive_setup_data);
}

/**
 * keepalive_kexec_setup_data() - add the SETUP_KEEPALIVE entry
 * @params: boot_params being built for the next kernel
 * @params_load_addr: physical address @params will be loaded at
 * @offset: offset from @params of keepalive_kexec_setup_data_size() free
 *	bytes
 *
 * The entry only says where the pool is. Whether it carries a handover is
 * decided at kexec time, by the header in the pool.
 *
 * Context: Process context (kexec_file_load).
 */
void keepalive_kexec_setup_data(struct boot_params *params,
				unsigned long params_load_addr,
				unsigned int offset)
{
	struct setup_data *sd = (void *)params + offset;
	struct keepalive_setup_data *kd = (void *)sd->data;

	if (!pool.size)
		return;
	sd->type = SETUP_KEEPALIVE;
	sd->len = sizeof(*kd);
	kd->version = cpu_to_le32(KEEPALIVE_SETUP_DATA_VERSION);
	kd->reserved = 0;
	kd->pool_phys = cpu_to_le64(pool.phys);
	kd->pool_size = cpu_to_le64(pool.size);
	sd->next = params->hdr.setup_data;
	params->hdr.setup_data = params_load_addr + offset;
}

/**
 * keepalive_pool_init() - set up the allocator over the reserved pool
 *
 * Context: Process context, boot, before any pool user.
 * Return: 0 (also without a pool), or -ENOMEM.
 */
int __init keepalive_pool_init(void)
{
	struct gen_pool *gen;

	if (!pool.size)
		return 0;
	pool.va = memremap(pool.phys, pool.size, MEMREMAP_WB);
	if (!pool.va)
		return -ENOMEM;
	gen = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!gen)
		goto unmap_pool;
	if (gen_pool_add_virt(gen, (unsigned long)pool.va + KEEPALIVE_HDR_AREA,
			      pool.phys + KEEPALIVE_HDR_AREA,
			      pool.size - KEEPALIVE_HDR_AREA, NUMA_NO_NODE))
		goto destroy_gen;
	pool.gen = gen;
	return 0;

destroy_gen:
	gen_pool_destroy(gen);
unmap_pool:
	memunmap(pool.va);
	pool.va = NULL;
	return -ENOMEM;
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
	return pool.inherited;
}

/**
 * keepalive_pool_contains() - is a range inside the pool's allocatable part?
 * @phys: start
 * @size: bytes
 *
 * Context: Any context.
 * Return: true when [@phys, @phys + @size) lies inside the pool and clear
 * of its header page, without wrapping.
 */
bool keepalive_pool_contains(phys_addr_t phys, u64 size)
{
	phys_addr_t lo = pool.phys + KEEPALIVE_HDR_AREA;

	return pool.size && size && phys >= lo && phys + size > phys &&
	       phys + size <= pool.phys + pool.size;
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
 * keepalive_pool_alloc() - allocate zeroed, contiguous pool memory
 * @size: bytes, rounded up to pages
 * @phys: out: physical address
 *
 * A fault injection point (fail_keepalive).
 *
 * Context: Process context; may sleep (zeroing large ranges).
 * Return: kernel address, or NULL when there is no pool, it is exhausted
 * or too fragmented, or a fault was injected.
 */
void *keepalive_pool_alloc(size_t size, phys_addr_t *phys)
{
	unsigned long va;

	if (!pool.gen || !size || keepalive_should_fail())
		return NULL;
	size = PAGE_ALIGN(size);
	va = gen_pool_alloc(pool.gen, size);
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
 * keepalive_pool_claim() - take over a range the previous kernel allocated
 * @phys: page-aligned start, inside the pool
 * @size: bytes, page-aligned
 *
 * For a participant's @resume: marks the range allocated, so that it is
 * neither handed out again nor claimed twice. Free it with
 * keepalive_pool_free() like an allocation.
 *
 * Context: Process context.
 * Return: kernel address; ERR_PTR(-ERANGE) when the range is not page
 * aligned or not inside the pool's allocatable part, ERR_PTR(-EBUSY) when
 * any of it is already allocated or claimed, ERR_PTR(-ENODEV) without a
 * pool.
 */
void *keepalive_pool_claim(phys_addr_t phys, size_t size)
{
	struct genpool_data_fixed fixed;
	unsigned long va, want;

	if (!pool.gen)
		return ERR_PTR(-ENODEV);
	if (!PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) ||
	    !keepalive_pool_contains(phys, size))
		return ERR_PTR(-ERANGE);
	want = (unsigned long)keepalive_pool_va(phys);
	fixed.offset = phys - (pool.phys + KEEPALIVE_HDR_AREA);
	va = gen_pool_alloc_algo(pool.gen, size, gen_pool_fixed_alloc, &fixed);
	if (!va)
		return ERR_PTR(-EBUSY);
	if (WARN_ON_ONCE(va != want)) {
		gen_pool_free(pool.gen, va, size);
		return ERR_PTR(-EBUSY);
	}
	spin_lock(&pool.lock);
	pool.objects++;
	spin_unlock(&pool.lock);
	return (void *)va;
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
 * keepalive_pool_reserve_ns() - how long the early reservation took
 *
 * Measured in TSC cycles before the TSC is calibrated, converted now.
 *
 * Context: Any context, after TSC calibration.
 * Return: nanoseconds, 0 when unknown.
 */
u64 keepalive_pool_reserve_ns(void)
{
	return tsc_khz ? div_u64(pool.reserve_cycles * 1000000ULL, tsc_khz) : 0;
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
