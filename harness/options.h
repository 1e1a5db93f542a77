/* SPDX-License-Identifier: GPL-3.0-or-later */
/* benchrun's command line: one table of options that drives both parsing
 * and --help. */
#ifndef BENCHRUN_OPTIONS_H
#define BENCHRUN_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

struct options {
	int list, quiet, help, version;
	const char *filter;       /* extended regex, or NULL */
	const char *json_path;    /* --json FILE, or NULL */
	unsigned processes;       /* worker processes per benchmark */
	double warmup_s;          /* warm-up budget per process, s */
	double measure_s;         /* measurement budget per process, s */
	unsigned samples;         /* samples per process */
	double timeout_s;         /* per worker process, s */
	uint64_t seed;            /* bootstrap seed */
	unsigned resamples;       /* bootstrap resamples */
	double conf_level;        /* confidence level of intervals */
	char **programs;          /* positional arguments (into argv) */
	size_t nprograms;
};

/* Fill `o` with the defaults, then parse argv.  Returns 0, or EXIT_USAGE
 * after printing one line naming the problem. */
int options_parse(int argc, char **argv, struct options *o);

/* Write the --help text, generated from the option table. */
void options_usage(FILE *out);

#endif
