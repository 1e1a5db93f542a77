/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Counters in the harness: the --counters syntax check, each benchmark's
 * counter columns, per-iteration estimates, derived figures, changes, and
 * their console and JSON forms.  The worker counts; this file only reads
 * what the workers reported (docs/worker-protocol.md). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "counters.h"
#include "stats.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int counters_copy(struct counter_result **dst, const struct counter_result *src,
                  size_t n)
{
	struct counter_result *c = n ? calloc(n, sizeof *c) : NULL;

	*dst = NULL;
	if (n && !c)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		c[i] = src[i];
		c[i].name = dup_or_null(src[i].name);
		c[i].kind = dup_or_null(src[i].kind);
		c[i].role = dup_or_null(src[i].role);
		c[i].encoding = dup_or_null(src[i].encoding);
		c[i].reason = dup_or_null(src[i].reason);
		c[i].raw_per_iter = c[i].per_iter = NAN;
		c[i].running = 0;
		c[i].nprocs = 0;
		if (!c[i].name) {
			counters_free(c, n);
			return -ENOMEM;
		}
	}
	*dst = c;
	return 0;
}

void counters_free(struct counter_result *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].name);
		free(c[i].kind);
		free(c[i].role);
		free(c[i].encoding);
		free(c[i].reason);
	}
	free(c);
}

static long find(const struct counter_result *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].name && !strcmp(c[i].name, name))
			return (long)i;
	return -1;
}

int counters_remap(struct proc_run *p, const struct counter_result *from, size_t nfrom,
                   const struct counter_result *to, size_t nto)
{
	size_t rows = p->cap > p->nsamples ? p->cap : p->nsamples;
	double *d = NULL, *r = NULL;

	if (nto && rows && (!(d = malloc(rows * nto * sizeof *d)) ||
	                    !(r = malloc(rows * nto * sizeof *r)))) {
		free(d);
		return -ENOMEM;
	}
	for (size_t c = 0; c < nto; c++) {
		long f = p->ctr_delta && p->nctr == nfrom ? find(from, nfrom, to[c].name) : -1;
		for (size_t k = 0; k < p->nsamples; k++) {
			d[k * nto + c] = f < 0 ? NAN : p->ctr_delta[k * nfrom + (size_t)f];
			r[k * nto + c] = f < 0 ? 0 : p->ctr_running[k * nfrom + (size_t)f];
		}
	}
	free(p->ctr_delta);
	free(p->ctr_running);
	p->ctr_delta = d;
	p->ctr_running = r;
	p->nctr = nto;
	return 0;
}

double counters_proc_per_iter(const struct proc_run *p, size_t c, double *work)
{
	size_t n = p->nsamples, m = 0;
	double *x = work, *y = work + n, *pairs = work + 2 * n, slope;
	int err;

	if (!p->ctr_delta || c >= p->nctr)
		return NAN;
	for (size_t k = 0; k < n; k++) {
		double d = p->ctr_delta[k * p->nctr + c];
		if (isfinite(d)) {
			x[m] = (double)p->samples[k].iters;
			y[m++] = d;
		}
	}
	if (m == 0)
		return NAN;
	/* As for time (analysis.c): Theil-Sen, so one sample that took a
	 * page fault or a context switch does not move the estimate. */
	err = stats_slope_theil_sen(x, y, m, pairs, &slope);
	if (err != -EDOM)
		return slope;
	for (size_t k = 0; k < m; k++)
		pairs[k] = y[k] / x[k];
	return stats_median(pairs, m);
}

/* Doubles of scratch counters_proc_per_iter needs for n samples: x, y,
 * then Theil-Sen's or the flat fallback's ratios. */
static size_t work_size(size_t n)
{
	size_t ts = stats_theil_sen_work(n);

	return 2 * n + (ts > n ? ts : n) + 1;
}

size_t counters_per_process(const struct bench_result *b, const char *role, double *out)
{
	size_t c, n = 0, maxlen = 1;
	double *work;

	for (c = 0; c < b->ncounters; c++)
		if (b->counters[c].counted && b->counters[c].role &&
		    !strcmp(b->counters[c].role, role))
			break;
	if (c == b->ncounters)
		return 0;
	for (size_t i = 0; i < b->nprocs; i++)
		if (b->procs[i].nsamples > maxlen)
			maxlen = b->procs[i].nsamples;
	if (!(work = malloc(work_size(maxlen) * sizeof *work)))
		return 0;
	for (size_t i = 0; i < b->nprocs; i++) {
		double v = b->procs[i].nsamples >= 2 ? counters_proc_per_iter(&b->procs[i], c, work)
		                                     : NAN;
		if (isfinite(v))
			out[n++] = v;
	}
	free(work);
	return n;
}

double counters_net(double raw_per_iter, double loop_per_iter)
{
	return isfinite(loop_per_iter) ? raw_per_iter - loop_per_iter : raw_per_iter;
}

double counters_ratio(double num, double den, double scale)
{
	if (!isfinite(num) || !isfinite(den) || !(den > 0))
		return NAN;
	return num / den * scale;
}

int counters_analyse(struct bench_result *b)
{
	size_t maxn = 0;
	int any = 0;
	double *work;

	for (size_t i = 0; i < b->nprocs; i++) {
		maxn = b->procs[i].nsamples > maxn ? b->procs[i].nsamples : maxn;
		any |= b->procs[i].ctr_delta != NULL && b->procs[i].nctr > 0;
	}
	/* Estimates read from a results document without the per-sample
	 * values stay as they were read. */
	if (!any)
		return 0;
	if (!(work = malloc(work_size(maxn) * sizeof *work)))
		return -ENOMEM;
	for (size_t c = 0; c < b->ncounters; c++) {
		struct counter_result *cr = &b->counters[c];
		double sum = 0, run = 0;
		size_t np = 0, ns = 0;
		for (size_t i = 0; cr->counted && i < b->nprocs; i++) {
			const struct proc_run *p = &b->procs[i];
			double v = counters_proc_per_iter(p, c, work);
			if (isfinite(v)) {
				sum += v;
				np++;
			}
			for (size_t k = 0; p->ctr_running && c < p->nctr && k < p->nsamples; k++, ns++)
				run += p->ctr_running[k * p->nctr + c];
		}
		/* Processes weigh equally, as in the time estimate. */
		cr->raw_per_iter = np ? sum / (double)np : NAN;
		cr->per_iter = counters_net(cr->raw_per_iter, cr->loop_per_iter);
		cr->running = ns ? run / (double)ns : 0;
		cr->nprocs = np;
	}
	free(work);
	return 0;
}

static const struct counter_result *by_role(const struct bench_result *b, const char *role)
{
	for (size_t i = 0; i < b->ncounters; i++)
		if (b->counters[i].counted && b->counters[i].role &&
		    !strcmp(b->counters[i].role, role) && isfinite(b->counters[i].raw_per_iter))
			return &b->counters[i];
	return NULL;
}

void counters_derive(const struct bench_result *b, struct counter_derived *d)
{
	const struct counter_result *ins = by_role(b, "instructions");
	const struct counter_result *cyc = by_role(b, "cycles");
	const struct counter_result *bm = by_role(b, "branch-misses");
	const struct counter_result *cm = by_role(b, "cache-misses");
	double i = ins ? ins->raw_per_iter : NAN;

	d->ipc = counters_ratio(i, cyc ? cyc->raw_per_iter : NAN, 1);
	d->branch_mpki = counters_ratio(bm ? bm->raw_per_iter : NAN, i, 1000);
	d->cache_mpki = counters_ratio(cm ? cm->raw_per_iter : NAN, i, 1000);
}

size_t counters_change(const struct bench_result *before, const struct bench_result *after,
                       struct counter_change *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < after->ncounters && n < cap; i++) {
		const struct counter_result *a = &after->counters[i];
		long j = before ? find(before->counters, before->ncounters, a->name) : -1;
		struct counter_change *c = &out[n++];

		c->name = a->name;
		c->after = a->counted ? a->per_iter : NAN;
		c->before = j >= 0 && before->counters[j].counted ? before->counters[j].per_iter
		                                                   : NAN;
		if (!isfinite(c->before) || !isfinite(c->after))
			c->change = NAN;
		else if (c->before == 0)
			c->change = c->after == 0 ? 0 : NAN;
		else
			c->change = c->after / c->before - 1;
	}
	return n;
}

char *counters_change_format(char *buf, size_t len, const struct counter_change *c,
                             size_t n)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int w;
		if (!isfinite(c[i].change))
			continue;
		w = snprintf(buf + used, len - used, "%s%s %+.1f%%", used ? ", " : "",
		             c[i].name, c[i].change * 100);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* A count per iteration in at most about six characters of digits. */
static void fmt_value(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, len, "n/a");
	else if (a >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1 || v == 0)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

void counters_print(FILE *out, const struct bench_result *b)
{
	const char *sep = "    per iteration:";
	struct counter_derived d;
	char v[32];

	for (size_t i = 0; i < b->ncounters; i++) {
		const struct counter_result *c = &b->counters[i];
		if (!c->counted) {
			/* Defaults the machine cannot count were not asked for. */
			if (c->requested)
				fprintf(out, "%s %s not counted", sep, c->name);
			sep = c->requested ? "," : sep;
			continue;
		}
		fmt_value(v, sizeof v, c->per_iter);
		fprintf(out, "%s %s %s", sep, c->name, v);
		if (isfinite(c->loop_per_iter))
			fprintf(out, " (loop's %.3g subtracted)", c->loop_per_iter);
		if (c->nprocs && c->running < 0.999)
			fprintf(out, " (on the PMU %.0f%% of the time, scaled)", c->running * 100);
		sep = ",";
	}
	counters_derive(b, &d);
	if (isfinite(d.ipc))
		fprintf(out, "%s IPC %.2f", sep, d.ipc);
	if (isfinite(d.branch_mpki))
		fprintf(out, "%s branch-misses/1k instructions %.3g", sep, d.branch_mpki);
	if (isfinite(d.cache_mpki))
		fprintf(out, "%s cache-misses/1k instructions %.3g", sep, d.cache_mpki);
	if (sep[0] == ',')
		fputc('\n', out);
}

void counters_print_list(FILE *out, const struct counter_result *c, size_t n)
{
	for (int hw = 1; hw >= 0; hw--) {
		fprintf(out, "%s events:\n", hw ? "hardware" : "software");
		for (size_t i = 0; i < n; i++) {
			int is_hw = c[i].kind && !strcmp(c[i].kind, "hardware");
			if (is_hw != hw)
				continue;
			if (c[i].counted)
				fprintf(out, "  %-24s yes%s\n", c[i].name,
				        c[i].kernel ? " (counted in kernel mode too)" : "");
			else
				fprintf(out, "  %-24s no: %s\n", c[i].name,
				        c[i].reason ? c[i].reason : "not counted");
		}
	}
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *counters_json(const struct bench_result *b)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < b->ncounters; i++) {
		const struct counter_result *c = &b->counters[i];
		json_array_append_new(arr, json_pack(
			"{s:s, s:o, s:o, s:o, s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:I}",
			"name", c->name, "kind", str_or_null(c->kind), "role", str_or_null(c->role),
			"encoding", str_or_null(c->encoding),
			"status", c->counted ? "counted" : "unavailable",
			"reason", str_or_null(c->reason), "requested", c->requested,
			"kernel", c->kernel, "per_iter", num(c->per_iter),
			"raw_per_iter", num(c->raw_per_iter), "loop_per_iter", num(c->loop_per_iter),
			"running", num(c->running), "nprocs", (json_int_t)c->nprocs));
	}
	return arr;
}

json_t *counters_json_derived(const struct bench_result *b)
{
	struct counter_derived d;

	counters_derive(b, &d);
	return json_pack("{s:o, s:o, s:o}", "instructions_per_cycle", num(d.ipc),
	                 "branch_misses_per_kilo_instruction", num(d.branch_mpki),
	                 "cache_misses_per_kilo_instruction", num(d.cache_mpki));
}

json_t *counters_json_process(const struct bench_result *b, const struct proc_run *p)
{
	json_t *obj = json_object();

	for (size_t c = 0; obj && p->ctr_delta && c < b->ncounters && c < p->nctr; c++) {
		json_t *arr;
		if (!b->counters[c].counted)
			continue;
		arr = json_array();
		for (size_t k = 0; k < p->nsamples; k++)
			json_array_append_new(arr, json_pack("[o, o]",
			                                     num(p->ctr_delta[k * p->nctr + c]),
			                                     num(p->ctr_running[k * p->nctr + c])));
		json_object_set_new(obj, b->counters[c].name, arr);
	}
	return obj;
}

static char *json_dup(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? strdup(s) : NULL;
}

static double json_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

int counters_from_json(json_t *bench, struct bench_result *b, char *err, size_t errlen)
{
	json_t *arr = json_object_get(bench, "counters"), *o;
	size_t i;

	b->counters = NULL;
	b->ncounters = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > BR__PROTO_COUNTERS_MAX * 2) {
		snprintf(err, errlen, "\"counters\" is not an array of at most %d counters",
		         BR__PROTO_COUNTERS_MAX * 2);
		return -1;
	}
	if (json_array_size(arr) && !(b->counters = calloc(json_array_size(arr),
	                                                   sizeof *b->counters))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, o) {
		struct counter_result *c = &b->counters[i];
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *status = json_string_value(json_object_get(o, "status"));
		if (!json_is_object(o) || !name || !status) {
			snprintf(err, errlen, "counters[%zu]: no \"name\" or \"status\"", i);
			return -1;
		}
		b->ncounters = i + 1;
		c->name = strdup(name);
		c->kind = json_dup(o, "kind");
		c->role = json_dup(o, "role");
		c->encoding = json_dup(o, "encoding");
		c->reason = json_dup(o, "reason");
		c->counted = !strcmp(status, "counted");
		c->requested = json_is_true(json_object_get(o, "requested"));
		c->kernel = json_is_true(json_object_get(o, "kernel"));
		c->per_iter = json_num(o, "per_iter");
		c->raw_per_iter = json_num(o, "raw_per_iter");
		c->loop_per_iter = json_num(o, "loop_per_iter");
		c->running = json_num(o, "running");
		c->nprocs = (size_t)json_integer_value(json_object_get(o, "nprocs"));
		if (!c->name) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int counters_process_from_json(json_t *proc, const struct bench_result *b,
                               struct proc_run *p, char *err, size_t errlen)
{
	json_t *obj = json_object_get(proc, "counters");
	size_t n = b->ncounters, rows = p->cap > p->nsamples ? p->cap : p->nsamples;

	if (!obj || n == 0)
		return 0;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "process \"counters\" is not an object");
		return -1;
	}
	p->ctr_delta = malloc((rows ? rows : 1) * n * sizeof *p->ctr_delta);
	p->ctr_running = malloc((rows ? rows : 1) * n * sizeof *p->ctr_running);
	if (!p->ctr_delta || !p->ctr_running) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->nctr = n;
	for (size_t c = 0; c < n; c++) {
		json_t *arr = json_object_get(obj, b->counters[c].name);
		if (arr && (!json_is_array(arr) || json_array_size(arr) != p->nsamples)) {
			snprintf(err, errlen, "counter '%s': not one pair per sample",
			         b->counters[c].name);
			return -1;
		}
		for (size_t k = 0; k < p->nsamples; k++) {
			json_t *pair = arr ? json_array_get(arr, k) : NULL;
			json_t *d = json_array_get(pair, 0), *r = json_array_get(pair, 1);
			p->ctr_delta[k * n + c] = json_is_number(d) ? json_number_value(d) : NAN;
			p->ctr_running[k * n + c] = json_is_number(r) ? json_number_value(r) : 0;
		}
	}
	return 0;
}
