/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the baseline loader: any file under baselines/ must
 * load into a suite or be refused with one message, leaking nothing.  The
 * loader takes a path, so each input is written to one memfd and loaded
 * through /proc/self/fd (no file system, no file left behind). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "document.h"
#include "suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int input_fd = -1;
static char input_path[64];

/* Replace the memfd's bytes with the input's. */
static void input_set(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (input_fd < 0) {
		input_fd = memfd_create("fuzz-baseline", MFD_CLOEXEC);
		if (input_fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
	}
	if (ftruncate(input_fd, 0) != 0)
		abort();
	while (off < size) {
		ssize_t n = pwrite(input_fd, data + off, size - off, (off_t)off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suite s;
	json_t *doc = NULL;

	input_set(data, size);
	if (document_load(input_path, &s, &doc) != 0) {
		if (doc)
			abort();  /* refused: no document handed back */
		return 0;
	}
	for (size_t i = 0; i < s.nbenches; i++)
		if (!s.benches[i].name || !s.benches[i].program)
			abort();
	json_decref(doc);
	suite_free(&s);
	return 0;
}
