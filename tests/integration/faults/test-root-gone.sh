#!/bin/bash
# The root directory renamed away while cell starts (0..10 ms after it was
# started, 20 times; 200 with CELL_TEST_FULL=1), with --cgroup-manager=none
# and cgroupfs in turn. Each start either runs normally (cell had the root
# already) or fails with exit 2 and a message naming the root; never any
# other status, never a mount in the host's table, nothing left behind.
. "$(dirname "$0")/lib.sh"

loops=20
full && loops=200

u=$(unit rootgone "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe exit 0")

# Gone before the start: the message says which directory.
mv "$root" "$work/away"
run_cell none "$u"
expect "root missing: status" "$status" 2
grep -q -- "$root" "$work/err" || fail "root missing: the message does not name $root: $(cat "$work/err")"
echo "root missing: $(grep -v 'Running without' "$work/err" | head -n1)"
mv "$work/away" "$root"

host_snapshot before
ran=0 refused=0 why=
for i in $(seq "$loops"); do
        if [ $((i % 2)) = 0 ]; then m=cgroupfs; else m=none; fi
        delay=$(printf '0.%06d' $((RANDOM % 10001)))
        st=0
        timeout 20 "$CELL" run --cgroup-manager=$m "$u" >"$work/out" 2>"$work/err" &
        pid=$!
        sleep "$delay"
        mv "$root" "$work/away"
        wait "$pid" || st=$?
        mv "$work/away" "$root"
        case $st in
        0)
                ran=$((ran + 1)) ;;
        2)
                grep -v 'Running without a cgroup' "$work/err" > "$work/err.1" || true
                [ -s "$work/err.1" ] || fail "start $i ($m): exit 2 without a message"
                refused=$((refused + 1))
                why=$(head -n1 "$work/err.1") ;;
        *)
                fail "start $i ($m, root moved after ${delay}s): exit $st: $(cat "$work/err")" ;;
        esac
        check_mounts "start $i ($m)"
done
nothing_left "after the renames"
echo "root renamed away during $loops starts: $ran ran normally, $refused refused${why:+ (e.g. \"$why\")}"
echo ok
