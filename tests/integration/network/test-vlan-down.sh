#!/bin/bash
# MACVLAN= (and IPVLAN=, where the kernel has ipvlan) on a host link that
# is down: the kernel makes the container's link on it, up inside, and
# nothing passes until the parent is up. The start goes on and says so, a
# warning at the key's line naming the parent; with the parent up, no word.
#
#   netns H (the "host": cell runs here)
#     pd (veth, down, then up) -- pd-peer
#       \-- mv-pd (the cell's macvlan)
. "$(dirname "$0")/../run/lib.sh"
. "$(dirname "$0")/lib.sh"

# A veth, as lower_link()'s: this kernel may have no dummy links. Down, as made.
ip -n "$H" link add pd type veth peer name pd-peer
want_down="MACVLAN=pd: the host's pd is down: the container's link carries nothing until it is up."

# run_in_h UNIT: cell run of UNIT in H to its end; $status, its stderr in $work/err.
run_in_h() {
        rm -f "$root/net.link"
        status=0
        timeout 30 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$1" >/dev/null 2>"$work/err" || status=$?
}

u=$(unit mvdown "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c 'ip -o link > /net.link'" \
        "[Network]" "MACVLAN=pd")
run_in_h "$u"
expect "MACVLAN= on a parent that is down: exit status ($(cat "$work/err"))" "$status" 0
grep -qF "$u:6: $want_down" "$work/err" || fail "no warning of the parent that is down: $(cat "$work/err")"
expect "the warnings" "$(grep -c "is down" "$work/err")" 1
grep -q ': mv-pd@[^:]*: <[^>]*[<,]UP[,>]' "$root/net.link" || fail "mv-pd not up in the cell: $(cat "$root/net.link")"

ip -n "$H" link set pd up
run_in_h "$u"
expect "MACVLAN= on a parent that is up: exit status ($(cat "$work/err"))" "$status" 0
grep -q "is down" "$work/err" && fail "a warning with the parent up: $(cat "$work/err")"
grep -q ': mv-pd@' "$root/net.link" || fail "no mv-pd in the cell: $(cat "$root/net.link")"

ipvlan="no ipvlan in this kernel: IPVLAN= not checked"
if ip -n "$H" link add ivt link pd type ipvlan mode l2 2>/dev/null; then
        ip -n "$H" link del ivt
        ip -n "$H" link set pd down
        v=$(unit ivdown "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "IPVLAN=pd")
        run_in_h "$v"
        expect "IPVLAN= on a parent that is down: exit status ($(cat "$work/err"))" "$status" 0
        grep -qF "$v:6: IPVLAN=pd: the host's pd is down" "$work/err" ||
                fail "no warning of the ipvlan's parent that is down: $(cat "$work/err")"
        ipvlan="IPVLAN= too"
fi
echo "ok: MACVLAN= on a parent that is down warned of at its line, not when it is up; $ipvlan"
