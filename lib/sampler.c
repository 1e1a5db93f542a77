/* SPDX-License-Identifier: MIT */
/* Sampled profiles of the measured loop (to be written). */
#include "internal.h"
