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

bool mount_path_next(const char **p, const char **ret_word, size_t *ret_len) {
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
        while (mount_path_next(&path, &w, &l))
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

int mount_resolve(int root_fd, const char *path, uint64_t extra_resolve) {
        /* An absolute path with RESOLVE_IN_ROOT starts at root_fd. */
        return mount_openat2(root_fd, path, O_PATH, MOUNT_RESOLVE_FLAGS | extra_resolve);
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

int mount_is_mount_point_at(int parent_fd, int fd) {
        uint64_t parent_id, id;
        int r;

        r = mount_id_of(parent_fd, &parent_id);
        if (r >= 0)
                r = mount_id_of(fd, &id);
        if (r < 0)
                return r;
        return id != parent_id;
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

bool cgroup_path_is_container(const char *path, const char *scope_unit) {
        const char *last = path ? strrchr(path, '/') : NULL;
        size_t n;

        if (!last || isempty(scope_unit))
                return false;
        last++;
        if (streq(last, scope_unit))
                return true;
        n = strlen(last);
        return n > 0 && n + strlen(".scope") == strlen(scope_unit) && strncmp(scope_unit, last, n) == 0 &&
               endswith(scope_unit, ".scope");
}
