/* SPDX-License-Identifier: GPL-3.0-or-later */
/* In-memory results of a run: for each benchmark, the raw samples of every
 * worker process that measured it, and the estimates computed from them. */
#ifndef BENCHRUN_RESULTS_H
#define BENCHRUN_RESULTS_H

#include <stddef.h>
#include <stdint.h>

struct profile;
struct callgrind_profile;

/* One timed sample: `iters` iterations of the body took `ns` nanoseconds. */
struct sample {
	uint64_t iters;
	double ns;
};

/* The samples one worker process took of one benchmark. */
struct proc_run {
	unsigned round;         /* 1-based round in which the process ran */
	uint64_t seq;           /* order in which the harness ran its processes */
	int pinned;             /* 1 + the CPU it was pinned to (placement.h),
	                         * 0 when the kernel placed it */
	struct sample *samples; /* owned */
	size_t nsamples, cap;
	uint64_t warmup_iters;  /* iterations run during warm-up */
	double warmup_ns;       /* time spent in warm-up, ns */
	/* Counter deltas per sample, in the order of the bench_result's
	 * counters (see harness/counters.h); NULL when nothing was counted.
	 * Both grow with `samples` (same cap). */
	double *ctr_delta;      /* [k * nctr + c]: events of counter c in sample
	                         * k, scaled for multiplexing; NAN when it was not
	                         * counted then; owned */
	double *ctr_running;    /* same shape: fraction of sample k counter c was
	                         * on the PMU, 0..1; owned */
	size_t nctr;            /* columns of ctr_delta and ctr_running */
	uint64_t pauses;        /* br_state_pause calls in its samples */
	double paused_ns;       /* time they paused (not in the samples), ns */
};

/* A counter the workers were asked for (a "counter" record of the worker
 * protocol) and, once counters_analyse() has run, its estimate per
 * iteration. */
struct counter_result {
	char *name;             /* event name as requested, owned */
	char *kind;             /* "hardware" or "software"; owned, may be NULL */
	char *role;             /* "cycles", "instructions", "branch-misses",
	                         * "cache-misses"; owned, NULL for other events */
	char *encoding;         /* libpfm4's full name; owned, may be NULL */
	char *reason;           /* why it was not counted; owned, NULL if counted */
	int counted;            /* the workers counted it */
	int requested;          /* named with --counters, not from the default set */
	int kernel;             /* counted in kernel mode too (context switches) */
	double loop_per_iter;   /* events of an empty BR_ITERATE loop per
	                         * iteration, subtracted from per_iter; NAN when
	                         * not measured (all events but instructions) */
	double raw_per_iter;    /* mean over processes of each one's Theil-Sen
	                         * slope of delta on iterations, events/iter;
	                         * NAN when no process counted it */
	double per_iter;        /* raw_per_iter - loop_per_iter (when measured):
	                         * the body's own events per iteration */
	double running;         /* mean fraction of sample time on the PMU, 0..1;
	                         * below 1 when multiplexed (values are scaled) */
	size_t nprocs;          /* processes that gave a slope */
};

/* A point estimate with its confidence interval, in ns per iteration
 * unless said otherwise. */
struct estimate {
	double point, lo, hi;
};

/* Tukey outlier counts over the per-iteration sample times. */
struct outliers {
	size_t low_severe, low_mild, high_mild, high_severe;
};

/* What analysis_run() computes for one benchmark. */
struct analysis {
	struct estimate slope;  /* mean of per-process slopes, ns/iter */
	struct estimate mean;   /* of per-sample ns/iter, pooled */
	struct estimate median; /* likewise */
	struct estimate sd;     /* sample standard deviation, ns/iter */
	struct estimate mad;    /* median absolute deviation x 1.4826, ns/iter */
	double r2;              /* median over processes of the R^2 of the OLS
	                         * fit ns ~ iters; NaN if flat */
	struct outliers outliers;
	size_t nsamples;        /* samples over all processes */
	size_t nprocs;          /* processes with at least two samples */
	double conf_level;      /* e.g. 0.95 */
	size_t resamples;       /* bootstrap resamples */
	uint64_t seed;          /* the run's seed (see analysis_seed_for) */
};

/* The verdict of comparing a benchmark with its baseline. */
enum verdict {
	VERDICT_NONE = 0,     /* not compared */
	VERDICT_REGRESSED,
	VERDICT_IMPROVED,
	VERDICT_WITHIN_NOISE, /* significant, but smaller than the noise threshold */
	VERDICT_NO_CHANGE,    /* no significant change */
	VERDICT_TOO_FEW,      /* too few processes on a side to tell */
	VERDICT_NEW,          /* not in the baseline */
	VERDICT_MISSING,      /* only in the baseline */
	VERDICT_COUNT
};

/* How a benchmark was compared (see harness/gate.c). */
enum compare_mode {
	MODE_NONE = 0,        /* not compared */
	MODE_PAIRED,          /* old and new builds measured alternately, per round */
	MODE_STORED,          /* against the stored results (asked for, or nothing kept) */
	MODE_FALLBACK,        /* stored, because the old build could not be reproduced */
	MODE_COUNT
};

/* One paired round of a benchmark: the statistic of the old and the new
 * build, measured back to back. */
struct paired_round {
	unsigned round;       /* round number */
	double old_ns, new_ns; /* the statistic, ns/iter */
	int old_first;        /* the old build ran first in this round */
	int used;             /* in the test (not trimmed, not before from_round) */
};

/* A benchmark against its baseline.  base_ns and cur_ns are the two
 * figures `change` was computed from (change = cur_ns / base_ns - 1
 * exactly): geometric means of the per-process statistic (stored) or of the
 * old and new figures of the rounds used (paired).  What the verdict
 * judges is `rel`: the change itself (paired), or the change relative to
 * the suite-wide shift (stored, when a shift is removed). */
struct comparison {
	enum verdict verdict;
	double base_ns, cur_ns;    /* ns/iter (see above), or Ir/iter when
	                            * `measure` says so */
	int measure;               /* enum measure (units.h) of base_ns and
	                            * cur_ns: the run's, or instructions for
	                            * --statistic instructions */
	double change;             /* cur_ns / base_ns - 1 */
	double change_lo, change_hi; /* its interval at the confidence level */
	double rel, rel_lo, rel_hi; /* the judged change and its interval */
	double se;              /* the standard error of the judged log change */
	double p, p_adj;           /* one-sided p that the change is beyond the
	                            * threshold in its direction; Holm-adjusted
	                            * over the family judged */
	double p_zero, p_zero_adj; /* two-sided p of no change; Holm-adjusted */
	int exact;                 /* no spread on either side: compared exactly */
	size_t base_procs, cur_procs; /* processes (stored) or rounds used (paired) */
	int remeasured;            /* re-measured as a suspected change */
	char memory[96];           /* why its memory figures made it regressed
	                            * (gate.c), or "" */
	struct paired_round *rounds; /* paired: every round, owned */
	size_t nrounds;
};

/* A user counter (br_state_counter): one figure per process. */
enum user_kind { USER_VALUE, USER_PER_ITER, USER_RATE };
struct user_counter {
	char *name;             /* owned */
	int kind;               /* enum user_kind */
	double *vals;           /* [process]: its figure, NAN when it had none;
	                         * as many as the benchmark's processes; owned */
	double mean, lo, hi;    /* over the processes with a figure, and the
	                         * t interval of the mean (NAN with one) */
	size_t n;               /* processes with a figure */
};

/* A benchmark definition's own settings (lib/include/benchrun.h), from its
 * listing; 0 where it leaves benchrun's option in force. */
struct bench_settings {
	double measure_time;    /* s of samples per process */
	uint64_t iterations;    /* iterations of every sample (a flat plan) */
	unsigned processes;     /* worker processes (rounds) */
	double timeout_s;       /* s per worker process */
};

/* What the analysis stage (stage.c, analysis.c, noise.c) derives from a
 * benchmark's measured samples. */
struct bench_analysed {
	int done;               /* nonzero once `an` holds estimates */
	struct analysis an;
	char **notes;           /* noise warnings, one line each, owned */
	size_t nnotes;
};

/* What the gate (gate.c, compare.c, paired.c) decides for a benchmark. */
struct bench_gated {
	enum compare_mode mode; /* how it is compared (set before comparing) */
	struct comparison cmp;  /* against a baseline, when compared */
};

/* What the profiling stages attach (profile.c, callgrind.c). */
struct bench_profiles {
	struct profile *cpu;     /* sampled profile (harness/profile.h), owned, or NULL */
	struct profile *alloc;   /* allocation profile (--profile-alloc), owned, or NULL */
	struct callgrind_profile *counted; /* instructions per function, before
	                         * and after (harness/callgrind.h), owned, or NULL */
};

/* Everything known about one benchmark after a run.  The fields up to
 * `user` are the measured data: its definition as the worker listed it and
 * what the worker processes reported, written while listing and measuring
 * (suite.c, worker.c, protocol.c) or read back from a results document
 * (document.c), and only read after that.  Each later stage writes its own
 * output struct and reads the rest. */
struct bench_result {
	char *name;             /* group/function[/param], owned */
	char *group, *function, *param; /* owned; param may be NULL */
	char *program;          /* path of the worker program, owned */
	int measure;            /* enum measure (units.h): what the samples'
	                         * figures are, ns (the default) or Ir */
	double bytes_per_iter;  /* 0 when not set */
	double items_per_iter;  /* 0 when not set */
	char *label;            /* shown beside the results, owned, or NULL */
	struct bench_settings set; /* its definition's own settings */
	char *complexity_name;  /* the definition's complexity function (.complexity):
	                         * its name, owned, or NULL */
	double complexity_g;    /* and its value at this benchmark's first parameter */
	unsigned threads;       /* BR_THREADS: threads running the body, 0 without;
	                         * its throughput is their sum */
	struct proc_run *procs; /* owned */
	size_t nprocs, cap;
	int plan;               /* 0 not known yet, 1 linear ramp, 2 flat: the
	                         * sample plan every process of it must use */
	int failed;             /* nonzero when any process failed, or skipped */
	int skipped;            /* skipped by its definition or its code (with
	                         * failed set, so nothing uses its samples; no
	                         * failure of the run) */
	char *reason;           /* why it failed or was skipped, owned; NULL if not */
	struct counter_result *counters; /* owned; as the first process that
	                                  * measured it reported them */
	size_t ncounters;
	struct user_counter *user; /* owned */
	size_t nuser;

	struct bench_analysed analysis;
	struct bench_gated gate;
	struct bench_profiles prof;
};

/* The word for a benchmark that has no results: "skipped" or "FAILED". */
static inline const char *bench_not_run_word(const struct bench_result *b)
{
	return b->skipped ? "skipped" : "FAILED";
}

#endif
