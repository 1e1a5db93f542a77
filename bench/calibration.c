/* SPDX-License-Identifier: MIT */
/* Benchmarks with a known answer, to check benchrun's accuracy: a busy-wait
 * of exactly 1 µs per iteration, and work exactly linear in a parameter. */
#include <time.h>
#include "benchrun.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Chained deadlines: iteration k ends at the first clock read past
 * start + k µs, so n iterations take n µs plus one bounded overshoot, and
 * the true cost per iteration is 1000 ns exactly (a preemption delays one
 * iteration and shortens the next ones, it does not add up). */
BR_BENCHMARK(known, spin_1us)
{
	uint64_t deadline = now_ns();

	BR_ITERATE(st) {
		deadline += 1000;
		while (now_ns() < deadline)
			;
	}
}

/* A serial chain of multiply-adds: the work is exactly proportional to the
 * parameter, so /10000 should cost 100 times /100. */
BR_BENCHMARK(known, lcg_chain, BR_ARGS(100, 10000))
{
	int64_t steps = br_state_arg(st);
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE(st) {
		for (int64_t i = 0; i < steps; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		br_do_not_optimize(x);
	}
}

BR_MAIN()
