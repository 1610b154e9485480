#!/bin/bash
# NotifyReady=yes and the notify relay, with $NOTIFY_SOCKET on a socket of
# this test (a stand-in for systemd's). The payload's READY=1 comes from a
# process that exits at once (notify-probe --no-wait, as busybox nc or
# systemd-notify --no-block): when cell reads the datagram, /proc has nothing
# of the sender any more, and READY=1 must arrive all the same -- every time,
# also when cell reads only after the sender is reaped (cell stopped
# meanwhile). A host user who reaches the socket through /proc/PID/root of a
# container process of its UID gets nowhere, gone or not.
. "$(dirname "$0")/lib.sh"
NOTIFY_PROBE=$(realpath "${4:?usage: $0 CELL PROBE MAKE_ROOT NOTIFY_PROBE}")
# The container's root (PrivateUsers=) reaches the root; host UID 1000 reaches
# /proc/PID/root/run/host/notify.
chmod 755 "$work"
cp "$NOTIFY_PROBE" "$root/bin/notify-probe"

# The stand-in for systemd: one line per datagram, as Python's repr() of it.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    print(repr(s.recv(65536)), flush=True)
' "$work/up.sock" >> "$work/up.log" &     # O_APPEND: start_cell empties it
listener=$!
# lib.sh's cleanup reads the test's status from $?: handed on past the kill.
# (Continued too: the flood case below stops it.)
trap 'status=$?; set +e; kill $listener 2>/dev/null; kill -CONT $listener 2>/dev/null; (exit $status); cleanup' EXIT
for _ in $(seq 50); do [ -S "$work/up.sock" ] && break; sleep 0.1; done
[ -S "$work/up.sock" ] || fail "the listener did not bind $work/up.sock"

# The datagram cell relays for the payload's READY=1: the service's, once
# (cell sends no READY=1 of its own after it, only its STATUS=, when the
# payload sent none).
relayed_ready="b'READY=1\\n'"

# start_cell UNIT: cell run in the background, $cell its PID (cell's own:
# SIGSTOP is for it; the waits below have their limits, meson the last).
start_cell() {
        : > "$work/up.log"
        # Emptied here, not by the redirection below: that happens in the
        # background child, maybe only after the waits below have read the
        # previous run's "The payload is running" (and SIGSTOPped the child
        # shell before it was cell).
        : > "$work/err"
        rm -f "$root/var/tmp/go" "$root/var/tmp/sent" "$root/var/tmp/armed"
        NOTIFY_SOCKET=$work/up.sock "$CELL" run -v --cgroup-manager=cgroupfs "$1" >"$work/out" 2>"$work/err" &
        cell=$!
}

# wait_for WHAT CMD...: up to 10 s for CMD to succeed.
wait_for() {
        local what=$1 i; shift
        for i in $(seq 100); do
                "$@" && return 0
                sleep 0.1
        done
        fail "$what: not within 10 s; cell said: $(cat "$work/err")"
}

# start_under SUPERVISOR UNIT: start_cell, the payload supervised by cell
# (CELL_MONITOR=0) or, once it has handed over, by cell-monitor.
start_under() {
        case $1 in
        cell)           export CELL_MONITOR=0 ;;
        cell-monitor)   unset CELL_MONITOR ;;
        esac
        start_cell "$2"
        wait_for "$1: the payload running" grep -q "The payload is running" "$work/err"
        [ "$1" = cell ] || wait_for "cell-monitor" grep -q "cell-monitor supervises" "$work/err"
}

# stop_cell: SIGTERM, and cell must end the payload and exit 0.
stop_cell() {
        local status=0
        kill -TERM "$cell"
        wait "$cell" || status=$?
        expect "cell's exit status after SIGTERM" "$status" 0
}

ready_relayed() { grep -qxF "$relayed_ready" "$work/up.log"; }
count_relayed() { grep -cxF "$relayed_ready" "$work/up.log" || true; }
count_ready() { grep -cF "READY=1" "$work/up.log" || true; }

# --- Many in a row: READY=1 from a sender that exits at once, each time.
u=$(unit quick "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"exit 0\" TERM; notify-probe --no-wait READY=1; while :; do sleep 0.2; done'" \
        "NotifyReady=yes")
for i in $(seq 15); do
        start_cell "$u"
        wait_for "run $i: the payload's READY=1" ready_relayed
        stop_cell
        expect "run $i: the payload's READY=1, relayed once" "$(count_relayed)" 1
        expect "run $i: READY=1 reached the supervisor once: $(cat "$work/up.log")" "$(count_ready)" 1
        grep -qxF "b'STATUS=$(unit_name quick): running'" "$work/up.log" ||
                fail "run $i: no STATUS= of cell's after the payload's bare READY=1: $(cat "$work/up.log")"
done

# --- Cell reads only after the sender is gone and reaped: cell is stopped
# (SIGSTOP) while the payload sends, as a busy host would hold it up. The
# payload waits for /var/tmp/go, sends, and says so in /var/tmp/sent once its shell
# has reaped the sender. Root, and a non-root user in a user namespace of its
# own: both UIDs are the container's alone. Also once cell-monitor runs.
stopped_unit() {   # stopped_unit NAME EXTRA-LINES...
        local name=$1; shift
        unit "$name" "[Root]" "Directory=$root" "[Exec]" \
                "Exec=/bin/sh -c 'trap \"exit 0\" TERM; while [ ! -e /var/tmp/go ]; do sleep 0.05; done; notify-probe --no-wait READY=1 \"STATUS=sent by \$(id -u)\"; touch /var/tmp/sent; while :; do sleep 0.2; done'" \
                "NotifyReady=yes" "$@"
}
for variant in root userns; do
        case $variant in
        root)   u=$(stopped_unit stoppedroot); want_uid=0 ;;
        userns) u=$(stopped_unit stoppeduserns "User=test" "[Isolation]" "PrivateUsers=pick"); want_uid=1000 ;;
        esac
        for i in 1 2 3; do
                start_cell "$u"
                wait_for "$variant $i: the payload running" grep -q "The payload is running" "$work/err"
                # The third time, cell-monitor has taken over (the same relay, set up anew).
                [ "$i" -lt 3 ] || wait_for "$variant $i: cell-monitor" grep -q "cell-monitor supervises" "$work/err"
                kill -STOP "$cell"
                touch "$root/var/tmp/go"
                for _ in $(seq 100); do [ -e "$root/var/tmp/sent" ] && break; sleep 0.1; done
                if [ ! -e "$root/var/tmp/sent" ]; then
                        kill -CONT "$cell"
                        fail "$variant $i: the payload did not send"
                fi
                grep -q READY "$work/up.log" && { kill -CONT "$cell"; fail "$variant $i: READY=1 while cell was stopped: $(cat "$work/up.log")"; }
                kill -CONT "$cell"
                wait_for "$variant $i: the payload's READY=1 from a reaped sender" \
                        grep -qxF "b'READY=1\\nSTATUS=$(unit_name "stopped$variant"): sent by $want_uid\\n'" "$work/up.log"
                stop_cell
                # Its STATUS= stands: no READY=1 (or status) of cell's after it.
                expect "$variant $i: READY=1 reached the supervisor once: $(cat "$work/up.log")" "$(count_ready)" 1
                grep -q ": running'" "$work/up.log" && fail "$variant $i: cell's status over the payload's"
        done
done

# --- A host user of the payload's UID (no user namespace): it reaches the
# socket through /proc/PID/root/run/host/notify of a container process, and
# is refused whether it is still there (another PID namespace) or gone (a UID
# that is not the container's alone). The payload's own datagram, sent after
# them by a sender that waits, goes through.
u=$(unit host "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"exit 0\" TERM; while [ ! -e /var/tmp/go ]; do sleep 0.05; done; notify-probe READY=1 \"STATUS=from inside\"; while :; do sleep 0.2; done'" \
        "User=test" "NotifyReady=yes")
start_cell "$u"
wait_for "host: the payload running" grep -q "The payload is running" "$work/err"
pid=$(sed -n "s/.*Cloned the container's init: PID \([0-9]*\)\..*/\1/p" "$work/err")
[ -n "$pid" ] || fail "host: no PID of the container's init in: $(cat "$work/err")"
as_host_user() { setpriv --reuid=1000 --regid=1000 --clear-groups env NOTIFY_SOCKET="/proc/$pid/root/run/host/notify" "$@"; }
# (The host user runs the copy in the test's root: it may not reach the build tree.)
# Gone: cell is stopped until the sender is reaped.
kill -STOP "$cell"
as_host_user "$root/bin/notify-probe" --no-wait READY=1 "STATUS=forged, gone" || { kill -CONT "$cell"; fail "host: UID 1000 could not send"; }
kill -CONT "$cell"
# Still there (most likely: it waits 0.3 s for cell to read).
as_host_user "$root/bin/notify-probe" READY=1 "STATUS=forged, still there" || fail "host: UID 1000 could not send"
touch "$root/var/tmp/go"
wait_for "host: the payload's READY=1" grep -qxF "b'READY=1\\nSTATUS=$(unit_name host): from inside\\n'" "$work/up.log"
stop_cell
grep -q "forged" "$work/up.log" && fail "host: a host user's datagram went up: $(cat "$work/up.log")"
grep -q "notify: dropping a datagram from PID [0-9]*, gone before it was read: UID 1000" "$work/err" ||
        fail "host: the gone host sender was not refused for its UID: $(cat "$work/err")"

# --- EXTEND_TIMEOUT_USEC= while the payload stops puts off the SIGKILL of
# TimeoutStopSec= (2 s here), as systemd's for a service: the payload asks
# for 5 s more and takes 3 s to stop. Under cell (CELL_MONITOR=0) and under
# cell-monitor, and the extension goes up too, with cell's 10 s for its reap
# and release after a SIGKILL at the end of those 5 s. The SIGTERM waits for
# /var/tmp/armed: before its trap the shell, PID 1, ignores it.
u=$(unit extend "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"notify-probe EXTEND_TIMEOUT_USEC=5000000; sleep 3; exit 0\" TERM; touch /var/tmp/armed; while :; do sleep 0.2; done'" \
        "TimeoutStopSec=2s")
for supervisor in cell cell-monitor; do
        start_under "$supervisor" "$u"
        wait_for "$supervisor: the payload's trap" test -e "$root/var/tmp/armed"
        stop_cell
        grep -qxF "b'EXTEND_TIMEOUT_USEC=15000000\\n'" "$work/up.log" ||
                fail "$supervisor: EXTEND_TIMEOUT_USEC= did not go up: $(cat "$work/up.log")"
done

# --- A payload that floods STATUS= while the supervisor does not read (the
# stand-in stopped, its queue full at once): cell never waits for it. A stop
# reaches the payload at once, and once the supervisor reads again (while
# the payload takes its second to stop) it gets what was held back, the
# payload's last STATUS= standing (never STOPPING=1: see test-service-admin).
u=$(unit flood "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'trap \"echo TERM > /var/tmp/term; sleep 1; exit 0\" TERM; notify-probe --flood 0 & while :; do sleep 0.1; done'")
flooding() { grep -q "STATUS=$(unit_name flood): flood [0-9]" "$work/up.log"; }
for supervisor in cell cell-monitor; do
        rm -f "$root/var/tmp/term"
        start_under "$supervisor" "$u"
        wait_for "$supervisor: the flood" flooding
        kill -STOP "$listener"
        sleep 0.5
        kill -TERM "$cell"
        for _ in $(seq 30); do [ -e "$root/var/tmp/term" ] && break; sleep 0.1; done
        [ -e "$root/var/tmp/term" ] || { kill -CONT "$listener"; fail "$supervisor: the stop did not reach the payload while the supervisor did not read"; }
        n=$(grep -c "STATUS=$(unit_name flood): flood" "$work/up.log")
        kill -CONT "$listener"
        status=0
        wait "$cell" || status=$?
        expect "$supervisor: cell's exit status after SIGTERM" "$status" 0
        wait_for "$supervisor: the held-back status once the supervisor reads" \
                sh -c "[ \$(grep -c 'STATUS=$(unit_name flood): flood' '$work/up.log') -gt $n ]"
        expect "$supervisor: no STOPPING=1" "$(grep -c "STOPPING=1" "$work/up.log")" 0
        grep -q "waits, coalesced" "$work/err" || fail "$supervisor: cell did not say it held messages back: $(cat "$work/err")"
done
unset CELL_MONITOR

# --- The payload's last words while the supervisor does not read: it
# floods, then exits by itself. systemd goes by its service's exit, so cell
# (and cell-monitor) wait for it to take what is queued before they exit:
# the last STATUS= arrives once it reads again (up to a second later). It
# was dropped: the supervisor saw cell gone with the flood's middle.
u=$(unit lastword "[Root]" "Directory=$root" "[Exec]" \
        "Exec=/bin/sh -c 'while [ ! -e /var/tmp/go ]; do sleep 0.05; done; notify-probe --flood 3000; touch /var/tmp/sent'")
for supervisor in cell cell-monitor; do
        start_under "$supervisor" "$u"
        kill -STOP "$listener"
        touch "$root/var/tmp/go"
        for _ in $(seq 100); do [ -e "$root/var/tmp/sent" ] && break; sleep 0.1; done
        [ -e "$root/var/tmp/sent" ] || { kill -CONT "$listener"; fail "$supervisor: the flood did not end"; }
        # The payload exits now; cell would be gone well within this.
        sleep 0.3
        kill -CONT "$listener"
        status=0
        wait "$cell" || status=$?
        expect "$supervisor: cell's exit status" "$status" 0
        wait_for "$supervisor: the last STATUS= once the supervisor reads" \
                grep -q "STATUS=$(unit_name lastword): flood 3000" "$work/up.log"
done
unset CELL_MONITOR
echo "ok"
