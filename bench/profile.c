/* SPDX-License-Identifier: MIT */
/* Bodies with a known profile, for bench/measure-profile: `profile/split`
 * spends its work 70/30 in two functions that run the same serial
 * multiply-add chain for 7000 and 3000 steps, so a sampled profile must
 * put about 70 % and 30 % of the samples in them. */
#include "benchrun.h"
#include "kernels.h"

__attribute__((noinline)) static uint64_t work_seventy(uint64_t x)
{
	return kernel_lcg_chain(br_black_box(x), 7000);
}

__attribute__((noinline)) static uint64_t work_thirty(uint64_t x)
{
	return kernel_lcg_chain(br_black_box(x), 3000);
}

BR_BENCHMARK(profile, split)
{
	uint64_t x = 1;

	BR_ITERATE(st) {
		x = work_seventy(x);
		x = work_thirty(x);
	}
	br_do_not_optimize(x);
}

BR_MAIN()
