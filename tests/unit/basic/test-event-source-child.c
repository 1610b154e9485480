/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/event-source.c: the child sources as event-loop.h documents
 * them, as sd-event has them. */
#include "event-test.h"

/* A child that waits for a byte on go (its exit status) or for its end. */
static pid_t fork_child(int *ret_pidfd, int *ret_go) {
        int go[2], pidfd;
        pid_t pid;

        ASSERT_OK(pipe2(go, O_CLOEXEC));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                unsigned char c = 0;

                (void) close(go[1]);
                if (read(go[0], &c, 1) != 1)
                        _exit(99);
                _exit(c);
        }
        go[0] = safe_close(go[0]);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        ASSERT_TRUE(pidfd >= 0);
        *ret_pidfd = pidfd;
        *ret_go = go[1];
        return pid;
}

static bool reaped(int pidfd) {
        siginfo_t si = {};

        return waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOHANG) < 0 && errno == ECHILD;
}

TEST(child_exited) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('c');
        int pidfd, go;
        pid_t pid;

        ASSERT_OK(event_new(&e));
        pid = fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);

        /* Alive: nothing. */
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 0u);

        ASSERT_EQ(write(go, "\7", 1), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.source == s);
        ASSERT_EQ(r.si.si_signo, SIGCHLD);
        ASSERT_EQ(r.si.si_code, CLD_EXITED);
        ASSERT_EQ(r.si.si_status, 7);
        ASSERT_EQ(r.si.si_pid, pid);
        /* A zombie for the handler, reaped right after it. */
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 1u);

        /* The pidfd stays ours. */
        s = event_source_disable_unref(s);
        ASSERT_TRUE(fcntl(pidfd, F_GETFD) >= 0);
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_killed) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('c');
        int pidfd, go;
        pid_t pid;

        ASSERT_OK(event_new(&e));
        pid = fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_OK(kill(pid, SIGKILL));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.si.si_code, CLD_KILLED);
        ASSERT_EQ(r.si.si_status, SIGKILL);
        ASSERT_EQ(r.si.si_pid, pid);
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_exited_before_add) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('c');
        siginfo_t si = {};
        int pidfd, go;
        pid_t pid;

        /* Already a zombie when the source is added (the pidfd is readable
         * from the start). */
        ASSERT_OK(event_new(&e));
        pid = fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        ASSERT_EQ(write(go, "\3", 1), 1);
        ASSERT_OK(waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOWAIT));
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.si.si_code, CLD_EXITED);
        ASSERT_EQ(r.si.si_status, 3);
        ASSERT_EQ(r.si.si_pid, pid);
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_unref_in_handler) {
        _cleanup_(event_unrefp) Event *e = NULL;
        EventSource *s = NULL;
        Record r = RECORD('c');
        int pidfd, go;

        /* Unref'd by its own handler (as the supervisor's may be): reaped all the same. */
        ASSERT_OK(event_new(&e));
        (void) fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        r.unref = &s;
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_EQ(write(go, "\1", 1), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_NULL(s);
        ASSERT_EQ(r.si.si_status, 1);
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        ASSERT_TRUE(fcntl(pidfd, F_GETFD) >= 0);
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_options) {
        _cleanup_(event_unrefp) Event *e = NULL;
        EventSource *s = NULL;
        int pidfd, go;

        /* event-loop.h: WEXITED and nothing else; a pidfd never tells of a stop. */
        ASSERT_OK(event_new(&e));
        (void) fork_child(&pidfd, &go);
        ASSERT_EQ(event_add_child_pidfd(e, &s, pidfd, WEXITED | WSTOPPED, on_child, NULL), -EINVAL);
        ASSERT_EQ(event_add_child_pidfd(e, &s, pidfd, WSTOPPED, on_child, NULL), -EINVAL);
        ASSERT_EQ(event_add_child_pidfd(e, &s, pidfd, 0, on_child, NULL), -EINVAL);
        ASSERT_NULL(s);
        /* Its end, for the child: a byte of 0 on go. */
        ASSERT_EQ(write(go, "", 1), 1);
        ASSERT_OK(waitid(P_PIDFD, (id_t) pidfd, &(siginfo_t) {}, WEXITED));
        safe_close(pidfd);
        safe_close(go);
}
