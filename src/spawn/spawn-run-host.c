/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's /run/host on a directory of the host's (spawn-run-host.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs-util.h"
#include "macros.h"
#include "spawn-run-host.h"

static bool path_same(const char *a, const char *b) {
        return path_is_below(a, b) && path_is_below(b, a);
}

int run_host_path(const Plan *p, char **ret) {
        const char *source = NULL;
        bool at_run = false;

        /* The last mount at /run or /run/host is the one the container sees
         * there; a re-mount read-only (or a mask, refused by the build) makes
         * nothing new. */
        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *m = p->mounts + i;
                bool run = m->target && path_same(m->target, "/run");

                if (!m->target || (!run && !path_same(m->target, "/run/host")) || m->kind == PLAN_MOUNT_READ_ONLY)
                        continue;
                source = m->kind == PLAN_MOUNT_BIND && !m->source_in_root && m->source ? m->source : NULL;
                at_run = run;
        }
        if (!source) {
                *ret = NULL;
                return 0;
        }
        if (!at_run) {
                *ret = strdup(source);
                return *ret ? 0 : -ENOMEM;
        }
        return asprintf(ret, "%s%shost", source, endswith(source, "/") ? "" : "/") < 0 ? -ENOMEM : 0;
}
