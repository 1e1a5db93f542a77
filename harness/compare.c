/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regression gate's statistics.
 *
 * Unit of evidence: one worker process.  Samples within a process share its
 * address layout, frequency and neighbours and are far from independent;
 * testing them as if they were is what makes other harnesses cry wolf.  Each
 * process contributes one value (its estimate of the chosen statistic), and
 * the test is Welch's t on the logarithms of those values: logs because
 * changes are ratios and process spreads scale with the time; Welch because
 * the two sides may differ in spread and count; a t-test rather than
 * Mann-Whitney because with 5 processes a side the smallest two-sided
 * Mann-Whitney p is 0.008, which no suite-wide correction can accept.
 *
 * Drift: a baseline measured minutes earlier is another machine.  Measured
 * here, whole suites shift by -2.6 % to +1.8 % between invocations of the
 * same build, and each benchmark moves 1-2 % on its own beyond what its
 * processes' spread predicts.  So, when at least MIN_FOR_DRIFT benchmarks
 * are compared, (1) the suite's common shift (the median change) is
 * removed, and (2) every benchmark's variance is multiplied by one factor
 * estimated over the suite, as genomic control does for many association
 * tests: lambda = the median over benchmarks of t^2 divided by the median
 * t^2 would have under no change, floored at 1.  Most benchmarks of a suite
 * do not change, so lambda measures how much more benchmarks move between
 * runs than their processes predict.  A factor, not an added spread:
 * measured here, a benchmark's between-run movement tracks its own process
 * spread (a bimodal sort moves 10 %, a multiply chain 1.5 %), so one noisy
 * benchmark must not blur the verdict on the steady ones.  A change that
 * hits every benchmark alike is reported as the suite shift, not judged
 * per benchmark: telling it from drift takes a paired run of both builds.
 *
 * Suite-wide false alarms: Holm's step-down correction, which bounds the
 * chance of any false alarm in the suite (family-wise) at alpha, where
 * Benjamini-Hochberg would only bound their expected share; a CI gate that
 * must stay quiet on most runs of a 50-benchmark suite needs the former. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "compare.h"
#include "stats.h"

#define MIN_PROCS 3       /* per side; fewer cannot estimate a spread */
#define MIN_FOR_DRIFT 4   /* benchmarks needed to estimate the suite's drift */
#define PAIRED_TRIM 0.1   /* trimmed from each end of the per-round ratios */

const char *compare_verdict_name(enum verdict v)
{
	static const char *const names[VERDICT_COUNT] = {
		[VERDICT_NONE] = "", [VERDICT_REGRESSED] = "regressed",
		[VERDICT_IMPROVED] = "improved", [VERDICT_WITHIN_NOISE] = "within noise",
		[VERDICT_NO_CHANGE] = "no significant change",
		[VERDICT_TOO_FEW] = "too few samples to tell", [VERDICT_NEW] = "new",
		[VERDICT_MISSING] = "missing",
	};
	return v < VERDICT_COUNT ? names[v] : "";
}

int compare_parse_statistic(const char *s, enum analysis_stat *out)
{
	if (!strcmp(s, "slope"))
		*out = ANALYSIS_SLOPE;
	else if (!strcmp(s, "median"))
		*out = ANALYSIS_MEDIAN;
	else if (!strcmp(s, "mean"))
		*out = ANALYSIS_MEAN;
	else
		return -1;
	return 0;
}

int compare_welch(const double *x, size_t nx, const double *y, size_t ny,
                  struct welch *w)
{
	double vx, vy;

	if (nx < 2 || ny < 2)
		return -1;
	vx = pow(stats_sd(x, nx), 2) / (double)nx;
	vy = pow(stats_sd(y, ny), 2) / (double)ny;
	w->diff = stats_mean(y, ny) - stats_mean(x, nx);
	w->se = sqrt(vx + vy);
	/* Welch-Satterthwaite; with no spread at all, the smallest count. */
	w->df = vx + vy > 0 ? (vx + vy) * (vx + vy) /
	        (vx * vx / (double)(nx - 1) + vy * vy / (double)(ny - 1))
	        : (double)((nx < ny ? nx : ny) - 1);
	return 0;
}

static int cmp_index_by_p(const void *a, const void *b, void *ctx)
{
	const double *p = ctx;
	double x = p[*(const size_t *)a], y = p[*(const size_t *)b];

	return (x > y) - (x < y);
}

void compare_holm(const double *p, size_t n, double *adj)
{
	size_t *order = malloc((n + 1) * sizeof *order);
	double running = 0;

	if (!order) {
		for (size_t i = 0; i < n; i++)  /* Bonferroni: never less safe */
			adj[i] = fmin(1, p[i] * (double)n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof *order, cmp_index_by_p, (void *)p);
	for (size_t k = 0; k < n; k++) {
		double a = fmin(1, p[order[k]] * (double)(n - k));
		running = fmax(running, a);  /* adjusted p-values never decrease */
		adj[order[k]] = running;
	}
	free(order);
}

/* Log per-process values of b into out; returns how many. */
static size_t log_values(const struct bench_result *b, enum analysis_stat stat,
                         double *out, double *mean_ns)
{
	size_t n = analysis_per_process(b, stat, out), k = 0;

	*mean_ns = n ? stats_mean(out, n) : NAN;
	for (size_t i = 0; i < n; i++)
		if (out[i] > 0)
			out[k++] = log(out[i]);
	return k;
}

/* First pass: the test statistics of one benchmark, or its verdict when it
 * cannot be tested.  Returns 1 when tested. */
static int prepare(struct bench_result *b, const struct bench_result *base,
                   const struct compare_opts *o, struct welch *w)
{
	double *x = calloc(base->nprocs + 1, sizeof *x), *y = calloc(b->nprocs + 1, sizeof *y);
	struct comparison *c = &b->cmp;
	int tested = 0;

	memset(c, 0, sizeof *c);
	c->change = c->change_lo = c->change_hi = c->p = c->p_adj = NAN;
	if (x && y) {
		c->base_procs = log_values(base, o->statistic, x, &c->base_ns);
		c->cur_procs = log_values(b, o->statistic, y, &c->cur_ns);
		tested = c->base_procs >= MIN_PROCS && c->cur_procs >= MIN_PROCS &&
		         compare_welch(x, c->base_procs, y, c->cur_procs, w) == 0;
	}
	c->verdict = tested ? VERDICT_NONE : VERDICT_TOO_FEW;
	free(x);
	free(y);
	return tested;
}

/* The suite's common shift (median difference of logs) and the variance
 * inflation factor lambda (see the top of this file).  Medians, not means:
 * the benchmark that really changed must not move the yardstick it is
 * measured against. */
static void drift(const struct welch *w, size_t n, const struct compare_opts *o,
                  double *shift, double *inflation)
{
	double *d = malloc((n + 1) * sizeof *d);
	size_t m = 0;

	*shift = 0;
	*inflation = 1;
	if (!d || !o->drift_correction || n < MIN_FOR_DRIFT)
		goto out;
	for (size_t i = 0; i < n; i++)
		d[i] = w[i].diff;
	*shift = stats_median(d, n);
	for (size_t i = 0; i < n; i++) {
		double t = (w[i].diff - *shift) / w[i].se;
		/* Under no change t^2 is F(1, df): its median, not 0.455 (the
		 * normal's), or small process counts alone would inflate. */
		if (w[i].se > 0)
			d[m++] = t * t / gsl_cdf_fdist_Pinv(0.5, 1, w[i].df);
	}
	if (m >= MIN_FOR_DRIFT)
		*inflation = fmax(1, stats_median(d, m));
out:
	free(d);
}

static enum verdict judge(const struct comparison *c, const struct compare_opts *o)
{
	if (!(c->p_adj < o->alpha))
		return VERDICT_NO_CHANGE;
	if (fabs(c->change) < o->noise)
		return VERDICT_WITHIN_NOISE;
	return c->change > 0 ? VERDICT_REGRESSED : VERDICT_IMPROVED;
}

/* Second pass: test each prepared benchmark against shift and inflation. */
static void conclude(struct bench_result **tb, const struct welch *w, size_t n,
                     const struct compare_opts *o, double shift, double inflation,
                     double *p)
{
	for (size_t i = 0; i < n; i++) {
		struct comparison *c = &tb[i]->cmp;
		double r = w[i].diff - shift, se = w[i].se * sqrt(inflation);
		double tcrit = gsl_cdf_tdist_Pinv((1 + o->conf_level) / 2, w[i].df);
		c->change = expm1(r);
		c->change_lo = expm1(r - tcrit * se);
		c->change_hi = expm1(r + tcrit * se);
		p[i] = se > 0 ? 2 * gsl_cdf_tdist_Q(fabs(r) / se, w[i].df) : (r == 0 ? 1 : 0);
		c->p = p[i];
	}
	compare_holm(p, n, p);
	for (size_t i = 0; i < n; i++) {
		tb[i]->cmp.p_adj = p[i];
		tb[i]->cmp.verdict = judge(&tb[i]->cmp, o);
	}
}

static void summarise(struct suite *cur, const struct suite *base,
                      struct compare_summary *sum)
{
	for (size_t i = 0; i < cur->nbenches; i++) {
		const struct bench_result *b = &cur->benches[i];
		sum->counts[b->cmp.verdict]++;
		if ((b->cmp.verdict == VERDICT_REGRESSED || b->cmp.verdict == VERDICT_NO_CHANGE ||
		     b->cmp.verdict == VERDICT_WITHIN_NOISE) &&
		    (!sum->worst || b->cmp.change > sum->worst_change)) {
			sum->worst = b->name;
			sum->worst_change = b->cmp.change;
		}
	}
	for (size_t i = 0; i < base->nbenches; i++) {
		char **m;
		if (suite_find(cur, base->benches[i].name))
			continue;
		if (!(m = realloc(sum->missing, (sum->nmissing + 1) * sizeof *m)))
			return;
		sum->missing = m;
		m[sum->nmissing++] = strdup(base->benches[i].name);
		sum->counts[VERDICT_MISSING]++;
	}
}

int compare_one_sample(const double *logratio, size_t n, struct welch *w)
{
	if (n < 2)
		return -1;
	w->diff = stats_mean(logratio, n);
	w->se = stats_sd(logratio, n) / sqrt((double)n);
	w->df = (double)(n - 1);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int compare_trimmed(const double *logratio, size_t n, double gamma, struct welch *w)
{
	size_t g = (size_t)floor(gamma * (double)n), h = n - 2 * g;
	double *x = malloc((n + 1) * sizeof *x), sum = 0;

	if (n < 2 || h < 2 || !x) {
		free(x);
		return -1;
	}
	memcpy(x, logratio, n * sizeof *x);
	qsort(x, n, sizeof *x, cmp_double);
	for (size_t i = g; i < n - g; i++)
		sum += x[i];
	w->diff = sum / (double)h;
	/* Winsorise: the g lowest become x[g], the g highest x[n-g-1]. */
	for (size_t i = 0; i < g; i++) {
		x[i] = x[g];
		x[n - 1 - i] = x[n - 1 - g];
	}
	w->se = sqrt((double)(n - 1) * pow(stats_sd(x, n), 2) / ((double)h * (double)(h - 1)));
	w->df = (double)(h - 1);
	free(x);
	return 0;
}

/* Per-round log ratios of b over old, matched by round number: each
 * round ran both programs back to back, so machine drift, which moves on a
 * scale of minutes, is the same in numerator and denominator.  Ratios of
 * one round are independent of other rounds.  The test is Yuen's one-sample
 * trimmed t on those logs (10 % trimmed from each end): a paired t-test
 * that one round spoiled by a neighbour cannot sway.  Measured here, such
 * rounds are real: one process in a few hundred runs 2x slow, and a plain
 * t-test then loses a 2 % regression in the spread it adds.  Not Wilcoxon's
 * signed-rank test: with the 5 rounds of a first look it cannot go below
 * p = 0.0625.  Rounds before o->from_round are left out (a confirmation
 * uses only its own rounds). */
static int prepare_paired(struct bench_result *b, const struct bench_result *old,
                          const struct compare_opts *o, struct welch *w)
{
	size_t nb = b->nprocs + 1, no = old->nprocs + 1, n = 0;
	double *x = calloc(no, sizeof *x), *y = calloc(nb, sizeof *y), *lr = calloc(nb, sizeof *lr);
	struct comparison *c = &b->cmp;
	int tested = 0;

	memset(c, 0, sizeof *c);
	c->change = c->change_lo = c->change_hi = c->p = c->p_adj = NAN;
	if (x && y && lr && analysis_per_process(old, o->statistic, x) == old->nprocs &&
	    analysis_per_process(b, o->statistic, y) == b->nprocs) {
		for (size_t i = 0; i < b->nprocs; i++)
			for (size_t j = 0; j < old->nprocs; j++)
				if (old->procs[j].round == b->procs[i].round && x[j] > 0 && y[i] > 0 &&
				    b->procs[i].round >= o->from_round)
					lr[n++] = log(y[i] / x[j]);
		c->base_ns = stats_mean(x, old->nprocs);
		c->cur_ns = stats_mean(y, b->nprocs);
		c->base_procs = c->cur_procs = n;
		tested = n >= MIN_PROCS && compare_trimmed(lr, n, PAIRED_TRIM, w) == 0;
	}
	c->verdict = tested ? VERDICT_NONE : VERDICT_TOO_FEW;
	free(x);
	free(y);
	free(lr);
	return tested;
}

/* The driver both modes share: prepare each benchmark present on both
 * sides (paired: per-round ratios; else: per-process samples), then
 * (unpaired only) estimate drift, test, adjust and judge, and count. */
static int run_compare(struct suite *cur, const struct suite *old,
                       const struct suite *reference, int paired,
                       const struct compare_opts *o, struct compare_summary *sum)
{
	size_t n = 0, cap = cur->nbenches + 1;
	struct bench_result **tb = malloc(cap * sizeof *tb);
	struct welch *w = malloc(cap * sizeof *w);
	double *p = malloc(cap * sizeof *p);
	int rc = -1;

	memset(sum, 0, sizeof *sum);
	sum->inflation = 1;
	sum->paired = paired;
	if (!tb || !w || !p)
		goto out;
	for (size_t i = 0; i < cur->nbenches; i++) {
		struct bench_result *b = &cur->benches[i];
		const struct bench_result *ob = suite_find(old, b->name);
		if (o->only && !o->only[i])
			continue;  /* judged before; counted as it stands */
		memset(&b->cmp, 0, sizeof b->cmp);
		if (!ob || !suite_find(reference, b->name))
			b->cmp.verdict = VERDICT_NEW;
		else if (!b->failed && !ob->failed &&
		         (paired ? prepare_paired(b, ob, o, &w[n]) : prepare(b, ob, o, &w[n])))
			tb[n++] = b;
	}
	if (!paired)
		drift(w, n, o, &sum->shift, &sum->inflation);
	conclude(tb, w, n, o, sum->shift, sum->inflation, p);
	sum->shift = expm1(sum->shift);
	sum->compared = n;
	summarise(cur, reference, sum);
	rc = 0;
out:
	free(tb);
	free(w);
	free(p);
	return rc;
}

int compare_paired(struct suite *cur, const struct suite *old, const struct suite *reference,
                   const struct compare_opts *o, struct compare_summary *sum)
{
	return run_compare(cur, old, reference ? reference : old, 1, o, sum);
}

int compare_suites(struct suite *cur, const struct suite *base,
                   const struct compare_opts *o, struct compare_summary *sum)
{
	return run_compare(cur, base, base, 0, o, sum);
}

/* Which benchmarks are measured again before their verdict is final.
 *
 * Paired runs: a two-stage design.  The first look (the run's own rounds)
 * only screens: any change of at least half the noise threshold with an
 * uncorrected p under 0.5, in either direction, is a suspect; the verdict
 * on a suspect then comes from the re-measured rounds alone, tested with
 * Holm across the suspects only.  Fresh rounds are independent of the
 * screen, so the suspects' family bounds the chance of any false alarm at
 * alpha whatever was screened, and a small family keeps the power a 2 %
 * change needs (measured: with the verdict on all rounds under a
 * suite-wide Holm, a 2 % slowdown was flagged in 4 runs of 10).  The
 * screen is loose on purpose: what it lets through costs re-measurement
 * time, what it drops is lost.
 *
 * Stored baselines: the baseline side cannot be re-measured, so fresh
 * rounds are not independent of the screen; suspects are slowdowns only,
 * and the verdict comes from all processes under the suite-wide Holm. */
int compare_is_suspect(const struct comparison *c, double noise, int paired)
{
	int dir = c->change > 0 ? 1 : -1;

	if (!isfinite(c->change))
		return 0;
	if (c->verdict == VERDICT_REGRESSED || (paired && c->verdict == VERDICT_IMPROVED))
		return dir;
	if (c->verdict != VERDICT_NO_CHANGE && c->verdict != VERDICT_WITHIN_NOISE)
		return 0;
	if (paired)
		return fabs(c->change) >= noise / 2 && c->p < 0.5 ? dir : 0;
	return c->change >= noise / 2 && c->p < 0.25;
}

/* A suspect whose re-measured change so far is under a quarter of the
 * noise threshold in the suspected direction (`dir`, +1 slower, -1
 * faster) cannot end above the threshold without a swing the rounds left
 * would rarely give; it is measured no further.  Stopping only ever drops
 * alarms, so it costs no false-alarm control. */
int compare_is_futile(const struct comparison *c, int dir, double noise)
{
	return !isfinite(c->change) || c->change * dir < noise / 4;
}

void compare_summary_free(struct compare_summary *sum)
{
	for (size_t i = 0; i < sum->nmissing; i++)
		free(sum->missing[i]);
	free(sum->missing);
	memset(sum, 0, sizeof *sum);
}
