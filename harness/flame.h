/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Profiles as sets of call stacks: folded text, self-contained SVG flame
 * graphs, top-functions tables and the differential between two profiles. */
#ifndef BENCHRUN_FLAME_H
#define BENCHRUN_FLAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hash.h"

/* One distinct call stack, root first, and the samples that ended in it. */
struct flame_stack {
	char **frames;   /* owned, with its strings, as one block (flame_free) */
	size_t nframes;
	uint64_t count;  /* samples */
};

/* A profile: distinct stacks (identical stacks merged) and their total.
 * Start from a zeroed struct and grow it only through flame_add or
 * flame_parse_folded, which keep `index` in step: the fields are
 * read-only to everyone else. */
struct flame_profile {
	struct flame_stack *stacks;  /* owned */
	size_t n, cap;
	uint64_t total;              /* samples, all stacks */
	struct hash_index index;     /* stacks by their frames; owned */
};

/* Add `count` samples of the stack frames[0] (root) .. frames[n-1] (leaf),
 * n >= 1, merged into an identical stack already there (same names, same
 * order; a hash lookup); the strings are copied.  Adding 0 samples does
 * nothing.  A stack's count and the total are held at UINT64_MAX rather
 * than wrapping past it (so are the sums the writers below make).
 * Returns 0 or -1 (out of memory). */
int flame_add(struct flame_profile *p, const char *const *frames, size_t n, uint64_t count);
/* Free what p owns and leave it zeroed (empty, ready for reuse). */
void flame_free(struct flame_profile *p);

/* Folded stacks, one "root;...;leaf COUNT" line per stack, sorted by stack
 * text with strcmp (the format flamegraph.pl, inferno and speedscope load).
 * So that no name breaks a line, ';' in a name is written ':', control
 * characters '?', and an empty name "?"; stacks that then read the same
 * share one line with their counts summed.  Deterministic: the same
 * profile gives the same bytes whatever the order of adding.  Returns 0
 * or -1 on a write error (out is flushed and checked). */
int flame_write_folded(FILE *out, const struct flame_profile *p);

/* Parse folded text (as written above) into an empty profile.  The count
 * follows the last space of a line (names may hold spaces); it must be
 * decimal digits, 1 to 2^64-1, with nothing after; frames must not be
 * empty.  Blank lines are skipped and "\r\n" ends a line like "\n"; empty
 * text gives an empty profile.  Returns 0, or -1 with "line N: reason" in
 * err (truncated to errlen) and p left empty. */
int flame_parse_folded(const char *text, struct flame_profile *p, char *err, size_t errlen);

/* A function's share of a profile, in samples.  self: samples with it as
 * the leaf; total: samples with it anywhere in the stack, counted once per
 * sample even when it recurses. */
struct flame_func {
	char *name;  /* owned */
	uint64_t self, total;
};

/* Every function of `p`, sorted by self (then total, then name), into an
 * array owned by the caller (flame_funcs_free, also when the count is 0).
 * Returns the count, or -1 (out of memory). */
long flame_top(const struct flame_profile *p, struct flame_func **out);
void flame_funcs_free(struct flame_func *f, size_t n);

/* A self-contained SVG flame graph (no script, no external font), laid out
 * like flamegraph.pl's: 1200 pixels wide, 16 per level, a root "all" at
 * the bottom, frames sized by samples.  At each level siblings with the
 * same name are merged and ordered by name, left to right.  Each frame
 * has a <title> "name (N samples, P%)" for hover and a label cut with ".."
 * to its width (none under 20 px); frames under 0.1 px are not drawn, but
 * their samples count in their parent.  Warm colours are chosen from a
 * hash of the name so a function keeps its colour across graphs.  Names
 * and the title are XML-escaped and ill-formed UTF-8 becomes '?'.  An
 * empty profile gives a graph that says "no samples".  Returns 0 or -1
 * (a write error, or out of memory). */
int flame_write_svg(FILE *out, const struct flame_profile *p, const char *title);

/* How a function's self share moved from `before` to `after`. */
struct flame_growth {
	char *name;           /* owned */
	double before, after; /* self share, 0..1; times its profile's scale
	                       * with flame_diff_scaled */
};

/* Every function of either profile with its self share in both (self
 * samples over the profile's total; 0 for an empty profile), sorted by
 * growth (after - before, largest first, then name), into an array owned
 * by the caller (flame_growth_free, also when the count is 0); a function
 * that is never a leaf is listed with 0 and 0.  Returns the count, or -1
 * (out of memory). */
long flame_diff(const struct flame_profile *before, const struct flame_profile *after,
                struct flame_growth **out);

/* The same with each profile's shares multiplied by its scale (its cost
 * per iteration: ns, or bytes for an allocation profile), so that growth
 * is the change in each function's own cost per iteration: a function
 * called twice as often grows though every share stays the same. */
long flame_diff_scaled(const struct flame_profile *before, double before_scale,
                       const struct flame_profile *after, double after_scale,
                       struct flame_growth **out);
void flame_growth_free(struct flame_growth *g, size_t n);

/* The `after` flame graph with each frame coloured by how its share of the
 * profile (the frame's stack prefix, in samples over the total) grew since
 * `before`: red for growth, blue for shrinkage, deeper up to 10 points,
 * near-white under half a point; the <title> reads "name: before B%,
 * after A% (+D points)".  Frames only in `before` are not drawn (the
 * graph has the layout of `after`; flame_diff lists them).  Returns 0 or
 * -1, as flame_write_svg. */
int flame_write_diff_svg(FILE *out, const struct flame_profile *before,
                         const struct flame_profile *after, const char *title);

#endif
