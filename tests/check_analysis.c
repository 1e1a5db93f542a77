/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/analysis.c: estimates on constructed sample sets
 * with known answers, bootstrap determinism, and intervals that widen with
 * variation between processes. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "analysis.h"

#define TOL 1e-12

static const struct analysis_opts OPTS = { 0.95, 2000, 12345 };

/* A benchmark of nprocs processes with nsamples zeroed samples each. */
static struct bench_result *bench_create(const char *name, size_t nprocs,
					 size_t nsamples)
{
	struct bench_result *b = calloc(1, sizeof(*b));

	ck_assert_ptr_nonnull(b);
	b->name = strdup(name);
	b->procs = calloc(nprocs, sizeof(*b->procs));
	ck_assert_ptr_nonnull(b->procs);
	b->nprocs = b->cap = nprocs;
	for (size_t p = 0; p < nprocs; p++) {
		b->procs[p].round = 1;
		b->procs[p].samples = calloc(nsamples, sizeof(struct sample));
		ck_assert_ptr_nonnull(b->procs[p].samples);
		b->procs[p].nsamples = b->procs[p].cap = nsamples;
	}
	return b;
}

static void bench_free(struct bench_result *b)
{
	for (size_t p = 0; p < b->nprocs; p++)
		free(b->procs[p].samples);
	free(b->procs);
	free(b->name);
	free(b);
}

/* Deterministic noise in [-1, 1) (xorshift64), so tests do not depend on
 * the generator under test. */
static double noise(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 4503599627370496.0 - 1.0;
}

/* nprocs x 30 samples on the ramp iters = 1000 k, k = 1..30; process p runs
 * at slope[p] ns/iter plus 200 ns fixed cost, with +-0.01 % noise. */
static struct bench_result *ramp_bench(const char *name, size_t nprocs,
				       const double *slope)
{
	struct bench_result *b = bench_create(name, nprocs, 30);
	uint64_t s = 0x9e3779b97f4a7c15u;

	for (size_t p = 0; p < nprocs; p++)
		for (size_t k = 0; k < 30; k++) {
			struct sample *sm = &b->procs[p].samples[k];

			sm->iters = 1000 * (k + 1);
			sm->ns = (200.0 + slope[p] * (double)sm->iters)
				 * (1.0 + 1e-4 * noise(&s));
		}
	return b;
}

START_TEST(test_exact_linear)
{
	struct bench_result *b = bench_create("g/exact", 3, 10);
	struct analysis a;

	for (size_t p = 0; p < 3; p++)
		for (size_t k = 0; k < 10; k++) {
			b->procs[p].samples[k].iters = 10 * (k + 1);
			b->procs[p].samples[k].ns = 100.0 + 5.0 * 10 * (k + 1);
		}
	ck_assert_int_eq(analysis_run(b, &OPTS, &a), 0);
	ck_assert_double_eq_tol(a.slope.point, 5.0, 1e-9);
	ck_assert_double_eq_tol(a.slope.lo, 5.0, 1e-9);
	ck_assert_double_eq_tol(a.slope.hi, 5.0, 1e-9);
	ck_assert_double_eq_tol(a.r2, 1.0, TOL);
	/* t = 5 + 100 / iters, three times over; statistics.mean, stdev,
	 * median, and 1.4826 * median of |t - median| by hand (Python 3.11) */
	ck_assert_double_eq_tol(a.mean.point, 7.9289682539682538, TOL);
	ck_assert_double_eq_tol(a.sd.point, 2.6753321957272376, TOL);
	ck_assert_double_eq_tol(a.median.point, 6.8333333333333339, TOL);
	ck_assert_double_eq_tol(a.mad.point, 1.0295833333333335, TOL);
	/* quartiles 6.25 and 8.3333 (type 7): the three 15.0s lie beyond the
	 * severe fence 14.5833, nothing else is outside 11.4583 */
	ck_assert_uint_eq(a.outliers.high_severe, 3);
	ck_assert_uint_eq(a.outliers.high_mild + a.outliers.low_mild
			  + a.outliers.low_severe, 0);
	ck_assert_uint_eq(a.nsamples, 30);
	ck_assert_uint_eq(a.nprocs, 3);
	bench_free(b);
}
END_TEST

START_TEST(test_flat)
{
	static const double ns[2][4] = { { 5000, 5200, 5400, 5600 },
					 { 6000, 6100, 6200, 0 } };
	struct bench_result *b = bench_create("g/flat", 2, 4);
	struct analysis a;

	b->procs[1].nsamples = 3;
	for (size_t p = 0; p < 2; p++)
		for (size_t k = 0; k < 4; k++) {
			b->procs[p].samples[k].iters = 1000;
			b->procs[p].samples[k].ns = ns[p][k];
		}
	ck_assert_int_eq(analysis_run(b, &OPTS, &a), 0);
	/* per process sum(ns)/sum(iters): 21200/4000 = 5.3 and 18300/3000 =
	 * 6.1, weighted equally; a pooled ratio would give 39500/7000 */
	ck_assert_double_eq_tol(a.slope.point, 5.7, TOL);
	ck_assert(isnan(a.r2));
	ck_assert(a.slope.lo >= 5.0 && a.slope.hi <= 6.2);
	ck_assert(a.slope.lo < a.slope.hi);
	/* statistics.mean, stdev, median of t (Python 3.11); MAD by hand */
	ck_assert_double_eq_tol(a.mean.point, 5.6428571428571432, TOL);
	ck_assert_double_eq_tol(a.sd.point, 0.46853368024487785, TOL);
	ck_assert_double_eq_tol(a.median.point, 5.6, TOL);
	ck_assert_double_eq_tol(a.mad.point, 0.59304000000000046, TOL);
	ck_assert_uint_eq(a.nsamples, 7);
	bench_free(b);
}
END_TEST

static void assert_same_intervals(const struct analysis *x,
				  const struct analysis *y)
{
	const struct estimate *ex[] = { &x->slope, &x->mean, &x->median,
					&x->sd, &x->mad };
	const struct estimate *ey[] = { &y->slope, &y->mean, &y->median,
					&y->sd, &y->mad };

	for (int k = 0; k < 5; k++) {
		ck_assert_double_eq(ex[k]->lo, ey[k]->lo);
		ck_assert_double_eq(ex[k]->hi, ey[k]->hi);
	}
}

START_TEST(test_procs_weighted_equally)
{
	struct bench_result *b = bench_create("g/weights", 2, 10);
	struct analysis a;

	/* exact lines: 10 samples at 4 ns/iter + 50, 3 at 8 ns/iter + 300 */
	b->procs[1].nsamples = 3;
	for (size_t k = 0; k < 10; k++) {
		uint64_t it = 10 * (k + 1);

		b->procs[0].samples[k] = (struct sample){ it, 50.0 + 4.0 * it };
		if (k < 3)
			b->procs[1].samples[k] =
				(struct sample){ it, 300.0 + 8.0 * it };
	}
	ck_assert_int_eq(analysis_run(b, &OPTS, &a), 0);
	/* (4 + 8) / 2; the pooled OLS slope would be 1.7073669849931787 */
	ck_assert_double_eq_tol(a.slope.point, 6.0, 1e-9);
	/* a quarter of replicates draw process 0 twice (slope 4) and a
	 * quarter process 1 twice (8, or more where a resample of its three
	 * samples has equal iters and falls back to ns/iters) */
	ck_assert_double_eq_tol(a.slope.lo, 4.0, 1e-9);
	ck_assert(a.slope.hi >= 8.0 - 1e-9);
	/* each process's own ramp is exactly straight, so R^2 is 1, where
	 * the pooled fit's would be 0.14411342697234519 (by hand from
	 * statistics.linear_regression, Python 3.11); statistics.mean of
	 * ns/iters */
	ck_assert_double_eq_tol(a.r2, 1.0, TOL);
	ck_assert_double_eq_tol(a.mean.point, 10.280372405372406, TOL);
	bench_free(b);
}
END_TEST

START_TEST(test_determinism)
{
	static const double sl[] = { 9.5, 10.3, 10.0, 9.7, 10.5, 10.1 };
	struct bench_result *b = ramp_bench("g/det", 6, sl);
	struct analysis_opts o2 = OPTS;
	struct analysis a1, a2, a3;

	ck_assert_int_eq(analysis_run(b, &OPTS, &a1), 0);
	ck_assert_int_eq(analysis_run(b, &OPTS, &a2), 0);
	assert_same_intervals(&a1, &a2);
	ck_assert_uint_eq(a1.seed, 12345);
	o2.seed = 12346;
	ck_assert_int_eq(analysis_run(b, &o2, &a3), 0);
	ck_assert_double_eq(a1.slope.point, a3.slope.point);
	ck_assert(a1.slope.lo != a3.slope.lo || a1.slope.hi != a3.slope.hi);
	ck_assert(a1.mean.lo != a3.mean.lo || a1.mean.hi != a3.mean.hi);
	/* the same samples under another name draw another stream */
	free(b->name);
	b->name = strdup("g/det2");
	ck_assert_int_eq(analysis_run(b, &OPTS, &a3), 0);
	ck_assert(a1.slope.lo != a3.slope.lo || a1.slope.hi != a3.slope.hi);
	bench_free(b);
}
END_TEST

START_TEST(test_seed_for)
{
	uint64_t s = analysis_seed_for("g/f/1", 7);

	ck_assert_uint_eq(s, analysis_seed_for("g/f/1", 7));
	ck_assert_uint_ne(s, analysis_seed_for("g/f/2", 7));
	ck_assert_uint_ne(s, analysis_seed_for("g/f/1", 8));
	/* the low 32 bits seed MT19937, so they must differ too */
	ck_assert_uint_ne((uint32_t)(s ^ (s >> 32)),
			  (uint32_t)(analysis_seed_for("g/f/1", 8)
				     ^ (analysis_seed_for("g/f/1", 8) >> 32)));
}
END_TEST

/* Slopes of six processes, +-5 % about 10: spread max - min = 1.0 ns/iter. */
static const double SPREAD_SLOPES[] = { 9.5, 9.7, 9.9, 10.1, 10.3, 10.5 };

START_TEST(test_between_process)
{
	static const double same[] = { 10, 10, 10, 10, 10, 10 };
	struct bench_result *bs = ramp_bench("g/same", 6, same);
	struct bench_result *bd = ramp_bench("g/diff", 6, SPREAD_SLOPES);
	struct bench_result *b1 = ramp_bench("g/one", 1, SPREAD_SLOPES + 5);
	struct analysis as, ad, a1;
	double ws, wd;

	ck_assert_int_eq(analysis_run(bs, &OPTS, &as), 0);
	ck_assert_int_eq(analysis_run(bd, &OPTS, &ad), 0);
	ck_assert_int_eq(analysis_run(b1, &OPTS, &a1), 0);
	ws = as.slope.hi - as.slope.lo;
	wd = ad.slope.hi - ad.slope.lo;
	ck_assert_double_eq_tol(ad.slope.point, 10.0, 1e-3);
	ck_assert(ad.slope.lo < 10.0 && ad.slope.hi > 10.0);
	/* the standard error of a mean of six slopes with sd 0.374 is 0.153,
	 * so a 95 % interval spans about half the spread (0.53 measured) */
	ck_assert(wd > 0.25 * 1.0);
	ck_assert(wd > 100.0 * ws);
	/* resampling within one process sees only the 0.01 % noise, but
	 * does resample it: an ordinary bootstrap over the samples */
	ck_assert(a1.slope.hi - a1.slope.lo < 0.01 * 1.0);
	ck_assert(a1.slope.lo < a1.slope.point && a1.slope.point < a1.slope.hi);
	ck_assert(a1.mean.lo < a1.mean.point && a1.mean.point < a1.mean.hi);
	bench_free(bs);
	bench_free(bd);
	bench_free(b1);
}
END_TEST

START_TEST(test_naive_pooling)
{
	struct bench_result *bd = ramp_bench("g/diff", 6, SPREAD_SLOPES);
	struct bench_result *bp = bench_create("g/diff", 1, 180);
	struct analysis ad, ap;

	/* the same 180 samples as if one process had taken them all */
	for (size_t p = 0; p < 6; p++)
		memcpy(bp->procs[0].samples + 30 * p, bd->procs[p].samples,
		       30 * sizeof(struct sample));
	ck_assert_int_eq(analysis_run(bd, &OPTS, &ad), 0);
	ck_assert_int_eq(analysis_run(bp, &OPTS, &ap), 0);
	/* resampling 180 samples as if independent shrinks the interval of the
	 * mean by about sqrt(180 / 6) = 5.5 (measured: 0.10 vs 0.54) */
	ck_assert(ap.mean.hi - ap.mean.lo < 0.4 * (ad.mean.hi - ad.mean.lo));
	ck_assert(ap.slope.hi - ap.slope.lo
		  < 0.6 * (ad.slope.hi - ad.slope.lo));
	bench_free(bd);
	bench_free(bp);
}
END_TEST

START_TEST(test_too_few)
{
	struct bench_result *b = bench_create("g/few", 3, 1);
	struct analysis a = { .nsamples = 99 };

	for (size_t p = 0; p < 3; p++)
		b->procs[p].samples[0] = (struct sample){ 100, 500.0 };
	ck_assert_int_eq(analysis_run(b, &OPTS, &a), -ENODATA);
	ck_assert_uint_eq(a.nsamples, 99);
	b->nprocs = 0;
	ck_assert_int_lt(analysis_run(b, &OPTS, &a), 0);
	b->nprocs = 3;
	bench_free(b);
}
END_TEST

START_TEST(test_skips_short_procs)
{
	struct bench_result *b = bench_create("g/mixed", 2, 3);
	struct analysis a;

	/* process 0 has one sample (ns/iter 1000), which must not count */
	b->procs[0].nsamples = 1;
	b->procs[0].samples[0] = (struct sample){ 1, 1000.0 };
	for (size_t k = 0; k < 3; k++)
		b->procs[1].samples[k] = (struct sample){ 10 * (k + 1),
							  20.0 * (k + 1) };
	ck_assert_int_eq(analysis_run(b, &OPTS, &a), 0);
	ck_assert_uint_eq(a.nprocs, 1);
	ck_assert_uint_eq(a.nsamples, 3);
	ck_assert_double_eq_tol(a.slope.point, 2.0, TOL);
	ck_assert_double_eq_tol(a.mean.point, 2.0, TOL);
	bench_free(b);
}
END_TEST

START_TEST(test_no_resamples)
{
	static const double sl[] = { 9.5, 10.5 };
	struct bench_result *b = ramp_bench("g/nores", 2, sl);
	struct analysis_opts o = { 0.9, 0, 1 };
	struct analysis a;

	ck_assert_int_eq(analysis_run(b, &o, &a), 0);
	ck_assert_double_eq_tol(a.slope.point, 10.0, 1e-3);
	ck_assert(isnan(a.slope.lo) && isnan(a.mad.hi));
	ck_assert_double_eq(a.conf_level, 0.9);
	ck_assert_uint_eq(a.resamples, 0);
	ck_assert_uint_eq(a.seed, 1);
	ck_assert_uint_eq(a.nsamples, 60);
	ck_assert_uint_eq(a.nprocs, 2);
	bench_free(b);
}
END_TEST

static Suite *analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_exact_linear);
	tcase_add_test(tc, test_flat);
	tcase_add_test(tc, test_procs_weighted_equally);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_seed_for);
	tcase_add_test(tc, test_between_process);
	tcase_add_test(tc, test_naive_pooling);
	tcase_add_test(tc, test_too_few);
	tcase_add_test(tc, test_skips_short_procs);
	tcase_add_test(tc, test_no_resamples);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(analysis_suite());
}
