/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Escaping for the report writers: every benchmark name or other string
 * that reaches HTML, SVG, a gnuplot script, Markdown or a file name goes
 * through one of these. */
#include <stdint.h>
#include <string.h>
#include "escape.h"

void escape_html(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("&#xFFFD;", out);
			else
				fputc(c, out);
		}
	}
}

void escape_gnuplot(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\'')
			fputs("''", out);
		else
			fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
	fputc('\'', out);
}

void escape_markdown(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (strchr("|\\`*_[]", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c < 0x20 || c == 0x7f ? ' ' : c, out);
	}
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
