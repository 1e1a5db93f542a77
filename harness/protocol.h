/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading the worker protocol (docs/worker-protocol.md): JSON lines, parsed
 * with jansson, checked line by line, into plain structs. */
#ifndef BENCHRUN_PROTOCOL_H
#define BENCHRUN_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include "brproto.h"
#include "results.h"
#include "symbols.h"

/* The header a worker writes first: how the program was built and timed. */
struct protocol_header {
	int protocol;
	char *library, *program, *compiler, *cflags, *build_id; /* owned */
	char *clock;                                            /* owned */
	double timer_read_ns, timer_resolution_ns;
};

/* One benchmark in a worker's output: listed only, or measured. */
struct protocol_bench {
	char *name, *group, *function, *param;  /* owned; param may be NULL */
	double bytes_per_iter, items_per_iter;
	struct proc_run run;  /* samples, when measured; owned */
	int measured;         /* a "benchmark" record was seen */
	int ended;            /* its "end" record was seen */
	int failed;           /* "end" said failed or skipped */
	int skipped;          /* "end" said skipped, or the listing "skip" */
	char *reason;         /* owned, when failed or skipped */
	char *label;          /* owned, or NULL */
	struct bench_settings set; /* the listing's "settings" */
	unsigned threads;     /* threads running the body (BR_THREADS); 0 */
	char *complexity_name; /* the listing's "complexity": name, owned */
	double complexity_g;   /* and value */
	struct user_counter *user; /* its "user_counter" records (vals[0] the
	                            * figure); owned */
	size_t nuser;
};

/* A worker's sampled call chain (leaf first) with its count, as a "stack"
 * record gives it. */
struct profile_chain {
	uint64_t *ips;
	size_t n;
	uint64_t count;
	uint64_t bytes;   /* an allocation profile's: bytes requested; else 0 */
};

/* One sample of a profile run with --profile-callchain dwarf ("ustack",
 * protocol 6): the user registers (perf_regs order: AX BX CX DX SI DI BP
 * SP IP R8..R15) and the stack bytes from SP up. */
struct protocol_ustack {
	uint64_t regs[BR__PROTO_UREGS];
	unsigned char *stack;          /* owned */
	size_t len;
};

/* One benchmark's profile run (worker --profile): its "profile" record,
 * "stack" and "map" records and "profile_end"; or a "profile_error" (the
 * kernel refused sampling); or an "end" that says the benchmark failed. */
struct protocol_profile {
	char *name;                    /* owned */
	char *event;                   /* "cycles" or "cpu-clock"; owned, or NULL */
	unsigned freq_hz;              /* requested sampling frequency */
	struct profile_chain *chains;  /* owned */
	size_t nchains;
	struct symbols_map *maps;      /* owned, paths owned */
	size_t nmaps;
	struct protocol_ustack *ustacks; /* owned: a dwarf profile's samples */
	size_t nustacks, capustacks;
	uint64_t samples, lost, iters; /* from "profile_end" */
	double loop_ns;
	int ended;                     /* "profile_end" seen */
	char *error;                   /* the "profile_error", owned, or NULL */
	char *failed;                  /* the failed benchmark's reason, owned, or NULL */
};

/* A worker's whole output. */
struct protocol_doc {
	struct protocol_header hdr;
	struct protocol_bench *benches;  /* owned */
	size_t nbenches;
	int have_footer;
	/* Its "counter" records, in order: the columns of every sample's
	 * counters (ctr_delta in each benchmark's run).  Only the description
	 * fields are set.  Owned. */
	struct counter_result *counters;
	size_t ncounters;
	int counter_unknown;  /* index + 1 of the first "unknown" counter, or 0:
	                       * the worker refused the --counters list */
	struct protocol_profile *profiles;  /* owned, in order */
	size_t nprofiles;
};

/* Parse `len` bytes of protocol output.  Returns 0, or -1 with a one-line
 * reason ("line 3: ...") in err; on error doc holds what was read so far.
 * Free with protocol_doc_free() either way. */
int protocol_parse(const char *buf, size_t len, struct protocol_doc *doc,
                   char *err, size_t errlen);
void protocol_doc_free(struct protocol_doc *doc);

/* The profile of benchmark `name` in doc, or NULL when it has none. */
struct protocol_profile *protocol_profile_find(const struct protocol_doc *doc,
                                               const char *name);
void protocol_profile_free(struct protocol_profile *p);

/* Move the strings of `src` into `dst` (identity, label, settings, and a
 * listing's skip); for the caller that keeps a benchmark past its
 * document. */
void protocol_bench_take_identity(struct protocol_bench *src, struct bench_result *dst);

#endif
