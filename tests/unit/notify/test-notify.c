/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The notify proxy: the datagram filter on its own, then the proxy on a real
 * socketpair with $NOTIFY_SOCKET pointing at a socket of the test, so what
 * cell would tell its supervisor is read back byte for byte. */

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "notify-internal.h"
#include "notify.h"
#include "test-upstream.h"
#include "utf8.h"
#include "test.h"

/* The datagram as the relay has it from recvmsg(): len bytes and no NUL
 * after them. The copy ends where an inaccessible page begins, so a parser
 * that reads one byte too far crashes here in any build (and ASan names it). */
static int parse_exact(const char *s, size_t len, NotifyMessage *m) {
        size_t page = (size_t) sysconf(_SC_PAGESIZE), data = (len + page - 1) / page * page;
        uint8_t *base = mmap(NULL, data + page, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
        int r;

        ASSERT_TRUE(base != MAP_FAILED);
        ASSERT_OK(mprotect(base + data, page, PROT_NONE));
        memcpy(base + data - len, s, len);
        r = notify_message_parse((const char *) base + data - len, len, m);
        ASSERT_OK(munmap(base, data + page));
        return r;
}

static int parse(const char *s, NotifyMessage *m) {
        return parse_exact(s, strlen(s), m);
}

TEST(parse_valid) {
        NotifyMessage m;
        ASSERT_OK(parse("READY=1\nSTATUS=Listening on :80\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=5000000\n", &m));
        ASSERT_TRUE(m.ready);
        ASSERT_TRUE(m.watchdog);
        ASSERT_STREQ(m.status, "Listening on :80");
        ASSERT_TRUE(m.extend_timeout);
        ASSERT_EQ_U64(m.extend_timeout_usec, 5000000);
        ASSERT_EQ(m.n_ignored, 0);
        notify_message_done(&m);

        /* No trailing newline. */
        ASSERT_OK(parse("READY=0\nSTATUS=a", &m));
        ASSERT_FALSE(m.ready);
        ASSERT_STREQ(m.status, "a");
        notify_message_done(&m);
}

/* systemd looks up WATCHDOG=, WATCHDOG_USEC=, STATUS= and EXTEND_TIMEOUT_USEC=
 * once per datagram (strv_find_startswith()): the first line of the key
 * decides, valid or not, and a later one is ignored. READY=1 counts on any
 * line (strv_contains()). */
TEST(parse_first_line_of_a_key) {
        NotifyMessage m;
        char *s = NULL;

        ASSERT_OK(parse("STATUS=a\nSTATUS=b\nEXTEND_TIMEOUT_USEC=1\nEXTEND_TIMEOUT_USEC=2\n"
                        "WATCHDOG_USEC=3\nWATCHDOG_USEC=4\nREADY=2\nREADY=1\n", &m));
        ASSERT_STREQ(m.status, "a");
        ASSERT_EQ_U64(m.extend_timeout_usec, 1);
        ASSERT_EQ_U64(m.watchdog_usec, 3);
        ASSERT_TRUE(m.ready);
        ASSERT_EQ(m.n_ignored, 4);
        notify_message_done(&m);

        /* A first line that is not valid leaves the key unset for the datagram. */
        ASSERT_OK(parse("STATUS=\033[2J\nSTATUS=good\nEXTEND_TIMEOUT_USEC=x\nEXTEND_TIMEOUT_USEC=5\n"
                        "WATCHDOG_USEC=-1\nWATCHDOG_USEC=6\nWATCHDOG=2\nWATCHDOG=1\n", &m));
        ASSERT_NULL(m.status);
        ASSERT_FALSE(m.extend_timeout || m.watchdog_usec_set || m.watchdog);
        ASSERT_EQ(m.n_ignored, 8);
        ASSERT_OK(notify_message_format(&m, "web", true, &s));
        ASSERT_NULL(s);
        notify_message_done(&m);

        /* A ping, then a trigger: systemd pings, and so does cell. */
        ASSERT_OK(parse("WATCHDOG=1\nWATCHDOG=trigger\n", &m));
        ASSERT_TRUE(m.watchdog);
        ASSERT_FALSE(m.watchdog_trigger);
        ASSERT_OK(notify_message_format(&m, "web", true, &s));
        ASSERT_STREQ(s, "WATCHDOG=1\n");
        free(s);
        notify_message_done(&m);

        /* An empty STATUS= clears the status: it goes up empty, no "web: ". */
        ASSERT_OK(parse("STATUS=\nSTATUS=x\n", &m));
        ASSERT_STREQ(m.status, "");
        ASSERT_OK(notify_message_format(&m, "web", true, &s));
        ASSERT_STREQ(s, "STATUS=\n");
        free(s);
        notify_message_done(&m);
}

TEST(parse_drops_unknown_and_odd_values) {
        NotifyMessage m;
        ASSERT_OK(parse("MAINPID=1\nFDSTORE=1\nREADY=0\nWATCHDOG=2\nEXTEND_TIMEOUT_USEC=12x\nERRNO=2\n"
                        "WATCHDOG_USEC=5s\nWATCHDOG=Trigger\nRELOADING=1\nSTOPPING=1\nBARRIER=1\n", &m));
        ASSERT_FALSE(m.ready);
        ASSERT_FALSE(m.watchdog);
        ASSERT_FALSE(m.extend_timeout);
        ASSERT_NULL(m.status);
        ASSERT_EQ(m.n_ignored, 11);
        notify_message_done(&m);
}

/* The watchdog is the payload's (cell passes WATCHDOG_USEC on): all of
 * sd_notify(3)'s watchdog lines go up, as a service's would reach systemd. */
TEST(watchdog_lines_go_up) {
        NotifyMessage m;
        char *s = NULL;

        ASSERT_OK(parse("WATCHDOG=trigger\nWATCHDOG_USEC=20000000\n", &m));
        ASSERT_EQ(m.n_ignored, 0);
        ASSERT_OK(notify_message_format(&m, "web", true, &s));
        ASSERT_STREQ(s, "WATCHDOG=trigger\nWATCHDOG_USEC=20000000\n");
        free(s);
        notify_message_done(&m);

        /* systemd acts on the first WATCHDOG= of a datagram only: a message
         * with both (made by hand, the parser takes the first) sends the
         * trigger alone, which a ping beside it would hide. */
        m = (NotifyMessage) { .watchdog = true, .watchdog_trigger = true };
        ASSERT_OK(notify_message_format(&m, "web", true, &s));
        ASSERT_STREQ(s, "WATCHDOG=trigger\n");
        free(s);
}

/* A number at the very end of the datagram: the parser must stop at its
 * length, not at a NUL that recvmsg() never wrote (a heap overread once). */
TEST(parse_stays_within_the_datagram) {
        NotifyMessage m;

        ASSERT_OK(parse("EXTEND_TIMEOUT_USEC=12345", &m));
        ASSERT_TRUE(m.extend_timeout);
        ASSERT_EQ_U64(m.extend_timeout_usec, 12345);
        notify_message_done(&m);

        ASSERT_OK(parse("EXTEND_TIMEOUT_USEC=18446744073709551615", &m));      /* 20 digits, the most */
        ASSERT_TRUE(m.extend_timeout);
        ASSERT_EQ_U64(m.extend_timeout_usec, UINT64_MAX);
        notify_message_done(&m);

        static const char * const ignored[] = {
                "EXTEND_TIMEOUT_USEC=",
                "EXTEND_TIMEOUT_USEC=18446744073709551616",             /* out of range */
                "EXTEND_TIMEOUT_USEC=000000000000000000001",            /* 21 digits */
                "EXTEND_TIMEOUT_USEC=12 ",
                "EXTEND_TIMEOUT_USEC=-1",
        };
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++) {
                ASSERT_OK(parse(ignored[i], &m));
                ASSERT_FALSE(m.extend_timeout);
                ASSERT_EQ(m.n_ignored, 1);
                notify_message_done(&m);
        }

        /* The same from the heap, exactly as long as the message (what ASan watches). */
        static const char msg[] = "STATUS=x\nEXTEND_TIMEOUT_USEC=7";
        char *heap = malloc(sizeof msg - 1);
        ASSERT_NOT_NULL(heap);
        memcpy(heap, msg, sizeof msg - 1);
        ASSERT_OK(notify_message_parse(heap, sizeof msg - 1, &m));
        free(heap);
        ASSERT_EQ_U64(m.extend_timeout_usec, 7);
        ASSERT_STREQ(m.status, "x");
        notify_message_done(&m);
}

/* systemd reads each line on its own: an odd line is ignored, the others
 * still count (READY=1 was lost with the whole datagram once). */
TEST(parse_line_by_line) {
        NotifyMessage m;

        static const struct {
                const char *msg;
                unsigned n_ignored;
        } ready_survives[] = {
                { "STATUS=ctl \033[1mbold\nREADY=1", 1 },     /* a control character */
                { "READY=1\nx-custom=1", 1 },                 /* a key systemd does not know */
                { "READY=1\nhello\n", 1 },                    /* no '=' */
                { "ready=1\nREADY=1\n", 1 },                  /* key case */
                { "=1\nREADY=1\n=\n", 2 },                    /* empty key */
                { "READY=1\r\nREADY=1", 0 },                  /* '\r' ends a line, as '\n' does */
                { "STATUS=\xff\xfe\nREADY=1", 1 },             /* not UTF-8 */
                { "READY=1\nSTATUS=\xc3", 1 },                 /* a truncated sequence */
                { "READY=1\nSTATUS=\xc0\xaf", 1 },             /* overlong */
                { "READY=1\nSTATUS=\xed\xa0\x80", 1 },         /* a surrogate */
                { "READY=1\nSTATUS=a\xc2\x9b" "2Jb", 1 },       /* C1 control: CSI */
                { "READY=1\nSTATUS=a\x7f", 1 },                /* DEL */
                { "READY=1\nMAINPID=1\nFDSTORE=1\nREADY=2\n", 3 },
                { "READY=1\n\n\n", 0 },                       /* empty lines are no lines */
        };
        for (size_t i = 0; i < ELEMENTSOF(ready_survives); i++) {
                ASSERT_OK(parse(ready_survives[i].msg, &m));
                ASSERT_TRUE(m.ready);
                ASSERT_NULL(m.status);
                ASSERT_EQ(m.n_ignored, ready_survives[i].n_ignored);
                notify_message_done(&m);
        }

        /* UTF-8 and a tab are fine. */
        ASSERT_OK(parse("STATUS=caf\xc3\xa9\tna\xc3\xafve \xe2\x82\xac \xf0\x9f\x90\xa7\xc2\xa0", &m));
        ASSERT_STREQ(m.status, "caf\xc3\xa9\tna\xc3\xafve \xe2\x82\xac \xf0\x9f\x90\xa7\xc2\xa0");
        ASSERT_EQ(m.n_ignored, 0);
        notify_message_done(&m);

        /* An invalid STATUS= is ignored, not a reason to drop a valid one. */
        ASSERT_OK(parse("STATUS=good\nSTATUS=\033[2J\nWATCHDOG=1", &m));
        ASSERT_STREQ(m.status, "good");
        ASSERT_TRUE(m.watchdog);
        ASSERT_EQ(m.n_ignored, 1);
        notify_message_done(&m);

        /* systemd splits a datagram at '\n' and at '\r' (its NEWLINE): CRLF
         * lines, or a lone '\r', are lines like any. */
        ASSERT_OK(parse("STATUS=up\rWATCHDOG=1\r\nEXTEND_TIMEOUT_USEC=5\r\n\r\n", &m));
        ASSERT_STREQ(m.status, "up");
        ASSERT_TRUE(m.watchdog);
        ASSERT_TRUE(m.extend_timeout);
        ASSERT_EQ_U64(m.extend_timeout_usec, 5);
        ASSERT_EQ(m.n_ignored, 0);
        notify_message_done(&m);

        /* One NUL at the end: a sender that counted it. */
        ASSERT_OK(notify_message_parse("READY=1\nSTATUS=x\0", 17, &m));
        ASSERT_TRUE(m.ready);
        ASSERT_STREQ(m.status, "x");
        notify_message_done(&m);
}

TEST(parse_rejects_malformed) {
        NotifyMessage m;
        char big[NOTIFY_DATAGRAM_MAX + 2];

        /* A NUL inside: not text, nothing of it is used. */
        ASSERT_ERROR(parse_exact("READY=1\0STATUS=x", 16, &m), EBADMSG);
        ASSERT_ERROR(parse_exact("READY=1\0\0", 9, &m), EBADMSG);

        memset(big, 'x', sizeof big);
        memcpy(big, "STATUS=", 7);
        ASSERT_ERROR(parse_exact(big, NOTIFY_DATAGRAM_MAX + 1, &m), EMSGSIZE);
        ASSERT_OK(parse_exact(big, NOTIFY_DATAGRAM_MAX, &m));                   /* exactly 4 KiB is fine */
        ASSERT_EQ(strlen(m.status), NOTIFY_DATAGRAM_MAX - 7);
        notify_message_done(&m);
}

TEST(format_prefixes_status) {
        NotifyMessage m;
        char *s = NULL;

        ASSERT_OK(parse("READY=1\nSTATUS=up\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=7\n", &m));
        ASSERT_OK(notify_message_format(&m, "web", true, &s));
        ASSERT_STREQ(s, "READY=1\nSTATUS=web: up\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=7\n");
        free(s);
        /* NotifyReady=no: READY=1 is cell's own to send. */
        ASSERT_OK(notify_message_format(&m, "web", false, &s));
        ASSERT_STREQ(s, "STATUS=web: up\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=7\n");
        free(s);
        notify_message_done(&m);

        ASSERT_OK(parse("MAINPID=1\n", &m));
        ASSERT_OK(notify_message_format(&m, "web", true, &s));
        ASSERT_NULL(s);         /* nothing to say */
        notify_message_done(&m);
}

/* systemd ignores a whole datagram longer than 4096 bytes: what cell sends
 * up stays within that, also when the payload's own datagram was that long
 * and the "NAME: " prefix makes it longer. The STATUS= text is cut (at a
 * character's start); READY=1 and WATCHDOG=1 beside it still count. */
TEST(format_fits_a_datagram) {
        static const char head[] = "READY=1\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=5000000\nSTATUS=";
        char big[NOTIFY_DATAGRAM_MAX];
        NotifyMessage m;
        char *s = NULL;
        size_t n;

        memcpy(big, head, sizeof head - 1);
        /* Two-byte characters, one of them across any cut. */
        for (n = sizeof head - 1; n + 2 <= sizeof big; n += 2)
                memcpy(big + n, "\xc3\xa9", 2);
        ASSERT_OK(parse_exact(big, n, &m));
        ASSERT_NOT_NULL(m.status);

        ASSERT_OK(notify_message_format(&m, "a-rather-long-unit-name", true, &s));
        ASSERT_TRUE(strlen(s) <= NOTIFY_DATAGRAM_MAX);
        ASSERT_TRUE(startswith(s, "READY=1\nSTATUS=a-rather-long-unit-name: \xc3\xa9"));
        ASSERT_CONTAINS(s, "\nWATCHDOG=1\nEXTEND_TIMEOUT_USEC=5000000\n");
        ASSERT_TRUE(utf8_is_valid_n(s, strlen(s)));
        /* Cut no more than it must: within one character of the limit. */
        ASSERT_TRUE(strlen(s) >= NOTIFY_DATAGRAM_MAX - 1);
        free(s);
        notify_message_done(&m);
}

static unsigned n_ready;
static void on_ready(void *userdata) {
        n_ready++;
}

static void send_str(int fd, const char *s, size_t len) {
        ASSERT_EQ(send(fd, s, len, 0), (ssize_t) len);
}

static void pump(Event *e) {
        while (event_run(e, 0) > 0)
                ;
}

/* A proxy for p on a new socketpair; returns the payload's end. We are in
 * our own PID namespace, so the datagrams we send are the container's. */
static int proxy_start(const Plan *p, Event *e, const NotifyCallbacks *cb, NotifyProxy **ret) {
        int pair[2];

        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(notify_proxy_new(p, e, pair[0], getpid(), cb, ret));
        return pair[1];
}

/* The payload sends msg (its bytes up to the NUL), and the proxy handles
 * what has come. */
static void payload_says(int fd, Event *e, const char *msg) {
        send_str(fd, msg, strlen(msg));
        pump(e);
}

/* The next datagram cell sent up is want (the test's socket has it). */
static void expect_upstream(int up, const char *want) {
        char *s = test_upstream_read(up, 0);

        ASSERT_STREQ(s, want);
        free(s);
}

TEST(proxy_forwards_filtered) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready };

        n_ready = 0;
        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, &cb, &n);

        payload_says(payload, e, "STATUS=starting\nMAINPID=1\n");
        expect_upstream(up, "STATUS=web: starting\n");
        ASSERT_EQ(n_ready, 0);

        payload_says(payload, e, "READY=1\nSTATUS=up");
        expect_upstream(up, "READY=1\nSTATUS=web: up\n");
        ASSERT_EQ(n_ready, 1);

        /* READY=1 counts once. */
        payload_says(payload, e, "READY=1\nWATCHDOG=1\n");
        expect_upstream(up, "WATCHDOG=1\n");
        ASSERT_EQ(n_ready, 1);

        /* Nothing valid but a second READY=1, NUL, oversized, only unknown keys: nothing goes up. */
        send_str(payload, "READY=1\nrubbish\n", 16);
        send_str(payload, "STATUS=a\0b", 10);
        char *big = malloc(NOTIFY_DATAGRAM_MAX + 100);
        memset(big, 'x', NOTIFY_DATAGRAM_MAX + 100);
        memcpy(big, "STATUS=", 7);
        send_str(payload, big, NOTIFY_DATAGRAM_MAX + 100);
        free(big);
        payload_says(payload, e, "MAINPID=1\nFDSTORE=1\n");
        ASSERT_NULL(test_upstream_read(up, 0));

        /* Still alive after all that. */
        payload_says(payload, e, "EXTEND_TIMEOUT_USEC=3000000\n");
        expect_upstream(up, "EXTEND_TIMEOUT_USEC=3000000\n");

        ASSERT_NULL(notify_proxy_free(n));
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* Sends msg with the fds (SCM_RIGHTS), as sd_notify_barrier() and FDSTORE=1 do. */
static void send_with_fds(int fd, const char *msg, const int *fds, size_t n) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(int) * 253)];  /* SCM_MAX_FD */
        } control = {};
        struct iovec iov = { .iov_base = (char *) msg, .iov_len = strlen(msg) };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        ASSERT_TRUE(n <= 253);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        ASSERT_EQ(sendmsg(fd, &mh, 0), (ssize_t) strlen(msg));
}

/* Whether the write ends of the pipe are all closed: cell kept none. */
static bool pipe_hung_up(int read_fd) {
        struct pollfd p = { .fd = read_fd, .events = POLLIN };

        return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

/* fds sent along are closed, never kept: sd_notify_barrier()'s (it returns
 * once cell has handled what came before it), and FDSTORE=1's, as many as the
 * kernel passes; the text beside them counts, as in systemd (it once was
 * dropped as truncated from 17 fds on, READY=1 with it). */
TEST(proxy_closes_passed_fds) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        int barrier[2], many[24][2], w[253], dups[2];

        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, NULL, &n);

        ASSERT_OK(pipe2(barrier, O_CLOEXEC));
        send_str(payload, "READY=1", 7);
        send_with_fds(payload, "BARRIER=1", &barrier[1], 1);
        safe_close(barrier[1]);
        ASSERT_FALSE(pipe_hung_up(barrier[0]));         /* cell holds it until it reads */
        pump(e);
        ASSERT_TRUE(pipe_hung_up(barrier[0]));
        expect_upstream(up, "READY=1\n");               /* handled before the barrier returned */
        ASSERT_NULL(test_upstream_read(up, 0));
        safe_close(barrier[0]);

        for (size_t i = 0; i < ELEMENTSOF(many); i++) {
                ASSERT_OK(pipe2(many[i], O_CLOEXEC));
                w[i] = many[i][1];
        }
        send_with_fds(payload, "FDSTORE=1\nSTATUS=stored", w, ELEMENTSOF(many));
        for (size_t i = 0; i < ELEMENTSOF(many); i++)
                safe_close(many[i][1]);
        pump(e);
        for (size_t i = 0; i < ELEMENTSOF(many); i++) {
                ASSERT_TRUE(pipe_hung_up(many[i][0]));
                safe_close(many[i][0]);
        }
        expect_upstream(up, "STATUS=web: stored\n");

        /* The most one message carries (SCM_MAX_FD). */
        ASSERT_OK(pipe2(dups, O_CLOEXEC));
        for (size_t i = 0; i < ELEMENTSOF(w); i++)
                ASSERT_TRUE((w[i] = fcntl(dups[1], F_DUPFD_CLOEXEC, 3)) >= 0);
        send_with_fds(payload, "FDSTORE=1\nFDNAME=listeners\nSTATUS=all", w, ELEMENTSOF(w));
        for (size_t i = 0; i < ELEMENTSOF(w); i++)
                safe_close(w[i]);
        safe_close(dups[1]);
        ASSERT_FALSE(pipe_hung_up(dups[0]));
        pump(e);
        ASSERT_TRUE(pipe_hung_up(dups[0]));             /* every copy closed */
        safe_close(dups[0]);
        expect_upstream(up, "STATUS=web: all\n");
        ASSERT_NULL(test_upstream_read(up, 0));

        ASSERT_NULL(notify_proxy_free(n));
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* The reviewer's datagrams: READY=1 next to an odd line still goes up. */
TEST(proxy_odd_line_keeps_ready) {
        static const char * const msgs[] = {
                "STATUS=ctl \033[1mbold\nREADY=1",
                "READY=1\nx-custom=1",
                "STATUS=\xc3\x28\nREADY=1\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(msgs); i++) {
                int payload, up = test_upstream_open("cell-test-notify");
                Event *e = NULL;
                NotifyProxy *n = NULL;
                Plan p = { .name = (char *) "web", .notify_ready = true };
                NotifyCallbacks cb = { .ready = on_ready };

                n_ready = 0;
                ASSERT_OK(event_new(&e));
                payload = proxy_start(&p, e, &cb, &n);
                payload_says(payload, e, msgs[i]);
                expect_upstream(up, "READY=1\n");           /* and no STATUS= of the odd line */
                ASSERT_NULL(test_upstream_read(up, 0));
                ASSERT_EQ(n_ready, 1);
                ASSERT_NULL(notify_proxy_free(n));
                close(payload);
                close(up);
                event_unref(e);
        }
        unsetenv("NOTIFY_SOCKET");
}

TEST(proxy_notify_ready_no) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "db", .notify_ready = false };
        NotifyCallbacks cb = { .ready = on_ready };

        n_ready = 0;
        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "READY=1\nSTATUS=x\n");
        expect_upstream(up, "STATUS=db: x\n");        /* READY=1 is not the payload's to give */
        ASSERT_EQ(n_ready, 1);                  /* but the supervisor still hears of it */
        notify_proxy_free(n);
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* Boot=yes: the service's watchdog is cell's (it pings it, and it watches
 * cell); the payload's watchdog lines do not go up, the rest does. */
TEST(proxy_boot_keeps_watchdog) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "os", .notify_ready = true, .boot = true };

        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, NULL, &n);
        payload_says(payload, e, "WATCHDOG_USEC=0\nSTATUS=up\nWATCHDOG=1\n");
        expect_upstream(up, "STATUS=os: up\n");
        payload_says(payload, e, "WATCHDOG=trigger\nREADY=1\n");
        expect_upstream(up, "READY=1\n");
        payload_says(payload, e, "WATCHDOG_USEC=99999999999\n");
        ASSERT_NULL(test_upstream_read(up, 0));
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

TEST(proxy_drops_other_pid_namespace) {
        int pair[2], up = test_upstream_open("cell-test-notify"), ready_pipe[2], go_pipe[2];
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };

        ASSERT_OK(event_new(&e));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(pipe2(ready_pipe, O_CLOEXEC));
        ASSERT_OK(pipe2(go_pipe, O_CLOEXEC));

        /* A "container": a process in a PID namespace of its own (user namespace so
         * this works unprivileged where allowed). It reports its host PID, waits, sends. */
        pid_t helper = fork();
        ASSERT_TRUE(helper >= 0);
        if (helper == 0) {
                if (unshare(CLONE_NEWUSER|CLONE_NEWPID) < 0 && unshare(CLONE_NEWPID) < 0)
                        _exit(TEST_SKIP);
                pid_t inner = fork();
                if (inner < 0)
                        _exit(1);
                if (inner == 0) {
                        char c;
                        if (read(go_pipe[0], &c, 1) != 1)
                                _exit(1);
                        if (send(pair[1], "STATUS=from inside\n", 19, 0) != 19)
                                _exit(1);
                        /* Stay alive until cell has read it: the sender is checked through /proc. */
                        if (read(go_pipe[0], &c, 1) != 1)
                                _exit(1);
                        _exit(0);
                }
                int st;
                if (write(ready_pipe[1], &inner, sizeof inner) != sizeof inner || waitpid(inner, &st, 0) != inner)
                        _exit(1);
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
        }
        close(ready_pipe[1]);
        close(go_pipe[0]);
        pid_t inner = 0;
        if (read(ready_pipe[0], &inner, sizeof inner) != sizeof inner)
                /* No PID to read: the helper must have said it cannot. */
                ASSERT_FALSE(test_child_ran(helper, "cannot create a PID namespace here"));
        else {
                ASSERT_OK(notify_proxy_new(&p, e, pair[0], inner, NULL, &n));

                /* We are outside the container's PID namespace: dropped. */
                payload_says(pair[1], e, "STATUS=from the host\n");
                ASSERT_NULL(test_upstream_read(up, 0));

                /* From inside: accepted. */
                ASSERT_EQ(write(go_pipe[1], "x", 1), 1);
                ASSERT_EQ(event_run(e, 5 * USEC_PER_SEC), 1);       /* the datagram arrives */
                ASSERT_EQ(write(go_pipe[1], "x", 1), 1);
                int st;
                ASSERT_EQ(waitpid(helper, &st, 0), helper);
                ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                expect_upstream(up, "STATUS=web: from inside\n");
                notify_proxy_free(n);
                pair[0] = -1;
        }
        safe_close(pair[0]);
        close(pair[1]);
        close(ready_pipe[0]);
        close(go_pipe[1]);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

TEST(uid_is_container) {
        NotifyRelay r = NOTIFY_RELAY_NULL;

        /* No user namespace of its own: root only (a host user may share any other UID). */
        ASSERT_TRUE(notify_relay_uid_is_container(&r, 0));
        ASSERT_FALSE(notify_relay_uid_is_container(&r, 1000));
        ASSERT_FALSE(notify_relay_uid_is_container(&r, 65534));

        /* PrivateUsers=: the UIDs it maps (and root). */
        r.uid_ranges[0] = (NotifyUidRange) { 524288, 65536 };
        r.uid_ranges[1] = (NotifyUidRange) { UINT32_MAX - 9, 10 };
        r.n_uid_ranges = 2;
        ASSERT_TRUE(notify_relay_uid_is_container(&r, 0));
        ASSERT_TRUE(notify_relay_uid_is_container(&r, 524288));
        ASSERT_TRUE(notify_relay_uid_is_container(&r, 524288 + 65535));
        ASSERT_FALSE(notify_relay_uid_is_container(&r, 524288 + 65536));
        ASSERT_FALSE(notify_relay_uid_is_container(&r, 524287));
        ASSERT_FALSE(notify_relay_uid_is_container(&r, 1000));
        ASSERT_TRUE(notify_relay_uid_is_container(&r, UINT32_MAX - 1));
        ASSERT_FALSE(notify_relay_uid_is_container(&r, UINT32_MAX - 10));
}

/* A "container" for the sender tests: a process in a PID namespace of its own
 * (with userns, in a user namespace too that maps our UID to its root), whose
 * PID 1 sends msg on fd when told to and exits at once; its parent reaps it
 * and exits. Returns false when this machine cannot make the namespaces. */
typedef struct Container {
        pid_t helper, inner;
        int go;
} Container;

static bool container_start(Container *c, bool userns, int fd, const char *msg) {
        int to_parent[2], to_child[2];
        char ch;

        ASSERT_OK(pipe2(to_parent, O_CLOEXEC));
        ASSERT_OK(pipe2(to_child, O_CLOEXEC));
        c->helper = fork();
        ASSERT_TRUE(c->helper >= 0);
        if (c->helper == 0) {
                /* Only the parent writes to_child: when it dies, reads end. */
                close(to_parent[0]);
                close(to_child[1]);
                if (unshare(CLONE_NEWPID | (userns ? CLONE_NEWUSER : 0)) < 0)
                        _exit(TEST_SKIP);
                /* The parent writes our uid_map meanwhile. */
                if (write(to_parent[1], "u", 1) != 1 || read(to_child[0], &ch, 1) != 1 || ch != 'm')
                        _exit(TEST_SKIP);
                pid_t inner = fork();
                if (inner < 0)
                        _exit(1);
                if (inner == 0) {
                        if (read(to_child[0], &ch, 1) != 1)
                                _exit(1);
                        _exit(send(fd, msg, strlen(msg), 0) == (ssize_t) strlen(msg) ? 0 : 1);
                }
                int st;
                if (write(to_parent[1], &inner, sizeof inner) != sizeof inner || waitpid(inner, &st, 0) != inner)
                        _exit(1);
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
        }
        close(to_parent[1]);
        close(to_child[0]);
        c->go = to_child[1];
        if (read(to_parent[0], &ch, 1) != 1)
                goto skip;
        if (userns) {
                char path[64], map[64];
                int m;

                snprintf(path, sizeof path, "/proc/%d/uid_map", (int) c->helper);
                snprintf(map, sizeof map, "0 %u 1\n", (unsigned) getuid());
                m = open(path, O_WRONLY|O_CLOEXEC);
                if (m < 0 || write(m, map, strlen(map)) != (ssize_t) strlen(map)) {
                        safe_close(m);
                        goto skip;
                }
                close(m);
        }
        ASSERT_EQ(write(c->go, "m", 1), 1);
        ASSERT_EQ(read(to_parent[0], &c->inner, sizeof c->inner), (ssize_t) sizeof c->inner);
        close(to_parent[0]);
        return true;
skip:
        close(to_parent[0]);
        close(c->go);
        kill(c->helper, SIGKILL);
        waitpid(c->helper, NULL, 0);
        return false;
}

/* Sends, and returns once the sender is gone and reaped. */
static void container_send_and_go(Container *c) {
        int st;

        ASSERT_EQ(write(c->go, "s", 1), 1);
        close(c->go);
        ASSERT_EQ(waitpid(c->helper, &st, 0), c->helper);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* sd_notify from a process that exits at once (busybox nc, systemd-notify
 * --no-block): by the time cell reads, /proc has nothing of the sender. Its
 * datagram still counts when its UID is the container's alone. */
TEST(proxy_takes_gone_sender_of_the_container) {
        int pair[2], up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready };
        Container c;

        ASSERT_OK(event_new(&e));
        for (int userns = 1; userns >= 0; userns--) {
                /* Without a user namespace, only root counts: as root only. */
                if (!userns && getuid() != 0) {
                        test_skip("not root: a sender without a user namespace of its own");
                        break;
                }
                ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
                if (!container_start(&c, userns, pair[1], "READY=1\nSTATUS=up")) {
                        test_skip("cannot create the namespaces here (userns: %d)", userns);
                        close(pair[0]);
                        close(pair[1]);
                        continue;
                }
                n_ready = 0;
                ASSERT_OK(notify_proxy_new(&p, e, pair[0], c.inner, &cb, &n));
                ASSERT_EQ(notify_proxy_relay(n)->n_uid_ranges, (unsigned) userns);
                container_send_and_go(&c);
                ASSERT_TRUE(kill(c.inner, 0) < 0 && errno == ESRCH);

                pump(e);
                expect_upstream(up, "READY=1\nSTATUS=web: up\n");
                ASSERT_EQ(n_ready, 1);
                ASSERT_NULL(notify_proxy_free(n));
                close(pair[1]);
        }
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* A host user who reached the socket (through /proc/PID/root of a container
 * process of its UID) and is gone by the time cell reads: refused all the same. */
TEST(proxy_refuses_gone_host_user) {
        int pair[2], up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready };
        Container c;

        if (getuid() != 0) {
                test_skip("needs root (a sender of another UID)");
                close(up);
                unsetenv("NOTIFY_SOCKET");
                return;
        }
        ASSERT_OK(event_new(&e));
        for (int userns = 0; userns <= 1; userns++) {
                ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
                if (!container_start(&c, userns, pair[1], "READY=1\nSTATUS=from inside")) {
                        test_skip("cannot create the namespaces here (userns: %d)", userns);
                        close(pair[0]);
                        close(pair[1]);
                        continue;
                }
                n_ready = 0;
                ASSERT_OK(notify_proxy_new(&p, e, pair[0], c.inner, &cb, &n));

                /* From the host, as UID 4242: gone when read, not the container's UID. */
                pid_t host = fork();
                ASSERT_TRUE(host >= 0);
                if (host == 0)
                        _exit(setresuid(4242, 4242, 4242) < 0 || send(pair[1], "READY=1\nSTATUS=forged", 21, 0) != 21);
                int st;
                ASSERT_EQ(waitpid(host, &st, 0), host);
                ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                pump(e);
                ASSERT_NULL(test_upstream_read(up, 0));
                ASSERT_EQ(n_ready, 0);

                /* The container itself still gets through. */
                container_send_and_go(&c);
                pump(e);
                expect_upstream(up, "READY=1\nSTATUS=web: from inside\n");
                ASSERT_EQ(n_ready, 1);
                ASSERT_NULL(notify_proxy_free(n));
                close(pair[1]);
        }
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* As run.c does with NotifyReady=yes: the payload's READY=1 went up through
 * the relay; cell adds only its status, when the payload gave none. */
static void on_ready_report(void *userdata) {
        const Plan *p = userdata;
        n_ready++;
        notify_supervisor_ready_relayed(p->name);
}

/* The payload's READY=1 is the service's, once (no second READY=1 of cell's),
 * and its STATUS= is not replaced by cell's own "NAME: running". */
TEST(proxy_payload_status_stands) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "hello", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready_report, .userdata = &p };

        /* READY=1 and STATUS= in one datagram. */
        n_ready = 0;
        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "READY=1\nSTATUS=serving");
        ASSERT_EQ(n_ready, 1);
        expect_upstream(up, "READY=1\nSTATUS=hello: serving\n");
        ASSERT_NULL(test_upstream_read(up, 0));         /* no READY=1 of cell's after it */
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);

        /* STATUS= first, READY=1 alone later: the status still stands. */
        n_ready = 0;
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "STATUS=warming up\n");
        expect_upstream(up, "STATUS=hello: warming up\n");
        payload_says(payload, e, "READY=1\n");
        ASSERT_EQ(n_ready, 1);
        expect_upstream(up, "READY=1\n");
        ASSERT_NULL(test_upstream_read(up, 0));
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);

        /* A payload that says READY=1 only: cell's own status is sent. */
        n_ready = 0;
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "READY=1\n");
        ASSERT_EQ(n_ready, 1);
        expect_upstream(up, "READY=1\n");
        expect_upstream(up, "STATUS=hello: running");
        ASSERT_NULL(test_upstream_read(up, 0));
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);

        /* Once the proxy is gone, cell speaks for itself again. */
        notify_supervisor_ready(p.name);
        expect_upstream(up, "READY=1\nSTATUS=hello: running");

        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

TEST(proxy_new_takes_fd_and_checks_args) {
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web" };
        int pair[2];

        ASSERT_OK(event_new(&e));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        /* A PID that does not exist: refused, and the fd is closed all the same. */
        ASSERT_TRUE(notify_proxy_new(&p, e, pair[0], 0x3fffffff, NULL, &n) < 0);
        ASSERT_NULL(n);
        ASSERT_TRUE(fcntl(pair[0], F_GETFD) < 0 && errno == EBADF);
        close(pair[1]);
        event_unref(e);
}

TEST(supervisor_side) {
        int up = test_upstream_open("cell-test-notify");
        Plan p = { .name = (char *) "web" };

        notify_supervisor_ready(p.name);
        expect_upstream(up, "READY=1\nSTATUS=web: running");
        /* No TimeoutStopSec= (0, infinity): the service's own stands. */
        /* Never STOPPING=1: without a stop job, systemd would stop the scope
         * bound to the service, every process of the container at once. */
        notify_supervisor_stopping(p.name, 0);
        expect_upstream(up, "STATUS=web: stopping");
        notify_supervisor_stopping(p.name, USEC_INFINITY);
        expect_upstream(up, "STATUS=web: stopping");
        /* 90 s: systemd waits no less than that and cell's 10 s after it. */
        notify_supervisor_stopping(p.name, 90 * USEC_PER_SEC);
        expect_upstream(up, "EXTEND_TIMEOUT_USEC=100000000\nSTATUS=web: stopping");
        notify_supervisor_stopping(NULL, 5 * USEC_PER_SEC);
        expect_upstream(up, "EXTEND_TIMEOUT_USEC=15000000");
        close(up);
        unsetenv("NOTIFY_SOCKET");
        notify_supervisor_ready(p.name);    /* no socket: a no-op, no crash */
}

TEST(watchdog_usec) {
        char pid[32];

        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        ASSERT_EQ_U64(notify_watchdog_usec(), 0);

        ASSERT_OK(setenv("WATCHDOG_USEC", "3000000", 1));
        ASSERT_EQ_U64(notify_watchdog_usec(), 3000000);         /* no WATCHDOG_PID: ours */

        snprintf(pid, sizeof pid, "%d", (int) getpid());
        ASSERT_OK(setenv("WATCHDOG_PID", pid, 1));
        ASSERT_EQ_U64(notify_watchdog_usec(), 3000000);

        ASSERT_OK(setenv("WATCHDOG_PID", "1", 1));              /* someone else's */
        ASSERT_EQ_U64(notify_watchdog_usec(), 0);
        ASSERT_OK(setenv("WATCHDOG_PID", "x", 1));              /* not a PID: not ours */
        ASSERT_EQ_U64(notify_watchdog_usec(), 0);
        unsetenv("WATCHDOG_PID");

        /* No watchdog: not a number, negative, anything after it, 0, infinity,
         * out of range (systemd writes both in decimal). */
        static const char * const bad[] = { "", "x", "-5", "5s", "5 ", "0",
                                            "18446744073709551615", "18446744073709551616" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_OK(setenv("WATCHDOG_USEC", bad[i], 1));
                ASSERT_EQ_U64(notify_watchdog_usec(), 0);
        }
        ASSERT_OK(setenv("WATCHDOG_USEC", " 20", 1));           /* leading blanks, as strtoull */
        ASSERT_EQ_U64(notify_watchdog_usec(), 20);
        unsetenv("WATCHDOG_USEC");
}
