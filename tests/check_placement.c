/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/placement.c: the choice among CPUs (the least
 * loaded within the slack, rotated), /proc/stat's reading, and a live
 * reading that sees a CPU another process keeps busy. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "placement.h"

START_TEST(test_pick_rotates_idle)
{
	double idle[3] = {0, 0, 0};

	for (unsigned r = 0; r < 9; r++)
		ck_assert_uint_eq(placement_pick(3, idle, r), r % 3);
}
END_TEST

/* A CPU busier than the least loaded by more than the slack is left out;
 * those within it share the turns. */
START_TEST(test_pick_avoids_busy)
{
	double hog[2] = {0.95, 0.02}, mixed[3] = {0.10, 0.0, 0.9}, full[2] = {1, 1};
	double edge[2] = {0, PLACEMENT_SLACK + 0.01};

	for (unsigned r = 0; r < 6; r++) {
		ck_assert_uint_eq(placement_pick(2, hog, r), 1);
		ck_assert_uint_eq(placement_pick(3, mixed, r), r % 2);
		ck_assert_uint_eq(placement_pick(2, full, r), r % 2);
		ck_assert_uint_eq(placement_pick(2, edge, r), 0);
	}
}
END_TEST

START_TEST(test_parse_stat)
{
	const char *text = "cpu  10 0 10 100 0 0 0 0 0 0\n"
	                   "cpu10 9 9 9 9 9 9 9 9 0 0\n"
	                   "cpu0 1 2 3 40 5 6 7 8 0 0\n"
	                   "cpu1 100 0 0 900 0 0 0 0 0 0\n"
	                   "intr 12345\n";
	int cpus[2] = {1, 0}, missing[1] = {2};
	unsigned long long busy[2], total[2];

	ck_assert_int_eq(placement_parse_stat(text, 2, cpus, busy, total), 0);
	ck_assert_uint_eq(busy[0], 100);  /* cpu1, not cpu10 */
	ck_assert_uint_eq(total[0], 1000);
	/* user nice system irq softirq steal are busy; idle iowait are not */
	ck_assert_uint_eq(busy[1], 1 + 2 + 3 + 6 + 7 + 8);
	ck_assert_uint_eq(total[1], 1 + 2 + 3 + 6 + 7 + 8 + 40 + 5);
	ck_assert_int_eq(placement_parse_stat(text, 1, missing, busy, total), -1);
}
END_TEST

/* This process's CPUs: every choice is one of them; with one CPU there is
 * nothing to choose. */
START_TEST(test_live_choices)
{
	struct placement pl;
	cpu_set_t set;

	ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
	if (placement_init(&pl) != 0) {
		ck_assert_int_lt(CPU_COUNT(&set), 2);
		ck_assert_int_eq(placement_next(NULL, 0), -1);
		return;
	}
	ck_assert_uint_eq(pl.n, (size_t)CPU_COUNT(&set));
	for (unsigned r = 0; r < 20; r++) {
		int c = placement_next(&pl, r);
		ck_assert(c >= 0 && CPU_ISSET(c, &set));
	}
	placement_free(&pl);
	ck_assert_int_eq(placement_next(&pl, 0), -1);
}
END_TEST

/* A process that spins on one CPU (not a worker: it is not reaped, so its
 * time is another program's) shows as load there. */
START_TEST(test_live_sees_busy_cpu)
{
	struct placement pl;
	struct timespec end, now;
	pid_t pid;
	int hog;

	if (placement_init(&pl) != 0)
		return;  /* one CPU: nothing to tell apart */
	hog = pl.cpu[pl.n - 1];
	if ((pid = fork()) == 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(hog, &one);
		sched_setaffinity(0, sizeof one, &one);
		for (;;)
			;
	}
	ck_assert_int_gt(pid, 0);
	placement_next(&pl, 0);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 1;
	do  /* wait without using a CPU: the ticks are counted per CPU */
		nanosleep(&(struct timespec){0, 50000000}, NULL);
	while (clock_gettime(CLOCK_MONOTONIC, &now) == 0 &&
	       (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec)));
	placement_next(&pl, 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* It had at least its share of a CPU it may have shared with others */
	ck_assert_double_ge(pl.load[pl.n - 1], 0.4);
	placement_free(&pl);
}
END_TEST

static Suite *placement_suite(void)
{
	Suite *s = suite_create("placement");
	TCase *tc = tcase_create("choice");

	tcase_add_test(tc, test_pick_rotates_idle);
	tcase_add_test(tc, test_pick_avoids_busy);
	tcase_add_test(tc, test_parse_stat);
	tcase_add_test(tc, test_live_choices);
	tcase_add_test(tc, test_live_sees_busy_cpu);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(placement_suite());
}
