#!/bin/bash
# cell exec into a running cell of PrivateUsers=pick, its unit changed while
# it runs (cell exec reads the unit as it is now):
# - OOMScoreAdjust=: a raise, which the command writes itself; a lowering,
#   which needs CAP_SYS_RESOURCE of the host's user namespace: cell exec
#   makes it on its own score before it joins the cell's (the command
#   inherits it) and takes its own back after the fork. The command itself,
#   in the cell's user namespace, was refused a lowering below the lowest
#   value it had ("OOMScoreAdjust=N: Permission denied"), where cell run
#   (whose supervisor writes from outside) started;
# - a name not found names the $PATH it was looked up in (exit 127);
# - WorkingDirectory=~ that cannot be entered names the home it stood for.
. "$(dirname "$0")/lib.sh"
chmod 755 "$work"

name=$(unit_name waiting)
# write_unit LINES...: the unit "waiting", of PrivateUsers=pick, with these
# lines after its [Isolation] section (from line 8 on).
write_unit() {
        unit waiting "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe sleep 60 $marker" "Init=yes" \
                "[Isolation]" "PrivateUsers=pick" "$@"
}
u=$(write_unit)
start_cell cgroupfs "$u"

# exec_cell ARGS...: cell exec NAME ARGS..., stdout to $work/out, stderr
# to $work/err; sets $status.
exec_cell() {
        status=0
        timeout 20 "$CELL" exec "$name" "$@" >"$work/out" 2>"$work/err" || status=$?
}

own=$(cat /proc/self/oom_score_adj)
up=$(( own + 100 > 1000 ? 1000 : own + 100 ))
write_unit "[Limits]" "OOMScoreAdjust=$up" >/dev/null
exec_cell cat /proc/self/oom_score_adj
expect "raised: status ($(cat "$work/err"))" "$status" 0
expect "raised: oom_score_adj" "$(cat "$work/out")" "$up"

# Below the lowest value cell exec had: as cell run, with CAP_SYS_RESOURCE
# set, without it refused, saying so.
if [ "$own" -gt -1000 ]; then
        down=$(( own - 1 ))
        write_unit "[Limits]" "OOMScoreAdjust=$down" >/dev/null
        exec_cell cat /proc/self/oom_score_adj
        expect_oom_lowered "$name" "$u:9" "$down"
fi

# Below cell exec's own, not below the lowest it had (no privilege needed):
# the command gets it, and cell exec has its own back while the command runs.
if [ "$own" -le 800 ]; then
        high=$(( own + 200 )) mid=$(( own + 100 ))
        write_unit "[Limits]" "OOMScoreAdjust=$mid" >/dev/null
        ( echo "$high" > /proc/self/oom_score_adj
          exec timeout 20 "$CELL" exec "$name" /bin/sh -c 'cat /proc/self/oom_score_adj; sleep 2' ) \
                >"$work/out" 2>"$work/err" &
        execpid=$!
        for _ in $(seq 100); do [ -s "$work/out" ] && break; sleep 0.05; done
        # timeout's child: cell exec.
        execs=$(pgrep -P "$execpid" || true)
        expect "lowered by cell exec: cell exec's own back" "$(cat "/proc/$execs/oom_score_adj" 2>&1)" "$high"
        wait "$execpid" || fail "lowered by cell exec: status $? ($(cat "$work/err"))"
        expect "lowered by cell exec: oom_score_adj" "$(cat "$work/out")" "$mid"
fi

# A name not in the $PATH the unit gives: 127, and which $PATH.
write_unit "[Exec]" "Environment=PATH=/nonexist" >/dev/null
exec_cell sh -c true
expect "PATH: status" "$status" 127
expect "PATH: message" "$(cat "$work/err")" \
        "cell: $name: sh: not found in the container's \$PATH (/nonexist): No such file or directory"

# WorkingDirectory=~ of a user whose home is not there (nobody's
# /nonexistent, make-root's /etc/passwd): the home, and whose; "-~" starts
# in "/", as systemd's.
write_unit "[Exec]" "User=nobody" "WorkingDirectory=~" >/dev/null
exec_cell pwd
expect "home: status" "$status" 2
expect "home: message" "$(cat "$work/err")" \
        "cell: $name: $u:10: WorkingDirectory=~ (the home of nobody, /nonexistent): No such file or directory"
write_unit "[Exec]" "User=nobody" "WorkingDirectory=-~" >/dev/null
exec_cell pwd
expect "-~: status ($(cat "$work/err"))" "$status" 0
expect "-~: cwd" "$(cat "$work/out")" /

stop_cell
echo "ok: cell exec's OOMScoreAdjust= under PrivateUsers=, its not-found and WorkingDirectory=~ messages"
