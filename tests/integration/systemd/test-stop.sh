#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Stopping: "systemctl stop cell@hello" and "systemctl stop cell-hello.scope"
# both stop the payload with its KillSignal= and leave no scope and no cgroup;
# through the service only the container's init gets it (cell's graceful stop
# comes before the scope's own: Before=); SIGKILL to cell itself takes the
# payload down within a second and the scope is collected; a graceful stop
# longer than the service's own TimeoutStopSec= runs its course.
. "$(dirname "$0")/lib.sh"

setup_cell

# KillSignal=SIGUSR2, so that a plain SIGTERM reaching the payload shows. A
# child of the init says whether a signal reached it too (the init takes 0.2 s
# to end, time for the child's trap, which the init's end would cut short).
# The init's sleep ignores the signal: systemd signals the scope's processes
# until no new one appears, and a sleep it found and killed ended the init
# at once, before the child's trap ran (seen in CI: 48 ms, no "signalled").
write_payload stop-payload <<'EOF'
trap 'trap "" USR2 TERM; sleep 0.2; echo USR2 > /out/signal; exit 0' USR2
trap 'echo TERM > /out/signal; exit 0' TERM
echo "$$" > /out/started
( trap 'echo signalled > /out/child; exit 0' USR2 TERM; : > /out/child-ready; sleep 1000 & wait ) &
wait
EOF
install_cell hello <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/stop-payload
KillSignal=SIGUSR2
EOF
scope=cell-hello.scope

start_hello() {
        rm -f "$ROOT/out/signal" "$ROOT/out/started" "$ROOT/out/child" "$ROOT/out/child-ready"
        # The child's trap must be in place before a stop, or USR2 would end it
        # before it could say so.
        if ! in_sealed systemctl start cell@hello.service || ! wait_for 5 test -e "$ROOT/out/started" ||
           ! wait_for 5 test -e "$ROOT/out/child-ready"; then
                # nothing to stop; the other cases would only wait for the same timeout
                die "$1: cell@hello did not start (ActiveState=$(prop cell@hello.service ActiveState))"
        fi
        cgdir=$(host_cgroup2_of "$scope") || { fail "$1: no $scope"; return 1; }
        payload_pids=$(cat "$cgdir/cgroup.procs")
        cgpath=$(prop "$scope" ControlGroup)
        [ -n "$payload_pids" ] || { fail "$1: nothing runs in $scope"; return 1; }
}

nothing_left() {        # nothing_left WHAT: the scope, its cgroups and its processes are gone
        if wait_for 5 unit_gone "$scope"; then ok "$1: $scope is gone"; else fail "$1: $scope is still there ($(prop "$scope" ActiveState))"; fi
        expect_eq "$1: no cgroup $cgpath is left in any hierarchy" "" "$(cgroup_dirs_of "$cgpath")"
        # shellcheck disable=SC2086
        check "$1: no payload process is left" none_alive $payload_pids
}

# --- systemctl stop cell@hello
if start_hello "stop service"; then
        t0=$(date +%s%N)
        in_sealed systemctl stop cell@hello.service
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        expect_eq "stop service: the payload got its KillSignal" USR2 "$(cat "$ROOT/out/signal" 2>/dev/null)"
        expect_eq "stop service: from cell, to the init alone (no signal reached its child)" "" "$(cat "$ROOT/out/child" 2>/dev/null)"
        # 10 s, not 5, for a loaded machine; a timeout would be the service's 20 s.
        if [ "$ms" -lt 10000 ]; then ok "stop service: done in $ms ms"; else fail "stop service: took $ms ms (a timeout, not the payload's exit)"; fi
        expect_eq "stop service: cell@hello is inactive, not failed" inactive "$(prop cell@hello.service ActiveState)"
        nothing_left "stop service"
fi

# --- systemctl stop cell-hello.scope (systemd sends the scope's KillSignal= to
# every process of it; cell sees its payload end and exits with its status)
if start_hello "stop scope"; then
        t0=$(date +%s%N)
        in_sealed systemctl stop "$scope"
        wait_for 10 ended cell@hello.service
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        expect_eq "stop scope: the payload got its KillSignal" USR2 "$(cat "$ROOT/out/signal" 2>/dev/null)"
        expect_eq "stop scope: from systemd, to every process (its child too)" signalled "$(cat "$ROOT/out/child" 2>/dev/null)"
        if [ "$ms" -lt 10000 ]; then ok "stop scope: cell and payload ended in $ms ms"; else fail "stop scope: took $ms ms"; fi
        expect_eq "stop scope: cell exited with the payload's status, cell@hello is inactive" inactive "$(prop cell@hello.service ActiveState)"
        nothing_left "stop scope"
fi

# --- no KillSignal=: SIGTERM
install_cell hello <<EOT
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/stop-payload
EOT
if start_hello "default KillSignal"; then
        in_sealed systemctl stop cell@hello.service
        expect_eq "default KillSignal: the payload got SIGTERM" TERM "$(cat "$ROOT/out/signal" 2>/dev/null)"
        nothing_left "default KillSignal"
fi

# --- SIGKILL to cell itself
if start_hello "SIGKILL"; then
        svcdir=$(host_cgroup2_of cell@hello.service)
        cell_pid=$(cat "$svcdir/cgroup.procs")
        expect_eq "SIGKILL: cell is the only process of the service" 1 "$(echo "$cell_pid" | wc -w)"
        kill -KILL $cell_pid
        # shellcheck disable=SC2086
        if wait_for 1 none_alive $payload_pids; then
                ok "SIGKILL: the payload is gone within a second"
        else
                fail "SIGKILL: the payload outlived cell by more than a second"
        fi
        nothing_left "SIGKILL"
        in_sealed systemctl reset-failed cell@hello.service 2>/dev/null || true
fi

# --- a graceful stop longer than the service's own TimeoutStopSec=: cell
# tells systemd (EXTEND_TIMEOUT_USEC=) to wait the unit's
# TimeoutStopSec= and cell's margin, so systemd does not kill cell (and the
# container with it) while the payload still stops by itself.
write_payload slow-stop <<'EOF'
trap 'sleep 4; echo graceful > /out/signal; exit 0' TERM
echo "$$" > /out/started
: > /out/child-ready
while :; do sleep 1; done
EOF
install_cell hello <<EOT
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/slow-stop
TimeoutStopSec=8s
EOT
# (After the harness's test-timeout.conf of cell@.service.d: drop-ins apply
# in the order of their names, whichever directory.)
install_dropin cell@hello.service zz-short-stop <<'EOT'
[Service]
TimeoutStopSec=2s
EOT
if start_hello "longer stop"; then
        t0=$(date +%s%N)
        in_sealed systemctl stop cell@hello.service
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        expect_eq "longer stop: the payload stopped by itself" graceful "$(cat "$ROOT/out/signal" 2>/dev/null)"
        expect_eq "longer stop: the service ended well, not by its timeout" "inactive success" \
                "$(prop cell@hello.service ActiveState) $(prop cell@hello.service Result)"
        if [ "$ms" -ge 3500 ] && [ "$ms" -lt 8000 ]; then ok "longer stop: done in $ms ms"; else fail "longer stop: took $ms ms"; fi
        nothing_left "longer stop"
        in_sealed systemctl reset-failed cell@hello.service 2>/dev/null || true
fi
in_sealed rm /run/systemd/system/cell@hello.service.d/zz-short-stop.conf
in_sealed systemctl daemon-reload

# --- stopped while it starts: the stop comes a few ms after the start, at
# every step of it (the scope's job, the container's mounts, the stop job
# queued while cell starts): the service ends inactive, never failed.
# One shell inside, so that the stop follows the start within milliseconds.
# Init=yes: a stop that comes right after the exec would otherwise find a
# payload that is PID 1 and has no handler yet, and the kernel drops the
# signal (the service's 20 s here, not the start, would then end it).
install_cell startstop <<EOT
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sleep 1000
Init=yes
EOT
scope=cell-startstop.scope
states=$(in_sealed sh -c 'for d in 0.001 0.002 0.003 0.004 0.005 0.006 0.007 0.008 0.010 0.012 \
                                   0.003 0.005 0.007 0.003 0.005 0.007 0.003 0.005 0.007 0.020; do
        systemctl start --no-block cell@startstop.service
        sleep "$d"
        systemctl stop cell@startstop.service
        systemctl show -P ActiveState cell@startstop.service
        systemctl reset-failed cell@startstop.service 2>/dev/null
done')
failed=$(grep -cv '^inactive$' <<<"$states" || true)
expect_eq "stopped while starting (20 times): never failed" 0 "$failed"
check "stopped while starting: no scope is left" wait_for 5 unit_gone "$scope"
expect_eq "stopped while starting: no cgroup is left" "" "$(cgroup_dirs_of "/machine.slice/$scope")"

# --- stopped while it starts, the stop's signal late: systemd runs the stop
# job queued on the service only once stop-after.service, ordered after the
# service, has stopped (stops go in the reverse order; its ExecStop= takes
# 3 s). cell, held back until the stop is queued (/run/stoplate-go), gets its
# scope all the same (PartOf= pulls in no start of the service, which the
# queued stop would refuse, as BindsTo= did), runs the container and stops it
# on that SIGTERM: exiting before it, without READY=1, would end the service
# failed (result 'protocol').
# Init=yes: the container that runs on when its stop job is cancelled takes
# a stop later (a sleep as PID 1 ignores SIGTERM).
install_cell stoplate <<EOT
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sleep 1000
Init=yes
EOT
install_dropin cell@stoplate.service late <<EOT
[Service]
ExecStart=
ExecStart=/bin/sh -c 'until [ -e /run/stoplate-go ]; do sleep 0.02; done; exec $CELL run -v -- %i'
EOT
in_sealed sh -c 'cat > /run/systemd/system/stop-after.service' <<EOT
[Unit]
After=cell@stoplate.service
[Service]
ExecStart=/bin/sleep 1000
ExecStop=/bin/sleep 3
EOT
in_sealed systemctl daemon-reload
stoplate_start() {      # the service starting, its stop queued behind stop-after's, then cell
        in_sealed rm -f /run/stoplate-go
        in_sealed systemctl start stop-after.service
        in_sealed systemctl start --no-block cell@stoplate.service
        wait_for 5 state_is cell@stoplate.service activating
        in_sealed systemctl stop --no-block stop-after.service cell@stoplate.service
        in_sealed touch /run/stoplate-go
}
settled() { ! state_is cell@stoplate.service deactivating && ! state_is cell@stoplate.service activating; }
states() { echo "$(prop cell@stoplate.service ActiveState) $(prop cell@stoplate.service Result)" \
                "$(prop cell@stoplate.service ExecMainStatus)"; }

stoplate_start
check "stop job behind another unit's stop: the service settles" wait_for 15 settled
expect_eq "stop job behind another unit's stop: inactive, not failed" "inactive success 0" "$(states)"
check "stop job behind another unit's stop: cell was not refused the scope" \
        sh -c "! '$SEALED' run journalctl --no-pager -o cat -u cell@stoplate.service | grep -q 'is destructive'"
check "stop job behind another unit's stop: no scope is left" wait_for 5 unit_gone cell-stoplate.scope
in_sealed systemctl reset-failed cell@stoplate.service 2>/dev/null || true

# --- the same, but the queued stop job is cancelled before it runs: no stop
# signal will come, and the container runs on, the service active once the
# payload runs (cell's READY=1); a stop later stops it as any.
stoplate_start
job=
for _ in $(seq 50); do
        job=$(in_sealed systemctl list-jobs --no-legend | awk '$2 == "cell@stoplate.service" && $3 == "stop" { print $1 }')
        [ -n "$job" ] && break
        sleep 0.1
done
check "stop job cancelled before it ran: it was queued (job ${job:-none})" test -n "$job"
[ -n "$job" ] && in_sealed systemctl cancel "$job"
check "stop job cancelled before it ran: the service runs on, active" wait_for 15 state_is cell@stoplate.service active
check "... its container runs" in_sealed "$CELL" status stoplate
in_sealed systemctl stop cell@stoplate.service
expect_eq "... then stopped: inactive, not failed" "inactive success 0" "$(states)"
check "... no scope is left" wait_for 5 unit_gone cell-stoplate.scope
in_sealed systemctl stop stop-after.service
in_sealed systemctl reset-failed cell@stoplate.service 2>/dev/null || true

finish
