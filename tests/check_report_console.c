/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/report_console.c: the console table of small
 * constructed result sets, line by line: the header, each benchmark's
 * name, estimate, interval, throughput, outliers and R², the FAILED and
 * skipped lines, the notes and per-thread throughput, and the summary. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "report.h"
#include "units.h"

/* Append benchmark `name` to s: analysed from 3 processes of 10 samples,
 * estimate `point` in [lo, hi], R² 0.9987 and no outliers. */
static struct bench_result *add(struct suite *s, const char *name, double point,
                                double lo, double hi)
{
	struct bench_result *b;

	s->benches = realloc(s->benches, (s->nbenches + 1) * sizeof *s->benches);
	ck_assert_ptr_nonnull(s->benches);
	b = &s->benches[s->nbenches++];
	memset(b, 0, sizeof *b);
	b->name = strdup(name);
	b->measure = s->measure;
	b->procs = calloc(3, sizeof *b->procs);  /* no samples: only counted */
	b->nprocs = b->cap = 3;
	b->analysis.done = 1;
	b->analysis.an.slope = (struct estimate){point, lo, hi};
	b->analysis.an.r2 = 0.9987;
	b->analysis.an.nsamples = 30;
	b->analysis.an.nprocs = 3;
	b->analysis.an.conf_level = 0.95;
	b->gate.cmp.change = b->gate.cmp.change_lo = b->gate.cmp.change_hi = NAN;
	return b;
}

/* b fails (or is skipped) with `reason`, which may be NULL. */
static void set_failed(struct bench_result *b, int skipped, const char *reason)
{
	b->analysis.done = 0;
	b->failed = 1;
	b->skipped = skipped;
	b->reason = reason ? strdup(reason) : NULL;
}

static const struct report_settings *opts(void)
{
	static struct report_settings o;

	o.conf_level = 0.95;
	o.seed = 42;
	o.processes = 5;
	return &o;
}

/* report_console(s, o) as a string (owned). */
static char *console(const struct suite *s, const struct report_settings *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	report_console(f, s, o);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

/* A timed suite: a benchmark in bytes with outliers and a label, one in
 * items on two threads with a note, one that crashed, one skipped, and one
 * left with too few samples.  Columns: the name padded to the longest
 * (17), estimate 10 wide, interval 26, throughput 14, outliers 9; a µ
 * takes two bytes for one column, so its field is a byte wider. */
START_TEST(test_time_table)
{
	struct suite s = {0};
	struct bench_result *b;
	char *text;
	static const char want[] =
		"benchmark           time/iter                      95% CI      throughput   outliers  R²\n"
		"sort/qsort/1024      1.234 µs        [1.200 µs, 1.300 µs]      829.8 MB/s     2 (7%)  0.9987  cold cache\n"
		"sort/threads/long    50.00 ns        [48.00 ns, 52.00 ns]  200.0 Mitems/s     0 (0%)  flat\n"
		"    threads: 2, throughput per thread 100.0 Mitems/s\n"
		"    note: the machine was busy\n"
		"sort/broken        FAILED: crashed (signal 11)\n"
		"sort/avx512        skipped: needs AVX-512\n"
		"sort/short         FAILED: too few samples to analyse\n"
		"5 benchmarks, 2 failed, 1 skipped; 3 processes each, 1.5 s; 95% intervals, seed 42\n"
		"note: load average 3.1 on 2 cores\n";

	b = add(&s, "sort/qsort/1024", 1234, 1200, 1300);
	b->bytes_per_iter = 1024;
	b->analysis.an.outliers.high_mild = 1;
	b->analysis.an.outliers.low_severe = 1;
	b->label = strdup("cold cache");
	b = add(&s, "sort/threads/long", 50, 48, 52);
	b->items_per_iter = 10;
	b->threads = 2;
	b->analysis.an.r2 = NAN;
	b->analysis.notes = calloc(1, sizeof *b->analysis.notes);
	b->analysis.notes[0] = strdup("the machine was busy");
	b->analysis.nnotes = 1;
	set_failed(add(&s, "sort/broken", 0, 0, 0), 0, "crashed (signal 11)");
	set_failed(add(&s, "sort/avx512", 0, 0, 0), 1, "needs AVX-512");
	b = add(&s, "sort/short", 0, 0, 0);
	b->analysis.done = 0;
	s.elapsed_s = 1.5;
	s.machine_note = strdup("load average 3.1 on 2 cores");

	text = console(&s, opts());
	ck_assert_str_eq(text, want);
	free(text);
	suite_free(&s);
}
END_TEST

/* Counted instructions: exact counts (whole ones without decimals), no
 * rate and no outliers, the Ir heading, and the interval level asked for. */
START_TEST(test_instructions_table)
{
	struct report_settings o = *opts();
	struct suite s = {.measure = MEASURE_INSTRUCTIONS};
	struct bench_result *b;
	char *text;
	static const char want[] =
		"benchmark      Ir/iter                      99% CI      throughput   outliers  R²\n"
		"hash/crc32     4100 Ir          [4100 Ir, 4100 Ir]               -          -  flat\n"
		"hash/fnv1a    12.50 Ir              [12 Ir, 13 Ir]               -          -  0.9987\n"
		"2 benchmarks, 0 failed; 3 processes each, 0.2 s; 99% intervals, seed 42\n";

	b = add(&s, "hash/crc32", 4100, 4100, 4100);
	b->bytes_per_iter = 64;
	b->analysis.an.outliers.high_severe = 3;
	b->analysis.an.r2 = NAN;
	add(&s, "hash/fnv1a", 12.5, 12, 13);
	s.elapsed_s = 0.25;
	o.conf_level = 0.99;
	text = console(&s, &o);
	ck_assert_str_eq(text, want);
	free(text);
	suite_free(&s);
}
END_TEST

/* Nothing measured: the processes asked for; a name longer than the
 * heading widens the name column; its unsafe bytes are escaped. */
START_TEST(test_all_failed)
{
	struct suite s = {0};
	char *text;
	static const char want[] =
		"benchmark             time/iter                      95% CI      throughput   outliers  R²\n"
		"evil/esc\\x1b[31mred  FAILED: exited with status 1\n"
		"1 benchmarks, 1 failed; 5 processes each, 0.0 s; 95% intervals, seed 42\n";

	set_failed(add(&s, "evil/esc\x1b[31mred", 0, 0, 0), 0, "exited with status 1");
	text = console(&s, opts());
	ck_assert_str_eq(text, want);
	free(text);
	suite_free(&s);
}
END_TEST

static Suite *report_console_suite(void)
{
	Suite *s = suite_create("report_console");
	TCase *tc = tcase_create("report_console");

	tcase_add_test(tc, test_time_table);
	tcase_add_test(tc, test_instructions_table);
	tcase_add_test(tc, test_all_failed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(report_console_suite());
}
