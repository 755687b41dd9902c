#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: a Debian kernel package of linux-source-6.1 with patches/
# applied and keepalive enabled, built by the kernel's own bindeb-pkg, then
# checked: the package's version string and the configuration inside it.
#
#   KA_DEB_CONFIG=debian  (default) Debian 12's own amd64 configuration
#                         (scripts/distroconfig.sh fetches it) with
#                         configs/distro.config: a distribution kernel, a
#                         build of hours on 2 cores
#   KA_DEB_CONFIG=test    the test kernel's configuration
#                         (configs/keepalive.config on tinyconfig): the
#                         same packaging in minutes, to try the target
#   KA_DEB_DEBUG_INFO=1   keep the configuration's debug info (Debian's:
#                         DWARF and BTF); by default configs/deb.config
#                         turns it off
#
# Both add configs/deb.config (LOCALVERSION "-keepalive"). The packages land
# in build/deb-<config>/ (linux-image-<release>_<version>_amd64.deb,
# linux-headers-..., linux-libc-dev_...); install the image with
# dpkg -i. The object tree is build/obj-deb-<config>.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${KA_BUILD:-$REPO/build}")
CONFIG=${KA_DEB_CONFIG:-debian}
OUT=$BUILD/deb-$CONFIG
# At the depth of build/obj and build/obj-distro: ccache hashes paths
# relative to the object tree, so their objects are hits here.
OBJ=$BUILD/obj-deb-$CONFIG
FRAGMENT=$OUT/fragment.config

log() { printf 'deb: %s\n' "$*"; }
die() { printf 'deb: %s\n' "$*" >&2; exit 1; }

"$REPO/scripts/deps.sh"
command -v dpkg-buildpackage >/dev/null || die "dpkg-buildpackage missing (apt-get install dpkg-dev)"

base=
case $CONFIG in
debian)
	base=$(bash "$REPO/scripts/distroconfig.sh" --config) ||
		die "cannot fetch Debian's configuration"
	frag=$REPO/configs/distro.config ;;
test)
	frag=$REPO/configs/keepalive.config ;;
*)
	die "KA_DEB_CONFIG is 'debian' or 'test', not '$CONFIG'" ;;
esac

mkdir -p "$OUT"
if [[ ${KA_DEB_DEBUG_INFO:-0} == 1 ]]; then
	cat "$frag" <(grep -v DEBUG_INFO "$REPO/configs/deb.config") >"$FRAGMENT"
else
	cat "$frag" "$REPO/configs/deb.config" >"$FRAGMENT"
fi

# The package version: Debian's source version, marked as ours.
src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
export KDEB_PKGVERSION="$src_ver+keepalive"
export KDEB_SOURCENAME=linux-keepalive
export KDEB_CHANGELOG_DIST=bookworm
export DEBFULLNAME="kexec device keepalive" DEBEMAIL="maintainers@keepalive.invalid"

log "building bindeb-pkg (configuration: $CONFIG${base:+, $base}) in $OBJ"
rm -f "$OUT"/*.deb "$OUT"/*.buildinfo "$OUT"/*.changes
start=$SECONDS
KA_OBJ=$OBJ KA_BASECONFIG=$base KA_FRAGMENT=$FRAGMENT KA_TARGETS=bindeb-pkg \
	bash "$REPO/scripts/kernel.sh"
log "built in $((SECONDS - start)) s"
# bindeb-pkg leaves its packages next to the object tree.
for f in "$BUILD"/*.deb "$BUILD"/*.buildinfo "$BUILD"/*.changes; do
	if [[ -e $f ]]; then mv "$f" "$OUT/"; fi
done

# What came out, and what is in it.
release=$(make -s -C "$BUILD/linux" O="$OBJ" kernelrelease)
image=
for d in "$OUT"/linux-image-"$release"_*.deb; do
	if [[ -e $d ]]; then image=$d; fi
done
[[ -n $image ]] || die "no linux-image-$release package in $OUT"
[[ $release == *-keepalive ]] || die "kernel release $release does not say keepalive"
dpkg-deb --info "$image" | sed 's/^/deb: /'
cfg=$(dpkg-deb --fsys-tarfile "$image" | tar -xO "./boot/config-$release") ||
	die "no /boot/config-$release in $image"
bad=0
for opt in CONFIG_KEEPALIVE=y CONFIG_KEEPALIVE_VFIO=y CONFIG_KEEPALIVE_IOMMU=y; do
	if grep -qx "$opt" <<<"$cfg"; then
		log "package config: $opt"
	else
		log "package config: $opt missing"
		bad=1
	fi
done
for opt in CONFIG_KEEPALIVE_FAULT_INJECTION CONFIG_KEEPALIVE_KUNIT_TEST; do
	if [[ $CONFIG == debian ]] && grep -q "^$opt=" <<<"$cfg"; then
		log "package config: $opt is set in a distribution kernel"
		bad=1
	fi
done
[[ $bad -eq 0 ]] || die "the package's configuration is not what it should be"
for d in "$OUT"/*.deb; do
	log "$(basename "$d"): $(du -h "$d" | cut -f1)"
done
log "install with: dpkg -i $image"
