#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# irte_trace.sh QEMU.OUT: the verdict on QEMU's interrupt remapping trace of
# a kexec run with a kept NVMe controller (irq_keepalive_test, scenario
# msiwin: its read in flight writes to 0xFEE00000), made with
# IRTE_TRACE_OPTS below (vmtest.sh --qemu-opts), on one line:
#   clean: <what was seen>
#   dirty: <why>
# QEMU has no entry cache: it reads an interrupt request's entry at
# delivery from the table IRTA names (vtd_ir_irte_get), so the table in
# force from the kexec (the second vtd_reg_dmar_root) to the next
# kernel's own (its first vtd_reg_ir_root) is the one every request of the
# blackout is looked up in. A run is clean when that table lies in the
# keepalive pool (console.log next to QEMU.OUT: "pool at"), it is not the
# previous kernel's own, interrupt remapping is never turned off in
# between (vtd_ir_enable enable 0), and every lookup made in between
# read it. The lookups of the 0xFEE00000 write (entries 0 to 127 and
# 32768 up, several of them) are counted wherever they fell.
# Exit status 0 when clean, 1 when dirty, 2 without a trace.
#
# "irte_trace.sh --opts" prints those options.
set -uo pipefail

IRTE_TRACE_OPTS="-trace enable=vtd_reg_ir_root -trace enable=vtd_ir_irte_get -trace enable=vtd_reg_dmar_root -trace enable=vtd_ir_enable"
[[ ${1:-} == --opts ]] && { echo "$IRTE_TRACE_OPTS"; exit 0; }

[[ -r ${1:-} ]] || { echo "dirty: no trace ${1:-}"; exit 2; }
console=$(dirname "$1")/console.log
pool=$(grep -m1 -o 'pool at 0x[0-9a-f]*, [0-9]* MiB' "$console" 2>/dev/null)
[[ -n $pool ]] || { echo "dirty: no pool in $console"; exit 2; }
base=${pool#pool at }; base=${base%%,*}
mib=${pool##*, }; mib=${mib% MiB}
awk -v base=$((base)) -v size=$((mib << 20)) '
	function field(name,   i) {
		for (i = 1; i < NF; i++)
			if ($i == name)
				return $(i + 1)
		return ""
	}
	function num(hex,   i, v) {
		hex = tolower(hex)
		sub(/^0x/, "", hex)
		for (i = 1; i <= length(hex); i++)
			v = v * 16 + index("0123456789abcdef", substr(hex, i, 1)) - 1
		return v
	}
	/vtd_reg_dmar_root/ { if (++roots == 2) kexec = NR }
	/vtd_reg_ir_root/ {
		a = field("addr")
		if (own == "")
			own = a
		if (kexec && next_own == "") {
			next_own = a
			next
		}
		irta = a
	}
	/vtd_ir_enable enable 0/ && kexec && next_own == "" { off++ }
	/vtd_ir_irte_get/ {
		i = field("index") + 0
		rogue = i >= 32768 || (i >= 4 && i < 128 && i != 11)
		if (kexec && next_own == "") {
			n++
			rn += rogue
			if (irta == own)
				old++
		} else if (rogue && kexec) {
			after++
		}
	}
	END {
		if (!kexec) {
			print "dirty: no kexec in the trace"; exit 2
		}
		t = num(irta)
		if (irta == own || t < base || t >= base + size) {
			printf "dirty: IRTA %s from the kexec to the next kernel'"'"'s table %s: the previous kernel'"'"'s own %s, not in the pool; %d lookups read it in the blackout\n", irta, next_own, own, old + 0
			exit 1
		}
		if (off) {
			printf "dirty: interrupt remapping turned off in the blackout\n"; exit 1
		}
		if (old) {
			printf "dirty: %d lookups in the blackout read the previous kernel'"'"'s table %s\n", old, own
			exit 1
		}
		printf "clean: IRTA %s (in the pool) from the kexec to the next kernel'"'"'s table %s, remapping on throughout (previous kernel'"'"'s table %s); %d lookups in the blackout, %d of them of the 0xFEE00000 write, %d after\n", irta, next_own, own, n + 0, rn + 0, after + 0
	}
' "$1"
