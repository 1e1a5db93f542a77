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
 * module+offset).  Each run of mappings of one path at rising offsets is
 * one load of that file, placed by its lowest mapping (see
 * symbols_load_bias()).  "[vdso]" is read from this process's own vDSO,
 * which is the worker's when both ran on the same kernel.  Debug
 * information is looked for where libdwfl looks (/usr/lib/debug, by build
 * ID and debuglink), and from debuginfod servers when DEBUGINFOD_URLS is
 * set. */
struct symbols *symbols_create(const struct symbols_map *maps, size_t nmaps,
                               char *err, size_t errlen);
/* Free s and every name it has handed out; s may be NULL. */
void symbols_free(struct symbols *s);

/* Where DWARF declares the function `name` (a name symbols_resolve gave):
 * 1 with its source file (a path, owned by s) and line, or 0 when no DWARF
 * of a resolved address named it (no debug information). */
int symbols_source(const struct symbols *s, const char *name, const char **file, int *line);

/* The libdwfl session holding s's modules, for the unwinder (unwind.c);
 * owned by s. */
struct Dwfl;
struct Dwfl *symbols_dwfl(struct symbols *s);

/* The names of the code at `ip`, innermost first: the functions inlined at
 * that address (where DWARF says so), then the function containing it.
 * `is_return`: ip is a return address from a call chain, so the call
 * instruction before it is what is looked up.  With no symbol: one name,
 * "module+0xOFFSET" (module = the file's base name, OFFSET from the start
 * of the file: ip - start + offset of the mapping, for the ip given even
 * when it is a return address), or "[unknown]" outside every mapping.  At
 * most `max` names go to out, the innermost ones (at least one is always
 * written when max > 0); the strings belong to `s` and live until
 * symbols_free(), and equal names are the same pointer.  Each distinct
 * (ip, is_return) is resolved once and cached.  Returns the number of
 * names written. */
size_t symbols_resolve(struct symbols *s, uint64_t ip, int is_return,
                       const char **out, size_t max);

/* One PT_LOAD segment of an ELF file (p_vaddr, p_offset, p_filesz). */
struct symbols_segment {
	uint64_t vaddr, offset, filesz;
};

/* The load bias (run-time address minus p_vaddr) of a file whose mapping
 * at `start` begins at file offset `offset` (a multiple of page_size, in
 * bytes), given the file's PT_LOAD segments in file order.  Returns 0 with
 * *bias set, or -1 when no segment holds that offset. */
int symbols_load_bias(const struct symbols_segment *segs, size_t nsegs,
                      uint64_t start, uint64_t offset, uint64_t page_size,
                      uint64_t *bias);

#endif
