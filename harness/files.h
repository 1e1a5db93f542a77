/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole-file helpers the baseline store, the stage and the profile
 * writers share: a content hash, an atomic copy, and writing one output
 * file. */
#ifndef BENCHRUN_FILES_H
#define BENCHRUN_FILES_H

#include <stdio.h>

/* "fnv1a64:<16 hex digits>" of the file at `path` into out; 0, or -1 with
 * errno set.  Not a cryptographic hash: it guards against a rebuilt or
 * damaged copy, not against someone forging one. */
int files_hash(const char *path, char out[32]);

/* Copy `src` to `dst` (mode 0755) through a temporary file beside it, an
 * fsync and a rename, so dst is never half-written; 0, or -1 with errno
 * set to the first failure's cause. */
int files_copy(const char *src, const char *dst);

/* Write dir/stem+suffix with put(f, ctx) (nonzero: failed); its path,
 * owned by the caller, or NULL after a one-line message. */
char *files_write(const char *dir, const char *stem, const char *suffix,
                  int (*put)(FILE *f, const void *ctx), const void *ctx);

#endif
