/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sanitizer defaults for a test worker that crashes on purpose: under
 * --enable-asan or --enable-ubsan the runtime would catch the SIGSEGV,
 * report it and exit 1, and benchrun would see an exit status instead of
 * the crash it is being tested on.  Without sanitizers nothing calls these. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "handle_segv=0";
}

const char *__ubsan_default_options(void)
{
	return "handle_segv=0";
}
