/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify-probe: sd_notify from inside a busybox test root, which has no
 * systemd-notify. Built -static so that it runs in a root with no libc.
 *
 *   notify-probe READY=1 "STATUS=serving"    one datagram, lines joined by '\n'
 *   notify-probe --no-wait READY=1           the same, and exit at once
 *   notify-probe --flood N                   "STATUS=flood 1" to "STATUS=flood N" as fast
 *                                            as they go (N 0: for ever), as a chatty payload
 *   notify-probe --no-pdeathsig PROG ARG...  clears its parent-death signal and execs PROG
 *                                            (which keeps it cleared), as a payload that
 *                                            calls prctl(PR_SET_PDEATHSIG, 0) itself
 *
 * Sends to $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace),
 * then stays alive a little: the receiver checks the sender's credentials
 * (its PID and that PID's namespace) after the datagram arrived, and a sender
 * that is already gone can only be judged by the UID it sent as -- the race
 * systemd-notify had before it learnt to wait for a barrier. --no-wait is
 * that race on purpose (systemd-notify --no-block, busybox nc). Exit 0 when
 * sent, 1 otherwise. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = getenv("NOTIFY_SOCKET");
        char buf[4096];
        size_t n = 0, len;
        socklen_t salen;
        bool linger = true, flooding = false;
        unsigned long flood = 0;
        int fd;

        if (argc > 2 && strcmp(argv[1], "--no-pdeathsig") == 0) {
                if (prctl(PR_SET_PDEATHSIG, 0) < 0) {
                        fprintf(stderr, "notify-probe: prctl(PR_SET_PDEATHSIG, 0): %s\n", strerror(errno));
                        return 1;
                }
                execv(argv[2], argv + 2);
                fprintf(stderr, "notify-probe: executing %s: %s\n", argv[2], strerror(errno));
                return 1;
        }
        if (argc > 1 && strcmp(argv[1], "--no-wait") == 0) {
                linger = false;
                argv++;
                argc--;
        }
        if (argc == 3 && strcmp(argv[1], "--flood") == 0) {
                flood = strtoul(argv[2], NULL, 10);
                flooding = true;
        } else if (argc < 2) {
                fprintf(stderr, "usage: notify-probe [--no-wait] VAR=VALUE... | --flood N | --no-pdeathsig PROG ARG...\n");
                return 1;
        }
        if (!path || !*path) {
                fprintf(stderr, "notify-probe: $NOTIFY_SOCKET is not set\n");
                return 1;
        }
        len = strlen(path);
        if (len >= sizeof(sa.sun_path)) {
                fprintf(stderr, "notify-probe: $NOTIFY_SOCKET too long\n");
                return 1;
        }
        memcpy(sa.sun_path, path, len);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0';
        salen = offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '@' ? 0 : 1);

        for (int i = 1; i < argc && !flooding; i++) {
                size_t l = strlen(argv[i]);

                if (n + l + 1 > sizeof(buf)) {
                        fprintf(stderr, "notify-probe: message too long\n");
                        return 1;
                }
                memcpy(buf + n, argv[i], l);
                n += l;
                buf[n++] = '\n';
        }

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                fprintf(stderr, "notify-probe: socket: %s\n", strerror(errno));
                return 1;
        }
        for (unsigned long i = 1; flooding && (flood == 0 || i <= flood); i++) {
                int k = snprintf(buf, sizeof(buf), "STATUS=flood %lu", i);
                if (sendto(fd, buf, (size_t) k, MSG_NOSIGNAL, (struct sockaddr *) &sa, salen) < 0) {
                        fprintf(stderr, "notify-probe: sendto %s: %s\n", path, strerror(errno));
                        close(fd);
                        return 1;
                }
        }
        if (!flooding && sendto(fd, buf, n, MSG_NOSIGNAL, (struct sockaddr *) &sa, salen) < 0) {
                fprintf(stderr, "notify-probe: sendto %s: %s\n", path, strerror(errno));
                close(fd);
                return 1;
        }
        close(fd);

        if (linger)
                nanosleep(&(struct timespec) { .tv_nsec = 300 * 1000 * 1000 }, NULL);
        return 0;
}
