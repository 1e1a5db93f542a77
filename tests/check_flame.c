/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for harness/flame.c on constructed profiles: folded text
 * (exact), merging, hostile names, parsing and its errors by line, the
 * top-functions table with recursion, the SVG flame graph (titles,
 * percentages, layout, labels, colours, escaping; well-formed per xmllint
 * when installed), the differential and its SVG, and write errors. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "flame.h"

/* A NULL-terminated frame list, root first. */
#define V(...) ((const char *const[]){__VA_ARGS__, NULL})

static char tmpdir[] = "/tmp/check_flame.XXXXXX";

static void add(struct flame_profile *p, uint64_t count, const char *const *frames)
{
	size_t n = 0;

	while (frames[n])
		n++;
	ck_assert_int_eq(flame_add(p, frames, n, count), 0);
}

static char *folded(const struct flame_profile *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(flame_write_folded(f, p), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

static void parse_ok(const char *text, struct flame_profile *p)
{
	char err[128] = "";

	ck_assert_msg(flame_parse_folded(text, p, err, sizeof err) == 0, "%s", err);
}

static void assert_well_formed(const char *path)
{
	char *cmd;

	if (access("/usr/bin/xmllint", X_OK) != 0) {
		fprintf(stderr, "check_flame: no /usr/bin/xmllint: XML check of %s skipped\n", path);
		return;
	}
	cmd = check_asprintf("/usr/bin/xmllint --noout '%s'", path);
	ck_assert_msg(system(cmd) == 0, "%s is not well-formed XML", path);
	free(cmd);
}

/* The flame graph of p (or the differential from `before` when it is not
 * NULL), written to a file, checked with xmllint, and read back. */
static char *svg_of(const char *tag, const struct flame_profile *before,
                    const struct flame_profile *p, const char *title)
{
	char *path = check_asprintf("%s/%s.svg", tmpdir, tag), *text;
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(before ? flame_write_diff_svg(f, before, p, title)
	                        : flame_write_svg(f, p, title), 0);
	ck_assert_int_eq(fclose(f), 0);
	assert_well_formed(path);
	text = check_slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	free(path);
	return text;
}

/* The frame whose <title> starts with `title`: its group's text from
 * there, failing the test when there is none. */
static const char *frame_of(const char *svg, const char *title)
{
	char *needle = check_asprintf("<title>%s", title);
	const char *t = strstr(svg, needle);

	ck_assert_msg(t, "no frame titled \"%s\"", title);
	free(needle);
	return t;
}

static void fill_of(const char *svg, const char *title, unsigned rgb[3])
{
	const char *f = strstr(frame_of(svg, title), "fill=\"rgb(");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sscanf(f, "fill=\"rgb(%u,%u,%u)", &rgb[0], &rgb[1], &rgb[2]), 3);
}

static void rect_of(const char *svg, const char *title, double *x, double *y, double *w)
{
	const char *r = strstr(frame_of(svg, title), "<rect ");

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sscanf(r, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\"", x, y, w), 3);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

START_TEST(test_folded_sorted_exact)
{
	struct flame_profile p = {0}, q = {0};
	const char *want = "a;b 7\nab 1\nmain 2\nmain;a 1\nmain;a;c 5\nmain;b 3\n";
	char *t1, *t2;

	add(&p, 3, V("main", "b"));
	add(&p, 5, V("main", "a", "c"));
	add(&p, 2, V("main"));
	add(&p, 1, V("main", "a"));
	add(&p, 1, V("ab"));
	add(&p, 7, V("a", "b"));
	/* The same stacks added in another order give the same bytes. */
	add(&q, 7, V("a", "b"));
	add(&q, 1, V("main", "a"));
	add(&q, 1, V("ab"));
	add(&q, 5, V("main", "a", "c"));
	add(&q, 3, V("main", "b"));
	add(&q, 2, V("main"));
	t1 = folded(&p);
	t2 = folded(&q);
	ck_assert_str_eq(t1, want);
	ck_assert_str_eq(t2, want);
	free(t1);
	free(t2);
	flame_free(&p);
	flame_free(&q);
	t1 = folded(&p);  /* empty after flame_free */
	ck_assert_str_eq(t1, "");
	free(t1);
}
END_TEST

START_TEST(test_merge_identical)
{
	struct flame_profile p = {0};
	char name[] = "leaf";

	add(&p, 1, V("main", "a"));
	add(&p, 2, V("main", "a"));
	add(&p, 3, V("main", "a"));
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.stacks[0].count, 6);
	ck_assert_uint_eq(p.total, 6);
	add(&p, 1, V("main", "a", "b"));  /* longer */
	add(&p, 1, V("main"));             /* shorter */
	add(&p, 1, V("main;a"));           /* one frame, not two */
	add(&p, 1, V("mai", "n", "a"));
	ck_assert_uint_eq(p.n, 5);
	add(&p, 0, V("zero"));             /* no samples, no stack */
	ck_assert_uint_eq(p.n, 5);
	ck_assert_uint_eq(p.total, 10);
	/* The names are copied, not borrowed. */
	add(&p, 4, (const char *const[]){"main", name, NULL});
	name[0] = 'X';
	add(&p, 1, V("main", "leaf"));
	ck_assert_uint_eq(p.n, 6);
	ck_assert_str_eq(p.stacks[5].frames[1], "leaf");
	ck_assert_uint_eq(p.stacks[5].count, 5);
	flame_free(&p);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_uint_eq(p.total, 0);
}
END_TEST

/* 1,000 distinct stacks of depth 20, 10 samples each, interleaved: the
 * index must merge across its growth (sizes 16, 32, ... 1024). */
START_TEST(test_merge_many)
{
	struct flame_profile p = {0};
	char names[20][16];
	const char *frames[20];

	for (int j = 0; j < 20; j++)
		frames[j] = names[j];
	for (int s = 0; s < 10000; s++) {
		int k = (s * 7) % 1000;
		for (int j = 0; j < 20; j++)
			snprintf(names[j], sizeof names[j], "f%d", (k * 31 + j * 17) % 97);
		snprintf(names[19], sizeof names[19], "leaf%d", k);
		ck_assert_int_eq(flame_add(&p, frames, 20, 1), 0);
	}
	ck_assert_uint_eq(p.n, 1000);
	ck_assert_uint_eq(p.total, 10000);
	for (size_t i = 0; i < p.n; i++)
		ck_assert_uint_eq(p.stacks[i].count, 10);
	flame_free(&p);
}
END_TEST

START_TEST(test_folded_hostile_names)
{
	struct flame_profile p = {0}, q = {0};
	char *text;

	add(&p, 2, V("main", "a;b", "operator new", "x\ny"));
	/* Reads the same once written: one line, counts summed. */
	add(&p, 3, V("main", "a:b", "operator new", "x?y"));
	add(&p, 1, V("main", "", "tab\there"));
	text = folded(&p);
	ck_assert_str_eq(text, "main;?;tab?here 1\nmain;a:b;operator new;x?y 5\n");
	parse_ok(text, &q);
	ck_assert_uint_eq(q.n, 2);
	ck_assert_uint_eq(q.stacks[1].nframes, 4);
	ck_assert_str_eq(q.stacks[1].frames[2], "operator new");
	ck_assert_uint_eq(q.stacks[1].count, 5);
	free(text);
	flame_free(&p);
	flame_free(&q);
}
END_TEST

START_TEST(test_parse_round_trip)
{
	const char *text = "main 2\nmain;a 1\nmain;a;c 5\nmain;operator new;b  3\n";
	struct flame_profile p = {0};
	char *back;

	parse_ok(text, &p);
	ck_assert_uint_eq(p.n, 4);
	ck_assert_uint_eq(p.total, 11);
	ck_assert_uint_eq(p.stacks[3].nframes, 3);
	ck_assert_str_eq(p.stacks[3].frames[1], "operator new");
	ck_assert_str_eq(p.stacks[3].frames[2], "b ");  /* the count follows the last space */
	ck_assert_uint_eq(p.stacks[3].count, 3);
	back = folded(&p);
	ck_assert_str_eq(back, text);
	free(back);
	flame_free(&p);
	/* Repeated stacks merge; CRLF, blank lines and no final newline read. */
	parse_ok("a;b 1\r\n\r\n\na;b 2\nc 18446744073709551615", &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.stacks[0].count, 3);
	ck_assert_uint_eq(p.stacks[1].count, UINT64_MAX);
	flame_free(&p);
	parse_ok("", &p);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_uint_eq(p.total, 0);
	parse_ok("\n\n", &p);
	ck_assert_uint_eq(p.n, 0);
}
END_TEST

START_TEST(test_parse_errors)
{
	static const struct { const char *text, *err; } cases[] = {
		{"a;b 1\nc\n", "line 2: missing count"},
		{"a;b 1\nc \n", "line 2: missing count"},
		{"main x\n", "line 1: count is not a number"},
		{"main -3\n", "line 1: count is not a number"},
		{"main +3\n", "line 1: count is not a number"},
		{"a 1\nb 2\nmain 0\n", "line 3: count is zero"},
		{"main;;a 4\n", "line 1: empty frame"},
		{"main; 4\n", "line 1: empty frame"},
		{";main 4\n", "line 1: empty frame"},
		{" 4\n", "line 1: empty frame"},
		{"main 12x\n", "line 1: trailing garbage after the count"},
		{"a 1\n\nb 2\nc 3 4 5x\n", "line 4: trailing garbage after the count"},
		{"main 18446744073709551616\n", "line 1: count out of range"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct flame_profile p = {0};
		char err[128] = "";
		ck_assert_int_eq(flame_parse_folded(cases[i].text, &p, err, sizeof err), -1);
		ck_assert_str_eq(err, cases[i].err);
		ck_assert_uint_eq(p.n, 0);      /* left empty, nothing leaked */
		ck_assert_uint_eq(p.total, 0);
	}
	{
		struct flame_profile p = {0};
		char err[8];
		ck_assert_int_eq(flame_parse_folded("a 1\nb\n", &p, err, sizeof err), -1);
		ck_assert_str_eq(err, "line 2:");  /* truncated to errlen */
	}
}
END_TEST

/* Counts that sum past 2^64-1 (each one valid) are held at UINT64_MAX:
 * the total does not wrap to 1, which made "a" wider than the graph and
 * overflowed the conversion of its label's width to size_t (undefined;
 * caught by --enable-ubsan's float-cast-overflow). */
START_TEST(test_counts_saturate)
{
	struct flame_profile p = {0}, q = {0};
	double x, y, w;
	struct flame_func *f;
	char *text, *svg;

	parse_ok("a 18446744073709551615\nb 2\n", &p);
	ck_assert_uint_eq(p.total, UINT64_MAX);
	text = folded(&p);
	ck_assert_str_eq(text, "a 18446744073709551615\nb 2\n");
	free(text);
	svg = svg_of("saturated", NULL, &p, NULL);
	ck_assert_ptr_nonnull(strstr(svg, "<title>all (18446744073709551615 samples, 100.00%)"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>a (18446744073709551615 samples, 100.00%)"));
	rect_of(svg, "a (", &x, &y, &w);
	ck_assert_double_eq_tol(x, 10.0, 1e-9);
	ck_assert_double_eq_tol(w, 1180.0, 1e-9);
	ck_assert_ptr_nonnull(strstr(svg, ">a</text>"));
	free(svg);
	/* Merged into one stack, and summed by name in the tables. */
	add(&q, UINT64_MAX - 1, V("main", "a"));
	add(&q, 5, V("main", "a"));
	add(&q, 3, V("main", "b"));
	ck_assert_uint_eq(q.n, 2);
	ck_assert_uint_eq(q.stacks[0].count, UINT64_MAX);
	ck_assert_uint_eq(q.total, UINT64_MAX);
	ck_assert_int_eq(flame_top(&q, &f), 3);
	ck_assert_str_eq(f[0].name, "a");
	ck_assert_uint_eq(f[0].self, UINT64_MAX);
	ck_assert_str_eq(f[2].name, "main");
	ck_assert_uint_eq(f[2].total, UINT64_MAX);
	flame_funcs_free(f, 3);
	svg = svg_of("saturated-diff", &p, &q, NULL);
	ck_assert_ptr_nonnull(strstr(svg, "<title>main: before 0.00%, after 100.00%"));
	free(svg);
	flame_free(&p);
	flame_free(&q);
}
END_TEST

START_TEST(test_top_recursion)
{
	static const struct { const char *name; uint64_t self, total; } want[] = {
		{"a", 7, 7}, {"c", 3, 3}, {"d", 3, 3}, {"main", 0, 13}, {"b", 0, 4},
	};
	struct flame_profile p = {0};
	struct flame_func *f;
	long n;

	/* a recurses: its total counts each sample once (4 + 2 + 1, not
	 * 8 + 2 + 2); c and d tie on self and total, so name decides. */
	add(&p, 4, V("main", "a", "b", "a"));
	add(&p, 2, V("main", "a"));
	add(&p, 3, V("main", "d"));
	add(&p, 3, V("main", "c"));
	add(&p, 1, V("main", "a", "a"));
	n = flame_top(&p, &f);
	ck_assert_int_eq(n, 5);
	for (long i = 0; i < n; i++) {
		ck_assert_str_eq(f[i].name, want[i].name);
		ck_assert_uint_eq(f[i].self, want[i].self);
		ck_assert_uint_eq(f[i].total, want[i].total);
	}
	flame_funcs_free(f, (size_t)n);
	flame_free(&p);
	ck_assert_int_eq(flame_top(&p, &f), 0);
	flame_funcs_free(f, 0);
}
END_TEST

START_TEST(test_svg_titles_layout)
{
	struct flame_profile p = {0};
	double x, y, w, ya, ym, yall;
	char *svg;

	add(&p, 1, V("main", "b"));
	add(&p, 2, V("main", "a", "x"));
	add(&p, 1, V("main", "a"));
	svg = svg_of("titles", NULL, &p, "CPU profile");
	ck_assert_ptr_nonnull(strstr(svg, "width=\"1200\""));
	ck_assert_ptr_nonnull(strstr(svg, ">CPU profile</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>all (4 samples, 100.00%)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>main (4 samples, 100.00%)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>a (3 samples, 75.00%)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>b (1 samples, 25.00%)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>x (2 samples, 50.00%)</title>"));
	ck_assert_int_eq(count_of(svg, "<title>a ("), 1);  /* one frame per name and level */
	ck_assert_int_eq(count_of(svg, "<g class=\"f\">"), 5);
	/* a before b (by name, not insertion), 1180 pixels between the pads. */
	rect_of(svg, "a (", &x, &ya, &w);
	ck_assert_double_eq_tol(x, 10.0, 1e-9);
	ck_assert_double_eq_tol(w, 885.0, 1e-9);
	rect_of(svg, "b (", &x, &y, &w);
	ck_assert_double_eq_tol(x, 895.0, 1e-9);
	ck_assert_double_eq_tol(w, 295.0, 1e-9);
	ck_assert_double_eq_tol(y, ya, 1e-9);
	/* The root at the bottom, 16 pixels a level. */
	rect_of(svg, "main (", &x, &ym, &w);
	rect_of(svg, "all (", &x, &yall, &w);
	ck_assert_double_eq_tol(yall - ym, 16.0, 1e-9);
	ck_assert_double_eq_tol(ym - ya, 16.0, 1e-9);
	free(svg);
	flame_free(&p);
}
END_TEST

START_TEST(test_svg_labels_tiny_frames)
{
	char ascii[61] = "", utf8[121] = "", *want;
	struct flame_profile p = {0};
	char *svg;

	for (int i = 0; i < 6; i++)
		strcat(ascii, "abcdefghij");
	for (int i = 0; i < 60; i++)
		strcat(utf8, "\xc3\xa9");  /* é */
	add(&p, 30000, (const char *const[]){"main", ascii, NULL});
	add(&p, 20000, (const char *const[]){"main", utf8, NULL});
	add(&p, 48799, V("main", "b"));
	add(&p, 1, V("main", "b", "tiny"));
	add(&p, 1200, V("main", "n"));
	svg = svg_of("labels", NULL, &p, "labels");
	/* 354 px: (354 - 6) / 7 = 49 characters, 47 of the name and "..". */
	want = check_asprintf(">%.47s..</text>", ascii);
	ck_assert_ptr_nonnull(strstr(svg, want));
	free(want);
	/* 236 px: 32 characters, cut between characters, not bytes. */
	want = check_asprintf(">%.60s..</text>", utf8);
	ck_assert_ptr_nonnull(strstr(svg, want));
	free(want);
	ck_assert_ptr_nonnull(strstr(svg, ">b</text>"));
	/* 14.16 px: a title but no label, though one letter would fit. */
	ck_assert_ptr_nonnull(strstr(svg, "<title>n (1200 samples, 1.20%)</title>"));
	ck_assert_ptr_null(strstr(svg, ">n</text>"));
	/* 0.0118 px: not drawn, but counted in its parent. */
	ck_assert_ptr_null(strstr(svg, "tiny"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>b (48800 samples, 48.80%)</title>"));
	free(svg);
	flame_free(&p);
}
END_TEST

START_TEST(test_svg_hostile_names)
{
	struct flame_profile p = {0};
	char *svg;

	add(&p, 1, V("main", "<script>alert(1)</script>"));
	add(&p, 1, V("main", "a&b"));
	add(&p, 1, V("main", "say \"hi\" it's"));
	add(&p, 1, V("main", "bad\xff\xfeutf8", "tab\there"));
	svg = svg_of("hostile", NULL, &p, "<b>&\"title\"");
	ck_assert_ptr_null(strcasestr(svg, "<script"));
	ck_assert_ptr_null(strstr(svg, "<b>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>&lt;script&gt;alert(1)&lt;/script&gt; (1 samples, 25.00%)"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>a&amp;b (1 samples"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>say &quot;hi&quot; it&#39;s (1 samples"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>bad??utf8 (1 samples"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>tab&#xFFFD;here (1 samples"));
	ck_assert_ptr_nonnull(strstr(svg, ">&lt;b&gt;&amp;&quot;title&quot;</text>"));
	free(svg);
	flame_free(&p);
}
END_TEST

START_TEST(test_svg_empty)
{
	struct flame_profile p = {0};
	char *svg = svg_of("empty", NULL, &p, "nothing");

	ck_assert_ptr_nonnull(strstr(svg, "<?xml"));
	ck_assert_ptr_nonnull(strstr(svg, ">no samples</text>"));
	ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
	ck_assert_ptr_null(strstr(svg, "<title>"));
	free(svg);
	svg = svg_of("empty-diff", &p, &p, "nothing");
	ck_assert_ptr_nonnull(strstr(svg, ">no samples</text>"));
	free(svg);
}
END_TEST

/* A profile of one function is a strip as tall as its two rows, the title
 * and a margin: no blank band for a legend it does not have (the
 * differential keeps one for its legend line). */
START_TEST(test_svg_one_frame_height)
{
	struct flame_profile p = {0};
	double x, y, w;
	char *svg;

	add(&p, 356, V("br__fn_loop__empty"));
	svg = svg_of("one", NULL, &p, "loop/empty");
	ck_assert_ptr_nonnull(strstr(svg, "height=\"76\" viewBox=\"0 0 1200 76\""));
	rect_of(svg, "all (", &x, &y, &w);
	ck_assert_double_eq_tol(y, 52.0, 1e-9);  /* 15 high: ends 9 pixels above the edge */
	free(svg);
	svg = svg_of("one-diff", &p, &p, "loop/empty");
	ck_assert_ptr_nonnull(strstr(svg, "height=\"102\" viewBox=\"0 0 1200 102\""));
	ck_assert_ptr_nonnull(strstr(svg, "<text x=\"10\" y=\"90\">red: "));
	free(svg);
	flame_free(&p);
}
END_TEST

START_TEST(test_svg_colours)
{
	struct flame_profile p = {0}, q = {0};
	unsigned c1[3], c2[3], c3[3];
	char *s1, *s2;

	add(&p, 1, V("main", "alpha"));
	add(&p, 1, V("main", "beta"));
	add(&q, 5, V("other", "beta"));
	add(&q, 2, V("x", "y", "alpha"));
	s1 = svg_of("colour1", NULL, &p, "one");
	s2 = svg_of("colour2", NULL, &q, "two");
	fill_of(s1, "alpha (", c1);
	fill_of(s2, "alpha (", c2);
	fill_of(s1, "beta (", c3);
	ck_assert_mem_eq(c1, c2, sizeof c1);       /* the same in every graph */
	ck_assert_msg(memcmp(c1, c3, sizeof c1) != 0, "alpha and beta share a colour");
	for (const unsigned *c = c1; c; c = c == c1 ? c3 : NULL) {
		ck_assert_uint_ge(c[0], 205);          /* warm: red high, blue low */
		ck_assert_uint_le(c[1], 230);
		ck_assert_uint_le(c[2], 55);
	}
	free(s1);
	free(s2);
	flame_free(&p);
	flame_free(&q);
}
END_TEST

START_TEST(test_diff_shares)
{
	static const struct { const char *name; double before, after; } want[] = {
		{"a", 0.5, 0.75}, {"c", 0.0, 0.125}, {"main", 0.0, 0.0}, {"b", 0.25, 0.125},
		{"d", 0.25, 0.0},
	};
	struct flame_profile before = {0}, after = {0};
	struct flame_growth *g;
	long n;

	add(&before, 2, V("main", "a"));
	add(&before, 1, V("main", "b"));
	add(&before, 1, V("main", "d"));
	add(&after, 6, V("main", "a"));
	add(&after, 1, V("main", "b"));
	add(&after, 1, V("main", "c"));
	/* Growth +0.25, +0.125, 0 (never a leaf), -0.125, -0.25: exact in
	 * binary. */
	n = flame_diff(&before, &after, &g);
	ck_assert_int_eq(n, 5);
	for (long i = 0; i < n; i++) {
		ck_assert_str_eq(g[i].name, want[i].name);
		ck_assert_double_eq(g[i].before, want[i].before);
		ck_assert_double_eq(g[i].after, want[i].after);
	}
	flame_growth_free(g, (size_t)n);
	flame_free(&before);
	n = flame_diff(&before, &after, &g);  /* an empty before: shares 0 */
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(g[0].name, "a");
	ck_assert_double_eq(g[0].before, 0.0);
	flame_growth_free(g, (size_t)n);
	flame_free(&after);
	ck_assert_int_eq(flame_diff(&before, &after, &g), 0);
	flame_growth_free(g, 0);
}
END_TEST

/* Everything called half as often again (the loop went from 100 to 150 ns
 * an iteration): every share is unchanged, so the shares show nothing;
 * scaled by each profile's cost per iteration, a and b each grew from 50
 * to 75 ns per iteration, and main, never a leaf, not at all. */
START_TEST(test_diff_per_iteration)
{
	struct flame_profile before = {0}, after = {0};
	struct flame_growth *g;
	long n;

	add(&before, 1, V("main", "a"));
	add(&before, 1, V("main", "a", "b"));
	add(&after, 3, V("main", "a"));
	add(&after, 3, V("main", "a", "b"));  /* shares: a 1/2, b 1/2, as before */
	n = flame_diff(&before, &after, &g);
	ck_assert_double_eq(g[0].after - g[0].before, 0);
	flame_growth_free(g, (size_t)n);
	n = flame_diff_scaled(&before, 100, &after, 150, &g);
	ck_assert_int_eq(n, 3);
	ck_assert_double_eq(g[0].before, 50);
	ck_assert_double_eq(g[0].after, 75);
	ck_assert_double_eq(g[1].after - g[1].before, 25);
	ck_assert_str_eq(g[2].name, "main");
	flame_growth_free(g, (size_t)n);
	flame_free(&before);
	flame_free(&after);
}
END_TEST

START_TEST(test_diff_svg)
{
	struct flame_profile before = {0}, after = {0};
	unsigned rgb[3];
	char *svg;

	add(&before, 2, V("main", "a"));
	add(&before, 1, V("main", "b"));
	add(&before, 1, V("main", "d"));
	add(&after, 6, V("main", "a"));
	add(&after, 1, V("main", "b"));
	add(&after, 1, V("main", "c"));
	svg = svg_of("diff", &before, &after, "before vs after");
	ck_assert_ptr_nonnull(strstr(svg, "<title>all: before 100.00%, after 100.00% (+0.00 points)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>main: before 100.00%, after 100.00% (+0.00 points)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>a: before 50.00%, after 75.00% (+25.00 points)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>b: before 25.00%, after 12.50% (-12.50 points)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>c: before 0.00%, after 12.50% (+12.50 points)</title>"));
	ck_assert_ptr_null(strstr(svg, "<title>d"));  /* only in before */
	fill_of(svg, "a:", rgb);
	ck_assert_msg(rgb[0] == 255 && rgb[1] < 100 && rgb[2] < 100, "a is not red");
	fill_of(svg, "b:", rgb);
	ck_assert_msg(rgb[2] == 255 && rgb[0] < 100 && rgb[1] < 100, "b is not blue");
	fill_of(svg, "main:", rgb);
	ck_assert_msg(rgb[0] >= 240 && rgb[1] >= 240 && rgb[2] >= 240, "main is not near-white");
	free(svg);
	flame_free(&before);
	flame_free(&after);
}
END_TEST

/* Shares are of stack prefixes, not names: x under q is new even though
 * an x under p was there before. */
START_TEST(test_diff_svg_prefixes)
{
	struct flame_profile before = {0}, after = {0};
	unsigned rgb[3];
	char *svg;

	add(&before, 1, V("main", "p", "x"));
	add(&before, 3, V("main", "q"));
	add(&after, 2, V("main", "q", "x"));
	add(&after, 2, V("main", "p"));
	svg = svg_of("diff-prefix", &before, &after, "prefixes");
	ck_assert_ptr_nonnull(strstr(svg, "<title>x: before 0.00%, after 50.00% (+50.00 points)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>q: before 75.00%, after 50.00% (-25.00 points)</title>"));
	ck_assert_ptr_nonnull(strstr(svg, "<title>p: before 25.00%, after 50.00% (+25.00 points)</title>"));
	fill_of(svg, "x:", rgb);
	ck_assert_uint_eq(rgb[0], 255);
	free(svg);
	flame_free(&before);
	flame_free(&after);
	/* An empty before: everything is new. */
	add(&after, 1, V("main"));
	svg = svg_of("diff-new", &before, &after, "new");
	ck_assert_ptr_nonnull(strstr(svg, "<title>main: before 0.00%, after 100.00% (+100.00 points)</title>"));
	free(svg);
	flame_free(&after);
}
END_TEST

static FILE *full_device(void)
{
	FILE *f = fopen("/dev/full", "w");

	ck_assert_msg(f, "cannot open /dev/full");
	return f;
}

START_TEST(test_write_errors)
{
	struct flame_profile p = {0}, empty = {0};
	FILE *f;

	if (access("/dev/full", W_OK) != 0) {
		fprintf(stderr, "check_flame: no /dev/full: write-error test skipped\n");
		return;
	}
	add(&p, 1, V("main", "a"));
	ck_assert_int_eq(flame_write_folded(f = full_device(), &p), -1);
	fclose(f);
	ck_assert_int_eq(flame_write_svg(f = full_device(), &p, "t"), -1);
	fclose(f);
	ck_assert_int_eq(flame_write_svg(f = full_device(), &empty, "t"), -1);
	fclose(f);
	ck_assert_int_eq(flame_write_diff_svg(f = full_device(), &empty, &p, "t"), -1);
	fclose(f);
	flame_free(&p);
}
END_TEST

static Suite *flame_suite(void)
{
	Suite *s = suite_create("flame");
	TCase *tc = tcase_create("flame");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_folded_sorted_exact);
	tcase_add_test(tc, test_merge_identical);
	tcase_add_test(tc, test_merge_many);
	tcase_add_test(tc, test_folded_hostile_names);
	tcase_add_test(tc, test_parse_round_trip);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_counts_saturate);
	tcase_add_test(tc, test_top_recursion);
	tcase_add_test(tc, test_svg_titles_layout);
	tcase_add_test(tc, test_svg_labels_tiny_frames);
	tcase_add_test(tc, test_svg_hostile_names);
	tcase_add_test(tc, test_svg_empty);
	tcase_add_test(tc, test_svg_one_frame_height);
	tcase_add_test(tc, test_svg_colours);
	tcase_add_test(tc, test_diff_shares);
	tcase_add_test(tc, test_diff_per_iteration);
	tcase_add_test(tc, test_diff_svg);
	tcase_add_test(tc, test_diff_svg_prefixes);
	tcase_add_test(tc, test_write_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite_in(flame_suite(), tmpdir, "check_flame");
}
