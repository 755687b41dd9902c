#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A kernel built without keepalive from the same source tree as the test
# kernel: configs/keepalive.config with every CONFIG_KEEPALIVE* line taken
# out and CONFIG_KEEPALIVE=n, in an object tree of its own (build/obj-plain),
# bzImage only. safety_test's scenario plainkernel loads it over a sealed
# handover (refused: it has no boot note) and then boots into it, where the
# pool must be untouched. With a warm ccache it builds in a few minutes;
# afterwards it is incremental like the test kernel.
#
# Prints the image's path last. Needs the source tree of scripts/kernel.sh
# (make kernel).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${KA_BUILD:-$REPO/build}")
OBJ=$BUILD/obj-plain
FRAGMENT=$BUILD/keepalive-plain.config

mkdir -p "$BUILD"
{
	grep -v '^CONFIG_KEEPALIVE' "$REPO/configs/keepalive.config"
	echo "# A kernel without keepalive (scripts/plainkernel.sh)"
	echo "CONFIG_KEEPALIVE=n"
} >"$FRAGMENT.new"
# Rewritten only when it changed: kernel.sh reconfigures on a new fragment.
if cmp -s "$FRAGMENT.new" "$FRAGMENT"; then
	rm "$FRAGMENT.new"
else
	mv "$FRAGMENT.new" "$FRAGMENT"
fi
KA_OBJ=$OBJ KA_FRAGMENT=$FRAGMENT KA_TARGETS=bzImage bash "$REPO/scripts/kernel.sh" >&2
if grep -q '^CONFIG_KEEPALIVE=' "$OBJ/.config"; then
	echo "plainkernel: CONFIG_KEEPALIVE is set in $OBJ/.config" >&2
	exit 1
fi
echo "$OBJ/arch/x86/boot/bzImage"
