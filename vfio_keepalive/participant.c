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

#include <linux/device.h>
#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/keepalive/abi/iommu.h>
#include <linux/keepalive/abi/irq.h>
#include <linux/keepalive/abi/memfd.h>
#include <linux/keepalive/abi/vfio.h>
#include <linux/libfdt.h>
#include <linux/pci.h>
#include <linux/string.h>

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

/* What STOP records of kept device @k: where and what it is, now. */
static void vka_record_fill(const struct vka_kept *k, struct vka_record *r)
{
	struct pci_dev *pdev = k->kd.pdev;
	u16 cmd;
	int i;

	memset(r, 0, sizeof(*r));
	r->segment = pci_domain_nr(pdev->bus);
	r->bus = pdev->bus->number;
	r->devfn = pdev->devfn;
	r->vendor_device = (u32)pdev->vendor << 16 | pdev->device;
	r->class = pdev->class;
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	r->command = cmd;
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		r->bars[i] = pci_resource_start(pdev, i);
		r->bar_types[i] = vka_bar_type(pci_resource_flags(pdev, i));
	}
	memcpy(r->token_hash, k->token_hash, sizeof(r->token_hash));
}

/*
 * The next kernel binds an adopted device to vfio-pci and lets only vfio-pci
 * open it: a kept device must still be there now. (Unbinding does not drop
 * a mark; a host driver's probe would have reset the device.)
 */
static bool vka_on_vfio_pci(struct pci_dev *pdev)
{
	struct device_driver *drv = READ_ONCE(pdev->dev.driver);

	return drv && !strcmp(drv->name, "vfio-pci");
}

static int vka_stop(struct keepalive_participant *p, void *fdt, int node)
{
	struct vka_record r;
	struct vka_kept *k;
	int ret = 0, i = 0;

	mutex_lock(&vka_lock);
	list_for_each_entry(k, &vka_kept_list, list) {
		/* The last handover's, still being released after CONCLUDE */
		if (k->kd.adopted)
			continue;
		if (!vka_on_vfio_pci(k->kd.pdev)) {
			pci_err(k->kd.pdev, "keepalive: kept, but no longer bound to vfio-pci: cannot hand it over\n");
			ret = -EBUSY;
			break;
		}
		vka_record_fill(k, &r);
		ret = vka_record_write(fdt, node, &r);
		if (ret) {
			pci_err(k->kd.pdev, "keepalive: cannot record: %s\n",
				fdt_strerror(ret));
			ret = ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
			break;
		}
		i++;
	}
	mutex_unlock(&vka_lock);
	if (ret)
		return ret;
	pr_info("stop: %d device(s) recorded\n", i);
	return 0;
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
