#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The pause a KVM guest sees across a host kexec with keepalive (issue 23),
# against a guest restarted cold on the same controller after a plain
# kexec. A benchmark: it prints figures; it fails only when a run failed.
#
# BENCH_RUNS (default 3) rounds, each one run of keep and one of cold, so
# that drift on the host spreads over both. The measure is
# tools/testing/selftests/keepalive/kvm_keepalive_test.c's: points on the
# host's TSC (it runs on across the kexec) that stage 1 prints as KVM-T1
# and stage 2 as KVM-T2; the next kernel is loaded before the pause. The
# phases: save (the vCPU into its file), exit (the VMM's descriptors,
# the device held), stop (STOP), kexec (to the new VMM's start: the kexec,
# the boot, the harness), rebuild (files, the same VM), reclaim (the
# device opened with its token, BAR, RAM and DMA mapped), restore (the
# vCPU loaded; cold: the irqfd), resume (to the first command completed:
# keep, the one in flight; cold, the new guest's driver set up and its
# first command), total; guest, the guest's own longest gap (keep). Each
# is the median of the runs with its minimum and maximum.
#
# Writes build/bench/kvmpause.tsv. Needs the kernel built (make kernel).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ST=$REPO/tools/testing/selftests/keepalive
BUILD=${KA_BUILD:-$REPO/build}
OUT=$BUILD/bench
RUNS=${BENCH_RUNS:-3}
TSV=$OUT/kvmpause.tsv
mkdir -p "$OUT"
make -s -C "$ST" || exit 1

# Two vCPUs, as make check: with one, the test VM's kernel refines its
# TSC calibration after KVM took the early one, and the guest's TSC then
# moved on by twice the pause, or went back (Documentation/keepalive/
# kvm.rst, Limits); with two it is not refined and the guest's measure
# matches the host's. Boot times vary more (the kernel's TSC sync check
# fails under TCG). The leak checker off.
OPTS=(--no-kunit)
rc=0
: >"$TSV"
for ((r = 1; r <= RUNS; r++)); do
	for mode in keep cold; do
		name=kvmpause-$mode-$r
		if ! bash "$ST/vmtest.sh" -q --name "$name" --test kvm_keepalive_test \
			--stages 2 "${OPTS[@]}" -a "kt_scenario=$mode kmemleak=off" >/dev/null; then
			echo "kvmpause: run $name failed, see $BUILD/vm/$name"
			rc=1
			continue
		fi
		awk -v m="$mode" '
			/KVM-T1 / || /KVM-T2 / {
				for (i = 1; i <= NF; i++)
					if (split($i, kv, "=") == 2) t[kv[1]] = kv[2]
			}
			END {
				k = t["khz"]
				if (!k) exit 1
				printf "%s save=%.1f exit=%.1f stop=%.1f kexec=%.1f rebuild=%.1f reclaim=%.1f restore=%.1f resume=%.1f total=%.1f",
					m, (t["t1"] - t["t0"]) / k, (t["t2"] - t["t1"]) / k,
					(t["t3"] - t["t2"]) / k, (t["t4"] - t["t3"]) / k,
					(t["t5"] - t["t4"]) / k, (t["t6"] - t["t5"]) / k,
					(t["t7"] - t["t6"]) / k, (t["t9"] - t["t7"]) / k,
					(t["t9"] - t["t0"]) / k
				if (m == "keep") printf " guest=%.0f", t["guest"]
				printf "\n"
			}' "$BUILD/vm/$name/results.log" >>"$TSV" ||
			{ echo "kvmpause: no figures in run $name"; rc=1; }
	done
done

# Median, minimum and maximum of every key of every mode.
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); print $1, kv[1], kv[2] } }' "$TSV" |
	sort -k1,1 -k2,2 -k3,3g |
	awk '
		function flush() {
			if (!n) return
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			print key, med, v[1], v[n]
		}
		{ k = $1 " " $2; if (k != key) { flush(); key = k; n = 0 } v[++n] = $3 }
		END { flush() }' >"$OUT/kvmpause.stats"

n=$(awk '$1 == "keep"' "$TSV" | wc -l)
echo "-- the guest's pause, ms: median [min - max] of $n run(s) each; TCG, nested SVM"
printf '   %-9s %-28s %-28s\n' phase "keepalive (guest goes on)" "cold (new guest, plain kexec)"
for k in save exit stop kexec rebuild reclaim restore resume total guest; do
	awk -v k="$k" '
		$2 == k { f[$1] = sprintf("%.0f [%.0f - %.0f]", $3, $4, $5) }
		END { printf "   %-9s %-28s %-28s\n", k, f["keep"] ? f["keep"] : "-", f["cold"] ? f["cold"] : "-" }' \
		"$OUT/kvmpause.stats"
done
echo "   (cold: restore is the irqfd alone; resume includes the new guest's"
echo "    controller reset, its 3 admin commands and its first I/O; a real guest"
echo "    would boot its OS there too)"
exit $rc
