/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The machine and build context recorded with results and baselines, and
 * the check that warns when a comparison crosses machines or builds. */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "context.h"

/* The first line of `path`, without its newline, or NULL. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static json_t *cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char *line = NULL, *colon;
	size_t cap = 0;
	json_t *model = json_null();

	while (f && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "model name", 10) != 0 || !(colon = strchr(line, ':')))
			continue;
		colon[strcspn(colon, "\n")] = '\0';
		json_decref(model);
		model = json_string(colon + 1 + (colon[1] == ' '));
		break;
	}
	free(line);
	if (f)
		fclose(f);
	return model;
}

static json_t *string_or_null(char *s)
{
	json_t *j = s ? json_string(s) : json_null();

	free(s);
	return j ? j : json_null();
}

/* Whether the kernel counts hardware cycles for this process: a virtual
 * machine without a PMU does not (ENOENT), and its timings and counters
 * are another machine's. */
static int have_pmu(void)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_HARDWARE;
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return 0;
	close((int)fd);
	return 1;
}

static json_t *machine(void)
{
	struct utsname u;
	char kernel[sizeof u.release + sizeof u.version + 2] = "";
	double load[3] = {0};
	int have_uname = uname(&u) == 0;

	if (have_uname)
		snprintf(kernel, sizeof kernel, "%s %s", u.release, u.version);
	if (getloadavg(load, 3) != 3)
		load[0] = load[1] = load[2] = -1;
	/* No cpufreq directory (as in our VMs) means no governor to report. */
	return json_pack("{s:o, s:i, s:s, s:s, s:o, s:b, s:[f, f, f]}",
	                 "cpu_model", cpu_model(), "cores", (int)sysconf(_SC_NPROCESSORS_ONLN),
	                 "kernel", kernel, "arch", have_uname ? u.machine : "",
	                 "governor", string_or_null(first_line(
	                         "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")),
	                 "pmu", have_pmu(), "load", load[0], load[1], load[2]);
}

/* Output of a git command in the current directory, or NULL when this is
 * not a git checkout (or git is missing). */
static char *git(const char *args)
{
	char cmd[128], *out = NULL;
	size_t cap = 0;
	FILE *p;

	snprintf(cmd, sizeof cmd, "git %s 2>/dev/null", args);
	if (!(p = popen(cmd, "r")))
		return NULL;
	if (getline(&out, &cap, p) <= 0) {
		free(out);
		out = NULL;
	} else {
		out[strcspn(out, "\n")] = '\0';
	}
	if (pclose(p) != 0) {
		free(out);
		out = NULL;
	}
	return out;
}

static json_t *build(const struct suite *s)
{
	const struct protocol_header *h = s->nprograms ? &s->programs[0].hdr : NULL;
	char *commit = git("rev-parse HEAD"), *dirty = commit ? git("status --porcelain -uno") : NULL;
	char *branch = commit ? git("rev-parse --abbrev-ref HEAD") : NULL;
	json_t *b = json_pack("{s:s?, s:s?, s:o, s:o, s:b}", "compiler", h ? h->compiler : NULL,
	                      "cflags", h ? h->cflags : NULL, "commit", string_or_null(commit),
	                      "branch", string_or_null(branch), "dirty", dirty && *dirty);

	free(dirty);
	return b;
}

json_t *context_machine(void)
{
	return machine();
}

json_t *context_collect(const struct suite *s)
{
	return json_pack("{s:o, s:o}", "machine", machine(), "build", build(s));
}

static int differs(json_t *a, json_t *b, const char *obj, const char *key,
                   const char *label, char *buf, size_t len)
{
	json_t *x = json_object_get(json_object_get(a, obj), key);
	json_t *y = json_object_get(json_object_get(b, obj), key);
	size_t used = len ? strlen(buf) : 0;

	if (!x || !y || json_is_null(x) || json_is_null(y) || json_equal(x, y))
		return 0;
	if (len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", label);
	return 1;
}

int context_differences(json_t *base, json_t *cur, char *buf, size_t len)
{
	int n = 0;

	if (len)
		buf[0] = '\0';
	n += differs(base, cur, "machine", "cpu_model", "CPU model", buf, len);
	n += differs(base, cur, "machine", "cores", "core count", buf, len);
	n += differs(base, cur, "machine", "kernel", "kernel", buf, len);
	n += differs(base, cur, "machine", "governor", "frequency governor", buf, len);
	n += differs(base, cur, "build", "compiler", "compiler", buf, len);
	n += differs(base, cur, "build", "cflags", "compiler flags", buf, len);
	return n;
}
