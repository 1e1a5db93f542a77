/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/hash.c: FNV-1a's published test vectors, and the
 * hash index over a caller's array: every key found at its id after the
 * index grew many times, absent keys absent, and keys whose hashes collide
 * told apart by the caller's comparison. */
#include <stdio.h>
#include <string.h>

#include <check.h>
#include "check_main.h"

#include "hash.h"

START_TEST(test_fnv1a_vectors)
{
	/* The FNV-1a 64-bit values of "", "a" and "foobar". */
	ck_assert_uint_eq(hash_fnv1a_str(HASH_FNV_OFFSET, ""), UINT64_C(0xcbf29ce484222325));
	ck_assert_uint_eq(hash_fnv1a_str(HASH_FNV_OFFSET, "a"), UINT64_C(0xaf63dc4c8601ec8c));
	ck_assert_uint_eq(hash_fnv1a_str(HASH_FNV_OFFSET, "foobar"),
	                  UINT64_C(0x85944171f73967e8));
	ck_assert_uint_eq(hash_fnv1a(HASH_FNV_OFFSET, "foobar", 6),
	                  hash_fnv1a_str(HASH_FNV_OFFSET, "foobar"));
}
END_TEST

#define NKEYS 5000

struct items {
	char names[NKEYS][16];
	size_t n;
};

static int same_name(const void *ctx, size_t id, const void *key)
{
	return !strcmp(((const struct items *)ctx)->names[id], key);
}

/* The hash a test gives a key: its text's, or one shared by every key
 * (collide), so only the comparison tells them apart. */
static uint64_t key_hash(const char *key, int collide)
{
	return collide ? 42 : hash_fnv1a_str(HASH_FNV_OFFSET, key);
}

static void fill_and_find(size_t nkeys, int collide)
{
	static struct items it;
	struct hash_index ix = {0};
	char key[16];

	it.n = 0;
	for (size_t i = 0; i < nkeys; i++) {
		struct hash_slot *s;
		snprintf(it.names[i], sizeof it.names[i], "k%zu", i);
		ck_assert_int_eq(hash_index_reserve(&ix), 0);
		s = hash_index_probe(&ix, key_hash(it.names[i], collide), same_name, &it,
		                     it.names[i]);
		ck_assert_uint_eq(s->id1, 0);
		hash_index_put(&ix, s, key_hash(it.names[i], collide), it.n++);
		/* Never more than half full. */
		ck_assert_uint_le(2 * ix.n, ix.cap);
	}
	ck_assert_uint_eq(ix.n, nkeys);
	for (size_t i = 0; i < nkeys; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		ck_assert_int_eq(hash_index_find(&ix, key_hash(key, collide), same_name, &it, key),
		                 (long)i);
	}
	snprintf(key, sizeof key, "k%zu", nkeys);
	ck_assert_int_eq(hash_index_find(&ix, key_hash(key, collide), same_name, &it, key), -1);
	ck_assert_int_eq(hash_index_find(&ix, key_hash("", collide), same_name, &it, ""), -1);
	hash_index_free(&ix);
	ck_assert_ptr_null(ix.slots);
	ck_assert_uint_eq(ix.cap, 0);
	ck_assert_uint_eq(ix.n, 0);
}

START_TEST(test_index_grows)
{
	fill_and_find(NKEYS, 0);
}
END_TEST

START_TEST(test_index_collisions)
{
	fill_and_find(300, 1);
}
END_TEST

START_TEST(test_index_empty)
{
	struct hash_index ix = {0};
	static struct items it;

	ck_assert_ptr_null(hash_index_probe(&ix, 1, same_name, &it, "a"));
	ck_assert_int_eq(hash_index_find(&ix, 1, same_name, &it, "a"), -1);
	hash_index_free(&ix);
}
END_TEST

static Suite *hash_suite(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("hash");

	tcase_add_test(tc, test_fnv1a_vectors);
	tcase_add_test(tc, test_index_grows);
	tcase_add_test(tc, test_index_collisions);
	tcase_add_test(tc, test_index_empty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite(hash_suite());
}
