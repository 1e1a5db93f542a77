/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Self-contained SVG flame graphs in the layout of flamegraph.pl, and the
 * differential flame graph of two profiles. */
#define _GNU_SOURCE
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flame.h"
#include "flame_int.h"
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
			long id = flame_keytab_intern(t, tag, s->frames[j]);
			if (id < 0)
				return -1;
			t->keys[id].a = flame_sat_add(t->keys[id].a, s->count);
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
		off = flame_sat_add(off, sorted[k]->a);
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
	flame_keytab_free(&l->t);
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
	return flame_write_status(out);
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
	double a = 100.0 * flame_share(n, l->total), b, delta;

	if (!d) {
		snprintf(info, ilen, " (%" PRIu64 " samples, %.2f%%)", n, a);
		hot_colour(fill, flen, id < 0 ? "all" : l->t.keys[id].name);
		return;
	}
	n = id < 0 ? d->before->total : d->bid[id] < 0 ? 0 : d->before->t.keys[d->bid[id]].a;
	b = 100.0 * flame_share(n, d->before->total);
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
	return flame_write_status(out);
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
			bid[id] = flame_keytab_find(&before->t, f->tag ? (size_t)parent + 1 : 0, f->name);
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
		rc = flame_write_status(out);
	}
	free((void *)d.bid);
	layout_free(&la);
	layout_free(&lb);
	return rc;
}
