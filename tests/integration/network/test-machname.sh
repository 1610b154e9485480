#!/bin/bash
# Two units whose names make one machine name ("NAME@1" and "NAME_1" are
# both "NAME-1"), which names the veth's host side as nspawn names it, and
# a container killed and started again at once.
#
#   netns H (the "host": cell runs here)
#     ve-NAME-1 ==== host0 (NAME@1, running)
#     ve-NAME-1 ???? (NAME_1: the same name)
#
# 1. NAME@1 runs with VirtualEthernet=yes (then Zone=, then
# VirtualEthernetExtra=): NAME_1's start fails at once (nspawn's fails at
# once with "File exists"), naming the link, the cell that has it and the
# machine name both make, at its key's line, with exit status 2; it waited
# 5 s ("still after 5 s: a veth as this machine's") and named neither. It
# leaves nothing: NAME@1's veth and zone bridge stay, NAME_1 has no state.
# 2. A cell killed (SIGKILL to cell-monitor) whose network namespace the
# kernel has not torn down yet (held here 2 s longer, as a slow teardown
# does): its VirtualEthernet=, VirtualEthernetExtra=, Zone= and Bridge=
# veths are still on the host when it is started again at once; the start
# waits for them to go, as for the main veth, and runs.
. "$(dirname "$0")/../run/lib.sh"
command -v nsenter >/dev/null || { echo "skipped: needs nsenter"; exit 77; }
. "$(dirname "$0")/lib.sh"

payload='touch /net.done; exec sleep 1000'


# 1. One machine name, two units.
at=$(unit_name web)@1 under=$(unit_name web)_1
machine=$(unit_name web)-1
for key in VirtualEthernet=yes Zone=mz VirtualEthernetExtra=vx-mn:lan0; do
        a=$work/$at.cell b=$work/$under.cell
        for f in "$a" "$b"; do
                printf '%s\n' "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" \
                        "[Network]" "$key" > "$f"
        done
        "$CELL" plan --json "$b" > "$work/plan" || fail "cell plan --json $b failed"
        expect "$key: $under's machine name" "$(plan_value machine_name)" "$machine"
        case $key in
        VirtualEthernetExtra=*) host_if=vx-mn inside=lan0 ;;
        *) host_if=$(plan_value veth_host) inside=host0 ;;
        esac
        start_in_h "$a"
        before=$(h_link_names)
        status=0
        SECONDS=0
        timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$b" >/dev/null 2>"$work/err2" || status=$?
        expect "$key: $under while $at runs: exit status ($(cat "$work/err2"))" "$status" 2
        # Zone='s veth is VirtualEthernet='s, which Zone= implies.
        kind=VirtualEthernet
        [ "$key" = "${key#VirtualEthernetExtra=}" ] || kind=VirtualEthernetExtra
        want="$b:7: $key: an interface $host_if exists on the host already, a veth of another container's"
        want+=" (\"$kind= of the cell $at, the machine $machine\"); both units' names make the machine name"
        want+=" $machine, which names the veth: they cannot run at once"
        grep -qF "$want" "$work/err2" || fail "$key: $under's message: $(cat "$work/err2")"
        grep -q "still after" "$work/err2" && fail "$key: $under waited: $(cat "$work/err2")"
        [ "$SECONDS" -lt 5 ] || fail "$key: $under failed only after ${SECONDS} s (the 5 s wait for its own last start's link)"
        expect "$key: H's links after $under's failed start" "$(h_link_names)" "$before"
        ls /run/cell | grep -qF "$under" && fail "$key: $under left state in /run/cell: $(ls /run/cell)"
        nsenter -t "$cpid" -n ip link show "$inside" >/dev/null || fail "$key: $at has no $inside any more"
        stop_cell
        expect "$key: H's links after $at's stop" "$(h_link_names)" ""
done

# 2. Killed, and started again at once while its veths are still there.
ip -n "$H" link add kbr type bridge
ip -n "$H" link set kbr up
for key in "VirtualEthernet=yes VirtualEthernetExtra=vx-k:lan0" Zone=kz Bridge=kbr; do
        # shellcheck disable=SC2086
        k=$(unit kill "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c '$payload'" "Init=yes" "[Network]" $key)
        start_in_h "$k"
        wait_handed_over "$pid" 20 || fail "$key: cell has not become cell-monitor"
        # The container's network namespace outlives its processes by 2 s.
        nsenter -t "$cpid" -n sleep 2 &
        holder=$!
        sleep 0.2
        kill -KILL $pid
        wait $pid 2>/dev/null || true
        left=$(h_link_names)
        [[ "$left" == *v[ebx]-* ]] || fail "$key: no veth left after the kill (test premise): $left"
        t0=$(date +%s%N)
        start_in_h "$k"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        wait $holder
        [ "$ms" -ge 1500 ] || fail "$key: started after $ms ms, without waiting for the old veths"
        stop_cell
        rm -f "$k"
        expect "$key: H's links after the stop" "$(h_link_names)" "kbr "
done
ip -n "$H" link del kbr
echo "ok: two units of one machine name: the second fails at once, naming the first; a killed cell's veths waited for"
