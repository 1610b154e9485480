/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cgroupfs manager's IO limits: IOWeight= and the per-device keys, as
 * systemd 252 writes them (scope-cgroupfs.c makes the cgroups). */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup-io.h"
#include "cgroup-util.h"
#include "fs-util.h"
#include "log.h"
#include "parse-limits.h"
#include "scope-cgroupfs.h"

int scope_cgroupfs_write_io(Scope *s, const Plan *p, int idx, bool v2) {
        const PlanLimits *l = &p->limits;
        _cleanup_free_ CgroupIOWrite *w = NULL;
        size_t n = 0, bad = 0;
        int r;

        r = cg_io_writes(s->io_disks, s->n_io_disks, v2, &w, &n, &bad);
        if (r == -EOPNOTSUPP)
                return scope_set_error(s, r, "%s:%u: %s=: cgroup v1 has no such limit (cgroup2's io controller "
                                       "has it)", strna(l->io_devices[bad].file), l->io_devices[bad].line,
                                       io_kind_key(l->io_devices[bad].kind));
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const CellIODevice *d = l->io_devices + w[i].origin;
                CgroupDir *dir = s->fs->dirs + idx;

                /* Weights: iocost's io.weight (v1: CFQ's), which refuses a disk
                 * iocost is off for, else BFQ's, which refuses one BFQ does not
                 * schedule (EOPNOTSUPP): nothing weighs IO there, as systemd
                 * says in its log only. */
                r = cg_write(dir->fd, w[i].file, w[i].line);
                if ((r == -ENOENT || r == -EOPNOTSUPP) && w[i].fallback) {
                        r = cg_write(dir->fd, w[i].fallback, w[i].fallback_line);
                        if (r >= 0 || r == -ENOENT || r == -EOPNOTSUPP)
                                w[i].file = w[i].fallback;
                }
                /* cgroup v1 has no iocost: there it takes CFQ or BFQ. */
                if ((r == -ENOENT || r == -EOPNOTSUPP) && w[i].optional) {
                        log_warning("%s:%u: %s=%s: no IO scheduler with weights on this disk (%s): not applied.",
                                    strna(d->file), d->line, io_kind_key(d->kind), d->path,
                                    v2 ? "iocost off, not BFQ" : "CFQ is gone since Linux 5.0, BFQ does not run it");
                        continue;
                }
                /* A kernel without blk-iolatency (CONFIG_BLK_CGROUP_IOLATENCY:
                 * Debian 12's) has io.latency in no cgroup, io.max in each: no
                 * latency target there, which systemd 252 ignores (debug log);
                 * said at the key's line, and the container runs as it would in
                 * a systemd scope. */
                if (r == -ENOENT && strcmp(w[i].file, "io.latency") == 0 &&
                    faccessat(dir->fd, "io.max", F_OK, 0) >= 0) {
                        log_warning("%s:%u: %s=%s: this kernel has no IO latency targets (no io.latency in %s: "
                                    "blk-iolatency, CONFIG_BLK_CGROUP_IOLATENCY): not applied.",
                                    strna(d->file), d->line, io_kind_key(d->kind), d->path, dir->path);
                        continue;
                }
                /* The file could not be opened: no word from the kernel on the disk. */
                if (r == -EMFILE || r == -ENFILE || r == -ENOMEM)
                        return scope_set_error(s, r, "%s:%u: %s=%s: writing \"%s\" to %s in %s: %s",
                                               strna(d->file), d->line, io_kind_key(d->kind), d->path,
                                               w[i].line, w[i].file, dir->path, strerror(-r));
                /* The kernel refuses a disk that takes no IO limits (a loop device
                 * without a queue, a disk gone since it was found): named by its
                 * node too, as the path the unit wrote may be a file on it. */
                if (r < 0) {
                        char name[PATH_MAX];

                        block_device_node(w[i].dev, name, sizeof name);
                        return scope_set_error(s, r, "%s:%u: %s=%s: the kernel refuses the disk %u:%u%s%s%s: "
                                               "cannot write \"%s\" to %s in %s: %s",
                                               strna(d->file), d->line, io_kind_key(d->kind), d->path,
                                               major(w[i].dev), minor(w[i].dev),
                                               name[0] ? " (" : "", name, name[0] ? ")" : "",
                                               w[i].line, w[i].file, dir->path, strerror(-r));
                }
        }
        return 0;
}

int scope_cgroupfs_write_io_weight_v2(Scope *s, const Plan *p, int idx) {
        uint64_t weight = p->limits.io_weight;
        CgroupDir *d = s->fs->dirs + idx;
        char buf[64], where[PATH_MAX + 32];
        int r, r_bfq;

        snprintf(buf, sizeof buf, "%" PRIu64, cg_io_weight_to_bfq(weight));
        r_bfq = cg_write(d->fd, "io.bfq.weight", buf);
        if (r_bfq < 0 && r_bfq != -ENOENT)
                return scope_set_error(s, r_bfq, "IOWeight=%" PRIu64 ": cannot write io.bfq.weight=%s in %s: %s",
                                       weight, buf, d->path, strerror(-r_bfq));
        snprintf(buf, sizeof buf, "default %" PRIu64, weight);
        r = cg_write(d->fd, "io.weight", buf);
        if (r == -ENOENT && r_bfq >= 0)
                return 0;
        /* Named at its line, as on v1: the unit's reader finds what is not applied. */
        if (r == -ENOENT) {
                log_warning("%sIOWeight=%" PRIu64 ": %s has neither io.weight nor io.bfq.weight (no IO scheduler "
                            "with weights): not applied.", plan_origin_prefix(p, "IOWeight", 0, where, sizeof where),
                            weight, d->path);
                return 0;
        }
        if (r < 0)
                return scope_set_error(s, r, "IOWeight=%" PRIu64 ": cannot write io.weight=%s in %s: %s",
                                       weight, buf, d->path, strerror(-r));
        return 0;
}

void scope_cgroupfs_write_io_weight_v1(Scope *s, const Plan *p, int idx) {
        const CgroupDir *d = s->fs->dirs + idx;
        uint64_t weight = p->limits.io_weight;
        char buf[32], where[PATH_MAX + 32];
        int r_bfq, r;

        /* Both files, as systemd 252: BFQ's, on the scale systemd gives BFQ on
         * v1, and CFQ's (gone since Linux 5.0); neither is required. */
        snprintf(buf, sizeof buf, "%" PRIu64, cg_io_weight_to_blkio_bfq(weight));
        r_bfq = cg_write(d->fd, "blkio.bfq.weight", buf);
        snprintf(buf, sizeof buf, "%" PRIu64, cg_io_weight_to_blkio(weight));
        r = cg_write(d->fd, "blkio.weight", buf);
        /* Neither there: nothing weighs IO, which systemd says in its debug log
         * only; the unit's reader is told, as on cgroup2. */
        if (r == -ENOENT && r_bfq == -ENOENT)
                log_warning("%sIOWeight=%" PRIu64 ": %s has neither blkio.weight nor blkio.bfq.weight (no IO "
                            "scheduler with weights: CFQ is gone since Linux 5.0, BFQ is not loaded): not applied.",
                            plan_origin_prefix(p, "IOWeight", 0, where, sizeof where), weight, d->path);
}
