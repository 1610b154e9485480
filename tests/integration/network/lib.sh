# Sourced by the tests of this folder, after ../run/lib.sh (the busybox
# root, the unit helpers, cleanup()): two private network namespaces, H
# (the "host" cell runs in, through ip netns exec) and C (a client), each
# with its loopback up, deleted on exit with all the links made in them,
# also when a check fails (set +e: the trap must get to cleanup()).
command -v ip >/dev/null || { echo "skipped: needs ip (iproute2)"; exit 77; }
chmod 755 "$work"       # the child works as the container's root

H=cellh$$
C=cellc$$
net_cleanup() {
        # Port='s lock files of H (src/spawn/port-lock.h), which stay.
        [ -n "${H_netns:-}" ] && rm -f /run/cell/port/net-"$H_netns"-*
        ip netns del "$H" 2>/dev/null || true
        ip netns del "$C" 2>/dev/null || true
}
trap 'st=$?; set +e; net_cleanup; (exit $st); cleanup' EXIT

ip netns add "$H"
ip netns add "$C"
ip -n "$H" link set lo up
H_netns=$(ip netns exec "$H" stat -L -c %i /proc/self/ns/net)
ip -n "$C" link set lo up

# stop_cell: the cell started in the background as $pid (cell itself: ip
# netns exec execs it) has become cell-monitor by now; SIGTERM, and its exit.
stop_cell() {
        for _ in $(seq 30); do
                [ "$(cat /proc/$pid/comm 2>/dev/null)" = cell-monitor ] && break
                sleep 0.1
        done
        expect "cell has become cell-monitor" "$(cat /proc/$pid/comm 2>/dev/null)" cell-monitor
        kill -TERM $pid
        wait $pid || true
}
