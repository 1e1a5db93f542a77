/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for the command line's helpers: a subcommand found after
 * leading options, the messages for ambiguous, unknown and misused long
 * options, the warning for a --profile regex that matches nothing, a
 * profile folder that holds one run's files only, and
 * the list of existing baselines given when a named one is missing. */
#define _GNU_SOURCE
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "baseline_list.h"
#include "msg.h"
#include "options.h"
#include "profile.h"
#include "suite.h"

static char tmpdir[] = "/tmp/check_options.XXXXXX";

/* Run options_subcommand on the words of `line` (split at spaces) and
 * return them joined again after it, with its return value first. */
static char *subcommand_of(const char *line)
{
	char *copy = strdup(line), *argv[32], *save = NULL, *w, *out;
	int argc = 0, found;
	size_t len = 0;

	for (w = strtok_r(copy, " ", &save); w && argc < 31; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	found = options_subcommand(argc, argv);
	out = check_asprintf("%d:", found);
	for (int i = 0; i < argc; i++) {
		len = strlen(out);
		out = realloc(out, len + strlen(argv[i]) + 2);
		sprintf(out + len, " %s", argv[i]);
	}
	free(copy);
	return out;
}

START_TEST(test_subcommand_after_options)
{
	static const char *const cases[][2] = {
		{"benchrun ab OLD NEW", "1: benchrun ab OLD NEW"},
		{"benchrun -q ab OLD NEW", "1: benchrun ab -q OLD NEW"},
		{"benchrun --seed 3 -p 2 compare a b", "1: benchrun compare --seed 3 -p 2 a b"},
		{"benchrun --seed=3 -qp2 compare a b", "1: benchrun compare --seed=3 -qp2 a b"},
		{"benchrun -qp 2 ab x y", "1: benchrun ab -qp 2 x y"},
		/* "ab" is the value of --filter here, and a program there. */
		{"benchrun --filter ab prog", "0: benchrun --filter ab prog"},
		{"benchrun -f ab prog", "0: benchrun -f ab prog"},
		{"benchrun --filt ab prog", "0: benchrun --filt ab prog"},
		{"benchrun prog ab", "0: benchrun prog ab"},
		{"benchrun -- ab", "0: benchrun -- ab"},
		{"benchrun -q", "0: benchrun -q"},
		{"benchrun", "0: benchrun"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = subcommand_of(cases[i][0]);
		ck_assert_msg(!strcmp(got, cases[i][1]), "'%s' -> '%s', not '%s'", cases[i][0],
		              got, cases[i][1]);
		free(got);
	}
}
END_TEST

/* What options_parse() printed for `arg`, with its status. */
static char *parse_error(const char *arg, int *rc)
{
	char *argv[] = {"benchrun", (char *)arg, NULL}, *path = check_asprintf("%s/err", tmpdir);
	struct options o;
	char *text;
	FILE *saved = stderr;

	ck_assert_ptr_nonnull(stderr = fopen(path, "w"));
	*rc = options_parse(2, argv, &o);
	fclose(stderr);
	stderr = saved;
	text = check_slurp(path, NULL);
	free(path);
	return text;
}

START_TEST(test_long_option_errors)
{
	static const char *const cases[][2] = {
		{"--base", "benchrun: option '--base' is ambiguous: it could be --baseline, "
		           "--baseline-dir\n"},
		{"--base=x", "benchrun: option '--base' is ambiguous: it could be --baseline, "
		             "--baseline-dir\n"},
		{"--pro", "benchrun: option '--pro' is ambiguous: it could be --processes, "
		          "--profile, --profile-alloc, --profile-freq, --profile-callchain, --profile-time\n"},
		{"--nope", "benchrun: option '--nope' is unknown (try --help)\n"},
		{"--list=3", "benchrun: option '--list' takes no argument (try --help)\n"},
		{"--json", "benchrun: option '--json' needs an argument (try --help)\n"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc;
		char *err = parse_error(cases[i][0], &rc);
		ck_assert_int_eq(rc, EXIT_USAGE);
		ck_assert_str_eq(err, cases[i][1]);
		free(err);
	}
}
END_TEST

/* profile_suite's stderr for --profile `v` over benchmarks named `names`
 * (marked failed, so nothing is run). */
static char *profile_warning(const char *v, const char *const *names, size_t n)
{
	struct options o;
	struct suite s = {0};
	regex_t re;
	char *argv[] = {"benchrun", NULL}, *path = check_asprintf("%s/err", tmpdir), *text;
	FILE *saved = stderr;

	ck_assert_int_eq(options_parse(1, argv, &o), 0);
	o.profile = v;
	ck_assert_int_eq(profile_parse_mode(v, (enum profile_mode *)&o.profile_mode, &re), 0);
	s.benches = calloc(n, sizeof *s.benches);
	s.nbenches = n;
	for (size_t i = 0; i < n; i++) {
		s.benches[i].name = strdup(names[i]);
		s.benches[i].failed = 1;
	}
	ck_assert_ptr_nonnull(stderr = fopen(path, "w"));
	ck_assert_uint_eq(profile_suite(&o, &re, &s, NULL, NULL), 0);
	fclose(stderr);
	stderr = saved;
	text = check_slurp(path, NULL);
	regfree(&re);
	suite_free(&s);
	free(path);
	return text;
}

static void touch(const char *dir, const char *file)
{
	char *path = check_asprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fclose(f);
	free(path);
}

static int exists(const char *dir, const char *file)
{
	char *path = check_asprintf("%s/%s", dir, file);
	int yes = access(path, F_OK) == 0;

	free(path);
	return yes;
}

/* A run that profiles into a report's profiles/ first removes the profiles
 * an earlier run left there (and only those), so the folder never mixes
 * runs.  The program does not exist: its profile fails with a warning. */
START_TEST(test_profile_dir_holds_one_run)
{
	struct options o;
	struct suite s = {0};
	char *argv[] = {"benchrun", NULL}, *top = check_asprintf("%s/report", tmpdir), *dir;
	char *path = check_asprintf("%s/err", tmpdir), *err;
	FILE *saved = stderr;

	dir = check_asprintf("%s/profiles", top);
	ck_assert_int_eq(mkdir(top, 0777), 0);
	ck_assert_int_eq(mkdir(dir, 0777), 0);
	touch(dir, "old_bench-12345678.folded");
	touch(dir, "old_bench-12345678.svg");
	touch(dir, "old_bench-12345678-diff.svg");
	touch(dir, "README.txt");
	ck_assert_int_eq(options_parse(1, argv, &o), 0);
	o.report_dir = top;
	o.profile_mode = PROFILE_ALL;
	s.benches = calloc(1, sizeof *s.benches);
	s.nbenches = 1;
	s.benches[0].name = strdup("new/bench");
	s.benches[0].program = strdup("/nonexistent/program");
	s.benches[0].analysis.done = 1;
	ck_assert_ptr_nonnull(stderr = fopen(path, "w"));
	ck_assert_uint_eq(profile_suite(&o, NULL, &s, NULL, NULL), 0);
	fclose(stderr);
	stderr = saved;
	err = check_slurp(path, NULL);
	ck_assert_msg(!strncmp(err, "benchrun: warning: new/bench: no profile: ", 42), "%s", err);
	ck_assert(!exists(dir, "old_bench-12345678.folded"));
	ck_assert(!exists(dir, "old_bench-12345678.svg"));
	ck_assert(!exists(dir, "old_bench-12345678-diff.svg"));
	ck_assert(exists(dir, "README.txt"));
	free(err);
	suite_free(&s);
	free(path);
	free(dir);
	free(top);
}
END_TEST

START_TEST(test_profile_regex_matching_nothing)
{
	static const char *const names[] = {"hash/fnv1a/64", "sort/qsort"};
	char *err;

	err = profile_warning("al", names, 2);
	ck_assert_str_eq(err, "benchrun: warning: --profile: 'al' matches no benchmark (as a "
	                      "regex); did you mean 'all'?\n");
	free(err);
	err = profile_warning("^zz", names, 2);
	ck_assert_str_eq(err, "benchrun: warning: --profile: '^zz' matches no benchmark (a regex, "
	                      "or regressed, all, none; benchrun --list shows the names)\n");
	free(err);
	err = profile_warning("qsort", names, 2);
	ck_assert_str_eq(err, "");
	free(err);
}
END_TEST


START_TEST(test_baseline_list)
{
	char *dir = check_asprintf("%s/store", tmpdir), *path, out[64], *err;
	FILE *saved = stderr;

	ck_assert_int_eq(mkdir(dir, 0777), 0);
	ck_assert_uint_eq(baseline_list_existing(dir, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
	touch(dir, "main.json");
	touch(dir, "before.json");
	touch(dir, ".main.lock");      /* not a baseline */
	touch(dir, "notes.txt");       /* nor this */
	touch(dir, "a b.json");        /* an invalid name */
	path = check_asprintf("%s/programs", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	free(path);
	ck_assert_uint_eq(baseline_list_existing(dir, out, sizeof out), 2);
	ck_assert_str_eq(out, "before, main");
	/* Too many to fit: cut with ", ...". */
	touch(dir, "release-2026-11-30.json");
	touch(dir, "release-2026-12-01.json");
	ck_assert_uint_eq(baseline_list_existing(dir, out, 32), 4);
	ck_assert_str_eq(out, "before, main, ...");
	ck_assert_uint_eq(baseline_list_existing("/nonexistent", out, sizeof out), 0);

	path = check_asprintf("%s/err", tmpdir);
	ck_assert_ptr_nonnull(stderr = fopen(path, "w"));
	baseline_list_missing(dir, "mian");
	baseline_list_missing(tmpdir, "main");
	fclose(stderr);
	stderr = saved;
	err = check_slurp(path, NULL);
	free(path);
	path = check_asprintf("benchrun: baseline 'mian': not found in %s (it has: before, main, "
	                      "release-2026-11-30, release-2026-12-01)\n"
	                      "benchrun: baseline 'main': not found: %s has no baselines yet "
	                      "(save one with benchrun --save-baseline main)\n", dir, tmpdir);
	ck_assert_str_eq(err, path);
	free(err);
	free(path);
	free(dir);
}
END_TEST

static void tmp_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char *cmd = check_asprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		fprintf(stderr, "check_options: could not remove %s\n", tmpdir);
	free(cmd);
}

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_subcommand_after_options);
	tcase_add_test(tc, test_long_option_errors);
	tcase_add_test(tc, test_profile_regex_matching_nothing);
	tcase_add_test(tc, test_profile_dir_holds_one_run);
	tcase_add_test(tc, test_baseline_list);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(options_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
