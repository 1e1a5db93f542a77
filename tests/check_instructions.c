/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for the instruction measure (--measure instructions): the
 * reading of callgrind's dump files, and transcripts of $BENCHRUN running
 * worker_instr under Valgrind for real: bodies of a known instruction
 * count read exactly, set-up and teardown are not counted, two runs agree
 * to the instruction, one more instruction in a 1,000-instruction body is
 * a regression and the same build is not, and without valgrind in PATH
 * the run stops with exit status 2 and one line.  Skipped (77) where
 * Valgrind cannot run the test programs at all: not installed, or a build
 * under AddressSanitizer, whose shadow memory Valgrind cannot host. */
#define _GNU_SOURCE
#include "config.h"
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include "check_main.h"

#include "callgrind.h"
#include "flame.h"
#include "transcript.h"

#define CMD_LIMIT_S 120.0
#define QUIET "--quiet", "--color", "never", "--profile", "none"

static const char *benchrun;
static char worker[PATH_MAX], worker_plus[PATH_MAX], workdir[PATH_MAX];

static void run_cli(struct transcript *t, ...)
{
	const char *const dir[] = {"--baseline-dir", workdir, NULL};
	va_list ap;
	int rc;

	va_start(ap, t);
	rc = transcript_run_va(benchrun, ap, dir, CMD_LIMIT_S, t);
	va_end(ap);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(!t->timed_out, "benchrun ran past %g s", CMD_LIMIT_S);
	ck_assert_msg(t->signal == 0, "benchrun died of signal %d; stderr:\n%s", t->signal, t->err);
}

/* The JSON results a run wrote to `path`; the test fails without them. */
static json_t *results(const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);

	ck_assert_msg(doc != NULL, "%s: %s", path, je.text);
	return doc;
}

static json_t *bench(json_t *doc, const char *name)
{
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(doc, "benchmarks"), i, b)
		if (!strcmp(json_string_value(json_object_get(b, "name")), name))
			return b;
	ck_abort_msg("no benchmark %s in the results", name);
	return NULL;
}

static double slope_of(json_t *doc, const char *name)
{
	json_t *a = json_object_get(bench(doc, name), "analysis");

	return json_number_value(json_object_get(json_object_get(a, "slope"), "point"));
}

/* ---- Reading dump files (no Valgrind needed) --------------------------- */

static char *write_file(const char *name, const char *text)
{
	char *path = check_asprintf("%s/%s", workdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(test_read_dump)
{
	char *path = write_file("dump.ok", "version: 1\ncmd: ./w\npart: 3\n"
	                        "desc: Trigger: Client Request: benchrun sample 3\n"
	                        "positions: line\nevents: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw "
	                        "Bc Bcm Bi Bim\n"
	                        "summary: 36017 1200 800 3 17 5 2 7 1 900 40 10 2\n"
	                        "totals: 36017 1200 800 3 17 5 2 7 1 900 40 10 2\n");
	struct callgrind_dump d;
	double sim[CALLGRIND_SIM_N];
	char why[256];

	ck_assert_int_eq(callgrind_read_dump(path, &d, why, sizeof why), 0);
	ck_assert_uint_eq(d.sample, 3);
	ck_assert(callgrind_event(&d, "Ir") == 36017 && callgrind_event(&d, "Bim") == 2);
	ck_assert(isnan(callgrind_event(&d, "Ge")));
	/* I1 3; D1 17 + 5; LLi 2; LLd 7 + 1; mispredicted 40 + 2; cycles:
	 * L1 hits 36017 + 1200 + 800 - 25 = 37992, LL hits 25 - 10 = 15,
	 * memory 10: 37992 + 5 * 15 + 35 * 10 = 38417. */
	callgrind_simulated(&d, sim);
	ck_assert(sim[0] == 3 && sim[1] == 22 && sim[2] == 2 && sim[3] == 8 && sim[4] == 42);
	ck_assert_msg(sim[5] == 38417, "est-cycles %g", sim[5]);
	free(path);
	/* Callgrind leaves out trailing zeros. */
	path = write_file("dump.short", "events: Ir Dr Dw\nsummary: 5 2\n");
	ck_assert_int_eq(callgrind_read_dump(path, &d, why, sizeof why), 0);
	ck_assert(callgrind_event(&d, "Dr") == 2 && callgrind_event(&d, "Dw") == 0);
	free(path);
	/* A value that is not a count, and a file that is no dump. */
	path = write_file("dump.word", "events: Ir Dr\nsummary: 5 x\n");
	ck_assert_int_eq(callgrind_read_dump(path, &d, why, sizeof why), -1);
	ck_assert_msg(strstr(why, "does not match its events"), "%s", why);
	free(path);
	path = write_file("dump.bad", "events: Ir\n");
	ck_assert_int_eq(callgrind_read_dump(path, &d, why, sizeof why), -1);
	ck_assert_msg(strstr(why, "not a callgrind dump"), "%s", why);
	free(path);
	/* A dump another trigger wrote (program end) names no sample. */
	path = write_file("dump.end", "desc: Trigger: Program termination\nevents: Ir\n"
	                  "summary: 5\n");
	ck_assert_int_eq(callgrind_read_dump(path, &d, why, sizeof why), 0);
	ck_assert(callgrind_event(&d, "Ir") == 5 && d.sample == 0);
	free(path);
}
END_TEST

/* Functions, calls and stacks from a constructed dump: compressed names,
 * a function in two blocks, a call from below the body call (cut), and a
 * recursive function whose call of itself adds nothing to its stacks. */
START_TEST(test_functions)
{
	static const char *const dump[2] = {
		"events: Ir\nfn=(1) br__body_call\n0 3\ncfn=(2) main\ncalls=1 0\n0 110\n"
		"fn=(2)\n0 10\ncfn=(3) work\ncalls=1 0\n0 100\n"
		"fn=(3)\n0 50\ncfn=(4) leaf\ncalls=2 0\n0 40\nfn=(3)\n0 10\n"
		"fn=(4)\n0 40\nfn=(5) rec\n0 30\ncfn=(5)\ncalls=1 0\n0 20\n",
		"events: Ir\nfn=(1) br__body_call\n0 3\ncfn=(2) main\ncalls=1 0\n0 120\n"
		"fn=(2)\n0 10\ncfn=(3) work\ncalls=1 0\n0 110\n"
		"fn=(3)\n0 70\ncfn=(4) leaf\ncalls=2 0\n0 40\n"
		"fn=(4)\n0 40\nfn=(5) rec\n0 30\ncfn=(5)\ncalls=1 0\n0 20\n"};
	struct callgrind_fns f[2], per = {0};
	struct flame_profile fl;
	struct callgrind_change *c;
	char why[256], *path, *text;
	long n;

	for (int i = 0; i < 2; i++) {
		path = write_file(i ? "fns.1" : "fns.0", dump[i]);
		ck_assert_msg(callgrind_read_functions(path, &f[i], why, sizeof why) == 0, "%s", why);
		free(path);
	}
	ck_assert_uint_eq(f[0].n, 5);
	/* Sorted by name: br__body_call, leaf, main, rec, work. */
	ck_assert_str_eq(f[0].f[4].name, "work");
	ck_assert(f[0].f[4].self == 60 && f[0].f[4].incl == 100);
	ck_assert(f[0].f[2].self == 10 && f[0].f[2].incl == 110);
	ck_assert(f[0].f[3].self == 30 && f[0].f[3].incl == 50);
	ck_assert_uint_eq(f[0].ne, 4);
	/* Stacks of the first: below the body call, each function's own Ir. */
	ck_assert_int_eq(callgrind_flame(&f[0], &fl), 0);
	ck_assert_uint_eq(fl.total, 110 + 30);
	path = check_asprintf("%s/fns.folded", workdir);
	{
		FILE *out = fopen(path, "w");
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(flame_write_folded(out, &fl), 0);
		fclose(out);
	}
	text = check_slurp(path, NULL);
	ck_assert_str_eq(text, "main 10\nmain;work 60\nmain;work;leaf 40\nrec 30\n");
	free(text);
	free(path);
	flame_free(&fl);
	/* What grew from the first dump to the second, per iteration (one
	 * iteration more): work's self Ir, by 20 - 10 = 10... */
	ck_assert_int_eq(callgrind_fns_per_iter(&f[0], &f[1], 1, &per), 0);
	ck_assert_double_eq(per.f[4].self, 10);
	callgrind_fns_free(&per);
	/* ... and between the two as builds, work alone changed: +10. */
	n = callgrind_diff(&f[0], &f[1], &c);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(c[0].name, "work");
	ck_assert(c[0].old_self == 60 && c[0].new_self == 70 && c[0].new_incl == 110);
	free(c);
	callgrind_fns_free(&f[0]);
	callgrind_fns_free(&f[1]);
}
END_TEST

/* ---- Under Valgrind ---------------------------------------------------- */

/* A body of 1,000 nops reads exactly 1,000 instructions more per
 * iteration than an empty one (whose few are the loop's own), in every
 * process; set-up and teardown, a million multiply-adds each, add none. */
START_TEST(test_known_counts)
{
	struct transcript t;
	char *json = check_asprintf("%s/known.json", workdir);
	json_t *doc;
	double nop0, nop1000, heavy;

	run_cli(&t, "--measure", "instructions", QUIET, "--json", json, worker, NULL);
	ck_assert_msg(t.exit_code == 0, "exit %d\n%s", t.exit_code, t.err);
	ck_assert_msg(strstr(t.out, "Ir/iter"), "%s", t.out);
	doc = results(json);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "measure")), "instructions");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "unit")), "Ir");
	nop0 = slope_of(doc, "instr/nop0");
	nop1000 = slope_of(doc, "instr/nop1000");
	heavy = slope_of(doc, "instr/setup_heavy");
	ck_assert_msg(nop0 > 0 && nop0 < 10, "empty loop %g Ir/iter", nop0);
	ck_assert_msg(nop1000 - nop0 == 1000, "1000 nops read %g - %g", nop1000, nop0);
	ck_assert_msg(heavy == nop0, "set-up and teardown counted: %g against %g", heavy, nop0);
	json_decref(doc);
	transcript_free(&t);
	free(json);
}
END_TEST

/* Every sample of every process of two runs: the same counts. */
START_TEST(test_repeatable)
{
	struct transcript t;
	char *json[2] = {check_asprintf("%s/r0.json", workdir),
	                 check_asprintf("%s/r1.json", workdir)};
	json_t *doc[2];
	json_t *p0, *p1;

	for (int r = 0; r < 2; r++) {
		run_cli(&t, "--measure", "instructions", QUIET, "--json", json[r], "--filter",
		        "nop1000", worker, NULL);
		ck_assert_msg(t.exit_code == 0, "exit %d\n%s", t.exit_code, t.err);
		transcript_free(&t);
		doc[r] = results(json[r]);
	}
	p0 = json_object_get(bench(doc[0], "instr/nop1000"), "processes");
	p1 = json_object_get(bench(doc[1], "instr/nop1000"), "processes");
	ck_assert_uint_eq(json_array_size(p0), 3);
	ck_assert_uint_eq(json_array_size(p1), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *s0 = json_object_get(json_array_get(p0, i), "samples");
		json_t *s1 = json_object_get(json_array_get(p1, 0), "samples");
		ck_assert_uint_eq(json_array_size(s0), 5);
		ck_assert(json_equal(s0, s1));
	}
	for (int r = 0; r < 2; r++) {
		json_decref(doc[r]);
		free(json[r]);
	}
}
END_TEST

/* benchrun ab OLD NEW on counts: one instruction more in a body of 1,000
 * (+0.1 %) is a regression, exactly; the same build against itself is no
 * change. */
START_TEST(test_plus_one)
{
	struct transcript t;
	char *json = check_asprintf("%s/plus.json", workdir), *text;
	json_t *doc, *c;
	double base, cur, folded;

	run_cli(&t, "ab", "--measure", "instructions", "--quiet", "--color", "never", "--json",
	        json, worker, worker_plus, "instr/plus", NULL);
	ck_assert_msg(t.exit_code == 1, "exit %d\n%s\n%s", t.exit_code, t.out, t.err);
	ck_assert_msg(strstr(t.out, "+0.10%") && strstr(t.out, "regressed (exact)"), "%s", t.out);
	/* The regression's instructions per function, against the old build:
	 * the one that grew, by exactly one, and callgrind's files of both. */
	ck_assert_msg(strstr(t.out, "instructions per function of instr/plus, against the old "
	                     "build\n  +1.0 Ir/iter in br__fn_instr__plus (+0.0997%)"), "%s", t.out);
	ck_assert_int_eq(access("reports/profiles/instr_plus-361fedde.callgrind", R_OK), 0);
	ck_assert_int_eq(access("reports/profiles/instr_plus-361fedde.old.callgrind", R_OK), 0);
	doc = results(json);
	c = json_object_get(bench(doc, "instr/plus"), "comparison");
	base = json_number_value(json_object_get(c, "baseline_ns"));
	cur = json_number_value(json_object_get(c, "current_ns"));
	ck_assert_msg(fabs(cur - base - 1) < 1e-9 && base >= 1000 && base < 1010,
	              "%.12g -> %.12g Ir/iter", base, cur);
	json_decref(doc);
	/* Its stacks of Ir per iteration start at the body: all of them. */
	text = check_slurp("reports/profiles/instr_plus-361fedde.ir.folded", NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(sscanf(text, "br__fn_instr__plus %lf", &folded) == 1 &&
	              fabs(folded - cur) < 0.5, "%s", text);
	ck_assert_int_eq(access("reports/profiles/instr_plus-361fedde.ir-diff.svg", R_OK), 0);
	free(text);

	free(json);
	transcript_free(&t);
	run_cli(&t, "ab", "--measure", "instructions", QUIET, worker, worker, "instr/plus", NULL);
	ck_assert_msg(t.exit_code == 0, "exit %d\n%s\n%s", t.exit_code, t.out, t.err);
	ck_assert_msg(strstr(t.out, "no significant change (exact)"), "%s", t.out);
	transcript_free(&t);
}
END_TEST

/* A baseline of counts saves, compares with a run of counts, and refuses
 * a run of time, which it cannot be compared with. */
START_TEST(test_baseline)
{
	struct transcript t;

	run_cli(&t, "--measure", "instructions", QUIET, "--filter", "nop1000",
	        "--save-baseline", "counts", worker, NULL);
	ck_assert_msg(t.exit_code == 0, "exit %d\n%s", t.exit_code, t.err);
	transcript_free(&t);
	run_cli(&t, "--measure", "instructions", QUIET, "--filter", "nop1000", "--baseline",
	        "counts", worker, NULL);
	ck_assert_msg(t.exit_code == 0, "exit %d\n%s\n%s", t.exit_code, t.out, t.err);
	ck_assert_msg(strstr(t.out, "no significant change (exact)"), "%s", t.out);
	transcript_free(&t);
	run_cli(&t, QUIET, "--filter", "nop1000", "--baseline", "counts", worker, NULL);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_uint_eq(transcript_lines(t.err), 1);
	ck_assert_msg(strstr(t.err, "counts: measured instructions; this run measures time"),
	              "%s", t.err);
	transcript_free(&t);
	/* Offline, two saves of counts compare exactly; counts against time
	 * do not compare at all. */
	run_cli(&t, "--measure", "instructions", QUIET, "--filter", "nop1000",
	        "--save-baseline", "counts2", worker, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	transcript_free(&t);
	run_cli(&t, "compare", "counts", "counts2", QUIET, NULL);
	ck_assert_msg(t.exit_code == 0 && strstr(t.out, "no significant change (exact)"),
	              "exit %d\n%s\n%s", t.exit_code, t.out, t.err);
	transcript_free(&t);
	run_cli(&t, QUIET, "--filter", "nop1000", "--measure-time", "0.01", "--save-baseline",
	        "timed", worker, NULL);
	ck_assert_int_eq(t.exit_code, 0);
	transcript_free(&t);
	run_cli(&t, "compare", "counts", "timed", QUIET, NULL);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_msg(strstr(t.err, "counts: measured instructions; this run measures time"),
	              "%s", t.err);
	transcript_free(&t);
}
END_TEST

/* No valgrind in PATH: exit 2, one line naming the package, nothing run. */
START_TEST(test_no_valgrind)
{
	struct transcript t;

	setenv("PATH", "/nonexistent", 1);
	run_cli(&t, "--measure", "instructions", QUIET, worker, NULL);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_uint_eq(transcript_lines(t.err), 1);
	ck_assert_msg(strstr(t.err, "needs valgrind") && strstr(t.err, "package valgrind"),
	              "%s", t.err);
	ck_assert_str_eq(t.out, "");
	transcript_free(&t);
}
END_TEST

/* The worker run by a person with --measure instructions, not under
 * Valgrind: exit 2 and what to do. */
START_TEST(test_worker_alone)
{
	struct transcript t;
	char *argv[] = {worker, "--measure", "instructions", NULL};

	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, &t), 0);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_msg(strstr(t.err, "not running under Valgrind"), "%s", t.err);
	transcript_free(&t);
}
END_TEST

static Suite *instructions_suite(int valgrind)
{
	Suite *s = suite_create("instructions");
	TCase *dump = tcase_create("dump"), *cli = tcase_create("cli");

	tcase_add_test(dump, test_read_dump);
	tcase_add_test(dump, test_functions);
	suite_add_tcase(s, dump);
	tcase_add_test(cli, test_no_valgrind);
	tcase_add_test(cli, test_worker_alone);
	if (valgrind) {
		tcase_set_timeout(cli, 240);
		tcase_add_test(cli, test_known_counts);
		tcase_add_test(cli, test_repeatable);
		tcase_add_test(cli, test_plus_one);
		tcase_add_test(cli, test_baseline);
	}
	suite_add_tcase(s, cli);
	return s;
}

/* Valgrind can run the test programs: it is installed and starts, and
 * they were not built under AddressSanitizer. */
static int valgrind_usable(void)
{
	const char *san = getenv("TESTS_SANITIZED");

	if (san && strstr(san, "address"))
		return 0;
	return system("valgrind --version >/dev/null 2>&1") == 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

int main(void)
{
	const char *dir = getenv("TESTS_BUILDDIR"), *tmp = getenv("TMPDIR");
	int valgrind = valgrind_usable(), rc;

	benchrun = getenv("BENCHRUN");
	if (!benchrun || !*benchrun || !dir || !*dir) {
		fputs("check_instructions: BENCHRUN and TESTS_BUILDDIR must be set (make check "
		      "sets them)\n", stderr);
		return EXIT_FAILURE;
	}
	if (!valgrind)
		fputs("check_instructions: Valgrind cannot run the test programs here "
		      "(not installed, or an AddressSanitizer build): only the dump reader and "
		      "the refusals are tested\n", stderr);
	snprintf(worker, sizeof worker, "%s/worker_instr", dir);
	snprintf(worker_plus, sizeof worker_plus, "%s/worker_instr_plus", dir);
	snprintf(workdir, sizeof workdir, "%s/check_instructions.XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(workdir)) {
		perror("check_instructions: mkdtemp");
		return EXIT_FAILURE;
	}
	/* Instruction profiles go to reports/profiles under the working
	 * directory: keep them out of the build tree. */
	if (chdir(workdir) != 0) {
		perror("check_instructions: chdir");
		return EXIT_FAILURE;
	}
	rc = check_run_suite(instructions_suite(valgrind));
	nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
