/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regression gate's statistics: one family of tests per look.
 *
 * Unit of evidence.  Paired: one round, in which the old and the new build
 * ran back to back; its log ratio new/old cancels machine drift, which
 * moves on a scale of minutes.  Stored: one worker process, whose estimate
 * is compared with the stored processes' (Welch's t on logarithms: logs
 * because changes are ratios and spreads scale with the time).  Samples
 * within a process share its address layout and neighbours and are never
 * the unit: testing them as independent is what makes other harnesses cry
 * wolf.
 *
 * What "regressed" means.  The data show the change beyond the noise
 * threshold: a one-sided test of H0 "log ratio <= log1p(threshold)" (and
 * its mirror for "improved"), so a true change below the threshold is
 * called regressed in at most alpha of runs, as criterion's interval rule
 * does.  "Within noise" is a change shown different from zero but not
 * shown beyond the threshold.  Holm's step-down correction across the
 * family bounds the chance of any false alarm at alpha (family-wise, not
 * only the expected share as Benjamini-Hochberg would: a CI gate must stay
 * quiet on most runs of a 50-benchmark suite).  A statistic with no spread
 * on either side (deterministic counts) is compared exactly.
 *
 * The stored comparison's model.  A baseline measured minutes or days
 * earlier was another machine: each benchmark's log change is
 *   y_i = c + delta_i + e_i,
 * c the suite's common drift (measured on these VMs: whole suites moved
 * -2.6 % to +1.8 % between invocations of one build, in phases of
 * minutes), delta_i the benchmark's own between-run movement (0.5-1 %
 * beyond what its processes predict), e_i the processes' sampling error
 * (Welch's standard error).  Re-measuring a suspect adds processes and
 * shrinks e_i but not delta_i: re-measured processes are the same run, so
 * delta_i's variance (COMPARE_BENCH_DRIFT^2) is always added.  With at
 * least MIN_FOR_DRIFT benchmarks, c is estimated by the median of the y_i
 * and removed, each test then judging a benchmark against the suite (the
 * benchmark that really changed must not move the yardstick: hence the
 * median); a variance factor lambda (the median of each benchmark's
 * t^2 over its expected median, floored at 1, as genomic control does)
 * covers suites that move more than the model says.  With fewer, c cannot
 * be told from a change, so each test carries the common drift's variance
 * (COMPARE_COMMON_DRIFT^2) instead.  Either way the suite-wide shift is
 * reported with its interval, and tested, in the same Holm family, against
 * the drift bound: a shift shown beyond it is no drift these machines
 * show, and fails the run, though only a paired run can tell a global
 * regression from a machine that changed. */
#define _GNU_SOURCE
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "compare.h"
#include "units.h"
#include "stats.h"

#define MIN_PROCS 3       /* per side; fewer cannot estimate a spread */
#define MIN_FOR_DRIFT 4   /* benchmarks needed to estimate the suite's drift */
#define PAIRED_TRIM 0.1   /* trimmed from each end of the per-round ratios */
#define TRIM_ONE_FROM 5   /* from this many rounds on, trim at least one a side */

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

const char *compare_mode_name(enum compare_mode m)
{
	static const char *const names[MODE_COUNT] = {
		[MODE_NONE] = "", [MODE_PAIRED] = "paired", [MODE_STORED] = "stored",
		[MODE_FALLBACK] = "fallback",
	};
	return m < MODE_COUNT ? names[m] : "";
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

int compare_trimmed(const double *logratio, size_t n, double gamma, struct welch *w,
                    int *kept)
{
	size_t g = (size_t)floor(gamma * (double)n), h;
	size_t *ord = malloc((n + 1) * sizeof *ord);
	double *x = malloc((n + 1) * sizeof *x);

	if (n >= TRIM_ONE_FROM && g < 1)
		g = 1;
	h = n - 2 * g;
	if (n < 2 || 2 * g >= n || h < 2 || !x || !ord) {
		free(x);
		free(ord);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	qsort_r(ord, n, sizeof *ord, cmp_index_by_p, (void *)logratio);
	for (size_t i = 0; i < n; i++) {
		x[i] = logratio[ord[i]];
		if (kept)
			kept[ord[i]] = i >= g && i < n - g;
	}
	/* GSL trims floor(alpha n) a side: alpha (g + 0.5) / n is exactly g */
	w->diff = gsl_stats_trmean_from_sorted_data(((double)g + 0.5) / (double)n, x, 1, n);
	/* Winsorise: the g lowest become x[g], the g highest x[n-g-1]. */
	for (size_t i = 0; i < g; i++) {
		x[i] = x[g];
		x[n - 1 - i] = x[n - 1 - g];
	}
	w->se = sqrt((double)(n - 1) * pow(stats_sd(x, n), 2) / ((double)h * (double)(h - 1)));
	w->df = (double)(h - 1);
	free(x);
	free(ord);
	return 0;
}

int compare_pvalues(double d, double se, double df, double noise, double *p_dir,
                    double *p_zero)
{
	double thr = log1p(noise);
	int dir = d >= 0 ? 1 : -1;

	/* Exact: the change is what it is, and one at the threshold is beyond
	 * it (1001 against 1000 instructions is +0.1 %, up to the rounding of
	 * the logarithms). */
	if (!(se > 0)) {
		*p_dir = fabs(d) >= thr * (1 - 1e-9) && d != 0 ? 0 : 1;
		*p_zero = d != 0 ? 0 : 1;
		return dir;
	}
	*p_dir = gsl_cdf_tdist_Q((fabs(d) - thr) / se, df);
	*p_zero = 2 * gsl_cdf_tdist_Q(fabs(d) / se, df);
	return dir;
}

/* One member of the family: its change (log ratio) and the variance the
 * test gives it. */
struct member {
	struct bench_result *b;
	double d;        /* log(cur / base) */
	double var_meas; /* measurement variance of d (processes or rounds) */
	double df;
	int stored;      /* judged against the stored results */
	int exact;       /* no spread on either side */
	double tau2;     /* stored: the variance of its own between-run movement */
};

static void reset(struct comparison *c)
{
	free(c->rounds);
	memset(c, 0, sizeof *c);
	c->change = c->change_lo = c->change_hi = c->rel = c->rel_lo = c->rel_hi = NAN;
	c->p = c->p_adj = c->p_zero = c->p_zero_adj = c->base_ns = c->cur_ns = c->se = NAN;
}

/* Log of each per-process value of b into out; returns how many. */
static size_t log_values(const struct bench_result *b, enum analysis_stat stat,
                         const char *counter, double *out)
{
	size_t n = analysis_per_process(b, stat, counter, out), k = 0;

	for (size_t i = 0; i < n; i++)
		if (out[i] > 0)
			out[k++] = log(out[i]);
	return k;
}

/* Whether the n values of x are all the same. */
static int constant(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return 0;
	return n > 0;
}

/* A user counter constant on each side with a zero on one of them (no
 * allocation, no miss; logs cannot compare it): exact, 0 to 0 no change,
 * 0 to k a rise without bound, k to 0 a fall to nothing.  1 when that is
 * the case (and m is filled). */
static int prepare_zero(struct member *m, const struct bench_result *before,
                        const struct compare_opts *o, int stored)
{
	struct comparison *c = &m->b->gate.cmp;
	double *x, *y;
	size_t nx, ny;
	int done = 0;

	if (o->statistic != ANALYSIS_COUNTER)
		return 0;
	x = calloc(before->nprocs + 1, sizeof *x);
	y = calloc(m->b->nprocs + 1, sizeof *y);
	if (x && y) {
		nx = analysis_per_process(before, o->statistic, o->counter, x);
		ny = analysis_per_process(m->b, o->statistic, o->counter, y);
		done = nx >= MIN_PROCS && ny >= MIN_PROCS && constant(x, nx) && constant(y, ny) &&
		       x[0] >= 0 && y[0] >= 0 && (x[0] == 0 || y[0] == 0);
	}
	if (done) {
		m->d = x[0] == y[0] ? 0 : x[0] == 0 ? INFINITY : -INFINITY;
		m->var_meas = 0;
		m->df = 1;
		m->exact = 1;
		m->stored = stored;
		c->base_ns = x[0];
		c->cur_ns = y[0];
		c->base_procs = nx;
		c->cur_procs = ny;
	}
	free(x);
	free(y);
	return done;
}

/* Half the variance of n logs, robustly (the scaled MAD), or 0. */
static double half_spread(const double *x, size_t n)
{
	double *work = n >= MIN_PROCS ? malloc(n * sizeof *work) : NULL, sd = 0;

	if (work) {
		sd = stats_mad(x, n, work) / M_SQRT2;
		free(work);
	}
	return isfinite(sd) ? sd : 0;
}

/* The variance of a benchmark's own between-run movement: measured by
 * the history when it has runs enough of unchanged code; else the assumed
 * COMPARE_BENCH_DRIFT, or half the variance of the processes of either
 * side (x[0..nx), y[0..ny): logs; a robust variance) when that is more.
 * A benchmark whose processes switch between speeds switches phase
 * between runs too: gate/qsort/1024, +-20 % between processes here, and
 * threads/queue/threads:2 (two threads handing items over on 2 vCPUs: 60
 * to 1100 ns a process) raised the stored A/A alarms measured on these
 * VMs (+19.6 %, +40.3 %, +114 %: a slow phase lasting a whole run), which
 * the assumed 1 % called regressions.  Ordinary benchmarks, whose
 * processes agree within 1-2 %, keep the 1 %.  A body on several threads
 * moves more still, and can do so for a whole run with its processes in
 * agreement: threads/queue/threads:2 ran 1.9-2.9 times its baseline in 8
 * of 10 runs 10 minutes after it was saved, each run's processes within
 * +-15 %, and threads/mutex_add/threads:2 +30 %: their speed is how the
 * machine schedules their threads at the time.  Without a history they
 * get COMPARE_THREADED_DRIFT: a stored comparison tells only a change of
 * several times; a paired one, whose rounds alternate, tells the rest. */
static double bench_tau2(const struct compare_opts *o, const struct bench_result *b,
                         const struct bench_result *base, const double *x, size_t nx,
                         const double *y, size_t ny)
{
	double sd = o->bench_drift ? o->bench_drift(o->drift_ctx, b->name) : NAN;

	if (isfinite(sd) && sd >= 0)
		return sd * sd;
	sd = fmax(COMPARE_BENCH_DRIFT, fmax(half_spread(x, nx), half_spread(y, ny)));
	if (b->threads > 1 || base->threads > 1)
		sd = fmax(sd, COMPARE_THREADED_DRIFT);
	return sd * sd;
}

/* Stored: Welch on the logs of the per-process values.  1 when tested. */
static int prepare_stored(struct member *m, const struct bench_result *base,
                          const struct compare_opts *o)
{
	double *x = calloc(base->nprocs + 1, sizeof *x), *y = calloc(m->b->nprocs + 1, sizeof *y);
	struct comparison *c = &m->b->gate.cmp;
	struct welch w;
	int tested = 0;

	if (x && y) {
		c->base_procs = log_values(base, o->statistic, o->counter, x);
		c->cur_procs = log_values(m->b, o->statistic, o->counter, y);
		tested = c->base_procs >= MIN_PROCS && c->cur_procs >= MIN_PROCS &&
		         compare_welch(x, c->base_procs, y, c->cur_procs, &w) == 0;
	}
	if (tested) {
		c->base_ns = exp(stats_mean(x, c->base_procs));
		c->cur_ns = exp(stats_mean(y, c->cur_procs));
		m->d = w.diff;
		m->var_meas = w.se * w.se;
		m->df = w.df;
		m->exact = w.se == 0;
		m->stored = 1;
		m->tau2 = bench_tau2(o, m->b, base, x, c->base_procs, y, c->cur_procs);
	}
	free(x);
	free(y);
	return tested;
}

/* Paired: the per-round log ratios, matched by round number (each round
 * ran both builds back to back), tested with Yuen's one-sample trimmed t:
 * a paired t-test that one round spoiled by a neighbour cannot sway.
 * Measured here, such rounds are real (one process in a few hundred runs
 * 2x slow).  Not Wilcoxon's signed-rank test: with the 5 rounds of a first
 * look it cannot go below p = 0.0625.  base_ns and cur_ns are the
 * geometric means of the old and new figures of the rounds kept, so that
 * their ratio is exactly the trimmed mean's.  1 when tested. */
static int prepare_paired(struct member *m, const struct bench_result *old,
                          const struct compare_opts *o, unsigned from_round)
{
	struct bench_result *b = m->b;
	struct comparison *c = &b->gate.cmp;
	double *x = calloc(old->nprocs + 1, sizeof *x), *y = calloc(b->nprocs + 1, sizeof *y);
	double *lr = calloc(b->nprocs + 1, sizeof *lr), lo = 0, ln = 0;
	int *kept = calloc(b->nprocs + 1, sizeof *kept), tested = 0;
	size_t *at = calloc(b->nprocs + 1, sizeof *at), n = 0, h = 0;
	struct welch w;

	c->rounds = calloc(b->nprocs + 1, sizeof *c->rounds);
	if (!x || !y || !lr || !kept || !at || !c->rounds ||
	    analysis_per_process(old, o->statistic, o->counter, x) != old->nprocs ||
	    analysis_per_process(b, o->statistic, o->counter, y) != b->nprocs)
		goto out;
	for (size_t i = 0; i < b->nprocs; i++)
		for (size_t j = 0; j < old->nprocs; j++) {
			struct paired_round *r;
			if (old->procs[j].round != b->procs[i].round || !(x[j] > 0) || !(y[i] > 0))
				continue;
			r = &c->rounds[c->nrounds++];
			*r = (struct paired_round){b->procs[i].round, x[j], y[i],
			                           old->procs[j].seq < b->procs[i].seq, 0};
			if (b->procs[i].round >= from_round) {
				at[n] = c->nrounds - 1;
				lr[n++] = log(y[i] / x[j]);
			}
		}
	c->base_procs = c->cur_procs = n;
	if (n < MIN_PROCS || compare_trimmed(lr, n, PAIRED_TRIM, &w, kept) != 0)
		goto out;
	for (size_t k = 0; k < n; k++) {
		struct paired_round *r = &c->rounds[at[k]];
		if (!(r->used = kept[k]))
			continue;
		lo += log(r->old_ns);
		ln += log(r->new_ns);
		h++;
	}
	c->base_ns = exp(lo / (double)h);
	c->cur_ns = exp(ln / (double)h);
	m->d = w.diff;
	m->var_meas = w.se * w.se;
	m->df = w.df;
	m->exact = w.se == 0;
	tested = 1;
out:
	free(x);
	free(y);
	free(lr);
	free(kept);
	free(at);
	return tested;
}

/* One-sided p that |c| (a log shift with standard error se_c) is beyond
 * the drift bound. */
static double shift_p(double c, double se_c, double bound)
{
	if (!(se_c > 0))
		return fabs(c) > log1p(bound) ? 0 : 1;
	return gsl_cdf_ugaussian_Q((fabs(c) - log1p(bound)) / se_c);
}

/* The suite-wide shift of the stored members and its standard error (see
 * the top of this file); whether it is removed; lambda. */
static void shift_estimate(struct member *m, size_t n, const struct compare_opts *o,
                           struct compare_summary *sum, double *c, double *se_c)
{
	double *d = malloc((n + 1) * sizeof *d), *v = malloc((n + 1) * sizeof *v);
	double mean_v = 0;
	size_t k = 0;

	*c = NAN;
	*se_c = NAN;
	sum->inflation = 1;
	sum->drift_measured = 0;
	sum->drift_median = NAN;
	for (size_t i = 0; d && v && i < n; i++) {
		double sd = m[i].stored && o->bench_drift ? o->bench_drift(o->drift_ctx,
		                                                          m[i].b->name) : NAN;
		if (isfinite(sd) && sd >= 0)
			v[sum->drift_measured++] = sd;
	}
	if (sum->drift_measured)
		sum->drift_median = stats_median(v, sum->drift_measured);
	for (size_t i = 0; d && v && i < n; i++)
		if (m[i].stored && !m[i].exact) {
			d[k] = m[i].d;
			v[k] = m[i].var_meas + m[i].tau2;
			mean_v += v[k++];
		}
	sum->stored = k;
	if (k == 0)
		goto out;
	mean_v /= (double)k;
	if (k < MIN_FOR_DRIFT) {
		*c = stats_mean(d, k);
		*se_c = sqrt(mean_v / (double)k);
		goto out;
	}
	*c = stats_median(d, k);
	/* The median's standard error: pi/2 times the mean's variance, or
	 * from the spread of the changes themselves, whichever is larger. */
	*se_c = fmax(sqrt(M_PI / 2 * mean_v / (double)k),
	             1.2533 * stats_mad(d, k, v) / sqrt((double)k));
	/* A shift shown beyond the drift bound is no drift: removing it would
	 * judge each benchmark against a suite that moved for a reason, and
	 * when most of a suite changed, call the unchanged rest "improved".
	 * Then each is judged on its own change, with the common drift's
	 * variance, and the shift's own test fails the run. */
	sum->shift_removed = o->drift_correction &&
	                     !(shift_p(*c, *se_c, o->drift_bound) < o->alpha);
	if (!sum->shift_removed)
		goto out;
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].stored && !m[i].exact) {
			double t = m[i].d - *c;
			/* Under the model t^2 / v is F(1, df): its median, not
			 * 0.455 (the normal's), or small process counts alone
			 * would inflate. */
			d[k++] = t * t / (m[i].var_meas + m[i].tau2) /
			         gsl_cdf_fdist_Pinv(0.5, 1, m[i].df);
		}
	sum->inflation = fmax(1, stats_median(d, k));
out:
	free(d);
	free(v);
}

/* The variance the test gives member m: its measurement, and for a stored
 * comparison the between-run drift it cannot see (see the top). */
static double test_variance(const struct member *m, const struct compare_summary *sum,
                            double se_c)
{
	double tau2 = m->tau2;

	if (!m->stored)
		return m->var_meas;
	if (m->exact)
		return 0;
	if (sum->shift_removed)
		return sum->inflation * (m->var_meas + tau2) + se_c * se_c;
	return m->var_meas + tau2 + COMPARE_COMMON_DRIFT * COMPARE_COMMON_DRIFT;
}

/* Degrees of freedom of a test variance v of which only the measured part
 * (Welch's, scaled by lambda) is estimated from few values, the drift
 * variances being the model's constants: Satterthwaite's approximation.
 * Without it the drift's share would be tested as if it too came from a
 * handful of processes, and a stored +5 % would need a suite of one. */
static double test_df(const struct member *m, const struct compare_summary *sum, double v)
{
	double meas = m->stored && sum->shift_removed ? sum->inflation * m->var_meas : m->var_meas;

	if (!m->stored || !(meas > 0))
		return m->df;
	return fmin(1e6, v * v / (meas * meas / m->df));
}

static enum verdict judge(const struct comparison *c, int dir, double alpha)
{
	if (c->p_adj < alpha)
		return dir > 0 ? VERDICT_REGRESSED : VERDICT_IMPROVED;
	return c->p_zero_adj < alpha ? VERDICT_WITHIN_NOISE : VERDICT_NO_CHANGE;
}

/* Test every member and the shift, adjust across the family, judge. */
static int conclude(struct member *m, size_t n, const struct compare_opts *o,
                    struct compare_summary *sum)
{
	double *p = malloc((n + 2) * sizeof *p), *pz = malloc((n + 2) * sizeof *pz);
	int *dir = malloc((n + 1) * sizeof *dir);
	double c, se_c, z = gsl_cdf_ugaussian_Pinv((1 + o->conf_level) / 2);
	size_t np = n;

	if (!p || !pz || !dir) {
		free(p);
		free(pz);
		free(dir);
		return -1;
	}
	shift_estimate(m, n, o, sum, &c, &se_c);
	for (size_t i = 0; i < n; i++) {
		struct comparison *cm = &m[i].b->gate.cmp;
		double v = test_variance(&m[i], sum, se_c), se = sqrt(v);
		double df = test_df(&m[i], sum, v);
		double t = df > 0 ? gsl_cdf_tdist_Pinv((1 + o->conf_level) / 2, df) : z;
		double r = m[i].d - (m[i].stored && !m[i].exact && sum->shift_removed ? c : 0);
		/* The change's own interval carries, for a stored comparison,
		 * the common drift the shift removal takes out of `rel`. */
		double se_change = m[i].stored && !m[i].exact && sum->shift_removed
		                   ? sqrt(sum->inflation * (m[i].var_meas + m[i].tau2) +
		                          COMPARE_COMMON_DRIFT * COMPARE_COMMON_DRIFT) : se;
		cm->exact = m[i].exact;
		cm->measure = o->statistic == ANALYSIS_INSTRUCTIONS ? MEASURE_INSTRUCTIONS
		              : o->statistic == ANALYSIS_COUNTER ? MEASURE_COUNTER : m[i].b->measure;
		cm->change = expm1(m[i].d);
		cm->change_lo = expm1(m[i].d - t * se_change);
		cm->change_hi = expm1(m[i].d + t * se_change);
		cm->rel = expm1(r);
		cm->rel_lo = expm1(r - t * se);
		cm->rel_hi = expm1(r + t * se);
		cm->se = se;
		dir[i] = compare_pvalues(r, se, df, o->noise, &p[i], &pz[i]);
		cm->p = p[i];
		cm->p_zero = pz[i];
	}
	if (isfinite(c)) {
		sum->shift = expm1(c);
		sum->shift_lo = expm1(c - z * se_c);
		sum->shift_hi = expm1(c + z * se_c);
		p[np++] = shift_p(c, se_c, o->drift_bound);
	}
	compare_holm(p, np, p);
	compare_holm(pz, n, pz);
	if (np > n) {
		sum->shift_p = p[n];
		sum->shift_beyond = p[n] < o->alpha ? (c > 0 ? 1 : -1) : 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct comparison *cm = &m[i].b->gate.cmp;
		cm->p_adj = p[i];
		cm->p_zero_adj = pz[i];
		cm->verdict = judge(cm, dir[i], o->alpha);
	}
	free(p);
	free(pz);
	free(dir);
	return 0;
}

static int selected(const struct compare_opts *o, const char *name)
{
	return !o->filter || regexec(o->filter, name, 0, NULL, 0) == 0;
}

static void summarise(struct suite *cur, const struct suite *reference,
                      const struct compare_opts *o, struct compare_summary *sum)
{
	for (size_t i = 0; i < cur->nbenches; i++) {
		const struct bench_result *b = &cur->benches[i];
		sum->counts[b->gate.cmp.verdict]++;
		if (b->gate.cmp.verdict != VERDICT_NEW && b->gate.cmp.verdict != VERDICT_NONE && !b->failed)
			sum->modes[b->gate.mode]++;
		sum->too_few += b->gate.cmp.verdict == VERDICT_TOO_FEW;
		if ((b->gate.cmp.verdict == VERDICT_REGRESSED || b->gate.cmp.verdict == VERDICT_NO_CHANGE ||
		     b->gate.cmp.verdict == VERDICT_WITHIN_NOISE) &&
		    (!sum->worst || b->gate.cmp.rel > sum->worst_change)) {
			sum->worst = b->name;
			sum->worst_change = b->gate.cmp.rel;
		}
	}
	for (size_t i = 0; reference && i < reference->nbenches; i++) {
		const char *name = reference->benches[i].name;
		char **m;
		if (suite_find(cur, name) || !selected(o, name))
			continue;
		if (!(m = realloc(sum->missing, (sum->nmissing + 1) * sizeof *m)))
			return;
		sum->missing = m;
		m[sum->nmissing++] = strdup(name);
		sum->counts[VERDICT_MISSING]++;
	}
}

int compare_run(struct suite *cur, const struct suite *old, const struct suite *base,
                const struct compare_opts *o, struct compare_summary *sum)
{
	struct member *m = calloc(cur->nbenches + 1, sizeof *m);
	const struct suite *reference = base ? base : old;
	size_t n = 0;
	int rc = -1;

	compare_summary_free(sum);
	sum->inflation = 1;
	sum->shift = sum->shift_lo = sum->shift_hi = sum->shift_p = NAN;
	if (!m)
		return -1;
	for (size_t i = 0; i < cur->nbenches; i++) {
		struct bench_result *b = &cur->benches[i];
		const struct bench_result *ob = suite_find(old, b->name);
		const struct bench_result *sb = suite_find(base, b->name);
		int paired = b->gate.mode == MODE_PAIRED && ob;
		if (o->family && !o->family[i])
			continue;  /* judged before; counted as it stands */
		reset(&b->gate.cmp);
		m[n].b = b;
		if (!suite_find(reference, b->name) || (!paired && !sb))
			b->gate.cmp.verdict = VERDICT_NEW;
		else if (b->failed || (paired ? ob->failed : sb->failed))
			continue;
		else if (prepare_zero(&m[n], paired ? ob : sb, o, !paired) ||
		         (paired ? prepare_paired(&m[n], ob, o, o->family ? o->from_round : 0)
		                 : prepare_stored(&m[n], sb, o)))
			n++;
		else
			b->gate.cmp.verdict = VERDICT_TOO_FEW;
	}
	if (conclude(m, n, o, sum) == 0) {
		sum->compared = n;
		summarise(cur, reference, o, sum);
		rc = 0;
	}
	free(m);
	return rc;
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
 * change needs.  The screen is loose on purpose: what it lets through
 * costs re-measurement time, what it drops is lost.
 *
 * Stored baselines: the baseline side cannot be re-measured, so fresh
 * processes are not independent of the screen; suspects are slowdowns
 * only, and the verdict comes from all processes, in the same family. */
int compare_is_suspect(const struct comparison *c, double noise, int paired)
{
	int dir = c->rel > 0 ? 1 : -1;

	if (!isfinite(c->rel) || c->exact)
		return 0;  /* an exact comparison has nothing to gain */
	if (c->verdict == VERDICT_REGRESSED || (paired && c->verdict == VERDICT_IMPROVED))
		return dir;
	if (c->verdict != VERDICT_NO_CHANGE && c->verdict != VERDICT_WITHIN_NOISE)
		return 0;
	if (paired)
		return fabs(c->rel) >= noise / 2 && c->p_zero < 0.5 ? dir : 0;
	return c->rel >= noise / 2 && c->p_zero < 0.25;
}

/* A paired suspect whose re-measured change so far is under half the
 * noise threshold (the size that made it a suspect), and measured well
 * enough that its interval is narrower than twice the threshold either
 * side, cannot end beyond the threshold without a swing the rounds left
 * would rarely give; it is measured no further.  The interval condition
 * keeps a noisy stretch of rounds (a neighbour's burst that spread the
 * ratios +-10 %) from dropping a real change on a meaningless estimate;
 * at once the threshold either side it kept unchanged benchmarks 25 to 65
 * rounds on ordinary noise (an A/A run 16 times as long as a plain one).  Either
 * way counts, as either way is judged: a screen that saw a benchmark
 * faster may have seen noise over a slowdown.  Stopping only ever drops
 * alarms, so it costs no false-alarm control. */
int compare_too_noisy(const struct comparison *c, double noise, unsigned left, double alpha,
                      double se_limit)
{
	double n = (double)c->cur_procs, se_end;

	if (!(n > 0) || !isfinite(c->se) || !isfinite(c->rel))
		return 0;
	se_end = c->se * sqrt(n / (n + (double)left));
	return se_end > se_limit &&
	       log1p(fabs(c->rel)) - log1p(noise) < gsl_cdf_ugaussian_Qinv(alpha) * se_end;
}

int compare_is_futile(const struct comparison *c, double noise, unsigned left, double alpha)
{
	if (!isfinite(c->rel))
		return 1;
	if (fabs(c->rel) < noise / 2 && c->rel_hi - c->rel_lo < 4 * noise)
		return 1;
	/* Shown under the threshold: its whole interval lies within it
	 * either side.  A build copied elsewhere can differ from its twin by
	 * a steady 0.5-0.7 % (code and data laid out anew: measured on
	 * sort/insertion/n:16/order:sorted, +0.61 % [+0.04 %, +1.19 %] after
	 * 60 rounds), which the rule above never drops: every such suspect
	 * took all the rounds there are. */
	if (c->rel_lo > -noise && c->rel_hi < noise)
		return 1;
	/* Too noisy to decide: at its spread so far, after every round left
	 * its standard error would still exceed half the threshold, and its
	 * change so far is not beyond the threshold by what that error
	 * needs at alpha.  A benchmark whose rounds switch between speeds
	 * (gate/qsort/1024: +-20 % between processes on these VMs) would
	 * otherwise take every round there is on each A/A run and prove
	 * nothing.  A burst of noise in a quiet benchmark's first rounds does
	 * not reach this: 2 % spread over 8 rounds projects to 0.33 % after
	 * 60. */
	return compare_too_noisy(c, noise, left, alpha, log1p(noise) / 2);
}

void compare_summary_free(struct compare_summary *sum)
{
	for (size_t i = 0; i < sum->nmissing; i++)
		free(sum->missing[i]);
	free(sum->missing);
	memset(sum, 0, sizeof *sum);
}
