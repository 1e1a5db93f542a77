/* SPDX-License-Identifier: GPL-3.0-or-later */
/* DWARF call chains: the samples of a --profile-callchain dwarf run (each
 * one's user registers and stack bytes) unwound through the call-frame
 * information of the worker's modules by libdwfl, so code built without
 * frame pointers (distribution libraries) unwinds as well as code with
 * them. */
#ifndef BENCHRUN_UNWIND_H
#define BENCHRUN_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"
#include "symbols.h"

/* What unwinding a profile cost and found. */
struct unwind_stats {
	size_t samples;     /* unwound */
	size_t frames;      /* frames found, all samples */
	size_t stopped;     /* samples whose unwinding stopped on an error
	                     * before the stack's end (libdwfl's reason kept
	                     * in `why`, the first one) */
	uint64_t stack_bytes; /* stack bytes the samples carried */
	double seconds;     /* wall time unwinding */
	char why[160];
};

/* Unwind every "ustack" sample of raw through sym's modules into a call
 * chain (the sampled ip, then return addresses, as frame pointers give
 * them) appended to raw->chains with a count of 1.  x86-64 only: elsewhere
 * -1 with the reason.  Returns 0, or -1 with a reason in err (out of
 * memory, or libdwfl refused the session). */
int unwind_profile(struct symbols *sym, struct protocol_profile *raw,
                   struct unwind_stats *st, char *err, size_t errlen);

#endif
