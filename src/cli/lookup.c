/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The running cell a lifecycle verb names on its command line. */

#include <errno.h>

#include "instance.h"
#include "log.h"
#include "unit-name.h"
#include "unit-path.h"
#include "verbs.h"

int cli_find_instance(const char *arg, bool user_bus, bool report_not_running,
                      char **ret_name, CellInstance *ret) {
        _cleanup_free_ char *name = NULL, *canonical = NULL;
        int r;

        if (unit_name_normalize(arg, &name) < 0) {
                log_error("\"%s\" is not a valid cell name.", arg);
                return CELL_EXIT_FAILURE;
        }

        /* An alias of a unit (web.cell -> nginx.cell) names the cell that
         * unit runs as, even while a cell runs under the alias's own name,
         * as "systemctl stop web.service" stops nginx.service: systemd
         * knows web.service as a name of the unit. That other cell (one
         * started as web before web.cell became a link) is meant only when
         * the unit does not run, so that it can still be stopped by name. */
        r = -ESRCH;
        if (unit_name_canonical(name, NULL, &canonical) >= 0 && !streq(canonical, name)) {
                r = instance_find(canonical, user_bus, ret);
                if (r >= 0) {
                        free(name);
                        name = TAKE_PTR(canonical);
                }
        }
        if (r == -ESRCH)
                r = instance_find(name, user_bus, ret);
        if (r == -ESRCH) {
                if (report_not_running)
                        log_error("cell %s is not running.", name);
                *ret_name = TAKE_PTR(name);
                return CELL_EXIT_NOT_RUNNING;
        }
        if (r < 0) {
                log_error_errno(r, "Looking up cell %s: %m", name);
                return CELL_EXIT_FAILURE;
        }
        *ret_name = TAKE_PTR(name);
        return CELL_EXIT_OK;
}
