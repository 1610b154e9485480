/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-record.h"

#define MOUNT_RECORD_MAGIC "cellmud2"
#define MOUNT_RECORD_MAX_SIZE (UINT64_C(64) << 20)

typedef struct MountRecordHeader {
        char magic[8];
        uint32_t sealed;
        uint32_t reserved;
        uint64_t root_mnt_id;   /* the root's mount, once attached; 0: not yet */
} MountRecordHeader;

/* The states: anything else is no entry of ours. */
enum {
        RECORD_PENDING = 0x706e6431,    /* written before the object is made */
        RECORD_MADE = 0x6d646531,       /* made, its identity written before this */
        RECORD_DROPPED = 0x64727031,    /* not made */
};

/* Each entry starts 8-aligned: the state, its first word, never straddles
 * a page, so that it is written whole or not at all. The path follows, no
 * NUL, padded with zeros to 8. */
typedef struct MountRecordItem {
        uint32_t state;
        uint32_t path_len;
        uint32_t type, host;
        uint64_t since_nsec;    /* CLOCK_REALTIME_COARSE when announced, the file systems' clock */
        uint64_t mnt_id, ino, size;
        int64_t mtime_sec;
        uint32_t mtime_nsec, dev_major, dev_minor, reserved;
} MountRecordItem;

static size_t padded(size_t n) {
        return (n + 7) & ~(size_t) 7;
}

int mount_record_init(int fd) {
        MountRecordHeader h = { .magic = MOUNT_RECORD_MAGIC };

        if (ftruncate(fd, 0) < 0)
                return negative_errno();
        return pwrite_all(fd, &h, sizeof h, 0);
}

int mount_record_announce(int fd, int parent_fd, const char *path, bool host, mode_t type, uint64_t size,
                          int64_t *ret_slot) {
        _cleanup_free_ char *buf = NULL;
        size_t len = strlen(path), n = sizeof(MountRecordItem) + padded(len);
        MountRecordItem it = { .state = RECORD_PENDING, .path_len = (uint32_t) len, .type = type, .host = host,
                               .size = size };
        struct timespec now;
        struct statx sx;
        struct stat st;
        int r;

        if (len == 0 || len >= PATH_MAX || path[0] != '/')
                return -EINVAL;
        /* The file system and mount it will be on: its parent's. */
        if (statx(parent_fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0)
                return negative_errno();
        /* The clock the file systems stamp a new inode with: never ahead
         * of the time stamps it gets. */
        if (clock_gettime(CLOCK_REALTIME_COARSE, &now) < 0)
                return negative_errno();
        it.mnt_id = sx.stx_mnt_id;
        it.dev_major = sx.stx_dev_major;
        it.dev_minor = sx.stx_dev_minor;
        it.since_nsec = (uint64_t) now.tv_sec * UINT64_C(1000000000) + (uint64_t) now.tv_nsec;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_size < (off_t) sizeof(MountRecordHeader) || st.st_size % 8 != 0 ||
            (uint64_t) st.st_size + n > MOUNT_RECORD_MAX_SIZE)
                return -EBADMSG;
        /* One write, the path with it: a short one is a short last entry. */
        buf = calloc(1, n);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, &it, sizeof it);
        memcpy(buf + sizeof it, path, len);
        r = pwrite_all(fd, buf, n, st.st_size);
        if (r < 0)
                return r;
        *ret_slot = st.st_size;
        return 0;
}

static int set_state(int fd, int64_t slot, uint32_t state) {
        return pwrite_all(fd, &state, sizeof state, (off_t) slot + offsetof(MountRecordItem, state));
}

int mount_record_made(int fd, int64_t slot, const MountCreatedEntry *e) {
        MountRecordItem it = {
                .mnt_id = e->mnt_id, .ino = e->ino, .size = e->size,
                .mtime_sec = e->mtime.tv_sec, .mtime_nsec = e->mtime.tv_nsec,
                .dev_major = e->dev_major, .dev_minor = e->dev_minor,
        };
        size_t from = offsetof(MountRecordItem, mnt_id);
        int r;

        /* The identity first, the state last: a process killed between
         * the two leaves a pending entry, which is checked as one. */
        r = pwrite_all(fd, (const char *) &it + from, sizeof it - from, (off_t) slot + (off_t) from);
        if (r < 0)
                return r;
        return set_state(fd, slot, RECORD_MADE);
}

int mount_record_drop(int fd, int64_t slot) {
        return set_state(fd, slot, RECORD_DROPPED);
}

int mount_record_seal(int fd) {
        uint32_t sealed = 1;

        return pwrite_all(fd, &sealed, sizeof sealed, offsetof(MountRecordHeader, sealed));
}

int mount_record_root(int fd, int root_fd) {
        uint64_t id;
        int r;

        r = mount_id_of(root_fd, &id);
        if (r < 0)
                return r;
        return pwrite_all(fd, &id, sizeof id, offsetof(MountRecordHeader, root_mnt_id));
}

int mount_record_clear(int fd) {
        return mount_record_init(fd);
}

static int entry_append(MountCreated *c, const MountRecordItem *it, const char *path) {
        MountCreatedEntry *e;

        e = realloc(c->entries, (c->n + 1) * sizeof *e);
        if (!e)
                return -ENOMEM;
        c->entries = e;
        e += c->n;
        *e = (MountCreatedEntry) {
                .path = strndup(path, it->path_len),
                .host = it->host,
                .pending = it->state == RECORD_PENDING,
                .since_nsec = it->since_nsec,
                .type = (mode_t) it->type,
                .mnt_id = it->mnt_id,
                .dev_major = it->dev_major,
                .dev_minor = it->dev_minor,
                .ino = it->ino,
                .size = it->size,
                .mtime = { .tv_sec = it->mtime_sec, .tv_nsec = it->mtime_nsec },
        };
        if (!e->path)
                return -ENOMEM;
        c->n++;
        return 0;
}

int mount_record_load(int fd, MountUndo *ret) {
        _cleanup_free_ char *buf = NULL;
        MountCreated created = MOUNT_CREATED_NULL;
        MountRecordHeader h = {};
        struct stat st;
        size_t off = sizeof h;
        ssize_t n;
        int r;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if ((uint64_t) st.st_size > MOUNT_RECORD_MAX_SIZE)
                return -EBADMSG;
        if (st.st_size == 0)
                goto done;      /* nothing was ever written */
        if (st.st_size < (off_t) sizeof h)
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
        if (memcmp(h.magic, MOUNT_RECORD_MAGIC, sizeof h.magic) != 0 || h.sealed > 1)
                return -EBADMSG;

        /* Up to the end, or to a short last entry: the process that wrote
         * it died before its object was made. */
        while ((size_t) n - off >= sizeof(MountRecordItem)) {
                MountRecordItem it;
                const char *path;

                memcpy(&it, buf + off, sizeof it);
                path = buf + off + sizeof it;
                if (it.path_len == 0 || it.path_len >= PATH_MAX)
                        goto bad;
                if ((size_t) n - off - sizeof it < it.path_len)
                        break;
                if (path[0] != '/' || memchr(path, 0, it.path_len))
                        goto bad;
                if ((it.state != RECORD_PENDING && it.state != RECORD_MADE && it.state != RECORD_DROPPED) ||
                    (it.type != S_IFDIR && it.type != S_IFREG && it.type != S_IFLNK) || it.host > 1)
                        goto bad;
                if (it.state != RECORD_DROPPED) {
                        r = entry_append(&created, &it, path);
                        if (r < 0) {
                                mount_created_done(&created);
                                return r;
                        }
                }
                if ((size_t) n - off - sizeof it < padded(it.path_len))
                        break;
                off += sizeof it + padded(it.path_len);
        }

done:
        mount_created_done(&ret->created);
        ret->created.entries = created.entries;
        ret->created.n = created.n;
        ret->sealed = st.st_size > 0 && h.sealed;
        ret->root_mnt_id = st.st_size > 0 ? h.root_mnt_id : 0;
        return 0;

bad:
        mount_created_done(&created);
        return -EBADMSG;
}
