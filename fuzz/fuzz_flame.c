/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the folded-stack reader: any text must parse into a
 * profile or be refused with "line N: ..." and an empty profile.  A parsed
 * profile then goes through what the harness does with one: written back as
 * folded text (which must parse again to the same total), the top-functions
 * table (whose self counts sum to the total) and the SVG flame graph. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "flame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* Whether the counts of p sum past UINT64_MAX: p->total has then wrapped.
 * Known and handled in flame.c separately; stopping here keeps the target
 * finding other things rather than that one again. */
static int total_wrapped(const struct flame_profile *p)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < p->n; i++)
		if (__builtin_add_overflow(sum, p->stacks[i].count, &sum))
			return 1;
	return 0;
}

/* Folded text out and back in: same total, no more stacks. */
static void check_round_trip(const struct flame_profile *p)
{
	struct flame_profile q = {0};
	char *text = NULL, err[128];
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem || flame_write_folded(mem, p) != 0 || fclose(mem) != 0)
		abort();
	if (flame_parse_folded(text, &q, err, sizeof err) != 0)
		abort();
	if (q.total != p->total || q.n > p->n)
		abort();
	flame_free(&q);
	free(text);
}

static void check_top(const struct flame_profile *p)
{
	struct flame_func *f = NULL;
	long n = flame_top(p, &f);
	uint64_t self = 0;

	if (n < 0)
		abort();
	for (long i = 0; i < n; i++) {
		if (f[i].self > f[i].total || f[i].total > p->total)
			abort();
		self += f[i].self;
	}
	if (self != p->total)
		abort();
	flame_funcs_free(f, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flame_profile p = {0};
	char *text = malloc(size + 1), err[128];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (flame_parse_folded(text, &p, err, sizeof err) != 0) {
		if (strncmp(err, "line ", 5) != 0 || p.n || p.total || p.stacks)
			abort();
		free(text);
		return 0;
	}
	free(text);
	if (!total_wrapped(&p)) {
		if (!devnull && !(devnull = fopen("/dev/null", "w")))
			abort();
		check_round_trip(&p);
		check_top(&p);
		if (flame_write_svg(devnull, &p, "fuzz") != 0)
			abort();
	}
	flame_free(&p);
	return 0;
}
