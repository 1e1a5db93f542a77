/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Report writers: the console table, the comparison, the HTML report and
 * the Markdown summary (the JSON document is document.h's).  They render
 * results; what they need of the run's settings comes in a small struct,
 * never the command line. */
#ifndef BENCHRUN_REPORT_H
#define BENCHRUN_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include "compare.h"
#include "suite.h"

/* What the reports (and the results document) say of how the run measured
 * and judged; filled from the command line by options_report_settings(). */
struct report_settings {
	unsigned processes;     /* worker processes per benchmark */
	double warmup_s, measure_s; /* budgets per process */
	unsigned samples;       /* per process */
	double timeout_s;       /* per worker process */
	uint64_t seed;          /* bootstrap seed */
	unsigned resamples;     /* bootstrap resamples */
	double conf_level;      /* of every interval */
	uint64_t iterations;    /* --measure instructions: ramp step (0: 1) */
	int statistic;          /* enum analysis_statistic compared */
	const char *counter;    /* its user counter (ANALYSIS_COUNTER), or NULL */
	double alpha, noise;    /* the gate's family alpha and threshold */
	double drift_bound;     /* a stored comparison's suite-wide bound */
	unsigned remeasure;     /* rounds re-measuring a suspect */
	const char *history;    /* the history's store, for trend plots, or NULL */
};

/* "  LABEL" when b has a label, then the line's end. */
void report_label(FILE *out, const struct bench_result *b);

/* The line of a benchmark without results: its name (padded to w), "FAILED"
 * or "skipped", and why. */
void report_not_run(FILE *out, const struct bench_result *b, int w);

/* Print the results table: name, estimate with interval, throughput,
 * outliers and R^2 (and the label), one line per benchmark, then a
 * summary line. */
void report_console(FILE *out, const struct suite *s, const struct report_settings *rs);

/* Print the comparison table (colour escapes when `color`), with each
 * benchmark's counter changes against its namesake in `old` (paired) or
 * `base` (stored), and its noise notes. */
void report_compare(FILE *out, const struct suite *s, const struct suite *old,
                    const struct suite *base, const struct compare_summary *sum,
                    const struct report_settings *rs, int color);

/* Print the two summary lines: counts per verdict, failures and the worst
 * change; then the modes, alpha, threshold and the suite-wide shift with
 * its interval (always, when a stored comparison has one). */
void report_compare_summary(FILE *out, const struct compare_summary *sum, size_t failed,
                            const struct report_settings *rs);

/* Sort compared benchmarks as every report lists them: failures, then
 * regressions, improvements, too few, within noise, no change, new; the
 * larger slowdown first within a verdict; ties keep the suite's order. */
void report_sort_worst_first(const struct bench_result **order, size_t n);

/* Write the HTML report into directory `dir` (created when missing):
 * index.html, a page per benchmark, and under dir/plots the figures one
 * gnuplot run drew (none, with a note in the pages and one warning, when
 * gnuplot is not on PATH).  `base` and `sum` are NULL when not compared.
 * Returns 0, or -1 after printing one line. */
int report_html(const char *dir, const struct suite *s, const struct suite *base,
                const struct compare_summary *sum, const struct report_settings *rs);

/* Write a Markdown table to `path` for a CI job summary or a pull-request
 * comment: regressions first, with change, interval and verdict when
 * compared (`sum` not NULL), plain estimates otherwise.  Returns 0, or -1
 * after printing one line. */
int report_markdown(const char *path, const struct suite *s,
                    const struct compare_summary *sum, const struct report_settings *rs);

#endif
