/* SPDX-License-Identifier: MIT */
/* A benchmark program for the instruction measure's tests: bodies of a
 * known instruction count (one-byte nops written out by the assembler), a
 * set-up and a teardown that do far more work than the body, which the
 * counts must not include, and a body of 1,000 nops that is one
 * instruction longer when built with WORKER_INSTR_PLUS (worker_instr_plus,
 * the "new build" of the +1 instruction test). */
#include "benchrun.h"

#ifdef WORKER_INSTR_PLUS
#define PLUS_NOPS "1001"
#else
#define PLUS_NOPS "1000"
#endif

BR_BENCHMARK(instr, nop0)
{
	BR_ITERATE(st) {
		__asm__ volatile("");
	}
}

BR_BENCHMARK(instr, nop1000)
{
	BR_ITERATE(st) {
		__asm__ volatile(".rept 1000\n\tnop\n\t.endr");
	}
}

BR_BENCHMARK(instr, plus)
{
	BR_ITERATE(st) {
		__asm__ volatile(".rept " PLUS_NOPS "\n\tnop\n\t.endr");
	}
}

/* Work the counts must leave out: a million multiply-adds each side. */
static uint64_t busy(void)
{
	uint64_t x = 1;

	for (uint64_t i = 0; i < br_black_box((uint64_t)1000000); i++)
		x = x * 6364136223846793005u + i;
	return x;
}

static int heavy_setup(br_state_t *st)
{
	(void)st;
	br_do_not_optimize(busy());
	return 0;
}

static void heavy_teardown(br_state_t *st)
{
	(void)st;
	br_do_not_optimize(busy());
}

BR_BENCHMARK(instr, setup_heavy, .setup = heavy_setup, .teardown = heavy_teardown)
{
	BR_ITERATE(st) {
		__asm__ volatile("");
	}
}

BR_MAIN()
