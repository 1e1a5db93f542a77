/* SPDX-License-Identifier: MIT */
/* A benchmark program for the CLI counter tests: a body with a known count
 * per iteration (8 fresh pages, so 8 page faults) and an empty one. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "benchrun.h"

#define PAGES 8

static int map_pages(br_state_t *st)
{
	size_t len = PAGES * (size_t)sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		br_state_fail(st, "mmap failed");
		return 1;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	br_state_set_user(st, p);
	return 0;
}

static void unmap_pages(br_state_t *st)
{
	munmap(br_state_user(st), PAGES * (size_t)sysconf(_SC_PAGESIZE));
}

/* MADV_DONTNEED drops the pages: each write faults in a fresh one. */
BR_BENCHMARK(counters, pages, .setup = map_pages, .teardown = unmap_pages)
{
	char *p = br_state_user(st);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	BR_ITERATE(st) {
		madvise(p, PAGES * pg, MADV_DONTNEED);
		for (size_t i = 0; i < PAGES; i++)
			p[i * pg] = 1;
		br_clobber();
	}
}

BR_BENCHMARK(counters, empty)
{
	BR_ITERATE(st) {
		br_clobber();
	}
}

BR_MAIN()
