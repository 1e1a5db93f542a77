/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Staging the old and the new build of a paired run (see stage.h).
 *
 * Layout: STAGE/o/NAME and STAGE/n/NAME, libraries in STAGE/o/lib/SONAME
 * and STAGE/n/lib/SONAME.  The two paths differ in one letter, so argv[0],
 * the auxiliary vector's file name and LD_PRELOAD have the same lengths on
 * both sides: the initial stack, and so the alignment of everything the
 * program puts there, is the same (a known source of layout bias between
 * two builds run from different folders). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "files.h"
#include "msg.h"
#include "objects.h"
#include "stage.h"

extern char **environ;

int stage_create(struct stage *st)
{
	const char *tmp = getenv("TMPDIR");

	if (asprintf(&st->dir, "%s/benchrun-stage-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
		st->dir = NULL;
		msg_error(NULL, "out of memory");
		return -1;
	}
	if (!mkdtemp(st->dir)) {
		msg_error(st->dir, "cannot create the paired run's folder: %s", strerror(errno));
		free(st->dir);
		st->dir = NULL;
		return -1;
	}
	return 0;
}

/* The environment of a staged program: benchrun's, with LD_PRELOAD led by
 * `preload`, the user's own LD_PRELOAD following when `with_user`. */
static char **environment(const char *preload, int with_user)
{
	size_t n = 0, k = 0;
	const char *user = with_user ? getenv("LD_PRELOAD") : NULL;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 2, sizeof *env)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 && !(env[k++] = strdup(environ[i])))
			goto fail;
	if (*preload && asprintf(&env[k++], "LD_PRELOAD=%s%s%s", preload, user && *user ? ":" : "",
	                         user ? user : "") < 0)
		goto fail;
	else if (!*preload && user && asprintf(&env[k++], "LD_PRELOAD=%s", user) < 0)
		goto fail;
	return env;
fail:
	env[k ? k - 1 : 0] = NULL;
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	return NULL;
}

/* Copy each library into DIR/lib/SONAME and list them for LD_PRELOAD. */
static int stage_libs(const char *dir, const struct stage_input *in, char **preload, char **why)
{
	char *lib = NULL, *list = strdup(""), *dst = NULL, *next;

	if (!list || asprintf(&lib, "%s/lib", dir) < 0 || (mkdir(lib, 0700) != 0 && errno != EEXIST))
		goto fail;
	for (size_t i = 0; i < in->nlibs; i++) {
		if (!in->sonames[i] || strchr(in->sonames[i], '/')) {
			free(lib);
			free(list);
			return asprintf(why, "%s has no soname, so it cannot be substituted",
			                in->lib_files[i]) < 0 ? -1 : -1;
		}
		if (asprintf(&dst, "%s/%s", lib, in->sonames[i]) < 0)
			goto fail;
		if (files_copy(in->lib_files[i], dst) != 0) {
			int err = errno;
			free(dst);
			free(lib);
			free(list);
			return asprintf(why, "cannot copy %s: %s", in->lib_files[i], strerror(err)) < 0
			       ? -1 : -1;
		}
		if (asprintf(&next, "%s%s%s", list, *list ? ":" : "", dst) < 0)
			goto fail;
		free(list);
		free(dst);
		list = next;
		dst = NULL;
	}
	free(lib);
	*preload = list;
	return 0;
fail:
	free(dst);
	free(lib);
	free(list);
	return asprintf(why, "cannot stage its libraries: %s", strerror(errno)) < 0 ? -1 : -1;
}

/* Whether every non-system object the staged program loads lies in `dir`,
 * asked without the user's own LD_PRELOAD (those objects are the user's
 * choice for both builds, not part of either). */
static int verify(const char *dir, const struct program *p, const char *preload, char **why)
{
	char **env = environment(preload, 0);
	struct object_list l;
	size_t len = strlen(dir);
	int rc = 0;

	if (!env)
		return -1;
	rc = objects_list(p->exec_path, env, &l, why);
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	if (rc != 0)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++)
		if (strncmp(l.v[i].path, dir, len) != 0 || l.v[i].path[len] != '/')
			rc = asprintf(why, "the staged program still loads %s", l.v[i].path) < 0 ? -1 : -1;
	objects_free(&l);
	return rc;
}

int stage_program(struct stage *st, char side, size_t index, const struct stage_input *in,
                  struct program *p, char **why)
{
	char *dir = NULL, *preload = NULL;
	int rc = -1;

	*why = NULL;
	if (asprintf(&dir, "%s/%c%zu", st->dir, side, index) < 0) {
		dir = NULL;
		goto out;
	}
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    asprintf(&p->exec_path, "%s/%s", dir, in->name) < 0) {
		p->exec_path = NULL;
		goto out;
	}
	if (files_copy(in->file, p->exec_path) != 0) {
		rc = asprintf(why, "cannot copy %s: %s", in->file, strerror(errno)) < 0 ? -1 : -1;
		goto out;
	}
	if (stage_libs(dir, in, &preload, why) != 0)
		goto out;
	if (!(p->envp = environment(preload, 1)))
		goto out;
	rc = verify(dir, p, preload, why);
out:
	if (rc != 0 && !*why && asprintf(why, "%s", strerror(errno ? errno : ENOMEM)) < 0)
		*why = NULL;
	free(preload);
	free(dir);
	return rc;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void stage_remove(struct stage *st)
{
	if (st->dir)
		nftw(st->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(st->dir);
	st->dir = NULL;
}
