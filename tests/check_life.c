/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for the lifetime of workers: $BENCHRUN running worker_life
 * is ended by SIGINT (to its process group, as ^C sends it), SIGTERM,
 * SIGHUP and SIGKILL while a benchmark hangs, and runs a benchmark that
 * leaves a setsid() child behind; afterwards no process of its run is
 * left, as the process table says. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

extern char **environ;

/* Budgets that keep a finishing run short. */
#define FAST "--warmup-time", "0.002", "--measure-time", "0.005", "--samples", "5", \
	"--quiet", "--color", "never"

static const char *benchrun;
static char worker[PATH_MAX];

/* Whether process pid has gone (or is only a zombie awaiting its reaper),
 * waiting up to about a second for the kernel to finish killing it: a
 * bound on the wait, not a timing claim. */
static int process_gone(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		char path[64], state = '?';
		FILE *f;

		if (kill(pid, 0) != 0 && errno == ESRCH)
			return 1;
		snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
		if ((f = fopen(path, "r"))) {
			/* "pid (comm) S ...": the state follows the last ')'. */
			char line[512], *rp;
			if (fgets(line, sizeof line, f) && (rp = strrchr(line, ')')))
				state = rp[2];
			fclose(f);
			if (state == 'Z' || state == 'X')
				return 1;
		}
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return 0;
}

/* A fresh empty $LIFE_PIDS, where worker_life notes its processes; the
 * path is owned by the caller. */
static char *pids_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = check_asprintf("%s/check_life.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(setenv("LIFE_PIDS", path, 1), 0);
	return path;
}

/* The pids in `path`, one a line, into pids[0 .. max); returns how many. */
static size_t read_pids(const char *path, pid_t *pids, size_t max)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	long v;

	ck_assert_ptr_nonnull(f);
	while (n < max && fscanf(f, "%ld", &v) == 1)
		pids[n++] = (pid_t)v;
	fclose(f);
	return n;
}

/* Whether each of pids[0 .. n) has gone; a survivor is named and killed,
 * so a failing test leaves nothing spinning. */
static int all_gone(const pid_t *pids, size_t n)
{
	int gone = 1;

	for (size_t i = 0; i < n; i++)
		if (!process_gone(pids[i])) {
			fprintf(stderr, "check_life: process %ld survived\n", (long)pids[i]);
			kill(pids[i], SIGKILL);
			gone = 0;
		}
	return gone;
}

/* Start $BENCHRUN on worker_life with the benchmarks matching `filter`,
 * in a process group of its own as a shell would start it, its output
 * discarded. */
static pid_t start_benchrun(const char *filter)
{
	char *argv[] = {(char *)benchrun, "--processes", "2", FAST, "--filter",
	                (char *)filter, worker, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	/* The signals at their default action, as a shell starts a command:
	 * under nohup (or a CI runner that ignores SIGHUP) benchrun would
	 * rightly leave an ignored signal ignored. */
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGQUIT);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	ck_assert_int_eq(posix_spawn(&pid, benchrun, &fa, &at, argv, environ), 0);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* How benchrun is ended, and which benchmark hangs meanwhile: under
 * SIGKILL only the parent-death signal acts, so the hanging worker's child
 * keeps it (life/hang); the signals benchrun catches must also reach a
 * child that cleared it (life/hang_detached), through the subreaper. */
static const struct {
	int sig, to_group;
	const char *filter;
} ends[] = {
	{SIGINT, 1, "^life/hang_detached$"},
	{SIGTERM, 0, "^life/hang_detached$"},
	{SIGHUP, 0, "^life/hang_detached$"},
	{SIGKILL, 0, "^life/hang$"},
};

/* benchrun ended by a signal while a benchmark hangs: it dies of that
 * signal, and within a second neither the worker nor the child the
 * benchmark put in a session of its own is alive. */
START_TEST(test_ended_by_signal)
{
	char *path = pids_file();
	pid_t pid = start_benchrun(ends[_i].filter), pids[2];
	int sig = ends[_i].sig, status = 0;
	size_t n = 0;

	/* The worker notes itself and its child in setup, then hangs.  A
	 * bound on a stalled start (30 s), not a timing claim. */
	for (int i = 0; i < 3000 && (n = read_pids(path, pids, 2)) < 2; i++) {
		ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0,
		              "benchrun ended before the benchmark hung (status %#x)", status);
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(kill(ends[_i].to_group ? -pid : pid, sig), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(all_gone(pids, n), "a process of the run outlived benchrun's SIG%s",
	              sigabbrev_np(sig));
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig,
	              "benchrun did not die of SIG%s (status %#x)", sigabbrev_np(sig), status);
	unlink(path);
	free(path);
}
END_TEST

/* A benchmark leaves a child in a session of its own that cleared its
 * parent-death signal, in each of the two worker processes: the run
 * finishes normally, and when benchrun has exited no such child is left. */
START_TEST(test_setsid_child)
{
	char *path = pids_file();
	pid_t pid = start_benchrun("^life/escape$"), pids[4];
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "benchrun failed (status %#x)", status);
	/* Each worker process noted itself and its child. */
	ck_assert_uint_eq(read_pids(path, pids, 4), 4);
	ck_assert_msg(all_gone(pids, 4), "a setsid() child outlived the run");
	unlink(path);
	free(path);
}
END_TEST

static Suite *life_suite(void)
{
	Suite *s = suite_create("life");
	TCase *tc = tcase_create("end");

	/* A bound on a hang: each test takes well under a second when right. */
	tcase_set_timeout(tc, 180);  /* a bound on a hang; a loaded machine is slow */
	tcase_add_loop_test(tc, test_ended_by_signal, 0, (int)(sizeof ends / sizeof ends[0]));
	tcase_add_test(tc, test_setsid_child);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *dir = getenv("TESTS_BUILDDIR");

	benchrun = getenv("BENCHRUN");
	if (!benchrun || !*benchrun || !dir || !*dir) {
		fputs("check_life: BENCHRUN and TESTS_BUILDDIR must be set (make check sets them)\n",
		      stderr);
		return EXIT_FAILURE;
	}
	snprintf(worker, sizeof worker, "%s/worker_life", dir);
	return check_run_suite(life_suite());
}
