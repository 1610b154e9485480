/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-etc.c: [Exec] ResolvConf= and Timezone=. */
#include "config-assign-test.h"
#include "test.h"

TEST(exec_resolv_conf_timezone) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_AUTO);
        ASSERT_EQ(c.timezone, CELL_TIMEZONE_AUTO);
        OK(&c, "Exec", "ResolvConf", "bind-stub");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_BIND_STUB);
        ASSERT_STREQ(c.resolv_conf_file, "web.cell");
        ASSERT_EQ(c.resolv_conf_line, 7);
        OK(&c, "Exec", "ResolvConf", "replace-uplink");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_REPLACE_UPLINK);
        OK(&c, "Exec", "ResolvConf", "copy-static");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_COPY_STATIC);
        OK(&c, "Exec", "ResolvConf", "delete");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_DELETE);
        OK(&c, "Exec", "ResolvConf", "off");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);
        /* Every name reads back as itself. */
        for (int v = 0; v < _CELL_RESOLV_CONF_MAX; v++) {
                CellResolvConf back;

                ASSERT_OK(cell_resolv_conf_from_string(cell_resolv_conf_to_string(v), &back));
                ASSERT_EQ((int) back, v);
        }
        BAD_EXACT(&c, "Exec", "ResolvConf", "xyz",
                  "web.cell:7: ResolvConf=xyz: expected off, copy-host, copy-static, copy-uplink, copy-stub, "
                  "replace-host, replace-static, replace-uplink, replace-stub, bind-host, bind-static, "
                  "bind-uplink, bind-stub, delete or auto");
        BAD(&c, "Exec", "ResolvConf", "bind", "ResolvConf=bind: expected off, copy-host");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);  /* a bad value changes nothing */
        /* A boolean as nspawn takes it: true is auto, false off. */
        OK(&c, "Exec", "ResolvConf", "yes");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_AUTO);
        OK(&c, "Exec", "ResolvConf", "no");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);
        /* nspawn ignores an empty one and keeps the earlier mode: refused. */
        BAD(&c, "Exec", "ResolvConf", "", "an empty value resets nothing, as in nspawn");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);
        ASSERT_EQ(c.resolv_conf_line, 7);

        for (int v = 0; v < _CELL_TIMEZONE_MAX; v++) {
                CellTimezone back;

                OK(&c, "Exec", "Timezone", cell_timezone_to_string(v));
                ASSERT_EQ((int) c.timezone, v);
                ASSERT_OK(cell_timezone_from_string(cell_timezone_to_string(v), &back));
                ASSERT_EQ((int) back, v);
        }
        ASSERT_EQ(c.timezone_line, 7);
        BAD_EXACT(&c, "Exec", "Timezone", "Europe/Berlin",
                  "web.cell:7: Timezone=Europe/Berlin: expected off, copy, bind, symlink, delete or auto");
        BAD(&c, "Exec", "Timezone", "copy-host", "Timezone=copy-host: expected off, copy, bind");
        /* [Exec] keys: not in another section. */
        ASSERT_CONTAINS(assign(&c, "Isolation", "ResolvConf", "off"), "ResolvConf");
        BAD(&c, "Exec", "Timezone", "", "an empty value resets nothing, as in nspawn");
        ASSERT_EQ(c.timezone, (CellTimezone) (_CELL_TIMEZONE_MAX - 1));
        diag_done(&diag);
        cell_config_done(&c);
}
