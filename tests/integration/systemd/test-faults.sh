#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults with the systemd manager, in the sealed systemd:
#  - the bus goes away while StartTransientUnit is outstanding: cell exits 2
#    naming the bus, the payload never ran, nothing is left, and once the bus
#    is back there is no scope;
#  - SIGKILL to cell at random moments of its setup (10 times, 200 with
#    CELL_TEST_FULL=1): the payload (or the child still setting up) is gone
#    within a second and the scope, if there was one yet, is collected.
. "$(dirname "$0")/lib.sh"

kills=10
[ -n "${CELL_TEST_FULL:-}" ] && kills=200

setup_cell

write_payload fault-payload <<'EOF'
echo ran >> /out/fault-ran
exec sleep 30
EOF
for n in busgone faultkill; do
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
gone() { [ "$(prop "$1" LoadState)" = not-found ]; }
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
check "bus gone: no scope once the bus is back" wait_for 5 gone cell-busgone.scope
expect_eq "bus gone: no cgroup" "" "$(cgroup_dirs_of /machine.slice/cell-busgone.scope)"

# --- SIGKILL to cell at a random moment of its setup. cell runs under
# nsenter + systemd-run --scope (in_sealed), which execs it: the child of
# the nsenter on the host is cell once its comm says so.
before_exec=0 after_exec=0 slowest=0 missed=0
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
        if ! wait_for 5 gone cell-faultkill.scope; then
                # systemd 252 race (not cell's): a kill in the first ms can
                # let StartTransientUnit name a child that is already dying;
                # systemd "attaches" it to a cgroup that is never populated,
                # so the populated 1->0 event that stops a scope never comes,
                # and stop waits for its 90 s timeout. Told apart from a real
                # leftover: the cgroup has no process, and one short-lived
                # process put in and out of it is enough for systemd to see
                # it empty and collect the scope.
                cg=$(host_cgroup2_of cell-faultkill.scope)
                if [ -n "$cg" ] && [ -z "$(cat "$cg/cgroup.procs")" ] &&
                   sh -c "echo \$\$ > '$cg/cgroup.procs'" && wait_for 5 gone cell-faultkill.scope; then
                        missed=$((missed + 1))
                        echo "kill $i (after ${delay}s): systemd kept the empty scope; collected after a poke"
                else
                        fail "kill $i (after ${delay}s): cell-faultkill.scope not collected ($(prop cell-faultkill.scope ActiveState)): $(cat "$cg/cgroup.procs" 2>/dev/null)"
                        in_sealed systemctl status --no-pager cell-faultkill.scope 2>&1 | head -n 20
                        cat "$WORK/faultkill.log"
                        in_sealed systemctl stop cell-faultkill.scope
                fi
        fi
        [ -z "$(cgroup_dirs_of /machine.slice/cell-faultkill.scope)" ] || fail "kill $i: the scope's cgroup is left"
done
ok "SIGKILL to cell $kills times: $before_exec before the payload's exec, $after_exec after; all gone within ${slowest} ms, every scope collected ($missed only after a poke: systemd missed the empty event)"

finish
