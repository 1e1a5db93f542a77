/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What benchrun's Check suites share: the runner every suite ends with
 * (fork mode, so a crashing test fails alone; exit status from the failure
 * count), and small helpers for reading files and formatting paths. */
#ifndef BENCHRUN_CHECK_MAIN_H
#define BENCHRUN_CHECK_MAIN_H

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A formatted string, owned by the caller; the test fails when out of
 * memory. */
static inline char *check_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline char *check_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* The whole file at `path`, NUL-terminated and owned by the caller, its
 * length in *len when len is not NULL; NULL when it cannot be opened. */
static inline char *check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			cap = 2 * cap + 65536 + 1;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	ck_assert_msg(!ferror(f), "%s: read error", path);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Run suite `s` (consumed) and return EXIT_SUCCESS only when no test failed. */
static inline int check_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Make the folder `tmpdir` (a mkdtemp template), run suite `s` (consumed)
 * as check_run_suite does, and remove the folder when every test passed;
 * after a failure it stays, for a look at the files.  99 (a hard error)
 * when the folder cannot be made. */
static inline int check_run_suite_in(Suite *s, char *tmpdir, const char *name)
{
	char cmd[4200];
	int rc;

	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n", name, tmpdir, strerror(errno));
		return 99;
	}
	rc = check_run_suite(s);
	/* not check_asprintf: its assertion works only inside a test */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (rc == EXIT_SUCCESS && system(cmd) != 0)
		fprintf(stderr, "%s: could not remove %s\n", name, tmpdir);
	return rc;
}

#endif
