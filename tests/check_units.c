/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/units.c: durations across the ns/µs/ms/s
 * boundaries with four significant digits, rates in bytes and items with SI
 * prefixes, exact instruction counts, and the measure names.  The expected
 * strings are worked out by hand from printf's rounding of the values. */
#include <math.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "units.h"

#define TIME(ns, want)                                                          \
	do {                                                                    \
		char buf_[32];                                                  \
		ck_assert_str_eq(units_time(buf_, sizeof buf_, (ns)), (want));  \
	} while (0)

START_TEST(test_time_units)
{
	TIME(0, "0.000 ns");
	TIME(1.5, "1.500 ns");
	/* Decimals change at 10 and 100: 10 and 100 themselves are above. */
	TIME(9.9994, "9.999 ns");
	TIME(10, "10.00 ns");
	TIME(12.3456, "12.35 ns");
	TIME(99.994, "99.99 ns");
	TIME(100, "100.0 ns");
	TIME(123.456, "123.5 ns");
	/* Just below the switch, shown as nanoseconds ... */
	TIME(999.94, "999.9 ns");
	/* ... and above it: a value that would print as "1000.0 ns" moves up. */
	TIME(999.96, "1.000 µs");
	/* Four digits where rounding reaches the next decade too. */
	TIME(9.9996, "10.00 ns");
	TIME(9.9994, "9.999 ns");
	TIME(99.996, "100.0 ns");
	TIME(99.994, "99.99 ns");
	TIME(99996, "100.0 µs");
	TIME(1000, "1.000 µs");
	TIME(1234, "1.234 µs");
	TIME(12345.6, "12.35 µs");
	TIME(123456, "123.5 µs");
	TIME(1234567, "1.235 ms");
	TIME(12345678, "12.35 ms");
	TIME(999940000, "999.9 ms");
	TIME(999960000, "1.000 s");
	TIME(1.5e9, "1.500 s");
	TIME(42.25e9, "42.25 s");
	/* Seconds are the largest unit. */
	TIME(1234.5e9, "1234.5 s");
	TIME(-1234, "-1.234 µs");
	TIME(-5e6, "-5.000 ms");
}
END_TEST

START_TEST(test_time_not_finite)
{
	char buf[32];

	TIME(NAN, "-");
	TIME(INFINITY, "-");
	TIME(-INFINITY, "-");
	/* The buffer is returned, and a short one is truncated, not overrun. */
	ck_assert_ptr_eq(units_time(buf, sizeof buf, 7), buf);
	units_time(buf, 5, 1234);
	ck_assert_str_eq(buf, "1.23");
}
END_TEST

#define RATE(per_iter, items, ns, want)                                          \
	do {                                                                     \
		char buf_[32];                                                   \
		ck_assert_str_eq(units_rate(buf_, sizeof buf_, (per_iter), (items), \
		                            (ns)), (want));                      \
	} while (0)

START_TEST(test_rate_bytes)
{
	RATE(1, 0, 1e9, "1.000 B/s");
	RATE(3, 0, 1e6, "3.000 kB/s");
	RATE(64, 0, 80, "800.0 MB/s");
	/* 1024 / 1234e-9 = 829821717.99 B/s */
	RATE(1024, 0, 1234, "829.8 MB/s");
	RATE(16384, 0, 4, "4.096 TB/s");
	/* 999.96 B/s would print as "1000.0 B/s": it moves up a prefix. */
	RATE(999.96, 0, 1e9, "1.000 kB/s");
	RATE(99.996, 0, 1e9, "100.0 B/s");
	/* P is the largest prefix. */
	RATE(5e9, 0, 1, "5000.0 PB/s");
}
END_TEST

START_TEST(test_rate_items)
{
	RATE(1, 1, 1e9, "1.000 items/s");
	RATE(1, 1, 1, "1.000 Gitems/s");
	/* 12.5 million items a second */
	RATE(125, 1, 10000, "12.50 Mitems/s");
	RATE(7, 1, 1e6, "7.000 kitems/s");
}
END_TEST

/* Bytes with SI prefixes, four significant digits. */
START_TEST(test_bytes)
{
	char buf[32];

	ck_assert_str_eq(units_bytes(buf, sizeof buf, 0), "0 B");
	ck_assert_str_eq(units_bytes(buf, sizeof buf, 64), "64 B");
	ck_assert_str_eq(units_bytes(buf, sizeof buf, 999.94), "999.9 B");
	ck_assert_str_eq(units_bytes(buf, sizeof buf, 999.96), "1 kB");
	ck_assert_str_eq(units_bytes(buf, sizeof buf, 128000), "128 kB");
	ck_assert_str_eq(units_bytes(buf, sizeof buf, 6856000), "6.856 MB");
	ck_assert_str_eq(units_bytes(buf, sizeof buf, 2.5e15), "2500 TB");
	ck_assert_str_eq(units_bytes(buf, sizeof buf, NAN), "-");
}
END_TEST

START_TEST(test_rate_none)
{
	RATE(0, 0, 100, "-");
	RATE(-64, 0, 100, "-");
	RATE(64, 0, 0, "-");
	RATE(64, 0, -5, "-");
	RATE(64, 1, NAN, "-");
	RATE(NAN, 0, 100, "-");
	RATE(INFINITY, 0, 100, "-");
}
END_TEST

#define FIGURE(v, m, want)                                                      \
	do {                                                                    \
		char buf_[40];                                                  \
		ck_assert_str_eq(units_figure(buf_, sizeof buf_, (v), (m)), (want)); \
	} while (0)

START_TEST(test_figure_instructions)
{
	FIGURE(1204, MEASURE_INSTRUCTIONS, "1204 Ir");
	/* Whole counts are printed in full, not to four digits. */
	FIGURE(1234567, MEASURE_INSTRUCTIONS, "1234567 Ir");
	FIGURE(1234568, MEASURE_INSTRUCTIONS, "1234568 Ir");
	FIGURE(0, MEASURE_INSTRUCTIONS, "0 Ir");
	FIGURE(-3, MEASURE_INSTRUCTIONS, "-3 Ir");
	/* Whole up to float rounding (a mean of equal counts) ... */
	FIGURE(1204.0000000001, MEASURE_INSTRUCTIONS, "1204 Ir");
	FIGURE(1203.9999999999, MEASURE_INSTRUCTIONS, "1204 Ir");
	/* ... fractions to two decimals. */
	FIGURE(12.5, MEASURE_INSTRUCTIONS, "12.50 Ir");
	FIGURE(1204.25, MEASURE_INSTRUCTIONS, "1204.25 Ir");
	FIGURE(1e15, MEASURE_INSTRUCTIONS, "1000000000000000.00 Ir");
	FIGURE(NAN, MEASURE_INSTRUCTIONS, "-");
	FIGURE(INFINITY, MEASURE_INSTRUCTIONS, "-");
}
END_TEST

START_TEST(test_figure_time_counter)
{
	/* A time is formatted as units_time does. */
	FIGURE(1234, MEASURE_TIME, "1.234 µs");
	FIGURE(12.3456, MEASURE_TIME, "12.35 ns");
	FIGURE(NAN, MEASURE_TIME, "-");
	/* A user counter in its own unit, four significant digits. */
	FIGURE(3.5, MEASURE_COUNTER, "3.5");
	FIGURE(12345.6, MEASURE_COUNTER, "1.235e+04");
	FIGURE(1204, MEASURE_COUNTER, "1204");
	FIGURE(NAN, MEASURE_COUNTER, "-");
	FIGURE(-INFINITY, MEASURE_COUNTER, "-");
}
END_TEST

START_TEST(test_measure_names)
{
	ck_assert_str_eq(units_measure_name(MEASURE_TIME), "time");
	ck_assert_str_eq(units_measure_name(MEASURE_INSTRUCTIONS), "instructions");
	ck_assert_int_eq(units_measure_parse("time"), MEASURE_TIME);
	ck_assert_int_eq(units_measure_parse("instructions"), MEASURE_INSTRUCTIONS);
	/* Round trip of every measure a run can be asked for. */
	for (int m = MEASURE_TIME; m <= MEASURE_INSTRUCTIONS; m++)
		ck_assert_int_eq(units_measure_parse(units_measure_name(m)), m);
	/* Exact words only. */
	ck_assert_int_eq(units_measure_parse("Time"), -1);
	ck_assert_int_eq(units_measure_parse("instruction"), -1);
	ck_assert_int_eq(units_measure_parse("instructions "), -1);
	ck_assert_int_eq(units_measure_parse("cycles"), -1);
	ck_assert_int_eq(units_measure_parse(""), -1);
	ck_assert_str_eq(units_measure_heading(MEASURE_TIME), "time/iter");
	ck_assert_str_eq(units_measure_heading(MEASURE_INSTRUCTIONS), "Ir/iter");
	ck_assert_str_eq(units_measure_unit(MEASURE_TIME), "ns");
	ck_assert_str_eq(units_measure_unit(MEASURE_INSTRUCTIONS), "Ir");
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");

	tcase_add_test(tc, test_time_units);
	tcase_add_test(tc, test_time_not_finite);
	tcase_add_test(tc, test_rate_bytes);
	tcase_add_test(tc, test_rate_items);
	tcase_add_test(tc, test_rate_none);
	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_figure_instructions);
	tcase_add_test(tc, test_figure_time_counter);
	tcase_add_test(tc, test_measure_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(units_suite());
}
