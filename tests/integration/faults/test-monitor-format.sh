#!/bin/bash
# A start that straddles a package upgrade pairs cell with another
# version's cell-monitor: stand-ins (tests/unit/monitor/fake-cell-monitor.c)
# beside a copy of cell, one of a later hand-over format and one older than
# the formats, each exiting 2 on a hand-over it cannot read, as a real one
# does. cell asks it first, says why it does not hand over and stays the
# supervisor: the container runs on past the hand-over's second, "cell
# exec" enters it, "cell stop" ends it (exit 0), nothing is left. Both
# managers (cgroupfs: "cell __finish"'s work, done by cell itself).
. "$(dirname "$0")/lib.sh"
newer=$(realpath "${4:?usage: $0 CELL PROBE MAKE_ROOT FAKE_NEWER FAKE_OLDER}")
older=$(realpath "${5:?}")

bin=$work/bin
mkdir -p "$bin"
install -m 0755 "$CELL" "$bin/cell"
u=$(unit monfmt "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 300 $marker" "Init=yes" \
        "TimeoutStopSec=10")
name=$(unit_name monfmt)

host_snapshot before
for fake in newer older; do
        if [ $fake = newer ]; then
                install -m 0755 "$newer" "$bin/cell-monitor"
                said="is another version's (cell 9.9.9, hand-over format 999;"
        else
                install -m 0755 "$older" "$bin/cell-monitor"
                said="does not say which hand-over format it reads"
        fi
        for m in cgroupfs none; do
                "$bin/cell" run --cgroup-manager=$m "$u" >"$work/out" 2>&1 </dev/null &
                pid=$!
                wait_execable "$name" "$pid" || fail "$fake/$m: did not start: $(cat "$work/out")"
                # Past the hand-over's second (MONITOR_AFTER_USEC): until cell said it
                # stays (20 s at most), not a fixed 2 s, which a loaded machine outran.
                for _ in $(seq 400); do
                        grep -qF "cell stays the container's supervisor:" "$work/out" && break
                        kill -0 "$pid" 2>/dev/null || break
                        sleep 0.05
                done
                kill -0 "$pid" 2>/dev/null ||
                        fail "$fake/$m: the cell ended at the hand-over: $(cat "$work/out")"
                expect "$fake/$m: the supervisor" "$(cat "/proc/$pid/comm")" cell
                "$CELL" exec "$name" /bin/true </dev/null || fail "$fake/$m: exec failed"
                grep -qF "cell stays the container's supervisor: $bin/cell-monitor $said" "$work/out" ||
                        fail "$fake/$m: no word on the refused hand-over: $(cat "$work/out")"
                "$CELL" stop "$name" || fail "$fake/$m: stop failed"
                st=0; wait "$pid" || st=$?
                expect "$fake/$m: exit status" "$st" 0
                nothing_left "$fake/$m"
        done
        echo "$fake: $(grep "cell stays" "$work/out")"
done
echo ok
