/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spawning a worker with posix_spawn, collecting its two pipes under one
 * poll() loop, and enforcing the time-out on its whole process group (a
 * benchmark that forks must not leave children behind). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "proc.h"

extern char **environ;

/* A flood of output is a broken worker, not data: cap what is kept. */
#define OUT_MAX (256u << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int spawn(char *const argv[], int proto_w, int err_w, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	posix_spawn_file_actions_adddup2(&fa, proto_w, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	rc = posix_spawn(pid, argv[0], &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -rc;
}

/* Append what fd has to *buf; 0 at EOF, 1 when more may come. */
static int drain(int fd, char **buf, size_t *len, size_t *cap)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof chunk);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return 0;
	if (*len + (size_t)n + 1 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 65536) + (size_t)n;
		char *nb;
		if (ncap > OUT_MAX || !(nb = realloc(*buf, ncap)))
			return 1;  /* keep reading to let it finish; drop the excess */
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, chunk, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return 1;
}

static void keep_tail(struct proc_result *res, const char *err, size_t len)
{
	size_t keep = sizeof res->stderr_tail - 1;
	const char *start = len > keep ? err + len - keep : err;

	snprintf(res->stderr_tail, sizeof res->stderr_tail, "%s", start ? start : "");
	len = strlen(res->stderr_tail);
	while (len && (res->stderr_tail[len - 1] == '\n' || res->stderr_tail[len - 1] == '\r'))
		res->stderr_tail[--len] = '\0';
}

/* Once the worker has exited, what it wrote is in the pipes: read on for
 * at most this long, so a child that escaped its process group and keeps a
 * pipe open cannot hold benchrun up. */
#define DRAIN_AFTER_EXIT_S 0.2

/* Read both pipes until the worker has exited and the pipes are drained,
 * or the deadline passes (then kill the group).  Waiting on the worker
 * itself, not on end-of-file: a background child of the benchmark that
 * inherited a pipe must not make a finished worker look hung. */
static void collect(int fds[2], pid_t pid, double deadline, struct proc_result *res,
                    char **err, size_t *err_len, int *status)
{
	struct pollfd pfd[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
	size_t out_cap = 0, err_cap = 0;
	double drain_until = 0;
	int open = 2, reaped = 0;

	while (open > 0) {
		double now = now_s(), left;
		if (!reaped && waitpid(pid, status, WNOHANG) == pid) {
			reaped = 1;
			kill(-pid, SIGKILL);  /* whatever it left behind */
			drain_until = now + DRAIN_AFTER_EXIT_S;
		}
		if (!reaped && now >= deadline && !res->timed_out) {
			res->timed_out = 1;
			kill(-pid, SIGKILL);
		}
		if (reaped && now >= drain_until)
			break;
		/* After the time-out's kill, wait on for the worker's exit. */
		left = reaped ? drain_until - now : res->timed_out ? 1.0 : deadline - now;
		/* Short slices: the exit of the worker is noticed within 20 ms.
		 * Never a negative time-out, which poll() takes as "forever": a
		 * descendant holding the pipes would then hang benchrun. */
		if (poll(pfd, 2, left > 0.02 ? 20 : left > 0 ? 1 + (int)(left * 1000) : 0) < 0 &&
		    errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!(i == 0 ? drain(pfd[0].fd, &res->out, &res->out_len, &out_cap)
			             : drain(pfd[1].fd, err, err_len, &err_cap))) {
				pfd[i].fd = -1;
				open--;
			}
		}
	}
	if (!reaped) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	}
}

int proc_run(char *const argv[], double timeout_s, struct proc_result *res)
{
	int proto[2], errp[2], status = 0, rc;
	double start = now_s();
	char *err = NULL;
	size_t err_len = 0;
	pid_t pid;

	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	if (pipe2(proto, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		rc = -errno;
		close(proto[0]);
		close(proto[1]);
		return rc;
	}
	rc = spawn(argv, proto[1], errp[1], &pid);
	close(proto[1]);
	close(errp[1]);
	if (rc == 0) {
		collect((int[2]){proto[0], errp[0]}, pid, start + timeout_s, res, &err,
		        &err_len, &status);
		if (WIFEXITED(status))
			res->exit_code = WEXITSTATUS(status);
		else if (WIFSIGNALED(status) && !res->timed_out)
			res->signal = WTERMSIG(status);
		keep_tail(res, err, err_len);
	}
	close(proto[0]);
	close(errp[0]);
	free(err);
	if (!res->out)
		res->out = calloc(1, 1);
	res->elapsed_s = now_s() - start;
	return rc;
}

void proc_result_free(struct proc_result *res)
{
	free(res->out);
	res->out = NULL;
}

/* The last line of the stderr tail: usually the worker's own message. */
static const char *last_line(const char *tail)
{
	const char *nl = strrchr(tail, '\n');

	return nl ? nl + 1 : tail;
}

char *proc_describe_failure(const struct proc_result *res, double timeout_s)
{
	char *s = NULL;
	const char *tail = last_line(res->stderr_tail);
	int n = 0;

	if (res->timed_out)
		n = asprintf(&s, "timed out after %g s (killed)", timeout_s);
	else if (res->signal)
		n = asprintf(&s, "crashed with SIG%s (%s)", sigabbrev_np(res->signal),
		             strsignal(res->signal));
	else if (res->exit_code != 0)
		n = asprintf(&s, "exited with status %d%s%s", res->exit_code,
		             *tail ? ": " : "", tail);
	return n < 0 ? NULL : s;
}
