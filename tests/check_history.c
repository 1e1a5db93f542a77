/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for the history (harness/history*.c): the same store tests
 * against SQLite and against a real PostgreSQL server (the one .ci/run
 * starts, named by $BENCHRUN_TEST_PG; without it the PostgreSQL half
 * skips, unless $BENCHRUN_TEST_PG_REQUIRED says a server was promised):
 * append and read back, eight concurrent writers, a writer killed inside
 * its transaction, migration from schema version 1, bad stores; then
 * `benchrun history` on the command line, change points included. */
#define _GNU_SOURCE
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include "check_main.h"

#include "history.h"
#include "transcript.h"

#define CMD_LIMIT_S 120.0
#define FAST "--processes", "2", "--warmup-time", "0.002", "--measure-time", "0.005", \
	"--samples", "5", "--quiet", "--profile", "none"

enum { SQLITE, PG };

/* This file builds two suites: check_history (SQLite and the command
 * line) and, with HISTORY_PG, check_history_pg (the same store tests on
 * the server), which is skipped (77) when no server was given. */
#ifdef HISTORY_PG
#define FIRST PG
#else
#define FIRST SQLITE
#endif
#define LAST (FIRST + 1)

static char tmpdir[PATH_MAX];

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/check_history.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char *cmd = check_asprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		fprintf(stderr, "check_history: could not remove %s\n", tmpdir);
	free(cmd);
}

static const char *pg_url(void)
{
	const char *u = getenv("BENCHRUN_TEST_PG");

	return u && *u ? u : NULL;
}

/* Run SQL on the test server; the test fails when it fails. */
static void pg_exec(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;

	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* A fresh store of the backend: an SQLite file in the test's folder, or a
 * schema of its own on the server (search_path), so tests do not meet.
 * NULL when the backend is PostgreSQL and there is no server. */
static char *fresh_store(int backend, const char *tag)
{
	static unsigned n;
	char *schema, *url;

	if (backend == SQLITE)
		return check_asprintf("%s/%s.sqlite", tmpdir, tag);
	if (!pg_url()) {
		ck_assert_msg(!getenv("BENCHRUN_TEST_PG_REQUIRED"),
		              "a PostgreSQL server was promised ($BENCHRUN_TEST_PG_REQUIRED) but "
		              "$BENCHRUN_TEST_PG is empty");
		return NULL;
	}
	schema = check_asprintf("t_%s_%ld_%u", tag, (long)getpid(), n++);
	url = check_asprintf("CREATE SCHEMA %s", schema);
	pg_exec(pg_url(), url);
	free(url);
	url = check_asprintf("%s%soptions=-csearch_path%%3D%s", pg_url(),
	                     strchr(pg_url(), '?') ? "&" : "?", schema);
	free(schema);
	return url;
}

static void open_ok(const char *where, struct history *h)
{
	char err[512];

	ck_assert_msg(history_open(where, h, err, sizeof err) == 0, "%s", err);
}

/* A run of `n` results named b0.., estimates base + i. */
static void append_run(struct history *h, const char *created, const char *commit, size_t n,
                       double base)
{
	struct history_run run = {(char *)created, "00000000000000aa", "{}", (char *)commit,
	                          "main", 0, "cc", "-O2", "time", "{}", NULL};
	struct history_result res[16];
	char names[16][8], err[512];

	ck_assert_uint_le(n, 16);
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "b%zu", i);
		res[i] = (struct history_result){names[i], base + (double)i, base + (double)i - 0.5,
		                                 base + (double)i + 0.5, "{\"median\":1}"};
	}
	ck_assert_msg(h->be->append(h->st, &run, res, n, err, sizeof err) == 0, "%s", err);
}

static size_t count_rows(struct history *h, struct history_rows *rows)
{
	struct history_query q = {NULL, NULL, NULL, NULL};
	char err[512];

	memset(rows, 0, sizeof *rows);
	ck_assert_msg(h->be->query(h->st, &q, rows, err, sizeof err) == 0, "%s", err);
	return rows->n;
}

START_TEST(test_append_read)
{
	char *where = fresh_store(_i, "append");
	struct history h;
	struct history_rows rows;
	int version;
	char err[256];

	if (!where)
		return;
	open_ok(where, &h);
	ck_assert_int_eq(h.be->schema(h.st, &version, err, sizeof err), 0);
	ck_assert_int_eq(version, HISTORY_SCHEMA);
	append_run(&h, "2026-12-01T10:00:00Z", "c1", 3, 100);
	append_run(&h, "2026-12-02T10:00:00Z", "c2", 3, 200);
	ck_assert_uint_eq(count_rows(&h, &rows), 6);
	/* by benchmark, then time */
	ck_assert_str_eq(rows.v[0].r.benchmark, "b0");
	ck_assert_str_eq(rows.v[0].commit, "c1");
	ck_assert_str_eq(rows.v[1].commit, "c2");
	ck_assert_double_eq(rows.v[1].r.estimate, 200);
	ck_assert_double_eq(rows.v[5].r.hi, 202.5);
	ck_assert_str_eq(rows.v[5].r.figures, "{\"median\":1}");
	ck_assert_str_eq(rows.v[0].branch, "main");
	ck_assert_str_eq(rows.v[0].machine, "00000000000000aa");
	history_rows_free(&rows);
	{
		struct history_query q = {NULL, NULL, "2026-12-02", NULL};
		ck_assert_int_eq(h.be->query(h.st, &q, &rows, err, sizeof err), 0);
		ck_assert_uint_eq(rows.n, 3);
		history_rows_free(&rows);
	}
	history_close(&h);
	/* reopened: still there, no second schema */
	open_ok(where, &h);
	ck_assert_uint_eq(count_rows(&h, &rows), 6);
	history_rows_free(&rows);
	history_close(&h);
	free(where);
}
END_TEST

#define WRITERS 8
#define RUNS_EACH 50

/* Eight processes append 50 runs each at once: every row arrives once. */
START_TEST(test_concurrent)
{
	char *where = fresh_store(_i, "conc");
	struct history h;
	struct history_rows rows;
	pid_t pid[WRITERS];

	if (!where)
		return;
	open_ok(where, &h);  /* the schema first: writers then only append */
	history_close(&h);
	for (int w = 0; w < WRITERS; w++) {
		ck_assert_int_ge(pid[w] = fork(), 0);
		if (pid[w] == 0) {
			struct history c;
			char err[512], commit[32];
			if (history_open(where, &c, err, sizeof err) != 0) {
				fprintf(stderr, "writer %d: %s\n", w, err);
				_exit(1);
			}
			for (int k = 0; k < RUNS_EACH; k++) {
				snprintf(commit, sizeof commit, "w%d-%d", w, k);
				append_run(&c, "2026-12-03T00:00:00Z", commit, 2, w * 1000 + k);
			}
			history_close(&c);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int st;
		ck_assert_int_eq(waitpid(pid[w], &st, 0), pid[w]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed", w);
	}
	open_ok(where, &h);
	ck_assert_uint_eq(count_rows(&h, &rows), WRITERS * RUNS_EACH * 2);
	/* no duplicate: each writer's (commit, benchmark) once */
	for (size_t i = 0; i < rows.n; i++)
		for (size_t j = i + 1; j < rows.n && j < i + 2 * WRITERS * RUNS_EACH; j++)
			ck_assert_msg(rows.v[i].run_id != rows.v[j].run_id ||
			              strcmp(rows.v[i].r.benchmark, rows.v[j].r.benchmark),
			              "run %lld twice", (long long)rows.v[i].run_id);
	history_rows_free(&rows);
	history_close(&h);
	free(where);
}
END_TEST

/* A writer killed after two of its five rows leaves nothing of its run. */
START_TEST(test_killed)
{
	char *where = fresh_store(_i, "killed");
	struct history h;
	struct history_rows rows;
	pid_t pid;
	int st;

	if (!where)
		return;
	open_ok(where, &h);
	append_run(&h, "2026-12-01T00:00:00Z", "before", 1, 1);
	history_close(&h);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct history c;
		char err[512];
		if (history_open(where, &c, err, sizeof err) != 0)
			_exit(1);
		history_test_kill_after = 2;
		append_run(&c, "2026-12-02T00:00:00Z", "killed", 5, 10);
		_exit(0);  /* not reached */
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %d", st);
	open_ok(where, &h);
	ck_assert_uint_eq(count_rows(&h, &rows), 1);
	ck_assert_str_eq(rows.v[0].commit, "before");
	history_rows_free(&rows);
	append_run(&h, "2026-12-03T00:00:00Z", "after", 2, 1);
	ck_assert_uint_eq(count_rows(&h, &rows), 3);
	history_rows_free(&rows);
	history_close(&h);
	free(where);
}
END_TEST

static void sqlite_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* A store made by schema version 1, with a run in it: opening migrates it
 * to the current version and keeps the run. */
START_TEST(test_migrate)
{
	char *where = fresh_store(_i, "migrate");
	const char *v1_row = "INSERT INTO runs (created, machine, measure) VALUES "
	                     "('2026-11-01T00:00:00Z', 'm', 'time');"
	                     "INSERT INTO results (run_id, benchmark, estimate, lo, hi) VALUES "
	                     "(1, 'old', 5, 4, 6);";
	char *v1 = NULL, *at;
	struct history h;
	struct history_rows rows;
	int version;
	char err[256];

	if (!where)
		return;
	at = strstr(history_sql[0], "@ID@");
	v1 = check_asprintf("%.*s%s%s%s", (int)(at - history_sql[0]), history_sql[0],
	                    _i == SQLITE ? "INTEGER PRIMARY KEY"
	                                 : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
	                    at + 4, v1_row);
	if (_i == SQLITE)
		sqlite_exec(where, v1);
	else
		pg_exec(where, v1);
	open_ok(where, &h);
	ck_assert_int_eq(h.be->schema(h.st, &version, err, sizeof err), 0);
	ck_assert_int_eq(version, 2);
	ck_assert_uint_eq(count_rows(&h, &rows), 1);
	ck_assert_str_eq(rows.v[0].r.benchmark, "old");
	ck_assert_ptr_null(rows.v[0].branch);
	history_rows_free(&rows);
	append_run(&h, "2026-12-01T00:00:00Z", "new", 1, 7);
	ck_assert_uint_eq(count_rows(&h, &rows), 2);
	history_rows_free(&rows);
	history_close(&h);
	free(v1);
	free(where);
}
END_TEST

/* A benchmark's between-run movement: the spread of its log estimate
 * within each clean commit, pooled; dirty runs and other benchmarks left
 * out; too few runs of unchanged code: unknown. */
START_TEST(test_bench_drift)
{
	static const double a[] = {101, 99, 101, 99, 100, 100}, b[] = {204, 196};
	struct history_rows rows = {0};

	for (size_t i = 0; i < 6; i++)  /* one commit, 6 runs: 5 degrees of freedom */
		ck_assert_int_eq(history_rows_push(&rows, (int64_t)i, "t", "m", "ca", "main", 0, "x",
		                                   a[i], a[i], a[i], NULL), 0);
	ck_assert_int_eq(history_rows_push(&rows, 6, "t", "m", "ca", "main", 1, "x", 500, 500, 500,
	                                   NULL), 0);  /* dirty: not unchanged code */
	ck_assert_double_eq_tol(history_bench_drift(&rows, "x"), 0.008944607340492823, 1e-12);
	for (size_t i = 0; i < 2; i++)  /* a second commit adds one */
		ck_assert_int_eq(history_rows_push(&rows, (int64_t)(7 + i), "t", "m", "cb", "main", 0,
		                                   "x", b[i], b[i], b[i], NULL), 0);
	ck_assert_int_eq(history_rows_push(&rows, 9, "t", "m", "cc", "main", 0, "y", 1, 1, 1, NULL),
	                 0);
	ck_assert_double_eq_tol(history_bench_drift(&rows, "x"), 0.014143569806069782, 1e-12);
	ck_assert(isnan(history_bench_drift(&rows, "y")));  /* one run */
	ck_assert(isnan(history_bench_drift(&rows, "z")));  /* none */
	history_rows_free(&rows);
}
END_TEST

/* Bad stores: one line naming the store and the reason. */
static void open_fails(const char *where, const char *want)
{
	struct history h;
	char err[512] = "";

	ck_assert_int_eq(history_open(where, &h, err, sizeof err), -1);
	ck_assert_msg(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	ck_assert_msg(!strchr(err, '\n'), "two lines: '%s'", err);
}

START_TEST(test_bad_stores)
{
	char *missing = check_asprintf("%s/no/such/folder/h.sqlite", tmpdir);
	char *garbage = check_asprintf("%s/garbage.sqlite", tmpdir);
	FILE *f = fopen(garbage, "w");

	ck_assert_ptr_nonnull(f);
	fputs("this is not a database, but it is long enough to have a header of sorts..."
	      "..........................................................................", f);
	fclose(f);
	open_fails(missing, "no/such/folder/h.sqlite: cannot open: unable to open database file");
	open_fails(garbage, "file is not a database");
	open_fails("postgresql://benchrun@127.0.0.1:1/benchrun", "cannot connect");
	open_fails("postgresql://benchrun@localhost:notaport/benchrun",
	           "postgresql://benchrun@localhost:notaport/benchrun: cannot connect: invalid "
	           "integer value \"notaport\" for connection option \"port\"");
	open_fails("postgresql://benchrun:secret@127.0.0.1:1/benchrun",
	           "postgresql://benchrun:***@127.0.0.1:1/benchrun: cannot connect");  /* no password shown */
	if (pg_url()) {
		char *ro = fresh_store(PG, "ro"), *url;
		struct history h;
		struct history_run run = {"2026-12-01T00:00:00Z", "m", NULL, NULL, NULL, 0, NULL,
		                          NULL, "time", NULL, NULL};
		char err[512];

		url = check_asprintf("%s%suser=nosuchrole", pg_url(), strchr(pg_url(), '?') ? "&" : "?");
		open_fails(url, "role \"nosuchrole\" does not exist");
		free(url);
		/* a role that may only read: it opens the store (the schema is
		 * current), appending fails in one line, nothing is written */
		open_ok(ro, &h);
		history_close(&h);
		pg_exec(pg_url(), "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
		                  "'reader') THEN CREATE ROLE reader LOGIN; END IF; END $$");
		url = strstr(ro, "search_path%3D") + strlen("search_path%3D");
		url = check_asprintf("GRANT USAGE ON SCHEMA %s TO reader; GRANT SELECT ON ALL TABLES "
		                     "IN SCHEMA %s TO reader", url, url);
		pg_exec(pg_url(), url);
		free(url);
		url = check_asprintf("%s&user=reader", ro);
		open_ok(url, &h);
		ck_assert_int_eq(h.be->append(h.st, &run, NULL, 0, err, sizeof err), -1);
		ck_assert_msg(strstr(err, "appending the run: ERROR:  permission denied for table runs")
		              && !strchr(err, '\n'), "%s", err);
		history_close(&h);
		free(url);
		free(ro);
	}
	free(missing);
	free(garbage);
}
END_TEST

/* ---- the command line ---- */

static void run_ok(struct transcript *t, char *const argv[], int code)
{
	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, t), 0);
	ck_assert_msg(t->exit_code == code, "exit %d, not %d\nstdout:\n%s\nstderr:\n%s",
	              t->exit_code, code, t->out, t->err);
}

#ifndef HISTORY_PG
static char *worker(void)
{
	const char *dir = getenv("TESTS_BUILDDIR");

	ck_assert_ptr_nonnull(dir);
	return check_asprintf("%s/worker_profile", dir);
}


/* Three measuring runs land in the store; `history` lists them newest
 * last with a trend, as CSV and JSON too; a baseline imports. */
START_TEST(test_cli_runs)
{
	const char *benchrun = getenv("BENCHRUN");
	char *store = check_asprintf("%s/h.sqlite", tmpdir), *prog = worker();
	char *bdir = check_asprintf("%s/b", tmpdir);
	char *measure[] = {(char *)benchrun, FAST, "-f", "split", "--store", store,
	                   "--baseline-dir", bdir, prog, NULL};
	char *save[] = {(char *)benchrun, FAST, "-f", "split", "--no-history", "--baseline-dir",
	                bdir, "--save-baseline", "b1", "--no-keep-programs", prog, NULL};
	char *list[] = {(char *)benchrun, "history", "--store", store, NULL};
	char *csv[] = {(char *)benchrun, "history", "--store", store, "--csv", "split", NULL};
	char *js[] = {(char *)benchrun, "history", "--store", store, "--json", NULL};
	char *base = check_asprintf("%s/b1.json", bdir);
	char *imp[] = {(char *)benchrun, "history", "import", "--store", store, base, NULL};
	struct transcript t;
	json_error_t je;
	json_t *arr;

	for (int i = 0; i < 2; i++) {
		run_ok(&t, measure, 0);
		transcript_free(&t);
	}
	{
		/* the third with a report: its page plots the three runs */
		char *report = check_asprintf("%s/r", tmpdir), *cmd;
		char *argv[] = {(char *)benchrun, FAST, "-f", "split", "--store", store,
		                "--baseline-dir", bdir, "--report", report, prog, NULL};
		run_ok(&t, argv, 0);
		transcript_free(&t);
		cmd = check_asprintf("test \"$(cat '%s'/plots/profile_split-*.trend | wc -l)\" -eq 5 && "
		                     "grep -q 'profile_split-[0-9a-f]*-trend.svg' '%s'/profile_split-*.html",
		                     report, report);
		ck_assert_msg(system(cmd) == 0, "no trend of three runs: %s", cmd);
		free(cmd);
		free(report);
	}
	run_ok(&t, list, 0);
	ck_assert_msg(strstr(t.out, "profile/split  (machine ") && strstr(t.out, ", 3 runs)") &&
	              strstr(t.out, "  trend: ") && strstr(t.out, "per 10 runs"), "%s", t.out);
	transcript_free(&t);
	run_ok(&t, csv, 0);
	ck_assert_uint_eq(transcript_lines(t.out), 4);
	{
		const char *want = "benchmark,created,machine,commit,branch,dirty,estimate,lo,hi\n"
		                   "profile/split,";
		ck_assert_msg(!strncmp(t.out, want, strlen(want)), "%s", t.out);
	}
	transcript_free(&t);
	run_ok(&t, save, 0);
	transcript_free(&t);
	run_ok(&t, imp, 0);
	ck_assert_msg(strstr(t.out, "imported "), "%s", t.out);
	transcript_free(&t);
	run_ok(&t, js, 0);
	arr = json_loads(t.out, 0, &je);
	ck_assert_msg(json_is_array(arr), "%s", je.text);
	ck_assert_uint_eq(json_array_size(arr), 4);
	ck_assert(json_is_number(json_object_get(json_array_get(arr, 3), "estimate")));
	json_decref(arr);
	transcript_free(&t);
	free(store);
	free(prog);
	free(bdir);
	free(base);
}
END_TEST

/* Listing a history not made yet: a warning, exit 0, and no empty store
 * made by looking. */
START_TEST(test_cli_no_store_yet)
{
	const char *benchrun = getenv("BENCHRUN");
	char *store = check_asprintf("%s/later.sqlite", tmpdir);
	char *argv[] = {(char *)benchrun, "history", "--store", store, NULL};
	struct transcript t;

	run_ok(&t, argv, 0);
	ck_assert_msg(strstr(t.err, "no runs: ") && strstr(t.err, "does not exist yet"), "%s", t.err);
	ck_assert_int_ne(access(store, F_OK), 0);
	transcript_free(&t);
	free(store);
}
END_TEST

/* A store that cannot be written: one line, exit 2, the JSON written. */
START_TEST(test_cli_bad_store)
{
	const char *benchrun = getenv("BENCHRUN");
	char *prog = worker(), *json = check_asprintf("%s/r.json", tmpdir);
	char *argv[] = {(char *)benchrun, FAST, "-f", "split", "--store",
	                "postgresql://benchrun@127.0.0.1:1/benchrun", "--json", json, prog, NULL};
	struct transcript t;

	run_ok(&t, argv, 2);
	ck_assert_uint_eq(transcript_lines(t.err), 1);
	ck_assert_msg(strstr(t.err, "benchrun: history: postgresql://benchrun@127.0.0.1:1/benchrun: "
	                     "cannot connect: "), "%s", t.err);
	ck_assert_int_eq(access(json, R_OK), 0);
	transcript_free(&t);
	free(prog);
	free(json);
}
END_TEST

#endif

/* A series with a +3 % step at run 16 of 30: `history --changes` finds it
 * there and exits 1; with --since after it, 0. */
START_TEST(test_cli_changes)
{
	const char *benchrun = getenv("BENCHRUN");
	char *where = fresh_store(_i, "changes");
	char *argv[] = {(char *)benchrun, "history", "--store", where, "--all-machines",
	                "--changes", NULL};
	char *later[] = {(char *)benchrun, "history", "--store", where, "--all-machines",
	                 "--changes", "--since", "2026-12-31", NULL};
	struct history h;
	struct transcript t;
	/* noise of sd ~0.3 % (a fixed pattern, so the test is exact) */
	static const double noise[] = {0.2, -0.3, 0.1, 0.4, -0.2, -0.4, 0.3, 0.0, -0.1, 0.2,
	                               -0.3, 0.1, 0.3, -0.2, 0.0};

	if (!where)
		return;
	open_ok(where, &h);
	for (int i = 0; i < 30; i++) {
		char created[32], commit[16];
		snprintf(created, sizeof created, "2026-12-%02dT00:00:00Z", 1 + i % 30);
		snprintf(commit, sizeof commit, "c%02d", i);
		append_run(&h, created, commit, 1, (i < 15 ? 100 : 103) + noise[i % 15]);
	}
	history_close(&h);
	run_ok(&t, argv, 1);
	ck_assert_msg(strstr(t.out, "b0  (machine 00000000000000aa): slower at run 16 of 30, "
	                     "2026-12-16T00:00:00Z, commits c14..c15: "), "%s", t.out);
	ck_assert_msg(strstr(t.out, "1 regression change point\n"), "%s", t.out);
	transcript_free(&t);
	run_ok(&t, later, 0);
	ck_assert_msg(strstr(t.out, "0 regression change points since then"), "%s", t.out);
	transcript_free(&t);
	free(where);
}
END_TEST

static Suite *history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *store = tcase_create("store"), *cli = tcase_create("cli");

	tcase_add_checked_fixture(store, tmp_setup, tmp_teardown);
	tcase_set_timeout(store, 120);
	tcase_add_loop_test(store, test_append_read, FIRST, LAST);
	tcase_add_loop_test(store, test_concurrent, FIRST, LAST);
	tcase_add_loop_test(store, test_killed, FIRST, LAST);
	tcase_add_loop_test(store, test_migrate, FIRST, LAST);
	tcase_add_test(store, test_bad_stores);
	tcase_add_test(store, test_bench_drift);
	suite_add_tcase(s, store);
	tcase_add_checked_fixture(cli, tmp_setup, tmp_teardown);
	tcase_set_timeout(cli, 240);
#ifndef HISTORY_PG
	tcase_add_test(cli, test_cli_runs);
	tcase_add_test(cli, test_cli_bad_store);
	tcase_add_test(cli, test_cli_no_store_yet);
#endif
	tcase_add_loop_test(cli, test_cli_changes, FIRST, LAST);
	suite_add_tcase(s, cli);
	return s;
}

int main(void)
{
#ifdef HISTORY_PG
	if (!pg_url()) {
		if (getenv("BENCHRUN_TEST_PG_REQUIRED")) {
			fputs("check_history_pg: a PostgreSQL server was promised "
			      "($BENCHRUN_TEST_PG_REQUIRED) but $BENCHRUN_TEST_PG is empty\n", stderr);
			return 1;
		}
		fputs("check_history_pg: no PostgreSQL server ($BENCHRUN_TEST_PG): skipped\n", stderr);
		return 77;
	}
#endif
	return check_run_suite(history_suite());
}
