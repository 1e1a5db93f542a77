/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sampled CPU profiles: choosing the benchmarks, running each once more in
 * a worker that samples only its measured loop, symbolising the call chains
 * after the worker has exited (from the memory map it saved), and the
 * folded stacks, flame graphs, tables and JSON that carry the result.
 *
 * The profile run is separate from the timed samples on purpose: sampling
 * interrupts the loop about a thousand times a second, and no timed sample
 * may pay for that. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "brproto.h"
#include "escape.h"
#include "files.h"
#include "msg.h"
#include "options.h"
#include "proc.h"
#include "profile.h"
#include "suite.h"
#include "worker.h"

#define MAX_FRAMES 512     /* names per symbolised stack, inline frames included */
#define INLINE_MAX 16      /* names one address can expand to */
#define CUT_AT "br__body_call"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->event);
	flame_free(&p->stacks);
	if (p->before) {
		flame_free(p->before);
		free(p->before);
	}
	free(p->folded);
	free(p->svg);
	free(p->diff_svg);
	free(p);
}

size_t profile_cut(const char *const *names, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (!strcmp(names[i], CUT_AT))
			return i + 1 < n ? i + 1 : i;
	return 0;
}

/* The names of one chain, root first: the chain is leaf first, and each
 * address expands to its inline frames innermost first. */
static size_t chain_names(struct symbols *sym, const struct profile_chain *c,
                          const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = c->n; i-- > 0 && n < max;) {
		const char *at[INLINE_MAX];
		size_t k = symbols_resolve(sym, c->ips[i], i != 0, at, INLINE_MAX);
		while (k-- > 0 && n < max)
			names[n++] = at[k];
	}
	return n;
}

int profile_symbolise(const struct protocol_profile *raw, struct flame_profile *out,
                      char *err, size_t errlen)
{
	const char **names = malloc(MAX_FRAMES * sizeof *names);
	struct symbols *sym = names ? symbols_create(raw->maps, raw->nmaps, err, errlen) : NULL;
	int rc = 0;

	if (!names && errlen)
		snprintf(err, errlen, "out of memory");
	for (size_t i = 0; sym && rc == 0 && i < raw->nchains; i++) {
		size_t n = chain_names(sym, &raw->chains[i], names, MAX_FRAMES);
		size_t from = profile_cut(names, n);
		if ((rc = flame_add(out, names + from, n - from, raw->chains[i].count)) != 0)
			snprintf(err, errlen, "out of memory");
	}
	if (sym)
		symbols_free(sym);
	free(names);
	return sym && rc == 0 ? 0 : -1;
}

int profile_parse_mode(const char *v, enum profile_mode *mode, regex_t *re)
{
	int e;

	if (!strcmp(v, "regressed"))
		*mode = PROFILE_REGRESSED;
	else if (!strcmp(v, "all"))
		*mode = PROFILE_ALL;
	else if (!strcmp(v, "none"))
		*mode = PROFILE_NONE;
	else if (!*v) {
		msg_error("--profile", "expected regressed, all, none or a regex");
		return -1;
	} else if ((e = regcomp(re, v, REG_EXTENDED | REG_NOSUB)) != 0) {
		char msg[160];
		regerror(e, re, msg, sizeof msg);
		msg_error("--profile", "'%s': %s", v, msg);
		return -1;
	} else {
		*mode = PROFILE_MATCH;
	}
	return 0;
}

/* Run the profile worker for benchmark `name` of `prog` and symbolise what
 * it sampled.  Returns the profile, or NULL with the reason in *why (owned
 * by the caller); *refused is set when the kernel refused sampling. */
static struct profile *run_profile(const struct options *o, const char *prog,
                                   const char *name, char **why, int *refused)
{
	char freq[16], ptime[32], warm[32], err[256];
	const char *args[] = {"--run", name, "--profile", "--profile-freq", freq,
	                      "--profile-time", ptime, "--warmup-time", warm, NULL};
	double timeout = o->timeout_s + o->profile_time_s;
	struct protocol_doc doc = {0};
	struct proc_result res = {0};
	struct protocol_profile *pp = NULL;
	struct profile *p = calloc(1, sizeof *p);

	snprintf(freq, sizeof freq, "%u", o->profile_freq);
	snprintf(ptime, sizeof ptime, "%.9g", o->profile_time_s);
	snprintf(warm, sizeof warm, "%.9g", o->warmup_s);
	*why = NULL;
	if (!p) {
		*why = strdup("out of memory");
	} else if (worker_run(NULL, prog, NULL, args, timeout, &doc, &res, why) != 0) {
		;  /* *why says it */
	} else if (!(pp = protocol_profile_find(&doc, name))) {
		*why = strdup("the worker wrote no profile (an older libbenchrun?)");
	} else if (pp->failed) {
		*why = strdup(pp->failed);
	} else if (pp->error) {
		*refused = 1;
		*why = strdup(pp->error);
	} else if (!pp->ended) {
		*why = strdup("the worker wrote no profile (an older libbenchrun?)");
	} else {
		double t0 = now_s();
		p->event = pp->event;
		pp->event = NULL;
		p->freq_hz = pp->freq_hz;
		p->samples = pp->samples;
		p->lost = pp->lost;
		p->iters = pp->iters;
		p->loop_ns = pp->loop_ns;
		if (profile_symbolise(pp, &p->stacks, err, sizeof err) != 0)
			*why = strdup(err);
		p->symbolise_s = now_s() - t0;
	}
	protocol_doc_free(&doc);
	proc_result_free(&res);
	if (*why || !p) {
		profile_free(p);
		if (!*why)
			*why = strdup("failed");
		return NULL;
	}
	return p;
}

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		msg_error(path, "cannot create the profile directory: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* What the writers below get: the profile and the file's title. */
struct put_ctx {
	const struct profile *p;
	const char *title;
};

static int put_folded(FILE *f, const void *ctx)
{
	return flame_write_folded(f, &((const struct put_ctx *)ctx)->p->stacks);
}

static int put_svg(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return flame_write_svg(f, &c->p->stacks, c->title);
}

static int put_diff_svg(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return flame_write_diff_svg(f, c->p->before, &c->p->stacks, c->title);
}

/* Remove what an earlier run profiled into dir: the files this module
 * writes (.folded and .svg, differentials included) and the instruction
 * measure's callgrind files (.callgrind), nothing else.  Names
 * are stems of benchmark names, so without this a benchmark profiled then
 * and not now would leave its graph next to this run's. */
static void clear_earlier_run(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *path;
		if (!((len > 7 && !strcmp(e->d_name + len - 7, ".folded")) ||
		      (len > 4 && !strcmp(e->d_name + len - 4, ".svg")) ||
		      (len > 10 && !strcmp(e->d_name + len - 10, ".callgrind"))))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (unlink(path) != 0 && errno != ENOENT)
			msg_warn(path, "cannot remove an earlier run's profile: %s", strerror(errno));
		free(path);
	}
	if (d)
		closedir(d);
}

/* The profile directory, created and emptied of an earlier run's
 * profiles: <report dir>/profiles. */
char *profile_dir(const struct options *o)
{
	const char *top = o->report_dir ? o->report_dir : PROFILE_DEFAULT_DIR;
	char *dir;

	if (mkdir_one(top) != 0 || asprintf(&dir, "%s/%s", top, PROFILE_SUBDIR) < 0)
		return NULL;
	if (mkdir_one(dir) != 0) {
		free(dir);
		return NULL;
	}
	clear_earlier_run(dir);
	return dir;
}

static void write_files(const char *dir, const char *name, struct profile *p)
{
	char stem[64], title[512];
	struct put_ctx ctx = {p, title};

	escape_file_stem(stem, sizeof stem, name);
	snprintf(title, sizeof title, "%s: %llu samples of %s at %u Hz", name,
	         (unsigned long long)p->samples, p->event ? p->event : "?", p->freq_hz);
	p->folded = files_write(dir, stem, ".folded", put_folded, &ctx);
	p->svg = files_write(dir, stem, ".svg", put_svg, &ctx);
	if (p->before && p->before->total) {
		snprintf(title, sizeof title, "%s: what changed since the %s (red: grew)", name,
		         p->before_from);
		p->diff_svg = files_write(dir, stem, "-diff.svg", put_diff_svg, &ctx);
	}
}

int profile_selected(const struct options *o, const regex_t *re, const struct bench_result *b)
{
	if (b->failed || !b->analysed)
		return 0;
	switch (o->profile_mode) {
	case PROFILE_ALL:
		return 1;
	case PROFILE_MATCH:
		return regexec(re, b->name, 0, NULL, 0) == 0;
	case PROFILE_REGRESSED:
		return b->cmp.verdict == VERDICT_REGRESSED;
	default:
		return 0;
	}
}

/* The "before" of a profile: the baseline's stored profile, or else the
 * old build profiled now (paired runs keep it runnable). */
static void attach_before(const struct options *o, struct profile *p, const char *name,
                          const struct suite *base, const struct suite *old, int *refused)
{
	const struct bench_result *b = suite_find(base, name), *ob = suite_find(old, name);
	struct flame_profile *copy;
	struct profile *op;
	char *why = NULL;

	if (b && b->profile && b->profile->stacks.total && (copy = calloc(1, sizeof *copy))) {
		for (size_t i = 0; i < b->profile->stacks.n; i++) {
			const struct flame_stack *st = &b->profile->stacks.stacks[i];
			flame_add(copy, (const char *const *)st->frames, st->nframes, st->count);
		}
		p->before = copy;
		p->before_from = "baseline";
	} else if (ob && !ob->failed && (op = run_profile(o, ob->program, name, &why, refused))) {
		p->before = calloc(1, sizeof *p->before);
		if (p->before) {
			*p->before = op->stacks;
			memset(&op->stacks, 0, sizeof op->stacks);
			p->before_from = "old build";
		}
		profile_free(op);
	}
	free(why);
}

/* A --profile regex that names no benchmark is almost always a typo of a
 * mode ("al") or of a name: say so rather than profile nothing quietly. */
static void warn_no_match(const struct options *o, const regex_t *re, const struct suite *cur)
{
	static const char *const modes[] = {"regressed", "all", "none"};
	const char *hint = NULL;

	if (o->profile_mode != PROFILE_MATCH || !o->profile)
		return;
	for (size_t i = 0; i < cur->nbenches; i++)
		if (regexec(re, cur->benches[i].name, 0, NULL, 0) == 0)
			return;
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (!strncmp(modes[i], o->profile, strlen(o->profile)))
			hint = modes[i];
	if (hint)
		msg_warn("--profile", "'%s' matches no benchmark (as a regex); did you mean '%s'?",
		         o->profile, hint);
	else
		msg_warn("--profile", "'%s' matches no benchmark (a regex, or regressed, all, none; "
		         "benchrun --list shows the names)", o->profile);
}

size_t profile_suite(const struct options *o, const regex_t *re, struct suite *cur,
                     const struct suite *base, const struct suite *old)
{
	size_t done = 0;
	char *dir = NULL;
	int refused = 0;

	warn_no_match(o, re, cur);

	for (size_t i = 0; !refused && i < cur->nbenches; i++) {
		struct bench_result *b = &cur->benches[i];
		struct profile *p;
		char *why = NULL;

		if (!profile_selected(o, re, b))
			continue;
		if (!dir && !(dir = profile_dir(o)))
			break;
		if (!(p = run_profile(o, b->program, b->name, &why, &refused))) {
			msg_warn(refused ? "--profile" : b->name, "no profile: %s", why);
			free(why);
			continue;
		}
		attach_before(o, p, b->name, base, old, &refused);
		write_files(dir, b->name, p);
		profile_free(b->profile);
		b->profile = p;
		done++;
	}
	free(dir);
	return done;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The sampled loop's time per iteration over the measured estimate. */
static double sampled_ratio(const struct bench_result *b)
{
	const struct profile *p = b->profile;

	if (!p->iters || !b->analysed || !(b->an.slope.point > 0))
		return NAN;
	return p->loop_ns / (double)p->iters / b->an.slope.point;
}

static void print_top(FILE *out, const struct profile *p, size_t top)
{
	struct flame_func *f = NULL;
	long n = flame_top(&p->stacks, &f);

	fprintf(out, "  %7s  %7s  %s\n", "self", "total", "function");
	for (long i = 0; i < n && (size_t)i < top; i++)
		fprintf(out, "  %6.1f%%  %6.1f%%  %s\n", pct(f[i].self, p->stacks.total),
		        pct(f[i].total, p->stacks.total), f[i].name);
	if (n > 0)
		flame_funcs_free(f, (size_t)n);
}

static void print_growth(FILE *out, const struct profile *p, size_t top)
{
	struct flame_growth *g = NULL;
	long n = flame_diff(p->before, &p->stacks, &g);
	size_t shown = 0;

	fprintf(out, "  grew most since the %s (self share):\n  %7s  %7s  %8s  %s\n",
	        p->before_from, "before", "after", "change", "function");
	for (long i = 0; i < n && shown < top && g[i].after - g[i].before > 0; i++, shown++)
		fprintf(out, "  %6.1f%%  %6.1f%%  %+7.1f  %s\n", 100 * g[i].before,
		        100 * g[i].after, 100 * (g[i].after - g[i].before), g[i].name);
	if (!shown)
		fputs("  (no function's share grew)\n", out);
	if (n > 0)
		flame_growth_free(g, (size_t)n);
}

void profile_print(FILE *out, const struct suite *s, size_t top)
{
	for (size_t i = 0; i < s->nbenches; i++) {
		const struct bench_result *b = &s->benches[i];
		const struct profile *p = b->profile;
		double ratio;

		if (!p || !p->folded)
			continue;
		fputs("\nprofile ", out);
		escape_term(out, b->name, 0);
		fprintf(out, ": %llu samples of %s at %u Hz, %llu lost",
		        (unsigned long long)p->samples, p->event ? p->event : "?", p->freq_hz,
		        (unsigned long long)p->lost);
		if (isfinite(ratio = sampled_ratio(b)))
			fprintf(out, "; sampled loop %+.1f%% against the timed samples",
			        100 * (ratio - 1));
		fputc('\n', out);
		print_top(out, p, top);
		if (p->before && p->before->total)
			print_growth(out, p, top);
		fprintf(out, "  flame graph: %s%s%s\n", p->svg ? p->svg : "(not written)",
		        p->diff_svg ? "  differential: " : "", p->diff_svg ? p->diff_svg : "");
	}
}

/* The folded stacks as one string (the .folded file's text). */
static char *folded_text(const struct flame_profile *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int bad;

	if (!m)
		return NULL;
	bad = flame_write_folded(m, f) != 0;
	if (fclose(m) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

static json_t *top_json(const struct flame_profile *f, size_t top)
{
	struct flame_func *fn = NULL;
	long n = flame_top(f, &fn);
	json_t *a = json_array();

	for (long i = 0; a && i < n && (size_t)i < top; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:f, s:f}", "function",
		                                   fn[i].name, "self", (json_int_t)fn[i].self,
		                                   "total", (json_int_t)fn[i].total, "self_pct",
		                                   pct(fn[i].self, f->total), "total_pct",
		                                   pct(fn[i].total, f->total)));
	if (n > 0)
		flame_funcs_free(fn, (size_t)n);
	return a;
}

static json_t *growth_json(const struct profile *p, size_t top)
{
	struct flame_growth *g = NULL;
	long n = flame_diff(p->before, &p->stacks, &g);
	json_t *a = json_array();

	for (long i = 0; a && i < n && (size_t)i < top; i++)
		json_array_append_new(a, json_pack("{s:s, s:f, s:f}", "function", g[i].name,
		                                   "before_pct", 100 * g[i].before, "after_pct",
		                                   100 * g[i].after));
	if (n > 0)
		flame_growth_free(g, (size_t)n);
	return json_pack("{s:s, s:I, s:o}", "from", p->before_from, "samples",
	                 (json_int_t)p->before->total, "grew", a);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *profile_to_json(const struct profile *p)
{
	char *folded = folded_text(&p->stacks);
	json_t *o;

	if (!folded)
		return NULL;
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:{s:o, s:o, s:o}, s:o, s:s}",
	              "event", p->event ? p->event : "?", "freq_hz", (json_int_t)p->freq_hz,
	              "samples", (json_int_t)p->samples, "lost", (json_int_t)p->lost,
	              "iters", (json_int_t)p->iters, "loop_ns", p->loop_ns,
	              "symbolise_s", p->symbolise_s, "files", "folded",
	              str_or_null(p->folded), "svg", str_or_null(p->svg), "diff_svg",
	              str_or_null(p->diff_svg), "top", top_json(&p->stacks, 10), "folded_stacks",
	              folded);
	free(folded);
	if (o && p->before && p->before->total)
		json_object_set_new(o, "before", growth_json(p, 10));
	return o;
}

int profile_from_json(json_t *o, struct profile **out, char *err, size_t errlen)
{
	const char *event, *folded;
	json_int_t freq, samples, lost, iters;
	double loop_ns;
	json_error_t je;
	struct profile *p;
	char why[200];

	*out = NULL;
	if (json_unpack_ex(o, &je, 0, "{s:s, s:I, s:I, s:I, s:I, s:F, s:s}", "event", &event,
	                   "freq_hz", &freq, "samples", &samples, "lost", &lost, "iters", &iters,
	                   "loop_ns", &loop_ns, "folded_stacks", &folded) != 0) {
		snprintf(err, errlen, "profile: %s", je.text);
		return -1;
	}
	if (freq < 0 || samples < 0 || lost < 0 || iters < 0 || loop_ns < 0) {
		snprintf(err, errlen, "profile: negative count");
		return -1;
	}
	if (!(p = calloc(1, sizeof *p)) || !(p->event = strdup(event))) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->freq_hz = (unsigned)freq;
	p->samples = (uint64_t)samples;
	p->lost = (uint64_t)lost;
	p->iters = (uint64_t)iters;
	p->loop_ns = loop_ns;
	if (flame_parse_folded(folded, &p->stacks, why, sizeof why) != 0) {
		snprintf(err, errlen, "profile.folded_stacks: %s", why);
		profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}
