/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* cell-monitor's loop (monitor.h): one epoll over the signalfd, the pidfd,
 * the notify socket, the OOM counter, the stop timer and the payload's
 * output pipes (or our fd 1 and 2 while they take nothing). Each turn handles
 * the OOM counter first and the payload's exit last, as cell's event loop's
 * priorities do: an OOM kill is counted before the exit it causes. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"
#include "notify-send.h"
#include "output-relay.h"
#include "strv.h"
#include "supervise-common.h"

typedef struct Loop {
        MonitorState *s;
        int epoll_fd, signal_fd, timer_fd;
        int watchdog_fd;        /* s->watchdog_usec: a tick every half of it */
        int oom_fd;             /* oom_counter_poll_fd(), while polled */
        bool stop_requested;
        uint64_t kill_at;       /* timer_fd's SIGKILL, CLOCK_MONOTONIC; USEC_INFINITY: none to come */
        bool exited;
        siginfo_t si;
        OutputRelay output[2];  /* the payload's stdout and stderr to our fd 1 and 2 */
        int output_fd[2];       /* ... what each has in the epoll now */
        bool output_polled[2];  /* ... not watched (epoll_ctl() failed): dispatched on a timer */
        int upstream_fd;        /* notify_pending_fd() in the epoll (EPOLLOUT); -EBADF: none */
        int notify_fd;          /* notify_relay_poll_fd() in the epoll; -EBADF: none */
} Loop;

static void send_signal(Loop *l, int sig) {
        /* The pidfd names our child exactly, never a recycled pid. */
        if (!l->exited)
                (void) syscall(SYS_pidfd_send_signal, l->s->pidfd, sig, NULL, 0);
}

static int add(Loop *l, int fd, uint32_t events) {
        struct epoll_event ev = { .events = events, .data.fd = fd };

        return epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? negative_errno() : 0;
}

/* timer_fd fires at the CLOCK_MONOTONIC time at; USEC_INFINITY disarms it. */
static int set_kill_at(Loop *l, uint64_t at) {
        struct itimerspec its = {};

        if (at != USEC_INFINITY) {
                its.it_value.tv_sec = (time_t) (at / USEC_PER_SEC);
                its.it_value.tv_nsec = (long) (at % USEC_PER_SEC) * 1000;
        }
        if (timerfd_settime(l->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
                return negative_errno();
        l->kill_at = at;
        return 0;
}

static int stop(Loop *l) {
        uint64_t t = l->s->timeout_stop_usec, at;
        bool first = !l->stop_requested;
        int sig;

        l->stop_requested = true;
        sig = l->s->kill_signal > 0 ? l->s->kill_signal : SIGTERM;
        send_signal(l, sig);
        /* Then SIGCONT, as systemd does: a stopped payload ends now, not at the SIGKILL. */
        if (supervise_stop_needs_sigcont(sig))
                send_signal(l, SIGCONT);
        if (!first)
                return 0;
        notify_supervisor_stopping(l->s->name, t);
        at = supervise_kill_at(now_monotonic_usec(), t);
        if (t == 0 || at == USEC_INFINITY)
                return 0;

        l->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK);
        if (l->timer_fd < 0 || set_kill_at(l, at) < 0 ||
            add(l, l->timer_fd, EPOLLIN) < 0) {
                /* No timer: do not leave a payload that ignores the signal. */
                send_signal(l, SIGKILL);
                return 0;
        }
        return 0;
}

/* The payload sent EXTEND_TIMEOUT_USEC=usec: a SIGKILL still to come comes no
 * earlier than usec from now (as cell's supervise.c, and systemd). */
static void extend_stop(Loop *l, uint64_t usec) {
        uint64_t at = supervise_extend_kill_at(l->kill_at, now_monotonic_usec(), usec);

        /* "infinity": no SIGKILL (a disarmed timer). */
        if (at != l->kill_at)
                (void) set_kill_at(l, at);
}

static void on_signal(Loop *l) {
        struct signalfd_siginfo ssi;

        while (read(l->signal_fd, &ssi, sizeof ssi) == (ssize_t) sizeof ssi) {
                if (ssi.ssi_signo == SIGTERM)
                        (void) stop(l);
                else if (ssi.ssi_signo == SUPERVISE_WATCHDOG_SIGNAL) {
                        if (!l->stop_requested)
                                supervise_log_watchdog_abort();
                        (void) stop(l);
                } else if (ssi.ssi_signo == SIGCHLD)
                        /* cell-closer (cell's, which ends at the exec, or ours); the
                         * payload's exit is on_pidfd()'s. */
                        notify_closer_reap(l->s->pid);
                else
                        send_signal(l, (int) ssi.ssi_signo);
        }
}

static void on_oom(Loop *l) {
        /* Once the cgroup is removed, its file polls ready for good. */
        if (oom_counter_event(&l->s->oom) < 0) {
                (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, l->oom_fd, NULL);
                l->oom_fd = -EBADF;
        }
}

static void on_notify(Loop *l) {
        NotifyRelayEvents ev;

        notify_relay_read(&l->s->relay, &ev);
        /* The socket, or the closers' wake pipe while its head waits for one. */
        if (notify_relay_poll_fd(&l->s->relay) != l->notify_fd) {
                (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, l->notify_fd, NULL);
                l->notify_fd = notify_relay_poll_fd(&l->s->relay);
                if (add(l, l->notify_fd, EPOLLIN) < 0)
                        l->notify_fd = -EBADF;  /* not watched: the payload's notifications end here */
        }
        if (ev.extend_timeout)
                extend_stop(l, ev.extend_timeout_usec);
        /* The payload's first READY=1 (NotifyReady=yes) is the service's,
         * passed up by the relay, once: cell sends no second. */
        if (ev.first_ready && !l->s->ready_sent) {
                l->s->ready_sent = true;
                if (l->s->relay.notify_ready)
                        notify_supervisor_ready_relayed(l->s->name);
                else
                        notify_supervisor_ready(l->s->name);
        }
}

static void on_watchdog(Loop *l) {
        uint64_t ticks;

        (void) !read(l->watchdog_fd, &ticks, sizeof ticks);
        (void) notify_send("WATCHDOG=1");
}

/* Boot=yes: the service's watchdog is cell's, pinged every half of it (as
 * notify_loop_attach() does in cell), the first time at once: the exec
 * from cell took some of it. */
static int watchdog_setup(Loop *l) {
        uint64_t t = l->s->watchdog_usec / 2;
        struct itimerspec its = {
                .it_value.tv_nsec = 1,
                .it_interval.tv_sec = (time_t) (t / USEC_PER_SEC),
                .it_interval.tv_nsec = (long) (t % USEC_PER_SEC) * 1000,
        };

        if (t == 0)
                return 0;
        l->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK);
        if (l->watchdog_fd < 0)
                return negative_errno();
        if (timerfd_settime(l->watchdog_fd, 0, &its, NULL) < 0)
                return negative_errno();
        return add(l, l->watchdog_fd, EPOLLIN);
}

/* The relay's fd in the epoll: its pipe, or our fd while that takes nothing. */
static int output_watch(Loop *l, int i) {
        struct epoll_event ev = {};
        short events = 0;
        int fd = output_relay_poll_fd(&l->output[i], &events);

        ev.events = (uint32_t) events;
        ev.data.fd = fd;
        if (fd >= 0 && fd == l->output_fd[i])
                return epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 ? negative_errno() : 0;
        /* A pipe at its end is closed already, and out of the epoll with it. */
        if (l->output_fd[i] >= 0)
                (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, l->output_fd[i], NULL);
        l->output_fd[i] = fd;
        return fd >= 0 ? add(l, fd, ev.events) : 0;
}

/* output_watch(), and where epoll_ctl() fails (ENOMEM; ENOSPC: the user's
 * fs.epoll.max_user_watches; EPERM: a file epoll cannot watch), the relay
 * dispatched every OUTPUT_RELAY_RETRY_MSEC instead (output-relay.h says
 * why), and watched again as soon as epoll takes it. The timer is
 * epoll_wait()'s timeout, which needs no registration that could fail too. */
static void output_watch_or_poll(Loop *l, int i) {
        const char *stream = i == 0 ? "stdout" : "stderr";
        int r = output_watch(l, i);

        if (r >= 0) {
                if (l->output_polled[i])
                        log_debug("The payload's %s is watched again.", stream);
                l->output_polled[i] = false;
                return;
        }
        /* Out of the epoll (a failed EPOLL_CTL_MOD left the fd in it, with
         * the events it no longer wants: a busy loop). */
        if (l->output_fd[i] >= 0)
                (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, l->output_fd[i], NULL);
        l->output_fd[i] = -EBADF;
        l->output_polled[i] = true;
        output_relay_tell_unwatched(&l->output[i], stream, r);
}

static void on_output(Loop *l, int i) {
        int r = output_relay_dispatch(&l->output[i]);

        if (r < 0)
                log_debug_errno(r, "Relaying the payload's %s: %m", i == 0 ? "stdout" : "stderr");
        output_relay_tell_gone(&l->output[i], i == 0 ? "stdout" : "stderr");
        output_watch_or_poll(l, i);
}

/* Something waits for the service manager's socket (notify-send.h): its fd
 * in the epoll until it is writable, none when nothing waits. */
static void on_pending_changed(void *userdata) {
        Loop *l = userdata;
        int fd = notify_pending_fd();

        if (fd == l->upstream_fd)
                return;
        if (l->upstream_fd >= 0)
                (void) epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, l->upstream_fd, NULL);
        l->upstream_fd = -EBADF;
        /* Not watched (epoll_ctl() failed): it goes with the next message. */
        if (fd >= 0 && add(l, fd, EPOLLOUT) >= 0)
                l->upstream_fd = fd;
}

static void on_pidfd(Loop *l) {
        siginfo_t si = {};

        if (waitid(P_PIDFD, (id_t) l->s->pidfd, &si, WEXITED|WNOHANG) >= 0 && si.si_pid > 0) {
                l->exited = true;
                l->si = si;
        }
}

static int loop_setup(Loop *l) {
        sigset_t set;
        uint32_t events = 0;
        int r;

        /* The mask came blocked through the exec (SIGPIPE with it:
         * supervise_block_signals()); blocked again, in case. */
        r = supervise_block_signals();
        /* The watchdog is the payload's: its SIGABRT a stop (supervise-common.h). */
        if (r >= 0 && !l->s->boot)
                r = supervise_block_watchdog_abort();
        if (r < 0)
                return r;
        supervise_signal_set(&set);
        if (!l->s->boot)
                sigaddset(&set, SUPERVISE_WATCHDOG_SIGNAL);
        l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (l->epoll_fd < 0)
                return negative_errno();
        l->signal_fd = signalfd(-1, &set, SFD_CLOEXEC|SFD_NONBLOCK);
        if (l->signal_fd < 0)
                return negative_errno();
        r = add(l, l->signal_fd, EPOLLIN);
        if (r >= 0)
                r = add(l, l->s->pidfd, EPOLLIN);
        if (r >= 0 && notify_relay_poll_fd(&l->s->relay) >= 0) {
                l->notify_fd = notify_relay_poll_fd(&l->s->relay);
                r = add(l, l->notify_fd, EPOLLIN);
        }
        l->oom_fd = oom_counter_poll_fd(&l->s->oom, &events);
        if (r >= 0 && l->oom_fd >= 0)
                r = add(l, l->oom_fd, events);
        if (r >= 0) {
                notify_set_pending_hook(on_pending_changed, l);
                /* What cell could not send yet, first (--notify-pending=). */
                STRV_FOREACH(t, l->s->notify_pending)
                        (void) notify_send(*t);
                on_pending_changed(l);
                r = watchdog_setup(l);
        }
        /* The payload's output, relayed on from where cell left it. */
        for (int i = 0; r >= 0 && i < 2; i++) {
                if (l->s->output_fds[i] < 0)
                        continue;
                r = output_relay_start(&l->output[i], l->s->output_fds[i], i == 0 ? STDOUT_FILENO : STDERR_FILENO);
                if (r >= 0)
                        l->s->output_fds[i] = -EBADF;   /* the relay's */
                if (r >= 0 && l->s->output_gone[i])
                        output_relay_set_gone(&l->output[i], EPIPE);
                else if (r >= 0 && l->s->output_dropping[i])
                        output_relay_set_dropping_told(&l->output[i]);
                if (r >= 0 && i == 0 && l->s->console)
                        output_relay_set_console(&l->output[0], l->s->console_cr_held);
                /* Not watched: relayed on the timer, the payload not killed for it. */
                if (r >= 0)
                        output_watch_or_poll(l, i);
        }
        return r;
}

int monitor_run(MonitorState *s, int *ret_status) {
        Loop l = { .s = s, .epoll_fd = -EBADF, .signal_fd = -EBADF, .timer_fd = -EBADF, .oom_fd = -EBADF,
                   .watchdog_fd = -EBADF, .kill_at = USEC_INFINITY, .upstream_fd = -EBADF, .notify_fd = -EBADF,
                   .output = { OUTPUT_RELAY_NULL, OUTPUT_RELAY_NULL }, .output_fd = { -EBADF, -EBADF } };
        int r;

        notify_supervisor_payload_status(s->status_sent);
        r = loop_setup(&l);
        /* cell's closer may have ended at the exec, its SIGCHLD read by cell already. */
        if (r >= 0)
                notify_closer_reap(s->pid);
        /* An OOM kill while cell exec'd us (datagrams and signals wait in their queues). */
        if (r >= 0 && s->oom.fd >= 0 && !s->oom.gone)
                (void) oom_counter_update(&s->oom);

        while (r >= 0 && !l.exited) {
                struct epoll_event ev[8];
                bool sig = false, timer = false, oom = false, notify = false, child = false, dog = false, up = false;
                bool out[2] = {};
                int timeout = -1;

                for (int i = 0; i < 2; i++)
                        if (l.output_polled[i])
                                timeout = OUTPUT_RELAY_RETRY_MSEC;
                int n = epoll_wait(l.epoll_fd, ev, ELEMENTSOF(ev), timeout);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        break;
                }
                for (int i = 0; i < n; i++) {
                        int fd = ev[i].data.fd;
                        sig |= fd == l.signal_fd;
                        timer |= fd == l.timer_fd;
                        oom |= fd == l.oom_fd;
                        notify |= fd == l.notify_fd;
                        child |= fd == s->pidfd;
                        dog |= fd == l.watchdog_fd;
                        up |= fd == l.upstream_fd;
                        out[0] |= fd == l.output_fd[0];
                        out[1] |= fd == l.output_fd[1];
                }
                /* A relay not watched: its turn at every wake-up, the timeout's included. */
                for (int i = 0; i < 2; i++)
                        if (out[i] || l.output_polled[i])
                                on_output(&l, i);
                if (up)
                        (void) notify_flush();
                if (dog)
                        on_watchdog(&l);
                if (oom)
                        on_oom(&l);
                if (notify)
                        on_notify(&l);
                if (sig)
                        on_signal(&l);
                if (timer) {
                        /* TimeoutStopSec= is over: the payload did not stop by itself. */
                        if (!l.exited)
                                supervise_log_stop_timeout(l.s->kill_signal);
                        send_signal(&l, SIGKILL);
                        l.kill_at = USEC_INFINITY;
                        (void) epoll_ctl(l.epoll_fd, EPOLL_CTL_DEL, l.timer_fd, NULL);
                }
                if (child)
                        on_pidfd(&l);
        }

        if (r >= 0) {
                *ret_status = supervise_end_status(&(SuperviseEnd) {
                        .code = l.si.si_code,
                        .status = l.si.si_status,
                        .stop_requested = l.stop_requested,
                        .oom_killed = s->oom.fd >= 0 && oom_counter_killed(&s->oom),
                        .kill_signal = s->kill_signal,
                        .init = s->init,
                        .boot = s->boot,
                });
        }
        /* What the payload wrote last, before "cell __finish" or our exit: its
         * last lines are never lost. Both drained before either restores the
         * flags of a file they share. The console's master ends (EIO) once
         * no slave is open, ours neither. */
        s->console_slave_fd = safe_close(s->console_slave_fd);
        for (int i = 0; i < 2; i++)
                if (l.exited)
                        output_relay_drain(&l.output[i], 5000);
        for (int i = 0; i < 2; i++)
                output_relay_done(&l.output[i]);
        notify_set_pending_hook(NULL, NULL);
        safe_close(l.watchdog_fd);
        safe_close(l.timer_fd);
        safe_close(l.signal_fd);
        safe_close(l.epoll_fd);
        return r;
}

int monitor_finish(const MonitorState *s, int status) {
        _cleanup_strv_free_ char **argv = NULL;
        char st[32], fd[32], nfd[32];
        int r;

        (void) snprintf(st, sizeof st, "%d", status);
        (void) snprintf(fd, sizeof fd, "%d", s->name_lock_fd);
        (void) snprintf(nfd, sizeof nfd, "%d", s->netns_fd);
        if (strv_extend(&argv, "cell") < 0 || strv_extend(&argv, "__finish") < 0 ||
            monitor_push_option(&argv, "status", st) < 0 || monitor_push_option(&argv, "name", s->name) < 0 ||
            strv_extend_strv(&argv, s->finish) < 0 || (s->debug && strv_extend(&argv, "--verbose") < 0) ||
            (s->name_lock_fd >= 0 && monitor_push_option(&argv, "name-lock-fd", fd) < 0) ||
            (s->netns_fd >= 0 && monitor_push_option(&argv, "netns-fd", nfd) < 0))
                return -ENOMEM;
        /* The same file (an upgrade renames a new one over it, or removes it),
         * but rewritten in place (cp over it): its content, and so its "cell
         * __finish", may be another version's, which may misread this state
         * (and exits with its own status). Not run: what is left is a killed
         * cell's, which "cell stop" or the next start of the name takes back. */
        struct stat now;
        if (fstat(s->cell_fd, &now) < 0)
                return negative_errno();
        if (now.st_size != s->cell_size || now.st_mtim.tv_sec != s->cell_mtime.tv_sec ||
            now.st_mtim.tv_nsec != s->cell_mtime.tv_nsec)
                return -ESTALE;
        (void) fflush(NULL);
        /* The name stays locked until "cell __finish" has removed the cgroups
         * (monitor_finish_removes_cgroups(); else it was freed already). */
        if (s->name_lock_fd >= 0)
                (void) fcntl(s->name_lock_fd, F_SETFD, 0);
        /* The container's network namespace stays until "cell __finish"
         * has moved Interface='s interfaces back out of it. */
        if (s->netns_fd >= 0)
                (void) fcntl(s->netns_fd, F_SETFD, 0);
        /* The binary cell ran from, opened then: of the same version as its state. */
        execveat(s->cell_fd, "", argv, environ, AT_EMPTY_PATH);
        r = negative_errno();
        if (s->name_lock_fd >= 0)
                (void) fcntl(s->name_lock_fd, F_SETFD, FD_CLOEXEC);
        if (s->netns_fd >= 0)
                (void) fcntl(s->netns_fd, F_SETFD, FD_CLOEXEC);
        return r;
}
