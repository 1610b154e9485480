/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A private dbus-daemon and a fake service on it (fake-bus.h). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-bus.h"
#include "test.h"

#define DBUS_DAEMON "/usr/bin/dbus-daemon"

static pid_t daemon_pid = -1, fake_pid = -1;

/* In the child: the broker's address, one line, written to fd. */
static _noreturn_ void exec_daemon(const char *config, int fd) {
        char fdarg[32], cfarg[PATH_MAX + 16] = "--session";

        (void) prctl(PR_SET_PDEATHSIG, SIGTERM);        /* no orphan if the test aborts */
        fd = fcntl(fd, F_DUPFD, 3);                     /* without CLOEXEC: for dbus-daemon */
        snprintf(fdarg, sizeof fdarg, "--print-address=%d", fd);
        if (config)
                snprintf(cfarg, sizeof cfarg, "--config-file=%s", config);
        execl(DBUS_DAEMON, "dbus-daemon", cfarg, "--nofork", "--nosyslog", fdarg, NULL);
        _exit(127);
}

/* In the child: the fake, serving until the broker goes. */
static _noreturn_ void serve(fake_bus_setup_t setup, void *userdata, int ready_fd) {
        sd_bus *bus = NULL;

        (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (sd_bus_open_system(&bus) < 0 || setup(bus, userdata) < 0)
                _exit(1);
        (void) !write(ready_fd, "r", 1);
        close(ready_fd);
        for (;;) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        _exit(0);
                if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
                        _exit(0);
        }
}

bool fake_bus_start(const char *config, fake_bus_setup_t setup, void *userdata) {
        int addr_pipe[2], ready_pipe[2];
        char addr[512], c;
        ssize_t k;

        if (access(DBUS_DAEMON, X_OK) < 0) {
                test_skip("no dbus-daemon");
                return false;
        }
        ASSERT_OK(pipe2(addr_pipe, O_CLOEXEC));
        daemon_pid = fork();
        ASSERT_TRUE(daemon_pid >= 0);
        if (daemon_pid == 0)
                exec_daemon(config, addr_pipe[1]);
        close(addr_pipe[1]);
        /* Up to its newline: one write need not be one read. */
        size_t n = 0;
        while (n < sizeof addr - 1 && !memchr(addr, '\n', n)) {
                k = read(addr_pipe[0], addr + n, sizeof addr - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        close(addr_pipe[0]);
        ASSERT_TRUE(n > 0);
        addr[n] = 0;
        addr[strcspn(addr, "\n")] = 0;
        ASSERT_OK(setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1));

        ASSERT_OK(pipe2(ready_pipe, O_CLOEXEC));
        fake_pid = fork();
        ASSERT_TRUE(fake_pid >= 0);
        if (fake_pid == 0) {
                close(ready_pipe[0]);
                serve(setup, userdata, ready_pipe[1]);
        }
        close(ready_pipe[1]);
        ASSERT_EQ(read(ready_pipe[0], &c, 1), 1);
        close(ready_pipe[0]);
        return true;
}

/* The broker first: the connections drop (the fake would otherwise die first and
 * the broker answer a pending call with NoReply, a different failure). */
void fake_bus_stop(void) {
        if (daemon_pid > 0) {
                kill(daemon_pid, SIGTERM);
                waitpid(daemon_pid, NULL, 0);
        }
        if (fake_pid > 0) {
                kill(fake_pid, SIGTERM);
                waitpid(fake_pid, NULL, 0);
        }
        fake_pid = daemon_pid = -1;
        unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}
