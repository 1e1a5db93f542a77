/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for the complexity fits: constructed times of each class,
 * exact and with noise, give that class and its coefficient; too few
 * sizes give none; a suite's sweeps are found by group and function. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "complexity.h"
#include "suite.h"

static const double N[7] = {16, 64, 256, 1024, 4096, 16384, 65536};

/* Each class, exactly: its own function times 3.5 (plus 0 noise). */
START_TEST(test_exact_classes)
{
	double t[7];
	struct complexity_fit f;

	for (size_t i = 0; i < 7; i++)
		t[i] = 3.5 * complexity_g(_i, N[i]);
	ck_assert_int_eq(complexity_fit(N, t, 7, &f), 0);
	ck_assert_msg(f.best == _i, "%s fitted as %s", complexity_name(_i),
	              complexity_name(f.best));
	ck_assert_double_eq_tol(f.coef[_i], 3.5, 1e-9);
	ck_assert_double_eq_tol(f.rms[_i], 0, 1e-12);
}
END_TEST

/* +-5 % noise (a fixed pattern) does not change the class. */
START_TEST(test_noisy_classes)
{
	static const double noise[7] = {0.05, -0.04, 0.03, -0.05, 0.02, -0.01, 0.04};
	double t[7];
	struct complexity_fit f;

	for (size_t i = 0; i < 7; i++)
		t[i] = 2 * complexity_g(_i, N[i]) * (1 + noise[i]);
	ck_assert_int_eq(complexity_fit(N, t, 7, &f), 0);
	ck_assert_msg(f.best == _i, "%s fitted as %s", complexity_name(_i),
	              complexity_name(f.best));
	ck_assert_double_eq_tol(f.coef[_i], 2, 0.1);
	ck_assert(f.rms[_i] < 0.06);
}
END_TEST

/* A known answer by hand: t = 2, 4, 6 at n = 1, 2, 3 is 2 n exactly; O(1)
 * has coefficient 4 (the mean) and RMS sqrt(8/3) / 4. */
START_TEST(test_known_answer)
{
	static const double n[3] = {1, 2, 3}, t[3] = {2, 4, 6};
	struct complexity_fit f;

	ck_assert_int_eq(complexity_fit(n, t, 3, &f), 0);
	ck_assert_int_eq(f.best, BIGO_N);
	ck_assert_double_eq_tol(f.coef[BIGO_N], 2, 1e-12);
	ck_assert_double_eq_tol(f.coef[BIGO_1], 4, 1e-12);
	ck_assert_double_eq_tol(f.rms[BIGO_1], sqrt(8.0 / 3) / 4, 1e-12);
}
END_TEST

START_TEST(test_refused)
{
	static const double n[3] = {1, 2, 0.5}, t[3] = {1, 2, 3};
	struct complexity_fit f;

	ck_assert_int_eq(complexity_fit(n, t, 2, &f), -1);   /* two sizes */
	ck_assert_int_eq(complexity_fit(n, t, 3, &f), -1);   /* n under 1 */
}
END_TEST

static void add(struct suite *s, const char *group, const char *function, const char *param,
                double slope)
{
	struct bench_result *b;

	s->benches = realloc(s->benches, (s->nbenches + 1) * sizeof *s->benches);
	ck_assert_ptr_nonnull(s->benches);
	b = &s->benches[s->nbenches++];
	memset(b, 0, sizeof *b);
	b->group = strdup(group);
	b->function = strdup(function);
	b->param = param ? strdup(param) : NULL;
	b->name = strdup("x");
	b->analysis.done = 1;
	b->analysis.an.slope.point = slope;
}

/* A suite: a linear sweep of 4, an n^2 sweep of 3 interleaved with it,
 * a sweep of 2 (too few) and a benchmark with no parameter. */
START_TEST(test_suite_sweeps)
{
	struct suite s = {0};
	struct complexity_result *r;
	size_t n;

	add(&s, "a", "lin", "10", 10);
	add(&s, "a", "sq", "10", 100);
	add(&s, "a", "lin", "20", 20);
	add(&s, "a", "sq", "20", 400);
	add(&s, "a", "lin", "40", 40);
	add(&s, "a", "sq", "40", 1600);
	add(&s, "a", "lin", "80", 80);
	add(&s, "b", "two", "1", 1);
	add(&s, "b", "two", "2", 2);
	add(&s, "c", "none", NULL, 5);
	n = complexity_suite(&s, &r);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(r[0].function, "lin");
	ck_assert_uint_eq(r[0].npoints, 4);
	ck_assert_int_eq(r[0].fit.best, BIGO_N);
	ck_assert_str_eq(r[1].function, "sq");
	ck_assert_int_eq(r[1].fit.best, BIGO_N2);
	ck_assert(r[1].lo == 10 && r[1].hi == 40);
	complexity_results_free(r, n);
	suite_free(&s);
}
END_TEST

/* Named parameters: each numeric one is a sweep with the others fixed;
 * a string parameter is no size, and two sizes are too few. */
START_TEST(test_named_sweeps)
{
	static const char *const sizes[] = {"16", "64", "256"};
	struct suite s = {0};
	struct complexity_result *r;
	char param[64];
	size_t n;

	for (size_t i = 0; i < 3; i++)
		for (int d = 0; d < 2; d++)
			for (int k = 1; k <= 2; k++) {
				double x = atof(sizes[i]);
				snprintf(param, sizeof param, "n:%s/dist:%s/k:%d", sizes[i],
				         d ? "sorted" : "random", k);
				/* random: n log n; sorted: n; k doubles the cost */
				add(&s, "sort", "q", param, k * (d ? x : x * log2(x)));
			}
	n = complexity_suite(&s, &r);
	/* n swept for each (dist, k): 4 sweeps; k has two values: none. */
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(r[0].group, "sort");
	ck_assert_str_eq(r[0].function, "q/n:*/dist:random/k:1");
	ck_assert_uint_eq(r[0].npoints, 3);
	ck_assert_int_eq(r[0].fit.best, BIGO_NLOGN);
	ck_assert_str_eq(r[2].function, "q/n:*/dist:sorted/k:1");
	ck_assert_int_eq(r[2].fit.best, BIGO_N);
	ck_assert_double_eq_tol(r[3].fit.coef[BIGO_N], 2, 1e-9);
	ck_assert(r[3].lo == 16 && r[3].hi == 256);
	complexity_results_free(r, n);
	suite_free(&s);
}
END_TEST

/* Threads are no size: BR_ARGS with BR_THREADS sweeps the unnamed size
 * at each thread count (with the definition's own function), named sizes
 * likewise, and the thread counts themselves are never a sweep. */
START_TEST(test_thread_sweeps)
{
	static const double x[] = {64, 256, 1024};
	struct suite s = {0};
	struct complexity_result *r;
	char param[64];
	size_t n;

	for (size_t i = 0; i < 3; i++)
		for (int t = 1; t <= 4; t *= 2) {
			snprintf(param, sizeof param, "%g/threads:%d", x[i], t);
			add(&s, "q", "u", param, pow(x[i], 1.5) / t);
			s.benches[s.nbenches - 1].complexity_name = strdup("O(n^1.5)");
			s.benches[s.nbenches - 1].complexity_g = pow(x[i], 1.5);
			snprintf(param, sizeof param, "n:%g/threads:%d", x[i], t);
			add(&s, "q", "v", param, x[i] / t);
		}
	add(&s, "q", "w", "threads:1", 1);
	add(&s, "q", "w", "threads:2", 2);
	add(&s, "q", "w", "threads:4", 4);
	n = complexity_suite(&s, &r);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(r[0].function, "u/*/threads:1");
	ck_assert_uint_eq(r[0].npoints, 3);
	ck_assert_int_eq(r[0].fit.best, BIGO_USER);
	ck_assert_str_eq(r[0].user, "O(n^1.5)");
	ck_assert_str_eq(r[1].function, "v/n:*/threads:1");
	ck_assert_int_eq(r[1].fit.best, BIGO_N);
	ck_assert_str_eq(r[4].function, "u/*/threads:4");
	ck_assert_double_eq_tol(r[4].fit.coef[BIGO_USER], 0.25, 1e-9);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(strncmp(r[i].function, "w", 1) != 0, "%s", r[i].function);
	complexity_results_free(r, n);
	suite_free(&s);
}
END_TEST

/* The definition's own function (n log^2 n) beside the built-in classes:
 * it wins on its own data, with its coefficient; without it, the closest
 * built-in class does; in a suite, it is named by the definition and used
 * only on sweeps of the first parameter. */
START_TEST(test_user_function)
{
	double t[7], u[7], x[3] = {64, 1024, 16384};
	struct complexity_fit f;
	struct complexity_result *r;
	struct suite s = {0};
	char line[256], param[64];
	json_t *doc;
	size_t n;

	for (size_t i = 0; i < 7; i++) {
		u[i] = N[i] * log2(N[i]) * log2(N[i]);
		t[i] = 3 * u[i];
	}
	ck_assert_int_eq(complexity_fit_user(N, t, u, 7, &f), 0);
	ck_assert_int_eq(f.best, BIGO_USER);
	ck_assert_double_eq_tol(f.coef[BIGO_USER], 3, 1e-9);
	ck_assert_int_eq(complexity_fit(N, t, 7, &f), 0);
	ck_assert(f.best != BIGO_USER && isnan(f.rms[BIGO_USER]));

	for (size_t i = 0; i < 3; i++)
		for (int m = 0; m < 2; m++) {
			double g = x[i] * log2(x[i]) * log2(x[i]);
			snprintf(param, sizeof param, "n:%g/m:%g", x[i], x[m] * 1);
			add(&s, "sort", "merge", param, 2 * g * (m + 1));
			s.benches[s.nbenches - 1].complexity_name = strdup("O(n log^2 n)");
			s.benches[s.nbenches - 1].complexity_g = g;
		}
	n = complexity_suite(&s, &r);
	ck_assert_uint_eq(n, 2);  /* n swept at m:64 and at m:1024; m has two values */
	ck_assert_str_eq(r[0].function, "merge/n:*/m:64");
	ck_assert_int_eq(r[0].fit.best, BIGO_USER);
	ck_assert_str_eq(r[0].user, "O(n log^2 n)");
	complexity_line(line, sizeof line, &r[0]);
	ck_assert_msg(!strncmp(line, "O(n log^2 n), 2.000 ns x f(n), RMS 0.0%", 38), "%s", line);
	doc = complexity_json(r, n);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(json_array_get(doc, 0), "fits"),
	                                      "O(n log^2 n)"));
	json_decref(doc);
	complexity_results_free(r, n);
	suite_free(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("complexity");
	TCase *tc = tcase_create("fits");

	tcase_add_loop_test(tc, test_exact_classes, 0, BIGO_USER);
	tcase_add_loop_test(tc, test_noisy_classes, 0, BIGO_USER);
	tcase_add_test(tc, test_known_answer);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_suite_sweeps);
	tcase_add_test(tc, test_named_sweeps);
	tcase_add_test(tc, test_user_function);
	tcase_add_test(tc, test_thread_sweeps);
	suite_add_tcase(s, tc);
	return check_run_suite(s);
}
