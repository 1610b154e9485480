# Sourced by the tests of this folder, after ../run/lib.sh (the busybox
# root, the unit helpers, cleanup()): two private network namespaces, H
# (the "host" cell runs in, through ip netns exec) and C (a client), each
# with its loopback up, deleted on exit with all the links made in them,
# also when a check fails (set +e: the trap must get to cleanup()).
command -v ip >/dev/null || { echo "skipped: needs ip (iproute2)"; exit 77; }
chmod 755 "$work"       # the child works as the container's root

H=cellh$$
C=cellc$$
# The first "ip netns add" makes /run/netns a mount (a shared bind of
# itself) and leaves it: ours to take away again if we made it.
netns_was_mount=0
mountpoint -q /run/netns 2>/dev/null && netns_was_mount=1
net_cleanup() {
        # Port='s lock files of H (src/spawn/port-lock.h), which stay.
        [ -n "${H_netns:-}" ] && rm -f /run/cell/port/net-"$H_netns"-* /run/cell/port/table-"$H_netns"-*
        ip netns del "$H" 2>/dev/null || true
        ip netns del "$C" 2>/dev/null || true
        if [ "$netns_was_mount" = 0 ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ] &&
           mountpoint -q /run/netns 2>/dev/null; then
                umount /run/netns 2>/dev/null || true
        fi
}
trap 'st=$?; set +e; net_cleanup; (exit $st); cleanup' EXIT

ip netns add "$H"
ip netns add "$C"
ip -n "$H" link set lo up
H_netns=$(ip netns exec "$H" stat -L -c %i /proc/self/ns/net)
ip -n "$C" link set lo up

# have_http_get: defines http_get URL, an HTTP GET with GNU wget or curl
# (the host's static busybox wget crashes in getaddrinfo); 1 without both.
have_http_get() {
        if command -v wget >/dev/null; then
                http_get() { wget -q -T 1 -t 1 -O - "$1"; }
        elif command -v curl >/dev/null; then
                http_get() { curl -sf -m 1 "$1"; }
        else
                return 1
        fi
}
# http_get_in NS URL: that GET from the network namespace NS; the page on stdout.
http_get_in() {
        ip netns exec "$1" bash -c "$(declare -f http_get); http_get '$2'"
}

# lower_link ADDR: "pa", a link of H (a veth, up) for MACVLAN= and IPVLAN=,
# and on it "mvc", a macvlan in bridge mode moved into C with ADDR: a
# neighbour on the segment the cell's macvlan joins.
lower_link() {
        ip -n "$H" link add pa type veth peer name pa-peer
        ip -n "$H" link set pa up
        ip -n "$H" link set pa-peer up
        ip -n "$H" link add mvc link pa type macvlan mode bridge
        ip -n "$H" link set mvc netns "$C"
        ip -n "$C" addr add "$1" dev mvc
        ip -n "$C" link set mvc up
}

# stop_cell: the cell started in the background as $pid (cell itself: ip
# netns exec execs it) has become cell-monitor by now; SIGTERM, and its exit.
stop_cell() {
        wait_handed_over "$pid" 20 || fail "cell has not become cell-monitor: '$(cat "/proc/$pid/comm" 2>/dev/null)'"
        kill -TERM $pid
        wait $pid || true
}

# start_in_h UNIT [MONITOR]: cell run of UNIT in H with the none manager
# ($CELL_MONITOR=MONITOR, 1 by default: handed over to cell-monitor), in
# the background; waits for its payload to touch /net.done; sets $pid
# (cell: ip netns exec and env exec it) and $cpid (the container's init).
start_in_h() {
        rm -f "$root/net.done"
        ip netns exec "$H" env CELL_MONITOR="${2:-1}" "$CELL" run --cgroup-manager=none "$1" \
                >"$work/out" 2>"$work/err" &
        pid=$!
        for _ in $(seq 50); do
                [ -e "$root/net.done" ] && break
                kill -0 $pid 2>/dev/null || fail "cell ended: $(cat "$work/err")"
                sleep 0.2
        done
        [ -e "$root/net.done" ] || fail "the payload never ran: $(cat "$work/err")"
        cpid=$(pgrep -P $pid | head -1)
        [ -n "$cpid" ] || fail "no container init under cell $pid"
}

# h_link_names: the names of H's links but lo, sorted, on one line.
h_link_names() {
        ip -n "$H" -o link show | sed -n 's/^[0-9]*: \([^:@]*\)[:@].*/\1/p' | grep -vx lo | sort | tr '\n' ' '
}
