# SPDX-License-Identifier: MIT
# libbenchrun: an uninstalled internal library that the tests link for its
# internals, and the installed library that exports only br_ names.
# Data path (README "The data path"): registry.c (register) -> loop.c,
# plan.c, timer.c (the loop; counters*.c, memory.c, sampler.c beside it)
# -> worker.c, writer.c (the worker's records, in brproto.h's words).
lib_sources = \
	%D%/include/benchrun.h %D%/internal.h %D%/error.c %D%/registry.c \
	%D%/timer.c %D%/plan.c %D%/loop.c %D%/writer.c %D%/worker.c \
	%D%/counting.h %D%/counters.c %D%/counters-pfm.c %D%/sampler.c \
	%D%/pairslope.h %D%/pairslope.c %D%/callgrind.c \
	%D%/brproto.h %D%/brproto.c %D%/memory.c

noinst_LTLIBRARIES += %D%/libbenchrun-internal.la
%C%_libbenchrun_internal_la_SOURCES = $(lib_sources)
# Frame pointers in the library too, so sampled call chains climb through
# the measured loop up to br__body_call (where profiles are cut).
%C%_libbenchrun_internal_la_CPPFLAGS = $(lib_cppflags)
%C%_libbenchrun_internal_la_CFLAGS = $(AM_CFLAGS) $(BENCH_CFLAGS)
%C%_libbenchrun_internal_la_LIBADD = $(PFM_LIBS)

lib_LTLIBRARIES += %D%/libbenchrun.la
%C%_libbenchrun_la_SOURCES = $(lib_sources)
%C%_libbenchrun_la_CPPFLAGS = $(lib_cppflags)
%C%_libbenchrun_la_CFLAGS = $(AM_CFLAGS) $(BENCH_CFLAGS)
%C%_libbenchrun_la_LIBADD = $(PFM_LIBS)
%C%_libbenchrun_la_LDFLAGS = -version-info 0:0:0 -export-symbols-regex '^br_[a-z]|^br__(loop_start|loop_stop|body_call)$$'

include_HEADERS = %D%/include/benchrun.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = %D%/benchrun.pc
EXTRA_DIST += %D%/benchrun.pc.in

# After an install into a folder the loader searches (/usr/local/lib on
# Debian), refresh its cache: libtool does not, and until someone runs
# ldconfig a program linked with -lbenchrun fails with "libbenchrun.so.0:
# cannot open shared object file".  A staged install (DESTDIR) is left
# alone; for a folder the loader does not search, one line says what to do.
install-exec-hook:
	@ldconfig=`command -v ldconfig || echo /sbin/ldconfig`; \
	if test -n "$(DESTDIR)"; then :; \
	elif $$ldconfig -N -v 2>/dev/null | grep -q '^$(libdir):'; then \
	  $$ldconfig 2>/dev/null || echo "benchrun: run ldconfig as root, so that programs find libbenchrun in $(libdir)"; \
	else \
	  echo "benchrun: the loader does not search $(libdir): run benchmark programs with LD_LIBRARY_PATH=$(libdir), or add it to /etc/ld.so.conf.d/ and run ldconfig"; \
	fi
