#!/bin/bash
# VirtualEthernet='s host side: named after the machine name, as nspawn
# names it, and deleted at the end only if it still is the link cell made.
#
#   netns H (the "host": cell runs here)
#     ve-MACHINE ==== host0 (the cell)
#
# 1. A template instance "NAME@1" is the machine "NAME-1" (what machinectl
# lists, registered or not), and so is a unit "NAME_1": both get the veth
# ve-NAME-1 (shortened, with that as its alternative name), and the same
# MAC addresses on both sides (nspawn's hash of the machine ID and the
# machine name), not one set per unit name.
# 2. The veth's host side went (deleted here; also when the container's
# network namespace goes) and another container's "ve-" veth got its index:
# at the stop, cell leaves that one alone, when it cleans up itself
# ($CELL_MONITOR=0) and through cell-monitor's "cell __finish".
# 3. A veth of the host side's name still there (the last start's, its
# namespace not torn down yet: its peer in another namespace, the whole
# name as its alternative name, the machine's MAC address) is waited for,
# 5 s at most; another kind of link, and an administrator's veth pair, fail
# the start at once.
# 4. Two machines whose host sides have one name (the second's name is the
# first's, shortened), alone and in a zone (vb-): the second fails at once,
# at its key's line, naming the first one's whole name; it waited 5 s.
# 5. Two machines with one VirtualEthernetExtra= host side: the second fails
# at once, at its line, naming the first (the link's alias); it waited 5 s.
. "$(dirname "$0")/../run/lib.sh"
command -v nsenter >/dev/null || { echo "skipped: needs nsenter"; exit 77; }
. "$(dirname "$0")/lib.sh"

payload='touch /net.done; exec sleep 1000'

# mac_of IFNAME: the MAC address of IFNAME in "ip -o link show" on stdin.
mac_of() {
        sed -n "s/^[0-9]*: $1[@:].* link\/ether \([0-9a-f:]*\) .*/\1/p"
}

# 1. NAME@1 and NAME_1: one machine name, one veth name, one pair of MACs.
machine="$(unit_name web)-1"
for n in web@1 web_1; do
        u=$(unit "$n" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
                "[Network]" "VirtualEthernet=yes")
        "$CELL" plan --json "$u" > "$work/plan" || fail "cell plan --json $u failed"
        expect "$n: the machine name" "$(plan_value machine_name)" "$machine"
        expect "$n: the veth's whole name" "$(plan_value veth_host_altname)" "ve-$machine"
        host_if=$(plan_value veth_host)
        expect_match "$n: the veth's name, shortened" "$host_if" '^ve-.{12}$'
        start_in_h "$u" 0
        ip -n "$H" link show "ve-$machine" >/dev/null || fail "$n: no link ve-$machine on H"
        macs=$(ip -n "$H" -o link show "$host_if" | mac_of "$host_if")/$(nsenter -t "$cpid" -n ip -o link show host0 | mac_of host0)
        expect_match "$n: the MAC addresses" "$macs" '^..:.*/..:'
        kill -TERM $pid
        wait $pid || true
        ip -n "$H" link show "$host_if" >/dev/null 2>&1 && fail "$n: $host_if left after the stop"
        if [ "$n" = web@1 ]; then
                first_if=$host_if first_macs=$macs
        else
                expect "web_1's veth, as web@1's" "$host_if" "$first_if"
                if [ -s /etc/machine-id ]; then
                        expect "web_1's MAC addresses (host/container), as web@1's" "$macs" "$first_macs"
                fi
        fi
done

# 2. Another container's ve-other at the index of the cell's veth.
u=$(unit reuse "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
        "[Network]" "VirtualEthernet=yes")
"$CELL" plan --json "$u" > "$work/plan" || fail "cell plan --json $u failed"
host_if=$(plan_value veth_host)
host_alt=$(plan_value veth_host_altname)
for monitor in 0 1; do
        start_in_h "$u" "$monitor"
        host_mac=$(ip -n "$H" -o link show "$host_if" | mac_of "$host_if")
        index=$(ip -n "$H" -o link show "$host_if" | cut -d: -f1)
        [ -n "$index" ] || fail "no $host_if on H"
        ip -n "$H" link del "$host_if"
        ip -n "$H" link add ve-other index "$index" type veth peer name ve-otherp
        if [ "$monitor" = 1 ]; then
                stop_cell
        else
                kill -TERM $pid
                wait $pid || true
        fi
        ip -n "$H" -d -o link show ve-other 2>/dev/null | matches "^$index: ve-other@" ||
                fail "CELL_MONITOR=$monitor: ve-other, at the index $host_if had, was deleted at the stop"
        ip -n "$H" link del ve-other
done

# 3. The last start's veth still on H, as it is after a SIGKILL to cell or
# cell-monitor until the kernel has torn down that container's network
# namespace: the start waits for it to go (here 1 s; faults-chaos met it
# when a start followed the kill at once: "exists on the host already").
# A veth that stays fails the start after 5 s, naming it; a link of
# another kind (a bridge) at once.
# old_veth: a veth named as the host side of $u with its peer in C, as
# the last start's is: its whole name, and the machine's MAC address.
old_veth() {
        ip -n "$H" link add "$host_if" address "$host_mac" type veth peer name oldpeer netns "$C"
        ip -n "$H" link property add dev "$host_if" altname "$host_alt"
}
old_veth
(sleep 1; ip -n "$H" link del "$host_if") &
deleter=$!
start_in_h "$u" 1
wait $deleter
ip -n "$H" -d -o link show "$host_if" | matches " veth " || fail "no veth $host_if of the start that waited"
stop_cell
old_veth
status=0
SECONDS=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
expect "a veth of that name for good: status" "$status" 2
grep -qF "$u:7: VirtualEthernet=yes: an interface $host_if exists on the host already, still after 5 s: a veth as this machine's" \
        "$work/err" || fail "a veth of that name for good: $(cat "$work/err")"
[ "$SECONDS" -ge 4 ] || fail "a veth of that name for good: failed after ${SECONDS} s, without the wait"
ip -n "$H" link del "$host_if"
# at_once WHAT STATUS TEXT: the last start failed with STATUS at once, its
# message containing TEXT.
at_once() {
        expect "$1: status" "$status" "$2"
        grep -qF "$3" "$work/err" || fail "$1: $(cat "$work/err")"
        grep -q "still after" "$work/err" && fail "$1 was waited for: $(cat "$work/err")"
        [ "$SECONDS" -le 2 ] || fail "$1: failed only after ${SECONDS} s"
}
for kind in bridge pair; do
        if [ $kind = bridge ]; then
                ip -n "$H" link add "$host_if" type bridge
                text="VirtualEthernet=yes: an interface $host_if exists on the host already (another container's veth?)"
        else
                ip -n "$H" link add "$host_if" address "$host_mac" type veth peer name oldpeer
                ip -n "$H" link property add dev "$host_if" altname "$host_alt"
                text="VirtualEthernet=yes: an interface $host_if exists on the host already, a veth whose peer oldpeer is on the host too, no container's"
        fi
        status=0
        SECONDS=0
        timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
        at_once "a $kind of that name" 2 "$u:7: $text"
        ip -n "$H" link del "$host_if"
done

# 4. The first machine's name is long; the second's is the first's host
# side without "ve-" (or "vb-"), so that the second's is the first's
# shortened name. (A first name whose shortened one is a machine name:
# no "_" or "-" in its hash, which the machine name would change.)
for key in VirtualEthernet=yes Zone=tw; do
        for i in $(seq 20); do
                long=$(unit "twin$i" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
                        "[Network]" "$key")
                "$CELL" plan --json "$long" > "$work/plan" || fail "cell plan --json $long failed"
                twin_if=$(plan_value veth_host)
                [[ "$twin_if" =~ ^v[eb]-[a-zA-Z0-9]{12}$ ]] && break
                rm -f "$long"
        done
        twin_alt=$(plan_value veth_host_altname)
        short="$work/${twin_if:3}.cell"
        printf '%s\n' "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "$key" > "$short"
        "$CELL" plan --json "$short" > "$work/plan" || fail "cell plan --json $short failed"
        expect "$key: the second machine's host side" "$(plan_value veth_host)" "$twin_if"
        start_in_h "$long" 1
        status=0
        SECONDS=0
        timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$short" >/dev/null 2>"$work/err" || status=$?
        at_once "$key: two machines, one host side" 2 "$short:6: $key: an interface $twin_if exists on the host already, the veth of $twin_alt (its whole name, which shortens to this one's whole name): another container's"
        stop_cell
        rm -f "$short"
done

# 5. One VirtualEthernetExtra= host side in two machines.
x1=$(unit extra1 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
        "[Network]" "VirtualEthernetExtra=vx-same:lan0")
x2=$(unit extra2 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" \
        "[Network]" "VirtualEthernetExtra=vx-same:lan0")
start_in_h "$x1" 1
ip -n "$H" -o link show vx-same | matches "alias VirtualEthernetExtra= of the cell $(unit_name extra1), the machine $(unit_name extra1)" ||
        fail "vx-same has no alias naming its cell and machine: $(ip -n "$H" -o link show vx-same)"
status=0
SECONDS=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$x2" >/dev/null 2>"$work/err" || status=$?
at_once "one extra host side" 2 "$x2:6: VirtualEthernetExtra=vx-same:lan0: an interface vx-same exists on the host already, a veth of another container's (\"VirtualEthernetExtra= of the cell $(unit_name extra1), the machine $(unit_name extra1)\")"
stop_cell
[ -z "$(ip -n "$H" link show type veth | grep ' v[ebx]-')" ] || fail "veths left: $(ip -n "$H" link show type veth)"
[ -z "$(ip -n "$H" link show type bridge)" ] || fail "bridges left: $(ip -n "$H" link show type bridge)"
echo "ok: the veth named after the machine name, MACs from it; another's veth at its index left alone; the last start's veth waited for, another's refused at once"
