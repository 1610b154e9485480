/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ready-sleep: the boot storm's payload, built -static for the busybox
 * root. Sends READY=1 to $NOTIFY_SOCKET, then sleeps until SIGTERM (which it
 * handles: as PID 1 of a PID namespace it would otherwise ignore it). It
 * stays alive after sending, as a real daemon does, so that a receiver that
 * checks the sender's credentials (cell's proxy) can still do so under the
 * load of 50 starts at once. */
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void on_term(int sig) {
        (void) sig;
        _exit(0);
}

int main(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *path = getenv("NOTIFY_SOCKET");
        int fd;

        signal(SIGTERM, on_term);
        signal(SIGINT, on_term);
        if (!path || strlen(path) >= sizeof sa.sun_path)
                return 1;
        strcpy(sa.sun_path, path);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, "READY=1\n", 8, MSG_NOSIGNAL, (struct sockaddr *) &sa,
                             offsetof(struct sockaddr_un, sun_path) + strlen(path) + (path[0] != '@')) < 0)
                return 1;
        close(fd);
        for (;;)
                pause();
}
