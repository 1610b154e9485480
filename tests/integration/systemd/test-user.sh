#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell run --user: the scope is the user's service manager's (root's
# user@0.service, started in the sealed systemd as logind would), below its
# machine.slice, bound to the user unit cell runs in; cell list/status/stop
# --user find it there. A cell that is not its user service's main process
# leaves that service alone; a payload's exit status comes through; and
# --register=yes is refused, machined being the system's.
. "$(dirname "$0")/lib.sh"

setup_cell
in_sealed systemctl start user@0.service || die "user@0.service did not start"
U=(env XDG_RUNTIME_DIR=/run/user/0 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus)
wait_for 10 in_sealed test -S /run/user/0/bus || die "no user bus at /run/user/0/bus"
uprop() { in_sealed "${U[@]}" systemctl --user show -P "$2" "$1"; }
ugone() { [ "$(uprop "$1" LoadState)" = not-found ]; }
ustate_is() { [ "$(uprop "$1" ActiveState)" = "$2" ]; }
ucell() { in_sealed "${U[@]}" "$CELL" "$@"; }
json_get() {    # json_get NAME KEY < cell list --json: KEY of the cell NAME
        python3 -c 'import json, sys
v = [c for c in json.load(sys.stdin) if c["name"] == sys.argv[1]]
print(v[0].get(sys.argv[2]) if v else "absent")' "$1" "$2"
}

write_payload user-payload <<'EOF'
trap 'echo term > /out/user-term; exit 0' TERM
: > /out/user-started
while :; do sleep 1 & wait; done
EOF
cat > "$WORK/u.cell" <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/user-payload
EOF

# --- cell run --user as the main process of a user service
in_sealed "${U[@]}" systemd-run --user --quiet --unit=urunner.service "$CELL" run --user "$WORK/u.cell"
check "cell run --user starts its scope in the user manager" wait_for 10 ustate_is cell-u.scope active
expect_eq "the scope lies below user@0.service's machine.slice" \
        /user.slice/user-0.slice/user@0.service/machine.slice/cell-u.scope "$(uprop cell-u.scope ControlGroup)"
expect_eq "it is part of the user unit cell runs in" urunner.service "$(uprop cell-u.scope PartOf)"
expect_eq "the system's manager has no such scope" not-found "$(prop cell-u.scope LoadState)"
check "the payload runs" wait_for 20 test -e "$ROOT/out/user-started"
json=$(ucell list --user --json)
expect_eq "list --user --json: its manager" systemd "$(json_get u manager <<<"$json")"
expect_eq "list --user --json: cell is the main process of urunner.service" urunner.service \
        "$(json_get u service <<<"$json")"
expect_eq "list (the system's) does not show it" absent "$(in_sealed "$CELL" list --json | json_get u name)"
check "status --user names the service" sh -c "'$SEALED' run ${U[*]} '$CELL' status --user u | grep -q 'Service: urunner.service'"
ucell stop --user u
expect_eq "cell stop --user exits 0" 0 "$?"
expect_eq "the payload got SIGTERM" term "$(cat "$ROOT/out/user-term" 2>/dev/null)"
expect_eq "urunner.service is stopped, not failed" inactive/success \
        "$(uprop urunner.service ActiveState)/$(uprop urunner.service Result)"
check "the scope is gone" wait_for 5 ugone cell-u.scope

# --- inside a user service cell is not the main process of
rm -f "$ROOT/out/user-term" "$ROOT/out/user-started"
in_sealed "${U[@]}" systemd-run --user --quiet --unit=urunner2.service \
        /bin/sh -c "'$CELL' run --user '$WORK/u.cell'; exec sleep 1000"
check "cell run --user inside urunner2.service starts its scope" wait_for 10 ustate_is cell-u.scope active
expect_eq "it is part of urunner2.service" urunner2.service "$(uprop cell-u.scope PartOf)"
expect_eq "list --user --json: not that service's main process: no service" None \
        "$(ucell list --user --json | json_get u service)"
# /out/user-started comes after its trap; an active scope is no sign of it
# (the payload, PID 1, ignores a SIGTERM before it).
check "the payload runs" wait_for 20 test -e "$ROOT/out/user-started"
ucell stop --user u
expect_eq "cell stop --user exits 0" 0 "$?"
expect_eq "the payload got SIGTERM from cell run" term "$(cat "$ROOT/out/user-term" 2>/dev/null)"
expect_eq "urunner2.service was not stopped" active "$(uprop urunner2.service ActiveState)"
in_sealed "${U[@]}" systemctl --user stop urunner2.service

# --- from a login shell (no user unit): the exit status comes through
cat > "$WORK/ex.cell" <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sh -c 'exit 7'
EOF
ucell run --user "$WORK/ex.cell"
expect_eq "cell run --user: the payload's exit status" 7 "$?"
# The scope ends on its own once the payload exits; the user manager collects it soon after.
check "... no scope left" wait_for 5 ugone cell-ex.scope

# --- --user with no user bus to be found: the start fails naming it, rather
# than fall back to cgroupfs (a cgroup below cell's own, unnoticed)
out=$(in_sealed env -u XDG_RUNTIME_DIR -u DBUS_SESSION_BUS_ADDRESS "$CELL" run --user "$WORK/ex.cell" 2>&1)
expect_eq "--user without a user bus: exit 2, not the payload's 7" 2 "$?"
check "... naming the user bus ($out)" grep -q "cannot connect to the user bus" <<<"$out"
expect_eq "... no cgroupfs run was made" "" "$(in_sealed sh -c 'ls /run/cell/ex 2>/dev/null')"

# --- --register=yes with --user: machined is the system's
out=$(ucell run --user --register=yes "$WORK/ex.cell" 2>&1)
expect_eq "--user --register=yes is refused: exit 2" 2 "$?"
check "... saying why ($out)" grep -q "(--user)" <<<"$out"
expect_eq "... nothing was made" not-found "$(uprop cell-ex.scope LoadState)"

# --- cell@NAME.service under the user's manager (cell@.service(8), THE
# USER'S SERVICE MANAGER: the template with "cell run --user"): cell stop
# --user stops that service, a running one and one in its RestartSec= gap
sed "s|^ExecStart=[^ ]*/cell run |ExecStart=$CELL run --user |" "$CELL_SERVICE" |
        in_sealed sh -c 'mkdir -p /run/systemd/user && cat > /run/systemd/user/cell@.service'
in_sealed sh -c 'mkdir -p /run/systemd/user/cell@.service.d &&
        printf "[Service]\nTimeoutStartSec=20s\nTimeoutStopSec=20s\n" \
                > /run/systemd/user/cell@.service.d/test-timeout.conf'
install_cell uw <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/user-payload
EOF
write_payload user-crash <<'EOF'
echo run >> /out/user-crash-runs
sleep 0.3
exit 1
EOF
install_cell ucrash <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/user-crash
EOF
in_sealed sh -c 'mkdir -p /run/systemd/user/cell@ucrash.service.d &&
        printf "[Service]\nRestart=always\nRestartSec=3\n" > /run/systemd/user/cell@ucrash.service.d/restart.conf'
in_sealed "${U[@]}" systemctl --user daemon-reload
rm -f "$ROOT/out/user-term" "$ROOT/out/user-started"
in_sealed "${U[@]}" systemctl --user start --no-block cell@uw.service
check "the user's cell@uw.service starts" wait_for 15 ustate_is cell@uw.service active
expect_eq "... its scope is the user manager's, part of it" "active cell@uw.service" \
        "$(uprop cell-uw.scope ActiveState) $(uprop cell-uw.scope PartOf)"
expect_eq "list --user --json: cell@uw.service is its service" cell@uw.service \
        "$(ucell list --user --json | json_get uw service)"
expect_eq "cell stop uw (the system's): not running, exit 3" 3 "$(in_sealed "$CELL" stop uw >/dev/null 2>&1; echo $?)"
expect_eq "... the user's service runs on" active "$(uprop cell@uw.service ActiveState)"
check "... its payload's trap is set" wait_for 20 test -e "$ROOT/out/user-started"
out=$(ucell stop --user uw 2>&1); rc=$?
expect_eq "cell stop --user uw: exit 0 ($out)" 0 "$rc"
expect_eq "... the payload got SIGTERM" term "$(cat "$ROOT/out/user-term" 2>/dev/null)"
expect_eq "... cell@uw.service is stopped, not failed" inactive/success \
        "$(uprop cell@uw.service ActiveState)/$(uprop cell@uw.service Result)"
check "... the scope is gone" wait_for 5 ugone cell-uw.scope
expect_eq "cell stop --user uw again: not running, exit 3" 3 "$(ucell stop --user uw >/dev/null 2>&1; echo $?)"

rm -f "$ROOT/out/user-crash-runs"
in_sealed "${U[@]}" systemctl --user start --no-block cell@ucrash.service
ugap() { [ "$(uprop cell@ucrash.service SubState)" = auto-restart ]; }
check "the user's cell@ucrash.service crashed and waits out its RestartSec=" wait_for 10 ugap
expect_eq "cell stop ucrash (the system's): not running, exit 3" 3 \
        "$(in_sealed "$CELL" stop ucrash >/dev/null 2>&1; echo $?)"
out=$(ucell stop --user ucrash 2>&1); rc=$?
expect_eq "cell stop --user ucrash in its RestartSec= gap: exit 0 ($out)" 0 "$rc"
expect_eq "... the user's cell@ucrash.service is stopped" inactive "$(uprop cell@ucrash.service ActiveState)"
sleep 3.5       # RestartSec= is over: a restart would have begun
expect_eq "... and Restart=always did not start it again" "inactive 1" \
        "$(uprop cell@ucrash.service ActiveState) $(wc -l < "$ROOT/out/user-crash-runs")"

in_sealed systemctl stop user@0.service
finish
