/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/fs-util.c: block_device_node(), a block device's node for a
 * message or an open: its kernel name, or none where sysfs has no such
 * device. write_file_atomic_at(): old bytes or new ones, whole, and no
 * temporary file piled up, also where the file system has no O_TMPFILE.
 * read_full_fd()/read_full_file_at(): a regular file whole, up to a bound. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <seccomp.h>
#include <unistd.h>

#include "fs-util.h"
#include "test.h"

TEST(block_device_node) {
        char name[64] = "x", p[96];
        struct stat st;

        block_device_node(makedev(0, 0), name, sizeof name);
        ASSERT_STREQ(name, "");
        ASSERT_OK(stat("/", &st) < 0 ? -errno : 0);
        if (major(st.st_dev) == 0) {
                test_skip("/ is on no block device here");
                return;
        }
        block_device_node(st.st_dev, name, sizeof name);
        ASSERT_TRUE(startswith(name, "/dev/") && name[5] && !strchr(name, '\n'));
        /* The name the kernel gives the device in /sys/class/block, and
         * the node of that number. */
        snprintf(p, sizeof p, "/sys/class/block/%s", name + 5);
        ASSERT_OK(access(p, F_OK) < 0 ? -errno : 0);
        ASSERT_OK(stat(name, &st) < 0 ? -errno : 0);
        ASSERT_TRUE(S_ISBLK(st.st_mode));
        /* No room: nothing but the end. */
        block_device_node(st.st_rdev, name, 1);
        ASSERT_STREQ(name, "");
        /* One byte too little for the whole name: none, not a part of it. */
        block_device_node(st.st_rdev, name, sizeof name);
        size_t len = strlen(name);
        ASSERT_TRUE(len > 0);
        block_device_node(st.st_rdev, name, len);
        ASSERT_STREQ(name, "");
}

/* write_file_atomic_at(): systemd's WRITE_STRING_FILE_ATOMIC. */

static char *atomic_dir(char *buf, size_t n) {
        const char *tmp = getenv("TMPDIR");

        (void) snprintf(buf, n, "%s/test-fs-util.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        return mkdtemp(buf);
}

/* The names in dir other than "." and "..", in one string ("a b "). */
static void atomic_names(int dir_fd, char *buf, size_t n) {
        _cleanup_(closedirp) DIR *d = opendir_at(dir_fd, ".");
        struct dirent *de;
        size_t k = 0;

        buf[0] = 0;
        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        k += (size_t) snprintf(buf + k, n - k, "%s ", de->d_name);
}

static void atomic_read(int dir_fd, const char *name, char *buf, size_t n, ssize_t *ret_len) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);

        ASSERT_TRUE(fd >= 0);
        *ret_len = read(fd, buf, n);
        ASSERT_TRUE(*ret_len >= 0);
}

/* In dir_fd: a new file, then one over it, then one over that with a link
 * planted at the temporary name. A reader of the old inode keeps the old
 * bytes whole (it is replaced, never truncated or written into), the old
 * file's mode goes to the new one, a killed writer's temporary file is
 * unlinked (not written into), a planted link is never followed, and
 * nothing but the file is left. */
static void atomic_replace_scenario(int dir_fd) {
        char names[256], buf[64], tmp[NAME_MAX + 1];
        _cleanup_close_ int old_fd = -EBADF, planted = -EBADF;
        struct stat st, like;
        ssize_t len;

        ASSERT_OK(atomic_tmp_name("resolv.conf", tmp, sizeof tmp));
        /* New. */
        ASSERT_OK(write_file_atomic_at(dir_fd, "resolv.conf", "old\n", 4, 0644, NULL));
        atomic_read(dir_fd, "resolv.conf", buf, sizeof buf, &len);
        ASSERT_EQ(len, 4);
        ASSERT_TRUE(memcmp(buf, "old\n", 4) == 0);

        /* Over an old one. */
        ASSERT_OK(fchmodat(dir_fd, "resolv.conf", 0600, 0) < 0 ? -errno : 0);
        old_fd = openat(dir_fd, "resolv.conf", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(old_fd >= 0);
        ASSERT_OK(fstat(old_fd, &like) < 0 ? -errno : 0);
        planted = openat(dir_fd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(planted >= 0);
        ASSERT_EQ(write(planted, "half", 4), 4);
        ASSERT_OK(write_file_atomic_at(dir_fd, "resolv.conf", "nameserver 10.0.0.1\n", 20, 0644, &like));
        ASSERT_EQ(pread(old_fd, buf, sizeof buf, 0), 4);
        ASSERT_TRUE(memcmp(buf, "old\n", 4) == 0);
        ASSERT_EQ(pread(planted, buf, sizeof buf, 0), 4);
        atomic_read(dir_fd, "resolv.conf", buf, sizeof buf, &len);
        ASSERT_EQ(len, 20);
        ASSERT_TRUE(memcmp(buf, "nameserver 10.0.0.1\n", 20) == 0);
        ASSERT_OK(fstatat(dir_fd, "resolv.conf", &st, 0) < 0 ? -errno : 0);
        ASSERT_EQ(st.st_mode & 07777, 0600u);
        atomic_names(dir_fd, names, sizeof names);
        ASSERT_STREQ(names, "resolv.conf ");

        ASSERT_OK(symlinkat("/nonexistent/target", dir_fd, tmp) < 0 ? -errno : 0);
        ASSERT_OK(write_file_atomic_at(dir_fd, "resolv.conf", "x\n", 2, 0644, NULL));
        atomic_read(dir_fd, "resolv.conf", buf, sizeof buf, &len);
        ASSERT_EQ(len, 2);
        ASSERT_TRUE(access("/nonexistent/target", F_OK) < 0);
        atomic_names(dir_fd, names, sizeof names);
        ASSERT_STREQ(names, "resolv.conf ");
        ASSERT_OK(unlinkat(dir_fd, "resolv.conf", 0) < 0 ? -errno : 0);
}

TEST(write_file_atomic_replaces_whole) {
        char dir[PATH_MAX], names[16], tmp[NAME_MAX + 1];
        _cleanup_close_ int dir_fd = -EBADF;

        ASSERT_OK(atomic_tmp_name("resolv.conf", tmp, sizeof tmp));
        ASSERT_STREQ(tmp, ".#resolv.conf.cell-new");
        ASSERT_ERROR(atomic_tmp_name("resolv.conf", names, 10), ENAMETOOLONG);

        ASSERT_NOT_NULL(atomic_dir(dir, sizeof dir));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);
        atomic_replace_scenario(dir_fd);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* A file system without O_TMPFILE (EOPNOTSUPP: vfat, NFSv3, FUSE, overlayfs
 * before 6.6), made here by a seccomp filter of the child's own: the file
 * is written under the temporary name and renamed, the same scenario. */
TEST(write_file_atomic_without_o_tmpfile) {
        char dir[PATH_MAX];
        int status;
        pid_t pid;

        ASSERT_NOT_NULL(atomic_dir(dir, sizeof dir));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                _cleanup_close_ int dir_fd = -EBADF;
                scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

                ASSERT_NOT_NULL(ctx);
                ASSERT_OK(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EOPNOTSUPP), SCMP_SYS(openat), 1,
                                           SCMP_A2(SCMP_CMP_MASKED_EQ, __O_TMPFILE, __O_TMPFILE)));
                ASSERT_OK(seccomp_load(ctx));
                seccomp_release(ctx);
                dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                ASSERT_TRUE(dir_fd >= 0);
                ASSERT_TRUE(openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600) < 0 && errno == EOPNOTSUPP);
                atomic_replace_scenario(dir_fd);
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* A writer killed at any point leaves the old bytes or the new ones, never
 * a mix or a short file, and at most the one temporary file, which the
 * next write takes away. */
TEST(write_file_atomic_killed_leaves_old_or_new) {
        enum { SIZE = 1024 * 1024 };
        char dir[PATH_MAX], names[256], tmp[NAME_MAX + 1];
        _cleanup_free_ char *a = malloc(SIZE), *b = malloc(SIZE), *got = malloc(SIZE + 1);
        _cleanup_close_ int dir_fd = -EBADF;
        ssize_t len;

        ASSERT_TRUE(a && b && got);
        memset(a, 'a', SIZE);
        memset(b, 'b', SIZE);
        ASSERT_NOT_NULL(atomic_dir(dir, sizeof dir));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);
        ASSERT_OK(atomic_tmp_name("f", tmp, sizeof tmp));
        ASSERT_OK(write_file_atomic_at(dir_fd, "f", a, SIZE, 0644, NULL));

        for (unsigned round = 0; round < 20; round++) {
                int status;
                /* One writer, and from round 10 on two at once (two
                 * instances sharing a Directory=). */
                pid_t pid[2] = { -1, -1 };

                for (unsigned k = 0; k < 1 + (round >= 10); k++) {
                        pid[k] = fork();
                        ASSERT_TRUE(pid[k] >= 0);
                        if (pid[k] == 0) {
                                for (unsigned i = 0;; i++)
                                        if (write_file_atomic_at(dir_fd, "f", i % 2 ? a : b, SIZE, 0644, NULL) < 0)
                                                _exit(1);
                        }
                }
                /* Read while they write, then kill them somewhere in a write. */
                for (unsigned i = 0; i < 20 + round * 7; i++) {
                        atomic_read(dir_fd, "f", got, SIZE + 1, &len);
                        ASSERT_EQ(len, SIZE);
                        ASSERT_TRUE(memcmp(got, a, SIZE) == 0 || memcmp(got, b, SIZE) == 0);
                }
                for (unsigned k = 0; k < 2 && pid[k] > 0; k++) {
                        ASSERT_OK(kill(pid[k], SIGKILL) < 0 ? -errno : 0);
                        ASSERT_EQ(waitpid(pid[k], &status, 0), pid[k]);
                        ASSERT_TRUE(WIFSIGNALED(status));       /* no writer failed */
                }
                atomic_read(dir_fd, "f", got, SIZE + 1, &len);
                ASSERT_EQ(len, SIZE);
                ASSERT_TRUE(memcmp(got, a, SIZE) == 0 || memcmp(got, b, SIZE) == 0);
                atomic_names(dir_fd, names, sizeof names);
                ASSERT_TRUE(strcmp(names, "f ") == 0 || strcmp(names, "f .#f.cell-new ") == 0 ||
                            strcmp(names, ".#f.cell-new f ") == 0);
        }
        ASSERT_OK(write_file_atomic_at(dir_fd, "f", a, SIZE, 0644, NULL));
        atomic_names(dir_fd, names, sizeof names);
        ASSERT_STREQ(names, "f ");
        ASSERT_OK(unlinkat(dir_fd, "f", 0) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* read_full_fd()/read_full_file_at(): a regular file whole, up to a bound,
 * NUL-terminated; anything else refused before a byte is read. */

static void full_write(int dir_fd, const char *name, const char *data, size_t size) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(write_all(fd, data, size));
}

TEST(read_full_regular_empty_and_bound) {
        char dir[PATH_MAX];
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        char *buf = NULL;
        size_t size = 99;

        ASSERT_NOT_NULL(atomic_dir(dir, sizeof dir));
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);

        /* Regular: whole, NUL-terminated, with or without the secret's care. */
        full_write(dir_fd, "f", "hello\n", 6);
        for (int secret = 0; secret < 2; secret++) {
                ASSERT_OK(read_full_file_at(dir_fd, "f", 0, 64, secret ? READ_FULL_SECRET : 0, &buf, &size));
                ASSERT_EQ(size, 6u);
                ASSERT_STREQ(buf, "hello\n");
                buf = mfree(buf);
        }

        /* Empty: "" and 0, never NULL. */
        full_write(dir_fd, "empty", "", 0);
        ASSERT_OK(read_full_file_at(dir_fd, "empty", 0, 64, 0, &buf, &size));
        ASSERT_EQ(size, 0u);
        ASSERT_STREQ(buf, "");
        buf = mfree(buf);
        /* ... also with a bound of 0. */
        ASSERT_OK(read_full_file_at(dir_fd, "empty", 0, 0, READ_FULL_SECRET, &buf, &size));
        ASSERT_EQ(size, 0u);
        buf = mfree(buf);

        /* Exactly at the bound: read; one byte over: -EFBIG, by path and by fd. */
        ASSERT_OK(read_full_file_at(dir_fd, "f", 0, 6, 0, &buf, &size));
        ASSERT_EQ(size, 6u);
        buf = mfree(buf);
        ASSERT_ERROR(read_full_file_at(dir_fd, "f", 0, 5, 0, &buf, &size), EFBIG);
        ASSERT_NULL(buf);
        fd = openat(dir_fd, "f", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_ERROR(read_full_fd(fd, 5, READ_FULL_SECRET, &buf, &size), EFBIG);
        ASSERT_OK(read_full_fd(fd, 6, READ_FULL_SECRET, &buf, &size));
        ASSERT_STREQ(buf, "hello\n");
        buf = mfree(buf);

        /* Larger than a first read: every byte, in order. */
        char big[20000];
        for (size_t i = 0; i < sizeof big; i++)
                big[i] = (char) ('a' + i % 26);
        full_write(dir_fd, "big", big, sizeof big);
        ASSERT_OK(read_full_file_at(dir_fd, "big", 0, sizeof big, READ_FULL_SECRET, &buf, &size));
        ASSERT_EQ(size, sizeof big);
        ASSERT_TRUE(memcmp(buf, big, sizeof big) == 0 && buf[size] == 0);
        buf = mfree(buf);

        /* A link, where O_NOFOLLOW is asked for: -ELOOP, not what it leads to. */
        ASSERT_OK(symlinkat("f", dir_fd, "link") < 0 ? -errno : 0);
        ASSERT_ERROR(read_full_file_at(dir_fd, "link", O_NOFOLLOW, 64, 0, &buf, &size), ELOOP);
        ASSERT_OK(read_full_file_at(dir_fd, "link", 0, 64, 0, &buf, &size));
        buf = mfree(buf);
        ASSERT_ERROR(read_full_file_at(dir_fd, "missing", 0, 64, 0, &buf, &size), ENOENT);

        ASSERT_OK(unlinkat(dir_fd, "link", 0) < 0 ? -errno : 0);
        ASSERT_OK(unlinkat(dir_fd, "big", 0) < 0 ? -errno : 0);
        ASSERT_OK(unlinkat(dir_fd, "f", 0) < 0 ? -errno : 0);
        ASSERT_OK(unlinkat(dir_fd, "empty", 0) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* procfs says 0 bytes: read to its end all the same, and held to the bound
 * (pagemap never ends within it, and takes reads of 8-byte multiples only). */
TEST(read_full_procfs_size_zero) {
        char *buf = NULL;
        size_t size = 0;

        ASSERT_OK(read_full_file_at(AT_FDCWD, "/proc/self/status", 0, 1024 * 1024, READ_FULL_SECRET, &buf, &size));
        ASSERT_TRUE(size > 0 && strlen(buf) == size && startswith(buf, "Name:"));
        buf = mfree(buf);
        ASSERT_ERROR(read_full_file_at(AT_FDCWD, "/proc/self/pagemap", 0, 65535, 0, &buf, &size), EFBIG);
        ASSERT_NULL(buf);
}

/* A FIFO without a writer, a directory, a device: refused without a read,
 * so nothing blocks (alarm() ends a test that would). */
TEST(read_full_refuses_fifo_directory_device) {
        char dir[PATH_MAX], fifo[PATH_MAX + 8];
        _cleanup_close_ int fd = -EBADF;
        char *buf = NULL;
        size_t size = 0;

        ASSERT_NOT_NULL(atomic_dir(dir, sizeof dir));
        snprintf(fifo, sizeof fifo, "%s/fifo", dir);
        ASSERT_OK(mkfifo(fifo, 0600) < 0 ? -errno : 0);
        alarm(10);
        ASSERT_ERROR(read_full_file_at(AT_FDCWD, fifo, 0, 64, 0, &buf, &size), EBADFD);
        /* Opened already, and blocking: the fstat() refuses it before a read() could wait. */
        fd = open(fifo, O_RDWR | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_ERROR(read_full_fd(fd, 64, READ_FULL_NULL_DEVICE, &buf, &size), EBADFD);
        alarm(0);
        ASSERT_NULL(buf);

        ASSERT_ERROR(read_full_file_at(AT_FDCWD, dir, 0, 64, 0, &buf, &size), EISDIR);
        ASSERT_ERROR(read_full_file_at(AT_FDCWD, "/dev/zero", 0, 64, READ_FULL_NULL_DEVICE, &buf, &size), EBADFD);
        /* The null device: refused as any device, empty where the caller takes systemd's mask. */
        ASSERT_ERROR(read_full_file_at(AT_FDCWD, "/dev/null", 0, 64, 0, &buf, &size), EBADFD);
        ASSERT_OK(read_full_file_at(AT_FDCWD, "/dev/null", 0, 64, READ_FULL_NULL_DEVICE, &buf, &size));
        ASSERT_EQ(size, 0u);
        ASSERT_STREQ(buf, "");
        buf = mfree(buf);

        ASSERT_OK(unlink(fifo) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* Component by component: the mounts' order (plan, spawn) depends on it. */
TEST(path_is_below) {
        ASSERT_TRUE(path_is_below("/a/b", "/a"));
        ASSERT_TRUE(path_is_below("/a/b", "/a/"));
        ASSERT_TRUE(path_is_below("/a//b/", "/a/b"));
        ASSERT_TRUE(path_is_below("/a", "/a"));
        ASSERT_TRUE(path_is_below("/anything", "/"));
        ASSERT_FALSE(path_is_below("/ab", "/a"));
        ASSERT_FALSE(path_is_below("/a", "/a/b"));
        ASSERT_FALSE(path_is_below("/proc", "/proc/sys"));
        ASSERT_TRUE(path_is_below("/proc", "/"));
}
