/* SPDX-License-Identifier: MIT */
/* The median of pairwise slopes by counting instead of listing: the number
 * of pairs whose slope is below a threshold t is the number of inversions
 * of y - t x in x order (a merge sort counts them in O(n log n)), and the
 * pairs whose slope lies between two thresholds are the inversions between
 * the two orders, which a merge sort can also enumerate or sample.  This is
 * the randomised interval contraction of Dillencourt, Mount and Netanyahu
 * (1992) and Matousek (1991): sample pairs in the interval that holds the
 * wanted rank, count at two sampled slopes that bracket it, repeat until
 * few pairs remain, list those.  Counting is exact because the points are
 * turned into integers first (see br__theil_sen()). */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pairslope.h"

typedef __int128 i128;

/* The real slope dy/dx (dx > 0) of the pair of sorted points a, b. */
struct pivot {
	int64_t dy, dx;
	size_t a, b;
	double c; /* the slope as the caller's doubles give it */
};

struct item {
	i128 key;
	size_t id;
};

struct sel {
	size_t n;
	const double *x, *y;  /* the caller's points */
	int64_t *X, *Y;       /* the same points as integers, sorted by (X, Y) */
	size_t *orig;         /* index in x, y of sorted point i */
	struct item *it, *tmp; /* merge sort of keys */
	size_t *ord_a;        /* points in the order of the lower threshold */
	size_t *ord_b;        /* points in the order of the upper threshold */
	size_t *rank_b;       /* position of each point in ord_b */
	uint32_t *seq, *seq_tmp; /* rank_b[ord_a[p]]: its inversions are the pairs in between */
	double *cand;         /* slopes of the listed pairs; of the sampled ones */
	size_t cap;           /* capacity of cand: list when this few pairs remain */
	struct pivot *samp;   /* sampled pairs */
	uint64_t *want;       /* their ordinals among the inversions */
	size_t nsamp;         /* capacity of samp and want */
	uint64_t rng;
	uint64_t ident;       /* pairs of identical points */
};

/* Fractional bits that make v an integer (0 for integers). */
static int frac_bits(double v)
{
	int e, b;
	uint64_t m;

	if (v == 0)
		return 0;
	m = (uint64_t)ldexp(fabs(frexp(v, &e)), 53);
	b = 53 - e;
	while (b > 0 && !(m & 1)) {
		m >>= 1;
		b--;
	}
	return b;
}

/* The power of two 2^f that turns v[] into integers below 2^52 (exact when
 * every value allows it; otherwise the largest f that keeps them below). */
static int fixed_scale(const double *v, size_t n)
{
	double max = 0;
	int need = -1100, e;

	for (size_t i = 0; i < n; i++) {
		int b = frac_bits(v[i]);
		need = b > need ? b : need;
		max = fabs(v[i]) > max ? fabs(v[i]) : max;
	}
	if (max == 0)
		return 0;
	frexp(max, &e); /* max < 2^e */
	return need <= 52 - e ? need : 52 - e;
}

struct point {
	int64_t X, Y;
	size_t orig;
};

static int cmp_point(const void *pa, const void *pb)
{
	const struct point *a = pa, *b = pb;

	if (a->X != b->X)
		return a->X < b->X ? -1 : 1;
	if (a->Y != b->Y)
		return a->Y < b->Y ? -1 : 1;
	return (a->orig > b->orig) - (a->orig < b->orig);
}

static uint64_t next_rand(struct sel *s)
{
	/* SplitMix64: the draws only steer the search, never its result. */
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A draw in [0, n), by multiplication rather than division. */
static uint64_t draw(struct sel *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)next_rand(s) * n) >> 64);
}

static void sel_free(struct sel *s)
{
	free(s->X);
	free(s->Y);
	free(s->orig);
	free(s->it);
	free(s->tmp);
	free(s->ord_a);
	free(s->ord_b);
	free(s->rank_b);
	free(s->seq);
	free(s->seq_tmp);
	free(s->cand);
	free(s->samp);
	free(s->want);
}

/* Converts and sorts the points; counts the pairs with distinct x into *m. */
static int sel_create(struct sel *s, const double *x, const double *y, size_t n,
                      uint64_t *m)
{
	int fx = fixed_scale(x, n), fy = fixed_scale(y, n);
	struct point *p = malloc(n * sizeof *p);

	*s = (struct sel){.n = n, .x = x, .y = y, .rng = 0x2545f4914f6cdd1du ^ n};
	s->cap = 4 * n > 16384 ? 4 * n : 16384;
	s->nsamp = n / 2 > 8192 ? n / 2 : 8192;
	s->X = malloc(n * sizeof *s->X);
	s->Y = malloc(n * sizeof *s->Y);
	s->orig = malloc(n * sizeof *s->orig);
	s->it = malloc(n * sizeof *s->it);
	s->tmp = malloc(n * sizeof *s->tmp);
	s->ord_a = malloc(n * sizeof *s->ord_a);
	s->ord_b = malloc(n * sizeof *s->ord_b);
	s->rank_b = malloc(n * sizeof *s->rank_b);
	s->seq = malloc(n * sizeof *s->seq);
	s->seq_tmp = malloc(n * sizeof *s->seq_tmp);
	s->cand = malloc(s->cap * sizeof *s->cand);
	s->samp = malloc(s->nsamp * sizeof *s->samp);
	s->want = malloc(s->nsamp * sizeof *s->want);
	if (!p || !s->X || !s->Y || !s->orig || !s->it || !s->tmp || !s->ord_a ||
	    !s->ord_b || !s->rank_b || !s->seq || !s->seq_tmp || !s->cand || !s->samp ||
	    !s->want) {
		free(p);
		return -ENOMEM;
	}
	/* Exact when the scale keeps every value: then differences of the
	 * integers are exact, and so are those of the doubles they stand for. */
	for (size_t i = 0; i < n; i++)
		p[i] = (struct point){llrint(ldexp(x[i], fx)), llrint(ldexp(y[i], fy)), i};
	qsort(p, n, sizeof *p, cmp_point);
	*m = (uint64_t)n * (n - 1) / 2;
	for (size_t i = 0, gx = 0, gp = 0; i < n; i++) {
		s->X[i] = p[i].X;
		s->Y[i] = p[i].Y;
		s->orig[i] = p[i].orig;
		gx = i && p[i].X == p[i - 1].X ? gx + 1 : 0;
		gp = gx && p[i].Y == p[i - 1].Y ? gp + 1 : 0;
		*m -= gx;
		s->ident += gp;
	}
	free(p);
	return 0;
}

/* The slope the caller's doubles give for sorted points a and b, computed
 * as listing every pair does (earlier index first), so even a zero keeps
 * its sign. */
static double pair_slope(const struct sel *s, size_t a, size_t b)
{
	size_t i = s->orig[a], j = s->orig[b];

	if (i > j) {
		size_t t = i;
		i = j;
		j = t;
	}
	return (s->y[j] - s->y[i]) / (s->x[j] - s->x[i]);
}

static struct pivot make_pivot(const struct sel *s, size_t a, size_t b)
{
	if (s->X[a] > s->X[b]) {
		size_t t = a;
		a = b;
		b = t;
	}
	return (struct pivot){s->Y[b] - s->Y[a], s->X[b] - s->X[a], a, b, pair_slope(s, a, b)};
}

/* Sorts s->it by key, stably, and counts the pairs i < j (in s->it's
 * initial order) with key[j] < key[i] into *lt and key[j] <= key[i] into
 * *le. */
static void sort_keys(struct sel *s, uint64_t *lt, uint64_t *le)
{
	struct item *a = s->it, *b = s->tmp, *t;
	size_t n = s->n;

	*lt = *le = 0;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo, p = lo;

			for (size_t q = mid; q < hi; q++) {
				while (p < mid && a[p].key < a[q].key)
					p++;
				*le += mid - p;
			}
			while (i < mid && j < hi) {
				if (a[j].key < a[i].key) {
					*lt += mid - i;
					b[o++] = a[j++];
				} else {
					b[o++] = a[i++];
				}
			}
			while (i < mid)
				b[o++] = a[i++];
			while (j < hi)
				b[o++] = a[j++];
		}
		t = a;
		a = b;
		b = t;
	}
	s->it = a;
	s->tmp = b;
}

/* Keys y - t x scaled by dx, in sorted point order, sorted; for pivot t,
 * *lt pairs have a slope below t and *le at most t. */
static void count_at(struct sel *s, const struct pivot *t, uint64_t *lt, uint64_t *le)
{
	for (size_t i = 0; i < s->n; i++)
		s->it[i] = (struct item){(i128)s->Y[i] * t->dx - (i128)t->dy * s->X[i], i};
	sort_keys(s, lt, le);
	*le -= s->ident;
}

/* The order at the upper threshold: ties (slope equal to it, or identical
 * points) keep sorted point order, so such pairs fall outside. */
static void set_upper(struct sel *s)
{
	for (size_t p = 0; p < s->n; p++) {
		s->ord_b[p] = s->it[p].id;
		s->rank_b[s->it[p].id] = p;
	}
}

/* The order at an open lower threshold t: a pair with slope t must stay
 * outside, so among equal keys larger x comes first; identical points
 * keep sorted order, as in every other order. */
static void set_lower_open(struct sel *s)
{
	size_t n = s->n;

	for (size_t r = 0, e; r < n; r = e) {
		for (e = r + 1; e < n && s->it[e].key == s->it[r].key; e++)
			;
		/* Within the run ids ascend, so (X, Y) ascends: reverse the run,
		 * then each group of equal X back. */
		for (size_t p = 0; p < e - r; p++)
			s->ord_a[r + p] = s->it[e - 1 - p].id;
		for (size_t g = r, h; g < e; g = h) {
			for (h = g + 1; h < e && s->X[s->ord_a[h]] == s->X[s->ord_a[g]]; h++)
				;
			for (size_t u = g, v = h - 1; u < v; u++, v--) {
				size_t t = s->ord_a[u];
				s->ord_a[u] = s->ord_a[v];
				s->ord_a[v] = t;
			}
		}
	}
}

/* Visits the inversions of seq = rank_b[ord_a[]] (the pairs with slope
 * between the two thresholds): all of them into cand when want is NULL,
 * else those with ordinals want[0..nw) (ascending) into samp. */
static void inversions(struct sel *s, const uint64_t *want, size_t nw)
{
	uint32_t *a = s->seq, *b = s->seq_tmp, *t;
	size_t n = s->n, q = 0, nc = 0;
	uint64_t cnt = 0;

	for (size_t p = 0; p < n; p++)
		a[p] = (uint32_t)s->rank_b[s->ord_a[p]];
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;

			while (i < mid && j < hi) {
				if (a[j] < a[i]) {
					size_t r = s->ord_b[a[j]];
					if (!want) {
						for (size_t u = i; u < mid; u++)
							s->cand[nc++] = pair_slope(s, s->ord_b[a[u]], r);
					}
					while (want && q < nw && want[q] < cnt + (mid - i)) {
						size_t u = i + (size_t)(want[q] - cnt);
						s->samp[q++] = make_pivot(s, s->ord_b[a[u]], r);
					}
					cnt += mid - i;
					b[o++] = a[j++];
				} else {
					b[o++] = a[i++];
				}
			}
			while (i < mid)
				b[o++] = a[i++];
			while (j < hi)
				b[o++] = a[j++];
		}
		t = a;
		a = b;
		b = t;
	}
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* The k-th smallest of v[0..n) (0-based): Wirth's selection, with a
 * median-of-three pivot value; reorders v. */
static double select_kth(double *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (lo < hi) {
		ptrdiff_t i = lo, j = hi;
		double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi], piv, t;

		piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		do {
			while (v[i] < piv)
				i++;
			while (piv < v[j])
				j--;
			if (i <= j) {
				t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		} while (i <= j);
		if (j < kk)
			lo = i;
		if (kk < i)
			hi = j;
	}
	return v[k];
}

/* The index in samp[0..ns) of a pair whose slope has rank r there. */
static size_t sample_at(struct sel *s, size_t ns, size_t r)
{
	double v;
	size_t q;

	for (q = 0; q < ns; q++)
		s->cand[q] = s->samp[q].c;
	v = select_kth(s->cand, ns, r);
	for (q = 0; s->samp[q].c != v; q++)
		;
	return q;
}

/* Targets: ranks k[0] <= k[1] (0-based, adjacent or equal) of the slopes of
 * the m pairs; their values go to val[]. */
static void select_ranks(struct sel *s, uint64_t m, const uint64_t k[2], double val[2])
{
	uint64_t clo = 0, chi = m;
	int done[2] = {0, 0};

	/* Lower threshold -inf: sorted point order.  Upper +inf: x descending,
	 * equal x in sorted order. */
	for (size_t i = 0; i < s->n; i++) {
		s->ord_a[i] = i;
		s->it[i] = (struct item){-(i128)s->X[i], i};
	}
	{
		uint64_t lt, le;
		sort_keys(s, &lt, &le);
	}
	set_upper(s);
	while (!done[0] || !done[1]) {
		uint64_t cand = chi - clo, k0 = done[0] ? k[1] : k[0], k1 = done[1] ? k[0] : k[1];
		size_t ns, piv[2], np = 0;
		double z;

		if (cand <= s->cap) {
			inversions(s, NULL, 0);
			for (int t = 0; t < 2; t++)
				if (!done[t])
					val[t] = select_kth(s->cand, (size_t)cand, (size_t)(k[t] - clo));
			return;
		}
		/* Enough draws to leave ~5 sqrt(cand) pairs; no more than the
		 * points, to keep memory linear. */
		z = 4 * sqrt((double)cand);
		ns = z < 1024 ? 1024 : z > (double)s->nsamp ? s->nsamp : (size_t)z;
		if (clo == 0 && chi == m) {
			/* Every pair with distinct x is in: draw them directly. */
			for (size_t q = 0; q < ns;) {
				size_t a = draw(s, s->n), b = draw(s, s->n);
				if (s->X[a] != s->X[b])
					s->samp[q++] = make_pivot(s, a, b);
			}
		} else {
			for (size_t q = 0; q < ns; q++)
				s->want[q] = draw(s, cand);
			qsort(s->want, ns, sizeof *s->want, cmp_u64);
			inversions(s, s->want, ns);
		}
		/* Pivots 2.5 standard deviations of a sampled rank outside the
		 * targets' expected places: the next interval holds them with
		 * probability ~0.99 and about 5 / sqrt(ns) of the pairs. */
		z = 2.5 * sqrt((double)ns);
		{
			double r0 = (double)(k0 - clo) / (double)cand * (double)ns - z;
			double r1 = (double)(k1 - clo + 1) / (double)cand * (double)ns + z;
			if (r0 >= 0)
				piv[np++] = sample_at(s, ns, (size_t)r0);
			if (r1 < (double)ns)
				piv[np++] = sample_at(s, ns, (size_t)r1);
			if (np == 0)
				piv[np++] = sample_at(s, ns, ns / 2);
		}
		for (size_t q = 0; q < np; q++) {
			const struct pivot *t = &s->samp[piv[q]];
			uint64_t lt, le;
			int below = 0, above = 0;

			count_at(s, t, &lt, &le);
			for (int u = 0; u < 2; u++) {
				if (done[u])
					continue;
				if (lt <= k[u] && k[u] < le) {
					val[u] = pair_slope(s, t->a, t->b);
					done[u] = 1;
				} else if (k[u] >= le) {
					above = 1;
				} else {
					below = 1;
				}
			}
			/* A pivot from the interval always narrows it: the pivot's
			 * own pair leaves.  Both targets on one side, as adjacent
			 * ranks cannot straddle a slope that some pair has. */
			if (above && !below && le > clo) {
				clo = le;
				set_lower_open(s);
			} else if (below && !above && lt < chi) {
				chi = lt;
				set_upper(s);
			}
			if (done[0] && done[1])
				break;
		}
	}
}

int br__theil_sen_select(const double *x, const double *y, size_t n, double *slope)
{
	struct sel s;
	uint64_t m, k[2];
	double v[2];
	size_t i;
	int err;

	*slope = NAN;
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return -EDOM;
	if (n < 2)
		return -EDOM;
	/* Flat plans record one iteration count throughout: no pair, and no
	 * need to sort 100,000 points to find that out. */
	for (i = 1; i < n && x[i] == x[0]; i++)
		;
	if (i == n)
		return -EDOM;
	err = sel_create(&s, x, y, n, &m);
	if (err == 0 && m == 0)
		err = -EDOM;
	if (err == 0) {
		/* The convention of listing all pairs and taking their median:
		 * the middle one, or the mean of the two middle ones. */
		k[0] = (m - 1) / 2;
		k[1] = m / 2;
		select_ranks(&s, m, k, v);
		*slope = k[0] == k[1] ? v[0] : 0.5 * (v[0] + v[1]);
	}
	sel_free(&s);
	return err;
}

int br__cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int br__theil_sen(const double *x, const double *y, size_t n, double *slope)
{
	double *pairs;
	size_t m = 0;

	if (n > BR__THEIL_SEN_SMALL)
		return br__theil_sen_select(x, y, n, slope);
	*slope = NAN;
	if (n < 2)
		return -EDOM;
	if (!(pairs = malloc(n * (n - 1) / 2 * sizeof *pairs)))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[j] != x[i])
				pairs[m++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (m > 0) {
		qsort(pairs, m, sizeof *pairs, br__cmp_double);
		*slope = m % 2 ? pairs[m / 2] : (pairs[m / 2 - 1] + pairs[m / 2]) / 2;
	}
	free(pairs);
	return m > 0 ? 0 : -EDOM;
}
