/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The harness's one hash: 64-bit FNV-1a, fixed and platform-independent,
 * so whatever is derived from it (bootstrap seeds, content hashes kept in
 * baselines, colours of flame-graph frames) reproduces across machines and
 * releases. */
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

#endif
