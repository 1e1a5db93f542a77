/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for --report and --markdown on the command line: transcripts
 * (command, stdout, stderr, exit status) of $BENCHRUN measuring the sample
 * worker with and without gnuplot on PATH, and an unwritable report
 * directory. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "transcript.h"

/* Budgets that keep each run to a few tens of milliseconds. */
#define FAST "--processes", "2", "--warmup-time", "0.002", "--measure-time", "0.005", \
	"--samples", "5", "--quiet"

#define CMD_LIMIT_S 30.0

static const char *benchrun;
static char sample[PATH_MAX], tmpdir[PATH_MAX];

/* Run benchrun on the passing benchmarks of the sample worker, writing the
 * report into tmpdir/report and the summary into tmpdir/summary.md. */
static void run_report(struct transcript *t, const char *report_dir)
{
	char md[PATH_MAX + 16];
	char *argv[] = {(char *)benchrun, FAST, "--filter", "^ok/", "--report",
	                (char *)report_dir, "--markdown", md, sample, NULL};

	snprintf(md, sizeof md, "%s/summary.md", tmpdir);
	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, t), 0);
	ck_assert_msg(!t->timed_out, "benchrun ran past %g s", CMD_LIMIT_S);
}

static char *slurp(const char *path)
{
	char *buf = check_slurp(path, NULL);

	ck_assert_msg(buf != NULL, "%s missing", path);
	return buf;
}

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/check_report_cli.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char *cmd;

	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "check_report_cli: could not remove %s\n", tmpdir);
		free(cmd);
	}
}

START_TEST(test_report_with_gnuplot)
{
	struct transcript t;
	char dir[PATH_MAX + 16], path[PATH_MAX + 64], *text;

	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		fputs("check_report_cli: gnuplot not installed: plot check skipped\n", stderr);
		return;
	}
	snprintf(dir, sizeof dir, "%s/report", tmpdir);
	run_report(&t, dir);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "");
	snprintf(path, sizeof path, "%s/index.html", dir);
	text = slurp(path);
	ck_assert_ptr_nonnull(strstr(text, ">ok/param/2</a>"));
	ck_assert_ptr_nonnull(strstr(text, "<img src=\"plots/"));
	ck_assert_ptr_null(strstr(text, "gnuplot-nox"));
	free(text);
	snprintf(path, sizeof path, "%s/plots/plots.gp", dir);
	ck_assert_int_eq(access(path, R_OK), 0);
	snprintf(path, sizeof path, "%s/summary.md", tmpdir);
	text = slurp(path);
	ck_assert_ptr_nonnull(strstr(text, "| benchmark | time/iter | 95% interval | throughput |"));
	ck_assert_ptr_nonnull(strstr(text, "| ok/fast | "));
	free(text);
	transcript_free(&t);
}
END_TEST

START_TEST(test_report_without_gnuplot)
{
	struct transcript t;
	char dir[PATH_MAX + 16], path[PATH_MAX + 64], *text;
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	ck_assert_int_eq(setenv("PATH", "/nonexistent", 1), 0);
	snprintf(dir, sizeof dir, "%s/report", tmpdir);
	run_report(&t, dir);
	if (old)  /* the teardown's rm needs it */
		setenv("PATH", old, 1);
	free(old);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_str_eq(t.err, "benchrun: warning: gnuplot: not found on PATH: the report has "
	                        "no plots (install it: apt-get install gnuplot-nox)\n");
	snprintf(path, sizeof path, "%s/index.html", dir);
	text = slurp(path);
	ck_assert_ptr_nonnull(strstr(text, ">ok/fast</a>"));
	ck_assert_ptr_nonnull(strstr(text, "apt-get install gnuplot-nox"));
	ck_assert_ptr_null(strstr(text, "<img"));
	free(text);
	transcript_free(&t);
}
END_TEST

START_TEST(test_report_unwritable)
{
	struct transcript t;
	char dir[PATH_MAX + 32], want[2 * PATH_MAX];

	snprintf(dir, sizeof dir, "%s/no/such/dir", tmpdir);
	run_report(&t, dir);
	ck_assert_int_eq(t.exit_code, 2);
	snprintf(want, sizeof want, "benchrun: %s: cannot create the report directory: "
	         "No such file or directory\n", dir);
	ck_assert_str_eq(t.err, want);
	transcript_free(&t);
}
END_TEST

static Suite *report_cli_suite(void)
{
	Suite *s = suite_create("report_cli");
	TCase *tc = tcase_create("report");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_report_with_gnuplot);
	tcase_add_test(tc, test_report_without_gnuplot);
	tcase_add_test(tc, test_report_unwritable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *dir = getenv("TESTS_BUILDDIR");
	SRunner *sr;
	int failed;

	benchrun = getenv("BENCHRUN");
	if (!benchrun || !*benchrun || !dir || !*dir) {
		fputs("check_report_cli: BENCHRUN and TESTS_BUILDDIR must be set (make check sets "
		      "them)\n", stderr);
		return EXIT_FAILURE;
	}
	snprintf(sample, sizeof sample, "%s/worker_sample", dir);
	sr = srunner_create(report_cli_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
