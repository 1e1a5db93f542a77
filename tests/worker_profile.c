/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A worker whose profile is known by construction: the body of
 * profile/split calls work_seventy and work_thirty, which run the same
 * dependent chain of LCG steps (one multiply and one add each, through an
 * optimisation barrier so nothing is folded or vectorised), 7000 steps and
 * 3000 steps per iteration: 70 % and 30 % of the loop's time.  profile/fail
 * reports failure from its body.  Built with frame pointers everywhere.
 * unwind/libc sorts with the C library's qsort (built without frame
 * pointers, as distributions build it) and a comparator of its own that
 * does the work, so frame-pointer chains stop in libc and DWARF ones reach
 * the body through qsort. */
#include <stdint.h>
#include <stdlib.h>
#include "benchrun.h"

/* noipa (GCC): no inlining, cloning or constant propagation into a
 * work_seventy.constprop.0, so each function keeps its name and its own
 * copy of the same loop. */
#if defined(__clang__)
#define WORK_FN __attribute__((noinline))
#else
#define WORK_FN __attribute__((noipa))
#endif

#define STEPS_SEVENTY 7000
#define STEPS_THIRTY 3000

static inline uint64_t lcg_chain(uint64_t x, unsigned steps)
{
	for (unsigned i = 0; i < steps; i++)
		x = br_black_box(x) * 6364136223846793005u + 1442695040888963407u;
	return x;
}

WORK_FN uint64_t work_seventy(uint64_t x);
WORK_FN uint64_t work_thirty(uint64_t x);

/* The volatile stack slot (one store and one load per call, not per step)
 * gives each function a frame: gcc 12 drops the frame of a leaf function
 * that uses no stack even with -fno-omit-frame-pointer
 * -mno-omit-leaf-frame-pointer, and a sample in such a leaf loses its
 * caller (the kernel's unwinder starts from the caller's frame pointer),
 * so the body would vanish from these stacks. */
WORK_FN uint64_t work_seventy(uint64_t x)
{
	volatile uint64_t in = x;

	return lcg_chain(in, STEPS_SEVENTY);
}

WORK_FN uint64_t work_thirty(uint64_t x)
{
	volatile uint64_t in = x;

	return lcg_chain(in, STEPS_THIRTY);
}

BR_BENCHMARK(profile, split)
{
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE(st) {
		x = work_seventy(x);
		x = work_thirty(x);
	}
	br_do_not_optimize(x);
}

WORK_FN int cmp_spin(const void *a, const void *b);

WORK_FN int cmp_spin(const void *a, const void *b)
{
	volatile uint64_t in = (uint64_t)*(const int *)a;
	int x = *(const int *)a, y = *(const int *)b;

	in = lcg_chain(in, 100);
	return (x > y) - (x < y) + (int)(in & 0) * 0;
}

BR_BENCHMARK(unwind, libc)
{
	int v[64];

	BR_ITERATE(st) {
		for (int i = 0; i < 64; i++)
			v[i] = (i * 37) % 64;
		qsort(v, 64, sizeof v[0], cmp_spin);
		br_do_not_optimize(v[0]);
	}
}

BR_BENCHMARK(profile, fail)
{
	br_state_fail(st, "deliberate failure");
}

BR_MAIN()
