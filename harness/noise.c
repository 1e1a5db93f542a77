/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Noise notes: one line per weakness in a benchmark's evidence, naming the
 * cause and what to do, so that a missed regression is never a silent one.
 * The thresholds are where, measured on our 2-core VMs, a benchmark's
 * results stopped being trustworthy; each is stated beside its test. */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "noise.h"
#include "units.h"

/* Below this R^2 the time of a ramp's samples does not grow linearly with
 * their iterations: measured here, steady bodies give 0.95-1.0, a bimodal
 * sort 0.3-0.6 and a body sharing its core with a busy loop under 0.5. */
#define MIN_R2 0.8
/* More than this share of samples outside Tukey's fences: something else
 * ran during the samples (a steady body here has 0-6 %). */
#define MAX_OUTLIER_SHARE 0.10
/* An interval wider than this (half-width, relative) cannot show a change
 * of a few percent: the default threshold is 1 %. */
#define MAX_HALF_WIDTH 0.05
/* Others' load (the 1-minute load average less benchrun's own worker) per
 * CPU above which the machine counts as busy. */
#define BUSY_LOAD_PER_CPU 0.5

/* One more note in the analysis stage's output a. */
static int add(struct bench_analysed *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add(struct bench_analysed *a, const char *fmt, ...)
{
	char **v = realloc(a->notes, (a->nnotes + 1) * sizeof *v);
	va_list ap;
	int n;

	if (!v)
		return -1;
	a->notes = v;
	va_start(ap, fmt);
	n = vasprintf(&v[a->nnotes], fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	a->nnotes++;
	return 0;
}

int noise_flat_processes(const struct bench_result *b, size_t *flat)
{
	size_t n = 0;

	*flat = 0;
	for (size_t p = 0; p < b->nprocs; p++) {
		const struct proc_run *r = &b->procs[p];
		int is_flat = r->nsamples >= 2;
		for (size_t k = 1; is_flat && k < r->nsamples; k++)
			is_flat = r->samples[k].iters == r->samples[0].iters;
		*flat += is_flat;
		n += r->nsamples >= 2;
	}
	return (int)n;
}

/* Pauses (br_state_pause) that take more of the loop than the timed part:
 * what is left of each pause's cost in the samples is then a large share
 * of what they show. */
static void pause_note(struct bench_result *b)
{
	double paused = 0, timed = 0, iters = 0, pauses = 0;

	for (size_t p = 0; p < b->nprocs; p++) {
		paused += b->procs[p].paused_ns;
		pauses += (double)b->procs[p].pauses;
		for (size_t k = 0; k < b->procs[p].nsamples; k++) {
			timed += b->procs[p].samples[k].ns;
			iters += (double)b->procs[p].samples[k].iters;
		}
	}
	if (pauses > 0 && paused > timed)
		add(&b->analysis, "pauses (br_state_pause) took %.0f%% of the loop time, %.3g per iteration: "
		    "each leaves about two clock reads of cost in the sample, a large share of "
		    "so little timed work; .batch_setup does the untimed work outside the loop "
		    "instead", 100 * paused / (paused + timed), iters > 0 ? pauses / iters : 0);
}

static void analysis_notes(struct bench_result *b, int compared)
{
	const struct analysis *a = &b->analysis.an;
	size_t out = a->outliers.low_mild + a->outliers.low_severe + a->outliers.high_mild +
	             a->outliers.high_severe, flat;
	size_t n = (size_t)noise_flat_processes(b, &flat);
	double half = a->slope.point > 0 ? (a->slope.hi - a->slope.lo) / 2 / a->slope.point : 0;

	if (b->measure == MEASURE_INSTRUCTIONS) {
		/* Counts: a sample's figure per iteration carries the loop's
		 * fixed cost over its few iterations, which the slope cancels,
		 * so outliers and R² say nothing; a spread between processes
		 * is what there is to say. */
		if (a->slope.hi > a->slope.lo)
			add(&b->analysis, "instruction counts vary between processes (slope interval ±%.3g%%): "
			    "address layout, hashing of pointers or allocator state reach the "
			    "loop; compared with the statistics of the time mode", half * 100);
		return;
	}
	if (isfinite(a->r2) && a->r2 < MIN_R2)
		add(&b->analysis, "low R² %.2f: sample times do not grow in step with iterations (a bimodal "
		    "body, or interference); run on a quieter machine or with more --processes",
		    a->r2);
	if (a->nsamples && (double)out / (double)a->nsamples > MAX_OUTLIER_SHARE)
		add(&b->analysis, "%.0f%% of samples are outliers: something else ran during the samples; "
		    "look for a busy neighbour", 100.0 * (double)out / (double)a->nsamples);
	if (!compared && half > MAX_HALF_WIDTH)  /* compared: the change's interval says it */
		add(&b->analysis, "interval ±%.0f%% is wider than ±%.0f%%: a change smaller than that cannot "
		    "be seen; more --processes or a quieter machine narrow it", half * 100,
		    MAX_HALF_WIDTH * 100);
	if (flat && flat < n)
		add(&b->analysis, "%zu of %zu processes sampled flat, the others on a ramp: estimates mix "
		    "two methods (a worker older than protocol 2 cannot be told the plan)", flat, n);
	else if (flat)
		add(&b->analysis, "flat samples (%s): the fixed cost of each sample is not cancelled, which "
		    "matters only for bodies under about 1 ms", b->set.iterations ?
		    "the definition fixes the iterations" : "a body too slow for a ramp");
}

static void comparison_notes(struct bench_result *b)
{
	const struct comparison *c = &b->gate.cmp;
	double half = (c->rel_hi - c->rel_lo) / 2;

	if (!isfinite(half) || c->exact)
		return;
	if (half > MAX_HALF_WIDTH)
		add(&b->analysis, "the change's interval is ±%.0f%%: a regression under that goes unseen; "
		    "more --processes%s narrow it", half * 100,
		    b->gate.mode == MODE_PAIRED ? " or --remeasure rounds" : ", or a paired comparison,");
}

void noise_notes(struct suite *s, int compared)
{
	for (size_t i = 0; i < s->nbenches; i++) {
		struct bench_result *b = &s->benches[i];
		if (b->failed || !b->analysis.done)
			continue;
		analysis_notes(b, compared);
		pause_note(b);
		if (compared)
			comparison_notes(b);
	}
}

int noise_machine_busy(double load1, long cpus, char *buf, size_t n)
{
	double others = load1 - 1;  /* benchrun's own worker */

	if (cpus < 1 || !(others / (double)cpus > BUSY_LOAD_PER_CPU))
		return 0;
	snprintf(buf, n, "the machine was busy while measuring (load average %.1f on %ld "
	         "CPUs): expect wide intervals; measure on a quieter machine or use a paired "
	         "comparison", load1, cpus);
	return 1;
}

int noise_machine_note(char *buf, size_t n)
{
	double load[1];

	if (getloadavg(load, 1) != 1)
		return 0;
	return noise_machine_busy(load[0], sysconf(_SC_NPROCESSORS_ONLN), buf, n);
}
