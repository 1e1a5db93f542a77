/* SPDX-License-Identifier: MIT */
/* The backend-neutral half of counting: which events to count (a --counters
 * list, the default set, the --list-counters candidates), the dispatch to
 * the backend, the scaling of a multiplexed delta, the per-iteration slope,
 * and the measurement of the loop's own cost. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "counting.h"
#include "internal.h"
#include "pairslope.h"

static const struct br__counters_backend *backend_in_use = &br__counters_pfm;

void br__counters_use(const struct br__counters_backend *backend)
{
	backend_in_use = backend ? backend : &br__counters_pfm;
}

static void set_init(struct br__counter_set *set)
{
	memset(set, 0, sizeof *set);
	set->backend = backend_in_use;
}

static void add_event(struct br__counter_set *set, const char *name, size_t len,
                      int requested)
{
	struct br__counter *c = &set->ev[set->n++];

	assert(set->n <= BR__PROTO_COUNTERS_MAX && len < sizeof c->name);
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	c->requested = requested;
	c->loop_per_iter = NAN;
}

/* br__proto_counter_list's callback: one requested event. */
static void add_requested(void *set, const char *name, size_t len)
{
	add_event(set, name, len, 1);
}

int br__counters_parse(const char *list, struct br__counter_set *set, char *err,
                       size_t errlen)
{
	set_init(set);
	if (br__proto_counter_list(list, add_requested, set, err, errlen) != 0) {
		set_init(set);  /* nothing half-listed */
		return BR_EUSAGE;
	}
	return 0;
}

void br__counters_default(struct br__counter_set *set)
{
	static const char *const names[] = {
		"cycles", "instructions", "branch-misses", "cache-misses",
		"page-faults", "context-switches",
	};

	set_init(set);
	set->is_default = 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		add_event(set, names[i], strlen(names[i]), 0);
}

void br__counters_candidates(struct br__counter_set *set)
{
	static const char *const names[] = {
		"cycles", "instructions", "branches", "branch-misses",
		"cache-references", "cache-misses", "ref-cycles",
		"stalled-cycles-frontend", "stalled-cycles-backend",
		"task-clock", "cpu-clock", "page-faults", "minor-faults",
		"major-faults", "context-switches", "cpu-migrations",
	};
	char pmu[4][BR__PROTO_COUNTER_NAME_MAX];
	unsigned npmu;

	set_init(set);
	npmu = set->backend->pmu_events ? set->backend->pmu_events(pmu, 4) : 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		add_event(set, names[i], strlen(names[i]), 0);
	for (unsigned i = 0; i < npmu; i++)
		add_event(set, pmu[i], strlen(pmu[i]), 0);
}

int br__counters_open(struct br__counter_set *set)
{
	int rc;

	if (set->n == 0)
		return 0;
	rc = set->backend->open(set);
	set->ncounted = 0;
	for (unsigned i = 0; i < set->n; i++)
		set->ncounted += set->ev[i].status == BR__CTR_COUNTED;
	return rc;
}

int br__counters_read(struct br__counter_set *set, struct br__counter_reading *r)
{
	int rc = set->ncounted ? set->backend->read(set, r) : 0;

	r->ok = rc == 0;
	return rc;
}

void br__counters_close(struct br__counter_set *set)
{
	if (set->n && set->backend)
		set->backend->close(set);
	set->ncounted = 0;
}

int br__counter_scale(uint64_t v0, uint64_t v1, uint64_t enabled0, uint64_t enabled1,
                      uint64_t running0, uint64_t running1, double *delta,
                      double *running)
{
	uint64_t en = enabled1 - enabled0, run = running1 - running0;

	*delta = NAN;
	*running = 0;
	if (v1 < v0 || enabled1 < enabled0 || running1 < running0 || run == 0 || en == 0)
		return -1;
	/* The delta's own fraction, not the cumulative one perf stat uses:
	 * a sample is judged by how long it was on the PMU during that
	 * sample, not since the group was enabled. */
	*running = run >= en ? 1.0 : (double)run / (double)en;
	*delta = run >= en ? (double)(v1 - v0) : (double)(v1 - v0) * ((double)en / (double)run);
	return 0;
}

void br__counter_deltas(const struct br__counter_set *set,
                        const struct br__counter_reading *a,
                        const struct br__counter_reading *b, double *delta,
                        double *running)
{
	for (unsigned i = 0; i < set->n; i++) {
		delta[i] = NAN;
		running[i] = 0;
		if (set->ev[i].status == BR__CTR_COUNTED && a->ok && b->ok)
			br__counter_scale(a->value[i], b->value[i], a->enabled_ns[i],
			                  b->enabled_ns[i], a->running_ns[i], b->running_ns[i],
			                  &delta[i], &running[i]);
	}
}

double br__counter_slope(const uint64_t *iters, const double *y, size_t n,
                         size_t stride)
{
	double *v = calloc(2 * n + 1, sizeof *v), *w, r = NAN;
	size_t m = 0;

	if (!v)
		return NAN;
	w = v + n;
	for (size_t k = 0; k < n; k++)
		if (isfinite(y[k * stride])) {
			v[m] = (double)iters[k];
			w[m++] = y[k * stride];
		}
	if (br__theil_sen(v, w, m, &r) == -EDOM && m > 0) {
		/* No two distinct counts (flat plans): the median ratio. */
		for (size_t k = 0; k < m; k++)
			v[k] = w[k] / v[k];
		qsort(v, m, sizeof *v, br__cmp_double);
		r = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
	}
	free(v);
	return r;
}

/* The loop-cost body: br_clobber() emits no instruction but keeps the
 * compiler from deleting the loop, so what is counted is BR_ITERATE's own
 * decrement-and-branch, as compiled into this library. */
static void empty_loop(br_state_t *st)
{
	BR_ITERATE(st) {
		br_clobber();
	}
}

void br__counters_calibrate_loop(struct br__counter_set *set)
{
	static const br_benchmark_t def = {.group = "benchrun", .name = "empty_loop",
	                                   .fn = empty_loop};
	static const struct br__instance inst = {.def = &def, .name = "benchrun/empty_loop"};
	/* Short: the loop's instruction count does not vary, so a few ms of
	 * ramp pin it to well under one instruction per iteration. */
	struct br__settings s = {2e6, 5e6, 10, set, BR__PLAN_AUTO, 0, 1, 0};
	struct br__run run;
	int any = 0;

	for (unsigned i = 0; i < set->n; i++)
		any |= set->ev[i].status == BR__CTR_COUNTED &&
		       set->ev[i].role == BR__ROLE_INSTRUCTIONS;
	if (!any || br__run_measure(&inst, &s, &run) != 0) {
		if (any)
			br__run_free(&run);
		return;
	}
	for (unsigned i = 0; i < set->n; i++)
		if (set->ev[i].status == BR__CTR_COUNTED &&
		    set->ev[i].role == BR__ROLE_INSTRUCTIONS)
			set->ev[i].loop_per_iter = br__counter_slope(run.iters, run.ctr_delta + i,
			                                             run.nsamples, set->n);
	br__run_free(&run);
}

void br__counter_warning(const struct br__counter *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s: not counted: %s", c->name, c->reason);
}
