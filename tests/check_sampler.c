/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sampler.  The ring-buffer parsing against constructed buffers: call
 * chains with context markers, lost and throttle records, a record that
 * wraps around the end, the depth cap, corrupt records; the stack table and
 * the maps reader on exact inputs.  Live: a profile run in this process
 * (samples in the loop only, chains through br__body_call), then
 * tests/worker_profile --profile as benchrun runs it (the records, their
 * consistency, stacks inside the mapped executable, a failing benchmark),
 * and the same worker with perf_event_open refused by a preloaded shim.
 * When the kernel refuses the sampler itself, the live tests are left out
 * and the program exits 77 (skipped) if nothing else failed. */
#define _GNU_SOURCE
#include "config.h"
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check_main.h"
#include "internal.h"

/* ---- constructed ring buffers ---- */

struct ring {
	unsigned char *base;
	uint64_t size;
	uint64_t tail, head;  /* free-running, as the kernel's */
};

static void ring_init(struct ring *r, uint64_t size, uint64_t start)
{
	r->base = calloc(1, size);
	ck_assert_ptr_nonnull(r->base);
	r->size = size;
	r->tail = r->head = start;
}

static void put(struct ring *r, const void *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		r->base[(r->head + i) % r->size] = ((const unsigned char *)data)[i];
	r->head += len;
}

static void put_u64(struct ring *r, uint64_t v)
{
	put(r, &v, sizeof v);
}

static void put_header(struct ring *r, uint32_t type, size_t size)
{
	struct perf_event_header h = {.type = type, .misc = PERF_RECORD_MISC_USER,
	                              .size = (uint16_t)size};

	put(r, &h, sizeof h);
}

/* A PERF_RECORD_SAMPLE of IP | TID | CALLCHAIN. */
static void put_sample(struct ring *r, uint64_t ip, const uint64_t *chain, uint64_t nr)
{
	put_header(r, PERF_RECORD_SAMPLE, sizeof(struct perf_event_header) + 24 + 8 * nr);
	put_u64(r, ip);
	put_u64(r, (uint64_t)4242 << 32 | 4242);  /* pid, tid */
	put_u64(r, nr);
	for (uint64_t i = 0; i < nr; i++)
		put_u64(r, chain[i]);
}

static void put_lost(struct ring *r, uint64_t lost)
{
	put_header(r, PERF_RECORD_LOST, sizeof(struct perf_event_header) + 16);
	put_u64(r, 7);  /* id */
	put_u64(r, lost);
}

static int parse(struct br__profile *p, const struct ring *r)
{
	return br__profile_parse(p, r->base, r->size, r->tail, r->head);
}

/* Stack i is ips[0..depth) with count. */
static void assert_stack(const struct br__profile *p, size_t i, uint64_t count,
                         const uint64_t *ips, unsigned depth)
{
	ck_assert_uint_lt(i, p->nstacks);
	ck_assert_uint_eq(p->stacks[i].count, count);
	ck_assert_uint_eq(p->stacks[i].depth, depth);
	for (unsigned k = 0; k < depth; k++)
		ck_assert_msg(p->stacks[i].ips[k] == ips[k], "stack %zu frame %u: %#llx, not %#llx",
		              i, k, (unsigned long long)p->stacks[i].ips[k],
		              (unsigned long long)ips[k]);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define USER ((uint64_t)PERF_CONTEXT_USER)

START_TEST(test_parse_markers_and_counts)
{
	const uint64_t a[] = {USER, 0x1000, 0x2000, 0x3000};
	const uint64_t b[] = {USER, 0x1100, 0x2000, 0x3000};
	const uint64_t a_ips[] = {0x1000, 0x2000, 0x3000}, b_ips[] = {0x1100, 0x2000, 0x3000};
	struct br__profile p = {0};
	struct ring r;

	ring_init(&r, 1024, 0);
	put_sample(&r, 0x1000, a, N(a));
	put_sample(&r, 0x1100, b, N(b));
	put_sample(&r, 0x1000, a, N(a));
	ck_assert_int_eq(parse(&p, &r), 0);
	ck_assert_uint_eq(p.samples, 3);
	ck_assert_uint_eq(p.nstacks, 2);
	assert_stack(&p, 0, 2, a_ips, 3);  /* the ip is not repeated */
	assert_stack(&p, 1, 1, b_ips, 3);
	ck_assert_uint_eq(p.lost, 0);
	ck_assert_uint_eq(p.malformed, 0);
	br__profile_free(&p);
	free(r.base);
}
END_TEST

/* A kernel part of the chain is skipped; the user part after it kept. */
START_TEST(test_parse_kernel_context)
{
	const uint64_t c[] = {(uint64_t)PERF_CONTEXT_KERNEL, 0xffffffff81000010ull,
	                      0xffffffff81000020ull, USER, 0x1000, 0x2000};
	const uint64_t ips[] = {0x1000, 0x2000};
	struct br__profile p = {0};
	struct ring r;

	ring_init(&r, 256, 0);
	put_sample(&r, 0x1000, c, N(c));
	ck_assert_int_eq(parse(&p, &r), 0);
	assert_stack(&p, 0, 1, ips, 2);
	br__profile_free(&p);
	free(r.base);
}
END_TEST

/* Lost counts add up; throttles are counted; other records are skipped. */
START_TEST(test_parse_lost_and_others)
{
	const uint64_t a[] = {USER, 0x1000, 0x2000};
	struct br__profile p = {0};
	struct ring r;

	ring_init(&r, 1024, 0);
	put_lost(&r, 17);
	put_sample(&r, 0x1000, a, N(a));
	put_header(&r, PERF_RECORD_THROTTLE, sizeof(struct perf_event_header) + 24);
	for (int i = 0; i < 3; i++)
		put_u64(&r, 0);
	put_header(&r, PERF_RECORD_UNTHROTTLE, sizeof(struct perf_event_header) + 24);
	for (int i = 0; i < 3; i++)
		put_u64(&r, 0);
	put_header(&r, PERF_RECORD_COMM, sizeof(struct perf_event_header) + 16);
	put(&r, "\1\0\0\0\1\0\0\0bench\0\0\0", 16);
	put_lost(&r, 5);
	ck_assert_int_eq(parse(&p, &r), 0);
	ck_assert_uint_eq(p.lost, 22);
	ck_assert_uint_eq(p.throttles, 1);
	ck_assert_uint_eq(p.samples, 1);
	ck_assert_uint_eq(p.nstacks, 1);
	br__profile_free(&p);
	free(r.base);
}
END_TEST

/* Positions run on past the size; a record that starts 16 bytes before the
 * end continues at the start, and the records before and after it are
 * whole.  _i: the sample starts at 16, 8 (only its header before the end)
 * and 0 bytes before the end, the last not wrapping at all. */
START_TEST(test_parse_wrap_around)
{
	static const uint64_t before_end[] = {16, 8, 40};
	const uint64_t a[] = {USER, 0xa1, 0xa2, 0xa3, 0xa4};
	const uint64_t b[] = {USER, 0xb1};
	const uint64_t a_ips[] = {0xa1, 0xa2, 0xa3, 0xa4}, b_ips[] = {0xb1};
	struct br__profile p = {0};
	struct ring r;

	/* b is 8 + 24 + 16 = 48 bytes, before the wrapping sample. */
	ring_init(&r, 256, 3 * 256 - before_end[_i] - 48);
	put_sample(&r, 0xb1, b, N(b));
	ck_assert_uint_eq(r.head % 256, 256 - before_end[_i]);
	put_sample(&r, 0xa1, a, N(a));
	put_lost(&r, 3);
	put_sample(&r, 0xb1, b, N(b));
	ck_assert_int_eq(parse(&p, &r), 0);
	ck_assert_uint_eq(p.samples, 3);
	ck_assert_uint_eq(p.lost, 3);
	ck_assert_uint_eq(p.nstacks, 2);
	assert_stack(&p, 0, 2, b_ips, 1);
	assert_stack(&p, 1, 1, a_ips, 4);
	br__profile_free(&p);
	free(r.base);
}
END_TEST

/* 200 frames are cut to the first BR__STACK_MAX, leaf first. */
START_TEST(test_parse_depth_cap)
{
	uint64_t chain[201], ips[BR__STACK_MAX];
	struct br__profile p = {0};
	struct ring r;

	chain[0] = USER;
	for (unsigned i = 1; i < N(chain); i++)
		chain[i] = 0x400000 + 16 * i;
	for (unsigned i = 0; i < BR__STACK_MAX; i++)
		ips[i] = chain[i + 1];
	ring_init(&r, 4096, 0);
	put_sample(&r, chain[1], chain, N(chain));
	ck_assert_int_eq(parse(&p, &r), 0);
	assert_stack(&p, 0, 1, ips, BR__STACK_MAX);
	br__profile_free(&p);
	free(r.base);
}
END_TEST

/* No chain at all, or only markers: the ip alone.  A value that cannot be a
 * user address ends the chain. */
START_TEST(test_parse_short_chains)
{
	const uint64_t markers[] = {USER};
	const uint64_t garbage[] = {USER, 0x1000, 0x2000, 0xdead000000000000ull, 0x3000};
	const uint64_t ip_only[] = {0x5000}, cut[] = {0x1000, 0x2000};
	struct br__profile p = {0};
	struct ring r;

	ring_init(&r, 1024, 0);
	put_sample(&r, 0x5000, NULL, 0);
	put_sample(&r, 0x5000, markers, N(markers));
	put_sample(&r, 0x1000, garbage, N(garbage));
	ck_assert_int_eq(parse(&p, &r), 0);
	ck_assert_uint_eq(p.nstacks, 2);
	assert_stack(&p, 0, 2, ip_only, 1);
	assert_stack(&p, 1, 1, cut, 2);
	br__profile_free(&p);
	free(r.base);
}
END_TEST

/* A sample whose chain overruns its record is skipped and counted; a header
 * of size 0 (which would loop forever) stops the parse with an error. */
START_TEST(test_parse_corrupt)
{
	const uint64_t a[] = {USER, 0x1000};
	struct br__profile p = {0};
	struct ring r;

	ring_init(&r, 1024, 0);
	put_header(&r, PERF_RECORD_SAMPLE, sizeof(struct perf_event_header) + 24);
	put_u64(&r, 0x1000);
	put_u64(&r, 0);
	put_u64(&r, 50);  /* nr: 50 entries in a record with room for none */
	put_sample(&r, 0x1000, a, N(a));
	ck_assert_int_eq(parse(&p, &r), 0);
	ck_assert_uint_eq(p.malformed, 1);
	ck_assert_uint_eq(p.samples, 1);

	r.tail = r.head;
	put_header(&r, PERF_RECORD_SAMPLE, 0);
	put_sample(&r, 0x1000, a, N(a));
	ck_assert_int_eq(parse(&p, &r), BR_EINVAL_ARG);
	ck_assert_uint_eq(p.samples, 1);
	br__profile_free(&p);
	free(r.base);
}
END_TEST

/* Many distinct stacks (the index grows several times), each seen i % 3 + 1
 * times, some differing only in depth. */
/* A PERF_RECORD_SAMPLE of IP | TID | REGS_USER | STACK_USER: regs are
 * 100 + k, the stack `size` bytes of which `dyn` were copied. */
static void put_ustack(struct ring *r, uint64_t abi, uint64_t size, uint64_t dyn)
{
	size_t rec = sizeof(struct perf_event_header) + 16 + 8 +
	             (abi ? 8 * BR__PROTO_UREGS : 0) + 8 + size + (size ? 8 : 0);

	put_header(r, PERF_RECORD_SAMPLE, rec);
	put_u64(r, 0x401000);
	put_u64(r, (uint64_t)4242 << 32 | 4242);
	put_u64(r, abi);
	for (unsigned k = 0; abi && k < BR__PROTO_UREGS; k++)
		put_u64(r, 100 + k);
	put_u64(r, size);
	for (uint64_t i = 0; i < size; i++) {
		unsigned char b = (unsigned char)(i * 7);
		put(r, &b, 1);
	}
	if (size)
		put_u64(r, dyn);
}

/* --profile-callchain dwarf: each sample kept whole, registers in order,
 * the stack cut to the bytes the kernel really copied (dyn_size); a
 * record without user registers counts as malformed; records wrap. */
START_TEST(test_parse_ustack)
{
	struct br__profile p = {.dwarf = 1};
	struct ring r;

	ring_init(&r, 4096, 4096 - 40);  /* the first record wraps */
	put_ustack(&r, PERF_SAMPLE_REGS_ABI_64, 64, 48);
	put_ustack(&r, PERF_SAMPLE_REGS_ABI_64, 32, 32);
	put_ustack(&r, PERF_SAMPLE_REGS_ABI_NONE, 0, 0);
	ck_assert_int_eq(parse(&p, &r), 0);
	ck_assert_uint_eq(p.nustacks, 2);
	ck_assert_uint_eq(p.samples, 2);
	ck_assert_uint_eq(p.malformed, 1);
	ck_assert_uint_eq(p.nstacks, 0);
	ck_assert_uint_eq(p.ustacks[0].len, 48);
	ck_assert_uint_eq(p.ustacks[1].len, 32);
	ck_assert_uint_eq(p.ustack_bytes, 80);
	for (unsigned k = 0; k < BR__PROTO_UREGS; k++)
		ck_assert_uint_eq(p.ustacks[1].regs[k], 100 + k);
	for (unsigned i = 0; i < 48; i++)
		ck_assert_uint_eq(p.ustacks[0].stack[i], (unsigned char)(i * 7));
	br__profile_free(&p);
	free(r.base);
}
END_TEST

START_TEST(test_profile_table)
{
	struct br__profile p = {0};
	uint64_t ips[3], total = 0;

	for (int round = 0; round < 3; round++)
		for (uint64_t i = 0; i < 5000; i++) {
			ips[0] = i;
			ips[1] = ips[2] = 0x77;
			if ((int)(i % 3) >= round) {
				ck_assert_int_eq(br__profile_add(&p, ips, 1 + (unsigned)(i % 2) * 2), 0);
				total++;
			}
		}
	ck_assert_uint_eq(p.nstacks, 5000);
	ck_assert_uint_eq(p.samples, total);
	for (uint64_t i = 0; i < 5000; i++) {
		ck_assert_uint_eq(p.stacks[i].ips[0], i);
		ck_assert_uint_eq(p.stacks[i].depth, 1 + (i % 2) * 2);
		ck_assert_uint_eq(p.stacks[i].count, i % 3 + 1);
	}
	ck_assert_int_eq(br__profile_add(&p, ips, 0), BR_EINVAL_ARG);
	ck_assert_int_eq(br__profile_add(&p, ips, BR__STACK_MAX + 1), BR_EINVAL_ARG);
	br__profile_free(&p);
}
END_TEST

/* File-backed mappings and [vdso] are kept, paths with spaces whole;
 * anonymous memory, the heap, the stack and [vvar] are not. */
START_TEST(test_maps_read)
{
	static const char text[] =
		"55d5c0a00000-55d5c0a02000 r--p 00000000 fe:01 1311 /opt/b/worker\n"
		"55d5c0a02000-55d5c0a0a000 r-xp 00002000 fe:01 1311 /opt/b/worker\n"
		"55d5c1800000-55d5c1821000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f1e2c000000-7f1e2c021000 rw-p 00000000 00:00 0 \n"
		"7f1e2c400000-7f1e2c428000 r-xp 00028000 fe:01 77   /usr/lib/my lib.so (deleted)\n"
		"7ffd1a5f0000-7ffd1a611000 rw-p 00000000 00:00 0                          [stack]\n"
		"7ffd1a7f3000-7ffd1a7f7000 r--p 00000000 00:00 0                          [vvar]\n"
		"7ffd1a7f7000-7ffd1a7f9000 r-xp 00000000 00:00 0                          [vdso]\n";
	FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
	struct br__maps m = {0};

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(br__maps_read(f, &m), 0);
	fclose(f);
	ck_assert_uint_eq(m.n, 4);
	ck_assert_uint_eq(m.map[1].start, 0x55d5c0a02000ull);
	ck_assert_uint_eq(m.map[1].end, 0x55d5c0a0a000ull);
	ck_assert_uint_eq(m.map[1].offset, 0x2000);
	ck_assert_str_eq(m.map[1].path, "/opt/b/worker");
	ck_assert_str_eq(m.map[2].path, "/usr/lib/my lib.so (deleted)");
	ck_assert_uint_eq(m.map[2].offset, 0x28000);
	ck_assert_str_eq(m.map[3].path, "[vdso]");
	br__maps_free(&m);
}
END_TEST

/* ---- live, in this process ---- */

#if defined(__clang__)
#define KEEP_FN __attribute__((noinline))
#else
#define KEEP_FN __attribute__((noipa))
#endif

/* A leaf with a stack slot, so it has a frame (see tests/worker_profile.c). */
KEEP_FN uint64_t spin_leaf(uint64_t x);
KEEP_FN uint64_t spin_leaf(uint64_t x)
{
	volatile uint64_t in = x;

	x = in;
	for (int i = 0; i < 2000; i++)
		x = br_black_box(x) * 6364136223846793005u + 1;
	return x;
}

BR_BENCHMARK(sampler, spin)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = spin_leaf(x);
	}
	br_do_not_optimize(x);
}

/* Two threads, each in its own leaf: a threaded body's profile must hold
 * the second thread's too. */
KEEP_FN uint64_t spin_other(uint64_t x);
KEEP_FN uint64_t spin_other(uint64_t x)
{
	volatile uint64_t in = x;

	x = in;
	for (int i = 0; i < 2000; i++)
		x = br_black_box(x) * 2862933555777941757u + 3;
	return x;
}

BR_BENCHMARK(sampler, threads, BR_THREADS(2))
{
	uint64_t x = 1;
	int other = br_state_thread_index(st) == 1;

	BR_ITERATE(st) {
		x = other ? spin_other(x) : spin_leaf(x);
	}
	br_do_not_optimize(x);
}

static const struct br__instance *find(const char *name)
{
	const struct br__instance *all;
	int n = br__registry_instances(&all);

	for (int i = 0; i < n; i++)
		if (!strcmp(all[i].name, name))
			return &all[i];
	ck_abort_msg("no instance %s", name);
	return NULL;
}

/* Whether a in [f, f + len). */
/* Sanitizer instrumentation makes functions several times longer, so a
 * return address lies further from its function's start. */
#ifdef BR_SANITIZED
#define FN_SCALE 16
#else
#define FN_SCALE 1
#endif

static int near(uint64_t a, void (*f)(void), uint64_t len)
{
	return a >= (uint64_t)(uintptr_t)f && a - (uint64_t)(uintptr_t)f < len;
}

/* 0.05 s of loop after a 0.5 s warm-up: with the warm-up sampled there
 * would be about 550 samples, with the loop alone about 50.  Chains run
 * leaf, body, br__body_call (a return address right after its call). */
START_TEST(test_live_in_process)
{
	struct br__settings s = {5e8, 1e6, 2, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__sampler smp;
	struct br__run run;
	char why[BR__REASON_MAX];
	uint64_t sum = 0, chained = 0;

	ck_assert_int_eq(br__sampler_open(&smp, 1000, 0, why, sizeof why), 0);
	ck_assert_int_eq(br__run_profile(find("sampler/spin"), &s, 5e7, &smp, &run), 0);
	ck_assert_uint_ge(run.profile_ns, 5e7);  /* the stopping rule */
	ck_assert_uint_gt(run.profile_iters, 0);
	ck_assert_uint_gt(smp.prof.samples, 0);
	ck_assert_uint_lt(smp.prof.samples, 200);
	for (size_t i = 0; i < smp.prof.nstacks; i++) {
		const struct br__stack *st = &smp.prof.stacks[i];
		sum += st->count;
		for (unsigned k = 2; k < st->depth; k++)
			if (near(st->ips[k], (void (*)(void))br__body_call, 96 * FN_SCALE) &&
			    near(st->ips[k - 1], (void (*)(void))br__fn_sampler__spin,
			         256 * FN_SCALE) &&
			    near(st->ips[k - 2], (void (*)(void))spin_leaf, 256 * FN_SCALE)) {
				chained += st->count;
				break;
			}
	}
	ck_assert_uint_eq(sum, smp.prof.samples);
	ck_assert_msg(chained * 2 > smp.prof.samples, "%llu of %llu samples in spin_leaf < "
	              "body < br__body_call", (unsigned long long)chained,
	              (unsigned long long)smp.prof.samples);
	br__run_free(&run);
	br__sampler_close(&smp);
}
END_TEST

/* One inherited event per CPU: samples of both threads, each in its leaf. */
START_TEST(test_live_threads)
{
	struct br__settings s = {5e8, 1e6, 2, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__sampler smp;
	struct br__run run;
	char why[BR__REASON_MAX];
	uint64_t mine = 0, other = 0;

	ck_assert_int_eq(br__sampler_open(&smp, 1000, 1, why, sizeof why), 0);
	ck_assert_uint_ge(smp.n, 1);
	ck_assert_int_eq(br__run_profile(find("sampler/threads/threads:2"), &s, 5e7, &smp, &run),
	                 0);
	for (size_t i = 0; i < smp.prof.nstacks; i++) {
		const struct br__stack *st = &smp.prof.stacks[i];
		if (st->depth && near(st->ips[0], (void (*)(void))spin_leaf, 256 * FN_SCALE))
			mine += st->count;
		if (st->depth && near(st->ips[0], (void (*)(void))spin_other, 256 * FN_SCALE))
			other += st->count;
	}
	ck_assert_msg(mine * 5 > smp.prof.samples && other * 5 > smp.prof.samples,
	              "%llu in the first thread's leaf, %llu in the second's, of %llu",
	              (unsigned long long)mine, (unsigned long long)other,
	              (unsigned long long)smp.prof.samples);
	br__run_free(&run);
	br__sampler_close(&smp);
}
END_TEST

/* ---- the worker, as benchrun runs it ---- */

static char *builddir(void)
{
	const char *env = getenv("TESTS_BUILDDIR");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return strdup(env);
	/* Run by hand: this program sits in tests/ next to the worker. */
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	return strdup(dirname(self));
}

struct outcome {
	int status;     /* exit status, or 128 + signal */
	json_t **rec;   /* the fd-3 lines, parsed */
	size_t n;
};

/* Every line of `in` parsed into o->rec; each must be JSON. */
static void read_records(FILE *in, struct outcome *o)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, in) > 0) {
		json_error_t err;
		json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &err);
		ck_assert_msg(j != NULL, "not JSON: %s: %s", err.text, line);
		o->rec = realloc(o->rec, (o->n + 1) * sizeof *o->rec);
		ck_assert_ptr_nonnull(o->rec);
		o->rec[o->n++] = j;
	}
	free(line);
}

/* Run tests/worker_profile with args (NULL-terminated) and fd 3 on a file,
 * LD_PRELOAD=preload when not NULL; every output line must be JSON. */
static struct outcome run_worker(const char *preload, const char *const *args)
{
	char *dir = builddir(), *prog = check_asprintf("%s/worker_profile", dir);
	const char *argv[32] = {prog, "--jsonl", "--output-fd", "3"};
	struct outcome o = {0};
	FILE *out = tmpfile();
	int status, argc = 4;
	pid_t pid;

	while (*args && argc < 31)
		argv[argc++] = *args++;
	ck_assert_ptr_nonnull(out);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(fileno(out), 3);
		dup2(null, 1);
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fflush(out);
	rewind(out);
	read_records(out, &o);
	fclose(out);
	free(prog);
	free(dir);
	return o;
}

static void outcome_free(struct outcome *o)
{
	for (size_t i = 0; i < o->n; i++)
		json_decref(o->rec[i]);
	free(o->rec);
}

static const char *type_of(const json_t *j)
{
	return json_string_value(json_object_get(j, "type"));
}

static json_int_t int_of(const json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

static const char *str_of(const json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/* The records of type `type` in o, in order, into got (at most max). */
static size_t records(const struct outcome *o, const char *type, json_t **got, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(type_of(o->rec[i]), type) && n < max)
			got[n++] = o->rec[i];
	return n;
}

/* Whether a lies in a mapping of `path` among the map records. */
static int in_file(json_t *const *maps, size_t nmaps, const char *path, json_int_t a)
{
	for (size_t i = 0; i < nmaps; i++)
		if (!strcmp(str_of(maps[i], "path"), path) && a >= int_of(maps[i], "start") &&
		    a < int_of(maps[i], "end"))
			return 1;
	return 0;
}

/* The record sequence (header, profile, stacks, maps, profile_end,
 * footer), every field of them, sums that agree, and samples whose leaf
 * lies in the worker's own mapped executable (the body runs there). */
START_TEST(test_worker_profile)
{
	const char *args[] = {"--profile", "--run", "profile/split", "--warmup-time", "0.02",
	                      "--profile-time", "0.3", NULL};
	struct outcome o = run_worker(NULL, args);
	json_t *stack[4096], *map[512], *prof, *end, *foot;
	size_t nstack, nmap, at = 1;
	json_int_t sum = 0, in_exe = 0;
	char *dir = builddir(), *exe = check_asprintf("%s/worker_profile", dir);
	char real[PATH_MAX];

	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(realpath(exe, real));
	ck_assert_uint_ge(o.n, 4);
	ck_assert_str_eq(type_of(o.rec[0]), "header");
	prof = o.rec[at++];
	ck_assert_str_eq(type_of(prof), "profile");
	ck_assert_str_eq(str_of(prof, "name"), "profile/split");
	ck_assert_msg(!strcmp(str_of(prof, "event"), "cpu-clock") ||
	              !strcmp(str_of(prof, "event"), "cycles"), "event %s",
	              str_of(prof, "event"));
	ck_assert_int_eq(int_of(prof, "freq"), BR__PROTO_PROFILE_HZ);  /* the shared default */
	nstack = records(&o, "stack", stack, 4096);
	nmap = records(&o, "map", map, 512);
	ck_assert_uint_lt(nstack, 4096);
	ck_assert_uint_lt(nmap, 512);
	/* stacks, then maps, then profile_end and the footer */
	for (size_t i = 0; i < nstack; i++)
		ck_assert_ptr_eq(o.rec[at++], stack[i]);
	for (size_t i = 0; i < nmap; i++)
		ck_assert_ptr_eq(o.rec[at++], map[i]);
	ck_assert_uint_eq(o.n, at + 2);
	end = o.rec[at];
	foot = o.rec[at + 1];
	ck_assert_str_eq(type_of(end), "profile_end");
	ck_assert_str_eq(type_of(foot), "footer");
	ck_assert_int_eq(int_of(foot, "benchmarks"), 1);
	ck_assert_int_eq(int_of(foot, "failed"), 0);

	for (size_t i = 0; i < nmap; i++) {
		ck_assert_str_eq(str_of(map[i], "name"), "profile/split");
		ck_assert_int_lt(int_of(map[i], "start"), int_of(map[i], "end"));
		ck_assert_int_ge(int_of(map[i], "offset"), 0);
		ck_assert(str_of(map[i], "path")[0] == '/' ||
		          !strcmp(str_of(map[i], "path"), "[vdso]"));
	}
	for (size_t i = 0; i < nstack; i++) {
		json_t *ips = json_object_get(stack[i], "ips");
		ck_assert_str_eq(str_of(stack[i], "name"), "profile/split");
		ck_assert_int_gt(int_of(stack[i], "count"), 0);
		ck_assert(json_is_array(ips));
		ck_assert_uint_ge(json_array_size(ips), 1);
		ck_assert_uint_le(json_array_size(ips), BR__STACK_MAX);
		for (size_t k = 0; k < json_array_size(ips); k++)
			ck_assert(json_is_integer(json_array_get(ips, k)));
		sum += int_of(stack[i], "count");
		if (in_file(map, nmap, real, json_integer_value(json_array_get(ips, 0))))
			in_exe += int_of(stack[i], "count");
	}
	ck_assert_str_eq(str_of(end, "name"), "profile/split");
	ck_assert_int_gt(int_of(end, "samples"), 0);
	ck_assert_int_eq(int_of(end, "samples"), sum);
	ck_assert_int_eq(int_of(end, "stacks"), (json_int_t)nstack);
	ck_assert_int_ge(int_of(end, "lost"), 0);
	ck_assert_int_gt(int_of(end, "iters"), 0);
	ck_assert_int_ge(int_of(end, "loop_ns"), 3e8);  /* the stopping rule */
	ck_assert_msg(in_exe * 10 >= sum * 9, "%lld of %lld samples in %s", (long long)in_exe,
	              (long long)sum, real);
	outcome_free(&o);
	free(exe);
	free(dir);
}
END_TEST

/* A benchmark that fails ends as in a measured run: an "end" record with
 * its reason, no profile records, exit status 3. */
START_TEST(test_worker_profile_fails)
{
	const char *args[] = {"--profile", "--run", "profile/fail", "--warmup-time", "0.01",
	                      NULL};
	struct outcome o = run_worker(NULL, args);

	ck_assert_int_eq(o.status, 3);
	ck_assert_uint_eq(o.n, 3);
	ck_assert_str_eq(type_of(o.rec[0]), "header");
	ck_assert_str_eq(type_of(o.rec[1]), "end");
	ck_assert_str_eq(str_of(o.rec[1], "name"), "profile/fail");
	ck_assert_str_eq(str_of(o.rec[1], "status"), "failed");
	ck_assert_str_eq(str_of(o.rec[1], "reason"), "deliberate failure");
	ck_assert_str_eq(type_of(o.rec[2]), "footer");
	ck_assert_int_eq(int_of(o.rec[2], "failed"), 1);
	outcome_free(&o);
}
END_TEST

/* perf_event_open refused (the shim): one profile_error per benchmark,
 * naming the sysctl, and no failure: the benchmark body never runs, so
 * profile/fail is not failed either. */
START_TEST(test_worker_refused)
{
	const char *args[] = {"--profile", "--filter", "^profile/", NULL};
	char *dir = builddir(), *shim = check_asprintf("%s/.libs/librefuseperf.so", dir);
	struct outcome o;

	ck_assert_msg(access(shim, R_OK) == 0, "%s: %s", shim, strerror(errno));
	o = run_worker(shim, args);
	ck_assert_int_eq(o.status, 0);
	ck_assert_uint_eq(o.n, 4);
	ck_assert_str_eq(type_of(o.rec[0]), "header");
	for (int i = 1; i <= 2; i++) {
		ck_assert_str_eq(type_of(o.rec[i]), "profile_error");
		ck_assert_ptr_nonnull(strstr(str_of(o.rec[i], "error"), "perf_event_paranoid"));
		ck_assert_ptr_null(strchr(str_of(o.rec[i], "error"), '\n'));
	}
	ck_assert_str_eq(str_of(o.rec[1], "name"), "profile/split");
	ck_assert_str_eq(str_of(o.rec[2], "name"), "profile/fail");
	ck_assert_str_eq(type_of(o.rec[3]), "footer");
	ck_assert_int_eq(int_of(o.rec[3], "benchmarks"), 2);
	ck_assert_int_eq(int_of(o.rec[3], "failed"), 0);
	outcome_free(&o);
	free(shim);
	free(dir);
}
END_TEST

/* Bad profile options are usage errors (exit 2) before anything runs. */
static const char *const bad_options[][4] = {
	{"--profile", "--profile-freq", "0", NULL},
	{"--profile", "--profile-freq", "100001", NULL},
	{"--profile", "--profile-time", "0", NULL},
	{"--profile", "--profile-time", "x", NULL},
	{"--profile", "--list", NULL, NULL},
};

START_TEST(test_worker_bad_options)
{
	struct outcome o = run_worker(NULL, (const char *const *)bad_options[_i]);

	ck_assert_int_eq(o.status, 2);
	outcome_free(&o);
}
END_TEST

static Suite *sampler_suite(int live)
{
	Suite *s = suite_create("sampler");
	TCase *parse = tcase_create("parse"), *options = tcase_create("options");
	TCase *refused = tcase_create("refused"), *tc_live = tcase_create("live");

	tcase_add_test(parse, test_parse_markers_and_counts);
	tcase_add_test(parse, test_parse_kernel_context);
	tcase_add_test(parse, test_parse_lost_and_others);
	tcase_add_loop_test(parse, test_parse_wrap_around, 0, 3);
	tcase_add_test(parse, test_parse_depth_cap);
	tcase_add_test(parse, test_parse_short_chains);
	tcase_add_test(parse, test_parse_corrupt);
	tcase_add_test(parse, test_parse_ustack);
	tcase_add_test(parse, test_profile_table);
	tcase_add_test(parse, test_maps_read);
	suite_add_tcase(s, parse);

	tcase_add_loop_test(options, test_worker_bad_options, 0,
	                    (int)(sizeof bad_options / sizeof bad_options[0]));
	suite_add_tcase(s, options);
	/* The shim refuses whatever the kernel would allow. */
	tcase_add_test(refused, test_worker_refused);
	suite_add_tcase(s, refused);

	/* Each live run samples for 0.05 to 0.3 s after a warm-up. */
	tcase_set_timeout(tc_live, 30);
	if (live) {
		tcase_add_test(tc_live, test_live_in_process);
		tcase_add_test(tc_live, test_live_threads);
		tcase_add_test(tc_live, test_worker_profile);
		tcase_add_test(tc_live, test_worker_profile_fails);
	}
	suite_add_tcase(s, tc_live);
	return s;
}

/* Whether the kernel lets this process sample itself; why not if not. */
static int live_ok(char *why, size_t len)
{
	struct br__sampler smp;

	if (br__sampler_open(&smp, 1000, 0, why, len) != 0)
		return 0;
	br__sampler_close(&smp);
	return 1;
}

int main(void)
{
	char why[BR__REASON_MAX];
	int live = live_ok(why, sizeof why), failed;
	SRunner *sr = srunner_create(sampler_suite(live));

	if (!live)
		fprintf(stderr, "SKIP: live profile tests: %s\n", why);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	/* Automake's code for a skipped test: the live path was not tried. */
	return live ? EXIT_SUCCESS : 77;
}
