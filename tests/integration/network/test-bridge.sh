#!/bin/bash
# A busybox httpd in a cell with Bridge= (a veth into the bridge),
# Address=, Gateway= and Port=, under PrivateUsers=pick:
#
#   netns H (the "host": cell runs here)     netns C (a client)
#     br0 10.213.7.1/24 -- vb-NAME ==== host0 10.213.7.2/24 (the cell)
#         fd42:213:7::1/64                    fd42:213:7::2/64
#         \-- vc-peer ==== eth0 10.213.7.3/24 (C)
#
# C reaches the cell over the bridge; in H the cell answers on H's own
# addresses at the forwarded port, IPv4 and IPv6 (nspawn forwards to the
# container's address of each family). The veth's host side has nspawn's name
# for one on a bridge, "vb-" (networkd's 80-container-vb.network keeps it
# on the bridge; its ve-* file would take it off), shortened as nspawn's
# (the unit's name is long) with the full name as an alternative name, and
# both sides keep their MAC addresses from one start to the next (nspawn's,
# from the machine ID and the name). After a stop no veth, nft table or uid
# lock is left; the table a killed cell left is replaced at the next start.
# (Init=yes: busybox httpd as PID 1 would ignore SIGTERM.)
. "$(dirname "$0")/../run/lib.sh"

command -v nft >/dev/null || { echo "skipped: needs nft (nftables) to look at the rules"; exit 77; }
. "$(dirname "$0")/lib.sh"
have_http_get || { echo "skipped: needs wget or curl"; exit 77; }

ip -n "$H" link add br0 type bridge
ip -n "$H" addr add 10.213.7.1/24 dev br0
ip -n "$H" addr add fd42:213:7::1/64 dev br0 nodad
ip -n "$H" link set br0 up
ip -n "$C" link add eth0 type veth peer name vc-peer netns "$H"
ip -n "$C" addr add 10.213.7.3/24 dev eth0
ip -n "$C" link set eth0 up
ip -n "$H" link set vc-peer master br0 up

mkdir -p "$root/www"
echo "hello from the cell" > "$root/www/index.html"
name=$(unit_name web)
u=$(unit web "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.7.2/24" "Address=fd42:213:7::2/64" "Gateway=10.213.7.1" "Port=8080:80" "Port=udp:5353:53")
"$CELL" plan --json "$u" > "$work/plan" || fail "cell plan --json failed"
host_if=$(plan_value veth_host)
host_alt=$(plan_value veth_host_altname)
expect_match "the veth's host side on a bridge" "$host_if" '^vb-.{12}$'
expect "its alternative name" "$host_alt" "vb-$name"

# macs: the veth's two MAC addresses, "HOST CONTAINER" (the container's as
# C's neighbour table has it, after the page it fetched).
macs() {
        echo "$(ip -n "$H" -o link show "$host_if" | sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p')" \
                "$(ip -n "$C" neigh show 10.213.7.2 | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')"
}

start_cell() {
        # A new veth has a new MAC: the client must not use the old one's.
        ip -n "$C" neigh flush all
        ip -n "$H" neigh flush all
        ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" &
        pid=$!          # cell itself: ip netns exec execs it
        for _ in $(seq 50); do
                http_get_in "$C" http://10.213.7.2/ >"$work/page" 2>/dev/null && return 0
                kill -0 $pid 2>/dev/null || fail "cell ended: $(cat "$work/err")"
                sleep 0.2
        done
        fail "the cell's httpd never answered over the bridge: $(cat "$work/err")"
}

start_cell
expect "page over the bridge" "$(cat "$work/page")" "hello from the cell"
# Port=: H's own address, port 8080, reaches the container's port 80.
page=$(http_get_in "$H" http://10.213.7.1:8080/) || fail "no answer on the forwarded port"
expect "page through Port=" "$page" "hello from the cell"
# ... and H's own IPv6 address reaches its IPv6 address.
page=$(http_get_in "$H" "http://[fd42:213:7::1]:8080/") ||
        fail "no answer on the forwarded port over IPv6"
expect "page through Port= over IPv6" "$page" "hello from the cell"
# ... but not H's loopback: as nspawn's, 127.0.0.0/8 is left alone (a DNAT
# from 127.0.0.1 goes nowhere: the container cannot answer that source),
# and a service of H's on 127.0.0.1:8080 still answers there. (The marker
# in its command line: cleanup() ends it.)
# The same for IPv6's ::1.
mkdir "$work/www-$marker"
echo "hello from the host" > "$work/www-$marker/index.html"
for lo in 127.0.0.1 '[::1]'; do
        ip netns exec "$H" /bin/busybox httpd -f -p "$lo:8080" -h "$work/www-$marker" &
        hpid=$!
        page=
        for _ in $(seq 20); do
                page=$(http_get_in "$H" "http://$lo:8080/" 2>/dev/null) && break
                sleep 0.1
        done
        kill $hpid
        wait $hpid 2>/dev/null || true
        expect "H's own $lo:8080 while Port=8080 forwards" "$page" "hello from the host"
done
ip -n "$H" link show "$host_if" | matches "master br0" || fail "$host_if is not on br0"
ip -n "$H" link show "$host_if" | matches "altname $host_alt" || fail "$host_if has no altname $host_alt"
ip -n "$H" link show "$host_alt" >/dev/null || fail "$host_if is not found by its altname $host_alt"
macs=$(macs)
expect_match "the veth's MAC addresses: unicast, locally administered" "$macs" '^.[26ae]:.* .[26ae]:'
# A table per family, "ip" and "ip6" (test-ports.sh: one stands without
# the other).
ruleset=$(ip netns exec "$H" nft list table ip "cell-$name") || fail "no nft table ip cell-$name"
grep -q "udp dport 5353 dnat to 10.213.7.2:53" <<<"$ruleset" || fail "udp rule missing: $ruleset"
ruleset=$(ip netns exec "$H" nft list table ip6 "cell-$name") || fail "no nft table ip6 cell-$name"
grep -qF "udp dport 5353 dnat to [fd42:213:7::2]:53" <<<"$ruleset" || fail "IPv6 udp rule missing: $ruleset"
range=$(ls -t /run/cell/uid | head -1)
flock -n "/run/cell/uid/$range" true && fail "uid range not locked while the cell runs"

# Stop: nothing left, also when cell has become cell-monitor (src/monitor),
# which leaves the table, the veth and the runtime state to "cell __finish".
stop_cell
ip -n "$H" link show "$host_if" >/dev/null 2>&1 && fail "veth $host_if left after stop"
ip netns exec "$H" nft list tables | matches "cell-$name" && fail "nft table left after stop"
[ ! -e "/run/cell/uid/$range" ] || fail "uid range lock $range left after stop"

# A killed supervisor leaves its table; the next start replaces it.
start_cell
kill -KILL $pid
wait $pid 2>/dev/null || true
ip netns exec "$H" nft list tables | matches "cell-$name" || fail "expected the killed cell's table to remain"
for _ in $(seq 50); do
        ip -n "$H" link show "$host_if" >/dev/null 2>&1 || break
        sleep 0.1      # the veth goes with the container's network namespace
done
start_cell
expect "tables after restart" "$(ip netns exec "$H" nft list tables | grep "cell-$name" | sort | tr '\n' ' ')" \
        "table ip cell-$name table ip6 cell-$name "
expect "the veth's MAC addresses at the next start" "$(macs)" "$macs"
page=$(http_get_in "$H" http://10.213.7.1:8080/) || fail "no answer after restart"
kill -TERM $pid
wait $pid || true
ip netns exec "$H" nft list tables | matches "cell-$name" && fail "nft table left after the second stop"

# Errors: a missing bridge; Port= without an Address= it can forward to (an
# IPv4 one or an IPv6 one that is not link-local), which the unit says:
# refused at the Port= line before anything is made, as "cell verify"
# refuses it.
u2=$(unit nobr "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Bridge=nosuchbr0")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u2" >/dev/null 2>"$work/err" || status=$?
expect "missing bridge: status" "$status" 2
# Said at its line, as every key the start refuses.
grep -qF "$u2:6: Bridge=nosuchbr0: no such interface on the host" "$work/err" ||
        fail "missing bridge: $(cat "$work/err")"
u3=$(unit noaddr "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "VirtualEthernet=yes" \
        "Address=fe80::2/64" "Port=80")
want="$u3:8: Port= needs an Address= to forward to in [Network], IPv4 or IPv6, not link-local"
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u3" >/dev/null 2>"$work/err" || status=$?
expect "Port= without Address=: status" "$status" 1
grep -qF "$want" "$work/err" || fail "Port= without Address=: $(cat "$work/err")"
status=0; "$CELL" verify "$u3" >/dev/null 2>"$work/err" || status=$?
expect "cell verify of Port= without Address=: status" "$status" 1
grep -qF "$want" "$work/err" || fail "cell verify of Port= without Address=: $(cat "$work/err")"
# Nor to an IPv4 loopback address: a DNAT to it would reach H's own
# services on its loopback, not the container.
u4=$(unit loaddr "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "VirtualEthernet=yes" \
        "Address=127.0.0.2/8" "Port=8022:22")
status=0; "$CELL" verify "$u4" >/dev/null 2>"$work/err" || status=$?
expect "cell verify of Port= to 127.0.0.2: status" "$status" 1
grep -qF "$u4:8: Port= needs an Address= to forward to" "$work/err" || fail "Port= to 127.0.0.2: $(cat "$work/err")"
# Bridge= of a link that is no bridge: the veth was made, cannot be put on
# it, and is deleted again; the interface moved in before it (Interface=)
# is back in H under its name, and the start is refused at Bridge='s line
# with exit status 2, no table, no veth and no moved link left.
ip -n "$H" link add notbr type veth peer name notbr-p
ip -n "$H" link add xmv type veth peer name xmv-p
links_before=$(ip -n "$H" -o link show | sed -E 's/^[0-9]+: ([^:@]+).*/\1/' | sort)
u5=$(unit notbr "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Interface=xmv" \
        "Bridge=notbr" "Address=10.213.7.9/24" "Port=8089:80")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u5" >/dev/null 2>"$work/err" || status=$?
expect "Bridge= of no bridge: status" "$status" 2
grep -qF "$u5:7: Bridge=notbr: cannot attach vb-" "$work/err" || fail "Bridge= of no bridge: $(cat "$work/err")"
links_after=$(ip -n "$H" -o link show | sed -E 's/^[0-9]+: ([^:@]+).*/\1/' | sort)
[ "$links_before" = "$links_after" ] || fail "Bridge= of no bridge: H's links were '$links_before', are '$links_after'"
ip netns exec "$H" nft list tables | matches "cell-" && fail "Bridge= of no bridge: nft table left"
ip -n "$H" link del notbr
ip -n "$H" link del xmv
[ -z "$(ip -n "$H" link show type veth | grep ' v[eb]-')" ] || fail "veths left: $(ip -n "$H" link show type veth)"
echo "ok: bridge, Address=, Gateway=, Port= (IPv4 and IPv6), cleanup, Bridge= of no bridge"
