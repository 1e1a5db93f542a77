/* SPDX-License-Identifier: MIT */
/* The instruction measure: Valgrind's callgrind client requests around the
 * measured loop.  Under callgrind (benchrun --measure instructions starts
 * it with instrumentation and collection off), the library switches
 * instrumentation on for the counted run, collection on for exactly the
 * loop, and dumps the counts after each sample; the harness reads the dump
 * files.  Outside Valgrind each request is a few register moves that do
 * nothing, and they run only in this mode. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdio.h>
#include "internal.h"

#ifdef HAVE_VALGRIND_CALLGRIND_H
#include <valgrind/callgrind.h>

int br__cg_state(void)
{
	return RUNNING_ON_VALGRIND ? BR__CG_RUNNING : BR__CG_NOT_RUNNING;
}

void br__cg_instrument(int on)
{
	if (on)
		CALLGRIND_START_INSTRUMENTATION;
	else
		CALLGRIND_STOP_INSTRUMENTATION;
}

/* Zeroing first drops whatever ran instrumented but uncollected. */
void br__cg_collect(int on)
{
	if (on)
		CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
}

void br__cg_dump(unsigned sample)
{
	char label[32];

	snprintf(label, sizeof label, "benchrun sample %u", sample);
	CALLGRIND_DUMP_STATS_AT(label);
}
#else
int br__cg_state(void)
{
	return BR__CG_UNSUPPORTED;
}

void br__cg_instrument(int on)
{
	(void)on;
}

void br__cg_collect(int on)
{
	(void)on;
}

void br__cg_dump(unsigned sample)
{
	(void)sample;
}
#endif
