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
#include "baseline_list.h"
#include "callgrind.h"
#include "compare.h"
#include "context.h"
#include "counters.h"
#include "document.h"
#include "escape.h"
#include "gate.h"
#include "history.h"
#include "history_cli.h"
#include "msg.h"
#include "noise.h"
#include "options.h"
#include "paired.h"
#include "placement.h"
#include "profile.h"
#include "programs.h"
#include "report.h"
#include "suite.h"

/* Everything one invocation works on. */
struct run {
	struct options o;
	regex_t filter;
	regex_t profile_re;        /* --profile REGEX, when profile_mode says so */
	regex_t alloc_re;          /* --profile-alloc REGEX, when alloc_mode says so */
	struct suite cur, base;
	struct suite old;          /* the old build measured now (paired mode) */
	struct stage stage;        /* where old and new run from (paired mode) */
	json_t *base_doc;          /* the baseline file, for its context */
	const char *base_name;     /* compared with, or NULL */
	int compare_cmd;           /* benchrun compare BASELINE CURRENT */
	int loaded;                /* cur is stored results (compare, --load-baseline) */
	int measured;              /* cur was measured now, not loaded */
	int ab;                    /* benchrun ab OLD NEW */
	struct program_list list;  /* the configured programs, when none is named */
	size_t paired;             /* benchmarks measured alternately with the old build */
	struct measure_ctx mctx;   /* what fresh rounds need (gate.h's source) */
	struct callgrind cg;       /* --measure instructions: workers run under it */
	struct placement placement; /* the CPUs workers may be pinned to */
	struct placement *place;   /* &placement, or NULL with --no-pin */
	struct compare_summary sum;
	int status;                /* the exit status, once judged */
};

static size_t count_failed(const struct suite *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nbenches; i++)
		n += s->benches[i].failed && !s->benches[i].skipped;
	return n;
}

static struct suite_opts suite_opts(const struct run *r, unsigned processes)
{
	const struct options *o = &r->o;

	return (struct suite_opts){o->programs, o->nprograms, o->filter ? &r->filter : NULL,
	                           processes, o->warmup_s, o->measure_s, o->samples,
	                           o->timeout_s, !o->quiet && isatty(2), o->counters,
	                           r->cg.dir ? &r->cg : NULL, o->iterations, o->memory, 0,
	                           r->place};
}

/* Load stored baseline `name` into s.  0, or EXIT_USAGE after a message. */
static int load(const struct options *o, const char *name, struct suite *s, json_t **doc)
{
	const char *dir = baseline_dir(o->baseline_dir);
	char *path = baseline_path(dir, name);
	int rc;

	if (path && access(path, F_OK) != 0 && errno == ENOENT) {
		baseline_list_missing(dir, name);  /* names the ones there are */
		free(path);
		return EXIT_USAGE;
	}
	rc = !path || document_load(path, s, doc) != 0 ? EXIT_USAGE : 0;
	free(path);
	return rc;
}

/* The old build beside the new one, and each benchmark's mode; a stored
 * benchmark is measured with the plan its baseline used (one estimator). */
static int set_up_comparison(struct run *r, const struct suite_opts *so)
{
	if (r->ab) {
		if (paired_ab(so, r->o.programs[0], &r->cur, &r->old, &r->stage) != 0)
			return EXIT_USAGE;
	} else if (r->base_name) {
		paired_from_baseline(baseline_dir(r->o.baseline_dir), so, r->o.paired, &r->cur,
		                     &r->base, &r->old, &r->stage);
	}
	for (size_t i = 0; i < r->cur.nbenches; i++) {
		struct bench_result *b = &r->cur.benches[i];
		r->paired += b->gate.mode == MODE_PAIRED;
		if (b->gate.mode != MODE_PAIRED && suite_find(&r->base, b->name))
			b->plan = suite_plan_of(suite_find(&r->base, b->name));
	}
	return 0;
}

/* Results of one measure are compared only with results of the same. */
static int same_measure(const char *name, const struct suite *base, int measure)
{
	if (base->measure == measure)
		return 0;
	msg_error(name, "measured %s; this run measures %s (save a baseline with --measure %s, "
	          "or compare with --measure %s)", units_measure_name(base->measure),
	          units_measure_name(measure), units_measure_name(measure),
	          units_measure_name(base->measure));
	return EXIT_USAGE;
}

static void set_measure(struct suite *s, int measure)
{
	s->measure = measure;
	for (size_t i = 0; i < s->nbenches; i++)
		s->benches[i].measure = measure;
}

/* The current results when they are stored ones (compare, --load-baseline). */
static int load_current(struct run *r)
{
	json_t *doc = NULL;
	int rc = load(&r->o, r->compare_cmd ? r->o.programs[1] : r->o.load_baseline, &r->cur,
	              &doc);

	if (rc == 0)
		r->cur.context = json_incref(json_object_get(doc, "context"));
	for (size_t i = 0; rc == 0 && i < r->cur.nbenches; i++)
		r->cur.benches[i].gate.mode = MODE_STORED;
	json_decref(doc);
	if (rc == 0 && r->compare_cmd)
		rc = same_measure(r->base_name, &r->base, r->cur.measure);
	return rc;
}

/* Ask the programs (those named, else the configured list) for their
 * benchmarks, and set up each one's comparison mode; --list-counters asks
 * the first program instead. */
static int list_benchmarks(struct run *r)
{
	struct suite_opts *so = &r->mctx.so;
	int rc;

	if (!r->o.list && !r->o.list_counters && r->o.measure == MEASURE_INSTRUCTIONS &&
	    (rc = callgrind_open(&r->cg, r->o.cache_sim)) != 0)
		return rc;
	*so = suite_opts(r, r->o.processes);
	if (r->ab) {
		so->programs = r->o.programs + 1;
		so->nprograms = 1;
	}
	if (r->o.nprograms == 0 && (rc = programs_load(PROGRAMS_LIST_FILE, &r->list)) != 0)
		return rc;
	if (r->list.n) {
		so->programs = r->list.paths;
		so->nprograms = r->list.n;
	}
	if (r->o.list_counters)
		return suite_list_counters(so);
	if ((rc = suite_list(so, &r->cur)) != 0 || r->o.list)
		return rc;
	set_measure(&r->cur, r->o.measure);
	if ((rc = set_up_comparison(r, so)) != 0)
		return rc;
	set_measure(&r->old, r->o.measure);
	return 0;
}

/* Measure the listed benchmarks (paired with the old build where there is
 * one), and note the machine they ran on. */
static void measure(struct run *r)
{
	char note[256];

	r->mctx = (struct measure_ctx){r->mctx.so, &r->cur, &r->old, &r->o, r->o.seed};
	paired_measure(&r->mctx, NULL, r->o.processes);
	r->cur.context = context_collect(&r->cur);
	if (r->o.measure == MEASURE_TIME && noise_machine_note(note, sizeof note))
		r->cur.machine_note = strdup(note);
	r->measured = 1;
}

/* Judge the comparison: screen, confirm on fresh rounds (measured runs
 * only), conclude. */
static double drift_of(void *ctx, const char *name)
{
	return history_bench_drift(ctx, name);
}

/* The history's runs on this machine in this measure, for each stored
 * comparison's between-run movement (compare.h); empty when there is no
 * history, or it cannot be read (the assumed movement then serves; one
 * warning). */
static void drift_history(const struct run *r, struct history_rows *rows)
{
	char *where = r->o.no_history ? NULL : history_where(r->o.store,
	                                                     baseline_dir(r->o.baseline_dir));
	json_t *machine = json_object_get(r->cur.context, "machine");
	struct history_query q = {NULL, NULL, NULL, units_measure_name(r->o.measure)};
	struct history h;
	char fp[17], err[512];

	if (!where || !machine || (!strstr(where, "://") && access(where, F_OK) != 0)) {
		free(where);
		return;
	}
	history_fingerprint(machine, fp);
	q.machine = fp;
	if (history_open(where, &h, err, sizeof err) != 0 ||
	    (h.be->query(h.st, &q, rows, err, sizeof err) != 0 && (history_close(&h), 1)))
		msg_warn("history", "%s: between-run noise assumed", err);
	else
		history_close(&h);
	free(where);
}

static int judge(struct run *r)
{
	struct history_rows rows = {0};
	struct gate_opts go = {
		{r->o.statistic, r->o.alpha, r->o.noise, r->o.conf_level, r->o.drift_correction,
		 r->o.drift_bound, r->o.filter ? &r->filter : NULL, NULL, 0, r->o.counter,
		 drift_of, &rows},
		r->o.remeasure, r->o.fail_on};
	struct gate_source src = {paired_measure, &r->mctx};
	int rc;

	if (r->paired < r->cur.nbenches)  /* some comparison is stored */
		drift_history(r, &rows);
	rc = gate_run(&go, &r->cur, &r->old, r->ab ? NULL : &r->base,
	              r->measured ? &src : NULL, &r->sum);
	history_rows_free(&rows);
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

/* Whether this run goes into the history: it measured something (a
 * loaded baseline or an offline comparison measured nothing new). */
static int records_history(const struct run *r)
{
	return r->measured && !r->o.no_history;
}

/* The results document of the run, for --json, a baseline and the
 * history; NULL after a message when out of memory. */
static json_t *build_document(struct run *r, const struct report_settings *rs)
{
	json_t *doc = document_build(&r->cur, rs, r->base_name ? &r->sum : NULL, r->status);

	if (!doc)
		msg_error(NULL, "out of memory");
	return doc;
}

static int write_outputs(struct run *r)
{
	struct report_settings rs;
	char *history = NULL;
	json_t *doc = NULL;
	int rc = 0;

	options_report_settings(&r->o, &rs);
	report_console(stdout, &r->cur, &rs);
	if (r->base_name) {
		fputc('\n', stdout);
		report_compare(stdout, &r->cur, &r->old, &r->base, &r->sum, &rs, use_color(&r->o));
		report_compare_summary(stdout, &r->sum, count_failed(&r->cur), &rs);
	}
	profile_print(stdout, &r->cur, 5);
	profile_alloc_print(stdout, &r->cur, 5);
	for (size_t i = 0; i < r->cur.nbenches; i++)
		if (r->cur.benches[i].prof.counted)
			callgrind_profile_print(stdout, r->cur.benches[i].name,
			                        r->cur.benches[i].prof.counted, 5);
	fflush(stdout);
	if ((r->o.json_path || r->o.save_baseline || records_history(r)) &&
	    !(doc = build_document(r, &rs)))
		return -1;
	if (r->o.json_path)
		rc |= document_write(r->o.json_path, doc);
	if (r->o.save_baseline)
		rc |= baseline_save(baseline_dir(r->o.baseline_dir), r->o.save_baseline, &r->cur,
		                    &rs, r->base_name ? &r->sum : NULL, r->status,
		                    r->o.keep_programs && r->measured);
	/* The history before the report, whose trends then end with this run.
	 * A history that cannot be written costs the run its exit status (2),
	 * never its other outputs. */
	if (!r->o.no_history)
		history = history_where(r->o.store, baseline_dir(r->o.baseline_dir));
	if (records_history(r) && history)
		rc |= history_record(r->o.store, baseline_dir(r->o.baseline_dir), doc,
		                     r->o.json_path) != 0;
	/* Trends from a store that is there: a run that wrote nothing must
	 * not create an empty SQLite file to read them from. */
	rs.history = history && (records_history(r) || strstr(history, "://") ||
	                         access(history, F_OK) == 0) ? history : NULL;
	if (r->o.report_dir)
		rc |= report_html(r->o.report_dir, &r->cur, r->base_name ? &r->base : NULL,
		                  r->base_name ? &r->sum : NULL, &rs);
	if (r->o.markdown_path)
		rc |= report_markdown(r->o.markdown_path, &r->cur, r->base_name ? &r->sum : NULL, &rs);
	free(history);
	json_decref(doc);
	return rc;
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
	/* A spread needs at least 3 processes a side: fewer cannot gate. */
	if ((o->baseline || r->ab) && o->processes < 3) {
		msg_error("--processes", "%u cannot gate: a comparison needs at least 3 processes "
		          "(rounds) a side", o->processes);
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

/* The command line: options, their combinations, the regexes. */
static int parse(struct run *r, int argc, char **argv)
{
	enum profile_mode mode = PROFILE_REGRESSED;
	int rc, err;

	if ((rc = options_parse(argc, argv, &r->o)) != 0 || r->o.help || r->o.version)
		return rc;
	if ((rc = check_usage(r, r->compare_cmd)) != 0)
		return rc;
	if (r->ab && r->o.nprograms == 3)
		r->o.filter = r->o.programs[2];
	if (r->o.profile && profile_parse_mode(r->o.profile, &mode, &r->profile_re) != 0)
		return EXIT_USAGE;
	r->o.profile_mode = mode;
	mode = PROFILE_REGRESSED;
	if (r->o.profile_alloc && profile_parse_mode(r->o.profile_alloc, &mode, &r->alloc_re) != 0)
		return EXIT_USAGE;
	r->o.alloc_mode = mode;
	if (r->o.filter && (err = regcomp(&r->filter, r->o.filter, REG_EXTENDED | REG_NOSUB))) {
		char msg[160];
		regerror(err, &r->filter, msg, sizeof msg);
		msg_error("--filter", "'%s': %s", r->o.filter, msg);
		r->o.filter = NULL;
		return EXIT_USAGE;
	}
	r->base_name = r->compare_cmd || r->ab ? r->o.programs[0] : r->o.baseline;
	r->loaded = r->compare_cmd || r->o.load_baseline;
	return 0;
}

/* The stored results: the baseline, read before anything is measured (a
 * broken one stops the run at once), and the current ones when stored. */
static int load_inputs(struct run *r)
{
	int rc;

	if (r->base_name && !r->ab && (rc = load(&r->o, r->base_name, &r->base, &r->base_doc)) != 0)
		return rc;
	if (r->base_name && !r->ab && !r->compare_cmd &&
	    (rc = same_measure(r->base_name, &r->base, r->o.measure)) != 0)
		return rc;
	return r->loaded ? load_current(r) : 0;
}

/* Instructions: the selected benchmarks' instructions per function,
 * against the old build where it ran beside them, with callgrind's files
 * under the profile folder.  A run that fails gives one warning; the
 * verdicts stand. */
static void count_profiles(struct run *r)
{
	char *dir = NULL, stem[64], *path = NULL, *old_path = NULL, *why = NULL;

	for (size_t i = 0; i < r->cur.nbenches; i++) {
		struct bench_result *b = &r->cur.benches[i], *ob;
		struct callgrind_profile *p;
		if (!profile_selected(&r->o, &r->profile_re, b))
			continue;
		if ((!dir && !(dir = profile_dir(&r->o))) || !(p = calloc(1, sizeof *p)))
			break;
		escape_file_stem(stem, sizeof stem, b->name);
		if (asprintf(&path, "%s/%s.callgrind", dir, stem) < 0 ||
		    asprintf(&old_path, "%s/%s.old.callgrind", dir, stem) < 0)
			path = old_path = NULL;
		if (suite_count_functions(&r->mctx.so, &r->cur, b, path, &p->after, &why) != 0) {
			msg_warn(b->name, "no instructions per function: %s", why ? why : "failed");
			callgrind_profile_free(p);
			free(why);
			why = NULL;
		} else {
			p->file = path ? strdup(path) : NULL;
			ob = b->gate.mode == MODE_PAIRED ? suite_find(&r->old, b->name) : NULL;
			if (ob && suite_count_functions(&r->mctx.so, &r->old, ob, old_path, &p->before,
			                                &why) == 0) {
				p->have_before = 1;
				p->before_file = old_path ? strdup(old_path) : NULL;
			} else if (ob) {
				msg_warn(b->name, "no instructions per function of the old build: %s",
				         why ? why : "failed");
			}
			free(why);
			why = NULL;
			callgrind_profile_write(p, dir, stem, b->name);
			b->prof.counted = p;
		}
		free(path);
		free(old_path);
		path = old_path = NULL;
	}
	free(dir);
}

static void analyse(struct run *r)
{
	paired_analyse(&r->cur, &r->o, NULL);
	if (r->paired)
		paired_analyse(&r->old, &r->o, NULL);
}

/* The verdicts and the exit status (0, 1 or 3); EXIT_USAGE when the
 * comparison could not be made.  Then each benchmark's noise notes. */
static int gate(struct run *r)
{
	if (r->base_name) {
		if (r->paired < r->cur.nbenches)  /* stored: another machine, maybe */
			warn_context(r);
		if (judge(r) != 0)
			return EXIT_USAGE;
		r->status = gate_exit_status(&r->sum, count_failed(&r->cur), r->o.fail_on);
		if (r->sum.too_few)
			msg_error(NULL, "%zu benchmark%s cannot be gated: fewer than 3 processes on a "
			          "side (save and compare with --processes 3 or more)", r->sum.too_few,
			          r->sum.too_few == 1 ? "" : "s");
		if (r->sum.shift_beyond)
			msg_error(NULL, "suite-wide shift %+.2f%% [%+.2f%%, %+.2f%%] is beyond the drift "
			          "bound %g%%: a change of every benchmark or a machine that changed; only "
			          "a paired comparison (kept programs) can tell which", r->sum.shift * 100,
			          r->sum.shift_lo * 100, r->sum.shift_hi * 100, r->o.drift_bound * 100);
	} else {
		r->status = count_failed(&r->cur) ? EXIT_BENCH_FAILED : EXIT_NO_REGRESSION;
	}
	noise_notes(&r->cur, r->base_name != NULL);
	return 0;
}

/* Profiles of the selected benchmarks (measured runs only): sampled CPU
 * profiles, or instructions per function when measuring instructions. */
static void profile(struct run *r)
{
	if (r->measured && r->o.measure == MEASURE_INSTRUCTIONS)
		count_profiles(r);
	else if (r->measured)
		profile_suite(&r->o, &r->profile_re, &r->cur, r->base_name && !r->ab ? &r->base : NULL,
		              r->paired ? &r->old : NULL);
	if (r->measured && r->o.measure == MEASURE_TIME)
		profile_alloc_suite(&r->o, &r->alloc_re, &r->cur,
		                    r->base_name && !r->ab ? &r->base : NULL, r->paired ? &r->old : NULL);
}

static void print_list(const struct run *r)
{
	for (size_t i = 0; i < r->cur.nbenches; i++) {
		escape_term(stdout, r->cur.benches[i].name, 0);
		putchar('\n');
	}
}

static void run_free(struct run *r)
{
	if (r->o.filter)
		regfree(&r->filter);
	if (r->o.profile_mode == PROFILE_MATCH)
		regfree(&r->profile_re);
	if (r->o.alloc_mode == PROFILE_MATCH)
		regfree(&r->alloc_re);
	suite_free(&r->cur);
	suite_free(&r->base);
	suite_free(&r->old);
	programs_free(&r->list);
	stage_remove(&r->stage);
	if (r->cg.dir)
		callgrind_close(&r->cg);
	json_decref(r->base_doc);
	compare_summary_free(&r->sum);
	placement_free(&r->placement);
}

/* The pipeline: parse -> load -> list and measure -> analyse -> gate ->
 * profile -> write -> exit with the verdict's status. */
int main(int argc, char **argv)
{
	struct run r;
	int rc, sub;

	if (argc > 1 && !strcmp(argv[1], "history"))
		return history_main(argc - 1, argv + 1);
	options_subcommand(argc, argv);  /* benchrun -q ab X Y: as benchrun ab -q X Y */
	memset(&r, 0, sizeof r);
	r.compare_cmd = argc > 1 && !strcmp(argv[1], "compare");
	r.ab = argc > 1 && !strcmp(argv[1], "ab");
	sub = r.compare_cmd || r.ab;
	rc = parse(&r, argc - sub, argv + sub);
	if (rc == 0 && (r.o.help || r.o.version)) {
		if (r.o.help)
			options_usage(stdout);
		else
			printf("benchrun %s\n", PACKAGE_VERSION);
		run_free(&r);
		return 0;
	}
	if (rc == 0 && r.o.pin && placement_init(&r.placement) == 0)
		r.place = &r.placement;
	if (rc == 0)
		rc = load_inputs(&r);
	if (rc == 0 && !r.loaded)
		rc = list_benchmarks(&r);
	if (rc == 0 && (r.o.list || r.o.list_counters)) {
		print_list(&r);
	} else if (rc == 0) {
		if (!r.loaded)
			measure(&r);
		analyse(&r);
		if ((rc = gate(&r)) == 0) {
			profile(&r);
			rc = write_outputs(&r) != 0 ? EXIT_USAGE : r.status;
		}
	}
	run_free(&r);
	return rc;
}
