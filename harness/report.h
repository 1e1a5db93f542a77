/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Report writers: the console table, the JSON document
 * (docs/json-schema.md), the HTML report and the Markdown summary. */
#ifndef BENCHRUN_REPORT_H
#define BENCHRUN_REPORT_H

#include <jansson.h>
#include <stdio.h>
#include "compare.h"
#include "options.h"
#include "suite.h"

/* Version of the results JSON schema; bump on incompatible change. */
#define REPORT_JSON_SCHEMA_VERSION 1

/* "  LABEL" when b has a label, then the line's end. */
void report_label(FILE *out, const struct bench_result *b);

/* The line of a benchmark without results: its name (padded to w), "FAILED"
 * or "skipped", and why. */
void report_not_run(FILE *out, const struct bench_result *b, int w);

/* Print the results table: name, estimate with interval, throughput,
 * outliers and R^2 (and the label), one line per benchmark, then a
 * summary line. */
void report_console(FILE *out, const struct suite *s, const struct options *o);

/* Print the comparison table (colour escapes when `color`), with each
 * benchmark's counter changes against its namesake in `old` (paired) or
 * `base` (stored), and its noise notes. */
void report_compare(FILE *out, const struct suite *s, const struct suite *old,
                    const struct suite *base, const struct compare_summary *sum,
                    const struct options *o, int color);

/* Print the two summary lines: counts per verdict, failures and the worst
 * change; then the modes, alpha, threshold and the suite-wide shift with
 * its interval (always, when a stored comparison has one). */
void report_compare_summary(FILE *out, const struct compare_summary *sum, size_t failed,
                            const struct options *o);

/* Sort compared benchmarks as every report lists them: failures, then
 * regressions, improvements, too few, within noise, no change, new; the
 * larger slowdown first within a verdict; ties keep the suite's order. */
void report_sort_worst_first(const struct bench_result **order, size_t n);

/* Build the results document (new reference, NULL when out of memory);
 * with `sum` (compared), its "comparison" object holds the run's mode
 * counts, settings, shift and `exit_status`. */
json_t *report_json_build(const struct suite *s, const struct options *o,
                          const struct compare_summary *sum, int exit_status);

/* Write `doc` to `path` atomically: a temporary file in the same directory,
 * fsync, rename.  Returns 0, or -1 after printing one line; an existing file
 * at `path` is never left half-written. */
int report_json_write(const char *path, json_t *doc);

/* Write the HTML report into directory `dir` (created when missing):
 * index.html, a page per benchmark, and under dir/plots the figures one
 * gnuplot run drew (none, with a note in the pages and one warning, when
 * gnuplot is not on PATH).  `base` and `sum` are NULL when not compared.
 * Returns 0, or -1 after printing one line. */
int report_html(const char *dir, const struct suite *s, const struct suite *base,
                const struct compare_summary *sum, const struct options *o);

/* Write a Markdown table to `path` for a CI job summary or a pull-request
 * comment: regressions first, with change, interval and verdict when
 * compared (`sum` not NULL), plain estimates otherwise.  Returns 0, or -1
 * after printing one line. */
int report_markdown(const char *path, const struct suite *s,
                    const struct compare_summary *sum, const struct options *o);

#endif
