/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history: every measuring run appended to a store, an SQLite file
 * (history_sqlite.c, the default, in the baseline folder) or a PostgreSQL
 * server shared by many runners (history_pg.c), under one versioned schema
 * that benchrun creates and migrates.  A run is keyed by its machine's
 * fingerprint, its build (commit, branch, dirty, compiler and flags), its
 * time, its measure and settings; each benchmark's row holds the estimate
 * with its interval and the other figures as JSON. */
#ifndef BENCHRUN_HISTORY_H
#define BENCHRUN_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The schema this benchrun writes; a store at an older version is
 * migrated when opened, one at a newer version refused. */
#define HISTORY_SCHEMA 2

/* One run's keys.  Strings are owned by whoever filled the struct
 * (history_run_free for those history.c fills). */
struct history_run {
	char *created;       /* UTC, "2026-12-03T22:58:30Z" */
	char *machine;       /* fingerprint: 16 hex digits of the machine's description */
	char *machine_desc;  /* the description, JSON (CPU model, cores, kernel,
	                      * governor, PMU) */
	char *commit;        /* git commit, or NULL */
	char *branch;        /* git branch, or NULL */
	int dirty;           /* uncommitted changes */
	char *compiler, *cflags; /* the benchmark programs', or NULL */
	char *measure;       /* "time" or "instructions" */
	char *settings;      /* JSON: the run's settings */
	char *document;      /* where the full results document went, or NULL */
};

/* One benchmark's row of a run. */
struct history_result {
	char *benchmark;
	double estimate, lo, hi;  /* per iteration: ns, or Ir */
	char *figures;            /* JSON: median, mean, counters, memory; or NULL */
};

/* A row read back: the run's keys that queries show, and the result. */
struct history_row {
	int64_t run_id;
	char *created, *machine, *commit, *branch;
	int dirty;
	struct history_result r;
};

struct history_rows {
	struct history_row *v;
	size_t n, cap;
};

/* What a query selects; NULL fields select all. */
struct history_query {
	const char *machine;   /* a fingerprint */
	const char *branch;
	const char *since;     /* runs created at or after this (ISO 8601 text
	                        * compares in time order) */
	const char *measure;
};

struct history_store;

/* A backend: one file of functions (STYLE: backends behind a table).
 * Every function returns 0, or -1 with one line in err. */
struct history_backend {
	const char *name;
	int (*open)(const char *where, struct history_store **out, char *err, size_t errlen);
	int (*append)(struct history_store *st, const struct history_run *run,
	              const struct history_result *res, size_t n, char *err, size_t errlen);
	/* rows ordered by benchmark, machine, time, run */
	int (*query)(struct history_store *st, const struct history_query *q,
	             struct history_rows *out, char *err, size_t errlen);
	int (*schema)(struct history_store *st, int *version, char *err, size_t errlen);
	void (*close)(struct history_store *st);
};

/* For the crash test (check_history): when >= 0, an append kills its own
 * process (SIGKILL) after writing this many result rows, inside its
 * transaction.  -1 otherwise; nothing else sets it. */
extern long history_test_kill_after;
void history_test_kill_point(size_t rows_written);

extern const struct history_backend history_sqlite;
extern const struct history_backend history_pg;

/* The statements of each schema version, from nothing (version 1) and
 * from the one before, in SQL both backends take; history_sql[v - 1] makes
 * version v from version v - 1. */
extern const char *const history_sql[HISTORY_SCHEMA];

/* What history_migrate needs of a backend: its statement that begins a
 * transaction holding the schema lock, a way to run SQL (err may be NULL
 * for a rollback), and its id column type for history_sql's "@ID@". */
struct history_migrator {
	const struct history_backend *be;
	const char *begin;
	int (*exec)(struct history_store *st, const char *sql, char *err, size_t errlen);
	const char *id_type;
};

/* Create the schema of a new store, or bring an older one to
 * HISTORY_SCHEMA, in one transaction; a newer one is refused.  0, or -1
 * with one line (naming `where`) in err, the store unchanged. */
int history_migrate(struct history_store *st, const struct history_migrator *m,
                    const char *where, char *err, size_t errlen);

/* An open store and its backend. */
struct history {
	const struct history_backend *be;
	struct history_store *st;
	char *where;  /* the file or URL, owned */
};

/* Where the history of a run goes: --store (or $BENCHRUN_STORE) when
 * given, "none" meaning nowhere; else history.sqlite in the baseline
 * folder.  Returns an owned string, or NULL for none. */
char *history_where(const char *store, const char *baseline_dir);

/* Open the store at where (a postgresql:// or postgres:// URL, or an
 * SQLite file path), creating or migrating its schema.  0, or -1 with one
 * line in err. */
int history_open(const char *where, struct history *h, char *err, size_t errlen);
void history_close(struct history *h);

/* The keys of a run from a results document (document.c: its context
 * and settings) and where the document went. */
int history_run_from_document(json_t *doc, const char *document, struct history_run *run);
void history_run_free(struct history_run *run);

/* The rows of a results document's measured benchmarks; count, or -1. */
long history_results_from_document(json_t *doc, struct history_result **out);
void history_results_free(struct history_result *r, size_t n);

/* Append a results document to h as one run (one transaction). */
int history_append_document(struct history *h, json_t *doc, const char *document,
                            char *err, size_t errlen);

void history_rows_free(struct history_rows *rows);

/* The rows of benchmark `name` in rows (ordered by benchmark first, as
 * queries return them): [*from, *to), by binary search; 0 when none. */
int history_rows_find(const struct history_rows *rows, const char *name, size_t *from,
                      size_t *to);

/* Fewest degrees of freedom (runs less commits) that make a measured
 * between-run movement. */
#define HISTORY_DRIFT_MIN_DF 4

/* A benchmark's own between-run movement in rows of one machine: the
 * standard deviation of its log estimate between runs of the same clean
 * commit (unchanged code), pooled over commits, less what each run's own
 * interval already explains; at least 0.2 %.  NAN with fewer than
 * HISTORY_DRIFT_MIN_DF degrees of freedom. */
double history_bench_drift(const struct history_rows *rows, const char *name);

/* Push one row (its strings copied); 0 or -1. */
int history_rows_push(struct history_rows *rows, int64_t run_id, const char *created,
                      const char *machine, const char *commit, const char *branch,
                      int dirty, const char *benchmark, double estimate, double lo,
                      double hi, const char *figures);

/* The fingerprint of a machine description: 16 hex digits of FNV-1a over
 * the fields that make timings comparable (CPU model, cores, kernel
 * release, governor, PMU), into buf (17 bytes). */
void history_fingerprint(json_t *machine, char buf[17]);

#endif
