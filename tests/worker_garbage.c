/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A fake worker for the CLI tests, built without libbenchrun: it lists one
 * benchmark in valid protocol, but answers --run with lines that are not
 * JSON and exits 0, as a broken or foreign program might. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char header[] =
	"{\"type\":\"header\",\"protocol\":1,\"library\":\"0.1.0\","
	"\"program\":\"worker_garbage\",\"compiler\":\"none\",\"cflags\":\"none\","
	"\"build_id\":\"\",\"pid\":1,\"timer\":{\"clock\":\"CLOCK_MONOTONIC\","
	"\"read_ns\":20,\"resolution_ns\":20,\"getres_ns\":1}}\n";

static const char listed[] =
	"{\"type\":\"listed\",\"name\":\"junk/one\",\"group\":\"junk\","
	"\"function\":\"one\",\"param\":null}\n";

static const char footer[] = "{\"type\":\"footer\",\"benchmarks\":1,\"failed\":0}\n";

int main(int argc, char **argv)
{
	int list = 0, run = 0, fd = 1;
	FILE *out;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list"))
			list = 1;
		else if (!strcmp(argv[i], "--run"))
			run = 1;
		else if (!strcmp(argv[i], "--output-fd") && i + 1 < argc)
			fd = atoi(argv[++i]);
	}
	if (!(out = fd == 1 ? stdout : fdopen(fd, "w")))
		return 2;
	if (list) {
		fputs(header, out);
		fputs(listed, out);
		fputs(footer, out);
	} else if (run) {
		fputs("this is not JSON\n", out);
		fputs("{neither is this\n", out);
	} else {
		return 2;
	}
	return fclose(out) == 0 ? 0 : 3;
}
