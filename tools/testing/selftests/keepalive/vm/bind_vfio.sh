#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bind_vfio.sh [BDF] - bind a PCI function to vfio-pci and print its VFIO
# group node (/dev/vfio/N). Without BDF: the first emulated NVMe controller
# (1b36:0010). Idempotent: a function already on vfio-pci is left as it is.
# Busybox sh compatible; no udev needed (devtmpfs creates /dev/vfio/N).
set -eu

bdf=${1:-}
if [ -z "$bdf" ]; then
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1b36 ] &&
		   [ "$(cat "$d/device")" = 0x0010 ]; then
			bdf=$(basename "$d")
			break
		fi
	done
fi
dev=/sys/bus/pci/devices/$bdf
if [ -z "$bdf" ] || [ ! -d "$dev" ]; then
	echo "bind_vfio: no device ${bdf:-1b36:0010}" >&2
	exit 1
fi

drv=
[ -e "$dev/driver" ] && drv=$(basename "$(readlink "$dev/driver")")
if [ "$drv" != vfio-pci ]; then
	[ -z "$drv" ] || echo "$bdf" >"$dev/driver/unbind"
	echo vfio-pci >"$dev/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	drv=$(basename "$(readlink "$dev/driver" 2>/dev/null)" 2>/dev/null || true)
	[ "$drv" = vfio-pci ] || { echo "bind_vfio: $bdf did not bind to vfio-pci" >&2; exit 1; }
fi

node=/dev/vfio/$(basename "$(readlink "$dev/iommu_group")")
i=0
while [ ! -e "$node" ]; do
	i=$((i + 1))
	[ $i -le 200 ] || { echo "bind_vfio: $node did not appear" >&2; exit 1; }
	sleep 0.01
done
echo "$node"
