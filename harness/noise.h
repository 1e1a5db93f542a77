/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Noise notes: one-line warnings, per benchmark, when its evidence is weak
 * (low R², many outliers, a wide interval, flat samples), and one for the
 * run when the machine was busy. */
#ifndef BENCHRUN_NOISE_H
#define BENCHRUN_NOISE_H

#include <stddef.h>
#include "suite.h"

/* Add to each analysed benchmark of s (struct bench_result's notes) a line
 * per weakness; with `compared`, also when its change's interval is too
 * wide to show a regression of a few percent. */
void noise_notes(struct suite *s, int compared);

/* How many processes of b have two samples or more; *flat gets how many of
 * them ran flat samples (every sample the same iterations). */
int noise_flat_processes(const struct bench_result *b, size_t *flat);

/* The busy-machine note for a 1-minute load average `load1` on `cpus`
 * CPUs into buf: 1 when written, 0 when the machine was not busy (a pure
 * function, for tests). */
int noise_machine_busy(double load1, long cpus, char *buf, size_t n);

/* The same from this machine's load average now. */
int noise_machine_note(char *buf, size_t n);

#endif
