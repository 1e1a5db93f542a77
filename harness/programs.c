/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading the configured list of benchmark programs. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"
#include "programs.h"

static char *trim(char *s)
{
	char *hash = strchr(s, '#'), *end;

	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int add(struct program_list *list, const char *dir, const char *entry)
{
	char **np = realloc(list->paths, (list->n + 1) * sizeof *np), *p;

	if (!np)
		return -1;
	list->paths = np;
	if (entry[0] == '/' || !strcmp(dir, "."))
		p = strdup(entry);
	else if (asprintf(&p, "%s/%s", dir, entry) < 0)
		p = NULL;
	if (!p)
		return -1;
	list->paths[list->n++] = p;
	return 0;
}

int programs_load(const char *path, struct program_list *list)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *copy = strdup(path), *dir = copy ? dirname(copy) : ".";
	size_t cap = 0;
	int rc = 0;

	memset(list, 0, sizeof *list);
	if (!f) {
		msg_error(path, "%s (name benchmark programs on the command line)",
		          strerror(errno));
		free(copy);
		return EXIT_USAGE;
	}
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		char *entry = trim(line);
		if (*entry && add(list, dir, entry) != 0) {
			msg_error(path, "out of memory");
			rc = EXIT_USAGE;
		}
	}
	/* A read error (a directory, an I/O error) is no empty list. */
	if (rc == 0 && ferror(f)) {
		msg_error(path, "%s", strerror(errno));
		rc = EXIT_USAGE;
	}
	fclose(f);
	free(line);
	free(copy);
	if (rc == 0 && list->n == 0) {
		msg_error(path, "lists no benchmark programs");
		rc = EXIT_USAGE;
	}
	return rc;
}

void programs_free(struct program_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof *list);
}
