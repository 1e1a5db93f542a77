/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regression gate's decision procedure: a first look at the run's own
 * rounds that screens, fresh rounds that confirm or clear each suspect,
 * a stop for suspects that have faded, the family judged, and the exit
 * status.  It measures nothing itself: more rounds come through a
 * callback, so tests drive it with scripted data. */
#ifndef BENCHRUN_GATE_H
#define BENCHRUN_GATE_H

#include "compare.h"
#include "options.h"

struct gate_opts {
	struct compare_opts co;  /* family and from_round are the gate's own */
	unsigned remeasure;      /* rounds that re-measure a paired suspect (a
	                          * stored one gets half as many processes);
	                          * 0: no second look */
	enum fail_on fail_on;
};

/* Where more data comes from: measure `rounds` more rounds of each
 * benchmark of the current suite whose entry in `only` is nonzero (a
 * paired one alternately with its old build, in rounds numbered on from
 * every round before) and analyse what was added. */
struct gate_source {
	void (*measure)(void *ctx, const int *only, unsigned rounds);
	void *ctx;
};

/* Rounds between looks at a paired confirmation: after each batch a
 * suspect whose change has faded is dropped.  Even, so each batch is made
 * of whole ABBA blocks (see suite_old_first). */
#define GATE_CONFIRM_BATCH 10

/* The share of alpha the looks before the last may spend to decide a
 * suspect early (see gate.c's confirm). */
#define GATE_EARLY_ALPHA 0.1

/* Judge `cur` against `old` (paired benchmarks, those whose mode is
 * MODE_PAIRED) and `base` (the others): screen, re-measure the suspects
 * through `src` (none when src is NULL or o->remeasure is 0) and conclude.
 * Fills every benchmark's cmp and *sum.  Returns 0, or -1 when out of
 * memory (after a message). */
int gate_run(const struct gate_opts *o, struct suite *cur, const struct suite *old,
             const struct suite *base, const struct gate_source *src,
             struct compare_summary *sum);

/* The exit status of a judged run: EXIT_BENCH_FAILED when `failed`
 * benchmarks failed; else EXIT_REGRESSION on a regression (or any change,
 * by fail_on), or a suite-wide slowdown beyond the drift bound (a speed-up
 * only by fail_on change); else
 * EXIT_USAGE when a compared benchmark had too few processes to gate;
 * else EXIT_NO_REGRESSION. */
int gate_exit_status(const struct compare_summary *sum, size_t failed, enum fail_on fail_on);

#endif
