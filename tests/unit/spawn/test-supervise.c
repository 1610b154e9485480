/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor loop against a real child process (no namespaces). */
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "supervise.h"
#include "test.h"

static void on_usr1(int sig) {
        _exit(42);
}

static void on_hup(int sig) {
        _exit(43);
}

/* A child that exits 42 on SIGUSR1 and 43 on SIGHUP (or ignores SIGUSR1);
 * returns once its handlers are in place. */
static pid_t child_start(bool ignore_usr1, int *ret_pidfd) {
        int p[2];
        char c;
        pid_t pid;

        ASSERT_OK(pipe2(p, O_CLOEXEC));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                sigset_t none;

                signal(SIGUSR1, ignore_usr1 ? SIG_IGN : on_usr1);
                signal(SIGHUP, on_hup);
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                (void) !write(p[1], "x", 1);
                for (;;)
                        pause();
        }
        safe_close(p[1]);
        ASSERT_EQ(read(p[0], &c, 1), 1);
        safe_close(p[0]);
        *ret_pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        ASSERT_TRUE(*ret_pidfd >= 0);
        return pid;
}

/* Runs the supervisor until the child exits, after raising sig at ourselves. */
static int supervise_with(const Plan *p, bool ignore_usr1, int sig) {
        Event *e = NULL;
        Supervisor *s = NULL;
        int pidfd, status = -1;
        pid_t pid;

        ASSERT_OK(supervise_block_signals());
        ASSERT_OK(event_new(&e));
        ASSERT_OK(supervisor_new(p, e, &s));
        pid = child_start(ignore_usr1, &pidfd);
        ASSERT_OK(supervisor_watch(s, pid, pidfd));
        ASSERT_OK(kill(getpid(), sig));
        ASSERT_OK(supervisor_run(s, &status));
        supervisor_free(s);
        event_unref(e);
        safe_close(pidfd);
        return status;
}

TEST(exit_status_mapping) {
        ASSERT_EQ(supervise_exit_status(CLD_EXITED, 0), 0);
        ASSERT_EQ(supervise_exit_status(CLD_EXITED, 7), 7);
        ASSERT_EQ(supervise_exit_status(CLD_KILLED, SIGKILL), 137);
        ASSERT_EQ(supervise_exit_status(CLD_DUMPED, SIGSEGV), 139);
}

TEST(orderly_stop) {
        /* asked to stop, and ended of the KillSignal= sent: 0 */
        ASSERT_TRUE(supervise_orderly_stop(CLD_KILLED, SIGTERM, true, 0, false));
        ASSERT_TRUE(supervise_orderly_stop(CLD_KILLED, SIGUSR1, true, SIGUSR1, false));
        ASSERT_TRUE(supervise_orderly_stop(CLD_EXITED, 128 + SIGTERM, true, SIGTERM, true));
        /* not asked, another signal, SIGKILL after the timeout, an exit status of its own */
        ASSERT_FALSE(supervise_orderly_stop(CLD_KILLED, SIGTERM, false, SIGTERM, false));
        ASSERT_FALSE(supervise_orderly_stop(CLD_KILLED, SIGKILL, true, SIGTERM, false));
        ASSERT_FALSE(supervise_orderly_stop(CLD_KILLED, SIGKILL, true, SIGKILL, false));
        ASSERT_FALSE(supervise_orderly_stop(CLD_KILLED, SIGINT, true, SIGTERM, false));
        ASSERT_FALSE(supervise_orderly_stop(CLD_EXITED, 1, true, SIGTERM, false));
        ASSERT_FALSE(supervise_orderly_stop(CLD_EXITED, 128 + SIGTERM, true, SIGTERM, false));
        ASSERT_FALSE(supervise_orderly_stop(CLD_DUMPED, SIGTERM, true, SIGTERM, false));
}

/* An OOM kill in the container's cgroup names the payload only when the
 * payload is what died of it (SIGKILL; 137 from Init=yes's reaper). */
TEST(oom_message) {
        const char *payload = "The payload was killed by the OOM killer (MemoryMax=).";
        const char *other = "A process of the container was killed by the OOM killer (MemoryMax=), not the payload itself.";

        ASSERT_STREQ(supervise_oom_message(CLD_KILLED, SIGKILL, false), payload);
        ASSERT_STREQ(supervise_oom_message(CLD_EXITED, 128 + SIGKILL, true), payload);
        /* A shell whose child was killed exits 137 of its own. */
        ASSERT_STREQ(supervise_oom_message(CLD_EXITED, 128 + SIGKILL, false), other);
        ASSERT_STREQ(supervise_oom_message(CLD_EXITED, 0, false), other);
        ASSERT_STREQ(supervise_oom_message(CLD_EXITED, 0, true), other);
        ASSERT_STREQ(supervise_oom_message(CLD_KILLED, SIGTERM, false), other);
        ASSERT_STREQ(supervise_oom_message(CLD_DUMPED, SIGSEGV, false), other);
}

/* Boot=yes: the kernel's end of an init for a reboot() in its PID namespace,
 * read as systemd-nspawn does; without Boot=yes the plain mapping. */
TEST(boot_end_status) {
        SuperviseEnd e = { .code = CLD_KILLED, .status = SIGHUP, .boot = true };

        ASSERT_EQ(supervise_end_status(&e), SUPERVISE_EXIT_REBOOTED);
        ASSERT_EQ(SUPERVISE_EXIT_REBOOTED, 133);
        e.stop_requested = true;        /* the stop ended it: a clean end */
        ASSERT_EQ(supervise_end_status(&e), 0);
        e = (SuperviseEnd) { .code = CLD_KILLED, .status = SIGINT, .boot = true };
        ASSERT_EQ(supervise_end_status(&e), 0);
        e.boot = false;
        ASSERT_EQ(supervise_end_status(&e), 128 + SIGINT);
        e = (SuperviseEnd) { .code = CLD_KILLED, .status = SIGHUP };
        ASSERT_EQ(supervise_end_status(&e), 128 + SIGHUP);
        /* Other ends keep their meaning under Boot=yes. */
        e = (SuperviseEnd) { .code = CLD_EXITED, .status = 3, .boot = true };
        ASSERT_EQ(supervise_end_status(&e), 3);
        e = (SuperviseEnd) { .code = CLD_KILLED, .status = SIGKILL, .boot = true, .stop_requested = true,
                             .kill_signal = SIGRTMIN + 3 };
        ASSERT_EQ(supervise_end_status(&e), 128 + SIGKILL);
        e = (SuperviseEnd) { .code = CLD_KILLED, .status = SIGRTMIN + 3, .boot = true, .stop_requested = true,
                             .kill_signal = SIGRTMIN + 3 };
        ASSERT_EQ(supervise_end_status(&e), 0);
}

/* TimeoutStopSec= as long as a time span may be ("584542y" is 16 days short
 * of 2^64 us) at an uptime past what is left: the SIGKILL is never due, not
 * due at once (now + timeout wrapped around). */
TEST(kill_at_saturates) {
        uint64_t now = 100 * USEC_PER_SEC, longest = USEC_INFINITY - 1;

        ASSERT_EQ_U64(supervise_kill_at(now, 90 * USEC_PER_SEC), now + 90 * USEC_PER_SEC);
        ASSERT_EQ_U64(supervise_kill_at(now, longest), USEC_INFINITY);
        ASSERT_EQ_U64(supervise_kill_at(now, USEC_INFINITY - now - 1), USEC_INFINITY - 1);
        ASSERT_EQ_U64(supervise_kill_at(now, USEC_INFINITY - now), USEC_INFINITY);
        ASSERT_EQ_U64(supervise_kill_at(now, USEC_INFINITY), USEC_INFINITY);
        /* An extension of such a SIGKILL puts nothing earlier. */
        ASSERT_EQ_U64(supervise_extend_kill_at(supervise_kill_at(now, longest), now + 1, USEC_PER_SEC),
                      USEC_INFINITY);
}

TEST(sigterm_becomes_kill_signal) {
        Plan p = { .kill_signal = SIGUSR1, .timeout_stop_usec = USEC_INFINITY };

        unsetenv("NOTIFY_SOCKET");
        ASSERT_EQ(supervise_with(&p, false, SIGTERM), 42);
}

TEST(other_signals_are_forwarded_as_they_are) {
        Plan p = { .kill_signal = SIGUSR1, .timeout_stop_usec = USEC_INFINITY };

        ASSERT_EQ(supervise_with(&p, false, SIGHUP), 43);
}

TEST(timeout_stop_ends_in_sigkill) {
        Plan p = { .kill_signal = SIGUSR1, .timeout_stop_usec = 100 * USEC_PER_MSEC };

        ASSERT_EQ(supervise_with(&p, true, SIGTERM), 128 + SIGKILL);
}

/* The service's watchdog, the payload's, fired (systemd's SIGABRT): a stop,
 * KillSignal= to the payload, not a core of cell with the payload killed
 * after it. */
TEST(watchdog_abort_is_a_stop) {
        Plan p = { .kill_signal = SIGUSR1, .timeout_stop_usec = USEC_INFINITY };

        ASSERT_OK(supervise_block_watchdog_abort());
        ASSERT_EQ(supervise_with(&p, false, SIGABRT), 42);
}

static int on_extend(EventSource *source, uint64_t usec, void *userdata) {
        supervisor_extend_stop(userdata, 30 * USEC_PER_SEC);
        return 0;
}

static int on_hup_later(EventSource *source, uint64_t usec, void *userdata) {
        ASSERT_OK(kill(getpid(), SIGHUP));      /* forwarded: the child exits 43 */
        return 0;
}

/* The payload's EXTEND_TIMEOUT_USEC= (supervisor_extend_stop()) puts off the
 * SIGKILL of TimeoutStopSec=, as systemd does for a service's stop. */
TEST(timeout_stop_is_extended) {
        Plan p = { .kill_signal = SIGUSR1, .timeout_stop_usec = 100 * USEC_PER_MSEC };
        EventSource *extend = NULL, *hup = NULL;
        Event *e = NULL;
        Supervisor *s = NULL;
        int pidfd, status = -1;
        pid_t pid;

        ASSERT_OK(supervise_block_signals());
        ASSERT_OK(event_new(&e));
        ASSERT_OK(supervisor_new(&p, e, &s));
        pid = child_start(true, &pidfd);        /* ignores SIGUSR1, the KillSignal= */
        ASSERT_OK(supervisor_watch(s, pid, pidfd));
        /* The stop as SIGTERM's handler starts it, but now: a SIGTERM raised
         * would be read in the loop, and a loaded host may get there only
         * after the 50 ms below, when there is no stop to extend yet. */
        supervisor_stop(s);
        /* 50 ms into the stop: 30 s more; at 400 ms SIGHUP ends the child, past the 100 ms.
         * A loaded host may run the loop again only once the 100 ms are past too:
         * timers due together go by priority, then the earliest due first; ours
         * are the more important anyway. 30 s: the child's time to take the
         * SIGHUP, however loaded the host, and still the SIGKILL of 100 ms put off. */
        ASSERT_OK(event_add_time_relative(e, &extend, 50 * USEC_PER_MSEC, on_extend, s));
        ASSERT_OK(event_source_set_priority(extend, -100));
        ASSERT_OK(event_add_time_relative(e, &hup, 400 * USEC_PER_MSEC, on_hup_later, s));
        ASSERT_OK(event_source_set_priority(hup, -100));
        ASSERT_OK(supervisor_run(s, &status));
        ASSERT_EQ(status, 43);                  /* not 128 + SIGKILL */
        event_source_disable_unref(extend);
        event_source_disable_unref(hup);
        supervisor_free(s);
        event_unref(e);
        safe_close(pidfd);
}

/* A stopped payload (SIGSTOP, ^Z) gets SIGCONT after KillSignal=, as
 * systemd sends it: it ends on its KillSignal= at once, not by the SIGKILL
 * of TimeoutStopSec=. */
TEST(stopped_payload_is_continued_on_stop) {
        Plan p = { .kill_signal = SIGUSR1, .timeout_stop_usec = 20 * USEC_PER_SEC };   /* a loaded host's room */
        Event *e = NULL;
        Supervisor *s = NULL;
        siginfo_t si = {};
        int pidfd, status = -1;
        pid_t pid;

        ASSERT_OK(supervise_block_signals());
        ASSERT_OK(event_new(&e));
        ASSERT_OK(supervisor_new(&p, e, &s));
        pid = child_start(false, &pidfd);
        ASSERT_OK(kill(pid, SIGSTOP));
        ASSERT_OK(waitid(P_PID, (id_t) pid, &si, WSTOPPED|WNOWAIT));
        ASSERT_OK(supervisor_watch(s, pid, pidfd));
        ASSERT_OK(kill(getpid(), SIGTERM));
        ASSERT_OK(supervisor_run(s, &status));
        ASSERT_EQ(status, 42);                  /* its SIGUSR1 handler, not 128 + SIGKILL */
        ASSERT_TRUE(supervise_stop_needs_sigcont(SIGTERM));
        ASSERT_FALSE(supervise_stop_needs_sigcont(SIGKILL));
        supervisor_free(s);
        event_unref(e);
        safe_close(pidfd);
}
