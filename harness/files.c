/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole-file helpers: content hash and atomic copy. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include "files.h"
#include "hash.h"
#include "msg.h"

int files_hash(const char *path, char out[32])
{
	unsigned char buf[65536];
	uint64_t h = HASH_FNV_OFFSET;
	FILE *f = fopen(path, "rbe");
	size_t n;
	int err;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		h = hash_fnv1a(h, buf, n);
	err = ferror(f) ? errno : 0;
	fclose(f);
	snprintf(out, 32, "fnv1a64:%016llx", (unsigned long long)h);
	errno = err;
	return err ? -1 : 0;
}

int files_copy(const char *src, const char *dst)
{
	char *tmp = NULL, buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1, err = 0;
	ssize_t n = -1;

	if (in < 0 || asprintf(&tmp, "%s.XXXXXX", dst) < 0 || (out = mkstemp(tmp)) < 0) {
		err = errno;
		goto done;
	}
	errno = 0;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			/* A short write without an error is a full disk. */
			err = errno ? errno : ENOSPC;
			n = -1;
			break;
		}
	if (n < 0 && !err)
		err = errno;
	if (n == 0 && (fchmod(out, 0755) != 0 || fsync(out) != 0 || close(out) != 0))
		err = errno;
	else if (n == 0 && (out = -1, rename(tmp, dst) != 0))
		err = errno;
	else if (n == 0)
		rc = 0;
	if (rc == 0)
		out = -1;
done:
	if (out >= 0)
		close(out);
	if (rc != 0 && tmp)
		unlink(tmp);
	if (in >= 0)
		close(in);
	free(tmp);
	errno = err;
	return rc;
}

char *files_write(const char *dir, const char *stem, const char *suffix,
                  int (*put)(FILE *f, const void *ctx), const void *ctx)
{
	char *path;
	FILE *f;
	int bad;

	if (asprintf(&path, "%s/%s%s", dir, stem, suffix) < 0)
		return NULL;
	if (!(f = fopen(path, "w"))) {
		msg_error(path, "cannot write: %s", strerror(errno));
		free(path);
		return NULL;
	}
	bad = put(f, ctx) != 0;
	if (fclose(f) != 0 || bad) {
		msg_error(path, "write failed: %s", strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}
