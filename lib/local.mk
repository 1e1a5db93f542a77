# SPDX-License-Identifier: MIT
# libbenchrun: an uninstalled internal library that the tests link for its
# internals, and the installed library that exports only br_ names.
lib_sources = \
	%D%/benchrun.h %D%/internal.h %D%/error.c %D%/registry.c \
	%D%/timer.c %D%/plan.c %D%/loop.c %D%/writer.c %D%/worker.c \
	%D%/counting.h %D%/counters.c %D%/counters-pfm.c %D%/sampler.c \
	%D%/pairslope.h %D%/pairslope.c

noinst_LTLIBRARIES += %D%/libbenchrun-internal.la
%C%_libbenchrun_internal_la_SOURCES = $(lib_sources)
# Frame pointers in the library too, so sampled call chains climb through
# the measured loop up to br__body_call (where profiles are cut).
%C%_libbenchrun_internal_la_CFLAGS = $(AM_CFLAGS) $(BENCH_CFLAGS)
%C%_libbenchrun_internal_la_LIBADD = $(PFM_LIBS)

lib_LTLIBRARIES += %D%/libbenchrun.la
%C%_libbenchrun_la_SOURCES = $(lib_sources)
%C%_libbenchrun_la_CFLAGS = $(AM_CFLAGS) $(BENCH_CFLAGS)
%C%_libbenchrun_la_LIBADD = $(PFM_LIBS)
%C%_libbenchrun_la_LDFLAGS = -version-info 0:0:0 -export-symbols-regex '^br_[a-z]|^br__(loop_start|loop_stop|body_call)$$'

include_HEADERS = %D%/benchrun.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = %D%/benchrun.pc
EXTRA_DIST += %D%/benchrun.pc.in
