/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where and how results were measured: the machine (CPU, cores, kernel,
 * frequency governor, load) and the build (compiler, flags, commit). */
#ifndef BENCHRUN_CONTEXT_H
#define BENCHRUN_CONTEXT_H

#include <jansson.h>
#include "suite.h"

/* The context of this run as a JSON object (new reference):
 * {"machine": {...}, "build": {...}}.  Fields that cannot be read are
 * null, never guessed. */
json_t *context_collect(const struct suite *s);

/* This machine's description alone (as context_collect's "machine"). */
json_t *context_machine(void);

/* Compare two contexts (either may be NULL, e.g. from an older file) and
 * write into buf the fields that differ, as "CPU model, compiler";
 * returns the number of differences that matter for comparing timings. */
int context_differences(json_t *base, json_t *cur, char *buf, size_t len);

#endif
