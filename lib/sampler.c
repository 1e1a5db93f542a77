/* SPDX-License-Identifier: MIT */
/* Sampled profiles of the measured loop: a perf_event that samples this
 * thread's user-space call chains (hardware cycles, else the cpu-clock
 * software event), its ring buffer drained into stacks aggregated by their
 * addresses, and the process's file mappings, which the harness needs to
 * symbolise the addresses after the worker has exited. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

/* ---- aggregation ---- */

/* FNV-1a over the addresses. */
static uint64_t hash_ips(const uint64_t *ips, unsigned depth)
{
	uint64_t h = 14695981039346656037ull;

	for (unsigned i = 0; i < depth; i++)
		for (unsigned b = 0; b < 64; b += 8) {
			h ^= (ips[i] >> b) & 0xff;
			h *= 1099511628211ull;
		}
	return h;
}

/* The slot holding the stack (ips, depth), or the free slot where it goes. */
static size_t find_slot(const struct br__profile *prof, uint64_t h, const uint64_t *ips,
                        unsigned depth)
{
	size_t mask = prof->nslots - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		const struct br__stack *st;
		if (!prof->slot[i])
			return i;
		st = &prof->stacks[prof->slot[i] - 1];
		if (st->hash == h && st->depth == depth &&
		    !memcmp(st->ips, ips, depth * sizeof *ips))
			return i;
	}
}

/* Double the index (first size 1024), keeping the load under 1/2 so that
 * linear probing stays short. */
static int grow_index(struct br__profile *prof)
{
	size_t n = prof->nslots ? 2 * prof->nslots : 1024;
	uint32_t *old = prof->slot;
	size_t oldn = prof->nslots;

	if (!(prof->slot = calloc(n, sizeof *prof->slot))) {
		prof->slot = old;
		return BR_ENOMEM_ALLOC;
	}
	prof->nslots = n;
	for (size_t i = 0; i < oldn; i++)
		if (old[i]) {
			const struct br__stack *st = &prof->stacks[old[i] - 1];
			prof->slot[find_slot(prof, st->hash, st->ips, st->depth)] = old[i];
		}
	free(old);
	return 0;
}

static int new_stack(struct br__profile *prof, size_t at, uint64_t h, const uint64_t *ips,
                     unsigned depth)
{
	struct br__stack *st;

	if (prof->nstacks == prof->cap) {
		size_t cap = prof->cap ? 2 * prof->cap : 256;
		struct br__stack *s = realloc(prof->stacks, cap * sizeof *s);
		if (!s)
			return BR_ENOMEM_ALLOC;
		prof->stacks = s;
		prof->cap = cap;
	}
	st = &prof->stacks[prof->nstacks];
	if (!(st->ips = malloc(depth * sizeof *ips)))
		return BR_ENOMEM_ALLOC;
	memcpy(st->ips, ips, depth * sizeof *ips);
	st->depth = depth;
	st->hash = h;
	st->count = st->bytes = 0;
	prof->slot[at] = (uint32_t)++prof->nstacks;
	return 0;
}

int br__profile_add(struct br__profile *prof, const uint64_t *ips, unsigned depth)
{
	return br__profile_add_bytes(prof, ips, depth, 0);
}

int br__profile_add_bytes(struct br__profile *prof, const uint64_t *ips, unsigned depth,
                          uint64_t bytes)
{
	uint64_t h;
	size_t at;
	int rc;

	if (depth == 0 || depth > BR__STACK_MAX)
		return BR_EINVAL_ARG;
	h = hash_ips(ips, depth);
	if (2 * (prof->nstacks + 1) > prof->nslots && (rc = grow_index(prof)) != 0)
		return rc;
	at = find_slot(prof, h, ips, depth);
	if (!prof->slot[at] && (rc = new_stack(prof, at, h, ips, depth)) != 0)
		return rc;
	prof->stacks[prof->slot[at] - 1].count++;
	prof->stacks[prof->slot[at] - 1].bytes += bytes;
	prof->samples++;
	return 0;
}

void br__profile_free(struct br__profile *prof)
{
	for (size_t i = 0; i < prof->nstacks; i++)
		free(prof->stacks[i].ips);
	free(prof->stacks);
	free(prof->slot);
	for (size_t i = 0; i < prof->nustacks; i++)
		free(prof->ustacks[i].stack);
	free(prof->ustacks);
	memset(prof, 0, sizeof *prof);
}

/* ---- ring-buffer records ---- */

/* len bytes at free-running position pos of a ring of `size` bytes. */
static void ring_copy(const unsigned char *base, uint64_t size, uint64_t pos, void *dst,
                      size_t len)
{
	uint64_t off = pos % size;
	size_t first = len < size - off ? len : (size_t)(size - off);

	memcpy(dst, base + off, first);
	memcpy((unsigned char *)dst + first, base, len - first);
}

static uint64_t ring_u64(const unsigned char *base, uint64_t size, uint64_t pos)
{
	uint64_t v;

	ring_copy(base, size, pos, &v, sizeof v);
	return v;
}

/* A PERF_RECORD_SAMPLE of sample_type IP | TID | CALLCHAIN:
 *   header; u64 ip; u32 pid, tid; u64 nr; u64 ips[nr].
 * With exclude_callchain_kernel the chain is PERF_CONTEXT_USER, then the
 * sampled ip, then the return addresses the kernel found by following
 * frame pointers.  Context markers are dropped, and entries after any
 * marker other than PERF_CONTEXT_USER (kernel, guest) skipped.  A return
 * address read beyond the last real frame can be any value: one that
 * cannot be a user-space address ends the chain (it would also not fit
 * the protocol's signed 64-bit integers). */
static int parse_sample(struct br__profile *prof, const unsigned char *base,
                        uint64_t size, uint64_t pos, uint16_t rec_size)
{
	uint64_t ip, nr, frames[BR__STACK_MAX];
	unsigned depth = 0;
	int user = 1;  /* a chain without markers is taken as user space */

	if (rec_size < sizeof(struct perf_event_header) + 24) {
		prof->malformed++;
		return 0;
	}
	pos += sizeof(struct perf_event_header);
	ip = ring_u64(base, size, pos);
	nr = ring_u64(base, size, pos + 16);  /* after ip and pid/tid */
	if (nr > (rec_size - sizeof(struct perf_event_header) - 24) / 8) {
		prof->malformed++;
		return 0;
	}
	pos += 24;
	for (uint64_t i = 0; i < nr && depth < BR__STACK_MAX; i++) {
		uint64_t e = ring_u64(base, size, pos + 8 * i);
		if (e >= (uint64_t)PERF_CONTEXT_MAX) {
			user = e == (uint64_t)PERF_CONTEXT_USER;
			continue;
		}
		if (!user)
			continue;
		if (e >> 63)
			break;
		frames[depth++] = e;
	}
	if (depth == 0) {
		if (ip >> 63) {
			prof->malformed++;
			return 0;
		}
		frames[depth++] = ip;
	}
	return br__profile_add(prof, frames, depth);
}

/* The sampled registers: AX BX CX DX SI DI BP SP IP (perf_regs bits 0-8)
 * and R8-R15 (bits 16-23), BR__PROTO_UREGS of them. */
#define UREGS_MASK (0x1ffull | 0xff0000ull)

/* A PERF_RECORD_SAMPLE of sample_type IP | TID | REGS_USER | STACK_USER:
 *   header; u64 ip; u32 pid, tid; u64 abi; u64 regs[17] (when abi is not
 *   PERF_SAMPLE_REGS_ABI_NONE); u64 size; char data[size]; u64 dyn_size
 *   (when size is not 0), the bytes of data really copied.
 * A sample taken where the thread had no user registers (abi none) or no
 * stack is counted as malformed. */
static int parse_ustack(struct br__profile *prof, const unsigned char *base,
                        uint64_t size, uint64_t pos, uint16_t rec_size)
{
	uint64_t end = pos + rec_size, abi, len, dyn;
	struct br__ustack *u;

	pos += sizeof(struct perf_event_header) + 16;  /* ip, pid/tid */
	if (pos + 8 > end || (abi = ring_u64(base, size, pos)) == PERF_SAMPLE_REGS_ABI_NONE
	    || pos + 8 * (2 + BR__PROTO_UREGS) > end) {
		prof->malformed++;
		return 0;
	}
	len = ring_u64(base, size, pos + 8 * (1 + BR__PROTO_UREGS));
	if (len == 0 || pos + 8 * (3 + BR__PROTO_UREGS) + len > end) {
		prof->malformed++;
		return 0;
	}
	dyn = ring_u64(base, size, pos + 8 * (2 + BR__PROTO_UREGS) + len);
	if (dyn < len)
		len = dyn;
	if (prof->nustacks == prof->capustacks) {
		size_t cap = prof->capustacks ? 2 * prof->capustacks : 256;
		struct br__ustack *t = realloc(prof->ustacks, cap * sizeof *t);
		if (!t)
			return BR_ENOMEM_ALLOC;
		prof->ustacks = t;
		prof->capustacks = cap;
	}
	u = &prof->ustacks[prof->nustacks];
	ring_copy(base, size, pos + 8, u->regs, sizeof u->regs);
	if (!(u->stack = malloc(len ? len : 1)))
		return BR_ENOMEM_ALLOC;
	ring_copy(base, size, pos + 8 * (2 + BR__PROTO_UREGS), u->stack, len);
	u->len = len;
	prof->nustacks++;
	prof->ustack_bytes += len;
	prof->samples++;
	return 0;
}

int br__profile_parse(struct br__profile *prof, const void *base, uint64_t size,
                      uint64_t tail, uint64_t head)
{
	const unsigned char *b = base;
	struct perf_event_header hdr;
	uint64_t pos;
	int rc;

	/* The kernel writes whole records before it moves data_head, so all
	 * of [tail, head) is complete records. */
	for (pos = tail; head - pos >= sizeof hdr; pos += hdr.size) {
		ring_copy(b, size, pos, &hdr, sizeof hdr);
		if (hdr.size < sizeof hdr || hdr.size > head - pos)
			return BR_EINVAL_ARG;
		switch (hdr.type) {
		case PERF_RECORD_SAMPLE:
			rc = prof->dwarf ? parse_ustack(prof, b, size, pos, hdr.size)
			                 : parse_sample(prof, b, size, pos, hdr.size);
			if (rc != 0)
				return rc;
			break;
		case PERF_RECORD_LOST:  /* header; u64 id; u64 lost */
			if (hdr.size >= sizeof hdr + 16)
				prof->lost += ring_u64(b, size, pos + sizeof hdr + 8);
			break;
		case PERF_RECORD_THROTTLE:
			prof->throttles++;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* ---- the perf_event ---- */

/* Through libc's syscall() (a call through the PLT even in a program that
 * links the library statically), so a preloaded shim can refuse it as a
 * locked-down kernel would; the tests do.  Close-on-exec, so that a body
 * that runs other programs does not hand them the event. */
long br__perf_open(struct perf_event_attr *attr, int group_fd)
{
	return syscall(SYS_perf_event_open, attr, 0 /* this thread */, -1 /* any CPU */,
	               group_fd, PERF_FLAG_FD_CLOEXEC);
}

/* This thread's event (cpu -1), or this process's on one CPU. */
static int perf_open(struct perf_event_attr *attr, int cpu)
{
	long fd = cpu < 0 ? br__perf_open(attr, -1 /* no group */)
	                  : syscall(SYS_perf_event_open, attr, 0, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : (int)fd;
}

long br__read_long_file(const char *path, long fallback)
{
	FILE *f = fopen(path, "r");
	long v = fallback;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = fallback;
		fclose(f);
	}
	return v;
}

/* Why the open failed, and the fix, into why. */
static void refusal(int err, unsigned freq_hz, char *why, size_t len)
{
	long paranoid = br__read_long_file("/proc/sys/kernel/perf_event_paranoid", -100);
	long max_rate = br__read_long_file("/proc/sys/kernel/perf_event_max_sample_rate", -1);
	const char *name = strerrorname_np(err);

	name = name ? name : "error";
	if ((err == EACCES || err == EPERM) && paranoid > 2)
		snprintf(why, len, "perf_event_open refused (%s): kernel.perf_event_paranoid "
		         "is %ld; 2 or lower allows profiling one's own processes (run "
		         "'sysctl kernel.perf_event_paranoid=2' or grant CAP_PERFMON)",
		         name, paranoid);
	else if (err == EACCES || err == EPERM)
		snprintf(why, len, "perf_event_open refused (%s) although "
		         "kernel.perf_event_paranoid is %ld (2 or lower allows profiling "
		         "one's own processes): a seccomp profile or security module "
		         "blocks it", name, paranoid);
	else if (err == EINVAL && max_rate > 0 && freq_hz > (unsigned long)max_rate)
		snprintf(why, len, "perf_event_open: %u Hz is above "
		         "kernel.perf_event_max_sample_rate (%ld): use a lower "
		         "--profile-freq", freq_hz, max_rate);
	else if (err == ENOSYS)
		snprintf(why, len, "perf_event_open: %s (%s): this kernel has no perf_event "
		         "support (CONFIG_PERF_EVENTS)", strerror(err), name);
	else
		snprintf(why, len, "perf_event_open: %s (%s)", strerror(err), name);
}

/* Try cycles, then cpu-clock when the machine has no usable PMU event (a
 * virtual machine: ENOENT).  exclude_kernel is required of unprivileged
 * users at perf_event_paranoid 2. */
static int open_event(struct br__sampler *smp, unsigned freq_hz, int cpu, int dwarf)
{
	static const struct {
		uint32_t type;
		uint64_t config;
		const char *name;
	} ev[] = {
		{PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles"},
		{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, "cpu-clock"},
	};
	int fd = -ENOENT;

	for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
		struct perf_event_attr attr;
		memset(&attr, 0, sizeof attr);
		attr.size = sizeof attr;
		attr.type = ev[i].type;
		attr.config = ev[i].config;
		attr.disabled = 1;
		attr.freq = 1;
		attr.sample_freq = freq_hz;
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		attr.exclude_callchain_kernel = 1;
		/* On one CPU, inherited by the threads this one starts (the
		 * kernel maps no ring buffer of an inherited event on one task,
		 * cpu -1). */
		attr.inherit = cpu >= 0;
		attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CALLCHAIN;
		if (dwarf) {
			attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			                   PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
			attr.sample_regs_user = UREGS_MASK;
			attr.sample_stack_user = BR__PROTO_USTACK_BYTES;
		}
		fd = perf_open(&attr, cpu);
		if (fd >= 0) {
			smp->event = ev[i].name;
			return fd;
		}
		if (fd != -ENOENT && fd != -EOPNOTSUPP && fd != -ENODEV && fd != -EINVAL)
			break;
	}
	return fd;
}

/* 1 + n pages, n = 128 down to 8: unprivileged users may lock only
 * kernel.perf_event_mlock_kb (516 KiB: 1 + 128 pages) for all their
 * buffers together, so a second profiled process may get less.  Mapped
 * writable so that the kernel drops samples (and says so with
 * PERF_RECORD_LOST) instead of overwriting unread ones. */
static int map_ring(struct br__ring *smp, size_t most)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct perf_event_mmap_page *pg;
	int err = ENOMEM;

	for (size_t n = most; n >= 8; n /= 2) {
		void *p = mmap(NULL, (1 + n) * page, PROT_READ | PROT_WRITE, MAP_SHARED,
		               smp->fd, 0);
		if (p != MAP_FAILED) {
			smp->ring = p;
			smp->ring_len = (1 + n) * page;
			pg = p;
			/* data_offset and data_size exist since Linux 4.1. */
			smp->data_offset = pg->data_offset ? pg->data_offset : page;
			smp->data_size = pg->data_size ? pg->data_size : n * page;
			smp->tail = pg->data_tail;
			return 0;
		}
		err = errno;
		if (err != EPERM && err != ENOMEM)
			break;
	}
	return -err;
}

/* The rings of smp closed (from `from` on). */
static void close_rings(struct br__sampler *smp, unsigned from)
{
	for (unsigned i = from; i < smp->n; i++) {
		if (smp->r[i].ring)
			munmap(smp->r[i].ring, smp->r[i].ring_len);
		if (smp->r[i].fd >= 0)
			close(smp->r[i].fd);
		smp->r[i].ring = NULL;
		smp->r[i].fd = -1;
	}
	smp->n = from;
}

int br__sampler_open(struct br__sampler *smp, unsigned freq_hz, int threads, char *why,
                     size_t len)
{
	return br__sampler_open_as(smp, freq_hz, threads, 0, why, len);
}

int br__sampler_open_as(struct br__sampler *smp, unsigned freq_hz, int threads, int dwarf,
                        char *why, size_t len)
{
	long ncpu = threads ? sysconf(_SC_NPROCESSORS_CONF) : 1;
	int rc = 0;

	memset(smp, 0, sizeof *smp);
	smp->freq_hz = freq_hz;
#if !defined(__x86_64__)
	if (dwarf) {
		snprintf(why, len, "--profile-callchain dwarf: the sampled registers are known "
		         "on x86-64 only; use --profile-callchain fp");
		return -EOPNOTSUPP;
	}
#endif
	smp->prof.dwarf = dwarf;
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > BR__SAMPLER_RINGS)
		ncpu = BR__SAMPLER_RINGS;
	for (long c = 0; c < ncpu; c++) {
		struct br__ring *r = &smp->r[smp->n];
		int fd = open_event(smp, freq_hz, threads ? (int)c : -1, dwarf);
		if (fd < 0) {
			if (threads && fd == -ENODEV)
				continue;  /* an offline CPU */
			rc = fd;
			refusal(-rc, freq_hz, why, len);
			break;
		}
		r->fd = fd;
		smp->n++;
		/* The buffers share the user's lock limit: smaller with more. */
		if ((rc = map_ring(r, ncpu > 1 ? 64 : 128)) != 0) {
			snprintf(why, len, "cannot map the sample buffer: %s "
			         "(kernel.perf_event_mlock_kb is %ld)", strerror(-rc),
			         br__read_long_file("/proc/sys/kernel/perf_event_mlock_kb", -1));
			break;
		}
	}
	if (rc == 0 && smp->n == 0) {
		rc = -ENODEV;
		refusal(ENODEV, freq_hz, why, len);
	}
	if (rc != 0)
		close_rings(smp, 0);
	return rc;
}

void br__sampler_enable(struct br__sampler *smp)
{
	for (unsigned i = 0; i < smp->n; i++)
		ioctl(smp->r[i].fd, PERF_EVENT_IOC_ENABLE, 0);
}

void br__sampler_disable(struct br__sampler *smp)
{
	for (unsigned i = 0; i < smp->n; i++)
		ioctl(smp->r[i].fd, PERF_EVENT_IOC_DISABLE, 0);
}

/* data_head is read with acquire semantics (the kernel's records are then
 * visible), data_tail stored with release semantics once they are copied
 * out (the kernel may then reuse the space). */
int br__sampler_drain(struct br__sampler *smp)
{
	int rc = 0;

	for (unsigned i = 0; i < smp->n; i++) {
		struct br__ring *r = &smp->r[i];
		struct perf_event_mmap_page *pg = r->ring;
		uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
		int one = br__profile_parse(&smp->prof, (unsigned char *)r->ring + r->data_offset,
		                            r->data_size, r->tail, head);
		rc = rc ? rc : one;
		r->tail = head;
		__atomic_store_n(&pg->data_tail, head, __ATOMIC_RELEASE);
	}
	return rc;
}

void br__sampler_close(struct br__sampler *smp)
{
	close_rings(smp, 0);
	br__profile_free(&smp->prof);
}

/* ---- mappings ---- */

static int add_map(struct br__maps *maps, uint64_t start, uint64_t end, uint64_t offset,
                   const char *path)
{
	struct br__map *m;

	if (maps->n == maps->cap) {
		size_t cap = maps->cap ? 2 * maps->cap : 32;
		if (!(m = realloc(maps->map, cap * sizeof *m)))
			return BR_ENOMEM_ALLOC;
		maps->map = m;
		maps->cap = cap;
	}
	m = &maps->map[maps->n];
	if (!(m->path = strdup(path)))
		return BR_ENOMEM_ALLOC;
	m->start = start;
	m->end = end;
	m->offset = offset;
	maps->n++;
	return 0;
}

/* Lines are "START-END PERMS OFFSET DEV INODE [PATH]", hexadecimal
 * addresses and offset; the path (which may hold spaces) runs to the end
 * of the line. */
int br__maps_read(FILE *in, struct br__maps *maps)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = getline(&line, &cap, in)) > 0) {
		unsigned long long start, end, offset;
		int at = -1;
		char *path;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &start, &end, &offset, &at) < 3 ||
		    at < 0)
			continue;
		path = line + at;
		if (path[0] == '/' || !strcmp(path, "[vdso]"))
			rc = add_map(maps, start, end, offset, path);
	}
	free(line);
	return rc;
}

int br__maps_read_self(struct br__maps *maps)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int rc;

	if (!f)
		return -errno;
	rc = br__maps_read(f, maps);
	fclose(f);
	return rc;
}

void br__maps_free(struct br__maps *maps)
{
	for (size_t i = 0; i < maps->n; i++)
		free(maps->map[i].path);
	free(maps->map);
	memset(maps, 0, sizeof *maps);
}
