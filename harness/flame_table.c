/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The top-functions table of a profile and the differential between two
 * (which functions' self share grew). */
#define _GNU_SOURCE
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flame.h"
#include "flame_int.h"
#include "hash.h"

/* ---- Top functions and the differential ------------------------------ */

/* a: self samples; b: total samples.  mark holds the last stack (index +
 * 1) counted into b, so a function that recurses within a stack counts
 * that stack's samples once. */
static int count_funcs(struct keytab *t, const struct flame_profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct flame_stack *s = &p->stacks[i];
		for (size_t j = 0; j < s->nframes; j++) {
			long id = flame_keytab_intern(t, 0, s->frames[j]);
			if (id < 0)
				return -1;
			if (t->keys[id].mark != i + 1) {
				t->keys[id].mark = i + 1;
				t->keys[id].b = flame_sat_add(t->keys[id].b, s->count);
			}
			if (j + 1 == s->nframes)
				t->keys[id].a = flame_sat_add(t->keys[id].a, s->count);
		}
	}
	return 0;
}

static int cmp_func(const void *pa, const void *pb)
{
	const struct flame_func *a = pa, *b = pb;

	if (a->self != b->self)
		return a->self > b->self ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return strcmp(a->name, b->name);
}

long flame_top(const struct flame_profile *p, struct flame_func **out)
{
	struct keytab t = {0};
	struct flame_func *f = NULL;
	long n = -1;

	*out = NULL;
	if (count_funcs(&t, p) == 0 && (f = calloc(t.n ? t.n : 1, sizeof *f))) {
		for (n = 0; (size_t)n < t.n; n++) {
			f[n] = (struct flame_func){strdup(t.keys[n].name), t.keys[n].a, t.keys[n].b};
			if (!f[n].name) {
				flame_funcs_free(f, (size_t)n);
				f = NULL;
				n = -1;
				break;
			}
		}
	}
	flame_keytab_free(&t);
	if (n > 0)
		qsort(f, (size_t)n, sizeof *f, cmp_func);
	if (n >= 0)
		*out = f;
	return n;
}

void flame_funcs_free(struct flame_func *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		free(f[i].name);
	free(f);
}

/* Every function of p into t, its self samples added to a (before) or
 * b (after). */
static int count_self(struct keytab *t, const struct flame_profile *p, int after)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct flame_stack *s = &p->stacks[i];
		long id = -1;
		for (size_t j = 0; j < s->nframes; j++)
			if ((id = flame_keytab_intern(t, 0, s->frames[j])) < 0)
				return -1;
		uint64_t *n = after ? &t->keys[id].b : &t->keys[id].a;
		*n = flame_sat_add(*n, s->count);
	}
	return 0;
}

double flame_share(uint64_t samples, uint64_t total)
{
	return total ? (double)samples / (double)total : 0.0;
}

static int cmp_growth(const void *pa, const void *pb)
{
	const struct flame_growth *a = pa, *b = pb;
	double ga = a->after - a->before, gb = b->after - b->before;

	if (ga != gb)
		return ga > gb ? -1 : 1;
	return strcmp(a->name, b->name);
}

long flame_diff(const struct flame_profile *before, const struct flame_profile *after,
                struct flame_growth **out)
{
	return flame_diff_scaled(before, 1, after, 1, out);
}

long flame_diff_scaled(const struct flame_profile *before, double before_scale,
                       const struct flame_profile *after, double after_scale,
                       struct flame_growth **out)
{
	struct keytab t = {0};
	struct flame_growth *g = NULL;
	long n = -1;

	*out = NULL;
	if (count_self(&t, before, 0) == 0 && count_self(&t, after, 1) == 0 &&
	    (g = calloc(t.n ? t.n : 1, sizeof *g))) {
		for (n = 0; (size_t)n < t.n; n++) {
			const struct key *k = &t.keys[n];
			g[n] = (struct flame_growth){strdup(k->name),
			                             before_scale * flame_share(k->a, before->total),
			                             after_scale * flame_share(k->b, after->total)};
			if (!g[n].name) {
				flame_growth_free(g, (size_t)n);
				g = NULL;
				n = -1;
				break;
			}
		}
	}
	flame_keytab_free(&t);
	if (n > 0)
		qsort(g, (size_t)n, sizeof *g, cmp_growth);
	if (n >= 0)
		*out = g;
	return n;
}

void flame_growth_free(struct flame_growth *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].name);
	free(g);
}

