/* SPDX-License-Identifier: MIT */
/* The libpfm4 + perf_event counters backend: libpfm4 turns event names into
 * perf_event attributes; the events are opened on this thread as groups
 * (one read returns a whole group, with its enabled and running times) and
 * left running; a reading is one read() per group.
 *
 * Only software events have been tested live: the machines this was written
 * on expose no hardware PMU.  The hardware path (grouping by PMU, splitting
 * groups that do not fit the counters, scaling multiplexed groups) is
 * correct by construction and by the tests of its arithmetic only. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <perfmon/pfmlib_perf_event.h>
#include "counting.h"
#include "internal.h"

/* One perf_event group: a leader and the events read with it. */
struct group {
	int leader;                        /* index into ev of the leader */
	unsigned n;                        /* members, leader included */
	int member[BR__PROTO_COUNTERS_MAX];      /* indexes into ev */
	uint32_t pmu_type;                 /* attr.type class the group holds */
	int software;
};

struct pfm_state {
	int fd[BR__PROTO_COUNTERS_MAX];          /* per event; -1 when not open */
	uint64_t id[BR__PROTO_COUNTERS_MAX];     /* the kernel's id of each event */
	struct perf_event_attr attr[BR__PROTO_COUNTERS_MAX];
	struct group group[BR__PROTO_COUNTERS_MAX];
	unsigned ngroups;
	unsigned hw_capacity;              /* events per hardware group */
};

static int pfm_ready(const char **why)
{
	static int rc = 1;

	if (rc == 1)
		rc = pfm_initialize();
	*why = rc == PFM_SUCCESS ? NULL : pfm_strerror(rc);
	return rc == PFM_SUCCESS;
}

/* Events per hardware group: the generic counters of the core PMU libpfm4
 * detects, less one when the NMI watchdog holds a counter, so that every
 * group can be scheduled at once.  Fixed counters are not counted on:
 * they hold only their own event.  Four when no core PMU is known. */
static unsigned hw_capacity(void)
{
	int pmu, cntrs = 0;

	pfm_for_all_pmus(pmu) {
		pfm_pmu_info_t info;
		memset(&info, 0, sizeof info);
		info.size = sizeof info;
		if (pfm_get_pmu_info(pmu, &info) == PFM_SUCCESS && info.is_present &&
		    info.type == PFM_PMU_TYPE_CORE && info.num_cntrs > cntrs)
			cntrs = info.num_cntrs;
	}
	if (cntrs == 0)
		cntrs = 4;
	if (br__read_long_file("/proc/sys/kernel/nmi_watchdog", 0) > 0 && cntrs > 1)
		cntrs--;
	return (unsigned)cntrs;
}

/* The role of an encoded event, for derived figures and the loop cost. */
static int role_of(const struct perf_event_attr *a)
{
	if (a->type != PERF_TYPE_HARDWARE)
		return BR__ROLE_NONE;
	switch (a->config) {
	case PERF_COUNT_HW_CPU_CYCLES: return BR__ROLE_CYCLES;
	case PERF_COUNT_HW_INSTRUCTIONS: return BR__ROLE_INSTRUCTIONS;
	case PERF_COUNT_HW_BRANCH_MISSES: return BR__ROLE_BRANCH_MISSES;
	case PERF_COUNT_HW_CACHE_MISSES: return BR__ROLE_CACHE_MISSES;
	}
	return BR__ROLE_NONE;
}

/* Why perf_event_open refused event c, with the fix, into c->reason. */
static void refusal(struct br__counter *c, int err)
{
	int paranoid = (int)br__read_long_file("/proc/sys/kernel/perf_event_paranoid", -100);
	const char *name = strerrorname_np(err);

	name = name ? name : "error";
	switch (err) {
	case EACCES:
	case EPERM:
		/* Unprivileged: level 2 allows user-space counting only, 1
		 * kernel-mode counting too.  Refused below that, the block is
		 * elsewhere: a container's seccomp profile or a security module. */
		if (paranoid > (c->kernel ? 1 : 2))
			snprintf(c->reason, sizeof c->reason,
			         "perf_event_paranoid is %d, which refuses %s to unprivileged "
			         "users (%s): run 'sysctl kernel.perf_event_paranoid=%d' or "
			         "grant CAP_PERFMON", paranoid,
			         c->kernel ? "kernel-mode counting" : "it", name,
			         c->kernel ? 1 : 2);
		else
			snprintf(c->reason, sizeof c->reason,
			         "perf_event_open is refused (%s) although perf_event_paranoid "
			         "is %d: allow it in the container's seccomp profile or the "
			         "security module, or grant CAP_PERFMON", name, paranoid);
		break;
	case ENOENT:
	case EOPNOTSUPP:
		if (c->hardware)
			snprintf(c->reason, sizeof c->reason,
			         "the kernel exposes no hardware PMU for it (%s; usual in a "
			         "virtual machine): enable the guest's virtual PMU or run on "
			         "bare metal", name);
		else
			snprintf(c->reason, sizeof c->reason,
			         "this kernel does not support the event (%s)", name);
		break;
	case ENODEV:
		snprintf(c->reason, sizeof c->reason,
		         "this CPU's PMU lacks the event (%s): benchrun --list-counters "
		         "shows what it has", name);
		break;
	case ENOSYS:
		snprintf(c->reason, sizeof c->reason,
		         "this kernel has no perf_event support (%s): enable "
		         "CONFIG_PERF_EVENTS", name);
		break;
	case EMFILE:
	case ENFILE:
		snprintf(c->reason, sizeof c->reason,
		         "too many open files (%s): raise 'ulimit -n'", name);
		break;
	case EBUSY:
		snprintf(c->reason, sizeof c->reason,
		         "the PMU is held by another user (%s): stop the other profiler",
		         name);
		break;
	default:
		snprintf(c->reason, sizeof c->reason,
		         "the kernel refuses the encoding %s (%s: %s)", c->encoding, name,
		         strerror(err));
	}
}

/* A name libpfm4 rejects: not found, bad modifier or unit mask. */
static int is_name_error(int rc)
{
	return rc == PFM_ERR_NOTFOUND || rc == PFM_ERR_ATTR || rc == PFM_ERR_ATTR_VAL ||
	       rc == PFM_ERR_ATTR_SET || rc == PFM_ERR_UMASK || rc == PFM_ERR_FEATCOMB ||
	       rc == PFM_ERR_INVAL || rc == PFM_ERR_TOOMANY;
}

/* Encode event i into st->attr[i]: user space only (PFM_PLM3), except the
 * software events that only happen in the kernel (a context switch or a
 * migration is never in user mode, so a user-only count is always zero):
 * those are counted in kernel mode too, which perf_event_paranoid 2 refuses
 * to unprivileged users.  Returns 0, or a libpfm4 error. */
static int encode(struct br__counter *c, struct perf_event_attr *a)
{
	pfm_perf_encode_arg_t arg;
	char *fstr = NULL;
	int rc;

	memset(a, 0, sizeof *a);
	memset(&arg, 0, sizeof arg);
	arg.attr = a;
	arg.fstr = &fstr;
	arg.size = sizeof arg;
	rc = pfm_get_os_event_encoding(c->name, PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (rc != PFM_SUCCESS) {
		free(fstr);
		return rc;
	}
	snprintf(c->encoding, sizeof c->encoding, "%s", fstr ? fstr : c->name);
	free(fstr);
	c->hardware = a->type != PERF_TYPE_SOFTWARE;
	c->role = role_of(a);
	if (a->type == PERF_TYPE_SOFTWARE && (a->config == PERF_COUNT_SW_CONTEXT_SWITCHES ||
	                                      a->config == PERF_COUNT_SW_CPU_MIGRATIONS)) {
		char *k = strstr(c->encoding, ":k=0");
		a->exclude_kernel = 0;
		c->kernel = 1;
		if (k)
			k[3] = '1';  /* the encoding as opened */
	}
	a->size = sizeof *a;
	a->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
	                 PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID;
	a->inherit = 1;  /* threads a benchmark starts count too (BR_THREADS) */
	return 0;
}

/* Resolve every name first, so an unknown one opens nothing. */
static int encode_all(struct br__counter_set *set, struct pfm_state *st)
{
	const char *why;
	int unknown = 0;

	for (unsigned i = 0; i < set->n; i++) {
		struct br__counter *c = &set->ev[i];
		int rc;
		if (!pfm_ready(&why)) {
			c->status = BR__CTR_UNAVAILABLE;
			snprintf(c->reason, sizeof c->reason,
			         "libpfm4 cannot initialise (%s): check the libpfm4 install", why);
			continue;
		}
		rc = encode(c, &st->attr[i]);
		if (rc == PFM_SUCCESS)
			continue;
		/* Only a name the user gave is a usage error; a default or a
		 * candidate libpfm4 does not know here is simply not counted. */
		if (is_name_error(rc) && c->requested) {
			c->status = BR__CTR_UNKNOWN;
			unknown = 1;
		} else {
			c->status = BR__CTR_UNAVAILABLE;
		}
		snprintf(c->reason, sizeof c->reason, "%s", pfm_strerror(rc));
	}
	return unknown ? BR_ECOUNTER : 0;
}

/* The group event i can join: same class of PMU, room left.  Software
 * events share one group; hardware events on the core PMU (generic,
 * cache and raw encodings) share groups of hw_capacity; any other PMU type
 * gets groups of its own. */
static struct group *group_for(struct pfm_state *st, unsigned i, int software,
                               unsigned skip)
{
	uint32_t type = st->attr[i].type;
	uint32_t cls = software || type <= PERF_TYPE_RAW ? 0 : type;

	for (unsigned g = skip; g < st->ngroups; g++) {
		struct group *gr = &st->group[g];
		if (gr->software == software && gr->pmu_type == cls &&
		    (software || gr->n < st->hw_capacity))
			return gr;
	}
	return NULL;
}

static struct group *new_group(struct pfm_state *st, unsigned i, int software)
{
	struct group *gr = &st->group[st->ngroups++];
	uint32_t type = st->attr[i].type;

	memset(gr, 0, sizeof *gr);
	gr->leader = -1;
	gr->software = software;
	gr->pmu_type = software || type <= PERF_TYPE_RAW ? 0 : type;
	return gr;
}

/* Open event i into a group.  It is first opened alone, so that a refusal
 * is the event's own (no PMU, paranoia, missing event) and not a full
 * group's; then it joins the first group of its kind that takes it, or
 * leads a new one: the kernel refuses a sibling that would make a group
 * impossible to schedule, which is how groups are split when the PMU has
 * too few counters. */
static void open_event(struct br__counter_set *set, struct pfm_state *st, unsigned i)
{
	struct br__counter *c = &set->ev[i];
	struct perf_event_attr *a = &st->attr[i];
	unsigned skip = 0;
	struct group *gr;
	long fd;

	a->disabled = 1;
	if ((fd = br__perf_open(a, -1)) < 0 && errno == EINVAL && a->inherit) {
		a->inherit = 0;  /* a kernel that refuses inherited group reads */
		fd = br__perf_open(a, -1);
	}
	if (fd < 0) {
		c->status = BR__CTR_UNAVAILABLE;
		refusal(c, errno);
		return;
	}
	close((int)fd);
	while ((gr = group_for(st, i, !c->hardware, skip)) != NULL) {
		a->disabled = 0;
		if ((fd = br__perf_open(a, st->fd[gr->leader])) >= 0)
			break;
		skip = (unsigned)(gr - st->group) + 1;
	}
	if (!gr) {
		a->disabled = 1;  /* a leader starts disabled; enabled with its group */
		gr = new_group(st, i, !c->hardware);
		if ((fd = br__perf_open(a, -1)) < 0) {
			st->ngroups--;
			c->status = BR__CTR_UNAVAILABLE;
			refusal(c, errno);
			return;
		}
		gr->leader = (int)i;
	}
	st->fd[i] = (int)fd;
	if (ioctl(st->fd[i], PERF_EVENT_IOC_ID, &st->id[i]) != 0) {
		st->id[i] = UINT64_MAX;
	}
	gr->member[gr->n++] = (int)i;
	c->group = (unsigned)(gr - st->group) + 1;
	c->status = BR__CTR_COUNTED;
}

static void pfm_close(struct br__counter_set *set)
{
	struct pfm_state *st = set->impl;

	if (!st)
		return;
	/* Siblings first: closing a leader would break up its group. */
	for (unsigned i = 0; i < set->n; i++)
		if (st->fd[i] >= 0 && st->group[set->ev[i].group - 1].leader != (int)i)
			close(st->fd[i]);
	for (unsigned g = 0; g < st->ngroups; g++)
		close(st->fd[st->group[g].leader]);
	free(st);
	set->impl = NULL;
	set->ngroups = 0;
}

static int pfm_open(struct br__counter_set *set)
{
	struct pfm_state *st = calloc(1, sizeof *st);
	int rc;

	if (!st)
		return BR_ENOMEM_ALLOC;
	for (unsigned i = 0; i < BR__PROTO_COUNTERS_MAX; i++)
		st->fd[i] = -1;
	set->impl = st;
	if ((rc = encode_all(set, st)) != 0) {
		free(st);
		set->impl = NULL;
		return rc;
	}
	st->hw_capacity = hw_capacity();
	for (unsigned i = 0; i < set->n; i++)
		if (set->ev[i].status == BR__CTR_COUNTED)
			open_event(set, st, i);
	set->ngroups = st->ngroups;
	for (unsigned g = 0; g < st->ngroups; g++) {
		int fd = st->fd[st->group[g].leader];
		if (ioctl(fd, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP) != 0 ||
		    ioctl(fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) != 0) {
			for (unsigned k = 0; k < st->group[g].n; k++) {
				struct br__counter *c = &set->ev[st->group[g].member[k]];
				c->status = BR__CTR_UNAVAILABLE;
				snprintf(c->reason, sizeof c->reason,
				         "cannot enable its perf_event group (%s)", strerror(errno));
			}
		}
	}
	return 0;
}

/* One read() per group: nr, time enabled, time running, then a value and
 * an id per member (PERF_FORMAT_GROUP | TOTAL_TIME_* | ID).  Values are
 * matched to events by id, not by position. */
static int pfm_read(struct br__counter_set *set, struct br__counter_reading *r)
{
	struct pfm_state *st = set->impl;
	uint64_t buf[3 + 2 * BR__PROTO_COUNTERS_MAX];

	for (unsigned g = 0; g < st->ngroups; g++) {
		const struct group *gr = &st->group[g];
		ssize_t n = read(st->fd[gr->leader], buf, sizeof buf);
		if (n < 0)
			return -errno;
		if (n < (ssize_t)(3 * sizeof *buf) || buf[0] != gr->n ||
		    (size_t)n < (3 + 2 * buf[0]) * sizeof *buf)
			return -EIO;
		for (unsigned k = 0; k < gr->n; k++) {
			unsigned m;
			for (m = 0; m < gr->n; m++)
				if (st->id[gr->member[m]] == buf[3 + 2 * k + 1])
					break;
			if (m == gr->n)
				return -EIO;
			r->value[gr->member[m]] = buf[3 + 2 * k];
			r->enabled_ns[gr->member[m]] = buf[1];
			r->running_ns[gr->member[m]] = buf[2];
		}
	}
	return 0;
}

/* The first event that encodes without options, of each PMU-specific table
 * libpfm4 detects on this CPU (the generic "perf" tables are left out: the
 * candidate list names their events already). */
static unsigned pfm_pmu_events(char (*names)[BR__PROTO_COUNTER_NAME_MAX], unsigned max)
{
	const char *why;
	unsigned n = 0;
	int pmu;

	if (!pfm_ready(&why))
		return 0;
	pfm_for_all_pmus(pmu) {
		pfm_pmu_info_t info;
		pfm_event_info_t ev;
		memset(&info, 0, sizeof info);
		info.size = sizeof info;
		memset(&ev, 0, sizeof ev);
		ev.size = sizeof ev;
		if (n == max || pfm_get_pmu_info(pmu, &info) != PFM_SUCCESS ||
		    !info.is_present || info.type == PFM_PMU_TYPE_OS_GENERIC)
			continue;
		for (int idx = info.first_event; idx >= 0; idx = pfm_get_event_next(idx)) {
			struct br__counter c = {.requested = 1};
			struct perf_event_attr a;
			if (pfm_get_event_info(idx, PFM_OS_NONE, &ev) != PFM_SUCCESS ||
			    ev.pmu != info.pmu)
				break;
			snprintf(c.name, sizeof c.name, "%s::%s", info.name, ev.name);
			if (encode(&c, &a) == PFM_SUCCESS) {
				memcpy(names[n++], c.name, sizeof c.name);
				break;
			}
		}
	}
	return n;
}

const struct br__counters_backend br__counters_pfm = {
	"libpfm4+perf_event", pfm_open, pfm_read, pfm_close, pfm_pmu_events,
};
