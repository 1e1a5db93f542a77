/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Named baselines: results documents (document.h) stored as
 * <dir>/<name>.json, written atomically under a lock, with the programs
 * they measured kept beside them; document_load reads one back. */
#ifndef BENCHRUN_BASELINE_H
#define BENCHRUN_BASELINE_H

#include <jansson.h>
#include "compare.h"
#include "report.h"
#include "suite.h"

#define BASELINE_DIR_ENV "BENCHRUN_BASELINE_DIR"
#define BASELINE_DIR_DEFAULT "baselines"

/* Whether `name` is a valid baseline name: 1 to 100 of letters, digits and
 * "._-", and not "." or "..": no path can be smuggled in. */
int baseline_name_valid(const char *name);

/* The store directory: `flag` when given, else $BENCHRUN_BASELINE_DIR,
 * else "baselines". */
const char *baseline_dir(const char *flag);

/* "<dir>/<name>.json", owned by the caller; NULL (after one message) when
 * the name is invalid. */
char *baseline_path(const char *dir, const char *name);

/* Store the results document of s (document_build with rs, sum and
 * exit_status) as baseline `name` in `dir` (created if missing): under an
 * exclusive lock on <dir>/.<name>.lock, so concurrent saves never
 * interleave, and atomically.  With `keep`, each program of s is also
 * copied to <dir>/programs/<hash>-<file name> (content-addressed, shared by
 * baselines) and recorded in s (stored, hash), and so are the non-system
 * shared objects it loads (objects.h, libs), which the document then
 * holds.  Returns 0, or -1 after one message; the previous baseline is
 * then intact. */
int baseline_save(const char *dir, const char *name, struct suite *s,
                  const struct report_settings *rs, const struct compare_summary *sum,
                  int exit_status, int keep);

/* Store a document as it is (one built before, or edited) as baseline
 * `name`, as baseline_save does, keeping no programs. */
int baseline_store(const char *dir, const char *name, json_t *doc);

/* The kept copy of program `p` of a baseline in `dir`, checked against its
 * recorded hash: a path owned by the caller, or NULL after one warning
 * (none kept, missing, altered since, or not a file the store kept:
 * "stored" must be programs/HASH-NAME inside dir, a regular file whose
 * name carries its own hash; never run anything else). */
char *baseline_program(const char *dir, const struct program *p);

/* The same for one kept shared object of a program. */
char *baseline_library(const char *dir, const struct kept_lib *l);


#endif
