/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a SIGKILLed cell of the cgroupfs manager left in cgroupfs, taken
 * back by a later cell (cgroup-leftover.c says when and why it is safe). */

#include <stdbool.h>

#include "cgroup-util.h"

/* Before it makes them, a cell notes in its name's lock file
 * (name_lock_note()) each cgroup it makes and each controller it turns on: */
#define CGROUP_NOTE_DIR "cgroup"        /* "cgroup PATH": cell-NAME in one hierarchy */
#define CGROUP_NOTE_LEAF "leaf"         /* "leaf PATH": cell's own leaf (cgroup-leaf.c) */
#define CGROUP_NOTE_ENABLED "enabled"   /* "enabled CONTROLLER PATH": +CONTROLLER in PATH's subtree_control */

/* Takes back what the notes of a dead holder of a name's lock name: each
 * noted cgroup that is empty (waiting up to wait_ms for a dying one to
 * empty), with what an init inside made below it; then each controller it
 * turned on, where no child is left in that cgroup; then, with any manager,
 * what it made of its container's /run/host on the host ("run-host" notes:
 * run_host_take_back()). The number of cgroups removed; *ret_all (if not
 * NULL): no noted cgroup is left. */
unsigned cgroup_leftover_take_back(const char *notes, unsigned wait_ms, bool *ret_all);

/* Called by cgroup_leftover_take_back(), last, with each note of a key it
 * does not know ("KEY VALUE", split): what other stages noted (src/spawn's
 * Zone=), taken back by whoever sets it (src/cli/take-back.h), as src/scope
 * calls into no later stage. NULL: none. */
typedef void (*LeftoverNoteHook)(const char *key, const char *value);
void cgroup_leftover_set_hook(LeftoverNoteHook hook);

/* A cgroupfs start of the cell whose cgroup is self_child: the dead cells'
 * cgroups beside it (cell-NAME whose NAME's lock file is there and free),
 * found in the one hierarchy every cell of the manager makes one in (the
 * cgroup2 tree, else name=systemd), taken back with all their notes name. */
void cgroup_leftover_sweep(const CgroupMount *mounts, size_t n_mounts, const CgroupMembership *own, size_t n_own,
                           const char *self_child);
