/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one place benchrun talks to a worker: spawn a benchmark program
 * (under callgrind when measuring instructions) and read its whole output,
 * every record type (listings, samples, counters, user counters, profile
 * stacks and maps), with protocol.c's parser. */
#ifndef BENCHRUN_WORKER_H
#define BENCHRUN_WORKER_H

#include "callgrind.h"
#include "proc.h"
#include "protocol.h"

/* Run `prog` (in environment envp, NULL for benchrun's own) with the worker
 * options in `args` (NULL-terminated) and "--jsonl --output-fd 3", under
 * callgrind when cg is not NULL, and parse what it wrote into doc.  A
 * crash, time-out, exit status or malformed output is the failure; a
 * nonzero exit explained by a failed benchmark's own "end" record is not
 * (the caller reads it from doc).  Returns 0, or -1 with a reason (owned
 * by the caller) in *why.  Free doc and res either way. */
int worker_run(const struct callgrind *cg, const char *prog, char *const *envp,
               const char *const *args, double timeout_s, struct protocol_doc *doc,
               struct proc_result *res, char **why);

#endif
