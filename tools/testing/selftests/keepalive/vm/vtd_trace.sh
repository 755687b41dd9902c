#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vtd_trace.sh QEMU.OUT: the verdict on QEMU's VT-d trace of a run made
# with VTD_TRACE_OPTS below (vmtest.sh --qemu-opts), on one line:
#   clean: N root table write(s), no fault, translation on until the end
#   dirty: <why>
# A run is clean when it has not one DMA remapping fault, the root table
# was set at least three times (the first kernel, the handover root at the
# kexec, the next kernel) and translation was never turned off but at the
# last kernel's power-off (after the last root table write).
# Exit status 0 when clean, 1 when dirty, 2 without a trace.
#
# "vtd_trace.sh --opts" prints those options.
set -uo pipefail

VTD_TRACE_OPTS="-trace enable=vtd_dmar_fault -trace enable=vtd_dmar_enable -trace enable=vtd_reg_dmar_root"
[[ ${1:-} == --opts ]] && { echo "$VTD_TRACE_OPTS"; exit 0; }

[[ -r ${1:-} ]] || { echo "dirty: no trace ${1:-}"; exit 2; }
awk '
	/vtd_dmar_fault/ { faults++ }
	/vtd_reg_dmar_root/ { roots++; last_root = NR }
	/vtd_dmar_enable enable 0/ { off = NR }
	END {
		if (faults)
			print "dirty: " faults " DMA remapping fault(s)"
		else if (roots < 3)
			print "dirty: root table set " roots + 0 " time(s): no handover root"
		else if (off && off < last_root)
			print "dirty: translation turned off before the last kernel"
		else {
			print "clean: " roots " root table write(s), no fault, translation on until the end"
			exit 0
		}
		exit 1
	}' "$1"
