/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history on a PostgreSQL server through libpq (history.h), for a
 * fleet of runners sharing one history.  Each run is one transaction; the
 * schema is created or migrated under an advisory lock, so runners that
 * start together do not race to create it. */
#define _GNU_SOURCE
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

/* The advisory lock key the schema changes hold ("benchrun" in ASCII). */
#define SCHEMA_LOCK "6441412405773774190"

struct history_store {
	PGconn *c;
	char *where;
};

/* The server's message in one line (libpq ends it with a newline, and a
 * connection failure may span several). */
static int fail_msg(const char *where, const char *what, const char *msg, char *err,
                    size_t errlen)
{
	char *line = strdup(msg ? msg : "");

	for (char *p = line; p && *p; p++)
		if (*p == '\n')
			*p = p[1] ? ' ' : '\0';
	snprintf(err, errlen, "%s: %s%s%s", where, what, *what ? ": " : "",
	         line && *line ? line : "failed");
	free(line);
	return -1;
}

/* The URL without its password, for messages. */
static char *redact(const char *url)
{
	const char *at = strchr(url, '@'), *scheme = strstr(url, "://");
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	char *out;

	if (!at || !colon || colon > at)
		return strdup(url);
	if (asprintf(&out, "%.*s:***%s", (int)(colon - url), url, at) < 0)
		return NULL;
	return out;
}

static int run_sql(struct history_store *st, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(st->c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok && err)
		fail_msg(st->where, "", PQerrorMessage(st->c), err, errlen);
	PQclear(r);
	return ok ? 0 : -1;
}

static int pg_schema(struct history_store *st, int *version, char *err, size_t errlen)
{
	PGresult *r = PQexec(st->c, "SELECT to_regclass('benchrun_schema') IS NOT NULL");
	int have;

	*version = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return fail_msg(st->where, "reading the schema", PQerrorMessage(st->c), err, errlen);
	}
	have = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (!have)
		return 0;
	r = PQexec(st->c, "SELECT version FROM benchrun_schema");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return fail_msg(st->where, "reading the schema", PQerrorMessage(st->c), err, errlen);
	}
	if (PQntuples(r) > 0)
		*version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

static int pg_schema(struct history_store *st, int *version, char *err, size_t errlen);

/* The advisory lock serialises runners that create or migrate the schema
 * at once; it is released with the transaction. */
static const struct history_migrator migrator = {
	&history_pg, "BEGIN; SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")", run_sql,
	"BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
};

static void pg_close(struct history_store *st)
{
	if (!st)
		return;
	PQfinish(st->c);
	free(st->where);
	free(st);
}

static int pg_open(const char *where, struct history_store **out, char *err, size_t errlen)
{
	struct history_store *st = calloc(1, sizeof *st);

	*out = NULL;
	if (!st || !(st->where = redact(where))) {
		free(st);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->c = PQconnectdb(where);
	if (!st->c || PQstatus(st->c) != CONNECTION_OK) {
		fail_msg(st->where, "cannot connect", st->c ? PQerrorMessage(st->c) : NULL, err,
		         errlen);
		pg_close(st);
		return -1;
	}
	PQclear(PQexec(st->c, "SET client_min_messages = warning"));
	if (history_migrate(st, &migrator, st->where, err, errlen) != 0) {
		pg_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

static int pg_append(struct history_store *st, const struct history_run *run,
                     const struct history_result *res, size_t n, char *err, size_t errlen)
{
	char dirty[2] = {run->dirty ? '1' : '0', 0}, id[32];
	const char *rv[] = {run->created, run->machine, run->machine_desc, run->commit,
	                    run->branch, dirty, run->compiler, run->cflags, run->measure,
	                    run->settings, run->document};
	PGresult *r;

	if (run_sql(st, "BEGIN", err, errlen) != 0)
		return -1;
	r = PQexecParams(st->c, "INSERT INTO runs (created, machine, machine_desc, commit_id, "
	                 "branch, dirty, compiler, cflags, measure, settings, document) VALUES "
	                 "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
	                 11, NULL, rv, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		goto fail;
	snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	for (size_t i = 0; i < n; i++) {
		char est[32], lo[32], hi[32];
		const char *v[] = {id, res[i].benchmark, est, lo, hi, res[i].figures};
		snprintf(est, sizeof est, "%.17g", res[i].estimate);
		snprintf(lo, sizeof lo, "%.17g", res[i].lo);
		snprintf(hi, sizeof hi, "%.17g", res[i].hi);
		r = PQexecParams(st->c, "INSERT INTO results (run_id, benchmark, estimate, lo, hi, "
		                 "figures) VALUES ($1, $2, $3, $4, $5, $6)", 6, NULL, v, NULL, NULL,
		                 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			goto fail;
		PQclear(r);
		history_test_kill_point(i + 1);
	}
	return run_sql(st, "COMMIT", err, errlen);
fail:
	fail_msg(st->where, "appending the run", PQerrorMessage(st->c), err, errlen);
	PQclear(r);
	PQclear(PQexec(st->c, "ROLLBACK"));
	return -1;
}

static const char *val(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int pg_query(struct history_store *st, const struct history_query *q,
                    struct history_rows *out, char *err, size_t errlen)
{
	const char *v[] = {q->machine, q->branch, q->since, q->measure};
	PGresult *r = PQexecParams(
		st->c,
		"SELECT r.id, r.created, r.machine, r.commit_id, r.branch, r.dirty, x.benchmark, "
		"x.estimate, x.lo, x.hi, x.figures FROM runs r JOIN results x ON x.run_id = r.id "
		"WHERE ($1::text IS NULL OR r.machine = $1) AND ($2::text IS NULL OR r.branch = $2) "
		"AND ($3::text IS NULL OR r.created >= $3) AND ($4::text IS NULL OR r.measure = $4) "
		"ORDER BY x.benchmark, r.machine, r.created, r.id", 4, NULL, v, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fail_msg(st->where, "querying", PQerrorMessage(st->c), err, errlen);
		PQclear(r);
		return -1;
	}
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		rc = history_rows_push(out, strtoll(val(r, i, 0), NULL, 10), val(r, i, 1),
		                       val(r, i, 2), val(r, i, 3), val(r, i, 4),
		                       atoi(val(r, i, 5)), val(r, i, 6), strtod(val(r, i, 7), NULL),
		                       strtod(val(r, i, 8), NULL), strtod(val(r, i, 9), NULL),
		                       val(r, i, 10));
	PQclear(r);
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
	return rc;
}

const struct history_backend history_pg = {
	"postgresql", pg_open, pg_append, pg_query, pg_schema, pg_close,
};
