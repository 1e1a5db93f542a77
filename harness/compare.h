/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Comparing current results with a baseline: per benchmark, the relative
 * change of the chosen statistic with its interval, a test on
 * process-level results, a minimum effect, and false-alarm control across
 * the whole suite; then a verdict. */
#ifndef BENCHRUN_COMPARE_H
#define BENCHRUN_COMPARE_H

#include <stddef.h>
#include "analysis.h"
#include "suite.h"

struct compare_opts {
	enum analysis_stat statistic;  /* per-process statistic compared */
	double alpha;          /* suite-wide false-alarm rate (Holm) */
	double noise;          /* minimum effect, as a fraction (0.01 = 1 %) */
	double conf_level;     /* of the change's interval */
	int drift_correction;  /* remove the suite's common shift */
};

/* What a comparison concluded about the whole suite. */
struct compare_summary {
	size_t counts[VERDICT_COUNT];
	size_t compared;       /* benchmarks with a test */
	double shift;          /* common shift removed, fraction; 0 if none */
	double inflation;      /* variance factor applied to each test, >= 1 */
	int paired;            /* measured against the old build, round by round */
	const char *worst;     /* name of the largest slowdown judged, or NULL */
	double worst_change;   /* its change, fraction */
	char **missing;        /* names only in the baseline, owned */
	size_t nmissing;
};

/* Welch's two-sample t statistics of y against x: the difference of means,
 * its standard error and the Welch-Satterthwaite degrees of freedom. */
struct welch {
	double diff, se, df;
};

/* Fill *w; returns 0, or -1 when a side has fewer than two values. */
int compare_welch(const double *x, size_t nx, const double *y, size_t ny,
                  struct welch *w);

/* Holm's step-down adjustment of n p-values into adj (same order). */
void compare_holm(const double *p, size_t n, double *adj);

/* Compare every benchmark of `cur` with its namesake in `base`, filling
 * each cur benchmark's `cmp` and *sum.  Returns 0, or -1 when out of
 * memory. */
int compare_suites(struct suite *cur, const struct suite *base,
                   const struct compare_opts *o, struct compare_summary *sum);

void compare_summary_free(struct compare_summary *sum);

/* Compare every benchmark of `cur` with its namesake in `old`, both
 * measured in the same rounds, alternately (paired mode): each round gives
 * one ratio of the statistic, new over old, and the test is on those
 * ratios.  Fills each cur benchmark's `cmp` and *sum like compare_suites,
 * without drift correction (pairing cancels drift).  New and missing are
 * judged against `reference` (the stored baseline's list; `old` when NULL).
 * Returns 0 or -1. */
int compare_paired(struct suite *cur, const struct suite *old, const struct suite *reference,
                   const struct compare_opts *o, struct compare_summary *sum);

/* The one-sample t statistics of n log ratios as a struct welch (diff =
 * their mean, se, df = n - 1); returns 0, or -1 when n < 2. */
int compare_one_sample(const double *logratio, size_t n, struct welch *w);

/* Whether a compared benchmark deserves re-measuring before the verdict is
 * final: a slowdown of at least `noise` that is not yet clearly chance. */
int compare_is_suspect(const struct comparison *c, double noise);

/* "regressed", "improved", "within noise", "no significant change", "too
 * few samples to tell", "new", "missing", or "" for none. */
const char *compare_verdict_name(enum verdict v);

/* Parse "slope", "median" or "mean"; 0 or -1. */
int compare_parse_statistic(const char *s, enum analysis_stat *out);

#endif
