/* SPDX-License-Identifier: MIT */
/* A benchmark program for the process-lifetime tests: each benchmark starts,
 * in its setup, a child in a session of its own (setsid) that would sleep
 * forever, appends its worker's pid and the child's to the file named by
 * $LIFE_PIDS, and then hangs or finishes.  Whatever benchrun does, none of
 * these processes may outlive it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "benchrun.h"

/* Append "pid\n" to $LIFE_PIDS with one write, so lines never mix. */
static void note_pid(pid_t pid)
{
	const char *path = getenv("LIFE_PIDS");
	char line[32];
	int fd, n = snprintf(line, sizeof line, "%ld\n", (long)pid);

	if (!path || (fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		abort();
	close(fd);
}

/* Fork a child that leaves the worker's process group and session and
 * sleeps forever.  `detach` also clears the parent-death signal the
 * library gave it, as a program it exec'd that forks again, or one started
 * by posix_spawn, would lack it: only benchrun's subreaper catches that
 * one.  The child's pid is noted by the child itself once it is in its new
 * session, and the parent waits for that, so the escape has happened
 * before the benchmark goes on. */
static void escape(int detach)
{
	int ready[2];
	char c;
	pid_t pid;

	if (pipe(ready) != 0 || (pid = fork()) < 0)
		abort();
	if (pid == 0) {
		if (detach)
			prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
		if (setsid() < 0)
			_exit(1);
		note_pid(getpid());
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	/* EOF once the child has noted itself and closed its end. */
	while (read(ready[0], &c, 1) > 0)
		;
	close(ready[0]);
}

static int setup_kept(br_state_t *st)
{
	(void)st;
	note_pid(getpid());
	escape(0);
	return 0;
}

static int setup_detached(br_state_t *st)
{
	(void)st;
	note_pid(getpid());
	escape(1);
	return 0;
}

/* Hangs with a child that keeps the parent-death signal. */
BR_BENCHMARK(life, hang, .setup = setup_kept)
{
	volatile int spin = 1;

	BR_ITERATE(st) {
		while (spin)
			;
	}
}

/* Hangs with a child that cleared the parent-death signal. */
BR_BENCHMARK(life, hang_detached, .setup = setup_detached)
{
	volatile int spin = 1;

	BR_ITERATE(st) {
		while (spin)
			;
	}
}

/* Finishes at once, its detached child left behind. */
BR_BENCHMARK(life, escape, .setup = setup_detached)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = x * 6364136223846793005u + br_black_box((uint64_t)1);
	}
	br_do_not_optimize(x);
}

BR_MAIN()
