/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Running one worker process: its protocol output arrives on a pipe at fd 3,
 * its stderr is kept for failure reports, and a time-out kills it. */
#ifndef BENCHRUN_PROC_H
#define BENCHRUN_PROC_H

#include <stddef.h>

/* What a finished worker left behind. */
struct proc_result {
	char *out;           /* protocol output (fd 3), NUL-terminated, owned */
	size_t out_len;
	char stderr_tail[512];  /* last line(s) of its stderr */
	int exit_code;       /* when it exited; -1 otherwise */
	int signal;          /* signal that ended it; 0 if none */
	int timed_out;       /* killed at the time-out */
	double elapsed_s;    /* wall time */
};

/* The environment variable that tells a worker the pid of the benchrun
 * that started it, so that it can die with it (libbenchrun reads it under
 * the same name). */
#define PROC_PARENT_ENV "BENCHRUN_PARENT_PID"

/* Run argv[0] with argv (NULL-terminated), fd 3 being the protocol pipe,
 * stdout discarded, the environment plus PROC_PARENT_ENV, in a process
 * group of its own, for at most timeout_s seconds (then SIGKILL to its
 * process group).  When it has exited, its process group is killed, and so
 * is every descendant that left the group and was handed to this process
 * (which the first call makes a child subreaper): none is left when this
 * returns.  The first call also makes SIGINT, SIGTERM, SIGHUP and SIGQUIT,
 * where they have their default action, kill the running worker and every
 * child of this process before ending it by that signal.  Returns 0 when
 * it ran, or a negated errno when it could not be started; free the result
 * with proc_result_free(). */
int proc_run(char *const argv[], double timeout_s, struct proc_result *res);

/* Pin the workers started from now on to CPU `cpu` (see placement.h), or
 * with -1 leave them where the kernel puts them. */
void proc_pin(int cpu);

/* As proc_run, with the environment `envp` (NULL: benchrun's own). */
int proc_run_env(char *const argv[], char *const envp[], double timeout_s,
                 struct proc_result *res);
void proc_result_free(struct proc_result *res);

/* "crashed with SIGSEGV (Segmentation fault)", "timed out after 30 s",
 * "exited with status 3: <stderr>" or NULL when it exited 0: a reason owned
 * by the caller. */
char *proc_describe_failure(const struct proc_result *res, double timeout_s);

/* The first executable `name` in the folders of PATH, written into buf;
 * buf, or NULL when there is none. */
const char *proc_find_program(const char *name, char *buf, size_t len);

/* Seconds on the monotonic clock (for elapsed times). */
double proc_now_s(void);

#endif
