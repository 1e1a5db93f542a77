/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A profile's stacks exported for other tools: pprof's profile.proto,
 * gzip-compressed; speedscope's JSON file format; and a Graphviz DOT call
 * graph, rendered to SVG by graphviz's `dot` when it is installed. */
#ifndef BENCHRUN_PROFILE_EXPORT_H
#define BENCHRUN_PROFILE_EXPORT_H

#include <stdio.h>

struct profile;

/* The call graph leaves out functions under this share of the samples
 * (bytes for an allocation profile), anywhere in the stack: below it a
 * node only crowds the graph; the flame graph still has them. */
#define PROFILE_EXPORT_DOT_MIN_SHARE 0.005

/* Seconds `dot` may take on one call graph before it is killed. */
#define PROFILE_EXPORT_DOT_TIMEOUT_S 60.0

/* p's stacks as a pprof profile (google/pprof's proto/profile.proto,
 * encoded by protobuf-c), gzip-compressed, to out.  One function and one
 * location per distinct function name (ids from 1, in strcmp order of the
 * names), each sample's locations leaf first; string_table[0] is "".
 * A CPU profile has two values per sample, "samples"/"count" and
 * "cpu"/"nanoseconds" (samples times 1e9 / freq_hz, rounded; 0 without a
 * frequency), period_type "cpu"/"nanoseconds" and period 1e9 / freq_hz.
 * An allocation profile has "alloc_objects"/"count" (from p->counts, when
 * it has stacks) and "alloc_space"/"bytes", period_type "space"/"bytes"
 * and period 1 (every allocation is recorded).  Samples are in strcmp
 * order of their stacks, root first, so the same profile gives the same
 * bytes.  Returns 0, or -1 (out of memory, or a write error). */
int profile_export_pprof(FILE *out, const struct profile *p);

/* p's stacks in speedscope's file format
 * (https://www.speedscope.app/file-format-schema.json) to out: one frame
 * per distinct function name (strcmp order; ill-formed UTF-8 and control
 * characters as '?'), and a "sampled" profile named `name` whose samples
 * are frame indexes root first, in strcmp order of the stacks, weighed in
 * nanoseconds for a CPU profile with a frequency (samples otherwise, unit
 * "none"), or in bytes for an allocation profile, which has a second
 * profile weighed by allocations when p->counts has stacks.  Returns 0, or
 * -1 (out of memory, or a write error). */
int profile_export_speedscope(FILE *out, const struct profile *p, const char *name);

/* p's call graph in Graphviz's DOT language to out, titled `title`: one
 * node per function, "n<i>" by the strcmp order of the names, labelled
 * "name\nself S% (total T%)", its font size growing with the self share
 * and its fill from white to red with the total share; one edge per
 * adjacent caller and callee in a stack, labelled and thickened by the
 * samples (bytes) of the stacks holding that pair, counted once per
 * stack.  Functions whose total share is under
 * PROFILE_EXPORT_DOT_MIN_SHARE are left out, with their edges, and the
 * graph's label says how many.  Names are escaped (escape_dot).  Returns
 * 0, or -1 (out of memory, or a write error). */
int profile_export_dot(FILE *out, const struct profile *p, const char *title);

/* Render the DOT file `dot_path` as SVG into `svg_path` with graphviz's
 * `dot` from PATH (run as a worker is, killed after
 * PROFILE_EXPORT_DOT_TIMEOUT_S).  Returns 1 when rendered; 0 when dot is
 * not on PATH (one warning per run, which names the package); -1 when dot
 * failed (one warning naming the file; no SVG is left). */
int profile_export_render_dot(const char *dot_path, const char *svg_path);

#endif
