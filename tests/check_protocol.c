/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The worker protocol both ways: what libbenchrun writes, benchrun reads
 * back field for field; and malformed input is refused with the line and
 * the reason. */
#define _GNU_SOURCE
#include <check.h>
#include "check_main.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "protocol.h"

BR_BENCHMARK(proto, quoted, BR_ARGS(4096), .items_per_iter = 3)
{
	BR_ITERATE(st) {
	}
}

static const struct br__instance *instance(void)
{
	const struct br__instance *all;

	ck_assert_int_eq(br__registry_instances(&all), 1);
	return &all[0];
}

/* Write a header, one measured run and a footer into memory. */
static char *write_doc(size_t *len, int failed)
{
	static uint64_t iters[3] = {100, 200, 300}, ns[3] = {1050, 2070, 3020};
	struct br__build build = {"gcc \"12\"", "-O2 -g", "./prog\tname", "abcdef"};
	struct br__timer_facts facts = {"CLOCK_MONOTONIC_RAW", 23.5, 1, 1};
	struct br__run run = {.inst = instance(), .bytes_per_iter = 64, .items_per_iter = 3,
	                      .warmup_iters = 777, .warmup_ns = 50000000,
	                      .plan = {0, 100, 0, 3}, .iters = iters, .ns = ns,
	                      .nsamples = 3};
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (failed) {
		run.status = BR_EFAILED;
		strcpy(run.reason, "bad \"input\"\n");
	}
	br__write_header(f, &build, &facts);
	br__write_run(f, &run);
	br__write_footer(f, 1, (unsigned)failed);
	fclose(f);
	return buf;
}

START_TEST(test_round_trip)
{
	struct protocol_doc doc;
	char err[128];
	size_t len;
	char *buf = write_doc(&len, 0);
	const struct protocol_bench *b;

	ck_assert_int_eq(protocol_parse(buf, len, &doc, err, sizeof err), 0);
	ck_assert_int_eq(doc.hdr.protocol, BR__PROTO_VERSION);
	ck_assert_str_eq(doc.hdr.library, BR_VERSION_STRING);
	ck_assert_str_eq(doc.hdr.compiler, "gcc \"12\"");
	ck_assert_str_eq(doc.hdr.program, "./prog\tname");
	ck_assert_str_eq(doc.hdr.build_id, "abcdef");
	ck_assert_str_eq(doc.hdr.clock, "CLOCK_MONOTONIC_RAW");
	ck_assert_double_eq(doc.hdr.timer_read_ns, 23.5);
	ck_assert_int_eq(doc.have_footer, 1);
	ck_assert_uint_eq(doc.nbenches, 1);
	b = &doc.benches[0];
	ck_assert_str_eq(b->name, "proto/quoted/4096");
	ck_assert_str_eq(b->group, "proto");
	ck_assert_str_eq(b->param, "4096");
	ck_assert_int_eq(b->measured && b->ended && !b->failed, 1);
	ck_assert_double_eq(b->bytes_per_iter, 64);
	ck_assert_double_eq(b->items_per_iter, 3);
	ck_assert_uint_eq(b->run.warmup_iters, 777);
	ck_assert_uint_eq(b->run.nsamples, 3);
	ck_assert_uint_eq(b->run.samples[2].iters, 300);
	ck_assert_double_eq(b->run.samples[2].ns, 3020);
	protocol_doc_free(&doc);
	free(buf);
}
END_TEST

START_TEST(test_failed_run_keeps_reason)
{
	struct protocol_doc doc;
	char err[128];
	size_t len;
	char *buf = write_doc(&len, 1);

	ck_assert_int_eq(protocol_parse(buf, len, &doc, err, sizeof err), 0);
	ck_assert_int_eq(doc.benches[0].failed, 1);
	ck_assert_str_eq(doc.benches[0].reason, "bad \"input\"\n");
	protocol_doc_free(&doc);
	free(buf);
}
END_TEST

/* Parse `text`, expect failure, and return the message. */
static const char *refused(const char *text)
{
	static char err[256];
	struct protocol_doc doc;

	ck_assert_int_eq(protocol_parse(text, strlen(text), &doc, err, sizeof err), -1);
	protocol_doc_free(&doc);
	return err;
}

#define HEADER "{\"type\":\"header\",\"protocol\":1,\"library\":\"0.1.0\",\"program\":\"p\"," \
	"\"compiler\":\"c\",\"cflags\":\"\",\"build_id\":\"\",\"timer\":{\"clock\":\"x\"," \
	"\"read_ns\":20,\"resolution_ns\":1}}\n"
#define BENCH "{\"type\":\"benchmark\",\"name\":\"g/f\",\"group\":\"g\",\"function\":\"f\"," \
	"\"param\":null}\n"

START_TEST(test_garbage_is_refused_with_line)
{
	ck_assert_str_eq(refused(""), "line 1: no output: not a benchrun worker");
	ck_assert_str_eq(refused("hello world\n"),
	                 "line 1: not JSON: '[' or '{' expected near 'hello' (column 5)");
	ck_assert_str_eq(refused("{\"type\":\"listed\"}\n"),
	                 "line 1: no protocol header: not a benchrun worker");
	ck_assert_str_eq(refused(HEADER "[1,2]\n"),
	                 "line 2: not a protocol record (an object with a \"type\")");
	ck_assert_str_eq(refused(HEADER "{\"type\":\"sample\",\"iters\":1,\"ns\":2}\n"),
	                 "line 2: sample outside a benchmark");
	ck_assert_str_eq(refused(HEADER BENCH "{\"type\":\"sample\",\"iters\":0,\"ns\":2}\n"),
	                 "line 3: sample with no iterations or negative time");
	ck_assert_str_eq(refused(HEADER BENCH "{\"type\":\"sample\",\"iters\":1}\n"),
	                 "line 3: Object item not found: ns");
	ck_assert_str_eq(refused(HEADER BENCH "{\"type\":\"end\",\"name\":\"other\","
	                         "\"status\":\"ok\"}\n"),
	                 "line 3: end of a benchmark that did not start");
	ck_assert_str_eq(refused(HEADER "{\"type\":\"footer\"}\n" BENCH),
	                 "line 3: a record after the footer");
}
END_TEST

START_TEST(test_versions_and_unknown_records)
{
	char text[1024], err[128];
	struct protocol_doc doc;

	snprintf(text, sizeof text, "%s", HEADER);
	*strstr(text, "\"protocol\":1") = '\0';
	strcat(text, "\"protocol\":2}\n");
	ck_assert_ptr_nonnull(strstr(refused(text), "line 1:"));
	/* A record type from a newer worker is skipped, not an error. */
	snprintf(text, sizeof text, HEADER "{\"type\":\"counters-v2\",\"x\":1}\n" BENCH);
	ck_assert_int_eq(protocol_parse(text, strlen(text), &doc, err, sizeof err), 0);
	ck_assert_uint_eq(doc.nbenches, 1);
	ck_assert_ptr_null(doc.benches[0].param);
	protocol_doc_free(&doc);
}
END_TEST

/* A definition's settings, label and skip in its listing, a run's label
 * and a skip in its records, read back; a worker newer than this reader is
 * refused saying so. */
START_TEST(test_settings_label_skip)
{
	static const br_benchmark_t def = {.group = "g", .name = "f", .measure_time = 0.25,
	                                   .iterations = 7, .processes = 9, .timeout = 1.5,
	                                   .label = "tab\there", .skip = "needs a GPU"};
	struct br__instance inst = {.def = &def, .name = "g/f"};
	struct br__run run = {.inst = &inst, .status = BR_ESKIPPED, .reason = "no \"input\"",
	                      .label = "run label"};
	struct br__build build = {"cc", "", "p", ""};
	struct br__timer_facts facts = {"c", 1, 1, 1};
	struct protocol_doc doc;
	const struct protocol_bench *b;
	char err[128], *buf = NULL, text[1024];
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	br__write_header(f, &build, &facts);
	br__write_listed(f, &inst);
	br__write_run(f, &run);
	fclose(f);
	ck_assert_int_eq(protocol_parse(buf, len, &doc, err, sizeof err), 0);
	ck_assert_uint_eq(doc.nbenches, 2);
	b = &doc.benches[0];
	ck_assert_double_eq(b->set.measure_time, 0.25);
	ck_assert_uint_eq(b->set.iterations, 7);
	ck_assert_uint_eq(b->set.processes, 9);
	ck_assert_double_eq(b->set.timeout_s, 1.5);
	ck_assert_str_eq(b->label, "tab\there");
	ck_assert_int_eq(b->skipped && b->failed, 1);
	ck_assert_str_eq(b->reason, "needs a GPU");
	b = &doc.benches[1];
	ck_assert_int_eq(b->ended && b->skipped && b->failed, 1);
	ck_assert_str_eq(b->reason, "no \"input\"");
	ck_assert_str_eq(b->label, "run label");
	protocol_doc_free(&doc);
	free(buf);

	/* User counters after a run's samples: each with its kind and figure. */
	{
		static uint64_t iters[2] = {10, 20}, ns[2] = {100, 200};
		struct br__run ok = {.inst = &inst, .plan = {0, 10, 0, 2}, .iters = iters,
		                     .ns = ns, .nsamples = 2, .nucount = 3};
		ok.ucount[0] = (struct br__user_counter){.name = "ratio", .kind = BR_COUNTER_VALUE,
		                                          .value = 2.5, .have = 1};
		ok.ucount[1] = (struct br__user_counter){.name = "hits", .kind = BR_COUNTER_PER_ITER,
		                                          .sum = 90, .iters = 30, .have = 1};
		ok.ucount[2] = (struct br__user_counter){.name = "none", .kind = BR_COUNTER_RATE};
		buf = NULL;
		f = open_memstream(&buf, &len);
		br__write_header(f, &build, &facts);
		br__write_run(f, &ok);
		fclose(f);
		ck_assert_int_eq(protocol_parse(buf, len, &doc, err, sizeof err), 0);
		b = &doc.benches[0];
		ck_assert_uint_eq(b->nuser, 2);  /* "none" has no figure */
		ck_assert_str_eq(b->user[0].name, "ratio");
		ck_assert_int_eq(b->user[0].kind, USER_VALUE);
		ck_assert_double_eq(b->user[0].vals[0], 2.5);
		ck_assert_int_eq(b->user[1].kind, USER_PER_ITER);
		ck_assert_double_eq(b->user[1].vals[0], 3);
		protocol_doc_free(&doc);
		free(buf);
	}
	snprintf(text, sizeof text, HEADER BENCH "{\"type\":\"user_counter\",\"name\":\"g/f\","
	         "\"counter\":\"x\",\"kind\":\"sometimes\",\"value\":1}\n");
	ck_assert_str_eq(refused(text), "line 3: user counter without a known kind and a number");
	/* A name that would move the terminal's cursor never reaches a report. */
	snprintf(text, sizeof text, HEADER BENCH "{\"type\":\"user_counter\",\"name\":\"g/f\","
	         "\"counter\":\"x\\u001b[2J\",\"kind\":\"value\",\"value\":1}\n");
	ck_assert_str_eq(refused(text), "line 3: user counter name empty, over 63 bytes, or "
	                 "holding ':' or a control character");
	snprintf(text, sizeof text, HEADER BENCH "{\"type\":\"user_counter\",\"name\":\"g/f\","
	         "\"counter\":\"\",\"kind\":\"value\",\"value\":1}\n");
	ck_assert_str_eq(refused(text), "line 3: user counter name empty, over 63 bytes, or "
	                 "holding ':' or a control character");
	snprintf(text, sizeof text, HEADER "{\"type\":\"user_counter\",\"name\":\"g/f\","
	         "\"counter\":\"x\",\"kind\":\"value\",\"value\":1}\n");
	ck_assert_str_eq(refused(text), "line 2: user counter outside its benchmark");

	/* An impossible setting, and a worker of a newer protocol. */
	snprintf(text, sizeof text, HEADER "{\"type\":\"listed\",\"name\":\"g/f\","
	         "\"group\":\"g\",\"function\":\"f\",\"settings\":{\"processes\":-1}}\n");
	ck_assert_str_eq(refused(text), "line 2: a negative or impossible setting");
	snprintf(text, sizeof text, "%s", HEADER);
	memcpy(strstr(text, "\"protocol\":1"), "\"protocol\":7", 12);
	ck_assert_str_eq(refused(text), "line 1: written by a newer libbenchrun than this "
	                 "benchrun reads (protocol 1 to 6): update benchrun");
}
END_TEST

/* Counter records and per-sample counters, written by the library and
 * read back: descriptions, values, and the unknown (null) as NAN. */
START_TEST(test_counters_round_trip)
{
	static uint64_t iters[2] = {100, 200}, ns[2] = {1000, 2000};
	static double delta[6] = {800, 3, NAN, 1600, 5.5, NAN};
	static double running[6] = {1, 0.5, 0, 1, 0.5, 0};
	struct br__build build = {"cc", "", "./p", ""};
	struct br__timer_facts facts = {"CLOCK_MONOTONIC_RAW", 23.5, 1, 1};
	struct br__counter_set set;
	struct br__run run = {.inst = instance(), .plan = {0, 100, 0, 2}, .iters = iters,
	                      .ns = ns, .nsamples = 2, .counters = &set,
	                      .ctr_delta = delta, .ctr_running = running};
	struct protocol_doc doc;
	const struct proc_run *r;
	char *buf = NULL, err[128];
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(br__counters_parse("instructions,page-faults,cycles", &set, err,
	                                    sizeof err), 0);
	set.ev[0].hardware = set.ev[2].hardware = 1;
	set.ev[0].role = BR__ROLE_INSTRUCTIONS;
	set.ev[0].loop_per_iter = 2;
	set.ev[1].kernel = 0;
	set.ev[2].status = BR__CTR_UNAVAILABLE;
	strcpy(set.ev[2].reason, "no PMU: run on bare metal");
	br__write_header(f, &build, &facts);
	br__write_counters(f, &set);
	br__write_run(f, &run);
	br__write_footer(f, 1, 0);
	fclose(f);
	ck_assert_int_eq(protocol_parse(buf, len, &doc, err, sizeof err), 0);
	ck_assert_uint_eq(doc.ncounters, 3);
	ck_assert_int_eq(doc.counter_unknown, 0);
	ck_assert_str_eq(doc.counters[0].name, "instructions");
	ck_assert_str_eq(doc.counters[0].kind, "hardware");
	ck_assert_str_eq(doc.counters[0].role, "instructions");
	ck_assert(doc.counters[0].counted && doc.counters[0].requested);
	ck_assert_double_eq(doc.counters[0].loop_per_iter, 2);
	ck_assert(isnan(doc.counters[1].loop_per_iter));
	ck_assert_str_eq(doc.counters[1].kind, "software");
	ck_assert(!doc.counters[2].counted);
	ck_assert_str_eq(doc.counters[2].reason, "no PMU: run on bare metal");
	r = &doc.benches[0].run;
	ck_assert_uint_eq(r->nctr, 3);
	for (int i = 0; i < 6; i++) {
		if (isnan(delta[i]))
			ck_assert(isnan(r->ctr_delta[i]));
		else
			ck_assert_double_eq(r->ctr_delta[i], delta[i]);
		ck_assert_double_eq(r->ctr_running[i], running[i]);
	}
	protocol_doc_free(&doc);
	free(buf);
}
END_TEST

#define COUNTER "{\"type\":\"counter\",\"name\":\"pf\",\"status\":\"counted\"}\n"
#define SAMPLE_PF(v) "{\"type\":\"sample\",\"iters\":1,\"ns\":2,\"counters\":{\"pf\":" v "}}\n"

START_TEST(test_counter_records_refused)
{
	ck_assert_str_eq(refused(HEADER BENCH COUNTER), "line 3: a counter record after a benchmark");
	ck_assert_str_eq(refused(HEADER COUNTER COUNTER), "line 3: a counter listed twice");
	ck_assert_str_eq(refused(HEADER "{\"type\":\"counter\",\"name\":\"x\","
	                         "\"status\":\"maybe\"}\n"),
	                 "line 2: a counter with an unknown status");
	ck_assert_str_eq(refused(HEADER COUNTER BENCH SAMPLE_PF("{\"delta\":-1,\"running\":1}")),
	                 "line 4: sample counter with a negative delta or a running fraction "
	                 "outside [0, 1]");
	ck_assert_str_eq(refused(HEADER COUNTER BENCH SAMPLE_PF("{\"delta\":1,\"running\":1.5}")),
	                 "line 4: sample counter with a negative delta or a running fraction "
	                 "outside [0, 1]");
	ck_assert_str_eq(refused(HEADER COUNTER BENCH SAMPLE_PF("7")),
	                 "line 4: sample counter without a numeric delta and running");
}
END_TEST

/* The name rule at its edges: a whole name of 255 bytes passes, 256 do
 * not; the first unsafe character is named with its byte position. */
START_TEST(test_name_rule)
{
	char group[200], why[128];

	memset(group, 'g', sizeof group - 1);
	group[sizeof group - 1] = '\0';
	/* 199 + "/" + 51 + "/" + "123" = 255 bytes */
	ck_assert_int_eq(br__name_check(group, "fffffffffffffffffffffffffffffffffffffffffffffffffff",
	                                "123", why, sizeof why), 0);
	ck_assert_int_eq(br__name_check(group, "fffffffffffffffffffffffffffffffffffffffffffffffffff",
	                                "1234", why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "256 bytes long");
	ck_assert_int_eq(br__name_check("g", "\xc2\xb5s %'\"<>\\", NULL, why, sizeof why), 0);
	ck_assert_int_eq(br__name_check("g", "a\x1b", NULL, why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "control character U+001B at byte 4");
	ck_assert_int_eq(br__name_check("g", "a\xc2\x9b", NULL, why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "control character U+009B at byte 4");
	ck_assert_int_eq(br__name_check("g\x7f", "a", NULL, why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "control character U+007F at byte 2");
	ck_assert_int_eq(br__name_check("g", "\xef\xb7\x90", NULL, why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "noncharacter U+FDD0 at byte 3");
	ck_assert_int_eq(br__name_check("g", "\xf4\x8f\xbf\xbf", NULL, why, sizeof why),
	                 BR_EINVAL_ARG);
	ck_assert_str_eq(why, "noncharacter U+10FFFF at byte 3");
	ck_assert_int_eq(br__name_check("g", "\xc0\xaf", NULL, why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "byte 0xc0 at byte 3 is not UTF-8");
	ck_assert_int_eq(br__name_check("g", "\xed\xa0\x80", NULL, why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "byte 0xed at byte 3 is not UTF-8");
	ck_assert_int_eq(br__name_check("", "f", NULL, why, sizeof why), BR_EINVAL_ARG);
	ck_assert_str_eq(why, "empty group");
}
END_TEST

static Suite *protocol_suite(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_failed_run_keeps_reason);
	tcase_add_test(tc, test_garbage_is_refused_with_line);
	tcase_add_test(tc, test_versions_and_unknown_records);
	tcase_add_test(tc, test_settings_label_skip);
	tcase_add_test(tc, test_counters_round_trip);
	tcase_add_test(tc, test_counter_records_refused);
	tcase_add_test(tc, test_name_rule);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(protocol_suite());
}
