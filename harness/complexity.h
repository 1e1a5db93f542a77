/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Complexity: for a benchmark swept over a size parameter (group/function
 * with a numeric parameter, three sizes or more), which of O(1), O(log n),
 * O(n), O(n log n), O(n^2) and O(n^3) the times follow, as Google
 * Benchmark's Complexity() reports: each class's least-squares coefficient
 * and its RMS error relative to the mean time, the best the smallest. */
#ifndef BENCHRUN_COMPLEXITY_H
#define BENCHRUN_COMPLEXITY_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct suite;

enum complexity_class {
	BIGO_1, BIGO_LOGN, BIGO_N, BIGO_NLOGN, BIGO_N2, BIGO_N3,
	BIGO_USER,  /* the definition's own function (.complexity), when given */
	BIGO_COUNT
};

/* "O(1)", "O(log n)", ... */
const char *complexity_name(int c);

/* The class's function of n (log base 2; n >= 1); NAN for BIGO_USER. */
double complexity_g(int c, double n);

struct complexity_fit {
	int best;                   /* the class with the smallest rms */
	double coef[BIGO_COUNT];    /* t ~ coef * g(n), least squares */
	double rms[BIGO_COUNT];     /* sqrt(mean squared residual) / mean t */
};

/* Fit k points (n[i] >= 1, t[i] finite) to every class; with `user` (the
 * definition's function at each point, or NULL), to BIGO_USER too.  0, or
 * -1 when there are fewer than 3 points or one is unusable.  Pure. */
int complexity_fit(const double *n, const double *t, size_t k, struct complexity_fit *out);
int complexity_fit_user(const double *n, const double *t, const double *user, size_t k,
                        struct complexity_fit *out);

/* One sweep of a suite and its fit. */
struct complexity_result {
	char *group, *function;     /* owned */
	size_t npoints;
	double lo, hi;              /* the smallest and largest parameter */
	int measure;                /* enum measure (units.h) of the times */
	char *user;                 /* the name of the definition's function
	                             * (BIGO_USER), owned, or NULL */
	struct complexity_fit fit;
};

/* Every sweep of s (analysed benchmarks; the slope estimate) with three
 * points or more, in listing order of their first benchmark.  Returns the
 * count (0 with *out NULL when none, or when out of memory). */
size_t complexity_suite(const struct suite *s, struct complexity_result **out);
void complexity_results_free(struct complexity_result *r, size_t n);

/* How a report writes the fits: its escaping, and what goes before them
 * all, before and after each, and after them all. */
struct complexity_style {
	void (*escape)(FILE *out, const char *s);
	const char *before, *open, *close, *after;
};

/* The console's: "complexity sort/qsort (5 sizes, 16 to 4096): O(n log n),
 * 3.21 ns x n log n, RMS 3.1% (next: O(n) 12.0%)" a line. */
extern const struct complexity_style complexity_console;

/* Every sweep of s and its fit, one item each, in `st`'s format; nothing
 * when s has none. */
void complexity_write(FILE *out, const struct suite *s, const struct complexity_style *st);

/* The fit of one sweep as text, for any report (the names are the
 * caller's to write, escaped for its format): "O(n log n), 3.21 ns x n log
 * n, RMS 3.1% (next: O(n^2), RMS 3.4%)". */
void complexity_line(char *buf, size_t len, const struct complexity_result *r);

/* The top-level "complexity" array of the results document.  New ref. */
json_t *complexity_json(const struct complexity_result *r, size_t n);

#endif
