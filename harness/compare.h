/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Comparing current results with a baseline, one family of tests: per
 * benchmark, the change of the chosen statistic with its interval, a test
 * that the change is beyond the noise threshold, and Holm's correction
 * across the family; for stored comparisons, the suite-wide shift and its
 * test against the drift bound.  The sequence of looks (screen, fresh
 * rounds, verdict) is harness/gate.c. */
#ifndef BENCHRUN_COMPARE_H
#define BENCHRUN_COMPARE_H

#include <regex.h>
#include <stddef.h>
#include "analysis.h"
#include "suite.h"

/* Between-run drift of these machines (measured, see compare.c). */
#define COMPARE_BENCH_DRIFT 0.01   /* sd of one benchmark's own movement between runs */
#define COMPARE_COMMON_DRIFT 0.02  /* sd of the whole suite's movement between runs */
#define COMPARE_THREADED_DRIFT 0.5 /* sd of a threaded body's own movement between
                                    * runs (logs: a factor of 1.65; see compare.c) */
#define COMPARE_DRIFT_BOUND 0.04   /* default --drift-bound: a larger common shift is not drift */

struct compare_opts {
	enum analysis_stat statistic;  /* per-process statistic compared */
	double alpha;          /* chance of any false alarm in the family (Holm) */
	double noise;          /* threshold, as a fraction (0.01 = 1 %): a verdict
	                        * of change needs the change shown beyond it */
	double conf_level;     /* of the change's interval */
	int drift_correction;  /* stored: remove the suite's common shift */
	double drift_bound;    /* stored: a common shift shown beyond this fails */
	const regex_t *filter; /* what was selected: baseline benchmarks it
	                        * excludes are not "missing"; NULL for all */
	/* The family judged: benchmarks whose entry is nonzero (all when
	 * NULL); the others keep their verdicts.  Paired members of the family
	 * use only rounds numbered from_round on (0: all). */
	const int *family;
	unsigned from_round;
	const char *counter;   /* ANALYSIS_COUNTER: the user counter's name */
	/* Stored comparisons: a benchmark's own between-run movement (sd of
	 * its log estimate between runs of unchanged code on this machine),
	 * measured by the history, or NAN to assume COMPARE_BENCH_DRIFT; NULL
	 * assumes it for all. */
	double (*bench_drift)(void *ctx, const char *name);
	void *drift_ctx;
};

/* What a comparison concluded about the whole suite. */
struct compare_summary {
	size_t counts[VERDICT_COUNT];
	size_t modes[MODE_COUNT];  /* benchmarks compared in each mode */
	size_t compared;       /* benchmarks with a test in the last family */
	size_t stored;         /* stored-mode benchmarks in the shift estimate */
	double shift, shift_lo, shift_hi; /* suite-wide shift of stored
	                        * comparisons (fraction) and its interval; NAN
	                        * when there are none */
	int shift_removed;     /* the shift was removed before judging each */
	double shift_p;        /* Holm-adjusted p of |shift| > drift bound */
	int shift_beyond;      /* the shift is shown beyond the drift bound:
	                        * +1 slower, -1 faster, 0 not */
	double inflation;      /* stored: variance factor, >= 1 */
	size_t drift_measured; /* stored benchmarks whose between-run movement
	                        * came from the history, not the assumed 1 % */
	double drift_median;   /* the median of those (fraction), or NAN */
	const char *worst;     /* name of the largest slowdown judged, or NULL */
	double worst_change;   /* its judged change, fraction */
	char **missing;        /* names only in the baseline, owned */
	size_t nmissing;
	size_t too_few;        /* benchmarks with fewer than 3 processes a side */
};

/* Welch's two-sample t statistics of y against x: the difference of means,
 * its standard error and the Welch-Satterthwaite degrees of freedom. */
struct welch {
	double diff, se, df;
};

/* Fill *w; returns 0, or -1 when a side has fewer than two values. */
int compare_welch(const double *x, size_t nx, const double *y, size_t ny,
                  struct welch *w);

/* Holm's step-down adjustment of n p-values into adj (same order; adj may
 * be p). */
void compare_holm(const double *p, size_t n, double *adj);

/* Compare every benchmark of `cur` with the old build measured now (`old`,
 * for benchmarks whose mode is MODE_PAIRED) or with the stored baseline
 * (`base`, every other mode), as one family (see compare_opts.family):
 * fills each judged benchmark's `cmp` and *sum.  New and missing are judged
 * against `base` (`old` when base is NULL).  Returns 0, or -1 when out of
 * memory. */
int compare_run(struct suite *cur, const struct suite *old, const struct suite *base,
                const struct compare_opts *o, struct compare_summary *sum);

void compare_summary_free(struct compare_summary *sum);

/* Yuen's one-sample trimmed t statistics of n log ratios as a struct welch:
 * diff = the mean with g values cut from each end, se from the winsorised
 * variance, df = n - 2g - 1, where g = floor(gamma * n), but at least 1
 * from 5 values on (one spoiled round never decides).  `kept`, when not
 * NULL, gets 1 for each value inside the trimmed mean.  Returns 0, or -1
 * when fewer than two values remain. */
int compare_trimmed(const double *logratio, size_t n, double gamma, struct welch *w,
                    int *kept);

/* The p-values of a change d (log ratio) with standard error se and df
 * degrees of freedom: *p_dir, one-sided, that |d| is beyond log1p(noise)
 * in its direction; *p_zero, two-sided, that d is not zero.  se = 0 is an
 * exact comparison (p 0 or 1).  Returns the direction, +1 or -1. */
int compare_pvalues(double d, double se, double df, double noise, double *p_dir,
                    double *p_zero);

/* Whether a compared benchmark is re-measured before its verdict is final
 * (see gate.c): +1 for a suspected slowdown, -1 for a suspected speed-up
 * (paired only), 0 for neither. */
int compare_is_suspect(const struct comparison *c, double noise, int paired);

/* Whether the rounds of a paired comparison are so noisy that, with
 * `left` more at the same spread, the standard error of its log change
 * would still exceed `se_limit` and its change so far would still not be
 * shown beyond `noise` at `alpha`. */
int compare_too_noisy(const struct comparison *c, double noise, unsigned left, double alpha,
                      double se_limit);

/* Whether a paired suspect's re-measurement so far makes going on
 * pointless, with `left` rounds still to come: its change, either way, is
 * under half of `noise`; or its interval lies within `noise` either side;
 * or its rounds are too noisy (compare_too_noisy, with half the threshold
 * as the limit). */
int compare_is_futile(const struct comparison *c, double noise, unsigned left, double alpha);

/* "regressed", "improved", "within noise", "no significant change", "too
 * few samples to tell", "new", "missing", or "" for none. */
const char *compare_verdict_name(enum verdict v);

/* "paired", "stored", "fallback", or "" for none. */
const char *compare_mode_name(enum compare_mode m);

#endif
