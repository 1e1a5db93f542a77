# SPDX-License-Identifier: GPL-3.0-or-later
man1_MANS = %D%/benchrun.1
