/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/gate.c: the decision procedure driven by a
 * scripted gate_source.  Its measure callback appends constructed rounds
 * (paired: one process of the old and one of the new build per round) or
 * processes (stored) to the benchmarks it is asked for, with a known true
 * change for each, and counts what it was asked; the tests then check
 * which suspects were re-measured, for how long, with which family, and
 * the verdicts and exit status that result.  All data are deterministic
 * (a fixed xorshift64 stream); effects are chosen far from any boundary. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "compare.h"
#include "gate.h"
#include "msg.h"

#define NSAMPLES 10   /* per process, on the ramp iters = 100, 200, ... */
#define MAXB 8        /* benchmarks in a scripted suite */
#define MAXCALLS 16

/* ---- Constructed data ---- */

static double uniform(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(uint64_t *s)
{
	double u = uniform(s), v = uniform(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Append to b one process in `round` whose samples lie exactly on
 * ns = 50 + slope * iters (its estimate is `slope`). */
static void append_proc(struct bench_result *b, unsigned round, uint64_t seq, double slope)
{
	struct proc_run *pr;

	if (b->nprocs == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 8;
		b->procs = realloc(b->procs, b->cap * sizeof *b->procs);
		ck_assert_ptr_nonnull(b->procs);
	}
	pr = &b->procs[b->nprocs++];
	memset(pr, 0, sizeof *pr);
	pr->round = round;
	pr->seq = seq;
	pr->samples = calloc(NSAMPLES, sizeof *pr->samples);
	ck_assert_ptr_nonnull(pr->samples);
	pr->nsamples = pr->cap = NSAMPLES;
	for (size_t k = 0; k < NSAMPLES; k++) {
		uint64_t it = 100 * (k + 1);
		pr->samples[k] = (struct sample){it, 50 + slope * (double)it};
	}
}

static struct bench_result *add_bench(struct suite *s, const char *name, enum compare_mode m)
{
	struct bench_result *b;

	s->benches = realloc(s->benches, (s->nbenches + 1) * sizeof *s->benches);
	ck_assert_ptr_nonnull(s->benches);
	b = &s->benches[s->nbenches++];
	memset(b, 0, sizeof *b);
	b->name = strdup(name);
	b->gate.mode = m;
	return b;
}

/* The script: for each benchmark of cur, its mode, its slope, its true
 * change in the screen (the run's own rounds) and in fresh rounds, and
 * the process noise; and a record of every measure call. */
struct script {
	struct suite cur, old, base;
	size_t n;
	enum compare_mode mode[MAXB];
	double slope[MAXB], screen[MAXB], fresh[MAXB], sd;
	uint64_t rng, seq;
	unsigned calls;                  /* measure calls */
	int only[MAXCALLS][MAXB];        /* what each call asked for */
	unsigned rounds[MAXCALLS];       /* and how many rounds */
	unsigned measured[MAXB];         /* fresh rounds or processes added */
};

static unsigned last_round(const struct script *sc)
{
	unsigned a = suite_last_round(&sc->cur), b = suite_last_round(&sc->old);

	return a > b ? a : b;
}

/* One paired round of benchmark i: old then new, or new then old. */
static void paired_round(struct script *sc, size_t i, unsigned round, double change,
                         int old_first)
{
	double o = sc->slope[i] * (1 + sc->sd * gauss(&sc->rng));
	double n = sc->slope[i] * change * (1 + sc->sd * gauss(&sc->rng));
	uint64_t so = old_first ? sc->seq : sc->seq + 1, sn = old_first ? sc->seq + 1 : sc->seq;

	sc->seq += 2;
	append_proc(suite_find(&sc->old, sc->cur.benches[i].name), round, so, o);
	append_proc(&sc->cur.benches[i], round, sn, n);
}

/* gate_source.measure: `rounds` more rounds of each benchmark in `only`,
 * numbered on from every round before; paired ones with their old build
 * in ABBA order, stored ones alone. */
static void scripted_measure(void *ctx, const int *only, unsigned rounds)
{
	struct script *sc = ctx;
	unsigned first = last_round(sc) + 1;

	ck_assert_ptr_nonnull(only);
	ck_assert_uint_lt(sc->calls, MAXCALLS);
	sc->rounds[sc->calls] = rounds;
	for (size_t i = 0; i < sc->n; i++) {
		sc->only[sc->calls][i] = only[i] != 0;
		if (!only[i])
			continue;
		sc->measured[i] += rounds;
		for (unsigned r = 0; r < rounds; r++) {
			if (sc->mode[i] == MODE_PAIRED)
				paired_round(sc, i, first + r, sc->fresh[i],
				             suite_old_first(1, r, sc->cur.benches[i].name));
			else
				append_proc(&sc->cur.benches[i], first + r, sc->seq++,
				            sc->slope[i] * sc->fresh[i] * (1 + sc->sd * gauss(&sc->rng)));
		}
	}
	sc->calls++;
}

/* Add benchmark `name` to the script: mode m, slope, true change in the
 * screen and in fresh rounds. */
static void script_add(struct script *sc, const char *name, enum compare_mode m, double slope,
                       double screen, double fresh)
{
	size_t i = sc->n++;

	ck_assert_uint_le(sc->n, MAXB);
	sc->mode[i] = m;
	sc->slope[i] = slope;
	sc->screen[i] = screen;
	sc->fresh[i] = fresh;
	add_bench(&sc->cur, name, m);
	if (m == MODE_PAIRED)
		add_bench(&sc->old, name, MODE_NONE);
	else
		add_bench(&sc->base, name, MODE_NONE);
}

/* The run's own measurement: 5 rounds of every benchmark (paired: both
 * builds; stored: 5 processes of the baseline and 5 of the current). */
static void script_screen(struct script *sc)
{
	for (unsigned r = 0; r < 5; r++)
		for (size_t i = 0; i < sc->n; i++) {
			if (sc->mode[i] == MODE_PAIRED) {
				paired_round(sc, i, r + 1, sc->screen[i], r % 2 == 0);
				continue;
			}
			append_proc(suite_find(&sc->base, sc->cur.benches[i].name), r + 1, 0,
			            sc->slope[i] * (1 + sc->sd * gauss(&sc->rng)));
			append_proc(&sc->cur.benches[i], r + 1, sc->seq++,
			            sc->slope[i] * sc->screen[i] * (1 + sc->sd * gauss(&sc->rng)));
		}
}

static void script_init(struct script *sc, uint64_t seed, double sd)
{
	memset(sc, 0, sizeof *sc);
	sc->rng = seed;
	sc->sd = sd;
}

static void script_free(struct script *sc)
{
	suite_free(&sc->cur);
	suite_free(&sc->old);
	suite_free(&sc->base);
}

static struct gate_opts gate_defaults(unsigned remeasure)
{
	struct gate_opts o = {
		.co = { .statistic = ANALYSIS_SLOPE, .alpha = 0.01, .noise = 0.01,
		        .conf_level = 0.95, .drift_correction = 1,
		        .drift_bound = COMPARE_DRIFT_BOUND },
		.remeasure = remeasure, .fail_on = FAIL_ON_REGRESSION,
	};
	return o;
}

static const struct comparison *cmp_of(const struct script *sc, size_t i)
{
	return &sc->cur.benches[i].gate.cmp;
}

/* Holm's adjustment of the p-values of the benchmarks in `fam`, by hand
 * (sorted ascending, times k, k - 1, ..., running maximum, capped at 1),
 * compared with the p_adj the gate left. */
static void assert_holm_family(const struct script *sc, const int *fam)
{
	size_t idx[MAXB], k = 0;
	double running = 0;

	for (size_t i = 0; i < sc->n; i++)
		if (fam[i])
			idx[k++] = i;
	for (size_t a = 0; a < k; a++)  /* insertion sort by p */
		for (size_t b = a; b > 0 && cmp_of(sc, idx[b])->p < cmp_of(sc, idx[b - 1])->p; b--) {
			size_t t = idx[b];
			idx[b] = idx[b - 1];
			idx[b - 1] = t;
		}
	for (size_t j = 0; j < k; j++) {
		double a = fmin(1, cmp_of(sc, idx[j])->p * (double)(k - j));
		running = fmax(running, a);
		ck_assert_msg(fabs(cmp_of(sc, idx[j])->p_adj - running) <= 1e-15 * fmax(1, running),
		              "%s: p %.6g p_adj %.6g, Holm over %zu gives %.6g",
		              sc->cur.benches[idx[j]].name, cmp_of(sc, idx[j])->p,
		              cmp_of(sc, idx[j])->p_adj, k, running);
	}
}

/* ---- Paired: screen, confirm, conclude ---- */

/* Five paired benchmarks, 0.3 % noise: p/real is +5 % throughout; p/chance
 * looked +3 % in the screen but is unchanged in fresh rounds; p/u0..u2
 * are unchanged throughout. */
static void make_paired_script(struct script *sc)
{
	script_init(sc, 0x9e3779b97f4a7c15u, 0.003);
	script_add(sc, "p/real", MODE_PAIRED, 4, 1.05, 1.05);
	script_add(sc, "p/chance", MODE_PAIRED, 5, 1.03, 1.0);
	script_add(sc, "p/u0", MODE_PAIRED, 6, 1, 1);
	script_add(sc, "p/u1", MODE_PAIRED, 7, 1, 1);
	script_add(sc, "p/u2", MODE_PAIRED, 8, 1, 1);
	script_screen(sc);
}

START_TEST(test_confirm_and_clear)
{
	struct gate_opts o = gate_defaults(30);
	struct gate_source src = { scripted_measure, NULL };
	struct compare_summary sum = {0}, first = {0};
	struct script *sc = malloc(sizeof *sc);
	enum verdict first_verdict[MAXB];
	double first_p_adj[MAXB];
	int fam[MAXB] = {0};

	ck_assert_ptr_nonnull(sc);
	make_paired_script(sc);
	src.ctx = sc;
	/* The first look alone, as gate_run begins: both changes are
	 * suspects, the unchanged ones are not. */
	ck_assert_int_eq(gate_run(&o, &sc->cur, &sc->old, NULL, NULL, &first), 0);
	ck_assert_uint_eq(sc->calls, 0);
	for (size_t i = 0; i < sc->n; i++) {
		first_verdict[i] = cmp_of(sc, i)->verdict;
		first_p_adj[i] = cmp_of(sc, i)->p_adj;
		ck_assert_int_eq(compare_is_suspect(cmp_of(sc, i), o.co.noise, 1), i < 2 ? 1 : 0);
	}
	compare_summary_free(&first);

	ck_assert_int_eq(gate_run(&o, &sc->cur, &sc->old, NULL, &src, &sum), 0);
	/* The real +5 % is confirmed on fresh rounds, at the first look
	 * (decided early: measured no further). */
	ck_assert_int_eq(cmp_of(sc, 0)->verdict, VERDICT_REGRESSED);
	ck_assert(cmp_of(sc, 0)->remeasured);
	ck_assert_double_eq_tol(cmp_of(sc, 0)->change, 0.05, 0.005);
	ck_assert_uint_eq(sc->measured[0], GATE_CONFIRM_BATCH);
	/* The chance is cleared, and was dropped after its first batch. */
	ck_assert_int_ne(cmp_of(sc, 1)->verdict, VERDICT_REGRESSED);
	ck_assert(cmp_of(sc, 1)->remeasured);
	ck_assert_double_lt(fabs(cmp_of(sc, 1)->change), 0.0025);
	ck_assert_uint_eq(sc->measured[1], GATE_CONFIRM_BATCH);
	/* The verdicts of suspects come from the fresh rounds alone. */
	ck_assert_uint_eq(cmp_of(sc, 0)->cur_procs, GATE_CONFIRM_BATCH);
	ck_assert_uint_eq(cmp_of(sc, 1)->cur_procs, GATE_CONFIRM_BATCH);
	for (size_t k = 0; k < cmp_of(sc, 0)->nrounds; k++)
		ck_assert(!cmp_of(sc, 0)->rounds[k].used || cmp_of(sc, 0)->rounds[k].round > 5);
	/* One call of GATE_CONFIRM_BATCH rounds for both suspects; never an
	 * unchanged one. */
	ck_assert_uint_eq(sc->calls, 1);
	for (unsigned c = 0; c < sc->calls; c++) {
		ck_assert_uint_eq(sc->rounds[c], GATE_CONFIRM_BATCH);
		ck_assert_int_eq(sc->only[c][0], 1);
		ck_assert_int_eq(sc->only[c][1], c == 0);
		for (size_t i = 2; i < sc->n; i++)
			ck_assert_int_eq(sc->only[c][i], 0);
	}
	/* The family is the two suspects: Holm over two. */
	fam[0] = fam[1] = 1;
	assert_holm_family(sc, fam);
	ck_assert_uint_eq(sum.compared, 2);
	/* The others keep their first-look verdicts and p-values. */
	for (size_t i = 2; i < sc->n; i++) {
		ck_assert(!cmp_of(sc, i)->remeasured);
		ck_assert_int_eq(cmp_of(sc, i)->verdict, first_verdict[i]);
		ck_assert_double_eq(cmp_of(sc, i)->p_adj, first_p_adj[i]);
		ck_assert_int_ne(cmp_of(sc, i)->verdict, VERDICT_REGRESSED);
	}
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 1);
	ck_assert_uint_eq(sum.modes[MODE_PAIRED], 5);
	ck_assert_int_eq(gate_exit_status(&sum, 0, o.fail_on), EXIT_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&sum, 0, FAIL_ON_NEVER), EXIT_NO_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&sum, 2, o.fail_on), EXIT_BENCH_FAILED);
	compare_summary_free(&sum);
	script_free(sc);
	free(sc);
}
END_TEST

/* A +2.5 % change, too close to the threshold for an early look's share
 * of alpha on noisy rounds (2 % a side), is measured to the last look and decided
 * there, at the rest of alpha; an unchanged suspect on the same rounds is
 * not called regressed. */
START_TEST(test_early_and_last_looks)
{
	struct gate_opts o = gate_defaults(30);
	struct gate_source src = { scripted_measure, NULL };
	struct compare_summary sum = {0};
	struct script *sc = malloc(sizeof *sc);

	ck_assert_ptr_nonnull(sc);
	script_init(sc, 0x9e3779b97f4a7c15u, 0.02);
	script_add(sc, "p/mid", MODE_PAIRED, 4, 1.025, 1.025);
	script_add(sc, "p/u0", MODE_PAIRED, 6, 1, 1);
	script_screen(sc);
	src.ctx = sc;
	ck_assert_int_eq(gate_run(&o, &sc->cur, &sc->old, NULL, &src, &sum), 0);
	ck_assert_int_eq(cmp_of(sc, 0)->verdict, VERDICT_REGRESSED);
	ck_assert_uint_eq(sc->measured[0], 30);  /* +3 % is decided after 20 */
	ck_assert_double_lt(cmp_of(sc, 0)->p_adj, 0.01 * (1 - GATE_EARLY_ALPHA));
	ck_assert_int_ne(cmp_of(sc, 1)->verdict, VERDICT_REGRESSED);
	compare_summary_free(&sum);
	script_free(sc);
	free(sc);
}
END_TEST

/* Rounds come numbered on from every round before, and the recorded
 * order is the ABBA order the script used: the gate judges what the
 * callback measured, round by round. */
START_TEST(test_fresh_rounds_numbered)
{
	struct gate_opts o = gate_defaults(20);
	struct gate_source src = { scripted_measure, NULL };
	struct compare_summary sum = {0};
	struct script *sc = malloc(sizeof *sc);
	const struct comparison *c;

	ck_assert_ptr_nonnull(sc);
	make_paired_script(sc);
	src.ctx = sc;
	ck_assert_int_eq(gate_run(&o, &sc->cur, &sc->old, NULL, &src, &sum), 0);
	c = cmp_of(sc, 0);
	ck_assert_uint_eq(c->nrounds, 5 + GATE_CONFIRM_BATCH);
	for (size_t k = 0; k < c->nrounds; k++) {
		ck_assert_uint_eq(c->rounds[k].round, k + 1);
		if (k >= 5)
			ck_assert_int_eq(c->rounds[k].old_first,
			                 suite_old_first(1, (unsigned)(k - 5) % GATE_CONFIRM_BATCH,
			                                 "p/real"));
	}
	/* p/chance was measured in the first batch only: rounds 6..15 */
	c = cmp_of(sc, 1);
	ck_assert_uint_eq(c->nrounds, 15);
	ck_assert_uint_eq(c->rounds[14].round, 15);
	compare_summary_free(&sum);
	script_free(sc);
	free(sc);
}
END_TEST

/* remeasure 0, or no source: the first look is the verdict, nothing is
 * measured; the +3 % chance stays what the screen made of it. */
START_TEST(test_no_second_look)
{
	struct gate_opts o = gate_defaults(_i == 0 ? 0 : 30);
	struct gate_source src = { scripted_measure, NULL };
	struct compare_summary sum = {0};
	struct script *sc = malloc(sizeof *sc);

	ck_assert_ptr_nonnull(sc);
	make_paired_script(sc);
	src.ctx = sc;
	ck_assert_int_eq(gate_run(&o, &sc->cur, &sc->old, NULL, _i == 0 ? &src : NULL, &sum), 0);
	ck_assert_uint_eq(sc->calls, 0);
	for (size_t i = 0; i < sc->n; i++) {
		ck_assert(!cmp_of(sc, i)->remeasured);
		ck_assert_uint_eq(cmp_of(sc, i)->nrounds, 5);
	}
	ck_assert_uint_eq(sum.compared, 5);  /* the whole suite, one family */
	ck_assert_int_ne(cmp_of(sc, 0)->verdict, VERDICT_NONE);
	compare_summary_free(&sum);
	script_free(sc);
	free(sc);
}
END_TEST

/* Nothing suspect: no call at all. */
START_TEST(test_nothing_suspect)
{
	struct gate_opts o = gate_defaults(30);
	struct gate_source src = { scripted_measure, NULL };
	struct compare_summary sum = {0};
	struct script *sc = malloc(sizeof *sc);

	ck_assert_ptr_nonnull(sc);
	script_init(sc, 12345, 0.003);
	script_add(sc, "q/a", MODE_PAIRED, 4, 1, 1);
	script_add(sc, "q/b", MODE_PAIRED, 5, 1, 1);
	script_screen(sc);
	src.ctx = sc;
	ck_assert_int_eq(gate_run(&o, &sc->cur, &sc->old, NULL, &src, &sum), 0);
	ck_assert_uint_eq(sc->calls, 0);
	ck_assert_uint_eq(sum.counts[VERDICT_REGRESSED], 0);
	ck_assert_int_eq(gate_exit_status(&sum, 0, o.fail_on), EXIT_NO_REGRESSION);
	compare_summary_free(&sum);
	script_free(sc);
	free(sc);
}
END_TEST

/* A mixed run: paired benchmarks judged against their old build, stored
 * ones against the baseline.  s/slow is +20 % against the baseline but
 * has no old build here; p/same is unchanged against its old build,
 * whose figures are 20 % away from the baseline's (a different machine),
 * and p/slow is +5 % against its old build but level with the baseline:
 * each is judged by its own data.  (The baseline lists every benchmark,
 * as a real one does: one it lacks would be "new".)  The stored suspect gets half of
 * `remeasure` more processes in one call; every stored benchmark stays in
 * the final family. */
START_TEST(test_mixed)
{
	struct gate_opts o = gate_defaults(20);
	struct gate_source src = { scripted_measure, NULL };
	struct compare_summary sum = {0};
	struct script *sc = malloc(sizeof *sc);
	struct bench_result *ref;

	ck_assert_ptr_nonnull(sc);
	script_init(sc, 777, 0.003);
	script_add(sc, "p/same", MODE_PAIRED, 4, 1, 1);
	script_add(sc, "p/slow", MODE_PAIRED, 5, 1.05, 1.05);
	script_add(sc, "s/slow", MODE_STORED, 6, 1.2, 1.2);
	script_add(sc, "s/u0", MODE_STORED, 7, 1, 1);
	script_add(sc, "s/u1", MODE_STORED, 8, 1, 1);
	script_add(sc, "s/u2", MODE_STORED, 9, 1, 1);
	script_add(sc, "s/u3", MODE_STORED, 10, 1, 1);
	script_screen(sc);
	/* The baseline's p/same, 20 % slower than the old build measured now:
	 * a paired benchmark never looks at it. */
	ref = add_bench(&sc->base, "p/same", MODE_NONE);
	for (unsigned r = 0; r < 5; r++)
		append_proc(ref, r + 1, 0, 4 * 1.2 * (1 + 0.003 * gauss(&sc->rng)));
	ref = add_bench(&sc->base, "p/slow", MODE_NONE);
	for (unsigned r = 0; r < 5; r++)
		append_proc(ref, r + 1, 0, 5 * 1.05 * (1 + 0.003 * gauss(&sc->rng)));
	src.ctx = sc;
	ck_assert_int_eq(gate_run(&o, &sc->cur, &sc->old, &sc->base, &src, &sum), 0);
	ck_assert_int_ne(cmp_of(sc, 0)->verdict, VERDICT_REGRESSED);
	ck_assert_int_ne(cmp_of(sc, 0)->verdict, VERDICT_IMPROVED);
	ck_assert_double_lt(fabs(cmp_of(sc, 0)->change), 0.01);
	ck_assert_int_eq(cmp_of(sc, 1)->verdict, VERDICT_REGRESSED);
	ck_assert(cmp_of(sc, 1)->remeasured);
	ck_assert_int_eq(cmp_of(sc, 2)->verdict, VERDICT_REGRESSED);
	ck_assert(cmp_of(sc, 2)->remeasured);
	ck_assert_double_eq_tol(cmp_of(sc, 2)->change, 0.2, 0.01);
	ck_assert_uint_eq(cmp_of(sc, 2)->cur_procs, 5 + 10);
	ck_assert_uint_eq(cmp_of(sc, 2)->base_procs, 5);
	for (size_t i = 3; i < sc->n; i++) {
		ck_assert_int_eq(cmp_of(sc, i)->verdict, VERDICT_NO_CHANGE);
		ck_assert(!cmp_of(sc, i)->remeasured);
		ck_assert_uint_eq(sc->measured[i], 0);
	}
	/* first call: the stored suspect alone, 10 processes; then the
	 * paired suspect, decided at its first look */
	ck_assert_uint_ge(sc->calls, 2);
	ck_assert_uint_eq(sc->rounds[0], 10);
	ck_assert_int_eq(sc->only[0][2], 1);
	ck_assert_int_eq(sc->only[0][1], 0);
	ck_assert_int_eq(sc->only[1][1], 1);
	ck_assert_int_eq(sc->only[1][2], 0);
	ck_assert_uint_eq(sc->measured[1], GATE_CONFIRM_BATCH);
	ck_assert_uint_eq(sc->measured[2], 10);
	ck_assert_uint_eq(sc->measured[0], 0);
	ck_assert_uint_eq(sum.modes[MODE_PAIRED], 2);
	ck_assert_uint_eq(sum.modes[MODE_STORED], 5);
	/* final family: the paired suspect and all five stored */
	ck_assert_uint_eq(sum.compared, 6);
	ck_assert_uint_eq(sum.stored, 5);
	ck_assert_int_eq(gate_exit_status(&sum, 0, o.fail_on), EXIT_REGRESSION);
	compare_summary_free(&sum);
	script_free(sc);
	free(sc);
}
END_TEST

/* Stored only: a suspect slowdown gets more processes (half of remeasure)
 * in one call, and the whole stored suite is judged again. */
START_TEST(test_stored_suspect)
{
	struct gate_opts o = gate_defaults(20);
	struct gate_source src = { scripted_measure, NULL };
	struct compare_summary sum = {0};
	struct script *sc = malloc(sizeof *sc);

	ck_assert_ptr_nonnull(sc);
	script_init(sc, 4242, 0.003);
	script_add(sc, "s/slow", MODE_STORED, 6, 1.3, 1.3);
	script_add(sc, "s/u0", MODE_STORED, 7, 1, 1);
	script_add(sc, "s/u1", MODE_STORED, 8, 1, 1);
	script_add(sc, "s/u2", MODE_STORED, 9, 1, 1);
	script_add(sc, "s/u3", MODE_STORED, 10, 1, 1);
	script_screen(sc);
	src.ctx = sc;
	ck_assert_int_eq(gate_run(&o, &sc->cur, NULL, &sc->base, &src, &sum), 0);
	ck_assert_uint_eq(sc->calls, 1);
	ck_assert_uint_eq(sc->rounds[0], 10);
	ck_assert_int_eq(sc->only[0][0], 1);
	for (size_t i = 1; i < sc->n; i++)
		ck_assert_int_eq(sc->only[0][i], 0);
	ck_assert_int_eq(cmp_of(sc, 0)->verdict, VERDICT_REGRESSED);
	ck_assert(cmp_of(sc, 0)->remeasured);
	ck_assert_uint_eq(cmp_of(sc, 0)->cur_procs, 15);
	ck_assert_uint_eq(sum.compared, 5);
	compare_summary_free(&sum);
	script_free(sc);
	free(sc);
}
END_TEST

/* gate_exit_status, case by case, on summaries built by hand. */
START_TEST(test_exit_status)
{
	struct compare_summary s = {0};

	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_REGRESSION), EXIT_NO_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&s, 1, FAIL_ON_REGRESSION), EXIT_BENCH_FAILED);
	ck_assert_int_eq(gate_exit_status(&s, 1, FAIL_ON_NEVER), EXIT_BENCH_FAILED);
	s.counts[VERDICT_REGRESSED] = 1;
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_REGRESSION), EXIT_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_CHANGE), EXIT_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_NEVER), EXIT_NO_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&s, 3, FAIL_ON_REGRESSION), EXIT_BENCH_FAILED);
	s.counts[VERDICT_REGRESSED] = 0;
	s.counts[VERDICT_IMPROVED] = 2;
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_REGRESSION), EXIT_NO_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_CHANGE), EXIT_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_NEVER), EXIT_NO_REGRESSION);
	s.counts[VERDICT_IMPROVED] = 0;
	s.counts[VERDICT_WITHIN_NOISE] = 4;  /* not a change the gate fails on */
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_CHANGE), EXIT_NO_REGRESSION);
	s.shift_beyond = 1;
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_REGRESSION), EXIT_REGRESSION);
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_NEVER), EXIT_NO_REGRESSION);
	s.shift_beyond = 0;
	s.too_few = 1;
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_REGRESSION), EXIT_USAGE);
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_NEVER), EXIT_USAGE);
	s.counts[VERDICT_REGRESSED] = 1;  /* a regression outranks too few */
	ck_assert_int_eq(gate_exit_status(&s, 0, FAIL_ON_REGRESSION), EXIT_REGRESSION);
	ck_assert_int_eq(EXIT_NO_REGRESSION, 0);
	ck_assert_int_eq(EXIT_REGRESSION, 1);
	ck_assert_int_eq(EXIT_USAGE, 2);
	ck_assert_int_eq(EXIT_BENCH_FAILED, 3);
}
END_TEST

static Suite *gate_suite(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("scripted");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_confirm_and_clear);
	tcase_add_test(tc, test_fresh_rounds_numbered);
	tcase_add_test(tc, test_early_and_last_looks);
	tcase_add_loop_test(tc, test_no_second_look, 0, 2);
	tcase_add_test(tc, test_nothing_suspect);
	tcase_add_test(tc, test_mixed);
	tcase_add_test(tc, test_stored_suspect);
	tcase_add_test(tc, test_exit_status);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(gate_suite());
}
