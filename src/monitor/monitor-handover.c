/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "config-build.h"
#include "log.h"
#include "monitor-handover.h"
#include "monitor.h"
#include "name-lock.h"
#include "netfw.h"
#include "spawn-run-host.h"
#include "strv.h"

/* cell-monitor beside cell first (the build tree, or a copy of both), then
 * where it is installed. Either is as trusted as cell's own binary. */
int monitor_open(int *ret_monitor_fd, int *ret_cell_fd) {
        char exe[PATH_MAX], path[PATH_MAX + 16];
        ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
        int fd = -EBADF;

        if (k > 0) {
                exe[k] = 0;
                (void) snprintf(path, sizeof path, "%s/cell-monitor", dirname(exe));
                fd = open(path, O_PATH|O_CLOEXEC);
        }
        if (fd < 0)
                fd = open(CELL_MONITOR_PATH, O_PATH|O_CLOEXEC);
        if (fd < 0) {
                *ret_monitor_fd = *ret_cell_fd = -EBADF;
                return negative_errno();
        }
        *ret_monitor_fd = fd;
        /* The binary this process runs, even once an upgrade renamed another over it. */
        *ret_cell_fd = open("/proc/self/exe", O_PATH|O_CLOEXEC);
        if (*ret_cell_fd < 0)
                *ret_cell_fd = -EBADF;
        return 0;
}

const char *monitor_handover_refused(const MonitorHandover *h) {
        if (streq_ptr(getenv("CELL_MONITOR"), "0"))
                return "$CELL_MONITOR=0";
        if (h->stop_requested)
                return "a stop is under way";
        if (h->monitor_fd < 0)
                return "no cell-monitor beside cell nor at " CELL_MONITOR_PATH;
        bool cleanup = h->state_published || scope_manager(h->scope) == CGROUP_MANAGER_CGROUPFS ||
                h->spawn->veth_index > 0 || h->spawn->netfw_table || h->spawn->netns_fd >= 0 ||
                h->spawn->zone || h->spawn->n_extras > 0 || h->spawn->run_host;
        if (cleanup && h->cell_fd < 0)
                return "cell's own binary could not be opened for the clean-up at the payload's exit";
        return NULL;
}

/* Our end of the probe's pipe until its EOF (the probe's exit), the
 * deadline or a full buffer: what the probe answered. */
static int probe_read(int fd, uint64_t deadline, char *buf, size_t size) {
        size_t n = 0;

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int64_t left = msec_left(deadline);
                ssize_t k;

                if (left <= 0)
                        return -ETIMEDOUT;
                k = poll(&p, 1, (int) MIN(left, (int64_t) INT_MAX));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        continue;
                k = read(fd, buf + n, size - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                n += (size_t) k;
                if (k == 0 || n == size - 1)
                        break;
        }
        buf[n] = 0;
        return 0;
}

int monitor_probe(int monitor_fd, unsigned *ret_format, char *ret_version, size_t version_size) {
        char format_arg[32], version_arg[sizeof "--cell-version=" + sizeof CELL_VERSION];
        char *argv[] = { (char *) "cell-monitor", format_arg, version_arg, (char *) "--handover-check", NULL };
        char answer[128], version[64];
        _cleanup_close_ int out = -EBADF;
        int fds[2], status, r;
        unsigned format;
        pid_t pid;

        if (monitor_fd < 0)
                return -EBADF;
        (void) snprintf(format_arg, sizeof format_arg, "--handover-format=%u", MONITOR_HANDOVER_FORMAT);
        (void) snprintf(version_arg, sizeof version_arg, "--cell-version=%s", CELL_VERSION);
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                (void) close(fds[0]);
                (void) close(fds[1]);
                return r;
        }
        if (pid == 0) {
                int null;

                /* Not to outlive a cell killed meanwhile. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                /* Its answer into the pipe; an older one's words on the option to nothing. */
                if (fds[1] == STDOUT_FILENO ? fcntl(fds[1], F_SETFD, 0) < 0 : dup2(fds[1], STDOUT_FILENO) < 0)
                        _exit(127);
                null = open("/dev/null", O_WRONLY|O_CLOEXEC);
                if (null >= 0 && null != STDERR_FILENO)
                        (void) dup2(null, STDERR_FILENO);
                execveat(monitor_fd, "", argv, environ, AT_EMPTY_PATH);
                _exit(127);
        }
        (void) close(fds[1]);
        out = fds[0];
        r = probe_read(out, now_monotonic_usec() + MONITOR_PROBE_USEC, answer, sizeof answer);
        /* Our own child, reaped by nothing else (the loop waits by pidfd): by
         * PID. Killed whatever it did: one that closed its output (or filled
         * our buffer) and went on would hold us here; an exit stays one. */
        (void) kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return r < 0 ? r : -errno;
        if (r < 0)
                return r;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !answer[0])
                return -ENOEXEC;
        /* "FORMAT VERSION\n", with 0 when it reads ours, 1 when not. */
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1 || sscanf(answer, "%u %63s", &format, version) != 2)
                return -EPROTONOSUPPORT;
        *ret_format = format;
        (void) snprintf(ret_version, version_size, "%s", version);
        return 0;
}

int monitor_agrees(int monitor_fd, char *why, size_t size) {
        char version[64] = "", link[32], path[PATH_MAX] = "cell-monitor";
        unsigned format = 0;
        ssize_t k;
        int r;

        r = monitor_probe(monitor_fd, &format, version, sizeof version);
        if (r >= 0 && format == MONITOR_HANDOVER_FORMAT)
                return 0;
        (void) snprintf(link, sizeof link, "/proc/self/fd/%d", monitor_fd);
        k = readlink(link, path, sizeof path - 1);
        if (k > 0)
                path[k] = 0;
        if (r >= 0) {
                (void) snprintf(why, size, "%s is another version's (cell %s, hand-over format %u; this cell %s "
                                "hands over format %u), as after a package upgrade during this start. Restart "
                                "the cell to run it under one version.",
                                path, version, format, CELL_VERSION, MONITOR_HANDOVER_FORMAT);
                return -EPROTO;
        }
        if (r == -EPROTONOSUPPORT)
                (void) snprintf(why, size, "%s does not say which hand-over format it reads: a cell-monitor "
                                "older than the formats, not of this cell's version (%s). Restart the cell to "
                                "run it under one version.", path, CELL_VERSION);
        else
                (void) snprintf(why, size, "asking %s for its hand-over format: %s", path, strerror(-r));
        return r;
}

/* --interface=INDEX:NAME:KIND:PERM_ADDR:LINK_NETNSID:LINK:ADDR, the
 * addresses in hex, LINK_NETNSID -1 for none: a NetifMoved, all of what
 * netif_move_back() compares (no ':' is in an interface name nor a kind). */
#define MOVED_TEXT_MAX (3 * 12 + IFNAMSIZ + 16 + 2 * 2 * 32 + 8)

static void hex_put(char *p, const uint8_t *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "%02x", b[i]);
        *p = 0;
}

static void moved_format(const NetifMoved *m, char ret[static MOVED_TEXT_MAX]) {
        char perm[2 * sizeof m->perm_addr + 1], addr[2 * sizeof m->addr + 1];

        hex_put(perm, m->perm_addr, m->perm_addr_len);
        hex_put(addr, m->addr, m->addr_len);
        (void) snprintf(ret, MOVED_TEXT_MAX, "%d:%s:%s:%s:%" PRIi32 ":%" PRIu32 ":%s",
                        m->index, m->name, m->kind, perm, m->link_netnsid, m->link, addr);
}

int monitor_finish_args(const MonitorHandover *h, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        ScopeCgroupfsDirs d = {};
        int r = 0;

        if (h->state_published)
                r = monitor_push_option(&l, "state", NULL);
        if (r >= 0 && scope_cgroupfs_dirs(h->scope, &d) >= 0) {
                for (size_t i = 0; r >= 0 && d.dirs && d.dirs[i]; i++)
                        r = monitor_push_option(&l, (int) i == d.unified ? "cgroup2" : "cgroup", d.dirs[i]);
                if (r >= 0 && d.pure_v2)
                        r = monitor_push_option(&l, "pure-v2", NULL);
                if (r >= 0 && d.own_v2 && d.leaf) {
                        r = monitor_push_option(&l, "own-v2", d.own_v2);
                        if (r >= 0)
                                r = monitor_push_option(&l, "leaf", d.leaf);
                }
                scope_cgroupfs_dirs_done(&d);
        }
        if (r >= 0 && h->spawn->veth_index > 0) {
                char v[32 + IFNAMSIZ];

                (void) snprintf(v, sizeof v, "%d:%s", h->spawn->veth_index, h->spawn->veth_name);
                r = monitor_push_option(&l, "veth", v);
        }
        if (r >= 0 && h->spawn->netfw_table) {
                _cleanup_free_ char *t = NULL;

                /* By handle: the table of a later start has the same name. */
                t = netfw_tables_format(h->spawn->netfw_table, h->spawn->netfw_handles);
                if (!t)
                        return -ENOMEM;
                r = monitor_push_option(&l, "netfw-table", t);
        }
        if (r >= 0 && h->spawn->zone)
                r = monitor_push_option(&l, "zone", h->spawn->zone);
        for (size_t i = 0; r >= 0 && i < h->spawn->n_extras; i++) {
                char v[32 + IFNAMSIZ];

                (void) snprintf(v, sizeof v, "%d:%s", h->spawn->extras[i].index, h->spawn->extras[i].name);
                r = monitor_push_option(&l, "veth-extra", v);
        }
        for (size_t i = 0; r >= 0 && h->spawn->netns_fd >= 0 && i < h->spawn->n_moved; i++) {
                char m[MOVED_TEXT_MAX];

                moved_format(&h->spawn->moved[i], m);
                r = monitor_push_option(&l, "interface", m);
        }
        if (r >= 0 && h->spawn->run_host) {
                _cleanup_free_ char *t = NULL;

                r = run_host_format(h->spawn->run_host, h->spawn->run_host_absent, &t);
                if (r >= 0)
                        r = monitor_push_option(&l, "run-host", t);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static void set_cloexec(const int *fds, size_t n, bool on) {
        for (size_t i = 0; i < n; i++)
                (void) fcntl(fds[i], F_SETFD, on ? FD_CLOEXEC : 0);
}

int monitor_hand_over(const MonitorHandover *h) {
        _cleanup_strv_free_ char **argv = NULL, **finish = NULL, **pending = NULL;
        _cleanup_free_ char *lock_path = NULL;
        const OomCounter *oom = scope_oom_counter(h->scope);
        const NotifyRelay *relay = notify_proxy_relay(h->proxy);
        int fds[MONITOR_FDS_MAX];
        size_t n_fds = 0;
        int r;

        r = monitor_finish_args(h, &finish);
        if (r >= 0)
                r = notify_pending_texts(&pending);
        if (r < 0)
                return r;

        MonitorState s = MONITOR_STATE_NULL;
        s.pid = h->spawn->pid;
        s.pidfd = h->spawn->pidfd;
        s.name = h->plan->name;
        s.kill_signal = h->plan->kill_signal;
        s.timeout_stop_usec = h->plan->timeout_stop_usec;
        s.init = h->plan->init;
        s.boot = h->plan->boot;
        s.watchdog_usec = h->plan->boot ? notify_watchdog_usec() : 0;   /* as run.c */
        s.ready_sent = h->ready_sent;
        s.status_sent = notify_supervisor_payload_status_sent();
        if (relay)
                s.relay = *relay;
        if (oom)
                s.oom = *oom;
        /* More than the monitor takes: cell stays the supervisor. */
        if (h->spawn->shared.n > MONITOR_SHARED_LOCKS_MAX)
                return -E2BIG;
        for (size_t i = 0; i < h->spawn->shared.n; i++)
                if (h->spawn->shared.locks[i].fd >= 0)
                        s.shared_lock_fds[s.n_shared_lock_fds++] = h->spawn->shared.locks[i].fd;
        s.uid_lock_fd = h->spawn->users.lock_fd;
        s.uid_lock_path = h->spawn->users.lock_path;
        /* Every manager's: the name stays this cell's until its end. */
        s.name_lock_fd = scope_name_lock_fd(h->scope);
        if (s.name_lock_fd >= 0 && name_lock_path(h->plan->name, &lock_path) < 0)
                return -ENOMEM;
        s.name_lock_path = lock_path;
        if (finish) {
                s.netns_fd = h->spawn->netns_fd;
                s.cell_fd = h->cell_fd;
                s.finish = finish;
        }
        s.output_fds[0] = h->output_fds[0];
        s.output_fds[1] = h->output_fds[1];
        s.output_gone[0] = h->output_gone[0];
        s.output_gone[1] = h->output_gone[1];
        s.output_dropping[0] = h->output_dropping[0];
        s.output_dropping[1] = h->output_dropping[1];
        s.console = h->console;
        s.console_cr_held = h->console_cr_held;
        s.console_slave_fd = h->console_slave_fd;
        s.notify_pending = pending;
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

/* Hex into at most max bytes; -EINVAL for anything else. */
static int hex_get(const char *t, uint8_t *ret, size_t max, uint8_t *ret_len) {
        size_t n = strlen(t);

        if (n % 2 != 0 || n / 2 > max)
                return -EINVAL;
        for (size_t i = 0; i < n / 2; i++) {
                unsigned v;

                if (!isxdigit((unsigned char) t[2 * i]) || !isxdigit((unsigned char) t[2 * i + 1]) ||
                    sscanf(t + 2 * i, "%2x", &v) != 1)
                        return -EINVAL;
                ret[i] = (uint8_t) v;
        }
        *ret_len = (uint8_t) (n / 2);
        return 0;
}

/* --interface=, as moved_format() wrote it. */
static int parse_moved(const char *v, MonitorFinish *f) {
        char buf[MOVED_TEXT_MAX], *parts[8], *p = buf;
        size_t n = 0;
        NetifMoved m = {};
        uint64_t u;
        int r;

        if (strlen(v) >= sizeof buf)
                return log_error_errno(EINVAL, "--interface=%s: too long.", v);
        strcpy(buf, v);
        /* Exactly seven fields, empty ones too. */
        for (char *c; n < ELEMENTSOF(parts); p = c + 1) {
                parts[n++] = p;
                c = strchr(p, ':');
                if (!c)
                        break;
                *c = 0;
        }
        if (n != 7 || !parts[1][0] || strlen(parts[1]) >= IFNAMSIZ ||
            strlen(parts[2]) >= sizeof m.kind ||
            hex_get(parts[3], m.perm_addr, sizeof m.perm_addr, &m.perm_addr_len) < 0 ||
            hex_get(parts[6], m.addr, sizeof m.addr, &m.addr_len) < 0)
                return log_error_errno(EINVAL, "--interface=%s: expected INDEX:NAME:KIND:PERM:NETNSID:LINK:ADDR.", v);
        r = monitor_parse_number("interface", parts[0], INT32_MAX, &u);
        if (r < 0)
                return r;
        m.index = (int) u;
        if (streq(parts[4], "-1"))
                m.link_netnsid = -1;
        else {
                r = monitor_parse_number("interface", parts[4], INT32_MAX, &u);
                if (r < 0)
                        return r;
                m.link_netnsid = (int32_t) u;
        }
        r = monitor_parse_number("interface", parts[5], UINT32_MAX, &u);
        if (r < 0)
                return r;
        m.link = (uint32_t) u;
        strcpy(m.name, parts[1]);
        strcpy(m.kind, parts[2]);

        NetifMoved *l = reallocarray(f->moved, f->n_moved + 1, sizeof *l);
        if (!l)
                return log_oom();
        f->moved = l;
        l[f->n_moved++] = m;
        return 0;
}

/* --veth=INDEX:NAME and --veth-extra=INDEX:NAME, as monitor_finish_args()
 * wrote them. */
static int parse_veth(const char *key, const char *v, NetifVeth *ret) {
        const char *colon = strchr(v, ':');
        char n[16];
        uint64_t u;
        int r;

        if (!colon || colon == v || (size_t) (colon - v) >= sizeof n || !colon[1] || strlen(colon + 1) >= IFNAMSIZ)
                return log_error_errno(EINVAL, "--%s=%s: expected INDEX:NAME.", key, v);
        memcpy(n, v, (size_t) (colon - v));
        n[colon - v] = 0;
        r = monitor_parse_number(key, n, INT32_MAX, &u);
        if (r < 0)
                return r;
        *ret = (NetifVeth) { .index = (int) u };
        strcpy(ret->name, colon + 1);
        return 0;
}

/* --netfw-table=IPHANDLE:IP6HANDLE:NAME, as monitor_finish_args() wrote
 * it (netfw_tables_parse(), as a Port='s lock file is read). */
static int parse_netfw_table(const char *v, MonitorFinish *f) {
        int r;

        f->netfw_table = mfree(f->netfw_table);
        r = netfw_tables_parse(v, strlen(v), &f->netfw_table, f->netfw_handles);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "--netfw-table=%s: expected IPHANDLE:IP6HANDLE:cell-NAME.", v);
        return 0;
}

static int parse_veth_extra(const char *v, MonitorFinish *f) {
        NetifVeth e;
        int r;

        r = parse_veth("veth-extra", v, &e);
        if (r < 0)
                return r;

        NetifVeth *l = reallocarray(f->extras, f->n_extras + 1, sizeof *l);
        if (!l)
                return log_oom();
        f->extras = l;
        l[f->n_extras++] = e;
        return 0;
}

int monitor_finish_parse(int argc, char *argv[], MonitorFinish *ret) {
        enum { ARG_STATUS = 0x100, ARG_NAME, ARG_STATE, ARG_CGROUP, ARG_CGROUP2,
               ARG_PURE_V2, ARG_OWN_V2, ARG_LEAF, ARG_NAME_LOCK_FD, ARG_VETH, ARG_NETFW_TABLE,
               ARG_NETNS_FD, ARG_INTERFACE, ARG_ZONE, ARG_VETH_EXTRA, ARG_RUN_HOST };
        static const struct option options[] = {
                { "status",      required_argument, NULL, ARG_STATUS      },
                { "name",        required_argument, NULL, ARG_NAME        },
                { "state",       no_argument,       NULL, ARG_STATE       },
                { "cgroup",      required_argument, NULL, ARG_CGROUP      },
                { "cgroup2",     required_argument, NULL, ARG_CGROUP2     },
                { "pure-v2",     no_argument,       NULL, ARG_PURE_V2     },
                { "own-v2",      required_argument, NULL, ARG_OWN_V2      },
                { "leaf",        required_argument, NULL, ARG_LEAF        },
                { "name-lock-fd", required_argument, NULL, ARG_NAME_LOCK_FD },
                { "veth",        required_argument, NULL, ARG_VETH        },
                { "netfw-table", required_argument, NULL, ARG_NETFW_TABLE },
                { "netns-fd",    required_argument, NULL, ARG_NETNS_FD    },
                { "interface",   required_argument, NULL, ARG_INTERFACE   },
                { "zone",        required_argument, NULL, ARG_ZONE        },
                { "veth-extra",  required_argument, NULL, ARG_VETH_EXTRA  },
                { "run-host",    required_argument, NULL, ARG_RUN_HOST    },
                { "verbose",     no_argument,       NULL, 'v'             },
                {}
        };
        MonitorFinish f = { .status = -1, .dirs.unified = -1, .dirs.lock_fd = -EBADF, .netns_fd = -EBADF };
        uint64_t u = 0;
        int c, r = 0;

        optind = 0;
        while (r >= 0 && (c = getopt_long(argc, argv, "v", options, NULL)) >= 0)
                switch (c) {
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case ARG_STATUS:
                        r = monitor_parse_number("status", optarg, 255, &u);
                        f.status = (int) u;
                        break;
                case ARG_VETH:
                        r = parse_veth("veth", optarg, &f.veth);
                        break;
                case ARG_NAME:
                        r = monitor_parse_string(optarg, &f.name);
                        break;
                case ARG_STATE:
                        f.state = true;
                        break;
                case ARG_CGROUP:
                case ARG_CGROUP2:
                        if (c == ARG_CGROUP2)
                                f.dirs.unified = (int) strv_length(f.dirs.dirs);
                        r = strv_extend(&f.dirs.dirs, optarg) < 0 ? log_oom() : 0;
                        break;
                case ARG_PURE_V2:
                        f.dirs.pure_v2 = true;
                        break;
                case ARG_OWN_V2:
                        r = monitor_parse_string(optarg, &f.dirs.own_v2);
                        break;
                case ARG_LEAF:
                        r = monitor_parse_string(optarg, &f.dirs.leaf);
                        break;
                case ARG_NAME_LOCK_FD:
                        r = monitor_parse_fd("name-lock-fd", optarg, &f.dirs.lock_fd);
                        break;
                case ARG_NETFW_TABLE:
                        r = parse_netfw_table(optarg, &f);
                        break;
                case ARG_NETNS_FD:
                        r = monitor_parse_fd("netns-fd", optarg, &f.netns_fd);
                        break;
                case ARG_INTERFACE:
                        r = parse_moved(optarg, &f);
                        break;
                case ARG_ZONE:
                        /* The bridge, "vz-NAME": the only interface "cell
                         * __finish" may remove by name. */
                        if (!startswith(optarg, "vz-") || strlen(optarg) >= IFNAMSIZ || strchr(optarg, '/'))
                                r = log_error_errno(EINVAL, "--zone=%s: expected vz-NAME.", optarg);
                        else
                                r = monitor_parse_string(optarg, &f.zone);
                        break;
                case ARG_VETH_EXTRA:
                        r = parse_veth_extra(optarg, &f);
                        break;
                case ARG_RUN_HOST:
                        free(f.run_host);
                        f.run_host = NULL;
                        r = run_host_parse(optarg, &f.run_host, &f.run_host_absent);
                        if (r == -EINVAL)
                                r = log_error_errno(r, "--run-host=%s: expected MASK:PATH.", optarg);
                        else if (r < 0)
                                r = log_oom();
                        break;
                case '?':
                default:
                        r = -EINVAL;
                        break;
                }
        if (r >= 0 && (optind < argc || f.status < 0 || !f.name))
                r = log_error_errno(EINVAL, "\"cell __finish\" is run by cell-monitor only: it needs --status= and --name=.");
        if (r >= 0)
                r = monitor_fds_distinct((const int[]) { f.dirs.lock_fd, f.netns_fd }, 2);
        if (r < 0) {
                monitor_finish_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

void monitor_finish_done(MonitorFinish *f) {
        f->name = mfree(f->name);
        scope_cgroupfs_dirs_done(&f->dirs);
        f->netfw_table = mfree(f->netfw_table);
        f->netns_fd = safe_close(f->netns_fd);
        f->moved = mfree(f->moved);
        f->n_moved = 0;
        f->zone = mfree(f->zone);
        f->extras = mfree(f->extras);
        f->n_extras = 0;
        f->run_host = mfree(f->run_host);
}
