/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-root.h"
#include "mount-source.h"
#include "mount-util.h"
#include "spawn-users.h"

static int write_text(const char *path, const char *text) {
        _cleanup_close_ int fd = -EBADF;
        size_t l = strlen(text);

        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (write(fd, text, l) != (ssize_t) l)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* "INSIDE OUTSIDE COUNT\n..." for uid (gid = false) or gid. */
static int idmap_text(const Plan *p, const UidRange *range, bool gid, char *buf, size_t size, SpawnError *err) {
        const PlanIdMap *m = gid ? p->gid_map : p->uid_map;
        size_t n = gid ? p->n_gid_map : p->n_uid_map, off = 0;

        if (p->users_mode == PLAN_USERS_FIXED && n > 0) {
                for (size_t i = 0; i < n; i++) {
                        int k = snprintf(buf + off, size - off, "%u %u %u\n",
                                         m[i].inside, m[i].outside, m[i].count);
                        if (k < 0 || (size_t) k >= size - off)
                                return spawn_error(err, E2BIG, "PrivateUsers=: too many id ranges");
                        off += (size_t) k;
                }
                return 0;
        }
        (void) snprintf(buf, size, "0 %u %u\n", range->base, range->count);
        return 0;
}

int spawn_users_write_maps(pid_t pid, const Plan *p, const UidRange *range, SpawnError *err) {
        char path[64], text[4096];
        int r;

        for (int gid = 0; gid <= 1; gid++) {
                r = idmap_text(p, range, gid, text, sizeof text, err);
                if (r < 0)
                        return r;
                (void) snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, gid ? "gid_map" : "uid_map");
                r = write_text(path, text);
                if (r < 0)
                        return spawn_error(err, r, "PrivateUsers=: writing %s \"%.*s\"",
                                           gid ? "gid_map" : "uid_map", (int) strcspn(text, "\n"), text);
        }
        return 0;
}

/* The one wording for a file system the kernel will not idmap. */
static int idmap_error(SpawnError *err, int r, const char *what, const char *path) {
        if (r == -EINVAL || r == -EPERM || r == -EOPNOTSUPP)
                return spawn_error(err, r, "%s: %s: the file system does not support idmapped mounts "
                                   "(cell never chowns the tree instead)", what, path);
        return spawn_error(err, r, "%s: %s: cannot make the idmapped mount", what, path);
}

/* What an idmapped tree is cloned from: path relative to dir_fd (AT_FDCWD:
 * the host's), named shown (NULL: path). */
static int tree_source_open(int dir_fd, const char *path, const char *shown, const char *what, SpawnError *err) {
        int fd = openat(dir_fd, path, O_PATH | O_CLOEXEC);

        if (fd < 0)
                return spawn_error(err, errno, errno == ENOENT ? "%s: %s: source does not exist" :
                                   "%s: %s: cannot open", what, shown ?: path);
        return fd;
}

/* A detached, idmapped clone of fd (recursive), with extra attributes;
 * named shown. */
static int idmapped_tree(int userns_fd, int fd, const char *shown, bool recursive, uint64_t attr, const char *what,
                         SpawnError *err) {
        _cleanup_close_ int tree = -EBADF;
        struct mount_attr a = {
                .attr_set = MOUNT_ATTR_IDMAP | attr,
                .userns_fd = (uint64_t) userns_fd,
        };

        tree = mount_clone_tree(fd, recursive);
        if (tree < 0)
                return spawn_error(err, tree, "%s: %s: cannot clone", what, shown);
        /* Set on the detached tree: it is never visible without its map. */
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
                return idmap_error(err, -errno, what, shown);
        return TAKE_FD(tree);
}

/* Directory=, opened in the supervisor's S (spawn-tree.c), where it is
 * cloned: the directory the start locked (shared-lock.h), or an error. */
static int root_open(const Plan *p, const SharedLocks *places, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = tree_source_open(AT_FDCWD, p->root_directory, NULL, "Directory=", err);
        if (fd < 0)
                return fd;
        r = shared_locks_check(places, NULL, fd);
        if (r < 0)
                return spawn_error(err, r, r == -ESTALE ? "Directory=%s: " SHARED_LOCK_CHANGED :
                                   "Directory=%s: cannot stat", p->root_directory);
        return TAKE_FD(fd);
}

int spawn_users_make_trees(pid_t pid, const Plan *p, int image_fd, const SharedLocks *places,
                           int (*send)(uint32_t index, int fd, void *userdata), void *userdata,
                           SpawnError *err) {
        _cleanup_close_ int userns_fd = -EBADF;
        char path[PATH_MAX];
        int r;

        (void) snprintf(path, sizeof path, "/proc/%d/ns/user", (int) pid);
        userns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (userns_fd < 0)
                return spawn_error(err, errno, "PrivateUsers=: opening the child's user namespace");

        /* Image=: its detached mount attached in S (private to this start,
         * a slave of the host's: nothing reaches the host), where the
         * builder finds it, and where it is cloned from below: a kernel
         * before 6.15 clones no detached mount, but one of our own
         * namespace. S's end unmounts it; our fd and the container's
         * copies of it keep the file system until they go. */
        if (p->root_image) {
                r = mount_root_image_attach(p, image_fd, err);
                if (r < 0)
                        return r;
        }

        /* The root: an unshifted image (owned by 0..65535 on disk) seen as
         * the container's own through the map. PrivateUsers=yes is nspawn's
         * shifted image, already owned by its range: no idmap there. */
        if (p->users_mode != PLAN_USERS_ROOT_OWNER) {
                _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF, tree = -EBADF;
                bool usr = p->root_volatile == CELL_VOLATILE_YES;

                /* Volatile=yes takes only /usr of the image, read-only. */
                if (p->root_image) {
                        fd = tree_source_open(image_fd, usr ? "usr" : ".", p->root_image, "Image=", err);
                        if (fd < 0)
                                return fd;
                        /* Recursive: the image's mounts alone (a GPT image's
                         * /usr, /home, ... below its root), as in the tree. */
                        tree = idmapped_tree(userns_fd, fd, p->root_image, true, usr ? MOUNT_ATTR_RDONLY : 0,
                                             "Image=", err);
                } else {
                        if (usr && (size_t) snprintf(path, sizeof path, "%s/usr", p->root_directory) >= sizeof path)
                                return spawn_error(err, ENAMETOOLONG, "Directory=%s", p->root_directory);
                        dir_fd = root_open(p, places, err);
                        if (dir_fd < 0)
                                return dir_fd;
                        fd = usr ? tree_source_open(dir_fd, "usr", path, "Directory=", err) : TAKE_FD(dir_fd);
                        if (fd < 0)
                                return fd;
                        tree = idmapped_tree(userns_fd, fd, usr ? path : p->root_directory, true,
                                             usr ? MOUNT_ATTR_RDONLY : 0, "Directory=", err);
                }
                if (tree < 0)
                        return tree;
                r = send(SPAWN_TREE_ROOT, tree, userdata);
                if (r < 0)
                        return spawn_error(err, r, "PrivateUsers=: handing the root to the child");
        }

        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *m = p->mounts + i;
                _cleanup_close_ int fd = -EBADF, tree = -EBADF;
                char what[MOUNT_DESCRIBE_MAX];
                size_t k;

                /* A "+" source lies in the root, which is idmapped already. */
                if (!m->idmap || m->kind != PLAN_MOUNT_BIND || m->source_in_root)
                        continue;
                if (m->optional && access(m->source, F_OK) < 0 && errno == ENOENT)
                        continue;       /* skipped by the child as well */
                k = mount_origin(m, what, sizeof what);
                (void) snprintf(what + k, sizeof what - k, "%s=%s", m->flags & MS_RDONLY ? "BindReadOnly" : "Bind",
                                m->source);
                fd = tree_source_open(AT_FDCWD, m->source, NULL, what, err);
                if (fd < 0)
                        return fd;
                /* The directory the start locked, not another a link leads
                 * to now (shared-lock.h). */
                r = shared_locks_check(places, m, fd);
                if (r < 0)
                        return spawn_error(err, r, r == -ESTALE ? "%s: source " SHARED_LOCK_CHANGED :
                                           "%s: cannot check the source", what);
                tree = idmapped_tree(userns_fd, fd, m->source, m->flags & MS_REC, mount_attr_from_flags(m->flags),
                                     what, err);
                if (tree < 0)
                        return tree;
                r = send((uint32_t) i, tree, userdata);
                if (r < 0)
                        return spawn_error(err, r, "PrivateUsers=: handing %s to the child", what + k);
        }
        return 0;
}

/* The files of a cgroup directory its owner needs to manage the subtree
 * (systemd's list for delegation, v2 and v1). */
static const char *const delegate_files[] = {
        "cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
        "tasks", "cgroup.clone_children", "notify_on_release",
};

static int delegate_dir(const char *dir, uid_t uid, gid_t gid) {
        _cleanup_close_ int fd = -EBADF;
        struct statfs sfs;

        /* O_NOFOLLOW and a check that it is cgroupfs: a chown must never land
         * anywhere but on the container's own cgroup. */
        fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        if (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC)
                return -EMEDIUMTYPE;
        if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(delegate_files); i++)
                if (fchownat(fd, delegate_files[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
                        return -errno;
        return 0;
}

/* Where the hierarchy of one /proc/PID/cgroup line is mounted on the host. */
static int hierarchy_dir(const char *controllers, char *buf, size_t size) {
        const char *name;

        if (isempty(controllers)) {
                /* cgroup2: /sys/fs/cgroup itself, or "unified" on a hybrid host. */
                if (cgroup_host_unified())
                        name = "";
                else
                        name = "/unified";
        } else if ((name = startswith(controllers, "name=")))
                ;
        else
                name = controllers;
        if ((size_t) snprintf(buf, size, "/sys/fs/cgroup%s%s", *name && *name != '/' ? "/" : "", name) >= size)
                return -ENAMETOOLONG;
        return 0;
}

int spawn_users_delegate_cgroup(pid_t pid, const Plan *p, const UidRange *range, SpawnError *err) {
        const char *key = range ? "PrivateUsers=" : "Boot=";
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        char path[64];
        size_t size = 0;
        bool delegated = false;
        int r;

        if (isempty(p->scope_unit))
                return 0;
        (void) snprintf(path, sizeof path, "/proc/%d/cgroup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return spawn_error(err, errno, "%s: reading the child's cgroups", key);

        while (getline(&line, &size, f) > 0) {
                char *controllers, *cg, dir[PATH_MAX];

                line[strcspn(line, "\n")] = 0;
                /* "ID:CONTROLLERS:PATH" */
                controllers = strchr(line, ':');
                if (!controllers)
                        continue;
                controllers++;
                cg = strchr(controllers, ':');
                if (!cg)
                        continue;
                *cg++ = 0;
                /* Only the container's own cgroup, never the supervisor's. */
                if (!cgroup_path_is_container(cg, p->scope_unit))
                        continue;
                r = hierarchy_dir(controllers, dir, sizeof dir);
                if (r >= 0 && strlen(dir) + strlen(cg) >= sizeof dir)
                        r = -ENAMETOOLONG;
                if (r < 0)
                        return spawn_error(err, r, "%s: cgroup %s", key, cg);
                strcat(dir, cg);
                /* Without a range (Boot=yes without PrivateUsers=): the
                 * container's root is the host's, who owns it already; the
                 * chown of -1 only checks that it is our cgroup. */
                r = delegate_dir(dir, range ? range->base : (uid_t) -1, range ? range->base : (gid_t) -1);
                if (r == -ENOENT)
                        continue;       /* a hierarchy not mounted on the host */
                if (r < 0)
                        return spawn_error(err, r, "%s: delegating %s to the container's root", key, dir);
                delegated = true;
        }
        return delegated;
}
