/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for paired runs against a baseline on the command line:
 * transcripts of $BENCHRUN with kept programs that cannot or must not be
 * run again (an edited baseline pointing outside its store, a symbolic
 * link, a deleted copy), a baseline from before kept libraries, too few
 * processes to gate, and a program whose benchmark lives in a user's
 * shared library: built here with cc, saved, the library swapped for a
 * build ten times slower, compared.  Also objects_list and
 * objects_is_system on that program.  No assertion depends on timing but
 * the tenfold slowdown, which no load hides. */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"
#include <jansson.h>

#include "files.h"
#include "objects.h"
#include "transcript.h"

#define FAST "--processes", "4", "--warmup-time", "0.002", "--measure-time", "0.01", \
	"--samples", "10", "--resamples", "200", "--quiet", "--color", "never"
#define GATE "--noise-threshold", "25"
#define CMD_LIMIT_S 90.0
#define DUMP_FLAGS (JSON_INDENT(1) | JSON_SORT_KEYS)

static const char *benchrun;
static char worker[PATH_MAX];     /* $TESTS_BUILDDIR/worker_gate */
static char workdir[PATH_MAX];    /* this run's temporary folder */

/* Run $BENCHRUN with the NULL-terminated arguments. */
static void run_cli(struct transcript *t, ...)
{
	va_list ap;
	int rc;

	va_start(ap, t);
	rc = transcript_run_va(benchrun, ap, NULL, CMD_LIMIT_S, t);
	va_end(ap);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(!t->timed_out, "benchrun ran past %g s", CMD_LIMIT_S);
	ck_assert_msg(t->signal == 0, "benchrun died of signal %d; stderr:\n%s", t->signal, t->err);
}

/* A fresh folder under the work folder. */
static char *fresh_dir(const char *name)
{
	char *d = check_asprintf("%s/%s", workdir, name);

	ck_assert_msg(mkdir(d, 0777) == 0, "%s: %s", d, strerror(errno));
	return d;
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);

	ck_assert_msg(doc != NULL, "%s: line %d: %s", path, je.line, je.text);
	return doc;
}

/* Save baseline `name` of `prog` (benchmarks matching `filter`) in dir. */
static void save_baseline(const char *dir, const char *name, const char *prog,
                          const char *filter)
{
	struct transcript t;

	run_cli(&t, FAST, "--filter", filter, "--save-baseline", name, "--baseline-dir", dir, prog,
	        NULL);
	ck_assert_msg(t.exit_code == 0, "saving %s: exit %d\n%s", name, t.exit_code, t.err);
	transcript_free(&t);
}

/* Compare `prog` with baseline `name` in dir, JSON into dir/out.json; the
 * JSON document is returned (the transcript in *t). */
static json_t *compare_json(struct transcript *t, const char *dir, const char *name,
                            const char *prog, const char *filter)
{
	char *out = check_asprintf("%s/out.json", dir);
	json_t *doc;

	unlink(out);
	run_cli(t, FAST, GATE, "--filter", filter, "--baseline", name, "--baseline-dir", dir,
	        "--json", out, prog, NULL);
	doc = access(out, F_OK) == 0 ? load_json(out) : NULL;
	free(out);
	return doc;
}

/* The comparison object of benchmark `bench` in a results document. */
static json_t *comparison_of(json_t *doc, const char *bench)
{
	size_t i;
	json_t *b;

	ck_assert_ptr_nonnull(doc);
	json_array_foreach(json_object_get(doc, "benchmarks"), i, b)
		if (!strcmp(json_string_value(json_object_get(b, "name")), bench))
			return json_object_get(b, "comparison");
	ck_abort_msg("no benchmark %s in the JSON results", bench);
	return NULL;
}

static const char *cmp_str(json_t *doc, const char *bench, const char *key)
{
	const char *s = json_string_value(json_object_get(comparison_of(doc, bench), key));

	ck_assert_msg(s != NULL, "%s: no comparison.%s", bench, key);
	return s;
}

/* A run that fell back to the stored results: its first stderr line is a
 * warning holding every string given (NULL-terminated).  The stored
 * comparison then judges tiny budgets on a machine that may have drifted
 * since the save, which is not what these tests are about: at most one more
 * line, naming a suite-wide shift, and exit 1 only with that line. */
static void assert_fallback_run(const struct transcript *t, ...)
{
	const char *nl = strchr(t->err, '\n'), *w;
	size_t lines;
	va_list ap;

	ck_assert_msg(!strncmp(t->err, "benchrun: warning: ", 19) && nl, "not a warning: %s", t->err);
	va_start(ap, t);
	while ((w = va_arg(ap, const char *)) != NULL)
		ck_assert_msg(memmem(t->err, (size_t)(nl - t->err), w, strlen(w)), "'%s' not in: %s",
		              w, t->err);
	va_end(ap);
	lines = transcript_lines(t->err);
	ck_assert_msg(lines == 1 || (lines == 2 && !strncmp(nl + 1, "benchrun: suite-wide shift ", 27)),
	              "expected the warning and at most a suite-wide shift line, got:\n%s", t->err);
	ck_assert_msg(t->exit_code == 0 || (t->exit_code == 1 && lines == 2),
	              "exit %d without a suite-wide shift line:\n%s\n%s", t->exit_code, t->out, t->err);
}

/* Rewrite programs[0] of baseline dir/name.json with `edit`. */
static void edit_program(const char *dir, const char *name, void (*edit)(json_t *prog, void *),
                         void *arg)
{
	char *path = check_asprintf("%s/%s.json", dir, name);
	json_t *doc = load_json(path);
	json_t *prog = json_array_get(json_object_get(doc, "programs"), 0);

	ck_assert_ptr_nonnull(prog);
	edit(prog, arg);
	ck_assert_int_eq(json_dump_file(doc, path, DUMP_FLAGS), 0);
	json_decref(doc);
	free(path);
}

struct stored_edit {
	const char *stored, *hash;
};

static void set_stored(json_t *prog, void *arg)
{
	const struct stored_edit *e = arg;

	json_object_set_new(prog, "stored", json_string(e->stored));
	json_object_set_new(prog, "hash", json_string(e->hash));
}

static void drop_libraries(json_t *prog, void *arg)
{
	(void)arg;
	ck_assert_int_eq(json_object_del(prog, "libraries"), 0);
}

/* A script that leaves a marker when run, at `path`; returns the marker. */
static char *write_marker_script(const char *path)
{
	char *marker = check_asprintf("%s.ran", path);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\ntouch '%s'\nexit 1\n", marker);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return marker;
}

/* ---- Too few processes ---- */

/* Two processes a side cannot estimate a spread: refused up front with
 * one line, exit 2, nothing measured. */
START_TEST(test_two_processes)
{
	struct transcript t;
	char *dir = fresh_dir("two");
	save_baseline(dir, "b", worker, "gate/a");
	run_cli(&t, "--processes", "2", "--quiet", "--baseline", "b", "--baseline-dir", dir, worker,
	        NULL);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_msg(transcript_lines(t.err) == 1, "stderr:\n%s", t.err);
	ck_assert_msg(!strncmp(t.err, "benchrun: --processes: ", 23), "stderr: %s", t.err);
	ck_assert_str_eq(t.out, "");
	transcript_free(&t);
	free(dir);
}
END_TEST

/* ---- Kept programs that must not run ---- */

/* An edited baseline whose kept program points outside the store (with
 * the script's own hash edited in, so only the path check can stop it),
 * and one that names a symbolic link inside programs/ that leads out:
 * neither script runs; one warning; the comparison falls back to the
 * stored results. */
START_TEST(test_outside_not_run)
{
	struct transcript t;
	char *dir, *script, *marker;
	char hash[32], *stored, *link;
	struct stored_edit e;
	json_t *doc;

	if (_i == 0) {
		/* dir is WORK/outside/store: ../../outside.sh is WORK/outside.sh */
		free(fresh_dir("outside"));
		dir = fresh_dir("outside/store");
		script = check_asprintf("%s/outside.sh", workdir);
	} else {
		dir = fresh_dir("symlink");
		script = check_asprintf("%s/evil.sh", workdir);
	}
	marker = write_marker_script(script);
	ck_assert_int_eq(files_hash(script, hash), 0);
	save_baseline(dir, "b", worker, "gate/(a|b)");
	if (_i == 0) {
		stored = check_asprintf("../../outside.sh");
	} else {
		/* a link named as the store names its copies */
		stored = check_asprintf("programs/%.16s-evil", hash + 8);
		link = check_asprintf("%s/%s", dir, stored);
		ck_assert_int_eq(symlink(script, link), 0);
		free(link);
	}
	e = (struct stored_edit){stored, hash};
	edit_program(dir, "b", set_stored, &e);
	unsetenv("WORKER_GATE_SLOW");
	doc = compare_json(&t, dir, "b", worker, "gate/(a|b)");
	ck_assert_msg(access(marker, F_OK) != 0, "the script outside the store was run");
	assert_fallback_run(&t, "not a file the baseline store kept",
	                    "comparing with the stored results", NULL);
	ck_assert_str_eq(cmp_str(doc, "gate/a", "mode"), "fallback");
	ck_assert_str_eq(cmp_str(doc, "gate/b", "mode"), "fallback");
	json_decref(doc);
	transcript_free(&t);
	free(stored);
	free(marker);
	free(script);
	free(dir);
}
END_TEST

/* The kept copy deleted: one warning that it is gone, and every benchmark
 * of that program is compared with the stored results in "fallback" mode. */
START_TEST(test_deleted_copy)
{
	struct transcript t;
	char *dir = fresh_dir("deleted"), *path, *copy;
	json_t *doc;

	save_baseline(dir, "b", worker, "gate/(a|b)");
	path = check_asprintf("%s/b.json", dir);
	doc = load_json(path);
	copy = check_asprintf("%s/%s", dir, json_string_value(json_object_get(
	                      json_array_get(json_object_get(doc, "programs"), 0), "stored")));
	json_decref(doc);
	ck_assert_int_eq(unlink(copy), 0);
	unsetenv("WORKER_GATE_SLOW");
	doc = compare_json(&t, dir, "b", worker, "gate/(a|b)");
	assert_fallback_run(&t, "is gone", "comparing with the stored results", NULL);
	ck_assert_str_eq(cmp_str(doc, "gate/a", "mode"), "fallback");
	ck_assert_str_eq(cmp_str(doc, "gate/b", "mode"), "fallback");
	json_decref(doc);
	transcript_free(&t);
	free(copy);
	free(path);
	free(dir);
}
END_TEST

/* A baseline saved before benchrun kept libraries (no "libraries"), of a
 * program that loads no library outside the system folders: nothing was
 * lost, so it still pairs, with no warning. */
START_TEST(test_old_baseline_pairs)
{
	struct transcript t;
	char *dir = fresh_dir("oldbase");
	json_t *doc;

	save_baseline(dir, "b", worker, "gate/(a|b)");
	edit_program(dir, "b", drop_libraries, NULL);
	unsetenv("WORKER_GATE_SLOW");
	doc = compare_json(&t, dir, "b", worker, "gate/(a|b)");
	ck_assert_msg(t.exit_code == 0, "exit %d\n%s\n%s", t.exit_code, t.out, t.err);
	ck_assert_str_eq(t.err, "");
	ck_assert_str_eq(cmp_str(doc, "gate/a", "mode"), "paired");
	ck_assert_str_eq(cmp_str(doc, "gate/b", "mode"), "paired");
	json_decref(doc);
	transcript_free(&t);
	free(dir);
}
END_TEST

/* ---- A user's shared library ---- */

/* Build tests/libbrtest.c into dir/libbrtest.so.1 (soname libbrtest.so.1;
 * ten times the work when `slow`), through a temporary name and a rename,
 * as a build system would replace it. */
static void build_lib(const char *dir, int slow)
{
	const char *cc = getenv("TESTS_CC"), *src = getenv("TESTS_SRCDIR");
	char *cmd = check_asprintf("%s -O1 -fPIC -shared -Wl,-soname,libbrtest.so.1 %s "
	                           "-o '%s/libbrtest.tmp' '%s/libbrtest.c' && "
	                           "mv -f '%s/libbrtest.tmp' '%s/libbrtest.so.1'",
	                           cc && *cc ? cc : "cc", slow ? "-DBRTEST_SLOW" : "", dir, src,
	                           dir, dir);

	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
	free(cmd);
}

/* Build tests/worker_libtest.c into dir/worker_libtest, linked with
 * dir/libbrtest.so.1 (found through its rpath) and the uninstalled
 * libbenchrun-internal.a. */
static char *build_worker(const char *dir)
{
	const char *cc = getenv("TESTS_CC"), *src = getenv("TESTS_SRCDIR");
	const char *inc = getenv("TESTS_LIBSRCDIR"), *lib = getenv("TESTS_LIBBUILDDIR");
	const char *libs = getenv("TESTS_LIBS");
	char *prog = check_asprintf("%s/worker_libtest", dir);
	char *cmd = check_asprintf("%s -O1 -I'%s' -o '%s' '%s/worker_libtest.c' '%s/libbrtest.so.1' "
	                           "-Wl,-rpath,'%s' '%s/.libs/libbenchrun-internal.a' %s -lm",
	                           cc && *cc ? cc : "cc", inc, prog, src, dir, dir, lib,
	                           libs ? libs : "");

	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
	free(cmd);
	return prog;
}

/* The program loads libbrtest.so.1 from dir: objects_list names it with
 * its soname, and nothing from the system folders. */
START_TEST(test_objects_list)
{
	char *dir = fresh_dir("objects"), *prog, *why = NULL, *want, *real;
	struct object_list l;

	build_lib(dir, 0);
	prog = build_worker(dir);
	ck_assert_msg(objects_list(prog, NULL, &l, &why) == 0, "objects_list: %s", why);
	ck_assert_uint_eq(l.n, 1);
	want = check_asprintf("%s/libbrtest.so.1", dir);
	real = realpath(l.v[0].path, NULL);
	ck_assert_ptr_nonnull(real);
	ck_assert_msg(!strcmp(l.v[0].path, want) || !strcmp(real, want), "listed %s, want %s",
	              l.v[0].path, want);
	ck_assert_ptr_nonnull(l.v[0].soname);
	ck_assert_str_eq(l.v[0].soname, "libbrtest.so.1");
	objects_free(&l);
	/* the soname read from the file itself */
	free(why);
	why = objects_soname(want);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, "libbrtest.so.1");
	free(why);
	ck_assert_ptr_null(objects_soname(prog));  /* a program has none */
	/* worker_gate loads only system libraries */
	why = NULL;
	ck_assert_msg(objects_list(worker, NULL, &l, &why) == 0, "objects_list: %s", why);
	ck_assert_uint_eq(l.n, 0);
	objects_free(&l);
	free(real);
	free(want);
	free(prog);
	free(dir);
}
END_TEST

START_TEST(test_is_system)
{
	ck_assert_int_eq(objects_is_system("/lib/x86_64-linux-gnu/libc.so.6"), 1);
	ck_assert_int_eq(objects_is_system("/usr/lib/x86_64-linux-gnu/libm.so.6"), 1);
	ck_assert_int_eq(objects_is_system("/lib64/ld-linux-x86-64.so.2"), 1);
	ck_assert_int_eq(objects_is_system("/usr/lib/libfoo.so"), 1);
	ck_assert_int_eq(objects_is_system("/tmp/x.so"), 0);
	ck_assert_int_eq(objects_is_system("/usr/local/lib/libfoo.so"), 0);
	ck_assert_int_eq(objects_is_system("/home/u/build/libfoo.so.1"), 0);
	ck_assert_int_eq(objects_is_system("/usr/libexec/x.so"), 0);
	ck_assert_int_eq(objects_is_system("/library/x.so"), 0);
}
END_TEST

/* Save a baseline of the program with its fast library, rebuild the
 * library ten times slower, compare: the old build must run with the kept
 * (fast) library, so the change is large and "regressed", paired.  Had
 * the old build loaded the new library, both sides would be slow and
 * nothing would change. */
START_TEST(test_kept_library)
{
	struct transcript t;
	char *dir = fresh_dir("kept"), *prog, *path;
	json_t *doc, *libs, *c;

	build_lib(dir, 0);
	prog = build_worker(dir);
	save_baseline(dir, "b", prog, "lib/work");
	path = check_asprintf("%s/b.json", dir);
	doc = load_json(path);
	libs = json_object_get(json_array_get(json_object_get(doc, "programs"), 0), "libraries");
	ck_assert_uint_eq(json_array_size(libs), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(libs, 0), "soname")),
	                 "libbrtest.so.1");
	json_decref(doc);
	build_lib(dir, 1);
	doc = compare_json(&t, dir, "b", prog, "lib/work");
	ck_assert_msg(t.exit_code == 1, "exit %d\n%s\n%s", t.exit_code, t.out, t.err);
	ck_assert_str_eq(cmp_str(doc, "lib/work", "mode"), "paired");
	ck_assert_str_eq(cmp_str(doc, "lib/work", "verdict"), "regressed");
	c = comparison_of(doc, "lib/work");
	ck_assert_msg(json_real_value(json_object_get(c, "change")) > 2,
	              "change %g: the old build did not keep its library",
	              json_real_value(json_object_get(c, "change")));
	json_decref(doc);
	transcript_free(&t);
	/* The kept library deleted: the program cannot be reproduced. */
	doc = load_json(path);
	libs = json_object_get(json_array_get(json_object_get(doc, "programs"), 0), "libraries");
	free(path);
	path = check_asprintf("%s/%s", dir, json_string_value(json_object_get(
	                      json_array_get(libs, 0), "stored")));
	json_decref(doc);
	ck_assert_int_eq(unlink(path), 0);
	doc = compare_json(&t, dir, "b", prog, "lib/work");
	ck_assert_str_eq(cmp_str(doc, "lib/work", "mode"), "fallback");
	/* Two lines: the warning, and the stored comparison's verdict on a
	 * one-benchmark suite ten times as slow: a suite-wide shift beyond
	 * the drift bound, which fails the run. */
	ck_assert_msg(transcript_lines(t.err) == 2, "expected two stderr lines, got:\n%s", t.err);
	ck_assert_msg(!strncmp(t.err, "benchrun: warning: ", 19) && strstr(t.err, "is gone") &&
	              strstr(t.err, "\nbenchrun: suite-wide shift +") &&
	              strstr(t.err, "beyond the drift bound 4%"), "stderr:\n%s", t.err);
	ck_assert_int_eq(t.exit_code, 1);
	json_decref(doc);
	transcript_free(&t);
	/* A baseline from before kept libraries, of a program that needs one:
	 * the old build cannot be reproduced; one warning, stored results. */
	free(path);
	path = check_asprintf("%s/c.json", dir);
	build_lib(dir, 0);
	save_baseline(dir, "c", prog, "lib/work");
	edit_program(dir, "c", drop_libraries, NULL);
	doc = compare_json(&t, dir, "c", prog, "lib/work");
	ck_assert_str_eq(cmp_str(doc, "lib/work", "mode"), "fallback");
	assert_fallback_run(&t, "kept no shared libraries", "libbrtest.so.1", NULL);
	json_decref(doc);
	transcript_free(&t);
	free(path);
	free(prog);
	free(dir);
}
END_TEST

static Suite *paired_suite(void)
{
	Suite *s = suite_create("paired");
	TCase *cli = tcase_create("cli"), *lib = tcase_create("library");

	tcase_set_timeout(cli, 400);
	tcase_add_test(cli, test_two_processes);
	tcase_add_loop_test(cli, test_outside_not_run, 0, 2);
	tcase_add_test(cli, test_deleted_copy);
	tcase_add_test(cli, test_old_baseline_pairs);
	suite_add_tcase(s, cli);
	tcase_set_timeout(lib, 400);
	tcase_add_test(lib, test_is_system);
	tcase_add_test(lib, test_objects_list);
	tcase_add_test(lib, test_kept_library);
	suite_add_tcase(s, lib);
	return s;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int main(void)
{
	const char *dir = getenv("TESTS_BUILDDIR"), *tmp = getenv("TMPDIR");
	int rc;

	benchrun = getenv("BENCHRUN");
	if (!benchrun || !dir || !getenv("TESTS_SRCDIR")) {
		fprintf(stderr, "check_paired: BENCHRUN, TESTS_BUILDDIR and TESTS_SRCDIR must be set "
		        "(make check sets them)\n");
		return EXIT_FAILURE;
	}
	snprintf(worker, sizeof worker, "%s/worker_gate", dir);
	snprintf(workdir, sizeof workdir, "%s/check_paired.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(workdir)) {
		perror("check_paired: mkdtemp");
		return EXIT_FAILURE;
	}
	if (chdir(workdir) != 0) {
		perror("check_paired: chdir");
		return EXIT_FAILURE;
	}
	rc = check_run_suite(paired_suite());
	nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
