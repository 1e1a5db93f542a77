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

/* Format a number of bytes as "512 B", "1.28 kB", "6.856 MB" (four
 * significant digits, SI prefixes); "-" when not finite.  Returns buf. */
char *units_bytes(char *buf, size_t n, double bytes);

/* What a sample's figure is: nanoseconds, or instructions (Ir) that
 * Valgrind's callgrind counted (harness/callgrind.h). */
enum measure { MEASURE_TIME, MEASURE_INSTRUCTIONS,
               MEASURE_COUNTER /* a comparison of a user counter's figures */ };

/* "time" or "instructions"; and back (-1 for another word). */
const char *units_measure_name(int measure);
int units_measure_parse(const char *name);

/* The heading of a per-iteration column: "time/iter" or "Ir/iter". */
const char *units_measure_heading(int measure);

/* The unit of a figure: "ns" or "Ir". */
const char *units_measure_unit(int measure);

/* Format a per-iteration figure of `measure`: a duration as units_time
 * does, an instruction count exactly ("1204 Ir", "12.50 Ir").  Returns
 * buf. */
char *units_figure(char *buf, size_t n, double v, int measure);

#endif
