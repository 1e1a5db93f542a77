/* SPDX-License-Identifier: MIT */
/* Error strings and the library version. */
#include <string.h>
#include "benchrun.h"

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
