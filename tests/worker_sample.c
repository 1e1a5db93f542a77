/* SPDX-License-Identifier: MIT */
/* A benchmark program for the CLI tests, written as a user would write one:
 * two cheap benchmarks that pass, and four that crash, hang, fail in setup
 * and abort, so the harness's handling of each can be checked. */
#include <signal.h>
#include <stdlib.h>

#include "benchrun.h"

BR_BENCHMARK(ok, fast)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = x * 6364136223846793005u + br_black_box((uint64_t)1);
	}
	br_do_not_optimize(x);
}

BR_BENCHMARK(ok, param, BR_ARGS(1, 2))
{
	int64_t n = br_state_arg(st), sum = 0;

	BR_ITERATE(st) {
		for (int64_t i = 0; i < br_black_box(n); i++)
			sum += i;
	}
	br_do_not_optimize(sum);
}

/* A real invalid write: the kernel, not raise(), delivers the SIGSEGV. */
BR_BENCHMARK(bad, crash)
{
	int *volatile nowhere = NULL;

	BR_ITERATE(st) {
		*nowhere = 1;
	}
}

BR_BENCHMARK(bad, hang)
{
	volatile int spin = 1;

	BR_ITERATE(st) {
		while (spin)
			;
	}
}

static int fail_setup(br_state_t *st)
{
	br_state_fail(st, "no input file");
	return 1;
}

BR_BENCHMARK(bad, fail, .setup = fail_setup)
{
	BR_ITERATE(st) {
	}
}

BR_BENCHMARK(bad, abort)
{
	BR_ITERATE(st) {
		abort();
	}
}

BR_MAIN()
