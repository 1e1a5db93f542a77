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
#include <jansson.h>
#include "check_main.h"

#include "transcript.h"

/* Budgets that keep each run to a few tens of milliseconds. */
#define FAST "--processes", "2", "--warmup-time", "0.002", "--measure-time", "0.005", \
	"--samples", "5", "--quiet"

#define CMD_LIMIT_S 30.0

static const char *benchrun;
static char sample[PATH_MAX], names[PATH_MAX], tmpdir[PATH_MAX];

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

/* Nothing a terminal acts on, nothing an XML parser refuses: no control
 * byte but newline, no 0xff or 0xfe (never in UTF-8), no U+FFFE. */
static void assert_clean(const char *what, const char *text)
{
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		ck_assert_msg((c >= 0x20 && c != 0x7f && c < 0xfe) || c == '\n',
		              "%s: raw byte 0x%02x at offset %zu", what, c, (size_t)(p - text));
	}
	ck_assert_msg(!strstr(text, "\xef\xbf\xbe"), "%s: a raw U+FFFE", what);
}

/* The refused names, as every output shows them, with their reasons. */
static const char *const refused[][2] = {
	{"names/esc\\x1b[31mred", "control character U+001B at byte 10"},
	{"names/cr\\x0dlf\\x0a", "control character U+000D at byte 9"},
	{"names/nonchar\\xef\\xbf\\xbe", "noncharacter U+FFFE at byte 14"},
	{"names/bytes\\xff\\xfe", "byte 0xff at byte 12 is not UTF-8"},
	{"names/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	 "xxxxxxxxxxxxxxx~262a8204", "305 bytes long"},
	{"names/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	 "xxxxxxxxxxxxxxx~292a86bd", "305 bytes long"},
};

/* Every hostile name of worker_names through the console, JSON, HTML,
 * Markdown and gnuplot: the refused ones fail with a message naming them
 * (escaped), the rest are measured, and every output stays intact. */
START_TEST(test_hostile_names_every_output)
{
	struct transcript t;
	char dir[PATH_MAX + 16], md[PATH_MAX + 16], js[PATH_MAX + 16], *cmd, *text;
	char *argv[] = {(char *)benchrun, FAST, "--json", js, "--report", dir, "--markdown",
	                md, names, NULL};
	json_t *doc, *benches;
	json_error_t jerr;
	size_t nok = 0;

	snprintf(dir, sizeof dir, "%s/report", tmpdir);
	snprintf(md, sizeof md, "%s/summary.md", tmpdir);
	snprintf(js, sizeof js, "%s/results.json", tmpdir);
	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, &t), 0);
	ck_assert_int_eq(t.exit_code, 3);  /* the refused ones failed */
	assert_clean("stdout", t.out);
	assert_clean("stderr", t.err);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		char *line = check_asprintf("benchrun: %s: invalid benchmark name (%s): a name must be "
		                            "UTF-8 without control characters or noncharacters, at "
		                            "most 255 bytes\n", refused[i][0], refused[i][1]);
		ck_assert_msg(strstr(t.err, line), "stderr lacks %s", line);
		free(line);
		/* The console pads names to the longest. */
		line = check_asprintf("\n%s ", refused[i][0]);
		ck_assert_msg(strstr(t.out, line), "stdout lacks %s", line);
		free(line);
		line = check_asprintf("  FAILED: invalid benchmark name (%s)", refused[i][1]);
		ck_assert_msg(strstr(t.out, line), "stdout lacks %s", line);
		free(line);
	}
	ck_assert_uint_eq(transcript_lines(t.err), 6);
	ck_assert_ptr_nonnull(strstr(t.out, "\nnames/pct%d%s%n 100%  "));
	ck_assert_ptr_nonnull(strstr(t.out, "\nnames/\xc2\xb5s-\xc3\xbc  "));
	ck_assert_ptr_nonnull(strstr(t.out, "15 benchmarks, 6 failed"));
	ck_assert_ptr_nonnull(strstr(t.out, "\nnames/params/n:8/mode:a<b>&\"q\"  "));

	doc = json_load_file(js, 0, &jerr);
	ck_assert_msg(doc != NULL, "%s: %s", js, jerr.text);
	benches = json_object_get(doc, "benchmarks");
	ck_assert_uint_eq(json_array_size(benches), 15);
	for (size_t i = 0; i < json_array_size(benches); i++)
		nok += !strcmp(json_string_value(json_object_get(json_array_get(benches, i),
		                                                 "status")), "ok");
	ck_assert_uint_eq(nok, 9);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(benches, 0), "name")),
	                 "names/pct%d%s%n 100%");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(benches, 7), "name")),
	                 "names/esc\\x1b[31mred");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(benches, 14), "param")),
	                 "n:8/mode:100%");
	/* The definition's complexity function reaches the fits, by its name. */
	ck_assert_ptr_nonnull(json_object_get(json_object_get(json_array_get(
		json_object_get(doc, "complexity"), 0), "fits"), "O(n/2 \"%s\")"));
	ck_assert_double_eq(json_number_value(json_object_get(json_object_get(
		json_array_get(benches, 6), "complexity_function"), "g")), 256);
	json_decref(doc);

	text = slurp(md);
	assert_clean("summary.md", text);
	ck_assert_ptr_nonnull(strstr(text, "| names/pct%d%s%n 100% |"));
	ck_assert_ptr_nonnull(strstr(text, "| names/quote'\"&lt;b&gt;&amp;amp; |"));
	ck_assert_ptr_nonnull(strstr(text, "| names/esc\\\\x1b\\[31mred | **FAILED**: "));
	free(text);

	/* xmllint --html exits 0 on bad characters: its stderr tells. */
	if (system("command -v xmllint >/dev/null 2>&1") == 0) {
		cmd = check_asprintf("xmllint --html --noout %s/*.html > %s/xmllint.err 2>&1", dir,
		                     tmpdir);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		cmd = check_asprintf("%s/xmllint.err", tmpdir);
		text = slurp(cmd);
		ck_assert_msg(!*text, "xmllint: %s", text);
		free(text);
		free(cmd);
	}
	cmd = check_asprintf("%s/index.html", dir);
	text = slurp(cmd);
	assert_clean("index.html", text);
	ck_assert_ptr_nonnull(strstr(text, ">names/pct%d%s%n 100%</a>"));
	ck_assert_ptr_nonnull(strstr(text, ">names/quote&#39;&quot;&lt;b&gt;&amp;amp;</a>"));
	ck_assert_ptr_nonnull(strstr(text, ">names/esc\\x1b[31mred</a>"));
	ck_assert_ptr_nonnull(strstr(text, ">names/params/n:8/mode:a&lt;b&gt;&amp;&quot;q&quot;</a>"));
	free(text);
	free(cmd);

	if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
		/* The group plot's tic labels are gnuplot formats: with the %
		 * doubled every label is drawn and nothing after it is lost. */
		cmd = check_asprintf("%s/plots/gnuplot.log", dir);
		text = slurp(cmd);
		/* Warnings (an empty range on a noisy machine) are no error. */
		for (char *line = text, *nl; *line; line = nl + 1) {
			if (!(nl = strchr(line, '\n')))
				nl = line + strlen(line) - 1;
			ck_assert_msg(!strncmp(line, "Warning:", 8) || line == nl,
			              "gnuplot: %.*s", (int)(nl - line), line);
		}
		free(text);
		free(cmd);
		cmd = check_asprintf("cat %s/plots/group-names-*.svg | grep -c "
		                     "-e '>pct%%d%%s%%n 100%%<' -e '>sweep%%/64<' > %s/count",
		                     dir, tmpdir);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		cmd = check_asprintf("%s/count", tmpdir);
		text = slurp(cmd);
		ck_assert_str_eq(text, "2\n");
		free(text);
		free(cmd);
		cmd = check_asprintf("ls %s/plots/sweep-names_sweep_-*-rate.svg >/dev/null", dir);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		/* Three sizes: the time plot draws the complexity fit. */
		cmd = check_asprintf("grep -q 'fit, RMS' %s/plots/sweep-names_sweep_-*-time.svg", dir);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
	}
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
	tcase_add_test(tc, test_hostile_names_every_output);
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
	snprintf(names, sizeof names, "%s/worker_names", dir);
	sr = srunner_create(report_cli_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
