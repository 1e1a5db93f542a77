/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Profiles as sets of call stacks: folded text, self-contained SVG flame
 * graphs, top-functions tables and the differential between two profiles. */
#ifndef BENCHRUN_FLAME_H
#define BENCHRUN_FLAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One distinct call stack, root first, and the samples that ended in it. */
struct flame_stack {
	char **frames;   /* owned */
	size_t nframes;
	uint64_t count;  /* samples */
};

/* A profile: distinct stacks (identical stacks merged) and their total. */
struct flame_profile {
	struct flame_stack *stacks;  /* owned */
	size_t n, cap;
	uint64_t total;              /* samples, all stacks */
};

/* Add `count` samples of the stack frames[0] (root) .. frames[n-1] (leaf);
 * the strings are copied.  Returns 0 or -1 (out of memory). */
int flame_add(struct flame_profile *p, const char *const *frames, size_t n, uint64_t count);
void flame_free(struct flame_profile *p);

/* Folded stacks, one "root;...;leaf COUNT" line per stack, sorted by stack
 * text (the format flamegraph.pl, inferno and speedscope load).  Returns 0
 * or -1 on a write error. */
int flame_write_folded(FILE *out, const struct flame_profile *p);

/* Parse folded text (as written above) into an empty profile.  Returns 0,
 * or -1 with a one-line reason naming the line in err. */
int flame_parse_folded(const char *text, struct flame_profile *p, char *err, size_t errlen);

/* A function's share of a profile, in samples.  self: samples with it as
 * the leaf; total: samples with it anywhere in the stack, counted once per
 * sample even when it recurses. */
struct flame_func {
	char *name;  /* owned */
	uint64_t self, total;
};

/* Every function of `p`, sorted by self (then total, then name), into an
 * array owned by the caller (flame_funcs_free).  Returns the count, or -1. */
long flame_top(const struct flame_profile *p, struct flame_func **out);
void flame_funcs_free(struct flame_func *f, size_t n);

/* A self-contained SVG flame graph: frames sized by samples, the root at
 * the bottom, each frame's name and share (samples, %) in a <title> for
 * hover, warm colours chosen from the name so a function keeps its colour
 * across graphs.  Names are XML-escaped.  Returns 0 or -1. */
int flame_write_svg(FILE *out, const struct flame_profile *p, const char *title);

/* How a function's self share moved from `before` to `after`. */
struct flame_growth {
	char *name;           /* owned */
	double before, after; /* self share, 0..1 */
};

/* Every function of either profile with its self share in both, sorted by
 * growth (after - before, largest first), into an array owned by the caller
 * (flame_growth_free).  Returns the count, or -1. */
long flame_diff(const struct flame_profile *before, const struct flame_profile *after,
                struct flame_growth **out);
void flame_growth_free(struct flame_growth *g, size_t n);

/* The `after` flame graph with each frame coloured by how its share of the
 * profile (the frame's stack prefix, in samples over the total) grew since
 * `before`: red for growth, blue for shrinkage, pale for no change; the
 * <title> gives both shares.  Returns 0 or -1. */
int flame_write_diff_svg(FILE *out, const struct flame_profile *before,
                         const struct flame_profile *after, const char *title);

#endif
