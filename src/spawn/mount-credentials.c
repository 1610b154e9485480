/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's credentials (mount-credentials.h): made in the tree
 * build, handed to the payload's user once the child knows it. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-credentials.h"
#include "mount-source.h"

/* This process's copy of what the supervisor read (a fork's: the supervisor
 * erases its own), erased once it is in the ramfs: nothing of the data
 * stays in a process that lives on (Init=yes's reaper). The SetCredential=
 * values the plan carries too: the reaper's memory is not the payload's
 * user's to hold them. */
static void credential_data_wipe(const Plan *p) {
        for (size_t i = 0; i < p->n_credential_data; i++)
                if (p->credential_data[i].data)
                        explicit_bzero(p->credential_data[i].data, p->credential_data[i].size);
        for (size_t i = 0; i < p->n_credentials; i++)
                if (p->credentials[i].value)
                        explicit_bzero(p->credentials[i].value, p->credentials[i].size);
}

/* A fresh ramfs, detached; a tmpfs where the kernel has none, as systemd. */
static int credentials_fs_new(uid_t owner, char *kmsg, size_t n) {
        const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        _cleanup_free_ char *data = NULL;
        int fd;

        fd = mount_fs_new("ramfs", "ramfs", "mode=0700", flags, kmsg, n);
        if (fd != -ENODEV)
                return fd;
        if (owner != (uid_t) -1 && mount_tmpfs_data_owned("mode=0700", owner, &data) < 0)
                return -ENOMEM;
        return mount_fs_new("tmpfs", "tmpfs", data ?: "mode=0700", flags, kmsg, n);
}

int mount_credentials_make(const Plan *p, int root_fd, uid_t owner, MountCreated *created, SpawnError *err) {
        const char *where = p->credentials_directory;
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        char kmsg[256];
        int r;

        if (!where)
                return 0;
        target_fd = mount_target_ensure_recorded(root_fd, where, MOUNT_TARGET_DIR, 0, created);
        if (target_fd < 0) {
                r = spawn_error(err, target_fd, "credentials: cannot make %s in the container", where);
                mount_error_name_holder(p, where, err);
                return r;
        }
        mnt_fd = credentials_fs_new(owner, kmsg, sizeof kmsg);
        if (mnt_fd < 0)
                return spawn_error(err, mnt_fd, "credentials: cannot mount a ramfs for %s%s%s", where,
                                   *kmsg ? ": " : "", kmsg);

        /* Filled while detached: the container never sees it half written. */
        for (size_t i = 0; i < p->n_credential_data; i++) {
                const PlanCredentialData *d = p->credential_data + i;
                _cleanup_close_ int fd = -EBADF;

                /* 0400 from the start: no moment in which another user could open it. */
                fd = openat(mnt_fd, d->id, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
                if (fd < 0)
                        return spawn_error(err, errno, "credentials: cannot create %s/%s", where, d->id);
                r = write_all(fd, d->data, d->size);
                if (r < 0)
                        return spawn_error(err, r, "credentials: cannot write %s/%s", where, d->id);
                /* Made with the host's privileges for a user namespace: the container's
                 * root must own it, or the child could not hand it to the payload's user. */
                if (owner != (uid_t) -1 && fchown(fd, owner, owner) < 0)
                        return spawn_error(err, errno, "credentials: cannot chown %s/%s", where, d->id);
        }
        if (owner != (uid_t) -1 && fchownat(mnt_fd, "", owner, owner, AT_EMPTY_PATH) < 0)
                return spawn_error(err, errno, "credentials: cannot chown %s", where);
        credential_data_wipe(p);

        r = mount_move(mnt_fd, target_fd);
        if (r < 0)
                return spawn_error(err, r, "credentials: cannot attach the mount on %s", where);
        return 0;
}

int mount_credentials_seal(const Plan *p, uid_t uid, gid_t gid, SpawnError *err) {
        const char *where = p->credentials_directory;
        _cleanup_close_ int dir_fd = -EBADF;
        DIR *d;
        int64_t magic;
        int r;

        credential_data_wipe(p);
        if (!where)
                return 0;
        /* Our own mount, not something of the image's or a Bind= that took its place. */
        dir_fd = open(where, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return spawn_error(err, errno, "credentials: cannot open %s", where);
        r = fs_magic_of(dir_fd, &magic);
        if (r < 0)
                return spawn_error(err, r, "credentials: cannot check %s", where);
        if (magic != RAMFS_MAGIC && magic != TMPFS_MAGIC)
                return spawn_error(err, EPERM, "credentials: %s is not the ramfs cell made, refusing", where);

        /* The payload's own, as systemd hands a service its credentials:
         * readable by it alone, by none of the container's other users. */
        int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(d = fdopendir(fd))) {
                r = -errno;
                safe_close(fd);
                return spawn_error(err, r, "credentials: cannot list %s", where);
        }
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fchownat(dir_fd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        (void) closedir(d);
                        return spawn_error(err, r, "credentials: cannot chown %s/%s", where, de->d_name);
                }
        }
        (void) closedir(d);
        if (fchown(dir_fd, uid, gid) < 0 || fchmod(dir_fd, 0500) < 0)
                return spawn_error(err, errno, "credentials: cannot hand %s to the payload's user", where);

        /* Read-only now that it is filled: the payload cannot change or add
         * a credential, as in nspawn and systemd. */
        r = mount_set_attr(dir_fd, false, MOUNT_ATTR_RDONLY, 0);
        if (r < 0)
                return spawn_error(err, r, "credentials: cannot make %s read-only", where);
        /* The superblock too, where it is ours (no user namespace): no other
         * mount of it could write. */
        if (!(p->namespaces & CLONE_NEWUSER) &&
            mount(NULL, where, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return spawn_error(err, errno, "credentials: cannot make %s's file system read-only", where);
        return 0;
}
