// SPDX-License-Identifier: GPL-2.0
/*
 * leave_test - a kept device that vfio-pci lets go of is stopped, and its
 * place is nobody's any more (issue 21, ending 3;
 * Documentation/keepalive/security.rst, "Endings").
 *
 * One kernel. A VMM starts the controller on vfio-pci, marks it with its
 * token, does I/O and exits: the controller runs on, held on its
 * handover translation. Then the driver core takes it from vfio-pci
 * (kt_scenario=):
 *
 * unbind  Its driver is unbound through sysfs, as an administrator would
 *         before giving the device to another driver.
 * remove  The device is removed through sysfs, and the bus rescanned: a
 *         new PCI device appears at the same place.
 * frozen  As unbind, with the handover at STOP: the set of kept devices
 *         may not change, so the handover is aborted.
 * hotplug The controller, behind a hotplug-capable PCIe root port, is
 *         unplugged by QEMU (device_del through QMP, vmtest.sh --qmp
 *         --root-ports: the guest's hotplug driver removes it), and
 *         another NVMe controller, of another serial number, is plugged
 *         at the same place (device_add).
 *
 * Each time the controller is stopped at once (bus master off, CC.EN
 * clear: its queues do not run on into anybody's memory) and no longer
 * kept. Then the host nvme driver binds that place and its I/O works: its
 * own DMA domain was attached, not skipped for a held entry. Before the
 * bus notifier, the controller ran on with its entry held, and nvme's
 * DMA went through the old VMM's handover tables: its commands timed out.
 * Run with nvme_core.admin_timeout and io_timeout short, so that such a
 * failure is quick.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ka_uapi.h"
#include "kt_harness.h"
#include "nvme_vmm.h"

/* Ask the harness for a QMP command (vmtest.sh --qmp). */
static int qmp(const char *json)
{
	char line[512];

	snprintf(line, sizeof(line), "KT-QMP: %s\n", json);
	return kt_write_str("/dev/kmsg", line);
}

/* Wait up to @ms for a device at @bdf to be there (@there) or gone. */
static bool wait_present(const char *bdf, bool there, int ms)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	for (; ms > 0; ms -= 50) {
		if ((access(path, F_OK) == 0) == there)
			return true;
		usleep(50000);
	}
	return false;
}

/* The serial number of the NVMe controller at @bdf, or "". */
static void nvme_serial(const char *bdf, char *buf, size_t len)
{
	char path[384];
	struct dirent *e;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/nvme", bdf);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "nvme", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/nvme/%s/serial",
			 bdf, e->d_name);
		kt_read_line(path, buf, len);
		/* NVMe pads it with spaces. */
		for (size_t n = strlen(buf); n && buf[n - 1] == ' '; n--)
			buf[n - 1] = '\0';
		break;
	}
	if (d)
		closedir(d);
}

/* The PCI function above @bdf (its bridge, "0000:00:02.0") into @up. */
static int pci_upstream(const char *bdf, char *up, size_t len)
{
	char path[128], link[256], *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	slash = strrchr(link, '/');
	if (!slash || strncmp(slash + 1, "0000:", 5))
		return -ENOENT;
	snprintf(up, len, "%s", slash + 1);
	return 0;
}

/*
 * Wait up to @ms for the hotplug slot of root port @port to be empty: its
 * Presence Detect State clear. The guest's sysfs node goes first, when the
 * hotplug driver has removed the device; QEMU unplugs it only once the
 * driver has then turned the slot's power off. A device_add sent in
 * between races the unplug and may never be seen by the guest.
 */
static bool wait_slot_empty(const char *port, int ms)
{
	unsigned int pos;
	uint8_t cfg[256];
	uint16_t sltsta;

	for (; ms > 0; ms -= 50) {
		if (kt_pci_config(port, cfg))
			return false;
		pos = kt_pci_find_cap(cfg, PCI_CAP_ID_EXP);
		if (!pos || pos + PCI_EXP_SLTSTA + 2 > sizeof(cfg))
			return false;
		memcpy(&sltsta, cfg + pos + PCI_EXP_SLTSTA, sizeof(sltsta));
		if (!(sltsta & PCI_EXP_SLTSTA_PDS))
			return true;
		usleep(50000);
	}
	return false;
}

static int pci_write(const char *bdf, const char *attr, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	return kt_write_str(path, s);
}

/*
 * A 4 KiB read of the first namespace through the host nvme driver, by a
 * node of our own (the one in /dev may be the namespace's before).
 */
static int nvme_host_read(void)
{
	static char buf[4096] __attribute__((aligned(4096)));
	unsigned int maj, min;
	char dev[32];
	int fd, i;
	ssize_t n;

	/* nvme probes asynchronously: wait for its namespace. */
	for (i = 0; i < 1500; i++) {
		if (!kt_read_line("/sys/block/nvme0n1/dev", dev, sizeof(dev)))
			break;
		usleep(10000);
	}
	if (sscanf(dev, "%u:%u", &maj, &min) != 2)
		return -ENODEV;
	unlink("/tmp/kt-nvme0n1");
	if (mknod("/tmp/kt-nvme0n1", S_IFBLK | 0600, makedev(maj, min)))
		return -errno;
	/* Until add_disk() is done, an open says ENXIO. */
	for (i = 0; i < 500; i++) {
		fd = open("/tmp/kt-nvme0n1", O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd >= 0 || errno != ENXIO)
			break;
		usleep(10000);
	}
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, sizeof(buf), 0);
	i = errno;
	close(fd);
	return n == sizeof(buf) ? 0 : n < 0 ? -i : -EIO;
}

FIXTURE(lv)
{
	int kadev;
	struct vmm v;
};

/* How the driver core takes the controller from vfio-pci */
enum lv_how {
	LV_UNBIND,		/* its driver unbound through sysfs */
	LV_REMOVE,		/* removed through sysfs, the bus rescanned */
	LV_HOTPLUG,		/* device_del and device_add through QMP */
};

/* The scenarios above, as what each does. */
FIXTURE_VARIANT(lv)
{
	enum lv_how how;
	bool frozen;		/* with the handover at STOP */
};

FIXTURE_VARIANT_ADD(lv, unbind) {
	.how = LV_UNBIND,
};

FIXTURE_VARIANT_ADD(lv, remove) {
	.how = LV_REMOVE,
};

FIXTURE_VARIANT_ADD(lv, frozen) {
	.how = LV_UNBIND,
	.frozen = true,
};

FIXTURE_VARIANT_ADD(lv, hotplug) {
	.how = LV_HOTPLUG,
};

FIXTURE_SETUP(lv)
{
	self->kadev = open(KA_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->kadev);
	vmm_reset(&self->v, 0);
}

FIXTURE_TEARDOWN(lv)
{
	vmm_exit(&self->v);
	close(self->kadev);
}

TEST_F(lv, kept_device_leaves_vfio)
{
	struct vmm *v = &self->v;
	struct keepalive_transition t;
	char bdf[32], port[32], state[32];
	uint32_t cc;
	int cmd, i;

	ASSERT_EQ(0, vmm_start(v, self->kadev, 0, false));
	snprintf(bdf, sizeof(bdf), "%s", v->bdf);
	ASSERT_EQ(0, vmm_keep(v, true));
	ASSERT_EQ(0, vmm_io(v, true, 0, 8, 1));
	vmm_exit(v);
	/* Kept: held on its handover translation, running. */
	ASSERT_TRUE(kt_pci_command(bdf, 0) & PCI_COMMAND_MASTER);
	ASSERT_TRUE(kt_klog_has("translated by its handover tables"));
	if (variant->frozen) {
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PREPARE, &t));
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_PRE_STOP, &t));
		ASSERT_EQ(0, ka_transition(self->kadev, KEEPALIVE_EV_STOP, &t));
	}

	if (variant->how == LV_HOTPLUG) {
		ASSERT_EQ(0, pci_upstream(bdf, port, sizeof(port)));
		ASSERT_EQ(0, qmp("{\"execute\": \"device_del\", "
				 "\"arguments\": {\"id\": \"nvme0\"}}"));
		/* The hotplug driver waits 5 s for a second button press. */
		ASSERT_TRUE(wait_present(bdf, false, 30000))
			TH_LOG("%s was not unplugged (is QMP relayed? --qmp)", bdf);
		ASSERT_TRUE(wait_slot_empty(port, 10000))
			TH_LOG("the slot under %s is still occupied", port);
		ASSERT_EQ(0, qmp("{\"execute\": \"device_add\", \"arguments\": "
				 "{\"driver\": \"nvme\", \"id\": \"nvme9\", \"serial\": \"kt-other\", "
				 "\"drive\": \"nvmspare\", \"bus\": \"rp0\"}}"));
		ASSERT_TRUE(wait_present(bdf, true, 30000))
			TH_LOG("no device plugged at %s", bdf);
	} else if (variant->how == LV_REMOVE) {
		ASSERT_EQ(0, pci_write(bdf, "remove", "1"));
		/* A new device at the same place, no driver_override. */
		ASSERT_EQ(0, kt_write_str("/sys/bus/pci/rescan", "1"));
	} else {
		ASSERT_EQ(0, kt_write_str("/sys/bus/pci/drivers/vfio-pci/unbind", bdf));
		ASSERT_TRUE(kt_wait_driver(bdf, "", 1000));
		/* Stopped before anything else could bind that place. */
		cmd = kt_pci_command(bdf, 0);
		ASSERT_LE(0, cmd);
		ASSERT_EQ(0, cmd & PCI_COMMAND_MASTER) TH_LOG("bus master on");
		cc = kt_pci_bar_rd32(bdf, 0, NVME_REG_CC);
		ASSERT_NE(~0U, cc);
		ASSERT_EQ(0, cc & NVME_CC_EN) TH_LOG("still running: CC %#x", cc);
	}
	if (variant->frozen) {
		/* The ABORT runs from a work item. */
		for (i = 0; i < 500; i++) {
			ASSERT_EQ(0, ka_sysfs_state(state, sizeof(state)));
			if (!strcmp(state, "running"))
				break;
			usleep(10000);
		}
		ASSERT_STREQ("running", state);
	}

	/* The host driver takes the place; its own domain is attached. */
	if (variant->how == LV_UNBIND) {
		ASSERT_EQ(0, pci_write(bdf, "driver_override", "\n"));
		ASSERT_EQ(0, kt_write_str("/sys/bus/pci/drivers_probe", bdf));
	}
	ASSERT_TRUE(kt_wait_driver(bdf, "nvme", 5000));
	ASSERT_EQ(0, nvme_host_read())
		TH_LOG("the host nvme driver's I/O failed: its DMA went through another domain");
	if (variant->how == LV_HOTPLUG) {
		char serial[64];

		nvme_serial(bdf, serial, sizeof(serial));
		ASSERT_STREQ("kt-other", serial);
	}

	/* What the log says of it. */
	if (variant->frozen) {
		ASSERT_TRUE(kt_klog_has("its driver is being unbound while the handover "
				     "is frozen (stop): stopped and reset; "
				     "aborting the handover"));
		ASSERT_TRUE(kt_klog_has("handover aborted: a kept device left vfio-pci"));
	} else {
		ASSERT_TRUE(kt_klog_has("its driver is being unbound: "
				     "no longer kept, stopped and reset"));
	}
	ASSERT_TRUE(kt_klog_has("handover translation released"));
	TH_LOG("%s: the controller was stopped and let go; nvme's I/O works at its place",
	       kt_scenario("unbind"));
}

int main(int argc, char **argv)
{
	return kt_harness_run(argc, argv, "unbind");
}
