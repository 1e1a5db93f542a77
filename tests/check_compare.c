/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/compare.c: Welch's statistics and Holm's
 * adjustment against values computed independently, then the verdicts of
 * the gate on constructed suites whose per-process slopes are known:
 * regressions, improvements, pure noise, too few processes, new and missing
 * benchmarks, the noise threshold, many comparisons and suite-wide drift. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "compare.h"

#define NSAMPLES 10  /* per process, on the ramp iters = 100, 200, ... */

static const struct compare_opts DEFAULTS = {
	ANALYSIS_SLOPE, 0.05, 0.01, 0.95, 1, NULL, 0,  /* the defaults, but alpha 0.05 (benchrun: 0.01) */
};

/* ---- Constructed suites ---- */

/* xorshift64 and Box-Muller: noise that does not depend on the code under
 * test and is the same on every run. */
static double uniform(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(uint64_t *s)
{
	double u = uniform(s), v = uniform(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Append benchmark `name` to s with one process per entry of slope[]: each
 * process's samples lie exactly on ns = 50 + slope[p] * iters, so its
 * estimate is slope[p]. */
static struct bench_result *add_bench_slopes(struct suite *s, const char *name,
                                             const double *slope, size_t nprocs)
{
	struct bench_result *b;

	s->benches = realloc(s->benches, (s->nbenches + 1) * sizeof *s->benches);
	ck_assert_ptr_nonnull(s->benches);
	b = &s->benches[s->nbenches++];
	memset(b, 0, sizeof *b);
	b->name = strdup(name);
	b->procs = calloc(nprocs + 1, sizeof *b->procs);
	ck_assert_ptr_nonnull(b->procs);
	b->nprocs = b->cap = nprocs;
	for (size_t p = 0; p < nprocs; p++) {
		struct proc_run *pr = &b->procs[p];
		pr->round = (unsigned)p + 1;
		pr->samples = calloc(NSAMPLES, sizeof *pr->samples);
		ck_assert_ptr_nonnull(pr->samples);
		pr->nsamples = pr->cap = NSAMPLES;
		for (size_t k = 0; k < NSAMPLES; k++) {
			uint64_t it = 100 * (k + 1);
			pr->samples[k] = (struct sample){it, 50 + slope[p] * (double)it};
		}
	}
	return b;
}

/* Append benchmark `name`: nprocs processes whose slopes scatter around
 * `slope` with relative standard deviation `sd` (0.01 = 1 %). */
static struct bench_result *add_bench(struct suite *s, const char *name, size_t nprocs,
                                      double slope, double sd, uint64_t *rng)
{
	double slopes[64];

	ck_assert_uint_le(nprocs, 64);
	for (size_t p = 0; p < nprocs; p++)
		slopes[p] = slope * (1 + sd * gauss(rng));
	return add_bench_slopes(s, name, slopes, nprocs);
}

/* Base and current suites of n benchmarks "g/bI" (slopes 2, 3, 4, ... ns),
 * 5 processes a side, process noise `sd`; benchmark I of the current suite
 * is slower by factor[I] (1 when factor is NULL) times `common`. */
static void make_pair(struct suite *base, struct suite *cur, size_t n, double sd,
                      const double *factor, double common, uint64_t seed)
{
	uint64_t rng = seed;

	memset(base, 0, sizeof *base);
	memset(cur, 0, sizeof *cur);
	for (size_t i = 0; i < n; i++) {
		char name[32];
		double slope = 2.0 + (double)i;
		snprintf(name, sizeof name, "g/b%zu", i);
		add_bench(base, name, 5, slope, sd, &rng);
		add_bench(cur, name, 5, slope * common * (factor ? factor[i] : 1), sd, &rng);
	}
}

/* Every benchmark but `except` (an index, or n for none) got verdict v. */
static void assert_others(const struct suite *s, size_t except, enum verdict v)
{
	for (size_t i = 0; i < s->nbenches; i++)
		if (i != except)
			ck_assert_msg(s->benches[i].cmp.verdict == v,
			              "%s: '%s' (change %+.3f%%, p_suite %.3g), expected '%s'",
			              s->benches[i].name,
			              compare_verdict_name(s->benches[i].cmp.verdict),
			              s->benches[i].cmp.change * 100, s->benches[i].cmp.p_adj,
			              compare_verdict_name(v));
}

/* ---- Welch and Holm against known answers ---- */

/* diff, se and df from Python 3.11's statistics module:
 *   vx = variance(x)/len(x); vy = variance(y)/len(y)
 *   diff = mean(y) - mean(x); se = sqrt(vx + vy)
 *   df = (vx + vy)**2 / (vx**2/(len(x)-1) + vy**2/(len(y)-1))
 * (by hand: var(x) = 2.5, var(y) = 41.667; se^2 = 0.5 + 10.4167) */
START_TEST(test_welch_known)
{
	static const double x[] = {10, 12, 11, 13, 14}, y[] = {20, 25, 15, 30};
	struct welch w;

	ck_assert_int_eq(compare_welch(x, 5, y, 4, &w), 0);
	ck_assert_double_eq_tol(w.diff, 10.5, 1e-12);
	ck_assert_double_eq_tol(w.se, 3.304037933599835, 1e-12);
	ck_assert_double_eq_tol(w.df, 3.2892282136468185, 1e-12);
	/* the other way round: the difference changes sign, nothing else */
	ck_assert_int_eq(compare_welch(y, 4, x, 5, &w), 0);
	ck_assert_double_eq_tol(w.diff, -10.5, 1e-12);
	ck_assert_double_eq_tol(w.se, 3.304037933599835, 1e-12);
	ck_assert_double_eq_tol(w.df, 3.2892282136468185, 1e-12);
}
END_TEST

/* Equal variances and counts: df is 2(n - 1), the pooled case. */
START_TEST(test_welch_equal)
{
	static const double x[] = {1, 2, 3}, y[] = {4, 5, 6};
	struct welch w;

	ck_assert_int_eq(compare_welch(x, 3, y, 3, &w), 0);
	ck_assert_double_eq_tol(w.diff, 3, 1e-12);
	ck_assert_double_eq_tol(w.se, sqrt(2.0 / 3), 1e-12);
	ck_assert_double_eq_tol(w.df, 4, 1e-12);
}
END_TEST

START_TEST(test_welch_degenerate)
{
	static const double x[] = {2, 2, 2}, y[] = {3, 3, 3, 3};
	struct welch w;

	ck_assert_int_eq(compare_welch(x, 1, y, 4, &w), -1);
	ck_assert_int_eq(compare_welch(x, 3, y, 1, &w), -1);
	/* no spread at all: se 0, df from the smaller side */
	ck_assert_int_eq(compare_welch(x, 3, y, 4, &w), 0);
	ck_assert_double_eq(w.diff, 1);
	ck_assert_double_eq(w.se, 0);
	ck_assert_double_eq(w.df, 2);
}
END_TEST

/* Holm by hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 give
 * 0.02, 0.03, 0.06, 0.04, and the running maximum lifts 0.04 to 0.06. */
START_TEST(test_holm_known)
{
	static const double p[] = {0.01, 0.04, 0.03, 0.005};
	static const double want[] = {0.03, 0.06, 0.06, 0.02};
	double adj[4];

	compare_holm(p, 4, adj);
	for (int i = 0; i < 4; i++)
		ck_assert_double_eq_tol(adj[i], want[i], 1e-15);
}
END_TEST

/* Ties and the cap at 1, by hand: sorted 0.01, 0.02, 0.02, 0.5, 0.9 times
 * 5, 4, 3, 2, 1 give 0.05, 0.08, 0.06 -> 0.08, 1.0, 0.9 -> 1.0.  Also in
 * place, as compare_suites() calls it. */
START_TEST(test_holm_ties_cap)
{
	static const double want[] = {0.08, 1, 0.08, 0.05, 1};
	double p[] = {0.02, 0.5, 0.02, 0.01, 0.9};

	compare_holm(p, 5, p);
	for (int i = 0; i < 5; i++)
		ck_assert_double_eq_tol(p[i], want[i], 1e-15);
	compare_holm(p, 0, p);  /* nothing to do, nothing touched */
	ck_assert_double_eq_tol(p[0], 0.08, 1e-15);
}
END_TEST

/* One benchmark, so neither drift nor Holm applies: the change, its
 * interval and p against an independent computation in Python 3.11
 * (statistics for Welch on the logs; the t distribution by Simpson's rule
 * on its density with 200000 panels; the 97.5 % quantile by bisection):
 *   diff 0.059486600604191864, se 0.01292982270342684,
 *   df 3.2898996697108234, p 0.015736307005138284, tcrit 3.0295351636771,
 *   change expm1(diff) 0.06129154021884663,
 *   interval 0.02052300722395662 .. 0.10368872173100684. */
START_TEST(test_single_known)
{
	static const double base_slopes[] = {10.0, 10.2, 9.9, 10.1}, cur_slopes[] = {10.6, 10.9, 10.5};
	struct suite base = {0}, cur = {0};
	struct compare_summary sum;
	const struct comparison *c;

	add_bench_slopes(&base, "one", base_slopes, 4);
	add_bench_slopes(&cur, "one", cur_slopes, 3);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	c = &cur.benches[0].cmp;
	ck_assert_double_eq_tol(c->change, 0.06129154021884663, 1e-9);
	ck_assert_double_eq_tol(c->change_lo, 0.02052300722395662, 1e-6);
	ck_assert_double_eq_tol(c->change_hi, 0.10368872173100684, 1e-6);
	ck_assert_double_eq_tol(c->p, 0.015736307005138284, 1e-7);
	ck_assert_double_eq_tol(c->p_adj, c->p, 1e-15);
	ck_assert_double_eq_tol(c->base_ns, 10.05, 1e-9);
	ck_assert_double_eq_tol(c->cur_ns, 10.666666666666666, 1e-9);
	ck_assert_uint_eq(c->base_procs, 4);
	ck_assert_uint_eq(c->cur_procs, 3);
	ck_assert_int_eq(c->verdict, VERDICT_REGRESSED);
	ck_assert_uint_eq(sum.compared, 1);
	ck_assert_double_eq(sum.shift, 0);  /* too few benchmarks for drift */
	ck_assert_str_eq(sum.worst, "one");
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* ---- Verdicts ---- */

/* +20 % in one benchmark of 8, the rest unchanged, 1 % process noise. */
START_TEST(test_regression)
{
	double factor[8] = {1, 1, 1, 1.2, 1, 1, 1, 1};
	struct suite base, cur;
	struct compare_summary sum;
	const struct comparison *c;

	make_pair(&base, &cur, 8, 0.01, factor, 1, 0x1234567u);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	c = &cur.benches[3].cmp;
	ck_assert_msg(c->verdict == VERDICT_REGRESSED, "g/b3: '%s' (change %+.2f%%, p %.3g)",
	              compare_verdict_name(c->verdict), c->change * 100, c->p_adj);
	ck_assert_double_eq_tol(c->change, 0.2, 0.02);
	ck_assert(c->change_lo < c->change && c->change < c->change_hi);
	ck_assert(c->change_lo > 0.1 && c->change_hi < 0.3);
	ck_assert(c->p_adj < 0.05 && c->p_adj >= c->p);
	assert_others(&cur, 3, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 1);
	ck_assert_uint_eq(sum.counts[VERDICT_NO_CHANGE], 7);
	ck_assert_uint_eq(sum.compared, 8);
	ck_assert_str_eq(sum.worst, "g/b3");
	ck_assert_double_eq_tol(sum.worst_change, c->change, 1e-15);
	ck_assert_uint_eq(sum.nmissing, 0);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

START_TEST(test_improvement)
{
	double factor[8] = {1, 1, 1, 1, 1, 0.8, 1, 1};
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 8, 0.01, factor, 1, 0x7654321u);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[5].cmp.verdict, VERDICT_IMPROVED);
	ck_assert_double_eq_tol(cur.benches[5].cmp.change, -0.2, 0.02);
	assert_others(&cur, 5, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_IMPROVED], 1);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 0);
	/* an improvement is never "the worst" */
	ck_assert_ptr_nonnull(sum.worst);
	ck_assert_str_ne(sum.worst, "g/b5");
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Both sides drawn from the same distribution, under several seeds. */
START_TEST(test_pure_noise)
{
	static const uint64_t seeds[] = {1, 42, 0xdeadbeef, 0x5eed5eed, 987654321};
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 8, 0.01, NULL, 1, seeds[_i]);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	assert_others(&cur, 8, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED] + sum.counts[VERDICT_IMPROVED], 0);
	ck_assert_uint_eq(sum.compared, 8);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Two processes a side cannot estimate a spread, however large the change;
 * a process with fewer than two samples does not count. */
START_TEST(test_too_few)
{
	double factor[8] = {1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5};
	struct suite base = {0}, cur = {0};
	struct compare_summary sum;
	uint64_t rng = 99;

	for (size_t i = 0; i < 8; i++) {
		char name[16];
		snprintf(name, sizeof name, "t/%zu", i);
		add_bench(&base, name, 2, 5, 0.01, &rng);
		add_bench(&cur, name, 2, 5 * factor[i], 0.01, &rng);
	}
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	assert_others(&cur, 8, VERDICT_TOO_FEW);
	ck_assert_uint_eq(sum.counts[VERDICT_TOO_FEW], 8);
	ck_assert_uint_eq(sum.compared, 0);
	ck_assert_double_eq(sum.shift, 0);
	ck_assert(isnan(cur.benches[0].cmp.change));
	ck_assert_uint_eq(cur.benches[0].cmp.base_procs, 2);
	ck_assert_uint_eq(cur.benches[0].cmp.cur_procs, 2);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Three processes on each side is enough; three where one has a single
 * sample is not. */
START_TEST(test_too_few_boundary)
{
	static const double b3[] = {10, 10.1, 9.9}, c3[] = {15, 15.1, 14.9};
	struct suite base = {0}, cur = {0};
	struct compare_summary sum;
	struct bench_result *short_proc;

	add_bench_slopes(&base, "three", b3, 3);
	add_bench_slopes(&cur, "three", c3, 3);
	add_bench_slopes(&base, "short", b3, 3);
	short_proc = add_bench_slopes(&cur, "short", c3, 3);
	short_proc->procs[1].nsamples = 1;
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].cmp.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(cur.benches[1].cmp.verdict, VERDICT_TOO_FEW);
	ck_assert_uint_eq(cur.benches[1].cmp.cur_procs, 2);
	ck_assert_uint_eq(sum.compared, 1);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

START_TEST(test_new_missing)
{
	struct suite base = {0}, cur = {0};
	struct compare_summary sum;
	uint64_t rng = 5;

	add_bench(&base, "kept/a", 5, 3, 0.01, &rng);
	add_bench(&base, "gone/x", 5, 3, 0.01, &rng);
	add_bench(&base, "kept/b", 5, 4, 0.01, &rng);
	add_bench(&base, "gone/y", 5, 4, 0.01, &rng);
	add_bench(&cur, "kept/a", 5, 3, 0.01, &rng);
	add_bench(&cur, "new/z", 5, 3, 0.01, &rng);
	add_bench(&cur, "kept/b", 5, 4, 0.01, &rng);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_int_eq(cur.benches[1].cmp.verdict, VERDICT_NEW);
	ck_assert_int_eq(cur.benches[2].cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_NEW], 1);
	ck_assert_uint_eq(sum.counts[VERDICT_MISSING], 2);
	ck_assert_uint_eq(sum.nmissing, 2);
	ck_assert_str_eq(sum.missing[0], "gone/x");
	ck_assert_str_eq(sum.missing[1], "gone/y");
	ck_assert_uint_eq(sum.compared, 2);
	compare_summary_free(&sum);
	ck_assert_ptr_null(sum.missing);
	ck_assert_uint_eq(sum.nmissing, 0);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* A failed benchmark on either side is not compared. */
START_TEST(test_failed_not_compared)
{
	double factor[6] = {1.5, 1.5, 1, 1, 1, 1};
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 6, 0.01, factor, 1, 77);
	cur.benches[0].failed = 1;
	base.benches[1].failed = 1;
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].cmp.verdict, VERDICT_NONE);
	ck_assert_int_eq(cur.benches[1].cmp.verdict, VERDICT_NONE);
	ck_assert_uint_eq(sum.compared, 4);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 0);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* +0.5 % with 0.01 % process noise is certainly real, and under the 1 %
 * threshold: within noise.  A threshold of 0.1 % makes it a regression. */
START_TEST(test_within_noise)
{
	double factor[8] = {1.005, 1, 1, 1, 1, 1, 1, 1};
	struct compare_opts o = DEFAULTS;
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 8, 0.0001, factor, 1, 31337);
	ck_assert_int_eq(compare_suites(&cur, &base, &o, &sum), 0);
	ck_assert_msg(cur.benches[0].cmp.verdict == VERDICT_WITHIN_NOISE, "'%s', p %.3g",
	              compare_verdict_name(cur.benches[0].cmp.verdict), cur.benches[0].cmp.p_adj);
	ck_assert_double_eq_tol(cur.benches[0].cmp.change, 0.005, 0.0005);
	ck_assert(cur.benches[0].cmp.p_adj < 1e-3);
	assert_others(&cur, 0, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_WITHIN_NOISE], 1);
	ck_assert_str_eq(sum.worst, "g/b0");
	compare_summary_free(&sum);

	o.noise = 0.001;
	ck_assert_int_eq(compare_suites(&cur, &base, &o, &sum), 0);
	ck_assert_int_eq(cur.benches[0].cmp.verdict, VERDICT_REGRESSED);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* 50 benchmarks of pure noise: Holm keeps the suite quiet, while testing
 * each at alpha alone would have raised false alarms. */
START_TEST(test_multiple_comparisons)
{
	struct suite base, cur;
	struct compare_summary sum;
	size_t raw = 0;

	make_pair(&base, &cur, 50, 0.01, NULL, 1, 0xc0ffee);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_uint_eq(sum.compared, 50);
	assert_others(&cur, 50, VERDICT_NO_CHANGE);
	for (size_t i = 0; i < 50; i++) {
		ck_assert(cur.benches[i].cmp.p_adj >= cur.benches[i].cmp.p);
		raw += cur.benches[i].cmp.p < 0.05;
	}
	ck_assert_msg(raw >= 1, "without the correction no benchmark was flagged: "
	              "the example shows nothing");
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Every benchmark 3 % slower: drift, reported as the suite's shift; with
 * the correction off, the same data regresses. */
START_TEST(test_drift)
{
	struct compare_opts o = DEFAULTS;
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 8, 0.01, NULL, 1.03, 2024);
	ck_assert_int_eq(compare_suites(&cur, &base, &o, &sum), 0);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 0);
	ck_assert_uint_eq(sum.counts[VERDICT_IMPROVED], 0);
	ck_assert_double_eq_tol(sum.shift, 0.03, 0.005);
	for (size_t i = 0; i < 8; i++)
		ck_assert_double_lt(fabs(cur.benches[i].cmp.change), 0.015);
	compare_summary_free(&sum);

	o.drift_correction = 0;
	ck_assert_int_eq(compare_suites(&cur, &base, &o, &sum), 0);
	ck_assert_double_eq(sum.shift, 0);
	ck_assert_uint_ge(sum.counts[VERDICT_REGRESSED], 1);
	ck_assert_double_eq_tol(cur.benches[0].cmp.change, 0.03, 0.015);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* A real change on top of drift is still found, measured from the shift. */
START_TEST(test_regression_under_drift)
{
	double factor[8] = {1, 1, 1, 1, 1, 1, 1.2, 1};
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 8, 0.01, factor, 1.03, 555);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[6].cmp.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq_tol(cur.benches[6].cmp.change, 0.2, 0.025);
	assert_others(&cur, 6, VERDICT_NO_CHANGE);
	ck_assert_double_eq_tol(sum.shift, 0.03, 0.005);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Drift needs four compared benchmarks: with three, a common +3 % is
 * judged per benchmark. */
START_TEST(test_drift_needs_four)
{
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 3, 0.001, NULL, 1.03, 8);
	ck_assert_int_eq(compare_suites(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_double_eq(sum.shift, 0);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 3);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* The median and the mean per process see the same regression. */
START_TEST(test_other_statistics)
{
	double factor[8] = {1, 1.2, 1, 1, 1, 1, 1, 1};
	struct compare_opts o = DEFAULTS;
	struct suite base, cur;
	struct compare_summary sum;

	make_pair(&base, &cur, 8, 0.01, factor, 1, 4242);
	o.statistic = _i == 0 ? ANALYSIS_MEDIAN : ANALYSIS_MEAN;
	ck_assert_int_eq(compare_suites(&cur, &base, &o, &sum), 0);
	ck_assert_int_eq(cur.benches[1].cmp.verdict, VERDICT_REGRESSED);
	assert_others(&cur, 1, VERDICT_NO_CHANGE);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

START_TEST(test_names)
{
	enum analysis_stat st;

	ck_assert_str_eq(compare_verdict_name(VERDICT_REGRESSED), "regressed");
	ck_assert_str_eq(compare_verdict_name(VERDICT_NO_CHANGE), "no significant change");
	ck_assert_str_eq(compare_verdict_name(VERDICT_TOO_FEW), "too few samples to tell");
	ck_assert_str_eq(compare_verdict_name(VERDICT_NONE), "");
	ck_assert_str_eq(compare_verdict_name(VERDICT_COUNT), "");
	ck_assert_int_eq(compare_parse_statistic("median", &st), 0);
	ck_assert_int_eq(st, ANALYSIS_MEDIAN);
	ck_assert_int_eq(compare_parse_statistic("slope", &st), 0);
	ck_assert_int_eq(st, ANALYSIS_SLOPE);
	ck_assert_int_eq(compare_parse_statistic("Mean", &st), -1);
}
END_TEST

/* ---- paired mode ---- */

/* mean, stdev/sqrt(n), n - 1 of {0.01, 0.03, 0.02, 0.04, 0.00}, by hand:
 * mean 0.02; stdev = sqrt(0.001 / 4) = 0.015811388; se = 0.0070710678. */
START_TEST(test_one_sample_known)
{
	static const double lr[] = { 0.01, 0.03, 0.02, 0.04, 0.00 };
	struct welch w;

	ck_assert_int_eq(compare_one_sample(lr, 5, &w), 0);
	ck_assert_double_eq_tol(w.diff, 0.02, 1e-12);
	ck_assert_double_eq_tol(w.se, 0.0070710678118654752, 1e-12);
	ck_assert_double_eq_tol(w.df, 4, 1e-12);
	ck_assert_int_eq(compare_one_sample(lr, 1, &w), -1);
}
END_TEST

/* Old and new measured in the same 5 rounds, each round drifting by up to
 * +-10 % for both builds alike, 0.5 % process noise; g/b2 is 3 % slower.
 * Pairing cancels the drift: only g/b2 is flagged.  The same numbers
 * compared as unpaired samples cannot see the 3 % through the drift. */
static void make_paired(struct suite *old, struct suite *cur, double slower)
{
	static const double drift[5] = { 1.00, 1.10, 0.93, 1.05, 0.90 };
	uint64_t rng = 99;

	memset(old, 0, sizeof *old);
	memset(cur, 0, sizeof *cur);
	for (size_t i = 0; i < 6; i++) {
		double so[5], sc[5], slope = 2.0 + (double)i;
		char name[32];
		snprintf(name, sizeof name, "g/b%zu", i);
		for (size_t r = 0; r < 5; r++) {
			so[r] = slope * drift[r] * (1 + 0.005 * gauss(&rng));
			sc[r] = slope * drift[r] * (i == 2 ? slower : 1) * (1 + 0.005 * gauss(&rng));
		}
		add_bench_slopes(old, name, so, 5);
		add_bench_slopes(cur, name, sc, 5);
	}
}

START_TEST(test_paired_cancels_drift)
{
	struct suite old, cur;
	struct compare_summary sum;

	make_paired(&old, &cur, 1.03);
	ck_assert_int_eq(compare_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(sum.paired, 1);
	ck_assert_msg(cur.benches[2].cmp.verdict == VERDICT_REGRESSED, "g/b2: %s %+.2f%%",
	              compare_verdict_name(cur.benches[2].cmp.verdict),
	              cur.benches[2].cmp.change * 100);
	ck_assert_double_eq_tol(cur.benches[2].cmp.change, 0.03, 0.01);
	assert_others(&cur, 2, VERDICT_NO_CHANGE);
	compare_summary_free(&sum);
	/* Unpaired, the drift swamps the same 3 %. */
	ck_assert_int_eq(compare_suites(&cur, &old, &DEFAULTS, &sum), 0);
	ck_assert_int_ne(cur.benches[2].cmp.verdict, VERDICT_REGRESSED);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

/* 15 paired rounds of 6 benchmarks, 0.5 % process noise: g/b2 3 % slower
 * throughout, g/b3 3 % slower in the first 5 rounds only (a chance run). */
static void make_confirm(struct suite *old, struct suite *cur)
{
	uint64_t rng = 7;

	memset(old, 0, sizeof *old);
	memset(cur, 0, sizeof *cur);
	for (size_t i = 0; i < 6; i++) {
		double so[15], sc[15], slope = 2.0 + (double)i;
		char name[32];
		snprintf(name, sizeof name, "g/b%zu", i);
		for (size_t r = 0; r < 15; r++) {
			double f = i == 2 || (i == 3 && r < 5) ? 1.03 : 1;
			so[r] = slope * (1 + 0.005 * gauss(&rng));
			sc[r] = slope * f * (1 + 0.005 * gauss(&rng));
		}
		add_bench_slopes(old, name, so, 15);
		add_bench_slopes(cur, name, sc, 15);
	}
}

/* A confirmation judges the suspects on their fresh rounds alone, with
 * Holm across the suspects only; the others keep their verdicts. */
START_TEST(test_paired_confirmation)
{
	static const int only[6] = { 0, 0, 1, 1, 0, 0 };
	struct compare_opts o = DEFAULTS;
	struct suite old, cur;
	struct compare_summary sum;
	const struct comparison *b2, *b3;

	make_confirm(&old, &cur);
	cur.benches[0].cmp.verdict = VERDICT_WITHIN_NOISE;  /* a first look's */
	o.only = only;
	o.from_round = 6;
	ck_assert_int_eq(compare_paired(&cur, &old, NULL, &o, &sum), 0);
	b2 = &cur.benches[2].cmp;
	b3 = &cur.benches[3].cmp;
	ck_assert_int_eq(b2->verdict, VERDICT_REGRESSED);
	ck_assert_uint_eq(b2->cur_procs, 10);
	ck_assert_int_eq(b3->verdict, VERDICT_NO_CHANGE);
	ck_assert_double_lt(fabs(b3->change), 0.01);
	ck_assert_double_eq_tol(b2->p_adj, fmin(1, 2 * b2->p), 1e-15);
	ck_assert_int_eq(cur.benches[0].cmp.verdict, VERDICT_WITHIN_NOISE);
	ck_assert_int_eq(cur.benches[1].cmp.verdict, VERDICT_NONE);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 1);
	ck_assert_uint_eq(sum.counts[VERDICT_WITHIN_NOISE], 1);
	compare_summary_free(&sum);
	/* Judged on all 15 rounds, g/b3's first five keep it suspect-looking. */
	o.only = NULL;
	o.from_round = 0;
	ck_assert_int_eq(compare_paired(&cur, &old, NULL, &o, &sum), 0);
	ck_assert_double_gt(cur.benches[3].cmp.change, 0.005);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

/* A/A under the same drift: no benchmark flagged. */
START_TEST(test_paired_aa)
{
	struct suite old, cur;
	struct compare_summary sum;

	make_paired(&old, &cur, 1.0);
	ck_assert_int_eq(compare_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	assert_others(&cur, cur.nbenches, VERDICT_NO_CHANGE);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

/* New and missing come from the reference (the stored baseline), not from
 * the old build's own list. */
START_TEST(test_paired_reference)
{
	struct suite old, cur, ref = {0};
	struct compare_summary sum;
	static const double one[5] = { 1, 1, 1, 1, 1 };

	make_paired(&old, &cur, 1.0);
	add_bench_slopes(&ref, "g/b0", one, 5);
	add_bench_slopes(&ref, "g/gone", one, 5);
	ck_assert_int_eq(compare_paired(&cur, &old, &ref, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_int_eq(cur.benches[1].cmp.verdict, VERDICT_NEW);
	ck_assert_uint_eq(sum.nmissing, 1);
	ck_assert_str_eq(sum.missing[0], "g/gone");
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
	suite_free(&ref);
}
END_TEST

/* The order within a pair: recomputable from the seed, different for
 * another seed, and balanced (neither build mostly first). */
START_TEST(test_pair_order)
{
	int first = 0, differ = 0;

	for (unsigned r = 1; r <= 1000; r++) {
		int a = suite_old_first(7, r, "g/b0");
		ck_assert_int_eq(a, suite_old_first(7, r, "g/b0"));
		first += a;
		differ += a != suite_old_first(8, r, "g/b0");
	}
	ck_assert_msg(first > 430 && first < 570, "old first in %d of 1000 rounds", first);
	ck_assert_int_gt(differ, 300);
}
END_TEST

/* Paired suspicion is loose and two-sided: half the noise threshold and an
 * unadjusted p under 0.5, either direction, sign returned.  Stored-data
 * suspicion: slowdowns only, p under 0.25. */
START_TEST(test_suspect)
{
	struct comparison c = { .verdict = VERDICT_NO_CHANGE, .change = 0.006, .p = 0.2 };

	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 1);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 1);
	c.change = 0.004;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
	c.change = 0.02;
	c.p = 0.3;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 1);
	c.p = 0.6;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
	c.change = -0.05;
	c.p = 0.01;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), -1);
	c.verdict = VERDICT_REGRESSED;
	c.change = 0.05;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 1);
	c.verdict = VERDICT_IMPROVED;
	c.change = -0.05;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), -1);
	c.verdict = VERDICT_TOO_FEW;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
}
END_TEST

/* A confirmation stops for a suspect whose change fell under a quarter of
 * the threshold in its direction, or turned. */
START_TEST(test_futile)
{
	struct comparison c = { .change = 0.003 };

	ck_assert(!compare_is_futile(&c, 1, 0.01));
	c.change = 0.002;
	ck_assert(compare_is_futile(&c, 1, 0.01));
	c.change = -0.02;
	ck_assert(compare_is_futile(&c, 1, 0.01));
	ck_assert(!compare_is_futile(&c, -1, 0.01));
	c.change = NAN;
	ck_assert(compare_is_futile(&c, -1, 0.01));
}
END_TEST

/* Yuen's trimmed one-sample statistics against Python (statistics module,
 * by hand): {0.01 0.03 0.02 0.04 0.00 0.50 0.02 0.01 0.03 0.02}, 10 %
 * trimmed: mean 0.0225 of the middle 8, se 0.004648348401006841 from the
 * winsorised sd, df 7; the plain mean 0.068 is dragged by the 0.50. */
START_TEST(test_trimmed_known)
{
	static const double lr[] = { 0.01, 0.03, 0.02, 0.04, 0.00, 0.50, 0.02, 0.01, 0.03, 0.02 };
	struct welch w;

	ck_assert_int_eq(compare_trimmed(lr, 10, 0.1, &w), 0);
	ck_assert_double_eq_tol(w.diff, 0.0225, 1e-12);
	ck_assert_double_eq_tol(w.se, 0.004648348401006841, 1e-12);
	ck_assert_double_eq_tol(w.df, 7, 1e-12);
	/* Under 10 values nothing is trimmed: the plain one-sample t. */
	ck_assert_int_eq(compare_trimmed(lr, 5, 0.1, &w), 0);
	ck_assert_double_eq_tol(w.diff, 0.02, 1e-12);
	ck_assert_double_eq_tol(w.se, 0.0070710678118654752, 1e-12);
	ck_assert_int_eq(compare_trimmed(lr, 1, 0.1, &w), -1);
}
END_TEST

static Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *known = tcase_create("known"), *verdicts = tcase_create("verdicts");

	tcase_set_timeout(known, 10);
	tcase_add_test(known, test_welch_known);
	tcase_add_test(known, test_welch_equal);
	tcase_add_test(known, test_welch_degenerate);
	tcase_add_test(known, test_holm_known);
	tcase_add_test(known, test_holm_ties_cap);
	tcase_add_test(known, test_single_known);
	tcase_add_test(known, test_names);
	tcase_add_test(known, test_one_sample_known);
	tcase_add_test(known, test_pair_order);
	tcase_add_test(known, test_suspect);
	tcase_add_test(known, test_futile);
	tcase_add_test(known, test_trimmed_known);
	suite_add_tcase(s, known);

	tcase_set_timeout(verdicts, 10);
	tcase_add_test(verdicts, test_regression);
	tcase_add_test(verdicts, test_improvement);
	tcase_add_loop_test(verdicts, test_pure_noise, 0, 5);
	tcase_add_test(verdicts, test_too_few);
	tcase_add_test(verdicts, test_too_few_boundary);
	tcase_add_test(verdicts, test_new_missing);
	tcase_add_test(verdicts, test_failed_not_compared);
	tcase_add_test(verdicts, test_within_noise);
	tcase_add_test(verdicts, test_multiple_comparisons);
	tcase_add_test(verdicts, test_drift);
	tcase_add_test(verdicts, test_paired_cancels_drift);
	tcase_add_test(verdicts, test_paired_aa);
	tcase_add_test(verdicts, test_paired_confirmation);
	tcase_add_test(verdicts, test_paired_reference);
	tcase_add_test(verdicts, test_regression_under_drift);
	tcase_add_test(verdicts, test_drift_needs_four);
	tcase_add_loop_test(verdicts, test_other_statistics, 0, 2);
	suite_add_tcase(s, verdicts);
	return s;
}

int main(void)
{
	return check_run_suite(compare_suite());
}
