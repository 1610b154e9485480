/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child's side of the network (spawn_network_configure()), in a network
 * namespace of a child of the test's own (and a user namespace of its own
 * when the test is not root): a link it cannot bring up names the line of
 * the key that gave it (VirtualEthernet=, Bridge=, Zone=, MACVLAN=, ...),
 * as the host's side does; the links before it are configured. */

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../plan/plan-test.h"
#include "child-test.h"
#include "netif.h"
#include "spawn-error.h"
#include "spawn-net.h"

#define UNIT_HEAD "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Network]\n"

static CellConfig config;
static Plan plan;

/* The message with the temporary directory cut off. */
static const char *short_message(const SpawnError *err) {
        const char *slash = strstr(err->message, "/web.cell");
        return slash ? slash + 1 : err->message;
}

/* A network namespace of this process's own: 0, or TEST_SKIP when the kernel
 * (or a sandbox) gives none to this user. */
static int own_netns(void) {
        if (geteuid() == 0 ? unshare(CLONE_NEWNET) < 0 : unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
                fprintf(stderr, "skipped: no network namespace of our own: %m\n");
                return TEST_SKIP;
        }
        return 0;
}

/* The child's part before spawn_network_configure(): the namespaces it
 * enters and the links it makes there. 0, or the status to exit with
 * (TEST_SKIP: the kernel, or a sandbox, gives no such namespace). */
typedef int (*NetnsEnter)(const void *data, SpawnError *shared);

/* Runs spawn_network_configure() for unit (with dropin) in a child that
 * enter(data) put in namespaces of its own; its message into *ret and, with
 * origin, the origin cell run puts before it (plan_message_origin()). The
 * child's exit status: TEST_SKIP when enter had no namespace (the test skips). */
static int configure_in_child(const char *unit, const char *dropin, NetnsEnter enter, const void *data,
                              SpawnError *ret, char *origin, size_t n) {
        SpawnError *shared;
        pid_t pid;
        int status;

        config_from_files(&config, "web", unit, dropin);
        plan_ok(&config, NULL, &plan);
        shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        ASSERT_TRUE(shared != MAP_FAILED);
        memset(shared, 0, sizeof *shared);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int r = enter(data, shared);

                if (r != 0)
                        _exit(r);
                (void) spawn_network_configure(&plan, shared);
                _exit(0);
        }
        status = test_child_ran(pid, "no namespace of the child's own") ? 0 : TEST_SKIP;
        *ret = *shared;
        if (origin)
                plan_message_origin(&plan, ret->message, origin, n);
        ASSERT_EQ(munmap(shared, sizeof *shared), 0);
        plan_done(&plan);
        cell_config_done(&config);
        plan = (Plan) {};
        return status;
}

/* A network namespace of this process's own (own_netns()), in which the
 * links named by data (veth pairs, "NAME:PEER", NULL-terminated) exist. */
static int enter_netns_with_links(const void *data, SpawnError *shared) {
        const char * const *make = data;
        int r = own_netns();

        if (r != 0)
                return r;
        for (size_t i = 0; make && make[i]; i++) {
                char name[IFNAMSIZ], peer[IFNAMSIZ];
                const char *colon = strchr(make[i], ':');

                (void) snprintf(name, sizeof name, "%.*s", (int) (colon - make[i]), make[i]);
                (void) snprintf(peer, sizeof peer, "%s", colon + 1);
                ASSERT_OK(netif_veth_create("test", &(NetifVethPair) { .host = name, .peer = peer },
                                            getpid(), NULL, shared));
        }
        return 0;
}

/* Runs spawn_network_configure() for unit (with dropin) in a network
 * namespace in which the links named by make (veth pairs, "NAME:PEER")
 * exist; its message into *ret. TEST_SKIP: no namespace to be had. */
static int configure_in_netns(const char *unit, const char *dropin, const char * const *make, SpawnError *ret) {
        return configure_in_child(unit, dropin, enter_netns_with_links, make, ret, NULL, 0);
}

TEST(link_keys_name_their_line) {
        SpawnError err;

        if (configure_in_netns(UNIT_HEAD "VirtualEthernet=yes\n", NULL, NULL, &err) == TEST_SKIP)
                return;
        ASSERT_EQ(err.error, ENODEV);
        ASSERT_STREQ(short_message(&err), "web.cell:6: VirtualEthernet=yes: no host0 in the container");

        ASSERT_EQ(configure_in_netns(UNIT_HEAD "Address=10.0.0.2/24\nBridge=br0\n", NULL, NULL, &err), 0);
        ASSERT_STREQ(short_message(&err), "web.cell:7: Bridge=br0: no host0 in the container");
        ASSERT_EQ(configure_in_netns(UNIT_HEAD "Zone=qa\n", NULL, NULL, &err), 0);
        ASSERT_STREQ(short_message(&err), "web.cell:6: Zone=qa: no host0 in the container");

        /* A list's item: its own line, a drop-in's too, after the links
         * before it came up with Address= and Gateway= on the first. */
        ASSERT_EQ(configure_in_netns(UNIT_HEAD "MACVLAN=m0\nAddress=10.0.0.2/24\nGateway=10.0.0.1\n",
                                     "[Network]\nMACVLAN=m1\n", (const char * const[]) { "mv-m0:p0", NULL }, &err),
                  0);
        ASSERT_STREQ(short_message(&err), "web.cell.d/x.conf:2: MACVLAN=m1: no mv-m1 in the container");
        ASSERT_EQ(configure_in_netns(UNIT_HEAD "Interface=eth7 eth8\nIPVLAN=i0\n", NULL,
                                     (const char * const[]) { "eth7:p0", NULL }, &err), 0);
        ASSERT_STREQ(short_message(&err), "web.cell:6: Interface=eth8: no eth8 in the container");
        ASSERT_EQ(configure_in_netns(UNIT_HEAD "IPVLAN=i0\nVirtualEthernetExtra=vx-a:lan0\n"
                                     "VirtualEthernetExtra=vx-b:lan1\n", NULL,
                                     (const char * const[]) { "iv-i0:p0", "lan0:p1", NULL }, &err), 0);
        ASSERT_STREQ(short_message(&err), "web.cell:8: VirtualEthernetExtra=vx-b:lan1: no lan1 in the container");

        /* All there: no message. */
        ASSERT_EQ(configure_in_netns(UNIT_HEAD "MACVLAN=m0\nAddress=10.0.0.2/24\nAddress=fd00::2/64\n"
                                     "Gateway=10.0.0.1\nGateway=fd00::1\nGateway=fe80::1\n", NULL,
                                     (const char * const[]) { "mv-m0:p0", NULL }, &err), 0);
        ASSERT_EQ(err.error, 0);
        ASSERT_STREQ(err.message, "");
}

/* A user namespace of this process's own, but the test's network namespace. */
static int enter_userns(const void *data, SpawnError *shared) {
        (void) data;
        (void) shared;
        if (unshare(CLONE_NEWUSER) < 0) {
                fprintf(stderr, "skipped: no user namespace of our own: %m\n");
                return TEST_SKIP;
        }
        return 0;
}

/* Runs spawn_network_configure() for unit in a user namespace of its own but
 * the test's network namespace, whose links it may not change (EPERM): the
 * container's loopback comes first. Its message into *ret, and the origin
 * cell run puts before it (plan_message_origin()) into origin. TEST_SKIP: no user
 * namespace to be had. */
static int configure_without_net_admin(const char *unit, SpawnError *ret, char *origin, size_t n) {
        return configure_in_child(unit, NULL, enter_userns, NULL, ret, origin, n);
}

/* The loopback, which no key names: its message says which link and step,
 * and the key that gave the namespace, PrivateNetwork= (at its line where
 * the unit sets it, as cell run prints it). It said "network: bringing lo
 * up". */
TEST(loopback_names_private_network) {
        char origin[PATH_MAX + 32];
        SpawnError err;

        if (configure_without_net_admin(UNIT_HEAD, &err, origin, sizeof origin) == TEST_SKIP)
                return;
        ASSERT_EQ(err.error, EPERM);
        ASSERT_STREQ(err.message, "PrivateNetwork=yes (the default): bringing the container's loopback (lo) up");
        ASSERT_STREQ(origin, "");

        ASSERT_EQ(configure_without_net_admin("[Root]\nDirectory=/srv/r\n[Isolation]\nPrivateNetwork=yes\n"
                                              "[Exec]\nExec=/bin/true\n", &err, origin, sizeof origin), 0);
        ASSERT_EQ(err.error, EPERM);
        ASSERT_STREQ(err.message, "PrivateNetwork=yes: bringing the container's loopback (lo) up");
        ASSERT_TRUE(endswith(origin, "/web.cell:4: "));
}
