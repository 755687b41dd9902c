#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2: what keepalivectl status and decode say after the kexec, before
# nvme_keepalive_test reclaims anything.
#   ctl_resume.sh keep   a kexec -s from STOP (keepalivectl update): state
#                        resume, generation 1, the controller listed from
#                        the incoming image, the incoming image valid
#   ctl_resume.sh cold   a kexec that carried no handover (kexec -c from
#                        STOP): running, generation 0, nothing listed
#   ctl_resume.sh control MODE
#                        the negative control: every check of MODE must
#                        fail here (keep after a cold kexec, cold after
#                        a handover)
. /ka/user/ctl_lib.sh
if [ "$1" = control ]; then
	echo "TAP version 13"
	sh "$0" "$2" >/run/ctl.control 2>&1
	show /run/ctl.control
	check "control: every check of '$2' fails here" \
		sh -c "! grep -q '^ok ' /run/ctl.control && grep -q '^not ok ' /run/ctl.control"
	finish
	exit
fi
BDF=$(nvme_bdf)
O=/run/ctl.out

echo "TAP version 13"
$K status >$O 2>&1; show $O
$K status --json >$O.json 2>&1; show $O.json
case $1 in
keep)
	check "status: resume" has $O '^state: +resume$'
	check "status: handover resumed, generation 1" has $O '^handover: +resumed: generation 1$'
	check "status: the controller, from the incoming image" \
		sh -c "grep -q '^kept devices: 1, from the incoming image' $O && grep -q '^  $BDF 1b36:0010 class 010802' $O"
	check "status: the VMM's files, incoming" has $O '^  nvme0-.*, incoming'
	check "status --json: incoming, generation 1" \
		sh -c "grep -q '\"generation\": 1,' $O.json && grep -q '\"source\": \"incoming\", \"error\": null, \"devices\": \[{\"bdf\": \"$BDF\"' $O.json"
	$K decode >$O 2>&1; rc=$?
	check "decode: the incoming image is valid" sh -c "[ $rc -eq 0 ] && grep -q '^valid' $O"
	;;
cold)
	check "status: running" has $O '^state: +running$'
	check "status: no handover" has $O '^handover: +none: '
	check "status: generation 0" has $O '^generation: +0$'
	check "status: no kept device" has $O '^kept devices: none recorded'
	check "status: no file" has $O '^files: +0$'
	check "status --json: no source" has $O.json '"kept_devices": \{"source": null'
	;;
*)
	echo "ctl_resume.sh: keep or cold" >&2
	exit 2
	;;
esac
finish
