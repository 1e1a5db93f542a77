/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A main() for a fuzz target without libFuzzer, so that any build replays
 * the committed inputs: the target runs once on each file named, or with no
 * arguments on every file of its corpus, $srcdir/fuzz/corpus/FUZZ_CORPUS
 * (how make check runs it).  A broken check aborts, as under libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *b = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!b)
				abort();
			buf = b;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		perror(path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int replay_dir(const char *dir)
{
	struct dirent *e;
	char path[4096];
	int n = 0;
	DIR *d = opendir(dir);

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path ||
		    replay_file(path) != 0) {
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	printf("%s: %d inputs\n", dir, n);
	return n ? 0 : -1;  /* an empty corpus means a wrong path */
}

int main(int argc, char **argv)
{
	char dir[4096];
	const char *srcdir = getenv("srcdir");

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_file(argv[i]) != 0)
				return 1;
		return 0;
	}
	snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", srcdir ? srcdir : ".", FUZZ_CORPUS);
	return replay_dir(dir) == 0 ? 0 : 1;
}
