/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* cell-monitor (monitor.h): started only by "cell run", by exec, with what
 * cell hands over on its command line. Exit status: the payload's, as cell's
 * would have been; 2 when supervising failed (the payload is then killed:
 * nothing is left behind), or when the hand-over is of another format.
 * "cell-monitor --handover-check": cell's question before the exec, which
 * format this one reads (monitor_handover_check()). */

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"
#include "notify-send.h"

#define EXIT_CELL_FAILURE 2     /* cell's own "cell itself failed" (cell(1)) */

int main(int argc, char *argv[]) {
        MonitorState s;
        int r, status = EXIT_CELL_FAILURE;

        /* Exec'd from an fd, the kernel may have named us after it ("3"):
         * cell list/stop find cell's successor by this name (instance.c). */
        (void) prctl(PR_SET_NAME, "cell-monitor");

        /* Of the format cell hands over, or nothing is taken (monitor.h). */
        r = monitor_handover_check(argc, argv, &status);
        if (r > 0)
                return status;          /* cell asked, before its exec */
        if (r < 0)
                return EXIT_CELL_FAILURE;
        status = EXIT_CELL_FAILURE;
        r = monitor_state_parse(argc, argv, &s);
        if (r < 0)
                /* The container's init has PR_SET_PDEATHSIG=SIGKILL: it ends with us. */
                return EXIT_CELL_FAILURE;
        log_parse_environment();
        if (s.debug)
                log_set_max_level(LOG_DEBUG);
        log_set_prefix(s.name);
        log_debug("cell-monitor supervises PID %d from here on.", (int) s.pid);

        r = monitor_run(&s, &status);
        if (r < 0) {
                siginfo_t si;

                log_error_errno(r, "Supervising the payload: %m");
                /* As cell on the same failure: no payload outlives its supervisor. */
                (void) syscall(SYS_pidfd_send_signal, s.pidfd, SIGKILL, NULL, 0);
                while (waitid(P_PIDFD, (id_t) s.pidfd, &si, WEXITED) < 0 && errno == EINTR)
                        ;
                status = EXIT_CELL_FAILURE;
        } else
                log_debug("The payload exited with status %d.", status);

        /* PrivateUsers=pick: the range is free again (removed while still locked). */
        if (s.uid_lock_fd >= 0 && s.uid_lock_path)
                (void) unlink(s.uid_lock_path);
        s.uid_lock_fd = safe_close(s.uid_lock_fd);
        /* Its mounts are gone with it: another start may take back there. */
        monitor_state_release_shared(&s);
        /* The payload's last words still queued (the loop may have seen its
         * exit first), as cell's notify_proxy_free() reads them. */
        notify_relay_drain(&s.relay);
        /* systemd goes by our exit, and the exec below would drop it: what
         * it has not read yet, first. */
        (void) notify_drain(NOTIFY_DRAIN_USEC);
        /* No cgroup for "cell __finish" to remove (the none manager's run, a
         * systemd scope's): with the payload ended the name is free for the
         * next start, as cell(1) has it. What "cell __finish" takes down is
         * this start's own (the network by handle, the state by PID). */
        if (!monitor_finish_removes_cgroups(&s))
                monitor_state_release_name_lock(&s);
        if (s.finish) {
                r = monitor_finish(&s, status);
                if (r == -ESTALE)
                        log_error("Cleaning up after the payload: cell's binary was rewritten in place since the "
                                  "start (an upgrade renames a new file over it instead): its \"cell __finish\" may "
                                  "be of another version and is not run; what is left, as of a killed cell, goes "
                                  "with \"cell stop\" or the next start of the name.");
                else
                        log_error_errno(r, "Cleaning up after the payload: cannot run cell __finish: %m");
                status = EXIT_CELL_FAILURE;
                /* Its cgroups are left as a killed cell's: so is the name's lock
                 * file, whose notes "cell stop" and the next start take them back by. */
                if (monitor_finish_removes_cgroups(&s))
                        s.name_lock_fd = safe_close(s.name_lock_fd);
        }
        /* No "cell __finish" to hold it on (the systemd manager's run, as a
         * rule): the name is free for the next cell. */
        monitor_state_release_name_lock(&s);
        monitor_state_done(&s);
        return status;
}
