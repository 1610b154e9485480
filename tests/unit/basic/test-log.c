/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.c on a non-blocking stderr that is full (cell's, while it relays the
 * payload's output to the same journal stream): the message is waited for
 * and arrives whole, not dropped on EAGAIN. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "test.h"

TEST(full_nonblocking_stderr_waits) {
        int s[2], saved, sndbuf = 4096, status;
        char chunk[1024];
        pid_t reader;

        memset(chunk, '.', sizeof chunk);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        ASSERT_EQ(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), 0);
        ASSERT_EQ(fcntl(s[0], F_SETFL, O_NONBLOCK), 0);
        /* Full: the next write would block. */
        while (write(s[0], chunk, sizeof chunk) > 0)
                ;
        ASSERT_EQ(errno, EAGAIN);

        /* The journal reads again after a while, all of it. */
        reader = fork();
        ASSERT_TRUE(reader >= 0);
        if (reader == 0) {
                static char in[1 << 20];
                size_t n = 0;
                ssize_t k;

                safe_close(s[0]);
                usleep(200 * 1000);
                while (n < sizeof in - 1 && (k = read(s[1], in + n, sizeof in - 1 - n)) > 0)
                        n += (size_t) k;
                _exit(strstr(in, "cell: the last message 42\n") ? 0 : 1);
        }
        safe_close(s[1]);
        alarm(20);
        saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        ASSERT_TRUE(saved >= 0);
        ASSERT_TRUE(dup2(s[0], STDERR_FILENO) == STDERR_FILENO);
        log_error("the last message %d", 42);
        ASSERT_TRUE(dup2(saved, STDERR_FILENO) == STDERR_FILENO);
        safe_close(saved);
        safe_close(s[0]);
        ASSERT_EQ(waitpid(reader, &status, 0), reader);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
