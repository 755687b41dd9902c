#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build the kernel, boot it in QEMU and show, kernel by kernel:
# an NVMe controller kept running across a kexec by its VMM and taken over
# in the next kernel with no admin command, and its control (not kept: the
# controller is reset); a read in flight at the kexec completing during the
# blackout through the preserved DMA translation, with QEMU's VT-d trace,
# and its control (not kept: the read is lost); that read's interrupt,
# raised during the blackout, held in the device and delivered to the VMM
# after reclaim, with QEMU's interrupt trace, and its control (not kept:
# the interrupt is lost); the blackout of that controller with keepalive,
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
	grep -E "^# .*:(verify|handover|continues|reset_without_keepalive|inflight_read_completed|pending_interrupt_delivered):|^(not )?ok |^KT: (KEXEC|BOOT)" "$dir/results.log" |
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
# A control that must fail: its failure is the expected outcome.
run_control() { bash "$ST/vmtest.sh" -q "$@" >/dev/null; rcs+=($(($? == 1 ? 0 : 1))); }
VTD_TRACE="-trace enable=vtd_dmar_fault -trace enable=vtd_dmar_enable -trace enable=vtd_reg_dmar_root"
vtd() { # run name
	echo "  QEMU VT-d trace: $(bash "$ST/vm/vtd_trace.sh" "$BUILD/vm/$1/qemu.out")"
}
IRQ_TRACE="-trace enable=msix_write_config -trace enable=pci_nvme_irq_pin -trace enable=pci_nvme_irq_msix -trace enable=vtd_reg_dmar_root"
irqt() { # run name
	echo "  QEMU interrupt trace: $(bash "$ST/vm/irq_trace.sh" "$BUILD/vm/$1/qemu.out")"
}

run --name demo-nvme --test nvme_keepalive_test --stages 2 --no-kunit
narrate demo-nvme "An NVMe controller kept running across kexec (keepalive on)"

run --name demo-nvme-control --test nvme_keepalive_test --stages 2 --no-kunit \
	-a kt_scenario=nokeep
narrate demo-nvme-control "Control: the same VMM without keepalive (the controller is reset)"

# Controller 0 on a drive where every request takes 4 s: the read the VMM
# submits before STOP completes after the kexec.
run --name demo-inflight --test iommu_keepalive_test --stages 2 --no-kunit \
	--slow-nvme 4000000000 -a kt_scenario=inflight --qemu-opts "$VTD_TRACE"
narrate demo-inflight "A read in flight at the kexec completes during the blackout, translated by the handover tables"
vtd demo-inflight
run_control --name demo-inflight-control --test iommu_keepalive_test --stages 2 \
	--no-kunit --slow-nvme 4000000000 -a kt_scenario=inflight_off \
	--qemu-opts "$VTD_TRACE"
narrate demo-inflight-control "Control: the same read without keepalive (the controller is stopped, the read lost)"
vtd demo-inflight-control

# The same slow read, with the I/O queue's interrupt on MSI-X vector 1:
# it is raised during the blackout, held in the device, and reaches the
# VMM's eventfd when the VMM arms its vectors in the next kernel.
run --name demo-irq --test irq_keepalive_test --stages 2 --no-kunit \
	--slow-nvme 4000000000 -a kt_scenario=held --qemu-opts "$IRQ_TRACE"
narrate demo-irq "An interrupt raised during the blackout is held in the device and delivered after reclaim"
irqt demo-irq
run_control --name demo-irq-control --test irq_keepalive_test --stages 2 \
	--no-kunit --slow-nvme 4000000000 -a kt_scenario=held_off \
	--qemu-opts "$IRQ_TRACE"
narrate demo-irq-control "Control: the same interrupt without keepalive (MSI-X disabled at the close, the interrupt lost)"
irqt demo-irq-control

echo
echo "=== Blackout of the NVMe controller (TCG: compare ratios, not absolute times)"
# One vCPU: with two, TCG's TSCs fail the kernel's sync check, the kernel
# falls back to the HPET and boot times vary by seconds from run to run.
# kmemleak off: the test kernel's leak checker slows every allocation.
# Three runs of each, alternating; the medians are compared.
BENCH_RUNS=${BENCH_RUNS:-3}
for ((i = 1; i <= BENCH_RUNS; i++)); do
	run --name "demo-blackout-$i" -r "*:$ST/out/nvme_blackout" --stages 2 \
		--no-kunit -a kmemleak=off --qemu-opts "-smp 1"
	run --name "demo-blackout-cold-$i" -r "*:$ST/out/nvme_blackout" --stages 2 \
		--no-kunit -a "kb_mode=cold kmemleak=off" --qemu-opts "-smp 1"
done
echo "-- with keepalive (run 1 of $BENCH_RUNS)"
blackout demo-blackout-1
echo "-- without: a plain kexec (the floor) and a cold restart (run 1 of $BENCH_RUNS)"
blackout demo-blackout-cold-1
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
series() { # run prefix, key
	for ((i = 1; i <= BENCH_RUNS; i++)); do bench_data "$1-$i" "$2"; done
}
keep=$(series demo-blackout keep_blackout_ms | median)
vmm_keep=$(paste <(series demo-blackout keep_blackout_ms) <(series demo-blackout keep_user_ms) |
	awk '{ print $1 - $2 }' | median)
floor=$(series demo-blackout-cold floor_ms | median)
cold=$(series demo-blackout-cold cold_blackout_ms | median)
vmm_cold=$(paste <(series demo-blackout-cold cold_blackout_ms) <(series demo-blackout-cold floor_ms) |
	awk '{ print $1 - $2 }' | median)
if [[ -n $keep && -n $vmm_keep && -n $floor && -n $cold && -n $vmm_cold ]]; then
	echo "-- medians of $BENCH_RUNS runs each:"
	echo "   keepalive blackout: $(series demo-blackout keep_blackout_ms | tr '\n' ' ')ms"
	echo "   floor:              $(series demo-blackout-cold floor_ms | tr '\n' ' ')ms"
	echo "   cold restart:       $(series demo-blackout-cold cold_blackout_ms | tr '\n' ' ')ms"
	awk -v k="$keep" -v f="$floor" -v c="$cold" -v vk="$vmm_keep" -v vc="$vmm_cold" 'BEGIN {
		printf "-- ratios of medians: keepalive / floor %.2f, cold restart / floor %.2f, cold restart / keepalive %.2f\n",
			k / f, c / f, c / k
		printf "-- from userspace to the first I/O (median): keepalive %.1f ms, cold restart %.1f ms (%.1fx)\n",
			vk, vc, vc / vk }'
fi

run --name demo --test kho_kexec_test --stages 3 --no-kunit
narrate demo "A 64 MiB preserved file across two kexecs (keepalive on)"

run --name demo-control --test kho_kexec_test --stages 2 --no-kunit \
	-a kt_scenario=running
narrate demo-control "Control: the same file, kexec from RUNNING (no handover)"

echo
echo "=== Figures of the handover core (TCG: compare sizes, not absolute times)"
run --name demo-bench -r "*:$ST/out/kho_bench" --stages 4 --mem 3G --pool 1100M \
	--no-kunit -a kmemleak=off
grep '^bench:' "$BUILD/vm/demo-bench/results.log" | sed 's/^bench: /  /'
echo
for rc in "${rcs[@]}"; do
	[[ $rc -eq 0 ]] || { echo "demo: a run failed, see $BUILD/vm/"; exit 1; }
done
echo "demo: all runs passed"
