/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Check suite for the HTML report (harness/report_html.c, report_plot.c,
 * escape.c) and the Markdown summary: on constructed result sets, the
 * pages, links and numbers written; that the HTML parses (xmllint, when
 * installed); that hostile benchmark names stay text everywhere; and that
 * without gnuplot the report is still written, with its note. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include "check_main.h"

#include "compare.h"
#include "escape.h"
#include "report.h"
#include "report_plot.h"

#define NPROCS 3
#define NSAMPLES 10

static const char EVIL_SCRIPT[] = "evil/<script>alert(1)</script>";
static const char EVIL_QUOTE[] = "evil/a\";system(\"x";
static const char EVIL_APOS[] = "evil/it's";
static const char EVIL_TICK[] = "evil/`touch pwned`@GPVAL_TERM";  /* gnuplot substitutions */
/* Names a registry refuses but a baseline or an old worker may still bring:
 * every output must stay intact with them. */
static const char EVIL_PCT[] = "evil/pct%d%s 100%";       /* a gnuplot tic format */
static const char EVIL_ESC[] = "evil/esc\x1b[31m\r\nred";   /* terminal control */
static const char EVIL_NONCHAR[] = "evil/nc\xef\xbf\xbe";   /* U+FFFE */
static const char EVIL_BYTES[] = "evil/bytes\xff\xfe";       /* not UTF-8 */

static char tmpdir[] = "/tmp/check_report.XXXXXX";

/* Append benchmark `name` (group/function[/param]): NPROCS processes of
 * NSAMPLES on the ramp iters = 100, 200, ..., ns = 50 + slope * iters
 * plus a little deterministic spread, and estimates set to slope with the
 * interval [0.9, 1.1] x slope, so the report's numbers are known. */
static struct bench_result *add(struct suite *s, const char *name, double slope)
{
	struct bench_result *b;
	char *copy = strdup(name), *save = NULL, *part;

	s->benches = realloc(s->benches, (s->nbenches + 1) * sizeof *s->benches);
	ck_assert_ptr_nonnull(s->benches);
	b = &s->benches[s->nbenches++];
	memset(b, 0, sizeof *b);
	b->name = strdup(name);
	b->group = strdup((part = strtok_r(copy, "/", &save)) ? part : "");
	b->function = strdup((part = strtok_r(NULL, "/", &save)) ? part : "");
	if ((part = strtok_r(NULL, "", &save)))
		b->param = strdup(part);
	free(copy);
	b->procs = calloc(NPROCS, sizeof *b->procs);
	b->nprocs = b->cap = NPROCS;
	for (size_t p = 0; p < NPROCS; p++) {
		struct proc_run *pr = &b->procs[p];
		pr->samples = calloc(NSAMPLES, sizeof *pr->samples);
		pr->nsamples = pr->cap = NSAMPLES;
		for (size_t k = 0; k < NSAMPLES; k++) {
			uint64_t it = 100 * (k + 1);
			double wobble = 1 + 0.01 * (double)((k * 7 + p * 3) % 5);
			pr->samples[k] = (struct sample){it, 50 + slope * wobble * (double)it};
		}
	}
	b->analysis.done = 1;
	b->analysis.an.slope = b->analysis.an.mean = b->analysis.an.median = (struct estimate){slope, 0.9 * slope, 1.1 * slope};
	b->analysis.an.sd = b->analysis.an.mad = (struct estimate){0.02 * slope, 0.01 * slope, 0.03 * slope};
	b->analysis.an.r2 = 0.9987;
	b->analysis.an.nsamples = NPROCS * NSAMPLES;
	b->analysis.an.nprocs = NPROCS;
	b->analysis.an.conf_level = 0.95;
	b->analysis.an.resamples = 1000;
	b->analysis.an.seed = 1;
	b->gate.cmp.change = b->gate.cmp.change_lo = b->gate.cmp.change_hi = NAN;
	return b;
}

/* The result set every test reports: a sweep of three sizes in bytes
 * (1.234 µs at 1024, with 4100 instructions per iteration), and the
 * hostile names. */
static void make_suite(struct suite *s)
{
	struct bench_result *b;

	memset(s, 0, sizeof *s);
	b = add(s, "hash/fnv1a/64", 80);
	b->bytes_per_iter = 64;
	b = add(s, "hash/fnv1a/1024", 1234);
	b->bytes_per_iter = 1024;
	b->counters = calloc(1, sizeof *b->counters);
	b->ncounters = 1;
	b->counters[0] = (struct counter_result){.name = strdup("instructions"),
	                 .role = strdup("instructions"), .counted = 1, .per_iter = 4100,
	                 .raw_per_iter = 4100, .running = 1, .nprocs = NPROCS};
	b = add(s, "hash/fnv1a/16384", 19000);
	b->bytes_per_iter = 16384;
	add(s, EVIL_SCRIPT, 10);
	add(s, EVIL_QUOTE, 20);
	add(s, EVIL_APOS, 30);
	add(s, EVIL_TICK, 40);
	add(s, EVIL_PCT, 50);
	add(s, EVIL_ESC, 60);
	add(s, EVIL_NONCHAR, 70);
	add(s, EVIL_BYTES, 80);
}

static const struct report_settings *opts(void)
{
	static struct report_settings o;

	o.conf_level = 0.95;
	o.resamples = 1000;
	o.seed = 1;
	return &o;
}

static char *slurp(const char *dir, const char *file)
{
	char *path = check_asprintf("%s/%s", dir, file), *buf = check_slurp(path, NULL);

	ck_assert_msg(buf != NULL, "%s missing", path);
	free(path);
	return buf;
}

static char *page_of(const char *dir, const char *name)
{
	char stem[64], file[80];

	escape_file_stem(stem, sizeof stem, name);
	snprintf(file, sizeof file, "%s.html", stem);
	return slurp(dir, file);
}

/* A fresh report directory under tmpdir. */
static char *report_dir(const char *leaf)
{
	char *dir;

	ck_assert_int_ge(asprintf(&dir, "%s/%s", tmpdir, leaf), 0);
	return dir;
}

static int have_gnuplot(void)
{
	char buf[4096];

	return report_plot_find_gnuplot(buf, sizeof buf) != NULL;
}

/* Apply check() to every file of dir whose name ends in `ext`. */
static void each_file(const char *dir, const char *ext, void (*check)(const char *, const char *))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) > strlen(ext) &&
		    !strcmp(e->d_name + strlen(e->d_name) - strlen(ext), ext)) {
			char *text = slurp(dir, e->d_name);
			check(e->d_name, text);
			free(text);
			n++;
		}
	closedir(d);
	ck_assert_uint_gt(n, 0);
}

/* Every character of text is UTF-8 and safe (a newline aside). */
static void text_clean(const char *file, const char *text)
{
	for (const char *p = text; *p;) {
		uint32_t cp;
		size_t len = escape_utf8_char(p, &cp);
		ck_assert_msg(len && (cp == '\n' || !escape_is_unsafe(cp)),
		              "%s: unsafe byte 0x%02x at offset %zu", file, (unsigned char)*p,
		              (size_t)(p - text));
		p += len;
	}
}

/* ---- File names ---- */

START_TEST(test_file_stem_safe)
{
	static const char *const names[] = {"../../etc/passwd", "a/b/c", "..", "/", "x y\tz",
	                                    EVIL_SCRIPT, EVIL_QUOTE, ""};
	char stem[64], other[64];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		escape_file_stem(stem, sizeof stem, names[i]);
		ck_assert_msg(!strchr(stem, '/') && !strstr(stem, ".."), "'%s' -> '%s'", names[i], stem);
		for (const char *p = stem; *p; p++)
			ck_assert(isalnum((unsigned char)*p) || *p == '-' || *p == '_');
	}
	/* Names that sanitise alike still get distinct stems. */
	escape_file_stem(stem, sizeof stem, "a/b");
	escape_file_stem(other, sizeof other, "a_b");
	ck_assert_str_ne(stem, other);
	ck_assert_str_eq(escape_file_stem(stem, sizeof stem, "a/b"), stem);
}
END_TEST

START_TEST(test_escape_strings)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	escape_html(f, "<a href=\"x\">'&'</a>");
	fputc('\n', f);
	escape_gnuplot(f, "it's \"x\"");
	fputc('\n', f);
	escape_markdown(f, "a|b*<c>");
	fclose(f);
	ck_assert_str_eq(buf, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\n"
	                      "'it''s \"x\"'\n"
	                      "a\\|b\\*&lt;c&gt;");
	free(buf);
	/* Unsafe characters: ESC, CR, C1 NEL, U+FFFE, U+FDD0, U+1FFFF, a stray
	 * continuation byte, an overlong '/', a surrogate; µ passes. */
	f = open_memstream(&buf, &len);
	escape_html(f, "\x1b\r\xc2\x85|\xef\xbf\xbe|\xef\xb7\x90|\xf0\x9f\xbf\xbf|\x80|\xc0\xaf|"
	            "\xed\xa0\x80|\xc2\xb5");
	fputc('\n', f);
	escape_markdown(f, "\x1b\xff|\xef\xbf\xbe");
	fputc('\n', f);
	escape_gnuplot(f, "100% \x1b\xff");
	fputc('\n', f);
	escape_gnuplot_tic(f, "100%d's");
	fputc('\n', f);
	escape_term(f, "a\x1b[2J\r\n\xc2\x85\xff\xef\xbf\xbe\xc2\xb5", 0);
	fputc('|', f);
	escape_term(f, "\xc2\xb5s", 4);
	fclose(f);
	ck_assert_str_eq(buf, "&#xFFFD;&#xFFFD;&#xFFFD;|&#xFFFD;|&#xFFFD;|&#xFFFD;|&#xFFFD;|"
	                      "&#xFFFD;&#xFFFD;|&#xFFFD;&#xFFFD;&#xFFFD;|\xc2\xb5\n"
	                      "\xef\xbf\xbd\xef\xbf\xbd\\|\xef\xbf\xbd\n"
	                      "'100% ?""?'\n"
	                      "'100%%d''s'\n"
	                      "a\\x1b[2J\\x0d\\x0a\\xc2\\x85\\xff\\xef\\xbf\\xbe\xc2\xb5|\xc2\xb5s  ");
	ck_assert_uint_eq(escape_term_width("a\x1b\xc2\xb5"), 6);
	free(buf);
}
END_TEST

/* ---- The HTML report ---- */

/* The sweep's figures: the parameter axis says bytes and ticks in kB
 * (never 1e+06), times tick in µs (not gnuplot's "us"), throughput ticks
 * are plain numbers in one unit, MB/s for the largest (16384 B / 19 µs
 * = 862 MB/s). */
static void sweep_axes(const char *dir)
{
	char stem[64], *path, *svg;

	escape_file_stem(stem, sizeof stem, "hash/fnv1a");
	path = check_asprintf("%s/plots/sweep-%s-time.svg", dir, stem);
	svg = check_slurp(path, NULL);
	ck_assert_msg(svg != NULL, "%s missing", path);
	ck_assert_ptr_nonnull(strstr(svg, ">size (bytes)<"));
	ck_assert_ptr_nonnull(strstr(svg, ">1 kB<"));
	ck_assert_ptr_nonnull(strstr(svg, ">10 \xc2\xb5s<"));
	ck_assert_ptr_null(strstr(svg, " us<"));
	ck_assert_ptr_null(strstr(svg, "e+0"));
	free(svg);
	free(path);
	path = check_asprintf("%s/plots/sweep-%s-rate.svg", dir, stem);
	svg = check_slurp(path, NULL);
	ck_assert_msg(svg != NULL, "%s missing", path);
	ck_assert_ptr_nonnull(strstr(svg, ">throughput (MB/s)<"));
	ck_assert_ptr_nonnull(strstr(svg, ">800<"));
	ck_assert_ptr_null(strstr(svg, "e+0"));
	free(svg);
	free(path);
}

START_TEST(test_report_pages_links_numbers)
{
	struct suite s;
	char *dir = report_dir("pages"), *index, *page, stem[64], link[96];

	make_suite(&s);
	ck_assert_int_eq(report_html(dir, &s, NULL, NULL, opts()), 0);
	index = slurp(dir, "index.html");
	for (size_t i = 0; i < s.nbenches; i++) {
		escape_file_stem(stem, sizeof stem, s.benches[i].name);
		snprintf(link, sizeof link, "<a href=\"%s.html\">", stem);
		ck_assert_msg(strstr(index, link), "index lacks %s", link);
		free(page_of(dir, s.benches[i].name));
	}
	/* 1234 ns/iter with its interval, and 1024 B in 1234 ns. */
	ck_assert_ptr_nonnull(strstr(index, "<td>1.234 µs</td><td>[1.111 µs, 1.357 µs]</td>"));
	ck_assert_ptr_nonnull(strstr(index, "829.8 MB/s"));
	ck_assert_ptr_nonnull(strstr(index, ">hash/fnv1a/1024</a>"));
	ck_assert_ptr_nonnull(strstr(index, "<td class=\"name wrap\">4100 instructions</td>"));
	page = page_of(dir, "hash/fnv1a/1024");
	ck_assert_ptr_nonnull(strstr(page, "<a href=\"index.html\">"));
	ck_assert_ptr_nonnull(strstr(page, ">MAD (x 1.4826)</td>"));
	ck_assert_ptr_nonnull(strstr(page, "<td>0.9987</td>"));
	ck_assert_ptr_nonnull(strstr(page, ">instructions</td><td>4100</td><td>100%</td>"));
	ck_assert_ptr_nonnull(strstr(page, "<td class=\"name\">samples</td><td>30</td>"));
	if (have_gnuplot()) {
		escape_file_stem(stem, sizeof stem, "hash/fnv1a/1024");
		snprintf(link, sizeof link, "src=\"plots/%s-dist.svg\"", stem);
		ck_assert_msg(strstr(page, link), "page lacks %s", link);
		snprintf(link, sizeof link, "src=\"plots/%s-fit.svg\"", stem);
		ck_assert_ptr_nonnull(strstr(page, link));
		escape_file_stem(stem, sizeof stem, "hash/fnv1a");
		snprintf(link, sizeof link, "src=\"plots/sweep-%s-time.svg\"", stem);
		ck_assert_msg(strstr(index, link), "index lacks %s", link);
		escape_file_stem(stem, sizeof stem, "hash");
		snprintf(link, sizeof link, "src=\"plots/group-%s.svg\"", stem);
		ck_assert_ptr_nonnull(strstr(index, link));
		ck_assert_ptr_null(strstr(index, "gnuplot-nox"));		sweep_axes(dir);
	}
	free(index);
	free(page);
	suite_free(&s);
	free(dir);
}
END_TEST

START_TEST(test_report_html_parses)
{
	struct suite s;
	char *dir = report_dir("parse"), *cmd;

	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		fprintf(stderr, "check_report: xmllint not installed: HTML parse check skipped\n");
		return;
	}
	make_suite(&s);
	ck_assert_int_eq(report_html(dir, &s, NULL, NULL, opts()), 0);
	/* xmllint --html exits 0 on encoding errors and bad characters: its
	 * stderr tells. */
	ck_assert_int_ge(asprintf(&cmd, "xmllint --html --noout %s/*.html > %s/xmllint.err 2>&1",
	                          dir, dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	cmd = slurp(dir, "xmllint.err");
	ck_assert_msg(!*cmd, "xmllint: %s", cmd);
	free(cmd);
	suite_free(&s);
	free(dir);
}
END_TEST

static void no_raw_script(const char *file, const char *text)
{
	ck_assert_msg(!strcasestr(text, "<script"), "%s has a raw <script", file);
}

/* In HTML also no raw quote: a name may land in an attribute. */
static void no_raw_markup(const char *file, const char *text)
{
	no_raw_script(file, text);
	ck_assert_msg(!strstr(text, "a\";system"), "%s has the raw quote", file);
}

/* Outside gnuplot's single-quoted strings (where only '' escapes a quote)
 * there is no quote at all, and every string ends on its line. */
static void gnuplot_quotes_balanced(const char *file, const char *text)
{
	int in = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\'' && in && p[1] == '\'')
			p++;
		else if (*p == '\'')
			in = !in;
		else if (*p == '"' && !in)
			ck_abort_msg("%s: a double quote outside a string: %.40s", file, p);
		else if (*p == '\n')
			ck_assert_msg(!in, "%s: a string runs past its line", file);
	}
}

START_TEST(test_report_hostile_names)
{
	struct suite s;
	char *dir = report_dir("hostile"), *index, *pdir, stem[64], file[96];

	make_suite(&s);
	ck_assert_int_eq(report_html(dir, &s, NULL, NULL, opts()), 0);
	each_file(dir, ".html", no_raw_markup);
	each_file(dir, ".html", text_clean);
	index = slurp(dir, "index.html");
	ck_assert_ptr_nonnull(strstr(index, ">evil/&lt;script&gt;alert(1)&lt;/script&gt;</a>"));
	ck_assert_ptr_nonnull(strstr(index, ">evil/a&quot;;system(&quot;x</a>"));
	ck_assert_ptr_nonnull(strstr(index, ">evil/it&#39;s</a>"));
	free(index);
	if (have_gnuplot()) {
		ck_assert_int_ge(asprintf(&pdir, "%s/plots", dir), 0);
		each_file(pdir, ".gp", gnuplot_quotes_balanced);
		each_file(pdir, ".svg", no_raw_script);
		each_file(pdir, ".gp", text_clean);
		index = slurp(pdir, "plots.gp");
		ck_assert_ptr_nonnull(strstr(index, "'<script>alert(1)</script>'"));
		ck_assert_ptr_nonnull(strstr(index, "'a\";system(\"x'"));
		ck_assert_ptr_nonnull(strstr(index, "'it''s'"));
		ck_assert_ptr_nonnull(strstr(index, "'`touch pwned`@GPVAL_TERM'"));
		free(index);
		/* The label reached the SVG as text, and nothing ran. */
		escape_file_stem(stem, sizeof stem, "evil");
		snprintf(file, sizeof file, "group-%s.svg", stem);
		index = slurp(pdir, file);
		ck_assert_ptr_nonnull(strstr(index, "`touch pwned`@GPVAL_TERM"));
		/* A % in a tic label is gnuplot's format: once doubled it is
		 * drawn as written, and the plots after it are drawn too. */
		ck_assert_ptr_nonnull(strstr(index, ">pct%d%s 100%<"));
		ck_assert_ptr_nonnull(strstr(index, ">bytes?" "?<"));
		free(index);
		index = slurp(pdir, "gnuplot.log");
		ck_assert_msg(!*index, "gnuplot: %s", index);
		free(index);
		escape_file_stem(stem, sizeof stem, "hash/fnv1a");
		snprintf(file, sizeof file, "sweep-%s-time.svg", stem);
		free(slurp(pdir, file));
		ck_assert_int_ne(access("pwned", F_OK), 0);
		free(pdir);
		ck_assert_int_ge(asprintf(&pdir, "%s/plots/pwned", dir), 0);
		ck_assert_int_ne(access(pdir, F_OK), 0);
		free(pdir);
	}
	suite_free(&s);
	free(dir);
}
END_TEST

START_TEST(test_report_without_gnuplot)
{
	struct suite s;
	char *dir = report_dir("nognuplot"), *index, *page, *log, errpath[4200];
	char buf[4096];

	snprintf(errpath, sizeof errpath, "%s/stderr", tmpdir);
	ck_assert_int_eq(setenv("PATH", "/nonexistent", 1), 0);
	ck_assert_ptr_null(report_plot_find_gnuplot(buf, sizeof buf));
	ck_assert_ptr_nonnull(freopen(errpath, "w", stderr));
	make_suite(&s);
	ck_assert_int_eq(report_html(dir, &s, NULL, NULL, opts()), 0);
	fflush(stderr);
	index = slurp(dir, "index.html");
	ck_assert_ptr_nonnull(strstr(index, "apt-get install gnuplot-nox"));
	ck_assert_ptr_null(strstr(index, "<img"));
	page = page_of(dir, "hash/fnv1a/64");
	ck_assert_ptr_nonnull(strstr(page, "apt-get install gnuplot-nox"));
	log = slurp(tmpdir, "stderr");
	ck_assert_str_eq(log, "benchrun: warning: gnuplot: not found on PATH: the report has "
	                      "no plots (install it: apt-get install gnuplot-nox)\n");
	free(log);
	free(index);
	free(page);
	suite_free(&s);
	free(dir);
}
END_TEST

/* A stored comparison as compare_run leaves it when no shift is removed:
 * the judged change is the change itself. */
static struct comparison compared(enum verdict v, double base_ns, double cur_ns, double change,
                                  double lo, double hi, double p, double p_adj)
{
	return (struct comparison){
		.verdict = v, .base_ns = base_ns, .cur_ns = cur_ns, .change = change,
		.change_lo = lo, .change_hi = hi, .rel = change, .rel_lo = lo, .rel_hi = hi,
		.p = p, .p_adj = p_adj, .p_zero = p, .p_zero_adj = p_adj,
		.base_procs = NPROCS, .cur_procs = NPROCS,
	};
}

/* The suite of make_suite() compared with a baseline: hash/fnv1a/16384
 * regressed by 12 %, hash/fnv1a/64 improved by 5 %, the rest unchanged. */
static void make_compared(struct suite *cur, struct suite *base, struct compare_summary *sum)
{
	make_suite(cur);
	make_suite(base);
	memset(sum, 0, sizeof *sum);
	for (size_t i = 0; i < cur->nbenches; i++) {
		struct comparison *c = &cur->benches[i].gate.cmp;
		*c = compared(VERDICT_NO_CHANGE, 100, 100, 0.001, -0.01, 0.012, 0.5, 0.9);
		if (!strcmp(cur->benches[i].name, "hash/fnv1a/16384"))
			*c = compared(VERDICT_REGRESSED, 100, 112, 0.12, 0.10, 0.14, 1e-4, 1e-3);
		if (!strcmp(cur->benches[i].name, "hash/fnv1a/64"))
			*c = compared(VERDICT_IMPROVED, 100, 95, -0.05, -0.06, -0.04, 1e-4, 1e-3);
		sum->counts[c->verdict]++;
	}
}

START_TEST(test_report_compared)
{
	struct suite cur, base;
	struct compare_summary sum;
	char *dir = report_dir("compared"), *index, *page, stem[64], link[96];

	make_compared(&cur, &base, &sum);
	/* Noise warnings are filled by the gate; two on one benchmark. */
	cur.benches[3].analysis.notes = calloc(2, sizeof *cur.benches[3].analysis.notes);
	cur.benches[3].analysis.notes[0] = strdup("low R\xc2\xb2 0.31: <noisy>");
	cur.benches[3].analysis.notes[1] = strdup("bimodal & slow");
	cur.benches[3].analysis.nnotes = 2;
	ck_assert_int_eq(report_html(dir, &cur, &base, &sum, opts()), 0);
	for (size_t i = 0; i < cur.benches[3].analysis.nnotes; i++)
		free(cur.benches[3].analysis.notes[i]);
	free(cur.benches[3].analysis.notes);
	cur.benches[3].analysis.notes = NULL;
	cur.benches[3].analysis.nnotes = 0;
	index = slurp(dir, "index.html");
	/* Regressions first, then improvements, then the rest in suite order. */
	ck_assert_ptr_nonnull(strstr(index, ">hash/fnv1a/16384</a>"));
	ck_assert(strstr(index, ">hash/fnv1a/16384</a>") < strstr(index, ">hash/fnv1a/64</a>"));
	ck_assert(strstr(index, ">hash/fnv1a/64</a>") < strstr(index, ">hash/fnv1a/1024</a>"));
	ck_assert_ptr_nonnull(strstr(index, "<div class=\"note\">low R\xc2\xb2 0.31: &lt;noisy&gt;"
	                                    "</div><div class=\"note\">bimodal &amp; slow</div>"));
	ck_assert(strstr(index, "script&gt;alert(1)&lt;/script&gt;</a>") <
	          strstr(index, "low R\xc2\xb2 0.31"));
	page = page_of(dir, EVIL_SCRIPT);
	ck_assert_ptr_nonnull(strstr(page, "</h1>\n<p class=\"note\">low R\xc2\xb2 0.31: "
	                                   "&lt;noisy&gt;</p><p class=\"note\">bimodal &amp; slow</p>"));
	free(page);
	ck_assert_ptr_nonnull(strstr(index, "<td>+12.00%</td><td>[+10.00%, +14.00%]</td>"
	                                    "<td class=\"name wrap regressed\">regressed</td>"));
	ck_assert_ptr_nonnull(strstr(index, "<td class=\"name wrap improved\">improved</td>"));
	ck_assert_ptr_nonnull(strstr(index, "1 regressed</span>"));
	page = page_of(dir, "hash/fnv1a/16384");
	ck_assert_ptr_nonnull(strstr(page, "Against the baseline"));
	if (have_gnuplot()) {
		escape_file_stem(stem, sizeof stem, "hash/fnv1a/16384");
		snprintf(link, sizeof link, "src=\"plots/%s-base.svg\"", stem);
		ck_assert_msg(strstr(page, link), "page lacks %s", link);
	}
	free(index);
	free(page);
	suite_free(&cur);
	suite_free(&base);
	free(dir);
}
END_TEST

/* ---- Markdown ---- */

START_TEST(test_markdown_regressions_first)
{
	struct suite cur, base;
	struct compare_summary sum;
	char *path = report_dir("summary.md"), *md, *row1, *row2;

	make_compared(&cur, &base, &sum);
	ck_assert_int_eq(report_markdown(path, &cur, &sum, opts()), 0);
	md = slurp("/", path);
	ck_assert_ptr_nonnull(strstr(md, "**benchrun**: 1 regressed, 1 improved, 9 no significant "
	                                 "change\n\n"));
	row1 = strstr(md, "|:--|--:|--:|--:|--:|:--|\n");
	ck_assert_ptr_nonnull(row1);
	row1 += strlen("|:--|--:|--:|--:|--:|:--|\n");
	ck_assert_msg(!strncmp(row1, "| hash/fnv1a/16384 | 100.0 ns | 112.0 ns | +12.00% | "
	                             "[+10.00%, +14.00%] | **regressed** |\n", 80), "%s", row1);
	row2 = strchr(row1, '\n') + 1;
	ck_assert_msg(!strncmp(row2, "| hash/fnv1a/64 |", 17), "%s", row2);
	ck_assert_ptr_nonnull(strstr(row2, "| improved |"));
	ck_assert_ptr_nonnull(strstr(md, "| evil/&lt;script&gt;alert(1)&lt;/script&gt; |"));
	ck_assert_ptr_null(strstr(md, "<script"));
	ck_assert_ptr_nonnull(strstr(md, "| evil/pct%d%s 100% |"));
	ck_assert_ptr_nonnull(strstr(md, "| evil/esc\xef\xbf\xbd\\[31m\xef\xbf\xbd\xef\xbf\xbdred |"));
	ck_assert_ptr_nonnull(strstr(md, "| evil/bytes\xef\xbf\xbd\xef\xbf\xbd |"));
	text_clean("summary.md", md);
	free(md);
	suite_free(&cur);
	suite_free(&base);
	free(path);
}
END_TEST

START_TEST(test_markdown_plain)
{
	struct suite s;
	char *path = report_dir("plain.md"), *md;

	make_suite(&s);
	ck_assert_int_eq(report_markdown(path, &s, NULL, opts()), 0);
	md = slurp("/", path);
	ck_assert_ptr_nonnull(strstr(md, "| benchmark | time/iter | 95% interval | throughput |\n"));
	ck_assert_ptr_nonnull(strstr(md, "| hash/fnv1a/1024 | 1.234 µs | [1.111 µs, 1.357 µs] | "
	                                 "829.8 MB/s |\n"));
	ck_assert_ptr_null(strstr(md, "regressed"));
	free(md);
	suite_free(&s);
	free(path);
}
END_TEST

/* The console's summary counts the processes the data hold (a loaded
 * baseline's), not the command line's --processes. */
START_TEST(test_console_counts_processes)
{
	struct report_settings o = *opts();
	struct suite s;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	make_suite(&s);
	o.processes = 5;
	ck_assert_ptr_nonnull(f = open_memstream(&text, &len));
	report_console(f, &s, &o);
	fclose(f);
	ck_assert_msg(strstr(text, " benchmarks, 0 failed; 3 processes each, "), "%s", text);
	free(text);
	s.benches[1].nprocs = 2;  /* one benchmark lost a process */
	ck_assert_ptr_nonnull(f = open_memstream(&text, &len));
	report_console(f, &s, &o);
	fclose(f);
	ck_assert_msg(strstr(text, "; 2-3 processes each, "), "%s", text);
	s.benches[1].nprocs = NPROCS;
	free(text);
	suite_free(&s);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_file_stem_safe);
	tcase_add_test(tc, test_console_counts_processes);
	tcase_add_test(tc, test_escape_strings);
	tcase_add_test(tc, test_report_pages_links_numbers);
	tcase_add_test(tc, test_report_html_parses);
	tcase_add_test(tc, test_report_hostile_names);
	tcase_add_test(tc, test_report_without_gnuplot);
	tcase_add_test(tc, test_report_compared);
	tcase_add_test(tc, test_markdown_regressions_first);
	tcase_add_test(tc, test_markdown_plain);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_suite_in(report_suite(), tmpdir, "check_report");
}
