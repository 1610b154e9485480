#!/bin/bash
# PrivateUsers=pick: a cell takes the range its name hashes to, locked while
# it runs and free once it ends; a range another holds (a running cell
# whose name hashes to the same one) is skipped for the next, disjoint one.
# (Two cells of one name cannot run at once: the name's lock refuses the
# second, so the range's other holder here is a process of ours.)
. "$(dirname "$0")/../run/lib.sh"
# The child works as the container's root: it must reach the root.
chmod 755 "$work"

u=$(unit pick "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/sh -c 'cat /proc/self/uid_map; sleep 2'")
# start_pick TAG: cell run of the unit in the background; its range, once
# its payload printed it, in $range; its PID in $pid.
start_pick() {
        timeout 20 "$CELL" run --cgroup-manager=none "$u" >"$work/out.$1" 2>"$work/err.$1" &
        pid=$!
        for _ in $(seq 200); do [ -s "$work/out.$1" ] && break; sleep 0.05; done
        range=$(awk '{print $2}' "$work/out.$1")
        [ -n "$range" ] || fail "$1: no uid map: $(cat "$work/err.$1")"
}

# 1. Alone: the range the name hashes to, locked while the cell runs.
start_pick a
ra=$range
flock -n "/run/cell/uid/$ra" true && fail "range $ra not locked while its cell runs"
wait "$pid" || fail "cell a: $(cat "$work/err.a")"
[ ! -e "/run/cell/uid/$ra" ] || fail "range $ra: its lock file left after the cell ended"

# 2. That range held by another: the same unit takes the next one.
( exec 9>"/run/cell/uid/$ra" && flock 9 && exec sleep 30 ) &
holder=$!
for _ in $(seq 100); do flock -n "/run/cell/uid/$ra" true || break; sleep 0.05; done
flock -n "/run/cell/uid/$ra" true && { kill "$holder"; fail "the stand-in holder did not take range $ra"; }
start_pick b
rb=$range
flock -n "/run/cell/uid/$rb" true && fail "range $rb not locked while its cell runs"
wait "$pid" || fail "cell b: $(cat "$work/err.b")"
kill "$holder"
wait "$holder" 2>/dev/null || true
rm -f "/run/cell/uid/$ra"
[ "$ra" != "$rb" ] || fail "range $ra taken while another held it"
(( ra + 65536 <= rb || rb + 65536 <= ra )) || fail "ranges $ra and $rb overlap"
expect "b's range, the next candidate" "$rb" $(( ra == 0x6FFF0000 ? 0x80000 : ra + 65536 ))
[ ! -e "/run/cell/uid/$rb" ] || fail "lock files left: $(ls /run/cell/uid)"

# 3. A fixed range over a running picked cell's: refused, naming that cell
# (its root would be one of the other container's users), nothing left.
start_pick c
rc=$range
f=$(unit fixed "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=$((rc + 100)):65536" "[Exec]" "Exec=/bin/true")
run_cell none "$f"
expect "fixed over a pick: status" "$status" 2
expect_match "fixed over a pick: message" "$(grep -v 'Running without' "$work/err")" \
        "^cell: $(unit_name fixed): $f:4: PrivateUsers=$((rc + 100)):65536: IDs $rc\\.\\.[0-9]+ are the range of the running cell \"$(unit_name pick)\""
wait "$pid" || fail "cell c: $(cat "$work/err.c")"

[ ! -e "/run/cell/uid/$rc" ] || fail "lock files left: $(ls /run/cell/uid)"

# 4. The other way round: a running fixed range over the range this name
# hashes to keeps the pick off it, also once cell-monitor supervises it
# (after a second); the slot's lock file goes with the fixed cell.
f=$(unit fixedrun "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=$ra:65536" \
        "[Exec]" "Exec=/bin/sh -c 'echo up; exec sleep 4'")
"$CELL" run --cgroup-manager=none "$f" >"$work/out.f" 2>"$work/err.f" &
fpid=$!
for _ in $(seq 200); do grep -q up "$work/out.f" && break; sleep 0.05; done
grep -q up "$work/out.f" || { kill "$fpid"; fail "fixed: never came up: $(cat "$work/err.f")"; }
wait_handed_over "$fpid" 20 || { kill "$fpid"; fail "fixed: not handed over to cell-monitor"; }
flock -n "/run/cell/uid/$ra" true && { kill "$fpid"; fail "fixed: slot $ra not held while it runs"; }
start_pick d
rd=$range
wait "$pid" || fail "cell d: $(cat "$work/err.d")"
expect "a pick beside a running fixed range" "$rd" $(( ra == 0x6FFF0000 ? 0x80000 : ra + 65536 ))
wait "$fpid" || fail "fixed: $(cat "$work/err.f")"
[ ! -e "/run/cell/uid/$ra" ] || fail "fixed: slot $ra's lock file left: $(ls /run/cell/uid)"
[ ! -e "/run/cell/uid/$rd" ] || fail "lock files left: $(ls /run/cell/uid)"
echo "ok: range $ra, and $rb while $ra was held; a fixed range over a picked one refused, a pick beside a fixed one"
