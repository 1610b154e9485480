/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_mounts_check_api(): the unit's mounts against the masks cell makes
 * after them, so that no Bind= uncovers what they hide. "cell verify"
 * passed Bind=/srv/fw:/sys/firmware, and the container's /sys/firmware was
 * cell's empty read-only mask, the unit's mount hidden below it without a
 * word (nspawn masks no /sys path: its Bind= shows); so was a mount below
 * a mask, /proc/acpi/wakeup. */

#include "plan-internal.h"
#include "plan-test.h"

TEST(mount_over_sys_mask) {
        plan_entries_fail("Bind=/srv/fw:/sys/firmware",
                          "m.cell:3: Bind=/srv/fw:/sys/firmware: cannot mount over /sys/firmware: cell masks "
                          "/sys/firmware after the unit's mounts, which would hide it");
        plan_entries_fail("BindReadOnly=/srv/fw:/sys/firmware/",
                          "m.cell:3: BindReadOnly=/srv/fw:/sys/firmware/: cannot mount over "
                          "/sys/firmware: cell masks /sys/firmware");
        plan_entries_fail("TemporaryFileSystem=/sys/firmware:size=1M",
                          "m.cell:3: TemporaryFileSystem=/sys/firmware:size=1M: cannot mount over /sys/firmware");
        plan_entries_fail("Overlay=/srv/a:/srv/b:/sys/devices/virtual/powercap",
                          "m.cell:3: Overlay=/srv/a:/srv/b:/sys/devices/virtual/powercap: cannot mount over "
                          "/sys/devices/virtual/powercap: cell masks /sys/devices/virtual/powercap");
}

TEST(mount_below_mask) {
        plan_entries_fail("Bind=/srv/efi://sys/firmware/efi",
                          "m.cell:3: Bind=/srv/efi://sys/firmware/efi: cannot mount on /sys/firmware/efi: cell masks "
                          "/sys/firmware after the unit's mounts, which would hide it");
        plan_entries_fail("Bind=/srv/w:/proc/acpi/wakeup",
                          "m.cell:3: Bind=/srv/w:/proc/acpi/wakeup: cannot mount on /proc/acpi/wakeup: cell masks "
                          "/proc/acpi");
        /* A unit's own mount above the mask does not hide it. */
        plan_entries_fail("TemporaryFileSystem=/sys\nBind=/srv/efi:/sys/firmware/efi",
                          "m.cell:4: Bind=/srv/efi:/sys/firmware/efi: cannot mount on /sys/firmware/efi");
}

/* Above a mask the unit's mount shows, the mask on it where it has the
 * path; an Inaccessible= at or below one hides what the mask hides; a
 * read-only path keeps a mount below it (its own flags); a mask outside
 * /proc and /sys (ProtectKernelLogs='s /dev/kmsg) covers a Bind= on purpose. */
TEST(mount_not_hidden_by_mask) {
        plan_entries_pass("Bind=/srv/sys:/sys");
        plan_entries_pass("TemporaryFileSystem=/sys/devices");
        plan_entries_pass("Bind=/srv/fws:/sys/firmwares");
        plan_entries_pass("Inaccessible=/sys/firmware /sys/firmware/efi /proc/acpi/x");
        plan_entries_pass("Bind=/srv/net:/proc/sys/net");
        plan_entries_pass("Bind=/srv/kmsg:/dev/kmsg\n[Isolation]\nProtectKernelLogs=yes");
}
