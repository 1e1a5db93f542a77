/* SPDX-License-Identifier: MIT */
/* The C functions benchrun's own benchmarks measure, in one place so that a
 * peer harness (bench/peer_gbench.cc) can measure exactly the same code. */
#ifndef BENCH_KERNELS_H
#define BENCH_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* FNV-1a, 64-bit: one multiply per byte, a serial dependency chain. */
static inline uint64_t kernel_fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* `steps` serial multiply-adds: work exactly proportional to steps. */
static inline uint64_t kernel_lcg_chain(uint64_t x, int64_t steps)
{
	for (int64_t i = 0; i < steps; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

static inline uint64_t kernel_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spin until the clock passes `deadline`: with deadlines chained 1 µs
 * apart, n calls take n µs plus one bounded overshoot, whatever happens in
 * between (a preempted iteration is made up by the following ones). */
static inline void kernel_spin_until(uint64_t deadline)
{
	while (kernel_now_ns() < deadline)
		;
}

#endif
