# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the install tests: make install DESTDIR=$work/stage, then point
# pkg-config (PKG_CONFIG_PATH, PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR),
# the loader (LD_LIBRARY_PATH) and PATH at the staged files only.  Needs
# $work, $MAKE, $top_builddir and a fail() function.
stage=$work/stage
$MAKE -s -C "$top_builddir" install DESTDIR="$stage" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log" >&2; fail "make install DESTDIR=$stage failed"; }
pc=`find "$stage" -name benchrun.pc | head -n 1`
test -n "$pc" || fail "no benchrun.pc installed"
libdir=`dirname "$(dirname "$pc")"`
bin=`find "$stage" -path '*/bin/benchrun' | head -n 1`
test -x "$bin" || fail "no bin/benchrun installed"
PKG_CONFIG_PATH=`dirname "$pc"` PKG_CONFIG_LIBDIR=`dirname "$pc"`
PKG_CONFIG_SYSROOT_DIR=$stage LD_LIBRARY_PATH=$libdir PATH=`dirname "$bin"`:$PATH
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR LD_LIBRARY_PATH PATH
