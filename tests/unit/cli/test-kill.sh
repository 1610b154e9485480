#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# cell kill as admins type it (cell(1), kill): the signal as an argument or
# as machinectl's and systemctl's -s/--signal=, whom to signal as --all or
# --kill-whom=; a signal given twice or an unknown --kill-whom= is a usage
# error (exit 2). Rootless: the cell's "PID 1" is a bash of the test's own
# (lib.sh, fake_running) that writes down each signal it gets.
#
#   test-kill.sh CELL
set -u

cell=$1
. "$(dirname "$0")/lib.sh"

# The leader: notes USR1 and USR2 in $tmp/got; sleeps in short steps so that
# its traps run soon after a signal.
bash -c 'trap "echo USR1 >> \"$0\"" USR1; trap "echo USR2 >> \"$0\"" USR2
         echo ready >> "$0"; while :; do sleep 0.05; done' "$tmp/got" </dev/null >/dev/null 2>&1 &
sleeper=$!
# Its traps are set once it says ready: a signal before that would end it.
# (Up to 30 s: a loaded CI host may start bash slowly.)
for _ in $(seq 600); do [ -s "$tmp/got" ] && break; sleep 0.05; done
[ -s "$tmp/got" ] || { echo "FAIL: the leader never said ready" >&2; exit 1; }
fake_running web "$tmp/web.cell"

# expect_signal SIG DESCRIPTION -- COMMAND...: COMMAND exits 0 and the leader
# gets SIG (and nothing else since the last call). Its trap runs once its
# "sleep 0.05" ends and it is scheduled: waited for up to 30 s (a loaded CI
# host), then 0.1 s more for a second signal that should not come.
expect_signal() {
        local sig=$1 what=$2
        shift 2
        : > "$tmp/got"
        expect 0 "$what" "$@"
        for _ in $(seq 600); do [ -s "$tmp/got" ] && break; sleep 0.05; done
        sleep 0.1
        [ "$(cat "$tmp/got")" = "$sig" ] || fail "$what: the leader got \"$(cat "$tmp/got")\", expected $sig"
}

expect_signal USR1 "kill web USR1" -- "$cell" kill web USR1
expect_signal USR1 "kill -s USR1 web" -- "$cell" kill -s USR1 web
expect_signal USR2 "kill --signal=SIGUSR2 web" -- "$cell" kill --signal=SIGUSR2 web
expect_signal USR1 "kill web -s 10" -- "$cell" kill web -s "$(kill -l USR1)"
expect_signal USR2 "kill --kill-whom=leader -s USR2 web" -- "$cell" kill --kill-whom=leader -s USR2 web
expect_signal USR1 "kill --kill-whom=main --signal=USR1 web" -- "$cell" kill --kill-whom=main --signal=USR1 web
# No cgroup of its own (manager none): "all" reaches the leader alone.
expect_signal USR2 "kill --kill-whom=all -s USR2 web" -- "$cell" kill --kill-whom=all -s USR2 web

# Usage errors: nothing is sent.
: > "$tmp/got"
expect 2 "kill -s USR1 web USR2" -- "$cell" kill -s USR1 web USR2
grep -q "signal is given twice" "$tmp/err" || fail "kill -s USR1 web USR2: not said why"
expect 2 "kill --signal=USR1 web USR1" -- "$cell" kill --signal=USR1 web USR1
expect 2 "kill --kill-whom=everyone" -- "$cell" kill --kill-whom=everyone -s USR1 web
grep -q -- "--kill-whom=everyone" "$tmp/err" || fail "kill --kill-whom=everyone: the value is not named"
expect 2 "kill --kill-whom=control" -- "$cell" kill --kill-whom=control -s USR1 web
expect 2 "kill --kill-whom=leader --all" -- "$cell" kill --kill-whom=leader --all -s USR1 web
expect 2 "kill -s NOSUCHSIG" -- "$cell" kill -s NOSUCHSIG web
expect 2 "kill -s without a signal" -- "$cell" kill web -s
sleep 0.2
[ -s "$tmp/got" ] && fail "a refused kill sent a signal: $(cat "$tmp/got")"

# --signal=help and -s help list the names, one a line, and exit 0 whatever
# else is given, as "systemctl kill --signal=help" does; each name listed is
# one kill takes (a cell that is not running: 3, not 2 for a bad signal).
: > "$tmp/got"
expect 0 "kill --signal=help" -- "$cell" kill --signal=help
cp "$tmp/out" "$tmp/signals"
for want in HUP TERM USR1 IO SYS RTMIN+0 RTMIN+3; do
        grep -qx -- "$want" "$tmp/signals" || fail "kill --signal=help: no $want in: $(tr '\n' ' ' < "$tmp/signals")"
done
grep -qvE '^[A-Z0-9]+(\+[0-9]+)?$' "$tmp/signals" &&
        fail "kill --signal=help: not a bare name a line: $(grep -vE '^[A-Z0-9]+(\+[0-9]+)?$' "$tmp/signals")"
grep -qx -e POLL -e 0 -e 32 -e 33 "$tmp/signals" && fail "kill --signal=help: lists a signal kill refuses"
expect 0 "kill -s help web" -- "$cell" kill -s help web
cmp -s "$tmp/out" "$tmp/signals" || fail "kill -s help web: not the same list as --signal=help"
expect 0 "kill -s help without a name" -- "$cell" kill -s help
while read -r sig; do
        expect 3 "kill -s $sig of a cell that is not running" -- "$cell" kill -s "$sig" notrunning
done < "$tmp/signals"
sleep 0.1
[ -s "$tmp/got" ] && fail "kill -s help sent a signal: $(cat "$tmp/got")"

# --signal=list (-s list): systemctl's and machinectl's table (252) of
# every signal number and its name, under a heading, exit 0 whatever else
# is given; each name is one kill takes. It was refused: "Unknown signal".
: > "$tmp/got"
expect 0 "kill --signal=list" -- "$cell" kill --signal=list
cp "$tmp/out" "$tmp/list"
[ "$(head -n 1 "$tmp/list")" = "SIGNAL NAME" ] || fail "kill --signal=list: heading: $(head -n 1 "$tmp/list")"
[ "$(wc -l < "$tmp/list")" = $(($(kill -l RTMAX) + 1)) ] || fail "kill --signal=list: $(wc -l < "$tmp/list") lines"
for want in "1      SIGHUP" "15     SIGTERM" "29     SIGIO" "$(kill -l RTMIN)     SIGRTMIN+0" \
            "$(kill -l RTMAX)     SIGRTMIN+$(($(kill -l RTMAX) - $(kill -l RTMIN)))"; do
        grep -qxF -- "$want" "$tmp/list" || fail "kill --signal=list: no line \"$want\""
done
tail -n +2 "$tmp/list" | while read -r num sig; do
        [ "$sig" = - ] && continue
        "$cell" kill -s "$sig" notrunning 2>/dev/null
        [ $? = 3 ] || echo "FAIL: kill --signal=list: $sig ($num) is not taken" >&2
        [ "$num" = "$(kill -l "$sig")" ] || echo "FAIL: kill --signal=list: $sig is $(kill -l "$sig"), not $num" >&2
done 2>&1 | grep FAIL >&2 && failed=1
expect 0 "kill -s list web" -- "$cell" kill -s list web
cmp -s "$tmp/out" "$tmp/list" || fail "kill -s list web: not the same table as --signal=list"
sleep 0.1
[ -s "$tmp/got" ] && fail "kill -s list sent a signal: $(cat "$tmp/got")"

# Its PID 1 ends between the lookup and the signal (the kernel's ESRCH,
# injected): not running (3), as a cell that was not running; it was 2.
if command -v strace >/dev/null && strace -o /dev/null -e inject=getpid:retval=1 true 2>/dev/null; then
        : > "$tmp/got"
        # (LeakSanitizer cannot run under ptrace: off for this one, in the ASan build.)
        expect 3 "kill web USR1 whose PID 1 ended meanwhile" -- \
                env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -o /dev/null -e trace=pidfd_send_signal -e inject=pidfd_send_signal:error=ESRCH "$cell" kill web USR1
        grep -q "cell web is not running" "$tmp/err" || fail "kill of a PID 1 that ended meanwhile: $(cat "$tmp/err")"
else
        echo "skipped in part: kill of a PID 1 that ended meanwhile (no strace that injects errors here)"
fi

# A cell that is not running: 3, in the new forms too.
expect 3 "kill -s USR1 of a cell that is not running" -- "$cell" kill -s USR1 notrunning
expect 3 "kill --kill-whom=all of a cell that is not running" -- "$cell" kill --kill-whom=all notrunning

# A cgroupfs run that cleans up after its payload (its lock held, its state
# there, its PID 1 gone): kill is refused, not run (3), and nothing reaches
# its cell run, whose clean-up a signal would cut short; stop waits for that
# clean-up to end, without a signal either, and exits 0. Both took it for a
# start: kill sent SIGTERM to the cell run and exited 0, stop too.
kill "$sleeper"
sleeper=
fake_lock_holder ending
fake_ended ending
for sig in USR1 TERM; do
        expect 3 "kill -s $sig of a run that cleans up" -- "$cell" kill -s "$sig" ending
        grep -q "its payload has exited" "$tmp/err" || fail "kill -s $sig of a run that cleans up: $(cat "$tmp/err")"
done
"$cell" stop ending >"$tmp/out" 2>&1 &
stopper=$!
sleep 0.3
kill -0 "$stopper" 2>/dev/null || fail "stop of a run that cleans up did not wait for it"
touch "$tmp/holder.go"
wait "$stopper"
[ $? = 0 ] || fail "stop of a run that cleans up: not exit 0: $(cat "$tmp/out")"
wait "$holder"
holder=
[ "$(grep -v ready "$tmp/holder.got")" = "" ] || fail "a run that cleans up got a signal: $(cat "$tmp/holder.got")"

# A cell whose "cell run" was killed (manager none; its PID 1 cleared its
# PDEATHSIG and runs on): stop kills its PID 1 and removes its runtime state,
# which nobody else would now. It was left until the next stop or start.
sleep 600 </dev/null >/dev/null 2>&1 &
orphan=$!
sh -c 'exit 0' & dead=$!
wait "$dead"
mkdir -p "$CELL_RUNTIME_DIR/orphan"
printf 'NAME=orphan\nUNIT=/x.cell\nSERVICE=\nMANAGER=none\nSUPERVISOR=%s\nSUPERVISOR_START=1\nLEADER=%s\nLEADER_START=%s\nSINCE=1\n' \
        "$dead" "$orphan" "$(start_time "$orphan")" > "$CELL_RUNTIME_DIR/orphan/state"
expect 0 "stop of a cell whose cell run was killed" -- "$cell" stop orphan
wait "$orphan" 2>/dev/null
[ $? = 137 ] || fail "stop of a cell whose cell run was killed: its PID 1 was not killed"
[ -e "$CELL_RUNTIME_DIR/orphan" ] && fail "stop of a cell whose cell run was killed: its runtime state is left"

# SIGSTOP to a PID 1 that is cell's reaper (Init=yes; here a "cell" of the
# test's own, which waits for a run that cleans up) is refused (2), with what
# to do instead: the reaper alone stopped, the payload ran on. To a PID 1
# that is the payload itself, it is sent.
fake_lock_holder hold
fake_ended hold
"$cell" stop hold >/dev/null 2>&1 &
reaper=$!
# A reaper is told by its comm "cell": until the fork has exec'd cell (a
# loaded host may take longer than any fixed sleep), it is a bash that the
# STOP below would reach. Waited for, up to 30 s.
for _ in $(seq 600); do [ "$(cat "/proc/$reaper/comm" 2>/dev/null)" = cell ] && break; sleep 0.05; done
[ "$(cat "/proc/$reaper/comm" 2>/dev/null)" = cell ] || fail "cell stop hold: not running as cell after 30 s"
mkdir -p "$CELL_RUNTIME_DIR/initcell"
printf 'NAME=initcell\nUNIT=/x.cell\nSERVICE=\nMANAGER=cgroupfs\nSUPERVISOR=%s\nSUPERVISOR_START=%s\nLEADER=%s\nLEADER_START=%s\nSINCE=1\n' \
        "$$" "$(start_time $$)" "$reaper" "$(start_time "$reaper")" > "$CELL_RUNTIME_DIR/initcell/state"
for args in "initcell STOP" "-s SIGSTOP initcell" "--kill-whom=leader -s 19 initcell"; do
        # shellcheck disable=SC2086
        expect 2 "kill $args of an Init=yes cell" -- "$cell" kill $args
        grep -q "Init=yes.*refused.*--all initcell STOP" "$tmp/err" || fail "kill $args of an Init=yes cell: $(cat "$tmp/err")"
done
sleep 0.1
grep -q '^State:.*stopped' "/proc/$reaper/status" && fail "kill STOP of an Init=yes cell stopped its reaper"
kill -CONT "$reaper"
rm -r "${CELL_RUNTIME_DIR:?}/initcell"
touch "$tmp/holder.go"
wait "$reaper"
wait "$holder"
holder=
fake_running web "$tmp/web.cell"
expect 0 "kill web STOP (no reaper)" -- "$cell" kill web STOP
# The stop takes effect when the target next runs: waited for, up to 30 s.
for _ in $(seq 600); do grep -q '^State:.*stopped' "/proc/$sleeper/status" && break; sleep 0.05; done
grep -q '^State:.*stopped' "/proc/$sleeper/status" || fail "kill web STOP: its PID 1 was not stopped"
kill -CONT "$sleeper"

exit $failed
