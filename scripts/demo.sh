#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build the kernel, boot it in QEMU, preserve a 64 MiB file
# across two kexecs, and show what happened in each kernel; then the
# negative control (a kexec outside STOP carries nothing) and the core's
# figures.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ST=$REPO/tools/testing/selftests/keepalive
BUILD=${KA_BUILD:-$REPO/build}

bash "$REPO/scripts/kernel.sh" | tail -n 2 || exit 1
make -s -C "$ST" || exit 1

# Per kernel of a run: what the kernel said about keepalive, then what the
# test in that kernel checked.
narrate() { # run name, title
	local dir=$BUILD/vm/$1
	echo
	echo "=== $2"
	awk '
		/Linux version/ { k++; printf "\n--- kernel %d (booted %s)\n", k, k == 1 ? "cold" : "by kexec" }
		/keepalive: / && !/Command line|Kernel command line/ {
			sub(/^\[[ 0-9.]*\] /, ""); print "  kernel: " $0
		}
	' "$dir/console.log" | grep -v "^  kernel: .*kt_bootid"
	echo
	grep -E "^# .*:(verify|handover):|^(not )?ok |^KT: (KEXEC|BOOT)" "$dir/results.log" |
		sed -e 's/^# [^:]*:[0-9]*:[a-z]*:/  test: /' -e 's/^KT: /  harness: /' \
		    -e 's/^ok /  PASS /' -e 's/^not ok /  FAIL /' -e 's/ cmdline=.*//'
	tail -n 1 "$dir/summary.txt"
}

bash "$ST/vmtest.sh" -q --name demo --test kho_kexec_test --stages 3 --no-kunit
rc1=$?
narrate demo "A 64 MiB preserved file across two kexecs (keepalive on)"

bash "$ST/vmtest.sh" -q --name demo-control --test kho_kexec_test --stages 2 \
	--no-kunit -a kt_scenario=running
rc2=$?
narrate demo-control "Control: the same file, kexec from RUNNING (no handover)"

echo
echo "=== Figures (TCG: compare sizes, not absolute times)"
bash "$ST/vmtest.sh" -q --name demo-bench -r "*:$ST/out/kho_bench" --stages 4 \
	--mem 3G --pool 1100M --no-kunit >/dev/null
rc3=$?
grep '^bench:' "$BUILD/vm/demo-bench/results.log" | sed 's/^bench: /  /'
echo
[[ $rc1 -eq 0 && $rc2 -eq 0 && $rc3 -eq 0 ]] && echo "demo: all runs passed" || echo "demo: a run failed, see $BUILD/vm/"
[[ $rc1 -eq 0 && $rc2 -eq 0 && $rc3 -eq 0 ]]
