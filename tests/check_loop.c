/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The measured loop against a scripted clock: benchmark bodies advance a fake
 * clock by a known amount per iteration, so warm-up, iteration planning and
 * every sample's iteration count and time are known exactly. */
#include <check.h>
#include "check_main.h"
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static uint64_t fake_now;

static uint64_t scripted_now(void)
{
	return fake_now;
}

static const struct br__timer scripted = {"scripted", scripted_now};

/* Setup and teardown move the clock a lot: none of it may show in samples. */
static int slow_setup(br_state_t *st)
{
	(void)st;
	fake_now += 1000000000u;
	return 0;
}

static void slow_teardown(br_state_t *st)
{
	(void)st;
	fake_now += 1000000000u;
}

BR_BENCHMARK(loop, ten_ns, .setup = slow_setup, .teardown = slow_teardown)
{
	BR_ITERATE(st) {
		fake_now += 10;
	}
}

BR_BENCHMARK(loop, one_ms)
{
	BR_ITERATE(st) {
		fake_now += 1000000;
	}
}

static int failing_setup(br_state_t *st)
{
	br_state_fail(st, "no input");
	return -1;
}

BR_BENCHMARK(loop, setup_fails, .setup = failing_setup)
{
	BR_ITERATE(st) {
		fake_now += 1;
	}
}

BR_BENCHMARK(loop, body_fails)
{
	br_state_fail(st, "checksum mismatch");
}

BR_BENCHMARK(loop, no_iterate)
{
	fake_now += 5;
}

/* Leaves the loop early after 3 iterations, by break or by return. */
BR_BENCHMARK(loop, breaks, BR_ARGS(0, 1))
{
	uint64_t k = 0;

	BR_ITERATE(st) {
		fake_now += 1;
		if (++k == 3) {
			if (br_state_arg(st))
				return;
			break;
		}
	}
}

BR_BENCHMARK(range, geo, BR_RANGE(64, 65536, 4))
{
	BR_ITERATE(st) {
		fake_now += 1;
	}
}

BR_BENCHMARK(range, uneven, BR_RANGE(10, 100, 4))
{
	BR_ITERATE(st) {
		fake_now += 1;
	}
}

BR_BENCHMARK(args, list, BR_ARGS(3, 1, 2), .bytes_per_iter = 8)
{
	BR_ITERATE(st) {
		fake_now += (uint64_t)br_state_arg(st);
	}
}

/* Definitions the registry must refuse, each running as a stand-in that
 * fails with the reason: impossible ranges, a parameter listed twice, and
 * (at the end of the file) a second definition of loop/ten_ns.  And one
 * with 100 parameters, past what the registry once cut silently at 64. */
#define BAD_BODY BR_ITERATE(st) { fake_now += 1; }
BR_BENCHMARK(bad, zero_range, BR_RANGE(0, 100, 2)) { BAD_BODY }
BR_BENCHMARK(bad, low_mul, BR_RANGE(1, 100, 1)) { BAD_BODY }
BR_BENCHMARK(bad, inverted, BR_RANGE(100, 10, 2)) { BAD_BODY }
BR_BENCHMARK(bad, twice, BR_ARGS(3, 5, 3)) { BAD_BODY }

static const int64_t hundred[100] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
	25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46,
	47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68,
	69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90,
	91, 92, 93, 94, 95, 96, 97, 98, 99, 100};
BR_BENCHMARK(many, params, .arg_list = hundred, .arg_count = 100) { BAD_BODY }

/* A batched body: set-up makes "inputs" for n iterations and takes 1 ms
 * of the scripted clock, which no sample may see; the body takes input i
 * in order and costs 2 ns; calls are capped at 100 iterations. */
static uint64_t batch_calls, batch_iters, teardown_calls, batch_biggest, index_errors;
static uint64_t *inputs;

static int make_inputs(br_state_t *st, uint64_t n)
{
	inputs = realloc(inputs, n * sizeof *inputs);
	if (!inputs)
		return -1;
	for (uint64_t i = 0; i < n; i++)
		inputs[i] = i;
	br_state_set_user(st, inputs);
	fake_now += 1000000;
	batch_calls++;
	batch_iters += n;
	batch_biggest = n > batch_biggest ? n : batch_biggest;
	return 0;
}

static void drop_inputs(br_state_t *st, uint64_t n)
{
	(void)st;
	(void)n;
	fake_now += 1000000;
	teardown_calls++;
}

BR_BENCHMARK(batch, fresh, .batch_setup = make_inputs, .batch_teardown = drop_inputs,
             .batch_max = 100)
{
	const uint64_t *in = br_state_user(st);

	BR_ITERATE_INDEXED(st, i) {
		index_errors += in[i] != i;
		fake_now += 2;
	}
}

static int refuse_inputs(br_state_t *st, uint64_t n)
{
	(void)n;
	br_state_fail(st, "no memory for the inputs");
	return -1;
}

BR_BENCHMARK(batch, refused, .batch_setup = refuse_inputs)
{
	BR_ITERATE(st) {
		fake_now += 2;
	}
}

/* Per-benchmark settings: a fixed iteration count, a measuring time of
 * its own, skips (by definition, from setup, from the body) and labels. */
BR_BENCHMARK(own, fixed, .iterations = 7, .label = "seven")
{
	BR_ITERATE(st) {
		fake_now += 10;
	}
}

BR_BENCHMARK(own, long_budget, .measure_time = 0.001)
{
	BR_ITERATE(st) {
		fake_now += 10;
	}
}

static unsigned own_setups, own_teardowns;

static int counted_setup(br_state_t *st)
{
	(void)st;
	own_setups++;
	return 0;
}

static void counted_teardown(br_state_t *st)
{
	(void)st;
	own_teardowns++;
}

BR_BENCHMARK(own, skipped, .skip = "needs a GPU", .setup = counted_setup,
             .teardown = counted_teardown)
{
	BR_ITERATE(st) {
		fake_now += 10;
	}
}

static int skipping_setup(br_state_t *st)
{
	own_setups++;
	br_state_skip(st, "no input file");
	return 0;
}

BR_BENCHMARK(own, skips_in_setup, .setup = skipping_setup, .teardown = counted_teardown)
{
	BR_ITERATE(st) {
		fake_now += 10;
	}
}

BR_BENCHMARK(own, skips_in_body, .label = "from the definition")
{
	br_state_set_label(st, "from the body");
	BR_ITERATE(st) {
		fake_now += 10;
	}
	if (br_state_arg(st) == 0)
		br_state_skip(st, "the CPU lacks AVX2");
}

/* Named parameters: a product of an integer list, strings and a range,
 * the last varying fastest; each run records what the accessors gave. */
static char seen[16][96];
static unsigned nseen;

BR_BENCHMARK(multi, product, BR_PARAMS(BR_PARAM("n", 16, 256),
                                       BR_PARAM_STRINGS("dist", "random", "sorted"),
                                       BR_PARAM_RANGE("k", 1, 4, 2)))
{
	if (nseen < 16)
		snprintf(seen[nseen++], sizeof seen[0], "%lld %lld %lld %s %s %lld",
		         (long long)br_state_param(st, "n"), (long long)br_state_param_at(st, 1),
		         (long long)br_state_param(st, "k"), br_state_param_text(st, "dist"),
		         br_state_param_text(st, "n"), (long long)br_state_arg(st));
	BR_ITERATE(st) {
		fake_now += 1;
	}
}

BR_BENCHMARK(multi, unknown, BR_PARAMS(BR_PARAM("n", 1)))
{
	(void)br_state_param(st, "m");
	BR_ITERATE(st) {
		fake_now += 1;
	}
}

/* Named parameters the registry refuses. */
BR_BENCHMARK(badp, twice_named, BR_PARAMS(BR_PARAM("n", 1), BR_PARAM("n", 2))) { BAD_BODY }
BR_BENCHMARK(badp, slash, BR_PARAMS(BR_PARAM("a/b", 1))) { BAD_BODY }
BR_BENCHMARK(badp, same_string, BR_PARAMS(BR_PARAM_STRINGS("s", "x", "x"))) { BAD_BODY }
BR_BENCHMARK(badp, mixed, BR_ARGS(1), BR_PARAMS(BR_PARAM("n", 2))) { BAD_BODY }
BR_BENCHMARK(badp, range, BR_PARAMS(BR_PARAM_RANGE("n", 0, 8, 2))) { BAD_BODY }
BR_BENCHMARK(badp, too_many, BR_PARAMS(BR_PARAM_RANGE("a", 1, 1 << 19, 2),
                                       BR_PARAM_RANGE("b", 1, 1 << 19, 2),
                                       BR_PARAM_RANGE("c", 1, 1 << 19, 2),
                                       BR_PARAM_RANGE("d", 1, 1 << 19, 2))) { BAD_BODY }

/* A name that is no C identifier, and one function serving a table of
 * definitions made at run time, each with its data. */
BR_BENCHMARK_NAMED(lz4_level9, "lz4-hc", "level 9")
{
	BR_ITERATE(st) {
		fake_now += 9;
	}
}

struct codec {
	const char *name;
	uint64_t cost;
};
static const struct codec codecs[] = {{"fast", 3}, {"slow", 30}};
static br_benchmark_t codec_defs[2];

static void codec_body(br_state_t *st)
{
	const struct codec *c = br_state_data(st);

	BR_ITERATE(st) {
		fake_now += c->cost;
	}
}

__attribute__((constructor)) static void codecs_register(void)
{
	for (size_t i = 0; i < 2; i++) {
		codec_defs[i] = (br_benchmark_t){.group = "codec", .name = codecs[i].name,
		                                 .fn = codec_body, .data = &codecs[i],
		                                 .file = __FILE__, .line = __LINE__};
		br_benchmark_register(&codec_defs[i]);
	}
}

/* User counters: a value, a per-iteration total and a rate, set by every
 * call (warm-up too, which must not count); and misuse. */
BR_BENCHMARK(user, counted)
{
	uint64_t n = 0;

	BR_ITERATE(st) {
		fake_now += 4;
		n++;
	}
	br_state_counter(st, "ratio", 2.5, BR_COUNTER_VALUE);
	br_state_counter(st, "hits", 3.0 * (double)n, BR_COUNTER_PER_ITER);
	br_state_counter(st, "bytes", 8.0 * (double)n, BR_COUNTER_RATE);
}

BR_BENCHMARK(user, two_kinds)
{
	BR_ITERATE(st) {
		fake_now += 1;
	}
	br_state_counter(st, "x", 1, BR_COUNTER_VALUE);
	br_state_counter(st, "x", 1, BR_COUNTER_RATE);
}

BR_BENCHMARK(user, bad_name)
{
	BR_ITERATE(st) {
		fake_now += 1;
	}
	br_state_counter(st, "a:b", 1, BR_COUNTER_VALUE);
}

BR_BENCHMARK(user, too_many)
{
	char name[16];

	BR_ITERATE(st) {
		fake_now += 1;
	}
	for (int i = 0; i < 33; i++) {
		snprintf(name, sizeof name, "c%d", i);
		br_state_counter(st, name, i, BR_COUNTER_VALUE);
	}
}

/* Pause and resume: 5 ns timed and 100 ns paused per iteration; manual
 * timing: 1 µs given per iteration against 1 ns of clock; and a manual
 * body that gives nothing. */
BR_BENCHMARK(timing, paused)
{
	BR_ITERATE(st) {
		fake_now += 5;
		br_state_pause(st);
		fake_now += 100;
		br_state_resume(st);
	}
}

BR_BENCHMARK(timing, manual, .manual_time = 1)
{
	BR_ITERATE(st) {
		fake_now += 1;
		br_state_set_iteration_time(st, 1e-6);
	}
}

/* A pause before the loop would be taken out of the loop's time (an
 * unsigned wrap); one after the loop would outlive it. */
BR_BENCHMARK(timing, pause_outside)
{
	br_state_pause(st);
	fake_now += 1000;
	BR_ITERATE(st) {
		fake_now += 5;
	}
	br_state_resume(st);
}

BR_BENCHMARK(timing, pause_after)
{
	BR_ITERATE(st) {
		fake_now += 5;
	}
	br_state_pause(st);
}

BR_BENCHMARK(timing, manual_huge, .manual_time = 1)
{
	BR_ITERATE(st) {
		fake_now += 1;
		br_state_set_iteration_time(st, 1e12);
	}
}

BR_BENCHMARK(timing, manual_silent, .manual_time = 1)
{
	BR_ITERATE(st) {
		fake_now += 1;
	}
}

/* Threads: every thread counts its iterations and checks, at its first
 * iteration, that all had arrived; only thread 0 moves the scripted clock
 * (10 ns an iteration), so a sample's time is exactly thread 0's. */
static unsigned thr_arrived, thr_late, thr_index_sum;
static uint64_t thr_iters;

BR_BENCHMARK(thr, count, BR_THREADS(1, 3))
{
	uint64_t n = 0;
	int first = 1;

	__atomic_add_fetch(&thr_arrived, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&thr_index_sum, br_state_thread_index(st), __ATOMIC_SEQ_CST);
	BR_ITERATE(st) {
		if (first) {
			first = 0;
			if (__atomic_load_n(&thr_arrived, __ATOMIC_SEQ_CST) % br_state_threads(st))
				__atomic_add_fetch(&thr_late, 1, __ATOMIC_SEQ_CST);
		}
		if (br_state_thread_index(st) == 0)
			fake_now += 10;
		n++;
	}
	__atomic_add_fetch(&thr_iters, n, __ATOMIC_SEQ_CST);
	br_state_counter(st, "ops", (double)n, BR_COUNTER_PER_ITER);
}

BR_BENCHMARK(thr, params, BR_PARAMS(BR_PARAM("n", 8)), BR_THREADS(2))
{
	BR_ITERATE(st) {
	}
}

/* A thread that fails, one that does not loop. */
BR_BENCHMARK(thr, one_fails, BR_THREADS(2))
{
	if (br_state_thread_index(st) == 1) {
		br_state_fail(st, "no device");
		return;
	}
	BR_ITERATE(st) {
		fake_now += 1;
	}
}

static int no_inputs(br_state_t *st, uint64_t n)
{
	(void)st;
	(void)n;
	return 0;
}

BR_BENCHMARK(badt, zero, BR_THREADS(0)) { BAD_BODY }
BR_BENCHMARK(badt, twice, BR_THREADS(2, 2)) { BAD_BODY }
/* 80000 combinations are allowed; on two thread counts they are 160000. */
BR_BENCHMARK(badt, many, BR_PARAMS(BR_PARAM_RANGE("a", 1, 1 << 19, 2),
                                   BR_PARAM_RANGE("b", 1, 1 << 19, 2),
                                   BR_PARAM_RANGE("c", 1, 1 << 19, 2),
                                   BR_PARAM_RANGE("d", 1, 512, 2)),
             BR_THREADS(1, 2)) { BAD_BODY }
BR_BENCHMARK(badt, batched, BR_THREADS(2), .batch_setup = no_inputs) { BAD_BODY }

/* What went through the message hook. */
static int nmessages;
static char last_message[512];

static void capture(int level, const char *line, void *ctx)
{
	(void)ctx;
	nmessages += level == BR_MSG_ERROR;
	snprintf(last_message, sizeof last_message, "%s", line);
}

static const struct br__instance *find(const char *name)
{
	const struct br__instance *all;
	int n = br__registry_instances(&all);

	for (int i = 0; i < n; i++)
		if (!strcmp(all[i].name, name))
			return &all[i];
	ck_abort_msg("no instance %s", name);
	return NULL;
}

static void setup_clock(void)
{
	fake_now = 12345;
	br__timer_use(&scripted);
}

/* Warm-up budget 1000 ns at 10 ns/iter: calls of 1, 2, 4, 8, 16, 32
 * iterations (630 ns), then the doubling is capped by the 370 ns left: 37
 * iterations.  So 100 iterations in exactly 1000 ns, estimate 10 ns.  Plan:
 * 1e6 ns over 10 ramp samples, 55 steps: d = floor(1e6 / (10 * 55)) = 1818. */
START_TEST(test_linear_ramp_exact)
{
	struct br__settings s = {1000, 1e6, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;

	ck_assert_int_eq(br__run_measure(find("loop/ten_ns"), &s, &run), 0);
	ck_assert_uint_eq(run.warmup_iters, 100);
	ck_assert_uint_eq(run.warmup_ns, 1000);
	ck_assert_int_eq(run.plan.flat, 0);
	ck_assert_uint_eq(run.plan.step_iters, 1818);
	ck_assert_uint_eq(run.nsamples, 10);
	for (unsigned k = 1; k <= 10; k++) {
		ck_assert_uint_eq(run.iters[k - 1], 1818u * k);
		ck_assert_uint_eq(run.ns[k - 1], 18180u * k);
	}
	br__run_free(&run);
}
END_TEST

/* 1 ms per iteration: one warm-up call overruns the 1000 ns budget; 10 ms
 * over 10 samples cannot ramp (d would be 0.18), so each sample runs
 * round(1e7 / (1e6 * 10)) = 1 iteration; with 50 ms, 5 iterations. */
START_TEST(test_flat_for_slow_bodies)
{
	struct br__settings s = {1000, 1e7, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;

	ck_assert_int_eq(br__run_measure(find("loop/one_ms"), &s, &run), 0);
	ck_assert_uint_eq(run.warmup_iters, 1);
	ck_assert_int_eq(run.plan.flat, 1);
	for (unsigned k = 0; k < 10; k++) {
		ck_assert_uint_eq(run.iters[k], 1);
		ck_assert_uint_eq(run.ns[k], 1000000);
	}
	br__run_free(&run);
	s.measure_ns = 5e7;
	ck_assert_int_eq(br__run_measure(find("loop/one_ms"), &s, &run), 0);
	ck_assert_uint_eq(run.plan.flat_iters, 5);
	ck_assert_uint_eq(run.iters[9], 5);
	ck_assert_uint_eq(run.ns[9], 5000000);
	br__run_free(&run);
}
END_TEST

START_TEST(test_failures_are_reported)
{
	struct br__settings s = {1000, 1e5, 5, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;

	ck_assert_int_eq(br__run_measure(find("loop/setup_fails"), &s, &run), BR_ESETUP);
	ck_assert_str_eq(run.reason, "no input");
	ck_assert_uint_eq(run.nsamples, 0);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("loop/body_fails"), &s, &run), BR_EFAILED);
	ck_assert_str_eq(run.reason, "checksum mismatch");
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("loop/no_iterate"), &s, &run), BR_ENOITER);
	ck_assert_str_eq(run.reason, br_strerror(BR_ENOITER));
	br__run_free(&run);
	/* Leaving the loop early is a failure that says so, not a sample. */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(br__run_measure(find(i ? "loop/breaks/1" : "loop/breaks/0"), &s,
		                                 &run), BR_EFAILED);
		ck_assert_msg(strstr(run.reason, "left BR_ITERATE early"), "%s", run.reason);
		ck_assert_uint_eq(run.nsamples, 0);
		br__run_free(&run);
	}
}
END_TEST

START_TEST(test_plan_arithmetic)
{
	struct br__plan p;

	/* 30 samples: 465 steps; 1e8 ns at 1 ns/iter gives d = 215053. */
	br__plan_make(1.0, 1e8, 30, &p);
	ck_assert_int_eq(p.flat, 0);
	ck_assert_uint_eq(p.step_iters, 215053);
	ck_assert_uint_eq(br__plan_iters(&p, 30), 30u * 215053);
	/* Exactly one step per sample still ramps: 465 * 215 = 99975 <= 1e5. */
	br__plan_make(215.0, 1e5, 30, &p);
	ck_assert_int_eq(p.flat, 0);
	ck_assert_uint_eq(p.step_iters, 1);
	/* A body longer than the whole budget runs once per sample, in the
	 * fewest samples allowed: 10, not 30. */
	br__plan_make(1e9, 1e8, 30, &p);
	ck_assert_int_eq(p.flat, 1);
	ck_assert_uint_eq(p.flat_iters, 1);
	ck_assert_uint_eq(p.samples, 10);
	/* 5 ms a body, 100 ms budget: 20 samples of one iteration. */
	br__plan_make(5e6, 1e8, 30, &p);
	ck_assert_uint_eq(p.samples, 20);
	ck_assert_uint_eq(p.flat_iters, 1);
	/* Fast enough for one iteration per sample: all 30 kept. */
	br__plan_make(3e6, 1e8, 30, &p);
	ck_assert_uint_eq(p.samples, 30);
	/* A zero estimate (clock too coarse) is treated as 1 ns, not infinity. */
	br__plan_make(0.0, 1e6, 10, &p);
	ck_assert_uint_eq(p.step_iters, 18181);
}
END_TEST

/* An imposed plan: the harness's choice wins over the estimate, so every
 * process of a benchmark uses one estimator. */
START_TEST(test_plan_imposed)
{
	struct br__plan p;

	/* 216 ns would go flat by itself (465 * 216 > 1e5); imposed linear,
	 * d = 1 and all 30 samples (465 * 216 = 100440 < 4 * 1e5). */
	br__plan_make_mode(216.0, 1e5, 30, BR__PLAN_AUTO, &p);
	ck_assert_int_eq(p.flat, 1);
	br__plan_make_mode(216.0, 1e5, 30, BR__PLAN_LINEAR, &p);
	ck_assert_int_eq(p.flat, 0);
	ck_assert_uint_eq(p.step_iters, 1);
	ck_assert_uint_eq(p.samples, 30);
	/* 2 us imposed linear: 465 * 2000 = 930000 > 4e5, so samples shrink to
	 * the largest n with n(n+1)/2 * 2000 <= 4e5: n = 19 (190 steps). */
	br__plan_make_mode(2000.0, 1e5, 30, BR__PLAN_LINEAR, &p);
	ck_assert_int_eq(p.flat, 0);
	ck_assert_uint_eq(p.samples, 19);
	/* ... never under BR__MIN_SLOW_SAMPLES. */
	br__plan_make_mode(1e9, 1e5, 30, BR__PLAN_LINEAR, &p);
	ck_assert_uint_eq(p.samples, BR__MIN_SLOW_SAMPLES);
	ck_assert_uint_eq(p.step_iters, 1);
	/* A fast body imposed flat: equal samples filling the budget, 1e8 /
	 * (1 ns * 30) = 3333333 iterations each. */
	br__plan_make_mode(1.0, 1e8, 30, BR__PLAN_FLAT, &p);
	ck_assert_int_eq(p.flat, 1);
	ck_assert_uint_eq(p.samples, 30);
	ck_assert_uint_eq(p.flat_iters, 3333333);
}
END_TEST

START_TEST(test_parameter_names)
{
	static const char *geo[] = {"64", "256", "1024", "4096", "16384", "65536"};
	char name[64];

	for (size_t i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "range/geo/%s", geo[i]);
		ck_assert_str_eq(find(name)->param, geo[i]);
	}
	/* 10, 40, then 160 steps over 100: the end itself is measured too. */
	ck_assert_int_eq(find("range/uneven/10")->arg, 10);
	ck_assert_int_eq(find("range/uneven/40")->arg, 40);
	ck_assert_int_eq(find("range/uneven/100")->arg, 100);
	/* Explicit lists keep their order; no parameter means no third part. */
	ck_assert_int_eq(find("args/list/3")->arg, 3);
	ck_assert_int_eq(find("args/list/1")->has_arg, 1);
	ck_assert_int_eq(find("loop/ten_ns")->has_arg, 0);
}
END_TEST

START_TEST(test_registry_count_and_order)
{
	const struct br__instance *all;
	int n = br__registry_instances(&all);

	/* 5 loop + 2 breaks + 6 geo + 3 uneven + 3 list, 4 refused (one
	 * stand-in each), 100 many, 2 batch, 5 own, 12 + 1 multi, 6 refused
	 * badp, 1 named, 2 codecs made at run time, 4 user, 6 timing, 4 thr,
	 * 4 refused badt, and the second loop/ten_ns. */
	ck_assert_int_eq(n, 171);
	ck_assert_str_eq(all[0].name, "loop/ten_ns");
	ck_assert_str_eq(all[n - 49].name, "many/params/100");
	ck_assert_str_eq(all[n - 22].name, "lz4-hc/level 9");
	ck_assert_str_eq(all[n - 20].name, "codec/slow");
	ck_assert_str_eq(all[n - 16].name, "user/too_many");
	ck_assert_str_eq(all[n - 10].name, "timing/manual_silent");
	ck_assert_str_eq(all[n - 2].name, "badt/batched");
	ck_assert_str_eq(all[n - 1].name, "loop/ten_ns~2");
}
END_TEST

/* Each refused definition: one error through the message hook when the
 * registry is built, and a stand-in that fails with the same reason. */
START_TEST(test_registration_errors)
{
	static const char *const cases[][2] = {
		{"bad/zero_range", "BR_RANGE(0, 100, 2): the low end must be 1 or more"},
		{"bad/low_mul", "BR_RANGE(1, 100, 1): the multiplier must be 2 or more"},
		{"bad/inverted", "BR_RANGE(100, 10, 2): the low end is above the high end"},
		{"bad/twice", "parameter 3 is listed twice in BR_ARGS"},
		{"badp/twice_named", "parameter \"n\" is named twice in BR_PARAMS"},
		{"badp/slash", "parameter 1: a name must be non-empty printable UTF-8 without '/' "
		 "or ':'"},
		{"badp/same_string", "parameter \"s\": value \"x\" is listed twice"},
		{"badp/mixed", "BR_PARAMS cannot be combined with BR_ARGS or BR_RANGE"},
		{"badp/range", "BR_PARAM_RANGE(\"n\", 0, 8, 2): the low end must be 1 or more"},
		{"badp/too_many", "more than 100000 combinations of parameters"},
		{"badt/many", "more than 100000 combinations of parameters and thread counts"},
		{"loop/ten_ns~2", "duplicate benchmark name loop/ten_ns (" __FILE__ ":"},
	};
	struct br__settings s = {1000, 1e5, 5, NULL, BR__PLAN_AUTO, 0, 1, 0};
	const struct br__instance *all;
	struct br__run run;

	nmessages = 0;
	ck_assert_int_gt(br__registry_instances(&all), 0);
	ck_assert_int_eq(nmessages, 15);
	ck_assert_msg(strstr(last_message, "duplicate benchmark name loop/ten_ns"), "%s",
	              last_message);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_int_eq(br__run_measure(find(cases[i][0]), &s, &run), BR_ESETUP);
		ck_assert_msg(strstr(run.reason, cases[i][1]), "%s: %s", cases[i][0], run.reason);
		br__run_free(&run);
	}
	/* The hundredth parameter is there, and runs. */
	ck_assert_int_eq(br__run_measure(find("many/params/100"), &s, &run), 0);
	br__run_free(&run);
}
END_TEST

START_TEST(test_throughput_from_definition)
{
	struct br__settings s = {100, 1e4, 4, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;

	ck_assert_int_eq(br__run_measure(find("args/list/2"), &s, &run), 0);
	ck_assert_uint_eq(run.bytes_per_iter, 8);
	/* 2 ns per iteration, scripted: every sample is exactly 2 ns * iters. */
	for (unsigned k = 0; k < run.nsamples; k++)
		ck_assert_uint_eq(run.ns[k], 2 * run.iters[k]);
	br__run_free(&run);
}
END_TEST

/* A second definition of loop/ten_ns, registered last (as a definition
 * in another file of the program would be). */
static void dup_fn(br_state_t *st)
{
	BAD_BODY
}

static br_benchmark_t dup_def = {.group = "loop", .name = "ten_ns", .fn = dup_fn,
                                 .file = __FILE__, .line = __LINE__};

__attribute__((constructor)) static void dup_register(void)
{
	br_benchmark_register(&dup_def);
}

/* Set-up and teardown run once per call, outside the clock; every
 * iteration gets its own input, in order; no call runs more than
 * batch_max iterations, so the ramp shrinks to fit. */
START_TEST(test_batched)
{
	struct br__settings s = {5000, 1e5, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;
	uint64_t sampled = 0;

	ck_assert_int_eq(br__run_measure(find("batch/fresh"), &s, &run), 0);
	ck_assert_uint_eq(index_errors, 0);
	ck_assert_uint_eq(batch_calls, teardown_calls);
	ck_assert_uint_le(batch_biggest, 100);
	for (unsigned k = 0; k < run.nsamples; k++) {
		ck_assert_uint_eq(run.ns[k], 2 * run.iters[k]);
		sampled += run.iters[k];
	}
	ck_assert_uint_eq(run.nsamples, 10);
	ck_assert_uint_eq(run.iters[9], 100);  /* step 10: 10, 20, ... 100 */
	ck_assert_uint_eq(batch_iters, run.warmup_iters + sampled);
	br__run_free(&run);
	/* A set-up that fails fails the benchmark, with its reason. */
	ck_assert_int_eq(br__run_measure(find("batch/refused"), &s, &run), BR_ESETUP);
	ck_assert_str_eq(run.reason, "no memory for the inputs");
	br__run_free(&run);
}
END_TEST

START_TEST(test_own_settings)
{
	struct br__settings s = {5000, 1e5, 10, NULL, BR__PLAN_LINEAR, 0, 1, 0};
	struct br__run run;
	uint64_t small = 0, big = 0;

	/* Exactly 7 iterations in every sample and in the one warm-up call,
	 * whatever plan the harness imposes; the label comes along. */
	ck_assert_int_eq(br__run_measure(find("own/fixed"), &s, &run), 0);
	ck_assert_uint_eq(run.nsamples, 10);
	ck_assert_uint_eq(run.warmup_iters, 7);
	ck_assert_int_eq(run.plan.flat, 1);
	for (unsigned k = 0; k < run.nsamples; k++) {
		ck_assert_uint_eq(run.iters[k], 7);
		ck_assert_uint_eq(run.ns[k], 70);
	}
	ck_assert_str_eq(run.label, "seven");
	br__run_free(&run);
	/* A measuring time of its own: 1 ms against the settings' 0.1 ms. */
	ck_assert_int_eq(br__run_measure(find("loop/ten_ns"), &s, &run), 0);
	for (unsigned k = 0; k < run.nsamples; k++)
		small += run.ns[k];
	ck_assert_str_eq(run.label, "");
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("own/long_budget"), &s, &run), 0);
	for (unsigned k = 0; k < run.nsamples; k++)
		big += run.ns[k];
	br__run_free(&run);
	ck_assert_uint_ge(small, 90000);
	ck_assert_uint_le(small, 110000);
	ck_assert_uint_ge(big, 900000);
	ck_assert_uint_le(big, 1100000);
}
END_TEST

START_TEST(test_skips)
{
	struct br__settings s = {5000, 1e5, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;

	/* Skipped by its definition: never set up. */
	own_setups = own_teardowns = 0;
	ck_assert_int_eq(br__run_measure(find("own/skipped"), &s, &run), BR_ESKIPPED);
	ck_assert_str_eq(run.reason, "needs a GPU");
	ck_assert_uint_eq(run.nsamples, 0);
	ck_assert_uint_eq(own_setups + own_teardowns, 0);
	br__run_free(&run);
	/* From setup: torn down, nothing run. */
	ck_assert_int_eq(br__run_measure(find("own/skips_in_setup"), &s, &run), BR_ESKIPPED);
	ck_assert_str_eq(run.reason, "no input file");
	ck_assert_uint_eq(own_setups, 1);
	ck_assert_uint_eq(own_teardowns, 1);
	ck_assert_uint_eq(run.warmup_iters, 0);
	br__run_free(&run);
	/* From the body, after its loop ran to the end: skipped, not "left
	 * BR_ITERATE early"; the body's label replaces the definition's. */
	ck_assert_int_eq(br__run_measure(find("own/skips_in_body"), &s, &run), BR_ESKIPPED);
	ck_assert_str_eq(run.reason, "the CPU lacks AVX2");
	ck_assert_str_eq(run.label, "from the body");
	br__run_free(&run);
	ck_assert_str_eq(br_strerror(BR_ESKIPPED), "benchmark skipped");
}
END_TEST

START_TEST(test_named_parameters)
{
	static const char *const want[][2] = {
		{"multi/product/n:16/dist:random/k:1", "16 0 1 random 16 16"},
		{"multi/product/n:16/dist:random/k:2", "16 0 2 random 16 16"},
		{"multi/product/n:16/dist:random/k:4", "16 0 4 random 16 16"},
		{"multi/product/n:16/dist:sorted/k:1", "16 1 1 sorted 16 16"},
		{"multi/product/n:256/dist:random/k:1", "256 0 1 random 256 256"},
		{"multi/product/n:256/dist:sorted/k:4", "256 1 4 sorted 256 256"},
	};
	struct br__settings s = {100, 1e4, 4, NULL, BR__PLAN_AUTO, 0, 1, 0};
	const struct br__instance *all;
	struct br__run run;
	int n = br__registry_instances(&all), first = -1;

	/* 2 x 2 x 3 instances, in order, the last parameter fastest. */
	for (int i = 0; i < n && first < 0; i++)
		if (!strncmp(all[i].name, "multi/product/", 14))
			first = i;
	ck_assert_int_ge(first, 0);
	ck_assert_str_eq(all[first].name, want[0][0]);
	ck_assert_str_eq(all[first + 11].name, "multi/product/n:256/dist:sorted/k:4");
	ck_assert_str_eq(all[first + 3].param, "n:16/dist:sorted/k:1");
	ck_assert_str_eq(all[first + 12].name, "multi/unknown/n:1");
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		nseen = 0;
		ck_assert_int_eq(br__run_measure(find(want[i][0]), &s, &run), 0);
		ck_assert_str_eq(seen[0], want[i][1]);
		br__run_free(&run);
	}
	/* A name the benchmark does not have fails it, saying so. */
	ck_assert_int_eq(br__run_measure(find("multi/unknown/n:1"), &s, &run), BR_EFAILED);
	ck_assert_str_eq(run.reason, "the benchmark has no parameter named \"m\"");
	br__run_free(&run);
	/* Names as strings; one function, its definitions' data. */
	ck_assert_int_eq(br__run_measure(find("lz4-hc/level 9"), &s, &run), 0);
	ck_assert_uint_eq(run.ns[0], 9 * run.iters[0]);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("codec/slow"), &s, &run), 0);
	ck_assert_uint_eq(run.ns[0], 30 * run.iters[0]);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("codec/fast"), &s, &run), 0);
	ck_assert_uint_eq(run.ns[0], 3 * run.iters[0]);
	br__run_free(&run);
}
END_TEST

START_TEST(test_user_counters)
{
	struct br__settings s = {5000, 1e5, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;
	uint64_t iters = 0, ns = 0;

	ck_assert_int_eq(br__run_measure(find("user/counted"), &s, &run), 0);
	for (unsigned k = 0; k < run.nsamples; k++)
		iters += run.iters[k], ns += run.ns[k];
	ck_assert_uint_eq(run.nucount, 3);
	ck_assert_str_eq(run.ucount[0].name, "ratio");
	ck_assert_double_eq(br__user_figure(&run.ucount[0]), 2.5);
	/* The samples' iterations and loop time only, not the warm-up's. */
	ck_assert_uint_eq(run.ucount[1].iters, iters);
	ck_assert_double_eq(br__user_figure(&run.ucount[1]), 3.0);
	ck_assert_uint_eq(run.ucount[2].ns, ns);
	ck_assert_double_eq_tol(br__user_figure(&run.ucount[2]), 8.0 / 4e-9, 1e-3);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("user/two_kinds"), &s, &run), BR_EFAILED);
	ck_assert_str_eq(run.reason, "user counter \"x\" set with two kinds");
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("user/bad_name"), &s, &run), BR_EFAILED);
	ck_assert_msg(strstr(run.reason, "user counter \"a:b\": a name must be"), "%s",
	              run.reason);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("user/too_many"), &s, &run), BR_EFAILED);
	ck_assert_str_eq(run.reason, "user counter \"c32\": more than 32 counters");
	br__run_free(&run);
}
END_TEST

START_TEST(test_pause_and_manual)
{
	struct br__settings s = {5000, 1e5, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;
	uint64_t iters = 0;

	/* Exactly the paused spans are taken out; the pauses are counted. */
	ck_assert_int_eq(br__run_measure(find("timing/paused"), &s, &run), 0);
	for (unsigned k = 0; k < run.nsamples; k++) {
		ck_assert_uint_eq(run.ns[k], 5 * run.iters[k]);
		iters += run.iters[k];
	}
	ck_assert_uint_eq(run.pauses, iters);
	ck_assert_uint_eq(run.paused_ns, 100 * iters);
	br__run_free(&run);
	/* The body's own times, not the clock's. */
	ck_assert_int_eq(br__run_measure(find("timing/manual"), &s, &run), 0);
	for (unsigned k = 0; k < run.nsamples; k++)
		ck_assert_uint_eq(run.ns[k], 1000 * run.iters[k]);
	br__run_free(&run);
	/* Pauses outside the loop and times no sample can hold are refused. */
	ck_assert_int_eq(br__run_measure(find("timing/pause_outside"), &s, &run), BR_EFAILED);
	ck_assert_msg(strstr(run.reason, "br_state_pause: called outside BR_ITERATE"), "%s",
	              run.reason);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("timing/pause_after"), &s, &run), BR_EFAILED);
	ck_assert_msg(strstr(run.reason, "br_state_pause: called outside BR_ITERATE"), "%s",
	              run.reason);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("timing/manual_huge"), &s, &run), BR_EFAILED);
	ck_assert_msg(strstr(run.reason, "br_state_set_iteration_time: a time of 1e9 s or more"),
	              "%s", run.reason);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("timing/manual_silent"), &s, &run), BR_EFAILED);
	ck_assert_msg(strstr(run.reason, "manual timing (.manual_time): the body gave no "
	                     "iteration time"), "%s", run.reason);
	br__run_free(&run);
}
END_TEST

START_TEST(test_threads)
{
	struct br__settings s = {5000, 1e5, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;
	uint64_t sampled = 0, calls = 0;

	ck_assert_str_eq(find("thr/count/threads:1")->name, "thr/count/threads:1");
	ck_assert_uint_eq(find("thr/count/threads:3")->nthreads, 3);
	ck_assert_str_eq(find("thr/params/n:8/threads:2")->param, "n:8/threads:2");
	thr_arrived = thr_late = thr_index_sum = 0;
	thr_iters = 0;
	ck_assert_int_eq(br__run_measure(find("thr/count/threads:3"), &s, &run), 0);
	for (unsigned k = 0; k < run.nsamples; k++) {
		ck_assert_uint_eq(run.ns[k], 10 * run.iters[k]);  /* thread 0's time */
		sampled += run.iters[k];
	}
	calls = thr_arrived / 3;
	ck_assert_uint_eq(thr_arrived % 3, 0);
	ck_assert_uint_eq(thr_late, 0);                     /* started together */
	ck_assert_uint_eq(thr_index_sum, 3 * calls);        /* 0 + 1 + 2 a call */
	ck_assert_uint_eq(thr_iters, 3 * (sampled + run.warmup_iters));  /* every iteration */
	/* User counters add up over the threads: n per thread, per iteration 1. */
	ck_assert_str_eq(run.ucount[0].name, "ops");
	ck_assert_double_eq(br__user_figure(&run.ucount[0]), 1);
	br__run_free(&run);
	/* One thread's failure is the benchmark's, and nothing hangs. */
	ck_assert_int_eq(br__run_measure(find("thr/one_fails/threads:2"), &s, &run), BR_EFAILED);
	ck_assert_str_eq(run.reason, "thread 2: no device");
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("badt/zero"), &s, &run), BR_ESETUP);
	ck_assert_msg(strstr(run.reason, "BR_THREADS: 0 threads (1 to 1024)"), "%s", run.reason);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("badt/twice"), &s, &run), BR_ESETUP);
	ck_assert_msg(strstr(run.reason, "BR_THREADS: 2 is listed twice"), "%s", run.reason);
	br__run_free(&run);
	ck_assert_int_eq(br__run_measure(find("badt/batched"), &s, &run), BR_ESETUP);
	ck_assert_msg(strstr(run.reason, "cannot be combined with .batch_setup"), "%s",
	              run.reason);
	br__run_free(&run);
}
END_TEST

START_TEST(test_plan_cap)
{
	struct br__plan p = {.step_iters = 1000, .samples = 30};

	br__plan_cap(&p, 4096);          /* 30 x 136 = 4080 */
	ck_assert_uint_eq(p.step_iters, 136);
	ck_assert_uint_eq(p.samples, 30);
	br__plan_cap(&p, 10);            /* fewer samples, step 1 */
	ck_assert_uint_eq(p.samples, 10);
	ck_assert_uint_eq(p.step_iters, 1);
	p = (struct br__plan){.flat = 1, .flat_iters = 500, .samples = 10};
	br__plan_cap(&p, 64);
	ck_assert_uint_eq(p.flat_iters, 64);
}
END_TEST

static Suite *loop_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("scripted clock");

	tcase_add_checked_fixture(tc, setup_clock, NULL);
	tcase_add_test(tc, test_linear_ramp_exact);
	tcase_add_test(tc, test_flat_for_slow_bodies);
	tcase_add_test(tc, test_failures_are_reported);
	tcase_add_test(tc, test_plan_arithmetic);
	tcase_add_test(tc, test_plan_imposed);
	tcase_add_test(tc, test_parameter_names);
	tcase_add_test(tc, test_registry_count_and_order);
	tcase_add_test(tc, test_registration_errors);
	tcase_add_test(tc, test_batched);
	tcase_add_test(tc, test_plan_cap);
	tcase_add_test(tc, test_own_settings);
	tcase_add_test(tc, test_skips);
	tcase_add_test(tc, test_named_parameters);
	tcase_add_test(tc, test_user_counters);
	tcase_add_test(tc, test_pause_and_manual);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_throughput_from_definition);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* The refused definitions' messages go to the capture, not stderr. */
	br_set_message_hook(capture, NULL);
	return check_run_suite(loop_suite());
}
