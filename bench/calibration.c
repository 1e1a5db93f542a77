/* SPDX-License-Identifier: MIT */
/* Benchmarks with a known answer, to check benchrun's accuracy: a busy-wait
 * of exactly 1 µs per iteration, and work exactly linear in a parameter. */
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

BR_MAIN()
