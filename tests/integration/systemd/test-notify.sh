#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The notify relay against a busy systemd. A payload that sends STATUS= in
# a tight loop fills systemd's notify socket (10 datagrams here); cell (and
# cell-monitor) must never wait for it: while systemd is frozen (SIGSTOP, as
# a daemon-reload or a storm of other services would hold it up), signals
# still reach the payload through cell and a stop is still carried out, and
# once systemd reads again the payload's READY=1 and its last STATUS= arrive,
# READY=1 once. And the payload's own EXTEND_TIMEOUT_USEC= while it stops
# goes up with cell's 10 s for its reap and release: systemd's stop timeout
# does not end cell at the moment the payload's extension runs out.
. "$(dirname "$0")/lib.sh"

setup_cell

sealed_pid=$(cat "$WORK/.sealed/pid")
frozen=
freeze() { kill -STOP "$sealed_pid" && frozen=1; }
thaw() { [ -z "$frozen" ] || kill -CONT "$sealed_pid"; frozen=; }
# Never leave it frozen: the harness's stop needs it.
trap 'rc=$?; thaw; (exit $rc); cleanup' EXIT

# A host PID that is cell or cell-monitor: the one process of the service.
cell_pid_of() { cat "$(host_cgroup2_of "$1")/cgroup.procs"; }
host_comm() { cat "/proc/$1/comm" 2>/dev/null; }
# Gone, or a zombie its frozen parent (systemd) has not reaped yet.
exited() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

# flood-payload TAG: floods until /out/TAG-done, then READY=1 and a last
# STATUS=, and floods again from /out/TAG-again on; USR1 and TERM are said
# in /out.
write_payload flood-payload <<'EOF'
trap 'echo USR1 >> /out/$1-usr1' USR1
trap 'echo TERM > /out/$1-term; kill $flooder 2>/dev/null; exit 0' TERM
notify-probe --flood 0 &
flooder=$!
while [ ! -e /out/$1-done ]; do sleep 0.1; done
kill $flooder
notify-probe READY=1 "STATUS=done flooding"
while [ ! -e /out/$1-again ]; do sleep 0.1; done
notify-probe --flood 0 &
flooder=$!
while :; do sleep 0.1; done
EOF

for supervisor in cell cell-monitor; do
        tag=flood-$supervisor
        name=flood${supervisor//-/}
        install_cell "$name" <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/flood-payload $tag
NotifyReady=yes
EOF
        [ "$supervisor" = cell ] && install_dropin "cell@$name.service" nomonitor <<'EOF'
[Service]
Environment=CELL_MONITOR=0
EOF
        rm -f "$ROOT/out/$tag-"*
        in_sealed systemctl start --no-block "cell@$name.service"
        check "$supervisor: the flood reaches systemd" wait_for 10 sh -c \
                "'$SEALED' run systemctl show -P StatusText cell@$name.service | grep -q '^$name: flood [0-9]'"
        pid=$(cell_pid_of "cell@$name.service")
        if [ "$supervisor" = cell-monitor ]; then
                check "cell-monitor: took over" wait_for 10 host_is_monitor "$pid"
        else
                expect_eq "cell: stays cell (CELL_MONITOR=0)" cell "$(host_comm "$pid")"
        fi
        expect_eq "$supervisor: still activating (no READY=1 yet)" activating "$(prop "cell@$name.service" ActiveState)"

        # systemd stops reading while the flood goes on: its socket is full
        # at once. The supervisor still forwards signals...
        freeze
        sleep 0.5
        kill -USR1 "$pid"
        check "$supervisor: a signal reaches the payload while systemd does not read" \
                wait_for 10 test -s "$ROOT/out/$tag-usr1"
        # ... and the payload's READY=1 and last STATUS= wait for systemd.
        touch "$ROOT/out/$tag-done"
        sleep 0.5
        thaw
        check "$supervisor: active once systemd reads again (READY=1 came through)" \
                wait_for 10 state_is "cell@$name.service" active
        expect_eq "$supervisor: the payload's last STATUS= stands" "$name: done flooding" \
                "$(prop "cell@$name.service" StatusText)"

        # Flooding again, active: SIGTERM to cell (as systemctl kill would
        # send it) while systemd is frozen reaches the payload at once.
        touch "$ROOT/out/$tag-again"
        check "$supervisor: flooding again" wait_for 10 sh -c \
                "'$SEALED' run systemctl show -P StatusText cell@$name.service | grep -q '^$name: flood [0-9]'"
        freeze
        sleep 0.5
        kill -TERM "$pid"
        check "$supervisor: SIGTERM reaches the payload while systemd does not read" \
                wait_for 10 test -s "$ROOT/out/$tag-term"
        check "$supervisor: and cell ends" wait_for 10 exited "$pid"
        thaw
        check "$supervisor: the service is inactive after it" wait_for 10 state_is "cell@$name.service" inactive

        # systemctl stop during a flood, systemd reading all along: prompt.
        rm -f "$ROOT/out/$tag-"*
        in_sealed systemctl start --no-block "cell@$name.service"
        check "$supervisor: flooding a third time" wait_for 10 sh -c \
                "'$SEALED' run systemctl show -P StatusText cell@$name.service | grep -q '^$name: flood [0-9]'"
        sleep 1.5       # (cell-monitor's hand-over too)
        t0=$(date +%s%N)
        in_sealed systemctl stop "cell@$name.service"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        expect_eq "$supervisor: systemctl stop reached the payload" TERM "$(cat "$ROOT/out/$tag-term" 2>/dev/null)"
        # Prompt: well short of the service's 20 s stop timeout (10 s, not 5,
        # for a loaded machine).
        if [ "$ms" -lt 10000 ]; then ok "$supervisor: stopped in $ms ms"; else fail "$supervisor: stop took $ms ms"; fi
        expect_eq "$supervisor: inactive, not failed" "inactive success" \
                "$(prop "cell@$name.service" ActiveState) $(prop "cell@$name.service" Result)"
done

# --- EXTEND_TIMEOUT_USEC= of the payload while it stops: 3 s here, and it
# takes 4 s; cell waits (TimeoutStopSec=infinity: no SIGKILL of its own),
# and systemd must too, after the service's own 2 s: the payload's 3 s go up
# as 13 s. As it was, systemd killed cell (and the container) at 3 s.
write_payload slowext-payload <<'EOF'
trap 'notify-probe EXTEND_TIMEOUT_USEC=3000000; sleep 4; echo graceful > /out/$1-stopped; exit 0' TERM
: > /out/$1-ready
while :; do sleep 0.2; done
EOF
for supervisor in cell cell-monitor; do
        name=slowext${supervisor//-/}
        install_cell "$name" <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/slowext-payload $name
TimeoutStopSec=infinity
EOF
        install_dropin "cell@$name.service" zz-short-stop <<EOF
[Service]
TimeoutStopSec=2s
$([ "$supervisor" = cell ] && echo Environment=CELL_MONITOR=0)
EOF
        rm -f "$ROOT/out/$name-"*
        in_sealed systemctl start "cell@$name.service"
        check "$supervisor: the slow payload runs" wait_for 20 test -e "$ROOT/out/$name-ready"
        pid=$(cell_pid_of "cell@$name.service")
        [ "$supervisor" = cell ] || check "cell-monitor: took over" wait_for 10 host_is_monitor "$pid"
        t0=$(date +%s%N)
        in_sealed systemctl stop "cell@$name.service"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        expect_eq "$supervisor: the payload stopped by itself, after its extension" graceful \
                "$(cat "$ROOT/out/$name-stopped" 2>/dev/null)"
        expect_eq "$supervisor: the service ended well, not by its timeout" "inactive success" \
                "$(prop "cell@$name.service" ActiveState) $(prop "cell@$name.service" Result)"
        # Below 12 s, not 9: a loaded machine's slack, short of the 13 s that
        # systemd's extended timeout would have given a cell that hung.
        if [ "$ms" -ge 3500 ] && [ "$ms" -lt 12000 ]; then ok "$supervisor: done in $ms ms"; else fail "$supervisor: took $ms ms"; fi
        in_sealed systemctl reset-failed "cell@$name.service" 2>/dev/null || true
done

finish
