/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mount-undo.h"

static bool made_on_host(const MountUndo *u) {
        for (size_t i = 0; i < u->created.n; i++)
                if (u->created.entries[i].host)
                        return true;
        return false;
}

void mount_undo_take_back(MountUndo *u, int root_fd, int host_fd) {
        _cleanup_close_ int own_host_fd = -EBADF;

        /* Each mount something was made on was writable then; the seal is
         * lifted only for the removal: this namespace dies with the failed
         * start. */
        if (u->sealed)
                mount_created_unseal(&u->created, root_fd);
        if (host_fd < 0 && made_on_host(u))
                host_fd = own_host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        mount_created_undo(&u->created, root_fd, host_fd);
}

int mount_undo_keep(MountUndo *u, int root_fd) {
        _cleanup_close_ int root_copy = -EBADF, host_fd = -EBADF;

        root_copy = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (root_copy < 0)
                return negative_errno();
        if (made_on_host(u)) {
                host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_fd < 0)
                        return negative_errno();
        }
        safe_close(u->root_fd);
        safe_close(u->host_fd);
        u->root_fd = TAKE_FD(root_copy);
        u->host_fd = TAKE_FD(host_fd);
        return 0;
}

void mount_undo_run(MountUndo *u) {
        if (u->root_fd >= 0)
                mount_undo_take_back(u, u->root_fd, u->host_fd);
        mount_undo_done(u);
}

void mount_undo_done(MountUndo *u) {
        mount_created_done(&u->created);
        u->root_fd = safe_close(u->root_fd);
        u->host_fd = safe_close(u->host_fd);
        u->sealed = false;
}

/* The record as bytes: a header, then each entry's fixed part and its path
 * (no NUL). Both ends are cell, the same binary: host byte order. */
#define MOUNT_UNDO_MAGIC "cellmud1"
#define MOUNT_UNDO_MAX_SIZE (UINT64_C(64) << 20)

typedef struct MountUndoHeader {
        char magic[8];
        uint32_t n;
        uint32_t sealed;
} MountUndoHeader;

typedef struct MountUndoItem {
        uint64_t mnt_id, ino, size;
        int64_t mtime_sec;
        uint32_t mtime_nsec, dev_major, dev_minor, type, host, path_len;
} MountUndoItem;

static int write_all(int fd, const void *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        return -EIO;
                p = (const char *) p + k;
                n -= (size_t) k;
        }
        return 0;
}

int mount_undo_save(const MountUndo *u, int fd) {
        MountUndoHeader h = { .magic = MOUNT_UNDO_MAGIC, .n = (uint32_t) u->created.n, .sealed = u->sealed };
        int r;

        r = write_all(fd, &h, sizeof h);
        for (size_t i = 0; r >= 0 && i < u->created.n; i++) {
                const MountCreatedEntry *e = &u->created.entries[i];
                MountUndoItem it = {
                        .mnt_id = e->mnt_id, .ino = e->ino, .size = e->size,
                        .mtime_sec = e->mtime.tv_sec, .mtime_nsec = e->mtime.tv_nsec,
                        .dev_major = e->dev_major, .dev_minor = e->dev_minor,
                        .type = (uint32_t) e->type, .host = e->host, .path_len = (uint32_t) strlen(e->path),
                };

                r = write_all(fd, &it, sizeof it);
                if (r >= 0)
                        r = write_all(fd, e->path, it.path_len);
        }
        return r;
}

int mount_undo_load(int fd, MountUndo *ret) {
        _cleanup_free_ char *buf = NULL;
        MountCreated created = {};
        MountUndoHeader h;
        struct stat st;
        size_t off = sizeof h;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_size < (off_t) sizeof h || (uint64_t) st.st_size > MOUNT_UNDO_MAX_SIZE)
                return -EBADMSG;
        buf = malloc((size_t) st.st_size);
        if (!buf)
                return -ENOMEM;
        n = pread(fd, buf, (size_t) st.st_size, 0);
        if (n < 0)
                return negative_errno();
        if (n != st.st_size)
                return -EBADMSG;
        memcpy(&h, buf, sizeof h);
        if (memcmp(h.magic, MOUNT_UNDO_MAGIC, sizeof h.magic) != 0)
                return -EBADMSG;

        for (uint32_t i = 0; i < h.n; i++) {
                MountCreatedEntry *e;
                MountUndoItem it;

                if ((size_t) n - off < sizeof it)
                        goto bad;
                memcpy(&it, buf + off, sizeof it);
                off += sizeof it;
                if (it.path_len == 0 || it.path_len >= PATH_MAX || (size_t) n - off < it.path_len ||
                    buf[off] != '/' || memchr(buf + off, 0, it.path_len))
                        goto bad;
                e = realloc(created.entries, (created.n + 1) * sizeof *e);
                if (!e) {
                        mount_created_done(&created);
                        return -ENOMEM;
                }
                created.entries = e;
                e += created.n;
                *e = (MountCreatedEntry) {
                        .path = strndup(buf + off, it.path_len),
                        .host = it.host,
                        .type = (mode_t) it.type,
                        .mnt_id = it.mnt_id,
                        .dev_major = it.dev_major,
                        .dev_minor = it.dev_minor,
                        .ino = it.ino,
                        .size = it.size,
                        .mtime = { .tv_sec = it.mtime_sec, .tv_nsec = it.mtime_nsec },
                };
                if (!e->path) {
                        mount_created_done(&created);
                        return -ENOMEM;
                }
                created.n++;
                off += it.path_len;
        }
        if (off != (size_t) n)
                goto bad;

        mount_created_done(&ret->created);
        ret->created = created;
        ret->sealed = h.sealed;
        return 0;

bad:
        mount_created_done(&created);
        return -EBADMSG;
}
