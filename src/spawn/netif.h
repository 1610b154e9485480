/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Network interfaces of the container's private network namespace, over
 * rtnetlink with libmnl (no ip(8): nothing from the host runs inside). */

#include "spawn-error.h"

/* Sets IFF_UP on the interface named ifname in the current network namespace. */
int netif_set_up(const char *ifname, SpawnError *err);
