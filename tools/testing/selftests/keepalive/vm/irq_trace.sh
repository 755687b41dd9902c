#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# irq_trace.sh QEMU.OUT: the verdict on QEMU's MSI-X and NVMe interrupt
# trace of a kexec run with one NVMe controller, made with IRQ_TRACE_OPTS
# below (vmtest.sh --qemu-opts), on one line:
#   clean: <what was seen>
#   dirty: <why>
# The kexec is the second root table write (VT-d, vtd_reg_dmar_root: the
# first kernel's, then the handover root at the kexec), or the second
# device table base write (AMD-Vi: the first kernel's, then the handover
# table's at the kexec or the next kernel's own at its boot; QEMU 7.2
# traces MMIO writes as amdvi_mmio_read, a 64-bit register as two 4-byte
# halves, the low one at "addr 0x0"). A run is clean when the
# controller's MSI-X was enabled and function-masked at the kexec (the
# hold), never disabled from that write until it was enabled and unmasked
# again after the kexec (the re-arm), it raised at least one MSI-X
# interrupt in between (which the hold latched in its PBA), and it never
# raised INTx from the hold on. On AMD-Vi (the trace has amdvi_ lines),
# also through the same remapping entry: the controller's first interrupt
# request after the re-arm (amdvi_ir_remap_msi_req from its devid, the one
# that followed its MSI-X interrupts before the hold), the held one, names
# the entry (its data) that the held vector's message named before the
# kexec (kt_irte= on the next kernel's command line in console.log next to
# QEMU.OUT, which irq_keepalive_test puts there), and every request of it
# after the re-arm is remapped (amdvi_ir_remap_msi), none aborted.
# Exit status 0 when clean, 1 when dirty, 2 without a trace.
#
# "irq_trace.sh --opts" prints those options.
set -uo pipefail

IRQ_TRACE_OPTS="-trace enable=msix_write_config -trace enable=pci_nvme_irq_pin -trace enable=pci_nvme_irq_msix -trace enable=vtd_reg_dmar_root -trace enable=amdvi_mmio_read -trace enable=amdvi_ir_remap_msi_req -trace enable=amdvi_ir_remap_msi -trace enable=amdvi_ir_target_abort"
[[ ${1:-} == --opts ]] && { echo "$IRQ_TRACE_OPTS"; exit 0; }

[[ -r ${1:-} ]] || { echo "dirty: no trace ${1:-}"; exit 2; }
irte=$(grep -o 'kt_irte=[0-9]*' "$(dirname "$1")/console.log" 2>/dev/null |
	head -n 1 | cut -d= -f2)
awk -v irte="$irte" '
	function field(name,   i) {
		for (i = 1; i < NF; i++)
			if ($i == name)
				return $(i + 1)
		return -1
	}
	/vtd_reg_dmar_root/ || /amdvi_mmio_read AMDVI_MMIO_DEVTAB_BASE .* addr 0x0,/ {
		if (++roots == 2) kexec = NR
	}
	# AMD-Vi: who asked, for which entry, and how it ended
	/amdvi_ir_remap_msi_req/ {
		amd = 1; rq++; rq_at[rq] = NR
		rq_dev[rq] = field("devid"); rq_data[rq] = field("data")
		if (msi_seen) { nvme_dev = rq_dev[rq]; msi_seen = 0 }
	}
	/amdvi_ir_remap_msi / { ok[rq] = 1 }
	/amdvi_ir_target_abort/ { bad[rq] = 1 }
	/msix_write_config/ && / dev nvme / {
		n++; at[n] = NR; en[n] = field("enabled"); mk[n] = field("masked")
	}
	/pci_nvme_irq_pin/ { pin[++pins] = NR }
	/pci_nvme_irq_msix/ { msi[++msis] = NR; if (!nvme_dev) msi_seen = 1 }
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
		same = ""
		if (amd) {
			if (!nvme_dev) {
				print "dirty: no AMD-Vi interrupt request from the controller before the hold"
				exit 1
			}
			if (irte == "") {
				print "dirty: no kt_irte= in the console log: the held entry is unknown"
				exit 1
			}
			for (i = 1; i <= rq; i++) {
				if (rq_dev[i] != nvme_dev || rq_at[i] < at[rearm])
					continue
				if (!after && rq_data[i] != sprintf("0x%x", irte)) {
					print "dirty: the held interrupt of devid " nvme_dev " went through entry " rq_data[i] ", not " sprintf("0x%x", irte) " as before the kexec"
					exit 1
				}
				if (bad[i] || !ok[i]) {
					print "dirty: a request of devid " nvme_dev " for entry " rq_data[i] " after the re-arm was not remapped"
					exit 1
				}
				after++
			}
			if (!after) {
				print "dirty: no AMD-Vi interrupt request from the controller after the re-arm"
				exit 1
			}
			same = ", " after " AMD-Vi request(s) of devid " nvme_dev " after it, each remapped, the held one through entry " sprintf("0x%x", irte) " as before the kexec"
		}
		print "clean: MSI-X held from line " at[hold] " to its re-arm at line " at[rearm] ", " latched " interrupt(s) raised meanwhile, no INTx" same
		exit 0
	}' "$1"
