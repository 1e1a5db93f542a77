/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A test helper that runs a command the way a shell would and keeps its
 * transcript: stdout and stderr separately, its exit status, and whether a
 * time limit had to kill it. */
#ifndef BENCHRUN_TRANSCRIPT_H
#define BENCHRUN_TRANSCRIPT_H

#include <stdarg.h>
#include <stddef.h>

/* What one command left behind. */
struct transcript {
	char *out;          /* stdout, NUL-terminated, owned */
	size_t out_len;
	char *err;          /* stderr, NUL-terminated, owned */
	size_t err_len;
	int exit_code;      /* when it exited; -1 otherwise */
	int signal;         /* signal that ended it; 0 if none */
	int timed_out;      /* killed (with its process group) at the limit */
	double elapsed_s;   /* wall time from start to reaping */
};

/* Run argv[0] (a path, not searched in PATH) with argv (NULL-terminated),
 * stdin from /dev/null, in its own process group, for at most timeout_s
 * seconds (times $CK_TIMEOUT_MULTIPLIER when that is above 1).  Returns 0 when it ran, or a negated errno when it could not be
 * started; free the result with transcript_free() either way. */
int transcript_run(char *const argv[], double timeout_s, struct transcript *t);

/* As transcript_run, for the program `prog` with the NULL-terminated
 * arguments in `ap`, then those of the NULL-terminated `tail` (or none
 * when tail is NULL).  -E2BIG past 63 arguments. */
int transcript_run_va(const char *prog, va_list ap, const char *const *tail,
                      double timeout_s, struct transcript *t);

/* Free what transcript_run() allocated; the struct may be reused. */
void transcript_free(struct transcript *t);

/* The number of lines in s: newline characters, plus one for an
 * unterminated last line. */
size_t transcript_lines(const char *s);

#endif
