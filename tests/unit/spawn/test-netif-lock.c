/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MACVLAN=: a macvlan's address is held on its parent by one running cell
 * (netif-lock.h). A unit whose name makes the same machine name (so the
 * same address) is refused at once, naming its MACVLAN= line, the parent,
 * the holder and the machine name; another machine, or the address after
 * the holder let go, is not; a unit without MACVLAN= takes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netif-lock.h"
#include "netif.h"
#include "lock-dir-test.h"
#include "test.h"

static char dir[40];

/* NAME's plan (machine MACHINE) with MACVLAN=lo on line 7 of
 * /etc/cell/NAME.cell: lo, which every network namespace has, as the
 * parent (the unit's check refuses it; the lock does not look). */
static Plan plan_of(const char *name, const char *machine, PlanLink *link, CellOrigin *origin) {
        *link = (PlanLink) { .host = (char *) "lo", .name = (char *) "mv-lo" };
        *origin = (CellOrigin) { .key = "MACVLAN", .file = (char *) "/etc/cell/b.cell", .line = 7, .items = 1,
                                 .lines = 1 };
        return (Plan) { .name = (char *) name, .network_machine_name = (char *) machine, .macvlans = link,
                        .n_macvlans = 1, .origins = origin, .n_origins = 1 };
}

static bool have_machine_id(void) {
        uint8_t id[16];

        if (netif_machine_id(id) >= 0)
                return true;
        test_skip("no machine ID: random macvlan addresses, nothing to lock");
        return false;
}

TEST(a_unit_of_the_same_machine_name_is_refused) {
        PlanLink ka, kb, kc;
        CellOrigin oa, ob, oc;
        Plan a = plan_of("web@1", "web-1", &ka, &oa), b = plan_of("web_1", "web-1", &kb, &ob),
             c = plan_of("web@2", "web-2", &kc, &oc);
        SharedLocks la = SHARED_LOCKS_NULL, lb = SHARED_LOCKS_NULL, lc = SHARED_LOCKS_NULL;
        SpawnError err = {};

        if (!have_machine_id())
                return;
        lock_dir_test_make(dir, sizeof dir, "test-netif-lock");
        ASSERT_OK(netif_macvlan_locks_acquire(&a, dir, &la, NULL));
        ASSERT_EQ(la.n, (size_t) 1);
        ASSERT_TRUE(la.locks[0].held);
        ASSERT_EQ(lock_dir_test_files(dir), (size_t) 1);

        ASSERT_ERROR(netif_macvlan_locks_acquire(&b, dir, &lb, &err), EADDRINUSE);
        ASSERT_EQ(lb.n, (size_t) 0);
        ASSERT_CONTAINS(err.message, "/etc/cell/b.cell:7: MACVLAN=lo: the cell web@1 has a macvlan on lo with "
                        "this machine's MAC address ");
        ASSERT_CONTAINS(err.message, "; both units' names make the machine name web-1, which the MAC address is "
                        "made from: they cannot run at once");
        ASSERT_EQ(lock_dir_test_files(dir), (size_t) 1);

        /* Another machine name: another address, beside it. */
        ASSERT_OK(netif_macvlan_locks_acquire(&c, dir, &lc, NULL));
        ASSERT_EQ(lc.n, (size_t) 1);
        ASSERT_EQ(lock_dir_test_files(dir), (size_t) 2);

        /* Let go: the other unit of the machine name takes it. */
        shared_locks_done(&la);
        ASSERT_OK(netif_macvlan_locks_acquire(&b, dir, &lb, NULL));
        ASSERT_EQ(lb.n, (size_t) 1);
        shared_locks_done(&lb);
        shared_locks_done(&lc);
        lock_dir_test_remove(dir);
}

TEST(a_unit_without_macvlan_takes_nothing) {
        PlanLink k;
        CellOrigin o;
        Plan p = plan_of("web@1", "web-1", &k, &o);
        SharedLocks l = SHARED_LOCKS_NULL;
        struct stat st;

        p.n_macvlans = 0;
        ASSERT_OK(netif_macvlan_locks_acquire(&p, "/tmp/test-netif-lock-none", &l, NULL));
        ASSERT_EQ(l.n, (size_t) 0);
        ASSERT_TRUE(stat("/tmp/test-netif-lock-none", &st) < 0);
}
