/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The take-back of src/spawn's notes (take-back.h). */

#include <errno.h>

#include "cgroup-leftover.h"
#include "log.h"
#include "macros.h"
#include "netif.h"
#include "spawn.h"
#include "take-back.h"

static void take_back_note(const char *key, const char *value) {
        int r;

        /* Only a zone's name ("vz-" and at most IFNAMSIZ): the note is root's,
         * and netif_zone_leave() removes only a bridge cell made, portless. */
        if (!streq(key, SPAWN_NOTE_ZONE) || !startswith(value, "vz-") || strlen(value) >= IFNAMSIZ)
                return;
        r = netif_zone_leave(value);
        if (r < 0)
                log_debug_errno(r, "%s, left by a killed run: not removed: %m", value);
        else if (r > 0)
                log_debug("Removed %s, the bridge of a zone a killed run was the last of.", value);
}

void take_back_hook_set(void) {
        cgroup_leftover_set_hook(take_back_note);
}
