/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/profile.c: reading a worker's profile records,
 * cutting stacks at the library's body call, symbolising chains of this
 * program's own functions, the JSON round trip a baseline relies on; then
 * transcripts of `benchrun --profile` on tests/worker_profile, with perf
 * events refused (tests/librefuseperf.so preloaded) and a stored profile as
 * the "before".  The live runs skip when the kernel refuses perf events. */
#define _GNU_SOURCE
#include <limits.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include "check_main.h"

#include "profile.h"
#include "protocol.h"
#include "transcript.h"

#define FAST "--processes", "2", "--warmup-time", "0.002", "--measure-time", "0.005", \
	"--samples", "5", "--quiet", "--profile-time", "0.3"
#define CMD_LIMIT_S 60.0

/* ---- the worker's records ---- */

#define HEADER "{\"type\":\"header\",\"protocol\":4,\"library\":\"0.1.0\"," \
	"\"program\":\"p\",\"compiler\":\"c\",\"cflags\":\"\",\"build_id\":\"\"," \
	"\"timer\":{\"clock\":\"x\",\"read_ns\":20,\"resolution_ns\":1}}\n"
#define OPEN "{\"type\":\"profile\",\"name\":\"g/a\",\"event\":\"cpu-clock\",\"freq\":999}\n"

static const char OUTPUT[] =
	HEADER OPEN
	"{\"type\":\"stack\",\"name\":\"g/a\",\"count\":7,\"ips\":[4096,8200,12300]}\n"
	"{\"type\":\"stack\",\"name\":\"g/a\",\"count\":3,\"ips\":[4100]}\n"
	"{\"type\":\"map\",\"name\":\"g/a\",\"start\":4096,\"end\":16384,\"offset\":0,"
	"\"path\":\"/x/prog\"}\n"
	"{\"type\":\"profile_end\",\"name\":\"g/a\",\"samples\":10,\"lost\":2,\"stacks\":2,"
	"\"iters\":500,\"loop_ns\":1000000}\n"
	"{\"type\":\"footer\",\"benchmarks\":1,\"failed\":0}\n";

/* The worker reader (protocol_parse) takes a profile run's records. */
START_TEST(test_parse)
{
	struct protocol_doc doc;
	const struct protocol_profile *p;
	char err[160];

	ck_assert_int_eq(protocol_parse(OUTPUT, strlen(OUTPUT), &doc, err, sizeof err), 0);
	ck_assert_ptr_null(protocol_profile_find(&doc, "g/b"));
	p = protocol_profile_find(&doc, "g/a");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nchains, 2);
	ck_assert_uint_eq(p->chains[0].n, 3);
	ck_assert_uint_eq(p->chains[0].ips[2], 12300);
	ck_assert_uint_eq(p->chains[0].count, 7);
	ck_assert_uint_eq(p->chains[1].count, 3);
	ck_assert_uint_eq(p->nmaps, 1);
	ck_assert_str_eq(p->maps[0].path, "/x/prog");
	ck_assert_uint_eq(p->maps[0].end, 16384);
	ck_assert(p->ended);
	ck_assert_ptr_null(p->error);
	ck_assert_ptr_null(p->failed);
	ck_assert_str_eq(p->event, "cpu-clock");
	ck_assert_uint_eq(p->freq_hz, 999);
	ck_assert_uint_eq(p->samples, 10);
	ck_assert_uint_eq(p->lost, 2);
	ck_assert_uint_eq(p->iters, 500);
	ck_assert_double_eq(p->loop_ns, 1e6);
	protocol_doc_free(&doc);
}
END_TEST

#define REGS17 "[-1,1,2,3,4,5,6,4096,8,9,10,11,12,13,14,15,16]"

/* A dwarf profile's "ustack" records: registers as signed integers
 * (two's complement), the stack in base64, padding of one and two. */
START_TEST(test_parse_ustack)
{
	static const char out[] = HEADER OPEN
		"{\"type\":\"ustack\",\"name\":\"g/a\",\"regs\":" REGS17 ",\"stack\":\"AAEC/w==\"}\n"
		"{\"type\":\"ustack\",\"name\":\"g/a\",\"regs\":" REGS17 ",\"stack\":\"+/8A\"}\n"
		"{\"type\":\"profile_end\",\"name\":\"g/a\",\"samples\":2,\"lost\":0,\"stacks\":0,"
		"\"iters\":5,\"loop_ns\":100,\"ustack_bytes\":7}\n";
	static const unsigned char first[] = {0, 1, 2, 255}, second[] = {0xfb, 0xff, 0};
	struct protocol_doc doc;
	const struct protocol_profile *p;
	char err[160];

	ck_assert_msg(protocol_parse(out, strlen(out), &doc, err, sizeof err) == 0, "%s", err);
	p = protocol_profile_find(&doc, "g/a");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nustacks, 2);
	ck_assert_uint_eq(p->ustacks[0].regs[0], UINT64_MAX);
	ck_assert_uint_eq(p->ustacks[0].regs[7], 4096);
	ck_assert_uint_eq(p->ustacks[0].regs[16], 16);
	ck_assert_uint_eq(p->ustacks[0].len, 4);
	ck_assert(!memcmp(p->ustacks[0].stack, first, 4));
	ck_assert_uint_eq(p->ustacks[1].len, 3);
	ck_assert(!memcmp(p->ustacks[1].stack, second, 3));
	protocol_doc_free(&doc);
}
END_TEST

START_TEST(test_parse_errors)
{
	static const char *const bad[] = {
		HEADER OPEN "{\"type\":\"stack\",\"name\":\"g/a\",\"count\":1,\"ips\":[1,\"x\"]}\n",
		HEADER OPEN "{\"type\":\"stack\",\"name\":\"g/a\",\"count\":-1,\"ips\":[1]}\n",
		HEADER OPEN "{\"type\":\"map\",\"name\":\"g/a\",\"start\":9,\"end\":3,"
		"\"offset\":0,\"path\":\"/p\"}\n",
		HEADER OPEN "{\"type\":\"stack\",\"name\":\"g/b\",\"count\":1,\"ips\":[1]}\n",
		HEADER OPEN OPEN,
		HEADER "{\"type\":\"stack\",\"name\n",
		HEADER OPEN "{\"type\":\"ustack\",\"name\":\"g/a\",\"regs\":[1,2],\"stack\":\"AAAA\"}\n",
		HEADER OPEN "{\"type\":\"ustack\",\"name\":\"g/a\",\"regs\":" REGS17 ",\"stack\":\"A=AA\"}\n",
		HEADER OPEN "{\"type\":\"ustack\",\"name\":\"g/a\",\"regs\":" REGS17 ",\"stack\":\"AAA\"}\n",
	};
	static const char *const want[] = {
		"line 3: \"ips\" must hold integers (addresses)",
		"line 3: \"count\" must be a non-negative integer",
		"line 3: a map needs a \"path\" and end > start",
		"line 3: a profile record outside its profile",
		"line 3: a second profile of one benchmark",
		"line 2: not JSON",
		"line 3: \"regs\" must be an array of 17 integers",
		"line 3: \"stack\" is not base64",
		"line 3: \"stack\" is not base64",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct protocol_doc doc;
		char err[160] = "";
		ck_assert_int_eq(protocol_parse(bad[i], strlen(bad[i]), &doc, err, sizeof err), -1);
		ck_assert_msg(!strncmp(err, want[i], strlen(want[i])), "%zu: '%s'", i, err);
		protocol_doc_free(&doc);
	}
}
END_TEST

/* A kernel that refuses sampling, and a benchmark that fails while it is
 * profiled: each reaches its profile, nothing else. */
START_TEST(test_parse_refused)
{
	static const char refused[] = HEADER
		"{\"type\":\"profile_error\",\"name\":\"g/a\",\"error\":\"perf refused\"}\n"
		"{\"type\":\"footer\",\"benchmarks\":1,\"failed\":0}\n";
	static const char failed[] = HEADER
		"{\"type\":\"end\",\"name\":\"g/a\",\"status\":\"failed\",\"reason\":\"no device\"}\n"
		"{\"type\":\"footer\",\"benchmarks\":1,\"failed\":1}\n";
	struct protocol_doc doc;
	const struct protocol_profile *p;
	char err[160];

	ck_assert_int_eq(protocol_parse(refused, strlen(refused), &doc, err, sizeof err), 0);
	ck_assert_ptr_nonnull(p = protocol_profile_find(&doc, "g/a"));
	ck_assert_str_eq(p->error, "perf refused");
	ck_assert(!p->ended);
	protocol_doc_free(&doc);
	ck_assert_int_eq(protocol_parse(failed, strlen(failed), &doc, err, sizeof err), 0);
	ck_assert_ptr_nonnull(p = protocol_profile_find(&doc, "g/a"));
	ck_assert_str_eq(p->failed, "no device");
	ck_assert_uint_eq(doc.nbenches, 0);
	protocol_doc_free(&doc);
}
END_TEST

/* The shape, named: each class on a constructed profile at its
 * threshold's side. */
static void shape_of(struct profile *p, const char *want)
{
	char buf[256];

	profile_shape(buf, sizeof buf, p);
	ck_assert_msg(!strncmp(buf, want, strlen(want)), "'%s', not '%s...'", buf, want);
	flame_free(&p->stacks);
	memset(p, 0, sizeof *p);
	p->runtime_share = NAN;
}

START_TEST(test_shape)
{
	struct profile p = {.runtime_share = NAN};
	const char *deep[14] = {"b", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10",
	                        "f11", "f12", NULL};
	char name[16];

	flame_add(&p.stacks, (const char *[]){"b", "hot"}, 2, 70);
	flame_add(&p.stacks, (const char *[]){"b", "cold"}, 2, 30);
	shape_of(&p, "a single hotspot: hot holds 70% of the self samples");
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof name, "g%d", i);
		flame_add(&p.stacks, (const char *[]){"b", name}, 2, 4);
	}
	shape_of(&p, "spread out: no function holds more than 4%, the top ten 40%");
	flame_add(&p.stacks, (const char *[]){"b", "memcpy"}, 2, 60);
	flame_add(&p.stacks, (const char *[]){"b", "mine"}, 2, 40);
	p.runtime_share = 0.6;
	shape_of(&p, "runtime or library overhead: 60% of the samples");
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "leaf%d", i);
		deep[13] = name;
		flame_add(&p.stacks, deep, 14, 10);
	}
	shape_of(&p, "call overhead: stacks 14.0 frames deep on average, no function over 10%");
	flame_add(&p.stacks, (const char *[]){"b", "x"}, 2, 30);
	flame_add(&p.stacks, (const char *[]){"b", "y"}, 2, 30);
	flame_add(&p.stacks, (const char *[]){"b", "z"}, 2, 30);
	flame_add(&p.stacks, (const char *[]){"b"}, 1, 10);
	shape_of(&p, "a few hot functions: the top three hold 90%");
}
END_TEST

START_TEST(test_cut)
{
	const char *full[] = {"main", "br_main_ex", "br__body_call", "bench", "leaf"};
	const char *none[] = {"main", "bench", "leaf"};
	const char *leaf[] = {"main", "br__body_call"};
	const char *twice[] = {"br__body_call", "x", "br__body_call", "bench"};

	ck_assert_uint_eq(profile_cut(full, 5), 3);
	ck_assert_uint_eq(profile_cut(none, 3), 0);
	ck_assert_uint_eq(profile_cut(leaf, 2), 1);
	ck_assert_uint_eq(profile_cut(twice, 4), 3);
	ck_assert_uint_eq(profile_cut(NULL, 0), 0);
}
END_TEST

START_TEST(test_mode)
{
	enum profile_mode m;
	regex_t re;

	ck_assert_int_eq(profile_parse_mode("all", &m, &re), 0);
	ck_assert_int_eq(m, PROFILE_ALL);
	ck_assert_int_eq(profile_parse_mode("none", &m, &re), 0);
	ck_assert_int_eq(m, PROFILE_NONE);
	ck_assert_int_eq(profile_parse_mode("regressed", &m, &re), 0);
	ck_assert_int_eq(m, PROFILE_REGRESSED);
	ck_assert_int_eq(profile_parse_mode("^hash/", &m, &re), 0);
	ck_assert_int_eq(m, PROFILE_MATCH);
	ck_assert_int_eq(regexec(&re, "hash/fnv", 0, NULL, 0), 0);
	ck_assert_int_ne(regexec(&re, "sort/q", 0, NULL, 0), 0);
	regfree(&re);
	ck_assert_int_eq(profile_parse_mode("(", &m, &re), -1);
	ck_assert_int_eq(profile_parse_mode("", &m, &re), -1);
}
END_TEST

/* ---- symbolising this program's own functions ---- */

__attribute__((noipa)) static int profile_test_leaf(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 3 + 1;
}

__attribute__((noipa)) static int profile_test_mid(int x)
{
	__asm__ volatile("" : "+r"(x));
	return profile_test_leaf(x) + profile_test_leaf(x + 1);
}

__attribute__((noipa)) static int profile_test_root(int x)
{
	__asm__ volatile("" : "+r"(x));
	return profile_test_mid(x) * profile_test_mid(x + 2);
}

static void own_maps(struct protocol_profile *raw)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long long start, end, off;
		char path[4096] = "";
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095s", &start, &end, &off, path) < 3 ||
		    path[0] != '/')
			continue;
		raw->maps = realloc(raw->maps, (raw->nmaps + 1) * sizeof *raw->maps);
		ck_assert_ptr_nonnull(raw->maps);
		raw->maps[raw->nmaps++] = (struct symbols_map){start, end, off, strdup(path)};
	}
	fclose(f);
}

/* A chain leaf first as the kernel gives it: the sampled address, then
 * return addresses (a few bytes into each caller). */
START_TEST(test_symbolise_own)
{
	struct protocol_profile raw = {0};
	struct flame_profile out = {0};
	uint64_t ips[3] = {(uint64_t)(uintptr_t)profile_test_leaf + 2,
	                   (uint64_t)(uintptr_t)profile_test_mid + 5,
	                   (uint64_t)(uintptr_t)profile_test_root + 5};
	char err[256], *text = NULL;
	size_t len;
	FILE *m;

	own_maps(&raw);
	raw.chains = calloc(2, sizeof *raw.chains);
	ck_assert_ptr_nonnull(raw.chains);
	for (size_t i = 0; i < 2; i++) {
		raw.chains[i].ips = malloc(sizeof ips);
		ck_assert_ptr_nonnull(raw.chains[i].ips);
		memcpy(raw.chains[i].ips, ips, sizeof ips);
		raw.chains[i].n = 3;
		raw.chains[i].count = 2 + i;
	}
	raw.nchains = 2;
	ck_assert_msg(profile_symbolise(&raw, &out, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(out.total, 5);
	ck_assert_uint_eq(out.n, 1);  /* the two identical chains merge */
	m = open_memstream(&text, &len);
	ck_assert_int_eq(flame_write_folded(m, &out), 0);
	fclose(m);
	ck_assert_str_eq(text, "profile_test_root;profile_test_mid;profile_test_leaf 5\n");
	free(text);
	flame_free(&out);
	protocol_profile_free(&raw);
}
END_TEST

/* ---- JSON: what a baseline stores and reads back ---- */

START_TEST(test_json_round_trip)
{
	struct profile p = {0}, *back = NULL;
	const char *a[] = {"bench", "work_seventy"}, *b[] = {"bench", "work_thirty"};
	char err[200];
	json_t *j, *top;

	p.event = "cpu-clock";
	p.freq_hz = 999;
	p.samples = 10;
	p.iters = 1000;
	p.loop_ns = 5e8;
	ck_assert_int_eq(flame_add(&p.stacks, a, 2, 7), 0);
	ck_assert_int_eq(flame_add(&p.stacks, b, 2, 3), 0);
	j = profile_to_json(&p);
	ck_assert_ptr_nonnull(j);
	top = json_object_get(j, "top");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(top, 0), "function")),
	                 "work_seventy");
	ck_assert_double_eq_tol(json_real_value(json_object_get(json_array_get(top, 0),
	                                                        "self_pct")), 70, 1e-9);
	ck_assert_str_eq(json_string_value(json_object_get(j, "folded_stacks")),
	                 "bench;work_seventy 7\nbench;work_thirty 3\n");
	ck_assert_int_eq(profile_from_json(j, &back, err, sizeof err), 0);
	ck_assert_str_eq(back->event, "cpu-clock");
	ck_assert_uint_eq(back->samples, 10);
	ck_assert_uint_eq(back->stacks.total, 10);
	ck_assert_uint_eq(back->stacks.n, 2);
	profile_free(back);
	/* A broken stored profile is reported with the field that broke. */
	json_object_set_new(j, "folded_stacks", json_string("bench;x seven\n"));
	ck_assert_int_eq(profile_from_json(j, &back, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "folded_stacks") != NULL, "%s", err);
	json_object_del(j, "samples");
	ck_assert_int_eq(profile_from_json(j, &back, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "samples") != NULL, "%s", err);
	json_decref(j);
	flame_free(&p.stacks);
}
END_TEST

/* ---- benchrun --profile on the command line ---- */

static const char *benchrun;
static char worker[PATH_MAX], refuse[PATH_MAX], tmpdir[PATH_MAX];

static void tmp_setup(void)
{
	const char *base = getenv("TMPDIR"), *dir = getenv("TESTS_BUILDDIR");

	benchrun = getenv("BENCHRUN");
	ck_assert_msg(benchrun && dir, "run under make check (BENCHRUN, TESTS_BUILDDIR)");
	snprintf(worker, sizeof worker, "%s/worker_profile", dir);
	snprintf(refuse, sizeof refuse, "%s/.libs/librefuseperf.so", dir);
	snprintf(tmpdir, sizeof tmpdir, "%s/check_profile.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char *cmd = check_asprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		fprintf(stderr, "check_profile: could not remove %s\n", tmpdir);
	free(cmd);
}

static char *path_in(const char *name)
{
	return check_asprintf("%s/%s", tmpdir, name);
}

/* The live runs need what the worker asks of the kernel: sampling
 * cpu-clock in user space. */
static int sampling_allowed(void)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.freq = 1;
	a.sample_freq = 999;
	a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_CALLCHAIN;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		return 0;
	close((int)fd);
	return 1;
}

static int files_named(const char *dir, const char *suffix)
{
	char *cmd = check_asprintf("ls '%s' | grep -c -- '%s$' >/dev/null", dir, suffix);
	int rc = system(cmd);

	free(cmd);
	return rc == 0;
}

START_TEST(test_cli_profile_all)
{
	char *report = path_in("r"), *json = path_in("r.json"), *dir = path_in("r/profiles");
	char *argv[] = {(char *)benchrun, FAST, "--profile=all", "-f", "split", "--report",
	                report, "--json", json, worker, NULL};
	struct transcript t;
	char *doc;

	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, &t), 0);
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_msg(!strstr(t.err, "no profile"), "%s", t.err);
	ck_assert_msg(strstr(t.out, "profile profile/split: ") != NULL, "%s", t.out);
	ck_assert_msg(strstr(t.out, "work_seventy") && strstr(t.out, "work_thirty"), "%s", t.out);
	/* each function's cost per iteration beside its shares */
	ck_assert_msg(strstr(t.out, "     self    total   self/iter  total/iter  function\n"),
	              "%s", t.out);
	ck_assert(files_named(dir, ".svg"));
	ck_assert(files_named(dir, ".folded"));
	doc = check_slurp(json, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert(strstr(doc, "\"folded_stacks\"") && strstr(doc, "work_seventy"));
	ck_assert(strstr(doc, "\"self_per_iter\"") && strstr(doc, "\"total_per_iter\""));
	free(doc);
	transcript_free(&t);
	free(report);
	free(json);
	free(dir);
}
END_TEST

/* unwind/libc under --profile-callchain HOW: the run's JSON profile of it,
 * owned by the caller, and stderr into err (owned). */
static json_t *unwind_profile_json(const char *how, char **err)
{
	char *report = path_in("u"), *json = path_in("u.json");
	char *argv[] = {(char *)benchrun, FAST, "--profile=all", "-f", "unwind", "--report",
	                report, "--json", json, "--profile-callchain", (char *)how, worker, NULL};
	struct transcript t;
	json_error_t je;
	json_t *doc, *p;

	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, &t), 0);
	ck_assert_msg(t.exit_code == 0, "%s", t.err);
	doc = json_load_file(json, 0, &je);
	ck_assert_msg(doc != NULL, "%s", je.text);
	p = json_object_get(json_array_get(json_object_get(doc, "benchmarks"), 0), "profile");
	ck_assert_msg(json_is_object(p), "no profile: %s", t.err);
	json_incref(p);
	json_decref(doc);
	*err = strdup(t.err);
	transcript_free(&t);
	free(report);
	free(json);
	return p;
}

/* The share of the samples of folded text whose stack starts with root
 * and passes through qsort (qsort_r, or a sanitizer's interceptor of it). */
static double share_starting_with(const char *folded, const char *root)
{
	double in = 0, all = 0;

	for (const char *l = folded; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *end = strchr(l, '\n') ? strchr(l, '\n') : l + strlen(l);
		const char *sp = l;
		for (const char *q = l; q < end; q++)
			if (*q == ' ')
				sp = q;
		all += strtod(sp, NULL);
		if (!strncmp(l, root, strlen(root)) && memmem(l, (size_t)(end - l), "qsort", 5))
			in += strtod(sp, NULL);
	}
	return all > 0 ? in / all : 0;
}

/* libc's qsort has no frame pointers: frame-pointer chains from the
 * comparator stop in libc.so (a warning names it and the fix); DWARF
 * chains reach the benchmark through qsort_r in every sample; auto
 * switches to DWARF and says why. */
START_TEST(test_cli_callchain)
{
	const char *root = "br__fn_unwind__libc;";
	char *err;
	json_t *fp = unwind_profile_json("fp", &err), *dw, *au;

	ck_assert_str_eq(json_string_value(json_object_get(fp, "callchain")), "fp");
	ck_assert_double_gt(json_real_value(json_object_get(fp, "short_share")), 0.5);
	ck_assert_str_eq(json_string_value(json_object_get(fp, "short_module")), "libc.so.6");
	ck_assert_msg(strstr(err, "stop short in libc.so.6 (call chains: fp): build it with "
	                     "-fno-omit-frame-pointer"), "%s", err);
	ck_assert_double_lt(share_starting_with(json_string_value(json_object_get(fp,
	                    "folded_stacks")), root), 0.5);
	free(err);

	dw = unwind_profile_json("dwarf", &err);
	ck_assert_str_eq(json_string_value(json_object_get(dw, "callchain")), "dwarf");
	/* A sample may land where no unwind table reaches (the loop's own
	 * bookkeeping between calls): a few percent at most. */
	ck_assert_double_lt(json_real_value(json_object_get(dw, "short_share")), 0.05);
	ck_assert_double_eq(json_real_value(json_object_get(dw, "stack_bytes")),
	                    BR__PROTO_USTACK_BYTES);
	ck_assert_msg(share_starting_with(json_string_value(json_object_get(dw, "folded_stacks")),
	                                  root) > 0.95,
	              "%s", json_string_value(json_object_get(dw, "folded_stacks")));
	ck_assert_msg(!strstr(err, "stop short"), "%s", err);
	free(err);

	au = unwind_profile_json("auto", &err);
	ck_assert_str_eq(json_string_value(json_object_get(au, "callchain")), "dwarf");
	ck_assert_msg(strstr(json_string_value(json_object_get(au, "switched")),
	                     "frame pointers stopped short in") != NULL, "%s", err);
	ck_assert_msg(share_starting_with(json_string_value(json_object_get(au, "folded_stacks")),
	                                  root) > 0.95,
	              "%s", json_string_value(json_object_get(au, "folded_stacks")));
	free(err);
	json_decref(fp);
	json_decref(dw);
	json_decref(au);
}
END_TEST

/* A kernel that refuses perf events: one warning, results and exit status
 * as without profiling. */
START_TEST(test_cli_refused)
{
	char *report = path_in("r");
	char *argv[] = {(char *)benchrun, FAST, "--profile=all", "-f", "split", "--report",
	                report, worker, NULL};
	struct transcript t;

	ck_assert_int_eq(access(refuse, R_OK), 0);
	setenv("LD_PRELOAD", refuse, 1);
	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, &t), 0);
	unsetenv("LD_PRELOAD");
	ck_assert_int_eq(t.exit_code, 0);
	ck_assert_uint_eq(transcript_lines(t.err), 1);
	ck_assert_msg(strstr(t.err, "benchrun: warning: --profile: no profile: ") == t.err,
	              "%s", t.err);
	ck_assert_msg(strstr(t.err, "perf_event_paranoid") != NULL, "%s", t.err);
	ck_assert(strstr(t.out, "profile/split") != NULL);
	ck_assert(strstr(t.out, "\nprofile ") == NULL);
	transcript_free(&t);
	free(report);
}
END_TEST

START_TEST(test_cli_bad_mode)
{
	char *argv[] = {(char *)benchrun, "--profile", "(", worker, NULL};
	struct transcript t;

	ck_assert_int_eq(transcript_run(argv, CMD_LIMIT_S, &t), 0);
	ck_assert_int_eq(t.exit_code, 2);
	ck_assert_uint_eq(transcript_lines(t.err), 1);
	ck_assert(strstr(t.err, "benchrun: --profile: '(': ") == t.err);
	transcript_free(&t);
}
END_TEST

/* A baseline saved with profiles keeps them; comparing with it shows what
 * grew since and writes the differential flame graph. */
START_TEST(test_cli_before)
{
	char *report = path_in("r"), *dir = path_in("r/profiles"), *json = path_in("c.json");
	/* 3 processes: a comparison needs at least that many a side */
	/* 20 ms of samples: FAST's 5 ms on a loaded machine can leave a ramp
	 * whose slope is noise (even negative), and such a benchmark cannot be
	 * gated. */
	char *save[] = {(char *)benchrun, FAST, "--processes", "3", "--profile=all", "-f", "split",
	                "--measure-time", "0.02", "--baseline-dir", tmpdir, "--save-baseline", "before", "--report", report,
	                worker, NULL};
	char *cmp[] = {(char *)benchrun, FAST, "--processes", "3", "--profile=all", "-f", "split",
	               "--measure-time", "0.02", "--baseline-dir", tmpdir, "--baseline", "before",
	               "--remeasure", "0",
	               "--report", report, "--json", json, worker, NULL};
	struct transcript t;
	char *doc;

	ck_assert_int_eq(transcript_run(save, CMD_LIMIT_S, &t), 0);
	ck_assert_msg(t.exit_code == 0 && !strstr(t.err, "no profile"), "%s", t.err);
	transcript_free(&t);
	ck_assert_int_eq(transcript_run(cmp, CMD_LIMIT_S, &t), 0);
	ck_assert_msg(t.exit_code == 0 || t.exit_code == 1, "exit %d: %s", t.exit_code, t.err);
	ck_assert_msg(strstr(t.out, "grew most since the baseline") != NULL, "%s", t.out);
	ck_assert(files_named(dir, "-diff.svg"));
	doc = check_slurp(json, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert(strstr(doc, "\"from\": \"baseline\"") || strstr(doc, "\"from\":\"baseline\""));
	free(doc);
	transcript_free(&t);
	free(report);
	free(dir);
	free(json);
}
END_TEST

static Suite *profile_suite_make(int live)
{
	Suite *s = suite_create("profile");
	TCase *unit = tcase_create("unit"), *cli = tcase_create("cli"), *live_cli;

	tcase_add_test(unit, test_parse);
	tcase_add_test(unit, test_parse_errors);
	tcase_add_test(unit, test_parse_ustack);
	tcase_add_test(unit, test_parse_refused);
	tcase_add_test(unit, test_shape);
	tcase_add_test(unit, test_cut);
	tcase_add_test(unit, test_mode);
	tcase_add_test(unit, test_symbolise_own);
	tcase_add_test(unit, test_json_round_trip);
	suite_add_tcase(s, unit);
	tcase_add_checked_fixture(cli, tmp_setup, tmp_teardown);
	tcase_set_timeout(cli, 120);
	tcase_add_test(cli, test_cli_refused);
	tcase_add_test(cli, test_cli_bad_mode);
	suite_add_tcase(s, cli);
	if (live) {
		live_cli = tcase_create("live");
		tcase_add_checked_fixture(live_cli, tmp_setup, tmp_teardown);
		tcase_set_timeout(live_cli, 120);
		tcase_add_test(live_cli, test_cli_profile_all);
		tcase_add_test(live_cli, test_cli_callchain);
		tcase_add_test(live_cli, test_cli_before);
		suite_add_tcase(s, live_cli);
	}
	return s;
}

/* Without sampling the live runs are left out, and the program exits 77
 * (skipped) if nothing else failed. */
int main(void)
{
	int live = sampling_allowed(), rc = check_run_suite(profile_suite_make(live));

	if (!live && rc == EXIT_SUCCESS) {
		fputs("check_profile: the kernel refuses perf sampling: live runs skipped\n", stderr);
		return 77;
	}
	return rc;
}
