#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell list/status/stop/kill/exec against a real systemd (the sealed one of
# tests/integration/systemd/lib.sh, used as it is): a cell@web service with
# its scope, then a cell run with the cgroupfs manager found through
# /run/cell/NAME/state, then a cell@ service whose payload runs in the
# service's own cgroup (Delegate=yes, the cgroupfs manager: no scope).
. "$(dirname "$0")/../systemd/lib.sh"

setup_cell
chmod 0777 "$ROOT/out"
mkdir -p "$ROOT/www"
echo "hello from web" > "$ROOT/www/index.html"

# PID 1 of the container is this shell: it answers TERM (KillSignal=) and
# USR1 (cell kill) and keeps busybox httpd running on 127.0.0.1:8080.
write_payload web-payload <<'EOF'
trap 'echo usr1 >> /out/usr1' USR1
trap 'echo term > /out/term; kill $httpd; exit 0' TERM
httpd -f -p 8080 -h /www & httpd=$!
while :; do sleep 1 & wait $!; done
EOF
web_unit() {
        cat <<EOF
[Unit]
Description=lifecycle web
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/web-payload
EOF
}
web_unit | install_cell web
# Restart=always: "cell stop" must stop the service for good, not the scope
# alone (systemd would start it again).
install_dropin cell@web.service restart <<'EOF'
[Service]
Restart=always
RestartSec=200ms
EOF

cell() { in_sealed "$CELL" "$@"; }
json_get() {    # json_get KEY < json: the value (lists: the first element's)
        python3 -c 'import json, sys
v = json.load(sys.stdin)
v = v[0] if isinstance(v, list) else v
print(v.get(sys.argv[1]))' "$1"
}

# --no-block and a bounded wait: a start that hangs fails here, in seconds.
in_sealed systemctl start --no-block cell@web.service
wait_for 15 state_is cell@web.service active ||
        die "cell@web did not start (ActiveState=$(prop cell@web.service ActiveState))"
expect_eq "cell@web is active" active "$(prop cell@web.service ActiveState)"

# --- list and status
list=$(cell list)
check "cell list shows web with its scope" grep -qE '^web +systemd +cell-web\.scope +[0-9]+ +active/running' <<<"$list"
json=$(cell list --json)
expect_eq "list --json: one cell" 1 "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <<<"$json")"
expect_eq "list --json: name" web "$(json_get name <<<"$json")"
expect_eq "list --json: manager" systemd "$(json_get manager <<<"$json")"
expect_eq "list --json: the service it runs in" cell@web.service "$(json_get service <<<"$json")"
expect_eq "list --json: slice" machine.slice "$(json_get slice <<<"$json")"
pid=$(json_get pid <<<"$json")
# The PID is the container's PID 1: PID 1 of the PID namespace below the sealed one.
expect_eq "list --json: pid is the container's PID 1" 1 "$(in_sealed awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")"
if controller_available pids; then
        check "list --json: tasks counted" test "$(json_get tasks_current <<<"$json")" -ge 2
else
        expect_eq "list --json: no pids controller, tasks unknown" None "$(json_get tasks_current <<<"$json")"
fi

status=$(cell status web); rc=$?
expect_eq "cell status web exits 0" 0 "$rc"
check "status names the service cell runs in" grep -q "Service: cell@web.service" <<<"$status"
check "status shows the scope's description" grep -q "cell web: lifecycle web" <<<"$status"
check "status shows the PID" grep -q "PID: $pid " <<<"$status"
expect_eq "status --json: running" True "$(cell status --json web | json_get running)"

# --- exec
expect_eq "exec: wget inside reaches the private-network httpd" "hello from web" \
        "$(cell exec web wget -qO- http://127.0.0.1:8080/)"
expect_eq "exec: the container's hostname (UTS namespace)" web "$(cell exec web hostname)"
expect_eq "exec: its PID namespace (PID 1 is the payload)" /bin/sh "$(cell exec web sh -c 'tr "\0" " " < /proc/1/cmdline | cut -d" " -f1')"
expect_eq "exec: its root" "hello from web" "$(cell exec web cat /www/index.html)"
# The unit's environment and working directory as the payload's, the plan
# recomputed from the unit as it is now: PassEnvironment= from cell exec's
# own environment, UnsetEnvironment= last (cell's own variables too),
# WorkingDirectory=- falling back to "/".
{ web_unit; printf '%s\n' "Environment=UNIT=1 GONE=1" "PassEnvironment=CELLTEST_PASSED" \
        "UnsetEnvironment=GONE container" "WorkingDirectory=-/nosuchdir"; } | install_cell web
env_out=$(in_sealed env CELLTEST_PASSED=caller "$CELL" exec web env)
check "exec: PassEnvironment= from cell exec's own" grep -qx CELLTEST_PASSED=caller <<<"$env_out"
check "exec: Environment=" grep -qx UNIT=1 <<<"$env_out"
check "exec: UnsetEnvironment= of Environment='s GONE and cell's container" \
        sh -c '! printf "%s\n" "$1" | grep -qE "^(GONE|container)="' _ "$env_out"
expect_eq "exec: WorkingDirectory=-/nosuchdir starts in /" / "$(cell exec web pwd)"
web_unit | install_cell web
cg=$(cell exec web cat /proc/self/cgroup)
check "exec: its cgroup namespace (0::/)" grep -qx '0::/' <<<"$cg"
for f in CapEff CapBnd CapPrm NoNewPrivs Seccomp; do
        expect_eq "exec: $f as the payload's" \
                "$(cell exec web awk -v k="$f:" '$1 == k {print $2}' /proc/1/status)" \
                "$(cell exec web awk -v k="$f:" '$1 == k {print $2}' /proc/self/status)"
done
expect_eq "exec: the seccomp filter is on" 2 "$(cell exec web awk '$1 == "Seccomp:" {print $2}' /proc/self/status)"
# ... compiled through the host's cache, as cell run's: written when missing,
# read back the next time (the same file, not written again). In the sealed
# systemd's /var/cache/cell, as cell@web's (in_sealed).
in_sealed sh -c 'rm -f /var/cache/cell/seccomp/*.bpf'
cell exec web true
expect_eq "exec: its filter is cached" 1 "$(in_sealed sh -c 'ls /var/cache/cell/seccomp/*.bpf | wc -l')"
ino=$(in_sealed sh -c 'stat -c %i /var/cache/cell/seccomp/*.bpf')
cell exec web true
expect_eq "exec: and read back the next time" "$ino" "$(in_sealed sh -c 'stat -c %i /var/cache/cell/seccomp/*.bpf')"
fds=$(in_sealed sh -c "exec 7</dev/null; '$CELL' exec web ls /proc/self/fd" | tr '\n' ' ')
check "exec: an fd of the caller does not reach the command ($fds)" sh -c '! echo "$1" | grep -qw 7' _ "$fds"
cell exec web sh -c 'exit 7'
expect_eq "exec: the command's exit status" 7 "$?"
cell exec web sh -c 'kill -TERM $$'
expect_eq "exec: 128+N when the command dies of signal N" 143 "$?"
out=$(cell exec web no-such-command 2>&1); rc=$?
expect_eq "exec: a missing command exits 127, as from a shell" 127 "$rc"
check "exec: and says so" grep -q "no-such-command: not found in the container" <<<"$out"

# The command runs in the scope's cgroup (systemd sees it there).
in_sealed "$CELL" exec web sleep 30 &
HOST_PIDS+=($!)
in_scope() { in_sealed systemctl status --no-pager cell-web.scope | matches 'sleep 30'; }
check "exec: the command is in cell-web.scope" wait_for 5 in_scope
# SIGTERM to cell exec reaches the command; cell exec exits with its status.
execpid=$(in_sealed pgrep -f "^$CELL exec web sleep 30" | head -n 1)
if [ -n "$execpid" ]; then
        in_sealed kill -TERM "$execpid"
        wait "${HOST_PIDS[-1]}"
        expect_eq "exec: SIGTERM is passed on, 128+15 comes back" 143 "$?"
        check "exec: the command is gone from the scope" sh -c "! '$SEALED' run systemctl status --no-pager cell-web.scope | grep -q 'sleep 30'"
else
        fail "exec: cell exec web sleep 30 is not running"
fi

# --- kill
cell kill web USR1
expect_eq "cell kill web USR1 exits 0" 0 "$?"
got_usr1() { [ -s "$ROOT/out/usr1" ]; }
check "the payload got SIGUSR1" wait_for 5 got_usr1
expect_eq "cell kill with an unknown signal: usage error" 2 "$(cell kill web NOPE 2>/dev/null; echo $?)"

# --- the plan is recomputed from the unit: a broken unit is refused
printf '[Root]\nDirectory=relative\n' | install_cell web
expect_eq "exec with the unit now invalid exits 1" 1 "$(cell exec web true 2>/dev/null; echo $?)"
in_sealed rm /run/cell/web.cell
expect_eq "exec with the unit file now gone exits 1" 1 "$(cell exec web true 2>/dev/null; echo $?)"
web_unit | install_cell web

# --- stop
cell stop web
expect_eq "cell stop web exits 0" 0 "$?"
expect_eq "the payload got its KillSignal (SIGTERM)" term "$(cat "$ROOT/out/term" 2>/dev/null)"
sleep 1
expect_eq "cell@web is stopped for good (Restart=always did not bring it back)" inactive \
        "$(prop cell@web.service ActiveState)"
expect_eq "its scope is gone" inactive "$(prop cell-web.scope ActiveState)"
check "no process of the exec is left" sh -c "! '$SEALED' run pgrep -x sleep >/dev/null"
expect_eq "status of a stopped cell exits 3" 3 "$(cell status web >/dev/null; echo $?)"
expect_eq "status --json of a stopped cell" False "$(cell status --json web | json_get running)"
expect_eq "stop of a stopped cell exits 3" 3 "$(cell stop web 2>/dev/null; echo $?)"
expect_eq "kill of a stopped cell exits 3" 3 "$(cell kill web 2>/dev/null; echo $?)"
expect_eq "exec in a stopped cell exits 3" 3 "$(cell exec web true 2>/dev/null; echo $?)"
expect_eq "list --json is empty" "[]" "$(cell list --json | tr -d ' \n')"

# --- cell run by hand: a scope of its own, then the cgroupfs manager, found
# through /run/cell/plain/state
# A child of the init says whether SIGTERM reached it too (the init takes 0.2 s
# to end, time for the child's trap, which the init's end would cut short).
# /out/plain-armed once both have their traps: the init is PID 1, which the
# kernel spares a signal it has no handler for, and its scope is active, its
# state written, before it has run a line (plain_armed, before each signal).
write_payload plain-payload <<'EOF'
trap 'sleep 0.2; echo term > /out/plain-term; exit 0' TERM
trap 'echo usr1 >> /out/plain-usr1' USR1
( trap 'echo signalled > /out/plain-child; exit 0' TERM; trap '' USR1; : > /out/plain-child-armed
  while :; do sleep 1000 & wait $!; done ) &
while [ ! -e /out/plain-child-armed ]; do sleep 0.05; done
: > /out/plain-armed
while :; do sleep 1 & wait $!; done
EOF
plain_armed() { [ -e "$ROOT/out/plain-armed" ]; }
rm -f "$ROOT/out/plain-armed" "$ROOT/out/plain-child-armed"
install_cell plain <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/plain-payload
User=nobody
EOF
# --- first as a scope of its own, from a login-shell-like scope (no service):
# "cell stop" asks its "cell run" (the parent of the container's init), which
# sends KillSignal= to the init alone; systemd would signal every process.
"$SEALED" run "$CELL" run plain > "$WORK/plain-scope.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
check "cell run plain (systemd) starts its scope" wait_for 10 state_is cell-plain.scope active
json=$(cell list --json)
expect_eq "list --json: the scope of a cell run by hand" cell-plain.scope "$(json_get scope <<<"$json")"
expect_eq "list --json: it runs in no service" None "$(json_get service <<<"$json")"
sup=$(json_get supervisor_pid <<<"$json")
# (cell, or after a second cell-monitor, which cell becomes: test-monitor.sh)
check "list --json: its supervisor is its cell run" grep -qxE 'cell|cell-monitor' <<<"$(in_sealed cat "/proc/$sup/comm" 2>/dev/null)"
check "the payload has set its traps" wait_for 20 plain_armed
cell kill --all plain USR1
got_plain_usr1() { [ -s "$ROOT/out/plain-usr1" ]; }
check "cell kill --all: the payload got SIGUSR1 (every process of the scope's cgroup, PID 1 last)" wait_for 5 got_plain_usr1
cell stop plain
expect_eq "cell stop plain (scope) exits 0" 0 "$?"
expect_eq "the payload got SIGTERM" term "$(cat "$ROOT/out/plain-term" 2>/dev/null)"
expect_eq "... from cell run, to the init alone (none reached its child)" "" "$(cat "$ROOT/out/plain-child" 2>/dev/null)"
rm -f "$ROOT/out/plain-child"
runner_gone() { ! kill -0 "$runner" 2>/dev/null; }
check "cell run has exited" wait_for 5 runner_gone
expect_eq "the scope is gone" inactive "$(prop cell-plain.scope ActiveState)"
rm -f "$ROOT/out/plain-term" "$ROOT/out/plain-armed" "$ROOT/out/plain-child-armed"

# --- the same from inside a service cell is not the main process of (a
# script's, a runner's; user@UID.service for a desktop's terminal): the scope
# binds to that service, but "cell stop" is no reason to stop it.
in_sealed systemd-run --quiet --unit=plain-runner.service \
        /bin/sh -c "'$CELL' run plain > /run/plain-runner.log 2>&1; exec sleep 1000"
check "cell run plain inside plain-runner.service starts its scope" wait_for 10 state_is cell-plain.scope active
expect_eq "its scope is part of that service" plain-runner.service "$(prop cell-plain.scope PartOf)"
json=$(cell list --json)
expect_eq "list --json: cell is not that service's main process: no service" None "$(json_get service <<<"$json")"
check "the payload has set its traps" wait_for 20 plain_armed
cell stop plain
expect_eq "cell stop plain (scope, in a service not cell's) exits 0" 0 "$?"
expect_eq "the payload got SIGTERM from cell run" term "$(cat "$ROOT/out/plain-term" 2>/dev/null)"
check "the scope is gone" wait_for 5 state_is cell-plain.scope inactive
expect_eq "plain-runner.service was not stopped" active "$(prop plain-runner.service ActiveState)"
in_sealed systemctl stop plain-runner.service
rm -f "$ROOT/out/plain-term" "$ROOT/out/plain-child" "$ROOT/out/plain-armed" "$ROOT/out/plain-child-armed"

# --- then with the cgroupfs manager
"$SEALED" run "$CELL" run --cgroup-manager=cgroupfs plain > "$WORK/plain.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
has_state() { in_sealed test -s /run/cell/plain/state; }
check "cell run (cgroupfs) writes /run/cell/plain/state" wait_for 10 has_state
json=$(cell list --json)
expect_eq "list --json: the cgroupfs cell" plain "$(json_get name <<<"$json")"
expect_eq "list --json: its manager" cgroupfs "$(json_get manager <<<"$json")"
expect_eq "status: running" 0 "$(cell status plain >/dev/null; echo $?)"
expect_eq "exec: as the unit's User=" 65534 "$(cell exec plain id -u)"
check "exec: in the cell's cgroup namespace" sh -c "'$SEALED' run '$CELL' exec plain cat /proc/self/cgroup | grep -qx '0::/'"
check "the payload has set its traps" wait_for 20 plain_armed
cell stop plain
expect_eq "cell stop plain exits 0" 0 "$?"
expect_eq "the cgroupfs payload got SIGTERM" term "$(cat "$ROOT/out/plain-term" 2>/dev/null)"
expect_eq "... to the init alone (none reached its child)" "" "$(cat "$ROOT/out/plain-child" 2>/dev/null)"
check "cell run has exited" wait_for 5 runner_gone
check "its runtime state is removed" sh -c "! '$SEALED' run test -e /run/cell/plain"
expect_eq "status: not running" 3 "$(cell status plain >/dev/null; echo $?)"

# --- and the cgroupfs manager inside a service cell is not the main process
# of: its runtime state names that service, but "cell stop" asks cell run.
rm -f "$ROOT/out/plain-term" "$ROOT/out/plain-child" "$ROOT/out/plain-armed" "$ROOT/out/plain-child-armed"
in_sealed systemd-run --quiet --unit=plain-runner2.service \
        /bin/sh -c "'$CELL' run --cgroup-manager=cgroupfs plain > /run/plain-runner2.log 2>&1; exec sleep 1000"
check "cell run (cgroupfs) inside plain-runner2.service writes its state" wait_for 10 has_state
json=$(cell list --json | python3 -c 'import json, sys; print(json.dumps([c for c in json.load(sys.stdin) if c["name"] == "plain"]))')
expect_eq "list --json: no service for a cgroupfs cell that is not its main process" None "$(json_get service <<<"$json")"
check "status names no service for it" sh -c "! '$SEALED' run '$CELL' status plain | grep -q 'Service:'"
check "the payload has set its traps" wait_for 20 plain_armed
cell stop plain
expect_eq "cell stop plain (cgroupfs, in a service not cell's) exits 0" 0 "$?"
expect_eq "the payload got SIGTERM from cell run" term "$(cat "$ROOT/out/plain-term" 2>/dev/null)"
check "its runtime state is removed" sh -c "! '$SEALED' run test -e /run/cell/plain"
expect_eq "plain-runner2.service was not stopped" active "$(prop plain-runner2.service ActiveState)"
in_sealed systemctl stop plain-runner2.service
rm -f "$ROOT/out/plain-term" "$ROOT/out/plain-child"

# --- a service with the container in its own cgroup (cell@.service(8),
# CUSTOMIZING): no scope; cell list names the service, and cell stop stops
# the service for good (Restart=always), not only its cell.
rm -f "$ROOT/out/plain-term" "$ROOT/out/plain-child" "$ROOT/out/plain-armed" "$ROOT/out/plain-child-armed"
install_cell own < <(sed 's/^Exec=.*/Exec=\/bin\/plain-payload/' <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=x
EOF
)
install_dropin cell@own.service own-cgroup <<EOF
[Service]
Delegate=yes
ExecStart=
ExecStart=$CELL run --cgroup-manager=cgroupfs -- %i
Restart=always
RestartSec=200ms
EOF
check "cell@own starts" in_sealed systemctl start cell@own.service
svc=$(host_cgroup2_of cell@own.service) || svc=
check "the payload runs in the service's cgroup, below cell-own" grep -q . "$svc/cell-own/cgroup.procs"
expect_eq "no scope for it" not-found "$(prop cell-own.scope LoadState)"
json=$(cell list --json | python3 -c 'import json, sys; print(json.dumps([c for c in json.load(sys.stdin) if c["name"] == "own"]))')
expect_eq "list --json: its manager" cgroupfs "$(json_get manager <<<"$json")"
expect_eq "list --json: the service it runs in" cell@own.service "$(json_get service <<<"$json")"
# Its tasks are those of its own pids cgroup (the cgroupfs manager's default
# TasksMax=: v1's pids hierarchy on hybrid), never the service's count, which
# has cell in it; unknown where it has none.
pids=$(host_cgroup_of pids cell@own.service 2>/dev/null)/cell-own
if [ -e "$pids/pids.current" ]; then
        expect_eq "list --json: the tasks of its own pids cgroup" "$(cat "$pids/pids.current")" \
                "$(json_get tasks_current <<<"$json")"
        check "... under the default TasksMax= (not max)" grep -qx '[0-9]*' "$pids/pids.max"
elif [ ! -e "$svc/cell-own/pids.current" ]; then
        expect_eq "list --json: no pids cgroup of its own, tasks unknown" None "$(json_get tasks_current <<<"$json")"
fi
check "status names the service" sh -c "'$SEALED' run '$CELL' status own | grep -q 'Service: cell@own.service'"
check "the payload has set its traps" wait_for 20 plain_armed
cell stop own
expect_eq "cell stop own exits 0" 0 "$?"
expect_eq "the payload got SIGTERM, from cell, to the init alone" "term/" \
        "$(cat "$ROOT/out/plain-term" 2>/dev/null)/$(cat "$ROOT/out/plain-child" 2>/dev/null)"
sleep 0.5       # past RestartSec=: a restart would show now
expect_eq "the service is stopped, not restarted" inactive "$(prop cell@own.service ActiveState)"
check "its cgroup is gone" sh -c "! test -d '$svc'"
check "its runtime state is removed" sh -c "! '$SEALED' run test -e /run/cell/own"

# --- --user where $XDG_RUNTIME_DIR is not set (cron, sudo -u, su): the user's
# manager has a cell's scope (its transient unit file below /run/user/UID),
# and its bus cannot be found: "cannot tell" (2), as without the system bus,
# not "not running" (3) nor "No cells." (0), which a script takes for a
# stopped cell. A name it has no scope of is not running (3).
in_sealed sh -c 'mkdir -p /run/user/0/systemd/transient && : > /run/user/0/systemd/transient/cell-userweb.scope'
nouser() { in_sealed env -u XDG_RUNTIME_DIR -u DBUS_SESSION_BUS_ADDRESS "$CELL" "$@"; }
expect_eq "status --user of a cell in a user scope, no user bus to ask" 2 "$(nouser status --user userweb >/dev/null 2>&1; echo $?)"
expect_eq "stop --user of it" 2 "$(nouser stop --user userweb >/dev/null 2>&1; echo $?)"
expect_eq "list --user with it" 2 "$(nouser list --user >/dev/null 2>&1; echo $?)"
expect_eq "status --user of a name the user's manager has no scope of" 3 \
        "$(nouser status --user nosuch >/dev/null 2>&1; echo $?)"
in_sealed rm -r /run/user/0

# --- Init=yes: the container's PID 1 is cell's reaper, which cannot catch
# SIGSTOP to pass it on: "cell kill NAME STOP" is refused (2), naming --all,
# rather than stopping the reaper alone while the payload ran on; --all
# stops every process.
write_payload reaped <<'EOF'
while :; do sleep 1 & wait $!; done
EOF
install_cell reaped <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/reaped
Init=yes
EOF
"$SEALED" run "$CELL" run --cgroup-manager=cgroupfs reaped > "$WORK/reaped.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
reaped_runs() { in_sealed test -s /run/cell/reaped/state; }
check "reaped (Init=yes) runs" wait_for 10 reaped_runs
leader=$(in_sealed sed -n 's/^LEADER=//p' /run/cell/reaped/state)
out=$(cell kill reaped STOP 2>&1)
expect_eq "kill reaped STOP (Init=yes): refused, exit 2" 2 "$?"
check "... the message names --all" grep -q -- "--all reaped STOP" <<<"$out"
expect_eq "... its reaper is not stopped" S \
        "$(in_sealed awk '$1 == "State:" { print $2 }' "/proc/$leader/status")"
expect_eq "kill --all reaped STOP: exit 0" 0 "$(cell kill --all reaped STOP >/dev/null 2>&1; echo $?)"
check "... its reaper is stopped" wait_for 5 sh -c "[ \"\$('$SEALED' run awk '\$1 == \"State:\" { print \$2 }' /proc/$leader/status)\" = T ]"
cell kill --all reaped CONT
cell stop reaped
expect_eq "cell stop reaped exits 0" 0 "$?"
check "its cell run has exited" wait_for 5 runner_gone

finish
