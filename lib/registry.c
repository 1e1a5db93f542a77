/* SPDX-License-Identifier: MIT */
/* The benchmark registry: definitions added by BR_BENCHMARK()'s constructors,
 * expanded into one instance per parameter (group/function/param). */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

static br_benchmark_t *head, **tail = &head;
static struct br__instance *instances;
static int ninstances = -1;

void br_benchmark_register(br_benchmark_t *bench)
{
	assert(bench && bench->group && bench->name && bench->fn);
	bench->next__ = NULL;
	*tail = bench;
	tail = &bench->next__;
	ninstances = -1;  /* expand again on next use */
}

/* The parameters of `def` in order, or a single "no parameter" entry.  A
 * range follows Google Benchmark: lo, lo*mul, ... and hi itself when the
 * powers step over it, so both ends are always measured. */
static size_t params_of(const br_benchmark_t *def, int64_t *out, size_t max)
{
	size_t n = 0;

	if (def->arg_list) {
		for (size_t i = 0; i < def->arg_count && n < max; i++)
			out[n++] = def->arg_list[i];
		return n;
	}
	if (def->range.mul > 1 && def->range.lo <= def->range.hi) {
		int64_t v = def->range.lo;
		while (n < max) {
			out[n++] = v;
			if (v > def->range.hi / def->range.mul)
				break;
			v *= def->range.mul;
			if (v > def->range.hi)
				break;
		}
		if (out[n - 1] != def->range.hi && n < max)
			out[n++] = def->range.hi;
	}
	return n;
}

static void instance_fill(struct br__instance *in, const br_benchmark_t *def,
                          int has_arg, int64_t arg)
{
	in->def = def;
	in->has_arg = has_arg;
	in->arg = has_arg ? arg : 0;
	in->param[0] = '\0';
	if (has_arg) {
		snprintf(in->param, sizeof in->param, "%" PRId64, arg);
		snprintf(in->name, sizeof in->name, "%s/%s/%s", def->group,
		         def->name, in->param);
	} else {
		snprintf(in->name, sizeof in->name, "%s/%s", def->group, def->name);
	}
}

int br__registry_instances(const struct br__instance **out)
{
	enum { MAX_PARAMS = 64 };
	int64_t params[MAX_PARAMS];
	size_t cap = 0;

	if (ninstances >= 0) {
		*out = instances;
		return ninstances;
	}
	for (br_benchmark_t *d = head; d; d = d->next__) {
		size_t np = params_of(d, params, MAX_PARAMS);
		cap += np ? np : 1;
	}
	free(instances);
	instances = calloc(cap ? cap : 1, sizeof *instances);
	if (!instances)
		return BR_ENOMEM_ALLOC;
	ninstances = 0;
	for (br_benchmark_t *d = head; d; d = d->next__) {
		size_t np = params_of(d, params, MAX_PARAMS);
		if (np == 0)
			instance_fill(&instances[ninstances++], d, 0, 0);
		for (size_t i = 0; i < np; i++)
			instance_fill(&instances[ninstances++], d, 1, params[i]);
	}
	*out = instances;
	return ninstances;
}
