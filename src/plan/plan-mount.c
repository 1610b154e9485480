/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mount list, in the order spawn/ makes it:
 *
 *   1. the API file systems every container gets (/proc, /sys, /dev, /run);
 *   2. the unit's own Bind=/BindReadOnly=, TemporaryFileSystem= and Overlay=,
 *      sorted by target as nspawn sorts its custom mounts: a parent before
 *      what lies below it, whatever the order they were written in; then
 *      Inaccessible=, after all of them, so that no mount covers a mask;
 *   3. the masked and read-only kernel interfaces, after the unit's mounts so
 *      that no Bind= can cover them up again;
 *   4. the cgroup file system, made later by the child (see plan.h).
 *
 * A unit's mount on one of 3. below /proc or on 4. is refused, and those an
 * Inaccessible= hides are left out (plan_mounts_check_api()). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fs-util.h"
#include "plan-internal.h"
#include "plan-mount-check.h"
#include "plan-mount-entry.h"
#include "strv.h"

int plan_mount_append(Plan *p, PlanMountKind kind, const char *source, const char *target,
                      const char *fstype, unsigned long flags, const char *data, PlanMount **ret) {
        PlanMount *l, *m;

        l = realloc(p->mounts, sizeof(PlanMount) * (p->n_mounts + 1));
        if (!l)
                return -ENOMEM;
        p->mounts = l;
        m = &p->mounts[p->n_mounts];
        *m = (PlanMount) {
                .kind = kind,
                .flags = flags,
        };
        if ((source && !(m->source = strdup(source))) ||
            !(m->target = strdup(target)) ||
            (fstype && !(m->fstype = strdup(fstype))) ||
            (data && !(m->data = strdup(data)))) {
                free(m->source);
                free(m->target);
                free(m->fstype);
                free(m->data);
                return -ENOMEM;
        }
        p->n_mounts++;
        if (ret)
                *ret = m;
        return 0;
}

#define FS(target, fstype, flags, data) \
        { PLAN_MOUNT_FS, fstype, target, fstype, flags, data, false }
#define DEVICE(path) \
        { PLAN_MOUNT_DEVICE, path, path, NULL, MS_NOSUID | MS_NOEXEC, NULL, false }
/* One the host may lack (its module not loaded, no static node): skipped then. */
#define DEVICE_OPTIONAL(path) \
        { PLAN_MOUNT_DEVICE, path, path, NULL, MS_NOSUID | MS_NOEXEC, NULL, true }
#define SYMLINK(target, text) \
        { PLAN_MOUNT_SYMLINK, text, target, NULL, 0, NULL, false }

typedef struct PlanMountTemplate {
        PlanMountKind kind;
        const char *source, *target, *fstype;
        unsigned long flags;
        const char *data;
        bool optional;
} PlanMountTemplate;

/* /proc: a fresh procfs for the new PID namespace; nosuid,nodev,noexec so a
 * payload can regain nothing through it. */
static const PlanMountTemplate plan_mounts_proc[] = {
        FS("/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
};

/* /dev: a small tmpfs (nosuid,noexec; not nodev, it holds the nodes) with only
 * the harmless host devices bound in, a private devpts and the usual links.
 * Every tmpfs here has systemd's limits for it (nspawn's, mount-util.h):
 * without them the container's root could fill the host's memory through
 * /run or /dev/shm (half of RAM each by the kernel's default) where the
 * unit sets no MemoryMax= (the pages are charged to the writer's cgroup). */
static const PlanMountTemplate plan_mounts_dev[] = {
        FS("/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=4m,nr_inodes=64k"),
        DEVICE("/dev/null"),
        DEVICE("/dev/zero"),
        DEVICE("/dev/full"),
        DEVICE("/dev/random"),
        DEVICE("/dev/urandom"),
        DEVICE("/dev/tty"),
        /* As nspawn (copy_devices()): a VPN (wireguard-go, openvpn,
         * tailscaled) makes its interface in the container's own network
         * namespace, which TUNSETIFF allows only with CAP_NET_ADMIN there. */
        DEVICE_OPTIONAL("/dev/net/tun"),
        /* newinstance: the container's ptys are its own, not the host's.
         * gid=5: they belong to its tty group, as nspawn's (TTY_GID), which
         * write(1), wall(1) and login stacks check (spawn shifts it under
         * PrivateUsers=: mount_devpts_data_shifted()). */
        FS("/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
        SYMLINK("/dev/ptmx", "pts/ptmx"),
        FS("/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=10%,nr_inodes=400k"),
        FS("/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
        SYMLINK("/dev/fd", "/proc/self/fd"),
        SYMLINK("/dev/stdin", "/proc/self/fd/0"),
        SYMLINK("/dev/stdout", "/proc/self/fd/1"),
        SYMLINK("/dev/stderr", "/proc/self/fd/2"),
        /* /run as nspawn does: a fresh tmpfs; the notify socket is in /run/host. */
        FS("/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=20%,nr_inodes=800k"),
};

/* Kernel interfaces a container must not read (host memory, keys, timers,
 * firmware, energy use) or write (sysctls, sysrq, IRQ affinity): masked
 * with an empty node, or made read-only. A path the kernel does not have is
 * skipped. */
static const char * const plan_masked_paths[] = {
        /* The kernel's symbol addresses, a map for an exploit (nspawn masks it too). */
        "/proc/kallsyms",
        "/proc/kcore",
        "/proc/keys",
        "/proc/timer_list",
        "/proc/sched_debug",
        "/proc/acpi",
        "/proc/scsi",
        "/sys/firmware",
        /* RAPL's energy counters: a side channel on what the host computes
         * (PLATYPUS, CVE-2020-8694), masked by docker and containerd too. */
        "/sys/devices/virtual/powercap",
};

static const char * const plan_read_only_paths[] = {
        "/proc/sys",
        "/proc/sysrq-trigger",
        "/proc/irq",
        "/proc/bus",
        "/proc/fs",
        /* Hardware settings, as nspawn makes them read-only. */
        "/proc/apm",
        "/proc/asound",
};

static int plan_mounts_from_templates(Plan *p, const PlanMountTemplate *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                PlanMount *m;
                int r = plan_mount_append(p, t[i].kind, t[i].source, t[i].target, t[i].fstype,
                                          t[i].flags, t[i].data, &m);
                if (r < 0)
                        return r;
                m->optional = t[i].optional;
        }
        return 0;
}

/* A mount of the unit's keeps its entry as written (taken; NULL: out of
 * memory), for the plan's checks and the start's messages, and where it
 * was written (its own copy: the plan outlives the config), for the JSON,
 * the text plan and the messages; a config made by hand that names no file
 * keeps no file. */
static int plan_mount_set_origin(PlanMount *m, const CellConfig *c, const char *file, unsigned line, char *entry) {
        if (!entry)
                return -ENOMEM;
        m->entry = entry;
        m->line = line;
        file = plan_entry_file(c, file);
        if (!file)
                return 0;
        m->file = strdup(file);
        return m->file ? 0 : -ENOMEM;
}

/* entry: the entry as written (plan-mount-entry.h), taken; made by the
 * caller only for a target that is refused. */
static int plan_refuse_root(const CellConfig *c, const char *file, unsigned line, size_t item, char *entry,
                            PlanMountErrors *errs) {
        /* The root itself is Directory=; a mount over "/" would replace it. */
        return plan_mount_entry_error(errs, c, file, line, item, entry,
                                      "cannot mount over the container's root \"/\"");
}

/* TemporaryFileSystem= options: the flag words become mount flags, the rest
 * (mode=, size=, nr_inodes=, ...) stays mount data. A bare PATH gets
 * mode=0755, as nspawn's --tmpfs=; with options, the mode is the kernel's
 * (1777) unless they give one, as there too. */
static int plan_tmpfs_options(const char *options, unsigned long *ret_flags, char **ret_data) {
        unsigned long flags = MS_NOSUID | MS_NODEV;
        _cleanup_free_ char *copy = NULL;
        _cleanup_strv_free_ char **data = NULL;
        char *save = NULL;

        if (options) {
                copy = strdup(options);
                if (!copy)
                        return -ENOMEM;
        }
        for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save)) {
                static const struct {
                        const char *word;
                        unsigned long set, clear;
                } words[] = {
                        { "ro",     MS_RDONLY, 0         },
                        { "rw",     0,         MS_RDONLY },
                        { "nosuid", MS_NOSUID, 0         },
                        { "suid",   0,         MS_NOSUID },
                        { "nodev",  MS_NODEV,  0         },
                        { "dev",    0,         MS_NODEV  },
                        { "noexec", MS_NOEXEC, 0         },
                        { "exec",   0,         MS_NOEXEC },
                };
                bool flag = false;

                for (size_t i = 0; i < ELEMENTSOF(words); i++)
                        if (streq(w, words[i].word)) {
                                flags = (flags | words[i].set) & ~words[i].clear;
                                flag = true;
                        }
                if (flag)
                        continue;
                if (strv_extend(&data, w) < 0)
                        return -ENOMEM;
        }

        if (!options && strv_extend(&data, "mode=0755") < 0)
                return -ENOMEM;
        /* Only flags ("ro"): no data at all. */
        _cleanup_free_ char *joined = data ? strv_join(data, ",") : NULL;
        if (data && !joined)
                return -ENOMEM;
        *ret_flags = flags;
        *ret_data = TAKE_PTR(joined);
        return 0;
}

static int plan_mount_overlay(Plan *p, const CellConfig *c, const CellOverlay *o, PlanMountErrors *errs) {
        _cleanup_strv_free_ char **lower = NULL;
        size_t n_plus = 0, n_paths = 0;
        PlanMount *m;
        int r;

        /* "+" means "inside the container root", per path in nspawn; the plan
         * carries one flag per mount, so the paths must agree. */
        STRV_FOREACH(l, o->lower) {
                n_paths++;
                n_plus += (*l)[0] == '+';
        }
        if (!isempty(o->upper)) {
                n_paths++;
                n_plus += o->upper[0] == '+';
        }
        if (n_plus > 0 && n_plus < n_paths)
                return plan_mount_entry_error(errs, c, o->file, o->line, 0, plan_overlay_entry(o),
                                              "mixing paths inside the container (\"+\") and on the host "
                                              "in one overlay is not supported");
        if (streq(o->target, "/"))
                return plan_refuse_root(c, o->file, o->line, 0, plan_overlay_entry(o), errs);

        /* The unit lists the lowers lowest first (nspawn's order); the plan
         * holds them top-most first, the kernel's lowerdir= order. */
        for (size_t i = strv_length(o->lower); i > 0; i--) {
                const char *l = o->lower[i - 1];

                if (strv_extend(&lower, l + (l[0] == '+')) < 0)
                        return -ENOMEM;
        }

        r = plan_mount_append(p, PLAN_MOUNT_OVERLAY, NULL, o->target, "overlay",
                              o->read_only ? MS_RDONLY : 0, NULL, &m);
        if (r < 0)
                return r;
        m->lower = TAKE_PTR(lower);
        m->upper = strdup(o->upper ? o->upper + (o->upper[0] == '+') : "");
        if (!m->upper)
                return -ENOMEM;
        m->source_in_root = n_plus > 0;
        return plan_mount_set_origin(m, c, o->file, o->line, plan_overlay_entry(o));
}

/* Orders two targets component by component, as systemd's path_compare():
 * "/a" < "/a/b" < "/a-b", so a directory comes before everything below it. */
static int plan_path_compare(const char *a, const char *b) {
        for (;;) {
                size_t la, lb;
                int d;

                a += strspn(a, "/");
                b += strspn(b, "/");
                if (!*a || !*b)
                        return *a ? 1 : *b ? -1 : 0;     /* the one that ended is the parent */
                la = strcspn(a, "/");
                lb = strcspn(b, "/");
                d = memcmp(a, b, MIN(la, lb));
                if (d != 0)
                        return d < 0 ? -1 : 1;
                if (la != lb)
                        return la < lb ? -1 : 1;
                a += la;
                b += lb;
        }
}

typedef struct MountOrder {
        const char *target;
        size_t index;
} MountOrder;

static int mount_order_compare(const void *a, const void *b) {
        const MountOrder *x = a, *y = b;
        int d = plan_path_compare(x->target, y->target);

        return d != 0 ? d : (x->index > y->index) - (x->index < y->index);
}

/* A stable sort of mounts[from..n) by target: mounts of one target keep the
 * order they were written in (Bind=, then TemporaryFileSystem=, then
 * Overlay=, nspawn's order of types), so the last one is on top. By their
 * index where the targets are the same, in n log n: an insertion sort took
 * seconds for a unit of thousands of mounts. */
static int plan_sort_mounts(Plan *p, size_t from) {
        size_t n = p->n_mounts - from;
        _cleanup_free_ MountOrder *order = NULL;
        _cleanup_free_ PlanMount *sorted = NULL;

        if (n < 2)
                return 0;
        order = reallocarray(NULL, n, sizeof(MountOrder));
        sorted = reallocarray(NULL, n, sizeof(PlanMount));
        if (!order || !sorted)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                order[i] = (MountOrder) { .target = p->mounts[from + i].target, .index = i };
        qsort(order, n, sizeof(MountOrder), mount_order_compare);
        for (size_t i = 0; i < n; i++)
                sorted[i] = p->mounts[from + order[i].index];
        memcpy(p->mounts + from, sorted, n * sizeof(PlanMount));
        return 0;
}

/* Whether a Bind=, TemporaryFileSystem= or Overlay= of the unit mounts at
 * target, surely: not a Bind= skipped where its source is missing ("-"). */
static bool plan_unit_mounts_at(const CellConfig *c, const char *target) {
        for (size_t i = 0; i < c->n_binds; i++) {
                const CellBind *b = &c->binds[i];
                const char *at = b->target ?: b->source + (b->source[0] == '+');

                if (!b->ignore_missing && plan_path_compare(at, target) == 0)
                        return true;
        }
        for (size_t i = 0; i < c->n_tmpfs; i++)
                if (plan_path_compare(c->tmpfs[i].path, target) == 0)
                        return true;
        for (size_t i = 0; i < c->n_overlays; i++)
                if (plan_path_compare(c->overlays[i].target, target) == 0)
                        return true;
        return false;
}

int plan_build_mounts(Plan *p, const CellConfig *c, Diagnostics *diag) {
        /* Said at the end, in the unit's order (plan-mount-entry.h). */
        _cleanup_(plan_mount_errors_done) PlanMountErrors errs = {};
        _cleanup_(plan_overlay_layers_done) OverlayLayers layers = {};
        _cleanup_free_ bool *hidden = NULL;
        bool invalid = false;
        size_t first_unit;
        PlanMount *m;
        int r;

        r = plan_mounts_from_templates(p, plan_mounts_proc, ELEMENTSOF(plan_mounts_proc));
        if (r < 0)
                return r;

        /* /proc/sys/net stays writable where the network is the container's
         * own, as nspawn leaves it: those sysctls are its namespace's alone
         * (ip_forward for a router or VPN, somaxconn), and the kernel asks
         * CAP_NET_ADMIN over that namespace for the rest. Bound before the
         * read-only /proc/sys, which then leaves it as it is. Not with
         * ProtectKernelTunables=, which keeps all of /proc/sys read-only. */
        if (c->private_network && !c->protect_kernel_tunables) {
                r = plan_mount_append(p, PLAN_MOUNT_WRITABLE, NULL, "/proc/sys/net", NULL,
                                      MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, &m);
                if (r < 0)
                        return r;
                m->optional = true;
        }

        /* /sys: a fresh sysfs, read-only (the container must not reconfigure
         * the host's devices), with the interfaces of the network namespace it
         * is mounted in: the container's own, or the host's without
         * PrivateNetwork=. Never a bind of the host's /sys, whose submounts
         * (tracefs, debugfs, securityfs, bpffs, ...) would come along. cell
         * mounts it with the host's privileges, PrivateUsers= too
         * (spawn-tree.c), which sysfs needs over the host's network. */
        r = plan_mount_append(p, PLAN_MOUNT_FS, "sysfs", "/sys", "sysfs",
                              MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, NULL);
        if (r < 0)
                return r;

        r = plan_mounts_from_templates(p, plan_mounts_dev, ELEMENTSOF(plan_mounts_dev));
        if (r < 0)
                return r;

        /* /tmp as nspawn mounts it: a fresh tmpfs, so that a payload on a
         * ReadOnly=yes root has one place to write and leaves nothing in the
         * image, limited as /dev/shm. A unit's own mount at /tmp replaces it
         * (Bind=+/tmp keeps the image's). Optional: only on a directory, as
         * the image has it or it can take one; an image whose /tmp is a link
         * or a file, or a read-only one without /tmp, starts as before. */
        if (!plan_unit_mounts_at(c, "/tmp")) {
                r = plan_mount_append(p, PLAN_MOUNT_FS, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                                      "mode=1777,size=10%,nr_inodes=400k", &m);
                if (r < 0)
                        return r;
                m->optional = true;
        }

        first_unit = p->n_mounts;
        for (size_t i = 0; i < c->n_binds; i++) {
                const CellBind *b = &c->binds[i];
                unsigned long flags = (b->recursive ? MS_REC : 0) | (b->read_only ? MS_RDONLY : 0) |
                        (b->nosuid ? MS_NOSUID : 0) | (b->nodev ? MS_NODEV : 0) | (b->noexec ? MS_NOEXEC : 0);
                /* "+": the source is a path inside the root, kept without the
                 * "+" and flagged, as for Overlay=. */
                bool in_root = b->source[0] == '+';
                const char *source = b->source + in_root, *target = b->target ?: source;

                if (streq(target, "/")) {
                        if (plan_refuse_root(c, b->file, b->line, 0, plan_bind_entry(b), &errs) == -ENOMEM)
                                return -ENOMEM;
                        invalid = true;
                        continue;
                }
                r = plan_mount_append(p, PLAN_MOUNT_BIND, source, target, NULL, flags, NULL, &m);
                if (r < 0)
                        return r;
                m->source_in_root = in_root;
                m->optional = b->ignore_missing;
                m->idmap = b->idmap;
                r = plan_mount_set_origin(m, c, b->file, b->line, plan_bind_entry(b));
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < c->n_tmpfs; i++) {
                const CellTmpfs *t = &c->tmpfs[i];
                _cleanup_free_ char *data = NULL;
                unsigned long flags;

                if (streq(t->path, "/")) {
                        if (plan_refuse_root(c, t->file, t->line, 0, plan_tmpfs_entry(t), &errs) == -ENOMEM)
                                return -ENOMEM;
                        invalid = true;
                        continue;
                }
                r = plan_tmpfs_options(t->options, &flags, &data);
                if (r < 0)
                        return r;
                r = plan_mount_append(p, PLAN_MOUNT_FS, "tmpfs", t->path, "tmpfs", flags, data, &m);
                if (r < 0)
                        return r;
                r = plan_mount_set_origin(m, c, t->file, t->line, plan_tmpfs_entry(t));
                if (r < 0)
                        return r;
        }

        r = plan_overlay_layers_build(c, &layers);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_overlays; i++) {
                r = plan_mount_overlay(p, c, &c->overlays[i], &errs);
                if (r >= 0)
                        r = plan_overlay_check_layers(c, &layers, i, &errs);
                if (r >= 0)
                        r = plan_overlay_check_volatile(c, &c->overlays[i], &errs);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        invalid = true;
        }
        r = plan_sort_mounts(p, first_unit);
        if (r < 0)
                return r;

        r = plan_inaccessible_hidden(c, &hidden);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_inaccessible; i++) {
                const CellInaccessible *e = &c->inaccessible[i];

                if (streq(e->path, "/")) {
                        if (plan_refuse_root(c, e->file, e->line, i, plan_inaccessible_entry(e), &errs) == -ENOMEM)
                                return -ENOMEM;
                        invalid = true;
                        continue;
                }
                /* Hidden already by an earlier one (a drop-in saying it
                 * again): a second mask would find the first's /dev/null,
                 * which is not the procfs a /proc path must be on. */
                if (hidden[i])
                        continue;
                r = plan_mount_append(p, PLAN_MOUNT_MASK, NULL, e->path, NULL,
                                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, &m);
                if (r < 0)
                        return r;
                r = plan_mount_set_origin(m, c, e->file, e->line, plan_inaccessible_entry(e));
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < ELEMENTSOF(plan_masked_paths); i++) {
                r = plan_mount_append(p, PLAN_MOUNT_MASK, NULL, plan_masked_paths[i], NULL,
                                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, &m);
                if (r < 0)
                        return r;
                m->optional = true;
        }
        for (size_t i = 0; i < ELEMENTSOF(plan_read_only_paths); i++) {
                r = plan_mount_append(p, PLAN_MOUNT_READ_ONLY, NULL, plan_read_only_paths[i], NULL,
                                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REC, NULL, &m);
                if (r < 0)
                        return r;
                m->optional = true;
        }

        r = plan_protect_mounts(p);
        if (r < 0)
                return r;

        /* The container's own cgroup, read-only: the payload may read its
         * usage and limits, never raise them. */
        r = plan_mount_append(p, PLAN_MOUNT_CGROUP, NULL, "/sys/fs/cgroup", NULL,
                              MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, NULL);
        if (r < 0)
                return r;

        r = plan_mounts_check_api(p, c, first_unit, &errs);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        r = plan_mounts_check_own_files(p, c, first_unit, &errs);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        r = plan_mounts_check_run_host(p, c, first_unit, &errs);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;

        r = plan_mount_errors_flush(&errs, diag);
        if (r < 0)
                return r;
        return invalid ? -EINVAL : 0;
}
