/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Escaping for the report writers: every benchmark name or other string
 * that reaches a terminal, HTML, SVG, a gnuplot script, Markdown, a DOT
 * graph or a file name goes through one of these.  Each decodes UTF-8
 * itself: a name read from an old worker or a hand-edited baseline may
 * hold anything. */
#include <stdint.h>
#include <string.h>
#include "escape.h"

size_t escape_utf8_char(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	size_t len;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;  /* also stops at the terminating NUL */
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF
	 * are not UTF-8 (RFC 3629 section 3). */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

int escape_is_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||   /* C0, DEL, C1 */
	       (cp >= 0xfdd0 && cp <= 0xfdef) ||            /* noncharacters */
	       (cp & 0xfffe) == 0xfffe;                     /* U+xxFFFE, U+xxFFFF */
}

/* The next character of *s: its length in bytes (at least 1), with
 * *unsafe set when it is not UTF-8 or escape_is_unsafe(). */
static size_t next_char(const char *s, int *unsafe)
{
	uint32_t cp;
	size_t len = escape_utf8_char(s, &cp);

	*unsafe = len == 0 || escape_is_unsafe(cp);
	return len ? len : 1;
}

int escape_is_clean(const char *s)
{
	while (*s) {
		int bad;
		s += next_char(s, &bad);
		if (bad)
			return 0;
	}
	return 1;
}

void escape_html(FILE *out, const char *s)
{
	while (*s) {
		int bad;
		size_t len = next_char(s, &bad);
		switch (bad ? 0 : *s) {
		case 0: fputs("&#xFFFD;", out); break;
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fwrite(s, 1, len, out);
		}
		s += len;
	}
}

static void gnuplot_string(FILE *out, const char *s, int tic)
{
	fputc('\'', out);
	while (*s) {
		int bad;
		size_t len = next_char(s, &bad);
		if (bad)
			fputc('?', out);
		else if (*s == '\'')
			fputs("''", out);
		else if (*s == '%' && tic)
			fputs("%%", out);
		else
			fwrite(s, 1, len, out);
		s += len;
	}
	fputc('\'', out);
}

void escape_gnuplot(FILE *out, const char *s)
{
	gnuplot_string(out, s, 0);
}

void escape_gnuplot_tic(FILE *out, const char *s)
{
	gnuplot_string(out, s, 1);
}

void escape_dot(FILE *out, const char *s)
{
	while (*s) {
		int bad;
		size_t len = next_char(s, &bad);
		if (bad)
			fputc('?', out);
		else if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '&')
			fputs("&amp;", out);
		else
			fwrite(s, 1, len, out);
		s += len;
	}
}

void escape_markdown(FILE *out, const char *s)
{
	while (*s) {
		int bad;
		size_t len = next_char(s, &bad);
		if (bad)
			fputs("\xef\xbf\xbd", out);  /* U+FFFD */
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (len == 1 && strchr("|\\`*_[]", *s))
			fprintf(out, "\\%c", *s);
		else
			fwrite(s, 1, len, out);
		s += len;
	}
}

/* Calls emit(bytes, len, arg) for each piece of s as a terminal shows it;
 * returns the columns that takes (one per character). */
static size_t term_pieces(const char *s, void (*emit)(const char *, size_t, void *), void *arg)
{
	size_t cols = 0;

	while (*s) {
		int bad;
		size_t len = next_char(s, &bad);
		if (bad) {
			for (size_t i = 0; i < len; i++) {
				char hex[5];
				snprintf(hex, sizeof hex, "\\x%02x", (unsigned char)s[i]);
				if (emit)
					emit(hex, 4, arg);
				cols += 4;
			}
		} else {
			if (emit)
				emit(s, len, arg);
			cols++;
		}
		s += len;
	}
	return cols;
}

static void emit_file(const char *p, size_t len, void *arg)
{
	fwrite(p, 1, len, (FILE *)arg);
}

void escape_term(FILE *out, const char *s, int width)
{
	size_t cols = term_pieces(s, emit_file, out);

	for (; (int)cols < width; cols++)
		fputc(' ', out);
}

size_t escape_term_width(const char *s)
{
	return term_pieces(s, NULL, NULL);
}

/* FNV-1a, 32 bits: short, stable across runs and machines. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

char *escape_file_stem(char *buf, size_t len, const char *name)
{
	size_t n = 0;
	char hash[10];

	for (const char *p = name; *p && n < 40 && n + 10 < len; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		         (c >= '0' && c <= '9') || c == '-' || c == '_';
		buf[n++] = ok ? c : '_';
	}
	snprintf(hash, sizeof hash, "-%08x", fnv1a(name));
	buf[n] = '\0';
	if (n + strlen(hash) < len)
		strcat(buf, hash);
	return buf;
}
