/* SPDX-License-Identifier: GPL-3.0-or-later */
/* User counters (see usercounters.h). */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "brproto.h"
#include "stats.h"
#include "units.h"
#include "escape.h"
#include "usercounters.h"

static const char *const kind_names[] = {"value", "per_iter", "rate"};

void user_counters_free(struct user_counter *u, size_t n)
{
	for (size_t i = 0; u && i < n; i++) {
		free(u[i].name);
		free(u[i].vals);
	}
	free(u);
}

static struct user_counter *find(const struct bench_result *b, const char *name)
{
	for (size_t i = 0; i < b->nuser; i++)
		if (!strcmp(b->user[i].name, name))
			return &b->user[i];
	return NULL;
}

static const struct {
	const char *key, *name, *label, *unit;
	int kind;
} mem_figures[] = {
	{"allocs", USER_MEM_ALLOCS, "allocs", "/iter", USER_PER_ITER},
	{"bytes", USER_MEM_BYTES, "bytes", "B/iter", USER_PER_ITER},
	{"frees", USER_MEM_FREES, "frees", "/iter", USER_PER_ITER},
	{"reallocs", USER_MEM_REALLOCS, "reallocs", "/iter", USER_PER_ITER},
	{"leaked", USER_MEM_LEAKED, "leaked", "B/iter", USER_PER_ITER},
	{"peak", USER_MEM_PEAK, "peak", "B", USER_VALUE},
	{"max_rss", USER_MEM_MAX_RSS, "max RSS", "B", USER_VALUE},
};
#define NMEM (sizeof mem_figures / sizeof mem_figures[0])

/* Index of memory figure `name` in mem_figures, or -1. */
static int mem_index(const char *name)
{
	for (size_t i = 0; i < NMEM; i++)
		if (!strcmp(mem_figures[i].name, name))
			return (int)i;
	return -1;
}

int user_counter_is_memory(const char *name)
{
	return mem_index(name) >= 0;
}

const char *user_counter_memory_name(const char *key, int *kind)
{
	for (size_t i = 0; i < NMEM; i++)
		if (!strcmp(mem_figures[i].key, key)) {
			*kind = mem_figures[i].kind;
			return mem_figures[i].name;
		}
	return NULL;
}

double user_counter_mean(const struct bench_result *b, const char *name)
{
	const struct user_counter *u = b ? find(b, name) : NULL;

	return u ? u->mean : NAN;
}

size_t user_counters_count(const struct bench_result *b, int memory)
{
	size_t n = 0;

	for (size_t i = 0; i < b->nuser; i++)
		n += !user_counter_is_memory(b->user[i].name) == !memory;
	return n;
}

int user_counter_name_ok(const char *name)
{
	return *name && strlen(name) < BR__PROTO_USER_NAME_MAX && !strchr(name, ':') && escape_is_clean(name);
}

/* A new counter of b, with room for `nprocs` figures, none yet. */
static struct user_counter *add(struct bench_result *b, const char *name, int kind,
                                size_t nprocs)
{
	struct user_counter *u = realloc(b->user, (b->nuser + 1) * sizeof *u);

	if (!u)
		return NULL;
	b->user = u;
	u = &u[b->nuser];
	memset(u, 0, sizeof *u);
	u->kind = kind;
	u->mean = u->lo = u->hi = NAN;
	if (!(u->name = strdup(name)) || !(u->vals = malloc((nprocs + 1) * sizeof *u->vals))) {
		free(u->name);
		return NULL;
	}
	for (size_t p = 0; p <= nprocs; p++)
		u->vals[p] = NAN;
	b->nuser++;
	return u;
}

int user_counters_add_process(struct bench_result *b, const struct user_counter *from,
                              size_t n)
{
	size_t p = b->nprocs ? b->nprocs - 1 : 0;

	for (size_t i = 0; i < n; i++)
		if (!find(b, from[i].name) && !add(b, from[i].name, from[i].kind, b->nprocs))
			return -1;
	for (size_t i = 0; i < b->nuser; i++) {
		struct user_counter *u = &b->user[i];
		double *v = realloc(u->vals, (b->nprocs + 1) * sizeof *v);
		if (!v)
			return -1;
		u->vals = v;
		v[p] = NAN;
		for (size_t k = 0; k < n; k++)
			if (!strcmp(from[k].name, u->name) && from[k].kind == u->kind)
				v[p] = from[k].vals[0];
	}
	return 0;
}

void user_counters_analyse(struct bench_result *b, double conf)
{
	for (size_t i = 0; i < b->nuser; i++) {
		struct user_counter *u = &b->user[i];
		double *x = malloc((b->nprocs + 1) * sizeof *x), sd, t;
		u->mean = u->lo = u->hi = NAN;
		u->n = x ? user_counter_per_process(b, u->name, x) : 0;  /* no memory: no figure */
		if (x && u->n)
			u->mean = stats_mean(x, u->n);
		if (x && u->n >= 2) {
			sd = stats_sd(x, u->n);
			t = gsl_cdf_tdist_Pinv((1 + conf) / 2, (double)(u->n - 1));
			u->lo = u->mean - t * sd / sqrt((double)u->n);
			u->hi = u->mean + t * sd / sqrt((double)u->n);
		}
		free(x);
	}
}

const char *user_counter_unit(int kind)
{
	return kind == USER_PER_ITER ? "/iter" : kind == USER_RATE ? "/s" : "";
}

/* Figure v of a counter shown in `unit`: bytes with their prefix ("6.856
 * MB", "64 B/iter"), anything else as %.4g and the unit. */
static char *figure(char *buf, size_t len, double v, const char *unit)
{
	if (unit[0] == 'B') {
		units_bytes(buf, len, v);
		if (unit[1])
			snprintf(buf + strlen(buf), len - strlen(buf), "%s", unit + 1);
	} else {
		snprintf(buf, len, "%.4g%s", v, unit);
	}
	return buf;
}

/* The label and unit counter u is shown with. */
static void label_of(const struct user_counter *u, const char **label, const char **unit)
{
	int m = mem_index(u->name);

	*label = m >= 0 ? mem_figures[m].label : u->name;
	*unit = m >= 0 ? mem_figures[m].unit : user_counter_unit(u->kind);
}

char *user_counters_format(char *buf, size_t len, const struct bench_result *b, int memory)
{
	size_t o = 0;
	int first = 1;

	buf[0] = '\0';
	for (size_t i = 0; i < b->nuser && o < len; i++) {
		const struct user_counter *u = &b->user[i];
		const char *label, *unit;
		if (!user_counter_is_memory(u->name) != !memory)
			continue;
		char v[48], lo[48], hi[48];
		label_of(u, &label, &unit);
		o += (size_t)snprintf(buf + o, len - o, "%s%s %s", first ? "" : ", ", label,
		                      figure(v, sizeof v, u->mean, unit));
		first = 0;
		if (o < len && isfinite(u->lo) && (!memory || u->lo != u->hi))
			o += (size_t)snprintf(buf + o, len - o, " [%s, %s]",
			                      figure(lo, sizeof lo, u->lo, unit[0] == 'B' ? "B" : ""),
			                      figure(hi, sizeof hi, u->hi, unit[0] == 'B' ? "B" : ""));
	}
	return buf;
}

char *user_counters_change_format(char *buf, size_t len, const struct bench_result *before,
                                  const struct bench_result *b, int memory)
{
	size_t o = 0;
	int first = 1;

	buf[0] = '\0';
	for (size_t i = 0; i < b->nuser && o < len; i++) {
		const struct user_counter *u = &b->user[i];
		const struct user_counter *w = before ? find(before, u->name) : NULL;
		const char *label, *unit;
		if (!user_counter_is_memory(u->name) != !memory)
			continue;
		char v0[48], v1[48];
		label_of(u, &label, &unit);
		if (w && w->kind == u->kind && isfinite(w->mean)) {
			o += (size_t)snprintf(buf + o, len - o, "%s%s %s -> %s", first ? "" : ", ", label,
			                      figure(v0, sizeof v0, w->mean, unit),
			                      figure(v1, sizeof v1, u->mean, unit));
			if (o < len && w->mean != 0)
				o += (size_t)snprintf(buf + o, len - o, " (%+.1f%%)",
				                      100 * (u->mean / w->mean - 1));
		} else
			o += (size_t)snprintf(buf + o, len - o, "%s%s %s", first ? "" : ", ", label,
			                      figure(v1, sizeof v1, u->mean, unit));
		first = 0;
	}
	return buf;
}

/* A number, or null when it is not finite. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *user_counters_json(const struct bench_result *b)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < b->nuser; i++) {
		const struct user_counter *u = &b->user[i];
		json_t *per = json_array();
		for (size_t p = 0; per && p < b->nprocs; p++)
			json_array_append_new(per, num(u->vals[p]));
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "name",
		                                   u->name, "kind", kind_names[u->kind], "unit",
		                                   user_counter_unit(u->kind), "mean", num(u->mean),
		                                   "lo", num(u->lo), "hi", num(u->hi),
		                                   "per_process", per));
	}
	return a;
}

int user_counters_from_json(json_t *o, struct bench_result *b, char *err, size_t errlen)
{
	json_t *arr = json_object_get(o, "user_counters"), *c;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return snprintf(err, errlen, "\"user_counters\" must be an array"), -1;
	json_array_foreach(arr, i, c) {
		const char *name, *kind;
		json_t *per, *v;
		struct user_counter *u;
		json_error_t je;
		size_t p;
		int k = 0;
		if (json_unpack_ex(c, &je, 0, "{s:s, s:s, s:o}", "name", &name, "kind", &kind,
		                   "per_process", &per) != 0)
			return snprintf(err, errlen, "user_counters[%zu]: %s", i, je.text), -1;
		while (k < 3 && strcmp(kind_names[k], kind) != 0)
			k++;
		if (k == 3 || !(user_counter_name_ok(name) || user_counter_is_memory(name)) ||
		    find(b, name))
			return snprintf(err, errlen, "user_counters[%zu]: an unknown kind, a name that "
			                "is empty, too long, holds ':' or a control character, or a "
			                "name given twice", i), -1;
		if (!json_is_array(per) || json_array_size(per) != b->nprocs)
			return snprintf(err, errlen, "user_counters[%zu]: \"per_process\" must hold "
			                "one number or null per process", i), -1;
		if (!(u = add(b, name, k, b->nprocs)))
			return snprintf(err, errlen, "out of memory"), -1;
		json_array_foreach(per, p, v) {
			if (!json_is_number(v) && !json_is_null(v))
				return snprintf(err, errlen, "user_counters[%zu].per_process[%zu]: "
				                "must be a number or null", i, p), -1;
			u->vals[p] = json_is_number(v) ? json_number_value(v) : NAN;
		}
		u->mean = json_is_number(json_object_get(c, "mean")) ?
		          json_number_value(json_object_get(c, "mean")) : NAN;
		u->lo = json_is_number(json_object_get(c, "lo")) ?
		        json_number_value(json_object_get(c, "lo")) : NAN;
		u->hi = json_is_number(json_object_get(c, "hi")) ?
		        json_number_value(json_object_get(c, "hi")) : NAN;
	}
	return 0;
}

size_t user_counter_per_process(const struct bench_result *b, const char *name, double *out)
{
	const struct user_counter *u = name ? find(b, name) : NULL;
	size_t n = 0;

	for (size_t p = 0; u && p < b->nprocs; p++)
		if (isfinite(u->vals[p]))
			out[n++] = u->vals[p];
	return n;
}
