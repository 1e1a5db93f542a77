/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Escaping for the report writers: text onto a terminal, into HTML,
 * strings into gnuplot, Markdown and Graphviz, and benchmark names into
 * safe file names.  "Unsafe" characters everywhere below: bytes that are
 * not UTF-8, control characters (C0, DEL, C1) and Unicode noncharacters. */
#ifndef BENCHRUN_ESCAPE_H
#define BENCHRUN_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The length (1-4) of the UTF-8 character that starts s, its code point
 * in *cp; 0 when the bytes there are not UTF-8 (overlong, surrogate, past
 * U+10FFFF, truncated) or s is empty. */
size_t escape_utf8_char(const char *s, uint32_t *cp);

/* Nonzero for a control character (C0, DEL, C1) or a noncharacter
 * (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF). */
int escape_is_unsafe(uint32_t cp);

/* Nonzero when s is UTF-8 without an unsafe character, so it may be
 * printed anywhere as it is. */
int escape_is_clean(const char *s);

/* Write s to out for a terminal, then spaces up to `width` columns: each
 * byte of an unsafe character is written as \xHH, so nothing in s moves
 * the cursor, changes the terminal or breaks its UTF-8. */
void escape_term(FILE *out, const char *s, int width);

/* The columns escape_term() takes for s: one per character. */
size_t escape_term_width(const char *s);

/* Write s to out as HTML text or attribute value: & < > " ' become
 * entities, an unsafe character becomes U+FFFD (so XML parsers accept
 * the page). */
void escape_html(FILE *out, const char *s);

/* Write s to out as a gnuplot single-quoted string, quotes included: a '
 * is doubled (gnuplot's only escape there) and
 * unsafe characters become '?' (gnuplot would copy them into the SVG).
 * Nothing in it is interpreted by gnuplot, except where gnuplot treats the
 * string as a format: there use escape_gnuplot_tic(). */
void escape_gnuplot(FILE *out, const char *s);

/* escape_gnuplot() for a label of `set xtics ("label" pos, ...)`, which
 * gnuplot formats with the position: '%' is doubled.  An unescaped '%'
 * there is a gnuplot error that ends the script, losing every plot after. */
void escape_gnuplot_tic(FILE *out, const char *s);

/* Write s to out as Markdown table-cell text: | \ ` * _ [ ] are
 * backslash-escaped, & < > become HTML entities and an unsafe character
 * becomes U+FFFD, so nothing in a name becomes markup. */
void escape_markdown(FILE *out, const char *s);

/* Write s to out as the inside of a Graphviz DOT quoted string (the
 * quotes not included) that Graphviz shows as s: " and \ are
 * backslash-escaped (so no \n or \N escape of Graphviz's labels forms),
 * & becomes &amp; (Graphviz reads entities in labels) and an unsafe
 * character becomes '?'. */
void escape_dot(FILE *out, const char *s);

/* A file-name stem for `name`: letters, digits, '-' and '_' only (others
 * become '_'), at most 40 of them, then '-' and eight hex digits of a
 * hash of the whole name, so distinct names get distinct stems.  Never
 * contains '/' or "..".  Returns buf (len >= 50 holds any stem). */
char *escape_file_stem(char *buf, size_t len, const char *name);

#endif
