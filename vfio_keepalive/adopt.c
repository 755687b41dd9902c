// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kexec device keepalive: adopting kept vfio-pci devices in the next kernel.
 *
 * The vfio participant registers before PCI enumeration (arch_initcall)
 * and loads the records of the incoming image (vka_records_load()). The PCI
 * core then calls keepalive_pci_adopt() (vka_adopt()) for every device it
 * enumerates, before any driver can bind it. A device at a recorded place
 * whose identity, BARs and command register match its record is adopted:
 * it is left running (no reset, bus mastering on, its BARs as they are),
 * bound to vfio-pci only (driver_override), and vfio-pci leaves it running
 * on open.
 * Any other recorded device is reset at once, with a log line saying why,
 * and starts cold.
 *
 * An adopted device is opened only by the VMM that kept it: the open must
 * name it as "BDF vf_token=UUID", the UUID being the 16-byte token the VMM
 * marked it with (keepalive_vfio_match()). At CONCLUDE a device that its
 * VMM holds open becomes an ordinary vfio-pci device; any other is stopped
 * and reset, and then released to the host driver that matches it.
 */
#define pr_fmt(fmt) "keepalive: vfio: " fmt

#include <linux/device.h>
#include <linux/init.h>
#include <linux/keepalive.h>
#include <linux/keepalive/device.h>
#include <linux/keepalive/pci.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <trace/events/keepalive.h>

#include "vka.h"

/* The records of the incoming image until late_initcall; vka_lock. */
static struct vka_record *vka_records;
static unsigned int vka_nr_records;
/* Set when a dependency failed: every recorded device is reset. */
static char vka_refused[64];
/*
 * Or, when they could not be loaded, where they are in the incoming image
 * (valid until CONCLUDE): every device they name is reset at enumeration.
 */
static const void *vka_lost_fdt;
static int vka_lost_node;

/**
 * vka_records_load() - load the records of the incoming image
 * @fdt: the validated incoming image
 * @node: the vfio participant's node in it
 * @refuse: NULL to adopt the devices that match their records, or the
 *	name of the failed dependency that forbids adopting any: each
 *	recorded device is then reset when it is enumerated
 *
 * Parses them (vka_records_parse()) for vka_adopt(). When they cannot be
 * parsed, no device is adopted and vka_adopt() resets every device at a
 * place the image records.
 *
 * Context: Process context, boot, before PCI enumeration; takes vka_lock.
 * Return: 0, or the errno of vka_records_parse() (no device is adopted).
 */
int vka_records_load(const void *fdt, int node, const char *refuse)
{
	struct vka_record *r;
	unsigned int n;
	int ret;

	ret = vka_records_parse(fdt, node, &r, &n);
	mutex_lock(&vka_lock);
	if (ret) {
		/* Nothing is adopted, but what was kept must not run on. */
		vka_lost_fdt = fdt;
		vka_lost_node = node;
		mutex_unlock(&vka_lock);
		return ret;
	}
	vka_records = r;
	vka_nr_records = n;
	if (refuse)
		snprintf(vka_refused, sizeof(vka_refused),
			 "participant %s did not resume", refuse);
	mutex_unlock(&vka_lock);
	return 0;
}

static struct vka_record *record_find(struct pci_dev *pdev)
{
	unsigned int i;

	lockdep_assert_held(&vka_lock);
	for (i = 0; i < vka_nr_records; i++)
		if (vka_records[i].segment == pci_domain_nr(pdev->bus) &&
		    vka_records[i].bus == pdev->bus->number &&
		    vka_records[i].devfn == pdev->devfn)
			return &vka_records[i];
	return NULL;
}

/*
 * The entry of a recorded device being enumerated, not on vka_kept_list
 * yet: the slots' ops run on its kd from here on, whether the device is
 * adopted or started cold. NULL when it cannot be allocated.
 */
static struct vka_kept *entry_new(struct pci_dev *pdev)
{
	struct vka_kept *k = kzalloc(sizeof(*k), GFP_KERNEL);

	if (!k)
		return NULL;
	k->kd.pdev = pci_dev_get(pdev);
	k->kd.adopted = true;
	return k;
}

/* Why the device of @k, recorded in @r, is not adopted; NULL when it is. */
static const char *refusal(struct vka_kept *k, const struct vka_record *r,
			   char *buf, size_t len)
{
	const char *why;

	if (vka_refused[0])
		return vka_refused;
	if (r->malformed)
		return "its record is malformed";
	why = keepalive_device_refusal(&k->kd, buf, len);
	return why ?: vka_record_mismatch(k->kd.pdev, r, buf, len);
}

/* Adopt the device of @k: it goes on the list, for vfio-pci only. */
static int adopt(struct vka_kept *k, const struct vka_record *r)
{
	struct pci_dev *pdev = k->kd.pdev;
	char *drv;

	if (keepalive_should_fail())
		return -ENOMEM;
	drv = kstrdup("vfio-pci", GFP_KERNEL);
	if (!drv)
		return -ENOMEM;
	/* No host driver may bind it: vfio-pci only. */
	kfree(pdev->driver_override);
	pdev->driver_override = drv;
	memcpy(k->token_hash, r->token_hash, sizeof(k->token_hash));
	pm_runtime_get_noresume(&pdev->dev);
	list_add_tail(&k->list, &vka_kept_list);
	return 0;
}

/*
 * A recorded device that is not adopted: no DMA from now on, then reset.
 * Its entry @k, never on the list, is released and freed. Without an
 * entry (it could not be allocated) no slot ran on the device: its
 * release gets a kd with no parts.
 */
static void start_cold(struct pci_dev *pdev, struct vka_kept *k,
		       const char *why)
{
	struct keepalive_device none = { .pdev = pdev, .adopted = true };

	keepalive_pci_kept_stop(pdev, why);
	/* Quiet now: the IOMMU's next root will not carry its entry. */
	keepalive_device_release(k ? &k->kd : &none);
	if (!k)
		return;
	pci_dev_put(k->kd.pdev);
	kfree(k);
}

/**
 * vka_adopt() - keepalive_pci_adopt()
 * @pdev: as for keepalive_pci_adopt()
 *
 * Context: as for keepalive_pci_adopt().
 */
void vka_adopt(struct pci_dev *pdev)
{
	struct vka_record *r = NULL;
	struct vka_kept *k;
	const char *why;
	char buf[112];
	bool lost;
	u64 t0;

	/* Before the first device: the records must be loaded by now. */
	keepalive_resume_now(&vka_participant);
	mutex_lock(&vka_lock);
	lost = vka_lost_fdt &&
	       vka_records_name(vka_lost_fdt, vka_lost_node, pdev);
	if (!lost) {
		r = vka_nr_records ? record_find(pdev) : NULL;
		if (!r || r->seen)
			goto unlock;
		r->seen = true;
	}
	t0 = local_clock();
	k = entry_new(pdev);
	if (lost)
		why = "the records of kept devices could not be loaded";
	else if (!k)
		why = "out of memory";
	else
		why = refusal(k, r, buf, sizeof(buf));
	if (!why && adopt(k, r))
		why = "out of memory";
	trace_keepalive_adopt(pci_name(pdev), why ?: "", local_clock() - t0);
	if (why) {
		start_cold(pdev, k, why);
	} else {
		keepalive_pci_kept_claim(pdev);
		pci_info(pdev, "keepalive: adopted: running, bus master on, for vfio-pci; its VMM reclaims it with its token\n");
	}
unlock:
	mutex_unlock(&vka_lock);
}

/* Enumeration is over: a record nobody matched stays unmatched. */
static int __init vka_records_done(void)
{
	unsigned int i;

	mutex_lock(&vka_lock);
	for (i = 0; i < vka_nr_records; i++)
		if (!vka_records[i].seen)
			pr_warn("resume: %04x:%02x:%02x.%d was kept but is not there\n",
				vka_records[i].segment, vka_records[i].bus,
				PCI_SLOT(vka_records[i].devfn),
				PCI_FUNC(vka_records[i].devfn));
	kfree(vka_records);
	vka_records = NULL;
	vka_nr_records = 0;
	vka_lost_fdt = NULL;
	mutex_unlock(&vka_lock);
	return 0;
}
late_initcall(vka_records_done);

/* The first entry CONCLUDE is releasing, with a reference; or NULL. */
static struct vka_kept *next_releasing(void)
{
	struct vka_kept *k;

	lockdep_assert_held(&vka_lock);
	list_for_each_entry(k, &vka_kept_list, list)
		if (k->releasing)
			return k;
	return NULL;
}

/*
 * After CONCLUDE, off the state machine's lock: give each device that
 * CONCLUDE reset to the host driver that matches it. vfio-pci's remove
 * waits for every fd of the device to close; the entry stays on the list
 * (every open refused) until then, and only this work waits.
 */
static void vka_release_fn(struct work_struct *work)
{
	struct pci_dev *pdev;
	struct vka_kept *k;
	int ret;

	for (;;) {
		mutex_lock(&vka_lock);
		k = next_releasing();
		pdev = k ? pci_dev_get(k->kd.pdev) : NULL;
		mutex_unlock(&vka_lock);
		if (!pdev)
			return;
		device_lock(&pdev->dev);
		kfree(pdev->driver_override);
		pdev->driver_override = NULL;
		device_unlock(&pdev->dev);
		ret = device_reprobe(&pdev->dev);
		/* Only this work drops a releasing entry. */
		mutex_lock(&vka_lock);
		vka_drop(k);
		mutex_unlock(&vka_lock);
		pci_info(pdev, "keepalive: released%s\n",
			 ret ? ", no driver bound" : " to its host driver");
		pci_dev_put(pdev);
	}
}

static DECLARE_WORK(vka_release_work, vka_release_fn);

/**
 * vka_conclude() - end of the handover for adopted devices
 *
 * A device its VMM reclaimed and holds open becomes an ordinary vfio-pci
 * device of that VMM (which may mark it for the next kexec). Any other
 * adopted device (nobody presented its token, or its VMM closed it again)
 * is stopped and reset now, before the participants after this one let
 * its handover translation go; every open of it is refused from now on.
 * It is then released to the host driver that matches it by a work item,
 * off the state machine's lock, so that no open or close can hold up a
 * transition or the next kexec.
 *
 * Context: Process context (CONCLUDE, under the state machine's lock);
 * takes vka_lock, and device locks without it.
 */
void vka_conclude(void)
{
	struct pci_dev *reset[8];
	struct vka_kept *k, *next;
	unsigned int n;

	do {
		n = 0;
		mutex_lock(&vka_lock);
		list_for_each_entry_safe(k, next, &vka_kept_list, list) {
			if (!k->kd.adopted || k->releasing)
				continue;
			if (k->reclaimed && k->open) {
				pci_info(k->kd.pdev, "keepalive: handed over to its VMM\n");
				vka_drop(k);
				continue;
			}
			if (n == ARRAY_SIZE(reset))
				break;
			k->releasing = true;
			pci_clear_master(k->kd.pdev);
			pci_info(k->kd.pdev, "keepalive: %s: reset and released\n",
				 k->reclaimed ? "closed by its VMM before CONCLUDE" :
				 "nobody reclaimed it");
			reset[n++] = pci_dev_get(k->kd.pdev);
		}
		mutex_unlock(&vka_lock);
		vka_reset_put(reset, n);
	} while (n == ARRAY_SIZE(reset));
	queue_work(system_unbound_wq, &vka_release_work);
}
