/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The baselines a store holds: listed when a named one is missing, so a
 * typo or a first CI run says what to do instead of "No such file". */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "baseline.h"
#include "baseline_list.h"
#include "msg.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The baseline names in dir, sorted; *count of them (owned, NULL-free). */
static char **names_in(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, **grown;
	size_t n = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char *name;
		if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (!(name = strndup(e->d_name, len - 5)))
			break;
		if (!baseline_name_valid(name) || !(grown = realloc(names, (n + 1) * sizeof *names))) {
			free(name);
			continue;
		}
		names = grown;
		names[n++] = name;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	*count = n;
	return names;
}

size_t baseline_list_existing(const char *dir, char *out, size_t n)
{
	size_t count, used = 0;
	char **names = names_in(dir, &count);
	static const char more[] = ", ...";

	if (n)
		out[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		size_t need = strlen(names[i]) + (i ? 2 : 0);
		/* Keep room for ", ..." unless this is the last name. */
		if (used + need + (i + 1 < count ? sizeof more - 1 : 0) + 1 > n) {
			if (used + sizeof more <= n)
				strcpy(out + used, i ? more : more + 2);
			break;
		}
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", names[i]);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return count;
}

void baseline_list_missing(const char *dir, const char *name)
{
	char have[512];
	char what[160];

	snprintf(what, sizeof what, "baseline '%s'", name);
	if (baseline_list_existing(dir, have, sizeof have) > 0)
		msg_error(what, "not found in %s (it has: %s)", dir, have);
	else
		msg_error(what, "not found: %s has no baselines yet (save one with "
		          "benchrun --save-baseline %s)", dir, name);
}
