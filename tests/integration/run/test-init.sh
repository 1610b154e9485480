#!/bin/bash
# Init=yes: cell's reaper is PID 1, the payload PID 2; orphans are reaped;
# the reaper (cell's own binary) cannot be reached through /proc/1/exe.
. "$(dirname "$0")/lib.sh"

u=$(unit init "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "Init=yes")

run_cell none "$u"
[ "$status" -eq 0 ] || { cat "$work/err" >&2; fail "cell run exited $status"; }
expect pid "$(field pid)" 2
expect ppid "$(field ppid)" 1
expect NoNewPrivs "$(field NoNewPrivs)" 1

run_cell none "$u" -- /bin/probe orphans 10
expect "orphans status" "$status" 0
expect "orphans" "$(cat "$work/out")" '{"pid": 2, "zombies": 0}'

# CVE-2019-5736: PID 1 runs cell's binary; it must be neither writable nor
# readable (nor its link readable) from the payload, even as root.
run_cell none "$u" -- /bin/probe exe
expect "exe status" "$status" 0
expect "/proc/1/exe" "$(cat "$work/out")" \
        '{"/proc/1/exe": {"write": 13, "read": 13, "link": null}, "/proc/1/exe": {"write": 13, "read": 13, "link": null}}'

# Its command line was cell's, which every process of the container reads:
# the host's paths of cell's binary and of the unit. It is "(cell-init)";
# its comm stays "cell" (cell kill tells the reaper by it).
run_cell none "$u" -- /bin/sh -c 'tr "\0" "\n" < /proc/1/cmdline | grep .; cat /proc/1/comm'
expect "reaper's name status" "$status" 0
expect "reaper's command line and comm" "$(cat "$work/out")" "$(printf '(cell-init)\ncell')"

# The reaper runs under a filter of its own (read, kill, wait, exit): a
# payload that may ptrace it could otherwise call through it what the
# payload's filter denies.
run_cell none "$u" -- /bin/sh -c 'grep ^Seccomp: /proc/1/status'
expect "reaper filter status" "$status" 0
expect "reaper filter" "$(cat "$work/out")" "$(printf 'Seccomp:\t2')"

# The payload cannot kill the reaper (the kernel drops a SIGKILL sent to
# PID 1 from inside its namespace; other signals are forwarded back).
run_cell none "$u" -- /bin/sh -c 'kill -KILL 1; sleep 0.2; echo alive'
expect "kill 1" "$status" 0
expect "kill 1 output" "$(cat "$work/out")" alive
# cell kill --all: every process of the cell's cgroup once, the payload
# too. The reaper, PID 1, gets it last and as "cell kill --all"'s, and does
# not pass it on: the payload had two (its own, and the reaper's).
# Without Init=, the payload is PID 1 and gets it once as well.
for init in yes no; do
        u=$(unit "killall$init" "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe trap $marker" "Init=$init")
        name=$(unit_name "killall$init")
        : > "$work/out"
        env --default-signal=INT,QUIT "$CELL" run --cgroup-manager=cgroupfs "$u" >"$work/out" 2>"$work/err" &
        pid=$!
        # 30 s: the kill below went out after 5 s whether the probe had its
        # handlers ("trapping") or not, and ended it.
        for _ in $(seq 600); do
                grep -q trapping "$work/out" && "$CELL" status "$name" >/dev/null 2>&1 && break
                sleep 0.05
        done
        grep -q trapping "$work/out" || fail "Init=$init: the probe did not start: $(cat "$work/err")"
        # RTMIN+4 (38): real-time signals queue, so a second is not merged
        # into the first (two USR1 or HUP pending at once are one).
        "$CELL" kill --all "$name" RTMIN+4 || fail "Init=$init: cell kill --all failed"
        # Then the PID 1 alone (to the payload through the reaper): once too.
        "$CELL" kill "$name" WINCH
        # Both taken before the SIGHUP: one still pending with it would never be
        # (the lower number, SIGHUP, goes first, and the probe exits on it).
        for _ in $(seq 200); do
                grep -qx "signal 28" "$work/out" && grep -qx "signal 38" "$work/out" && break
                sleep 0.05
        done
        sleep 0.2       # time for a second SIGRTMIN+4, were one sent
        kill -HUP "$pid"
        status=0
        wait "$pid" || status=$?
        expect "Init=$init: kill --all, status" "$status" $((64 + 1))
        expect "Init=$init: kill --all, each signal once" "$(grep -c 'signal' "$work/out")" 3
        expect "Init=$init: SIGRTMIN+4 once" "$(grep -cx 'signal 38' "$work/out")" 1
done

# A stopped container (cell kill NAME STOP: the reaper with Init=yes, the
# payload without) gets SIGCONT after KillSignal=, as systemd sends it: the
# stop is graceful and at once, not TimeoutStopSec='s SIGKILL (exit 137).
for init in yes no; do
        u=$(unit "stopped$init" "[Root]" "Directory=$root" "[Exec]" \
                "Exec=/bin/sh -c 'trap \"exit 0\" TERM; echo up; while :; do sleep 0.1; done'" \
                "Init=$init" "TimeoutStopSec=30s")
        name=$(unit_name "stopped$init")
        : > "$work/out"
        "$CELL" run --cgroup-manager=none "$u" >"$work/out" 2>"$work/err" &
        pid=$!
        for _ in $(seq 600); do
                grep -q up "$work/out" && "$CELL" status "$name" >/dev/null 2>&1 && break
                sleep 0.05
        done
        # "up" comes after the trap: a SIGTERM before it is ignored by PID 1 (Init=no).
        grep -q up "$work/out" || fail "Init=$init, stopped: the payload did not start: $(cat "$work/err")"
        if [ "$init" = yes ]; then
                # cell's reaper cannot pass SIGSTOP on: cell kill refuses it (exit 2);
                # stopped by hand then, a stop must still continue it and end.
                rc=0
                "$CELL" kill "$name" STOP 2>"$work/kill-err" || rc=$?
                expect "Init=yes: cell kill STOP is refused, exit" "$rc" 2
                grep -q "reaper" "$work/kill-err" || fail "Init=yes: the refusal does not say why: $(cat "$work/kill-err")"
                leader=$(pgrep -P "$pid" | head -n1)
                [ -n "$leader" ] && kill -STOP "$leader" || fail "Init=yes: no PID 1 to stop"
        else
                "$CELL" kill "$name" STOP || fail "Init=$init: cell kill STOP failed"
        fi
        sleep 0.2
        start=$(date +%s)
        kill -TERM "$pid"
        status=0
        wait "$pid" || status=$?
        expect "Init=$init: stopped, status" "$status" 0
        [ $(( $(date +%s) - start )) -lt 10 ] || fail "Init=$init: the stop waited for TimeoutStopSec="
done
echo ok
