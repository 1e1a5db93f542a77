# SPDX-License-Identifier: GPL-3.0-or-later
# The benchrun program: everything but main() lives in an uninstalled
# library, so the tests and bench/ can reach the modules directly.
# Data path (README "The data path"): worker.c, protocol.c, suite.c (read
# the workers) -> paired.c, analysis.c, noise.c (analyse) -> gate.c,
# compare.c, paired.c (gate) -> profile.c, profile_out.c, flame*.c
# (profile) -> document.c, baseline.c (store) -> report_*.c (report).
noinst_LTLIBRARIES += %D%/libharness.la
%C%_libharness_la_SOURCES = \
	%D%/results.h %D%/array.h %D%/msg.h %D%/msg.c %D%/options.h %D%/options.c \
	%D%/proc.h %D%/proc.c %D%/protocol.h %D%/protocol.c %D%/worker.h %D%/worker.c \
	%D%/programs.h %D%/programs.c %D%/suite.h %D%/suite.c \
	%D%/stats.h %D%/stats.c lib/pairslope.h lib/pairslope.c lib/brproto.h lib/brproto.c %D%/analysis.h %D%/analysis.c \
	%D%/units.h %D%/units.c %D%/callgrind.h %D%/callgrind.c \
	%D%/complexity.h %D%/complexity.c \
	%D%/report.h %D%/report_console.c \
	%D%/document.h %D%/document.c \
	%D%/context.h %D%/context.c %D%/baseline.h %D%/baseline.c \
	%D%/baseline_list.h %D%/baseline_list.c \
	%D%/compare.h %D%/compare.c %D%/report_compare.c \
	%D%/gate.h %D%/gate.c %D%/paired.h %D%/paired.c %D%/stage.h %D%/stage.c \
	%D%/placement.h %D%/placement.c %D%/objects.h %D%/objects.c %D%/files.h %D%/files.c %D%/noise.h %D%/noise.c \
	%D%/counters.h %D%/counters.c %D%/usercounters.h %D%/usercounters.c \
	%D%/escape.h %D%/escape.c %D%/hash.h %D%/hash.c %D%/report_plot.h %D%/report_plot.c \
	%D%/report_html.c %D%/report_markdown.c \
	%D%/symbols.h %D%/symbols.c %D%/unwind.h %D%/unwind.c %D%/flame.h %D%/flame_int.h %D%/flame.c %D%/flame_table.c %D%/flame_svg.c \
	%D%/profile.h %D%/profile.c %D%/profile_out.c \
	%D%/profile_export.h %D%/profile_export.c \
	%D%/history.h %D%/history.c %D%/history_sqlite.c %D%/history_pg.c %D%/history_cli.h %D%/history_cli.c \
	%D%/changepoint.h %D%/changepoint.c
nodist_%C%_libharness_la_SOURCES = %D%/profile.pb-c.c %D%/profile.pb-c.h
%C%_libharness_la_CPPFLAGS = $(harness_cppflags)
%C%_libharness_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS) $(DW_CFLAGS) \
	$(PROTOBUF_C_CFLAGS) $(ZLIB_CFLAGS) $(SQLITE_CFLAGS) $(PQ_CFLAGS)
%C%_libharness_la_LIBADD = $(JANSSON_LIBS) $(GSL_LIBS) $(DW_LIBS) $(PROTOBUF_C_LIBS) \
	$(ZLIB_LIBS) $(SQLITE_LIBS) $(PQ_LIBS)

# The pprof export's messages: profile.proto compiled by protoc-c into the
# build folder (not distributed: the tarball carries the .proto, and the
# code is generated for the protobuf-c that builds it).  One rule makes
# both files; the header waits on the code.
BUILT_SOURCES += %D%/profile.pb-c.c %D%/profile.pb-c.h
CLEANFILES += %D%/profile.pb-c.c %D%/profile.pb-c.h
EXTRA_DIST += %D%/profile.proto
%D%/profile.pb-c.c: $(srcdir)/%D%/profile.proto
	$(AM_V_GEN)$(MKDIR_P) %D% && \
	$(PROTOC_C) --proto_path=$(srcdir)/%D% --c_out=%D% $(srcdir)/%D%/profile.proto
%D%/profile.pb-c.h: %D%/profile.pb-c.c
	@test -f $@ || { rm -f %D%/profile.pb-c.c && $(MAKE) $(AM_MAKEFLAGS) %D%/profile.pb-c.c; }
# BUILT_SOURCES covers `make`, `make check` and `make install`; these
# prerequisites a target named alone (`make tests/check_profile_export`).
# Through a variable: Automake takes a literal .lo target for an override.
harness_export_lo = %D%/libharness_la-profile_export.lo
$(harness_export_lo): %D%/profile.pb-c.h

bin_PROGRAMS += %D%/benchrun
%C%_benchrun_SOURCES = %D%/main.c
%C%_benchrun_CPPFLAGS = $(harness_cppflags)
%C%_benchrun_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS)
%C%_benchrun_LDADD = %D%/libharness.la

# benchrun's own benchmarks and tools, kept out of bench/ (which holds what
# a user would copy): the analysis and symbolising benchmarks, run by `make
# bench` beside the examples, and an exact simulation of the stored
# comparison's decisions under the drift model (bench/README.md).
noinst_PROGRAMS += %D%/selfbench/simulate-gate  # analysis: in bench_programs (bench/local.mk)
noinst_PROGRAMS += %D%/selfbench/history-sim
%C%_selfbench_history_sim_SOURCES = %D%/selfbench/history-sim.c
%C%_selfbench_history_sim_CPPFLAGS = $(harness_cppflags)
%C%_selfbench_history_sim_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS)
%C%_selfbench_history_sim_LDADD = %D%/libharness.la
%C%_selfbench_analysis_SOURCES = %D%/selfbench/analysis.c
%C%_selfbench_analysis_CPPFLAGS = $(AM_CPPFLAGS)
%C%_selfbench_analysis_CFLAGS = $(AM_CFLAGS) $(BENCH_CFLAGS) \
	-DBR_BUILD_FLAGS='"$(CFLAGS) $(BENCH_CFLAGS)"' $(JANSSON_CFLAGS) $(GSL_CFLAGS) $(DW_CFLAGS)
%C%_selfbench_analysis_LDADD = lib/libbenchrun-internal.la %D%/libharness.la
%C%_selfbench_simulate_gate_SOURCES = %D%/selfbench/simulate-gate.c
%C%_selfbench_simulate_gate_CPPFLAGS = $(harness_cppflags)
%C%_selfbench_simulate_gate_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS) $(DW_CFLAGS)
%C%_selfbench_simulate_gate_LDADD = %D%/libharness.la
