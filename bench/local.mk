# SPDX-License-Identifier: GPL-3.0-or-later
# The project's own benchmarks, and `make bench`, which builds and runs them.
# Benchmark programs link libbenchrun statically (no libtool wrapper script
# between benchrun and the worker) and keep frame pointers for profiling.
# bench/ holds what a user would copy (examples, known answers); benchrun's
# own analysis benchmarks live in harness/selfbench/.
bench_programs = %D%/examples %D%/calibration harness/selfbench/analysis
noinst_PROGRAMS += %D%/gate
noinst_PROGRAMS += $(bench_programs)

# A benchmark program sees the public header only, as a user's does.
bench_cppflags = $(public_cppflags)
bench_cflags = $(AM_CFLAGS) $(BENCH_CFLAGS) \
	-DBR_BUILD_FLAGS='"$(CFLAGS) $(BENCH_CFLAGS)"'

%C%_examples_SOURCES = %D%/examples.c %D%/kernels.h
%C%_examples_CPPFLAGS = $(bench_cppflags)
%C%_examples_CFLAGS = $(bench_cflags)
%C%_examples_LDADD = lib/libbenchrun-internal.la

%C%_calibration_SOURCES = %D%/calibration.c %D%/kernels.h
%C%_calibration_CPPFLAGS = $(bench_cppflags)
%C%_calibration_CFLAGS = $(bench_cflags)
%C%_calibration_LDADD = lib/libbenchrun-internal.la

# Not in `make bench`: the suite bench/measure-gate drives.
%C%_gate_SOURCES = %D%/gate.c %D%/kernels.h
%C%_gate_CPPFLAGS = $(bench_cppflags)
%C%_gate_CFLAGS = $(bench_cflags)
%C%_gate_LDADD = lib/libbenchrun-internal.la

EXTRA_DIST += %D%/README.md %D%/measure-foundation %D%/measure-gate %D%/measure-instructions \
	%D%/measure-api %D%/measure-counters %D%/measure-memory %D%/measure-profile \
	%D%/measure-report %D%/measure-history \
	%D%/peer_gbench.cc

# `make bench` writes its HTML report into reports/ (reports/index.html) and
# counts memory per iteration (--memory).
# Extra benchrun options: make bench BENCHFLAGS='--filter hash --processes 10'
BENCHFLAGS =
bench: $(bench_programs) harness/benchrun
	harness/benchrun --report reports --memory $(BENCHFLAGS) $(bench_programs)
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
%C%_counters_CPPFLAGS = $(bench_cppflags)
%C%_counters_CFLAGS = $(bench_cflags)
%C%_counters_LDADD = lib/libbenchrun-internal.la
EXTRA_DIST += %D%/measure-counters %D%/measure-report

# A body with a known 70/30 profile for bench/measure-profile (attribution,
# sampling overhead); built with the others, not run by `make bench`.
noinst_PROGRAMS += %D%/profile
%C%_profile_SOURCES = %D%/profile.c %D%/kernels.h
%C%_profile_CPPFLAGS = $(bench_cppflags)
%C%_profile_CFLAGS = $(bench_cflags)
%C%_profile_LDADD = lib/libbenchrun-internal.la
EXTRA_DIST += %D%/measure-profile
