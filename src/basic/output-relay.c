/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "output-relay.h"

/* What one dispatch moves at most before the caller's other fds get their
 * turn: four pipefuls. */
#define OUTPUT_RELAY_ROUND (256U * 1024U)
/* How many times one dispatch tries splice() again when it found the pipe
 * empty and then not (the payload writes on), OUT writable. */
#define OUTPUT_RELAY_RACED_MAX 8U
/* How long output_relay_suspend() waits for OUT to take what it refused. */
#define OUTPUT_RELAY_FLUSH_MSEC 1000U

int output_relay_start(OutputRelay *r, int pipe, int out) {
        int fl;

        *r = OUTPUT_RELAY_NULL;
        if (pipe < 0 || out < 0)
                return -EBADF;
        fl = fcntl(pipe, F_GETFL);
        if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(pipe, F_SETFL, fl | O_NONBLOCK) < 0))
                return -errno;
        /* OUT may be one open file with the other relay's (StandardError=inherit):
         * only the first to change its flags restores them. */
        fl = fcntl(out, F_GETFL);
        if (fl < 0)
                return -errno;
        if (!(fl & O_NONBLOCK)) {
                if (fcntl(out, F_SETFL, fl | O_NONBLOCK) < 0)
                        return -errno;
                r->out_fl = fl;
        }
        r->pipe = pipe;
        r->out = out;
        return 0;
}

/* A failure of OUT that may pass (space is freed, the file rotated): not
 * "gone". A reader gone (EPIPE), a terminal hung up (EIO): for good. */
static bool output_relay_error_passes(int error) {
        return error == ENOSPC || error == EDQUOT || error == EFBIG;
}

/* OUT failed with error: what it refused is dropped (the caller's), and
 * for good unless the failure may pass. */
static void output_relay_failed(OutputRelay *r, int error) {
        r->out_error = error;
        if (output_relay_error_passes(error))
                r->out_dropping = true;
        else
                r->out_gone = true;
}

/* OUT took some: a failure that passed is said again when it comes back. */
static void output_relay_took(OutputRelay *r) {
        r->out_dropping = r->out_dropping_told = false;
}

static uint64_t output_relay_now_msec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000U + (uint64_t) ts.tv_nsec / 1000000U;
}

/* What OUT refused last (copy mode: splice() refused it), held in our
 * buffer: written now, OUT waited for up to TIMEOUT_MSEC. A relay started
 * anew (cell-monitor's, after the exec) has an empty buffer: it was lost.
 * OUT non-blocking meanwhile (it may be one file with a relay's that was
 * suspended first), so that a write never waits beyond the deadline. */
static void output_relay_flush(OutputRelay *r, unsigned timeout_msec) {
        uint64_t deadline = output_relay_now_msec() + timeout_msec;
        int fl;

        if (r->n_buf <= r->buf_off || r->out_gone || r->out < 0)
                return;
        fl = fcntl(r->out, F_GETFL);
        if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(r->out, F_SETFL, fl | O_NONBLOCK) < 0)
                fl = -1;
        while (r->n_buf > r->buf_off) {
                struct pollfd p = { .fd = r->out, .events = POLLOUT };
                uint64_t now = output_relay_now_msec();
                ssize_t n;
                int k;

                if (now >= deadline)
                        break;
                k = poll(&p, 1, (int) (deadline - now));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n = write(r->out, r->buf + r->buf_off, r->n_buf - r->buf_off);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;
                if (n <= 0) {
                        output_relay_failed(r, n < 0 ? errno : EIO);
                        r->buf_off = r->n_buf;          /* dropped */
                        break;
                }
                output_relay_took(r);
                r->buf_off += (size_t) n;
        }
        if (fl >= 0 && !(fl & O_NONBLOCK))
                (void) fcntl(r->out, F_SETFL, fl);
        if (r->n_buf > r->buf_off && !r->out_gone)
                log_debug("The output took nothing for %u ms: %zu bytes of the payload's output held back.",
                          timeout_msec, r->n_buf - r->buf_off);
        else
                r->n_buf = r->buf_off = 0;
}

static void output_relay_restore(OutputRelay *r) {
        if (r->out_fl >= 0)
                (void) fcntl(r->out, F_SETFL, r->out_fl);
        r->out_fl = -1;
}

void output_relay_suspend(OutputRelay *r) {
        output_relay_flush(r, OUTPUT_RELAY_FLUSH_MSEC);
        output_relay_restore(r);
}

void output_relay_done(OutputRelay *r) {
        /* Drained before (or dropped): no more waiting for OUT. */
        output_relay_restore(r);
        r->pipe = safe_close(r->pipe);
        r->n_buf = r->buf_off = 0;
}

int output_relay_poll_fd(const OutputRelay *r, short *ret_events) {
        if (r->pipe < 0)
                return -EBADF;
        if (r->out_full && !r->out_gone) {
                *ret_events = POLLOUT;
                return r->out;
        }
        *ret_events = POLLIN;
        return r->pipe;
}

/* The pipe's end, or its failure: the relay is over. */
static int output_relay_end(OutputRelay *r, int error) {
        r->pipe = safe_close(r->pipe);
        r->n_buf = r->buf_off = 0;
        return error;
}

void output_relay_set_console(OutputRelay *r, unsigned cr_held) {
        r->console = r->copy = true;
        r->n_cr_held = (uint8_t) MIN(cr_held, OUTPUT_RELAY_CR_HELD_MAX);
}

/* read() of the pipe, or of the console's master: 0 at its end (EIO: no
 * slave open), -errno. */
static ssize_t output_relay_read_raw(OutputRelay *r, char *buf, size_t size) {
        ssize_t n = read(r->pipe, buf, size);

        if (n < 0 && r->console && errno == EIO)
                return 0;
        return n < 0 ? -errno : n;
}

/* A bufferful into buf: its size, 0 at the end, -errno (-EAGAIN: none now).
 * From the console: the CRs right before an LF dropped (ONLCR's, and any
 * the payload wrote there: on a terminal they move nothing), the others
 * kept; CRs last in what came are held until the next byte says which
 * they are (written as they are at the end, and past a few). */
static ssize_t output_relay_read(OutputRelay *r) {
        size_t off = r->n_cr_held, w = 0, crs = 0;
        ssize_t n;

        if (!r->console)
                return output_relay_read_raw(r, r->buf, sizeof r->buf);
        memset(r->buf, '\r', off);
        n = output_relay_read_raw(r, r->buf + off, sizeof r->buf - off);
        if (n < 0 || (n == 0 && off == 0))
                return n;
        r->n_cr_held = 0;
        /* Written back only where the loop has been: w + crs <= i. */
        for (size_t i = 0, len = off + (size_t) n; i < len; i++) {
                if (r->buf[i] == '\r') {
                        crs++;
                        continue;
                }
                if (r->buf[i] == '\n')
                        crs = 0;
                for (; crs > 0; crs--)
                        r->buf[w++] = '\r';
                r->buf[w++] = r->buf[i];
        }
        for (; crs > (n > 0 ? OUTPUT_RELAY_CR_HELD_MAX : 0); crs--)
                r->buf[w++] = '\r';
        r->n_cr_held = (uint8_t) crs;
        return w > 0 ? (ssize_t) w : -EAGAIN;   /* only CRs: held, nothing to write yet */
}

/* What splice() refused: through our buffer. 1: some moved, 0: the pipe's
 * end, -EAGAIN: nothing more for now (out_full says which side), -errno. */
static int output_relay_copy(OutputRelay *r) {
        ssize_t n;

        if (r->n_buf == 0) {
                n = output_relay_read(r);
                if (n <= 0)
                        return (int) n;
                r->n_buf = (size_t) n;
                r->buf_off = 0;
        }
        n = write(r->out, r->buf + r->buf_off, r->n_buf - r->buf_off);
        if (n < 0 && errno == EAGAIN) {
                r->out_full = true;
                return -EAGAIN;
        }
        if (n < 0) {
                if (errno == EINTR)
                        return 1;
                /* OUT failed: what is left is dropped, the payload goes on. */
                output_relay_failed(r, errno);
                n = (ssize_t) (r->n_buf - r->buf_off);
        } else
                output_relay_took(r);
        r->buf_off += (size_t) n;
        if (r->buf_off == r->n_buf)
                r->n_buf = r->buf_off = 0;
        return 1;
}

/* OUT failed: read and dropped, so that the payload's writes never wait for
 * an output that will not come back. */
static int output_relay_discard(OutputRelay *r) {
        ssize_t n = output_relay_read_raw(r, r->buf, sizeof r->buf);

        return n < 0 ? (int) n : n > 0;
}

bool output_relay_write_held(OutputRelay *r) {
        r->out_full = false;
        /* output_relay_copy() reads only into an empty buffer: here it only
         * writes, until OUT is full (-EAGAIN, out_full) or gone (out_gone). */
        while (output_relay_holds(r) && !r->out_full)
                (void) output_relay_copy(r);
        return output_relay_holds(r);
}

/* Whether OUT takes something now: a regular file always does. */
static bool output_relay_out_writable(const OutputRelay *r) {
        struct pollfd p = { .fd = r->out, .events = POLLOUT };

        return poll(&p, 1, 0) > 0 && (p.revents & (POLLOUT | POLLERR | POLLHUP));
}

int output_relay_dispatch(OutputRelay *r) {
        unsigned raced = 0;
        size_t moved = 0;

        if (r->pipe < 0)
                return 0;
        r->out_full = false;
        while (moved < OUTPUT_RELAY_ROUND) {
                ssize_t n;
                int k;

                if (r->out_gone || r->copy) {
                        k = r->out_gone ? output_relay_discard(r) : output_relay_copy(r);
                        if (k == 0)
                                return output_relay_end(r, 0);
                        if (k == -EAGAIN)
                                return 1;
                        if (k == -EINTR)
                                continue;
                        if (k < 0)
                                return output_relay_end(r, k);
                        moved += sizeof r->buf;        /* each turn counted as a bufferful */
                        continue;
                }

                /* The kernel moves the pipe's pages to OUT: no copy of ours. */
                n = splice(r->pipe, NULL, r->out, NULL, 64U * 1024U, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n > 0) {
                        output_relay_took(r);
                        moved += (size_t) n;
                        continue;
                }
                if (n == 0)             /* empty, and no writer left */
                        return output_relay_end(r, 0);
                if (errno == EINTR)
                        continue;
                if (errno == EAGAIN) {
                        int avail = 0;

                        /* Either the pipe is empty, or OUT takes nothing now, or
                         * the pipe was empty when splice() looked and the payload
                         * has written since: then OUT is writable, and waiting for
                         * it would be wrong. For a regular file (StandardError=file:)
                         * it would be for good: epoll refuses to watch one, the
                         * caller would stop reading the pipe and the payload's writes
                         * would block for ever. Tried again, a few times. */
                        if (ioctl(r->pipe, FIONREAD, &avail) < 0 || avail <= 0)
                                return 1;
                        if (!output_relay_out_writable(r)) {
                                r->out_full = true;
                                return 1;
                        }
                        if (++raced > OUTPUT_RELAY_RACED_MAX)
                                return 1;       /* the pipe polls readable: called again */
                        continue;
                }
                if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)
                        /* An OUT splice() cannot write to (O_APPEND, say). */
                        r->copy = true;
                else {
                        output_relay_failed(r, errno);
                        if (r->out_dropping) {
                                /* What splice() left in the pipe: a bufferful of it dropped. */
                                k = output_relay_discard(r);
                                if (k == 0)
                                        return output_relay_end(r, 0);
                                if (k == -EAGAIN)
                                        return 1;
                                if (k < 0 && k != -EINTR)
                                        return output_relay_end(r, k);
                                moved += sizeof r->buf;
                        }
                }
        }
        return 1;
}

bool output_relay_newly_gone(OutputRelay *r) {
        if (!r->out_gone || r->out_gone_told)
                return false;
        r->out_gone_told = true;
        return true;
}

void output_relay_tell_gone(OutputRelay *r, const char *stream) {
        if (r->out_dropping && !r->out_dropping_told && !r->out_gone) {
                r->out_dropping_told = true;
                log_warning_errno(r->out_error, "Writing the payload's %s: %m: dropped until it takes "
                                  "output again.", stream);
        }
        /* Once; to our stderr, which may be that very stream: then this
         * write gets its EPIPE too (SIGPIPE blocked) and only it is lost. */
        if (output_relay_newly_gone(r))
                log_warning_errno(r->out_error, "The output is gone (%m): the payload's %s "
                                  "is dropped from now on.", stream);
}

void output_relay_tell_unwatched(OutputRelay *r, const char *stream, int error) {
        if (r->unwatched_told) {
                log_debug_errno(error, "Relaying the payload's %s: cannot watch it (epoll_ctl: %m).", stream);
                return;
        }
        r->unwatched_told = true;
        log_warning_errno(error, "Relaying the payload's %s: cannot watch it (epoll_ctl: %m): relayed every %u ms "
                          "instead, until it can.", stream, OUTPUT_RELAY_RETRY_MSEC);
}

void output_relay_set_gone(OutputRelay *r, int error) {
        r->out_gone = true;
        r->out_error = error;
        r->out_gone_told = true;
}

void output_relay_set_dropping_told(OutputRelay *r) {
        r->out_dropping = r->out_dropping_told = true;
}

void output_relay_drain(OutputRelay *r, unsigned timeout_msec) {
        uint64_t deadline = output_relay_now_msec() + timeout_msec;

        for (;;) {
                struct pollfd p = { .fd = -EBADF };
                uint64_t now = output_relay_now_msec();
                int k;

                p.fd = output_relay_poll_fd(r, &p.events);
                if (p.fd < 0 || now >= deadline)
                        break;
                /* A pause of the pipe's is a writer that escaped; OUT's, a
                 * journal that is slow for a moment (busy, rotating): that is
                 * waited for to the deadline, or the payload's last words,
                 * already in the pipe, were lost. */
                k = poll(&p, 1, (int) MIN(deadline - now, p.events & POLLOUT ? UINT64_MAX : (uint64_t) 1000));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                if (output_relay_dispatch(r) <= 0)
                        break;
        }
}

bool output_relay_is_journal_stream(int fd, const char *journal_stream) {
        unsigned long long dev, ino;
        struct stat st;
        char *end;

        if (!journal_stream || fd < 0)
                return false;
        errno = 0;
        dev = strtoull(journal_stream, &end, 10);
        if (errno != 0 || end == journal_stream || *end != ':' || !isdigit((unsigned char) end[1]))
                return false;
        journal_stream = end + 1;
        ino = strtoull(journal_stream, &end, 10);
        if (errno != 0 || *end != 0)
                return false;
        return fstat(fd, &st) >= 0 && (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}
