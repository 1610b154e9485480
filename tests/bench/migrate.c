/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* migrate [-n N] [-g GAP_MS]: what one cgroup migration costs on this kernel.
 * Makes a cgroup below its own cgroup2 directory, then N times forks a child
 * that waits, writes its PID into the new cgroup's cgroup.procs and times that
 * write; GAP_MS (50) between rounds. Prints "quiet NS" for a write after a
 * quiet spell and "burst NS" for one right after another (same round, a
 * second child). Removes the cgroup. Never part of pass/fail (tests/bench/run).
 *
 * Why: a write to cgroup.procs takes the kernel's global threadgroup lock for
 * writing, which waits for an RCU grace period unless another writer passed
 * one moments ago (or cgroup2 is mounted with favordynmods). systemd writes
 * the payload's PID so for every scope it starts: the cost every launcher
 * with a systemd scope pays, and the reason tests/bench/timeit.c shuffles. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Our cgroup2 directory: the cgroup2 mount from /proc/self/mountinfo joined
 * with the "0::" line of /proc/self/cgroup (mount root "/" assumed). */
static int own_v2_dir(char *buf, size_t size) {
        char line[4096], mnt[1024] = "", path[2048] = "";
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof line, f)) {
                char *sep = strstr(line, " - cgroup2 ");
                char m[1024];
                if (sep && sscanf(line, "%*s %*s %*s %*s %1023s", m) == 1) {
                        snprintf(mnt, sizeof mnt, "%s", m);
                        break;
                }
        }
        fclose(f);
        f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "0::", 3) == 0)
                        snprintf(path, sizeof path, "%.*s", (int) strcspn(line + 3, "\n"), line + 3);
        fclose(f);
        if (!*mnt || !*path)
                return -1;
        snprintf(buf, size, "%s%s", mnt, strcmp(path, "/") == 0 ? "" : path);
        return 0;
}

static long long move_one(const char *procs) {
        pid_t c = fork();
        if (c == 0) {
                pause();
                _exit(0);
        }
        char b[32];
        int l = snprintf(b, sizeof b, "%d\n", (int) c), fd = open(procs, O_WRONLY | O_CLOEXEC);
        long long t0 = now_ns(), dt = -1;
        if (fd >= 0 && write(fd, b, l) == l)
                dt = now_ns() - t0;
        if (fd >= 0)
                close(fd);
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        return dt;
}

int main(int argc, char *argv[]) {
        int n = 15, gap = 50, opt;
        char own[3072], dir[3200], procs[3300];

        while ((opt = getopt(argc, argv, "n:g:")) > 0)
                switch (opt) {
                case 'n': n = atoi(optarg); break;
                case 'g': gap = atoi(optarg); break;
                default: return 2;
                }
        if (own_v2_dir(own, sizeof own) < 0) {
                fprintf(stderr, "migrate: no cgroup2 here\n");
                return 1;
        }
        snprintf(dir, sizeof dir, "%s/bench-migrate-%d", own, (int) getpid());
        snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
        if (mkdir(dir, 0755) < 0) {
                fprintf(stderr, "migrate: mkdir %s: %m\n", dir);
                return 1;
        }
        int rc = 0;
        for (int i = 0; i < n; i++) {
                usleep(gap * 1000);
                long long q = move_one(procs), b = move_one(procs);
                if (q < 0 || b < 0) {
                        fprintf(stderr, "migrate: cannot write %s: %m\n", procs);
                        rc = 1;
                        break;
                }
                printf("quiet %lld\nburst %lld\n", q, b);
        }
        if (rmdir(dir) < 0)
                fprintf(stderr, "migrate: rmdir %s: %m\n", dir);
        return rc;
}
