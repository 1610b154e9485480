/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell-monitor's relay of the payload's output where epoll refuses to watch
 * it (cell-monitor-epoll-refuse, epoll-refuse.c): the payload's writes never
 * block for good, nothing is lost, the monitor says so once. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor-run.h"
#include "test.h"

/* A wait with no byte coming that can only be the payload blocked on a pipe
 * nobody reads (a whole pipeful takes the timer's 100 ms). */
#define STALL_MSEC 20000

/* What the monitor relays to its stdout, read until its end or a stall. */
static size_t read_journal(int fd, char *buf, size_t size) {
        size_t got = 0;

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, STALL_MSEC) <= 0) {
                        fprintf(stderr, "nothing relayed for %d ms after %zu bytes\n", STALL_MSEC, got);
                        return got;
                }
                n = read(fd, buf + got, size - got);
                if (n <= 0)
                        return got;
                got += (size_t) n;
        }
}

/* Whether the monitor's log (its stderr, a file) has said text, waited for up to STALL_MSEC. */
static bool log_says(const char *path, const char *text) {
        for (unsigned i = 0; i < STALL_MSEC / 10; i++) {
                char buf[4096] = {};
                int fd = open(path, O_RDONLY|O_CLOEXEC);

                ASSERT_TRUE(fd >= 0);
                (void) !read(fd, buf, sizeof buf - 1);
                close(fd);
                if (strstr(buf, text))
                        return true;
                (void) poll(NULL, 0, 10);
        }
        return false;
}

static void relay_refused(const char *what, bool fill_first) {
        const char *bin = getenv("CELL_MONITOR_EPOLL_REFUSE_BIN");
        char *saved = strdup(getenv("CELL_MONITOR_BIN"));
        char *log, *in = malloc(PAYLOAD_OUTPUT_SIZE + 64);
        MonitorState t = template();
        size_t got;
        Run r;

        ASSERT_NOT_NULL(bin);
        ASSERT_NOT_NULL(saved);
        ASSERT_NOT_NULL(in);
        ASSERT_OK(setenv("CELL_MONITOR_BIN", bin, 1));
        ASSERT_OK(setenv("TEST_EPOLL_REFUSE", what, 1));
        /* A journal stream that fills after a few KiB: the relay waits for it. */
        monitor_journal_sndbuf = 4096;
        monitor_start(PAYLOAD_OUTPUT, &t, &r);
        ASSERT_OK(setenv("CELL_MONITOR_BIN", saved, 1));
        unsetenv("TEST_EPOLL_REFUSE");
        monitor_journal_sndbuf = 0;
        free(saved);

        /* Nothing read before the monitor failed to watch our stream, which
         * is then full for sure (its warning checked below). */
        if (fill_first)
                (void) log_says(r.log, "cannot watch it");
        got = read_journal(r.journal, in, PAYLOAD_OUTPUT_SIZE + 64);
        /* It was: the monitor's failure, the payload killed (at the start);
         * or the payload blocked for good (a stall). The monitor, our child,
         * killed then, and the payload with it (PR_SET_PDEATHSIG). */
        if (got != PAYLOAD_OUTPUT_SIZE + strlen(PAYLOAD_LAST_LINE)) {
                (void) kill(r.monitor, SIGKILL);
                (void) waitpid(r.monitor, NULL, 0);
                unlink(r.log);
                TEST_FAIL("%s refused: %zu of %zu bytes relayed", what, got,
                          PAYLOAD_OUTPUT_SIZE + strlen(PAYLOAD_LAST_LINE));
        }
        ASSERT_EQ(monitor_wait(&r, &log), 0);
        for (size_t i = 0; i < PAYLOAD_OUTPUT_SIZE; i++)
                if (in[i] != payload_output_byte(i))
                        TEST_FAIL("byte %zu: '%c', expected '%c'", i, in[i], payload_output_byte(i));
        ASSERT_TRUE(memcmp(in + PAYLOAD_OUTPUT_SIZE, PAYLOAD_LAST_LINE, strlen(PAYLOAD_LAST_LINE)) == 0);
        /* Said once, a warning that names the stream and the step. */
        const char *w = "Relaying the payload's stdout: cannot watch it (epoll_ctl: Cannot allocate memory): "
                "relayed every 100 ms instead, until it can.";
        ASSERT_CONTAINS(log, w);
        ASSERT_NULL(strstr(strstr(log, w) + 1, w));
        free(log);
        safe_close(r.journal);
        free(in);
}

/* The pipe cannot be watched from the start (and again whenever the relay
 * goes back to it): it was the monitor's failure, the payload killed. */
TEST(output_pipe_not_watched) {
        relay_refused("fifo", false);
}

/* Our stream, full, cannot be watched for room: it was the relay stopped
 * for good, the payload's writes blocked once its pipe was full. */
TEST(output_stream_not_watched) {
        relay_refused("out", true);
}

/* The monitor's stdout a full disk (/dev/full): the payload's output is
 * dropped, its writes never block, it exits 0. The warning is said once;
 * not at all where cell said it before the hand-over (--stdout-dropping),
 * so that a service's log has it once, not once per supervisor. */
static void relay_full(bool told) {
        MonitorState t = template();
        char *log;
        Run r;

        t.output_dropping[0] = told;
        monitor_journal_full = true;
        monitor_start(PAYLOAD_OUTPUT, &t, &r);
        monitor_journal_full = false;
        ASSERT_EQ(monitor_wait(&r, &log), 0);
        const char *w = "Writing the payload's stdout: No space left on device: dropped until it takes output again.";
        if (told)
                ASSERT_NULL(strstr(log, w));
        else {
                ASSERT_CONTAINS(log, w);
                ASSERT_NULL(strstr(strstr(log, w) + 1, w));
        }
        free(log);
        safe_close(r.journal);
}

TEST(output_full_disk_said_once) {
        relay_full(false);
}

TEST(output_full_disk_said_by_cell) {
        relay_full(true);
}
