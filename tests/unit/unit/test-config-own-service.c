/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Unit] After= of the unit's own service (config_parse_unit_names()):
 * cell@web.service starts cell-web.scope from its own start job, and
 * systemd refused that scope After= it ("Transaction order is cyclic"),
 * exit 2 without a line, after "cell verify" passed the unit. */
#include <stdlib.h>
#include <string.h>

#include "config-assign-test.h"
#include "strv.h"
#include "test.h"

TEST(after_own_service) {
        CellConfig c;

        cell_config_init(&c);
        c.name = strdup("web");
        ASSERT_NOT_NULL(c.name);
        BAD_EXACT(&c, "Unit", "After", "network.target cell@web.service",
                  "web.cell:7: After=network.target cell@web.service: expected a unit other than "
                  "\"cell@web.service\", the service this unit runs as, which starts its scope: systemd "
                  "refuses the scope After= it (\"Transaction order is cyclic\")");
        ASSERT_NULL(c.after);
        /* Another cell's service, and the other dependencies of its own (a
         * start of the service runs the scope beside them, as systemd does). */
        OK(&c, "Unit", "After", "cell@db.service cell@web@1.service");
        OK(&c, "Unit", "Before", "cell@web.service");
        OK(&c, "Unit", "Wants", "cell@web.service");
        ASSERT_EQ(strv_length(c.after), 2);
        cell_config_done(&c);

        /* An instance's own service carries its whole name. */
        cell_config_init(&c);
        c.name = strdup("worker@3");
        ASSERT_NOT_NULL(c.name);
        BAD(&c, "Unit", "After", "cell@worker@3.service", "other than \"cell@worker@3.service\"");
        OK(&c, "Unit", "After", "cell@worker@4.service");
        cell_config_done(&c);
}
