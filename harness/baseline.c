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
#include <sys/stat.h>
#include <unistd.h>
#include "baseline.h"
#include "profile.h"
#include "counters.h"
#include "msg.h"
#include "report.h"

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

/* "fnv1a64:<16 hex digits>" of the file at `path` into out; 0 or -1.  Not a
 * cryptographic hash: it guards against a rebuilt or damaged copy, not
 * against someone forging one. */
static int file_hash(const char *path, char out[32])
{
	unsigned char buf[65536];
	uint64_t h = 14695981039346656037ull;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
	n = ferror(f);
	fclose(f);
	snprintf(out, 32, "fnv1a64:%016llx", (unsigned long long)h);
	return n ? -1 : 0;
}

/* Copy `src` to `dst` through a temporary file and a rename; 0 or -1. */
static int copy_file(const char *src, const char *dst)
{
	char *tmp = NULL, buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	ssize_t n;

	if (in < 0 || asprintf(&tmp, "%s.XXXXXX", dst) < 0 || (out = mkstemp(tmp)) < 0)
		goto done;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto done;
	if (n == 0 && fchmod(out, 0755) == 0 && fsync(out) == 0 && close(out) == 0) {
		out = -1;
		rc = rename(tmp, dst);
	}
done:
	if (out >= 0)
		close(out);
	if (rc != 0 && tmp)
		unlink(tmp);
	if (in >= 0)
		close(in);
	free(tmp);
	return rc;
}

/* Keep one program: copy it unless an identical copy is there already. */
static int keep_program(const char *dir, json_t *prog)
{
	const char *path = json_string_value(json_object_get(prog, "path")), *base;
	char hash[32], *rel = NULL, *abs = NULL;
	int rc = -1;

	if (!path || file_hash(path, hash) != 0) {
		msg_error(path ? path : dir, "cannot read the program to keep it: %s", strerror(errno));
		return -1;
	}
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (asprintf(&rel, "programs/%s-%s", hash + 8, base) >= 0 &&
	    asprintf(&abs, "%s/%s", dir, rel) >= 0 &&
	    (access(abs, X_OK) == 0 || copy_file(path, abs) == 0)) {
		json_object_set_new(prog, "stored", json_string(rel));
		json_object_set_new(prog, "hash", json_string(hash));
		rc = 0;
	} else {
		msg_error(abs ? abs : dir, "cannot keep a copy of the program: %s", strerror(errno));
	}
	free(rel);
	free(abs);
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

char *baseline_program(const char *dir, const struct program *p)
{
	char hash[32], *path = NULL;

	if (!p->stored || !p->hash)
		return NULL;
	if (asprintf(&path, "%s/%s", dir, p->stored) < 0)
		return NULL;
	if (file_hash(path, hash) != 0)
		msg_warn(path, "the kept program is gone (%s): comparing with the stored results "
		         "instead", strerror(errno));
	else if (strcmp(hash, p->hash) != 0)
		msg_warn(path, "the kept program was altered since it was stored (hash mismatch): "
		         "not run; comparing with the stored results instead");
	else
		return path;
	free(path);
	return NULL;
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
		b->reason = strdup(reason ? reason : status);
	}
	if (counters_from_json(o, b, err, sizeof err) != 0)
		return bad(l, "%s", err);
	if (json_is_object(json_object_get(o, "profile")) &&
	    profile_from_json(json_object_get(o, "profile"), &b->profile, err, sizeof err) != 0)
		return bad(l, "%s", err);
	return load_processes(l, json_object_get(o, "processes"), b);
}

static char *dup_member(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return strdup(v ? v : "");
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
		if (json_is_string(json_object_get(p, "stored"))) {
			s->programs[i].stored = dup_member(p, "stored");
			s->programs[i].hash = dup_member(p, "hash");
		}
		s->nprograms = i + 1;
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
	const char *schema;
	json_int_t version;
	json_t *benches, *o;
	json_error_t je;
	size_t i;

	if (json_unpack_ex(doc, &je, 0, "{s:s, s:I, s:o}", "schema", &schema, "schema_version",
	                   &version, "benchmarks", &benches) != 0)
		return bad(l, "not a benchrun results file: %s", je.text);
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
	}
	return 0;
}

int baseline_load(const char *path, struct suite *s, json_t **doc)
{
	struct loader l = {path, "top level"};
	json_error_t je;

	memset(s, 0, sizeof *s);
	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!*doc) {
		if (je.line < 0)
			msg_error(path, "%s", je.text);
		else
			msg_error(path, "line %d, column %d: %s", je.line, je.column, je.text);
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
