#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell@.service in a real systemd: readiness with NotifyReady=yes, STATUS=
# forwarding, the watchdog both ways (also WATCHDOG_USEC= and
# WATCHDOG=trigger), MAINPID, and template instances whose name carries an
# '@' (cell@worker@3).
. "$(dirname "$0")/lib.sh"

setup_cell

# --- NotifyReady=yes: active only once the payload says READY=1
write_payload ready-payload <<'EOF'
trap 'exit 0' TERM
sleep 3
echo sent > /out/ready-sent
notify-probe READY=1 "STATUS=serving"
sleep 1000 & wait
EOF
install_cell hello <<EOF
[Unit]
Description=hello test
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/ready-payload
NotifyReady=yes
EOF

in_sealed systemctl start --no-block cell@hello.service
check "cell@hello is activating while the payload has not sent READY=1" wait_for 5 state_is cell@hello.service activating
firstpid=$(prop cell@hello.service MainPID)
sleep 1.5
expect_eq "still activating 1.5 s later, before READY=1" activating "$(prop cell@hello.service ActiveState)"
check "the payload has really not sent it yet" test ! -e "$ROOT/out/ready-sent"
if wait_for 10 state_is cell@hello.service active; then
        ok "cell@hello is active after READY=1"
else
        fail "cell@hello did not become active (ActiveState=$(prop cell@hello.service ActiveState), Result=$(prop cell@hello.service Result))"
fi
check "and READY=1 had been sent by then" test -e "$ROOT/out/ready-sent"
expect_eq "STATUS= is forwarded with the cell's name" "hello: serving" "$(prop cell@hello.service StatusText)"
check "systemctl status shows it" sh -c "'$SEALED' run systemctl status --no-pager cell@hello.service | grep -qF 'Status: \"hello: serving\"'"
expect_eq "MAINPID stays cell's own" "$firstpid" "$(prop cell@hello.service MainPID)"
# READY=1 came 3 s in: by then cell had become cell-monitor (test-monitor.sh)
expect_eq "... which it is by exec after a second" cell-monitor "$(in_sealed cat "/proc/$firstpid/comm" 2>/dev/null)"
# The filter cell compiled is kept for the next start, in the directory cell
# made itself (the template has no CacheDirectory=; /var is a fresh tmpfs here).
expect_eq "the template leaves /var/cache/cell to cell" "" "$(prop cell@hello.service CacheDirectory)"
check "the compiled seccomp filter is in /var/cache/cell/seccomp" in_sealed sh -c 'ls /var/cache/cell/seccomp/*.bpf'
expect_eq "... a directory of root's alone" "700 root" "$(in_sealed stat -c '%a %U' /var/cache/cell/seccomp)"
in_sealed systemctl stop cell@hello.service

# --- the watchdog: WATCHDOG=1 keeps it alive, silence gets it restarted
write_payload dog-payload <<'EOF'
trap 'echo term >> /out/dog-term; exit 0' TERM
echo "${WATCHDOG_USEC:-unset}" > /out/dog-watchdog-usec
while [ ! -e /out/dog-stop ]; do
        notify-probe WATCHDOG=1
        sleep 0.4
done
sleep 1000 & wait
EOF
install_cell dog <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/dog-payload
EOF
install_dropin cell@dog.service watchdog <<'EOF'
[Service]
WatchdogSec=2s
Restart=on-failure
RestartSec=500ms
EOF
in_sealed systemctl start cell@dog.service
expect_eq "cell@dog starts" active "$(prop cell@dog.service ActiveState)"
dogpid=$(prop cell@dog.service MainPID)
sleep 5
expect_eq "the payload got WATCHDOG_USEC" 2000000 "$(cat "$ROOT/out/dog-watchdog-usec" 2>/dev/null)"
expect_eq "5 s with WatchdogSec=2s and WATCHDOG=1 pings: no restart" 0 "$(prop cell@dog.service NRestarts)"
expect_eq "the same cell still runs" "$dogpid" "$(prop cell@dog.service MainPID)"
restarts=$(prop cell@dog.service NRestarts)
touch "$ROOT/out/dog-stop"
restarted() { [ "$(prop cell@dog.service NRestarts)" -gt "$restarts" ]; }
if wait_for 8 restarted; then
        ok "without WATCHDOG=1 systemd restarts it (NRestarts=$(prop cell@dog.service NRestarts))"
else
        fail "no restart 8 s after the pings stopped (NRestarts=$(prop cell@dog.service NRestarts), ActiveState=$(prop cell@dog.service ActiveState))"
fi
check "the journal names the watchdog" sh -c "'$SEALED' run journalctl --no-pager -u cell@dog.service | grep -qi 'watchdog timeout'"
# systemd's act is SIGABRT to cell-monitor alone (KillMode=mixed): a stop of
# the payload (KillSignal=), said, not a core of cell-monitor and the
# payload killed after it.
check "the watchdog's SIGABRT stopped the payload with KillSignal=" test -s "$ROOT/out/dog-term"
check "cell says why it stops the payload" sh -c "'$SEALED' run journalctl --no-pager -u cell@dog.service | grep -q 'SIGABRT: stopping the payload'"
check "the service failed of the watchdog" sh -c "'$SEALED' run journalctl --no-pager -u cell@dog.service | grep -q \"result 'watchdog'\""
check "cell-monitor did not die of SIGABRT" sh -c "! '$SEALED' run journalctl --no-pager -u cell@dog.service | grep -qE 'status=6/ABRT|dumped core'"
in_sealed systemctl stop cell@dog.service

# --- the rest of the payload's watchdog (sd_notify(3)): WATCHDOG_USEC= sets
# a new timeout, WATCHDOG=trigger fails it at once
write_payload wdog-payload <<'EOF'
trap 'echo term >> /out/wdog-term; exit 0' TERM
notify-probe WATCHDOG_USEC=30000000
while [ ! -e /out/wdog-trigger ]; do sleep 0.1; done
rm -f /out/wdog-trigger
notify-probe WATCHDOG=trigger
sleep 1000 & wait
EOF
install_cell wdog <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/wdog-payload
EOF
install_dropin cell@wdog.service watchdog <<'EOF'
[Service]
WatchdogSec=3s
Restart=on-failure
RestartSec=500ms
EOF
rm -f "$ROOT/out/wdog-trigger"
in_sealed systemctl start cell@wdog.service
sleep 7
expect_eq "WATCHDOG_USEC=30 s, then no pings: no restart 7 s into WatchdogSec=3s" 0 "$(prop cell@wdog.service NRestarts)"
wdog_restarts=$(prop cell@wdog.service NRestarts)
touch "$ROOT/out/wdog-trigger"
wdog_restarted() { [ "$(prop cell@wdog.service NRestarts)" -gt "$wdog_restarts" ]; }
if wait_for 5 wdog_restarted; then
        ok "WATCHDOG=trigger: systemd acts at once (NRestarts=$(prop cell@wdog.service NRestarts))"
else
        fail "no restart 5 s after WATCHDOG=trigger (ActiveState=$(prop cell@wdog.service ActiveState))"
fi
check "the journal names the payload's request" sh -c "'$SEALED' run journalctl --no-pager -u cell@wdog.service | grep -q 'Watchdog request'"
check "WATCHDOG=trigger: the payload stopped with KillSignal=, cell-monitor not aborted" test -s "$ROOT/out/wdog-term"
in_sealed systemctl stop cell@wdog.service

# --- a template instance whose name has an '@': cell@worker@3
write_payload worker-payload <<'EOF'
trap 'exit 0' TERM
echo "$1" > /out/worker-instance
notify-probe READY=1
sleep 1000 & wait
EOF
install_cell 'worker@' <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/worker-payload %i
NotifyReady=yes
EOF
if in_sealed systemctl start 'cell@worker@3.service'; then
        ok "systemctl start cell@worker@3 works"
else
        fail "systemctl start cell@worker@3 failed"
fi
expect_eq "systemd takes 'worker@3' as the instance" 'cell@worker@3.service' "$(prop 'cell@worker@3.service' Id)"
expect_eq "cell runs worker@.cell with %i = 3" 3 "$(cat "$ROOT/out/worker-instance" 2>/dev/null)"
# '@' is not allowed in a scope name: escaped as systemd-escape does
worker_scope="cell-$(systemd-escape 'worker@3').scope"
expect_eq "its scope $worker_scope runs" active "$(prop "$worker_scope" ActiveState)"
in_sealed systemctl stop 'cell@worker@3.service'

finish
