#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The CI recipe of docs/example end to end, in a copy of the example made
# into a project of its own, against a staged install: `make` writes
# benchrun.list, so the README's plain gate commands work there; then
# ci-bench.sh on a change before any baseline exists (measured, no
# verdict, exit 0), on the base branch (saves it), on the change again
# (gated: 0 or 1, never 2 or 3), and with a base branch named release/1.2
# (stored as release-1.2).
set -u
: "${MAKE:=make}" "${top_builddir:?}" "${top_srcdir:?}"
# A sanitized library drags its runtime (and the linker's warnings about
# it) into every user's program: the README's commands are for a release
# build, which the plain make check runs.
if [ -n "${TESTS_SANITIZED:-}" ]; then
	echo "${0##*/}: skipped in a sanitizer build" >&2
	exit 77
fi

work=`mktemp -d "${TMPDIR:-/tmp}/ci_recipe.XXXXXX"` || exit 99
trap 'rm -rf "$work"' EXIT
fail() { echo "ci_recipe: $*" >&2; exit 1; }
. "$top_srcdir/tests/stage_install.sh"

# Short budgets: this checks the recipe, not the gate's statistics.
BENCHFLAGS='--processes 3 --warmup-time 0.005 --measure-time 0.01 --remeasure 0'
export BENCHFLAGS

cp -R "$top_srcdir/docs/example" "$work/proj" && chmod -R u+w "$work/proj" || exit 99
cd "$work/proj" || exit 99
(autoreconf -fi && ./configure) >"$work/configure.log" 2>&1 ||
	{ cat "$work/configure.log" >&2; fail "autoreconf/configure of docs/example failed"; }

# run EXPECTED-STATUSES COMMAND...: run it, show it, check its status.
run() {
	want=$1; shift
	echo "\$ $*"
	"$@" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	cat "$work/out" "$work/err"
	case " $want " in *" $rc "*) ;; *) fail "'$*' exited $rc, not one of: $want" ;; esac
}

run 0 $MAKE
test "`cat benchrun.list`" = bench_strings || fail "benchrun.list: `cat benchrun.list`"
# The README's gate commands, as written there.
run 0 benchrun -q --save-baseline main $BENCHFLAGS
test -f baselines/main.json || fail "no baselines/main.json"
run "0 1" benchrun -q --baseline main $BENCHFLAGS
rm -rf baselines reports bench-summary.md

# A change before the base branch ever ran: measured, reported, no verdict.
run 0 ./ci-bench.sh main feature/x
grep -q "ci-bench: no baseline 'main' yet" "$work/err" || fail "no first-run note"
test -s bench-summary.md && test -f reports/index.html || fail "no reports on the first run"
test ! -e baselines/main.json || fail "a change saved the base branch's baseline"
# The base branch saves; the change is gated against it.
run 0 ./ci-bench.sh main main
test -f baselines/main.json || fail "the base branch saved no baseline"
run "0 1" ./ci-bench.sh main feature/x
grep -q 'strings/strlen/16 ' bench-summary.md || fail "no summary row"
grep -Eq 'regressed|no significant change|within noise|improved' bench-summary.md ||
	fail "the summary has no verdict"
# A base branch with a '/' in its name.
run 0 ./ci-bench.sh release/1.2 release/1.2
test -f baselines/release-1.2.json || fail "release/1.2 was not stored as release-1.2"
run "0 1" ./ci-bench.sh release/1.2 topic
echo "ci_recipe: docs/example's CI recipe runs as written"
