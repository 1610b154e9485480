/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ResolvConf= and Timezone= in the plan: what each value means for the
 * unit's network and root, and the values the root cannot take. */
#include "plan-test.h"

TEST(etc_defaults) {
        CellConfig c;
        Plan p = {};

        /* auto with a private network (the default): the image's own. */
        config_minimal(&c, "e");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.resolv_conf.setting, "auto");
        ASSERT_EQ(p.resolv_conf.mode, PLAN_ETC_OFF);
        ASSERT_TRUE(p.resolv_conf.automatic);
        ASSERT_STREQ(p.resolv_conf.target, "/etc/resolv.conf");
        ASSERT_NULL(p.resolv_conf.file);
        ASSERT_EQ(p.resolv_conf.line, 0);
        /* Timezone=auto on an image: the bind; nothing picked in the plan. */
        ASSERT_STREQ(p.timezone.setting, "auto");
        ASSERT_EQ(p.timezone.mode, PLAN_ETC_BIND);
        ASSERT_STREQ(p.timezone.sources[0], "/etc/localtime");
        ASSERT_FALSE(p.timezone.create_missing);
        ASSERT_NULL(p.timezone.source);
        ASSERT_NULL(p.timezone.link);
        plan_done(&p);

        /* auto on the host's network: the host's own file (its links
         * followed on the host), never resolved's stub merely because the
         * file exists: resolved writes it with DNSStubListener=no too. */
        c.private_network = false;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.resolv_conf.mode, PLAN_ETC_BIND);
        ASSERT_STREQ(p.resolv_conf.sources[0], "/etc/resolv.conf");
        ASSERT_NULL(p.resolv_conf.sources[1]);
        plan_done(&p);

        /* A root of cell's own: missing files may be made there; the zone as a link. */
        c.volatile_mode = CELL_VOLATILE_OVERLAY;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.resolv_conf.create_missing);
        ASSERT_FALSE(p.resolv_conf.empty_root);
        ASSERT_EQ(p.timezone.mode, PLAN_ETC_SYMLINK_OR_BIND);
        ASSERT_TRUE(p.timezone.create_missing);
        plan_done(&p);
        /* Volatile=yes: an empty tmpfs, its /etc not the image's. */
        c.volatile_mode = CELL_VOLATILE_YES;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.resolv_conf.create_missing);
        ASSERT_TRUE(p.resolv_conf.empty_root);
        ASSERT_TRUE(p.timezone.empty_root);
        plan_done(&p);
        c.volatile_mode = CELL_VOLATILE_STATE;
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.resolv_conf.create_missing);
        ASSERT_FALSE(p.resolv_conf.empty_root);
        ASSERT_EQ(p.timezone.mode, PLAN_ETC_BIND);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(etc_values) {
        static const struct {
                CellResolvConf v;
                PlanEtcMode mode;
                const char *source;
        } resolv[] = {
                { CELL_RESOLV_CONF_OFF,            PLAN_ETC_OFF,     NULL },
                { CELL_RESOLV_CONF_COPY_HOST,      PLAN_ETC_COPY,    "/etc/resolv.conf" },
                { CELL_RESOLV_CONF_COPY_STATIC,    PLAN_ETC_COPY,    "/usr/lib/systemd/resolv.conf" },
                { CELL_RESOLV_CONF_REPLACE_UPLINK, PLAN_ETC_REPLACE, "/run/systemd/resolve/resolv.conf" },
                { CELL_RESOLV_CONF_REPLACE_STUB,   PLAN_ETC_REPLACE, "/run/systemd/resolve/stub-resolv.conf" },
                { CELL_RESOLV_CONF_BIND_HOST,      PLAN_ETC_BIND,    "/etc/resolv.conf" },
                { CELL_RESOLV_CONF_BIND_UPLINK,    PLAN_ETC_BIND,    "/run/systemd/resolve/resolv.conf" },
                { CELL_RESOLV_CONF_BIND_STUB,      PLAN_ETC_BIND,    "/run/systemd/resolve/stub-resolv.conf" },
                { CELL_RESOLV_CONF_DELETE,         PLAN_ETC_DELETE,  NULL },
        };
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "e");
        for (size_t i = 0; i < ELEMENTSOF(resolv); i++) {
                c.resolv_conf = resolv[i].v;
                c.resolv_conf_line = 4;
                plan_ok(&c, NULL, &p);
                ASSERT_STREQ(p.resolv_conf.setting, cell_resolv_conf_to_string(resolv[i].v));
                ASSERT_EQ(p.resolv_conf.mode, resolv[i].mode);
                ASSERT_STREQ(p.resolv_conf.sources[0], resolv[i].source);
                ASSERT_NULL(p.resolv_conf.sources[1]);
                ASSERT_FALSE(p.resolv_conf.automatic);
                ASSERT_STREQ(p.resolv_conf.file, "e.cell");
                ASSERT_EQ(p.resolv_conf.line, 4);
                plan_done(&p);
        }

        /* Timezone=copy replaces, a link too, as nspawn's: written
         * through, Debian's localtime -> zoneinfo/Etc/UTC would change
         * that zone file instead. */
        c.timezone = CELL_TIMEZONE_COPY;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.timezone.mode, PLAN_ETC_REPLACE);
        ASSERT_STREQ(p.timezone.sources[0], "/etc/localtime");
        plan_done(&p);
        c.timezone = CELL_TIMEZONE_SYMLINK;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.timezone.mode, PLAN_ETC_SYMLINK);
        ASSERT_FALSE(p.timezone.automatic);
        plan_done(&p);
        c.timezone = CELL_TIMEZONE_DELETE;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.timezone.mode, PLAN_ETC_DELETE);
        ASSERT_NULL(p.timezone.sources[0]);
        plan_done(&p);
        cell_config_done(&c);
}

/* cell never writes an image it keeps read-only: those values fail the
 * plan at the key's line; bind and off stay fine. */
TEST(etc_read_only_root) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "e");
        c.read_only = true;
        c.resolv_conf = CELL_RESOLV_CONF_COPY_STUB;
        c.resolv_conf_line = 6;
        c.timezone = CELL_TIMEZONE_SYMLINK;
        c.timezone_line = 7;
        plan_fails(&c, "e.cell:6: ResolvConf=copy-stub: writes /etc/resolv.conf, but ReadOnly=yes keeps the "
                   "root read-only (ResolvConf=bind-stub leaves the image alone");
        plan_fails(&c, "e.cell:7: Timezone=symlink: writes /etc/localtime, but ReadOnly=yes");
        c.resolv_conf = CELL_RESOLV_CONF_DELETE;
        plan_fails(&c, "ResolvConf=delete: writes /etc/resolv.conf, but ReadOnly=yes keeps the root read-only "
                   "(ResolvConf=off");
        c.read_only = false;
        c.volatile_mode = CELL_VOLATILE_STATE;
        plan_fails(&c, "e.cell:6: ResolvConf=delete: writes /etc/resolv.conf, but Volatile=state");

        /* Volatile=overlay and yes: writes land in cell's tmpfs, allowed. */
        c.volatile_mode = CELL_VOLATILE_OVERLAY;
        c.read_only = true;
        plan_ok(&c, NULL, &p);
        plan_done(&p);

        c.volatile_mode = CELL_VOLATILE_NO;
        c.resolv_conf = CELL_RESOLV_CONF_BIND_HOST;
        c.timezone = CELL_TIMEZONE_BIND;
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

/* The JSON shows the choice, with where it was written. */
TEST(etc_json) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "j",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "ResolvConf=bind-uplink\n"
                         "Timezone=off\n");
        plan_ok(&c, NULL, &p);
        text = plan_printed(&p, plan_print_json);
        ASSERT_CONTAINS(text, "  \"resolv_conf\": {\n"
                              "    \"setting\": \"bind-uplink\",\n"
                              "    \"mode\": \"bind\",\n"
                              "    \"target\": \"/etc/resolv.conf\",\n"
                              "    \"sources\": [\"/run/systemd/resolve/resolv.conf\"],\n"
                              "    \"create_missing\": false,\n");
        ASSERT_CONTAINS(text, "    \"line\": 5\n  },\n  \"timezone\": {\n"
                              "    \"setting\": \"off\",\n"
                              "    \"mode\": \"off\",\n"
                              "    \"target\": \"/etc/localtime\",\n"
                              "    \"sources\": [],\n");
        plan_done(&p);
        cell_config_done(&c);
}

/* nspawn takes a boolean for both keys (DEFINE_STRING_TABLE_LOOKUP_WITH_BOOLEAN):
 * false is "off", true "auto"; a .nspawn file's Timezone=no must not be refused. */
TEST(etc_booleans) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "b",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "ResolvConf=no\n"
                         "Timezone=false\n");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_OFF);
        ASSERT_EQ(c.timezone, CELL_TIMEZONE_OFF);
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.resolv_conf.setting, "off");
        ASSERT_EQ(p.resolv_conf.mode, PLAN_ETC_OFF);
        ASSERT_EQ(p.timezone.mode, PLAN_ETC_OFF);
        plan_done(&p);
        cell_config_done(&c);

        config_from_text(&c, "b",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "ResolvConf=yes\n"
                         "Timezone=on\n");
        ASSERT_EQ(c.resolv_conf, CELL_RESOLV_CONF_AUTO);
        ASSERT_EQ(c.timezone, CELL_TIMEZONE_AUTO);
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.timezone.setting, "auto");
        ASSERT_TRUE(p.timezone.automatic);
        plan_done(&p);
        cell_config_done(&c);
}
