/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The console table. */
#include <math.h>
#include <string.h>
#include "counters.h"
#include "escape.h"
#include "report.h"
#include "complexity.h"
#include "units.h"
#include "usercounters.h"

static size_t name_width(const struct suite *s)
{
	size_t w = strlen("benchmark");

	for (size_t i = 0; i < s->nbenches; i++)
		if (escape_term_width(s->benches[i].name) > w)
			w = escape_term_width(s->benches[i].name);
	return w;
}

void report_label(FILE *out, const struct bench_result *b)
{
	if (b->label) {
		fputs("  ", out);
		escape_term(out, b->label, 0);
	}
	fputc('\n', out);
}

void report_not_run(FILE *out, const struct bench_result *b, int w)
{
	escape_term(out, b->name, w);
	fprintf(out, "  %s: ", bench_not_run_word(b));
	escape_term(out, b->reason ? b->reason : "too few samples to analyse", 0);
	fputc('\n', out);
}

static void print_row(FILE *out, const struct bench_result *b, int w)
{
	const struct analysis *a = &b->analysis.an;
	char est[24], lo[24], hi[24], ci[56], rate[32], outl[24], r2[16];
	size_t nout = a->outliers.low_mild + a->outliers.low_severe +
	              a->outliers.high_mild + a->outliers.high_severe;

	units_figure(est, sizeof est, a->slope.point, b->measure);
	snprintf(ci, sizeof ci, "[%s, %s]", units_figure(lo, sizeof lo, a->slope.lo, b->measure),
	         units_figure(hi, sizeof hi, a->slope.hi, b->measure));
	if (b->measure == MEASURE_INSTRUCTIONS)
		snprintf(rate, sizeof rate, "-");  /* counts have no rate */
	else if (b->bytes_per_iter > 0)
		units_rate(rate, sizeof rate, b->bytes_per_iter, 0, a->slope.point);
	else
		units_rate(rate, sizeof rate, b->items_per_iter, 1, a->slope.point);
	if (b->measure == MEASURE_INSTRUCTIONS)  /* the ramp's fixed cost, not noise */
		snprintf(outl, sizeof outl, "-");
	else
		snprintf(outl, sizeof outl, "%zu (%.0f%%)", nout,
		         a->nsamples ? 100.0 * nout / a->nsamples : 0.0);
	if (isfinite(a->r2))
		snprintf(r2, sizeof r2, "%.4f", a->r2);
	else
		snprintf(r2, sizeof r2, "flat");
	/* µs is two bytes for one column: widen those fields by one. */
	escape_term(out, b->name, w);
	fprintf(out, "  %*s  %*s  %14s  %9s  %s",
	        10 + (strstr(est, "µ") != NULL), est,
	        26 + (strstr(lo, "µ") != NULL) + (strstr(hi, "µ") != NULL), ci, rate, outl, r2);
	report_label(out, b);
}

/* "5 processes each" or "3-10 processes each": what the data hold (a
 * loaded baseline's, not the command line's). */
static void processes_text(const struct suite *s, const struct report_settings *rs, char *buf,
                           size_t n)
{
	size_t lo = 0, hi = 0;

	for (size_t i = 0; i < s->nbenches; i++) {
		size_t p = s->benches[i].nprocs;
		if (s->benches[i].failed)
			continue;
		lo = !hi || p < lo ? p : lo;
		hi = p > hi ? p : hi;
	}
	if (!hi)
		snprintf(buf, n, "%u processes each", rs->processes);
	else if (lo == hi)
		snprintf(buf, n, "%zu processes each", lo);
	else
		snprintf(buf, n, "%zu-%zu processes each", lo, hi);
}

void report_console(FILE *out, const struct suite *s, const struct report_settings *rs)
{
	int w = (int)name_width(s);
	size_t failed = 0, skipped = 0;
	char line[2048];
	char ci[24], procs[48], skips[32] = "";

	snprintf(ci, sizeof ci, "%g%% CI", rs->conf_level * 100);
	fprintf(out, "%-*s  %10s  %26s  %14s  %9s  %s\n", w, "benchmark",
	        units_measure_heading(s->measure),
	        ci, "throughput", "outliers", "R²");
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		if (b->failed || !b->analysis.done) {
			report_not_run(out, b, w);
			failed += !b->skipped;
			skipped += b->skipped;
		} else {
			print_row(out, b, w);
			counters_print(out, b);
			if (b->threads > 1 && (b->bytes_per_iter > 0 || b->items_per_iter > 0)) {
				char rate[32];
				units_rate(rate, sizeof rate, (b->bytes_per_iter > 0 ? b->bytes_per_iter
				           : b->items_per_iter) / b->threads, b->bytes_per_iter <= 0,
				           b->analysis.an.slope.point);
				fprintf(out, "    threads: %u, throughput per thread %s\n", b->threads,
				        rate);
			}
			if (user_counters_count(b, 0))
				fprintf(out, "    user counters: %s\n",
				        user_counters_format(line, sizeof line, b, 0));
			if (user_counters_count(b, 1))
				fprintf(out, "    memory: %s\n", user_counters_format(line, sizeof line, b, 1));
			/* Compared benchmarks show their notes in the comparison. */
			for (size_t k = 0; b->gate.cmp.verdict == VERDICT_NONE && k < b->analysis.nnotes; k++)
				fprintf(out, "    note: %s\n", b->analysis.notes[k]);
		}
	}
	complexity_write(out, s, &complexity_console);
	processes_text(s, rs, procs, sizeof procs);
	if (skipped)
		snprintf(skips, sizeof skips, ", %zu skipped", skipped);
	fprintf(out, "%zu benchmarks, %zu failed%s; %s, %.1f s; "
	        "%g%% intervals, seed %llu\n", s->nbenches, failed, skips, procs,
	        s->elapsed_s, rs->conf_level * 100, (unsigned long long)rs->seed);
	if (s->machine_note)
		fprintf(out, "note: %s\n", s->machine_note);
}
