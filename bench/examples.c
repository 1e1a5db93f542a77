/* SPDX-License-Identifier: MIT */
/* Example benchmarks to copy: a hash over a buffer with byte throughput, a
 * sort over a size sweep with item throughput (its complexity fitted), a
 * sort over two named parameters (size and input order) with a user
 * counter (elements moved per iteration), a shared counter and a queue
 * on 1 and 2 threads, a
 * sort with fresh input for every iteration made outside the clock
 * (batch_setup), a body that skips itself on a CPU without the
 * instruction it needs (with a label and a process count of its own), and
 * an empty body that shows what the loop itself costs. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "benchrun.h"
#include "kernels.h"

/* Setup runs untimed, once per process: it makes the input and states how
 * many bytes one iteration processes. */
static int make_buffer(br_state_t *st)
{
	size_t n = (size_t)br_state_arg(st);
	unsigned char *buf = malloc(n);

	if (!buf)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	br_state_set_user(st, buf);
	br_state_set_bytes_per_iter(st, n);
	return 0;
}

static void free_user(br_state_t *st)
{
	free(br_state_user(st));
}

BR_BENCHMARK(hash, fnv1a, BR_RANGE(64, 65536, 4), .setup = make_buffer,
             .teardown = free_user)
{
	const unsigned char *buf = br_state_user(st);
	size_t n = (size_t)br_state_arg(st);

	BR_ITERATE(st) {
		br_do_not_optimize(kernel_fnv1a(buf, n));
	}
}

struct sort_input {
	int *orig, *work;
	size_t n;
};

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int make_ints(br_state_t *st)
{
	struct sort_input *in = malloc(sizeof *in);
	uint32_t x = 2463534242u;

	if (!in)
		return -1;
	in->n = (size_t)br_state_arg(st);
	in->orig = malloc(in->n * sizeof *in->orig);
	in->work = malloc(in->n * sizeof *in->work);
	if (!in->orig || !in->work)
		return -1;
	for (size_t i = 0; i < in->n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;  /* xorshift32 */
		in->orig[i] = (int)x;
	}
	br_state_set_user(st, in);
	br_state_set_items_per_iter(st, in->n);
	return 0;
}

static void free_ints(br_state_t *st)
{
	struct sort_input *in = br_state_user(st);

	free(in->orig);
	free(in->work);
	free(in);
}

/* Each iteration sorts a fresh copy (sorting sorted data would measure the
 * wrong thing); the copy is part of the cost, as it would be in real use. */
BR_BENCHMARK(sort, qsort, BR_RANGE(16, 4096, 4), .setup = make_ints,
             .teardown = free_ints)
{
	struct sort_input *in = br_state_user(st);

	BR_ITERATE(st) {
		memcpy(in->work, in->orig, in->n * sizeof *in->work);
		qsort(in->work, in->n, sizeof *in->work, cmp_int);
		br_clobber();
	}
}

/* Two named parameters, each combination run and named by both
 * (sort/insertion/n:64/order:sorted): insertion sort is quadratic on random
 * input and linear on sorted input, which the complexity fit of each n
 * sweep (order fixed) shows.  br_state_arg() is the first parameter, n. */
static int make_ordered_ints(br_state_t *st)
{
	struct sort_input *in;

	if (make_ints(st) != 0)
		return -1;
	in = br_state_user(st);
	if (!strcmp(br_state_param_text(st, "order"), "sorted"))
		qsort(in->orig, in->n, sizeof *in->orig, cmp_int);
	return 0;
}

/* Returns how many elements it moved. */
static uint64_t insertion_sort(int *a, size_t n)
{
	uint64_t moves = 0;

	for (size_t i = 1; i < n; i++) {
		int v = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		moves += i - j;
		a[j] = v;
	}
	return moves;
}

BR_BENCHMARK(sort, insertion, BR_PARAMS(BR_PARAM("n", 16, 64, 256, 1024),
                                        BR_PARAM_STRINGS("order", "random", "sorted")),
             .setup = make_ordered_ints, .teardown = free_ints)
{
	struct sort_input *in = br_state_user(st);
	uint64_t moves = 0;

	BR_ITERATE(st) {
		memcpy(in->work, in->orig, in->n * sizeof *in->work);
		moves += insertion_sort(in->work, in->n);
		br_clobber();
	}
	/* A user counter: the moves of this call's iterations, reported per
	 * iteration (and stored, and comparable: --statistic counter:moves). */
	br_state_counter(st, "moves", (double)moves, BR_COUNTER_PER_ITER);
}

/* The copy alone, to subtract from sort/qsort when comparing it with the
 * batched form below. */
BR_BENCHMARK(sort, copy, BR_ARGS(4096), .setup = make_ints, .teardown = free_ints)
{
	struct sort_input *in = br_state_user(st);

	BR_ITERATE(st) {
		memcpy(in->work, in->orig, in->n * sizeof *in->work);
		br_clobber();
	}
}

/* Fresh input for every iteration, made outside the clock: before each
 * call of the body, make_batch lays out n copies of the input (n at most
 * .batch_max, here 256 copies of 16 KiB, in the work buffer), and
 * iteration i sorts copy i. */
static int make_batch(br_state_t *st, uint64_t n)
{
	struct sort_input *in = br_state_user(st);
	int *copies = realloc(in->work, n * in->n * sizeof *copies);

	if (!copies)
		return -1;
	in->work = copies;
	for (uint64_t i = 0; i < n; i++)
		memcpy(copies + i * in->n, in->orig, in->n * sizeof *copies);
	return 0;
}

BR_BENCHMARK(sort, qsort_fresh, BR_ARGS(4096), .setup = make_ints, .teardown = free_ints,
             .batch_setup = make_batch, .batch_max = 256)
{
	struct sort_input *in = br_state_user(st);

	BR_ITERATE_INDEXED(st, i) {
		qsort(in->work + i * in->n, in->n, sizeof *in->work, cmp_int);
		br_clobber();
	}
}

/* A body that needs a CPU feature skips itself where the CPU lacks it (a
 * skip is reported with its reason and is no failure); the label says
 * what ran.  A definition may also set its own .processes,
 * .measure_time, .iterations or .timeout, which replace benchrun's
 * options for it alone: here five processes, whatever --processes says. */
#if defined(__x86_64__)
__attribute__((target("popcnt"))) static int popcount_hw(uint64_t x)
{
	return __builtin_popcountll(x);
}
#endif

static int need_popcnt(br_state_t *st)
{
#if defined(__x86_64__)
	if (__builtin_cpu_supports("popcnt"))
		return 0;
	br_state_skip(st, "this CPU has no POPCNT instruction");
#else
	br_state_skip(st, "POPCNT is an x86-64 instruction");
#endif
	return 0;
}

BR_BENCHMARK(bits, popcnt, .setup = need_popcnt, .processes = 5,
             .label = "x86-64 POPCNT")
{
	uint64_t x = 0x9e3779b97f4a7c15u, sum = 0;

	BR_ITERATE(st) {
#if defined(__x86_64__)
		sum += (uint64_t)popcount_hw(br_black_box(x));
#endif
		x += 0x9e3779b97f4a7c15u;
	}
	br_do_not_optimize(sum);
}

/* Threads: one shared counter incremented by 1 and then 2 threads at once
 * (BR_THREADS), lock-free and under a mutex: time per iteration is the
 * wall time of every thread doing one increment, throughput the sum over
 * the threads, so a counter that scales shows the items per second
 * doubling on 2 threads, and one that contends shows them flat or
 * falling. */
static uint64_t shared_count;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

BR_BENCHMARK(threads, atomic_add, BR_THREADS(1, 2), .items_per_iter = 1)
{
	BR_ITERATE(st) {
		__atomic_fetch_add(&shared_count, 1, __ATOMIC_RELAXED);
	}
}

BR_BENCHMARK(threads, mutex_add, BR_THREADS(1, 2), .items_per_iter = 1)
{
	BR_ITERATE(st) {
		pthread_mutex_lock(&count_lock);
		shared_count++;
		pthread_mutex_unlock(&count_lock);
	}
}

/* A queue shared by the threads, under a mutex: each iteration pushes an
 * item and pops one (so it never fills or runs dry), on 1 and 2 threads. */
#define QUEUE_CAP 1024
static struct {
	pthread_mutex_t lock;
	uint64_t item[QUEUE_CAP];
	size_t head, count;
} queue = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void queue_push(uint64_t v)
{
	pthread_mutex_lock(&queue.lock);
	queue.item[(queue.head + queue.count++) % QUEUE_CAP] = v;
	pthread_mutex_unlock(&queue.lock);
}

static uint64_t queue_pop(void)
{
	uint64_t v;

	pthread_mutex_lock(&queue.lock);
	v = queue.item[queue.head];
	queue.head = (queue.head + 1) % QUEUE_CAP;
	queue.count--;
	pthread_mutex_unlock(&queue.lock);
	return v;
}

BR_BENCHMARK(threads, queue, BR_THREADS(1, 2), .items_per_iter = 1)
{
	uint64_t v = br_state_thread_index(st), sum = 0;

	BR_ITERATE(st) {
		queue_push(v++);
		sum += queue_pop();
	}
	br_do_not_optimize(sum);
}

/* Nothing but the loop: the compiler barrier keeps the loop from being
 * deleted, so this measures the harness's own cost per iteration (one
 * decrement and one branch). */
BR_BENCHMARK(loop, empty)
{
	BR_ITERATE(st) {
		br_clobber();
	}
}

/* Memory per iteration (benchrun --memory): a body that allocates nothing,
 * one that allocates and frees a known number of blocks of a known size
 * (3 blocks, 48 + 64 + 1000 bytes), and one that leaks 24 bytes an
 * iteration (freed in the teardown, outside the loop). */
BR_BENCHMARK(memory, none, BR_ARGS(256), .setup = make_buffer, .teardown = free_user)
{
	const unsigned char *buf = br_state_user(st);
	size_t n = (size_t)br_state_arg(st);

	BR_ITERATE(st) {
		br_do_not_optimize(kernel_fnv1a(buf, n));
	}
}

BR_BENCHMARK(memory, known)
{
	BR_ITERATE(st) {
		char *a = malloc(48), *b = calloc(4, 16), *c = malloc(1000);
		br_do_not_optimize(a);
		br_do_not_optimize(b);
		br_do_not_optimize(c);
		free(c);
		free(b);
		free(a);
	}
}

struct leak { void *p; struct leak *next; };

static void free_leaks(br_state_t *st)
{
	struct leak *l = br_state_user(st);

	while (l) {
		struct leak *next = l->next;
		free(l->p);
		free(l);
		l = next;
	}
	br_state_set_user(st, NULL);
}

BR_BENCHMARK(memory, leak, .teardown = free_leaks)
{
	struct leak *l = br_state_user(st);

	BR_ITERATE(st) {
		struct leak *n = malloc(sizeof *n);  /* 16 bytes */
		n->p = malloc(8);
		n->next = l;
		l = n;
	}
	br_state_set_user(st, l);
}

BR_MAIN()
