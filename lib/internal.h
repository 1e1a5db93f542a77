/* SPDX-License-Identifier: MIT */
/* Declarations shared between libbenchrun's own files (the br__ names):
 * the benchmark state, the registry's instances, timers, iteration planning,
 * the measured and the profiled run, the sampler and the protocol writer.
 * Not installed. */
#ifndef BENCHRUN_INTERNAL_H
#define BENCHRUN_INTERNAL_H

#include <stdio.h>
#include "benchrun.h"
#include "counting.h"

#define BR__NAME_MAX 256   /* a whole name and its NUL */
#define BR__PART_MAX 112   /* an escaped group or function of a refused name */
#define BR__REASON_MAX 256

/* A message through the hook (benchrun.h): printf-style, one line. */
void br__msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The program's name for the default hook (argv[0]); set by br_main_ex. */
extern const char *br__program;

/* One runnable benchmark: a definition with one of its parameters. */
struct br__instance {
	const br_benchmark_t *def;
	int64_t arg;              /* the (first) parameter's value */
	int has_arg;              /* it has parameters */
	size_t combo;             /* which combination of them (br__axis_value) */
	unsigned nthreads;        /* BR_THREADS: threads running the body; 0
	                           * when not threaded */
	char name[BR__NAME_MAX];  /* group/function[/param] */
	char param[BR__NAME_MAX]; /* "4096" or "n:4096/dist:random"; "" when
	                           * has_arg is 0 */
};

/* The most threads one benchmark may run on. */
#define BR__MAX_THREADS 1024

/* The most instances one definition's parameters may expand to. */
#define BR__MAX_COMBINATIONS 100000

/* The parameter axes of def: its BR_PARAMS, or 1 for BR_ARGS / BR_RANGE,
 * or 0. */
size_t br__axes(const br_benchmark_t *def);

/* The value of axis j in combination `combo` of def's parameters (a string
 * parameter's index, with the string in *text; else *text is NULL).  0, or
 * -1 when j is out of range or memory ran out. */
int br__axis_value(const br_benchmark_t *def, size_t combo, size_t j, int64_t *value,
                   const char **text);

/* The index of def's BR_PARAMS parameter named `name`, or SIZE_MAX. */
size_t br__axis_find(const br_benchmark_t *def, const char *name);

/* The expanded registry, in registration order; built on first use and
 * owned by the library.  Returns the count, or a negative BR_E* code.  A
 * definition whose name breaks br__name_check()'s rule is kept under its
 * name escaped (\xHH per unsafe byte, \\ for a backslash, cut with a
 * ~hash past 100 bytes per part) and fails when run, with the reason: a
 * harness reports it among the failures, the other benchmarks run. */
int br__registry_instances(const struct br__instance **out);

/* The rule for a benchmark name group/function[/param]: group and function
 * non-empty UTF-8 without control characters (C0, DEL, C1) or Unicode
 * noncharacters, the whole at most BR__NAME_MAX - 1 bytes.  0 when the
 * name follows it; else BR_EINVAL_ARG with what is wrong in why[n]
 * (positions counted in bytes from 1). */
int br__name_check(const char *group, const char *name, const char *param,
                   char *why, size_t n);

/* A clock backend.  now_ns() must be monotonic; its epoch is arbitrary. */
struct br__timer {
	const char *name;
	uint64_t (*now_ns)(void);
};

/* What start-up calibration measured of the clock in use. */
struct br__timer_facts {
	const char *clock;
	double read_ns;        /* median cost of one read, ns */
	double resolution_ns;  /* smallest step seen between two reads, ns */
	double getres_ns;      /* what clock_getres() claims, ns (0 if unknown) */
};

/* The clock every measurement uses (default: CLOCK_MONOTONIC_RAW). */
extern const struct br__timer *br__clock;

/* Replace the clock (tests use a scripted one); NULL restores the default. */
void br__timer_use(const struct br__timer *timer);

/* Measure the read cost and resolution of the current clock. */
void br__timer_calibrate(struct br__timer_facts *facts);

/* How samples are sized.  Linear: sample k (1-based) runs k*step_iters
 * iterations.  Flat: every sample runs flat_iters iterations. */
struct br__plan {
	int flat;
	uint64_t step_iters;
	uint64_t flat_iters;
	unsigned samples;
};

/* The fewest samples a slow body is cut down to (see plan.c). */
#define BR__MIN_SLOW_SAMPLES 10

/* Which plan a run must use: chosen from the warm-up's estimate (auto), or
 * imposed by the harness so that every process of one benchmark uses the
 * same estimator (see plan.c). */
enum br__plan_mode { BR__PLAN_AUTO = 0, BR__PLAN_LINEAR, BR__PLAN_FLAT };

/* Plan `samples` samples filling about measure_ns, given the warm-up's
 * estimate of ns per iteration (pure arithmetic); br__plan_make is
 * br__plan_make_mode with BR__PLAN_AUTO. */
void br__plan_make(double est_ns_per_iter, double measure_ns, unsigned samples,
                   struct br__plan *plan);
void br__plan_make_mode(double est_ns_per_iter, double measure_ns, unsigned samples,
                        enum br__plan_mode mode, struct br__plan *plan);

/* Shrink `plan` so that no sample runs more than max_iters iterations
 * (a batched body's inputs are made per call): the ramp's step first,
 * then its samples (never under 2).  Pure. */
void br__plan_cap(struct br__plan *plan, uint64_t max_iters);

/* Iterations per call of a batched body at most (batch_max, or this). */
#define BR__BATCH_MAX 4096

/* Iterations sample k (1-based) runs under `plan`. */
uint64_t br__plan_iters(const struct br__plan *plan, unsigned k);

/* Settings of one measured run. */
struct br__settings {
	double warmup_ns;   /* warm-up budget */
	double measure_ns;  /* measurement budget, all samples together */
	unsigned samples;   /* samples to take */
	struct br__counter_set *counters; /* read around every sample, or NULL */
	enum br__plan_mode plan_mode; /* auto, or imposed by the harness */
	int instructions;   /* the instruction measure (see br__run_measure) */
	uint64_t step_iters; /* with it: sample k runs k * step_iters iterations */
	int memory;         /* count allocations after the samples (lib/memory.c) */
};

/* Memory per iteration (lib/memory.c): what the allocator saw between
 * br__mem_start() and br__mem_stop(), every thread together.  live: bytes
 * allocated since the start and not freed (requested sizes); peak: its
 * highest value. */
struct br__mem_count {
	uint64_t allocs, frees, reallocs, bytes;
	int64_t live, peak;
};
void br__mem_start(void);
void br__mem_stop(struct br__mem_count *out);

/* 0 in a build with AddressSanitizer, whose allocator libbenchrun cannot
 * stand in front of: --memory and --profile-alloc are refused there. */
int br__mem_supported(void);

/* While prof is set (NULL to stop), every counted allocation also adds its
 * call stack (frame pointers, from the allocating function's caller up to
 * the body's call) to prof, weighted by its bytes (lib/memory.c). */
struct br__profile;
void br__mem_profile(struct br__profile *prof);

/* The frame of this thread's running br__body_call, which bounds that walk;
 * NULL outside a body. */
extern __thread void *br__body_frame;

/* A run's memory figures per iteration (of each thread), from two counted
 * calls of n and 2n iterations, so that whatever a call does once cancels;
 * peak from the larger call, max_rss the process's (getrusage). */
struct br__mem_result {
	int have;
	double allocs, bytes, frees, reallocs, leaked, peak, max_rss;
};

/* The instruction measure's link to callgrind (lib/callgrind.c). */
enum { BR__CG_RUNNING, BR__CG_NOT_RUNNING, BR__CG_UNSUPPORTED };

/* BR__CG_RUNNING under Valgrind; BR__CG_UNSUPPORTED when the library was
 * built without valgrind/callgrind.h. */
int br__cg_state(void);

/* Instrumentation on or off (callgrind runs uninstrumented code fast). */
void br__cg_instrument(int on);

/* Collection on (after zeroing the counts) or off. */
void br__cg_collect(int on);

/* Dump the counts collected since the last zero, labelled with the
 * 1-based sample number, and zero them. */
void br__cg_dump(unsigned sample);

struct br__sampler;

/* The state handed to benchmark code (opaque in the public header). */
/* A user counter (br_state_counter) as the run adds it up; its limits
 * are the protocol's (brproto.h). */
struct br__user_counter {
	char name[BR__PROTO_USER_NAME_MAX];
	int kind;              /* BR_COUNTER_* */
	double sum;            /* per-iteration and rate: the sampled calls' totals */
	uint64_t iters, ns;    /* iterations and loop time of those calls */
	double value;          /* BR_COUNTER_VALUE: the last one set */
	int in_call;           /* set during the current body call */
	int have;              /* something to report */
};

struct br__team;

struct br_state {
	const struct br__instance *inst;
	struct br__team *team;        /* BR_THREADS: the call's threads, or NULL */
	unsigned thread_index;        /* which of them this state is */
	void *user;
	uint64_t bytes_per_iter, items_per_iter;
	uint64_t iters;       /* iterations the current call must run */
	uint64_t t0_ns;       /* clock at loop start */
	uint64_t elapsed_ns;  /* loop time of the current call */
	unsigned loops;       /* BR_ITERATE loops run in the current call */
	unsigned stops;       /* of them, those that ran to their end */
	struct br__counter_set *ctr;  /* read around the loop when set */
	struct br__sampler *smp;      /* sampling only inside the loop when set */
	int cg;                       /* callgrind collects only inside the loop */
	struct br__counter_reading c0, c1;  /* before and after the loop */
	int failed, skipped;
	char reason[BR__REASON_MAX];
	char label[BR__REASON_MAX];   /* br_state_set_label's, or "" */
	char param_text[24];          /* br_state_param_text's digits */
	int sampling;                 /* the current call is a sample's */
	uint64_t pause_t0;            /* clock when paused; 0 when running */
	uint64_t paused_ns;           /* paused time in the current call */
	uint64_t pauses;              /* pauses in the current call */
	double manual_ns;             /* br_state_set_iteration_time's sum */
	uint64_t manual_calls;        /* and how many times it was called */
	struct br__user_counter ucount[BR__PROTO_USER_COUNTERS_MAX];
	unsigned nucount;
	int labelled;                 /* br_state_set_label was called */
	int mem;                      /* count allocations in this call's loop */
	struct br__mem_count memc;    /* what it counted */
};

/* Everything one measured run of one instance produced. */
struct br__run {
	const struct br__instance *inst;
	uint64_t bytes_per_iter, items_per_iter;
	uint64_t warmup_iters;
	uint64_t warmup_ns;
	struct br__plan plan;
	uint64_t *iters;  /* per sample, owned */
	uint64_t *ns;     /* per sample, owned */
	unsigned nsamples;
	const struct br__counter_set *counters; /* the events counted, or NULL */
	double *ctr_delta;   /* [k * counters->n + i]: scaled delta of event i in
	                      * sample k; NAN when not counted; owned */
	double *ctr_running; /* same shape: fraction of the sample it ran */
	uint64_t profile_iters;  /* iterations run while sampling (profile runs) */
	uint64_t profile_ns;     /* loop time of those, ns */
	int status;       /* 0 or a BR_E* code (BR_ESKIPPED: skipped) */
	char reason[BR__REASON_MAX];
	char label[BR__REASON_MAX];  /* the definition's or the body's, or "" */
	struct br__user_counter ucount[BR__PROTO_USER_COUNTERS_MAX]; /* as the run ended */
	unsigned nucount;
	uint64_t pauses;          /* br_state_pause calls in the samples */
	uint64_t paused_ns;       /* time they paused, ns */
	struct br__mem_result mem; /* --memory's figures */
};

/* A user counter's figure for the run: per iteration, per second or the
 * value; NAN when it has none. */
double br__user_figure(const struct br__user_counter *u);

/* Set up, warm up, sample and tear down one instance.  Returns 0 or a BR_E*
 * code (also left in run->status with a reason); free with br__run_free. */
int br__run_measure(const struct br__instance *inst, const struct br__settings *s,
                    struct br__run *run);
void br__run_free(struct br__run *run);

/* Every call of a benchmark body goes through this function, never inlined
 * nor turned into a tail call, so that each sampled call chain holds its
 * frame: the harness cuts stacks at the deepest br__body_call frame, so
 * that profiles start at the benchmark function. */
void br__body_call(const struct br__instance *inst, br_state_t *st);

/* ---- Sampled profiles (sampler.c) ---- */

struct perf_event_attr;

/* perf_event_open for this thread on any CPU, close-on-exec, in the group
 * of group_fd (-1: none): the fd, or -1 with errno.  Shared with the
 * counters (counters-pfm.c). */
long br__perf_open(struct perf_event_attr *attr, int group_fd);

/* The number at the start of a /proc or /sys file, or `fallback` when it
 * cannot be read. */
long br__read_long_file(const char *path, long fallback);

/* Frames kept per stack: the kernel's default perf_event_max_stack. */
#define BR__STACK_MAX 127

/* One distinct call chain and how many samples had it. */
struct br__stack {
	uint64_t count;  /* samples (allocations, in an allocation profile) */
	uint64_t bytes;  /* an allocation profile: bytes requested; else 0 */
	uint64_t hash;   /* of the ips, for the index */
	unsigned depth;  /* entries in ips, 1..BR__STACK_MAX */
	uint64_t *ips;   /* leaf first (the sampled ip), then return addresses; owned */
};

/* Samples aggregated by stack.  Zero-initialise before use; free with
 * br__profile_free. */
struct br__profile {
	struct br__stack *stacks;  /* distinct stacks, in the order first seen */
	size_t nstacks, cap;
	uint32_t *slot;            /* open-addressing index: 1 + index in stacks, 0 = free */
	size_t nslots;             /* a power of two, or 0 before the first stack */
	uint64_t samples;          /* PERF_RECORD_SAMPLE records aggregated */
	uint64_t lost;             /* samples the kernel dropped (PERF_RECORD_LOST) */
	uint64_t throttles;        /* PERF_RECORD_THROTTLE records */
	uint64_t malformed;        /* sample records too short for their call chain */
	/* --profile-callchain dwarf: each sample's registers and user stack,
	 * kept whole (they cannot be merged before they are unwound). */
	int dwarf;
	struct br__ustack *ustacks;
	size_t nustacks, capustacks;
	uint64_t ustack_bytes;     /* their stack bytes, all samples */
};

/* One sample's user registers (BR__PROTO_UREGS, perf_regs order) and the
 * stack from its stack pointer up, `len` bytes (owned). */
struct br__ustack {
	uint64_t regs[BR__PROTO_UREGS];
	unsigned char *stack;
	size_t len;
};

/* Count one sample with stack ips[0..depth) (leaf first).  Returns 0,
 * BR_EINVAL_ARG when depth is not 1..BR__STACK_MAX, or BR_ENOMEM_ALLOC
 * (the sample is then not counted). */
int br__profile_add(struct br__profile *prof, const uint64_t *ips, unsigned depth);

/* The same for one allocation of `bytes` bytes (an allocation profile). */
int br__profile_add_bytes(struct br__profile *prof, const uint64_t *ips, unsigned depth,
                          uint64_t bytes);

/* Aggregate the records in bytes [tail, head) of a perf_event ring buffer
 * whose data area is `size` bytes at `base` (positions are free-running
 * byte counts, taken modulo size; records may wrap around the end).  Sample
 * records have the layout of sample_type IP | TID | CALLCHAIN; call-chain
 * context markers are dropped with any kernel part of the chain, a user
 * entry that is no user-space address (2^63 and above) ends it, at most
 * BR__STACK_MAX entries are kept, and a sample with an empty chain counts
 * as its ip alone.  Pure: reads only the buffer.  Returns 0, BR_EINVAL_ARG
 * when a record header is corrupt (the rest is skipped), or
 * BR_ENOMEM_ALLOC. */
int br__profile_parse(struct br__profile *prof, const void *base, uint64_t size,
                      uint64_t tail, uint64_t head);

void br__profile_free(struct br__profile *prof);

/* A sampling perf_event on this thread, opened disabled, with its ring
 * buffer and the profile its records are drained into. */
/* One sampled event and its ring buffer. */
struct br__ring {
	int fd;
	void *ring;            /* control page and data area */
	size_t ring_len;       /* bytes mapped */
	uint64_t data_offset;  /* of the data area in ring, bytes */
	uint64_t data_size;    /* bytes, a power of two */
	uint64_t tail;         /* bytes consumed so far */
};

/* The most CPUs a threaded profile samples on (one ring each). */
#define BR__SAMPLER_RINGS 64

struct br__sampler {
	struct br__ring r[BR__SAMPLER_RINGS];
	unsigned n;            /* rings open: 1 (this thread), or one per CPU */
	const char *event;     /* "cycles" or "cpu-clock" */
	unsigned freq_hz;      /* requested samples per second */
	struct br__profile prof;
};

/* Open hardware cycles, else cpu-clock, sampled at freq_hz with user-space
 * call chains, and map its ring buffer: one event on this thread; or, with
 * `threads` (a BR_THREADS body), one inherited event per CPU, which the
 * threads it starts inherit (the kernel maps no buffer of an inherited
 * event on one task).  Returns 0, or a negated errno with one line saying
 * why (and the fix) in why. */
int br__sampler_open(struct br__sampler *smp, unsigned freq_hz, int threads, char *why,
                     size_t len);

/* The same, sampling with `dwarf` each sample's user registers and stack
 * (--profile-callchain dwarf, for an unwinder) instead of frame-pointer
 * call chains; a processor whose registers it does not know (x86-64 only)
 * gives -EOPNOTSUPP and the reason. */
int br__sampler_open_as(struct br__sampler *smp, unsigned freq_hz, int threads, int dwarf,
                        char *why, size_t len);

/* Start and stop sampling (one ioctl each; br__loop_start/stop call them). */
void br__sampler_enable(struct br__sampler *smp);
void br__sampler_disable(struct br__sampler *smp);

/* Aggregate what the ring holds into smp->prof and release the space.
 * Returns br__profile_parse's code. */
int br__sampler_drain(struct br__sampler *smp);

/* Unmap, close and free the profile. */
void br__sampler_close(struct br__sampler *smp);

/* One file-backed mapping of the process, as /proc/PID/maps shows it. */
struct br__map {
	uint64_t start, end;  /* addresses, end exclusive */
	uint64_t offset;      /* file offset mapped at start, bytes */
	char *path;           /* owned */
};

struct br__maps {
	struct br__map *map;
	size_t n, cap;
};

/* The mappings of a maps file read from `in` whose path starts with '/'
 * (files) or is [vdso]; anonymous ones are left out.  Zero-initialise maps
 * first.  Returns 0 or BR_ENOMEM_ALLOC. */
int br__maps_read(FILE *in, struct br__maps *maps);

/* The same for /proc/self/maps; 0, a negated errno or BR_ENOMEM_ALLOC. */
int br__maps_read_self(struct br__maps *maps);

void br__maps_free(struct br__maps *maps);

/* Profile one instance: untimed setup, the usual warm-up (unsampled), then
 * calls of the body of about 10 ms of loop each, sampled by smp only inside
 * the loop and drained after every call, until profile_ns of loop time is
 * spent; then teardown.  Loop totals go to run->profile_iters and
 * profile_ns.  Returns 0 or a BR_E* code (also in run->status, with a
 * reason); free with br__run_free. */
/* An allocation profile of one instance (worker --profile-alloc): warm up,
 * then one call of up to 1000 iterations (as many as profile_ns of loop
 * allows) with every allocation's stack added to prof, weighted by its
 * bytes.  run->profile_iters and profile_ns say how many and how long. */
int br__run_alloc_profile(const struct br__instance *inst, const struct br__settings *s,
                          double profile_ns, struct br__profile *prof, struct br__run *run);

int br__run_profile(const struct br__instance *inst, const struct br__settings *s,
                    double profile_ns, struct br__sampler *smp, struct br__run *run);

/* Protocol writer: JSON lines on `out` (docs/worker-protocol.md). */
struct br__build {
	const char *compiler, *cflags, *program;
	char build_id[41];  /* hex GNU build id, or "" */
};
void br__write_header(FILE *out, const struct br__build *build,
                      const struct br__timer_facts *facts);
void br__write_listed(FILE *out, const struct br__instance *inst);
void br__write_run(FILE *out, const struct br__run *run);
void br__write_footer(FILE *out, unsigned benchmarks, unsigned failed);

/* One "counter" record per event of `set` (after the header). */
void br__write_counters(FILE *out, const struct br__counter_set *set);

/* A JSON string literal (quotes included) for `s`. */
void br__write_json_string(FILE *out, const char *s);

/* The human summary line of one run, for programs run by hand. */
void br__write_human(FILE *out, const struct br__run *run);

/* The "end" record of a run (status ok, or failed with its reason). */
void br__write_end(FILE *out, const struct br__run *run);

/* The records of one profiled instance: "profile", a "stack" per distinct
 * stack, a "map" per mapping, "profile_end". */
void br__write_profile(FILE *out, const struct br__run *run,
                       const struct br__sampler *smp, const struct br__maps *maps);

/* The same records for any aggregated stacks: `event` names what they
 * count ("allocations" for an allocation profile, whose stacks carry
 * their bytes too). */
void br__write_stacks(FILE *out, const struct br__run *run, const char *event,
                      unsigned freq_hz, const struct br__profile *prof,
                      const struct br__maps *maps);

/* "profile_error": sampling could not be set up for instance `name`. */
void br__write_profile_error(FILE *out, const char *name, const char *why);

/* The human summary line of the profile of instance `name`, or of why there
 * is none (why not NULL; run and smp are then not read). */
void br__write_profile_human(FILE *out, const char *name, const struct br__run *run,
                             const struct br__sampler *smp, const char *why);

#endif
