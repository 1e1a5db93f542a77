/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/changepoint.c: the divergence statistic against
 * hand-worked values and a direct O(n^2) sum, change points found at the
 * steps of seeded synthetic histories and none in flat ones (normal and
 * heavy-tailed), the levels either side, the minimum segment, determinism
 * under a seed, and bad input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "check_main.h"

#include "changepoint.h"

/* The level of point i of a synthetic history. */
typedef double level_fn(size_t i, size_t n);

static double flat(size_t i, size_t n)
{
	(void)i, (void)n;
	return 100;
}

/* +3 % at 150. */
static double one_step(size_t i, size_t n)
{
	(void)n;
	return i < 150 ? 100 : 103;
}

/* +5 % at 100, then -5 % at 200. */
static double two_steps(size_t i, size_t n)
{
	(void)n;
	return i < 100 ? 100 : i < 200 ? 105 : 105 * 0.95;
}

static double ramp(size_t i, size_t n)
{
	(void)n;
	return 100 + 0.05 * (double)i;
}

/* x[i] = level(i) plus noise from MT19937 seeded with `seed`: N(0, 1), or
 * Student's t with 3 degrees of freedom when tdf3. */
static double *history(size_t n, level_fn *level, unsigned long seed, int tdf3)
{
	double *x = malloc(n * sizeof *x);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(r);
	gsl_rng_set(r, seed);
	for (size_t i = 0; i < n; i++)
		x[i] = level(i, n) + (tdf3 ? gsl_ran_tdist(r, 3) : gsl_ran_gaussian(r, 1));
	gsl_rng_free(r);
	return x;
}

static long detect(const double *x, size_t n, uint64_t seed, struct changepoint **out)
{
	struct changepoint_opts o = changepoint_opts_default();

	o.seed = seed;
	return changepoint_detect(x, n, &o, out);
}

START_TEST(test_q_hand)
{
	/* {0,0 | 1,1}: between 4 * |0 - 1| = 4, so 2 * 4 / (2 * 2) = 2, within
	 * 0 on both sides; Q = (2 * 2 / 4) * 2 = 2.  {0,1 | 0,1}: between 2,
	 * 2 * 2 / 4 = 1, within 1 on each side, 2 * 1 / (2 * 1) = 1 each;
	 * Q = 1 - 1 - 1 = -1.  Sides of fewer than 2 points: NAN. */
	const double a[] = {0, 0, 1, 1}, b[] = {0, 1, 0, 1};
	double q[5];

	ck_assert_int_eq(changepoint_q(a, 4, q), 0);
	ck_assert_double_eq_tol(q[2], 2, 1e-12);
	ck_assert(isnan(q[0]) && isnan(q[1]) && isnan(q[3]) && isnan(q[4]));
	ck_assert_int_eq(changepoint_q(b, 4, q), 0);
	ck_assert_double_eq_tol(q[2], -1, 1e-12);
}
END_TEST

/* Q(t) summed directly over every pair. */
static double q_direct(const double *x, size_t n, size_t t)
{
	double between = 0, wl = 0, wr = 0, nl = (double)t, nr = (double)(n - t);

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double d = fabs(x[i] - x[j]);
			if (j < t)
				wl += d;
			else if (i >= t)
				wr += d;
			else
				between += d;
		}
	return nl * nr / (nl + nr)
	       * (2 * between / (nl * nr) - 2 * wl / (nl * (nl - 1)) - 2 * wr / (nr * (nr - 1)));
}

START_TEST(test_q_direct)
{
	/* Values rounded to 0.25 so that ties occur, as with quantised timings. */
	size_t n = 80;
	double *x = history(n, two_steps, 7, 0), q[81];

	for (size_t i = 0; i < n; i++)
		x[i] = round(x[i] * 4) / 4 + (i % 3 == 0 ? 1000 : 0);
	ck_assert_int_eq(changepoint_q(x, n, q), 0);
	for (size_t t = 2; t <= n - 2; t++)
		ck_assert_msg(fabs(q[t] - q_direct(x, n, t)) <= 1e-9 * (1 + fabs(q[t])),
		              "Q(%zu) = %.12g, directly %.12g", t, q[t], q_direct(x, n, t));
	free(x);
}
END_TEST

START_TEST(test_flat)
{
	double *x = history(300, flat, 1, 0);
	struct changepoint *cp;

	ck_assert_int_eq(detect(x, 300, 1, &cp), 0);
	ck_assert_ptr_null(cp);
	free(x);
}
END_TEST

START_TEST(test_one_step)
{
	double *x = history(300, one_step, 2, 0);
	struct changepoint *cp;

	ck_assert_int_eq(detect(x, 300, 2, &cp), 1);
	/* Noise can make the best split land one point off the true step. */
	ck_assert_uint_le(cp[0].index, 151);
	ck_assert_uint_ge(cp[0].index, 149);
	ck_assert_double_eq_tol(cp[0].change, 0.03, 0.005);
	ck_assert_double_lt(cp[0].p, 0.01);
	ck_assert(cp[0].before_lo < 100 && 100 < cp[0].before_hi);
	ck_assert(cp[0].after_lo < 103 && 103 < cp[0].after_hi);
	free(cp);
	free(x);
}
END_TEST

START_TEST(test_two_steps)
{
	double *x = history(300, two_steps, 3, 0);
	struct changepoint *cp;

	ck_assert_int_eq(detect(x, 300, 3, &cp), 2);
	/* Each within one point of its true step. */
	ck_assert_uint_le(cp[0].index, 101);
	ck_assert_uint_ge(cp[0].index, 99);
	ck_assert_uint_le(cp[1].index, 201);
	ck_assert_uint_ge(cp[1].index, 199);
	ck_assert_double_eq_tol(cp[0].change, 0.05, 0.005);
	ck_assert_double_eq_tol(cp[1].change, -0.05, 0.005);
	/* The levels are those of the adjacent segments: the middle one is
	 * after the first change and before the second. */
	ck_assert_double_eq(cp[0].after_mean, cp[1].before_mean);
	free(cp);
	free(x);
}
END_TEST

START_TEST(test_ramp)
{
	struct changepoint_opts o = changepoint_opts_default();
	double *x = history(300, ramp, 4, 0);
	struct changepoint *cp;
	long k = changepoint_detect(x, 300, &o, &cp);

	ck_assert_int_ge(k, 1);
	for (long i = 0; i < k; i++) {
		size_t prev = i ? cp[i - 1].index : 0;
		ck_assert_uint_ge(cp[i].index - prev, o.min_size);
		ck_assert_double_gt(cp[i].change, 0);
	}
	ck_assert_uint_ge(300 - cp[k - 1].index, o.min_size);
	free(cp);
	free(x);
}
END_TEST

START_TEST(test_heavy_tails)
{
	/* Flat histories with t(3) noise: each first test is at level 0.01 and
	 * the permutation test assumes nothing about the tails, so about 0.2
	 * false change points are expected over 20 histories. */
	long false_cps = 0;

	for (unsigned long s = 100; s < 120; s++) {
		double *x = history(300, flat, s, 1);
		struct changepoint *cp;
		long k = detect(x, 300, s, &cp);
		ck_assert_int_ge(k, 0);
		false_cps += k;
		free(cp);
		free(x);
	}
	ck_assert_int_le(false_cps, 2);
}
END_TEST

START_TEST(test_levels)
{
	/* The only split allowed (min_size 5) is at 5.  Before: mean 3, sd
	 * sqrt(2.5), t(0.975, 4) = 2.776445 (tables), half-width
	 * 2.776445 * sqrt(2.5 / 5) = 1.963243; after: 13, the same width;
	 * change 13 / 3 - 1. */
	const double x[] = {1, 2, 3, 4, 5, 11, 12, 13, 14, 15};
	struct changepoint_opts o = changepoint_opts_default();
	struct changepoint *cp;

	o.significance = 0.05;
	ck_assert_int_eq(changepoint_detect(x, 10, &o, &cp), 1);
	ck_assert_uint_eq(cp[0].index, 5);
	ck_assert_double_eq_tol(cp[0].before_mean, 3, 1e-12);
	ck_assert_double_eq_tol(cp[0].before_lo, 3 - 1.963243, 1e-6);
	ck_assert_double_eq_tol(cp[0].before_hi, 3 + 1.963243, 1e-6);
	ck_assert_double_eq_tol(cp[0].after_mean, 13, 1e-12);
	ck_assert_double_eq_tol(cp[0].after_lo, 13 - 1.963243, 1e-6);
	ck_assert_double_eq_tol(cp[0].after_hi, 13 + 1.963243, 1e-6);
	ck_assert_double_eq_tol(cp[0].change, 10.0 / 3, 1e-12);
	free(cp);
}
END_TEST

static int same_output(const struct changepoint *a, long na, const struct changepoint *b,
                       long nb)
{
	return na == nb && (na <= 0 || !memcmp(a, b, (size_t)na * sizeof *a));
}

START_TEST(test_seed)
{
	/* At significance 0.99 most splits of a flat history are kept, and
	 * their p-values depend on the shuffles: the same seed repeats them
	 * exactly, another seed does not. */
	struct changepoint_opts o = changepoint_opts_default();
	double *x = history(200, flat, 5, 0);
	struct changepoint *a, *b, *c;
	long na, nb, nc;

	o.significance = 0.99;
	o.seed = 11;
	na = changepoint_detect(x, 200, &o, &a);
	nb = changepoint_detect(x, 200, &o, &b);
	o.seed = 12;
	nc = changepoint_detect(x, 200, &o, &c);
	ck_assert_int_gt(na, 2);
	ck_assert(same_output(a, na, b, nb));
	ck_assert(!same_output(a, na, c, nc));
	free(a);
	free(b);
	free(c);
	free(x);
}
END_TEST

START_TEST(test_bad_input)
{
	struct changepoint_opts o = changepoint_opts_default();
	double x[20];
	struct changepoint *cp = (void *)x;

	for (size_t i = 0; i < 20; i++)
		x[i] = i < 10 ? 1 : 50;
	/* Too short for two segments of 5: nothing, whatever the data. */
	ck_assert_int_eq(changepoint_detect(x + 5, 9, NULL, &cp), 0);
	ck_assert_ptr_null(cp);
	ck_assert_int_eq(changepoint_detect(NULL, 0, NULL, &cp), 0);
	x[12] = NAN;
	ck_assert_int_eq(changepoint_detect(x, 20, NULL, &cp), -1);
	ck_assert_ptr_null(cp);
	x[12] = INFINITY;
	ck_assert_int_eq(changepoint_detect(x, 20, NULL, &cp), -1);
	x[12] = 50;
	o.min_size = 1;
	ck_assert_int_eq(changepoint_detect(x, 20, &o, &cp), -1);
	o = changepoint_opts_default();
	o.significance = 0;
	ck_assert_int_eq(changepoint_detect(x, 20, &o, &cp), -1);
	/* The same series, valid, has its step found. */
	o = changepoint_opts_default();
	ck_assert_int_eq(changepoint_detect(x, 20, &o, &cp), 1);
	ck_assert_uint_eq(cp[0].index, 10);
	free(cp);
}
END_TEST

static Suite *changepoint_suite(void)
{
	Suite *s = suite_create("changepoint");
	TCase *tc = tcase_create("changepoint");

	tcase_add_test(tc, test_q_hand);
	tcase_add_test(tc, test_q_direct);
	tcase_add_test(tc, test_flat);
	tcase_add_test(tc, test_one_step);
	tcase_add_test(tc, test_two_steps);
	tcase_add_test(tc, test_ramp);
	tcase_add_test(tc, test_heavy_tails);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_seed);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(changepoint_suite());
}
