/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/profile_export.c on constructed profiles: the
 * pprof file gunzipped and decoded with protobuf-c (values, leaf-first
 * locations, names, string table, sample types, allocation profiles,
 * determinism), the speedscope JSON read back with jansson, the DOT call
 * graph's node and edge lines (shares, recursion, functions left out,
 * escaping), dot's rendering when graphviz is installed and its absence,
 * and the files profile_write_files leaves. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <check.h>
#include <jansson.h>
#include "check_main.h"

#include "proc.h"
#include "profile.h"
#include "profile.pb-c.h"
#include "profile_export.h"

/* A NULL-terminated frame list, root first. */
#define V(...) ((const char *const[]){__VA_ARGS__, NULL})

typedef Perftools__Profiles__Profile pb_profile;

static char tmpdir[] = "/tmp/check_profile_export.XXXXXX";

static void add(struct flame_profile *f, uint64_t count, const char *const *frames)
{
	size_t n = 0;

	while (frames[n])
		n++;
	ck_assert_int_eq(flame_add(f, frames, n, count), 0);
}

/* The example of the brief: a;b 3, a;c 1, a;b;d 2, sampled at 1000 Hz (a
 * sample is 1 ms), in 6 ms of loop. */
static void example(struct profile *p)
{
	memset(p, 0, sizeof *p);
	p->freq_hz = 1000;
	p->loop_ns = 6e6;
	add(&p->stacks, 3, V("a", "b"));
	add(&p->stacks, 1, V("a", "c"));
	add(&p->stacks, 2, V("a", "b", "d"));
}

static void drop(struct profile *p)
{
	flame_free(&p->stacks);
	flame_free(&p->counts);
}

/* What `write` puts into a temporary file, read back whole. */
static char *written(int (*write)(FILE *, const struct profile *, const char *),
                     const struct profile *p, const char *arg, size_t *len)
{
	FILE *f = tmpfile();
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(write(f, p, arg), 0);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int pprof_writer(FILE *f, const struct profile *p, const char *unused)
{
	(void)unused;
	return profile_export_pprof(f, p);
}

/* gzip-decompress data[0..len) (one gzip member, nothing after). */
static uint8_t *gunzip(const char *data, size_t len, size_t *out_len)
{
	z_stream z;
	size_t cap = 1 << 16, n = 0;
	uint8_t *out = malloc(cap);
	int rc;

	ck_assert_ptr_nonnull(out);
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);  /* gzip header only */
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	do {
		if (n == cap) {
			out = realloc(out, cap *= 2);
			ck_assert_ptr_nonnull(out);
		}
		z.next_out = out + n;
		z.avail_out = (uInt)(cap - n);
		rc = inflate(&z, Z_NO_FLUSH);
		ck_assert_msg(rc == Z_OK || rc == Z_STREAM_END, "inflate: %d", rc);
		n = cap - z.avail_out;
	} while (rc != Z_STREAM_END);
	ck_assert_uint_eq(z.avail_in, 0);
	inflateEnd(&z);
	*out_len = n;
	return out;
}

/* p exported for pprof, checked for gzip's magic, and decoded. */
static pb_profile *pprof_of(const struct profile *p)
{
	size_t len, raw_len;
	char *gz = written(pprof_writer, p, NULL, &len);
	uint8_t *raw;
	pb_profile *m;

	ck_assert_uint_ge(len, 2);
	ck_assert_int_eq((unsigned char)gz[0], 0x1f);
	ck_assert_int_eq((unsigned char)gz[1], 0x8b);
	raw = gunzip(gz, len, &raw_len);
	m = perftools__profiles__profile__unpack(NULL, raw_len, raw);
	ck_assert_ptr_nonnull(m);
	free(raw);
	free(gz);
	return m;
}

static const char *str(const pb_profile *m, int64_t i)
{
	ck_assert_int_ge(i, 0);
	ck_assert_uint_lt((size_t)i, m->n_string_table);
	return m->string_table[i];
}

/* The function name at location `id`, checking that ids are consistent. */
static const char *loc_name(const pb_profile *m, uint64_t id)
{
	for (size_t i = 0; i < m->n_location; i++) {
		if (m->location[i]->id != id)
			continue;
		ck_assert_uint_eq(m->location[i]->n_line, 1);
		for (size_t j = 0; j < m->n_function; j++)
			if (m->function[j]->id == m->location[i]->line[0]->function_id)
				return str(m, m->function[j]->name);
		ck_abort_msg("location %llu: no function", (unsigned long long)id);
	}
	ck_abort_msg("no location %llu", (unsigned long long)id);
	return NULL;
}

/* Sample i's locations, leaf first, as "leaf<caller<...". */
static char *sample_stack(const pb_profile *m, size_t i)
{
	char *s = strdup("");

	for (size_t k = 0; k < m->sample[i]->n_location_id; k++) {
		char *t = check_asprintf("%s%s%s", s, k ? "<" : "",
		                         loc_name(m, m->sample[i]->location_id[k]));
		free(s);
		s = t;
	}
	return s;
}

static void assert_sample(const pb_profile *m, size_t i, const char *stack, int64_t v0,
                          int64_t v1)
{
	char *s = sample_stack(m, i);

	ck_assert_str_eq(s, stack);
	free(s);
	ck_assert_uint_eq(m->sample[i]->n_value, 2);
	ck_assert_int_eq(m->sample[i]->value[0], v0);
	ck_assert_int_eq(m->sample[i]->value[1], v1);
}

static void assert_value_type(const pb_profile *m, size_t i, const char *type,
                              const char *unit)
{
	ck_assert_uint_gt(m->n_sample_type, i);
	ck_assert_str_eq(str(m, m->sample_type[i]->type), type);
	ck_assert_str_eq(str(m, m->sample_type[i]->unit), unit);
}

START_TEST(test_pprof_cpu)
{
	struct profile p;
	pb_profile *m;

	example(&p);
	m = pprof_of(&p);
	ck_assert_uint_ge(m->n_string_table, 1);
	ck_assert_str_eq(m->string_table[0], "");
	ck_assert_uint_eq(m->n_sample_type, 2);
	assert_value_type(m, 0, "samples", "count");
	assert_value_type(m, 1, "cpu", "nanoseconds");
	ck_assert_ptr_nonnull(m->period_type);
	ck_assert_str_eq(str(m, m->period_type->type), "cpu");
	ck_assert_str_eq(str(m, m->period_type->unit), "nanoseconds");
	ck_assert_int_eq(m->period, 1000000);
	ck_assert_str_eq(str(m, m->default_sample_type), "cpu");
	ck_assert_int_eq(m->duration_nanos, 6000000);
	/* one function and one location per name, ids from 1 in name order */
	ck_assert_uint_eq(m->n_function, 4);
	ck_assert_uint_eq(m->n_location, 4);
	for (size_t i = 0; i < 4; i++) {
		char name[2] = {(char)('a' + i), '\0'};
		ck_assert_uint_eq(m->function[i]->id, i + 1);
		ck_assert_str_eq(str(m, m->function[i]->name), name);
		ck_assert_uint_eq(m->location[i]->id, i + 1);
		ck_assert_str_eq(loc_name(m, i + 1), name);
	}
	/* stacks in order a;b, a;b;d, a;c; locations leaf first; time is
	 * samples times 1 ms */
	ck_assert_uint_eq(m->n_sample, 3);
	assert_sample(m, 0, "b<a", 3, 3000000);
	assert_sample(m, 1, "d<b<a", 2, 2000000);
	assert_sample(m, 2, "c<a", 1, 1000000);
	ck_assert_uint_eq(m->sample[1]->location_id[0], 4);
	ck_assert_uint_eq(m->sample[1]->location_id[2], 1);
	perftools__profiles__profile__free_unpacked(m, NULL);
	drop(&p);
}
END_TEST

/* Functions DWARF declares carry their file and line (function and
 * location), the others none. */
START_TEST(test_pprof_sources)
{
	struct profile_source src[2] = {{"b", "lib/b.c", 12}, {"d", "src/d.h", 40}};
	struct profile p;
	pb_profile *m;

	example(&p);
	p.sources = src;  /* sorted by name, as profile.c leaves them */
	p.nsources = 2;
	m = pprof_of(&p);
	ck_assert_uint_eq(m->n_function, 4);
	ck_assert_int_eq(m->function[0]->filename, 0);  /* a: none */
	ck_assert_int_eq(m->function[0]->start_line, 0);
	ck_assert_str_eq(str(m, m->function[1]->filename), "lib/b.c");
	ck_assert_int_eq(m->function[1]->start_line, 12);
	ck_assert_int_eq(m->location[1]->line[0]->line, 12);
	ck_assert_int_eq(m->function[2]->filename, 0);  /* c: none */
	ck_assert_str_eq(str(m, m->function[3]->filename), "src/d.h");
	ck_assert_int_eq(m->location[3]->line[0]->line, 40);
	perftools__profiles__profile__free_unpacked(m, NULL);
	p.sources = NULL;
	p.nsources = 0;
	drop(&p);
}
END_TEST

/* Bytes by stack, allocations by stack from p->counts (one stack only
 * there: allocations of 0 bytes), the count first by pprof's convention. */
START_TEST(test_pprof_alloc)
{
	struct profile p = {0};
	pb_profile *m;

	p.alloc = 1;
	add(&p.stacks, 4096, V("main", "grow"));
	add(&p.stacks, 64, V("main", "node"));
	add(&p.counts, 2, V("main", "grow"));
	add(&p.counts, 8, V("main", "node"));
	add(&p.counts, 5, V("main", "empty"));
	m = pprof_of(&p);
	ck_assert_str_eq(m->string_table[0], "");
	ck_assert_uint_eq(m->n_sample_type, 2);
	assert_value_type(m, 0, "alloc_objects", "count");
	assert_value_type(m, 1, "alloc_space", "bytes");
	ck_assert_str_eq(str(m, m->period_type->type), "space");
	ck_assert_str_eq(str(m, m->period_type->unit), "bytes");
	ck_assert_int_eq(m->period, 1);
	ck_assert_str_eq(str(m, m->default_sample_type), "alloc_space");
	ck_assert_uint_eq(m->n_sample, 3);
	assert_sample(m, 0, "empty<main", 5, 0);
	assert_sample(m, 1, "grow<main", 2, 4096);
	assert_sample(m, 2, "node<main", 8, 64);
	perftools__profiles__profile__free_unpacked(m, NULL);

	/* without counts: bytes alone */
	flame_free(&p.counts);
	m = pprof_of(&p);
	ck_assert_uint_eq(m->n_sample_type, 1);
	assert_value_type(m, 0, "alloc_space", "bytes");
	ck_assert_uint_eq(m->n_sample, 2);
	ck_assert_uint_eq(m->sample[0]->n_value, 1);
	ck_assert_int_eq(m->sample[0]->value[0], 4096);
	ck_assert_int_eq(m->sample[1]->value[0], 64);
	perftools__profiles__profile__free_unpacked(m, NULL);
	drop(&p);
}
END_TEST

/* The same stacks added in another order give the same bytes; recursion
 * repeats a location in a sample. */
START_TEST(test_pprof_deterministic)
{
	struct profile p, q = {0};
	size_t lp, lq;
	char *a, *b;
	pb_profile *m;

	example(&p);
	q.freq_hz = 1000;
	q.loop_ns = 6e6;
	add(&q.stacks, 2, V("a", "b", "d"));
	add(&q.stacks, 1, V("a", "c"));
	add(&q.stacks, 3, V("a", "b"));
	a = written(pprof_writer, &p, NULL, &lp);
	b = written(pprof_writer, &q, NULL, &lq);
	ck_assert_uint_eq(lp, lq);
	ck_assert_int_eq(memcmp(a, b, lp), 0);
	free(a);
	free(b);
	drop(&q);
	q.freq_hz = 0;
	add(&q.stacks, 7, V("f", "g", "f"));
	m = pprof_of(&q);
	ck_assert_uint_eq(m->n_location, 2);
	ck_assert_uint_eq(m->n_sample, 1);
	assert_sample(m, 0, "f<g<f", 7, 0);  /* no frequency: no time */
	perftools__profiles__profile__free_unpacked(m, NULL);
	drop(&p);
	drop(&q);
}
END_TEST

static int speedscope_writer(FILE *f, const struct profile *p, const char *name)
{
	return profile_export_speedscope(f, p, name);
}

static json_t *speedscope_of(const struct profile *p, const char *name)
{
	size_t len;
	char *text = written(speedscope_writer, p, name, &len);
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);

	ck_assert_msg(doc != NULL, "%s: %s", je.text, text);
	ck_assert_int_eq(text[len - 1], '\n');
	free(text);
	return doc;
}

/* The compact JSON of a value, for exact comparison. */
static void assert_json(json_t *v, const char *expect)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, expect);
	free(s);
}

START_TEST(test_speedscope_cpu)
{
	struct profile p;
	json_t *doc, *prof;

	example(&p);
	doc = speedscope_of(&p, "hash/fnv1a/64");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "$schema")),
	                 "https://www.speedscope.app/file-format-schema.json");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "exporter")), "benchrun");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "name")), "hash/fnv1a/64");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "activeProfileIndex")), 0);
	assert_json(json_object_get(json_object_get(doc, "shared"), "frames"),
	            "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"d\"}]");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "profiles")), 1);
	prof = json_array_get(json_object_get(doc, "profiles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(prof, "type")), "sampled");
	ck_assert_str_eq(json_string_value(json_object_get(prof, "name")), "hash/fnv1a/64");
	ck_assert_str_eq(json_string_value(json_object_get(prof, "unit")), "nanoseconds");
	ck_assert_int_eq(json_integer_value(json_object_get(prof, "startValue")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(prof, "endValue")), 6000000);
	assert_json(json_object_get(prof, "samples"), "[[0,1],[0,1,3],[0,2]]");
	assert_json(json_object_get(prof, "weights"), "[3000000,2000000,1000000]");
	json_decref(doc);

	/* no frequency: weighed in samples */
	p.freq_hz = 0;
	doc = speedscope_of(&p, "x");
	prof = json_array_get(json_object_get(doc, "profiles"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(prof, "unit")), "none");
	ck_assert_int_eq(json_integer_value(json_object_get(prof, "endValue")), 6);
	assert_json(json_object_get(prof, "weights"), "[3,2,1]");
	json_decref(doc);
	drop(&p);
}
END_TEST

/* An allocation profile: by bytes, then by allocations; a stack with no
 * weight in one is left out of that one.  Names that are not UTF-8 or
 * hold control characters become '?', which jansson takes. */
START_TEST(test_speedscope_alloc_names)
{
	struct profile p = {0};
	json_t *doc, *profs;

	p.alloc = 1;
	add(&p.stacks, 100, V("main", "bad\xff"));
	add(&p.counts, 4, V("main", "bad\xff"));
	add(&p.counts, 1, V("main", "tab\there"));
	doc = speedscope_of(&p, "n\xc3");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "name")), "n?");
	assert_json(json_object_get(json_object_get(doc, "shared"), "frames"),
	            "[{\"name\":\"bad?\"},{\"name\":\"main\"},{\"name\":\"tab?here\"}]");
	profs = json_object_get(doc, "profiles");
	ck_assert_uint_eq(json_array_size(profs), 2);
	assert_json(json_array_get(profs, 0),
	            "{\"type\":\"sampled\",\"name\":\"n? (bytes)\",\"unit\":\"bytes\","
	            "\"startValue\":0,\"endValue\":100,\"samples\":[[1,0]],\"weights\":[100]}");
	assert_json(json_array_get(profs, 1),
	            "{\"type\":\"sampled\",\"name\":\"n? (allocations)\",\"unit\":\"none\","
	            "\"startValue\":0,\"endValue\":5,\"samples\":[[1,0],[1,2]],"
	            "\"weights\":[4,1]}");
	json_decref(doc);
	drop(&p);
}
END_TEST

static int dot_writer(FILE *f, const struct profile *p, const char *title)
{
	return profile_export_dot(f, p, title);
}

static char *dot_of(const struct profile *p, const char *title)
{
	size_t len;

	return written(dot_writer, p, title, &len);
}

static void assert_has(const char *text, const char *line)
{
	ck_assert_msg(strstr(text, line) != NULL, "no \"%s\" in:\n%s", line, text);
}

/* Nodes by name order with their shares, size and fill; edges weighed by
 * the samples of the stacks that hold the pair: a->b 3 + 2. */
START_TEST(test_dot_example)
{
	const char *head = "digraph callgraph {\n\tgraph [labelloc=t, fontname=\"Helvetica\", "
	                   "label=\"t\"];\n";
	struct profile p;
	char *dot;

	example(&p);
	dot = dot_of(&p, "t");
	ck_assert_msg(!strncmp(dot, head, strlen(head)), "%s", dot);
	/* a: self 0, total 6/6, white to red at 1: #ff(255-175)(255-215) */
	assert_has(dot, "\tn0 [label=\"a\\nself 0.0% (total 100.0%)\", fontsize=10.0, "
	           "fillcolor=\"#ff5028\"];\n");
	/* b: self 3/6, total 5/6: 10 + 22 * 0.5, 255 - 175 * 5/6 = 109.2 */
	assert_has(dot, "\tn1 [label=\"b\\nself 50.0% (total 83.3%)\", fontsize=21.0, "
	           "fillcolor=\"#ff6d4c\"];\n");
	assert_has(dot, "\tn2 [label=\"c\\nself 16.7% (total 16.7%)\"");
	assert_has(dot, "\tn3 [label=\"d\\nself 33.3% (total 33.3%)\"");
	/* penwidth 1 + 4 * 5/6, weight 1 + int(100 * 5/6) */
	assert_has(dot, "\tn0 -> n1 [label=\"5\", weight=84, penwidth=4.33];\n");
	assert_has(dot, "\tn0 -> n2 [label=\"1\", weight=17, penwidth=1.67];\n");
	assert_has(dot, "\tn1 -> n3 [label=\"2\", weight=34, penwidth=2.33];\n");
	ck_assert_ptr_null(strstr(dot, "left out"));
	ck_assert_str_eq(dot + strlen(dot) - 2, "}\n");
	free(dot);
	drop(&p);
}
END_TEST

/* A pair that recurs within a stack counts that stack once, and so does a
 * function's total. */
START_TEST(test_dot_recursion)
{
	struct profile p = {0};
	char *dot;

	add(&p.stacks, 4, V("f", "g", "f", "g"));
	add(&p.stacks, 4, V("f", "h"));
	dot = dot_of(&p, "r");
	assert_has(dot, "\tn0 [label=\"f\\nself 0.0% (total 100.0%)\"");
	assert_has(dot, "\tn1 [label=\"g\\nself 50.0% (total 50.0%)\"");
	assert_has(dot, "\tn0 -> n1 [label=\"4\", weight=51, penwidth=3.00];\n");
	assert_has(dot, "\tn1 -> n0 [label=\"4\", weight=51, penwidth=3.00];\n");
	assert_has(dot, "\tn0 -> n2 [label=\"4\", weight=51, penwidth=3.00];\n");
	free(dot);
	drop(&p);
}
END_TEST

/* Functions under 0.5% of the samples, anywhere in the stack, are left
 * out with their edges, and the graph's label says how many; names and
 * the title are escaped for DOT. */
START_TEST(test_dot_left_out_escaped)
{
	struct profile p = {0};
	char *dot;

	add(&p.stacks, 1000, V("main", "we\"ird\\n&name"));
	add(&p.stacks, 4, V("main", "cold"));
	add(&p.stacks, 1, V("main", "colder", "coldest"));
	dot = dot_of(&p, "bench \"q\"\\");
	assert_has(dot, "label=\"bench \\\"q\\\"\\\\\\n3 functions under 0.5% left out\"];\n");
	ck_assert_ptr_null(strstr(dot, "cold"));
	/* names: cold, colder, coldest, main (n3), we"ird... (n4) */
	assert_has(dot, "\tn4 [label=\"we\\\"ird\\\\n&amp;name\\nself 99.5% (total 99.5%)\"");
	assert_has(dot, "\tn3 -> n4 [label=\"1000\"");
	ck_assert_ptr_null(strstr(dot, "-> n0"));
	ck_assert_ptr_null(strstr(dot, "-> n1"));
	ck_assert_ptr_null(strstr(dot, "-> n2"));
	free(dot);
	drop(&p);

	/* one left out: singular */
	add(&p.stacks, 1000, V("main"));
	add(&p.stacks, 1, V("main", "cold"));
	dot = dot_of(&p, "t");
	assert_has(dot, "label=\"t\\n1 function under 0.5% left out\"];\n");
	free(dot);
	drop(&p);

	/* empty */
	dot = dot_of(&p, "t");
	assert_has(dot, "label=\"t\\nno samples\"];\n");
	ck_assert_ptr_null(strstr(dot, "\tn0"));
	free(dot);
}
END_TEST

static char *write_dot_file(const char *tag, const char *text)
{
	char *path = check_asprintf("%s/%s.dot", tmpdir, tag);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* dot renders the call graph when graphviz is installed; a graph dot
 * refuses leaves no SVG. */
START_TEST(test_render_with_dot)
{
	char prog[4096], *dot, *path, *svg, *text;
	struct profile p;

	if (!proc_find_program("dot", prog, sizeof prog)) {
		fprintf(stderr, "check_profile_export: graphviz's dot not on PATH: rendering "
		        "not checked\n");
		return;
	}
	example(&p);
	dot = dot_of(&p, "render");
	path = write_dot_file("render", dot);
	svg = check_asprintf("%s/render.svg", tmpdir);
	ck_assert_int_eq(profile_export_render_dot(path, svg), 1);
	text = check_slurp(svg, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(!strncmp(text, "<?xml", 5) || strstr(text, "<svg"), "%.200s", text);
	assert_has(text, "<svg");
	assert_has(text, "self 50.0% (total 83.3%)");
	free(text);
	free(path);
	free(svg);
	path = write_dot_file("broken", "digraph { a -> ; }\n");
	svg = check_asprintf("%s/broken.svg", tmpdir);
	ck_assert_int_eq(profile_export_render_dot(path, svg), -1);
	ck_assert_int_ne(access(svg, F_OK), 0);
	free(path);
	free(svg);
	free(dot);
	drop(&p);
}
END_TEST

/* Without dot on PATH: 0 and no SVG, whether or not graphviz is here. */
START_TEST(test_render_without_dot)
{
	char *path = write_dot_file("nodot", "digraph { a -> b; }\n");
	char *svg = check_asprintf("%s/nodot.svg", tmpdir);

	ck_assert_int_eq(setenv("PATH", tmpdir, 1), 0);
	ck_assert_int_eq(profile_export_render_dot(path, svg), 0);
	ck_assert_int_eq(profile_export_render_dot(path, svg), 0);
	ck_assert_int_ne(access(svg, F_OK), 0);
	free(path);
	free(svg);
}
END_TEST

static int exists(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* profile_write_files writes the exports beside the flame graph, records
 * them, and the JSON lists them. */
START_TEST(test_write_files)
{
	char prog[4096], *dir = check_asprintf("%s/files", tmpdir);
	int have_dot = proc_find_program("dot", prog, sizeof prog) != NULL;
	struct profile *p = calloc(1, sizeof *p);
	json_t *j, *files;

	ck_assert_int_eq(mkdir(dir, 0777), 0);
	example(p);
	p->event = strdup("cpu-clock");
	p->runtime_share = 0;
	profile_write_files(dir, "hash/fnv1a/64", p);
	ck_assert(exists(p->folded) && exists(p->svg));
	ck_assert_msg(exists(p->pprof) && ends_with(p->pprof, ".pb.gz"), "%s", p->pprof);
	ck_assert(exists(p->speedscope) && ends_with(p->speedscope, ".speedscope.json"));
	ck_assert(exists(p->dot) && ends_with(p->dot, ".callgraph.dot"));
	if (have_dot)
		ck_assert(exists(p->dot_svg) && ends_with(p->dot_svg, ".callgraph.svg"));
	else
		ck_assert_ptr_null(p->dot_svg);
	ck_assert(!strncmp(p->pprof, dir, strlen(dir)));
	j = profile_to_json(p);
	ck_assert_ptr_nonnull(j);
	files = json_object_get(j, "files");
	ck_assert_str_eq(json_string_value(json_object_get(files, "pprof")), p->pprof);
	ck_assert_str_eq(json_string_value(json_object_get(files, "speedscope")), p->speedscope);
	ck_assert_str_eq(json_string_value(json_object_get(files, "dot")), p->dot);
	if (have_dot)
		ck_assert_str_eq(json_string_value(json_object_get(files, "dot_svg")), p->dot_svg);
	else
		ck_assert(json_is_null(json_object_get(files, "dot_svg")));
	json_decref(j);
	profile_free(p);

	/* an allocation profile's files are named .alloc.* */
	p = calloc(1, sizeof *p);
	p->alloc = 1;
	p->event = strdup("allocations");
	add(&p->stacks, 64, V("main", "node"));
	add(&p->counts, 8, V("main", "node"));
	profile_write_files(dir, "hash/fnv1a/64", p);
	ck_assert(exists(p->pprof) && ends_with(p->pprof, ".alloc.pb.gz"));
	ck_assert(exists(p->speedscope) && ends_with(p->speedscope, ".alloc.speedscope.json"));
	ck_assert(exists(p->dot) && ends_with(p->dot, ".alloc.callgraph.dot"));
	ck_assert(!have_dot || ends_with(p->dot_svg, ".alloc.callgraph.svg"));
	profile_free(p);
	free(dir);
}
END_TEST

static Suite *export_suite(void)
{
	Suite *s = suite_create("profile_export");
	TCase *tc = tcase_create("export");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pprof_cpu);
	tcase_add_test(tc, test_pprof_sources);
	tcase_add_test(tc, test_pprof_alloc);
	tcase_add_test(tc, test_pprof_deterministic);
	tcase_add_test(tc, test_speedscope_cpu);
	tcase_add_test(tc, test_speedscope_alloc_names);
	tcase_add_test(tc, test_dot_example);
	tcase_add_test(tc, test_dot_recursion);
	tcase_add_test(tc, test_dot_left_out_escaped);
	tcase_add_test(tc, test_render_with_dot);
	tcase_add_test(tc, test_render_without_dot);
	tcase_add_test(tc, test_write_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite_in(export_suite(), tmpdir, "check_profile_export");
}
