/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Running a command under a time limit with posix_spawn and collecting its
 * stdout and stderr under one poll() loop, for the CLI transcript tests. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "transcript.h"

extern char **environ;

/* How long to keep draining after the command ended: its descendants may
 * hold the pipes, and they are killed first, so this is only a safety net. */
#define DRAIN_AFTER_EXIT_S 2.0

struct buf {
	char *p;
	size_t len, cap;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append what fd has to b: 1 when more may come, 0 at EOF or error. */
static int drain(int fd, struct buf *b)
{
	char chunk[16384];
	ssize_t n = read(fd, chunk, sizeof chunk);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return 0;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = 2 * b->cap + (size_t)n + 1;
		char *p = realloc(b->p, cap);
		if (!p)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, chunk, (size_t)n);
	b->len += (size_t)n;
	b->p[b->len] = '\0';
	return 1;
}

static int spawn(char *const argv[], int out_w, int err_w, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	rc = posix_spawn(pid, argv[0], &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -rc;
}

/* Collect both pipes until both close and the command has exited.  The
 * exit is noticed by polling waitpid, so a descendant that keeps a pipe open
 * cannot stretch the wait: once the command has gone, its group is killed. */
static void collect(int fds[2], pid_t pid, double deadline, struct transcript *t,
                    int *status)
{
	struct pollfd pfd[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
	struct buf bufs[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
	int open = 2, reaped = 0;

	for (;;) {
		double left;

		if (!reaped && waitpid(pid, status, WNOHANG) == pid) {
			reaped = 1;
			kill(-pid, SIGKILL);
			deadline = now_s() + DRAIN_AFTER_EXIT_S;
		}
		if (reaped && open == 0)
			break;
		left = deadline - now_s();
		if (left <= 0 && !reaped && !t->timed_out) {
			t->timed_out = 1;
			kill(-pid, SIGKILL);
			deadline = now_s() + DRAIN_AFTER_EXIT_S;
			continue;
		}
		if (left <= 0)
			break;
		/* Short slices: the exit is seen by waitpid, not by poll. */
		if (poll(pfd, 2, left < 0.05 ? (int)(left * 1000) + 1 : 50) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!drain(pfd[i].fd, &bufs[i])) {
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
	t->out = bufs[0].p;
	t->out_len = bufs[0].len;
	t->err = bufs[1].p;
	t->err_len = bufs[1].len;
}

/* timeout_s stretched by $CK_TIMEOUT_MULTIPLIER, as Check stretches its own
 * time-outs (make check sets it for sanitizer builds, where everything runs
 * several times slower): the limit bounds a hang, it is no timing claim. */
static double stretched(double timeout_s)
{
	const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
	double k = m ? strtod(m, NULL) : 1.0;

	return k > 1.0 ? timeout_s * k : timeout_s;
}

int transcript_run(char *const argv[], double timeout_s, struct transcript *t)
{
	int outp[2], errp[2], status = 0, rc;
	double start = now_s();
	pid_t pid;

	memset(t, 0, sizeof *t);
	t->exit_code = -1;
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		rc = -errno;
		close(outp[0]);
		close(outp[1]);
		return rc;
	}
	rc = spawn(argv, outp[1], errp[1], &pid);
	close(outp[1]);
	close(errp[1]);
	if (rc == 0) {
		collect((int[2]){outp[0], errp[0]}, pid, start + stretched(timeout_s), t, &status);
		if (WIFEXITED(status))
			t->exit_code = WEXITSTATUS(status);
		else if (WIFSIGNALED(status))
			t->signal = WTERMSIG(status);
	}
	close(outp[0]);
	close(errp[0]);
	if (!t->out)
		t->out = calloc(1, 1);
	if (!t->err)
		t->err = calloc(1, 1);
	t->elapsed_s = now_s() - start;
	return rc;
}

void transcript_free(struct transcript *t)
{
	free(t->out);
	free(t->err);
	t->out = t->err = NULL;
}

size_t transcript_lines(const char *s)
{
	size_t n = 0, len = strlen(s);

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n + (len > 0 && s[len - 1] != '\n');
}

int transcript_run_va(const char *prog, va_list ap, const char *const *tail,
                      double timeout_s, struct transcript *t)
{
	char *argv[64];
	size_t n = 0;
	const char *a;

	argv[n++] = (char *)prog;
	while ((a = va_arg(ap, const char *)) != NULL) {
		if (n >= 63)
			return -E2BIG;
		argv[n++] = (char *)a;
	}
	for (; tail && *tail; tail++) {
		if (n >= 63)
			return -E2BIG;
		argv[n++] = (char *)*tail;
	}
	argv[n] = NULL;
	return transcript_run(argv, timeout_s, t);
}
