/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history in an SQLite file (history.h): write-ahead logging and a
 * busy time-out, so concurrent runs on one machine wait for each other
 * instead of losing a row, and each run one transaction, so a run killed
 * while writing leaves nothing of itself. */
#define _GNU_SOURCE
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

/* How long a writer waits for another's transaction, ms: a run appends in
 * milliseconds, so only a stuck process holds the lock this long. */
#define BUSY_MS 60000

struct history_store {
	sqlite3 *db;
	char *path;
};

static int fail(struct history_store *st, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", st->path, what,
	         st->db ? sqlite3_errmsg(st->db) : "cannot open");
	return -1;
}

static int exec(struct history_store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (err)
		snprintf(err, errlen, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	return -1;
}

static int sq_schema(struct history_store *st, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	*version = 0;
	rc = sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE type = 'table' "
	                        "AND name = 'benchrun_schema'", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(st, "reading the schema", err, errlen);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;  /* a new file */
	if (rc != SQLITE_ROW ||
	    sqlite3_prepare_v2(st->db, "SELECT version FROM benchrun_schema", -1, &s, NULL)
	    != SQLITE_OK)
		return fail(st, "reading the schema", err, errlen);
	if (sqlite3_step(s) == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int sq_schema(struct history_store *st, int *version, char *err, size_t errlen);

/* BEGIN IMMEDIATE takes the write lock at once: concurrent openers of a
 * new file wait, then find the schema made. */
static const struct history_migrator migrator = {
	&history_sqlite, "BEGIN IMMEDIATE", exec, "INTEGER PRIMARY KEY",
};

static void sq_close(struct history_store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

static int sq_open(const char *where, struct history_store **out, char *err, size_t errlen)
{
	struct history_store *st = calloc(1, sizeof *st);

	*out = NULL;
	if (!st || !(st->path = strdup(where))) {
		free(st);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (sqlite3_open_v2(where, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
	    != SQLITE_OK) {
		fail(st, "cannot open", err, errlen);
		sq_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, BUSY_MS);
	if (exec(st, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON", err, errlen) != 0 ||
	    history_migrate(st, &migrator, st->path, err, errlen) != 0) {
		sq_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int insert_run(struct history_store *st, const struct history_run *r, sqlite3_int64 *id)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO runs (created, machine, machine_desc, "
	                       "commit_id, branch, dirty, compiler, cflags, measure, settings, "
	                       "document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &s, NULL)
	    != SQLITE_OK)
		return -1;
	bind_text(s, 1, r->created);
	bind_text(s, 2, r->machine);
	bind_text(s, 3, r->machine_desc);
	bind_text(s, 4, r->commit);
	bind_text(s, 5, r->branch);
	sqlite3_bind_int(s, 6, r->dirty);
	bind_text(s, 7, r->compiler);
	bind_text(s, 8, r->cflags);
	bind_text(s, 9, r->measure);
	bind_text(s, 10, r->settings);
	bind_text(s, 11, r->document);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	*id = sqlite3_last_insert_rowid(st->db);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int insert_results(struct history_store *st, sqlite3_int64 id,
                          const struct history_result *res, size_t n)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO results (run_id, benchmark, estimate, lo, "
	                       "hi, figures) VALUES (?, ?, ?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; rc == SQLITE_DONE && i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		bind_text(s, 2, res[i].benchmark);
		sqlite3_bind_double(s, 3, res[i].estimate);
		sqlite3_bind_double(s, 4, res[i].lo);
		sqlite3_bind_double(s, 5, res[i].hi);
		bind_text(s, 6, res[i].figures);
		rc = sqlite3_step(s);
		history_test_kill_point(i + 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int sq_append(struct history_store *st, const struct history_run *run,
                     const struct history_result *res, size_t n, char *err, size_t errlen)
{
	sqlite3_int64 id;

	if (exec(st, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	if (insert_run(st, run, &id) != 0 || insert_results(st, id, res, n) != 0) {
		fail(st, "appending the run", err, errlen);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec(st, "COMMIT", err, errlen);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static int sq_query(struct history_store *st, const struct history_query *q,
                    struct history_rows *out, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
	        "SELECT r.id, r.created, r.machine, r.commit_id, r.branch, r.dirty, x.benchmark, "
	        "x.estimate, x.lo, x.hi, x.figures FROM runs r JOIN results x ON x.run_id = r.id "
	        "WHERE (?1 IS NULL OR r.machine = ?1) AND (?2 IS NULL OR r.branch = ?2) "
	        "AND (?3 IS NULL OR r.created >= ?3) AND (?4 IS NULL OR r.measure = ?4) "
	        "ORDER BY x.benchmark, r.machine, r.created, r.id", -1, &s, NULL) != SQLITE_OK)
		return fail(st, "querying", err, errlen);
	bind_text(s, 1, q->machine);
	bind_text(s, 2, q->branch);
	bind_text(s, 3, q->since);
	bind_text(s, 4, q->measure);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (history_rows_push(out, sqlite3_column_int64(s, 0), col_text(s, 1),
		                      col_text(s, 2), col_text(s, 3), col_text(s, 4),
		                      sqlite3_column_int(s, 5), col_text(s, 6),
		                      sqlite3_column_double(s, 7), sqlite3_column_double(s, 8),
		                      sqlite3_column_double(s, 9), col_text(s, 10)) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_NOMEM ? (snprintf(err, errlen, "out of memory"), -1)
		                          : fail(st, "querying", err, errlen);
	return 0;
}

const struct history_backend history_sqlite = {
	"sqlite", sq_open, sq_append, sq_query, sq_schema, sq_close,
};
