# SPDX-License-Identifier: GPL-3.0-or-later
# Check suites, one per module, each a program in TESTS.  They link the
# uninstalled internal libraries to reach internals; check_public links only
# the installed library, as a user's program would.
check_suites = \
	%D%/check_stats %D%/check_analysis %D%/check_loop %D%/check_protocol \
	%D%/check_proc %D%/check_cli %D%/check_public %D%/check_units %D%/check_msg \
	%D%/check_programs %D%/check_context %D%/check_report_console %D%/check_hash %D%/check_placement \
	%D%/check_changepoint %D%/check_history %D%/check_history_pg
TESTS += $(check_suites)
check_PROGRAMS += $(check_suites) %D%/worker_sample %D%/worker_garbage

tests_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS)
tests_harness_libs = harness/libharness.la $(CHECK_LIBS)

%C%_check_stats_SOURCES = %D%/check_stats.c %D%/check_main.h
%C%_check_stats_CFLAGS = $(tests_cflags)
%C%_check_stats_LDADD = $(tests_harness_libs)

%C%_check_analysis_SOURCES = %D%/check_analysis.c
%C%_check_analysis_CFLAGS = $(tests_cflags)
%C%_check_analysis_LDADD = $(tests_harness_libs)

TESTS += %D%/check_memory
check_PROGRAMS += %D%/check_memory
%C%_check_memory_SOURCES = %D%/check_memory.c
%C%_check_memory_CFLAGS = $(tests_cflags)
%C%_check_memory_LDADD = lib/libbenchrun-internal.la $(CHECK_LIBS)

%C%_check_loop_SOURCES = %D%/check_loop.c
%C%_check_loop_CFLAGS = $(tests_cflags)
%C%_check_loop_LDADD = lib/libbenchrun-internal.la $(CHECK_LIBS)

%C%_check_protocol_SOURCES = %D%/check_protocol.c
%C%_check_protocol_CFLAGS = $(tests_cflags)
%C%_check_protocol_LDADD = lib/libbenchrun-internal.la $(tests_harness_libs)

%C%_check_proc_SOURCES = %D%/check_proc.c
%C%_check_proc_CFLAGS = $(tests_cflags)
%C%_check_proc_LDADD = $(tests_harness_libs)

%C%_check_cli_SOURCES = %D%/check_cli.c %D%/transcript.h %D%/transcript.c
%C%_check_cli_CFLAGS = $(tests_cflags)
%C%_check_cli_LDADD = $(CHECK_LIBS) $(JANSSON_LIBS)

%C%_check_public_SOURCES = %D%/check_public.c
%C%_check_public_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
%C%_check_public_LDADD = lib/libbenchrun.la $(CHECK_LIBS) -ldl

%C%_check_units_SOURCES = %D%/check_units.c %D%/check_main.h
%C%_check_units_CFLAGS = $(tests_cflags)
%C%_check_units_LDADD = $(tests_harness_libs)

%C%_check_history_SOURCES = %D%/check_history.c %D%/check_main.h %D%/transcript.h %D%/transcript.c
%C%_check_history_CFLAGS = $(tests_cflags) $(SQLITE_CFLAGS) $(PQ_CFLAGS)
%C%_check_history_LDADD = $(tests_harness_libs) $(SQLITE_LIBS) $(PQ_LIBS) $(JANSSON_LIBS)

%C%_check_history_pg_SOURCES = $(%C%_check_history_SOURCES)
%C%_check_history_pg_CPPFLAGS = $(AM_CPPFLAGS) -DHISTORY_PG
%C%_check_history_pg_CFLAGS = $(%C%_check_history_CFLAGS)
%C%_check_history_pg_LDADD = $(%C%_check_history_LDADD)

%C%_check_placement_SOURCES = %D%/check_placement.c %D%/check_main.h
%C%_check_placement_CFLAGS = $(tests_cflags)
%C%_check_placement_LDADD = $(tests_harness_libs)
%C%_check_hash_SOURCES = %D%/check_hash.c %D%/check_main.h
%C%_check_hash_CFLAGS = $(tests_cflags)
%C%_check_hash_LDADD = $(tests_harness_libs)

%C%_check_changepoint_SOURCES = %D%/check_changepoint.c %D%/check_main.h
%C%_check_changepoint_CFLAGS = $(tests_cflags)
%C%_check_changepoint_LDADD = $(tests_harness_libs) $(GSL_LIBS)

%C%_check_msg_SOURCES = %D%/check_msg.c %D%/check_main.h
%C%_check_msg_CFLAGS = $(tests_cflags)
%C%_check_msg_LDADD = $(tests_harness_libs)

%C%_check_programs_SOURCES = %D%/check_programs.c %D%/check_main.h
%C%_check_programs_CFLAGS = $(tests_cflags)
%C%_check_programs_LDADD = $(tests_harness_libs)

%C%_check_context_SOURCES = %D%/check_context.c %D%/check_main.h
%C%_check_context_CFLAGS = $(tests_cflags)
%C%_check_context_LDADD = $(tests_harness_libs) $(JANSSON_LIBS)

%C%_check_report_console_SOURCES = %D%/check_report_console.c %D%/check_main.h
%C%_check_report_console_CFLAGS = $(tests_cflags)
%C%_check_report_console_LDADD = $(tests_harness_libs)

# Worker programs the CLI tests drive: benchmarks that pass, crash, hang and
# fail; and a program that passes the listing but writes garbage when run.
# worker_sample crashes on purpose: its file is built without sanitizer
# checks (UBSan would report the null store instead of letting it crash),
# and san_crash.c tells the runtimes linked in with the library to leave
# SIGSEGV alone, so that benchrun sees the crash as it would unsanitized.
%C%_worker_sample_SOURCES = %D%/worker_sample.c %D%/san_crash.c
%C%_worker_sample_CFLAGS = $(AM_CFLAGS) $(SAN_OFF_CFLAGS)
%C%_worker_sample_LDADD = lib/libbenchrun-internal.la
%C%_worker_garbage_SOURCES = %D%/worker_garbage.c

# Under --enable-asan: the tests that preload librefuseperf.so put it ahead
# of the ASan runtime, which ASan refuses unless told that the order is
# fine (the shim defines no function ASan intercepts).  Under either
# sanitizer, Check's time-outs, bounds on a hang, are stretched.
AM_TESTS_ENVIRONMENT = \
	BENCHRUN='$(abs_top_builddir)/harness/benchrun'; \
	BENCHRUN_STORE=none; \
	TESTS_BUILDDIR='$(abs_top_builddir)/tests'; \
	TESTS_SRCDIR='$(abs_top_srcdir)/tests'; \
	TESTS_LIBSRCDIR='$(abs_top_srcdir)/lib/include'; \
	TESTS_LIBBUILDDIR='$(abs_top_builddir)/lib'; \
	TESTS_CC='$(CC) $(SAN_CFLAGS)'; TESTS_LIBS='$(PFM_LIBS)'; \
	TESTS_SANITIZED='$(SAN_CFLAGS)'; \
	BENCHRUN_TEST_PG="$${BENCHRUN_TEST_PG:-}"; \
	top_builddir='$(abs_top_builddir)'; top_srcdir='$(abs_top_srcdir)'; \
	MAKE='$(MAKE)'; \
	ASAN_OPTIONS="verify_asan_link_order=0$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}"; \
	CK_TIMEOUT_MULTIPLIER="$${CK_TIMEOUT_MULTIPLIER:-$(SAN_TIMEOUT_MULTIPLIER)}"; \
	export BENCHRUN BENCHRUN_STORE BENCHRUN_TEST_PG TESTS_BUILDDIR TESTS_SRCDIR TESTS_LIBSRCDIR TESTS_LIBBUILDDIR \
	       TESTS_CC TESTS_LIBS TESTS_SANITIZED top_builddir top_srcdir MAKE ASAN_OPTIONS \
	       CK_TIMEOUT_MULTIPLIER;

# The README's first example against a staged install (make install
# DESTDIR=...), its commands as written.
TESTS += %D%/install_readme.sh
EXTRA_DIST += %D%/install_readme.sh %D%/stage_install.sh

# docs/example's CI recipe (ci-bench.sh, the README's gate commands) in a
# copy of the example, against a staged install.
TESTS += %D%/ci_recipe.sh
EXTRA_DIST += %D%/ci_recipe.sh

# The command line's helpers: subcommands after options, option errors,
# --profile matching nothing, the baselines listed when one is missing.
TESTS += %D%/check_options
check_PROGRAMS += %D%/check_options
%C%_check_options_SOURCES = %D%/check_options.c
%C%_check_options_CFLAGS = $(tests_cflags)
%C%_check_options_LDADD = $(tests_harness_libs)

# The baseline store and the regression gate: the store and the statistics
# on constructed data, then the gate on the command line against a worker
# whose slowdown the test chooses (WORKER_GATE_SLOW).
TESTS += %D%/check_baseline %D%/check_compare %D%/check_gate_cli
check_PROGRAMS += %D%/check_baseline %D%/check_compare %D%/check_gate_cli %D%/worker_gate

%C%_check_baseline_SOURCES = %D%/check_baseline.c
%C%_check_baseline_CFLAGS = $(tests_cflags)
%C%_check_baseline_LDADD = $(tests_harness_libs)

%C%_check_compare_SOURCES = %D%/check_compare.c
%C%_check_compare_CFLAGS = $(tests_cflags)
%C%_check_compare_LDADD = $(tests_harness_libs)

# Paired runs on the command line: kept programs that must not run, a
# baseline from before kept libraries, and a user's shared library (built
# at test time from libbrtest.c and worker_libtest.c) swapped after the
# save.
TESTS += %D%/check_paired
check_PROGRAMS += %D%/check_paired
EXTRA_DIST += %D%/libbrtest.c %D%/worker_libtest.c %D%/compare_known.py
%C%_check_paired_SOURCES = %D%/check_paired.c %D%/transcript.h %D%/transcript.c
%C%_check_paired_CFLAGS = $(tests_cflags)
%C%_check_paired_LDADD = $(tests_harness_libs) $(JANSSON_LIBS)

# The gate's decision procedure driven by a scripted measurement source.
TESTS += %D%/check_gate
check_PROGRAMS += %D%/check_gate
%C%_check_gate_SOURCES = %D%/check_gate.c
%C%_check_gate_CFLAGS = $(tests_cflags)
%C%_check_gate_LDADD = $(tests_harness_libs)

%C%_check_gate_cli_SOURCES = %D%/check_gate_cli.c %D%/transcript.h %D%/transcript.c
%C%_check_gate_cli_CFLAGS = $(tests_cflags)
%C%_check_gate_cli_LDADD = $(CHECK_LIBS) $(JANSSON_LIBS)

%C%_worker_gate_SOURCES = %D%/worker_gate.c
%C%_worker_gate_LDADD = lib/libbenchrun-internal.la

# Complexity fits of parameter sweeps.
TESTS += %D%/check_complexity
check_PROGRAMS += %D%/check_complexity
%C%_check_complexity_SOURCES = %D%/check_complexity.c
%C%_check_complexity_CFLAGS = $(tests_cflags)
%C%_check_complexity_LDADD = $(tests_harness_libs)

# The instruction measure: callgrind's dump files read, and worker_instr
# (bodies of known instruction counts) run under Valgrind for real;
# worker_instr_plus is the same program with one more instruction in one
# body, the "new build" of the +1 instruction test.
TESTS += %D%/check_instructions
check_PROGRAMS += %D%/check_instructions %D%/worker_instr %D%/worker_instr_plus
%C%_check_instructions_SOURCES = %D%/check_instructions.c %D%/transcript.h %D%/transcript.c
%C%_check_instructions_CFLAGS = $(tests_cflags)
%C%_check_instructions_LDADD = $(tests_harness_libs) $(JANSSON_LIBS)
%C%_worker_instr_SOURCES = %D%/worker_instr.c
%C%_worker_instr_LDADD = lib/libbenchrun-internal.la
%C%_worker_instr_plus_SOURCES = %D%/worker_instr.c
%C%_worker_instr_plus_CPPFLAGS = $(AM_CPPFLAGS) -DWORKER_INSTR_PLUS
%C%_worker_instr_plus_LDADD = lib/libbenchrun-internal.la

# Counters: the arithmetic, the loop with a scripted backend and the live
# libpfm4 -> perf_event path (exit 77 when the kernel refuses perf events);
# worker_counters gives the CLI tests a body with a known page-fault count.
TESTS += %D%/check_counters
check_PROGRAMS += %D%/check_counters %D%/worker_counters
%C%_check_counters_SOURCES = %D%/check_counters.c
%C%_check_counters_CFLAGS = $(tests_cflags)
%C%_check_counters_LDADD = lib/libbenchrun-internal.la $(tests_harness_libs)
%C%_worker_counters_SOURCES = %D%/worker_counters.c
%C%_worker_counters_LDADD = lib/libbenchrun-internal.la

# The HTML report and the Markdown summary on constructed result sets:
# pages, links, numbers, hostile names, and no gnuplot on PATH.
TESTS += %D%/check_report
check_PROGRAMS += %D%/check_report
%C%_check_report_SOURCES = %D%/check_report.c
%C%_check_report_CFLAGS = $(tests_cflags)
%C%_check_report_LDADD = $(tests_harness_libs)

# --report and --markdown on the command line, with and without gnuplot;
# worker_names registers awkward names and names the registry refuses.
TESTS += %D%/check_report_cli
check_PROGRAMS += %D%/check_report_cli %D%/worker_names
%C%_check_report_cli_SOURCES = %D%/check_report_cli.c %D%/transcript.h %D%/transcript.c
%C%_check_report_cli_CFLAGS = $(tests_cflags)
%C%_check_report_cli_LDADD = $(CHECK_LIBS) $(JANSSON_LIBS)
%C%_worker_names_SOURCES = %D%/worker_names.c
%C%_worker_names_LDADD = lib/libbenchrun-internal.la

# Profiles: the sampler in the library (live, exit 77 when perf is refused),
# symbolisation with libdwfl, and folded stacks, flame graphs and the
# differential on constructed profiles.  worker_profile has a body whose
# work splits 70/30 between two functions; librefuseperf.la is preloaded to
# make perf_event_open fail as a locked-down kernel would.
TESTS += %D%/check_sampler %D%/check_symbols %D%/check_flame
check_PROGRAMS += %D%/check_sampler %D%/check_symbols %D%/check_flame %D%/worker_profile
check_LTLIBRARIES += %D%/librefuseperf.la
%C%_check_sampler_SOURCES = %D%/check_sampler.c
%C%_check_sampler_CFLAGS = $(tests_cflags) $(BENCH_CFLAGS)
%C%_check_sampler_LDADD = lib/libbenchrun-internal.la $(CHECK_LIBS) $(JANSSON_LIBS)
%C%_check_symbols_SOURCES = %D%/check_symbols.c
%C%_check_symbols_CFLAGS = $(tests_cflags) $(DW_CFLAGS) $(BENCH_CFLAGS) -g
%C%_check_symbols_LDADD = $(tests_harness_libs)
%C%_check_flame_SOURCES = %D%/check_flame.c
%C%_check_flame_CFLAGS = $(tests_cflags)
%C%_check_flame_LDADD = $(tests_harness_libs)
%C%_worker_profile_SOURCES = %D%/worker_profile.c
%C%_worker_profile_CFLAGS = $(AM_CFLAGS) $(BENCH_CFLAGS)
%C%_worker_profile_LDADD = lib/libbenchrun-internal.la
%C%_librefuseperf_la_SOURCES = %D%/refuse_perf.c
# Without sanitizers: it is preloaded into gnuplot too, which has no
# sanitizer runtime to resolve their checks against.
%C%_librefuseperf_la_CFLAGS = $(AM_CFLAGS) $(SAN_OFF_CFLAGS)
%C%_librefuseperf_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere

# benchrun --profile: the worker's records, the cut, symbolising this
# program's functions, the JSON round trip, and transcripts on
# worker_profile (perf refused by librefuseperf.so; a stored "before").
TESTS += %D%/check_profile
check_PROGRAMS += %D%/check_profile
%C%_check_profile_SOURCES = %D%/check_profile.c %D%/transcript.h %D%/transcript.c
%C%_check_profile_CFLAGS = $(tests_cflags) $(DW_CFLAGS) $(BENCH_CFLAGS) -g
%C%_check_profile_LDADD = $(tests_harness_libs)

# The profile's exports on constructed profiles: pprof decoded with the
# generated protobuf-c code, speedscope read back with jansson, the DOT
# call graph's lines, and dot's rendering when graphviz is installed.
TESTS += %D%/check_profile_export
check_PROGRAMS += %D%/check_profile_export
%C%_check_profile_export_SOURCES = %D%/check_profile_export.c %D%/check_main.h
%C%_check_profile_export_CFLAGS = $(tests_cflags) $(PROTOBUF_C_CFLAGS) $(ZLIB_CFLAGS)
%C%_check_profile_export_LDADD = $(tests_harness_libs) $(JANSSON_LIBS) $(PROTOBUF_C_LIBS) \
	$(ZLIB_LIBS)
%D%/check_profile_export-check_profile_export.$(OBJEXT): harness/profile.pb-c.h

TESTS += %D%/check_noise
check_PROGRAMS += %D%/check_noise
%C%_check_noise_SOURCES = %D%/check_noise.c %D%/check_main.h
%C%_check_noise_CFLAGS = $(tests_cflags)
%C%_check_noise_LDADD = $(tests_harness_libs)

# The lifetime of workers: benchrun ended by ^C, SIGTERM, SIGHUP and
# SIGKILL while worker_life hangs, and a run whose benchmark leaves a
# setsid() child; no process of the run may outlive it.
TESTS += %D%/check_life
check_PROGRAMS += %D%/check_life %D%/worker_life
%C%_check_life_SOURCES = %D%/check_life.c
%C%_check_life_CFLAGS = $(tests_cflags)
%C%_check_life_LDADD = $(CHECK_LIBS)
%C%_worker_life_SOURCES = %D%/worker_life.c
%C%_worker_life_LDADD = lib/libbenchrun-internal.la
