/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a profile leaves behind: its folder and files (folded stacks, flame
 * graphs, the differential, and the exports for pprof, speedscope and
 * Graphviz), the tables under the comparison, and its JSON (both ways: a
 * baseline keeps every stack). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "escape.h"
#include "files.h"
#include "msg.h"
#include "options.h"
#include "profile.h"
#include "profile_export.h"
#include "suite.h"
#include "units.h"

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		msg_error(path, "cannot create the profile directory: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* What the writers below get: the profile, the file's title and the
 * benchmark's name. */
struct put_ctx {
	const struct profile *p;
	const char *title;
	const char *name;
};

static int put_folded(FILE *f, const void *ctx)
{
	return flame_write_folded(f, &((const struct put_ctx *)ctx)->p->stacks);
}

static int put_svg(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return flame_write_svg(f, &c->p->stacks, c->title);
}

static int put_diff_svg(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return flame_write_diff_svg(f, c->p->before, &c->p->stacks, c->title);
}

static int put_pprof(FILE *f, const void *ctx)
{
	return profile_export_pprof(f, ((const struct put_ctx *)ctx)->p);
}

static int put_speedscope(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return profile_export_speedscope(f, c->p, c->name);
}

static int put_dot(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return profile_export_dot(f, c->p, c->title);
}

/* Remove what an earlier run profiled into dir: the files this module
 * writes (.folded and .svg, differentials included; the exports' .pb.gz,
 * .speedscope.json and .dot) and the instruction
 * measure's callgrind files (.callgrind), nothing else.  Names
 * are stems of benchmark names, so without this a benchmark profiled then
 * and not now would leave its graph next to this run's. */
static void clear_earlier_run(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *path;
		if (!((len > 7 && !strcmp(e->d_name + len - 7, ".folded")) ||
		      (len > 4 && !strcmp(e->d_name + len - 4, ".svg")) ||
		      (len > 6 && !strcmp(e->d_name + len - 6, ".pb.gz")) ||
		      (len > 16 && !strcmp(e->d_name + len - 16, ".speedscope.json")) ||
		      (len > 4 && !strcmp(e->d_name + len - 4, ".dot")) ||
		      (len > 10 && !strcmp(e->d_name + len - 10, ".callgrind"))))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (unlink(path) != 0 && errno != ENOENT)
			msg_warn(path, "cannot remove an earlier run's profile: %s", strerror(errno));
		free(path);
	}
	if (d)
		closedir(d);
}

/* The profile directory, created and emptied of an earlier run's
 * profiles: <report dir>/profiles. */
char *profile_dir(const struct options *o)
{
	/* One run asks for the folder once per kind of profile (CPU,
	 * allocations, counted instructions): only the first empties it, or
	 * each would delete the files the one before it wrote. */
	static int cleared;
	const char *top = o->report_dir ? o->report_dir : PROFILE_DEFAULT_DIR;
	char *dir;

	if (mkdir_one(top) != 0 || asprintf(&dir, "%s/%s", top, PROFILE_SUBDIR) < 0)
		return NULL;
	if (mkdir_one(dir) != 0) {
		free(dir);
		return NULL;
	}
	if (!cleared++)
		clear_earlier_run(dir);
	return dir;
}

static int put_counts_folded(FILE *f, const void *ctx)
{
	return flame_write_folded(f, &((const struct put_ctx *)ctx)->p->counts);
}

static int put_counts_svg(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return flame_write_svg(f, &c->p->counts, c->title);
}

/* The exports of p (profile_export.h): pprof, speedscope and the call
 * graph, rendered by dot when it is installed. */
static void write_exports(const char *dir, const char *stem, const char *kind,
                          const struct put_ctx *ctx, struct profile *p)
{
	char ext[48];

	snprintf(ext, sizeof ext, "%s.pb.gz", kind);
	p->pprof = files_write(dir, stem, ext, put_pprof, ctx);
	snprintf(ext, sizeof ext, "%s.speedscope.json", kind);
	p->speedscope = files_write(dir, stem, ext, put_speedscope, ctx);
	snprintf(ext, sizeof ext, "%s.callgraph.dot", kind);
	if (!(p->dot = files_write(dir, stem, ext, put_dot, ctx)))
		return;
	if (asprintf(&p->dot_svg, "%s/%s%s.callgraph.svg", dir, stem, kind) < 0)
		p->dot_svg = NULL;
	else if (profile_export_render_dot(p->dot, p->dot_svg) != 1) {
		free(p->dot_svg);
		p->dot_svg = NULL;
	}
}

void profile_write_files(const char *dir, const char *name, struct profile *p)
{
	char stem[64], title[512];
	struct put_ctx ctx = {p, title, name};
	const char *kind = p->alloc ? ".alloc" : "";
	char ext[32];

	escape_file_stem(stem, sizeof stem, name);
	if (p->alloc)
		snprintf(title, sizeof title, "%s: where the bytes come from (%llu allocations, "
		         "%llu bytes in %llu iterations)", name, (unsigned long long)p->samples,
		         (unsigned long long)p->bytes, (unsigned long long)p->iters);
	else
		snprintf(title, sizeof title, "%s: %llu samples of %s at %u Hz", name,
		         (unsigned long long)p->samples, p->event ? p->event : "?", p->freq_hz);
	snprintf(ext, sizeof ext, "%s.folded", kind);
	p->folded = files_write(dir, stem, ext, put_folded, &ctx);
	snprintf(ext, sizeof ext, "%s.svg", kind);
	p->svg = files_write(dir, stem, ext, put_svg, &ctx);
	write_exports(dir, stem, kind, &ctx, p);
	if (p->alloc) {
		char *svg;
		snprintf(title, sizeof title, "%s: where the allocations come from (%llu "
		         "allocations in %llu iterations)", name, (unsigned long long)p->samples,
		         (unsigned long long)p->iters);
		p->counts_folded = files_write(dir, stem, ".alloc-count.folded", put_counts_folded,
		                               &ctx);
		free(svg = files_write(dir, stem, ".alloc-count.svg", put_counts_svg, &ctx));
	}
	if (p->before && p->before->total) {
		snprintf(title, sizeof title, "%s: what changed since the %s (red: grew)", name,
		         p->before_from);
		snprintf(ext, sizeof ext, "%s-diff.svg", kind);
		p->diff_svg = files_write(dir, stem, ext, put_diff_svg, &ctx);
	}
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The sampled loop's time per iteration over the measured estimate. */
static double sampled_ratio(const struct bench_result *b)
{
	const struct profile *p = b->prof.cpu;

	if (!p->iters || !b->analysis.done || !(b->analysis.an.slope.point > 0))
		return NAN;
	return p->loop_ns / (double)p->iters / b->analysis.an.slope.point;
}

/* A sample's cost to the loop: what the sampled loop took beyond its
 * iterations at the measured estimate, per sample; NAN when not known. */
static double per_sample_ns(const struct bench_result *b)
{
	const struct profile *p = b->prof.cpu;

	if (!p->iters || !p->samples || !b->analysis.done || !(b->analysis.an.slope.point > 0))
		return NAN;
	return (p->loop_ns - (double)p->iters * b->analysis.an.slope.point) / (double)p->samples;
}

/* Above this a sample's apparent cost is more than a sample's interrupt
 * costs (a few microseconds with a frame-pointer chain, some more with an
 * 8 KiB stack copy): something else had the CPU while the loop was
 * sampled. */
#define SAMPLE_COST_MAX_NS 20e3

/* Why the sampled loop ran slower (or not) than the timed samples. */
static void print_overhead(FILE *out, const struct bench_result *b)
{
	double ns = per_sample_ns(b);
	char t[32];

	if (!isfinite(ns) || ns <= 0)
		return;
	fprintf(out, "  sampling cost %s per sample: ", units_time(t, sizeof t, ns));
	if (ns > SAMPLE_COST_MAX_NS)
		fputs("more than an interrupt costs, so the machine was busy while it sampled "
		      "(the profile's shares stand; its times per iteration are high)\n", out);
	else
		fprintf(out, "each sample interrupts the loop%s\n",
		        b->prof.cpu->callchain && !strcmp(b->prof.cpu->callchain, "dwarf")
		        ? " and copies its stack" : "");
}

/* How the call chains were found, and how far they reach. */
static void print_callchain(FILE *out, const struct profile *p)
{
	char by[32];

	if (!p->callchain)
		return;
	fprintf(out, "  call chains: %s", p->callchain);
	if (!strcmp(p->callchain, "dwarf"))
		fprintf(out, " (%s of stack per sample, unwound in %.2f s)",
		        units_bytes(by, sizeof by, p->stack_bytes), p->unwind_s);
	if (isfinite(p->short_share) && p->short_share > 0)
		fprintf(out, "; %.0f%% stop short of the benchmark%s%s", 100 * p->short_share,
		        p->short_module ? ", mostly in " : "", p->short_module ? p->short_module : "");
	if (p->switched)
		fprintf(out, "; dwarf because %s", p->switched);
	fputc('\n', out);
}

static void print_top(FILE *out, const struct profile *p, size_t top)
{
	struct flame_func *f = NULL;
	long n = flame_top(&p->stacks, &f);

	double per = profile_per_iter(p);  /* ns of loop per iteration, or NAN */

	if (isfinite(per) && !p->alloc) {
		/* each share of the samples times the iteration's time: what the
		 * function costs an iteration, its own and with its callees */
		fprintf(out, "  %7s  %7s  %10s  %10s  %s\n", "self", "total", "self/iter",
		        "total/iter", "function");
		for (long i = 0; i < n && (size_t)i < top; i++) {
			char s[32], t[32];
			fprintf(out, "  %6.1f%%  %6.1f%%  %10s  %10s  %s\n",
			        pct(f[i].self, p->stacks.total), pct(f[i].total, p->stacks.total),
			        units_time(s, sizeof s, per * pct(f[i].self, p->stacks.total) / 100),
			        units_time(t, sizeof t, per * pct(f[i].total, p->stacks.total) / 100),
			        f[i].name);
		}
	} else {
		fprintf(out, "  %7s  %7s  %s\n", "self", "total", "function");
		for (long i = 0; i < n && (size_t)i < top; i++)
			fprintf(out, "  %6.1f%%  %6.1f%%  %s\n", pct(f[i].self, p->stacks.total),
			        pct(f[i].total, p->stacks.total), f[i].name);
	}
	if (n > 0)
		flame_funcs_free(f, (size_t)n);
}

/* Whether p and its before both say what an iteration cost, so functions
 * compare by their own cost per iteration rather than by shares. */
static int per_iter_known(const struct profile *p)
{
	double a = profile_per_iter(p);

	return a > 0 && isfinite(a) && p->before_per_iter > 0 && isfinite(p->before_per_iter);
}

/* A function's cost per iteration, in the profile's unit. */
static char *cost(char *buf, size_t len, const struct profile *p, double v)
{
	return p->alloc ? units_bytes(buf, len, v) : units_time(buf, len, v);
}

static void print_growth(FILE *out, const struct profile *p, size_t top)
{
	struct flame_growth *g = NULL;
	int scaled = per_iter_known(p);
	long n = scaled ? flame_diff_scaled(p->before, p->before_per_iter, &p->stacks,
	                                    profile_per_iter(p), &g)
	                : flame_diff(p->before, &p->stacks, &g);
	size_t shown = 0;
	char b[32], a[32], d[32];

	fprintf(out, "  grew most since the %s (%s):\n  %10s  %10s  %10s  %s\n", p->before_from,
	        scaled ? p->alloc ? "self bytes per iteration" : "self time per iteration"
	               : "self share", "before", "after", "change", "function");
	for (long i = 0; i < n && shown < top && g[i].after - g[i].before > 0; i++, shown++) {
		if (scaled) {
			cost(b, sizeof b, p, g[i].before);
			cost(a, sizeof a, p, g[i].after);
			cost(d + 1, sizeof d - 1, p, g[i].after - g[i].before);
			d[0] = '+';
		} else {
			snprintf(b, sizeof b, "%.1f%%", 100 * g[i].before);
			snprintf(a, sizeof a, "%.1f%%", 100 * g[i].after);
			snprintf(d, sizeof d, "%+.1f", 100 * (g[i].after - g[i].before));
		}
		fprintf(out, "  %10s  %10s  %10s  %s\n", b, a, d, g[i].name);
	}
	if (!shown)
		fprintf(out, "  (no function's %s grew)\n", scaled ? "cost" : "share");
	if (n > 0)
		flame_growth_free(g, (size_t)n);
}

/* The exports' files, under the flame graph's: those written. */
static void print_exports(FILE *out, const struct profile *p)
{
	const char *what[] = {"pprof", "speedscope", "call graph", "call graph SVG"};
	const char *path[] = {p->pprof, p->speedscope, p->dot, p->dot_svg};
	int any = 0;

	for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
		if (path[i])
			fprintf(out, "%s%s: %s", any++ ? "  " : "  exports: ", what[i], path[i]);
	if (any)
		fputc('\n', out);
}

void profile_print(FILE *out, const struct suite *s, size_t top)
{
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		const struct profile *p = b->prof.cpu;
		double ratio;
		char shape[256], was[256];

		if (!p || !p->folded)
			continue;
		fputs("\nprofile ", out);
		escape_term(out, b->name, 0);
		fprintf(out, ": %llu samples of %s at %u Hz, %llu lost",
		        (unsigned long long)p->samples, p->event ? p->event : "?", p->freq_hz,
		        (unsigned long long)p->lost);
		if (isfinite(ratio = sampled_ratio(b)))
			fprintf(out, "; sampled loop %+.1f%% against the timed samples",
			        100 * (ratio - 1));
		fputc('\n', out);
		print_overhead(out, b);
		print_callchain(out, p);
		print_top(out, p, top);
		fprintf(out, "  shape: %s\n", profile_shape(shape, sizeof shape, p));
		if (profile_before_shape(was, sizeof was, p) && strcmp(was, shape) != 0)
			fprintf(out, "  shape before (%s): %s\n", p->before_from, was);
		if (p->before && p->before->total)
			print_growth(out, p, top);
		fprintf(out, "  flame graph: %s%s%s\n", p->svg ? p->svg : "(not written)",
		        p->diff_svg ? "  differential: " : "", p->diff_svg ? p->diff_svg : "");
		print_exports(out, p);
	}
}

void profile_alloc_print(FILE *out, const struct suite *s, size_t top)
{
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		const struct profile *p = b->prof.alloc;
		struct flame_func *f = NULL;
		double per = p && p->iters ? (double)p->iters : 1;
		char bytes[32];
		long n;

		if (!p || !p->folded)
			continue;
		fputs("\nallocation profile ", out);
		escape_term(out, b->name, 0);
		fprintf(out, ": %.4g allocations and %s per iteration (%llu iterations recorded)\n",
		        (double)p->samples / per, units_bytes(bytes, sizeof bytes,
		                                              (double)p->bytes / per),
		        (unsigned long long)p->iters);
		fprintf(out, "  %7s  %12s  %s\n", "bytes", "B/iter", "allocating function (self)");
		n = flame_top(&p->stacks, &f);
		for (long k = 0; k < n && (size_t)k < top && f[k].self; k++)
			fprintf(out, "  %6.1f%%  %12s  %s\n", pct(f[k].self, p->stacks.total),
			        units_bytes(bytes, sizeof bytes, (double)f[k].self / per), f[k].name);
		if (n > 0)
			flame_funcs_free(f, (size_t)n);
		if (p->before && p->before->total)
			print_growth(out, p, top);
		fprintf(out, "  flame graph (bytes): %s%s%s\n", p->svg ? p->svg : "(not written)",
		        p->diff_svg ? "  differential: " : "", p->diff_svg ? p->diff_svg : "");
		print_exports(out, p);
	}
}

/* The thresholds of the shapes, each with its reason:
 * - a single hotspot: one function holds half the self samples or more,
 *   so speeding it up is most of what there is to win;
 * - runtime or library overhead: half the samples or more end in the C or
 *   C++ runtime, the loader or the vDSO, so the cost is in what the code
 *   asks of them (allocations, copies, clock reads), not in its own loops;
 * - call overhead: stacks 10 frames or more deep on average under the
 *   benchmark function while no function holds a quarter, the mark of
 *   chains of small functions whose calls and returns are the cost;
 * - spread out: no function holds 15 % and the top ten hold under half,
 *   so there is no single place to look. */
#define SHAPE_HOTSPOT 0.5
#define SHAPE_RUNTIME 0.5
#define SHAPE_DEEP 10.0
#define SHAPE_DEEP_TOP 0.25
#define SHAPE_SPREAD_TOP 0.15
#define SHAPE_SPREAD_TEN 0.5

char *profile_shape(char *buf, size_t len, const struct profile *p)
{
	struct flame_func *f = NULL;
	long n = flame_top(&p->stacks, &f);
	double total = (double)p->stacks.total, top1, top3 = 0, top10 = 0, depth = 0;

	if (n <= 0 || !p->stacks.total) {
		snprintf(buf, len, "no samples");
		flame_funcs_free(f, n > 0 ? (size_t)n : 0);
		return buf;
	}
	for (long i = 0; i < n && i < 10; i++) {
		top10 += (double)f[i].self / total;
		if (i < 3)
			top3 += (double)f[i].self / total;
	}
	top1 = (double)f[0].self / total;
	for (size_t i = 0; i < p->stacks.n; i++)
		depth += (double)p->stacks.stacks[i].count * (double)p->stacks.stacks[i].nframes;
	depth /= total;
	if (!p->alloc && p->runtime_share >= SHAPE_RUNTIME)
		snprintf(buf, len, "runtime or library overhead: %.0f%% of the samples end in the "
		         "C or C++ runtime, the loader or the vDSO", 100 * p->runtime_share);
	else if (top1 >= SHAPE_HOTSPOT)
		snprintf(buf, len, "a single hotspot: %s holds %.0f%% of the self %s", f[0].name,
		         100 * top1, p->alloc ? "bytes" : "samples");
	else if (depth >= SHAPE_DEEP && top1 < SHAPE_DEEP_TOP)
		snprintf(buf, len, "call overhead: stacks %.1f frames deep on average, no function "
		         "over %.0f%%", depth, 100 * top1);
	else if (top1 < SHAPE_SPREAD_TOP && top10 < SHAPE_SPREAD_TEN)
		snprintf(buf, len, "spread out: no function holds more than %.0f%%, the top ten "
		         "%.0f%%", 100 * top1, 100 * top10);
	else
		snprintf(buf, len, "a few hot functions: the top three hold %.0f%%", 100 * top3);
	flame_funcs_free(f, (size_t)n);
	return buf;
}

char *profile_before_shape(char *buf, size_t len, const struct profile *p)
{
	struct profile before = {0};

	if (!p->before || !p->before->total)
		return NULL;
	before.stacks = *p->before;
	before.alloc = p->alloc;
	before.runtime_share = NAN;
	return profile_shape(buf, len, &before);
}

/* The folded stacks as one string (the .folded file's text). */
static char *folded_text(const struct flame_profile *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int bad;

	if (!m)
		return NULL;
	bad = flame_write_folded(m, f) != 0;
	if (fclose(m) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The top functions of f; with per (the cost of an iteration: ns, or
 * bytes), each one's own and total cost per iteration too. */
static json_t *top_json(const struct flame_profile *f, size_t top, double per)
{
	struct flame_func *fn = NULL;
	long n = flame_top(f, &fn);
	json_t *a = json_array();

	for (long i = 0; a && i < n && (size_t)i < top; i++) {
		json_t *o = json_pack("{s:s, s:I, s:I, s:f, s:f}", "function", fn[i].name, "self",
		                      (json_int_t)fn[i].self, "total", (json_int_t)fn[i].total,
		                      "self_pct", pct(fn[i].self, f->total), "total_pct",
		                      pct(fn[i].total, f->total));
		if (o && isfinite(per)) {
			json_object_set_new(o, "self_per_iter", json_real(per * pct(fn[i].self,
			                                                            f->total) / 100));
			json_object_set_new(o, "total_per_iter", json_real(per * pct(fn[i].total,
			                                                             f->total) / 100));
		}
		json_array_append_new(a, o);
	}
	if (n > 0)
		flame_funcs_free(fn, (size_t)n);
	return a;
}

static json_t *growth_json(const struct profile *p, size_t top)
{
	struct flame_growth *g = NULL, *c = NULL;
	long n = flame_diff(p->before, &p->stacks, &g);
	long m = per_iter_known(p) ? flame_diff_scaled(p->before, p->before_per_iter, &p->stacks,
	                                               profile_per_iter(p), &c) : -1;
	json_t *a = json_array(), *ca = m >= 0 ? json_array() : json_null();

	for (long i = 0; a && i < n && (size_t)i < top; i++)
		json_array_append_new(a, json_pack("{s:s, s:f, s:f}", "function", g[i].name,
		                                   "before_pct", 100 * g[i].before, "after_pct",
		                                   100 * g[i].after));
	/* by each function's own cost per iteration (ns, or bytes) */
	for (long i = 0; ca && m > 0 && i < m && (size_t)i < top; i++)
		json_array_append_new(ca, json_pack("{s:s, s:f, s:f}", "function", c[i].name,
		                                    "before", c[i].before, "after", c[i].after));
	if (n > 0)
		flame_growth_free(g, (size_t)n);
	if (m > 0)
		flame_growth_free(c, (size_t)m);
	return json_pack("{s:s, s:I, s:o, s:o}", "from", p->before_from, "samples",
	                 (json_int_t)p->before->total, "grew", a, "grew_per_iter", ca);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *profile_to_json(const struct profile *p)
{
	char *folded = folded_text(&p->stacks);
	json_t *o;

	if (!folded)
		return NULL;
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o},"
	              " s:o, s:s}",
	              "event", p->event ? p->event : "?", "freq_hz", (json_int_t)p->freq_hz,
	              "samples", (json_int_t)p->samples, "lost", (json_int_t)p->lost,
	              "iters", (json_int_t)p->iters, "loop_ns", p->loop_ns,
	              "symbolise_s", p->symbolise_s, "files", "folded",
	              str_or_null(p->folded), "svg", str_or_null(p->svg), "diff_svg",
	              str_or_null(p->diff_svg), "pprof", str_or_null(p->pprof), "speedscope",
	              str_or_null(p->speedscope), "dot", str_or_null(p->dot), "dot_svg",
	              str_or_null(p->dot_svg), "top", top_json(&p->stacks, 10, profile_per_iter(p)), "folded_stacks",
	              folded);
	free(folded);
	if (o) {
		char shape[256];
		json_object_set_new(o, "shape", json_string(profile_shape(shape, sizeof shape, p)));
		json_object_set_new(o, "runtime_share", isfinite(p->runtime_share)
		                    ? json_real(p->runtime_share) : json_null());
		json_object_set_new(o, "callchain", str_or_null(p->callchain));
		json_object_set_new(o, "short_share", isfinite(p->short_share)
		                    ? json_real(p->short_share) : json_null());
		json_object_set_new(o, "short_module", str_or_null(p->short_module));
		json_object_set_new(o, "switched", str_or_null(p->switched));
		if (p->callchain && !strcmp(p->callchain, "dwarf")) {
			json_object_set_new(o, "stack_bytes", json_real(p->stack_bytes));
			json_object_set_new(o, "unwind_s", json_real(p->unwind_s));
		}
	}
	if (o && p->before && p->before->total) {
		char was[256];
		json_t *g = growth_json(p, 10);
		if (g && profile_before_shape(was, sizeof was, p))
			json_object_set_new(g, "shape", json_string(was));
		json_object_set_new(o, "before", g);
	}
	if (o && p->alloc) {  /* an allocation profile: stacks weighed by bytes */
		json_object_set_new(o, "bytes", json_integer((json_int_t)p->bytes));
		json_object_set_new(o, "counts_folded", str_or_null(p->counts_folded));
		json_object_set_new(o, "top_by_count", top_json(&p->counts, 10,
		                    p->iters ? (double)p->samples / (double)p->iters : NAN));
	}
	return o;
}

int profile_from_json(json_t *o, struct profile **out, char *err, size_t errlen)
{
	const char *event, *folded;
	json_int_t freq, samples, lost, iters;
	double loop_ns;
	json_error_t je;
	struct profile *p;
	char why[200];

	*out = NULL;
	if (json_unpack_ex(o, &je, 0, "{s:s, s:I, s:I, s:I, s:I, s:F, s:s}", "event", &event,
	                   "freq_hz", &freq, "samples", &samples, "lost", &lost, "iters", &iters,
	                   "loop_ns", &loop_ns, "folded_stacks", &folded) != 0) {
		snprintf(err, errlen, "profile: %s", je.text);
		return -1;
	}
	if (freq < 0 || samples < 0 || lost < 0 || iters < 0 || loop_ns < 0) {
		snprintf(err, errlen, "profile: negative count");
		return -1;
	}
	if (!(p = calloc(1, sizeof *p)) || !(p->event = strdup(event))) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->freq_hz = (unsigned)freq;
	p->samples = (uint64_t)samples;
	p->lost = (uint64_t)lost;
	p->iters = (uint64_t)iters;
	p->loop_ns = loop_ns;
	p->runtime_share = json_is_number(json_object_get(o, "runtime_share"))
	                   ? json_number_value(json_object_get(o, "runtime_share")) : NAN;
	p->short_share = json_is_number(json_object_get(o, "short_share"))
	                 ? json_number_value(json_object_get(o, "short_share")) : NAN;
	{
		const char *cc = json_string_value(json_object_get(o, "callchain"));
		p->callchain = !cc ? NULL : !strcmp(cc, "dwarf") ? "dwarf" : !strcmp(cc, "fp") ? "fp"
		                                                            : NULL;
	}
	if (json_is_integer(json_object_get(o, "bytes"))) {
		p->alloc = 1;
		p->bytes = (uint64_t)json_integer_value(json_object_get(o, "bytes"));
	}
	if (flame_parse_folded(folded, &p->stacks, why, sizeof why) != 0) {
		snprintf(err, errlen, "profile.folded_stacks: %s", why);
		profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}
