/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The start's messages about the network keys: "FILE:LINE: " of the line
 * that wrote what the host lacks or refuses (a bridge, an interface to move
 * in or to put a macvlan on, a veth pair), as for every other key the start
 * may refuse; for a list, the line of that very item. */

#include <errno.h>
#include <limits.h>

#include "../plan/plan-test.h"
#include "spawn-error.h"
#include "spawn-net.h"

#define UNIT "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Network]\n" \
        "Bridge=br0\n"                          /* 6 */ \
        "Interface=eth1\n"                      /* 7 */ \
        "Interface=eth2 eth3\n"                 /* 8 */ \
        "MACVLAN=m0\n"                          /* 9 */ \
        "VirtualEthernetExtra=vx-a\n"           /* 10 */ \
        "VirtualEthernetExtra=vx-b:lan1\n"      /* 11 */
#define DROPIN "[Network]\nMACVLAN=m1\nIPVLAN=i0\n"

/* A prefix with the temporary directory cut off. */
static const char *short_origin(const char *s) {
        const char *slash = strstr(s, "/web.cell");
        return slash ? slash + 1 : s;
}

static const char *prefix(const Plan *p, const char *message, char *buf, size_t n) {
        return short_origin(plan_message_origin(p, message, buf, n));
}

/* spawn_net_item_origin() on a message as the netif step wrote it. */
static const char *item(const Plan *p, const char *key, size_t i, const char *message, SpawnError *err) {
        ASSERT_EQ(spawn_error(err, ENODEV, "%s", message), -ENODEV);
        ASSERT_EQ(spawn_net_item_origin(p, key, i, err), -ENODEV);
        return short_origin(err->message);
}

TEST(network_keys_name_their_line) {
        CellConfig c;
        Plan p = {};
        SpawnError err = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", UNIT, DROPIN);
        plan_ok(&c, NULL, &p);

        /* A key of one value: the supervisor's report names its line. */
        ASSERT_STREQ(prefix(&p, "Bridge=br0: no such interface on the host", buf, sizeof buf), "web.cell:6: ");

        /* A list's item: its own line, a drop-in's too. */
        ASSERT_STREQ(item(&p, "Interface", 0, "Interface=eth1: no such interface on the host", &err),
                     "web.cell:7: Interface=eth1: no such interface on the host");
        ASSERT_STREQ(item(&p, "Interface", 2, "Interface=eth3: no such interface on the host", &err),
                     "web.cell:8: Interface=eth3: no such interface on the host");
        /* ... which the report does not name again. */
        ASSERT_STREQ(plan_message_origin(&p, err.message, buf, sizeof buf), "");
        ASSERT_STREQ(item(&p, "MACVLAN", 0, "MACVLAN=m0: creating the macvlan", &err),
                     "web.cell:9: MACVLAN=m0: creating the macvlan");
        ASSERT_STREQ(item(&p, "MACVLAN", 1, "MACVLAN=m1: creating the macvlan", &err),
                     "web.cell.d/x.conf:2: MACVLAN=m1: creating the macvlan");
        ASSERT_STREQ(item(&p, "IPVLAN", 0, "IPVLAN=i0: this kernel has no ipvlan support", &err),
                     "web.cell.d/x.conf:3: IPVLAN=i0: this kernel has no ipvlan support");
        ASSERT_STREQ(item(&p, "VirtualEthernetExtra", 0, "VirtualEthernetExtra=vx-a:vx-a: an interface vx-a "
                          "exists on the host already", &err),
                     "web.cell:10: VirtualEthernetExtra=vx-a:vx-a: an interface vx-a exists on the host already");
        ASSERT_STREQ(item(&p, "VirtualEthernetExtra", 1, "VirtualEthernetExtra=vx-b:lan1: creating the veth pair",
                          &err),
                     "web.cell:11: VirtualEthernetExtra=vx-b:lan1: creating the veth pair");

        /* A message about something else is left as it is. */
        ASSERT_STREQ(item(&p, "Interface", 0, "network: opening rtnetlink", &err), "network: opening rtnetlink");
        ASSERT_STREQ(item(&p, "Interface", 0, "InterfaceX=1: no", &err), "InterfaceX=1: no");
        /* One that does not fit with it loses its end, not its origin. */
        char longer[sizeof err.message + 16];
        memset(longer, 'x', sizeof longer - 1);
        longer[sizeof longer - 1] = 0;
        memcpy(longer, "Interface=eth1: ", strlen("Interface=eth1: "));
        ASSERT_EQ(spawn_error(&err, ENODEV, "%s", longer), -ENODEV);
        ASSERT_EQ(spawn_net_item_origin(&p, "Interface", 0, &err), -ENODEV);
        ASSERT_EQ(strlen(err.message), sizeof err.message - 1);
        ASSERT_TRUE(strstr(err.message, "/web.cell:7: Interface=eth1: xxx") != NULL);

        plan_done(&p);
        cell_config_done(&c);
}

TEST(zone_and_veth_name_their_line) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_text(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Network]\n"
                         "VirtualEthernet=yes\nZone=qa\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(prefix(&p, "Zone=qa: creating the bridge vz-qa", buf, sizeof buf), "web.cell:7: ");
        ASSERT_STREQ(prefix(&p, "VirtualEthernet=yes: an interface vb-web exists on the host already", buf,
                            sizeof buf), "web.cell:6: ");
        plan_done(&p);
        cell_config_done(&c);
}
