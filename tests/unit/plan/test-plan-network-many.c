/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Units of thousands of Interface=, MACVLAN=, IPVLAN= and
 * VirtualEthernetExtra= lines: the links and the refusals a unit of a few
 * gets, at the same lines. How long it takes is tests/bench's to measure,
 * never a pass or fail here. */

#include <stdio.h>

#include "plan-internal.h"
#include "plan-test.h"

#define MANY 2000

static FILE *unit_start(char **buf, size_t *size) {
        FILE *f = open_memstream(buf, size);

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n[Network]\nVirtualEthernet=yes\n", f);
        return f;
}

/* unit_load() of text as many.cell, which fails: its messages in d. */
static void load_fails(const char *text, CellConfig *c, Diagnostics *d) {
        char dir[] = "/tmp/test-plan-XXXXXX", *path = NULL;
        FILE *f;

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&path, "%s/many.cell", dir) > 0);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_TRUE(fputs(text, f) >= 0);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_ERROR(unit_load(path, &(UnitLoadOptions) { .search_path = (char *[]) { NULL } }, c, d), EINVAL);
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(rmdir(dir), 0);
        free(path);
}

TEST(links_many_lines) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = unit_start(&buf, &size);
        CellConfig c;
        Plan p = {};

        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Interface=i%u j%u\nMACVLAN=m%u\nIPVLAN=p%u\nVirtualEthernetExtra=h%u:c%u\n",
                        i, i, i, i, i, i);
        ASSERT_EQ(fclose(f), 0);
        config_from_text(&c, "many", buf);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_interfaces, (size_t) 2 * MANY);
        ASSERT_EQ(p.n_macvlans, (size_t) MANY);
        ASSERT_EQ(p.n_ipvlans, (size_t) MANY);
        ASSERT_EQ(p.n_veth_extras, (size_t) MANY);
        for (unsigned i = 0; i < MANY; i++) {
                char want[32];

                snprintf(want, sizeof want, "j%u", i);
                ASSERT_STREQ(p.interfaces[2 * i + 1].name, want);
                snprintf(want, sizeof want, "mv-m%u", i);
                ASSERT_STREQ(p.macvlans[i].name, want);
                snprintf(want, sizeof want, "c%u", i);
                ASSERT_STREQ(p.veth_extras[i].name, want);
        }
        plan_done(&p);
        cell_config_done(&c);
}

/* Every hundredth pair names an interface inside or on the host that
 * another key has, or an earlier pair's: refused at its line, in order. */
TEST(veth_extras_many_refused) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        unsigned line = 6;
        FILE *f = unit_start(&buf, &size);
        const char *want[4 * MANY / 100];
        char texts[4 * MANY / 100][192];
        size_t n = 0;
        Diagnostics d = {};
        CellConfig c;

        for (unsigned i = 0; i < MANY; i++) {
                fprintf(f, "Interface=i%u\n", i), line++;
                fprintf(f, "MACVLAN=m%u\n", i), line++;
        }
        for (unsigned i = 0; i < MANY; i++) {
                line++;
                if (i % 100 == 1) {
                        fprintf(f, "VirtualEthernetExtra=h%u:mv-m%u\n", i, MANY - i);
                        snprintf(texts[n], sizeof texts[n], "many.cell:%u: VirtualEthernetExtra=h%u:mv-m%u: the "
                                 "container would have two interfaces named mv-m%u (MACVLAN=)", line, i, MANY - i,
                                 MANY - i);
                } else if (i % 100 == 2) {
                        fprintf(f, "VirtualEthernetExtra=i%u:c%u\n", MANY - i, i);
                        snprintf(texts[n], sizeof texts[n], "many.cell:%u: VirtualEthernetExtra=i%u:c%u: the host "
                                 "side i%u is also an Interface=", line, MANY - i, i, MANY - i);
                } else if (i % 100 == 3) {
                        fprintf(f, "VirtualEthernetExtra=h%u:c%u\n", i - 3, i);
                        snprintf(texts[n], sizeof texts[n], "many.cell:%u: VirtualEthernetExtra=h%u:c%u: the host "
                                 "side h%u is also another VirtualEthernetExtra='s host side", line, i - 3, i, i - 3);
                } else if (i % 100 == 4) {
                        fprintf(f, "VirtualEthernetExtra=h%u:c%u\n", i, i - 4);
                        snprintf(texts[n], sizeof texts[n], "many.cell:%u: VirtualEthernetExtra=h%u:c%u: the "
                                 "container would have two interfaces named c%u (another VirtualEthernetExtra=)",
                                 line, i, i - 4, i - 4);
                } else {
                        fprintf(f, "VirtualEthernetExtra=h%u:c%u\n", i, i);
                        continue;
                }
                want[n] = texts[n];
                n++;
        }
        ASSERT_EQ(fclose(f), 0);
        config_from_text(&c, "many", buf);
        plan_fails_in_order(&c, want, n, &d);
        diag_done(&d);
        cell_config_done(&c);
}

/* Interface= of a name an earlier line has: refused at its line, and the
 * line adds nothing; the others of thousands of lines are kept. */
TEST(interface_many_named_again) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        unsigned line = 6, bad[MANY / 100];
        FILE *f = unit_start(&buf, &size);
        Diagnostics d = {};
        CellConfig c;
        size_t nb = 0;

        for (unsigned i = 0; i < MANY; i++) {
                line++;
                if (i % 100 == 99) {
                        fprintf(f, "Interface=n%u i%u\n", i, i - 50);
                        bad[nb++] = line;
                } else
                        fprintf(f, "Interface=i%u\n", i);
        }
        ASSERT_EQ(fclose(f), 0);
        load_fails(buf, &c, &d);
        ASSERT_EQ(d.n_errors, nb);
        for (size_t k = 0; k < nb; k++) {
                char want[192];
                unsigned i = 100 * (unsigned) k + 99;

                snprintf(want, sizeof want, "many.cell:%u: Interface=n%u i%u: i%u is named by an earlier line "
                         "already", bad[k], i, i - 50, i - 50);
                ASSERT_CONTAINS(d.messages[k], want);
        }
        ASSERT_EQ(strv_length(c.interfaces), (size_t) MANY - nb);
        ASSERT_FALSE(strv_contains(c.interfaces, "n99"));
        diag_done(&d);
        cell_config_done(&c);
}

/* Thousands of Interface=, MACVLAN= and IPVLAN= lines, looked up in one
 * another through an index: an Interface= that is also a MACVLAN= parent
 * is refused at the Interface= line, a MACVLAN= parent that is also an
 * IPVLAN= one at the later line, each once and in order. */
TEST(links_many_one_parent) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, nb = 0;
        unsigned line = 6;
        FILE *f = unit_start(&buf, &size);
        char want[2 * MANY / 100][224];     /* after "/tmp/test-plan-XXXXXX/" */
        Diagnostics d = {};
        CellConfig c;

        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Interface=i%u\n", i);
        for (unsigned i = 0; i < MANY; i++)
                if (i % 100 == 5) {
                        fprintf(f, "MACVLAN=i%u\n", i);
                        snprintf(want[nb++], sizeof want[0], "/many.cell:%u: Interface=i%u and MACVLAN=i%u exclude "
                                 "each other: the interface is moved into the container", line + 1 + i, i, i);
                } else
                        fprintf(f, "MACVLAN=m%u\n", i);
        line += 2 * MANY;
        for (unsigned i = 0; i < MANY; i++)
                if (i % 100 == 9) {
                        fprintf(f, "IPVLAN=m%u\n", i);
                        snprintf(want[nb++], sizeof want[0], "/many.cell:%u: IPVLAN=m%u and MACVLAN=m%u exclude each "
                                 "other: the host interface is the parent of macvlans or of ipvlans, not both (the "
                                 "kernel refuses the second kind on it)", line + 1 + i, i, i);
                } else
                        fprintf(f, "IPVLAN=p%u\n", i);
        ASSERT_EQ(fclose(f), 0);
        load_fails(buf, &c, &d);
        ASSERT_EQ(d.n_errors, nb);
        for (size_t k = 0; k < nb; k++)
                ASSERT_TRUE(endswith(d.messages[k], want[k]));
        diag_done(&d);
        cell_config_done(&c);
}

/* Thousands of IPv6 Address= lines (none a subnet-router anycast one,
 * which is refused): one given again with its prefix is
 * taken (once more), with another refused at its line, naming the first;
 * after an empty Address= the earlier ones are no more. */
TEST(addresses_many_ipv6) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, nb = 0;
        unsigned line = 6, bad[MANY / 100];
        FILE *f = unit_start(&buf, &size);
        Diagnostics d = {};
        CellConfig c;

        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Address=fd00::1:%x/64\nAddress=10.%u.%u.1/24\n", i, i / 256, i % 256), line += 2;
        fputs("Address=\n", f), line++;
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Address=fd00::1:%x/48\n", i), line++;
        for (unsigned i = 0; i < MANY; i++) {
                line++;
                if (i % 100 == 7) {
                        fprintf(f, "Address=fd00::1:%x/64\n", i);
                        bad[nb++] = line;
                } else
                        fprintf(f, "Address=fd00::1:%x/48\n", i);
        }
        ASSERT_EQ(fclose(f), 0);
        load_fails(buf, &c, &d);
        ASSERT_EQ(d.n_errors, nb);
        for (size_t k = 0; k < nb; k++) {
                char want[192];
                unsigned i = 100 * (unsigned) k + 7;

                snprintf(want, sizeof want, "many.cell:%u: Address=fd00::1:%x/64: fd00::1:%x is an earlier Address= "
                         "already, fd00::1:%x/48:", bad[k], i, i, i);
                ASSERT_CONTAINS(d.messages[k], want);
        }
        ASSERT_EQ(strv_length(c.addresses), (size_t) 2 * MANY - nb);
        diag_done(&d);
        cell_config_done(&c);
}
