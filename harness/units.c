/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Readable units: durations from ns to s, rates with SI prefixes. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "units.h"

/* Four significant digits: enough to see a 0.1 % change on the console,
 * which is as fine as a rerun on these machines can resolve. */
static void four_digits(char *buf, size_t n, double v, const char *unit)
{
	/* Chosen on the value as it will print: 9.9996 rounds to 10.00 (two
	 * decimals), not 10.000, as 999.96 moves up a unit in the callers. */
	int decimals = fabs(v) >= 99.995 ? 1 : fabs(v) >= 9.9995 ? 2 : 3;

	snprintf(buf, n, "%.*f %s", decimals, v, unit);
}

char *units_time(char *buf, size_t n, double ns)
{
	static const char *const unit[] = {"ns", "µs", "ms", "s"};
	int u = 0;

	if (!isfinite(ns)) {
		snprintf(buf, n, "-");
		return buf;
	}
	while (fabs(ns) >= 999.95 && u < 3) {
		ns /= 1000;
		u++;
	}
	four_digits(buf, n, ns, unit[u]);
	return buf;
}

static const char *const si_prefix[] = {"", "k", "M", "G", "T", "P"};

/* Scale *v down by thousands while it would print as 1000 or more, up to
 * prefix `most`; the index of its SI prefix. */
static int si_scale(double *v, int most)
{
	int p = 0;

	while (fabs(*v) >= 999.95 && p < most) {
		*v /= 1000;
		p++;
	}
	return p;
}

char *units_rate(char *buf, size_t n, double per_iter, int items, double ns_per_iter)
{
	double rate = per_iter / ns_per_iter * 1e9;
	char unit[16];
	int p;

	if (!(per_iter > 0) || !(ns_per_iter > 0) || !isfinite(rate)) {
		snprintf(buf, n, "-");
		return buf;
	}
	p = si_scale(&rate, 5);
	snprintf(unit, sizeof unit, "%s%s/s", si_prefix[p], items ? "items" : "B");
	four_digits(buf, n, rate, unit);
	return buf;
}

char *units_bytes(char *buf, size_t n, double bytes)
{
	int p;

	if (!isfinite(bytes)) {
		snprintf(buf, n, "-");
		return buf;
	}
	p = si_scale(&bytes, 4);
	snprintf(buf, n, "%.4g %sB", bytes, si_prefix[p]);
	return buf;
}

static const char *const measure_names[] = {"time", "instructions"};

const char *units_measure_name(int measure)
{
	return measure == MEASURE_INSTRUCTIONS ? measure_names[1] : measure_names[0];
}

int units_measure_parse(const char *name)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(name, measure_names[i]))
			return i;
	return -1;
}

const char *units_measure_heading(int measure)
{
	return measure == MEASURE_INSTRUCTIONS ? "Ir/iter" : "time/iter";
}

const char *units_measure_unit(int measure)
{
	return measure == MEASURE_INSTRUCTIONS ? "Ir" : "ns";
}

/* Counts are exact: whole numbers in full (a change of one instruction in
 * a thousand shows), fractions (the slope of a body whose count varies,
 * a geometric mean of rounds) to two decimals. */
char *units_figure(char *buf, size_t n, double v, int measure)
{
	if (measure == MEASURE_COUNTER) {  /* a user counter: in its own unit */
		if (isfinite(v))
			snprintf(buf, n, "%.4g", v);
		else
			snprintf(buf, n, "-");
		return buf;
	}
	if (measure != MEASURE_INSTRUCTIONS)
		return units_time(buf, n, v);
	if (!isfinite(v))
		snprintf(buf, n, "-");
	else if (fabs(v) < 1e15 && fabs(v - round(v)) <= 1e-9 * fmax(1, fabs(v)))
		snprintf(buf, n, "%.0f Ir", round(v));  /* whole, up to float rounding */
	else
		snprintf(buf, n, "%.2f Ir", v);
	return buf;
}
