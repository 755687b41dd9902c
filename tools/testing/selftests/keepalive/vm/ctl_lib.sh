# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the ctl_*.sh scripts: TAP helpers and where things are.
K=/ka/user/keepalivectl.static
S=/sys/kernel/keepalive
D=/sys/kernel/debug/keepalive
n=0
fails=0

# ok DESCRIPTION COMMAND...: one TAP result, the command's status.
check() {
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

# has FILE REGEX: FILE has a line matching the extended REGEX.
has() { grep -Eq -- "$2" "$1"; }
hasnt() { ! grep -Eq -- "$2" "$1"; }

# Show FILE as TAP comments.
show() { sed 's/^/# /' "$1"; }

# The BDF of the first emulated NVMe controller (1b36:0010).
nvme_bdf() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

finish() {
	echo "1..$n"
	[ "$fails" -eq 0 ]
}
