/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmarks of benchrun's own hot parts: the analysis of one benchmark's
 * results (two-level bootstrap included), the parsing of a worker's output,
 * the symbolisation of a profile and change points in histories.  Their cost is what `benchrun` adds
 * after measuring. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "analysis.h"
#include "changepoint.h"
#include "benchrun.h"
#include "profile.h"
#include "stats.h"
#include "protocol.h"

/* A synthetic benchmark shaped like the defaults produce: `arg` processes
 * of 30 ramped samples, 50 ns per iteration with a little noise. */
static int make_result(br_state_t *st)
{
	struct bench_result *b = calloc(1, sizeof *b);
	unsigned nprocs = (unsigned)br_state_arg(st);
	uint32_t x = 88172645u;

	if (!b || !(b->procs = calloc(nprocs, sizeof *b->procs)))
		return -1;
	b->name = "synthetic/bench";
	b->nprocs = nprocs;
	for (unsigned p = 0; p < nprocs; p++) {
		struct proc_run *r = &b->procs[p];
		r->nsamples = 30;
		if (!(r->samples = calloc(30, sizeof *r->samples)))
			return -1;
		for (unsigned k = 1; k <= 30; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			r->samples[k - 1].iters = 4300u * k;
			r->samples[k - 1].ns = 50.0 * 4300 * k * (1 + (x % 1000) / 1e5) + 80;
		}
	}
	br_state_set_user(st, b);
	return 0;
}

static void free_result(br_state_t *st)
{
	struct bench_result *b = br_state_user(st);

	for (size_t p = 0; p < b->nprocs; p++)
		free(b->procs[p].samples);
	free(b->procs);
	free(b);
}

/* Default settings: 95 % intervals from 1000 resamples. */
BR_BENCHMARK(analysis, run, BR_ARGS(5), .setup = make_result,
             .teardown = free_result)
{
	const struct bench_result *b = br_state_user(st);
	struct analysis_opts o = {0.95, 1000, 1};
	struct analysis a;

	BR_ITERATE(st) {
		if (analysis_run(b, &o, &a) != 0)
			br_state_fail(st, "analysis_run failed");
		br_do_not_optimize(a.slope.point);
	}
}

/* The output of one worker process at the defaults: header, 30 samples. */
static int make_output(br_state_t *st)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -1;
	len += (size_t)snprintf(buf + len, cap - len,
	        "{\"type\":\"header\",\"protocol\":1,\"library\":\"0.1.0\",\"program\":\"p\","
	        "\"compiler\":\"gcc\",\"cflags\":\"-O2\",\"build_id\":\"ab\",\"pid\":1,"
	        "\"timer\":{\"clock\":\"CLOCK_MONOTONIC_RAW\",\"read_ns\":23.5,"
	        "\"resolution_ns\":1,\"getres_ns\":1}}\n"
	        "{\"type\":\"benchmark\",\"name\":\"g/f/64\",\"group\":\"g\",\"function\":\"f\","
	        "\"param\":\"64\",\"bytes_per_iter\":64,\"items_per_iter\":0,\"warmup_iters\":"
	        "1000,\"warmup_ns\":50000000,\"mode\":\"linear\",\"step_iters\":4300,\"samples\":30}\n");
	for (unsigned k = 1; k <= 30; k++)
		len += (size_t)snprintf(buf + len, cap - len,
		        "{\"type\":\"sample\",\"k\":%u,\"iters\":%u,\"ns\":%u,\"counters\":{}}\n",
		        k, 4300 * k, 215000 * k + 77);
	snprintf(buf + len, cap - len, "{\"type\":\"end\",\"name\":\"g/f/64\",\"status\":\"ok\"}\n"
	         "{\"type\":\"footer\",\"benchmarks\":1,\"failed\":0}\n");
	br_state_set_user(st, buf);
	br_state_set_bytes_per_iter(st, strlen(buf));
	return 0;
}

static void free_output(br_state_t *st)
{
	free(br_state_user(st));
}

BR_BENCHMARK(protocol, parse, .setup = make_output, .teardown = free_output)
{
	const char *buf = br_state_user(st);
	size_t len = strlen(buf);

	BR_ITERATE(st) {
		struct protocol_doc doc;
		char err[128];
		if (protocol_parse(buf, len, &doc, err, sizeof err) != 0)
			br_state_fail(st, err);
		protocol_doc_free(&doc);
	}
}

/* A profile of 10,000 samples as a worker sends it: call chains of 12
 * addresses inside 24 functions of this program and of libc (a few hundred
 * distinct addresses, as real profiles have), and this process's map. */
static int make_profile(br_state_t *st)
{
	static const void *const funcs[] = {
		(void *)analysis_run, (void *)protocol_parse, (void *)protocol_profile_find,
		(void *)profile_cut, (void *)make_result, (void *)free_result,
		(void *)make_output, (void *)free_output, (void *)stats_median,
		(void *)qsort, (void *)memcpy, (void *)strlen, (void *)malloc, (void *)free,
		(void *)snprintf, (void *)strtod, (void *)memchr, (void *)strcmp,
		(void *)calloc, (void *)realloc, (void *)fopen, (void *)fclose,
		(void *)getenv, (void *)atoi,
	};
	struct protocol_profile *raw = calloc(1, sizeof *raw);
	uint32_t x = 2463534242u;
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!raw || !f || !(raw->chains = calloc(10000, sizeof *raw->chains)))
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long long start, end, off;
		char path[4096] = "";
		struct symbols_map *m;
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095s", &start, &end, &off, path) < 3 ||
		    path[0] != '/' || !(m = realloc(raw->maps, (raw->nmaps + 1) * sizeof *m)))
			continue;
		raw->maps = m;
		raw->maps[raw->nmaps++] = (struct symbols_map){start, end, off, strdup(path)};
	}
	fclose(f);
	for (size_t i = 0; i < 10000; i++) {
		struct profile_chain *c = &raw->chains[raw->nchains++];
		c->n = 12;
		c->count = 1;
		if (!(c->ips = calloc(c->n, sizeof *c->ips)))
			return -1;
		for (size_t k = 0; k < c->n; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			c->ips[k] = (uint64_t)(uintptr_t)funcs[x % 24] + 1 + (x >> 8) % 24;
		}
	}
	br_state_set_user(st, raw);
	br_state_set_items_per_iter(st, 10000);
	return 0;
}

static void free_profile(br_state_t *st)
{
	struct protocol_profile *raw = br_state_user(st);

	protocol_profile_free(raw);
	free(raw);
}

/* Symbolising 10,000 samples from scratch: libdwfl set up from the map,
 * every distinct address resolved once, the stacks merged. */
BR_BENCHMARK(profile, symbolise_10000, .setup = make_profile, .teardown = free_profile)
{
	struct protocol_profile *raw = br_state_user(st);

	BR_ITERATE(st) {
		struct flame_profile out = {0};
		char err[256];
		if (profile_symbolise(raw, &out, err, sizeof err) != 0)
			br_state_fail(st, err);
		br_do_not_optimize(out.total);
		flame_free(&out);
	}
}

#define CP_SERIES 100
#define CP_POINTS 500

/* 100 histories of 500 points, noise N(0, 1) about 100: the odd ones with
 * a +5 % step at a seeded point in [100, 400), the even ones flat. */
static int make_histories(br_state_t *st)
{
	double *x = malloc(CP_SERIES * CP_POINTS * sizeof *x);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (!x || !r)
		return -1;
	gsl_rng_set(r, 42);
	for (size_t j = 0; j < CP_SERIES; j++) {
		size_t at = 100 + gsl_rng_uniform_int(r, 300);
		for (size_t i = 0; i < CP_POINTS; i++)
			x[j * CP_POINTS + i] = (j % 2 && i >= at ? 105 : 100)
			                       + gsl_ran_gaussian(r, 1);
	}
	gsl_rng_free(r);
	br_state_set_user(st, x);
	br_state_set_items_per_iter(st, CP_SERIES);
	return 0;
}

static void free_histories(br_state_t *st)
{
	free(br_state_user(st));
}

/* E-Divisive at the defaults (199 permutations, significance 0.01,
 * segments of 5) over every history. */
BR_BENCHMARK(changepoint, detect_100x500, .setup = make_histories, .teardown = free_histories)
{
	const double *x = br_state_user(st);

	BR_ITERATE(st) {
		long found = 0;
		for (size_t j = 0; j < CP_SERIES; j++) {
			struct changepoint_opts o = changepoint_opts_default();
			struct changepoint *cp;
			long k;
			o.seed = j;
			k = changepoint_detect(x + j * CP_POINTS, CP_POINTS, &o, &cp);
			if (k < 0)
				br_state_fail(st, "changepoint_detect failed");
			found += k;
			free(cp);
		}
		br_do_not_optimize(found);
	}
}

BR_MAIN()
