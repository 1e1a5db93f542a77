# SPDX-License-Identifier: GPL-3.0-or-later
# The project's own benchmarks, and `make bench`, which builds and runs them.
# Benchmark programs link libbenchrun statically (no libtool wrapper script
# between benchrun and the worker) and keep frame pointers for profiling.
bench_programs = %D%/examples %D%/calibration %D%/analysis
noinst_PROGRAMS += %D%/gate
noinst_PROGRAMS += $(bench_programs)

bench_cflags = $(AM_CFLAGS) $(BENCH_CFLAGS) \
	-DBR_BUILD_FLAGS='"$(CFLAGS) $(BENCH_CFLAGS)"'

%C%_examples_SOURCES = %D%/examples.c %D%/kernels.h
%C%_examples_CFLAGS = $(bench_cflags)
%C%_examples_LDADD = lib/libbenchrun-internal.la

%C%_calibration_SOURCES = %D%/calibration.c %D%/kernels.h
%C%_calibration_CFLAGS = $(bench_cflags)
%C%_calibration_LDADD = lib/libbenchrun-internal.la

# Not in `make bench`: the suite bench/measure-gate drives.
%C%_gate_SOURCES = %D%/gate.c %D%/kernels.h
%C%_gate_CFLAGS = $(bench_cflags)
%C%_gate_LDADD = lib/libbenchrun-internal.la

%C%_analysis_SOURCES = %D%/analysis.c
%C%_analysis_CFLAGS = $(bench_cflags) $(JANSSON_CFLAGS) $(GSL_CFLAGS) $(DW_CFLAGS)
%C%_analysis_LDADD = lib/libbenchrun-internal.la harness/libharness.la

EXTRA_DIST += %D%/README.md %D%/measure-foundation %D%/measure-gate %D%/measure-instructions \
	%D%/measure-api \
	%D%/peer_gbench.cc

# `make bench` writes its HTML report into reports/ (reports/index.html).
# Extra benchrun options: make bench BENCHFLAGS='--filter hash --processes 10'
BENCHFLAGS =
bench: $(bench_programs) harness/benchrun
	harness/benchrun --report reports $(BENCHFLAGS) $(bench_programs)
.PHONY: bench

# The configured list benchrun uses when run here with no programs named.
benchrun.list: Makefile
	$(AM_V_GEN)printf '%s\n' $(bench_programs) > $@
all-local: benchrun.list
CLEANFILES += benchrun.list

# Bodies for bench/measure-counters (what counting costs); built with the
# others, not run by `make bench`.
noinst_PROGRAMS += %D%/counters
%C%_counters_SOURCES = %D%/counters.c %D%/kernels.h
%C%_counters_CFLAGS = $(bench_cflags)
%C%_counters_LDADD = lib/libbenchrun-internal.la
EXTRA_DIST += %D%/measure-counters %D%/measure-report

# A body with a known 70/30 profile for bench/measure-profile (attribution,
# sampling overhead); built with the others, not run by `make bench`.
noinst_PROGRAMS += %D%/profile
%C%_profile_SOURCES = %D%/profile.c %D%/kernels.h
%C%_profile_CFLAGS = $(bench_cflags)
%C%_profile_LDADD = lib/libbenchrun-internal.la
EXTRA_DIST += %D%/measure-profile

# An exact simulation of the stored comparison's decisions under the drift
# model (bench/README.md); built with the others, not run by `make bench`.
noinst_PROGRAMS += %D%/simulate-gate
%C%_simulate_gate_SOURCES = %D%/simulate-gate.c
%C%_simulate_gate_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS) $(DW_CFLAGS)
%C%_simulate_gate_LDADD = harness/libharness.la
