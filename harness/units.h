/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Numbers in readable units, shared by every report. */
#ifndef BENCHRUN_UNITS_H
#define BENCHRUN_UNITS_H

#include <stddef.h>

/* Format a duration in ns as "1.234 µs" (four significant digits, unit from
 * ns to s); "-" when not finite.  Returns buf. */
char *units_time(char *buf, size_t n, double ns);

/* Format a rate of `per_iter` bytes (or items when `items`) per iteration
 * at ns_per_iter as "3.31 GB/s" / "12.5 Mitems/s" (SI prefixes); "-" when
 * there is no rate.  Returns buf. */
char *units_rate(char *buf, size_t n, double per_iter, int items, double ns_per_iter);

#endif
