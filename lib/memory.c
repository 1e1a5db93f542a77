/* SPDX-License-Identifier: MIT */
/* Memory per iteration (--memory): libbenchrun interposes the allocator.
 *
 * Why inside the library rather than a library benchrun preloads: every
 * benchmark program links libbenchrun, so the counting is there in a
 * program run on its own, in a kept old build of a paired comparison and in
 * a statically linked one, with no path to find and no environment to
 * pass.  glibc lets a program replace malloc: its own calls (strdup,
 * fopen, libstdc++'s operator new) then come here too, and each function
 * here hands the work to glibc's __libc_* entry points.
 *
 * Counting is off unless br__mem_start() switched it on (the library does
 * so around the body's loop only, in calls made for counting after the
 * timed samples), so a timed sample never pays for it; off, an
 * allocation or a free costs one relaxed load more (and, once a count has
 * run in the process, a free reads the word in front of its block).  On, each allocation and free adds to counters with
 * relaxed atomics (lock-free; threads of BR_THREADS bodies count too) and
 * a block allocated while counting carries a 32-byte header in front of
 * it: [orig, size, tag] with tag = BR__MEM_TAG ^ address, so free, realloc
 * and malloc_usable_size know its requested size and whether it is live
 * bytes of this count.  A block glibc made has its own size word there,
 * which can never equal the tag (its top bits are clear). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

/* AddressSanitizer brings an allocator of its own, which must see every
 * block: a build with it interposes nothing, and --memory says so. */
#if defined(__SANITIZE_ADDRESS__)
#define BR__MEM_INTERPOSE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BR__MEM_INTERPOSE 0
#endif
#endif
#ifndef BR__MEM_INTERPOSE
#define BR__MEM_INTERPOSE 1
#endif

int br__mem_supported(void)
{
	return BR__MEM_INTERPOSE;
}

#if BR__MEM_INTERPOSE
extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

#define HEADER 32                      /* bytes in front of a counted block */
#define BR__MEM_TAG UINT64_C(0xb3a4c0ffee5eed17)

static atomic_int counting;
static atomic_uint_fast64_t n_allocs, n_frees, n_reallocs, n_bytes;
static atomic_int_fast64_t live, peak;
static atomic_uint_fast64_t generation;  /* which count a header belongs to */

/* An allocation profile (br__mem_profile): every counted allocation's
 * call stack, by frame pointers up to the body's call, added under a lock
 * (the profile run is not timed).  `busy` keeps the profile's own
 * allocations out of the count and the profile. */
static struct br__profile *aprof;
static pthread_mutex_t aprof_mu = PTHREAD_MUTEX_INITIALIZER;
static __thread int busy __attribute__((tls_model("initial-exec")));
__thread void *br__body_frame __attribute__((tls_model("initial-exec")));

/* The return addresses from `frame` (the allocating function's, whose
 * caller is first) up to the body's call of br__body_call, whose frame
 * bounds the walk: every frame read lies between this one and it, on
 * this thread's stack. */
static unsigned walk(void *frame, uint64_t *ips, unsigned max)
{
	void **fp = frame, **limit = br__body_frame;
	unsigned depth = 0;

	while (fp && limit && fp < limit && depth < max && !((uintptr_t)fp & 7)) {
		void **next = fp[0];
		ips[depth++] = (uint64_t)(uintptr_t)fp[1];
		if (next <= fp)
			break;
		fp = next;
	}
	if (depth)
		ips[0]--;  /* a return address: its call instruction is the one before */
	return depth;
}

static void record(void *frame, size_t n)
{
	uint64_t ips[BR__STACK_MAX];
	unsigned depth = walk(frame, ips, BR__STACK_MAX);

	if (!depth)
		return;
	busy = 1;
	pthread_mutex_lock(&aprof_mu);
	if (aprof)
		br__profile_add_bytes(aprof, ips, depth, n);
	pthread_mutex_unlock(&aprof_mu);
	busy = 0;
}

/* The header words in front of p: [0] what to pass to __libc_free, [1]
 * the requested size, [2] the generation, [3] the tag. */
static uint64_t *header_of(void *p)
{
	return (uint64_t *)((char *)p - HEADER);
}

/* Set by the first br__mem_start and never cleared: until then no block
 * has a header, and free and realloc do not look for one (so a program
 * that never counts never reads in front of a block, which memory checkers
 * such as Valgrind's memcheck would report). */
static atomic_int armed;

static int counted_block(void *p)
{
	return atomic_load_explicit(&armed, memory_order_relaxed) &&
	       ((uint64_t *)p)[-1] == (BR__MEM_TAG ^ (uint64_t)(uintptr_t)p);
}

static void add_live(int64_t d)
{
	int64_t now = atomic_fetch_add_explicit(&live, d, memory_order_relaxed) + d;
	int64_t top = atomic_load_explicit(&peak, memory_order_relaxed);

	while (now > top && !atomic_compare_exchange_weak_explicit(&peak, &top, now,
	                                                           memory_order_relaxed,
	                                                           memory_order_relaxed))
		;
}

/* A block of n bytes aligned to `align` (a power of two, or 0 for
 * malloc's), with a header when counting; counted as one allocation. */
static void *alloc(size_t n, size_t align, int zero, void *frame)
{
	size_t off = align > HEADER ? align : HEADER;
	char *q;
	uint64_t *h;

	if (!atomic_load_explicit(&counting, memory_order_relaxed) || busy)
		return align ? __libc_memalign(align, n) : zero ? __libc_calloc(1, n)
		                                              : __libc_malloc(n);
	if (n > SIZE_MAX - off) {
		errno = ENOMEM;
		return NULL;
	}
	q = align ? __libc_memalign(align, n + off) : zero ? __libc_calloc(1, n + off)
	                                                   : __libc_malloc(n + off);
	if (!q)
		return NULL;
	h = header_of(q + off);
	h[0] = (uint64_t)(uintptr_t)q;
	h[1] = n;
	h[2] = atomic_load_explicit(&generation, memory_order_relaxed);
	h[3] = BR__MEM_TAG ^ (uint64_t)(uintptr_t)(q + off);
	atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&n_bytes, n, memory_order_relaxed);
	add_live((int64_t)n);
	if (aprof)
		record(frame, n);
	return q + off;
}

/* Free p: a counted block through its header (live bytes of this count
 * come off), any other as glibc made it. */
static void release(void *p, int count_call)
{
	uint64_t *h;

	if (!p)
		return;
	if (count_call && !busy && atomic_load_explicit(&counting, memory_order_relaxed))
		atomic_fetch_add_explicit(&n_frees, 1, memory_order_relaxed);
	if (!counted_block(p)) {
		__libc_free(p);
		return;
	}
	h = header_of(p);
	h[3] = 0;  /* a double free is glibc's to catch, not a second count */
	if (h[2] == atomic_load_explicit(&generation, memory_order_relaxed))
		add_live(-(int64_t)h[1]);
	__libc_free((void *)(uintptr_t)h[0]);
}

/* Each entry point hands its own frame to alloc: the walk of an
 * allocation profile starts at its caller. */
#define FRAME __builtin_frame_address(0)

void *malloc(size_t n)
{
	return alloc(n, 0, 0, FRAME);
}

void *calloc(size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	return alloc(n * m, 0, 1, FRAME);
}

void free(void *p)
{
	release(p, 1);
}

/* realloc and reallocarray: `frame` is the entry point's. */
static void *resize(void *p, size_t n, void *frame)
{
	size_t old;
	void *q;

	if (!p)
		return alloc(n, 0, 0, frame);
	if (!counted_block(p)) {
		/* A block from before the count: glibc's realloc; counted as a
		 * reallocation of n bytes, its bytes no live bytes of this count. */
		if ((q = __libc_realloc(p, n)) && atomic_load_explicit(&counting,
		                                                       memory_order_relaxed)) {
			atomic_fetch_add_explicit(&n_reallocs, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&n_bytes, n, memory_order_relaxed);
		}
		return q;
	}
	/* A counted block: a new block, the old one's bytes moved and freed.
	 * Counted as one reallocation, its new size in the bytes. */
	old = header_of(p)[1];
	if (!(q = alloc(n, 0, 0, frame)))
		return NULL;
	memcpy(q, p, old < n ? old : n);
	if (atomic_load_explicit(&counting, memory_order_relaxed)) {
		atomic_fetch_sub_explicit(&n_allocs, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&n_reallocs, 1, memory_order_relaxed);
	}
	release(p, 0);
	return q;
}

void *realloc(void *p, size_t n)
{
	return resize(p, n, FRAME);
}

void *reallocarray(void *p, size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	return resize(p, n * m, FRAME);
}

static void *aligned(size_t align, size_t n, void *frame)
{
	if (align & (align - 1) || !align) {
		errno = EINVAL;
		return NULL;
	}
	return alloc(n, align, 0, frame);
}

void *memalign(size_t align, size_t n)
{
	return aligned(align, n, FRAME);
}

void *aligned_alloc(size_t align, size_t n)
{
	return aligned(align, n, FRAME);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (!align || align % sizeof(void *) || align & (align - 1))
		return EINVAL;
	if (!(p = alloc(n, align, 0, FRAME)))
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	return alloc(n, (size_t)sysconf(_SC_PAGESIZE), 0, FRAME);
}

void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return alloc(n ? (n + page - 1) / page * page : page, page, 0, FRAME);
}

/* glibc exports no other name for its own, so a block it made is read as
 * glibc reads it: the chunk's size word in front of it, less the words the
 * chunk keeps (two for a mapped chunk, one otherwise). */
size_t malloc_usable_size(void *p)
{
	size_t word;

	if (!p)
		return 0;
	if (counted_block(p))
		return header_of(p)[1];
	word = ((size_t *)p)[-1];
	return (word & ~(size_t)7) - (word & 2 ? 2 : 1) * sizeof(size_t);
}

void br__mem_profile(struct br__profile *prof)
{
	pthread_mutex_lock(&aprof_mu);
	aprof = prof;
	pthread_mutex_unlock(&aprof_mu);
}

void br__mem_start(void)
{
	atomic_store_explicit(&armed, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&generation, 1, memory_order_relaxed);
	atomic_store_explicit(&n_allocs, 0, memory_order_relaxed);
	atomic_store_explicit(&n_frees, 0, memory_order_relaxed);
	atomic_store_explicit(&n_reallocs, 0, memory_order_relaxed);
	atomic_store_explicit(&n_bytes, 0, memory_order_relaxed);
	atomic_store_explicit(&live, 0, memory_order_relaxed);
	atomic_store_explicit(&peak, 0, memory_order_relaxed);
	atomic_store_explicit(&counting, 1, memory_order_seq_cst);
}

void br__mem_stop(struct br__mem_count *out)
{
	atomic_store_explicit(&counting, 0, memory_order_seq_cst);
	out->allocs = atomic_load_explicit(&n_allocs, memory_order_relaxed);
	out->frees = atomic_load_explicit(&n_frees, memory_order_relaxed);
	out->reallocs = atomic_load_explicit(&n_reallocs, memory_order_relaxed);
	out->bytes = atomic_load_explicit(&n_bytes, memory_order_relaxed);
	out->live = atomic_load_explicit(&live, memory_order_relaxed);
	out->peak = atomic_load_explicit(&peak, memory_order_relaxed);
}

#else
/* Nothing interposed: glibc's functions are the sanitizer's, and nothing
 * is counted. */
__thread void *br__body_frame;

void br__mem_profile(struct br__profile *prof)
{
	(void)prof;
}

void br__mem_start(void)
{
}

void br__mem_stop(struct br__mem_count *out)
{
	memset(out, 0, sizeof *out);
}
#endif
