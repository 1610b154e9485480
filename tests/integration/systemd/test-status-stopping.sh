#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A cell whose scope systemd stops ("deactivating/stop-sigterm": its payload
# ignores the KillSignal= and runs on until TimeoutStopSec=) is shown by cell
# status and cell list, but not as running: cell status exits 3, as
# "systemctl status" of a unit not active, and the JSON says "running":
# false with that state; it said "running": true and exited 0. cell kill
# still reaches it (SIGKILL ends the wait).
. "$(dirname "$0")/lib.sh"

setup_cell

# Ignored signals stay ignored across exec: the sleeps too.
write_payload stubborn <<'EOF'
trap '' TERM USR2 INT HUP
: > /out/started
while :; do sleep 1; done
EOF
install_cell stubborn <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/stubborn
TimeoutStopSec=60
EOF
scope=cell-stubborn.scope
json_get() {    # json_get KEY < one STATUS JSON object
        python3 -c 'import json, sys
v = json.load(sys.stdin)[sys.argv[1]]
print(str(v).lower() if isinstance(v, bool) else v)' "$1"
}
list_get() {    # list_get NAME KEY < cell list --json
        python3 -c 'import json, sys
v = [c[sys.argv[2]] for c in json.load(sys.stdin) if c["name"] == sys.argv[1]]
print("absent" if not v else str(v[0]).lower() if isinstance(v[0], bool) else v[0])' "$1" "$2"
}

rm -f "$ROOT/out/started"
in_sealed systemctl start cell@stubborn.service || die "cell@stubborn did not start"
wait_for 10 test -e "$ROOT/out/started" || die "the payload did not start"

# Running: 0, "running": true (as before).
expect_eq "active: cell status exits 0" 0 "$(in_sealed "$CELL" status stubborn >/dev/null 2>&1; echo $?)"
expect_eq "active: \"running\"" true "$(in_sealed "$CELL" status --json stubborn | json_get running)"

in_sealed systemctl stop --no-block "$scope"
wait_for 10 state_is "$scope" deactivating || die "$scope is not deactivating ($(prop "$scope" ActiveState))"

out=$(in_sealed "$CELL" status stubborn 2>&1)
rc=$?
expect_eq "deactivating: cell status exits 3, as systemctl status" 3 "$rc"
check "deactivating: cell status shows its state" matches "State: deactivating/stop-sigterm" <<< "$out"
check "deactivating: cell status says it is stopping" matches -F "(stopping: not running" <<< "$out"
check "deactivating: cell status still shows its PID 1" matches "PID: [0-9]* (the container's PID 1)" <<< "$out"
json=$(in_sealed "$CELL" status --json stubborn 2>/dev/null)
expect_eq "deactivating: status --json \"running\"" false "$(json_get running <<< "$json")"
expect_eq "deactivating: status --json \"state\"" deactivating/stop-sigterm "$(json_get state <<< "$json")"
list=$(in_sealed "$CELL" list --json 2>/dev/null)
expect_eq "deactivating: list --json \"running\"" false "$(list_get stubborn running <<< "$list")"
expect_eq "deactivating: list --json \"state\"" deactivating/stop-sigterm "$(list_get stubborn state <<< "$list")"

# cell kill reaches a cell systemd stops: SIGKILL ends its wait.
expect_eq "deactivating: cell kill --all KILL exits 0" 0 \
        "$(in_sealed "$CELL" kill --all stubborn KILL >/dev/null 2>&1; echo $?)"
check "after the kill: $scope is gone" wait_for 10 unit_gone "$scope"
expect_eq "after the kill: cell status exits 3" 3 "$(in_sealed "$CELL" status stubborn >/dev/null 2>&1; echo $?)"

finish
