/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Counters, both halves.  The arithmetic against known answers: scaling a
 * multiplexed delta, the --counters syntax (lib and harness agree), slopes
 * per iteration, loop-cost subtraction, derived figures and changes.  The
 * measured loop with a scripted backend: exact deltas, two reads per
 * sample and none in warm-up.  And the real libpfm4 -> perf_event -> read
 * path with software events: a body that touches N fresh pages per
 * iteration shows N page faults per iteration, one that sleeps shows
 * context switches.  When the kernel refuses those events the live tests
 * are left out, and the program exits 77 (skipped) if nothing else failed. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "counters.h"

/* ---- the scripted clock and counters backend ---- */

static uint64_t fake_now, fake_events, fake_enabled, fake_running;
static unsigned fake_reads;

static uint64_t scripted_now(void)
{
	return fake_now;
}

static const struct br__timer scripted = {"scripted", scripted_now};

/* "mux" is on the PMU half the time, "full" all the time, "never" not at
 * all; "fake-instructions" plays the instructions role; "bogus" is
 * unknown and "absent" cannot be counted. */
static int fake_open(struct br__counter_set *set)
{
	int unknown = 0;

	for (unsigned i = 0; i < set->n; i++) {
		struct br__counter *c = &set->ev[i];
		if (!strcmp(c->name, "bogus")) {
			c->status = BR__CTR_UNKNOWN;
			strcpy(c->reason, "event not found");
			unknown = 1;
		} else if (!strcmp(c->name, "absent")) {
			c->status = BR__CTR_UNAVAILABLE;
			strcpy(c->reason, "no PMU here: use another machine");
		} else {
			c->status = BR__CTR_COUNTED;
			c->group = 1;
			c->hardware = 1;
			c->role = !strcmp(c->name, "fake-instructions") ? BR__ROLE_INSTRUCTIONS
			                                                 : BR__ROLE_NONE;
		}
	}
	return unknown ? BR_ECOUNTER : 0;
}

static int fake_read(struct br__counter_set *set, struct br__counter_reading *r)
{
	fake_reads++;
	fake_enabled += 1000;
	fake_running += 500;
	for (unsigned i = 0; i < set->n; i++) {
		r->value[i] = fake_events;
		r->enabled_ns[i] = fake_enabled;
		r->running_ns[i] = !strcmp(set->ev[i].name, "mux") ? fake_running
		                   : !strcmp(set->ev[i].name, "never") ? 0 : fake_enabled;
	}
	return 0;
}

static void fake_close(struct br__counter_set *set)
{
	(void)set;
}

static const struct br__counters_backend fake = {"fake", fake_open, fake_read, fake_close,
                                                 NULL};

/* 10 scripted ns and 3 events per iteration. */
BR_BENCHMARK(scripted, three_events)
{
	BR_ITERATE(st) {
		fake_now += 10;
		fake_events += 3;
	}
}

/* ---- live bodies ---- */

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static int map_pages(br_state_t *st)
{
	size_t len = (size_t)br_state_arg(st) * page_size();
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	madvise(p, len, MADV_NOHUGEPAGE);  /* one fault per 4 KiB page, not per 2 MiB */
	br_state_set_user(st, p);
	return 0;
}

static void unmap_pages(br_state_t *st)
{
	munmap(br_state_user(st), (size_t)br_state_arg(st) * page_size());
}

/* MADV_DONTNEED drops the pages, so each write faults in a fresh zero page:
 * exactly N page faults per iteration, all in user mode. */
BR_BENCHMARK(live, touch_pages, BR_ARGS(4, 16), .setup = map_pages,
             .teardown = unmap_pages)
{
	char *p = br_state_user(st);
	size_t n = (size_t)br_state_arg(st), pg = page_size();

	BR_ITERATE(st) {
		madvise(p, n * pg, MADV_DONTNEED);
		for (size_t i = 0; i < n; i++)
			p[i * pg] = 1;
		br_clobber();
	}
}

/* Sleeping gives up the CPU: a context switch per iteration. */
BR_BENCHMARK(live, sleep)
{
	struct timespec ts = {0, 1000};

	BR_ITERATE(st) {
		nanosleep(&ts, NULL);
	}
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

/* ---- lib: pure arithmetic ---- */

START_TEST(test_scale_exact)
{
	double d, r;

	/* Always on the PMU: the raw delta, running 1. */
	ck_assert_int_eq(br__counter_scale(100, 350, 1000, 2000, 1000, 2000, &d, &r), 0);
	ck_assert_double_eq(d, 250);
	ck_assert_double_eq(r, 1);
	/* On the PMU a quarter of the time: 300 x 1000 / 250 = 1200. */
	ck_assert_int_eq(br__counter_scale(0, 300, 0, 1000, 0, 250, &d, &r), 0);
	ck_assert_double_eq(d, 1200);
	ck_assert_double_eq(r, 0.25);
	/* The sample's own fraction, not the cumulative one: 400 counted in
	 * 500 of 1000 ns is 800 (perf stat's cumulative scaling would say
	 * 1400 x 2000 / 1500 - 1000 = 866.7). */
	ck_assert_int_eq(br__counter_scale(1000, 1400, 1000, 2000, 1000, 1500, &d, &r), 0);
	ck_assert_double_eq(d, 800);
	ck_assert_double_eq(r, 0.5);
}
END_TEST

/* An event that never ran, or counts that go backwards, are unknown:
 * NAN, never a zero that would read as a measurement. */
START_TEST(test_scale_unknown)
{
	double d, r;

	ck_assert_int_eq(br__counter_scale(5, 5, 0, 1000, 700, 700, &d, &r), -1);
	ck_assert(isnan(d));
	ck_assert_double_eq(r, 0);
	ck_assert_int_eq(br__counter_scale(9, 5, 0, 1000, 0, 1000, &d, &r), -1);
	ck_assert(isnan(d));
	ck_assert_int_eq(br__counter_scale(1, 5, 1000, 1000, 0, 0, &d, &r), -1);
	ck_assert(isnan(d));
}
END_TEST

/* The same inputs through the worker's parser and the harness's check:
 * accepted or refused alike, with the same words. */
static const struct list_case {
	const char *list;
	unsigned n;          /* names when accepted */
	const char *error;   /* start of the refusal, or NULL */
} list_cases[] = {
	{"cycles,instructions", 2, NULL},
	{" cycles , perf::PAGE-FAULTS ", 2, NULL},
	{"none", 0, NULL},
	{"", 0, "empty list (name events"},
	{"  ", 0, "empty list (name events"},
	{"cycles,,instructions", 0, "empty event name in the list"},
	{"cycles,", 0, "empty event name in the list"},
	{"cycles,instructions,cycles", 0, "'cycles' is listed twice"},
	{"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,A,B,C,D,E,F", 32, NULL},
	{"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,A,B,C,D,E,F,G", 0,
	 "too many events (33; at most 32)"},
};

START_TEST(test_parse_lists)
{
	const struct list_case *c = &list_cases[_i];
	struct br__counter_set set;
	char err[200] = "", herr[200] = "";
	int rc = br__counters_parse(c->list, &set, err, sizeof err);
	int hrc = br__proto_counter_list(c->list, NULL, NULL, herr, sizeof herr);

	if (!c->error) {
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(hrc, 0);
		ck_assert_uint_eq(set.n, c->n);
		for (unsigned i = 0; i < set.n; i++) {
			ck_assert(set.ev[i].requested);
			ck_assert(isnan(set.ev[i].loop_per_iter));
			ck_assert_ptr_null(strchr(set.ev[i].name, ' '));
		}
	} else {
		ck_assert_int_eq(rc, BR_EUSAGE);
		ck_assert_int_eq(hrc, -1);
		ck_assert_msg(!strncmp(err, c->error, strlen(c->error)), "lib: %s", err);
		ck_assert_str_eq(err, herr);
	}
}
END_TEST

/* Absurd lists: thousands of names, or one enormous name, get one line. */
START_TEST(test_parse_absurd)
{
	size_t len = 200000;
	char *list = malloc(len + 1), err[200], herr[200];
	struct br__counter_set set;

	ck_assert_ptr_nonnull(list);
	for (size_t i = 0; i < len; i += 2)
		memcpy(list + i, "x,", 2);
	list[len - 1] = '\0';
	ck_assert_int_eq(br__counters_parse(list, &set, err, sizeof err), BR_EUSAGE);
	ck_assert_str_eq(err, "too many events (100000; at most 32)");
	ck_assert_int_eq(br__proto_counter_list(list, NULL, NULL, herr, sizeof herr), -1);
	ck_assert_str_eq(herr, err);
	memset(list, 'y', len);
	list[len] = '\0';
	ck_assert_int_eq(br__counters_parse(list, &set, err, sizeof err), BR_EUSAGE);
	ck_assert_str_eq(err, "event name too long (200000 characters; at most 127)");
	ck_assert_int_eq(br__proto_counter_list(list, NULL, NULL, herr, sizeof herr), -1);
	ck_assert_str_eq(herr, err);
	free(list);
}
END_TEST

START_TEST(test_slope)
{
	uint64_t it[5] = {10, 20, 30, 40, 50}, flat[3] = {8, 8, 8};
	/* y = 7 + 3 x, one sample disturbed (+500) and one unknown (NAN):
	 * the Theil-Sen slope over the rest is 3 exactly. */
	double y[5] = {37, 67, 97 + 500, 127, NAN}, fy[3] = {16, 24, 40};
	double all_nan[2] = {NAN, NAN};

	ck_assert_double_eq(br__counter_slope(it, y, 5, 1), 3);
	/* Flat: the median of y / iters = median(2, 3, 5). */
	ck_assert_double_eq(br__counter_slope(flat, fy, 3, 1), 3);
	ck_assert(isnan(br__counter_slope(it, all_nan, 2, 1)));
}
END_TEST

START_TEST(test_default_set)
{
	struct br__counter_set set;

	br__counters_default(&set);
	ck_assert(set.is_default);
	ck_assert_uint_eq(set.n, 6);
	ck_assert_str_eq(set.ev[0].name, "cycles");
	ck_assert_str_eq(set.ev[4].name, "page-faults");
	for (unsigned i = 0; i < set.n; i++)
		ck_assert(!set.ev[i].requested);
}
END_TEST

/* ---- lib: the measured loop with the scripted backend ---- */

static void use_fakes(void)
{
	fake_now = 12345;
	fake_events = fake_enabled = fake_running = 0;
	fake_reads = 0;
	br__timer_use(&scripted);
	br__counters_use(&fake);
}

/* The loop-cost run needs a real clock: nothing in an empty loop would
 * move the scripted one. */
static void use_fake_counters(void)
{
	fake_reads = 0;
	br__counters_use(&fake);
}

static void restore(void)
{
	br__timer_use(NULL);
	br__counters_use(NULL);
}

/* check_loop's plan (warm-up 1000 ns at 10 ns/iter, ramp of 10 samples,
 * step 1818): each sample's delta is known exactly. */
START_TEST(test_loop_reads_around_samples)
{
	struct br__settings s = {1000, 1e6, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__counter_set set;
	struct br__run run;
	char err[100];

	ck_assert_int_eq(br__counters_parse("mux,full,never", &set, err, sizeof err), 0);
	ck_assert_int_eq(br__counters_open(&set), 0);
	ck_assert_uint_eq(set.ncounted, 3);
	s.counters = &set;
	ck_assert_int_eq(br__run_measure(find("scripted/three_events"), &s, &run), 0);
	ck_assert_uint_eq(run.nsamples, 10);
	/* Two reads per sample; none per iteration, none in warm-up. */
	ck_assert_uint_eq(fake_reads, 2 * run.nsamples);
	for (unsigned k = 0; k < run.nsamples; k++) {
		ck_assert_uint_eq(run.iters[k], 1818u * (k + 1));
		ck_assert_uint_eq(run.ns[k], 10 * run.iters[k]);
		/* Half the time on the PMU: scaled to twice the raw 3 per iter. */
		ck_assert_double_eq(run.ctr_delta[k * 3 + 0], 6.0 * run.iters[k]);
		ck_assert_double_eq(run.ctr_running[k * 3 + 0], 0.5);
		ck_assert_double_eq(run.ctr_delta[k * 3 + 1], 3.0 * run.iters[k]);
		ck_assert_double_eq(run.ctr_running[k * 3 + 1], 1);
		ck_assert(isnan(run.ctr_delta[k * 3 + 2]));
		ck_assert_double_eq(run.ctr_running[k * 3 + 2], 0);
	}
	ck_assert_double_eq(br__counter_slope(run.iters, run.ctr_delta + 1, run.nsamples, 3), 3);
	br__run_free(&run);
	br__counters_close(&set);
}
END_TEST

/* The sample records: a number per counted event, null for one that never
 * ran, nothing for one not counted; and a counter record for each. */
START_TEST(test_writer_records)
{
	struct br__settings s = {1000, 1e5, 3, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__counter_set set;
	struct br__run run;
	char err[100], *buf = NULL;
	size_t len;
	FILE *f;

	ck_assert_int_eq(br__counters_parse("full,never,absent", &set, err, sizeof err), 0);
	ck_assert_int_eq(br__counters_open(&set), 0);
	s.counters = &set;
	ck_assert_int_eq(br__run_measure(find("scripted/three_events"), &s, &run), 0);
	f = open_memstream(&buf, &len);
	br__write_counters(f, &set);
	br__write_run(f, &run);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "{\"type\":\"counter\",\"name\":\"full\",\"status\":"
	                                  "\"counted\",\"requested\":true,\"kind\":\"hardware\","
	                                  "\"group\":1,\"kernel\":false}\n"));
	ck_assert_ptr_nonnull(strstr(buf, "{\"type\":\"counter\",\"name\":\"absent\",\"status\":"
	                                  "\"unavailable\",\"requested\":true,\"kind\":"
	                                  "\"software\",\"reason\":\"no PMU here: use "
	                                  "another machine\"}\n"));
	ck_assert_ptr_nonnull(strstr(buf, ",\"counters\":{\"full\":{\"delta\":"));
	ck_assert_ptr_nonnull(strstr(buf, "\"never\":{\"delta\":null,\"running\":0}}}\n"));
	ck_assert_ptr_null(strstr(buf, "\"absent\":{"));
	free(buf);
	br__run_free(&run);
	br__counters_close(&set);
}
END_TEST

START_TEST(test_unknown_name)
{
	struct br__counter_set set;
	char err[100];

	ck_assert_int_eq(br__counters_parse("full,bogus", &set, err, sizeof err), 0);
	ck_assert_int_eq(br__counters_open(&set), BR_ECOUNTER);
	ck_assert_int_eq(set.ev[1].status, BR__CTR_UNKNOWN);
	ck_assert_str_eq(set.ev[1].reason, "event not found");
}
END_TEST

/* The loop's own count is measured for the instructions role only; the
 * scripted event does not move in an empty loop, so it measures 0. */
START_TEST(test_loop_calibration)
{
	struct br__counter_set set;
	char err[100];

	ck_assert_int_eq(br__counters_parse("full,fake-instructions", &set, err, sizeof err), 0);
	ck_assert_int_eq(br__counters_open(&set), 0);
	br__counters_calibrate_loop(&set);
	ck_assert(isnan(set.ev[0].loop_per_iter));
	ck_assert_double_eq(set.ev[1].loop_per_iter, 0);
	ck_assert_uint_gt(fake_reads, 0);
	br__counters_close(&set);
}
END_TEST

/* The worker end to end with the scripted backend: the loop's count is
 * measured before the counter records are written, so they carry it. */
START_TEST(test_worker_records_loop_cost)
{
	char path[] = "/tmp/check_counters.XXXXXX", fdarg[16], *buf;
	char *argv[] = {"worker", "--jsonl", "--output-fd", fdarg, "--run",
	                "scripted/three_events", "--counters", "full,fake-instructions",
	                "--warmup-time", "0.001", "--measure-time", "0.002", "--samples", "3",
	                NULL};
	int fd = mkstemp(path);
	FILE *f;
	long len;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	snprintf(fdarg, sizeof fdarg, "%d", fd);
	ck_assert_int_eq(br_main_ex(14, argv, "cc", ""), 0);
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_msg(strstr(buf, "\"name\":\"fake-instructions\",\"status\":\"counted\"") &&
	              strstr(buf, "\"group\":1,\"kernel\":false,\"loop_per_iter\":0}\n"),
	              "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "\"counters\":{\"full\":{\"delta\":"));
	free(buf);
}
END_TEST

/* ---- harness: pure arithmetic ---- */

static struct counter_result counter(const char *name, const char *role, int counted,
                                     double per_iter)
{
	return (struct counter_result){.name = (char *)name, .role = (char *)role,
	                               .counted = counted, .loop_per_iter = NAN,
	                               .raw_per_iter = per_iter, .per_iter = per_iter};
}

START_TEST(test_net_and_ratio)
{
	ck_assert_double_eq(counters_net(1002.5, 2.5), 1000);
	ck_assert_double_eq(counters_net(7, NAN), 7);
	ck_assert_double_eq(counters_ratio(3000, 1500, 1), 2);
	ck_assert_double_eq(counters_ratio(4, 2000, 1000), 2);
	ck_assert(isnan(counters_ratio(4, 0, 1000)));
	ck_assert(isnan(counters_ratio(NAN, 1, 1)));
	ck_assert(isnan(counters_ratio(1, NAN, 1)));
}
END_TEST

/* Two processes, ramps of 5 samples: process slopes 4 and 6 events/iter
 * (one disturbed sample in the first), so 5 per iteration; a loop cost of
 * 1.5 leaves 3.5 for the body.  Running: mean of 1, 1, 0.5, 0.5. */
START_TEST(test_analyse)
{
	struct sample s[5];
	double d1[10], r1[10], d2[10], r2[10];
	struct proc_run p[2] = {{.samples = s, .nsamples = 5, .ctr_delta = d1,
	                         .ctr_running = r1, .nctr = 2},
	                        {.samples = s, .nsamples = 5, .ctr_delta = d2,
	                         .ctr_running = r2, .nctr = 2}};
	struct counter_result c[2] = {counter("instructions", "instructions", 1, NAN),
	                              counter("absent", NULL, 0, NAN)};
	struct bench_result b = {.procs = p, .nprocs = 2, .counters = c, .ncounters = 2};
	double work[5 * 8 / 2];

	c[0].loop_per_iter = 1.5;
	for (int k = 0; k < 5; k++) {
		s[k] = (struct sample){100 * (uint64_t)(k + 1), 1.0};
		d1[2 * k] = 4.0 * s[k].iters + 30 + (k == 2 ? 900 : 0);
		d2[2 * k] = 6.0 * s[k].iters + 10;
		r1[2 * k] = 1;
		r2[2 * k] = 0.5;
		d1[2 * k + 1] = d2[2 * k + 1] = NAN;
		r1[2 * k + 1] = r2[2 * k + 1] = 0;
	}
	ck_assert_double_eq(counters_proc_per_iter(&p[0], 0, work), 4);
	ck_assert(isnan(counters_proc_per_iter(&p[0], 1, work)));
	ck_assert_int_eq(counters_analyse(&b), 0);
	ck_assert_double_eq(c[0].raw_per_iter, 5);
	ck_assert_double_eq(c[0].per_iter, 3.5);
	ck_assert_double_eq(c[0].running, 0.75);
	ck_assert_uint_eq(c[0].nprocs, 2);
	ck_assert(isnan(c[1].per_iter));
	ck_assert_uint_eq(c[1].nprocs, 0);
	/* No columns (a baseline read without samples): estimates kept. */
	p[0].ctr_delta = p[1].ctr_delta = NULL;
	c[0].per_iter = 42;
	ck_assert_int_eq(counters_analyse(&b), 0);
	ck_assert_double_eq(c[0].per_iter, 42);
}
END_TEST

/* IPC and misses per thousand instructions use the raw instructions: the
 * cycles and misses include the loop too. */
START_TEST(test_derive)
{
	struct counter_result c[4] = {counter("cycles", "cycles", 1, 1000),
	                              counter("inst", "instructions", 1, 1998),
	                              counter("branch-misses", "branch-misses", 1, 4),
	                              counter("cache-misses", "cache-misses", 0, NAN)};
	struct bench_result b = {.counters = c, .ncounters = 4};
	struct counter_derived d;

	c[1].raw_per_iter = 2000;
	counters_derive(&b, &d);
	ck_assert_double_eq(d.ipc, 2);
	ck_assert_double_eq(d.branch_mpki, 2);
	ck_assert(isnan(d.cache_mpki));
	b.ncounters = 1;
	counters_derive(&b, &d);
	ck_assert(isnan(d.ipc));
}
END_TEST

START_TEST(test_change)
{
	struct counter_result old[3] = {counter("instructions", NULL, 1, 100),
	                                counter("page-faults", NULL, 1, 0),
	                                counter("cycles", NULL, 0, NAN)};
	struct counter_result cur[5] = {counter("page-faults", NULL, 1, 0),
	                                counter("instructions", NULL, 1, 110),
	                                counter("cycles", NULL, 1, 50),
	                                counter("new-one", NULL, 1, 3),
	                                counter("context-switches", NULL, 1, 0.5)};
	struct bench_result before = {.counters = old, .ncounters = 3};
	struct bench_result after = {.counters = cur, .ncounters = 5};
	struct counter_change ch[5];
	char buf[128];

	ck_assert_uint_eq(counters_change(&before, &after, ch, 5), 5);
	ck_assert_str_eq(ch[0].name, "page-faults");
	ck_assert_double_eq(ch[0].change, 0);
	ck_assert_str_eq(ch[1].name, "instructions");
	ck_assert_double_eq(ch[1].before, 100);
	ck_assert_double_eq(ch[1].after, 110);
	ck_assert_double_eq_tol(ch[1].change, 0.10, 1e-12);
	ck_assert(isnan(ch[2].change));  /* not counted before */
	ck_assert(isnan(ch[3].change));  /* not in the baseline */
	ck_assert(isnan(ch[4].change));
	ck_assert_str_eq(counters_change_format(buf, sizeof buf, ch, 5),
	                 "page-faults +0.0%, instructions +10.0%");
	/* Before 0, now not: no finite relative change. */
	old[1].per_iter = 0;
	cur[0].per_iter = 2;
	counters_change(&before, &after, ch, 1);
	ck_assert(isnan(ch[0].change));
	ck_assert_uint_eq(counters_change(NULL, &after, ch, 2), 2);
	ck_assert(isnan(ch[1].change));
}
END_TEST

START_TEST(test_remap)
{
	struct counter_result from[2] = {counter("a", NULL, 1, 0), counter("b", NULL, 1, 0)};
	struct counter_result to[2] = {counter("b", NULL, 1, 0), counter("c", NULL, 1, 0)};
	struct proc_run p = {.nsamples = 2, .nctr = 2};

	p.ctr_delta = malloc(4 * sizeof *p.ctr_delta);
	p.ctr_running = malloc(4 * sizeof *p.ctr_running);
	memcpy(p.ctr_delta, (double[]){1, 2, 3, 4}, 4 * sizeof(double));
	memcpy(p.ctr_running, (double[]){1, 0.5, 1, 0.25}, 4 * sizeof(double));
	ck_assert_int_eq(counters_remap(&p, from, 2, to, 2), 0);
	ck_assert_double_eq(p.ctr_delta[0], 2);
	ck_assert(isnan(p.ctr_delta[1]));
	ck_assert_double_eq(p.ctr_delta[2], 4);
	ck_assert_double_eq(p.ctr_running[2], 0.25);
	ck_assert_double_eq(p.ctr_running[3], 0);
	free(p.ctr_delta);
	free(p.ctr_running);
}
END_TEST

/* What the results JSON holds reads back the same, unknowns as unknowns. */
START_TEST(test_json_round_trip)
{
	struct sample s[2] = {{10, 1}, {20, 2}};
	double d[2] = {30, NAN}, r[2] = {1, 0};
	struct proc_run p = {.samples = s, .nsamples = 2, .ctr_delta = d, .ctr_running = r,
	                     .nctr = 1};
	struct counter_result c = counter("page-faults", NULL, 1, 1.5);
	struct bench_result b = {.procs = &p, .nprocs = 1, .counters = &c, .ncounters = 1};
	struct bench_result back = {0};
	struct proc_run pb = {.samples = s, .nsamples = 2};
	json_t *bench = json_object(), *proc;
	char err[100];

	c.kind = "software";
	c.nprocs = 1;
	json_object_set_new(bench, "counters", counters_json(&b));
	proc = counters_json_process(&b, &p);
	ck_assert(json_is_null(json_array_get(json_array_get(json_object_get(proc,
	                       "page-faults"), 1), 0)));
	json_t *po = json_pack("{s:o}", "counters", proc);
	ck_assert_int_eq(counters_from_json(bench, &back, err, sizeof err), 0);
	ck_assert_uint_eq(back.ncounters, 1);
	ck_assert_str_eq(back.counters[0].name, "page-faults");
	ck_assert_str_eq(back.counters[0].kind, "software");
	ck_assert(back.counters[0].counted);
	ck_assert_double_eq(back.counters[0].per_iter, 1.5);
	ck_assert(isnan(back.counters[0].loop_per_iter));
	ck_assert_int_eq(counters_process_from_json(po, &back, &pb, err, sizeof err), 0);
	ck_assert_double_eq(pb.ctr_delta[0], 30);
	ck_assert(isnan(pb.ctr_delta[1]));
	ck_assert_double_eq(pb.ctr_running[1], 0);
	free(pb.ctr_delta);
	free(pb.ctr_running);
	counters_free(back.counters, back.ncounters);
	json_decref(bench);
	json_decref(po);
}
END_TEST

/* ---- live: libpfm4 -> perf_event -> read ---- */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* Per-iteration count of `event` in instance `name`, measured for real. */
static double live_per_iter(const char *name, const char *event)
{
	struct br__settings s = {2e6, 3e7, 10, NULL, BR__PLAN_AUTO, 0, 1, 0};
	struct br__counter_set set;
	struct br__run run;
	char err[100];
	double v;

	ck_assert_int_eq(br__counters_parse(event, &set, err, sizeof err), 0);
	ck_assert_int_eq(br__counters_open(&set), 0);
	ck_assert_msg(set.ev[0].status == BR__CTR_COUNTED, "%s", set.ev[0].reason);
	s.counters = &set;
	ck_assert_int_eq(br__run_measure(find(name), &s, &run), 0);
	v = br__counter_slope(run.iters, run.ctr_delta, run.nsamples, 1);
	for (unsigned k = 0; k < run.nsamples; k++)
		ck_assert_double_eq(run.ctr_running[k], 1);  /* software: never multiplexed */
	br__run_free(&run);
	br__counters_close(&set);
	return v;
}

START_TEST(test_live_page_faults)
{
	static const char *const names[] = {"live/touch_pages/4", "live/touch_pages/16"};
	double n = _i == 0 ? 4 : 16, v = live_per_iter(names[_i], "page-faults");

	ck_assert_msg(fabs(v - n) <= 0.1 * n, "%g page faults per iteration, expected %g", v, n);
}
END_TEST

START_TEST(test_live_context_switches)
{
	double v = live_per_iter("live/sleep", "context-switches");

	ck_assert_msg(v >= 0.5 && v <= 2.0, "%g context switches per sleep", v);
}
END_TEST

/* Several software events in one group, read by id; a hardware event
 * either counts or says why not; an unknown name opens nothing. */
START_TEST(test_live_group_and_refusals)
{
	struct br__counter_set set;
	struct br__counter_reading a, b;
	char err[100];
	int fds = open_fds();

	ck_assert_int_eq(br__counters_parse("task-clock,page-faults,cycles,minor-faults", &set,
	                                    err, sizeof err), 0);
	ck_assert_int_eq(br__counters_open(&set), 0);
	ck_assert_int_eq(set.ev[0].status, BR__CTR_COUNTED);
	ck_assert_int_eq(set.ev[0].group, set.ev[1].group);
	ck_assert(!set.ev[0].hardware && set.ev[2].hardware);
	ck_assert_int_eq(set.ev[2].role, BR__ROLE_CYCLES);
	if (set.ev[2].status != BR__CTR_COUNTED)
		ck_assert_msg(strlen(set.ev[2].reason) > 20 && strchr(set.ev[2].reason, ':'),
		              "no reason and fix: %s", set.ev[2].reason);
	ck_assert_int_eq(br__counters_read(&set, &a), 0);
	for (volatile int i = 0; i < 1000000; i++)
		;
	ck_assert_int_eq(br__counters_read(&set, &b), 0);
	ck_assert_uint_gt(b.value[0], a.value[0]);   /* task-clock moved */
	ck_assert_uint_ge(b.value[1], a.value[1]);
	ck_assert_uint_ge(b.enabled_ns[0], a.enabled_ns[0]);
	br__counters_close(&set);
	ck_assert_int_eq(open_fds(), fds);

	ck_assert_int_eq(br__counters_parse("page-faults,no-such-event", &set, err, sizeof err), 0);
	ck_assert_int_eq(br__counters_open(&set), BR_ECOUNTER);
	ck_assert_int_eq(set.ev[1].status, BR__CTR_UNKNOWN);
	ck_assert_str_eq(set.ev[1].reason, "event not found");
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

/* Whether the kernel lets this process count `event`; the reason if not. */
static int live_ok(const char *event, char *why, size_t len)
{
	struct br__counter_set set;
	char err[100];
	int ok;

	br__counters_parse(event, &set, err, sizeof err);
	ok = br__counters_open(&set) == 0 && set.ev[0].status == BR__CTR_COUNTED;
	snprintf(why, len, "%s", set.ev[0].reason);
	br__counters_close(&set);
	return ok;
}

static Suite *counters_suite(int pages, int switches)
{
	Suite *s = suite_create("counters");
	TCase *pure = tcase_create("arithmetic"), *loop = tcase_create("loop");
	TCase *harness = tcase_create("harness"), *live = tcase_create("live");
	TCase *calib = tcase_create("calibration");

	tcase_add_test(pure, test_scale_exact);
	tcase_add_test(pure, test_scale_unknown);
	tcase_add_loop_test(pure, test_parse_lists, 0,
	                    (int)(sizeof list_cases / sizeof list_cases[0]));
	tcase_add_test(pure, test_parse_absurd);
	tcase_add_test(pure, test_slope);
	tcase_add_test(pure, test_default_set);
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(loop, use_fakes, restore);
	tcase_add_test(loop, test_loop_reads_around_samples);
	tcase_add_test(loop, test_writer_records);
	tcase_add_test(loop, test_unknown_name);
	suite_add_tcase(s, loop);
	tcase_add_checked_fixture(calib, use_fake_counters, restore);
	tcase_add_test(calib, test_loop_calibration);
	tcase_add_test(calib, test_worker_records_loop_cost);
	suite_add_tcase(s, calib);

	tcase_add_test(harness, test_net_and_ratio);
	tcase_add_test(harness, test_analyse);
	tcase_add_test(harness, test_derive);
	tcase_add_test(harness, test_change);
	tcase_add_test(harness, test_remap);
	tcase_add_test(harness, test_json_round_trip);
	suite_add_tcase(s, harness);

	/* Each live run measures for about 30 ms. */
	tcase_set_timeout(live, 30);
	if (pages) {
		tcase_add_loop_test(live, test_live_page_faults, 0, 2);
		tcase_add_test(live, test_live_group_and_refusals);
	}
	if (switches)
		tcase_add_test(live, test_live_context_switches);
	suite_add_tcase(s, live);
	return s;
}

int main(void)
{
	char why_pages[BR__COUNTER_REASON_MAX], why_switches[BR__COUNTER_REASON_MAX];
	int pages = live_ok("page-faults", why_pages, sizeof why_pages);
	int switches = live_ok("context-switches", why_switches, sizeof why_switches);
	SRunner *sr = srunner_create(counters_suite(pages, switches));
	int failed;

	if (!pages)
		fprintf(stderr, "SKIP: live page-fault tests: %s\n", why_pages);
	if (!switches)
		fprintf(stderr, "SKIP: live context-switch test: %s\n", why_switches);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	/* Automake's code for a skipped test: the live path was not tried. */
	return pages || switches ? EXIT_SUCCESS : 77;
}
