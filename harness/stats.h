/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pure descriptive statistics on arrays of doubles, built on GSL: location,
 * spread, type-7 quantiles, least-squares fit, Tukey outliers and bootstrap
 * percentile intervals.  Nothing here allocates, prints or keeps state. */
#ifndef BENCHRUN_STATS_H
#define BENCHRUN_STATS_H

#include <stddef.h>

#include "results.h"

/* Result of stats_fit_linear(): y ~ intercept + slope * x. */
struct stats_fit {
	double slope;     /* units of y per unit of x */
	double intercept; /* units of y */
	double r2;        /* coefficient of determination, in [0, 1] */
};

/* Arithmetic mean of x[0..n); NAN when n == 0. */
double stats_mean(const double *x, size_t n);

/* Sample standard deviation (divisor n - 1) of x[0..n); NAN when n < 2. */
double stats_sd(const double *x, size_t n);

/* As stats_sd(), about a mean the caller has already computed. */
double stats_sd_m(const double *x, size_t n, double mean);

/* Median of x[0..n) in any order, found by selection in O(n) rather than
 * by sorting; reorders x.  NAN when n == 0, x[0] when n == 1. */
double stats_median(double *x, size_t n);

/* The p-quantile (0 <= p <= 1) of ascending sorted[0..n) by linear
 * interpolation between order statistics (R type 7, Hyndman & Fan 1996);
 * NAN when n == 0, sorted[0] when n == 1. */
double stats_quantile_sorted(const double *sorted, size_t n, double p);

/* Median absolute deviation of x[0..n) (any order, left unchanged) about its
 * median, scaled by 1.4826 so it estimates the standard deviation of normal
 * data; `work` is caller-owned scratch of n doubles.  NAN when n < 2. */
double stats_mad(const double *x, size_t n, double *work);

/* As stats_mad(), about a median the caller has already computed. */
double stats_mad_about(const double *x, size_t n, double median,
		       double *work);

/* The Theil-Sen slope of y on x into *slope: the median of the slopes of all
 * pairs with distinct x (the mean of the two middle ones for an even number).
 * `work` holds stats_theil_sen_work(n) doubles.  Up to BR__THEIL_SEN_SMALL
 * points it lists every pair; beyond, br__theil_sen_select() (lib/pairslope.h)
 * finds the same value in O(n log n) expected time and O(n) memory, which it
 * allocates.  Returns 0; -EDOM (and NAN) when no pair has distinct x or a
 * value is not finite; -ENOMEM (and NAN) when scratch cannot be allocated. */
int stats_slope_theil_sen(const double *x, const double *y, size_t n,
			  double *work, double *slope);

/* Doubles of `work` stats_slope_theil_sen() needs for n points: n(n-1)/2 up
 * to BR__THEIL_SEN_SMALL points, none beyond. */
size_t stats_theil_sen_work(size_t n);

/* Ordinary least squares fit of y on x with intercept, stored in *out.
 * Returns 0, or -EDOM when the slope is undefined (n < 2 or all x equal;
 * *out is then set to NAN).  r2 = 1 - SS_res / SS_tot with SS_tot taken
 * about the mean of y; when SS_tot == 0, r2 is 1 if SS_res == 0, else 0. */
int stats_fit_linear(const double *x, const double *y, size_t n,
		     struct stats_fit *out);

/* Counts in *out the values of ascending sorted[0..n) outside Tukey's fences,
 * with quartiles by type-7 quantiles: mild beyond 1.5 IQR from the nearer
 * quartile but within 3 IQR, severe beyond 3 IQR; all zero when n == 0. */
void stats_outliers_classify(const double *sorted, size_t n,
			     struct outliers *out);

/* Percentile interval at conf_level (0 < conf_level < 1) from bootstrap
 * replicates[0..n): sorts them in place and stores in *lo and *hi their
 * (1 - conf_level) / 2 and (1 + conf_level) / 2 type-7 quantiles; NAN when
 * n == 0.  Replicates must not be NAN. */
void stats_percentile_interval(double *replicates, size_t n, double conf_level,
			       double *lo, double *hi);

#endif
