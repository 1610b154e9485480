/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "run-console.h"
#include "run-relay.h"

/* Whether drained output may wait at the payload's end, in all. */
#define RUN_RELAY_DRAIN_MSEC 5000U

static int on_relay_io(EventSource *s, int fd, uint32_t revents, void *userdata);

bool run_relay_wanted(bool pipe_mode) {
        const char *stream = getenv("JOURNAL_STREAM");

        return pipe_mode && (output_relay_is_journal_stream(STDOUT_FILENO, stream) ||
                             output_relay_is_journal_stream(STDERR_FILENO, stream));
}

/* fd 1 and 2 one open file, or one socket (a dup() of it). */
static bool run_relay_one_output(void) {
        struct stat a, b;

        return fstat(STDOUT_FILENO, &a) >= 0 && fstat(STDERR_FILENO, &b) >= 0 &&
                a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int run_relay_open(RunRelay *relay, bool pipe_mode, unsigned host_fds) {
        int p[2];
        bool one = run_relay_one_output(), journal = run_relay_wanted(pipe_mode);

        *relay = RUN_RELAY_NULL;
        if (!pipe_mode || (!journal && (host_fds & 6u) == 0))
                return 0;
        /* Where fd 1 and 2 are one file, both are the host's, or neither. */
        for (int i = 0; i < (one ? 1 : 2); i++) {
                if (!journal && !(host_fds & (2u << i)))
                        continue;
                /* O_CLOEXEC: only the child's dup2() onto its fd 1 and 2
                 * lets a write end through an exec. */
                if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
                        int r = log_error_errno(errno, "Creating the pipes for the payload's output: %m");
                        run_relay_done(relay);
                        return r;
                }
                /* The payload's end blocks: a journal that is slow makes its
                 * writes wait, as on the stream itself. */
                (void) fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) & ~O_NONBLOCK);
                relay->output[i].pipe = p[0];
                relay->write_end[i] = p[1];
        }
        if (one)
                relay->write_end[1] = relay->write_end[0];
        log_debug("Relaying the payload's %s to %s.",
                  one ? "output" : relay->write_end[0] < 0 ? "stderr" : relay->write_end[1] < 0 ? "stdout" :
                  "stdout and stderr", journal ? "the journal stream" : "ours");
        return 0;
}

const int *run_relay_write_ends(const RunRelay *relay) {
        return relay->write_end[0] >= 0 || relay->write_end[1] >= 0 ? relay->write_end : NULL;
}

void run_relay_take_console(RunRelay *relay, int master) {
        relay->output[0].pipe = master;
        relay->console = true;
        relay->console_slave = run_console_hold_slave(master);
        log_debug("Relaying the console's output to our standard output.");
}

void run_relay_close_write_ends(RunRelay *relay) {
        if (relay->write_end[1] != relay->write_end[0])
                safe_close(relay->write_end[1]);
        relay->write_end[1] = -EBADF;
        relay->write_end[0] = safe_close(relay->write_end[0]);
}

/* Whether the relay of stream I runs: watched, or polled on its timer. */
static bool run_relay_live(const RunRelay *relay, int i) {
        return relay->source[i] || relay->polled[i];
}

/* Neither watched nor polled for now (paused with nothing held). */
static void run_relay_off(RunRelay *relay, int i) {
        if (relay->source[i])
                (void) event_source_set_enabled(relay->source[i], EVENT_OFF);
        (void) event_source_set_enabled(relay->retry[i], EVENT_OFF);
}

/* FD in the epoll for EVENTS: turned off first, then on with both at once,
 * so that a refusal leaves it off, never on the last fd with events it no
 * longer wants (our writable fd for EPOLLIN: never; the pipe: a busy loop). */
static int run_relay_watch(RunRelay *relay, int i, int fd, uint32_t events) {
        int r;

        if (!relay->source[i])
                return event_add_io(relay->event, &relay->source[i], fd, events, on_relay_io, relay);
        (void) event_source_set_enabled(relay->source[i], EVENT_OFF);
        r = event_source_set_io_events(relay->source[i], events);
        if (r >= 0)
                r = event_source_set_io_fd(relay->source[i], fd);
        if (r >= 0)
                r = event_source_set_enabled(relay->source[i], EVENT_ON);
        return r;
}

/* Whatever the relay waits for now: the pipe's data, or room in our fd; and
 * where epoll_ctl() refuses it (ENOMEM; ENOSPC: the user's
 * fs.epoll.max_user_watches), the relay's turn on a timer instead, every
 * OUTPUT_RELAY_RETRY_MSEC (output-relay.h says why), watched again as soon
 * as epoll takes it. A time source needs no registration that could fail too. */
static void run_relay_watch_or_poll(RunRelay *relay, int i) {
        const char *stream = i == 0 ? "stdout" : "stderr";
        short events = 0;
        int fd = output_relay_poll_fd(&relay->output[i], &events), r;

        if (fd < 0) {
                relay->source[i] = event_source_disable_unref(relay->source[i]);
                relay->retry[i] = event_source_disable_unref(relay->retry[i]);
                relay->polled[i] = false;
                return;
        }
        r = run_relay_watch(relay, i, fd, (uint32_t) events);
        if (r >= 0) {
                if (relay->polled[i])
                        log_debug("The payload's %s is watched again.", stream);
                relay->polled[i] = false;
                (void) event_source_set_enabled(relay->retry[i], EVENT_OFF);
                return;
        }
        relay->polled[i] = true;
        output_relay_tell_unwatched(&relay->output[i], stream, r);
        /* Armed once: a refresh from the other stream's turn does not put it off. */
        if (event_source_get_enabled(relay->retry[i]) == EVENT_OFF) {
                (void) event_source_set_time_relative(relay->retry[i], OUTPUT_RELAY_RETRY_MSEC * USEC_PER_MSEC);
                (void) event_source_set_enabled(relay->retry[i], EVENT_ONESHOT);
        }
}

static void run_relay_refresh(RunRelay *relay, int i) {
        if (run_relay_live(relay, i))
                run_relay_watch_or_poll(relay, i);
}

/* While paused: a relay waits for room in our fd while it holds something,
 * and is off once it holds nothing; once none does, the hand-over is tried
 * again. */
static void run_relay_flush_refresh(RunRelay *relay) {
        bool held = false;

        for (int i = 0; i < 2; i++) {
                if (!relay->paused[i] || !run_relay_live(relay, i))
                        continue;
                if (output_relay_holds(&relay->output[i])) {
                        held = true;
                        run_relay_refresh(relay, i);
                } else
                        run_relay_off(relay, i);
        }
        if (!held && relay->flushed) {
                (void) event_source_set_time_relative(relay->flushed, 0);
                (void) event_source_set_enabled(relay->flushed, EVENT_ONESHOT);
                relay->flushed = NULL;
        }
}

/* The relay of stream I, its fd ready (or its timer's turn, polled). */
static void run_relay_turn(RunRelay *relay, int i) {
        int r;

        if (relay->paused[i]) {
                (void) output_relay_write_held(&relay->output[i]);
                output_relay_tell_gone(&relay->output[i], i == 0 ? "stdout" : "stderr");
                run_relay_flush_refresh(relay);
                return;
        }
        r = output_relay_dispatch(&relay->output[i]);

        if (r < 0)
                log_debug_errno(r, "Relaying the payload's %s: %m", i == 0 ? "stdout" : "stderr");
        output_relay_tell_gone(&relay->output[i], i == 0 ? "stdout" : "stderr");
        run_relay_refresh(relay, i);
}

static int on_relay_io(EventSource *s, int fd, uint32_t revents, void *userdata) {
        RunRelay *relay = userdata;

        run_relay_turn(relay, s == relay->source[0] ? 0 : 1);
        return 0;
}

static int on_relay_retry(EventSource *s, uint64_t usec, void *userdata) {
        RunRelay *relay = userdata;

        run_relay_turn(relay, s == relay->retry[0] ? 0 : 1);
        return 0;
}

int run_relay_start(RunRelay *relay, Event *event) {
        relay->event = event;
        for (int i = 0; i < 2; i++) {
                int pipe = relay->output[i].pipe, r;

                if (pipe < 0)
                        continue;
                /* Made now, off: the fallback below needs no allocation when it is needed. */
                r = event_add_time_relative(event, &relay->retry[i], 0, on_relay_retry, relay);
                if (r >= 0)
                        r = event_source_set_enabled(relay->retry[i], EVENT_OFF);
                if (r < 0)
                        return log_error_errno(r, "Relaying the payload's output: %m");
                r = output_relay_start(&relay->output[i], pipe, i == 0 ? STDOUT_FILENO : STDERR_FILENO);
                if (r < 0) {
                        relay->output[i].pipe = pipe;   /* closed by run_relay_done() */
                        return log_error_errno(r, "Relaying the payload's output: %m");
                }
                if (i == 0 && relay->console)
                        output_relay_set_console(&relay->output[0], 0);
                /* Not watched: relayed on the timer, the start not failed for it. */
                run_relay_watch_or_poll(relay, i);
        }
        return 0;
}

int run_relay_flush_for_handover(RunRelay *relay, EventSource *then) {
        bool held = false;

        for (int i = 0; i < 2; i++) {
                if (!output_relay_holds(&relay->output[i]))
                        continue;
                /* Not lost at the exec, nor written after what cell-monitor
                 * reads next: this pipe waits, as it would for that slow fd. */
                if (output_relay_write_held(&relay->output[i]))
                        relay->paused[i] = held = true;
                output_relay_tell_gone(&relay->output[i], i == 0 ? "stdout" : "stderr");
        }
        if (!held)
                return 0;
        relay->flushed = then;
        run_relay_flush_refresh(relay);
        return 1;
}

void run_relay_suspend(RunRelay *relay) {
        for (int i = 0; i < 2; i++)
                output_relay_suspend(&relay->output[i]);
}

void run_relay_resume(RunRelay *relay) {
        for (int i = 0; i < 2; i++) {
                OutputRelay *o = &relay->output[i];
                int fl = fcntl(o->out, F_GETFL);

                /* As output_relay_start() did: only the first of one file restores it. */
                if (o->pipe >= 0 && fl >= 0 && !(fl & O_NONBLOCK) && fcntl(o->out, F_SETFL, fl | O_NONBLOCK) >= 0)
                        o->out_fl = fl;
        }
        /* The pipes are read again. */
        for (int i = 0; i < 2; i++) {
                if (relay->paused[i] && run_relay_live(relay, i))
                        run_relay_refresh(relay, i);
                relay->paused[i] = false;
        }
        relay->flushed = NULL;
}

void run_relay_done(RunRelay *relay) {
        /* A start that failed before the clone: no end would come while we held them. */
        run_relay_close_write_ends(relay);
        relay->paused[0] = relay->paused[1] = false;     /* the drain reads the pipes to their end */
        relay->flushed = NULL;
        for (int i = 0; i < 2; i++) {
                relay->source[i] = event_source_disable_unref(relay->source[i]);
                relay->retry[i] = event_source_disable_unref(relay->retry[i]);
                relay->polled[i] = false;
        }
        /* The console's master says EIO, its end, once the payload's slaves
         * are closed too. */
        relay->console_slave = safe_close(relay->console_slave);
        /* Both drained before either restores the flags of a file they share;
         * a relay never started (out -EBADF) has nowhere to go. */
        for (int i = 0; i < 2; i++)
                if (relay->output[i].out >= 0)
                        output_relay_drain(&relay->output[i], RUN_RELAY_DRAIN_MSEC);
        for (int i = 0; i < 2; i++)
                output_relay_done(&relay->output[i]);
}
