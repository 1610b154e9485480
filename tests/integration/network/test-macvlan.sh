#!/bin/bash
# MACVLAN= of two units whose names make one machine name ("NAME@1" and
# "NAME_1" are both "NAME-1"), whose macvlans get one MAC address (nspawn's,
# hashed from the machine name), and a container killed and started again.
#
#   netns H (the "host": cell runs here)
#     pa (veth, up) -- pa-peer
#       \-- mv-pa (NAME@1's, running)
#       \-- mv-pa ???? (NAME_1's: the same address on the same parent)
#       \-- mv-pa (NAME@2's: another machine, another address)
#
# 1. NAME@1 runs with MACVLAN=pa: NAME_1's start fails at once, exit status
# 2, at its MACVLAN='s line, naming the parent, the cell that has the address
# and the machine name both make; it waited 5 s ("still after 5 s ... by
# another container of this machine name?") and named neither. It leaves
# nothing: no link, no lock file, no state. NAME@2 (another machine) runs
# beside NAME@1 on pa. Each one's lock file goes with its stop. The same
# on parents that are macvlans of pa (the kernel makes theirs on pa).
# 2. A cell killed (SIGKILL to cell-monitor) whose network namespace the
# kernel has not torn down yet (held here 2 s longer): its macvlan still has
# the address on pa when it is started again at once; the start waits for
# it to go, and runs. So does the other unit of its machine name.
# 3. A cell killed, then "cell stop" of it: the lock file it left goes.
. "$(dirname "$0")/../run/lib.sh"
command -v nsenter >/dev/null || { echo "skipped: needs nsenter"; exit 77; }
[ -s /etc/machine-id ] || { echo "skipped: no machine ID, so random macvlan addresses"; exit 77; }
. "$(dirname "$0")/lib.sh"
# The lock files of H's parents (src/spawn/netif-lock.h) a failure left.
trap 'st=$?; set +e; rm -f /run/cell/macvlan/net-"$H_netns"-*; net_cleanup; (exit $st); cleanup' EXIT

lower_link 10.213.18.3/24
payload='touch /net.done; exec sleep 1000'

stop_bg() {
        kill -TERM "$1"
        wait "$1" || true
}
# locks: H's macvlan address lock files.
locks() {
        (cd /run/cell/macvlan 2>/dev/null && ls -1 | grep "^net-$H_netns-" | tr '\n' ' ') || true
}
write_unit() {
        printf '%s\n' "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
                "[Network]" "MACVLAN=pa" > "$1"
}

# 1. One machine name, two units; another machine beside them.
at=$(unit_name web)@1 under=$(unit_name web)_1 other=$(unit_name web)@2
machine=$(unit_name web)-1
a=$work/$at.cell b=$work/$under.cell o=$work/$other.cell
for f in "$a" "$b" "$o"; do write_unit "$f"; done
"$CELL" plan --json "$b" > "$work/plan" || fail "cell plan --json $b failed"
expect "$under's machine name" "$(plan_value machine_name)" "$machine"
base=$(h_link_names)
start_in_h "$a"
apid=$pid acpid=$cpid
before=$(h_link_names) locks_before=$(locks)
status=0
SECONDS=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$b" >/dev/null 2>"$work/err2" || status=$?
expect "$under while $at runs: exit status ($(cat "$work/err2"))" "$status" 2
want="$b:7: MACVLAN=pa: the cell $at has a macvlan on pa with this machine's MAC address "
grep -qF "$want" "$work/err2" || fail "$under's message: $(cat "$work/err2")"
want="already (its lock: /run/cell/macvlan/net-$H_netns-"
grep -qF "$want" "$work/err2" || fail "$under's message, the lock: $(cat "$work/err2")"
want="; both units' names make the machine name $machine, which the MAC address is made from: they cannot run at once"
grep -qF "$want" "$work/err2" || fail "$under's message, the machine name: $(cat "$work/err2")"
grep -q "still after" "$work/err2" && fail "$under waited: $(cat "$work/err2")"
[ "$SECONDS" -lt 5 ] || fail "$under failed only after ${SECONDS} s (the 5 s wait for its own last start's link)"
expect "H's links after $under's failed start" "$(h_link_names)" "$before"
expect "the lock files after $under's failed start" "$(locks)" "$locks_before"
ls /run/cell | grep -qF "$under" && fail "$under left state in /run/cell: $(ls /run/cell)"
nsenter -t "$acpid" -n ip link show mv-pa | matches "state UP" || fail "$at's mv-pa is not up any more"
expect "$at's lock files" "$(locks | wc -w)" 1

# Another machine on the same parent: another address, run together.
start_in_h "$o"
nsenter -t "$cpid" -n ip link show mv-pa | matches "state UP" || fail "$other's mv-pa is not up"
expect "the lock files of $at and $other" "$(locks | wc -w)" 2
stop_bg "$pid"
# $at's lock let go by cell-monitor, $other's by cell itself.
wait_handed_over "$apid" 20 || fail "$at's cell has not become cell-monitor"
stop_bg "$apid"
expect "the lock files after the stops" "$(locks)" ""
expect "H's links after the stops" "$(h_link_names)" "$base"

# Parents that are macvlans of pa: the kernel makes the cells' macvlans
# on pa, where their addresses clash as well.
for m in mva mvb; do ip -n "$H" link add $m link pa type macvlan mode bridge; done
sed -i 's/^MACVLAN=pa$/MACVLAN=mva/' "$a"
sed -i 's/^MACVLAN=pa$/MACVLAN=mvb/' "$b"
start_in_h "$a"
apid=$pid
status=0
SECONDS=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$b" >/dev/null 2>"$work/err2" || status=$?
expect "$under on mvb while $at runs on mva: exit status ($(cat "$work/err2"))" "$status" 2
want="$b:7: MACVLAN=mvb: the cell $at has a macvlan on pa (the link below the macvlan mvb) with this machine's"
grep -qF "$want" "$work/err2" || fail "$under's message on mvb: $(cat "$work/err2")"
[ "$SECONDS" -lt 5 ] || fail "$under on mvb failed only after ${SECONDS} s (the 5 s wait for its own last start's link)"
stop_bg "$apid"
expect "the lock files after the stop on mva" "$(locks)" ""
for m in mva mvb; do ip -n "$H" link del $m; done
for f in "$a" "$b"; do write_unit "$f"; done

# A start that fails after its lock was taken lets it go, the file too.
bad=$(unit bad "[Root]" "Directory=$root" "[Exec]" "Exec=/nonexistent" "[Network]" "MACVLAN=pa")
status=0
ip netns exec "$H" "$CELL" run --cgroup-manager=none "$bad" >/dev/null 2>"$work/err3" || status=$?
[ "$status" -ne 0 ] || fail "a unit with Exec=/nonexistent ran"
expect "the lock files after a failed start" "$(locks)" ""

# 2. Killed, and started again at once while its macvlan is still on pa:
# by itself, then by the other unit of its machine name.
for again in "$a" "$b"; do
        start_in_h "$a"
        wait_handed_over "$pid" 20 || fail "cell has not become cell-monitor"
        # The container's network namespace outlives its processes by 2 s.
        nsenter -t "$cpid" -n sleep 2 &
        holder=$!
        sleep 0.2
        kill -KILL $pid
        wait $pid 2>/dev/null || true
        t0=$(date +%s%N)
        start_in_h "$again"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        wait $holder
        [ "$ms" -ge 1500 ] || fail "$(basename "$again"): started after $ms ms, without waiting for the old macvlan"
        nsenter -t "$cpid" -n ip link show mv-pa | matches "state UP" || fail "$(basename "$again"): mv-pa not up"
        stop_bg "$pid"
        expect "the lock files after $(basename "$again")'s stop" "$(locks)" ""
done

# 3. Killed, then "cell stop" of it: the lock file it left goes.
start_in_h "$a"
wait_handed_over "$pid" 20 || fail "cell has not become cell-monitor"
kill -KILL $pid
wait $pid 2>/dev/null || true
expect "the lock files after $at was killed" "$(locks | wc -w)" 1
status=0
ip netns exec "$H" "$CELL" stop "$at" >/dev/null 2>"$work/err.stop" || status=$?
expect "cell stop of killed $at: exit status ($(cat "$work/err.stop"))" "$status" 3
expect "the lock files after cell stop of killed $at" "$(locks)" ""
expect "H's links at the end" "$(h_link_names)" "$base"
echo "ok: two units of one machine name on one parent (or below macvlan parents): the second fails at once," \
        "naming the first; a killed cell's macvlan waited for; cell stop of a killed cell removes its lock file"
