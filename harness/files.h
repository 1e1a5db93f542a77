/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole-file helpers the baseline store and the stage share: a content
 * hash and an atomic copy. */
#ifndef BENCHRUN_FILES_H
#define BENCHRUN_FILES_H

/* "fnv1a64:<16 hex digits>" of the file at `path` into out; 0, or -1 with
 * errno set.  Not a cryptographic hash: it guards against a rebuilt or
 * damaged copy, not against someone forging one. */
int files_hash(const char *path, char out[32]);

/* Copy `src` to `dst` (mode 0755) through a temporary file beside it, an
 * fsync and a rename, so dst is never half-written; 0, or -1 with errno
 * set to the first failure's cause. */
int files_copy(const char *src, const char *dst);

#endif
