#!/bin/sh
# SPDX-License-Identifier: MIT
# The CI recipe for this project: usage: ./ci-bench.sh BASE-BRANCH BRANCH
#   on BASE-BRANCH itself: measure and save the baseline for it;
#   on another branch: measure and gate against that baseline, or, when
#   there is none yet (the first run, an expired cache), measure and report
#   without a verdict.
# The exit status is benchrun's own: 0 no regression, 1 regression, 2 usage
# or input error, 3 a benchmark failed (`make bench` would make 1 and 3 a 2).
# $BENCHFLAGS adds benchrun options, as for `make bench`.
set -u
test $# -eq 2 || { echo "usage: $0 BASE-BRANCH BRANCH" >&2; exit 2; }
# A baseline name is letters, digits, '.', '_' and '-': any other character
# of a branch name becomes '-' (release/1.2 is stored as release-1.2).
base=`printf %s "$1" | tr -c 'A-Za-z0-9._-' '-'`
out="--report reports --markdown bench-summary.md"

make >&2 || exit 2    # builds the programs and benchrun.list
if test "$1" = "$2"; then
	exec benchrun -q --save-baseline "$base" $out ${BENCHFLAGS:-}
elif test -f "${BENCHRUN_BASELINE_DIR:-baselines}/$base.json"; then
	exec benchrun -q --baseline "$base" $out ${BENCHFLAGS:-}
else
	echo "ci-bench: no baseline '$base' yet: measuring without a verdict" \
	     "(a run on $1 saves one)" >&2
	exec benchrun -q $out ${BENCHFLAGS:-}
fi
