/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credential_socket_read(): a credential from an AF_UNIX stream socket, as
 * systemd reads one, against a server of the test's own (a child process). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials-socket.h"
#include "test.h"

typedef enum Serve {
        SERVE_PEER_NAME,        /* sends the name cell's end connected from, then closes */
        SERVE_BYTES,            /* sends n bytes of 'x' */
        SERVE_SILENT,           /* accepts, sends nothing, never closes */
        SERVE_READS_EOF,        /* sends "eof" once it read EOF from cell's side */
} Serve;

static char dir[] = "/tmp/test-credentials-socket-XXXXXX";

static int listen_at(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(strlen(path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, path);
        ASSERT_EQ(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        ASSERT_EQ(listen(fd, 4), 0);
        return fd;
}

static void write_all(int fd, const void *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k <= 0)
                        _exit(3);
                p = (const char *) p + k;
                n -= (size_t) k;
        }
}

/* A server for one connection, in a child; its pid. */
static pid_t serve(int listen_fd, Serve how, size_t n) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid > 0)
                return pid;
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                _exit(2);
        switch (how) {
        case SERVE_PEER_NAME: {
                struct sockaddr_un sa = {};
                socklen_t len = sizeof sa;
                if (getpeername(fd, (struct sockaddr *) &sa, &len) < 0)
                        _exit(2);
                write_all(fd, sa.sun_path, len - offsetof(struct sockaddr_un, sun_path));
                break;
        }
        case SERVE_BYTES: {
                char *buf = malloc(n ?: 1);
                memset(buf, 'x', n);
                write_all(fd, buf, n);
                free(buf);
                break;
        }
        case SERVE_SILENT:
                pause();
                break;
        case SERVE_READS_EOF: {
                char c;
                if (read(fd, &c, 1) == 0)
                        write_all(fd, "eof", 3);
                break;
        }
        default:
                _exit(4);
        }
        _exit(0);
}

static void reap(pid_t pid, bool kill_it) {
        int status;

        if (kill_it)
                ASSERT_EQ(kill(pid, SIGKILL), 0);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!kill_it)
                ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(read) {
        _cleanup_free_ char *path = NULL;
        char *data = NULL;
        size_t size = 0;
        pid_t pid;
        int fd;

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&path, "%s/sock", dir) > 0);
        fd = listen_at(path);

        /* The server learns who asks: "\0" 16 hex digits "/unit/UNIT/ID". */
        pid = serve(fd, SERVE_PEER_NAME, 0);
        ASSERT_OK(credential_socket_read(path, "cell-web.scope", "tls.key", 5 * USEC_PER_SEC, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 1 + 16 + strlen("/unit/cell-web.scope/tls.key"));
        ASSERT_EQ(data[0], '\0');
        for (size_t i = 1; i <= 16; i++)
                ASSERT_TRUE(strchr("0123456789abcdef", data[i]) && data[i] != '\0');
        ASSERT_TRUE(memcmp(data + 17, "/unit/cell-web.scope/tls.key", size - 17) == 0);
        free(data);

        /* Nothing is sent: the server reads EOF at once, as from systemd. */
        pid = serve(fd, SERVE_READS_EOF, 0);
        ASSERT_OK(credential_socket_read(path, "cell-web.scope", "k", 5 * USEC_PER_SEC, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 3);
        ASSERT_TRUE(memcmp(data, "eof", 3) == 0);
        free(data);

        /* Empty is a credential too; the limit is the limit. */
        pid = serve(fd, SERVE_BYTES, 0);
        ASSERT_OK(credential_socket_read(path, "u.scope", "k", 5 * USEC_PER_SEC, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 0);
        free(data);
        pid = serve(fd, SERVE_BYTES, 4096);
        ASSERT_OK(credential_socket_read(path, "u.scope", "k", 5 * USEC_PER_SEC, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 4096);
        free(data);
        pid = serve(fd, SERVE_BYTES, 4097);
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", 5 * USEC_PER_SEC, 4096, &data, &size), EFBIG);
        reap(pid, true);

        /* A server that never finishes: the deadline ends the wait. */
        pid = serve(fd, SERVE_SILENT, 0);
        uint64_t t0 = now_monotonic_usec();
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", 200 * 1000, 4096, &data, &size), ETIMEDOUT);
        ASSERT_TRUE(now_monotonic_usec() - t0 >= 200 * 1000);
        ASSERT_TRUE(now_monotonic_usec() - t0 < 5 * USEC_PER_SEC);
        reap(pid, true);
        ASSERT_EQ(close(fd), 0);

        /* Nobody listens any more. */
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", USEC_PER_SEC, 4096, &data, &size), ECONNREFUSED);

        /* The name cell connects from must fit an AF_UNIX address. */
        char id[101];
        memset(id, 'i', sizeof id - 1);
        id[sizeof id - 1] = 0;
        ASSERT_ERROR(credential_socket_read(path, "u.scope", id, USEC_PER_SEC, 4096, &data, &size), ENAMETOOLONG);

        _cleanup_free_ char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* A socket's path longer than an AF_UNIX address holds is reached all the
 * same (through /proc/self/fd). */
TEST(long_path) {
        char base[] = "/tmp/test-credentials-socket-XXXXXX";
        _cleanup_free_ char *deep = NULL, *path = NULL, *cmd = NULL;
        char *data = NULL;
        size_t size = 0;
        int fd, cwd = open(".", O_PATH | O_CLOEXEC);

        ASSERT_NOT_NULL(mkdtemp(base));
        ASSERT_TRUE(asprintf(&deep, "%s/%0120d", base, 0) > 0);
        ASSERT_EQ(mkdir(deep, 0700), 0);
        ASSERT_TRUE(asprintf(&path, "%s/sock", deep) > 0);
        ASSERT_TRUE(strlen(path) >= sizeof(((struct sockaddr_un *) NULL)->sun_path));
        /* Bound by its short name, from inside the directory. */
        ASSERT_EQ(chdir(deep), 0);
        fd = listen_at("sock");
        ASSERT_EQ(fchdir(cwd), 0);
        pid_t pid = serve(fd, SERVE_BYTES, 5);
        ASSERT_OK(credential_socket_read(path, "u.scope", "k", 5 * USEC_PER_SEC, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 5);
        free(data);
        ASSERT_EQ(close(fd), 0);
        ASSERT_EQ(close(cwd), 0);
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", base) > 0);
        ASSERT_EQ(system(cmd), 0);
}
