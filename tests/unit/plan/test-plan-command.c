/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exec='s command against the unit's own mounts (plan_command_check_mounts()):
 * one that no root can make start is refused by the plan, so that "cell
 * verify" refuses the unit "cell run" could never start, with the message
 * "cell run" gives, at Exec='s line. */

#include "plan-test.h"

#define BASE "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/sh -c true\n"

static void command_refused(const char *text, const char *dropin, const char *needle) {
        CellConfig c;

        config_from_files(&c, "x", text, dropin);
        plan_fails(&c, needle);
        cell_config_done(&c);
}

static void command_planned(const char *text) {
        CellConfig c;
        Plan p = {};

        config_from_files(&c, "x", text, NULL);
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(command_hidden) {
        command_refused(BASE "[Root]\nInaccessible=/bin\n", NULL,
                        "x.cell:4: Exec=/bin/sh: Inaccessible=/bin (");
        command_refused(BASE "[Root]\nInaccessible=/usr /bin/sh\n", NULL,
                        "x.cell:4: Exec=/bin/sh: Inaccessible=/bin/sh (");
        /* From a drop-in: its file and line. */
        command_refused(BASE, "[Root]\nInaccessible=/bin\n", "x.cell.d/x.conf:2) hides it: the command could never start");
        /* A mask is made after every other mount: a Bind= below it is hidden too. */
        command_refused("[Root]\nDirectory=/var/lib/cell/test\nInaccessible=/opt\nBind=/srv/bin:/opt/bin\n"
                        "[Exec]\nExec=/opt/bin/app\n", NULL, "x.cell:6: Exec=/opt/bin/app: Inaccessible=/opt (");
}

TEST(command_on_empty_tmpfs) {
        command_refused(BASE "[Root]\nTemporaryFileSystem=/bin\n", NULL,
                        "x.cell:4: Exec=/bin/sh: TemporaryFileSystem=/bin (");
        /* A Bind= into the tmpfs that holds the command brings it. */
        command_planned(BASE "[Root]\nTemporaryFileSystem=/bin\nBind=/srv/bin:/bin/sh\n");
        /* /run is where cell puts its own files. */
        command_planned("[Root]\nDirectory=/var/lib/cell/test\nTemporaryFileSystem=/run\n[Exec]\nExec=/run/x\n");
}

TEST(command_noexec) {
        command_refused(BASE "[Root]\nBind=/srv/bin:/bin:norbind,noexec\n", NULL,
                        "x.cell:4: Exec=/bin/sh: Bind=/srv/bin:/bin:norbind,noexec (");
        /* An rbind's submounts keep their own flags: one may hold it. */
        command_planned(BASE "[Root]\nBind=/srv/bin:/bin:noexec\n");
}

TEST(command_not_checked) {
        /* Elsewhere, or below a deeper mount that is not the unit's doing. */
        command_planned(BASE "[Root]\nInaccessible=/usr\n");
        command_planned(BASE "[Root]\nInaccessible=/bi\n");
        /* Looked up in PATH, or with "..": known at the start only. */
        command_planned("[Root]\nDirectory=/var/lib/cell/test\nInaccessible=/bin\n[Exec]\nExec=sh\n");
        command_planned("[Root]\nDirectory=/var/lib/cell/test\nInaccessible=/bin\n[Exec]\nExec=/bin/../usr/sh\n");
        /* Boot=yes: init, not a line of the unit. */
        command_planned("[Root]\nDirectory=/var/lib/cell/test\nInaccessible=/sbin\n[Exec]\nBoot=yes\n");
}

/* WorkingDirectory= below a mask or an empty tmpfs of the unit's could
 * never be entered; the mount point itself is an empty directory. */
TEST(working_directory) {
        command_refused(BASE "WorkingDirectory=/opt/x\n[Root]\nInaccessible=/opt\n", NULL,
                        "x.cell:5: WorkingDirectory=/opt/x: Inaccessible=/opt (");
        command_refused(BASE "WorkingDirectory=/srv/data\n[Root]\nTemporaryFileSystem=/srv\n", NULL,
                        "x.cell:5: WorkingDirectory=/srv/data: TemporaryFileSystem=/srv (");
        command_refused(BASE "WorkingDirectory=/srv/data\n", "[Root]\nTemporaryFileSystem=/srv\n",
                        "x.cell.d/x.conf:2) puts an empty file system over it: the directory could never be entered");
        command_planned(BASE "WorkingDirectory=/opt\n[Root]\nInaccessible=/opt\n");
        command_planned(BASE "WorkingDirectory=-/opt/x\n[Root]\nInaccessible=/opt\n");
        command_planned(BASE "WorkingDirectory=/srv/data\n[Root]\nTemporaryFileSystem=/srv\nBind=/data:/srv/data\n");
        command_planned(BASE "WorkingDirectory=/run/x\n[Root]\nTemporaryFileSystem=/run\n");
}
