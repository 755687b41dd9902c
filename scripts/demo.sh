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
# against a plain kexec (the floor) and a cold restart, with spreads and a
# plot (scripts/blackout.sh); a KVM guest kept running across the kexec
# with its passthrough NVMe doing I/O, its control and the pause it sees
# (scripts/kvmpause.sh); a 64 MiB preserved file across two kexecs and its
# control; the core's figures; the soak (20 kexecs, the figures of every
# cycle flat) and its control.
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
	grep -E "^# .*:(verify|handover|continues|reset_without_keepalive|inflight_read_completed|pending_interrupt_delivered|update|guest_resumes):|^(not )?ok |^KT: (KEXEC|BOOT)" "$dir/results.log" |
		grep -v "# SKIP" |
		sed -e 's/^# [^:]*:[0-9]*:[a-z_]*:/  test: /' -e 's/^KT: /  harness: /' \
		    -e 's/^ok /  PASS /' -e 's/^not ok /  FAIL /' -e 's/ cmdline=.*//'
	tail -n 1 "$dir/summary.txt"
}

rcs=()
run() { bash "$ST/vmtest.sh" -q "$@" >/dev/null; rcs+=($?); }
# A control that must fail: its failure is the expected outcome.
run_control() { bash "$ST/vmtest.sh" -q "$@" >/dev/null; rcs+=($(($? == 1 ? 0 : 1))); }
# The trace options each trace helper reads: the helper owns them.
VTD_TRACE=$(bash "$ST/vm/vtd_trace.sh" --opts)
vtd() { # run name
	echo "  QEMU VT-d trace: $(bash "$ST/vm/vtd_trace.sh" "$BUILD/vm/$1/qemu.out")"
}
IRQ_TRACE=$(bash "$ST/vm/irq_trace.sh" --opts)
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

# A KVM guest (nested SVM in the TCG VM) whose own NVMe driver does I/O
# by interrupt keeps running across the kexec; its control (not kept: the
# guest's I/O times out); the pause it sees, in phases, against a guest
# restarted cold (scripts/kvmpause.sh).
run --name demo-kvm --test kvm_keepalive_test --stages 2 --no-kunit \
	-a kt_scenario=keep
narrate demo-kvm "A KVM guest keeps running across the kexec, its passthrough NVMe doing I/O"
run_control --name demo-kvm-control --test kvm_keepalive_test --stages 2 \
	--no-kunit -a kt_scenario=nokeep
narrate demo-kvm-control "Control: the same guest, its controller not kept (reset: the guest's I/O times out)"
echo
echo "=== The pause the KVM guest sees (TCG: the kexec and boot dominate)"
bash "$REPO/scripts/kvmpause.sh"
rcs+=($?)

echo
echo "=== Blackout of the NVMe controller (TCG: compare ratios, not absolute times)"
bash "$REPO/scripts/blackout.sh"
rcs+=($?)

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

# The soak: one controller and its VMM across 20 kexecs (about 10 minutes
# under TCG, too long for make check, which runs its control).
echo
echo "=== Soak: one kept controller across $((${DEMO_SOAK_STAGES:-21} - 1)) kexecs, every figure flat"
run --name demo-soak --test nvme_keepalive_test --no-kunit \
	--stages "${DEMO_SOAK_STAGES:-21}" --timeout 2400 -a kt_scenario=soak
grep '^# soak: ' "$BUILD/vm/demo-soak/results.log" | sed 's/^# soak: /  /'
grep -c '^ok .*soak_flat' "$BUILD/vm/demo-soak/results.log" |
	awk -v n="$((${DEMO_SOAK_STAGES:-21} - 1))" '{ printf "  soak_flat passed in %d of %d cycles\n", $1, n }'
tail -n 1 "$BUILD/vm/demo-soak/summary.txt"
echo
for rc in "${rcs[@]}"; do
	[[ $rc -eq 0 ]] || { echo "demo: a run failed, see $BUILD/vm/"; exit 1; }
done
echo "demo: all runs passed"
