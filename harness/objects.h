/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shared objects a benchmark program loads from outside the system
 * library folders (the user's own libraries, in a build folder or
 * /usr/local), as the program's dynamic loader resolves them: what a
 * baseline must keep beside the program to run the old build again. */
#ifndef BENCHRUN_OBJECTS_H
#define BENCHRUN_OBJECTS_H

#include <stddef.h>

/* One loaded object outside the system folders. */
struct object {
	char *path;     /* as the loader resolved it, owned */
	char *soname;   /* its DT_SONAME, owned; NULL when it has none */
};

struct object_list {
	struct object *v;
	size_t n;
};

/* Whether `path` lies in a system library folder (/lib, /usr/lib and their
 * 32/64/x32 variants): those belong to the machine, not to the build. */
int objects_is_system(const char *path);

/* List the non-system objects `prog` loads when run with environment
 * `envp` (NULL: benchrun's own without LD_PRELOAD: what the user preloads
 * is not the program's), by asking its dynamic loader (its
 * PT_INTERP, run with --list: the program itself does not run).  A static
 * program has none.  Returns 0, or -1 with a reason (owned by the caller)
 * in *why: not an ELF program, a library not found, the loader failing. */
int objects_list(const char *prog, char *const envp[], struct object_list *out,
                 char **why);

/* The DT_SONAME of the shared object at `path` into a new string, or NULL
 * (none, or not readable). */
char *objects_soname(const char *path);

void objects_free(struct object_list *l);

#endif
