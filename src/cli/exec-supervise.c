/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec-supervise.h"
#include "log.h"
#include "macros.h"
#include "signal-util.h"
#include "supervise-common.h"

int exec_signals(sigset_t *ret) {
        static const int own[] = { SIGCHLD, SIGTSTP, SIGCONT };
        const int *forwarded;
        size_t n;

        sigemptyset(ret);
        /* Those cell run forwards to its payload (supervise-common.h): each
         * would end us by its default action (SIGALRM, SIGPWR, the real-time
         * ones, ...), and the command with us (PR_SET_PDEATHSIG) before it
         * could act on it, what it started left behind. A SIGHUP, SIGINT or
         * SIGQUIT our caller ignores (nohup, a script's background job) is
         * left out and stays ignored, as there. */
        forwarded = supervise_forwarded_signals(&n);
        for (size_t i = 0; i < n; i++)
                sigaddset(ret, forwarded[i]);
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                sigaddset(ret, own[i]);
        return RET_NERRNO(sigprocmask(SIG_BLOCK, ret, NULL));
}

/* Whether a job-control shell runs us: our parent in our session, in another
 * process group. Else our group is orphaned, where the kernel drops ^Z. */
static bool exec_in_a_job(void) {
        pid_t parent = getppid();

        return getsid(parent) == getsid(0) && getpgid(parent) != getpgrp();
}

/* One signal that reached us, passed on to the command (pidfd). */
static void exec_signal(int pidfd, int sig, PtyForward *f, bool escaped) {
        bool stop;

        if (sig == SIGCHLD)
                return;
        if (f && sig == SIGWINCH) {
                /* The pty's own SIGWINCH goes to its foreground job. */
                pty_forward_resize(f);
                return;
        }
        if (f && sig == SIGTSTP) {
                pty_forward_stop(f, !escaped);    /* the command, on a terminal of its own, runs on */
                return;
        }
        /* Continued ("fg", or after any SIGSTOP): raw again, and the size the
         * terminal has now. A shell restores its own settings when a job
         * stops: without this, our input was echoed twice and ^C, ^Z were
         * ours. Passed on too (the command may have been stopped with us). */
        if (f && sig == SIGCONT && !escaped)
                pty_forward_resume(f);
        /* The command has a session of its own: the terminal's signals
         * (^C, ^\, a resize, a hang-up) reach only us.
         * ^Z in a shell's job: the command's group is orphaned, where the
         * kernel drops SIGTSTP, so it gets SIGSTOP and stops with us; "fg"
         * continues both (SIGCONT). */
        stop = sig == SIGTSTP && exec_in_a_job();
        (void) syscall(SYS_pidfd_send_signal, pidfd, stop ? SIGSTOP : sig, NULL, 0);
        if (stop)
                (void) raise(SIGSTOP);
}

/* ^] three times on our terminal (PTY_FORWARD_ESCAPE), as cell run's
 * console: the way out of a command that takes ^C as nothing, or hangs.
 * It goes at once, whatever it does with signals; we exit as for any
 * command killed by SIGKILL. Our input is no longer read. */
static void exec_escape(int pidfd, PtyForward *f) {
        /* Cooked again, so that this message and what the command still
         * writes come out in lines; restored (again) at the end. */
        pty_forward_suspend(f);
        log_warning("^] three times: killing the command.");
        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

/* Forwards signals (and with a pty, our terminal) to the child until it
 * exits; returns its exit status. */
int exec_supervise(pid_t pid, int pidfd, int sigfd, PtyForward *f) {
        struct pollfd p[2 + PTY_FORWARD_POLL_MAX] = { { .fd = pidfd, .events = POLLIN },
                                                      { .fd = sigfd, .events = POLLIN } };
        bool escaped = false;

        for (;;) {
                size_t n = 2 + (f ? pty_forward_poll_fds(f, p + 2) : 0);

                if (poll(p, n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "Waiting for the command (poll): %m");
                }
                if (f)
                        (void) pty_forward_dispatch(f, p + 2, n - 2);
                if (f && f->escaped && !escaped) {
                        escaped = true;
                        exec_escape(pidfd, f);
                }
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof si) == sizeof si)
                                exec_signal(pidfd, (int) si.ssi_signo, f, escaped);
                }
                if (p[0].revents & POLLIN) {
                        siginfo_t si = {};
                        if (waitid(P_PID, (id_t) pid, &si, WEXITED) < 0)
                                return log_error_errno(errno, "Reaping the command (waitid): %m");
                        if (f)
                                pty_forward_drain(f);
                        if (si.si_code == CLD_EXITED)
                                return si.si_status;
                        return 128 + si.si_status;
                }
        }
}
