/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the flame modules share inside the harness (flame.c, flame_table.c,
 * flame_svg.c); flame.h is the interface for everyone else. */
#ifndef BENCHRUN_FLAME_INT_H
#define BENCHRUN_FLAME_INT_H

#include <stdint.h>
#include <stdio.h>
#include "flame.h"

/* Names interned to dense ids, keyed by (tag, name): tag 0 for function
 * names; in a flame graph's tree the tag is the parent frame's id + 1, so
 * one name under two parents is two frames.  Names are borrowed from the
 * profile, not copied. */
struct key {
	const char *name;
	size_t tag;
	uint64_t a, b;  /* samples; what they count is up to the table's user */
	size_t mark;
};

struct keytab {
	struct key *keys;
	size_t n, cap;
	struct hash_index index;  /* ids by (tag, name) */
};

/* 0 when everything written to out got there, else -1. */
int flame_write_status(FILE *out);

/* Name `name` under `tag` in t: its id, made when new (-1 out of memory);
 * or its id when there, -1 otherwise; and the table freed. */
long flame_keytab_intern(struct keytab *t, size_t tag, const char *name);
long flame_keytab_find(const struct keytab *t, size_t tag, const char *name);
void flame_keytab_free(struct keytab *t);

/* a + b, at most UINT64_MAX. */
uint64_t flame_sat_add(uint64_t a, uint64_t b);

/* samples as a fraction of total (0 for none). */
double flame_share(uint64_t samples, uint64_t total);

#endif
