#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vmtest.sh - run keepalive tests in a QEMU (TCG) guest, across kexec.
#
# See usage() or --help. Exit status: 0 when every expected stage ran and
# every test passed, 1 on any failure, 2 on bad usage.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../../.." && pwd)
BUILD=${KA_BUILD:-$REPO/build}

usage() {
	cat <<EOF
usage: vmtest.sh [options] [--] [extra QEMU options]

Boots the test kernel in QEMU (TCG, q35, kernel-irqchip=split, an IOMMU
with interrupt remapping, emulated NVMe) with a busybox initramfs, runs the
programs of stage 1, then kexecs (kexec_file_load) into stage 2 and so on.
Each stage's output is collected from a second serial port as TAP/KTAP; the
KUnit report of the first kernel is collected too.

Test selection:
  -t, --test NAME       run built-in selftest NAME (a binary of this
                        directory's Makefile) in every stage; repeatable
  -1, --stage1 FILE     run script or static binary FILE in stage 1
  -2, --stage2 FILE     run FILE in stage 2
  -r, --run S:FILE      run FILE in stage S ("*" for every stage)
                        FILE may be followed by arguments: -r '2:./x -v'
  -f, --file FILE       copy FILE into the guest's /ka/user/ without running
                        it (a tool for the programs that run); repeatable
      --bin FILE        copy the dynamically linked program FILE into the
                        guest's /ka/bin/ (in PATH), with the shared
                        libraries ldd lists at their paths; repeatable
                        (e.g. --bin /usr/sbin/kexec: Debian's kexec-tools)
  -s, --stages N        number of kernels to boot (default: 2 when a stage 2
                        program is given, else 1); stage N>1 is entered by
                        kexec from stage N-1
      --no-kunit        do not count the first kernel's KUnit report

Machine:
  -k, --kernel FILE     kernel to boot (default: build/obj/arch/x86/boot/bzImage)
      --next-kernel FILE  kernel that stage 1 kexecs into (default: the same)
  -i, --iommu NAME      the emulated IOMMU, with interrupt remapping: intel
                        (intel-iommu, VT-d; the default) or amd (amd-iommu,
                        AMD-Vi: itself a PCI function at 00:03.0, so the
                        first NVMe controller moves to 00:04.0); also
                        KT_IOMMU
  -n, --nvme N          emulated NVMe controllers (default 1), 64 MiB each
      --slow-nvme NS    back NVMe controller 0 by a null-co drive whose every
                        request takes NS nanoseconds and reads zeroes (I/O
                        still in flight across a kexec)
      --root-ports      put each NVMe controller behind a PCIe root port of
                        its own (default: on the root bus), hotplug capable
      --qmp             a QMP socket, and a relay that sends QEMU each command
                        a program in the guest logs as a kernel message
                        "KT-QMP: <json>" (vm/qmp_relay.py; answers in
                        qmp.log); a spare drive "nvmspare" (64 MiB) for
                        device_add; NVMe controller N has the id nvmeN
  -m, --mem SIZE        guest memory (default 1G)
  -p, --pool SIZE       keepalive pool of the first kernel (default 128M)
  -a, --append ARGS     extra kernel command line arguments
      --timeout SECS    whole run limit (default 300)
  --qemu-opts "OPTS"    extra QEMU options (also: KT_QEMU_OPTS, or after --),
                        e.g. "-trace enable=vtd_*" or another -device

Output:
  -o, --out DIR         log directory (default: build/vm/<name>)
      --name NAME       run name (default: derived from the tests)
  -v, --verbose         stream the serial console while it runs
  -q, --quiet           print only the summary line

Programs see KT_STAGE, KT_STAGES and KT_RUN; words written to
\$KT_RUN/cmdline-append reach the next kernel's command line.

The run fails on: a test reported "not ok", a program exiting non-zero, a
stage that never booted or never finished, a timeout, a kernel panic, Oops,
BUG or WARNING, and a run that tested nothing (no result, or only SKIPs).
The console log, the results log and the QEMU command line are kept in the
log directory. The last line is "vmtest: N passed, N failed, N skipped".
EOF
}

kernel=$BUILD/obj/arch/x86/boot/bzImage
next_kernel=
stages=
nvme=1
iommu=${KT_IOMMU:-intel}
root_ports=0
qmp=0
slow_nvme=
mem=1G
pool=128M
append=
timeout=300
qemu_opts=${KT_QEMU_OPTS:-}
outdir=
name=
verbose=0
quiet=0
kunit=1
plan=()   # "stage name path"
files=()  # "src dst"
bins=()   # dynamically linked programs for /ka/bin
tests=()

add_file() { # stage src [args]
	local stage=$1 src=$2 args=${3:-} base
	[[ -f $src ]] || { echo "vmtest: $src: no such file" >&2; exit 2; }
	base=$(basename "$src")
	files+=("$src /ka/user/$base")
	plan+=("$stage $base /ka/user/$base $args")
}

while [[ $# -gt 0 ]]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-t|--test) tests+=("$2"); shift ;;
	-1|--stage1) add_file 1 "$2"; shift ;;
	-2|--stage2) add_file 2 "$2"; [[ -n $stages ]] || stages=2; shift ;;
	-r|--run)
		s=${2%%:*}; rest=${2#*:}; f=${rest%% *}; a=
		[[ $rest == *" "* ]] && a=${rest#* }
		[[ $s =~ ^([0-9]+|\*)$ ]] || { echo "vmtest: --run wants S:FILE" >&2; exit 2; }
		add_file "$s" "$f" "$a"
		[[ $s != "*" && $s -gt ${stages:-1} ]] && stages=$s
		shift ;;
	-f|--file)
		[[ -f $2 ]] || { echo "vmtest: $2: no such file" >&2; exit 2; }
		files+=("$2 /ka/user/$(basename "$2")"); shift ;;
	--bin)
		[[ -x $2 ]] || { echo "vmtest: $2: no such program" >&2; exit 2; }
		bins+=("$2"); shift ;;
	-s|--stages) stages=$2; shift ;;
	--no-kunit) kunit=0 ;;
	-k|--kernel) kernel=$2; shift ;;
	--next-kernel) next_kernel=$2; shift ;;
	-i|--iommu) iommu=$2; shift ;;
	-n|--nvme) nvme=$2; shift ;;
	--root-ports) root_ports=1 ;;
	--qmp) qmp=1 ;;
	--slow-nvme) slow_nvme=$2; shift ;;
	-m|--mem) mem=$2; shift ;;
	-p|--pool) pool=$2; shift ;;
	-a|--append) append="$append $2"; shift ;;
	--timeout) timeout=$2; shift ;;
	--qemu-opts) qemu_opts="$qemu_opts $2"; shift ;;
	-o|--out) outdir=$2; shift ;;
	--name) name=$2; shift ;;
	-v|--verbose) verbose=1 ;;
	-q|--quiet) quiet=1 ;;
	--) shift; qemu_opts="$qemu_opts $*"; break ;;
	*) echo "vmtest: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

stages=${stages:-1}
[[ $stages =~ ^[1-9][0-9]*$ ]] || { echo "vmtest: bad --stages" >&2; exit 2; }
[[ -f $kernel ]] || { echo "vmtest: no kernel at $kernel (run 'make kernel')" >&2; exit 2; }
[[ -z $next_kernel || -f $next_kernel ]] || { echo "vmtest: no kernel at $next_kernel" >&2; exit 2; }

# Built-in selftests: make sure they are built, then plan them for every stage.
if [[ ${#tests[@]} -gt 0 ]]; then
	make -s -C "$HERE" >/dev/null || { echo "vmtest: building selftests failed" >&2; exit 1; }
fi
for t in "${tests[@]}"; do
	[[ -x $HERE/out/$t ]] || { echo "vmtest: no built-in test '$t'" >&2; exit 2; }
	files+=("$HERE/out/$t /ka/bin/$t")
	plan+=("* $t /ka/bin/$t")
done
make -s -C "$HERE" "$HERE/out/kt_kexec" >/dev/null || exit 1
[[ ${#plan[@]} -gt 0 || $kunit -eq 1 ]] || { echo "vmtest: nothing to run" >&2; exit 2; }

if [[ -z $name ]]; then
	name=$(printf '%s\n' "${plan[@]}" | awk '{print $2}' | paste -sd+ -)
	name=${name:-kunit}
fi
outdir=${outdir:-$BUILD/vm/$name}
rm -rf "$outdir"
mkdir -p "$outdir/root"/{bin,ka/bin,ka/user,boot,dev,proc,sys,run,tmp}

# The initramfs: busybox, /init, the programs and the kernel(s) to kexec.
root=$outdir/root
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$HERE/vm/init" "$root/init"
cp "$HERE/out/kt_kexec" "$root/ka/bin/"
cp "${next_kernel:-$kernel}" "$root/boot/bzImage"
for f in "${files[@]}"; do
	cp "${f% *}" "$root${f#* }"
	chmod +x "$root${f#* }"
done
for b in "${bins[@]}"; do
	cp -L "$b" "$root/ka/bin/"
	# "name => /path (addr)" and "/path (addr)": every library, the
	# dynamic loader included, where the program looks for it.
	libs=$(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }') ||
		{ echo "vmtest: ldd $b failed" >&2; exit 1; }
	for l in $libs; do
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
done
printf '%s\n' "${plan[@]}" >"$root/ka/plan"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$outdir/initrd.cpio"

case $iommu in
intel) iommu_dev=intel-iommu,intremap=on ;;
amd) iommu_dev=amd-iommu,intremap=on ;;
*) echo "vmtest: --iommu wants intel or amd, not '$iommu'" >&2; exit 2 ;;
esac

disks=()
for ((i = 0; i < nvme; i++)); do
	truncate -s 64M "$outdir/nvme$i.img"
	bus=
	if [[ $root_ports -eq 1 ]]; then
		disks+=(-device "pcie-root-port,id=rp$i,chassis=$((i + 1)),slot=$((i + 1))")
		bus=",bus=rp$i"
	fi
	drive="file=$outdir/nvme$i.img,if=none,id=nvm$i,format=raw"
	if [[ $i -eq 0 && -n $slow_nvme ]]; then
		drive="if=none,id=nvm$i,driver=null-co,size=64M,read-zeroes=on,latency-ns=$slow_nvme"
	fi
	disks+=(-drive "$drive" -device "nvme,id=nvme$i,serial=kt-nvme-$i,drive=nvm$i$bus")
done
relay=()
if [[ $qmp -eq 1 ]]; then
	truncate -s 64M "$outdir/nvmspare.img"
	disks+=(-drive "file=$outdir/nvmspare.img,if=none,id=nvmspare,format=raw"
		-qmp "unix:$outdir/qmp.sock,server=on,wait=off")
	relay=(python3 "$HERE/vm/qmp_relay.py" "$outdir/qmp.sock"
	       "$outdir/console.log" "$outdir/qmp.log")
fi

# A keepalive pool by default; --append keepalive.pool=... overrides it.
# no_timer_check: under TCG on a loaded host, the IO-APIC timer check in
# early boot sometimes misses its ticks and panics ("timer doesn't work
# through Interrupt-remapped IO-APIC"); what it checks is QEMU's, not ours.
cmdline="console=ttyS0,115200 rdinit=/init init=/init panic=-1 oops=panic loglevel=7"
cmdline="$cmdline no_timer_check"
cmdline="$cmdline keepalive.pool=$pool kt_stages=$stages$append"
[[ $kunit -eq 1 ]] || cmdline="$cmdline kunit.filter_glob=kt_none"
# shellcheck disable=SC2206
qemu=(qemu-system-x86_64 -accel tcg -M q35,kernel-irqchip=split -cpu max -smp 2
	-m "$mem" -device "$iommu_dev" "${disks[@]}"
	-kernel "$kernel" -initrd "$outdir/initrd.cpio" -append "$cmdline"
	-display none -monitor none -no-reboot
	-serial "file:$outdir/console.log" -serial "file:$outdir/results.log"
	$qemu_opts)
printf '%q ' "${qemu[@]}" >"$outdir/qemu.cmd"
echo >>"$outdir/qemu.cmd"

[[ $quiet -eq 1 ]] || echo "vmtest: $name: $stages stage(s), logs in $outdir"
: >"$outdir/console.log"
tailpid=
if [[ $verbose -eq 1 ]]; then
	tail -n +1 -f "$outdir/console.log" &
	tailpid=$!
fi
start=$(date +%s.%N)
relaypid=
if [[ ${#relay[@]} -gt 0 ]]; then
	"${relay[@]}" &
	relaypid=$!
fi
timeout --foreground -k 5 "$timeout" "${qemu[@]}" </dev/null >"$outdir/qemu.out" 2>&1
qrc=$?
end=$(date +%s.%N)
[[ -n $tailpid ]] && { sleep 0.2; kill "$tailpid" 2>/dev/null; }
[[ -n $relaypid ]] && { kill "$relaypid" 2>/dev/null; wait "$relaypid" 2>/dev/null; }
printf 'vmtest: qemu exited %d after %.1f s\n' "$qrc" "$(echo "$end - $start" | bc)" >"$outdir/qemu.status"

args=(--stages "$stages" --qemu-rc "$qrc" --console "$outdir/console.log"
      --results "$outdir/results.log")
[[ $quiet -eq 1 ]] && args+=(--quiet)
python3 "$HERE/vm/ktap.py" "${args[@]}" | tee "$outdir/summary.txt"
exit "${PIPESTATUS[0]}"
