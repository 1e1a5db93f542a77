/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The project's configured list of benchmark programs, used when benchrun is
 * given none: a file of paths, one per line, '#' starting a comment. */
#ifndef BENCHRUN_PROGRAMS_H
#define BENCHRUN_PROGRAMS_H

#include <stddef.h>

/* The list file looked for in the current directory (`make` writes one in
 * the build directory). */
#define PROGRAMS_LIST_FILE "benchrun.list"

struct program_list {
	char **paths;  /* owned */
	size_t n;
};

/* Read `path`.  Relative entries are taken relative to the file's own
 * directory.  Returns 0, or EXIT_USAGE after printing one line (no file,
 * an empty list). */
int programs_load(const char *path, struct program_list *list);
void programs_free(struct program_list *list);

#endif
