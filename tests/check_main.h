/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The runner every Check suite of benchrun ends with: fork mode (a crashing
 * test fails alone), normal output, exit status from the failure count. */
#ifndef BENCHRUN_CHECK_MAIN_H
#define BENCHRUN_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

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

#endif
