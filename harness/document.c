/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The results document (docs/json-schema.md): built from a suite, written
 * atomically, and loaded back into a suite with errors that name the file
 * and the place where it broke.  Strict JSON: a number that is not finite
 * is written as null, never as a bare NaN.  The parts of a benchmark that
 * belong to one feature (counters, user counters, profiles, instruction
 * profiles, complexity fits) are written and read by that feature's
 * module, both ways in one place; this module composes them. */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "callgrind.h"
#include "complexity.h"
#include "counters.h"
#include "document.h"
#include "msg.h"
#include "profile.h"
#include "units.h"
#include "usercounters.h"

/* ---- Writing ---- */

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *estimate(const struct estimate *e)
{
	return json_pack("{s:o, s:o, s:o}", "point", num(e->point), "lo", num(e->lo),
	                 "hi", num(e->hi));
}

/* Throughput runs the other way from time: the interval's ends swap. */
static json_t *rate(double per_iter, const struct estimate *t)
{
	if (!(per_iter > 0) || !(t->lo > 0) || !(t->point > 0))
		return json_null();
	return json_pack("{s:o, s:o, s:o}", "point", num(per_iter * 1e9 / t->point),
	                 "lo", num(per_iter * 1e9 / t->hi), "hi", num(per_iter * 1e9 / t->lo));
}

static json_t *processes(const struct bench_result *b)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < b->nprocs; i++) {
		const struct proc_run *p = &b->procs[i];
		json_t *samples = json_array();
		for (size_t k = 0; k < p->nsamples; k++)
			json_array_append_new(samples, json_pack("[I, o]", (json_int_t)p->samples[k].iters,
			                                         num(p->samples[k].ns)));
		json_t *o = json_pack("{s:i, s:I, s:o, s:o}", "round", p->round,
		                      "warmup_iters", (json_int_t)p->warmup_iters,
		                      "warmup_ns", num(p->warmup_ns), "samples", samples);
		if (p->pinned > 0)
			json_object_set_new(o, "cpu", json_integer(p->pinned - 1));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *analysis(const struct bench_result *b)
{
	const struct analysis *a = &b->analysis.an;

	if (!b->analysis.done)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I}, s:I, s:I,"
	                 " s:o, s:o}",
	                 "slope", estimate(&a->slope), "mean", estimate(&a->mean),
	                 "median", estimate(&a->median), "sd", estimate(&a->sd),
	                 "mad", estimate(&a->mad), "r2", num(a->r2), "outliers",
	                 "low_severe", (json_int_t)a->outliers.low_severe,
	                 "low_mild", (json_int_t)a->outliers.low_mild,
	                 "high_mild", (json_int_t)a->outliers.high_mild,
	                 "high_severe", (json_int_t)a->outliers.high_severe,
	                 "nsamples", (json_int_t)a->nsamples, "nprocs", (json_int_t)a->nprocs,
	                 "bytes_per_second", b->measure == MEASURE_TIME ?
	                 rate(b->bytes_per_iter, &a->slope) : json_null(),
	                 "items_per_second", b->measure == MEASURE_TIME ?
	                 rate(b->items_per_iter, &a->slope) : json_null());
}

/* The settings b's definition gives itself: those it sets, {} for none. */
static json_t *own_settings(const struct bench_settings *set)
{
	json_t *o = json_object();

	if (o && set->measure_time > 0)
		json_object_set_new(o, "measure_time", json_real(set->measure_time));
	if (o && set->iterations)
		json_object_set_new(o, "iterations", json_integer((json_int_t)set->iterations));
	if (o && set->processes)
		json_object_set_new(o, "processes", json_integer(set->processes));
	if (o && set->timeout_s > 0)
		json_object_set_new(o, "timeout_s", json_real(set->timeout_s));
	return o;
}

static json_t *benchmark_fields(const struct bench_result *b)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
	                 "name", b->name, "group", b->group, "function", b->function,
	                 "param", str_or_null(b->param), "program", b->program,
	                 "status", b->skipped ? "skipped" : b->failed ? "failed" : "ok",
	                 "reason", str_or_null(b->reason), "label", str_or_null(b->label),
	                 "settings", own_settings(&b->set), "threads", (json_int_t)b->threads,
	                 "bytes_per_iter", num(b->bytes_per_iter),
	                 "items_per_iter", num(b->items_per_iter),
	                 "analysis", analysis(b), "processes", processes(b));
}

static json_t *paired_rounds(const struct comparison *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->nrounds; i++) {
		const struct paired_round *r = &c->rounds[i];
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:b, s:b}", "round",
		                                   (json_int_t)r->round, "old_ns", num(r->old_ns),
		                                   "new_ns", num(r->new_ns), "old_first",
		                                   r->old_first, "used", r->used));
	}
	return a;
}

/* Only present when compared with a baseline: everything the verdict was
 * computed from (docs/json-schema.md). */
static json_t *comparison(const struct bench_result *b)
{
	const struct comparison *c = &b->gate.cmp;
	json_t *o;

	if (c->verdict == VERDICT_NONE)
		return json_null();
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	              " s:o, s:o, s:I, s:I, s:b, s:b}",
	              "verdict", compare_verdict_name(c->verdict),
	              "mode", compare_mode_name(b->gate.mode),
	              "baseline_ns", num(c->base_ns), "current_ns", num(c->cur_ns),
	              "change", num(c->change), "change_lo", num(c->change_lo),
	              "change_hi", num(c->change_hi), "ratio", num(c->change + 1),
	              "judged_change", num(c->rel), "judged_lo", num(c->rel_lo),
	              "judged_hi", num(c->rel_hi), "p", num(c->p), "p_family", num(c->p_adj),
	              "p_zero", num(c->p_zero), "p_zero_family", num(c->p_zero_adj),
	              "baseline_processes", (json_int_t)c->base_procs,
	              "current_processes", (json_int_t)c->cur_procs,
	              "remeasured", c->remeasured, "exact", c->exact);
	if (o && c->nrounds)
		json_object_set_new(o, "rounds", paired_rounds(c));
	if (o)  /* why the memory figures made it regressed, or null */
		json_object_set_new(o, "memory_regression", c->memory[0] ? json_string(c->memory)
		                                                       : json_null());
	return o;
}

static json_t *notes(const struct bench_result *b)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < b->analysis.nnotes; i++)
		json_array_append_new(a, json_string(b->analysis.notes[i]));
	return a;
}

/* The run's comparison: how it was judged and what it concluded. */
static json_t *run_comparison(const struct compare_summary *sum, const struct report_settings *o,
                              int exit_status)
{
	static const char *const stats[] = {"slope", "median", "mean", "instructions"};
	char statistic_counter[256];

	snprintf(statistic_counter, sizeof statistic_counter, "counter:%s",
	         o->counter ? o->counter : "");

	return json_pack("{s:{s:I, s:I, s:I}, s:o, s:o, s:o, s:o, s:s, s:I, s:o, s:o, s:o,"
	                 " s:b, s:o, s:b, s:o, s:o, s:I, s:o, s:o, s:i}",
	                 "modes", "paired", (json_int_t)sum->modes[MODE_PAIRED],
	                 "stored", (json_int_t)sum->modes[MODE_STORED],
	                 "fallback", (json_int_t)sum->modes[MODE_FALLBACK],
	                 "alpha", num(o->alpha), "threshold", num(o->noise),
	                 "confidence", num(o->conf_level), "drift_bound", num(o->drift_bound),
	                 "statistic", o->statistic == ANALYSIS_COUNTER ? statistic_counter
	                 : o->statistic >= 0 && o->statistic < 4 ? stats[o->statistic] : "slope",
	                 "remeasure", (json_int_t)o->remeasure,
	                 "shift", num(sum->shift), "shift_lo", num(sum->shift_lo),
	                 "shift_hi", num(sum->shift_hi), "shift_removed", sum->shift_removed,
	                 "shift_p_family", num(sum->shift_p), "shift_beyond_bound",
	                 sum->shift_beyond, "variance_factor", num(sum->inflation),
	                 "bench_drift", num(COMPARE_BENCH_DRIFT),
	                 "bench_drift_measured", (json_int_t)sum->drift_measured,
	                 "bench_drift_median", num(sum->drift_median),
	                 "common_drift", num(COMPARE_COMMON_DRIFT), "exit_status", exit_status);
}

static json_t *benchmark(const struct bench_result *b)
{
	json_t *o = benchmark_fields(b);
	json_t *procs = json_object_get(o, "processes");

	json_object_set_new(o, "comparison", comparison(b));
	json_object_set_new(o, "notes", notes(b));
	/* Counters: per benchmark (harness/counters.c), and per process next
	 * to its samples. */
	json_object_set_new(o, "counters", counters_json(b));
	json_object_set_new(o, "counters_derived", counters_json_derived(b));
	json_object_set_new(o, "user_counters", user_counters_json(b));
	if (b->complexity_name && isfinite(b->complexity_g))
		json_object_set_new(o, "complexity_function", json_pack("{s:s, s:f}", "name",
		                    b->complexity_name, "g", b->complexity_g));
	json_object_set_new(o, "profile", b->prof.cpu ? profile_to_json(b->prof.cpu) : json_null());
	json_object_set_new(o, "alloc_profile", b->prof.alloc ? profile_to_json(b->prof.alloc) : json_null());
	json_object_set_new(o, "instruction_profile",
	                    b->prof.counted ? callgrind_profile_json(b->prof.counted, 20) : json_null());
	for (size_t i = 0; i < b->nprocs && i < json_array_size(procs); i++)
		json_object_set_new(json_array_get(procs, i), "counters",
		                    counters_json_process(b, &b->procs[i]));
	return o;
}

/* The shared objects kept with a program (baseline.h): "libraries". */
static json_t *libraries(const struct program *p)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < p->nlibs; i++) {
		const struct kept_lib *l = &p->libs[i];
		json_t *rec = json_pack("{s:s, s:s, s:s}", "path", l->path, "stored", l->stored,
		                        "hash", l->hash);
		if (rec && l->soname)
			json_object_set_new(rec, "soname", json_string(l->soname));
		json_array_append_new(a, rec);
	}
	return a;
}

static json_t *program(const struct program *p)
{
	const struct protocol_header *h = &p->hdr;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:o, s:o}}", "path", p->path,
	                      "library", h->library, "compiler", h->compiler, "cflags", h->cflags,
	                      "build_id", h->build_id, "timer", "clock", h->clock,
	                      "read_ns", num(h->timer_read_ns),
	                      "resolution_ns", num(h->timer_resolution_ns));

	if (o && p->stored && p->hash) {  /* the store kept a copy */
		json_object_set_new(o, "stored", json_string(p->stored));
		json_object_set_new(o, "hash", json_string(p->hash));
		if (p->libs_known)
			json_object_set_new(o, "libraries", libraries(p));
	}
	return o;
}

json_t *document_build(const struct suite *s, const struct report_settings *o,
                       const struct compare_summary *sum, int exit_status)
{
	json_t *progs = json_array(), *benches = json_array(), *doc;
	struct complexity_result *fits;
	size_t nfits = complexity_suite(s, &fits);
	char when[32];
	time_t t = time(NULL);

	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	for (size_t i = 0; i < s->nprograms; i++)
		json_array_append_new(progs, program(&s->programs[i]));
	for (size_t i = 0; i < s->nbenches; i++)
		json_array_append_new(benches, benchmark(&s->benches[i]));
	doc = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:{s:i, s:o, s:o, s:i, s:o, s:I, s:i,"
	                 " s:o, s:I}, s:o, s:o, s:o, s:O*, s:o, s:o}",
	                 "schema", "benchrun-results", "schema_version",
	                 DOCUMENT_SCHEMA_VERSION, "benchrun_version", PACKAGE_VERSION,
	                 "created", when, "measure", units_measure_name(s->measure),
	                 "unit", units_measure_unit(s->measure), "settings", "processes", o->processes,
	                 "warmup_s", num(o->warmup_s), "measure_s", num(o->measure_s),
	                 "samples", o->samples, "timeout_s", num(o->timeout_s),
	                 "seed", (json_int_t)o->seed, "resamples", o->resamples,
	                 "confidence", num(o->conf_level),
	                 "iterations", (json_int_t)(s->measure == MEASURE_INSTRUCTIONS &&
	                                            o->iterations ? o->iterations : 1),
	                 "elapsed_s", num(s->elapsed_s),
	                 "programs", progs, "benchmarks", benches, "context", s->context,
	                 "comparison", sum ? run_comparison(sum, o, exit_status) : json_null(),
	                 "machine_note", str_or_null(s->machine_note));
	if (doc)
		json_object_set_new(doc, "complexity", complexity_json(fits, nfits));
	complexity_results_free(fits, nfits);
	return doc;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
	int fd = *(int *)data;

	while (size > 0) {
		ssize_t n = write(fd, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		size -= (size_t)n;
	}
	return 0;
}

/* Create, fill and fsync the temporary file; 0, or -1 after a message. */
static int write_temp(const char *path, char *tmp, json_t *doc)
{
	int fd = mkstemp(tmp), ok, saved;
	mode_t mask = umask(0);

	umask(mask);
	if (fd < 0) {
		msg_error(path, "cannot create a temporary file: %s", strerror(errno));
		return -1;
	}
	fchmod(fd, 0666 & ~mask);  /* mkstemp makes 0600; results are for sharing */
	ok = json_dump_callback(doc, dump_cb, &fd, JSON_INDENT(1) | JSON_SORT_KEYS) == 0 &&
	     dump_cb("\n", 1, &fd) == 0 && fsync(fd) == 0;
	saved = errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		saved = errno;
	}
	if (!ok) {
		msg_error(path, "cannot write: %s", strerror(saved));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The temporary file lives in the target's directory so the rename is
 * atomic; interrupting signals are held back from creation to rename, so
 * an interrupt leaves either the old file or the whole new one, and no
 * temporary behind; the directory is synced so the rename survives a
 * crash. */
int document_write(const char *path, json_t *doc)
{
	char *dircopy = strdup(path), *tmp = NULL, *dir;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	sigset_t hold, old;
	int rc = -1, dfd;

	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &old);
	dir = dircopy ? dirname(dircopy) : NULL;
	if (!dir || asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		tmp = NULL;
		msg_error(path, "out of memory");
	} else if (write_temp(path, tmp, doc) == 0) {
		if (rename(tmp, path) != 0) {
			msg_error(path, "cannot rename into place: %s", strerror(errno));
			unlink(tmp);
		} else {
			rc = 0;
			if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
				fsync(dfd);
				close(dfd);
			}
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(tmp);
	free(dircopy);
	return rc;
}

/* ---- Reading ---- */

/* Loading: every problem is reported as "FILE: WHERE: WHAT". */
struct loader {
	const char *path;
	char where[96];
};

static int bad(struct loader *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct loader *l, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	msg_error(l->path, "%s: %s", l->where, what);
	return -1;
}

static int load_samples(struct loader *l, json_t *arr, struct proc_run *p)
{
	size_t k;
	json_t *s;

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return bad(l, "\"samples\" must be a non-empty array");
	p->samples = calloc(json_array_size(arr), sizeof *p->samples);
	if (!p->samples)
		return bad(l, "out of memory");
	json_array_foreach(arr, k, s) {
		json_t *it = json_array_get(s, 0), *ns = json_array_get(s, 1);
		if (json_array_size(s) != 2 || !json_is_integer(it) || json_integer_value(it) <= 0 ||
		    !json_is_number(ns) || json_number_value(ns) < 0)
			return bad(l, "samples[%zu]: expected [iterations > 0, nanoseconds >= 0]", k);
		p->samples[k] = (struct sample){(uint64_t)json_integer_value(it), json_number_value(ns)};
	}
	p->nsamples = p->cap = json_array_size(arr);
	return 0;
}

static int load_processes(struct loader *l, json_t *arr, struct bench_result *b)
{
	size_t base = strlen(l->where), i;
	char err[160];
	json_t *p;

	if (!json_is_array(arr))
		return bad(l, "\"processes\" must be an array");
	b->procs = calloc(json_array_size(arr) + 1, sizeof *b->procs);
	if (!b->procs)
		return bad(l, "out of memory");
	json_array_foreach(arr, i, p) {
		json_int_t round = 0, cpu = -1;
		json_error_t je;
		snprintf(l->where + base, sizeof l->where - base, ".processes[%zu]", i);
		if (json_unpack_ex(p, &je, 0, "{s:I, s?I}", "round", &round, "cpu", &cpu) != 0)
			return bad(l, "%s", je.text);
		if (round < 1 || round > 1000000)
			return bad(l, "\"round\" must be from 1 to 1000000");
		if (cpu < -1 || cpu > 1000000 || (cpu == -1 && json_object_get(p, "cpu")))
			return bad(l, "\"cpu\" must be from 0 to 1000000");
		b->procs[i].round = (unsigned)round;
		b->procs[i].pinned = (int)cpu + 1;
		b->nprocs = b->cap = i + 1;  /* owned from here, freed on error */
		if (load_samples(l, json_object_get(p, "samples"), &b->procs[i]) != 0)
			return -1;
		if (counters_process_from_json(p, b, &b->procs[i], err, sizeof err) != 0)
			return bad(l, "%s", err);
	}
	l->where[base] = '\0';
	return 0;
}

/* A definition's own settings as own_settings() writes them (absent in
 * baselines of older versions: none). */
static int load_settings(struct loader *l, json_t *o, struct bench_settings *set)
{
	json_int_t iters = 0, procs = 0;
	json_error_t je;

	if (!o)
		return 0;
	if (json_unpack_ex(o, &je, JSON_STRICT, "{s?F, s?I, s?I, s?F}", "measure_time",
	                   &set->measure_time, "iterations", &iters, "processes", &procs,
	                   "timeout_s", &set->timeout_s) != 0)
		return bad(l, "\"settings\": %s", je.text);
	if (iters < 0 || procs < 0 || procs > 100000 || !(set->measure_time >= 0) ||
	    !(set->timeout_s >= 0))
		return bad(l, "\"settings\": a negative or impossible figure");
	set->iterations = (uint64_t)iters;
	set->processes = (unsigned)procs;
	return 0;
}

static int load_bench(struct loader *l, json_t *o, struct bench_result *b)
{
	const char *name, *group, *function, *program, *status, *param = NULL;
	json_t *bytes = NULL, *items = NULL;
	char err[160];
	json_error_t je;

	if (json_unpack_ex(o, &je, 0, "{s:s, s:s, s:s, s:s, s:s, s?o, s?o}", "name", &name,
	                   "group", &group, "function", &function, "program", &program,
	                   "status", &status, "bytes_per_iter", &bytes, "items_per_iter",
	                   &items) != 0)
		return bad(l, "%s", je.text);
	param = json_string_value(json_object_get(o, "param"));
	b->name = strdup(name);
	b->group = strdup(group);
	b->function = strdup(function);
	b->param = param ? strdup(param) : NULL;
	b->program = strdup(program);
	b->bytes_per_iter = json_is_number(bytes) ? json_number_value(bytes) : 0;
	b->items_per_iter = json_is_number(items) ? json_number_value(items) : 0;
	if (strcmp(status, "ok") != 0) {
		const char *reason = json_string_value(json_object_get(o, "reason"));
		b->failed = 1;
		b->skipped = !strcmp(status, "skipped");
		b->reason = strdup(reason ? reason : status);
	}
	if (json_string_value(json_object_get(o, "label")))
		b->label = strdup(json_string_value(json_object_get(o, "label")));
	if (json_is_object(json_object_get(o, "complexity_function"))) {
		json_t *cf = json_object_get(o, "complexity_function");
		const char *cn = json_string_value(json_object_get(cf, "name"));
		if (cn && json_is_number(json_object_get(cf, "g"))) {
			b->complexity_name = strdup(cn);
			b->complexity_g = json_number_value(json_object_get(cf, "g"));
		}
	}
	if (load_settings(l, json_object_get(o, "settings"), &b->set) != 0)
		return -1;
	if (json_integer_value(json_object_get(o, "threads")) > 0 &&
	    json_integer_value(json_object_get(o, "threads")) <= 1024)
		b->threads = (unsigned)json_integer_value(json_object_get(o, "threads"));
	if (counters_from_json(o, b, err, sizeof err) != 0)
		return bad(l, "%s", err);
	if (json_is_object(json_object_get(o, "profile")) &&
	    profile_from_json(json_object_get(o, "profile"), &b->prof.cpu, err, sizeof err) != 0)
		return bad(l, "%s", err);
	if (json_is_object(json_object_get(o, "alloc_profile")) &&
	    profile_from_json(json_object_get(o, "alloc_profile"), &b->prof.alloc, err, sizeof err) != 0)
		return bad(l, "alloc_%s", err);
	if (load_processes(l, json_object_get(o, "processes"), b) != 0)
		return -1;
	if (user_counters_from_json(o, b, err, sizeof err) != 0)
		return bad(l, "%s", err);
	return 0;
}

static char *dup_member(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return strdup(v ? v : "");
}

/* The shared objects kept with a program (absent in baselines of older
 * versions: then libs_known stays 0). */
static int load_libraries(struct loader *l, json_t *arr, struct program *p)
{
	size_t base = strlen(l->where), i;
	json_t *o;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad(l, "\"libraries\" must be an array");
	if (!(p->libs = calloc(json_array_size(arr) + 1, sizeof *p->libs)))
		return bad(l, "out of memory");
	p->libs_known = 1;
	json_array_foreach(arr, i, o) {
		const char *path, *stored, *hash, *soname = NULL;
		json_error_t je;
		snprintf(l->where + base, sizeof l->where - base, ".libraries[%zu]", i);
		if (json_unpack_ex(o, &je, 0, "{s:s, s:s, s:s, s?s}", "path", &path, "stored",
		                   &stored, "hash", &hash, "soname", &soname) != 0)
			return bad(l, "%s", je.text);
		p->libs[i] = (struct kept_lib){strdup(path), soname ? strdup(soname) : NULL,
		                               strdup(stored), strdup(hash)};
		p->nlibs = i + 1;
	}
	l->where[base] = '\0';
	return 0;
}

/* The programs that measured the results, with their protocol headers. */
static int load_programs(struct loader *l, json_t *arr, struct suite *s)
{
	json_t *p, *timer;
	size_t i;

	if (!json_is_array(arr))
		return 0;  /* optional: written by every version, needed by none */
	s->programs = calloc(json_array_size(arr) + 1, sizeof *s->programs);
	if (!s->programs)
		return bad(l, "out of memory");
	json_array_foreach(arr, i, p) {
		struct protocol_header *h = &s->programs[i].hdr;
		snprintf(l->where, sizeof l->where, "programs[%zu]", i);
		if (!json_is_string(json_object_get(p, "path")))
			return bad(l, "\"path\" must be a string");
		s->programs[i].path = dup_member(p, "path");
		s->nprograms = i + 1;
		if (json_is_string(json_object_get(p, "stored"))) {
			s->programs[i].stored = dup_member(p, "stored");
			s->programs[i].hash = dup_member(p, "hash");
		}
		if (load_libraries(l, json_object_get(p, "libraries"), &s->programs[i]) != 0)
			return -1;
		h->protocol = 1;
		h->library = dup_member(p, "library");
		h->compiler = dup_member(p, "compiler");
		h->cflags = dup_member(p, "cflags");
		h->build_id = dup_member(p, "build_id");
		h->program = strdup(s->programs[i].path);
		timer = json_object_get(p, "timer");
		h->clock = dup_member(timer, "clock");
		h->timer_read_ns = json_number_value(json_object_get(timer, "read_ns"));
		h->timer_resolution_ns = json_number_value(json_object_get(timer, "resolution_ns"));
	}
	return 0;
}

static int load_doc(struct loader *l, json_t *doc, struct suite *s)
{
	const char *schema, *measure = "time";
	json_int_t version;
	json_t *benches, *o;
	json_error_t je;
	size_t i;

	if (json_unpack_ex(doc, &je, 0, "{s:s, s:I, s:o, s?s}", "schema", &schema,
	                   "schema_version", &version, "benchmarks", &benches, "measure",
	                   &measure) != 0)
		return bad(l, "not a benchrun results file: %s", je.text);
	if ((s->measure = units_measure_parse(measure)) < 0)
		return bad(l, "\"measure\" is '%s', not time or instructions", measure);
	if (strcmp(schema, "benchrun-results") != 0 || version != DOCUMENT_SCHEMA_VERSION)
		return bad(l, "schema %s version %lld; this benchrun reads benchrun-results "
		           "version %d", schema, (long long)version, DOCUMENT_SCHEMA_VERSION);
	if (!json_is_array(benches))
		return bad(l, "\"benchmarks\" must be an array");
	if (load_programs(l, json_object_get(doc, "programs"), s) != 0)
		return -1;
	s->benches = calloc(json_array_size(benches) + 1, sizeof *s->benches);
	if (!s->benches)
		return bad(l, "out of memory");
	json_array_foreach(benches, i, o) {
		snprintf(l->where, sizeof l->where, "benchmarks[%zu]", i);
		s->nbenches = i + 1;
		if (load_bench(l, o, &s->benches[i]) != 0)
			return -1;
		s->benches[i].measure = s->measure;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(s->benches[k].name, s->benches[i].name))
				return bad(l, "benchmark '%s' is also benchmarks[%zu]", s->benches[i].name,
				           k);
	}
	return 0;
}

int document_load(const char *path, struct suite *s, json_t **doc)
{
	struct loader l = {path, "top level"};
	json_error_t je;

	struct stat st;

	memset(s, 0, sizeof *s);
	*doc = NULL;
	if (stat(path, &st) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		msg_error(path, "not a baseline file (%s)", S_ISDIR(st.st_mode) ? "a directory"
		                                                                : "not a regular file");
		return -1;
	}
	errno = 0;
	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!*doc) {
		/* jansson leaves the text empty when an allocation failed. */
		const char *why = *je.text ? je.text : errno ? strerror(errno) : "out of memory";
		if (je.line < 0 || !*je.text)
			msg_error(path, "%s", why);
		else
			msg_error(path, "line %d, column %d: %s", je.line, je.column, why);
		return -1;
	}
	if (load_doc(&l, *doc, s) != 0) {
		json_decref(*doc);
		*doc = NULL;
		suite_free(s);
		return -1;
	}
	return 0;
}
