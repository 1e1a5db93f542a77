/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Descriptive statistics for benchmark samples, as thin, NaN-safe wrappers
 * around GSL so the arithmetic is GSL's and the edge cases are ours. */
#include <assert.h>
#include <errno.h>
#include <math.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "pairslope.h"
#include "stats.h"

double stats_mean(const double *x, size_t n)
{
	if (n == 0)
		return NAN;
	return gsl_stats_mean(x, 1, n);
}

double stats_sd(const double *x, size_t n)
{
	/* GSL would divide by zero at n == 1; one value says nothing of spread. */
	if (n < 2)
		return NAN;
	return gsl_stats_sd(x, 1, n);
}

double stats_sd_m(const double *x, size_t n, double mean)
{
	if (n < 2)
		return NAN;
	return gsl_stats_sd_m(x, 1, n, mean);
}

double stats_median(double *x, size_t n)
{
	if (n == 0)
		return NAN;
	return gsl_stats_median(x, 1, n);
}

double stats_quantile_sorted(const double *sorted, size_t n, double p)
{
	assert(p >= 0.0 && p <= 1.0);
	if (n == 0)
		return NAN;
	/* GSL interpolates at index p * (n - 1): exactly R's default, type 7,
	 * so numbers can be checked against R and Python's 'inclusive'. */
	return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

double stats_mad(const double *x, size_t n, double *work)
{
	/* Like stats_sd(): a spread estimate from one value is meaningless,
	 * and the two must agree on when they are defined. */
	if (n < 2)
		return NAN;
	/* 1.4826 ~ 1 / Phi^-1(3/4) makes the MAD a consistent estimator of
	 * sigma for normal data, so it reads like the sd while ignoring
	 * outliers.  The rounded constant is R's mad() default, which keeps
	 * results checkable against R; gsl_stats_mad() uses the unrounded
	 * one and would differ in the sixth digit. */
	return 1.4826 * gsl_stats_mad0(x, 1, n, work);
}

double stats_mad_about(const double *x, size_t n, double median,
		       double *work)
{
	if (n < 2)
		return NAN;
	/* gsl_stats_mad0() would find the median again; callers in the
	 * bootstrap loop already have it, and selection is the dominant cost. */
	for (size_t i = 0; i < n; i++)
		work[i] = fabs(x[i] - median);
	return 1.4826 * gsl_stats_median(work, 1, n);
}

static int all_equal(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return 0;
	return 1;
}

/* Robust where OLS is not: a timed sample that was preempted lands far
 * above the line, and OLS lets one such point at a large x move the slope
 * by tens of percent (seen on our VMs); the median of pairwise slopes
 * ignores up to 29 % of wild points. */
size_t stats_theil_sen_work(size_t n)
{
	return n <= BR__THEIL_SEN_SMALL && n > 1 ? n * (n - 1) / 2 : 0;
}

int stats_slope_theil_sen(const double *x, const double *y, size_t n,
			  double *work, double *slope)
{
	size_t m = 0;

	/* Listing stays for small n: it is what every result up to 256
	 * samples per process was computed with, and selection by counting
	 * only pays once the n^2/2 pairs outgrow the caches. */
	if (n > BR__THEIL_SEN_SMALL)
		return br__theil_sen_select(x, y, n, slope);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[j] != x[i])
				work[m++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (m == 0) {
		*slope = NAN;
		return -EDOM;
	}
	*slope = stats_median(work, m);
	return 0;
}

int stats_fit_linear(const double *x, const double *y, size_t n,
		     struct stats_fit *out)
{
	double c0, c1, cov00, cov01, cov11, ss_res, ss_tot;

	/* With no spread in x, GSL would return 0/0; callers need to know
	 * so they can fall back (e.g. ns/iters when iterations are fixed). */
	if (n < 2 || all_equal(x, n)) {
		out->slope = out->intercept = out->r2 = NAN;
		return -EDOM;
	}
	gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11,
		       &ss_res);
	ss_tot = gsl_stats_tss(y, 1, n);
	out->slope = c1;
	out->intercept = c0;
	/* Constant y is fitted perfectly by a flat line, so R^2 = 1; a
	 * nonzero residual there can only be rounding, which we call no fit
	 * rather than divide by zero. */
	if (ss_tot == 0.0)
		out->r2 = ss_res == 0.0 ? 1.0 : 0.0;
	else
		out->r2 = 1.0 - ss_res / ss_tot;
	return 0;
}

void stats_outliers_classify(const double *sorted, size_t n,
			     struct outliers *out)
{
	double q1, q3, iqr;

	*out = (struct outliers){ 0 };
	if (n == 0)
		return;
	/* Tukey's fences at 1.5 and 3 IQR, as Criterion reports them; type-7
	 * quartiles so the fences match the quantiles reported elsewhere. */
	q1 = stats_quantile_sorted(sorted, n, 0.25);
	q3 = stats_quantile_sorted(sorted, n, 0.75);
	iqr = q3 - q1;
	for (size_t i = 0; i < n; i++) {
		double v = sorted[i];

		if (v < q1 - 3.0 * iqr)
			out->low_severe++;
		else if (v < q1 - 1.5 * iqr)
			out->low_mild++;
		else if (v > q3 + 3.0 * iqr)
			out->high_severe++;
		else if (v > q3 + 1.5 * iqr)
			out->high_mild++;
	}
}

void stats_percentile_interval(double *replicates, size_t n, double conf_level,
			       double *lo, double *hi)
{
	assert(conf_level > 0.0 && conf_level < 1.0);
	gsl_sort(replicates, 1, n);
	*lo = stats_quantile_sorted(replicates, n, (1.0 - conf_level) / 2.0);
	*hi = stats_quantile_sorted(replicates, n, (1.0 + conf_level) / 2.0);
}
