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

/* $SYSTEMD_LOG_LEVEL, as systemd's tools read it: syslog's names or 0-7,
 * the number as systemd 252's safe_atou() takes it (what
 * "SYSTEMD_LOG_LEVEL=... systemd-analyze condition ..." accepts and refuses). */
TEST(level_from_string) {
        ASSERT_EQ(log_level_from_string("emerg"), LOG_EMERG);
        ASSERT_EQ(log_level_from_string("err"), LOG_ERR);
        ASSERT_EQ(log_level_from_string("warning"), LOG_WARNING);
        ASSERT_EQ(log_level_from_string("debug"), LOG_DEBUG);
        ASSERT_EQ(log_level_from_string("0"), LOG_EMERG);
        ASSERT_EQ(log_level_from_string("7"), LOG_DEBUG);
        ASSERT_EQ(log_level_from_string("8"), -EINVAL);
        ASSERT_EQ(log_level_from_string("-1"), -EINVAL);
        ASSERT_EQ(log_level_from_string("-7"), -EINVAL);
        /* Leading white space and a sign, base 0: as systemd. */
        ASSERT_EQ(log_level_from_string("+3"), LOG_ERR);
        ASSERT_EQ(log_level_from_string(" 3"), LOG_ERR);
        ASSERT_EQ(log_level_from_string("\t 7"), LOG_DEBUG);
        ASSERT_EQ(log_level_from_string(" +7"), LOG_DEBUG);
        ASSERT_EQ(log_level_from_string("-0"), LOG_EMERG);
        ASSERT_EQ(log_level_from_string("07"), LOG_DEBUG);
        ASSERT_EQ(log_level_from_string("0x6"), LOG_INFO);
        ASSERT_EQ(log_level_from_string("010"), -EINVAL);
        ASSERT_EQ(log_level_from_string("3 "), -EINVAL);
        ASSERT_EQ(log_level_from_string(" "), -EINVAL);
        ASSERT_EQ(log_level_from_string("+"), -EINVAL);
        ASSERT_EQ(log_level_from_string("- 3"), -EINVAL);
        ASSERT_EQ(log_level_from_string(" debug"), -EINVAL);
        ASSERT_EQ(log_level_from_string("3x"), -EINVAL);
        ASSERT_EQ(log_level_from_string("DEBUG"), -EINVAL);
        ASSERT_EQ(log_level_from_string("error"), -EINVAL);
        ASSERT_EQ(log_level_from_string(""), -EINVAL);
}

TEST(parse_environment) {
        int saved = log_get_max_level();

        ASSERT_EQ(unsetenv("SYSTEMD_LOG_LEVEL"), 0);
        log_parse_environment();
        ASSERT_EQ(log_get_max_level(), saved);
        ASSERT_EQ(setenv("SYSTEMD_LOG_LEVEL", "debug", 1), 0);
        log_parse_environment();
        ASSERT_EQ(log_get_max_level(), LOG_DEBUG);
        ASSERT_EQ(setenv("SYSTEMD_LOG_LEVEL", "3", 1), 0);
        log_parse_environment();
        ASSERT_EQ(log_get_max_level(), LOG_ERR);
        /* A value that does not parse leaves the level as it was. */
        ASSERT_EQ(setenv("SYSTEMD_LOG_LEVEL", "loud", 1), 0);
        log_parse_environment();
        ASSERT_EQ(log_get_max_level(), LOG_ERR);
        ASSERT_EQ(unsetenv("SYSTEMD_LOG_LEVEL"), 0);
        log_set_max_level(saved);
}
