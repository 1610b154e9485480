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
# namespace not torn down yet) is waited for, 5 s at most; no other link.
. "$(dirname "$0")/../run/lib.sh"
command -v nsenter >/dev/null || { echo "skipped: needs nsenter"; exit 77; }
. "$(dirname "$0")/lib.sh"

payload='touch /net.done; exec sleep 1000'

# start_veth_cell UNIT MONITOR: cell in H ($CELL_MONITOR=MONITOR); waits for
# the payload; sets $pid (cell) and $cpid (the container's init).
start_veth_cell() {
        rm -f "$root/net.done"
        ip netns exec "$H" env CELL_MONITOR="$2" "$CELL" run --cgroup-manager=none "$1" >"$work/out" 2>"$work/err" &
        pid=$!          # cell itself: ip netns exec and env exec it
        for _ in $(seq 50); do
                [ -e "$root/net.done" ] && break
                kill -0 $pid 2>/dev/null || fail "cell ended: $(cat "$work/err")"
                sleep 0.2
        done
        [ -e "$root/net.done" ] || fail "the payload never ran: $(cat "$work/err")"
        cpid=$(pgrep -P $pid | head -1)
        [ -n "$cpid" ] || fail "no container init under cell $pid"
}

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
        start_veth_cell "$u" 0
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
for monitor in 0 1; do
        start_veth_cell "$u" "$monitor"
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
ip -n "$H" link add "$host_if" type veth peer name oldpeer
(sleep 1; ip -n "$H" link del "$host_if") &
deleter=$!
start_veth_cell "$u" 1
wait $deleter
ip -n "$H" -d -o link show "$host_if" | matches " veth " || fail "no veth $host_if of the start that waited"
stop_cell
ip -n "$H" link add "$host_if" type veth peer name oldpeer
status=0
SECONDS=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
expect "a veth of that name for good: status" "$status" 2
grep -qF "VirtualEthernet=yes: an interface $host_if exists on the host already (another container's veth?), still after the wait" \
        "$work/err" || fail "a veth of that name for good: $(cat "$work/err")"
[ "$SECONDS" -ge 4 ] || fail "a veth of that name for good: failed after ${SECONDS} s, without the wait"
ip -n "$H" link del "$host_if"
ip -n "$H" link add "$host_if" type bridge
status=0
SECONDS=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$u" >/dev/null 2>"$work/err" || status=$?
expect "a bridge of that name: status" "$status" 2
grep -qF "an interface $host_if exists on the host already (another container's veth?)" "$work/err" ||
        fail "a bridge of that name: $(cat "$work/err")"
grep -q "still after" "$work/err" && fail "a bridge of that name was waited for: $(cat "$work/err")"
[ "$SECONDS" -le 2 ] || fail "a bridge of that name: failed only after ${SECONDS} s"
ip -n "$H" link del "$host_if"
[ -z "$(ip -n "$H" link show type veth | grep ' v[eb]-')" ] || fail "veths left: $(ip -n "$H" link show type veth)"
echo "ok: the veth named after the machine name, MACs from it; another's veth at its index left alone; the last start's veth waited for"
