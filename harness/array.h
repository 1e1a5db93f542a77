/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Growing a dense array by doubling: the one way the harness's tables
 * (hash.h indexes beside them) make room. */
#ifndef BENCHRUN_ARRAY_H
#define BENCHRUN_ARRAY_H

#include <stdint.h>
#include <stdlib.h>

/* The array p of *cap elements of `size` bytes, len of them used, with
 * room for one more: p itself, or p grown (doubled; `first` elements to
 * start) with *cap updated; NULL when out of memory, p and *cap unchanged. */
static inline void *array_room(void *p, size_t *cap, size_t len, size_t size, size_t first)
{
	size_t n = *cap ? 2 * *cap : first;
	void *t;

	if (len < *cap)
		return p;
	if (n > SIZE_MAX / size || !(t = realloc(p, n * size)))
		return NULL;
	*cap = n;
	return t;
}

#endif
