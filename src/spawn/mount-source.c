/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-overlay.h"
#include "mount-source.h"
#include "mount-util.h"
#include "parse-util.h"

size_t mount_origin(const PlanMount *m, char *buf, size_t n) {
        int k;

        if (n == 0)
                return 0;
        buf[0] = 0;
        if (m->line == 0 || !m->file)
                return 0;
        k = snprintf(buf, n, "%s:%u: ", m->file, m->line);
        return k < 0 ? 0 : MIN((size_t) k, n - 1);
}

void mount_error_name_holder(const Plan *p, const char *path, SpawnError *err) {
        char what[MOUNT_DESCRIBE_MAX], message[MOUNT_DESCRIBE_MAX + PATH_MAX + sizeof err->message];
        const PlanMount *holder;
        size_t k;

        if (!err || !path)
                return;
        holder = plan_unit_mount_holding(p, path);
        if (!holder)
                return;
        (void) snprintf(message, sizeof message, "%s: holds %s, which cell makes after the unit's mounts: %s",
                        mount_describe(holder, what, sizeof what), path, err->message);
        /* Cut at the size of the message, as spawn_error() cuts. */
        k = strnlen(message, sizeof err->message - 1);
        memcpy(err->message, message, k);
        err->message[k] = 0;
}

const char *mount_describe(const PlanMount *m, char *buf, size_t n) {
        char src[MOUNT_DESCRIBE_MAX], dst[MOUNT_DESCRIBE_MAX];
        bool user = m->line > 0;
        char *start = buf;
        size_t k;

        /* An entry of the unit's is named where it was written, as verify
         * names it: with drop-ins, the key alone does not say which file. */
        k = mount_origin(m, buf, n);
        buf += k;
        n -= k;

        /* As the unit wrote it, options and layers and all: the target alone
         * does not say which of a unit's entries of one target failed, nor
         * which option ("TemporaryFileSystem=/t:nr_inodes=1E"). */
        if (user && m->entry) {
                (void) snprintf(buf, n, "%s", m->entry);
                return start;
        }

        switch (m->kind) {
        case PLAN_MOUNT_BIND:
                if (!user)
                        (void) snprintf(buf, n, "bind %s on %s", strna(m->source), strna(m->target));
                else if (streq_ptr(m->source, m->target))
                        (void) snprintf(buf, n, "%s=%s%s", m->flags & MS_RDONLY ? "BindReadOnly" : "Bind",
                                        m->source_in_root ? "+" : "",
                                        path_escape_colons(m->source, src, sizeof src));
                else
                        (void) snprintf(buf, n, "%s=%s%s:%s", m->flags & MS_RDONLY ? "BindReadOnly" : "Bind",
                                        m->source_in_root ? "+" : "",
                                        path_escape_colons(m->source, src, sizeof src),
                                        path_escape_colons(m->target, dst, sizeof dst));
                break;
        case PLAN_MOUNT_FS:
                if (user && streq_ptr(m->fstype, "tmpfs"))
                        (void) snprintf(buf, n, "TemporaryFileSystem=%s",
                                        path_escape_colons(m->target, dst, sizeof dst));
                else
                        (void) snprintf(buf, n, "%s on %s", strna(m->fstype), strna(m->target));
                break;
        case PLAN_MOUNT_DEVICE:
                (void) snprintf(buf, n, "device %s", strna(m->target));
                break;
        case PLAN_MOUNT_SYMLINK:
                (void) snprintf(buf, n, "symlink %s", strna(m->target));
                break;
        case PLAN_MOUNT_MASK:
                (void) snprintf(buf, n, user ? "Inaccessible=%s" : "mask %s", strna(m->target));
                break;
        case PLAN_MOUNT_READ_ONLY:
                (void) snprintf(buf, n, "read-only %s", strna(m->target));
                break;
        case PLAN_MOUNT_WRITABLE:
                (void) snprintf(buf, n, "writable %s", strna(m->target));
                break;
        case PLAN_MOUNT_OVERLAY:
                (void) snprintf(buf, n, "%s=%s", m->flags & MS_RDONLY ? "OverlayReadOnly" : "Overlay",
                                strna(m->target));
                break;
        case PLAN_MOUNT_CGROUP:
        case _PLAN_MOUNT_KIND_MAX:
        default:
                (void) snprintf(buf, n, "cgroup on %s", strna(m->target));
                break;
        }
        return start;
}

int mount_source_open(int root_fd, const PlanMount *m, bool may_be_missing, const SharedLocks *places,
                      const char *what, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        int64_t magic;
        int r;

        if (isempty(m->source))
                return spawn_error(err, EINVAL, "%s: no source", what);
        if (m->source_in_root)
                fd = mount_resolve(root_fd, m->source, 0);
        else
                fd = RET_NERRNO(open(m->source, O_PATH | O_CLOEXEC));
        if (fd == -ENOENT && may_be_missing)
                return -ENOENT;
        if (fd == -ENOENT)
                return spawn_error(err, fd, "%s: source does not exist", what);
        if (fd < 0)
                return spawn_error(err, fd, "%s: cannot open the source", what);
        if (!m->source_in_root) {
                /* The directory the start locked, not another a link leads
                 * to now: a mount point made there would be made where
                 * another start's take-back does not ask (shared-lock.h). */
                r = shared_locks_check(places, m, fd);
                if (r < 0)
                        return spawn_error(err, r, r == -ESTALE ? "%s: source " SHARED_LOCK_CHANGED :
                                           "%s: cannot check the source", what);
                return TAKE_FD(fd);
        }

        /* The container's /proc and /sys get their masks and read-only paths
         * only after the unit's mounts: a bind of them (a link in the image
         * can point a harmless-looking source there) would be a copy without
         * those, a writable /proc/sys for one. */
        r = fs_magic_of(fd, &magic);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot check the source", what);
        if (magic == PROC_SUPER_MAGIC || magic == SYSFS_MAGIC)
                return spawn_error(err, EPERM, "%s: source is on the container's %s, refusing", what,
                                   magic == PROC_SUPER_MAGIC ? "procfs" : "sysfs");
        return TAKE_FD(fd);
}

int mount_source_check_device(int fd, const PlanMount *m, const char *what, SpawnError *err, struct stat *ret_st) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return spawn_error(err, errno, "%s: cannot stat the source", what);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return spawn_error(err, ENODEV, "%s: source %s is not a device node", what, m->source);
        if (ret_st)
                *ret_st = st;
        return 0;
}

/* One mount's sources, opened as its mount opens them and closed again. */
static int source_check(int root_fd, const PlanMount *m, const SharedLocks *places, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        char what[MOUNT_DESCRIBE_MAX];
        int r;

        mount_describe(m, what, sizeof what);
        switch (m->kind) {
        case PLAN_MOUNT_BIND:
        case PLAN_MOUNT_DEVICE:
                fd = mount_source_open(root_fd, m, m->optional, places, what, err);
                if (fd == -ENOENT && m->optional)
                        return 0;
                if (fd < 0)
                        return fd;
                return m->kind == PLAN_MOUNT_DEVICE ? mount_source_check_device(fd, m, what, err, NULL) : 0;
        case PLAN_MOUNT_OVERLAY:
                r = mount_overlay_check(root_fd, m, what, err);
                return r == -ENOENT && m->optional ? 0 : r;
        case PLAN_MOUNT_FS:             /* no source on a path */
        case PLAN_MOUNT_SYMLINK:
        case PLAN_MOUNT_MASK:
        case PLAN_MOUNT_READ_ONLY:
        case PLAN_MOUNT_WRITABLE:
        case PLAN_MOUNT_CGROUP:
        case _PLAN_MOUNT_KIND_MAX:
        default:
                return 0;
        }
}

int mount_sources_check_host(const Plan *p, const SharedLocks *places, SpawnError *err) {
        int r;

        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *m = &p->mounts[i];

                if (m->source_in_root)
                        continue;
                /* Opened by the supervisor, which made its idmapped tree
                 * (without trees the mount refuses it). */
                if (m->idmap && m->kind == PLAN_MOUNT_BIND)
                        continue;
                r = source_check(-EBADF, m, places, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Whether what the root holds at path now is what the mount of index i
 * will find there: no other mount of the plan goes on it, above it or
 * below it (a mount point made below it makes its parents, in the pass
 * before ReadOnly= whatever the order), and the walk meets no link, which
 * could lead into one of those. */
static bool in_root_is_final(const Plan *p, size_t i, int root_fd, const char *path) {
        _cleanup_close_ int fd = -EBADF;

        if (!mount_path_is_safe(path))
                return false;
        for (size_t j = 0; j < p->n_mounts; j++)
                if (j != i && (path_is_below(path, p->mounts[j].target) ||
                               path_is_below(p->mounts[j].target, path)))
                        return false;
        fd = mount_resolve(root_fd, path, RESOLVE_NO_SYMLINKS);
        return fd != -ELOOP;
}

int mount_sources_check_in_root(const Plan *p, int root_fd, SpawnError *err) {
        int r;

        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *m = &p->mounts[i];
                bool final = true;

                if (!m->source_in_root)
                        continue;
                if (m->kind == PLAN_MOUNT_OVERLAY) {
                        for (size_t k = 0; final && m->lower && m->lower[k]; k++)
                                final = in_root_is_final(p, i, root_fd, m->lower[k]);
                        if (final && !isempty(m->upper))
                                final = in_root_is_final(p, i, root_fd, m->upper);
                } else if (m->source)
                        final = in_root_is_final(p, i, root_fd, m->source);
                if (!final)
                        continue;
                r = source_check(root_fd, m, NULL, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
