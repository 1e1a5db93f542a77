/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Noise notes (harness/noise.c): which weaknesses of a benchmark's
 * evidence get a line, on constructed results. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check_main.h"
#include "noise.h"

/* A benchmark with `nprocs` processes of 4 samples, ramped or flat. */
static void make_bench(struct bench_result *b, size_t nprocs, size_t nflat)
{
	memset(b, 0, sizeof *b);
	b->name = strdup("g/f");
	b->procs = calloc(nprocs, sizeof *b->procs);
	b->nprocs = nprocs;
	for (size_t p = 0; p < nprocs; p++) {
		struct proc_run *r = &b->procs[p];
		r->samples = calloc(4, sizeof *r->samples);
		r->nsamples = 4;
		for (unsigned k = 0; k < 4; k++)
			r->samples[k] = (struct sample){p < nflat ? 10 : 10 * (k + 1), 100.0 * (k + 1)};
	}
	b->analysis.done = 1;
	b->analysis.an.slope = (struct estimate){100, 99, 101};
	b->analysis.an.r2 = 0.99;
	b->analysis.an.nsamples = 100;
	b->gate.cmp.rel = b->gate.cmp.rel_lo = b->gate.cmp.rel_hi = NAN;
}

static int has_note(const struct bench_result *b, const char *needle)
{
	for (size_t i = 0; i < b->analysis.nnotes; i++)
		if (strstr(b->analysis.notes[i], needle))
			return 1;
	return 0;
}

static void run_notes(struct bench_result *b, int compared)
{
	struct suite s = {0};

	s.benches = b;
	s.nbenches = 1;
	noise_notes(&s, compared);
}

static void free_bench(struct bench_result *b)
{
	struct suite s = {0};

	s.benches = malloc(sizeof *b);
	*s.benches = *b;
	s.nbenches = 1;
	suite_free(&s);
}

START_TEST(test_clean_has_none)
{
	struct bench_result b;

	make_bench(&b, 5, 0);
	run_notes(&b, 0);
	ck_assert_uint_eq(b.analysis.nnotes, 0);
	free_bench(&b);
}
END_TEST

/* Each weakness alone gives its one line, at its stated threshold. */
START_TEST(test_each_weakness)
{
	struct bench_result b;

	make_bench(&b, 5, 0);
	b.analysis.an.r2 = 0.79;  /* MIN_R2 0.8 */
	run_notes(&b, 0);
	ck_assert_uint_eq(b.analysis.nnotes, 1);
	ck_assert(has_note(&b, "low R² 0.79"));
	free_bench(&b);

	make_bench(&b, 5, 0);
	b.analysis.an.outliers.high_mild = 11;  /* 11 % of 100 > 10 % */
	run_notes(&b, 0);
	ck_assert_uint_eq(b.analysis.nnotes, 1);
	ck_assert(has_note(&b, "11% of samples are outliers"));
	free_bench(&b);

	make_bench(&b, 5, 0);
	b.analysis.an.outliers.high_mild = 10;  /* exactly 10 %: not more */
	b.analysis.an.slope = (struct estimate){100, 94, 106};  /* +-6 % > +-5 % */
	run_notes(&b, 0);
	ck_assert_uint_eq(b.analysis.nnotes, 1);
	ck_assert(has_note(&b, "interval ±6%"));
	free_bench(&b);

	make_bench(&b, 5, 2);
	run_notes(&b, 0);
	ck_assert(has_note(&b, "2 of 5 processes sampled flat"));
	free_bench(&b);

	make_bench(&b, 5, 5);
	run_notes(&b, 0);
	ck_assert(has_note(&b, "flat samples"));
	free_bench(&b);

	/* Pauses: each process's samples time 1000 ns over 100 iterations;
	 * paused 1000 ns is not more than that, 1001 ns is. */
	make_bench(&b, 5, 0);
	for (size_t p = 0; p < 5; p++)
		b.procs[p].pauses = 100, b.procs[p].paused_ns = 1000;
	run_notes(&b, 0);
	ck_assert_uint_eq(b.analysis.nnotes, 0);
	free_bench(&b);
	make_bench(&b, 5, 0);
	for (size_t p = 0; p < 5; p++)
		b.procs[p].pauses = 100, b.procs[p].paused_ns = 1001;
	run_notes(&b, 0);
	ck_assert_uint_eq(b.analysis.nnotes, 1);
	ck_assert(has_note(&b, "pauses (br_state_pause) took 50% of the loop time, 1 per "
	                       "iteration"));
	free_bench(&b);
}
END_TEST

/* Compared, the change's interval speaks instead of the estimate's. */
START_TEST(test_compared_interval)
{
	struct bench_result b;

	make_bench(&b, 5, 0);
	b.analysis.an.slope = (struct estimate){100, 90, 110};
	b.gate.mode = MODE_PAIRED;
	b.gate.cmp.rel = 0.01;
	b.gate.cmp.rel_lo = -0.07;
	b.gate.cmp.rel_hi = 0.09;  /* +-8 % */
	run_notes(&b, 1);
	ck_assert_uint_eq(b.analysis.nnotes, 1);
	ck_assert(has_note(&b, "the change's interval is ±8%"));
	ck_assert(has_note(&b, "--remeasure"));
	free_bench(&b);
}
END_TEST

START_TEST(test_machine_busy)
{
	char buf[256];

	/* Others' load per CPU above 0.5: (2.1 - 1) / 2 = 0.55. */
	ck_assert_int_eq(noise_machine_busy(2.1, 2, buf, sizeof buf), 1);
	ck_assert(strstr(buf, "load average 2.1 on 2 CPUs"));
	ck_assert_int_eq(noise_machine_busy(2.0, 2, buf, sizeof buf), 0);
	ck_assert_int_eq(noise_machine_busy(1.0, 1, buf, sizeof buf), 0);
	ck_assert_int_eq(noise_machine_busy(9.0, 0, buf, sizeof buf), 0);
}
END_TEST

static Suite *noise_suite(void)
{
	Suite *s = suite_create("noise");
	TCase *tc = tcase_create("notes");

	tcase_add_test(tc, test_clean_has_none);
	tcase_add_test(tc, test_each_weakness);
	tcase_add_test(tc, test_compared_interval);
	tcase_add_test(tc, test_machine_busy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(noise_suite());
}
