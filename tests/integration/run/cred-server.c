/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cred-server SOCKET NAME-FILE DATA: a credential server for one
 * connection, as LoadCredential= of an AF_UNIX socket expects one. Binds
 * and listens at SOCKET, then forks and returns, printing the server's PID
 * (so the socket is ready once it returned); the server accepts one
 * connection, writes the name the peer connected from (getpeername(), the
 * leading NUL included) to NAME-FILE, sends DATA and exits. With NAME-FILE
 * "-" it accepts nothing and waits to be killed (120 s at most): a
 * connect() succeeds (the backlog holds it) and its reader waits. libc
 * only. */

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t len = sizeof sa;
        int fd, c, out;
        pid_t pid;

        if (argc != 4 || strlen(argv[1]) >= sizeof sa.sun_path) {
                fprintf(stderr, "usage: cred-server SOCKET NAME-FILE DATA\n");
                return 2;
        }
        strcpy(sa.sun_path, argv[1]);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
                perror("cred-server: socket");
                return 1;
        }
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid > 0) {
                printf("%d\n", (int) pid);
                return 0;
        }
        /* The caller's $(...) waits for every writer of its pipe. */
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
                _exit(1);
        /* Ends of itself (SIGALRM) and holds no pipe of the test's: a test
         * that failed before killing it is not kept waiting for it. */
        if (strcmp(argv[2], "-") == 0) {
                if (dup2(null, STDERR_FILENO) < 0)
                        _exit(1);
                alarm(120);
                for (;;)
                        pause();
        }
        c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0 || getpeername(c, (struct sockaddr *) &sa, &len) < 0)
                _exit(1);
        out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out < 0 || write(out, sa.sun_path, len - offsetof(struct sockaddr_un, sun_path)) < 0)
                _exit(1);
        if (write(c, argv[3], strlen(argv[3])) != (ssize_t) strlen(argv[3]))
                _exit(1);
        _exit(0);
}
