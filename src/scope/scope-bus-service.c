/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What systemd is doing with the service cell runs in, asked only after it
 * ended the scope's start (the job cancelled, or the transaction refused for
 * a stop job queued on that service) and before that stop's signal reached
 * cell: must cell wait for it? Never on the hot path: four property reads. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"
#include "scope-bus-leftover.h"
#include "scope-internal.h"

/* The type of the job queued or running for the unit at path; NULL: none. */
static int unit_job_type(sd_bus *bus, const char *path, char **ret) {
        _cleanup_free_ char *job = NULL;
        uint32_t id;
        int r;

        r = scope_bus_unit_job(bus, path, &id, &job);
        if (r < 0)
                return r;
        if (id == 0) {
                *ret = NULL;
                return 0;
        }
        return sd_bus_get_property_string(bus, SYSTEMD_SERVICE, job, "org.freedesktop.systemd1.Job", "JobType", NULL,
                                          ret);
}

int scope_bus_service_stop(sd_bus *bus, const char *service, pid_t self, ScopeServiceStop *ret) {
        _cleanup_free_ char *path = NULL, *state = NULL, *job_type = NULL;
        pid_t main_pid = 0;
        int r;

        r = sd_bus_path_encode(SYSTEMD_UNIT_PATH, service, &path);
        if (r < 0)
                return r;
        /* Only the main process's end is the service's: another process of it
         * (a child of a script, of a runner) may end when it likes, and gets
         * no signal from a stop with KillMode=mixed. */
        r = scope_bus_unit_main_pid(bus, path, &main_pid);
        if (r < 0)
                return r;
        if (main_pid != self) {
                *ret = SCOPE_SERVICE_NOT_MAIN;
                return 0;
        }
        r = sd_bus_get_property_string(bus, SYSTEMD_SERVICE, path, "org.freedesktop.systemd1.Unit", "ActiveState",
                                       NULL, &state);
        if (r < 0)
                return r;
        if (streq(state, "deactivating")) {
                /* The stop job runs: its KillSignal= was sent, whichever it is. */
                *ret = SCOPE_SERVICE_STOPPING;
                return 0;
        }
        r = unit_job_type(bus, path, &job_type);
        if (r < 0)
                return r;
        *ret = job_type && (streq(job_type, "stop") || streq(job_type, "restart") || streq(job_type, "try-restart")) ?
                SCOPE_SERVICE_STOP_QUEUED : SCOPE_SERVICE_NOT_STOPPING;
        return 0;
}
