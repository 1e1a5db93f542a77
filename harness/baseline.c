/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The baseline store.  A baseline is the results document (see
 * docs/json-schema.md) kept under a name, so whatever --json writes can be
 * loaded back and compared. */
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
#include "usercounters.h"
#include "files.h"
#include "objects.h"
#include "profile.h"
#include "counters.h"
#include "msg.h"
#include "report.h"
#include "units.h"

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
 * there already), recording "stored" and "hash" in `rec`. */
static int keep_file(const char *dir, const char *path, json_t *rec)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char hash[32], *rel = NULL, *abs = NULL;
	int rc = -1;

	if (files_hash(path, hash) != 0) {
		msg_error(path, "cannot read it to keep it with the baseline: %s", strerror(errno));
		return -1;
	}
	if (asprintf(&rel, "programs/%s-%s", hash + 8, base) >= 0 &&
	    asprintf(&abs, "%s/%s", dir, rel) >= 0 &&
	    (access(abs, R_OK) == 0 || files_copy(path, abs) == 0)) {
		json_object_set_new(rec, "stored", json_string(rel));
		json_object_set_new(rec, "hash", json_string(hash));
		rc = 0;
	} else {
		msg_error(abs ? abs : dir, "cannot keep a copy of %s: %s", path, strerror(errno));
	}
	free(rel);
	free(abs);
	return rc;
}

/* Keep one program and the non-system shared objects it loads, so that a
 * paired comparison runs exactly this build again (harness/stage.c). */
static int keep_program(const char *dir, json_t *prog)
{
	const char *path = json_string_value(json_object_get(prog, "path"));
	json_t *libs = json_array();
	struct object_list l = {0};
	char *why = NULL;
	int rc = -1;

	if (!path || !libs || keep_file(dir, path, prog) != 0)
		goto out;
	if (objects_list(path, NULL, &l, &why) != 0) {
		/* Saved without "libraries": a paired comparison then keeps to
		 * programs that load none of their own, as with older baselines. */
		msg_warn(path, "cannot list its shared libraries to keep them (%s): saved without "
		         "them", why ? why : strerror(errno));
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		json_t *rec = json_pack("{s:s}", "path", l.v[i].path);
		if (!rec || json_array_append_new(libs, rec) != 0 ||
		    (l.v[i].soname && json_object_set_new(rec, "soname",
		                                          json_string(l.v[i].soname)) != 0) ||
		    keep_file(dir, l.v[i].path, rec) != 0)
			goto out;
	}
	json_object_set(prog, "libraries", libs);
	rc = 0;
out:
	json_decref(libs);
	objects_free(&l);
	free(why);
	return rc;
}

static int keep_programs(const char *dir, json_t *doc)
{
	json_t *progs = json_object_get(doc, "programs"), *p;
	char *sub = NULL;
	size_t i;

	if (asprintf(&sub, "%s/programs", dir) < 0 || (mkdir(sub, 0777) != 0 && errno != EEXIST)) {
		msg_error(sub ? sub : dir, "cannot create: %s", strerror(errno));
		free(sub);
		return -1;
	}
	free(sub);
	json_array_foreach(progs, i, p)
		if (keep_program(dir, p) != 0)
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
 * (report_json_write's): one of this name is removed at once (saves of
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

int baseline_save(const char *dir, const char *name, json_t *doc, int keep)
{
	char *path = baseline_path(dir, name), *lock = NULL;
	int fd = -1, rc = -1;

	if (!path)
		return -1;
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
	if (!keep || keep_programs(dir, doc) == 0)
		rc = report_json_write(path, doc);
out:
	if (fd >= 0)
		close(fd);  /* releases the lock */
	free(lock);
	free(path);
	return rc;
}

/* Loading: every problem is reported as "FILE: WHERE: WHAT". */
struct loader {
	const char *path;
	char where[96];
};

static int bad(struct loader *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct loader *l, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	msg_error(l->path, "%s: %s", l->where, what);
	return -1;
}

static int load_samples(struct loader *l, json_t *arr, struct proc_run *p)
{
	size_t k;
	json_t *s;

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return bad(l, "\"samples\" must be a non-empty array");
	p->samples = calloc(json_array_size(arr), sizeof *p->samples);
	if (!p->samples)
		return bad(l, "out of memory");
	json_array_foreach(arr, k, s) {
		json_t *it = json_array_get(s, 0), *ns = json_array_get(s, 1);
		if (json_array_size(s) != 2 || !json_is_integer(it) || json_integer_value(it) <= 0 ||
		    !json_is_number(ns) || json_number_value(ns) < 0)
			return bad(l, "samples[%zu]: expected [iterations > 0, nanoseconds >= 0]", k);
		p->samples[k] = (struct sample){(uint64_t)json_integer_value(it), json_number_value(ns)};
	}
	p->nsamples = p->cap = json_array_size(arr);
	return 0;
}

static int load_processes(struct loader *l, json_t *arr, struct bench_result *b)
{
	size_t base = strlen(l->where), i;
	char err[160];
	json_t *p;

	if (!json_is_array(arr))
		return bad(l, "\"processes\" must be an array");
	b->procs = calloc(json_array_size(arr) + 1, sizeof *b->procs);
	if (!b->procs)
		return bad(l, "out of memory");
	json_array_foreach(arr, i, p) {
		json_int_t round = 0;
		json_error_t je;
		snprintf(l->where + base, sizeof l->where - base, ".processes[%zu]", i);
		if (json_unpack_ex(p, &je, 0, "{s:I}", "round", &round) != 0)
			return bad(l, "%s", je.text);
		if (round < 1 || round > 1000000)
			return bad(l, "\"round\" must be from 1 to 1000000");
		b->procs[i].round = (unsigned)round;
		b->nprocs = b->cap = i + 1;  /* owned from here, freed on error */
		if (load_samples(l, json_object_get(p, "samples"), &b->procs[i]) != 0)
			return -1;
		if (counters_process_from_json(p, b, &b->procs[i], err, sizeof err) != 0)
			return bad(l, "%s", err);
	}
	l->where[base] = '\0';
	return 0;
}

/* A definition's own settings as report_json writes them (absent in
 * baselines of older versions: none). */
static int load_settings(struct loader *l, json_t *o, struct bench_settings *set)
{
	json_int_t iters = 0, procs = 0;
	json_error_t je;

	if (!o)
		return 0;
	if (json_unpack_ex(o, &je, JSON_STRICT, "{s?F, s?I, s?I, s?F}", "measure_time",
	                   &set->measure_time, "iterations", &iters, "processes", &procs,
	                   "timeout_s", &set->timeout_s) != 0)
		return bad(l, "\"settings\": %s", je.text);
	if (iters < 0 || procs < 0 || procs > 100000 || !(set->measure_time >= 0) ||
	    !(set->timeout_s >= 0))
		return bad(l, "\"settings\": a negative or impossible figure");
	set->iterations = (uint64_t)iters;
	set->processes = (unsigned)procs;
	return 0;
}

static int load_bench(struct loader *l, json_t *o, struct bench_result *b)
{
	const char *name, *group, *function, *program, *status, *param = NULL;
	json_t *bytes = NULL, *items = NULL;
	char err[160];
	json_error_t je;

	if (json_unpack_ex(o, &je, 0, "{s:s, s:s, s:s, s:s, s:s, s?o, s?o}", "name", &name,
	                   "group", &group, "function", &function, "program", &program,
	                   "status", &status, "bytes_per_iter", &bytes, "items_per_iter",
	                   &items) != 0)
		return bad(l, "%s", je.text);
	param = json_string_value(json_object_get(o, "param"));
	b->name = strdup(name);
	b->group = strdup(group);
	b->function = strdup(function);
	b->param = param ? strdup(param) : NULL;
	b->program = strdup(program);
	b->bytes_per_iter = json_is_number(bytes) ? json_number_value(bytes) : 0;
	b->items_per_iter = json_is_number(items) ? json_number_value(items) : 0;
	if (strcmp(status, "ok") != 0) {
		const char *reason = json_string_value(json_object_get(o, "reason"));
		b->failed = 1;
		b->skipped = !strcmp(status, "skipped");
		b->reason = strdup(reason ? reason : status);
	}
	if (json_string_value(json_object_get(o, "label")))
		b->label = strdup(json_string_value(json_object_get(o, "label")));
	if (json_is_object(json_object_get(o, "complexity_function"))) {
		json_t *cf = json_object_get(o, "complexity_function");
		const char *cn = json_string_value(json_object_get(cf, "name"));
		if (cn && json_is_number(json_object_get(cf, "g"))) {
			b->complexity_name = strdup(cn);
			b->complexity_g = json_number_value(json_object_get(cf, "g"));
		}
	}
	if (load_settings(l, json_object_get(o, "settings"), &b->set) != 0)
		return -1;
	if (json_integer_value(json_object_get(o, "threads")) > 0 &&
	    json_integer_value(json_object_get(o, "threads")) <= 1024)
		b->threads = (unsigned)json_integer_value(json_object_get(o, "threads"));
	if (counters_from_json(o, b, err, sizeof err) != 0)
		return bad(l, "%s", err);
	if (json_is_object(json_object_get(o, "profile")) &&
	    profile_from_json(json_object_get(o, "profile"), &b->profile, err, sizeof err) != 0)
		return bad(l, "%s", err);
	if (load_processes(l, json_object_get(o, "processes"), b) != 0)
		return -1;
	if (user_counters_from_json(o, b, err, sizeof err) != 0)
		return bad(l, "%s", err);
	return 0;
}

static char *dup_member(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return strdup(v ? v : "");
}

/* The shared objects kept with a program (absent in baselines of older
 * versions: then libs_known stays 0). */
static int load_libraries(struct loader *l, json_t *arr, struct program *p)
{
	size_t base = strlen(l->where), i;
	json_t *o;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad(l, "\"libraries\" must be an array");
	if (!(p->libs = calloc(json_array_size(arr) + 1, sizeof *p->libs)))
		return bad(l, "out of memory");
	p->libs_known = 1;
	json_array_foreach(arr, i, o) {
		const char *path, *stored, *hash, *soname = NULL;
		json_error_t je;
		snprintf(l->where + base, sizeof l->where - base, ".libraries[%zu]", i);
		if (json_unpack_ex(o, &je, 0, "{s:s, s:s, s:s, s?s}", "path", &path, "stored",
		                   &stored, "hash", &hash, "soname", &soname) != 0)
			return bad(l, "%s", je.text);
		p->libs[i] = (struct kept_lib){strdup(path), soname ? strdup(soname) : NULL,
		                               strdup(stored), strdup(hash)};
		p->nlibs = i + 1;
	}
	l->where[base] = '\0';
	return 0;
}

/* The programs that measured the results, with their protocol headers. */
static int load_programs(struct loader *l, json_t *arr, struct suite *s)
{
	json_t *p, *timer;
	size_t i;

	if (!json_is_array(arr))
		return 0;  /* optional: written by every version, needed by none */
	s->programs = calloc(json_array_size(arr) + 1, sizeof *s->programs);
	if (!s->programs)
		return bad(l, "out of memory");
	json_array_foreach(arr, i, p) {
		struct protocol_header *h = &s->programs[i].hdr;
		snprintf(l->where, sizeof l->where, "programs[%zu]", i);
		if (!json_is_string(json_object_get(p, "path")))
			return bad(l, "\"path\" must be a string");
		s->programs[i].path = dup_member(p, "path");
		s->nprograms = i + 1;
		if (json_is_string(json_object_get(p, "stored"))) {
			s->programs[i].stored = dup_member(p, "stored");
			s->programs[i].hash = dup_member(p, "hash");
		}
		if (load_libraries(l, json_object_get(p, "libraries"), &s->programs[i]) != 0)
			return -1;
		h->protocol = 1;
		h->library = dup_member(p, "library");
		h->compiler = dup_member(p, "compiler");
		h->cflags = dup_member(p, "cflags");
		h->build_id = dup_member(p, "build_id");
		h->program = strdup(s->programs[i].path);
		timer = json_object_get(p, "timer");
		h->clock = dup_member(timer, "clock");
		h->timer_read_ns = json_number_value(json_object_get(timer, "read_ns"));
		h->timer_resolution_ns = json_number_value(json_object_get(timer, "resolution_ns"));
	}
	return 0;
}

static int load_doc(struct loader *l, json_t *doc, struct suite *s)
{
	const char *schema, *measure = "time";
	json_int_t version;
	json_t *benches, *o;
	json_error_t je;
	size_t i;

	if (json_unpack_ex(doc, &je, 0, "{s:s, s:I, s:o, s?s}", "schema", &schema,
	                   "schema_version", &version, "benchmarks", &benches, "measure",
	                   &measure) != 0)
		return bad(l, "not a benchrun results file: %s", je.text);
	if ((s->measure = units_measure_parse(measure)) < 0)
		return bad(l, "\"measure\" is '%s', not time or instructions", measure);
	if (strcmp(schema, "benchrun-results") != 0 || version != REPORT_JSON_SCHEMA_VERSION)
		return bad(l, "schema %s version %lld; this benchrun reads benchrun-results "
		           "version %d", schema, (long long)version, REPORT_JSON_SCHEMA_VERSION);
	if (!json_is_array(benches))
		return bad(l, "\"benchmarks\" must be an array");
	if (load_programs(l, json_object_get(doc, "programs"), s) != 0)
		return -1;
	s->benches = calloc(json_array_size(benches) + 1, sizeof *s->benches);
	if (!s->benches)
		return bad(l, "out of memory");
	json_array_foreach(benches, i, o) {
		snprintf(l->where, sizeof l->where, "benchmarks[%zu]", i);
		s->nbenches = i + 1;
		if (load_bench(l, o, &s->benches[i]) != 0)
			return -1;
		s->benches[i].measure = s->measure;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(s->benches[k].name, s->benches[i].name))
				return bad(l, "benchmark '%s' is also benchmarks[%zu]", s->benches[i].name,
				           k);
	}
	return 0;
}

int baseline_load(const char *path, struct suite *s, json_t **doc)
{
	struct loader l = {path, "top level"};
	json_error_t je;

	struct stat st;

	memset(s, 0, sizeof *s);
	*doc = NULL;
	if (stat(path, &st) != 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		msg_error(path, "not a baseline file (%s)", S_ISDIR(st.st_mode) ? "a directory"
		                                                                : "not a regular file");
		return -1;
	}
	errno = 0;
	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!*doc) {
		/* jansson leaves the text empty when an allocation failed. */
		const char *why = *je.text ? je.text : errno ? strerror(errno) : "out of memory";
		if (je.line < 0 || !*je.text)
			msg_error(path, "%s", why);
		else
			msg_error(path, "line %d, column %d: %s", je.line, je.column, why);
		return -1;
	}
	if (load_doc(&l, *doc, s) != 0) {
		json_decref(*doc);
		*doc = NULL;
		suite_free(s);
		return -1;
	}
	return 0;
}
