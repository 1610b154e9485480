/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The checks of the mount stage (plan-mount-check.c) on the unit's mounts,
 * against each other, the root and what cell mounts after them. Each says
 * its problems into errs (plan-mount-entry.h) and returns -EINVAL when it
 * found one, -ENOMEM, or 0. */

#include "config.h"
#include "plan-mount-entry.h"
#include "plan.h"

/* The file a config entry was written in: its own (a drop-in's), else the
 * main file's (a config made by hand may name none). */
static inline const char *plan_entry_file(const CellConfig *c, const char *file) {
        return file ?: c->path;
}

/* Every overlay's layers, and the uppers of those that write, each sorted
 * by path (then by overlay): what plan_overlay_check_layers() looks in. */
typedef struct OverlayLayerEntry {
        const char *path;       /* the config's */
        size_t overlay;         /* its index in c->overlays */
} OverlayLayerEntry;

typedef struct OverlayLayers {
        OverlayLayerEntry *layers, *uppers;
        size_t n_layers, n_uppers;
} OverlayLayers;

int plan_overlay_layers_build(const CellConfig *c, OverlayLayers *ret);
void plan_overlay_layers_done(OverlayLayers *l);
/* The layers of c->overlays[i] against its own and those before it. */
int plan_overlay_check_layers(const CellConfig *c, const OverlayLayers *layers, size_t i, PlanMountErrors *errs);
/* An overlay's "+" upper directory against a root Volatile=state makes
 * read-only. */
int plan_overlay_check_volatile(const CellConfig *c, const CellOverlay *o, PlanMountErrors *errs);
/* The unit's mounts (p->mounts[first_unit..]) against the masks, read-only
 * paths and cgroup cell mounts after them; drops the built-in entries an
 * Inaccessible= hides. */
int plan_mounts_check_api(Plan *p, const CellConfig *c, size_t first_unit, PlanMountErrors *errs);
/* The unit's mounts (p->mounts[first_unit..]) against the device nodes and
 * symlinks cell makes before them (/dev/zero, /dev/fd): no file system
 * over one, nothing below one. */
int plan_mounts_check_own_files(const Plan *p, const CellConfig *c, size_t first_unit, PlanMountErrors *errs);
/* The plan's mounts by target (its components, "/a//b/" as "/a/b"), for
 * plan_mount_target_found(). */
typedef struct PlanTargetEntry {
        char *path;
        size_t index;           /* in p->mounts */
} PlanTargetEntry;

typedef struct PlanTargetIndex {
        PlanTargetEntry *entries;       /* sorted by path, then index */
        size_t n;
} PlanTargetIndex;

int plan_target_index_build(const Plan *p, PlanTargetIndex *ret);
void plan_target_index_done(PlanTargetIndex *x);

/* What the start finds at path when it comes to p->mounts[i], as far as the
 * plan knows: the last mount before i at or above path decides. ROOT: none
 * is, the root's own file (the caller looks, the plan reads no tree);
 * DIRECTORY: a file system of cell's or the unit's is mounted there; NODE:
 * cell makes a device node there (/dev/zero); BIND: a Bind= of the unit's
 * is mounted there, of its source's kind (the caller looks), *ret_bind its
 * index; UNKNOWN: a file in another mount (a bind's source, a tmpfs), or a
 * link of cell's (or no memory). x: p's index (plan_target_index_build()). */
typedef enum PlanTargetFound {
        PLAN_TARGET_ROOT,
        PLAN_TARGET_DIRECTORY,
        PLAN_TARGET_NODE,
        PLAN_TARGET_BIND,
        PLAN_TARGET_UNKNOWN,
} PlanTargetFound;
PlanTargetFound plan_mount_target_found(const Plan *p, const PlanTargetIndex *x, size_t i, const char *path,
                                        size_t *ret_bind);
/* A mount of the unit's at or below the notify socket or (with credentials)
 * the credentials' directory, which cell makes in /run/host after the
 * unit's mounts: an error for each, with its line. */
int plan_mounts_check_run_host(const Plan *p, const CellConfig *c, size_t first_unit, PlanMountErrors *errs);
/* Which of c->inaccessible[] an earlier entry (other than "/") hides
 * already: *ret, one flag an entry, allocated. */
int plan_inaccessible_hidden(const CellConfig *c, bool **ret);
/* Exec='s command against the unit's mounts: one that an Inaccessible=
 * hides, an empty TemporaryFileSystem= covers, or a noexec mount holds
 * could never start, whatever the root has; refused here, at Exec='s line. */
int plan_command_check_mounts(const Plan *p, const CellConfig *c, Diagnostics *diag);
/* WorkingDirectory= below an Inaccessible= or an empty TemporaryFileSystem=
 * of the unit's: it could never be entered; refused at its line. */
int plan_working_directory_check_mounts(const Plan *p, const CellConfig *c, Diagnostics *diag);
