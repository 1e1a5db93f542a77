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
	/* A confirmation (paired only): compare only the benchmarks whose
	 * entry in `only` is nonzero, on rounds from `from_round` on, with
	 * Holm across them; the others keep their comparison.  NULL and 0 for
	 * an ordinary comparison. */
	const int *only;
	unsigned from_round;
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

/* Yuen's one-sample trimmed t statistics of n log ratios as a struct welch:
 * diff = the mean with floor(gamma * n) values cut from each end, se from
 * the winsorised variance, df = n - 2 floor(gamma * n) - 1.  Returns 0, or
 * -1 when fewer than two values remain. */
int compare_trimmed(const double *logratio, size_t n, double gamma, struct welch *w);

/* Whether a compared benchmark is re-measured before its verdict is final
 * (see compare.c): +1 for a suspected slowdown, -1 for a suspected speed-up
 * (paired runs only), 0 for neither. */
int compare_is_suspect(const struct comparison *c, double noise, int paired);

/* Whether a suspect's re-measurement so far makes going on pointless: its
 * change in direction `dir` (+1 or -1) is under a quarter of `noise`. */
int compare_is_futile(const struct comparison *c, int dir, double noise);

/* "regressed", "improved", "within noise", "no significant change", "too
 * few samples to tell", "new", "missing", or "" for none. */
const char *compare_verdict_name(enum verdict v);

/* Parse "slope", "median" or "mean"; 0 or -1. */
int compare_parse_statistic(const char *s, enum analysis_stat *out);

#endif
