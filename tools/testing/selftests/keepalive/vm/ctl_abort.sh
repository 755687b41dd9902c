#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# keepalivectl in stage 1, after nvme_keepalive_test (kt_scenario=ctlabort)
# left its NVMe controller marked: status, update --no-exec to STOP (the
# control: the same update reaches STOP), abort, then updates that must
# fail before the point of no return and abort cleanly: a failure injected
# at STOP, Ctrl-C (SIGINT) at PRE-STOP, a failing --pre-stop hook, a next
# kernel whose command line turns the IOMMU off, a kernel kexec cannot
# load. Nothing is handed over: the harness kexecs from
# RUNNING and stage 2 finds the controller reset.
. /ka/user/ctl_lib.sh
BDF=$(nvme_bdf)
O=/run/ctl.out
(cd /ka && echo plan | cpio -o -H newc 2>/dev/null) >/run/ctl-initrd.cpio
CMDLINE=$(cat /proc/cmdline)
update() { # extra options...
	$K update /boot/bzImage --initrd /run/ctl-initrd.cpio \
		--append "$CMDLINE" "$@" >$O 2>&1
	rc=$?
	show $O
	echo "# rc=$rc"
}
loaded() { [ "$(cat /sys/kernel/kexec_loaded)" = "$1" ]; }
state() { [ "$(cat $S/state)" = "$1" ]; }

echo "TAP version 13"
$K status >$O 2>&1; show $O
check "status: running" has $O '^state: +running$'
check "status: the pool" has $O '^pool: +128 MiB at 0x[0-9a-f]+'
check "status: the VMM's files" has $O '^  nvme0-'
check "status: no kept device listed before STOP" has $O '^kept devices: none recorded'
check "status: no kernel loaded" has $O '^kexec: +no kernel loaded'
$K status --json >$O 2>&1; show $O
check "status --json" has $O '^\{"state": "running", .*"pool": \{"phys": [0-9]+, "size": 134217728, .*"files": \[\{"name": "nvme0-.*"kexec_loaded": false\}$'

# The control: update without a failure reaches STOP (--no-exec: no kexec).
update --no-exec
check "update --no-exec: exit 0" [ $rc -eq 0 ]
check "update: loaded with kexec -s" has $O '\[1/5\] loaded'
check "update: prepare, pre-stop, stop in order" awk '
	/\[2\/5\] prepare done: state prepare / { a = NR }
	/\[3\/5\] pre-stop done: state pre-stop / { b = NR }
	/\[4\/5\] stop done: state stop / { c = NR }
	END { exit !(a && a < b && b < c) }' $O
check "update --no-exec: state stop, kernel loaded" sh -c "[ \$(cat $S/state) = stop ] && [ \$(cat /sys/kernel/kexec_loaded) = 1 ]"
$K status >$O 2>&1; show $O
check "status in STOP: the kept controller, from the outgoing image" \
	has $O "^  $BDF 1b36:0010 class 010802"
check "status in STOP: one kept device" has $O '^kept devices: 1, from the outgoing image'
$K status --json >$O 2>&1
check "status --json in STOP: the kept controller" \
	has $O "\"kept_devices\": \{\"source\": \"outgoing\", \"error\": null, \"devices\": \[\{\"bdf\": \"$BDF\", \"vendor\": \"1b36\", \"device\": \"0010\""
$K decode >$O 2>&1; rc=$?
check "decode: the outgoing image is valid" sh -c "[ $rc -eq 0 ] && grep -q '^valid' $O && grep -q 'keepalive,vfio-pci-v2' $O"
update
check "update in STOP: refused" sh -c "[ $rc -eq 1 ] && grep -q 'state is stop, not running' $O"
$K abort >$O 2>&1; rc=$?; show $O
check "abort: back to running" sh -c "[ $rc -eq 0 ] && grep -q 'aborted: state running' $O && [ \$(cat $S/state) = running ]"
$K abort >$O 2>&1; rc=$?
check "abort in RUNNING: nothing to abort" sh -c "[ $rc -eq 0 ] && grep -q 'nothing to abort: state is running' $O"

# Failures injected at STOP (fail_keepalive, set by the pre-stop hook). STOP
# consults it in the core before starting the image (ENOMEM), at the
# image's pool allocation (ENOSPC), then before each participant's
# callback (kho/state.c): the 1st and the 3rd consultation fail. Each
# failure is named with its errno, and ABORT runs.
fail_stop() { # n: the n-th consultation of STOP fails
	echo "echo 0 > $D/fail_keepalive/verbose && echo 100 > $D/fail_keepalive/probability && echo $1 > $D/fail_keepalive/space && echo 1 > $D/fail_keepalive/times"
}
update --pre-stop "$(fail_stop 1)"
check "STOP failure in the core: exit 1, named with its errno" \
	sh -c "[ $rc -eq 1 ] && grep -q '^keepalivectl: stop failed: keepalive core: ENOMEM (errno 12)' $O"
update --pre-stop "$(fail_stop 3)"
check "STOP failure in a participant: exit 1" [ $rc -eq 1 ]
check "STOP failure in a participant: participant and errno named" \
	has $O '^keepalivectl: stop failed: participant (memfd|vfio): E[A-Z0-9]+ \(errno [0-9]+\)$'
check "STOP failure: STOP was requested after PRE-STOP" \
	sh -c "awk '/\[3\/5\] pre-stop done/ { a = NR } /\[4\/5\] stop \.\.\./ { b = NR } END { exit !(a && a < b) }' $O"
check "STOP failure: aborted from pre-stop" has $O 'abort \(from pre-stop\)'
check "STOP failure: state running, next kernel unloaded" \
	sh -c "grep -q 'aborted: state running, nothing handed over, next kernel unloaded' $O && [ \$(cat $S/state) = running ] && [ \$(cat /sys/kernel/kexec_loaded) = 0 ]"
check "STOP failure: no point of no return" hasnt $O 'point of no return'
echo 0 >$D/fail_keepalive/probability
echo 0 >$D/fail_keepalive/times

# Ctrl-C once PRE-STOP is reached.
update --pre-stop 'kill -INT $PPID'
check "SIGINT: exit 130, interrupted" sh -c "[ $rc -eq 130 ] && grep -q 'interrupted by signal 2' $O"
check "SIGINT: STOP not requested" hasnt $O '\[4/5\]'
check "SIGINT: aborted, state running, unloaded" \
	sh -c "grep -q 'aborted: state running' $O && [ \$(cat $S/state) = running ] && [ \$(cat /sys/kernel/kexec_loaded) = 0 ]"

# A pre-stop hook that fails (a VMM that could not save its state).
update --pre-stop 'exit 7'
check "failing pre-stop hook: aborted" \
	sh -c "[ $rc -eq 1 ] && grep -q 'pre-stop hook failed: exit status 7' $O && grep -q 'aborted: state running' $O && [ \$(cat $S/state) = running ]"

# A next kernel that would boot with the IOMMU off: loaded before PREPARE
# (a warning only), STOP is refused, and the update aborts.
$K update /boot/bzImage --initrd /run/ctl-initrd.cpio \
	--append "$CMDLINE intel_iommu=off" >$O 2>&1; rc=$?; show $O
check "next kernel with intel_iommu=off: STOP refused with EPERM, why" \
	sh -c "[ $rc -eq 1 ] && grep -q '^keepalivectl: stop failed: keepalive core: EPERM (errno 1): the loaded kernel cannot receive the handover' $O"
check "next kernel with intel_iommu=off: aborted, state running, unloaded" \
	sh -c "grep -q 'aborted: state running' $O && [ \$(cat $S/state) = running ] && [ \$(cat /sys/kernel/kexec_loaded) = 0 ]"

# A kernel kexec cannot load: nothing was started.
echo garbage >/run/not-a-kernel
$K update /run/not-a-kernel --append "$CMDLINE" >$O 2>&1; rc=$?; show $O
check "unloadable kernel: exit 1 before PREPARE" \
	sh -c "[ $rc -eq 1 ] && grep -q 'loading the next kernel failed' $O && ! grep -q '\[2/5\]' $O && [ \$(cat $S/state) = running ]"
finish
