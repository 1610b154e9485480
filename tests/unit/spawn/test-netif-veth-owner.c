/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A veth's host side whose name a link on the host has already: waited for
 * (5 s at most) only when it may be this container's own of its last start,
 * its namespace being torn down; another's fails the start at once, saying
 * whose: another machine whose long name shortens to the same 15 bytes (its
 * whole name is the link's alternative name), another machine's
 * VirtualEthernetExtra= of that name (its alias names it; else another MAC
 * address than nspawn's for this machine), an administrator's pair (the
 * peer on the host). Each waited
 * 5 s before it failed. In a network namespace (and, not as root, a user
 * namespace) of a child's own, the "host", with two "containers" in it. */

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "netif.h"
#include "spawn-error.h"
#include "test.h"

static const uint8_t mac_one[6] = { 0x02, 0x11, 0x11, 0x11, 0x11, 0x11 };
static const uint8_t mac_two[6] = { 0x02, 0x22, 0x22, 0x22, 0x22, 0x22 };

/* A child in a network namespace of its own, a container's, until killed. */
static pid_t container_new(void) {
        int fds[2];
        char c = 0;
        pid_t pid;

        ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* Not left behind by a test that fails. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                c = unshare(CLONE_NEWNET) < 0 ? 'n' : 'y';
                (void) !write(fds[1], &c, 1);
                for (;;)
                        pause();
        }
        (void) close(fds[1]);
        ASSERT_EQ(read(fds[0], &c, 1), 1);
        (void) close(fds[0]);
        ASSERT_EQ(c, 'y');
        return pid;
}

static void container_end(pid_t pid) {
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

/* netif_veth_create() of pair into the namespace of pid, which must fail
 * at once (no wait) with EEXIST and a message containing want. */
static void refused_at_once(const NetifVethPair *pair, pid_t pid, const char *want) {
        SpawnError err = {};
        uint64_t start = now_monotonic_usec();

        ASSERT_EQ(netif_veth_create("VirtualEthernet=yes", pair, pid, NULL, &err), -EEXIST);
        ASSERT_TRUE(now_monotonic_usec() - start < 2 * USEC_PER_SEC);
        if (!strstr(err.message, want))
                TEST_FAIL("\"%s\" does not contain \"%s\"", err.message, want);
}

static void owners(void) {
        const char *host = "ve-celltwinAbCd";
        NetifVethPair first = { .host = host, .host_altname = "ve-celltwin-714", .host_mac = mac_one, .peer = "host0" },
                      twin = { .host = host, .host_altname = "ve-celltwin-9707", .host_mac = mac_two, .peer = "host0" },
                      short_named = { .host = host, .peer = "host0" },
                      extra = { .host = "vx-a", .host_alias = "VirtualEthernetExtra= of the machine one",
                                .host_mac = mac_one, .peer = "lan0" },
                      other_extra = { .host = "vx-a", .host_alias = "VirtualEthernetExtra= of the machine two",
                                      .host_mac = mac_two, .peer = "lan0" },
                      no_id = { .host = "vx-a", .host_alias = "VirtualEthernetExtra= of the machine two",
                                .peer = "lan0" },
                      no_alias = { .host = "vx-a", .host_mac = mac_two, .peer = "lan0" },
                      admin = { .host = "adm0", .peer = "adm0p" },
                      web_at = { .host = "ve-web-1", .host_mac = mac_one, .peer = "web0",
                                 .host_alias = "VirtualEthernet= of the cell web@1, the machine web-1" },
                      web_under = { .host = "ve-web-1", .host_mac = mac_one, .peer = "web0",
                                    .host_alias = "VirtualEthernet= of the cell web_1, the machine web-1" };
        SpawnError err = {};
        pid_t one, two, killer;
        uint64_t start;

        if (geteuid() == 0 ? unshare(CLONE_NEWNET) < 0 : unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
                fprintf(stderr, "skipped: no network namespace of our own: %m\n");
                _exit(TEST_SKIP);
        }
        one = container_new();
        two = container_new();

        /* Two machines whose long names shorten alike: the second is told
         * the first one's whole name, its alternative name. */
        ASSERT_OK(netif_veth_create("VirtualEthernet=yes", &first, one, NULL, &err));
        refused_at_once(&twin, two, "VirtualEthernet=yes: an interface ve-celltwinAbCd exists on the host "
                        "already, the veth of ve-celltwin-714 (its whole name, which shortens to it as "
                        "ve-celltwin-9707 does): another container's; one of the two machine names must change");
        refused_at_once(&short_named, two, "the veth of ve-celltwin-714 (its whole name, which shortens to this "
                        "one's whole name): another container's");

        /* Another machine's VirtualEthernetExtra= of that name: named by
         * its alias, also without a machine ID (the kernel's random MAC
         * addresses); by its MAC address when one of them has no alias. */
        ASSERT_OK(netif_veth_create("VirtualEthernetExtra=vx-a:lan0", &extra, one, NULL, &err));
        refused_at_once(&other_extra, two, "VirtualEthernet=yes: an interface vx-a exists on the host already, "
                        "a veth of another container's (\"VirtualEthernetExtra= of the machine one\")");
        refused_at_once(&no_id, two, "a veth of another container's (\"VirtualEthernetExtra= of the machine one\")");
        refused_at_once(&no_alias, two, "a veth with another MAC address than this machine's "
                        "(02:22:22:22:22:22");

        /* Two units whose names make one machine name, so one veth name
         * and one MAC address: the second is told the first, at once. */
        ASSERT_OK(netif_veth_create("VirtualEthernet=yes", &web_at, one, NULL, &err));
        refused_at_once(&web_under, two, "VirtualEthernet=yes: an interface ve-web-1 exists on the host already, a "
                        "veth of another container's (\"VirtualEthernet= of the cell web@1, the machine web-1\"); "
                        "both units' names make the machine name web-1, which names the veth: they cannot run at "
                        "once");

        /* An administrator's pair, both ends on the host. */
        ASSERT_OK(netif_veth_create("test", &admin, getpid(), NULL, &err));
        refused_at_once(&(NetifVethPair) { .host = "adm0", .peer = "host0" }, two,
                        "a veth whose peer adm0p is on the host too, no container's");

        /* This machine's own of a start whose container is going away: waited
         * for, and made once its namespace (and the veth with it) is gone. */
        killer = fork();
        ASSERT_TRUE(killer >= 0);
        if (killer == 0) {
                (void) usleep(300 * 1000);
                (void) kill(one, SIGKILL);
                _exit(0);
        }
        start = now_monotonic_usec();
        ASSERT_OK(netif_veth_create("VirtualEthernetExtra=vx-a:lan0", &extra, two, NULL, &err));
        ASSERT_TRUE(now_monotonic_usec() - start >= 200 * USEC_PER_MSEC);
        ASSERT_EQ(waitpid(killer, NULL, 0), killer);
        (void) waitpid(one, NULL, 0);
        container_end(two);
        _exit(0);
}

TEST(veth_of_another_fails_at_once) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                owners();
        (void) test_child_ran(pid, "no network namespace of our own");
}
