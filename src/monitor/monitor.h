/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell-monitor: the supervisor of a long-running payload, which cell becomes
 * by exec once the payload has run for MONITOR_AFTER_USEC. It keeps cell's
 * PID (the service's main PID, the container init's parent), its signal
 * mask and the fds handed over, and
 * does what cell's supervise loop did, in a loop of its own made for it:
 * signals to the payload (SIGTERM: KillSignal=, then SIGKILL after
 * TimeoutStopSec=), the payload's sd_notify datagrams relayed upward, the
 * cgroup's OOM kills counted, with Boot=yes the service's watchdog pinged,
 * and at the payload's exit its status as cell's.
 * Static and libc only: a few hundred KiB resident instead of cell's few
 * MiB of shared libraries (libsystemd, libseccomp, ...), for each container.
 *
 * What is left when the payload has exited and needs cell's libraries (the
 * cgroupfs manager's cgroups, the runtime state, VirtualEthernet='s host
 * side, Interface='s interfaces, Port='s nft table) it leaves to cell
 * again: "cell __finish", exec'd in the same process from cell's own binary
 * (monitor-handover.h).
 *
 * Like conmon for Podman, but cell does the whole start itself and hands
 * over only the waiting. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "macros.h"
#include "notify-relay.h"
#include "oom-counter.h"

#define MONITOR_AFTER_USEC (1 * USEC_PER_SEC)

/* The hand-over's format: the options cell passes cell-monitor and what
 * they mean. Bump it whenever they change (an option added, removed or read
 * otherwise), whatever the version: cell hands over only to a cell-monitor
 * that answers its own (monitor_probe(), before the exec), and cell-monitor
 * refuses another (monitor_handover_check()) before it takes anything over.
 * A cell of before the formats passed none: its options are format 1's.
 * Format 2 added --console-relay= and --console-slave-fd= (the read-only
 * console relayed), format 3 --stdout-dropping and --stderr-dropping (a
 * full disk said once), and nothing else: this cell-monitor reads formats 1
 * and 2 as well, as they were meant (without them: nothing said yet). */
#define MONITOR_HANDOVER_FORMAT 3U
#define MONITOR_HANDOVER_FORMAT_OLDEST 1U

/* The most shared places' locks handed over; a start with more stays
 * supervised by cell. */
#define MONITOR_SHARED_LOCKS_MAX 32

/* What cell hands over: plain data and fd numbers, passed as command-line
 * options (the fds without FD_CLOEXEC across that one exec). */
typedef struct MonitorState {
        pid_t pid;                      /* the container's PID 1 */
        int pidfd;
        char *name;                     /* the unit's name: STATUS= and the log prefix */
        int kill_signal;                /* KillSignal= */
        uint64_t timeout_stop_usec;     /* TimeoutStopSec=; 0 or USEC_INFINITY: no SIGKILL */
        bool init;                      /* Init=yes: how a death by signal shows */
        bool boot;                      /* Boot=yes: a reboot or power-off inside ends it */
        uint64_t watchdog_usec;         /* Boot=yes: the service's watchdog, pinged by
                                         * cell-monitor itself every half; 0: not ours */
        bool ready_sent;                /* cell reported READY=1 already */
        bool status_sent;               /* the payload's STATUS= stands (notify-send.h) */
        NotifyRelay relay;              /* the payload's notify socket; fd -EBADF: none */
        OomCounter oom;                 /* the scope's OOM kills; fd -EBADF: not watched */
        int uid_lock_fd;                /* PrivateUsers=pick: the range's lock ... */
        char *uid_lock_path;            /* ... and its file, removed at the end */
        int name_lock_fd;               /* the name's lock (src/scope/name-lock.h), whatever the
                                         * manager: handed on to "cell __finish", which releases
                                         * it, or released at our end ... */
        char *name_lock_path;           /* ... its file removed then, if still the one held */
        /* LOCK_SH on Directory= and the Bind= source directories
         * (src/spawn/shared-lock.h), let go when the payload ends */
        int shared_lock_fds[MONITOR_SHARED_LOCKS_MAX];
        size_t n_shared_lock_fds;
        int netns_fd;                   /* Interface=: the container's network namespace, held
                                         * and handed on to "cell __finish", which moves the
                                         * interfaces back out of it */
        int cell_fd;                    /* cell's own binary, to exec "cell __finish" ... */
        off_t cell_size;                /* ... its size and mtime when cell-monitor began: a file
                                         * rewritten in place since (cp over it, not renamed over as
                                         * an upgrade does) is another version's */
        struct timespec cell_mtime;
        char **finish;                  /* ... with these options at the end; NULL: nothing to do */
        int output_fds[2];              /* the payload's stdout and stderr pipes, relayed to our
                                         * fd 1 and 2 (output-relay.h) until their end; -EBADF: none */
        bool output_gone[2];            /* ... whose stream cell found gone (and said so) */
        bool output_dropping[2];        /* ... whose stream refused for now (ENOSPC), said so too */
        bool console;                   /* output_fds[0] is the master of the container's console,
                                         * a pty (output_relay_set_console()), not a pipe ... */
        unsigned console_cr_held;       /* ... with this many CRs cell's relay held back */
        int console_slave_fd;           /* ... and its slave, held; -EBADF: none */
        char **notify_pending;          /* what cell could not tell its supervisor yet
                                         * (notify_pending_texts()), sent first */
        bool debug;                     /* cell ran with --verbose */
} MonitorState;

#define MONITOR_STATE_NULL ((MonitorState) { .pidfd = -EBADF, .relay = NOTIFY_RELAY_NULL, \
                                             .oom = OOM_COUNTER_NULL, .uid_lock_fd = -EBADF, \
                                             .name_lock_fd = -EBADF, .netns_fd = -EBADF, \
                                             .cell_fd = -EBADF, .output_fds = { -EBADF, -EBADF }, \
                                             .console_slave_fd = -EBADF })
/* pidfd, notify, OOM counter, eventfd and cgroup, uid lock, name lock, netns, cell,
 * the two output pipes, the console's slave; the shared locks */
#define MONITOR_FDS_MAX (12 + MONITOR_SHARED_LOCKS_MAX)

/* cell's side: the command line that hands s over to the monitor at path,
 * and the fds in it, for the caller to let through the exec (and to close
 * on exec again if it fails). */
int monitor_state_to_argv(const MonitorState *s, const char *path, char ***ret_argv,
                          int ret_fds[static MONITOR_FDS_MAX], size_t *ret_n_fds);
/* The monitor's first step, before monitor_state_parse() touches an fd:
 * --handover-format=N (none: 1, from a cell of before the formats) and
 * --cell-version=V read from argv. 0: N is MONITOR_HANDOVER_FORMAT, go on;
 * 1: --handover-check, cell asking before the exec: answered on stdout,
 * "FORMAT VERSION\n", nothing else to do (*ret_status: 0 when N is ours, else
 * 1); -EPROTO (logged) for another N, -EINVAL (logged) for no number. */
int monitor_handover_check(int argc, char *argv[], int *ret_status);
/* The monitor's side: -EINVAL (logged) on anything it did not write. The
 * fds get FD_CLOEXEC back; the relay is set up anew (the payload's PID
 * namespace read again). */
int monitor_state_parse(int argc, char *argv[], MonitorState *ret);
/* "--opt=v" as a decimal number up to max; -EINVAL (logged) otherwise. */
/* "--opt=FD" of an fd handed over through exec: it must be open; it is
 * close-on-exec again from here on. -EBADF (logged) otherwise; -EINVAL
 * (logged) when *ret holds one already (the option given twice). */
int monitor_parse_fd(const char *opt, const char *v, int *ret);
/* -EINVAL (logged) when an fd (>= 0) is twice among fds: handed over for
 * two things, it would be closed twice. */
int monitor_fds_distinct(const int *fds, size_t n);
int monitor_parse_number(const char *opt, const char *v, uint64_t max, uint64_t *ret);
/* A string option's value into *dest, replacing what was there: 0, or log_oom(). */
int monitor_parse_string(const char *v, char **dest);
/* Appends "--opt=value" (value NULL: "--opt") to *l. */
int monitor_push_option(char ***l, const char *opt, const char *value);
void monitor_state_done(MonitorState *s);
/* Closes the shared places' locks: the payload ended, nothing of it is
 * mounted there any more. */
void monitor_state_release_shared(MonitorState *s);

/* The name's lock let go, its file removed while still held (if it is
 * still the one at its path): for a run with no "cell __finish" to do it
 * (the systemd manager's, as a rule), at cell-monitor's end. */
void monitor_state_release_name_lock(MonitorState *s);

/* Whether s->finish has cgroups to remove (the cgroupfs manager's): the
 * name's lock is then handed on to "cell __finish", which frees it after. */
bool monitor_finish_removes_cgroups(const MonitorState *s);
/* After monitor_run(): "cell __finish" from s->cell_fd, with the payload's
 * exit status, when s->finish has work. Returns only when that failed:
 * -ESTALE when cell's binary was rewritten in place since cell-monitor began
 * (its "cell __finish" might not read this state: not run), else -errno. */
int monitor_finish(const MonitorState *s, int status);

/* Supervises until the payload exited; *ret_status: its exit status as cell
 * reports it. -errno when supervising failed (the payload is then still
 * there, for the caller to kill). */
int monitor_run(MonitorState *s, int *ret_status);
