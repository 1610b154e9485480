/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/mount-undo.c: the record of what a start made, as the child or
 * the tree builder hands it to the supervisor (mount_undo_save() to a memfd,
 * mount_undo_load() there), and what the supervisor refuses to read. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-undo.h"
#include "test.h"

static int memfd_new(void) {
        int fd = memfd_create("test-mount-undo", MFD_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        return fd;
}

static void add(MountUndo *u, const char *path, bool host, mode_t type, uint64_t ino) {
        MountCreatedEntry *e = realloc(u->created.entries, (u->created.n + 1) * sizeof *e);
        ASSERT_NOT_NULL(e);
        u->created.entries = e;
        e[u->created.n++] = (MountCreatedEntry) {
                .path = strdup(path), .host = host, .type = type, .mnt_id = 77, .dev_major = 8,
                .dev_minor = 3, .ino = ino, .size = 12, .mtime = { .tv_sec = 1700000000, .tv_nsec = 42 },
        };
}

TEST(save_load_round_trip) {
        _cleanup_close_ int fd = memfd_new();
        MountUndo u = MOUNT_UNDO_NULL, v = MOUNT_UNDO_NULL;

        add(&u, "/a", false, S_IFDIR, 10);
        add(&u, "/a/b/new/file", false, S_IFREG, 11);
        add(&u, "/srv/src/new/upper", true, S_IFDIR, 12);
        u.sealed = true;
        ASSERT_OK(mount_undo_save(&u, fd));
        ASSERT_OK(mount_undo_load(fd, &v));
        ASSERT_EQ(v.created.n, 3);
        ASSERT_TRUE(v.sealed);
        for (size_t i = 0; i < 3; i++) {
                const MountCreatedEntry *a = &u.created.entries[i], *b = &v.created.entries[i];
                ASSERT_STREQ(a->path, b->path);
                ASSERT_EQ(a->host, b->host);
                ASSERT_EQ(a->type, b->type);
                ASSERT_EQ_U64(a->ino, b->ino);
                ASSERT_EQ_U64(a->mnt_id, b->mnt_id);
                ASSERT_EQ(a->dev_major, b->dev_major);
                ASSERT_EQ(a->dev_minor, b->dev_minor);
                ASSERT_EQ_U64(a->size, b->size);
                ASSERT_EQ(a->mtime.tv_sec, b->mtime.tv_sec);
                ASSERT_EQ(a->mtime.tv_nsec, b->mtime.tv_nsec);
        }
        /* The fds are not part of it. */
        ASSERT_EQ(v.root_fd, -EBADF);
        mount_undo_done(&u);
        mount_undo_done(&v);
}

TEST(empty_record) {
        _cleanup_close_ int fd = memfd_new();
        MountUndo u = MOUNT_UNDO_NULL, v = MOUNT_UNDO_NULL;

        ASSERT_OK(mount_undo_save(&u, fd));
        ASSERT_OK(mount_undo_load(fd, &v));
        ASSERT_EQ(v.created.n, 0);
        ASSERT_FALSE(v.sealed);
}

/* Nothing written (a builder that failed), a record cut short (one killed
 * while writing), bytes after it, another magic: refused, the target as
 * it was. */
TEST(refused_and_untouched) {
        MountUndo u = MOUNT_UNDO_NULL, v = MOUNT_UNDO_NULL;
        struct stat st;
        int fd;

        fd = memfd_new();
        ASSERT_ERROR(mount_undo_load(fd, &v), EBADMSG);
        close(fd);

        add(&u, "/a", false, S_IFDIR, 10);
        add(&u, "/a/b", false, S_IFDIR, 11);
        add(&v, "/kept", false, S_IFDIR, 1);
        fd = memfd_new();
        ASSERT_OK(mount_undo_save(&u, fd));
        ASSERT_EQ(fstat(fd, &st), 0);
        ASSERT_EQ(ftruncate(fd, st.st_size - 1), 0);
        ASSERT_ERROR(mount_undo_load(fd, &v), EBADMSG);
        ASSERT_EQ(ftruncate(fd, st.st_size + 1), 0);
        ASSERT_ERROR(mount_undo_load(fd, &v), EBADMSG);
        ASSERT_EQ(pwrite(fd, "X", 1, 0), 1);
        ASSERT_EQ(ftruncate(fd, st.st_size), 0);
        ASSERT_ERROR(mount_undo_load(fd, &v), EBADMSG);
        close(fd);
        ASSERT_EQ(v.created.n, 1);
        ASSERT_STREQ(v.created.entries[0].path, "/kept");

        /* A path that is not absolute is no path cell recorded. */
        free(u.created.entries[1].path);
        u.created.entries[1].path = strdup("a/b");
        fd = memfd_new();
        ASSERT_OK(mount_undo_save(&u, fd));
        ASSERT_ERROR(mount_undo_load(fd, &v), EBADMSG);
        close(fd);
        mount_undo_done(&u);
        mount_undo_done(&v);
}
