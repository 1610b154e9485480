/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/notify/notify-relay.c: the datagram filter on its own (what of a
 * payload's datagram goes up, and how cell's own is formatted), and whose
 * UIDs are the container's. */

#include <sys/mman.h>
#include <unistd.h>

#include "notify-internal.h"
#include "notify.h"
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
