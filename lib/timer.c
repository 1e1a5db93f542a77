/* SPDX-License-Identifier: MIT */
/* The clock behind every measurement, and its start-up calibration.
 *
 * Choice: CLOCK_MONOTONIC_RAW through the vDSO, not a calibrated TSC.  Samples
 * last 100 µs or more and the fixed cost of the two reads per sample cancels
 * in the slope of the linear ramp, so the TSC's cheaper read (~10 ns against
 * ~23 ns measured on our VMs) buys nothing, while the TSC needs a calibration
 * whose error would scale every result, and is only trustworthy where the
 * CPU flags say constant_tsc and nonstop_tsc.  MONOTONIC_RAW rather than
 * MONOTONIC because NTP slews the latter's rate by up to 500 ppm, which
 * would bias before/after ratios taken minutes apart. */
#include <stdlib.h>
#include <time.h>
#include "internal.h"
#include "pairslope.h"

static uint64_t monotonic_raw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const struct br__timer monotonic_raw = {
	"CLOCK_MONOTONIC_RAW", monotonic_raw_now_ns,
};

const struct br__timer *br__clock = &monotonic_raw;

void br__timer_use(const struct br__timer *timer)
{
	br__clock = timer ? timer : &monotonic_raw;
}

/* Read cost: the median over 9 batches of 1000 back-to-back reads, so one
 * preemption cannot skew it.  Resolution: the smallest nonzero step seen
 * between consecutive reads, which is what a measurement can resolve. */
void br__timer_calibrate(struct br__timer_facts *facts)
{
	enum { BATCHES = 9, READS = 1000 };
	double per_read[BATCHES];
	uint64_t min_step = UINT64_MAX;
	struct timespec res;

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = br__clock->now_ns(), prev = t0, t = t0;
		for (int i = 0; i < READS; i++) {
			t = br__clock->now_ns();
			if (t > prev && t - prev < min_step)
				min_step = t - prev;
			prev = t;
		}
		per_read[b] = (double)(t - t0) / READS;
	}
	qsort(per_read, BATCHES, sizeof per_read[0], br__cmp_double);
	facts->clock = br__clock->name;
	facts->read_ns = per_read[BATCHES / 2];
	facts->resolution_ns = min_step == UINT64_MAX ? 0 : (double)min_step;
	facts->getres_ns = 0;
	if (br__clock == &monotonic_raw && clock_getres(CLOCK_MONOTONIC_RAW, &res) == 0)
		facts->getres_ns = res.tv_sec * 1e9 + res.tv_nsec;
}
