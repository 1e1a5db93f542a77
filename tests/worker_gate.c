/* SPDX-License-Identifier: MIT */
/* A benchmark program for the regression-gate tests: five cheap benchmarks,
 * gate/a to gate/e, each a chain of a known number of dependent
 * multiply-adds (about 50 to 500 ns).  WORKER_GATE_SLOW=NAME:PERCENT makes
 * benchmark NAME do PERCENT % more of them: a regression on demand, in
 * every copy of the program but the old build of a paired run, which it
 * plays unchanged: the copy a baseline kept (its path holds "/programs/")
 * or the old side of benchrun's stage (".../benchrun-stage-XXXXXX/oN/"). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "benchrun.h"

/* Whether this process runs the old build of a paired comparison. */
static int old_build(void)
{
	const char *self = program_invocation_name, *stage = strstr(self, "/benchrun-stage-");
	const char *side = stage ? strchr(stage + 1, '/') : NULL;

	return strstr(self, "/programs/") != NULL || (side && side[1] == 'o');
}

/* The chain's length for benchmark `name`: `n`, or n * (1 + PERCENT / 100)
 * when WORKER_GATE_SLOW names it. */
static uint64_t chain_length(const char *name, uint64_t n)
{
	const char *slow = getenv("WORKER_GATE_SLOW");
	size_t len = strlen(name);

	if (slow && !strncmp(slow, name, len) && slow[len] == ':' &&
	    !old_build())
		return n + n * strtoull(slow + len + 1, NULL, 10) / 100;
	return n;
}

/* Each step needs the one before: the chain cannot be vectorised or
 * overlapped, so the time grows with its length and nothing else. */
static void chain(br_state_t *st, const char *name, uint64_t n_default)
{
	uint64_t n = chain_length(name, n_default), x = 1;

	BR_ITERATE(st) {
		for (uint64_t i = br_black_box(n); i > 0; i--)
			x = x * 6364136223846793005u + i;
	}
	br_do_not_optimize(x);
}

BR_BENCHMARK(gate, a)
{
	chain(st, "gate/a", 40);
}

BR_BENCHMARK(gate, b)
{
	chain(st, "gate/b", 80);
}

BR_BENCHMARK(gate, c)
{
	chain(st, "gate/c", 160);
}

BR_BENCHMARK(gate, d)
{
	chain(st, "gate/d", 240);
}

BR_BENCHMARK(gate, e)
{
	chain(st, "gate/e", 320);
}

BR_MAIN()
