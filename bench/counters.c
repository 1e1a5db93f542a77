/* SPDX-License-Identifier: MIT */
/* Bodies for measuring what counting costs (bench/measure-counters): a
 * serial chain of multiply-adds of about 10 ns and of about 10 µs per
 * iteration on the development VM, and one that touches fresh pages, so
 * the page-fault counter has something to count. */
#include <sys/mman.h>
#include <unistd.h>
#include "benchrun.h"
#include "kernels.h"

BR_BENCHMARK(cost, lcg, BR_ARGS(9, 9000))
{
	int64_t steps = br_state_arg(st);
	uint64_t x = br_black_box((uint64_t)1);

	BR_ITERATE(st) {
		x = kernel_lcg_chain(x, steps);
		br_do_not_optimize(x);
	}
}

static int map_page(br_state_t *st)
{
	void *p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	br_state_set_user(st, p);
	return 0;
}

static void unmap_page(br_state_t *st)
{
	munmap(br_state_user(st), (size_t)sysconf(_SC_PAGESIZE));
}

/* One page fault per iteration: MADV_DONTNEED drops the page, the write
 * faults a fresh one in. */
BR_BENCHMARK(cost, fresh_page, .setup = map_page, .teardown = unmap_page)
{
	char *p = br_state_user(st);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	BR_ITERATE(st) {
		madvise(p, pg, MADV_DONTNEED);
		p[0] = 1;
		br_clobber();
	}
}

BR_MAIN()
