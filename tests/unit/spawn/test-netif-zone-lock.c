/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Zone='s second lock, systemd-nspawn 252's around its zones' bridges
 * (/run/systemd/nspawn-network-zone): taken as nspawn takes it, so that a
 * cell and an nspawn container of one zone never join and remove its
 * bridge at once. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netif-internal.h"
#include "test.h"

/* Whether an OFD write lock, as nspawn's make_lock_file() takes it, is
 * free on path now. */
static bool nspawn_could_lock(const char *path) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        int fd = open(path, O_RDWR | O_CLOEXEC);
        bool free_now;

        ASSERT_TRUE(fd >= 0);
        free_now = fcntl(fd, F_OFD_SETLK, &fl) == 0;
        if (!free_now)
                ASSERT_EQ(errno, EAGAIN);
        (void) close(fd);
        return free_now;
}

TEST(nspawn_zone_lock_is_nspawns) {
        char dir[] = "/tmp/test-netif-zone-lock.XXXXXX", path[64];
        struct stat st;
        int fd = -EBADF;

        ASSERT_NOT_NULL(mkdtemp(dir));
        (void) snprintf(path, sizeof path, "%s/nspawn-network-zone", dir);
        ASSERT_OK(netif_nspawn_zone_lock(path, 10, &fd));
        ASSERT_TRUE(fd >= 0);
        /* Root's alone, as nspawn makes it. */
        ASSERT_EQ(stat(path, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0600);
        /* Held where nspawn looks: its OFD lock waits for ours. */
        ASSERT_FALSE(nspawn_could_lock(path));
        /* Let go of as nspawn does: the file goes with the lock. */
        netif_nspawn_zone_unlock(path, fd);
        ASSERT_EQ(access(path, F_OK), -1);
        ASSERT_EQ(errno, ENOENT);
        ASSERT_EQ(rmdir(dir), 0);
}

/* A taker that waited on the file the holder removed takes the new one:
 * a lock on a removed file would exclude no later taker. */
TEST(nspawn_zone_lock_after_removal) {
        char dir[] = "/tmp/test-netif-zone-lock.XXXXXX", path[64];
        struct pollfd pfd;
        int fd = -EBADF, p[2], status;
        pid_t pid;
        char c;

        ASSERT_NOT_NULL(mkdtemp(dir));
        (void) snprintf(path, sizeof path, "%s/nspawn-network-zone", dir);
        ASSERT_OK(netif_nspawn_zone_lock(path, 10, &fd));
        ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                struct stat a, b;
                int held = -EBADF;

                /* The parent's open file description, and its lock, are
                 * not this process's to hold on to. */
                (void) close(fd);
                if (netif_nspawn_zone_lock(path, 10, &held) < 0 || held < 0 || fstat(held, &a) < 0 ||
                    stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_nlink == 0)
                        _exit(1);
                if (write(p[1], "x", 1) != 1)
                        _exit(2);
                netif_nspawn_zone_unlock(path, held);
                _exit(0);
        }
        (void) close(p[1]);
        /* Not while ours is held. */
        pfd = (struct pollfd) { .fd = p[0], .events = POLLIN };
        ASSERT_EQ(poll(&pfd, 1, 200), 0);
        netif_nspawn_zone_unlock(path, fd);
        pfd = (struct pollfd) { .fd = p[0], .events = POLLIN };
        ASSERT_EQ(poll(&pfd, 1, 10000), 1);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
        ASSERT_EQ(read(p[0], &c, 1), 1);
        (void) close(p[0]);
        ASSERT_EQ(access(path, F_OK), -1);
        ASSERT_EQ(rmdir(dir), 0);
}

/* No /run/systemd: no nspawn takes the lock either, and a Zone= start
 * goes on with cell's own. */
TEST(nspawn_zone_lock_without_its_directory) {
        int fd = 42;

        ASSERT_OK(netif_nspawn_zone_lock("/tmp/test-netif-zone-lock-none.d/x/nspawn-network-zone", 10, &fd));
        ASSERT_EQ(fd, -EBADF);
        netif_nspawn_zone_unlock("/tmp/test-netif-zone-lock-none.d/x/nspawn-network-zone", fd);
}

/* Held by a process that does not let go: a taker gives up after its
 * timeout (-EWOULDBLOCK), holding nothing and leaving the file. */
TEST(nspawn_zone_lock_timeout) {
        char dir[] = "/tmp/test-netif-zone-lock.XXXXXX", path[64];
        struct timespec a, b;
        int fd = -EBADF, held = -EBADF, p[2], status;
        pid_t pid;
        char c;

        ASSERT_NOT_NULL(mkdtemp(dir));
        (void) snprintf(path, sizeof path, "%s/nspawn-network-zone", dir);
        ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* Gone with the test, whatever ends it. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                (void) close(p[0]);
                if (netif_nspawn_zone_lock(path, 10, &held) < 0 || held < 0 || write(p[1], "x", 1) != 1)
                        _exit(1);
                pause();
                _exit(0);
        }
        (void) close(p[1]);
        ASSERT_EQ(read(p[0], &c, 1), 1);
        ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
        ASSERT_EQ(netif_nspawn_zone_lock(path, 1, &fd), -EWOULDBLOCK);
        ASSERT_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
        ASSERT_EQ(fd, -EBADF);
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        ASSERT_TRUE(ms >= 1000 && ms < 5000);
        /* Still the holder's. */
        ASSERT_EQ(access(path, F_OK), 0);
        ASSERT_EQ(kill(pid, SIGTERM), 0);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        (void) close(p[0]);
        /* Its holder gone (its lock with it), the next taker gets it at once. */
        ASSERT_OK(netif_nspawn_zone_lock(path, 1, &fd));
        ASSERT_TRUE(fd >= 0);
        netif_nspawn_zone_unlock(path, fd);
        ASSERT_EQ(rmdir(dir), 0);
}
