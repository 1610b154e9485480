/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macros.h"
#include "mount-record.h"
#include "mount-util.h"

int mount_openat2(int dirfd, const char *path, int flags, uint64_t resolve) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = resolve,
        };
        long fd;

        /* EAGAIN: a rename or mount elsewhere raced with the walk and the
         * kernel could not vouch for the result (RESOLVE_IN_ROOT). Each try
         * is a whole safe walk; a root that keeps changing ends in EAGAIN. */
        for (unsigned tries = 0;; tries++) {
                fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
                if (fd >= 0)
                        return (int) fd;
                if (errno != EAGAIN || tries >= 64)
                        return negative_errno();
        }
}

/* Walks the components of an absolute path: *p points at the next one on
 * return, with its length in *ret_len; false at the end. */
static bool path_next(const char **p, const char **ret_word, size_t *ret_len) {
        const char *s = *p;

        s += strspn(s, "/");
        if (!*s)
                return false;
        *ret_word = s;
        *ret_len = strcspn(s, "/");
        *p = s + *ret_len;
        return true;
}

bool mount_path_is_safe(const char *path) {
        const char *w;
        size_t l;

        if (!path || path[0] != '/')
                return false;
        if (strlen(path) >= PATH_MAX)
                return false;
        while (path_next(&path, &w, &l))
                if ((l == 1 && w[0] == '.') || (l == 2 && w[0] == '.' && w[1] == '.'))
                        return false;
        return true;
}

int mount_path_split(const char *path, char *buf, size_t n, const char **ret_name) {
        const char *slash = strrchr(path, '/');

        if (!slash || slash == path || !slash[1] || (size_t) (slash - path) >= n)
                return -EINVAL;
        memcpy(buf, path, (size_t) (slash - path));
        buf[slash - path] = 0;
        *ret_name = slash + 1;
        return 0;
}

bool mount_path_is_below(const char *path, const char *prefix) {
        const char *a, *b;
        size_t la, lb;

        for (;;) {
                if (!path_next(&prefix, &b, &lb))
                        return true;
                if (!path_next(&path, &a, &la))
                        return false;
                if (la != lb || memcmp(a, b, la) != 0)
                        return false;
        }
}

int mount_resolve(int root_fd, const char *path, uint64_t extra_resolve) {
        /* An absolute path with RESOLVE_IN_ROOT starts at root_fd. */
        return mount_openat2(root_fd, path, O_PATH, MOUNT_RESOLVE_FLAGS | extra_resolve);
}

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
        while (path_next(&q, &w, &l)) {
                last = w;
                last_end = q;
        }
        if (!last || last_end != path + strlen(path))
                return -ENOENT;
        for (q = path; path_next(&q, &w, &l) && w != last; n += l + 1) {
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

                while (path_next(&p, &w, &l)) {
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
                if (!path_next(&p, &w, &l) || !*(p + strspn(p, "/")))
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

uint64_t mount_attr_from_flags(unsigned long flags) {
        uint64_t a = 0;

        if (flags & MS_RDONLY)
                a |= MOUNT_ATTR_RDONLY;
        if (flags & MS_NOSUID)
                a |= MOUNT_ATTR_NOSUID;
        if (flags & MS_NODEV)
                a |= MOUNT_ATTR_NODEV;
        if (flags & MS_NOEXEC)
                a |= MOUNT_ATTR_NOEXEC;
        return a;
}

int mount_set_attr(int mount_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr) {
        struct mount_attr attr = {
                .attr_set = attr_set,
                .attr_clr = attr_clr,
        };

        if (attr_set == 0 && attr_clr == 0)
                return 0;
        return RET_NERRNO(mount_setattr(mount_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
                                        &attr, sizeof attr));
}

int mount_move(int from_fd, int to_fd) {
        return RET_NERRNO(move_mount(from_fd, "", to_fd, "",
                                     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
}

int mount_clone_tree(int fd, bool recursive) {
        int r;

        r = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                      (recursive ? AT_RECURSIVE : 0));
        return r < 0 ? negative_errno() : r;
}

/* The fs context keeps the kernel's messages ("e ...", "w ...") for us to
 * read; the last error is the useful one. */
static void fs_context_message(int fs_fd, char *errbuf, size_t errlen) {
        char buf[512];
        ssize_t n;

        for (;;) {
                n = read(fs_fd, buf, sizeof buf - 1);
                if (n <= 0)
                        return;
                buf[n] = 0;
                if (buf[n - 1] == '\n')
                        buf[n - 1] = 0;
                if (buf[0] == 'e' && buf[1] == ' ')
                        (void) snprintf(errbuf, errlen, "%s", buf + 2);
        }
}

static int fs_config_options(int fs_fd, const char *data) {
        _cleanup_free_ char *copy = NULL;
        char *saveptr = NULL, *opt, *eq;

        if (isempty(data))
                return 0;
        copy = strdup(data);
        if (!copy)
                return -ENOMEM;

        for (opt = strtok_r(copy, ",", &saveptr); opt; opt = strtok_r(NULL, ",", &saveptr)) {
                eq = strchr(opt, '=');
                if (eq) {
                        *eq = 0;
                        if (fsconfig(fs_fd, FSCONFIG_SET_STRING, opt, eq + 1, 0) < 0)
                                return negative_errno();
                } else if (fsconfig(fs_fd, FSCONFIG_SET_FLAG, opt, NULL, 0) < 0)
                        return negative_errno();
        }
        return 0;
}

int mount_tmpfs_data_owned(const char *data, uid_t owner, char **ret) {
        *ret = NULL;
        if (owner == (uid_t) -1)
                return 0;
        if (asprintf(ret, "%s%suid=%u,gid=%u", strempty(data), isempty(data) ? "" : ",",
                     (unsigned) owner, (unsigned) owner) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

int mount_fs_new(const char *fstype, const char *source, const char *data,
                 unsigned long flags, char *errbuf, size_t errlen) {
        _cleanup_close_ int fs_fd = -EBADF;
        int r, mnt_fd;

        if (errlen > 0)
                errbuf[0] = 0;

        fs_fd = fsopen(fstype, FSOPEN_CLOEXEC);
        if (fs_fd < 0)
                return negative_errno();

        r = 0;
        if (!isempty(source) && fsconfig(fs_fd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
                r = negative_errno();
        if (r >= 0)
                r = fs_config_options(fs_fd, data);
        if (r >= 0 && fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                r = negative_errno();
        if (r >= 0) {
                mnt_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, (unsigned) mount_attr_from_flags(flags));
                if (mnt_fd < 0)
                        r = negative_errno();
        }
        if (r < 0) {
                fs_context_message(fs_fd, errbuf, errlen);
                return r;
        }
        return mnt_fd;
}

int mount_id_of(int fd, uint64_t *ret) {
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
                return negative_errno();
        if (!(sx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        *ret = sx.stx_mnt_id;
        return 0;
}

int mount_parent_id(uint64_t id, uint64_t *ret) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        FILE *f;
        int r = -ENOENT;

        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return negative_errno();
        while (getline(&line, &size, f) > 0) {
                unsigned long long mnt, parent;

                /* "ID PARENT MAJOR:MINOR ...": the two numbers first. */
                if (sscanf(line, "%llu %llu", &mnt, &parent) == 2 && mnt == id) {
                        *ret = parent;
                        r = 0;
                        break;
                }
        }
        fclose(f);
        return r;
}

bool cgroup_host_unified(void) {
        struct statfs sf;
        return statfs("/sys/fs/cgroup", &sf) >= 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}
