/* SPDX-License-Identifier: GPL-3.0-or-later */
/* benchrun's command line: one table of options that drives both parsing
 * and --help. */
#ifndef BENCHRUN_OPTIONS_H
#define BENCHRUN_OPTIONS_H

#include <stdint.h>
#include <stdio.h>
#include "units.h"

/* Which verdicts make the exit status 1. */
enum fail_on { FAIL_ON_REGRESSION, FAIL_ON_CHANGE, FAIL_ON_NEVER };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };


struct options {
	int list, quiet, help, version;
	int list_counters;        /* --list-counters */
	const char *counters;     /* --counters LIST, or NULL for the default set */
	const char *filter;       /* extended regex, or NULL */
	const char *json_path;    /* --json FILE, or NULL */
	const char *report_dir;   /* --report DIR, or NULL */
	const char *markdown_path; /* --markdown FILE, or NULL */
	unsigned processes;       /* worker processes per benchmark */
	int processes_given;      /* --processes was on the command line */
	double warmup_s;          /* warm-up budget per process, s */
	double measure_s;         /* measurement budget per process, s */
	unsigned samples;         /* samples per process */
	int samples_given;        /* --samples was on the command line */
	int measure;              /* enum measure */
	unsigned long long iterations; /* instructions: iterations per ramp step */
	int cache_sim;            /* instructions: simulate caches and branches */
	double timeout_s;         /* per worker process, s */
	uint64_t seed;            /* bootstrap seed */
	unsigned resamples;       /* bootstrap resamples */
	double conf_level;        /* confidence level of intervals */
	const char *save_baseline;  /* --save-baseline NAME */
	const char *baseline;       /* --baseline NAME: compare with it */
	const char *load_baseline;  /* --load-baseline NAME: no measuring */
	const char *baseline_dir;   /* --baseline-dir DIR, or NULL */
	int statistic;              /* enum analysis_stat compared */
	const char *counter;        /* --statistic counter:NAME: the name */
	double noise;               /* minimum effect, fraction */
	int noise_given;            /* --noise-threshold was on the command line */
	double alpha;               /* suite-wide false-alarm rate */
	int fail_on;                /* enum fail_on */
	unsigned remeasure;         /* processes added to suspects; 0 = off */
	int drift_correction;
	double drift_bound;          /* stored: a common shift beyond fails, fraction */
	int keep_programs;          /* copy programs into the baseline store */
	int memory;                 /* --memory: count allocations per iteration */
	int paired;                 /* --baseline re-runs the kept programs */
	int pin;                    /* pin each turn's workers to one CPU */
	const char *store;          /* --store: the history's file or URL, or NULL */
	int no_history;             /* --no-history */
	int color;                  /* enum color_mode */
	int profile_mode;           /* enum profile_mode */
	const char *profile;        /* --profile value as given, or NULL */
	int alloc_mode;             /* enum profile_mode of --profile-alloc */
	const char *profile_alloc;  /* --profile-alloc value as given, or NULL */
	unsigned profile_freq;      /* samples per second */
	int callchain;              /* enum profile_callchain (profile.h) */
	double profile_time_s;      /* loop time sampled per profile, s */
	char **programs;          /* positional arguments (into argv) */
	size_t nprograms;
};

/* Fill `o` with the defaults, then parse argv.  Returns 0, or EXIT_USAGE
 * after printing one line naming the problem. */
int options_parse(int argc, char **argv, struct options *o);

/* Find a subcommand ("compare" or "ab") among the options that may come
 * before it, as in `benchrun -q --seed 3 ab OLD NEW`: the first word that
 * is neither an option nor an option's value.  When it is a subcommand,
 * move it to argv[1] (the options keep their order after it) and return
 * 1; else leave argv alone and return 0.  Words after "--" are never a
 * subcommand. */
int options_subcommand(int argc, char **argv);

/* Write the --help text, generated from the option table. */
void options_usage(FILE *out);

/* What the reports and the results document need of o (report.h). */
struct report_settings;
void options_report_settings(const struct options *o, struct report_settings *rs);

#endif
