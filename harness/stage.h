/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stage of a paired run: the old and the new build copied side by side
 * into one temporary folder, each program beside its own non-system shared
 * objects, so that both run from paths of the same length, with the same
 * environment (but for which copies LD_PRELOAD names) and the same working
 * directory: nothing but the code differs. */
#ifndef BENCHRUN_STAGE_H
#define BENCHRUN_STAGE_H

#include "suite.h"

struct stage {
	char *dir;        /* the temporary folder, owned; NULL before creation */
};

/* One build's program to stage: the file to copy, and its libraries (the
 * files to copy, with their sonames). */
struct stage_input {
	const char *file;        /* the program file to run (a kept copy, or the build's) */
	const char *name;        /* the name it gets in the stage */
	const char *const *lib_files;  /* library files to copy */
	const char *const *sonames;    /* their sonames, same order */
	size_t nlibs;
};

/* Create the stage folder under $TMPDIR (or /tmp).  0, or -1 after a
 * message. */
int stage_create(struct stage *st);

/* Stage `in` as side `side` ('o' old, 'n' new) of program number `index`,
 * and set p->exec_path and p->envp to run it from there with exactly its
 * staged libraries (LD_PRELOAD by soname: a preloaded object answers its
 * soname for every later lookup, whatever rpath the program carries).
 * Then ask the loader whether the staged program resolves every non-system
 * object inside its side of the stage.  Returns 0, or -1 with a reason
 * (owned by the caller) in *why. */
int stage_program(struct stage *st, char side, size_t index, const struct stage_input *in,
                  struct program *p, char **why);

/* Remove the stage folder and everything in it. */
void stage_remove(struct stage *st);

#endif
