/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe-restrict.h"

/* The errno of a raw call, 0 for success; a descriptor it made is closed. */
static int call_errno(long r, bool fd) {
        if (r < 0)
                return errno;
        if (fd)
                close((int) r);
        return 0;
}

/* Setting the set-user-ID or set-group-ID bit, on a tmpfs of the container
 * (/run): creating a file with it, adding it to a file's mode; and a mode
 * without it. */
static void probe_suid_sgid(void) {
        static const char path[] = "/run/probe-suid";
        int e;

        (void) unlink(path);
        e = call_errno(syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 04755), true);
        printf("\"creat_suid\": %d, ", e);
        (void) unlink(path);
        e = call_errno(syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0755), true);
        printf("\"creat_plain\": %d, ", e);
        printf("\"chmod_sgid\": %d, ", call_errno(syscall(SYS_fchmodat, AT_FDCWD, path, 02755), false));
        printf("\"chmod_plain\": %d", call_errno(syscall(SYS_fchmodat, AT_FDCWD, path, 0700), false));
        (void) unlink(path);
}

/* Memory writable and executable at once, or made executable later; and
 * executable alone. */
static void probe_write_execute(void) {
        void *m;
        int e;

        m = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        e = m == MAP_FAILED ? errno : 0;
        if (m != MAP_FAILED)
                munmap(m, 4096);
        printf(", \"mmap_wx\": %d", e);
        m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        e = m == MAP_FAILED ? errno : 0;
        if (m != MAP_FAILED)
                munmap(m, 4096);
        printf(", \"mmap_rx\": %d", e);
        m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
                printf(", \"mprotect_x\": -1");
                return;
        }
        printf(", \"mprotect_x\": %d", call_errno(mprotect(m, 4096, PROT_READ | PROT_EXEC), false));
        munmap(m, 4096);
}

/* What the Protect*= keys take: the hostname (with CAP_SYS_ADMIN, which
 * the unit gives), reading the clock's state through adjtimex(), the kernel
 * log's size (syslog(2)), the kernel's symbols (1: /proc/kallsyms empty). */
static void probe_protect(void) {
        struct timex tx = {};
        char buf[64];
        ssize_t n = -1;
        int fd;

        printf(", \"sethostname\": %d", call_errno(sethostname("probe", 5), false));
        printf(", \"adjtimex\": %d", call_errno(adjtimex(&tx), false));
        printf(", \"syslog\": %d", call_errno(klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), false));
        fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                n = read(fd, buf, sizeof buf);
                close(fd);
        }
        printf(", \"kallsyms_empty\": %d", n == 0);
}

/* An io_uring ring, whose queue opens files and makes sockets past the
 * filter. */
static void probe_io_uring(void) {
        struct io_uring_params params = {};

        printf(", \"io_uring\": %d", call_errno(syscall(SYS_io_uring_setup, 1, &params), true));
}

int probe_restrict(void) {
        /* Each in a child: a namespace made would change what the next sees. */
        /* In a user namespace of its own, which needs no privilege, so that
         * only the filter may refuse them. */
        static const struct {
                const char *name;
                int flags;
        } kinds[] = {
                { "user", CLONE_NEWUSER },
                { "user_mnt", CLONE_NEWUSER | CLONE_NEWNS },
                { "user_net", CLONE_NEWUSER | CLONE_NEWNET },
        };
        int e;

        printf("{");
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
                int fds[2];
                pid_t pid;

                if (pipe(fds) < 0)
                        return 1;
                pid = fork();
                if (pid == 0) {
                        e = call_errno(syscall(SYS_unshare, kinds[i].flags), false);
                        (void) !write(fds[1], &e, sizeof e);
                        _exit(0);
                }
                close(fds[1]);
                if (pid < 0 || read(fds[0], &e, sizeof e) != sizeof e)
                        e = -1;
                close(fds[0]);
                if (pid > 0)
                        (void) waitpid(pid, NULL, 0);
                printf("\"unshare_%s\": %d, ", kinds[i].name, e);
        }
        printf("\"setns_0\": %d, ", call_errno(syscall(SYS_setns, -1, 0), false));
        printf("\"socket_unix\": %d, ", call_errno(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), true));
        printf("\"socket_inet\": %d, ", call_errno(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), true));
        printf("\"socket_packet\": %d, ", call_errno(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0), true));
        printf("\"socket_netlink\": %d, ", call_errno(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, 0), true));
        e = call_errno(syscall(SYS_personality, PER_LINUX32), false);
        (void) syscall(SYS_personality, PER_LINUX);
        printf("\"personality_linux32\": %d, ", e);
        /* Real-time and not (the unit gives CAP_SYS_NICE for the first). */
        e = call_errno(sched_setscheduler(0, SCHED_FIFO, &(struct sched_param) { .sched_priority = 1 }), false);
        (void) sched_setscheduler(0, SCHED_OTHER, &(struct sched_param) {});
        printf("\"sched_fifo\": %d, ", e);
        e = call_errno(sched_setscheduler(0, SCHED_BATCH, &(struct sched_param) {}), false);
        (void) sched_setscheduler(0, SCHED_OTHER, &(struct sched_param) {});
        printf("\"sched_batch\": %d, ", e);
        probe_suid_sgid();
        probe_write_execute();
        probe_protect();
        probe_io_uring();
        printf("}\n");
        return 0;
}

int probe_int80(int argc, char **argv) {
#if defined(__x86_64__) && !defined(__ILP32__)
        /* The call's number (i386's getpid, 20, by default) and up to five
         * integer arguments, in eax and ebx, ecx, edx, esi, edi. */
        long a[6] = { 20 };
        long ret;

        for (int i = 0; i < argc && i < 6; i++)
                a[i] = strtol(argv[i], NULL, 0);
        printf("{\"int80\": ");
        fflush(stdout);
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "a"(a[0]), "b"(a[1]), "c"(a[2]), "d"(a[3]), "S"(a[4]), "D"(a[5])
                         : "memory");
        printf("%ld}\n", ret);
        return 0;
#else
        printf("{\"int80\": null}\n");
        return 2;
#endif
}

static int write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;

        if (fd < 0)
                return errno;
        if (write(fd, text, strlen(text)) < 0)
                e = errno;
        close(fd);
        return e;
}

int probe_cgroupns(const char *controller, const char *file, const char *value) {
        static const char dir[] = "/run/probe-cgroupns";
        int un, mnt = -1, wr = -1;
        uid_t uid = geteuid();
        gid_t gid = getegid();
        char map[64], path[256];

        (void) mkdir(dir, 0755);
        un = call_errno(syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP), false);
        if (un == 0) {
                (void) write_file("/proc/self/setgroups", "deny");
                snprintf(map, sizeof map, "0 %u 1", (unsigned) uid);
                (void) write_file("/proc/self/uid_map", map);
                snprintf(map, sizeof map, "0 %u 1", (unsigned) gid);
                (void) write_file("/proc/self/gid_map", map);
                mnt = mount("cgroup", dir, "cgroup", 0, controller) < 0 ? errno : 0;
                if (mnt == 0) {
                        snprintf(path, sizeof path, "%s/%s", dir, file);
                        wr = write_file(path, value);
                }
        }
        printf("{\"unshare\": %d, \"mount\": %d, \"write\": %d}\n", un, mnt, wr);
        return 0;
}
