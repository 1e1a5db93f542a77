/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-benchmark estimates from raw samples: per-iteration slope, location and
 * spread with confidence intervals from a two-level (process, then sample)
 * bootstrap, the fit's R^2 and Tukey outlier counts. */
#ifndef BENCHRUN_ANALYSIS_H
#define BENCHRUN_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* How to compute confidence intervals. */
struct analysis_opts {
	double conf_level; /* in (0, 1), e.g. 0.95 */
	size_t resamples;  /* bootstrap replicates; 0 leaves intervals NAN */
	uint64_t seed;     /* the run's seed, mixed per benchmark */
};

/* Fills *out with the estimates for b (see struct analysis), using only the
 * processes of b that have at least two samples; b->name must be set, as it
 * seeds the bootstrap.  Returns 0, -ENODATA when no process has two samples
 * (*out untouched), or -ENOMEM.  Same b, o and name give identical output. */
int analysis_run(const struct bench_result *b, const struct analysis_opts *o,
		 struct analysis *out);

/* Per-process estimates, for comparisons: which statistic of one process. */
enum analysis_stat {
	ANALYSIS_SLOPE,   /* Theil-Sen slope of ns on iters (flat: median) */
	ANALYSIS_MEDIAN,  /* median time per iteration */
	ANALYSIS_MEAN,    /* mean time per iteration */
	ANALYSIS_INSTRUCTIONS, /* the instructions counter's slope per
	                   * iteration (perf_event, a hardware PMU) */
	ANALYSIS_COUNTER, /* a user counter's figure (br_state_counter) */
};

/* Writes the estimate of `stat` for each process of b with at least two
 * samples into out (room for b->nprocs values), in ns per iteration (or
 * instructions, for ANALYSIS_INSTRUCTIONS: only processes that counted
 * them; for ANALYSIS_COUNTER, user counter `counter`'s figure of the
 * processes that have one), and returns how many; 0 when out of memory. */
size_t analysis_per_process(const struct bench_result *b, enum analysis_stat stat,
			    const char *counter, double *out);

/* The bootstrap seed for benchmark `name` in a run seeded with `seed`: a
 * deterministic mix of both, so a benchmark's resampling stream depends only
 * on its own name and the run seed, never on which other benchmarks ran. */
uint64_t analysis_seed_for(const char *name, uint64_t seed);

#endif
