/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ResolvConf= and Timezone= on a file the unit mounts itself (Bind=,
 * BindReadOnly=, Inaccessible= of /etc/resolv.conf or /etc/localtime):
 * "auto" leaves the unit's mount alone, and a value the start cannot carry
 * out on a mount point is refused in the plan, at its line, naming the
 * mount, instead of failing the start with EBUSY or EROFS. */
#include "plan-test.h"

static const char unit_head[] =
        "[Root]\n"                                              /* 1 */
        "Directory=/var/lib/cell/test\n"                        /* 2 */
        "%s\n"                                                  /* 3: the mount */
        "[Exec]\n"                                              /* 4 */
        "Exec=/bin/true\n"                                      /* 5 */
        "%s\n"                                                  /* 6: ResolvConf= or Timezone= */
        "[Isolation]\n"                                         /* 7 */
        "PrivateNetwork=no\n";                                  /* 8 */

static void config_etc(CellConfig *c, const char *mount, const char *etc) {
        _cleanup_free_ char *text = NULL;

        ASSERT_TRUE(asprintf(&text, unit_head, mount, etc) > 0);
        config_from_text(c, "e", text);
}

/* The plan of mount and etc fails, saying want. */
static void etc_refused(const char *mount, const char *etc, const char *want) {
        CellConfig c;

        config_etc(&c, mount, etc);
        plan_fails(&c, want);
        cell_config_done(&c);
}

/* The plan of mount and etc is made; the mode of the file (resolv: ResolvConf=). */
static PlanEtcMode etc_mode(const char *mount, const char *etc, bool resolv) {
        CellConfig c;
        Plan p = {};
        PlanEtcMode mode;

        config_etc(&c, mount, etc);
        plan_ok(&c, NULL, &p);
        mode = resolv ? p.resolv_conf.mode : p.timezone.mode;
        plan_done(&p);
        cell_config_done(&c);
        return mode;
}

TEST(etc_auto_leaves_the_units_mount) {
        /* auto on the host's network binds the host's file: not over the
         * unit's own Bind= of it, which would hide what was asked for. */
        ASSERT_EQ(etc_mode("Bind=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=auto", true), PLAN_ETC_OFF);
        ASSERT_EQ(etc_mode("BindReadOnly=/srv/resolv.conf:/etc//resolv.conf", "ResolvConf=auto", true),
                  PLAN_ETC_OFF);
        ASSERT_EQ(etc_mode("BindReadOnly=/srv/zone:/etc/localtime", "Timezone=auto", false), PLAN_ETC_OFF);
        ASSERT_EQ(etc_mode("Inaccessible=/etc/localtime", "Timezone=auto", false), PLAN_ETC_OFF);
        /* A mount elsewhere, or of /etc as a whole, changes nothing. */
        ASSERT_EQ(etc_mode("Bind=/srv/etc:/etc", "ResolvConf=auto", true), PLAN_ETC_BIND);
        ASSERT_EQ(etc_mode("Bind=/srv/resolv.conf:/etc/resolv.conf.d", "ResolvConf=auto", true), PLAN_ETC_BIND);
        ASSERT_EQ(etc_mode("Bind=/srv/resolv.conf:/etc/resolv.conf", "Timezone=auto", false), PLAN_ETC_BIND);
}

TEST(etc_explicit_over_the_units_mount) {
        /* Asked for, and possible: a bind over a Bind= (as nspawn binds
         * over it), a copy into a writable Bind='s file. */
        ASSERT_EQ(etc_mode("Bind=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=bind-host", true), PLAN_ETC_BIND);
        ASSERT_EQ(etc_mode("BindReadOnly=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=bind-static", true),
                  PLAN_ETC_BIND);
        ASSERT_EQ(etc_mode("Bind=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=copy-host", true), PLAN_ETC_COPY);
        ASSERT_EQ(etc_mode("Bind=/srv/zone:/etc/localtime", "Timezone=bind", false), PLAN_ETC_BIND);

        /* A mount point is never renamed over nor removed. */
        etc_refused("Bind=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=replace-host",
                    "e.cell:6: ResolvConf=replace-host: replaces /etc/resolv.conf, but "
                    "Bind=/srv/resolv.conf:/etc/resolv.conf (");
        etc_refused("Bind=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=replace-host",
                    "e.cell:3) mounts a file there (ResolvConf=off leaves that mount as it is)");
        etc_refused("BindReadOnly=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=delete",
                    "e.cell:6: ResolvConf=delete: removes /etc/resolv.conf, but "
                    "BindReadOnly=/srv/resolv.conf:/etc/resolv.conf (");
        etc_refused("Bind=/srv/zone:/etc/localtime", "Timezone=copy",
                    "e.cell:6: Timezone=copy: replaces /etc/localtime, but Bind=/srv/zone:/etc/localtime (");
        etc_refused("Bind=/srv/zone:/etc/localtime", "Timezone=symlink",
                    "Timezone=symlink: replaces /etc/localtime");
        etc_refused("Inaccessible=/etc/localtime", "Timezone=delete",
                    "Timezone=delete: removes /etc/localtime, but Inaccessible=/etc/localtime (");

        /* Written into: not a read-only one, nor a mask. */
        etc_refused("BindReadOnly=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=copy-host",
                    "e.cell:6: ResolvConf=copy-host: writes into /etc/resolv.conf, but "
                    "BindReadOnly=/srv/resolv.conf:/etc/resolv.conf (");
        etc_refused("BindReadOnly=/srv/resolv.conf:/etc/resolv.conf", "ResolvConf=copy-host",
                    "e.cell:3) mounts a read-only file there");
        etc_refused("Inaccessible=/etc/resolv.conf", "ResolvConf=copy-static",
                    "e.cell:3) mounts an inaccessible file there");

        /* A bind over a mask would uncover what Inaccessible= hides. */
        etc_refused("Inaccessible=/etc/resolv.conf", "ResolvConf=bind-host",
                    "e.cell:6: ResolvConf=bind-host: binds over /etc/resolv.conf, but Inaccessible=/etc/resolv.conf "
                    "(");

        /* off: the unit's mount, as it is. */
        ASSERT_EQ(etc_mode("Inaccessible=/etc/resolv.conf", "ResolvConf=off", true), PLAN_ETC_OFF);
}
