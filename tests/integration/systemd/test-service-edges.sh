#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell@.service at the edges the other service tests leave out: systemctl
# restart before READY=1 and while the container stops; systemctl status
# (Main PID, the service's cgroup, Status:); systemctl kill --kill-whom=main;
# a payload that ignores SIGTERM against the unit's TimeoutStopSec= (and an
# infinite one against the service's); Restart=on-failure to
# StartLimitBurst=; exit 133 outside Boot=yes; cell stop with Restart=always
# and before READY=1; systemctl kill before READY=1 (failed: protocol);
# TimeoutStartSec= and RuntimeMaxSec= running out (a graceful stop); a
# unit broken while it runs, then restarted (its error at err in the
# journal); a payload that outlives a SIGKILL of cell (no parent-death
# signal), with Restart=on-failure and without; a unit with PartOf= services
# of its own; the same name in the system's and root's user manager.
. "$(dirname "$0")/lib.sh"

setup_cell

show() { in_sealed systemctl show -P "$2" "$1"; }
has() { grep -qF -- "$1" <<< "$2"; }
runs() { tr '\n' , < "$ROOT/out/$1" 2>/dev/null | sed 's/,$//'; }

# READY=1 only when /out/go-N exists (N: the run's argument), so that the
# test holds the container in its start as long as it likes.
write_payload slow <<'EOF'
trap 'echo "stopped $1" >> /out/slow-runs; exit 0' TERM
echo "started $1" >> /out/slow-runs
while [ ! -e "/out/go-$1" ]; do sleep 0.1; done
notify-probe READY=1 "STATUS=ready $1"
while :; do sleep 0.1; done
EOF

# slow_unit N: slow.cell, its payload "/bin/slow N".
slow_unit() {
        install_cell slow <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/slow $1
NotifyReady=yes
EOF
}

# --- systemctl restart before READY=1: the starting container is stopped
# (its KillSignal=), a new one starts, and only it is left
slow_unit one
rm -f "$ROOT/out/slow-runs" "$ROOT/out/go-"*
in_sealed systemctl start --no-block cell@slow.service
if ! wait_for 10 grep -qx "started one" "$ROOT/out/slow-runs"; then
        fail "restart before READY=1: the first run did not start"
else
        expect_eq "restart before READY=1: activating" activating "$(show cell@slow.service ActiveState)"
        first=$(show cell@slow.service MainPID)
        slow_unit two
        in_sealed systemctl restart --no-block cell@slow.service
        check "... the new run starts" wait_for 10 grep -qx "started two" "$ROOT/out/slow-runs"
        expect_eq "... after the first stopped" "started one,stopped one,started two" "$(runs slow-runs)"
        check "... with a new cell" test "$first" != "$(show cell@slow.service MainPID)"
        check "... the old cell is gone" sh -c "! '$SEALED' run kill -0 $first 2>/dev/null"
        : > "$ROOT/out/go-two"
        check "... READY=1 of the new run makes it active" wait_for 10 state_is cell@slow.service active
        expect_eq "... with its status" "slow: ready two" "$(show cell@slow.service StatusText)"
        expect_eq "... and one scope" "cell-slow.scope" \
                "$(in_sealed systemctl list-units --no-legend --plain 'cell-slow*.scope' | awk '{ print $1 }')"
fi

# --- systemctl status: Main PID is cell's, the CGroup tree of the service
# is cell alone (the payload is in the scope), Status: is the payload's
st=$(in_sealed systemctl status --no-pager -n0 cell@slow.service 2>&1)
mp=$(show cell@slow.service MainPID)
check "systemctl status: Main PID is cell's ($mp)" has "Main PID: $mp " "$st"
check "... Status: the payload's, with the cell's name" has 'Status: "slow: ready two"' "$st"
expect_eq "... the service's cgroup holds cell alone" "$mp" \
        "$(in_sealed cat "/sys/fs/cgroup$( [ "$SEALED_CGROUP" = v2 ] || echo /unified)$(show cell@slow.service ControlGroup)/cgroup.procs" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
check "... the scope's status shows the payload" \
        sh -c "'$SEALED' run systemctl status --no-pager -n0 cell-slow.scope | grep -q 'slow two'"

# --- systemctl restart while the container stops: the payload takes 1.5 s
# to handle its SIGTERM; a restart queued during the stop runs once it is
# over, and only the new container is left
write_payload lazy <<'EOF'
trap 'echo "stopping $1" >> /out/lazy-runs; sleep 1.5; echo "stopped $1" >> /out/lazy-runs; exit 0' TERM
echo "started $1" >> /out/lazy-runs
while :; do sleep 0.1; done
EOF
install_cell lazy <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/lazy one
EOF
rm -f "$ROOT/out/lazy-runs"
in_sealed systemctl start cell@lazy.service
# "started one" after its trap: a stop before it the PID 1 shell ignores.
check "lazy: the payload's trap is set" wait_for 20 grep -qx "started one" "$ROOT/out/lazy-runs"
in_sealed systemctl stop --no-block cell@lazy.service
check "restart while stopping: the stop is under way" wait_for 5 grep -qx "stopping one" "$ROOT/out/lazy-runs"
check "... systemctl restart" in_sealed systemctl restart cell@lazy.service
check "... active again" wait_for 10 state_is cell@lazy.service active
wait_for 20 sh -c "[ \$(wc -l < '$ROOT/out/lazy-runs') -ge 4 ]" || true
expect_eq "... the old one stopped in full before the new one started" \
        "started one,stopping one,stopped one,started one" "$(runs lazy-runs)"

# --- systemctl kill --kill-whom=main --signal=SIGHUP: cell is the main
# process, and forwards it to the payload; the service runs on
write_payload hup <<'EOF'
trap 'echo HUP >> /out/hup-signals' HUP
trap 'exit 0' TERM
: > /out/hup-up
while :; do sleep 0.1; done
EOF
install_cell hup <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/hup
EOF
rm -f "$ROOT/out/hup-signals" "$ROOT/out/hup-up"
in_sealed systemctl start cell@hup.service
# /out/hup-up: its traps are set (its READY=1, cell's, comes before its first line).
check "cell@hup: the payload's traps are set" wait_for 20 test -e "$ROOT/out/hup-up"
# past the hand-over to cell-monitor: the same PID, by exec
check "... handed over to cell-monitor" wait_for 5 handed_over cell@hup.service
mp=$(show cell@hup.service MainPID)
in_sealed systemctl kill --kill-whom=main --signal=SIGHUP cell@hup.service
check "systemctl kill --kill-whom=main --signal=SIGHUP reaches the payload" wait_for 3 grep -qx HUP "$ROOT/out/hup-signals"
expect_eq "... and the service runs on, with the same cell" "active $mp" \
        "$(show cell@hup.service ActiveState) $(show cell@hup.service MainPID)"
# --kill-whom=main with SIGTERM is a stop, as systemctl kill's default
in_sealed systemctl kill --kill-whom=main cell@hup.service
check "systemctl kill --kill-whom=main (SIGTERM): the service ends" wait_for 10 state_is cell@hup.service inactive
expect_eq "... not failed" success "$(show cell@hup.service Result)"

# --- a payload that ignores SIGTERM: the unit's TimeoutStopSec= (2 s)
# decides when cell kills it, not the service's (20 s here); the stop is
# a stop that needed SIGKILL is no orderly one: cell exits 137 and the
# service fails, as systemd fails a service of its own whose stop timed out
# (cell(1), EXIT STATUS; cell@.service(8), KillMode=mixed)
write_payload deaf <<'EOF'
trap '' TERM
: > /out/deaf-up
while :; do sleep 0.1; done
EOF
install_cell deaf <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/deaf
TimeoutStopSec=2s
EOF
rm -f "$ROOT/out/deaf-up"
in_sealed systemctl start cell@deaf.service
check "cell@deaf: the payload runs" wait_for 20 test -e "$ROOT/out/deaf-up"
t0=$SECONDS
in_sealed systemctl stop cell@deaf.service
t=$((SECONDS - t0))
# At most 15 s, not 6: a loaded machine's slack; still short of the service's 20 s.
check "a payload deaf to SIGTERM: stopped after the unit's TimeoutStopSec= ($t s)" test "$t" -ge 1 -a "$t" -le 15
expect_eq "... failed, with 137" "failed exit-code 137" \
        "$(show cell@deaf.service ActiveState) $(show cell@deaf.service Result) $(show cell@deaf.service ExecMainStatus)"
check "... the scope is gone" wait_for 5 unit_gone cell-deaf.scope
check "... cell's journal says why, at warning" \
        sh -c "'$SEALED' run journalctl --no-pager -p warning -u cell@deaf.service | grep -q 'killing it (SIGKILL)'"
in_sealed systemctl reset-failed cell@deaf.service 2>/dev/null

# --- TimeoutStopSec=infinity in the unit, a payload deaf to SIGTERM: the
# service's own TimeoutStopSec= (3 s in a drop-in) stands (cell@.service(8),
# CUSTOMIZING); systemd's SIGKILL to cell takes the container with it
# (PR_SET_PDEATHSIG), and the scope goes with the service
install_cell deaf <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/deaf
TimeoutStopSec=infinity
EOF
# Named to sort after the suite's test-timeout.conf (20 s), which would win.
install_dropin cell@deaf.service zz-stop <<'EOF'
[Service]
TimeoutStopSec=3s
EOF
rm -f "$ROOT/out/deaf-up"
in_sealed systemctl start cell@deaf.service
check "cell@deaf (infinity): the payload runs" wait_for 20 test -e "$ROOT/out/deaf-up"
# past the hand-over: cell-monitor is what systemd kills
check "... handed over to cell-monitor" wait_for 5 handed_over cell@deaf.service
t0=$SECONDS
in_sealed systemctl stop cell@deaf.service
t=$((SECONDS - t0))
# At most 15 s, not 8: a loaded machine's slack; still short of the suite's 20 s.
check "TimeoutStopSec=infinity, deaf payload: the service's 3 s stand ($t s)" test "$t" -ge 2 -a "$t" -le 15
expect_eq "... failed by its timeout" "failed timeout" \
        "$(show cell@deaf.service ActiveState) $(show cell@deaf.service Result)"
check "... the scope is gone" wait_for 5 unit_gone cell-deaf.scope
check "... and no payload is left" wait_for 5 sh -c "test -z \"\$(pgrep -f '^/bin/sh /bin/deaf')\""
in_sealed systemctl reset-failed cell@deaf.service 2>/dev/null

# --- Restart=on-failure with a payload that exits 1: restarted every
# RestartSec=, until StartLimitBurst= says no more
write_payload one <<'EOF'
echo run >> /out/one-runs
sleep 0.2
exit 1
EOF
install_cell one <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/one
EOF
install_dropin cell@one.service restart <<'EOF'
[Unit]
StartLimitIntervalSec=60s
StartLimitBurst=3
[Service]
Restart=on-failure
RestartSec=300ms
EOF
rm -f "$ROOT/out/one-runs"
in_sealed systemctl start --no-block cell@one.service
check "exit 1 with Restart=on-failure: failed in the end" wait_for 20 state_is cell@one.service failed
sleep 1         # RestartSec= is over: a fourth run would have begun
# The first failure's result stands (systemd keeps it over start-limit-hit).
expect_eq "... by the start limit, after 3 runs" "exit-code 1 3" \
        "$(show cell@one.service Result) $(show cell@one.service ExecMainStatus) $(wc -l < "$ROOT/out/one-runs")"
check "... which systemd says" sh -c "'$SEALED' run journalctl --no-pager -u cell@one.service | grep -q 'Start request repeated too quickly'"
in_sealed systemctl reset-failed cell@one.service 2>/dev/null

# --- exit 133 outside Boot=yes: RestartForceExitStatus=133 starts it again
# (cell@.service(8)); its own exit status 133 is no failure
write_payload r133 <<'EOF'
echo run >> /out/reboot-runs
[ "$(wc -l < /out/reboot-runs)" -ge 2 ] && { trap 'exit 0' TERM; : > /out/reboot-armed; while :; do sleep 0.1; done; }
sleep 0.3
exit 133
EOF
install_cell reboot <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/r133
EOF
rm -f "$ROOT/out/reboot-runs" "$ROOT/out/reboot-armed"
in_sealed systemctl start --no-block cell@reboot.service
check "exit 133, no Restart=: started again" wait_for 10 restarted_once cell@reboot.service
expect_eq "... two runs" 2 "$(wc -l < "$ROOT/out/reboot-runs")"
# The second run is active (cell's READY=1) before its shell set the trap
# (PID 1: a SIGTERM before it is ignored, and the stop ended in SIGKILL).
check "... its trap is set" wait_for 20 test -e "$ROOT/out/reboot-armed"
in_sealed systemctl stop cell@reboot.service
expect_eq "... then stopped: inactive" "inactive success" \
        "$(show cell@reboot.service ActiveState) $(show cell@reboot.service Result)"

# --- cell stop of a service with Restart=always: the service stops (it is
# not merely the payload that ends, which Restart=always would start again)
install_dropin cell@hup.service restart <<'EOF'
[Service]
Restart=always
RestartSec=300ms
EOF
rm -f "$ROOT/out/hup-up"
in_sealed systemctl start cell@hup.service
check "cell@hup (Restart=always): the payload's traps are set" wait_for 20 test -e "$ROOT/out/hup-up"
check "cell stop hup (Restart=always)" in_sealed "$CELL" stop hup
sleep 1         # RestartSec= is over: a restart would have begun
expect_eq "... the service is inactive, not failed, and not started again" "inactive success 0" \
        "$(show cell@hup.service ActiveState) $(show cell@hup.service Result) $(show cell@hup.service NRestarts)"

# --- systemctl kill (SIGTERM, no stop job) before READY=1: cell stops
# the container, but a Type=notify service whose main process exits before
# READY=1 is failed (result protocol), as systemd fails one of its own that
# a SIGTERM ends while it starts (cell@.service(8), SIGNALS AND RELOAD)
slow_unit three
in_sealed systemctl stop cell@slow.service
rm -f "$ROOT/out/slow-runs" "$ROOT/out/go-"*
in_sealed systemctl start --no-block cell@slow.service
check "slow three: the payload's trap is set" wait_for 20 grep -qx "started three" "$ROOT/out/slow-runs"
# past the hand-over: cell-monitor takes it
check "... handed over to cell-monitor before READY=1" wait_for 5 handed_over cell@slow.service
in_sealed systemctl kill cell@slow.service
check "systemctl kill before READY=1: the service ends" wait_for 10 ended cell@slow.service
expect_eq "... failed, result protocol, the payload stopped by its KillSignal=" \
        "failed protocol started three,stopped three" \
        "$(show cell@slow.service ActiveState) $(show cell@slow.service Result) $(runs slow-runs)"
check "... and the scope is gone" wait_for 5 unit_gone cell-slow.scope
in_sealed systemctl reset-failed cell@slow.service 2>/dev/null

# --- cell stop before READY=1: the service is stopped (a stop job), so it
# ends inactive, not failed as after a bare SIGTERM (above)
slow_unit four
rm -f "$ROOT/out/slow-runs" "$ROOT/out/go-"*
in_sealed systemctl start --no-block cell@slow.service
check "slow four: the payload's trap is set" wait_for 20 grep -qx "started four" "$ROOT/out/slow-runs"
check "... handed over to cell-monitor before READY=1" wait_for 5 handed_over cell@slow.service
check "cell stop slow before READY=1" in_sealed "$CELL" stop slow
expect_eq "... the service is inactive, not failed" "inactive success" \
        "$(show cell@slow.service ActiveState) $(show cell@slow.service Result)"
expect_eq "... the payload stopped by its KillSignal=" "started four,stopped four" "$(runs slow-runs)"

# --- the service deactivates without a stop job: TimeoutStartSec= or
# RuntimeMaxSec= runs out. systemd sends SIGTERM to cell alone
# (KillMode=mixed), which stops the container gracefully: its KillSignal= to
# the init alone, as systemd-nspawn@.service's nspawn does. The scope was
# BindsTo= the service, and systemd stopped it at once as well, signalling
# every process of the container. The init takes a second to end, time for
# a signalled child to say so.
write_payload timely <<'EOF'
trap 'echo term >> /out/timely-init; sleep 1; exit 0' TERM
sh -c 'trap "echo term >> /out/timely-child; exit 0" TERM; : > /out/timely-armed; while :; do sleep 0.1; done' &
while [ ! -e /out/timely-armed ]; do sleep 0.05; done
[ "$1" = ready ] && notify-probe READY=1
while :; do sleep 0.1; done
EOF
for how in TimeoutStartSec RuntimeMaxSec; do
        arg=; [ "$how" = RuntimeMaxSec ] && arg=ready
        install_cell timely <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/timely $arg
NotifyReady=yes
EOF
        printf '[Service]\n%s=3s\n' "$how" | install_dropin cell@timely.service zz-limit
        rm -f "$ROOT/out/timely-"*
        in_sealed systemctl start --no-block cell@timely.service
        check "$how=3s: the payload's traps are set" wait_for 10 test -e "$ROOT/out/timely-armed"
        check "... the service ends once it ran out" wait_for 15 ended cell@timely.service
        expect_eq "... failed by it" "failed timeout" "$(show cell@timely.service ActiveState) $(show cell@timely.service Result)"
        expect_eq "... the container's init got SIGTERM" term "$(cat "$ROOT/out/timely-init" 2>/dev/null)"
        expect_eq "... no other process of the container did" "" "$(cat "$ROOT/out/timely-child" 2>/dev/null)"
        check "... the scope is gone" wait_for 5 unit_gone cell-timely.scope
        in_sealed systemctl reset-failed cell@timely.service 2>/dev/null || true
done

# --- a unit broken while it runs, then systemctl restart: the old
# container stops, the start fails naming the file and line, at err
slow_unit five
: > "$ROOT/out/go-five"
in_sealed systemctl start cell@slow.service
install_cell slow <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/slow five
NotifyReady=maybe
EOF
in_sealed systemctl restart cell@slow.service 2>/dev/null
expect_eq "restart with a broken unit: failed, exit 1" "failed exit-code 1" \
        "$(show cell@slow.service ActiveState) $(show cell@slow.service Result) $(show cell@slow.service ExecMainStatus)"
check "... the old container stopped" grep -qx "stopped five" "$ROOT/out/slow-runs"
check "... the scope is gone" wait_for 5 unit_gone cell-slow.scope
check "... journalctl -p err names the file, line and key" sh -c "'$SEALED' run journalctl --no-pager -p err -u cell@slow.service | grep -q '/run/cell/slow.cell:5.*NotifyReady'"
in_sealed systemctl reset-failed cell@slow.service 2>/dev/null

# --- a payload that is PID 1 (no Init=yes) and clears its parent-death
# signal (notify-probe --no-pdeathsig: prctl(PR_SET_PDEATHSIG, 0), then
# exec) runs on when cell is SIGKILLed (cell(1), run). The scope is PartOf=
# the service, not BindsTo= it: the service fails, the scope stays with the
# payload in it until the service's next cell (cell@.service(8), RESTARTING).
write_payload runaway <<'EOF'
trap 'echo stopped >> /out/runaway-runs; exit 0' TERM
echo started >> /out/runaway-runs
: > /out/runaway-up
while :; do sleep 0.1; done
EOF
install_cell runaway <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/notify-probe --no-pdeathsig /bin/runaway
EOF
runaway_pid() { procs_matching /bin/runaway; }
cell_list_has() { in_sealed "$CELL" list | grep -q "$1"; }
# start_and_kill_cell WHAT: cell@runaway up, its cell-monitor SIGKILLed
start_and_kill_cell() {
        rm -f "$ROOT/out/runaway-"*
        in_sealed systemctl start cell@runaway.service
        check "$1: the payload runs" wait_for 20 test -e "$ROOT/out/runaway-up"
        check "... handed over to cell-monitor" wait_for 5 handed_over cell@runaway.service
        runaway=$(runaway_pid)
        in_sealed systemctl kill --signal=SIGKILL cell@runaway.service
}
runaway_gone() {
        check "... the scope is gone" wait_for 10 unit_gone cell-runaway.scope
        check "... its cgroup too" wait_for 5 eval '! cgroup_exists /machine.slice/cell-runaway.scope'
        expect_eq "... the payload had the scope's KillSignal=, and no process of it is left" "$1 " \
                "$(runs runaway-runs) $(runaway_pid)"
}
# A new payload, not the one that ran on, and the journal's word on it.
runaway_replaced() {
        local new
        check "... its container up again" wait_for 20 eval '[ "$(runs runaway-runs)" = started,started ]'
        new=$(runaway_pid)
        expect_eq "... the old payload gone, a new one running" yes \
                "$([ -n "$new" ] && [ "$new" != "$runaway" ] && echo yes)"
        check "... the old one killed by the next cell, which said so" sh -c "'$SEALED' run journalctl \
                --no-pager -u cell@runaway.service | grep -q 'cell-runaway.scope: left running by a killed cell of \
cell@runaway.service (PID [0-9]*): killing it.'"
}

# Restart=on-failure: the automatic restart's cell finds the scope of its
# own service's killed cell with the payload in it, kills it (SIGKILL, as
# systemd ends what a dead main process left) and starts the container
# again. systemctl stop then stops that one gracefully.
install_dropin cell@runaway.service restart <<'EOF'
[Unit]
StartLimitIntervalSec=60s
StartLimitBurst=3
[Service]
Restart=on-failure
RestartSec=300ms
EOF
start_and_kill_cell "runaway, Restart=on-failure"
check "... the service is restarted once" wait_for 20 restarted_once cell@runaway.service
runaway_replaced
check "systemctl stop of the restarted service" in_sealed systemctl stop cell@runaway.service
runaway_gone started,started,stopped
in_sealed rm -r /run/systemd/system/cell@runaway.service.d
in_sealed systemctl daemon-reload
in_sealed systemctl reset-failed cell@runaway.service 2>/dev/null

# No Restart=: the service fails (signal), the scope stays with the payload
# in it and cell list shows it; systemctl start kills it and starts anew.
start_and_kill_cell "runaway, no Restart="
check "... the service fails" wait_for 10 state_is cell@runaway.service failed
expect_eq "... by the signal, the payload running on in its scope" "signal active $runaway" \
        "$(show cell@runaway.service Result) $(show cell-runaway.scope ActiveState) $(runaway_pid)"
check "... cell list shows it" cell_list_has '^runaway .*cell-runaway\.scope'
check "systemctl start" in_sealed systemctl start cell@runaway.service
runaway_replaced
check "cell stop runaway" in_sealed "$CELL" stop runaway
runaway_gone started,started,stopped
check "... cell list no longer shows it" eval "! cell_list_has '^runaway '"
check "... and no runtime state is left" eval '! in_sealed test -e /run/cell/runaway'
in_sealed systemctl reset-failed cell@runaway.service 2>/dev/null

# --- a unit with PartOf= services of its own: the scope's PartOf= lists
# them beside cell@NAME.service, in systemd's order (its hash table's: with
# sixteen, cell@NAME.service is seldom the first). cell status and list
# name the service whose main process the cell is, and cell stop stops it
# (not the scope alone, which Restart=always would start again).
install_cell partof <<EOF
[Unit]
PartOf=a-partof.service b-partof.service c-partof.service d-partof.service e-partof.service f-partof.service g-partof.service h-partof.service
PartOf=i-partof.service j-partof.service k-partof.service l-partof.service m-partof.service n-partof.service o-partof.service p-partof.service
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sleep 1000
Init=yes
EOF
install_dropin cell@partof.service always <<'EOF'
[Service]
Restart=always
RestartSec=100ms
EOF
in_sealed systemctl start cell@partof.service
check "PartOf= of the unit's own: started" wait_for 10 state_is cell@partof.service active
status_service() { in_sealed "$CELL" status --json partof | python3 -c 'import json, sys; print(json.load(sys.stdin)["service"])'; }
expect_eq "... cell status names the service cell runs in" cell@partof.service "$(status_service)"
check "cell stop partof" in_sealed "$CELL" stop partof
expect_eq "... stops the service, not restarted" "inactive 0" \
        "$(show cell@partof.service ActiveState) $(show cell@partof.service NRestarts)"
check "... the scope is gone" wait_for 10 unit_gone cell-partof.scope
in_sealed rm -r /run/systemd/system/cell@partof.service.d
in_sealed systemctl daemon-reload

# --- the same name in the system's manager and in root's user manager
# (cell@.service(8), THE USER'S SERVICE MANAGER): two containers, each
# listed and stopped by its own manager's cell list/stop
in_sealed systemctl start user@0.service || die "user@0.service did not start"
U=(env XDG_RUNTIME_DIR=/run/user/0 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus)
wait_for 10 in_sealed test -S /run/user/0/bus || die "no user bus at /run/user/0/bus"
uprop() { in_sealed "${U[@]}" systemctl --user show -P "$2" "$1"; }
sed "s|^ExecStart=[^ ]*/cell run |ExecStart=$CELL run --user |" "$CELL_SERVICE" |
        in_sealed sh -c 'mkdir -p /run/systemd/user && cat > /run/systemd/user/cell@.service'
in_sealed "${U[@]}" systemctl --user daemon-reload
# Each stopped once its payload's traps are set (PID 1 ignores a SIGTERM
# before, and the stop ends in SIGKILL): one start at a time, for /out/hup-up.
rm -f "$ROOT/out/hup-up"
in_sealed systemctl start cell@hup.service
check "cell@hup (system): the payload's traps are set" wait_for 20 test -e "$ROOT/out/hup-up"
rm -f "$ROOT/out/hup-up"
in_sealed "${U[@]}" systemctl --user start cell@hup.service
check "cell@hup (user): the payload's traps are set" wait_for 20 test -e "$ROOT/out/hup-up"
expect_eq "cell@hup in both managers: both active" "active active" \
        "$(show cell@hup.service ActiveState) $(uprop cell@hup.service ActiveState)"
pid_of() { python3 -c 'import json, sys; print([c for c in json.load(sys.stdin) if c["name"] == "hup"][0]["pid"])'; }
sys_pid=$(in_sealed "$CELL" list --json | pid_of)
usr_pid=$(in_sealed "${U[@]}" "$CELL" list --user --json | pid_of)
check "... two containers ($sys_pid, $usr_pid)" test -n "$sys_pid" -a -n "$usr_pid" -a "$sys_pid" != "$usr_pid"
check "cell stop hup" in_sealed "$CELL" stop hup
expect_eq "... stops the system's alone" "inactive active" \
        "$(show cell@hup.service ActiveState) $(uprop cell@hup.service ActiveState)"
check "cell stop --user hup" in_sealed "${U[@]}" "$CELL" stop --user hup
expect_eq "... stops the user's" "inactive success" \
        "$(uprop cell@hup.service ActiveState) $(uprop cell@hup.service Result)"
in_sealed systemctl stop user@0.service

finish
