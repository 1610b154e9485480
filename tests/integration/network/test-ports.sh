#!/bin/bash
# Port= on a host that cannot NAT IPv6, and one table per unit:
#
#   netns H (the "host": cell runs here)
#     br0 10.213.8.1/24 -- vb-... ==== host0 10.213.8.2/24 (NAME@1, SIX)
#         fd42:213:8::1/64                   fd42:213:8::2/64
#     ve-... 10.213.9.1/24 ============ host0 10.213.9.2/24 (NAME_1)
#
# 1. H's IPv6 prerouting hook is full: the kernel holds at most 1024
# entries on a hook, and IPv6 NAT needs one of its own there, so no ip6 (or
# inet) nat chain can be made in H, as on a kernel without IPv6 NAT. SIX,
# with Port= and an IPv4 and an IPv6 Address=, starts all the same, as
# nspawn 252 starts a container whose rules it cannot add: the warning
# names the Port= line (FILE:LINE) and IPv6; IPv4 is forwarded (a
# connection to H's port reaches the cell); H has SIX's ip table and no ip6
# one, neither the empty one of a half-made start nor the one an earlier
# start left; the stop removes the ip table.
# 2. NAME@1 (on br0) and NAME_1 (VirtualEthernet=yes) are one machine name,
# NAME-1, and both can run at once (their veths: "vb-", "ve-"). Each has its
# own table, "ip cell-NAME/1" and "ip cell-NAME_1", and its own port
# forwarded, also after the other stopped.
# 3. A host port forwarded by one running cell is refused to a second one
# (its Port= line, the port and the first cell named, exit status 2,
# nothing made), not to another port or protocol, nor once the first stopped.
# 4. The clean-up of a start that ends late removes only that start's
# tables: LATE's first cell-monitor is held by strace right after its exec
# of "cell __finish" (its port lock went with the exec) while LATE starts
# again, gets the port and adds its tables, of the same names; once the
# first clean-up has run, LATE still answers and its table is there (it
# deletes by the handle nft gave its own table, not by name).
# 5. A killed cell's table goes when another unit takes its port: KA's
# cell-monitor killed (SIGKILL) leaves KA's table; KB, forwarding that port
# too, gets its lock, deletes KA's table (by the handle KA recorded in the
# lock file) and adds its own: only KB's table is there, and the port
# reaches KB's container.
# 6. KA killed and started again (its table replaced) holds the port: KB
# is refused it, and nothing of KA's is removed (its table, of its new
# handle, still forwards the port to KA).
# 7. A cell killed between adding its tables and recording their handles
# leaves them recorded by name (the lock file names its table from the
# take on): KA, its record held by strace, is killed there; KA started
# again with another port runs with a table of that very name, which KB,
# taking KA's first port, leaves (and keeps recorded); once KA is killed
# again, KC, taking that port, deletes KA's table by name.
# 8. A dead holder's tables whose deletion fails stay recorded: KA killed,
# KB takes its port with nft failing (strace: ENOMEM on its first
# sendmsg), warns and names KA's table in the lock file after its own; KB
# stops, and KC, taking the port, deletes KA's table.
# 9. A second start of a running unit, its Port= edited (the port free)
# and its veth another ("ve-", not "vb-"), is refused before it takes the
# port: its table would replace the running one's, of the same name.
# 10. "cell __finish" deletes by name (nft gave no handle) only while no
# start of the unit runs: DUP's table stays; once DUP stopped, it goes.
# 11. "cell stop NAME" of a killed cell deletes its table: KS killed
# left it forwarding the port (to an address that may be another's by
# then) until its next start, or another unit's taking the port.
# (Init=yes: busybox httpd as PID 1 would ignore SIGTERM.)
. "$(dirname "$0")/../run/lib.sh"

command -v nft >/dev/null || { echo "skipped: needs nft (nftables) to look at the rules"; exit 77; }
. "$(dirname "$0")/lib.sh"
have_http_get || { echo "skipped: needs wget or curl"; exit 77; }

ip -n "$H" link add br0 type bridge
ip -n "$H" addr add 10.213.8.1/24 dev br0
ip -n "$H" addr add fd42:213:8::1/64 dev br0 nodad
ip -n "$H" link set br0 up
for n in 1 2 3; do
        mkdir -p "$root/www$n"
        echo "hello from cell $n" > "$root/www$n/index.html"
done

# h_get URL: an HTTP GET from H, retried for 4 s (a new veth, an httpd
# that still starts); the page on stdout.
h_get() {
        for _ in $(seq 20); do
                http_get_in "$H" "$1" 2>/dev/null && return 0
                sleep 0.2
        done
        return 1
}

# start_cell TAG UNIT: cell in H, in the background; sets pid_TAG.
start_cell() {
        ip netns exec "$H" "$CELL" run --cgroup-manager=none "$2" >"$work/out.$1" 2>"$work/err.$1" &
        eval "pid_$1=$!"       # cell itself: ip netns exec execs it
}

# stop_tag TAG: as lib.sh's stop_cell, for the cell started as TAG.
stop_tag() {
        pid=$(eval echo "\$pid_$1")
        stop_cell
}

# cell_tables: H's nft tables of this test's cells, "FAMILY NAME" each.
cell_tables() {
        ip netns exec "$H" nft list tables | sed -n "s/^table \(ip6\?\|inet\) \(cell-$marker.*\)/\1 \2/p" | sort
}

# 1. No IPv6 NAT in H: its ip6 prerouting hook filled with filter chains,
# in batches of 128 while they fit, then one by one, until it takes none.
fill() {
        local from=$1 n=$2
        for i in $(seq "$from" $((from + n - 1))); do
                echo "add chain ip6 fill c$i { type filter hook prerouting priority $((i % 1000)); }"
        done | ip netns exec "$H" nft -f - 2>/dev/null
}
ip netns exec "$H" nft add table ip6 fill
i=0
while fill $i 128; do i=$((i + 128)); done
while fill $i 1; do i=$((i + 1)); done
ip netns exec "$H" nft 'add table ip6 probe; add chain ip6 probe pre { type nat hook prerouting priority dstnat; }' \
        2>/dev/null && fail "H still makes an ip6 nat chain after $i filter chains on the hook"
ip netns exec "$H" nft 'add table ip6 probe; delete table ip6 probe'
ip netns exec "$H" nft 'add table ip probe; add chain ip probe pre { type nat hook prerouting priority dstnat; }' ||
        fail "H does not make an ip nat chain either"
ip netns exec "$H" nft 'delete table ip probe'

six=$(unit six "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.2/24" "Address=fd42:213:8::2/64" "Gateway=10.213.8.1" \
        "Port=8080:80" "Port=udp:5353:53")
six_table="cell-$(unit_name six)"
port_line=$(grep -n -m1 '^Port=' "$six" | cut -d: -f1)
# What an earlier start left (a cell killed with IPv6 NAT still there).
ip netns exec "$H" nft "add table ip6 $six_table; add chain ip6 $six_table prerouting"
start_cell six "$six"
page=$(h_get http://10.213.8.1:8080/) || fail "no answer on the forwarded port over IPv4: $(cat "$work/err.six")"
expect "page through Port= over IPv4, without IPv6 NAT" "$page" "hello from cell 1"
grep -qF "$six:$port_line: Port=: not forwarded over IPv6: nftables refused the table ip6 $six_table" \
        "$work/err.six" || fail "no warning at $six:$port_line: $(cat "$work/err.six")"
grep -q "over IPv4" "$work/err.six" && fail "a warning about IPv4: $(cat "$work/err.six")"
expect "H's tables while SIX runs" "$(cell_tables)" "ip $six_table"
ip netns exec "$H" nft list table ip "$six_table" | matches "udp dport 5353 dnat to 10.213.8.2:53" ||
        fail "no udp rule in ip $six_table"
stop_tag six
expect "H's tables after SIX stopped" "$(cell_tables)" ""
ip netns exec "$H" nft delete table ip6 fill

# 2. NAME@1 and NAME_1, one machine name, at once. (SIX's veth had
# 10.213.8.2: H must not send there by its MAC address.)
ip -n "$H" neigh flush all
at=$(unit web@1 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www2" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.2/24" "Gateway=10.213.8.1" "Port=8081:80")
us=$(unit web_1 "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www3" "Init=yes" \
        "[Network]" "VirtualEthernet=yes" "Address=10.213.9.2/24" "Gateway=10.213.9.1" "Port=8082:80")
"$CELL" plan --json "$us" > "$work/plan" || fail "cell plan --json $us failed"
expect "web@1 and web_1: one machine name" "$(plan_value machine_name)" "$(unit_name web)-1"
us_if=$(plan_value veth_host)
start_cell at "$at"
h_get http://10.213.8.1:8081/ >/dev/null || fail "web@1: no answer on 8081: $(cat "$work/err.at")"
start_cell us "$us"
for _ in $(seq 50); do
        ip -n "$H" link show "$us_if" >/dev/null 2>&1 && break
        sleep 0.1
done
ip -n "$H" addr add 10.213.9.1/24 dev "$us_if" || fail "web_1: no $us_if: $(cat "$work/err.us")"
page=$(h_get http://10.213.9.1:8082/) || fail "web_1: no answer on 8082: $(cat "$work/err.us")"
expect "web_1's page through its Port=" "$page" "hello from cell 3"
page=$(h_get http://10.213.8.1:8081/) || fail "web@1: no answer on 8081 once web_1 started"
expect "web@1's page through its Port=, web_1 running" "$page" "hello from cell 2"
expect "H's tables while both run" "$(cell_tables)" \
        "$(printf 'ip cell-%s\nip cell-%s' "$(unit_name web)/1" "$(unit_name web)_1" | sort)"
stop_tag us
page=$(h_get http://10.213.8.1:8081/) || fail "web@1: no answer on 8081 once web_1 stopped"
expect "web@1's page through its Port=, web_1 stopped" "$page" "hello from cell 2"
expect "H's tables after web_1 stopped" "$(cell_tables)" "ip cell-$(unit_name web)/1"
stop_tag at
expect "H's tables after both stopped" "$(cell_tables)" ""
[ -z "$(ip -n "$H" link show type veth | grep ' v[eb]-')" ] || fail "veths left: $(ip -n "$H" link show type veth)"
# 3. One host port, one cell: ONE forwards tcp 8081; TWO, forwarding it
# too (its second Port=), is refused at once (status 2), naming its line,
# the port and ONE, with nothing made (no table, no veth) and ONE still
# answering; OTHER, with udp 8081 and tcp 8084, starts beside ONE; once ONE
# stopped, TWO gets the port.
one=$(unit one "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.2/24" "Gateway=10.213.8.1" "Port=tcp:8081:80")
two=$(unit two "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www2" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.3/24" "Gateway=10.213.8.1" "Port=8085:80" "Port=8081:80")
other=$(unit other "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www3" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.4/24" "Gateway=10.213.8.1" "Port=udp:8081:53" "Port=8084:80")
two_line=$(grep -n '^Port=8081' "$two" | cut -d: -f1)
ip -n "$H" neigh flush all
start_cell one "$one"
page=$(h_get http://10.213.8.1:8081/) || fail "ONE: no answer on 8081: $(cat "$work/err.one")"
expect "ONE's page through its Port=" "$page" "hello from cell 1"
status=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$two" >"$work/out.two" 2>"$work/err.two" ||
        status=$?
expect "TWO's exit status, its port forwarded by ONE" "$status" 2
grep -qF "$two:$two_line: Port=tcp:8081:80: tcp port 8081 of the host is forwarded by a running cell already, $(unit_name one)" \
        "$work/err.two" || fail "TWO: no message naming its line, the port and ONE: $(cat "$work/err.two")"
expect "H's tables after TWO was refused" "$(cell_tables)" "ip cell-$(unit_name one)"
expect "H's veths after TWO was refused" "$(ip -n "$H" -o link show type veth | grep -c ' vb-')" 1
page=$(h_get http://10.213.8.1:8081/) || fail "ONE: no answer on 8081 once TWO was refused"
expect "ONE's page, TWO refused" "$page" "hello from cell 1"
start_cell other "$other"
page=$(h_get http://10.213.8.1:8084/) || fail "OTHER (udp 8081, tcp 8084): no answer on 8084: $(cat "$work/err.other")"
expect "OTHER's page beside ONE" "$page" "hello from cell 3"
ip netns exec "$H" nft list table ip "cell-$(unit_name other)" | matches "udp dport 8081 dnat to 10.213.8.4:53" ||
        fail "no udp 8081 rule in OTHER's table"
stop_tag other
stop_tag one
start_cell two "$two"
page=$(h_get http://10.213.8.1:8081/) || fail "TWO: no answer on 8081 once ONE stopped: $(cat "$work/err.two")"
expect "TWO's page on 8081 once ONE stopped" "$page" "hello from cell 2"
stop_tag two
expect "H's tables after ONE, TWO and OTHER stopped" "$(cell_tables)" ""

# 4. A late clean-up, and the same unit started again meanwhile.
if command -v strace >/dev/null; then
        late=$(unit late "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
                "[Network]" "Bridge=br0" "Address=10.213.8.5/24" "Gateway=10.213.8.1" "Port=tcp:8086:80")
        late_if=vb-$(unit_name late)
        ip -n "$H" neigh flush all
        start_cell late1 "$late"
        h_get http://10.213.8.1:8086/ >/dev/null || fail "LATE: no answer on 8086: $(cat "$work/err.late1")"
        wait_handed_over "$pid_late1" 3 ||
                fail "LATE's first cell has not become cell-monitor: '$(cat "/proc/$pid_late1/comm" 2>/dev/null)'"
        strace -p "$pid_late1" -e trace=execveat -e inject=execveat:delay_exit=5000000 -o /dev/null 2>/dev/null &
        strace_pid=$!
        for _ in $(seq 50); do
                [ "$(awk '/^TracerPid:/ {print $2}' "/proc/$pid_late1/status")" = "$strace_pid" ] && break
                sleep 0.1
        done
        # The container's init (cell-monitor's child) killed: cell-monitor execs "cell __finish".
        pkill -KILL -P "$pid_late1"
        for _ in $(seq 50); do
                is_monitor "$pid_late1" || break
                sleep 0.1
        done
        # The first container's veth goes with its network namespace.
        for _ in $(seq 50); do
                ip -n "$H" link show "$late_if" >/dev/null 2>&1 || break
                sleep 0.1
        done
        kill -0 "$pid_late1" 2>/dev/null || fail "LATE's first clean-up was not held (it ended already)"
        start_cell late2 "$late"
        page=$(h_get http://10.213.8.1:8086/) || fail "LATE again: no answer on 8086: $(cat "$work/err.late2")"
        expect "LATE's page, started again while the first clean-up waits" "$page" "hello from cell 1"
        status=0
        wait "$pid_late1" || status=$?
        expect "LATE's first cell: its payload's status (SIGKILL)" "$status" 137
        # Its table was gone (replaced): no failure to remove it is reported.
        grep -q "cannot remove the nft table" "$work/err.late1" && fail "LATE's first clean-up: $(cat "$work/err.late1")"
        wait "$strace_pid" 2>/dev/null
        expect "H's tables after the first LATE's clean-up ran" "$(cell_tables)" "ip cell-$(unit_name late)"
        page=$(h_get http://10.213.8.1:8086/) || fail "LATE again: no answer on 8086 after the first clean-up"
        expect "LATE's page after the first clean-up" "$page" "hello from cell 1"
        stop_tag late2
        expect "H's tables after LATE stopped" "$(cell_tables)" ""
else
        echo "4: skipped, no strace"
fi

# wait_monitor TAG: until the cell started as TAG has become cell-monitor
# (the hand-over is done).
wait_monitor() {
        local p
        p=$(eval echo "\$pid_$1")
        wait_handed_over "$p" 20 || fail "$1 has not become cell-monitor: $(cat "$work/err.$1")"
}
# kill_tag TAG VETH: SIGKILL of that cell-monitor; its container goes with
# it (PDEATHSIG), and the veth VETH with the container's network namespace.
kill_tag() {
        local p
        p=$(eval echo "\$pid_$1")
        kill -KILL "$p"
        wait "$p" 2>/dev/null || true
        veth_gone "$1" "$2"
}
# veth_gone TAG VETH: VETH gone within 5 s (TAG killed).
veth_gone() {
        for _ in $(seq 50); do
                ip -n "$H" link show "$2" >/dev/null 2>&1 || return 0
                sleep 0.1
        done
        fail "$1 killed: its veth $2 is still there"
}
# table_handle NAME: the handle of H's table "ip NAME"; "" if none.
table_handle() {
        ip netns exec "$H" nft -a list table ip "$1" 2>/dev/null | sed -n '1s/.*# handle \([0-9]*\)$/\1/p'
}

# 5. KA killed, KB takes its port.
ka=$(unit ka "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.6/24" "Gateway=10.213.8.1" "Port=tcp:8087:80")
kb=$(unit kb "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www2" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.7/24" "Gateway=10.213.8.1" "Port=tcp:8087:80")
ka_table=cell-$(unit_name ka)
kb_table=cell-$(unit_name kb)
ka_if=vb-$(unit_name ka)
lock=/run/cell/port/net-$H_netns-tcp-8087
ip -n "$H" neigh flush all
start_cell ka "$ka"
page=$(h_get http://10.213.8.1:8087/) || fail "KA: no answer on 8087: $(cat "$work/err.ka")"
expect "KA's page through its Port=" "$page" "hello from cell 1"
wait_monitor ka
ka_handle=$(table_handle "$ka_table")
[ -n "$ka_handle" ] || fail "KA's table has no handle: $(ip netns exec "$H" nft -a list tables)"
expect "KA's port lock file: its name, then its tables" "$(head -n2 "$lock")" \
        "$(printf '%s\n%s:0:%s' "$(unit_name ka)" "$ka_handle" "$ka_table")"
expect_match "KA's port lock file: its network namespace's cookie" "$(sed -n 3p "$lock")" '^[1-9][0-9]*$'
kill_tag ka "$ka_if"
expect "H's tables after KA's cell-monitor was killed" "$(cell_tables)" "ip $ka_table"
start_cell kb "$kb"
page=$(h_get http://10.213.8.1:8087/) || fail "KB: no answer on 8087, KA killed: $(cat "$work/err.kb")"
expect "KB's page on the port of killed KA" "$page" "hello from cell 2"
expect "H's tables once KB took the port of killed KA" "$(cell_tables)" "ip $kb_table"
grep -q "nft table" "$work/err.kb" && fail "KB: $(cat "$work/err.kb")"
wait_monitor kb
expect "the port's lock file names KB now" "$(head -n1 "$lock")" "$(unit_name kb)"
stop_tag kb
expect "H's tables after KB stopped" "$(cell_tables)" ""

# 6. KA killed, KA again, KB refused.
ip -n "$H" neigh flush all
start_cell ka "$ka"
h_get http://10.213.8.1:8087/ >/dev/null || fail "KA: no answer on 8087: $(cat "$work/err.ka")"
wait_monitor ka
old_handle=$(table_handle "$ka_table")
kill_tag ka "$ka_if"
start_cell ka "$ka"
page=$(h_get http://10.213.8.1:8087/) || fail "KA again: no answer on 8087: $(cat "$work/err.ka")"
expect "KA's page, started again after it was killed" "$page" "hello from cell 1"
wait_monitor ka
new_handle=$(table_handle "$ka_table")
[ -n "$new_handle" ] && [ "$new_handle" != "$old_handle" ] ||
        fail "KA's table, started again: handle '$new_handle', killed start's '$old_handle'"
status=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$kb" >"$work/out.kb" 2>"$work/err.kb" ||
        status=$?
expect "KB's exit status, its port forwarded by KA started again" "$status" 2
expect "H's tables after KB was refused" "$(cell_tables)" "ip $ka_table"
expect "KA's table's handle after KB was refused" "$(table_handle "$ka_table")" "$new_handle"
page=$(h_get http://10.213.8.1:8087/) || fail "KA: no answer on 8087 once KB was refused"
expect "KA's page, KB refused" "$page" "hello from cell 1"
stop_tag ka
expect "H's tables after KA stopped" "$(cell_tables)" ""

# start_traced TAG UNIT STRACE_ARGS...: start_cell under strace with
# those arguments, cell's process alone (as cell, cell-monitor and "cell
# __finish"; not the container: strace counts a child's calls anew);
# pid_TAG is cell's (strace's child), strace_TAG strace's.
start_traced() {
        local tag=$1 u=$2 p=
        shift 2
        ip netns exec "$H" strace -o /dev/null "$@" "$CELL" run --cgroup-manager=none "$u" \
                >"$work/out.$tag" 2>"$work/err.$tag" &
        eval "strace_$tag=$!"
        # strace's children: the tracee (strace until it execs cell) and,
        # at strace's start, children that test what the kernel's ptrace
        # can do, which exit at once: as a zombie, such a child's exe reads
        # as nothing. So it is the child whose exe is cell.
        for _ in $(seq 50); do
                for c in $(pgrep -P "$(eval echo "\$strace_$tag")" || true); do
                        [ "$(readlink "/proc/$c/exe" || true)" = "$CELL" ] && p=$c
                done
                [ -n "$p" ] && break
                sleep 0.1
        done
        [ -n "$p" ] || fail "$tag: no cell under strace: $(cat "$work/err.$tag")"
        eval "pid_$tag=$p"
}
# wait_traced TAG: until that strace has ended (its cell and all of its
# container ended).
wait_traced() {
        wait "$(eval echo "\$strace_$1")" 2>/dev/null || true
}
BY_NAME=18446744073709551615

if command -v strace >/dev/null && command -v pgrep >/dev/null; then
        kc=$(unit kc "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www3" "Init=yes" \
                "[Network]" "Bridge=br0" "Address=10.213.8.8/24" "Gateway=10.213.8.1" "Port=tcp:8090:80" \
                "Port=tcp:8092:80")
        kc_table=cell-$(unit_name kc)
        # 7. KA killed between its tables and their handles' record.
        lock=/run/cell/port/net-$H_netns-tcp-8090
        ka=$(unit ka "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
                "[Network]" "Bridge=br0" "Address=10.213.8.6/24" "Gateway=10.213.8.1" "Port=tcp:8090:80")
        ip -n "$H" neigh flush all
        # The lock file's first write is the take's, its second the record,
        # held 5 s: killed there, KA leaves its exit stop when strace lets
        # it go, once the 5 s are over (not its write: a tracee that gets
        # SIGKILL at a syscall's entry does not make the call).
        start_traced ka "$ka" -P "$lock" -e trace=pwrite64 -e inject=pwrite64:delay_enter=5000000:when=2
        for _ in $(seq 100); do
                [ "$(cell_tables)" = "ip $ka_table" ] && break
                sleep 0.1
        done
        expect "H's tables while KA's record is held" "$(cell_tables)" "ip $ka_table"
        expect "KA's port lock file before its record: its table by name" "$(head -n2 "$lock")" \
                "$(printf '%s\n%s:%s:%s' "$(unit_name ka)" $BY_NAME $BY_NAME "$ka_table")"
        kill -KILL "$pid_ka"
        wait_traced ka
        veth_gone ka "$ka_if"
        expect "H's tables after KA was killed before its record" "$(cell_tables)" "ip $ka_table"
        expect "KA's port lock file after it was killed before its record" "$(sed -n 2p "$lock")" \
                "$BY_NAME:$BY_NAME:$ka_table"
        # KA again, with another port: a table of that name, of a running cell.
        ka=$(unit ka "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
                "[Network]" "Bridge=br0" "Address=10.213.8.6/24" "Gateway=10.213.8.1" "Port=tcp:8091:80")
        ip -n "$H" neigh flush all
        start_cell ka "$ka"
        page=$(h_get http://10.213.8.1:8091/) || fail "KA on 8091: no answer: $(cat "$work/err.ka")"
        wait_monitor ka
        ka_handle=$(table_handle "$ka_table")
        kb=$(unit kb "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www2" "Init=yes" \
                "[Network]" "Bridge=br0" "Address=10.213.8.7/24" "Gateway=10.213.8.1" "Port=tcp:8090:80")
        start_cell kb "$kb"
        page=$(h_get http://10.213.8.1:8090/) || fail "KB: no answer on 8090: $(cat "$work/err.kb")"
        expect "KB's page on the port of KA killed before its record" "$page" "hello from cell 2"
        wait_monitor kb
        expect "H's tables while KA (started again) and KB run" "$(cell_tables)" \
                "$(printf 'ip %s\nip %s' "$ka_table" "$kb_table" | sort)"
        expect "KA's table's handle once KB took its old port" "$(table_handle "$ka_table")" "$ka_handle"
        page=$(h_get http://10.213.8.1:8091/) || fail "KA: no answer on 8091 once KB took 8090"
        expect "KA's page on 8091, KB on 8090" "$page" "hello from cell 1"
        expect "KB's port lock file keeps KA's table by name" "$(sed -n 4p "$lock")" "$BY_NAME:$BY_NAME:$ka_table"
        stop_tag kb
        kill_tag ka "$ka_if"
        expect "H's tables after KB stopped and KA was killed" "$(cell_tables)" "ip $ka_table"
        start_cell kc "$kc"
        page=$(h_get http://10.213.8.1:8090/) || fail "KC: no answer on 8090: $(cat "$work/err.kc")"
        expect "KC's page on 8090" "$page" "hello from cell 3"
        expect "H's tables once KC took 8090" "$(cell_tables)" "ip $kc_table"
        stop_tag kc
        expect "H's tables after KC stopped" "$(cell_tables)" ""

        # 8. KA killed, KB's deletion of its table fails.
        lock=/run/cell/port/net-$H_netns-tcp-8092
        ka=$(unit ka "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
                "[Network]" "Bridge=br0" "Address=10.213.8.6/24" "Gateway=10.213.8.1" "Port=tcp:8092:80")
        ip -n "$H" neigh flush all
        start_cell ka "$ka"
        h_get http://10.213.8.1:8092/ >/dev/null || fail "KA: no answer on 8092: $(cat "$work/err.ka")"
        wait_monitor ka
        ka_handle=$(table_handle "$ka_table")
        kill_tag ka "$ka_if"
        # KB's first sendmsg is nft's deletion of KA's table (its own come after).
        kb=$(unit kb "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www2" "Init=yes" \
                "[Network]" "Bridge=br0" "Address=10.213.8.7/24" "Gateway=10.213.8.1" "Port=tcp:8092:80")
        start_traced kb "$kb" -e trace=sendmsg -e inject=sendmsg:error=ENOMEM:when=1
        wait_monitor kb
        grep -q "cannot remove the nft table ip $ka_table of a killed cell" "$work/err.kb" ||
                fail "KB: no warning that KA's table stays: $(cat "$work/err.kb")"
        expect "H's tables once KB failed to delete KA's" "$(cell_tables)" \
                "$(printf 'ip %s\nip %s' "$ka_table" "$kb_table" | sort)"
        expect "KB's port lock file keeps KA's table" "$(sed -n 4p "$lock")" "$ka_handle:0:$ka_table"
        kill -TERM "$pid_kb"
        wait_traced kb
        expect "H's tables after KB stopped" "$(cell_tables)" "ip $ka_table"
        start_cell kc "$kc"
        h_get http://10.213.8.1:8092/ >/dev/null || fail "KC: no answer on 8092: $(cat "$work/err.kc")"
        expect "H's tables once KC took 8092" "$(cell_tables)" "ip $kc_table"
        stop_tag kc
        expect "H's tables after KC stopped" "$(cell_tables)" ""
else
        echo "7, 8: skipped, no strace or pgrep"
fi
# 9. DUP runs on br0 ("vb-" veth); its unit file edited (VirtualEthernet=
# alone: a "ve-" veth, which a second start can make; another port, free),
# a second start of DUP is refused before it takes the port (status 2,
# saying DUP runs: the name's lock, which every manager takes before the
# clone), and DUP's table, of the same name, is not replaced: same handle,
# its port still forwarded.
dup=$(unit dup "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.9/24" "Gateway=10.213.8.1" "Port=tcp:8093:80")
dup_table=cell-$(unit_name dup)
ip -n "$H" neigh flush all
start_cell dup "$dup"
h_get http://10.213.8.1:8093/ >/dev/null || fail "DUP: no answer on 8093: $(cat "$work/err.dup")"
wait_monitor dup
dup_handle=$(table_handle "$dup_table")
sed -i 's/^Bridge=br0$/VirtualEthernet=yes/; s/^Port=tcp:8093:80$/Port=tcp:8094:80/' "$dup"
status=0
timeout 20 ip netns exec "$H" "$CELL" run --cgroup-manager=none "$dup" >"$work/out.dup2" 2>"$work/err.dup2" ||
        status=$?
expect "DUP started again while it runs: exit status" "$status" 2
grep -qF "cell $(unit_name dup) is already running (PID " "$work/err.dup2" ||
        fail "DUP again: no message saying DUP runs: $(cat "$work/err.dup2")"
[ -e "/run/cell/port/net-$H_netns-tcp-8094" ] && fail "DUP again took the port 8094's lock file"
expect "H's tables after DUP was started again" "$(cell_tables)" "ip $dup_table"
expect "DUP's table's handle after it was started again" "$(table_handle "$dup_table")" "$dup_handle"
page=$(h_get http://10.213.8.1:8093/) || fail "DUP: no answer on 8093 once it was started again"
expect "DUP's page on 8093, started again" "$page" "hello from cell 1"
# 10. The clean-up of an earlier start of DUP whose tables nft gave no
# handle ("cell __finish" as cell-monitor runs it, once it let the locks
# go) leaves the table of DUP running: by name only while no start of the
# unit runs. Once DUP stopped, such a clean-up deletes a table of its name.
status=0
ip netns exec "$H" "$CELL" __finish --status=0 --name="$(unit_name dup)" \
        --netfw-table="$BY_NAME:$BY_NAME:$dup_table" >"$work/out.fin" 2>"$work/err.fin" || status=$?
expect "an earlier DUP's clean-up by name: exit status" "$status" 0
expect "DUP's table's handle after an earlier start's clean-up by name" "$(table_handle "$dup_table")" "$dup_handle"
page=$(h_get http://10.213.8.1:8093/) || fail "DUP: no answer on 8093 after an earlier start's clean-up by name"
stop_tag dup
expect "H's tables after DUP stopped" "$(cell_tables)" ""
ip netns exec "$H" nft add table ip "$dup_table"
ip netns exec "$H" "$CELL" __finish --status=0 --name="$(unit_name dup)" \
        --netfw-table="$BY_NAME:0:$dup_table" >"$work/out.fin" 2>"$work/err.fin" ||
        fail "DUP's clean-up by name, DUP stopped: $(cat "$work/err.fin")"
expect "H's tables after DUP's clean-up by name, DUP stopped" "$(cell_tables)" ""

# 11. KS killed, then "cell stop" of it.
ks=$(unit ks "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/httpd -f -p 80 -h /www1" "Init=yes" \
        "[Network]" "Bridge=br0" "Address=10.213.8.10/24" "Gateway=10.213.8.1" "Port=tcp:8095:80")
ip -n "$H" neigh flush all
start_cell ks "$ks"
h_get http://10.213.8.1:8095/ >/dev/null || fail "KS: no answer on 8095: $(cat "$work/err.ks")"
wait_monitor ks
kill_tag ks "vb-$(unit_name ks)"
expect "H's tables after KS was killed" "$(cell_tables)" "ip cell-$(unit_name ks)"
status=0
ip netns exec "$H" "$CELL" stop "$(unit_name ks)" >"$work/out.stop" 2>"$work/err.stop" || status=$?
expect "cell stop of killed KS: exit status ($(cat "$work/err.stop"))" "$status" 3
expect "H's tables after cell stop of killed KS" "$(cell_tables)" ""

echo "ok: Port= over IPv4 where H cannot NAT IPv6, warned at its line; one table per unit; one cell per host port; a late clean-up removes its own table only; a killed cell's table goes when another takes its port, also one killed before its record or whose deletion failed; a second start of a running unit is refused, and a clean-up by name leaves its table; cell stop of a killed cell deletes its table"
