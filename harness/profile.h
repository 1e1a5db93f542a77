/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sampled CPU profiles of benchmarks: which ones to profile, the separate
 * sampled worker run, symbolising its call chains into stacks, and the
 * files, tables and JSON that carry them (docs/worker-protocol.md has the
 * worker's side). */
#ifndef BENCHRUN_PROFILE_H
#define BENCHRUN_PROFILE_H

#include <jansson.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include "flame.h"
#include "protocol.h"
#include "symbols.h"

struct suite;
struct options;
struct bench_result;

/* --profile: which benchmarks get a profile. */
enum profile_mode {
	PROFILE_REGRESSED,  /* those a comparison calls regressed (default) */
	PROFILE_ALL,
	PROFILE_NONE,
	PROFILE_MATCH       /* names matching the --profile regex */
};

/* --profile-callchain: how a profile finds each sample's callers. */
enum profile_callchain {
	CALLCHAIN_AUTO,   /* frame pointers; DWARF for a benchmark whose chains
	                   * stop short (profile.c: SHORT_SHARE) */
	CALLCHAIN_FP,     /* frame pointers, walked by the kernel */
	CALLCHAIN_DWARF   /* the sampled user stack, unwound by libdwfl (unwind.h) */
};

/* Where profile files go: <report dir>/profiles, reports/ by default. */
#define PROFILE_SUBDIR "profiles"
#define PROFILE_DEFAULT_DIR "reports"

/* Where a profiled function is declared (DWARF), for the exports. */
struct profile_source {
	char *name, *file;  /* owned */
	int line;
};

/* One benchmark's profile. */
struct profile {
	char *event;            /* "cycles" or "cpu-clock"; owned */
	unsigned freq_hz;       /* requested sampling frequency */
	uint64_t samples;       /* samples the kernel delivered */
	uint64_t lost;          /* samples the kernel dropped (ring buffer full) */
	uint64_t iters;         /* iterations run while sampling */
	double loop_ns;         /* loop time while sampling, ns */
	double symbolise_s;     /* wall time spent symbolising, s */
	const char *callchain;  /* "fp" or "dwarf" (static); NULL for a stored
	                         * profile that did not say */
	double short_share;     /* of the samples, those whose chain stops short
	                         * of the benchmark's caller (the library's
	                         * br__body_call); NAN when not known */
	char *short_module;     /* the module most of those chains end in (its
	                         * file's base name), owned, or NULL */
	char *switched;         /* auto: why this benchmark was profiled again
	                         * with DWARF, owned, or NULL */
	double unwind_s;        /* dwarf: wall time unwinding, s */
	struct profile_source *sources; /* the functions with a declaration, sorted
	                         * by name; owned.  Not kept in JSON or baselines:
	                         * only the exports written now use them */
	size_t nsources;
	double stack_bytes;     /* dwarf: stack bytes per sample (mean) */
	double runtime_share;   /* of the samples, those whose leaf lies in the C
	                         * or C++ runtime, the dynamic loader or the
	                         * vDSO (by the mapping of the leaf address);
	                         * NAN when not known (a stored profile) */
	struct flame_profile stacks;   /* root = the benchmark function */
	struct flame_profile *before;  /* the stored or old build's; owned, or NULL */
	const char *before_from;       /* "baseline" or "old build" (static) */
	double before_per_iter;        /* the before's cost per iteration (ns, or
	                                * bytes for an allocation profile); 0
	                                * when it did not say */
	char *folded, *svg, *diff_svg; /* files written, or NULL; owned */
	char *pprof, *speedscope;      /* the exports (profile_export.h): pprof's
	                                * STEM.pb.gz, speedscope's
	                                * STEM.speedscope.json; owned, or NULL */
	char *dot, *dot_svg;           /* the call graph, STEM.callgraph.dot, and
	                                * dot's rendering, STEM.callgraph.svg
	                                * (NULL without graphviz); owned */
	/* An allocation profile (--profile-alloc): `stacks` weighs each stack
	 * by its bytes and `counts` by its allocations; samples is the number
	 * of allocations, bytes their bytes. */
	int alloc;
	uint64_t bytes;
	struct flame_profile counts;
	char *counts_folded;           /* owned, or NULL */
};

/* The declaration of function `name` in p, or NULL. */
const struct profile_source *profile_source_find(const struct profile *p, const char *name);

/* The profile's shape in one line, with the figures behind it, into buf:
 * "a single hotspot: f holds 72% of the self samples", "spread out: no
 * function holds more than 9%, the top ten 41%", "runtime or library
 * overhead: 63% of the samples in libc, the loader or the vDSO", "call
 * overhead: stacks 14 frames deep on average, no function over 12%", or
 * "a few hot functions: the top three hold 80%".  Returns buf. */
char *profile_shape(char *buf, size_t len, const struct profile *p);

/* The shape p's "before" had (its stacks; the runtime share is not kept
 * for it), into buf; NULL when p has no before. */
char *profile_before_shape(char *buf, size_t len, const struct profile *p);

/* What one iteration of p's loop cost while recorded: ns of loop time, or
 * bytes for an allocation profile; NAN when it did not say. */
double profile_per_iter(const struct profile *p);

/* The stack of a call chain once symbolised, root first: names[0..n) cut
 * just below the deepest frame named `br__body_call` (the library's call of
 * the benchmark body), so the benchmark function is the root.  Without such
 * a frame (a library without symbols) nothing is cut.  Returns the index of
 * the first frame kept. */
size_t profile_cut(const char *const *names, size_t n);

/* Symbolise every chain of a worker's profile `raw` (worker.h reads it)
 * into `out` (an empty profile) through its maps.  Returns 0, or -1 with a
 * reason in err. */
int profile_symbolise(struct protocol_profile *raw, struct flame_profile *out,
                      char *err, size_t errlen);

/* The same with each chain weighted by its bytes (an allocation profile)
 * when by_bytes, else by its count. */
int profile_symbolise_weighted(struct protocol_profile *raw, struct flame_profile *out,
                               int by_bytes, char *err, size_t errlen);

/* The same for a CPU profile, its dwarf samples unwound first, filling
 * p's stacks, runtime share, short-chain share and module, and the
 * unwinding figures. */
int profile_symbolise_into(struct protocol_profile *raw, struct profile *p,
                           char *err, size_t errlen);

/* Parse a --profile value.  Returns 0 and sets *mode (and compiles `re` for
 * PROFILE_MATCH), or -1 after one line naming the problem. */
int profile_parse_mode(const char *v, enum profile_mode *mode, regex_t *re);

/* Profile what `o` selects among the measured benchmarks of `cur` (for
 * PROFILE_REGRESSED: those compared as regressed), write each one's folded
 * stacks and flame graphs under the profile directory, and attach them.
 * `base`: the stored results (their profiles are the "before"), or NULL;
 * `old`: the old build measured now in a paired run, profiled for the
 * "before" when the baseline has none, or NULL.  A kernel that refuses perf
 * events, or a profile run that fails, gives one warning and no profile;
 * the results and the exit status stand.  Returns the count profiled. */
/* Whether --profile selects b (measured, not failed; regressed, all, or
 * matching). */
int profile_selected(const struct options *o, const regex_t *re, const struct bench_result *b);

/* The folder profiles go to (the --report folder's profiles/, else
 * reports/profiles/), made, and emptied of an earlier run's files the first time a run asks; owned by
 * the caller, or NULL after a message. */
char *profile_dir(const struct options *o);

/* Write p's folded stacks, flame graph, (with a "before") differential,
 * and its exports for pprof, speedscope and Graphviz (the call graph,
 * rendered when graphviz's dot is on PATH) into dir, stems from benchmark
 * `name`, and record the files in p. */
void profile_write_files(const char *dir, const char *name, struct profile *p);

/* --profile-alloc: the allocation profiles of the benchmarks o selects
 * (o->alloc_mode, with re for a regex; regressed: those whose memory
 * figures regressed), each one worker run recording every allocation's
 * stack, written as STEM.alloc.folded and .alloc.svg (by bytes: where the
 * bytes come from), STEM.alloc-count.folded (by allocations) and, against
 * the old build of a paired run (or the baseline's stored one), a
 * differential.  Attached to each benchmark's `alloc`; returns the count. */
size_t profile_alloc_suite(const struct options *o, const regex_t *re, struct suite *cur,
                           const struct suite *base, const struct suite *old);

/* Under the comparison: each allocation profile's total per iteration and
 * its top `top` sites by bytes. */
void profile_alloc_print(FILE *out, const struct suite *s, size_t top);

size_t profile_suite(const struct options *o, const regex_t *re, struct suite *cur,
                     const struct suite *base, const struct suite *old);

/* Under the comparison: per profiled benchmark, the samples and event, the
 * top `top` functions (self %, total %), the functions whose share grew
 * most when there is a "before", and the files. */
void profile_print(FILE *out, const struct suite *s, size_t top);

/* The profile as JSON (event, counts, files, top functions and every stack,
 * so a baseline keeps it), and back.  profile_from_json returns 0, or -1
 * with a reason naming the field in err. */
json_t *profile_to_json(const struct profile *p);
int profile_from_json(json_t *o, struct profile **out, char *err, size_t errlen);

void profile_free(struct profile *p);

#endif
