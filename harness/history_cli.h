/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The history on the command line (history_cli.c). */
#ifndef BENCHRUN_HISTORY_CLI_H
#define BENCHRUN_HISTORY_CLI_H

#include <jansson.h>

/* `benchrun history ...` (argv[0] is "history"): the exit status, 0, 1 (a
 * regression change point with --changes) or 2 (usage, store). */
int history_main(int argc, char **argv);

/* Append the results document `doc` of a measuring run (written to
 * `document`, or NULL) to the history --store names (or $BENCHRUN_STORE,
 * else baseline_dir/history.sqlite; "none": nowhere).  0, or -1 after one
 * line. */
int history_record(const char *store, const char *baseline_dir, json_t *doc,
                   const char *document);

#endif
