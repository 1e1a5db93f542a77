/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The suite: the benchmark programs, the benchmarks they list, and the
 * rounds of worker processes that measure them. */
#ifndef BENCHRUN_SUITE_H
#define BENCHRUN_SUITE_H

#include <jansson.h>
#include <regex.h>
#include "protocol.h"
#include "results.h"

/* How to measure; filled from the command line. */
struct suite_opts {
	char **programs;       /* paths of benchmark programs */
	size_t nprograms;
	const regex_t *filter; /* or NULL for all */
	unsigned processes;    /* worker processes per benchmark */
	double warmup_s, measure_s; /* budgets per process */
	unsigned samples;      /* samples per process */
	double timeout_s;      /* per worker process */
	int progress;          /* draw a progress line on stderr */
	const char *counters;  /* --counters list for the workers, or NULL for
	                        * their default set */
};

/* One benchmark program and the header it wrote when listing. */
struct program {
	char *path;            /* owned */
	char *stored;          /* kept copy, relative to the baseline dir; owned, or NULL */
	char *hash;            /* "fnv1a64:<hex>" of the kept copy; owned, or NULL */
	struct protocol_header hdr;  /* owned */
};

struct suite {
	struct program *programs;    /* owned */
	size_t nprograms;
	struct bench_result *benches;  /* owned, in listing order */
	size_t nbenches;
	double elapsed_s;            /* wall time of suite_measure() */
	json_t *context;             /* machine and build context, owned */
};

/* Ask every program for its benchmarks and keep those the filter selects.
 * Returns 0, or EXIT_USAGE after printing one line (a missing program, one
 * that is not a worker, a duplicate name, nothing selected). */
int suite_list(const struct suite_opts *o, struct suite *s);

/* Measure the listed benchmarks in o->processes rounds of worker processes,
 * round-robin: all of them, or those whose entry in `only` is nonzero.
 * Rounds are numbered on from those already measured, so a re-measurement
 * adds processes.  A failing benchmark is reported once, marked failed and
 * not run again; the others go on.  Returns the number of failed
 * benchmarks. */
size_t suite_measure(const struct suite_opts *o, struct suite *s, const int *only);

/* --list-counters: ask the first program which events (the candidates, or
 * o->counters) this machine counts, and print them.  Returns 0, or
 * EXIT_USAGE after one line. */
int suite_list_counters(const struct suite_opts *o);

/* Paired mode: measure each benchmark of `cur` and its namesake in `old`
 * back to back in every round, the order within a pair drawn from `seed`
 * (so neither build always runs first, and a rerun is reproducible).  As
 * suite_measure otherwise; benchmarks only on one side are not measured.
 * Returns the number of failed benchmarks on either side. */
size_t suite_measure_paired(const struct suite_opts *o, struct suite *old,
                            struct suite *cur, const int *only, uint64_t seed);

/* Whether benchmark `name` runs the old build first in `round` under
 * `seed`: a pure function, so the order can be tested and recomputed. */
int suite_old_first(uint64_t seed, unsigned round, const char *name);

/* The benchmark named `name` in `s` (NULL-safe), or NULL. */
struct bench_result *suite_find(const struct suite *s, const char *name);

/* The highest round number any process of `s` ran in (0 for none). */
unsigned suite_last_round(const struct suite *s);

void suite_free(struct suite *s);

/* Free what a bench_result owns. */
void bench_result_free(struct bench_result *b);

#endif
