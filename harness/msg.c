/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-line messages on stderr, which first clear a live progress line so the
 * two never share a line. */
#include <stdarg.h>
#include <stdio.h>
#include "escape.h"
#include "msg.h"

static int progress_active;

void msg_set_progress_active(int active)
{
	progress_active = active;
}

static void vsay(const char *prefix, const char *what, const char *fmt, va_list ap)
{
	if (progress_active)
		fputs("\r\033[K", stderr);
	fputs(prefix, stderr);
	if (what) {
		escape_term(stderr, what, 0);  /* often a benchmark's name */
		fputs(": ", stderr);
	}
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void msg_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("benchrun: ", what, fmt, ap);
	va_end(ap);
}

void msg_warn(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("benchrun: warning: ", what, fmt, ap);
	va_end(ap);
}
