/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* output-relay.c with the container's console, a pty's master, as its
 * source (output_relay_set_console()): what the terminal made of the
 * payload's newlines (ONLCR: CR LF) reaches OUT as lines (LF), as the
 * journal stream and files want them; other CRs stay; the master's EIO (no
 * slave open any more) is the relay's end, with nothing held back. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "output-relay.h"
#include "test.h"

typedef struct Console {
        int master, slave, out[2];
        OutputRelay relay;
} Console;

static void console_open(Console *c, bool opost) {
        struct termios t;

        c->relay = OUTPUT_RELAY_NULL;
        c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        ASSERT_TRUE(c->master >= 0);
        ASSERT_EQ(unlockpt(c->master), 0);
        c->slave = ioctl(c->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        ASSERT_TRUE(c->slave >= 0);
        ASSERT_EQ(tcgetattr(c->slave, &t), 0);
        /* A new pty's output processing is on (OPOST, ONLCR), as a console's. */
        ASSERT_TRUE((t.c_oflag & OPOST) && (t.c_oflag & ONLCR));
        if (!opost) {
                t.c_oflag &= ~OPOST;            /* the bytes as written, to place each CR */
                ASSERT_EQ(tcsetattr(c->slave, TCSANOW, &t), 0);
        }
        ASSERT_EQ(pipe2(c->out, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_OK(output_relay_start(&c->relay, c->master, c->out[1]));
        output_relay_set_console(&c->relay, 0);
}

static void console_write(Console *c, const char *s) {
        ASSERT_EQ(write(c->slave, s, strlen(s)), (ssize_t) strlen(s));
        ASSERT_EQ(tcdrain(c->slave), 0);
}

/* What OUT got since the last call. */
static const char *console_out(Console *c) {
        static char buf[1024];
        ssize_t n = read(c->out[0], buf, sizeof buf - 1);

        buf[n > 0 ? n : 0] = 0;
        return buf;
}

static void console_close(Console *c) {
        output_relay_done(&c->relay);
        safe_close(c->slave);
        safe_close(c->out[0]);
        safe_close(c->out[1]);
}

TEST(console_lines_as_written) {
        Console c;

        console_open(&c, true);
        /* On the master: "one\r\ntwo\r\r\nthree\r\r\r\n50%\r100%\r\n". */
        console_write(&c, "one\ntwo\r\nthree\r\r\n50%\r100%\n");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "one\ntwo\nthree\n50%\r100%\n");
        ASSERT_TRUE(c.relay.copy);              /* never spliced: that would move the CRs */
        console_close(&c);
}

TEST(console_cr_held_across_reads) {
        Console c;

        console_open(&c, false);
        console_write(&c, "x\r");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "x");     /* the CR waits for what comes next */
        console_write(&c, "\ny\r");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "\ny");
        console_write(&c, "z");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "\rz");   /* no LF after it: a CR of the payload's */
        /* Only CRs: a few held, the rest written at once. */
        console_write(&c, "\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "\r\r\r\r");
        /* The payload's last slave closed: EIO on the master, the end, and
         * what was held is written. */
        c.slave = safe_close(c.slave);
        ASSERT_EQ(output_relay_dispatch(&c.relay), 0);
        ASSERT_FALSE(output_relay_active(&c.relay));
        ASSERT_EQ(strlen(console_out(&c)), 16U);
        console_close(&c);
}

/* The hand-over: the CRs held are not written by output_relay_suspend()
 * but handed on with the master, and the relay after the exec decides by
 * the next byte, as one relay would have (a progress line's "50%\r" kept,
 * a CR before an LF dropped). */
TEST(console_cr_held_handed_over) {
        Console c;

        console_open(&c, false);
        console_write(&c, "50%\r");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "50%");
        output_relay_suspend(&c.relay);
        ASSERT_STREQ(console_out(&c), "");
        unsigned held = c.relay.n_cr_held;
        ASSERT_EQ(held, 1U);
        /* cell-monitor's relay, on the same fds. */
        ASSERT_OK(output_relay_start(&c.relay, c.relay.pipe, c.out[1]));
        output_relay_set_console(&c.relay, held);
        console_write(&c, "100%\r");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "\r100%");
        output_relay_suspend(&c.relay);
        ASSERT_OK(output_relay_start(&c.relay, c.relay.pipe, c.out[1]));
        output_relay_set_console(&c.relay, c.relay.n_cr_held);
        console_write(&c, "\n");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_STREQ(console_out(&c), "\n");
        console_close(&c);
}

/* OUT gone (the journal's socket closed): the console is read and dropped
 * to its end all the same, so that the payload's writes never wait. */
TEST(console_out_gone_drained) {
        Console c;

        (void) signal(SIGPIPE, SIG_IGN);        /* as cell and cell-monitor keep it blocked */
        console_open(&c, true);
        c.out[0] = safe_close(c.out[0]);
        console_write(&c, "lost\n");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        ASSERT_TRUE(output_relay_newly_gone(&c.relay));
        console_write(&c, "dropped\n");
        ASSERT_EQ(output_relay_dispatch(&c.relay), 1);
        c.slave = safe_close(c.slave);
        ASSERT_EQ(output_relay_dispatch(&c.relay), 0);
        console_close(&c);
}
