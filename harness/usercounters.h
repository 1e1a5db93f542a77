/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User counters (br_state_counter): the figure each worker process
 * reported for a benchmark, their mean and interval over processes, in
 * the console, the JSON and baselines, and per process for a comparison
 * (--statistic counter:NAME). */
#ifndef BENCHRUN_USERCOUNTERS_H
#define BENCHRUN_USERCOUNTERS_H

#include <jansson.h>
#include <stddef.h>
#include "results.h"

void user_counters_free(struct user_counter *u, size_t n);

/* The memory figures (--memory, lib/memory.c) travel as counters of their
 * own, named with a "mem:" no user counter can have (':' is refused):
 * per iteration (of each thread) allocations, bytes requested, frees,
 * reallocations and bytes left allocated (the leak); the peak of live
 * bytes in the larger counted call; the worker's peak resident set. */
#define USER_MEM_ALLOCS "mem:allocs"
#define USER_MEM_BYTES "mem:bytes"
#define USER_MEM_FREES "mem:frees"
#define USER_MEM_REALLOCS "mem:reallocs"
#define USER_MEM_LEAKED "mem:leaked"
#define USER_MEM_PEAK "mem:peak"
#define USER_MEM_MAX_RSS "mem:max_rss"

/* Nonzero when name is one of the memory figures above. */
int user_counter_is_memory(const char *name);

/* The figure named `name` of the "memory" record's keys ("allocs" ->
 * USER_MEM_ALLOCS), with its kind; NULL for an unknown key. */
const char *user_counter_memory_name(const char *key, int *kind);

/* The mean of b's counter `name` over its processes; NAN when b (which
 * may be NULL) has no such counter. */
double user_counter_mean(const struct bench_result *b, const char *name);

/* How many of b's counters are memory figures (memory) or user counters
 * (!memory). */
size_t user_counters_count(const struct bench_result *b, int memory);

/* Nonzero when name is a user counter's name as the library allows it: 1
 * to BR__PROTO_USER_NAME_MAX - 1 (63) bytes of UTF-8 without ':' or an unsafe character (escape.h), so
 * every report may print it as it is.  Worker records and results
 * documents holding another are refused. */
int user_counter_name_ok(const char *name);

/* Add process b->nprocs - 1's figures (from one worker's records, each
 * with its figure in vals[0]) to b's counters: a counter first seen now is
 * added, with no figure (NAN) for the earlier processes.  0, or -1 when
 * out of memory. */
int user_counters_add_process(struct bench_result *b, const struct user_counter *from,
                              size_t n);

/* Mean and the `conf` t interval of each counter over its processes. */
void user_counters_analyse(struct bench_result *b, double conf);

/* The unit a kind's figure is in: "", "/iter" or "/s". */
const char *user_counter_unit(int kind);

/* "ratio 2.31 [2.30, 2.32], hits 0.97/iter [0.96, 0.98]" for b's user
 * counters into buf, or with `memory` its memory figures ("allocs 3/iter,
 * bytes 1112 B/iter, frees 3/iter, reallocs 0/iter, leaked 0 B/iter, peak
 * 1112 B, max RSS 4.33 MB"); "" when it has none.  An interval is shown
 * where the processes differ.  Returns buf. */
char *user_counters_format(char *buf, size_t len, const struct bench_result *b, int memory);

/* "ratio 2.31 -> 2.45 (+6.1%), hits 0.97/iter" for b's counters against
 * those of `before` (its namesake in the baseline or the old build, or
 * NULL) into buf; "" when b has none.  Returns buf. */
char *user_counters_change_format(char *buf, size_t len, const struct bench_result *before,
                                  const struct bench_result *b, int memory);

/* b's counters as a JSON array (documented in docs/json-schema.md), and
 * back from a results document's benchmark object `o` (absent: none).
 * 0, or -1 with the reason in err. */
json_t *user_counters_json(const struct bench_result *b);
int user_counters_from_json(json_t *o, struct bench_result *b, char *err, size_t errlen);

/* The figures of counter `name` of b's processes that have one, into out
 * (room for b->nprocs), in process order; their count (0 when b has no
 * such counter). */
size_t user_counter_per_process(const struct bench_result *b, const char *name, double *out);

#endif
