# SPDX-License-Identifier: GPL-2.0
#
# TAP results for the check scripts that print their own (prodconfig.sh,
# distroconfig.sh): source it, then call result STATUS DESCRIPTION for
# each test; $n, $p and $f count tests, passes and failures.

n=0 p=0 f=0
result() { # status description
	n=$((n + 1))
	if [[ $1 -eq 0 ]]; then
		p=$((p + 1))
		echo "ok $n $2"
	else
		f=$((f + 1))
		echo "not ok $n $2"
	fi
}
