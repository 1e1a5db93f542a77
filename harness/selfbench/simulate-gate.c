/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An exact simulation of the stored comparison's decision procedure: the
 * gate (harness/gate.c, harness/compare.c) itself judges suites whose
 * per-process figures are drawn from the between-run drift model these VMs
 * show, and this counts how often an unchanged suite raises any alarm or
 * exits 1, and how often a change is caught.
 *
 *   harness/selfbench/simulate-gate [TRIALS] [COMMON_SD BENCH_SD PROC_SD]   (percent)
 *
 * Model (see harness/compare.c): a run's log figure for benchmark i in
 * process p is  mu_i + c + delta_i + e_ip,  c shared by the suite (the
 * machine's state in that run), delta_i the benchmark's own, e_ip ~
 * N(0, PROC_SD) per process.  COMMON_SD and BENCH_SD are what is observed:
 * the spread of the *difference* between two runs (whole suites moved
 * -2.6 % to +1.8 % between invocations here: about 1.5 % sd), so each run
 * draws c and delta_i with those over sqrt(2).
 * The baseline run has 10 processes, the current 5; a suspect's
 * re-measurement draws more processes of the *same* run (same c and
 * delta_i), which is what re-measuring in one invocation does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "gate.h"
#include "msg.h"

struct run_model {
	double common, *delta;   /* this run's drifts (log) */
	double *effect;          /* log change of each benchmark in this run */
};

struct sim {
	gsl_rng *rng;
	double proc_sd;
	struct suite *cur;
	struct run_model *now;
};

/* One process of benchmark i: three ramp samples whose slope is exactly
 * its figure. */
static void add_process(struct bench_result *b, double log_ns, unsigned round)
{
	struct proc_run *p;

	b->procs = realloc(b->procs, (b->nprocs + 1) * sizeof *b->procs);
	p = &b->procs[b->nprocs++];
	memset(p, 0, sizeof *p);
	p->round = round;
	p->samples = calloc(3, sizeof *p->samples);
	p->nsamples = p->cap = 3;
	for (unsigned k = 0; k < 3; k++)
		p->samples[k] = (struct sample){100 * (k + 1), exp(log_ns) * 100 * (k + 1)};
}

static void draw(struct sim *s, struct suite *su, size_t i, const struct run_model *m,
                 unsigned nprocs)
{
	struct bench_result *b = &su->benches[i];
	unsigned round = suite_last_round(su) + 1;

	for (unsigned p = 0; p < nprocs; p++)
		add_process(b, log(1000.0 * (i + 1)) + m->common + m->delta[i] + m->effect[i] +
		               gsl_ran_gaussian(s->rng, s->proc_sd), round + p);
}

/* The gate's source: more processes of the same run. */
static void more(void *ctx, const int *only, unsigned rounds)
{
	struct sim *s = ctx;

	for (size_t i = 0; i < s->cur->nbenches; i++)
		if (!only || only[i])
			draw(s, s->cur, i, s->now, rounds);
}

static void make_suite(struct suite *su, size_t n)
{
	memset(su, 0, sizeof *su);
	su->benches = calloc(n, sizeof *su->benches);
	su->nbenches = n;
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "sim/b%zu", i);
		su->benches[i].name = strdup(name);
		su->benches[i].program = strdup("sim");
		su->benches[i].gate.mode = MODE_STORED;
	}
}

static void model(struct sim *s, struct run_model *m, size_t n, double common_sd,
                  double bench_sd, double change, size_t changed)
{
	m->common = gsl_ran_gaussian(s->rng, common_sd / M_SQRT2);
	for (size_t i = 0; i < n; i++) {
		m->delta[i] = gsl_ran_gaussian(s->rng, bench_sd / M_SQRT2);
		m->effect[i] = i < changed ? log1p(change) : 0;
	}
}

/* One simulated comparison; returns its exit status, *alarms the
 * benchmarks called regressed or improved among the unchanged ones. */
static int trial(struct sim *s, size_t n, const double sd[3], double change, size_t changed,
                 size_t *alarms, int *caught)
{
	double d0[128], d1[128], e0[128], e1[128];
	struct run_model base = {0, d0, e0}, now = {0, d1, e1};
	struct suite b, c;
	struct compare_summary sum = {0};
	struct gate_opts go = {{ANALYSIS_SLOPE, 0.01, 0.01, 0.95, 1, 0.04, NULL, NULL, 0, NULL, NULL, NULL}, 30,
	                       FAIL_ON_REGRESSION};
	struct gate_source src = {more, s};
	int rc;

	make_suite(&b, n);
	make_suite(&c, n);
	model(s, &base, n, sd[0], sd[1], 0, 0);
	model(s, &now, n, sd[0], sd[1], change, changed);
	for (size_t i = 0; i < n; i++) {
		draw(s, &b, i, &base, 10);
		draw(s, &c, i, &now, 5);
	}
	s->cur = &c;
	s->now = &now;
	gate_run(&go, &c, NULL, &b, &src, &sum);
	rc = gate_exit_status(&sum, 0, FAIL_ON_REGRESSION);
	*alarms = 0;
	*caught = changed && c.benches[0].gate.cmp.verdict == VERDICT_REGRESSED;
	for (size_t i = changed; i < n; i++)
		*alarms += c.benches[i].gate.cmp.verdict == VERDICT_REGRESSED ||
		           c.benches[i].gate.cmp.verdict == VERDICT_IMPROVED;
	compare_summary_free(&sum);
	suite_free(&b);
	suite_free(&c);
	return rc;
}

static void scenario(struct sim *s, const char *what, size_t n, const double sd[3],
                     double change, size_t changed, unsigned trials)
{
	unsigned any = 0, exit1 = 0, caught = 0;

	for (unsigned t = 0; t < trials; t++) {
		size_t alarms;
		int hit, rc = trial(s, n, sd, change, changed, &alarms, &hit);
		any += alarms > 0;
		exit1 += rc == EXIT_REGRESSION;
		caught += hit;
	}
	printf("%-34s %4zu  %6.2f%%  %6.2f%%", what, n, 100.0 * any / trials,
	       100.0 * exit1 / trials);
	if (changed)
		printf("  %6.2f%%", 100.0 * caught / trials);
	putchar('\n');
}

int main(int argc, char **argv)
{
	unsigned trials = argc > 1 ? (unsigned)atoi(argv[1]) : 2000;
	double sd[3] = {0.015, 0.0075, 0.01};
	static const size_t sizes[] = {1, 3, 20, 100};
	struct sim s;

	if (argc > 4)
		for (int i = 0; i < 3; i++)
			sd[i] = atof(argv[2 + i]) / 100;
	s.rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(s.rng, 1);
	s.proc_sd = sd[2];
	printf("# drift between two runs: common sd %.2f%%, per benchmark %.2f%%; per process "
	       "%.2f%%; "
	       "%u trials; alpha 0.01, threshold 1%%, drift bound 4%%\n",
	       sd[0] * 100, sd[1] * 100, sd[2] * 100, trials);
	printf("%-34s %4s  %7s  %7s  %7s\n", "scenario", "n", "any FA", "exit 1", "caught");
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
		scenario(&s, "unchanged (A/A)", sizes[k], sd, 0, 0,
		         sizes[k] >= 100 ? trials / 4 : trials);
	for (size_t k = 1; k < 3; k++)
		scenario(&s, "one benchmark +5%", sizes[k], sd, 0.05, 1, trials);
	scenario(&s, "one benchmark +10%", 20, sd, 0.10, 1, trials);
	scenario(&s, "every benchmark +5% (global)", 20, sd, 0.05, 20, trials);
	scenario(&s, "every benchmark +10% (global)", 20, sd, 0.10, 20, trials);
	gsl_rng_free(s.rng);
	return 0;
}
