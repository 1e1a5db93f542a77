/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sampled CPU profiles, the stage: choosing the benchmarks, running each
 * once more in a worker that samples only its measured loop (worker.h
 * reads its records), and symbolising the call chains after the worker
 * has exited (from the memory map it saved).  What the stage leaves (files,
 * console tables, JSON) is profile_out.c's.
 *
 * The profile run is separate from the timed samples on purpose: sampling
 * interrupts the loop about a thousand times a second, and no timed sample
 * may pay for that. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "array.h"
#include "hash.h"
#include "msg.h"
#include "options.h"
#include "proc.h"
#include "profile.h"
#include "suite.h"
#include "unwind.h"
#include "worker.h"

#define MAX_FRAMES 512     /* names per symbolised stack, inline frames included */
#define INLINE_MAX 16      /* names one address can expand to */
#define CUT_AT "br__body_call"
/* --profile-callchain auto profiles a benchmark again with DWARF when more
 * than this share of its samples' frame-pointer chains stop short of the
 * body's caller: a library built without frame pointers (every Debian
 * library) breaks the chain of each sample that lands in it, so a body
 * that spends a fifth of its time there has a fifth of its profile without
 * callers; below that the frame-pointer profile is good enough and costs
 * far less (no stack copy per sample, no unwinding). */
#define SHORT_SHARE 0.2

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->event);
	free(p->short_module);
	free(p->switched);
	for (size_t i = 0; i < p->nsources; i++) {
		free(p->sources[i].name);
		free(p->sources[i].file);
	}
	free(p->sources);
	flame_free(&p->stacks);
	if (p->before) {
		flame_free(p->before);
		free(p->before);
	}
	free(p->folded);
	free(p->svg);
	free(p->diff_svg);
	free(p->pprof);
	free(p->speedscope);
	free(p->dot);
	free(p->dot_svg);
	flame_free(&p->counts);
	free(p->counts_folded);
	free(p);
}

double profile_per_iter(const struct profile *p)
{
	if (!p->iters)
		return NAN;
	return (p->alloc ? (double)p->bytes : p->loop_ns) / (double)p->iters;
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

/* Whether the chain reached the library's call of the body. */
static int reaches_body(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], CUT_AT))
			return 1;
	return 0;
}

/* The map of raw holding ip, or -1. */
static long map_of(const struct protocol_profile *raw, uint64_t ip)
{
	for (size_t m = 0; m < raw->nmaps; m++)
		if (ip >= raw->maps[m].start && ip < raw->maps[m].end)
			return (long)m;
	return -1;
}

/* Whether source `id` is named `key` (a name with its text). */
static int same_name(const void *ctx, size_t id, const void *key)
{
	return !strcmp(((const struct profile_source *)ctx)[id].name, key);
}

/* Chains that stop short: their weight, and per map of the outermost
 * address the chain has, the weight of those that end there. */
struct shortfall {
	uint64_t total, short_w;
	uint64_t *per_map;  /* raw->nmaps of them, or NULL */
};

static void count_short(struct shortfall *sf, const struct protocol_profile *raw,
                        const struct profile_chain *c, int reached, uint64_t w)
{
	long m;

	sf->total += w;
	if (reached)
		return;
	sf->short_w += w;
	if (sf->per_map && c->n && (m = map_of(raw, c->ips[c->n - 1])) >= 0)
		sf->per_map[m] += w;
}

/* Into p: the share of short chains and the base name of the module most
 * of them end in. */
static void note_short(const struct shortfall *sf, const struct protocol_profile *raw,
                       struct profile *p)
{
	size_t best = 0;

	p->short_share = sf->total ? (double)sf->short_w / (double)sf->total : NAN;
	if (!sf->per_map || !sf->short_w)
		return;
	for (size_t m = 1; m < raw->nmaps; m++)
		if (sf->per_map[m] > sf->per_map[best])
			best = m;
	if (raw->nmaps && sf->per_map[best]) {
		const char *path = raw->maps[best].path, *slash = strrchr(path, '/');
		p->short_module = strdup(slash ? slash + 1 : path);
	}
}

static int source_cmp(const void *a, const void *b)
{
	return strcmp(((const struct profile_source *)a)->name,
	              ((const struct profile_source *)b)->name);
}

const struct profile_source *profile_source_find(const struct profile *p, const char *name)
{
	struct profile_source key = {(char *)name, NULL, 0};

	return p->nsources ? bsearch(&key, p->sources, p->nsources, sizeof key, source_cmp) : NULL;
}

/* Into p: the declaration of every function of its stacks that DWARF
 * declares (sym still open: the names of each chain resolved again hit
 * its cache).  Out of memory leaves the sources out, nothing else. */
static void collect_sources(struct symbols *sym, const struct protocol_profile *raw,
                            const char **names, struct profile *p)
{
	struct hash_index seen = {0};
	size_t cap = 0;

	for (size_t i = 0; i < raw->nchains; i++) {
		size_t n = chain_names(sym, &raw->chains[i], names, MAX_FRAMES);
		for (size_t k = 0; k < n; k++) {
			uint64_t h = (uint64_t)(uintptr_t)names[k];
			struct profile_source *t;
			struct hash_slot *s;
			const char *file;
			int line;
			if (!symbols_source(sym, names[k], &file, &line))
				continue;
			if (hash_index_reserve(&seen) != 0 ||
			    !(t = array_room(p->sources, &cap, p->nsources, sizeof *t, 64)))
				goto done;
			p->sources = t;
			s = hash_index_probe(&seen, h, same_name, p->sources, names[k]);
			if (s->id1)
				continue;
			t = &p->sources[p->nsources];
			if (!(t->name = strdup(names[k])) || !(t->file = strdup(file))) {
				free(t->name);
				goto done;
			}
			t->line = line;
			hash_index_put(&seen, s, h, p->nsources++);
		}
	}
done:
	hash_index_free(&seen);
	if (p->nsources > 1)
		qsort(p->sources, p->nsources, sizeof *p->sources, source_cmp);
}

/* Symbolise raw's chains (its dwarf samples unwound first) into out,
 * weighted by bytes or counts; with p, also its unwinding and short-chain
 * figures. */
static int symbolise(struct protocol_profile *raw, struct flame_profile *out, int by_bytes,
                     struct profile *p, char *err, size_t errlen)
{
	const char **names = malloc(MAX_FRAMES * sizeof *names);
	struct symbols *sym = names ? symbols_create(raw->maps, raw->nmaps, err, errlen) : NULL;
	struct shortfall sf = {0, 0, raw->nmaps ? calloc(raw->nmaps, sizeof *sf.per_map) : NULL};
	int rc = 0;

	if (!names && errlen)
		snprintf(err, errlen, "out of memory");
	if (sym && raw->nustacks && !raw->nchains) {
		struct unwind_stats us;
		rc = unwind_profile(sym, raw, &us, err, errlen);
		if (p && rc == 0) {
			p->unwind_s = us.seconds;
			p->stack_bytes = us.samples ? (double)us.stack_bytes / (double)us.samples : 0;
		}
	}
	for (size_t i = 0; sym && rc == 0 && i < raw->nchains; i++) {
		size_t n = chain_names(sym, &raw->chains[i], names, MAX_FRAMES);
		size_t from = profile_cut(names, n);
		uint64_t w = by_bytes ? raw->chains[i].bytes : raw->chains[i].count;
		count_short(&sf, raw, &raw->chains[i], reaches_body(names, n), w);
		if (w && (rc = flame_add(out, names + from, n - from, w)) != 0)
			snprintf(err, errlen, "out of memory");
	}
	if (p && sym && rc == 0) {
		note_short(&sf, raw, p);
		collect_sources(sym, raw, names, p);
	}
	if (sym)
		symbols_free(sym);
	free(sf.per_map);
	free(names);
	return sym && rc == 0 ? 0 : -1;
}

int profile_symbolise(struct protocol_profile *raw, struct flame_profile *out,
                      char *err, size_t errlen)
{
	return symbolise(raw, out, 0, NULL, err, errlen);
}

int profile_symbolise_weighted(struct protocol_profile *raw, struct flame_profile *out,
                               int by_bytes, char *err, size_t errlen)
{
	return symbolise(raw, out, by_bytes, NULL, err, errlen);
}

int profile_symbolise_into(struct protocol_profile *raw, struct profile *p,
                           char *err, size_t errlen)
{
	return symbolise(raw, &p->stacks, p->alloc, p, err, errlen);
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

/* Whether a mapping is of the runtime: the C and C++ libraries, libm and
 * libpthread, the dynamic loader, the vDSO (the kernel boundary). */
static int runtime_map(const char *path)
{
	static const char *const names[] = {"libc.so", "libc-", "libstdc++.so", "libm.so",
	                                    "libpthread.so", "ld-linux", "ld-", "libgcc_s.so"};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (!strcmp(path, "[vdso]"))
		return 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strncmp(base, names[i], strlen(names[i])))
			return 1;
	return 0;
}

/* The share of the samples (by count) whose leaf address lies in a
 * runtime mapping; NAN with no samples. */
static double runtime_share(const struct protocol_profile *raw)
{
	uint64_t in = 0, all = 0;

	for (size_t i = 0; i < raw->nchains; i++) {
		const struct profile_chain *c = &raw->chains[i];
		all += c->count;
		for (size_t m = 0; c->n && m < raw->nmaps; m++)
			if (c->ips[0] >= raw->maps[m].start && c->ips[0] < raw->maps[m].end) {
				if (runtime_map(raw->maps[m].path))
					in += c->count;
				break;
			}
	}
	return all ? (double)in / (double)all : NAN;
}

/* Run the profile worker for benchmark `name` of `prog` and symbolise what
 * it recorded: sampled CPU time, or (alloc) every allocation, by bytes and
 * by count.  Returns the profile, or NULL with the reason in *why (owned
 * by the caller); *refused is set when the kernel refused sampling. */
static struct profile *run_profile(const struct options *o, const char *prog,
                                   const char *name, int alloc, int dwarf, char **why,
                                   int *refused)
{
	char freq[16], ptime[32], warm[32], err[256];
	/* Only a dwarf run names its call chains: a worker older than
	 * protocol 6 knows no --profile-callchain, and fp is its only way. */
	const char *args[] = {"--run", name, alloc ? "--profile-alloc" : "--profile",
	                      "--profile-time", ptime, "--warmup-time", warm,
	                      alloc ? NULL : "--profile-freq", freq,
	                      dwarf ? "--profile-callchain" : NULL, "dwarf", NULL};
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
		double t0 = proc_now_s();
		p->event = pp->event;
		pp->event = NULL;
		p->freq_hz = pp->freq_hz;
		p->samples = pp->samples;
		p->lost = pp->lost;
		p->iters = pp->iters;
		p->loop_ns = pp->loop_ns;
		p->alloc = alloc;
		p->callchain = dwarf ? "dwarf" : "fp";
		for (size_t i = 0; alloc && i < pp->nchains; i++)
			p->bytes += pp->chains[i].bytes;
		if (profile_symbolise_into(pp, p, err, sizeof err) != 0 ||
		    (alloc && profile_symbolise_weighted(pp, &p->counts, 0, err, sizeof err) != 0))
			*why = strdup(err);
		/* after unwinding: a dwarf profile's chains come from it */
		p->runtime_share = runtime_share(pp);
		p->symbolise_s = proc_now_s() - t0 - p->unwind_s;
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

/* Whether `mode` (enum profile_mode, re for a regex) selects b for a CPU
 * profile, or (alloc) an allocation profile, whose "regressed" means its
 * memory figures regressed. */
static int picks(int mode, const regex_t *re, const struct bench_result *b, int alloc)
{
	if (b->failed || !b->analysis.done)
		return 0;
	switch (mode) {
	case PROFILE_ALL:
		return 1;
	case PROFILE_MATCH:
		return regexec(re, b->name, 0, NULL, 0) == 0;
	case PROFILE_REGRESSED:
		return alloc ? b->gate.cmp.memory[0] != '\0' : b->gate.cmp.verdict == VERDICT_REGRESSED;
	default:
		return 0;
	}
}

int profile_selected(const struct options *o, const regex_t *re, const struct bench_result *b)
{
	return picks(o->profile_mode, re, b, 0);
}

/* The "before" of a profile: the baseline's stored profile, or else the
 * old build profiled now (paired runs keep it runnable). */
static void attach_before(const struct options *o, struct profile *p, const char *name,
                          const struct suite *base, const struct suite *old, int *refused)
{
	const struct bench_result *b = suite_find(base, name), *ob = suite_find(old, name);
	const struct profile *stored = b ? (p->alloc ? b->prof.alloc : b->prof.cpu) : NULL;
	struct flame_profile *copy;
	struct profile *op;
	char *why = NULL;

	if (stored && stored->stacks.total && (copy = calloc(1, sizeof *copy))) {
		for (size_t i = 0; i < stored->stacks.n; i++) {
			const struct flame_stack *st = &stored->stacks.stacks[i];
			flame_add(copy, (const char *const *)st->frames, st->nframes, st->count);
		}
		p->before = copy;
		p->before_from = "baseline";
		p->before_per_iter = profile_per_iter(stored);
	} else if (ob && !ob->failed &&
	           (op = run_profile(o, ob->program, name, p->alloc, 0, &why, refused))) {
		p->before = calloc(1, sizeof *p->before);
		if (p->before) {
			*p->before = op->stacks;
			memset(&op->stacks, 0, sizeof op->stacks);
			p->before_from = "old build";
			p->before_per_iter = profile_per_iter(op);
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

/* b's CPU profile by --profile-callchain: with auto, frame pointers, and
 * once more with DWARF when too many chains stop short (the DWARF one is
 * kept when it reaches further).  A chain still short afterwards gets one
 * warning naming the module and the fix. */
static struct profile *cpu_profile(const struct options *o, const struct bench_result *b,
                                   char **why, int *refused)
{
	int dwarf = o->callchain == CALLCHAIN_DWARF;
	struct profile *p = run_profile(o, b->program, b->name, 0, dwarf, why, refused);
	struct profile *d;
	char *dwhy = NULL;
	int drefused = 0;

	if (p && o->callchain == CALLCHAIN_AUTO && p->short_share > SHORT_SHARE) {
		if (!(d = run_profile(o, b->program, b->name, 0, 1, &dwhy, &drefused))) {
			msg_warn(b->name, "frame pointers stopped short in %.0f%% of the samples "
			         "(in %s); the DWARF profile failed: %s", 100 * p->short_share,
			         p->short_module ? p->short_module : "?", dwhy);
			free(dwhy);
		} else if (!(d->short_share < p->short_share)) {
			profile_free(d);
		} else {
			if (asprintf(&d->switched, "frame pointers stopped short in %.0f%% of the "
			             "samples (in %s)", 100 * p->short_share,
			             p->short_module ? p->short_module : "?") < 0)
				d->switched = NULL;
			profile_free(p);
			p = d;
		}
	}
	if (p && p->short_share > SHORT_SHARE)
		msg_warn(b->name, "%.0f%% of the profile's call chains stop short in %s "
		         "(call chains: %s): %s", 100 * p->short_share,
		         p->short_module ? p->short_module : "an unknown module", p->callchain,
		         !strcmp(p->callchain, "fp")
		         ? "build it with -fno-omit-frame-pointer, or use --profile-callchain dwarf"
		         : "it has no call-frame information (.eh_frame) for those addresses, or a "
		           "frame is larger than the " BR__PROTO_STR(BR__PROTO_USTACK_BYTES)
		           " stack bytes each sample copies; build it with -fno-omit-frame-pointer "
		           "or with unwind tables");
	return p;
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
		if (!(p = cpu_profile(o, b, &why, &refused))) {
			msg_warn(refused ? "--profile" : b->name, "no profile: %s", why);
			free(why);
			continue;
		}
		attach_before(o, p, b->name, base, old, &refused);
		profile_write_files(dir, b->name, p);
		profile_free(b->prof.cpu);
		b->prof.cpu = p;
		done++;
	}
	free(dir);
	return done;
}


size_t profile_alloc_suite(const struct options *o, const regex_t *re, struct suite *cur,
                           const struct suite *base, const struct suite *old)
{
	size_t done = 0;
	char *dir = NULL;

	for (size_t i = 0; i < cur->nbenches; i++) {
		struct bench_result *b = &cur->benches[i];
		struct profile *p;
		char *why = NULL;
		int refused = 0;
		if (!picks(o->alloc_mode, re, b, 1))
			continue;
		if (!dir && !(dir = profile_dir(o)))
			break;
		if (!(p = run_profile(o, b->program, b->name, 1, 0, &why, &refused))) {
			msg_warn(b->name, "no allocation profile: %s", why);
			free(why);
			continue;
		}
		attach_before(o, p, b->name, base, old, &refused);
		free(why);
		profile_write_files(dir, b->name, p);
		profile_free(b->prof.alloc);
		b->prof.alloc = p;
		done++;
	}
	free(dir);
	return done;
}
