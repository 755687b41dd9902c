#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# amd_trace.sh QEMU.OUT: the verdict on QEMU's AMD-Vi trace of a run made
# with AMD_TRACE_OPTS below (vmtest.sh --iommu amd --qemu-opts), on one
# line:
#   clean: N device table base access(es), no fault, translation on until the end
#   dirty: <why>
# A run is clean when it has not one I/O page fault or other translation
# error that QEMU 7.2 logs as an event (amdvi_page_fault, _invalid_dte,
# _dte_get_fail, _get_pte_hwerror, _mode_invalid), nor one failed page
# walk (QEMU 7.2 logs no event for a not-present entry: the walk ends
# with the access refused, amdvi_translation_result "hpa 0x0"), the
# Device Table Base
# register was accessed at least three times (the first kernel's write,
# the handover device table's at the kexec, the next kernel's read of it
# and its own write; a kexec that disables the unit has two: QEMU 7.2
# traces every MMIO access, read or write, as amdvi_mmio_read; an 8-byte
# write may come as two 4-byte ones, counted once) and the unit was never
# disabled (a control write with
# IOMMUEn, bit 0, clear) once first enabled, but at the last kernel's
# power-off (after the last device table base access).
# Exit status 0 when clean, 1 when dirty, 2 without a trace.
#
# "amd_trace.sh --opts" prints those options.
set -uo pipefail

AMD_TRACE_OPTS="-trace enable=amdvi_page_fault -trace enable=amdvi_invalid_dte -trace enable=amdvi_dte_get_fail -trace enable=amdvi_get_pte_hwerror -trace enable=amdvi_mode_invalid -trace enable=amdvi_control_status -trace enable=amdvi_mmio_read -trace enable=amdvi_translation_result"
[[ ${1:-} == --opts ]] && { echo "$AMD_TRACE_OPTS"; exit 0; }

[[ -r ${1:-} ]] || { echo "dirty: no trace ${1:-}"; exit 2; }
awk '
	/amdvi_(page_fault|invalid_dte|dte_get_fail|get_pte_hwerror|mode_invalid)/ {
		faults++
		if (!first_fault)
			first_fault = $0
	}
	/amdvi_translation_result/ && / hpa 0x0$/ && !/ gpa 0x0 / {
		faults++
		if (!first_fault)
			first_fault = $0
	}
	/amdvi_mmio_read AMDVI_MMIO_DEVTAB_BASE read addr 0x0,/ {
		roots++
		last_root = NR
	}
	/amdvi_control_status/ {
		v = $NF
		sub(/^0x/, "", v)
		bit0 = index("13579bdfBDF", substr(v, length(v), 1)) > 0
		if (bit0)
			on = 1
		else if (on)
			off = NR
	}
	END {
		if (faults)
			print "dirty: " faults " translation fault(s) or failed walk(s), first: " first_fault
		else if (roots < 3)
			print "dirty: device table base accessed " roots + 0 " time(s): no handover device table"
		else if (off && off < last_root)
			print "dirty: the unit was disabled before the last kernel"
		else {
			print "clean: " roots " device table base access(es), no fault, translation on until the end"
			exit 0
		}
		exit 1
	}' "$1"
