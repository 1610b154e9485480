#!/bin/bash
# A package upgrade under running cells, as dpkg makes one: cell and
# cell-monitor (copies in $work/bin, cell-monitor beside cell) replaced by
# new files renamed over them (a byte longer: another build) while cells of
# both managers run (Init=yes, PrivateUsers=pick, a plain PID 1). The new
# binary lists, shows, enters, signals and stops them, and starts another;
# each old "cell run" exits 0 of its stop, its "cell __finish" exec'd from
# the replaced file, and nothing is left. Then the binaries removed outright
# (rm) under a running cell: "cell stop" still ends it cleanly.
. "$(dirname "$0")/lib.sh"

bin=$work/bin
mkdir -p "$bin"
install -m 0755 "$CELL" "$bin/cell"
install -m 0755 "$(dirname "$CELL")/cell-monitor" "$bin/cell-monitor"

# replace FILE: as dpkg installs a file, a new one renamed over the old.
replace() {
        { cat "$1"; printf '\n'; } > "$1.dpkg-new"
        chmod 0755 "$1.dpkg-new"
        mv -f "$1.dpkg-new" "$1"
}

# supervisor NAME: the PID of NAME's "cell run", as status --json has it.
supervisor() {
        "$CELL" status --json "$1" | sed -n 's/.*"supervisor_pid": *\([0-9]*\).*/\1/p'
}

# start_old NAME MANAGER UNIT: "cell run" of $bin/cell in the background
# ($pids[NAME]), back once cell-monitor supervises it (after 1 s).
declare -A pids
start_old() {
        local name=$1 sup=
        "$bin/cell" run --cgroup-manager="$2" "$3" >"$work/$name.out" 2>&1 </dev/null &
        pids[$name]=$!
        for _ in $(seq 100); do
                sup=$(supervisor "$(unit_name "$name")" 2>/dev/null || true)
                [ -n "$sup" ] && [ "$(cat "/proc/$sup/comm" 2>/dev/null)" = cell-monitor ] && return 0
                sleep 0.1
        done
        fail "$name: no cell-monitor took over: $(cat "$work/$name.out")"
}

wait_old() {    # wait_old NAME: its "cell run" exited 0
        local s=0
        wait "${pids[$1]}" || s=$?
        expect "$1: exit status of the old cell run" "$s" 0
}

sleeper="Exec=/bin/probe sleep 300 $marker"
ucg=$(unit upgcg "[Root]" "Directory=$root" "[Exec]" "$sleeper" "Init=yes" "TimeoutStopSec=10")
unone=$(unit upgnone "[Root]" "Directory=$root" "[Exec]" "$sleeper" "Init=yes" "TimeoutStopSec=10")
upu=$(unit upgpu "[Root]" "Directory=$root" "[Exec]" "$sleeper" "Init=yes" "TimeoutStopSec=10" \
        "[Isolation]" "PrivateUsers=pick")
uplain=$(unit upgplain "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"exit 0\" TERM; while :; do sleep 0.1; done; : $marker'" "TimeoutStopSec=10")
unew=$(unit upgnew "[Root]" "Directory=$root" "[Exec]" "$sleeper" "Init=yes" "TimeoutStopSec=10")

host_snapshot before
start_old upgcg cgroupfs "$ucg"
start_old upgnone none "$unone"
start_old upgpu cgroupfs "$upu"
start_old upgplain cgroupfs "$uplain"

replace "$bin/cell"
replace "$bin/cell-monitor"
sup=$(supervisor "$(unit_name upgcg)")
expect_match "the old cell-monitor's binary" "$(readlink "/proc/$sup/exe")" ' \(deleted\)$'

new=$bin/cell
listed=$("$new" list --no-legend | awk '{ print $1 }' | grep -c -- "$marker" || true)
expect "cells the new binary lists" "$listed" 4
for n in upgcg upgnone upgpu upgplain; do
        "$new" status "$(unit_name $n)" >/dev/null || fail "$n: status of the new binary failed"
        "$new" exec "$(unit_name $n)" /bin/true </dev/null || fail "$n: exec of the new binary failed"
done
map=$("$new" exec "$(unit_name upgpu)" cat /proc/self/uid_map </dev/null)
expect_match "PrivateUsers=pick: the new binary's exec joins its user namespace" "$map" '^ +0 +[1-9][0-9]* +65536$'
# The old reaper (Init=yes, a fork of the replaced binary) is still known as one.
st=0
"$new" kill "$(unit_name upgcg)" STOP 2>"$work/err" || st=$?
expect "kill STOP of an old reaper: status" "$st" 2
grep -q "reaper" "$work/err" || fail "kill STOP of an old reaper: $(cat "$work/err")"
"$new" kill "$(unit_name upgplain)" CONT || fail "kill of the new binary failed"

# A start of another name by the new binary, beside the old ones.
"$new" run --cgroup-manager=cgroupfs "$unew" >"$work/upgnew.out" 2>&1 </dev/null &
newpid=$!
wait_execable "$(unit_name upgnew)" "$newpid" || fail "upgnew: did not start: $(cat "$work/upgnew.out")"

for n in upgcg upgnone upgpu upgplain upgnew; do
        "$new" stop "$(unit_name $n)" || fail "$n: stop of the new binary failed"
done
for n in upgcg upgnone upgpu upgplain; do
        wait_old $n
done
st=0; wait "$newpid" || st=$?
expect "upgnew: exit status" "$st" 0
nothing_left "after the upgrade"
echo "replaced: list, status, exec, kill, stop and a new start work"

# Removed outright: cell-monitor's "cell __finish" runs from the file it
# opened, which only its open fd keeps.
install -m 0755 "$CELL" "$bin/cell"
install -m 0755 "$(dirname "$CELL")/cell-monitor" "$bin/cell-monitor"
start_old upgcg cgroupfs "$ucg"
start_old upgnone none "$unone"
rm -f "$bin/cell" "$bin/cell-monitor"
for n in upgcg upgnone; do
        "$CELL" stop "$(unit_name $n)" || fail "$n: stop after rm failed"
        wait_old $n
done
nothing_left "after rm"
echo "removed: stop works, nothing left"
echo ok
