/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe: a static program run as the payload of a test container. It
 * reports, as one JSON object on stdout, what the container looks like from
 * inside, so the tests can compare every field with the plan (the idea of
 * the OCI runtime-tools validation). Optional arguments make it do things:
 *
 *   probe                    the report
 *   probe exit N             exit with status N
 *   probe kill SIG           die of signal SIG
 *   probe sleep SECONDS      sleep, then exit 0
 *   probe trap               print "signal N" per signal received; exit 64+N
 *                            on TERM, INT, HUP, RTMIN+3; USR1/USR2/WINCH/RTMIN+4 go on
 *   probe ignore             ignore SIGTERM and sleep forever
 *   probe write PATH         try to create and write PATH: {"write": errno}
 *   probe exe                try to open /proc/1/exe and /proc/PPID/exe for writing
 *   probe tiocsti            try TIOCSTI on stdin and opening /dev/tty
 *   probe orphans N          make N orphans, wait, count zombies in /proc
 *   probe chroot-escape PATH the double-chroot escape, then stat PATH
 *   probe exchange A B       swap A and B (renameat2 RENAME_EXCHANGE) forever
 *   probe exe-watch PID BIN  until PID exits: open /proc/C/exe of PID's
 *                            children and grandchildren, count denials and
 *                            opens that give BIN (by dev/inode) or another file
 *   probe ptrace PID         PTRACE_ATTACH to PID: {"ptrace": errno}
 *   probe restrict           errnos of unshare(), socket(), personality() (probe-restrict.h)
 *   probe int80 [NR [ARG...]] getpid() (or call NR with up to five integer
 *                            ARGs) through the i386 entry point
 *   probe clocks             the clocks a time namespace moves, in ns, one a line
 *   probe caps FILE          what a few capabilities allow: errno of a raw
 *                            socket, mknod c 1 3, chroot, chown FILE to 1000
 *
 * Built -static with no library but libc: it runs in a root that holds
 * nothing else. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/sysmacros.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe-restrict.h"
#include "probe-sched.h"
#include "probe-state.h"

extern char **environ;

static bool first = true;

static void sep(void) {
        if (!first)
                fputs(",\n", stdout);
        first = false;
}

static void json_string(const char *s) {
        putchar('"');
        for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
                if (*p == '"' || *p == '\\')
                        printf("\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", stdout);
                else if (*p == '\t')
                        fputs("\\t", stdout);
                else if (*p < 0x20 || *p >= 0x7f)
                        printf("\\u%04x", *p);
                else
                        putchar(*p);
        }
        putchar('"');
}

static void key(const char *k) {
        sep();
        printf("  ");
        json_string(k);
        fputs(": ", stdout);
}

static void field_string(const char *k, const char *v) {
        key(k);
        if (v)
                json_string(v);
        else
                fputs("null", stdout);
}

static void field_int(const char *k, long long v) {
        key(k);
        printf("%lld", v);
}

/* A whole small file, trailing newline removed; NULL on error. */
static char *read_file(const char *path) {
        static char buf[65536];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n, total = 0;

        if (fd < 0)
                return NULL;
        while ((n = read(fd, buf + total, sizeof buf - 1 - (size_t) total)) > 0)
                total += n;
        close(fd);
        if (n < 0)
                return NULL;
        buf[total] = 0;
        while (total > 0 && buf[total - 1] == '\n')
                buf[--total] = 0;
        return strdup(buf);
}

/* The value of "Key:" in /proc/self/status. */
static char *status_field(const char *name) {
        char *s = read_file("/proc/self/status"), *r = NULL;
        size_t l = strlen(name);

        for (char *line = s ? strtok(s, "\n") : NULL; line; line = strtok(NULL, "\n"))
                if (strncmp(line, name, l) == 0 && line[l] == ':') {
                        char *v = line + l + 1;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        r = strdup(v);
                        break;
                }
        free(s);
        return r;
}

static void report_status_fields(void) {
        static const char *const names[] = {
                "CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb", "NoNewPrivs", "Seccomp", "Umask", "SigIgn",
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                char *v = status_field(names[i]);
                field_string(names[i], v);
                free(v);
        }
}

/* mountinfo: for each mount point, the last (top-most) entry. */
static void report_mounts(void) {
        static const char *const points[] = { "/", "/proc", "/sys", "/dev", "/dev/pts", "/dev/shm",
                                              "/dev/mqueue", "/sys/fs/cgroup", "/run", "/tmp" };
        char *mi = read_file("/proc/self/mountinfo");

        key("mounts");
        fputs("{", stdout);
        for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
                char found[4][1024] = {};
                bool have = false;
                char *copy = mi ? strdup(mi) : NULL, *save = NULL;

                for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
                        char mp[1024], opts[1024], fstype[256], src[1024], superopts[1024];
                        char *dash = strstr(line, " - ");
                        if (!dash)
                                continue;
                        if (sscanf(line, "%*d %*d %*s %*s %1023s %1023s", mp, opts) != 2)
                                continue;
                        if (sscanf(dash + 3, "%255s %1023s %1023s", fstype, src, superopts) != 3)
                                continue;
                        if (strcmp(mp, points[i]) != 0)
                                continue;
                        have = true;
                        snprintf(found[0], sizeof found[0], "%s", fstype);
                        snprintf(found[1], sizeof found[1], "%s", opts);
                        snprintf(found[2], sizeof found[2], "%s", superopts);
                        snprintf(found[3], sizeof found[3], "%s", src);
                }
                free(copy);
                printf("%s\n    ", i ? "," : "");
                json_string(points[i]);
                if (!have) {
                        fputs(": null", stdout);
                        continue;
                }
                fputs(": {\"fstype\": ", stdout);
                json_string(found[0]);
                fputs(", \"options\": ", stdout);
                json_string(found[1]);
                fputs(", \"super\": ", stdout);
                json_string(found[2]);
                fputs(", \"source\": ", stdout);
                json_string(found[3]);
                fputs("}", stdout);
        }
        fputs("}", stdout);
        free(mi);
}

/* Masked paths: how much of each can be read (0 bytes / 0 entries when
 * masked), or the errno of trying. */
static void report_masked(void) {
        static const char *const paths[] = { "/proc/kallsyms", "/proc/kcore", "/proc/keys", "/proc/timer_list",
                                             "/proc/sched_debug", "/proc/acpi", "/proc/scsi",
                                             "/sys/firmware" };
        key("masked");
        fputs("{", stdout);
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
                struct stat st;
                long long amount = -1;
                int err = 0;

                if (stat(paths[i], &st) < 0)
                        err = errno;
                else if (S_ISDIR(st.st_mode)) {
                        DIR *d = opendir(paths[i]);
                        if (!d)
                                err = errno;
                        else {
                                struct dirent *de;
                                amount = 0;
                                while ((de = readdir(d)))
                                        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                                                amount++;
                                closedir(d);
                        }
                } else {
                        char buf[64];
                        int fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                        if (fd < 0)
                                err = errno;
                        else {
                                ssize_t n = read(fd, buf, sizeof buf);
                                if (n < 0)
                                        err = errno;
                                else
                                        amount = n;
                                close(fd);
                        }
                }
                printf("%s\n    ", i ? "," : "");
                json_string(paths[i]);
                printf(": {\"read\": %lld, \"errno\": %d}", amount, err);
        }
        fputs("}", stdout);
}

static void report_interfaces(void) {
        struct if_nameindex *ifs = if_nameindex();
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        key("interfaces");
        fputs("{", stdout);
        for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
                struct ifreq ifr = {};
                snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", i->if_name);
                long flags = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) >= 0 ? ifr.ifr_flags : -1;
                printf("%s", i == ifs ? "" : ", ");
                json_string(i->if_name);
                printf(": {\"up\": %s, \"flags\": %ld}", flags >= 0 && (flags & IFF_UP) ? "true" : "false", flags);
        }
        fputs("}", stdout);
        if (ifs)
                if_freenameindex(ifs);
        if (s >= 0)
                close(s);
}

static void report_rlimits(void) {
        static const struct { const char *name; int r; } limits[] = {
                { "CPU", RLIMIT_CPU }, { "FSIZE", RLIMIT_FSIZE }, { "DATA", RLIMIT_DATA },
                { "STACK", RLIMIT_STACK }, { "CORE", RLIMIT_CORE }, { "RSS", RLIMIT_RSS },
                { "NPROC", RLIMIT_NPROC }, { "NOFILE", RLIMIT_NOFILE }, { "MEMLOCK", RLIMIT_MEMLOCK },
                { "AS", RLIMIT_AS }, { "LOCKS", RLIMIT_LOCKS }, { "SIGPENDING", RLIMIT_SIGPENDING },
                { "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE }, { "RTPRIO", RLIMIT_RTPRIO },
                { "RTTIME", RLIMIT_RTTIME },
        };
        key("rlimits");
        fputs("{", stdout);
        for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
                struct rlimit rl;
                if (getrlimit((__rlimit_resource_t) limits[i].r, &rl) < 0)
                        continue;
                printf("%s", i ? ", " : "");
                json_string(limits[i].name);
                /* -1 is infinity */
                printf(": [%lld, %lld]",
                       rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long) rl.rlim_cur,
                       rl.rlim_max == RLIM_INFINITY ? -1LL : (long long) rl.rlim_max);
        }
        fputs("}", stdout);
}

static void report_ids(void) {
        gid_t groups[256];
        int n = getgroups(256, groups);

        field_int("uid", getuid());
        field_int("euid", geteuid());
        field_int("gid", getgid());
        field_int("egid", getegid());
        key("groups");
        fputs("[", stdout);
        for (int i = 0; i < n; i++)
                printf("%s%u", i ? ", " : "", (unsigned) groups[i]);
        fputs("]", stdout);
}

static void report_environment(void) {
        key("environment");
        fputs("[", stdout);
        for (char **e = environ; e && *e; e++) {
                printf("%s", e == environ ? "" : ", ");
                json_string(*e);
        }
        fputs("]", stdout);
}

static void report_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        bool any = false;

        key("fds");
        fputs("{", stdout);
        while (d && (de = readdir(d))) {
                char path[300], target[1024];
                ssize_t n;

                if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
                        continue;
                snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
                n = readlink(path, target, sizeof target - 1);
                if (n < 0)
                        continue;
                target[n] = 0;
                printf("%s", any ? ", " : "");
                json_string(de->d_name);
                fputs(": ", stdout);
                json_string(target);
                any = true;
        }
        fputs("}", stdout);
        if (d)
                closedir(d);
}

/* Syscalls the default filter denies: the errno each one gives. */
static void report_denied(void) {
        long r;

        key("denied");
        errno = 0;
        r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
        printf("{\"keyctl\": %d", r < 0 ? errno : 0);
        errno = 0;
        r = syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0);
        printf(", \"bpf\": %d", r < 0 ? errno : 0);
        errno = 0;
        r = syscall(SYS_add_key, "user", "probe", "x", 1, -3);
        printf(", \"add_key\": %d}", r < 0 ? errno : 0);
}

/* SuppressSync=: what fsync() of a pipe gives (EINVAL: nothing to sync
 * there, unless the call does nothing at all), an open() with O_SYNC, and
 * openat2(): the errno of each, 0 for success. */
static void report_sync(void) {
        struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC };
        int p[2], fd, r;

        key("sync");
        if (pipe2(p, O_CLOEXEC) < 0) {
                printf("null");
                return;
        }
        errno = 0;
        r = fsync(p[1]);
        printf("{\"fsync\": %d", r < 0 ? errno : 0);
        close(p[0]);
        close(p[1]);
        errno = 0;
        fd = open("/dev/null", O_WRONLY | O_SYNC | O_CLOEXEC);
        printf(", \"open_sync\": %d", fd < 0 ? errno : 0);
        if (fd >= 0)
                close(fd);
        /* open() itself (libc calls openat()), and __O_SYNC alone, which the
         * kernel takes for O_SYNC. */
        errno = 0;
        fd = (int) syscall(SYS_open, "/dev/null", O_WRONLY | O_SYNC | O_CLOEXEC);
        printf(", \"sys_open_sync\": %d", fd < 0 ? errno : 0);
        if (fd >= 0)
                close(fd);
        errno = 0;
        fd = (int) syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY | (O_SYNC & ~O_DSYNC) | O_CLOEXEC);
        printf(", \"open_o_sync_bit\": %d", fd < 0 ? errno : 0);
        if (fd >= 0)
                close(fd);
        errno = 0;
        fd = (int) syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
        printf(", \"openat2\": %d}", fd < 0 ? errno : 0);
        if (fd >= 0)
                close(fd);
}

static int report(void) {
        char host[256] = "";
        char cwd[4096];
        char *s;

        printf("{\n");
        field_int("pid", getpid());
        field_int("ppid", getppid());
        (void) gethostname(host, sizeof host);
        field_string("hostname", host);
        s = read_file("/proc/self/uid_map");
        field_string("uid_map", s);
        free(s);
        s = read_file("/proc/self/gid_map");
        field_string("gid_map", s);
        free(s);
        report_status_fields();
        report_mounts();
        report_masked();
        report_interfaces();
        report_rlimits();
        field_string("cwd", getcwd(cwd, sizeof cwd) ? cwd : NULL);
        report_ids();
        report_environment();
        report_fds();
        report_denied();
        report_sync();
        key("sched");
        probe_sched_json();
        key("state");
        probe_state_json();
        s = read_file("/proc/self/cgroup");
        field_string("cgroup", s);
        free(s);
        s = read_file("/proc/uptime");
        key("uptime");
        printf("%s", s ? strtok(s, " ") : "null");
        free(s);
        printf("\n}\n");
        return fflush(stdout) == 0 ? 0 : 1;
}

static void on_signal(int sig) {
        char line[32];
        int n = snprintf(line, sizeof line, "signal %d\n", sig);

        (void) !write(STDOUT_FILENO, line, (size_t) n);
        if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGRTMIN + 3)
                _exit(64 + sig);
}

static int trap_signals(void) {
        /* RTMIN+4 goes on too: real-time signals queue, so two sent are two lines. */
        int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGRTMIN + 3, SIGRTMIN + 4 };
        struct sigaction sa = { .sa_handler = on_signal };

        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
                sigaction(sigs[i], &sa, NULL);
        printf("trapping\n");
        fflush(stdout);
        for (;;)
                pause();
        return 0;
}

static int try_exe(void) {
        char path[64];
        pid_t targets[2] = { 1, getppid() };

        printf("{");
        for (int i = 0; i < 2; i++) {
                int fd, err_w, err_r;

                snprintf(path, sizeof path, "/proc/%d/exe", (int) targets[i]);
                fd = open(path, O_WRONLY | O_CLOEXEC);
                err_w = fd < 0 ? errno : 0;
                if (fd >= 0)
                        close(fd);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                err_r = fd < 0 ? errno : 0;
                if (fd >= 0)
                        close(fd);
                char link[4096] = "";
                ssize_t n = readlink(path, link, sizeof link - 1);
                if (n > 0)
                        link[n] = 0;
                printf("%s\"%s\": {\"write\": %d, \"read\": %d, \"link\": ", i ? ", " : "", path, err_w, err_r);
                if (n > 0)
                        json_string(link);
                else
                        fputs("null", stdout);
                printf("}");
        }
        printf("}\n");
        return 0;
}

/* Pushing a character into the terminal's input: only possible with the
 * terminal as controlling tty (or CAP_SYS_ADMIN). */
static int try_tiocsti(void) {
        char c = '#';
        int r = ioctl(STDIN_FILENO, TIOCSTI, &c);
        int err = r < 0 ? errno : 0;
        int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        int tty_err = fd < 0 ? errno : 0;

        if (fd >= 0)
                close(fd);
        printf("{\"isatty\": %d, \"tiocsti\": %d, \"dev_tty\": %d}\n", isatty(STDIN_FILENO), err, tty_err);
        return 0;
}

static int count_zombies(void) {
        DIR *d = opendir("/proc");
        struct dirent *de;
        int zombies = 0;

        while (d && (de = readdir(d))) {
                char path[300], *s;
                if (atoi(de->d_name) <= 0)
                        continue;
                snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
                s = read_file(path);
                if (s) {
                        char *p = strrchr(s, ')');
                        if (p && p[1] == ' ' && p[2] == 'Z')
                                zombies++;
                        free(s);
                }
        }
        if (d)
                closedir(d);
        return zombies;
}

static int make_orphans(int n) {
        for (int i = 0; i < n; i++) {
                pid_t pid = fork();
                if (pid == 0) {
                        /* The grandchild outlives its parent: an orphan for PID 1. */
                        if (fork() == 0) {
                                usleep(50 * 1000);
                                _exit(0);
                        }
                        _exit(0);
                }
                if (pid > 0)
                        waitpid(pid, NULL, 0);
        }
        usleep(500 * 1000);
        printf("{\"pid\": %d, \"zombies\": %d}\n", (int) getpid(), count_zombies());
        return 0;
}

static int chroot_escape(const char *marker) {
        struct stat st;
        int r;

        /* The classic: chroot into a subdirectory while keeping the cwd
         * outside it, walk up with "..", chroot there. */
        (void) mkdir("/tmp/escape", 0755);
        r = chroot("/tmp/escape");
        printf("{\"chroot\": %d", r < 0 ? errno : 0);
        for (int i = 0; i < 64; i++)
                (void) !chdir("..");
        r = chroot(".");
        printf(", \"chroot2\": %d", r < 0 ? errno : 0);
        r = stat(marker, &st);
        printf(", \"marker\": %d}\n", r < 0 ? errno : 0);
        return 0;
}

/* The CVE-2021-30465 helper: a path flipping between two things. */
static int exchange_forever(const char *a, const char *b) {
        for (;;)
                if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */) < 0 &&
                    errno != ENOENT)
                        return 1;
}

/* The children of PID (its main thread's), up to max. */
static int children_of(pid_t pid, pid_t *out, int max) {
        char path[64], *s, *save = NULL;
        int n = 0;

        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int) pid, (int) pid);
        s = read_file(path);
        for (char *t = s ? strtok_r(s, " ", &save) : NULL; t && n < max; t = strtok_r(NULL, " ", &save))
                out[n++] = (pid_t) atoi(t);
        free(s);
        return n;
}

/* CVE-2019-5736 from outside: what the exploit needs is any handle on the
 * binary behind /proc/C/exe while C is cell's code. Polls all the time
 * from the moment C appears to PID's exit. */
static int exe_watch(pid_t pid, const char *bin) {
        long long denied = 0, cell = 0, other = 0, rounds = 0;
        struct stat want;

        if (stat(bin, &want) < 0)
                return 2;
        while (kill(pid, 0) == 0) {
                pid_t kids[16];
                int n = children_of(pid, kids, 8);

                for (int i = 0, m = n; i < m; i++)
                        n += children_of(kids[i], kids + n, 16 - n);
                for (int i = 0; i < n; i++) {
                        char path[64];
                        struct stat st;
                        int fd;

                        snprintf(path, sizeof path, "/proc/%d/exe", (int) kids[i]);
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0) {
                                if (errno == EACCES || errno == EPERM)
                                        denied++;
                                continue;
                        }
                        if (fstat(fd, &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino)
                                cell++;
                        else
                                other++;
                        close(fd);
                }
                rounds++;
        }
        printf("{\"rounds\": %lld, \"denied\": %lld, \"cell\": %lld, \"other\": %lld}\n", rounds, denied, cell, other);
        return 0;
}

static int try_ptrace(pid_t pid) {
        long r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
        int err = r < 0 ? errno : 0;

        if (r == 0)
                (void) ptrace(PTRACE_DETACH, pid, NULL, NULL);
        printf("{\"ptrace\": %d}\n", err);
        return 0;
}

static int try_caps(const char *file) {
        int s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, 1 /* ICMP */);
        int e_raw = s < 0 ? errno : 0;
        int e_mknod, e_chroot, e_chown;

        if (s >= 0)
                close(s);
        (void) unlink("/tmp/probe-null");
        e_mknod = mknod("/tmp/probe-null", S_IFCHR | 0600, makedev(1, 3)) < 0 ? errno : 0;
        (void) unlink("/tmp/probe-null");
        e_chroot = chroot("/") < 0 ? errno : 0;
        e_chown = chown(file, 1000, 1000) < 0 ? errno : 0;
        printf("{\"net_raw\": %d, \"mknod\": %d, \"chroot\": %d, \"chown\": %d}\n", e_raw, e_mknod, e_chroot, e_chown);
        return 0;
}

/* reboot(2) as a container's init calls it, after delay seconds; only returns (with its errno)
 * when the call was refused: in a PID namespace the kernel ends the
 * namespace's init for a restart, a halt or a power-off. */
static int try_reboot(const char *how, unsigned delay) {
        int cmd = !strcmp(how, "restart") ? RB_AUTOBOOT :
                !strcmp(how, "poweroff") ? RB_POWER_OFF :
                !strcmp(how, "halt") ? RB_HALT_SYSTEM :
                !strcmp(how, "cad-on") ? RB_ENABLE_CAD : RB_DISABLE_CAD;

        sleep(delay);
        printf("{\n  \"reboot\": %d\n}\n", reboot(cmd) < 0 ? errno : 0);
        return 3;
}

/* The monotonic clocks first, the boot clock last: it is never behind them. */
static int print_clocks(void) {
        static const struct {
                clockid_t id;
                const char *name;
        } clocks[] = {
                { CLOCK_MONOTONIC, "monotonic" }, { CLOCK_MONOTONIC_RAW, "monotonic_raw" },
                { CLOCK_MONOTONIC_COARSE, "monotonic_coarse" }, { CLOCK_BOOTTIME, "boottime" },
        };
        struct timespec t[4];

        for (size_t i = 0; i < 4; i++)
                if (clock_gettime(clocks[i].id, &t[i]) < 0)
                        return 1;
        for (size_t i = 0; i < 4; i++)
                printf("%s %lld\n", clocks[i].name, (long long) t[i].tv_sec * 1000000000LL + t[i].tv_nsec);
        return 0;
}

int main(int argc, char *argv[]) {
        const char *cmd = argc > 1 ? argv[1] : NULL;

        if (!cmd)
                return report();
        if (!strcmp(cmd, "exit") && argc > 2)
                return atoi(argv[2]);
        if (!strcmp(cmd, "kill") && argc > 2) {
                signal(atoi(argv[2]), SIG_DFL);
                kill(getpid(), atoi(argv[2]));
                /* PID 1 ignores even its own default-action signals: die by
                 * the kernel's hand instead. */
                if (atoi(argv[2]) == SIGSEGV) {
                        volatile int *nowhere = (volatile int *) (uintptr_t) strtoul(argv[2] + strlen(argv[2]), NULL, 10);
                        *nowhere = 0;
                }
                return 99;
        }
        if (!strcmp(cmd, "sleep") && argc > 2) {
                sleep((unsigned) atoi(argv[2]));
                return 0;
        }
        if (!strcmp(cmd, "trap"))
                return trap_signals();
        if (!strcmp(cmd, "ignore")) {
                signal(SIGTERM, SIG_IGN);
                printf("ignoring\n");
                fflush(stdout);
                for (;;)
                        pause();
                return 0;
        }
        if (!strcmp(cmd, "write") && argc > 2) {
                int fd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                int err = fd < 0 ? errno : (write(fd, "x", 1) < 0 ? errno : 0);
                if (fd >= 0)
                        close(fd);
                printf("{\"write\": %d}\n", err);
                return 0;
        }
        if (!strcmp(cmd, "tiocsti"))
                return try_tiocsti();
        if (!strcmp(cmd, "exe"))
                return try_exe();
        if (!strcmp(cmd, "orphans") && argc > 2)
                return make_orphans(atoi(argv[2]));
        if (!strcmp(cmd, "chroot-escape") && argc > 2)
                return chroot_escape(argv[2]);
        if (!strcmp(cmd, "exchange") && argc > 3)
                return exchange_forever(argv[2], argv[3]);
        if (!strcmp(cmd, "exe-watch") && argc > 3)
                return exe_watch((pid_t) atoi(argv[2]), argv[3]);
        if (!strcmp(cmd, "ptrace") && argc > 2)
                return try_ptrace((pid_t) atoi(argv[2]));
        if (!strcmp(cmd, "caps") && argc > 2)
                return try_caps(argv[2]);
        if (!strcmp(cmd, "reboot") && argc > 2)
                return try_reboot(argv[2], argc > 3 ? (unsigned) atoi(argv[3]) : 0);
        if (!strcmp(cmd, "restrict"))
                return probe_restrict();
        if (!strcmp(cmd, "cgroupns") && argc > 4)
                return probe_cgroupns(argv[2], argv[3], argv[4]);
        if (!strcmp(cmd, "int80"))
                return probe_int80(argc - 2, argv + 2);
        if (!strcmp(cmd, "clocks"))
                return print_clocks();
        fprintf(stderr, "probe: unknown command %s\n", cmd);
        return 2;
}
