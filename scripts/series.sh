#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The hook series in patches/ as git format-patch writes it, from a git
# branch of the unpacked linux-source-6.1.
#
#   scripts/series.sh          import, then export: rebuild the branch from
#                              patches/ and write patches/ again from it
#   scripts/series.sh import   rebuild the branch only; then change the
#                              series there with git (commit --amend,
#                              rebase -i, a new commit) and export it
#   scripts/series.sh export   write patches/ from the branch as it is
#
# The git tree is build/series/linux (under build/, ignored by git):
#   base       tag: the pristine tarball, one commit with a fixed author,
#              date and message, so that the same linux-source-6.1 always
#              gives the same hash (the cover letter's "base-commit:")
#   keepalive  branch: base + one commit per patch (git am, committer date
#              = author date, so that a round trip changes nothing)
# The cover letter's subject and text are the branch's description: import
# takes them from patches/0000-cover-letter.patch (its first paragraph
# is the subject, the text runs up to the shortlog), export puts them back
# (git format-patch --cover-from-description=subject) above the shortlog,
# the diffstat and base-commit, which git writes. To change the text, edit
# 0000-cover-letter.patch and run this script, or edit the description
# (git branch --edit-description) and export.
#
# scripts/kernel.sh applies patches/*.patch in name order, leaving out
# 0000-cover-letter.patch; scripts/checkpatch.sh checks the numbering.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KA_BUILD:-$REPO/build}
TARBALL=/usr/src/linux-source-6.1.tar.xz
GIT_TREE=$BUILD/series/linux
PATCHES=$REPO/patches
COVER=$PATCHES/0000-cover-letter.patch
BRANCH=keepalive
IDENT_NAME="Keepalive maintainers"
IDENT_EMAIL="maintainers@keepalive.invalid"

log() { printf 'series: %s\n' "$*"; }
die() { printf 'series: %s\n' "$*" >&2; exit 1; }

g() {
	git -C "$GIT_TREE" -c user.name="$IDENT_NAME" -c user.email="$IDENT_EMAIL" \
		-c core.abbrev=12 -c advice.detachedHead=false "$@"
}

# The pristine tree as one commit, tagged "base". Made again only when the
# tarball changed.
base() {
	local ver stamp
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	stamp="$ver $(stat -c '%s %Y' "$TARBALL")"
	if [[ -f $GIT_TREE/.git/ka-base-stamp &&
	      $(cat "$GIT_TREE/.git/ka-base-stamp") == "$stamp" ]]; then
		return
	fi
	log "unpacking $(basename "$TARBALL") ($ver) into a git tree"
	rm -rf "$GIT_TREE" "$BUILD/series/linux-source-6.1"
	mkdir -p "$BUILD/series"
	tar -C "$BUILD/series" -xf "$TARBALL"
	mv "$BUILD/series/linux-source-6.1" "$GIT_TREE"
	git -C "$GIT_TREE" init -q -b base-only
	# Every file of the tarball, those its .gitignore files name too.
	g add -f -A .
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		g commit -q -m "Debian linux-source-6.1 $ver" \
		-m "The unpacked $(basename "$TARBALL") of Debian's linux-source-6.1 $ver, as one commit (scripts/series.sh)."
	g tag -f base >/dev/null
	echo "$stamp" >"$GIT_TREE/.git/ka-base-stamp"
	log "base $(g rev-parse base)"
}

# The cover letter's subject (first paragraph) and text, without the
# "[PATCH 0/N]" prefix, the shortlog and what follows it.
cover_text() {
	awk '
	hdr && /^Subject: / { sub(/^Subject: \[PATCH[^]]*\] */, ""); subj = $0; insubj = 1; next }
	hdr && insubj && /^ / { sub(/^ /, ""); subj = subj " " $0; next }
	hdr && /^$/ { hdr = 0; print subj; print ""; next }
	hdr { insubj = 0; next }
	/^[^ ].* \([0-9]+\):$/ { exit }
	{ body[++n] = $0 }
	BEGIN { hdr = 1 }
	END { while (n > 0 && body[n] == "") n--; for (i = 1; i <= n; i++) print body[i] }
	' "$1"
}

import() {
	local series=() p
	for p in "$PATCHES"/*.patch; do
		[[ $p == "$COVER" ]] || series+=("$p")
	done
	[[ ${#series[@]} -gt 0 ]] || die "no patches in $PATCHES"
	base
	log "importing ${#series[@]} patches onto base"
	g am --abort >/dev/null 2>&1 || true
	g checkout -q -f --detach base
	g clean -q -f -d -x
	g branch -f "$BRANCH" base
	g checkout -q "$BRANCH"
	g am -q --committer-date-is-author-date "${series[@]}" ||
		die "git am failed in $GIT_TREE (git -C $GIT_TREE am --show-current-patch)"
	if [[ -f $COVER ]]; then
		g config "branch.$BRANCH.description" "$(cover_text "$COVER")"
	fi
	log "branch $BRANCH: $(g rev-list --count base.."$BRANCH") commits on base $(g rev-parse --short base)"
}

export_series() {
	local tmp n
	g rev-parse -q --verify "$BRANCH" >/dev/null || die "no branch $BRANCH in $GIT_TREE: import first"
	n=$(g rev-list --count base.."$BRANCH")
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	g format-patch -q --cover-letter --cover-from-description=subject \
		--base=base -o "$tmp" base.."$BRANCH" >/dev/null
	# The cover letter's date is the export's: keep the one it had when
	# nothing else changed, so that a round trip is a no-op.
	if [[ -f $COVER ]] &&
	   diff -q <(grep -v '^Date: ' "$COVER") \
		   <(grep -v '^Date: ' "$tmp/0000-cover-letter.patch") >/dev/null; then
		cp "$COVER" "$tmp/0000-cover-letter.patch"
	fi
	rm -f "$PATCHES"/*.patch
	cp "$tmp"/*.patch "$PATCHES/"
	log "wrote $PATCHES: a cover letter and $n patches on base-commit $(g rev-parse base)"
}

case ${1:-all} in
import) import ;;
export) export_series ;;
all) import; export_series ;;
*) die "usage: $0 [import|export]" ;;
esac
