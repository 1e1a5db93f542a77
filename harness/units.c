/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Readable units: durations from ns to s, rates with SI prefixes. */
#include <math.h>
#include <stdio.h>
#include "units.h"

/* Four significant digits: enough to see a 0.1 % change on the console,
 * which is as fine as a rerun on these machines can resolve. */
static void four_digits(char *buf, size_t n, double v, const char *unit)
{
	int decimals = fabs(v) >= 100 ? 1 : fabs(v) >= 10 ? 2 : 3;

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

char *units_rate(char *buf, size_t n, double per_iter, int items, double ns_per_iter)
{
	static const char *const prefix[] = {"", "k", "M", "G", "T", "P"};
	double rate = per_iter / ns_per_iter * 1e9;
	char unit[16];
	int p = 0;

	if (!(per_iter > 0) || !(ns_per_iter > 0) || !isfinite(rate)) {
		snprintf(buf, n, "-");
		return buf;
	}
	while (rate >= 999.95 && p < 5) {
		rate /= 1000;
		p++;
	}
	snprintf(unit, sizeof unit, "%s%s/s", prefix[p], items ? "items" : "B");
	four_digits(buf, n, rate, unit);
	return buf;
}
