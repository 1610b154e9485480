/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's fds 0, 1 and 2 in pipe mode, kept off the host's files
 * (run-stdio.h). */

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs-util.h"
#include "log.h"
#include "macros.h"
#include "run-stdio.h"
#include "spawn-child.h"

typedef enum StdioKind {
        STDIO_PASS,     /* nobody's file (an anonymous pipe, a socket), or closed */
        STDIO_NULL,     /* a null device */
        STDIO_HOST,     /* a file of the host's: a regular one, a FIFO, a terminal, a device */
} StdioKind;

static StdioKind stdio_kind(int fd) {
        struct statfs sf;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return STDIO_PASS;
        if (S_ISSOCK(st.st_mode))
                return STDIO_PASS;
        /* pipe(2)'s, not a FIFO in a file system of the host's. */
        if (S_ISFIFO(st.st_mode) && fstatfs(fd, &sf) >= 0 && sf.f_type == PIPEFS_MAGIC)
                return STDIO_PASS;
        if (stat_is_null_device(&st))
                return STDIO_NULL;
        return STDIO_HOST;
}

/* A pump: what fd 3 reads into fd 4, until fd 3's end. Copying an input
 * into the payload's pipe (fd 4), it also ends once no one reads that pipe
 * (the container ended: no cgroup of its is held up by us, nor a
 * terminal's read); out of the command's pipe (fd 3) into an output of
 * ours, it drops what the output refuses (a full disk) and reads on, so
 * that the writer never blocks on it. Nothing else of cell's is open in it. */
_noreturn_ static void pump_main(bool input) {
        struct pollfd p[2] = { { .fd = 3, .events = POLLIN }, { .fd = 4 } };
        char buf[65536];

        /* A terminal read from the background fails (EIO), as the end of
         * the input, and one written to from there takes it (TOSTOP), as the
         * command's own writes did: neither stops us. */
        (void) signal(SIGTTIN, SIG_IGN);
        (void) signal(SIGTTOU, SIG_IGN);
        for (;;) {
                ssize_t n;

                /* POLLERR on the pipe's write end: its last reader closed it. */
                if (input) {
                        if (poll(p, 2, -1) < 0 && errno != EINTR)
                                _exit(EXIT_FAILURE);
                        if (p[1].revents & (POLLERR | POLLHUP | POLLNVAL))
                                _exit(EXIT_SUCCESS);
                        if (p[0].revents == 0)
                                continue;
                }
                n = read(3, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        _exit(n < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
                for (ssize_t done = 0; done < n;) {
                        ssize_t k = write(4, buf + done, (size_t) (n - done));

                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0 && input)     /* EPIPE: the payload closed it (SIGPIPE is blocked) */
                                _exit(EXIT_SUCCESS);
                        if (k < 0)              /* this much lost, as the command's own write would */
                                break;
                        done += k;
                }
        }
}

/* A pipe and a pump of fd (ours, 0, 1 or 2) into it (fd 0) or out of it:
 * *ret_end, the end for the payload. */
static int pump_start(int fd, const char *name, int *ret_end, pid_t *ret_pid) {
        pid_t parent = getpid(), pid;
        bool input = fd == STDIN_FILENO;
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        /* Where "cell run >&-" left fd 1 free, it would become the payload's fd 1. */
        p[0] = fd_above_stdio(p[0]);
        p[1] = fd_above_stdio(p[1]);
        if (p[0] < 0 || p[1] < 0) {
                int r = p[0] < 0 ? p[0] : p[1];
                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                safe_close(p[0]);
                safe_close(p[1]);
                return r;
        }
        if (pid == 0) {
                int from = input ? fd : p[0], to = input ? p[1] : fd;

                /* Never without cell: it ends with cell's process, whichever
                 * program that runs by then (cell-monitor). */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                        _exit(EXIT_FAILURE);
                (void) prctl(PR_SET_NAME, name);
                /* Its two fds as 3 and 4 (above the pipe's, never one of them), then those alone. */
                from = fcntl(from, F_DUPFD_CLOEXEC, 5);
                to = fcntl(to, F_DUPFD_CLOEXEC, 5);
                if (from < 0 || to < 0 || dup3(from, 3, O_CLOEXEC) < 0 || dup3(to, 4, O_CLOEXEC) < 0)
                        _exit(EXIT_FAILURE);
                (void) close_range(STDIN_FILENO, STDERR_FILENO, 0);
                (void) close_range(5, ~0U, 0);
                pump_main(input);
        }
        safe_close(input ? p[1] : p[0]);
        *ret_end = input ? p[0] : p[1];
        *ret_pid = pid;
        return 0;
}

/* Whether the container's /dev/null is cell's own: not where the unit
 * mounts something of its own at /dev (TemporaryFileSystem=/dev, Bind=)
 * or at /dev/null, or over the whole root. */
static bool stdio_own_null(const Plan *p) {
        for (size_t i = 0; i < p->n_mounts; i++)
                if (p->mounts[i].line != 0 && (streq(p->mounts[i].target, "/") ||
                                               streq(p->mounts[i].target, "/dev") ||
                                               streq(p->mounts[i].target, "/dev/null")))
                        return false;
        return true;
}

/* Where the container's /dev/null may be none (the unit's own /dev), a null
 * device of ours goes as any other file of the host's: through a pipe. */
static void stdio_classify(const Plan *p, StdioKind kind[static 3]) {
        bool own_null = stdio_own_null(p);

        for (int fd = 0; fd < 3; fd++) {
                kind[fd] = stdio_kind(fd);
                if (kind[fd] == STDIO_NULL && !own_null)
                        kind[fd] = STDIO_HOST;
        }
}

int run_stdio_start(RunStdio *s) {
        int r;

        if (!s->want_pump || s->pump > 0)
                return 0;
        r = pump_start(STDIN_FILENO, "cell-stdin", &s->input_fd, &s->pump);
        if (r < 0)
                return log_error_errno(r, "Starting cell-stdin for the payload's standard input: %m");
        log_debug("cell-stdin (PID %d) copies our standard input, a file of the host's, to the payload.",
                  (int) s->pump);
        return 0;
}

void run_stdio_guard(const Plan *p, bool pipe_mode, RunStdio *ret) {
        RunStdio s = RUN_STDIO_NULL;
        StdioKind kind[3];

        *ret = s;
        /* With PrivateUsers= the host's files are not the container root's. */
        if (!pipe_mode || (p->namespaces & CLONE_NEWUSER))
                return;
        stdio_classify(p, kind);
        /* Each on its own: beside a relayed output, the other keeps its
         * pipe, or gets the container's /dev/null, as it would alone. */
        for (int fd = 0; fd < 3; fd++) {
                if (kind[fd] == STDIO_NULL)
                        s.null_fds |= 1u << fd;
                if (fd > 0 && kind[fd] == STDIO_HOST)
                        s.relay_fds |= 1u << fd;
        }
        s.want_pump = kind[0] == STDIO_HOST;
        *ret = s;
}

void run_stdio_close_input(RunStdio *s) {
        s->input_fd = safe_close(s->input_fd);
}

void run_stdio_done(RunStdio *s) {
        run_stdio_close_input(s);
        if (s->pump > 0) {
                /* Ours until reaped: the PID is no other process's. */
                (void) kill(s->pump, SIGKILL);
                (void) waitpid(s->pump, NULL, 0);
        }
        s->pump = 0;
}

/* The pumps, as ps shows them. */
static const char *const pump_names[3] = { "cell-stdin", "cell-stdout", "cell-stderr" };

int exec_stdio_guard(const Plan *p, bool host_root, ExecStdio *ret) {
        ExecStdio s = EXEC_STDIO_NULL;
        StdioKind kind[3];

        *ret = s;
        if (!host_root)
                return 0;
        stdio_classify(p, kind);
        for (int fd = 0; fd < 3; fd++) {
                int r;

                if (kind[fd] == STDIO_NULL)
                        s.null_fds |= 1u << fd;
                if (kind[fd] != STDIO_HOST)
                        continue;
                r = pump_start(fd, pump_names[fd], &s.child_fds[fd], &s.pumps[fd]);
                if (r < 0) {
                        exec_stdio_finish(&s);
                        return log_error_errno(r, "Starting %s for the command's fd %d, a file of the host's: %m",
                                               pump_names[fd], fd);
                }
        }
        *ret = s;
        return 0;
}

int exec_stdio_child(const ExecStdio *s, SpawnError *err) {

        for (int fd = 0; fd < 3; fd++)
                if (s->child_fds[fd] >= 0 && dup2(s->child_fds[fd], fd) < 0)
                        return spawn_error(err, errno, "making %s's pipe fd %d", pump_names[fd], fd);
        /* The container's, in its root: ours is the host's. */
        return spawn_stdio_null(s->null_fds, err);
}

void exec_stdio_close_child_ends(ExecStdio *s) {
        for (int fd = 0; fd < 3; fd++)
                s->child_fds[fd] = safe_close(s->child_fds[fd]);
}

/* Whether PID ended before DEADLINE: its pidfd polled (a wait without
 * ticks), or where the kernel has none (before 5.3), waitpid() every ms. */
static bool pump_wait_until(pid_t pid, uint64_t deadline) {
        _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);       /* close-on-exec, always */

        for (;;) {
                uint64_t now = now_monotonic_usec();

                if (waitpid(pid, NULL, WNOHANG) != 0)
                        return true;
                if (now >= deadline)
                        return false;
                if (pidfd < 0)
                        (void) usleep(1000);
                else
                        (void) poll(&(struct pollfd) { .fd = pidfd, .events = POLLIN }, 1,
                                    (int) ((deadline - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC));
        }
}

void exec_stdio_finish(ExecStdio *s) {
        uint64_t deadline = now_monotonic_usec() + STDIO_DRAIN_USEC;

        exec_stdio_close_child_ends(s);
        /* The input's pump has nothing left to give. */
        if (s->pumps[0] > 0)
                (void) kill(s->pumps[0], SIGKILL);
        /* The outputs': all that the command wrote, unless what it left
         * running holds the pipe past the deadline. */
        for (int fd = 0; fd < 3; fd++) {
                if (s->pumps[fd] <= 0)
                        continue;
                if (!pump_wait_until(s->pumps[fd], deadline)) {
                        (void) kill(s->pumps[fd], SIGKILL);
                        (void) waitpid(s->pumps[fd], NULL, 0);
                }
                s->pumps[fd] = 0;
        }
}
