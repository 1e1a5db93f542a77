/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Profiles as sets of call stacks: identical stacks merged on the way in
 * through a hash index, the folded text flame-graph tools exchange, and
 * names interned by (tag, name) for the tables (flame_table.c) and the
 * SVG flame graphs (flame_svg.c). */
#define _GNU_SOURCE
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flame.h"
#include "flame_int.h"
#include "array.h"
#include "hash.h"

/* Frames are hashed with a NUL after each, a byte no name contains, so
 * ["ab"] and ["a", "b"] differ. */
static uint64_t stack_hash(const char *const *frames, size_t n)
{
	uint64_t h = HASH_FNV_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = hash_fnv1a_str(h, frames[i]) * HASH_FNV_PRIME;
	return h;
}

int flame_write_status(FILE *out)
{
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- Adding stacks ---------------------------------------------------- */

/* The frames a stack is looked up by. */
struct frames_key {
	const char *const *frames;
	size_t n;
};

static int same_frames(const void *ctx, size_t id, const void *key)
{
	const struct flame_stack *s = &((const struct flame_profile *)ctx)->stacks[id];
	const struct frames_key *k = key;

	if (s->nframes != k->n)
		return 0;
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(s->frames[i], k->frames[i]) != 0)
			return 0;
	return 1;
}

/* One block holds the pointer array and the strings, so a distinct stack
 * costs one allocation. */
static char **frames_copy(const char *const *frames, size_t n)
{
	size_t bytes = n * sizeof(char *);
	char **v, *dst;

	for (size_t i = 0; i < n; i++)
		bytes += strlen(frames[i]) + 1;
	v = malloc(bytes);
	if (!v)
		return NULL;
	dst = (char *)(v + n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(frames[i]) + 1;
		v[i] = memcpy(dst, frames[i], len);
		dst += len;
	}
	return v;
}

/* a + b, held at UINT64_MAX instead of wrapping.  Counts come from input
 * (a folded file may hold any count up to 2^64-1), so sums of them may not
 * fit: a wrapped total would make one frame wider than the whole graph,
 * and the width of its label would overflow its conversion to size_t. */
uint64_t flame_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int flame_add(struct flame_profile *p, const char *const *frames, size_t n, uint64_t count)
{
	struct frames_key key = {frames, n};
	struct flame_stack *st;
	struct hash_slot *s;
	uint64_t h;

	assert(n > 0 && frames);
	if (count == 0)
		return 0;
	st = array_room(p->stacks, &p->cap, p->n, sizeof *st, 16);
	if (!st)
		return -1;
	p->stacks = st;
	if (hash_index_reserve(&p->index) < 0)
		return -1;
	h = stack_hash(frames, n);
	s = hash_index_probe(&p->index, h, same_frames, p, &key);
	if (!s->id1) {
		char **copy = frames_copy(frames, n);
		if (!copy)
			return -1;
		p->stacks[p->n] = (struct flame_stack){copy, n, 0};
		hash_index_put(&p->index, s, h, p->n++);
	}
	p->stacks[s->id1 - 1].count = flame_sat_add(p->stacks[s->id1 - 1].count, count);
	p->total = flame_sat_add(p->total, count);
	return 0;
}

void flame_free(struct flame_profile *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->stacks[i].frames);
	free(p->stacks);
	hash_index_free(&p->index);
	memset(p, 0, sizeof *p);
}

/* ---- Folded text ------------------------------------------------------ */

/* A stack as folded text: ';' separates frames and a newline ends the
 * line, so in names ';' becomes ':' and control characters '?'; an empty
 * name becomes "?" so that the line parses back. */
static char *folded_text(const struct flame_stack *s)
{
	size_t len = 1;
	char *t, *d;

	for (size_t i = 0; i < s->nframes; i++)
		len += strlen(s->frames[i]) + 2;
	t = d = malloc(len);
	if (!t)
		return NULL;
	for (size_t i = 0; i < s->nframes; i++) {
		const unsigned char *f = (const unsigned char *)s->frames[i];
		if (i)
			*d++ = ';';
		if (!*f)
			*d++ = '?';
		for (; *f; f++)
			*d++ = *f == ';' ? ':' : *f < 0x20 || *f == 0x7f ? '?' : (char)*f;
	}
	*d = '\0';
	return t;
}

struct folded_line {
	char *text;
	uint64_t count;
};

static int cmp_folded(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->text, ((const struct folded_line *)b)->text);
}

int flame_write_folded(FILE *out, const struct flame_profile *p)
{
	struct folded_line *lines = calloc(p->n ? p->n : 1, sizeof *lines);
	int rc = 0;

	if (!lines)
		return -1;
	for (size_t i = 0; i < p->n && rc == 0; i++) {
		lines[i] = (struct folded_line){folded_text(&p->stacks[i]), p->stacks[i].count};
		rc = lines[i].text ? 0 : -1;
	}
	if (rc == 0) {
		qsort(lines, p->n, sizeof *lines, cmp_folded);
		/* Stacks that differ only in replaced characters now read the
		 * same: one line for them, counts summed, so that the text
		 * holds no duplicate stacks. */
		for (size_t i = 0; i < p->n; i++) {
			uint64_t c = lines[i].count;
			for (; i + 1 < p->n && !strcmp(lines[i].text, lines[i + 1].text); i++)
				c = flame_sat_add(c, lines[i + 1].count);
			fprintf(out, "%s %" PRIu64 "\n", lines[i].text, c);
		}
		rc = flame_write_status(out);
	}
	for (size_t i = 0; i < p->n; i++)
		free(lines[i].text);
	free(lines);
	return rc;
}

/* The count after a line's last space: decimal digits only, 1 to
 * UINT64_MAX.  Returns NULL, or why it is refused. */
static const char *parse_count(const char *s, uint64_t *count)
{
	uint64_t v = 0;

	if (!*s)
		return "missing count";
	if (*s < '0' || *s > '9')
		return "count is not a number";
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return "count out of range";
		v = v * 10 + d;
	}
	if (*s)
		return "trailing garbage after the count";
	if (v == 0)
		return "count is zero";
	*count = v;
	return NULL;
}

struct frame_vec {
	const char **v;
	size_t n, cap;
};

/* One line, "root;...;leaf COUNT", cut in place and added to p.  The
 * count follows the LAST space, since names may hold spaces ("operator
 * new").  Returns NULL, or why the line is refused. */
static const char *parse_line(struct flame_profile *p, char *line, struct frame_vec *fv)
{
	char *sp = strrchr(line, ' '), *f = line;
	const char *why;
	uint64_t count;

	if (!sp)
		return "missing count";
	if ((why = parse_count(sp + 1, &count)))
		return why;
	*sp = '\0';
	for (fv->n = 0; f; fv->n++) {
		char *semi = strchr(f, ';');
		if (semi)
			*semi++ = '\0';
		if (!*f)
			return "empty frame";
		if (fv->n == fv->cap) {
			size_t cap = fv->cap ? 2 * fv->cap : 64;
			const char **v = realloc(fv->v, cap * sizeof *v);
			if (!v)
				return "out of memory";
			fv->v = v;
			fv->cap = cap;
		}
		fv->v[fv->n] = f;
		f = semi;
	}
	return flame_add(p, fv->v, fv->n, count) < 0 ? "out of memory" : NULL;
}

/* Blank lines are skipped and a "\r" before the newline is dropped, so a
 * file edited on Windows still reads; anything else is held to the
 * format, and the first bad line is reported by number. */
int flame_parse_folded(const char *text, struct flame_profile *p, char *err, size_t errlen)
{
	char *buf = strdup(text), *line, *next;
	struct frame_vec fv = {0};
	const char *why = buf ? NULL : "out of memory";
	size_t lineno = 0;

	assert(p->n == 0 && p->total == 0);
	for (line = buf; !why && line && *line; line = next) {
		size_t len;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		lineno++;
		len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len)
			why = parse_line(p, line, &fv);
	}
	free(fv.v);
	free(buf);
	if (!why)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "line %zu: %s", lineno ? lineno : 1, why);
	flame_free(p);
	return -1;
}

/* ---- Names: interned by (tag, name) ---------------------------------- */


static uint64_t key_hash(size_t tag, const char *name)
{
	return hash_fnv1a_str(HASH_FNV_OFFSET ^ ((uint64_t)tag * 0x9e3779b97f4a7c15ULL), name);
}

static int same_key(const void *ctx, size_t id, const void *key)
{
	const struct key *a = &((const struct keytab *)ctx)->keys[id], *b = key;

	return a->tag == b->tag && !strcmp(a->name, b->name);
}

/* The id of (tag, name), added with zero counts when new; -1 when out of
 * memory. */
long flame_keytab_intern(struct keytab *t, size_t tag, const char *name)
{
	struct key key = {name, tag, 0, 0, 0};
	uint64_t h = key_hash(tag, name);
	struct key *keys = array_room(t->keys, &t->cap, t->n, sizeof *keys, 64);
	struct hash_slot *s;

	if (!keys)
		return -1;
	t->keys = keys;
	if (hash_index_reserve(&t->index) < 0)
		return -1;
	s = hash_index_probe(&t->index, h, same_key, t, &key);
	if (!s->id1) {
		t->keys[t->n] = key;
		hash_index_put(&t->index, s, h, t->n++);
	}
	return (long)s->id1 - 1;
}

/* The id of (tag, name), or -1 when absent. */
long flame_keytab_find(const struct keytab *t, size_t tag, const char *name)
{
	struct key key = {name, tag, 0, 0, 0};

	return hash_index_find(&t->index, key_hash(tag, name), same_key, t, &key);
}

void flame_keytab_free(struct keytab *t)
{
	free(t->keys);
	hash_index_free(&t->index);
	memset(t, 0, sizeof *t);
}

