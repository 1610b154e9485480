#!/bin/bash
# --cgroup-manager=cgroupfs: the payload runs in its own cgroup, sees it as
# "/" (cgroup namespace), and the cgroup is gone when the payload is.
. "$(dirname "$0")/lib.sh"

u=$(unit cg "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe")
host_snapshot before
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run exited $status"; }
cg=$(field cgroup)
expect_match "cgroup namespace" "$cg" '(^|\\n)0::/$'
expect_nothing_left

# While it runs: a cgroup named after the unit holds exactly the payload.
u=$(unit cgsleep "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 30 $marker")
"$CELL" run --cgroup-manager=cgroupfs "$u" >/dev/null 2>"$work/err" &
pid=$!
for _ in $(seq 100); do
        payload=$(pgrep -f "probe sleep 30 $marker" || true)
        [ -n "$payload" ] && break
        sleep 0.05
done
[ -n "$payload" ] || fail "the payload did not start: $(cat "$work/err")"
dirs=$(find /sys/fs/cgroup -type d -name "cell-$(unit_name cgsleep)")
[ -n "$dirs" ] || fail "no cgroup for the container"
for d in $dirs; do
        expect "cgroup.procs of $d" "$(cat "$d/cgroup.procs")" "$payload"
done
# The payload dies (here: from outside); cell reports it and cleans up.
kill -KILL "$payload"
status=0
wait "$pid" || status=$?
expect "status" "$status" 137
for d in $dirs; do
        [ ! -d "$d" ] || fail "cgroup $d left behind"
done
expect_nothing_left
echo ok
