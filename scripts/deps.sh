#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages the project needs, only those that are missing.
# Runs as root (apt-get), or through sudo when it is available.
set -euo pipefail

PKGS=(
	linux-source-6.1	# the base kernel source tarball
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio xz-utils rsync
	ccache			# rebuilds in a minute
	qemu-system-x86		# TCG guest with q35 + intel-iommu + nvme
	busybox-static		# the guest's userspace
	libfdt-dev		# userspace handover decoder and format tests
	python3 perl		# checkpatch, kernel-doc
	kexec-tools		# Debian's kexec, copied into the VM (keepalivectl tests)
	dpkg-dev kmod		# make deb: dpkg-buildpackage, depmod
	gnuplot-nox		# make demo: the blackout plot (SVG)
	clang libclang-rt-14-dev	# make check part fuzz: libFuzzer, ASan, UBSan
)

missing=()
for p in "${PKGS[@]}"; do
	[[ $p == \#* ]] && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=
[[ $(id -u) -eq 0 ]] || SUDO=sudo
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
