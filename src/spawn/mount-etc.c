/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/resolv.conf and /etc/localtime in the new root (see mount-etc.h).
 *
 * The values that write (copy, replace, symlink, delete) reach the
 * container's file only through an fd of its parent directory resolved
 * inside the root with no symlink on the way, and handle the last
 * component with *at() calls that do not follow it (O_PATH|O_NOFOLLOW,
 * renameat, unlinkat): a hostile image's symlink is replaced or left
 * alone, never written through, and never leads the host's capabilities
 * into a Bind= the container's root could not write. Only the bind
 * follows links -- inside the root only, as nspawn 252's does; it writes nothing. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-created.h"
#include "mount-etc.h"
#include "mount-root.h"
#include "mount-util.h"

/* A resolv.conf or a zone file is small; a bigger "file" is no such thing. */
#define ETC_FILE_MAX (1024 * 1024)

/* The parent directory of the file a value writes, created there if create.
 * RESOLVE_NO_SYMLINKS: -ELOOP when a link is on the way. Inside the root a
 * link is harmless to follow for reading, but the writes are made with the
 * host's capabilities: an /etc -> /data, with /data a Bind= of a host
 * directory the container's root could not write, would have cell write or
 * delete there for it. A Bind= at /etc itself is no link and stays allowed. */
static int etc_parent(int root_fd, const PlanEtcFile *f, bool create, MountCreated *created, const char **ret_name) {
        char parent[PATH_MAX];
        int r;

        r = mount_path_split(f->target, parent, sizeof parent, ret_name);
        if (r < 0)
                return r;
        if (create)
                return mount_target_ensure_recorded(root_fd, parent, MOUNT_TARGET_DIR, RESOLVE_NO_SYMLINKS, created);
        return mount_resolve(root_fd, parent, RESOLVE_NO_SYMLINKS);
}

/* The host file, read whole before the container's is touched: a source
 * that fails (too big, unreadable, gone) leaves the container's file (and
 * its /etc) as they were. Its stat, to recognise it in the container. */
static int etc_read_source(const PlanEtcFile *f, char **ret_data, size_t *ret_size, struct stat *ret_st,
                           const char *what, SpawnError *err) {
        _cleanup_close_ int src = -EBADF;
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r;

        r = open_text_file(f->source, ETC_FILE_MAX, &src, NULL);
        if (r < 0)
                return spawn_error(err, r, "%s: %s: cannot open on the host", what, f->source);
        if (fstat(src, ret_st) < 0)
                return spawn_error(err, errno, "%s: %s: cannot stat", what, f->source);
        /* A file that grew since the check is still caught. */
        r = read_full_fd(src, ETC_FILE_MAX, READ_FULL_NULL_DEVICE, &data, &size);
        if (r == -ENOMEM)
                return spawn_error(err, ENOMEM, "%s: out of memory", what);
        if (r == -EFBIG)
                return spawn_error(err, EFBIG, "%s: %s: larger than %d bytes", what, f->source, ETC_FILE_MAX);
        if (r < 0)
                return spawn_error(err, r, "%s: %s: cannot read", what, f->source);
        *ret_data = TAKE_PTR(data);
        *ret_size = size;
        return 0;
}

static int etc_write_all(int fd, const char *data, size_t size, const char *what, const char *target,
                         SpawnError *err) {
        int r = write_all(fd, data, size);

        return r < 0 ? spawn_error(err, r, "%s: cannot write %s", what, target) : 0;
}

/* An explicit bind with nothing to bind over: no file, or a link that leads
 * nowhere inside the root (an image's /etc/resolv.conf -> the stub of a
 * resolved that runs only inside it), said as such, where it leads. */
static int etc_bind_missing(int root_fd, const PlanEtcFile *f, const char *what, SpawnError *err) {
        _cleanup_close_ int parent_fd = -EBADF;
        char parent[PATH_MAX], link[PATH_MAX];
        const char *name;
        ssize_t l = -1;

        if (mount_path_split(f->target, parent, sizeof parent, &name) >= 0 &&
            (parent_fd = mount_resolve(root_fd, parent, 0)) >= 0)
                l = readlinkat(parent_fd, name, link, sizeof link - 1);
        if (l >= 0) {
                /* What would do: the writing value that replaces a link. */
                const char *suffix = startswith(f->setting, "bind-");

                link[l] = 0;
                return spawn_error(err, ENOENT, "%s: %s is a symlink to %s, which leads nowhere in the container, "
                                   "and cell creates no file in the image to bind over (%s=%s%s replaces the link)",
                                   what, f->target, link, f->key, suffix ? "replace-" : "copy", strempty(suffix));
        }
        return spawn_error(err, ENOENT, "%s: %s does not exist in the container, and cell creates no file in the "
                           "image to bind over (copy or replace writes one)", what, f->target);
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

        if (f->automatic) {
                /* auto leaves a link alone (see etc-decide.c). The start
                 * looked at the image; a Bind= made since may have put a
                 * link there: look again, at the tree the container gets. */
                char parent[PATH_MAX];

                r = mount_path_split(f->target, parent, sizeof parent, &name);
                if (r < 0)
                        return spawn_error(err, r, "%s: %s: bad path", what, f->target);
                parent_fd = mount_resolve(root_fd, parent, 0);
                if (parent_fd >= 0 && fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
                    S_ISLNK(st.st_mode))
                        return 0;
                parent_fd = safe_close(parent_fd);
        }

        /* The container's: its links followed inside the root only. */
        target_fd = mount_resolve(root_fd, f->target, 0);
        if (target_fd == -ENOENT && f->create_missing) {
                /* A root of cell's own (tmpfs, overlay): the mount point is
                 * made there, never in the image. O_EXCL|O_NOFOLLOW: a
                 * dangling link is not followed to create its target; no
                 * link on the way to /etc (etc_parent()). */
                _cleanup_close_ int fd = -EBADF;

                parent_fd = etc_parent(root_fd, f, true, NULL, &name);
                if (parent_fd == -ELOOP && f->automatic)
                        return 0;
                if (parent_fd == -ELOOP)
                        return spawn_error(err, ELOOP, "%s: the way to %s has a symlink in the container, "
                                           "cell creates no file there to bind over", what, f->target);
                if (parent_fd < 0)
                        return spawn_error(err, parent_fd, "%s: cannot create the parent of %s", what, f->target);
                fd = openat(parent_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return spawn_error(err, errno, errno == EEXIST ?
                                           "%s: %s is a symlink that leads nowhere in the container, refusing" :
                                           "%s: cannot create %s", what, f->target);
                target_fd = mount_resolve(root_fd, f->target, 0);
        }
        if (target_fd == -ENOENT && f->automatic)
                return 0;       /* auto: nothing to bind over (a Bind= made since the start looked) */
        if (target_fd == -ENOENT)
                return etc_bind_missing(root_fd, f, what, err);
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

/* A file that was not there before this start is recorded once written:
 * a start that fails removes it again (nspawn leaves it). */
static int etc_record(int parent_fd, const char *name, const PlanEtcFile *f, MountCreated *created, int64_t slot,
                      const char *what, SpawnError *err) {
        int r;

        r = mount_created_add(created, slot, parent_fd, name, f->target);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot record %s", what, f->target);
        return 0;
}

/* Why a rename over the file, or its removal, says EBUSY. */
#define ETC_MOUNTED ", a mount point (a file mounted there, by Bind= or Inaccessible=)"

/* The temporary name's path inside the root, next to target. */
static int etc_tmp_path(const char *target, const char *tmp, char *buf, size_t size) {
        const char *slash = strrchr(target, '/');

        if (!slash || snprintf(buf, size, "%.*s/%s", (int) (slash - target), target, tmp) >= (int) size)
                return -ENAMETOOLONG;
        return 0;
}

/* A regular file's new bytes at parent_fd/name, atomically (fs-util.h):
 * its temporary name announced before it is made (mount-record.h), for a
 * start killed before the rename. -EBUSY, with nothing said, when name is
 * a mount point. */
static int etc_write_atomic(int parent_fd, const char *name, const PlanEtcFile *f, const char *data, size_t size,
                            const struct stat *like, MountCreated *created, const char *what, SpawnError *err) {
        char tmp[NAME_MAX + 1], tmp_path[PATH_MAX];
        int64_t tmp_slot = -1;
        int r;

        r = atomic_tmp_name(name, tmp, sizeof tmp);
        if (r >= 0)
                r = etc_tmp_path(f->target, tmp, tmp_path, sizeof tmp_path);
        if (r >= 0)
                r = mount_created_announce(created, parent_fd, tmp_path, S_IFREG, size, &tmp_slot);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot record %s", what, f->target);
        r = write_file_atomic_at(parent_fd, name, data, size, 0644, like);
        /* The temporary name is gone, renamed or removed. */
        mount_created_drop(created, tmp_slot);
        if (r == -EBUSY)
                return r;
        if (r < 0)
                return spawn_error(err, r, "%s: cannot write %s", what, f->target);
        return 0;
}

/* copy: over the existing regular file (atomically, with its owner and
 * mode), or a new one; an existing symlink (or any other non-regular file)
 * is left alone, as nspawn does. */
static int etc_copy(int root_fd, const PlanEtcFile *f, MountCreated *created, const char *what, SpawnError *err) {
        _cleanup_close_ int parent_fd = -EBADF, path_fd = -EBADF, fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        struct stat src_st, st;
        char proc[32];
        const char *name;
        size_t size;
        int r;

        r = etc_read_source(f, &data, &size, &src_st, what, err);
        if (r < 0)
                return r;

        parent_fd = etc_parent(root_fd, f, true, created, &name);
        if (parent_fd == -ELOOP)
                return 0;       /* a link on the way: left alone (etc-decide.c says so) */
        if (parent_fd < 0)
                return spawn_error(err, parent_fd, "%s: cannot open the parent of %s", what, f->target);

        /* O_PATH: the entry looked at, never opened -- a device node planted
         * there (a watchdog, /dev/kmsg) is not opened by host root, a FIFO
         * cannot block. What is written is then that very inode. */
        path_fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (path_fd < 0 && errno == ENOENT) {
                int64_t slot;

                /* Announced before it is made (mount-record.h). */
                r = mount_created_announce(created, parent_fd, f->target, S_IFREG, size, &slot);
                if (r < 0)
                        return spawn_error(err, r, "%s: cannot record %s", what, f->target);
                /* Whole or not at all, as over an old one: a start killed
                 * midway leaves no truncated file for the next. The rename
                 * replaces whatever raced in (a link too), never follows it. */
                r = etc_write_atomic(parent_fd, name, f, data, size, NULL, created, what, err);
                if (r == -EBUSY)
                        r = spawn_error(err, r, "%s: cannot create %s", what, f->target);
                if (r >= 0) {
                        r = etc_record(parent_fd, name, f, created, slot, what, err);
                        if (r < 0)
                                (void) unlinkat(parent_fd, name, 0);    /* ours, and not recorded */
                }
                if (r < 0)
                        mount_created_drop(created, slot);
                return r;
        }
        if (path_fd < 0)
                return spawn_error(err, errno, "%s: cannot open %s", what, f->target);
        if (fstat(path_fd, &st) < 0)
                return spawn_error(err, errno, "%s: cannot stat %s", what, f->target);
        if (!S_ISREG(st.st_mode))
                return 0;       /* a symlink, a device, a FIFO: left alone */
        /* The host's own file (a Bind= of its /etc): it already holds the
         * bytes, and truncating it first would empty it. */
        if (stat_same_inode(&st, &src_st))
                return 0;
        /* Whole or not at all: a new inode with the old one's owner and
         * mode, renamed over it. A start killed midway leaves the old file
         * (and a persistent root keeps it for the next start), never a
         * truncated one. A hard link's other names keep the old bytes.
         * Not on a mount point, which no rename can replace: asked first,
         * as the new inode's owner may be one the root's idmapped mount
         * cannot hold (a Bind= of a host root's file under PrivateUsers=),
         * which would fail the copy before the rename says EBUSY. */
        r = mount_is_mount_point_at(parent_fd, path_fd);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot stat %s", what, f->target);
        if (r == 0) {
                r = etc_write_atomic(parent_fd, name, f, data, size, &st, created, what, err);
                if (r != -EBUSY)
                        return r;
        }

        /* A hard link shares its bytes with another name, maybe one outside
         * the root on the same file system: never written through. */
        if (st.st_nlink > 1)
                return spawn_error(err, EMLINK, "%s: %s is a mount point with other hard links, refusing to "
                                   "write into it", what, f->target);
        /* A mount point (a file bound there): nothing can be renamed over
         * it, so it is written into, as before. Reopened through the fd,
         * never by name: the same inode, checked above. */
        (void) snprintf(proc, sizeof proc, "/proc/self/fd/%d", path_fd);
        fd = open(proc, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return spawn_error(err, errno, "%s: cannot open %s for writing", what, f->target);
        if (ftruncate(fd, 0) < 0)
                return spawn_error(err, errno, "%s: cannot truncate %s", what, f->target);
        return etc_write_all(fd, data, size, what, f->target, err);
}

/* replace and symlink: a new inode under a temporary name, renamed over
 * whatever is there (a file, a symlink: the entry is replaced, its target
 * never touched). */
static int etc_replace(int root_fd, const PlanEtcFile *f, MountCreated *created, const char *what,
                       SpawnError *err) {
        _cleanup_close_ int parent_fd = -EBADF, old_fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        char tmp[NAME_MAX + 1], tmp_path[PATH_MAX];
        struct stat src_st, st;
        int64_t slot = -1, tmp_slot = -1;
        const char *name;
        size_t size = 0;
        bool existed;
        int r;

        if (f->mode != PLAN_ETC_SYMLINK) {
                r = etc_read_source(f, &data, &size, &src_st, what, err);
                if (r < 0)
                        return r;
        }

        parent_fd = etc_parent(root_fd, f, true, created, &name);
        if (parent_fd == -ELOOP)
                return 0;       /* a link on the way: left alone (etc-decide.c says so) */
        if (parent_fd < 0)
                return spawn_error(err, parent_fd, "%s: cannot open the parent of %s", what, f->target);
        existed = fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 || errno != ENOENT;
        if (f->mode != PLAN_ETC_SYMLINK) {
                /* Already the host's file (a Bind= of its /etc): nothing to do. */
                old_fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (old_fd >= 0 && fstat(old_fd, &st) >= 0 && stat_same_inode(&st, &src_st))
                        return 0;
        }
        if (f->mode == PLAN_ETC_SYMLINK)
                size = strlen(f->link);
        /* Both names announced before either is made (mount-record.h): the
         * temporary one, left if the start is killed before the rename,
         * and the file's own, when it is new. The temporary name is one
         * per target (fs-util.h): a start killed before the rename leaves
         * one there at most, which the next start replaces. */
        r = atomic_tmp_name(name, tmp, sizeof tmp);
        if (r >= 0)
                r = etc_tmp_path(f->target, tmp, tmp_path, sizeof tmp_path);
        if (r >= 0)
                r = mount_created_announce(created, parent_fd, tmp_path, f->mode == PLAN_ETC_SYMLINK ? S_IFLNK : S_IFREG,
                                           size, &tmp_slot);
        if (r >= 0 && !existed)
                r = mount_created_announce(created, parent_fd, f->target,
                                           f->mode == PLAN_ETC_SYMLINK ? S_IFLNK : S_IFREG, size, &slot);
        if (r < 0) {
                mount_created_drop(created, tmp_slot);
                return spawn_error(err, r, "%s: cannot record %s", what, f->target);
        }

        if (f->mode == PLAN_ETC_SYMLINK) {
                /* unlinkat: a killed start's link (or anything planted
                 * there) goes, what it leads to stays. */
                (void) unlinkat(parent_fd, tmp, 0);
                if (symlinkat(f->link, parent_fd, tmp) < 0)
                        r = spawn_error(err, errno, "%s: cannot create the link %s", what, f->target);
                else if (renameat(parent_fd, tmp, parent_fd, name) < 0) {
                        r = spawn_error(err, errno, "%s: cannot replace %s%s", what, f->target,
                                        errno == EBUSY ? ETC_MOUNTED : "");
                        (void) unlinkat(parent_fd, tmp, 0);
                }
        } else {
                r = write_file_atomic_at(parent_fd, name, data, size, 0644, NULL);
                if (r < 0)
                        r = spawn_error(err, r, "%s: cannot replace %s%s", what, f->target,
                                        r == -EBUSY ? ETC_MOUNTED : "");
        }
        /* The temporary name is gone, renamed or removed. */
        mount_created_drop(created, tmp_slot);
        if (r < 0 || existed) {
                mount_created_drop(created, slot);
                return r;
        }
        r = etc_record(parent_fd, name, f, created, slot, what, err);
        if (r < 0) {
                (void) unlinkat(parent_fd, name, 0);    /* ours, and not recorded */
                mount_created_drop(created, slot);
        }
        return r;
}

static int etc_delete(int root_fd, const PlanEtcFile *f, const char *what, SpawnError *err) {
        _cleanup_close_ int parent_fd = -EBADF;
        const char *name;

        parent_fd = etc_parent(root_fd, f, false, NULL, &name);
        if (parent_fd == -ENOENT)
                return 0;
        if (parent_fd == -ELOOP)
                return 0;       /* a link on the way: left alone (etc-decide.c says so) */
        if (parent_fd < 0)
                return spawn_error(err, parent_fd, "%s: cannot open the parent of %s", what, f->target);
        /* unlinkat: a symlink goes, what it leads to stays. */
        if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
                return spawn_error(err, errno, "%s: cannot remove %s%s", what, f->target,
                                   errno == EBUSY ? ETC_MOUNTED : "");
        return 0;
}

static int etc_apply(int root_fd, const PlanEtcFile *f, MountCreated *created, const char *what, SpawnError *err) {
        switch (f->mode) {
        case PLAN_ETC_BIND:
                return etc_bind(root_fd, f, what, err);
        case PLAN_ETC_COPY:
                return etc_copy(root_fd, f, created, what, err);
        case PLAN_ETC_REPLACE:
                return etc_replace(root_fd, f, created, what, err);
        case PLAN_ETC_SYMLINK:
                if (!f->link)
                        return spawn_error(err, EINVAL, "%s: no link was chosen", what);
                return etc_replace(root_fd, f, created, what, err);
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

const char *etc_file_describe(const PlanEtcFile *f, char *buf, size_t n) {
        if (f->line > 0 && f->file)
                (void) snprintf(buf, n, "%s:%u: %s=%s", f->file, f->line, f->key, f->setting);
        else
                (void) snprintf(buf, n, "%s=%s", f->key, f->setting);
        return buf;
}

int mount_etc_file(int root_fd, const PlanEtcFile *f, MountCreated *created, SpawnError *err) {
        char what[PATH_MAX + 64];
        mode_t old_umask;
        int r;

        etc_file_describe(f, what, sizeof what);
        if (f->mode == PLAN_ETC_OFF)
                return 0;
        if (f->mode != PLAN_ETC_DELETE && !f->source && !f->link) {
                /* Not decided by the start (a test that builds the tree itself). */
                if (f->automatic)
                        return 0;
                return spawn_error(err, EINVAL, "%s: no host file was chosen", what);
        }

        /* The files are for every user of the container (User= too), not
         * shaped by whatever umask cell was started with. */
        old_umask = umask(0022);
        r = etc_apply(root_fd, f, created, what, err);
        (void) umask(old_umask);
        return r;
}
