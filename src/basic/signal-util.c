/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "macros.h"
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
