/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which CPU each worker runs on (see placement.h). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "placement.h"

/* Our reaped workers' CPU time, in /proc/stat's ticks. */
static unsigned long long children_ticks(void)
{
	struct rusage ru;
	double hz = (double)sysconf(_SC_CLK_TCK), s;

	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return 0;
	s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	return (unsigned long long)(s * (hz > 0 ? hz : 100));
}

int placement_init(struct placement *pl)
{
	cpu_set_t set;
	int count;

	memset(pl, 0, sizeof *pl);
	if (sched_getaffinity(0, sizeof set, &set) != 0 || (count = CPU_COUNT(&set)) < 2)
		return -1;
	pl->cpu = calloc((size_t)count, sizeof *pl->cpu);
	pl->load = calloc((size_t)count, sizeof *pl->load);
	pl->busy = calloc((size_t)count, sizeof *pl->busy);
	pl->total = calloc((size_t)count, sizeof *pl->total);
	pl->mine = calloc((size_t)count, sizeof *pl->mine);
	if (!pl->cpu || !pl->load || !pl->busy || !pl->total || !pl->mine) {
		placement_free(pl);
		return -1;
	}
	for (int c = 0; c < CPU_SETSIZE && pl->n < (size_t)count; c++)
		if (CPU_ISSET(c, &set))
			pl->cpu[pl->n++] = c;
	pl->last = -1;
	return 0;
}

void placement_free(struct placement *pl)
{
	free(pl->cpu);
	free(pl->load);
	free(pl->busy);
	free(pl->total);
	free(pl->mine);
	memset(pl, 0, sizeof *pl);
}

size_t placement_pick(size_t n, const double *load, unsigned rotate)
{
	double least = load[0];
	size_t candidates = 0, k;

	for (size_t i = 1; i < n; i++)
		if (load[i] < least)
			least = load[i];
	for (size_t i = 0; i < n; i++)
		candidates += load[i] <= least + PLACEMENT_SLACK;
	k = rotate % candidates;
	for (size_t i = 0; i < n; i++)
		if (load[i] <= least + PLACEMENT_SLACK && k-- == 0)
			return i;
	return 0;
}

int placement_parse_stat(const char *text, size_t n, const int *cpu,
                         unsigned long long *busy, unsigned long long *total)
{
	for (size_t i = 0; i < n; i++) {
		char key[32];
		const char *line;
		unsigned long long v[8] = {0};
		int len = snprintf(key, sizeof key, "\ncpu%d ", cpu[i]);

		if (!(line = strstr(text, key)) ||
		    sscanf(line + len, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		           &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 4)
			return -1;
		/* user nice system idle iowait irq softirq steal: a CPU the
		 * host steals from is as busy for us as one another program
		 * runs on */
		busy[i] = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
		total[i] = busy[i] + v[3] + v[4];
	}
	return 0;
}

/* /proc/stat's text, NUL-terminated, or NULL. */
static char *read_stat(void)
{
	FILE *f = fopen("/proc/stat", "r");
	size_t len = 0, cap = 0;
	char *buf = NULL;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4097 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, 4096, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Take a new reading; loads from it when enough time has passed. */
static void update(struct placement *pl)
{
	unsigned long long ours = children_ticks(), *busy, *total;
	size_t n = pl->n;
	char *text = read_stat();

	if (pl->last >= 0 && ours >= pl->ours)
		pl->mine[pl->last] += ours - pl->ours;
	pl->ours = ours;
	busy = calloc(n, sizeof *busy);
	total = calloc(n, sizeof *total);
	if (!text || !busy || !total || placement_parse_stat(text, n, pl->cpu, busy, total) != 0)
		goto out;
	if (pl->have) {
		unsigned long long least = ~0ULL;
		for (size_t i = 0; i < n; i++)
			if (total[i] - pl->total[i] < least)
				least = total[i] - pl->total[i];
		if (least < PLACEMENT_MIN_TICKS)
			goto out;  /* too short to tell: the last loads stand */
		for (size_t i = 0; i < n; i++) {
			double others = (double)(busy[i] - pl->busy[i]) - (double)pl->mine[i];
			double l = others / (double)(total[i] - pl->total[i]);
			pl->load[i] = l < 0 ? 0 : l > 1 ? 1 : l;
		}
	}
	memcpy(pl->busy, busy, n * sizeof *busy);
	memcpy(pl->total, total, n * sizeof *total);
	memset(pl->mine, 0, n * sizeof *pl->mine);
	pl->have = 1;
out:
	free(text);
	free(busy);
	free(total);
}

int placement_next(struct placement *pl, unsigned rotate)
{
	size_t i;

	if (!pl || pl->n < 2)
		return -1;
	update(pl);
	i = placement_pick(pl->n, pl->load, rotate);
	pl->last = (int)i;
	return pl->cpu[i];
}
