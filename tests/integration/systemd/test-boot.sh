#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot=yes with PrivateUsers=pick under systemd: cell@sdboot.service runs a
# systemd made of the host's /usr (read-only) in a private user namespace;
# the scope's cgroup is delegated to the container's root, so the systemd
# inside builds its own tree below the scope; its READY=1 (boot finished)
# is what makes cell@sdboot.service active; WatchdogSec= is kept by cell
# (a WATCHDOG_USEC= from inside does not change it);
# a reboot inside starts it again; stop halts it and leaves no scope and no
# cgroup; the systemd's console output is the service's journal's. Then the
# same root without PrivateUsers=, as systemd-nspawn -b runs
# one: the container's root is the host's, its cgroup hierarchy writable all
# the same (read-only, the systemd inside could not make init.scope and exited
# at once), and it reads a boot ID of its own; and one that cannot boot says why.
. "$(dirname "$0")/lib.sh"

setup_cell

sd=$WORK/sdroot
make_os_root "$sd"
# A notifier for the watchdog check below (the root's /usr is the host's).
cp "$NOTIFY_PROBE" "$sd/notify-probe"
install_cell sdboot <<EOF
[Root]
Directory=$sd
BindReadOnly=/usr
[Exec]
Boot=yes
NotifyReady=yes
[Isolation]
PrivateUsers=pick
EOF
scope=cell-sdboot.scope
# WatchdogSec=: a systemd inside pings no container manager, so cell (and
# cell-monitor) keep the service's watchdog and the init gets none.
install_dropin cell@sdboot.service watchdog <<'EOF'
[Service]
WatchdogSec=3s
Restart=on-failure
EOF

# Type=notify: the start job ends when the systemd inside said READY=1.
if in_sealed systemctl start cell@sdboot.service; then
        ok "cell@sdboot is active: the systemd inside booted and said READY=1"
else
        fail "cell@sdboot did not start ($(prop cell@sdboot.service ActiveState))"
        in_sealed journalctl --no-pager -n 30 -u cell@sdboot.service
fi
sleep 7
expect_eq "WatchdogSec=3s, 7 s in: no restart" 0 "$(prop cell@sdboot.service NRestarts)"
expect_eq "... cell-monitor pings it by then" cell-monitor \
        "$(in_sealed cat "/proc/$(prop cell@sdboot.service MainPID)/comm" 2>/dev/null)"
# Off a terminal the console is read-only, as nspawn's there: what the
# systemd inside writes to /dev/console (its boot) is the service's journal's,
# as lines (no CR of the pty's), from cell and then cell-monitor.
console_journal() { in_sealed journalctl --no-pager -o cat -u cell@sdboot.service; }
check "the systemd inside's boot is in the service's journal" \
        sh -c "'$SEALED' run journalctl --no-pager -o cat -u cell@sdboot.service | grep -q '^Welcome to '"
expect_eq "... as lines, no CR" 0 "$(console_journal | grep -c $'\r')"
in_sealed "$CELL" exec sdboot /bin/sh -c 'echo console-after-handover >/dev/console' ||
        fail "cell exec sdboot: writing to /dev/console failed"
# (Not a line of its own: it follows the console getty's login prompt.)
check "... relayed by cell-monitor" wait_for 10 sh -c \
        "'$SEALED' run journalctl --no-pager -o cat -u cell@sdboot.service | grep -q 'console-after-handover$'"
expect_eq "the init inside got no WATCHDOG_USEC" "" \
        "$(in_sealed "$CELL" exec sdboot /bin/sh -c 'tr "\0" "\n" < /proc/1/environ | grep WATCHDOG' 2>&1)"
# The watchdog is cell's: a WATCHDOG_USEC= from inside (here 100 s, 0
# would turn it off) does not reach systemd, whose WatchdogSec= stays 3 s.
# The STATUS= beside it does, so its arrival is known.
in_sealed "$CELL" exec sdboot /usr/bin/env NOTIFY_SOCKET=/run/host/notify \
        /notify-probe "STATUS=watchdog probe" WATCHDOG_USEC=100000000 WATCHDOG=1 >/dev/null 2>&1 ||
        fail "the probe inside could not send"
check "the probe's STATUS= went up" wait_for 10 sh -c \
        "[ \"\$('$SEALED' run systemctl show -P StatusText cell@sdboot.service)\" = 'sdboot: watchdog probe' ]"
expect_eq "WATCHDOG_USEC= from inside: the service's watchdog is still cell's 3 s" 3s \
        "$(prop cell@sdboot.service WatchdogUSec)"
expect_eq "is-system-running inside" running \
        "$(in_sealed "$CELL" exec sdboot /usr/bin/systemctl is-system-running --wait 2>&1)"
read -r _ outside _ <<<"$(in_sealed "$CELL" exec sdboot /bin/cat /proc/1/uid_map)"
check "a private user namespace (uid 0 is $outside outside)" test "${outside:-0}" -ge $((0x80000))
expect_eq "Delegate=yes" yes "$(prop $scope Delegate)"
dirs=$(cgroup_dirs_of "/machine.slice/$scope/init.scope")
check "the systemd inside made init.scope below the scope ($(echo $dirs))" test -n "$dirs"
for d in $dirs; do
        expect_eq "$d belongs to the container's root" "$outside" "$(in_sealed stat -c %u "$d")"
done

# "systemctl reboot" inside: the init's reboot() ends it in its PID namespace
# (owned by the container's user namespace), cell exits 133 and
# cell@.service starts it again (RestartForceExitStatus=133).
pid=$(prop cell@sdboot.service MainPID)
in_sealed "$CELL" exec sdboot /usr/bin/systemctl reboot >/dev/null 2>&1 || true
check "reboot inside: cell@sdboot started again" wait_for 60 restarted_once cell@sdboot.service
check "... by a new cell (MainPID $pid, then $(prop cell@sdboot.service MainPID))" \
        test "$(prop cell@sdboot.service MainPID)" != "$pid"
expect_eq "... the systemd inside booted again" running \
        "$(in_sealed "$CELL" exec sdboot /usr/bin/systemctl is-system-running --wait 2>&1)"

if in_sealed systemctl stop cell@sdboot.service; then
        ok "systemctl stop cell@sdboot"
else
        fail "systemctl stop cell@sdboot failed"
fi
expect_eq "the service after stop" inactive "$(prop cell@sdboot.service ActiveState)"
check "no scope left" wait_for 5 sh -c "[ \"\$('$SEALED' run systemctl show -P ActiveState $scope)\" = inactive ]"
expect_eq "no cgroup left" "" "$(cgroup_dirs_of "/machine.slice/$scope")"
check "the uid range's lock is gone" in_sealed test ! -e "/run/cell/uid/$outside"

install_cell sdplain <<EOF
[Root]
Directory=$sd
BindReadOnly=/usr
[Exec]
Boot=yes
NotifyReady=yes
EOF
scope=cell-sdplain.scope
if in_sealed systemctl start cell@sdplain.service; then
        ok "without PrivateUsers=: cell@sdplain is active, the systemd inside said READY=1"
else
        fail "cell@sdplain did not start ($(prop cell@sdplain.service ActiveState))"
        in_sealed journalctl --no-pager -n 30 -u cell@sdplain.service
fi
expect_eq "... is-system-running inside" running \
        "$(in_sealed "$CELL" exec sdplain /usr/bin/systemctl is-system-running --wait 2>&1)"
expect_eq "... no user namespace" "0 0 4294967295" \
        "$(in_sealed "$CELL" exec sdplain /bin/cat /proc/1/uid_map 2>&1 | tr -s ' ' | sed 's/^ //')"
dirs=$(cgroup_dirs_of "/machine.slice/$scope/init.scope")
check "... the systemd inside made init.scope below the scope ($(echo $dirs))" test -n "$dirs"
inside=$(in_sealed "$CELL" exec sdplain /bin/cat /proc/sys/kernel/random/boot_id 2>&1)
check "... a boot ID of its own ($inside)" test -n "$inside" -a \
        "$inside" != "$(cat /proc/sys/kernel/random/boot_id)"
if in_sealed systemctl stop cell@sdplain.service; then
        ok "systemctl stop cell@sdplain"
else
        fail "systemctl stop cell@sdplain failed"
fi
check "... no scope left" wait_for 5 sh -c "[ \"\$('$SEALED' run systemctl show -P ActiveState $scope)\" = inactive ]"
expect_eq "... no cgroup left" "" "$(cgroup_dirs_of "/machine.slice/$scope")"

# A systemd that cannot boot (ProtectControlGroups=yes: its hierarchy is
# read-only) says why on its console, and so in the service's journal; in
# pipe mode it found no console and the journal had its exit status alone.
install_cell sdfail <<EOF
[Root]
Directory=$sd
BindReadOnly=/usr
[Exec]
Boot=yes
NotifyReady=yes
[Isolation]
ProtectControlGroups=yes
EOF
if in_sealed systemctl start cell@sdfail.service 2>/dev/null; then
        fail "cell@sdfail started, with its cgroup hierarchy read-only"
else
        ok "cell@sdfail did not start"
fi
check "... and the journal says why, in the systemd's words" sh -c \
        "'$SEALED' run journalctl --no-pager -o cat -u cell@sdfail.service | grep -q 'Failed to allocate manager object'"
check "... no scope left" wait_for 5 sh -c "[ \"\$('$SEALED' run systemctl show -P ActiveState cell-sdfail.scope)\" != active ]"

finish
