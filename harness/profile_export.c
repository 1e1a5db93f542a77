/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A profile's stacks for other tools: pprof (profile.proto through
 * protobuf-c, gzip-compressed by zlib), speedscope's JSON and a DOT call
 * graph that graphviz's `dot`, an external program, renders.  All three
 * number functions by the strcmp order of their names and list stacks in
 * strcmp order, so a profile gives the same bytes whatever the order its
 * stacks were added in. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "escape.h"
#include "msg.h"
#include "proc.h"
#include "profile.h"
#include "profile.pb-c.h"
#include "profile_export.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

/* The distinct function names of one or two profiles, in strcmp order;
 * the strings are the profiles'. */
struct names {
	const char **v;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int names_collect(struct names *t, const struct flame_profile *a,
                         const struct flame_profile *b)
{
	size_t cap = 0, k = 0;

	for (size_t i = 0; i < a->n; i++)
		cap += a->stacks[i].nframes;
	for (size_t i = 0; b && i < b->n; i++)
		cap += b->stacks[i].nframes;
	t->n = 0;
	if (!(t->v = malloc((cap ? cap : 1) * sizeof *t->v)))
		return -1;
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < a->stacks[i].nframes; j++)
			t->v[k++] = a->stacks[i].frames[j];
	for (size_t i = 0; b && i < b->n; i++)
		for (size_t j = 0; j < b->stacks[i].nframes; j++)
			t->v[k++] = b->stacks[i].frames[j];
	qsort(t->v, k, sizeof *t->v, cmp_str);
	for (size_t i = 0; i < k; i++)
		if (!t->n || strcmp(t->v[t->n - 1], t->v[i]) != 0)
			t->v[t->n++] = t->v[i];
	return 0;
}

/* The index of `s`, which is one of t's names. */
static size_t names_index(const struct names *t, const char *s)
{
	const char **hit = bsearch(&s, t->v, t->n, sizeof *t->v, cmp_str);

	return (size_t)(hit - t->v);
}

static int cmp_stack(const void *pa, const void *pb)
{
	const struct flame_stack *a = *(const struct flame_stack *const *)pa;
	const struct flame_stack *b = *(const struct flame_stack *const *)pb;

	for (size_t i = 0; i < a->nframes && i < b->nframes; i++) {
		int c = strcmp(a->frames[i], b->frames[i]);
		if (c)
			return c;
	}
	return (a->nframes > b->nframes) - (a->nframes < b->nframes);
}

/* p's stacks in strcmp order (frame by frame, root first); an array owned
 * by the caller, or NULL (out of memory). */
static const struct flame_stack **stacks_sorted(const struct flame_profile *p)
{
	const struct flame_stack **s = malloc((p->n ? p->n : 1) * sizeof *s);

	if (!s)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		s[i] = &p->stacks[i];
	qsort(s, p->n, sizeof *s, cmp_stack);
	return s;
}

/* One sample of an export: a stack with up to two values (an allocation
 * profile's bytes stack may lack a counts stack or the reverse: an
 * allocation of 0 bytes). */
struct row {
	const struct flame_stack *stack;
	uint64_t v[2];
};

/* The rows of p: its stacks with their count (CPU: samples; allocation:
 * bytes) in v[1] and, for an allocation profile with counts, the
 * allocations in v[0], merged by stack.  Returns the count of rows in
 * *out (owned by the caller), or -1 (out of memory). */
static long rows_make(const struct profile *p, struct row **out)
{
	const struct flame_profile *c = p->alloc && p->counts.n ? &p->counts : NULL;
	const struct flame_stack **a = stacks_sorted(&p->stacks);
	const struct flame_stack **b = c ? stacks_sorted(c) : NULL;
	size_t i = 0, j = 0, n = 0, nb = c ? c->n : 0;
	struct row *r = malloc((p->stacks.n + nb + 1) * sizeof *r);

	if (!a || (c && !b) || !r) {
		free(a);
		free(b);
		free(r);
		return -1;
	}
	while (i < p->stacks.n || j < nb) {
		int d = i == p->stacks.n ? 1 : j == nb ? -1 : cmp_stack(&a[i], &b[j]);
		r[n].stack = d <= 0 ? a[i] : b[j];
		r[n].v[0] = d >= 0 ? b[j++]->count : 0;
		r[n++].v[1] = d <= 0 ? a[i++]->count : 0;
	}
	free(a);
	free(b);
	*out = r;
	return (long)n;
}

/* The nanoseconds of `samples` samples at freq_hz: each stands for one
 * period of the sampling clock; 0 without a frequency. */
static double cpu_ns(uint64_t samples, unsigned freq_hz)
{
	return freq_hz ? (double)samples * (1e9 / freq_hz) : 0;
}

/* A count as protobuf's int64, held at its largest. */
static int64_t to_i64(double v)
{
	return v >= 9.2e18 ? INT64_MAX : (int64_t)llround(v);
}

/* A profile message and the arrays it points into, as one set to free. */
struct pb_build {
	pb_profile prof;
	pb_value_type vt[2], *vtp[2], period_type;
	char **strings;
	pb_function *fn, **fnp;
	pb_location *loc, **locp;
	pb_line *line, **linep;
	pb_sample *smp, **smpp;
	uint64_t *ids;
	int64_t *vals;
};

static void pb_build_free(struct pb_build *b)
{
	free(b->strings);
	free(b->fn);
	free(b->fnp);
	free(b->loc);
	free(b->locp);
	free(b->line);
	free(b->linep);
	free(b->smp);
	free(b->smpp);
	free(b->ids);
	free(b->vals);
}

/* The string table: "", the value types' words, then the names. */
enum { S_EMPTY, S_TYPE0, S_UNIT0, S_TYPE1, S_UNIT1, S_PERIOD_TYPE, S_PERIOD_UNIT, S_NAMES };

/* The functions, one location each.  A function DWARF declares gets its
 * file and declaration line (appended to the string table); the profile
 * knows functions, not the sampled lines, so each location's line is
 * that declaration line too. */
static int pb_functions(struct pb_build *b, const struct names *t, const char *const *words,
                        const struct profile *p)
{
	size_t n = t->n, nstr;

	if (!(b->strings = malloc((S_NAMES + 2 * n) * sizeof *b->strings)) ||
	    !(b->fn = calloc(n + 1, sizeof *b->fn)) || !(b->fnp = calloc(n + 1, sizeof *b->fnp)) ||
	    !(b->loc = calloc(n + 1, sizeof *b->loc)) ||
	    !(b->locp = calloc(n + 1, sizeof *b->locp)) ||
	    !(b->line = calloc(n + 1, sizeof *b->line)) ||
	    !(b->linep = calloc(n + 1, sizeof *b->linep)))
		return -1;
	for (size_t i = 0; i < S_NAMES; i++)
		b->strings[i] = (char *)words[i];
	nstr = S_NAMES + n;
	for (size_t i = 0; i < n; i++) {
		const struct profile_source *src = profile_source_find(p, t->v[i]);
		b->strings[S_NAMES + i] = (char *)t->v[i];
		perftools__profiles__function__init(&b->fn[i]);
		b->fn[i].id = i + 1;
		b->fn[i].name = b->fn[i].system_name = (int64_t)(S_NAMES + i);
		b->fnp[i] = &b->fn[i];
		perftools__profiles__line__init(&b->line[i]);
		b->line[i].function_id = i + 1;
		if (src) {
			b->strings[nstr] = src->file;
			b->fn[i].filename = (int64_t)nstr++;
			b->fn[i].start_line = src->line;
			b->line[i].line = src->line;
		}
		b->linep[i] = &b->line[i];
		perftools__profiles__location__init(&b->loc[i]);
		b->loc[i].id = i + 1;
		b->loc[i].n_line = 1;
		b->loc[i].line = &b->linep[i];
		b->locp[i] = &b->loc[i];
	}
	b->prof.n_string_table = nstr;
	b->prof.string_table = b->strings;
	b->prof.n_function = b->prof.n_location = n;
	b->prof.function = b->fnp;
	b->prof.location = b->locp;
	return 0;
}

/* The samples of `rows`: for a CPU profile the samples and their time,
 * for an allocation profile nvals values each (v[2 - nvals] .. v[1]). */
static int pb_samples(struct pb_build *b, const struct names *t, const struct row *rows,
                      size_t n, size_t nvals, const struct profile *p)
{
	size_t nids = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		nids += rows[i].stack->nframes;
	if (!(b->smp = calloc(n + 1, sizeof *b->smp)) ||
	    !(b->smpp = calloc(n + 1, sizeof *b->smpp)) ||
	    !(b->ids = calloc(nids + 1, sizeof *b->ids)) ||
	    !(b->vals = calloc(n * nvals + 1, sizeof *b->vals)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct flame_stack *s = rows[i].stack;
		pb_sample *m = &b->smp[i];
		perftools__profiles__sample__init(m);
		m->location_id = &b->ids[k];
		m->n_location_id = s->nframes;
		for (size_t f = 0; f < s->nframes; f++)  /* leaf first */
			b->ids[k++] = names_index(t, s->frames[s->nframes - 1 - f]) + 1;
		m->value = &b->vals[i * nvals];
		m->n_value = nvals;
		if (!p->alloc) {
			m->value[0] = to_i64((double)rows[i].v[1]);
			m->value[1] = to_i64(cpu_ns(rows[i].v[1], p->freq_hz));
		} else {
			for (size_t v = 0; v < nvals; v++)
				m->value[v] = to_i64((double)rows[i].v[2 - nvals + v]);
		}
		b->smpp[i] = m;
	}
	b->prof.n_sample = n;
	b->prof.sample = b->smpp;
	return 0;
}

/* Compress buf[0..len) to out as one gzip member (no name, time 0, so
 * the bytes depend on the profile alone). */
static int gzip_write(FILE *out, const uint8_t *buf, size_t len)
{
	z_stream z;
	unsigned char chunk[16384];
	int rc, bad = 0;

	memset(&z, 0, sizeof z);
	if (len > UINT_MAX || deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	                                   Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (Bytef *)buf;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_ERROR ||
		    fwrite(chunk, 1, sizeof chunk - z.avail_out, out) != sizeof chunk - z.avail_out)
			bad = 1;
	} while (!bad && rc != Z_STREAM_END);
	deflateEnd(&z);
	return bad || fflush(out) != 0 || ferror(out) ? -1 : 0;
}

int profile_export_pprof(FILE *out, const struct profile *p)
{
	static const char *const cpu[S_NAMES] = {"", "samples", "count", "cpu", "nanoseconds",
	                                         "cpu", "nanoseconds"};
	static const char *const alloc[S_NAMES] = {"", "alloc_objects", "count", "alloc_space",
	                                           "bytes", "space", "bytes"};
	struct pb_build b;
	struct names t = {0};
	struct row *rows = NULL;
	long n = rows_make(p, &rows);
	size_t nvals = !p->alloc || p->counts.n ? 2 : 1, len;
	uint8_t *buf = NULL;
	int rc = -1;

	memset(&b, 0, sizeof b);
	perftools__profiles__profile__init(&b.prof);
	if (n < 0 || names_collect(&t, &p->stacks, p->alloc ? &p->counts : NULL) != 0 ||
	    pb_functions(&b, &t, p->alloc ? alloc : cpu, p) != 0 ||
	    pb_samples(&b, &t, rows, (size_t)n, nvals, p) != 0)
		goto done;
	for (size_t i = 0; i < nvals; i++) {
		size_t w = 2 - nvals + i;  /* the words of v[w] */
		perftools__profiles__value_type__init(&b.vt[i]);
		b.vt[i].type = (int64_t)(S_TYPE0 + 2 * w);
		b.vt[i].unit = (int64_t)(S_UNIT0 + 2 * w);
		b.vtp[i] = &b.vt[i];
	}
	b.prof.n_sample_type = nvals;
	b.prof.sample_type = b.vtp;
	perftools__profiles__value_type__init(&b.period_type);
	b.period_type.type = S_PERIOD_TYPE;
	b.period_type.unit = S_PERIOD_UNIT;
	b.prof.period_type = &b.period_type;
	b.prof.period = p->alloc ? 1 : to_i64(cpu_ns(1, p->freq_hz));
	b.prof.default_sample_type = S_TYPE1;
	b.prof.duration_nanos = p->alloc ? 0 : to_i64(p->loop_ns);
	len = perftools__profiles__profile__get_packed_size(&b.prof);
	if (!(buf = malloc(len ? len : 1)))
		goto done;
	perftools__profiles__profile__pack(&b.prof, buf);
	rc = gzip_write(out, buf, len);
done:
	free(buf);
	free(rows);
	free(t.v);
	pb_build_free(&b);
	return rc;
}

/* s as well-formed UTF-8 without control characters ('?' for each bad
 * byte), which jansson takes; owned by the caller, or NULL. */
static char *utf8_clean(const char *s)
{
	size_t n = strlen(s), i = 0;
	char *c = malloc(n + 1);

	while (c && i < n) {
		uint32_t cp;
		size_t len = escape_utf8_char(s + i, &cp);
		if (!len || escape_is_unsafe(cp)) {
			c[i++] = '?';
			continue;
		}
		memcpy(c + i, s + i, len);
		i += len;
	}
	if (c)
		c[n] = '\0';
	return c;
}

/* One speedscope "sampled" profile of `rows`, by value v[which]: rows
 * with no weight there are left out. */
static json_t *speedscope_profile(const struct names *t, const struct row *rows, size_t n,
                                  int which, const char *name, const char *unit, int ns,
                                  unsigned freq_hz)
{
	json_t *samples = json_array(), *weights = json_array();
	double end = 0;

	for (size_t i = 0; samples && weights && i < n; i++) {
		const struct flame_stack *s = rows[i].stack;
		double w = ns ? cpu_ns(rows[i].v[which], freq_hz) : (double)rows[i].v[which];
		json_t *idx = json_array();
		if (!rows[i].v[which]) {
			json_decref(idx);
			continue;
		}
		for (size_t f = 0; idx && f < s->nframes; f++)
			json_array_append_new(idx, json_integer((json_int_t)names_index(t, s->frames[f])));
		json_array_append_new(samples, idx);
		json_array_append_new(weights, json_integer(to_i64(w)));
		end += w;
	}
	return json_pack("{s:s, s:s, s:s, s:i, s:I, s:o, s:o}", "type", "sampled", "name", name,
	                 "unit", unit, "startValue", 0, "endValue", (json_int_t)to_i64(end),
	                 "samples", samples, "weights", weights);
}

static json_t *speedscope_frames(const struct names *t)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < t->n; i++) {
		char *c = utf8_clean(t->v[i]);
		if (!c || json_array_append_new(a, json_pack("{s:s}", "name", c)) != 0) {
			free(c);
			json_decref(a);
			return NULL;
		}
		free(c);
	}
	return a;
}

int profile_export_speedscope(FILE *out, const struct profile *p, const char *name)
{
	struct names t = {0};
	struct row *rows = NULL;
	long n = rows_make(p, &rows);
	char *clean = utf8_clean(name), *label = NULL;
	json_t *doc = NULL, *profiles = json_array();
	int rc = -1;

	if (n < 0 || !clean || !profiles ||
	    names_collect(&t, &p->stacks, p->alloc ? &p->counts : NULL) != 0)
		goto done;
	if (!p->alloc) {
		json_array_append_new(profiles, speedscope_profile(&t, rows, (size_t)n, 1, clean,
		                                                   p->freq_hz ? "nanoseconds" : "none",
		                                                   p->freq_hz != 0, p->freq_hz));
	} else {
		for (int which = 1; which >= (p->counts.n ? 0 : 1); which--) {
			if (asprintf(&label, "%s (%s)", clean, which ? "bytes" : "allocations") < 0) {
				label = NULL;
				goto done;
			}
			json_array_append_new(profiles, speedscope_profile(&t, rows, (size_t)n, which,
			                                                   label, which ? "bytes"
			                                                   : "none", 0, 0));
			free(label);
			label = NULL;
		}
	}
	if (json_array_size(profiles) != (p->alloc && p->counts.n ? 2u : 1u))
		goto done;
	doc = json_pack("{s:s, s:{s:o}, s:O, s:s, s:i, s:s}", "$schema",
	                "https://www.speedscope.app/file-format-schema.json", "shared", "frames",
	                speedscope_frames(&t), "profiles", profiles, "name", clean,
	                "activeProfileIndex", 0, "exporter", "benchrun");
	if (doc && json_dumpf(doc, out, JSON_COMPACT) == 0 && fputc('\n', out) != EOF &&
	    fflush(out) == 0 && !ferror(out))
		rc = 0;
done:
	json_decref(doc);
	json_decref(profiles);
	free(label);
	free(clean);
	free(rows);
	free(t.v);
	return rc;
}

/* A caller -> callee pair of one stack, by name index. */
struct edge {
	size_t from, to, stack;
	uint64_t count;
};

static int cmp_edge(const void *pa, const void *pb)
{
	const struct edge *a = pa, *b = pb;

	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	return (a->stack > b->stack) - (a->stack < b->stack);
}

/* Every adjacent pair of every stack, sorted; the count in *n. */
static struct edge *edges_collect(const struct flame_profile *f, const struct names *t,
                                  size_t *n)
{
	size_t cap = 0, k = 0;
	struct edge *e;

	for (size_t i = 0; i < f->n; i++)
		cap += f->stacks[i].nframes;
	if (!(e = malloc((cap ? cap : 1) * sizeof *e)))
		return NULL;
	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 1; j < f->stacks[i].nframes; j++)
			e[k++] = (struct edge){names_index(t, f->stacks[i].frames[j - 1]),
			                       names_index(t, f->stacks[i].frames[j]), i,
			                       f->stacks[i].count};
	qsort(e, k, sizeof *e, cmp_edge);
	*n = k;
	return e;
}

/* Self and total (once per stack) of each name, by index. */
static int dot_shares(const struct flame_profile *f, const struct names *t, uint64_t *self,
                      uint64_t *total)
{
	size_t *seen = malloc((t->n ? t->n : 1) * sizeof *seen);

	if (!seen)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		seen[i] = SIZE_MAX;
	for (size_t i = 0; i < f->n; i++) {
		const struct flame_stack *s = &f->stacks[i];
		for (size_t j = 0; j < s->nframes; j++) {
			size_t x = names_index(t, s->frames[j]);
			if (seen[x] != i)
				total[x] += s->count;
			seen[x] = i;
			if (j == s->nframes - 1)
				self[x] += s->count;
		}
	}
	free(seen);
	return 0;
}

static double share_of(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0;
}

static void dot_node(FILE *out, size_t i, const char *name, double self, double total)
{
	/* white at no share of the total, to red at all of it */
	unsigned g = (unsigned)lround(255 - 175 * total), b = (unsigned)lround(255 - 215 * total);

	fprintf(out, "\tn%zu [label=\"", i);
	escape_dot(out, name);
	fprintf(out, "\\nself %.1f%% (total %.1f%%)\", fontsize=%.1f, fillcolor=\"#ff%02x%02x\"];\n",
	        100 * self, 100 * total, 10 + 22 * self, g, b);
}

/* The edges, merged by pair with each stack counted once, between kept
 * nodes. */
static void dot_edges(FILE *out, const struct edge *e, size_t n, const uint64_t *total,
                      uint64_t all)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t w = 0;
		for (; j < n && e[j].from == e[i].from && e[j].to == e[i].to; j++)
			if (j == i || e[j].stack != e[j - 1].stack)
				w = w + e[j].count < w ? UINT64_MAX : w + e[j].count;
		if (share_of(total[e[i].from], all) >= PROFILE_EXPORT_DOT_MIN_SHARE &&
		    share_of(total[e[i].to], all) >= PROFILE_EXPORT_DOT_MIN_SHARE) {
			double s = share_of(w, all);
			fprintf(out, "\tn%zu -> n%zu [label=\"%llu\", weight=%d, penwidth=%.2f];\n",
			        e[i].from, e[i].to, (unsigned long long)w, 1 + (int)(100 * s), 1 + 4 * s);
		}
		i = j;
	}
}

int profile_export_dot(FILE *out, const struct profile *p, const char *title)
{
	const struct flame_profile *f = &p->stacks;
	struct names t = {0};
	struct edge *e = NULL;
	uint64_t *self = NULL, *total = NULL;
	size_t ne = 0, left_out = 0;
	int rc = -1;

	if (names_collect(&t, f, NULL) != 0 || !(self = calloc(t.n + 1, sizeof *self)) ||
	    !(total = calloc(t.n + 1, sizeof *total)) || dot_shares(f, &t, self, total) != 0 ||
	    !(e = edges_collect(f, &t, &ne)))
		goto done;
	for (size_t i = 0; i < t.n; i++)
		left_out += share_of(total[i], f->total) < PROFILE_EXPORT_DOT_MIN_SHARE;
	fputs("digraph callgraph {\n\tgraph [labelloc=t, fontname=\"Helvetica\", label=\"", out);
	escape_dot(out, title);
	if (!f->total)
		fputs("\\nno samples", out);
	else if (left_out)
		fprintf(out, "\\n%zu function%s under %.1f%% left out", left_out,
		        left_out == 1 ? "" : "s", 100 * PROFILE_EXPORT_DOT_MIN_SHARE);
	fputs("\"];\n\tnode [shape=box, style=filled, fontname=\"Helvetica\"];\n"
	      "\tedge [color=\"#606060\", fontname=\"Helvetica\"];\n", out);
	for (size_t i = 0; i < t.n; i++)
		if (share_of(total[i], f->total) >= PROFILE_EXPORT_DOT_MIN_SHARE)
			dot_node(out, i, t.v[i], share_of(self[i], f->total),
			         share_of(total[i], f->total));
	dot_edges(out, e, ne, total, f->total);
	fputs("}\n", out);
	rc = fflush(out) != 0 || ferror(out) ? -1 : 0;
done:
	free(e);
	free(self);
	free(total);
	free(t.v);
	return rc;
}

int profile_export_render_dot(const char *dot_path, const char *svg_path)
{
	static int warned;  /* once per run: every profile would say the same */
	char prog[4096];
	char *argv[] = {prog, "-Tsvg", "-o", (char *)svg_path, (char *)dot_path, NULL};
	struct proc_result r;
	char *why;
	int rc;

	if (!proc_find_program("dot", prog, sizeof prog)) {
		if (!warned++)
			msg_warn("dot", "graphviz's dot not found on PATH: call graphs are left as "
			         ".dot files, not rendered (install it: apt-get install graphviz)");
		return 0;
	}
	if ((rc = proc_run(argv, PROFILE_EXPORT_DOT_TIMEOUT_S, &r)) != 0) {
		msg_warn(dot_path, "cannot start dot: %s; the call graph is not rendered",
		         strerror(-rc));
		return -1;
	}
	why = proc_describe_failure(&r, PROFILE_EXPORT_DOT_TIMEOUT_S);
	proc_result_free(&r);
	if (!why && access(svg_path, F_OK) == 0)
		return 1;
	msg_warn(dot_path, "dot %s; the call graph is not rendered", why ? why : "wrote nothing");
	free(why);
	if (unlink(svg_path) != 0 && errno != ENOENT)
		msg_warn(svg_path, "cannot remove: %s", strerror(errno));
	return -1;
}
