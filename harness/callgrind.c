/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The instruction measure, harness half (see callgrind.h).
 *
 * Why callgrind and not cachegrind: Debian 12 ships Valgrind 3.19, whose
 * cachegrind has no client requests (they came in 3.22), so it cannot be
 * told where the loop starts and ends; callgrind's can.  Each worker runs
 * with --instr-atstart=no (start-up, listing and the harness's own code run
 * uninstrumented, several times faster) and --collect-atstart=no; the
 * library switches both on around the loop only and dumps after every
 * sample, so dump K (file cg.out.K) holds exactly sample K's loop. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "callgrind.h"
#include "counters.h"
#include "files.h"
#include "flame.h"
#include "msg.h"
#include "options.h"
#include "proc.h"

int callgrind_open(struct callgrind *cg, int cache_sim)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX], *dir = NULL;

	memset(cg, 0, sizeof *cg);
	if (!proc_find_program("valgrind", path, sizeof path)) {
		msg_error("--measure instructions", "needs valgrind, which is not in PATH "
		          "(Debian/Ubuntu package valgrind)");
		return EXIT_USAGE;
	}
	if (asprintf(&dir, "%s/benchrun-cg.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 ||
	    !mkdtemp(dir)) {
		msg_error("--measure instructions", "cannot make a folder for callgrind's "
		          "files: %s", strerror(errno));
		free(dir);
		return EXIT_USAGE;
	}
	cg->valgrind = strdup(path);
	cg->dir = dir;
	cg->cache_sim = cache_sim;
	if (!cg->valgrind ||
	    asprintf(&cg->out_opt, "--callgrind-out-file=%s/cg.out", dir) < 0) {
		cg->out_opt = NULL;
		callgrind_close(cg);
		msg_error(NULL, "out of memory");
		return EXIT_USAGE;
	}
	return 0;
}

/* Remove every file of the dump folder. */
static void clear(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
}

void callgrind_clear(const struct callgrind *cg)
{
	clear(cg->dir);
}

void callgrind_close(struct callgrind *cg)
{
	if (cg->dir) {
		clear(cg->dir);
		rmdir(cg->dir);
	}
	free(cg->valgrind);
	free(cg->dir);
	free(cg->out_opt);
	memset(cg, 0, sizeof *cg);
}

size_t callgrind_argv(const struct callgrind *cg, const char **argv, size_t max)
{
	const char *words[] = {cg->valgrind, "--tool=callgrind", "--quiet",
	                       "--instr-atstart=no", "--collect-atstart=no",
	                       "--dump-instr=no", "--dump-line=no", cg->out_opt,
	                       "--cache-sim=yes", "--branch-sim=yes"};
	size_t n = sizeof words / sizeof words[0] - (cg->cache_sim ? 0 : 2);

	if (n > max)
		return 0;
	memcpy(argv, words, n * sizeof words[0]);
	return n;
}

/* The names of an "events:" line into d. */
static void read_names(const char *line, struct callgrind_dump *d)
{
	d->n = 0;
	for (const char *p = line; *p && d->n < CALLGRIND_EVENTS_MAX;) {
		size_t w;
		p += strspn(p, " \t");
		w = strcspn(p, " \t\n");
		if (!w)
			break;
		snprintf(d->names[d->n++], sizeof d->names[0], "%.*s", (int)w, p);
		p += w;
	}
}

/* The values of a "summary:" line, one per name: callgrind leaves out
 * trailing zeros.  -1 when there is no value, or one is not a count. */
static int read_values(const char *line, struct callgrind_dump *d)
{
	const char *p = line;
	char *end;

	for (size_t i = 0; i < d->n; i++) {
		p += strspn(p, " \t");
		if ((*p == '\n' || !*p) && i > 0) {
			d->v[i] = 0;
			continue;
		}
		errno = 0;
		d->v[i] = (double)strtoull(p, &end, 10);
		if (end == p || errno || (*end && !strchr(" \t\n", *end)))
			return -1;
		p = end;
	}
	return d->n ? 0 : -1;
}

int callgrind_read_dump(const char *path, struct callgrind_dump *d, char *why, size_t n)
{
	static const char trigger[] = "desc: Trigger: Client Request: benchrun sample ";
	FILE *f = fopen(path, "r");
	char line[4096];
	int have = 0;

	memset(d, 0, sizeof *d);
	if (!f) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!have && fgets(line, sizeof line, f)) {
		if (!strncmp(line, trigger, sizeof trigger - 1))
			d->sample = (unsigned)strtoul(line + sizeof trigger - 1, NULL, 10);
		else if (!strncmp(line, "events:", 7))
			read_names(line + 7, d);
		else if (!strncmp(line, "summary:", 8)) {
			if (read_values(line + 8, d) != 0) {
				snprintf(why, n, "%s: its summary line does not match its events", path);
				fclose(f);
				return -1;
			}
			have = 1;
		}
	}
	fclose(f);
	if (!have)
		snprintf(why, n, "%s: no summary line (not a callgrind dump)", path);
	return have ? 0 : -1;
}

double callgrind_event(const struct callgrind_dump *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->names[i], name))
			return d->v[i];
	return NAN;
}

const char *const callgrind_sim_names[CALLGRIND_SIM_N] = {
	"I1-misses", "D1-misses", "LLi-misses", "LLd-misses", "branch-mispredicts",
	"est-cycles",
};

void callgrind_simulated(const struct callgrind_dump *d, double out[CALLGRIND_SIM_N])
{
#define EV(name) callgrind_event(d, name)
	double l1 = EV("I1mr") + EV("D1mr") + EV("D1mw");
	double ll = EV("ILmr") + EV("DLmr") + EV("DLmw");

	out[0] = EV("I1mr");
	out[1] = EV("D1mr") + EV("D1mw");
	out[2] = EV("ILmr");
	out[3] = EV("DLmr") + EV("DLmw");
	out[4] = EV("Bcm") + EV("Bim");
	out[5] = (EV("Ir") + EV("Dr") + EV("Dw") - l1) + 5 * (l1 - ll) + 35 * ll;
#undef EV
}

/* Describe the simulated columns (the worker counted nothing). */
static int describe_sim(struct counter_result **ctr, size_t *nctr)
{
	struct counter_result *c = calloc(CALLGRIND_SIM_N, sizeof *c);

	if (!c)
		return -1;
	for (size_t i = 0; i < CALLGRIND_SIM_N; i++) {
		c[i].name = strdup(callgrind_sim_names[i]);
		c[i].kind = strdup("simulated");
		c[i].counted = 1;
		c[i].loop_per_iter = c[i].raw_per_iter = c[i].per_iter = NAN;
		if (!c[i].name || !c[i].kind) {
			counters_free(c, CALLGRIND_SIM_N);
			return -1;
		}
	}
	*ctr = c;
	*nctr = CALLGRIND_SIM_N;
	return 0;
}

/* Room for the simulated columns beside r's samples. */
static int sim_columns(struct proc_run *r)
{
	size_t cap = r->cap > r->nsamples ? r->cap : r->nsamples;

	free(r->ctr_delta);
	free(r->ctr_running);
	r->ctr_delta = calloc(cap * CALLGRIND_SIM_N, sizeof *r->ctr_delta);
	r->ctr_running = calloc(cap * CALLGRIND_SIM_N, sizeof *r->ctr_running);
	r->nctr = CALLGRIND_SIM_N;
	return r->ctr_delta && r->ctr_running ? 0 : -1;
}

int callgrind_take(const struct callgrind *cg, struct proc_run *r,
                   struct counter_result **ctr, size_t *nctr, char **why)
{
	char path[PATH_MAX], err[PATH_MAX + 128] = "out of memory";
	struct callgrind_dump d;
	int rc = 0;

	*why = NULL;
	if (cg->cache_sim && ((*nctr == 0 && describe_sim(ctr, nctr) != 0) || sim_columns(r) != 0))
		rc = -1;
	for (size_t k = 1; k <= r->nsamples && rc == 0; k++) {
		snprintf(path, sizeof path, "%s/cg.out.%zu", cg->dir, k);
		if (callgrind_read_dump(path, &d, err, sizeof err) != 0)
			rc = -1;
		else if (d.sample != k)
			rc = -1, snprintf(err, sizeof err, "%s holds sample %u, not %zu (was the worker "
			                  "run by callgrind?)", path, d.sample, k);
		else if (!isfinite(r->samples[k - 1].ns = callgrind_event(&d, "Ir")))
			rc = -1, snprintf(err, sizeof err, "%s: no Ir count", path);
		else if (cg->cache_sim) {
			callgrind_simulated(&d, r->ctr_delta + (k - 1) * CALLGRIND_SIM_N);
			for (size_t i = 0; i < CALLGRIND_SIM_N; i++)
				r->ctr_running[(k - 1) * CALLGRIND_SIM_N + i] = 1;
		}
	}
	if (rc != 0)
		*why = strdup(err);
	clear(cg->dir);  /* read or not: the next worker starts afresh */
	return rc;
}

/* ---- Instructions per function ---------------------------------------- */

/* The reader's state: the function names by compressed id, the costs so
 * far (one entry per fn= block, merged at the end), and the columns. */
struct fn_reader {
	char **ids;            /* name of function id i, owned */
	size_t nids;
	struct callgrind_fn *acc;  /* names borrowed from ids or owned (see own) */
	size_t nacc, cap;
	int *own;              /* acc[i].name is owned */
	long cur;              /* index in acc of the current fn= block; -1 */
	int npos, ir_col, after_calls;
	const char *callee;    /* of the last cfn= line, borrowed, or owned
	                        * when callee_owned */
	int callee_owned;
	struct callgrind_edge *e;  /* one per call cost line, merged at the end */
	size_t ne, ecap;
};

/* The inclusive Ir of a call from the current function to r->callee. */
static int add_edge(struct fn_reader *r, double ir)
{
	struct callgrind_edge *ed;

	if (r->cur < 0 || !r->callee)
		return 0;
	if (r->ne == r->ecap) {
		size_t cap = r->ecap ? 2 * r->ecap : 64;
		if (!(ed = realloc(r->e, cap * sizeof *ed)))
			return -1;
		r->e = ed;
		r->ecap = cap;
	}
	ed = &r->e[r->ne];
	ed->caller = strdup(r->acc[r->cur].name);
	ed->callee = strdup(r->callee);
	ed->incl = ir;
	if (!ed->caller || !ed->callee) {
		free(ed->caller);
		free(ed->callee);
		return -1;
	}
	r->ne++;
	return 0;
}

/* The name a "fn=" / "cfn=" value stands for: "(id) name" defines id,
 * "(id)" refers to it, "name" is uncompressed.  NULL on a bad value or out
 * of memory; *owned says whether the caller must free it. */
static const char *fn_name(struct fn_reader *r, const char *v, int *owned)
{
	char *end, *name;
	unsigned long id;

	*owned = 0;
	v += strspn(v, " ");
	if (*v != '(') {
		*owned = 1;
		return strndup(v, strcspn(v, "\n"));
	}
	id = strtoul(v + 1, &end, 10);
	if (*end != ')' || id > 1u << 24)
		return NULL;
	end++;
	end += strspn(end, " ");
	if (*end && *end != '\n') {
		if (id >= r->nids) {
			char **ni = realloc(r->ids, (id + 1) * sizeof *ni);
			if (!ni)
				return NULL;
			memset(ni + r->nids, 0, (id + 1 - r->nids) * sizeof *ni);
			r->ids = ni;
			r->nids = id + 1;
		}
		if (!(name = strndup(end, strcspn(end, "\n"))))
			return NULL;
		free(r->ids[id]);
		r->ids[id] = name;
	}
	return id < r->nids ? r->ids[id] : NULL;
}

static int begin_fn(struct fn_reader *r, const char *v)
{
	int owned;
	const char *name = fn_name(r, v, &owned);

	if (!name)
		return -1;
	if (r->nacc == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct callgrind_fn *na = realloc(r->acc, cap * sizeof *na);
		int *no;
		if (!na)
			return -1;
		r->acc = na;
		if (!(no = realloc(r->own, cap * sizeof *no)))
			return -1;
		r->own = no;
		r->cap = cap;
	}
	r->acc[r->nacc] = (struct callgrind_fn){(char *)name, 0, 0};
	r->own[r->nacc] = owned;
	r->cur = (long)r->nacc++;
	return 0;
}

/* A cost line: positions, then the events' costs (trailing zeros left
 * out).  Adds its Ir to the current function, as self cost, or as the
 * inclusive cost of a call when a calls= line came before it. */
static int cost_line(struct fn_reader *r, const char *line)
{
	int rc = 0;

	const char *p = line;
	char *end;
	double ir = 0;

	for (int i = 0; i < r->npos; i++) {
		p += strspn(p, " ");
		p += strcspn(p, " \n");
	}
	for (int i = 0; i <= r->ir_col; i++) {
		p += strspn(p, " ");
		ir = (double)strtoull(p, &end, 10);
		if (end == p) {
			ir = 0;
			break;
		}
		p = end;
	}
	if (r->cur >= 0) {
		if (r->after_calls) {
			r->acc[r->cur].incl += ir;
			rc = add_edge(r, ir);
		} else {
			r->acc[r->cur].self += ir;
		}
	}
	r->after_calls = 0;
	return rc;
}

static int by_edge(const void *pa, const void *pb)
{
	const struct callgrind_edge *a = pa, *b = pb;
	int c = strcmp(a->caller, b->caller);

	return c ? c : strcmp(a->callee, b->callee);
}

/* Sort edges and merge those of one caller and callee. */
static size_t merge_edges(struct callgrind_edge *e, size_t ne)
{
	size_t n = 0;

	if (ne)
		qsort(e, ne, sizeof *e, by_edge);
	for (size_t i = 0; i < ne; i++) {
		if (n && !by_edge(&e[n - 1], &e[i])) {
			e[n - 1].incl += e[i].incl;
			free(e[i].caller);
			free(e[i].callee);
			continue;
		}
		e[n++] = e[i];
	}
	return n;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct callgrind_fn *)a)->name,
	              ((const struct callgrind_fn *)b)->name);
}

/* Merge the blocks of one name, owning every name; inclusive = self plus
 * the calls. */
static int merge_blocks(struct fn_reader *r, struct callgrind_fns *out)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nacc; i++)
		if (!r->own[i]) {
			if (!(r->acc[i].name = strdup(r->acc[i].name)))
				return -1;
			r->own[i] = 1;
		}
	if (r->nacc)
		qsort(r->acc, r->nacc, sizeof *r->acc, by_name);
	for (size_t i = 0; i < r->nacc; i++) {
		if (n && !strcmp(r->acc[n - 1].name, r->acc[i].name)) {
			r->acc[n - 1].self += r->acc[i].self;
			r->acc[n - 1].incl += r->acc[i].incl;
			free(r->acc[i].name);
			continue;
		}
		r->acc[n++] = r->acc[i];
	}
	for (size_t i = 0; i < n; i++)
		r->acc[i].incl += r->acc[i].self;
	out->f = r->acc;
	out->n = n;
	r->acc = NULL;
	r->nacc = 0;
	out->ne = merge_edges(r->e, r->ne);
	out->e = r->e;
	r->e = NULL;
	r->ne = 0;
	return 0;
}

static void reader_free(struct fn_reader *r)
{
	for (size_t i = 0; i < r->nacc; i++)
		if (r->own[i])
			free(r->acc[i].name);
	for (size_t i = 0; i < r->nids; i++)
		free(r->ids[i]);
	for (size_t i = 0; i < r->ne; i++) {
		free(r->e[i].caller);
		free(r->e[i].callee);
	}
	if (r->callee_owned)
		free((char *)r->callee);
	free(r->ids);
	free(r->acc);
	free(r->own);
	free(r->e);
}

int callgrind_read_functions(const char *path, struct callgrind_fns *out, char *why,
                             size_t n)
{
	struct fn_reader r = {.cur = -1, .npos = 1, .ir_col = 0};
	struct callgrind_dump d;
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (!f) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		char c = line[0];
		if (!strncmp(line, "positions:", 10)) {
			read_names(line + 10, &d);
			r.npos = (int)d.n;
		} else if (!strncmp(line, "events:", 7)) {
			read_names(line + 7, &d);
			r.ir_col = -1;
			for (size_t i = 0; i < d.n; i++)
				if (!strcmp(d.names[i], "Ir"))
					r.ir_col = (int)i;
			if (r.ir_col < 0)
				rc = -1, snprintf(why, n, "%s: no Ir event", path);
		} else if (!strncmp(line, "fn=", 3)) {
			if (begin_fn(&r, line + 3) != 0)
				rc = -1, snprintf(why, n, "%s: bad function line '%.60s'", path, line);
		} else if (!strncmp(line, "cfn=", 4)) {
			if (r.callee_owned)
				free((char *)r.callee);
			r.callee = fn_name(&r, line + 4, &r.callee_owned);
		} else if (!strncmp(line, "calls=", 6)) {
			r.after_calls = 1;
		} else if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '*') {
			if (cost_line(&r, line) != 0)
				rc = -1, snprintf(why, n, "out of memory");
		}
	}
	if (rc == 0 && ferror(f))
		rc = -1, snprintf(why, n, "%s: %s", path, strerror(errno));
	if (rc == 0 && merge_blocks(&r, out) != 0)
		rc = -1, snprintf(why, n, "out of memory");
	free(line);
	fclose(f);
	reader_free(&r);
	return rc;
}

void callgrind_fns_free(struct callgrind_fns *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->f[i].name);
	for (size_t i = 0; i < f->ne; i++) {
		free(f->e[i].caller);
		free(f->e[i].callee);
	}
	free(f->f);
	free(f->e);
	memset(f, 0, sizeof *f);
}

/* (b - a) / iters for every call in either. */
static int edges_per_iter(const struct callgrind_fns *a, const struct callgrind_fns *b,
                          double iters, struct callgrind_fns *out)
{
	size_t i = 0, j = 0, n = 0;

	if (!(out->e = calloc(a->ne + b->ne + 1, sizeof *out->e)))
		return -1;
	while (i < a->ne || j < b->ne) {
		int c = i == a->ne ? 1 : j == b->ne ? -1 : by_edge(&a->e[i], &b->e[j]);
		const struct callgrind_edge *x = c <= 0 ? &a->e[i] : NULL, *y = c >= 0 ? &b->e[j] : NULL;
		struct callgrind_edge *o = &out->e[n];
		o->caller = strdup(x ? x->caller : y->caller);
		o->callee = strdup(x ? x->callee : y->callee);
		out->ne = ++n;
		if (!o->caller || !o->callee)
			return -1;
		o->incl = ((y ? y->incl : 0) - (x ? x->incl : 0)) / iters;
		i += x != NULL;
		j += y != NULL;
	}
	return 0;
}

int callgrind_fns_per_iter(const struct callgrind_fns *a, const struct callgrind_fns *b,
                           double iters, struct callgrind_fns *out)
{
	size_t i = 0, j = 0, n = 0;

	memset(out, 0, sizeof *out);
	if (!(out->f = calloc(a->n + b->n + 1, sizeof *out->f)))
		return -1;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->f[i].name, b->f[j].name);
		const struct callgrind_fn *x = c <= 0 ? &a->f[i] : NULL, *y = c >= 0 ? &b->f[j] : NULL;
		struct callgrind_fn *o = &out->f[n++];
		if (!(o->name = strdup(x ? x->name : y->name))) {
			out->n = n - 1;
			callgrind_fns_free(out);
			return -1;
		}
		o->self = ((y ? y->self : 0) - (x ? x->self : 0)) / iters;
		o->incl = ((y ? y->incl : 0) - (x ? x->incl : 0)) / iters;
		i += x != NULL;
		j += y != NULL;
	}
	out->n = n;
	if (edges_per_iter(a, b, iters, out) != 0) {
		callgrind_fns_free(out);
		return -1;
	}
	return 0;
}

static int by_change(const void *pa, const void *pb)
{
	const struct callgrind_change *a = pa, *b = pb;
	double da = fabs(a->new_self - a->old_self), db = fabs(b->new_self - b->old_self);

	return da > db ? -1 : da < db ? 1 : strcmp(a->name, b->name);
}

long callgrind_diff(const struct callgrind_fns *before, const struct callgrind_fns *after,
                    struct callgrind_change **out)
{
	size_t i = 0, j = 0, n = 0;
	struct callgrind_change *c = calloc(before->n + after->n + 1, sizeof *c);

	if (!(*out = c))
		return -1;
	while (i < before->n || j < after->n) {
		int cmp = i == before->n ? 1 : j == after->n ? -1
		          : strcmp(before->f[i].name, after->f[j].name);
		const struct callgrind_fn *x = cmp <= 0 ? &before->f[i] : NULL;
		const struct callgrind_fn *y = cmp >= 0 ? &after->f[j] : NULL;
		struct callgrind_change ch = {y ? y->name : x->name, x ? x->self : 0,
		                              y ? y->self : 0, x ? x->incl : 0, y ? y->incl : 0};
		/* Per-iteration figures are differences of whole counts
		 * divided by one number: equal ones are equal exactly, up to
		 * rounding. */
		if (fabs(ch.new_self - ch.old_self) > 1e-9 * fmax(1, fabs(ch.old_self)))
			c[n++] = ch;
		i += x != NULL;
		j += y != NULL;
	}
	if (n)
		qsort(c, n, sizeof *c, by_change);
	return (long)n;
}

void callgrind_profile_free(struct callgrind_profile *p)
{
	if (!p)
		return;
	callgrind_fns_free(&p->after);
	callgrind_fns_free(&p->before);
	free(p->file);
	free(p->before_file);
	free(p->folded);
	free(p->svg);
	free(p->diff_svg);
	free(p);
}

static int by_self(const void *pa, const void *pb)
{
	const struct callgrind_fn *a = pa, *b = pb;

	return a->self > b->self ? -1 : a->self < b->self ? 1 : strcmp(a->name, b->name);
}

long callgrind_top(const struct callgrind_fns *f, struct callgrind_fn **out)
{
	struct callgrind_fn *c = malloc((f->n + 1) * sizeof *c);

	if (!(*out = c))
		return -1;
	if (f->n) {
		memcpy(c, f->f, f->n * sizeof *c);
		qsort(c, f->n, sizeof *c, by_self);
	}
	return (long)f->n;
}

/* The functions with most self Ir per iteration. */
static void print_top(FILE *out, const struct callgrind_fns *f, size_t top)
{
	struct callgrind_fn *c;
	double total = 0;

	if (callgrind_top(f, &c) < 0)
		return;
	for (size_t i = 0; i < f->n; i++)
		total += c[i].self;
	fprintf(out, "  %12s  %6s  %12s  %s\n", "self Ir/iter", "share", "incl Ir/iter", "function");
	for (size_t i = 0; i < f->n && i < top && c[i].self > 0; i++)
		fprintf(out, "  %12.1f  %5.1f%%  %12.1f  %s\n", c[i].self,
		        total > 0 ? 100 * c[i].self / total : 0, c[i].incl, c[i].name);
	free(c);
}

static void print_changes(FILE *out, const struct callgrind_profile *p, size_t top)
{
	struct callgrind_change *c;
	long n = callgrind_diff(&p->before, &p->after, &c);

	if (n < 0)
		return;
	if (n == 0)
		fputs("  no function's instructions per iteration changed\n", out);
	for (long i = 0; i < n && (size_t)i < top; i++) {
		double d = c[i].new_self - c[i].old_self;
		fprintf(out, "  %+.1f Ir/iter in %s", d, c[i].name);
		if (c[i].old_self > 0)
			fprintf(out, " (%+.3g%%)", 100 * d / c[i].old_self);
		else
			fputs(" (new)", out);
		fprintf(out, ", self %.1f -> %.1f, inclusive %.1f -> %.1f\n", c[i].old_self,
		        c[i].new_self, c[i].old_incl, c[i].new_incl);
	}
	free(c);
}

void callgrind_profile_print(FILE *out, const char *name, const struct callgrind_profile *p,
                             size_t top)
{
	fprintf(out, "\ninstructions per function of %s%s\n", name,
	        p->have_before ? ", against the old build" : "");
	if (p->have_before)
		print_changes(out, p, top);
	else
		print_top(out, &p->after, top);
	if (p->file)
		fprintf(out, "  callgrind files: %s%s%s (callgrind_annotate, KCachegrind)\n", p->file,
		        p->before_file ? "  old: " : "", p->before_file ? p->before_file : "");
	if (p->svg)
		fprintf(out, "  flame graph of Ir: %s%s%s\n", p->svg,
		        p->diff_svg ? "  differential: " : "", p->diff_svg ? p->diff_svg : "");
}

/* ---- Stacks for a flame graph ----------------------------------------- */

#define FLAME_DEPTH 64

static const struct callgrind_fn *find_fn(const struct callgrind_fns *f, const char *name)
{
	struct callgrind_fn key = {(char *)name, 0, 0};

	return f->n ? bsearch(&key, f->f, f->n, sizeof key, by_name) : NULL;
}

/* The first call of `caller` in the sorted edges; f->ne when none. */
static size_t first_edge(const struct callgrind_fns *f, const char *caller)
{
	size_t lo = 0, hi = f->ne;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(f->e[mid].caller, caller) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* fn's inclusive Ir without its calls of itself, which callgrind's
 * inclusive figure counts twice (the callee's Ir are fn's too). */
static double own_incl(const struct callgrind_fns *f, const struct callgrind_fn *fn)
{
	double v = fn->incl;

	for (size_t i = first_edge(f, fn->name); i < f->ne && !strcmp(f->e[i].caller, fn->name);
	     i++)
		if (!strcmp(f->e[i].callee, fn->name))
			v -= f->e[i].incl;
	return v;
}

/* The library's call of the benchmark body: stacks start below it, as the
 * sampled profiles' do (profile.h), so the benchmark function is the root. */
#define BODY_CALL "br__body_call"

static int add_stack(struct flame_profile *out, const char **path, size_t n, double ir)
{
	double r = round(ir);
	size_t from = 0;

	for (size_t k = 0; k < n; k++)
		if (!strcmp(path[k], BODY_CALL))
			from = k + 1;
	return r >= 1 && from < n ? flame_add(out, path + from, n - from, (uint64_t)r) : 0;
}

/* Function path[n - 1] with `share` of its inclusive Ir on this path. */
static int expand(const struct callgrind_fns *f, struct flame_profile *out, const char **path,
                  size_t n, double share)
{
	const struct callgrind_fn *fn = find_fn(f, path[n - 1]);
	int rc;

	if (!fn)
		return 0;
	if ((rc = add_stack(out, path, n, fn->self * share)) != 0)
		return rc;
	for (size_t i = first_edge(f, fn->name); rc == 0 && i < f->ne &&
	     !strcmp(f->e[i].caller, fn->name); i++) {
		const struct callgrind_fn *callee = find_fn(f, f->e[i].callee);
		double part = f->e[i].incl * share;
		int on_path = 0;
		if (!(part > 0))
			continue;
		/* A recursive call's Ir are already the function's own. */
		for (size_t k = 0; k < n; k++)
			on_path |= !strcmp(path[k], f->e[i].callee);
		if (on_path)
			continue;
		path[n] = f->e[i].callee;
		if (n + 1 >= FLAME_DEPTH || !callee || !(own_incl(f, callee) > 0))
			rc = add_stack(out, path, n + 1, part);
		else
			rc = expand(f, out, path, n + 1, part / own_incl(f, callee));
	}
	return rc;
}

int callgrind_flame(const struct callgrind_fns *f, struct flame_profile *out)
{
	const char *path[FLAME_DEPTH + 1];
	int rc = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; rc == 0 && i < f->n; i++) {
		int called = 0;
		if (!(f->f[i].incl > 0))
			continue;
		for (size_t k = 0; k < f->ne && !called; k++)
			called = f->e[k].incl > 0 && !strcmp(f->e[k].callee, f->f[i].name) &&
			         strcmp(f->e[k].caller, f->f[i].name) != 0;
		if (called)
			continue;
		path[0] = f->f[i].name;
		rc = expand(f, out, path, 1, 1);
	}
	if (rc != 0)
		flame_free(out);
	return rc;
}

/* What the writers below get: the stacks (and, for a differential, the
 * old build's) and the file's title. */
struct put_ctx {
	const struct flame_profile *before, *after;
	const char *title;
};

static int put_folded(FILE *f, const void *ctx)
{
	return flame_write_folded(f, ((const struct put_ctx *)ctx)->after);
}

static int put_svg(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return flame_write_svg(f, c->after, c->title);
}

static int put_diff_svg(FILE *f, const void *ctx)
{
	const struct put_ctx *c = ctx;

	return flame_write_diff_svg(f, c->before, c->after, c->title);
}

void callgrind_profile_write(struct callgrind_profile *p, const char *dir, const char *stem,
                             const char *name)
{
	struct flame_profile after, before;
	char title[512];
	struct put_ctx ctx = {&before, &after, title};

	if (callgrind_flame(&p->after, &after) != 0) {
		msg_error(name, "out of memory");
		return;
	}
	snprintf(title, sizeof title, "%s: instructions per iteration (callgrind)", name);
	p->folded = files_write(dir, stem, ".ir.folded", put_folded, &ctx);
	p->svg = files_write(dir, stem, ".ir.svg", put_svg, &ctx);
	if (p->have_before && callgrind_flame(&p->before, &before) == 0) {
		snprintf(title, sizeof title, "%s: instructions per iteration, what changed since "
		         "the old build (red: grew)", name);
		p->diff_svg = files_write(dir, stem, ".ir-diff.svg", put_diff_svg, &ctx);
		flame_free(&before);
	}
	flame_free(&after);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *callgrind_profile_json(const struct callgrind_profile *p, size_t top)
{
	json_t *changes = json_array(), *fns = json_array();
	struct callgrind_change *c = NULL;
	struct callgrind_fn *f = NULL;
	long n = p->have_before ? callgrind_diff(&p->before, &p->after, &c) : 0;
	long nf = callgrind_top(&p->after, &f);

	for (long i = 0; changes && i < n; i++)
		json_array_append_new(changes, json_pack("{s:s, s:o, s:o, s:o, s:o}", "function",
		                      c[i].name, "old_self", num(c[i].old_self), "new_self",
		                      num(c[i].new_self), "old_inclusive", num(c[i].old_incl),
		                      "new_inclusive", num(c[i].new_incl)));
	for (long i = 0; fns && i < nf && (size_t)i < top; i++)
		json_array_append_new(fns, json_pack("{s:s, s:o, s:o}", "function", f[i].name,
		                      "self", num(f[i].self), "inclusive", num(f[i].incl)));
	free(c);
	free(f);
	return json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "unit", "Ir/iter",
	                 "against_old_build", p->have_before,
	                 "changes", p->have_before ? changes : (json_decref(changes), json_null()),
	                 "top", fns, "callgrind_file", str_or_null(p->file),
	                 "old_callgrind_file", str_or_null(p->before_file),
	                 "folded", str_or_null(p->folded), "flame_graph", str_or_null(p->svg),
	                 "diff_flame_graph", str_or_null(p->diff_svg));
}
