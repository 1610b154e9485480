/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <seccomp.h>

#include "caps.h"
#include "init.h"
#include "log.h"
#include "process-name.h"
#include "signal-util.h"

int init_reaper_loop(pid_t payload, int sigfd) {
        for (;;) {
                struct signalfd_siginfo si;
                ssize_t n = read(sigfd, &si, sizeof si);

                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return 255;
                }
                if (n != sizeof si)
                        continue;

                if (si.ssi_signo != SIGCHLD) {
                        /* Whatever reaches PID 1 is meant for the payload,
                         * but "cell kill --all"'s, from outside the
                         * container (no PID here): the payload got that
                         * one itself, and a second would count twice. */
                        if (si.ssi_code == SI_QUEUE && si.ssi_pid == 0 &&
                            si.ssi_int == SIGNAL_VALUE_EVERY_PROCESS)
                                continue;
                        (void) kill(payload, (int) si.ssi_signo);
                        continue;
                }

                /* Several children may have exited behind one SIGCHLD. */
                for (;;) {
                        int status;
                        pid_t pid = waitpid(-1, &status, WNOHANG);

                        if (pid <= 0)
                                break;
                        if (pid != payload)
                                continue;
                        if (WIFEXITED(status))
                                return WEXITSTATUS(status);
                        if (WIFSIGNALED(status))
                                return 128 + WTERMSIG(status);
                }
        }
}

static void seccomp_releasep(scmp_filter_ctx *c) {
        seccomp_release(*c);
}

int init_reaper_seal(void) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx c = NULL;
        static const int allowed[] = {
                SCMP_SYS(read),                 /* the signalfd */
                SCMP_SYS(kill),                 /* forwarding to the payload */
                SCMP_SYS(wait4),                /* waitpid() */
                SCMP_SYS(waitid),
                SCMP_SYS(exit_group),
                SCMP_SYS(exit),
                SCMP_SYS(restart_syscall),
                SCMP_SYS(rt_sigreturn),
#ifdef __SANITIZE_ADDRESS__
                /* The sanitizer's runtime at _exit(): it takes down its
                 * alternate signal stack (test builds only). */
                SCMP_SYS(sigaltstack), SCMP_SYS(munmap),
#endif
        };
        int r;

        /* Anything else, or the same through another ABI's entry point,
         * fails with EPERM: a call the loop does not make is one injected. */
        c = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        if (!c)
                return -ENOMEM;
        r = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM));
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
                r = seccomp_rule_add(c, SCMP_ACT_ALLOW, allowed[i], 0);
                if (r < 0)
                        return r;
        }
        return seccomp_load(c);
}

_noreturn_ void init_reaper(pid_t payload) {
        sigset_t all;
        int sigfd;

        /* Every signal stays blocked (the mask is inherited from the
         * supervisor and completed here) and is read from a signalfd: PID 1
         * of a namespace only gets signals it does not leave at SIG_DFL, and
         * blocked ones are queued. */
        sigfillset(&all);
        (void) sigprocmask(SIG_BLOCK, &all, NULL);
        sigfd = signalfd(-1, &all, SFD_CLOEXEC);
        if (sigfd < 0) {
                (void) kill(payload, SIGKILL);
                _exit(255);
        }

        /* The reaper needs nothing but to signal the payload and wait. */
        (void) caps_bounding_set(UINT64_C(1) << CAP_KILL, NULL);
        (void) caps_apply(UINT64_C(1) << CAP_KILL, UINT64_C(1) << CAP_KILL, 0, 0, NULL);
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        /* Its command line, which every process of the container reads at
         * /proc/1/cmdline, was cell's: the host's paths of cell and the unit. */
        process_cmdline_set("(cell-init)");
        /* /proc/1/exe is cell's binary on the host: keep it unreachable. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* The payload's filter is not ours: a payload allowed to ptrace
         * (CAP_SYS_PTRACE without PrivateUsers=) could make us call what
         * its own filter denies. Without a filter, no reaper at all. */
        int r = init_reaper_seal();
        if (r < 0) {
                (void) kill(payload, SIGKILL);
                log_error_errno(r, "Init=yes: cannot load the reaper's system call filter, ending the payload: %m");
                _exit(255);
        }

        _exit(init_reaper_loop(payload, sigfd));
}
