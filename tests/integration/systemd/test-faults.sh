#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults with the systemd manager, in the sealed systemd:
#  - the bus goes away while StartTransientUnit is outstanding: cell exits 2
#    naming the bus, the payload never ran, nothing is left, and once the bus
#    is back there is no scope;
#  - SIGKILL to cell at random moments of its setup (10 times, 200 with
#    CELL_TEST_FULL=1): the payload (or the child still setting up) is gone
#    within a second, and the next `cell run` of the same name starts and
#    leaves nothing -- also when systemd kept the killed one's scope active
#    with an empty cgroup (cell stops such a scope; counted);
#  - the same name run again at once, ten times: the kernel tells systemd
#    that the last run's cgroup is empty only 10-12 ms after (cgroup.events
#    is notified at most 100 times a second), so a run may meet that scope
#    still active; every one must start, and none may say a word.
. "$(dirname "$0")/lib.sh"

kills=10
[ -n "${CELL_TEST_FULL:-}" ] && kills=200

setup_cell

write_payload fault-payload <<'EOF'
echo ran >> /out/fault-ran
exec sleep 30
EOF
for n in busgone faultkill stale stalestop; do
        install_cell $n <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/fault-payload
EOF
done

bus_back() {
        in_sealed systemctl reset-failed dbus.service dbus.socket 2>/dev/null || true
        in_sealed systemctl start dbus.socket dbus.service
}
no_procs() { [ -z "$(procs_matching fault-payload)$(procs_matching 'sleep 30')$(procs_matching "cell run $1")" ]; }

# --- StartTransientUnit outstanding when the bus dies. The sealed systemd
# is held (SIGSTOP from the host) while cell starts: cell's Hello is
# answered by dbus-daemon, its StartTransientUnit (sent after the container's
# init was cloned) is forwarded to systemd and waits there; then dbus-daemon
# is killed. cell must notice at once, say so, exit 2 and leave nothing; when
# systemd goes on it finds the call's sender gone (and its PID dead), and
# once the bus is back there is no scope. cell runs under plain nsenter
# here: in_sealed would need the held systemd for its own scope.
sealed_pid=$(cat "$WORK/.sealed/pid")
in_sealed systemctl start dbus.service
dbus_pid=
for p in $(pgrep -x dbus-daemon); do
        [ "$(readlink "/proc/$p/ns/pid")" = "$(readlink "/proc/$sealed_pid/ns/pid")" ] && dbus_pid=$p
done
[ -n "$dbus_pid" ] || die "bus gone: no dbus-daemon in the sealed systemd"
rm -f "$ROOT/out/fault-ran"
kill -STOP "$sealed_pid"
nsenter -t "$sealed_pid" -m -p -u -i -C "$CELL" run busgone > "$WORK/busgone.log" 2>&1 &
cellpid=$!
HOST_PIDS+=($cellpid)
# cell's clone exists: the call follows at once.
wait_for 5 grep -q . "/proc/$cellpid/task/$cellpid/children" || fail "bus gone: cell did not get as far as cloning"
sleep 0.3
kill -KILL "$dbus_pid"
rc=0
if wait_for 10 sh -c "! kill -0 $cellpid 2>/dev/null"; then
        wait $cellpid || rc=$?
        expect_eq "bus gone: exit status" 2 "$rc"
else
        fail "bus gone: cell still waits 10 s after the bus died"
        kill -KILL $cellpid; wait $cellpid 2>/dev/null
fi
kill -CONT "$sealed_pid"
if grep -qi "bus" "$WORK/busgone.log"; then ok "bus gone: says so: $(head -n 1 "$WORK/busgone.log")"; else fail "bus gone: no message naming the bus: $(cat "$WORK/busgone.log")"; fi
check "bus gone: the payload never ran" test ! -e "$ROOT/out/fault-ran"
check "bus gone: nothing of it runs" wait_for 1 no_procs busgone
bus_back
check "bus gone: the bus is back" wait_for 5 sh -c "'$SEALED' run busctl --system status >/dev/null 2>&1"
check "bus gone: no scope once the bus is back" wait_for 5 unit_gone cell-busgone.scope
expect_eq "bus gone: no cgroup" "" "$(cgroup_dirs_of /machine.slice/cell-busgone.scope)"

# --- A stale scope, made on purpose the way systemd 252 makes one after a
# cell killed in its first ms: StartTransientUnit names a process that has
# exited but is not reaped yet. The kernel's migration skips an exiting
# task without an error, so systemd enters running with a cgroup that is
# never populated, and no populated 1->0 event will ever end it. The next
# `cell run` of that name must stop it and start, not say "already running".
make_stale() {  # make_stale NAME: cell-NAME.scope, active with an empty cgroup
        in_sealed python3 - "$1" <<'EOF' || die "stale: could not make cell-$1.scope"
import os, subprocess, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
time.sleep(0.2)                 # a zombie now: exited, not reaped
subprocess.run(["busctl", "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                "org.freedesktop.systemd1.Manager", "StartTransientUnit", "ssa(sv)a(sa(sv))",
                "cell-%s.scope" % sys.argv[1], "fail", "5", "PIDs", "au", "1", str(pid), "Delegate", "b", "true",
                "CollectMode", "s", "inactive-or-failed", "Slice", "s", "machine.slice",
                "Description", "s", "cell %s" % sys.argv[1], "0"],
               check=True, stdout=subprocess.DEVNULL)
time.sleep(0.3)
os.waitpid(pid, 0)
EOF
}
make_stale stale
make_stale stalestop
sleep 2
cg=$(host_cgroup2_of cell-stale.scope)
expect_eq "stale: systemd keeps the scope active" active "$(prop cell-stale.scope ActiveState)"
expect_eq "stale: ... with nothing in its cgroup" "" "$(cat "$cg/cgroup.procs" 2>&1)"
rc=0
"$SEALED" run "$CELL" run -v stale -- /bin/true > "$WORK/stale.log" 2>&1 || rc=$?
expect_eq "stale: the next 'cell run stale' stops it and runs" 0 "$rc"
[ "$rc" = 0 ] || cat "$WORK/stale.log"
check "stale: it says so in its debug log" grep -q "Stopped cell-stale.scope, left active with no process" "$WORK/stale.log"
check "stale: then no scope is left" wait_for 5 unit_gone cell-stale.scope
expect_eq "stale: no cgroup" "" "$(cgroup_dirs_of /machine.slice/cell-stale.scope)"
check "stale: no process of it" wait_for 1 no_procs stale

# --- The same name again at once: the last run's scope is active with an
# empty cgroup for 10-12 ms (systemd has yet to hear that it is empty). That
# activation is stopped and the start goes on; nothing is said.
fails=0 said=
for i in $(seq 10); do
        out=$("$SEALED" run "$CELL" run stale -- /bin/true 2>&1) || fails=$((fails + 1))
        said+=$out
done
expect_eq "again at once: 10 runs of one name, all exit 0" 0 "$fails"
expect_eq "again at once: none of them says a word" "" "$said"
# Back to back in one shell, so that each start follows the last exit within
# a millisecond: how many met the last run's scope still active (not asserted:
# a start slower than the kernel's 10-12 ms never does).
out=$(in_sealed sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do '$CELL' run -v stale -- /bin/true || echo FAILED; done" 2>&1)
expect_eq "again at once, back to back: all exit 0" 0 "$(grep -c FAILED <<< "$out")"
met=$(grep -c "Stopped cell-stale.scope" <<< "$out" || true)
ok "again at once, back to back: $met of 10 met the last run's scope still active and stopped it"
check "again at once: then no scope is left" wait_for 5 unit_gone cell-stale.scope

# --- Two starts of one name at once, right after its last run ended: both
# meet that run's scope, active and empty, and stop it. One then starts; the
# other meets the new scope, running, and must be refused ("already running"),
# never stop it: a stop names the activation that was read (its invocation
# ID), not the unit. A payload cut short would exit 143, without its "done".
install_cell twice <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sh -c 'sleep 0.3; echo done >> /out/twice'
EOF
ran=0 refused=0 done_lines=0 bad=
for i in $(seq 10); do
        rm -f "$ROOT/out/twice" "$WORK"/twice-[ab].log
        in_sealed sh -c "'$CELL' run twice -- /bin/true
                for x in a b; do ( '$CELL' run twice > '$WORK'/twice-\$x.log 2>&1; echo \"exit \$?\" >> '$WORK'/twice-\$x.log ) & done
                wait"
        for x in a b; do
                case $(tail -n 1 "$WORK/twice-$x.log") in
                "exit 0") ran=$((ran + 1)) ;;
                "exit 2") if grep -q "cell twice is already running" "$WORK/twice-$x.log"; then refused=$((refused + 1))
                          else bad+=" $i$x: $(head -n 1 "$WORK/twice-$x.log")"; fi ;;
                *) bad+=" $i$x: $(tr '\n' ' ' < "$WORK/twice-$x.log")" ;;
                esac
        done
        done_lines=$((done_lines + $(grep -c done "$ROOT/out/twice" 2>/dev/null || true)))
done
expect_eq "two at once: none cut short, none failing otherwise" "" "$bad"
expect_eq "two at once: every cell that exited 0 ran its payload to the end" "$ran" "$done_lines"
ok "two at once, 10 times: $ran ran, $refused refused as already running"
check "two at once: then no scope is left" wait_for 5 unit_gone cell-twice.scope

# cell stop of such a scope: its StopUnit is done at once (systemd finds
# nothing to kill), not after the stop timeout (90 s) waiting for the event.
expect_eq "stale: cell list shows the stale scope" 1 "$(in_sealed "$CELL" list | grep -c '^stalestop ')"
t0=$SECONDS rc=0
timeout 30 "$SEALED" run "$CELL" stop stalestop > "$WORK/stalestop.log" 2>&1 || rc=$?
expect_eq "stale: cell stop of it" 0 "$rc"
[ "$rc" = 0 ] || cat "$WORK/stalestop.log"
check "stale: cell stop took less than 10 s ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 10
check "stale: then no scope is left" wait_for 5 unit_gone cell-stalestop.scope
expect_eq "stale: no cgroup" "" "$(cgroup_dirs_of /machine.slice/cell-stalestop.scope)"

# --- SIGKILL to cell at a random moment of its setup. cell runs under
# nsenter + systemd-run --scope (in_sealed), which execs it: the child of
# the nsenter on the host is cell once its comm says so.
#
# After each kill the same name is started again at once (a short payload)
# and must start: nothing cell left behind may stand in its way. systemd 252
# has a race of its own here: a kill in the first ms can let
# StartTransientUnit name a child that is already exiting; systemd
# "attaches" it to a cgroup that is never populated, so the populated 1->0
# event that ends a scope never comes and the scope stays active, empty,
# for good. The next cell of that name must stop such a scope itself
# (scope-bus-leftover.c) instead of saying "already running". Such scopes
# are told apart before the restart (still there a few seconds after the
# kill, with no process in the cgroup) and counted.
before_exec=0 after_exec=0 slowest=0 stale=0 stale_logged=0
for i in $(seq "$kills"); do
        rm -f "$ROOT/out/fault-ran"
        "$SEALED" run "$CELL" run faultkill > "$WORK/faultkill.log" 2>&1 &
        ns=$!
        cellpid=
        t_end=$((SECONDS + 5))
        while [ -z "$cellpid" ] && [ $SECONDS -lt $t_end ]; do
                c= comm=
                read -r c _ < "/proc/$ns/task/$ns/children" 2>/dev/null || true
                [ -n "$c" ] && read -r comm 2>/dev/null < "/proc/$c/comm"
                [ "$comm" = cell ] && cellpid=$c
        done
        [ -n "$cellpid" ] || { fail "kill $i: cell did not start"; wait $ns; continue; }
        # cell's whole setup here takes a few ms (the bus round trips): 0..12 ms.
        delay=$(printf '0.%06d' $((RANDOM % 12000)))
        sleep "$delay"
        kill -KILL "$cellpid"
        wait $ns 2>/dev/null || true
        t0=$(date +%s%N)
        wait_for 1 no_procs faultkill || fail "kill $i: still running a second after the SIGKILL: $(procs_matching fault-payload) $(procs_matching 'sleep 30') $(procs_matching 'cell run faultkill')"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ "$ms" -gt "$slowest" ] && slowest=$ms
        if [ -e "$ROOT/out/fault-ran" ]; then after_exec=$((after_exec + 1)); else before_exec=$((before_exec + 1)); fi

        # Collected by systemd on its own (the usual case), or stale: left
        # active with nothing in it. Anything else is a real leftover.
        was_stale=
        if ! wait_for 3 unit_gone cell-faultkill.scope; then
                cg=$(host_cgroup2_of cell-faultkill.scope)
                procs=$(cat "$cg/cgroup.procs" 2>/dev/null)
                if [ -n "$cg" ] && [ -z "$procs" ]; then
                        was_stale=1
                        stale=$((stale + 1))
                        echo "kill $i (after ${delay}s): systemd kept cell-faultkill.scope $(prop cell-faultkill.scope ActiveState) with an empty cgroup"
                else
                        fail "kill $i (after ${delay}s): cell-faultkill.scope not collected ($(prop cell-faultkill.scope ActiveState)), processes: $procs"
                        in_sealed systemctl status --no-pager cell-faultkill.scope 2>&1 | head -n 20
                        cat "$WORK/faultkill.log"
                fi
        fi

        # The same name again, at once: it must start and run to its end.
        rc=0
        "$SEALED" run "$CELL" run -v faultkill -- /bin/true > "$WORK/restart.log" 2>&1 || rc=$?
        if [ "$rc" != 0 ]; then
                fail "kill $i (after ${delay}s): the next 'cell run faultkill' failed ($rc)${was_stale:+ on the stale scope}: $(cat "$WORK/restart.log")"
                in_sealed systemctl status --no-pager cell-faultkill.scope 2>&1 | head -n 20
                # Leave the next round a clean slate, and this failure its own.
                in_sealed systemctl kill --signal=KILL cell-faultkill.scope 2>/dev/null
                cg=$(host_cgroup2_of cell-faultkill.scope) && sh -c "echo \$\$ > '$cg/cgroup.procs'" 2>/dev/null
                wait_for 5 unit_gone cell-faultkill.scope || in_sealed systemctl stop cell-faultkill.scope
        elif [ -n "$was_stale" ] && grep -q "Stopped cell-faultkill.scope" "$WORK/restart.log"; then
                stale_logged=$((stale_logged + 1))
        fi
        # ... and then nothing is left of either.
        wait_for 5 unit_gone cell-faultkill.scope || fail "kill $i: the restarted cell-faultkill.scope is not collected ($(prop cell-faultkill.scope ActiveState))"
        [ -z "$(cgroup_dirs_of /machine.slice/cell-faultkill.scope)" ] || fail "kill $i: the scope's cgroup is left"
        wait_for 1 no_procs faultkill || fail "kill $i: processes left after the restart: $(procs_matching 'cell run faultkill')"
done
ok "SIGKILL to cell $kills times: $before_exec before the payload's exec, $after_exec after; all unit_gone within ${slowest} ms; each time the next 'cell run' of the name started and left nothing; $stale stale scopes (active, empty: systemd missed their end) stopped by cell$([ "$stale_logged" -gt 0 ] && echo " ($stale_logged said so)")"

finish
