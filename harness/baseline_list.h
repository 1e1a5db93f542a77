/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The baselines a store holds, for the message about one it does not. */
#ifndef BENCHRUN_BASELINE_LIST_H
#define BENCHRUN_BASELINE_LIST_H

#include <stddef.h>

/* The names of the baselines in `dir` (files NAME.json whose NAME is a
 * valid baseline name), sorted, written to out[n] as "a, b, c"; a list
 * that does not fit ends in ", ...".  "" when there are none or dir cannot
 * be read.  Returns how many there are. */
size_t baseline_list_existing(const char *dir, char *out, size_t n);

/* The one-line error for baseline `name` missing from `dir`, with the
 * baselines that do exist there, or how to save a first one:
 * "benchrun: baseline 'NAME': not found in DIR (it has: a, b)". */
void baseline_list_missing(const char *dir, const char *name);

#endif
