/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spawning a worker with posix_spawn, collecting its two pipes under one
 * poll() loop, enforcing the time-out on its whole process group, and
 * making sure that no worker and no descendant of one outlives its run or
 * benchrun itself (a benchmark that forks must not leave children behind). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "proc.h"

extern char **environ;

/* How workers are kept from outliving their run or benchrun:
 *
 * - Every worker leads a process group of its own (so the terminal's ^C
 *   reaches benchrun alone), and the whole group is SIGKILLed when the
 *   worker exits or times out.
 * - benchrun is a child subreaper (PR_SET_CHILD_SUBREAPER): a descendant
 *   that left the worker's group (setsid(), setpgid()) and whose parent
 *   died is handed to benchrun instead of init.  After each worker, every
 *   child of benchrun outside benchrun's own process group is such a stray
 *   and is killed and reaped (kill_strays), so a setsid() grandchild is
 *   gone when proc_run returns.  A subreaper rather than tracking: only
 *   the kernel sees every fork of a benchmark.
 * - SIGINT, SIGTERM, SIGHUP and SIGQUIT (unless ignored when benchrun
 *   started, as nohup does) kill the current worker's group, reap it, kill
 *   every child benchrun has (the worker's orphans are now among them),
 *   and then end benchrun by the same signal with its default action, so
 *   the exit status is what the sender expects.
 * - SIGKILL (and a crash of benchrun) runs no code here: the worker sees
 *   it through the parent-death signal, set by libbenchrun when the
 *   environment names its parent (PROC_PARENT_ENV; lib/worker.c), which
 *   also gives the benchmark's fork()ed children the same signal, so the
 *   tree dies from the top down.  Not covered then: a descendant started
 *   by exec of another program that forks again, by posix_spawn, vfork or
 *   system() (no fork handlers run there), one that clears its
 *   parent-death signal, or one forked from a thread other than the main
 *   one; they outlive a SIGKILLed benchrun until they end on their own.
 *   Only a PID namespace or a cgroup would cover them, and neither is
 *   available to an unprivileged user everywhere. */

/* The worker being run, whose pid is also its process group; 0 when none.
 * Written by proc_run, read by the signal handler. */
static volatile sig_atomic_t current_worker;

/* The CPU the next workers are pinned to, or -1 (proc_pin). */
static int pin_cpu = -1;

void proc_pin(int cpu)
{
	pin_cpu = cpu;
}

/* Rounds of kill_strays: each kills what the previous one's deaths handed
 * over, so this is the depth of a tree that escapes by setsid() level by
 * level; a fork bomb is not chased past it. */
#define STRAY_ROUNDS 64

/* Write v in decimal, NUL-terminated, to end just before `end`; returns
 * its first digit.  Async-signal-safe, unlike snprintf. */
static char *utoa_end(char *end, unsigned long v)
{
	*--end = '\0';
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return end;
}

/* Read the children of thread `tid` of this process into pids[0 .. max);
 * returns how many.  Async-signal-safe: open, read and close only. */
static size_t children_of(pid_t tid, pid_t *pids, size_t max)
{
	static const char pre[] = "/proc/self/task/", post[] = "/children";
	char path[64], digits[24], buf[4096];
	const char *d = utoa_end(digits + sizeof digits, (unsigned long)tid);
	size_t len = 0, n = 0;
	ssize_t got;
	long v = -1;
	int fd;

	memcpy(path, pre, sizeof pre - 1);
	len = sizeof pre - 1;
	memcpy(path + len, d, strlen(d));
	len += strlen(d);
	memcpy(path + len, post, sizeof post);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	/* "pid pid ... ": a longer list than buf holds is read on the next
	 * round, once these are gone. */
	while ((got = read(fd, buf, sizeof buf)) < 0 && errno == EINTR)
		;
	close(fd);
	for (ssize_t i = 0; i < got && n < max; i++) {
		if (buf[i] >= '0' && buf[i] <= '9') {
			v = (v < 0 ? 0 : v * 10) + (buf[i] - '0');
		} else if (v >= 0) {
			pids[n++] = (pid_t)v;
			v = -1;
		}
	}
	return n;
}

/* SIGKILL and reap every child of benchrun (every one when `all`, else
 * only those outside benchrun's process group: a worker's descendants
 * handed over by the subreaper), with the process group each leads, and
 * then the children their deaths handed over, until none is left.
 * Returns how many were killed.  Async-signal-safe when `all`. */
static unsigned kill_strays(int all)
{
	pid_t self = getpid(), pids[256];
	unsigned killed = 0;

	for (int round = 0; round < STRAY_ROUNDS; round++) {
		size_t n = children_of(self, pids, sizeof pids / sizeof pids[0]), k = 0;

		/* Orphans are handed to the subreaper's main thread; a worker
		 * spawned from another thread is that thread's child. */
		if (!all && gettid() != self)
			n += children_of(gettid(), pids + n, sizeof pids / sizeof pids[0] - n);
		for (size_t i = 0; i < n; i++) {
			if (!all && getpgid(pids[i]) == getpgrp())
				continue;
			if (getpgid(pids[i]) == pids[i])
				kill(-pids[i], SIGKILL);
			kill(pids[i], SIGKILL);
			pids[k++] = pids[i];
		}
		if (k == 0)
			break;
		/* A SIGKILLed process cannot delay this for long; once it is
		 * reaped, its own children are ours. */
		for (size_t i = 0; i < k; i++)
			while (waitpid(pids[i], NULL, __WALL) < 0 && errno == EINTR)
				;
		killed += (unsigned)k;
	}
	return killed;
}

/* The signals that end benchrun with its workers.  */
static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void on_fatal_signal(int sig)
{
	pid_t w = current_worker;
	sigset_t set;

	if (w > 0) {
		kill(-w, SIGKILL);
		while (waitpid(w, NULL, 0) < 0 && errno == EINTR)
			;
	}
	kill_strays(1);
	signal(sig, SIG_DFL);
	raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Once, before the first worker: become a subreaper and take over the
 * fatal signals that still have their default action (one ignored when
 * benchrun started stays ignored; a handler someone else installed is
 * left alone). */
static void guard_init(void)
{
	static int done;
	struct sigaction sa, old;

	if (done)
		return;
	done = 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
		if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
		    !(old.sa_flags & SA_SIGINFO))
			sigaction(fatal_signals[i], &sa, NULL);
}

/* `base` (a worker's environment) with PROC_PARENT_ENV set to this
 * process, in a block owned by the caller (the strings are base's, but for
 * the one in buf); NULL when out of memory. */
static char **worker_env(char *const *base, char *buf, size_t len)
{
	size_t n = 0, k = 0, plen = strlen(PROC_PARENT_ENV);
	char **env;

	while (base[n])
		n++;
	if (!(env = malloc((n + 2) * sizeof *env)))
		return NULL;
	snprintf(buf, len, "%s=%ld", PROC_PARENT_ENV, (long)getpid());
	env[k++] = buf;
	for (size_t i = 0; i < n; i++)
		if (strncmp(base[i], PROC_PARENT_ENV, plen) || base[i][plen] != '=')
			env[k++] = base[i];
	env[k] = NULL;
	return env;
}

/* A flood of output is a broken worker, not data: cap what is kept. */
#define OUT_MAX (256u << 20)

double proc_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int spawn(char *const argv[], char *const envp[], int proto_w, int err_w, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char parent[64], **env = worker_env(envp ? envp : environ, parent, sizeof parent);
	cpu_set_t saved, one;
	int rc, pinned = 0;

	if (!env)
		return -ENOMEM;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	posix_spawn_file_actions_adddup2(&fa, proto_w, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	/* Pinned from its first instruction: the child inherits the mask
	 * this process has while it spawns.  A refusal (a cpuset that
	 * forbids the CPU) leaves the placement to the kernel. */
	if (pin_cpu >= 0 && sched_getaffinity(0, sizeof saved, &saved) == 0) {
		CPU_ZERO(&one);
		CPU_SET(pin_cpu, &one);
		pinned = sched_setaffinity(0, sizeof one, &one) == 0;
	}
	rc = posix_spawn(pid, argv[0], &fa, &at, argv, env);
	if (pinned)
		sched_setaffinity(0, sizeof saved, &saved);
	if (rc == 0)
		current_worker = *pid;
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
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
		double now = proc_now_s(), left;
		if (!reaped && waitpid(pid, status, WNOHANG) == pid) {
			reaped = 1;
			current_worker = 0;
			kill(-pid, SIGKILL);  /* whatever it left behind */
			kill_strays(0);
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
		current_worker = 0;
		kill_strays(0);
	}
}

int proc_run(char *const argv[], double timeout_s, struct proc_result *res)
{
	return proc_run_env(argv, NULL, timeout_s, res);
}

int proc_run_env(char *const argv[], char *const envp[], double timeout_s,
                 struct proc_result *res)
{
	int proto[2], errp[2], status = 0, rc;
	double start = proc_now_s();
	char *err = NULL;
	size_t err_len = 0;
	pid_t pid;

	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	guard_init();
	if (pipe2(proto, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		rc = -errno;
		close(proto[0]);
		close(proto[1]);
		return rc;
	}
	rc = spawn(argv, envp, proto[1], errp[1], &pid);
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
	res->elapsed_s = proc_now_s() - start;
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

const char *proc_find_program(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;

	for (p = path; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p)
			continue;
		snprintf(buf, len, "%.*s/%s", (int)(end - p), p, name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}
