/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The harness's one hash and one hash table.  The hash is 64-bit FNV-1a,
 * fixed and platform-independent, so whatever is derived from it (bootstrap
 * seeds, content hashes kept in baselines, colours of flame-graph frames)
 * reproduces across machines and releases.  The table is an index: it maps
 * a key's 64-bit hash to the id of an item the caller keeps in its own
 * dense array (stacks, names, resolved addresses, compile units), so items
 * stay in the order they came and the index is rebuilt from the hashes it
 * keeps, without calling back into the items. */
#ifndef BENCHRUN_HASH_H
#define BENCHRUN_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_OFFSET UINT64_C(14695981039346656037)
#define HASH_FNV_PRIME UINT64_C(1099511628211)

/* h (HASH_FNV_OFFSET to start) continued over len bytes of data, or over
 * the characters of s. */
uint64_t hash_fnv1a(uint64_t h, const void *data, size_t len);
uint64_t hash_fnv1a_str(uint64_t h, const char *s);

/* One slot: the key's hash and its item's id + 1 (0: empty). */
struct hash_slot {
	uint64_t hash;
	size_t id1;
};

/* Open addressing with linear probing over a power of two of slots, kept
 * at most half full.  Zeroed is empty; hash_index_free frees. */
struct hash_index {
	struct hash_slot *slots;
	size_t cap;  /* slots: 0 or a power of two */
	size_t n;    /* filled */
};

/* Whether item `id` of the caller's items `ctx` has the key `key`. */
typedef int hash_index_eq(const void *ctx, size_t id, const void *key);

/* Room for one more item: the slots doubled (and re-placed by the hashes
 * they keep) when adding one would fill more than half.  0, or -1 when out
 * of memory (the index unchanged). */
int hash_index_reserve(struct hash_index *ix);

/* The slot holding the item whose key is `key` (hash h), or the empty slot
 * where it goes (id1 == 0; fill it with hash_index_put).  Only items whose
 * stored hash equals h are compared.  An index with no slots has no
 * match: NULL. */
struct hash_slot *hash_index_probe(const struct hash_index *ix, uint64_t h,
                                   hash_index_eq *eq, const void *ctx, const void *key);

/* Fill the empty slot s (from hash_index_probe after hash_index_reserve)
 * with item `id` of hash h. */
void hash_index_put(struct hash_index *ix, struct hash_slot *s, uint64_t h, size_t id);

/* The id of key's item, or -1 when absent. */
long hash_index_find(const struct hash_index *ix, uint64_t h, hash_index_eq *eq,
                     const void *ctx, const void *key);

void hash_index_free(struct hash_index *ix);

#endif
