#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The notify relay and the stop: the payload's own EXTEND_TIMEOUT_USEC=
# while it stops goes up with cell's 10 s for its reap and release, so that
# systemd's stop timeout does not end cell at the moment the payload's
# extension runs out.
. "$(dirname "$0")/lib.sh"

setup_cell

# A host PID that is cell or cell-monitor: the one process of the service.
cell_pid_of() { cat "$(host_cgroup2_of "$1")/cgroup.procs"; }

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
        check "$supervisor: the slow payload runs" wait_for 5 test -e "$ROOT/out/$name-ready"
        pid=$(cell_pid_of "cell@$name.service")
        [ "$supervisor" = cell ] || check "cell-monitor: took over" \
                wait_for 3 sh -c "[ \"\$(cat /proc/$pid/comm)\" = cell-monitor ]"
        t0=$(date +%s%N)
        in_sealed systemctl stop "cell@$name.service"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        expect_eq "$supervisor: the payload stopped by itself, after its extension" graceful \
                "$(cat "$ROOT/out/$name-stopped" 2>/dev/null)"
        expect_eq "$supervisor: the service ended well, not by its timeout" "inactive success" \
                "$(prop "cell@$name.service" ActiveState) $(prop "cell@$name.service" Result)"
        if [ "$ms" -ge 3500 ] && [ "$ms" -lt 9000 ]; then ok "$supervisor: done in $ms ms"; else fail "$supervisor: took $ms ms"; fi
        in_sealed systemctl reset-failed "cell@$name.service" 2>/dev/null || true
done

finish
