/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libbenchrun as a user sees it: only benchrun.h and the installed library.
 * Registers benchmarks, runs the worker entry point in-process, and checks
 * that only br_ names are exported. */
#define _GNU_SOURCE
#include <check.h>
#include "check_main.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "benchrun.h"

struct pair {
	int a, b;
};

static int make_data(br_state_t *st)
{
	static int data[16];

	br_state_set_user(st, data);
	br_state_set_bytes_per_iter(st, sizeof data);
	return 0;
}

BR_BENCHMARK(user, sum, .setup = make_data)
{
	int *data = br_state_user(st);

	BR_ITERATE(st) {
		int s = 0;
		for (int i = 0; i < 16; i++)
			s += data[i];
		br_do_not_optimize(s);
	}
}

/* The barriers must accept aggregates, not only scalars. */
BR_BENCHMARK(user, barriers, BR_ARGS(1, 2))
{
	struct pair p = {1, 2};

	BR_ITERATE(st) {
		p = br_black_box(p);
		br_do_not_optimize(p);
		br_clobber();
	}
}

/* Run br_main_ex with `args` and return what it wrote on --output-fd. */
static char *run_worker(const char *const *args, int *rc)
{
	char *argv[32], path[] = "/tmp/check_public.XXXXXX", fdarg[16], *out;
	int argc = 0, fd = mkstemp(path);
	long len;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	snprintf(fdarg, sizeof fdarg, "%d", dup(fd));
	argv[argc++] = "check_public";
	argv[argc++] = "--output-fd";
	argv[argc++] = fdarg;
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	*rc = br_main_ex(argc, argv, "test-cc", "-Otest");
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(fread(out, 1, (size_t)len, f), len);
	fclose(f);
	return out;
}

START_TEST(test_list)
{
	static const char *const args[] = {"--list", NULL};
	int rc;
	char *out = run_worker(args, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(out, "user/sum\nuser/barriers/1\nuser/barriers/2\n");
	free(out);
}
END_TEST

START_TEST(test_run_jsonl)
{
	static const char *const args[] = {"--jsonl", "--filter", "sum", "--samples", "4",
	                                   "--warmup-time", "0.001", "--measure-time",
	                                   "0.002", NULL};
	int rc, samples = 0;
	char *out = run_worker(args, &rc), *p = out;

	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(out, "\"compiler\":\"test-cc\""));
	ck_assert_ptr_nonnull(strstr(out, "\"cflags\":\"-Otest\""));
	ck_assert_ptr_nonnull(strstr(out, "\"bytes_per_iter\":64"));
	ck_assert_ptr_null(strstr(out, "barriers"));
	while ((p = strstr(p, "\"type\":\"sample\"")) != NULL) {
		samples++;
		p++;
	}
	ck_assert_int_eq(samples, 4);
	ck_assert_ptr_nonnull(strstr(out, "{\"type\":\"footer\",\"benchmarks\":1,\"failed\":0}\n"));
	free(out);
}
END_TEST

START_TEST(test_bad_options)
{
	static const char *const unknown[] = {"--frobnicate", NULL};
	static const char *const nomatch[] = {"--filter", "^nothing$", NULL};
	static const char *const badnum[] = {"--samples", "1", NULL};
	int rc;

	free(run_worker(unknown, &rc));
	ck_assert_int_eq(rc, 2);
	free(run_worker(nomatch, &rc));
	ck_assert_int_eq(rc, 2);
	free(run_worker(badnum, &rc));
	ck_assert_int_eq(rc, 2);
}
END_TEST

START_TEST(test_exports_and_errors)
{
	ck_assert_ptr_nonnull(dlsym(RTLD_DEFAULT, "br_version"));
	ck_assert_ptr_nonnull(dlsym(RTLD_DEFAULT, "br__loop_start"));
	/* Exported so a stripped library still names the frame where the
	 * harness cuts profiles. */
	ck_assert_ptr_nonnull(dlsym(RTLD_DEFAULT, "br__body_call"));
	ck_assert_ptr_null(dlsym(RTLD_DEFAULT, "br__registry_instances"));
	ck_assert_ptr_null(dlsym(RTLD_DEFAULT, "br__plan_make"));
	ck_assert_str_eq(br_version(), BR_VERSION_STRING);
	ck_assert_str_eq(br_strerror(BR_ESETUP), "setup failed");
	ck_assert_str_eq(br_strerror(-2), "No such file or directory");
	ck_assert_str_eq(br_strerror(-99999), "unknown error");
}
END_TEST

static Suite *public_suite(void)
{
	Suite *s = suite_create("public");
	TCase *tc = tcase_create("as a user");

	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_run_jsonl);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_exports_and_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(public_suite());
}
