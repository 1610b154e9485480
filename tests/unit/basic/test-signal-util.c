/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signal-util.h"
#include "test.h"

TEST(names_as_systemd) {
        ASSERT_STREQ(signal_name(SIGTERM), "TERM");
        ASSERT_STREQ(signal_name(SIGIO), "IO");
        ASSERT_NULL(signal_name(0));
        ASSERT_NULL(signal_name(SIGRTMIN));
        ASSERT_NULL(signal_name(-1));
}

TEST(to_string) {
        char buf[SIGNAL_STRING_MAX];

        ASSERT_STREQ(signal_to_string(SIGKILL, buf), "SIGKILL");
        ASSERT_STREQ(signal_to_string(SIGIO, buf), "SIGIO");
        ASSERT_STREQ(signal_to_string(SIGRTMIN, buf), "SIGRTMIN");
        ASSERT_STREQ(signal_to_string(SIGRTMIN + 3, buf), "SIGRTMIN+3");
        ASSERT_STREQ(signal_to_string(SIGRTMAX, buf), "SIGRTMIN+30");
        ASSERT_STREQ(signal_to_string(0, buf), "0");
        ASSERT_STREQ(signal_to_string(200, buf), "200");
}

TEST(status_signals_ignored) {
        uint64_t m = 7;

        /* As the kernel prints it, SigIgn between SigBlk and SigCgt. */
        ASSERT_OK(status_signals_ignored("Name:\tcell\nSigBlk:\t0000000000010000\n"
                                         "SigIgn:\t0000000200001000\nSigCgt:\t0000000000000000\n", &m));
        ASSERT_EQ(m, (UINT64_C(1) << (SIGPIPE - 1)) | (UINT64_C(1) << (34 - 1)));
        ASSERT_OK(status_signals_ignored("SigIgn:\tffffffffffffffff\n", &m));
        ASSERT_EQ(m, UINT64_MAX);
        ASSERT_OK(status_signals_ignored("SigIgn:\t0000000000000000", &m));
        ASSERT_EQ(m, UINT64_C(0));

        /* SigIgn only at a line's start; the whole mask or nothing. */
        m = 7;
        ASSERT_ERROR(status_signals_ignored("Name:\tSigIgn:\t0000000000001000\n", &m), EBADMSG);
        ASSERT_ERROR(status_signals_ignored("SigCgt:\t0000000000001000\n", &m), EBADMSG);
        ASSERT_ERROR(status_signals_ignored("SigIgn:\t00000000001000\n", &m), EBADMSG);
        ASSERT_ERROR(status_signals_ignored("SigIgn:\t00000000000010000\n", &m), EBADMSG);
        ASSERT_ERROR(status_signals_ignored("SigIgn:\t000000000000x000\n", &m), EBADMSG);
        ASSERT_ERROR(status_signals_ignored("", &m), EBADMSG);
        ASSERT_EQ(m, UINT64_C(7));
        ASSERT_ERROR(status_signals_ignored(NULL, &m), EINVAL);
}

TEST(status_signals_ignored_of_ours) {
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        char buf[8192];
        uint64_t m;
        ssize_t n;
        int fd;

        ASSERT_OK(sigaction(SIGUSR2, &ign, &old));
        ASSERT_TRUE((fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)) >= 0);
        ASSERT_TRUE((n = read(fd, buf, sizeof buf - 1)) > 0);
        buf[n] = 0;
        close(fd);
        ASSERT_OK(sigaction(SIGUSR2, &old, NULL));
        ASSERT_OK(status_signals_ignored(buf, &m));
        ASSERT_TRUE(m & (UINT64_C(1) << (SIGUSR2 - 1)));
}

static void on_usr1(int sig) {
        (void) sig;
}

static void *disposition(int sig) {
        struct sigaction sa;

        ASSERT_OK(sigaction(sig, NULL, &sa));
        return (void *) sa.sa_handler;
}

/* In a child: what it ignores goes back to SIG_DFL, a handler stays (exec
 * resets that), and nothing else changes. */
TEST(signals_reset_ignored_self) {
        pid_t pid;
        int status;

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                struct sigaction ign = { .sa_handler = SIG_IGN }, h = { .sa_handler = on_usr1 };
                uint64_t m;

                ASSERT_OK(sigaction(SIGINT, &ign, NULL));
                ASSERT_OK(sigaction(SIGRTMIN + 2, &ign, NULL));
                ASSERT_OK(sigaction(SIGUSR1, &h, NULL));
                m = signals_ignored_self();
                ASSERT_TRUE(m & (UINT64_C(1) << (SIGINT - 1)));
                ASSERT_TRUE(m & (UINT64_C(1) << (SIGRTMIN + 2 - 1)));
                ASSERT_FALSE(m & (UINT64_C(1) << (SIGUSR1 - 1)));
                signals_reset(m);
                ASSERT_TRUE(disposition(SIGINT) == (void *) SIG_DFL);
                ASSERT_TRUE(disposition(SIGRTMIN + 2) == (void *) SIG_DFL);
                ASSERT_TRUE(disposition(SIGUSR1) == (void *) on_usr1);
                ASSERT_EQ(signals_ignored_self(), UINT64_C(0));

                /* A mask of every signal (status unreadable) skips KILL and STOP. */
                ASSERT_OK(sigaction(SIGTERM, &ign, NULL));
                signals_reset(UINT64_MAX);
                ASSERT_TRUE(disposition(SIGTERM) == (void *) SIG_DFL);
                ASSERT_TRUE(disposition(SIGUSR1) == (void *) SIG_DFL);
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(ignore_kept_terminal_signals_only) {
        struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_usr1;

        ASSERT_FALSE(signal_ignore_kept(SIGINT));
        ASSERT_OK(sigaction(SIGINT, &ign, &old_int));
        ASSERT_OK(sigaction(SIGUSR1, &ign, &old_usr1));
        /* A background job's SIGINT: kept; an ignored SIGUSR1 is no terminal's. */
        ASSERT_TRUE(signal_ignore_kept(SIGINT));
        ASSERT_FALSE(signal_ignore_kept(SIGUSR1));
        ASSERT_FALSE(signal_ignore_kept(SIGTERM));
        ASSERT_OK(sigaction(SIGINT, &old_int, NULL));
        ASSERT_OK(sigaction(SIGUSR1, &old_usr1, NULL));
        ASSERT_FALSE(signal_ignore_kept(SIGINT));
}
