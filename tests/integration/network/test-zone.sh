#!/bin/bash
# Zone= and VirtualEthernetExtra=, in the private network namespaces of
# lib.sh (nothing of the real host's network is touched):
#
#   netns H (the "host": the cells run here)
#     vz-t (a bridge: made by the first cell of zone "t", gone with the last)
#       |-- vb-... ==== host0 10.213.10.2/24 (cell A)
#       \-- vb-... ==== host0 10.213.10.3/24 (cell B)
#     vx-zone ========== inner0   (cell A: VirtualEthernetExtra=vx-zone:inner0)
#     vy-zone ========== vy-zone  (cell A: VirtualEthernetExtra=vy-zone)
#
# A and B reach each other over the zone's bridge; it is there while one of
# them runs and gone once both have stopped; a start that fails (at exec,
# after its veth joined) neither removes the bridge the others are on nor
# leaves one behind when it was the only member; a vz-NAME that cell did
# not make is used and never removed (one that is no bridge fails the start,
# left down). "cell __finish" removes a host side
# handed to it only while it is a veth of that index and name. The extra pairs have both
# ends under their names, on no bridge, and are gone after the stop. Zone=
# with Bridge= is refused at its file and line before anything is made.
# The veths' host sides have nspawn's names for ones on a bridge ("vb-"),
# shortened as nspawn's: A's and B's names differ only in their last
# bytes, and both run. Their MAC addresses, and the extra pairs', are the
# same at the next start (nspawn's, from the machine ID and the name).
# Port= works with Zone= as with VirtualEthernet= (when nft and wget or
# curl are there). A start waits while systemd-nspawn's zone lock is held,
# and fails after 10 s while cell's own is held by a holder that hangs.
# Bridge=vz-NAME never removes the zone's bridge, as nspawn's
# --network-bridge=vz-NAME does not. "cell stop" of a killed cell, the
# zone's last, removes the bridge its end would have.
. "$(dirname "$0")/../run/lib.sh"
command -v nsenter >/dev/null || { echo "skipped: needs nsenter"; exit 77; }
. "$(dirname "$0")/lib.sh"

# zunit NAME LINES...: a unit named the marker + NAME: all of them alike
# in their first bytes, which the veths' host sides are named by.
zunit() {
        local f=$work/$marker$1.cell
        shift
        printf '%s\n' "$@" > "$f"
        echo "$f"
}

# The payload (after $2, if any) records its view of the network, then waits.
payload() {
        echo "Exec=/bin/sh -c '${2:-}ip -o link > /$1.link; touch /$1.done; exec sleep 1000'"
}

# Port= with Zone= when nft (Port= needs it) and wget or curl are there.
port=
if command -v nft >/dev/null && have_http_get; then
        port=yes
fi

# start_zone_cell TAG UNIT: cell in H; waits for the payload's record; sets
# $pid (cell) and $cpid (the container's init).
start_zone_cell() {
        rm -f "$root/$1.link" "$root/$1.done"
        ip netns exec "$H" "$CELL" run --cgroup-manager=none "$2" >"$work/out.$1" 2>"$work/err.$1" &
        pid=$!
        for _ in $(seq 50); do
                [ -e "$root/$1.done" ] && break
                kill -0 $pid 2>/dev/null || fail "cell $1 ended: $(cat "$work/err.$1")"
                sleep 0.2
        done
        [ -e "$root/$1.done" ] || fail "cell $1's payload never ran: $(cat "$work/err.$1")"
        cpid=$(pgrep -P $pid | head -1)
        [ -n "$cpid" ] || fail "no container init under cell $1 ($pid)"
}

# link_mac NAME [PID]: the MAC address of the link NAME in H (or in the
# network namespace of PID).
link_mac() {
        if [ -n "${2:-}" ]; then
                nsenter -t "$2" -n ip -o link show "$1"
        else
                ip -n "$H" -o link show "$1"
        fi | sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p'
}

# a_macs CPID: A's veth's host side and host0, its first extra pair's two
# sides (CPID: A's init).
a_macs() {
        echo "$(link_mac "$a_host") $(link_mac host0 "$1") $(link_mac vx-zone) $(link_mac inner0 "$1")"
}

has_bridge() {
        ip -n "$H" -d link show vz-t 2>/dev/null | matches " bridge "
}

# ping_from PID ADDR: one echo answered, from the network namespace of PID.
ping_from() {
        nsenter -t "$1" -n /bin/busybox ping -c 1 -W 2 "$2" >/dev/null
}

# fail_start TAG UNIT: a start in zone t that fails at exec, after its veth joined.
fail_start() {
        status=0
        ip netns exec "$H" timeout 20 "$CELL" run --cgroup-manager=none "$2" >/dev/null 2>"$work/err.$1" || status=$?
        [ "$status" -ne 0 ] || fail "$1: the start did not fail"
        grep -q "/nonexistent" "$work/err.$1" || fail "$1: not the exec that failed: $(cat "$work/err.$1")"
}

mkdir -p "$root/www"
echo "hello from the zone" > "$root/www/index.html"
ua=$(zunit za "[Root]" "Directory=$root" "[Exec]" "$(payload za "httpd -p 80 -h /www; ")" "Init=yes" \
        "[Network]" "Zone=t" "Address=10.213.10.2/24" ${port:+"Port=8080:80"} \
        "VirtualEthernetExtra=vx-zone:inner0" "VirtualEthernetExtra=vy-zone")
ub=$(zunit zb "[Root]" "Directory=$root" "[Exec]" "$(payload zb)" "Init=yes" \
        "[Network]" "Zone=t" "Address=10.213.10.3/24")
uf=$(zunit zf "[Root]" "Directory=$root" "[Exec]" "Exec=/nonexistent" "[Network]" "Zone=t")

# 0. The plan: the zone's bridge, the veth it implies, its host side, the
# extra pairs.
"$CELL" plan --json "$ub" > "$work/plan" || fail "cell plan --json failed"
b_host=$(plan_value veth_host)
"$CELL" plan --json "$ua" > "$work/plan" || fail "cell plan --json failed"
a_host=$(plan_value veth_host)
expect_match "plan: A's veth_host" "$a_host" '^vb-celltest.{4}$'
expect_match "plan: B's veth_host" "$b_host" '^vb-celltest.{4}$'
[ "$a_host" != "$b_host" ] || fail "A and B have one veth host side, $a_host"
expect "plan: zone" "$(plan_value zone)" "vz-t"
expect "plan: virtual_ethernet" "$(plan_value virtual_ethernet)" "true"
grep -A2 '"veth_extra": \[' "$work/plan" | matches '{"host": "vx-zone", "name": "inner0"}' ||
        fail "plan: $(grep -A16 '"network"' "$work/plan")"
expect "plan: address_interface" "$(plan_value address_interface)" "host0"

# 1. Zone= with Bridge=: refused where Zone= was written, nothing made.
uzb=$(zunit zz "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/true" "[Network]" "Bridge=br0" "Zone=t")
status=0; ip netns exec "$H" "$CELL" run --cgroup-manager=none "$uzb" >/dev/null 2>"$work/err" || status=$?
expect "Zone= with Bridge=: status" "$status" 1
grep -qF "$uzb:7: Zone=t and Bridge=br0 exclude each other" "$work/err" || fail "Zone= with Bridge=: $(cat "$work/err")"
[ -z "$(ip -n "$H" -o link show | grep -v ': lo:')" ] || fail "Zone= with Bridge= left links: $(ip -n "$H" -o link show)"

# 2. The only member's start fails: no bridge is left behind.
fail_start zf1 "$uf"
has_bridge && fail "vz-t left after the failed start of its only member"
[ -z "$(ip -n "$H" -o link show type veth)" ] || fail "veths left: $(ip -n "$H" -o link show type veth)"

# 3. A: the bridge is made and up, A's veth on it, the extra pairs there.
start_zone_cell za "$ua"
apid=$pid acpid=$cpid
has_bridge || fail "no bridge vz-t while A runs: $(ip -n "$H" -o link show)"
ip -n "$H" -o link show vz-t | matches "state UP\|,UP" || fail "vz-t is not up: $(ip -n "$H" -o link show vz-t)"
ip -n "$H" -o link show "$a_host" | matches "master vz-t" || fail "$a_host is not on vz-t"
ip -n "$H" -d -o link show vx-zone | matches " veth " || fail "no veth vx-zone in H"
ip -n "$H" -o link show vx-zone | matches "master" && fail "vx-zone is on a bridge"
ip -n "$H" -o link show vx-zone | matches "UP" || fail "vx-zone is not up"
ip -n "$H" -o link show vy-zone >/dev/null || fail "no vy-zone in H"
grep -q ': inner0@' "$root/za.link" || fail "no inner0 in A: $(cat "$root/za.link")"
grep -q ': vy-zone@' "$root/za.link" || fail "no vy-zone in A: $(cat "$root/za.link")"
nsenter -t "$acpid" -n ip -o link show inner0 | matches "state UP\|,UP" || fail "inner0 is not up in A"
nsenter -t "$acpid" -n ip -o addr show inner0 | matches "inet " && fail "Address= went on inner0"
macs=$(a_macs "$acpid")
expect_match "A's MAC addresses: unicast, locally administered" "$macs" '^.[26ae]:.* .[26ae]:.* .[26ae]:.* .[26ae]:'

# Port= with Zone=: as with VirtualEthernet=, once the host has an address
# on the zone's bridge (what a user, or networkd, gives it).
if [ -n "$port" ]; then
        ip -n "$H" addr add 10.213.10.1/24 dev vz-t
        page=
        for _ in $(seq 20); do
                page=$(http_get_in "$H" http://10.213.10.1:8080/ 2>/dev/null) && break
                sleep 0.2
        done
        expect "page through Port= with Zone=" "$page" "hello from the zone"
else
        echo "Port= with Zone= not checked: needs nft and wget or curl"
fi

# 4. B joins the zone: A and B reach each other over it.
start_zone_cell zb "$ub"
bpid=$pid bcpid=$cpid
ip -n "$H" -o link show "$b_host" | matches "master vz-t" || fail "$b_host is not on vz-t"
ping_from "$acpid" 10.213.10.3 || fail "A cannot reach B over the zone"
ping_from "$bcpid" 10.213.10.2 || fail "B cannot reach A over the zone"

# 5. A start that fails in the running zone leaves the bridge to A and B.
fail_start zf2 "$uf"
has_bridge || fail "a failed start removed vz-t that A and B are on"
ip -n "$H" -o link show "$a_host" | matches "master vz-t" || fail "$a_host left vz-t"
ping_from "$acpid" 10.213.10.3 || fail "A cannot reach B after the failed start"

# 6. A stops (through cell-monitor): its veths go, the bridge stays for B.
pid=$apid
stop_cell
ip -n "$H" link show "$a_host" >/dev/null 2>&1 && fail "$a_host left after A's stop"
ip -n "$H" link show vx-zone >/dev/null 2>&1 && fail "vx-zone left after A's stop"
ip -n "$H" link show vy-zone >/dev/null 2>&1 && fail "vy-zone left after A's stop"
has_bridge || fail "vz-t removed while B is still on it"
ip -n "$H" -o link show "$b_host" | matches "master vz-t" || fail "$b_host left vz-t"

# 7. B, the last member, stops: the bridge is gone.
pid=$bpid
stop_cell
has_bridge && fail "vz-t left after the last member stopped"
[ -z "$(ip -n "$H" -o link show | grep -v ': lo:')" ] || fail "links left in H: $(ip -n "$H" -o link show)"

# 8. A bridge vz-NAME cell did not make (an administrator's, with an
# address) is used as it is and stays after the zone's last cell has gone.
ip -n "$H" link add vz-t type bridge
ip -n "$H" addr add 10.213.10.1/24 dev vz-t
start_zone_cell zb "$ub"
bpid=$pid
ip -n "$H" -o link show "$b_host" | matches "master vz-t" || fail "$b_host is not on the admin's vz-t"
# A again: its veths have the MAC addresses of its first start.
start_zone_cell za "$ua"
expect "A's MAC addresses at its next start" "$(a_macs "$cpid")" "$macs"
stop_cell
pid=$bpid
stop_cell
has_bridge || fail "the admin's vz-t was removed by the zone's last cell"
ip -n "$H" -o addr show vz-t | matches "10.213.10.1/24" ||
        fail "the admin's vz-t lost its address: $(ip -n "$H" -d addr show vz-t 2>&1)"
ip -n "$H" link del vz-t

# 8b. A vz-NAME of another kind (an administrator's veth, down) is no zone:
# the start fails at Zone='s line, exit status 2, without bringing it up or
# leaving a veth of its own (it used to bring the link up, then fail).
ip -n "$H" link add vz-t type veth peer name vz-tpeer
status=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$ub" >/dev/null 2>"$work/err" || status=$?
expect "a veth vz-t: status" "$status" 2
grep -qF "Zone=t: vz-t exists on the host and is no bridge (a veth)" "$work/err" ||
        fail "a veth vz-t: $(cat "$work/err")"
ip -n "$H" -o link show vz-t | matches "state DOWN" || fail "a veth vz-t was brought up: $(ip -n "$H" -o link show vz-t)"
ip -n "$H" -o link show | matches "$b_host" && fail "a veth vz-t: $b_host left"
ip -n "$H" link del vz-t

# 9. "cell __finish" deletes a host side it is handed (--veth=INDEX:NAME,
# --veth-extra=INDEX:NAME) only if the link at that index is still a veth of
# that name: not another kind of link that got the index (a stale
# hand-over), nor another container's "ve-" veth that got it, and it does
# delete the veths that match.
ip -n "$H" link add ve-stale index 4242 type bridge
ip -n "$H" link add vx-stale index 4243 type bridge
ip -n "$H" link add ve-real index 4244 type veth peer name ve-realp
ip -n "$H" link add vx-real index 4246 type veth peer name vx-realp
ip -n "$H" link add vb-real index 4248 type veth peer name vb-realp
ip -n "$H" link add ve-other index 4250 type veth peer name ve-otherp
ip netns exec "$H" "$CELL" __finish --status=0 --name=stale --veth=4242:ve-stale --veth-extra=4243:vx-stale \
        --veth-extra=4246:vx-rea || fail "cell __finish failed"
ip -n "$H" link show ve-stale >/dev/null 2>&1 || fail "__finish --veth= deleted a bridge ve-stale"
ip -n "$H" link show vx-stale >/dev/null 2>&1 || fail "__finish --veth-extra= deleted a bridge vx-stale"
ip -n "$H" link show vx-real >/dev/null 2>&1 || fail "__finish --veth-extra= deleted vx-real, handed as vx-rea"
ip netns exec "$H" "$CELL" __finish --status=0 --name=stale --veth=4250:ve-mine || fail "cell __finish failed"
ip -n "$H" link show ve-other >/dev/null 2>&1 || fail "__finish --veth=4250:ve-mine deleted ve-other, at that index now"
ip netns exec "$H" "$CELL" __finish --status=0 --name=stale --veth=4244:ve-real --veth-extra=4246:vx-real ||
        fail "cell __finish failed"
ip -n "$H" link show ve-real >/dev/null 2>&1 && fail "__finish --veth= left the veth ve-real"
ip -n "$H" link show vx-real >/dev/null 2>&1 && fail "__finish --veth-extra= left the veth vx-real"
ip netns exec "$H" "$CELL" __finish --status=0 --name=stale --veth=4248:vb-real || fail "cell __finish failed"
ip -n "$H" link show vb-real >/dev/null 2>&1 && fail "__finish --veth= left the veth vb-real (on a bridge)"
ip -n "$H" link del ve-stale
ip -n "$H" link del vx-stale
ip -n "$H" link del ve-other
# 10. systemd-nspawn's lock around its zones' bridges (an OFD lock on
# /run/systemd/nspawn-network-zone, which its holder removes as it lets go)
# is taken too: a zone's bridge may be nspawn's, or an nspawn container
# join cell's, and nspawn removes one without ports under that lock only.
# While an "nspawn" holds it, B's start waits, making nothing; then it runs,
# and its stop leaves no such file behind.
nspawn_lock=/run/systemd/nspawn-network-zone
if [ -d /run/systemd ] && [ ! -e "$nspawn_lock" ] && command -v python3 >/dev/null; then
        python3 -c '
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
fcntl.fcntl(fd, fcntl.F_OFD_SETLKW, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
open(sys.argv[2], "w").close()
end = time.monotonic() + 30
while not os.path.exists(sys.argv[3]) and time.monotonic() < end:
        time.sleep(0.05)
os.unlink(sys.argv[1])
' "$nspawn_lock" "$work/nspawn.held" "$work/nspawn.release" &
        holder=$!
        for _ in $(seq 100); do [ -e "$work/nspawn.held" ] && break; sleep 0.05; done
        [ -e "$work/nspawn.held" ] || fail "the nspawn lock's holder never took it"
        rm -f "$root/zb.link" "$root/zb.done"
        ip netns exec "$H" "$CELL" run --cgroup-manager=none "$ub" >"$work/out.zb" 2>"$work/err.zb" &
        pid=$!
        sleep 1
        kill -0 $pid 2>/dev/null || fail "B ended while nspawn's lock was held: $(cat "$work/err.zb")"
        has_bridge && fail "B made the bridge while nspawn's lock was held"
        [ -e "$root/zb.done" ] && fail "B ran while nspawn's lock was held"
        touch "$work/nspawn.release"
        wait $holder
        for _ in $(seq 50); do [ -e "$root/zb.done" ] && break; sleep 0.2; done
        [ -e "$root/zb.done" ] || fail "B never ran after nspawn's lock was let go: $(cat "$work/err.zb")"
        has_bridge || fail "B runs, but without the zone's bridge"
        stop_cell
        has_bridge && fail "B's stop left the bridge"
        [ -e "$nspawn_lock" ] && fail "cell left $nspawn_lock behind"
else
        echo "10. skipped: no /run/systemd, python3, or $nspawn_lock is there already"
fi

# 11. cell's own zone lock held by something that does not let go (a stopped
# start, a holder under a debugger): B's start waits 10 s, not for ever,
# then fails saying which lock, having made nothing.
rm -f "$root/zb.link" "$root/zb.done"
has_bridge && fail "the zone's bridge is there before section 11"
# (The lock is held by the command's fd, flock's child: ended by its PID.)
flock /run/cell/zone.lock sh -c "echo \$\$ > '$work/cell.tmp'; mv '$work/cell.tmp' '$work/cell.held'; exec sleep 30" &
holder=$!
for _ in $(seq 100); do [ -e "$work/cell.held" ] && break; sleep 0.05; done
[ -e "$work/cell.held" ] || fail "the zone lock's holder never took it"
t0=$(date +%s)
status=0
ip netns exec "$H" "$CELL" run --cgroup-manager=none "$ub" >"$work/out.zl" 2>"$work/err.zl" || status=$?
t1=$(date +%s)
kill "$(cat "$work/cell.held")"
wait "$holder" 2>/dev/null || true
expect "a start while the zone lock is held: status ($(cat "$work/err.zl"))" "$status" 2
expect_match "a start while the zone lock is held: message" "$(cat "$work/err.zl")" \
        "Zone=t: the lock /run/cell/zone.lock has been held by another for 10 s"
# 10 s, once: its end does not wait for the lock again (it made nothing).
[ $((t1 - t0)) -ge 9 ] && [ $((t1 - t0)) -le 15 ] || fail "the start waited $((t1 - t0)) s for the zone lock, not 10"
expect "a start while the zone lock is held: said once" "$(grep -c "Zone=t:" "$work/err.zl")" 1
has_bridge && fail "a start that did not get the zone lock made the bridge"
[ -e "$root/zb.done" ] && fail "a start that did not get the zone lock ran its payload"

# 12. Bridge=vz-t, a zone's bridge named as any other bridge: C's veth joins
# it, and C never removes it, as systemd-nspawn's --network-bridge=vz-t
# does not (it removes only its --network-zone='s bridge): after A, the
# zone's last, and then C have stopped, the bridge stays; B, of the zone,
# removes it at its stop (cell made it).
uc=$(zunit zc "[Root]" "Directory=$root" "[Exec]" "$(payload zc)" "Init=yes" "[Network]" "Bridge=vz-t")
start_zone_cell za "$ua"
apid=$pid
start_zone_cell zc "$uc"
cpid_c=$pid
"$CELL" plan --json "$uc" > "$work/plan" || fail "cell plan --json $uc failed"
c_host=$(plan_value veth_host)
ip -n "$H" -o link show "$c_host" | matches "master vz-t" || fail "Bridge=vz-t: $c_host is not on vz-t"
pid=$apid
stop_cell
has_bridge || fail "vz-t removed while C (Bridge=vz-t) is on it"
pid=$cpid_c
stop_cell
has_bridge || fail "Bridge=vz-t removed the zone's bridge at its stop (nspawn's --network-bridge= does not)"
start_zone_cell zb "$ub"
stop_cell
has_bridge && fail "B, of the zone, left vz-t at its stop"
[ -z "$(ip -n "$H" -o link show | grep -v ': lo:')" ] || fail "links left in H: $(ip -n "$H" -o link show)"

# 13. A, the zone's only cell, killed (SIGKILL): its veth goes with its
# network namespace, the bridge stays (nobody was left to remove it); "cell
# stop" of A (not running, exit 3) removes it, as A's end would have (A
# noted it in its name's lock file).
start_zone_cell za "$ua"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
for _ in $(seq 50); do
        ip -n "$H" -o link show | grep -q " master vz-t " || break
        sleep 0.1
done
ip -n "$H" -o link show | grep -q " master vz-t " && fail "A killed: a port is still on vz-t"
has_bridge || fail "A killed: vz-t is gone already (test premise)"
status=0
ip netns exec "$H" "$CELL" stop "$(basename "$ua" .cell)" >"$work/out.stop" 2>"$work/err.stop" || status=$?
expect "cell stop of killed A: exit status ($(cat "$work/err.stop"))" "$status" 3
has_bridge && fail "cell stop of killed A, the zone's last, left vz-t"
[ -z "$(ip -n "$H" -o link show | grep -v ': lo:')" ] || fail "links left in H: $(ip -n "$H" -o link show)"

echo "ok: Zone=, VirtualEthernetExtra=, Zone= with Bridge=, nspawn's zone lock, a zone lock held too long, Bridge=vz-NAME, a killed zone's last cell's bridge"
