/* SPDX-License-Identifier: MIT */
/* Declarations shared between libbenchrun's own files (the br__ names):
 * the benchmark state, the registry's instances, timers, iteration planning,
 * the measured run and the protocol writer.  Not installed. */
#ifndef BENCHRUN_INTERNAL_H
#define BENCHRUN_INTERNAL_H

#include <stdio.h>
#include "benchrun.h"
#include "counting.h"

#define BR__NAME_MAX 256
#define BR__REASON_MAX 256

/* One runnable benchmark: a definition with one of its parameters. */
struct br__instance {
	const br_benchmark_t *def;
	int64_t arg;
	int has_arg;
	char name[BR__NAME_MAX];  /* group/function[/param] */
	char param[32];           /* "" when has_arg is 0 */
};

/* The expanded registry, in registration order; built on first use and
 * owned by the library.  Returns the count, or a negative BR_E* code. */
int br__registry_instances(const struct br__instance **out);

/* A clock backend.  now_ns() must be monotonic; its epoch is arbitrary. */
struct br__timer {
	const char *name;
	uint64_t (*now_ns)(void);
};

/* What start-up calibration measured of the clock in use. */
struct br__timer_facts {
	const char *clock;
	double read_ns;        /* median cost of one read, ns */
	double resolution_ns;  /* smallest step seen between two reads, ns */
	double getres_ns;      /* what clock_getres() claims, ns (0 if unknown) */
};

/* The clock every measurement uses (default: CLOCK_MONOTONIC_RAW). */
extern const struct br__timer *br__clock;

/* Replace the clock (tests use a scripted one); NULL restores the default. */
void br__timer_use(const struct br__timer *timer);

/* Measure the read cost and resolution of the current clock. */
void br__timer_calibrate(struct br__timer_facts *facts);

/* How samples are sized.  Linear: sample k (1-based) runs k*step_iters
 * iterations.  Flat: every sample runs flat_iters iterations. */
struct br__plan {
	int flat;
	uint64_t step_iters;
	uint64_t flat_iters;
	unsigned samples;
};

/* The fewest samples a slow body is cut down to (see plan.c). */
#define BR__MIN_SLOW_SAMPLES 10

/* Plan `samples` samples filling about measure_ns, given the warm-up's
 * estimate of ns per iteration (pure arithmetic). */
void br__plan_make(double est_ns_per_iter, double measure_ns, unsigned samples,
                   struct br__plan *plan);

/* Iterations sample k (1-based) runs under `plan`. */
uint64_t br__plan_iters(const struct br__plan *plan, unsigned k);

/* Settings of one measured run. */
struct br__settings {
	double warmup_ns;   /* warm-up budget */
	double measure_ns;  /* measurement budget, all samples together */
	unsigned samples;   /* samples to take */
	struct br__counter_set *counters; /* read around every sample, or NULL */
};

/* The state handed to benchmark code (opaque in the public header). */
struct br_state {
	const struct br__instance *inst;
	void *user;
	uint64_t bytes_per_iter, items_per_iter;
	uint64_t iters;       /* iterations the current call must run */
	uint64_t t0_ns;       /* clock at loop start */
	uint64_t elapsed_ns;  /* loop time of the current call */
	unsigned loops;       /* BR_ITERATE loops run in the current call */
	struct br__counter_set *ctr;  /* read around the loop when set */
	struct br__counter_reading c0, c1;  /* before and after the loop */
	int failed;
	char reason[BR__REASON_MAX];
};

/* Everything one measured run of one instance produced. */
struct br__run {
	const struct br__instance *inst;
	uint64_t bytes_per_iter, items_per_iter;
	uint64_t warmup_iters;
	uint64_t warmup_ns;
	struct br__plan plan;
	uint64_t *iters;  /* per sample, owned */
	uint64_t *ns;     /* per sample, owned */
	unsigned nsamples;
	const struct br__counter_set *counters; /* the events counted, or NULL */
	double *ctr_delta;   /* [k * counters->n + i]: scaled delta of event i in
	                      * sample k; NAN when not counted; owned */
	double *ctr_running; /* same shape: fraction of the sample it ran */
	int status;       /* 0 or a BR_E* code */
	char reason[BR__REASON_MAX];
};

/* Set up, warm up, sample and tear down one instance.  Returns 0 or a BR_E*
 * code (also left in run->status with a reason); free with br__run_free. */
int br__run_measure(const struct br__instance *inst, const struct br__settings *s,
                    struct br__run *run);
void br__run_free(struct br__run *run);

/* Protocol writer: JSON lines on `out` (docs/worker-protocol.md). */
struct br__build {
	const char *compiler, *cflags, *program;
	char build_id[41];  /* hex GNU build id, or "" */
};
void br__write_header(FILE *out, const struct br__build *build,
                      const struct br__timer_facts *facts);
void br__write_listed(FILE *out, const struct br__instance *inst);
void br__write_run(FILE *out, const struct br__run *run);
void br__write_footer(FILE *out, unsigned benchmarks, unsigned failed);

/* One "counter" record per event of `set` (after the header). */
void br__write_counters(FILE *out, const struct br__counter_set *set);

/* A JSON string literal (quotes included) for `s`. */
void br__write_json_string(FILE *out, const char *s);

/* The human summary line of one run, for programs run by hand. */
void br__write_human(FILE *out, const struct br__run *run);

#endif
