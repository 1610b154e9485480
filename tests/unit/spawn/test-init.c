/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Init=yes reaper's loop, in a forked subreaper (not a PID 1). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "init.h"
#include "signal-util.h"
#include "test.h"

static void on_usr1(int sig) {
        _exit(5);
}

typedef enum Mode {
        MODE_ORPHANS,   /* the payload leaves an orphan, waits, exits 5 */
        MODE_FORWARD,   /* the payload exits 5 on the forwarded SIGUSR1 */
        MODE_DIE,       /* the payload kills itself with SIGTERM */
        MODE_EVERY,     /* "cell kill --all"'s SIGUSR1 is not forwarded: the payload exits 6 */
} Mode;

/* The reaper side, as a subreaper. Exits with the loop's status, or 99 if
 * a child was left unreaped. */
static _noreturn_ void reaper(Mode mode) {
        sigset_t all;
        int p[2], sigfd, status;
        char c;
        pid_t payload;

        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        sigfd = signalfd(-1, &all, SFD_CLOEXEC);
        if (sigfd < 0 || pipe2(p, O_CLOEXEC) < 0)
                _exit(98);

        payload = fork();
        if (payload == 0) {
                sigset_t none;
                pid_t x;

                signal(SIGUSR1, on_usr1);
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                switch (mode) {
                case MODE_ORPHANS: {
                        /* Y outlives X: an orphan for the reaper. No sleep
                         * orders the steps (a loaded host stretches any):
                         * Y exits once it is the reaper's, the payload
                         * once the reaper has reaped Y. Were the payload's
                         * exit first, one waitpid() pass would find the
                         * payload before Y and leave Y (status 99). */
                        int q[2];
                        pid_t y;

                        if (pipe2(q, O_CLOEXEC) < 0)
                                _exit(90);
                        x = fork();
                        if (x == 0) {
                                pid_t me = getpid();

                                y = fork();
                                if (y == 0) {
                                        for (int i = 0; getppid() == me && i < 60000; i++)
                                                (void) usleep(1000);
                                        _exit(0);
                                }
                                _exit(y < 0 || write(q[1], &y, sizeof y) != sizeof y);
                        }
                        waitpid(x, NULL, 0);
                        if (read(q[0], &y, sizeof y) != sizeof y)
                                _exit(91);
                        /* Reaped: gone, not even a zombie (up to 60 s). */
                        for (int i = 0; kill(y, 0) == 0; i++) {
                                if (i >= 60000)
                                        _exit(95);
                                (void) usleep(1000);
                        }
                        _exit(5);
                }
                case MODE_EVERY:
                        (void) !write(p[1], "x", 1);
                        usleep(300 * 1000);
                        _exit(6);
                case MODE_FORWARD:
                        (void) !write(p[1], "x", 1);
                        for (;;)
                                pause();
                case MODE_DIE:
                        signal(SIGTERM, SIG_DFL);
                        kill(getpid(), SIGTERM);
                        _exit(97);
                default:
                        _exit(96);
                }
        }
        safe_close(p[1]);
        if (mode == MODE_FORWARD) {
                if (read(p[0], &c, 1) != 1)
                        _exit(97);
                kill(getpid(), SIGUSR1);        /* to be forwarded */
        }
        if (mode == MODE_EVERY) {
                /* As from outside the container (no PID), with cell's value. */
                siginfo_t si = { .si_signo = SIGUSR1, .si_code = SI_QUEUE };

                si.si_value.sival_int = SIGNAL_VALUE_EVERY_PROCESS;
                if (read(p[0], &c, 1) != 1 || syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si) < 0)
                        _exit(97);
        }
        /* As init_reaper() does: the loop runs sealed, and anything else
         * (here openat, getpid) fails. */
        if (init_reaper_seal() < 0)
                _exit(94);
        if (open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0 || errno != EPERM)
                _exit(93);
        if (syscall(SYS_getpid) != -1 || errno != EPERM)
                _exit(92);
        status = init_reaper_loop(payload, sigfd);
        while (waitpid(-1, NULL, WNOHANG) > 0)
                status = 99;
        _exit(status);
}

static int run_reaper(Mode mode) {
        int status;
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                reaper(mode);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        return WEXITSTATUS(status);
}

TEST(reaps_orphans_and_returns_the_payload_status) {
        ASSERT_EQ(run_reaper(MODE_ORPHANS), 5);
}

TEST(forwards_signals_to_the_payload) {
        ASSERT_EQ(run_reaper(MODE_FORWARD), 5);
}

TEST(payload_killed_by_a_signal_gives_128_plus_n) {
        ASSERT_EQ(run_reaper(MODE_DIE), 128 + SIGTERM);
}

/* "cell kill --all" signals the payload itself, then PID 1 with its value:
 * passed on, the payload would get it twice. */
TEST(does_not_forward_a_signal_every_process_got) {
        ASSERT_EQ(run_reaper(MODE_EVERY), 6);
}
