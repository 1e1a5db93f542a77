/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/programs.c: the list of benchmark programs read
 * from a file in a temporary directory: relative entries taken from the
 * file's directory, comments, blank lines and spaces dropped, and a missing
 * file or an empty list refused with one line on stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "msg.h"
#include "programs.h"

static char tmpdir[] = "/tmp/check_programs.XXXXXX";

/* Write `text` to tmpdir/name; returns the file's path (owned). */
static char *write_list(const char *name, const char *text)
{
	char *path = check_asprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* programs_load(path, list) with stderr sent to a file: returns its status,
 * and what it printed in *err (owned). */
static int load_capturing(const char *path, struct program_list *list, char **err)
{
	char *errpath = check_asprintf("%s/stderr", tmpdir);
	int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600), saved, rc;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	rc = programs_load(path, list);
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	close(fd);
	*err = check_slurp(errpath, NULL);
	ck_assert_ptr_nonnull(*err);
	unlink(errpath);
	free(errpath);
	return rc;
}

static const char LIST[] =
	"# benchmark programs of this project\n"
	"\n"
	"bench_strings\n"
	"   bench/bench_hash   \n"
	"\t\n"
	"/opt/bench/abs_prog # an absolute path, kept\n"
	"    # an indented comment\n"
	"../up/bench_sort\r\n"
	"last_no_newline";

START_TEST(test_relative_to_list_dir)
{
	struct program_list list;
	char *sub = check_asprintf("%s/sub", tmpdir), *path, *err, *want;

	ck_assert_int_eq(mkdir(sub, 0700), 0);
	path = write_list("sub/benchrun.list", LIST);
	ck_assert_int_eq(load_capturing(path, &list, &err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(list.n, 5);
	want = check_asprintf("%s/bench_strings", sub);
	ck_assert_str_eq(list.paths[0], want);
	free(want);
	want = check_asprintf("%s/bench/bench_hash", sub);
	ck_assert_str_eq(list.paths[1], want);
	free(want);
	ck_assert_str_eq(list.paths[2], "/opt/bench/abs_prog");
	want = check_asprintf("%s/../up/bench_sort", sub);
	ck_assert_str_eq(list.paths[3], want);
	free(want);
	want = check_asprintf("%s/last_no_newline", sub);
	ck_assert_str_eq(list.paths[4], want);
	free(want);
	programs_free(&list);
	ck_assert_ptr_null(list.paths);
	ck_assert_uint_eq(list.n, 0);
	free(err);
	free(path);
	free(sub);
}
END_TEST

/* A list named without a directory (as benchrun looks for it in the
 * current one): its entries are used as written. */
START_TEST(test_current_dir)
{
	struct program_list list;
	char *path = write_list(PROGRAMS_LIST_FILE, LIST), *err;

	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(load_capturing(PROGRAMS_LIST_FILE, &list, &err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(list.n, 5);
	ck_assert_str_eq(list.paths[0], "bench_strings");
	ck_assert_str_eq(list.paths[1], "bench/bench_hash");
	ck_assert_str_eq(list.paths[2], "/opt/bench/abs_prog");
	ck_assert_str_eq(list.paths[3], "../up/bench_sort");
	ck_assert_str_eq(list.paths[4], "last_no_newline");
	programs_free(&list);
	free(err);

	/* "./benchrun.list" is in the current directory too. */
	ck_assert_int_eq(load_capturing("./" PROGRAMS_LIST_FILE, &list, &err), 0);
	ck_assert_uint_eq(list.n, 5);
	ck_assert_str_eq(list.paths[0], "bench_strings");
	programs_free(&list);
	free(err);
	free(path);
}
END_TEST

START_TEST(test_missing_file)
{
	struct program_list list = {(char **)1, 7};
	char *path = check_asprintf("%s/no-such.list", tmpdir), *err, *want;

	ck_assert_int_eq(load_capturing(path, &list, &err), EXIT_USAGE);
	want = check_asprintf("benchrun: %s: No such file or directory "
	                      "(name benchmark programs on the command line)\n", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_eq(strchr(err, '\n'), err + strlen(err) - 1);  /* one line */
	ck_assert_ptr_null(list.paths);
	ck_assert_uint_eq(list.n, 0);
	programs_free(&list);
	free(want);
	free(err);
	free(path);
}
END_TEST

/* A list that cannot be read (a directory) says why, not "lists no
 * benchmark programs". */
START_TEST(test_unreadable_list)
{
	struct program_list list;
	char *err, *want;

	ck_assert_int_eq(load_capturing(tmpdir, &list, &err), EXIT_USAGE);
	want = check_asprintf("benchrun: %s: Is a directory\n", tmpdir);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(list.n, 0);
	programs_free(&list);
	free(want);
	free(err);
}
END_TEST

START_TEST(test_empty_list)
{
	static const char *const empties[] = {
		"", "\n\n", "# only a comment\n", "  # indented\n\t\n   \n#last",
	};

	for (size_t i = 0; i < sizeof empties / sizeof *empties; i++) {
		struct program_list list;
		char *path = write_list("empty.list", empties[i]), *err, *want;

		ck_assert_int_eq(load_capturing(path, &list, &err), EXIT_USAGE);
		want = check_asprintf("benchrun: %s: lists no benchmark programs\n", path);
		ck_assert_str_eq(err, want);
		ck_assert_ptr_null(list.paths);
		ck_assert_uint_eq(list.n, 0);
		programs_free(&list);
		free(want);
		free(err);
		free(path);
	}
}
END_TEST

static Suite *programs_suite(void)
{
	Suite *s = suite_create("programs");
	TCase *tc = tcase_create("programs");

	tcase_add_test(tc, test_relative_to_list_dir);
	tcase_add_test(tc, test_current_dir);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_unreadable_list);
	tcase_add_test(tc, test_empty_list);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite_in(programs_suite(), tmpdir, "check_programs");
}
