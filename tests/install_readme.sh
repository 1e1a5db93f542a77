#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's first example as written, against a staged install
# (make install DESTDIR=...): its C file and its cc line, then ./mybench
# and benchrun ./mybench.  pkg-config finds the staged benchrun.pc through
# PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR; the loader finds the staged
# library through LD_LIBRARY_PATH, as the README says for a prefix the
# loader does not search.
set -u
: "${MAKE:=make}" "${top_builddir:?}" "${top_srcdir:?}"
# A sanitized library drags its runtime (and the linker's warnings about
# it) into every user's program: the README's commands are for a release
# build, which the plain make check runs.
if [ -n "${TESTS_SANITIZED:-}" ]; then
	echo "${0##*/}: skipped in a sanitizer build" >&2
	exit 77
fi

work=`mktemp -d "${TMPDIR:-/tmp}/install_readme.XXXXXX"` || exit 99
trap 'rm -rf "$work"' EXIT
fail() { echo "install_readme: $*" >&2; exit 1; }
. "$top_srcdir/tests/stage_install.sh"

# The section's C block and its commands, as the README has them.
readme=$top_srcdir/README.md
awk '/^## A first benchmark/ {s = 1; next} /^## / {s = 0}
     s && /^```c$/ {c = 1; next} s && c && /^```$/ {c = 0; exit} c' "$readme" >"$work/mybench.c"
grep -q 'BR_MAIN()' "$work/mybench.c" || fail "no C example found in $readme"
awk '/^## A first benchmark/ {s = 1; next} /^## / {s = 0} s && /^    (cc|\.\/mybench|benchrun) /' \
	"$readme" | sed 's/^    //; s/  *#.*$//' >"$work/commands"
test `wc -l <"$work/commands"` -ge 3 || fail "the README's commands were not found"
cd "$work" || exit 99
# As a user runs them: the history goes where it goes by default (the
# baseline folder, made in this fresh folder), not nowhere as for the
# other tests.
unset BENCHRUN_STORE
while read -r cmd; do
	echo "\$ $cmd"
	sh -c "$cmd" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	cat "$work/out" "$work/err"
	test $rc -eq 0 || fail "'$cmd' exited $rc"
	test -s "$work/err" && fail "'$cmd' wrote on stderr"
done <"$work/commands"
grep -q '^checksum/sum/65536 ' "$work/out" || fail "benchrun did not report checksum/sum/65536"
test -s "$work/baselines/history.sqlite" || fail "the run is not in baselines/history.sqlite"
echo "install_readme: the README's first example runs against the staged install"
