/* SPDX-License-Identifier: MIT */
/* Iteration planning: how many iterations each sample runs, from the
 * warm-up's estimate of the cost of one iteration.  Pure arithmetic. */
#include <math.h>
#include "internal.h"

/* A linear ramp (sample k runs k*d iterations) spreads the samples over a
 * range of sizes, so the slope of time against iterations estimates the cost
 * of one iteration with every fixed per-sample cost (two clock reads, the
 * call, loop entry) falling into the intercept.  It needs d >= 1: when even
 * d = 1 would overrun the budget (slow bodies), all samples get the same
 * count instead, at least one iteration each; and when even one iteration
 * per sample overruns it, fewer samples are taken, down to
 * BR__MIN_SLOW_SAMPLES, so a 150 ms body costs 10 iterations a process
 * rather than 30 (criterion keeps all its samples and takes minutes). */
/* A ramp imposed on a body whose estimate would have gone flat: d = 1, and
 * when even that overruns the budget more than RAMP_OVERRUN times, fewer
 * samples (never under BR__MIN_SLOW_SAMPLES).  The harness imposes the plan
 * the first process of a benchmark chose, so this happens only to a process
 * that found the body slower than the first one did: near the switch
 * (about 215 us per iteration at the defaults) the overrun is small. */
#define RAMP_OVERRUN 4.0

void br__plan_make_mode(double est_ns_per_iter, double measure_ns, unsigned samples,
                        enum br__plan_mode mode, struct br__plan *plan)
{
	double ramp = (double)samples * (samples + 1) / 2.0;
	double d;

	if (!(est_ns_per_iter > 0))
		est_ns_per_iter = 1;
	plan->samples = samples;
	plan->flat = 0;
	plan->flat_iters = 0;
	d = floor(measure_ns / (est_ns_per_iter * ramp));
	if (mode == BR__PLAN_LINEAR && d < 1) {
		while (plan->samples > BR__MIN_SLOW_SAMPLES &&
		       est_ns_per_iter * plan->samples * (plan->samples + 1) / 2.0 >
		               RAMP_OVERRUN * measure_ns)
			plan->samples--;
		d = 1;
	}
	if (mode != BR__PLAN_FLAT && d >= 1) {
		plan->step_iters = d > 1e15 ? (uint64_t)1e15 : (uint64_t)d;
		return;
	}
	plan->flat = 1;
	plan->step_iters = 0;
	if (est_ns_per_iter * samples > measure_ns && samples > BR__MIN_SLOW_SAMPLES) {
		d = floor(measure_ns / est_ns_per_iter);
		plan->samples = d < BR__MIN_SLOW_SAMPLES ? BR__MIN_SLOW_SAMPLES : (unsigned)d;
	}
	d = round(measure_ns / (est_ns_per_iter * plan->samples));
	plan->flat_iters = d < 1 ? 1 : (uint64_t)d;
}

void br__plan_make(double est_ns_per_iter, double measure_ns, unsigned samples,
                   struct br__plan *plan)
{
	br__plan_make_mode(est_ns_per_iter, measure_ns, samples, BR__PLAN_AUTO, plan);
}

void br__plan_cap(struct br__plan *plan, uint64_t max_iters)
{
	if (max_iters < 1)
		max_iters = 1;
	if (plan->flat) {
		if (plan->flat_iters > max_iters)
			plan->flat_iters = max_iters;
		return;
	}
	if (plan->samples > max_iters)
		plan->samples = max_iters < 2 ? 2 : (unsigned)max_iters;
	if (plan->step_iters * plan->samples > max_iters)
		plan->step_iters = max_iters / plan->samples ? max_iters / plan->samples : 1;
}

uint64_t br__plan_iters(const struct br__plan *plan, unsigned k)
{
	return plan->flat ? plan->flat_iters : plan->step_iters * k;
}
