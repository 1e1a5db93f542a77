/* SPDX-License-Identifier: MIT */
/* The interface of lib/counters.c and its backends (counters-pfm.c; named
 * apart from harness/counters.h so that tests can include both): the set of
 * events a worker counts around every sample, the backend table that opens
 * and reads them (the tests plug in a scripted one), and the pure
 * arithmetic that turns two readings into a scaled delta.  Includes neither
 * linux/perf_event.h nor libpfm4's header: only the backend does. */
#ifndef BENCHRUN_COUNTING_H
#define BENCHRUN_COUNTING_H

#include <stddef.h>
#include <stdint.h>
#include "brproto.h"

/* The limits of one --counters list are the protocol's (brproto.h): a
 * longer list is a usage error, not a silent truncation; a core PMU has 4
 * to 8 counters, so 32 events already means heavy multiplexing. */
#define BR__COUNTER_REASON_MAX 320

/* What became of one requested event. */
enum br__counter_status {
	BR__CTR_COUNTED = 0,   /* open: read around every sample */
	BR__CTR_UNAVAILABLE,   /* a valid name this machine cannot count */
	BR__CTR_UNKNOWN,       /* libpfm4 does not know the name: a usage error */
};

/* Events the derived figures (instructions per cycle, misses per thousand
 * instructions) and the loop-cost subtraction recognise, from their
 * encoding, whatever name the user gave them. */
enum br__counter_role {
	BR__ROLE_NONE = 0,
	BR__ROLE_CYCLES,
	BR__ROLE_INSTRUCTIONS,
	BR__ROLE_BRANCH_MISSES,
	BR__ROLE_CACHE_MISSES,
};

/* One event of a set. */
struct br__counter {
	char name[BR__PROTO_COUNTER_NAME_MAX];  /* as the user (or the default) named it */
	char encoding[256];               /* libpfm4's full name, or "" */
	char reason[BR__COUNTER_REASON_MAX]; /* why not counted: problem and fix */
	int status;                       /* enum br__counter_status */
	int hardware;                     /* a PMU event (else a kernel software event) */
	int kernel;                       /* counted in kernel mode as well (see counters-pfm.c) */
	int role;                         /* enum br__counter_role */
	int requested;                    /* named by the user, not from the default set */
	unsigned group;                   /* 1-based perf_event group, when counted */
	double loop_per_iter;             /* events of an empty BR_ITERATE loop per
	                                   * iteration; NAN unless measured */
};

/* One reading of every event, indexed like the set's events.  Only counted
 * events are filled. */
struct br__counter_reading {
	int ok;                                /* 0 when a read failed: nothing valid */
	uint64_t value[BR__PROTO_COUNTERS_MAX];      /* raw count since the group was enabled */
	uint64_t enabled_ns[BR__PROTO_COUNTERS_MAX]; /* time its group has been enabled, ns */
	uint64_t running_ns[BR__PROTO_COUNTERS_MAX]; /* of which on the PMU, ns */
};

struct br__counter_set;

/* A counters backend. */
struct br__counters_backend {
	const char *name;
	/* Resolve every event of `set` and open those the machine can count,
	 * setting each event's status, reason, encoding, kind, role and group
	 * (names and `requested` are filled by the caller).  Unknown names are
	 * found before anything is opened.  Returns 0 (unavailable events are
	 * not an error), or BR_ECOUNTER with nothing left open when a name is
	 * unknown (its reason holds libpfm4's message). */
	int (*open)(struct br__counter_set *set);
	/* Read every group once into r; 0 or a negated errno. */
	int (*read)(struct br__counter_set *set, struct br__counter_reading *r);
	/* Close what open() opened. */
	void (*close)(struct br__counter_set *set);
	/* Optional: up to `max` event names, one per PMU-specific event
	 * table the backend knows on this machine (e.g. "pmu::EVENT"), for
	 * --list-counters to try.  Returns how many it wrote. */
	unsigned (*pmu_events)(char (*names)[BR__PROTO_COUNTER_NAME_MAX], unsigned max);
};

/* The events one worker counts. */
struct br__counter_set {
	struct br__counter ev[BR__PROTO_COUNTERS_MAX];
	unsigned n;           /* events in ev */
	unsigned ncounted;    /* of which BR__CTR_COUNTED, after open */
	unsigned ngroups;     /* perf_event groups opened */
	int is_default;       /* the default set (no --counters given) */
	const struct br__counters_backend *backend;
	void *impl;           /* the backend's state, owned by it */
};

/* The libpfm4 + perf_event backend. */
extern const struct br__counters_backend br__counters_pfm;

/* The backend new sets use (default br__counters_pfm); tests install a
 * scripted one.  NULL restores the default. */
void br__counters_use(const struct br__counters_backend *backend);

/* Fill `set` from a --counters value: comma-separated event names, or
 * "none" for an empty set.  Returns 0, or BR_EUSAGE with a one-line reason
 * in err (an empty list or name, a name too long, too many names, a name
 * given twice). */
int br__counters_parse(const char *list, struct br__counter_set *set, char *err,
                       size_t errlen);

/* Fill `set` with the default events: the useful hardware events (cycles,
 * instructions, branch-misses, cache-misses) and cheap software ones
 * (page-faults, context-switches).  open() then decides which of them this
 * machine counts; the unavailable ones are kept, marked, but never warned
 * about, since nobody asked for them. */
void br__counters_default(struct br__counter_set *set);

/* Fill `set` with the candidates --list-counters tries: the generic
 * hardware and software events, and one event of each PMU libpfm4
 * detects. */
void br__counters_candidates(struct br__counter_set *set);

/* Open, read and close through the set's backend (see the table above). */
int br__counters_open(struct br__counter_set *set);
int br__counters_read(struct br__counter_set *set, struct br__counter_reading *r);
void br__counters_close(struct br__counter_set *set);

/* The delta of one event between readings a and b, scaled for
 * multiplexing: raw delta x enabled delta / running delta, the count the
 * event would have reached had it been on the PMU the whole sample.  Stores
 * the fraction of the sample it was running (0..1) in *running.  Returns 0,
 * or -1 with *delta NAN when the event never ran during the sample or a
 * count went backwards: an unknown value, never a zero. */
int br__counter_scale(uint64_t v0, uint64_t v1, uint64_t enabled0, uint64_t enabled1,
                      uint64_t running0, uint64_t running1, double *delta,
                      double *running);

/* The scaled deltas of every event of `set` between readings a and b into
 * delta[] and running[] (set->n entries each); NAN and 0 for events not
 * counted and for failed readings. */
void br__counter_deltas(const struct br__counter_set *set,
                        const struct br__counter_reading *a,
                        const struct br__counter_reading *b, double *delta,
                        double *running);

/* The Theil-Sen slope of y on iters over n samples (y[k * stride]),
 * skipping NAN values: events per iteration, with the fixed per-sample
 * cost cancelled by the ramp.  With no two distinct iteration counts
 * (flat plans) it is the median of y/iters.  NAN when no value is finite;
 * allocates scratch, NAN when that fails. */
double br__counter_slope(const uint64_t *iters, const double *y, size_t n,
                         size_t stride);

/* Measure the events of `set` with role BR__ROLE_INSTRUCTIONS on an empty
 * BR_ITERATE body and store the slope in their loop_per_iter, which the
 * harness subtracts.  A no-op when no such event is counted. */
void br__counters_calibrate_loop(struct br__counter_set *set);

/* The warning for an unavailable event, "NAME: not counted: REASON". */
void br__counter_warning(const struct br__counter *c, char *buf, size_t len);

#endif
