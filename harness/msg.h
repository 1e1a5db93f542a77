/* SPDX-License-Identifier: GPL-3.0-or-later */
/* benchrun's exit statuses and its one-line messages:
 * "benchrun: <what>: <problem>". */
#ifndef BENCHRUN_MSG_H
#define BENCHRUN_MSG_H

/* Exit statuses.  A regression must never look like a crash. */
enum exit_status {
	EXIT_NO_REGRESSION = 0,
	EXIT_REGRESSION = 1,
	EXIT_USAGE = 2,       /* usage or input error (bad option, program,
	                       * output file); no result file is written */
	EXIT_BENCH_FAILED = 3 /* a benchmark crashed, hung or failed */
};

/* Print "benchrun: what: <formatted problem>" on stderr.  `what` may be
 * NULL for a message about benchrun itself; it is escaped for the terminal
 * (escape_term), since it is often a benchmark's name. */
void msg_error(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "benchrun: warning: what: <formatted problem>" on stderr. */
void msg_warn(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear any progress line on the terminal before a message is printed. */
void msg_set_progress_active(int active);

#endif
