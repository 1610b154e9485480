#!/bin/bash
# Boot=yes off a terminal: the read-only console relayed to cell's stdout
# (output-relay.c, output_relay_set_console()) by cell, then by cell-monitor
# after the hand-over. What the payload wrote arrives whole and in order,
# with only the terminal's CR LF made LF, across the hand-over too; an
# output that refuses (full, unread, closed, its reader gone) never keeps
# the container from stopping; a killed supervisor leaves no process.
. "$(dirname "$0")/lib.sh"

command -v perl >/dev/null || { echo "skipped: no perl"; exit 77; }

host_snapshot before
mkdir -p "$work/sync"
mv "$root/sbin/init" "$work/init.orig"         # a link to busybox: not written through

# init_script TEXT: the container's /sbin/init, a shell script.
init_script() {
        printf '#!/bin/sh\n%s\n' "$1" > "$root/sbin/init"
        chmod +x "$root/sbin/init"
}

# crlf_as_lf < IN: what the relay makes of IN written to the console: the
# CRs right before an LF (ONLCR's, and the payload's own) dropped.
crlf_as_lf() { perl -0777 -pe 's/\r+\n/\n/g'; }

u=$(unit consrelay "[Root]" "Directory=$root" "Bind=$work/sync:/data" "[Exec]" "Boot=yes" "TimeoutStopSec=2")
name=$(basename "$u" .cell)

# across_handover WHAT: cell run of $u in the background, its output in
# $work/out; once cell-monitor supervises it, /data/go lets the payload go
# on; sets $status.
across_handover() {
        rm -f "$work/sync/go"
        "$CELL" run --cgroup-manager=cgroupfs "$u" </dev/null >"$work/out" 2>"$work/err" &
        runpid=$!
        wait_handed_over "$runpid" || fail "$1: not handed over: $(cat "$work/err")"
        : > "$work/sync/go"
        wait "$runpid" && status=0 || status=$?
}

# --- A CR last in what cell relayed before the hand-over (a progress
# line's "50%\r") reaches the output: it was held, waiting for the next
# byte, and lost at the exec (cell-monitor's relay starts with nothing held).
init_script 'printf "50%%\r"
while [ ! -e /data/go ]; do sleep 0.1; done
printf "100%%\r\ndone\n"
exit 3'
across_handover "CR at the hand-over"
expect "CR at the hand-over: status ($(cat "$work/err"))" "$status" 3
expect "CR at the hand-over: output" "$(od -An -c "$work/out" | tr -s ' ')" \
        "$(printf '50%%\r100%%\ndone\n' | od -An -c | tr -s ' ')"

# --- Megabytes before, across and after the hand-over: binary, a long line
# without LF, a run of CRs. Everything, in order, only CR LF made LF.
head -c 1000000 /dev/urandom > "$root/data1"
{ head -c 300000 /dev/zero | tr '\0' x; head -c 20000 /dev/zero | tr '\0' '\r'; printf 'end\n'; } > "$root/data2"
init_script 'cat /data1 /data2
n=0
while [ ! -e /data/go ]; do cat /data2; n=$((n + 1)); done
cat /data1 /data2 >/dev/console
echo "turns=$n"
exit 4'
across_handover megabytes
expect "megabytes: status ($(cat "$work/err"))" "$status" 4
n=$(tail -c 20 "$work/out" | sed -n 's/^turns=//p')
[ -n "$n" ] || fail "megabytes: no last line"
{ cat "$root/data1" "$root/data2"; for _ in $(seq "$n"); do cat "$root/data2"; done
  cat "$root/data1" "$root/data2"; echo "turns=$n"; } | crlf_as_lf > "$work/want"
cmp "$work/out" "$work/want" >&2 || fail "megabytes: not what the payload wrote ($n turns)"

# --- Output to a full file system (ENOSPC): dropped, said, the payload not
# held up; its status is cell's.
init_script 'echo start; cat /data1; echo last; exit 5'
status=$(unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" &&
        head -c 65536 /dev/zero > "$1/fill" 2>/dev/null; timeout 60 "$2" run --cgroup-manager=cgroupfs "$3" \
        </dev/null >"$1/out" 2>"$4"; echo $?' sh "$work/sync" "$CELL" "$u" "$work/err")
expect "ENOSPC: status ($(cat "$work/err"))" "$status" 5
grep -q "No space left on device: dropped" "$work/err" || fail "ENOSPC: not said: $(cat "$work/err")"

# --- Its reader gone (EPIPE): the rest dropped, the status the payload's.
init_script 'echo start; cat /data1; while [ ! -e /data/go ]; do echo more; sleep 0.1; done; exit 6'
rm -f "$work/sync/go"
mkfifo "$work/fifo"
head -c 3 <"$work/fifo" >"$work/out" &
"$CELL" run --cgroup-manager=cgroupfs "$u" </dev/null >"$work/fifo" 2>"$work/err" &
runpid=$!
wait_handed_over "$runpid" || fail "EPIPE: not handed over: $(cat "$work/err")"
: > "$work/sync/go"
wait "$runpid" && status=0 || status=$?
expect "EPIPE: status ($(cat "$work/err"))" "$status" 6
expect "EPIPE: what the reader took" "$(cat "$work/out")" "sta"
grep -q "Broken pipe" "$work/err" || fail "EPIPE: not said: $(cat "$work/err")"

# --- stdout closed: run to the payload's end, its status.
init_script 'echo start; cat /data1; exit 7'
timeout 60 "$CELL" run --cgroup-manager=cgroupfs "$u" </dev/null >&- 2>"$work/err" && status=0 || status=$?
expect "stdout closed: status ($(cat "$work/err"))" "$status" 7

# --- A pipe nobody reads: the payload blocks on its console, as on a
# stopped terminal, but cell stop still stops it (SIGKILL after
# TimeoutStopSec=2: its writes never return to take the SIGRTMIN+3).
init_script 'trap "exit 0" 37; while :; do cat /data2; done'
timeout 60 "$CELL" run --cgroup-manager=cgroupfs "$u" </dev/null >"$work/fifo" 2>"$work/err" &
runpid=$!
exec 7<"$work/fifo"                             # open, never read
wait_execable "$name" "$runpid" || fail "unread: did not start: $(cat "$work/err")"
"$CELL" stop "$name" 2>>"$work/err" || fail "unread: cell stop failed: $(cat "$work/err")"
wait "$runpid" && status=0 || status=$?
exec 7<&-
expect "unread: status ($(cat "$work/err"))" "$status" 137

# --- cell stop after the hand-over: what the payload writes as it stops
# (its last line without LF too) reaches the output; status 0, its own.
init_script 'trap "echo stopping; printf last; exit 0" 37; echo started; while :; do sleep 0.1; done'
"$CELL" run --cgroup-manager=cgroupfs "$u" </dev/null >"$work/out" 2>"$work/err" &
runpid=$!
wait_handed_over "$runpid" || fail "stop: not handed over: $(cat "$work/err")"
"$CELL" stop "$name" 2>>"$work/err" || fail "stop: cell stop failed: $(cat "$work/err")"
wait "$runpid" && status=0 || status=$?
expect "stop: status ($(cat "$work/err"))" "$status" 0
expect "stop: the last lines" "$(cat "$work/out")" "$(printf 'started\nstopping\nlast')"

# --- A process of cell exec holding the console, the payload gone: the
# end does not wait for it (the PID namespace ends with its init).
init_script 'echo started; while [ ! -e /data/go ]; do sleep 0.1; done; echo bye; exit 8'
rm -f "$work/sync/go"
"$CELL" run --cgroup-manager=cgroupfs "$u" </dev/null >"$work/out" 2>"$work/err" &
runpid=$!
wait_handed_over "$runpid" || fail "escaped: not handed over: $(cat "$work/err")"
"$CELL" exec "$name" sh -c 'sleep 30 >/dev/console 2>&1 </dev/null &' </dev/null || fail "escaped: cell exec failed"
: > "$work/sync/go"
timeout 20 tail --pid="$runpid" -f /dev/null || fail "escaped: cell-monitor still runs"
wait "$runpid" && status=0 || status=$?
expect "escaped: status ($(cat "$work/err"))" "$status" 8
expect "escaped: output" "$(cat "$work/out")" "$(printf 'started\nbye')"

# --- cell-monitor killed (SIGKILL) while it relays: the container goes
# with it (no process left); cell stop removes what it left.
init_script 'while :; do cat /data2; done'
"$CELL" run --cgroup-manager=cgroupfs "$u" </dev/null >/dev/null 2>"$work/err" &
runpid=$!
wait_handed_over "$runpid" || fail "killed: not handed over: $(cat "$work/err")"
kill -KILL "$runpid"
{ wait "$runpid"; } 2>/dev/null || true     # no "Killed" from bash
for _ in $(seq 100); do pgrep -f -- "$marker" >/dev/null || break; sleep 0.05; done
"$CELL" stop "$name" >/dev/null 2>&1 || true
mv "$work/init.orig" "$root/sbin/init"
expect_nothing_left
echo "ok"
