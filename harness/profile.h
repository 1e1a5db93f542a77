/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sampled CPU profiles of benchmarks (to be written). */
#ifndef BENCHRUN_PROFILE_H
#define BENCHRUN_PROFILE_H
#endif
