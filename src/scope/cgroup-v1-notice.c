/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The [Limits] keys a host whose controllers are cgroup v1 ones refuses or
 * leaves unapplied (cgroup-v1-notice.h): what scope.c's needs check refuses
 * with a systemd scope, what scope-cgroupfs-v1.c refuses or writes otherwise,
 * said before a start, on the host that will run it. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "cgroup-v1-notice.h"
#include "fs-util.h"
#include "log.h"
#include "output-relay.h"
#include "parse-limits.h"
#include "strv.h"
#include "utf8.h"

#define RUN_FAILS "\"cell run\" fails here"
#define NO_WEIGHTS "which has neither blkio.weight nor blkio.bfq.weight (no IO scheduler with weights: CFQ is " \
        "gone since Linux 5.0, BFQ is not loaded)"
#define NO_BLKIO "its cgroup controllers are v1 ones, and no blkio hierarchy (cgroup v1's io controller) is mounted"

/* The notices, with their count: thousands of them (an IODeviceWeight=
 * line each) are not each appended by a walk to the end. */
typedef struct Notices {
        char **l;
        size_t n;
} Notices;

static int add(Notices *l, const char *fmt, ...) _printf_(2, 3);
static int add(Notices *l, const char *fmt, ...) {
        va_list ap;
        char *m;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_push_n(&l->l, &l->n, m);
}

static bool on_v1(const CgroupV1Host *h, const char *controller) {
        return cg_mount_find(h->mounts, h->n_mounts, controller);
}

static bool limit_finite(const CellLimit *l) {
        return l->kind == CELL_LIMIT_VALUE || l->kind == CELL_LIMIT_PERCENT;
}

static int memory_notices(const PlanLimits *l, const CgroupV1Host *h, Notices *n) {
        bool systemd = h->manager == CGROUP_MANAGER_SYSTEMD;
        int r = 0;

        if (!on_v1(h, "memory"))
                return 0;
        /* Refused by both managers: cgroup2's protections have no v1 twin. 0
         * protects nothing, as v1 does: systemd ignores it there, as cell. */
        if (cg_limit_protects(&l->memory_min) &&
            (r = add(n, "MemoryMin=: refused on this host: its memory controller is a cgroup v1 one, which has no "
                     "memory protection (cgroup2's memory.min); " RUN_FAILS ", the unit needs a cgroup2 host")) < 0)
                return r;
        if (cg_limit_protects(&l->memory_low) &&
            (r = add(n, "MemoryLow=: refused on this host: its memory controller is a cgroup v1 one, which has no "
                     "memory protection (cgroup2's memory.low); " RUN_FAILS ", the unit needs a cgroup2 host")) < 0)
                return r;
        /* systemd has only MemoryMax= on v1; the scope's needs check refuses the rest. */
        if (systemd) {
                const char *keys[] = { l->memory_high.kind ? "MemoryHigh" : NULL,
                                       l->memory_swap_max.kind ? "MemorySwapMax" : NULL };
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        if (keys[i] && (r = add(n, "%s=: refused on this host: systemd sets it on cgroup2 only, and "
                                                "the memory controller is a cgroup v1 one here; " RUN_FAILS " with "
                                                "a systemd scope (the cgroupfs manager sets it on v1)", keys[i])) < 0)
                                return r;
                return 0;
        }
        /* The cgroupfs manager: the soft limit for MemoryHigh=, memsw (memory and
         * swap together) for MemorySwapMax=, which needs a finite MemoryMax= then. */
        if (limit_finite(&l->memory_high) &&
            (r = add(n, "MemoryHigh=: not applied as a throttling threshold on this host: its memory controller is "
                     "a cgroup v1 one, which has none; the cgroupfs manager sets cgroup v1's soft limit "
                     "(memory.soft_limit_in_bytes) instead")) < 0)
                return r;
        if (limit_finite(&l->memory_swap_max) && !limit_finite(&l->memory_max) &&
            (r = add(n, "MemorySwapMax=: refused on this host: cgroup v1 limits swap only together with memory "
                     "(memory.memsw.limit_in_bytes), and the memory controller is a cgroup v1 one here; " RUN_FAILS
                     " unless %s is set too", l->memory_max.kind ? "a MemoryMax= other than infinity" :
                     "MemoryMax=")) < 0)
                return r;
        return 0;
}

static int cpu_notices(const PlanLimits *l, const CgroupV1Host *h, Notices *n) {
        /* The cgroupfs manager has no start-up phase: StartupCPUWeight= is
         * never applied there (the start says so), idle or not. */
        bool systemd = h->manager == CGROUP_MANAGER_SYSTEMD;
        const char *keys[] = { l->cpu_idle ? "CPUWeight" : NULL,
                               l->startup_cpu_idle && systemd ? "StartupCPUWeight" : NULL };
        int r;

        if (!on_v1(h, "cpu"))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (keys[i] && (r = add(n, "%s=idle: not applied as idle on this host: its cpu controller is a "
                                        "cgroup v1 one, which has no cpu.idle; the container gets the minimum "
                                        "weight instead (cpu.shares 2), as systemd gives it", keys[i])) < 0)
                        return r;
        return 0;
}

/* The weights where the blkio hierarchy weighs no IO, or where none is
 * mounted (a kernel without the controller): systemd writes nothing for them
 * (in its debug log only, or not a word without blkio), and the cgroupfs
 * manager has nothing to write them to. */
static int io_weight_notices(const PlanLimits *l, const CgroupV1Host *h, Notices *n) {
        bool systemd = h->manager == CGROUP_MANAGER_SYSTEMD, mounted = on_v1(h, "blkio");
        const char *why = mounted ? "its io controller is cgroup v1's blkio, " NO_WEIGHTS : NO_BLKIO;
        const char *debug = !systemd ? "" : mounted ? " (systemd says so in its debug log only)" :
                " (systemd says nothing of it)";
        int r;

        if (mounted && h->blkio_weights != 0)
                return 0;
        if (l->io_weight > 0 &&
            (r = add(n, "IOWeight=%" PRIu64 ": not applied on this host: %s%s", l->io_weight, why, debug)) < 0)
                return r;
        for (size_t i = 0; i < l->n_io_devices; i++)
                if (l->io_devices[i].kind == CELL_IO_DEVICE_WEIGHT &&
                    (r = add(n, "IODeviceWeight=%s: not applied on this host: %s%s", l->io_devices[i].path, why,
                             debug)) < 0)
                        return r;
        /* The cgroupfs manager applies no Startup*= key anywhere (the start says so). */
        if (systemd && l->startup_io_weight > 0 &&
            (r = add(n, "StartupIOWeight=%" PRIu64 ": not applied on this host: %s%s", l->startup_io_weight, why,
                     debug)) < 0)
                return r;
        return 0;
}

/* No blkio hierarchy: each throttle and latency target refused by both
 * managers (the needs check, the cgroupfs manager's blkio cgroup). */
static int io_unheld_notices(const PlanLimits *l, Notices *n) {
        int r;

        for (size_t i = 0; i < l->n_io_devices; i++) {
                const CellIODevice *d = l->io_devices + i;

                if (!cg_io_device_sets(d))
                        r = 0;
                else if (d->kind == CELL_IO_LATENCY)
                        r = add(n, "IODeviceLatencyTargetSec=%s: refused on this host: " NO_BLKIO ", and cgroup "
                                "v1 has no latency target anyway (cgroup2's io.latency); " RUN_FAILS ", the unit "
                                "needs a cgroup2 host", d->path);
                else if (d->kind != CELL_IO_DEVICE_WEIGHT)
                        r = add(n, "%s=%s: refused on this host: " NO_BLKIO "; " RUN_FAILS ", the unit needs a "
                                "blkio hierarchy or a cgroup2 host", io_kind_key(d->kind), d->path);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int io_notices(const PlanLimits *l, const CgroupV1Host *h, Notices *n) {
        int r;

        if (!on_v1(h, "blkio")) {
                r = io_unheld_notices(l, n);
                return r < 0 ? r : io_weight_notices(l, h, n);
        }
        for (size_t i = 0; i < l->n_io_devices; i++) {
                const CellIODevice *d = l->io_devices + i;

                if (!cg_io_device_sets(d))
                        r = 0;
                else if (d->kind == CELL_IO_LATENCY)
                        r = add(n, "IODeviceLatencyTargetSec=%s: refused on this host: its io controller is cgroup "
                                "v1's blkio, which has no latency target (cgroup2's io.latency); " RUN_FAILS
                                ", the unit needs a cgroup2 host", d->path);
                else if ((d->kind == CELL_IO_READ_IOPS || d->kind == CELL_IO_WRITE_IOPS) &&
                         h->manager == CGROUP_MANAGER_SYSTEMD)
                        r = add(n, "%s=%s: refused on this host: systemd sets it on cgroup2 only, and the io "
                                "controller is cgroup v1's blkio here; " RUN_FAILS " with a systemd scope (the "
                                "cgroupfs manager writes blkio's IOPS limits)", io_kind_key(d->kind), d->path);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return io_weight_notices(l, h, n);
}

/* systemd 252 has no cpuset controller on cgroup v1, nor any controller in
 * the cgroup2 tree of the hybrid layout: the needs check refuses the lists. */
static int cpuset_notices(const PlanLimits *l, const CgroupV1Host *h, Notices *n) {
        const char *keys[] = { l->allowed_cpus ? "AllowedCPUs" : NULL,
                               l->allowed_memory_nodes ? "AllowedMemoryNodes" : NULL,
                               l->startup_allowed_cpus ? "StartupAllowedCPUs" : NULL,
                               l->startup_allowed_memory_nodes ? "StartupAllowedMemoryNodes" : NULL };
        int r;

        if (h->manager != CGROUP_MANAGER_SYSTEMD)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (keys[i] && (r = add(n, "%s=: refused on this host: systemd 252 has no cpuset controller on "
                                        "cgroup v1, and this host's cgroup controllers are v1 ones; " RUN_FAILS
                                        " with a systemd scope (the cgroupfs manager writes v1's cpuset)",
                                        keys[i])) < 0)
                        return r;
        return 0;
}

int cg_v1_notices(const PlanLimits *l, const CgroupV1Host *h, CgroupV1NoticeSet set, char ***ret) {
        _cleanup_(strv_freep) char **list = NULL;
        Notices n = {};
        int r;

        if (!cg_mounts_have_v1_controllers(h->mounts, h->n_mounts) ||
            (h->manager != CGROUP_MANAGER_SYSTEMD && h->manager != CGROUP_MANAGER_CGROUPFS)) {
                *ret = NULL;
                return 0;
        }
        if (set == CG_V1_NOTICE_IO_WEIGHTS)
                r = io_weight_notices(l, h, &n);
        else if (set == CG_V1_NOTICE_CPU_IDLE)
                r = cpu_notices(l, h, &n);
        else if ((r = memory_notices(l, h, &n)) >= 0 && (r = cpu_notices(l, h, &n)) >= 0 &&
                 (r = io_notices(l, h, &n)) >= 0)
                r = cpuset_notices(l, h, &n);
        list = n.l;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(list);
        return 0;
}

/* Whether a disk under sys_block lists BFQ among its schedulers: BFQ's
 * blkio files come with it. */
static bool bfq_available(const char *sys_block) {
        _cleanup_(closedirp) DIR *d = opendir(sys_block);
        struct dirent *de;

        if (!d)
                return false;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL, *text = NULL;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&path, "%s/%s/queue/scheduler", sys_block, de->d_name) < 0)
                        return false;
                if (cg_read_file(path, &text) >= 0 && strstr(text, "bfq"))
                        return true;
        }
        return false;
}

static bool file_in(int fd, const char *dir, const char *file) {
        char path[NAME_MAX + 64];

        (void) snprintf(path, sizeof path, "%s/%s", dir, file);
        return faccessat(fd, path, F_OK, 0) >= 0;
}

int cg_blkio_weights(const char *where, const char *sys_block) {
        _cleanup_(closedirp) DIR *d = opendir(where);
        struct dirent *de;

        if (!d)
                return 0;
        if (faccessat(dirfd(d), "blkio.weight", F_OK, 0) >= 0)
                return 1;
        /* Every cgroup below the root has the same files: the first tells. */
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && de->d_type == DT_DIR)
                        return file_in(dirfd(d), de->d_name, "blkio.bfq.weight") ||
                                file_in(dirfd(d), de->d_name, "blkio.weight");
        return bfq_available(sys_block);
}

static bool has_io_weights(const PlanLimits *l) {
        for (size_t i = 0; i < l->n_io_devices; i++)
                if (l->io_devices[i].kind == CELL_IO_DEVICE_WEIGHT)
                        return true;
        return l->io_weight > 0 || l->startup_io_weight > 0;
}

/* This process's view of the host, read when first asked for: verify reads
 * it once for all its units, and a start once. */
static CgroupMount *host_mounts = NULL;
static size_t host_n_mounts = 0;
static int host_read = 0;               /* 0: not yet; 1: read; -errno: failed */
static CgroupManager host_manager = CGROUP_MANAGER_AUTO;
static int host_weights = -1;           /* -1: not yet looked at */

/* A notice's place in the unit: its file's (the unit's first, then the
 * drop-ins as they were read) and line; one without a line goes last. */
typedef struct NoticePlace {
        size_t file;
        unsigned line;
        size_t index;           /* its place among the notices: the order of equals */
} NoticePlace;

static size_t file_rank(const Plan *p, const char *file) {
        if (streq_ptr(file, p->unit_path))
                return 0;
        for (size_t i = 0; i < p->n_origins; i++)
                if (streq_ptr(p->origins[i].file, file))
                        return 1 + i;
        for (size_t i = 0; i < p->limits.n_io_devices; i++)
                if (streq_ptr(p->limits.io_devices[i].file, file))
                        return 1 + p->n_origins + i;
        return SIZE_MAX;
}

/* The place of a notice plan_message_origin_at() found the origin of, or
 * none (last). */
static NoticePlace notice_place(const Plan *p, const PlanOriginAt *at, size_t index) {
        if (!at->file)
                return (NoticePlace) { .file = SIZE_MAX, .line = UINT_MAX, .index = index };
        return (NoticePlace) { .file = file_rank(p, at->file), .line = at->line, .index = index };
}

static int place_compare(const void *a, const void *b) {
        const NoticePlace *x = a, *y = b;

        if (x->file != y->file)
                return x->file < y->file ? -1 : 1;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

int cg_v1_plan_notices(const Plan *p, const CgroupV1Host *h, CgroupV1NoticeSet set, const char *kind, char ***ret) {
        _cleanup_(strv_freep) char **n = NULL;
        _cleanup_free_ NoticePlace *places = NULL;
        Notices out = {};
        size_t count;
        int r;

        r = cg_v1_notices(&p->limits, h, set, &n);
        if (r < 0)
                return r;
        count = strv_length(n);
        if (count > 0 && !(places = calloc(count, sizeof(NoticePlace))))
                return -ENOMEM;
        for (size_t i = 0; i < count; i++) {
                char origin[PATH_MAX + 32];
                PlanOriginAt at;

                (void) plan_message_origin_at(p, n[i], &at);
                plan_origin_at_format(&at, origin, sizeof origin);
                places[i] = notice_place(p, &at, i);
                if (!origin[0] && p->unit_path)
                        (void) snprintf(origin, sizeof origin, "%s: ", p->unit_path);
                r = add(&out, "%s%s%s", origin, strempty(kind), n[i]);
                if (r < 0) {
                        strv_free(out.l);
                        return r;
                }
        }
        /* In the unit's line order, as its parse errors are said. */
        if (count > 1) {
                _cleanup_free_ char **sorted = malloc((count + 1) * sizeof(char *));
                if (!sorted) {
                        strv_free(out.l);
                        return -ENOMEM;
                }
                qsort(places, count, sizeof(NoticePlace), place_compare);
                for (size_t i = 0; i < count; i++)
                        sorted[i] = out.l[places[i].index];
                sorted[count] = NULL;
                memcpy(out.l, sorted, (count + 1) * sizeof(char *));
        }
        *ret = out.l;
        return 0;
}

int cg_v1_host_notices(const Plan *p, CgroupManager manager, CgroupV1NoticeSet set, const char *kind, char ***ret) {
        CgroupV1Host h;
        int r;

        *ret = NULL;
        /* A start with no such key reads nothing more. */
        if (set == CG_V1_NOTICE_IO_WEIGHTS && !has_io_weights(&p->limits))
                return 0;
        if (set == CG_V1_NOTICE_CPU_IDLE && !p->limits.cpu_idle && !p->limits.startup_cpu_idle)
                return 0;
        if (host_read == 0)
                host_read = cg_read_mounts(&host_mounts, &host_n_mounts) < 0 ? -EIO : 1;
        /* No word on the host, none about it: the start says what it finds. */
        if (host_read < 0 || !cg_mounts_have_v1_controllers(host_mounts, host_n_mounts))
                return 0;
        h = (CgroupV1Host) { .mounts = host_mounts, .n_mounts = host_n_mounts, .manager = manager, .blkio_weights = 1 };

        if (set != CG_V1_NOTICE_CPU_IDLE && has_io_weights(&p->limits)) {
                const CgroupMount *blkio = cg_mount_find(host_mounts, host_n_mounts, "blkio");
                if (host_weights < 0)
                        host_weights = blkio ? cg_blkio_weights(blkio->where, "/sys/block") : 1;
                h.blkio_weights = host_weights;
        }
        /* The manager "cell run" picks, asked only where it matters: it
         * connects to the bus. */
        if (manager == CGROUP_MANAGER_AUTO) {
                if (host_manager == CGROUP_MANAGER_AUTO) {
                        char **a = NULL, **b = NULL;
                        h.manager = CGROUP_MANAGER_SYSTEMD;
                        r = cg_v1_notices(&p->limits, &h, set, &a);
                        h.manager = CGROUP_MANAGER_CGROUPFS;
                        if (r >= 0)
                                r = cg_v1_notices(&p->limits, &h, set, &b);
                        bool none = !a && !b;
                        strv_free(a);
                        strv_free(b);
                        if (r < 0)
                                return r;
                        if (none)
                                return 0;
                        host_manager = scope_detect_manager(false);
                }
                h.manager = host_manager;
        }
        return cg_v1_plan_notices(p, &h, set, kind, ret);
}

void cg_v1_start_warn(const Plan *p, CgroupManager manager, const CgroupMount *mounts, size_t n_mounts,
                      CgroupV1NoticeSet set) {
        _cleanup_(strv_freep) char **n = NULL;
        int r;

        if (mounts)
                r = cg_v1_plan_notices(p, &(CgroupV1Host) { .mounts = mounts, .n_mounts = n_mounts, .manager = manager,
                                                          .blkio_weights = 1 }, set, "", &n);
        else {
                r = cg_v1_host_notices(p, manager, set, "", &n);
                cg_v1_host_forget();
        }
        /* Out of memory for a notice: the start goes on, as it would without one. */
        if (r < 0) {
                log_debug("Could not tell what this cgroup v1 host leaves unapplied of [Limits].");
                return;
        }
        STRV_FOREACH(m, n)
                log_warning("%s.", *m);
}

int cg_v1_host_notices_print(const Plan *p, FILE *f) {
        _cleanup_(strv_freep) char **n = NULL;
        int r;

        r = cg_v1_host_notices(p, CGROUP_MANAGER_AUTO, CG_V1_NOTICE_ALL, "warning: ", &n);
        if (r < 0)
                return r;
        /* As the unit's own problems are printed (cli/unit-status.c): a value
         * with an escape sequence in it moves no cursor; on a service's
         * journal stream at the warning's level. */
        STRV_FOREACH(m, n) {
                if (output_relay_is_journal_stream(fileno(f), getenv("JOURNAL_STREAM")))
                        fprintf(f, "<%d>", LOG_WARNING);
                utf8_fputs_escaped(f, *m);
                fputc('\n', f);
        }
        return 0;
}

void cg_v1_host_forget(void) {
        cg_mount_free(host_mounts, host_n_mounts);
        host_mounts = NULL;
        host_n_mounts = 0;
        host_read = 0;
        host_manager = CGROUP_MANAGER_AUTO;
        host_weights = -1;
}
