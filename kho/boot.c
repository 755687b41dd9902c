// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: where the pool is, decided in x86 early boot.
 *
 * - a cold-booted kernel allocates the pool from memblock, sized by
 *   keepalive.pool=SIZE[@ADDR] or CONFIG_KEEPALIVE_POOL_SIZE_MB;
 * - a kexec'd kernel takes over the previous kernel's pool at the same
 *   place, learnt from the SETUP_KEEPALIVE setup_data, whatever its own
 *   parameters say.
 * Either way the pool is marked reserved in the E820 table (so /proc/iomem
 * shows it as "Reserved" and kexec_file_load never places a segment in it)
 * and in the E820 table handed to the next kernel (so that a kernel
 * without keepalive never uses it), and is absent from memblock.memory.
 * kexec_file_load tells the next kernel where it is (SETUP_KEEPALIVE).
 *
 * All of this runs single threaded from setup_arch(), but for
 * keepalive_kexec_setup_data*(), which kexec_file_load calls.
 */
#define pr_fmt(fmt) "keepalive: " fmt

#include <linux/init.h>
#include <linux/keepalive/boot.h>
#include <linux/io.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <asm/bootparam.h>
#include <asm/e820/api.h>
#include <asm/tsc.h>

#include "kho.h"

struct keepalive_pool_place keepalive_pool_place __ro_after_init;

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
	/*
	 * Map what is read, not @data_len: the length comes from the previous
	 * kernel, and early mappings are few and small.
	 */
	sd = early_memremap(pa_data, sizeof(*sd) + sizeof(inherited));
	if (!sd) {
		pr_err("cannot map the SETUP_KEEPALIVE entry\n");
		return;
	}
	memcpy(&inherited, sd->data, sizeof(inherited));
	early_memunmap(sd, sizeof(*sd) + sizeof(inherited));
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
		return memblock_phys_alloc_range(size, KEEPALIVE_POOL_ALIGN,
						 addr, addr + size);
	/* Keep it out of the DMA32 zone when there is memory above it. */
	phys = memblock_phys_alloc_range(size, KEEPALIVE_POOL_ALIGN, SZ_4G,
					 MEMBLOCK_ALLOC_ANYWHERE);
	if (!phys)
		phys = memblock_phys_alloc_range(size, KEEPALIVE_POOL_ALIGN,
						 SZ_16M, MEMBLOCK_ALLOC_ANYWHERE);
	return phys;
}

static bool __init pool_take_over(phys_addr_t phys, u64 size)
{
	if (!size || !IS_ALIGNED(phys | size, KEEPALIVE_POOL_ALIGN) ||
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
		keepalive_pool_place.inherited = true;
	} else {
		size = ALIGN(param_size, KEEPALIVE_POOL_ALIGN);
		if (!size)
			return;
		if (!IS_ALIGNED(param_addr, KEEPALIVE_POOL_ALIGN)) {
			pr_err("keepalive.pool=...@%pa: the address must be 2 MiB aligned\n",
			       &param_addr);
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
	keepalive_pool_place.phys = phys;
	keepalive_pool_place.size = size;
	keepalive_pool_place.reserve_cycles = rdtsc_ordered() - start;
	pr_info("pool at %pa, %llu MiB%s\n", &phys, size >> 20,
		keepalive_pool_place.inherited ?
		", inherited from the previous kernel" : "");
}

/**
 * keepalive_kexec_setup_data_size() - room needed in boot_params
 *
 * Context: Process context (kexec_file_load).
 * Return: bytes of the SETUP_KEEPALIVE entry, or 0 without a pool.
 */
unsigned long keepalive_kexec_setup_data_size(void)
{
	if (!keepalive_pool_place.size)
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

	if (!keepalive_pool_place.size)
		return;
	sd->type = SETUP_KEEPALIVE;
	sd->len = sizeof(*kd);
	kd->version = cpu_to_le32(KEEPALIVE_SETUP_DATA_VERSION);
	kd->reserved = 0;
	kd->pool_phys = cpu_to_le64(keepalive_pool_place.phys);
	kd->pool_size = cpu_to_le64(keepalive_pool_place.size);
	sd->next = params->hdr.setup_data;
	params->hdr.setup_data = params_load_addr + offset;
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
	return tsc_khz ? div_u64(keepalive_pool_place.reserve_cycles * 1000000ULL, tsc_khz) : 0;
}

