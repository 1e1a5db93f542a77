/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/proc.c: proc_run() against small shell scripts
 * that exit, write to the protocol pipe and stderr, crash, hang and leave
 * children behind (in the worker's group or in a session of their own,
 * also when the caller is ended by a signal), and proc_describe_failure()'s
 * wording for each. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "proc.h"

/* Generous: these bound a hang in proc_run, they are not timing claims. */
#define LIMIT_S 5.0

/* Run `script` with /bin/sh under proc_run() with the given time-out. */
static int run_sh(const char *script, double timeout_s, struct proc_result *res)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

	return proc_run(argv, timeout_s, res);
}

/* Whether process pid has gone (or is only a zombie awaiting its reaper),
 * waiting up to about a second for the kernel to finish killing it. */
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

START_TEST(test_exit0_protocol_output)
{
	struct proc_result res;

	ck_assert_int_eq(run_sh("echo hello >&3", LIMIT_S, &res), 0);
	ck_assert_str_eq(res.out, "hello\n");
	ck_assert_uint_eq(res.out_len, 6);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_int_eq(res.signal, 0);
	ck_assert_int_eq(res.timed_out, 0);
	ck_assert_str_eq(res.stderr_tail, "");
	ck_assert_ptr_null(proc_describe_failure(&res, LIMIT_S));
	ck_assert(res.elapsed_s >= 0 && res.elapsed_s < LIMIT_S);
	proc_result_free(&res);
	ck_assert_ptr_null(res.out);
}
END_TEST

/* stdout is discarded: it must not leak into the protocol output. */
START_TEST(test_stdout_discarded)
{
	struct proc_result res;

	ck_assert_int_eq(run_sh("echo visible; echo proto >&3; echo more", LIMIT_S, &res), 0);
	ck_assert_str_eq(res.out, "proto\n");
	ck_assert_int_eq(res.exit_code, 0);
	proc_result_free(&res);
}
END_TEST

/* A megabyte takes many reads and buffer growths; none of it may be lost. */
START_TEST(test_large_output)
{
	struct proc_result res;
	size_t xs = 0;

	ck_assert_int_eq(run_sh("head -c 1000000 /dev/zero | tr '\\0' x >&3", LIMIT_S, &res), 0);
	ck_assert_uint_eq(res.out_len, 1000000);
	ck_assert_uint_eq(strlen(res.out), 1000000);
	for (size_t i = 0; i < res.out_len; i++)
		xs += res.out[i] == 'x';
	ck_assert_uint_eq(xs, 1000000);
	ck_assert_int_eq(res.exit_code, 0);
	proc_result_free(&res);
}
END_TEST

START_TEST(test_exit_status_and_stderr)
{
	struct proc_result res;
	char *why;

	ck_assert_int_eq(run_sh("echo oops >&2; exit 4", LIMIT_S, &res), 0);
	ck_assert_int_eq(res.exit_code, 4);
	ck_assert_int_eq(res.signal, 0);
	ck_assert_int_eq(res.timed_out, 0);
	ck_assert_str_eq(res.stderr_tail, "oops");
	ck_assert_str_eq(res.out, "");
	why = proc_describe_failure(&res, LIMIT_S);
	ck_assert_str_eq(why, "exited with status 4: oops");
	free(why);
	proc_result_free(&res);
}
END_TEST

/* The description quotes only the last line: usually the worker's own
 * message, after whatever else it printed. */
START_TEST(test_stderr_last_line)
{
	struct proc_result res;
	char *why;

	ck_assert_int_eq(run_sh("printf 'first\\nsecond\\n' >&2; exit 1", LIMIT_S, &res), 0);
	ck_assert_str_eq(res.stderr_tail, "first\nsecond");
	why = proc_describe_failure(&res, LIMIT_S);
	ck_assert_str_eq(why, "exited with status 1: second");
	free(why);
	proc_result_free(&res);
}
END_TEST

/* A long stderr keeps its end, which fits the buffer. */
START_TEST(test_stderr_tail_truncated)
{
	struct proc_result res;
	size_t len;
	char *why;

	ck_assert_int_eq(run_sh("head -c 2000 /dev/zero | tr '\\0' e >&2; "
	                        "printf '\\nthe end\\n' >&2; exit 1", LIMIT_S, &res), 0);
	len = strlen(res.stderr_tail);
	ck_assert_uint_gt(len, 400);
	ck_assert_uint_lt(len, sizeof res.stderr_tail);
	ck_assert_str_eq(res.stderr_tail + len - 8, "\nthe end");
	ck_assert_int_eq(res.stderr_tail[0], 'e');
	why = proc_describe_failure(&res, LIMIT_S);
	ck_assert_str_eq(why, "exited with status 1: the end");
	free(why);
	proc_result_free(&res);
}
END_TEST

/* Exit without a message: the description has no dangling colon. */
START_TEST(test_exit_status_silent)
{
	struct proc_result res;
	char *why;

	ck_assert_int_eq(run_sh("exit 3", LIMIT_S, &res), 0);
	ck_assert_int_eq(res.exit_code, 3);
	why = proc_describe_failure(&res, LIMIT_S);
	ck_assert_str_eq(why, "exited with status 3");
	free(why);
	proc_result_free(&res);
}
END_TEST

START_TEST(test_killed_by_signal)
{
	struct proc_result res;
	char *why;

	ck_assert_int_eq(run_sh("echo partial >&3; kill -SEGV $$", LIMIT_S, &res), 0);
	ck_assert_int_eq(res.signal, SIGSEGV);
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_int_eq(res.timed_out, 0);
	ck_assert_str_eq(res.out, "partial\n");
	why = proc_describe_failure(&res, LIMIT_S);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, "crashed with SIGSEGV (Segmentation fault)");
	free(why);
	proc_result_free(&res);
}
END_TEST

START_TEST(test_timeout)
{
	struct proc_result res;
	char *why;

	ck_assert_int_eq(run_sh("echo started >&3; sleep 30", 0.3, &res), 0);
	ck_assert_int_eq(res.timed_out, 1);
	/* The kill is ours: it is not reported as the worker's crash. */
	ck_assert_int_eq(res.signal, 0);
	ck_assert_int_eq(res.exit_code, -1);
	ck_assert_str_eq(res.out, "started\n");
	ck_assert(res.elapsed_s >= 0.3);
	ck_assert(res.elapsed_s < LIMIT_S);
	why = proc_describe_failure(&res, 0.3);
	ck_assert_str_eq(why, "timed out after 0.3 s (killed)");
	free(why);
	proc_result_free(&res);
}
END_TEST

/* A worker that exits while a child it forked still holds the pipes open:
 * proc_run must return when the worker is done, not when the child is, and
 * must not call a finished worker timed out.  The child is killed. */
START_TEST(test_background_child)
{
	struct proc_result res;
	pid_t sleeper;

	ck_assert_int_eq(run_sh("sleep 30 & echo $! >&3; echo done >&3", 10.0, &res), 0);
	ck_assert(res.elapsed_s < LIMIT_S);
	ck_assert_int_eq(res.timed_out, 0);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_int_eq(res.signal, 0);
	ck_assert_int_eq(sscanf(res.out, "%d\ndone\n", &sleeper), 1);
	ck_assert_ptr_nonnull(strstr(res.out, "\ndone\n"));
	ck_assert_msg(process_gone(sleeper), "background child %d survived", (int)sleeper);
	proc_result_free(&res);
}
END_TEST

/* The script that starts a child in a session of its own, which appends
 * its pid to $LIFE_PIDS once it is there and sleeps; the worker waits
 * until it has (so the escape has happened), appends its own pid, and
 * then runs $LIFE_THEN. */
#define ESCAPE_SH \
	"setsid sh -c 'echo $$ >>\"$LIFE_PIDS\"; exec sleep 30' & " \
	"while ! [ -s \"$LIFE_PIDS\" ]; do sleep 0.01; done; " \
	"echo $$ >>\"$LIFE_PIDS\"; eval \"$LIFE_THEN\""

/* A fresh empty $LIFE_PIDS; the path is owned by the caller. */
static char *pids_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(PATH_MAX);
	int fd;

	ck_assert_ptr_nonnull(path);
	snprintf(path, PATH_MAX, "%s/check_proc.XXXXXX", dir && *dir ? dir : "/tmp");
	ck_assert_int_ge(fd = mkstemp(path), 0);
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

/* Whether each of pids[0 .. n) has gone; survivors are killed afterwards,
 * so a failing test leaves nothing behind. */
static int all_gone(const pid_t *pids, size_t n)
{
	int gone = 1;

	for (size_t i = 0; i < n; i++)
		if (!process_gone(pids[i])) {
			fprintf(stderr, "process %ld survived\n", (long)pids[i]);
			kill(pids[i], SIGKILL);
			gone = 0;
		}
	return gone;
}

/* A child that called setsid() has left the worker's process group: once
 * its parent exits it is handed to the caller (a subreaper), and proc_run
 * kills it before it returns. */
START_TEST(test_setsid_child)
{
	struct proc_result res;
	char *path = pids_file();
	pid_t pids[2];

	setenv("LIFE_THEN", "echo done >&3", 1);
	ck_assert_int_eq(run_sh(ESCAPE_SH, 10.0, &res), 0);
	ck_assert_int_eq(res.exit_code, 0);
	ck_assert_str_eq(res.out, "done\n");
	ck_assert_int_eq(res.timed_out, 0);
	ck_assert_uint_eq(read_pids(path, pids, 2), 2);
	ck_assert_msg(all_gone(pids, 2), "a process of the run survived it");
	unlink(path);
	free(path);
	proc_result_free(&res);
}
END_TEST

/* The same escape from a worker that hangs until its time-out. */
START_TEST(test_setsid_child_timeout)
{
	struct proc_result res;
	char *path = pids_file();
	pid_t pids[2];

	setenv("LIFE_THEN", "sleep 30", 1);
	ck_assert_int_eq(run_sh(ESCAPE_SH, 0.5, &res), 0);
	ck_assert_int_eq(res.timed_out, 1);
	ck_assert_uint_eq(read_pids(path, pids, 2), 2);
	ck_assert_msg(all_gone(pids, 2), "a process of the run survived it");
	unlink(path);
	free(path);
	proc_result_free(&res);
}
END_TEST

static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* A process running a worker (with a setsid() child) is sent each fatal
 * signal: it dies of that signal, as it would have without proc_run, and
 * takes the worker and the escaped child with it. */
START_TEST(test_fatal_signal)
{
	int sig = fatal[_i], status;
	char *path = pids_file();
	pid_t pids[2], pid;
	size_t n = 0;

	setenv("LIFE_THEN", "sleep 30", 1);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct proc_result res;
		/* As a shell starts benchrun: the signals at their default. */
		for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
			signal(fatal[i], SIG_DFL);
		run_sh(ESCAPE_SH, 20.0, &res);
		_exit(99);
	}
	/* A bound on a hang of the script, not a timing claim. */
	for (int i = 0; i < 1000 && (n = read_pids(path, pids, 2)) < 2; i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(kill(pid, sig), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig,
	              "the caller did not die of SIG%s (status %#x)", sigabbrev_np(sig), status);
	ck_assert_msg(all_gone(pids, 2), "a process of the run survived SIG%s",
	              sigabbrev_np(sig));
	unlink(path);
	free(path);
}
END_TEST

/* glibc's posix_spawn reports the failed exec itself.  (Under valgrind,
 * which turns its vfork into a fork, it cannot, and this test fails.) */
START_TEST(test_not_found)
{
	char *argv[] = {"/nonexistent/benchrun-worker", NULL};
	struct proc_result res;

	ck_assert_int_eq(proc_run(argv, LIMIT_S, &res), -ENOENT);
	ck_assert_ptr_nonnull(res.out);
	ck_assert_str_eq(res.out, "");
	proc_result_free(&res);
}
END_TEST

/* The affinity list /proc gives a worker, as it reports it. */
static char *child_cpus(void)
{
	struct proc_result res;
	char *line, *out;

	ck_assert_int_eq(run_sh("grep Cpus_allowed_list /proc/self/status >&3", LIMIT_S, &res), 0);
	ck_assert_int_eq(res.exit_code, 0);
	line = strchr(res.out, ':');
	ck_assert_ptr_nonnull(line);
	out = check_asprintf("%s", line + 1 + strspn(line + 1, " \t"));
	out[strcspn(out, "\n")] = '\0';
	proc_result_free(&res);
	return out;
}

/* proc_pin: the workers started after it run on that CPU alone, from their
 * start (the child reads its own mask first thing); benchrun's own mask is
 * as it was; -1 leaves the workers with benchrun's mask. */
START_TEST(test_pin)
{
	cpu_set_t before, after;
	char want[32], *got, *all;
	int last = -1;

	ck_assert_int_eq(sched_getaffinity(0, sizeof before, &before), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &before))
			last = c;
	all = child_cpus();
	proc_pin(last);
	got = child_cpus();
	snprintf(want, sizeof want, "%d", last);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(sched_getaffinity(0, sizeof after, &after), 0);
	ck_assert(CPU_EQUAL(&before, &after));
	free(got);
	proc_pin(-1);
	got = child_cpus();
	ck_assert_str_eq(got, all);
	free(got);
	free(all);
}
END_TEST

static Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("run");

	/* The slowest test waits 0.3 s by design; 20 s catches a hang with room
	 * for valgrind. */
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_exit0_protocol_output);
	tcase_add_test(tc, test_stdout_discarded);
	tcase_add_test(tc, test_large_output);
	tcase_add_test(tc, test_exit_status_and_stderr);
	tcase_add_test(tc, test_stderr_last_line);
	tcase_add_test(tc, test_stderr_tail_truncated);
	tcase_add_test(tc, test_exit_status_silent);
	tcase_add_test(tc, test_killed_by_signal);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_background_child);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_pin);
	tcase_add_test(tc, test_setsid_child);
	tcase_add_test(tc, test_setsid_child_timeout);
	tcase_add_loop_test(tc, test_fatal_signal, 0, (int)(sizeof fatal / sizeof fatal[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(proc_suite());
}
