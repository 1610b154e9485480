/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/mount-util.c: mount_parent_id(), which the take-back of a
 * child killed halfway through its pivot_root relies on to tell the old
 * root stacked on the container's from any other stack (spawn-undo.c):
 * a mount on another one names it as its parent, an id not in the
 * namespace is not found; and, of src/spawn/mount-created.c, that what a
 * start makes on a tmpfs of its own is not recorded for the take-back
 * (mount_created_fresh()). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-created.h"
#include "mount-record.h"
#include "mount-util.h"
#include "test.h"

static uint64_t id_of(const char *path) {
        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        uint64_t id = 0;

        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(mount_id_of(fd, &id));
        return id;
}

/* In a mount namespace of its own: a tmpfs on a directory, a second one
 * stacked on it; then the second taken off. */
static void stacked(const char *dir) {
        uint64_t host, below, top, parent = 0;

        /* A new namespace's mounts are copies, with ids of their own. */
        ASSERT_OK(unshare(CLONE_NEWNS));
        ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        host = id_of(dir);
        ASSERT_OK(mount("tmpfs", dir, "tmpfs", 0, "size=64k"));
        below = id_of(dir);
        ASSERT_OK(mount_parent_id(below, &parent));
        ASSERT_EQ_U64(parent, host);

        ASSERT_OK(mount("tmpfs", dir, "tmpfs", 0, "size=64k"));
        top = id_of(dir);
        ASSERT_TRUE(top != below);
        ASSERT_OK(mount_parent_id(top, &parent));
        ASSERT_EQ_U64(parent, below);

        ASSERT_OK(umount2(dir, MNT_DETACH));
        ASSERT_EQ_U64(id_of(dir), below);
        ASSERT_ERROR(mount_parent_id(top, &parent), ENOENT);
        ASSERT_ERROR(mount_parent_id(UINT64_MAX, &parent), ENOENT);
}

/* The child's pivot as mount_setup_pivot() makes it, killed between its
 * pivot_root() and the detach of the old root; then, as the take-back's
 * helper (spawn-undo.c), into its namespace: setns() lands on the old
 * root stacked on the new one, which names the new one as its parent;
 * detached, setns() again lands on the new root. */
static void pivoted(const char *dir) {
        _cleanup_close_ int ns_fd = -EBADF, own_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        uint64_t root = 0, parent = 0;
        char ns[64], c;
        int pipe_fds[2], status;
        pid_t pid;

        ASSERT_OK(pipe2(pipe_fds, O_CLOEXEC));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                ASSERT_OK(unshare(CLONE_NEWNS));
                ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
                ASSERT_OK(mount("tmpfs", dir, "tmpfs", 0, "size=64k"));
                root = id_of(dir);
                ASSERT_OK(chdir(dir));
                ASSERT_OK(syscall(SYS_pivot_root, ".", "."));
                ASSERT_EQ(write(pipe_fds[1], &root, sizeof root), (ssize_t) sizeof root);
                pause();
                _exit(1);
        }
        safe_close(pipe_fds[1]);
        ASSERT_EQ(read(pipe_fds[0], &root, sizeof root), (ssize_t) sizeof root);
        snprintf(ns, sizeof ns, "/proc/%d/ns/mnt", (int) pid);
        ns_fd = open(ns, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(ns_fd >= 0);
        ASSERT_OK(kill(pid, SIGKILL));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_EQ(read(pipe_fds[0], &c, 1), 0);
        safe_close(pipe_fds[0]);

        ASSERT_OK(setns(ns_fd, CLONE_NEWNS));
        ASSERT_TRUE(id_of("/") != root);
        ASSERT_OK(mount_parent_id(id_of("/"), &parent));
        ASSERT_EQ_U64(parent, root);

        ASSERT_OK(umount2("/", MNT_DETACH));
        ASSERT_OK(setns(ns_fd, CLONE_NEWNS));
        ASSERT_EQ_U64(id_of("/"), root);
        /* Back, where /proc is for LeakSanitizer at exit. */
        ASSERT_TRUE(own_fd >= 0);
        ASSERT_OK(setns(own_fd, CLONE_NEWNS));
}

static off_t size_of(int fd) {
        struct stat st;

        ASSERT_OK(fstat(fd, &st));
        return st.st_size;
}

/* A tmpfs the start attached (/dev): the nodes and directories made on it
 * go with the container's mount namespace, and are neither recorded nor
 * listed; on any other mount they are, as before. */
static void fresh(const char *dir) {
        _cleanup_close_ int root_fd = -EBADF, fd = -EBADF, record_fd = memfd_create("test", MFD_CLOEXEC);
        MountCreated c = MOUNT_CREATED_NULL;
        off_t empty;

        ASSERT_OK(unshare(CLONE_NEWNS));
        ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        ASSERT_OK(mount("tmpfs", dir, "tmpfs", 0, "size=64k"));
        root_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(root_fd >= 0);
        ASSERT_TRUE(record_fd >= 0);
        ASSERT_OK(mount_record_init(record_fd));
        c.record_fd = record_fd;
        empty = size_of(record_fd);

        /* Not known as the start's own: recorded and listed. */
        fd = mount_target_ensure_recorded(root_fd, "/image/node", MOUNT_TARGET_FILE, 0, &c);
        ASSERT_TRUE(fd >= 0);
        fd = safe_close(fd);
        ASSERT_EQ(c.n, 2u);
        ASSERT_TRUE(size_of(record_fd) > empty);
        mount_created_done(&c);
        ASSERT_OK(ftruncate(record_fd, 0));
        ASSERT_OK(mount_record_init(record_fd));

        /* The start's own: made, and nothing of it recorded. */
        mount_created_fresh(&c, id_of(dir));
        fd = mount_target_ensure_recorded(root_fd, "/dev/null", MOUNT_TARGET_FILE, 0, &c);
        ASSERT_TRUE(fd >= 0);
        fd = safe_close(fd);
        fd = mount_target_ensure_recorded(root_fd, "/dev/pts", MOUNT_TARGET_DIR, 0, &c);
        ASSERT_TRUE(fd >= 0);
        fd = safe_close(fd);
        ASSERT_EQ(c.n, 0u);
        ASSERT_EQ(size_of(record_fd), empty);
        ASSERT_OK(faccessat(root_fd, "dev/null", F_OK, AT_SYMLINK_NOFOLLOW));

        /* A mount on it is not the start's own tmpfs: what is made on it is recorded. */
        ASSERT_OK(mkdirat(root_fd, "dev/shared", 0755));
        fd = openat(root_fd, "dev/shared", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        fd = safe_close(fd);
        {
                _cleanup_free_ char *shared = NULL;

                ASSERT_TRUE(asprintf(&shared, "%s/dev/shared", dir) > 0);
                ASSERT_OK(mount("tmpfs", shared, "tmpfs", 0, "size=64k"));
        }
        fd = mount_target_ensure_recorded(root_fd, "/dev/shared/a/b", MOUNT_TARGET_DIR, 0, &c);
        ASSERT_TRUE(fd >= 0);
        fd = safe_close(fd);
        ASSERT_EQ(c.n, 2u);
        ASSERT_TRUE(size_of(record_fd) > empty);
        mount_created_done(&c);
}

static void in_own_namespace(void (*body)(const char *dir)) {
        char dir[] = "/tmp/test-mount-util.XXXXXX";
        int status = 0;
        pid_t pid;

        if (geteuid() != 0) {
                test_skip("not root");
                return;
        }
        ASSERT_NOT_NULL(mkdtemp(dir));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                alarm(30);
                body(dir);
                exit(0);        /* exit(), not _exit(): LeakSanitizer checks at exit */
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_OK(rmdir(dir));
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(parent_of_stacked_mounts) {
        in_own_namespace(stacked);
}

TEST(parent_across_a_pivot) {
        in_own_namespace(pivoted);
}

TEST(nothing_recorded_on_a_fresh_tmpfs) {
        in_own_namespace(fresh);
}

/* The container's own cgroup, by its last component: the scope's (systemd),
 * or the unit without ".scope" (the cgroupfs manager); never cell's, one
 * above the scope, or a name that only begins or ends alike. */
TEST(cgroup_path_is_container) {
        ASSERT_TRUE(cgroup_path_is_container("/machine.slice/cell-web.scope", "cell-web.scope"));
        ASSERT_TRUE(cgroup_path_is_container("/system.slice/cell@web.service/cell-web", "cell-web.scope"));
        ASSERT_TRUE(cgroup_path_is_container("/cell-web", "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("/", "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("/machine.slice", "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("/system.slice/cell@web.service", "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("/cell-we", "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("/cell-web2", "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("/x/cell-web.scope/payload", "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("/", ""));
        ASSERT_FALSE(cgroup_path_is_container("/cell-web", NULL));
        ASSERT_FALSE(cgroup_path_is_container(NULL, "cell-web.scope"));
        ASSERT_FALSE(cgroup_path_is_container("cell-web.scope", "cell-web.scope"));
}
