/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which CPU each worker runs on.
 *
 * The CPUs of one machine are not equally fast: on the 2-vCPU VMs this
 * project is measured on, one ran a benchmark 2 % slower than the other
 * (gate/lcg/1000: 1115.6 against 1138.1 ns, median of 8 processes each,
 * `taskset -c 0|1`), and the kernel puts a paired round's two processes
 * on different CPUs as often as not, so the ratio of a round carried a
 * +-2 % step that no number of rounds averages quickly.  Pinned, the two
 * builds of a round run on one CPU and the step cancels: the per-round
 * spread of an A/A comparison fell from 2.2-4.8 % to 0.3-0.6 % (trimmed
 * SD, 20 rounds a benchmark, one run after the other).
 *
 * Each turn (a benchmark's round: one process, or both builds of a paired
 * round) gets one CPU: among the CPUs this process may use, those whose
 * load from others (from /proc/stat, less what our own workers took) is
 * within PLACEMENT_SLACK of the least loaded, so a CPU held by another
 * program is avoided as the kernel would; among those, a rotation that
 * spreads each benchmark's rounds evenly over them, so a mean over a
 * benchmark's processes weighs every CPU alike, run after run. */
#ifndef BENCHRUN_PLACEMENT_H
#define BENCHRUN_PLACEMENT_H

#include <stddef.h>

/* A CPU this much busier (share of its time) than the least loaded one is
 * not used for the next turn. */
#define PLACEMENT_SLACK 0.15

/* Too short an interval to judge load: the last estimate stands. */
#define PLACEMENT_MIN_TICKS 10

struct placement {
	size_t n;                  /* CPUs this process may run on */
	int *cpu;                  /* their numbers */
	double *load;              /* share of each one's time others used */
	unsigned long long *busy, *total; /* /proc/stat at the last estimate */
	unsigned long long *mine;  /* ticks our workers took on each since */
	unsigned long long ours;   /* our reaped workers' CPU time at the last
	                            * turn, ticks */
	int last;                  /* index of the last turn's CPU, or -1 */
	int have;                  /* busy/total/ours hold a reading */
};

/* Fill pl with the CPUs this process may run on.  0, or -1 when there is
 * nothing to choose (affinity unknown), after which placement_next
 * returns -1. */
int placement_init(struct placement *pl);
void placement_free(struct placement *pl);

/* The CPU for the next turn (its number), or -1 to leave it to the
 * kernel (pl NULL, or one CPU).  Call it before each turn: the turns
 * between two calls are taken to have run on the CPU it returned.  `rotate` turns the choice among equally idle CPUs: pass the
 * round plus a number of the benchmark's own. */
int placement_next(struct placement *pl, unsigned rotate);

/* The choice itself: the index among n CPUs with loads `load` (share of
 * time, 0-1) for rotation `rotate`. */
size_t placement_pick(size_t n, const double *load, unsigned rotate);

/* Parse /proc/stat's text: for each of the n CPUs numbered cpu[], its busy
 * and total ticks.  0, or -1 when a CPU's line is missing. */
int placement_parse_stat(const char *text, size_t n, const int *cpu,
                         unsigned long long *busy, unsigned long long *total);

#endif
