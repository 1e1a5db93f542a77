/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The suite: the benchmark programs, the benchmarks they list, and the
 * rounds of worker processes that measure them. */
#ifndef BENCHRUN_SUITE_H
#define BENCHRUN_SUITE_H

#include <jansson.h>
#include <regex.h>
#include "protocol.h"
#include "callgrind.h"
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
	const struct callgrind *cg;  /* --measure instructions: run the
	                        * workers under it; NULL to measure time */
	uint64_t iterations;   /* with cg: iterations per step of the ramp */
	int memory;            /* --memory: the workers count allocations */
	int own_processes;     /* a benchmark whose definition sets its
	                        * processes gets that many rounds, not
	                        * `processes` (a run's first measurement) */
	struct placement *place; /* the CPU of each turn (placement.h), or
	                        * NULL to leave it to the kernel */
};

/* A shared object kept with a baseline's program (see objects.h). */
struct kept_lib {
	char *path;            /* where the program loaded it when saved, owned */
	char *soname;          /* owned; NULL when it has none */
	char *stored;          /* kept copy, relative to the baseline dir; owned */
	char *hash;            /* "fnv1a64:<hex>" of the kept copy, owned */
};

/* One benchmark program and the header it wrote when listing. */
struct program {
	char *path;            /* owned */
	char *stored;          /* kept copy, relative to the baseline dir; owned, or NULL */
	char *hash;            /* "fnv1a64:<hex>" of the kept copy; owned, or NULL */
	struct kept_lib *libs; /* its non-system shared objects, kept; owned */
	size_t nlibs;
	int libs_known;        /* the baseline recorded its shared objects (a
	                        * baseline from an older benchrun did not) */
	char *exec_path;       /* run this file instead of `path` (a staged
	                        * copy); owned, or NULL */
	char **envp;           /* with this environment; owned, or NULL for
	                        * benchrun's own */
	struct protocol_header hdr;  /* owned */
};

struct suite {
	struct program *programs;    /* owned */
	size_t nprograms;
	struct bench_result *benches;  /* owned, in listing order */
	size_t nbenches;
	double elapsed_s;            /* wall time of suite_measure() */
	int measure;                 /* enum measure (options.h): what the
	                              * samples' figures are */
	json_t *context;             /* machine and build context, owned */
	char *machine_note;          /* the machine was busy (noise.h), owned, or NULL */
};

/* Under callgrind (o->cg): one more process of b with two samples, and
 * from their dumps the Ir per iteration of every function its loop ran;
 * the last dump is copied to `keep` (for KCachegrind) unless NULL.  0, or
 * -1 with a reason (owned by the caller) in *why. */
int suite_count_functions(const struct suite_opts *o, const struct suite *s,
                          const struct bench_result *b, const char *keep,
                          struct callgrind_fns *out, char **why);

/* Ask every program for its benchmarks and keep those the filter selects.
 * Returns 0, or EXIT_USAGE after printing one line (a missing program, one
 * that is not a worker, a duplicate name, nothing selected). */
int suite_list(const struct suite_opts *o, struct suite *s);

/* The one round scheduler (plain, paired, `ab` and re-measure rounds):
 * measure the benchmarks of cur in o->processes rounds of worker processes
 * (with o->own_processes, a benchmark whose definition sets processes gets
 * that many), round-robin: all of them, or those whose entry in `only` is
 * nonzero.  With old, a benchmark whose mode is MODE_PAIRED is measured
 * with its namesake in old back to back in every round, in a balanced
 * order (suite_old_first under seed); the others are measured alone.
 * Rounds are numbered on from those already measured (on either side), so
 * a re-measurement adds processes.  A failing benchmark is reported once,
 * marked failed and not run again (nor, paired, its namesake); the others
 * go on.  Returns the number of failed benchmarks on either side. */
size_t suite_measure_rounds(const struct suite_opts *o, struct suite *cur, struct suite *old,
                            const int *only, uint64_t seed);

/* --list-counters: ask the first program which events (the candidates, or
 * o->counters) this machine counts, and print them.  Returns 0, or
 * EXIT_USAGE after one line. */
int suite_list_counters(const struct suite_opts *o);

/* Whether benchmark `name` runs the old build first in the k-th round
 * (0-based) of one call of suite_measure_rounds under `seed`: ABBA blocks
 * (old-first in k = 0 and 3 of every 4, mirrored for half the benchmarks
 * by a hash of name and seed), so that any even number of rounds has as
 * many old-first as new-first rounds and an order effect cancels instead
 * of biasing the change.  A pure function, so it can be tested. */
int suite_old_first(uint64_t seed, unsigned k, const char *name);

/* The program of `s` that runs benchmark b (by path), or NULL. */
struct program *suite_program(const struct suite *s, const struct bench_result *b);

/* 1 linear, 2 flat, or 0 (unknown) from the samples of b's processes: the
 * plan every later process of b (and of its namesake in a comparison)
 * must use, so that one benchmark has one estimator. */
int suite_plan_of(const struct bench_result *b);

/* The benchmark named `name` in `s` (NULL-safe), or NULL. */
struct bench_result *suite_find(const struct suite *s, const char *name);

/* Benchmark b's worker time-out, s: its definition's, else o's. */
double suite_timeout(const struct suite_opts *o, const struct bench_result *b);

/* With --measure instructions, b's ramp step: its definition's fixed
 * iterations, else o's (at least 1). */
uint64_t suite_step_iters(const struct suite_opts *o, const struct bench_result *b);

/* The highest round number any process of `s` ran in (0 for none). */
unsigned suite_last_round(const struct suite *s);

void suite_free(struct suite *s);

/* Free what a bench_result owns. */
void bench_result_free(struct bench_result *b);

#endif
