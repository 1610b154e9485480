/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The hand-over from cell to cell-monitor as a command line: readable in
 * ps(1), nothing to parse but options, and no file left anywhere. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-build.h"
#include "log.h"
#include "lock-file.h"
#include "monitor.h"
#include "output-relay.h"
#include "parse-util.h"
#include "strv.h"

enum {
        ARG_PID = 0x100, ARG_PIDFD, ARG_NAME, ARG_KILL_SIGNAL, ARG_TIMEOUT_STOP,
        ARG_INIT, ARG_BOOT, ARG_WATCHDOG_USEC, ARG_READY_SENT, ARG_STATUS_SENT,
        ARG_NOTIFY_FD, ARG_NOTIFY_READY, ARG_READY_SEEN,
        ARG_OOM_FD, ARG_OOM_EVENTFD, ARG_OOM_DIRFD, ARG_OOM_KILLS, ARG_OOM_SEEN, ARG_OOM_GONE,
        ARG_UID_LOCK_FD, ARG_UID_LOCK_PATH, ARG_NAME_LOCK_FD, ARG_NAME_LOCK_PATH, ARG_NETNS_FD, ARG_CELL_FD,
        ARG_FINISH, ARG_DEBUG,
        ARG_SHARED_LOCK_FD, ARG_STDOUT_PIPE_FD, ARG_STDERR_PIPE_FD, ARG_NOTIFY_PENDING,
        ARG_STDOUT_GONE, ARG_STDERR_GONE, ARG_STDOUT_DROPPING, ARG_STDERR_DROPPING,
        ARG_CONSOLE_RELAY, ARG_CONSOLE_SLAVE_FD, ARG_HANDOVER_FORMAT, ARG_CELL_VERSION,
};

static const struct option options[] = {
        { "pid",               required_argument, NULL, ARG_PID           },
        { "pidfd",             required_argument, NULL, ARG_PIDFD         },
        { "name",              required_argument, NULL, ARG_NAME          },
        { "kill-signal",       required_argument, NULL, ARG_KILL_SIGNAL   },
        { "timeout-stop-usec", required_argument, NULL, ARG_TIMEOUT_STOP  },
        { "init",              no_argument,       NULL, ARG_INIT          },
        { "boot",              no_argument,       NULL, ARG_BOOT          },
        { "watchdog-usec",     required_argument, NULL, ARG_WATCHDOG_USEC },
        { "ready-sent",        no_argument,       NULL, ARG_READY_SENT    },
        { "status-sent",       no_argument,       NULL, ARG_STATUS_SENT   },
        { "notify-fd",         required_argument, NULL, ARG_NOTIFY_FD     },
        { "notify-ready",      no_argument,       NULL, ARG_NOTIFY_READY  },
        { "ready-seen",        no_argument,       NULL, ARG_READY_SEEN    },
        { "oom-fd",            required_argument, NULL, ARG_OOM_FD        },
        { "oom-eventfd",       required_argument, NULL, ARG_OOM_EVENTFD   },
        { "oom-dirfd",         required_argument, NULL, ARG_OOM_DIRFD     },
        { "oom-kills",         required_argument, NULL, ARG_OOM_KILLS     },
        { "oom-seen",          no_argument,       NULL, ARG_OOM_SEEN      },
        { "oom-gone",          no_argument,       NULL, ARG_OOM_GONE      },
        { "uid-lock-fd",       required_argument, NULL, ARG_UID_LOCK_FD   },
        { "uid-lock-path",     required_argument, NULL, ARG_UID_LOCK_PATH },
        { "name-lock-fd",      required_argument, NULL, ARG_NAME_LOCK_FD  },
        { "name-lock-path",    required_argument, NULL, ARG_NAME_LOCK_PATH },
        { "shared-lock-fd",    required_argument, NULL, ARG_SHARED_LOCK_FD },
        { "netns-fd",          required_argument, NULL, ARG_NETNS_FD      },
        { "cell-fd",           required_argument, NULL, ARG_CELL_FD       },
        { "stdout-pipe-fd",    required_argument, NULL, ARG_STDOUT_PIPE_FD },
        { "stderr-pipe-fd",    required_argument, NULL, ARG_STDERR_PIPE_FD },
        { "stdout-gone",       no_argument,       NULL, ARG_STDOUT_GONE    },
        { "stderr-gone",       no_argument,       NULL, ARG_STDERR_GONE    },
        { "stdout-dropping",   no_argument,       NULL, ARG_STDOUT_DROPPING },
        { "stderr-dropping",   no_argument,       NULL, ARG_STDERR_DROPPING },
        { "console-relay",     required_argument, NULL, ARG_CONSOLE_RELAY },
        { "console-slave-fd",  required_argument, NULL, ARG_CONSOLE_SLAVE_FD },
        { "finish",            required_argument, NULL, ARG_FINISH        },
        { "notify-pending",    required_argument, NULL, ARG_NOTIFY_PENDING },
        { "debug",             no_argument,       NULL, ARG_DEBUG         },
        /* monitor_handover_check()'s, read before */
        { "handover-format",   required_argument, NULL, ARG_HANDOVER_FORMAT },
        { "cell-version",      required_argument, NULL, ARG_CELL_VERSION  },
        {}
};

int monitor_push_option(char ***l, const char *opt, const char *value) {
        char *s;

        if (value ? asprintf(&s, "--%s=%s", opt, value) < 0 : asprintf(&s, "--%s", opt) < 0)
                return -ENOMEM;
        return strv_push(l, s);
}

static int push_u64(char ***l, const char *opt, uint64_t v) {
        char n[32];

        (void) snprintf(n, sizeof n, "%" PRIu64, v);
        return monitor_push_option(l, opt, n);
}

static int push_fd(char ***l, const char *opt, int fd, int fds[static MONITOR_FDS_MAX], size_t *n_fds) {
        fds[(*n_fds)++] = fd;
        return push_u64(l, opt, (uint64_t) fd);
}

int monitor_state_to_argv(const MonitorState *s, const char *path, char ***ret_argv,
                          int ret_fds[static MONITOR_FDS_MAX], size_t *ret_n_fds) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;
        int r;

        if (s->pid <= 0 || s->pidfd < 0 || !s->name)
                return -EINVAL;
        r = strv_extend(&l, path);
        /* First: what monitor_handover_check() reads before anything else. */
        if (r >= 0)
                r = push_u64(&l, "handover-format", MONITOR_HANDOVER_FORMAT);
        if (r >= 0)
                r = monitor_push_option(&l, "cell-version", CELL_VERSION);
        if (r >= 0)
                r = push_fd(&l, "pidfd", s->pidfd, ret_fds, &n);
        if (r >= 0)
                r = push_u64(&l, "pid", (uint64_t) s->pid);
        if (r >= 0)
                r = monitor_push_option(&l, "name", s->name);
        if (r >= 0)
                r = push_u64(&l, "kill-signal", (uint64_t) s->kill_signal);
        if (r >= 0 && s->timeout_stop_usec != USEC_INFINITY)
                r = push_u64(&l, "timeout-stop-usec", s->timeout_stop_usec);
        if (r >= 0 && s->init)
                r = monitor_push_option(&l, "init", NULL);
        if (r >= 0 && s->boot)
                r = monitor_push_option(&l, "boot", NULL);
        if (r >= 0 && s->watchdog_usec > 0)
                r = push_u64(&l, "watchdog-usec", s->watchdog_usec);
        if (r >= 0 && s->ready_sent)
                r = monitor_push_option(&l, "ready-sent", NULL);
        if (r >= 0 && s->status_sent)
                r = monitor_push_option(&l, "status-sent", NULL);
        if (r >= 0 && s->relay.fd >= 0) {
                r = push_fd(&l, "notify-fd", s->relay.fd, ret_fds, &n);
                if (r >= 0 && s->relay.notify_ready)
                        r = monitor_push_option(&l, "notify-ready", NULL);
                if (r >= 0 && s->relay.ready_seen)
                        r = monitor_push_option(&l, "ready-seen", NULL);
        }
        if (r >= 0 && s->oom.fd >= 0) {
                r = push_fd(&l, "oom-fd", s->oom.fd, ret_fds, &n);
                if (r >= 0 && !s->oom.unified)
                        r = push_fd(&l, "oom-eventfd", s->oom.efd, ret_fds, &n);
                if (r >= 0 && s->oom.dirfd >= 0)
                        r = push_fd(&l, "oom-dirfd", s->oom.dirfd, ret_fds, &n);
                if (r >= 0)
                        r = push_u64(&l, "oom-kills", s->oom.kills);
                if (r >= 0 && s->oom.oom_seen)
                        r = monitor_push_option(&l, "oom-seen", NULL);
                if (r >= 0 && s->oom.gone)
                        r = monitor_push_option(&l, "oom-gone", NULL);
        }
        if (r >= 0 && s->uid_lock_fd >= 0 && s->uid_lock_path) {
                r = push_fd(&l, "uid-lock-fd", s->uid_lock_fd, ret_fds, &n);
                if (r >= 0)
                        r = monitor_push_option(&l, "uid-lock-path", s->uid_lock_path);
        }
        if (r >= 0 && s->name_lock_fd >= 0) {
                r = push_fd(&l, "name-lock-fd", s->name_lock_fd, ret_fds, &n);
                if (r >= 0 && s->name_lock_path)
                        r = monitor_push_option(&l, "name-lock-path", s->name_lock_path);
        }
        if (r >= 0 && s->n_shared_lock_fds > MONITOR_SHARED_LOCKS_MAX)
                r = -E2BIG;
        for (size_t i = 0; r >= 0 && i < s->n_shared_lock_fds; i++)
                r = push_fd(&l, "shared-lock-fd", s->shared_lock_fds[i], ret_fds, &n);
        if (r >= 0 && s->netns_fd >= 0)
                r = push_fd(&l, "netns-fd", s->netns_fd, ret_fds, &n);
        if (r >= 0 && s->cell_fd >= 0 && s->finish) {
                r = push_fd(&l, "cell-fd", s->cell_fd, ret_fds, &n);
                for (char **f = s->finish; r >= 0 && *f; f++)
                        r = monitor_push_option(&l, "finish", *f);
        }
        if (r >= 0 && s->output_fds[0] >= 0)
                r = push_fd(&l, "stdout-pipe-fd", s->output_fds[0], ret_fds, &n);
        if (r >= 0 && s->output_fds[1] >= 0)
                r = push_fd(&l, "stderr-pipe-fd", s->output_fds[1], ret_fds, &n);
        if (r >= 0 && s->output_fds[0] >= 0 && s->output_gone[0])
                r = monitor_push_option(&l, "stdout-gone", NULL);
        if (r >= 0 && s->output_fds[1] >= 0 && s->output_gone[1])
                r = monitor_push_option(&l, "stderr-gone", NULL);
        if (r >= 0 && s->output_fds[0] >= 0 && s->output_dropping[0])
                r = monitor_push_option(&l, "stdout-dropping", NULL);
        if (r >= 0 && s->output_fds[1] >= 0 && s->output_dropping[1])
                r = monitor_push_option(&l, "stderr-dropping", NULL);
        if (r >= 0 && s->output_fds[0] >= 0 && s->console)
                r = push_u64(&l, "console-relay", s->console_cr_held);
        if (r >= 0 && s->output_fds[0] >= 0 && s->console && s->console_slave_fd >= 0)
                r = push_fd(&l, "console-slave-fd", s->console_slave_fd, ret_fds, &n);
        for (char **t = s->notify_pending; r >= 0 && t && *t; t++)
                r = monitor_push_option(&l, "notify-pending", *t);
        if (r >= 0 && s->debug)
                r = monitor_push_option(&l, "debug", NULL);
        if (r < 0)
                return r;
        *ret_argv = TAKE_PTR(l);
        *ret_n_fds = n;
        return 0;
}

int monitor_parse_number(const char *opt, const char *v, uint64_t max, uint64_t *ret) {
        uint64_t u;

        if (parse_uint64(v, &u) < 0 || u > max)
                return log_error_errno(EINVAL, "--%s=%s: not a number up to %" PRIu64 ".", opt, v, max);
        *ret = u;
        return 0;
}

int monitor_parse_string(const char *v, char **dest) {
        char *c = strdup(v);

        if (!c)
                return log_oom();
        free(*dest);
        *dest = c;
        return 0;
}

int monitor_parse_fd(const char *opt, const char *v, int *ret) {
        uint64_t u = 0;
        int r = monitor_parse_number(opt, v, INT32_MAX, &u);

        if (r < 0)
                return r;
        /* Given twice, the first would stay open unnoticed. */
        if (*ret >= 0)
                return log_error_errno(EINVAL, "--%s=%s: given twice.", opt, v);
        if (u < 3 || fcntl((int) u, F_SETFD, FD_CLOEXEC) < 0)
                return log_error_errno(EBADF, "--%s=%s: not an open fd handed over by cell.", opt, v);
        *ret = (int) u;
        return 0;
}

int monitor_fds_distinct(const int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n && fds[i] >= 0; j++)
                        if (fds[i] == fds[j])
                                return log_error_errno(EINVAL, "fd %d handed over twice, for two things.", fds[i]);
        return 0;
}

int monitor_handover_check(int argc, char *argv[], int *ret_status) {
        const char *format = NULL, *version = NULL;
        bool check = false;
        uint64_t n = 1;         /* none: a cell of before the formats, whose options are format 1's */

        *ret_status = 0;
        /* By hand, not getopt: nothing else is read (nor refused) yet. */
        for (int i = 1; i < argc; i++) {
                const char *v;

                if ((v = startswith(argv[i], "--handover-format=")))
                        format = v;
                else if ((v = startswith(argv[i], "--cell-version=")))
                        version = v;
                else if (streq(argv[i], "--handover-check"))
                        check = true;
        }
        if (format && (parse_uint64(format, &n) < 0 || n > UINT32_MAX))
                return log_error_errno(EINVAL, "--handover-format=%s: not a number.", format);
        bool readable = n >= MONITOR_HANDOVER_FORMAT_OLDEST && n <= MONITOR_HANDOVER_FORMAT;
        if (check) {
                /* cell's question before its exec: our answer, nothing taken. */
                printf("%u %s\n", MONITOR_HANDOVER_FORMAT, CELL_VERSION);
                if (fflush(stdout) != 0)
                        return log_error_errno(errno, "Answering --handover-check: %m");
                *ret_status = readable ? 0 : 1;
                return 1;
        }
        /* No fd taken yet: the container ends with this process (its init's
         * parent-death signal), but nothing is misread on its way. */
        if (!readable)
                return log_error_errno(EPROTO, "cell %s hands the supervision over in format %" PRIu64 ", this "
                                       "cell-monitor (cell %s) reads formats %u to %u only: it takes nothing over.",
                                       strna(version), n, CELL_VERSION, MONITOR_HANDOVER_FORMAT_OLDEST,
                                       MONITOR_HANDOVER_FORMAT);
        return 0;
}

int monitor_state_parse(int argc, char *argv[], MonitorState *ret) {
        MonitorState s = MONITOR_STATE_NULL;
        bool notify_ready = false, ready_seen = false;
        int notify_fd = -EBADF, c, r = 0;
        uint64_t u = 0;         /* read below even when a number was refused (then unused) */

        s.timeout_stop_usec = USEC_INFINITY;
        optind = 0;
        while (r >= 0 && (c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case ARG_PID:
                        r = monitor_parse_number("pid", optarg, INT32_MAX, &u);
                        s.pid = (pid_t) u;
                        break;
                case ARG_PIDFD:
                        r = monitor_parse_fd("pidfd", optarg, &s.pidfd);
                        break;
                case ARG_NAME:
                        r = monitor_parse_string(optarg, &s.name);
                        break;
                case ARG_KILL_SIGNAL:
                        r = monitor_parse_number("kill-signal", optarg, 64, &u);
                        s.kill_signal = (int) u;
                        break;
                case ARG_TIMEOUT_STOP:
                        r = monitor_parse_number("timeout-stop-usec", optarg, UINT64_MAX, &s.timeout_stop_usec);
                        break;
                case ARG_INIT:
                        s.init = true;
                        break;
                case ARG_BOOT:
                        s.boot = true;
                        break;
                case ARG_WATCHDOG_USEC:
                        r = monitor_parse_number("watchdog-usec", optarg, UINT64_MAX - 1, &s.watchdog_usec);
                        break;
                case ARG_READY_SENT:
                        s.ready_sent = true;
                        break;
                case ARG_STATUS_SENT:
                        s.status_sent = true;
                        break;
                case ARG_NOTIFY_FD:
                        r = monitor_parse_fd("notify-fd", optarg, &notify_fd);
                        break;
                case ARG_NOTIFY_READY:
                        notify_ready = true;
                        break;
                case ARG_READY_SEEN:
                        ready_seen = true;
                        break;
                case ARG_OOM_FD:
                        r = monitor_parse_fd("oom-fd", optarg, &s.oom.fd);
                        break;
                case ARG_OOM_EVENTFD:
                        r = monitor_parse_fd("oom-eventfd", optarg, &s.oom.efd);
                        break;
                case ARG_OOM_DIRFD:
                        r = monitor_parse_fd("oom-dirfd", optarg, &s.oom.dirfd);
                        break;
                case ARG_OOM_KILLS:
                        r = monitor_parse_number("oom-kills", optarg, UINT64_MAX, &s.oom.kills);
                        break;
                case ARG_OOM_SEEN:
                        s.oom.oom_seen = true;
                        break;
                case ARG_OOM_GONE:
                        s.oom.gone = true;
                        break;
                case ARG_UID_LOCK_FD:
                        r = monitor_parse_fd("uid-lock-fd", optarg, &s.uid_lock_fd);
                        break;
                case ARG_UID_LOCK_PATH:
                        r = monitor_parse_string(optarg, &s.uid_lock_path);
                        break;
                case ARG_NAME_LOCK_FD:
                        r = monitor_parse_fd("name-lock-fd", optarg, &s.name_lock_fd);
                        break;
                case ARG_NAME_LOCK_PATH:
                        r = monitor_parse_string(optarg, &s.name_lock_path);
                        break;
                case ARG_SHARED_LOCK_FD:
                        if (s.n_shared_lock_fds >= MONITOR_SHARED_LOCKS_MAX) {
                                r = log_error_errno(E2BIG, "Too many --shared-lock-fd=.");
                                break;
                        }
                        s.shared_lock_fds[s.n_shared_lock_fds] = -EBADF;
                        r = monitor_parse_fd("shared-lock-fd", optarg, &s.shared_lock_fds[s.n_shared_lock_fds]);
                        if (r >= 0)
                                s.n_shared_lock_fds++;
                        break;
                case ARG_NETNS_FD:
                        r = monitor_parse_fd("netns-fd", optarg, &s.netns_fd);
                        break;
                case ARG_CELL_FD:
                        r = monitor_parse_fd("cell-fd", optarg, &s.cell_fd);
                        break;
                case ARG_STDOUT_PIPE_FD:
                        r = monitor_parse_fd("stdout-pipe-fd", optarg, &s.output_fds[0]);
                        break;
                case ARG_STDERR_PIPE_FD:
                        r = monitor_parse_fd("stderr-pipe-fd", optarg, &s.output_fds[1]);
                        break;
                case ARG_STDOUT_GONE:
                        s.output_gone[0] = true;
                        break;
                case ARG_STDERR_GONE:
                        s.output_gone[1] = true;
                        break;
                case ARG_STDOUT_DROPPING:
                        s.output_dropping[0] = true;
                        break;
                case ARG_STDERR_DROPPING:
                        s.output_dropping[1] = true;
                        break;
                case ARG_CONSOLE_RELAY: {
                        uint64_t held = 0;

                        r = monitor_parse_number("console-relay", optarg, OUTPUT_RELAY_CR_HELD_MAX, &held);
                        s.console = r >= 0;
                        s.console_cr_held = (unsigned) held;
                        break;
                }
                case ARG_CONSOLE_SLAVE_FD:
                        r = monitor_parse_fd("console-slave-fd", optarg, &s.console_slave_fd);
                        break;
                case ARG_FINISH:
                        r = strv_extend(&s.finish, optarg) < 0 ? log_oom() : 0;
                        break;
                case ARG_NOTIFY_PENDING:
                        r = strv_extend(&s.notify_pending, optarg) < 0 ? log_oom() : 0;
                        break;
                case ARG_DEBUG:
                        s.debug = true;
                        break;
                case ARG_HANDOVER_FORMAT:
                case ARG_CELL_VERSION:
                        break;          /* monitor_handover_check()'s */
                case '?':
                default:
                        r = -EINVAL;
                        break;
                }

        if (r >= 0 && (optind < argc || s.pid <= 0 || s.pidfd < 0 || !s.name))
                r = log_error_errno(EINVAL, "cell-monitor is started by \"cell run\" only: it needs --pidfd=, --pid= and --name=.");
        if (r >= 0) {
                /* Each closed once at the end: one fd for two things would
                 * be closed twice, the second time perhaps another's. */
                int fds[MONITOR_FDS_MAX] = { s.pidfd, notify_fd, s.oom.fd, s.oom.efd, s.uid_lock_fd,
                                             s.name_lock_fd, s.netns_fd, s.cell_fd, s.output_fds[0],
                                             s.output_fds[1], s.oom.dirfd, s.console_slave_fd };
                size_t n = 12;

                for (size_t i = 0; i < s.n_shared_lock_fds; i++)
                        fds[n++] = s.shared_lock_fds[i];
                r = monitor_fds_distinct(fds, n);
        }
        if (r >= 0 && s.console && s.output_fds[0] < 0)
                r = log_error_errno(EINVAL, "--console-relay= needs --stdout-pipe-fd=, the console's master.");
        if (r >= 0 && s.console_slave_fd >= 0 && !s.console)
                r = log_error_errno(EINVAL, "--console-slave-fd= needs --console-relay=.");
        if (r >= 0 && s.finish && s.cell_fd < 0)
                r = log_error_errno(EINVAL, "--finish= needs --cell-fd=.");
        if (r >= 0 && s.cell_fd >= 0) {
                struct stat st;

                /* cell's binary as it is now (it could not be written while cell ran
                 * it, ETXTBSY): monitor_finish() execs it only if still so. */
                if (fstat(s.cell_fd, &st) < 0)
                        r = log_error_errno(errno, "--cell-fd=%d: %m", s.cell_fd);
                else {
                        s.cell_size = st.st_size;
                        s.cell_mtime = st.st_mtim;
                }
        }
        if (r >= 0 && s.oom.fd >= 0)
                s.oom.unified = s.oom.efd < 0;
        if (r >= 0 && notify_fd >= 0) {
                /* A payload that is gone by now has nothing more to say. */
                if (notify_relay_init(&s.relay, TAKE_FD(notify_fd), s.pid, s.name, notify_ready, !s.boot) >= 0)
                        s.relay.ready_seen = ready_seen;
        }
        safe_close(notify_fd);
        if (r < 0) {
                monitor_state_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

void monitor_state_done(MonitorState *s) {
        s->pidfd = safe_close(s->pidfd);
        notify_relay_done(&s->relay);
        oom_counter_done(&s->oom);
        s->uid_lock_fd = safe_close(s->uid_lock_fd);
        s->uid_lock_path = mfree(s->uid_lock_path);
        s->name_lock_fd = safe_close(s->name_lock_fd);
        s->name_lock_path = mfree(s->name_lock_path);
        monitor_state_release_shared(s);
        s->netns_fd = safe_close(s->netns_fd);
        s->cell_fd = safe_close(s->cell_fd);
        s->output_fds[0] = safe_close(s->output_fds[0]);
        s->output_fds[1] = safe_close(s->output_fds[1]);
        s->console_slave_fd = safe_close(s->console_slave_fd);
        s->finish = strv_free(s->finish);
        s->notify_pending = strv_free(s->notify_pending);
        s->name = mfree(s->name);
}

bool monitor_finish_removes_cgroups(const MonitorState *s) {
        /* monitor_finish_args()'s --cgroup=DIR and --cgroup2=DIR */
        STRV_FOREACH(o, s->finish)
                if (startswith(*o, "--cgroup=") || startswith(*o, "--cgroup2="))
                        return true;
        return false;
}

void monitor_state_release_name_lock(MonitorState *s) {
        struct stat a, b;

        /* Removed while held, and only the file we hold: a start that opened
         * it meanwhile finds it replaced after its flock() (lock-file.h). */
        if (s->name_lock_fd >= 0 && s->name_lock_path && fstat(s->name_lock_fd, &a) >= 0 &&
            lstat(s->name_lock_path, &b) >= 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                (void) unlink(s->name_lock_path);
        s->name_lock_fd = safe_close(s->name_lock_fd);
}

void monitor_state_release_shared(MonitorState *s) {
        /* A place's, a UID slot's, an image's or a macvlan address's lock
         * file goes with its last holder (others are closed). */
        for (size_t i = 0; i < s->n_shared_lock_fds; i++)
                lock_file_release_shared_any(s->shared_lock_fds[i],
                                             (const char *const[]) { CELL_PLACE_LOCK_DIR, CELL_UID_LOCK_DIR,
                                                                     CELL_IMAGE_LOCK_DIR, CELL_MACVLAN_LOCK_DIR,
                                                                     NULL });
        s->n_shared_lock_fds = 0;
}
