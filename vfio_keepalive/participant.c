// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: kept vfio-pci devices as a state-machine
 * participant.
 *
 * PRE-STOP freezes the set of kept devices; ABORT forgets every mark (the
 * devices are ordinary vfio-pci devices again; one its VMM closed is
 * stopped and reset); STOP records each in the
 * handover image (where it is, what it is, its BARs, command register,
 * MSI-X configuration and the hash of its token: never the token).
 *
 * In the next kernel, RESUME loads the records before PCI enumeration
 * (adopt.c adopts the devices as they are enumerated) and CONCLUDE hands
 * reclaimed devices to their VMM and releases the others.
 */
#define pr_fmt(fmt) "keepalive: vfio: " fmt

#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/keepalive/abi/vfio.h>

#include "vka.h"

/* ABORT undoes the whole handover, marks included. */
static void vka_unprepare(struct keepalive_participant *p)
{
	vka_unkeep_all();
}

/*
 * The core froze the set of kept devices before calling this: wait for a
 * marking that passed keepalive_freeze_check() under vka_lock to finish,
 * so that STOP records it.
 */
static int vka_pre_stop(struct keepalive_participant *p)
{
	mutex_lock(&vka_lock);
	mutex_unlock(&vka_lock);
	return 0;
}

static int vka_stop(struct keepalive_participant *p, void *fdt, int node)
{
	return vka_stop_record(fdt, node);
}

static int vka_resume(struct keepalive_participant *p, const void *fdt,
		      int node)
{
	return vka_records_load(fdt, node, NULL);
}

/*
 * The memory a kept device DMAs into was not adopted: no kept device may
 * run on. Load the records all the same, so that each device is reset when
 * it is enumerated, before any driver sees it.
 */
static int vka_fallback(struct keepalive_participant *p, const void *fdt,
			int node, const char *dep, int err)
{
	return vka_records_load(fdt, node, dep);
}

static void vka_participant_conclude(struct keepalive_participant *p)
{
	vka_conclude();
}

static const struct keepalive_ops vka_ops = {
	.unprepare = vka_unprepare,
	.pre_stop = vka_pre_stop,
	.stop = vka_stop,
	.resume = vka_resume,
	.fallback = vka_fallback,
	.conclude = vka_participant_conclude,
	.corrupt = IS_ENABLED(CONFIG_KEEPALIVE_FAULT_INJECTION) ?
		   vka_corrupt : NULL,
};

/*
 * A kept device DMAs into preserved memory files, through its handover
 * translation.
 */
static const char * const vka_depends[] = {
	KEEPALIVE_MEMFD_NODE, KEEPALIVE_IOMMU_NODE, KEEPALIVE_IRQ_NODE, NULL
};

struct keepalive_participant vka_participant = {
	.name = KEEPALIVE_VFIO_NODE,
	.compatible = KEEPALIVE_VFIO_COMPATIBLE,
	.priority = KEEPALIVE_PRIO_DEVICE,
	.depends = vka_depends,
	.ops = &vka_ops,
};

/*
 * Before PCI enumeration (subsys_initcall on x86), so that the records are
 * loaded when the devices they describe are enumerated; after the core and
 * the memfd participant (core_initcall), so that it resumes right away.
 * keepalive_pci_adopt() makes sure of it all the same.
 */
static int __init vka_init(void)
{
	int ret = keepalive_device_owner_register(&vka_owner) ?:
		  keepalive_register(&vka_participant);

	if (ret)
		pr_err("cannot register: %d\n", ret);
	return ret;
}
arch_initcall(vka_init);
