/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/compare.c: Welch's statistics, Holm's adjustment,
 * the trimmed one-sample test and the p-values against values computed
 * independently, then compare_run's verdicts on constructed suites whose
 * per-process figures are known: stored comparisons (the drift model, the
 * suite-wide shift, new and missing benchmarks) and paired ones (rounds,
 * trimming, the threshold test, exact data), and the ABBA order.
 *
 * Known answers for the constructed suites come from tests/compare_known.py,
 * an independent implementation in Python 3 of the model described at the
 * top of harness/compare.c (statistics module for means and variances;
 * mpmath 1.3 for the t, F and normal distributions: the t tail as the
 * regularised incomplete beta, quantiles by bisection); scipy is not
 * installed here.  It replays this file's xorshift64/Box-Muller noise. */
#define _GNU_SOURCE
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "compare.h"
#include "gate.h"
#include "msg.h"
#include "units.h"

#define NSAMPLES 10  /* per process, on the ramp iters = 100, 200, ... */

/* The defaults, but alpha 0.05 (benchrun's is 0.01). */
static const struct compare_opts DEFAULTS = {
	.statistic = ANALYSIS_SLOPE, .alpha = 0.05, .noise = 0.01, .conf_level = 0.95,
	.drift_correction = 1, .drift_bound = COMPARE_DRIFT_BOUND, .filter = NULL,
	.family = NULL, .from_round = 0, .counter = NULL,
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

/* Append benchmark `name` to s with one process per entry of slope[], in
 * rounds first_round, first_round + 1, ...: each process's samples lie
 * exactly on ns = 50 + slope[p] * iters, so its estimate is slope[p].
 * Process p gets seq = seq0 + 2 p (see add_pair). */
static struct bench_result *add_rounds(struct suite *s, const char *name, const double *slope,
                                       size_t nprocs, unsigned first_round, uint64_t seq0)
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
		pr->round = first_round + (unsigned)p;
		pr->seq = seq0 + 2 * p;
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

static struct bench_result *add_bench_slopes(struct suite *s, const char *name,
                                             const double *slope, size_t nprocs)
{
	return add_rounds(s, name, slope, nprocs, 1, 0);
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

/* A paired benchmark: `name` in old and cur, one process a round in rounds
 * 1..n, the old build first in every round (its seq is the smaller). */
static void add_pair(struct suite *old, struct suite *cur, const char *name,
                     const double *old_slope, const double *new_slope, size_t n)
{
	add_rounds(old, name, old_slope, n, 1, 0);
	add_rounds(cur, name, new_slope, n, 1, 1)->gate.mode = MODE_PAIRED;
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

/* Deterministic per-process spread of the exact stored suites: each side
 * has the same five relative deviations (sd 0.316 %), in another order. */
static const double P5[5] = {0, 0.004, -0.004, 0.002, -0.002};

/* n stored benchmarks "s/bI" (slope 2 + I), 5 processes a side, the
 * current side slower by factor[I]: the change of each is exactly
 * log(factor[I]) and its Welch statistics are the same for all. */
static void make_exact_pair(struct suite *base, struct suite *cur, size_t n,
                            const double *factor)
{
	memset(base, 0, sizeof *base);
	memset(cur, 0, sizeof *cur);
	for (size_t i = 0; i < n; i++) {
		double b[5], c[5], slope = 2.0 + (double)i;
		char name[32];
		snprintf(name, sizeof name, "s/b%zu", i);
		for (size_t p = 0; p < 5; p++) {
			b[p] = slope * (1 + P5[p]);
			c[p] = slope * factor[i] * (1 + P5[(p + 2) % 5]);
		}
		add_bench_slopes(base, name, b, 5);
		add_bench_slopes(cur, name, c, 5);
	}
}

/* Compare every benchmark of cur with the stored `base`. */
static int run_stored(struct suite *cur, const struct suite *base, const struct compare_opts *o,
                      struct compare_summary *sum)
{
	for (size_t i = 0; i < cur->nbenches; i++)
		cur->benches[i].gate.mode = MODE_STORED;
	return compare_run(cur, NULL, base, o, sum);
}

/* Compare every benchmark of cur with the old build in `old`; new and
 * missing against `ref` (old when NULL). */
static int run_paired(struct suite *cur, const struct suite *old, const struct suite *ref,
                      const struct compare_opts *o, struct compare_summary *sum)
{
	for (size_t i = 0; i < cur->nbenches; i++)
		cur->benches[i].gate.mode = MODE_PAIRED;
	return compare_run(cur, old, ref, o, sum);
}

/* Every benchmark but `except` (an index, or n for none) got verdict v. */
static void assert_others(const struct suite *s, size_t except, enum verdict v)
{
	for (size_t i = 0; i < s->nbenches; i++)
		if (i != except)
			ck_assert_msg(s->benches[i].gate.cmp.verdict == v,
			              "%s: '%s' (change %+.3f%%, rel %+.3f%%, p_adj %.3g), expected '%s'",
			              s->benches[i].name,
			              compare_verdict_name(s->benches[i].gate.cmp.verdict),
			              s->benches[i].gate.cmp.change * 100, s->benches[i].gate.cmp.rel * 100,
			              s->benches[i].gate.cmp.p_adj, compare_verdict_name(v));
}

/* |got - want| <= rel * |want|: for p-values over many decades. */
#define assert_rel(got, want, rel) \
	ck_assert_msg(fabs((got) - (want)) <= (rel) * fabs(want), \
	              "%s = %.17g, want %.17g (relative %g)", #got, (double)(got), \
	              (double)(want), (double)(rel))

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
 * place, as compare_run() calls it. */
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

/* One stored benchmark: no drift estimate (fewer than four), so its test
 * carries the between-run drift of the benchmark (1 %) and of the suite
 * (2 %) on top of Welch's standard error, and the suite-wide shift (the
 * mean of one change) joins the Holm family.  Against
 * tests/compare_known.py ("single"): Welch on the logs diff
 * 0.059486600604191864, se^2 0.00016718031514205217, df 3.2898996697108234;
 * test se sqrt(se^2 + 0.01^2 + 0.02^2) = 0.025829833819481923, its
 * degrees of freedom by Satterthwaite (only Welch's part is estimated);
 * p (one-sided, beyond log1p(0.01)) 0.03029760862964205, shift p
 * 0.10751847603337111, Holm over the two 0.0605952172592841;
 * p_zero 0.025278602459329565 ("within noise" at alpha 0.05, not
 * regressed); change interval 0.007694019733194044 ..
 * 0.11773982109997178; the shift's (normal)
 * 0.027829927148369037 .. 0.09584251595497924; base_ns and cur_ns the
 * geometric means 10.049378065577068 and 10.66531992545778.  The old
 * harness called this +6 % "regressed" on Welch's error alone: with the
 * drift these VMs show, one benchmark's 6 % is not evidence. */
START_TEST(test_single_known)
{
	static const double base_slopes[] = {10.0, 10.2, 9.9, 10.1}, cur_slopes[] = {10.6, 10.9, 10.5};
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};
	const struct comparison *c;

	add_bench_slopes(&base, "one", base_slopes, 4);
	add_bench_slopes(&cur, "one", cur_slopes, 3);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	c = &cur.benches[0].gate.cmp;
	ck_assert_double_eq_tol(c->change, 0.06129154021884663, 1e-9);
	ck_assert_double_eq_tol(c->rel, c->change, 1e-15);  /* nothing removed */
	ck_assert_double_eq_tol(c->change_lo, 0.007420063754799452, 1e-6);
	ck_assert_double_eq_tol(c->change_hi, 0.11804377723237075, 1e-6);
	assert_rel(c->p, 0.030958283207908544, 1e-6);
	assert_rel(c->p_adj, 0.06191656641581709, 1e-6);
	assert_rel(c->p_zero, 0.025997347044853018, 1e-6);
	ck_assert_double_eq_tol(c->p_zero_adj, c->p_zero, 1e-15);
	ck_assert_double_eq_tol(c->base_ns, 10.049378065577068, 1e-9);
	ck_assert_double_eq_tol(c->cur_ns, 10.66531992545778, 1e-9);
	ck_assert_double_eq_tol(c->cur_ns / c->base_ns - 1, c->change, 1e-12);
	ck_assert_uint_eq(c->base_procs, 4);
	ck_assert_uint_eq(c->cur_procs, 3);
	ck_assert(!c->exact);
	ck_assert_int_eq(c->verdict, VERDICT_WITHIN_NOISE);
	ck_assert_uint_eq(sum.compared, 1);
	ck_assert_uint_eq(sum.stored, 1);
	ck_assert_uint_eq(sum.modes[MODE_STORED], 1);
	ck_assert_int_eq(sum.shift_removed, 0);
	ck_assert_double_eq_tol(sum.shift, 0.06129154021884663, 1e-9);
	ck_assert_double_eq_tol(sum.shift_lo, 0.027356083967495136, 1e-6);
	ck_assert_double_eq_tol(sum.shift_hi, 0.09634794684851292, 1e-6);
	assert_rel(sum.shift_p, 0.11080817849159925, 1e-6);  /* Holm: max(2 x 0.0310, 0.1108) */
	ck_assert_int_eq(sum.shift_beyond, 0);
	ck_assert_double_eq(sum.inflation, 1);
	ck_assert_str_eq(sum.worst, "one");
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* compare_pvalues against tests/compare_known.py (the t tail by mpmath's
 * regularised incomplete beta): d 0.03, se 0.008, df 7, threshold 1 %:
 * p_dir = Q((0.03 - log1p(0.01)) / 0.008; 7) = 0.020310780482698798,
 * p_zero = 2 Q(0.03 / 0.008; 7) = 0.007168154804000695; d 0.012, se
 * 0.004, df 3.5: 0.31948737883442296 and 0.04737523948474644. */
START_TEST(test_pvalues_known)
{
	double p, pz, thr = log1p(0.01);

	ck_assert_int_eq(compare_pvalues(0.03, 0.008, 7, 0.01, &p, &pz), 1);
	assert_rel(p, 0.020310780482698798, 1e-8);
	assert_rel(pz, 0.007168154804000695, 1e-8);
	/* a speed-up of the same size: the mirror test, the same p-values */
	ck_assert_int_eq(compare_pvalues(-0.03, 0.008, 7, 0.01, &p, &pz), -1);
	assert_rel(p, 0.020310780482698798, 1e-8);
	assert_rel(pz, 0.007168154804000695, 1e-8);
	ck_assert_int_eq(compare_pvalues(0.012, 0.004, 3.5, 0.01, &p, &pz), 1);
	assert_rel(p, 0.31948737883442296, 1e-8);
	assert_rel(pz, 0.04737523948474644, 1e-8);
	/* A change exactly at the threshold: H0's boundary, p exactly 1/2
	 * (the t distribution is symmetric about 0), either direction. */
	ck_assert_int_eq(compare_pvalues(thr, 0.003, 9, 0.01, &p, &pz), 1);
	ck_assert_double_eq_tol(p, 0.5, 1e-15);
	ck_assert_int_eq(compare_pvalues(-thr, 0.003, 9, 0.01, &p, &pz), -1);
	ck_assert_double_eq_tol(p, 0.5, 1e-15);
	/* Under the threshold the one-sided p is over 1/2: never "regressed". */
	compare_pvalues(0.005, 0.001, 9, 0.01, &p, &pz);
	ck_assert_double_gt(p, 0.5);
	ck_assert_double_lt(pz, 0.01);
	/* Exact (se 0): beyond the threshold p 0, under it 1; p_zero 0 for
	 * any change, 1 for none. */
	ck_assert_int_eq(compare_pvalues(0.02, 0, 4, 0.01, &p, &pz), 1);
	ck_assert_double_eq(p, 0);
	ck_assert_double_eq(pz, 0);
	ck_assert_int_eq(compare_pvalues(-0.005, 0, 4, 0.01, &p, &pz), -1);
	ck_assert_double_eq(p, 1);
	ck_assert_double_eq(pz, 0);
	ck_assert_int_eq(compare_pvalues(0, 0, 4, 0.01, &p, &pz), 1);
	ck_assert_double_eq(p, 1);
	ck_assert_double_eq(pz, 1);
}
END_TEST

/* Yuen's trimmed one-sample statistics against tests/compare_known.py
 * (statistics module): {0.01 0.03 0.02 0.04 0.00 0.50 0.02 0.01 0.03
 * 0.02}, 10 % trimmed: mean 0.0225 of the middle 8, se
 * 0.004648348401006841 from the winsorised sd, df 7; the 0.00 (index 4)
 * and 0.50 (index 5) are cut.  From 5 values on at least one is cut a
 * side: the first five give mean 0.02 of {0.01 0.02 0.03}, se
 * sqrt(4 var{.01 .01 .02 .03 .03} / (3 * 2)) = 0.00816496580927726, df 2.
 * Four values: nothing cut, the plain one-sample t (mean 0.025, se
 * 0.006454972243679028, df 3). */
START_TEST(test_trimmed_known)
{
	static const double lr[] = { 0.01, 0.03, 0.02, 0.04, 0.00, 0.50, 0.02, 0.01, 0.03, 0.02 };
	int kept[10];
	struct welch w;

	ck_assert_int_eq(compare_trimmed(lr, 10, 0.1, &w, kept), 0);
	ck_assert_double_eq_tol(w.diff, 0.0225, 1e-12);
	ck_assert_double_eq_tol(w.se, 0.004648348401006841, 1e-12);
	ck_assert_double_eq_tol(w.df, 7, 1e-12);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(kept[i], i != 4 && i != 5);
	ck_assert_int_eq(compare_trimmed(lr, 5, 0.1, &w, kept), 0);
	ck_assert_double_eq_tol(w.diff, 0.02, 1e-12);
	ck_assert_double_eq_tol(w.se, 0.00816496580927726, 1e-12);
	ck_assert_double_eq_tol(w.df, 2, 1e-12);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(kept[i], i != 3 && i != 4);  /* 0.04 and 0.00 */
	ck_assert_int_eq(compare_trimmed(lr, 4, 0.1, &w, NULL), 0);
	ck_assert_double_eq_tol(w.diff, 0.025, 1e-12);
	ck_assert_double_eq_tol(w.se, 0.006454972243679028, 1e-12);
	ck_assert_double_eq_tol(w.df, 3, 1e-12);
	ck_assert_int_eq(compare_trimmed(lr, 1, 0.1, &w, NULL), -1);
}
END_TEST

/* Suspicion, as compare_is_suspect documents it.  Paired: loose and
 * two-sided, |rel| at least half the threshold and an unadjusted p_zero
 * under 0.5, sign returned.  Stored: slowdowns only, p_zero under 0.25.
 * A verdict already "regressed" (or "improved", paired) is suspect; too
 * few, new and exact comparisons never are. */
START_TEST(test_suspect)
{
	struct comparison c = { .verdict = VERDICT_NO_CHANGE, .rel = 0.006, .p_zero = 0.2 };

	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 1);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 1);
	c.rel = 0.004;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
	c.rel = 0.02;
	c.p_zero = 0.3;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 1);
	c.p_zero = 0.6;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
	c.rel = -0.05;
	c.p_zero = 0.01;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), -1);
	c.verdict = VERDICT_WITHIN_NOISE;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), -1);
	c.verdict = VERDICT_REGRESSED;
	c.rel = 0.05;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 1);
	c.verdict = VERDICT_IMPROVED;
	c.rel = -0.05;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 0), 0);
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), -1);
	c.verdict = VERDICT_TOO_FEW;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
	c.verdict = VERDICT_NEW;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
	c.verdict = VERDICT_REGRESSED;
	c.rel = 0.05;
	c.exact = 1;  /* nothing to gain from measuring exact counts again */
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
	c.exact = 0;
	c.rel = NAN;
	ck_assert_int_eq(compare_is_suspect(&c, 0.01, 1), 0);
}
END_TEST

/* A confirmation stops for a suspect whose change fell under half the
 * threshold; one that turned the other way beyond it goes on. */
START_TEST(test_futile)
{
	struct comparison c = { .rel = 0.005, .rel_lo = -0.004, .rel_hi = 0.014 };

	ck_assert(!compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel = 0.0049;
	ck_assert(compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel = -0.0049;
	ck_assert(compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel = -0.02;
	ck_assert(!compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel = NAN;
	ck_assert(compare_is_futile(&c, 0.01, 50, 0.01));
	/* A small change on rounds too noisy to say anything (an interval
	 * wider than twice the threshold either side) is measured on. */
	c.rel = 0.0004;
	c.rel_lo = -0.089;
	c.rel_hi = 0.098;
	ck_assert(!compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel_lo = -0.0199;
	c.rel_hi = 0.0199;
	ck_assert(compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel_hi = 0.0202;
	ck_assert(!compare_is_futile(&c, 0.01, 50, 0.01));
}
END_TEST

/* Rounds so noisy that every round left could not show the change so far
 * beyond the threshold stop; a change large enough for them to show goes
 * on; a quiet benchmark's noisy first rounds do not stop a 1.5 % change. */
START_TEST(test_futile_too_noisy)
{
	/* se 5 % over 10 rounds: 2.04 % after 50 more, which needs the
	 * change 4.75 % (log) beyond the threshold at alpha 0.01 */
	struct comparison c = { .rel = 0.03, .rel_lo = -0.07, .rel_hi = 0.13, .se = 0.05,
	                        .cur_procs = 10 };

	ck_assert(compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel = -0.05;
	ck_assert(compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel = 0.07;
	ck_assert(!compare_is_futile(&c, 0.01, 50, 0.01));
	c.rel = 0.03;  /* no rounds left to wait for: the same */
	ck_assert(compare_is_futile(&c, 0.01, 0, 0.01));
	/* 2 % spread over 8 rounds: 0.8 % now, 0.30 % after 50 more */
	c = (struct comparison){ .rel = 0.015, .rel_lo = -0.004, .rel_hi = 0.034, .se = 0.008,
	                         .cur_procs = 8 };
	ck_assert(!compare_is_futile(&c, 0.01, 50, 0.01));
	/* unknown spread: only the first rule */
	c.se = NAN;
	ck_assert(!compare_is_futile(&c, 0.01, 50, 0.01));
	/* a steady +0.6 %, its whole interval under the threshold: stops;
	 * the same reaching past it goes on */
	c = (struct comparison){ .rel = 0.006, .rel_lo = 0.001, .rel_hi = 0.0099, .se = 0.002,
	                         .cur_procs = 20 };
	ck_assert(compare_is_futile(&c, 0.01, 40, 0.01));
	c.rel_hi = 0.0101;
	ck_assert(!compare_is_futile(&c, 0.01, 40, 0.01));
	c = (struct comparison){ .rel = -0.006, .rel_lo = -0.0099, .rel_hi = -0.001, .se = 0.002,
	                         .cur_procs = 20 };
	ck_assert(compare_is_futile(&c, 0.01, 40, 0.01));
}
END_TEST

/* A screen's rounds: 5 spread 20 % (se 10 %) project to 2.7 % after 60
 * more, over the limit of half the threshold: a +5 % screen is not worth
 * them, a +30 % one is; 5 rounds spread 3 % (se 1.5 %: 0.42 % after 60)
 * are re-measured whatever they showed. */
START_TEST(test_too_noisy_screen)
{
	struct comparison c = { .rel = 0.05, .se = 0.10, .cur_procs = 5 };
	double limit = log1p(0.01) / 2;

	ck_assert(compare_too_noisy(&c, 0.01, 60, 0.01, limit));
	c.rel = -0.05;
	ck_assert(compare_too_noisy(&c, 0.01, 60, 0.01, limit));
	c.rel = 0.30;
	ck_assert(!compare_too_noisy(&c, 0.01, 60, 0.01, limit));
	c = (struct comparison){ .rel = 0.011, .se = 0.015, .cur_procs = 5 };
	ck_assert(!compare_too_noisy(&c, 0.01, 60, 0.01, limit));
	c.se = NAN;
	ck_assert(!compare_too_noisy(&c, 0.01, 60, 0.01, limit));
}
END_TEST

/* suite_old_first: rounds k = 0..3 of every benchmark are ABBA or BAAB
 * (exactly two old-first), so any even number of rounds is balanced; the
 * same seed and name always give the same order; and the pattern is
 * mirrored between names (a hash of name and seed), so not every
 * benchmark runs the old build first in round 0. */
START_TEST(test_pair_order)
{
	static const uint64_t seeds[] = {0, 1, 7, 42, 0xdeadbeefu, UINT64_MAX};
	size_t mirrored = 0, total = 0;

	for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++)
		for (unsigned b = 0; b < 64; b++) {
			char name[32];
			int first, k0;
			snprintf(name, sizeof name, "grp/bench%u", b);
			k0 = suite_old_first(seeds[s], 0, name);
			first = 0;
			for (unsigned k = 0; k < 4; k++)
				first += suite_old_first(seeds[s], k, name);
			ck_assert_msg(first == 2, "%s seed %zu: %d of rounds 0..3 old-first",
			              name, s, first);
			/* ABBA or BAAB: rounds 0 and 3 alike, 1 and 2 the other */
			ck_assert_int_eq(suite_old_first(seeds[s], 3, name), k0);
			ck_assert_int_eq(suite_old_first(seeds[s], 1, name), !k0);
			ck_assert_int_eq(suite_old_first(seeds[s], 2, name), !k0);
			for (unsigned n = 2; n <= 40; n += 2) {
				unsigned of = 0;
				for (unsigned k = 0; k < n; k++)
					of += (unsigned)suite_old_first(seeds[s], k, name);
				ck_assert_msg(2 * of == n, "%s: %u old-first of %u rounds", name, of, n);
			}
			/* blocks of four repeat */
			for (unsigned k = 0; k < 40; k++)
				ck_assert_int_eq(suite_old_first(seeds[s], k, name),
				                 suite_old_first(seeds[s], k % 4, name));
			ck_assert_int_eq(k0, suite_old_first(seeds[s], 0, name));
			mirrored += (size_t)k0;
			total++;
		}
	/* A hash bit per name: both patterns occur among 64 names under
	 * every seed (all the same would be 2^-63). */
	ck_assert_msg(mirrored > 0 && mirrored < total, "%zu of %zu start old-first",
	              mirrored, total);
	for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
		int any0 = 0, any1 = 0;
		for (unsigned b = 0; b < 64; b++) {
			char name[32];
			snprintf(name, sizeof name, "grp/bench%u", b);
			if (suite_old_first(seeds[s], 0, name))
				any1 = 1;
			else
				any0 = 1;
		}
		ck_assert_msg(any0 && any1, "seed %zu: one pattern for all 64 names", s);
	}
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(compare_verdict_name(VERDICT_REGRESSED), "regressed");
	ck_assert_str_eq(compare_verdict_name(VERDICT_NO_CHANGE), "no significant change");
	ck_assert_str_eq(compare_verdict_name(VERDICT_TOO_FEW), "too few samples to tell");
	ck_assert_str_eq(compare_verdict_name(VERDICT_NONE), "");
	ck_assert_str_eq(compare_verdict_name(VERDICT_COUNT), "");
	ck_assert_str_eq(compare_verdict_name(VERDICT_WITHIN_NOISE), "within noise");
	ck_assert_str_eq(compare_mode_name(MODE_PAIRED), "paired");
	ck_assert_str_eq(compare_mode_name(MODE_STORED), "stored");
	ck_assert_str_eq(compare_mode_name(MODE_FALLBACK), "fallback");
	ck_assert_str_eq(compare_mode_name(MODE_NONE), "");
	ck_assert_str_eq(compare_mode_name(MODE_COUNT), "");
}
END_TEST

/* ---- Stored comparisons ---- */

/* +20 % in one benchmark of 8, the rest unchanged, 1 % process noise.
 * tests/compare_known.py ("regression"): g/b3 p_adj 0.000167003, change
 * +19.43 % (rel +19.16 % after the shift +0.22 % is removed); every other
 * p_adj 1. */
START_TEST(test_regression)
{
	double factor[8] = {1, 1, 1, 1.2, 1, 1, 1, 1};
	struct suite base, cur;
	struct compare_summary sum = {0};
	const struct comparison *c;

	make_pair(&base, &cur, 8, 0.01, factor, 1, 0x1234567u);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	c = &cur.benches[3].gate.cmp;
	ck_assert_msg(c->verdict == VERDICT_REGRESSED, "g/b3: '%s' (change %+.2f%%, p %.3g)",
	              compare_verdict_name(c->verdict), c->change * 100, c->p_adj);
	ck_assert_double_eq_tol(c->change, 0.194268, 1e-5);
	ck_assert_double_eq_tol(c->rel, 0.191646, 1e-5);
	assert_rel(c->p_adj, 7.94437e-20, 1e-4);
	ck_assert(c->change_lo < c->change && c->change < c->change_hi);
	ck_assert(c->rel_lo < c->rel && c->rel < c->rel_hi);
	ck_assert(c->change_lo > 0.1 && c->change_hi < 0.3);
	ck_assert_double_eq_tol(c->cur_ns / c->base_ns - 1, c->change, 1e-12);
	assert_others(&cur, 3, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 1);
	ck_assert_uint_eq(sum.counts[VERDICT_NO_CHANGE], 7);
	ck_assert_uint_eq(sum.compared, 8);
	ck_assert_uint_eq(sum.stored, 8);
	ck_assert_int_eq(sum.shift_removed, 1);
	ck_assert_double_eq_tol(sum.shift, 0.002200179946310576, 1e-9);
	ck_assert_int_eq(sum.shift_beyond, 0);
	ck_assert_str_eq(sum.worst, "g/b3");
	ck_assert_double_eq_tol(sum.worst_change, c->rel, 1e-15);
	ck_assert_uint_eq(sum.nmissing, 0);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* -20 % in g/b5 ("improvement": p_adj 8.92675e-07). */
START_TEST(test_improvement)
{
	double factor[8] = {1, 1, 1, 1, 1, 0.8, 1, 1};
	struct suite base, cur;
	struct compare_summary sum = {0};

	make_pair(&base, &cur, 8, 0.01, factor, 1, 0x7654321u);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[5].gate.cmp.verdict, VERDICT_IMPROVED);
	ck_assert_double_eq_tol(cur.benches[5].gate.cmp.change, -0.203689, 1e-5);
	assert_rel(cur.benches[5].gate.cmp.p_adj, 6.38674e-34, 1e-4);
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

/* Both sides drawn from the same distribution, under several seeds (and
 * 50 benchmarks under one): nothing flagged, the shift within the bound
 * (tests/compare_known.py: every p_adj 1). */
START_TEST(test_pure_noise)
{
	static const uint64_t seeds[] = {1, 42, 0xdeadbeef, 0x5eed5eed, 987654321, 0xc0ffee};
	size_t n = _i == 5 ? 50 : 8;
	struct suite base, cur;
	struct compare_summary sum = {0};

	make_pair(&base, &cur, n, 0.01, NULL, 1, seeds[_i]);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	assert_others(&cur, n, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED] + sum.counts[VERDICT_IMPROVED], 0);
	ck_assert_uint_eq(sum.compared, n);
	ck_assert_int_eq(sum.shift_beyond, 0);
	for (size_t i = 0; i < n; i++)
		ck_assert(cur.benches[i].gate.cmp.p_adj >= cur.benches[i].gate.cmp.p);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Two processes a side cannot estimate a spread, however large the change;
 * a process with fewer than two samples does not count. */
START_TEST(test_too_few)
{
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};
	uint64_t rng = 99;

	for (size_t i = 0; i < 8; i++) {
		char name[16];
		snprintf(name, sizeof name, "t/%zu", i);
		add_bench(&base, name, 2, 5, 0.01, &rng);
		add_bench(&cur, name, 2, 5 * 1.5, 0.01, &rng);
	}
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	assert_others(&cur, 8, VERDICT_TOO_FEW);
	ck_assert_uint_eq(sum.counts[VERDICT_TOO_FEW], 8);
	ck_assert_uint_eq(sum.too_few, 8);
	ck_assert_uint_eq(sum.compared, 0);
	ck_assert(isnan(sum.shift));  /* nothing to estimate it from */
	ck_assert_int_eq(sum.shift_beyond, 0);
	ck_assert(isnan(cur.benches[0].gate.cmp.change));
	ck_assert_uint_eq(cur.benches[0].gate.cmp.base_procs, 2);
	ck_assert_uint_eq(cur.benches[0].gate.cmp.cur_procs, 2);
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_REGRESSION), EXIT_USAGE);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Three processes on each side is enough; three where one has a single
 * sample is not.  "three" is +50 % with 1 % spread, the only stored
 * member: tests/compare_known.py ("boundary") gives p_adj 9.07982e-05
 * (regressed), and the shift (that one change) beyond the 4 % bound with
 * Holm p 6.3e-199. */
START_TEST(test_too_few_boundary)
{
	static const double b3[] = {10, 10.1, 9.9}, c3[] = {15, 15.1, 14.9};
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};
	struct bench_result *short_proc;

	add_bench_slopes(&base, "three", b3, 3);
	add_bench_slopes(&cur, "three", c3, 3);
	add_bench_slopes(&base, "short", b3, 3);
	short_proc = add_bench_slopes(&cur, "short", c3, 3);
	short_proc->procs[1].nsamples = 1;
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_REGRESSED);
	assert_rel(cur.benches[0].gate.cmp.p_adj, 5.46926e-50, 1e-4);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_TOO_FEW);
	ck_assert_uint_eq(cur.benches[1].gate.cmp.cur_procs, 2);
	ck_assert_uint_eq(sum.compared, 1);
	ck_assert_int_eq(sum.shift_beyond, 1);
	ck_assert_double_lt(sum.shift_p, 1e-100);
	/* a regression outranks too few */
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_REGRESSION), EXIT_REGRESSION);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

START_TEST(test_new_missing)
{
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};
	uint64_t rng = 5;

	add_bench(&base, "kept/a", 5, 3, 0.01, &rng);
	add_bench(&base, "gone/x", 5, 3, 0.01, &rng);
	add_bench(&base, "kept/b", 5, 4, 0.01, &rng);
	add_bench(&base, "gone/y", 5, 4, 0.01, &rng);
	add_bench(&cur, "kept/a", 5, 3, 0.01, &rng);
	add_bench(&cur, "new/z", 5, 3, 0.01, &rng);
	add_bench(&cur, "kept/b", 5, 4, 0.01, &rng);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_NEW);
	ck_assert_int_eq(cur.benches[2].gate.cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_uint_eq(sum.counts[VERDICT_NEW], 1);
	ck_assert_uint_eq(sum.counts[VERDICT_MISSING], 2);
	ck_assert_uint_eq(sum.nmissing, 2);
	ck_assert_str_eq(sum.missing[0], "gone/x");
	ck_assert_str_eq(sum.missing[1], "gone/y");
	ck_assert_uint_eq(sum.compared, 2);
	ck_assert_uint_eq(sum.modes[MODE_STORED], 2);  /* the new one is not compared */
	compare_summary_free(&sum);
	ck_assert_ptr_null(sum.missing);
	ck_assert_uint_eq(sum.nmissing, 0);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Baseline benchmarks the filter excluded were not asked for: not
 * "missing".  Without the filter the same one is. */
START_TEST(test_filtered_not_missing)
{
	struct suite base = {0}, cur = {0};
	struct compare_opts o = DEFAULTS;
	struct compare_summary sum = {0};
	regex_t re;
	uint64_t rng = 11;

	add_bench(&base, "a/x", 5, 3, 0.01, &rng);
	add_bench(&base, "b/y", 5, 3, 0.01, &rng);
	add_bench(&base, "a/z", 5, 3, 0.01, &rng);
	add_bench(&cur, "a/x", 5, 3, 0.01, &rng);
	ck_assert_int_eq(regcomp(&re, "^a/x", REG_EXTENDED | REG_NOSUB), 0);
	o.filter = &re;
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	ck_assert_uint_eq(sum.nmissing, 0);
	ck_assert_uint_eq(sum.counts[VERDICT_MISSING], 0);
	compare_summary_free(&sum);
	regfree(&re);
	/* "a/" selects a/z too, which the current run lacks: missing */
	ck_assert_int_eq(regcomp(&re, "^a/", REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	ck_assert_uint_eq(sum.nmissing, 1);
	ck_assert_str_eq(sum.missing[0], "a/z");
	compare_summary_free(&sum);
	regfree(&re);
	o.filter = NULL;
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	ck_assert_uint_eq(sum.nmissing, 2);
	ck_assert_uint_eq(sum.counts[VERDICT_MISSING], 2);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* A new benchmark is no member of the family: the others' p-values, Holm
 * adjustment, shift and verdicts are identical with and without it, stored
 * and paired. */
START_TEST(test_new_changes_nothing)
{
	double factor[6] = {1, 1.2, 1, 1, 1.02, 1};
	struct suite base, cur, old = {0}, pcur = {0};
	struct compare_summary sum = {0};
	double p_adj[6], pz_adj[6], shift, pp[3];
	uint64_t rng = 3;

	make_pair(&base, &cur, 6, 0.01, factor, 1, 4711);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	for (size_t i = 0; i < 6; i++) {
		p_adj[i] = cur.benches[i].gate.cmp.p_adj;
		pz_adj[i] = cur.benches[i].gate.cmp.p_zero_adj;
	}
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_REGRESSED);
	shift = sum.shift;
	compare_summary_free(&sum);
	add_bench(&cur, "g/new", 5, 3, 0.01, &rng);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[6].gate.cmp.verdict, VERDICT_NEW);
	for (size_t i = 0; i < 6; i++) {
		ck_assert_double_eq(cur.benches[i].gate.cmp.p_adj, p_adj[i]);
		ck_assert_double_eq(cur.benches[i].gate.cmp.p_zero_adj, pz_adj[i]);
	}
	ck_assert_double_eq(sum.shift, shift);
	ck_assert_uint_eq(sum.compared, 6);
	compare_summary_free(&sum);

	for (size_t i = 0; i < 3; i++) {
		double so[6], sn[6];
		char name[16];
		for (size_t r = 0; r < 6; r++) {
			so[r] = 5 * (1 + 0.005 * gauss(&rng));
			sn[r] = 5 * (i == 0 ? 1.1 : 1) * (1 + 0.005 * gauss(&rng));
		}
		snprintf(name, sizeof name, "p/%zu", i);
		add_pair(&old, &pcur, name, so, sn, 6);
	}
	ck_assert_int_eq(run_paired(&pcur, &old, NULL, &DEFAULTS, &sum), 0);
	for (size_t i = 0; i < 3; i++)
		pp[i] = pcur.benches[i].gate.cmp.p_adj;
	compare_summary_free(&sum);
	add_bench(&pcur, "p/new", 6, 5, 0.01, &rng);
	ck_assert_int_eq(run_paired(&pcur, &old, NULL, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(pcur.benches[3].gate.cmp.verdict, VERDICT_NEW);
	for (size_t i = 0; i < 3; i++)
		ck_assert_double_eq(pcur.benches[i].gate.cmp.p_adj, pp[i]);
	ck_assert_uint_eq(sum.compared, 3);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
	suite_free(&old);
	suite_free(&pcur);
}
END_TEST

/* A failed benchmark on either side is not compared. */
START_TEST(test_failed_not_compared)
{
	double factor[6] = {1.5, 1.5, 1, 1, 1, 1};
	struct suite base, cur;
	struct compare_summary sum = {0};

	make_pair(&base, &cur, 6, 0.01, factor, 1, 77);
	cur.benches[0].failed = 1;
	base.benches[1].failed = 1;
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_NONE);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_NONE);
	ck_assert_uint_eq(sum.compared, 4);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 0);
	ck_assert_uint_eq(sum.counts[VERDICT_NO_CHANGE], 4);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Every benchmark about 3 % slower: drift, reported as the suite's shift
 * (tests/compare_known.py "drift": +3.129 %, interval 1.998 % .. 4.273 %,
 * within the 4 % bound) and removed: each judged change `rel` is within
 * 1 % of zero while `change` keeps the raw +2.2 .. +3.9 %.  With the
 * correction off, each test carries the suite's drift variance instead:
 * still nothing flagged (smallest p_adj 1), the shift still reported. */
START_TEST(test_drift)
{
	struct compare_opts o = DEFAULTS;
	struct suite base, cur;
	struct compare_summary sum = {0};

	make_pair(&base, &cur, 8, 0.01, NULL, 1.03, 2024);
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	assert_others(&cur, 8, VERDICT_NO_CHANGE);
	ck_assert_int_eq(sum.shift_removed, 1);
	ck_assert_double_eq_tol(sum.shift, 0.031290384164647224, 1e-9);
	ck_assert_double_eq_tol(sum.shift_lo, 0.019778001184643974, 1e-6);
	ck_assert_double_eq_tol(sum.shift_hi, 0.042932731668031354, 1e-6);
	ck_assert_int_eq(sum.shift_beyond, 0);
	for (size_t i = 0; i < 8; i++) {
		ck_assert_double_lt(fabs(cur.benches[i].gate.cmp.rel), 0.01);
		ck_assert_double_gt(cur.benches[i].gate.cmp.change, 0.02);
	}
	compare_summary_free(&sum);

	o.drift_correction = 0;
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	ck_assert_int_eq(sum.shift_removed, 0);
	ck_assert_double_eq_tol(sum.shift, 0.031290384164647224, 1e-9);
	assert_others(&cur, 8, VERDICT_NO_CHANGE);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.rel, cur.benches[0].gate.cmp.change, 1e-15);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.change, 0.0235353, 1e-6);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* A real change on top of drift is still found, measured from the shift
 * (tests/compare_known.py "reg under drift": g/b6 change +23.95 %, rel
 * +20.32 %, p_adj 7.86304e-06; shift +3.01 %). */
START_TEST(test_regression_under_drift)
{
	double factor[8] = {1, 1, 1, 1, 1, 1, 1.2, 1};
	struct suite base, cur;
	struct compare_summary sum = {0};

	make_pair(&base, &cur, 8, 0.01, factor, 1.03, 555);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[6].gate.cmp.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq_tol(cur.benches[6].gate.cmp.change, 0.239468, 1e-5);
	ck_assert_double_eq_tol(cur.benches[6].gate.cmp.rel, 0.203223, 1e-5);
	assert_rel(cur.benches[6].gate.cmp.p_adj, 3.08174e-22, 1e-4);
	assert_others(&cur, 6, VERDICT_NO_CHANGE);
	ck_assert_double_eq_tol(sum.shift, 0.030123303913037348, 1e-9);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Removing the drift needs four stored benchmarks: with three, a common
 * +3 % (0.1 % process noise) is not removed, and each test carries the
 * suite's drift variance, so none is called regressed
 * (tests/compare_known.py "needs four": p_adj 0.693359 each; shift the
 * mean change +3.059 %, interval 1.895 % .. 4.236 %, p 0.94). */
START_TEST(test_drift_needs_four)
{
	struct suite base, cur;
	struct compare_summary sum = {0};

	make_pair(&base, &cur, 3, 0.001, NULL, 1.03, 8);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(sum.shift_removed, 0);
	ck_assert_double_eq_tol(sum.shift, 0.030589888800208086, 1e-9);
	ck_assert_double_eq_tol(sum.shift_lo, 0.0189478706106295, 1e-6);
	ck_assert_double_eq_tol(sum.shift_hi, 0.042364923203310194, 1e-6);
	assert_rel(sum.shift_p, 0.9415715112562913, 1e-6);
	ck_assert_int_eq(sum.shift_beyond, 0);
	assert_others(&cur, 3, VERDICT_NO_CHANGE);
	for (size_t i = 0; i < 3; i++)
		assert_rel(cur.benches[i].gate.cmp.p_adj, 0.693359, 1e-5);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* One stored benchmark +5 % (exact per-process spread P5): not a
 * regression, since one benchmark cannot tell its change from the suite's
 * drift (shown different from zero: "within noise" at alpha 0.05);
 * reported as the shift, with its interval, not removed
 * (tests/compare_known.py "one +5%": p_adj 0.0836189, shift interval
 * 2.922 % .. 7.120 %, shift p 0.174). */
START_TEST(test_one_stored_shift)
{
	static const double f[1] = {1.05};
	struct suite base, cur;
	struct compare_summary sum = {0};

	make_exact_pair(&base, &cur, 1, f);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_WITHIN_NOISE);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.change, 0.05, 1e-12);
	assert_rel(cur.benches[0].gate.cmp.p_adj, 0.0836189, 1e-4);
	ck_assert_int_eq(sum.shift_removed, 0);
	ck_assert_double_eq_tol(sum.shift, 0.05, 1e-12);
	ck_assert_double_eq_tol(sum.shift_lo, 0.029221170362084735, 1e-6);
	ck_assert_double_eq_tol(sum.shift_hi, 0.0711983310760461, 1e-6);
	assert_rel(sum.shift_p, 0.17402928450893473, 1e-6);
	ck_assert_int_eq(sum.shift_beyond, 0);
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_REGRESSION), EXIT_NO_REGRESSION);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

static double drift_small(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "g/b0") ? 0.002 : NAN;  /* g/b0: no history */
}

static double drift_large(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return 0.05;
}

/* A stored comparison takes each benchmark's between-run movement from
 * the history when it has one (compare_opts.bench_drift), the assumed
 * 1 % otherwise: a history of quiet runs narrows the interval of a +3 %
 * change, a noisy one widens it past the verdict. */
START_TEST(test_drift_from_history)
{
	double factor[8] = {1, 1, 1, 1.03, 1, 1, 1, 1};
	struct compare_opts quiet = DEFAULTS, noisy = DEFAULTS;
	struct comparison assumed, q, n;
	struct suite base, cur;
	struct compare_summary sum = {0};

	quiet.bench_drift = drift_small;
	noisy.bench_drift = drift_large;
	make_pair(&base, &cur, 8, 0.002, factor, 1, 0x1234567u);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	assumed = cur.benches[3].gate.cmp;
	ck_assert_uint_eq(sum.drift_measured, 0);
	compare_summary_free(&sum);
	memset(&sum, 0, sizeof sum);
	ck_assert_int_eq(run_stored(&cur, &base, &quiet, &sum), 0);
	q = cur.benches[3].gate.cmp;
	ck_assert_uint_eq(sum.drift_measured, 7);
	ck_assert_double_eq_tol(sum.drift_median, 0.002, 1e-12);
	compare_summary_free(&sum);
	memset(&sum, 0, sizeof sum);
	ck_assert_int_eq(run_stored(&cur, &base, &noisy, &sum), 0);
	n = cur.benches[3].gate.cmp;
	ck_assert_uint_eq(sum.drift_measured, 8);
	ck_assert_msg(q.rel_hi - q.rel_lo < assumed.rel_hi - assumed.rel_lo &&
	              assumed.rel_hi - assumed.rel_lo < n.rel_hi - n.rel_lo,
	              "interval widths %g %g %g", q.rel_hi - q.rel_lo,
	              assumed.rel_hi - assumed.rel_lo, n.rel_hi - n.rel_lo);
	ck_assert_msg(q.verdict == VERDICT_REGRESSED, "quiet history: %s",
	              compare_verdict_name(q.verdict));
	ck_assert_msg(n.verdict != VERDICT_REGRESSED, "noisy history: %s",
	              compare_verdict_name(n.verdict));
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Without a history, a benchmark whose baseline processes switch between
 * two speeds 40 % apart (1.4826 MAD of their logs: 22 %) is taken to move
 * between runs by as much: a whole run in its slow phase (+20 %) is not a
 * regression, where the assumed 1 % would call it one.  A steady
 * benchmark's +10 % in the same suite still is; the history's figure, when
 * there is one, wins. */
START_TEST(test_drift_from_own_spread)
{
	static const double two_speeds[10] = {1, 1.4, 1, 1.4, 1, 1.4, 1, 1.4, 1.02, 1.38};
	double slow[5], base_steady[10], steady[5];
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};
	struct compare_opts known = DEFAULTS;

	for (size_t p = 0; p < 10; p++)
		base_steady[p] = 2 * (1 + 0.002 * (double)(p % 3));
	for (size_t p = 0; p < 5; p++) {
		slow[p] = 1.4 * (1 + 0.002 * (double)p);
		steady[p] = 2.2 * (1 + 0.002 * (double)(p % 3));
	}
	add_bench_slopes(&base, "g/two_speeds", two_speeds, 10);
	add_bench_slopes(&cur, "g/two_speeds", slow, 5);
	add_bench_slopes(&base, "g/steady", base_steady, 10);
	add_bench_slopes(&cur, "g/steady", steady, 5);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_double_gt(cur.benches[0].gate.cmp.change, 0.15);
	ck_assert_int_ne(cur.benches[0].gate.cmp.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_REGRESSED);
	compare_summary_free(&sum);
	known.bench_drift = drift_small;  /* 0.2 % for both: a history of quiet runs */
	memset(&sum, 0, sizeof sum);
	ck_assert_int_eq(run_stored(&cur, &base, &known, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_REGRESSED);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Without a history, a body on several threads moves between runs by
 * COMPARE_THREADED_DRIFT: its whole run twice as slow, processes in
 * agreement, is not a regression; four times as slow is (alpha 0.05).  On
 * one thread the same doubling is. */
START_TEST(test_threaded_drift)
{
	static const double base_slopes[5] = {100, 101, 99, 100.5, 99.5};
	double twice[5], four[5];
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};

	for (size_t p = 0; p < 5; p++) {
		twice[p] = 2 * base_slopes[(p + 2) % 5];
		four[p] = 4 * base_slopes[(p + 1) % 5];
	}
	add_bench_slopes(&base, "t/two", base_slopes, 5)->threads = 2;
	add_bench_slopes(&cur, "t/two", twice, 5)->threads = 2;
	add_bench_slopes(&base, "t/four", base_slopes, 5)->threads = 2;
	add_bench_slopes(&cur, "t/four", four, 5)->threads = 2;
	add_bench_slopes(&base, "t/one", base_slopes, 5);
	add_bench_slopes(&cur, "t/one", twice, 5);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.change, 1.0, 0.01);
	ck_assert_int_ne(cur.benches[0].gate.cmp.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_REGRESSED);
	ck_assert_int_eq(cur.benches[2].gate.cmp.verdict, VERDICT_REGRESSED);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* 20 stored benchmarks all +10 %: the shift is shown beyond the 4 % drift
 * bound (tests/compare_known.py: interval 9.39 % .. 10.62 %, Holm p
 * 9.8e-85), so it is no drift and is not removed: each benchmark is judged
 * on its own +10 % with the common drift's variance, and every one is
 * regressed (at alpha 0.05); the run fails. */
START_TEST(test_shift_beyond)
{
	double f[20];
	struct suite base, cur;
	struct compare_summary sum = {0};

	for (size_t i = 0; i < 20; i++)
		f[i] = 1.10;
	make_exact_pair(&base, &cur, 20, f);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	assert_others(&cur, 20, VERDICT_REGRESSED);
	ck_assert_int_eq(sum.shift_removed, 0);
	ck_assert_double_eq_tol(sum.shift, 0.10, 1e-9);
	ck_assert_double_eq_tol(sum.shift_lo, 0.09385549819421883, 1e-6);
	ck_assert_double_eq_tol(sum.shift_hi, 0.10617901724452412, 1e-6);
	ck_assert_int_eq(sum.shift_beyond, 1);
	ck_assert_double_lt(sum.shift_p, 1e-50);
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_REGRESSION), EXIT_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_CHANGE), EXIT_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_NEVER), EXIT_NO_REGRESSION);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* 11 of 20 stored benchmarks +5 %, 9 unchanged.  The shift is the median,
 * so it lands in the changed group (+5 %), and it is shown beyond the
 * bound (Holm p 0.00854), so it is not removed: had it been, the 9
 * unchanged would move -4.76 % against it and be called "improved".
 * tests/compare_known.py: judged on their own changes, the 11 have
 * p_adj 0.836189 and the 9 p 0.671198 (p_adj 1); nothing is called
 * regressed or improved at alpha 0.01 or 0.05, and the shift fails the
 * run. */
START_TEST(test_majority_shift)
{
	double f[20];
	struct compare_opts o = DEFAULTS;
	struct suite base, cur;
	struct compare_summary sum = {0};

	for (size_t i = 0; i < 20; i++)
		f[i] = i < 11 ? 1.05 : 1;
	make_exact_pair(&base, &cur, 20, f);
	o.alpha = 0.01;
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	ck_assert_double_eq_tol(sum.shift, 0.05, 1e-9);
	ck_assert_int_eq(sum.shift_beyond, 1);
	assert_rel(sum.shift_p, 0.008537210312646724, 1e-5);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 0);
	ck_assert_uint_eq(sum.counts[VERDICT_IMPROVED], 0);
	for (size_t i = 11; i < 20; i++) {
		ck_assert_double_eq_tol(cur.benches[i].gate.cmp.change, 0, 1e-12);
		ck_assert_double_eq_tol(cur.benches[i].gate.cmp.rel, 0, 1e-12);
		assert_rel(cur.benches[i].gate.cmp.p, 0.671198, 1e-5);
		ck_assert_double_eq_tol(cur.benches[i].gate.cmp.p_adj, 1, 1e-12);
	}
	for (size_t i = 0; i < 11; i++) {
		ck_assert_double_eq_tol(cur.benches[i].gate.cmp.rel, 0.05, 1e-9);
		assert_rel(cur.benches[i].gate.cmp.p_adj, 0.836189, 1e-4);
	}
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_REGRESSION), EXIT_REGRESSION);
	compare_summary_free(&sum);
	o.alpha = 0.05;
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	ck_assert_uint_eq(sum.counts[VERDICT_IMPROVED], 0);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 0);
	ck_assert_int_eq(sum.shift_beyond, 1);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Exact stored data (every process the same on each side): compared
 * exactly, and kept out of the shift estimate. */
START_TEST(test_stored_exact)
{
	static const double b[3] = {8, 8, 8}, c[3] = {8.5, 8.5, 8.5}, e[3] = {4, 4, 4};
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};

	add_bench_slopes(&base, "x/slower", b, 3);
	add_bench_slopes(&cur, "x/slower", c, 3);
	add_bench_slopes(&base, "x/same", e, 3);
	add_bench_slopes(&cur, "x/same", e, 3);
	ck_assert_int_eq(run_stored(&cur, &base, &DEFAULTS, &sum), 0);
	ck_assert(cur.benches[0].gate.cmp.exact);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq(cur.benches[0].gate.cmp.p, 0);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.change, 0.0625, 1e-12);
	ck_assert(cur.benches[1].gate.cmp.exact);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_double_eq(cur.benches[1].gate.cmp.p_zero, 1);
	ck_assert_uint_eq(sum.stored, 0);
	ck_assert(isnan(sum.shift));
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
	struct compare_summary sum = {0};

	make_pair(&base, &cur, 8, 0.01, factor, 1, 4242);
	o.statistic = _i == 0 ? ANALYSIS_MEDIAN : ANALYSIS_MEAN;
	ck_assert_int_eq(run_stored(&cur, &base, &o, &sum), 0);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_REGRESSED);
	assert_others(&cur, 1, VERDICT_NO_CHANGE);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* Give b an "instructions" counter (as a worker on a machine with a
 * hardware PMU reports it) whose deltas lie exactly on 40 + per_iter[p] *
 * iters in process p: the time samples stay as they were. */
static void add_instructions(struct bench_result *b, const double *per_iter)
{
	b->counters = calloc(1, sizeof *b->counters);
	ck_assert_ptr_nonnull(b->counters);
	b->counters[0] = (struct counter_result){.name = strdup("instructions"),
	                                         .role = strdup("instructions"), .counted = 1};
	b->ncounters = 1;
	for (size_t p = 0; p < b->nprocs; p++) {
		struct proc_run *pr = &b->procs[p];
		pr->ctr_delta = calloc(pr->cap, sizeof *pr->ctr_delta);
		pr->ctr_running = calloc(pr->cap, sizeof *pr->ctr_running);
		ck_assert(pr->ctr_delta && pr->ctr_running);
		pr->nctr = 1;
		for (size_t k = 0; k < pr->nsamples; k++) {
			pr->ctr_delta[k] = 40 + per_iter[p] * (double)pr->samples[k].iters;
			pr->ctr_running[k] = 1;
		}
	}
}

/* --statistic instructions gates on the counter, not on time: one more
 * instruction in 1,000 is a regression, exactly, whatever the times do (here
 * they are 10 % faster); the same count is no change; a benchmark that
 * counted no instructions cannot be judged.  Stored and paired alike. */
START_TEST(test_instructions_statistic)
{
	static const double same[3] = {1000, 1000, 1000}, plus[3] = {1001, 1001, 1001};
	static const double t_old[3] = {20, 20.2, 19.8}, t_new[3] = {18, 18.2, 17.8};
	struct compare_opts o = DEFAULTS;
	struct suite base = {0}, cur = {0};
	struct compare_summary sum = {0};
	int paired = _i == 1;

	o.statistic = ANALYSIS_INSTRUCTIONS;
	o.noise = 0.001;
	add_instructions(add_bench_slopes(&base, "i/plus", t_old, 3), same);
	add_instructions(add_rounds(&cur, "i/plus", t_new, 3, 1, 1), plus);
	add_instructions(add_bench_slopes(&base, "i/same", t_old, 3), same);
	add_instructions(add_rounds(&cur, "i/same", t_new, 3, 1, 1), same);
	add_bench_slopes(&base, "i/uncounted", t_old, 3);
	add_rounds(&cur, "i/uncounted", t_old, 3, 1, 1);
	ck_assert_int_eq(paired ? run_paired(&cur, &base, NULL, &o, &sum)
	                        : run_stored(&cur, &base, &o, &sum), 0);
	ck_assert(cur.benches[0].gate.cmp.exact && cur.benches[1].gate.cmp.exact);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_REGRESSED);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.change, 0.001, 1e-12);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.base_ns, 1000, 1e-9);
	ck_assert_double_eq_tol(cur.benches[0].gate.cmp.cur_ns, 1001, 1e-9);
	ck_assert_int_eq(cur.benches[0].gate.cmp.measure, MEASURE_INSTRUCTIONS);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_int_eq(cur.benches[2].gate.cmp.verdict, VERDICT_TOO_FEW);
	compare_summary_free(&sum);
	suite_free(&base);
	suite_free(&cur);
}
END_TEST

/* ---- Paired comparisons ---- */

/* Old and new measured in the same 5 rounds, each round drifting by up to
 * +-10 % for both builds alike, 0.5 % process noise; g/b2 is 3 % slower. */
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
		add_pair(old, cur, name, so, sc, 5);
	}
}

/* Pairing cancels the drift: only g/b2 is flagged (tests/compare_known.py
 * "paired 1.03": trimmed change +3.457 %, p_adj 0.0355732 over the six).
 * The same numbers compared as stored processes cannot see the 3 % through
 * the drift (every p_adj 1). */
START_TEST(test_paired_cancels_drift)
{
	struct suite old, cur;
	struct compare_summary sum = {0};
	const struct comparison *c;

	make_paired(&old, &cur, 1.03);
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	ck_assert_uint_eq(sum.modes[MODE_PAIRED], 6);
	ck_assert_uint_eq(sum.stored, 0);
	ck_assert(isnan(sum.shift));  /* no stored member, no shift */
	c = &cur.benches[2].gate.cmp;
	ck_assert_msg(c->verdict == VERDICT_REGRESSED, "g/b2: %s %+.2f%%",
	              compare_verdict_name(c->verdict), c->change * 100);
	ck_assert_double_eq_tol(c->change, 0.0345709, 1e-6);
	assert_rel(c->p_adj, 0.0355732, 1e-5);
	ck_assert_uint_eq(c->cur_procs, 5);
	assert_others(&cur, 2, VERDICT_NO_CHANGE);
	compare_summary_free(&sum);
	/* Unpaired, the drift swamps the same 3 %. */
	ck_assert_int_eq(run_stored(&cur, &old, &DEFAULTS, &sum), 0);
	assert_others(&cur, 6, VERDICT_NO_CHANGE);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

/* A/A under the same drift: no benchmark flagged. */
START_TEST(test_paired_aa)
{
	struct suite old, cur;
	struct compare_summary sum = {0};

	make_paired(&old, &cur, 1.0);
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	assert_others(&cur, cur.nbenches, VERDICT_NO_CHANGE);
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
		add_pair(old, cur, name, so, sc, 15);
	}
}

/* A family of two (g/b2, g/b3) judged on rounds 6..15 alone, Holm across
 * the two: tests/compare_known.py ("confirm") gives g/b2 p 1.67871e-07,
 * p_adj twice that (the smaller of two), regressed; g/b3 change -0.307 %,
 * p_adj 0.984714.  The others keep the verdicts they had.  Rounds before
 * from_round are listed but not used. */
START_TEST(test_paired_confirmation)
{
	static const int family[6] = { 0, 0, 1, 1, 0, 0 };
	struct compare_opts o = DEFAULTS;
	struct suite old, cur;
	struct compare_summary sum = {0};
	const struct comparison *b2, *b3;
	size_t used = 0;

	make_confirm(&old, &cur);
	cur.benches[0].gate.cmp.verdict = VERDICT_WITHIN_NOISE;  /* a first look's */
	o.family = family;
	o.from_round = 6;
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &o, &sum), 0);
	b2 = &cur.benches[2].gate.cmp;
	b3 = &cur.benches[3].gate.cmp;
	ck_assert_int_eq(b2->verdict, VERDICT_REGRESSED);
	ck_assert_uint_eq(b2->cur_procs, 10);
	assert_rel(b2->p, 1.67871e-07, 1e-5);
	ck_assert_double_eq_tol(b2->p_adj, fmin(1, 2 * b2->p), 1e-15);
	ck_assert_double_eq_tol(b2->change, 0.0336564, 1e-6);
	ck_assert_int_eq(b3->verdict, VERDICT_NO_CHANGE);
	ck_assert_double_eq_tol(b3->change, -0.00307392, 1e-7);
	assert_rel(b3->p_adj, 0.984714, 1e-5);
	ck_assert_uint_eq(b2->nrounds, 15);
	for (size_t k = 0; k < b2->nrounds; k++) {
		if (b2->rounds[k].round < 6)
			ck_assert_int_eq(b2->rounds[k].used, 0);
		used += (size_t)b2->rounds[k].used;
	}
	ck_assert_uint_eq(used, 8);  /* 10, one trimmed a side */
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_WITHIN_NOISE);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_NONE);
	ck_assert_uint_eq(sum.compared, 2);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 1);
	ck_assert_uint_eq(sum.counts[VERDICT_WITHIN_NOISE], 1);
	compare_summary_free(&sum);
	/* Judged on all 15 rounds (no family), g/b3's first five show:
	 * +0.818 % (p_adj 1), g/b2 regressed (p_adj 2.17364e-07). */
	o.family = NULL;
	o.from_round = 0;
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &o, &sum), 0);
	ck_assert_double_eq_tol(cur.benches[3].gate.cmp.change, 0.00818399, 1e-7);
	assert_rel(cur.benches[2].gate.cmp.p_adj, 2.17364e-07, 1e-5);
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
	struct compare_summary sum = {0};
	static const double one[5] = { 1, 1, 1, 1, 1 };

	make_paired(&old, &cur, 1.0);
	add_bench_slopes(&ref, "g/b0", one, 5);
	add_bench_slopes(&ref, "g/gone", one, 5);
	ck_assert_int_eq(run_paired(&cur, &old, &ref, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_NO_CHANGE);
	ck_assert_int_eq(cur.benches[1].gate.cmp.verdict, VERDICT_NEW);
	ck_assert_uint_eq(sum.nmissing, 1);
	ck_assert_str_eq(sum.missing[0], "g/gone");
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
	suite_free(&ref);
}
END_TEST

/* Relative spreads of 10 rounds, times 1e-4: a tiny, fixed spread. */
static const double SPREAD[10] = {1, -1, 2, -2, 0, 1, -1, 0.5, -0.5, 0};

/* One paired benchmark, 10 rounds, new = old * f with the tiny spread. */
static void make_threshold(struct suite *old, struct suite *cur, double f)
{
	double so[10], sn[10];

	memset(old, 0, sizeof *old);
	memset(cur, 0, sizeof *cur);
	for (size_t k = 0; k < 10; k++) {
		so[k] = 10 * (1 + SPREAD[k] * 1e-4);
		sn[k] = 10 * f * (1 + SPREAD[(k + 3) % 10] * 1e-4);
	}
	add_pair(old, cur, "t/x", so, sn, 10);
}

/* The threshold is what "regressed" means: +0.9 % measured to within
 * 0.01 % is certainly a change, and certainly under 1 %: "within noise"
 * (tests/compare_known.py: p 0.9999999615, p_zero 1.47e-14); +2 % is
 * regressed (p 3.8e-15); and at a 0.5 % threshold the +0.9 % is too. */
START_TEST(test_threshold)
{
	struct compare_opts o = DEFAULTS;
	struct suite old, cur;
	struct compare_summary sum = {0};
	const struct comparison *c;

	make_threshold(&old, &cur, 1.009);
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &o, &sum), 0);
	c = &cur.benches[0].gate.cmp;
	ck_assert_int_eq(c->verdict, VERDICT_WITHIN_NOISE);
	ck_assert_double_eq_tol(c->change, 0.009012616993300812, 1e-12);
	assert_rel(c->p, 0.9999999615081978, 1e-9);
	ck_assert_double_lt(c->p_zero, 1e-12);
	ck_assert(!c->exact);
	ck_assert_str_eq(compare_verdict_name(c->verdict), "within noise");
	compare_summary_free(&sum);
	o.noise = 0.005;
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &o, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_REGRESSED);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);

	make_threshold(&old, &cur, 1.02);
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	c = &cur.benches[0].gate.cmp;
	ck_assert_int_eq(c->verdict, VERDICT_REGRESSED);
	ck_assert_double_eq_tol(c->change, 0.020012754542286133, 1e-12);
	ck_assert_double_lt(c->p_adj, 1e-12);
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_REGRESSION), EXIT_REGRESSION);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

/* No spread on either side (deterministic counts): compared exactly.
 * +2 % is regressed with p 0; +0.5 % is a change (p_zero 0) under the
 * threshold (p 1); none is no significant change. */
START_TEST(test_paired_exact)
{
	static const double f[3] = {1.02, 1.005, 1};
	static const enum verdict want[3] = {VERDICT_REGRESSED, VERDICT_WITHIN_NOISE,
	                                     VERDICT_NO_CHANGE};
	struct suite old = {0}, cur = {0};
	struct compare_summary sum = {0};

	for (size_t i = 0; i < 3; i++) {
		double so[6], sn[6];
		char name[16];
		for (size_t r = 0; r < 6; r++) {
			so[r] = 16;
			sn[r] = 16 * f[i];
		}
		snprintf(name, sizeof name, "e/%zu", i);
		add_pair(&old, &cur, name, so, sn, 6);
	}
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	for (size_t i = 0; i < 3; i++) {
		const struct comparison *c = &cur.benches[i].gate.cmp;
		ck_assert_msg(c->verdict == want[i], "e/%zu: %s", i, compare_verdict_name(c->verdict));
		ck_assert(c->exact);
		ck_assert_double_eq_tol(c->change, f[i] - 1, 1e-12);
	}
	ck_assert_double_eq(cur.benches[0].gate.cmp.p, 0);
	ck_assert_double_eq(cur.benches[0].gate.cmp.p_adj, 0);
	ck_assert_double_eq(cur.benches[1].gate.cmp.p, 1);
	ck_assert_double_eq(cur.benches[1].gate.cmp.p_zero, 0);
	ck_assert_double_eq(cur.benches[2].gate.cmp.p_zero, 1);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

/* base_ns and cur_ns are the geometric means of the rounds used, so that
 * cur_ns / base_ns - 1 is the change; a spoiled round (index 2, new 2x
 * slow) and the lowest ratio (index 5) are trimmed, and the rounds' flags
 * say so.  The order flag records which build ran first (seq). */
START_TEST(test_paired_figures)
{
	static const double dev[10] = {0, 0.001, 1.0, -0.001, 0.002, -0.02, 0.001, 0, -0.002, 0.001};
	double so[10], sn[10];
	struct suite old = {0}, cur = {0};
	struct compare_summary sum = {0};
	const struct comparison *c;
	double lo = 0, ln = 0;

	for (size_t k = 0; k < 10; k++) {
		so[k] = 10 * (1 + 0.001 * (double)(k % 3));
		sn[k] = so[k] * (1.03 + dev[k]);
	}
	add_pair(&old, &cur, "f/x", so, sn, 10);
	/* round 4 ran the new build first */
	cur.benches[0].procs[3].seq = 0;
	old.benches[0].procs[3].seq = 7;
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	c = &cur.benches[0].gate.cmp;
	ck_assert_uint_eq(c->nrounds, 10);
	for (size_t k = 0; k < 10; k++) {
		ck_assert_uint_eq(c->rounds[k].round, k + 1);
		ck_assert_double_eq(c->rounds[k].old_ns, so[k]);
		ck_assert_double_eq_tol(c->rounds[k].new_ns, sn[k], 1e-12);
		ck_assert_int_eq(c->rounds[k].used, k != 2 && k != 5);
		ck_assert_int_eq(c->rounds[k].old_first, k != 3);
		if (c->rounds[k].used) {
			lo += log(so[k]);
			ln += log(sn[k]);
		}
	}
	ck_assert_double_eq_tol(c->base_ns, exp(lo / 8), 1e-12);
	ck_assert_double_eq_tol(c->cur_ns, exp(ln / 8), 1e-12);
	ck_assert_double_eq_tol(c->cur_ns / c->base_ns - 1, c->change, 1e-12);
	ck_assert_uint_eq(c->cur_procs, 10);
	/* the spoiled round does not decide: about +3 % */
	ck_assert_double_eq_tol(c->change, 0.03, 0.001);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

/* Too few rounds (two) to tell; a paired benchmark whose old build is
 * missing from `old` is new. */
START_TEST(test_paired_too_few)
{
	static const double a[2] = {5, 5.1}, b[2] = {6, 6.1};
	struct suite old = {0}, cur = {0};
	struct compare_summary sum = {0};

	add_pair(&old, &cur, "p/two", a, b, 2);
	ck_assert_int_eq(run_paired(&cur, &old, NULL, &DEFAULTS, &sum), 0);
	ck_assert_int_eq(cur.benches[0].gate.cmp.verdict, VERDICT_TOO_FEW);
	ck_assert_uint_eq(cur.benches[0].gate.cmp.cur_procs, 2);
	ck_assert_uint_eq(sum.too_few, 1);
	compare_summary_free(&sum);
	suite_free(&old);
	suite_free(&cur);
}
END_TEST

static Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *known = tcase_create("known"), *stored = tcase_create("stored");
	TCase *paired = tcase_create("paired");

	tcase_set_timeout(known, 10);
	tcase_add_test(known, test_welch_known);
	tcase_add_test(known, test_welch_equal);
	tcase_add_test(known, test_welch_degenerate);
	tcase_add_test(known, test_holm_known);
	tcase_add_test(known, test_holm_ties_cap);
	tcase_add_test(known, test_single_known);
	tcase_add_test(known, test_pvalues_known);
	tcase_add_test(known, test_names);
	tcase_add_test(known, test_trimmed_known);
	tcase_add_test(known, test_pair_order);
	tcase_add_test(known, test_suspect);
	tcase_add_test(known, test_futile);
	tcase_add_test(known, test_futile_too_noisy);
	tcase_add_test(known, test_too_noisy_screen);
	tcase_add_test(known, test_drift_from_own_spread);
	tcase_add_test(known, test_threaded_drift);
	suite_add_tcase(s, known);

	tcase_set_timeout(stored, 10);
	tcase_add_test(stored, test_regression);
	tcase_add_test(stored, test_improvement);
	tcase_add_loop_test(stored, test_pure_noise, 0, 6);
	tcase_add_test(stored, test_too_few);
	tcase_add_test(stored, test_too_few_boundary);
	tcase_add_test(stored, test_new_missing);
	tcase_add_test(stored, test_filtered_not_missing);
	tcase_add_test(stored, test_new_changes_nothing);
	tcase_add_test(stored, test_failed_not_compared);
	tcase_add_test(stored, test_drift);
	tcase_add_test(stored, test_regression_under_drift);
	tcase_add_test(stored, test_drift_needs_four);
	tcase_add_test(stored, test_one_stored_shift);
	tcase_add_test(stored, test_drift_from_history);
	tcase_add_test(stored, test_shift_beyond);
	tcase_add_test(stored, test_majority_shift);
	tcase_add_test(stored, test_stored_exact);
	tcase_add_loop_test(stored, test_other_statistics, 0, 2);
	tcase_add_loop_test(stored, test_instructions_statistic, 0, 2);
	suite_add_tcase(s, stored);

	tcase_set_timeout(paired, 10);
	tcase_add_test(paired, test_paired_cancels_drift);
	tcase_add_test(paired, test_paired_aa);
	tcase_add_test(paired, test_paired_confirmation);
	tcase_add_test(paired, test_paired_reference);
	tcase_add_test(paired, test_threshold);
	tcase_add_test(paired, test_paired_exact);
	tcase_add_test(paired, test_paired_figures);
	tcase_add_test(paired, test_paired_too_few);
	suite_add_tcase(s, paired);
	return s;
}

int main(void)
{
	return check_run_suite(compare_suite());
}
