/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_mounts_check_run_host(): the unit's mounts against the notify
 * socket cell binds at /run/host/notify after them, and the credentials at
 * /run/host/credentials. "cell verify" passed Bind=/srv/f:/run/host/notify,
 * whose start failed ("notify socket /run/host/notify: something else is
 * there"), naming no line; a Bind= of a file at /run/host/credentials with
 * credentials failed so, and a directory there lay hidden below them. */

#include "plan-internal.h"
#include "plan-test.h"

static void fails(const char *entry, const char *needle) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n%s\n[Exec]\nExec=/bin/true\n", entry) > 0);
        config_from_text(&c, "m", text);
        plan_fails(&c, needle);
        cell_config_done(&c);
}

static void passes(const char *entries) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;
        Plan p = {};

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n%s\n[Exec]\nExec=/bin/true\n", entries) > 0);
        config_from_text(&c, "m", text);
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(mount_at_notify_socket) {
        fails("Bind=/srv/f:/run/host/notify",
              "m.cell:3: Bind=/srv/f:/run/host/notify: cannot mount over /run/host/notify: cell mounts the "
              "container's notify socket (NOTIFY_SOCKET=) at /run/host/notify after the unit's mounts");
        fails("TemporaryFileSystem=/run/host/notify/x:size=1M",
              "m.cell:3: TemporaryFileSystem=/run/host/notify/x:size=1M: cannot mount on /run/host/notify/x");
        fails("OverlayReadOnly=/srv/a::/run//host/notify/",
              "m.cell:3: OverlayReadOnly=/srv/a::/run//host/notify/: cannot mount over /run/host/notify");
        fails("Inaccessible=/run/host/notify", "m.cell:3: Inaccessible=/run/host/notify: cannot mount over");
        /* An Inaccessible= above it: a read-only directory, in which the
         * start failed to make it ("creating /run/host: Read-only file system"). */
        fails("Inaccessible=/run", "m.cell:3: Inaccessible=/run: cannot mount over /run: cell mounts the "
              "container's notify socket (NOTIFY_SOCKET=) at /run/host/notify after the unit's mounts");
        fails("Inaccessible=/run/host", "m.cell:3: Inaccessible=/run/host: cannot mount over /run/host");
        passes("Inaccessible=/run/x /run/hostname");
}

/* With credentials, their directory is cell's too; without, the unit's. */
TEST(mount_at_credentials) {
        fails("Bind=/srv/f:/run/host/credentials\n[Exec]\nSetCredential=a:b",
              "m.cell:3: Bind=/srv/f:/run/host/credentials: cannot mount over /run/host/credentials: cell mounts "
              "the credentials ($CREDENTIALS_DIRECTORY) at /run/host/credentials after the unit's mounts");
        fails("TemporaryFileSystem=/run/host/credentials/x\n[Exec]\nLoadCredential=a:/srv/a",
              "m.cell:3: TemporaryFileSystem=/run/host/credentials/x: cannot mount on /run/host/credentials/x");
        passes("Bind=/srv/f:/run/host/credentials");
}

/* Above it, cell makes the socket in what the unit mounted (a host
 * directory at /run: cell.unit(5), Bind=). */
TEST(mount_near_notify_socket) {
        passes("Bind=/srv/run:/run");
        passes("TemporaryFileSystem=/run/host");
        passes("Bind=/srv/n:/run/host/notifications");
}
