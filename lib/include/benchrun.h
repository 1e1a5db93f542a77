/* SPDX-License-Identifier: MIT */
/* benchrun: the public interface of libbenchrun, the in-process half of the
 * benchrun microbenchmark harness.  A benchmark program registers functions
 * with BR_BENCHMARK(), runs its measured work inside BR_ITERATE(), and ends
 * with BR_MAIN(); the `benchrun` command drives it as a worker process. */
#ifndef BENCHRUN_H
#define BENCHRUN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BR_VERSION_MAJOR 0
#define BR_VERSION_MINOR 1
#define BR_VERSION_PATCH 0
#define BR_VERSION_STRING "0.1.0"


/* Error codes: 0 is success, failures are negative.  System-call failures are
 * returned as negated errno values, which br_strerror() also understands. */
#define BR_ERRNO_MAP(X)                                                   \
	X(EINVAL_ARG, -1001, "invalid argument")                          \
	X(ENOMEM_ALLOC, -1002, "out of memory")                           \
	X(EUSAGE, -1003, "bad command line")                              \
	X(ENOBENCH, -1004, "no benchmark matches")                        \
	X(ESETUP, -1005, "setup failed")                                  \
	X(ENOITER, -1006, "benchmark body did not run BR_ITERATE")        \
	X(EFAILED, -1007, "benchmark reported failure")                   \
	X(EIO_WRITE, -1008, "cannot write results")                     \
	X(ECOUNTER, -1009, "unknown counter event")                       \
	X(ESKIPPED, -1010, "benchmark skipped")

/* The BR_E* codes, e.g. BR_EINVAL_ARG. */
typedef enum {
#define BR__ERR_ENUM(name, value, text) BR_##name = value,
	BR_ERRNO_MAP(BR__ERR_ENUM)
#undef BR__ERR_ENUM
	BR_E_LAST__ = -1011
} br_errno_t;

/* A static English description of `err` (a BR_E* code or a negated errno). */
const char *br_strerror(int err);

/* The library's version string, e.g. "0.1.0". */
const char *br_version(void);

/* Every message the library has for a person (an option it refuses, a
 * benchmark definition it cannot run, a counter this machine cannot
 * count) goes through one hook, as one line without its newline.  The
 * default hook writes "PROGRAM: line" to stderr.  Set a hook to send them
 * elsewhere (a log, a test); NULL restores the default.  The library
 * prints nothing else on stderr and never exits. */
enum { BR_MSG_WARNING = 1, BR_MSG_ERROR = 2 };
typedef void (*br_message_fn)(int level, const char *line, void *ctx);
void br_set_message_hook(br_message_fn fn, void *ctx);

/* The running state of one benchmark, handed to its function, setup and
 * teardown.  Owned by the library; valid only during the call. */
typedef struct br_state br_state_t;

/* A geometric parameter range: lo, lo*mul, lo*mul^2, ... up to hi inclusive. */
typedef struct br_range {
	int64_t lo, hi, mul;
} br_range_t;

/* One named parameter of a benchmark (BR_PARAMS): integer values, as a
 * list or a geometric range, or strings.  A benchmark runs once for every
 * combination of its parameters' values (their product, the last
 * parameter varying fastest), named group/function/n:4096/dist:random. */
typedef struct br_param {
	const char *name;               /* e.g. "n": not empty, no '/' or ':' */
	const int64_t *values;          /* integer values, or NULL */
	size_t count;                   /* entries in values or strings */
	br_range_t range;               /* geometric values when values and
	                                 * strings are NULL */
	const char *const *strings;     /* string values (not empty, no '/'), or
	                                 * NULL; the body gets each one's index */
} br_param_t;

/* The definition of one benchmark.  Normally written by BR_BENCHMARK(); the
 * library keeps a pointer, so the definition must outlive the program run. */
typedef struct br_benchmark {
	const char *group;                 /* first part of the name */
	const char *name;                  /* second part of the name */
	void (*fn)(br_state_t *st);        /* the measured function */
	int (*setup)(br_state_t *st);      /* optional, untimed; nonzero = failed */
	void (*teardown)(br_state_t *st);  /* optional, untimed */
	const int64_t *arg_list;           /* explicit parameters, or NULL */
	size_t arg_count;                  /* entries in arg_list */
	br_range_t range;                  /* geometric parameters if mul > 1 */
	const br_param_t *params;          /* named parameters (BR_PARAMS), or
	                                    * NULL; not with arg_list or range */
	size_t param_count;                /* entries in params */
	const void *data;                  /* the definition's own data, for
	                                    * table-driven benchmarks (br_state_data) */
	double (*complexity)(double n);    /* a complexity class of its own, a
	                                    * function of the first parameter,
	                                    * fitted beside O(1) .. O(n^3) */
	const char *complexity_name;       /* its name, e.g. "O(n log^2 n)" */
	const unsigned *threads;           /* BR_THREADS: thread counts, or NULL */
	size_t thread_count;               /* entries in threads */
	uint64_t bytes_per_iter;           /* throughput unit; 0 = none */
	uint64_t items_per_iter;           /* throughput unit; 0 = none */
	/* Fresh input for every iteration (criterion's iter_batched): before
	 * each call of the body, untimed, batch_setup(st, n) makes inputs for
	 * the n iterations that call will run (e.g. n shuffled copies, kept
	 * with br_state_set_user); the body takes input i in
	 * BR_ITERATE_INDEXED(st, i); batch_teardown(st, n), untimed, runs after
	 * the call.  Nonzero from batch_setup fails the benchmark.  A call runs
	 * at most batch_max iterations (0: 4096), which bounds the inputs'
	 * memory; the plan shrinks to fit. */
	int (*batch_setup)(br_state_t *st, uint64_t n);
	void (*batch_teardown)(br_state_t *st, uint64_t n);
	uint64_t batch_max;
	/* Settings of this benchmark alone: each one set (nonzero, non-NULL)
	 * replaces benchrun's option of the same name for this benchmark, on
	 * the command line or not (as Google Benchmark's MinTime, Iterations
	 * and Repetitions do). */
	double measure_time;               /* s of samples per process (--measure-time) */
	uint64_t iterations;               /* every sample runs exactly this many
	                                    * iterations: no ramp, and the warm-up is
	                                    * one call of as many (--iterations, the
	                                    * ramp's step, with --measure instructions) */
	unsigned processes;                /* worker processes (rounds) (--processes) */
	double timeout;                    /* s per worker process (--timeout) */
	const char *skip;                  /* not run: reported as skipped, with this
	                                    * reason, and no failure (see br_state_skip) */
	const char *label;                 /* shown beside the results (see
	                                    * br_state_set_label) */
	int manual_time;                   /* the body times itself: every call
	                                    * reports its iterations' times with
	                                    * br_state_set_iteration_time */
	const char *file;                  /* where it was defined */
	int line;
	struct br_benchmark *next__;       /* registry link; the library's */
} br_benchmark_t;

/* Add a benchmark to the program's registry.  Called by BR_BENCHMARK()'s
 * constructor; registration order is the run order.  A name
 * group/name[/param] must be UTF-8 without control characters or Unicode
 * noncharacters, at most 255 bytes in all; one that is not is listed under
 * its name escaped (\xHH per offending byte) and fails when run, with the
 * reason, while the program's other benchmarks run.  So does a definition
 * with an impossible BR_RANGE (low end under 1, multiplier under 2, low
 * above high) or a parameter listed twice, under its unparameterised name;
 * and one whose names another definition took first, as group/name~2.
 * Each is also reported once through the message hook when the program
 * starts.  Parameter lists have no length limit. */
void br_benchmark_register(br_benchmark_t *bench);

/* The current parameter (0 when the benchmark has none; with named
 * parameters, the first one's value). */
int64_t br_state_arg(const br_state_t *st);

/* The value of the named parameter `name` in this run (for a string
 * parameter, the index of its string), or of the i-th (0-based) in
 * BR_PARAMS order.  A name or index the benchmark does not have fails the
 * benchmark saying so and returns 0. */
int64_t br_state_param(br_state_t *st, const char *name);
int64_t br_state_param_at(br_state_t *st, size_t i);

/* The named parameter's value as text: the string of a string parameter,
 * the decimal digits of an integer one ("4096").  Valid while the
 * benchmark runs; NULL (and the benchmark failed) for an unknown name. */
const char *br_state_param_text(br_state_t *st, const char *name);

/* The definition's data pointer (.data), for one function serving many
 * definitions made at run time. */
const void *br_state_data(const br_state_t *st);

/* With BR_THREADS: how many threads run the body in this run, and which of
 * them (0 .. br_state_threads() - 1) is calling; 1 and 0 without. */
unsigned br_state_threads(const br_state_t *st);
unsigned br_state_thread_index(const br_state_t *st);

/* Attach user data (e.g. a buffer made by setup); the library never frees it. */
void br_state_set_user(br_state_t *st, void *user);

/* The pointer set by br_state_set_user(), or NULL. */
void *br_state_user(const br_state_t *st);

/* Set the bytes or items processed per iteration, overriding the definition
 * (useful when they depend on the parameter).  Call from setup or the body. */
void br_state_set_bytes_per_iter(br_state_t *st, uint64_t bytes);
void br_state_set_items_per_iter(br_state_t *st, uint64_t items);

/* Mark the benchmark as failed with a reason (copied); its samples are
 * discarded and the rest of the suite goes on.  The body should return. */
void br_state_fail(br_state_t *st, const char *reason);

/* Stop and restart the clock inside BR_ITERATE, for work of an iteration
 * that must not be timed (Google Benchmark's PauseTiming/ResumeTiming).
 * Each pair reads the clock twice: about 2 clock reads of cost stay in the
 * sample per pair (bench/README.md has the measured figure), so keep the
 * timed part of an iteration well above that, or use .batch_setup, which
 * costs nothing per iteration.  benchrun notes a benchmark whose pauses
 * take more of its loop time than the timed part.  A pause outside
 * BR_ITERATE (where nothing is timed) fails the benchmark, as does one in
 * a threaded body. */
void br_state_pause(br_state_t *st);
void br_state_resume(br_state_t *st);

/* Manual timing (with .manual_time set): the body measures each
 * iteration itself (e.g. the time a device reports) and gives it here, in
 * seconds; a sample's time is the sum the call gave, not the clock's.  A
 * call that gives none, a negative or NaN sum, or 1e9 s or more for one
 * iteration fails the benchmark. */
void br_state_set_iteration_time(br_state_t *st, double seconds);

/* What a user counter's value is (br_state_counter):
 * - BR_COUNTER_VALUE: one figure for the run, reported as it is (e.g. a
 *   compression ratio); the last value set counts;
 * - BR_COUNTER_PER_ITER: a total over the iterations of the body call that
 *   sets it (e.g. cache hits counted in the loop), reported per iteration;
 * - BR_COUNTER_RATE: such a total, reported per second of loop time.
 * The library adds up the sampled calls (warm-up excluded), so the per
 * iteration and per second figures are those of the samples. */
enum { BR_COUNTER_VALUE = 0, BR_COUNTER_PER_ITER = 1, BR_COUNTER_RATE = 2 };

/* Set user counter `name` (up to 63 bytes of printable UTF-8, at most 32
 * counters per benchmark) to `value`, of `kind` (BR_COUNTER_*): from the
 * body, after or inside its loop (per iteration and rate counters), or
 * from setup or teardown (values).  benchrun reports each with an
 * interval over processes, stores it in baselines, and compares it with
 * `--statistic counter:NAME` (a rise counts as a regression, as time
 * does).  A bad name, a 33rd counter or one name set with two kinds fails
 * the benchmark saying so. */
void br_state_counter(br_state_t *st, const char *name, double value, int kind);

/* Skip the benchmark with a reason (copied), e.g. "needs AVX2": from setup
 * or the body (the body should return; in BR_ITERATE, let the loop end).
 * Unlike a failure, a skip is no error: the benchmark is reported as
 * skipped with the reason, and neither the program's exit status nor
 * benchrun's counts it. */
void br_state_skip(br_state_t *st, const char *reason);

/* A label shown beside the results (copied; replaces the definition's),
 * e.g. the input's name or a compression ratio. */
void br_state_set_label(br_state_t *st, const char *label);

/* Used by BR_ITERATE(): start the timed loop and return its iteration count
 * (at least 1), and stop it (returns 0 so the loop ends). */
uint64_t br__loop_start(br_state_t *st);
int br__loop_stop(br_state_t *st);

/* The worker entry point: parses the worker options (see --help), runs the
 * registered benchmarks and returns the process exit status.  `compiler` and
 * `cflags` describe how the benchmark program was built (BR_MAIN passes them). */
int br_main_ex(int argc, char **argv, const char *compiler, const char *cflags);

/* The body of a benchmark: runs the enclosed statement n times, n chosen by
 * the library.  There is no call and no timer read per iteration: the clock
 * is read once before and once after the loop.  Every iteration must run
 * to the loop's end: leaving it early (break, return, goto) fails the
 * benchmark with that reason; to stop, call br_state_fail() and let the
 * loop finish. */
#define BR_ITERATE(st)                                                     \
	for (uint64_t br__n = br__loop_start(st); br__n != 0 || br__loop_stop(st); \
	     br__n--)

/* BR_ITERATE with the iteration's index i, 0 .. n-1 in order: for bodies
 * that take input i of a batch (batch_setup). */
#define BR_ITERATE_INDEXED(st, i)                                           \
	for (uint64_t br__n = br__loop_start(st), i = 0;                    \
	     br__n != 0 || br__loop_stop(st); br__n--, i++)

/* Define and register a benchmark named group/name[/param].  The trailing
 * arguments are designated initialisers of br_benchmark_t (.setup = f,
 * .bytes_per_iter = 64, BR_ARGS(...), BR_RANGE(...)).  The block that follows
 * is the function body; its parameter is `st`. */
#define BR_BENCHMARK(group_, name_, ...)                                    \
	static void br__fn_##group_##__##name_(br_state_t *st);             \
	static br_benchmark_t br__def_##group_##__##name_ = {               \
		.group = #group_, .name = #name_,                           \
		.fn = br__fn_##group_##__##name_,                           \
		.file = __FILE__, .line = __LINE__, __VA_ARGS__};           \
	__attribute__((constructor)) static void                            \
	br__reg_##group_##__##name_(void)                                   \
	{                                                                   \
		br_benchmark_register(&br__def_##group_##__##name_);        \
	}                                                                   \
	static void br__fn_##group_##__##name_(br_state_t *st __attribute__((unused)))

/* An explicit parameter list, e.g. BR_ARGS(16, 256, 4096). */
#define BR_ARGS(...)                                                        \
	.arg_list = (const int64_t[]){__VA_ARGS__},                         \
	.arg_count = sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)

/* A geometric parameter range, e.g. BR_RANGE(64, 65536, 4). */
#define BR_RANGE(lo_, hi_, mul_) .range = {(lo_), (hi_), (mul_)}

/* Named parameters, their product run: e.g.
 *   BR_PARAMS(BR_PARAM("n", 256, 4096), BR_PARAM_STRINGS("dist", "random", "sorted"))
 * gives sort/qsort/n:256/dist:random, .../n:256/dist:sorted, and so on. */
#define BR_PARAMS(...)                                                      \
	.params = (const br_param_t[]){__VA_ARGS__},                        \
	.param_count = sizeof((const br_param_t[]){__VA_ARGS__}) / sizeof(br_param_t)

/* A named parameter with integer values, e.g. BR_PARAM("n", 16, 256). */
#define BR_PARAM(name_, ...)                                                \
	{.name = (name_), .values = (const int64_t[]){__VA_ARGS__},          \
	 .count = sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)}

/* A named parameter over a geometric range, e.g. BR_PARAM_RANGE("n", 64, 65536, 4). */
#define BR_PARAM_RANGE(name_, lo_, hi_, mul_)                               \
	{.name = (name_), .range = {(lo_), (hi_), (mul_)}}

/* A named parameter with string values, e.g. BR_PARAM_STRINGS("dist", "random", "sorted"). */
#define BR_PARAM_STRINGS(name_, ...)                                        \
	{.name = (name_), .strings = (const char *const[]){__VA_ARGS__},     \
	 .count = sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)}

/* Run the body on several threads at once, once for each count listed,
 * e.g. BR_THREADS(1, 2, 4): the run is named .../threads:2.  Every thread
 * runs the whole body (its own locals, the same setup and user data) and
 * its BR_ITERATE loop the same n iterations; the loops start together
 * (the clock starts when the last thread reaches its loop) and a sample's
 * time is the wall time until the last thread has finished.  Time per
 * iteration is then per iteration of every thread at once; throughput
 * (.bytes_per_iter, .items_per_iter: per thread's iteration) is the sum
 * over the threads; user counters add up over the threads; perf_event
 * counters count every thread (inherited events, read once the threads
 * have ended, so thread start and end are in the counts; a kernel that
 * refuses inherited counter groups counts the first thread only); a
 * sampled profile samples every thread (one inherited event per CPU).
 * Not with .batch_setup or
 * .manual_time; br_state_pause fails in a threaded body. */
#define BR_THREADS(...)                                                     \
	.threads = (const unsigned[]){__VA_ARGS__},                          \
	.thread_count = sizeof((const unsigned[]){__VA_ARGS__}) / sizeof(unsigned)

/* BR_BENCHMARK with the group and function given as strings (any UTF-8
 * name, e.g. "lz4-hc" or "level 9"); id_ is a C identifier unique in the
 * file, used for the generated symbols only. */
#define BR_BENCHMARK_NAMED(id_, group_, name_, ...)                          \
	static void br__fn_##id_(br_state_t *st);                           \
	static br_benchmark_t br__def_##id_ = {                             \
		.group = (group_), .name = (name_), .fn = br__fn_##id_,     \
		.file = __FILE__, .line = __LINE__, __VA_ARGS__};           \
	__attribute__((constructor)) static void br__reg_##id_(void)        \
	{                                                                   \
		br_benchmark_register(&br__def_##id_);                      \
	}                                                                   \
	static void br__fn_##id_(br_state_t *st __attribute__((unused)))

#ifndef BR_BUILD_FLAGS
#define BR_BUILD_FLAGS "unknown"
#endif

/* Defines main() for a benchmark program, recording the compiler and, when
 * the build defines BR_BUILD_FLAGS as a string, the flags. */
#define BR_MAIN()                                                           \
	int main(int argc, char **argv)                                     \
	{                                                                   \
		return br_main_ex(argc, argv, "gcc-compatible " __VERSION__, \
		                  BR_BUILD_FLAGS);                          \
	}

/* Optimisation barriers (GCC and Clang).  br_do_not_optimize(x) makes the
 * compiler believe x is read, so the work producing it cannot be deleted;
 * br_black_box(x) returns x through a value the compiler cannot see through,
 * so inputs cannot be constant-folded; br_clobber() makes it believe all
 * memory may have been read and written, so stores cannot be dropped. */
#define br_do_not_optimize(x)                                               \
	do {                                                                \
		__typeof__(x) br__v = (x);                                  \
		__asm__ volatile("" : : "rm"(br__v) : "memory");           \
	} while (0)

#define br_black_box(x)                                                     \
	__extension__({                                                     \
		__typeof__(x) br__v = (x);                                  \
		__asm__ volatile("" : "+rm"(br__v) : : "memory");          \
		br__v;                                                      \
	})

static inline void br_clobber(void)
{
	__asm__ volatile("" : : : "memory");
}

#ifdef __cplusplus
}
#endif

#endif
