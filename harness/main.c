/* SPDX-License-Identifier: GPL-3.0-or-later */
/* benchrun: parse the command line and dispatch. */
#include "config.h"
#include <errno.h>
#include <unistd.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include "analysis.h"
#include "msg.h"
#include "options.h"
#include "programs.h"
#include "report.h"
#include "suite.h"

static void analyse_all(struct suite *s, const struct options *o)
{
	struct analysis_opts ao = {o->conf_level, o->resamples, o->seed};

	for (size_t i = 0; i < s->nbenches; i++) {
		struct bench_result *b = &s->benches[i];
		if (b->failed || (b->analysed = analysis_run(b, &ao, &b->an) == 0))
			continue;
		b->failed = 1;
		b->reason = strdup("too few samples to analyse (fewer than 2 in every process)");
		msg_error(b->name, "%s", b->reason);
	}
}

static int write_outputs(const struct suite *s, const struct options *o)
{
	json_t *doc;
	int rc = 0;

	report_console(stdout, s, o);
	fflush(stdout);
	if (!o->json_path)
		return 0;
	if (!(doc = report_json_build(s, o))) {
		msg_error(o->json_path, "out of memory");
		return -1;
	}
	rc = report_json_write(o->json_path, doc);
	json_decref(doc);
	return rc;
}

static void print_list(const struct suite *s)
{
	for (size_t i = 0; i < s->nbenches; i++)
		printf("%s\n", s->benches[i].name);
}

static int run(struct options *o, const regex_t *filter)
{
	struct suite_opts so = {
		o->programs, o->nprograms, filter, o->processes, o->warmup_s,
		o->measure_s, o->samples, o->timeout_s, !o->quiet && isatty(2),
	};
	struct suite s;
	size_t failed;
	int rc = suite_list(&so, &s);

	if (rc == 0 && o->list)
		print_list(&s);
	if (rc != 0 || o->list) {
		suite_free(&s);
		return rc;
	}
	suite_measure(&so, &s);
	analyse_all(&s, o);
	failed = 0;
	for (size_t i = 0; i < s.nbenches; i++)
		failed += s.benches[i].failed != 0;
	rc = write_outputs(&s, o) != 0 ? EXIT_USAGE
	     : failed ? EXIT_BENCH_FAILED : EXIT_NO_REGRESSION;
	suite_free(&s);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct program_list list = {0};
	regex_t re;
	int rc, err;

	if ((rc = options_parse(argc, argv, &o)) != 0)
		return rc;
	if (o.help || o.version) {
		if (o.help)
			options_usage(stdout);
		else
			printf("benchrun %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (o.filter && (err = regcomp(&re, o.filter, REG_EXTENDED | REG_NOSUB)) != 0) {
		char msg[160];
		regerror(err, &re, msg, sizeof msg);
		msg_error("--filter", "'%s': %s", o.filter, msg);
		return EXIT_USAGE;
	}
	if (o.nprograms == 0 && (rc = programs_load(PROGRAMS_LIST_FILE, &list)) == 0) {
		o.programs = list.paths;
		o.nprograms = list.n;
	}
	if (rc == 0)
		rc = run(&o, o.filter ? &re : NULL);
	programs_free(&list);
	if (o.filter)
		regfree(&re);
	return rc;
}
