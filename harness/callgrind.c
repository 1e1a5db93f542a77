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
