#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell-monitor (src/monitor): a cell whose payload has run for a second
# becomes cell-monitor by exec. The service keeps its main PID, the container
# init stays its child, no libsystemd is mapped any more, and everything cell
# did for a running payload still works: a late READY=1 and STATUS=, a stop
# through the service (KillSignal= to the init alone) and by "cell stop",
# TimeoutStopSec=, the exit status, a death by signal, an OOM kill; with the
# cgroupfs manager, "cell __finish" removes the cgroups at the end.
# CELL_MONITOR=0 keeps cell.
. "$(dirname "$0")/lib.sh"

setup_cell

comm_of() { in_sealed cat "/proc/$1/comm" 2>/dev/null; }

# start_by_hand NAME: "cell run NAME" in the sealed systemd, in the
# background (log: $WORK/NAME.log), until it has become cell-monitor. Sets
# runner, init (the container's init) and sup (its cell), host PIDs: init is
# the process of the scope whose parent is cell.
start_by_hand() {
        local p pp
        "$SEALED" run "$CELL" run "$1" > "$WORK/$1.log" 2>&1 &
        runner=$!
        HOST_PIDS+=($runner)
        check "$1: runs" wait_for 10 state_is "cell-$1.scope" active
        init= sup=
        for p in $(cat "$(host_cgroup2_of "cell-$1.scope")/cgroup.procs"); do
                pp=$(awk '/^PPid:/ {print $2}' "/proc/$p/status")
                case $(cat "/proc/$pp/comm" 2>/dev/null) in
                cell|cell-monitor) init=$p sup=$pp ;;
                esac
        done
        check "$1: its cell becomes cell-monitor" wait_for 10 host_is_monitor "$sup"
}

# --- cell@late: NotifyReady=yes, READY=1 only long after the hand-over
write_payload late-payload <<'EOF'
trap 'sleep 0.2; echo USR2 > /out/late-signal; exit 0' USR2
trap 'echo TERM > /out/late-signal; exit 0' TERM
( trap 'echo signalled > /out/late-child; exit 0' USR2 TERM; sleep 1000 & wait ) &
while [ ! -e /out/late-go ]; do sleep 0.1; done
notify-probe READY=1 "STATUS=serving late"
wait
EOF
install_cell late <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/late-payload
NotifyReady=yes
KillSignal=SIGUSR2
EOF
rm -f "$ROOT/out/late-"*
in_sealed systemctl start --no-block cell@late.service
check "cell@late is activating" wait_for 5 state_is cell@late.service activating
mainpid=$(prop cell@late.service MainPID)
# (cell, or already cell-monitor on a slow machine: the same process either way)
check "its main PID is cell's" grep -qxE 'cell|cell-monitor' <<<"$(comm_of "$mainpid")"
check "within 10 s cell has become cell-monitor" wait_for 10 is_monitor "$mainpid"
expect_eq "the main PID is still the same" "$mainpid" "$(prop cell@late.service MainPID)"
check "cell-monitor maps no libsystemd" sh -c "! '$SEALED' run grep -q libsystemd /proc/$mainpid/maps"
check "the container's init is still its child" sh -c "'$SEALED' run pgrep -P $mainpid >/dev/null"
expect_eq "still activating: the payload has not said READY=1" activating "$(prop cell@late.service ActiveState)"
touch "$ROOT/out/late-go"
check "active once the payload said READY=1 to cell-monitor" wait_for 5 state_is cell@late.service active
expect_eq "its STATUS= is forwarded" "late: serving late" "$(prop cell@late.service StatusText)"
scope_cg=$(prop cell-late.scope ControlGroup)
payload_pids=$(cat "$(host_cgroup2_of cell-late.scope)/cgroup.procs")
in_sealed systemctl stop cell@late.service
expect_eq "stop: the payload got its KillSignal from cell-monitor" USR2 "$(cat "$ROOT/out/late-signal" 2>/dev/null)"
expect_eq "stop: the init alone got it (not its child)" "" "$(cat "$ROOT/out/late-child" 2>/dev/null)"
expect_eq "stop: cell@late is inactive, not failed" inactive "$(prop cell@late.service ActiveState)"
check "stop: cell-late.scope is gone" wait_for 5 unit_gone cell-late.scope
expect_eq "stop: no cgroup is left" "" "$(cgroup_dirs_of "$scope_cg")"
# shellcheck disable=SC2086
check "stop: no payload process is left" none_alive $payload_pids

# --- cell@plain: a payload that does not catch its KillSignal= dies of it on
# "systemctl stop" (under Init=yes: as PID 1 it would ignore it): an orderly
# stop, so the service ends inactive, not failed (cell-monitor exits 0, not
# 143, which systemd would count as a failure).
install_cell plain <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sleep 1000
Init=yes
EOF
in_sealed systemctl start cell@plain.service
check "cell@plain is active" wait_for 5 state_is cell@plain.service active
plainpid=$(prop cell@plain.service MainPID)
check "cell@plain: cell becomes cell-monitor" wait_for 10 is_monitor "$plainpid"
in_sealed systemctl stop cell@plain.service
expect_eq "stop: cell@plain is inactive, not failed" inactive "$(prop cell@plain.service ActiveState)"
expect_eq "stop: cell@plain's result is success" success "$(prop cell@plain.service Result)"
expect_eq "stop: cell@plain's main process exited 0" 0 "$(prop cell@plain.service ExecMainStatus)"

# --- by hand: the exit status, a death by signal, TimeoutStopSec= on "cell stop"
write_payload wait-payload <<'EOF'
while [ ! -e /out/wait-go ]; do sleep 0.1; done
exit 7
EOF
install_cell exit7 <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/wait-payload
EOF
rm -f "$ROOT/out/wait-go"
"$SEALED" run "$CELL" run -v exit7 > "$WORK/exit7.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
check "exit7: cell hands over (says so with -v)" wait_for 5 grep -q "Handing the supervision over to .*cell-monitor" "$WORK/exit7.log"
check "exit7: cell-monitor says it took over" wait_for 3 grep -q "cell-monitor supervises PID" "$WORK/exit7.log"
touch "$ROOT/out/wait-go"
wait "$runner"
expect_eq "exit7: the payload's exit status is cell's" 7 "$?"

# An upgrade replaces cell-monitor while a cell starts (dpkg renames the new
# file over the old): cell execs the one it opened when its payload started.
mkdir -p "$WORK/bin"
cp "$CELL" "$(dirname "$CELL")/cell-monitor" "$WORK/bin/"
rm -f "$ROOT/out/wait-go"
"$SEALED" run "$WORK/bin/cell" run -v exit7 > "$WORK/upgrade.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
# (cell opens cell-monitor right after it logs this)
check "upgrade: runs" wait_for 10 grep -q "The payload is running" "$WORK/upgrade.log"
printf '#!/bin/sh\nexit 99\n' > "$WORK/bin/cell-monitor.new"
chmod 0755 "$WORK/bin/cell-monitor.new"
mv "$WORK/bin/cell-monitor.new" "$WORK/bin/cell-monitor"
check "upgrade: the cell-monitor of cell's own version took over" wait_for 3 grep -q "cell-monitor supervises PID" "$WORK/upgrade.log"
touch "$ROOT/out/wait-go"
wait "$runner"
expect_eq "upgrade: and ended with the payload's status" 7 "$?"

write_payload sleep-payload <<'EOF'
trap '' TERM
sleep 1000 & wait
EOF
install_cell stubborn <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sleep-payload
TimeoutStopSec=1s
EOF
start_by_hand stubborn
t0=$(date +%s%N)
in_sealed "$CELL" stop stubborn > "$WORK/stubborn-stop.log" 2>&1
wait "$runner"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "stubborn: cell stop ends it with SIGKILL after TimeoutStopSec=1s (128+9)" 137 "$rc"
# The bound is the point (TimeoutStopSec=1s, not 90 s): 15 s, not 5, for a loaded machine.
if [ "$ms" -ge 900 ] && [ "$ms" -lt 15000 ]; then ok "stubborn: after about a second ($ms ms)"; else fail "stubborn: stop took $ms ms"; fi
check "stubborn: no message about a signal nobody asked for" sh -c "! grep -q 'died of signal' '$WORK/stubborn.log'"
check "stubborn: the scope is gone" wait_for 5 ended cell-stubborn.scope

install_cell killed <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sleep-payload
EOF
start_by_hand killed
kill -KILL "$init"
wait "$runner"
expect_eq "killed: 128+9 for a payload killed by SIGKILL" 137 "$?"
check "killed: cell-monitor says what killed it" grep -q "The payload died of signal SIGKILL" "$WORK/killed.log"

# --- an OOM kill after the hand-over
install_hog hog hog-go
if controller_available memory; then
        rm -f "$ROOT/out/hog-go"
        "$SEALED" run "$CELL" run -v hog > "$WORK/hog.log" 2>&1 &
        runner=$!
        HOST_PIDS+=($runner)
        check "hog: cell hands over" wait_for 5 grep -q "cell-monitor supervises PID" "$WORK/hog.log"
        touch "$ROOT/out/hog-go"
        wait "$runner"
        expect_eq "hog: the allocating payload is killed (128+9)" 137 "$?"
        check "hog: cell-monitor reports the OOM kill" grep -q "killed by the OOM killer" "$WORK/hog.log"
else
        echo "skip - OOM after the hand-over: no memory controller in this cgroup2 tree (v1 holds it on this host)"
fi

# --- cells that stay cell
# /out/stay-armed: its trap is set. The hand-over (1 s in) is no sign of
# it, and a SIGTERM before it the PID 1 shell ignores (stay_armed below).
write_payload stay-payload <<'EOF'
trap 'exit 3' TERM
: > /out/stay-armed
sleep 1000 & wait
EOF
stay_armed() { wait_for 20 test -e "$ROOT/out/stay-armed"; }
rm -f "$ROOT/out/stay-armed"
install_cell stay <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/stay-payload
EOF
# The cgroupfs manager hands over too; "cell __finish", which cell-monitor
# execs when the payload has exited, removes the cgroups and the runtime state.
cgroup_dirs_named() { in_sealed sh -c "for m in \$(awk '\$3 ~ /^cgroup/ {print \$2}' /proc/self/mounts); do find \"\$m\" -type d -name '$1'; done"; }
"$SEALED" run "$CELL" run -v --cgroup-manager=cgroupfs stay > "$WORK/stay-cgroupfs.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
check "cgroupfs: cell hands over" wait_for 5 grep -q "cell-monitor supervises PID" "$WORK/stay-cgroupfs.log"
expect_eq "cgroupfs: cell status finds it, by its runtime state" 0 "$(in_sealed "$CELL" status stay >/dev/null 2>&1; echo $?)"
dirs=$(cgroup_dirs_named cell-stay)
check "cgroupfs: its cgroups are there" test -n "$dirs"
check "cgroupfs: the payload's trap is set" stay_armed
in_sealed "$CELL" stop stay >/dev/null 2>&1
wait "$runner"
expect_eq "cgroupfs: cell stop reached the payload through cell-monitor (its TERM trap exits 3)" 3 "$?"
check "cgroupfs: cell __finish cleaned up" grep -q "Cleaning up after the payload" "$WORK/stay-cgroupfs.log"
expect_eq "cgroupfs: no cgroup is left" "" "$(cgroup_dirs_named cell-stay)"
check "cgroupfs: no runtime state is left" in_sealed test ! -e /run/cell/stay/state

# cell's binary rewritten in place while cell-monitor runs (cp over it, not an
# upgrade's rename): its "cell __finish" may be another version's, so it is
# not run (it exec'd the new file, /bin/true: exit 0, all left); cell-monitor
# says so and exits 2, leaving what is left as a killed cell's, which the
# "cell stop" that waited for it takes back.
rm -f "$ROOT/out/stay-armed"
mkdir -p "$WORK/bin2"
cp "$CELL" "$(dirname "$CELL")/cell-monitor" "$WORK/bin2/"
"$SEALED" run "$WORK/bin2/cell" run -v --cgroup-manager=cgroupfs stay > "$WORK/stay-rewritten.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
check "rewritten: cell hands over" wait_for 5 grep -q "cell-monitor supervises PID" "$WORK/stay-rewritten.log"
check "rewritten: the payload's trap is set" stay_armed
cp /bin/true "$WORK/bin2/cell"
in_sealed "$CELL" stop stay > "$WORK/stay-rewritten-stop.log" 2>&1
wait "$runner"
expect_eq "rewritten: cell-monitor exits 2, not as the new file" 2 "$?"
check "rewritten: and says why" grep -q "rewritten in place since the start" "$WORK/stay-rewritten.log"
expect_eq "rewritten: no cgroup is left" "" "$(cgroup_dirs_named cell-stay)"
check "rewritten: no runtime state is left" in_sealed test ! -e /run/cell/stay/state
check "rewritten: no name lock is left" in_sealed test ! -e /run/cell/lock/stay.lock

rm -f "$ROOT/out/stay-armed"
"$SEALED" run env CELL_MONITOR=0 "$CELL" run -v stay > "$WORK/stay-env.log" 2>&1 &
runner=$!
HOST_PIDS+=($runner)
check "CELL_MONITOR=0: cell says why it stays" wait_for 5 grep -q "cell stays the payload's supervisor: \$CELL_MONITOR=0" "$WORK/stay-env.log"
check "CELL_MONITOR=0: and did not hand over" sh -c "! grep -q 'Handing the supervision over' '$WORK/stay-env.log'"
pid=$(procs_matching "cell run -v stay" | head -n 1)
expect_eq "CELL_MONITOR=0: its supervisor is still cell" cell "$(comm_of "$pid")"
check "CELL_MONITOR=0: the payload's trap is set" stay_armed
in_sealed "$CELL" stop stay >/dev/null 2>&1
wait "$runner"
expect_eq "CELL_MONITOR=0: cell stop reached the payload (its TERM trap exits 3)" 3 "$?"

finish
