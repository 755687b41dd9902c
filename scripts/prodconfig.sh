#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The production configuration: configs/keepalive.config with
# CONFIG_KEEPALIVE_FAULT_INJECTION=n and CONFIG_KEEPALIVE_KUNIT_TEST=n,
# configured into an object tree of its own (build/obj-prod) from the same
# source tree as the test kernel, building only drivers/keepalive/. Then no
# test-only code may be linked: no "corrupt" debugfs knob, no fault
# injection (fail_keepalive, keepalive.fail=, keepalive_should_fail), no
# KUnit suite. The same scan of the test kernel's objects (build/obj) must
# find them, so that the scan is known to see what it looks for.
#
# Prints TAP and ends with "prodconfig: N passed, N failed". Needs the source
# tree of scripts/kernel.sh (make kernel).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${KA_BUILD:-$REPO/build}")
POBJ=$BUILD/obj-prod
TOBJ=$BUILD/obj
FRAGMENT=$BUILD/keepalive-prod.config
TEST_ONLY=(CONFIG_KEEPALIVE_FAULT_INJECTION CONFIG_KEEPALIVE_KUNIT_TEST)
# What test-only code leaves in objects: symbols (nm) and strings.
SYMS='corrupt|keepalive_fault|should_fail|fail_keepalive|kunit'
STRS='corrupt|fail_keepalive|keepalive\.fail|kunit'

# shellcheck source=tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# Test-only symbols and strings linked into the objects of drivers/keepalive
# in object tree $1, one per line. built-in.a is a thin archive: its members
# are read where they are.
test_only_code() { # objtree
	local a=$1/drivers/keepalive/built-in.a o
	nm "$a" 2>/dev/null | awk '{ print $NF }' | grep -Ei "$SYMS" | sort -u |
		sed 's/^/symbol /'
	(cd "$1" && ar t "drivers/keepalive/built-in.a") | while read -r o; do
		[[ $o = /* ]] || o=$1/$o
		strings -a "$o" | grep -Ei "$STRS" | sed "s|^|string in ${o#"$1"/}: |"
	done | sort -u
}

echo "TAP version 13"

# 1. The fragment: the test one with the test-only options off.
sed -E "s/^($(IFS='|'; echo "${TEST_ONLY[*]}"))=y$/\1=n/" \
	"$REPO/configs/keepalive.config" >"$FRAGMENT"
ok=0
for opt in "${TEST_ONLY[@]}"; do
	grep -qx "$opt=n" "$FRAGMENT" || { echo "# $opt=n not in $FRAGMENT"; ok=1; }
done
result $ok "fragment: ${TEST_ONLY[*]} off"

# 2. Configure (a no-op when nothing changed) and build drivers/keepalive/.
start=$(date +%s)
out=$(KA_OBJ=$POBJ KA_FRAGMENT=$FRAGMENT KA_TARGETS=drivers/keepalive/ \
	bash "$REPO/scripts/kernel.sh" 2>&1)
rc=$?
sed 's/^/# /' <<<"$out"
echo "# configured and built in $(( $(date +%s) - start ))s"
result $rc "production config builds drivers/keepalive/"
[[ $rc -eq 0 ]] || { echo "1..$n"; echo "prodconfig: $p passed, $((f + 1)) failed"; exit 1; }

ok=0
for opt in "${TEST_ONLY[@]}"; do
	grep -q "^$opt=" "$POBJ/.config" && { echo "# $opt is set"; ok=1; }
done
for opt in CONFIG_KEEPALIVE CONFIG_KEEPALIVE_VFIO; do
	grep -qx "$opt=y" "$POBJ/.config" || { echo "# $opt is not y"; ok=1; }
done
result $ok "production .config: keepalive and its vfio part on, test-only options off"

# 3. Our code is there: the scan looks at a real build.
syms=$(nm "$POBJ/drivers/keepalive/built-in.a" 2>/dev/null)
grep -q ' T keepalive_register$' <<<"$syms" &&
	grep -q ' T keepalive_pci_adopt$' <<<"$syms"
result $? "production drivers/keepalive/built-in.a holds the core and the vfio part"

# 4. Positive control: the scan finds the test-only code of the test kernel.
found=$(test_only_code "$TOBJ")
ok=0
for want in corrupt fail_keepalive kunit; do
	grep -qi "$want" <<<"$found" || { echo "# test kernel: no '$want' found"; ok=1; }
done
result $ok "scan finds corrupt, fail_keepalive and kunit in the test kernel's objects"

# 5. Nothing test-only in production.
found=$(test_only_code "$POBJ")
sed 's/^/# production: /' <<<"$found" | grep -v '^# production: $'
[[ -z $found ]]
result $? "no test-only code linked in production (no corrupt knob, fault injection or KUnit)"

echo "1..$n"
echo "prodconfig: $p passed, $f failed"
[[ $f -eq 0 ]]
