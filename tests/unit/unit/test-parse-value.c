/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <signal.h>
#include <string.h>

#include "parse-limits.h"
#include "parse-network.h"
#include "parse-value.h"
#include "signal-util.h"
#include "test.h"

TEST(boolean) {
        const char *yes[] = { "1", "yes", "y", "true", "t", "on", "YES", "On" };
        const char *no[] = { "0", "no", "n", "false", "f", "off", "NO", "Off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                ASSERT_EQ(parse_boolean(yes[i]), 1);
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                ASSERT_EQ(parse_boolean(no[i]), 0);
        ASSERT_ERROR(parse_boolean("2"), EINVAL);
        ASSERT_ERROR(parse_boolean(""), EINVAL);
        ASSERT_ERROR(parse_boolean("yess"), EINVAL);
        ASSERT_ERROR(parse_boolean(NULL), EINVAL);
}

TEST(size_base_1000) {
        uint64_t v = 0;

        /* IOReadBandwidthMax= and the IOPS keys: systemd's parse_size(..., 1000). */
        ASSERT_OK(parse_size_base("5M", 1000, &v));
        ASSERT_EQ_U64(v, 5000000);
        ASSERT_OK(parse_size_base("1.5K", 1000, &v));
        ASSERT_EQ_U64(v, 1500);
        ASSERT_OK(parse_size_base("2G 500M", 1000, &v));
        ASSERT_EQ_U64(v, 2500000000);
        ASSERT_OK(parse_size_base("18E", 1000, &v));
        ASSERT_EQ_U64(v, UINT64_C(18000000000000000000));
        ASSERT_ERROR(parse_size_base("19E", 1000, &v), ERANGE);
        ASSERT_ERROR(parse_size_base("1K 1M", 1000, &v), EINVAL);
        ASSERT_ERROR(parse_size_base("1K", 10, &v), EINVAL);
        ASSERT_OK(parse_size_base("5M", 1024, &v));
        ASSERT_EQ_U64(v, 5 << 20);
        /* A fraction is reckoned in double, as by systemd: 0.23 * 10^6 is
         * 229999.99..., cut to 229999 (IOReadBandwidthMax=/dev/sda 0.23M). */
        ASSERT_OK(parse_size_base("0.23M", 1000, &v));
        ASSERT_EQ_U64(v, 229999);
        ASSERT_OK(parse_size_base("5.007K", 1000, &v));
        ASSERT_EQ_U64(v, 5006);
        ASSERT_OK(parse_size_base("2.5K", 1000, &v));
        ASSERT_EQ_U64(v, 2500);
}

TEST(size) {
        uint64_t v = 0;

        ASSERT_OK(parse_size("512", &v));
        ASSERT_EQ_U64(v, 512);
        ASSERT_OK(parse_size("64K", &v));
        ASSERT_EQ_U64(v, 65536);
        ASSERT_OK(parse_size("1M", &v));
        ASSERT_EQ_U64(v, 1048576);
        ASSERT_OK(parse_size("1.5G", &v));
        ASSERT_EQ_U64(v, 1610612736);
        ASSERT_OK(parse_size("2 T", &v));
        ASSERT_EQ_U64(v, UINT64_C(2) << 40);
        ASSERT_OK(parse_size("1P", &v));
        ASSERT_EQ_U64(v, UINT64_C(1) << 50);
        ASSERT_OK(parse_size("15E", &v));
        ASSERT_EQ_U64(v, UINT64_C(15) << 60);
        ASSERT_OK(parse_size("1G 512M", &v));
        ASSERT_EQ_U64(v, (UINT64_C(3) << 29));
        ASSERT_OK(parse_size("100B", &v));
        ASSERT_EQ_U64(v, 100);
        ASSERT_ERROR(parse_size("16E", &v), ERANGE);
        ASSERT_ERROR(parse_size("12Q", &v), EINVAL);
        ASSERT_ERROR(parse_size("", &v), EINVAL);
        ASSERT_ERROR(parse_size("-1", &v), EINVAL);
        ASSERT_ERROR(parse_size("K", &v), EINVAL);

        /* As systemd's parse_size(): the suffixes of a sum strictly descend
         * and a bare number (factor 1) can only come last. */
        ASSERT_OK(parse_size("1G512M", &v));
        ASSERT_EQ_U64(v, UINT64_C(3) << 29);
        ASSERT_OK(parse_size("1K 5", &v));
        ASSERT_EQ_U64(v, 1029);
        ASSERT_OK(parse_size("1B 2", &v));
        ASSERT_EQ_U64(v, 3);
        ASSERT_OK(parse_size("1T 2G 3M 4K 5B", &v));
        ASSERT_EQ_U64(v, (UINT64_C(1) << 40) + (UINT64_C(2) << 30) + (3 << 20) + (4 << 10) + 5);
        v = 42;
        ASSERT_ERROR(parse_size("1 2", &v), EINVAL);
        ASSERT_ERROR(parse_size("1K 1M", &v), EINVAL);
        ASSERT_ERROR(parse_size("1K 1K", &v), EINVAL);
        ASSERT_ERROR(parse_size("1 2B", &v), EINVAL);
        ASSERT_ERROR(parse_size("1GB", &v), EINVAL);
        ASSERT_ERROR(parse_size("5M ", &v), EINVAL);   /* blanks only before a term */
        ASSERT_EQ_U64(v, 42);                           /* untouched on failure */
        /* A fraction may have no digits; the integer part may not be missing. */
        ASSERT_OK(parse_size("5.G", &v));
        ASSERT_EQ_U64(v, UINT64_C(5) << 30);
        ASSERT_OK(parse_size("10.M", &v));
        ASSERT_EQ_U64(v, UINT64_C(10) << 20);
        ASSERT_OK(parse_size("1.G", &v));
        ASSERT_EQ_U64(v, UINT64_C(1) << 30);
        ASSERT_OK(parse_size("5. G", &v));
        ASSERT_EQ_U64(v, UINT64_C(5) << 30);
        ASSERT_OK(parse_size("5.", &v));
        ASSERT_EQ_U64(v, 5);
        ASSERT_OK(parse_size("0.5K", &v));
        ASSERT_EQ_U64(v, 512);
        ASSERT_ERROR(parse_size(".5G", &v), EINVAL);
        ASSERT_ERROR(parse_size("1.5.5G", &v), EINVAL);
        /* strtoull()'s "+" is taken, a "-" is not. */
        ASSERT_OK(parse_size("+5M", &v));
        ASSERT_EQ_U64(v, UINT64_C(5) << 20);
        ASSERT_ERROR(parse_size("-5M", &v), EINVAL);
        ASSERT_ERROR(parse_size("+-5M", &v), EINVAL);
        ASSERT_ERROR(parse_size("+ 5M", &v), EINVAL);
        /* A fraction counts as one more unit against the range: 15.5E is
         * below 2^64 and still refused, as by systemd. */
        ASSERT_ERROR(parse_size("15.5E", &v), ERANGE);
        ASSERT_OK(parse_size("15.0E", &v));
        ASSERT_EQ_U64(v, UINT64_C(15) << 60);
        ASSERT_OK(parse_size("18446744073709551615", &v));
        ASSERT_EQ_U64(v, UINT64_MAX);
        ASSERT_ERROR(parse_size("18446744073709551616", &v), ERANGE);
        ASSERT_ERROR(parse_size("1.99999999999999999999K", &v), ERANGE);
        ASSERT_OK(parse_size("1.000000000000000000000000000000000000000001K", &v));
        ASSERT_EQ_U64(v, 1024);
        /* Near 2^64 the double's 53 bits show, as in systemd: 0.1 * 2^60 is
         * 115292150460684704 there, 115292150460684697 exactly. */
        ASSERT_OK(parse_size("5.1E", &v));
        ASSERT_EQ_U64(v, UINT64_C(5879899673494919584));
}

TEST(limit) {
        CellLimit l;

        ASSERT_OK(parse_limit("infinity", &l));
        ASSERT_EQ(l.kind, CELL_LIMIT_INFINITY);
        ASSERT_OK(parse_limit("40%", &l));
        ASSERT_EQ(l.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(l.permyriad, 4000);
        ASSERT_OK(parse_limit("512M", &l));
        ASSERT_EQ(l.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ_U64(l.value, UINT64_C(512) << 20);
        ASSERT_ERROR(parse_limit("101%", &l), ERANGE);
        ASSERT_ERROR(parse_limit("12Q", &l), EINVAL);
        ASSERT_ERROR(parse_limit("Infinity", &l), EINVAL);
        /* Percentages in C's notation, sizes decimal, as systemd. */
        ASSERT_OK(parse_limit("010%", &l));
        ASSERT_EQ(l.permyriad, 800);
        ASSERT_OK(parse_limit("010M", &l));
        ASSERT_EQ_U64(l.value, 10 << 20);
        ASSERT_ERROR(parse_limit("0x10M", &l), EINVAL);
}

TEST(timespan) {
        uint64_t t = 0;

        ASSERT_OK(parse_timespan("1min 30s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 90 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("1min30s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 90 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("5m", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 300 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("100ms", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 100 * USEC_PER_MSEC);
        ASSERT_OK(parse_timespan("2h", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 7200 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("90", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 90 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("90", 1, &t));
        ASSERT_EQ_U64(t, 90);
        ASSERT_OK(parse_timespan("1.5s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 1500 * USEC_PER_MSEC);
        ASSERT_OK(parse_timespan("2 days 3 hours", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, (2 * 86400 + 3 * 3600) * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("1w", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 604800 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("1M", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 2629800 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("1y", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 31557600 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("10us", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 10);
        ASSERT_OK(parse_timespan("3 \u00b5s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 3);
        ASSERT_OK(parse_timespan("0", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 0);
        ASSERT_OK(parse_timespan("infinity", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, USEC_INFINITY);
        ASSERT_ERROR(parse_timespan("5x", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("-5s", USEC_PER_SEC, &t), ERANGE);   /* as systemd */
        ASSERT_ERROR(parse_timespan("s", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("99999999999y", USEC_PER_SEC, &t), ERANGE);

        /* What systemd-analyze timespan says, for what cell read otherwise
         * or is worth pinning down. A fraction straight after a fraction is
         * not a second term. */
        t = 42;
        ASSERT_ERROR(parse_timespan("12.34.56", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("1.2.3", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("1.5.s", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("0.5-1", USEC_PER_SEC, &t), EINVAL);
        ASSERT_EQ_U64(t, 42);
        ASSERT_OK(parse_timespan("12.34 .56", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 12900 * USEC_PER_MSEC);
        ASSERT_OK(parse_timespan("12.34s.56", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 12900 * USEC_PER_MSEC);
        ASSERT_OK(parse_timespan("5sec.5", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 5500 * USEC_PER_MSEC);
        /* The fraction needs digits, the integer part does not. */
        ASSERT_ERROR(parse_timespan("5.", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("5.s", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("15min.", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan(".", USEC_PER_SEC, &t), EINVAL);
        ASSERT_OK(parse_timespan(".5s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 500 * USEC_PER_MSEC);
        /* Blanks between a number and its unit, around terms, at the ends. */
        ASSERT_OK(parse_timespan("5 s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 5 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan(" 5s ", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 5 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("1.5 h", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 5400 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan(" infinity ", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, USEC_INFINITY);
        ASSERT_ERROR(parse_timespan("infinity5", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("5 x", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("5s x", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("5mi", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("5 m s", USEC_PER_SEC, &t), EINVAL);
        /* Terms in any order and repeated; a bare number takes the default unit. */
        ASSERT_OK(parse_timespan("1 2", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 3 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("5m30", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 330 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("1m1m", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 120 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("5 sec 5 min", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 305 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("5msec", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 5 * USEC_PER_MSEC);
        ASSERT_OK(parse_timespan("1.5M", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 3944700 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan("5\u03bcs", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 5);
        /* A "+" as strtoll() takes it; any "-" is out of range, "-0" too. */
        ASSERT_OK(parse_timespan("+5s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 5 * USEC_PER_SEC);
        ASSERT_ERROR(parse_timespan("+ 5s", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("-0", USEC_PER_SEC, &t), ERANGE);
        ASSERT_ERROR(parse_timespan("5 -5s", USEC_PER_SEC, &t), ERANGE);
        /* Decimal only; a leading 0 is no octal here. */
        ASSERT_OK(parse_timespan("010", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 10 * USEC_PER_SEC);
        ASSERT_ERROR(parse_timespan("0x10", USEC_PER_SEC, &t), EINVAL);
        ASSERT_ERROR(parse_timespan("1e3", USEC_PER_SEC, &t), EINVAL);
        /* Each fractional digit is worth a tenth of the one before, rounded
         * down on its own: systemd's 54us, where 0.00000099 * 60s is 59.4us. */
        ASSERT_OK(parse_timespan("0.00000099min", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 54);
        ASSERT_OK(parse_timespan("4.99999999999999999999s", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 4999999);
        ASSERT_OK(parse_timespan("0.0000001", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, 0);
        /* The integer part is a long long. */
        ASSERT_OK(parse_timespan("9223372036854775807us", USEC_PER_SEC, &t));
        ASSERT_EQ_U64(t, UINT64_C(9223372036854775807));
        ASSERT_ERROR(parse_timespan("9223372036854775808us", USEC_PER_SEC, &t), ERANGE);
        ASSERT_ERROR(parse_timespan("584542y", USEC_PER_SEC, &t), ERANGE);
}

TEST(signal) {
        int s = 0;

        ASSERT_OK(parse_signal("SIGTERM", &s));
        ASSERT_EQ(s, SIGTERM);
        ASSERT_OK(parse_signal("KILL", &s));
        ASSERT_EQ(s, SIGKILL);
        ASSERT_OK(parse_signal("9", &s));
        ASSERT_EQ(s, 9);
        ASSERT_OK(parse_signal("SIGRTMIN+3", &s));
        ASSERT_EQ(s, SIGRTMIN + 3);
        ASSERT_OK(parse_signal("RTMIN", &s));
        ASSERT_EQ(s, SIGRTMIN);
        ASSERT_OK(parse_signal("SIGRTMAX-1", &s));
        ASSERT_EQ(s, SIGRTMAX - 1);
        ASSERT_ERROR(parse_signal("SIGFOO", &s), EINVAL);
        ASSERT_ERROR(parse_signal("0", &s), ERANGE);
        ASSERT_ERROR(parse_signal("65", &s), ERANGE);
        ASSERT_ERROR(parse_signal("SIGRTMIN+99", &s), ERANGE);
        ASSERT_ERROR(parse_signal("SIGRTMIN-1", &s), EINVAL);
        ASSERT_ERROR(parse_signal("sigterm", &s), EINVAL);

        /* systemd's names, not glibc's: SIGIO, no SIGPOLL. */
        ASSERT_OK(parse_signal("SIGIO", &s));
        ASSERT_EQ(s, SIGIO);
        ASSERT_OK(parse_signal("IO", &s));
        ASSERT_EQ(s, SIGIO);
        ASSERT_OK(parse_signal("SIGSTKFLT", &s));
        ASSERT_EQ(s, SIGSTKFLT);
        s = 42;
        ASSERT_ERROR(parse_signal("SIGPOLL", &s), EINVAL);
        ASSERT_ERROR(parse_signal("POLL", &s), EINVAL);
        ASSERT_ERROR(parse_signal("SIGIOT", &s), EINVAL);
        ASSERT_ERROR(parse_signal("SIGCLD", &s), EINVAL);
        ASSERT_ERROR(parse_signal("SIG9", &s), EINVAL);
        ASSERT_EQ(s, 42);
        /* Numbers as systemd's safe_atoi() reads them: 0x hex, a leading 0
         * octal (so "019" is nothing), blanks before, nothing after. */
        ASSERT_OK(parse_signal("29", &s));
        ASSERT_EQ(s, SIGIO);
        ASSERT_OK(parse_signal("0x1d", &s));
        ASSERT_EQ(s, SIGIO);
        ASSERT_OK(parse_signal("010", &s));
        ASSERT_EQ(s, 8);
        ASSERT_ERROR(parse_signal("019", &s), EINVAL);
        ASSERT_OK(parse_signal(" 9", &s));
        ASSERT_EQ(s, SIGKILL);
        ASSERT_OK(parse_signal("+9", &s));
        ASSERT_EQ(s, SIGKILL);
        ASSERT_ERROR(parse_signal("9 ", &s), EINVAL);
        ASSERT_ERROR(parse_signal("-9", &s), ERANGE);
        ASSERT_OK(parse_signal("64", &s));
        ASSERT_EQ(s, SIGRTMAX);
        /* RTMIN+N and RTMAX-N over the whole real-time range. */
        ASSERT_OK(parse_signal("RTMIN+0", &s));
        ASSERT_EQ(s, SIGRTMIN);
        ASSERT_OK(parse_signal("SIGRTMIN+30", &s));
        ASSERT_EQ(s, SIGRTMAX);
        ASSERT_ERROR(parse_signal("SIGRTMIN+31", &s), ERANGE);
        ASSERT_OK(parse_signal("RTMAX-0", &s));
        ASSERT_EQ(s, SIGRTMAX);
        ASSERT_OK(parse_signal("SIGRTMAX", &s));
        ASSERT_EQ(s, SIGRTMAX);
        ASSERT_OK(parse_signal("SIGRTMAX-30", &s));
        ASSERT_EQ(s, SIGRTMIN);
        ASSERT_ERROR(parse_signal("SIGRTMAX-31", &s), ERANGE);
        ASSERT_ERROR(parse_signal("RTMIN+ 3", &s), EINVAL);
        ASSERT_ERROR(parse_signal("RTMAX+1", &s), EINVAL);
}

TEST(signal_names) {
        ASSERT_STREQ(signal_name(SIGTERM), "TERM");
        ASSERT_STREQ(signal_name(SIGIO), "IO");         /* glibc: POLL */
        ASSERT_STREQ(signal_name(SIGSTKFLT), "STKFLT");
        ASSERT_STREQ(signal_name(SIGSYS), "SYS");
        ASSERT_NULL(signal_name(0));
        ASSERT_NULL(signal_name(-1));
        ASSERT_NULL(signal_name(32));                   /* glibc's own, unnamed */
        ASSERT_NULL(signal_name(SIGRTMIN));
        ASSERT_NULL(signal_name(SIGRTMAX));
        /* Every name reads back as its number. */
        for (int i = 1; i < SIGRTMIN; i++) {
                int s = 0;

                if (!signal_name(i))
                        continue;
                ASSERT_OK(parse_signal(signal_name(i), &s));
                ASSERT_EQ(s, i);
        }
}

TEST(errno_values) {
        int e = 0;

        ASSERT_OK(parse_errno("EPERM", &e));
        ASSERT_EQ(e, EPERM);
        ASSERT_OK(parse_errno("ENOSYS", &e));
        ASSERT_EQ(e, ENOSYS);
        ASSERT_OK(parse_errno("13", &e));
        ASSERT_EQ(e, 13);
        ASSERT_ERROR(parse_errno("0", &e), ERANGE);
        ASSERT_ERROR(parse_errno("4096", &e), ERANGE);
        ASSERT_ERROR(parse_errno("EFOO", &e), EINVAL);
        ASSERT_OK(parse_errno("0x0d", &e));
        ASSERT_EQ(e, EACCES);
        ASSERT_OK(parse_errno("010", &e));
        ASSERT_EQ(e, 8);
        ASSERT_ERROR(parse_errno("09", &e), EINVAL);
        ASSERT_ERROR(parse_errno("-1", &e), ERANGE);
        ASSERT_STREQ(errno_name(EACCES), "EACCES");
        /* Second names of a number, as systemd takes them. */
        ASSERT_OK(parse_errno("ENOTSUP", &e));
        ASSERT_EQ(e, EOPNOTSUPP);
        ASSERT_OK(parse_errno("EWOULDBLOCK", &e));
        ASSERT_EQ(e, EAGAIN);
        ASSERT_OK(parse_errno("EDEADLOCK", &e));
        ASSERT_EQ(e, EDEADLK);
        /* Names in any case, as systemd's errno_from_name() takes them. */
        ASSERT_OK(parse_errno("eperm", &e));
        ASSERT_EQ(e, EPERM);
        ASSERT_OK(parse_errno("eNoSys", &e));
        ASSERT_EQ(e, ENOSYS);
        ASSERT_OK(parse_errno("ewouldblock", &e));
        ASSERT_EQ(e, EAGAIN);
        ASSERT_ERROR(parse_errno("efoo", &e), EINVAL);
}

TEST(modes) {
        mode_t m = 0;

        ASSERT_OK(parse_umask("0022", &m));
        ASSERT_EQ(m, 022);
        ASSERT_OK(parse_umask("77", &m));
        ASSERT_EQ(m, 077);
        ASSERT_ERROR(parse_umask("0800", &m), EINVAL);
        /* UMask= takes what systemd's does: any mode up to 07777. */
        ASSERT_OK(parse_umask("1777", &m));
        ASSERT_EQ(m, 01777);
        ASSERT_OK(parse_umask("7777", &m));
        ASSERT_EQ(m, 07777);
        ASSERT_OK(parse_umask("0000", &m));
        ASSERT_EQ(m, 0);
        ASSERT_OK(parse_umask(" 027", &m));
        ASSERT_EQ(m, 027);
        ASSERT_ERROR(parse_umask("17777", &m), ERANGE);
        ASSERT_ERROR(parse_umask("+022", &m), EINVAL);
        ASSERT_ERROR(parse_umask("0o22", &m), EINVAL);
        ASSERT_ERROR(parse_umask("", &m), EINVAL);
        ASSERT_OK(parse_mode("1777", &m));
        ASSERT_EQ(m, 01777);
        ASSERT_ERROR(parse_mode("", &m), EINVAL);
}

TEST(cpu_set) {
        uint8_t *b = NULL;
        size_t n = 0;

        ASSERT_OK(parse_cpu_set("0-3,5", &b, &n));
        ASSERT_EQ(n, 1);
        ASSERT_EQ(b[0], 0x2f);
        free(b);
        ASSERT_OK(parse_cpu_set("1 9, 16-17", &b, &n));
        ASSERT_EQ(n, 3);
        ASSERT_EQ(b[0], 0x02);
        ASSERT_EQ(b[1], 0x02);
        ASSERT_EQ(b[2], 0x03);
        free(b);
        b = NULL;
        ASSERT_ERROR(parse_cpu_set("3-1", &b, &n), EINVAL);
        ASSERT_ERROR(parse_cpu_set("a", &b, &n), EINVAL);
        ASSERT_ERROR(parse_cpu_set("1-", &b, &n), EINVAL);
        ASSERT_ERROR(parse_cpu_set("8192", &b, &n), ERANGE);
        ASSERT_NULL(b);
        /* Each bound as parse_range()'s safe_atou(): "010" is CPU 8, "08" no CPU. */
        ASSERT_OK(parse_cpu_set("010 0x10-0x11", &b, &n));
        ASSERT_TRUE(n == 3 && b[0] == 0 && b[1] == 0x01 && b[2] == 0x03);
        b = mfree(b);
        ASSERT_ERROR(parse_cpu_set("08", &b, &n), EINVAL);
        ASSERT_ERROR(parse_cpu_set("1--3", &b, &n), ERANGE);
        ASSERT_NULL(b);

        /* Quotes as systemd's: removed, and what they hold is one word. */
        ASSERT_OK(parse_cpu_set("\"0-1\" '3'", &b, &n));
        ASSERT_EQ(n, 1);
        ASSERT_EQ(b[0], 0x0b);
        free(b);
        b = NULL;
        ASSERT_ERROR(parse_cpu_set("\"0 1\"", &b, &n), EINVAL);
        ASSERT_ERROR(parse_cpu_set("\"0", &b, &n), EINVAL);
        ASSERT_NULL(b);

        /* No CPU at all: the empty set (systemd's keys reset on it). */
        n = 7;
        ASSERT_OK(parse_cpu_set("", &b, &n));
        ASSERT_NULL(b);
        ASSERT_EQ(n, 0);
        n = 7;
        ASSERT_OK(parse_cpu_set(" , ,", &b, &n));
        ASSERT_NULL(b);
        ASSERT_EQ(n, 0);
}

/* The keys' own parsers, in the notation of systemd's for each. */
TEST(key_numbers) {
        _cleanup_free_ char *a = NULL;
        CellRlimit rl;
        CellPort p;
        uint64_t v;
        char *path;

        ASSERT_OK(parse_rlimit(RLIMIT_NOFILE, "010:0x20", &rl));        /* safe_atou64() */
        ASSERT_TRUE(rl.soft == 8 && rl.hard == 32);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "08", &rl), EINVAL);
        ASSERT_OK(parse_rlimit(RLIMIT_STACK, "010M", &rl));             /* parse_size(): decimal */
        ASSERT_EQ_U64(rl.soft, 10 << 20);
        ASSERT_OK(parse_rlimit(RLIMIT_NICE, "+010:-0x14", &rl));        /* nice 8 and -20 */
        ASSERT_TRUE(rl.soft == 12 && rl.hard == 40);
        ASSERT_OK(parse_rlimit(RLIMIT_NICE, "050", &rl));
        ASSERT_EQ_U64(rl.soft, 40);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NICE, "+20", &rl), ERANGE);

        ASSERT_OK(parse_port("tcp:0x50:010", &p));                      /* safe_atou16() */
        ASSERT_TRUE(p.host_port == 80 && p.container_port == 8);
        ASSERT_OK(parse_port("0b1111111111111111", &p));
        ASSERT_EQ(p.host_port, 65535);
        ASSERT_ERROR(parse_port("080", &p), EINVAL);
        ASSERT_ERROR(parse_port("80: 90", &p), EINVAL);                 /* no blanks before it */

        ASSERT_OK(parse_address_prefix("10.0.0.2/010", &a, NULL));            /* safe_atou8() */
        ASSERT_STREQ(a, "10.0.0.2/8");
        ASSERT_ERROR(parse_address_prefix("10.0.0.2/08", &a, NULL), EINVAL);

        ASSERT_OK(parse_io_device(CELL_IO_DEVICE_WEIGHT, "/dev/sda 0x10", &path, &v));
        ASSERT_EQ_U64(v, 16);
        free(path);
        ASSERT_OK(parse_io_device(CELL_IO_READ_BPS, "/dev/sda 010K", &path, &v));
        ASSERT_EQ_U64(v, 10000);
        free(path);
        /* 2^64-1 is systemd's infinity (CGROUP_LIMIT_MAX): a limit of 5M
         * before it is lifted, as "infinity" would. One more is out of range. */
        for (CellIOKind k = CELL_IO_READ_BPS; k <= CELL_IO_WRITE_IOPS; k++) {
                ASSERT_OK(parse_io_device(k, "/dev/sda 18446744073709551615", &path, &v));
                ASSERT_EQ_U64(v, UINT64_MAX);
                free(path);
                ASSERT_ERROR(parse_io_device(k, "/dev/sda 18446744073709551616", &path, &v), ERANGE);
                ASSERT_ERROR(parse_io_device(k, "/dev/sda 0", &path, &v), ERANGE);
        }
}

TEST(cpu_set_extend) {
        uint8_t *set = NULL;
        size_t n = 0;

        ASSERT_OK(parse_cpu_set_extend("1", &set, &n));
        ASSERT_OK(parse_cpu_set_extend("9 0", &set, &n));
        ASSERT_EQ(n, 2);
        ASSERT_EQ(set[0], 0x03);
        ASSERT_EQ(set[1], 0x02);
        /* A bad value leaves the set as it was. */
        ASSERT_ERROR(parse_cpu_set_extend("2-1", &set, &n), EINVAL);
        ASSERT_EQ(n, 2);
        ASSERT_EQ(set[0], 0x03);
        ASSERT_OK(parse_cpu_set_extend(",", &set, &n));
        ASSERT_NULL(set);
        ASSERT_EQ(n, 0);
        ASSERT_OK(parse_cpu_set_extend("4", &set, &n));
        ASSERT_EQ(n, 1);
        ASSERT_EQ(set[0], 0x10);
        free(set);
}

TEST(path) {
        char *p = NULL;

        ASSERT_OK(parse_path_absolute("/srv//web/./root/", &p));
        ASSERT_STREQ(p, "/srv/web/root");
        free(p);
        ASSERT_OK(parse_path_absolute("//", &p));
        ASSERT_STREQ(p, "/");
        free(p);
        ASSERT_ERROR(parse_path_absolute("/srv/../etc", &p), EINVAL);
        ASSERT_ERROR(parse_path_absolute("srv", &p), EINVAL);
        ASSERT_ERROR(parse_path_absolute("", &p), EINVAL);
        ASSERT_ERROR(parse_path_absolute("/a\nb", &p), EINVAL);
}

TEST(names) {
        ASSERT_TRUE(unit_name_is_valid("network-online.target"));
        ASSERT_TRUE(unit_name_is_valid("cell@web.service"));
        ASSERT_TRUE(unit_name_is_valid("getty@tty1@x.service"));
        ASSERT_FALSE(unit_name_is_valid("network"));
        ASSERT_FALSE(unit_name_is_valid("foo.bar"));
        ASSERT_FALSE(unit_name_is_valid("@x.service"));
        ASSERT_FALSE(unit_name_is_valid("a b.service"));
        ASSERT_TRUE(env_name_is_valid("PATH"));
        ASSERT_TRUE(env_name_is_valid("_x1"));
        ASSERT_FALSE(env_name_is_valid("1X"));
        ASSERT_FALSE(env_name_is_valid("A-B"));
        ASSERT_TRUE(user_group_name_is_valid("www-data"));
        ASSERT_TRUE(user_group_name_is_valid("1000"));
        ASSERT_FALSE(user_group_name_is_valid("4294967295"));
        ASSERT_FALSE(user_group_name_is_valid("65535"));
        ASSERT_FALSE(user_group_name_is_valid("a:b"));
        ASSERT_FALSE(user_group_name_is_valid("-x"));
        ASSERT_TRUE(hostname_is_valid("web-1.example"));
        ASSERT_FALSE(hostname_is_valid("web@1"));
        ASSERT_FALSE(hostname_is_valid("a..b"));
        ASSERT_FALSE(hostname_is_valid("."));
        ASSERT_TRUE(ifname_is_valid("br0"));
        ASSERT_FALSE(ifname_is_valid("a-very-long-name0"));
        ASSERT_FALSE(ifname_is_valid("a/b"));
        /* systemd's ifname_valid(): ASCII only, no sysctl directory, no ifindex. */
        ASSERT_FALSE(ifname_is_valid("w\xc3\xa0"));
        ASSERT_FALSE(ifname_is_valid("all"));
        ASSERT_FALSE(ifname_is_valid("default"));
        ASSERT_FALSE(ifname_is_valid("123"));
        ASSERT_TRUE(ifname_is_valid("eth0"));
        ASSERT_TRUE(ifname_is_valid("all0"));
        ASSERT_TRUE(ifname_is_valid("1a"));
        /* An ifindex as systemd's parse_ifindex() reads one (safe_atoi()) is
         * no name, in any notation: nspawn refuses Interface=0x10. */
        ASSERT_FALSE(ifname_is_valid("0x10"));
        ASSERT_FALSE(ifname_is_valid("+5"));
        ASSERT_FALSE(ifname_is_valid("0b11"));
        ASSERT_FALSE(ifname_is_valid("0o7"));
        ASSERT_TRUE(ifname_is_valid("-5"));             /* no ifindex: a name */
        ASSERT_TRUE(ifname_is_valid("0x"));
        ASSERT_TRUE(ifname_is_valid("0x7fffffffff"));   /* beyond an int: a name */
}

TEST(distance) {
        ASSERT_EQ(string_distance("MemroyMax", "MemoryMax"), 2);
        ASSERT_EQ(string_distance("Exec", "Exec"), 0);
        ASSERT_EQ(string_distance("", "abc"), 3);
        ASSERT_EQ(string_distance("kitten", "sitting"), 3);
}
