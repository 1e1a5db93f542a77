/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regression gate: screen, confirm on fresh rounds, conclude.
 *
 * Paired benchmarks: the run's own rounds only screen (compare.c's
 * compare_is_suspect); each suspect is measured in up to `remeasure` fresh
 * rounds, in batches of GATE_CONFIRM_BATCH, dropped once its change has
 * faded or its rounds are too noisy to show it (compare_is_futile), decided
 * early when a look before the last shows it (see confirm), and judged on
 * the fresh rounds alone, with
 * Holm across the suspects: fresh rounds are independent of the screen, so
 * the family bounds the chance of any false alarm at alpha whatever was
 * screened.  A benchmark the screen cleared keeps its first-look verdict
 * (it cannot be regressed: the screen passes every change of half the
 * threshold).  Stored benchmarks: a suspect gets more processes, which
 * count as the same run (compare.c adds the between-run drift they cannot
 * shrink), and every stored benchmark is judged again in the final family
 * with the suspects' fresh rounds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gate.h"
#include "usercounters.h"
#include "msg.h"

static unsigned last_round(const struct suite *a, const struct suite *b)
{
	unsigned x = suite_last_round(a), y = suite_last_round(b);

	return x > y ? x : y;
}

/* The final family: paired suspects, and every stored benchmark. */
static void final_family(const struct suite *cur, const int *suspect, int *family)
{
	for (size_t i = 0; i < cur->nbenches; i++)
		family[i] = cur->benches[i].gate.mode == MODE_PAIRED ? suspect[i] != 0 : 1;
}

/* Paired suspects in `active`, batch after batch, judged each time; a
 * suspect that faded, or that an early look decided, leaves `active`.
 *
 * Early looks.  A real change is usually plain after the first batch (a
 * +2 % change on rounds spread 0.2 %: an interval of +-0.1 %), and
 * measuring it 60 rounds made a regressed run 6 times a plain one.  So
 * each look before the last may decide, at a share GATE_EARLY_ALPHA of
 * alpha split evenly between those looks, and the last look judges at the
 * rest: by Bonferroni over the looks, the chance of any false alarm stays
 * within alpha.  A suspect decided early is judged again at the last look
 * on the same rounds, at a laxer level, so its verdict stands. */
static int confirm(const struct gate_opts *o, struct suite *cur, const struct suite *old,
                   const struct suite *base, const struct gate_source *src,
                   int *active, const int *family,
                   struct compare_summary *sum)
{
	struct compare_opts co = o->co;
	unsigned looks = (o->remeasure + GATE_CONFIRM_BATCH - 1) / GATE_CONFIRM_BATCH;
	double early = looks > 1 ? o->co.alpha * GATE_EARLY_ALPHA / (looks - 1) : 0;
	double last = looks > 1 ? o->co.alpha * (1 - GATE_EARLY_ALPHA) : o->co.alpha;
	int any = 1, judged_last = 0;

	co.family = family;
	co.from_round = last_round(cur, old) + 1;
	for (unsigned left = o->remeasure; left > 0 && any;) {
		unsigned n = left < GATE_CONFIRM_BATCH ? left : GATE_CONFIRM_BATCH;
		src->measure(src->ctx, active, n);
		left -= n;
		co.alpha = left ? early : last;
		judged_last = left == 0;
		if (compare_run(cur, old, base, &co, sum) != 0)
			return -1;
		any = 0;
		for (size_t i = 0; left && i < cur->nbenches; i++) {
			const struct comparison *c = &cur->benches[i].gate.cmp;
			if (active[i] && (c->verdict == VERDICT_REGRESSED ||
			                  c->verdict == VERDICT_IMPROVED ||
			                  compare_is_futile(c, o->co.noise, left, o->co.alpha)))
				active[i] = 0;
			any |= active[i];
		}
	}
	co.alpha = last;  /* the last look, when the early ones left none */
	return judged_last ? 0 : compare_run(cur, old, base, &co, sum);
}

/* The second look: suspects re-measured, the final family judged. */
static int second_look(const struct gate_opts *o, struct suite *cur, const struct suite *old,
                       const struct suite *base, const struct gate_source *src,
                       struct compare_summary *sum)
{
	size_t n = cur->nbenches + 1;
	int *dir = calloc(n, sizeof *dir), *paired = calloc(n, sizeof *paired);
	int *stored = calloc(n, sizeof *stored), *family = calloc(n, sizeof *family);
	int any_paired = 0, any_stored = 0, rc = -1;
	struct compare_opts co = o->co;

	if (!dir || !paired || !stored || !family)
		goto out;
	for (size_t i = 0; i < cur->nbenches; i++) {
		int is_paired = cur->benches[i].gate.mode == MODE_PAIRED;
		dir[i] = compare_is_suspect(&cur->benches[i].gate.cmp, o->co.noise, is_paired);
		/* A screen on rounds so wild that even every round there is
		 * could not show its change (threads on a shared machine,
		 * sorts that switch speeds: +-3-50 % a round) is not worth
		 * them: the confirmation's own rule, with every round left.
		 * In a 45-benchmark A/A run they were 8 of 20 screens over
		 * half the threshold, and re-measuring them took a paired run
		 * past 3 times a plain one. */
		if (is_paired && dir[i] &&
		    compare_too_noisy(&cur->benches[i].gate.cmp, o->co.noise, o->remeasure,
		                      o->co.alpha, log1p(o->co.noise) / 2))
			dir[i] = 0;
		any_paired |= paired[i] = is_paired && dir[i];
		any_stored |= stored[i] = !is_paired && dir[i];
	}
	rc = 0;
	if (!any_paired && !any_stored)
		goto out;
	final_family(cur, paired, family);
	/* More processes narrow a stored suspect's own spread only, not the
	 * drift between runs that bounds it: half as many as paired rounds. */
	if (any_stored)
		src->measure(src->ctx, stored, (o->remeasure + 1) / 2);
	if (any_paired)
		rc = confirm(o, cur, old, base, src, paired, family, sum);
	else {
		co.family = family;
		rc = compare_run(cur, old, base, &co, sum);
	}
	for (size_t i = 0; rc == 0 && i < cur->nbenches; i++)
		cur->benches[i].gate.cmp.remeasured = dir[i] != 0;
out:
	if (rc != 0)
		msg_error(NULL, "out of memory");
	free(dir);
	free(paired);
	free(stored);
	free(family);
	return rc;
}

/* The growth of the leak per iteration that counts: a hundredth of a byte
 * (a block of a few bytes every few hundred iterations); the figures are
 * exact counts over n iterations, so anything above it is real. */
#define LEAK_GROWTH 0.01

/* Memory figures are counts, not noisy times: a benchmark that allocates
 * now (0 -> 1 or more allocations per iteration), or whose leak per
 * iteration grows, is regressed whatever its time did, and says so. */
static void memory_verdicts(struct suite *cur, const struct suite *old,
                            const struct suite *base, struct compare_summary *sum)
{
	for (size_t i = 0; i < cur->nbenches; i++) {
		struct bench_result *b = &cur->benches[i];
		const struct bench_result *r;
		double a0, a1, l0, l1;
		char *why = b->gate.cmp.memory;
		if (b->failed || b->gate.cmp.verdict == VERDICT_NONE || b->gate.cmp.verdict == VERDICT_NEW ||
		    b->gate.cmp.verdict == VERDICT_MISSING)
			continue;
		r = suite_find(b->gate.mode == MODE_PAIRED ? old : base, b->name);
		a0 = user_counter_mean(r, USER_MEM_ALLOCS);
		a1 = user_counter_mean(b, USER_MEM_ALLOCS);
		l0 = user_counter_mean(r, USER_MEM_LEAKED);
		l1 = user_counter_mean(b, USER_MEM_LEAKED);
		why[0] = '\0';
		if (a0 == 0 && a1 >= 1)
			snprintf(why, sizeof b->gate.cmp.memory, "allocates now: %.4g -> %.4g allocs/iter",
			         a0, a1);
		if (l1 > 0 && l1 - l0 >= LEAK_GROWTH)
			snprintf(why + strlen(why), sizeof b->gate.cmp.memory - strlen(why),
			         "%sleaks more: %.4g -> %.4g B/iter", why[0] ? "; " : "", l0, l1);
		if (!why[0])
			continue;
		if (b->gate.cmp.verdict != VERDICT_REGRESSED) {
			sum->counts[b->gate.cmp.verdict]--;
			sum->counts[VERDICT_REGRESSED]++;
			b->gate.cmp.verdict = VERDICT_REGRESSED;
		}
	}
}

int gate_run(const struct gate_opts *o, struct suite *cur, const struct suite *old,
             const struct suite *base, const struct gate_source *src,
             struct compare_summary *sum)
{
	struct compare_opts co = o->co;
	int rc = 0;

	co.family = NULL;
	co.from_round = 0;
	if (compare_run(cur, old, base, &co, sum) != 0) {
		msg_error(NULL, "out of memory");
		return -1;
	}
	if (src && o->remeasure > 0)
		rc = second_look(o, cur, old, base, src, sum);
	if (rc == 0)
		memory_verdicts(cur, old, base, sum);
	return rc;
}

int gate_exit_status(const struct compare_summary *sum, size_t failed, enum fail_on fail_on)
{
	const size_t *n = sum->counts;

	if (failed)
		return EXIT_BENCH_FAILED;
	if (fail_on != FAIL_ON_NEVER &&
	    (n[VERDICT_REGRESSED] || sum->shift_beyond > 0 ||
	     (fail_on == FAIL_ON_CHANGE && (n[VERDICT_IMPROVED] || sum->shift_beyond < 0))))
		return EXIT_REGRESSION;
	if (sum->too_few)
		return EXIT_USAGE;
	return EXIT_NO_REGRESSION;
}
