/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* /sys/fs/cgroup, made after the child unshared its cgroup namespace inside
 * its final cgroup: every hierarchy mounted now shows the container's own
 * subtree as its root, never the host's tree. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mount-created.h"
#include "mount-setup.h"
#include "mount-util.h"

#define CGROUP_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int cgroup_attach(int dir_fd, const char *name, const char *fstype, const char *data,
                         unsigned long ro, const char *what, SpawnError *err) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        char kmsg[256];
        int r;

        if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                return spawn_error(err, errno, "%s/%s: cannot create", what, name);
        target_fd = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (target_fd < 0)
                return spawn_error(err, errno, "%s/%s: cannot open", what, name);
        mnt_fd = mount_fs_new(fstype, fstype, data, CGROUP_MOUNT_FLAGS | ro, kmsg, sizeof kmsg);
        if (mnt_fd < 0)
                return spawn_error(err, mnt_fd, "%s/%s: cannot mount %s %s%s%s", what, name, fstype,
                                   strempty(data), *kmsg ? ": " : "", kmsg);
        r = mount_move(mnt_fd, target_fd);
        if (r < 0)
                return spawn_error(err, r, "%s/%s: cannot attach", what, name);
        return 0;
}

/* A hybrid (or legacy) host: a tmpfs with the host's layout -- one
 * directory per v1 hierarchy of memberships (our /proc/self/cgroup), its
 * multi-controller aliases as links (cpu -> cpu,cpuacct), cgroup2 at
 * "unified" -- then the tmpfs itself read-only. Only the hierarchies where
 * we are in the container's own cgroup: in another, the namespace's root is
 * cell's cgroup and the host's tree below it (other services' and
 * containers' cgroups) would show. nspawn's scope (Delegate=yes) has a
 * cgroup of its own in each v1 controller systemd takes; the others and a
 * cgroupfs start's that cell could not make are left out. */
static int cgroup_mount_hybrid(int target_fd, const Plan *p, char *memberships, unsigned long ro, bool userns,
                               const char *what, SpawnError *err) {
        _cleanup_close_ int tmp_fd = -EBADF;
        bool unified = false;
        char kmsg[256], *state = NULL;
        int r;

        tmp_fd = mount_fs_new("tmpfs", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV | MS_NOEXEC, kmsg, sizeof kmsg);
        if (tmp_fd < 0)
                return spawn_error(err, tmp_fd, "%s: cannot create the tmpfs%s%s", what, *kmsg ? ": " : "", kmsg);
        r = mount_move(tmp_fd, target_fd);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot attach the tmpfs", what);

        for (char *line = strtok_r(memberships, "\n", &state); line; line = strtok_r(NULL, "\n", &state)) {
                char *controllers, *path, *name;

                controllers = strchr(line, ':');
                if (!controllers)
                        continue;
                *controllers++ = 0;
                path = strchr(controllers, ':');
                if (!path)
                        continue;
                *path++ = 0;
                /* Not the container's own: cell's, and the host's below it. */
                if (!cgroup_path_is_container(path, p->scope_unit))
                        continue;
                if (streq(line, "0") || isempty(controllers)) {
                        unified = true; /* the unified hierarchy, below */
                        continue;
                }

                name = (char *) (startswith(controllers, "name=") ?: controllers);
                if (strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                        continue;
                /* Without a user namespace the container's root is the
                 * host's, whose writes to a v1 controller's files are not
                 * confined by ownership: the controllers stay read-only (as
                 * nspawn keeps them), only the named systemd hierarchy an
                 * init manages its subtree in is writable. */
                r = cgroup_attach(tmp_fd, name, "cgroup", controllers,
                                  userns || startswith(controllers, "name=") ? ro : MS_RDONLY, what, err);
                if (r < 0)
                        return r;

                /* cpu -> cpu,cpuacct, as the host has them. */
                if (!startswith(controllers, "name=") && strchr(controllers, ','))
                        for (char *s = controllers, *e; *s; s = *e ? e + 1 : e) {
                                char alias[64];

                                e = s + strcspn(s, ",");
                                if ((size_t) (e - s) >= sizeof alias)
                                        continue;
                                memcpy(alias, s, (size_t) (e - s));
                                alias[e - s] = 0;
                                if (symlinkat(name, tmp_fd, alias) < 0 && errno != EEXIST)
                                        return spawn_error(err, errno, "%s/%s: cannot create the link", what, alias);
                        }
        }

        if (unified) {
                r = cgroup_attach(tmp_fd, "unified", "cgroup2", NULL, ro, what, err);
                if (r < 0)
                        return r;
        }

        r = mount_set_attr(tmp_fd, false, MOUNT_ATTR_RDONLY, 0);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot make the tmpfs read-only", what);
        return 0;
}

/* A line of memberships other than cgroup2's "0::". */
static bool memberships_have_v1(const char *memberships) {
        for (const char *l = memberships; l && *l; l = strchrnul(l, '\n'), l += *l == '\n')
                if (!startswith(l, "0:"))
                        return true;
        return false;
}

static int cgroup_mount_one(const Plan *p, const PlanMount *m, const char *memberships, unsigned long ro,
                            SpawnError *err) {
        _cleanup_close_ int root_fd = -EBADF, target_fd = -EBADF, mnt_fd = -EBADF;
        char what[PATH_MAX + 16], kmsg[256];
        int r;

        (void) snprintf(what, sizeof what, "cgroup on %s", strna(m->target));
        if (m->idmap)
                return spawn_error(err, EOPNOTSUPP, "%s: idmap not supported yet", what);

        /* After pivot_root "/" is the container's root: resolve inside it all
         * the same, a symlinked /sys/fs/cgroup must not lead elsewhere. */
        root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return spawn_error(err, errno, "%s: cannot open /", what);
        target_fd = mount_target_ensure(root_fd, m->target, MOUNT_TARGET_DIR, 0);
        if (target_fd < 0)
                return spawn_error(err, target_fd, "%s: cannot open the target", what);

        /* cgroup2 alone where the host's /sys/fs/cgroup is cgroup2 alone
         * (memberships NULL). Otherwise our own /proc/self/cgroup lists the
         * hierarchies to mount: v1 lines on a hybrid or legacy host, beside "0::". */
        if (memberships_have_v1(memberships)) {
                _cleanup_free_ char *copy = strdup(memberships);
                if (!copy)
                        return spawn_error(err, ENOMEM, "%s", what);
                return cgroup_mount_hybrid(target_fd, p, copy, ro, p->namespaces & CLONE_NEWUSER, what, err);
        }

        mnt_fd = mount_fs_new("cgroup2", "cgroup2", NULL, CGROUP_MOUNT_FLAGS | ro, kmsg, sizeof kmsg);
        if (mnt_fd < 0)
                return spawn_error(err, mnt_fd, "%s: cannot mount cgroup2%s%s", what, *kmsg ? ": " : "", kmsg);
        r = mount_move(mnt_fd, target_fd);
        if (r < 0)
                return spawn_error(err, r, "%s: cannot attach", what);
        return 0;
}

int mount_setup_cgroup(const Plan *p, bool delegated, const char *memberships, SpawnError *err) {
        /* Read-only: the container sees its limits, it does not change
         * them. Delegated to a user namespace's root, writable: the files
         * that set the limits stay owned by the host's root, which is
         * nobody inside, so only the subtree is the container's; unless
         * ProtectControlGroups= keeps even that from the payload. Boot=yes
         * without PrivateUsers= is delegated too (spawn_release()): its
         * root is the host's, as under nspawn, which mounts it so. */
        unsigned long ro = delegated && !(p->protect & PLAN_PROTECT_CONTROL_GROUPS) ? 0 : MS_RDONLY;
        int r;

        for (size_t i = 0; i < p->n_mounts; i++) {
                if (p->mounts[i].kind != PLAN_MOUNT_CGROUP)
                        continue;
                r = cgroup_mount_one(p, &p->mounts[i], memberships, ro, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
