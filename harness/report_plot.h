/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's plots: data files and one gnuplot script under DIR/plots,
 * run by a single gnuplot process.  gnuplot is an external program found
 * on PATH, never linked. */
#ifndef BENCHRUN_REPORT_PLOT_H
#define BENCHRUN_REPORT_PLOT_H

#include "history.h"
#include "suite.h"

/* Subdirectory of the report that holds plots, their data and script. */
#define REPORT_PLOT_DIR "plots"

/* The full path of the gnuplot program found on $PATH, in buf; NULL when
 * there is none. */
const char *report_plot_find_gnuplot(char *buf, size_t len);

/* Whether benchmarks of the same group/function with a numeric parameter
 * form a sweep: b's param is a positive number.  Writes its value. */
int report_plot_sweep_param(const struct bench_result *b, double *param);

/* Write the data files and plots.gp into dir/plots (which must exist) and
 * run gnuplot on the script once.  `base` may be NULL (not compared).
 * Plots are named STEM-dist.svg, STEM-fit.svg, STEM-base.svg for a
 * benchmark, group-STEM.svg for a group, sweep-STEM-time.svg and
 * sweep-STEM-rate.svg for group/function (STEM from escape_file_stem()),
 * and STEM-trend.svg for a benchmark with two runs or more in `history`
 * (rows sorted by benchmark, machine and time, or NULL).
 * Returns 1 when gnuplot ran and succeeded, 0 when it is not on PATH or
 * failed (one warning printed), -1 after an error message (a file could
 * not be written). */
int report_plot_make(const char *dir, const struct suite *s, const struct suite *base,
                     const struct history_rows *history);

#endif
