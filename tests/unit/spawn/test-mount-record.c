/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/mount-record.c: the record of what a start made, written entry
 * by entry as the child or the tree builder makes it (announced, then made
 * or dropped), read by the supervisor also after that process was killed
 * halfway (a short last entry left out); what it refuses to read; and how
 * a pending entry (killed between its announce and its completion) is
 * taken back (mount_created_undo()): only what looks made by the start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mount-created.h"
#include "mount-record.h"
#include "mount-undo.h"
#include "mount-util.h"
#include "test.h"

static char dir[64];
static int dir_fd = -EBADF;

static int record_new(void) {
        int fd = memfd_create("test-mount-record", MFD_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(mount_record_init(fd));
        return fd;
}

static void dir_new(void) {
        snprintf(dir, sizeof dir, "/tmp/test-mount-record.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);
}

static void dir_free(void) {
        char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
        free(cmd);
        dir_fd = safe_close(dir_fd);
}

static bool exists(const char *name) {
        return faccessat(dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}

static off_t size_of(int fd) {
        struct stat st;
        ASSERT_EQ(fstat(fd, &st), 0);
        return st.st_size;
}

/* mkdirat() of name in dir, announced and recorded as the build does. */
static void make_dir(MountCreated *c, const char *name) {
        char path[PATH_MAX];
        int64_t slot;

        snprintf(path, sizeof path, "/%s", name);
        ASSERT_OK(mount_created_announce(c, dir_fd, path, S_IFDIR, 0, &slot));
        ASSERT_TRUE(slot > 0);
        ASSERT_EQ(mkdirat(dir_fd, name, 0755), 0);
        ASSERT_OK(mount_created_add(c, slot, dir_fd, name, path));
}

TEST(made_round_trip) {
        _cleanup_close_ int fd = record_new();
        MountCreated c = MOUNT_CREATED_NULL;
        MountUndo v = MOUNT_UNDO_NULL;

        dir_new();
        c.record_fd = fd;
        make_dir(&c, "a");
        make_dir(&c, "a/b");
        c.host = true;
        make_dir(&c, "a/b/upper");
        ASSERT_OK(mount_record_seal(fd));
        ASSERT_OK(mount_record_root(fd, dir_fd));

        ASSERT_OK(mount_record_load(fd, &v));
        ASSERT_EQ(v.created.n, 3);
        ASSERT_TRUE(v.sealed);
        ASSERT_EQ_U64(v.root_mnt_id, c.entries[0].mnt_id);
        for (size_t i = 0; i < 3; i++) {
                const MountCreatedEntry *a = &c.entries[i], *b = &v.created.entries[i];
                ASSERT_STREQ(a->path, b->path);
                ASSERT_EQ(a->host, b->host);
                ASSERT_FALSE(b->pending);
                ASSERT_EQ(a->type, b->type);
                ASSERT_EQ_U64(a->ino, b->ino);
                ASSERT_EQ_U64(a->mnt_id, b->mnt_id);
                ASSERT_EQ(a->dev_major, b->dev_major);
                ASSERT_EQ(a->dev_minor, b->dev_minor);
                ASSERT_EQ_U64(a->size, b->size);
                ASSERT_EQ(a->mtime.tv_sec, b->mtime.tv_sec);
                ASSERT_EQ(a->mtime.tv_nsec, b->mtime.tv_nsec);
        }
        ASSERT_TRUE(v.created.entries[2].host);
        /* Not the loader's: its record fd and the undo's fds untouched. */
        ASSERT_EQ(v.created.record_fd, -EBADF);
        ASSERT_EQ(v.root_fd, -EBADF);

        /* Taken back by the maker: the record is cleared, the list freed. */
        mount_created_undo(&c, dir_fd, dir_fd);
        ASSERT_FALSE(exists("a"));
        ASSERT_EQ(c.n, 0);
        ASSERT_OK(mount_record_load(fd, &v));
        ASSERT_EQ(v.created.n, 0);
        ASSERT_FALSE(v.sealed);
        ASSERT_EQ_U64(v.root_mnt_id, 0);
        mount_undo_done(&v);
        dir_free();
}

/* mount_target_ensure_recorded() writes every component it makes. */
TEST(ensure_recorded) {
        _cleanup_close_ int fd = record_new(), t = -EBADF;
        MountCreated c = MOUNT_CREATED_NULL;
        MountUndo v = MOUNT_UNDO_NULL;

        dir_new();
        c.record_fd = fd;
        ASSERT_EQ(mkdirat(dir_fd, "x", 0755), 0);
        t = mount_target_ensure_recorded(dir_fd, "/x/y/z/file", MOUNT_TARGET_FILE, 0, &c);
        ASSERT_TRUE(t >= 0);
        ASSERT_EQ(c.n, 3);
        ASSERT_OK(mount_record_load(fd, &v));
        ASSERT_EQ(v.created.n, 3);
        ASSERT_STREQ(v.created.entries[0].path, "/x/y");
        ASSERT_STREQ(v.created.entries[2].path, "/x/y/z/file");
        ASSERT_EQ(v.created.entries[2].type, S_IFREG);
        ASSERT_EQ_U64(v.created.entries[2].ino, c.entries[2].ino);
        /* The supervisor's take-back, from the record alone. */
        mount_created_undo(&v.created, dir_fd, -EBADF);
        ASSERT_FALSE(exists("x/y"));
        ASSERT_TRUE(exists("x"));
        mount_created_done(&c);
        dir_free();
}

/* Dropped entries are not read; a pending one is, as pending; a record
 * cut anywhere in its last entry (a writer killed while announcing)
 * keeps every entry before it. */
TEST(pending_dropped_torn) {
        _cleanup_close_ int fd = record_new();
        MountCreated c = MOUNT_CREATED_NULL;
        MountUndo v = MOUNT_UNDO_NULL;
        _cleanup_free_ char *whole = NULL;
        int64_t slot;
        off_t end, last;

        dir_new();
        c.record_fd = fd;
        make_dir(&c, "made");
        ASSERT_OK(mount_created_announce(&c, dir_fd, "/dropped", S_IFDIR, 0, &slot));
        mount_created_drop(&c, slot);
        last = size_of(fd);
        ASSERT_OK(mount_created_announce(&c, dir_fd, "/pending/file", S_IFREG, 12, &slot));
        ASSERT_EQ(slot, last);
        end = size_of(fd);

        ASSERT_OK(mount_record_load(fd, &v));
        ASSERT_EQ(v.created.n, 2);
        ASSERT_STREQ(v.created.entries[0].path, "/made");
        ASSERT_FALSE(v.created.entries[0].pending);
        ASSERT_STREQ(v.created.entries[1].path, "/pending/file");
        ASSERT_TRUE(v.created.entries[1].pending);
        ASSERT_EQ(v.created.entries[1].type, S_IFREG);
        ASSERT_EQ_U64(v.created.entries[1].size, 12);
        ASSERT_TRUE(v.created.entries[1].since_nsec > 0 &&
                    v.created.entries[1].since_nsec / UINT64_C(1000000000) <= (uint64_t) time(NULL));

        ASSERT_NOT_NULL(whole = malloc((size_t) end));
        ASSERT_EQ(pread(fd, whole, (size_t) end, 0), (ssize_t) end);
        for (off_t cut = last + 1; cut < end; cut++) {
                ASSERT_EQ(ftruncate(fd, 0), 0);
                ASSERT_EQ(pwrite(fd, whole, (size_t) cut, 0), (ssize_t) cut);
                ASSERT_OK(mount_record_load(fd, &v));
                ASSERT_TRUE(v.created.n >= 1 && v.created.n <= 2);
                ASSERT_STREQ(v.created.entries[0].path, "/made");
                if (v.created.n == 2)   /* the path whole, only its padding cut */
                        ASSERT_STREQ(v.created.entries[1].path, "/pending/file");
        }
        ASSERT_EQ(ftruncate(fd, last), 0);
        ASSERT_OK(mount_record_load(fd, &v));
        ASSERT_EQ(v.created.n, 1);
        mount_undo_done(&v);
        mount_created_done(&c);
        dir_free();
}

/* Never written (0 bytes): nothing. A short header, another magic, a state
 * or type that no writer wrote, a path that is not absolute: refused, the
 * target as it was. */
TEST(refused_and_untouched) {
        _cleanup_close_ int fd = memfd_create("test-mount-record", MFD_CLOEXEC);
        MountCreated c = MOUNT_CREATED_NULL;
        MountUndo v = MOUNT_UNDO_NULL;
        uint32_t word;
        int64_t slot;

        dir_new();
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(mount_record_load(fd, &v));
        ASSERT_EQ(v.created.n, 0);

        ASSERT_OK(mount_record_init(fd));
        c.record_fd = fd;
        make_dir(&c, "kept");
        ASSERT_OK(mount_record_load(fd, &v));
        ASSERT_EQ(v.created.n, 1);

        ASSERT_EQ(pwrite(fd, "X", 1, 0), 1);
        ASSERT_ERROR(mount_record_load(fd, &v), EBADMSG);
        ASSERT_EQ(pwrite(fd, "c", 1, 0), 1);
        ASSERT_OK(mount_record_load(fd, &v));

        /* The state word of the entry, then its type. */
        ASSERT_EQ(pread(fd, &word, sizeof word, 24), (ssize_t) sizeof word);
        ASSERT_EQ(pwrite(fd, &(uint32_t) { 7 }, sizeof word, 24), (ssize_t) sizeof word);
        ASSERT_ERROR(mount_record_load(fd, &v), EBADMSG);
        ASSERT_EQ(pwrite(fd, &word, sizeof word, 24), (ssize_t) sizeof word);
        ASSERT_EQ(pwrite(fd, &(uint32_t) { S_IFCHR }, sizeof word, 32), (ssize_t) sizeof word);
        ASSERT_ERROR(mount_record_load(fd, &v), EBADMSG);
        ASSERT_EQ(pwrite(fd, &(uint32_t) { S_IFDIR }, sizeof word, 32), (ssize_t) sizeof word);
        ASSERT_OK(mount_record_load(fd, &v));

        ASSERT_ERROR(mount_created_announce(&c, dir_fd, "rel/path", S_IFDIR, 0, &slot), EINVAL);
        ASSERT_EQ(ftruncate(fd, 10), 0);
        ASSERT_ERROR(mount_record_load(fd, &v), EBADMSG);
        ASSERT_EQ(v.created.n, 1);
        ASSERT_STREQ(v.created.entries[0].path, "/kept");
        mount_undo_done(&v);
        mount_created_done(&c);
        dir_free();
}

static void pending(MountCreated *c, const char *name, mode_t type, uint64_t size, uint64_t since) {
        char path[PATH_MAX];
        struct statx sx;
        MountCreatedEntry *e;

        ASSERT_EQ(statx(dir_fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx), 0);
        snprintf(path, sizeof path, "/%s", name);
        e = realloc(c->entries, (c->n + 1) * sizeof *e);
        ASSERT_NOT_NULL(e);
        c->entries = e;
        e[c->n++] = (MountCreatedEntry) {
                .path = strdup(path), .pending = true, .since_nsec = since, .type = type, .size = size,
                .mnt_id = sx.stx_mnt_id, .dev_major = sx.stx_dev_major, .dev_minor = sx.stx_dev_minor,
        };
}

/* A pending entry goes only while it looks made by the start: of its type,
 * born since, a directory empty, a file no bigger than announced. */
TEST(pending_take_back) {
        MountCreated c = MOUNT_CREATED_NULL;
        const uint64_t sec = UINT64_C(1000000000);
        uint64_t now = (uint64_t) time(NULL) * sec, just_after;
        struct timespec ts;
        struct statx sx;
        int64_t fd;

        dir_new();
        ASSERT_EQ(mkdirat(dir_fd, "dir", 0755), 0);
        ASSERT_EQ(mkdirat(dir_fd, "full", 0755), 0);
        ASSERT_EQ(mkdirat(dir_fd, "full/x", 0755), 0);
        ASSERT_EQ(mkdirat(dir_fd, "old", 0755), 0);
        ASSERT_EQ(mkdirat(dir_fd, "typed", 0755), 0);
        fd = openat(dir_fd, "short", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write((int) fd, "abc", 3), 3);
        close((int) fd);
        fd = openat(dir_fd, "long", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write((int) fd, "abcdef", 6), 6);
        close((int) fd);
        /* Made by someone else a moment before the announcement, most
         * likely in the same second. */
        ASSERT_EQ(mkdirat(dir_fd, "theirs", 0755), 0);
        ASSERT_EQ(statx(dir_fd, "theirs", 0, STATX_BTIME | STATX_CTIME, &sx), 0);
        bool fine_stamps = ((sx.stx_mask & STATX_BTIME) ? sx.stx_btime : sx.stx_ctime).tv_nsec != 0;
        usleep(20 * 1000);
        ASSERT_EQ(clock_gettime(CLOCK_REALTIME_COARSE, &ts), 0);
        just_after = (uint64_t) ts.tv_sec * sec + (uint64_t) ts.tv_nsec;

        pending(&c, "dir", S_IFDIR, 0, now - sec);
        pending(&c, "full", S_IFDIR, 0, now - sec);
        pending(&c, "old", S_IFDIR, 0, now + 100 * sec);        /* there before it was announced */
        pending(&c, "theirs", S_IFDIR, 0, just_after);          /* the same, within the second */
        pending(&c, "typed", S_IFREG, 10, now - sec);
        pending(&c, "short", S_IFREG, 5, now - sec);            /* cut short while written */
        pending(&c, "long", S_IFREG, 5, now - sec);
        pending(&c, "missing", S_IFDIR, 0, now - sec);          /* never made */
        mount_created_undo(&c, dir_fd, -EBADF);
        ASSERT_EQ(c.n, 0);
        ASSERT_FALSE(exists("dir"));
        ASSERT_TRUE(exists("full/x"));
        ASSERT_TRUE(exists("old"));
        if (fine_stamps)        /* (a file system that stamps whole seconds cannot tell) */
                ASSERT_TRUE(exists("theirs"));
        ASSERT_TRUE(exists("typed"));
        ASSERT_FALSE(exists("short"));
        ASSERT_TRUE(exists("long"));
        dir_free();
}
