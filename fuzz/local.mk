# SPDX-License-Identifier: GPL-3.0-or-later
# libFuzzer targets for the readers of untrusted input, built by
# ./configure --enable-fuzzing CC=clang (fuzz/README.md).  They link the
# harness library as the tests do; scripts/fuzz-seeds makes their seeds
# from the project's own programs and scripts/fuzz-smoke runs each briefly.
fuzz_targets = %D%/fuzz_baseline %D%/fuzz_protocol %D%/fuzz_flame
if ENABLE_FUZZING
noinst_PROGRAMS += $(fuzz_targets)
fuzz: $(fuzz_targets)
else
fuzz:
	@echo "make fuzz: configure with --enable-fuzzing CC=clang first (fuzz/README.md)" >&2; exit 2
# Any other build replays fuzz/corpus through the same targets in make
# check, so an input that once found a bug stays a test.
fuzz_replays = %D%/replay_baseline %D%/replay_protocol %D%/replay_flame
check_PROGRAMS += $(fuzz_replays)
TESTS += $(fuzz_replays)
endif
.PHONY: fuzz

fuzz_cflags = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS)
fuzz_ldflags = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)

%C%_fuzz_baseline_SOURCES = %D%/fuzz_baseline.c
%C%_fuzz_baseline_CFLAGS = $(fuzz_cflags)
%C%_fuzz_baseline_LDFLAGS = $(fuzz_ldflags)
%C%_fuzz_baseline_LDADD = harness/libharness.la

%C%_fuzz_protocol_SOURCES = %D%/fuzz_protocol.c
%C%_fuzz_protocol_CFLAGS = $(fuzz_cflags)
%C%_fuzz_protocol_LDFLAGS = $(fuzz_ldflags)
%C%_fuzz_protocol_LDADD = harness/libharness.la

%C%_fuzz_flame_SOURCES = %D%/fuzz_flame.c
%C%_fuzz_flame_CFLAGS = $(fuzz_cflags)
%C%_fuzz_flame_LDFLAGS = $(fuzz_ldflags)
%C%_fuzz_flame_LDADD = harness/libharness.la

%C%_replay_baseline_SOURCES = %D%/fuzz_baseline.c %D%/replay.c
%C%_replay_baseline_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"baseline"'
%C%_replay_baseline_CFLAGS = $(fuzz_cflags)
%C%_replay_baseline_LDADD = harness/libharness.la

%C%_replay_protocol_SOURCES = %D%/fuzz_protocol.c %D%/replay.c
%C%_replay_protocol_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"protocol"'
%C%_replay_protocol_CFLAGS = $(fuzz_cflags)
%C%_replay_protocol_LDADD = harness/libharness.la

%C%_replay_flame_SOURCES = %D%/fuzz_flame.c %D%/replay.c
%C%_replay_flame_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"flame"'
%C%_replay_flame_CFLAGS = $(fuzz_cflags)
%C%_replay_flame_LDADD = harness/libharness.la

EXTRA_DIST += %D%/README.md %D%/corpus scripts/fuzz-seeds scripts/fuzz-smoke
