/* SPDX-License-Identifier: MIT */
/* A user's shared library for the paired-run tests (check_paired): a chain
 * of dependent multiply-adds whose length is the build's choice.  Built at
 * test time twice, with soname libbrtest.so.1: as is, and with
 * -DBRTEST_SLOW, which does ten times the work (an effect no load on a
 * 2-core VM hides). */
#include <stdint.h>

#ifdef BRTEST_SLOW
#define BRTEST_FACTOR 10
#else
#define BRTEST_FACTOR 1
#endif

uint64_t brtest_work(uint64_t n, uint64_t x);

uint64_t brtest_work(uint64_t n, uint64_t x)
{
	for (uint64_t i = n * BRTEST_FACTOR; i > 0; i--)
		x = x * 6364136223846793005u + i;
	return x;
}
