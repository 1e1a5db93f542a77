/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/stats.c: every statistic against known answers
 * computed independently with Python 3.11's `statistics` module. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "pairslope.h"
#include "stats.h"

#define TOL 1e-12

/* A nontrivial sample: unsorted, odd n, no ties. */
static const double D[] = { 12.7, 3.4, 9.81, 15.2, 7.75, 11.0, 4.6,
			    8.33, 21.9, 6.05, 10.4, 13.3, 5.5 };
#define ND (sizeof(D) / sizeof(D[0]))
/* D in ascending order. */
static const double DS[] = { 3.4, 4.6, 5.5, 6.05, 7.75, 8.33, 9.81,
			     10.4, 11.0, 12.7, 13.3, 15.2, 21.9 };

START_TEST(test_mean_sd)
{
	/* statistics.mean(D), statistics.stdev(D) */
	ck_assert_double_eq_tol(stats_mean(D, ND), 9.9953846153846158, TOL);
	ck_assert_double_eq_tol(stats_sd(D, ND), 5.0369445357687086, TOL);
}
END_TEST

START_TEST(test_median_quantiles)
{
	/* statistics.median(D) and statistics.quantiles(D, n=4|10|40,
	 * method='inclusive'), which is type 7 */
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.5), 9.81, TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.25), 6.05, TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.75), 12.7, TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.1), 4.78, TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.9), 14.82, TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.025), 3.76,
				TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.975),
				19.889999999999997, TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 0.0), 3.4, TOL);
	ck_assert_double_eq_tol(stats_quantile_sorted(DS, ND, 1.0), 21.9, TOL);
	/* even n: statistics.median(sorted(D[:12])) */
	static const double e[] = { 3.4, 4.6, 6.05, 7.75, 8.33, 9.81,
				    10.4, 11.0, 12.7, 13.3, 15.2, 21.9 };
	ck_assert_double_eq_tol(stats_quantile_sorted(e, 12, 0.5), 10.105, TOL);
}
END_TEST

START_TEST(test_median_select)
{
	double x[ND];

	/* statistics.median(D) and statistics.median(D[:12]) */
	memcpy(x, D, sizeof(x));
	ck_assert_double_eq_tol(stats_median(x, ND), 9.81, TOL);
	memcpy(x, D, sizeof(x));
	ck_assert_double_eq_tol(stats_median(x, ND - 1), 10.105, TOL);
	ck_assert(isnan(stats_median(x, 0)));
	ck_assert_double_eq(stats_median(x + 3, 1), x[3]);
}
END_TEST

START_TEST(test_given_centre)
{
	double work[ND];

	/* as test_mean_sd and test_mad, with the centre passed in */
	ck_assert_double_eq_tol(stats_sd_m(D, ND, 9.9953846153846158),
				5.0369445357687086, TOL);
	ck_assert_double_eq_tol(stats_mad_about(D, ND, 9.81, work), 5.174274,
				TOL);
	ck_assert(isnan(stats_sd_m(D, 1, D[0])));
	ck_assert(isnan(stats_mad_about(D, 1, D[0], work)));
}
END_TEST

START_TEST(test_mad)
{
	double x[ND], work[ND];

	/* 1.4826 * statistics.median(abs(v - statistics.median(D)) for v in D),
	 * by hand in Python; odd n, then even n (D[:12]) */
	memcpy(x, D, sizeof(x));
	ck_assert_double_eq_tol(stats_mad(x, ND, work), 5.174274, TOL);
	ck_assert_int_eq(memcmp(x, D, sizeof(x)), 0);
	ck_assert_double_eq_tol(stats_mad(x, ND - 1, work), 4.292127, TOL);
}
END_TEST

START_TEST(test_small_n)
{
	double one = 42.5, work[1];

	ck_assert(isnan(stats_mean(&one, 0)));
	ck_assert(isnan(stats_sd(&one, 0)));
		ck_assert(isnan(stats_quantile_sorted(&one, 0, 0.5)));
	ck_assert(isnan(stats_mad(&one, 0, work)));
	ck_assert_double_eq(stats_mean(&one, 1), 42.5);
	ck_assert(isnan(stats_sd(&one, 1)));
		ck_assert_double_eq(stats_quantile_sorted(&one, 1, 0.9), 42.5);
	ck_assert(isnan(stats_mad(&one, 1, work)));
}
END_TEST

START_TEST(test_fit_known)
{
	static const double x[] = { 1, 2, 3, 5, 8, 13, 21, 34 };
	static const double y[] = { 7.9, 10.3, 13.8, 19.2,
				    29.5, 44.1, 70.3, 109.8 };
	struct stats_fit f;

	/* statistics.linear_regression(x, y); R^2 = 1 - SS_res/SS_tot by
	 * hand in Python with SS_tot about statistics.mean(y) */
	ck_assert_int_eq(stats_fit_linear(x, y, 8, &f), 0);
	ck_assert_double_eq_tol(f.slope, 3.1086685629148043, TOL);
	ck_assert_double_eq_tol(f.intercept, 4.3057293783014998, TOL);
	ck_assert_double_eq_tol(f.r2, 0.9998015024494995, TOL);
}
END_TEST

START_TEST(test_fit_exact)
{
	static const double x[] = { 10, 20, 30, 40, 50, 60 };
	double y[6];
	struct stats_fit f;

	for (int i = 0; i < 6; i++)
		y[i] = 100.0 + 5.0 * x[i];
	ck_assert_int_eq(stats_fit_linear(x, y, 6, &f), 0);
	ck_assert_double_eq_tol(f.slope, 5.0, TOL);
	ck_assert_double_eq_tol(f.intercept, 100.0, 1e-10);
	ck_assert_double_eq_tol(f.r2, 1.0, TOL);
}
END_TEST

START_TEST(test_fit_constant_y)
{
	static const double x[] = { 1, 2, 4, 8 };
	static const double y[] = { 7, 7, 7, 7 };
	struct stats_fit f;

	/* SS_tot == 0 and the flat line fits exactly: r2 is defined as 1 */
	ck_assert_int_eq(stats_fit_linear(x, y, 4, &f), 0);
	ck_assert_double_eq(f.slope, 0.0);
	ck_assert_double_eq(f.intercept, 7.0);
	ck_assert_double_eq(f.r2, 1.0);
}
END_TEST

START_TEST(test_fit_undefined)
{
	static const double x[] = { 3, 3, 3 };
	static const double y[] = { 1, 2, 3 };
	struct stats_fit f = { 1, 1, 1 };

	ck_assert_int_lt(stats_fit_linear(x, y, 3, &f), 0);
	ck_assert(isnan(f.slope) && isnan(f.intercept) && isnan(f.r2));
	ck_assert_int_lt(stats_fit_linear(y, y, 1, &f), 0);
	ck_assert_int_lt(stats_fit_linear(y, y, 0, &f), 0);
}
END_TEST

START_TEST(test_outliers)
{
	/* Type-7 quartiles are exactly x[5] = 100 and x[15] = 120, IQR 20, so
	 * the fences are 40, 70 | 150, 180 (checked with Python statistics).
	 * Values on a fence belong to the milder side: 40 is mild, 70 and 150
	 * are no outliers, 180 is mild. */
	static const double x[] = { 10, 40, 60, 69.9, 70, 100, 101, 102, 103,
				    104, 105, 106, 107, 108, 109, 120, 150,
				    150.5, 180, 180.5, 1000 };
	struct outliers o;

	stats_outliers_classify(x, 21, &o);
	ck_assert_uint_eq(o.low_severe, 1);
	ck_assert_uint_eq(o.low_mild, 3);
	ck_assert_uint_eq(o.high_mild, 2);
	ck_assert_uint_eq(o.high_severe, 2);
}
END_TEST

START_TEST(test_outliers_degenerate)
{
	static const double same[] = { 5, 5, 5, 5, 5 };
	struct outliers o = { 9, 9, 9, 9 };

	stats_outliers_classify(same, 0, &o);
	ck_assert_uint_eq(o.low_severe + o.low_mild + o.high_mild
			  + o.high_severe, 0);
	o = (struct outliers){ 9, 9, 9, 9 };
	stats_outliers_classify(same, 5, &o);
	ck_assert_uint_eq(o.low_severe + o.low_mild + o.high_mild
			  + o.high_severe, 0);
}
END_TEST

START_TEST(test_percentile_interval)
{
	double r[ND], lo, hi;

	/* statistics.quantiles(D, n=40|10, method='inclusive') */
	memcpy(r, D, sizeof(r));
	stats_percentile_interval(r, ND, 0.95, &lo, &hi);
	ck_assert_double_eq_tol(lo, 3.76, TOL);
	ck_assert_double_eq_tol(hi, 19.889999999999997, TOL);
	ck_assert_int_eq(memcmp(r, DS, sizeof(r)), 0);
	stats_percentile_interval(r, ND, 0.8, &lo, &hi);
	ck_assert_double_eq_tol(lo, 4.78, TOL);
	ck_assert_double_eq_tol(hi, 14.82, TOL);
	stats_percentile_interval(r, 0, 0.95, &lo, &hi);
	ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

/* Median of pairwise slopes, from Python 3.11: statistics.median over
 * itertools.combinations of the pairs with distinct x. */
START_TEST(test_theil_sen)
{
	static const double x[] = { 3, 1, 4, 1.5, 9, 2.6, 5, 3.5, 8, 7.9 };
	static const double y[] = { 10.2, 4.1, 13.9, 5.0, 28.0, 8.9, 16.1,
				    11.8, 25.5, 24.0 };
	double work[45], slope;

	ck_assert_int_eq(stats_slope_theil_sen(x, y, 10, work, &slope), 0);
	ck_assert_double_eq_tol(slope, 3.0444444444444443, 1e-12);
	ck_assert_int_eq(stats_slope_theil_sen(x, y, 1, work, &slope), -EDOM);
	ck_assert(isnan(slope));
}
END_TEST

/* A line 3x + 7 whose last point was preempted (1000 instead of 37): the
 * OLS slope would be 55.527272727272724 (statistics.linear_regression);
 * Theil-Sen stays exactly 3 (36 of the 45 pairs lie on the line). */
START_TEST(test_theil_sen_resists_outlier)
{
	double x[10], y[10], work[45], slope;

	for (int i = 0; i < 10; i++) {
		x[i] = i + 1;
		y[i] = 3 * (i + 1) + 7;
	}
	y[9] = 1000;
	ck_assert_int_eq(stats_slope_theil_sen(x, y, 10, work, &slope), 0);
	ck_assert_double_eq(slope, 3.0);
}
END_TEST

/* The reference: list every pair, take the median as stats_median() does
 * (GSL's selection), which is what every result up to BR__THEIL_SEN_SMALL
 * samples is computed with.  NAN when no pair has distinct x. */
static double listed_theil_sen(const double *x, const double *y, size_t n)
{
	double *w = malloc((n * (n - 1) / 2 + 1) * sizeof(*w)), r;
	size_t m = 0;

	ck_assert_ptr_nonnull(w);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[j] != x[i])
				w[m++] = (y[j] - y[i]) / (x[j] - x[i]);
	r = m ? stats_median(w, m) : NAN;
	free(w);
	return r;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Points of kind k (0..7), all integers or multiples of 1/8, so selection
 * must give exactly the listed median. */
static void make_points(int k, size_t n, uint64_t *s, double *x, double *y)
{
	for (size_t i = 0; i < n; i++) {
		double r = (double)(rnd(s) % 100000);

		switch (k) {
		case 0: /* the ramp a worker records: iters k d, ns with noise */
			x[i] = 4300.0 * (double)(i + 1);
			y[i] = 50.0 * x[i] + 80 + r;
			break;
		case 1: /* a ramp with every tenth sample preempted */
			x[i] = 1000.0 * (double)(i + 1);
			y[i] = 10.0 * x[i] + r / 10 + (rnd(s) % 10 == 0 ? 5 * x[i] : 0);
			break;
		case 2: /* few distinct values: ties everywhere, equal x */
			x[i] = (double)(rnd(s) % 20);
			y[i] = (double)(rnd(s) % 5);
			break;
		case 3: /* exactly on a line, some points off it */
			x[i] = (double)(rnd(s) % 1000);
			y[i] = 3 * x[i] + 7 + (rnd(s) % 5 == 0 ? r : 0);
			break;
		case 4: /* a counter that is mostly 0 per sample (context switches) */
			x[i] = 100.0 * (double)(i + 1);
			y[i] = rnd(s) % 50 == 0 ? 1 : 0;
			break;
		case 5: /* dyadic fractions, unordered x: slopes of both signs */
			x[i] = (double)(rnd(s) % 4000) / 8;
			y[i] = (double)(rnd(s) % 4000) / 4 - 500;
			break;
		case 6: /* a bootstrap replicate: samples drawn with replacement */
			x[i] = 1000.0 * (double)(rnd(s) % n + 1);
			y[i] = 7 * x[i] + (double)(rnd(s) % 1000);
			break;
		default: /* flat: one iteration count, no slope */
			x[i] = 5000;
			y[i] = r;
			break;
		}
	}
}

/* Selection and listing agree exactly, on every kind of points at sizes
 * 2 to 1000 (selection alone runs at every size here, though
 * stats_slope_theil_sen() only calls it beyond BR__THEIL_SEN_SMALL). */
START_TEST(test_theil_sen_select_agrees)
{
	uint64_t s = 0x2545f4914f6cdd1du;
	double *x = malloc(1000 * sizeof(*x)), *y = malloc(1000 * sizeof(*y));

	ck_assert(x && y);
	for (int trial = 0; trial < 320; trial++) {
		int k = trial % 8;
		size_t n = 2 + (size_t)(rnd(&s) % (trial < 160 ? 300 : 999));
		double want, got;
		int err;

		make_points(k, n, &s, x, y);
		want = listed_theil_sen(x, y, n);
		err = br__theil_sen_select(x, y, n, &got);
		if (isnan(want)) {
			ck_assert_int_eq(err, -EDOM);
			ck_assert(isnan(got));
			continue;
		}
		ck_assert_int_eq(err, 0);
		/* == : a zero's sign may differ, as it may between two listings
		 * of one set in different orders */
		ck_assert_msg(got == want, "kind %d, n %zu: %a selected, %a listed",
			      k, n, got, want);
		if (n <= BR__THEIL_SEN_SMALL) {
			double *w = malloc((n * (n - 1) / 2 + 1) * sizeof(*w)), v;
			ck_assert_int_eq(stats_slope_theil_sen(x, y, n, w, &v), 0);
			ck_assert(v == want);
			free(w);
		}
	}
	free(x);
	free(y);
}
END_TEST

/* Values with no common power-of-two scale under 2^52 are rounded to one:
 * the slope moves by at most the bound in pairslope.h. */
START_TEST(test_theil_sen_select_rounded)
{
	uint64_t s = 0x9e3779b97f4a7c15u;
	size_t n = 700;
	double x[700], y[700], want, got, maxy = 0, bound;

	for (size_t i = 0; i < n; i++) {
		x[i] = (double)(i + 1);
		y[i] = 0.1 * x[i] * (1 + (double)(rnd(&s) % 1000) / 1e4) + 1.0 / 3;
		maxy = fabs(y[i]) > maxy ? fabs(y[i]) : maxy;
	}
	want = listed_theil_sen(x, y, n);
	ck_assert_int_eq(br__theil_sen_select(x, y, n, &got), 0);
	bound = ldexp(maxy, -51) / 1.0 + 4 * ldexp(fabs(want), -52);
	ck_assert_msg(fabs(got - want) <= bound, "%a selected, %a listed", got, want);
}
END_TEST

/* 100,000 points y = x^2, x = 1..n: pair (i, j) has slope i + j, a
 * multiset symmetric about n + 1, so the median is n + 1 = 100001.  The
 * same points with all x equal have no slope; a counter that is 0 in all
 * but every 50th sample has slope 0. */
START_TEST(test_theil_sen_100000)
{
	size_t n = 100000;
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y)), slope;

	ck_assert(x && y);
	ck_assert_uint_eq(stats_theil_sen_work(n), 0);
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)(i + 1);
		y[i] = x[i] * x[i];
	}
	ck_assert_int_eq(stats_slope_theil_sen(x, y, n, NULL, &slope), 0);
	ck_assert_double_eq(slope, 100001.0);
	ck_assert_int_eq(br__theil_sen(x, y, n, &slope), 0);
	ck_assert_double_eq(slope, 100001.0);
	for (size_t i = 0; i < n; i++)
		y[i] = i % 50 == 0;
	ck_assert_int_eq(stats_slope_theil_sen(x, y, n, NULL, &slope), 0);
	ck_assert_double_eq(slope, 0.0);
	for (size_t i = 0; i < n; i++)
		x[i] = 1000;
	ck_assert_int_eq(stats_slope_theil_sen(x, y, n, NULL, &slope), -EDOM);
	ck_assert(isnan(slope));
	free(x);
	free(y);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_mean_sd);
	tcase_add_test(tc, test_median_quantiles);
	tcase_add_test(tc, test_median_select);
	tcase_add_test(tc, test_given_centre);
	tcase_add_test(tc, test_mad);
	tcase_add_test(tc, test_small_n);
	tcase_add_test(tc, test_fit_known);
	tcase_add_test(tc, test_fit_exact);
	tcase_add_test(tc, test_fit_constant_y);
	tcase_add_test(tc, test_fit_undefined);
	tcase_add_test(tc, test_outliers);
	tcase_add_test(tc, test_outliers_degenerate);
	tcase_add_test(tc, test_percentile_interval);
	tcase_add_test(tc, test_theil_sen);
	tcase_add_test(tc, test_theil_sen_resists_outlier);
	suite_add_tcase(s, tc);
	/* Listing every pair as the reference takes a second or two. */
	tc = tcase_create("theil_sen");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_theil_sen_select_agrees);
	tcase_add_test(tc, test_theil_sen_select_rounded);
	tcase_add_test(tc, test_theil_sen_100000);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(stats_suite());
}
