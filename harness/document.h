/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The results document (docs/json-schema.md), its one owner: what --json
 * writes, what a baseline stores, and what both load back into a suite.
 * The store (baseline.h) only stores it; the reporters only render. */
#ifndef BENCHRUN_DOCUMENT_H
#define BENCHRUN_DOCUMENT_H

#include <jansson.h>
#include "compare.h"
#include "report.h"
#include "suite.h"

/* Version of the results schema; bump on incompatible change. */
#define DOCUMENT_SCHEMA_VERSION 1

/* Build the results document of s (new reference, NULL when out of
 * memory): its programs (with their kept copies, when the store kept
 * them), benchmarks with raw samples, estimates, counters and profiles,
 * context and settings; with `sum` (compared), its "comparison" object
 * holds the run's mode counts, settings, shift and `exit_status`. */
json_t *document_build(const struct suite *s, const struct report_settings *rs,
                       const struct compare_summary *sum, int exit_status);

/* Write `doc` to `path` atomically: a temporary file in the same directory,
 * fsync, rename.  Returns 0, or -1 after printing one line; an existing file
 * at `path` is never left half-written. */
int document_write(const char *path, json_t *doc);

/* Load the results document at `path` into `s` (programs with their kept
 * copies, benchmarks with their raw samples) and return the document in
 * *doc (new reference) for its context.  Returns 0, or -1 after one
 * message naming the file and where it broke; the file is never
 * modified. */
int document_load(const char *path, struct suite *s, json_t **doc);

#endif
