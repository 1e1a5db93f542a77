/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history's measurements (bench/measure-history runs them):
 *
 *   history-sim write STORE RUNS BENCHES   append RUNS runs of BENCHES
 *        benchmarks each, one transaction per run as benchrun does, and
 *        print the median time per run (ms) and the total;
 *   history-sim detect SPREAD SEED         change-point detection on
 *        synthetic histories whose run-to-run spread is SPREAD (a fraction,
 *        measured from real runs): a +3 % step at run 150 of 300, ten
 *        +0.5 % steps every 30 runs, and 100 flat series; prints where the
 *        change points land and how many false ones appear.
 *
 * Noise is Gaussian from GSL's MT19937 with the given seed, so a figure
 * can be reproduced exactly. */
#define _GNU_SOURCE
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changepoint.h"
#include "history.h"
#include "proc.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int write_runs(const char *where, long runs, long benches)
{
	struct history h;
	struct history_result *res = calloc((size_t)benches, sizeof *res);
	double *t = calloc((size_t)runs, sizeof *t), t0 = proc_now_s();
	char err[512], created[32], commit[48];

	if (!res || !t || history_open(where, &h, err, sizeof err) != 0) {
		fprintf(stderr, "history-sim: %s\n", res && t ? err : "out of memory");
		return 1;
	}
	for (long b = 0; b < benches; b++) {
		res[b].benchmark = NULL;
		if (asprintf(&res[b].benchmark, "group/bench%03ld", b) < 0)
			return 1;
		res[b].figures = "{\"median\":100.0,\"mean\":101.0}";
	}
	for (long r = 0; r < runs; r++) {
		struct history_run run = {created, "00000000000000aa", "{}", commit, "main", 0, "gcc",
		                          "-O2", "time", "{\"processes\":5}", NULL};
		double s;
		snprintf(created, sizeof created, "2026-%02ld-%02ldT%02ld:%02ld:00Z", 1 + r / 3000 % 12,
		         1 + r / 100 % 28, r / 60 % 24, r % 60);
		snprintf(commit, sizeof commit, "%040ld", r);
		for (long b = 0; b < benches; b++) {
			res[b].estimate = 100 + (double)b + (double)(r % 7) * 0.1;
			res[b].lo = res[b].estimate - 1;
			res[b].hi = res[b].estimate + 1;
		}
		s = proc_now_s();
		if (h.be->append(h.st, &run, res, (size_t)benches, err, sizeof err) != 0) {
			fprintf(stderr, "history-sim: %s\n", err);
			return 1;
		}
		t[r] = proc_now_s() - s;
	}
	qsort(t, (size_t)runs, sizeof *t, cmp);
	printf("wrote %ld runs x %ld benchmarks to %s: median %.2f ms per run, total %.1f s\n",
	       runs, benches, h.be->name, 1e3 * t[runs / 2], proc_now_s() - t0);
	history_close(&h);
	for (long b = 0; b < benches; b++)
		free(res[b].benchmark);
	free(res);
	free(t);
	return 0;
}

/* The change points of x[0..n) at the defaults, printed as indexes. */
static long show(const char *what, const double *x, size_t n, int print)
{
	struct changepoint_opts o = changepoint_opts_default();
	struct changepoint *cp = NULL;
	long k = changepoint_detect(x, n, &o, &cp);

	if (print) {
		printf("%s: %ld change points:", what, k);
		for (long i = 0; i < k; i++)
			printf(" %zu (%+.2f%%)", cp[i].index, 100 * cp[i].change);
		putchar('\n');
	}
	free(cp);
	return k;
}

static int detect(double spread, unsigned long seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[300], level;
	long false_total = 0, series_with = 0;
	double t0;

	gsl_rng_set(rng, seed);
	for (int i = 0; i < 300; i++)
		x[i] = 100 * (i < 150 ? 1 : 1.03) * (1 + gsl_ran_gaussian(rng, spread));
	show("one +3% step at 150", x, 300, 1);
	for (int i = 0; i < 300; i++) {
		level = 1;
		for (int s = 30; s <= i && s < 300; s += 30)
			level *= 1.005;
		x[i] = 100 * level * (1 + gsl_ran_gaussian(rng, spread));
	}
	show("ten +0.5% steps at 30, 60, ..., 270 (and a ramp-like whole: +4.6%)", x, 300, 1);
	t0 = proc_now_s();
	for (int s = 0; s < 100; s++) {
		long k;
		for (int i = 0; i < 300; i++)
			x[i] = 100 * (1 + gsl_ran_gaussian(rng, spread));
		k = show("flat", x, 300, 0);
		false_total += k;
		series_with += k > 0;
	}
	printf("100 flat series of 300 runs: %ld false change points in %ld series (%.1f s)\n",
	       false_total, series_with, proc_now_s() - t0);
	gsl_rng_free(rng);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "write"))
		return write_runs(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "detect"))
		return detect(atof(argv[2]), strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: history-sim write STORE RUNS BENCHES | detect SPREAD SEED\n");
	return 2;
}
