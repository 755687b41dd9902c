#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# irq_trace.sh QEMU.OUT: the verdict on QEMU's MSI-X and NVMe interrupt
# trace of a kexec run with one NVMe controller, made with IRQ_TRACE_OPTS
# below (vmtest.sh --qemu-opts), on one line:
#   clean: <what was seen>
#   dirty: <why>
# The kexec is the second root table write (vtd_reg_dmar_root: the first
# kernel's, then the handover root at the kexec). A run is clean when the
# controller's MSI-X was enabled and function-masked at the kexec (the
# hold), never disabled from that write until it was enabled and unmasked
# again after the kexec (the re-arm), it raised at least one MSI-X
# interrupt in between (which the hold latched in its PBA), and it never
# raised INTx from the hold on.
# Exit status 0 when clean, 1 when dirty, 2 without a trace.
#
# "irq_trace.sh --opts" prints those options.
set -uo pipefail

IRQ_TRACE_OPTS="-trace enable=msix_write_config -trace enable=pci_nvme_irq_pin -trace enable=pci_nvme_irq_msix -trace enable=vtd_reg_dmar_root"
[[ ${1:-} == --opts ]] && { echo "$IRQ_TRACE_OPTS"; exit 0; }

[[ -r ${1:-} ]] || { echo "dirty: no trace ${1:-}"; exit 2; }
awk '
	function field(name,   i) {
		for (i = 1; i < NF; i++)
			if ($i == name)
				return $(i + 1)
		return -1
	}
	/vtd_reg_dmar_root/ { if (++roots == 2) kexec = NR }
	/msix_write_config/ && / dev nvme / {
		n++; at[n] = NR; en[n] = field("enabled"); mk[n] = field("masked")
	}
	/pci_nvme_irq_pin/ { pin[++pins] = NR }
	/pci_nvme_irq_msix/ { msi[++msis] = NR }
	END {
		if (!kexec) {
			print "dirty: no kexec in the trace"; exit 1
		}
		for (i = 1; i <= n && at[i] < kexec; i++)
			hold = i
		if (!hold || en[hold] != 1 || mk[hold] != 1) {
			print "dirty: MSI-X was not enabled and masked at the kexec"
			exit 1
		}
		for (i = hold + 1; i <= n; i++) {
			if (en[i] == 0) {
				print "dirty: MSI-X disabled before it was armed again"
				exit 1
			}
			if (en[i] == 1 && mk[i] == 0) {
				rearm = i; break
			}
		}
		if (!rearm) {
			print "dirty: MSI-X never armed again after the kexec"; exit 1
		}
		for (i = 1; i <= pins; i++)
			if (pin[i] > at[hold]) {
				print "dirty: INTx raised during or after the hold"; exit 1
			}
		for (i = 1; i <= msis; i++)
			if (msi[i] > at[hold] && msi[i] < at[rearm])
				latched++
		if (!latched) {
			print "dirty: no MSI-X interrupt raised during the hold"; exit 1
		}
		print "clean: MSI-X held from line " at[hold] " to its re-arm at line " at[rearm] ", " latched " interrupt(s) raised meanwhile, no INTx"
		exit 0
	}' "$1"
