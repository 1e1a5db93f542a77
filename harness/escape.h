/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Escaping for the report writers: text into HTML, strings into gnuplot
 * and Markdown, and benchmark names into safe file names. */
#ifndef BENCHRUN_ESCAPE_H
#define BENCHRUN_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Write s to out as HTML text or attribute value: & < > " ' become
 * entities, control characters become U+FFFD. */
void escape_html(FILE *out, const char *s);

/* Write s to out as a gnuplot single-quoted string, quotes included: a '
 * is doubled (gnuplot's only escape there), control characters become
 * '?'.  Nothing in it is interpreted by gnuplot. */
void escape_gnuplot(FILE *out, const char *s);

/* Write s to out as Markdown table-cell text: | \ ` * _ [ ] are
 * backslash-escaped and & < > become HTML entities, so nothing in a name
 * becomes markup. */
void escape_markdown(FILE *out, const char *s);

/* A file-name stem for `name`: letters, digits, '-' and '_' only (others
 * become '_'), at most 40 of them, then '-' and eight hex digits of a
 * hash of the whole name, so distinct names get distinct stems.  Never
 * contains '/' or "..".  Returns buf (len >= 50 holds any stem). */
char *escape_file_stem(char *buf, size_t len, const char *name);

#endif
