/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The baseline store.  A baseline is the results document (document.h)
 * kept under a name, so whatever --json writes can be loaded back and
 * compared; this module only stores: names, the folder, the lock, the kept
 * programs, and temporaries a killed save left. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <ctype.h>
#include <dirent.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "baseline.h"
#include "document.h"
#include "files.h"
#include "objects.h"
#include "msg.h"

int baseline_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 100 || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                    "0123456789._-") == n;
}

const char *baseline_dir(const char *flag)
{
	const char *env = getenv(BASELINE_DIR_ENV);

	if (flag)
		return flag;
	return env && *env ? env : BASELINE_DIR_DEFAULT;
}

char *baseline_path(const char *dir, const char *name)
{
	char *path, shown[64];
	size_t i;

	if (!baseline_name_valid(name)) {
		/* Echo at most 60 bytes, control characters as '?': the message
		 * stays one line whatever the name holds. */
		for (i = 0; name[i] && i < 60; i++)
			shown[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
		strcpy(shown + i, name[i] ? "..." : "");
		msg_error(NULL, "baseline name '%s': use 1 to 100 letters, digits, '.', '_' "
		          "or '-' (not '.' or '..')", shown);
		return NULL;
	}
	return asprintf(&path, "%s/%s.json", dir, name) < 0 ? NULL : path;
}

/* Keep one file under programs/ as HASH-NAME (unless an identical copy is
 * there already): its place in *stored and its hash in *hash (owned). */
static int keep_file(const char *dir, const char *path, char **stored, char **hash)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char h[32], *rel = NULL, *abs = NULL;

	if (files_hash(path, h) != 0) {
		msg_error(path, "cannot read it to keep it with the baseline: %s", strerror(errno));
		return -1;
	}
	if (asprintf(&rel, "programs/%s-%s", h + 8, base) >= 0 &&
	    asprintf(&abs, "%s/%s", dir, rel) >= 0 &&
	    (access(abs, R_OK) == 0 || files_copy(path, abs) == 0) && (*hash = strdup(h))) {
		free(abs);
		*stored = rel;
		return 0;
	}
	msg_error(abs ? abs : dir, "cannot keep a copy of %s: %s", path, strerror(errno));
	free(rel);
	free(abs);
	return -1;
}

/* Keep one program and the non-system shared objects it loads, so that a
 * paired comparison runs exactly this build again (harness/stage.c); the
 * results document records them (document.h). */
static int keep_program(const char *dir, struct program *p)
{
	struct object_list l = {0};
	char *why = NULL;
	int rc = -1;

	if (keep_file(dir, p->path, &p->stored, &p->hash) != 0)
		goto out;
	if (objects_list(p->path, NULL, &l, &why) != 0) {
		/* Saved without "libraries": a paired comparison then keeps to
		 * programs that load none of their own, as with older baselines. */
		msg_warn(p->path, "cannot list its shared libraries to keep them (%s): saved "
		         "without them", why ? why : strerror(errno));
		rc = 0;
		goto out;
	}
	if (!(p->libs = calloc(l.n + 1, sizeof *p->libs)))
		goto out;
	p->libs_known = 1;
	for (size_t i = 0; i < l.n; i++) {
		struct kept_lib *k = &p->libs[p->nlibs];
		if (!(k->path = strdup(l.v[i].path)) ||
		    (l.v[i].soname && !(k->soname = strdup(l.v[i].soname)))) {
			free(k->path);
			goto out;
		}
		p->nlibs++;
		if (keep_file(dir, l.v[i].path, &k->stored, &k->hash) != 0)
			goto out;
	}
	rc = 0;
out:
	objects_free(&l);
	free(why);
	return rc;
}

static int keep_programs(const char *dir, struct suite *s)
{
	char *sub = NULL;

	if (asprintf(&sub, "%s/programs", dir) < 0 || (mkdir(sub, 0777) != 0 && errno != EEXIST)) {
		msg_error(sub ? sub : dir, "cannot create: %s", strerror(errno));
		free(sub);
		return -1;
	}
	free(sub);
	for (size_t i = 0; i < s->nprograms; i++)
		if (keep_program(dir, &s->programs[i]) != 0)
			return -1;
	return 0;
}

/* Whether `stored` (from the baseline file) names a file the store itself
 * kept: "programs/HEX-NAME" where HEX is the hash's own digits, NAME has
 * no '/' and is not "." or "..", and the file is a regular file (no
 * symbolic link) directly inside DIR/programs, or no file at all (which
 * kept_file reports as gone).  An edited baseline can then only point at
 * files the store kept, never at a path of its choosing. */
static int stored_confined(const char *dir, const char *stored, const char *hash)
{
	const char *name;
	char *path = NULL, *real = NULL, *real_dir = NULL, *sub = NULL;
	struct stat st;
	int ok = 0;

	if (strncmp(stored, "programs/", 9) != 0 || strlen(hash) != 24 ||
	    strncmp(hash, "fnv1a64:", 8) != 0 || strlen(stored) <= 9 + 17)
		return 0;
	name = stored + 9 + 17;
	if (strncmp(stored + 9, hash + 8, 16) != 0 || stored[25] != '-' || strchr(name, '/') ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (asprintf(&path, "%s/%s", dir, stored) < 0 || asprintf(&sub, "%s/programs", dir) < 0)
		goto out;
	if (lstat(path, &st) != 0) {
		ok = errno == ENOENT;  /* a well-formed name, nothing there: "gone" */
		goto out;
	}
	if (!S_ISREG(st.st_mode))
		goto out;
	real = realpath(path, NULL);
	real_dir = realpath(sub, NULL);
	ok = real && real_dir && !strncmp(real, real_dir, strlen(real_dir)) &&
	     real[strlen(real_dir)] == '/' && !strchr(real + strlen(real_dir) + 1, '/');
out:
	free(path);
	free(sub);
	free(real);
	free(real_dir);
	return ok;
}

/* The path of a kept file after checking where it is and its hash; NULL
 * after one warning.  `what` names it in messages. */
static char *kept_file(const char *dir, const char *stored, const char *hash, const char *what)
{
	char now[32], *path = NULL;

	if (!stored_confined(dir, stored, hash)) {
		msg_warn(what, "its kept copy '%s' is not a file the baseline store kept "
		         "(edited baseline?): not run; comparing with the stored results instead",
		         stored);
		return NULL;
	}
	if (asprintf(&path, "%s/%s", dir, stored) < 0)
		return NULL;
	if (files_hash(path, now) != 0)
		msg_warn(path, "the kept copy of %s is gone (%s): comparing with the stored "
		         "results instead", what, strerror(errno));
	else if (strcmp(now, hash) != 0)
		msg_warn(path, "the kept copy of %s was altered since it was stored (hash "
		         "mismatch): not run; comparing with the stored results instead", what);
	else
		return path;
	free(path);
	return NULL;
}

char *baseline_program(const char *dir, const struct program *p)
{
	if (!p->stored || !p->hash)
		return NULL;
	return kept_file(dir, p->stored, p->hash, p->path);
}

char *baseline_library(const char *dir, const struct kept_lib *l)
{
	return kept_file(dir, l->stored, l->hash, l->path);
}

/* Temporary files a killed save left behind.  In DIR, ".NAME.json.XXXXXX"
 * (document_write's): one of this name is removed at once (saves of
 * one name hold its lock, so its writer is gone), one of another name once
 * older than STALE_S (no save holds a lock that long).  In DIR/programs, a
 * copy cut short ("HASH-FILE.XXXXXX", files_copy's) once older than
 * STALE_S and only if its content does not match the hash its name
 * carries: a kept file always does, whatever its name looks like. */
#define STALE_S 3600

/* Whether `entry` ends in "." and six letters or digits (mkstemp's). */
static int mkstemp_suffix(const char *entry)
{
	const char *dot = strrchr(entry, '.');

	if (!dot || strlen(dot) != 7)
		return 0;
	for (int i = 1; i < 7; i++)
		if (!isalnum((unsigned char)dot[i]))
			return 0;
	return 1;
}

static int stale(const char *path, time_t now)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > STALE_S;
}

static void sweep(const char *dir, const char *name)
{
	char mine[160], *sub = NULL, *path;
	time_t now = time(NULL);
	struct dirent *e;
	DIR *d;

	snprintf(mine, sizeof mine, ".%s.json.", name);
	for (d = opendir(dir); d && (e = readdir(d));) {
		if (e->d_name[0] != '.' || !mkstemp_suffix(e->d_name) ||
		    !strstr(e->d_name, ".json.") || asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			continue;
		if ((!strncmp(e->d_name, mine, strlen(mine)) &&
		     strlen(e->d_name) == strlen(mine) + 6) || stale(path, now))
			unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	if (asprintf(&sub, "%s/programs", dir) < 0)
		return;
	for (d = opendir(sub); d && (e = readdir(d));) {
		char hash[32];
		if (!mkstemp_suffix(e->d_name) || strlen(e->d_name) < 18 || e->d_name[16] != '-' ||
		    asprintf(&path, "%s/%s", sub, e->d_name) < 0)
			continue;
		if (stale(path, now) && files_hash(path, hash) == 0 &&
		    strncmp(hash + 8, e->d_name, 16) != 0)
			unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	free(sub);
}

/* What one locked save writes: a document given, or one built from a
 * suite after its programs are kept. */
struct save {
	json_t *doc;                       /* given, or NULL */
	struct suite *s;                   /* else built from this */
	const struct report_settings *rs;
	const struct compare_summary *sum;
	int exit_status, keep;
};

/* Save under the lock of `name`, after sweeping what a killed save left. */
static int save_locked(const char *dir, const char *name, const struct save *sv)
{
	char *path = baseline_path(dir, name), *lock = NULL;
	json_t *doc = sv->doc ? json_incref(sv->doc) : NULL;
	int fd = -1, rc = -1;

	if (!path)
		goto out;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		msg_error(dir, "cannot create the baseline directory: %s", strerror(errno));
		goto out;
	}
	if (asprintf(&lock, "%s/.%s.lock", dir, name) < 0)
		lock = NULL;
	if (!lock || (fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0 ||
	    flock(fd, LOCK_EX) != 0) {
		msg_error(lock ? lock : dir, "cannot lock: %s", strerror(errno));
		goto out;
	}
	sweep(dir, name);
	if (!doc && sv->keep && keep_programs(dir, sv->s) != 0)
		goto out;
	if (!doc && !(doc = document_build(sv->s, sv->rs, sv->sum, sv->exit_status)))
		msg_error(path, "out of memory");
	else
		rc = document_write(path, doc);
out:
	json_decref(doc);
	if (fd >= 0)
		close(fd);  /* releases the lock */
	free(lock);
	free(path);
	return rc;
}

int baseline_save(const char *dir, const char *name, struct suite *s,
                  const struct report_settings *rs, const struct compare_summary *sum,
                  int exit_status, int keep)
{
	struct save sv = {NULL, s, rs, sum, exit_status, keep};

	return save_locked(dir, name, &sv);
}

int baseline_store(const char *dir, const char *name, json_t *doc)
{
	struct save sv = {doc, NULL, NULL, NULL, 0, 0};

	return save_locked(dir, name, &sv);
}
