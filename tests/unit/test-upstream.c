/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "test-upstream.h"
#include "test.h"

int test_upstream_open(const char *tag) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char name[64], env[80];
        int fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0);

        ASSERT_TRUE(fd >= 0);
        snprintf(name, sizeof name, "%s-%d", tag, (int) getpid());
        memcpy(sa.sun_path + 1, name, strlen(name));
        ASSERT_OK(bind(fd, (struct sockaddr *) &sa, offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)));
        snprintf(env, sizeof env, "@%s", name);
        ASSERT_OK(setenv("NOTIFY_SOCKET", env, 1));
        return fd;
}

char *test_upstream_read(int fd, int timeout_ms) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[8192];

        if (timeout_ms > 0 && poll(&p, 1, timeout_ms) <= 0)
                return NULL;
        ssize_t k = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
        if (k < 0)
                return NULL;
        buf[k] = 0;
        return strdup(buf);
}
