/* SPDX-License-Identifier: MIT */
/* The suite bench/measure-gate runs to check the regression gate: bodies
 * from tens of nanoseconds to a millisecond, with a slowdown that can be
 * injected into one of them.  BENCH_GATE_SLOW=NAME:PERCENT makes benchmark
 * NAME (every lcg and fnv1a benchmark, for NAME "*") do PERCENT % more
 * work, exactly (more multiply-adds, more bytes), in a "slow build": a
 * copy of this program whose marker below reads "slow-build:1"
 * (bench/measure-gate patches the copy's bytes).  The
 * environment is not enough: a paired comparison runs the old and the new
 * build with the same environment and from equal paths, so, as in real
 * life, only the code may differ. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "benchrun.h"
#include "kernels.h"

static volatile const char slow_build[] = "slow-build:0";

/* The work multiplier for the running benchmark: 1, or 1 + PERCENT/100
 * when BENCH_GATE_SLOW names it. */
static double slowdown(const br_state_t *st, const char *name)
{
	const char *env = getenv("BENCH_GATE_SLOW"), *colon;
	char full[64];

	if (!env || !(colon = strchr(env, ':')) || slow_build[11] != '1')
		return 1;
	snprintf(full, sizeof full, "%s/%lld", name, (long long)br_state_arg(st));
	if (colon - env == 1 && env[0] == '*')  /* every benchmark that can slow down */
		return 1 + atof(colon + 1) / 100;
	if ((size_t)(colon - env) != strlen(full) || strncmp(env, full, strlen(full)) != 0)
		return 1;
	return 1 + atof(colon + 1) / 100;
}

BR_BENCHMARK(gate, lcg, BR_ARGS(20, 1000, 100000, 1000000))
{
	int64_t steps = (int64_t)(br_state_arg(st) * slowdown(st, "gate/lcg") + 0.5);
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE(st) {
		x = kernel_lcg_chain(x, steps);
		br_do_not_optimize(x);
	}
}

static int make_bytes(br_state_t *st)
{
	size_t n = (size_t)br_state_arg(st) * 2;
	unsigned char *buf = malloc(n);

	if (!buf)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	br_state_set_user(st, buf);
	br_state_set_bytes_per_iter(st, (uint64_t)br_state_arg(st));
	return 0;
}

static void free_bytes(br_state_t *st)
{
	free(br_state_user(st));
}

BR_BENCHMARK(gate, fnv1a, BR_ARGS(4096), .setup = make_bytes, .teardown = free_bytes)
{
	const unsigned char *buf = br_state_user(st);
	size_t n = (size_t)(br_state_arg(st) * slowdown(st, "gate/fnv1a") + 0.5);

	BR_ITERATE(st) {
		br_do_not_optimize(kernel_fnv1a(buf, n));
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* A noisy one on purpose: sorts on these machines switch between speeds. */
static int make_ints(br_state_t *st)
{
	size_t n = (size_t)br_state_arg(st);
	int *v = malloc(2 * n * sizeof *v);
	uint32_t x = 2463534242u;

	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		v[i] = (int)x;
	}
	br_state_set_user(st, v);
	return 0;
}

BR_BENCHMARK(gate, qsort, BR_ARGS(1024), .setup = make_ints, .teardown = free_bytes)
{
	int *v = br_state_user(st);
	size_t n = (size_t)br_state_arg(st);

	BR_ITERATE(st) {
		memcpy(v + n, v, n * sizeof *v);
		qsort(v + n, n, sizeof *v, cmp_int);
		br_clobber();
	}
}

BR_MAIN()
