/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Complexity fits of parameter sweeps (see complexity.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "complexity.h"
#include "escape.h"
#include "report_plot.h"
#include "suite.h"
#include "units.h"

static const char *const names[BIGO_COUNT] = {
	"O(1)", "O(log n)", "O(n)", "O(n log n)", "O(n^2)", "O(n^3)", "user",
};

/* What the coefficient multiplies, for the console. */
static const char *const terms[BIGO_COUNT] = {
	"", " x log n", " x n", " x n log n", " x n^2", " x n^3", " x f(n)",
};

const char *complexity_name(int c)
{
	return c >= 0 && c < BIGO_COUNT ? names[c] : "?";
}

double complexity_g(int c, double n)
{
	switch (c) {
	case BIGO_1:
		return 1;
	case BIGO_LOGN:
		return log2(n);
	case BIGO_N:
		return n;
	case BIGO_NLOGN:
		return n * log2(n);
	case BIGO_N2:
		return n * n;
	case BIGO_USER:
		return NAN;
	default:
		return n * n * n;
	}
}

/* Least squares through the origin, t ~ coef * g: coef = sum(t g) /
 * sum(g^2); the RMS of the residuals over the mean of t, as Google
 * Benchmark normalises it, so classes compare on one scale. */
int complexity_fit(const double *n, const double *t, size_t k, struct complexity_fit *out)
{
	return complexity_fit_user(n, t, NULL, k, out);
}

int complexity_fit_user(const double *n, const double *t, const double *user, size_t k,
                        struct complexity_fit *out)
{
	double mean = 0;

	if (k < 3)
		return -1;
	for (size_t i = 0; i < k; i++) {
		if (!(n[i] >= 1) || !isfinite(t[i]))
			return -1;
		mean += t[i] / (double)k;
	}
	if (!(mean > 0))
		return -1;
	out->best = -1;
	for (int c = 0; c < BIGO_COUNT; c++) {
		double tg = 0, gg = 0, ss = 0;
		for (size_t i = 0; i < k; i++) {
			double g = c == BIGO_USER ? (user ? user[i] : NAN) : complexity_g(c, n[i]);
			if (!isfinite(g))
				gg = NAN;
			tg += t[i] * g;
			gg += g * g;
		}
		out->coef[c] = gg > 0 ? tg / gg : NAN;
		for (size_t i = 0; gg > 0 && i < k; i++) {
			double g = c == BIGO_USER ? user[i] : complexity_g(c, n[i]);
			double r = t[i] - out->coef[c] * g;
			ss += r * r;
		}
		out->rms[c] = gg > 0 ? sqrt(ss / (double)k) / mean : NAN;
		if (isfinite(out->rms[c]) && (out->best < 0 || out->rms[c] < out->rms[out->best]))
			out->best = c;
	}
	return out->best >= 0 ? 0 : -1;
}

/* Sweep `axis` of b: its key in key[len] and its size in *x.  A benchmark
 * with one unnamed parameter (sort/qsort/4096) has one axis, keyed by its
 * function ("qsort"); with named parameters (sort/qsort/n:4096/dist:random)
 * each numeric one is an axis, keyed by the function and the parameters
 * with that one's value a "*" ("qsort/n:*\/dist:random"), so the other
 * parameters stay fixed along the sweep.  1 when b has that axis, else 0. */
static int sweep_axis(const struct bench_result *b, size_t axis, char *key, size_t len,
                      double *x)
{
	const char *p = b->param, *seg = p, *colon, *end, *val;
	size_t k = 0, o;
	char *stop;

	if (!b->analysis.done || b->failed || !b->group || !b->function || !p || !*p)
		return 0;
	for (; k < axis && (seg = strchr(seg, '/')); seg++, k++)
		;
	if (!seg)
		return 0;
	end = strchr(seg, '/') ? strchr(seg, '/') : seg + strlen(seg);
	/* The thread count is how the work is shared, not its size. */
	if (!strncmp(seg, "threads:", 8))
		return 0;
	colon = memchr(seg, ':', (size_t)(end - seg));
	val = colon ? colon + 1 : seg;  /* a named value, or BR_ARGS' unnamed one */
	if (val == end)
		return 0;
	errno = 0;
	*x = strtod(val, &stop);
	if (errno || stop != end || !isfinite(*x) || *x < 1)
		return 0;
	if (!colon && !*end && seg == p)  /* one unnamed parameter: the function's sweep */
		o = (size_t)snprintf(key, len, "%s", b->function);
	else
		o = (size_t)snprintf(key, len, "%s/%.*s*%s", b->function, (int)(val - p), p, end);
	return o < len;
}

/* How many parameter segments b has ("4096/threads:2" has two). */
static size_t axes_of(const struct bench_result *b)
{
	size_t n = 1;

	for (const char *p = b->param; p && (p = strchr(p, '/')); p++)
		n++;
	return n;
}

/* Whether the sweep key's remainder after the function varies the first
 * parameter: it is empty, or its first segment ends in the '*' ("n:*",
 * or a lone '*' for an unnamed size beside a thread count). */
static int first_axis(const char *rest)
{
	const char *end;

	if (!*rest)
		return 1;
	end = strchr(rest + 1, '/') ? strchr(rest + 1, '/') : rest + strlen(rest);
	return end[-1] == '*';
}

/* Whether b lies on the sweep (group, key), with its size in *x. */
static int of_sweep(const struct bench_result *b, const char *group, const char *key,
                    double *x)
{
	char k[512];

	if (!b->group || strcmp(b->group, group) != 0)
		return 0;
	for (size_t axis = 0; axis < axes_of(b); axis++)
		if (sweep_axis(b, axis, k, sizeof k, x) && !strcmp(k, key))
			return 1;
	return 0;
}

/* The fit of sweep (group of s->benches[i], key) from benchmark i on; 0
 * when it has one, -1 otherwise. */
static int fit_sweep(const struct suite *s, size_t i, const char *key,
                     struct complexity_result *r)
{
	const struct bench_result *first = &s->benches[i];
	double *n = calloc(s->nbenches + 1, sizeof *n), *t = calloc(s->nbenches + 1, sizeof *t);
	double *u = calloc(s->nbenches + 1, sizeof *u);
	/* The definition's function is of its first parameter: a sweep over
	 * that one ("qsort", or "qsort/n:*..."), every point with its value. */
	int user = first->complexity_name != NULL && first_axis(key + strlen(first->function));
	size_t k = 0;
	int rc = -1;

	for (size_t j = i; n && t && u && j < s->nbenches; j++)
		if (of_sweep(&s->benches[j], first->group, key, &n[k])) {
			const struct bench_result *b = &s->benches[j];
			user &= b->complexity_name && !strcmp(b->complexity_name,
			                                      first->complexity_name) &&
			        isfinite(b->complexity_g);
			u[k] = b->complexity_g;
			t[k++] = b->analysis.an.slope.point;
		}
	if (n && t && u && complexity_fit_user(n, t, user ? u : NULL, k, &r->fit) == 0) {
		r->npoints = k;
		r->lo = r->hi = n[0];
		for (size_t j = 1; j < k; j++) {
			r->lo = fmin(r->lo, n[j]);
			r->hi = fmax(r->hi, n[j]);
		}
		r->measure = first->measure;
		r->group = strdup(first->group);
		r->function = strdup(key);
		r->user = user ? strdup(first->complexity_name) : NULL;
		rc = r->group && r->function && (!user || r->user) ? 0 : -1;
	}
	free(n);
	free(t);
	free(u);
	return rc;
}

size_t complexity_suite(const struct suite *s, struct complexity_result **out)
{
	struct complexity_result *r = calloc(s->nbenches + 1, sizeof *r);
	size_t n = 0;

	*out = NULL;
	if (!r)
		return 0;
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		char key[512];
		double x;
		for (size_t axis = 0; axis < axes_of(b); axis++) {
			int seen = 0;
			struct complexity_result *nr;
			if (!sweep_axis(b, axis, key, sizeof key, &x))
				continue;
			for (size_t j = 0; j < i && !seen; j++)
				seen = of_sweep(&s->benches[j], b->group, key, &x);
			if (seen || fit_sweep(s, i, key, &r[n]) != 0)
				continue;
			/* Out of memory: the fits so far stand; no slot for more. */
			if (!(nr = realloc(r, (++n + 1) * sizeof *r)))
				goto done;
			r = nr;
			memset(&r[n], 0, sizeof r[n]);
		}
	}
done:
	if (!n)
		free(r);
	else
		*out = r;
	return n;
}

void complexity_results_free(struct complexity_result *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].group);
		free(r[i].function);
		free(r[i].user);
	}
	free(r);
}

/* Class c's name in r: the definition's for BIGO_USER. */
static const char *class_name(const struct complexity_result *r, int c)
{
	return c == BIGO_USER && r->user ? r->user : names[c];
}

/* The class with the second smallest RMS. */
static int runner_up(const struct complexity_fit *f)
{
	int second = -1;

	for (int c = 0; c < BIGO_COUNT; c++)
		if (c != f->best && isfinite(f->rms[c]) && (second < 0 || f->rms[c] < f->rms[second]))
			second = c;
	return second;
}

void complexity_line(char *buf, size_t len, const struct complexity_result *r)
{
	const struct complexity_fit *f = &r->fit;
	int second = runner_up(f), n;
	char coef[32];

	units_figure(coef, sizeof coef, f->coef[f->best], r->measure);
	n = snprintf(buf, len, "%s, %s%s, RMS %.1f%%", class_name(r, f->best), coef, terms[f->best],
	             100 * f->rms[f->best]);
	if (second >= 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " (next: %s, RMS %.1f%%)", class_name(r, second),
		         100 * f->rms[second]);
}

static void term(FILE *out, const char *s)
{
	escape_term(out, s, 0);
}

const struct complexity_style complexity_console = {term, "", "complexity ", "\n", ""};

void complexity_write(FILE *out, const struct suite *s, const struct complexity_style *st)
{
	struct complexity_result *r;
	size_t n = complexity_suite(s, &r);
	char line[256], range[96];

	if (n)
		fputs(st->before, out);
	for (size_t i = 0; i < n; i++) {
		complexity_line(line, sizeof line, &r[i]);
		snprintf(range, sizeof range, " (%zu sizes, %.15g to %.15g): ", r[i].npoints,
		         r[i].lo, r[i].hi);
		fputs(st->open, out);
		st->escape(out, r[i].group);
		fputc('/', out);
		st->escape(out, r[i].function);
		fputs(range, out);
		st->escape(out, line);
		fputs(st->close, out);
	}
	if (n)
		fputs(st->after, out);
	complexity_results_free(r, n);
}

json_t *complexity_json(const struct complexity_result *r, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		json_t *fits = json_object();
		for (int c = 0; fits && c < BIGO_COUNT; c++) {
			const double co = r[i].fit.coef[c], rms = r[i].fit.rms[c];
			if (c == BIGO_USER && !r[i].user)
				continue;
			json_object_set_new(fits, class_name(&r[i], c),
			                    json_pack("{s:o, s:o}",
			                              "coefficient", isfinite(co) ? json_real(co)
			                                                          : json_null(),
			                              "rms", isfinite(rms) ? json_real(rms)
			                                                   : json_null()));
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:f, s:f, s:s, s:f, s:f, s:o}",
		                      "group", r[i].group, "function", r[i].function,
		                      "sizes", (json_int_t)r[i].npoints, "lo", r[i].lo, "hi", r[i].hi,
		                      "best", class_name(&r[i], r[i].fit.best),
		                      "coefficient", r[i].fit.coef[r[i].fit.best],
		                      "rms", r[i].fit.rms[r[i].fit.best], "fits", fits));
	}
	return a;
}
