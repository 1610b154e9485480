/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a killed run noted in its name's lock file for src/spawn
 * (SpawnParams.note) besides its /run/host: taken back where src/scope
 * takes back the rest of its notes (cgroup_leftover_take_back(): the name's
 * next start, "cell stop NAME"), through the hook set here, since src/scope
 * calls into no later stage. Zone=: the zone's bridge, removed if it is
 * cell's and no port is on it (netif_zone_leave()), as the zone's last end
 * removes it. Set once, before any verb runs. */
void take_back_hook_set(void);
