/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The comparison table: per benchmark, baseline and current estimates, the
 * change with its interval, the suite-adjusted p-value and the verdict;
 * then one summary line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "analysis.h"
#include "counters.h"
#include "escape.h"
#include "report.h"
#include "units.h"
#include "usercounters.h"

static const char *verdict_color(enum verdict v)
{
	switch (v) {
	case VERDICT_REGRESSED: return "\033[1;31m";
	case VERDICT_IMPROVED: return "\033[1;32m";
	case VERDICT_TOO_FEW: return "\033[33m";
	case VERDICT_NEW:
	case VERDICT_MISSING: return "\033[36m";
	default: return "";
	}
}

/* The verdict, ended by the benchmark's label (b) and the line's end. */
static void print_verdict(FILE *out, enum verdict v, int color, const char *extra,
                          const struct bench_result *b)
{
	const char *c = color ? verdict_color(v) : "";

	fprintf(out, "%s%s%s%s", c, compare_verdict_name(v), extra, *c ? "\033[0m" : "");
	if (b)
		report_label(out, b);
	else
		fputc('\n', out);
}

/* Counters next to time: the change of each counter both runs counted. */
static void print_counter_changes(FILE *out, const struct bench_result *b,
                                  const struct suite *base)
{
	struct counter_change ch[16];
	char text[512];
	size_t n, kept = 0;

	for (size_t i = 0; i < base->nbenches; i++) {
		if (strcmp(base->benches[i].name, b->name) != 0)
			continue;
		n = counters_change(&base->benches[i], b, ch, sizeof ch / sizeof ch[0]);
		/* A counter at zero on both sides says nothing: leave it out. */
		for (size_t k = 0; k < n; k++)
			if (ch[k].before != 0 || ch[k].after != 0)
				ch[kept++] = ch[k];
		if (kept && *counters_change_format(text, sizeof text, ch, kept))
			fprintf(out, "    counters: %s\n", text);
		return;
	}
}

/* The statistic's own estimate of a benchmark with no comparison (new);
 * for instructions, the time slope, shown as time. */
static double own_estimate(const struct bench_result *b, const struct report_settings *rs)
{
	if (!b->analysis.done)
		return NAN;
	return rs->statistic == ANALYSIS_MEDIAN ? b->analysis.an.median.point
	       : rs->statistic == ANALYSIS_MEAN ? b->analysis.an.mean.point : b->analysis.an.slope.point;
}

static const char *verdict_note(const struct bench_result *b)
{
	if (b->gate.cmp.verdict == VERDICT_NEW || b->gate.cmp.verdict == VERDICT_NONE)
		return "";
	if (b->gate.mode == MODE_FALLBACK)
		return b->gate.cmp.remeasured ? " (re-measured; stored: old build not reproducible)"
		                         : " (stored: old build not reproducible)";
	if (b->gate.cmp.memory[0]) {
		static char why[128];
		snprintf(why, sizeof why, " (memory: %s)", b->gate.cmp.memory);
		return why;
	}
	if (b->gate.cmp.exact)
		return " (exact)";
	return b->gate.cmp.remeasured ? " (re-measured)" : "";
}

static void print_row(FILE *out, const struct bench_result *b, int w, int vs_suite,
                      const struct report_settings *rs, int color)
{
	const struct comparison *c = &b->gate.cmp;
	char base[24] = "-", cur[24] = "-", ci[40] = "", change[16] = "", p[16] = "";
	char rel[48] = "";

	if (c->verdict != VERDICT_NEW && isfinite(c->base_ns))
		units_figure(base, sizeof base, c->base_ns, c->measure);
	if (isfinite(c->cur_ns))
		units_figure(cur, sizeof cur, c->cur_ns, c->measure);
	else if (isfinite(own_estimate(b, rs)))
		units_figure(cur, sizeof cur, own_estimate(b, rs), b->measure);
	if (isfinite(c->change)) {
		snprintf(change, sizeof change, "%+.2f%%", c->change * 100);
		snprintf(ci, sizeof ci, "[%+.2f%%, %+.2f%%]", c->change_lo * 100, c->change_hi * 100);
		snprintf(p, sizeof p, "%.3g", c->p_adj);
		if (vs_suite && b->gate.mode != MODE_PAIRED)
			snprintf(rel, sizeof rel, "%+.2f%%", c->rel * 100);
	}
	escape_term(out, b->name, w);
	fprintf(out, "  %*s  %*s  %9s  %-22s ", 10 + (strstr(base, "µ") != NULL), base,
	        10 + (strstr(cur, "µ") != NULL), cur, change, ci);
	if (vs_suite)
		fprintf(out, "%9s  ", rel);
	fprintf(out, "%9s  ", p);
	print_verdict(out, c->verdict, color, verdict_note(b), b);
}

void report_compare(FILE *out, const struct suite *s, const struct suite *old,
                    const struct suite *base, const struct compare_summary *sum,
                    const struct report_settings *rs, int color)
{
	int w = (int)strlen("benchmark"), vs = sum->shift_removed;
	char ci[24], line[2048];

	for (size_t i = 0; i < s->nbenches; i++)
		if ((int)escape_term_width(s->benches[i].name) > w)
			w = (int)escape_term_width(s->benches[i].name);
	snprintf(ci, sizeof ci, "%g%% CI", rs->conf_level * 100);
	fprintf(out, "%-*s  %10s  %10s  %9s  %-22s ", w, "benchmark", "baseline", "now", "change",
	        ci);
	if (vs)
		fprintf(out, "%9s  ", "vs suite");
	fprintf(out, "%9s  %s\n", "p (family)", "verdict");
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		if (b->failed) {
			report_not_run(out, b, w);
			continue;
		}
		print_row(out, b, w, vs, rs, color);
		print_counter_changes(out, b, b->gate.mode == MODE_PAIRED ? old : base);
		for (int m = 0; m < 2; m++)
			if (user_counters_count(b, m))
				fprintf(out, "    %s: %s\n", m ? "memory" : "user counters",
				        user_counters_change_format(line, sizeof line,
				                                    suite_find(b->gate.mode == MODE_PAIRED ? old
				                                               : base, b->name), b, m));
		for (size_t k = 0; k < b->analysis.nnotes; k++)
			fprintf(out, "    note: %s\n", b->analysis.notes[k]);
	}
	for (size_t i = 0; i < sum->nmissing; i++) {
		escape_term(out, sum->missing[i], w);
		fprintf(out, "  %10s  %10s  %9s  %-22s ", "-", "-", "", "");
		if (vs)
			fprintf(out, "%9s  ", "");
		fprintf(out, "%9s  ", "");
		print_verdict(out, VERDICT_MISSING, color, "", NULL);
	}
}

void report_compare_summary(FILE *out, const struct compare_summary *sum, size_t failed,
                            const struct report_settings *rs)
{
	static const enum verdict order[] = {
		VERDICT_REGRESSED, VERDICT_IMPROVED, VERDICT_WITHIN_NOISE, VERDICT_NO_CHANGE,
		VERDICT_TOO_FEW, VERDICT_NEW, VERDICT_MISSING,
	};
	const char *sep = "";

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		fprintf(out, "%s%zu %s", sep, sum->counts[order[i]], compare_verdict_name(order[i]));
		sep = ", ";
	}
	if (failed)
		fprintf(out, ", %zu failed", failed);
	if (sum->worst)
		fprintf(out, "; worst: %s %+.2f%%", sum->worst, sum->worst_change * 100);
	fputc('\n', out);
	fprintf(out, "mode: %zu paired, %zu stored, %zu fallback; alpha %g, threshold %g%%",
	        sum->modes[MODE_PAIRED], sum->modes[MODE_STORED], sum->modes[MODE_FALLBACK],
	        rs->alpha, rs->noise * 100);
	if (isfinite(sum->shift))
		fprintf(out, "; suite-wide shift %+.2f%% [%+.2f%%, %+.2f%%] %s", sum->shift * 100,
		        sum->shift_lo * 100, sum->shift_hi * 100,
		        sum->shift_beyond ? "beyond the drift bound" :
		        sum->shift_removed ? "removed as drift" :
		        "kept (too few benchmarks to tell it from each one's change)");
	if (sum->inflation > 1)
		fprintf(out, "; variances x%.2f for between-run noise", sum->inflation);
	if (sum->modes[MODE_STORED] + sum->modes[MODE_FALLBACK] && sum->drift_measured)
		fprintf(out, "; each benchmark's between-run noise from the history for %zu (median "
		        "%.2f%%), %g%% assumed for the rest", sum->drift_measured,
		        100 * sum->drift_median, 100 * COMPARE_BENCH_DRIFT);
	else if (sum->modes[MODE_STORED] + sum->modes[MODE_FALLBACK])
		fprintf(out, "; between-run noise %g%% per benchmark assumed (no history of "
		        "unchanged code)", 100 * COMPARE_BENCH_DRIFT);
	fputc('\n', out);
}

/* Rank of a row: failures, then regressions, then the rest by how much a
 * reader needs to see them. */
static int rank(const struct bench_result *b)
{
	if (b->failed || !b->analysis.done)
		return 0;
	switch (b->gate.cmp.verdict) {
	case VERDICT_REGRESSED: return 1;
	case VERDICT_IMPROVED: return 2;
	case VERDICT_TOO_FEW: return 3;
	case VERDICT_WITHIN_NOISE: return 4;
	case VERDICT_NO_CHANGE: return 5;
	case VERDICT_NEW: return 6;
	default: return 7;
	}
}

/* Rank, then the larger slowdown first; ties keep the suite's order. */
static int by_rank(const void *x, const void *y)
{
	const struct bench_result *a = *(const struct bench_result *const *)x;
	const struct bench_result *b = *(const struct bench_result *const *)y;
	double ca = isfinite(a->gate.cmp.change) ? a->gate.cmp.change : 0;
	double cb = isfinite(b->gate.cmp.change) ? b->gate.cmp.change : 0;

	if (rank(a) != rank(b))
		return rank(a) - rank(b);
	if (ca != cb)
		return ca < cb ? 1 : -1;
	return a < b ? -1 : a > b;
}

void report_sort_worst_first(const struct bench_result **order, size_t n)
{
	qsort(order, n, sizeof *order, by_rank);
}
