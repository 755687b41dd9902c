// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: kept vfio-pci devices as a state-machine
 * participant.
 *
 * PRE-STOP freezes the set of kept devices; ABORT forgets every mark (the
 * devices are ordinary vfio-pci devices again); STOP records each in the
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

static int vka_record(void *fdt, int parent, int index,
		      const struct vka_kept *k)
{
	struct pci_dev *pdev = k->pdev;
	fdt64_t bars[PCI_STD_NUM_BARS * 2];
	fdt32_t msix[3];
	char name[24];
	u16 cmd, ctrl;
	u32 table, pba;
	int node, i, ret;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		bars[2 * i] = cpu_to_fdt64(pci_resource_start(pdev, i));
		bars[2 * i + 1] = cpu_to_fdt64(pci_resource_flags(pdev, i));
	}
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);

	snprintf(name, sizeof(name), KEEPALIVE_VFIO_DEVICE_PREFIX "%d", index);
	node = fdt_add_subnode(fdt, parent, name);
	if (node < 0)
		return node;
	ret = fdt_setprop_u32(fdt, node, KEEPALIVE_PROP_PCI_SEGMENT,
			      pci_domain_nr(pdev->bus)) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_PROP_PCI_BUS,
			      pdev->bus->number) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_PROP_PCI_DEVFN,
			      pdev->devfn) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_VFIO_PROP_VENDOR_DEVICE,
			      (u32)pdev->vendor << 16 | pdev->device) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_VFIO_PROP_CLASS,
			      pdev->class) ?:
	      fdt_setprop_u32(fdt, node, KEEPALIVE_VFIO_PROP_COMMAND, cmd) ?:
	      fdt_setprop(fdt, node, KEEPALIVE_VFIO_PROP_BARS, bars,
			  sizeof(bars)) ?:
	      fdt_setprop(fdt, node, KEEPALIVE_VFIO_PROP_TOKEN_SHA256,
			  k->token_hash, sizeof(k->token_hash));
	if (ret || !pdev->msix_cap)
		return ret;
	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	msix[0] = cpu_to_fdt32(ctrl);
	msix[1] = cpu_to_fdt32(table);
	msix[2] = cpu_to_fdt32(pba);
	return fdt_setprop(fdt, node, KEEPALIVE_VFIO_PROP_MSIX, msix,
			   sizeof(msix));
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
	struct vka_kept *k;
	int ret = 0, i = 0;

	mutex_lock(&vka_lock);
	list_for_each_entry(k, &vka_kept_list, list) {
		if (!vka_on_vfio_pci(k->pdev)) {
			pci_err(k->pdev, "keepalive: kept, but no longer bound to vfio-pci: cannot hand it over\n");
			ret = -EBUSY;
			break;
		}
		ret = vka_record(fdt, node, i++, k);
		if (ret) {
			pci_err(k->pdev, "keepalive: cannot record: %s\n",
				fdt_strerror(ret));
			ret = ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
			break;
		}
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

/* A kept device DMAs into preserved memory files. */
static const char * const vka_depends[] = { KEEPALIVE_MEMFD_NODE, NULL };

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
	int ret = keepalive_register(&vka_participant);

	if (ret)
		pr_err("cannot register: %d\n", ret);
	return ret;
}
arch_initcall(vka_init);
