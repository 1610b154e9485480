/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <time.h>

#include "spawn-error.h"

/* The clocks a new time namespace's offsets are taken from, read in this
 * order: the boot clock first, then the monotonic ones. */
typedef struct TimensClocks {
        struct timespec boottime;
        struct timespec monotonic, monotonic_raw, monotonic_coarse;
} TimensClocks;

/* PrivateTime=: the whole seconds taken off the monotonic clocks (which
 * share one offset: CLOCK_MONOTONIC, _RAW and _COARSE) and off the boot
 * clock, so that inside each starts near zero, none below it, and the boot
 * clock is never behind the monotonic one (as on any machine). Pure. */
void timens_offsets(const TimensClocks *c, int64_t *ret_monotonic, int64_t *ret_boottime);

/* unshare(CLONE_NEWTIME) and its offsets written, before any process is in
 * it: what the caller execs or forks next runs in it. */
int timens_setup(SpawnError *err);
