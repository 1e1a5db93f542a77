/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Profiles as sets of call stacks: identical stacks merged on the way in
 * through a hash index, the folded text flame-graph tools exchange, the
 * top-functions table, self-contained SVG flame graphs in the layout of
 * flamegraph.pl, and the differential between two profiles. */
#define _GNU_SOURCE
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flame.h"
#include "hash.h"


/* The SVG geometry, in pixels, as flamegraph.pl draws it: 1200 wide, 10
 * of padding each side, 16 per level, room for the title above and a line
 * of text below. */
#define SVG_WIDTH 1200
#define SVG_XPAD 10
#define SVG_TOP 36
#define SVG_BOTTOM 34  /* with a legend line under the frames */
#define SVG_MARGIN 8   /* without */
#define FRAME_H 16
#define PLOT_W ((double)(SVG_WIDTH - 2 * SVG_XPAD))
/* Verdana at 12px averages about 7px a character: enough to decide how
 * much of a name fits.  Below 20px a label would be two characters of
 * noise, and below 0.1px a frame is invisible but still costs bytes. */
#define CHAR_W 7.0
#define MIN_LABEL_PX 20.0
#define MIN_FRAME_PX 0.1
/* Differential colours: a change of share under half a percentage point
 * is noise in a sampled profile and stays near-white; ten points is
 * already a large move, so the colour saturates there and means the same
 * change in every graph (flamegraph.pl's difffolded scales to the largest
 * change instead, which paints noise bright when nothing moved). */
#define DIFF_MIN_POINTS 0.5
#define DIFF_FULL_POINTS 10.0

/* A hash's slot in a table of mask + 1: FNV-1a's low bits depend only on
 * the low bits of its input, so mix the high bits down first (the
 * MurmurHash3 finaliser). */
static size_t slot_of(uint64_t h, size_t mask)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & mask;
}

/* Frames are hashed with a NUL after each, a byte no name contains, so
 * ["ab"] and ["a", "b"] differ. */
static uint64_t stack_hash(const char *const *frames, size_t n)
{
	uint64_t h = HASH_FNV_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = hash_fnv1a_str(h, frames[i]) * HASH_FNV_PRIME;
	return h;
}

static int write_status(FILE *out)
{
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* ---- Adding stacks ---------------------------------------------------- */

/* The index of a profile's stacks by frame sequence: open addressing with
 * 2 * cap slots, kept in the same block as p->stacks, right after its cap
 * entries.  struct flame_profile has no field for it (the header is
 * shared and fixed), and one block means flame_free and a copied struct
 * need nothing more; hence a profile grows only through flame_add. */
struct slot {
	uint64_t hash;
	size_t idx1;  /* stack index + 1; 0: empty */
};

_Static_assert(_Alignof(struct slot) <= _Alignof(struct flame_stack),
               "the index must be aligned after the stack array");

static struct slot *stack_slots(const struct flame_profile *p)
{
	return (struct slot *)(void *)(p->stacks + p->cap);
}

static int same_frames(const struct flame_stack *s, const char *const *frames, size_t n)
{
	if (s->nframes != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s->frames[i], frames[i]) != 0)
			return 0;
	return 1;
}

/* The slot holding the stack `frames`, or the empty slot where it goes;
 * the load factor stays at or below 1/2, so there is always one. */
static struct slot *stack_lookup(const struct flame_profile *p, uint64_t h,
                                 const char *const *frames, size_t n)
{
	struct slot *slots = stack_slots(p);
	size_t mask = 2 * p->cap - 1;

	for (size_t i = slot_of(h, mask);; i = (i + 1) & mask) {
		struct slot *s = &slots[i];
		if (!s->idx1 || (s->hash == h && same_frames(&p->stacks[s->idx1 - 1], frames, n)))
			return s;
	}
}

/* Double the stacks and rebuild the index after them.  The grown array
 * overwrites the old index, so hashes are recomputed: amortised over the
 * doublings that costs less than keeping a hash per stack. */
static int stacks_grow(struct flame_profile *p)
{
	size_t cap = p->cap ? 2 * p->cap : 16;
	size_t per = sizeof(struct flame_stack) + 2 * sizeof(struct slot);
	struct flame_stack *st;

	if (cap > SIZE_MAX / per)
		return -1;
	st = realloc(p->stacks, cap * per);
	if (!st)
		return -1;
	p->stacks = st;
	p->cap = cap;
	memset(stack_slots(p), 0, 2 * cap * sizeof(struct slot));
	for (size_t i = 0; i < p->n; i++) {
		const char *const *f = (const char *const *)st[i].frames;
		uint64_t h = stack_hash(f, st[i].nframes);
		struct slot *s = stack_lookup(p, h, f, st[i].nframes);
		*s = (struct slot){h, i + 1};
	}
	return 0;
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
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int flame_add(struct flame_profile *p, const char *const *frames, size_t n, uint64_t count)
{
	struct slot *s;
	uint64_t h;

	assert(n > 0 && frames);
	if (count == 0)
		return 0;
	if (p->n == p->cap && stacks_grow(p) < 0)
		return -1;
	h = stack_hash(frames, n);
	s = stack_lookup(p, h, frames, n);
	if (!s->idx1) {
		char **copy = frames_copy(frames, n);
		if (!copy)
			return -1;
		p->stacks[p->n] = (struct flame_stack){copy, n, 0};
		*s = (struct slot){h, ++p->n};
	}
	p->stacks[s->idx1 - 1].count = sat_add(p->stacks[s->idx1 - 1].count, count);
	p->total = sat_add(p->total, count);
	return 0;
}

void flame_free(struct flame_profile *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->stacks[i].frames);
	free(p->stacks);
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
				c = sat_add(c, lines[i + 1].count);
			fprintf(out, "%s %" PRIu64 "\n", lines[i].text, c);
		}
		rc = write_status(out);
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
	size_t *slots;  /* 2 * cap of them: id + 1, 0 for empty */
};

static uint64_t key_hash(size_t tag, const char *name)
{
	return hash_fnv1a_str(HASH_FNV_OFFSET ^ ((uint64_t)tag * 0x9e3779b97f4a7c15ULL), name);
}

/* The slot of (tag, name), or the empty slot where it goes. */
static size_t *keytab_slot(const struct keytab *t, size_t tag, const char *name)
{
	size_t mask = 2 * t->cap - 1;

	for (size_t i = slot_of(key_hash(tag, name), mask);; i = (i + 1) & mask) {
		size_t id1 = t->slots[i];
		if (!id1 || (t->keys[id1 - 1].tag == tag && !strcmp(t->keys[id1 - 1].name, name)))
			return &t->slots[i];
	}
}

static int keytab_grow(struct keytab *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64;
	struct key *keys = realloc(t->keys, cap * sizeof *keys);
	size_t *slots;

	if (!keys)
		return -1;
	t->keys = keys;
	if (!(slots = calloc(2 * cap, sizeof *slots)))
		return -1;
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	for (size_t i = 0; i < t->n; i++)
		*keytab_slot(t, keys[i].tag, keys[i].name) = i + 1;
	return 0;
}

/* The id of (tag, name), added with zero counts when new; -1 when out of
 * memory. */
static long keytab_intern(struct keytab *t, size_t tag, const char *name)
{
	size_t *slot;

	if (t->n == t->cap && keytab_grow(t) < 0)
		return -1;
	slot = keytab_slot(t, tag, name);
	if (!*slot) {
		t->keys[t->n] = (struct key){name, tag, 0, 0, 0};
		*slot = ++t->n;
	}
	return (long)*slot - 1;
}

/* The id of (tag, name), or -1 when absent. */
static long keytab_find(const struct keytab *t, size_t tag, const char *name)
{
	return t->cap ? (long)*keytab_slot(t, tag, name) - 1 : -1;
}

static void keytab_free(struct keytab *t)
{
	free(t->keys);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* ---- Top functions and the differential ------------------------------ */

/* a: self samples; b: total samples.  mark holds the last stack (index +
 * 1) counted into b, so a function that recurses within a stack counts
 * that stack's samples once. */
static int count_funcs(struct keytab *t, const struct flame_profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct flame_stack *s = &p->stacks[i];
		for (size_t j = 0; j < s->nframes; j++) {
			long id = keytab_intern(t, 0, s->frames[j]);
			if (id < 0)
				return -1;
			if (t->keys[id].mark != i + 1) {
				t->keys[id].mark = i + 1;
				t->keys[id].b = sat_add(t->keys[id].b, s->count);
			}
			if (j + 1 == s->nframes)
				t->keys[id].a = sat_add(t->keys[id].a, s->count);
		}
	}
	return 0;
}

static int cmp_func(const void *pa, const void *pb)
{
	const struct flame_func *a = pa, *b = pb;

	if (a->self != b->self)
		return a->self > b->self ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return strcmp(a->name, b->name);
}

long flame_top(const struct flame_profile *p, struct flame_func **out)
{
	struct keytab t = {0};
	struct flame_func *f = NULL;
	long n = -1;

	*out = NULL;
	if (count_funcs(&t, p) == 0 && (f = calloc(t.n ? t.n : 1, sizeof *f))) {
		for (n = 0; (size_t)n < t.n; n++) {
			f[n] = (struct flame_func){strdup(t.keys[n].name), t.keys[n].a, t.keys[n].b};
			if (!f[n].name) {
				flame_funcs_free(f, (size_t)n);
				f = NULL;
				n = -1;
				break;
			}
		}
	}
	keytab_free(&t);
	if (n > 0)
		qsort(f, (size_t)n, sizeof *f, cmp_func);
	if (n >= 0)
		*out = f;
	return n;
}

void flame_funcs_free(struct flame_func *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		free(f[i].name);
	free(f);
}

/* Every function of p into t, its self samples added to a (before) or
 * b (after). */
static int count_self(struct keytab *t, const struct flame_profile *p, int after)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct flame_stack *s = &p->stacks[i];
		long id = -1;
		for (size_t j = 0; j < s->nframes; j++)
			if ((id = keytab_intern(t, 0, s->frames[j])) < 0)
				return -1;
		uint64_t *n = after ? &t->keys[id].b : &t->keys[id].a;
		*n = sat_add(*n, s->count);
	}
	return 0;
}

static double share(uint64_t samples, uint64_t total)
{
	return total ? (double)samples / (double)total : 0.0;
}

static int cmp_growth(const void *pa, const void *pb)
{
	const struct flame_growth *a = pa, *b = pb;
	double ga = a->after - a->before, gb = b->after - b->before;

	if (ga != gb)
		return ga > gb ? -1 : 1;
	return strcmp(a->name, b->name);
}

long flame_diff(const struct flame_profile *before, const struct flame_profile *after,
                struct flame_growth **out)
{
	struct keytab t = {0};
	struct flame_growth *g = NULL;
	long n = -1;

	*out = NULL;
	if (count_self(&t, before, 0) == 0 && count_self(&t, after, 1) == 0 &&
	    (g = calloc(t.n ? t.n : 1, sizeof *g))) {
		for (n = 0; (size_t)n < t.n; n++) {
			const struct key *k = &t.keys[n];
			g[n] = (struct flame_growth){strdup(k->name), share(k->a, before->total),
			                             share(k->b, after->total)};
			if (!g[n].name) {
				flame_growth_free(g, (size_t)n);
				g = NULL;
				n = -1;
				break;
			}
		}
	}
	keytab_free(&t);
	if (n > 0)
		qsort(g, (size_t)n, sizeof *g, cmp_growth);
	if (n >= 0)
		*out = g;
	return n;
}

void flame_growth_free(struct flame_growth *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].name);
	free(g);
}

/* ---- Flame graph layout ---------------------------------------------- */

/* A flame graph's frames: the stacks merged by name level by level (a
 * keytab whose tag is the parent's id + 1, 0 under the root "all", and
 * whose a counts the samples through the frame), children ordered by name
 * and placed in samples from the left edge. */
struct layout {
	struct keytab t;
	size_t *order;    /* frame ids, breadth first, children by name */
	uint64_t *off;    /* samples left of the frame */
	unsigned *depth;  /* levels above "all" (its children: 1) */
	unsigned maxdepth; /* of the frames drawn */
	uint64_t total;   /* samples */
};

/* Pixels for `samples` of `total`, at most the plot's width: counts that
 * saturated at UINT64_MAX can add up to more than the (saturated) total. */
static double px(uint64_t samples, uint64_t total)
{
	return samples >= total ? PLOT_W : (double)samples * PLOT_W / (double)total;
}

static int tree_merge(struct keytab *t, const struct flame_profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct flame_stack *s = &p->stacks[i];
		size_t tag = 0;
		for (size_t j = 0; j < s->nframes; j++) {
			long id = keytab_intern(t, tag, s->frames[j]);
			if (id < 0)
				return -1;
			t->keys[id].a = sat_add(t->keys[id].a, s->count);
			tag = (size_t)id + 1;
		}
	}
	return 0;
}

/* Sorting every frame by (parent, name) makes each parent's children one
 * run, already in order. */
static int cmp_tag_name(const void *pa, const void *pb)
{
	const struct key *a = *(const struct key *const *)pa, *b = *(const struct key *const *)pb;

	if (a->tag != b->tag)
		return a->tag < b->tag ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Place the children of `tag` (sorted[start[tag]] ..
 * sorted[start[tag + 1]]) side by side from `off`, queue them in
 * l->order at `tail`, and return the new tail. */
static size_t place_children(struct layout *l, const struct key *const *sorted,
                             const size_t *start, size_t tag, uint64_t off,
                             unsigned depth, size_t tail)
{
	for (size_t k = start[tag]; k < start[tag + 1]; k++) {
		size_t id = (size_t)(sorted[k] - l->t.keys);
		l->off[id] = off;
		l->depth[id] = depth;
		off = sat_add(off, sorted[k]->a);
		if (px(sorted[k]->a, l->total) >= MIN_FRAME_PX && depth > l->maxdepth)
			l->maxdepth = depth;
		l->order[tail++] = id;
	}
	return tail;
}

/* Breadth first from the root, so a parent is placed before its
 * children and no recursion follows a deep stack. */
static int layout_place(struct layout *l)
{
	size_t n = l->t.n, head = 0, tail;
	const struct key **sorted = malloc((n ? n : 1) * sizeof *sorted);
	size_t *start = calloc(n + 2, sizeof *start);

	if (!sorted || !start) {
		free(sorted);
		free(start);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = &l->t.keys[i];
	qsort(sorted, n, sizeof *sorted, cmp_tag_name);
	for (size_t i = 0; i < n; i++)
		start[sorted[i]->tag + 1]++;
	for (size_t tag = 0; tag <= n; tag++)
		start[tag + 1] += start[tag];
	tail = place_children(l, sorted, start, 0, 0, 1, 0);
	while (head < tail) {
		size_t id = l->order[head++];
		tail = place_children(l, sorted, start, id + 1, l->off[id], l->depth[id] + 1, tail);
	}
	free(sorted);
	free(start);
	return 0;
}

static void layout_free(struct layout *l)
{
	keytab_free(&l->t);
	free(l->order);
	free(l->off);
	free(l->depth);
}

static int layout_build(struct layout *l, const struct flame_profile *p)
{
	memset(l, 0, sizeof *l);
	l->total = p->total;
	if (tree_merge(&l->t, p) < 0)
		return -1;
	l->order = malloc((l->t.n ? l->t.n : 1) * sizeof *l->order);
	l->off = calloc(l->t.n ? l->t.n : 1, sizeof *l->off);
	l->depth = calloc(l->t.n ? l->t.n : 1, sizeof *l->depth);
	if (!l->order || !l->off || !l->depth)
		return -1;
	return layout_place(l);
}

/* ---- SVG -------------------------------------------------------------- */

/* Bytes in the well-formed UTF-8 character at s (1 to 4), or 0 when s
 * starts an ill-formed one.  U+FFFE and U+FFFF, which XML forbids, count
 * as ill-formed.  Never reads past a NUL. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0;           /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;           /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;           /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;           /* beyond U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	if (len == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		return 0;
	return len;
}

/* Characters in s, an ill-formed byte counting as one. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0, len;

	for (; *s; s += len ? len : 1, n++)
		len = utf8_len((const unsigned char *)s);
	return n;
}

/* The first maxc characters of s as XML text.  Ill-formed UTF-8 becomes
 * '?' (one stray byte would make the whole SVG unreadable); escape_html
 * does the rest.  Chunks through a small buffer to need no allocation. */
static void svg_text(FILE *out, const char *s, size_t maxc)
{
	char buf[256];
	size_t n = 0;

	for (; *s && maxc > 0; maxc--) {
		size_t len = utf8_len((const unsigned char *)s);
		if (n + 5 > sizeof buf) {
			buf[n] = '\0';
			escape_html(out, buf);
			n = 0;
		}
		if (!len) {
			buf[n++] = '?';
			s++;
		} else {
			memcpy(buf + n, s, len);
			n += len;
			s += len;
		}
	}
	buf[n] = '\0';
	escape_html(out, buf);
}

/* A label cut to what fits in w pixels, ending in ".." when cut. */
static void svg_label(FILE *out, const char *name, double x, double y, double w)
{
	size_t fit, nc;

	if (w < MIN_LABEL_PX)
		return;
	fit = (size_t)((w - 6) / CHAR_W);
	nc = utf8_chars(name);
	if (nc > fit && fit < 3)
		return;
	fprintf(out, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + 11.5);
	svg_text(out, name, nc > fit ? fit - 2 : SIZE_MAX);
	fputs(nc > fit ? "..</text>" : "</text>", out);
}

/* One frame: a group holding the hover title (the name, then `info`),
 * the rectangle, and the label. */
static void svg_frame(FILE *out, const char *name, const char *info, const char *fill,
                      double x, double y, double w)
{
	fputs("<g class=\"f\"><title>", out);
	svg_text(out, name, SIZE_MAX);
	fprintf(out, "%s</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" "
	        "rx=\"2\" fill=\"%s\"/>", info, x, y, w, FRAME_H - 1, fill);
	svg_label(out, name, x, y, w);
	fputs("</g>\n", out);
}

/* The height of a graph of `levels` rows: the title above, and below
 * room for a legend line only when there is one.  A shallow profile (one
 * function under "all") is a short strip, not a frame in a blank page. */
static int svg_height(unsigned levels, int legend)
{
	return SVG_TOP + (int)levels * FRAME_H + (legend ? SVG_BOTTOM : SVG_MARGIN);
}

/* The document up to the frames: `levels` rows of them, the title on
 * top, the style inline so the file stands alone. */
static void svg_open(FILE *out, unsigned levels, int legend, const char *title)
{
	int h = svg_height(levels, legend);

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
	        "height=\"%d\" viewBox=\"0 0 %d %d\">\n", SVG_WIDTH, h, SVG_WIDTH, h);
	fputs("<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
	      "#title{font-size:17px;text-anchor:middle}"
	      ".f:hover rect{stroke:#000;stroke-width:1}</style>\n", out);
	fputs("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fdfdf5\"/>\n", out);
	fprintf(out, "<text id=\"title\" x=\"%d\" y=\"24\">", SVG_WIDTH / 2);
	svg_text(out, title ? title : "Flame Graph", SIZE_MAX);
	fputs("</text>\n", out);
}

static int svg_empty(FILE *out, const char *title)
{
	svg_open(out, 1, 0, title);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n</svg>\n",
	        SVG_WIDTH / 2, SVG_TOP + FRAME_H - 4);
	return write_status(out);
}

/* Warm colours in the range of flamegraph.pl's "hot" palette (red
 * 205-255, green 0-230, blue 0-55), picked from a hash of the name, so a
 * function keeps its colour in every graph. */
static void hot_colour(char *buf, size_t len, const char *name)
{
	uint64_t h = hash_fnv1a_str(HASH_FNV_OFFSET, name);

	snprintf(buf, len, "rgb(%u,%u,%u)", 205 + (unsigned)(h % 51),
	         (unsigned)((h >> 16) % 231), (unsigned)((h >> 40) % 56));
}

/* Red for growth, blue for shrinkage, from pale at DIFF_MIN_POINTS to
 * full at DIFF_FULL_POINTS; near-white below. */
static void diff_colour(char *buf, size_t len, double points)
{
	double mag = points < 0 ? -points : points, t = mag / DIFF_FULL_POINTS;
	unsigned c;

	if (mag < DIFF_MIN_POINTS) {
		snprintf(buf, len, "rgb(245,245,245)");
		return;
	}
	c = (unsigned)(220.0 - 190.0 * (t > 1 ? 1 : t) + 0.5);
	snprintf(buf, len, points > 0 ? "rgb(255,%u,%u)" : "rgb(%u,%u,255)", c, c);
}

/* For a differential graph: the `before` tree, and for each frame of the
 * graph its id there (-1 where its stack prefix is absent). */
struct diff_ctx {
	const struct layout *before;
	const long *bid;
};

/* The hover text after the name and the fill of frame id (-1: "all"). */
static void frame_style(const struct layout *l, const struct diff_ctx *d, long id,
                        char *info, size_t ilen, char *fill, size_t flen)
{
	uint64_t n = id < 0 ? l->total : l->t.keys[id].a;
	double a = 100.0 * share(n, l->total), b, delta;

	if (!d) {
		snprintf(info, ilen, " (%" PRIu64 " samples, %.2f%%)", n, a);
		hot_colour(fill, flen, id < 0 ? "all" : l->t.keys[id].name);
		return;
	}
	n = id < 0 ? d->before->total : d->bid[id] < 0 ? 0 : d->before->t.keys[d->bid[id]].a;
	b = 100.0 * share(n, d->before->total);
	delta = a - b;
	/* Shares that agree to the printed digits read "+0.00", not "-0.00". */
	snprintf(info, ilen, ": before %.2f%%, after %.2f%% (%+.2f points)", b, a,
	         delta > -0.005 && delta < 0.005 ? 0.0 : delta);
	diff_colour(fill, flen, delta);
}

/* The frames, "all" first, then breadth first.  A frame narrower than
 * MIN_FRAME_PX is skipped (its samples still widen its parent), and so
 * are its children, which are no wider. */
static void svg_frames(FILE *out, const struct layout *l, const struct diff_ctx *d)
{
	char info[160], fill[32];
	double ytop = SVG_TOP;

	frame_style(l, d, -1, info, sizeof info, fill, sizeof fill);
	svg_frame(out, "all", info, fill, SVG_XPAD, ytop + l->maxdepth * FRAME_H, PLOT_W);
	for (size_t k = 0; k < l->t.n; k++) {
		size_t id = l->order[k];
		double w = px(l->t.keys[id].a, l->total);
		if (w < MIN_FRAME_PX)
			continue;
		frame_style(l, d, (long)id, info, sizeof info, fill, sizeof fill);
		svg_frame(out, l->t.keys[id].name, info, fill, SVG_XPAD + px(l->off[id], l->total),
		          ytop + (double)(l->maxdepth - l->depth[id]) * FRAME_H, w);
	}
}

int flame_write_svg(FILE *out, const struct flame_profile *p, const char *title)
{
	struct layout l;

	if (p->total == 0)
		return svg_empty(out, title);
	if (layout_build(&l, p) < 0) {
		layout_free(&l);
		return -1;
	}
	svg_open(out, l.maxdepth + 1, 0, title);
	svg_frames(out, &l, NULL);
	fputs("</svg>\n", out);
	layout_free(&l);
	return write_status(out);
}

/* Each frame of `after` matched to the same stack prefix in `before`,
 * parents first (the breadth-first order guarantees it). */
static long *match_before(const struct layout *after, const struct layout *before)
{
	long *bid = malloc((after->t.n ? after->t.n : 1) * sizeof *bid);

	for (size_t k = 0; bid && k < after->t.n; k++) {
		size_t id = after->order[k];
		const struct key *f = &after->t.keys[id];
		long parent = f->tag ? bid[f->tag - 1] : -1;
		if (f->tag && parent < 0)
			bid[id] = -1;
		else
			bid[id] = keytab_find(&before->t, f->tag ? (size_t)parent + 1 : 0, f->name);
	}
	return bid;
}

int flame_write_diff_svg(FILE *out, const struct flame_profile *before,
                         const struct flame_profile *after, const char *title)
{
	struct layout la = {0}, lb = {0};
	struct diff_ctx d = {&lb, NULL};
	int rc = -1;

	if (after->total == 0)
		return svg_empty(out, title);
	if (layout_build(&la, after) == 0 && layout_build(&lb, before) == 0 &&
	    (d.bid = match_before(&la, &lb))) {
		svg_open(out, la.maxdepth + 1, 1, title);
		svg_frames(out, &la, &d);
		fprintf(out, "<text x=\"%d\" y=\"%d\">red: larger share of samples than before, "
		        "blue: smaller; frames only in before are not drawn</text>\n</svg>\n",
		        SVG_XPAD, svg_height(la.maxdepth + 1, 1) - 12);
		rc = write_status(out);
	}
	free((void *)d.bid);
	layout_free(&la);
	layout_free(&lb);
	return rc;
}
