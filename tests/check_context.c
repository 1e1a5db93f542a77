/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/context.c: the context collected for a run
 * (against what this machine says through uname, sysconf and /proc, and a
 * scratch git checkout), and context_differences(), whose count and names
 * decide the "measured with another ..." warning of a comparison. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "context.h"

static char tmpdir[] = "/tmp/check_context.XXXXXX";

/* A context as context_collect() writes one, from fixed values. */
static json_t *make_context(void)
{
	json_t *c = json_pack("{s:{s:s, s:i, s:s, s:s, s:s, s:[f, f, f]},"
	                      " s:{s:s, s:s, s:s, s:b}}",
	                      "machine", "cpu_model", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz",
	                      "cores", 8, "kernel", "6.1.0-18-amd64 #1 SMP Debian",
	                      "arch", "x86_64", "governor", "performance",
	                      "load", 0.5, 0.25, 0.125,
	                      "build", "compiler", "gcc 12.2.0", "cflags", "-O2 -g",
	                      "commit", "9f15fa7d0c1e5b3a2f4e6d8c0b1a2c3d4e5f6a7b", "dirty", 0);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* Set field obj.key of c to v (consumed). */
static void set(json_t *c, const char *obj, const char *key, json_t *v)
{
	ck_assert_int_eq(json_object_set_new(json_object_get(c, obj), key, v), 0);
}

START_TEST(test_identical)
{
	json_t *a = make_context(), *b = make_context();
	char buf[256] = "stale";

	ck_assert_int_eq(context_differences(a, b, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(context_differences(a, a, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	json_decref(a);
	json_decref(b);
}
END_TEST

/* Each field that matters for timings, alone, is one difference by its
 * name, whichever side is the baseline. */
START_TEST(test_each_field)
{
	static const struct {
		const char *obj, *key, *label;
	} fields[] = {
		{"machine", "cpu_model", "CPU model"},
		{"machine", "cores", "core count"},
		{"machine", "kernel", "kernel"},
		{"machine", "governor", "frequency governor"},
		{"build", "compiler", "compiler"},
		{"build", "cflags", "compiler flags"},
	};

	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		json_t *a = make_context(), *b = make_context();
		char buf[256];

		set(b, fields[i].obj, fields[i].key,
		    !strcmp(fields[i].key, "cores") ? json_integer(16) : json_string("other"));
		ck_assert_int_eq(context_differences(a, b, buf, sizeof buf), 1);
		ck_assert_str_eq(buf, fields[i].label);
		ck_assert_int_eq(context_differences(b, a, buf, sizeof buf), 1);
		ck_assert_str_eq(buf, fields[i].label);
		json_decref(a);
		json_decref(b);
	}
}
END_TEST

/* Another machine and compiler: both named, in a fixed order, and counted. */
START_TEST(test_cpu_and_compiler)
{
	json_t *a = make_context(), *b = make_context();
	char buf[256];

	set(b, "machine", "cpu_model", json_string("AMD EPYC 7763 64-Core Processor"));
	set(b, "build", "compiler", json_string("clang 16.0.6"));
	ck_assert_int_eq(context_differences(a, b, buf, sizeof buf), 2);
	ck_assert_str_eq(buf, "CPU model, compiler");

	set(b, "machine", "cores", json_integer(64));
	set(b, "machine", "kernel", json_string("6.5.0-1 #1 SMP"));
	set(b, "machine", "governor", json_string("powersave"));
	set(b, "build", "cflags", json_string("-O3 -march=native"));
	ck_assert_int_eq(context_differences(a, b, buf, sizeof buf), 6);
	ck_assert_str_eq(buf, "CPU model, core count, kernel, frequency governor, "
	                      "compiler, compiler flags");
	json_decref(a);
	json_decref(b);
}
END_TEST

/* Fields that change with every run or with the code itself are not
 * differences of machine or build. */
START_TEST(test_ignored_fields)
{
	json_t *a = make_context(), *b = make_context();
	char buf[256];

	set(b, "machine", "load", json_pack("[f, f, f]", 3.0, 2.0, 1.0));
	set(b, "machine", "arch", json_string("aarch64"));
	set(b, "build", "commit", json_string("0123456789abcdef0123456789abcdef01234567"));
	set(b, "build", "dirty", json_true());
	ck_assert_int_eq(context_differences(a, b, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	json_decref(a);
	json_decref(b);
}
END_TEST

/* What one side could not read (null) or does not have (an older file) is
 * not a difference: it is unknown. */
START_TEST(test_unknown_fields)
{
	json_t *a = make_context(), *b = make_context();
	char buf[256];

	set(a, "machine", "governor", json_null());  /* no cpufreq, as in VMs */
	set(b, "machine", "governor", json_string("powersave"));
	set(b, "machine", "cpu_model", json_null());
	json_object_del(json_object_get(b, "build"), "compiler");
	set(a, "build", "cflags", json_string("-O0"));
	ck_assert_int_eq(context_differences(a, b, buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "compiler flags");
	ck_assert_int_eq(context_differences(b, a, buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "compiler flags");

	/* No "build" object at all on one side. */
	json_object_del(b, "build");
	ck_assert_int_eq(context_differences(a, b, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(test_null_contexts)
{
	json_t *a = make_context();
	char buf[64] = "stale";

	ck_assert_int_eq(context_differences(NULL, a, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	strcpy(buf, "stale");
	ck_assert_int_eq(context_differences(a, NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	strcpy(buf, "stale");
	ck_assert_int_eq(context_differences(NULL, NULL, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	json_decref(a);
}
END_TEST

/* A short buffer holds what fits, terminated; the count is still whole. */
START_TEST(test_short_buffer)
{
	json_t *a = make_context(), *b = make_context();
	char buf[32];

	set(b, "machine", "cpu_model", json_string("other"));
	set(b, "machine", "cores", json_integer(2));
	set(b, "machine", "kernel", json_string("other"));
	set(b, "machine", "governor", json_string("other"));
	set(b, "build", "compiler", json_string("other"));
	set(b, "build", "cflags", json_string("other"));
	memset(buf, 'X', sizeof buf);
	ck_assert_int_eq(context_differences(a, b, buf, 16), 6);
	ck_assert_str_eq(buf, "CPU model, core");
	ck_assert_int_eq(buf[16], 'X');
	/* No room at all: counted, nothing written. */
	memset(buf, 'X', sizeof buf);
	ck_assert_int_eq(context_differences(a, b, buf, 0), 6);
	ck_assert_int_eq(buf[0], 'X');
	json_decref(a);
	json_decref(b);
}
END_TEST

/* The first "model name" of /proc/cpuinfo, or NULL (owned). */
static char *proc_cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char *line = NULL, *model = NULL;
	size_t cap = 0;

	while (f && !model && getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		colon[strcspn(colon, "\n")] = '\0';
		model = strdup(colon[1] == ' ' ? colon + 2 : colon + 1);
	}
	free(line);
	if (f)
		fclose(f);
	return model;
}

/* Outside any git checkout: the machine as this process sees it, the
 * compiler and flags of the suite's first program, no commit. */
START_TEST(test_collect)
{
	static char compiler[] = "gcc 12.2.0", cflags[] = "-O2 -g";
	struct program prog = {0};
	struct suite s = {0};
	struct utsname u;
	json_t *c, *m, *b, *load;
	char *kernel, *model = proc_cpu_model();

	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(setenv("GIT_DIR", "/nonexistent/.git", 1), 0);
	prog.hdr.compiler = compiler;
	prog.hdr.cflags = cflags;
	s.programs = &prog;
	s.nprograms = 1;
	ck_assert_ptr_nonnull(c = context_collect(&s));
	ck_assert_uint_eq(json_object_size(c), 2);
	ck_assert_ptr_nonnull(m = json_object_get(c, "machine"));
	ck_assert_ptr_nonnull(b = json_object_get(c, "build"));

	ck_assert_int_eq(uname(&u), 0);
	kernel = check_asprintf("%s %s", u.release, u.version);
	ck_assert_str_eq(json_string_value(json_object_get(m, "kernel")), kernel);
	ck_assert_str_eq(json_string_value(json_object_get(m, "arch")), u.machine);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "cores")),
	                 sysconf(_SC_NPROCESSORS_ONLN));
	if (model)
		ck_assert_str_eq(json_string_value(json_object_get(m, "cpu_model")), model);
	else
		ck_assert(json_is_null(json_object_get(m, "cpu_model")));
	ck_assert(json_is_string(json_object_get(m, "governor")) ||
	          json_is_null(json_object_get(m, "governor")));
	ck_assert(json_is_array(load = json_object_get(m, "load")));
	ck_assert_uint_eq(json_array_size(load), 3);

	ck_assert_str_eq(json_string_value(json_object_get(b, "compiler")), "gcc 12.2.0");
	ck_assert_str_eq(json_string_value(json_object_get(b, "cflags")), "-O2 -g");
	ck_assert(json_is_null(json_object_get(b, "commit")));
	ck_assert(json_is_false(json_object_get(b, "dirty")));

	/* A run compared with its own context differs in nothing. */
	{
		char buf[256];
		json_t *copy = json_deep_copy(c);
		ck_assert_int_eq(context_differences(copy, c, buf, sizeof buf), 0);
		/* ... and a baseline from another CPU is found. */
		set(copy, "machine", "cpu_model", json_string("Some Other CPU"));
		ck_assert_int_eq(context_differences(copy, c, buf, sizeof buf),
		                 model ? 1 : 0);
		json_decref(copy);
	}
	json_decref(c);
	free(kernel);
	free(model);
}
END_TEST

/* No programs (nothing listed): compiler and flags unknown. */
START_TEST(test_collect_no_programs)
{
	struct suite s = {0};
	json_t *c, *b;

	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(setenv("GIT_DIR", "/nonexistent/.git", 1), 0);
	ck_assert_ptr_nonnull(c = context_collect(&s));
	b = json_object_get(c, "build");
	ck_assert(json_is_null(json_object_get(b, "compiler")));
	ck_assert(json_is_null(json_object_get(b, "cflags")));
	json_decref(c);
}
END_TEST

/* In a git checkout: its commit, and whether a tracked file was changed
 * (an untracked one does not make it dirty). */
START_TEST(test_collect_git)
{
	struct suite s = {0};
	char *repo = check_asprintf("%s/repo", tmpdir), *cmd, *head;
	json_t *c;
	FILE *p;
	char line[64];

	if (system("git --version >/dev/null 2>&1") != 0) {
		free(repo);
		return;  /* no git: nothing to compare with */
	}
	unsetenv("GIT_DIR");
	cmd = check_asprintf("mkdir '%s' && cd '%s' && git init -q . && echo a > tracked && "
	                     "git add tracked && git -c user.name=t -c user.email=t@example.org "
	                     "commit -q -m one", repo, repo);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	ck_assert_int_eq(chdir(repo), 0);
	ck_assert_ptr_nonnull(p = popen("git rev-parse HEAD", "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof line, p));
	pclose(p);
	line[strcspn(line, "\n")] = '\0';
	head = line;

	ck_assert_int_eq(system("echo x > untracked"), 0);
	ck_assert_ptr_nonnull(c = context_collect(&s));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "build"),
	                                                   "commit")), head);
	ck_assert(json_is_false(json_object_get(json_object_get(c, "build"), "dirty")));
	json_decref(c);

	ck_assert_int_eq(system("echo b >> tracked"), 0);
	ck_assert_ptr_nonnull(c = context_collect(&s));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "build"),
	                                                   "commit")), head);
	ck_assert(json_is_true(json_object_get(json_object_get(c, "build"), "dirty")));
	json_decref(c);
	free(repo);
}
END_TEST

static Suite *context_suite(void)
{
	Suite *s = suite_create("context");
	TCase *tc = tcase_create("context");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_identical);
	tcase_add_test(tc, test_each_field);
	tcase_add_test(tc, test_cpu_and_compiler);
	tcase_add_test(tc, test_ignored_fields);
	tcase_add_test(tc, test_unknown_fields);
	tcase_add_test(tc, test_null_contexts);
	tcase_add_test(tc, test_short_buffer);
	tcase_add_test(tc, test_collect);
	tcase_add_test(tc, test_collect_no_programs);
	tcase_add_test(tc, test_collect_git);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite_in(context_suite(), tmpdir, "check_context");
}
