/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* storm [-n N] [-t TIMEOUT_S] [-k KILL_AFTER_S] [-m [-w WAIT_S]] SOCKET CMD...: starts N launchers at once
 * and prints the wall time, in nanoseconds, from the first spawn until every
 * one of them has said READY=1 on $NOTIFY_SOCKET (SOCKET, bound here), as
 * systemd would see it for N Type=notify services. "{}" in an argument
 * becomes the launcher's index. A launcher counts once, by the PID the
 * kernel stamps on its datagram (SCM_CREDENTIALS): cell and crun send
 * READY=1 themselves, after their payload sent it to them.
 *
 * -m: then print each launcher's memory in KiB (the supervising process,
 * plus its children of the same name: bwrap's PID-1 helper): "rss" (VmRSS,
 * mostly the shared libraries' file pages), "pss" (Pss of smaps_rollup: each
 * shared page divided among its users) and "anon" (RssAnon: its own heap,
 * stacks and written data), each with a "ready-" prefix as soon as all are
 * ready and, with -w, again without the prefix WAIT_S seconds later (the
 * steady state: cell has handed over to cell-monitor after a second).
 * -c PID (up to 4 times): then "cpu PID NS", the CPU time PID spent from just
 * before the first spawn until the last READY=1 (/proc/PID/schedstat), for
 * the daemons every start goes through: PID 1 and dbus-daemon.
 * Afterwards every launcher gets SIGTERM and, KILL_AFTER_S (10) later,
 * SIGKILL; storm waits for all of them. Exit 0 when all N were ready, 1 otherwise. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX 512
#define MAX_CPU 4
extern char **environ;

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Time on a CPU, in ns, of the task PID (its first field of schedstat), or -1. */
static long long cpu_ns(pid_t pid) {
        char path[64];
        long long v = -1;
        snprintf(path, sizeof path, "/proc/%d/schedstat", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        if (fscanf(f, "%lld", &v) != 1)
                v = -1;
        fclose(f);
        return v;
}

static long status_kb(pid_t pid, const char *file, const char *key, char *comm, size_t commsz) {
        char path[64], line[256];
        long v = -1;
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, file);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof line, f)) {
                if (comm && strncmp(line, "Name:\t", 6) == 0)
                        snprintf(comm, commsz, "%.*s", (int) strcspn(line + 6, "\n"), line + 6);
                if (strncmp(line, key, strlen(key)) == 0)
                        v = atol(line + strlen(key));
        }
        fclose(f);
        return v;
}

/* KEY of FILE (status, smaps_rollup) of pid plus that of its children that run the same program. */
static long launcher_mem(pid_t pid, const char *file, const char *key) {
        char comm[64] = "", ccomm[64], path[96], buf[4096];
        (void) status_kb(pid, "status", "Name:", comm, sizeof comm);
        long rss = status_kb(pid, file, key, NULL, 0);
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int) pid, (int) pid);
        FILE *f = fopen(path, "re");
        if (f && fgets(buf, sizeof buf, f))
                for (char *s = strtok(buf, " \n"); s; s = strtok(NULL, " \n")) {
                        long c = status_kb(atoi(s), file, key, NULL, 0);
                        (void) status_kb(atoi(s), "status", "Name:", ccomm, sizeof ccomm);
                        if (c > 0 && strcmp(ccomm, comm) == 0)
                                rss += c;
                }
        if (f)
                fclose(f);
        return rss;
}

static void print_mem(const pid_t *pids, const bool *exited, int n, const char *prefix) {
        for (int i = 0; i < n; i++)
                if (!exited[i])
                        printf("%srss %ld\n%spss %ld\n%sanon %ld\n",
                               prefix, launcher_mem(pids[i], "status", "VmRSS:"),
                               prefix, launcher_mem(pids[i], "smaps_rollup", "Pss:"),
                               prefix, launcher_mem(pids[i], "status", "RssAnon:"));
}

int main(int argc, char *argv[]) {
        int n = 50, timeout = 60, kill_after = 10, opt, fd, one = 1, ready = 0, failed = 0;
        bool mem = false;
        int wait_s = 0, ncpu = 0;
        pid_t cpu_pid[MAX_CPU];
        long long cpu0[MAX_CPU], cpu1[MAX_CPU];
        pid_t pids[MAX] = {};
        bool done[MAX] = {}, exited[MAX] = {};
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        while ((opt = getopt(argc, argv, "+n:t:k:mw:c:")) > 0)
                switch (opt) {
                case 'n': n = atoi(optarg); break;
                case 't': timeout = atoi(optarg); break;
                case 'k': kill_after = atoi(optarg); break;
                case 'm': mem = true; break;
                case 'w': wait_s = atoi(optarg); break;
                case 'c':
                        if (ncpu == MAX_CPU || atoi(optarg) <= 0)
                                return fprintf(stderr, "storm: -c takes up to %d PIDs\n", MAX_CPU), 2;
                        cpu_pid[ncpu++] = atoi(optarg);
                        break;
                default: return 2;
                }
        if (argc - optind < 2 || n < 1 || n > MAX)
                return fprintf(stderr, "usage: storm [-n N] [-t S] [-k S] [-m [-w S]] [-c PID]... SOCKET CMD...\n"), 2;
        const char *sock = argv[optind];
        char **cmd = argv + optind + 1;
        int cmdc = argc - optind - 1;

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
        unlink(sock);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
                return perror("storm: socket"), 2;
        chmod(sock, 0666);
        setenv("NOTIFY_SOCKET", sock, 1);

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);

        for (int i = 0; i < ncpu; i++)
                cpu0[i] = cpu_ns(cpu_pid[i]);
        long long t0 = now_ns(), t_ready = 0;
        for (int i = 0; i < n; i++) {
                char *a[cmdc + 1], bufs[cmdc][512];
                for (int j = 0; j < cmdc; j++) {
                        char *p = strstr(cmd[j], "{}");
                        a[j] = cmd[j];
                        if (p) {
                                snprintf(bufs[j], sizeof bufs[j], "%.*s%d%s", (int) (p - cmd[j]), cmd[j], i, p + 2);
                                a[j] = bufs[j];
                        }
                }
                a[cmdc] = NULL;
                if (posix_spawn(&pids[i], a[0], &fa, NULL, a, environ) != 0)
                        return perror("storm: spawn"), 2;
        }

        while (ready + failed < n) {
                long long left = t0 + timeout * 1000000000LL - now_ns();
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (left <= 0)
                        break;
                int r = poll(&p, 1, 50);
                if (r > 0) {
                        char buf[4096], ctl[CMSG_SPACE(sizeof(struct ucred))];
                        struct iovec iov = { buf, sizeof buf - 1 };
                        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
                        ssize_t k = recvmsg(fd, &mh, MSG_DONTWAIT);
                        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                        if (k <= 0 || !c || c->cmsg_type != SCM_CREDENTIALS)
                                continue;
                        buf[k] = 0;
                        struct ucred u;
                        memcpy(&u, CMSG_DATA(c), sizeof u);
                        if (!strstr(buf, "READY=1"))
                                continue;
                        /* The launcher itself, or (bwrap) a process below it. */
                        for (int i = 0; i < n; i++)
                                if (!done[i] && (pids[i] == u.pid || n == 1)) {
                                        done[i] = true;
                                        ready++;
                                        break;
                                }
                        if (ready == n) {
                                t_ready = now_ns();
                                for (int i = 0; i < ncpu; i++)
                                        cpu1[i] = cpu_ns(cpu_pid[i]);
                        }
                }
                for (int i = 0; i < n; i++) {
                        int st;
                        if (!exited[i] && waitpid(pids[i], &st, WNOHANG) == pids[i]) {
                                exited[i] = true;
                                if (!done[i]) {
                                        failed++;
                                        fprintf(stderr, "storm: launcher %d exited before READY=1 (status 0x%x)\n", i, st);
                                }
                        }
                }
        }

        if (ready == n) {
                printf("%lld\n", t_ready - t0);
                for (int i = 0; i < ncpu; i++)
                        if (cpu0[i] >= 0 && cpu1[i] >= 0)
                                printf("cpu %d %lld\n", (int) cpu_pid[i], cpu1[i] - cpu0[i]);
        } else
                fprintf(stderr, "storm: %d of %d ready, %d failed\n", ready, n, failed);
        if (mem)
                print_mem(pids, exited, n, "ready-");
        if (mem && wait_s > 0) {
                sleep((unsigned) wait_s);
                print_mem(pids, exited, n, "");
        }
        fflush(stdout);

        for (int i = 0; i < n; i++)
                if (!exited[i])
                        kill(pids[i], SIGTERM);
        long long deadline = now_ns() + kill_after * 1000000000LL;
        for (int left = 1; left; ) {
                left = 0;
                for (int i = 0; i < n; i++) {
                        if (exited[i])
                                continue;
                        if (waitpid(pids[i], NULL, WNOHANG) == pids[i])
                                exited[i] = true;
                        else {
                                left = 1;
                                if (now_ns() > deadline)
                                        kill(pids[i], SIGKILL);
                        }
                }
                if (left)
                        usleep(10000);
        }
        unlink(sock);
        return ready == n ? 0 : 1;
}
