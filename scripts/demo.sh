#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build the kernel, boot it in QEMU and show, kernel by kernel:
# an NVMe controller kept running across a kexec by its VMM and taken over
# in the next kernel with no admin command, and its control (not kept: the
# controller is reset); the blackout of that controller with keepalive,
# against a plain kexec (the floor) and a cold restart; a 64 MiB preserved
# file across two kexecs and its control; the core's figures.
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
		grep -v "# SKIP" |
		sed -e 's/^# [^:]*:[0-9]*:[a-z]*:/  test: /' -e 's/^KT: /  harness: /' \
		    -e 's/^ok /  PASS /' -e 's/^not ok /  FAIL /' -e 's/ cmdline=.*//'
	tail -n 1 "$dir/summary.txt"
}

# The figures of an nvme_blackout run, with the kexec split by the
# harness's TSC report: packing the initramfs, kexec_file_load, and the
# reboot itself (shutdown, purgatory, decompression, early boot).
blackout() { # run name
	local res=$BUILD/vm/$1/results.log
	grep '^bench: ' "$res" | sed 's/^bench: /  /'
	awk '
		/^KT: TSC / { for (i = 3; i <= NF; i++) { split($i, kv, "="); t[kv[1]] = kv[2] } }
		/^bench-data: / { for (i = 2; i <= NF; i++) { split($i, kv, "="); d[kv[1]] = kv[2] } }
		END {
			if (!d["khz"] || !t["load"]) exit
			printf "    of the kexec: harness packs the initramfs %.0f ms, kexec_file_load %.0f ms, reboot to kernel entry %.0f ms\n",
				(t["load"] - d["stopped"]) / d["khz"], (t["reboot"] - t["load"]) / d["khz"],
				(d["entry"] - t["reboot"]) / d["khz"]
		}
	' "$res"
}

bench_data() { # run name, key
	grep '^bench-data: ' "$BUILD/vm/$1/results.log" | tr ' ' '\n' |
		sed -n "s/^$2=//p" | head -n 1
}

rcs=()
run() { bash "$ST/vmtest.sh" -q "$@" >/dev/null; rcs+=($?); }

run --name demo-nvme --test nvme_keepalive_test --stages 2 --no-kunit
narrate demo-nvme "An NVMe controller kept running across kexec (keepalive on)"

run --name demo-nvme-control --test nvme_keepalive_test --stages 2 --no-kunit \
	-a kt_scenario=nokeep
narrate demo-nvme-control "Control: the same VMM without keepalive (the controller is reset)"

echo
echo "=== Blackout of the NVMe controller (TCG: compare ratios, not absolute times)"
# One vCPU: with two, TCG's TSCs fail the kernel's sync check, the kernel
# falls back to the HPET and boot times vary by seconds from run to run.
run --name demo-blackout -r "*:$ST/out/nvme_blackout" --stages 2 --no-kunit \
	--qemu-opts "-smp 1"
run --name demo-blackout-cold -r "*:$ST/out/nvme_blackout" --stages 2 --no-kunit \
	-a kb_mode=cold --qemu-opts "-smp 1"
echo "-- with keepalive"
blackout demo-blackout
echo "-- without: a plain kexec (the floor) and a cold restart"
blackout demo-blackout-cold
keep=$(bench_data demo-blackout keep_blackout_ms)
keep_user=$(bench_data demo-blackout keep_user_ms)
floor=$(bench_data demo-blackout-cold floor_ms)
cold=$(bench_data demo-blackout-cold cold_blackout_ms)
if [[ -n $keep && -n $keep_user && -n $floor && -n $cold ]]; then
	awk -v k="$keep" -v ku="$keep_user" -v f="$floor" -v c="$cold" 'BEGIN {
		printf "-- ratios: keepalive / floor %.2f, cold restart / floor %.2f, cold restart / keepalive %.2f\n",
			k / f, c / f, c / k
		printf "-- from userspace to the first I/O: keepalive %.1f ms, cold restart %.1f ms (%.1fx)\n",
			k - ku, c - f, (c - f) / (k - ku) }'
fi

run --name demo --test kho_kexec_test --stages 3 --no-kunit
narrate demo "A 64 MiB preserved file across two kexecs (keepalive on)"

run --name demo-control --test kho_kexec_test --stages 2 --no-kunit \
	-a kt_scenario=running
narrate demo-control "Control: the same file, kexec from RUNNING (no handover)"

echo
echo "=== Figures of the handover core (TCG: compare sizes, not absolute times)"
run --name demo-bench -r "*:$ST/out/kho_bench" --stages 4 --mem 3G --pool 1100M \
	--no-kunit >/dev/null
grep '^bench:' "$BUILD/vm/demo-bench/results.log" | sed 's/^bench: /  /'
echo
for rc in "${rcs[@]}"; do
	[[ $rc -eq 0 ]] || { echo "demo: a run failed, see $BUILD/vm/"; exit 1; }
done
echo "demo: all runs passed"
