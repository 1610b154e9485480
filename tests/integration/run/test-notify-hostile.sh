#!/bin/bash
# The notify path against a hostile payload, with $NOTIFY_SOCKET on a socket
# of this test (a stand-in for systemd's): datagrams of 64 KiB, 253 fds
# (pipes, sockets), FDNAME= that is no name, FDSTOREREMOVE=1, credentials of
# another PID and UID, MAINPID=, a STATUS= flood, WATCHDOG=trigger,
# EXTEND_TIMEOUT_USEC= of "infinity" and of no number, BARRIER=1,
# RELOADING=1 and STOPPING=1, 300 datagrams of 253 fds each, STATUS= with an
# escape sequence or no UTF-8. What goes up is what systemd 252 would take
# from a service and cell(1) says it forwards; every fd passed is closed;
# cell stays responsive (a SIGTERM stops it at once).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
mkdir -p "$work/py" "$work/sync"
cp "$(dirname "$0")/notify-hostile.py" "$work/py/hostile.py"

python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(sys.argv[1])
while True:
    print(repr(s.recv(65536)), flush=True)
' "$work/up.sock" >> "$work/up.log" &
listener=$!
trap 'status=$?; set +e; kill $listener 2>/dev/null; (exit $status); cleanup' EXIT
for _ in $(seq 50); do [ -S "$work/up.sock" ] && break; sleep 0.1; done
[ -S "$work/up.sock" ] || fail "the listener did not bind $work/up.sock"

u=$(unit hostile "[Root]" "Directory=/" "Volatile=yes" "BindReadOnly=$work/py:/opt/py" "Bind=$work/sync:/data" \
        "[Exec]" "Init=yes" "Exec=/usr/bin/python3 /opt/py/hostile.py $marker")
NOTIFY_SOCKET=$work/up.sock "$CELL" run -v --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" &
cell=$!
for _ in $(seq 600); do grep -q '^done' "$work/sync/results" 2>/dev/null && break; sleep 0.1; done
grep -q '^done' "$work/sync/results" 2>/dev/null ||
        fail "the payload did not get through: $(cat "$work/sync/results" 2>/dev/null);" \
                "cell said: $(tail -5 "$work/err")"
sleep 1
cat "$work/sync/results"
res() { grep "^$1 $2 " "$work/sync/results" | cut -d' ' -f3-; }
up=$(cat "$work/up.log")
has() { grep -qF -- "$1" <<< "$up"; }

for t in cell monitor; do
        expect "64 KiB sent" "$(res "$t" big)" sent
        has "STATUS=$(unit_name hostile): $t-after-big" || fail "nothing after the 64 KiB datagram"
        ! has "xxxxxxxx" || fail "the 64 KiB datagram went up"
        expect "253 pipe fds closed" "$(res "$t" pipes253-closed)" True
        expect "253 socket fds closed" "$(res "$t" socks253-closed)" True
        has "STATUS=$(unit_name hostile): $t-fds\\n" || fail "FDSTORE=1 with 253 fds: its STATUS= did not go up"
        has "STATUS=$(unit_name hostile): $t-socks\\n" || fail "FDSTORE=1 with 253 sockets: its STATUS= did not go up"
        has "STATUS=$(unit_name hostile): $t-remove\\n" || fail "FDSTOREREMOVE=1: its STATUS= did not go up"
        ! has "FDSTORE" || fail "FDSTORE lines went up"
        ! has "FDNAME" || fail "FDNAME lines went up"
        ! has "MAINPID" || fail "MAINPID= went up"
        has "STATUS=$(unit_name hostile): $t-mainpid2\\n" || fail "MAINPID=: its STATUS= did not go up"
        # While the flood keeps the supervisor's socket full, what waits is
        # coalesced, one STATUS= (the last) per datagram to come (cell(1)):
        # flood-done may give way to badextend, the next STATUS= of its kind.
        has "STATUS=$(unit_name hostile): $t-flood-done\\n" || has "STATUS=$(unit_name hostile): $t-badextend\\n" ||
                fail "the flood's last STATUS= did not go up, nor one after it"
        ! has "EXTEND_TIMEOUT_USEC=abc" || fail "EXTEND_TIMEOUT_USEC=abc went up"
        has "STATUS=$(unit_name hostile): $t-badextend\\n" || fail "EXTEND_TIMEOUT_USEC=abc cost its STATUS="
        expect_match "BARRIER=1 returns" "$(res "$t" barrier)" "^True 0\."
        ! has "RELOADING" || fail "RELOADING=1 went up"
        ! has "STOPPING=1" || fail "STOPPING=1 went up"
        has "STATUS=$(unit_name hostile): $t-reloading\\n" || fail "RELOADING=1: its STATUS= did not go up"
        expect "300 datagrams of 253 fds: all closed" "$(res "$t" many-closed)" True
        ! has "\\xff" || fail "a STATUS= that is no UTF-8 went up"
        ! has "\\x1b" || fail "an escape sequence went up: $(grep -F "\\x1b" <<< "$up")"
        has "STATUS=$(unit_name hostile): $t-alive\\n" || fail "nothing went up after all that"
done
# One each of cell and of cell-monitor (the second round ran under it).
is_monitor "$cell" || fail "cell did not hand over to cell-monitor"
expect "WATCHDOG=trigger, twice" "$(grep -cF WATCHDOG=trigger <<< "$up")" 2
expect "EXTEND_TIMEOUT_USEC=infinity, twice" "$(grep -cF EXTEND_TIMEOUT_USEC=18446744073709551615 <<< "$up")" 2

start=$(date +%s)
kill -TERM "$cell"
status=0
wait "$cell" || status=$?
expect "exit status after SIGTERM" "$status" 0
took=$(( $(date +%s) - start ))
[ "$took" -lt 10 ] || fail "cell took ${took}s to stop"
echo "ok: a hostile payload's notify datagrams"
