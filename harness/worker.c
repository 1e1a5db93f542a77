/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spawning a worker and reading its output (worker.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "worker.h"

/* Whether doc explains a nonzero exit: a benchmark (or a profiled one)
 * that failed says why in its own "end" record. */
static int failure_reported(const struct protocol_doc *doc)
{
	for (size_t i = 0; i < doc->nbenches; i++)
		if (doc->benches[i].failed)
			return 1;
	for (size_t i = 0; i < doc->nprofiles; i++)
		if (doc->profiles[i].failed)
			return 1;
	return 0;
}

int worker_run(const struct callgrind *cg, const char *prog, char *const *envp,
               const char *const *args, double timeout_s, struct protocol_doc *doc,
               struct proc_result *res, char **why)
{
	char *argv[40], err[256];
	size_t n = cg ? callgrind_argv(cg, (const char **)argv, 16) : 0;
	int rc;

	argv[n++] = (char *)prog;
	argv[n++] = "--jsonl";
	argv[n++] = "--output-fd";
	argv[n++] = "3";
	while (*args && n < sizeof argv / sizeof argv[0] - 1)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	*why = NULL;
	memset(doc, 0, sizeof *doc);
	if ((rc = proc_run_env(argv, envp, timeout_s, res)) != 0) {
		*why = strdup(strerror(-rc));
		return -1;
	}
	/* A crash or time-out says more than whatever output it left. */
	if (res->signal || res->timed_out) {
		*why = proc_describe_failure(res, timeout_s);
		return -1;
	}
	if (protocol_parse(res->out, res->out_len, doc, err, sizeof err) != 0) {
		if (res->exit_code != 0)
			*why = proc_describe_failure(res, timeout_s);
		else if (asprintf(why, "malformed worker output: %s", err) < 0)
			*why = NULL;
		return -1;
	}
	if (res->exit_code != 0 && failure_reported(doc))
		return 0;
	if (res->exit_code != 0) {
		*why = proc_describe_failure(res, timeout_s);
		return -1;
	}
	if (!doc->have_footer) {
		*why = strdup("malformed worker output: truncated (no footer)");
		return -1;
	}
	return 0;
}
