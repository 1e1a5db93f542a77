/* SPDX-License-Identifier: MIT */
/* Benchmarks with a known answer, to check benchrun's accuracy: a busy-wait
 * of exactly 1 µs per iteration, and work exactly linear in a parameter;
 * and the cost of keeping work out of the clock (pause/resume, batched
 * set-up) on a body of about 10 ns. */
#include <stdlib.h>
#include "benchrun.h"
#include "kernels.h"

/* Chained deadlines: iteration k ends at the first clock read past
 * start + k µs, so the true cost per iteration is 1000 ns exactly. */
BR_BENCHMARK(known, spin_1us)
{
	uint64_t deadline = kernel_now_ns();

	BR_ITERATE(st) {
		deadline += 1000;
		kernel_spin_until(deadline);
	}
}

/* A serial chain of multiply-adds: the work is exactly proportional to the
 * parameter, so /10000 should cost 100 times /100. */
BR_BENCHMARK(known, lcg_chain, BR_ARGS(100, 10000))
{
	int64_t steps = br_state_arg(st);
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE(st) {
		x = kernel_lcg_chain(x, steps);
		br_do_not_optimize(x);
	}
}

/* Untimed work in every iteration, three ways, around the same timed body
 * (8 dependent multiply-adds, about 10 ns): none (api/plain), the untimed
 * steps between br_state_pause and br_state_resume (api/paused: what the
 * pair costs is api/paused - api/plain), and the untimed steps done for
 * each iteration's input by batch_setup, outside the loop (api/batched). */
BR_BENCHMARK(api, plain)
{
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE(st) {
		x = kernel_lcg_chain(x, 8);
		br_do_not_optimize(x);
	}
}

BR_BENCHMARK(api, paused)
{
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE(st) {
		x = kernel_lcg_chain(x, 8);
		br_do_not_optimize(x);
		br_state_pause(st);
		x = kernel_lcg_chain(x, 8);
		br_state_resume(st);
	}
}

static int lcg_inputs(br_state_t *st, uint64_t n)
{
	uint64_t *in = realloc(br_state_user(st), n * sizeof *in), x = 1;

	if (!in)
		return -1;
	for (uint64_t i = 0; i < n; i++)
		in[i] = x = kernel_lcg_chain(x, 8);
	br_state_set_user(st, in);
	return 0;
}

static void free_inputs(br_state_t *st)
{
	free(br_state_user(st));
}

BR_BENCHMARK(api, batched, .batch_setup = lcg_inputs, .teardown = free_inputs)
{
	const uint64_t *in = br_state_user(st);
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE_INDEXED(st, i) {
		x = kernel_lcg_chain(x ^ in[i], 8);  /* one chain, as in api/plain */
		br_do_not_optimize(x);
	}
}

BR_MAIN()
