/* SPDX-License-Identifier: MIT */
/* A benchmark program for the name tests: benchmarks whose names are legal
 * but awkward in some output (%, quotes, markup, a backslash, non-ASCII,
 * a parameter, named parameters), and names the registry must refuse (control characters,
 * CR and LF, a noncharacter, bytes that are not UTF-8, two names longer
 * than 255 bytes that share their first 255).  Registered by hand: the
 * BR_BENCHMARK() macro takes identifiers only. */
#include <string.h>

#include "benchrun.h"

static void body(br_state_t *st)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = x * 6364136223846793005u + br_black_box((uint64_t)1);
	}
	br_do_not_optimize(x);
}

static const int64_t sizes[] = {8, 64, 512};

/* A complexity function of the definition's own, with an awkward name. */
static double half_n(double n)
{
	return n / 2;
}
static char long_a[300], long_b[300];

static br_benchmark_t defs[] = {
	{.group = "names", .name = "pct%d%s%n 100%", .fn = body},
	{.group = "names", .name = "quote'\"<b>&amp;", .fn = body},
	{.group = "names", .name = "back\\slash", .fn = body},
	{.group = "names", .name = "\xc2\xb5s-\xc3\xbc", .fn = body},            /* µs-ü */
	{.group = "names", .name = "sweep%", .fn = body, .arg_list = sizes, .arg_count = 3,
	 .complexity = half_n, .complexity_name = "O(n/2 \"%s\")",
	 .bytes_per_iter = 8},
	{.group = "names", .name = "esc\x1b[31mred", .fn = body},
	{.group = "names", .name = "cr\rlf\n", .fn = body},
	{.group = "names", .name = "nonchar\xef\xbf\xbe", .fn = body},          /* U+FFFE */
	{.group = "names", .name = "bytes\xff\xfe", .fn = body},
	{.group = "names", .name = long_a, .fn = body},
	{.group = "names", .name = long_b, .fn = body},
	/* Named parameters whose string values are markup and a format. */
	{.group = "names", .name = "params", .fn = body,
	 BR_PARAMS(BR_PARAM("n", 8), BR_PARAM_STRINGS("mode", "a<b>&\"q\"", "100%"))},
};

__attribute__((constructor)) static void register_all(void)
{
	memset(long_a, 'x', sizeof long_a - 2);
	memset(long_b, 'x', sizeof long_b - 2);
	long_a[sizeof long_a - 2] = 'a';
	long_b[sizeof long_b - 2] = 'b';
	for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
		br_benchmark_register(&defs[i]);
}

BR_MAIN()
