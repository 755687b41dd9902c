#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The userspace decoder (tools/keepalive/kadecode) on real images, across
# one kexec. Needs vmtest.sh --file .../kadecode.static --stages 2.
#   stage 1: a sealed outgoing image decodes as valid and lists the file;
#   stage 2: the incoming image decodes as valid with the same file; then
#            a deliberately damaged outgoing image decodes as invalid
#            (the negative control: the decoder does reject).
S=/sys/kernel/keepalive
D=/sys/kernel/debug/keepalive
K=/ka/user/kadecode.static
n=0
fails=0
check() { # description, command...
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		fails=$((fails + 1))
	fi
}
stop() {
	for e in prepare pre-stop stop; do echo $e >$S/state || return 1; done
}

echo "TAP version 13"
if [ "$KT_STAGE" = 1 ]; then
	echo "1..4"
	# No file: the memfd participant's node is there, empty.
	check "stop" stop
	check "outgoing image captured" cp $D/outgoing /run/out.img
	$K /run/out.img >/run/out.txt 2>&1
	check "kadecode: outgoing image valid" grep -q '^valid' /run/out.txt
	check "kadecode: memfd node decoded" grep -q 'keepalive,memfd-v2' /run/out.txt
	cat /run/out.txt | sed 's/^/# /'
else
	echo "1..5"
	check "incoming image captured" cp $D/incoming /run/in.img
	$K /run/in.img >/run/in.txt 2>&1
	check "kadecode: incoming image valid" grep -q '^valid' /run/in.txt
	cat /run/in.txt | sed 's/^/# /'
	echo post-resume >$S/state
	echo conclude >$S/state
	check "stop again" stop
	check "image damaged" sh -c "echo fdt-crc >$D/corrupt"
	cp $D/outgoing /run/bad.img
	$K /run/bad.img >/run/bad.txt 2>&1
	rc=$?
	check "kadecode: damaged image invalid (exit 1)" [ $rc = 1 ]
	cat /run/bad.txt | sed 's/^/# /'
	echo abort >$S/state
fi
[ $fails = 0 ]
