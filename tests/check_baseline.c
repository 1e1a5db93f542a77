/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/baseline.c (and the atomic write of
 * harness/report_json.c under it): names and the store directory, a save
 * and load round trip, corrupt files reported with file and position and
 * left untouched, and saves that are interrupted, run out of disk or race
 * each other without ever leaving a half-written baseline. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"
#include <jansson.h>

#include "baseline.h"
#include "document.h"
#include "options.h"
#include "report.h"

/* What json_dump is asked for by document_write(), to predict sizes. */
#define DUMP_FLAGS (JSON_INDENT(1) | JSON_SORT_KEYS)

static char tmpdir[PATH_MAX];   /* fresh per test */
static char storedir[PATH_MAX + 16]; /* tmpdir/store: the baseline directory */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/check_baseline.XXXXXX",
	         base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(storedir, sizeof storedir, "%s/store", tmpdir);
	ck_assert_int_eq(mkdir(storedir, 0777), 0);
	umask(022);
}

static void tmp_teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The whole file, NUL-terminated, or NULL when it cannot be read. */
static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* stderr, redirected into a file around a call. */
struct capture {
	int saved;
	char path[PATH_MAX + 16];
};

static void capture_start(struct capture *c)
{
	int fd;

	snprintf(c->path, sizeof c->path, "%s/stderr.txt", tmpdir);
	fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	c->saved = dup(2);
	ck_assert_int_ge(c->saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	close(fd);
}

/* What was written to stderr since capture_start(); owned by the caller. */
static char *capture_end(struct capture *c)
{
	char *text;

	fflush(stderr);
	ck_assert_int_eq(dup2(c->saved, 2), 2);
	close(c->saved);
	text = check_slurp(c->path, NULL);
	ck_assert_ptr_nonnull(text);
	unlink(c->path);
	return text;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Entries of storedir whose name starts with `prefix`. */
static size_t count_prefixed(const char *prefix)
{
	size_t n = 0;
	int fd = open(storedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	for (;;) {
		char buf[8192];
		long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
		ck_assert_int_ge(got, 0);
		if (got == 0)
			break;
		for (long off = 0; off < got;) {
			const char *name = buf + off + 19;  /* d_ino, d_off, d_reclen, d_type */
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof reclen);
			n += strncmp(name, prefix, strlen(prefix)) == 0;
			off += reclen;
		}
	}
	close(fd);
	return n;
}

/* ---- Constructed results ---- */

static void program_init(struct program *p, const char *path)
{
	p->path = strdup(path);
	p->hdr.protocol = 1;
	p->hdr.library = strdup("0.1.0");
	p->hdr.program = strdup(path);
	p->hdr.compiler = strdup("gcc 12.2.0");
	p->hdr.cflags = strdup("-O2 -g");
	p->hdr.build_id = strdup("0123abcd");
	p->hdr.clock = strdup("CLOCK_MONOTONIC_RAW");
	p->hdr.timer_read_ns = 18.5;
	p->hdr.timer_resolution_ns = 1;
}

/* Benchmark group/function[/param] of `program`: nprocs processes in rounds
 * 1..nprocs with nsamples samples each, times on a line of slope `slope`
 * with a little per-sample wobble, so no two samples are alike. */
static void bench_init(struct bench_result *b, const char *group, const char *function,
                       const char *param, const char *program, size_t nprocs,
                       size_t nsamples, double slope)
{
	b->group = strdup(group);
	b->function = strdup(function);
	b->param = param ? strdup(param) : NULL;
	b->name = param ? check_asprintf("%s/%s/%s", group, function, param)
	                : check_asprintf("%s/%s", group, function);
	b->program = strdup(program);
	b->procs = calloc(nprocs, sizeof *b->procs);
	ck_assert_ptr_nonnull(b->procs);
	b->nprocs = b->cap = nprocs;
	for (size_t p = 0; p < nprocs; p++) {
		struct proc_run *pr = &b->procs[p];
		pr->round = (unsigned)p + 1;
		pr->warmup_iters = 1000;
		pr->warmup_ns = 12345.5;
		pr->samples = calloc(nsamples, sizeof *pr->samples);
		ck_assert_ptr_nonnull(pr->samples);
		pr->nsamples = pr->cap = nsamples;
		for (size_t k = 0; k < nsamples; k++) {
			uint64_t it = 1000 * (k + 1) + p;
			pr->samples[k] = (struct sample){it, 40.0 + slope * (double)it +
			                                 (double)((k * 7 + p * 3) % 11) / 3.0};
		}
	}
}

/* The round-trip suite: two programs, "alpha/copy/64" measured in 3
 * processes of 4 samples, and "beta/parse" that failed after 3 of them. */
static void small_suite(struct suite *s)
{
	memset(s, 0, sizeof *s);
	s->programs = calloc(2, sizeof *s->programs);
	ck_assert_ptr_nonnull(s->programs);
	s->nprograms = 2;
	program_init(&s->programs[0], "./bench/alpha");
	program_init(&s->programs[1], "/opt/beta");
	s->benches = calloc(2, sizeof *s->benches);
	ck_assert_ptr_nonnull(s->benches);
	s->nbenches = 2;
	bench_init(&s->benches[0], "alpha", "copy", "64", "./bench/alpha", 3, 4, 1.0 / 3);
	s->benches[0].bytes_per_iter = 64;
	s->benches[0].set.iterations = 7;       /* the definition's own settings */
	s->benches[0].set.timeout_s = 2.5;
	bench_init(&s->benches[1], "beta", "parse", NULL, "/opt/beta", 3, 4, 2.5);
	s->benches[1].failed = 1;
	s->benches[1].reason = strdup("crashed with SIGSEGV (address not mapped)");
	s->benches[1].procs[2].samples[3].iters = UINT64_C(1) << 40;  /* beyond 32 bits */
	s->elapsed_s = 1.25;
	s->context = json_pack("{s:{s:s}}", "machine", "cpu_model", "Test CPU");
}

/* A results document of nbench benchmarks x 5 processes x nsamples samples:
 * about 80 bytes a sample, so big ones take a while to write. */
static json_t *big_doc(size_t nbench, size_t nsamples, double slope)
{
	struct options o;
	struct report_settings rs;
	char *argv[] = {"check_baseline", NULL};
	struct suite s = {0};
	json_t *doc;

	ck_assert_int_eq(options_parse(1, argv, &o), 0);
	s.benches = calloc(nbench, sizeof *s.benches);
	ck_assert_ptr_nonnull(s.benches);
	s.nbenches = nbench;
	for (size_t i = 0; i < nbench; i++) {
		char fn[32];
		snprintf(fn, sizeof fn, "f%zu", i);
		bench_init(&s.benches[i], "big", fn, NULL, "./big", 5, nsamples, slope + (double)i);
	}
	options_report_settings(&o, &rs);
	doc = document_build(&s, &rs, NULL, 0);
	ck_assert_ptr_nonnull(doc);
	suite_free(&s);
	return doc;
}

static json_t *small_doc(struct suite *s)
{
	struct options o;
	struct report_settings rs;
	char *argv[] = {"check_baseline", NULL};
	json_t *doc;

	ck_assert_int_eq(options_parse(1, argv, &o), 0);
	small_suite(s);
	options_report_settings(&o, &rs);
	doc = document_build(s, &rs, NULL, 0);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

static void assert_same_bench(const struct bench_result *a, const struct bench_result *b)
{
	ck_assert_str_eq(b->name, a->name);
	ck_assert_str_eq(b->group, a->group);
	ck_assert_str_eq(b->function, a->function);
	if (a->param)
		ck_assert_str_eq(b->param, a->param);
	else
		ck_assert_ptr_null(b->param);
	ck_assert_str_eq(b->program, a->program);
	ck_assert_double_eq(b->bytes_per_iter, a->bytes_per_iter);
	ck_assert_uint_eq(b->set.iterations, a->set.iterations);
	ck_assert_uint_eq(b->set.processes, a->set.processes);
	ck_assert_double_eq(b->set.measure_time, a->set.measure_time);
	ck_assert_double_eq(b->set.timeout_s, a->set.timeout_s);
	ck_assert_int_eq(!!b->failed, !!a->failed);
	if (a->reason)
		ck_assert_str_eq(b->reason, a->reason);
	else
		ck_assert_ptr_null(b->reason);
	ck_assert_uint_eq(b->nprocs, a->nprocs);
	for (size_t p = 0; p < a->nprocs; p++) {
		ck_assert_uint_eq(b->procs[p].round, a->procs[p].round);
		ck_assert_uint_eq(b->procs[p].nsamples, a->procs[p].nsamples);
		for (size_t k = 0; k < a->procs[p].nsamples; k++) {
			ck_assert_uint_eq(b->procs[p].samples[k].iters, a->procs[p].samples[k].iters);
			/* %.17g in the file: every double comes back exactly */
			ck_assert_double_eq(b->procs[p].samples[k].ns, a->procs[p].samples[k].ns);
		}
	}
}

/* ---- Names and places ---- */

static const char *const valid_names[] = {
	"before", "v1.2_rc-3", "a", "...", "-", "A9._-z",
	/* 100 characters: the longest allowed */
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};

static const char *const invalid_names[] = {
	"", ".", "..", "a/b", "../x", "/abs", "x y", "tab\there", "é",
	"star*", "q?", "back\\slash",
	/* 101 characters */
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy",
};

START_TEST(test_name_valid)
{
	const char *name = valid_names[_i];
	char *path = baseline_path("dir", name), *want = check_asprintf("dir/%s.json", name);

	ck_assert_msg(baseline_name_valid(name), "'%s' should be valid", name);
	ck_assert_str_eq(path, want);
	free(path);
	free(want);
}
END_TEST

START_TEST(test_name_invalid)
{
	const char *name = invalid_names[_i];
	struct capture c;
	char *err, *path;

	ck_assert_msg(!baseline_name_valid(name), "'%s' should be invalid", name);
	capture_start(&c);
	path = baseline_path("dir", name);
	err = capture_end(&c);
	ck_assert_ptr_null(path);
	ck_assert_uint_eq(count_lines(err), 1);
	ck_assert_msg(!strncmp(err, "benchrun: baseline name '", 25), "message: %s", err);
	free(err);
}
END_TEST

/* The message about a name stays one line whatever the name holds: a
 * newline in it must not split the message. */
START_TEST(test_name_message_one_line)
{
	struct capture c;
	char *err, *path;

	ck_assert(!baseline_name_valid("new\nline"));
	capture_start(&c);
	path = baseline_path("dir", "new\nline");
	err = capture_end(&c);
	ck_assert_ptr_null(path);
	ck_assert_msg(count_lines(err) == 1, "the message is split over lines:\n%s", err);
	free(err);
}
END_TEST

/* An invalid name is refused before anything touches the disk. */
START_TEST(test_save_invalid_name)
{
	struct suite s;
	json_t *doc = small_doc(&s);
	char *err, *escaped = check_asprintf("%s/escape.json", tmpdir);
	struct capture c;

	capture_start(&c);
	ck_assert_int_eq(baseline_store(storedir, "../escape", doc), -1);
	err = capture_end(&c);
	ck_assert_uint_eq(count_lines(err), 1);
	ck_assert_uint_eq(count_prefixed(""), 2);  /* only "." and "..": no lock, no file */
	ck_assert_int_eq(access(escaped, F_OK), -1);
	free(err);
	free(escaped);
	json_decref(doc);
	suite_free(&s);
}
END_TEST

START_TEST(test_dir_precedence)
{
	ck_assert_int_eq(unsetenv(BASELINE_DIR_ENV), 0);
	ck_assert_str_eq(baseline_dir(NULL), "baselines");
	ck_assert_str_eq(baseline_dir("flagdir"), "flagdir");
	ck_assert_int_eq(setenv(BASELINE_DIR_ENV, "envdir", 1), 0);
	ck_assert_str_eq(baseline_dir(NULL), "envdir");
	ck_assert_str_eq(baseline_dir("flagdir"), "flagdir");
	/* set but empty counts as unset */
	ck_assert_int_eq(setenv(BASELINE_DIR_ENV, "", 1), 0);
	ck_assert_str_eq(baseline_dir(NULL), "baselines");
}
END_TEST

/* ---- Round trip ---- */

START_TEST(test_round_trip)
{
	struct suite s, back;
	json_t *doc = small_doc(&s), *doc_back = NULL;
	char *path = check_asprintf("%s/before.json", storedir);

	ck_assert_int_eq(baseline_store(storedir, "before", doc), 0);
	ck_assert_int_eq(document_load(path, &back, &doc_back), 0);
	ck_assert_ptr_nonnull(doc_back);
	ck_assert_uint_eq(back.nbenches, 2);
	for (size_t i = 0; i < 2; i++)
		assert_same_bench(&s.benches[i], &back.benches[i]);
	/* the document itself, context and all, comes back whole */
	ck_assert_msg(json_equal(doc, doc_back), "loaded document differs from the saved one");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	                 json_object_get(doc_back, "context"), "machine"), "cpu_model")), "Test CPU");
	/* no temporary left; the lock file is the only other entry */
	ck_assert_uint_eq(count_prefixed(".before.json."), 0);
	json_decref(doc);
	json_decref(doc_back);
	suite_free(&s);
	suite_free(&back);
	free(path);
}
END_TEST

/* The header promises the programs are loaded too: a document written from
 * a loaded suite (--load-baseline with --json or --save-baseline, compare
 * with --json) must not lose them. */
START_TEST(test_load_programs)
{
	struct suite s, back;
	json_t *doc = small_doc(&s), *doc_back = NULL;
	char *path = check_asprintf("%s/progs.json", storedir);

	ck_assert_int_eq(baseline_store(storedir, "progs", doc), 0);
	ck_assert_int_eq(document_load(path, &back, &doc_back), 0);
	ck_assert_msg(back.nprograms == 2, "document_load filled %zu programs, not 2",
	              back.nprograms);
	ck_assert_str_eq(back.programs[0].path, "./bench/alpha");
	ck_assert_str_eq(back.programs[1].path, "/opt/beta");
	ck_assert_str_eq(back.programs[1].hdr.build_id, "0123abcd");
	json_decref(doc);
	json_decref(doc_back);
	suite_free(&s);
	suite_free(&back);
	free(path);
}
END_TEST

/* Kept copies travel with the programs both ways: what the store kept
 * (stored, hash, shared objects) is written by the document and read
 * back, so a document written from a loaded baseline still names them. */
START_TEST(test_kept_round_trip)
{
	struct suite s, back, again;
	struct report_settings rs = {.processes = 3, .samples = 4, .conf_level = 0.95};
	json_t *doc, *doc_back = NULL, *lib;
	char *path = check_asprintf("%s/keptrt.json", storedir);
	struct program *p;

	small_suite(&s);
	p = &s.programs[0];
	p->stored = strdup("programs/0123456789abcdef-alpha");
	p->hash = strdup("fnv1a64:0123456789abcdef");
	p->libs = calloc(2, sizeof *p->libs);
	ck_assert_ptr_nonnull(p->libs);
	p->libs[0] = (struct kept_lib){strdup("/b/libm.so.1"), strdup("libm.so.1"),
	                               strdup("programs/fedcba9876543210-libm.so.1"),
	                               strdup("fnv1a64:fedcba9876543210")};
	p->nlibs = p->libs_known = 1;
	ck_assert_ptr_nonnull(doc = document_build(&s, &rs, NULL, 0));
	lib = json_array_get(json_object_get(json_array_get(json_object_get(doc, "programs"), 0),
	                                     "libraries"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(lib, "soname")), "libm.so.1");
	ck_assert_ptr_null(json_object_get(json_array_get(json_object_get(doc, "programs"), 1),
	                                   "stored"));
	ck_assert_int_eq(baseline_store(storedir, "keptrt", doc), 0);
	ck_assert_int_eq(document_load(path, &back, &doc_back), 0);
	ck_assert_str_eq(back.programs[0].stored, p->stored);
	ck_assert_str_eq(back.programs[0].hash, p->hash);
	ck_assert_uint_eq(back.programs[0].nlibs, 1);
	ck_assert_str_eq(back.programs[0].libs[0].stored, p->libs[0].stored);
	ck_assert_ptr_null(back.programs[1].stored);
	json_decref(doc);
	/* and written again from the loaded suite, the same document */
	ck_assert_ptr_nonnull(doc = document_build(&back, &rs, NULL, 0));
	ck_assert_int_eq(baseline_store(storedir, "keptrt", doc), 0);
	json_decref(doc);
	json_decref(doc_back);
	ck_assert_int_eq(document_load(path, &again, &doc_back), 0);
	ck_assert_str_eq(again.programs[0].libs[0].soname, "libm.so.1");
	json_decref(doc_back);
	suite_free(&s);
	suite_free(&back);
	suite_free(&again);
	free(path);
}
END_TEST

/* mkstemp makes 0600; the baseline is for sharing and follows the umask. */
START_TEST(test_mode_follows_umask)
{
	static const struct { mode_t mask, mode; } cases[] = {
		{022, 0644}, {027, 0640}, {077, 0600}, {002, 0664},
	};
	struct suite s;
	json_t *doc = small_doc(&s);
	char *path = check_asprintf("%s/m.json", storedir);
	struct stat st;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		umask(cases[i].mask);
		ck_assert_int_eq(baseline_store(storedir, "m", doc), 0);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_msg((st.st_mode & 07777) == cases[i].mode, "umask %03o gave mode %04o",
		              (unsigned)cases[i].mask, (unsigned)(st.st_mode & 07777));
	}
	umask(022);
	json_decref(doc);
	suite_free(&s);
	free(path);
}
END_TEST

/* A missing store directory is made (one level, as mkdir would). */
START_TEST(test_save_creates_dir)
{
	struct suite s, back;
	json_t *doc = small_doc(&s), *doc_back;
	char *dir = check_asprintf("%s/fresh", tmpdir), *path = check_asprintf("%s/x.json", dir);

	ck_assert_int_eq(access(dir, F_OK), -1);
	ck_assert_int_eq(baseline_store(dir, "x", doc), 0);
	ck_assert_int_eq(document_load(path, &back, &doc_back), 0);
	ck_assert_uint_eq(back.nbenches, 2);
	json_decref(doc);
	json_decref(doc_back);
	suite_free(&s);
	suite_free(&back);
	free(dir);
	free(path);
}
END_TEST

/* Saving again replaces the document whole. */
START_TEST(test_save_replaces)
{
	struct suite s, back;
	json_t *doc = small_doc(&s), *big = big_doc(2, 20, 3.0), *doc_back;
	char *path = check_asprintf("%s/r.json", storedir);

	ck_assert_int_eq(baseline_store(storedir, "r", big), 0);
	ck_assert_int_eq(baseline_store(storedir, "r", doc), 0);
	ck_assert_int_eq(document_load(path, &back, &doc_back), 0);
	ck_assert(json_equal(doc_back, doc));
	json_decref(doc);
	json_decref(big);
	json_decref(doc_back);
	suite_free(&s);
	suite_free(&back);
	free(path);
}
END_TEST

/* ---- Corrupt input ---- */

/* An old, fixed mtime: a loader that rewrote the file would change it. */
static const struct timespec OLD_MTIME[2] = {{1000000000, 0}, {1000000000, 0}};

/* Load `path`, which must fail: -1, nothing left in s or *doc, exactly one
 * "benchrun: PATH: ..." line on stderr that contains every string in
 * `needles` (NULL-terminated), and the file (or its absence) unchanged. */
static void assert_load_fails(const char *path, const char *const *needles)
{
	size_t len_before = 0, len_after = 0;
	char *before = check_slurp(path, &len_before), *after, *err, *prefix;
	struct suite s;
	json_t *doc = (json_t *)1;
	struct capture c;
	struct stat st;

	if (before)
		ck_assert_int_eq(utimensat(AT_FDCWD, path, OLD_MTIME, 0), 0);
	capture_start(&c);
	ck_assert_int_eq(document_load(path, &s, &doc), -1);
	err = capture_end(&c);
	ck_assert_ptr_null(doc);
	ck_assert_uint_eq(s.nbenches, 0);
	ck_assert_ptr_null(s.benches);
	ck_assert_msg(count_lines(err) == 1, "expected one line, got:\n%s", err);
	prefix = check_asprintf("benchrun: %s: ", path);
	ck_assert_msg(!strncmp(err, prefix, strlen(prefix)), "message does not start with '%s': %s",
	              prefix, err);
	for (; *needles; needles++)
		ck_assert_msg(strstr(err, *needles), "message lacks '%s': %s", *needles, err);
	after = check_slurp(path, &len_after);
	if (!before) {
		ck_assert_ptr_null(after);
	} else {
		ck_assert_uint_eq(len_after, len_before);
		ck_assert(memcmp(before, after, len_before) == 0);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mtim.tv_sec, OLD_MTIME[1].tv_sec);
	}
	free(before);
	free(after);
	free(err);
	free(prefix);
}

/* Save the small document as `name` and return its path. */
static char *save_small(const char *name, json_t **doc_out)
{
	struct suite s;
	json_t *doc = small_doc(&s);

	ck_assert_int_eq(baseline_store(storedir, name, doc), 0);
	suite_free(&s);
	if (doc_out)
		*doc_out = doc;
	else
		json_decref(doc);
	return check_asprintf("%s/%s.json", storedir, name);
}

START_TEST(test_corrupt_truncated)
{
	char *path = save_small("cut", NULL), *text, where[64];
	size_t len = 0;
	int line = 1, col = 0;

	text = check_slurp(path, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_gt(len, 200);
	write_file(path, text, len / 2);
	/* jansson reports the end of input: the last line, past its last
	 * character */
	for (size_t i = 0; i < len / 2; i++) {
		col++;
		if (text[i] == '\n') {
			line++;
			col = 0;
		}
	}
	snprintf(where, sizeof where, "line %d, column ", line);
	assert_load_fails(path, (const char *const[]){where, NULL});
	free(text);
	free(path);
}
END_TEST

START_TEST(test_corrupt_not_json)
{
	char *path = check_asprintf("%s/junk.json", storedir);

	write_file(path, "name,ns\nx,1\n", 12);
	assert_load_fails(path, (const char *const[]){"line 1, column ", NULL});
	free(path);
}
END_TEST

START_TEST(test_corrupt_empty)
{
	char *path = check_asprintf("%s/empty.json", storedir);

	write_file(path, "", 0);
	assert_load_fails(path, (const char *const[]){"line 1, column ", NULL});
	free(path);
}
END_TEST

START_TEST(test_corrupt_wrong_schema)
{
	char *path = check_asprintf("%s/other.json", storedir);
	static const char text[] =
		"{\"schema\": \"criterion-estimates\", \"schema_version\": 1,"
		" \"benchmarks\": []}\n";

	write_file(path, text, sizeof text - 1);
	assert_load_fails(path, (const char *const[]){"top level", "criterion-estimates",
	                                              "benchrun-results", NULL});
	free(path);
}
END_TEST

/* Valid JSON that is not a results document at all. */
START_TEST(test_corrupt_no_schema)
{
	char *path = check_asprintf("%s/list.json", storedir);

	write_file(path, "[1, 2, 3]\n", 10);
	assert_load_fails(path, (const char *const[]){"top level",
	                                              "not a benchrun results file", NULL});
	free(path);
}
END_TEST

START_TEST(test_corrupt_version)
{
	json_t *doc;
	char *path = save_small("v99", &doc);

	json_object_set_new(doc, "schema_version", json_integer(99));
	ck_assert_int_eq(json_dump_file(doc, path, DUMP_FLAGS), 0);
	assert_load_fails(path, (const char *const[]){"top level", "version 99", NULL});
	json_decref(doc);
	free(path);
}
END_TEST

/* Each way a sample can be wrong is reported at its place. */
START_TEST(test_corrupt_sample)
{
	static const char *const bad[] = {"[5]", "[5, 10.0, 1]", "\"x\"", "[0, 10.0]",
	                                  "[-3, 10.0]", "[5, -1.0]", "[5.5, 10.0]",
	                                  "[5, \"10\"]", "{}"};
	json_t *doc, *samples, *bad_sample;
	char *path = save_small("badsample", &doc);

	samples = json_object_get(json_array_get(json_object_get(json_array_get(
	          json_object_get(doc, "benchmarks"), 0), "processes"), 1), "samples");
	ck_assert(json_is_array(samples));
	bad_sample = json_loads(bad[_i], JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(bad_sample);
	ck_assert_int_eq(json_array_set_new(samples, 2, bad_sample), 0);
	ck_assert_int_eq(json_dump_file(doc, path, DUMP_FLAGS), 0);
	assert_load_fails(path, (const char *const[]){"benchmarks[0].processes[1]",
	                                              "samples[2]", NULL});
	json_decref(doc);
	free(path);
}
END_TEST

/* A definition's settings of the wrong kind are reported at their place. */
START_TEST(test_corrupt_settings)
{
	json_t *doc;
	char *path = save_small("badset", &doc);

	json_object_set_new(json_object_get(json_array_get(json_object_get(doc, "benchmarks"), 0),
	                                    "settings"), "iterations", json_integer(-3));
	ck_assert_int_eq(json_dump_file(doc, path, DUMP_FLAGS), 0);
	assert_load_fails(path, (const char *const[]){"benchmarks[0]", "\"settings\"",
	                                              "impossible", NULL});
	json_decref(doc);
	free(path);
}
END_TEST

/* A user counter's name with a control character is refused at its place
 * (reports print the names as they are); a clean one loads. */
START_TEST(test_corrupt_user_counter_name)
{
	json_t *doc, *bench, *doc_back = NULL;
	struct suite back;
	char *path = save_small("badname", &doc);

	bench = json_array_get(json_object_get(doc, "benchmarks"), 0);
	json_object_set_new(bench, "user_counters",
	                    json_pack("[{s:s, s:s, s:[i, i, i]}]", "name", "ratio", "kind",
	                              "value", "per_process", 1, 2, 3));
	ck_assert_int_eq(json_dump_file(doc, path, DUMP_FLAGS), 0);
	ck_assert_int_eq(document_load(path, &back, &doc_back), 0);
	ck_assert_str_eq(back.benches[0].user[0].name, "ratio");
	suite_free(&back);
	json_decref(doc_back);
	json_object_set_new(json_array_get(json_object_get(bench, "user_counters"), 0), "name",
	                    json_string("ratio\x1b[2J"));
	ck_assert_int_eq(json_dump_file(doc, path, DUMP_FLAGS), 0);
	assert_load_fails(path, (const char *const[]){"benchmarks[0]", "user_counters[0]",
	                                              "control character", NULL});
	json_decref(doc);
	free(path);
}
END_TEST

/* A benchmark without a name is reported at its place, not as garbage. */
START_TEST(test_corrupt_bench_field)
{
	json_t *doc;
	char *path = save_small("noname", &doc);

	json_object_del(json_array_get(json_object_get(doc, "benchmarks"), 1), "name");
	ck_assert_int_eq(json_dump_file(doc, path, DUMP_FLAGS), 0);
	assert_load_fails(path, (const char *const[]){"benchmarks[1]", "name", NULL});
	json_decref(doc);
	free(path);
}
END_TEST

START_TEST(test_missing_file)
{
	char *path = check_asprintf("%s/nothere.json", storedir);

	assert_load_fails(path, (const char *const[]){"No such file", NULL});
	free(path);
}
END_TEST

/* ---- Saves that are interrupted, run out of room, or race ---- */

/* The baseline at path is a complete document equal to one of a or b. */
static void assert_one_of(const char *path, json_t *a, json_t *b)
{
	struct suite s;
	json_t *doc = NULL;

	ck_assert_msg(document_load(path, &s, &doc) == 0, "%s does not load", path);
	ck_assert_msg(json_equal(doc, a) || json_equal(doc, b),
	              "%s is neither of the saved documents", path);
	json_decref(doc);
	suite_free(&s);
}

/* xorshift64: random-ish moments that are the same on every run. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A child saving two big documents in turn, over and over, is killed by
 * SIGINT at moments spread over a save's length: the baseline is always
 * absent (before the first save completed) or whole, never a temporary. */
START_TEST(test_interrupt_random)
{
	json_t *a = big_doc(10, 200, 1.0), *b = big_doc(10, 200, 2.0);
	char *path = check_asprintf("%s/big.json", storedir);
	uint64_t rng = 0x2545f4914f6cdd1du;
	int existed = 0;

	for (int round = 0; round < 12; round++) {
		int status;
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGINT, SIG_DFL);
			for (unsigned k = 0;; k++)
				baseline_store(storedir, "big", k % 2 ? b : a);
		}
		/* 0 to 40 ms: around the length of one save of these documents */
		usleep((useconds_t)(next_rand(&rng) % 40000));
		ck_assert_int_eq(kill(pid, SIGINT), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
		              "the saving child did not die of SIGINT (status %#x)", status);
		if (access(path, F_OK) == 0) {
			existed = 1;
			assert_one_of(path, a, b);
		} else {
			ck_assert_msg(!existed, "round %d: the baseline disappeared", round);
		}
		ck_assert_uint_eq(count_prefixed(".big.json."), 0);
	}
	json_decref(a);
	json_decref(b);
	free(path);
}
END_TEST

/* Set by the child before the interrupted save, read by its handler. */
static const char *direct_path, *direct_temp_prefix;
static off_t direct_size_old, direct_size_new;
static volatile sig_atomic_t direct_save_returned;

/* Runs at the first moment SIGINT is let through: there must be no
 * temporary then, and the baseline must be the old or the new document
 * whole.  Only async-signal-safe calls. */
static void direct_handler(int sig)
{
	char buf[4096];
	struct stat st;
	int fd = open(storedir, O_RDONLY | O_DIRECTORY), temp = 0;
	long got;

	(void)sig;
	while (fd >= 0 && (got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
		for (long off = 0; off < got;) {
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof reclen);
			temp |= !strncmp(buf + off + 19, direct_temp_prefix, strlen(direct_temp_prefix));
			off += reclen;
		}
	if (temp)
		_exit(10);
	if (stat(direct_path, &st) != 0)
		_exit(11);
	if (st.st_size == direct_size_new)
		_exit(direct_save_returned ? 21 : 20);
	_exit(st.st_size == direct_size_old ? 30 : 12);
}

static off_t dumped_size(json_t *doc)
{
	size_t n = json_dumpb(doc, NULL, 0, DUMP_FLAGS);

	ck_assert_uint_gt(n, 0);
	return (off_t)n + 1;  /* and the final newline */
}

/* SIGINT sent over and over while a big document is being saved: the
 * child's handler, run when the save lets the signal through, finds the
 * new document renamed into place while still inside the save (exit 20:
 * the signal was held back until then), or after it (21), or the old one
 * (30: the signal came before the write began), never a temporary on
 * disk (10). */
START_TEST(test_interrupt_held_back)
{
	json_t *old = big_doc(1, 10, 1.0), *new = big_doc(20, 200, 2.0);
	char *path = check_asprintf("%s/held.json", storedir);
	int during = 0;

	direct_path = path;
	direct_temp_prefix = ".held.json.";
	direct_size_old = dumped_size(old);
	direct_size_new = dumped_size(new);
	for (int round = 0; round < 4; round++) {
		int ready[2], status, code, seen = 0;
		time_t start;
		char c;
		pid_t pid;

		ck_assert_int_eq(baseline_store(storedir, "held", old), 0);
		ck_assert_int_eq(pipe(ready), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct sigaction sa = {.sa_handler = direct_handler};
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			sigaction(SIGINT, &sa, NULL);
			if (write(ready[1], "r", 1) != 1)
				_exit(13);
			baseline_store(storedir, "held", new);
			direct_save_returned = 1;
			for (;;)
				pause();
		}
		close(ready[1]);
		ck_assert_int_eq(read(ready[0], &c, 1), 1);
		close(ready[0]);
		/* Signal from the moment the temporary file appears (the write has
		 * begun), or after 2 s if it is never seen, until the child ends. */
		start = time(NULL);
		while (waitpid(pid, &status, WNOHANG) == 0) {
			if (!seen && count_prefixed(".held.json.") == 0 && time(NULL) - start < 2) {
				usleep(20);
				continue;
			}
			seen = 1;
			kill(pid, SIGINT);
			usleep(100);
		}
		ck_assert(WIFEXITED(status));
		code = WEXITSTATUS(status);
		ck_assert_msg(code == 20 || code == 21 || code == 30,
		              "the handler saw %s (exit %d)", code == 10 ? "a temporary file" :
		              "no whole baseline", code);
		during += code == 20;
		assert_one_of(path, old, new);
		ck_assert_uint_eq(count_prefixed(".held.json."), 0);
	}
	/* otherwise no signal arrived during a save and nothing was tested */
	ck_assert_int_gt(during, 0);
	json_decref(old);
	json_decref(new);
	free(path);
}
END_TEST

/* A file-size limit stands in for a full disk. */
START_TEST(test_disk_full)
{
	json_t *good, *big = big_doc(4, 100, 5.0);
	char *path = save_small("full", &good), *before, *after, *err;
	char *errpath = check_asprintf("%s/child-stderr.txt", tmpdir);
	size_t len_before, len_after;
	int status;
	pid_t pid;

	before = check_slurp(path, &len_before);
	ck_assert_ptr_nonnull(before);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl;
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = 4096;
		signal(SIGXFSZ, SIG_IGN);
		if (fd < 0 || dup2(fd, 2) != 2 || setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(2);
		_exit(baseline_store(storedir, "full", big) == -1 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "baseline_store did not return -1 (status %#x)", status);
	err = check_slurp(errpath, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(count_lines(err) == 1, "expected one line:\n%s", err);
	ck_assert_msg(strstr(err, path) && strstr(err, "cannot write"), "message: %s", err);
	ck_assert_msg(strstr(err, strerror(EFBIG)), "message lacks the reason: %s", err);
	after = check_slurp(path, &len_after);
	ck_assert_ptr_nonnull(after);
	ck_assert_uint_eq(len_after, len_before);
	ck_assert(memcmp(before, after, len_before) == 0);
	assert_one_of(path, good, good);
	ck_assert_uint_eq(count_prefixed(".full.json."), 0);
	free(before);
	free(after);
	free(err);
	free(errpath);
	free(path);
	json_decref(good);
	json_decref(big);
}
END_TEST

/* Run `fn` in a child whose stderr goes to a file and whose limit `res` is
 * `limit` more than now (RLIMIT_FSIZE: `limit` bytes); the child's exit
 * status must be 0, and what it wrote to stderr is returned. */
static char *in_limited_child(int res, rlim_t limit, int (*fn)(void *), void *arg)
{
	char *errpath = check_asprintf("%s/child-stderr.txt", tmpdir), *err;
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl;
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) != 2 || getrlimit(res, &rl) != 0)
			_exit(2);
		if (res == RLIMIT_AS) {
			/* what the process maps now, from /proc/self/statm (pages) */
			unsigned long pages = 0;
			FILE *f = fopen("/proc/self/statm", "r");
			if (!f || fscanf(f, "%lu", &pages) != 1)
				_exit(2);
			fclose(f);
			limit += (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
		}
		rl.rlim_cur = limit;
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(res, &rl) != 0)
			_exit(2);
		_exit(fn(arg));
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	err = check_slurp(errpath, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	              "the call did not fail as it should (status %#x): %s", status, err);
	free(errpath);
	return err;
}

static int save_kept(void *suite)
{
	struct report_settings rs = {.processes = 3, .samples = 4, .conf_level = 0.95};

	return baseline_save(storedir, "kept", suite, &rs, NULL, 0, 1) == -1 ? 0 : 1;
}

/* The disk fills while a program is copied into the store: the message
 * names the copy, the program and the true cause (not the "No such file or
 * directory" of the clean-up that follows), and nothing is left behind. */
START_TEST(test_keep_disk_full)
{
	struct suite s;
	char *prog = check_asprintf("%s/prog", tmpdir), *path = check_asprintf("%s/kept.json", storedir);
	char *sub = check_asprintf("%s/programs", storedir), *err, *data = malloc(262144);
	struct dirent *e;
	DIR *d;

	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < 262144; i++)
		data[i] = (char)(i * 131 >> 3);
	write_file(prog, data, 262144);
	small_suite(&s);
	free(s.programs[0].path);
	s.programs[0].path = strdup(prog);
	s.nprograms = 1;  /* the one kept; both are freed below */
	err = in_limited_child(RLIMIT_FSIZE, 4096, save_kept, &s);
	ck_assert_msg(count_lines(err) == 1, "expected one line:\n%s", err);
	ck_assert_msg(strstr(err, "cannot keep a copy of") && strstr(err, prog), "message: %s", err);
	ck_assert_msg(strstr(err, strerror(ENOSPC)) || strstr(err, strerror(EFBIG)),
	              "message lacks the reason: %s", err);
	ck_assert_msg(!strstr(err, strerror(ENOENT)), "message gives the wrong reason: %s", err);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_ptr_nonnull(d = opendir(sub));
	while ((e = readdir(d)) != NULL)
		ck_assert_msg(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."),
		              "left behind: programs/%s", e->d_name);
	closedir(d);
	s.nprograms = 2;
	suite_free(&s);
	free(data);
	free(err);
	free(sub);
	free(path);
	free(prog);
}
END_TEST

static int load_fails(void *path)
{
	struct suite s;
	json_t *doc;

	return document_load(path, &s, &doc) == -1 ? 0 : 1;
}

/* Memory runs out while a baseline is parsed (jansson then leaves its
 * error text empty): one line that says so, naming the file. */
START_TEST(test_load_out_of_memory)
{
	const char *san = getenv("TESTS_SANITIZED");  /* the build's sanitizer flags */
	json_t *big;
	char *path, *err, *prefix;
	int status;
	pid_t pid;

	/* AddressSanitizer reserves terabytes of address space up front: no
	 * address-space limit can be set under it. */
	if (san && strstr(san, "address"))
		return;
	path = check_asprintf("%s/huge.json", storedir);
	/* Written by a child, so that this process's heap holds no free
	 * memory the size of the document: the parse is what runs out. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		big = big_doc(2, 20000, 5.0);
		_exit(baseline_store(storedir, "huge", big) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	err = in_limited_child(RLIMIT_AS, 4u << 20, load_fails, path);
	prefix = check_asprintf("benchrun: %s: ", path);
	ck_assert_msg(count_lines(err) == 1, "expected one line:\n%s", err);
	ck_assert_msg(!strncmp(err, prefix, strlen(prefix)), "message: %s", err);
	ck_assert_msg(strstr(err + strlen(prefix), "out of memory") ||
	              strstr(err + strlen(prefix), strerror(ENOMEM)), "message: %s", err);
	free(prefix);
	free(err);
	free(path);
}
END_TEST

/* Two processes save different documents under one name, 20 times each;
 * whenever the file is looked at, and at the end, it is one of them. */
START_TEST(test_concurrent_saves)
{
	json_t *x = big_doc(4, 100, 1.0), *y = big_doc(4, 100, 7.0);
	char *path = check_asprintf("%s/race.json", storedir);
	pid_t pid[2];
	int status, live = 2, looks = 0;

	for (int i = 0; i < 2; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			int rc = 0;
			for (int k = 0; k < 20; k++)
				rc |= baseline_store(storedir, "race", i ? y : x);
			_exit(rc ? 1 : 0);
		}
	}
	while (live > 0) {
		json_t *doc;
		for (int i = 0; i < 2; i++)
			if (pid[i] && waitpid(pid[i], &status, WNOHANG) == pid[i]) {
				ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				              "a saving child failed (status %#x)", status);
				pid[i] = 0;
				live--;
			}
		if ((doc = json_load_file(path, 0, NULL)) != NULL) {
			ck_assert(json_equal(doc, x) || json_equal(doc, y));
			json_decref(doc);
			looks++;
		}
		usleep(2000);
	}
	assert_one_of(path, x, y);
	ck_assert_uint_eq(count_prefixed(".race.json."), 0);
	ck_assert_int_gt(looks, 0);
	json_decref(x);
	json_decref(y);
	free(path);
}
END_TEST

/* A save waits for the lock: while another holder has it, nothing is
 * written. */
START_TEST(test_save_waits_for_lock)
{
	json_t *doc = big_doc(1, 10, 1.0);
	char *lock = check_asprintf("%s/.locked.lock", storedir);
	char *path = check_asprintf("%s/locked.json", storedir);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666), status;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fd);  /* the inherited descriptor would share the lock */
		_exit(baseline_store(storedir, "locked", doc) == 0 ? 0 : 1);
	}
	usleep(200000);
	ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0, "the save did not wait for the lock");
	ck_assert_int_eq(access(path, F_OK), -1);
	close(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_one_of(path, doc, doc);
	json_decref(doc);
	free(lock);
	free(path);
}
END_TEST

/* A directory named like a baseline: its own cause, not a JSON error. */
START_TEST(test_directory_as_baseline)
{
	char *path = check_asprintf("%s/dir.json", storedir), *err;
	json_t *doc = (json_t *)1;
	struct capture c;
	struct suite s;

	ck_assert_int_eq(mkdir(path, 0777), 0);
	capture_start(&c);
	ck_assert_int_eq(document_load(path, &s, &doc), -1);
	err = capture_end(&c);
	ck_assert_ptr_null(doc);
	ck_assert_uint_eq(count_lines(err), 1);
	ck_assert_msg(strstr(err, "dir.json: not a baseline file (a directory)"), "%s", err);
	free(err);
	free(path);
}
END_TEST

/* A benchmark listed twice in a baseline is refused, with both places. */
START_TEST(test_duplicate_benchmark)
{
	json_t *doc;
	char *path = save_small("dup", &doc), *text;
	json_t *benches = json_object_get(doc, "benchmarks");
	const char *needles[] = {"benchmarks[2]", "is also benchmarks[0]", NULL};

	json_array_append(benches, json_array_get(benches, 0));
	text = json_dumps(doc, 0);
	write_file(path, text, strlen(text));
	assert_load_fails(path, needles);
	free(text);
	free(path);
	json_decref(doc);
}
END_TEST

/* A save removes what a killed save of the same name left at once, other
 * names' temporaries only when stale, and a half-copied program only when
 * stale and not matching its name's hash. */
START_TEST(test_sweep_temporaries)
{
	static const struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
	char *mine, *other, *other_old, *prog_dir, *cut, *kept_like, *path;

	free(save_small("s", NULL));
	mine = check_asprintf("%s/.s.json.Ab12Cd", storedir);
	other = check_asprintf("%s/.t.json.Ef34Gh", storedir);
	other_old = check_asprintf("%s/.u.json.Ij56Kl", storedir);
	prog_dir = check_asprintf("%s/programs", storedir);
	cut = check_asprintf("%s/0123456789abcdef-prog.Mn78Op", prog_dir);
	/* Content whose fnv1a64 is not 0123456789abcdef, old: a cut copy. */
	kept_like = check_asprintf("%s/cbf29ce484222325-prog.runner", prog_dir);
	ck_assert_int_eq(mkdir(prog_dir, 0777), 0);
	write_file(mine, "x", 1);
	write_file(other, "x", 1);
	write_file(other_old, "x", 1);
	write_file(cut, "partial", 7);
	write_file(kept_like, "", 0);  /* the empty file's hash is its name's */
	ck_assert_int_eq(utimensat(AT_FDCWD, other_old, old, 0), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, cut, old, 0), 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, kept_like, old, 0), 0);
	free((path = save_small("s", NULL)));
	ck_assert_int_ne(access(mine, F_OK), 0);
	ck_assert_int_eq(access(other, F_OK), 0);
	ck_assert_int_ne(access(other_old, F_OK), 0);
	ck_assert_int_ne(access(cut, F_OK), 0);
	ck_assert_int_eq(access(kept_like, F_OK), 0);
	free(mine);
	free(other);
	free(other_old);
	free(prog_dir);
	free(cut);
	free(kept_like);
}
END_TEST

/* Kept files are run only from where the store put them: "stored" must be
 * programs/HASH-NAME, HASH its own digits, a regular file inside the
 * store; anything else (.., another folder, a symbolic link) is refused
 * with one warning and never run. */
START_TEST(test_kept_file_confined)
{
	static const char *const bad_stored[] = {
		"../../outside.sh", "programs/../outside.sh", "programs/1111111111111111-x/../../o",
		"/bin/sh", "programs/2222222222222222-x", "programs/cbf29ce484222325-link",
		"programs/cbf29ce484222325-..", "other/cbf29ce484222325-x",
	};
	char *prog_dir = check_asprintf("%s/programs", storedir), *f, *link, *outside, *got;
	struct program p = {0};
	struct capture c;
	char *err;

	ck_assert_int_eq(mkdir(prog_dir, 0777), 0);
	outside = check_asprintf("%s/outside.sh", tmpdir);
	write_file(outside, "", 0);
	link = check_asprintf("%s/cbf29ce484222325-link", prog_dir);
	ck_assert_int_eq(symlink(outside, link), 0);
	f = check_asprintf("%s/cbf29ce484222325-prog", prog_dir);
	write_file(f, "", 0);  /* empty: fnv1a64 is the offset basis */
	p.path = "bench/prog";
	p.hash = "fnv1a64:cbf29ce484222325";
	p.stored = "programs/cbf29ce484222325-prog";
	got = baseline_program(storedir, &p);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, f);
	free(got);
	for (size_t i = 0; i < sizeof bad_stored / sizeof bad_stored[0]; i++) {
		p.stored = (char *)bad_stored[i];
		capture_start(&c);
		got = baseline_program(storedir, &p);
		err = capture_end(&c);
		ck_assert_msg(got == NULL, "'%s' was accepted", bad_stored[i]);
		ck_assert_msg(count_lines(err) == 1, "'%s': expected one line, got:\n%s",
		              bad_stored[i], err);
		free(err);
	}
	free(prog_dir);
	free(f);
	free(link);
	free(outside);
}
END_TEST

static Suite *baseline_suite(void)
{
	Suite *s = suite_create("baseline");
	TCase *names = tcase_create("names"), *store = tcase_create("store");
	TCase *corrupt = tcase_create("corrupt"), *safety = tcase_create("safety");

	tcase_add_checked_fixture(names, tmp_setup, tmp_teardown);
	tcase_set_timeout(names, 10);
	tcase_add_loop_test(names, test_name_valid, 0,
	                    (int)(sizeof valid_names / sizeof valid_names[0]));
	tcase_add_loop_test(names, test_name_invalid, 0,
	                    (int)(sizeof invalid_names / sizeof invalid_names[0]));
	tcase_add_test(names, test_name_message_one_line);
	tcase_add_test(names, test_save_invalid_name);
	tcase_add_test(names, test_dir_precedence);
	suite_add_tcase(s, names);

	tcase_add_checked_fixture(store, tmp_setup, tmp_teardown);
	tcase_set_timeout(store, 20);
	tcase_add_test(store, test_round_trip);
	tcase_add_test(store, test_load_programs);
	tcase_add_test(store, test_kept_round_trip);
	tcase_add_test(store, test_mode_follows_umask);
	tcase_add_test(store, test_save_creates_dir);
	tcase_add_test(store, test_save_replaces);
	tcase_add_test(store, test_sweep_temporaries);
	tcase_add_test(store, test_kept_file_confined);
	suite_add_tcase(s, store);

	tcase_add_checked_fixture(corrupt, tmp_setup, tmp_teardown);
	tcase_set_timeout(corrupt, 10);
	tcase_add_test(corrupt, test_corrupt_truncated);
	tcase_add_test(corrupt, test_corrupt_not_json);
	tcase_add_test(corrupt, test_corrupt_empty);
	tcase_add_test(corrupt, test_corrupt_wrong_schema);
	tcase_add_test(corrupt, test_corrupt_no_schema);
	tcase_add_test(corrupt, test_corrupt_version);
	tcase_add_loop_test(corrupt, test_corrupt_sample, 0, 9);
	tcase_add_test(corrupt, test_corrupt_bench_field);
	tcase_add_test(corrupt, test_corrupt_settings);
	tcase_add_test(corrupt, test_corrupt_user_counter_name);
	tcase_add_test(corrupt, test_missing_file);
	tcase_add_test(corrupt, test_directory_as_baseline);
	tcase_add_test(corrupt, test_duplicate_benchmark);
	suite_add_tcase(s, corrupt);

	tcase_add_checked_fixture(safety, tmp_setup, tmp_teardown);
	tcase_set_timeout(safety, 60);
	tcase_add_test(safety, test_interrupt_random);
	tcase_add_test(safety, test_interrupt_held_back);
	tcase_add_test(safety, test_disk_full);
	tcase_add_test(safety, test_keep_disk_full);
	tcase_add_test(safety, test_load_out_of_memory);
	tcase_add_test(safety, test_concurrent_saves);
	tcase_add_test(safety, test_save_waits_for_lock);
	suite_add_tcase(s, safety);
	return s;
}

int main(void)
{
	return check_run_suite(baseline_suite());
}
