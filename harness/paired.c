/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The old build beside the new one (see paired.h).
 *
 * A kept program alone does not make the old build: a program linked
 * (rpath, RUNPATH or LD_LIBRARY_PATH) to a library of the user's own build
 * loads whatever that library is *now*, so a slowdown inside the library is
 * invisible to a comparison of old and new programs.  A baseline therefore
 * keeps the non-system shared objects each program loaded, and the old
 * program runs with exactly those (stage.c).  Where that cannot be done
 * (a kept file missing or altered, a baseline saved by an older benchrun
 * that kept no libraries while the program loads some, a library without a
 * soname, a program that does not run here), the benchmarks of that
 * program fall back to the stored comparison, and say so. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "analysis.h"
#include "baseline.h"
#include "counters.h"
#include "msg.h"
#include "objects.h"
#include "options.h"
#include "paired.h"
#include "usercounters.h"

void paired_analyse(struct suite *s, const struct options *o, const int *only)
{
	struct analysis_opts ao = {o->conf_level, o->resamples, o->seed};

	for (size_t i = 0; i < s->nbenches; i++) {
		struct bench_result *b = &s->benches[i];
		if ((only && !only[i]) || b->failed)
			continue;
		if (counters_analyse(b) != 0)
			msg_error(b->name, "out of memory analysing its counters");
		user_counters_analyse(b, o->conf_level);
		if ((b->analysis.done = analysis_run(b, &ao, &b->analysis.an) == 0))
			continue;
		b->failed = 1;
		b->reason = strdup("too few samples to analyse (fewer than 2 in every process)");
		msg_error(b->name, "%s", b->reason);
	}
}

static const char *base_name_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Stage one side of program `index`: `file` with the libraries in `libs`. */
static int stage_side(struct stage *st, char side, size_t index, const char *file,
                      const char *name, const struct object_list *libs, struct program *p,
                      char **why)
{
	const char **files = calloc(libs->n + 1, sizeof *files);
	const char **sonames = calloc(libs->n + 1, sizeof *sonames);
	struct stage_input in = {file, name, files, sonames, libs->n};
	int rc = -1;

	if (files && sonames) {
		for (size_t i = 0; i < libs->n; i++) {
			files[i] = libs->v[i].path;
			sonames[i] = libs->v[i].soname;
		}
		rc = stage_program(st, side, index, &in, p, why);
	}
	free(files);
	free(sonames);
	return rc;
}

/* Stage both builds of program `index`: `old_file` with `old_libs`, and
 * the new program with the libraries it loads now. */
static int stage_pair(struct stage *st, size_t index, const char *old_file,
                      const struct object_list *old_libs, struct program *op,
                      struct program *np, char **why)
{
	struct object_list new_libs;
	const char *name = base_name_of(np->path);
	int rc;

	if (!st->dir && stage_create(st) != 0)
		return asprintf(why, "no stage") < 0 ? -1 : -1;
	if (objects_list(np->path, NULL, &new_libs, why) != 0)
		return -1;
	rc = stage_side(st, 'o', index, old_file, name, old_libs, op, why) == 0 &&
	     stage_side(st, 'n', index, np->path, name, &new_libs, np, why) == 0 ? 0 : -1;
	objects_free(&new_libs);
	return rc;
}

/* The kept libraries of baseline program bp as an object list of their
 * kept copies (sonames as recorded); -1 after a warning when any is
 * missing or altered, or when the baseline recorded none while the kept
 * program loads some. */
static int kept_libs(const char *dir, const struct program *bp, const char *kept,
                     struct object_list *out)
{
	char *why = NULL;

	memset(out, 0, sizeof *out);
	if (!bp->libs_known) {
		int rc = objects_list(kept, NULL, out, &why);
		if (rc == 0 && out->n == 0)
			return 0;
		msg_warn(bp->path, "the baseline kept no shared libraries (saved by an older "
		         "benchrun) and the program loads %s: comparing with the stored results",
		         rc == 0 ? out->v[0].path : why ? why : "some");
		objects_free(out);
		free(why);
		return -1;
	}
	if (!(out->v = calloc(bp->nlibs + 1, sizeof *out->v)))
		return -1;
	for (size_t i = 0; i < bp->nlibs; i++) {
		char *path = baseline_library(dir, &bp->libs[i]);
		if (!path) {
			objects_free(out);
			return -1;
		}
		out->v[out->n].path = path;
		out->v[out->n++].soname = bp->libs[i].soname ? strdup(bp->libs[i].soname) : NULL;
	}
	return 0;
}

static struct program *find_program(struct suite *s, const char *path)
{
	for (size_t i = 0; i < s->nprograms; i++)
		if (!strcmp(s->programs[i].path, path))
			return &s->programs[i];
	return NULL;
}

/* The baseline's program that measured the benchmarks of cur's program k
 * (the first of them the baseline has): the build to run beside it, under
 * whatever path either was run from. */
static struct program *base_program_of(const struct suite *cur, size_t k,
                                       const struct suite *base)
{
	for (size_t i = 0; i < cur->nbenches; i++) {
		const struct bench_result *sb;
		if (strcmp(cur->benches[i].program, cur->programs[k].path) != 0 ||
		    !(sb = suite_find(base, cur->benches[i].name)))
			continue;
		return find_program((struct suite *)base, sb->program);
	}
	return NULL;
}

/* List the kept programs that are intact (paths[k] for cur program k, or
 * NULL) into old; -1 when none is or listing fails. */
static int list_old(const struct suite_opts *so, char **paths, size_t n, struct suite *old)
{
	struct suite_opts o = *so;
	size_t k = 0;

	o.programs = calloc(n + 1, sizeof *o.programs);
	for (size_t i = 0; o.programs && i < n; i++)
		if (paths[i])
			o.programs[k++] = paths[i];
	o.nprograms = k;
	k = k && suite_list(&o, old) == 0;
	free(o.programs);
	return k ? 0 : -1;
}

/* Mark each benchmark of cur by whether its program got a paired old
 * build (ok[k] for cur program k), or had a kept one that failed. */
static size_t set_modes(struct suite *cur, const struct suite *old, const int *ok,
                        const int *kept)
{
	size_t n = 0;

	for (size_t i = 0; i < cur->nbenches; i++) {
		struct bench_result *b = &cur->benches[i];
		size_t k = (size_t)(suite_program(cur, b) - cur->programs);
		b->gate.mode = ok[k] && suite_find(old, b->name) ? MODE_PAIRED
		          : kept[k] ? MODE_FALLBACK : MODE_STORED;
		n += b->gate.mode == MODE_PAIRED;
	}
	return n;
}

size_t paired_from_baseline(const char *dir, const struct suite_opts *so, int paired,
                            struct suite *cur, const struct suite *base, struct suite *old,
                            struct stage *st)
{
	size_t n = cur->nprograms, count = 0;
	char **kept = calloc(n + 1, sizeof *kept);
	struct object_list *libs = calloc(n + 1, sizeof *libs);
	int *ok = calloc(n + 1, sizeof *ok), *had = calloc(n + 1, sizeof *had);

	if (!kept || !libs || !ok || !had)
		goto out;
	for (size_t k = 0; paired && k < n; k++) {
		struct program *bp = base_program_of(cur, k, base);
		if (!bp || !bp->stored)
			continue;
		had[k] = 1;
		if ((kept[k] = baseline_program(dir, bp)) && kept_libs(dir, bp, kept[k], &libs[k]) != 0) {
			free(kept[k]);
			kept[k] = NULL;
		}
	}
	if (paired && list_old(so, kept, n, old) != 0) {
		for (size_t k = 0; k < n; k++)
			if (kept[k])
				msg_warn(cur->programs[k].path, "the kept program does not run here: "
				         "comparing with the stored results instead");
		goto modes;
	}
	for (size_t k = 0; paired && k < n; k++) {
		struct program *op = kept[k] ? find_program(old, kept[k]) : NULL;
		char *why = NULL;
		if (!op)
			continue;
		if (stage_pair(st, k, kept[k], &libs[k], op, &cur->programs[k], &why) == 0)
			ok[k] = 1;
		else
			msg_warn(cur->programs[k].path, "the old build cannot be reproduced (%s): "
			         "comparing with the stored results instead", why ? why : "no memory");
		free(why);
	}
modes:
	count = set_modes(cur, old, ok, had);
out:
	for (size_t k = 0; kept && k < n; k++)
		free(kept[k]);
	for (size_t k = 0; libs && k < n; k++)
		objects_free(&libs[k]);
	free(kept);
	free(libs);
	free(ok);
	free(had);
	return count;
}

int paired_ab(const struct suite_opts *so, const char *old_prog, struct suite *cur,
              struct suite *old, struct stage *st)
{
	struct suite_opts o = *so;
	char *one[1] = {(char *)old_prog}, *why = NULL;
	struct object_list libs;
	int ok[1] = {1}, none[1] = {0};

	o.programs = one;
	o.nprograms = 1;
	if (suite_list(&o, old) != 0)
		return EXIT_USAGE;
	if (objects_list(old_prog, NULL, &libs, &why) != 0 ||
	    stage_pair(st, 0, old_prog, &libs, &old->programs[0], &cur->programs[0], &why) != 0) {
		/* Run them as they are: ab has no stored results to fall back on. */
		msg_warn("ab", "the two builds run from their own paths (%s): their layouts "
		         "may differ", why ? why : "cannot stage");
		free(old->programs[0].exec_path);
		free(cur->programs[0].exec_path);
		old->programs[0].exec_path = cur->programs[0].exec_path = NULL;
	}
	objects_free(&libs);
	free(why);
	set_modes(cur, old, ok, none);
	return 0;
}

void paired_measure(void *ctx, const int *only, unsigned rounds)
{
	struct measure_ctx *m = ctx;
	size_t n = m->cur->nbenches;
	int *old_sel = calloc(m->old->nbenches + 1, sizeof *old_sel);
	struct suite_opts so = m->so;

	so.processes = rounds;
	so.own_processes = only == NULL;  /* the first measurement */
	suite_measure_rounds(&so, m->cur, m->old, only, m->seed);
	/* The old build's side of the paired benchmarks measured now. */
	for (size_t i = 0; old_sel && i < n; i++) {
		const struct bench_result *b = &m->cur->benches[i];
		const struct bench_result *ob = suite_find(m->old, b->name);
		if ((!only || only[i]) && b->gate.mode == MODE_PAIRED && ob)
			old_sel[ob - m->old->benches] = 1;
	}
	if (old_sel)
		paired_analyse(m->old, m->o, old_sel);
	else
		msg_error(NULL, "out of memory");
	free(old_sel);
	paired_analyse(m->cur, m->o, only);
}
