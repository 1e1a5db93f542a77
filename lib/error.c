/* SPDX-License-Identifier: MIT */
/* Error strings, the library version, and the message hook. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

const char *br_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
#define BR__ERR_CASE(name, value, text) case BR_##name: return text;
	BR_ERRNO_MAP(BR__ERR_CASE)
#undef BR__ERR_CASE
	default:
		break;
	}
	/* Negated errno values from system calls. */
	if (err < 0 && err > -1000)
		return strerror(-err);
	return "unknown error";
}

const char *br_version(void)
{
	return BR_VERSION_STRING;
}

/* ---- Messages ----------------------------------------------------------- */

const char *br__program;

static void default_hook(int level, const char *line, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "%s: %s%s\n", br__program ? br__program : "benchrun",
	        level == BR_MSG_WARNING ? "warning: " : "", line);
}

static br_message_fn hook = default_hook;
static void *hook_ctx;

void br_set_message_hook(br_message_fn fn, void *ctx)
{
	hook = fn ? fn : default_hook;
	hook_ctx = fn ? ctx : NULL;
}

void br__msg(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	hook(level, line, hook_ctx);
}
