/* SPDX-License-Identifier: MIT */
/* The Theil-Sen slope (the median of all pairwise slopes) without the
 * quadratic buffer: a pure function of libc only, shared by the worker's
 * summary (lib/) and the harness's analysis (harness/stats.c). */
#ifndef BENCHRUN_PAIRSLOPE_H
#define BENCHRUN_PAIRSLOPE_H

#include <stddef.h>

/* Up to this many points, br__theil_sen() lists every pair (O(n^2) time,
 * n(n-1)/2 doubles of work); beyond it, it selects without listing. */
#define BR__THEIL_SEN_SMALL 256

/* The Theil-Sen slope of y on x over n finite points into *slope: the median
 * of (y[j] - y[i]) / (x[j] - x[i]) over all pairs i < j with x[i] != x[j],
 * the mean of the two middle values when their number is even.  Exact: the
 * same double as sorting all those quotients, whenever every x and every y
 * is a multiple of one power of two (per coordinate) below 2^52 in
 * magnitude, which holds for integers below 2^52 (iteration counts,
 * nanoseconds, unscaled counts).  Other values are first rounded to 52 bits
 * of that common scale; the slope then moves by at most
 * 2^-51 * max|y| / (the least gap between distinct x), plus rounding of the
 * quotient.  O(n log n) expected time and O(n) memory beyond
 * BR__THEIL_SEN_SMALL points.  Returns 0; -EDOM (and NAN) when no pair has
 * distinct x or a value is not finite; -ENOMEM (and NAN) when scratch
 * cannot be allocated. */
int br__theil_sen(const double *x, const double *y, size_t n, double *slope);

/* qsort's comparison of two doubles, ascending (the library's one). */
int br__cmp_double(const void *a, const void *b);

/* As br__theil_sen() for n > BR__THEIL_SEN_SMALL only, with no check of n:
 * for the harness, whose small path selects with GSL, and for tests that
 * compare it with listing every pair. */
int br__theil_sen_select(const double *x, const double *y, size_t n, double *slope);

#endif
