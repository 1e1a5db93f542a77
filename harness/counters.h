/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Counters in the harness: checking a --counters list, keeping each
 * benchmark's counter columns, the per-iteration estimate (slope of delta
 * on iterations, loop cost subtracted), derived figures, the change
 * between two results, and their console and JSON forms.  The arithmetic
 * is in pure functions. */
#ifndef BENCHRUN_COUNTERS_H
#define BENCHRUN_COUNTERS_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include "brproto.h"
#include "results.h"

/* The syntax and limits of a --counters list are the protocol's
 * (brproto.h: br__proto_counter_list); whether libpfm4 knows the names is
 * the worker's to say. */

/* Deep copy of n counters' descriptions (not their estimates) into *dst.
 * Returns 0 or -ENOMEM. */
int counters_copy(struct counter_result **dst, const struct counter_result *src,
                  size_t n);

/* Free the strings of n counters and the array. */
void counters_free(struct counter_result *c, size_t n);

/* Rearrange the counter columns of p, laid out as `from` (nfrom names),
 * into the order of `to`; a counter `to` has and `from` lacks gets NAN.
 * For processes that reported their counters in another order.  Returns 0
 * or -ENOMEM (p unchanged). */
int counters_remap(struct proc_run *p, const struct counter_result *from, size_t nfrom,
                   const struct counter_result *to, size_t nto);

/* Events per iteration of counter column c in process p: the Theil-Sen
 * slope of delta on iterations over the samples where it was counted (the
 * ramp cancels the fixed per-sample count: clock reads, loop entry), or the
 * median of delta / iterations when all samples ran the same count (flat
 * mode).  `work` holds 2 * nsamples + max(nsamples,
 * stats_theil_sen_work(nsamples)) doubles: linear in nsamples beyond
 * BR__THEIL_SEN_SMALL.  NAN when no sample has a value, or when Theil-Sen
 * runs out of memory. */
double counters_proc_per_iter(const struct proc_run *p, size_t c, double *work);

/* For the counter of `role` ("instructions", ...) that b counted: each
 * process's events per iteration (counters_proc_per_iter, the loop's own
 * included), for the processes with at least two samples and a value,
 * into out (room for b->nprocs); their count, 0 when b counted no such
 * event or memory ran out.  What --statistic instructions compares. */
size_t counters_per_process(const struct bench_result *b, const char *role, double *out);

/* The body's own events per iteration: raw minus the empty loop's, when
 * the loop was measured (loop_per_iter finite); raw otherwise. */
double counters_net(double raw_per_iter, double loop_per_iter);

/* num / den x scale: NAN unless both are finite and den > 0. */
double counters_ratio(double num, double den, double scale);

/* Fill the estimates of every counter of b from its processes' counter
 * columns; when no process has any (results loaded without them), leave
 * the estimates as they are.  Returns 0 or -ENOMEM. */
int counters_analyse(struct bench_result *b);

/* Figures derived from two counters, NAN when either is missing.  The
 * loop's instructions are kept in (raw_per_iter): cycles and misses
 * include the loop too, so a ratio of the two is the processor's. */
struct counter_derived {
	double ipc;           /* instructions per cycle */
	double branch_mpki;   /* branch misses per thousand instructions */
	double cache_mpki;    /* cache misses per thousand instructions */
};
void counters_derive(const struct bench_result *b, struct counter_derived *d);

/* The change of one counter between two results of a benchmark. */
struct counter_change {
	const char *name;     /* the counter (owned by `after`) */
	double before, after; /* per iteration (per_iter); NAN when not counted */
	double change;        /* after / before - 1; 0 when both are 0; NAN
	                       * when either side is missing or only before is 0 */
};

/* For each counter of `after`, in its order, the change from the counter
 * of the same name in `before`.  Writes at most cap entries and returns
 * how many it wrote (after->ncounters when cap allows).  Pure. */
size_t counters_change(const struct bench_result *before, const struct bench_result *after,
                       struct counter_change *out, size_t cap);

/* The comparable changes of n entries as text, e.g.
 * "instructions +4.1%, page-faults -0.3%"; "" when none is comparable.
 * Returns buf. */
char *counters_change_format(char *buf, size_t len, const struct counter_change *c,
                             size_t n);

/* The console line under a benchmark: counted events per iteration (with
 * the counted fraction when multiplexed), requested events that were not
 * counted, and the derived figures.  Nothing when there is nothing to say. */
void counters_print(FILE *out, const struct bench_result *b);

/* --list-counters: each counter tried, hardware then software. */
void counters_print_list(FILE *out, const struct counter_result *c, size_t n);

/* The benchmark's "counters" array and "counters_derived" object, and a
 * process's "counters" object (docs/json-schema.md).  New references. */
json_t *counters_json(const struct bench_result *b);
json_t *counters_json_derived(const struct bench_result *b);
json_t *counters_json_process(const struct bench_result *b, const struct proc_run *p);

/* Read back what counters_json() and counters_json_process() wrote, for
 * a results document used as a baseline: `bench` is a "benchmarks[]"
 * element (its "counters" array, if any, into b), `proc` a "processes[]"
 * element whose samples are already in p.  Absent fields are not an
 * error (older documents).  Return 0, or -1 with a reason in err. */
int counters_from_json(json_t *bench, struct bench_result *b, char *err, size_t errlen);
int counters_process_from_json(json_t *proc, const struct bench_result *b,
                               struct proc_run *p, char *err, size_t errlen);

#endif
