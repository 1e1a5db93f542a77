/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Orchestration: listing the programs' benchmarks and measuring each in
 * several worker processes, interleaved round-robin with the others.
 *
 * Each process is a fresh draw of address layout, heap state and whatever
 * the neighbours are doing; repeating a benchmark across processes measures
 * that variance instead of hiding it, and interleaving means a phase of
 * machine drift hits every benchmark alike rather than one of them. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "analysis.h"
#include "counters.h"
#include "files.h"
#include "msg.h"
#include "placement.h"
#include "proc.h"
#include "profile.h"
#include "suite.h"
#include "worker.h"
#include "usercounters.h"

static int add_listed(struct suite *s, struct protocol_bench *pb, const char *path,
                      const regex_t *filter)
{
	struct bench_result *nb;

	if (filter && regexec(filter, pb->name, 0, NULL, 0) != 0)
		return 0;
	for (size_t i = 0; i < s->nbenches; i++)
		if (!strcmp(s->benches[i].name, pb->name)) {
			msg_error(path, "benchmark '%s' is also in %s", pb->name,
			          s->benches[i].program);
			return -1;
		}
	nb = realloc(s->benches, (s->nbenches + 1) * sizeof *nb);
	if (!nb)
		return -1;
	s->benches = nb;
	nb = &nb[s->nbenches++];
	memset(nb, 0, sizeof *nb);
	protocol_bench_take_identity(pb, nb);
	nb->program = strdup(path);
	return 0;
}

/* A --counters list the worker refused: libpfm4's message for the first
 * name it does not know.  EXIT_USAGE, or 0 when the list was accepted. */
static int counters_refused(const struct protocol_doc *doc)
{
	const struct counter_result *c;

	if (!doc->counter_unknown)
		return 0;
	c = &doc->counters[doc->counter_unknown - 1];
	msg_error("--counters", "'%s': %s (libpfm4; benchrun --list-counters shows what "
	          "this machine counts)", c->name, c->reason ? c->reason : "unknown event");
	return EXIT_USAGE;
}

/* One warning per event the user asked for and the machine cannot count,
 * from the first program listed: the programs share the machine. */
static void counters_warn(const struct suite *s, const struct protocol_doc *doc)
{
	for (size_t i = 0; s->nprograms == 0 && i < doc->ncounters; i++)
		if (doc->counters[i].requested && !doc->counters[i].counted)
			msg_warn(doc->counters[i].name, "not counted: %s", doc->counters[i].reason);
}

static int list_program(const struct suite_opts *o, struct suite *s, const char *path)
{
	const char *const args[] = {"--list", o->counters ? "--counters" : NULL, o->counters,
	                            NULL};
	struct protocol_doc doc;
	struct proc_result res;
	struct program *p;
	char *why;
	int rc = 0;

	if (access(path, X_OK) != 0) {
		msg_error(path, "%s", strerror(errno));
		return EXIT_USAGE;
	}
	if (worker_run(NULL, path, NULL, args, o->timeout_s, &doc, &res, &why) != 0 &&
	    (rc = counters_refused(&doc)) == 0) {
		msg_error(path, "not a benchrun worker: %s", why ? why : "cannot list");
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		counters_warn(s, &doc);
	for (size_t i = 0; rc == 0 && i < doc.nbenches; i++)
		if (add_listed(s, &doc.benches[i], path, o->filter) != 0)
			rc = EXIT_USAGE;
	if (rc == 0 && (p = realloc(s->programs, (s->nprograms + 1) * sizeof *p))) {
		s->programs = p;
		memset(&p[s->nprograms], 0, sizeof p[s->nprograms]);
		p[s->nprograms].path = strdup(path);
		p[s->nprograms++].hdr = doc.hdr;
		memset(&doc.hdr, 0, sizeof doc.hdr);
	}
	free(why);
	proc_result_free(&res);
	protocol_doc_free(&doc);
	return rc;
}

int suite_list(const struct suite_opts *o, struct suite *s)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < o->nprograms; i++) {
		int rc = list_program(o, s, o->programs[i]);
		if (rc != 0)
			return rc;
	}
	if (s->nbenches == 0) {
		msg_error(NULL, "no benchmark %s", o->filter ? "matches the filter" : "found");
		return EXIT_USAGE;
	}
	return 0;
}

/* Order of the processes this benchmark run measured (struct proc_run's
 * seq): which build of a paired round ran first. */
static uint64_t measured_seq;

static void mark_failed(struct bench_result *b, char *reason)
{
	b->failed = 1;
	b->reason = reason ? reason : strdup("failed");
	msg_error(b->name, "%s", b->reason);
}

/* Keep the samples of `b` from one worker's document, or mark it failed. */
static void take_run(struct bench_result *b, struct protocol_doc *doc, unsigned round, int cpu)
{
	struct protocol_bench *pb = NULL;
	struct proc_run *np;

	for (size_t i = 0; i < doc->nbenches; i++)
		if (!strcmp(doc->benches[i].name, b->name))
			pb = &doc->benches[i];
	if (!pb || !pb->ended)
		return mark_failed(b, strdup("the worker did not run it"));
	if (pb->skipped && !b->failed) {
		b->failed = b->skipped = 1;  /* reported with the results, no error */
		b->reason = pb->reason ? pb->reason : strdup("skipped");
		pb->reason = NULL;
		return;
	}
	if (pb->failed) {
		mark_failed(b, pb->reason);
		pb->reason = NULL;
		return;
	}
	if (pb->label) {  /* br_state_set_label's, or the definition's */
		free(b->label);
		b->label = pb->label;
		pb->label = NULL;
	}
	/* The first process names the benchmark's counters; a later one that
	 * reported others (or in another order) is laid out as the first. */
	if (b->nprocs == 0 && b->ncounters == 0 && doc->ncounters &&
	    counters_copy(&b->counters, doc->counters, doc->ncounters) == 0)
		b->ncounters = doc->ncounters;
	if ((pb->run.nctr || b->ncounters) &&
	    counters_remap(&pb->run, doc->counters, doc->ncounters, b->counters,
	                   b->ncounters) != 0)
		return mark_failed(b, strdup("out of memory"));
	if (!(np = realloc(b->procs, (b->nprocs + 1) * sizeof *np)))
		return mark_failed(b, strdup("out of memory"));
	b->procs = np;
	b->procs[b->nprocs] = pb->run;
	b->procs[b->nprocs].seq = ++measured_seq;
	b->procs[b->nprocs].pinned = cpu + 1;
	b->procs[b->nprocs++].round = round;
	if (user_counters_add_process(b, pb->user, pb->nuser) != 0)
		msg_error(b->name, "out of memory keeping its user counters");
	if (!b->plan)
		b->plan = suite_plan_of(b);
	memset(&pb->run, 0, sizeof pb->run);
	b->bytes_per_iter = pb->bytes_per_iter;
	b->items_per_iter = pb->items_per_iter;
	b->threads = pb->threads;
}

int suite_plan_of(const struct bench_result *b)
{
	for (size_t p = 0; p < b->nprocs; p++) {
		const struct proc_run *r = &b->procs[p];
		if (r->nsamples < 2)
			continue;
		for (size_t k = 1; k < r->nsamples; k++)
			if (r->samples[k].iters != r->samples[0].iters)
				return 1;
		return 2;
	}
	return 0;
}

struct program *suite_program(const struct suite *s, const struct bench_result *b)
{
	for (size_t i = 0; s && i < s->nprograms; i++)
		if (!strcmp(s->programs[i].path, b->program))
			return &s->programs[i];
	return NULL;
}

/* Under callgrind: the dumped counts in place of the samples' times. */
static int take_counts(const struct callgrind *cg, struct protocol_doc *doc,
                       const char *name, char **why)
{
	for (size_t i = 0; i < doc->nbenches; i++)
		if (!strcmp(doc->benches[i].name, name) && doc->benches[i].ended &&
		    !doc->benches[i].failed)
			return callgrind_take(cg, &doc->benches[i].run, &doc->counters,
			                      &doc->ncounters, why);
	return 0;  /* take_run says why there is nothing */
}

/* The worker options of one measuring process.  The worker gets --plan
 * once the benchmark's plan is known, if it speaks a protocol that has the
 * option (version 2 on); under callgrind, the instruction measure's ramp
 * instead (version 3 on).  Returns the count of words in args. */
static size_t worker_args(const struct suite_opts *o, const struct program *p,
                          const struct bench_result *b, const char **args, char buf[3][32])
{
	static const char *const plans[] = {NULL, "linear", "flat"};
	int plan = p && p->hdr.protocol >= 2 && b->plan > 0 && b->plan < 3 ? b->plan : 0;
	size_t n = 0;

	args[n++] = "--run";
	args[n++] = b->name;
	args[n++] = "--samples";
	args[n++] = buf[0];
	snprintf(buf[0], 32, "%u", o->samples);
	if (o->cg) {
		args[n++] = "--measure";
		args[n++] = "instructions";
		args[n++] = "--iterations";
		args[n++] = buf[1];
		snprintf(buf[1], 32, "%llu", (unsigned long long)(o->iterations ? o->iterations : 1));
	} else {
		args[n++] = "--warmup-time";
		args[n++] = buf[1];
		args[n++] = "--measure-time";
		args[n++] = buf[2];
		snprintf(buf[1], 32, "%.9g", o->warmup_s);
		snprintf(buf[2], 32, "%.9g", o->measure_s);
		if (plan) {
			args[n++] = "--plan";
			args[n++] = plans[plan];
		}
	}
	if (o->counters) {
		args[n++] = "--counters";
		args[n++] = o->counters;
	}
	if (o->memory && !o->cg && p && p->hdr.protocol >= 5)
		args[n++] = "--memory";
	args[n] = NULL;
	return n;
}

double suite_timeout(const struct suite_opts *o, const struct bench_result *b)
{
	return b->set.timeout_s > 0 ? b->set.timeout_s : o->timeout_s;
}

static void measure_one(const struct suite_opts *o, const struct suite *s,
                        struct bench_result *b, unsigned round, int cpu)
{
	const struct program *p = suite_program(s, b);
	const char *args[16];
	char buf[3][32];
	struct protocol_doc doc;
	struct proc_result res;
	char *why;

	if (o->cg && p && p->hdr.protocol < 3) {
		if (asprintf(&why, "built with an older libbenchrun (worker protocol %d), which "
		             "cannot count instructions: rebuild it", p->hdr.protocol) < 0)
			why = NULL;
		return mark_failed(b, why);
	}
	worker_args(o, p, b, args, buf);
	if (worker_run(o->cg, p && p->exec_path ? p->exec_path : b->program,
	                  p ? p->envp : NULL, args, suite_timeout(o, b), &doc, &res,
	                  &why) != 0 ||
	    (o->cg && take_counts(o->cg, &doc, b->name, &why) != 0))
		mark_failed(b, why);
	else
		take_run(b, &doc, round, cpu);
	proc_result_free(&res);
	protocol_doc_free(&doc);
}

int suite_count_functions(const struct suite_opts *o, const struct suite *s,
                          const struct bench_result *b, const char *keep,
                          struct callgrind_fns *out, char **why)
{
	struct suite_opts two = *o;
	const struct program *p = suite_program(s, b);
	const char *args[16];
	char buf[3][32], one[PATH_MAX], last[PATH_MAX], err[PATH_MAX + 64] = "";
	struct callgrind_fns f1 = {0}, f2 = {0};
	struct protocol_doc doc;
	struct proc_result res;
	int rc;

	memset(out, 0, sizeof *out);
	two.samples = 2;
	worker_args(&two, p, b, args, buf);
	rc = worker_run(o->cg, p && p->exec_path ? p->exec_path : b->program,
	                   p ? p->envp : NULL, args, suite_timeout(o, b), &doc, &res, why);
	snprintf(one, sizeof one, "%s/cg.out.1", o->cg->dir);
	snprintf(last, sizeof last, "%s/cg.out.2", o->cg->dir);
	if (rc == 0 && (callgrind_read_functions(one, &f1, err, sizeof err) != 0 ||
	                callgrind_read_functions(last, &f2, err, sizeof err) != 0 ||
	                callgrind_fns_per_iter(&f1, &f2, (double)suite_step_iters(o, b),
	                                       out) != 0))
		rc = -1, *why = strdup(err[0] ? err : "out of memory");
	if (rc == 0 && keep && files_copy(last, keep) != 0)
		msg_warn(keep, "cannot write callgrind's file: %s", strerror(errno));
	callgrind_fns_free(&f1);
	callgrind_fns_free(&f2);
	callgrind_clear(o->cg);
	proc_result_free(&res);
	protocol_doc_free(&doc);
	return rc;
}

static void progress(const struct suite_opts *o, size_t k, size_t total,
                     const char *name, double start)
{
	if (!o->progress)
		return;
	fprintf(stderr, "\r\033[K[%zu/%zu] %s  %.1f s", k, total, name, proc_now_s() - start);
	fflush(stderr);
}

uint64_t suite_step_iters(const struct suite_opts *o, const struct bench_result *b)
{
	return b->set.iterations ? b->set.iterations : o->iterations ? o->iterations : 1;
}

/* The processes (rounds) benchmark b gets from this call: its definition's
 * own number in a run's first measurement, else the call's. */
static unsigned rounds_of(const struct suite_opts *o, const struct bench_result *b)
{
	return o->own_processes && b->set.processes ? b->set.processes : o->processes;
}

/* The namesake in `old` that b is measured against in its rounds, or NULL
 * when b is measured alone. */
static struct bench_result *partner(const struct suite *old, const struct bench_result *b)
{
	return old && b->gate.mode == MODE_PAIRED ? suite_find(old, b->name) : NULL;
}

/* Whether b's processes may be pinned to one CPU: not when its body runs
 * on several threads, which one CPU would serialise (the listing names
 * them, "threads:N"; a run reports them). */
static int pinnable(const struct bench_result *b)
{
	const char *t = strstr(b->name, "threads:");

	return b->threads <= 1 && !(t && strtoul(t + 8, NULL, 10) > 1);
}

/* The one round scheduler, over (benchmark, side) pairs: in every round
 * each selected benchmark of cur takes its turn, the starting point
 * rotating so that no benchmark always runs first (after the listing) or
 * right after the same neighbour.  Each turn runs on the CPU
 * o->place chooses (see placement.h).  A benchmark with a partner in old is
 * measured on both sides back to back on that CPU, in a balanced order
 * (suite_old_first); the first side measured fixes the plan of both (one
 * estimator).  Rounds are numbered on from those already measured, on
 * either side, so a re-measurement adds processes whose rounds pair. */
size_t suite_measure_rounds(const struct suite_opts *o, struct suite *cur, struct suite *old,
                            const int *only, uint64_t seed)
{
	size_t k = 0, failed = 0, total = 0;
	unsigned first = suite_last_round(cur), rounds = 0;
	double start = proc_now_s();

	if (old && suite_last_round(old) > first)
		first = suite_last_round(old);
	for (size_t i = 0; i < cur->nbenches; i++)
		if (!only || only[i]) {
			const struct bench_result *b = &cur->benches[i];
			total += (partner(old, b) ? 2 : 1) * (size_t)rounds_of(o, b);
			if (rounds_of(o, b) > rounds)
				rounds = rounds_of(o, b);
		}
	msg_set_progress_active(o->progress);
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t j = 0; j < cur->nbenches; j++) {
			size_t i = (j + r) % cur->nbenches;
			struct bench_result *b = &cur->benches[i], *ob = partner(old, b);
			struct bench_result *side[2] = {b, ob};
			int old_first = ob && suite_old_first(seed, r, b->name), cpu;
			if ((only && !only[i]) || r >= rounds_of(o, b))
				continue;
			cpu = pinnable(b) ? placement_next(o->place, first + r +
			                                   (unsigned)analysis_seed_for(b->name, 0)) : -1;
			proc_pin(cpu);
			for (int t = 0; t < (ob ? 2 : 1); t++) {
				struct bench_result *x = side[old_first ? 1 - t : t], *y = x == b ? ob : b;
				progress(o, ++k, total, x->name, start);
				if (!x->failed && !(y && y->failed))
					measure_one(o, x == b ? cur : old, x, first + r + 1, cpu);
				if (y && !y->plan)
					y->plan = x->plan;
			}
			proc_pin(-1);
		}
	}
	if (o->progress)
		fputs("\r\033[K", stderr);
	msg_set_progress_active(0);
	for (size_t i = 0; i < cur->nbenches; i++)
		failed += cur->benches[i].failed && !cur->benches[i].skipped;
	for (size_t i = 0; old && i < old->nbenches; i++)
		failed += old->benches[i].failed && !old->benches[i].skipped;
	cur->elapsed_s += proc_now_s() - start;
	return failed;
}

int suite_old_first(uint64_t seed, unsigned k, const char *name)
{
	int abba = (int)((k ^ (k >> 1)) & 1) ^ 1;  /* 1, 0, 0, 1, 1, 0, 0, 1, ... */

	return abba ^ (int)(analysis_seed_for(name, seed) >> 17 & 1);
}

struct bench_result *suite_find(const struct suite *s, const char *name)
{
	for (size_t i = 0; s && i < s->nbenches; i++)
		if (!strcmp(s->benches[i].name, name))
			return &s->benches[i];
	return NULL;
}

unsigned suite_last_round(const struct suite *s)
{
	unsigned last = 0;

	for (size_t i = 0; i < s->nbenches; i++)
		for (size_t p = 0; p < s->benches[i].nprocs; p++)
			if (s->benches[i].procs[p].round > last)
				last = s->benches[i].procs[p].round;
	return last;
}

void bench_result_free(struct bench_result *b)
{
	free(b->name);
	free(b->group);
	free(b->function);
	free(b->param);
	free(b->program);
	free(b->reason);
	free(b->label);
	free(b->complexity_name);
	user_counters_free(b->user, b->nuser);
	for (size_t i = 0; i < b->nprocs; i++) {
		free(b->procs[i].samples);
		free(b->procs[i].ctr_delta);
		free(b->procs[i].ctr_running);
	}
	free(b->procs);
	free(b->gate.cmp.rounds);
	for (size_t i = 0; i < b->analysis.nnotes; i++)
		free(b->analysis.notes[i]);
	free(b->analysis.notes);
	counters_free(b->counters, b->ncounters);
	profile_free(b->prof.cpu);
	profile_free(b->prof.alloc);
	callgrind_profile_free(b->prof.counted);
}

int suite_list_counters(const struct suite_opts *o)
{
	const char *const args[] = {"--list-counters", o->counters ? "--counters" : NULL,
	                            o->counters, NULL};
	struct protocol_doc doc;
	struct proc_result res;
	char *why;
	int rc = 0;

	if (o->nprograms == 0) {
		msg_error("--list-counters", "no benchmark program to ask (name one, or "
		          "list them in %s)", "benchrun.list");
		return EXIT_USAGE;
	}
	if (access(o->programs[0], X_OK) != 0) {
		msg_error(o->programs[0], "%s", strerror(errno));
		return EXIT_USAGE;
	}
	/* The worker tries the events: it is the process that will count
	 * them, with the libpfm4 it was linked with. */
	if (worker_run(NULL, o->programs[0], NULL, args, o->timeout_s, &doc, &res, &why) != 0 &&
	    (rc = counters_refused(&doc)) == 0) {
		msg_error(o->programs[0], "not a benchrun worker: %s", why ? why : "cannot list");
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		counters_print_list(stdout, doc.counters, doc.ncounters);
	free(why);
	proc_result_free(&res);
	protocol_doc_free(&doc);
	return rc;
}

void suite_free(struct suite *s)
{
	for (size_t i = 0; i < s->nprograms; i++) {
		struct protocol_doc d = {.hdr = s->programs[i].hdr};
		free(s->programs[i].path);
		free(s->programs[i].stored);
		free(s->programs[i].hash);
		free(s->programs[i].exec_path);
		for (size_t k = 0; s->programs[i].envp && s->programs[i].envp[k]; k++)
			free(s->programs[i].envp[k]);
		free(s->programs[i].envp);
		for (size_t k = 0; k < s->programs[i].nlibs; k++) {
			struct kept_lib *l = &s->programs[i].libs[k];
			free(l->path);
			free(l->soname);
			free(l->stored);
			free(l->hash);
		}
		free(s->programs[i].libs);
		protocol_doc_free(&d);
	}
	for (size_t i = 0; i < s->nbenches; i++)
		bench_result_free(&s->benches[i]);
	free(s->programs);
	free(s->benches);
	json_decref(s->context);
	free(s->machine_note);
	memset(s, 0, sizeof *s);
}
