/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the start finds at a mount's target, as far as the plan knows
 * (plan-mount-check.h: plan_mount_target_found()): the plan's mounts indexed
 * by target, each lookup in log n. The host's side (the root's files, a
 * Bind='s source) is cli/verify-mounts.c's. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs-util.h"
#include "macros.h"
#include "plan-internal.h"
#include "plan-mount-check.h"

static int target_entry_compare(const void *a, const void *b) {
        const PlanTargetEntry *x = a, *y = b;
        int d = strcmp(x->path, y->path);

        return d != 0 ? d : (x->index > y->index) - (x->index < y->index);
}

int plan_target_index_build(const Plan *p, PlanTargetIndex *ret) {
        PlanTargetIndex x = {};

        x.entries = calloc(MAX(p->n_mounts, (size_t) 1), sizeof(PlanTargetEntry));
        if (!x.entries)
                return -ENOMEM;
        for (; x.n < p->n_mounts; x.n++) {
                x.entries[x.n] = (PlanTargetEntry) {
                        .path = plan_path_components(p->mounts[x.n].target),
                        .index = x.n,
                };
                if (!x.entries[x.n].path) {
                        plan_target_index_done(&x);
                        return -ENOMEM;
                }
        }
        qsort(x.entries, x.n, sizeof(PlanTargetEntry), target_entry_compare);
        *ret = x;
        return 0;
}

void plan_target_index_done(PlanTargetIndex *x) {
        for (size_t k = 0; k < x->n; k++)
                free(x->entries[k].path);
        free(x->entries);
        *x = (PlanTargetIndex) {};
}

/* Of the mounts whose target is the first n bytes of key, the last before
 * the mount of index i: its index, or SIZE_MAX. */
static size_t target_last_before(const PlanTargetIndex *x, const char *key, size_t n, size_t i) {
        size_t lo = 0, hi = x->n;

        /* The first entry at (key, i) or after it; the one before, if key's. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const PlanTargetEntry *e = &x->entries[mid];
                int d = strncmp(e->path, key, n);

                if (d == 0)
                        d = e->path[n] ? 1 : (e->index > i) - (e->index < i);
                if (d < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == 0)
                return SIZE_MAX;
        lo--;
        return strncmp(x->entries[lo].path, key, n) == 0 && !x->entries[lo].path[n] ? x->entries[lo].index : SIZE_MAX;
}

PlanTargetFound plan_mount_target_found(const Plan *p, const PlanTargetIndex *x, size_t i, const char *path,
                                        size_t *ret_bind) {
        _cleanup_free_ char *key = plan_path_components(path);
        const PlanMount *top;
        size_t last = SIZE_MAX;

        if (!key)
                return PLAN_TARGET_UNKNOWN;
        /* The mounts at each of path's leading paths ("", "/a", "/a/b" of
         * "/a/b"), found in log n each, not by holding path against every
         * mount: verify of a unit of thousands of them took seconds. */
        for (size_t end = 0;; end++) {
                size_t j;

                end += strcspn(key + end, "/");
                j = target_last_before(x, key, end, i);
                if (j != SIZE_MAX && (last == SIZE_MAX || j > last))
                        last = j;
                if (!key[end])
                        break;
        }
        if (last == SIZE_MAX)
                return PLAN_TARGET_ROOT;
        top = &p->mounts[last];
        if (!path_is_below(top->target, path))
                return PLAN_TARGET_UNKNOWN;
        /* An optional file system (the built-in /tmp) is skipped where the
         * root has no directory for it. */
        if ((top->kind == PLAN_MOUNT_FS && !top->optional) || top->kind == PLAN_MOUNT_OVERLAY)
                return PLAN_TARGET_DIRECTORY;
        /* An optional one (/dev/net/tun) is left out where the host has none. */
        if (top->kind == PLAN_MOUNT_DEVICE && !top->optional)
                return PLAN_TARGET_NODE;
        /* A unit's own, but an optional one, which a missing source skips. */
        if (top->kind == PLAN_MOUNT_BIND && top->line > 0 && !top->optional && ret_bind) {
                *ret_bind = last;
                return PLAN_TARGET_BIND;
        }
        return PLAN_TARGET_UNKNOWN;
}
