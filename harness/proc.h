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

/* Run argv[0] with argv (NULL-terminated), fd 3 being the protocol pipe,
 * stdout discarded, for at most timeout_s seconds (then SIGKILL to its
 * process group).  Returns 0 when it ran, or a negated errno when it could
 * not be started; free the result with proc_result_free(). */
int proc_run(char *const argv[], double timeout_s, struct proc_result *res);

/* As proc_run, with the environment `envp` (NULL: benchrun's own). */
int proc_run_env(char *const argv[], char *const envp[], double timeout_s,
                 struct proc_result *res);
void proc_result_free(struct proc_result *res);

/* "crashed with SIGSEGV (Segmentation fault)", "timed out after 30 s",
 * "exited with status 3: <stderr>" or NULL when it exited 0: a reason owned
 * by the caller. */
char *proc_describe_failure(const struct proc_result *res, double timeout_s);

#endif
