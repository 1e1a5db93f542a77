/* SPDX-License-Identifier: MIT */
/* The measured run of one benchmark instance: untimed setup, warm-up by time
 * budget, planned samples, untimed teardown; the profiled run, sampled only
 * inside the loop; and the state accessors the benchmark code calls. */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "internal.h"

/* Counters are read right before the start timestamp and right after the
 * stop timestamp, so the reads (a system call per group) stay out of the
 * timed region; the counts include the two clock reads and the loop entry,
 * a fixed cost per sample that the slope over the ramp cancels. */
/* The threads of one call of a threaded body (BR_THREADS), and two
 * barriers: every loop's start, every loop's end.  A thread whose body
 * leaves without reaching a barrier (it failed, or broke out of its loop)
 * leaves the barrier's party, so the others are not kept waiting. */
struct br__team {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned party[2], waiting[2];
	uint64_t round[2];
	uint64_t at[2];       /* clock when each barrier last released */
};

static void team_init(struct br__team *t, unsigned n)
{
	memset(t, 0, sizeof *t);
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	t->party[0] = t->party[1] = n;
}

/* All waiting at barrier b: release them (t->mu held). */
static void team_release(struct br__team *t, int b)
{
	if (t->waiting[b] < t->party[b] || t->waiting[b] == 0)
		return;
	t->at[b] = br__clock->now_ns();
	t->waiting[b] = 0;
	__atomic_store_n(&t->round[b], t->round[b] + 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&t->cv);
}

/* Spins before sleeping at a barrier: a thread woken from sleep starts
 * tens of microseconds late, which would be in the sample, so a waiting
 * thread spins first (about 100 µs) and sleeps only when the others are
 * slower than that to come (more threads than free CPUs). */
#define TEAM_SPINS 100000

static void team_wait(struct br__team *t, int b)
{
	uint64_t round;

	pthread_mutex_lock(&t->mu);
	round = t->round[b];
	t->waiting[b]++;
	team_release(t, b);
	pthread_mutex_unlock(&t->mu);
	for (int i = 0; i < TEAM_SPINS; i++)
		if (__atomic_load_n(&t->round[b], __ATOMIC_ACQUIRE) != round)
			return;
	pthread_mutex_lock(&t->mu);
	while (__atomic_load_n(&t->round[b], __ATOMIC_ACQUIRE) == round)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
}

static void team_leave(struct br__team *t, int b)
{
	pthread_mutex_lock(&t->mu);
	t->party[b]--;
	team_release(t, b);
	pthread_mutex_unlock(&t->mu);
}

/* With threads, every thread's loop waits for the others at its start
 * and its end; the clock is read as each barrier releases (the last
 * thread's arrival), and the first thread alone reads the counters and
 * drives the sampler. */
uint64_t br__loop_start(br_state_t *st)
{
	st->loops++;
	if (st->team && st->thread_index) {
		if (st->loops == 1)
			team_wait(st->team, 0);
		return st->iters;
	}
	if (st->ctr)
		br__counters_read(st->ctr, &st->c0);
	if (st->mem)  /* before the other threads leave the barrier */
		br__mem_start();
	/* Sampling likewise brackets the clock reads tightly, so that samples
	 * fall in the loop (and the two reads), not in the harness. */
	if (st->smp)
		br__sampler_enable(st->smp);
	if (st->team) {  /* the clock starts when the last thread arrives */
		if (st->loops == 1)
			team_wait(st->team, 0);
		st->t0_ns = st->team->at[0];
	} else {
		st->t0_ns = br__clock->now_ns();
	}
	st->pause_t0 = st->paused_ns = 0;
	if (st->cg) {
		st->cg = 2;
		br__cg_collect(1);
	}
	return st->iters;
}

/* Collection off, if the loop left it on. */
static void cg_stop(br_state_t *st)
{
	if (st->cg == 2) {
		br__cg_collect(0);
		st->cg = 1;
	}
}

int br__loop_stop(br_state_t *st)
{
	uint64_t now;

	if (st->team) {  /* and stops when the last one is done */
		if (st->stops == 0)
			team_wait(st->team, 1);
		if (st->thread_index) {
			st->stops++;
			return 0;
		}
	}
	if (st->mem)  /* every thread is done */
		br__mem_stop(&st->memc);
	cg_stop(st);
	st->stops++;
	now = st->team ? st->team->at[1] : br__clock->now_ns();
	if (st->pause_t0) {  /* ended paused */
		st->paused_ns += now - st->pause_t0;
		st->pause_t0 = 0;
	}
	st->elapsed_ns = now - st->t0_ns - st->paused_ns;
	if (st->smp)
		br__sampler_disable(st->smp);
	if (st->ctr)
		br__counters_read(st->ctr, &st->c1);
	return 0;
}

/* noipa (GCC) also keeps IPA from cloning it under another name
 * (br__body_call.isra.0), which the harness would not find; the empty asm
 * after the call keeps the call from becoming a jump, which would leave
 * no frame. */
#if defined(__clang__)
__attribute__((noinline))
#else
__attribute__((noipa))
#endif
void br__body_call(const struct br__instance *inst, br_state_t *st)
{
	void *outer = br__body_frame;

	br__body_frame = __builtin_frame_address(0);
	inst->def->fn(st);
	br__body_frame = outer;
	__asm__ volatile("");
}

int64_t br_state_arg(const br_state_t *st)
{
	return st->inst->arg;
}

/* Parameter j of the running instance into *value and *text; fails the
 * benchmark naming `what` when it has no such parameter. */
static int param_get(br_state_t *st, size_t j, const char *what, int64_t *value,
                     const char **text)
{
	char why[BR__REASON_MAX];

	if (!st->inst->has_arg || br__axis_value(st->inst->def, st->inst->combo, j, value,
	                                         text) != 0) {
		snprintf(why, sizeof why, "the benchmark has no parameter %s", what);
		br_state_fail(st, why);
		*value = 0;
		*text = NULL;
		return -1;
	}
	return 0;
}

/* The index of the parameter called `name`, or SIZE_MAX. */
static size_t param_index(const br_state_t *st, const char *name)
{
	return st->inst->has_arg ? br__axis_find(st->inst->def, name) : SIZE_MAX;
}

int64_t br_state_param(br_state_t *st, const char *name)
{
	char what[64];
	int64_t v;
	const char *text;

	snprintf(what, sizeof what, "named \"%.40s\"", name ? name : "(null)");
	param_get(st, param_index(st, name), what, &v, &text);
	return v;
}

int64_t br_state_param_at(br_state_t *st, size_t i)
{
	char what[40];
	int64_t v;
	const char *text;

	snprintf(what, sizeof what, "%zu (0-based)", i);
	param_get(st, i, what, &v, &text);
	return v;
}

const char *br_state_param_text(br_state_t *st, const char *name)
{
	char what[64];
	int64_t v;
	const char *text;

	snprintf(what, sizeof what, "named \"%.40s\"", name ? name : "(null)");
	if (param_get(st, param_index(st, name), what, &v, &text) != 0)
		return NULL;
	if (text)
		return text;
	snprintf(st->param_text, sizeof st->param_text, "%" PRId64, v);
	return st->param_text;
}

/* Inside the timed loop: BR_ITERATE started and has not ended. */
static int in_loop(const br_state_t *st)
{
	return st->loops > st->stops;
}

void br_state_pause(br_state_t *st)
{
	if (st->team)
		return br_state_fail(st, "br_state_pause: a threaded body (BR_THREADS) cannot pause "
		                     "the clock, which all its threads share");
	/* Outside the loop nothing is timed; a pause there would be taken
	 * out of the next loop's time (or outlive it), so it is refused. */
	if (!in_loop(st))
		return br_state_fail(st, "br_state_pause: called outside BR_ITERATE, where "
		                     "nothing is timed (set-up before the loop is never timed)");
	if (!st->pause_t0)
		st->pause_t0 = br__clock->now_ns();
}

void br_state_resume(br_state_t *st)
{
	if (st->pause_t0 && in_loop(st)) {
		st->paused_ns += br__clock->now_ns() - st->pause_t0;
		st->pause_t0 = 0;
		st->pauses++;
	}
}

void br_state_set_iteration_time(br_state_t *st, double seconds)
{
	/* A figure llround cannot hold (or NaN) would wrap the sample: such
	 * a time is refused, and NaN left to fail as "no time" below. */
	if (!(seconds < 1e9) && seconds == seconds)
		return br_state_fail(st, "br_state_set_iteration_time: a time of 1e9 s or more "
		                     "(or infinite) for one iteration");
	st->manual_ns += seconds * 1e9;
	st->manual_calls++;
}

void br_state_counter(br_state_t *st, const char *name, double value, int kind)
{
	char why[BR__REASON_MAX], bad[BR__REASON_MAX / 2];
	struct br__user_counter *u = NULL;

	if (!name || strlen(name) >= BR__PROTO_USER_NAME_MAX ||
	    br__name_check(name, "c", NULL, bad, sizeof bad) != 0 || strchr(name, ':')) {
		snprintf(why, sizeof why, "user counter \"%.40s\": a name must be 1 to %d bytes of "
		         "printable UTF-8 without ':'", name ? name : "(null)", BR__PROTO_USER_NAME_MAX - 1);
		return br_state_fail(st, why);
	}
	if (kind < BR_COUNTER_VALUE || kind > BR_COUNTER_RATE) {
		snprintf(why, sizeof why, "user counter \"%s\": unknown kind %d", name, kind);
		return br_state_fail(st, why);
	}
	for (unsigned i = 0; i < st->nucount && !u; i++)
		if (!strcmp(st->ucount[i].name, name))
			u = &st->ucount[i];
	if (!u) {
		if (st->nucount == BR__PROTO_USER_COUNTERS_MAX) {
			snprintf(why, sizeof why, "user counter \"%s\": more than %d counters", name,
			         BR__PROTO_USER_COUNTERS_MAX);
			return br_state_fail(st, why);
		}
		u = &st->ucount[st->nucount++];
		memset(u, 0, sizeof *u);
		snprintf(u->name, sizeof u->name, "%s", name);
		u->kind = kind;
	}
	if (u->kind != kind) {
		snprintf(why, sizeof why, "user counter \"%s\" set with two kinds", name);
		return br_state_fail(st, why);
	}
	if (kind == BR_COUNTER_VALUE) {
		u->value = value;
		u->have = 1;
	} else if (st->sampling) {  /* warm-up calls do not count */
		u->sum += value;
		u->in_call = 1;
	}
}

/* After a sampled call: the per-iteration and rate counters it set cover
 * its iterations and loop time. */
static void user_call_done(br_state_t *st)
{
	for (unsigned i = 0; i < st->nucount; i++) {
		struct br__user_counter *u = &st->ucount[i];
		if (!u->in_call)
			continue;
		u->in_call = 0;
		u->iters += st->iters * br_state_threads(st);
		u->ns += st->elapsed_ns;
		u->have = 1;
	}
}

double br__user_figure(const struct br__user_counter *u)
{
	if (!u->have)
		return NAN;
	if (u->kind == BR_COUNTER_VALUE)
		return u->value;
	if (u->kind == BR_COUNTER_PER_ITER)
		return u->iters ? u->sum / (double)u->iters : NAN;
	return u->ns ? u->sum / ((double)u->ns / 1e9) : NAN;
}

unsigned br_state_threads(const br_state_t *st)
{
	return st->inst->nthreads ? st->inst->nthreads : 1;
}

unsigned br_state_thread_index(const br_state_t *st)
{
	return st->thread_index;
}

const void *br_state_data(const br_state_t *st)
{
	return st->inst->def->data;
}

void br_state_set_user(br_state_t *st, void *user)
{
	st->user = user;
}

void *br_state_user(const br_state_t *st)
{
	return st->user;
}

void br_state_set_bytes_per_iter(br_state_t *st, uint64_t bytes)
{
	st->bytes_per_iter = bytes;
}

void br_state_set_items_per_iter(br_state_t *st, uint64_t items)
{
	st->items_per_iter = items;
}

/* s into dst[0 .. len), cut to fit and always terminated.  Not strncpy:
 * gcc's -Wstringop-truncation (an error with -Werror) flags its deliberate
 * cut when the sanitizers' instrumentation lets it see the lengths. */
static void copy_reason(char *dst, size_t len, const char *s)
{
	size_t n = strnlen(s, len - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

void br_state_fail(br_state_t *st, const char *reason)
{
	st->failed = 1;
	copy_reason(st->reason, sizeof st->reason, reason ? reason : "failed");
}

void br_state_skip(br_state_t *st, const char *reason)
{
	st->skipped = 1;
	copy_reason(st->reason, sizeof st->reason, reason ? reason : "skipped");
}

void br_state_set_label(br_state_t *st, const char *label)
{
	st->labelled = 1;
	copy_reason(st->label, sizeof st->label, label ? label : "");
}

static void run_fail(struct br__run *run, int code, const char *reason)
{
	run->status = code;
	copy_reason(run->reason, sizeof run->reason, reason);
}

/* A failure (reported as `code`) or a skip the benchmark code asked for;
 * 0 when neither. */
static int asked_to_stop(const br_state_t *st, struct br__run *run, int code)
{
	if (!st->failed && !st->skipped)
		return 0;
	run_fail(run, st->skipped ? BR_ESKIPPED : code, st->reason);
	return run->status;
}

/* The most iterations one call may run: a batched body's cap, else no
 * limit. */
static uint64_t call_max(const br_state_t *st)
{
	const br_benchmark_t *d = st->inst->def;

	if (!d->batch_setup)
		return UINT64_MAX;
	return d->batch_max ? d->batch_max : BR__BATCH_MAX;
}

/* A batched body's inputs for `iters` iterations, outside the clock; 0
 * or BR_ESETUP. */
static int batch_begin(br_state_t *st, uint64_t iters, struct br__run *run)
{
	const br_benchmark_t *d = st->inst->def;

	if (!d->batch_setup || d->batch_setup(st, iters) == 0)
		return asked_to_stop(st, run, BR_ESETUP);
	if (asked_to_stop(st, run, BR_ESETUP) == 0)
		run_fail(run, BR_ESETUP, "batch_setup failed");
	return run->status;
}

/* One thread of a threaded call: the body, then out of every barrier its
 * loop did not reach. */
static void *team_member(void *arg)
{
	br_state_t *st = arg;

	br__body_call(st->inst, st);
	if (st->loops == 0)
		team_leave(st->team, 0);
	if (st->stops == 0)
		team_leave(st->team, 1);
	return NULL;
}

/* Thread k's user counters added to the first thread's st. */
static void team_counters(br_state_t *st, const br_state_t *k)
{
	for (unsigned i = 0; i < k->nucount; i++) {
		const struct br__user_counter *from = &k->ucount[i];
		if (!from->in_call && !from->have)
			continue;
		br_state_counter(st, from->name, from->kind == BR_COUNTER_VALUE ? from->value
		                                                                : from->sum,
		                 from->kind);
	}
}

/* A threaded call: threads 1 .. n-1 run the body beside this one (thread
 * 0), each with its own copy of the state; afterwards their failures and
 * counters come back to st.  The counters are read again once every
 * thread has ended, when the kernel has added the threads' counts to the
 * inherited events. */
static int call_team(br_state_t *st, struct br__run *run)
{
	unsigned n = st->inst->nthreads, started = 1;
	br_state_t *ts = calloc(n, sizeof *ts);
	pthread_t *tid = calloc(n, sizeof *tid);
	struct br__team team;
	/* why a thread did not start, kept apart from the threads' own */
	char why[BR__REASON_MAX], start_why[BR__REASON_MAX] = "";
	int rc = 0;

	if (!ts || !tid) {
		free(ts);
		free(tid);
		run_fail(run, BR_ENOMEM_ALLOC, br_strerror(BR_ENOMEM_ALLOC));
		return BR_ENOMEM_ALLOC;
	}
	team_init(&team, n);
	for (unsigned k = 1; k < n; k++) {
		ts[k] = *st;
		ts[k].team = &team;
		ts[k].thread_index = k;
		ts[k].ctr = NULL;
		ts[k].smp = NULL;
		ts[k].cg = 0;
		ts[k].nucount = 0;
	}
	st->team = &team;
	for (unsigned k = 1; k < n && rc == 0; k++, started++)
		if ((rc = pthread_create(&tid[k], NULL, team_member, &ts[k])) != 0) {
			/* the missing threads leave both barriers */
			for (unsigned m = k; m < n; m++)
				team_leave(&team, 0), team_leave(&team, 1);
			snprintf(start_why, sizeof start_why, "cannot start thread %u of %u: %s",
			         k + 1, n, strerror(rc));
			started--;
		}
	team_member(st);
	for (unsigned k = 1; k < started; k++)
		pthread_join(tid[k], NULL);
	st->team = NULL;
	if (st->ctr)
		br__counters_read(st->ctr, &st->c1);
	for (unsigned k = 1; k < started; k++) {
		team_counters(st, &ts[k]);
		if ((ts[k].failed || ts[k].skipped) && !st->failed && !st->skipped) {
			st->failed = ts[k].failed;
			st->skipped = ts[k].skipped;
			snprintf(st->reason, sizeof st->reason, "thread %u: %s", k + 1, ts[k].reason);
		} else if ((ts[k].loops != 1 || ts[k].stops != 1) && !st->failed) {
			snprintf(why, sizeof why, "thread %u: %s", k + 1,
			         ts[k].loops > 1 ? "its body ran BR_ITERATE more than once"
			         : ts[k].loops == 0 ? "its body did not run BR_ITERATE"
			                            : "its body left BR_ITERATE early");
			br_state_fail(st, why);
		}
	}
	pthread_mutex_destroy(&team.mu);
	pthread_cond_destroy(&team.cv);
	free(ts);
	free(tid);
	if (rc != 0) {
		run_fail(run, BR_EFAILED, start_why);
		return BR_EFAILED;
	}
	return 0;
}

/* One call of the body with `iters` iterations, a batched body's inputs
 * made before and undone after it, untimed; 0 or a BR_E* code. */
static int call_body(br_state_t *st, uint64_t iters, struct br__run *run)
{
	int rc;

	if ((rc = batch_begin(st, iters, run)) != 0)
		return rc;
	st->iters = iters;
	st->loops = st->stops = 0;
	st->elapsed_ns = 0;
	st->pause_t0 = st->paused_ns = st->pauses = 0;
	st->manual_ns = 0;
	st->manual_calls = 0;
	if (st->inst->nthreads > 1) {
		if ((rc = call_team(st, run)) != 0)
			return rc;
	} else {
		br__body_call(st->inst, st);
	}
	user_call_done(st);
	if (st->sampling) {
		run->pauses += st->pauses;
		run->paused_ns += st->paused_ns;
	}
	if (st->inst->def->batch_teardown)
		st->inst->def->batch_teardown(st, iters);
	if ((rc = asked_to_stop(st, run, BR_EFAILED)) != 0)
		return rc;
	if (st->loops != 1) {
		run_fail(run, BR_ENOITER, st->loops ? "BR_ITERATE ran more than once in one call"
		                                    : br_strerror(BR_ENOITER));
		return BR_ENOITER;
	}
	/* break, return or goto out of the loop: the clock never stopped, so
	 * the sample would be the time of whatever ran next. */
	if (st->stops != 1) {
		run_fail(run, BR_EFAILED, "the body left BR_ITERATE early (break, return or goto "
		         "out of the loop): every iteration must run to the loop's end; to stop a "
		         "benchmark, call br_state_fail() and let the loop finish");
		return BR_EFAILED;
	}
	if (st->inst->def->manual_time) {
		if (!st->manual_calls || !(st->manual_ns >= 0) || !(st->manual_ns < 9e18)) {
			run_fail(run, BR_EFAILED, "manual timing (.manual_time): the body gave no "
			         "iteration time (br_state_set_iteration_time), or a negative, NaN or "
			         "over-large sum");
			return BR_EFAILED;
		}
		st->elapsed_ns = (uint64_t)llround(st->manual_ns);
	}
	return 0;
}

/* Warm-up: call the body with doubling iteration counts until the budget is
 * spent (caches, branch predictors, page faults and frequency settle), and
 * estimate the cost of one iteration from everything run, as criterion does.
 * The doubling is capped by what the budget has left, so a slow body does
 * not overshoot the budget by a factor of two. */
static int warm_up(br_state_t *st, double budget_ns, struct br__run *run, double *est)
{
	uint64_t start = br__clock->now_ns(), n = 1;
	double spent;
	int rc;

	run->warmup_iters = 0;
	run->warmup_ns = 0;
	do {
		if ((rc = call_body(st, n, run)) != 0)
			return rc;
		run->warmup_iters += n;
		run->warmup_ns += st->elapsed_ns;
		*est = (double)run->warmup_ns / (double)run->warmup_iters;
		spent = (double)(br__clock->now_ns() - start);
		if (*est > 0 && (double)(2 * n) * *est > budget_ns - spent)
			n = (budget_ns - spent) / *est > 1 ? (uint64_t)((budget_ns - spent) / *est) : 1;
		else
			n *= 2;
		if (n > call_max(st))
			n = call_max(st);
	} while (spent < budget_ns);
	return 0;
}

/* Counters are read around the samples only: warm-up needs no counts, and
 * each read is a system call per group. */
static int take_samples(br_state_t *st, struct br__run *run,
                        struct br__counter_set *counters)
{
	unsigned k, nev = counters && counters->ncounted ? counters->n : 0;
	int rc = 0;

	run->iters = calloc(run->plan.samples, sizeof *run->iters);
	run->ns = calloc(run->plan.samples, sizeof *run->ns);
	if (nev) {
		run->counters = counters;
		run->ctr_delta = calloc((size_t)run->plan.samples * nev, sizeof *run->ctr_delta);
		run->ctr_running = calloc((size_t)run->plan.samples * nev,
		                          sizeof *run->ctr_running);
	}
	if (!run->iters || !run->ns || (nev && (!run->ctr_delta || !run->ctr_running))) {
		run_fail(run, BR_ENOMEM_ALLOC, br_strerror(BR_ENOMEM_ALLOC));
		return BR_ENOMEM_ALLOC;
	}
	st->ctr = nev ? counters : NULL;
	st->sampling = 1;
	for (k = 1; k <= run->plan.samples; k++) {
		uint64_t n = br__plan_iters(&run->plan, k);
		rc = call_body(st, n, run);
		if (st->cg) {
			cg_stop(st);  /* a body that left BR_ITERATE early */
			if (rc == 0)
				br__cg_dump(k);
		}
		if (rc != 0)
			break;
		run->iters[k - 1] = n;
		run->ns[k - 1] = st->elapsed_ns;
		if (nev)
			br__counter_deltas(counters, &st->c0, &st->c1,
			                   run->ctr_delta + (size_t)(k - 1) * nev,
			                   run->ctr_running + (size_t)(k - 1) * nev);
		run->nsamples = k;
	}
	st->ctr = NULL;
	st->sampling = 0;
	return k > run->plan.samples ? 0 : rc;
}

/* Set up the state and run the instance's setup; 0 or BR_ESETUP. */
static int begin(const struct br__instance *inst, br_state_t *st, struct br__run *run)
{
	memset(run, 0, sizeof *run);
	memset(st, 0, sizeof *st);
	run->inst = inst;
	st->inst = inst;
	st->bytes_per_iter = inst->def->bytes_per_iter;
	st->items_per_iter = inst->def->items_per_iter;
	copy_reason(run->label, sizeof run->label, inst->def->label ? inst->def->label : "");
	if (inst->def->skip) {
		run_fail(run, BR_ESKIPPED, inst->def->skip);
		return run->status;
	}
	if (inst->def->setup && inst->def->setup(st) != 0) {
		if (asked_to_stop(st, run, BR_ESETUP) == 0)
			run_fail(run, BR_ESETUP, br_strerror(BR_ESETUP));
		return run->status;
	}
	if (asked_to_stop(st, run, BR_ESETUP) != 0 && inst->def->teardown)
		inst->def->teardown(st);  /* set up, then skipped */
	return run->status;
}

/* Teardown runs after a setup that succeeded, whatever came after. */
static void finish(br_state_t *st, struct br__run *run)
{
	if (st->inst->def->teardown)
		st->inst->def->teardown(st);
	/* Threads: throughput is the sum over them. */
	run->bytes_per_iter = st->bytes_per_iter * br_state_threads(st);
	run->items_per_iter = st->items_per_iter * br_state_threads(st);
	if (st->labelled)
		copy_reason(run->label, sizeof run->label, st->label);
	memcpy(run->ucount, st->ucount, sizeof run->ucount);
	run->nucount = st->nucount;
}

/* The instruction measure: no warm-up or planning by time, so every
 * process runs the same iterations.  One call of a step's iterations,
 * instrumented but not collected, settles what the counts can depend on
 * (lazy binding of library calls, the simulated caches); then sample k runs
 * k steps with collection on inside the loop only, dumped after it.  The
 * samples' times are Valgrind's, not the program's: the harness replaces
 * them with the dumped counts, and the slope over the ramp cancels the
 * loop's fixed cost (entry, exit, the requests themselves) exactly. */
static int count_samples(br_state_t *st, const struct br__settings *s, struct br__run *run)
{
	uint64_t step = st->inst->def->iterations ? st->inst->def->iterations
	                : s->step_iters ? s->step_iters : 1;
	int rc;

	run->plan = (struct br__plan){.step_iters = step, .samples = s->samples};
	br__plan_cap(&run->plan, call_max(st));
	step = run->plan.step_iters;
	br__cg_instrument(1);
	if ((rc = call_body(st, step, run)) == 0) {
		run->warmup_iters = step;
		run->warmup_ns = st->elapsed_ns;
		st->cg = 1;
		rc = take_samples(st, run, NULL);
		st->cg = 0;
	}
	br__cg_instrument(0);
	return rc;
}

/* A definition's fixed iteration count: every sample runs exactly that
 * many (a flat plan whatever the harness imposes), after a warm-up of one
 * call of as many. */
static int fixed_plan(br_state_t *st, const struct br__settings *s, struct br__run *run)
{
	uint64_t n = st->inst->def->iterations;
	int rc;

	if (n > call_max(st))
		n = call_max(st);
	if ((rc = call_body(st, n, run)) != 0)
		return rc;
	run->warmup_iters = n;
	run->warmup_ns = st->elapsed_ns;
	run->plan = (struct br__plan){.flat = 1, .flat_iters = n, .samples = s->samples};
	return 0;
}

/* Largest iteration count of one counted call: enough to see a leak of a
 * byte per iteration, few enough that a leaking body's counted blocks stay
 * small. */
#define MEM_CALL_MAX 1000

/* --memory: after the samples, two untimed calls of n and 2n iterations
 * with the allocator counted around their loops; the figures per
 * iteration are their differences over n, so that whatever a call does
 * once (a lazily made buffer) cancels. */
static int memory_calls(br_state_t *st, struct br__run *run)
{
	struct br__mem_count c[2];
	uint64_t n = 1;
	double per;
	struct rusage ru;
	int rc = 0;

	for (unsigned k = 0; k < run->nsamples; k++)
		if (run->iters[k] > n)
			n = run->iters[k];
	if (n > MEM_CALL_MAX)
		n = MEM_CALL_MAX;
	for (int i = 0; i < 2 && rc == 0; i++) {
		memset(&st->memc, 0, sizeof st->memc);
		st->mem = 1;
		rc = call_body(st, n * (uint64_t)(i + 1), run);
		st->mem = 0;
		c[i] = st->memc;
	}
	if (rc != 0)
		return rc;
	per = (double)n * br_state_threads(st);
	run->mem = (struct br__mem_result){
		1, ((double)c[1].allocs - (double)c[0].allocs) / per,
		((double)c[1].bytes - (double)c[0].bytes) / per,
		((double)c[1].frees - (double)c[0].frees) / per,
		((double)c[1].reallocs - (double)c[0].reallocs) / per,
		((double)c[1].live - (double)c[0].live) / per, (double)c[1].peak, NAN};
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		run->mem.max_rss = (double)ru.ru_maxrss * 1024;
	return 0;
}

int br__run_measure(const struct br__instance *inst, const struct br__settings *s,
                    struct br__run *run)
{
	br_state_t st;
	double est = 0;
	int rc;

	assert(inst && s && run && s->samples > 0);
	if ((rc = begin(inst, &st, run)) != 0)
		return rc;
	if (s->instructions) {
		rc = count_samples(&st, s, run);
		finish(&st, run);
		return rc;
	}
	if (inst->def->iterations)
		rc = fixed_plan(&st, s, run);
	else if ((rc = warm_up(&st, s->warmup_ns, run, &est)) == 0) {
		double measure_ns = inst->def->measure_time > 0 ? inst->def->measure_time * 1e9
		                                                : s->measure_ns;
		br__plan_make_mode(est, measure_ns, s->samples, s->plan_mode, &run->plan);
	}
	if (rc == 0) {
		br__plan_cap(&run->plan, call_max(&st));
		rc = take_samples(&st, run, s->counters);
	}
	if (rc == 0 && s->memory)
		rc = memory_calls(&st, run);
	finish(&st, run);
	return rc;
}

/* Loop time per profiled call, after which the ring is drained.  Short
 * enough that the ring does not fill: a sample with a dozen frames is
 * about 130 bytes, so 10 ms is 1.3 KiB at 1000 Hz, and 130 KiB at the
 * highest rate (100 kHz), which fits the full 512 KiB ring though not the
 * smallest (32 KiB; the kernel then reports the excess as lost).  Long
 * enough that the call's fixed cost (two ioctls, two clock reads) stays far
 * below 1 %. */
#define PROFILE_CALL_NS 1e7

/* Sampled calls until profile_ns of loop time is spent, each sized from the
 * estimate of ns per iteration, the last one cut to what is left.  The
 * estimate comes from the sampled calls themselves once there is one:
 * sampling slows the loop (measured in a VM: 3-5 % at 1000 Hz, 5 times at
 * 50 kHz), so the first call, sized from the unsampled warm-up, is kept to
 * a tenth of the others lest it overflow the ring.  The sampler is disabled
 * again after every call, in case the body left its loop with break or
 * return (br__loop_stop never ran). */
static int profile_calls(br_state_t *st, struct br__sampler *smp, double profile_ns,
                         double est, struct br__run *run)
{
	uint64_t n = 1;
	int rc = 0;

	while (rc == 0 && (double)run->profile_ns < profile_ns) {
		double want = profile_ns - (double)run->profile_ns;
		double most = run->profile_iters ? PROFILE_CALL_NS : PROFILE_CALL_NS / 10;
		if (want > most)
			want = most;
		if (run->profile_ns > 0)
			est = (double)run->profile_ns / (double)run->profile_iters;
		if (est > 0)
			n = want / est >= 1 ? (uint64_t)(want / est) : 1;
		else if (run->profile_iters > 0)
			n *= 2;  /* the clock saw nothing yet: grow until it does */
		if (n > call_max(st))
			n = call_max(st);
		st->smp = smp;
		rc = call_body(st, n, run);
		st->smp = NULL;
		br__sampler_disable(smp);
		if (rc == 0) {
			run->profile_iters += n;
			run->profile_ns += st->elapsed_ns;
			if ((rc = br__sampler_drain(smp)) != 0)
				run_fail(run, rc, "cannot read the sample buffer");
		}
	}
	return rc;
}

int br__run_profile(const struct br__instance *inst, const struct br__settings *s,
                    double profile_ns, struct br__sampler *smp, struct br__run *run)
{
	br_state_t st;
	double est = 0;
	int rc;

	assert(inst && s && smp && run && profile_ns > 0);
	if ((rc = begin(inst, &st, run)) != 0)
		return rc;
	rc = warm_up(&st, s->warmup_ns, run, &est);
	if (rc == 0)
		rc = profile_calls(&st, smp, profile_ns, est, run);
	finish(&st, run);
	return rc;
}

int br__run_alloc_profile(const struct br__instance *inst, const struct br__settings *s,
                          double profile_ns, struct br__profile *prof, struct br__run *run)
{
	br_state_t st;
	double est = 0;
	uint64_t n = 1;
	int rc;

	assert(inst && s && prof && run && profile_ns > 0);
	if ((rc = begin(inst, &st, run)) != 0)
		return rc;
	if ((rc = warm_up(&st, s->warmup_ns, run, &est)) == 0) {
		/* as long a call as the CPU profile's, at most MEM_CALL_MAX
		 * iterations: every allocation is recorded, not sampled */
		if (est > 0 && profile_ns / est > 1)
			n = profile_ns / est < MEM_CALL_MAX ? (uint64_t)(profile_ns / est) : MEM_CALL_MAX;
		st.mem = 1;
		br__mem_profile(prof);
		rc = call_body(&st, n, run);
		br__mem_profile(NULL);
		st.mem = 0;
		run->profile_iters = n * br_state_threads(&st);
		run->profile_ns = st.elapsed_ns;
	}
	finish(&st, run);
	return rc;
}

void br__run_free(struct br__run *run)
{
	free(run->iters);
	free(run->ns);
	free(run->ctr_delta);
	free(run->ctr_running);
	run->iters = run->ns = NULL;
	run->ctr_delta = run->ctr_running = NULL;
}
