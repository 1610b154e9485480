/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An encrypted credential decrypted by systemd-creds (credentials-decrypt.h). */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials-decrypt.h"
#include "credentials.h"
#include "fs-util.h"

/* All it is given (systemd's default PATH for services, for
 * anything it runs itself). */
#define HELPER_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct Helper {
        pid_t pid;
        int pidfd;
        int in_fd, out_fd, err_fd;
} Helper;

static void helper_close(Helper *h) {
        h->pidfd = safe_close(h->pidfd);
        h->in_fd = safe_close(h->in_fd);
        h->out_fd = safe_close(h->out_fd);
        h->err_fd = safe_close(h->err_fd);
}

/* Its stdin a socket: a helper that exits before reading all of it gives
 * send() EPIPE, not cell a SIGPIPE (MSG_NOSIGNAL; a pipe has no such flag).
 * (posix_spawn() would do; <spawn.h> is shadowed by src/spawn's own.) */
static int helper_start(Helper *h, const char *program, char *const argv[]) {
        _cleanup_close_ int in_child = -EBADF, out_child = -EBADF, err_child = -EBADF, report = -EBADF;
        int sv[2], p[2], e = 0;
        ssize_t k;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        h->in_fd = sv[0];
        in_child = fd_above_stdio(sv[1]);
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        h->out_fd = p[0];
        out_child = fd_above_stdio(p[1]);
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        h->err_fd = p[0];
        err_child = fd_above_stdio(p[1]);
        if (in_child < 0 || out_child < 0 || err_child < 0)
                return -EMFILE;
        /* The exec's errno comes back through it; closed by a good exec. */
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        report = p[0];

        h->pid = fork();
        if (h->pid < 0) {
                safe_close(p[1]);
                h->pid = 0;
                return -errno;
        }
        if (h->pid == 0) {
                sigset_t none;

                /* No signal blocked or ignored that cell has (an exec keeps
                 * both): the helper gets what a plain start gives it. */
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                for (int sig = 1; sig < NSIG; sig++)
                        (void) signal(sig, SIG_DFL);
                /* Its own process group: whatever it forks is killed with
                 * it, and holds no pipe of ours past its end. */
                (void) setpgid(0, 0);
                if (dup2(in_child, STDIN_FILENO) < 0 || dup2(out_child, STDOUT_FILENO) < 0 ||
                    dup2(err_child, STDERR_FILENO) < 0)
                        e = errno;
                /* Only 0, 1 and 2 reach it: not an fd cell's own caller left
                 * open (a socket, another unit's file); the report pipe
                 * stays open until the exec. */
                else if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                        e = errno;
                else {
                        /* Not cell's caller's environment: SYSTEMD_CREDENTIAL_VALIDATE_NAME=0,
                         * SYSTEMD_CREDENTIAL_VALIDATE_NOT_AFTER=0 or SYSTEMD_CREDENTIAL_SECRET
                         * there would turn off its checks or change its key. */
                        (void) execve(program, argv, (char *const[]) { (char *) HELPER_PATH, NULL });
                        e = errno;
                }
                (void) !write(p[1], &e, sizeof e);
                _exit(127);
        }
        safe_close(p[1]);
        do
                k = read(report, &e, sizeof e);
        while (k < 0 && errno == EINTR);
        if (k == sizeof e) {
                while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                h->pid = 0;
                return -e;
        }
        h->pidfd = (int) syscall(SYS_pidfd_open, h->pid, 0);
        if (h->pidfd < 0)
                return -errno;
        if (fcntl(h->in_fd, F_SETFL, O_NONBLOCK) < 0 || fcntl(h->out_fd, F_SETFL, O_NONBLOCK) < 0 ||
            fcntl(h->err_fd, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

/* No zombie and no helper left running, whatever happened. */
static void helper_kill(Helper *h) {
        if (h->pid <= 0)
                return;
        /* Its group: anything it forked too (the pid, unreaped, cannot be
         * reused as another group's). */
        (void) kill(-h->pid, SIGKILL);
        (void) kill(h->pid, SIGKILL);
        while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        h->pid = 0;
}

/* What it said, as a message: its last line (systemd's tools say what
 * failed last, after warnings such as "not located on encrypted media"),
 * control characters replaced. */
static void message_from(const char *said, size_t n, char *message, size_t size) {
        size_t start, m = 0;

        while (n > 0 && strchr("\n\r\t ", said[n - 1]))
                n--;
        for (start = n; start > 0 && said[start - 1] != '\n'; start--)
                ;
        for (size_t i = start; i < n && m + 1 < size; i++) {
                unsigned char c = (unsigned char) said[i];

                message[m++] = c < ' ' || c == 127 ? '?' : (char) c;
        }
        if (size > 0)
                message[m] = 0;
}

int credential_decrypt(const char *program, const char *id, const char *in, size_t in_size, uint64_t timeout_usec,
                       int interrupt_fd, size_t max, char **ret, size_t *ret_size, char *message, size_t message_size) {
        Helper h = { .pidfd = -EBADF, .in_fd = -EBADF, .out_fd = -EBADF, .err_fd = -EBADF };
        _cleanup_free_ char *name = NULL;
        uint64_t deadline = now_monotonic_usec() + timeout_usec;
        char said[1024], *out = NULL;
        size_t written = 0, n_out = 0, n_said = 0;
        int r, status = 0;

        if (message_size > 0)
                message[0] = 0;
        if (asprintf(&name, "--name=%s", id) < 0)
                return -ENOMEM;
        char *const argv[] = { (char *) program, (char *) "decrypt", name, (char *) "-", (char *) "-", NULL };

        /* One byte more than the limit: a helper that prints too much is caught. */
        out = malloc(max + 1);
        if (!out)
                return -ENOMEM;
        r = helper_start(&h, program, argv);
        if (r == 0 && in_size == 0)
                h.in_fd = safe_close(h.in_fd);
        while (r == 0 && (h.out_fd >= 0 || h.err_fd >= 0 || h.pidfd >= 0)) {
                struct pollfd pfd[5];
                nfds_t n = 0;
                int64_t ms = msec_left(deadline);
                int ready;

                if (ms == 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                /* The last: a signal that ends the start ends the wait (the helper is killed). */
                int fds[5] = { h.in_fd, h.out_fd, h.err_fd, h.pidfd, interrupt_fd };
                for (size_t i = 0; i < 5; i++)
                        if (fds[i] >= 0)
                                pfd[n++] = (struct pollfd) { .fd = fds[i], .events = i == 0 ? POLLOUT : POLLIN };
                /* Once it has exited, only what is already in the pipes is
                 * read: one that escaped its group must not hold the start. */
                ready = poll(pfd, n, h.pidfd < 0 ? 0 : (int) MIN(ms, (int64_t) 1000));
                if (ready < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (ready == 0 && h.pidfd < 0)
                        break;
                for (nfds_t i = 0; i < n && r == 0; i++) {
                        int fd = pfd[i].fd;
                        ssize_t k;

                        if (pfd[i].revents == 0)
                                continue;
                        if (fd == interrupt_fd) {
                                r = -EINTR;
                                break;
                        }
                        if (fd == h.in_fd) {
                                k = send(fd, in + written, in_size - written, MSG_NOSIGNAL | MSG_DONTWAIT);
                                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                                        continue;
                                /* EPIPE: it stopped reading; how it ended says why. */
                                if (k > 0)
                                        written += (size_t) k;
                                if (k <= 0 || written == in_size)
                                        h.in_fd = safe_close(h.in_fd);   /* its EOF */
                        } else if (fd == h.out_fd) {
                                k = read(fd, out + n_out, max + 1 - n_out);
                                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                                        continue;
                                if (k < 0)
                                        r = -errno;
                                else if (k == 0)
                                        h.out_fd = safe_close(h.out_fd);
                                else if ((n_out += (size_t) k) > max)
                                        r = -EFBIG;
                        } else if (fd == h.err_fd) {
                                char buf[1024];

                                k = read(fd, buf, sizeof buf);
                                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                                        continue;
                                if (k <= 0) {
                                        h.err_fd = safe_close(h.err_fd);
                                        continue;
                                }
                                /* The last KiB: systemd-creds says what failed
                                 * last, after any number of warnings. */
                                if (n_said + (size_t) k > sizeof said) {
                                        size_t drop = MIN(n_said, n_said + (size_t) k - sizeof said);

                                        memmove(said, said + drop, n_said - drop);
                                        n_said -= drop;
                                }
                                memcpy(said + n_said, buf, (size_t) k);
                                n_said += (size_t) k;
                        } else {
                                /* Exited: what it forked is killed while its pid
                                 * still holds the group; reaped; what it wrote
                                 * still read. */
                                (void) kill(-h.pid, SIGKILL);
                                pid_t w = waitpid(h.pid, &status, WNOHANG);

                                if (w < 0)
                                        r = -errno;
                                if (w != 0) {
                                        h.pid = w < 0 ? h.pid : 0;
                                        h.pidfd = safe_close(h.pidfd);
                                }
                        }
                }
        }
        helper_kill(&h);
        helper_close(&h);
        if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                message_from(said, n_said, message, message_size);
                if (message_size > 0 && message[0] == 0) {
                        if (WIFEXITED(status))
                                (void) snprintf(message, message_size, "exit status %d", WEXITSTATUS(status));
                        else
                                (void) snprintf(message, message_size, "killed by signal %d", WTERMSIG(status));
                }
                r = -EBADMSG;
        }
        return credential_buffer_keep(out, n_out, r, ret, ret_size);
}
