/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Setting up a paired comparison: the old build (a baseline's kept
 * programs and libraries, or ab's OLD program) listed and staged beside
 * the new one, and each benchmark's comparison mode decided; then the
 * rounds that measure both. */
#ifndef BENCHRUN_PAIRED_H
#define BENCHRUN_PAIRED_H

#include "stage.h"
#include "suite.h"

/* Everything measuring needs: the settings, the suites, the stage. */
struct measure_ctx {
	struct suite_opts so;   /* processes is set per call */
	struct suite *cur, *old;
	const struct options *o;
	uint64_t seed;          /* of the paired order */
};

/* For a comparison with stored baseline `base` (kept in `dir`): list the
 * kept programs whose copies, and whose shared objects, are intact into
 * `old`, stage old and new side by side in `st`, and set each benchmark
 * of `cur` to MODE_PAIRED, MODE_FALLBACK (a kept build that cannot be
 * reproduced: one warning line says why) or MODE_STORED.  `paired` 0
 * (--no-paired) makes every benchmark MODE_STORED.  Returns how many are
 * paired. */
size_t paired_from_baseline(const char *dir, const struct suite_opts *so, int paired,
                            struct suite *cur, const struct suite *base, struct suite *old,
                            struct stage *st);

/* For benchrun ab: list `old_prog` into `old`, stage both builds in `st`
 * and set every benchmark of cur found in old to MODE_PAIRED.  Returns 0,
 * or EXIT_USAGE after a message. */
int paired_ab(const struct suite_opts *so, const char *old_prog, struct suite *cur,
              struct suite *old, struct stage *st);

/* Measure `rounds` rounds of each benchmark of ctx->cur selected by `only`
 * (all when NULL): paired ones alternately with their old build, the
 * others alone; then analyse what was measured.  The gate's source of
 * fresh rounds (gate.h). */
void paired_measure(void *ctx, const int *only, unsigned rounds);

/* Analyse every benchmark of s selected by `only` (all when NULL); one
 * with too few samples is marked failed. */
void paired_analyse(struct suite *s, const struct options *o, const int *only);

#endif
