/* SPDX-License-Identifier: GPL-3.0-or-later */
/* benchrun: parse the command line and dispatch: measure (or load) the
 * current results, compare them with a baseline, report, store. */
#include "config.h"
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "analysis.h"
#include "baseline.h"
#include "compare.h"
#include "context.h"
#include "counters.h"
#include "msg.h"
#include "options.h"
#include "profile.h"
#include "programs.h"
#include "report.h"
#include "suite.h"

/* Everything one invocation works on. */
struct run {
	struct options o;
	regex_t filter;
	regex_t profile_re;        /* --profile REGEX, when profile_mode says so */
	struct suite cur, base;
	struct suite old;          /* the old build measured now (paired mode) */
	json_t *base_doc;          /* the baseline file, for its context */
	const char *base_name;     /* compared with, or NULL */
	int measured;              /* cur was measured now, not loaded */
	int ab;                    /* benchrun ab OLD NEW */
	int paired;                /* old and cur measured alternately */
	struct compare_summary sum;
};

static size_t count_failed(const struct suite *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nbenches; i++)
		n += s->benches[i].failed != 0;
	return n;
}

/* Analyse every benchmark (only those selected by `only`, when given); one
 * that has too few samples fails. */
static void analyse(struct suite *s, const struct options *o, const int *only)
{
	struct analysis_opts ao = {o->conf_level, o->resamples, o->seed};

	for (size_t i = 0; i < s->nbenches; i++) {
		struct bench_result *b = &s->benches[i];
		if (!(only && !only[i]) && !b->failed && counters_analyse(b) != 0)
			msg_error(b->name, "out of memory analysing its counters");
		if ((only && !only[i]) || b->failed ||
		    (b->analysed = analysis_run(b, &ao, &b->an) == 0))
			continue;
		b->failed = 1;
		b->reason = strdup("too few samples to analyse (fewer than 2 in every process)");
		msg_error(b->name, "%s", b->reason);
	}
}

static struct suite_opts suite_opts(const struct run *r, unsigned processes)
{
	const struct options *o = &r->o;

	return (struct suite_opts){o->programs, o->nprograms, o->filter ? &r->filter : NULL,
	                           processes, o->warmup_s, o->measure_s, o->samples,
	                           o->timeout_s, !o->quiet && isatty(2), o->counters};
}

/* Load stored baseline `name` into s.  0, or EXIT_USAGE after a message. */
static int load(const struct options *o, const char *name, struct suite *s, json_t **doc)
{
	char *path = baseline_path(baseline_dir(o->baseline_dir), name);
	int rc = !path || baseline_load(path, s, doc) != 0 ? EXIT_USAGE : 0;

	free(path);
	return rc;
}

/* The kept programs of the baseline, each checked against its hash; an
 * empty list (after one warning) when any is missing, altered or was never
 * kept: then the comparison falls back to the stored results. */
static int kept_programs(const struct run *r, struct program_list *list)
{
	const char *dir = baseline_dir(r->o.baseline_dir);

	memset(list, 0, sizeof *list);
	list->paths = calloc(r->base.nprograms + 1, sizeof *list->paths);
	for (size_t i = 0; list->paths && i < r->base.nprograms; i++) {
		if (!r->base.programs[i].stored) {
			msg_warn(r->base_name, "its programs were not kept: comparing with the "
			         "stored results (drift between the runs is not cancelled)");
			break;
		}
		if (!(list->paths[list->n] = baseline_program(dir, &r->base.programs[i])))
			break;
		list->n++;
	}
	if (list->n == r->base.nprograms && list->n > 0)
		return 0;
	programs_free(list);
	return -1;
}

/* List the old build (ab's OLD program, or the baseline's kept programs);
 * 1 when it can be measured beside the current one. */
static int list_old(struct run *r, const struct suite_opts *cur_so)
{
	struct suite_opts so = *cur_so;
	struct program_list list = {0};
	char *one[1] = {r->ab ? r->o.programs[0] : NULL};
	int ok;

	if (r->ab) {
		so.programs = one;
		so.nprograms = 1;
	} else if (!r->base_name || !r->o.paired || kept_programs(r, &list) != 0) {
		return 0;
	} else {
		so.programs = list.paths;
		so.nprograms = list.n;
	}
	ok = suite_list(&so, &r->old) == 0;
	if (!ok && !r->ab)
		msg_warn(r->base_name, "the kept programs do not run here: comparing with the "
		         "stored results instead");
	programs_free(&list);
	return ok;
}

/* The current results: loaded (compare, --load-baseline) or measured. */
static int current(struct run *r, int compare_cmd)
{
	struct suite_opts so = suite_opts(r, r->o.processes);
	struct program_list list = {0};
	json_t *doc = NULL;
	int rc;

	if (r->ab) {
		so.programs = r->o.programs + 1;
		so.nprograms = 1;
	}
	if (compare_cmd || r->o.load_baseline) {
		rc = load(&r->o, compare_cmd ? r->o.programs[1] : r->o.load_baseline, &r->cur, &doc);
		if (rc == 0)
			r->cur.context = json_incref(json_object_get(doc, "context"));
		json_decref(doc);
		return rc;
	}
	if (r->o.nprograms == 0 && (rc = programs_load(PROGRAMS_LIST_FILE, &list)) != 0)
		return rc;
	if (list.n) {
		so.programs = list.paths;
		so.nprograms = list.n;
	}
	if (r->o.list_counters)
		rc = suite_list_counters(&so);
	else if ((rc = suite_list(&so, &r->cur)) == 0 && !r->o.list) {
		r->paired = list_old(r, &so);
		if (r->ab && !r->paired)
			rc = EXIT_USAGE;
		else if (r->paired)
			suite_measure_paired(&so, &r->old, &r->cur, NULL, r->o.seed);
		else
			suite_measure(&so, &r->cur, NULL);
		r->cur.context = context_collect(&r->cur);
		r->measured = 1;
	}
	programs_free(&list);
	return rc;
}

/* Compare (all benchmarks, or the suspects of `only` on rounds from
 * `from_round` on: see compare_opts). */
static int compare(struct run *r, const int *only, unsigned from_round)
{
	struct compare_opts co = {r->o.statistic, r->o.alpha, r->o.noise, r->o.conf_level,
	                          r->o.drift_correction, only, from_round};
	size_t compared = r->sum.compared;

	compare_summary_free(&r->sum);
	if ((r->paired ? compare_paired(&r->cur, &r->old, r->ab ? NULL : &r->base, &co, &r->sum)
	               : compare_suites(&r->cur, &r->base, &co, &r->sum)) != 0) {
		msg_error(NULL, "out of memory");
		return -1;
	}
	if (only)
		r->sum.compared = compared;
	return 0;
}

/* Rounds between looks at a paired confirmation: after each batch a
 * suspect whose change has faded is dropped (compare_is_futile). */
#define CONFIRM_BATCH 10

/* Paired: the suspects are measured in up to o->remeasure fresh rounds,
 * in batches, and judged on those rounds alone (see compare_is_suspect).
 * `dir` holds each suspect's direction, `only` which are suspects. */
static int confirm_paired(struct run *r, const int *dir, const int *only)
{
	unsigned from = (suite_last_round(&r->cur) > suite_last_round(&r->old)
	                 ? suite_last_round(&r->cur) : suite_last_round(&r->old)) + 1;
	int *active = malloc((r->cur.nbenches + 1) * sizeof *active), any = 1;

	if (!active)
		return -1;
	memcpy(active, only, r->cur.nbenches * sizeof *active);
	for (unsigned left = r->o.remeasure; left > 0 && any;) {
		unsigned n = left < CONFIRM_BATCH ? left : CONFIRM_BATCH;
		struct suite_opts so = suite_opts(r, n);
		suite_measure_paired(&so, &r->old, &r->cur, active, r->o.seed);
		analyse(&r->cur, &r->o, active);
		left -= n;
		if (compare(r, only, from) != 0) {
			free(active);
			return -1;
		}
		any = 0;
		for (size_t i = 0; left && i < r->cur.nbenches; i++) {
			if (active[i] && compare_is_futile(&r->cur.benches[i].cmp, dir[i], r->o.noise))
				active[i] = 0;
			any |= active[i];
		}
	}
	free(active);
	return 0;
}

/* A suspected change is measured again before the verdict is final: a
 * chance run of slow processes rarely repeats, a real slowdown does, and
 * the added rounds give the test the power a 2 % change needs. */
static int remeasure(struct run *r)
{
	int *dir = calloc(r->cur.nbenches + 1, sizeof *dir);
	int *only = calloc(r->cur.nbenches + 1, sizeof *only), any = 0, rc = 0;

	for (size_t i = 0; dir && only && i < r->cur.nbenches; i++) {
		dir[i] = compare_is_suspect(&r->cur.benches[i].cmp, r->o.noise, r->paired);
		any |= only[i] = dir[i] != 0;
	}
	if (any && r->paired) {
		rc = confirm_paired(r, dir, only);
	} else if (any) {
		struct suite_opts so = suite_opts(r, r->o.remeasure);
		suite_measure(&so, &r->cur, only);
		analyse(&r->cur, &r->o, only);
		rc = compare(r, NULL, 0);
	}
	for (size_t i = 0; any && rc == 0 && i < r->cur.nbenches; i++)
		r->cur.benches[i].cmp.remeasured = only[i];
	free(dir);
	free(only);
	return rc;
}

static void warn_context(const struct run *r)
{
	char diff[256];
	json_t *base_ctx = json_object_get(r->base_doc, "context");

	if (context_differences(base_ctx, r->cur.context, diff, sizeof diff) > 0)
		msg_warn(r->base_name, "measured with another %s: the comparison mixes machine "
		         "or build effects with code changes", diff);
}

static int use_color(const struct options *o)
{
	if (o->color != COLOR_AUTO)
		return o->color == COLOR_ALWAYS;
	return isatty(1) && !getenv("NO_COLOR");
}

static int write_outputs(struct run *r)
{
	json_t *doc;
	int rc = 0;

	report_console(stdout, &r->cur, &r->o);
	if (r->base_name) {
		fputc('\n', stdout);
		report_compare(stdout, &r->cur, r->paired ? &r->old : &r->base, &r->sum, &r->o,
		               use_color(&r->o));
		report_compare_summary(stdout, &r->sum, count_failed(&r->cur));
	}
	profile_print(stdout, &r->cur, 5);
	fflush(stdout);
	if (r->o.report_dir)
		rc |= report_html(r->o.report_dir, &r->cur, r->base_name ? &r->base : NULL,
		                  r->base_name ? &r->sum : NULL, &r->o);
	if (r->o.markdown_path)
		rc |= report_markdown(r->o.markdown_path, &r->cur, r->base_name ? &r->sum : NULL, &r->o);
	if (!r->o.json_path && !r->o.save_baseline)
		return rc;
	if (!(doc = report_json_build(&r->cur, &r->o))) {
		msg_error(NULL, "out of memory");
		return -1;
	}
	if (r->o.json_path)
		rc |= report_json_write(r->o.json_path, doc);
	if (r->o.save_baseline)
		rc |= baseline_save(baseline_dir(r->o.baseline_dir), r->o.save_baseline, doc,
		                    r->o.keep_programs && r->measured);
	json_decref(doc);
	return rc;
}

static int exit_status(const struct run *r)
{
	const size_t *n = r->sum.counts;

	if (count_failed(&r->cur))
		return EXIT_BENCH_FAILED;
	if (r->o.fail_on == FAIL_ON_NEVER)
		return EXIT_NO_REGRESSION;
	if (n[VERDICT_REGRESSED] || (r->o.fail_on == FAIL_ON_CHANGE && n[VERDICT_IMPROVED]))
		return EXIT_REGRESSION;
	return EXIT_NO_REGRESSION;
}

/* Refuse bad combinations and names before any work is done. */
static int check_usage(const struct run *r, int compare_cmd)
{
	const struct options *o = &r->o;
	const char *names[] = {o->save_baseline, o->baseline, o->load_baseline};

	if (compare_cmd && o->nprograms != 2) {
		msg_error("compare", "needs two baseline names: BASELINE CURRENT");
		return EXIT_USAGE;
	}
	if (r->ab && (o->nprograms < 2 || o->nprograms > 3 || o->baseline || o->load_baseline ||
	              (o->nprograms == 3 && o->filter))) {
		msg_error("ab", "needs OLD-PROGRAM NEW-PROGRAM [REGEX], no --baseline, and one "
		          "filter at most");
		return EXIT_USAGE;
	}
	if ((compare_cmd || o->load_baseline) && !compare_cmd && o->nprograms) {
		msg_error("--load-baseline", "measures nothing: name no programs");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < 3; i++)
		if (names[i] && !baseline_name_valid(names[i])) {
			free(baseline_path(".", names[i]));  /* prints why */
			return EXIT_USAGE;
		}
	for (size_t i = 0; compare_cmd && i < 2; i++)
		if (!baseline_name_valid(o->programs[i])) {
			free(baseline_path(".", o->programs[i]));
			return EXIT_USAGE;
		}
	return 0;
}

static int setup(struct run *r, int argc, char **argv, int compare_cmd)
{
	enum profile_mode mode = PROFILE_REGRESSED;
	int rc, err;

	if ((rc = options_parse(argc, argv, &r->o)) != 0 || r->o.help || r->o.version)
		return rc;
	if ((rc = check_usage(r, compare_cmd)) != 0)
		return rc;
	if (r->ab && r->o.nprograms == 3)
		r->o.filter = r->o.programs[2];
	if (r->o.profile && profile_parse_mode(r->o.profile, &mode, &r->profile_re) != 0)
		return EXIT_USAGE;
	r->o.profile_mode = mode;
	if (r->o.filter && (err = regcomp(&r->filter, r->o.filter, REG_EXTENDED | REG_NOSUB))) {
		char msg[160];
		regerror(err, &r->filter, msg, sizeof msg);
		msg_error("--filter", "'%s': %s", r->o.filter, msg);
		r->o.filter = NULL;
		return EXIT_USAGE;
	}
	/* The baseline is read before anything is measured: a broken one
	 * stops the run at once. */
	r->base_name = compare_cmd ? r->o.programs[0] : r->ab ? r->o.programs[0] : r->o.baseline;
	if (r->base_name && !r->ab && (rc = load(&r->o, r->base_name, &r->base, &r->base_doc)) != 0)
		return rc;
	return current(r, compare_cmd);
}

static void run_free(struct run *r)
{
	if (r->o.filter)
		regfree(&r->filter);
	if (r->o.profile_mode == PROFILE_MATCH)
		regfree(&r->profile_re);
	suite_free(&r->cur);
	suite_free(&r->base);
	suite_free(&r->old);
	json_decref(r->base_doc);
	compare_summary_free(&r->sum);
}

int main(int argc, char **argv)
{
	struct run r;
	int compare_cmd = argc > 1 && !strcmp(argv[1], "compare"), rc;
	int sub;

	memset(&r, 0, sizeof r);
	r.ab = argc > 1 && !strcmp(argv[1], "ab");
	sub = compare_cmd || r.ab;
	rc = setup(&r, argc - sub, argv + sub, compare_cmd);
	if (rc == 0 && (r.o.help || r.o.version)) {
		if (r.o.help)
			options_usage(stdout);
		else
			printf("benchrun %s\n", PACKAGE_VERSION);
	} else if (rc == 0 && (r.o.list || r.o.list_counters)) {
		for (size_t i = 0; i < r.cur.nbenches; i++)
			printf("%s\n", r.cur.benches[i].name);
	} else if (rc == 0) {
		analyse(&r.cur, &r.o, NULL);
		if (r.paired)
			analyse(&r.old, &r.o, NULL);
		if (r.base_name) {
			if (!r.paired)  /* the old build runs here too: no machine difference */
				warn_context(&r);
			if (compare(&r, NULL, 0) != 0 || (r.measured && r.o.remeasure && remeasure(&r) != 0))
				rc = EXIT_USAGE;
		}
		if (rc == 0 && r.measured)
			profile_suite(&r.o, &r.profile_re, &r.cur, r.base_name && !r.ab ? &r.base : NULL,
			              r.paired ? &r.old : NULL);
		if (rc == 0)
			rc = write_outputs(&r) != 0 ? EXIT_USAGE : exit_status(&r);
	}
	run_free(&r);
	return rc;
}
