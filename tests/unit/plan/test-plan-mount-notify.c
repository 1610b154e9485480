/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_mounts_check_run_host(): the unit's mounts against the notify
 * socket cell binds at /run/host/notify after them, and the credentials at
 * /run/host/credentials. "cell verify" passed Bind=/srv/f:/run/host/notify,
 * whose start failed ("notify socket /run/host/notify: something else is
 * there"), naming no line; a Bind= of a file at /run/host/credentials with
 * credentials failed so, and a directory there lay hidden below them. */

#include "plan-internal.h"
#include "plan-test.h"

TEST(mount_at_notify_socket) {
        plan_entries_fail("Bind=/srv/f:/run/host/notify",
                          "m.cell:3: Bind=/srv/f:/run/host/notify: cannot mount over /run/host/notify: cell mounts the "
                          "container's notify socket (NOTIFY_SOCKET=) at /run/host/notify after the unit's mounts");
        plan_entries_fail("TemporaryFileSystem=/run/host/notify/x:size=1M",
                          "m.cell:3: TemporaryFileSystem=/run/host/notify/x:size=1M: cannot mount on "
                          "/run/host/notify/x");
        plan_entries_fail("OverlayReadOnly=/srv/a::/run//host/notify/",
                          "m.cell:3: OverlayReadOnly=/srv/a::/run//host/notify/: cannot mount over /run/host/notify");
        plan_entries_fail("Inaccessible=/run/host/notify",
                          "m.cell:3: Inaccessible=/run/host/notify: cannot mount over");
        /* An Inaccessible= above it: a read-only directory, in which the
         * start failed to make it ("creating /run/host: Read-only file system"). */
        plan_entries_fail("Inaccessible=/run", "m.cell:3: Inaccessible=/run: cannot mount over /run: cell mounts the "
                          "container's notify socket (NOTIFY_SOCKET=) at /run/host/notify after the unit's mounts");
        plan_entries_fail("Inaccessible=/run/host", "m.cell:3: Inaccessible=/run/host: cannot mount over /run/host");
        plan_entries_pass("Inaccessible=/run/x /run/hostname");
}

/* With credentials, their directory is cell's too; without, the unit's. */
TEST(mount_at_credentials) {
        plan_entries_fail("Bind=/srv/f:/run/host/credentials\n[Exec]\nSetCredential=a:b",
                          "m.cell:3: Bind=/srv/f:/run/host/credentials: cannot mount over /run/host/credentials: "
                          "cell mounts "
                          "the credentials ($CREDENTIALS_DIRECTORY) at /run/host/credentials after the unit's mounts");
        plan_entries_fail("TemporaryFileSystem=/run/host/credentials/x\n[Exec]\nLoadCredential=a:/srv/a",
                          "m.cell:3: TemporaryFileSystem=/run/host/credentials/x: cannot mount on "
                          "/run/host/credentials/x");
        plan_entries_pass("Bind=/srv/f:/run/host/credentials");
}

/* Above it, cell makes the socket in what the unit mounted (a host
 * directory at /run: cell.unit(5), Bind=). */
TEST(mount_near_notify_socket) {
        plan_entries_pass("Bind=/srv/run:/run");
        plan_entries_pass("TemporaryFileSystem=/run/host");
        plan_entries_pass("Bind=/srv/n:/run/host/notifications");
}
