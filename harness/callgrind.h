/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The instruction measure (--measure instructions): each worker runs under
 * Valgrind's callgrind with instrumentation and collection off; the
 * library collects inside the measured loop only and dumps the counts after
 * every sample (lib/callgrind.c).  This module finds valgrind, makes its
 * command line, and puts the dumped instruction counts in place of the
 * samples' times, so that analysis, gate, store and reports treat them as
 * they treat time. */
#ifndef BENCHRUN_CALLGRIND_H
#define BENCHRUN_CALLGRIND_H

#include <jansson.h>
#include "results.h"

struct callgrind {
	char *valgrind;        /* path of the valgrind program, owned */
	char *dir;             /* private folder for the dump files, owned */
	char *out_opt;         /* "--callgrind-out-file=DIR/cg.out", owned */
	int cache_sim;         /* simulate caches and branch prediction too */
};

/* Find valgrind in PATH and make the dump folder.  0, or EXIT_USAGE after
 * one line (valgrind missing names the package). */
int callgrind_open(struct callgrind *cg, int cache_sim);

/* Remove the dump files of the last worker. */
void callgrind_clear(const struct callgrind *cg);

/* Remove the dump folder and free. */
void callgrind_close(struct callgrind *cg);

/* The words that run a worker under callgrind, before its own argv, into
 * argv[0 .. max); their count (0 when max is too small). */
size_t callgrind_argv(const struct callgrind *cg, const char **argv, size_t max);

/* What one dump file says: the sample its trigger names ("benchrun sample
 * K"; 0 when another trigger wrote it) and the totals of its events. */
#define CALLGRIND_EVENTS_MAX 24
struct callgrind_dump {
	unsigned sample;
	size_t n;
	char names[CALLGRIND_EVENTS_MAX][16];  /* "Ir", "Dr", "I1mr", ... */
	double v[CALLGRIND_EVENTS_MAX];
};

/* Read one dump file.  0, or -1 with a reason in why[n]. */
int callgrind_read_dump(const char *path, struct callgrind_dump *d, char *why, size_t n);

/* The total of event `name` in d; NAN when the dump has no such event. */
double callgrind_event(const struct callgrind_dump *d, const char *name);

/* With cache simulation: the figures benchrun reports beside Ir, as
 * counter columns named callgrind_sim_names[] (all per sample; the
 * analysis makes them per iteration): instruction and data misses in the
 * first-level caches and the last-level cache, mispredicted branches
 * (conditional and indirect), and estimated cycles, weighted as
 * iai-callgrind weighs them: an L1 hit 1, an LL hit 5, a memory access 35
 * (L1 hits = Ir + Dr + Dw - L1 misses; LL hits = L1 misses - LL misses;
 * memory accesses = LL misses).  Pure; NAN where the dump lacks an
 * event. */
#define CALLGRIND_SIM_N 6
extern const char *const callgrind_sim_names[CALLGRIND_SIM_N];
void callgrind_simulated(const struct callgrind_dump *d, double out[CALLGRIND_SIM_N]);

/* After a worker that took r->nsamples samples: read each sample's dump,
 * check that it is that sample's, and replace the sample's time with its
 * instruction count (Ir); with cache simulation, also fill r's counter
 * columns with the simulated figures, and describe them in *ctr / *nctr
 * (the worker's, empty in this mode) when they are not there yet.  The
 * dump files are removed.  0, or -1 with a reason (owned by the caller)
 * in *why. */
int callgrind_take(const struct callgrind *cg, struct proc_run *r,
                   struct counter_result **ctr, size_t *nctr, char **why);

/* ---- Instructions per function ---------------------------------------- */

/* One function's instructions in a dump (or per iteration, once divided):
 * self, and inclusive of what it called. */
struct callgrind_fn {
	char *name;            /* owned */
	double self, incl;
};

/* A call from one function to another and its inclusive Ir. */
struct callgrind_edge {
	char *caller, *callee; /* owned */
	double incl;
};

struct callgrind_fns {
	struct callgrind_fn *f; /* owned, sorted by name */
	size_t n;
	struct callgrind_edge *e; /* owned, sorted by caller, then callee */
	size_t ne;
};

/* The Ir of every function in a dump file (callgrind's format: fn= blocks
 * of cost lines, calls= lines whose next cost line is a call's inclusive
 * cost; names may be compressed as "(id) name" and later "(id)").  0, or
 * -1 with a reason in why[n]. */
int callgrind_read_functions(const char *path, struct callgrind_fns *out, char *why,
                             size_t n);
void callgrind_fns_free(struct callgrind_fns *f);

/* Per iteration from two dumps of one loop that ran `iters` more
 * iterations in `b` than in `a`: (b - a) / iters for every function in
 * either, so the loop's fixed cost cancels.  0 or -1 (out of memory). */
int callgrind_fns_per_iter(const struct callgrind_fns *a, const struct callgrind_fns *b,
                           double iters, struct callgrind_fns *out);

/* Call stacks of Ir for a flame graph, from the functions and calls of
 * f (per iteration): each root (a function with Ir that no call reaches:
 * the benchmark body, whose call came before collection began) expanded
 * down its calls, a callee's cost split over its callers in proportion to
 * the Ir of each call (exact when every function has one caller, as
 * gprof's propagation is otherwise), Ir rounded to whole instructions.
 * Stacks start below the library's call of the benchmark body; a
 * recursive call adds nothing (its Ir are the function's own), and a
 * stack past 64 frames ends there.
 * 0, or -1 when out of memory (out freed). */
struct flame_profile;
int callgrind_flame(const struct callgrind_fns *f, struct flame_profile *out);

/* The functions of f by self Ir, most first (ties by name), into *out
 * (owned by the caller, names borrowed); their count, -1 when out of
 * memory.  Pure. */
long callgrind_top(const struct callgrind_fns *f, struct callgrind_fn **out);

/* One function's change between two builds, per iteration. */
struct callgrind_change {
	const char *name;      /* owned by the fns it came from */
	double old_self, new_self, old_incl, new_incl;
};

/* The functions whose self Ir per iteration changed between `before` and
 * `after`, largest change first (ties by name), into *out (owned by the
 * caller, names borrowed).  Returns their count, or -1 when out of memory.
 * Pure. */
long callgrind_diff(const struct callgrind_fns *before, const struct callgrind_fns *after,
                    struct callgrind_change **out);

/* A benchmark's instructions per function, now and, when there is one,
 * before (the old build), with the callgrind files written for them. */
struct callgrind_profile {
	struct callgrind_fns after, before;
	int have_before;
	char *file, *before_file;  /* owned, or NULL when not written */
	char *folded, *svg, *diff_svg; /* stacks of Ir per iteration and their
	                           * flame graphs (callgrind_flame); owned or NULL */
};

void callgrind_profile_free(struct callgrind_profile *p);

/* Write dir/stem.ir.folded and dir/stem.ir.svg from p->after and, with a
 * before, dir/stem.ir-diff.svg (the profile writers of flame.h), titled
 * with the benchmark's name; the paths go into p.  A file that cannot be
 * written gives one message and stays NULL. */
void callgrind_profile_write(struct callgrind_profile *p, const char *dir, const char *stem,
                             const char *name);

/* Under a benchmark: the functions whose instructions per iteration
 * changed most since the old build ("+1204 Ir/iter in lz4_compress_generic
 * (+3.1 %)"), or without an old build the functions with most self Ir; and
 * the files.  At most `top` lines of functions. */
void callgrind_profile_print(FILE *out, const char *name, const struct callgrind_profile *p,
                             size_t top);

/* The benchmark's "instruction_profile" object (docs/json-schema.md): the
 * changed functions (all), the top `top` functions now, and the files.
 * A new reference. */
json_t *callgrind_profile_json(const struct callgrind_profile *p, size_t top);

#endif
