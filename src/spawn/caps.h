/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Capabilities with libcap. Masks are the plan's: bit N is capability N.
 *
 * Order in the child: caps_bounding_set() while still root with
 * CAP_SETPCAP, caps_keep_across_uid_change() before setresuid, then
 * caps_apply() once the ids are final. */

#include <stdbool.h>
#include <stdint.h>

#include "spawn-error.h"

/* Drops every capability not in keep from the bounding set. */
int caps_bounding_set(uint64_t keep, SpawnError *err);
/* The permitted set survives the uid change (SECBIT_KEEP_CAPS). */
int caps_keep_across_uid_change(SpawnError *err);
/* Sets effective, permitted and inheritable, raises the ambient ones, and
 * turns keep-caps off again. Capabilities the kernel does not know are
 * ignored. Ambient capabilities are added to inheritable (the kernel
 * requires them there). */
int caps_apply(uint64_t effective, uint64_t permitted, uint64_t inheritable, uint64_t ambient,
               SpawnError *err);
/* The highest capability number the running kernel knows, plus one. */
unsigned caps_count(void);
/* The calling thread's bounding set as a mask: what it can still grant. */
uint64_t caps_held(void);
/* Whether the calling thread has capability cap effective: why the kernel
 * refused a step that needs it, for its message. */
bool caps_effective(unsigned cap);
/* -EPERM naming the first of required not in held, and its key: AmbientCapability=
 * where ambient has it, else Capability=. */
int caps_check_held(uint64_t required, uint64_t ambient, uint64_t held, SpawnError *err);
