/* SPDX-License-Identifier: MIT */
/* One benchmark program of an out-of-tree project: string length over a
 * size sweep, with byte throughput. */
#include <stdlib.h>
#include <string.h>
#include <benchrun.h>

static int make_string(br_state_t *st)
{
	size_t n = (size_t)br_state_arg(st);
	char *s = malloc(n + 1);

	if (!s)
		return -1;
	memset(s, 'x', n);
	s[n] = '\0';
	br_state_set_user(st, s);
	br_state_set_bytes_per_iter(st, n);
	return 0;
}

static void free_string(br_state_t *st)
{
	free(br_state_user(st));
}

BR_BENCHMARK(strings, strlen, BR_RANGE(16, 4096, 16), .setup = make_string,
             .teardown = free_string)
{
	const char *s = br_state_user(st);

	BR_ITERATE(st) {
		br_do_not_optimize(strlen(s));
	}
}

BR_MAIN()
