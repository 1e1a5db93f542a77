/* SPDX-License-Identifier: GPL-3.0-or-later */
/* E-Divisive with means (changepoint.h): the divergence statistic from
 * Fenwick-tree prefix sums over the segment's ranks, binary segmentation by
 * the best split of all current segments, and the permutation test. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "changepoint.h"

/* A point of the segment under study: its value, less the segment's mean
 * (Q does not move with a shift, and the prefix sums below lose fewer
 * digits to cancellation about 0 than about 100), and its rank among the
 * segment's values, which travels with it through the shuffles. */
struct pt {
	double v;
	size_t r;
};

/* Scratch for segments of up to n points, allocated once per series. */
struct work {
	struct pt *pts;
	double *vals;   /* the segment's values, to rank them */
	size_t *order;  /* gsl_sort_index's permutation */
	size_t *cnt;    /* Fenwick tree of counts, 1-based */
	double *sum;    /* Fenwick tree of values, 1-based */
	double *left;   /* left[t]: sum of |y_i - y_j|, i < j < t */
	double *right;  /* right[t]: sum of |y_i - y_j|, t <= i < j */
	double *q;
};

struct segment {
	size_t start, end; /* points [start, end) of the series */
	size_t best;       /* the best split's first point of the right side */
	double q;          /* its statistic; -INFINITY when too short to split */
};

struct accepted {
	size_t index;
	double p;
};

struct changepoint_opts changepoint_opts_default(void)
{
	return (struct changepoint_opts){.significance = 0.01, .permutations = 199,
	                                 .min_size = 5, .seed = 0};
}

static void work_free(struct work *w)
{
	free(w->pts);
	free(w->vals);
	free(w->order);
	free(w->cnt);
	free(w->sum);
	free(w->left);
	free(w->right);
	free(w->q);
}

static int work_alloc(struct work *w, size_t n)
{
	*w = (struct work){
		.pts = malloc(n * sizeof *w->pts), .vals = malloc(n * sizeof *w->vals),
		.order = malloc(n * sizeof *w->order), .cnt = malloc((n + 1) * sizeof *w->cnt),
		.sum = malloc((n + 1) * sizeof *w->sum), .left = malloc((n + 1) * sizeof *w->left),
		.right = malloc((n + 1) * sizeof *w->right), .q = malloc((n + 1) * sizeof *w->q),
	};
	if (w->pts && w->vals && w->order && w->cnt && w->sum && w->left && w->right && w->q)
		return 0;
	work_free(w);
	return -1;
}

/* x[0..m) into w->pts: centred values and their ranks. */
static void load_points(struct work *w, const double *x, size_t m)
{
	double mean = gsl_stats_mean(x, 1, m);

	for (size_t i = 0; i < m; i++)
		w->vals[i] = x[i] - mean;
	gsl_sort_index(w->order, w->vals, 1, m);
	for (size_t k = 0; k < m; k++)
		w->pts[w->order[k]] = (struct pt){w->vals[w->order[k]], k};
}

/* Count and sum of the values inserted with rank below r. */
static void fenwick_below(const struct work *w, size_t r, size_t *c, double *s)
{
	*c = 0;
	*s = 0;
	for (size_t i = r; i > 0; i -= i & -i) {
		*c += w->cnt[i];
		*s += w->sum[i];
	}
}

static void fenwick_add(struct work *w, size_t m, size_t r, double v)
{
	for (size_t i = r + 1; i <= m; i += i & -i) {
		w->cnt[i]++;
		w->sum[i] += v;
	}
}

/* The sum of |v - y| over the `seen` values inserted so far, whose total
 * is `total`: below v's rank it is v c - s, above it the rest less v times
 * their count.  Ties contribute 0 on either side. */
static double fenwick_dist(const struct work *w, const struct pt *p, size_t seen, double total)
{
	size_t c;
	double s;

	fenwick_below(w, p->r, &c, &s);
	return p->v * (double)c - s + (total - s) - p->v * (double)(seen - c);
}

/* The within-sums of every prefix (left) and suffix (right) of y[0..m),
 * each point's distances to those before it from the tree: O(m log m). */
static void within_sums(struct work *w, const struct pt *y, size_t m)
{
	double total = 0;

	memset(w->cnt, 0, (m + 1) * sizeof *w->cnt);
	memset(w->sum, 0, (m + 1) * sizeof *w->sum);
	w->left[0] = 0;
	for (size_t j = 0; j < m; j++) {
		w->left[j + 1] = w->left[j] + fenwick_dist(w, &y[j], j, total);
		fenwick_add(w, m, y[j].r, y[j].v);
		total += y[j].v;
	}
	memset(w->cnt, 0, (m + 1) * sizeof *w->cnt);
	memset(w->sum, 0, (m + 1) * sizeof *w->sum);
	total = 0;
	w->right[m] = 0;
	for (size_t j = m; j-- > 0;) {
		w->right[j] = w->right[j + 1] + fenwick_dist(w, &y[j], m - 1 - j, total);
		fenwick_add(w, m, y[j].r, y[j].v);
		total += y[j].v;
	}
}

/* Q(t) for t in [lo, hi] (2 <= lo, hi <= m - 2) into w->q; the between
 * sum is the whole's less the two within sums.  The first t of the largest
 * Q into *best; that Q returned. */
static double q_range(struct work *w, const struct pt *y, size_t m, size_t lo, size_t hi,
                      size_t *best)
{
	double top = -INFINITY;

	within_sums(w, y, m);
	for (size_t t = lo; t <= hi; t++) {
		double nl = (double)t, nr = (double)(m - t);
		double between = w->left[m] - w->left[t] - w->right[t];
		double e = 2 * between / (nl * nr) - 2 * w->left[t] / (nl * (nl - 1))
		           - 2 * w->right[t] / (nr * (nr - 1));
		w->q[t] = nl * nr / (nl + nr) * e;
		if (w->q[t] > top) {
			top = w->q[t];
			*best = t;
		}
	}
	return top;
}

int changepoint_q(const double *x, size_t n, double *q)
{
	struct work w;
	size_t best;

	for (size_t t = 0; t <= n; t++)
		q[t] = NAN;
	if (n < 4)
		return 0;
	if (work_alloc(&w, n) != 0)
		return -1;
	load_points(&w, x, n);
	q_range(&w, w.pts, n, 2, n - 2, &best);
	memcpy(q + 2, w.q + 2, (n - 3) * sizeof *q);
	work_free(&w);
	return 0;
}

/* splitmix64 (Steele, Lea and Flood 2014): fixed, so a seed gives the same
 * shuffles on every platform and release. */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [0, k), k > 0: draws below 2^64 mod k are rejected so that
 * every remainder is equally likely. */
static uint64_t uniform_below(uint64_t *s, uint64_t k)
{
	uint64_t floor = -k % k, r;

	do
		r = splitmix64(s);
	while (r < floor);
	return r % k;
}

static void shuffle(struct pt *y, size_t m, uint64_t *s)
{
	for (size_t i = m; i > 1; i--) {
		size_t j = (size_t)uniform_below(s, i);
		struct pt t = y[i - 1];
		y[i - 1] = y[j];
		y[j] = t;
	}
}

/* The segment's best split, or q = -INFINITY when it cannot hold two
 * segments of min_size. */
static void segment_eval(struct work *w, const double *x, size_t min_size, struct segment *g)
{
	size_t m = g->end - g->start, best = 0;

	g->q = -INFINITY;
	if (m < 2 * min_size)
		return;
	load_points(w, x + g->start, m);
	g->q = q_range(w, w->pts, m, min_size, m - min_size, &best);
	g->best = g->start + best;
}

/* The permutation test of g's best split: the segment shuffled, its
 * largest Q recomputed each time; p = (1 + shuffles reaching the observed
 * Q) / (1 + shuffles).  It stops once p can no longer fall below the
 * significance, which changes no decision; a p below it is exact.  A
 * shuffle reaches the observed Q when within 1e-12 of it relatively, so
 * rounding cannot make a shuffle that restores the same values (likely
 * with quantised timings) look smaller. */
static double permutation_p(struct work *w, const double *x, const struct changepoint_opts *o,
                            const struct segment *g, uint64_t *rng)
{
	size_t m = g->end - g->start, best;
	double need = g->q - 1e-12 * fabs(g->q), denom = 1.0 + o->permutations;
	unsigned reached = 0, k;

	load_points(w, x + g->start, m);
	for (k = 0; k < o->permutations; k++) {
		shuffle(w->pts, m, rng);
		if (q_range(w, w->pts, m, o->min_size, m - o->min_size, &best) >= need
		    && (1.0 + ++reached) / denom >= o->significance)
			break;
	}
	return (1.0 + reached) / denom;
}

static int by_index(const void *a, const void *b)
{
	size_t i = ((const struct accepted *)a)->index, j = ((const struct accepted *)b)->index;

	return (i > j) - (i < j);
}

/* Mean of x[0..m) and its 95 % t-interval (m >= 2). */
static void level(const double *x, size_t m, double *mean, double *lo, double *hi)
{
	double half;

	*mean = gsl_stats_mean(x, 1, m);
	half = gsl_cdf_tdist_Pinv(0.975, (double)(m - 1))
	       * sqrt(gsl_stats_variance_m(x, 1, m, *mean) / (double)m);
	*lo = *mean - half;
	*hi = *mean + half;
}

/* The accepted splits, in order, described by their adjacent segments. */
static struct changepoint *describe(const double *x, size_t n, struct accepted *acc, size_t k)
{
	struct changepoint *out = malloc(k * sizeof *out);

	if (!out)
		return NULL;
	qsort(acc, k, sizeof *acc, by_index);
	for (size_t i = 0; i < k; i++) {
		size_t prev = i ? acc[i - 1].index : 0, next = i + 1 < k ? acc[i + 1].index : n;
		struct changepoint *c = &out[i];
		c->index = acc[i].index;
		c->p = acc[i].p;
		level(x + prev, c->index - prev, &c->before_mean, &c->before_lo, &c->before_hi);
		level(x + c->index, next - c->index, &c->after_mean, &c->after_lo, &c->after_hi);
		c->change = c->after_mean / c->before_mean - 1;
	}
	return out;
}

static int opts_valid(const struct changepoint_opts *o)
{
	return o->significance > 0 && o->significance < 1 && o->min_size >= 2;
}

/* Binary segmentation as E-Divisive does it: of all current segments, the
 * one whose best split has the largest Q is tested; a significant split
 * replaces it by its two sides, and the first split found not significant
 * ends the search (every other segment's best is smaller). */
static long segment_all(struct work *w, const double *x, size_t n,
                        const struct changepoint_opts *o, struct segment *seg,
                        struct accepted *acc)
{
	size_t nseg = 1, k = 0;
	uint64_t rng = o->seed;

	seg[0] = (struct segment){.start = 0, .end = n};
	segment_eval(w, x, o->min_size, &seg[0]);
	for (;;) {
		size_t b = 0;
		double p;
		for (size_t i = 1; i < nseg; i++)
			if (seg[i].q > seg[b].q)
				b = i;
		if (seg[b].q == -INFINITY)
			break;
		p = permutation_p(w, x, o, &seg[b], &rng);
		if (p >= o->significance)
			break;
		acc[k++] = (struct accepted){seg[b].best, p};
		seg[nseg] = (struct segment){.start = seg[b].best, .end = seg[b].end};
		seg[b].end = seg[b].best;
		segment_eval(w, x, o->min_size, &seg[b]);
		segment_eval(w, x, o->min_size, &seg[nseg++]);
	}
	return (long)k;
}

long changepoint_detect(const double *x, size_t n, const struct changepoint_opts *o,
                        struct changepoint **out)
{
	struct changepoint_opts def = changepoint_opts_default();
	struct segment *seg = NULL;
	struct accepted *acc = NULL;
	struct work w;
	long k = -1;

	*out = NULL;
	if (!o)
		o = &def;
	if (!opts_valid(o))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -1;
	if (n < 2 * o->min_size)
		return 0;
	/* Every segment holds min_size points or more: at most n / min_size
	 * segments, one fewer change points. */
	seg = malloc((n / o->min_size) * sizeof *seg);
	acc = malloc((n / o->min_size) * sizeof *acc);
	if (seg && acc && work_alloc(&w, n) == 0) {
		k = segment_all(&w, x, n, o, seg, acc);
		work_free(&w);
		if (k > 0 && !(*out = describe(x, n, acc, (size_t)k)))
			k = -1;
	}
	free(seg);
	free(acc);
	return k;
}
