// SPDX-License-Identifier: MIT
// The peer: Google Benchmark measuring the same kernels as bench/examples.c
// and bench/calibration.c (bench/kernels.h), for bench/measure-foundation.
// Not built by make (it needs libbenchmark-dev and a C++ compiler).
#include <benchmark/benchmark.h>
#include <cstdlib>
#include <vector>
extern "C" {
#include "kernels.h"
}

static void hash_fnv1a(benchmark::State &state)
{
	size_t n = (size_t)state.range(0);
	std::vector<unsigned char> buf(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (auto _ : state)
		benchmark::DoNotOptimize(kernel_fnv1a(buf.data(), n));
	state.SetBytesProcessed((int64_t)state.iterations() * (int64_t)n);
}
BENCHMARK(hash_fnv1a)->Arg(64)->Arg(4096)->Arg(65536);

static void known_spin_1us(benchmark::State &state)
{
	uint64_t deadline = kernel_now_ns();
	for (auto _ : state) {
		deadline += 1000;
		kernel_spin_until(deadline);
	}
}
BENCHMARK(known_spin_1us);

static void known_lcg_chain(benchmark::State &state)
{
	uint64_t x = 1;
	benchmark::DoNotOptimize(x);
	for (auto _ : state) {
		x = kernel_lcg_chain(x, state.range(0));
		benchmark::DoNotOptimize(x);
	}
}
BENCHMARK(known_lcg_chain)->Arg(100)->Arg(10000);

// bench/gate.c's gate/lcg/1000, and the same 2 % and 5 % slower, for
// bench/measure-gate --peer (compare.py's test on them).
BENCHMARK(known_lcg_chain)->Name("gate_lcg")->Arg(1000)->Arg(1020)->Arg(1050);

static void loop_empty(benchmark::State &state)
{
	for (auto _ : state)
		benchmark::ClobberMemory();
}
BENCHMARK(loop_empty);

// The same bodies as bench/calibration.c's api/plain and api/paused.
static void api_plain(benchmark::State &state)
{
	uint64_t x = 1;
	benchmark::DoNotOptimize(x);
	for (auto _ : state) {
		x = kernel_lcg_chain(x, 8);
		benchmark::DoNotOptimize(x);
	}
}
BENCHMARK(api_plain);

static void api_paused(benchmark::State &state)
{
	uint64_t x = 1;
	benchmark::DoNotOptimize(x);
	for (auto _ : state) {
		x = kernel_lcg_chain(x, 8);
		benchmark::DoNotOptimize(x);
		state.PauseTiming();
		x = kernel_lcg_chain(x, 8);
		state.ResumeTiming();
	}
}
BENCHMARK(api_paused);

BENCHMARK_MAIN();
