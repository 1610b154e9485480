/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unit's mount targets against the nodes cell makes, the file systems
 * mounted before them and the Directory= root (verify-mounts.h). Read as the
 * start reads them (spawn/mount-created.c): resolved in the root with
 * mount_resolve(), links followed inside it, nothing made. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-util.h"
#include "plan-mount-check.h"
#include "plan-mount-entry.h"
#include "verify-mounts.h"

/* What a mount needs at its target (mount-one.c's MountTargetType, and
 * below it, for every kind, directories). */
typedef enum TargetNeed {
        NEED_DIRECTORY,         /* a file system, or a directory's bind */
        NEED_NON_DIRECTORY,     /* a file's bind */
        NEED_PARENTS,           /* anything, or nothing: Inaccessible=, a source not known */
} TargetNeed;

typedef struct MountCheck {
        const Plan *plan;
        PlanTargetIndex targets;
        int root_fd;            /* the Directory= root, or < 0 */
} MountCheck;

/* The path a descriptor's own "/proc/self/fd" link names: 0, or -errno. */
static int fd_path(int fd, char *buf, size_t size) {
        char link[64];
        ssize_t n;

        (void) snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        n = readlink(link, buf, size - 1);
        if (n < 0)
                return negative_errno();
        if ((size_t) n >= size - 1)
                return -ENAMETOOLONG;
        buf[n] = 0;
        return 0;
}

static int root_lookup(const MountCheck *c, size_t i, const char *path, mode_t *ret_mode, char *ret_resolved,
                       size_t size);

/* Where resolving path met a file on its way (ENOTDIR): -ENOTDIR and that
 * file's path (as written, a leading part of path) in ret_file when the
 * root's own is one, 0 when that is not known here. */
static int root_file_on_the_way(const MountCheck *c, size_t i, const char *path, char *ret_file, size_t size) {
        char prefix[PATH_MAX], resolved[PATH_MAX];
        const char *q = path, *w;
        size_t l, n = 0;
        mode_t mode;

        while (mount_path_next(&q, &w, &l) && *(q + strspn(q, "/"))) {
                if (n + 1 + l >= sizeof prefix)
                        return 0;
                prefix[n++] = '/';
                memcpy(prefix + n, w, l);
                n += l;
                prefix[n] = 0;
                if (root_lookup(c, i, prefix, &mode, resolved, sizeof resolved) <= 0)
                        return 0;
                if (!S_ISDIR(mode)) {
                        (void) snprintf(ret_file, size, "%s", prefix);
                        return -ENOTDIR;
                }
        }
        return 0;
}

/* What the root holds at path when the start comes to p->mounts[i]: 1 with
 * *ret_mode and, where a link led there, *ret_resolved (in the root);
 * -ENOTDIR and in *ret_resolved the file that lies on the way to it; 0
 * where it is missing or not known here: in a mount of the plan's, or
 * reached through a link into one (a link is followed in the root, as the
 * start follows it, and what it leads to must be the root's own too). */
static int root_lookup(const MountCheck *c, size_t i, const char *path, mode_t *ret_mode, char *ret_resolved,
                       size_t size) {
        _cleanup_close_ int fd = -EBADF;
        char root[PATH_MAX];
        struct stat st;
        size_t n;

        ret_resolved[0] = 0;
        if (!mount_path_is_safe(path) ||
            plan_mount_target_found(c->plan, &c->targets, i, path, NULL) != PLAN_TARGET_ROOT)
                return 0;
        fd = mount_resolve(c->root_fd, path, RESOLVE_NO_SYMLINKS);
        if (fd == -ELOOP) {
                fd = mount_resolve(c->root_fd, path, 0);
                if (fd == -ENOTDIR)
                        return root_file_on_the_way(c, i, path, ret_resolved, size);
                if (fd < 0)
                        return 0;
                if (fd_path(c->root_fd, root, sizeof root) < 0 || fd_path(fd, ret_resolved, size) < 0)
                        return 0;
                n = strlen(root);
                if (strncmp(ret_resolved, root, n) != 0 || ret_resolved[n] != '/')
                        return 0;       /* the root itself, or not below it */
                memmove(ret_resolved, ret_resolved + n, strlen(ret_resolved + n) + 1);
                if (plan_mount_target_found(c->plan, &c->targets, i, ret_resolved, NULL) != PLAN_TARGET_ROOT)
                        return 0;
        }
        if (fd == -ENOTDIR)
                return root_file_on_the_way(c, i, path, ret_resolved, size);
        if (fd < 0 || fstat(fd, &st) < 0)
                return 0;
        *ret_mode = st.st_mode;
        return 1;
}

/* What a Bind= needs at its target, by the kind of its source (the host's,
 * or a "+" one the root holds for it); NEED_PARENTS where the host's cannot
 * be looked at. -ENOENT where the source is missing (the start says so
 * first, or skips an optional one) or, for a "+" one, not known here. */
static int bind_need(const MountCheck *c, size_t i) {
        const PlanMount *m = &c->plan->mounts[i];
        _cleanup_close_ int fd = -EBADF;
        char resolved[PATH_MAX];
        mode_t mode;
        struct stat st;
        int r;

        if (isempty(m->source))
                return -ENOENT;
        if (m->source_in_root) {
                /* Not known here: maybe missing, and an optional one's
                 * mount then skipped. */
                r = c->root_fd < 0 ? 0 : root_lookup(c, i, m->source, &mode, resolved, sizeof resolved);
                if (r <= 0)
                        return -ENOENT;
                return S_ISDIR(mode) ? NEED_DIRECTORY : NEED_NON_DIRECTORY;
        }
        /* Opened as the start opens it (mount_source_open()): links followed. */
        fd = open(m->source, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT : NEED_PARENTS;
        if (fstat(fd, &st) < 0)
                return NEED_PARENTS;
        return S_ISDIR(st.st_mode) ? NEED_DIRECTORY : NEED_NON_DIRECTORY;
}

static int target_need(const MountCheck *c, size_t i) {
        const PlanMount *m = &c->plan->mounts[i];

        switch (m->kind) {
        case PLAN_MOUNT_FS:
                /* An optional one is skipped where it finds no directory. */
                return m->optional ? -ENOENT : NEED_DIRECTORY;
        case PLAN_MOUNT_OVERLAY:
                return NEED_DIRECTORY;
        case PLAN_MOUNT_BIND:
                return bind_need(c, i);
        case PLAN_MOUNT_MASK:
        case PLAN_MOUNT_READ_ONLY:
        case PLAN_MOUNT_WRITABLE:
                return NEED_PARENTS;
        case PLAN_MOUNT_DEVICE:
        case PLAN_MOUNT_SYMLINK:
        case PLAN_MOUNT_CGROUP:
        case _PLAN_MOUNT_KIND_MAX:
        default:
                return -ENOENT;         /* cell's own, made as it needs */
        }
}

/* The start's words for the kernel's ENOTDIR and EISDIR (mount-one.c's
 * target_error()), then why. */
#define TARGET_NOT_DIRECTORY "target exists and is not a directory"
#define TARGET_IS_DIRECTORY "target is a directory but the source is not"

/* "FILE:LINE: ENTRY: TEXT" for p->mounts[i], held in errs to be said in the
 * unit's order (the mounts are in the target's; of one line, Inaccessible=
 * naming several paths, by target). Returns -EINVAL or -ENOMEM. */
_printf_(4, 5)
static int mount_error(PlanMountErrors *errs, const Plan *p, size_t i, const char *fmt, ...) {
        const PlanMount *m = &p->mounts[i];
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return plan_mount_error_at(errs, p->unit_path, p->dropin_paths, m->file, m->line, i, m->entry, text);
}

/* Whether what the start finds at the target, of kind "kind" (NEED_DIRECTORY:
 * a directory; NEED_NON_DIRECTORY: a file), fails m's mount there. A Bind='s
 * source is looked at only here, once the target is known to exist: most
 * targets do not, and a unit's Bind= of a host directory then costs verify
 * no more than the target's lookup. */
static bool kind_refused(const MountCheck *c, size_t i, int kind) {
        int need = target_need(c, i);

        return (kind == NEED_DIRECTORY && need == NEED_NON_DIRECTORY) ||
               (kind == NEED_NON_DIRECTORY && need == NEED_DIRECTORY);
}

static int check_one(const MountCheck *c, size_t i, PlanMountErrors *errs) {
        const Plan *p = c->plan;
        const PlanMount *m = &p->mounts[i];
        const char *root = strna(p->root_directory);
        char resolved[PATH_MAX];
        PlanTargetFound found;
        size_t bind = SIZE_MAX;
        mode_t mode;
        int r;

        /* cell's own mounts, and an optional file system, need nothing here. */
        if (m->kind != PLAN_MOUNT_BIND && target_need(c, i) < 0)
                return 0;
        found = plan_mount_target_found(p, &c->targets, i, m->target, &bind);
        /* A Bind= of the unit's there before it (of one target the binds
         * come first): what its source is. */
        if (found == PLAN_TARGET_BIND) {
                const PlanMount *b = &p->mounts[bind];
                int kind = bind_need(c, bind);

                if (!kind_refused(c, i, kind))
                        return 0;
                if (kind == NEED_DIRECTORY)
                        r = mount_error(errs, p, i, TARGET_IS_DIRECTORY " (%s:%u: %s binds a directory there "
                                        "before it)", strna(b->file ?: p->unit_path), b->line, b->entry);
                else
                        r = mount_error(errs, p, i, TARGET_NOT_DIRECTORY " (%s:%u: %s binds a file there before it)",
                                        strna(b->file ?: p->unit_path), b->line, b->entry);
        } else if (found == PLAN_TARGET_NODE && kind_refused(c, i, NEED_NON_DIRECTORY))
                r = mount_error(errs, p, i, TARGET_NOT_DIRECTORY " (cell makes %s a device node "
                               "before the unit's mounts)", m->target);
        else if (found == PLAN_TARGET_DIRECTORY && kind_refused(c, i, NEED_DIRECTORY))
                r = mount_error(errs, p, i, TARGET_IS_DIRECTORY " (a file system is mounted on "
                               "%s before it)", m->target);
        else if (found != PLAN_TARGET_ROOT || c->root_fd < 0)
                return 0;
        else {
                r = root_lookup(c, i, m->target, &mode, resolved, sizeof resolved);
                if (r == -ENOTDIR && target_need(c, i) >= 0)
                        r = mount_error(errs, p, i, TARGET_NOT_DIRECTORY " (%s, on the way to it, "
                                       "is no directory in Directory=%s)", resolved, root);
                else if (r > 0 && kind_refused(c, i, S_ISDIR(mode) ? NEED_DIRECTORY : NEED_NON_DIRECTORY))
                        r = mount_error(errs, p, i, "%s (%s%s%s in Directory=%s)",
                                        S_ISDIR(mode) ? TARGET_IS_DIRECTORY : TARGET_NOT_DIRECTORY,
                                        m->target, resolved[0] ? ", a link to " : "", resolved, root);
                else
                        return 0;
        }
        return r;
}

int cli_check_mount_targets(const Plan *p, int root_fd, Diagnostics *diag) {
        _cleanup_(plan_mount_errors_done) PlanMountErrors errs = {};
        MountCheck c = { .plan = p, .root_fd = root_fd };
        bool invalid = false;
        int r;

        /* The root as the start finds it: Volatile=yes makes a tmpfs of it,
         * Volatile=state one of its /var. */
        if (p->root_volatile != CELL_VOLATILE_NO && p->root_volatile != CELL_VOLATILE_OVERLAY)
                c.root_fd = -EBADF;
        r = plan_target_index_build(p, &c.targets);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_mounts; i++) {
                if (p->mounts[i].line == 0 || !p->mounts[i].entry)
                        continue;
                r = check_one(&c, i, &errs);
                if (r == -ENOMEM)
                        break;
                if (r < 0)
                        invalid = true;
        }
        plan_target_index_done(&c.targets);
        if (r == -ENOMEM || plan_mount_errors_flush(&errs, diag) < 0)
                return -ENOMEM;
        return invalid ? -EINVAL : 0;
}

void verify_root_done(VerifyRoot *v) {
        v->path = mfree(v->path);
        v->fd = safe_close(v->fd);
}

int cli_check_mount_targets_root(const Plan *p, VerifyRoot *v, Diagnostics *diag) {
        /* Followed, as the start opens it (run_open_root()); where it cannot
         * be opened the start says so, and the nodes are still checked. The
         * last one is kept for the next unit: a fleet's units share a root. */
        if (!p->root_image && p->root_directory && p->root_directory[0] == '/' &&
            !streq_ptr(v->path, p->root_directory)) {
                verify_root_done(v);
                v->path = strdup(p->root_directory);
                if (!v->path)
                        return -ENOMEM;
                v->fd = open(p->root_directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
        return cli_check_mount_targets(p, streq_ptr(v->path, p->root_directory) && !p->root_image ? v->fd : -EBADF,
                                       diag);
}
