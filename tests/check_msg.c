/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/msg.c: the exact lines msg_error() and msg_warn()
 * write on stderr (captured by pointing fd 2 at a temporary file), the
 * terminal escaping of their subject, and the progress line they clear. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "msg.h"

static char capture_path[] = "/tmp/check_msg.XXXXXX";
static int capture_fd = -1, saved_fd = -1;

/* Send stderr to a fresh temporary file until capture_end(). */
static void capture_begin(void)
{
	strcpy(capture_path, "/tmp/check_msg.XXXXXX");
	capture_fd = mkstemp(capture_path);
	ck_assert_int_ge(capture_fd, 0);
	fflush(stderr);
	saved_fd = dup(2);
	ck_assert_int_ge(saved_fd, 0);
	ck_assert_int_eq(dup2(capture_fd, 2), 2);
}

/* Restore stderr; returns what was written to it (owned by the caller). */
static char *capture_end(void)
{
	char *text;

	fflush(stderr);
	ck_assert_int_eq(dup2(saved_fd, 2), 2);
	close(saved_fd);
	close(capture_fd);
	text = check_slurp(capture_path, NULL);
	ck_assert_ptr_nonnull(text);
	unlink(capture_path);
	return text;
}

START_TEST(test_error_format)
{
	char *text;

	capture_begin();
	msg_error("hash/fnv1a/64", "%s after %d s", "timed out", 30);
	text = capture_end();
	ck_assert_str_eq(text, "benchrun: hash/fnv1a/64: timed out after 30 s\n");
	free(text);

	/* No subject: a message about benchrun itself. */
	capture_begin();
	msg_error(NULL, "no benchmark programs");
	text = capture_end();
	ck_assert_str_eq(text, "benchrun: no benchmark programs\n");
	free(text);
}
END_TEST

START_TEST(test_warn_format)
{
	char *text;

	capture_begin();
	msg_warn("baselines/main.json", "measured with another %s", "CPU model");
	text = capture_end();
	ck_assert_str_eq(text, "benchrun: warning: baselines/main.json: "
	                       "measured with another CPU model\n");
	free(text);

	capture_begin();
	msg_warn(NULL, "gnuplot not found: %d plots left out", 3);
	text = capture_end();
	ck_assert_str_eq(text, "benchrun: warning: gnuplot not found: 3 plots left out\n");
	free(text);
}
END_TEST

/* A subject (often a benchmark's name) cannot move the cursor, recolour the
 * terminal or break the line: its unsafe bytes are written as \xHH.  The
 * problem text is benchrun's own and is written as it is. */
START_TEST(test_subject_escaped)
{
	char *text;

	capture_begin();
	msg_error("evil/esc\x1b[31m\r\nred", "crashed");
	msg_warn("evil/bytes\xff\xc2\x85 ok \xc2\xb5s", "a%s", "\tb");
	text = capture_end();
	ck_assert_str_eq(text,
	                 "benchrun: evil/esc\\x1b[31m\\x0d\\x0ared: crashed\n"
	                 "benchrun: warning: evil/bytes\\xff\\xc2\\x85 ok \xc2\xb5s: a\tb\n");
	free(text);
}
END_TEST

/* While a progress line is drawn, each message first returns the cursor
 * and clears that line; afterwards it does not. */
START_TEST(test_progress_cleared)
{
	char *text;

	capture_begin();
	msg_set_progress_active(1);
	msg_error("x", "one");
	msg_warn("y", "two");
	msg_set_progress_active(0);
	msg_error("z", "three");
	text = capture_end();
	ck_assert_str_eq(text, "\r\033[Kbenchrun: x: one\n"
	                       "\r\033[Kbenchrun: warning: y: two\n"
	                       "benchrun: z: three\n");
	free(text);
}
END_TEST

static Suite *msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("msg");

	tcase_add_test(tc, test_error_format);
	tcase_add_test(tc, test_warn_format);
	tcase_add_test(tc, test_subject_escaped);
	tcase_add_test(tc, test_progress_cleared);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(msg_suite());
}
