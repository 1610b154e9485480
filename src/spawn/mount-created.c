/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a start makes in the root and on the host, and its record
 * (mount-created.h). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mount-created.h"
#include "mount-record.h"

static int target_check_type(int fd, MountTargetType type) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        switch (type) {
        case MOUNT_TARGET_DIR:
                return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
        case MOUNT_TARGET_FILE:
                return S_ISDIR(st.st_mode) ? -EISDIR : 0;
        case MOUNT_TARGET_ANY:
        default:
                return 0;
        }
}

/* Creates one missing component name below the resolved parent. Creation
 * is relative to the parent fd and never follows a symlink (mkdirat, and
 * O_CREAT|O_EXCL), so it cannot place anything outside the root. Returns 1
 * when it made it, 0 when it was there already. */
static int target_create_one(int parent_fd, const char *name, bool dir) {
        int fd;

        if (dir) {
                if (mkdirat(parent_fd, name, 0755) >= 0)
                        return 1;
                return errno == EEXIST ? 0 : negative_errno();
        }

        fd = openat(parent_fd, name, O_CREAT|O_EXCL|O_WRONLY|O_NOCTTY|O_NOFOLLOW|O_CLOEXEC, 0644);
        if (fd < 0)
                return errno == EEXIST ? 0 : negative_errno();
        safe_close(fd);
        return 1;
}

void mount_created_fresh(MountCreated *created, uint64_t mnt_id) {
        if (created && created->n_fresh < ELEMENTSOF(created->fresh_mnt_ids))
                created->fresh_mnt_ids[created->n_fresh++] = mnt_id;
}

bool mount_created_on_fresh(const MountCreated *created, int parent_fd) {
        uint64_t id;

        if (created->host || created->n_fresh == 0 || mount_id_of(parent_fd, &id) < 0)
                return false;
        for (size_t i = 0; i < created->n_fresh; i++)
                if (created->fresh_mnt_ids[i] == id)
                        return true;
        return false;
}

int mount_created_announce(MountCreated *created, int parent_fd, const char *path, mode_t type, uint64_t size,
                           int64_t *ret_slot) {
        *ret_slot = -1;
        if (!created)
                return 0;
        if (mount_created_on_fresh(created, parent_fd)) {
                *ret_slot = MOUNT_SLOT_FRESH;
                return 0;
        }
        if (created->record_fd < 0)
                return 0;
        return mount_record_announce(created->record_fd, parent_fd, path, created->host, type, size, ret_slot);
}

void mount_created_drop(MountCreated *created, int64_t slot) {
        if (created && created->record_fd >= 0 && slot >= 0)
                (void) mount_record_drop(created->record_fd, slot);
}

int mount_created_add(MountCreated *created, int64_t slot, int parent_fd, const char *name, const char *path) {
        MountCreatedEntry *e;
        struct statx sx;

        if (!created || slot == MOUNT_SLOT_FRESH)
                return 0;
        if (statx(parent_fd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE | STATX_MTIME | STATX_INO |
                  STATX_MNT_ID, &sx) < 0)
                return negative_errno();
        e = realloc(created->entries, (created->n + 1) * sizeof *e);
        if (!e)
                return -ENOMEM;
        created->entries = e;
        e += created->n;
        *e = (MountCreatedEntry) {
                .path = strdup(path),
                .host = created->host,
                .type = sx.stx_mode & S_IFMT,
                .mnt_id = sx.stx_mnt_id,
                .dev_major = sx.stx_dev_major,
                .dev_minor = sx.stx_dev_minor,
                .ino = sx.stx_ino,
                .size = sx.stx_size,
                .mtime = sx.stx_mtime,
        };
        if (!e->path)
                return -ENOMEM;
        created->n++;
        /* In the list first: if the record cannot say it, the start fails
         * and the list takes it back. */
        if (created->record_fd >= 0 && slot >= 0)
                return mount_record_made(created->record_fd, slot, e);
        return 0;
}

/* The parent directory of path's last component, resolved from the root,
 * with prefix set to its path as the walk builds it and *p to where the
 * walk goes on; -errno (prefix empty, *p untouched) when it is not there
 * or is the root itself: the walk then begins at the root. */
static int walk_from_parent(int root_fd, const char *path, uint64_t extra_resolve, char *prefix, size_t size,
                            const char **p) {
        _cleanup_close_ int fd = -EBADF;
        const char *q = path, *w, *last = NULL, *last_end = NULL;
        size_t l, n = 0;
        int r;

        prefix[0] = 0;
        while (mount_path_next(&q, &w, &l)) {
                last = w;
                last_end = q;
        }
        if (!last || last_end != path + strlen(path))
                return -ENOENT;
        for (q = path; mount_path_next(&q, &w, &l) && w != last; n += l + 1) {
                if (l > NAME_MAX || n + 1 + l >= size) {
                        prefix[0] = 0;
                        return -ENAMETOOLONG;
                }
                prefix[n] = '/';
                memcpy(prefix + n + 1, w, l);
                prefix[n + 1 + l] = 0;
        }
        if (n == 0)
                return -ENOENT;         /* the parent is the root */

        fd = mount_resolve(root_fd, prefix, extra_resolve);
        r = fd < 0 ? fd : target_check_type(fd, MOUNT_TARGET_DIR);
        if (r < 0) {
                prefix[0] = 0;
                return r;
        }
        *p = last;
        return TAKE_FD(fd);
}

int mount_target_ensure(int root_fd, const char *path, MountTargetType type, uint64_t extra_resolve) {
        return mount_target_ensure_recorded(root_fd, path, type, extra_resolve, NULL);
}

int mount_target_ensure_recorded(int root_fd, const char *path, MountTargetType type, uint64_t extra_resolve,
                                 MountCreated *created) {
        _cleanup_close_ int fd = -EBADF, parent_fd = -EBADF;
        char prefix[PATH_MAX], name[NAME_MAX + 1];
        const char *p = path, *w;
        bool missing;
        size_t l;
        int r;

        if (!mount_path_is_safe(path))
                return -EINVAL;

        fd = mount_resolve(root_fd, path, extra_resolve);
        if (fd < 0 && fd != -ENOENT)
                return fd;
        if (fd < 0 && type == MOUNT_TARGET_ANY)
                return -ENOENT;

        if (fd < 0) {
                /* Walk from the root, creating what is missing. Each prefix is
                 * resolved again from the root, so a symlink met on the way is
                 * followed inside the root, never outside. Most often only the
                 * last component is missing (a device node on /dev): the walk
                 * then begins at the parent, resolved as it would resolve it. */
                parent_fd = walk_from_parent(root_fd, path, extra_resolve, prefix, sizeof prefix, &p);
                /* Then path just did not resolve: its last component is missing. */
                missing = parent_fd >= 0;
                if (parent_fd < 0)
                        parent_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
                if (parent_fd < 0)
                        return negative_errno();

                while (mount_path_next(&p, &w, &l)) {
                        bool last = !*(p + strspn(p, "/"));

                        if (l > NAME_MAX)
                                return -ENAMETOOLONG;
                        memcpy(name, w, l);
                        name[l] = 0;
                        if (strlen(prefix) + 1 + l >= sizeof prefix)
                                return -ENAMETOOLONG;
                        strcat(prefix, "/");
                        strcat(prefix, name);

                        fd = missing ? -ENOENT : mount_resolve(root_fd, prefix, extra_resolve);
                        missing = false;
                        if (fd == -ENOENT) {
                                bool dir = !last || type == MOUNT_TARGET_DIR;
                                int64_t slot;

                                /* Announced before it is made: a process
                                 * killed right after the making still has
                                 * it in the record. */
                                r = mount_created_announce(created, parent_fd, prefix, dir ? S_IFDIR : S_IFREG, 0,
                                                           &slot);
                                if (r < 0)
                                        return r;
                                r = target_create_one(parent_fd, name, dir);
                                if (r > 0)
                                        r = mount_created_add(created, slot, parent_fd, name, prefix);
                                else
                                        mount_created_drop(created, slot);
                                if (r < 0)
                                        return r;
                                fd = mount_resolve(root_fd, prefix, extra_resolve);
                        }
                        if (fd < 0)
                                return fd;
                        if (!last) {
                                r = target_check_type(fd, MOUNT_TARGET_DIR);
                                if (r < 0)
                                        return r;
                                safe_close(parent_fd);
                                parent_fd = TAKE_FD(fd);
                        }
                }
                if (fd < 0)     /* path was "/" */
                        return -EINVAL;
        }

        r = target_check_type(fd, type);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

/* An O_PATH fd of the top of the mount of that id, met on the way to
 * path's parent (the mount's own root, which mount_setattr() needs). */
static int created_mount_root(int root_fd, const char *path, uint64_t mnt_id) {
        _cleanup_close_ int fd = -EBADF;
        char prefix[PATH_MAX] = "";
        const char *p = path, *w;
        uint64_t id;
        size_t l;

        fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return negative_errno();
        for (;;) {
                int r = mount_id_of(fd, &id);

                if (r < 0)
                        return r;
                if (id == mnt_id)
                        return TAKE_FD(fd);
                if (!mount_path_next(&p, &w, &l) || !*(p + strspn(p, "/")))
                        return -ENOENT;         /* the parent is reached: not on the way */
                if (strlen(prefix) + 1 + l >= sizeof prefix)
                        return -ENAMETOOLONG;
                strcat(prefix, "/");
                strncat(prefix, w, l);
                safe_close(fd);
                fd = mount_resolve(root_fd, prefix, 0);
                if (fd < 0)
                        return fd;
        }
}

void mount_created_unseal(const MountCreated *created, int root_fd) {
        for (size_t i = 0; i < created->n; i++) {
                _cleanup_close_ int fd = -EBADF;

                if (created->entries[i].host)
                        continue;
                fd = created_mount_root(root_fd, created->entries[i].path, created->entries[i].mnt_id);
                if (fd >= 0)
                        (void) mount_set_attr(fd, false, 0, MOUNT_ATTR_RDONLY);
        }
}

/* Its inode is not known: only what looks made by this start goes. Whatever
 * was at the name before was seen missing right before the entry was
 * written; the start's mkdirat() or O_EXCL create then made it, or failed
 * and made nothing. */
static void created_remove_pending(int parent_fd, const char *name, const MountCreatedEntry *e) {
        struct statx_timestamp born;
        struct statx sx;

        /* The file system, not the mount: a host entry is walked from the
         * host's namespace, not the copy it was made from. */
        if (statx(parent_fd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE | STATX_BTIME | STATX_CTIME, &sx) < 0)
                return;
        if ((sx.stx_mode & S_IFMT) != e->type || sx.stx_dev_major != e->dev_major ||
            sx.stx_dev_minor != e->dev_minor)
                return;
        /* Born since: its birth time where the file system keeps one, else
         * its last change, which is never before its birth. To the
         * nanosecond, not the second: something another process made in the
         * second before the announcement is not ours. Stamps in whole
         * seconds (a file system that keeps no more) are compared as such. */
        born = (sx.stx_mask & STATX_BTIME) ? sx.stx_btime : sx.stx_ctime;
        if (born.tv_nsec == 0 ? born.tv_sec < (int64_t) (e->since_nsec / UINT64_C(1000000000)) :
            (uint64_t) born.tv_sec * UINT64_C(1000000000) + born.tv_nsec < e->since_nsec)
                return;
        if (e->type != S_IFDIR && sx.stx_size > e->size)
                return;
        (void) unlinkat(parent_fd, name, e->type == S_IFDIR ? AT_REMOVEDIR : 0);  /* a directory: only if empty */
}

static void created_remove(int root_fd, const MountCreatedEntry *e) {
        _cleanup_close_ int parent_fd = -EBADF;
        _cleanup_free_ char *parent = NULL;
        const char *slash = strrchr(e->path, '/'), *name;
        uint64_t parent_id, id;
        struct statx sx;

        if (!slash || isempty(slash + 1))
                return;
        name = slash + 1;
        /* The parent as it was walked when this was made: everything mounted
         * later lies on this entry or below it, removed already. */
        parent = strndup(e->path, (size_t) (name - e->path));
        if (!parent)
                return;
        parent_fd = mount_resolve(root_fd, parent, 0);
        if (parent_fd < 0 || mount_id_of(parent_fd, &parent_id) < 0)
                return;

        /* Pending: killed before it was recorded as made, so before anything
         * was mounted on it. */
        if (e->pending) {
                created_remove_pending(parent_fd, name, e);
                return;
        }

        /* What is mounted on it, top first. umount2() takes no fd: the one
         * name, from the parent as our cwd, never followed if a link. Not
         * /proc/self/fd/N: a /proc that cell made goes before what was made
         * ahead of it (Volatile=state's /var), and after pivot_root the
         * container's /proc is the only one. */
        if (fchdir(parent_fd) < 0)
                return;
        for (unsigned n = 0; n < 64; n++) {
                _cleanup_close_ int fd = openat(parent_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

                if (fd < 0 || mount_id_of(fd, &id) < 0 || id == parent_id)
                        break;
                if (umount2(name, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                        return;
        }

        /* Only what was made, as it was made: never what the image or a host
         * source got meanwhile at that name, nor a file written since. */
        if (statx(parent_fd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE | STATX_MTIME | STATX_INO, &sx) < 0)
                return;
        if (sx.stx_ino != e->ino || sx.stx_dev_major != e->dev_major || sx.stx_dev_minor != e->dev_minor ||
            (sx.stx_mode & S_IFMT) != e->type)
                return;
        if (e->type != S_IFDIR && (sx.stx_size != e->size || sx.stx_mtime.tv_sec != e->mtime.tv_sec ||
                                   sx.stx_mtime.tv_nsec != e->mtime.tv_nsec))
                return;
        (void) unlinkat(parent_fd, name, e->type == S_IFDIR ? AT_REMOVEDIR : 0);  /* a directory: only if empty */
}

void mount_created_undo(MountCreated *created, int root_fd, int host_fd) {
        _cleanup_close_ int cwd_fd = -EBADF;

        /* created_remove() works from each parent as the cwd: ours comes back. */
        if (created->n > 0)
                cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        /* One list, in the order made: a mount point in a bound host
         * directory may be the parent of an overlay's upper there. */
        for (size_t i = created->n; i > 0; i--) {
                const MountCreatedEntry *e = &created->entries[i - 1];

                if (e->host ? host_fd >= 0 : root_fd >= 0)
                        created_remove(e->host ? host_fd : root_fd, e);
        }
        if (cwd_fd >= 0)
                (void) !fchdir(cwd_fd);
        mount_created_done(created);
        /* Taken back by the process that made it (the supervisor's, with
         * no record, runs last): the supervisor has nothing left to do. */
        if (created->record_fd >= 0)
                (void) mount_record_clear(created->record_fd);
}

void mount_created_done(MountCreated *created) {
        for (size_t i = 0; i < created->n; i++)
                free(created->entries[i].path);
        created->entries = mfree(created->entries);
        created->n = 0;
}
