/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"
#include "parse-util.h"
#include "signal-util.h"

/* systemd's names, in a table of our own: glibc's sigabbrev_np() calls 29
 * POLL, which systemd neither prints nor reads; it says IO. */
static const char * const signal_names[] = {
        [SIGHUP]    = "HUP",
        [SIGINT]    = "INT",
        [SIGQUIT]   = "QUIT",
        [SIGILL]    = "ILL",
        [SIGTRAP]   = "TRAP",
        [SIGABRT]   = "ABRT",
        [SIGBUS]    = "BUS",
        [SIGFPE]    = "FPE",
        [SIGKILL]   = "KILL",
        [SIGUSR1]   = "USR1",
        [SIGSEGV]   = "SEGV",
        [SIGUSR2]   = "USR2",
        [SIGPIPE]   = "PIPE",
        [SIGALRM]   = "ALRM",
        [SIGTERM]   = "TERM",
        [SIGSTKFLT] = "STKFLT",
        [SIGCHLD]   = "CHLD",
        [SIGCONT]   = "CONT",
        [SIGSTOP]   = "STOP",
        [SIGTSTP]   = "TSTP",
        [SIGTTIN]   = "TTIN",
        [SIGTTOU]   = "TTOU",
        [SIGURG]    = "URG",
        [SIGXCPU]   = "XCPU",
        [SIGXFSZ]   = "XFSZ",
        [SIGVTALRM] = "VTALRM",
        [SIGPROF]   = "PROF",
        [SIGWINCH]  = "WINCH",
        [SIGIO]     = "IO",
        [SIGPWR]    = "PWR",
        [SIGSYS]    = "SYS",
};

const char *signal_name(int sig) {
        return sig > 0 && (size_t) sig < ELEMENTSOF(signal_names) ? signal_names[sig] : NULL;
}

const char *signal_to_string(int sig, char buf[static SIGNAL_STRING_MAX]) {
        const char *n;

        /* Real-time signals by their offset, as systemd writes them. */
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
                if (sig == SIGRTMIN)
                        snprintf(buf, SIGNAL_STRING_MAX, "SIGRTMIN");
                else
                        snprintf(buf, SIGNAL_STRING_MAX, "SIGRTMIN+%d", sig - SIGRTMIN);
                return buf;
        }
        n = signal_name(sig);
        if (n)
                snprintf(buf, SIGNAL_STRING_MAX, "SIG%s", n);
        else
                snprintf(buf, SIGNAL_STRING_MAX, "%d", sig);
        return buf;
}

int status_signals_ignored(const char *status, uint64_t *ret) {
        const char *p;
        uint64_t mask = 0;
        size_t n = 0;

        if (!status || !ret)
                return -EINVAL;
        p = strncmp(status, "SigIgn:", 7) == 0 ? status : strstr(status, "\nSigIgn:");
        if (!p)
                return -EBADMSG;
        p += *p == '\n' ? 8 : 7;
        p += strspn(p, " \t");
        /* The kernel prints the whole mask: 16 hex digits for 64 signals. */
        for (; n < 16; n++, p++) {
                int v = unhexchar(*p);
                if (v < 0)
                        return -EBADMSG;
                mask = mask << 4 | (uint64_t) v;
        }
        if (*p != '\n' && *p != 0)
                return -EBADMSG;
        *ret = mask;
        return 0;
}

uint64_t signals_ignored_self(void) {
        uint64_t ignored = UINT64_MAX;
        _cleanup_close_ int fd = -EBADF;
        char status[4096];
        ssize_t n;

        /* One read of our status instead of a system call for each of 62
         * signals. A status longer than the buffer (thousands of Groups:)
         * or no procfs: every signal. */
        fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0 && (n = read(fd, status, sizeof status - 1)) > 0) {
                status[n] = 0;
                if (status_signals_ignored(status, &ignored) < 0)
                        ignored = UINT64_MAX;
        }
        return ignored;
}

void signals_reset(uint64_t mask) {
        struct sigaction sa = { .sa_handler = SIG_DFL };

        for (int sig = 1; sig < _NSIG && sig <= 64; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && (mask & UINT64_C(1) << (sig - 1)))
                        (void) sigaction(sig, &sa, NULL);
}

bool signal_ignore_kept(int sig) {
        struct sigaction sa;

        if (sig != SIGHUP && sig != SIGINT && sig != SIGQUIT)
                return false;
        return sigaction(sig, NULL, &sa) >= 0 && sa.sa_handler == SIG_IGN;
}
