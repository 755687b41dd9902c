#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch --strict over patches/ (as patches, the cover letter too) and
# every C source and header of ours (as files); the numbering of the
# series. One TAP line per file; ends with the counts.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC=${KA_BUILD:-$REPO/build}/linux
CP=$SRC/scripts/checkpatch.pl
[[ -x $CP ]] || { echo "checkpatch: no $CP (run 'make kernel')" >&2; exit 2; }

cd "$REPO"
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^build/' | sort)
mapfile -t patches < <(ls patches/*.patch 2>/dev/null)
COVER=patches/0000-cover-letter.patch
mapfile -t series < <(printf '%s\n' "${patches[@]}" | grep -vx "$COVER")
# Kernel code (not tools/, not KUnit suites) also gets kernel-doc checks.
mapfile -t kfiles < <(printf '%s\n' "${files[@]}" | grep -v '^tools/' | grep -v '/tests/')
total=$(( 1 + ${#files[@]} + ${#patches[@]} + ${#kfiles[@]} ))
pass=0 fail=0 n=0
echo "TAP version 13"
echo "1..$total"
# One TAP line: passed when the command succeeds and prints nothing.
tap() { # label, command...
	local label=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1) && [[ -z $out ]]; then
		echo "ok $n $label"
		pass=$((pass + 1))
	else
		echo "not ok $n $label"
		sed 's/^/# /' <<<"$out"
		fail=$((fail + 1))
	fi
}
# Run from the kernel tree: inside our git repository checkpatch would read
# a .patch file as a plain file.
checkpatch() {
	(cd "$SRC" && perl "$CP" --strict --quiet --no-summary --show-types "$@")
}
# kernel-doc: comments well formed, and every non-static function has one
# with Context: and Return:.
kerneldoc() {
	perl "$SRC/scripts/kernel-doc" -none "$1" &&
	{ [[ $1 != *.c ]] || python3 "$REPO/scripts/kdoc-coverage.py" "$1"; }
}
# One series, as git format-patch --cover-letter writes it (scripts/series.sh):
# the cover letter "[PATCH 0/N]", then 0001-... to N, each "[PATCH n/N]",
# n zero-padded to the width of N ("[PATCH 01/17]"); every diff with its
# "index" line, and the cover letter with its "base-commit:". (Checkpatch
# knows a file named *cover-letter.patch has no diff.)
series_check() {
	local n=${#series[@]} i=0 p w num
	w=${#n}
	[[ -f $COVER ]] || echo "no $COVER"
	num=$(printf '%0*d' "$w" 0)
	[[ ! -f $COVER ]] || grep -q "^Subject: \[PATCH $num/$n\] " "$COVER" ||
		echo "$COVER: subject is not [PATCH $num/$n]"
	[[ ! -f $COVER ]] || grep -q '^base-commit: [0-9a-f]\{40\}$' "$COVER" ||
		echo "$COVER: no base-commit:"
	for p in "${series[@]}"; do
		i=$((i + 1))
		num=$(printf '%0*d' "$w" "$i")
		[[ ${p#patches/} == $(printf '%04d-' "$i")* ]] ||
			echo "$p: not patch $i of the series"
		grep -q "^Subject: \[PATCH $num/$n\] " "$p" ||
			echo "$p: subject is not [PATCH $num/$n]"
		[[ $(grep -c '^diff --git ' "$p") == $(grep -c '^index [0-9a-f]' "$p") ]] ||
			echo "$p: a diff without its index line (scripts/series.sh)"
	done
}
tap "series patches/" series_check
for p in "${patches[@]}"; do
	tap "checkpatch $p" checkpatch "$REPO/$p"
done
for f in "${files[@]}"; do
	# Userspace test programs follow kernel style too, but are not kernel
	# code: no kernel-only rules (e.g. "use kernel types") apply there.
	extra=()
	[[ $f == tools/* ]] && extra=(--ignore PREFER_KERNEL_TYPES,SPLIT_STRING,NEW_TYPEDEFS,PREFER_DEFINED_ATTRIBUTE_MACRO,CAMELCASE)
	# Trace event headers: TRACE_EVENT()'s layout, as in every header of
	# the kernel's include/trace/events/, is not a function call's.
	[[ $f == include/trace/events/* ]] && extra=(--ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT)
	tap "checkpatch $f" checkpatch --no-tree "${extra[@]}" -f "$REPO/$f"
done
for f in "${kfiles[@]}"; do
	tap "kernel-doc $f" kerneldoc "$REPO/$f"
done
echo "checkpatch: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
