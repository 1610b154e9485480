/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell-monitor against real processes (no namespaces, no systemd): the
 * binary itself exec'd the way cell execs it, by the parent of a payload
 * (monitor-run.h): the exit status, signals, TimeoutStopSec=, the notify
 * relay, the words about a death by signal. (The hand-over's command line
 * both ways: test-monitor-state.c, test-monitor-handover.c.) */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "finish-stand-in.h"
#include "monitor-handover.h"
#include "monitor-run.h"
#include "monitor.h"
#include "strv.h"
#include "supervise-common.h"
#include "test-upstream.h"
#include "test.h"

TEST(exit_status_is_the_payloads) {
        MonitorState t = template();
        Run r;
        char *log;

        monitor_start(PAYLOAD_EXIT7, &t, &r);
        ASSERT_EQ(monitor_wait(&r, &log), 7);
        free(log);
}

TEST(signals_reach_the_payload) {
        MonitorState t = template();
        Run r;
        char *log;

        /* SIGTERM is a stop: KillSignal= goes to the payload, "stopping" up (no STOPPING=1). */
        int up = test_upstream_open("test-monitor");
        t.kill_signal = SIGUSR2;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGUSR2);
        ASSERT_NULL(strstr(log, "signal"));     /* a stop asked for: no words about it */
        free(log);
        char *s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");

        /* Others as they are. */
        t = template();
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGHUP));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGHUP);
        free(log);

        /* Also those whose default would end the monitor, and the container
         * with it: "systemctl kill --signal=SIGRTMIN+4 cell@NAME" (a systemd
         * inside powers off), SIGPWR. */
        int more[] = { SIGRTMIN + 4, SIGPWR };
        for (size_t i = 0; i < ELEMENTSOF(more); i++) {
                t = template();
                monitor_start(PAYLOAD_SIGNALS, &t, &r);
                ASSERT_OK(kill(r.monitor, more[i]));
                ASSERT_EQ(monitor_wait(&r, &log), 10 + more[i]);
                free(log);
        }

        /* Not the faults, cell's own resource limits, SIGPIPE or job control. */
        sigset_t set;
        supervise_signal_set(&set);
        ASSERT_TRUE(sigismember(&set, SIGRTMAX) == 1 && sigismember(&set, SIGALRM) == 1);
        int never[] = { SIGSEGV, SIGBUS, SIGABRT, SIGXCPU, SIGXFSZ, SIGPIPE, SIGTSTP, SIGCONT };
        for (size_t i = 0; i < ELEMENTSOF(never); i++)
                ASSERT_TRUE(sigismember(&set, never[i]) == 0);
}

TEST(timeout_stop_ends_in_sigkill) {
        MonitorState t = template();
        struct timespec a, b;
        Run r;
        char *log;

        t.timeout_stop_usec = 200 * USEC_PER_MSEC;
        monitor_start(PAYLOAD_STUBBORN, &t, &r);
        clock_gettime(CLOCK_MONOTONIC, &a);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 128 + SIGKILL);
        clock_gettime(CLOCK_MONOTONIC, &b);
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        ASSERT_TRUE(ms >= 190);         /* not before TimeoutStopSec= */
        free(log);
}

/* The state letter of pid (/proc/PID/stat) while it is a child of parent; 0 when it is none. */
static char child_state(pid_t pid, pid_t parent) {
        char path[64], buf[256] = {}, state;
        const char *p;
        int ppid;

        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY|O_CLOEXEC);
        if (fd < 0)
                return 0;
        (void) !read(fd, buf, sizeof buf - 1);
        safe_close(fd);
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2 || ppid != parent)
                return 0;
        return state;
}

/* cell's cell-closer ends at the exec of cell-monitor (its socket closes on
 * exec) and is a child of cell-monitor from then on: reaped, not left a
 * zombie until the container ends; the payload's exit status still its own. */
TEST(closer_of_cell_is_reaped) {
        MonitorState t = template();
        Run r;
        char *log, st = 0;

        monitor_closer = true;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        monitor_closer = false;
        ASSERT_TRUE(r.closer > 0);
        for (unsigned i = 0; i < 200 && (st = child_state(r.closer, r.monitor)) != 0; i++)
                (void) usleep(10 * 1000);
        ASSERT_EQ(st, 0);       /* was 'Z' until the end */
        ASSERT_EQ(child_state(r.payload, r.monitor), 'S');
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
}

/* The child of parent named cell-closer; 0: none. */
static pid_t closer_of(pid_t parent) {
        char path[64], buf[256] = {};
        const char *p = buf;

        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int) parent, (int) parent);
        int fd = open(path, O_RDONLY|O_CLOEXEC);
        if (fd < 0)
                return 0;
        (void) !read(fd, buf, sizeof buf - 1);
        safe_close(fd);
        for (int pid, n; sscanf(p, "%d%n", &pid, &n) == 1; p += n) {
                char comm[64] = {};

                snprintf(path, sizeof path, "/proc/%d/comm", pid);
                fd = open(path, O_RDONLY|O_CLOEXEC);
                if (fd < 0)
                        continue;
                (void) !read(fd, comm, sizeof comm - 1);
                safe_close(fd);
                if (streq(comm, "cell-closer\n"))
                        return pid;
        }
        return 0;
}

/* cell-monitor's own cell-closer (the payload passed a socket after the
 * hand-over), killed: reaped at once, not a zombie until the next datagram
 * with fds, and a new one started for that. */
TEST(closer_of_monitor_is_reaped) {
        MonitorState t = template();
        Run r;
        char *log, st = 0;
        pid_t closer = 0, again = 0;

        monitor_start(PAYLOAD_FDS, &t, &r);
        for (unsigned i = 0; i < 200 && (closer = closer_of(r.monitor)) == 0; i++)
                (void) usleep(10 * 1000);
        ASSERT_TRUE(closer > 0);
        ASSERT_OK(kill(closer, SIGKILL));
        for (unsigned i = 0; i < 200 && (st = child_state(closer, r.monitor)) != 0; i++)
                (void) usleep(10 * 1000);
        ASSERT_EQ(st, 0);
        ASSERT_OK(kill(r.payload, SIGUSR1));
        for (unsigned i = 0; i < 200 && ((again = closer_of(r.monitor)) == 0 || again == closer); i++)
                (void) usleep(10 * 1000);
        ASSERT_TRUE(again > 0 && again != closer);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
}

/* Whether pid is stopped (state T in /proc/PID/stat). */
static bool pid_is_stopped(pid_t pid) {
        char path[64], buf[256] = {};
        const char *p;

        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY|O_CLOEXEC);
        if (fd < 0)
                return false;
        (void) !read(fd, buf, sizeof buf - 1);
        safe_close(fd);
        p = strrchr(buf, ')');
        return p && p[1] == ' ' && p[2] == 'T';
}

/* A stopped payload (SIGSTOP, ^Z) gets SIGCONT after KillSignal=, as systemd
 * sends it: it ends on KillSignal= at once, not by TimeoutStopSec='s SIGKILL. */
TEST(stopped_payload_is_continued_on_stop) {
        MonitorState t = template();
        Run r;
        char *log;

        t.timeout_stop_usec = 5 * USEC_PER_SEC;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_OK(kill(r.payload, SIGSTOP));
        for (unsigned i = 0; i < 500 && !pid_is_stopped(r.payload); i++)
                (void) usleep(10 * 1000);
        ASSERT_TRUE(pid_is_stopped(r.payload));
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);       /* not 128 + SIGKILL */
        free(log);
}

/* As systemd extends a service's TimeoutStopSec=, the payload's
 * EXTEND_TIMEOUT_USEC= while it stops puts off cell's SIGKILL (and goes up,
 * with cell's margin). */
TEST(timeout_stop_is_extended) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        t.timeout_stop_usec = 200 * USEC_PER_MSEC;
        monitor_start(PAYLOAD_EXTEND, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);       /* not 128 + SIGKILL at 0.2 s */
        free(log);
        /* Its own TimeoutStopSec= and cell's 10 s, for the service's timeout. */
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=10200000\nSTATUS=t: stopping");
        free(s);
        /* The payload's 2 s and cell's 10 s: systemd's stop timeout must not
         * come with cell's SIGKILL, before cell has reaped and released. */
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=12000000\n");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* Boot=yes: the service's watchdog is cell-monitor's to ping (a systemd in
 * the container pings no container manager): at once, then every half. */
TEST(watchdog_is_pinged) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        t.watchdog_usec = 400 * USEC_PER_MSEC;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        for (unsigned i = 0; i < 3; i++) {
                s = test_upstream_read(up, 1000);
                ASSERT_STREQ(s, "WATCHDOG=1");
                free(s);
        }
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        close(up);
        unsetenv("NOTIFY_SOCKET");

        /* Not Boot=yes (0): the payload pings, cell-monitor does not. */
        t = template();
        up = test_upstream_open("test-monitor");
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_NULL(test_upstream_read(up, 500));
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        s = test_upstream_read(up, 1000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* The service's watchdog fired, the payload's (not Boot=yes): systemd sends
 * SIGABRT, which ended cell-monitor with a core and the payload of
 * PR_SET_PDEATHSIG's SIGKILL, nothing cleaned up. A stop now, and said. */
TEST(watchdog_abort_is_a_stop) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGABRT));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);       /* KillSignal=, not SIGKILL */
        ASSERT_NOT_NULL(strstr(log, "Watchdog timeout"));
        free(log);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

TEST(death_by_signal_is_told) {
        MonitorState t = template();
        Run r;
        char *log;

        monitor_start(PAYLOAD_STUBBORN, &t, &r);
        ASSERT_OK(kill(r.payload, SIGKILL));
        ASSERT_EQ(monitor_wait(&r, &log), 128 + SIGKILL);
        ASSERT_CONTAINS(log, "cell: t: The payload died of signal SIGKILL.");
        free(log);
}

TEST(notify_relay_carries_on) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        /* NotifyReady=yes and READY=1 not yet sent: the payload's is the
         * service's, with its STATUS=, once: no READY=1 of cell's after it. */
        t.ready_sent = false;
        t.relay.notify_ready = true;
        monitor_start(PAYLOAD_NOTIFY, &t, &r);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "READY=1\nSTATUS=t: serving\n");
        free(s);
        ASSERT_NULL(test_upstream_read(up, 500));
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);

        /* READY=1 sent by cell before the hand-over, and seen: not again. */
        t.ready_sent = true;
        t.relay.ready_seen = true;
        monitor_start(PAYLOAD_NOTIFY, &t, &r);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: serving\n");
        free(s);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* What the payload sent right before it exited, more than one batch of
 * the relay's, is still passed up: cell-monitor (stopped meanwhile) finds
 * its exit and 40 datagrams at once, and reads them all before it goes. */
TEST(last_words_after_the_exit) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        bool last = false;

        /* Gone when they are read, its datagrams are the container's by
         * their UID alone: root's, with no user namespace of the payload's. */
        if (geteuid() != 0) {
                test_skip("not root: a gone sender of another UID is dropped");
                return;
        }
        int up = test_upstream_open("test-monitor");
        monitor_start(PAYLOAD_LAST_WORDS, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGSTOP));
        (void) nanosleep(&(struct timespec) { .tv_nsec = 600 * 1000 * 1000 }, NULL);
        ASSERT_OK(kill(r.monitor, SIGCONT));
        /* Read as it sends (the socket holds a few datagrams only). */
        while (!last && (s = test_upstream_read(up, 1000))) {
                last = strstr(s, "STATUS=t: 39") != NULL;
                free(s);
        }
        ASSERT_TRUE(last);
        ASSERT_EQ(monitor_wait(&r, &log), 0);
        free(log);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* What cell could not send yet (its supervisor's socket full at the
 * hand-over) goes first, as it was: before anything of cell-monitor's own. */
TEST(pending_goes_first) {
        MonitorState t = template();
        char *pending[] = { (char *) "READY=1\nSTATUS=t: up", NULL };
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        t.notify_pending = pending;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "READY=1\nSTATUS=t: up");
        free(s);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* The payload's output, a pipe handed over, goes on to the monitor's stdout
 * until its end: more than a pipeful, and the line it wrote right before it
 * exited, before the monitor exits. */
TEST(output_relay_carries_on) {
        MonitorState t = template();
        Run r;
        char *log, *in = malloc(PAYLOAD_OUTPUT_SIZE + 64);
        size_t got = 0;
        ssize_t n;

        ASSERT_NOT_NULL(in);
        monitor_start(PAYLOAD_OUTPUT, &t, &r);
        while ((n = read(r.journal, in + got, PAYLOAD_OUTPUT_SIZE + 64 - got)) > 0)
                got += (size_t) n;
        ASSERT_EQ(monitor_wait(&r, &log), 0);
        free(log);
        ASSERT_EQ(got, PAYLOAD_OUTPUT_SIZE + strlen(PAYLOAD_LAST_LINE));
        for (size_t i = 0; i < PAYLOAD_OUTPUT_SIZE; i++)
                if (in[i] != payload_output_byte(i))
                        TEST_FAIL("byte %zu: '%c', expected '%c'", i, in[i], payload_output_byte(i));
        ASSERT_TRUE(memcmp(in + PAYLOAD_OUTPUT_SIZE, PAYLOAD_LAST_LINE, strlen(PAYLOAD_LAST_LINE)) == 0);
        safe_close(r.journal);
        free(in);
}

TEST(finish_is_execd) {
        char *finish[] = { (char *) "--state", (char *) "--veth=4:ve-t", NULL };
        char out[] = "/tmp/test-monitor-finish-XXXXXX", buf[512] = {};
        MonitorState t = template();
        Run r;
        char *log;

        int fd = mkostemp(out, O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(setenv("TEST_MONITOR_FINISH", out, 1));
        t.cell_fd = open("/proc/self/exe", O_PATH|O_CLOEXEC);
        ASSERT_TRUE(t.cell_fd >= 0);
        t.finish = finish;
        monitor_start(PAYLOAD_EXIT7, &t, &r);
        ASSERT_EQ(monitor_wait(&r, &log), 7);   /* the stand-in's exit: the payload's status */
        free(log);
        ASSERT_TRUE(read(fd, buf, sizeof buf - 1) > 0);
        ASSERT_STREQ(buf, "--status=7\n--name=t\n--state\n--veth=4:ve-t\n");
        safe_close(fd);
        safe_close(t.cell_fd);
        unlink(out);
        unsetenv("TEST_MONITOR_FINISH");
}
