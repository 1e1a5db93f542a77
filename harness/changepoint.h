/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Change points in a benchmark's history: E-Divisive with means (Matteson
 * and James 2014, the method of MongoDB's signal processing and Apache
 * Otava), the energy statistic with exponent 1 split recursively and each
 * split kept only when a permutation test finds it significant.  Pure:
 * nothing here prints or keeps state, and a seed fixes the output. */
#ifndef BENCHRUN_CHANGEPOINT_H
#define BENCHRUN_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

/* How changepoint_detect() searches and tests. */
struct changepoint_opts {
	double significance;   /* a split is kept when its p-value is below; in (0, 1) */
	unsigned permutations; /* shuffles per permutation test */
	size_t min_size;       /* points in every segment, at least 2 */
	uint64_t seed;         /* of the shuffles (splitmix64): same seed, same output */
};

/* One change point and the levels either side of it. */
struct changepoint {
	size_t index;        /* first point of the new segment */
	double p;            /* the permutation test's p-value when it was accepted */
	double before_mean;  /* mean of the segment ending at index, units of x */
	double after_mean;   /* mean of the segment starting at index, units of x */
	double before_lo, before_hi; /* 95 % t-interval of before_mean, units of x */
	double after_lo, after_hi;   /* 95 % t-interval of after_mean, units of x */
	double change;       /* after_mean / before_mean - 1 (a fraction) */
};

/* The defaults: significance 0.01, 199 permutations, segments of at least
 * 5 points, seed 0. */
struct changepoint_opts changepoint_opts_default(void);

/* The change points of x[0..n), in time order, into *out (malloc'd, the
 * caller frees; NULL when there are none), sorted by index; o NULL means
 * the defaults.  Each segment between change points (or the series' ends)
 * holds at least o->min_size points, so n < 2 * min_size finds none.
 * Returns the count, or -1 when x holds a NaN or infinity, the options are
 * out of range, or memory ran out (*out NULL). */
long changepoint_detect(const double *x, size_t n, const struct changepoint_opts *o,
                        struct changepoint **out);

/* The divergence statistic Q(t) of splitting x[0..n) before point t, for
 * every t, into q[0..n]: (nl nr / (nl + nr)) times the energy distance
 * (exponent 1) between x[0..t) and x[t..n), nl = t and nr = n - t; NAN
 * where a side has fewer than 2 points.  O(n log n).  0, or -1 when out of
 * memory. */
int changepoint_q(const double *x, size_t n, double *q);

#endif
