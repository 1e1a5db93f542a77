/* SPDX-License-Identifier: MIT */
/* A benchmark program whose body lives in a user's shared library
 * (libbrtest.so.1, tests/libbrtest.c), found through its rpath: the case a
 * baseline must keep the library for.  Built at test time by check_paired. */
#include <stdint.h>

#include "benchrun.h"

uint64_t brtest_work(uint64_t n, uint64_t x);

BR_BENCHMARK(lib, work)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = brtest_work(br_black_box(200), x);
	}
	br_do_not_optimize(x);
}

BR_MAIN()
