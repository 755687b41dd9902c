#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel: unpack Debian's linux-source-6.1, apply patches/,
# link this repository in as drivers/keepalive, configure from
# configs/keepalive.config and build bzImage with ccache.
#
# Everything lands under build/ (ignored by git):
#   build/linux/        the patched source tree (drivers/keepalive -> repo)
#   build/obj/          the object tree (O=), bzImage in arch/x86/boot/
#   build/kernel-version the version the image was built from
#
# Re-running is incremental: the source tree is unpacked again only when the
# tarball or a patch changed, the configuration is regenerated only when the
# fragment changed, and kbuild plus ccache rebuild only what changed.
#
# For another configuration of the same source tree (scripts/prodconfig.sh):
#   KA_OBJ=dir          object tree instead of build/obj
#   KA_FRAGMENT=file    config fragment instead of configs/keepalive.config
#   KA_BASECONFIG=file  a full configuration to merge the fragment onto,
#                       instead of tinyconfig (scripts/distroconfig.sh:
#                       Debian's own)
#   KA_TARGETS="..."    kbuild targets instead of bzImage (build/kernel-version
#                       is then left alone)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KA_BUILD:-$REPO/build}
SRC=$BUILD/linux
OBJ=${KA_OBJ:-$BUILD/obj}
TARBALL=/usr/src/linux-source-6.1.tar.xz
FRAGMENT=${KA_FRAGMENT:-$REPO/configs/keepalive.config}
BASECONFIG=${KA_BASECONFIG:-}
TARGETS=${KA_TARGETS:-}
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/keepalive-ccache}
# The object tree moves between builds of a re-unpacked source: hash relative
# paths so that the cache still hits.
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
export KBUILD_BUILD_TIMESTAMP=${KBUILD_BUILD_TIMESTAMP:-2026-01-01}
export KBUILD_BUILD_USER=keepalive KBUILD_BUILD_HOST=keepalive

log() { printf 'kernel: %s\n' "$*"; }

"$REPO/scripts/deps.sh"
mkdir -p "$BUILD" "$CCACHE_DIR"
ccache -M 5G >/dev/null

# The series, without its cover letter (it has no diff).
series=()
for p in "$REPO"/patches/*.patch; do
	if [[ -e $p && ${p##*/} != 0000-cover-letter.patch ]]; then
		series+=("$p")
	fi
done

# 1. Source tree: unpack and patch when the inputs changed.
src_stamp=$( { stat -c '%s %Y' "$TARBALL"; cat /dev/null "${series[@]}"; } | sha256sum | cut -d' ' -f1)
if [[ ! -f $SRC/.ka-src-stamp || $(cat "$SRC/.ka-src-stamp") != "$src_stamp" ]]; then
	log "unpacking $(basename "$TARBALL") ($(dpkg-query -W -f='${Version}' linux-source-6.1))"
	rm -rf "$SRC" "$BUILD/linux-source-6.1"
	tar -C "$BUILD" -xf "$TARBALL"
	mv "$BUILD/linux-source-6.1" "$SRC"
	for p in "${series[@]}"; do
		log "applying $(basename "$p")"
		patch -d "$SRC" -p1 -s --no-backup-if-mismatch <"$p"
	done
	echo "$src_stamp" >"$SRC/.ka-src-stamp"
fi
ln -sfn "$REPO" "$SRC/drivers/keepalive"

# 2. Configuration: tinyconfig (or the base configuration) + our fragment,
#    when either changed.
mkdir -p "$OBJ"
cfg_stamp=$(cat "$FRAGMENT" "$SRC/.ka-src-stamp" ${BASECONFIG:+"$BASECONFIG"} | sha256sum | cut -d' ' -f1)
if [[ ! -f $OBJ/.config || ! -f $OBJ/.ka-cfg-stamp || $(cat "$OBJ/.ka-cfg-stamp") != "$cfg_stamp" ]]; then
	if [[ -n $BASECONFIG ]]; then
		log "configuring $OBJ from ${FRAGMENT#"$REPO"/} on $BASECONFIG"
		cp "$BASECONFIG" "$OBJ/.config"
	else
		log "configuring $OBJ from ${FRAGMENT#"$REPO"/}"
		make -s -C "$SRC" O="$OBJ" tinyconfig >/dev/null
	fi
	(cd "$OBJ" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT" >/dev/null)
	make -s -C "$SRC" O="$OBJ" olddefconfig >/dev/null
	# Every line of the fragment must have survived olddefconfig: a
	# dependency we forgot would otherwise silently drop an option.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) opt=${line%%=*}
			if grep -q "^$opt=" "$OBJ/.config"; then log "config: $opt should be off"; bad=1; fi ;;
		CONFIG_*) grep -qx -- "$line" "$OBJ/.config" || { log "config: '$line' did not stick"; bad=1; } ;;
		esac
	done <"$FRAGMENT"
	[[ $bad -eq 0 ]] || { log "configuration incomplete, see above"; exit 1; }
	echo "$cfg_stamp" >"$OBJ/.ka-cfg-stamp"
fi

# 3. Build.
start=$(date +%s)
if [[ -n $TARGETS ]]; then
	log "building $TARGETS in $OBJ with -j$JOBS (ccache in $CCACHE_DIR)"
	# shellcheck disable=SC2086
	make -s -C "$SRC" O="$OBJ" -j"$JOBS" CC="ccache gcc" $TARGETS
	log "built $TARGETS in $(( $(date +%s) - start ))s"
	exit 0
fi
log "building bzImage with -j$JOBS (ccache in $CCACHE_DIR)"
make -s -C "$SRC" O="$OBJ" -j"$JOBS" CC="ccache gcc" bzImage
release=$(make -s -C "$SRC" O="$OBJ" kernelrelease)
printf 'linux-source-6.1 %s, kernelrelease %s, patches %s\n' \
	"$(dpkg-query -W -f='${Version}' linux-source-6.1)" "$release" \
	"${#series[@]}" >"$BUILD/kernel-version"
log "built in $(( $(date +%s) - start ))s: $(cat "$BUILD/kernel-version")"
log "image: $OBJ/arch/x86/boot/bzImage"
