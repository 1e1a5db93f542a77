/* SPDX-License-Identifier: MIT */
/* A benchmark program for the CLI tests, written as a user would write one:
 * two cheap benchmarks that pass, and four that crash, hang, fail in setup
 * and abort, so the harness's handling of each can be checked. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

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

/* Settings of their own: a fixed iteration count and one process, with a
 * label; a skip by definition and one at run time; a time-out of its own
 * that a 10 s set-up overruns. */
BR_BENCHMARK(own, fixed, .iterations = 3, .processes = 1, .label = "three per sample")
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = x * 6364136223846793005u + br_black_box((uint64_t)1);
	}
	br_do_not_optimize(x);
}

BR_BENCHMARK(own, gpu, .skip = "needs a GPU")
{
	BR_ITERATE(st) {
	}
}

static int skip_setup(br_state_t *st)
{
	br_state_skip(st, "no input file here");
	return 0;
}

BR_BENCHMARK(own, input, .setup = skip_setup)
{
	BR_ITERATE(st) {
	}
}

static int slow_setup(br_state_t *st)
{
	(void)st;
	sleep(10);
	return 0;
}

BR_BENCHMARK(own, slow, .setup = slow_setup, .timeout = 0.5)
{
	BR_ITERATE(st) {
	}
}

/* User counters: a value from the environment (so a test can change it
 * between runs) and a per-iteration total. */
BR_BENCHMARK(own, counted)
{
	const char *ratio = getenv("WORKER_RATIO");
	uint64_t x = 1, n = 0;

	BR_ITERATE(st) {
		x = x * 6364136223846793005u + br_black_box((uint64_t)1);
		n++;
	}
	br_do_not_optimize(x);
	br_state_counter(st, "ratio", ratio ? atof(ratio) : 2, BR_COUNTER_VALUE);
	br_state_counter(st, "hits", (double)n, BR_COUNTER_PER_ITER);
}

/* Memory: WORKER_ALLOC blocks of 32 bytes made and freed an iteration
 * (none unless set), and WORKER_LEAK bytes left allocated an iteration
 * (chained, freed in the teardown), so a test can change them between
 * runs. */
static void free_chain(br_state_t *st)
{
	void **p = br_state_user(st);

	while (p) {
		void **next = *p;
		free(p);
		p = next;
	}
}

BR_BENCHMARK(own, allocating, .teardown = free_chain)
{
	int blocks = getenv("WORKER_ALLOC") ? atoi(getenv("WORKER_ALLOC")) : 0;
	size_t leak = getenv("WORKER_LEAK") ? (size_t)atoi(getenv("WORKER_LEAK")) : 0;
	void **chain = br_state_user(st);

	BR_ITERATE(st) {
		for (int i = 0; i < blocks; i++) {
			void *p = malloc(32);
			br_do_not_optimize(p);
			free(p);
		}
		if (leak >= sizeof(void *)) {
			void **p = malloc(leak);
			*p = chain;
			chain = p;
		}
	}
	br_state_set_user(st, chain);
}

/* Two threads at once, an item each per iteration. */
BR_BENCHMARK(own, threaded, BR_THREADS(2), .items_per_iter = 1)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = x * 6364136223846793005u + br_black_box((uint64_t)1);
	}
	br_do_not_optimize(x);
}

BR_MAIN()
