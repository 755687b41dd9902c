#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build the kernel, then run every test there is and end with
# one line "check: N passed, N failed, N skipped". Exit status 1 on any
# failure.
#
#   KT_CHECK_ONLY="checkpatch kexec"   run only the named parts (a VM
#                                       part of the table also by its own
#                                       name: KT_CHECK_ONLY=irq_msiwin)
#   KT_CHECK_JOBS=1                     the VM parts one at a time (default
#                                       2: two at a time, see run_parts)
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

# The report of a vmtest run that must pass: its output, its counts.
report_pass() { # part, output
	echo "== $1"
	echo "$2" | sed 's/^/   /'
	tally "$1" "$(tail -n 1 <<<"$2")"
}

# The report of a vmtest run that must fail, for the reason given: one
# test, passed when the harness reported exactly that failure.
report_fail() { # part, expected failure regex, exit status, output
	echo "== $1 (must fail: $2)"
	echo "$4" | sed 's/^/   /'
	if [[ $3 -eq 1 ]] && grep -Eq "FAIL .*$2" <<<"$4"; then
		tally "$1" "1 passed, 0 failed"
	else
		echo "   harness self-check $1: expected a failure matching '$2', got rc=$3"
		tally "$1" "0 passed, 1 failed"
	fi
}

# A vmtest run that must pass, now.
vm_pass() { # part, vmtest args...
	local part=$1 out
	shift
	out=$(bash "$VMTEST" --name "$part" "$@" 2>&1)
	report_pass "$part" "$out"
}

# The QEMU trace options a trace helper (vm/KIND_trace.sh: vtd, irq,
# irte) reads: the helper owns them.
trace_opts() { # kind
	bash "$ST/vm/$1_trace.sh" --opts
}

# The verdict of vm/KIND_trace.sh on a run's QEMU trace, as result
# PART_KIND. With "must-fail", passed when the trace is not clean (a
# control).
#   vtd   no DMA remapping fault, the handover root set at the kexec,
#         translation never turned off before the last kernel
#   amd   the same on AMD-Vi: no I/O page fault or translation error, the
#         handover device table set at the kexec, the unit never disabled
#         before the last kernel
#   irq   MSI-X enabled and masked from the hold to the re-arm, an
#         interrupt raised meanwhile, no INTx; on AMD-Vi the held
#         interrupt through its entry of before the kexec
#   irte  IRTA on a table in the pool from the kexec to the next kernel's
#         own, remapping on throughout, no lookup in the previous kernel's
#         table
trace_verdict() { # part, kind, [must-fail]
	local part=$1 verdict rc
	verdict=$(bash "$ST/vm/$2_trace.sh" "${KA_BUILD:-$REPO/build}/vm/$part/qemu.out")
	rc=$?
	echo "== ${part}_$2: $verdict"
	if [[ ${3:-} == must-fail ]]; then
		[[ $rc -eq 1 ]] && tally "${part}_$2" "1 passed, 0 failed" ||
			tally "${part}_$2" "0 passed, 1 failed"
	else
		[[ $rc -eq 0 ]] && tally "${part}_$2" "1 passed, 0 failed" ||
			tally "${part}_$2" "0 passed, 1 failed"
	fi
}

# The VM parts, as a table: sc GROUP PART VERDICT TRACE WHEN -- ARGS...
#   GROUP    the KT_CHECK_ONLY name that selects it
#   PART     its name in the report, its logs in build/vm/PART/ and its
#            output in build/check/PART.out
#   VERDICT  pass, or fail:REGEX: the run must fail, the harness reporting
#            a failure matching REGEX (a control of the harness or of a
#            test; run with --no-kunit)
#   TRACE    -, or a trace helper (vtd, irq, irte): the run is made with
#            its trace options and its trace judged by it; KIND! for a
#            control whose trace must not be clean
#   WHEN     any: may run next to another part; alone: its outcome hangs
#            on timing (a drive's latency against the kexec, short nvme
#            timeouts, a race), so nothing runs next to it
#   ARGS     vmtest.sh's arguments
SC_GROUP=() SC_PART=() SC_VERDICT=() SC_TRACE=() SC_WHEN=() SC_ARGS=() SC_PID=()
sc() {
	SC_GROUP+=("$1") SC_PART+=("$2") SC_VERDICT+=("$3") SC_TRACE+=("$4")
	SC_WHEN+=("$5")
	shift 5
	[[ ${1:-} == -- ]] && shift
	SC_ARGS+=("$(printf '%q ' "$@")")
}

# Start part I's vmtest run in the background.
start_part() { # index
	local i=$1 args
	eval "args=(${SC_ARGS[i]})"
	[[ ${SC_VERDICT[i]} == fail:* ]] && args=(--no-kunit "${args[@]}")
	[[ ${SC_TRACE[i]} == - ]] ||
		args+=(--qemu-opts "$(trace_opts "${SC_TRACE[i]%!}")")
	bash "$VMTEST" --name "${SC_PART[i]}" "${args[@]}" \
		>"$LOG/${SC_PART[i]}.out" 2>&1 &
	SC_PID[i]=$!
}

# Wait for part I, then report it and its trace.
finish_part() { # index
	local i=$1 part=${SC_PART[$1]} out rc
	wait "${SC_PID[i]}"
	rc=$?
	out=$(<"$LOG/$part.out")
	if [[ ${SC_VERDICT[i]} == pass ]]; then
		report_pass "$part" "$out"
	else
		report_fail "$part" "${SC_VERDICT[i]#fail:}" "$rc" "$out"
	fi
	case ${SC_TRACE[i]} in
	-) ;;
	*!) trace_verdict "$part" "${SC_TRACE[i]%!}" must-fail ;;
	*) trace_verdict "$part" "${SC_TRACE[i]}" ;;
	esac
}

# Run the table's parts of the GROUPs given that KT_CHECK_ONLY wants, in
# table order, up to KT_CHECK_JOBS (2) at a time: each QEMU has its own
# log directory and output file. A part marked alone waits for the others
# to end and runs by itself. Reports come in table order.
run_parts() { # group...
	local jobs=${KT_CHECK_JOBS:-2} groups=" $* " i running=()
	for ((i = 0; i < ${#SC_PART[@]}; i++)); do
		[[ $groups == *" ${SC_GROUP[i]} "* ]] || continue
		# A group, or one part of it by name.
		if ! want "${SC_GROUP[i]}" && ! want "${SC_PART[i]}"; then
			continue
		fi
		while ((${#running[@]} >= jobs)) ||
		      { [[ ${SC_WHEN[i]} == alone ]] && ((${#running[@]})); }; do
			finish_part "${running[0]}"
			running=("${running[@]:1}")
		done
		start_part "$i"
		running+=("$i")
		if [[ ${SC_WHEN[i]} == alone ]]; then
			finish_part "$i"
			running=()
		fi
	done
	for i in "${running[@]}"; do
		finish_part "$i"
	done
}

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

# Every KUnit suite, in the first kernel of one boot.
sc kunit kunit pass - any -- --stages 1

# The kselftest in both kernels.
sc kexec kexec_boot pass - any -- --test kexec_boot_test --no-kunit --stages 2
# A pool where a cold boot once direct-mapped it against E820.
sc kexec pool_placement pass - any -- --test kexec_boot_test --no-kunit \
	--stages 2 --pool 128M@0x35000000

sc kho kho_uapi pass - any -- --test kho_uapi_test --no-kunit
# The same with a pool where a 1 GiB file starts on a 1 GiB boundary.
sc kho kho_gib pass - any -- --test kho_uapi_test --no-kunit \
	--pool 2304M --mem 6G -a nokaslr
# 64 MiB file across five kexecs in a row, same pages, same content.
sc kho kho_preserve pass - any -- --test kho_kexec_test --no-kunit --stages 6
# Negative control: a kexec from RUNNING carries nothing.
sc kho kho_running pass - any -- --test kho_kexec_test --no-kunit --stages 2 \
	-a kt_scenario=running
# A file nobody retrieves is freed at CONCLUDE.
sc kho kho_unclaimed pass - any -- --test kho_kexec_test --no-kunit \
	--stages 2 -a kt_scenario=unclaimed
# Every kind of damage to the image: a cold boot with the reason.
sc kho kho_corrupt pass - any -- --test kho_kexec_test --no-kunit --stages 8 \
	-a kt_scenario=corrupt

# Marking a vfio-pci device, and its record across one kexec.
sc vfio vfio_mark pass - any -- --test vfio_keepalive_test --no-kunit \
	--stages 2
# The userspace NVMe driver over VFIO: I/O, MSI-X, save/restore with zero
# admin commands, and vfio-pci's reset on open and close.
sc vfio nvme_vfio pass - any -- --test nvme_vfio_test --no-kunit \
	--run "1:$ST/vm/bind_vfio.sh"
# An NVMe controller kept running across kexec, and its controls: not
# kept, kexec from RUNNING, never reclaimed, one kept of two. The VT-d
# trace of keep must be clean; that of running (a kexec that hands nothing
# over turns translation off) must not.
sc vfio nvme_keepalive_keep pass vtd any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 -a kt_scenario=keep
sc vfio nvme_keepalive_nokeep pass - any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 -a kt_scenario=nokeep \
	--qemu-opts "$(trace_opts vtd)"
sc vfio nvme_keepalive_running pass vtd! any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 -a kt_scenario=running
sc vfio nvme_keepalive_unclaimed pass - any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 -a kt_scenario=unclaimed \
	--qemu-opts "$(trace_opts vtd)"
sc vfio nvme_keepalive_two pass - any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 --nvme 2 -a kt_scenario=two
# Not the device that was recorded: reset, with the reason.
sc vfio nvme_keepalive_mismatch pass - any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 -a kt_scenario=mismatch
# The next kernel's adoption fails (fault injection): reset instead.
sc vfio nvme_keepalive_adoptfail pass - any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 -a kt_scenario=adoptfail
# Behind a PCIe root port, whose driver disables it at shutdown.
sc vfio nvme_keepalive_bridge pass - any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 --root-ports
# Kept across three kexecs in a row, pool usage constant.
sc vfio nvme_keepalive_cycles pass - any -- --test nvme_keepalive_test \
	--no-kunit --stages 4 -a kt_scenario=cycles
# The VMM resumes before it maps its DMA memory; POST-RESUME waits for it.
sc vfio nvme_keepalive_early pass vtd any -- --test nvme_keepalive_test \
	--no-kunit --stages 2 -a kt_scenario=early
# Control of the soak's flatness check: a VMM that keeps one more file
# every cycle (the soak itself, 20 kexecs, is in make demo).
sc vfio nvme_keepalive_soakgrow fail:soak_flat - any -- \
	--test nvme_keepalive_test --no-kunit --stages 4 -a kt_scenario=soakgrow

# DMA in flight at the kexec (a read on a drive that takes 4 s) completes
# during the blackout into the preserved buffer, through the handover
# tables; POST-RESUME waits for the VMM's mappings.
sc iommu iommu_inflight pass vtd alone -- --test iommu_keepalive_test \
	--no-kunit --stages 2 --slow-nvme 4000000000 -a kt_scenario=inflight
# Control: the same device not kept loses the read.
sc iommu iommu_inflight_off fail:inflight_read_completed - alone -- \
	--test iommu_keepalive_test --stages 2 --slow-nvme 4000000000 \
	-a kt_scenario=inflight_off
# Control: the hold released as soon as the VMM attaches, before it maps
# (debugfs iommu_release), and the read ending after that: it faults and
# is lost.
sc iommu iommu_early fail:inflight_read_completed vtd! alone -- \
	--test iommu_keepalive_test --stages 2 --slow-nvme 12000000000 \
	-a kt_scenario=early
# A damaged IOMMU record: not adopted, reset.
sc iommu iommu_corrupt pass - alone -- --test iommu_keepalive_test \
	--no-kunit --stages 2 --slow-nvme 4000000000 -a kt_scenario=corrupt
# Endings off the supported path (issue 21): the canary is host memory at
# the VMM's IOVAs, reserved in both kernels; iommu=pt, as on many
# hypervisor hosts, so that a controller left running would reach it
# untranslated once the next kernel attaches its identity domain.
for s in rejected skew; do
	sc iommu "iommu_$s" pass - alone -- --test iommu_keepalive_test \
		--no-kunit --stages 2 --mem 2G --slow-nvme 12000000000 \
		-a "kt_scenario=$s iommu=pt memmap=2M\$0x40000000"
done
# STOP with the VMM still open, then ABORT: back on the VMM's own domain
# id, I/O throughout.
sc iommu iommu_abort pass - any -- --test iommu_keepalive_test --no-kunit \
	--stages 1 -a kt_scenario=abort
# Every fault point from the close's capture to STOP, in turn: each
# undone, nothing leaked.
sc iommu iommu_stopsweep pass - any -- --test iommu_keepalive_test \
	--no-kunit --stages 1 -a kt_scenario=stopsweep

# An interrupt raised during the blackout (a read on a drive that takes
# 4 s) waits in the device and reaches the VMM's eventfd when it arms its
# vectors in the next kernel; the same remapping entry.
sc irq irq_held pass irq alone -- --test irq_keepalive_test --no-kunit \
	--stages 2 --slow-nvme 4000000000 -a kt_scenario=held
# Control: the same device not kept loses its interrupt.
sc irq irq_held_off fail:pending_interrupt_delivered irq! alone -- \
	--test irq_keepalive_test --stages 2 --slow-nvme 4000000000 \
	-a kt_scenario=held_off
# A read whose buffer is 0xFEE00000 in flight during the blackout (issue
# 21, ending 4): its write is a burst of interrupt requests, looked up in
# the handover table in the pool, never in the previous kernel's table
# (which the next kernel reuses). 3 s: the read ends between the kexec and
# the next kernel's own table.
sc irq irq_msiwin pass irte alone -- --test irq_keepalive_test --no-kunit \
	--stages 2 --slow-nvme 3000000000 -a kt_scenario=msiwin
# A damaged interrupt record: not adopted, reset.
sc irq irq_corrupt pass - alone -- --test irq_keepalive_test --no-kunit \
	--stages 2 --slow-nvme 4000000000 -a kt_scenario=corrupt
# STOP holds an open device's interrupts; ABORT delivers them.
sc irq irq_abort pass - any -- --test irq_keepalive_test --no-kunit \
	--stages 1 -a kt_scenario=abort

# The same parts again on AMD-Vi (vmtest.sh --iommu amd) as PART_amd, in
# PART's group: sc_amd PART [TRACE [SUFFIX VMTEST-ARGS...]], TRACE the
# trace helper that judges the AMD-Vi run (default, or empty: PART's;
# KIND! for a control, as in sc); with SUFFIX, the part is PART_amd_SUFFIX
# and runs with the further vmtest.sh arguments.
sc_amd() { # part [trace [suffix args...]]
	local i n=${#SC_PART[@]} extra=""
	# printf with no argument still prints its format once: '' then.
	(($# > 3)) && extra=$(printf '%q ' "${@:4}")
	for ((i = 0; i < n; i++)); do
		[[ ${SC_PART[i]} == "$1" ]] || continue
		SC_GROUP+=("${SC_GROUP[i]}") SC_PART+=("$1_amd${3:+_$3}")
		SC_VERDICT+=("${SC_VERDICT[i]}") SC_TRACE+=("${2:-${SC_TRACE[i]}}")
		SC_WHEN+=("${SC_WHEN[i]}")
		SC_ARGS+=("${SC_ARGS[i]}--iommu amd $extra")
		return 0
	done
	echo "check: sc_amd: no part $1" >&2
	exit 1
}
# Interrupts held through AMD-Vi interrupt remapping: the irq trace also
# checks that the held interrupt goes through the entry its vector named
# before the kexec, and every request after the re-arm is remapped (with
# iommu_preserve/'s AMD-Vi backend for the DMA side).
sc_amd irq_held
# The same with the driver's 32-bit entries instead of the 128-bit (GA)
# ones QEMU's unit gets by default.
sc_amd irq_held "" legacy -a amd_iommu_intr=legacy
sc_amd irq_held_off
sc_amd irq_corrupt
sc_amd irq_abort
# The DMA scenarios through AMD-Vi: a read in flight (the amd trace: no
# translation error or failed walk, the handover device table set at the
# kexec, the unit never disabled), its controls (not kept: lost; released
# early: lost, faults; a damaged record: not adopted, reset), the endings
# off the supported path (a refused image, a skewed version: the unit
# stays on, the kept device blocked until enumeration stops it), ABORT
# and the STOP sweep.
sc_amd iommu_inflight amd
sc_amd iommu_inflight_off
sc_amd iommu_early amd!
sc_amd iommu_corrupt
sc_amd iommu_rejected
sc_amd iommu_skew
sc_amd iommu_abort
sc_amd iommu_stopsweep

# A KVM guest keeps running across the kexec with its passthrough NVMe
# controller doing I/O (issue 23): the VMM is the kernel's KVM selftest
# library (nested SVM under TCG), guest RAM a preserved file, the guest's
# own NVMe driver taking completions by interrupt through KVM_IRQFD; the
# vCPU saved at PRE-STOP with a command in flight, rebuilt and resumed by
# a new VMM in the next kernel. hello: the library's VM runs guest code.
sc kvm kvm_hello pass - any -- --test kvm_keepalive_test --no-kunit \
	--stages 1 -a kt_scenario=hello
sc kvm kvm_keep pass vtd any -- --test kvm_keepalive_test --no-kunit \
	--stages 2 -a kt_scenario=keep
# The same guest handed over again: across two kexecs in a row.
sc kvm kvm_cycles pass - any -- --test kvm_keepalive_test --no-kunit \
	--stages 3 -a kt_scenario=keep
# The command in flight at the pause takes 4 s: it completes during the
# kexec, its interrupt held in the device's PBA, and reaches the guest
# through KVM_IRQFD when the new VMM arms the vector.
sc kvm kvm_held pass irq alone -- --test kvm_keepalive_test --no-kunit \
	--stages 2 --slow-nvme 4000000000 -a kt_scenario=held
# Controls: not kept (the guest's next command times out on its reset
# controller); a kexec from RUNNING (no handover: guest RAM is gone);
# guest RAM in anonymous memory (the VMM refuses PRE-STOP naming it).
sc kvm kvm_nokeep fail:kq.nokeep.guest_resumes - any -- \
	--test kvm_keepalive_test --stages 2 -a kt_scenario=nokeep
sc kvm kvm_running fail:kq.running.guest_resumes - any -- \
	--test kvm_keepalive_test --stages 2 -a kt_scenario=running
sc kvm kvm_anon fail:kq.anon.update - any -- \
	--test kvm_keepalive_test --stages 1 -a kt_scenario=anon
# The guest behind AMD-Vi: the kept guest (the amd trace: no translation
# error, the handover device table set at the kexec, the unit never
# disabled), the interrupt held through the kexec into the guest through
# the same remapping entry, and the control: not kept, it does not resume.
sc_amd kvm_keep amd
sc_amd kvm_held
sc_amd kvm_nokeep

# /dev/mem can neither read nor map the pool.
sc safety safety_devmem pass - any -- --test safety_test --no-kunit \
	--stages 1 -a kt_scenario=devmem
# A kdump kernel refuses the handover and adopts nothing.
sc safety safety_kdump pass - any -- --test safety_test --no-kunit \
	--stages 2 -a kt_scenario=kdump
# A kept device opens only with its token; ABORT stops one nobody holds
# open; a mark blocked on user memory holds no lock; memory mapped for DMA
# is neither destroyed nor handed out again.
sc safety safety_owner pass - any -- --test safety_test --no-kunit \
	--stages 1 -a kt_scenario=owner
# fail-nth on the reopen path: an open of a held device that fails leaves
# it held; from PRE-STOP on it is not opened again.
sc safety safety_reopen pass - any -- --test safety_test --no-kunit \
	--stages 1 -a kt_scenario=reopen
# No slot or bus reset under a kept device.
sc safety safety_reset pass - any -- --test safety_test --no-kunit \
	--stages 1 --root-ports -a kt_scenario=reset
# After the kexec, a container attached without the token gets nothing; a
# VMM that exits after its reclaim leaves nothing running.
sc safety safety_attach pass - any -- --test safety_test --no-kunit \
	--stages 2 -a kt_scenario=attach
sc safety safety_vmmdies pass - any -- --test safety_test --no-kunit \
	--stages 2 -a kt_scenario=vmmdies
# An open without the token racing CONCLUDE never gets the device, and
# CONCLUDE never waits on it.
sc safety safety_conclude pass - alone -- --test safety_test --no-kunit \
	--stages 2 -a kt_scenario=conclude
# Only a kernel whose boot note reads the handover may be loaded once one
# is sealed, and STOP is refused while another is loaded.
sc safety safety_nextkernel pass - any -- --test safety_test --no-kunit \
	--stages 1 -a kt_scenario=nextkernel
# Nor a kernel that lacks a participant whose node the handover carries
# (its note without the vfio compatible), nor one whose command line turns
# the IOMMU off: refused while sealed, and STOP refused while one is
# loaded.
sc safety safety_nextnote pass - any -- --test safety_test --no-kunit \
	--stages 1 -a kt_scenario=nextnote
sc safety safety_nextcmdline pass - any -- --test safety_test --no-kunit \
	--stages 1 -a kt_scenario=nextcmdline
# A kept device that vfio-pci lets go of (issue 21, ending 3); short nvme
# timeouts, so that a host driver whose DMA is misrouted fails quickly.
for s in unbind remove frozen; do
	sc safety "leave_$s" pass - alone -- --test leave_test --no-kunit \
		--stages 1 \
		-a "kt_scenario=$s nvme_core.admin_timeout=5 nvme_core.io_timeout=5"
done
sc safety leave_hotplug pass - alone -- --test leave_test --no-kunit \
	--stages 1 --root-ports --qmp \
	-a "kt_scenario=hotplug nvme_core.admin_timeout=5 nvme_core.io_timeout=5"

# The harness's self-checks: runs that must pass, and must fail as said.
sc selfcheck selfcheck_pass pass - any -- --run "*:$SC/pass.sh" --stages 2 \
	--no-kunit
sc selfcheck selfcheck_exit "fail:stage 2 fail_exit.sh: exited 3" - any -- \
	--run "2:$SC/fail_exit.sh" --run "*:$SC/pass.sh"
sc selfcheck selfcheck_tap "fail:not ok deliberately broken" - any -- \
	--run "1:$SC/fail_tap.sh"
sc selfcheck selfcheck_plan "fail:1 of 3 planned results" - any -- \
	--run "1:$SC/short_plan.sh"
sc selfcheck selfcheck_nokexec "fail:stage 2: never booted" - any -- \
	--run "1:$SC/no_kexec.sh" --stages 2
sc selfcheck selfcheck_panic "fail:console: kernel panic" - any -- \
	--run "1:$SC/panic.sh"
# A run that tested nothing: every result a SKIP, or no result at all.
sc selfcheck selfcheck_skip "fail:every result is SKIP" - any -- \
	--run "1:$SC/all_skip.sh" --run "1:$SC/skip_plan.sh"
sc selfcheck selfcheck_empty "fail:no result at all" - any -- \
	--run "2:$SC/pass.sh" --stages 1

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
	# The image checks and every participant's record reader under
	# libFuzzer (tools/keepalive/fuzz_image, the kernel's libfdt built
	# in): every input of tools/keepalive/testdata/ once, then a 60 s run
	# from the image_test seeds and the records seed, both with
	# -timeout=2: an input checked for 2 s is a finding, as a crash is
	# (issue 21 item 7: a payload the next kernel checks for ever hangs
	# its boot). About 65 s.
	echo "== fuzz"
	out=$(make -s -C "$REPO/tools/keepalive" fuzz-check FUZZ_TIMEOUT=2 \
		FUZZ_CHECK_SECONDS=60 2>&1)
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

run_parts kunit kexec kho vfio iommu irq kvm safety

if want safety; then
	# A kernel built without keepalive from this tree: loading it over a
	# sealed handover is refused; booted after ABORT, it leaves the pool
	# and a preserved file alone.
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

run_parts selfcheck

if want selfcheck; then
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
# The parts that failed, again, last: a log cut to its head and tail
# still names them.
failed=$(printf '%s\n' "${report[@]}" | awk '$4 != 0 { printf " %s", $1 }')
[[ -n $failed ]] && echo "check: failed parts:$failed"
echo "check: $P passed, $F failed, $S skipped"
[[ $F -eq 0 ]]
