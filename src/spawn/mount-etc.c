/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/resolv.conf and /etc/localtime in the new root (see mount-etc.h).
 *
 * The container's file is only ever reached through an fd of its parent
 * directory resolved inside the root, and the last component is handled
 * with *at() calls that do not follow it (O_NOFOLLOW, renameat, unlinkat):
 * a hostile image's symlink is replaced or refused, never written through.
 * Only the bind follows it, as nspawn does, and only inside the root. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-etc.h"
#include "mount-root.h"
#include "mount-util.h"

/* A resolv.conf or a zone file is small; a bigger "file" is no such thing. */
#define ETC_FILE_MAX (1024 * 1024)

/* "/etc/resolv.conf" -> "/etc" (in buf) and "resolv.conf". */
static int etc_split(const char *target, char *buf, size_t n, const char **ret_name) {
        const char *slash = strrchr(target, '/');

        if (!slash || slash == target || !slash[1] || (size_t) (slash - target) >= n)
                return -EINVAL;
        memcpy(buf, target, (size_t) (slash - target));
        buf[slash - target] = 0;
        *ret_name = slash + 1;
        return 0;
}

/* The parent directory inside the root, created there if create (the
 * values that write the root: it is theirs to write). */
static int etc_parent(int root_fd, const PlanEtcFile *f, bool create, const char **ret_name) {
        char parent[PATH_MAX];
        int r;

        r = etc_split(f->target, parent, sizeof parent, ret_name);
        if (r < 0)
                return r;
        if (create)
                return mount_target_ensure(root_fd, parent, MOUNT_TARGET_DIR, 0);
        return mount_resolve(root_fd, parent, 0);
}

/* Writes the host file's bytes to fd (a regular file of the container). */
static int etc_write_from_source(const PlanEtcFile *f, int fd, const char *what, SpawnError *err) {
        _cleanup_close_ int src = -EBADF;
        char buf[8192];
        uint64_t size;
        int r;

        r = open_text_file(f->source, ETC_FILE_MAX, &src, &size);
        if (r < 0)
                return spawn_error(err, r, "%s: %s: cannot open on the host", what, f->source);
        for (;;) {
                ssize_t n = read(src, buf, sizeof buf);

                if (n < 0)
                        return spawn_error(err, errno, "%s: %s: cannot read", what, f->source);
                if (n == 0)
                        return 0;
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = write(fd, buf + done, (size_t) (n - done));

                        if (w < 0)
                                return spawn_error(err, errno, "%s: cannot write %s", what, f->target);
                        done += w;
                }
        }
}

static int etc_bind(int root_fd, const PlanEtcFile *f, const char *what, SpawnError *err) {
        _cleanup_close_ int src_fd = -EBADF, target_fd = -EBADF, parent_fd = -EBADF, tree_fd = -EBADF;
        const char *name;
        struct stat st;
        int r;

        /* The host's file, following the host's links (/etc/resolv.conf ->
         * resolved's stub): it is the host's to choose. */
        src_fd = open(f->source, O_PATH | O_CLOEXEC);
        if (src_fd < 0)
                return spawn_error(err, errno, "%s: %s: cannot open on the host", what, f->source);
        if (fstat(src_fd, &st) < 0)
                return spawn_error(err, errno, "%s: %s: cannot stat", what, f->source);
        if (!S_ISREG(st.st_mode))
                return spawn_error(err, EINVAL, "%s: %s: not a regular file on the host", what, f->source);

        /* The container's: its links followed inside the root only. */
        target_fd = mount_resolve(root_fd, f->target, 0);
        if (target_fd == -ENOENT && f->create_missing) {
                /* A root of cell's own (tmpfs, overlay): the mount point is
                 * made there, never in the image. O_EXCL|O_NOFOLLOW: a
                 * dangling link is not followed to create its target. */
                _cleanup_close_ int fd = -EBADF;

                parent_fd = etc_parent(root_fd, f, true, &name);
                if (parent_fd < 0)
                        return spawn_error(err, parent_fd, "%s: cannot create the parent of %s", what, f->target);
                fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return spawn_error(err, errno, errno == EEXIST ?
                                           "%s: %s is a symlink that leads nowhere in the container, refusing" :
                                           "%s: cannot create %s", what, f->target);
                target_fd = mount_resolve(root_fd, f->target, 0);
        }
        if (target_fd == -ENOENT)
                return spawn_error(err, ENOENT, "%s: %s does not exist in the container, and cell creates "
                                   "no file in the image to bind over (copy or replace writes one)",
                                   what, f->target);
        if (target_fd < 0)
                return spawn_error(err, target_fd, "%s: cannot open %s in the container", what, f->target);
        if (fstat(target_fd, &st) < 0)
                return spawn_error(err, errno, "%s: cannot stat %s", what, f->target);
        if (!S_ISREG(st.st_mode))
                return spawn_error(err, EINVAL, "%s: %s in the container is not a regular file", what, f->target);
        r = mount_root_check_not_root(root_fd, target_fd);
        if (r < 0)
                return spawn_error(err, r, "%s: %s resolves to the root, refusing", what, f->target);

        tree_fd = mount_clone_tree(src_fd, false);
        if (tree_fd < 0)
                return spawn_error(err, tree_fd, "%s: cannot clone %s", what, f->source);
        /* Read-only, and nothing to execute or escalate with: the container
         * reads the host's file, never writes it. */
        r = mount_set_attr(tree_fd, false, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                           MOUNT_ATTR_NOEXEC, 0);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot make the bind read-only", what);
        r = mount_move(tree_fd, target_fd);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot attach the bind on %s", what, f->target);
        return 0;
}

/* copy: into the existing regular file, or a new one; an existing symlink
 * (or any other non-regular file) is left alone, as nspawn does. */
static int etc_copy(int root_fd, const PlanEtcFile *f, const char *what, SpawnError *err) {
        _cleanup_close_ int parent_fd = -EBADF, fd = -EBADF;
        const char *name;
        struct stat st;

        parent_fd = etc_parent(root_fd, f, true, &name);
        if (parent_fd < 0)
                return spawn_error(err, parent_fd, "%s: cannot open the parent of %s", what, f->target);
        /* O_NOFOLLOW: never write through the image's link; O_NONBLOCK: a
         * FIFO planted there cannot hang the start. */
        fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
        if (fd < 0 && errno == ELOOP)
                return 0;
        if (fd < 0)
                return spawn_error(err, errno, "%s: cannot open %s", what, f->target);
        if (fstat(fd, &st) < 0)
                return spawn_error(err, errno, "%s: cannot stat %s", what, f->target);
        if (!S_ISREG(st.st_mode))
                return 0;
        /* A hard link shares its bytes with another name, maybe one outside
         * the root on the same file system: never write through one. */
        if (st.st_nlink > 1)
                return spawn_error(err, EMLINK, "%s: %s has other hard links, refusing to write it "
                                   "(replace makes a new file)", what, f->target);
        if (ftruncate(fd, 0) < 0)
                return spawn_error(err, errno, "%s: cannot truncate %s", what, f->target);
        return etc_write_from_source(f, fd, what, err);
}

/* replace and symlink: a new inode under a temporary name, renamed over
 * whatever is there (a file, a symlink: the entry is replaced, its target
 * never touched). */
static int etc_replace(int root_fd, const PlanEtcFile *f, const char *what, SpawnError *err) {
        _cleanup_close_ int parent_fd = -EBADF, fd = -EBADF;
        char tmp[NAME_MAX + 1];
        const char *name;
        int r;

        parent_fd = etc_parent(root_fd, f, true, &name);
        if (parent_fd < 0)
                return spawn_error(err, parent_fd, "%s: cannot open the parent of %s", what, f->target);
        (void) snprintf(tmp, sizeof tmp, ".#%s.cell%d", name, (int) getpid());
        (void) unlinkat(parent_fd, tmp, 0);

        if (f->mode == PLAN_ETC_SYMLINK) {
                if (symlinkat(f->link, parent_fd, tmp) < 0)
                        return spawn_error(err, errno, "%s: cannot create the link %s", what, f->target);
        } else {
                fd = openat(parent_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return spawn_error(err, errno, "%s: cannot create %s", what, f->target);
                r = etc_write_from_source(f, fd, what, err);
                if (r < 0) {
                        (void) unlinkat(parent_fd, tmp, 0);
                        return r;
                }
        }
        if (renameat(parent_fd, tmp, parent_fd, name) < 0) {
                r = -errno;
                (void) unlinkat(parent_fd, tmp, 0);
                return spawn_error(err, r, "%s: cannot replace %s", what, f->target);
        }
        return 0;
}

static int etc_delete(int root_fd, const PlanEtcFile *f, const char *what, SpawnError *err) {
        _cleanup_close_ int parent_fd = -EBADF;
        const char *name;

        parent_fd = etc_parent(root_fd, f, false, &name);
        if (parent_fd == -ENOENT)
                return 0;
        if (parent_fd < 0)
                return spawn_error(err, parent_fd, "%s: cannot open the parent of %s", what, f->target);
        /* unlinkat: a symlink goes, what it leads to stays. */
        if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
                return spawn_error(err, errno, "%s: cannot remove %s", what, f->target);
        return 0;
}

int mount_etc_file(int root_fd, const PlanEtcFile *f, SpawnError *err) {
        char what[64];

        (void) snprintf(what, sizeof what, "%s=%s", f->key, f->setting);
        if (f->mode == PLAN_ETC_OFF)
                return 0;
        if (f->mode != PLAN_ETC_DELETE && !f->source && !f->link) {
                /* Not decided by the start (a test that builds the tree itself). */
                if (f->automatic)
                        return 0;
                return spawn_error(err, EINVAL, "%s: no host file was chosen", what);
        }

        switch (f->mode) {
        case PLAN_ETC_BIND:
                return etc_bind(root_fd, f, what, err);
        case PLAN_ETC_COPY:
                return etc_copy(root_fd, f, what, err);
        case PLAN_ETC_REPLACE:
                return etc_replace(root_fd, f, what, err);
        case PLAN_ETC_SYMLINK:
                if (!f->link)
                        return spawn_error(err, EINVAL, "%s: no link was chosen", what);
                return etc_replace(root_fd, f, what, err);
        case PLAN_ETC_DELETE:
                return etc_delete(root_fd, f, what, err);
        case PLAN_ETC_SYMLINK_OR_BIND:
                return spawn_error(err, EINVAL, "%s: the start did not decide between symlink and bind", what);
        case PLAN_ETC_OFF:
        case _PLAN_ETC_MODE_MAX:
        default:
                return 0;
        }
}
