/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Relays the payload's stdout or stderr, a pipe's read end, to one of our
 * own fds (cell's fd 1 or 2: the service's journal stream), so that the
 * writer journald sees is cell, in the service's cgroup, not the payload in
 * its scope's (journald attributes each stream to its writer's unit). The
 * kernel moves the pages (splice()); read()/write() only where splice()
 * refuses. Never blocks: OUT is made non-blocking until output_relay_done(),
 * a journal that takes nothing fills the pipe and makes the payload's
 * writes wait, not the caller, whose loop also serves signals and
 * sd_notify. No callbacks, no event loop: libc only, for cell (src/basic/event-loop.h)
 * and cell-monitor (epoll) alike. */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct OutputRelay {
        int pipe;                       /* owned: the read end, non-blocking; -EBADF once ended */
        int out;                        /* not owned */
        int out_fl;                     /* OUT's file status flags before O_NONBLOCK, to restore; -1: unchanged */
        bool copy;                      /* splice() refused OUT: read() and write() from here on */
        bool out_full;                  /* OUT took less than it was given: wait for POLLOUT */
        bool out_gone;                  /* OUT failed for good (EPIPE): discarded from then on */
        int out_error;                  /* ... with this errno (positive) */
        bool out_gone_told;             /* output_relay_newly_gone() said so */
        bool out_dropping;              /* OUT refused the last write, for now (ENOSPC): dropped, tried again */
        bool out_dropping_told;         /* ... said so, until a write goes through again */
        bool unwatched_told;            /* output_relay_tell_unwatched() said so */
        bool console;                   /* PIPE is a pty's master (output_relay_set_console()) ... */
        uint8_t n_cr_held;              /* ... and the last bytes read were this many CRs, not written yet */
        size_t n_buf, buf_off;
        char buf[4096];                 /* copy: read from the pipe, not yet taken by OUT */
} OutputRelay;

#define OUTPUT_RELAY_NULL ((OutputRelay) { .pipe = -EBADF, .out = -EBADF, .out_fl = -1 })

/* Takes PIPE (the read end); OUT is made non-blocking until output_relay_done(). */
int output_relay_start(OutputRelay *r, int pipe, int out);
/* PIPE is the master of the container's console, a pty, not a pipe:
 * what the terminal's output processing made of the payload's newlines
 * (ONLCR: CR LF) goes out as the payload wrote them (LF), as a file or the
 * journal wants its lines (a CR right before an LF moves nothing on a
 * terminal: all such are dropped); read and written (splice() would move the CRs
 * too); EIO, the master's word for "no slave open" (the payload is gone
 * and our caller let go of its own), is the end. After output_relay_start().
 * CR_HELD: the CRs the relay before this one held (n_cr_held, at most
 * OUTPUT_RELAY_CR_HELD_MAX), handed over with the master: whether they
 * were written is up to the next byte, which this relay reads. */
#define OUTPUT_RELAY_CR_HELD_MAX 16U
void output_relay_set_console(OutputRelay *r, unsigned cr_held);
/* OUT's flags as they were, PIPE kept: before an exec that starts the relay
 * anew (cell-monitor); output_relay_start() again with the same fds resumes.
 * What OUT refused and the relay still holds (copy mode) is written first, OUT
 * waited for up to a second: the new relay would not have it. cell's
 * hand-over writes it beforehand without that bound (run-relay.h). */
void output_relay_suspend(OutputRelay *r);
/* Restores OUT and closes the pipe; safe to call twice. */
void output_relay_done(OutputRelay *r);

/* Whether the relay still has anything to do (the pipe's writers are not all gone). */
static inline bool output_relay_active(const OutputRelay *r) {
        return r->pipe >= 0;
}
/* Whether the relay holds bytes read from the pipe that OUT has not taken
 * yet (copy mode; OUT not gone): an exec now would lose them. */
static inline bool output_relay_holds(const OutputRelay *r) {
        return r->pipe >= 0 && !r->out_gone && r->n_buf > r->buf_off;
}
/* Writes what the relay holds, as much as OUT takes now, and reads nothing
 * from the pipe: whether it still holds some (then poll OUT for POLLOUT). */
bool output_relay_write_held(OutputRelay *r);
/* The fd to poll now and for what: the pipe for POLLIN, or OUT for POLLOUT
 * while it has not taken what it was given. -EBADF once the relay ended. */
int output_relay_poll_fd(const OutputRelay *r, short *ret_events);
/* Moves what is there, as much as OUT takes now and a bounded amount, so
 * that one busy writer never starves the caller's other fds (poll again).
 * Returns 1 while the relay goes on, 0 at the pipe's end (every write end
 * closed, all of it passed on; the pipe is closed then), -errno on a
 * failure of the pipe itself (closed too). */
int output_relay_dispatch(OutputRelay *r);
/* Whether OUT has failed for good since the last call (true once): the
 * caller says so, with out_error. The payload's output is dropped from then
 * on, so that its writes never wait for a stream that will not come back
 * (journald gone); the pipe stays open, the payload never notices. */
bool output_relay_newly_gone(OutputRelay *r);
/* That, said once as a warning naming stream ("stdout", "stderr"): for
 * cell's relay and cell-monitor's alike. Also, once each time, that OUT
 * refuses what it is given for now (a full disk, a quota, a file size limit:
 * the file of StandardError=file:, say): that is dropped, as the payload's
 * own write would have failed, and the next is tried, not all of it dropped
 * for good. */
void output_relay_tell_gone(OutputRelay *r, const char *stream);
/* How often a relay whose fd epoll refused to watch (epoll_ctl(): ENOMEM;
 * ENOSPC, the user's fs.epoll.max_user_watches) gets its turn instead, in
 * cell's loop and cell-monitor's alike, until the watch succeeds: not left
 * unwatched (the pipe would fill and the payload's writes block for good),
 * nor dropped (the failure is ours and may pass, and the journal is still
 * there to take the output). */
#define OUTPUT_RELAY_RETRY_MSEC 100U
/* That epoll refused to watch the relay of stream (error: negative errno),
 * said once as a warning, at debug level after: for cell's relay and
 * cell-monitor's alike. */
void output_relay_tell_unwatched(OutputRelay *r, const char *stream, int error);
/* OUT failed for good before this relay began (cell's relay said so before
 * the hand-over): dropped from the start, and nothing said again. */
void output_relay_set_gone(OutputRelay *r, int error);
/* The relay before this one (cell's, handed over) found OUT refusing for now
 * and said so: not said again until OUT has taken output and refused anew. */
void output_relay_set_dropping_told(OutputRelay *r);
/* After the payload exited: what is left in the pipe, until its end, for as
 * long as it comes without a pause of a second (OUT may pause longer: a
 * slow journal), and never beyond TIMEOUT_MSEC in all (a writer that
 * escaped, a journal that takes nothing). */
void output_relay_drain(OutputRelay *r, unsigned timeout_msec);

/* Whether FD is the journal stream systemd named in JOURNAL_STREAM
 * ("DEV:INODE", systemd.exec(5)): compared with fstat(FD), as the users
 * of sd-journal tell their stream from a terminal or file. NULL: no. */
bool output_relay_is_journal_stream(int fd, const char *journal_stream);
