#!/bin/bash
# Boot=yes: the root's /sbin/init runs as PID 1 with container=cell in its
# environment, "cell run -- ARGS" are appended to its command line, and
# SIGTERM reaching cell arrives as SIGRTMIN+3 (systemd's "halt").
. "$(dirname "$0")/lib.sh"

# The probe stands in for init: it reports like any payload.
mkdir -p "$root/sbin"
ln -sf ../bin/probe "$root/sbin/init"

u=$(unit boot "[Root]" "Directory=$root" "[Exec]" "Boot=yes")
"$CELL" plan --json "$u" > "$work/plan" || fail "cell plan --json failed"
expect "plan: kill_signal" "$(plan_value kill_signal)" "SIGRTMIN+3"

run_cell none "$u"
expect "exit status" "$status" 0
expect "pid" "$(field pid)" 1
# No cgroup: an init is told that a systemd one cannot boot so.
matches "Boot=yes's init finds no cgroup hierarchy" < "$work/err" ||
        fail "no word that Boot=yes has no cgroup hierarchy: $(cat "$work/err")"
[[ $(field environment) == *'"container=cell"'* ]] || fail "no container=cell in $(field environment)"
compare_with_plan "$u"

# ARGS follow init's own argv[0]; SIGTERM is sent on as SIGRTMIN+3.
: > "$work/out"
"$CELL" run --cgroup-manager=none "$u" -- trap "$marker" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do
        [ -s "$work/out" ] && break
        sleep 0.05
done
[ -s "$work/out" ] || fail "init did not start: $(cat "$work/err")"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
expect "trapped" "$(tr '\n' ' ' < "$work/out")" "trapping signal $((34 + 3)) "
expect "RTMIN+3 status" "$status" $((64 + 34 + 3))

# reboot() in the container's PID namespace ends its init, as systemd-nspawn
# reads it: a restart is exit status 133 (cell@.service starts it again), a
# power-off or halt a clean end; every other command (Ctrl-Alt-Del's, which
# is host-wide) the kernel refuses there.
run_cell none "$u" -- reboot restart
expect "reboot: exit status" "$status" 133
matches "The container rebooted" < "$work/err" || fail "reboot: no word of it: $(cat "$work/err")"
run_cell none "$u" -- reboot poweroff
expect "poweroff: exit status" "$status" 0
run_cell none "$u" -- reboot halt
expect "halt: exit status" "$status" 0
run_cell none "$u" -- reboot cad-on
expect "Ctrl-Alt-Del on: refused" "$(field reboot)" 22
expect "Ctrl-Alt-Del on: exit status" "$status" 3

# ... also once cell-monitor supervises it (cell hands over after 1 s).
"$CELL" run --cgroup-manager=none "$u" -- reboot restart 3 >"$work/out" 2>"$work/err" &
pid=$!
# Polled, not a fixed 2 s: the hand-over comes 1 s in on an idle host, later
# on a busy one; the payload restarts 3 s in, and its end does not change
# the name (a zombie keeps it until it is waited for).
wait_handed_over "$pid" ||
        fail "reboot, later: '$(cat "/proc/$pid/comm" 2>/dev/null)' supervises, not cell-monitor"
status=0
wait "$pid" || status=$?
expect "reboot, later: exit status" "$status" 133

# Without Boot=yes the payload's reboot() stays denied (cell's default list).
u2=$(unit noboot "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe reboot restart")
run_cell none "$u2"
expect "no Boot=yes: reboot() denied" "$(field reboot)" 1
expect "no Boot=yes: exit status" "$status" 3
echo "ok"
