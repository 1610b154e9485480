#!/bin/bash
# Interface=, MACVLAN= and IPVLAN=: links of the "host" that a cell gets.
#
#   netns H (the "host": cell runs here)        netns C (a client)
#     pa (veth, up) -- pa-peer
#       \-- mv-pa (the cell's macvlan)  <-bridge mode->  mvc 10.213.8.3/24 (C)
#     xif (veth) ====================================== xifp 10.213.9.3/24 (C)
#       moved into the cell by Interface=xif
#
# The cell's macvlan is named mv-pa inside, is a macvlan in bridge mode,
# and reaches its sibling in C; a start waits (5 s at most) while another
# macvlan of pa has its address, as the last start's has until its
# network namespace is gone; Interface=xif takes xif out of H, carries
# Address= (the first interface, before the macvlan), reaches C, and is back
# in H, under its name, when the cell has stopped (also after cell has become
# cell-monitor, and after a failed start). A missing host interface is an
# error naming the key and the interface, and leaves H as it was. What
# cell moves back is the link it moved in, not one the payload made with its
# index; a name taken on the host meanwhile gets NAME-cell1 instead.
. "$(dirname "$0")/../run/lib.sh"
command -v nsenter >/dev/null || { echo "skipped: needs nsenter"; exit 77; }
. "$(dirname "$0")/lib.sh"

lower_link 10.213.8.3/24
ip -n "$H" link add xif type veth peer name xifp netns "$C"
ip -n "$C" addr add 10.213.9.3/24 dev xifp
ip -n "$C" link set xifp up

# H's links by name and kind, to compare before and after.
h_links() {
        ip -n "$H" -o -d link show | sed -E 's/^[0-9]+: ([^:@]+)[@:].* (veth|macvlan|ipvlan) .*/\1 \2/; s/^[0-9]+: ([^:@]+)[@:].*/\1/' | sort
}
h_links > "$work/links.before"
expect_h_unchanged() {
        h_links > "$work/links.after"
        diff -u "$work/links.before" "$work/links.after" >&2 || fail "$1: H's links changed"
}

# The payload records its view of the network, then waits.
payload='ip -o addr > /net.addr; ip -o link > /net.link; touch /net.done; exec sleep 1000'

# start_cell UNIT: start_in_h, the payload's last record removed first.
start_cell() {
        rm -f "$root/net.addr" "$root/net.link"
        start_in_h "$1"
}

# ping_from_c ADDR: one echo answered (busybox's ping: iputils may be missing).
ping_from_c() {
        ip netns exec "$C" /bin/busybox ping -c 1 -W 2 "$1" >/dev/null
}

# in_cell ARGS...: a host command in the cell's network namespace.
in_cell() {
        nsenter -t "$cpid" -n "$@"
}

# 1. MACVLAN=: mv-pa inside, bridge mode, Address= on it, reaches mvc in C.
u=$(unit mv "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
        "[Network]" "MACVLAN=pa" "Address=10.213.8.2/24" "Gateway=10.213.8.1" "Gateway=10.213.8.254" \
        "Address=10.213.8.2/24" "Gateway=10.213.8.1")
"$CELL" plan --json "$u" > "$work/plan" || fail "cell plan --json failed"
grep -A1 '"macvlan": \[' "$work/plan" | matches '{"host": "pa", "name": "mv-pa"}'  || fail "plan: $(grep -A12 '"network"' "$work/plan")"
expect "plan: address_interface" "$(plan_value address_interface)" "mv-pa"
start_cell "$u"
grep -q ': mv-pa@' "$root/net.link" || fail "no mv-pa in the cell: $(cat "$root/net.link")"
grep -q 'mv-pa *inet 10.213.8.2/24' "$root/net.addr" || fail "Address= not on mv-pa: $(cat "$root/net.addr")"
# With its subnet's broadcast address, as networkd's Address= (Broadcast=).
grep -q 'mv-pa *inet 10.213.8.2/24 brd 10.213.8.255 ' "$root/net.addr" ||
        fail "Address= without its broadcast address: $(cat "$root/net.addr")"
# Gateway= is a list: a second default route of the family too, not EEXIST;
# an Address= or Gateway= repeated (a drop-in's, say) is one, as networkd's.
routes=$(in_cell ip -4 route show default)
{ matches "via 10.213.8.1 dev mv-pa" <<< "$routes" && matches "via 10.213.8.254 dev mv-pa" <<< "$routes"; } ||
        fail "Gateway= twice: default routes: $routes"
in_cell ip -d -o link show mv-pa | matches "macvlan mode bridge" || fail "mv-pa: $(in_cell ip -d -o link show mv-pa)"
in_cell ip -o link show mv-pa | matches "state UP" || fail "mv-pa is not up"
ping_from_c 10.213.8.2 || fail "C cannot reach the cell's macvlan"
ip -n "$H" link show mv-pa >/dev/null 2>&1 && fail "mv-pa is on the host"
mac=$(sed -n 's/.*: mv-pa@.* link\/ether \([0-9a-f:]*\) .*/\1/p' "$root/net.link")
[ -n "$mac" ] || fail "no MAC address of mv-pa in: $(cat "$root/net.link")"
stop_cell
# Its MAC address is nspawn's, from the machine ID and the unit's name: the
# same at the next start (a DHCP lease holds), locally administered.
if [ -s /etc/machine-id ]; then
        start_cell "$u"
        expect "mv-pa's MAC at the second start" \
                "$(sed -n 's/.*: mv-pa@.* link\/ether \([0-9a-f:]*\) .*/\1/p' "$root/net.link")" "$mac"
        expect "mv-pa's MAC: unicast, locally administered" "$(( 0x${mac%%:*} & 3 ))" 2
        stop_cell
        # A macvlan with that address still on pa, as the last start's is
        # while the kernel tears its network namespace down: the start
        # waits for it to go (the kernel refuses the second one up), ...
        ip -n "$H" link add mvold link pa type macvlan mode bridge
        ip -n "$H" link set mvold address "$mac" up
        (sleep 1; ip -n "$H" link del mvold) &
        deleter=$!
        start_cell "$u"
        wait $deleter
        in_cell ip -o link show mv-pa | matches "state UP" || fail "mv-pa is not up after the wait"
        stop_cell
        # ... 5 s at most, then fails naming the interface (at the line
        # of its MACVLAN=, though the child brings it up).
        ip -n "$H" link add mvold link pa type macvlan mode bridge
        ip -n "$H" link set mvold address "$mac" up
        status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
        expect "a macvlan's address in use for good: status" "$status" 2
        grep -qF "$u:7: MACVLAN=pa: bringing mv-pa up: its address is in use on the host's link below it, still after 5 s" \
                "$work/err" || fail "a macvlan's address in use: $(cat "$work/err")"
        ip -n "$H" link del mvold
fi
expect_h_unchanged "after MACVLAN="

# 2. Interface= with MACVLAN=, under PrivateUsers=pick: xif leaves H,
# carries Address= (the first interface), and comes back after the stop.
u=$(unit ifc "[Root]" "Directory=$root" "[Isolation]" "PrivateUsers=pick" \
        "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
        "[Network]" "MACVLAN=pa" "Interface=xif" "Address=10.213.9.2/24")
start_cell "$u"
ip -n "$H" link show xif >/dev/null 2>&1 && fail "xif is still in H while the cell runs"
grep -q 'xif *inet 10.213.9.2/24' "$root/net.addr" || fail "Address= not on xif: $(cat "$root/net.addr")"
grep -q 'mv-pa *inet ' "$root/net.addr" && fail "Address= also on mv-pa: $(cat "$root/net.addr")"
in_cell ip -d -o link show xif | matches " veth " || fail "xif: $(in_cell ip -d -o link show xif)"
ping_from_c 10.213.9.2 || fail "C cannot reach the cell over xif"
# A second cell naming xif while this one holds it: told where it may be.
u2=$(unit second "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Interface=xif")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u2" >/dev/null 2>"$work/err" || status=$?
expect "Interface= held by another cell: status" "$status" 2
grep -qF "$u2:6: Interface=xif: no such interface on the host (moved into another container?)" "$work/err" ||
        fail "Interface= held by another cell: $(cat "$work/err")"
stop_cell
ip -n "$H" link show xif >/dev/null 2>&1 || fail "xif did not come back to H after the stop"
expect_h_unchanged "after Interface= (through cell-monitor)"

# 3. A payload that renames xif and exits at once (cell itself cleans up,
# no cell-monitor): xif comes back under its own name.
u=$(unit quick "[Root]" "Directory=$root" "[Isolation]" "Capability=CAP_NET_ADMIN" "[Exec]" "Exec=/bin/sh -c 'ip link set xif down && ip link set xif name lan0'" \
        "[Network]" "Interface=xif")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
expect "Interface= with a payload that renames it: status ($(cat "$work/err"))" "$status" 0
expect_h_unchanged "after Interface= with a payload that renamed it and exited"

# 3b. Interface= by an alternative name of the link (udev gives a NIC
# several): it comes back under its own name, not renamed to xifalt-cell1
# (the kernel refuses it the name xifalt, which it holds itself). A kernel
# that does not take alternative names along into a namespace fails the
# start inside, naming it; xif is back all the same.
if ip -n "$H" link property add dev xif altname xifalt 2>/dev/null; then
        u=$(unit alt "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Interface=xifalt")
        status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
        [ "$status" = 0 ] || grep -q "no xifalt in the container" "$work/err" ||
                fail "Interface= by an alternative name: status $status: $(cat "$work/err")"
        grep -q "moved back as" "$work/err" && fail "Interface= by an alternative name: $(cat "$work/err")"
        expect_h_unchanged "after Interface= by an alternative name"
        # One link by its name and by its alternative name, which the
        # unit's check (names only) lets through: refused at the second's
        # line before anything is moved, exit status 2, not "no such
        # interface on the host" once the first moved it in.
        u=$(unit alt2 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Interface=xif" \
                "Interface=xifalt")
        status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
        expect "Interface= by name and by alternative name: status" "$status" 2
        grep -qF "$u:7: Interface=xifalt is the link Interface=xif names already" "$work/err" ||
                fail "Interface= by name and by alternative name: $(cat "$work/err")"
        expect_h_unchanged "after Interface= by name and by alternative name"
        u=$(unit alt3 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Interface=xifalt" \
                "MACVLAN=xif")
        status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
        expect "MACVLAN= of a link Interface= names by another name: status" "$status" 2
        grep -qF "$u:7: MACVLAN=xif and Interface=xifalt exclude each other" "$work/err" ||
                fail "MACVLAN= of a link Interface= names by another name: $(cat "$work/err")"
        expect_h_unchanged "after MACVLAN= of a link Interface= names by another name"
        ip -n "$H" link property del dev xif altname xifalt
fi

# 4. Errors: a missing host interface names the key and the interface and
# leaves H as it was; a failure after the move gives the interface back.
for key in MACVLAN IPVLAN Interface; do
        u=$(unit "miss$key" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" \
                "[Network]" "Interface=xif" "$key=nosuch0")
        status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
        expect "missing $key= interface: status" "$status" 2
        # At its own line, not the first of the [Network] lists'.
        grep -qF "$u:7: $key=nosuch0: no such interface on the host" "$work/err" ||
                fail "missing $key=: $(cat "$work/err")"
        expect_h_unchanged "after a missing $key="
done
# A Gateway= outside the subnet of every Address= is refused with the unit
# (the kernel's ENETUNREACH in the container, with xif moved in, before):
# at its line, nothing moved.
u=$(unit offlink "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" \
        "[Network]" "Interface=xif" "Address=10.213.9.2/24" "Gateway=10.99.0.1")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
expect "Gateway= outside the subnet: status" "$status" 1
grep -qF "$u:8: Gateway=10.99.0.1 is outside the subnet of every IPv4 Address= (10.213.9.0/24)" "$work/err" ||
        fail "Gateway= error: $(cat "$work/err")"
expect_h_unchanged "after a Gateway= outside the subnet"
u=$(unit late "[Root]" "Directory=$root" "[Exec]" "Exec=/nosuch" \
        "[Network]" "Interface=xif" "Address=10.213.9.2/24" "Gateway=10.213.9.1")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
expect "a start that fails after the move: status" "$status" 2
grep -q "Exec=/nosuch: not found in the container" "$work/err" || fail "late failure: $(cat "$work/err")"
expect_h_unchanged "after a start that failed with xif moved in"

# 5. IPVLAN=: iv-pa, L2 mode, where the kernel has ipvlan; else a clear error.
u=$(unit iv "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
        "[Network]" "IPVLAN=pa" "Address=10.213.8.4/24")
if ip -n "$H" link add ivtest link pa type ipvlan mode l2 2>/dev/null; then
        ip -n "$H" link del ivtest
        start_cell "$u"
        grep -q ': iv-pa@' "$root/net.link" || fail "no iv-pa in the cell: $(cat "$root/net.link")"
        grep -q 'iv-pa *inet 10.213.8.4/24' "$root/net.addr" || fail "Address= not on iv-pa"
        in_cell ip -d -o link show iv-pa | matches "ipvlan  *mode l2" || fail "iv-pa: $(in_cell ip -d -o link show iv-pa)"
        stop_cell
        ipvlan=tested
else
        status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
        expect "IPVLAN= without kernel support: status" "$status" 2
        grep -q "IPVLAN=pa: this kernel has no ipvlan support" "$work/err" || fail "IPVLAN=: $(cat "$work/err")"
        ipvlan="not in this kernel: its error checked"
fi
expect_h_unchanged "after IPVLAN="

# 6. An interface that cannot change network namespace (a bridge): the
# kernel's EINVAL with a hint, and H as it was.
ip -n "$H" link add brx type bridge
h_links > "$work/links.before"
u=$(unit br "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Interface=brx")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
expect "Interface= of a bridge: status" "$status" 2
grep -q "Interface=brx: cannot move it into the container (an interface that cannot change network namespace" "$work/err" ||
        fail "Interface= of a bridge: $(cat "$work/err")"
expect_h_unchanged "after Interface= of a bridge"

# 7. A name taken on the host while the cell runs: xif comes back as
# xif-cell1 (still the veth to C), with a warning naming both; without
# that, the kernel would delete it with the container's namespace.
u=$(unit taken "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
        "[Network]" "Interface=xif" "Address=10.213.9.2/24")
start_cell "$u"
ip -n "$H" link add xif type veth peer name xifq
stop_cell
ip -n "$H" -d -o link show xif-cell1 2>/dev/null | matches "xif-cell1@.* veth " ||
        fail "xif did not come back as xif-cell1: $(ip -n "$H" -o link)"
grep -q "Interface=xif: another interface has that name on the host now; moved back as xif-cell1" "$work/err" ||
        fail "no warning for the taken name: $(cat "$work/err")"
ip -n "$H" link set xif-cell1 up
ip -n "$H" addr add 10.213.9.2/24 dev xif-cell1
ping_from_c 10.213.9.2 || fail "xif-cell1 is not the veth to C"
ip -n "$H" link del xif
ip -n "$H" addr flush dev xif-cell1
ip -n "$H" link set xif-cell1 down
ip -n "$H" link set xif-cell1 name xif
expect_h_unchanged "after a name taken meanwhile (put back by the test)"

# 7b. The payload renames xif and makes a link of its own named xif inside
# (through nsenter, as in 8.): the name is free on H, and xif comes back
# under it, without a warning, not as xif-cell1 ("another interface has that
# name on the host now").
u=$(unit heldinside "[Root]" "Directory=$root" "[Isolation]" "Capability=CAP_NET_ADMIN" \
        "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" "[Network]" "Interface=xif")
start_cell "$u"
in_cell ip link set xif down
in_cell ip link set xif name lan0
in_cell ip link add xif type ifb
stop_cell
ip -n "$H" -d -o link show xif 2>/dev/null | matches "xif@.* veth " ||
        fail "xif did not come back under its name: $(ip -n "$H" -o link; cat "$work/err")"
grep -q "moved back as" "$work/err" && fail "xif, held inside by another link: $(cat "$work/err")"
expect_h_unchanged "after xif's name was held inside by another link"

# 8. The payload (CAP_NET_ADMIN over its network namespace) deletes xif and
# makes a link of its own with xif's index: that one must not come out onto
# H as xif. The test does the payload's part through nsenter, with the
# host's ip (busybox's has no "index"); the rights it uses in the
# container's namespace are the payload's.
u=$(unit impostor "[Root]" "Directory=$root" "[Isolation]" "Capability=CAP_NET_ADMIN" \
        "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" "[Network]" "Interface=xif")
start_cell "$u"
index=$(in_cell ip -o link show xif | cut -d: -f1)
in_cell ip link del xif
in_cell ip link add xif index "$index" type ifb
in_cell ip -d -o link show xif | matches "^$index: xif: .* ifb " || fail "no impostor: $(in_cell ip -d -o link show)"
stop_cell
ip -n "$H" -d -o link show | matches " ifb " && fail "the payload's link is on H: $(ip -n "$H" -d -o link show)"
ip -n "$H" link show xif >/dev/null 2>&1 && fail "an xif is on H: $(ip -n "$H" -d -o link show xif)"
grep -q "Interface=xif: the link at index $index is not the one moved in; left in the container" "$work/err" ||
        fail "no warning for the impostor: $(cat "$work/err")"
grep -v '^xif veth$' "$work/links.before" > "$work/links.expected"
h_links > "$work/links.after"
diff -u "$work/links.expected" "$work/links.after" >&2 || fail "H's links changed beyond xif's loss"
echo "ok: MACVLAN=, Interface= (moved back; the link moved in and no other; a name taken meanwhile; a bridge), errors, IPVLAN= ($ipvlan)"
