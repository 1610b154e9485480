/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credential_socket_read(): a credential from an AF_UNIX stream socket, as
 * systemd reads one, against a server of the test's own (a child process). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials-socket.h"
#include "credentials.h"
#include "test.h"

/* The wait of a read that is to succeed: long, so that a loaded host (the
 * server is a child that must be scheduled first) never fails it; the read
 * ends when the server closes, not at this deadline. */
#define LONG_USEC (120 * USEC_PER_SEC)

typedef enum Serve {
        SERVE_PEER_NAME,        /* sends the name cell's end connected from, then closes */
        SERVE_BYTES,            /* sends n bytes of 'x' */
        SERVE_SILENT,           /* accepts, sends nothing, never closes */
        SERVE_READS_EOF,        /* sends "eof" once it read EOF from cell's side */
        SERVE_LATE,             /* sends "late" after n ms */
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

/* A listener at path whose backlog is full (backlog 0, one connection
 * waiting in it): the next connect() fails with EAGAIN. Its fd; the
 * waiting connection's in *ret_filler. */
static int listen_full(const char *path, int *ret_filler) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, filler;

        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        ASSERT_EQ(listen(fd, 0), 0);
        filler = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(filler >= 0);
        ASSERT_EQ(connect(filler, (struct sockaddr *) &sa, sizeof sa), 0);
        *ret_filler = filler;
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
        pid_t parent = getpid(), pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid > 0)
                return pid;
        /* Gone with the test, also one that failed before reaping it: no
         * server is left waiting on the host. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(5);
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
        case SERVE_LATE:
                (void) poll(NULL, 0, (int) n);
                write_all(fd, "late", 4);
                break;
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
        ASSERT_OK(credential_socket_read(path, "cell-web.scope", "tls.key", LONG_USEC, -EBADF, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 1 + 16 + strlen("/unit/cell-web.scope/tls.key"));
        ASSERT_EQ(data[0], '\0');
        for (size_t i = 1; i <= 16; i++)
                ASSERT_TRUE(strchr("0123456789abcdef", data[i]) && data[i] != '\0');
        ASSERT_TRUE(memcmp(data + 17, "/unit/cell-web.scope/tls.key", size - 17) == 0);
        free(data);

        /* Nothing is sent: the server reads EOF at once, as from systemd. */
        pid = serve(fd, SERVE_READS_EOF, 0);
        ASSERT_OK(credential_socket_read(path, "cell-web.scope", "k", LONG_USEC, -EBADF, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 3);
        ASSERT_TRUE(memcmp(data, "eof", 3) == 0);
        free(data);

        /* Empty is a credential too; the limit is the limit. */
        pid = serve(fd, SERVE_BYTES, 0);
        ASSERT_OK(credential_socket_read(path, "u.scope", "k", LONG_USEC, -EBADF, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 0);
        free(data);
        pid = serve(fd, SERVE_BYTES, 4096);
        ASSERT_OK(credential_socket_read(path, "u.scope", "k", LONG_USEC, -EBADF, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 4096);
        free(data);
        pid = serve(fd, SERVE_BYTES, 4097);
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", LONG_USEC, -EBADF, 4096, &data, &size), EFBIG);
        reap(pid, true);

        /* A server that never finishes: the deadline ends the wait. */
        pid = serve(fd, SERVE_SILENT, 0);
        uint64_t t0 = now_monotonic_usec();
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", 200 * 1000, -EBADF, 4096, &data, &size), ETIMEDOUT);
        ASSERT_TRUE(now_monotonic_usec() - t0 >= 200 * 1000);
        ASSERT_TRUE(now_monotonic_usec() - t0 < 60 * USEC_PER_SEC);
        reap(pid, true);
        ASSERT_EQ(close(fd), 0);

        /* Nobody listens any more. */
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", USEC_PER_SEC, -EBADF, 4096, &data, &size), ECONNREFUSED);

        /* The name cell connects from must fit an AF_UNIX address: UNIT and
         * ID have CELL_CREDENTIAL_SOCKET_UNIT_ID_MAX characters together. */
        char id[CELL_CREDENTIAL_SOCKET_UNIT_ID_MAX - strlen("u.scope") + 2];
        memset(id, 'i', sizeof id - 1);
        id[sizeof id - 1] = 0;
        ASSERT_ERROR(credential_socket_read(path, "u.scope", id, USEC_PER_SEC, -EBADF, 4096, &data, &size), ENAMETOOLONG);
        id[sizeof id - 2] = 0;
        ASSERT_ERROR(credential_socket_read(path, "u.scope", id, USEC_PER_SEC, -EBADF, 4096, &data, &size), ECONNREFUSED);

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
        ASSERT_OK(credential_socket_read(path, "u.scope", "k", LONG_USEC, -EBADF, 4096, &data, &size));
        reap(pid, false);
        ASSERT_EQ(size, 5);
        free(data);
        ASSERT_EQ(close(fd), 0);
        ASSERT_EQ(close(cwd), 0);
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", base) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* A full backlog: connect() fails with EAGAIN, and is tried again until the
 * deadline, never waited on blindly. */
TEST(backlog) {
        char base[] = "/tmp/test-credentials-socket-XXXXXX";
        _cleanup_free_ char *path = NULL, *cmd = NULL;
        char *data = NULL;
        size_t size = 0;
        int fd, filler;
        pid_t parent = getpid(), pid;

        ASSERT_NOT_NULL(mkdtemp(base));
        ASSERT_TRUE(asprintf(&path, "%s/sock", base) > 0);
        fd = listen_full(path, &filler);

        uint64_t t0 = now_monotonic_usec();
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", 300 * 1000, -EBADF, 4096, &data, &size), ETIMEDOUT);
        ASSERT_TRUE(now_monotonic_usec() - t0 >= 300 * 1000);

        /* A server that accepts late: the waiting one, then ours. */
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(5);
                (void) poll(NULL, 0, 300);
                for (unsigned i = 0; i < 2; i++) {
                        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                _exit(2);
                        write_all(c, "ok", 2);
                        close(c);
                }
                _exit(0);
        }
        ASSERT_OK(credential_socket_read(path, "u.scope", "k", LONG_USEC, -EBADF, 4096, &data, &size));
        ASSERT_EQ(size, 2);
        ASSERT_TRUE(memcmp(data, "ok", 2) == 0);
        free(data);
        reap(pid, false);
        ASSERT_EQ(close(filler), 0);
        ASSERT_EQ(close(fd), 0);
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", base) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* A signal that ends the start (its signalfd, a pipe here) ends a wait for
 * the server at once, in connect() or in read(): a stop while starting must
 * not wait out the timeout. */
TEST(interrupt) {
        char base[] = "/tmp/test-credentials-socket-XXXXXX";
        _cleanup_free_ char *path = NULL, *cmd = NULL;
        char *data = NULL;
        size_t size = 0;
        int fd, filler, pipe_fd[2];
        uint64_t t0;

        ASSERT_NOT_NULL(mkdtemp(base));
        ASSERT_TRUE(asprintf(&path, "%s/sock", base) > 0);
        ASSERT_EQ(pipe2(pipe_fd, O_CLOEXEC), 0);
        /* A listener that never accepts: connect() succeeds, read() waits. */
        fd = listen_at(path);
        /* Nothing to read on it: no interruption. */
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", 200 * 1000, pipe_fd[0], 4096, &data, &size),
                     ETIMEDOUT);
        ASSERT_EQ(write(pipe_fd[1], "x", 1), 1);
        t0 = now_monotonic_usec();
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", LONG_USEC, pipe_fd[0], 4096, &data, &size), EINTR);
        ASSERT_TRUE(now_monotonic_usec() - t0 < 10 * USEC_PER_SEC);
        ASSERT_EQ(close(fd), 0);

        /* A full backlog: connect() is tried again, and the signal ends that. */
        ASSERT_EQ(unlink(path), 0);
        fd = listen_full(path, &filler);
        t0 = now_monotonic_usec();
        ASSERT_ERROR(credential_socket_read(path, "u.scope", "k", LONG_USEC, pipe_fd[0], 4096, &data, &size), EINTR);
        ASSERT_TRUE(now_monotonic_usec() - t0 < 10 * USEC_PER_SEC);
        ASSERT_EQ(close(filler), 0);
        ASSERT_EQ(close(fd), 0);
        ASSERT_EQ(close(pipe_fd[0]), 0);
        ASSERT_EQ(close(pipe_fd[1]), 0);
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", base) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* One LoadCredential= line of the plan, as plan_build_credentials() makes it. */
static void add_load(Plan *p, const char *id, const char *source) {
        p->credentials = realloc(p->credentials, sizeof *p->credentials * (p->n_credentials + 1));
        ASSERT_NOT_NULL(p->credentials);
        p->credentials[p->n_credentials++] = (PlanCredential) {
                .id = strdup(id), .source = strdup(source), .file = strdup("u.cell"), .line = 5,
        };
}

static bool connection_waiting(int listen_fd) {
        struct pollfd pf = { .fd = listen_fd, .events = POLLIN };

        ASSERT_TRUE(poll(&pf, 1, 0) >= 0);
        return pf.revents & POLLIN;
}

/* Through credentials_read(): which sources are connected to, and what a
 * failure says. */
TEST(reader) {
        char base[] = "/tmp/test-credentials-socket-XXXXXX";
        _cleanup_free_ char *store = NULL, *caller = NULL, *sock = NULL, *dgram = NULL, *cmd = NULL;
        const char *stores[2] = {};
        SpawnError err = {};
        Plan p = {};
        int fd;

        /* The stores systemd's CONF_PATHS_STRV("credstore") makes, in order. */
        ASSERT_STREQ(credentials_store_dirs[0], "/etc/credstore");
        ASSERT_STREQ(credentials_store_dirs[1], "/run/credstore");
        ASSERT_STREQ(credentials_store_dirs[2], "/usr/local/lib/credstore");
        ASSERT_STREQ(credentials_store_dirs[3], "/usr/lib/credstore");
        ASSERT_NULL(credentials_store_dirs[4]);

        ASSERT_NOT_NULL(mkdtemp(base));
        ASSERT_TRUE(asprintf(&store, "%s/store", base) > 0);
        ASSERT_TRUE(asprintf(&caller, "%s/caller", base) > 0);
        ASSERT_EQ(mkdir(store, 0700), 0);
        ASSERT_EQ(mkdir(caller, 0700), 0);
        stores[0] = store;
        const CredentialSources src = { .caller_dir = caller, .store_dirs = stores, .socket_timeout_usec = LONG_USEC };

        /* A socket in a store or in the caller's directory is not connected
         * to, as systemd's: those hold files; it fails the start (a read of
         * it would wait for the second the timeout is here). */
        const CredentialSources src_short = { .caller_dir = caller, .store_dirs = stores,
                                              .socket_timeout_usec = USEC_PER_SEC };
        for (unsigned i = 0; i < 2; i++) {
                _cleanup_free_ char *in = NULL;

                ASSERT_TRUE(asprintf(&in, "%s/db", i == 0 ? store : caller) > 0);
                fd = listen_at(in);
                add_load(&p, "db", "db");
                ASSERT_ERROR(credentials_read(&p, &src_short, &err), EBADFD);
                ASSERT_FALSE(connection_waiting(fd));
                ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=db: ");
                ASSERT_CONTAINS(err.message, "/db: not a regular file (an AF_UNIX socket is connected to only as an "
                                "absolute PATH");
                ASSERT_EQ(p.n_credential_data, 0);
                plan_done(&p);
                p = (Plan) {};
                ASSERT_EQ(close(fd), 0);
                ASSERT_EQ(unlink(in), 0);
        }

        /* Nobody listens: the message says what to do. */
        ASSERT_TRUE(asprintf(&sock, "%s/sock", base) > 0);
        ASSERT_EQ(close(listen_at(sock)), 0);
        add_load(&p, "db", sock);
        ASSERT_ERROR(credentials_read(&p, &src, &err), ECONNREFUSED);
        ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=db:");
        ASSERT_CONTAINS(err.message, "/sock: nobody listens on this socket (start its server");
        plan_done(&p);
        p = (Plan) {};

        /* A peer name too long says how long it may be. */
        add_load(&p, "db", sock);
        p.scope_unit = strdup("cell-a-container-whose-name-is-rather-long-for-a-socket-name-really.scope");
        free(p.credentials[0].id);
        p.credentials[0].id = strdup("an-id-of-some-length");
        ASSERT_ERROR(credentials_read(&p, &src, &err), ENAMETOOLONG);
        ASSERT_CONTAINS(err.message, "/sock: the name cell's end of the socket connects from "
                        "(\\0RANDOM/unit/cell-a-container-whose-name-is-rather-long-for-a-socket-name-really.scope/"
                        "an-id-of-some-length) would not fit an AF_UNIX address (the scope's name and the ID may "
                        "have 83 characters together, as in systemd: shorten the ID or the container's name)");
        plan_done(&p);
        p = (Plan) {};

        /* A device that fails to open as a socket does (ENXIO: no driver;
         * major 60 is for local use) is refused as a FIFO is, not with
         * "No such device or address". Needs CAP_MKNOD. */
        _cleanup_free_ char *dev = NULL;
        ASSERT_TRUE(asprintf(&dev, "%s/dev", base) > 0);
        if (mknod(dev, S_IFCHR | 0600, makedev(60, 0)) >= 0) {
                add_load(&p, "db", dev);
                ASSERT_ERROR(credentials_read(&p, &src, &err), EBADFD);
                ASSERT_CONTAINS(err.message, "/dev: not a regular file or AF_UNIX stream socket");
                plan_done(&p);
                p = (Plan) {};
        } else
                ASSERT_EQ(errno, EPERM);

        /* A datagram socket is no credential server. */
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        ASSERT_TRUE(asprintf(&dgram, "%s/dgram", base) > 0);
        strcpy(sa.sun_path, dgram);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        add_load(&p, "db", dgram);
        ASSERT_ERROR(credentials_read(&p, &src, &err), EPROTOTYPE);
        ASSERT_CONTAINS(err.message, "/dgram: not a stream socket");
        plan_done(&p);
        p = (Plan) {};
        ASSERT_EQ(close(fd), 0);

        /* A server that never closes: the message says what it must do. */
        ASSERT_EQ(unlink(sock), 0);
        fd = listen_at(sock);
        pid_t pid = serve(fd, SERVE_SILENT, 0);
        add_load(&p, "db", sock);
        ASSERT_ERROR(credentials_read(&p, &(const CredentialSources) { .store_dirs = stores,
                                                                       .socket_timeout_usec = 100 * 1000 }, &err),
                     ETIMEDOUT);
        ASSERT_CONTAINS(err.message, "/sock: the socket's server sent no whole credential within 100ms, the time "
                        "all of the start's credential sockets have together (it must accept, send the credential "
                        "and close the connection)");
        reap(pid, true);
        ASSERT_EQ(close(fd), 0);
        plan_done(&p);
        p = (Plan) {};

        /* The timeout is the start's, for all sockets together, as systemd's
         * start timeout: one server that answers late leaves the next one
         * less, not the whole timeout again. Told by what the second read
         * gets, not by how long the two took: its server answers 1.5 s after
         * it accepted, which is at least 2 s + 1.5 s after the reads began,
         * always beyond their shared 3 s (however slow the host: every delay
         * only adds), and within the 3 s of its own that it had before (with
         * 1.5 s for the host to schedule it). */
        _cleanup_free_ char *late = NULL;
        ASSERT_TRUE(asprintf(&late, "%s/late", base) > 0);
        int late_fd = listen_at(late);
        ASSERT_EQ(unlink(sock), 0);
        fd = listen_at(sock);
        pid_t late_pid = serve(late_fd, SERVE_LATE, 2000);
        pid = serve(fd, SERVE_LATE, 1500);
        add_load(&p, "a", late);
        add_load(&p, "b", sock);
        uint64_t t0 = now_monotonic_usec();
        ASSERT_ERROR(credentials_read(&p, &(const CredentialSources) { .store_dirs = stores,
                                                                       .socket_timeout_usec = 3 * USEC_PER_SEC },
                                      &err), ETIMEDOUT);
        ASSERT_TRUE(now_monotonic_usec() - t0 >= 3 * USEC_PER_SEC);
        ASSERT_CONTAINS(err.message, "LoadCredential=b:");
        ASSERT_CONTAINS(err.message, "/sock: the socket's server sent no whole credential within 3s, the time all");
        ASSERT_EQ(p.n_credential_data, 0);
        reap(late_pid, false);
        reap(pid, true);
        ASSERT_EQ(close(fd), 0);
        ASSERT_EQ(close(late_fd), 0);
        plan_done(&p);

        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", base) > 0);
        ASSERT_EQ(system(cmd), 0);
}
