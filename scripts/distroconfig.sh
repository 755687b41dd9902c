#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The series on Debian's own configuration: the config of the Debian 12
# linux-image-*-amd64 package that matches linux-source-6.1 (fetched with
# apt-get download, kept in build/distro/), configs/distro.config merged on
# top with olddefconfig, in an object tree of its own (build/obj-distro)
# of the same source tree as the test kernel. Then:
#   - every line of the fragment survived olddefconfig (scripts/kernel.sh),
#     and every option of Kconfig has the value the fragment asks for;
#   - drivers/keepalive/ and every .c file the series in patches/ touches
#     compile (objects only, no vmlinux): the list comes from the
#     "diff --git" lines of patches/*.patch, read now, so a new patch is
#     covered without a change here;
#   - the hooks are compiled in: the touched objects call into keepalive.
# Controls: the survival check rejects a fragment that leaves vfio-pci
# modular (KEEPALIVE_VFIO cannot stay); a patch touching a file that does
# not compile (an extra patch naming a file that is not there) fails the
# compile step.
#
#   distroconfig.sh             the check (make check part distroconfig)
#   distroconfig.sh --config    only print the path of Debian's config,
#                               fetching it if needed (scripts/deb.sh)
#
# Prints TAP and ends with "distroconfig: N passed, N failed".
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${KA_BUILD:-$REPO/build}")
SRC=$BUILD/linux
DIST=$BUILD/distro
DOBJ=$BUILD/obj-distro
FRAGMENT=$REPO/configs/distro.config

# Debian's config for linux-source-6.1's version: the image package that
# linux-image-amd64 of that version depends on.
debian_config() {
	local src_ver pkg ver deb cfg
	mkdir -p "$DIST"
	src_ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	cfg=$DIST/config-$src_ver
	if [[ -s $cfg ]]; then
		echo "$cfg"
		return 0
	fi
	pkg=$(apt-cache depends "linux-image-amd64=$src_ver" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-6\.1\..*-amd64$/ { print $2; exit }')
	if [[ -z $pkg ]]; then
		echo "distroconfig: no linux-image-amd64 $src_ver in apt's lists (apt-get update?)" >&2
		return 1
	fi
	ver=$(apt-cache show "$pkg" | awk '/^Version:/ { print $2; exit }')
	if [[ $ver != "$src_ver" ]]; then
		echo "distroconfig: $pkg is $ver, linux-source-6.1 is $src_ver" >&2
		return 1
	fi
	rm -f "$DIST"/linux-image-*.deb
	(cd "$DIST" && apt-get download -q "$pkg=$ver" >&2) || {
		echo "distroconfig: apt-get download $pkg=$ver failed" >&2
		return 1
	}
	deb=$(ls "$DIST"/"${pkg}"_*.deb)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/config-*' >"$cfg.tmp"
	[[ -s $cfg.tmp ]] || { echo "distroconfig: no /boot/config-* in $deb" >&2; return 1; }
	printf '# %s %s\n' "$pkg" "$ver" >"$DIST/config.source"
	mv "$cfg.tmp" "$cfg"
	rm -f "$deb"
	echo "$cfg"
}

if [[ ${1:-} == --config ]]; then
	debian_config
	exit
fi

# shellcheck source=tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
bail() {
	echo "1..$n"
	echo "distroconfig: $p passed, $((f + 1)) failed"
	exit 1
}

# The files the series touches, one per line: the b/ side of every
# "diff --git" line of the patches in directory $1 (the cover letter has
# none).
touched_files() { # patchdir
	cat /dev/null "$1"/*.patch |
		awk '/^diff --git a\/[^ ]+ b\/[^ ]+$/ { sub(/^b\//, "", $4); print $4 }' |
		sort -u
}

# kbuild targets of those files: foo.c or foo.S -> foo.o. Headers are
# compiled in the .c files that include them; Makefiles and Kconfig files
# are read by the configuration and by prepare. Host programs and tools
# (scripts/, tools/, samples/) are not kernel objects.
objects_of() {
	grep -Ev '^(scripts|tools|samples|Documentation)/' | sed -n 's/\.[cS]$/.o/p'
}

# Build the objects $@ in the distro object tree; each must exist after.
compile() {
	local o rc=0
	make -s -C "$SRC" O="$DOBJ" -j"${JOBS:-$(nproc)}" CC="ccache gcc" "$@" 2>&1 || rc=1
	for o in "$@"; do
		[[ $o == */ || -s $DOBJ/$o ]] || { echo "missing: $o"; rc=1; }
	done
	return $rc
}

export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keepalive-ccache}
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
export KBUILD_BUILD_TIMESTAMP=${KBUILD_BUILD_TIMESTAMP:-2026-01-01}
export KBUILD_BUILD_USER=keepalive KBUILD_BUILD_HOST=keepalive

echo "TAP version 13"
start=$SECONDS

# 1. Debian's configuration.
rc=0
cfg=$(debian_config) || rc=1
result $rc "Debian's configuration: $(sed 's/^# //' "$DIST/config.source" 2>/dev/null)"
[[ $rc -eq 0 ]] || bail

# 2. Configure (kernel.sh: olddefconfig, every fragment line must survive)
#    and prepare the tree for single objects.
rc=0
out=$(KA_OBJ=$DOBJ KA_BASECONFIG=$cfg KA_FRAGMENT=$FRAGMENT KA_TARGETS=prepare \
	bash "$REPO/scripts/kernel.sh" 2>&1) || rc=1
sed 's/^/# /' <<<"$out"
result $rc "configs/distro.config on Debian's config: every line survives olddefconfig, prepare"
[[ $rc -eq 0 ]] || bail

# 3. Every keepalive option of Kconfig, as the fragment says.
rc=0
opts=$(awk '$1 == "config" || $1 == "menuconfig" { print "CONFIG_" $2 }' "$REPO/Kconfig")
for opt in $opts; do
	want=$(grep -E "^$opt=" "$FRAGMENT" | cut -d= -f2- || true)
	have=$(grep -E "^$opt=" "$DOBJ/.config" | cut -d= -f2- || true)
	if [[ -z $want ]]; then
		echo "# $opt: not in configs/distro.config (it is '${have:-off}')"
		rc=1
	elif [[ $want == n && -z $have ]] || [[ $want == "$have" ]]; then
		echo "# $opt=${have:-n}"
	else
		echo "# $opt: wanted $want, olddefconfig left '${have:-off}'"
		rc=1
	fi
done
result $rc "every Kconfig option of keepalive is set as configs/distro.config says ($(wc -w <<<"$opts"))"

# 4. Compile drivers/keepalive/ and every .c file the series touches.
mapfile -t files < <(touched_files "$REPO/patches")
mapfile -t objs < <(printf '%s\n' "${files[@]}" | objects_of)
echo "# the series touches ${#files[@]} file(s): ${files[*]}"
echo "# compiling drivers/keepalive/ ${objs[*]}"
t0=$SECONDS
rc=0
out=$(compile drivers/keepalive/ "${objs[@]}") || rc=1
sed 's/^/# /' <<<"$out"
[[ ${#objs[@]} -gt 0 ]] || { echo "# no .c file in patches/"; rc=1; }
result $rc "drivers/keepalive/ and the ${#objs[@]} object(s) the series touches compile with Debian's config ($((SECONDS - t0)) s)"

# 5. The hooks are compiled in: the touched objects call keepalive.
rc=0
calls=0
for o in "${objs[@]}"; do
	k=$(nm -u "$DOBJ/$o" 2>/dev/null | awk '{ print $NF }' | grep -c keepalive || true)
	echo "# $o: $k keepalive symbol(s) referenced"
	calls=$((calls + k))
done
built=$(nm "$DOBJ/drivers/keepalive/built-in.a" 2>/dev/null | grep -c ' T keepalive_' || true)
echo "# drivers/keepalive/built-in.a defines $built keepalive_* function(s)"
[[ $calls -gt 0 && $built -gt 0 ]] || rc=1
result $rc "the series' objects call keepalive ($calls reference(s)), which drivers/keepalive/ defines"

# 6. Control: vfio-pci left modular, KEEPALIVE_VFIO cannot stay: the
#    survival check must say so.
ctl=$BUILD/distro/control
mkdir -p "$ctl"
grep -Ev '^CONFIG_VFIO(_PCI_CORE|_PCI)?=y$' "$FRAGMENT" >"$ctl/modular-vfio.config"
rc=0
out=$(KA_OBJ=$ctl/obj KA_BASECONFIG=$cfg KA_FRAGMENT=$ctl/modular-vfio.config \
	KA_TARGETS=kernelversion bash "$REPO/scripts/kernel.sh" 2>&1) && rc=1
grep "did not stick" <<<"$out" | sed 's/^/# /' || true
grep -q "'CONFIG_KEEPALIVE_VFIO=y' did not stick" <<<"$out" || rc=1
result $rc "control: with vfio-pci modular, the check reports CONFIG_KEEPALIVE_VFIO dropped"

# 7. Control: a new patch touching a file that does not compile is picked
#    up and fails the compile step.
rm -rf "$ctl/patches"
mkdir -p "$ctl/patches"
cp "$REPO"/patches/*.patch "$ctl/patches/"
printf 'diff --git a/%s b/%s\n' drivers/iommu/intel/ka-control.c \
	drivers/iommu/intel/ka-control.c >"$ctl/patches/9999-control.patch"
mapfile -t cobjs < <(touched_files "$ctl/patches" | objects_of)
rc=0
printf '%s\n' "${cobjs[@]}" | grep -qx drivers/iommu/intel/ka-control.o || rc=1
out=$(compile drivers/iommu/intel/ka-control.o) && rc=1
sed 's/^/# /' <<<"$out" | tail -n 2
result $rc "control: an extra patch's file is in the list, and one that does not compile fails"

echo "1..$n"
echo "# $((SECONDS - start)) s"
echo "distroconfig: $p passed, $f failed"
[[ $f -eq 0 ]]
