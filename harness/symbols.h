/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Turning sampled instruction addresses of an exited worker into function
 * names with elfutils libdwfl, from the memory map the worker saved. */
#ifndef BENCHRUN_SYMBOLS_H
#define BENCHRUN_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

/* One file-backed mapping of the worker, as /proc/<pid>/maps lists it. */
struct symbols_map {
	uint64_t start, end;  /* addresses, end exclusive */
	uint64_t offset;      /* file offset of start */
	const char *path;     /* the mapped file; "[vdso]" and the like allowed */
};

struct symbols;

/* A resolver for one process's map (the maps are copied).  Returns NULL
 * with a one-line reason in err when libdwfl cannot be set up; files that
 * cannot be read are not an error (their addresses come out as
 * module+offset). */
struct symbols *symbols_create(const struct symbols_map *maps, size_t nmaps,
                               char *err, size_t errlen);
void symbols_free(struct symbols *s);

/* The names of the code at `ip`, innermost first: the functions inlined at
 * that address (where DWARF says so), then the function containing it.
 * `is_return`: ip is a return address from a call chain, so the call
 * instruction before it is what is looked up.  With no symbol: one name,
 * "module+0xOFFSET" (module = the file's base name, OFFSET from the start
 * of the file), or "[unknown]" outside every mapping.  At most `max` names
 * go to out (at least one is always written when max > 0); the strings
 * belong to `s` and live until symbols_free().  Returns the count. */
size_t symbols_resolve(struct symbols *s, uint64_t ip, int is_return,
                       const char **out, size_t max);

#endif
