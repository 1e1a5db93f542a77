/* SPDX-License-Identifier: GPL-3.0-or-later */
/* 64-bit FNV-1a and the hash index (hash.h). */
#include <stdlib.h>
#include <string.h>

#include "hash.h"

uint64_t hash_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * HASH_FNV_PRIME;
	return h;
}

uint64_t hash_fnv1a_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * HASH_FNV_PRIME;
	return h;
}

/* A hash's first slot in a table of mask + 1.  FNV-1a's low bits depend
 * only on the low bits of its input, and nearby addresses differ only in
 * their low bits, so the high bits are mixed down first (splitmix64's
 * finaliser). */
static size_t slot_of(uint64_t h, size_t mask)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)h & mask;
}

static struct hash_slot *empty_slot(struct hash_slot *slots, size_t cap, uint64_t h)
{
	size_t i = slot_of(h, cap - 1);

	while (slots[i].id1)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

int hash_index_reserve(struct hash_index *ix)
{
	size_t cap;
	struct hash_slot *slots;

	if (2 * (ix->n + 1) <= ix->cap)
		return 0;
	cap = ix->cap ? 2 * ix->cap : 64;
	if (cap > SIZE_MAX / sizeof *slots || !(slots = calloc(cap, sizeof *slots)))
		return -1;
	for (size_t i = 0; i < ix->cap; i++)
		if (ix->slots[i].id1)
			*empty_slot(slots, cap, ix->slots[i].hash) = ix->slots[i];
	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	return 0;
}

struct hash_slot *hash_index_probe(const struct hash_index *ix, uint64_t h,
                                   hash_index_eq *eq, const void *ctx, const void *key)
{
	size_t mask = ix->cap - 1;

	if (!ix->cap)
		return NULL;
	for (size_t i = slot_of(h, mask);; i = (i + 1) & mask) {
		struct hash_slot *s = &ix->slots[i];
		if (!s->id1 || (s->hash == h && eq(ctx, s->id1 - 1, key)))
			return s;
	}
}

void hash_index_put(struct hash_index *ix, struct hash_slot *s, uint64_t h, size_t id)
{
	s->hash = h;
	s->id1 = id + 1;
	ix->n++;
}

long hash_index_find(const struct hash_index *ix, uint64_t h, hash_index_eq *eq,
                     const void *ctx, const void *key)
{
	const struct hash_slot *s = hash_index_probe(ix, h, eq, ctx, key);

	return s && s->id1 ? (long)s->id1 - 1 : -1;
}

void hash_index_free(struct hash_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof *ix);
}
