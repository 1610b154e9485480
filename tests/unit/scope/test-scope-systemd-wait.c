/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What cell's start waits for on the system bus, and what ends the wait: a
 * broker that turns the connection away, a systemd (fake-systemd.c) that
 * never answers or never ends its job, a bus that never says a word, a
 * connect that is refused; a deadline ($CELL_SCOPE_TIMEOUT) or a stop
 * request. */

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "fake-bus.h"
#include "fake-systemd.h"
#include "scope-internal.h"
#include "test.h"

/* A child holding two connections to the bus, registered (Hello answered)
 * before this returns, for hold_usec (USEC_INFINITY: until killed). */
static pid_t start_filler(uint64_t hold_usec) {
        int ready[2];
        char c;

        ASSERT_OK(pipe2(ready, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                sd_bus *a = NULL, *b = NULL;
                const char *name;
                if (sd_bus_open_system(&a) < 0 || sd_bus_get_unique_name(a, &name) < 0 ||
                    sd_bus_open_system(&b) < 0 || sd_bus_get_unique_name(b, &name) < 0)
                        _exit(1);
                (void) !write(ready[1], "r", 1);
                if (hold_usec == USEC_INFINITY)
                        pause();
                else
                        usleep((useconds_t) hold_usec);
                _exit(0);
        }
        close(ready[1]);
        ASSERT_EQ(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return pid;
}

/* A broker that allows a user 3 connections (dbus-daemon's system bus: 256):
 * the fake systemd holds one, a child of ours two more for 300 ms. cell's
 * connection is turned away (the broker refuses its Hello); it tries again,
 * a little later each time, and gets through once the child is gone. */
TEST(turned_away_then_through) {
        static const char config[] =
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig><include>/usr/share/dbus-1/session.conf</include>\n"
                "<limit name=\"max_connections_per_user\">3</limit></busconfig>\n";
        char path[] = "/tmp/test-scope-systemd-XXXXXX";
        int fd = mkstemp(path);
        Event *e = NULL;
        Scope *s = NULL;

        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, config, sizeof config - 1), (ssize_t) (sizeof config - 1));
        close(fd);
        bool up = fake_bus_start(path, fake_systemd, NULL);
        unlink(path);
        if (!up)
                return;
        ASSERT_OK(event_new(&e));

        /* t0 before the child: its 300 ms start after t0 however late we
         * run again, so that the wait below is 300 ms at least. */
        uint64_t t0 = mono_usec();
        pid_t filler = start_filler(300 * USEC_PER_MSEC);
        ASSERT_OK(run_one("away", "cell-away.scope", e, &s));
        uint64_t t1 = mono_usec();
        ASSERT_NULL(scope_last_error(s));
        /* It did wait for the child's connections to go. */
        int status;
        ASSERT_EQ(waitpid(filler, &status, WNOHANG), filler);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_TRUE(t1 - t0 >= 250 * USEC_PER_MSEC);
        scope_free(s);

        /* Turned away again and again, with a stop request pending (cell blocks
         * SIGTERM and reads it later): no more tries, the start ends at once. */
        filler = start_filler(USEC_INFINITY);
        sigset_t term, old;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &term, &old));
        ASSERT_OK(kill(getpid(), SIGTERM));
        t0 = mono_usec();
        ASSERT_ERROR(run_one("stopped", "cell-stopped.scope", e, &s), ECANCELED);
        ASSERT_STREQ(scope_last_error(s), "interrupted while waiting for the system bus");
        /* At the first refusal, not after tries that grow to 250 ms each
         * (~9 s); 3 s of room for a loaded host. */
        ASSERT_TRUE(mono_usec() - t0 < 3 * USEC_PER_SEC);
        scope_free(s);
        ASSERT_EQ(sigtimedwait(&term, NULL, &(struct timespec) {}), SIGTERM);
        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
        kill(filler, SIGKILL);
        ASSERT_EQ(waitpid(filler, NULL, 0), filler);

        fake_bus_stop();
        event_unref(e);
}

/* An upper bound on a wait that a deadline or a stop request of 300 or 500 ms
 * ends: room for a loaded host (ASan, parallel tests), and far below what it
 * would be without them (sd-bus's 25 s for a call or a handshake, the default
 * 30 s of $CELL_SCOPE_TIMEOUT). */
#define SLOW_HOST_USEC (10 * USEC_PER_SEC)

/* A child that sends us SIGTERM after usec (blocked here: cell blocks it too). */
static pid_t kill_later(uint64_t usec) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                usleep((useconds_t) usec);
                (void) kill(getppid(), SIGTERM);
                _exit(0);
        }
        return pid;
}

/* Blocks SIGTERM (old: the mask before), as cell run does before it starts. */
static void block_term(sigset_t *old) {
        sigset_t term;

        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &term, old));
}

/* The SIGTERM is still pending for cell's own reader: taken here, and the mask restored. */
static void expect_term_pending(const sigset_t *old) {
        sigset_t term;

        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        ASSERT_EQ(sigtimedwait(&term, NULL, &(struct timespec) {}), SIGTERM);
        ASSERT_OK(sigprocmask(SIG_SETMASK, old, NULL));
}

/* How long systemd has to make the scope ($CELL_SCOPE_TIMEOUT), through a
 * broker that works: a StartTransientUnit systemd never answers, a job that
 * never ends. Each fails within the deadline, naming its step; a scope systemd
 * made is stopped. A stop request while the job is awaited ends the wait at
 * once (it used to wait for whatever the bus sent next). */
TEST(deadline_through_the_broker) {
        Event *e = NULL;
        Scope *s = NULL;
        sigset_t old;
        uint64_t t0, t;

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(event_new(&e));
        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "300ms", 1));

        t0 = mono_usec();
        ASSERT_ERROR(run_one("mute", "cell-mute.scope", e, &s), ETIMEDOUT);
        t = mono_usec() - t0;
        ASSERT_STREQ(scope_last_error(s), "systemd did not answer StartTransientUnit(cell-mute.scope) within 0.3 s");
        ASSERT_TRUE(t >= 300 * USEC_PER_MSEC && t < SLOW_HOST_USEC);
        scope_free(s);
        probe("cell-mute.scope", false, 0);

        t0 = mono_usec();
        ASSERT_ERROR(run_one("hangdl", "cell-hangdl.scope", e, &s), ETIMEDOUT);
        t = mono_usec() - t0;
        ASSERT_STREQ(scope_last_error(s), "systemd did not finish the start job of cell-hangdl.scope within 0.3 s");
        ASSERT_TRUE(t >= 300 * USEC_PER_MSEC && t < SLOW_HOST_USEC);
        scope_free(s);
        probe("cell-hangdl.scope", false, 1);

        /* The default deadline (30 s) is far; a SIGTERM 300 ms in ends the wait. */
        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));
        block_term(&old);
        t0 = mono_usec();
        pid_t killer = kill_later(300 * USEC_PER_MSEC);
        ASSERT_ERROR(run_one("hangstop", "cell-hangstop.scope", e, &s), ECANCELED);
        ASSERT_STREQ(scope_last_error(s), "interrupted while waiting for cell-hangstop.scope");
        scope_free(s);
        ASSERT_TRUE(mono_usec() - t0 < SLOW_HOST_USEC);
        probe("cell-hangstop.scope", false, 1);
        ASSERT_EQ(waitpid(killer, NULL, 0), killer);
        expect_term_pending(&old);

        fake_bus_stop();
        event_unref(e);
}

/* A "bus" that accepts connections and never says a word, not even in the
 * handshake: a child of ours holding every connection it accepts. */
static pid_t start_mute_bus(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int ready[2];
        char c;

        ASSERT_TRUE(strlen(path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, path);
        ASSERT_OK(pipe2(ready, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 16) < 0)
                        _exit(1);
                (void) !write(ready[1], "r", 1);
                for (;;)
                        (void) accept4(fd, NULL, NULL, SOCK_CLOEXEC);   /* held, never read */
        }
        close(ready[1]);
        ASSERT_EQ(read(ready[0], &c, 1), 1);
        close(ready[0]);
        return pid;
}

/* The system bus takes the connection and never answers: sd-bus would wait
 * 90 s for the handshake, per try, and cell tried 40 times. Now the deadline
 * ends it, naming the bus's address, and so does a stop request, at once;
 * neither is kept waiting by the disconnect. */
TEST(mute_bus) {
        char dir[] = "/tmp/test-scope-mute-XXXXXX", path[PATH_MAX], address[PATH_MAX + 16], want[PATH_MAX + 128];
        Event *e = NULL;
        Scope *s = NULL;
        sigset_t old;
        uint64_t t0, t;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/bus", dir);
        pid_t mute = start_mute_bus(path);
        snprintf(address, sizeof address, "unix:path=%s", path);
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1));
        ASSERT_OK(event_new(&e));

        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "500ms", 1));
        t0 = mono_usec();
        ASSERT_ERROR(run_one("mute", "cell-mute.scope", e, &s), ETIMEDOUT);
        snprintf(want, sizeof want, "the system bus at %s did not answer within 0.5 s", address);
        ASSERT_STREQ(scope_last_error(s), want);
        scope_free(s);
        t = mono_usec() - t0;
        ASSERT_TRUE(t >= 500 * USEC_PER_MSEC && t < SLOW_HOST_USEC);

        /* The default deadline (30 s) is far; a SIGTERM 500 ms in ends the wait. */
        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));
        block_term(&old);
        /* t0 before the child: its 500 ms start after t0, however late we run again. */
        t0 = mono_usec();
        pid_t killer = kill_later(500 * USEC_PER_MSEC);
        ASSERT_ERROR(run_one("mute", "cell-mute.scope", e, &s), ECANCELED);
        ASSERT_STREQ(scope_last_error(s), "interrupted while waiting for the system bus");
        scope_free(s);
        t = mono_usec() - t0;
        ASSERT_TRUE(t >= 400 * USEC_PER_MSEC && t < SLOW_HOST_USEC);
        ASSERT_EQ(waitpid(killer, NULL, 0), killer);
        expect_term_pending(&old);

        /* Not a time span: said so, and no bus is tried. */
        Plan p = { .name = (char *) "mute", .scope_unit = (char *) "cell-mute.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "soon", 1));
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s), EINVAL);
        ASSERT_STREQ(scope_last_error(NULL), "$CELL_SCOPE_TIMEOUT=soon: not a time span (\"30s\", \"2min\", \"infinity\")");
        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));

        kill(mute, SIGKILL);
        ASSERT_EQ(waitpid(mute, NULL, 0), mute);
        unlink(path);
        rmdir(dir);
        ASSERT_OK(unsetenv("DBUS_SYSTEM_BUS_ADDRESS"));
        event_unref(e);
}

/* A connect that fails is no broker turning cell away: not tried again for
 * ~9 s nor blamed on the limit of connections per user, but said at once,
 * naming the address. TCP (the connect finishes in the event loop): a port
 * bound and not listened on refuses. AF_UNIX (the connect is synchronous): a
 * socket bound and not listened on refuses likewise. */
TEST(refused_connect) {
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct sockaddr_un un = { .sun_family = AF_UNIX };
        char dir[] = "/tmp/test-scope-refused-XXXXXX", address[PATH_MAX + 16], want[PATH_MAX + 128];
        socklen_t n = sizeof in;
        Event *e = NULL;
        Scope *s = NULL;

        int tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (tcp < 0 || bind(tcp, (struct sockaddr *) &in, sizeof in) < 0) {
                test_skip("no loopback TCP");
                if (tcp >= 0)
                        close(tcp);
                return;
        }
        ASSERT_OK(getsockname(tcp, (struct sockaddr *) &in, &n));
        snprintf(address, sizeof address, "tcp:host=127.0.0.1,port=%u", (unsigned) ntohs(in.sin_port));
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1));
        ASSERT_OK(event_new(&e));
        uint64_t t0 = mono_usec();
        int r = run_one("refused", "cell-refused.scope", e, &s);
        uint64_t t = mono_usec() - t0;
        ASSERT_ERROR(r, ECONNREFUSED);
        snprintf(want, sizeof want, "cannot connect to the system bus at %s: the connection failed (refused, or "
                 "no route)", address);
        ASSERT_STREQ(scope_last_error(s), want);
        ASSERT_TRUE(t < 3 * USEC_PER_SEC);     /* not ~9 s of tries; room for a loaded host */
        scope_free(s);
        close(tcp);

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(un.sun_path, sizeof un.sun_path, "%s/bus", dir);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(bind(fd, (struct sockaddr *) &un, sizeof un));
        snprintf(address, sizeof address, "unix:path=%s", un.sun_path);
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", address, 1));
        Plan p = { .name = (char *) "refused", .scope_unit = (char *) "cell-refused.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s), ECONNREFUSED);
        snprintf(want, sizeof want, "cannot connect to the system bus at %s: %s", address, strerror(ECONNREFUSED));
        ASSERT_STREQ(scope_last_error(NULL), want);
        close(fd);
        unlink(un.sun_path);
        rmdir(dir);
        ASSERT_OK(unsetenv("DBUS_SYSTEM_BUS_ADDRESS"));
        event_unref(e);
}
