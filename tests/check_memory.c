/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for lib/memory.c and --memory's counted calls (lib/loop.c):
 * exact counts per iteration for bodies that allocate known blocks through
 * each allocator function, from one thread and from four; frees that
 * balance; a leak counted at its size; nothing counted outside the loop;
 * realloc counted as documented; and counting off outside its calls. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"
#include "internal.h"

static int set_up_buffer(br_state_t *st)
{
	br_state_set_user(st, malloc(1000));  /* set-up: never counted */
	return br_state_user(st) ? 0 : -1;
}

static void tear_down_buffer(br_state_t *st)
{
	free(br_state_user(st));
}

/* Per iteration: 10 allocations (malloc, calloc, posix_memalign,
 * aligned_alloc, memalign, valloc, strdup, strndup, realloc of NULL,
 * reallocarray of NULL), one reallocation (7 -> 70 bytes), 10 frees;
 * 436 bytes requested, the 70 counted for the reallocation; at most 429
 * live at once (one thread); nothing left.  From one thread and from four:
 * the figures are per iteration of each thread. */
BR_BENCHMARK(mem, each_function, BR_THREADS(1, 4), .setup = set_up_buffer,
             .teardown = tear_down_buffer)
{
	BR_ITERATE(st) {
		void *a = malloc(10), *b = calloc(3, 10), *c = NULL, *d, *e, *f, *r, *q;
		char *g, *h;
		if (posix_memalign(&c, 64, 100) != 0)
			br_state_fail(st, "posix_memalign");
		d = aligned_alloc(64, 128);
		e = memalign(32, 50);
		f = valloc(20);
		g = strdup("hello");
		h = strndup("hello world", 4);
		r = realloc(NULL, 7);
		r = realloc(r, 70);
		q = reallocarray(NULL, 2, 5);
		if (((uintptr_t)c | (uintptr_t)d) % 64 || (uintptr_t)e % 32 ||
		    (uintptr_t)f % 4096 || malloc_usable_size(r) < 70)
			br_state_fail(st, "misaligned or short block");
		/* kept, or the compiler may drop an allocation freed unused */
		br_do_not_optimize(a);
		br_do_not_optimize(b);
		br_do_not_optimize(g);
		br_do_not_optimize(h);
		br_do_not_optimize(q);
		br_do_not_optimize(c);
		br_do_not_optimize(d);
		br_do_not_optimize(e);
		br_do_not_optimize(f);
		br_do_not_optimize(r);
		free(a), free(b), free(c), free(d), free(e), free(f), free(g), free(h);
		free(r), free(q);
	}
}

/* Each of four threads allocates and frees one 16-byte block an
 * iteration: per iteration (of each thread) 1 allocation and 1 free. */
BR_BENCHMARK(mem, threads, BR_THREADS(4))
{
	BR_ITERATE(st) {
		void *p = malloc(16);
		br_do_not_optimize(p);
		free(p);
	}
}

/* 24 bytes left allocated an iteration, chained through their first word
 * and freed in the teardown, outside the loop. */
static void free_chain(br_state_t *st)
{
	void **p = br_state_user(st);

	while (p) {
		void **next = *p;
		free(p);
		p = next;
	}
	br_state_set_user(st, NULL);
}

BR_BENCHMARK(mem, leak, .teardown = free_chain)
{
	void **head = br_state_user(st);

	BR_ITERATE(st) {
		void **p = malloc(24);
		*p = head;
		head = p;
	}
	br_state_set_user(st, head);
}

/* A block grown by realloc each iteration and freed at the end of it:
 * 1 allocation (malloc 8), 3 reallocations (to 16, 32, 64), 1 free;
 * 8 + 16 + 32 + 64 bytes; a reallocation makes the new block before the
 * old one goes, so the peak is 32 + 64. */
BR_BENCHMARK(mem, grow)
{
	BR_ITERATE(st) {
		char *p = malloc(8);
		for (size_t n = 16; n <= 64; n *= 2)
			p = realloc(p, n);
		br_do_not_optimize(p);
		free(p);
	}
}

BR_BENCHMARK(mem, none)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = x * 6364136223846793005u + 1;
		br_do_not_optimize(x);
	}
}

static const struct br__instance *find(const char *name)
{
	const struct br__instance *all;
	int n = br__registry_instances(&all);

	for (int i = 0; i < n; i++)
		if (!strcmp(all[i].name, name))
			return &all[i];
	ck_abort_msg("no benchmark %s", name);
	return NULL;
}

static void measure(const char *name, struct br__run *run)
{
	struct br__settings s = {1e6, 2e6, 5, NULL, BR__PLAN_AUTO, 0, 1, 1};

	ck_assert_int_eq(br__run_measure(find(name), &s, run), 0);
	ck_assert_msg(run->mem.have, "%s: no memory figures", name);
}

START_TEST(test_each_function)
{
	struct br__run run;

	measure(_i ? "mem/each_function/threads:4" : "mem/each_function/threads:1", &run);
	ck_assert_double_eq(run.mem.allocs, 10);
	ck_assert_double_eq(run.mem.reallocs, 1);
	ck_assert_double_eq(run.mem.frees, 10);
	ck_assert_double_eq(run.mem.bytes, 436);
	ck_assert_double_eq(run.mem.leaked, 0);
	if (_i)  /* four threads' blocks live together, as they interleave */
		ck_assert(run.mem.peak >= 429 && run.mem.peak <= 4 * 429);
	else
		ck_assert_double_eq(run.mem.peak, 429);
	ck_assert(run.mem.max_rss > 0);
	br__run_free(&run);
}
END_TEST

START_TEST(test_threads)
{
	struct br__run run;

	measure("mem/threads/threads:4", &run);
	ck_assert_double_eq(run.mem.allocs, 1);
	ck_assert_double_eq(run.mem.frees, 1);
	ck_assert_double_eq(run.mem.bytes, 16);
	ck_assert_double_eq(run.mem.leaked, 0);
	ck_assert(run.mem.peak >= 16 && run.mem.peak <= 64);  /* up to one block a thread */
	br__run_free(&run);
}
END_TEST

START_TEST(test_leak_grow_none)
{
	struct br__run run;

	measure("mem/leak", &run);
	ck_assert_double_eq(run.mem.allocs, 1);
	ck_assert_double_eq(run.mem.frees, 0);
	ck_assert_double_eq(run.mem.leaked, 24);
	br__run_free(&run);
	measure("mem/grow", &run);
	ck_assert_double_eq(run.mem.allocs, 1);
	ck_assert_double_eq(run.mem.reallocs, 3);
	ck_assert_double_eq(run.mem.frees, 1);
	ck_assert_double_eq(run.mem.bytes, 8 + 16 + 32 + 64);
	ck_assert_double_eq(run.mem.leaked, 0);
	ck_assert_double_eq(run.mem.peak, 96);
	br__run_free(&run);
	measure("mem/none", &run);
	ck_assert_double_eq(run.mem.allocs, 0);
	ck_assert_double_eq(run.mem.bytes, 0);
	ck_assert_double_eq(run.mem.peak, 0);
	br__run_free(&run);
}
END_TEST

/* Counting is on only between start and stop; blocks made while counting
 * free and reallocate normally afterwards, and blocks made before count
 * as frees but not as live bytes. */
START_TEST(test_start_stop)
{
	struct br__mem_count c;
	char *before = malloc(100), *during, *grown;

	ck_assert_ptr_nonnull(before);
	br__mem_start();
	during = malloc(40);
	strcpy(during, "kept across the stop");
	free(before);
	br__mem_stop(&c);
	ck_assert_uint_eq(c.allocs, 1);
	ck_assert_uint_eq(c.frees, 1);
	ck_assert_int_eq(c.live, 40);
	ck_assert_uint_eq(malloc_usable_size(during), 40);
	grown = realloc(during, 4000);  /* a counted block, counting off */
	ck_assert_str_eq(grown, "kept across the stop");
	free(grown);
	br__mem_start();
	during = malloc(1);
	br_do_not_optimize(during);
	free(during);
	br__mem_stop(&c);
	ck_assert_uint_eq(c.allocs, 1);
	ck_assert_int_eq(c.live, 0);
	ck_assert_int_eq(c.peak, 1);
	/* off: nothing counted */
	during = malloc(5);
	br_do_not_optimize(during);
	free(during);
	br__mem_start();
	br__mem_stop(&c);
	ck_assert_uint_eq(c.allocs, 0);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	/* A build with AddressSanitizer counts nothing (lib/memory.c). */
	if (!br__mem_supported())
		return 77;
	s = suite_create("memory");
	tc = tcase_create("counts");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_each_function, 0, 2);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_leak_grow_none);
	tcase_add_test(tc, test_start_stop);
	suite_add_tcase(s, tc);
	return check_run_suite(s);
}
