/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "id128-util.h"
#include "machine-id.h"
#include "macros.h"
#include "mount-util.h"

int machine_id_read_image(const char *root_directory, uint8_t ret[static 16]) {
        _cleanup_close_ int dir_fd = -EBADF, path_fd = -EBADF, fd = -EBADF;
        char proc[64], buf[40];
        struct stat st;
        size_t n = 0;

        dir_fd = open(root_directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;
        /* Resolved inside the root: an image's absolute link is the image's. */
        path_fd = mount_resolve(dir_fd, "/etc/machine-id", 0);
        if (path_fd == -ENOENT)
                return -ENOMEDIUM;
        if (path_fd < 0)
                return path_fd;
        if (fstat(path_fd, &st) < 0)
                return -errno;
        /* Never opened unless a regular file: an image's FIFO would hang the
         * start, a device node could act on being opened. */
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size == 0)
                return -ENOMEDIUM;
        (void) snprintf(proc, sizeof proc, "/proc/self/fd/%d", path_fd);
        fd = open(proc, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (n < sizeof buf - 1) {
                ssize_t k = read(fd, buf + n, sizeof buf - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        /* systemd's plain form: 32 hex digits and a newline (or none). */
        if (n == 0 || streq(buf, "uninitialized\n") || streq(buf, "uninitialized"))
                return -ENOMEDIUM;
        if (n == 33 && buf[32] == '\n')
                buf[32] = 0;
        else if (n != 32)
                return -EINVAL;
        return id128_from_string(buf, ret);
}

int machine_id_decide(Plan *p, const char *root, SpawnError *note) {
        char a[ID128_STRING_MAX], b[ID128_STRING_MAX];
        uint8_t id[16];
        int r;

        if (!p->register_machine && !p->machine_id_set)
                return MACHINE_ID_NONE;

        /* Volatile=yes: the container's /etc is a tmpfs of its own, where the
         * image's file is not; as nspawn, which looks once that root is made. */
        r = p->root_volatile == CELL_VOLATILE_YES ? -ENOMEDIUM : machine_id_read_image(root, id);
        if (r >= 0) {
                if (id128_is_null(id))
                        return spawn_error(note, EINVAL, "%s=%s: its /etc/machine-id is all zeros, "
                                           "refusing (as systemd-nspawn does)", plan_root_key(p), plan_root_source(p));
                /* nspawn's rule: the container's own ID counts, so that machined's
                 * and the container's agree. */
                if (p->machine_id_set && memcmp(p->machine_id, id, sizeof id) != 0)
                        spawn_error(note, EEXIST, "MachineID=%s: the image's /etc/machine-id holds %s, which "
                                    "counts (as with systemd-nspawn)", id128_to_string(p->machine_id, a),
                                    id128_to_string(id, b));
                memcpy(p->machine_id, id, sizeof id);
                p->machine_id_set = true;
                return MACHINE_ID_IMAGE;
        }
        if (r == -EINVAL)
                return spawn_error(note, r, "%s=%s: its /etc/machine-id holds no machine ID "
                                   "(32 hexadecimal digits; empty or \"uninitialized\" for none yet)",
                                   plan_root_key(p), plan_root_source(p));
        if (r != -ENOMEDIUM)
                return spawn_error(note, r, "%s=%s: cannot read its /etc/machine-id", plan_root_key(p),
                                   plan_root_source(p));
        if (p->machine_id_set)
                return MACHINE_ID_UNIT;
        r = id128_randomize(p->machine_id);
        if (r < 0)
                return spawn_error(note, r, "cannot make a random machine ID");
        p->machine_id_set = true;
        return MACHINE_ID_RANDOM;
}
