#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A unit alias in a real systemd (cell.syntax(7), ALIASES AND LINKED UNIT
# FILES): /run/cell/web.cell -> nginx.cell makes "web" another name of the
# unit nginx. cell@web.service runs the cell nginx (its scope, hostname,
# cell list entry), with web.cell.d/'s drop-ins; cell status/exec/stop given
# web act on nginx; and nginx cannot be started a second time under either
# name while it runs: the systemd scope's name refuses it, and with the
# cgroupfs manager the name lock does.
. "$(dirname "$0")/../systemd/lib.sh"

setup_cell

write_payload alias-payload <<'EOF'
trap 'echo term > /out/term; exit 0' TERM
while :; do sleep 1 & wait $!; done
EOF
install_cell nginx <<EOF
[Unit]
Description=alias test nginx
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/alias-payload
Environment=UNIT=%n
EOF
in_sealed ln -s nginx.cell /run/cell/web.cell
# The alias's drop-ins apply to the unit, whichever name starts it.
in_sealed sh -c 'mkdir -p /run/cell/web.cell.d && printf "[Exec]\nEnvironment=VIA=web\n" > /run/cell/web.cell.d/10-via.conf'

cell() { in_sealed "$CELL" "$@"; }
json_get() {    # json_get KEY < json: the value (lists: the first element's)
        python3 -c 'import json, sys
v = json.load(sys.stdin)
v = v[0] if isinstance(v, list) else v
print(v.get(sys.argv[1]))' "$1"
}
term_seen() { [ -s "$ROOT/out/term" ]; }

# --- cell@web.service: the systemd manager, a scope named after the unit
in_sealed systemctl start --no-block cell@web.service
wait_for 15 state_is cell@web.service active ||
        die "cell@web did not start (ActiveState=$(prop cell@web.service ActiveState))"
expect_eq "the scope is nginx's" active "$(prop cell-nginx.scope ActiveState)"
expect_eq "there is no scope of web" inactive "$(prop cell-web.scope ActiveState)"
json=$(cell list --json)
expect_eq "cell list: one cell" 1 "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <<<"$json")"
expect_eq "cell list: it is nginx" nginx "$(json_get name <<<"$json")"
expect_eq "cell list: in nginx's scope" cell-nginx.scope "$(json_get scope <<<"$json")"
expect_eq "cell list: started by cell@web.service" cell@web.service "$(json_get service <<<"$json")"

status=$(cell status web); rc=$?
expect_eq "cell status web exits 0" 0 "$rc"
check "status of web shows the cell nginx" grep -q "cell nginx: alias test nginx" <<<"$status"
expect_eq "cell status nginx too" 0 "$(cell status nginx >/dev/null; echo $?)"
expect_eq "exec by the alias: the container's hostname is nginx" nginx "$(cell exec web hostname)"
env_out=$(cell exec web env)
check "exec: the specifiers are the unit's (UNIT=nginx.cell)" grep -qx UNIT=nginx.cell <<<"$env_out"
check "exec: the alias's drop-in applies (VIA=web)" grep -qx VIA=web <<<"$env_out"
expect_eq "the payload's environment has it too" web \
        "$(cell exec web sh -c 'tr "\0" "\n" < /proc/1/environ | sed -n "s/^VIA=//p"')"

# A second start of nginx, by either name, is refused while it runs (one
# that is not would run in the foreground: timeout ends it, exit 124).
for name in nginx web; do
        out=$(in_sealed timeout 10 "$CELL" run "$name" 2>&1); rc=$?
        expect_eq "cell run $name while nginx runs fails (exit 2)" 2 "$rc"
        check "and says nginx is already running ($name)" grep -q "cell nginx is already running" <<<"$out"
done
expect_eq "cell@web is still active" active "$(prop cell@web.service ActiveState)"

cell stop web
expect_eq "cell stop web exits 0" 0 "$?"
check "the payload got SIGTERM" wait_for 5 term_seen
check "cell@web is stopped" wait_for 10 state_is cell@web.service inactive
expect_eq "nginx's scope is gone" inactive "$(prop cell-nginx.scope ActiveState)"
expect_eq "status web: not running (exit 3)" 3 "$(cell status web >/dev/null 2>&1; echo $?)"
expect_eq "cell list is empty" "[]" "$(cell list --json | tr -d ' \n')"
rm -f "$ROOT/out/term"

# --- cell run web with the cgroupfs manager: the runtime state and the name
# lock are nginx's.
"$SEALED" run "$CELL" run --cgroup-manager=cgroupfs web > "$WORK/web.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
has_state() { in_sealed test -s /run/cell/nginx/state; }
check "cell run web (cgroupfs) writes /run/cell/nginx/state" wait_for 10 has_state
check "and no state of web" in_sealed test ! -e /run/cell/web
check "it holds nginx's name lock" in_sealed test -e /run/cell/lock/nginx.lock
json=$(cell list --json)
expect_eq "cell list: the cgroupfs cell is nginx" nginx "$(json_get name <<<"$json")"
expect_eq "cell list: its manager" cgroupfs "$(json_get manager <<<"$json")"
for name in nginx web; do
        out=$(in_sealed timeout 10 "$CELL" run --cgroup-manager=cgroupfs "$name" 2>&1); rc=$?
        expect_eq "cell run $name (cgroupfs) while nginx runs fails (exit 2)" 2 "$rc"
        check "refused by the name lock ($name)" \
                grep -q "cell nginx is already running (PID [0-9]* holds /run/cell/lock/nginx.lock)" <<<"$out"
done
expect_eq "status web: running" 0 "$(cell status web >/dev/null; echo $?)"
expect_eq "exec by the alias" nginx "$(cell exec web hostname)"
# cell exec reloads the unit from the file the runtime state names, with
# the cell's name: the alias's drop-in still applies.
check "exec: the alias's drop-in applies (VIA=web)" sh -c "'$SEALED' run '$CELL' exec web env | grep -qx VIA=web"
cell stop web
expect_eq "cell stop web (cgroupfs) exits 0" 0 "$?"
check "the payload got SIGTERM" wait_for 5 term_seen
runner_gone() { ! kill -0 "$runner" 2>/dev/null; }
check "cell run has exited" wait_for 10 runner_gone
check "nginx's runtime state is removed" sh -c "! '$SEALED' run test -e /run/cell/nginx"
check "and its name lock" sh -c "! '$SEALED' run test -e /run/cell/lock/nginx.lock"


# --- services of either name with no cell running: systemd knows nothing of
# the alias (cell@crash.service and cell@crashalias.service are two units,
# both running the cell crash), so "cell stop" of either name stops every
# cell@ service of the unit that waits out its RestartSec= or is starting.
# It looked only for cell@NAME.service: "not running" (exit 3), and systemd
# started the cell again.
write_payload crash-payload <<'EOF'
echo run >> /out/crash-runs
sleep 0.3
exit 1
EOF
install_cell crash <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/crash-payload
EOF
in_sealed ln -s crash.cell /run/cell/crashalias.cell
for n in crash crashalias; do
        in_sealed sh -c "mkdir -p /run/systemd/system/cell@$n.service.d &&
                printf '[Service]\nRestart=always\nRestartSec=3\n' > /run/systemd/system/cell@$n.service.d/restart.conf"
done
in_sealed systemctl daemon-reload
in_gap() { [ "$(prop "$1" SubState)" = auto-restart ]; }
runs() { wc -l < "$ROOT/out/crash-runs" 2>/dev/null || echo 0; }
for pair in crash:crashalias crashalias:crash; do
        svc=cell@${pair%%:*}.service by=${pair#*:}
        rm -f "$ROOT/out/crash-runs"
        in_sealed systemctl start --no-block "$svc"
        check "$svc crashed and waits out its RestartSec=" wait_for 10 in_gap "$svc"
        out=$(cell stop "$by" 2>&1); rc=$?
        expect_eq "cell stop $by in the RestartSec= gap of $svc: exit 0 ($out)" 0 "$rc"
        expect_eq "... $svc is stopped" inactive "$(prop "$svc" ActiveState)"
        sleep 3.5       # RestartSec= is over: a restart would have begun
        expect_eq "... and Restart=always did not start it again" "inactive 1" \
                "$(prop "$svc" ActiveState) $(runs)"
        in_sealed systemctl reset-failed "$svc" 2>/dev/null
done
expect_eq "cell stop crashalias with neither service loaded: not running (exit 3)" 3 \
        "$(cell stop crashalias >/dev/null 2>&1; echo $?)"

# --- both names enabled: cell@web.service runs nginx, cell@nginx.service
# fails ("already running") and waits out its RestartSec=; "cell stop nginx"
# stopped cell@web.service alone, and cell@nginx.service started nginx again.
in_sealed sh -c 'mkdir -p /run/systemd/system/cell@nginx.service.d &&
        printf "[Service]\nRestart=always\nRestartSec=2\n" > /run/systemd/system/cell@nginx.service.d/restart.conf'
in_sealed systemctl daemon-reload
in_sealed systemctl start --no-block cell@web.service
check "cell@web.service runs nginx" wait_for 15 state_is cell@web.service active
in_sealed systemctl start --no-block cell@nginx.service
check "cell@nginx.service fails beside it and waits out its RestartSec=" wait_for 10 in_gap cell@nginx.service
out=$(cell stop nginx 2>&1); rc=$?
expect_eq "cell stop nginx: exit 0 ($out)" 0 "$rc"
expect_eq "... cell@web.service and cell@nginx.service are both stopped" "inactive inactive" \
        "$(prop cell@web.service ActiveState) $(prop cell@nginx.service ActiveState)"
sleep 2.5       # RestartSec= is over
expect_eq "... and nginx was not started again" "inactive 3" \
        "$(prop cell@nginx.service ActiveState) $(cell status nginx >/dev/null 2>&1; echo $?)"
in_sealed systemctl reset-failed cell@nginx.service cell@web.service 2>/dev/null
rm -f "$ROOT/out/term"

finish
