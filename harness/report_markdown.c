/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Markdown summary (--markdown): one compact table for a CI job
 * summary or a pull-request comment, worst news first. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "msg.h"
#include "complexity.h"
#include "usercounters.h"
#include "profile.h"
#include "report.h"
#include "units.h"

static void row_compared(FILE *out, const struct bench_result *b)
{
	const struct comparison *c = &b->gate.cmp;
	char base[32], now[32];
	int bold = c->verdict == VERDICT_REGRESSED;

	if (c->verdict == VERDICT_NEW || !isfinite(c->base_ns))
		strcpy(base, "-");
	else
		units_figure(base, sizeof base, c->base_ns, c->measure);
	if (isfinite(c->cur_ns))
		units_figure(now, sizeof now, c->cur_ns, c->measure);
	else
		units_figure(now, sizeof now, b->analysis.an.slope.point, b->measure);
	fprintf(out, " | %s | %s | ", base, now);
	if (isfinite(c->change))
		fprintf(out, "%+.2f%% | [%+.2f%%, %+.2f%%] | ", c->change * 100,
		        c->change_lo * 100, c->change_hi * 100);
	else
		fputs(" | | ", out);
	fprintf(out, "%s%s%s%s", bold ? "**" : "", compare_verdict_name(c->verdict),
	        bold ? "**" : "", b->gate.mode == MODE_FALLBACK ? " (stored: old build not "
	        "reproducible)" : "");
	if (c->memory[0]) {
		fputs(" (memory: ", out);
		escape_markdown(out, c->memory);
		fputc(')', out);
	}
	fputs(" |\n", out);
}

/* The noise notes, under the table: a reader of a green build should know
 * when it could not have seen a regression. */
static void write_notes(FILE *out, const struct suite *s, const struct bench_result **order)
{
	int any = s->machine_note != NULL;

	for (size_t i = 0; i < s->nbenches; i++)
		any |= order[i]->analysis.nnotes > 0;
	if (!any)
		return;
	fputs("\nNotes:\n\n", out);
	if (s->machine_note) {
		fputs("- ", out);
		escape_markdown(out, s->machine_note);
		fputc('\n', out);
	}
	for (size_t i = 0; i < s->nbenches; i++)
		for (size_t k = 0; k < order[i]->analysis.nnotes; k++) {
			fputs("- ", out);
			escape_markdown(out, order[i]->name);
			fputs(": ", out);
			escape_markdown(out, order[i]->analysis.notes[k]);
			fputc('\n', out);
		}
}

static void row_plain(FILE *out, const struct bench_result *b)
{
	char t[32], lo[32], hi[32], r[32];
	const struct analysis *a = &b->analysis.an;

	if (b->measure == MEASURE_INSTRUCTIONS)
		snprintf(r, sizeof r, "-");  /* counts have no rate */
	else if (b->bytes_per_iter > 0)
		units_rate(r, sizeof r, b->bytes_per_iter, 0, a->slope.point);
	else
		units_rate(r, sizeof r, b->items_per_iter, 1, a->slope.point);
	fprintf(out, " | %s | [%s, %s] | %s |\n",
	        units_figure(t, sizeof t, a->slope.point, b->measure),
	        units_figure(lo, sizeof lo, a->slope.lo, b->measure),
	        units_figure(hi, sizeof hi, a->slope.hi, b->measure), r);
}

static void write_table(FILE *out, const struct suite *s, const struct compare_summary *sum,
                        const struct report_settings *rs, const struct bench_result **order)
{
	if (sum)
		fprintf(out, "| benchmark | baseline | now | change | %g%% interval | verdict |\n"
		        "|:--|--:|--:|--:|--:|:--|\n", rs->conf_level * 100);
	else
		fprintf(out, "| benchmark | %s | %g%% interval | throughput |\n"
		        "|:--|--:|--:|--:|\n", units_measure_heading(s->measure),
		        rs->conf_level * 100);
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = order[i];
		fputs("| ", out);
		escape_markdown(out, b->name);
		if (b->label) {
			fputs(" (", out);
			escape_markdown(out, b->label);
			fputc(')', out);
		}
		if (b->failed || !b->analysis.done) {
			fprintf(out, " | **%s**: ", bench_not_run_word(b));
			escape_markdown(out, b->reason ? b->reason : "too few samples to analyse");
			fputs(sum ? " | | | | |\n" : " | | |\n", out);
		} else if (sum)
			row_compared(out, b);
		else
			row_plain(out, b);
	}
	for (size_t i = 0; sum && i < sum->nmissing; i++) {
		fputs("| ", out);
		escape_markdown(out, sum->missing[i]);
		fputs(" | | - | | | missing |\n", out);
	}
}

/* "**benchrun**: 1 regressed, 9 no significant change": the verdicts
 * that occurred, worst first. */
static void write_counts(FILE *out, const struct compare_summary *sum,
                         const struct report_settings *rs)
{
	static const enum verdict order[] = {
		VERDICT_REGRESSED, VERDICT_IMPROVED, VERDICT_WITHIN_NOISE, VERDICT_NO_CHANGE,
		VERDICT_TOO_FEW, VERDICT_NEW, VERDICT_MISSING,
	};
	const char *sep = "";

	fputs("**benchrun**: ", out);
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (sum->counts[order[i]] || order[i] == VERDICT_REGRESSED) {
			fprintf(out, "%s%zu %s", sep, sum->counts[order[i]],
			        compare_verdict_name(order[i]));
			sep = ", ";
		}
	fputs("\n\n", out);
	fprintf(out, "Compared %zu paired, %zu stored, %zu fallback; alpha %g, threshold %g%%",
	        sum->modes[MODE_PAIRED], sum->modes[MODE_STORED], sum->modes[MODE_FALLBACK],
	        rs->alpha, rs->noise * 100);
	if (isfinite(sum->shift))
		fprintf(out, "; suite-wide shift %+.2f%% [%+.2f%%, %+.2f%%]%s", sum->shift * 100,
		        sum->shift_lo * 100, sum->shift_hi * 100,
		        sum->shift_beyond ? ", **beyond the drift bound**" : "");
	fputs(".\n\n", out);
}

/* Each benchmark's user counters, one line each. */
static void write_user_counters(FILE *out, const struct suite *s)
{
	char line[2048];
	int first = 1;

	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		for (int m = 0; m < 2; m++) {
			if (!user_counters_count(b, m) || b->failed)
				continue;
			fputs(first ? "\n- " : "- ", out);
			fputs(m ? "memory of " : "user counters of ", out);
			first = 0;
			escape_markdown(out, b->name);
			fputs(": ", out);
			escape_markdown(out, user_counters_format(line, sizeof line, b, m));
			fputc('\n', out);
		}
	}
}

/* Each profiled benchmark's profile shape (profile.h), one line each,
 * with the shape it had before when that differs. */
static void write_shapes(FILE *out, const struct suite *s)
{
	char line[256], was[256];

	for (size_t i = 0; i < s->nbenches; i++) {
		const struct profile *p = s->benches[i].prof.cpu;
		if (!p || !p->folded)
			continue;
		fputs("- profile of ", out);
		escape_markdown(out, s->benches[i].name);
		fputs(": ", out);
		escape_markdown(out, profile_shape(line, sizeof line, p));
		if (profile_before_shape(was, sizeof was, p) && strcmp(was, line) != 0) {
			fputs(" (before: ", out);
			escape_markdown(out, was);
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

/* The complexity fit of each parameter sweep, one line each. */
static void write_complexity(FILE *out, const struct suite *s)
{
	static const struct complexity_style md = {escape_markdown, "\n", "- complexity of ",
	                                           "\n", ""};

	complexity_write(out, s, &md);
}

int report_markdown(const char *path, const struct suite *s,
                    const struct compare_summary *sum, const struct report_settings *rs)
{
	const struct bench_result **order = calloc(s->nbenches + 1, sizeof *order);
	FILE *out;

	if (!order) {
		msg_error(NULL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->nbenches; i++)
		order[i] = &s->benches[i];
	if (sum)
		report_sort_worst_first(order, s->nbenches);
	if (!(out = fopen(path, "w"))) {
		msg_error(path, "cannot write: %s", strerror(errno));
		free(order);
		return -1;
	}
	if (sum)
		write_counts(out, sum, rs);
	write_table(out, s, sum, rs, order);
	write_complexity(out, s);
	write_user_counters(out, s);
	write_shapes(out, s);
	write_notes(out, s, order);
	free(order);
	if (fclose(out) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	return 0;
}
