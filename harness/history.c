/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history's shared part (history.h): where it goes, the schema both
 * backends run, a run's keys and rows taken from a results document, and
 * the machine fingerprint. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "hash.h"
#include "history.h"

/* Version 1: runs and their benchmarks' estimates.  Version 2 keeps the
 * other figures of a result (median, mean, counters, memory) and the
 * branch of a run, and indexes runs by machine and time for the queries.
 * Types both SQLite and PostgreSQL take; ids are the database's own
 * (SQLite's rowid, PostgreSQL's identity). */
const char *const history_sql[HISTORY_SCHEMA] = {
	"CREATE TABLE benchrun_schema (version INTEGER NOT NULL);"
	"INSERT INTO benchrun_schema (version) VALUES (1);"
	"CREATE TABLE runs (id @ID@, created TEXT NOT NULL, machine TEXT NOT NULL,"
	" machine_desc TEXT, commit_id TEXT, dirty INTEGER NOT NULL DEFAULT 0,"
	" compiler TEXT, cflags TEXT, measure TEXT NOT NULL, settings TEXT, document TEXT);"
	"CREATE TABLE results (run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" benchmark TEXT NOT NULL, estimate DOUBLE PRECISION, lo DOUBLE PRECISION,"
	" hi DOUBLE PRECISION, PRIMARY KEY (run_id, benchmark));",

	"ALTER TABLE runs ADD COLUMN branch TEXT;"
	"ALTER TABLE results ADD COLUMN figures TEXT;"
	"CREATE INDEX runs_machine_created ON runs (machine, created);"
	"CREATE INDEX results_benchmark ON results (benchmark);"
	"UPDATE benchrun_schema SET version = 2;",
};

long history_test_kill_after = -1;

void history_test_kill_point(size_t rows_written)
{
	if (history_test_kill_after >= 0 && rows_written >= (size_t)history_test_kill_after)
		raise(SIGKILL);
}

/* history_sql[v] with the backend's id column. */
static char *migration(int v, const char *id_type)
{
	const char *sql = history_sql[v], *at = strstr(sql, "@ID@");
	char *out;

	if (!at)
		return strdup(sql);
	if (asprintf(&out, "%.*s%s%s", (int)(at - sql), sql, id_type, at + 4) < 0)
		return NULL;
	return out;
}

int history_migrate(struct history_store *st, const struct history_migrator *m,
                    const char *where, char *err, size_t errlen)
{
	int version;

	if (m->exec(st, m->begin, err, errlen) != 0)
		return -1;
	if (m->be->schema(st, &version, err, errlen) != 0)
		goto rollback;
	if (version > HISTORY_SCHEMA) {
		snprintf(err, errlen, "%s: history schema %d is newer than this benchrun's (%d): "
		         "update benchrun", where, version, HISTORY_SCHEMA);
		goto rollback;
	}
	for (int v = version; v < HISTORY_SCHEMA; v++) {
		char *sql = migration(v, m->id_type);
		int rc = sql ? m->exec(st, sql, err, errlen) : (snprintf(err, errlen, "out of memory"), -1);
		free(sql);
		if (rc != 0)
			goto rollback;
	}
	return m->exec(st, "COMMIT", err, errlen);
rollback:
	m->exec(st, "ROLLBACK", NULL, 0);
	return -1;
}

char *history_where(const char *store, const char *baseline_dir)
{
	char *w;

	if (!store || !*store)
		store = getenv("BENCHRUN_STORE");
	if (store && *store)
		return strcmp(store, "none") ? strdup(store) : NULL;
	if (asprintf(&w, "%s/history.sqlite", baseline_dir) < 0)
		return NULL;
	return w;
}

static int is_url(const char *w)
{
	return !strncmp(w, "postgresql://", 13) || !strncmp(w, "postgres://", 11);
}

int history_open(const char *where, struct history *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof *h);
	h->be = is_url(where) ? &history_pg : &history_sqlite;
	if (!(h->where = strdup(where))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (h->be->open(where, &h->st, err, errlen) != 0) {
		free(h->where);
		h->where = NULL;
		return -1;
	}
	return 0;
}

void history_close(struct history *h)
{
	if (h->st)
		h->be->close(h->st);
	free(h->where);
	memset(h, 0, sizeof *h);
}

/* ---- a run from a results document ---- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *dump_or_null(json_t *j)
{
	return j && !json_is_null(j) ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* The kernel's release: the first word of "release version". */
static void add_field(uint64_t *h, json_t *machine, const char *key, int first_word)
{
	json_t *v = json_object_get(machine, key);
	char *text = json_is_string(v) ? strdup(json_string_value(v)) : dump_or_null(v);

	if (text && first_word)
		text[strcspn(text, " ")] = '\0';
	*h = hash_fnv1a_str(*h, key);
	*h = hash_fnv1a(*h, "=", 1);
	*h = hash_fnv1a_str(*h, text ? text : "null");
	*h = hash_fnv1a(*h, "\n", 1);
	free(text);
}

void history_fingerprint(json_t *machine, char buf[17])
{
	uint64_t h = HASH_FNV_OFFSET;

	add_field(&h, machine, "cpu_model", 0);
	add_field(&h, machine, "cores", 0);
	add_field(&h, machine, "arch", 0);
	add_field(&h, machine, "kernel", 1);
	add_field(&h, machine, "governor", 0);
	add_field(&h, machine, "pmu", 0);
	snprintf(buf, 17, "%016" PRIx64, h);
}

/* The machine description the fingerprint hashes, without the load. */
static char *machine_desc(json_t *machine)
{
	json_t *m = json_deep_copy(machine);
	char *s;

	if (!m)
		return NULL;
	json_object_del(m, "load");
	s = dump_or_null(m);
	json_decref(m);
	return s;
}

int history_run_from_document(json_t *doc, const char *document, struct history_run *run)
{
	json_t *ctx = json_object_get(doc, "context");
	json_t *machine = json_object_get(ctx, "machine"), *build = json_object_get(ctx, "build");
	const char *measure = json_string_value(json_object_get(doc, "measure"));
	const char *created = json_string_value(json_object_get(doc, "created"));
	char fp[17];

	memset(run, 0, sizeof *run);
	history_fingerprint(machine, fp);
	run->created = dup_or_null(created ? created : "1970-01-01T00:00:00Z");
	run->machine = strdup(fp);
	run->machine_desc = machine_desc(machine);
	run->commit = dup_or_null(json_string_value(json_object_get(build, "commit")));
	run->branch = dup_or_null(json_string_value(json_object_get(build, "branch")));
	run->dirty = json_is_true(json_object_get(build, "dirty"));
	run->compiler = dup_or_null(json_string_value(json_object_get(build, "compiler")));
	run->cflags = dup_or_null(json_string_value(json_object_get(build, "cflags")));
	run->measure = strdup(measure ? measure : "time");
	run->settings = dump_or_null(json_object_get(doc, "settings"));
	run->document = dup_or_null(document);
	if (!run->created || !run->machine || !run->measure) {
		history_run_free(run);
		return -1;
	}
	return 0;
}

void history_run_free(struct history_run *run)
{
	free(run->created);
	free(run->machine);
	free(run->machine_desc);
	free(run->commit);
	free(run->branch);
	free(run->compiler);
	free(run->cflags);
	free(run->measure);
	free(run->settings);
	free(run->document);
	memset(run, 0, sizeof *run);
}

/* The figures kept beside the estimate: median and mean, the counters'
 * and user counters' (memory's too) per-iteration figures. */
static char *figures_of(json_t *b)
{
	json_t *an = json_object_get(b, "analysis"), *f = json_object(), *c;
	size_t i;
	char *s;

	if (!f)
		return NULL;
	json_object_set(f, "median", json_object_get(json_object_get(an, "median"), "point"));
	json_object_set(f, "mean", json_object_get(json_object_get(an, "mean"), "point"));
	json_array_foreach(json_object_get(b, "counters"), i, c)
		if (json_is_number(json_object_get(c, "per_iter")))
			json_object_set(f, json_string_value(json_object_get(c, "name")),
			                json_object_get(c, "per_iter"));
	json_array_foreach(json_object_get(b, "user_counters"), i, c)
		if (json_is_string(json_object_get(c, "name")))
			json_object_set(f, json_string_value(json_object_get(c, "name")),
			                json_object_get(c, "mean"));
	s = dump_or_null(f);
	json_decref(f);
	return s;
}

long history_results_from_document(json_t *doc, struct history_result **out)
{
	json_t *benches = json_object_get(doc, "benchmarks"), *b;
	struct history_result *v = NULL;
	size_t n = 0, cap = 0, i;

	json_array_foreach(benches, i, b) {
		json_t *slope = json_object_get(json_object_get(b, "analysis"), "slope");
		const char *name = json_string_value(json_object_get(b, "name"));
		struct history_result *t;
		if (!name || !json_is_number(json_object_get(slope, "point")))
			continue;  /* failed, skipped, or never measured */
		if (!(t = array_room(v, &cap, n, sizeof *v, 16))) {
			history_results_free(v, n);
			return -1;
		}
		v = t;
		v[n] = (struct history_result){strdup(name),
		                               json_number_value(json_object_get(slope, "point")),
		                               json_number_value(json_object_get(slope, "lo")),
		                               json_number_value(json_object_get(slope, "hi")),
		                               figures_of(b)};
		if (!v[n++].benchmark) {
			history_results_free(v, n);
			return -1;
		}
	}
	*out = v;
	return (long)n;
}

void history_results_free(struct history_result *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].benchmark);
		free(r[i].figures);
	}
	free(r);
}

int history_append_document(struct history *h, json_t *doc, const char *document,
                            char *err, size_t errlen)
{
	struct history_run run;
	struct history_result *res = NULL;
	long n;
	int rc;

	if (history_run_from_document(doc, document, &run) != 0 ||
	    (n = history_results_from_document(doc, &res)) < 0) {
		history_run_free(&run);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = h->be->append(h->st, &run, res, (size_t)n, err, errlen);
	history_results_free(res, (size_t)n);
	history_run_free(&run);
	return rc;
}

/* ---- rows read back ---- */

int history_rows_push(struct history_rows *rows, int64_t run_id, const char *created,
                      const char *machine, const char *commit, const char *branch,
                      int dirty, const char *benchmark, double estimate, double lo,
                      double hi, const char *figures)
{
	struct history_row *t = array_room(rows->v, &rows->cap, rows->n, sizeof *t, 64);
	struct history_row *r;

	if (!t)
		return -1;
	rows->v = t;
	r = &rows->v[rows->n];
	*r = (struct history_row){run_id, dup_or_null(created), dup_or_null(machine),
	                          dup_or_null(commit), dup_or_null(branch), dirty,
	                          {dup_or_null(benchmark), estimate, lo, hi, dup_or_null(figures)}};
	rows->n++;
	return r->created && r->machine && r->r.benchmark ? 0 : -1;
}

void history_rows_free(struct history_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		struct history_row *r = &rows->v[i];
		free(r->created);
		free(r->machine);
		free(r->commit);
		free(r->branch);
		free(r->r.benchmark);
		free(r->r.figures);
	}
	free(rows->v);
	memset(rows, 0, sizeof *rows);
}

int history_rows_find(const struct history_rows *rows, const char *name, size_t *from,
                      size_t *to)
{
	size_t lo = 0, hi = rows->n;

	while (lo < hi) {  /* the first row not before name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(rows->v[mid].r.benchmark, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (lo < rows->n && !strcmp(rows->v[lo].r.benchmark, name))
		lo++;
	*to = lo;
	return *to > *from;
}

/* The smallest between-run movement a history may claim: below it, a few
 * quiet runs would make a stored comparison stricter than its processes
 * can support. */
#define DRIFT_FLOOR 0.002

double history_bench_drift(const struct history_rows *rows, const char *name)
{
	size_t from, to, runs = 0, commits = 0;
	double ss = 0, within = 0;

	if (!history_rows_find(rows, name, &from, &to))
		return NAN;
	for (size_t i = from; i < to; i++) {
		const struct history_row *a = &rows->v[i];
		double sum = 0, sum2 = 0;
		size_t n = 0;
		int first = 1;
		if (!a->commit || a->dirty || !(a->r.estimate > 0))
			continue;
		for (size_t j = from; j < to && first; j++)  /* a commit counts once */
			first = j >= i || !rows->v[j].commit || rows->v[j].dirty ||
			        strcmp(rows->v[j].commit, a->commit) != 0;
		if (!first)
			continue;
		for (size_t j = i; j < to; j++) {
			const struct history_row *b = &rows->v[j];
			double x, half;
			if (!b->commit || b->dirty || strcmp(b->commit, a->commit) != 0 ||
			    !(b->r.estimate > 0))
				continue;
			x = log(b->r.estimate);
			sum += x;
			sum2 += x * x;
			half = (b->r.hi - b->r.lo) / 2 / b->r.estimate / 1.96;
			within += isfinite(half) ? half * half : 0;
			n++;
		}
		runs += n;
		commits++;
		ss += sum2 - sum * sum / (double)n;
	}
	if (runs < commits + HISTORY_DRIFT_MIN_DF)
		return NAN;
	ss = ss / (double)(runs - commits) - within / (double)runs;
	return ss > DRIFT_FLOOR * DRIFT_FLOOR ? sqrt(ss) : DRIFT_FLOOR;
}
