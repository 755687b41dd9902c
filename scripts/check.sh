#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build the kernel, then run every test there is and end with
# one line "check: N passed, N failed, N skipped". Exit status 1 on any
# failure.
#
#   KT_CHECK_ONLY="checkpatch kexec"   run only the named parts
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ST=$REPO/tools/testing/selftests/keepalive
VMTEST=$ST/vmtest.sh
SC=$ST/vm/selfcheck
LOG=${KA_BUILD:-$REPO/build}/check
mkdir -p "$LOG"

P=0 F=0 S=0
declare -a report

# Add the counts of a "...: N passed, N failed[, N skipped]" line.
tally() { # part, line
	local part=$1 line=$2 p f s
	if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
	else
		p=0 f=1 s=0
	fi
	P=$((P + p)) F=$((F + f)) S=$((S + s))
	report+=("$(printf '%-28s %4d passed %3d failed %3d skipped' "$part" "$p" "$f" "$s")")
}

want() { [[ -z ${KT_CHECK_ONLY:-} || " $KT_CHECK_ONLY " == *" $1 "* ]]; }

# A vmtest run that must pass.
vm_pass() { # part, vmtest args...
	local part=$1 out
	shift
	echo "== $part"
	out=$(bash "$VMTEST" --name "$part" "$@" 2>&1)
	echo "$out" | sed 's/^/   /'
	tally "$part" "$(tail -n 1 <<<"$out")"
}

# A vmtest run that must fail, for the reason given: one test, passed when
# the harness reported exactly that failure.
vm_fail() { # part, expected failure regex, vmtest args...
	local part=$1 why=$2 out rc
	shift 2
	echo "== $part (must fail: $why)"
	out=$(bash "$VMTEST" --name "$part" --no-kunit "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/   /'
	if [[ $rc -eq 1 ]] && grep -Eq "FAIL .*$why" <<<"$out"; then
		tally "$part" "1 passed, 0 failed"
	else
		echo "   harness self-check $part: expected a failure matching '$why', got rc=$rc"
		tally "$part" "0 passed, 1 failed"
	fi
}

# QEMU's VT-d trace events for vtd_clean(), passed with --qemu-opts.
VTD_TRACE="-trace enable=vtd_dmar_fault -trace enable=vtd_dmar_enable -trace enable=vtd_reg_dmar_root"

# QEMU's MSI-X and NVMe interrupt trace events for irq_clean().
IRQ_TRACE="-trace enable=msix_write_config -trace enable=pci_nvme_irq_pin -trace enable=pci_nvme_irq_msix -trace enable=vtd_reg_dmar_root"

# The verdict of vm/SCRIPT on a run's QEMU trace, as result PART_SUFFIX.
# With "must-fail", passed when the trace is not clean (a control).
trace_verdict() { # part, script, suffix, [must-fail]
	local part=$1 verdict rc
	verdict=$(bash "$ST/vm/$2" "${KA_BUILD:-$REPO/build}/vm/$part/qemu.out")
	rc=$?
	echo "== ${part}_$3: $verdict"
	if [[ ${4:-} == must-fail ]]; then
		[[ $rc -eq 1 ]] && tally "${part}_$3" "1 passed, 0 failed" ||
			tally "${part}_$3" "0 passed, 1 failed"
	else
		[[ $rc -eq 0 ]] && tally "${part}_$3" "1 passed, 0 failed" ||
			tally "${part}_$3" "0 passed, 1 failed"
	fi
}

# QEMU's interrupt remapping trace events for irte_clean().
IRTE_TRACE="-trace enable=vtd_reg_ir_root -trace enable=vtd_ir_irte_get -trace enable=vtd_reg_dmar_root -trace enable=vtd_ir_enable"

# The VT-d trace (VTD_TRACE) judged by vm/vtd_trace.sh: no DMA remapping
# fault, the handover root set at the kexec, translation never turned off
# before the last kernel.
vtd_clean() { trace_verdict "$1" vtd_trace.sh vtd "${2:-}"; }
# The interrupt trace (IRQ_TRACE) judged by vm/irq_trace.sh: MSI-X enabled
# and masked from the hold to the re-arm, an interrupt raised meanwhile, no
# INTx.
irq_clean() { trace_verdict "$1" irq_trace.sh irq "${2:-}"; }
# The interrupt remapping trace (IRTE_TRACE) judged by vm/irte_trace.sh:
# IRTA on a table in the pool from the kexec to the next kernel's own,
# remapping on throughout, no lookup in the previous kernel's table.
irte_clean() { trace_verdict "$1" irte_trace.sh irte "${2:-}"; }

# Where the injected fault hit in the next kernel of a run, from its console:
# the caller frames of the FAULT_INJECTION stack, and keepalive's lines that
# say what failed.
sweep_where() { # console.log
	awk '
		/Linux version/ { k++ }
		k < 2 { next }
		/FAULT_INJECTION: forcing a failure/ { inj = 1; next }
		inj == 1 && /<TASK>/ { inj = 2; next }
		inj == 2 && /<\/TASK>/ { inj = 3; next }
		inj == 2 && !/ \? / {
			f = $NF
			sub(/\+0x.*/, "", f)
			if (f ~ /^(dump_stack(_lvl)?|should_fail(_ex)?|fail_dump|keepalive_should_fail)$/)
				next
			if (n < 4)
				frames = frames (n++ ? " <- " : "") f
		}
		/^\[.*keepalive.*(not adopted|failed|cannot|refused|rejected|nobody reclaimed)/ {
			sub(/^\[[^]]*\] /, "")
			lines = lines "\n        log: " $0
		}
		END {
			if (frames != "")
				printf "        fault in %s", frames
			else
				printf "        no fault injected"
			print lines
		}
	' "$1"
}

# What the failed tests of a run logged (TH_LOG lines, leaks), from the
# results of every stage.
sweep_failures() { # results.log
	awk '
		/^#  RUN / { buf = ""; next }
		/^# [^ ]+:[0-9]+:[^:]+:|^# leak: |^#   from / { buf = buf "        | " $0 "\n" }
		/^not ok / { printf "%s", buf }
		/^(not )?ok / { buf = "" }
	' "$1"
}

# The resume-direction fail-nth sweep: the NVMe controller of scenario keep
# is handed over, and the next kernel's N-th fault consultation fails, for
# N = 1, 2, ..., one kexec each, until a run in which the injection did not
# fire (every point from receiving the handover to CONCLUDE was hit). Each
# run must end safely (nvme_keepalive_test's scenario sweep). More than
# KT_SWEEP_MAX runs is a failure.
resume_sweep() {
	local max=${KT_SWEEP_MAX:-40} vm=${KA_BUILD:-$REPO/build}/vm
	local n out rep fired seen t0 unknown=0 start=$SECONDS
	echo "== resume_sweep (the next kernel's N-th fault consultation fails)"
	for ((n = 1; n <= max; n++)); do
		t0=$SECONDS
		# no_timer_check: under TCG on a loaded host the IO-APIC timer
		# check at boot can fail and panic ("timer doesn't work through
		# Interrupt-remapped IO-APIC"); a sweep boots many kernels.
		out=$(bash "$VMTEST" --name "resume_sweep_$n" --test nvme_keepalive_test \
			--no-kunit --stages 2 --timeout 150 \
			-a "no_timer_check kt_scenario=sweep kt_fail_nth=$n" 2>&1)
		rep=$(grep -ao 'sweep: nth=.*' "$vm/resume_sweep_$n/results.log" | tail -n 1)
		seen=$(grep -c 'FAULT_INJECTION: forcing a failure' "$vm/resume_sweep_$n/console.log")
		printf '   N=%-2d %3d s  %s\n' "$n" $((SECONDS - t0)) "$(tail -n 1 <<<"$out")"
		sweep_where "$vm/resume_sweep_$n/console.log"
		[[ -n $rep ]] && echo "        test: ${rep#*: }"
		grep 'FAIL ' <<<"$out" | sed 's/^/     /'
		sweep_failures "$vm/resume_sweep_$n/results.log"
		tally "resume_sweep_$n" "$(tail -n 1 <<<"$out")"
		# The test's word; without it (the run failed first) an injection
		# on the console, or nothing known: go on, but not for ever.
		fired=unknown
		((seen > 0)) && fired=yes
		if [[ $rep =~ fired=(yes|no) ]]; then
			if [[ ${BASH_REMATCH[1]} != "${fired/unknown/no}" ]]; then
				echo "   resume_sweep: N=$n: the test says fired=${BASH_REMATCH[1]}, the console shows $seen injection(s)"
				tally "resume_sweep_${n}_console" "0 passed, 1 failed"
			fi
			fired=${BASH_REMATCH[1]}
		fi
		[[ $fired == no ]] && break
		if [[ $fired == unknown ]]; then
			((++unknown < 3)) || break
		else
			unknown=0
		fi
	done
	if ((unknown >= 3)); then
		echo "   resume_sweep: $unknown runs in a row neither reported nor showed an injection: stopped at N=$n"
		tally resume_sweep "0 passed, 1 failed"
	elif ((n > max)); then
		echo "   resume_sweep: the injection still fired at N=$max: not every point was reached"
		tally resume_sweep "0 passed, 1 failed"
	elif [[ $rep != *"consultations=$((n - 1)):"* ]]; then
		# Runs 1..n-1 each reached their consultation: a deterministic path
		# has exactly n - 1 of them.
		echo "   resume_sweep: N=$n did not fire, but its run counted: ${rep:-nothing}"
		tally resume_sweep "0 passed, 1 failed"
	else
		echo "   resume_sweep: $((n - 1)) injection point(s), each failed once; N=$n did not fire"
		tally resume_sweep "1 passed, 0 failed"
	fi
	echo "   resume_sweep: $n run(s) in $((SECONDS - start)) s"
}

echo "== kernel"
if ! bash "$REPO/scripts/kernel.sh"; then
	echo "check: 0 passed, 1 failed"
	exit 1
fi
make -s -C "$ST" || { echo "check: 0 passed, 1 failed"; exit 1; }

if want userspace; then
	# The image format code built in userspace, with its control build.
	echo "== userspace"
	out=$(make -s -C "$REPO/tools/keepalive" check 2>&1)
	grep -v '^ok ' <<<"$out" | sed 's/^/   /'
	tally image_test "$(grep '^image_test: ' <<<"$out" | head -n 1)"
	grep -q '(as it must)' <<<"$out" || tally image_test_control "0 passed, 1 failed"
fi

if want fuzz; then
	# The image checks under libFuzzer (tools/keepalive/fuzz_image, the
	# kernel's libfdt built in): every input of tools/keepalive/testdata/
	# once, then a 30 s run from the image_test seeds, both with
	# -timeout=2: an input checked for 2 s is a finding, as a crash is
	# (issue 21 item 7: a payload the next kernel checks for ever hangs
	# its boot). About 35 s.
	echo "== fuzz"
	out=$(make -s -C "$REPO/tools/keepalive" fuzz-check FUZZ_TIMEOUT=2 \
		FUZZ_CHECK_SECONDS=30 2>&1)
	sed 's/^/   /' <<<"$out"
	tally fuzz "$(grep '^fuzz-check: ' <<<"$out" | tail -n 1)"
fi

if want checkpatch; then
	echo "== checkpatch"
	out=$(bash "$REPO/scripts/checkpatch.sh" 2>&1)
	grep -v '^ok ' <<<"$out" | sed 's/^/   /'
	tally checkpatch "$(tail -n 1 <<<"$out")"
fi

if want prodconfig; then
	# The production configuration: drivers/keepalive/ built without the
	# test-only options, and no test-only code linked in it.
	echo "== prodconfig"
	out=$(bash "$REPO/scripts/prodconfig.sh" 2>&1)
	grep -v '^ok ' <<<"$out" | sed 's/^/   /'
	tally prodconfig "$(tail -n 1 <<<"$out")"
fi

if want distroconfig; then
	# Debian's own 6.1 amd64 configuration with keepalive on top: every
	# option survives, drivers/keepalive/ and every file patches/ touches
	# compile (scripts/distroconfig.sh, with its controls).
	echo "== distroconfig"
	t0=$SECONDS
	out=$(bash "$REPO/scripts/distroconfig.sh" 2>&1)
	grep -v '^ok ' <<<"$out" | sed 's/^/   /'
	echo "   distroconfig: $((SECONDS - t0)) s"
	tally distroconfig "$(tail -n 1 <<<"$out")"
fi

if want kunit; then
	# Every KUnit suite, in the first kernel of one boot.
	vm_pass kunit --stages 1
fi

if want kexec; then
	# The kselftest in both kernels.
	vm_pass kexec_boot --test kexec_boot_test --no-kunit --stages 2
	# A pool where a cold boot once direct-mapped it against E820.
	vm_pass pool_placement --test kexec_boot_test --no-kunit --stages 2 \
		--pool 128M@0x35000000
fi

if want kho; then
	vm_pass kho_uapi --test kho_uapi_test --no-kunit
	# 64 MiB file across five kexecs in a row, same pages, same content.
	vm_pass kho_preserve --test kho_kexec_test --no-kunit --stages 6
	# Negative control: a kexec from RUNNING carries nothing.
	vm_pass kho_running --test kho_kexec_test --no-kunit --stages 2 \
		-a kt_scenario=running
	# A file nobody retrieves is freed at CONCLUDE.
	vm_pass kho_unclaimed --test kho_kexec_test --no-kunit --stages 2 \
		-a kt_scenario=unclaimed
	# Every kind of damage to the image: a cold boot with the reason.
	vm_pass kho_corrupt --test kho_kexec_test --no-kunit --stages 8 \
		-a kt_scenario=corrupt
fi

if want vfio; then
	# Marking a vfio-pci device, and its record across one kexec.
	vm_pass vfio_mark --test vfio_keepalive_test --no-kunit --stages 2
	# The userspace NVMe driver over VFIO: I/O, MSI-X, save/restore with
	# zero admin commands, and vfio-pci's reset on open and close.
	vm_pass nvme_vfio --test nvme_vfio_test --no-kunit \
		--run "1:$ST/vm/bind_vfio.sh"
	# An NVMe controller kept running across kexec, and its controls:
	# not kept, kexec from RUNNING, never reclaimed, one kept of two.
	# The VT-d trace of keep must be clean; that of running (a kexec
	# that hands nothing over turns translation off) must not.
	for sc in keep nokeep running unclaimed; do
		vm_pass "nvme_keepalive_$sc" --test nvme_keepalive_test \
			--no-kunit --stages 2 -a "kt_scenario=$sc" \
			--qemu-opts "$VTD_TRACE"
	done
	vtd_clean nvme_keepalive_keep
	vtd_clean nvme_keepalive_running must-fail
	vm_pass nvme_keepalive_two --test nvme_keepalive_test --no-kunit \
		--stages 2 --nvme 2 -a kt_scenario=two
	# Not the device that was recorded: reset, with the reason.
	vm_pass nvme_keepalive_mismatch --test nvme_keepalive_test --no-kunit \
		--stages 2 -a kt_scenario=mismatch
	# The next kernel's adoption fails (fault injection): reset instead.
	vm_pass nvme_keepalive_adoptfail --test nvme_keepalive_test --no-kunit \
		--stages 2 -a kt_scenario=adoptfail
	# Behind a PCIe root port, whose driver disables it at shutdown.
	vm_pass nvme_keepalive_bridge --test nvme_keepalive_test --no-kunit \
		--stages 2 --root-ports
	# Kept across three kexecs in a row, pool usage constant.
	vm_pass nvme_keepalive_cycles --test nvme_keepalive_test --no-kunit \
		--stages 4 -a kt_scenario=cycles
fi

if want iommu; then
	# DMA in flight at the kexec (a read on a drive that takes 4 s)
	# completes during the blackout into the preserved buffer, through
	# the handover tables; POST-RESUME waits for the VMM's mappings.
	vm_pass iommu_inflight --test iommu_keepalive_test --no-kunit \
		--stages 2 --slow-nvme 4000000000 -a kt_scenario=inflight \
		--qemu-opts "$VTD_TRACE"
	vtd_clean iommu_inflight
	# Control: the same device not kept loses the read.
	vm_fail iommu_inflight_off "inflight_read_completed" \
		--test iommu_keepalive_test --stages 2 \
		--slow-nvme 4000000000 -a kt_scenario=inflight_off
	# Control: the hold released as soon as the VMM attaches, before it
	# maps (debugfs iommu_release), and the read ending after that: it
	# faults and is lost.
	vm_fail iommu_early "inflight_read_completed" \
		--test iommu_keepalive_test --stages 2 \
		--slow-nvme 12000000000 -a kt_scenario=early \
		--qemu-opts "$VTD_TRACE"
	vtd_clean iommu_early must-fail
	# A damaged IOMMU record: not adopted, reset.
	vm_pass iommu_corrupt --test iommu_keepalive_test --no-kunit \
		--stages 2 --slow-nvme 4000000000 -a kt_scenario=corrupt
	# STOP with the VMM still open, then ABORT: back on the VMM's own
	# domain id, I/O throughout.
	# Endings off the supported path (issue 21): the canary is host
	# memory at the VMM's IOVAs, reserved in both kernels; iommu=pt, as
	# on many hypervisor hosts, so that a controller left running would
	# reach it untranslated once the next kernel attaches its identity
	# domain.
	for sc in rejected skew; do
		vm_pass "iommu_$sc" --test iommu_keepalive_test --no-kunit \
			--stages 2 --mem 2G --slow-nvme 12000000000 \
			-a "kt_scenario=$sc iommu=pt memmap=2M\$0x40000000"
	done
	vm_pass iommu_abort --test iommu_keepalive_test --no-kunit \
		--stages 1 -a kt_scenario=abort
	# Every fault point from the close's capture to STOP, in turn: each
	# undone, nothing leaked.
	vm_pass iommu_stopsweep --test iommu_keepalive_test --no-kunit \
		--stages 1 -a kt_scenario=stopsweep
fi

if want irq; then
	# An interrupt raised during the blackout (a read on a drive that
	# takes 4 s) waits in the device and reaches the VMM's eventfd when
	# it arms its vectors in the next kernel; the same remapping entry.
	vm_pass irq_held --test irq_keepalive_test --no-kunit \
		--stages 2 --slow-nvme 4000000000 -a kt_scenario=held \
		--qemu-opts "$IRQ_TRACE"
	irq_clean irq_held
	# Control: the same device not kept loses its interrupt.
	vm_fail irq_held_off "pending_interrupt_delivered" \
		--test irq_keepalive_test --stages 2 \
		--slow-nvme 4000000000 -a kt_scenario=held_off \
		--qemu-opts "$IRQ_TRACE"
	irq_clean irq_held_off must-fail
	# A read whose buffer is 0xFEE00000 in flight during the blackout
	# (issue 21, ending 4): its write is a burst of interrupt requests,
	# looked up in the handover table in the pool, never in the previous
	# kernel's table (which the next kernel reuses). 3 s: the read ends
	# between the kexec and the next kernel's own table.
	vm_pass irq_msiwin --test irq_keepalive_test --no-kunit \
		--stages 2 --slow-nvme 3000000000 -a kt_scenario=msiwin \
		--qemu-opts "$IRTE_TRACE"
	irte_clean irq_msiwin
	# A damaged interrupt record: not adopted, reset.
	vm_pass irq_corrupt --test irq_keepalive_test --no-kunit \
		--stages 2 --slow-nvme 4000000000 -a kt_scenario=corrupt
	# STOP holds an open device's interrupts; ABORT delivers them.
	vm_pass irq_abort --test irq_keepalive_test --no-kunit \
		--stages 1 -a kt_scenario=abort
fi

if want safety; then
	# /dev/mem can neither read nor map the pool.
	vm_pass safety_devmem --test safety_test --no-kunit --stages 1 \
		-a kt_scenario=devmem
	# A kdump kernel refuses the handover and adopts nothing.
	vm_pass safety_kdump --test safety_test --no-kunit --stages 2 \
		-a kt_scenario=kdump
	# A kept device opens only with its token; ABORT stops one nobody
	# holds open; a mark blocked on user memory holds no lock; memory
	# mapped for DMA is neither destroyed nor handed out again.
	vm_pass safety_owner --test safety_test --no-kunit --stages 1 \
		-a kt_scenario=owner
	# fail-nth on the reopen path: an open of a held device that fails
	# leaves it held; from PRE-STOP on it is not opened again.
	vm_pass safety_reopen --test safety_test --no-kunit --stages 1 \
		-a kt_scenario=reopen
	# No slot or bus reset under a kept device.
	vm_pass safety_reset --test safety_test --no-kunit --stages 1 \
		--root-ports -a kt_scenario=reset
	# After the kexec, a container attached without the token gets
	# nothing; a VMM that exits after its reclaim leaves nothing running.
	vm_pass safety_attach --test safety_test --no-kunit --stages 2 \
		-a kt_scenario=attach
	vm_pass safety_vmmdies --test safety_test --no-kunit --stages 2 \
		-a kt_scenario=vmmdies
	# An open without the token racing CONCLUDE never gets the device,
	# and CONCLUDE never waits on it.
	vm_pass safety_conclude --test safety_test --no-kunit --stages 2 \
		-a kt_scenario=conclude
	# Only a kernel whose boot note reads the handover may be loaded
	# once one is sealed, and STOP is refused while another is loaded.
	vm_pass safety_nextkernel --test safety_test --no-kunit --stages 1 \
		-a kt_scenario=nextkernel
	# Nor a kernel that lacks a participant whose node the handover
	# carries (its note without the vfio compatible), nor one whose
	# command line turns the IOMMU off: refused while sealed, and STOP
	# refused while one is loaded.
	vm_pass safety_nextnote --test safety_test --no-kunit --stages 1 \
		-a kt_scenario=nextnote
	vm_pass safety_nextcmdline --test safety_test --no-kunit --stages 1 \
		-a kt_scenario=nextcmdline
	# A kernel built without keepalive from this tree: loading it over a
	# sealed handover is refused; booted after ABORT, it leaves the pool
	# and a preserved file alone.
	# A kept device that vfio-pci lets go of (issue 21, ending 3); short
	# nvme timeouts, so that a host driver whose DMA is misrouted fails
	# quickly.
	for sc in unbind remove frozen; do
		vm_pass "leave_$sc" --test leave_test --no-kunit --stages 1 \
			-a "kt_scenario=$sc nvme_core.admin_timeout=5 nvme_core.io_timeout=5"
	done
	vm_pass leave_hotplug --test leave_test --no-kunit --stages 1 \
		--root-ports --qmp \
		-a "kt_scenario=hotplug nvme_core.admin_timeout=5 nvme_core.io_timeout=5"
	echo "== plainkernel: building a kernel without keepalive"
	if plain=$(bash "$REPO/scripts/plainkernel.sh" 2>"$REPO/build/plainkernel.log"); then
		vm_pass safety_plainkernel --test safety_test --no-kunit \
			--stages 2 -f "$plain" -a kt_scenario=plainkernel
	else
		echo "   the kernel without keepalive did not build: build/plainkernel.log"
		tally safety_plainkernel "0 passed, 1 failed"
	fi
fi

if want resume_sweep; then
	resume_sweep
fi

if want decoder; then
	# kadecode on images captured in the VM, valid and damaged.
	make -s -C "$REPO/tools/keepalive" "$REPO/tools/keepalive/out/kadecode.static" ||
		tally decoder "0 passed, 1 failed"
	vm_pass decoder --no-kunit --stages 2 \
		--file "$REPO/tools/keepalive/out/kadecode.static" \
		--run "*:$ST/vm/decode_image.sh"
fi

if want keepalivectl; then
	# keepalivectl (tools/keepalive) with Debian's own kexec (kexec-tools,
	# with its shared libraries) in the VM, around the NVMe controller of
	# nvme_keepalive_test. Each run's console is checked too: the kernel's
	# word on what the kexec carried, keepalivectl's progress.
	make -s -C "$REPO/tools/keepalive" "$REPO/tools/keepalive/out/keepalivectl.static" \
		"$REPO/tools/keepalive/out/kadecode.static" || tally keepalivectl_build "0 passed, 1 failed"
	ctl=(--no-kunit --stages 2 --bin "$(command -v kexec)"
	     --file "$REPO/tools/keepalive/out/keepalivectl.static"
	     --file "$REPO/tools/keepalive/out/kadecode.static" --file "$ST/vm/ctl_lib.sh")
	vmlog=${KA_BUILD:-$REPO/build}/vm
	# console_has PART WHAT REGEX [absent]: a line of the run's console.
	console_has() {
		local c=$vmlog/$1/console.log ok=0
		grep -Eq -- "$3" "$c" || ok=1
		[[ ${4:-} == absent ]] && ok=$((1 - ok))
		echo "   $1 console: ${4:-has} '$3': $([[ $ok -eq 0 ]] && echo ok || echo FAILED)"
		tally "$1_console_$2" "$((1 - ok)) passed, $ok failed"
	}
	# keepalivectl update: kexec -s from STOP, the controller continues.
	# Stage 2's control: every check of a cold kexec fails.
	vm_pass keepalivectl_update "${ctl[@]}" -a kt_scenario=ctl \
		--run "2:$ST/vm/ctl_resume.sh keep" --run "2:$ST/vm/ctl_resume.sh control cold" \
		--run "*:$ST/out/nvme_keepalive_test" --run "1:$ST/vm/ctl_update.sh"
	console_has keepalivectl_update progress '^keepalivectl: \[4/5\] stop done: state stop'
	console_has keepalivectl_update hook '^keepalivectl-test: pre-stop hook ran in state pre-stop'
	console_has keepalivectl_update exec '^keepalivectl: \[5/5\] point of no return: kexec -e'
	console_has keepalivectl_update carried 'keepalive: kexec from stop: carrying the handover image'
	console_has keepalivectl_update recorded 'keepalive: vfio: stop: 1 device\(s\) recorded'
	# keepalivectl update failing before the kexec (a failure injected at
	# STOP, Ctrl-C, a failing hook, a bad kernel): ABORT each time; the
	# harness then kexecs from RUNNING, and the controller comes up reset.
	vm_pass keepalivectl_abort "${ctl[@]}" -a kt_scenario=ctlabort \
		--run "*:$ST/out/nvme_keepalive_test" --run "1:$ST/vm/ctl_abort.sh"
	console_has keepalivectl_abort running 'keepalive: kexec from running: no handover[[:space:]]*$'
	console_has keepalivectl_abort nocarry 'carrying the handover image' absent
	# kexec -c (kexec_load) from STOP: no handover, the controller stopped.
	# Stage 2's control: every check of a handover fails.
	vm_pass kexec_load_stop "${ctl[@]}" -a kt_scenario=kexecload \
		--run "2:$ST/vm/ctl_resume.sh cold" --run "2:$ST/vm/ctl_resume.sh control keep" \
		--run "*:$ST/out/nvme_keepalive_test" --run "1:$ST/vm/ctl_kexec_load.sh"
	console_has kexec_load_stop wiped 'keepalive: kexec from stop: no handover: the next kernel was loaded with kexec_load\(\)'
	console_has kexec_load_stop nocarry 'carrying the handover image' absent
fi

if want selfcheck; then
	vm_pass selfcheck_pass --run "*:$SC/pass.sh" --stages 2 --no-kunit
	vm_fail selfcheck_exit "stage 2 fail_exit.sh: exited 3" \
		--run "2:$SC/fail_exit.sh" --run "*:$SC/pass.sh"
	vm_fail selfcheck_tap "not ok deliberately broken" --run "1:$SC/fail_tap.sh"
	vm_fail selfcheck_plan "1 of 3 planned results" --run "1:$SC/short_plan.sh"
	vm_fail selfcheck_nokexec "stage 2: never booted" \
		--run "1:$SC/no_kexec.sh" --stages 2
	vm_fail selfcheck_panic "console: kernel panic" --run "1:$SC/panic.sh"
	# A run that tested nothing: every result a SKIP, or no result at all.
	vm_fail selfcheck_skip "every result is SKIP" \
		--run "1:$SC/all_skip.sh" --run "1:$SC/skip_plan.sh"
	vm_fail selfcheck_empty "no result at all" --run "2:$SC/pass.sh" \
		--stages 1
	# The judge on a console with a real 6.1 WARN splat (no VM needed).
	echo "== selfcheck_warn (must fail: kernel WARNING)"
	out=$(python3 "$ST/vm/ktap.py" --stages 1 --qemu-rc 0 \
		--console "$SC/warn-console.log" --results "$SC/warn-results.log" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/   /'
	if [[ $rc -eq 1 ]] && grep -q "FAIL console: kernel WARNING" <<<"$out"; then
		tally selfcheck_warn "1 passed, 0 failed"
	else
		tally selfcheck_warn "0 passed, 1 failed"
	fi
fi

echo
printf '  %s\n' "${report[@]}"
echo "check: $P passed, $F failed, $S skipped"
[[ $F -eq 0 ]]
