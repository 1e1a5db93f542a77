/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `benchrun history`: the recent runs of each benchmark with a one-line
 * trend, as text, CSV or JSON; `--changes`, the change points of each
 * benchmark's series (changepoint.h); `history import`, baselines and
 * results documents brought into the store; and history_record, which
 * appends a measuring run's document at its end. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "changepoint.h"
#include "context.h"
#include "document.h"
#include "history.h"
#include "history_cli.h"
#include "msg.h"
#include "suite.h"
#include "units.h"

enum { EXIT_OK = EXIT_NO_REGRESSION, EXIT_CHANGE = EXIT_REGRESSION };

struct hopts {
	const char *store, *baseline_dir, *machine, *branch, *since, *measure;
	int all_machines, json, csv, changes;
	unsigned last;
	double alpha;
	regex_t re;
	int have_re;
};

static void usage(FILE *out)
{
	fputs("usage: benchrun history [OPTION]... [REGEX]\n"
	      "       benchrun history import [--store URL] FILE...\n"
	      "The runs of each benchmark kept in the history, newest last, with a\n"
	      "one-line trend; --changes finds where each series changed level.\n\n"
	      "      --store URL          the history: an SQLite file or postgresql://... (default\n"
	      "                           $BENCHRUN_STORE, else history.sqlite in the baseline folder)\n"
	      "      --baseline-dir DIR   where baselines live (default $BENCHRUN_BASELINE_DIR or baselines)\n"
	      "      --machine ID         runs of this machine fingerprint (default: this machine's)\n"
	      "      --all-machines       runs of every machine, each its own series\n"
	      "      --branch NAME        runs of this git branch\n"
	      "      --since DATE         runs from this time on (ISO 8601, e.g. 2026-12-01)\n"
	      "      --measure WHAT       time (default) or instructions\n"
	      "      --last N             runs shown per benchmark (default 10; 0: all)\n"
	      "      --json, --csv        every selected run as JSON or CSV instead\n"
	      "      --changes            list change points; exit 1 when a regression is newer than --since\n"
	      "      --alpha P            significance of a change point (default 0.01)\n"
	      "  -h, --help               show this help\n", out);
}

static int parse(int argc, char **argv, struct hopts *o)
{
	static const struct option opts[] = {
		{"store", required_argument, NULL, 's'}, {"baseline-dir", required_argument, NULL, 'd'},
		{"machine", required_argument, NULL, 'm'}, {"all-machines", no_argument, NULL, 'a'},
		{"branch", required_argument, NULL, 'b'}, {"since", required_argument, NULL, 'S'},
		{"measure", required_argument, NULL, 'M'}, {"last", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'}, {"csv", no_argument, NULL, 'c'},
		{"changes", no_argument, NULL, 'C'}, {"alpha", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	memset(o, 0, sizeof *o);
	o->last = 10;
	o->alpha = 0.01;
	o->measure = "time";
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->store = optarg; break;
		case 'd': o->baseline_dir = optarg; break;
		case 'm': o->machine = optarg; break;
		case 'a': o->all_machines = 1; break;
		case 'b': o->branch = optarg; break;
		case 'S': o->since = optarg; break;
		case 'j': o->json = 1; break;
		case 'c': o->csv = 1; break;
		case 'C': o->changes = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'M':
			if (strcmp(optarg, "time") && strcmp(optarg, "instructions")) {
				msg_error("history", "--measure: time or instructions, not '%s'", optarg);
				return -1;
			}
			o->measure = optarg;
			break;
		case 'n':
			o->last = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				msg_error("history", "--last: bad value '%s'", optarg);
				return -1;
			}
			break;
		case 'A':
			o->alpha = strtod(optarg, &end);
			if (*end || !(o->alpha > 0 && o->alpha < 0.5)) {
				msg_error("history", "--alpha: a probability under 0.5, not '%s'", optarg);
				return -1;
			}
			break;
		default:
			msg_error("history", "bad option '%s' (benchrun history --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (o->json + o->csv > 1) {
		msg_error("history", "--json and --csv: one output format");
		return -1;
	}
	if (optind < argc) {
		int e = regcomp(&o->re, argv[optind], REG_EXTENDED | REG_NOSUB);
		if (e != 0) {
			msg_error("history", "bad regex '%s'", argv[optind]);
			return -1;
		}
		o->have_re = 1;
		optind++;
	}
	if (optind < argc) {
		msg_error("history", "one REGEX at most ('%s' is extra)", argv[optind]);
		return -1;
	}
	return 0;
}

static const char *baseline_folder(const char *dir)
{
	const char *env = getenv("BENCHRUN_BASELINE_DIR");

	return dir ? dir : env && *env ? env : "baselines";
}

static int getenv_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

/* The default store lives in the baseline folder, which a first run in a
 * fresh folder has not made yet: make it.  0, or -1 after a message. */
static int make_default_folder(const char *store, const char *baseline_dir)
{
	if ((store && *store) || getenv_nonempty("BENCHRUN_STORE") ||
	    mkdir(baseline_dir, 0777) == 0 || errno == EEXIST)
		return 0;
	msg_error("history", "%s: cannot create: %s", baseline_dir, strerror(errno));
	return -1;
}

/* Open the store to read (must_exist: an SQLite file that is not there
 * has no runs, and is not made empty) or to import into.  0; 1 when there
 * is nothing to read; -1 after a message. */
static int open_store(const char *store, const char *dir, struct history *h, int must_exist)
{
	char *where = history_where(store, baseline_folder(dir)), err[512];
	int rc;

	if (!where) {
		msg_error("history", "no store: --store or $BENCHRUN_STORE is 'none'");
		return -1;
	}
	if (must_exist && !strstr(where, "://") && access(where, F_OK) != 0) {
		msg_warn("history", "no runs: %s does not exist yet (every measuring run appends "
		         "to it)", where);
		free(where);
		return 1;
	}
	rc = history_open(where, h, err, sizeof err);
	if (rc != 0)
		msg_error("history", "%s", err);
	free(where);
	return rc;
}

/* ---- series: the rows of one benchmark on one machine ---- */

struct series {
	const struct history_row *r;  /* into the rows, consecutive */
	size_t n;
};

static int same_series(const struct history_row *a, const struct history_row *b, int by_machine)
{
	return !strcmp(a->r.benchmark, b->r.benchmark) &&
	       (!by_machine || !strcmp(a->machine, b->machine));
}

/* Least-squares slope of y over 0..n-1, relative to y's mean, per run. */
static double trend_per_run(const struct history_row *r, size_t n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;

	for (size_t i = 0; i < n; i++) {
		double x = (double)i, y = r[i].r.estimate;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	if (n < 3 || sy == 0)
		return NAN;
	return ((double)n * sxy - sx * sy) / ((double)n * sxx - sx * sx) / (sy / (double)n);
}

static void print_series(const struct hopts *o, const struct series *s)
{
	size_t from = o->last && s->n > o->last ? s->n - o->last : 0;
	char e[32], lo[32], hi[32];
	double t = trend_per_run(s->r, s->n);
	int ir = !strcmp(o->measure, "instructions");

	printf("%s  (machine %s, %zu runs)\n", s->r[0].r.benchmark, s->r[0].machine, s->n);
	for (size_t i = from; i < s->n; i++) {
		const struct history_row *r = &s->r[i];
		units_figure(e, sizeof e, r->r.estimate, ir);
		units_figure(lo, sizeof lo, r->r.lo, ir);
		units_figure(hi, sizeof hi, r->r.hi, ir);
		printf("  %-20s  %-12.12s%s  %12s  [%s, %s]\n", r->created,
		       r->commit ? r->commit : "-", r->dirty ? "+" : " ", e, lo, hi);
	}
	if (isfinite(t))
		printf("  trend: %+.2f%% per 10 runs (least squares over %zu runs); last run %+.2f%% "
		       "against the first\n", 1000 * t, s->n,
		       100 * (s->r[s->n - 1].r.estimate / s->r[0].r.estimate - 1));
	else
		printf("  trend: too few runs\n");
}

static void print_csv_row(const struct history_row *r)
{
	printf("%s,%s,%s,%s,%s,%d,%.17g,%.17g,%.17g\n", r->r.benchmark, r->created, r->machine,
	       r->commit ? r->commit : "", r->branch ? r->branch : "", r->dirty, r->r.estimate,
	       r->r.lo, r->r.hi);
}

static json_t *row_json(const struct history_row *r)
{
	json_error_t je;
	json_t *fig = r->r.figures ? json_loads(r->r.figures, 0, &je) : NULL;

	return json_pack("{s:s, s:I, s:s, s:s, s:s?, s:s?, s:b, s:f, s:f, s:f, s:o}",
	                 "benchmark", r->r.benchmark, "run", (json_int_t)r->run_id, "created",
	                 r->created, "machine", r->machine, "commit", r->commit, "branch",
	                 r->branch, "dirty", r->dirty, "estimate", r->r.estimate, "lo", r->r.lo,
	                 "hi", r->r.hi, "figures", fig ? fig : json_null());
}

/* ---- change points ---- */

/* One series' change points; returns how many regressions are newer than
 * --since (0 without --since: then every regression counts). */
static int print_changes(const struct hopts *o, const struct series *s, json_t *out)
{
	struct changepoint_opts co = changepoint_opts_default();
	double *x = malloc(s->n * sizeof *x);
	struct changepoint *cp = NULL;
	long n;
	int regressions = 0, ir = !strcmp(o->measure, "instructions");

	co.significance = o->alpha;
	co.seed = 1;
	if (!x)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		x[i] = s->r[i].r.estimate;
	n = changepoint_detect(x, s->n, &co, &cp);
	free(x);
	for (long k = 0; k < n; k++) {
		const struct history_row *a = &s->r[cp[k].index - 1], *b = &s->r[cp[k].index];
		char before[32], after[32];
		int newer = !o->since || strcmp(b->created, o->since) >= 0;
		regressions += newer && cp[k].change > 0;
		units_figure(before, sizeof before, cp[k].before_mean, ir);
		units_figure(after, sizeof after, cp[k].after_mean, ir);
		if (out) {
			json_array_append_new(out, json_pack(
				"{s:s, s:s, s:s?, s:s?, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b}",
				"benchmark", b->r.benchmark, "machine", b->machine, "from_commit",
				a->commit, "to_commit", b->commit, "created", b->created, "before",
				cp[k].before_mean, "before_lo", cp[k].before_lo, "before_hi",
				cp[k].before_hi, "after", cp[k].after_mean, "after_lo", cp[k].after_lo,
				"after_hi", cp[k].after_hi, "change", cp[k].change, "p", cp[k].p,
				"regression", cp[k].change > 0));
			continue;
		}
		printf("%s  (machine %s): %s at run %zu of %zu, %s, commits %.12s..%.12s: %s -> %s "
		       "(%+.2f%%, p %.3g)\n", b->r.benchmark, b->machine,
		       cp[k].change > 0 ? "slower" : "faster", cp[k].index + 1, s->n, b->created,
		       a->commit ? a->commit : "-", b->commit ? b->commit : "-", before, after,
		       100 * cp[k].change, cp[k].p);
	}
	free(cp);
	return regressions;
}

static int show(const struct hopts *o, struct history_rows *rows)
{
	int by_machine = 1, regressions = 0;
	json_t *arr = o->json ? json_array() : NULL;
	size_t shown = 0;

	if (o->csv && !o->changes)
		puts("benchmark,created,machine,commit,branch,dirty,estimate,lo,hi");
	for (size_t i = 0, j; i < rows->n; i = j) {
		struct series s;
		for (j = i + 1; j < rows->n && same_series(&rows->v[i], &rows->v[j], by_machine); j++)
			;
		s = (struct series){&rows->v[i], j - i};
		if (o->have_re && regexec(&o->re, s.r->r.benchmark, 0, NULL, 0) != 0)
			continue;
		shown++;
		if (o->changes)
			regressions += print_changes(o, &s, arr);
		else if (o->csv)
			for (size_t k = 0; k < s.n; k++)
				print_csv_row(&s.r[k]);
		else if (arr)
			for (size_t k = 0; k < s.n; k++)
				json_array_append_new(arr, row_json(&s.r[k]));
		else
			print_series(o, &s);
	}
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(arr);
	}
	if (!shown)
		msg_warn("history", "no runs%s", o->have_re ? " of benchmarks matching the regex" : "");
	if (o->changes && !o->json)
		printf("%d regression change point%s%s\n", regressions, regressions == 1 ? "" : "s",
		       o->since ? " since then" : "");
	return o->changes && regressions ? EXIT_CHANGE : EXIT_OK;
}

static int history_list(const struct hopts *o)
{
	struct history h;
	struct history_rows rows = {0};
	struct history_query q = {o->machine, o->branch, o->changes ? NULL : o->since, o->measure};
	char fp[17], err[512];
	int rc;

	if (!o->machine && !o->all_machines) {
		json_t *m = context_machine();
		history_fingerprint(m, fp);
		json_decref(m);
		q.machine = fp;
	}
	if ((rc = open_store(o->store, o->baseline_dir, &h, 1)) != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	if (h.be->query(h.st, &q, &rows, err, sizeof err) != 0) {
		msg_error("history", "%s", err);
		rc = EXIT_USAGE;
	} else {
		rc = show(o, &rows);
	}
	history_rows_free(&rows);
	history_close(&h);
	return rc;
}

/* ---- import ---- */

static int history_import(int argc, char **argv)
{
	struct hopts o;
	struct history h;
	int rc = EXIT_OK;

	if (parse(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if (o.have_re)
		optind--;  /* the first file is no regex */
	if (optind >= argc) {
		msg_error("history import", "needs baseline or results files (JSON)");
		return EXIT_USAGE;
	}
	if (make_default_folder(o.store, baseline_folder(o.baseline_dir)) != 0 ||
	    open_store(o.store, o.baseline_dir, &h, 0) != 0)
		return EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		char err[512];
		json_t *doc = NULL;
		struct suite s;
		memset(&s, 0, sizeof s);
		if (document_load(argv[i], &s, &doc) != 0) {  /* says why */
			suite_free(&s);
			rc = EXIT_USAGE;
			continue;
		}
		suite_free(&s);
		if (history_append_document(&h, doc, argv[i], err, sizeof err) != 0) {
			msg_error("history import", "%s", err);
			rc = EXIT_USAGE;
		} else {
			printf("imported %s\n", argv[i]);
		}
		json_decref(doc);
	}
	history_close(&h);
	if (o.have_re)
		regfree(&o.re);
	return rc;
}

int history_main(int argc, char **argv)
{
	struct hopts o;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "import"))
		return history_import(argc - 1, argv + 1);
	if (parse(argc, argv, &o) != 0)
		return EXIT_USAGE;
	rc = history_list(&o);
	if (o.have_re)
		regfree(&o.re);
	return rc;
}

int history_record(const char *store, const char *baseline_dir, json_t *doc,
                   const char *document)
{
	char *where = history_where(store, baseline_dir), err[512];
	struct history h;
	int rc;

	if (!where)
		return 0;
	if (make_default_folder(store, baseline_dir) != 0) {
		free(where);
		return -1;
	}
	rc = history_open(where, &h, err, sizeof err);
	if (rc == 0) {
		rc = history_append_document(&h, doc, document, err, sizeof err);
		history_close(&h);
	}
	if (rc != 0)
		msg_error("history", "%s", err);
	free(where);
	return rc;
}
