/* SPDX-License-Identifier: MIT */
/* What a worker (libbenchrun) and benchrun must agree on, in one place:
 * the protocol's version, its record names, its limits, the default
 * budgets and the --counters list syntax (docs/worker-protocol.md).  This
 * module is compiled into the library and into the benchrun program
 * (harness/local.mk); neither keeps a copy.  libc only. */
#ifndef BENCHRUN_BRPROTO_H
#define BENCHRUN_BRPROTO_H

#include <stddef.h>

/* The version a worker writes in its header, and the oldest benchrun
 * reads.  4: settings, pauses, user counters, complexity; 5: the worker
 * option --memory and its "memory" record. */
#define BR__PROTO_VERSION 6
#define BR__PROTO_VERSION_MIN 1
#define BR__PROTO_STR_(x) #x
#define BR__PROTO_STR(x) BR__PROTO_STR_(x)
/* "1 to 4", for messages */
#define BR__PROTO_VERSIONS_TEXT \
	BR__PROTO_STR(BR__PROTO_VERSION_MIN) " to " BR__PROTO_STR(BR__PROTO_VERSION)

/* Record types (the "type" member of each line). */
#define BR__REC_HEADER "header"
#define BR__REC_LISTED "listed"
#define BR__REC_COUNTER "counter"
#define BR__REC_BENCHMARK "benchmark"
#define BR__REC_SAMPLE "sample"
#define BR__REC_USER_COUNTER "user_counter"
#define BR__REC_MEMORY "memory"
#define BR__REC_END "end"
#define BR__REC_PROFILE "profile"
#define BR__REC_STACK "stack"
#define BR__REC_MAP "map"
#define BR__REC_USTACK "ustack"
#define BR__REC_PROFILE_END "profile_end"
#define BR__REC_PROFILE_ERROR "profile_error"
#define BR__REC_FOOTER "footer"

/* Limits.  Events in one --counters list, and the bytes of an event's name
 * with its terminating NUL (so at most 127 characters). */
#define BR__PROTO_COUNTERS_MAX 32
#define BR__PROTO_COUNTER_NAME_MAX 128
/* User counters of one benchmark, and the bytes of a name with its NUL. */
#define BR__PROTO_USER_COUNTERS_MAX 32
#define BR__PROTO_USER_NAME_MAX 64

/* Default budgets, the worker's when run on its own and benchrun's.
 * Warm-up and samples per process (s), samples per process; see
 * harness/options.c for why.  Profiles: 999 Hz rather than 1000, so
 * sampling does not beat in step with the kernel's 1 kHz tick; one second
 * gives about a thousand samples. */
#define BR__PROTO_WARMUP_S 0.05
#define BR__PROTO_MEASURE_S 0.1
#define BR__PROTO_SAMPLES 30
#define BR__PROTO_PROFILE_HZ 999
#define BR__PROTO_PROFILE_S 1.0
/* --profile-callchain dwarf: the user stack bytes copied per sample (the
 * kernel copies what lies between the stack pointer and the stack's top,
 * at most this), and the registers sampled with them (x86-64: the kernel's
 * perf_regs numbering, AX..IP and R8..R15, in that order). */
#define BR__PROTO_USTACK_BYTES 8192
#define BR__PROTO_UREGS 17

/* Check a --counters list ("cycles, page-faults", or "none"): at most
 * BR__PROTO_COUNTERS_MAX names, none empty, too long or listed twice;
 * blanks around a name are ignored.  Calls each(arg, name, len) for every
 * name in order when each is not NULL ("none" calls it for none).  0, or
 * -1 with a one-line reason in err. */
int br__proto_counter_list(const char *list,
                           void (*each)(void *arg, const char *name, size_t len),
                           void *arg, char *err, size_t errlen);

#endif
