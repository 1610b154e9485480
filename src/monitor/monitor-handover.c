/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "config-build.h"
#include "log.h"
#include "monitor-handover.h"
#include "monitor.h"
#include "strv.h"

/* Beside cell first (the build tree, or a copy of both), then where it is
 * installed. Either is as trusted as cell's own binary. */
int monitor_open(void) {
        char exe[PATH_MAX], path[PATH_MAX + 16];
        ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
        int fd;

        if (k > 0) {
                exe[k] = 0;
                (void) snprintf(path, sizeof path, "%s/cell-monitor", dirname(exe));
                fd = open(path, O_PATH|O_CLOEXEC);
                if (fd >= 0)
                        return fd;
        }
        fd = open(CELL_MONITOR_PATH, O_PATH|O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

const char *monitor_handover_refused(const MonitorHandover *h) {
        if (streq_ptr(getenv("CELL_MONITOR"), "0"))
                return "$CELL_MONITOR=0";
        if (h->stop_requested)
                return "a stop is under way";
        if (scope_manager(h->scope) != CGROUP_MANAGER_SYSTEMD)
                return "cell removes the container's cgroup and runtime state when the payload exits";
        if (h->spawn->netfw_table)
                return "cell removes the nft table of Port= when the payload exits";
        if (h->spawn->veth_index > 0)
                return "cell removes the host side of VirtualEthernet= when the payload exits";
        if (h->monitor_fd < 0)
                return "no cell-monitor beside cell nor at " CELL_MONITOR_PATH;
        return NULL;
}

static void set_cloexec(const int *fds, size_t n, bool on) {
        for (size_t i = 0; i < n; i++)
                (void) fcntl(fds[i], F_SETFD, on ? FD_CLOEXEC : 0);
}

int monitor_hand_over(const MonitorHandover *h) {
        _cleanup_strv_free_ char **argv = NULL;
        const OomCounter *oom = scope_oom_counter(h->scope);
        const NotifyRelay *relay = notify_proxy_relay(h->proxy);
        int fds[5];
        size_t n_fds = 0;
        int r;

        MonitorState s = MONITOR_STATE_NULL;
        s.pid = h->spawn->pid;
        s.pidfd = h->spawn->pidfd;
        s.name = h->plan->name;
        s.kill_signal = h->plan->kill_signal;
        s.timeout_stop_usec = h->plan->timeout_stop_usec;
        s.init = h->plan->init;
        s.ready_sent = h->ready_sent;
        s.status_sent = notify_supervisor_payload_status_sent();
        if (relay)
                s.relay = *relay;
        if (oom)
                s.oom = *oom;
        s.uid_lock_fd = h->spawn->users.lock_fd;
        s.uid_lock_path = h->spawn->users.lock_path;
        s.debug = log_get_max_level() >= LOG_DEBUG;

        r = monitor_state_to_argv(&s, "cell-monitor", &argv, fds, &n_fds);
        if (r < 0)
                return r;

        log_debug("Handing the supervision over to cell-monitor.");
        /* These fds, and no other, live on in the monitor. */
        set_cloexec(fds, n_fds, false);
        (void) fflush(NULL);
        /* The file opened when the payload started: an upgrade that replaced it
         * since cannot hand this state to a cell-monitor of another version. */
        execveat(h->monitor_fd, "", argv, environ, AT_EMPTY_PATH);
        r = negative_errno();
        set_cloexec(fds, n_fds, true);
        return r;
}
