/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for the benchrun command: transcripts (command, stdout, stderr,
 * exit status) of $BENCHRUN driving the test workers in $TESTS_BUILDDIR,
 * for listings, clean runs, usage errors, failing benchmarks and --json. */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "transcript.h"

/* Budgets that keep each measuring run to a few tens of milliseconds. */
#define FAST "--processes", "2", "--warmup-time", "0.002", "--measure-time", "0.005", \
	"--samples", "5"

/* A bound on any one command: a hang shows up as a failure, not a stall. */
#define CMD_LIMIT_S 30.0

#define MAX_ARGS 32

static const char *benchrun;
static char sample[PATH_MAX], garbage[PATH_MAX], counting[PATH_MAX];
/* Absurd --counters values, filled in main(): 2000 names; one 300-byte name. */
static char long_list[2000 * 6], long_name[301];
static char tmpdir[PATH_MAX], json_path[PATH_MAX + 16];

/* Run $BENCHRUN with the n arguments in args. */
static void run_cli_argv(struct transcript *t, const char *const *args, size_t n)
{
	char *argv[MAX_ARGS];

	ck_assert_uint_lt(n, MAX_ARGS - 1);
	argv[0] = (char *)benchrun;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	argv[n + 1] = NULL;
	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, t), 0);
	ck_assert_msg(!t->timed_out, "benchrun ran past %g s", CMD_LIMIT_S);
}

/* Run $BENCHRUN with the NULL-terminated arguments that follow t. */
static void run_cli(struct transcript *t, ...)
{
	const char *args[MAX_ARGS];
	size_t n = 0;
	va_list ap;
	const char *a;

	va_start(ap, t);
	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert_uint_lt(n, MAX_ARGS - 1);
		args[n++] = a;
	}
	va_end(ap);
	run_cli_argv(t, args, n);
}

/* The line of the console table for `name`: it starts with the name and a
 * space.  NULL when there is none; the line is copied into buf. */
static const char *table_row(const char *out, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, name, n) && l[n] == ' ') {
			size_t k = strcspn(l, "\n");
			snprintf(buf, len, "%.*s", (int)k, l);
			return buf;
		}
	}
	return NULL;
}

/* How many times `needle` occurs in s. */
static size_t occurrences(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A measured row: the name, then a time with a unit, then the interval. */
static void assert_measured_row(const char *out, const char *name)
{
	char row[512];

	ck_assert_msg(table_row(out, name, row, sizeof row), "no row for %s in:\n%s", name, out);
	ck_assert_msg(!strstr(row, "FAILED"), "row failed: %s", row);
	ck_assert_msg(strstr(row, "s  ") && strchr(row, '[') && strchr(row, ']'),
	              "row has no time and interval: %s", row);
}

/* A failed row: the name, padding, then "FAILED: " and the reason, which
 * starts with `reason`. */
static void assert_failed_row(const char *out, const char *name, const char *reason)
{
	char row[512];
	const char *p;

	ck_assert_msg(table_row(out, name, row, sizeof row), "no row for %s in:\n%s", name, out);
	p = row + strlen(name) + strspn(row + strlen(name), " ");
	ck_assert_msg(!strncmp(p, "FAILED: ", 8) && !strncmp(p + 8, reason, strlen(reason)),
	              "row is not 'FAILED: %s...': %s", reason, row);
}

/* stderr is exactly one benchrun message that begins with `prefix`. */
static void assert_one_message(const struct transcript *t, const char *prefix)
{
	ck_assert_msg(transcript_lines(t->err) == 1, "expected one stderr line, got:\n%s", t->err);
	ck_assert_int_eq(t->err[t->err_len - 1], '\n');
	ck_assert_msg(!strncmp(t->err, prefix, strlen(prefix)),
	              "stderr does not start with '%s': %s", prefix, t->err);
}

/* The element of the "benchmarks" array named `name`. */
static json_t *json_bench(json_t *doc, const char *name)
{
	json_t *benches = json_object_get(doc, "benchmarks"), *b;
	size_t i;

	ck_assert(json_is_array(benches));
	json_array_foreach(benches, i, b)
		if (!strcmp(json_string_value(json_object_get(b, "name")), name))
			return b;
	ck_abort_msg("no benchmark %s in the JSON", name);
	return NULL;
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);

	ck_assert_msg(doc != NULL, "%s: line %d: %s", path, je.line, je.text);
	ck_assert(json_is_object(doc));
	return doc;
}

/* Each test gets a fresh directory for its --json file. */
static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/check_cli.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(json_path, sizeof json_path, "%s/out.json", tmpdir);
}

static void tmp_teardown(void)
{
	unlink(json_path);
	rmdir(tmpdir);
}

START_TEST(test_list)
{
	struct transcript t;

	run_cli(&t, "--list", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.out, "ok/fast\nok/param/1\nok/param/2\n"
	                        "bad/crash\nbad/hang\nbad/fail\nbad/abort\n"
	                        "own/fixed\nown/gpu\nown/input\nown/slow\nown/counted\n"
	                        "own/allocating\nown/threaded/threads:2\n");
	ck_assert_str_eq(t.err, "");
	transcript_free(&t);
}
END_TEST

START_TEST(test_list_filter)
{
	struct transcript t;

	run_cli(&t, "--list", "--filter", "^ok/", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.out, "ok/fast\nok/param/1\nok/param/2\n");
	ck_assert_str_eq(t.err, "");
	transcript_free(&t);
}
END_TEST

/* Two programs list in command-line order. */
START_TEST(test_list_two_programs)
{
	struct transcript t;

	run_cli(&t, "-l", "-f", "fast|one", garbage, sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.out, "junk/one\nok/fast\n");
	ck_assert_str_eq(t.err, "");
	transcript_free(&t);
}
END_TEST

/* The same program twice: every name is a duplicate, an input error. */
START_TEST(test_list_duplicate)
{
	struct transcript t;
	char *want;

	run_cli(&t, "--list", sample, sample, NULL);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_str_eq(t.out, "");
	ck_assert_int_ge(asprintf(&want, "benchrun: %s: benchmark 'ok/fast' is also in %s\n",
	                          sample, sample), 0);
	ck_assert_str_eq(t.err, want);
	free(want);
	transcript_free(&t);
}
END_TEST

START_TEST(test_run_ok)
{
	struct transcript t;

	run_cli(&t, FAST, "--filter", "^ok/", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_msg(!strncmp(t.out, "benchmark ", 10), "no table header:\n%s", t.out);
	assert_measured_row(t.out, "ok/fast");
	assert_measured_row(t.out, "ok/param/1");
	assert_measured_row(t.out, "ok/param/2");
	ck_assert_ptr_null(strstr(t.out, "FAILED"));
	ck_assert_ptr_null(strstr(t.out, "bad/"));
	ck_assert_ptr_nonnull(strstr(t.out, "\n3 benchmarks, 0 failed; 2 processes each, "));
	/* header, three rows, summary; plus a counters line under each row
	 * where this machine counts the default software events, and noise
	 * notes (these budgets are tiny, and the machine may be busy) */
	ck_assert_uint_eq(transcript_lines(t.out) - occurrences(t.out, "\n    per iteration: ") -
	                  occurrences(t.out, "\n    note: ") - occurrences(t.out, "\nnote: "), 5);
	transcript_free(&t);
}
END_TEST

/* Usage and input errors: exit 2, one message, nothing on stdout, and the
 * --json file is not created.  `prefix` is the message's start. */
static const struct usage_case {
	const char *args[4];   /* before the program; NULL-terminated */
	int program;           /* 0 none, 1 sample, 2 missing path, 3 /bin/true */
	const char *prefix;
	const char *contains;  /* or NULL */
} usage_cases[] = {
	{{"--bogus"}, 1, "benchrun: option '--bogus' ", "unknown"},
	{{"-x"}, 1, "benchrun: option '-x' is unknown", NULL},
	{{"-f"}, 0, "benchrun: option '-f' needs an argument", NULL},
	{{"--filter"}, 0, "benchrun: option '--filter' needs an argument (try --help)\n", NULL},
	{{"--json"}, 0, "benchrun: option '--json' needs an argument (try --help)\n", NULL},
	{{"--filter", "("}, 1, "benchrun: --filter: '(': ", NULL},
	{{"--processes", "0"}, 1, "benchrun: --processes: bad value '0'\n", NULL},
	{{"--processes", "x"}, 1, "benchrun: --processes: bad value 'x'\n", NULL},
	{{"--processes", "-3"}, 1, "benchrun: --processes: bad value '-3'\n", NULL},
	{{"--timeout", "nan"}, 1, "benchrun: --timeout: bad value 'nan'\n", NULL},
	{{"--samples", "1"}, 1, "benchrun: --samples: bad value '1'\n", NULL},
	{{"--statistic", "counter:"}, 1, "benchrun: --statistic: bad value 'counter:' (one of: "
	 "slope, median, mean, instructions, allocs, bytes, counter:NAME)\n", NULL},
	{{NULL}, 2, "benchrun: /nonexistent/benchrun-worker: ", "No such file or directory"},
	{{NULL}, 3, "benchrun: /bin/true: not a benchrun worker", NULL},
	{{"--filter", "^zzz"}, 1, "benchrun: no benchmark matches the filter\n", NULL},
	/* The worker resolves names: libpfm4's message, one line. */
	{{"--counters", "bogus"}, 1,
	 "benchrun: --counters: 'bogus': event not found (libpfm4; ", NULL},
	{{"--counters", "page-faults,cycles:nosuchmod"}, 1,
	 "benchrun: --counters: 'cycles:nosuchmod': ", NULL},
	{{"--list-counters", "--counters", "bogus"}, 1,
	 "benchrun: --counters: 'bogus': event not found", NULL},
	/* benchrun checks the list's shape before running anything. */
	{{"--counters", ""}, 1, "benchrun: --counters: empty list (name events, ", NULL},
	{{"--counters", "cycles,,page-faults"}, 1,
	 "benchrun: --counters: empty event name in the list", NULL},
	{{"--counters", "page-faults,page-faults"}, 1,
	 "benchrun: --counters: 'page-faults' is listed twice\n", NULL},
	{{"--counters", long_list}, 1,
	 "benchrun: --counters: too many events (2000; at most 32)\n", NULL},
	{{"--counters", long_name}, 1,
	 "benchrun: --counters: event name too long (300 characters; at most 127)\n", NULL},
	{{"--counters"}, 0, "benchrun: option '--counters' needs an argument", NULL},
};

START_TEST(test_usage_error)
{
	const struct usage_case *c = &usage_cases[_i];
	const char *prog[] = {NULL, sample, "/nonexistent/benchrun-worker", "/bin/true"};
	/* --json first, so a parse error later on the line cannot skip it. */
	const char *args[MAX_ARGS] = {"--json", json_path, FAST};
	size_t n = 0;
	struct transcript t;

	while (args[n])
		n++;
	for (size_t k = 0; k < 3 && c->args[k]; k++)
		args[n++] = c->args[k];
	if (prog[c->program])
		args[n++] = prog[c->program];
	run_cli_argv(&t, args, n);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_str_eq(t.out, "");
	assert_one_message(&t, c->prefix);
	if (c->contains)
		ck_assert_msg(strstr(t.err, c->contains), "'%s' not in: %s", c->contains, t.err);
	ck_assert_msg(access(json_path, F_OK) != 0 && errno == ENOENT,
	              "%s was created", json_path);
	transcript_free(&t);
}
END_TEST

START_TEST(test_crash)
{
	struct transcript t;
	json_t *doc, *b;

	run_cli(&t, FAST, "--json", json_path, "--filter", "ok/fast|bad/crash", sample, NULL);
	ck_assert_int_eq(t.exit_code, 3);
	assert_one_message(&t, "benchrun: bad/crash: crashed with SIGSEGV");
	assert_measured_row(t.out, "ok/fast");
	assert_failed_row(t.out, "bad/crash", "crashed with SIGSEGV");
	ck_assert_ptr_nonnull(strstr(t.out, "\n2 benchmarks, 1 failed;"));

	doc = load_json(json_path);
	b = json_bench(doc, "bad/crash");
	ck_assert_str_eq(json_string_value(json_object_get(b, "status")), "failed");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(b, "reason")), "SIGSEGV"));
	ck_assert(json_is_null(json_object_get(b, "analysis")));
	b = json_bench(doc, "ok/fast");
	ck_assert_str_eq(json_string_value(json_object_get(b, "status")), "ok");
	ck_assert_uint_eq(json_array_size(json_object_get(b, "processes")), 2);
	json_decref(doc);
	transcript_free(&t);
}
END_TEST

START_TEST(test_abort)
{
	struct transcript t;

	run_cli(&t, FAST, "--filter", "bad/abort", sample, NULL);
	ck_assert_int_eq(t.exit_code, 3);
	assert_one_message(&t, "benchrun: bad/abort: crashed with SIGABRT");
	assert_failed_row(t.out, "bad/abort", "crashed with SIGABRT (");
	transcript_free(&t);
}
END_TEST

/* The benchmark's own reason, from its "end" record, not an exit status. */
START_TEST(test_setup_fail)
{
	struct transcript t;

	run_cli(&t, FAST, "--filter", "bad/fail", sample, NULL);
	ck_assert_int_eq(t.exit_code, 3);
	ck_assert_str_eq(t.err, "benchrun: bad/fail: no input file\n");
	assert_failed_row(t.out, "bad/fail", "no input file");
	transcript_free(&t);
}
END_TEST

/* The bound checks that the time-out works at all (one 1 s kill, never the
 * 60 s default); it is not a timing claim. */
START_TEST(test_hang)
{
	struct transcript t;

	run_cli(&t, FAST, "--filter", "bad/hang|ok/fast", "--timeout", "1", sample, NULL);
	ck_assert_int_eq(t.exit_code, 3);
	ck_assert_str_eq(t.err, "benchrun: bad/hang: timed out after 1 s (killed)\n");
	assert_measured_row(t.out, "ok/fast");
	assert_failed_row(t.out, "bad/hang", "timed out after 1 s");
	ck_assert_msg(t.elapsed_s >= 1.0 && t.elapsed_s < 10.0, "took %.1f s", t.elapsed_s);
	transcript_free(&t);
}
END_TEST

/* A definition's own settings beat the command line's for it alone; a
 * skip is reported and is no failure; a label follows the result. */
START_TEST(test_own_settings)
{
	struct transcript t;
	json_t *doc, *b, *p;
	size_t i;
	char row[512];

	run_cli(&t, FAST, "--processes", "3", "--json", json_path, "--filter",
	        "^(own/(fixed|gpu|input|slow)|ok/fast)",
	        sample, NULL);
	ck_assert_int_eq(t.exit_code, 3);  /* own/slow timed out */
	ck_assert_str_eq(t.err, "benchrun: own/slow: timed out after 0.5 s (killed)\n");
	assert_failed_row(t.out, "own/slow", "timed out after 0.5 s");
	ck_assert(table_row(t.out, "own/gpu", row, sizeof row));
	ck_assert_msg(strstr(row, "skipped: needs a GPU"), "%s", row);
	ck_assert(table_row(t.out, "own/input", row, sizeof row));
	ck_assert_msg(strstr(row, "skipped: no input file here"), "%s", row);
	assert_measured_row(t.out, "own/fixed");
	ck_assert(table_row(t.out, "own/fixed", row, sizeof row));
	ck_assert_msg(strstr(row, "  three per sample"), "%s", row);
	ck_assert_ptr_nonnull(strstr(t.out, "\n5 benchmarks, 1 failed, 2 skipped; 1-3 processes"));

	doc = load_json(json_path);
	b = json_bench(doc, "own/fixed");
	ck_assert_str_eq(json_string_value(json_object_get(b, "label")), "three per sample");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(b, "settings"),
	                                                    "iterations")), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(b, "processes")), 1);
	json_array_foreach(json_object_get(json_array_get(json_object_get(b, "processes"), 0),
	                                   "samples"), i, p)
		ck_assert_int_eq(json_integer_value(json_array_get(p, 0)), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(json_bench(doc, "ok/fast"),
	                                                  "processes")), 3);
	b = json_bench(doc, "own/gpu");
	ck_assert_str_eq(json_string_value(json_object_get(b, "status")), "skipped");
	ck_assert_str_eq(json_string_value(json_object_get(b, "reason")), "needs a GPU");
	ck_assert_uint_eq(json_array_size(json_object_get(b, "processes")), 0);
	json_decref(doc);
	transcript_free(&t);

	/* Skips alone: exit 0. */
	run_cli(&t, FAST, "--filter", "^own/(gpu|input)", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	transcript_free(&t);
}
END_TEST

/* User counters: in the console and the JSON with their intervals, kept
 * in a baseline, and gated on with --statistic counter:NAME (exact: every
 * process gives the same figure). */
START_TEST(test_user_counters)
{
	struct transcript t;
	char dir[PATH_MAX + 16], row[512], *cmd;
	json_t *doc, *u;

	snprintf(dir, sizeof dir, "%s/baselines", tmpdir);
	unsetenv("WORKER_RATIO");
	run_cli(&t, FAST, "--processes", "3", "--json", json_path, "--baseline-dir", dir,
	        "--save-baseline", "uc", "--filter", "^own/counted$", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_msg(strstr(t.out, "\n    user counters: ratio 2 [2, 2], hits 1/iter [1, 1]\n"),
	              "%s", t.out);
	doc = load_json(json_path);
	u = json_object_get(json_bench(doc, "own/counted"), "user_counters");
	ck_assert_uint_eq(json_array_size(u), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(u, 1), "kind")),
	                 "per_iter");
	ck_assert_double_eq(json_number_value(json_object_get(json_array_get(u, 0), "mean")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(u, 0), "per_process")),
	                  3);
	json_decref(doc);
	transcript_free(&t);

	/* The ratio rises by half: regressed, exactly (stored: the kept
	 * program would read the same environment). */
	setenv("WORKER_RATIO", "3", 1);
	run_cli(&t, FAST, "--processes", "3", "--baseline-dir", dir, "--baseline", "uc",
	        "--no-paired", "--profile", "none", "--statistic", "counter:ratio", "--filter",
	        "^own/counted$",
	        sample, NULL);
	ck_assert_int_eq(t.exit_code, 1);
	ck_assert(table_row(strstr(t.out, "\nbenchmark ") + 1, "own/counted", row, sizeof row));
	ck_assert_msg(strstr(row, "+50.00%") && strstr(row, "regressed (exact)"), "%s", row);
	ck_assert_msg(strstr(t.out, "user counters: ratio 2 -> 3 (+50.0%), hits 1/iter -> "
	                     "1/iter (+0.0%)"), "%s", t.out);
	transcript_free(&t);
	setenv("WORKER_RATIO", "2", 1);
	run_cli(&t, FAST, "--processes", "3", "--baseline-dir", dir, "--baseline", "uc",
	        "--no-paired", "--statistic", "counter:hits", "--filter", "^own/counted$",
	        sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	transcript_free(&t);
	unsetenv("WORKER_RATIO");
	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}
END_TEST

/* --memory: the figures on their own line, in the JSON (as mem:* counters)
 * and in a baseline; a body that allocates now, or leaks more, is called
 * regressed whatever its time does (stored: the kept program would read
 * the same environment); --statistic allocs gates the count exactly. */
START_TEST(test_memory)
{
	struct transcript t;
	char dir[PATH_MAX + 16], rep[PATH_MAX + 16], row[512], *cmd;
	json_t *doc, *u, *e;
	int found = 0;
	size_t i;

#ifdef __SANITIZE_ADDRESS__
	return;  /* such a build counts nothing (lib/memory.c); the plain build tests it */
#endif
	snprintf(dir, sizeof dir, "%s/baselines", tmpdir);
	unsetenv("WORKER_ALLOC");
	unsetenv("WORKER_LEAK");
	run_cli(&t, FAST, "--processes", "3", "--memory", "--json", json_path, "--baseline-dir",
	        dir, "--save-baseline", "mem", "--filter", "^own/allocating$", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_msg(strstr(t.out, "\n    memory: allocs 0/iter, bytes 0 B/iter, frees 0/iter, "
	                     "reallocs 0/iter, leaked 0 B/iter, peak 0 B, max RSS "), "%s", t.out);
	doc = load_json(json_path);
	u = json_object_get(json_bench(doc, "own/allocating"), "user_counters");
	json_array_foreach(u, i, e)
		found += !strcmp(json_string_value(json_object_get(e, "name")), "mem:allocs");
	ck_assert_int_eq(found, 1);
	json_decref(doc);
	transcript_free(&t);

	/* A new allocation an iteration: regressed, whatever the time did, and
	 * (--profile-alloc regressed, the default) where it comes from. */
	setenv("WORKER_ALLOC", "1", 1);
	snprintf(rep, sizeof rep, "%s/memreport", tmpdir);
	run_cli(&t, FAST, "--processes", "3", "--memory", "--baseline-dir", dir, "--baseline",
	        "mem", "--no-paired", "--profile", "none", "--report", rep, "--json", json_path,
	        "--filter", "^own/allocating$", sample, NULL);
	ck_assert_int_eq(t.exit_code, 1);
	ck_assert_msg(strstr(t.out, "\nallocation profile own/allocating: 1 allocations and "
	                     "32 B per iteration ("), "%s", t.out);
	ck_assert_msg(strstr(t.out, "   100.0%          32 B  br__fn_own__allocating\n"), "%s",
	              t.out);
	doc = load_json(json_path);
	e = json_object_get(json_bench(doc, "own/allocating"), "alloc_profile");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	                 json_object_get(e, "top"), 0), "function")), "br__fn_own__allocating");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "bytes")),
	                 32 * json_integer_value(json_object_get(e, "iters")));
	json_decref(doc);
	ck_assert(table_row(strstr(t.out, "\nbenchmark ") + 1, "own/allocating", row, sizeof row));
	ck_assert_msg(strstr(row, "regressed (memory: allocates now: 0 -> 1 allocs/iter)"), "%s",
	              row);
	ck_assert_msg(strstr(t.out, "memory: allocs 0/iter -> 1/iter"), "%s", t.out);
	transcript_free(&t);
	/* and gated on the count itself: 0 -> 2 is regressed, exactly */
	setenv("WORKER_ALLOC", "2", 1);
	run_cli(&t, FAST, "--processes", "3", "--memory", "--baseline-dir", dir, "--baseline",
	        "mem", "--no-paired", "--profile", "none", "--profile-alloc", "none", "--statistic",
	        "allocs", "--filter", "^own/allocating$", sample, NULL);
	ck_assert_int_eq(t.exit_code, 1);
	ck_assert(table_row(strstr(t.out, "\nbenchmark ") + 1, "own/allocating", row, sizeof row));
	ck_assert_msg(strstr(row, "regressed"), "%s", row);
	transcript_free(&t);
	/* A leak that grows: regressed. */
	unsetenv("WORKER_ALLOC");
	setenv("WORKER_LEAK", "64", 1);
	run_cli(&t, FAST, "--processes", "3", "--memory", "--baseline-dir", dir, "--baseline",
	        "mem", "--no-paired", "--profile", "none", "--profile-alloc", "none", "--filter",
	        "^own/allocating$", sample, NULL);
	ck_assert_int_eq(t.exit_code, 1);
	ck_assert_msg(strstr(t.out, "leaks more: 0 -> 64 B/iter"), "%s", t.out);
	transcript_free(&t);
	/* Unchanged: no memory verdict, exit 0 (statistic allocs: exact). */
	unsetenv("WORKER_LEAK");
	run_cli(&t, FAST, "--processes", "3", "--memory", "--baseline-dir", dir, "--baseline",
	        "mem", "--no-paired", "--statistic", "allocs", "--filter", "^own/allocating$",
	        sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_msg(!strstr(t.out, "memory:  "), "%s", t.out);
	transcript_free(&t);
	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}
END_TEST

/* A threaded benchmark: named by its threads, its throughput the sum over
 * them (per thread on a line of its own), its thread count in the JSON. */
START_TEST(test_threads)
{
	struct transcript t;
	json_t *doc, *b;

	/* No claim on the figures: tiny budgets on a shared machine. */
	run_cli(&t, FAST, "--json", json_path, "--filter", "^own/threaded", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	assert_measured_row(t.out, "own/threaded/threads:2");
	ck_assert_msg(strstr(t.out, "\n    threads: 2, throughput per thread "), "%s", t.out);
	doc = load_json(json_path);
	b = json_bench(doc, "own/threaded/threads:2");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "threads")), 2);
	ck_assert_double_eq(json_number_value(json_object_get(b, "items_per_iter")), 2);
	json_decref(doc);
	transcript_free(&t);
}
END_TEST

/* Each process of a single-threaded benchmark ran pinned to one of
 * benchrun's CPUs and says which; a threaded one and --no-pin are left to
 * the kernel and say nothing.  One CPU: nothing is pinned. */
static void assert_cpus(json_t *doc, const char *name, int pinned)
{
	json_t *p, *b = json_bench(doc, name);
	cpu_set_t set;
	size_t i;

	ck_assert_int_eq(sched_getaffinity(0, sizeof set, &set), 0);
	if (CPU_COUNT(&set) < 2)
		pinned = 0;
	ck_assert_uint_eq(json_array_size(json_object_get(b, "processes")), 4);
	json_array_foreach(json_object_get(b, "processes"), i, p) {
		json_t *cpu = json_object_get(p, "cpu");
		ck_assert_msg(!cpu == !pinned, "%s process %zu", name, i);
		if (cpu)
			ck_assert(CPU_ISSET((int)json_integer_value(cpu), &set));
	}
}

START_TEST(test_pinned)
{
	struct transcript t;
	json_t *doc;

	for (int pin = 1; pin >= 0; pin--) {
		run_cli(&t, FAST, "--processes", "4", "--json", json_path, "--filter",
		        "^(own/threaded|ok/fast)", pin ? "--quiet" : "--no-pin", sample, NULL);
		ck_assert_int_eq(t.exit_code, 0);
		doc = load_json(json_path);
		assert_cpus(doc, "ok/fast", pin);
		assert_cpus(doc, "own/threaded/threads:2", 0);
		json_decref(doc);
		transcript_free(&t);
	}
}
END_TEST

START_TEST(test_garbage_worker)
{
	struct transcript t;

	run_cli(&t, "--list", garbage, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.out, "junk/one\n");
	ck_assert_str_eq(t.err, "");
	transcript_free(&t);

	run_cli(&t, FAST, garbage, NULL);
	ck_assert_int_eq(t.exit_code, 3);
	assert_one_message(&t, "benchrun: junk/one: malformed worker output: line 1: not JSON");
	assert_failed_row(t.out, "junk/one", "malformed worker output: line 1: not JSON");
	transcript_free(&t);
}
END_TEST

static void assert_process(json_t *p, json_int_t round)
{
	json_t *samples = json_object_get(p, "samples"), *s;
	size_t k;

	ck_assert_int_eq(json_integer_value(json_object_get(p, "round")), round);
	ck_assert_int_gt(json_integer_value(json_object_get(p, "warmup_iters")), 0);
	ck_assert_uint_eq(json_array_size(samples), 5);
	json_array_foreach(samples, k, s) {
		ck_assert_uint_eq(json_array_size(s), 2);
		ck_assert_int_gt(json_integer_value(json_array_get(s, 0)), 0);
		ck_assert(json_is_number(json_array_get(s, 1)));
		ck_assert(json_number_value(json_array_get(s, 1)) > 0);
	}
}

START_TEST(test_json)
{
	static const char *const names[] = {"ok/fast", "ok/param/1", "ok/param/2"};
	struct transcript t;
	json_t *doc, *set, *benches, *b, *slope;
	size_t i;

	run_cli(&t, FAST, "--seed", "7", "--json", json_path, "--filter", "^ok/", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_ptr_nonnull(strstr(t.out, "intervals, seed 7\n"));
	/* json_load_file is strict: a bare NaN or Infinity would fail here. */
	doc = load_json(json_path);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "benchrun-results");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "schema_version")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "benchrun_version")),
	                 PACKAGE_VERSION);
	set = json_object_get(doc, "settings");
	ck_assert_int_eq(json_integer_value(json_object_get(set, "seed")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(set, "processes")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(set, "samples")), 5);
	ck_assert_double_eq(json_number_value(json_object_get(set, "measure_s")), 0.005);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "programs")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
	                 json_array_get(json_object_get(doc, "programs"), 0), "path")), sample);

	benches = json_object_get(doc, "benchmarks");
	ck_assert_uint_eq(json_array_size(benches), 3);
	json_array_foreach(benches, i, b) {
		json_t *procs = json_object_get(b, "processes");
		ck_assert_str_eq(json_string_value(json_object_get(b, "name")), names[i]);
		ck_assert_str_eq(json_string_value(json_object_get(b, "status")), "ok");
		ck_assert(json_is_null(json_object_get(b, "reason")));
		ck_assert_uint_eq(json_array_size(procs), 2);
		assert_process(json_array_get(procs, 0), 1);
		assert_process(json_array_get(procs, 1), 2);
		slope = json_object_get(json_object_get(b, "analysis"), "slope");
		/* Finite reals (non-finite would be null); the values themselves
		 * are measurements, and under heavy load even their sign is noise. */
		ck_assert(json_is_real(json_object_get(slope, "point")));
		ck_assert(json_is_real(json_object_get(slope, "lo")));
		ck_assert(json_is_real(json_object_get(slope, "hi")));
		ck_assert(json_real_value(json_object_get(slope, "lo")) <=
		          json_real_value(json_object_get(slope, "hi")));
		ck_assert_int_eq(json_integer_value(json_object_get(
		                 json_object_get(b, "analysis"), "nsamples")), 10);
	}
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(benches, 1), "param")),
	                 "1");
	ck_assert(json_is_null(json_object_get(json_array_get(benches, 0), "param")));
	json_decref(doc);
	transcript_free(&t);
}
END_TEST

START_TEST(test_help)
{
	/* Every entry of the option table in harness/options.c. */
	static const char *const opts[] = {
		"-l, --list", "-f, --filter REGEX", "-p, --processes N", "--warmup-time SECONDS",
		"--measure-time SECONDS", "--samples N", "--timeout SECONDS", "--seed N",
		"--resamples N", "--confidence LEVEL", "--json FILE", "-q, --quiet",
		"-h, --help", "-V, --version", "--counters LIST", "--list-counters",
	};
	struct transcript t;

	run_cli(&t, "--help", NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_msg(!strncmp(t.out, "usage: benchrun ", 16), "%s", t.out);
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		ck_assert_msg(strstr(t.out, opts[i]), "--help lacks '%s'", opts[i]);
	ck_assert_ptr_nonnull(strstr(t.out, "2 usage or input error"));
	transcript_free(&t);
}
END_TEST

START_TEST(test_version)
{
	struct transcript t;

	run_cli(&t, "--version", NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.out, "benchrun " PACKAGE_VERSION "\n");
	ck_assert_str_eq(t.err, "");
	transcript_free(&t);
}
END_TEST

/* Each line under a heading is "  NAME  yes..." or "  NAME  no: REASON". */
static void assert_counter_lines(const char *out)
{
	for (const char *l = out; *l; l += strcspn(l, "\n") + 1) {
		const char *p = l + 2 + strcspn(l + 2, " ");
		if (!strncmp(l, "hardware events:\n", 17) || !strncmp(l, "software events:\n", 17))
			continue;
		ck_assert_msg(!strncmp(l, "  ", 2), "bad line: %.*s", (int)strcspn(l, "\n"), l);
		p += strspn(p, " ");
		ck_assert_msg(!strncmp(p, "yes", 3) || (!strncmp(p, "no: ", 4) && p[4] != '\n'),
		              "no verdict: %.*s", (int)strcspn(l, "\n"), l);
	}
}

START_TEST(test_list_counters)
{
	struct transcript t;

	run_cli(&t, "--list-counters", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_msg(!strncmp(t.out, "hardware events:\n  cycles ", 26), "%s", t.out);
	ck_assert_ptr_nonnull(strstr(t.out, "\nsoftware events:\n"));
	ck_assert_ptr_nonnull(strstr(t.out, "\n  page-faults "));
	ck_assert_ptr_nonnull(strstr(t.out, "\n  context-switches "));
	assert_counter_lines(t.out);
	transcript_free(&t);

	/* Only the events named, each tried. */
	run_cli(&t, "--list-counters", "--counters", "page-faults,cycles", sample, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_uint_eq(transcript_lines(t.out), 4);
	ck_assert_msg(!strncmp(t.out, "hardware events:\n  cycles ", 26), "%s", t.out);
	ck_assert_ptr_nonnull(strstr(t.out, "\nsoftware events:\n  page-faults "));
	assert_counter_lines(t.out);
	transcript_free(&t);
}
END_TEST

/* Counted: about 8 page faults per iteration everywhere results go.  Not
 * counted (a kernel that refuses perf events, no PMU for cycles): one
 * warning per event for the whole run, "unavailable" with the reason in
 * the JSON, and no number, never a zero. */
static void assert_counter(const struct transcript *t, json_t *b, size_t i,
                           const char *name, double expect)
{
	json_t *c = json_array_get(json_object_get(b, "counters"), i);
	json_t *procs = json_object_get(b, "processes"), *p;
	const char *status = json_string_value(json_object_get(c, "status"));
	char *warning;
	size_t k;

	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), name);
	ck_assert(json_is_true(json_object_get(c, "requested")));
	ck_assert_int_ge(asprintf(&warning, "benchrun: warning: %s: not counted: ", name), 0);
	if (!strcmp(status, "counted")) {
		double v = json_real_value(json_object_get(c, "per_iter"));
		ck_assert_ptr_null(strstr(t->err, warning));
		if (expect >= 0)
			ck_assert_msg(fabs(v - expect) <= 0.1 * expect, "%s: %g per iteration", name, v);
		json_array_foreach(procs, k, p)
			ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(p,
			                  "counters"), name)), 5);
	} else {
		ck_assert_str_eq(status, "unavailable");
		ck_assert(json_is_string(json_object_get(c, "reason")));
		ck_assert(json_is_null(json_object_get(c, "per_iter")));
		ck_assert_uint_eq(occurrences(t->err, warning), 1);
		json_array_foreach(procs, k, p)
			ck_assert_ptr_null(json_object_get(json_object_get(p, "counters"), name));
	}
	free(warning);
}

START_TEST(test_counters_run)
{
	struct transcript t;
	json_t *doc, *b;

	run_cli(&t, FAST, "--counters", "page-faults,cycles", "--json", json_path,
	        "--filter", "pages", counting, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	assert_measured_row(t.out, "counters/pages");
	ck_assert_ptr_nonnull(strstr(t.out, "\n    per iteration: page-faults "));
	doc = load_json(json_path);
	b = json_bench(doc, "counters/pages");
	ck_assert_uint_eq(json_array_size(json_object_get(b, "counters")), 2);
	assert_counter(&t, b, 0, "page-faults", 8);
	assert_counter(&t, b, 1, "cycles", -1);
	ck_assert(json_is_object(json_object_get(b, "counters_derived")));
	/* Nothing but the warnings on stderr. */
	ck_assert_uint_eq(transcript_lines(t.err), occurrences(t.err, "benchrun: warning: "));
	json_decref(doc);
	transcript_free(&t);
}
END_TEST

START_TEST(test_counters_none)
{
	struct transcript t;
	json_t *doc, *b;

	run_cli(&t, FAST, "--counters", "none", "--json", json_path, "--filter", "pages",
	        counting, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	ck_assert_ptr_null(strstr(t.out, "per iteration"));
	doc = load_json(json_path);
	b = json_bench(doc, "counters/pages");
	ck_assert_uint_eq(json_array_size(json_object_get(b, "counters")), 0);
	ck_assert_uint_eq(json_object_size(json_object_get(json_array_get(
	                  json_object_get(b, "processes"), 0), "counters")), 0);
	json_decref(doc);
	transcript_free(&t);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *list = tcase_create("list"), *run = tcase_create("run");
	TCase *usage = tcase_create("usage"), *info = tcase_create("info");

	tcase_set_timeout(list, 10);
	tcase_add_test(list, test_list);
	tcase_add_test(list, test_list_filter);
	tcase_add_test(list, test_list_two_programs);
	tcase_add_test(list, test_list_duplicate);
	tcase_add_test(list, test_garbage_worker);
	suite_add_tcase(s, list);

	tcase_add_checked_fixture(usage, tmp_setup, tmp_teardown);
	tcase_set_timeout(usage, 10);
	tcase_add_loop_test(usage, test_usage_error, 0,
	                    (int)(sizeof usage_cases / sizeof usage_cases[0]));
	suite_add_tcase(s, usage);

	/* Each run measures for well under a second; the hang waits 1 s. */
	tcase_add_checked_fixture(run, tmp_setup, tmp_teardown);
	tcase_set_timeout(run, 20);
	tcase_add_test(run, test_run_ok);
	tcase_add_test(run, test_crash);
	tcase_add_test(run, test_abort);
	tcase_add_test(run, test_setup_fail);
	tcase_add_test(run, test_hang);
	tcase_add_test(run, test_own_settings);
	tcase_add_test(run, test_user_counters);
	tcase_add_test(run, test_memory);
	tcase_add_test(run, test_threads);
	tcase_add_test(run, test_pinned);
	tcase_add_test(run, test_json);
	tcase_add_test(run, test_counters_run);
	tcase_add_test(run, test_counters_none);
	suite_add_tcase(s, run);

	tcase_set_timeout(info, 10);
	tcase_add_test(info, test_help);
	tcase_add_test(info, test_version);
	tcase_add_test(info, test_list_counters);
	suite_add_tcase(s, info);
	return s;
}

int main(void)
{
	const char *dir = getenv("TESTS_BUILDDIR");
	SRunner *sr;
	int failed;

	benchrun = getenv("BENCHRUN");
	if (!benchrun || !*benchrun || !dir || !*dir) {
		fputs("check_cli: BENCHRUN and TESTS_BUILDDIR must be set (make check sets them)\n",
		      stderr);
		return EXIT_FAILURE;
	}
	snprintf(sample, sizeof sample, "%s/worker_sample", dir);
	snprintf(garbage, sizeof garbage, "%s/worker_garbage", dir);
	snprintf(counting, sizeof counting, "%s/worker_counters", dir);
	for (int i = 0; i < 2000; i++)
		sprintf(long_list + strlen(long_list), "%se%d", i ? "," : "", i);
	memset(long_name, 'x', sizeof long_name - 1);
	sr = srunner_create(cli_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
