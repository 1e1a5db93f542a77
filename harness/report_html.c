/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTML report: DIR/index.html with the summary table, group box plots
 * and parameter sweeps, and one page per benchmark with its plots,
 * statistics, counters and sampled profile (flame graphs from
 * DIR/profiles).  Self-contained (inline CSS, local SVG files),
 * so it opens from the file system with no network. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "counters.h"
#include "escape.h"
#include "msg.h"
#include "callgrind.h"
#include "complexity.h"
#include "usercounters.h"
#include "profile.h"
#include "report.h"
#include "history.h"
#include "report_plot.h"
#include "units.h"

#define STEM_LEN 64

static const char CSS[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;"
	"max-width:1200px;padding:0 1em;color:#222;line-height:1.4}"
	"table{border-collapse:collapse;margin:1em 0}"
	"th,td{padding:.3em .5em;border-bottom:1px solid #ddd;text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}"
	"th{background:#f4f4f4}td.name,th.name{text-align:left}"
	"td.wrap{white-space:normal;overflow-wrap:anywhere}"
	".regressed{color:#b00;font-weight:bold}.improved{color:#070;font-weight:bold}"
	".too-few{color:#a60}.new,.missing{color:#069}.failed{color:#b00}.skipped,.label{color:#666}"
	".note{background:#fff6d5;border:1px solid #e0c060;padding:.6em 1em}"
	"img{width:100%;height:auto;border:1px solid #eee;margin:.3em}"
	".plots{display:flex;flex-wrap:wrap;gap:.5em}.fig{flex:0 1 49%;margin:0}"
	".cap{font-size:90%;color:#555}code{background:#f4f4f4;padding:0 .2em;white-space:nowrap}";

/* The CSS class of a verdict: its name with spaces as '-'. */
static const char *verdict_class(enum verdict v)
{
	switch (v) {
	case VERDICT_REGRESSED: return "regressed";
	case VERDICT_IMPROVED: return "improved";
	case VERDICT_TOO_FEW: return "too-few";
	case VERDICT_NEW: return "new";
	case VERDICT_MISSING: return "missing";
	default: return "";
	}
}

static void page_begin(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
	escape_html(out, title);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", CSS);
}

static int page_end(FILE *out, const char *path)
{
	fputs("<p><small>Made by benchrun.</small></p>\n</body>\n</html>\n", out);
	if (fclose(out) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static FILE *page_open(const char *dir, const char *file, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, file);
	if (!(f = fopen(path, "w")))
		msg_error(path, "cannot write: %s", strerror(errno));
	return f;
}

/* An <img> of plots/FILE when gnuplot made it. */
static void figure(FILE *out, const char *dir, const char *file, const char *caption)
{
	char path[4096 + 128];

	snprintf(path, sizeof path, "%s/%s/%s", dir, REPORT_PLOT_DIR, file);
	if (access(path, R_OK) != 0)
		return;
	fprintf(out, "<div class=\"fig\"><img src=\"%s/%s\" alt=\"", REPORT_PLOT_DIR, file);
	escape_html(out, caption);
	fputs("\"><div class=\"cap\">", out);
	escape_html(out, caption);
	fputs("</div></div>\n", out);
}

/* The complexity fit of each parameter sweep. */
static void index_complexity(FILE *out, const struct suite *s)
{
	static const struct complexity_style html = {
		escape_html, "<h2>Complexity</h2>\n<ul>\n", "<li>", "</li>\n", "</ul>\n"};

	complexity_write(out, s, &html);
}

static void no_plots_note(FILE *out)
{
	fputs("<p class=\"note\">No plots: benchrun draws them with gnuplot, which was not "
	      "found on PATH (or failed: see <code>plots/gnuplot.log</code>). Install it "
	      "(<code>apt-get install gnuplot-nox</code>) and run again.</p>\n", out);
}

static void cell_time(FILE *out, double v, int measure)
{
	char t[32];

	fprintf(out, "<td>%s</td>", units_figure(t, sizeof t, v, measure));
}

static void cell_interval(FILE *out, const struct estimate *e, int measure)
{
	char lo[32], hi[32];

	fprintf(out, "<td>[%s, %s]</td>", units_figure(lo, sizeof lo, e->lo, measure),
	        units_figure(hi, sizeof hi, e->hi, measure));
}

static char *rate(char *buf, size_t len, const struct bench_result *b)
{
	if (b->measure == MEASURE_INSTRUCTIONS)
		return strcpy(buf, "-");  /* counts have no rate */
	if (b->bytes_per_iter > 0)
		return units_rate(buf, len, b->bytes_per_iter, 0, b->analysis.an.slope.point);
	return units_rate(buf, len, b->items_per_iter, 1, b->analysis.an.slope.point);
}

/* Instructions and cycles are the key counters of the index (IPC follows
 * from them); software counters stay on the benchmark's page. */
static int is_key_counter(const struct counter_result *c)
{
	return c->counted && c->role && isfinite(c->per_iter) &&
	       (!strcmp(c->role, "instructions") || !strcmp(c->role, "cycles"));
}

/* The key counters: instructions and cycles per iteration, and IPC. */
static void key_counters(FILE *out, const struct bench_result *b)
{
	struct counter_derived d;
	const char *sep = "";

	fputs("<td class=\"name wrap\">", out);
	for (size_t i = 0; i < b->ncounters; i++) {
		const struct counter_result *c = &b->counters[i];
		if (!is_key_counter(c))
			continue;
		fprintf(out, "%s%.4g ", sep, c->per_iter);
		escape_html(out, c->role);
		sep = ", ";
	}
	counters_derive(b, &d);
	if (isfinite(d.ipc))
		fprintf(out, "%sIPC %.2f", sep, d.ipc);
	fputs("</td>", out);
}

static void cell_change(FILE *out, const struct comparison *c)
{
	const char *cls = verdict_class(c->verdict);

	if (isfinite(c->change))
		fprintf(out, "<td>%+.2f%%</td><td>[%+.2f%%, %+.2f%%]</td>", c->change * 100,
		        c->change_lo * 100, c->change_hi * 100);
	else
		fputs("<td></td><td></td>", out);
	fprintf(out, "<td class=\"name wrap %s\">%s%s</td>", cls, compare_verdict_name(c->verdict),
	        c->remeasured ? " (re-measured)" : "");
}

/* Whether any benchmark has a key counter: the column is left out where
 * the machine counted none (no hardware PMU). */
static int any_counted(const struct suite *s)
{
	for (size_t i = 0; i < s->nbenches; i++)
		for (size_t k = 0; k < s->benches[i].ncounters; k++)
			if (is_key_counter(&s->benches[i].counters[k]))
				return 1;
	return 0;
}

static void index_row(FILE *out, const struct bench_result *b, int compared, int ctr)
{
	char stem[STEM_LEN], r[32];

	escape_file_stem(stem, sizeof stem, b->name);
	fprintf(out, "<tr><td class=\"name\"><a href=\"%s.html\">", stem);
	escape_html(out, b->name);
	fputs("</a>", out);
	if (b->label) {
		fputs(" <span class=\"label\">", out);
		escape_html(out, b->label);
		fputs("</span>", out);
	}
	if (b->prof.cpu && b->prof.cpu->svg)
		fprintf(out, " <a href=\"%s/%s.svg\">(profile)</a>", PROFILE_SUBDIR, stem);
	fputs("</td>", out);
	if (b->failed || !b->analysis.done) {
		fprintf(out, "<td class=\"name wrap %s\" colspan=\"%d\">%s: ",
		        b->skipped ? "skipped" : "failed", 3 + 3 * compared + ctr,
		        bench_not_run_word(b));
		escape_html(out, b->reason ? b->reason : "too few samples to analyse");
		fputs("</td></tr>\n", out);
		return;
	}
	cell_time(out, b->analysis.an.slope.point, b->measure);
	cell_interval(out, &b->analysis.an.slope, b->measure);
	fprintf(out, "<td>%s</td>", rate(r, sizeof r, b));
	if (compared)
		cell_change(out, &b->gate.cmp);
	if (ctr)
		key_counters(out, b);
	fputs("</tr>\n", out);
}

/* A benchmark's noise warnings, each escaped in its own element of class
 * "note" (the caller opens and closes what holds them). */
static void notes(FILE *out, const struct bench_result *b, const char *tag)
{
	for (size_t i = 0; i < b->analysis.nnotes; i++) {
		fprintf(out, "<%s class=\"note\">", tag);
		escape_html(out, b->analysis.notes[i] ? b->analysis.notes[i] : "");
		fprintf(out, "</%s>", tag);
	}
}

static void index_table(FILE *out, const struct suite *s, const struct compare_summary *sum,
                        const struct report_settings *rs)
{
	int ctr = any_counted(s);
	const struct bench_result **order = calloc(s->nbenches + 1, sizeof *order);

	fprintf(out, "<table>\n<tr><th class=\"name\">benchmark</th><th>%s</th>"
	        "<th>%g%% interval</th><th>throughput</th>", units_measure_heading(s->measure),
	        rs->conf_level * 100);
	if (sum)
		fputs("<th>change</th><th>interval</th><th class=\"name\">verdict</th>", out);
	fputs(ctr ? "<th class=\"name\">counters per iter</th></tr>\n" : "</tr>\n", out);
	for (size_t i = 0; order && i < s->nbenches; i++)
		order[i] = &s->benches[i];
	if (order && sum)
		report_sort_worst_first(order, s->nbenches);
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = order ? order[i] : &s->benches[i];
		index_row(out, b, sum != NULL, ctr);
		if (b->analysis.nnotes) {
			fprintf(out, "<tr><td></td><td class=\"name wrap\" colspan=\"%d\">",
			        3 + 3 * (sum != NULL) + ctr);
			notes(out, b, "div");
			fputs("</td></tr>\n", out);
		}
	}
	free(order);
	for (size_t i = 0; sum && i < sum->nmissing; i++) {
		fputs("<tr><td class=\"name\">", out);
		escape_html(out, sum->missing[i]);
		fprintf(out, "</td><td colspan=\"5\"></td><td class=\"name missing\">missing</td>%s"
		        "</tr>\n", ctr ? "<td></td>" : "");
	}
	fputs("</table>\n", out);
}

/* Whether a benchmark before s->benches[i] has its group (and, with
 * `function`, its function too). */
static int seen_before(const struct suite *s, size_t i, int function)
{
	const struct bench_result *b = &s->benches[i];

	for (size_t k = 0; k < i; k++) {
		const struct bench_result *c = &s->benches[k];
		if (c->group && !strcmp(c->group, b->group) &&
		    (!function || (c->function && !strcmp(c->function, b->function))))
			return 1;
	}
	return 0;
}

static void index_group(FILE *out, const char *dir, const struct bench_result *b)
{
	char stem[STEM_LEN], file[STEM_LEN + 32], cap[600];

	escape_file_stem(stem, sizeof stem, b->group);
	snprintf(file, sizeof file, "group-%s.svg", stem);
	snprintf(cap, sizeof cap, "group %s: time per iteration", b->group);
	figure(out, dir, file, cap);
}

static void index_sweep(FILE *out, const char *dir, const struct bench_result *b)
{
	char stem[STEM_LEN], key[512], file[STEM_LEN + 32], cap[600];

	snprintf(key, sizeof key, "%s/%s", b->group, b->function);
	escape_file_stem(stem, sizeof stem, key);
	snprintf(file, sizeof file, "sweep-%s-time.svg", stem);
	snprintf(cap, sizeof cap, "%s: time against parameter", key);
	figure(out, dir, file, cap);
	snprintf(file, sizeof file, "sweep-%s-rate.svg", stem);
	snprintf(cap, sizeof cap, "%s: throughput against parameter", key);
	figure(out, dir, file, cap);
}

/* Group box plots and sweeps that gnuplot made, from the first of each. */
static void index_sets(FILE *out, const char *dir, const struct suite *s)
{
	double x;

	fputs("<h2>Groups and parameter sweeps</h2>\n<div class=\"plots\">\n", out);
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		if (!b->group)
			continue;
		if (!seen_before(s, i, 0))
			index_group(out, dir, b);
		if (b->function && report_plot_sweep_param(b, &x) && !seen_before(s, i, 1))
			index_sweep(out, dir, b);
	}
	fputs("</div>\n", out);
}

static int write_index(const char *dir, const struct suite *s,
                       const struct compare_summary *sum, const struct report_settings *rs, int plots)
{
	char path[4096 + 128];
	FILE *out = page_open(dir, "index.html", path, sizeof path);

	if (!out)
		return -1;
	page_begin(out, "benchrun report");
	fputs("<h1>benchrun report</h1>\n", out);
	fprintf(out, "<p>%zu benchmarks; %g%% intervals from %u bootstrap resamples, seed %llu. "
	        "Time per iteration is the slope of total time on iterations.</p>\n",
	        s->nbenches, rs->conf_level * 100, rs->resamples, (unsigned long long)rs->seed);
	if (sum)
		fprintf(out, "<p>Compared with a baseline: <span class=\"regressed\">%zu regressed"
		        "</span>, <span class=\"improved\">%zu improved</span>, %zu within noise, "
		        "%zu no significant change.</p>\n", sum->counts[VERDICT_REGRESSED],
		        sum->counts[VERDICT_IMPROVED], sum->counts[VERDICT_WITHIN_NOISE],
		        sum->counts[VERDICT_NO_CHANGE]);
	if (!plots)
		no_plots_note(out);
	index_table(out, s, sum, rs);
	index_complexity(out, s);
	if (plots)
		index_sets(out, dir, s);
	return page_end(out, path);
}

static void stat_row(FILE *out, const char *name, const struct estimate *e, int measure)
{
	fprintf(out, "<tr><td class=\"name\">%s</td>", name);
	cell_time(out, e->point, measure);
	cell_interval(out, e, measure);
	fputs("</tr>\n", out);
}

static void page_stats(FILE *out, const struct bench_result *b)
{
	const struct analysis *a = &b->analysis.an;
	const struct outliers *ol = &a->outliers;
	char r[32];

	fprintf(out, "<h2>Statistics</h2>\n<table>\n<tr><th class=\"name\">statistic</th>"
	        "<th>estimate</th><th>%g%% interval</th></tr>\n", a->conf_level * 100);
	stat_row(out, "slope", &a->slope, b->measure);
	stat_row(out, "mean", &a->mean, b->measure);
	stat_row(out, "median", &a->median, b->measure);
	stat_row(out, "standard deviation", &a->sd, b->measure);
	stat_row(out, "MAD (x 1.4826)", &a->mad, b->measure);
	fputs("</table>\n<table>\n", out);
	fprintf(out, "<tr><td class=\"name\">R² (median over processes)</td><td>");
	if (isfinite(a->r2))
		fprintf(out, "%.4f", a->r2);
	else
		fputs("flat", out);
	fprintf(out, "</td></tr>\n<tr><td class=\"name\">outliers (low severe / low mild / "
	        "high mild / high severe)</td><td>%zu / %zu / %zu / %zu</td></tr>\n"
	        "<tr><td class=\"name\">processes</td><td>%zu</td></tr>\n"
	        "<tr><td class=\"name\">samples</td><td>%zu</td></tr>\n"
	        "<tr><td class=\"name\">throughput</td><td>%s</td></tr>\n"
	        "<tr><td class=\"name\">bootstrap resamples, seed</td><td>%zu, %llu</td></tr>\n"
	        "</table>\n", ol->low_severe, ol->low_mild, ol->high_mild, ol->high_severe,
	        a->nprocs, a->nsamples, rate(r, sizeof r, b), a->resamples,
	        (unsigned long long)a->seed);
}

static void page_compare(FILE *out, const struct bench_result *b)
{
	const struct comparison *c = &b->gate.cmp;

	fputs("<h2>Against the baseline</h2>\n<table>\n<tr><th>baseline</th><th>now</th>"
	      "<th>change</th><th>interval</th><th class=\"name\">verdict</th><th>p (suite)</th>"
	      "<th>processes (base / now)</th></tr>\n<tr>", out);
	cell_time(out, c->base_ns, c->measure);
	cell_time(out, c->cur_ns, c->measure);
	cell_change(out, c);
	fprintf(out, "<td>%.3g</td><td>%zu / %zu</td></tr>\n</table>\n", c->p_adj,
	        c->base_procs, c->cur_procs);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static void profile_top(FILE *out, const struct profile *p)
{
	struct flame_func *f = NULL;
	long n = flame_top(&p->stacks, &f);

	fputs("<table>\n<tr><th>self</th><th>total</th><th class=\"name\">function</th></tr>\n",
	      out);
	for (long i = 0; i < n && i < 10; i++) {
		fprintf(out, "<tr><td>%.1f%%</td><td>%.1f%%</td><td class=\"name wrap\">",
		        share(f[i].self, p->stacks.total), share(f[i].total, p->stacks.total));
		escape_html(out, f[i].name);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	if (n > 0)
		flame_funcs_free(f, (size_t)n);
}

static void profile_growth(FILE *out, const struct profile *p)
{
	struct flame_growth *g = NULL;
	long n = flame_diff(p->before, &p->stacks, &g);

	fprintf(out, "<h3>Grew most since the %s</h3>\n<table>\n<tr><th>before</th>"
	        "<th>after</th><th>change (points)</th><th class=\"name\">function</th></tr>\n",
	        p->before_from);
	for (long i = 0; i < n && i < 10 && g[i].after > g[i].before; i++) {
		fprintf(out, "<tr><td>%.1f%%</td><td>%.1f%%</td><td>%+.1f</td>"
		        "<td class=\"name wrap\">", 100 * g[i].before, 100 * g[i].after,
		        100 * (g[i].after - g[i].before));
		escape_html(out, g[i].name);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	if (n > 0)
		flame_growth_free(g, (size_t)n);
}

/* A file of the profile folder as a link, by its name there. */
static void file_link(FILE *out, const char *path, const char *what)
{
	const char *base = path ? strrchr(path, '/') : NULL;

	if (!path)
		return;
	fprintf(out, " <a href=\"%s/", PROFILE_SUBDIR);
	escape_html(out, base ? base + 1 : path);
	fprintf(out, "\">%s</a>", what);
}

/* The exports of a profile (pprof, speedscope, the call graph and its
 * SVG) as links, each after a comma. */
static void export_links(FILE *out, const struct profile *p)
{
	const char *path[] = {p->pprof, p->speedscope, p->dot, p->dot_svg};
	const char *what[] = {"pprof profile", "speedscope profile", "call graph (DOT)",
	                      "call graph (SVG)"};

	for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
		if (path[i]) {
			fputc(',', out);
			file_link(out, path[i], what[i]);
		}
}

/* The call graph dot rendered, embedded like the flame graph, when it
 * was. */
static void call_graph(FILE *out, const struct profile *p)
{
	const char *base = p->dot_svg ? strrchr(p->dot_svg, '/') : NULL;

	if (!p->dot_svg)
		return;
	fprintf(out, "<h3>Call graph</h3>\n<object type=\"image/svg+xml\" data=\"%s/",
	        PROFILE_SUBDIR);
	escape_html(out, base ? base + 1 : p->dot_svg);
	fputs("\" style=\"max-width:100%\"></object>\n", out);
}

/* The profile section: the flame graph as an <object> (so its hover titles
 * work), the top functions and, against a before, what grew. */
static void page_profile(FILE *out, const struct bench_result *b, const char *stem)
{
	const struct profile *p = b->prof.cpu;

	if (!p || !p->svg)
		return;
	fprintf(out, "<h2>Profile</h2>\n<p>%llu samples of <code>", (unsigned long long)p->samples);
	escape_html(out, p->event ? p->event : "?");
	fprintf(out, "</code> at %u Hz (%llu lost). Files: <a href=\"%s/%s.folded\">folded "
	        "stacks</a>, <a href=\"%s/%s.svg\">flame graph</a>", p->freq_hz,
	        (unsigned long long)p->lost, PROFILE_SUBDIR, stem, PROFILE_SUBDIR, stem);
	if (p->diff_svg)
		fprintf(out, ", <a href=\"%s/%s-diff.svg\">differential</a>", PROFILE_SUBDIR, stem);
	export_links(out, p);
	fprintf(out, ".</p>\n<object type=\"image/svg+xml\" data=\"%s/%s.svg\" "
	        "style=\"width:100%%\"></object>\n", PROFILE_SUBDIR, stem);
	profile_top(out, p);
	{
		char shape[256];
		fputs("<p>Shape: ", out);
		escape_html(out, profile_shape(shape, sizeof shape, p));
		fputs("</p>\n", out);
	}
	if (p->diff_svg) {
		profile_growth(out, p);
		fprintf(out, "<object type=\"image/svg+xml\" data=\"%s/%s-diff.svg\" "
		        "style=\"width:100%%\"></object>\n", PROFILE_SUBDIR, stem);
	}
	call_graph(out, p);
}

/* The allocation profile: where the bytes come from, as a flame graph, and
 * its top sites (self share of the bytes). */
static void page_alloc_profile(FILE *out, const struct bench_result *b, const char *stem)
{
	const struct profile *p = b->prof.alloc;

	if (!p || !p->svg)
		return;
	fprintf(out, "<h2>Allocations</h2>\n<p>%llu allocations, %llu bytes in %llu iterations. "
	        "Files: <a href=\"%s/%s.alloc.folded\">folded stacks (bytes)</a>, "
	        "<a href=\"%s/%s.alloc-count.folded\">folded stacks (allocations)</a>, "
	        "<a href=\"%s/%s.alloc.svg\">flame graph (bytes)</a>, "
	        "<a href=\"%s/%s.alloc-count.svg\">flame graph (allocations)</a>",
	        (unsigned long long)p->samples, (unsigned long long)p->bytes,
	        (unsigned long long)p->iters, PROFILE_SUBDIR, stem, PROFILE_SUBDIR, stem,
	        PROFILE_SUBDIR, stem, PROFILE_SUBDIR, stem);
	if (p->diff_svg)
		fprintf(out, ", <a href=\"%s/%s.alloc-diff.svg\">differential</a>", PROFILE_SUBDIR,
		        stem);
	export_links(out, p);
	fprintf(out, ".</p>\n<object type=\"image/svg+xml\" data=\"%s/%s.alloc.svg\" "
	        "style=\"width:100%%\"></object>\n", PROFILE_SUBDIR, stem);
	profile_top(out, p);
	if (p->diff_svg)
		profile_growth(out, p);
	call_graph(out, p);
}

/* The instruction measure's profile: what changed per function since the
 * old build (or the top functions), its flame graphs and callgrind's
 * files. */
static void page_counted(FILE *out, const struct bench_result *b)
{
	const struct callgrind_profile *p = b->prof.counted;
	struct callgrind_change *c = NULL;
	struct callgrind_fn *f = NULL;
	long n;

	if (!p)
		return;
	fputs("<h2>Instructions per function</h2>\n<p>Files:", out);
	file_link(out, p->file, "callgrind (KCachegrind)");
	file_link(out, p->before_file, "old build's callgrind");
	file_link(out, p->folded, "folded stacks of Ir");
	file_link(out, p->svg, "flame graph");
	file_link(out, p->diff_svg, "differential");
	fputs(".</p>\n<table>\n", out);
	if (p->have_before && (n = callgrind_diff(&p->before, &p->after, &c)) >= 0) {
		fputs("<tr><th>change (Ir/iter)</th><th>self before</th><th>self after</th>"
		      "<th>inclusive after</th><th class=\"name\">function</th></tr>\n", out);
		for (long i = 0; i < n && i < 20; i++) {
			fprintf(out, "<tr><td>%+.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td>"
			        "<td class=\"name wrap\">", c[i].new_self - c[i].old_self,
			        c[i].old_self, c[i].new_self, c[i].new_incl);
			escape_html(out, c[i].name);
			fputs("</td></tr>\n", out);
		}
		free(c);
	} else if ((n = callgrind_top(&p->after, &f)) >= 0) {
		fputs("<tr><th>self (Ir/iter)</th><th>inclusive</th><th class=\"name\">function"
		      "</th></tr>\n", out);
		for (long i = 0; i < n && i < 20; i++) {
			fprintf(out, "<tr><td>%.1f</td><td>%.1f</td><td class=\"name wrap\">",
			        f[i].self, f[i].incl);
			escape_html(out, f[i].name);
			fputs("</td></tr>\n", out);
		}
		free(f);
	}
	fputs("</table>\n", out);
}

static void page_counters(FILE *out, const struct bench_result *b)
{
	if (!b->ncounters)
		return;
	fputs("<h2>Counters</h2>\n<table>\n<tr><th class=\"name\">event</th><th>per iteration"
	      "</th><th>on the PMU</th><th class=\"name\">note</th></tr>\n", out);
	for (size_t i = 0; i < b->ncounters; i++) {
		const struct counter_result *c = &b->counters[i];
		fputs("<tr><td class=\"name\">", out);
		escape_html(out, c->name);
		if (c->counted && isfinite(c->per_iter))
			fprintf(out, "</td><td>%.4g</td><td>%.0f%%</td><td class=\"name wrap\">",
			        c->per_iter, c->running * 100);
		else
			fputs("</td><td>-</td><td>-</td><td class=\"name wrap\">", out);
		escape_html(out, c->reason ? c->reason : "");
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static int write_page(const char *dir, const struct bench_result *b, int compared, int plots)
{
	char stem[STEM_LEN], file[STEM_LEN + 32], path[4096 + 128];
	FILE *out;

	escape_file_stem(stem, sizeof stem, b->name);
	snprintf(file, sizeof file, "%s.html", stem);
	if (!(out = page_open(dir, file, path, sizeof path)))
		return -1;
	page_begin(out, b->name);
	fputs("<p><a href=\"index.html\">&larr; all benchmarks</a></p>\n<h1>", out);
	escape_html(out, b->name);
	fputs("</h1>\n", out);
	notes(out, b, "p");
	if (b->analysis.nnotes)
		fputc('\n', out);
	if (b->label) {
		fputs("<p class=\"label\">", out);
		escape_html(out, b->label);
		fputs("</p>\n", out);
	}
	if (b->failed || !b->analysis.done) {
		fprintf(out, "<p class=\"%s\">%s: ", b->skipped ? "skipped" : "failed",
		        bench_not_run_word(b));
		escape_html(out, b->reason ? b->reason : "too few samples to analyse");
		fputs("</p>\n", out);
		return page_end(out, path);
	}
	for (int m = 0; m < 2; m++)
		if (user_counters_count(b, m)) {
			char line[2048];
			fputs(m ? "<p>memory: " : "<p>user counters: ", out);
			escape_html(out, user_counters_format(line, sizeof line, b, m));
			fputs("</p>\n", out);
		}
	if (!plots)
		no_plots_note(out);
	fputs("<div class=\"plots\">\n", out);
	snprintf(file, sizeof file, "%s-dist.svg", stem);
	figure(out, dir, file, "time per iteration: density, mean and median");
	snprintf(file, sizeof file, "%s-fit.svg", stem);
	figure(out, dir, file, "total time against iterations, with the slope");
	snprintf(file, sizeof file, "%s-base.svg", stem);
	figure(out, dir, file, "baseline against current");
	snprintf(file, sizeof file, "%s-trend.svg", stem);
	figure(out, dir, file, "history: every run kept on each machine, oldest first, with "
	       "its interval; change points dashed");
	fputs("</div>\n", out);
	if (compared && b->gate.cmp.verdict != VERDICT_NONE)
		page_compare(out, b);
	page_stats(out, b);
	page_counters(out, b);
	page_profile(out, b, stem);
	page_alloc_profile(out, b, stem);
	page_counted(out, b);
	return page_end(out, path);
}

/* Every run in the history at `where`, for the trend plots; a history
 * that cannot be read gives one warning and no trends. */
static int trend_history(const char *where, struct history_rows *rows)
{
	struct history_query q = {NULL, NULL, NULL, NULL};
	struct history h;
	char err[512];
	int rc;

	if (history_open(where, &h, err, sizeof err) != 0) {
		msg_warn("history", "%s: the report has no trends", err);
		return -1;
	}
	if ((rc = h.be->query(h.st, &q, rows, err, sizeof err)) != 0)
		msg_warn("history", "%s: the report has no trends", err);
	history_close(&h);
	return rc;
}

int report_html(const char *dir, const struct suite *s, const struct suite *base,
                const struct compare_summary *sum, const struct report_settings *rs)
{
	int plots;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		msg_error(dir, "cannot create the report directory: %s", strerror(errno));
		return -1;
	}
	struct history_rows rows = {0};
	int have_rows = rs->history && trend_history(rs->history, &rows) == 0;

	plots = report_plot_make(dir, s, base, have_rows ? &rows : NULL);
	history_rows_free(&rows);
	if (plots < 0)
		return -1;
	for (size_t i = 0; i < s->nbenches; i++)
		if (write_page(dir, &s->benches[i], sum != NULL, plots) != 0)
			return -1;
	return write_index(dir, s, sum, rs, plots);
}
