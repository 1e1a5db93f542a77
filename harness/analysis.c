/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Turns one benchmark's raw samples into estimates with confidence intervals
 * from a hierarchical bootstrap that resamples processes, then samples. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "analysis.h"
#include "hash.h"
#include "usercounters.h"
#include "counters.h"
#include "pairslope.h"
#include "stats.h"

/* The statistics that get a bootstrap interval, in replicate-array order. */
enum { ST_SLOPE, ST_MEAN, ST_MEDIAN, ST_SD, ST_MAD, NSTAT };

/* Samples grouped by process: process j owns [off[j], off[j] + len[j]) of
 * x (iterations), y (ns) and t (ns per iteration, derived from x and y).  A
 * replicate also records, per process, which data process it drew (src)
 * and how often it drew each of its samples (mult, indexed like x). */
struct pool {
	size_t np, n;
	size_t *off, *len;
	double *x, *y, *t;
	size_t *src;
	unsigned *mult;
};

/* The pairwise slopes of one data process with at most BR__THEIL_SEN_SMALL
 * samples, ascending, with the samples (local indices) of each pair. */
struct slopes {
	size_t off, n; /* into the scratch's val, ia, ib */
};

/* Everything one analysis_run() allocates, so replicates reuse it. */
struct scratch {
	struct pool data, rep;
	double *work;        /* MAD scratch, rep capacity */
	double *pairs;       /* Theil-Sen scratch, one process's pairs */
	double *reps[NSTAT]; /* resamples replicates of each statistic */
	struct slopes *sl;   /* per data process; n == 0: not listed */
	double *val;         /* listed pairwise slopes */
	unsigned short *ia, *ib;
	double *tsorted;     /* data's ns per iteration, ascending */
	size_t *tord;        /* their indices in data */
	unsigned *wt;        /* a replicate's draws of each data sample */
};

static int pool_alloc(struct pool *p, size_t np, size_t cap)
{
	p->np = np;
	p->n = 0;
	p->off = malloc(np * sizeof(*p->off));
	p->len = malloc(np * sizeof(*p->len));
	p->x = malloc(cap * sizeof(*p->x));
	p->y = malloc(cap * sizeof(*p->y));
	p->t = malloc(cap * sizeof(*p->t));
	p->src = malloc(np * sizeof(*p->src));
	p->mult = malloc(cap * sizeof(*p->mult));
	if (!p->off || !p->len || !p->x || !p->y || !p->t || !p->src || !p->mult)
		return -ENOMEM;
	return 0;
}

static void pool_free(struct pool *p)
{
	free(p->off);
	free(p->len);
	free(p->x);
	free(p->y);
	free(p->t);
	free(p->src);
	free(p->mult);
}

static void scratch_free(struct scratch *s)
{
	pool_free(&s->data);
	pool_free(&s->rep);
	free(s->work);
	free(s->pairs);
	for (int k = 0; k < NSTAT; k++)
		free(s->reps[k]);
	free(s->sl);
	free(s->val);
	free(s->ia);
	free(s->ib);
	free(s->tsorted);
	free(s->tord);
	free(s->wt);
}

/* Doubles of Theil-Sen scratch for a process of n samples, enough for the
 * flat fallback's n ratios too: linear beyond BR__THEIL_SEN_SMALL. */
static size_t pairs_size(size_t n)
{
	size_t w = stats_theil_sen_work(n);

	return (w > n ? w : n) + 1;
}

/* Allocates the scratch for the processes of b with >= 2 samples and copies
 * their samples into s->data.  A one-sample process cannot give a slope and
 * has no spread, so it is left out of every statistic alike. */
static int scratch_create(const struct bench_result *b, size_t resamples,
			  struct scratch *s)
{
	size_t np = 0, n = 0, maxlen = 0;

	*s = (struct scratch){ 0 };
	for (size_t i = 0; i < b->nprocs; i++) {
		size_t len = b->procs[i].nsamples;

		if (len < 2)
			continue;
		np++;
		n += len;
		maxlen = len > maxlen ? len : maxlen;
	}
	if (np == 0)
		return -ENODATA;
	/* A replicate draws np processes, each at most maxlen samples. */
	if (pool_alloc(&s->data, np, n) || pool_alloc(&s->rep, np, np * maxlen)
	    || !(s->work = malloc(np * maxlen * sizeof(*s->work)))
	    || !(s->pairs = malloc(pairs_size(maxlen) * sizeof(*s->pairs))))
		return -ENOMEM;
	for (int k = 0; k < NSTAT; k++)
		if (!(s->reps[k] = malloc((resamples ? resamples : 1)
					  * sizeof(*s->reps[k]))))
			return -ENOMEM;
	return 0;
}

static void pool_fill(struct pool *p, const struct bench_result *b)
{
	size_t j = 0;

	for (size_t i = 0; i < b->nprocs; i++) {
		const struct proc_run *pr = &b->procs[i];

		if (pr->nsamples < 2)
			continue;
		p->off[j] = p->n;
		p->len[j++] = pr->nsamples;
		for (size_t k = 0; k < pr->nsamples; k++, p->n++) {
			/* Zero iterations is a harness bug, not data. */
			assert(pr->samples[k].iters > 0);
			p->x[p->n] = (double)pr->samples[k].iters;
			p->y[p->n] = pr->samples[k].ns;
		}
	}
}

/* Time per iteration of one process.  Samples follow a linear ramp of
 * iteration counts, so the slope of ns on iters cancels the fixed
 * per-sample cost (timer reads, loop setup) that ns/iters would include; the
 * Theil-Sen slope, because preempted samples are common on shared machines
 * and move an OLS slope far (see stats_slope_theil_sen).  When all counts
 * are equal (flat mode for slow bodies) there is no ramp to fit, and the
 * median time per iteration is the robust estimate left. */
static double proc_slope(const double *x, const double *y, size_t n,
			 double *pairs)
{
	double slope;
	int err = stats_slope_theil_sen(x, y, n, pairs, &slope);

	/* Out of memory is no flat ramp: NAN, not the fallback. */
	if (err != -EDOM)
		return slope;
	for (size_t i = 0; i < n; i++)
		pairs[i] = y[i] / x[i];
	return stats_median(pairs, n);
}

struct pairv {
	double v;
	unsigned short i, k;
};

struct timev {
	double v;
	size_t i;
};

static int cmp_timev(const void *pa, const void *pb)
{
	double a = ((const struct timev *)pa)->v, b = ((const struct timev *)pb)->v;

	return (a > b) - (a < b);
}

/* Sorts, once, the data's times per iteration, for weighted_location(). */
static int times_create(struct scratch *s)
{
	const struct pool *d = &s->data;
	struct timev *tmp = malloc(d->n * sizeof(*tmp));

	s->tsorted = malloc(d->n * sizeof(*s->tsorted));
	s->tord = malloc(d->n * sizeof(*s->tord));
	s->wt = malloc(d->n * sizeof(*s->wt));
	if (!tmp || !s->tsorted || !s->tord || !s->wt) {
		free(tmp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->n; i++)
		tmp[i] = (struct timev){ d->y[i] / d->x[i], i };
	qsort(tmp, d->n, sizeof(*tmp), cmp_timev);
	for (size_t i = 0; i < d->n; i++) {
		s->tsorted[i] = tmp[i].v;
		s->tord[i] = tmp[i].i;
	}
	free(tmp);
	return 0;
}

/* The next deviation from med, outward from the split at *lo (left, going
 * down) and *hi (right, going up) in tsorted: the smaller of the two, as
 * |t - med| grows both ways.  Its weight goes to *w. */
static double next_deviation(const struct scratch *s, double med, size_t *lo,
			     size_t *hi, unsigned *w)
{
	size_t n = s->data.n;
	double dl = *lo > 0 ? fabs(s->tsorted[*lo - 1] - med) : INFINITY;
	double dr = *hi < n ? fabs(s->tsorted[*hi] - med) : INFINITY;

	if (dl <= dr) {
		--*lo;
		*w = s->wt[s->tord[*lo]];
		return dl;
	}
	*w = s->wt[s->tord[*hi]];
	++*hi;
	return dr;
}

/* How often replicate r drew each data sample, into s->wt. */
static void replicate_weights(struct scratch *s)
{
	const struct pool *d = &s->data, *r = &s->rep;

	memset(s->wt, 0, d->n * sizeof(*s->wt));
	for (size_t j = 0; j < r->np; j++) {
		const unsigned *m = r->mult + r->off[j];
		unsigned *wp = s->wt + d->off[r->src[j]];

		for (size_t i = 0; i < r->len[j]; i++)
			wp[i] += m[i];
	}
}

/* The mean and standard deviation (n - 1) of replicate r's times per
 * iteration, from the data's sorted times, each drawn wt times: two passes
 * summing in long double, where a count times a double is exact.  GSL's
 * running mean and variance divide at every element, a chain of x87
 * divisions that was a third of a default analysis; the two differ in the
 * last bits only. */
static void weighted_moments(const struct scratch *s, double *mean, double *sd)
{
	const size_t n = s->data.n;
	const uint64_t m = s->rep.n;
	long double sum = 0.0L, ss = 0.0L, mu;

	for (size_t q = 0; q < n; q++)
		sum += (long double)s->wt[s->tord[q]] * s->tsorted[q];
	mu = sum / (long double)m;
	for (size_t q = 0; q < n; q++) {
		long double dev = s->tsorted[q] - mu;
		ss += (long double)s->wt[s->tord[q]] * dev * dev;
	}
	*mean = (double)mu;
	*sd = m > 1 ? (double)sqrtl(ss / (long double)(m - 1)) : NAN;
}

/* The median and MAD of replicate r's times per iteration, as
 * stats_median() and stats_mad_about() would find them by selection: its
 * times are the data's (the same quotients), each drawn wt times, so a
 * walk over the data's sorted times gives the middle one (the mean of the
 * two middle ones for an even count), and a walk outward from the median
 * gives the deviations in order. */
static void weighted_location(const struct scratch *s, double *median, double *mad)
{
	const struct pool *d = &s->data, *r = &s->rep;
	uint64_t c = 0, k1 = (r->n - 1) / 2, k2 = r->n / 2;
	size_t q, lo, hi;
	unsigned w;
	double a, med;

	for (q = 0; c <= k1; q++)
		c += s->wt[s->tord[q]];
	a = s->tsorted[q - 1];
	if (c <= k2) {
		while (s->wt[s->tord[q]] == 0)
			q++;
		a = 0.5 * (a + s->tsorted[q]);
	}
	*median = med = a;
	for (lo = 0; lo < d->n && s->tsorted[lo] < med; lo++)
		;
	hi = lo;
	c = 0;
	do {
		a = next_deviation(s, med, &lo, &hi, &w);
		c += w;
	} while (c <= k1);
	if (c <= k2) {
		double b;
		do
			b = next_deviation(s, med, &lo, &hi, &w);
		while (w == 0);
		a = 0.5 * (a + b);
	}
	*mad = 1.4826 * a;
}

static int cmp_pairv(const void *pa, const void *pb)
{
	double a = ((const struct pairv *)pa)->v, b = ((const struct pairv *)pb)->v;

	return (a > b) - (a < b);
}

/* Lists and sorts, once, the pairwise slopes of every data process of at
 * most BR__THEIL_SEN_SMALL samples, for weighted_slope(): O(1) memory per
 * process. */
static int slopes_create(struct scratch *s)
{
	const struct pool *d = &s->data;
	size_t total = 0, most = 0, off = 0;
	struct pairv *tmp;

	if (!(s->sl = calloc(d->np, sizeof(*s->sl))))
		return -ENOMEM;
	for (size_t j = 0; j < d->np; j++) {
		size_t m = stats_theil_sen_work(d->len[j]);
		total += m;
		most = m > most ? m : most;
	}
	s->val = malloc((total + 1) * sizeof(*s->val));
	s->ia = malloc((total + 1) * sizeof(*s->ia));
	s->ib = malloc((total + 1) * sizeof(*s->ib));
	tmp = malloc((most + 1) * sizeof(*tmp));
	if (!s->val || !s->ia || !s->ib || !tmp) {
		free(tmp);
		return -ENOMEM;
	}
	for (size_t j = 0; j < d->np; j++) {
		const double *x = d->x + d->off[j], *y = d->y + d->off[j];
		size_t n = d->len[j], m = 0;

		if (n > BR__THEIL_SEN_SMALL)
			continue;
		/* The quotient stats_slope_theil_sen() computes, pair by pair. */
		for (size_t i = 0; i < n; i++)
			for (size_t k = i + 1; k < n; k++)
				if (x[k] != x[i])
					tmp[m++] = (struct pairv){ (y[k] - y[i]) / (x[k] - x[i]),
								   (unsigned short)i,
								   (unsigned short)k };
		qsort(tmp, m, sizeof(*tmp), cmp_pairv);
		for (size_t q = 0; q < m; q++) {
			s->val[off + q] = tmp[q].v;
			s->ia[off + q] = tmp[q].i;
			s->ib[off + q] = tmp[q].k;
		}
		s->sl[j] = (struct slopes){ off, m };
		off += m;
	}
	free(tmp);
	return 0;
}

/* The Theil-Sen slope of replicate process j, from its data process's
 * listed slopes.  The replicate's draws of samples a and b (a != b) give
 * the quotient of data pair (a, b), the same double up to the sign of a
 * zero, and draws of one sample give no pair: so its pairwise slopes are
 * the listed ones, each mult[a] * mult[b] times, and walking them in order
 * finds the median that selecting among all of them would (the mean of the
 * two middle ones for an even count).  NAN when no pair is listed or drawn:
 * the caller then works on the replicate's samples. */
static double weighted_slope(const struct scratch *s, size_t j)
{
	const struct pool *r = &s->rep;
	const struct slopes *sl = &s->sl[r->src[j]];
	const unsigned *w = r->mult + r->off[j];
	uint64_t m = 0, c = 0, k1, k2;
	size_t q, end = sl->off + sl->n;
	double a;

	if (sl->n == r->len[j] * (r->len[j] - 1) / 2) {
		/* Every pair listed (no two counts alike): the weights of the
		 * pairs sum to ((sum w)^2 - sum w^2) / 2, and sum w = len. */
		uint64_t sq = 0;
		for (size_t i = 0; i < r->len[j]; i++)
			sq += (uint64_t)w[i] * w[i];
		m = ((uint64_t)r->len[j] * r->len[j] - sq) / 2;
	} else {
		for (q = sl->off; q < end; q++)
			m += (uint64_t)w[s->ia[q]] * w[s->ib[q]];
	}
	if (m == 0)
		return NAN;
	k1 = (m - 1) / 2;
	k2 = m / 2;
	for (q = sl->off; c <= k1; q++)
		c += (uint64_t)w[s->ia[q]] * w[s->ib[q]];
	a = s->val[q - 1];
	if (c > k2)
		return a;
	while (w[s->ia[q]] == 0 || w[s->ib[q]] == 0)
		q++;
	return 0.5 * (a + s->val[q]);
}

/* Computes every bootstrapped statistic of p (s->data or s->rep) into
 * st[]; fills and reorders the data's t. */
static void pool_stats(struct scratch *s, struct pool *p, double st[NSTAT])
{
	double sum = 0.0, *work = s->work, *pairs = s->pairs;

	/* Each process is one independent draw of address layout, CPU
	 * frequency and neighbours, however many samples it took, so the
	 * slope weights processes equally. */
	for (size_t j = 0; j < p->np; j++) {
		double v = p == &s->rep && s->sl[p->src[j]].n ? weighted_slope(s, j) : NAN;

		if (isnan(v))
			v = proc_slope(p->x + p->off[j], p->y + p->off[j], p->len[j],
				       pairs);
		sum += v;
	}
	st[ST_SLOPE] = sum / (double)p->np;
	/* A replicate's times per iteration are the data's, drawn with
	 * weights: walks over the data's sorted times give the rest. */
	if (p == &s->rep) {
		replicate_weights(s);
		weighted_moments(s, &st[ST_MEAN], &st[ST_SD]);
		weighted_location(s, &st[ST_MEDIAN], &st[ST_MAD]);
		return;
	}
	for (size_t i = 0; i < p->n; i++)
		p->t[i] = p->y[i] / p->x[i];
	st[ST_MEAN] = stats_mean(p->t, p->n);
	st[ST_SD] = stats_sd_m(p->t, p->n, st[ST_MEAN]);
	st[ST_MEDIAN] = stats_median(p->t, p->n);
	st[ST_MAD] = stats_mad_about(p->t, p->n, st[ST_MEDIAN], work);
}

/* Draws into dst one replicate of src: np processes with replacement, then
 * each drawn process's samples with replacement. */
static void pool_resample(const struct pool *src, struct pool *dst,
			  gsl_rng *r)
{
	dst->n = 0;
	for (size_t j = 0; j < src->np; j++) {
		size_t p = gsl_rng_uniform_int(r, src->np);
		size_t len = src->len[p];
		unsigned *mult = dst->mult + dst->n;

		dst->off[j] = dst->n;
		dst->len[j] = len;
		dst->src[j] = p;
		memset(mult, 0, len * sizeof(*mult));
		for (size_t k = 0; k < len; k++, dst->n++) {
			size_t d = gsl_rng_uniform_int(r, len), i = src->off[p] + d;

			mult[d]++;
			dst->x[dst->n] = src->x[i];
			dst->y[dst->n] = src->y[i];
		}
	}
}

/* Fills the lo/hi of est[] (in ST_* order) by the percentile bootstrap.
 * Samples within one process share its layout and frequency, so they vary
 * far less than processes do; resampling them alone would give intervals
 * too narrow to cover a rerun.  Drawing processes first puts the
 * between-process variance into the interval, and with a single process
 * this is the ordinary bootstrap over samples. */
static int bootstrap(struct scratch *s, const struct analysis_opts *o,
		     uint64_t seed, struct estimate *est[NSTAT])
{
	gsl_rng *r;
	double st[NSTAT];

	if (o->resamples == 0) {
		for (int k = 0; k < NSTAT; k++)
			est[k]->lo = est[k]->hi = NAN;
		return 0;
	}
	if (slopes_create(s) != 0 || times_create(s) != 0
	    || !(r = gsl_rng_alloc(gsl_rng_mt19937)))
		return -ENOMEM;
	/* GSL's MT19937 keeps only the low 32 bits of its seed: fold. */
	gsl_rng_set(r, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
	for (size_t b = 0; b < o->resamples; b++) {
		pool_resample(&s->data, &s->rep, r);
		pool_stats(s, &s->rep, st);
		for (int k = 0; k < NSTAT; k++)
			s->reps[k][b] = st[k];
	}
	gsl_rng_free(r);
	for (int k = 0; k < NSTAT; k++)
		stats_percentile_interval(s->reps[k], o->resamples,
					  o->conf_level, &est[k]->lo,
					  &est[k]->hi);
	return 0;
}

/* R^2 says how straight each process's ramp is: the median over processes
 * of the R^2 of its own fit.  A pooled fit would count the differences
 * between processes' slopes (which the interval already reports) as lack of
 * linearity.  NaN when no process has a ramp (flat mode). */
static double process_r2(const struct pool *p, double *work)
{
	struct stats_fit fit;
	size_t n = 0;

	for (size_t j = 0; j < p->np; j++)
		if (stats_fit_linear(p->x + p->off[j], p->y + p->off[j], p->len[j],
				     &fit) == 0)
			work[n++] = fit.r2;
	return n ? stats_median(work, n) : NAN;
}

/* Point estimates, R^2 and outliers of all counted samples into *a. */
static void point_estimates(struct scratch *s, struct analysis *a,
			    struct estimate *est[NSTAT])
{
	double st[NSTAT];

	pool_stats(s, &s->data, st);
	for (int k = 0; k < NSTAT; k++)
		est[k]->point = st[k];
	a->r2 = process_r2(&s->data, s->work);
	gsl_sort(s->data.t, 1, s->data.n);
	stats_outliers_classify(s->data.t, s->data.n, &a->outliers);
	a->nsamples = s->data.n;
	a->nprocs = s->data.np;
}

int analysis_run(const struct bench_result *b, const struct analysis_opts *o,
		 struct analysis *out)
{
	struct scratch s;
	struct analysis a = { 0 };
	struct estimate *est[NSTAT] = {
		[ST_SLOPE] = &a.slope, [ST_MEAN] = &a.mean,
		[ST_MEDIAN] = &a.median, [ST_SD] = &a.sd, [ST_MAD] = &a.mad,
	};
	int err;

	assert(o->conf_level > 0.0 && o->conf_level < 1.0);
	err = scratch_create(b, o->resamples, &s);
	if (err == 0) {
		pool_fill(&s.data, b);
		point_estimates(&s, &a, est);
		err = bootstrap(&s, o, analysis_seed_for(b->name, o->seed), est);
	}
	scratch_free(&s);
	if (err)
		return err;
	a.conf_level = o->conf_level;
	a.resamples = o->resamples;
	a.seed = o->seed;
	*out = a;
	return 0;
}

/* SplitMix64's finaliser: a bijection that spreads every input bit over the
 * output, so nearby seeds and similar names give unrelated streams. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

uint64_t analysis_seed_for(const char *name, uint64_t seed)
{
	/* FNV-1a: a fixed, platform-independent hash, so seeds reproduce
	 * across machines and releases. */
	return mix64(seed ^ mix64(hash_fnv1a_str(HASH_FNV_OFFSET, name)));
}

size_t analysis_per_process(const struct bench_result *b, enum analysis_stat stat,
			    const char *counter, double *out)
{
	size_t n = 0, maxlen = 0;
	double *x, *y, *work;

	if (stat == ANALYSIS_INSTRUCTIONS)
		return counters_per_process(b, "instructions", out);
	if (stat == ANALYSIS_COUNTER)
		return user_counter_per_process(b, counter, out);
	for (size_t i = 0; i < b->nprocs; i++)
		if (b->procs[i].nsamples > maxlen)
			maxlen = b->procs[i].nsamples;
	x = malloc((maxlen + 1) * sizeof(*x));
	y = malloc((maxlen + 1) * sizeof(*y));
	work = malloc(pairs_size(maxlen) * sizeof(*work));
	for (size_t i = 0; x && y && work && i < b->nprocs; i++) {
		const struct proc_run *p = &b->procs[i];

		if (p->nsamples < 2)
			continue;
		for (size_t k = 0; k < p->nsamples; k++) {
			x[k] = (double)p->samples[k].iters;
			y[k] = p->samples[k].ns;
			work[k] = y[k] / x[k];
		}
		if (stat == ANALYSIS_SLOPE)
			out[n++] = proc_slope(x, y, p->nsamples, work);
		else if (stat == ANALYSIS_MEDIAN)
			out[n++] = stats_median(work, p->nsamples);
		else
			out[n++] = stats_mean(work, p->nsamples);
	}
	free(x);
	free(y);
	free(work);
	return n;
}
